"""Choices made by cross-validation: ``ccp_alpha="cv"`` and rpart's ``xval`` (the estimator layer).

:func:`select_ccp_alpha_cv` and its driver :func:`cross_validate_ccp_path` grow trees
with clones of an estimator on the folds of a scikit-learn splitter and score every
subtree of the pruning path on the held-out rows. The tree arithmetic lives in
:mod:`treelearn._pruning_ccp` (:func:`~treelearn._pruning_ccp.weakest_link`,
:func:`~treelearn._pruning_ccp.path_errors`); this module only fits, encodes and
splits. :func:`cross_validate_cptable` is rpart's cross-validation of a ``cptable``
(``CARTClassifier(cp=..., xval=...)``), with the arithmetic in
:mod:`treelearn._pruning_rpart`.
"""

from __future__ import annotations

from numbers import Integral
from typing import Any

import numpy as np
from sklearn.base import clone
from sklearn.model_selection import KFold, StratifiedKFold, check_cv
from sklearn.utils import Bunch

from treelearn._data import take_rows
from treelearn._pruning_ccp import path_errors, weakest_link
from treelearn._pruning_rpart import cp_table_errors, prune_rpart
from treelearn._tree import Tree
from treelearn._validation import check_random_state, compute_sample_weight, safe_indexing

__all__ = [
    "cross_validate_ccp_path",
    "cross_validate_cptable",
    "rpart_folds",
    "select_ccp_alpha_cv",
]


