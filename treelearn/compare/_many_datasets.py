"""Tests over many data sets (Demšar 2006): Friedman, Nemenyi, Holm-corrected Wilcoxon.

A comparison on one data set asks whether two criteria differ on *that* data; a
comparison over many data sets asks whether they differ in general, with the data sets
as the independent samples. Demšar (2006) recommends rank-based tests for that question:

* :func:`score_matrix` -- the data sets x criteria table of one score that they all read;
* :func:`friedman_test` -- do the criteria differ at all? Friedman's chi-square on the
  mean ranks and Iman and Davenport's F (less conservative);
* :func:`nemenyi_test` -- which pairs differ? Two criteria differ when their mean ranks
  are at least the critical difference ``CD = q_alpha sqrt(k (k + 1) / (6 N))`` apart,
  ``q_alpha`` the Studentized range statistic divided by ``sqrt 2`` (Demšar's Table 5a);
* :func:`holm_wilcoxon` -- the Wilcoxon signed-rank test of every pair over the data
  sets, its p-values corrected by Holm's step-down method;
* :func:`critical_difference_groups` -- the maximal groups of criteria whose mean ranks
  lie within one critical difference (the bars of a CD diagram).

SciPy does the distributions and the signed-rank test (``scipy.stats.friedmanchisquare``,
``wilcoxon``, ``studentized_range``, ``f``, ``chi2``). scikit-posthocs was considered: it
offers the same Nemenyi and Wilcoxon p-values on top of SciPy and statsmodels, so it
would add statsmodels and seaborn as dependencies for nothing SciPy lacks here.

Higher scores are better (scikit-learn's convention for scorers): rank 1 is the best
criterion on a data set, ties share the mean of their ranks.

The module runs past the ~500 lines CONTRIBUTING.md asks for: it is one concept (the
rank tests over data sets, which share the score matrix, the ranks and the critical
difference), and half of it is the formulas and examples of six public docstrings.

References
----------
J. Demšar, "Statistical comparisons of classifiers over multiple data sets", Journal
of Machine Learning Research 7:1-30 (2006).
R. L. Iman and J. M. Davenport, "Approximations of the critical region of the Friedman
statistic", Communications in Statistics 9:571-595 (1980).
S. Holm, "A simple sequentially rejective multiple test procedure", Scandinavian
Journal of Statistics 6:65-70 (1979).
"""

from __future__ import annotations

import math
import warnings
from itertools import combinations
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from treelearn.compare._table import for_ranking, ordered, primary_metric

__all__ = [
    "critical_difference_groups",
    "friedman_test",
    "holm_wilcoxon",
    "nemenyi_critical_value",
    "nemenyi_test",
    "score_matrix",
]


def _check_alpha(alpha: float) -> float:
    alpha = float(alpha)
    if not 0.0 < alpha < 1.0:
        raise ValueError(f"alpha must lie strictly between 0 and 1, got {alpha!r}")
    return alpha


