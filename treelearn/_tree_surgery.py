"""Walking and reshaping tree arrays (placeholder until the pruning split lands)."""

from __future__ import annotations

import numpy as np

from treelearn._tree import SPLIT_CATEGORICAL, SPLIT_LEAF, Tree

__all__ = ["prune_to"]


def prune_to(tree: Tree, keep_split: np.ndarray) -> Tree:
    """A copy of ``tree`` in which only nodes with ``keep_split`` stay internal.

    A node stays internal if it is internal in ``tree``, ``keep_split`` is true
    for it and all its ancestors stay internal; descendants of new leaves are
    dropped. Nodes are renumbered breadth-first so children stay consecutive.
    """
    n = tree.node_count
    internal = (tree.n_children > 0) & keep_split
    # reachable: a node is kept if its parent is kept and internal
    kept = np.zeros(n, dtype=bool)
    kept[0] = True
    # nodes are numbered by level, so parents precede children: one pass per level
    for d in range(tree.max_depth + 1):
        at = np.flatnonzero((tree.depth == d) & (tree.parent >= 0))
        if at.size:
            par = tree.parent[at]
            kept[at] = kept[par] & internal[par]
    old_ids = np.flatnonzero(kept)
    # breadth-first renumbering preserving order
    order = np.lexsort((old_ids, tree.depth[old_ids]))
    old_ids = old_ids[order]
    new_id = np.full(n, -1, dtype=np.int64)
    new_id[old_ids] = np.arange(old_ids.size)
    arrays = {
        name: arr[old_ids].copy()
        for name, arr in tree.to_arrays().items()
        if name in Tree.NODE_ARRAYS or name == "value"
    }
    now_leaf = ~internal[old_ids]
    arrays["parent"] = np.where(arrays["parent"] >= 0, new_id[np.maximum(arrays["parent"], 0)], -1)
    fc = arrays["first_child"]
    arrays["first_child"] = np.where(now_leaf, -1, new_id[np.maximum(fc, 0)])
    arrays["n_children"] = np.where(now_leaf, 0, arrays["n_children"])
    arrays["feature"] = np.where(now_leaf, -2, arrays["feature"])
    arrays["threshold"] = np.where(now_leaf, -2.0, arrays["threshold"])
    arrays["split_kind"] = np.where(now_leaf, SPLIT_LEAF, arrays["split_kind"])
    arrays["split_score"] = np.where(now_leaf, np.nan, arrays["split_score"])
    arrays["gain"] = np.where(now_leaf, np.nan, arrays["gain"])
    widths = np.where(
        arrays["split_kind"] == SPLIT_CATEGORICAL,
        tree.category_ptr[old_ids + 1] - tree.category_ptr[old_ids],
        0,
    )
    ptr = np.zeros(old_ids.size + 1, dtype=np.int64)
    np.cumsum(widths, out=ptr[1:])
    # concatenated ranges category_ptr[o] .. category_ptr[o] + width of the kept nodes
    take = np.repeat(tree.category_ptr[old_ids] - ptr[:-1], widths) + np.arange(ptr[-1])
    arrays["category_ptr"] = ptr
    arrays["category_branch"] = tree.category_branch[take]
    return Tree(tree.n_features, tree.n_classes, arrays)
