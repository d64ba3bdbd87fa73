"""Minimal cost-complexity pruning (Breiman et al. 1984) on the tree arrays.

As scikit-learn and rpart prune: :func:`cost_complexity_pruning_path` (the
weakest-link sequence, equal to scikit-learn's, ties included), :func:`prune_ccp` (the
subtree for one ``ccp_alpha``), and :func:`path_errors`, the weighted
misclassification of held-out rows by the tree pruned at each of many alphas, from
one routing of the rows. The cross-validated choice of ``ccp_alpha`` that uses it
grows trees, so it belongs to the estimator layer
(:func:`treelearn._model_selection.select_ccp_alpha_cv`).

Everything here takes a :class:`~treelearn._tree.Tree` and arrays (the encoded
matrix, class codes, weights); loops run over pruning steps or tree levels and the
work inside is vectorised over nodes or rows.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from treelearn._tree import Tree
from treelearn._tree_surgery import (
    bfs_levels,
    expand_ranges,
    preorder,
    prune_to,
    sequential_range_sums,
)

__all__ = [
    "WeakestLink",
    "cost_complexity_pruning_path",
    "effective_leaf_steps",
    "interval_errors",
    "path_errors",
    "prune_ccp",
    "weakest_link",
]

# The largest float64: like scikit-learn, weakest-link pruning stops at an alpha this big.
_DOUBLE_MAX = float(np.finfo(np.float64).max)


class WeakestLink(NamedTuple):
    """The weakest-link sequence of a tree (see :func:`weakest_link`)."""

    nodes: np.ndarray  # node pruned at each step (tree ids)
    alphas: np.ndarray  # effective alpha of each step
    impurities: np.ndarray  # R(T) before the first step and after every step
    n_leaves: np.ndarray  # leaves before the first step and after every step


def weakest_link(tree: Tree, total_weight: float, stop_alpha: float | None = None) -> WeakestLink:
    """The weakest-link pruning sequence, one pruned node per step.

    ``R(t) = w_t · impurity_t / total_weight`` and, for an internal node ``t`` of the
    current tree, ``α(t) = (R(t) − R(T_t)) / (|leaves(T_t)| − 1)`` where ``R(T_t)`` sums
    ``R`` over the current leaves below ``t``. Each step turns the node with the
    smallest ``α`` into a leaf (the first one in depth-first preorder on ties) and
    updates its ancestors. With ``stop_alpha`` the sequence stops before the first
    step whose ``α`` exceeds it.

    The arithmetic follows scikit-learn's ``_cost_complexity_prune`` step for step
    (initial ``R(T_t)`` summed leaf by leaf in preorder, ancestors updated by the
    difference), so that ties resolve the same way on the same tree.

    Parameters
    ----------
    tree : Tree
    total_weight : float
        Denominator of ``R(t)`` (positive).
    stop_alpha : float, default=None
        Stop before the first step whose alpha exceeds it (``None``: run to the root).

    Returns
    -------
    WeakestLink
        ``nodes`` (node id pruned at each step), ``alphas`` (its effective alpha),
        ``impurities`` and ``n_leaves`` (of the tree before the first step and after
        every step).
    """
    n = tree.node_count
    rank, size = preorder(tree)
    at = np.argsort(rank)  # node id at each preorder position
    internal = tree.n_children[at] > 0
    r_node = tree.weighted_n_node_samples[at] * tree.impurity[at] / total_weight
    end = np.arange(n) + size[at]
    leaf_pos = np.flatnonzero(~internal)
    first_leaf = np.searchsorted(leaf_pos, np.arange(n))
    n_leaves = np.searchsorted(leaf_pos, end) - first_leaf
    r_branch = sequential_range_sums(r_node[leaf_pos], first_leaf, n_leaves)
    with np.errstate(divide="ignore", invalid="ignore"):
        alpha = np.where(internal, (r_node - r_branch) / (n_leaves - 1), np.inf)
    steps: list[int] = []
    alphas: list[float] = []
    impurities: list[float] = [float(r_branch[0])]
    leaves: list[int] = [int(leaf_pos.size)]
    while internal[0]:
        i = int(np.argmin(alpha))
        a = float(alpha[i])
        if not a < _DOUBLE_MAX or (stop_alpha is not None and stop_alpha < a):
            break
        alpha[i : end[i]] = np.inf
        n_removed = n_leaves[i] - 1
        r_diff = r_node[i] - r_branch[i]
        r_branch[i] = r_node[i]
        anc = np.flatnonzero(end[:i] > i)
        n_leaves[anc] -= n_removed
        r_branch[anc] += r_diff
        alpha[anc] = (r_node[anc] - r_branch[anc]) / (n_leaves[anc] - 1)
        steps.append(i)
        alphas.append(a)
        impurities.append(float(r_branch[0]))
        leaves.append(leaves[-1] - int(n_removed))
        if i == 0:
            break
    return WeakestLink(
        at[np.asarray(steps, dtype=np.intp)],
        np.asarray(alphas),
        np.asarray(impurities),
        np.asarray(leaves),
    )


def cost_complexity_pruning_path(tree: Tree, total_weight: float) -> tuple[np.ndarray, np.ndarray]:
    """The minimal cost-complexity pruning path of a tree (weakest-link pruning).

    The cost of a subtree ``T`` at complexity ``α`` is ``R_α(T) = R(T) + α·|leaves(T)|``
    with ``R(T) = Σ_{leaves t} R(t)`` and ``R(t) = (w_t / total_weight)·impurity(t)``,
    ``w_t`` the training weight at ``t``. Weakest-link pruning repeatedly collapses the
    internal node with the smallest

    ``α(t) = (R(t) − R(T_t)) / (|leaves(T_t)| − 1)``

    (``T_t`` the current subtree below ``t``) until only the root is left. The result
    equals scikit-learn's ``DecisionTreeClassifier.cost_complexity_pruning_path`` on
    the same tree, ties included: one entry per collapsed node, tied nodes collapsed
    in depth-first preorder.

    Parameters
    ----------
    tree : Tree
        The fully grown tree; its ``impurity`` is the criterion's (Gini for CART).
    total_weight : float
        Denominator of ``R(t)``; scikit-learn uses the root's weight
        ``tree.weighted_n_node_samples[0]``.

    Returns
    -------
    ccp_alphas : ndarray of shape (n_steps + 1,)
        ``0.0`` followed by the effective alpha of each step (non-decreasing up to
        rounding).
    impurities : ndarray of shape (n_steps + 1,)
        ``R(T)`` of the unpruned tree and of the tree after each step; the last entry
        is the root alone.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from treelearn import CARTClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> tree = CARTClassifier().fit(X, y).tree_
    >>> alphas, impurities = cost_complexity_pruning_path(tree, tree.weighted_n_node_samples[0])
    >>> round(float(alphas[-1]), 4), round(float(impurities[-1]), 4)
    (0.3333, 0.6667)
    """
    if not total_weight > 0:
        raise ValueError(f"total_weight must be positive, got {total_weight!r}.")
    path = weakest_link(tree, float(total_weight))
    return np.r_[0.0, path.alphas], path.impurities


def prune_ccp(tree: Tree, ccp_alpha: float, total_weight: float) -> Tree:
    """The minimal cost-complexity subtree for ``ccp_alpha`` (scikit-learn's ``ccp_alpha``).

    Runs the weakest-link sequence of :func:`cost_complexity_pruning_path` while the
    effective alpha of the next step is ``<= ccp_alpha`` and collapses the nodes it
    reached: the smallest subtree minimising ``R(T) + ccp_alpha·|leaves(T)|``. As in
    scikit-learn, ``ccp_alpha == 0`` leaves the tree unchanged.

    Parameters
    ----------
    tree : Tree
    ccp_alpha : float
        Non-negative complexity parameter.
    total_weight : float
        As in :func:`cost_complexity_pruning_path`.

    Returns
    -------
    Tree
        A pruned copy (nodes renumbered breadth-first), or ``tree`` itself when
        nothing is pruned.
    """
    ccp_alpha = float(ccp_alpha)
    if not ccp_alpha >= 0:
        raise ValueError(f"ccp_alpha must be a non-negative number, got {ccp_alpha!r}.")
    if not total_weight > 0:
        raise ValueError(f"total_weight must be positive, got {total_weight!r}.")
    if ccp_alpha == 0.0:
        return tree
    path = weakest_link(tree, float(total_weight), stop_alpha=ccp_alpha)
    if path.nodes.size == 0:
        return tree
    keep = tree.n_children > 0
    keep[path.nodes] = False
    return prune_to(tree, keep)


def effective_leaf_steps(tree: Tree, path: WeakestLink) -> np.ndarray:
    """For every node the step of ``path`` at which it stops being internal.

    ``-1`` for leaves; a node collapsed by itself or by an ancestor at step ``j``
    gets ``j`` (the smallest over itself and its ancestors). After the first ``m``
    steps, node ``t`` is internal iff ``s[t] >= m``.

    Parameters
    ----------
    tree : Tree
    path : WeakestLink
        The sequence of ``tree`` (:func:`weakest_link`).

    Returns
    -------
    s : ndarray of intp of shape (node_count,)
        Internal nodes never collapsed get the largest ``intp``.
    """
    n = tree.node_count
    is_leaf = tree.n_children == 0
    big = np.iinfo(np.intp).max
    s = np.full(n, big, dtype=np.intp)
    s[path.nodes] = np.arange(path.nodes.size)
    s[is_leaf] = -1
    first = tree.first_child.astype(np.intp)
    nch = tree.n_children.astype(np.intp)
    for nodes in bfs_levels(first, nch, is_leaf):
        inner = nodes[~is_leaf[nodes]]
        if inner.size:
            kids, owner = expand_ranges(first[inner], nch[inner])
            s[kids] = np.where(is_leaf[kids], -1, np.minimum(s[kids], s[inner][owner]))
    return s


def path_errors(
    tree: Tree, X: np.ndarray, y: np.ndarray, sample_weight: np.ndarray, ccp_alphas: np.ndarray
) -> np.ndarray:
    """Weighted misclassification of ``(X, y)`` by ``tree`` pruned at every alpha.

    Equal to pruning with :func:`prune_ccp` at each ``ccp_alphas[k]`` and counting the
    weight of the rows whose predicted class is not their class, but all alphas are
    scored from one routing of the rows (:meth:`Tree.route`). A row reaches leaves of
    the full tree; at ``α = ccp_alphas[k]`` the pruned tree's leaf on the path of
    such an entry is the ancestor ``a`` with ``s[a] < m_k <= s[parent(a)]`` (``s`` of
    :func:`effective_leaf_steps`, ``m_k`` the number of weakest-link steps with alpha
    ``<= ccp_alphas[k]``), so each (entry, ancestor) pair covers a contiguous range of
    ``k``. Rows reaching exactly one leaf contribute 0/1 errors through a difference
    array over ``k``; rows spread over several leaves by missing values have their
    class probabilities summed per ``k`` as :meth:`Tree.predict_proba` does (the
    first class wins ties, as in prediction).

    Parameters
    ----------
    tree : Tree
        The fully grown tree; its pruning path is taken with the root's weight as
        ``total_weight``.
    X : ndarray of shape (n_samples, n_features)
        Rows encoded as the tree was grown (numeric values, category codes, ``NaN``).
    y : ndarray of int of shape (n_samples,)
        Class codes ``0 .. n_classes-1`` of the tree; any other code (``-1`` for a
        class the tree has not seen) is an error at every alpha.
    sample_weight : ndarray of shape (n_samples,)
        Weight of each row in the error count.
    ccp_alphas : ndarray of shape (n_alphas,)
        Complexity parameters, ascending.

    Returns
    -------
    ndarray of shape (n_alphas,)
        The weighted number of errors at each alpha.
    """
    path = weakest_link(tree, float(tree.weighted_n_node_samples[0]))
    n_steps = np.searchsorted(np.maximum.accumulate(path.alphas), ccp_alphas, side="right")
    s = effective_leaf_steps(tree, path)
    leaf_from = np.searchsorted(n_steps, s, side="right")
    return interval_errors(tree, X, y, sample_weight, leaf_from, ccp_alphas.size)


def interval_errors(
    tree: Tree,
    X: np.ndarray,
    y: np.ndarray,
    sample_weight: np.ndarray,
    leaf_from: np.ndarray,
    n_subtrees: int,
) -> np.ndarray:
    """Weighted misclassification of ``(X, y)`` by a nested sequence of pruned subtrees.

    Subtree ``k`` (``0 <= k < n_subtrees``) is ``tree`` with node ``t`` a leaf (or
    pruned away) for ``k >= leaf_from[t]``; the sequence must be nested
    (``leaf_from`` never larger at a child than at its parent, ``0`` at the leaves).
    A row is predicted at subtree ``k`` by the node of its path with
    ``leaf_from[a] <= k < leaf_from[parent(a)]``, so each (entry, ancestor) pair of
    one routing of the rows covers a contiguous range of ``k`` (see
    :func:`path_errors`, which uses it for the weakest-link sequence, and
    :mod:`treelearn._pruning_rpart`, for rpart's complexity sequence).

    Parameters
    ----------
    tree : Tree
    X : ndarray of shape (n_samples, n_features)
        Rows encoded as the tree was grown.
    y : ndarray of int of shape (n_samples,)
        Class codes of the tree; any other code is an error in every subtree.
    sample_weight : ndarray of shape (n_samples,)
    leaf_from : ndarray of int of shape (node_count,)
        First subtree in which each node is a leaf.
    n_subtrees : int

    Returns
    -------
    ndarray of shape (n_subtrees,)
        The weighted number of errors of each subtree.
    """
    n_test, n_beta, K = X.shape[0], int(n_subtrees), tree.n_classes
    errors = np.zeros(n_beta + 1)
    rows, leaves, w = tree.route(X)
    # (entry, ancestor) pairs
    pair_e, pair_a = [], []
    ent = np.arange(rows.size)
    cur = leaves.astype(np.intp)
    while ent.size:
        pair_e.append(ent)
        pair_a.append(cur)
        par = tree.parent[cur]
        up = par >= 0
        ent, cur = ent[up], par[up].astype(np.intp)
    pe = np.concatenate(pair_e) if pair_e else np.empty(0, np.intp)
    pa = np.concatenate(pair_a) if pair_a else np.empty(0, np.intp)
    par = tree.parent[pa]
    k_lo = leaf_from[pa]
    k_hi = np.where(par >= 0, leaf_from[np.maximum(par, 0)], n_beta)
    live = k_lo < k_hi
    pe, pa, k_lo, k_hi = pe[live], pa[live], k_lo[live], k_hi[live]
    n_entries = np.bincount(rows, minlength=n_test)
    single = n_entries[rows[pe]] == 1
    if single.any():
        r = rows[pe[single]]
        a = pa[single]
        wrong = (tree.leaf_class[a] != y[r]) * sample_weight[r]
        np.add.at(errors, k_lo[single], wrong)
        np.add.at(errors, k_hi[single], -wrong)
    errors = np.cumsum(errors)[:n_beta]
    multi_rows = np.flatnonzero(n_entries != 1)
    if multi_rows.size:
        proba = tree.node_proba
        local = np.full(n_test, -1, dtype=np.intp)
        chunk = max(1, int(2_000_000 // ((n_beta + 1) * K)))
        sel = ~single
        pe_m, pa_m, lo_m, hi_m = pe[sel], pa[sel], k_lo[sel], k_hi[sel]
        row_m = rows[pe_m]
        for c0 in range(0, multi_rows.size, chunk):
            block = multi_rows[c0 : c0 + chunk]
            local[block] = np.arange(block.size)
            inside = local[row_m] >= 0
            r_loc = local[row_m[inside]]
            contrib = proba[pa_m[inside]] * w[pe_m[inside]][:, None]
            diff = np.zeros((block.size, n_beta + 1, K))
            np.add.at(diff, (r_loc, lo_m[inside]), contrib)
            np.add.at(diff, (r_loc, hi_m[inside]), -contrib)
            summed = np.cumsum(diff, axis=1)[:, :n_beta]
            pred = np.argmax(summed, axis=2)
            wrong = (pred != y[block][:, None]) * sample_weight[block][:, None]
            errors += wrong.sum(axis=0)
            local[block] = -1
    return errors
