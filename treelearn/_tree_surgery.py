"""Walking and reshaping the arrays of a :class:`~treelearn._tree.Tree`.

The walks run over the levels of a tree (or over the positions of the longest
block), never over nodes: every step is vectorised over the nodes of a level. The
surgery, :func:`prune_to`, turns chosen internal nodes into leaves, drops what lies
below them and renumbers the rest breadth-first; :func:`reslice_category_tables` is
the one place where the categorical routing tables follow a renumbering.

Growth (best-first leaf budgets), CART pruning and both J48 pruners use these; they
know nothing about estimators, criteria or training data.
"""

from __future__ import annotations

import numpy as np

from treelearn._split_lists import csr_take
from treelearn._tree import SPLIT_CATEGORICAL, SPLIT_LEAF, Tree

__all__ = [
    "bfs_levels",
    "expand_ranges",
    "preorder",
    "prune_to",
    "reslice_category_tables",
    "sequential_block_sums",
    "sequential_range_sums",
]


# ---------------------------------------------------------------------------------------
# walking
# ---------------------------------------------------------------------------------------
def expand_ranges(first: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Concatenate the id ranges ``first[i] .. first[i] + counts[i] - 1``.

    With ``first`` the ``first_child`` and ``counts`` the ``n_children`` of some
    internal nodes, this lists their children, parent by parent in slot order.

    Parameters
    ----------
    first : ndarray of int
        Start of each range.
    counts : ndarray of int
        Length of each range (0 allowed).

    Returns
    -------
    ids : ndarray of intp
        The ids of all ranges, range after range.
    owner : ndarray of intp
        For each id, the index ``i`` of its range.

    Examples
    --------
    >>> ids, owner = expand_ranges(np.array([1, 5]), np.array([2, 3]))
    >>> ids.tolist(), owner.tolist()
    ([1, 2, 5, 6, 7], [0, 0, 1, 1, 1])
    """
    counts = np.asarray(counts, dtype=np.intp)
    owner = np.repeat(np.arange(counts.size, dtype=np.intp), counts)
    start = np.cumsum(counts) - counts
    ids = np.asarray(first, dtype=np.intp)[owner] + (np.arange(owner.size) - start[owner])
    return ids, owner


def bfs_levels(
    first: np.ndarray, n_children: np.ndarray, is_leaf: np.ndarray, root: int = 0
) -> list[np.ndarray]:
    """Node ids level by level below ``root``, children in slot order.

    The structure is given by arrays rather than a :class:`Tree`, so that a pruner
    can walk the structure it is editing (``first``, ``n_children`` and ``is_leaf``
    over the original node ids).

    Parameters
    ----------
    first, n_children : ndarray of int
        First child and number of children of every node.
    is_leaf : ndarray of bool
        Nodes whose children are not visited.
    root : int, default=0

    Returns
    -------
    list of ndarray of intp
        ``levels[d]`` holds the nodes at depth ``d`` below ``root``.
    """
    levels = []
    nodes = np.array([root], dtype=np.intp)
    while nodes.size:
        levels.append(nodes)
        inner = nodes[~is_leaf[nodes]]
        nodes, _ = expand_ranges(first[inner], n_children[inner])
    return levels


def preorder(tree: Tree) -> tuple[np.ndarray, np.ndarray]:
    """Depth-first preorder rank (children in slot order) and subtree size of every node.

    Sizes are summed bottom-up and ranks assigned top-down, one vectorised step per
    level: a child's rank is its parent's plus one plus the sizes of its elder
    siblings.

    Returns
    -------
    rank : ndarray of intp of shape (node_count,)
        Position of each node in the preorder walk (the root is 0).
    size : ndarray of intp of shape (node_count,)
        Number of nodes in each node's subtree, itself included.
    """
    n = tree.node_count
    is_leaf = tree.n_children == 0
    first = tree.first_child.astype(np.intp)
    nch = tree.n_children.astype(np.intp)
    levels = bfs_levels(first, nch, is_leaf)
    size = np.ones(n, dtype=np.intp)
    for nodes in reversed(levels):
        inner = nodes[~is_leaf[nodes]]
        if inner.size:
            kids, _ = expand_ranges(first[inner], nch[inner])
            starts = np.cumsum(nch[inner]) - nch[inner]
            size[inner] = 1 + np.add.reduceat(size[kids], starts)
    rank = np.zeros(n, dtype=np.intp)
    for nodes in levels:
        inner = nodes[~is_leaf[nodes]]
        if inner.size:
            kids, owner = expand_ranges(first[inner], nch[inner])
            before = np.cumsum(size[kids]) - size[kids]
            block_start = (np.cumsum(nch[inner]) - nch[inner])[owner]
            rank[kids] = rank[inner][owner] + 1 + before - before[block_start]
    return rank, size


def sequential_block_sums(values: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Sums of consecutive blocks of ``values`` (block ``i`` has ``counts[i]`` items).

    Each block is summed left to right starting from 0.0, one step per slot
    (vectorised over blocks): the rounding of a recursive ``errors += child`` over
    the children of a node, which J48's pruning comparisons depend on.

    Examples
    --------
    >>> sequential_block_sums(np.array([1.0, 2.0, 3.0, 4.0]), np.array([3, 0, 1])).tolist()
    [6.0, 0.0, 4.0]
    """
    counts = np.asarray(counts, dtype=np.intp)
    out = np.zeros(counts.size)
    start = np.cumsum(counts) - counts
    for s in range(int(counts.max(initial=0))):
        has = counts > s
        out[has] += values[start[has] + s]
    return out


def sequential_range_sums(values: np.ndarray, start: np.ndarray, count: np.ndarray) -> np.ndarray:
    """``values[start[i]] + ... + values[start[i] + count[i] - 1]`` summed left to right.

    Ranges may overlap (a node's leaves and its ancestors' leaves). Vectorised over
    ranges, one step per position in the longest range.

    Examples
    --------
    >>> v = np.array([1.0, 2.0, 3.0])
    >>> sequential_range_sums(v, np.array([0, 1, 2]), np.array([3, 1, 0])).tolist()
    [6.0, 2.0, 0.0]
    """
    order = np.argsort(-count, kind="stable")
    c_sorted = count[order]
    s_sorted = start[order]
    acc = np.zeros(count.size)
    n_longer = np.searchsorted(-c_sorted, -np.arange(int(c_sorted.max(initial=0))), side="left")
    for k, m in enumerate(n_longer.tolist()):
        acc[:m] += values[s_sorted[:m] + k]
    out = np.empty(count.size)
    out[order] = acc
    return out


# ---------------------------------------------------------------------------------------
# surgery
# ---------------------------------------------------------------------------------------
def reslice_category_tables(
    tree: Tree, source: np.ndarray, split_kind: np.ndarray
) -> dict[str, np.ndarray]:
    """Categorical routing tables of a renumbered tree.

    New node ``i`` takes the table of ``tree``'s node ``source[i]`` if its new
    ``split_kind[i]`` is categorical, and no table otherwise (leaves, numeric splits).

    Parameters
    ----------
    tree : Tree
        The tree whose ``category_ptr`` / ``category_code`` / ``category_branch``
        are re-sliced.
    source : ndarray of int of shape (m,)
        For each new node, the node of ``tree`` whose split test it uses.
    split_kind : ndarray of shape (m,)
        The new nodes' split kinds.

    Returns
    -------
    dict of str to ndarray
        The new tables' arrays by their names in ``Tree.to_arrays``:
        ``category_ptr`` (``m + 1``) and the concatenated pairs of the categorical
        sources, ``category_branch`` and, when the tree stores them,
        ``category_code``.
    """
    ptr, take = csr_take(tree.category_ptr, source, split_kind == SPLIT_CATEGORICAL)
    out = {"category_ptr": ptr, "category_branch": tree.category_branch[take]}
    if not tree.category_index.whole:
        out["category_code"] = tree.category_code[take]
    return out


def prune_to(tree: Tree, keep_split: np.ndarray) -> Tree:
    """A copy of ``tree`` in which only nodes with ``keep_split`` stay internal.

    A node stays internal if it is internal in ``tree``, ``keep_split`` is true
    for it and all its ancestors stay internal; descendants of new leaves are
    dropped. Nodes are renumbered breadth-first so children stay consecutive.

    Parameters
    ----------
    tree : Tree
    keep_split : ndarray of bool of shape (node_count,)

    Returns
    -------
    Tree
        The new tree; node statistics are copied unchanged, new leaves lose their
        split (feature ``-2``, no threshold, score and gain ``nan``).
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
    arrays.update(reslice_category_tables(tree, old_ids, arrays["split_kind"]))
    if tree.surrogates is not None:  # new leaves lose their surrogates
        arrays.update(tree.surrogates.take(old_ids, ~now_leaf).to_arrays())
    if tree.competitors is not None:  # and their competitors
        arrays.update(tree.competitors.take(old_ids, ~now_leaf).to_arrays())
    return type(tree)(tree.n_features, tree.n_classes, arrays, tree.unit_weight)
