"""Comparing split criteria on data sets: paired cross-validation and its statistics.

Which criterion grows the better tree on *my* data? :func:`compare_criteria` answers in
one call: it cross-validates every criterion on every data set with the *same* stratified
folds (so the comparison is paired), and returns a tidy table with the mean and standard
deviation of each score, the tree sizes and the fit and predict times, a paired
significance test against a baseline criterion and the rank of each criterion per data
set.

The pieces are public too:

* :func:`cross_validate_criteria` -- the per-fold table (one row per data set, criterion
  and fold);
* :func:`summarize` -- per-fold table to the summary :func:`compare_criteria` returns;
* :func:`pairwise_tests` -- every pair of criteria on every data set;
* :func:`mean_ranks` -- the mean rank of each criterion over the data sets;
* :func:`corrected_resampled_ttest` -- Nadeau and Bengio's corrected resampled t-test.

Examples
--------
>>> from treelearn.compare import compare_criteria, mean_ranks
>>> result = compare_criteria(["iris", "glass"], ["c4.5", "cart"], cv=3)
>>> result[["dataset", "criterion", "n_folds"]]
  dataset criterion  n_folds
0    iris      C4.5        3
1    iris      CART        3
2   glass      C4.5        3
3   glass      CART        3
>>> sorted(mean_ranks(result).index)
['C4.5', 'CART']
"""

from __future__ import annotations

import functools
import math
import os
import sys
import time
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations
from numbers import Integral
from pathlib import Path
from typing import Any, NamedTuple, TextIO

import numpy as np
import pandas as pd
from scipy import stats
from sklearn.base import clone
from sklearn.exceptions import FitFailedWarning
from sklearn.metrics import get_scorer
from sklearn.model_selection import StratifiedKFold
from sklearn.utils import check_random_state

from treelearn._classes import (
    C45Classifier,
    CARTClassifier,
    DecisionTreeClassifier,
    ID3Classifier,
)
from treelearn.criteria import CRITERIA, SplitCriterion

__all__ = [
    "PRESETS",
    "TTestResult",
    "compare_criteria",
    "corrected_resampled_ttest",
    "cross_validate_criteria",
    "mean_ranks",
    "pairwise_tests",
    "summarize",
]

#: Preset names accepted in ``criteria=`` (case-insensitive): label and estimator class.
PRESETS: dict[str, tuple[str, type[DecisionTreeClassifier]]] = {
    "id3": ("ID3", ID3Classifier),
    "c4.5": ("C4.5", C45Classifier),
    "c45": ("C4.5", C45Classifier),
    "cart": ("CART", CARTClassifier),
}

#: Columns of the per-fold table that are not scores.
_FOLD_COLUMNS = (
    "dataset",
    "criterion",
    "repeat",
    "fold",
    "n_samples",
    "n_train",
    "n_test",
)
_TREE_COLUMNS = ("tree_size", "n_leaves", "depth", "fit_time", "predict_time")
_NOT_SCORES = frozenset((*_FOLD_COLUMNS, *_TREE_COLUMNS, "error"))
_SUFFIXES = (".arff", ".csv")


# --------------------------------------------------------------------- statistics


class TTestResult(NamedTuple):
    """Result of :func:`corrected_resampled_ttest`."""

    statistic: float
    pvalue: float