def score_matrix(result: pd.DataFrame, *, metric: str | None = None) -> pd.DataFrame:
    """The scores of a comparison as a data sets x criteria table.

    Parameters
    ----------
    result : DataFrame
        The table of :func:`~treelearn.compare.compare_criteria` (one row per data set
        and criterion, a ``<metric>_mean`` column), the per-fold table of
        :func:`~treelearn.compare.cross_validate_criteria` (the folds are averaged), or
        a wide table that is already one row per data set and one column per criterion
        (its index names the data sets), as the scores of a paper are printed.
    metric : str, optional
        The score to read; by default the one the comparison ranked on.

    Returns
    -------
    DataFrame
        Index ``dataset``, one column per criterion, in the order of the input. Data
        sets where some criterion has no score (a failed fit) are dropped with a
        ``UserWarning`` naming them: the rank tests need every criterion on every data
        set.

    Raises
    ------
    ValueError
        If the table has no such score, or fewer than two criteria or data sets remain.

    Examples
    --------
    >>> import pandas as pd
    >>> long = pd.DataFrame({"dataset": ["a", "a", "b", "b"],
    ...                      "criterion": ["ID3", "CART"] * 2,
    ...                      "accuracy_mean": [0.9, 0.8, 0.7, 0.75]})
    >>> score_matrix(long)
    criterion  ID3  CART
    dataset
    a          0.9  0.80
    b          0.7  0.75
    """
    if not isinstance(result, pd.DataFrame):
        raise TypeError(f"result must be a DataFrame, got {type(result).__name__}")
    if {"dataset", "criterion"}.issubset(result.columns):
        metric = primary_metric(result, metric)
        column = metric if "fold" in result.columns else f"{metric}_mean"
        if column not in result.columns:
            raise ValueError(f"the table has no column {column!r}")
        matrix = result.pivot_table(
            index="dataset", columns="criterion", values=column, aggfunc="mean", dropna=False
        )
        matrix = matrix.loc[ordered(result["dataset"]), ordered(result["criterion"])]
        # pivot_table skips NaN cells; a failed criterion must show as missing.
        matrix = matrix.astype(np.float64)
    else:
        if metric is not None:
            raise ValueError("metric= applies to a long comparison table, not a wide one")
        matrix = result.apply(pd.to_numeric, errors="raise").astype(np.float64)
        matrix.index.name = "dataset"
        matrix.columns.name = "criterion"
    incomplete = matrix.isna().any(axis=1)
    if incomplete.any():
        warnings.warn(
            "left out data sets where a criterion has no score: "
            + ", ".join(map(str, matrix.index[incomplete])),
            UserWarning,
            stacklevel=3,
        )
        matrix = matrix.loc[~incomplete]
    if matrix.shape[1] < 2:
        raise ValueError(f"need at least 2 criteria to compare, got {matrix.shape[1]}")
    if matrix.shape[0] < 2:
        raise ValueError(
            f"need scores on at least 2 data sets to test over data sets, got {matrix.shape[0]}"
        )
    return matrix


def _ranks(matrix: pd.DataFrame) -> pd.DataFrame:
    """Rank of every criterion on every data set (1 = highest score, ties averaged)."""
    return for_ranking(matrix).rank(axis=1, ascending=False, method="average")


def _mean_ranks(matrix: pd.DataFrame) -> pd.Series:
    return _ranks(matrix).mean(axis=0).rename("mean_rank")


