"""Pruning on the tree arrays: CART cost-complexity pruning and C4.5 (J48) pruning.

Everything here reads and writes the parallel arrays of :class:`~treelearn._tree.Tree`
(no Python object per node, no recursion): loops run over the levels of the tree,
over pruning steps, or over the child slots of a level, and the work inside a loop is
vectorised over nodes or over training entries.

Minimal cost-complexity pruning (Breiman et al. 1984, as scikit-learn and rpart)
    :func:`cost_complexity_pruning_path`, :func:`prune_ccp` and the cross-validated
    choice of ``ccp_alpha`` with the one-standard-error rule,
    :func:`select_ccp_alpha_cv`.

C4.5 pruning, exactly as Weka's J48 3.6 runs it (see ``shared/reference/j48-c45-facts.md``)
    :func:`add_errors` (``Stats.addErrs``), :func:`collapse` (§7),
    :func:`prune_error_based` (§8, pessimistic pruning with subtree raising),
    :func:`reduced_error_split` and :func:`prune_reduced_error` (§9, ``-R``).

The J48 functions take the *encoded* training data (the matrix the builder grew the
tree on: numeric values, categorical codes, ``NaN`` for missing values), the class
codes ``0 .. n_classes-1`` and the sample weights.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from numbers import Integral
from typing import Any, NamedTuple

import numpy as np
from sklearn.base import clone
from sklearn.model_selection import KFold, StratifiedKFold, check_cv
from sklearn.utils import Bunch, _safe_indexing, compute_sample_weight

from treelearn._tree_surgery import prune_to
from treelearn._tree import SPLIT_CATEGORICAL, SPLIT_LEAF, SPLIT_NUMERIC, Tree
from treelearn.criteria import GainRatio, SplitCriterion

__all__ = [
    "add_errors",
    "collapse",
    "cost_complexity_pruning_path",
    "prune_ccp",
    "prune_error_based",
    "prune_reduced_error",
    "reduced_error_split",
    "select_ccp_alpha_cv",
]

# Weka's Utils.SMALL: the absolute tolerance of J48's comparisons.
_SMALL = 1e-6
# Java's Double.MAX_VALUE, J48's "no subtree raising" branch estimate.
_DOUBLE_MAX = float(np.finfo(np.float64).max)


# ---------------------------------------------------------------------------------------
# structure helpers
# ---------------------------------------------------------------------------------------
def _expand(first: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Concatenate the id ranges ``first[i] .. first[i] + counts[i] - 1``.

    Returns ``(ids, owner)``: the ids, and for each id the index ``i`` of its range.
    """
    counts = np.asarray(counts, dtype=np.intp)
    owner = np.repeat(np.arange(counts.size, dtype=np.intp), counts)
    start = np.cumsum(counts) - counts
    ids = np.asarray(first, dtype=np.intp)[owner] + (np.arange(owner.size) - start[owner])
    return ids, owner


def _bfs_levels(
    first: np.ndarray, n_children: np.ndarray, is_leaf: np.ndarray, root: int = 0
) -> list[np.ndarray]:
    """Node ids level by level from ``root``, children in slot order."""
    levels = []
    nodes = np.array([root], dtype=np.intp)
    while nodes.size:
        levels.append(nodes)
        inner = nodes[~is_leaf[nodes]]
        nodes, _ = _expand(first[inner], n_children[inner])
    return levels