def corrected_resampled_ttest(
    a: Sequence[float] | np.ndarray,
    b: Sequence[float] | np.ndarray,
    *,
    test_train_ratio: float,
) -> TTestResult:
    r"""Nadeau and Bengio's corrected resampled t-test of paired fold scores.

    The folds of a cross-validation share training data, so their scores are not
    independent and the plain paired t-test finds differences far too often. Nadeau and
    Bengio (2003) inflate the variance of the mean difference by the test/train size
    ratio:

    .. math:: t = \frac{\bar d}{\sqrt{\left(\frac{1}{J} + \frac{n_\text{test}}
              {n_\text{train}}\right) \hat\sigma^2_d}}

    with ``d_j = a_j - b_j`` over the ``J`` folds and ``J - 1`` degrees of freedom
    (two-sided). This is the test of Weka's Experimenter (Bouckaert and Frank, 2004).

    Parameters
    ----------
    a, b : array-like of shape (J,)
        Scores of two models on the same ``J`` folds (or repeated folds).
    test_train_ratio : float
        ``n_test / n_train`` of a fold; ``1 / (k - 1)`` for k-fold cross-validation.
        ``0`` gives the ordinary paired t-test.

    Returns
    -------
    TTestResult
        ``statistic`` (positive when ``a`` scores higher) and the two-sided ``pvalue``.
        Identical scores give ``(0.0, 1.0)``; a constant non-zero difference gives an
        infinite statistic and p-value 0. Any NaN score gives ``(nan, nan)``.

    References
    ----------
    C. Nadeau and Y. Bengio, "Inference for the generalization error", Machine
    Learning 52:239-281 (2003).
    R. R. Bouckaert and E. Frank, "Evaluating the replicability of significance tests
    for comparing learning algorithms", PAKDD 2004.

    Examples
    --------
    >>> a = [0.80, 0.75, 0.90, 0.85, 0.70, 0.80, 0.85, 0.75, 0.90, 0.80]
    >>> b = [0.75, 0.70, 0.85, 0.85, 0.65, 0.75, 0.80, 0.75, 0.80, 0.75]
    >>> plain = corrected_resampled_ttest(a, b, test_train_ratio=0.0)
    >>> corrected = corrected_resampled_ttest(a, b, test_train_ratio=1 / 9)
    >>> round(plain.statistic, 3), round(corrected.statistic, 3)
    (5.014, 3.451)
    >>> corrected.pvalue > plain.pvalue
    True
    """
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.ndim != 1 or a.shape != b.shape:
        raise ValueError(
            f"a and b must be 1-D score arrays of the same length; got shapes {a.shape} "
            f"and {b.shape}"
        )
    if a.shape[0] < 2:
        raise ValueError(f"need scores on at least 2 folds, got {a.shape[0]}")
    ratio = float(test_train_ratio)
    if not (math.isfinite(ratio) and ratio >= 0):
        raise ValueError(f"test_train_ratio must be a finite number >= 0, got {ratio!r}")
    d = a - b
    if not np.isfinite(d).all():
        return TTestResult(math.nan, math.nan)
    n = d.shape[0]
    mean = float(d.mean())
    variance = float(d.var(ddof=1))
    scale = math.sqrt((1.0 / n + ratio) * variance)
    # Differences equal up to rounding noise count as constant.
    if scale <= 1e-12 * max(1.0, abs(mean)):
        if abs(mean) <= 1e-12:
            return TTestResult(0.0, 1.0)
        return TTestResult(math.copysign(math.inf, mean), 0.0)
    statistic = mean / scale
    pvalue = float(2.0 * stats.t.sf(abs(statistic), df=n - 1))
    return TTestResult(float(statistic), pvalue)


def _score_columns(folds: pd.DataFrame) -> list[str]:
    """The score columns of a per-fold table, in order."""
    metrics = folds.attrs.get("metrics")
    if metrics:
        return list(metrics)
    return [
        c
        for c in folds.columns
        if c not in _NOT_SCORES and pd.api.types.is_numeric_dtype(folds[c].dtype)
    ]


def _primary(folds_or_summary: pd.DataFrame, metric: str | None) -> str:
    """The score a comparison ranks and tests on: ``metric`` or the first score."""
    frame = folds_or_summary
    if "fold" in frame.columns:
        names = _score_columns(frame)
    else:
        names = list(frame.attrs.get("metrics") or [])
        if not names:
            names = [c.removesuffix("_mean") for c in frame.columns if c.endswith("_mean")]
    if not names:
        raise ValueError("the table has no score columns")
    if metric is None:
        return names[0]
    if metric not in names:
        raise ValueError(f"unknown metric {metric!r}; the table has {', '.join(names)}")
    return metric


def _ordered(values: pd.Series) -> list:
    """Unique values in order of first appearance."""
    return list(dict.fromkeys(values.tolist()))


def _paired(
    group: pd.DataFrame, metric: str, first: str, second: str
) -> tuple[np.ndarray, np.ndarray, float]:
    """Aligned fold scores of two criteria on one data set and their test/train ratio."""
    keys = ["repeat", "fold"]
    a = group[group["criterion"] == first].set_index(keys)
    b = group[group["criterion"] == second].set_index(keys)
    common = a.index.intersection(b.index, sort=False)
    a, b = a.loc[common], b.loc[common]
    ratio = float(a["n_test"].mean() / a["n_train"].mean()) if len(a) else math.nan
    return a[metric].to_numpy(np.float64), b[metric].to_numpy(np.float64), ratio