def friedman_test(
    result: pd.DataFrame,
    *,
    metric: str | None = None,
    alpha: float = 0.05,
    tie_correction: bool = False,
) -> pd.DataFrame:
    r"""Friedman's test that all criteria perform alike over the data sets.

    With ``N`` data sets, ``k`` criteria and mean ranks ``R_j``,

    .. math:: \chi^2_F = \frac{12 N}{k (k + 1)} \left[\sum_j R_j^2
              - \frac{k (k + 1)^2}{4}\right], \qquad
              F_F = \frac{(N - 1) \chi^2_F}{N (k - 1) - \chi^2_F}

    ``chi2_F`` has ``k - 1`` degrees of freedom; Iman and Davenport's ``F_F`` has
    ``(k - 1, (k - 1)(N - 1))`` and is the one Demšar recommends (``chi2_F`` is
    conservative).

    Parameters
    ----------
    result : DataFrame
        A comparison table (see :func:`score_matrix`).
    metric : str, optional
        The score to rank; by default the one the comparison ranked on.
    alpha : float, default=0.05
        Significance level of the ``significant`` and ``critical_value`` columns.
    tie_correction : bool, default=False
        Divide ``chi2_F`` by the correction for tied ranks, as
        ``scipy.stats.friedmanchisquare`` does (which then computes it). Demšar's
        formula, and so his printed numbers, have no correction.

    Returns
    -------
    DataFrame
        Two rows, ``test`` = ``"friedman_chi2"`` and ``"iman_davenport_f"``, columns
        ``statistic``, ``df1``, ``df2`` (NaN for the chi-square), ``p_value``,
        ``critical_value`` (at ``alpha``), ``significant``, ``n_datasets`` and
        ``n_criteria``. ``attrs["mean_ranks"]`` holds the mean ranks (a dict, best
        first) and ``attrs["metric"]`` the score.

    Examples
    --------
    >>> import pandas as pd
    >>> scores = pd.DataFrame({"A": [0.90, 0.80, 0.70, 0.90, 0.85, 0.75],
    ...                        "B": [0.85, 0.78, 0.72, 0.80, 0.80, 0.70],
    ...                        "C": [0.70, 0.75, 0.60, 0.70, 0.80, 0.65]})
    >>> friedman_test(scores)[["test", "statistic", "p_value", "significant"]].round(4)
                   test  statistic  p_value  significant
    0     friedman_chi2     9.2500   0.0098         True
    1  iman_davenport_f    16.8182   0.0006         True
    """
    alpha = _check_alpha(alpha)
    matrix = score_matrix(result, metric=metric)
    n, k = matrix.shape
    mean_ranks = _mean_ranks(matrix)
    r = mean_ranks.to_numpy()
    chi2 = 12.0 * n / (k * (k + 1)) * (float(np.sum(r**2)) - k * (k + 1) ** 2 / 4.0)
    if tie_correction:
        if k > 2:
            with warnings.catch_warnings():  # all-tied data: SciPy divides 0 by 0
                warnings.simplefilter("ignore", RuntimeWarning)
                chi2 = float(stats.friedmanchisquare(*matrix.to_numpy().T).statistic)
        else:  # SciPy wants three groups or more; the correction is the same there
            chi2 = _tie_corrected(chi2, matrix)
    if not math.isnan(chi2):
        chi2 = max(chi2, 0.0)  # rounding may leave -1e-15 when every rank ties
    df1, df2 = k - 1, (k - 1) * (n - 1)
    denominator = n * (k - 1) - chi2
    if math.isnan(chi2):  # every score tied on every data set under tie correction
        f_stat = math.nan
    elif denominator <= 1e-12 * n * k:  # the same order on every data set: F is infinite
        f_stat = math.inf
    else:
        f_stat = (n - 1) * chi2 / denominator
    rows = [
        {
            "test": "friedman_chi2",
            "statistic": chi2,
            "df1": float(df1),
            "df2": math.nan,
            "p_value": float(stats.chi2.sf(chi2, df1)),
            "critical_value": float(stats.chi2.ppf(1.0 - alpha, df1)),
        },
        {
            "test": "iman_davenport_f",
            "statistic": f_stat,
            "df1": float(df1),
            "df2": float(df2),
            "p_value": float(stats.f.sf(f_stat, df1, df2)),
            "critical_value": float(stats.f.ppf(1.0 - alpha, df1, df2)),
        },
    ]
    out = pd.DataFrame(rows)
    out["significant"] = out["p_value"] < alpha
    out["n_datasets"] = n
    out["n_criteria"] = k
    out.attrs = {
        "metric": _metric_name(result, metric),
        "alpha": alpha,
        "mean_ranks": mean_ranks.sort_values(kind="stable").to_dict(),
    }
    return out


def _tie_corrected(chi2: float, matrix: pd.DataFrame) -> float:
    """Friedman's chi-square divided by the correction for tied ranks."""
    n, k = matrix.shape
    ties = 0.0
    for _, row in _ranks(matrix).iterrows():  # one row per data set, not per sample
        counts = row.value_counts().to_numpy(dtype=float)
        ties += float(np.sum(counts**3 - counts))
    correction = 1.0 - ties / (n * k * (k * k - 1))
    return chi2 / correction if correction > 0 else math.nan