def _sequential_block_sum(values: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Sums of consecutive blocks of ``values`` (block ``i`` has ``counts[i]`` items).

    Each block is summed left to right starting from 0.0, one step per slot
    (vectorised over blocks), which is the order of a recursive ``errors += ...``.
    """
    counts = np.asarray(counts, dtype=np.intp)
    out = np.zeros(counts.size)
    start = np.cumsum(counts) - counts
    for s in range(int(counts.max(initial=0))):
        has = counts > s
        out[has] += values[start[has] + s]
    return out


def _preorder(tree: Tree) -> tuple[np.ndarray, np.ndarray]:
    """Depth-first preorder rank (children in slot order) and subtree size of every node."""
    n = tree.node_count
    is_leaf = tree.n_children == 0
    first = tree.first_child.astype(np.intp)
    nch = tree.n_children.astype(np.intp)
    levels = _bfs_levels(first, nch, is_leaf)
    size = np.ones(n, dtype=np.intp)
    for nodes in reversed(levels):
        inner = nodes[~is_leaf[nodes]]
        if inner.size:
            kids, _ = _expand(first[inner], nch[inner])
            starts = np.cumsum(nch[inner]) - nch[inner]
            size[inner] = 1 + np.add.reduceat(size[kids], starts)
    rank = np.zeros(n, dtype=np.intp)
    for nodes in levels:
        inner = nodes[~is_leaf[nodes]]
        if inner.size:
            kids, owner = _expand(first[inner], nch[inner])
            before = np.cumsum(size[kids]) - size[kids]
            block_start = (np.cumsum(nch[inner]) - nch[inner])[owner]
            rank[kids] = rank[inner][owner] + 1 + before - before[block_start]
    return rank, size


def _sequential_range_sums(values: np.ndarray, start: np.ndarray, count: np.ndarray) -> np.ndarray:
    """``values[start[i]] + ... + values[start[i] + count[i] - 1]`` summed left to right.

    Vectorised over ranges, one step per position in the longest range.
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
# A. minimal cost-complexity pruning
# ---------------------------------------------------------------------------------------
class _WeakestLink(NamedTuple):
    nodes: np.ndarray  # node pruned at each step (tree ids)
    alphas: np.ndarray  # effective alpha of each step
    impurities: np.ndarray  # R(T) before the first step and after every step
    n_leaves: np.ndarray  # leaves before the first step and after every step


def _weakest_link(tree: Tree, total_weight: float, stop_alpha: float | None = None) -> _WeakestLink:
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
    """
    n = tree.node_count
    rank, size = _preorder(tree)
    at = np.argsort(rank)  # node id at each preorder position
    internal = tree.n_children[at] > 0
    r_node = tree.weighted_n_node_samples[at] * tree.impurity[at] / total_weight
    end = np.arange(n) + size[at]
    leaf_pos = np.flatnonzero(~internal)
    first_leaf = np.searchsorted(leaf_pos, np.arange(n))
    n_leaves = np.searchsorted(leaf_pos, end) - first_leaf
    r_branch = _sequential_range_sums(r_node[leaf_pos], first_leaf, n_leaves)
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
    return _WeakestLink(
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
    path = _weakest_link(tree, float(total_weight))
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
    path = _weakest_link(tree, float(total_weight), stop_alpha=ccp_alpha)
    if path.nodes.size == 0:
        return tree
    keep = tree.n_children > 0
    keep[path.nodes] = False
    return prune_to(tree, keep)


def _effective_leaf_steps(tree: Tree, path: _WeakestLink) -> np.ndarray:
    """For every node the step of ``path`` at which it stops being internal.

    ``-1`` for leaves; a node collapsed by itself or by an ancestor at step ``j``
    gets ``j`` (the smallest over itself and its ancestors). After the first ``m``
    steps, node ``t`` is internal iff ``s[t] >= m``.
    """
    n = tree.node_count
    is_leaf = tree.n_children == 0
    big = np.iinfo(np.intp).max
    s = np.full(n, big, dtype=np.intp)
    s[path.nodes] = np.arange(path.nodes.size)
    s[is_leaf] = -1
    first = tree.first_child.astype(np.intp)
    nch = tree.n_children.astype(np.intp)
    for nodes in _bfs_levels(first, nch, is_leaf):
        inner = nodes[~is_leaf[nodes]]
        if inner.size:
            kids, owner = _expand(first[inner], nch[inner])
            s[kids] = np.where(is_leaf[kids], -1, np.minimum(s[kids], s[inner][owner]))
    return s


def _fold_errors(
    estimator: Any, X_test: Any, y_test: np.ndarray, w_test: np.ndarray, betas: np.ndarray
) -> np.ndarray:
    """Weighted misclassification of ``estimator``'s tree pruned at every alpha in ``betas``.

    All alphas are evaluated from one routing of the test rows: a test row reaches
    leaves of the full tree; at ``α = betas[k]`` the pruned tree's leaf on the path of
    such an entry is the ancestor ``a`` with ``s[a] < m_k <= s[parent(a)]`` (``m_k`` the
    number of weakest-link steps with alpha ``<= betas[k]``), so each (entry,
    ancestor) pair covers a contiguous range of ``k``. Rows reaching exactly one leaf
    contribute 0/1 errors through a difference array over ``k``; rows spread over
    several leaves by missing values have their class probabilities summed per ``k``
    as :meth:`Tree.predict_proba` does.
    """
    tree: Tree = estimator.tree_
    classes = estimator.classes_
    Xe = estimator._encode(X_test)
    n_test, n_beta, K = Xe.shape[0], betas.size, tree.n_classes
    errors = np.zeros(n_beta + 1)
    path = _weakest_link(tree, float(tree.weighted_n_node_samples[0]))
    n_steps = np.searchsorted(np.maximum.accumulate(path.alphas), betas, side="right")
    s = _effective_leaf_steps(tree, path)
    rows, leaves, w = tree.route(Xe)
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
    s_par = np.where(par >= 0, s[np.maximum(par, 0)], np.iinfo(np.intp).max)
    k_lo = np.searchsorted(n_steps, s[pa], side="right")
    k_hi = np.searchsorted(n_steps, s_par, side="right")
    live = k_lo < k_hi
    pe, pa, k_lo, k_hi = pe[live], pa[live], k_lo[live], k_hi[live]
    proba = tree.node_proba
    n_entries = np.bincount(rows, minlength=n_test)
    single = n_entries[rows[pe]] == 1
    if single.any():
        r = rows[pe[single]]
        a = pa[single]
        wrong = (classes[np.argmax(proba[a], axis=1)] != y_test[r]) * w_test[r]
        np.add.at(errors, k_lo[single], wrong)
        np.add.at(errors, k_hi[single], -wrong)
    errors = np.cumsum(errors)[:n_beta]
    multi_rows = np.flatnonzero(n_entries != 1)
    if multi_rows.size:
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
            pred = classes[np.argmax(summed, axis=2)]
            errors += ((pred != y_test[block][:, None]) * w_test[block][:, None]).sum(axis=0)
            local[block] = -1
    return errors


def _cv_splitter(cv: Any, y: np.ndarray, random_state: Any):
    if isinstance(cv, Integral):
        if cv < 2:
            raise ValueError(f"cv must be at least 2, got {cv}.")
        _, counts = np.unique(y, return_counts=True)
        if counts.min() >= cv:
            return StratifiedKFold(int(cv), shuffle=True, random_state=random_state)
        return KFold(int(cv), shuffle=True, random_state=random_state)
    return check_cv(cv, y, classifier=True)


def _ccp_cv(
    estimator: Any,
    X: Any,
    y: np.ndarray,
    weights: np.ndarray,
    cv: Any,
    random_state: Any,
    one_se: bool,
) -> Bunch:
    """Cross-validated error of every subtree of the pruning path (weights already final)."""
    base = clone(estimator)
    params = base.get_params(deep=False)
    if "ccp_alpha" in params:
        base.set_params(ccp_alpha=0.0)
    if "class_weight" in params:
        base.set_params(class_weight=None)
    full = clone(base).fit(X, y, sample_weight=weights)
    tree: Tree = full.tree_
    path = _weakest_link(tree, float(tree.weighted_n_node_samples[0]))
    # lower ends of the alpha intervals of the nested subtrees
    grid = np.unique(np.r_[0.0, path.alphas])
    n_steps = np.searchsorted(np.maximum.accumulate(path.alphas), grid, side="right")
    n_steps[grid <= 0] = 0  # ccp_alpha=0 does not prune (scikit-learn's convention)
    with np.errstate(invalid="ignore"):
        betas = np.r_[np.sqrt(np.maximum(grid[:-1], 0.0) * grid[1:]), np.inf]
    errors = np.zeros(grid.size)
    for train, test in _cv_splitter(cv, y, random_state).split(np.zeros((y.size, 1)), y):
        est = clone(base).fit(_safe_indexing(X, train), y[train], sample_weight=weights[train])
        errors += _fold_errors(est, _safe_indexing(X, test), y[test], weights[test], betas)
    total = float(weights.sum())
    n_eff = total**2 / float((weights**2).sum())
    cv_error = errors / total
    cv_se = np.sqrt(np.clip(cv_error * (1.0 - cv_error), 0.0, None) / n_eff)
    best = int(np.flatnonzero(cv_error == cv_error.min())[-1])
    threshold = cv_error[best] + (cv_se[best] if one_se else 0.0)
    chosen = int(np.flatnonzero(cv_error <= threshold)[-1])
    return Bunch(
        ccp_alpha=max(float(grid[chosen]), 0.0),
        ccp_alphas=grid,
        cv_alphas=betas,
        cv_error=cv_error,
        cv_se=cv_se,
        best_index=best,
        chosen_index=chosen,
        n_leaves=path.n_leaves[n_steps],
    )


def select_ccp_alpha_cv(
    estimator: Any,
    X: Any,
    y: Any,
    sample_weight: np.ndarray | None = None,
    cv: Any = 10,
    random_state: Any = None,
    one_se: bool = True,
    *,
    return_results: bool = False,
) -> float | tuple[float, Bunch]:
    """Choose ``ccp_alpha`` by k-fold cross-validation, with rpart's one-SE rule.

    1. Grow the tree of ``estimator`` (with ``ccp_alpha=0``) on all the data and take
       its pruning path: the distinct alphas ``α_0 = 0 < α_1 < ... < α_m`` at which
       the nested optimal subtrees ``T_0 ⊃ T_1 ⊃ ... ⊃ T_m`` (``T_m`` the root) start.
       ``T_k`` is optimal for ``α ∈ [α_k, α_{k+1})``.
    2. Represent each interval by the geometric mean ``β_k = sqrt(α_k·α_{k+1})``
       (``β_m = ∞``), as Breiman et al. and rpart do.
    3. For each of the ``cv`` folds, grow a tree on the other folds, prune it at every
       ``β_k`` and count the weighted misclassifications on the held-out fold. All
       ``β_k`` are scored from one routing of the held-out rows.
    4. ``cv_error_k`` = total weighted errors / total weight and its standard error
       ``se_k = sqrt(cv_error_k (1 − cv_error_k) / n_eff)`` with the effective sample
       size ``n_eff = (Σw)² / Σw²`` (``n`` for unit weights).
    5. One-SE rule: among the subtrees with ``cv_error_k <= cv_error_min + se_min``
       take the smallest (largest ``k``); without it the smallest subtree with the
       minimal error. Return ``α_k``, so that ``ccp_alpha=α_k`` on the same data
       yields exactly ``T_k``.

    Parameters
    ----------
    estimator : treelearn estimator
        Defines how trees are grown (it is cloned; ``ccp_alpha`` is set to 0 in the
        clones). ``class_weight`` is folded into the weights once, on the full data.
    X : array-like or DataFrame of shape (n_samples, n_features)
    y : array-like of shape (n_samples,)
    sample_weight : array-like of shape (n_samples,), default=None
        Weights of the rows in growing and in the error counts.
    cv : int or cross-validation splitter, default=10
        Number of folds (stratified and shuffled when every class has at least
        ``cv`` rows, else plain shuffled k-fold), or a scikit-learn splitter.
    random_state : int, RandomState instance or None, default=None
        Shuffling of the folds.
    one_se : bool, default=True
        Apply the one-standard-error rule (rpart's default); ``False`` takes the
        minimum.
    return_results : bool, default=False
        Also return a :class:`~sklearn.utils.Bunch` with ``ccp_alphas`` (the ``α_k``),
        ``cv_alphas`` (the ``β_k``), ``cv_error``, ``cv_se``, ``n_leaves``,
        ``best_index`` and ``chosen_index``.

    Returns
    -------
    ccp_alpha : float
    results : Bunch
        Only with ``return_results=True``.

    Examples
    --------
    >>> from sklearn.datasets import load_breast_cancer
    >>> from treelearn import CARTClassifier
    >>> X, y = load_breast_cancer(return_X_y=True)
    >>> alpha, res = select_ccp_alpha_cv(CARTClassifier(), X, y, random_state=0,
    ...                                  return_results=True)
    >>> bool(alpha in res.ccp_alphas), bool(res.n_leaves[res.chosen_index] < res.n_leaves[0])
    (True, True)
    """
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] == 1:
        y = y.ravel()
    weights = (
        np.ones(y.shape[0])
        if sample_weight is None
        else np.asarray(sample_weight, dtype=np.float64).copy()
    )
    class_weight = estimator.get_params(deep=False).get("class_weight")
    if class_weight is not None:
        weights = weights * compute_sample_weight(class_weight, y)
    res = _ccp_cv(estimator, X, y, weights, cv, random_state, one_se)
    return (res.ccp_alpha, res) if return_results else res.ccp_alpha


# ---------------------------------------------------------------------------------------
# B. C4.5 as J48 runs it
# ---------------------------------------------------------------------------------------
# Cephes ndtri rational approximations (Moshier), as in Weka's Statistics.normalInverse.
_NDTRI_P0 = (
    -5.99633501014107895267e1,
    9.80010754185999661536e1,
    -5.66762857469070293439e1,
    1.39312609387279679503e1,
    -1.23916583867381258016e0,
)
_NDTRI_Q0 = (
    1.95448858338141759834e0,
    4.67627912898881538453e0,
    8.63602421390890590575e1,
    -2.25462687854119370527e2,
    2.00260212380060660359e2,
    -8.20372256168333339912e1,
    1.59056225126211695515e1,
    -1.18331621121330003142e0,
)
_NDTRI_P1 = (
    4.05544892305962419923e0,
    3.15251094599893866154e1,
    5.71628192246421288162e1,
    4.40805073893200834700e1,
    1.46849561928858024014e1,
    2.18663306850790267539e0,
    -1.40256079171354495875e-1,
    -3.50424626827848203418e-2,
    -8.57456785154685413611e-4,
)
_NDTRI_Q1 = (
    1.57799883256466749731e1,
    4.53907635128879210584e1,
    4.13172038254672030440e1,
    1.50425385692907503408e1,
    2.50464946208309415979e0,
    -1.42182922854787788574e-1,
    -3.80806407691578277194e-2,
    -9.33259480895457427372e-4,
)
_NDTRI_P2 = (
    3.23774891776946035970e0,
    6.91522889068984211695e0,
    3.93881025292474443415e0,
    1.33303460815807542389e0,
    2.01485389549179081538e-1,
    1.23716634817820021358e-2,
    3.01581553508235416007e-4,
    2.65806974686737550832e-6,
    6.23974539184983293730e-9,
)
_NDTRI_Q2 = (
    6.02427039364742014255e0,
    3.67983563856160859403e0,
    1.37702099489081330271e0,
    2.16236993594496635890e-1,
    1.34204006088543189037e-2,
    3.28014464682127739104e-4,
    2.89247864745380683936e-6,
    6.79019408009981274425e-9,
)


def _horner(x: float, coefs: tuple[float, ...], monic: bool = False) -> float:
    """Polynomial with coefficients highest degree first (``monic``: leading 1 implied)."""
    acc = x + coefs[0] if monic else coefs[0]
    for c in coefs[1:]:
        acc = acc * x + c
    return acc


def _normal_inverse(p: float) -> float:
    """Inverse of the standard normal CDF, evaluated as Weka's Cephes port does.

    ``scipy.special.ndtri`` differs in the last bit for some arguments (0.75); this
    follows Weka's order of operations, e.g. ``_normal_inverse(0.75) == 0.6744897501960816``.
    """
    if not 0.0 < p < 1.0:
        raise ValueError(f"p must be in (0, 1), got {p!r}.")
    exp_m2 = 0.13533528323661269189
    y, negate = p, True
    if y > 1.0 - exp_m2:
        y, negate = 1.0 - y, False
    if y > exp_m2:
        y = y - 0.5
        y2 = y * y
        x = y + y * (y2 * _horner(y2, _NDTRI_P0) / _horner(y2, _NDTRI_Q0, monic=True))
        return x * math.sqrt(2.0 * math.pi)
    x = math.sqrt(-2.0 * math.log(y))
    x0 = x - math.log(x) / x
    z = 1.0 / x
    if x < 8.0:
        x1 = z * _horner(z, _NDTRI_P1) / _horner(z, _NDTRI_Q1, monic=True)
    else:
        x1 = z * _horner(z, _NDTRI_P2) / _horner(z, _NDTRI_Q2, monic=True)
    x = x0 - x1
    return -x if negate else x


def _confidence_float(confidence: float) -> float:
    """J48 stores ``-C`` as a Java float: the value widened back to double."""
    return float(np.float32(confidence))


def _wilson_extra(N: np.ndarray, e: np.ndarray, z: float) -> np.ndarray:
    """Upper confidence bound minus observed errors (the ``e >= 1`` case of addErrs)."""
    f = (e + 0.5) / N
    r = (f + (z * z) / (2 * N) + z * np.sqrt((f / N) - (f * f / N) + (z * z / (4 * N * N)))) / (
        1 + (z * z) / N
    )
    return (r * N) - e


def add_errors(
    N: np.ndarray | float, e: np.ndarray | float, confidence: float = 0.25
) -> np.ndarray:
    """Weka's ``Stats.addErrs(N, e, CF)``: the pessimistic extra errors of a leaf.

    With ``CF`` the confidence factor rounded to a Java float and
    ``z = Φ⁻¹(1 − CF)`` (``1 − CF`` evaluated in float arithmetic, Cephes ``ndtri``):

    * ``CF > 0.5``: 0 (J48 warns and does not modify the estimate);
    * ``e < 1``: ``base = N·(1 − CF^(1/N))``; ``base`` if ``e == 0`` else
      ``base + e·(addErrs(N, 1) − base)`` (linear interpolation);
    * ``e + 0.5 >= N``: ``max(N − e, 0)``;
    * otherwise, with ``f = (e + 0.5)/N``, the upper Wilson bound with continuity
      correction ``r = (f + z²/(2N) + z·sqrt(f/N − f²/N + z²/(4N²))) / (1 + z²/N)``,
      and the result ``r·N − e``.

    Parameters
    ----------
    N : float or ndarray
        Weight of the cases at the leaf (positive).
    e : float or ndarray
        Weight of the misclassified cases (``0 <= e <= N``).
    confidence : float, default=0.25
        J48's ``-C``.

    Returns
    -------
    ndarray
        The extra errors, broadcast over ``N`` and ``e``.

    Examples
    --------
    >>> round(float(add_errors(6, 0)), 7)
    1.2377968
    >>> add_errors([14, 100], [5, 10]).round(7).tolist()
    [1.7611198, 2.7496115]
    """
    N = np.asarray(N, dtype=np.float64)
    e = np.asarray(e, dtype=np.float64)
    N, e = np.broadcast_arrays(N, e)
    cf = _confidence_float(confidence)
    if cf > 0.5:
        return np.zeros(N.shape)
    if not cf > 0:
        raise ValueError(f"confidence must be in (0, 1), got {confidence!r}.")
    z = _normal_inverse(float(np.float32(1) - np.float32(confidence)))
    with np.errstate(all="ignore"):
        base = N * (1 - np.power(cf, 1 / N))
        at_one = np.where(1.5 >= N, np.maximum(N - 1, 0.0), _wilson_extra(N, np.ones_like(N), z))
        small = np.where(e == 0, base, base + e * (at_one - base))
        out = np.where(
            e < 1, small, np.where(e + 0.5 >= N, np.maximum(N - e, 0.0), _wilson_extra(N, e, z))
        )
    return out


def _max_class(dist: np.ndarray) -> np.ndarray:
    """J48's ``Distribution.maxClass``: first class whose weight beats the best by > 1e-6."""
    m = dist.shape[0]
    best = np.zeros(m, dtype=np.intp)
    best_w = np.zeros(m)
    for c in range(dist.shape[1]):
        better = dist[:, c] - best_w > _SMALL
        best_w = np.where(better, dist[:, c], best_w)
        best = np.where(better, c, best)
    return best


def _num_incorrect(dist: np.ndarray) -> np.ndarray:
    """``total − weight[maxClass]`` of each row of class counts."""
    return dist.sum(axis=1) - dist[np.arange(dist.shape[0]), _max_class(dist)]


def _estimated_errors(dist: np.ndarray, cf: float) -> np.ndarray:
    """J48's ``getEstimatedErrorsForDistribution``: 0 if empty, else ``e + addErrs(N, e)``."""
    total = dist.sum(axis=1)
    e = _num_incorrect(dist)
    empty = (total == 0) | (np.abs(total) < _SMALL)
    safe_total = np.where(empty, 1.0, total)
    return np.where(empty, 0.0, e + add_errors(safe_total, np.where(empty, 0.0, e), cf))


def _sm_or_eq(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Weka's ``Utils.smOrEq``: ``a − b < 1e-6`` or ``a <= b``."""
    return (a - b < _SMALL) | (a <= b)


def _max_bag(bags: np.ndarray, n_bags: np.ndarray) -> np.ndarray:
    """J48's ``Distribution.maxBag``: the last bag among near-ties (``⪰`` running best)."""
    m = bags.shape[0]
    best = np.full(m, -1, dtype=np.intp)
    best_w = np.zeros(m)
    for b in range(bags.shape[1]):
        w = bags[:, b]
        better = (b < n_bags) & ((best_w - w < _SMALL) | (w >= best_w))
        best_w = np.where(better, w, best_w)
        best = np.where(better, b, best)
    return best


def collapse(tree: Tree) -> Tree:
    """J48's collapse (facts §7): drop subtrees that do not reduce training error.

    Top-down from the root: an internal node whose subtree's training errors
    ``E_sub = Σ_{leaves l below} (n_l − n_l[maxClass])`` satisfy
    ``E_sub >= E_node − 1e-3`` with ``E_node = n_t − n_t[maxClass]`` (from the stored
    class counts ``value``) becomes a leaf, and its descendants are dropped. The
    decision at a node does not depend on collapses below it, so all nodes are decided
    at once and the shallowest collapsing node of every path wins.

    Parameters
    ----------
    tree : Tree
        A fully grown tree (J48 collapses before pruning, also with ``-U``).

    Returns
    -------
    Tree
        The collapsed copy (or ``tree`` itself if nothing collapses).
    """
    is_leaf = tree.n_children == 0
    err = _num_incorrect(tree.value)
    first = tree.first_child.astype(np.intp)
    nch = tree.n_children.astype(np.intp)
    sub = np.where(is_leaf, err, 0.0)
    for nodes in reversed(_bfs_levels(first, nch, is_leaf)):
        inner = nodes[~is_leaf[nodes]]
        if inner.size:
            kids, _ = _expand(first[inner], nch[inner])
            sub[inner] = _sequential_block_sum(sub[kids], nch[inner])
    collapse_here = ~is_leaf & (sub >= err - 1e-3)
    if not collapse_here.any():
        return tree
    return prune_to(tree, ~collapse_here)


def _check_training_data(tree: Tree, X: np.ndarray, y: np.ndarray, w: np.ndarray | None):
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y)
    if X.ndim != 2 or X.shape[1] != tree.n_features:
        raise ValueError(
            f"X must be the encoded matrix with {tree.n_features} columns; got shape {X.shape}."
        )
    if y.shape != (X.shape[0],):
        raise ValueError(f"y must have shape ({X.shape[0]},); got {y.shape}.")
    out_of_range = y.size > 0 and (y.min() < 0 or y.max() >= tree.n_classes)
    if not np.issubdtype(y.dtype, np.integer) or out_of_range:
        raise ValueError(f"y must hold class codes 0 .. {tree.n_classes - 1}.")
    w = np.ones(X.shape[0]) if w is None else np.asarray(w, dtype=np.float64)
    if w.shape != (X.shape[0],):
        raise ValueError(f"w must have shape ({X.shape[0]},); got {w.shape}.")
    return X, y.astype(np.intp), w


def _entry_slots(tree: Tree, src: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Child slot of each entry under the split of node ``src`` (``-1``: value unknown).

    Numeric: ``x ⪯ t`` (J48's ``x − t < 1e-6`` or ``x <= t``) goes to slot 0, else 1.
    Categorical: the routing table; a category without a branch counts as unknown.
    """
    slot = np.full(x.shape, -1, dtype=np.intp)
    known = ~np.isnan(x)
    kind = tree.split_kind[src]
    num = known & (kind == SPLIT_NUMERIC)
    if num.any():
        xv, t = x[num], tree.threshold[src[num]]
        slot[num] = np.where((xv - t < _SMALL) | (xv <= t), 0, 1)
    cat = known & (kind == SPLIT_CATEGORICAL)
    if cat.any():
        codes = x[cat].astype(np.intp)
        lo = tree.category_ptr[src[cat]]
        width = tree.category_ptr[src[cat] + 1] - lo
        inside = (codes >= 0) & (codes < width)
        sc = np.full(codes.shape, -1, dtype=np.intp)
        sc[inside] = tree.category_branch[lo[inside] + codes[inside]]
        slot[cat] = sc
    return slot


class _Routed(NamedTuple):
    children: np.ndarray  # child node ids, by parent then slot
    row: np.ndarray
    w: np.ndarray
    loc: np.ndarray  # index into children
    bags: np.ndarray  # [n_parents, width] bag weights (known + share of unknown)
    share: np.ndarray  # [len(children)] bag / total (J48's weights for unknown values)
    known_counts: np.ndarray | None  # [n_parents, width, K] known class weights per bag


class _ErrorBasedPruner:
    """State of J48's ``prune`` on the arrays of one tree.

    The current structure lives in arrays over the *original* node ids: ``leaf``,
    ``split`` (whose original split test a node uses now), ``first``/``nch`` (its
    children, always one original sibling range). Subtree raising copies these from
    the raised child. Node statistics (``value``, ...) are rewritten from the data
    that reaches each node.
    """

    def __init__(
        self,
        tree: Tree,
        X,
        y,
        w,
        confidence: float,
        subtree_raising: bool,
        criterion: SplitCriterion,
    ):
        self.tree = tree
        self.X, self.y, self.w = X, y, w
        self.K = tree.n_classes
        self.cf = confidence
        self.raising = subtree_raising
        self.criterion = criterion
        self.leaf = tree.n_children == 0
        self.split = np.arange(tree.node_count, dtype=np.intp)
        self.first = tree.first_child.astype(np.intp)
        self.nch = tree.n_children.astype(np.intp)
        self.value = tree.value.copy()
        self.n_samples = tree.n_node_samples.copy()
        self.mfrac = tree.missing_fraction.copy()
        self.gain = tree.gain.copy()
        self.score = tree.split_score.copy()
        self.etree = np.zeros(tree.node_count)

    # -- routing -------------------------------------------------------------------------
    def _route(self, nodes, row, w, loc, with_counts: bool = False) -> _Routed:
        """Split the data at internal ``nodes`` (entries ``(row, w)`` at ``nodes[loc]``).

        J48's ``resetDistribution`` + ``split``: known values go to their bag; the
        proportions ``p_b = K_b / K`` of the *arriving* known weight (uniform if
        ``K ≈ 0``) spread the unknown weight over the bags; a case with an unknown
        value is copied into every bag ``b`` with ``P_b = bag_b / total ≻ 0`` and
        weight ``w · P_b``.
        """
        t, K = self.tree, self.K
        n = nodes.size
        nb = self.nch[nodes]
        width = int(nb.max())
        src = self.split[nodes][loc]
        slot = _entry_slots(t, src, self.X[row, t.feature[src]])
        kn = slot >= 0
        known_w = np.bincount(
            loc[kn] * width + slot[kn], weights=w[kn], minlength=n * width
        ).reshape(n, width)
        k_total = known_w.sum(axis=1)
        valid = np.arange(width)[None, :] < nb[:, None]
        none_known = (k_total == 0) | (np.abs(k_total) < _SMALL)
        prop = np.where(
            none_known[:, None],
            1.0 / nb[:, None],
            known_w / np.where(none_known, 1.0, k_total)[:, None],
        )
        prop = np.where(valid, prop, 0.0)
        miss = np.flatnonzero(~kn)
        unknown_w = np.bincount(loc[miss], weights=w[miss], minlength=n)
        bags = known_w + unknown_w[:, None] * prop
        total = bags.sum(axis=1)
        safe_total = np.where(total > 0, total, 1.0)[:, None]
        share = np.where((total > 0)[:, None], bags / safe_total, prop)
        children, owner = _expand(self.first[nodes], nb)
        child_start = np.cumsum(nb) - nb
        child_slot = np.arange(children.size) - child_start[owner]
        rows, ws, locs = [row[kn]], [w[kn]], [child_start[loc[kn]] + slot[kn]]
        if miss.size:
            m_nb = nb[loc[miss]]
            rep = np.repeat(miss, m_nb)
            b = np.arange(rep.size) - np.repeat(np.cumsum(m_nb) - m_nb, m_nb)
            p = share[loc[rep], b]
            keep = p > _SMALL
            rep, b, p = rep[keep], b[keep], p[keep]
            rows.append(row[rep])
            ws.append(w[rep] * p)
            locs.append(child_start[loc[rep]] + b)
        counts = None
        if with_counts:
            flat = (loc[kn] * width + slot[kn]) * K + self.y[row[kn]]
            counts = np.bincount(flat, weights=w[kn], minlength=n * width * K).reshape(n, width, K)
        return _Routed(
            children,
            np.concatenate(rows),
            np.concatenate(ws),
            np.concatenate(locs),
            bags,
            share[owner, child_slot],
            counts,
        )

    def _class_counts(self, n: int, row, w, loc) -> np.ndarray:
        return np.bincount(loc * self.K + self.y[row], weights=w, minlength=n * self.K).reshape(
            n, self.K
        )

    def _split_statistics(self, nodes: np.ndarray, r: _Routed) -> None:
        """Gain and split score of the (raised) splits at ``nodes`` on their new data.

        As the builder defines them: ``gain = split_score(known) · K/W`` and
        ``split_score = criterion.feature_score(gain, known bag weights, unknown weight)``.
        """
        kc = r.known_counts
        known_parent = kc.sum(axis=1)
        k_total = known_parent.sum(axis=1)
        weight = self.value[nodes].sum(axis=1)
        with np.errstate(all="ignore"):
            frac = np.where(weight > 0, k_total / np.where(weight > 0, weight, 1.0), 0.0)
            gain = self.criterion.split_score(known_parent, kc) * frac
            score = self.criterion.feature_score(
                gain, kc.sum(axis=2), np.maximum(weight - k_total, 0.0)
            )
        self.gain[nodes] = gain
        self.score[nodes] = score

    # -- J48's prune, one frame per call of prune() on a set of disjoint subtrees --------
    def frame(self, roots, row, w, loc, fresh: bool) -> Iterator[tuple]:
        """Prune the subtrees of ``roots`` given their data; yields raised nodes.

        Top-down, the data is distributed through the current structure and every
        node's statistics are reset from it (J48's ``newDistribution``). Bottom-up,
        level by level, each internal node compares

        * ``E_leaf`` = est(its class counts),
        * ``E_tree`` = Σ est(current leaves below),
        * ``E_branch`` = the estimate of its largest branch ``L`` (``maxBag``, last on
          ties) on *all* its data (``+∞`` without subtree raising),

        where ``est(n, e) = e + addErrs(n, e)``. If ``E_leaf ⪯ E_tree + 0.1`` and
        ``E_leaf ⪯ E_branch + 0.1`` the node becomes a leaf; else if
        ``E_branch ⪯ E_tree + 0.1`` it takes ``L``'s test and children, and the frame
        yields ``(nodes, data)``: the caller prunes those nodes again in a new frame
        (``fresh``: their data must be redistributed) before this one goes on.
        """
        levels = []
        nodes = roots
        while True:
            n = nodes.size
            self.value[nodes] = self._class_counts(n, row, w, loc)
            self.n_samples[nodes] = np.bincount(loc, minlength=n)
            inner = ~self.leaf[nodes]
            level = {"nodes": nodes, "inner": inner}
            levels.append(level)
            if not inner.any():
                break
            inodes = nodes[inner]
            sel = inner[loc]
            # the data of the internal nodes is kept for their decision (E_branch, raising)
            level["row"], level["w"] = row[sel], w[sel]
            level["loc"] = (np.cumsum(inner) - 1)[loc[sel]]
            r = self._route(inodes, level["row"], level["w"], level["loc"], with_counts=fresh)
            level["bags"] = r.bags
            self.mfrac[r.children] = r.share
            if fresh:
                self._split_statistics(inodes, r)
            nodes, row, w, loc = r.children, r.row, r.w, r.loc
        for level in reversed(levels):
            nodes, inner = level["nodes"], level["inner"]
            leaves = nodes[~inner]
            if leaves.size:
                self.etree[leaves] = _estimated_errors(self.value[leaves], self.cf)
            T = nodes[inner]
            if not T.size:
                continue
            kids, _ = _expand(self.first[T], self.nch[T])
            e_tree = _sequential_block_sum(self.etree[kids], self.nch[T])
            e_leaf = _estimated_errors(self.value[T], self.cf)
            largest = self.first[T] + _max_bag(level["bags"], self.nch[T])
            row_t, w_t, loc_t = level["row"], level["w"], level["loc"]
            if self.raising:
                e_branch = self._branch_errors(largest, row_t, w_t, loc_t)
            else:
                e_branch = np.full(T.size, _DOUBLE_MAX)
            to_leaf = _sm_or_eq(e_leaf, e_tree + 0.1) & _sm_or_eq(e_leaf, e_branch + 0.1)
            to_raise = ~to_leaf & _sm_or_eq(e_branch, e_tree + 0.1)
            keep = ~to_leaf & ~to_raise
            self.leaf[T[to_leaf]] = True
            self.etree[T[to_leaf]] = e_leaf[to_leaf]
            self.etree[T[keep]] = e_tree[keep]
            if to_raise.any():
                R, L = T[to_raise], largest[to_raise]
                self.split[R] = self.split[L]
                self.first[R] = self.first[L]
                self.nch[R] = self.nch[L]
                self.leaf[R] = self.leaf[L]
                self.gain[R] = self.gain[L]
                self.score[R] = self.score[L]
                mine = to_raise[loc_t]
                new_loc = (np.cumsum(to_raise) - 1)[loc_t[mine]]
                yield R, row_t[mine], w_t[mine], new_loc

    def _branch_errors(self, starts, row, w, loc) -> np.ndarray:
        """J48's ``getEstimatedErrorsForBranch``: push data down the subtrees at ``starts``.

        Proportions for unknown values are recomputed from the data at every internal
        node; each leaf is charged est() of the data that arrives, against that data's
        own majority class. Nothing is stored.
        """
        levels = []
        leaf_counts = []
        nodes = starts
        while True:
            n = nodes.size
            inner = ~self.leaf[nodes]
            if not inner.all():
                leaf_counts.append(self._class_counts(n, row, w, loc)[~inner])
            levels.append((inner, self.nch[nodes]))
            if not inner.any():
                break
            pos = np.cumsum(inner) - 1
            sel = inner[loc]
            r = self._route(nodes[inner], row[sel], w[sel], pos[loc[sel]])
            nodes, row, w, loc = r.children, r.row, r.w, r.loc
        # one est() call for every leaf reached, then the nested sums bottom-up
        est = _estimated_errors(np.concatenate(leaf_counts), self.cf)
        end = est.size
        below = None
        for inner, nch in reversed(levels):
            vals = np.zeros(inner.size)
            n_leaves = int((~inner).sum())
            vals[~inner] = est[end - n_leaves : end]
            end -= n_leaves
            if below is not None:
                vals[inner] = _sequential_block_sum(below, nch[inner])
            below = vals
        return below

    # -- result ------------------------------------------------------------------------
    def to_tree(self) -> Tree:
        """The current structure as a new :class:`Tree`, renumbered breadth-first."""
        t = self.tree
        levels = _bfs_levels(self.first, self.nch, self.leaf)
        old = np.concatenate(levels)
        m = old.size
        new_id = np.full(t.node_count, -1, dtype=np.intp)
        new_id[old] = np.arange(m)
        leaf = self.leaf[old]
        src = self.split[old]
        parent = np.full(m, -1, dtype=np.intp)
        inner_old = old[~leaf]
        kids, owner = _expand(self.first[inner_old], self.nch[inner_old])
        parent[new_id[kids]] = new_id[inner_old][owner]
        kind = np.where(leaf, SPLIT_LEAF, t.split_kind[src])
        value = self.value[old]
        table_width = t.category_ptr[src + 1] - t.category_ptr[src]
        widths = np.where(kind == SPLIT_CATEGORICAL, table_width, 0)
        ptr = np.zeros(m + 1, dtype=np.int64)
        np.cumsum(widths, out=ptr[1:])
        take = np.repeat(t.category_ptr[src] - ptr[:-1], widths) + np.arange(ptr[-1])
        arrays = {
            "feature": np.where(leaf, -2, t.feature[src]),
            "threshold": np.where(leaf, -2.0, t.threshold[src]),
            "split_kind": kind,
            "first_child": np.where(leaf, -1, new_id[np.maximum(self.first[old], 0)]),
            "n_children": np.where(leaf, 0, self.nch[old]),
            "parent": parent,
            "depth": np.repeat(np.arange(len(levels)), [lv.size for lv in levels]),
            "impurity": self.criterion.impurity(value),
            "split_score": np.where(leaf, np.nan, self.score[old]),
            "gain": np.where(leaf, np.nan, self.gain[old]),
            "n_node_samples": self.n_samples[old],
            "missing_fraction": self.mfrac[old],
            "value": value,
            "category_ptr": ptr,
            "category_branch": t.category_branch[take],
        }
        return Tree(t.n_features, t.n_classes, arrays)


def prune_error_based(
    tree: Tree,
    X: np.ndarray,
    y: np.ndarray,
    w: np.ndarray | None = None,
    confidence: float = 0.25,
    subtree_raising: bool = True,
    *,
    criterion: SplitCriterion | None = None,
) -> Tree:
    """C4.5's error-based (pessimistic) pruning with subtree raising, as J48 does it (§8).

    J48's ``prune(T)``: prune the children first; then with ``L`` the largest branch
    of ``T`` (``maxBag``, last among near-ties) and ``est(N, e) = e + addErrs(N, e, CF)``
    (0 for an empty distribution):

    * ``E_leaf`` = est of ``T``'s class counts,
    * ``E_tree`` = Σ est over the current leaves of ``T``'s subtree,
    * ``E_branch`` = est of ``L``'s subtree on *all* of ``T``'s training data, each
      leaf charged against the majority of the data that reaches it (``+∞`` if
      ``subtree_raising`` is off);
    * if ``E_leaf ⪯ E_tree + 0.1`` and ``E_leaf ⪯ E_branch + 0.1``: ``T`` becomes a
      leaf; else if ``E_branch ⪯ E_tree + 0.1``: ``T`` takes ``L``'s test and
      children, ``T``'s training data is redistributed through them and ``T`` is
      pruned again.

    ``a ⪯ b`` is Weka's ``a − b < 1e-6 or a <= b``. Children are independent, so the
    nodes of one level are decided together (bottom-up, vectorised); the
    re-pruning after raising runs as a nested pass on an explicit stack (no
    recursion). The data reaching each node is computed by routing the training set
    as J48 splits it: known values by the test (numeric: ``x ⪯ t`` goes left, J48's
    1e-6 tolerance), unknown values (and categories without a branch) spread over the
    bags in proportion to the arriving known weight, copies only where that
    proportion is ``> 1e-6``.

    Work per frame is one vectorised step per level and, with subtree raising, one
    routing of each level's data down the largest branches; a raise re-prunes the
    raised subtree. Typical trees take milliseconds; a degenerate chain of depth
    ``h`` where raising keeps firing costs ``O(h³)`` steps, as in J48.

    Parameters
    ----------
    tree : Tree
        The grown tree, after :func:`collapse` (J48 always collapses first).
    X : ndarray of shape (n_samples, n_features)
        The encoded training matrix the tree was grown on (``NaN`` = missing).
    y : ndarray of shape (n_samples,)
        Class codes ``0 .. n_classes-1`` (rows with a missing class removed).
    w : ndarray of shape (n_samples,), default=None
        Sample weights (ones by default).
    confidence : float, default=0.25
        J48's ``-C`` (rounded to a Java float); above 0.5 the extra errors are 0.
    subtree_raising : bool, default=True
        ``False`` is J48's ``-S``.
    criterion : SplitCriterion, default=None
        Recomputes ``impurity`` (and the gain and score of raised splits) from the
        new class counts; default :class:`~treelearn.criteria.GainRatio` (entropy).

    Returns
    -------
    Tree
        The pruned tree; ``value``, ``impurity``, ``n_node_samples`` and
        ``missing_fraction`` describe the training data that reaches every node.
    """
    X, y, w = _check_training_data(tree, X, y, w)
    if not 0.0 < float(confidence) < 1.0:
        raise ValueError(f"confidence must be in (0, 1), got {confidence!r}.")
    pruner = _ErrorBasedPruner(
        tree,
        X,
        y,
        w,
        float(confidence),
        bool(subtree_raising),
        criterion if criterion is not None else GainRatio(),
    )
    n = X.shape[0]
    stack = [
        pruner.frame(
            np.zeros(1, dtype=np.intp),
            np.arange(n),
            w.copy(),
            np.zeros(n, dtype=np.intp),
            fresh=False,
        )
    ]
    while stack:
        try:
            request = next(stack[-1])
        except StopIteration:
            stack.pop()
            continue
        stack.append(pruner.frame(*request, fresh=True))
    return pruner.to_tree()


# ---------------------------------------------------------------------------------------
# reduced-error pruning (J48 -R)
# ---------------------------------------------------------------------------------------
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


def prune_reduced_error(
    tree: Tree, X_prune: np.ndarray, y_prune: np.ndarray, w_prune: np.ndarray | None = None
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

    Returns
    -------
    Tree
    """
    X, y, w = _check_training_data(tree, X_prune, y_prune, w_prune)
    K = tree.n_classes
    n = tree.node_count
    is_leaf = tree.n_children == 0
    first = tree.first_child.astype(np.intp)
    nch = tree.n_children.astype(np.intp)
    train_total = tree.weighted_n_node_samples
    train_class = _max_class(tree.value)
    levels = _bfs_levels(first, nch, is_leaf)
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
        slot = _entry_slots(tree, node, X[row, tree.feature[node]])
        kn = slot >= 0
        child = np.where(kn, first[node] + slot, -1)
        bags = np.zeros((n, K))  # indexed by child id
        np.add.at(bags, (child[kn], y[row[kn]]), wt[kn])
        miss = np.flatnonzero(~kn)
        m_nb = nch[node[miss]]
        rep = np.repeat(miss, m_nb)
        off = np.arange(rep.size) - np.repeat(np.cumsum(m_nb) - m_nb, m_nb)
        rep_child = first[node[rep]] + off
        share = tree.missing_fraction[rep_child]
        np.add.at(bags, (rep_child, y[row[rep]]), wt[rep] * share)
        bag_counts[depth] = bags
        keep = share > _SMALL
        row = np.concatenate([row[kn], row[rep[keep]]])
        node = np.concatenate([child[kn], rep_child[keep]])
        wt = np.concatenate([wt[kn], wt[rep[keep]] * share[keep]])
    err_leaf = P.sum(axis=1) - P[np.arange(n), train_class]
    err_tree = err_leaf.copy()
    prune = np.zeros(n, dtype=bool)
    for depth in range(len(levels) - 1, -1, -1):
        nodes = levels[depth]
        inner = nodes[~is_leaf[nodes]]
        if not inner.size:
            continue
        kids, owner = _expand(first[inner], nch[inner])
        bags = bag_counts[depth][kids]
        c_parent = train_class[inner][owner]
        train_bag = tree.missing_fraction[kids] * train_total[inner][owner]
        empty = (train_bag == 0) | (np.abs(train_bag) < _SMALL)
        child_err = np.where(
            empty, bags.sum(axis=1) - bags[np.arange(kids.size), c_parent], err_tree[kids]
        )
        total = _sequential_block_sum(child_err, nch[inner])
        make_leaf = _sm_or_eq(err_leaf[inner], total)
        prune[inner[make_leaf]] = True
        err_tree[inner] = np.where(make_leaf, err_leaf[inner], total)
    if not prune.any():
        return tree
    return prune_to(tree, ~prune)