def _test(a: np.ndarray, b: np.ndarray, ratio: float) -> TTestResult:
    if a.shape[0] < 2 or not math.isfinite(ratio):
        return TTestResult(math.nan, math.nan)
    return corrected_resampled_ttest(a, b, test_train_ratio=ratio)


def pairwise_tests(
    folds: pd.DataFrame, *, metric: str | None = None, alpha: float = 0.05
) -> pd.DataFrame:
    """Corrected resampled t-test of every pair of criteria on every data set.

    Parameters
    ----------
    folds : DataFrame
        The per-fold table of :func:`cross_validate_criteria`.
    metric : str, optional
        The score to test; by default the first one.
    alpha : float, default=0.05
        Significance level.

    Returns
    -------
    DataFrame
        One row per data set and pair: ``dataset``, ``criterion_a``, ``criterion_b``,
        ``mean_a``, ``mean_b``, ``difference`` (mean of ``a - b``), ``statistic``,
        ``p_value``, ``significant`` and ``better`` (the significantly better
        criterion, or ``None``).

    Examples
    --------
    >>> folds = cross_validate_criteria("iris", ["id3", "cart", "gain_ratio"], cv=3)
    >>> pairwise_tests(folds)[["criterion_a", "criterion_b"]]
      criterion_a criterion_b
    0         ID3        CART
    1         ID3  gain_ratio
    2        CART  gain_ratio
    """
    metric = _primary(folds, metric)
    rows = []
    for dataset in _ordered(folds["dataset"]):
        group = folds[folds["dataset"] == dataset]
        for first, second in combinations(_ordered(group["criterion"]), 2):
            a, b, ratio = _paired(group, metric, first, second)
            result = _test(a, b, ratio)
            significant = bool(result.pvalue < alpha)
            better = None
            if significant:
                better = first if result.statistic > 0 else second
            rows.append(
                {
                    "dataset": dataset,
                    "criterion_a": first,
                    "criterion_b": second,
                    "mean_a": float(np.mean(a)) if len(a) else math.nan,
                    "mean_b": float(np.mean(b)) if len(b) else math.nan,
                    "difference": float(np.mean(a - b)) if len(a) else math.nan,
                    "statistic": result.statistic,
                    "p_value": result.pvalue,
                    "significant": significant,
                    "better": better,
                }
            )
    return pd.DataFrame(
        rows,
        columns=[
            "dataset",
            "criterion_a",
            "criterion_b",
            "mean_a",
            "mean_b",
            "difference",
            "statistic",
            "p_value",
            "significant",
            "better",
        ],
    )


def summarize(
    folds: pd.DataFrame,
    *,
    baseline: str | None = None,
    alpha: float = 0.05,
    metric: str | None = None,
) -> pd.DataFrame:
    """Summarise a per-fold table: one row per data set and criterion.

    Parameters
    ----------
    folds : DataFrame
        The per-fold table of :func:`cross_validate_criteria`.
    baseline : str, optional
        The criterion (label) the others are tested against; by default the first one.
    alpha : float, default=0.05
        Significance level of the test against the baseline.
    metric : str, optional
        The score that ranks and tests use; by default the first one.

    Returns
    -------
    DataFrame
        Columns ``dataset``, ``criterion``, ``n_samples``, ``n_folds``, then
        ``<score>_mean`` and ``<score>_std`` (sample standard deviation over the folds)
        for every score, the means over the folds of ``tree_size`` (node count),
        ``n_leaves``, ``depth``, ``fit_time`` and ``predict_time`` (seconds per fold),
        then ``rank`` (1 = best mean score on the data set, ties averaged; higher scores
        are better, scikit-learn's convention), ``p_value`` (corrected resampled t-test
        against the baseline; NaN on the baseline's rows) and ``significance``:
        ``"baseline"``, ``"better"``, ``"worse"``, ``"same"``, or ``"unknown"`` when
        scores are missing.
    """
    metric = _primary(folds, metric)
    metrics = _score_columns(folds)
    criteria = _ordered(folds["criterion"])
    if baseline is None:
        baseline = criteria[0] if criteria else None
    elif baseline not in criteria:
        raise ValueError(
            f"baseline {baseline!r} is not one of the compared criteria: {', '.join(criteria)}"
        )
    rows = []
    for dataset in _ordered(folds["dataset"]):
        group = folds[folds["dataset"] == dataset]
        for criterion in _ordered(group["criterion"]):
            part = group[group["criterion"] == criterion]
            row: dict[str, Any] = {
                "dataset": dataset,
                "criterion": criterion,
                "n_samples": int(part["n_samples"].iloc[0]),
                "n_folds": len(part),
            }
            for name in metrics:
                row[f"{name}_mean"] = float(part[name].mean(skipna=False))
                row[f"{name}_std"] = float(part[name].std(skipna=False))
            for name in _TREE_COLUMNS:
                row[name] = float(part[name].mean(skipna=False))
            if criterion == baseline:
                row["p_value"], row["significance"] = math.nan, "baseline"
            else:
                a, b, ratio = _paired(group, metric, criterion, baseline)
                result = _test(a, b, ratio)
                row["p_value"] = result.pvalue
                if math.isnan(result.pvalue):
                    row["significance"] = "unknown"
                elif result.pvalue < alpha:
                    row["significance"] = "better" if result.statistic > 0 else "worse"
                else:
                    row["significance"] = "same"
            rows.append(row)
    summary = pd.DataFrame(rows)
    if summary.empty:
        return summary
    summary.insert(
        summary.columns.get_loc("p_value"),
        "rank",
        summary.groupby("dataset", sort=False)[f"{metric}_mean"].rank(
            ascending=False, method="average"
        ),
    )
    summary.attrs = {
        "metric": metric,
        "metrics": list(metrics),
        "baseline": baseline,
        "alpha": float(alpha),
    }
    return summary