def _metric_name(result: pd.DataFrame, metric: str | None) -> str | None:
    if {"dataset", "criterion"}.issubset(result.columns):
        return primary_metric(result, metric)
    return metric


def nemenyi_critical_value(n_criteria: int, alpha: float = 0.05) -> float:
    """Demšar's ``q_alpha``: the Studentized range quantile (infinite df) over ``sqrt 2``.

    Parameters
    ----------
    n_criteria : int
        The number ``k >= 2`` of criteria compared.
    alpha : float, default=0.05
        Significance level.

    Returns
    -------
    float
        ``studentized_range.ppf(1 - alpha, k, inf) / sqrt(2)``.

    Examples
    --------
    >>> round(nemenyi_critical_value(4, 0.05), 3), round(nemenyi_critical_value(10, 0.10), 3)
    (2.569, 2.92)
    """
    alpha = _check_alpha(alpha)
    if isinstance(n_criteria, bool) or int(n_criteria) != n_criteria or n_criteria < 2:
        raise ValueError(f"n_criteria must be an integer >= 2, got {n_criteria!r}")
    return float(stats.studentized_range.ppf(1.0 - alpha, int(n_criteria), np.inf) / math.sqrt(2))


def nemenyi_test(
    result: pd.DataFrame, *, metric: str | None = None, alpha: float = 0.05
) -> pd.DataFrame:
    r"""The Nemenyi post-hoc test: every pair of criteria, by their mean ranks.

    Two criteria differ significantly when their mean ranks differ by at least the
    critical difference

    .. math:: CD = q_\alpha \sqrt{\frac{k (k + 1)}{6 N}}

    with ``q_alpha`` the Studentized range statistic for ``k`` groups and infinite
    degrees of freedom divided by ``sqrt 2`` (Demšar's Table 5a:
    :func:`nemenyi_critical_value`). The p-value of a pair is the Studentized range
    tail probability of its rank difference. Use it after :func:`friedman_test`
    rejects.

    Parameters
    ----------
    result : DataFrame
        A comparison table (see :func:`score_matrix`).
    metric : str, optional
        The score to rank; by default the one the comparison ranked on.
    alpha : float, default=0.05
        Significance level.

    Returns
    -------
    DataFrame
        One row per pair, the better-ranked criterion first, pairs in the order of the
        criteria's mean ranks: ``criterion_a``, ``criterion_b``, ``mean_rank_a``,
        ``mean_rank_b``, ``rank_difference`` (``b - a``, >= 0), ``critical_difference``,
        ``p_value``, ``significant``. ``attrs`` holds ``critical_difference``,
        ``q_alpha``, ``alpha``, ``n_datasets``, ``mean_ranks`` (dict, best first) and
        ``groups`` (:func:`critical_difference_groups`).

    Examples
    --------
    >>> import pandas as pd
    >>> scores = pd.DataFrame({"A": [0.90, 0.80, 0.70, 0.90, 0.85, 0.75],
    ...                        "B": [0.85, 0.78, 0.72, 0.80, 0.80, 0.70],
    ...                        "C": [0.70, 0.75, 0.60, 0.70, 0.80, 0.65]})
    >>> table = nemenyi_test(scores)
    >>> table[["criterion_a", "criterion_b", "rank_difference", "significant"]]
      criterion_a criterion_b  rank_difference  significant
    0           A           B             0.75        False
    1           A           C             1.75         True
    2           B           C             1.00        False
    >>> round(table.attrs["critical_difference"], 3)
    1.353
    """
    alpha = _check_alpha(alpha)
    matrix = score_matrix(result, metric=metric)
    n, k = matrix.shape
    mean_ranks = _mean_ranks(matrix).sort_values(kind="stable")
    q_alpha = nemenyi_critical_value(k, alpha)
    scale = math.sqrt(k * (k + 1) / (6.0 * n))
    cd = q_alpha * scale
    rows = []
    for first, second in combinations(mean_ranks.index, 2):
        diff = float(mean_ranks[second] - mean_ranks[first])
        p = float(stats.studentized_range.sf(diff / scale * math.sqrt(2), k, np.inf))
        rows.append(
            {
                "criterion_a": first,
                "criterion_b": second,
                "mean_rank_a": float(mean_ranks[first]),
                "mean_rank_b": float(mean_ranks[second]),
                "rank_difference": diff,
                "critical_difference": cd,
                "p_value": min(p, 1.0),
                "significant": diff >= cd,
            }
        )
    out = pd.DataFrame(rows)
    out.attrs = {
        "metric": _metric_name(result, metric),
        "alpha": alpha,
        "q_alpha": q_alpha,
        "critical_difference": cd,
        "n_datasets": n,
        "mean_ranks": mean_ranks.to_dict(),
        "groups": critical_difference_groups(mean_ranks, cd),
    }
    return out


