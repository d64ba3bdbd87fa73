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
* :func:`corrected_resampled_ttest` -- Nadeau and Bengio's corrected resampled t-test;
* over many data sets, as Demšar (2006) recommends: :func:`friedman_test` (Friedman's
  chi-square and Iman and Davenport's F on the mean ranks), :func:`nemenyi_test` (every
  pair by the critical difference of their mean ranks; :func:`nemenyi_critical_value`
  is his ``q_alpha`` and :func:`critical_difference_groups` the bars of a CD diagram)
  and :func:`holm_wilcoxon` (Wilcoxon signed-rank tests of every pair over the data
  sets, Holm-corrected); :func:`score_matrix` is the data sets x criteria table they
  read;
* :func:`primary_metric` -- the score a comparison table ranks and tests on;
* :func:`imbalanced_suite` -- data sets with a rare class (one-vs-rest tasks of the
  bundled data, skewed ``make_classification``; :data:`IMBALANCED_TASKS` lists their
  minority fractions), to compare with ``scoring=["balanced_accuracy", "roc_auc_ovr",
  "average_precision", "f1_macro"]`` and ``"cart+balanced"``-style criteria;
* :func:`get_scorer` -- the scorer of a score name: scikit-learn's, except that
  ``roc_auc_ovr``, ``roc_auc`` and ``average_precision`` survive classes missing from
  a training or test fold;
* :func:`resolve_datasets`, :func:`resolve_criteria` and :data:`PRESETS` -- what
  ``datasets=`` and ``criteria=`` accept, resolved into labelled :class:`Dataset`
  records and unfitted estimators (the ``treelearn`` command uses them too);
* :func:`feature_information` -- entropy of the class and the gain, split information
  and gain ratio of every feature at the root (what ``treelearn info`` prints);
* :func:`plot_comparison` -- the picture of a comparison table (``kind="cd"``: the
  critical-difference diagram, :func:`plot_critical_difference`), and
  :func:`plot_trees` -- the trees the criteria grow on one data set, side by side
  (matplotlib).

One concept per module: ``_statistics`` (tests, summary, ranks), ``_many_datasets``
(the rank tests over data sets), ``_inputs`` (data sets and criteria), ``_scoring``
(fold-safe scorers), ``_imbalanced`` (the imbalanced suite), ``_cross_validation``
(folds, fit-and-score, progress), ``_features`` (per-feature information), ``_plots``
(pictures) and ``_table`` (the columns of the per-fold and summary tables); this module
is the facade.

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

from typing import Any

import numpy as np
import pandas as pd

from treelearn.compare._cross_validation import cross_validate_criteria, is_splitter
from treelearn.compare._features import feature_information
from treelearn.compare._imbalanced import IMBALANCED_TASKS, imbalanced_suite
from treelearn.compare._inputs import PRESETS, Dataset, resolve_criteria, resolve_datasets
from treelearn.compare._many_datasets import (
    critical_difference_groups,
    friedman_test,
    holm_wilcoxon,
    nemenyi_critical_value,
    nemenyi_test,
    score_matrix,
)
from treelearn.compare._plots import plot_comparison, plot_critical_difference, plot_trees
from treelearn.compare._scoring import get_scorer
from treelearn.compare._statistics import (
    TTestResult,
    corrected_resampled_ttest,
    mean_ranks,
    pairwise_tests,
    summarize,
)
from treelearn.compare._table import primary_metric

__all__ = [
    "IMBALANCED_TASKS",
    "PRESETS",
    "Dataset",
    "TTestResult",
    "compare_criteria",
    "corrected_resampled_ttest",
    "critical_difference_groups",
    "cross_validate_criteria",
    "feature_information",
    "friedman_test",
    "get_scorer",
    "holm_wilcoxon",
    "imbalanced_suite",
    "mean_ranks",
    "nemenyi_critical_value",
    "nemenyi_test",
    "pairwise_tests",
    "plot_comparison",
    "plot_critical_difference",
    "plot_trees",
    "primary_metric",
    "resolve_criteria",
    "resolve_datasets",
    "score_matrix",
    "summarize",
]


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
    missing_values: Any = None,
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
        a :class:`~treelearn.DecisionTreeClassifier` with that criterion), either one
        with ``"+balanced"`` appended (``class_weight="balanced"``, labelled e.g.
        ``CART+balanced``), a
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
        ``"roc_auc_ovr"`` (mean one-vs-rest ROC AUC over the classes of the test fold),
        ``"roc_auc"`` (two classes) and ``"average_precision"`` (two classes; for more,
        the mean one-vs-rest average precision over the classes of the test fold) are
        treelearn's fold-safe versions (:func:`get_scorer`): a class missing from a
        training or test fold does not fail the fold.
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
        Progress of the fits (:mod:`tqdm`): a bar with the time left on a terminal
        and in Jupyter; ``True`` also prints a line every 10 s when stderr is a log
        (not a terminal); ``False`` shows nothing. By default, a bar where there is
        one and silence in logs.
    missing_values : str or list of str, optional
        Compare missing-value strategies (``"fractional"``, ``"learned"``,
        ``"surrogate"``; a list, or a comma-separated string) the way criteria are
        compared: every treelearn criterion is fitted once per strategy on the same
        folds, labelled ``"<criterion>/<strategy>"`` (e.g. ``ID3/learned``);
        scikit-learn estimators are kept once; ``"surrogate"`` needs binary splits,
        so a criterion with multiway categorical splits (ID3, C4.5) is compared
        under the other strategies only. ``None``: each estimator's default.

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
    plot_comparison : The picture of this table.

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
    if isinstance(alpha, bool) or not isinstance(alpha, int | float) or not 0 < alpha < 1:
        raise ValueError(f"alpha must be a number strictly between 0 and 1, got {alpha!r}.")
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
        missing_values=missing_values,
    )
    summary = summarize(folds, baseline=baseline, alpha=alpha)
    summary.attrs["cv"] = repr(cv) if is_splitter(cv) else int(cv)
    summary.attrs["n_repeats"] = n_repeats
    return summary