def mean_ranks(summary: pd.DataFrame, *, metric: str | None = None) -> pd.Series:
    """Mean rank of every criterion over the data sets (1 = best), best first.

    Parameters
    ----------
    summary : DataFrame
        The table of :func:`compare_criteria` (or :func:`summarize`).
    metric : str, optional
        Rank on this score instead of the one the table's ``rank`` column used.

    Returns
    -------
    Series
        Indexed by criterion, named ``"mean_rank"``, sorted ascending. Data sets where a
        criterion's score is missing are left out of its mean.
    """
    if metric is None and "rank" in summary.columns:
        ranks = summary["rank"]
    else:
        metric = _primary(summary, metric)
        ranks = summary.groupby("dataset", sort=False)[f"{metric}_mean"].rank(
            ascending=False, method="average"
        )
    out = ranks.groupby(summary["criterion"], sort=False).mean()
    out.index.name = "criterion"
    return out.sort_values(kind="stable").rename("mean_rank")


# ------------------------------------------------------------ data sets and criteria


@dataclass
class _Dataset:
    name: str
    X: Any  # DataFrame or ndarray
    y: np.ndarray


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


def _labels(y: Any) -> np.ndarray:
    """Class labels as a 1-D numpy array (categoricals become their values)."""
    if isinstance(y, pd.DataFrame):
        if y.shape[1] != 1:
            raise ValueError(f"y must have one column, got {y.shape[1]}")
        y = y.iloc[:, 0]
    if isinstance(y, pd.Series) and isinstance(y.dtype, pd.CategoricalDtype):
        y = y.astype(object).where(y.notna(), None)
    return np.asarray(y)


def _from_xy(name: str, X: Any, y: Any) -> _Dataset:
    y = _labels(y)
    if not isinstance(X, pd.DataFrame):
        X = np.asarray(X)
    if X.ndim != 2:
        raise ValueError(f"data set {name!r}: X must be 2-D, got shape {X.shape}")
    if y.ndim != 1 or y.shape[0] != X.shape[0]:
        raise ValueError(f"data set {name!r}: X has {X.shape[0]} rows but y has shape {y.shape}")
    known = ~pd.isna(pd.Series(y, dtype=object)).to_numpy()
    if not known.all():  # cases without a class teach nothing (Weka drops them too)
        X = X.iloc[known] if isinstance(X, pd.DataFrame) else X[known]
        y = y[known]
    if y.shape[0] == 0:
        raise ValueError(f"data set {name!r} has no rows with a known class")
    return _Dataset(name, X, y)


def _from_frame(name: str, frame: pd.DataFrame, target: str | None) -> _Dataset:
    if frame.shape[1] < 2:
        raise ValueError(f"data set {name!r}: need a feature and a target column")
    column = frame.columns[-1] if target is None else target
    if column not in frame.columns:
        raise ValueError(
            f"data set {name!r} has no target column {column!r}; columns: "
            f"{', '.join(map(str, frame.columns))}"
        )
    return _from_xy(name, frame.drop(columns=[column]), frame[column])