def critical_difference_groups(mean_ranks: Any, critical_difference: float) -> list[list[str]]:
    """Maximal groups of criteria whose mean ranks all lie within one critical difference.

    The thick bars of a CD diagram: criteria joined by a bar are not significantly
    different. A group is every criterion whose mean rank lies in ``[r, r + CD)`` for
    some criterion's rank ``r``; groups contained in another one are dropped, and so are
    single criteria.

    Parameters
    ----------
    mean_ranks : mapping or Series
        Mean rank of every criterion.
    critical_difference : float
        The critical difference of :func:`nemenyi_test`.

    Returns
    -------
    list of list of str
        Each group best-ranked first; groups in the order of their best member.

    Examples
    --------
    >>> critical_difference_groups({"a": 1.0, "b": 1.5, "c": 2.9, "d": 3.0}, 1.2)
    [['a', 'b'], ['c', 'd']]
    """
    ranks = pd.Series(dict(mean_ranks), dtype=np.float64).sort_values(kind="stable")
    values = ranks.to_numpy()
    names = list(ranks.index)
    # rank r_j is within CD of r_i when r_j - r_i < CD (significant is >= CD)
    ends = np.searchsorted(values, values + critical_difference, side="left")
    groups: list[list[str]] = []
    last_end = 0
    for start, end in enumerate(ends):
        if end - start >= 2 and end > last_end:
            groups.append([str(n) for n in names[start:end]])
        last_end = max(last_end, int(end))
    return groups


def _holm(p_values: np.ndarray) -> np.ndarray:
    """Holm's step-down adjusted p-values (NaN stays NaN and is not counted)."""
    p = np.asarray(p_values, dtype=np.float64)
    out = np.full(p.shape, np.nan)
    known = np.flatnonzero(~np.isnan(p))
    m = known.size
    if m == 0:
        return out
    order = known[np.argsort(p[known], kind="stable")]
    scaled = (m - np.arange(m)) * p[order]
    out[order] = np.minimum(np.maximum.accumulate(scaled), 1.0)
    return out


