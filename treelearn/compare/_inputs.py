"""Input resolution: what ``datasets=`` and ``criteria=`` of a comparison may be.

:func:`resolve_datasets` turns bundled names, ARFF/CSV paths, ``(X, y)`` pairs,
DataFrames and scikit-learn ``Bunch`` objects into labelled :class:`Dataset` records;
:func:`resolve_criteria` turns preset names, criterion names, :class:`SplitCriterion`
instances and estimators into labelled unfitted estimators. The comparison, the plots
and the ``treelearn`` command all take their inputs through these two functions, so
they accept the same things and label them the same way.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import clone

from treelearn._classes import (
    C45Classifier,
    CARTClassifier,
    DecisionTreeClassifier,
    ID3Classifier,
)
from treelearn._missing import check_strategy
from treelearn.compare._scoring import get_scorer
from treelearn.criteria import CRITERIA, SplitCriterion
from treelearn.datasets import list_datasets, load_dataset
from treelearn.datasets._loaders import FILE_SUFFIXES, file_stem, file_suffix

__all__ = ["PRESETS", "Dataset", "resolve_criteria", "resolve_datasets", "with_missing_values"]

#: Preset names accepted in ``criteria=`` (case-insensitive): label and estimator class.
#: The label names the preset in result tables (``"c4.5"`` and ``"c45"`` are both
#: ``"C4.5"``).
PRESETS: dict[str, tuple[str, type[DecisionTreeClassifier]]] = {
    "id3": ("ID3", ID3Classifier),
    "c4.5": ("C4.5", C45Classifier),
    "c45": ("C4.5", C45Classifier),
    "cart": ("CART", CARTClassifier),
}

#: Suffix of a preset or criterion name that sets ``class_weight="balanced"``
#: (``"cart+balanced"``, labelled ``CART+balanced``): the imbalanced-data setting.
BALANCED = "+balanced"


@dataclass(frozen=True)
class Dataset:
    """One resolved data set: a label, the features and the known class labels.

    Attributes
    ----------
    name : str
        The label results are keyed by: the bundled name, the stem of a file, the key
        of a ``{label: data set}`` dict, a DataFrame's ``attrs["relation"]``, or
        ``"data<i>"`` (the position in the list).
    X : DataFrame or ndarray of shape (n_samples, n_features)
        The features, as given (DataFrames keep their column types).
    y : ndarray or categorical Series of shape (n_samples,)
        The class labels; rows whose class was missing are dropped from ``X`` and ``y``.
        A categorical target (the loaders' ARFF classes, a ``category`` column) stays a
        categorical Series with a positional index, so that every estimator fitted on it
        keeps the declared class order (J48's tie rules depend on it) exactly as when it
        is fitted on the loader's own data.
    """

    name: str
    X: Any
    y: np.ndarray | pd.Series


def _is_xy_pair(obj: Any) -> bool:
    return (
        isinstance(obj, tuple)
        and len(obj) == 2
        and np.ndim(obj[0]) == 2
        and np.ndim(obj[1]) == 1
        and not isinstance(obj[0], str)
    )


def _is_bunch(obj: Any) -> bool:
    """A scikit-learn ``Bunch`` (or anything with ``data`` and ``target``)."""
    return hasattr(obj, "data") and hasattr(obj, "target") and not isinstance(obj, pd.DataFrame)


def _labels(y: Any) -> np.ndarray | pd.Series:
    """Class labels: a categorical Series stays one (with a fresh positional index), so
    that the estimators keep its declared class order as they do on the loader's data;
    anything else becomes a 1-D numpy array."""
    if isinstance(y, pd.DataFrame):
        if y.shape[1] != 1:
            raise ValueError(f"y must have one column, got {y.shape[1]}")
        y = y.iloc[:, 0]
    if isinstance(y, pd.Series) and isinstance(y.dtype, pd.CategoricalDtype):
        return y.reset_index(drop=True)
    return np.asarray(y)


def _from_xy(name: str, X: Any, y: Any) -> Dataset:
    y = _labels(y)
    if not isinstance(X, pd.DataFrame):
        X = np.asarray(X)
    if X.ndim != 2:
        raise ValueError(f"data set {name!r}: X must be 2-D, got shape {X.shape}")
    if y.ndim != 1 or y.shape[0] != X.shape[0]:
        raise ValueError(f"data set {name!r}: X has {X.shape[0]} rows but y has shape {y.shape}")
    known = ~pd.isna(pd.Series(np.asarray(y, dtype=object), dtype=object)).to_numpy()
    if not known.all():  # cases without a class teach nothing (Weka drops them too)
        X = X.iloc[known] if isinstance(X, pd.DataFrame) else X[known]
        y = y[known].reset_index(drop=True) if isinstance(y, pd.Series) else y[known]
    if y.shape[0] == 0:
        raise ValueError(f"data set {name!r} has no rows with a known class")
    return Dataset(name, X, y)


def _from_frame(name: str, frame: pd.DataFrame, target: str | None) -> Dataset:
    if frame.shape[1] < 2:
        raise ValueError(f"data set {name!r}: need a feature and a target column")
    column = frame.columns[-1] if target is None else target
    if column not in frame.columns:
        raise ValueError(
            f"data set {name!r} has no target column {column!r}; columns: "
            f"{', '.join(map(str, frame.columns))}"
        )
    return _from_xy(name, frame.drop(columns=[column]), frame[column])


def _load_one(
    spec: Any, name: str | None, index: int, target: str | None, options: Mapping[str, Any]
) -> Dataset:
    if isinstance(spec, str | os.PathLike):
        text = os.fspath(spec)
        bunch: Any = load_dataset(text, as_frame=True, target=target, **options)  # a Bunch
        if name is None:
            is_path = "/" in text or os.sep in text or file_suffix(Path(text)) in FILE_SUFFIXES
            name = file_stem(Path(text)) if is_path else text
        return _from_xy(name, bunch.data, bunch.target)
    if isinstance(spec, pd.DataFrame):
        default = spec.attrs.get("relation") or f"data{index}"
        return _from_frame(name or str(default), spec, target)
    if _is_xy_pair(spec):
        return _from_xy(name or f"data{index}", spec[0], spec[1])
    if _is_bunch(spec):
        return _from_xy(name or f"data{index}", spec.data, spec.target)
    raise TypeError(
        "a data set must be a bundled name, an ARFF/CSV path, an (X, y) pair or a "
        f"DataFrame with a target column; got {type(spec).__name__}"
    )


def resolve_datasets(
    datasets: Any = None,
    *,
    target: str | None = None,
    load_options: Mapping[str, Any] | None = None,
) -> list[Dataset]:
    """Resolve the ``datasets=`` of a comparison into labelled data sets.

    Parameters
    ----------
    datasets : data set or list of data sets, default=None
        Each one a bundled name (see :func:`treelearn.datasets.list_datasets`), the path
        of an ARFF or CSV file, an ``(X, y)`` pair, a DataFrame whose ``target`` column
        (the last by default) is the class, or a scikit-learn ``Bunch``. A dict
        ``{label: data set}`` names them. ``None`` means all bundled data sets.
    target : str, optional
        The class column of files and DataFrames (default: the last column).
    load_options : dict, optional
        Further keywords of :func:`treelearn.datasets.load_dataset` for names and files
        (``sep``, ``drop``, ``categorical``).

    Returns
    -------
    list of Dataset
        In the order given; rows whose class is missing are dropped.

    Raises
    ------
    ValueError
        For an unknown name, a missing or malformed file, a missing target column, a
        data set without a row of known class, no data set at all, or two data sets
        with the same label.
    TypeError
        For an object that is none of the above.

    Examples
    --------
    >>> [(d.name, d.X.shape) for d in resolve_datasets(["play_tennis", "iris"])]
    [('play_tennis', (14, 4)), ('iris', (150, 4))]
    """
    if datasets is None:
        items: list[tuple[str | None, Any]] = [(n, n) for n in list_datasets()]
    elif (
        isinstance(datasets, str | os.PathLike | pd.DataFrame)
        or _is_xy_pair(datasets)
        or _is_bunch(datasets)
    ):
        items = [(None, datasets)]
    elif isinstance(datasets, Mapping):
        items = [(str(k), v) for k, v in datasets.items()]
    elif isinstance(datasets, Iterable):
        items = [(None, d) for d in datasets]
    else:
        items = [(None, datasets)]
    if not items:
        raise ValueError("no data sets to compare")
    options = dict(load_options or {})
    out = [_load_one(spec, name, i, target, options) for i, (name, spec) in enumerate(items)]
    _reject_duplicates([d.name for d in out], "two data sets are called", "data set")
    return out


def _reject_duplicates(labels: list[str], problem: str, kind: str) -> None:
    """ValueError when a label repeats (results are keyed by label)."""
    duplicates = sorted({n for n in labels if labels.count(n) > 1})
    if duplicates:
        raise ValueError(
            f"{problem} {', '.join(map(repr, duplicates))}; pass a dict "
            f"{{label: {kind}}} to name them"
        )


def _estimator_for(spec: Any) -> tuple[str, Any]:
    """Label and (unfitted) estimator of one ``criteria=`` entry."""
    if isinstance(spec, str) and spec.strip().lower().endswith(BALANCED):
        label, estimator = _estimator_for(spec.strip()[: -len(BALANCED)])
        return label + BALANCED, estimator.set_params(class_weight="balanced")
    if isinstance(spec, str):
        key = spec.strip().lower()
        if key in PRESETS:
            label, cls = PRESETS[key]
            return label, cls()
        if spec in CRITERIA:
            return spec, DecisionTreeClassifier(criterion=spec)
        names = ", ".join(repr(n) for n in (*dict.fromkeys(PRESETS), *CRITERIA))
        raise ValueError(
            f"unknown criterion {spec!r}; use a preset or criterion name ({names}), a "
            "SplitCriterion instance or an estimator"
        )
    if isinstance(spec, SplitCriterion):
        return spec.name, DecisionTreeClassifier(criterion=spec)
    if isinstance(spec, type):
        raise TypeError(
            f"criteria must be instances, not classes: use {spec.__name__}() instead of "
            f"{spec.__name__}"
        )
    if hasattr(spec, "fit") and hasattr(spec, "get_params"):
        return type(spec).__name__, clone(spec)
    raise TypeError(
        "a criterion must be a preset name ('id3', 'c4.5', 'cart'), a criterion name, a "
        f"SplitCriterion instance or an estimator; got {type(spec).__name__}: {spec!r}"
    )


def resolve_criteria(criteria: Any) -> list[tuple[str, Any]]:
    """Resolve the ``criteria=`` of a comparison into labelled, unfitted estimators.

    Parameters
    ----------
    criteria : criterion or list of criteria
        Each one a preset (a key of :data:`PRESETS`: ``"id3"``, ``"c4.5"`` or ``"c45"``,
        ``"cart"``, case-insensitive; labelled ``ID3``, ``C4.5``, ``CART``), a criterion
        name (a key of :data:`treelearn.criteria.CRITERIA`: a
        :class:`~treelearn.DecisionTreeClassifier` with that criterion, labelled by the
        name), either one followed by ``"+balanced"`` (the same with
        ``class_weight="balanced"``, labelled ``CART+balanced``), a
        :class:`~treelearn.SplitCriterion` instance (labelled by its ``name``) or any
        scikit-learn classifier (cloned, labelled by its class name). A dict
        ``{label: criterion}`` names them.

    Returns
    -------
    list of (str, estimator)
        The label and a new unfitted estimator of every criterion, in the order given.

    Raises
    ------
    ValueError
        For an unknown name, no criterion at all, or two criteria with the same label.
    TypeError
        For a class instead of an instance, or an object that is none of the above.

    Examples
    --------
    >>> from treelearn.criteria import Gini
    >>> [(label, type(est).__name__) for label, est in resolve_criteria(["c45", Gini()])]
    [('C4.5', 'C45Classifier'), ('gini', 'DecisionTreeClassifier')]
    """
    if isinstance(criteria, Mapping):
        out = [(str(label), _estimator_for(spec)[1]) for label, spec in criteria.items()]
    elif isinstance(criteria, str | SplitCriterion) or hasattr(criteria, "fit"):
        out = [_estimator_for(criteria)]
    else:
        out = [_estimator_for(spec) for spec in criteria]
    if not out:
        raise ValueError("no criteria to compare")
    _reject_duplicates([label for label, _ in out], "two criteria are labelled", "criterion")
    return out


def with_missing_values(
    models: list[tuple[str, Any]], missing_values: Any
) -> list[tuple[str, Any]]:
    """Every model once per missing-value strategy, labelled ``"<label>/<strategy>"``.

    Parameters
    ----------
    models : list of (str, estimator)
        The resolved criteria (:func:`resolve_criteria`).
    missing_values : str, list of str or None
        Strategies of ``missing_values=`` (``"fractional"``, ``"learned"``,
        ``"surrogate"``), or a comma-separated string of them; ``None`` keeps every
        model with its own default. Estimators without a ``missing_values``
        parameter (scikit-learn's) are kept once, under their own label.
        ``"surrogate"`` needs binary splits: a model with multiway categorical splits
        (ID3, C4.5, ``DecisionTreeClassifier``'s default) is compared under the other
        strategies only.

    Returns
    -------
    list of (str, estimator)
        Model-major: every strategy of the first model, then of the next.

    Raises
    ------
    ValueError
        For an unknown strategy, none at all, or a model none of them applies to.

    Examples
    --------
    >>> pairs = with_missing_values(resolve_criteria(["id3"]), "fractional,learned")
    >>> [(label, est.missing_values) for label, est in pairs]
    [('ID3/fractional', 'fractional'), ('ID3/learned', 'learned')]
    """
    if missing_values is None:
        return models
    if isinstance(missing_values, str):
        missing_values = [s.strip() for s in missing_values.split(",") if s.strip()]
    strategies = [check_strategy(s, "compare_criteria") for s in missing_values]
    if not strategies:
        raise ValueError("missing_values names no strategy")
    twice = sorted({s for s in strategies if strategies.count(s) > 1})
    if twice:
        raise ValueError(f"missing_values names {', '.join(map(repr, twice))} twice")
    out = []
    for label, est in models:
        if "missing_values" not in est.get_params(deep=False):
            out.append((label, est))
            continue
        multiway = est.get_params(deep=False).get("categorical_split") == "multiway"
        usable = [s for s in strategies if not (multiway and s == "surrogate")]
        if not usable:
            raise ValueError(
                f"{label} splits categories multiway, and surrogates need binary splits: "
                "compare it with missing_values 'fractional' or 'learned' as well."
            )
        out += [(f"{label}/{s}", clone(est).set_params(missing_values=s)) for s in usable]
    return out


def resolve_scoring(scoring: Any) -> dict[str, Callable]:
    """The ``scoring=`` of a comparison as ``{score name: scorer(estimator, X, y)}``."""
    if isinstance(scoring, str):
        return {scoring: get_scorer(scoring)}
    if callable(scoring):
        return {"score": scoring}
    if isinstance(scoring, Mapping):
        return {str(k): get_scorer(v) if isinstance(v, str) else v for k, v in scoring.items()}
    if isinstance(scoring, Iterable):
        names = list(scoring)
        if names and all(isinstance(n, str) for n in names):
            return {n: get_scorer(n) for n in dict.fromkeys(names)}
    raise TypeError(
        "scoring must be a scorer name, a callable scorer(estimator, X, y), a list of "
        f"names or a dict of them; got {scoring!r}"
    )