def _load_one(spec: Any, name: str | None, index: int, target: str | None) -> _Dataset:
    from treelearn.datasets import load_dataset

    if isinstance(spec, str | os.PathLike):
        text = os.fspath(spec)
        bunch = load_dataset(text, as_frame=True, target=target)
        if name is None:
            is_path = "/" in text or os.sep in text or Path(text).suffix.lower() in _SUFFIXES
            name = Path(text).stem if is_path else text
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


def _resolve_datasets(datasets: Any, target: str | None) -> list[_Dataset]:
    from treelearn.datasets import list_datasets

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
    out = [_load_one(spec, name, i, target) for i, (name, spec) in enumerate(items)]
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


def _resolve_criteria(criteria: Any) -> list[tuple[str, Any]]:
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


def _resolve_scoring(scoring: Any) -> dict[str, Callable]:
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


# ------------------------------------------------------------------------- folds


def _dealt_folds(y: np.ndarray, n_splits: int, rng: np.random.RandomState) -> list:
    """Stratified folds for data too small for ``StratifiedKFold``: shuffle, sort by
    class, deal the rows round-robin (what Weka does, so 10 folds of 14 rows work)."""
    _, codes = np.unique(y, return_inverse=True)
    order = rng.permutation(y.shape[0])
    order = order[np.argsort(codes[order], kind="stable")]
    fold_of = np.empty(y.shape[0], dtype=np.intp)
    fold_of[order] = np.arange(y.shape[0]) % n_splits
    return [(np.flatnonzero(fold_of != k), np.flatnonzero(fold_of == k)) for k in range(n_splits)]


def _is_splitter(cv: Any) -> bool:
    return hasattr(cv, "split") and hasattr(cv, "get_n_splits")


def _make_folds(
    data: _Dataset, cv: Any, n_repeats: int, random_state: Any
) -> list[tuple[int, int, np.ndarray, np.ndarray]]:
    """``(repeat, fold, train, test)`` for one data set; shared by every criterion."""
    if _is_splitter(cv):
        return [
            (0, k, np.asarray(tr), np.asarray(te))
            for k, (tr, te) in enumerate(cv.split(data.X, data.y))
        ]
    n = data.y.shape[0]
    if cv > n:
        raise ValueError(f"cv={cv} folds, but data set {data.name!r} has only {n} rows")
    rng = check_random_state(random_state)
    _, counts = np.unique(data.y, return_counts=True)
    out = []
    for repeat in range(n_repeats):
        if counts.max() >= cv:
            splitter = StratifiedKFold(n_splits=cv, shuffle=True, random_state=rng)
            with warnings.catch_warnings():
                warnings.filterwarnings("ignore", "The least populated class", UserWarning)
                split = list(splitter.split(np.zeros(n), data.y))
        else:
            split = _dealt_folds(data.y, cv, rng)
        out.extend((repeat, k, tr, te) for k, (tr, te) in enumerate(split))
    return out


# ---------------------------------------------------------------------- running


def _take(X: Any, rows: np.ndarray) -> Any:
    return X.iloc[rows] if isinstance(X, pd.DataFrame) else X[rows]


def _tree_stats(estimator: Any) -> tuple[float, float, float]:
    """Node count, leaves and depth of a fitted tree (NaN where not a tree)."""
    final = estimator[-1] if hasattr(estimator, "steps") else estimator
    tree = getattr(final, "tree_", None)
    size = float(getattr(tree, "node_count", math.nan))
    leaves = float(final.get_n_leaves()) if hasattr(final, "get_n_leaves") else math.nan
    depth = float(final.get_depth()) if hasattr(final, "get_depth") else math.nan
    return size, leaves, depth