def _class_codes(classes: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Index of each label of ``y`` in ``classes``; ``-1`` for a label not in it."""
    codes = np.full(y.shape[0], -1, dtype=np.intp)
    for j, label in enumerate(classes):
        codes[y == label] = j
    return codes


def _fold_errors(
    estimator: Any, X_test: Any, y_test: np.ndarray, w_test: np.ndarray, betas: np.ndarray
) -> np.ndarray:
    """Weighted misclassification of ``estimator``'s tree pruned at every alpha in ``betas``.

    Encodes the held-out rows and labels as ``estimator`` was fitted (a label the
    fold's tree has not seen is an error at every alpha) and counts with
    :func:`~treelearn._pruning_ccp.path_errors`.
    """
    codes = _class_codes(estimator.classes_, y_test)
    return path_errors(estimator.tree_, estimator._encode(X_test), codes, w_test, betas)


def _cv_splitter(cv: Any, y: np.ndarray, random_state: Any) -> Any:
    """The folds of ``cv``: an int gives shuffled stratified k-fold when every class has
    at least ``cv`` rows, else shuffled k-fold; anything else goes to ``check_cv``."""
    if isinstance(cv, Integral):
        if cv < 2:
            raise ValueError(f"cv must be at least 2, got {cv}.")
        _, counts = np.unique(y, return_counts=True)
        if counts.min() >= cv:
            return StratifiedKFold(int(cv), shuffle=True, random_state=random_state)
        return KFold(int(cv), shuffle=True, random_state=random_state)
    return check_cv(cv, y, classifier=True)


def cross_validate_ccp_path(
    estimator: Any,
    X: Any,
    y: np.ndarray,
    weights: np.ndarray,
    cv: Any,
    random_state: Any,
    one_se: bool,
) -> Bunch:
    """Cross-validated error of every subtree of the pruning path.

    Steps 1–5 of :func:`select_ccp_alpha_cv`, with the weights already final
    (``class_weight`` folded in; the clones are grown with ``class_weight=None`` and
    ``ccp_alpha=0``, and a CART's ``xval`` fold ids, which name every row, become
    ``xval=0``).

    Parameters
    ----------
    estimator : treelearn estimator
    X : array-like or DataFrame of shape (n_samples, n_features)
    y : ndarray of shape (n_samples,)
    weights : ndarray of shape (n_samples,)
    cv : int or cross-validation splitter
    random_state : int, RandomState instance or None
    one_se : bool

    Returns
    -------
    Bunch
        ``ccp_alpha`` (the choice) and the ``results`` of :func:`select_ccp_alpha_cv`.
    """
    base = clone(estimator)
    params = base.get_params(deep=False)
    if "ccp_alpha" in params:
        base.set_params(ccp_alpha=0.0)
    if "class_weight" in params:
        base.set_params(class_weight=None)
    if "xval" in params and not isinstance(params["xval"], Integral):
        base.set_params(xval=0)  # fold ids of all rows do not fit a fold's rows
    full = clone(base).fit(X, y, sample_weight=weights)
    tree: Tree = full.tree_
    path = weakest_link(tree, float(tree.weighted_n_node_samples[0]))
    # lower ends of the alpha intervals of the nested subtrees
    grid = np.unique(np.r_[0.0, path.alphas])
    n_steps = np.searchsorted(np.maximum.accumulate(path.alphas), grid, side="right")
    n_steps[grid <= 0] = 0  # ccp_alpha=0 does not prune (scikit-learn's convention)
    with np.errstate(invalid="ignore"):
        betas = np.r_[np.sqrt(np.maximum(grid[:-1], 0.0) * grid[1:]), np.inf]
    errors = np.zeros(grid.size)
    for train, test in _cv_splitter(cv, y, random_state).split(np.zeros((y.size, 1)), y):
        est = clone(base).fit(safe_indexing(X, train), y[train], sample_weight=weights[train])
        errors += _fold_errors(est, safe_indexing(X, test), y[test], weights[test], betas)
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
    res = cross_validate_ccp_path(estimator, X, y, weights, cv, random_state, one_se)
    return (res.ccp_alpha, res) if return_results else res.ccp_alpha


def rpart_folds(xval: Any, n_samples: int, random_state: Any) -> np.ndarray:
    """Fold id of every row for rpart's cross-validation (``xval``).

    An int ``k`` deals the rows at random into ``k`` folds of sizes differing by at
    most one (rpart's ``sample(rep(1:k, length = n))``, with ``random_state``
    instead of R's seed); an array gives each row's fold id (any labels), as rpart
    takes a vector.
    """
    if isinstance(xval, Integral):
        k = int(xval)
        if k < 2 or k > n_samples:
            raise ValueError(f"xval must be between 2 and the number of rows, got {k}.")
        rng = check_random_state(random_state)
        return rng.permutation(np.arange(n_samples) % k)
    folds = np.asarray(xval)
    if folds.ndim != 1 or folds.shape[0] != n_samples:
        raise ValueError(
            f"xval as fold ids needs one id per row ({n_samples}), got shape {folds.shape}."
        )
    if np.unique(folds).size < 2:
        raise ValueError("xval as fold ids needs at least two distinct folds.")
    return folds


def cross_validate_cptable(
    estimator: Any,
    Xe: np.ndarray,
    y_codes: np.ndarray,
    weights: np.ndarray,
    encoding: Any,
    folds: np.ndarray,
    table: np.ndarray,
    cp: float,
    root_risk: float,
) -> np.ndarray:
    """rpart's cross-validated ``xerror`` and ``xstd`` columns of a ``cptable``.

    For each fold, a tree is grown by ``estimator``'s rules on the other folds'
    rows (already encoded, as rpart codes every fold with the full data's levels)
    and pruned at rpart's rescaled threshold ``cp · R(root) · w_train / w``; the
    held-out rows are predicted at every row of ``table``
    (:func:`~treelearn._pruning_rpart.cp_table_errors`). ``xerror`` is the summed
    weighted misclassification over the root's risk and ``xstd`` its standard
    error, ``sqrt(E − E²/w) / R(root)`` (rpart's formula for 0/1 losses).

    Returns
    -------
    ndarray of shape (n_rows, 5)
        ``table``'s CP, nsplit and rel error, then xerror and xstd.
    """
    total = float(weights.sum())
    criterion = estimator._criterion()
    errors = np.zeros(table.shape[0])
    for fold in np.unique(folds):
        test = folds == fold
        train = ~test
        w_train = weights[train]
        if not w_train.sum() > 0 or not test.any():
            continue
        X_train = take_rows(Xe, train)
        rules = estimator._growth_rules(X_train, encoding, float(w_train.sum()))
        ratio = float(w_train.sum()) / total
        tree = estimator._grow(X_train, y_codes[train], w_train, encoding, criterion, rules)
        tree = prune_rpart(tree, cp, scale=root_risk * ratio)
        errors += cp_table_errors(
            table, tree, cp, root_risk, ratio, Xe[test], y_codes[test], weights[test]
        )
    xstd = np.sqrt(np.clip(errors - errors**2 / total, 0.0, None))
    return np.column_stack([table[:, :3], errors / root_risk, xstd / root_risk])
