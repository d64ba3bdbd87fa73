"""Scorers for comparisons on imbalanced data: probability scores that survive folds.

The ranking scores -- ROC AUC and average precision -- read a tree's ``predict_proba``,
whose columns are the classes *of the training fold*. With a rare class,
cross-validation routinely trains without it or tests without it, and scikit-learn's
``"roc_auc_ovr"`` and ``"average_precision"`` scorers then fail (a class of ``y_true``
has no column; a column's class never occurs). :func:`get_scorer` returns, for these
names, scorers that first align the probability columns with the classes of both the
training fold and the test fold (a class the tree never saw has probability 0), and
then average over the classes that *occur* in the test fold:

``"roc_auc_ovr"``
    The mean over the classes present in the test fold of the one-vs-rest ROC AUC of
    that class's probability (unweighted, as scikit-learn's ``average="macro"``). For
    two classes it is the ordinary ROC AUC.
``"roc_auc"``
    The ROC AUC of the positive class on two-class data: the model's second class
    (``classes_[-1]``, scikit-learn's choice; the greater label unless the class was
    declared in another order, as a categorical ``y`` or an ARFF file does); refused
    with a ``ValueError`` naming ``"roc_auc_ovr"`` when a fold has more classes.
``"average_precision"``
    On two-class data, the average precision (area under the precision-recall curve,
    scikit-learn's step-wise definition) of the positive class, as for ``"roc_auc"``.
    On multiclass data, the mean over the classes present in the test fold of each
    class's one-vs-rest average precision -- scikit-learn's ``average_precision_score``
    of the binarised labels with ``average="macro"``, restricted to the classes the
    fold can measure.

A test fold holding a single class has no ROC AUC; the scorer raises a ``ValueError``
and the comparison records that fold as failed (``error_score``). Every other name is
scikit-learn's scorer (``"balanced_accuracy"``, ``"f1_macro"``, ``"accuracy"``, ...):
those read ``predict`` and already handle classes missing from a fold.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from sklearn.metrics import average_precision_score, roc_auc_score
from sklearn.metrics import get_scorer as sklearn_get_scorer

__all__ = ["FOLD_SAFE_SCORERS", "get_scorer"]


def _aligned_proba(estimator: Any, X: Any, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(labels, proba)``: the model's classes in its own order followed by the classes
    of ``y`` it never saw (sorted), and ``predict_proba`` with one column per label (0
    for a class the model never saw)."""
    proba = np.asarray(estimator.predict_proba(X), dtype=np.float64)
    classes = np.asarray(estimator.classes_, dtype=object)
    unseen = np.setdiff1d(np.asarray(y, dtype=object), classes)
    labels = np.concatenate([classes, unseen])
    aligned = np.zeros((proba.shape[0], labels.shape[0]))
    aligned[:, : classes.shape[0]] = proba
    return labels, aligned


def _present(labels: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Indices of the labels that occur in ``y``; at least two, or a ValueError."""
    present = np.flatnonzero(np.isin(labels, y))
    if present.size < 2:
        raise ValueError(
            "the test fold holds a single class, so ROC AUC and average precision are "
            "undefined there; use fewer folds or a score that reads predict"
        )
    return present


def _roc_auc_ovr(estimator: Any, X: Any, y: Any) -> float:
    y = np.asarray(y)
    labels, proba = _aligned_proba(estimator, X, y)
    present = _present(labels, y)
    if labels.shape[0] == 2:
        return float(roc_auc_score(y == labels[1], proba[:, 1]))
    return float(np.mean([roc_auc_score(y == labels[k], proba[:, k]) for k in present]))


def _roc_auc(estimator: Any, X: Any, y: Any) -> float:
    y = np.asarray(y)
    labels, proba = _aligned_proba(estimator, X, y)
    if labels.shape[0] > 2:
        raise ValueError(
            f"'roc_auc' is for two classes and this fold has {labels.shape[0]}; use "
            "'roc_auc_ovr' (the mean one-vs-rest ROC AUC)"
        )
    _present(labels, y)
    return float(roc_auc_score(y == labels[1], proba[:, 1]))


def _average_precision(estimator: Any, X: Any, y: Any) -> float:
    y = np.asarray(y)
    labels, proba = _aligned_proba(estimator, X, y)
    if labels.shape[0] == 2:
        if not np.any(y == labels[1]):
            raise ValueError(
                "the test fold has no case of the positive class; average precision is "
                "undefined there"
            )
        return float(average_precision_score(y == labels[1], proba[:, 1]))
    present = np.flatnonzero(np.isin(labels, y))  # one class is enough for its AP
    return float(np.mean([average_precision_score(y == labels[k], proba[:, k]) for k in present]))


class _FoldSafeScorer:
    """A named ``scorer(estimator, X, y)`` (a class, so joblib workers can pickle it)."""

    def __init__(self, name: str, function: Callable[[Any, Any, Any], float]):
        self.name = name
        self.function = function

    def __call__(self, estimator: Any, X: Any, y: Any) -> float:
        return self.function(estimator, X, y)

    def __repr__(self) -> str:
        return f"treelearn.compare.get_scorer({self.name!r})"


#: Score names whose scorer :func:`get_scorer` replaces (see the module's docstring).
FOLD_SAFE_SCORERS: dict[str, Callable[[Any, Any, Any], float]] = {
    "roc_auc_ovr": _FoldSafeScorer("roc_auc_ovr", _roc_auc_ovr),
    "roc_auc": _FoldSafeScorer("roc_auc", _roc_auc),
    "average_precision": _FoldSafeScorer("average_precision", _average_precision),
}


def get_scorer(name: str) -> Callable[..., float]:
    """The scorer a comparison uses for a score name.

    Parameters
    ----------
    name : str
        ``"roc_auc_ovr"``, ``"roc_auc"`` or ``"average_precision"`` (the fold-safe
        versions described in :mod:`treelearn.compare._scoring`), or any scikit-learn
        scorer name.

    Returns
    -------
    callable
        ``scorer(estimator, X, y) -> float``, higher is better.

    Raises
    ------
    ValueError
        For a name that is neither (scikit-learn's message lists the valid names).

    Examples
    --------
    >>> from treelearn import CARTClassifier
    >>> from treelearn.datasets import load_glass
    >>> X, y = load_glass(return_X_y=True)
    >>> rare = y == "tableware"
    >>> model = CARTClassifier(random_state=0).fit(X[~rare], y[~rare])  # never saw it
    >>> 0.5 < get_scorer("roc_auc_ovr")(model, X, y) <= 1.0
    True
    """
    if not isinstance(name, str):
        raise TypeError(f"a score name must be a string, got {type(name).__name__}")
    if name in FOLD_SAFE_SCORERS:
        return FOLD_SAFE_SCORERS[name]
    return sklearn_get_scorer(name)