def _fit_and_score(
    estimator: Any,
    X: Any,
    y: np.ndarray,
    train: np.ndarray,
    test: np.ndarray,
    scorers: dict[str, Callable],
    raise_errors: bool,
) -> dict[str, Any]:
    """Fit a clone on the training rows, time it, score it on the test rows."""
    try:
        model = clone(estimator)
        start = time.perf_counter()
        model.fit(_take(X, train), y[train])
        fit_time = time.perf_counter() - start
        X_test, y_test = _take(X, test), y[test]
        start = time.perf_counter()
        y_pred = model.predict(X_test)
        predict_time = time.perf_counter() - start
        _reuse_predictions(model, X_test, y_pred)
        scores = {name: float(scorer(model, X_test, y_test)) for name, scorer in scorers.items()}
        size, leaves, depth = _tree_stats(model)
        error = None
    except Exception as exc:
        if raise_errors:
            raise
        scores = dict.fromkeys(scorers, math.nan)
        size = leaves = depth = fit_time = predict_time = math.nan
        error = f"{type(exc).__name__}: {exc}"
    return {
        **scores,
        "tree_size": size,
        "n_leaves": leaves,
        "depth": depth,
        "fit_time": fit_time,
        "predict_time": predict_time,
        "error": error,
    }


def _reuse_predictions(model: Any, X_test: Any, y_pred: np.ndarray) -> None:
    """Let the scorers reuse the timed predictions of ``X_test`` instead of predicting
    again (the fold's model is thrown away afterwards)."""
    predict = model.predict

    @functools.wraps(predict)
    def cached(X, *args, **kwargs):
        if X is X_test and not args and not kwargs:
            return y_pred
        return predict(X, *args, **kwargs)

    model.predict = cached


class _Progress:
    """A one-line progress bar on a stream; silent unless enabled (a terminal)."""

    def __init__(self, total: int, enabled: bool | None, stream: TextIO | None = None):
        self.stream = sys.stderr if stream is None else stream
        if enabled is None:
            isatty = getattr(self.stream, "isatty", None)
            enabled = bool(isatty and isatty())
        self.enabled = enabled and total > 0
        self.total, self.done = total, 0
        self.start = self._last = time.perf_counter()
        self._width = 0

    def update(self, label: str = "") -> None:
        self.done += 1
        now = time.perf_counter()
        if not self.enabled or (now - self._last < 0.1 and self.done < self.total):
            return
        self._last = now
        filled = int(24 * self.done / self.total)
        line = (
            f"\r[{'#' * filled}{'.' * (24 - filled)}] {self.done}/{self.total} "
            f"{now - self.start:5.1f}s {label}"
        )
        self._width = max(self._width, len(line))
        self.stream.write(line.ljust(self._width))
        self.stream.flush()

    def close(self) -> None:
        if self.enabled and self._width:
            self.stream.write("\r" + " " * self._width + "\r")
            self.stream.flush()