def holm_wilcoxon(
    result: pd.DataFrame,
    *,
    metric: str | None = None,
    alpha: float = 0.05,
    zero_method: str = "zsplit",
) -> pd.DataFrame:
    """Wilcoxon signed-rank test of every pair of criteria over the data sets, Holm-corrected.

    For each pair, the differences of their scores on the ``N`` data sets are ranked by
    absolute value; ``R+`` sums the ranks where the first criterion scores higher,
    ``R-`` where the second does. Data sets where the two tie count half to each sum
    (Demšar's rule, SciPy's ``zero_method="zsplit"``). The p-value is
    ``scipy.stats.wilcoxon``'s, exact when there are no ties and no zero differences
    and ``N <= 50``, otherwise from the normal approximation; the p-values of all pairs
    are then adjusted by Holm's step-down method, which keeps the family-wise error at
    ``alpha``.

    Parameters
    ----------
    result : DataFrame
        A comparison table (see :func:`score_matrix`).
    metric : str, optional
        The score to test; by default the one the comparison ranked on.
    alpha : float, default=0.05
        Family-wise significance level.
    zero_method : {"zsplit", "wilcox", "pratt"}, default="zsplit"
        How tied data sets count (see ``scipy.stats.wilcoxon``).

    Returns
    -------
    DataFrame
        One row per pair in the order of the criteria: ``criterion_a``,
        ``criterion_b``, ``n_datasets``, ``r_plus``, ``r_minus``, ``statistic``
        (``min(R+, R-)``, Demšar's ``T``), ``p_value`` (two-sided, uncorrected),
        ``p_holm``, ``significant`` (``p_holm < alpha``) and ``better`` (the
        significantly better criterion, else ``None``).

    Examples
    --------
    >>> import pandas as pd
    >>> scores = pd.DataFrame({"A": [0.90, 0.80, 0.70, 0.90, 0.85, 0.75],
    ...                        "B": [0.85, 0.78, 0.72, 0.80, 0.80, 0.70],
    ...                        "C": [0.70, 0.75, 0.60, 0.70, 0.80, 0.65]})
    >>> holm_wilcoxon(scores)[["criterion_a", "criterion_b", "r_plus", "r_minus", "p_holm"]]
      criterion_a criterion_b  r_plus  r_minus    p_holm
    0           A           B    19.5      1.5  0.079303
    1           A           C    21.0      0.0  0.079303
    2           B           C    20.5      0.5  0.079303
    """
    alpha = _check_alpha(alpha)
    if zero_method not in ("zsplit", "wilcox", "pratt"):
        raise ValueError(f"zero_method must be 'zsplit', 'wilcox' or 'pratt', got {zero_method!r}")
    matrix = score_matrix(result, metric=metric)
    rows = []
    for first, second in combinations(matrix.columns, 2):
        d = for_ranking(matrix[first] - matrix[second]).to_numpy()
        r_plus, r_minus = _signed_rank_sums(d, zero_method)
        p = _wilcoxon_p(d, zero_method)
        rows.append(
            {
                "criterion_a": first,
                "criterion_b": second,
                "n_datasets": int(d.shape[0]),
                "r_plus": r_plus,
                "r_minus": r_minus,
                "statistic": min(r_plus, r_minus),
                "p_value": p,
            }
        )
    out = pd.DataFrame(rows)
    out["p_holm"] = _holm(out["p_value"].to_numpy())
    out["significant"] = out["p_holm"] < alpha
    out["better"] = [
        (row.criterion_a if row.r_plus > row.r_minus else row.criterion_b)
        if row.significant
        else None
        for row in out.itertuples()
    ]
    out.attrs = {"metric": _metric_name(result, metric), "alpha": alpha}
    return out


def _signed_rank_sums(d: np.ndarray, zero_method: str) -> tuple[float, float]:
    """``R+`` and ``R-`` of the differences ``d`` under ``zero_method``."""
    if zero_method == "wilcox":
        d = d[d != 0]
    ranks = stats.rankdata(np.abs(d))
    r_plus = float(ranks[d > 0].sum())
    r_minus = float(ranks[d < 0].sum())
    if zero_method == "zsplit":
        half = float(ranks[d == 0].sum()) / 2.0
        r_plus, r_minus = r_plus + half, r_minus + half
    return r_plus, r_minus


def _wilcoxon_p(d: np.ndarray, zero_method: str) -> float:
    """Two-sided p-value of the signed-rank test of ``d`` (NaN when all ``d`` are 0)."""
    if np.all(d == 0):
        return 1.0
    nonzero = np.abs(d[d != 0])
    exact = nonzero.size == d.size and np.unique(nonzero).size == nonzero.size and d.size <= 50
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # SciPy's small-sample notes
        res = stats.wilcoxon(d, zero_method=zero_method, method="exact" if exact else "approx")
    return float(res.pvalue)
