"""The cross-validation runner: shared folds, fit-and-score, progress.

:func:`cross_validate_criteria` computes the folds of every data set once and fits
every criterion on the same folds, so that the comparison is paired; it returns the
per-fold table the statistics summarise.
"""

from __future__ import annotations

import functools
import io
import math
import sys
import time
import warnings
from collections.abc import Callable
from numbers import Integral
from typing import Any, TextIO

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.exceptions import FitFailedWarning
from sklearn.model_selection import StratifiedKFold
from sklearn.utils import check_random_state

from treelearn.compare._inputs import (
    Dataset,
    resolve_criteria,
    resolve_datasets,
    resolve_scoring,
    with_missing_values,
)
from treelearn.compare._table import FOLD_COLUMNS, NOT_SCORES, TREE_COLUMNS

__all__ = ["cross_validate_criteria"]

# ------------------------------------------------------------------------- folds


def _dealt_folds(y: Any, n_splits: int, rng: np.random.RandomState) -> list:
    """Stratified folds for data too small for ``StratifiedKFold``: shuffle, sort by
    class, deal the rows round-robin (what Weka does, so 10 folds of 14 rows work)."""
    _, codes = np.unique(y, return_inverse=True)
    order = rng.permutation(y.shape[0])
    order = order[np.argsort(codes[order], kind="stable")]
    fold_of = np.empty(y.shape[0], dtype=np.intp)
    fold_of[order] = np.arange(y.shape[0]) % n_splits
    return [(np.flatnonzero(fold_of != k), np.flatnonzero(fold_of == k)) for k in range(n_splits)]


def is_splitter(cv: Any) -> bool:
    """Whether ``cv`` is a scikit-learn splitter (has ``split`` and ``get_n_splits``)."""
    return hasattr(cv, "split") and hasattr(cv, "get_n_splits")


def _make_folds(
    data: Dataset, cv: Any, n_repeats: int, random_state: Any
) -> list[tuple[int, int, np.ndarray, np.ndarray]]:
    """``(repeat, fold, train, test)`` for one data set; shared by every criterion."""
    if is_splitter(cv):
        return [
            (0, k, np.asarray(tr), np.asarray(te))
            for k, (tr, te) in enumerate(cv.split(data.X, data.y))
        ]
    n = data.y.shape[0]
    if cv > n:
        raise ValueError(f"cv={cv} folds, but data set {data.name!r} has only {n} rows")
    rng = check_random_state(random_state)
    _, counts = np.unique(data.y, return_counts=True)
    out: list[tuple[int, int, np.ndarray, np.ndarray]] = []
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
    """Rows by position of an array, a DataFrame or a Series."""
    return X.iloc[rows] if isinstance(X, pd.DataFrame | pd.Series) else X[rows]


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
    y: Any,
    train: np.ndarray,
    test: np.ndarray,
    scorers: dict[str, Callable],
    raise_errors: bool,
) -> dict[str, Any]:
    """Fit a clone on the training rows, time it, score it on the test rows."""
    try:
        model = clone(estimator)
        start = time.perf_counter()
        model.fit(_take(X, train), _take(y, train))
        fit_time = time.perf_counter() - start
        X_test, y_test = _take(X, test), _take(y, test)
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


class _Lines(io.TextIOBase):
    """A stream for tqdm off a terminal: each refresh becomes one line of its own
    (``\\r`` rewrites are for terminals; a log wants lines)."""

    def __init__(self, stream: TextIO):
        self.stream = stream

    def write(self, text: str) -> int:
        line = text.replace("\r", "").strip()
        if line:
            self.stream.write(line + "\n")
        return len(text)

    def flush(self) -> None:
        self.stream.flush()


class _Progress:
    """Progress of the fits, through :mod:`tqdm`.

    On a terminal, and in Jupyter (``tqdm.auto``'s widget), a bar with the rate and
    the time left; elsewhere (a log, a CI job) a line every :data:`LOG_INTERVAL`
    seconds, and nothing for a run shorter than that. ``enabled=None`` shows the bar
    where there is one and stays silent in logs; ``False`` shows nothing.
    """

    LOG_INTERVAL = 10.0

    def __init__(self, total: int, enabled: bool | None, stream: TextIO | None = None):
        stream = sys.stderr if stream is None else stream
        isatty = getattr(stream, "isatty", None)
        terminal = bool(isatty and isatty())
        self.bar: Any = None
        if enabled is False or total <= 0:
            return
        from tqdm.auto import tqdm as auto_tqdm  # imports tqdm.autonotebook quietly
        from tqdm.autonotebook import tqdm as chosen
        from tqdm.std import tqdm as std_tqdm

        notebook = chosen is not std_tqdm  # autonotebook chose the Jupyter widget
        if terminal or notebook:
            self.bar = auto_tqdm(total=total, file=stream, unit="fit", leave=False)
        elif enabled:
            self.bar = std_tqdm(
                total=total,
                file=_Lines(stream),
                unit="fit",
                ascii=True,
                ncols=100,
                mininterval=self.LOG_INTERVAL,
                maxinterval=self.LOG_INTERVAL,
                delay=self.LOG_INTERVAL,
                leave=False,
            )

    def update(self, label: str = "") -> None:
        if self.bar is not None:
            self.bar.set_postfix_str(label, refresh=False)
            self.bar.update(1)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


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
    missing_values: Any = None,
) -> pd.DataFrame:
    """Cross-validate every criterion on every data set with shared folds; one row per fold.

    The parameters are those of :func:`~treelearn.compare.compare_criteria` (which
    summarises this table).

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
    if not is_splitter(cv):
        if isinstance(cv, bool) or not isinstance(cv, int | np.integer) or cv < 2:
            raise ValueError(f"cv must be an integer >= 2 or a splitter, got {cv!r}")
        cv = int(cv)
    if isinstance(n_repeats, bool) or not isinstance(n_repeats, int) or n_repeats < 1:
        raise ValueError(f"n_repeats must be an integer >= 1, got {n_repeats!r}")
    raise_errors = isinstance(error_score, str)
    if raise_errors and error_score != "raise":
        raise ValueError(f"error_score must be 'raise' or a number, got {error_score!r}")
    scorers = resolve_scoring(scoring)
    clash = NOT_SCORES.intersection(scorers)
    if clash:
        raise ValueError(f"score names clash with the table's columns: {sorted(clash)}")
    models = with_missing_values(resolve_criteria(criteria), missing_values)
    data = resolve_datasets(datasets, target=target)
    # An integer seed gives every data set StratifiedKFold(..., random_state=seed)'s folds;
    # a RandomState (or None) is drawn from in turn.
    seed: int | np.random.RandomState
    if isinstance(random_state, Integral) and not isinstance(random_state, bool):
        seed = int(random_state)
    else:
        seed = check_random_state(random_state)
    tasks = []
    for d_index, dataset in enumerate(data):
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
        columns=[*FOLD_COLUMNS, *scorers, *TREE_COLUMNS, "error"],
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