def cross_validate_criteria(
    datasets: Any = None,
    criteria: Any = ("id3", "c4.5", "cart"),
    *,
    cv: int | Any = 10,
    n_repeats: int = 1,
    scoring: Any = "accuracy",
    random_state: int | np.random.RandomState | None = 0,
    n_jobs: int | None = None,
    target: str | None = None,
    error_score: float | str = np.nan,
    progress: bool | None = None,
) -> pd.DataFrame:
    """Cross-validate every criterion on every data set with shared folds; one row per fold.

    The parameters are those of :func:`compare_criteria` (which summarises this table).

    Returns
    -------
    DataFrame
        Columns ``dataset``, ``criterion``, ``repeat``, ``fold``, ``n_samples``,
        ``n_train``, ``n_test``, one column per score, ``tree_size``, ``n_leaves``,
        ``depth``, ``fit_time``, ``predict_time`` (seconds) and ``error`` (the error
        message of a fold that failed, else ``None``).

    Examples
    --------
    >>> folds = cross_validate_criteria("iris", ["c4.5", "cart"], cv=3)
    >>> folds[["dataset", "criterion", "fold", "n_train", "n_test"]].head(3)
      dataset criterion  fold  n_train  n_test
    0    iris      C4.5     0      100      50
    1    iris      C4.5     1      100      50
    2    iris      C4.5     2      100      50
    """
    if not _is_splitter(cv):
        if isinstance(cv, bool) or not isinstance(cv, int | np.integer) or cv < 2:
            raise ValueError(f"cv must be an integer >= 2 or a splitter, got {cv!r}")
        cv = int(cv)
    if isinstance(n_repeats, bool) or not isinstance(n_repeats, int) or n_repeats < 1:
        raise ValueError(f"n_repeats must be an integer >= 1, got {n_repeats!r}")
    raise_errors = isinstance(error_score, str)
    if raise_errors and error_score != "raise":
        raise ValueError(f"error_score must be 'raise' or a number, got {error_score!r}")
    scorers = _resolve_scoring(scoring)
    clash = _NOT_SCORES.intersection(scorers)
    if clash:
        raise ValueError(f"score names clash with the table's columns: {sorted(clash)}")
    models = _resolve_criteria(criteria)
    data = _resolve_datasets(datasets, target)
    # An integer seed gives every data set StratifiedKFold(..., random_state=seed)'s folds;
    # a RandomState (or None) is drawn from in turn.
    fixed = isinstance(random_state, Integral) and not isinstance(random_state, bool)
    rng = None if fixed else check_random_state(random_state)
    tasks = []
    for d_index, dataset in enumerate(data):
        seed = int(random_state) if rng is None else rng
        for repeat, fold, train, test in _make_folds(dataset, cv, n_repeats, seed):
            for c_index in range(len(models)):
                tasks.append((d_index, c_index, repeat, fold, train, test))

    def label(task: tuple) -> str:
        return f"{data[task[0]].name} {models[task[1]][0]}"

    bar = _Progress(len(tasks), progress)
    results: list[tuple[tuple, dict]] = []
    try:
        if n_jobs is None or n_jobs == 1:
            for task in tasks:
                d, c, _, _, train, test = task
                ds = data[d]
                out = _fit_and_score(models[c][1], ds.X, ds.y, train, test, scorers, raise_errors)
                results.append((task, out))
                bar.update(label(task))
        else:
            from joblib import Parallel, delayed

            parallel = Parallel(n_jobs=n_jobs, return_as="generator_unordered")
            jobs = (
                delayed(_run_task)(
                    i,
                    models[task[1]][1],
                    data[task[0]].X,
                    data[task[0]].y,
                    task[4],
                    task[5],
                    scorers,
                    raise_errors,
                )
                for i, task in enumerate(tasks)
            )
            for i, out in parallel(jobs):
                task = tasks[i]
                results.append((task, out))
                bar.update(label(task))
    finally:
        bar.close()

    rows = []
    for task, out in results:
        d, c, repeat, fold, train, test = task
        rows.append(
            {
                "_order": (d, c, repeat, fold),
                "dataset": data[d].name,
                "criterion": models[c][0],
                "repeat": repeat,
                "fold": fold,
                "n_samples": int(data[d].y.shape[0]),
                "n_train": int(train.shape[0]),
                "n_test": int(test.shape[0]),
                **out,
            }
        )
    rows.sort(key=lambda r: r["_order"])
    for row in rows:
        del row["_order"]
    folds = pd.DataFrame(
        rows,
        columns=[*_FOLD_COLUMNS, *scorers, *_TREE_COLUMNS, "error"],
    )
    if not raise_errors:
        folds[list(scorers)] = folds[list(scorers)].fillna(float(error_score))
    _warn_failures(folds)
    folds.attrs = {"metrics": list(scorers)}
    return folds


def _run_task(index, estimator, X, y, train, test, scorers, raise_errors):
    """One fold in a worker process; returns the task's index with the result."""
    return index, _fit_and_score(estimator, X, y, train, test, scorers, raise_errors)


def _warn_failures(folds: pd.DataFrame) -> None:
    failed = folds[folds["error"].notna()]
    for (dataset, criterion), group in failed.groupby(["dataset", "criterion"], sort=False):
        total = int(((folds["dataset"] == dataset) & (folds["criterion"] == criterion)).sum())
        warnings.warn(
            f"{criterion} failed on {len(group)} of {total} folds of {dataset}: "
            f"{group['error'].iloc[0]}",
            FitFailedWarning,
            stacklevel=3,
        )


