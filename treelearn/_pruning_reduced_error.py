"""J48's reduced-error pruning (``-R``, facts sheet §9) on the arrays of a tree.

:func:`reduced_error_split` reproduces J48's split of the training rows into a
growing and a pruning set; :func:`prune_reduced_error` prunes a tree grown on the
first with the second. :func:`_pruning_set_counts` routes the pruning cases; a case
with an unknown value goes down every branch by the tree's training proportions,
through the shared :func:`treelearn._routing.fan_out`.
"""

from __future__ import annotations

from numbers import Integral

import numpy as np

from treelearn._j48_estimates import check_training_data, child_slots, max_class, sm_or_eq
from treelearn._routing import fan_out
from treelearn._sparse_values import SparseColumns
from treelearn._tolerances import J48_SMALL
from treelearn._tree import Tree
from treelearn._tree_surgery import bfs_levels, expand_ranges, prune_to, sequential_block_sums

__all__ = ["prune_reduced_error", "reduced_error_split"]


def reduced_error_split(y: np.ndarray, n_folds: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """J48 ``-R -N n_folds``: the growing and pruning rows (Weka's ``stratify`` + ``testCV``).

    1. Class grouping, in place and without shuffling: ``i = 1``; while ``i < n``: with
       ``c`` the class at position ``i − 1``, scan ``j = i .. n−1`` and swap every row
       of class ``c`` into position ``i`` (``i += 1``); then ``i += 1``.
    2. Interleave into folds: positions ``0, k, 2k, ...`` then ``1, 1+k, ...`` and so on.
    3. The pruning set is the last ``⌊n/k⌋`` rows of that list, the growing set the
       first ``n − ⌊n/k⌋``. (J48 then shuffles the growing set; the order does not
       change the tree, so it is not reproduced.)

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        Class labels in file order (rows with a missing class already removed).
    n_folds : int, default=3

    Returns
    -------
    grow_idx, prune_idx : ndarray of int
        Row indices into ``y``.

    Examples
    --------
    >>> g, p = reduced_error_split([0, 1, 0, 1, 1, 0], n_folds=3)
    >>> g.tolist(), p.tolist()
    ([0, 3, 2, 4], [5, 1])
    """
    if not isinstance(n_folds, Integral) or n_folds < 2:
        raise ValueError(f"n_folds must be an integer >= 2, got {n_folds!r}.")
    _, codes = np.unique(np.asarray(y), return_inverse=True)
    codes = codes.ravel()
    n = codes.size
    perm = np.arange(n)
    i = 1
    while i < n:
        c = codes[i - 1]
        for j in (np.flatnonzero(codes[i:] == c) + i).tolist():
            codes[i], codes[j] = codes[j], codes[i]
            perm[i], perm[j] = perm[j], perm[i]
            i += 1
        i += 1
    strat = np.concatenate([perm[s::n_folds] for s in range(n_folds)])
    n_prune = n // n_folds
    return strat[: n - n_prune], strat[n - n_prune :]


def _pruning_set_counts(
    tree: Tree,
    levels: list[np.ndarray],
    X: np.ndarray | SparseColumns,
    y: np.ndarray,
    w: np.ndarray,
) -> tuple[np.ndarray, dict[int, np.ndarray]]:
    """Route the pruning cases through ``tree``: the class counts at every node and bag.

    Top-down, one level at a time: a known value goes to its branch (J48's split
    test, :func:`~treelearn._j48_estimates.child_slots`); a case with an unknown
    value (or a category without a branch) is copied into every branch ``b`` with
    weight ``w · missing_fraction[b]`` (the *training* proportions), copies only where
    that share is ``> 1e-6``, while each bag is charged the full share.

    Returns
    -------
    P : ndarray of shape (node_count, n_classes)
        The pruning distribution reaching every node.
    bag_counts : dict of int to ndarray of shape (node_count, n_classes)
        Per depth of internal nodes: the bag counts of their children (indexed by
        child id; known weight plus unknown weight times the training share).
    """
    n, K = tree.node_count, tree.n_classes
    is_leaf = tree.n_children == 0
    first = tree.first_child.astype(np.intp)
    nch = tree.n_children.astype(np.intp)
    P = np.zeros((n, K))
    # per internal node: P of each bag (known + unknown weight x training share)
    bag_counts: dict[int, np.ndarray] = {}
    row, wt = np.arange(X.shape[0]), w.copy()
    node = np.zeros(X.shape[0], dtype=np.intp)
    for depth, nodes in enumerate(levels):
        np.add.at(P, (node, y[row]), wt)
        inner = nodes[~is_leaf[nodes]]
        if not inner.size:
            break
        at_inner = ~is_leaf[node]
        row, wt, node = row[at_inner], wt[at_inner], node[at_inner]
        slot = child_slots(tree, node, X[row, tree.feature[node]])
        kn = slot >= 0
        child = np.where(kn, first[node] + slot, -1)
        bags = np.zeros((n, K))  # indexed by child id
        np.add.at(bags, (child[kn], y[row[kn]]), wt[kn])
        miss = np.flatnonzero(~kn)
        # every bag is charged its full share; copies go on only above J48's 1e-6
        case, rep_child, share = fan_out(node[miss], first, nch, tree.missing_fraction, None)
        rep = miss[case]
        np.add.at(bags, (rep_child, y[row[rep]]), wt[rep] * share)
        bag_counts[depth] = bags
        keep = share > J48_SMALL
        row = np.concatenate([row[kn], row[rep[keep]]])
        node = np.concatenate([child[kn], rep_child[keep]])
        wt = np.concatenate([wt[kn], wt[rep[keep]] * share[keep]])
    return P, bag_counts


def prune_reduced_error(
    tree: Tree,
    X_prune: np.ndarray,
    y_prune: np.ndarray,
    w_prune: np.ndarray | None = None,
    *,
    keep_routing: bool = False,
) -> Tree:
    """J48's reduced-error pruning (``-R``, facts §9) with a separate pruning set.

    The pruning cases are routed through the tree with its *training* proportions
    (``missing_fraction``) for unknown values; every node gets the pruning
    distribution ``P`` that reaches it. Bottom-up, with ``c_T`` = ``maxClass`` of
    ``T``'s training counts:

    * ``errLeaf(T) = P_T.total − P_T[c_T]``;
    * ``errTree(T) = Σ_b`` (``P_bag_b.total − P_bag_b[c_T]`` if ``T``'s training bag
      ``b`` is ≈ 0, else ``errTree(child_b)``), ``errTree`` = ``errLeaf`` at leaves;
    * ``T`` becomes a leaf if ``errLeaf ⪯ errTree`` (ties prune).

    The tree keeps its growing-set statistics (the pruning set is never added).

    Parameters
    ----------
    tree : Tree
        Grown on the growing set (no collapse with ``-R``).
    X_prune : ndarray of shape (n_prune, n_features)
        Encoded pruning rows.
    y_prune : ndarray of shape (n_prune,)
        Their class codes.
    w_prune : ndarray of shape (n_prune,), default=None
    keep_routing : bool, default=False
        ``False`` (J48, a tree grown with ``missing_values="fractional"``): a
        training bag's weight is its ``missing_fraction`` times the node's weight.
        ``True`` (``"learned"``, ``"surrogate"``): ``missing_fraction`` is a one-hot
        direction, not a bag proportion, so a bag's weight is its child's training
        weight; the pruning cases with a missing value follow that direction.

    Returns
    -------
    Tree
    """
    X, y, w = check_training_data(tree, X_prune, y_prune, w_prune)
    n = tree.node_count
    is_leaf = tree.n_children == 0
    first = tree.first_child.astype(np.intp)
    nch = tree.n_children.astype(np.intp)
    train_total = tree.weighted_n_node_samples
    train_class = max_class(tree.value)
    levels = bfs_levels(first, nch, is_leaf)
    P, bag_counts = _pruning_set_counts(tree, levels, X, y, w)
    err_leaf = P.sum(axis=1) - P[np.arange(n), train_class]
    err_tree = err_leaf.copy()
    prune = np.zeros(n, dtype=bool)
    for depth in range(len(levels) - 1, -1, -1):
        nodes = levels[depth]
        inner = nodes[~is_leaf[nodes]]
        if not inner.size:
            continue
        kids, owner = expand_ranges(first[inner], nch[inner])
        bags = bag_counts[depth][kids]
        c_parent = train_class[inner][owner]
        if keep_routing:
            train_bag = train_total[kids]
        else:
            train_bag = tree.missing_fraction[kids] * train_total[inner][owner]
        empty = (train_bag == 0) | (np.abs(train_bag) < J48_SMALL)
        child_err = np.where(
            empty, bags.sum(axis=1) - bags[np.arange(kids.size), c_parent], err_tree[kids]
        )
        total = sequential_block_sums(child_err, nch[inner])
        make_leaf = sm_or_eq(err_leaf[inner], total)
        prune[inner[make_leaf]] = True
        err_tree[inner] = np.where(make_leaf, err_leaf[inner], total)
    if not prune.any():
        return tree
    return prune_to(tree, ~prune)
