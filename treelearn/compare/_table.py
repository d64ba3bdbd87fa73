"""The tables a comparison is made of: the per-fold table and its summary.

:func:`~treelearn.compare.cross_validate_criteria` writes the per-fold table (one row
per data set, criterion and fold); :func:`~treelearn.compare.summarize` turns it into
the summary (one row per data set and criterion). Both keep their score names in
``attrs["metrics"]``; a summary also records the score it ranked and tested on in
``attrs["metric"]``. The statistics, the plots and the command line read the tables
through the helpers here, so "which columns are scores" and "which score ranks" are
decided in one place.
"""

from __future__ import annotations

import pandas as pd

__all__ = ["primary_metric"]

#: Columns of the per-fold table that are not scores.
FOLD_COLUMNS = (
    "dataset",
    "criterion",
    "repeat",
    "fold",
    "n_samples",
    "n_train",
    "n_test",
)
#: Per-fold tree statistics and times (means of them in the summary).
TREE_COLUMNS = ("tree_size", "n_leaves", "depth", "fit_time", "predict_time")
NOT_SCORES = frozenset((*FOLD_COLUMNS, *TREE_COLUMNS, "error"))


#: Scores are rounded to this many decimals before they are ranked, so that scores equal
#: up to floating-point noise (two means of the same fold scores summed in another
#: order, 0.936 - 0.931 against 0.768 - 0.763) tie.
RANK_DECIMALS = 12


def for_ranking(scores: pd.Series | pd.DataFrame) -> pd.Series | pd.DataFrame:
    """Scores as they are compared when ranked: rounded to :data:`RANK_DECIMALS`."""
    return scores.round(RANK_DECIMALS)


def ordered(values: pd.Series) -> list:
    """Unique values in order of first appearance."""
    return list(dict.fromkeys(values.tolist()))


def score_columns(folds: pd.DataFrame) -> list[str]:
    """The score columns of a per-fold table, in order."""
    metrics = folds.attrs.get("metrics")
    if metrics:
        return list(metrics)
    return [
        c
        for c in folds.columns
        if c not in NOT_SCORES and pd.api.types.is_numeric_dtype(folds[c].dtype)
    ]


def _score_names(table: pd.DataFrame) -> list[str]:
    """Score names of a per-fold table or of a summary (``<score>_mean`` columns)."""
    if "fold" in table.columns:
        return score_columns(table)
    names = list(table.attrs.get("metrics") or [])
    if not names:
        names = [c.removesuffix("_mean") for c in table.columns if c.endswith("_mean")]
    return names


def primary_metric(table: pd.DataFrame, metric: str | None = None) -> str:
    """The score a comparison ranks and tests on.

    Parameters
    ----------
    table : DataFrame
        A per-fold table of :func:`~treelearn.compare.cross_validate_criteria` or a
        summary of :func:`~treelearn.compare.compare_criteria` /
        :func:`~treelearn.compare.summarize` (also after a round trip through CSV or
        JSON, which loses ``attrs``).
    metric : str, optional
        A score the caller asks for; it is checked against the table's scores.

    Returns
    -------
    str
        ``metric`` when given; otherwise the score a summary was ranked on
        (``attrs["metric"]``), else the table's first score.

    Raises
    ------
    ValueError
        If the table has no score column, or ``metric`` is not one of its scores.

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"criterion": ["ID3"], "accuracy_mean": [0.9], "f1_mean": [0.8]})
    >>> primary_metric(table)
    'accuracy'
    >>> primary_metric(table, "f1")
    'f1'
    """
    names = _score_names(table)
    if not names:
        raise ValueError(
            "the table has no score columns (no '<score>_mean' column and no per-fold "
            "score); pass a table of compare_criteria or cross_validate_criteria"
        )
    if metric is None:
        ranked = table.attrs.get("metric")
        return ranked if ranked in names else names[0]
    if metric not in names:
        raise ValueError(f"unknown metric {metric!r}; the table has {', '.join(names)}")
    return metric
