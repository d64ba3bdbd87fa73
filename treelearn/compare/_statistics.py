"""Statistics of a comparison: paired tests, the summary table and mean ranks.

* :func:`corrected_resampled_ttest` -- Nadeau and Bengio's corrected resampled t-test
  of paired fold scores;
* :func:`pairwise_tests` -- that test for every pair of criteria on every data set;
* :func:`summarize` -- the per-fold table to one row per data set and criterion, with
  the test against a baseline and the rank on each data set;
* :func:`mean_ranks` -- the mean rank of each criterion over the data sets.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from itertools import combinations
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
from scipy import stats

from treelearn.compare._table import (
    TREE_COLUMNS,
    for_ranking,
    ordered,
    primary_metric,
    score_columns,
)

__all__ = [
    "TTestResult",
    "corrected_resampled_ttest",
    "mean_ranks",
    "pairwise_tests",
    "summarize",
]


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
        The per-fold table of :func:`~treelearn.compare.cross_validate_criteria`.
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
    >>> from treelearn.compare import cross_validate_criteria
    >>> folds = cross_validate_criteria("iris", ["id3", "cart", "gain_ratio"], cv=3)
    >>> pairwise_tests(folds)[["criterion_a", "criterion_b"]]
      criterion_a criterion_b
    0         ID3        CART
    1         ID3  gain_ratio
    2        CART  gain_ratio
    """
    metric = primary_metric(folds, metric)
    rows = []
    for dataset in ordered(folds["dataset"]):
        group = folds[folds["dataset"] == dataset]
        for first, second in combinations(ordered(group["criterion"]), 2):
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
        The per-fold table of :func:`~treelearn.compare.cross_validate_criteria`.
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
        then ``rank`` (1 = best mean score on the data set, ties averaged, scores equal
        to 12 decimals tie; higher scores are better, scikit-learn's convention),
        ``p_value`` (corrected resampled t-test against the baseline; NaN on the
        baseline's rows) and ``significance``: ``"baseline"``, ``"better"``,
        ``"worse"``, ``"same"``, or ``"unknown"`` when scores are missing.
    """
    metric = primary_metric(folds, metric)
    metrics = score_columns(folds)
    criteria = ordered(folds["criterion"])
    if baseline is None:
        if not criteria:  # an empty per-fold table summarises to an empty table
            return pd.DataFrame()
        baseline = criteria[0]
    elif baseline not in criteria:
        raise ValueError(
            f"baseline {baseline!r} is not one of the compared criteria: {', '.join(criteria)}"
        )
    rows = []
    for dataset in ordered(folds["dataset"]):
        group = folds[folds["dataset"] == dataset]
        for criterion in ordered(group["criterion"]):
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
            for name in TREE_COLUMNS:
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
        for_ranking(summary[f"{metric}_mean"])
        .groupby(summary["dataset"], sort=False)
        .rank(ascending=False, method="average"),
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
        The table of :func:`~treelearn.compare.compare_criteria` (or :func:`summarize`).
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
        metric = primary_metric(summary, metric)
        ranks = (
            for_ranking(summary[f"{metric}_mean"])
            .groupby(summary["dataset"], sort=False)
            .rank(ascending=False, method="average")
        )
    out = ranks.groupby(summary["criterion"], sort=False).mean()
    out.index.name = "criterion"
    return out.sort_values(kind="stable").rename("mean_rank")