def compare_criteria(
    datasets: Any = None,
    criteria: Any = ("id3", "c4.5", "cart"),
    *,
    cv: int | Any = 10,
    n_repeats: int = 1,
    scoring: Any = "accuracy",
    random_state: int | np.random.RandomState | None = 0,
    n_jobs: int | None = None,
    target: str | None = None,
    baseline: str | None = None,
    alpha: float = 0.05,
    error_score: float | str = np.nan,
    progress: bool | None = None,
) -> pd.DataFrame:
    """Cross-validate split criteria on data sets and compare them, paired fold by fold.

    Every criterion sees the same stratified folds of a data set, so differences are
    paired: the table reports each criterion's mean and spread, its tree sizes and times,
    its rank on the data set and a corrected resampled t-test against a baseline.

    Parameters
    ----------
    datasets : data set or list of data sets, default=None
        Each one a bundled name (see :func:`treelearn.datasets.list_datasets`), the path
        of an ARFF or CSV file, an ``(X, y)`` pair, a DataFrame whose ``target`` column
        (the last by default) is the class, or a scikit-learn ``Bunch``. A dict
        ``{label: data set}`` names them. ``None`` compares on all bundled data sets.
        Rows whose class is missing are dropped.
    criteria : list, default=("id3", "c4.5", "cart")
        Each one a preset (``"id3"``, ``"c4.5"`` or ``"c45"``, ``"cart"``: the
        :class:`~treelearn.ID3Classifier`, :class:`~treelearn.C45Classifier`,
        :class:`~treelearn.CARTClassifier` defaults, labelled ``ID3``, ``C4.5``,
        ``CART``), a criterion name (``"entropy"``, ``"gain_ratio"``, ``"gini"``, ...:
        a :class:`~treelearn.DecisionTreeClassifier` with that criterion), a
        :class:`~treelearn.SplitCriterion` instance (labelled by its ``name``) or any
        scikit-learn classifier (cloned, labelled by its class name). A dict
        ``{label: criterion}`` names them.
    cv : int or splitter, default=10
        Number of stratified folds, ``StratifiedKFold(cv, shuffle=True,
        random_state=random_state)`` computed once per data set. When every class has
        fewer than ``cv`` rows (the 14-row weather data) the rows are dealt into the
        folds by class, as Weka does. A scikit-learn splitter is used as given.
    n_repeats : int, default=1
        Repetitions of the k-fold split with fresh shuffles (10 x 10-fold is the
        setting the corrected t-test was calibrated for).
    scoring : str, callable, list or dict, default="accuracy"
        scikit-learn scorer name(s) or ``scorer(estimator, X, y)`` callables; each gives
        a ``<name>_mean`` and ``<name>_std`` column. The first ranks and is tested.
    random_state : int, RandomState or None, default=0
        Seeds the shuffling of the folds.
    n_jobs : int, default=None
        Folds run in parallel on this many processes (joblib; ``-1`` = all cores).
    target : str, optional
        The class column of files and DataFrames (default: the last column).
    baseline : str, optional
        Label of the criterion the others are tested against (default: the first).
    alpha : float, default=0.05
        Significance level of that test.
    error_score : "raise" or float, default=nan
        Score of a fold whose fit or scoring fails (a ``FitFailedWarning`` names the
        error), or ``"raise"`` to stop at the first failure.
    progress : bool, optional
        Show a progress bar on stderr; by default only when stderr is a terminal.

    Returns
    -------
    DataFrame
        One row per data set and criterion, columns ``dataset``, ``criterion``,
        ``n_samples``, ``n_folds``, ``<score>_mean``, ``<score>_std``, ``tree_size``
        (nodes), ``n_leaves``, ``depth``, ``fit_time``, ``predict_time`` (means over the
        folds, seconds), ``rank``, ``p_value`` and ``significance``; see
        :func:`summarize`. ``attrs`` records the ranked metric, the baseline and alpha.

    See Also
    --------
    cross_validate_criteria : The per-fold table behind this summary.
    pairwise_tests : Every pair of criteria, not just against the baseline.
    mean_ranks : Mean rank of each criterion over the data sets.
    treelearn.plot.plot_comparison : The picture of this table.

    Notes
    -----
    The p-values come from :func:`corrected_resampled_ttest` on the paired fold scores.
    With a single 10-fold run it is conservative; ``n_repeats=10`` gives it more power.

    Examples
    --------
    >>> from treelearn import Gini
    >>> from treelearn.compare import compare_criteria
    >>> result = compare_criteria("iris", ["c4.5", Gini()], cv=5)
    >>> result[["criterion", "n_folds", "significance"]]
      criterion  n_folds significance
    0      C4.5        5     baseline
    1      gini        5         same
    >>> bool(result["accuracy_mean"].between(0.9, 1.0).all())
    True
    """
    folds = cross_validate_criteria(
        datasets,
        criteria,
        cv=cv,
        n_repeats=n_repeats,
        scoring=scoring,
        random_state=random_state,
        n_jobs=n_jobs,
        target=target,
        error_score=error_score,
        progress=progress,
    )
    summary = summarize(folds, baseline=baseline, alpha=alpha)
    summary.attrs["cv"] = repr(cv) if _is_splitter(cv) else int(cv)
    summary.attrs["n_repeats"] = n_repeats
    return summary
