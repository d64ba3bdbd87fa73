"""The estimators: one generic classifier and the ID3, C4.5 and CART presets.

They share :class:`~treelearn._base.BaseDecisionTree` and differ in defaults; C4.5
also grows by its own rules (:mod:`treelearn._c45_rules`) and prunes as J48 does.
:func:`load_json` reads the estimators back from their JSON documents.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from numbers import Integral, Real
from typing import Any, ClassVar

import numpy as np

from treelearn import _data, _persistence
from treelearn._base import BaseDecisionTree
from treelearn._builder import build_tree
from treelearn._builder_hist import DEFAULT_HISTOGRAM_MB
from treelearn._c45_rules import C45Rules
from treelearn._growth_rules import GrowthRules, RpartRules
from treelearn._model_selection import cross_validate_cptable, rpart_folds
from treelearn._pruning_error_based import collapse, prune_error_based
from treelearn._pruning_reduced_error import prune_reduced_error, reduced_error_split
from treelearn._pruning_rpart import (
    cp_table,
    node_risk,
    one_se_row,
    prune_rpart,
    prune_rpart_at,
    table_alpha,
)
from treelearn._sparse_values import SparseColumns
from treelearn._tree import Tree
from treelearn._validation import Interval, StrOptions

__all__ = [
    "ESTIMATORS",
    "BaseDecisionTree",
    "C45Classifier",
    "CARTClassifier",
    "DecisionTreeClassifier",
    "ID3Classifier",
    "load_json",
]


class DecisionTreeClassifier(BaseDecisionTree):
    """A decision tree classifier with a pluggable split criterion.

    Parameters
    ----------
    criterion : str or SplitCriterion, default="entropy"
        What "best split" means: a name of ``treelearn.criteria.CRITERIA``
        (``"entropy"``/``"log_loss"``/``"information_gain"``, ``"gain_ratio"``,
        ``"gini"``, and from the literature ``"hellinger"``, ``"twoing"``,
        ``"misclassification"``, ``"dkm"``, ``"chi_square"``, ``"g_statistic"``,
        ``"tsallis"``, ``"renyi"``), or a :class:`~treelearn.criteria.SplitCriterion`
        instance (e.g. ``Tsallis(q=3)``, or a criterion of your own).
    max_depth : int, default=None
        Depth limit; ``None`` grows until leaves are pure or too small.
    min_samples_split : int or float, default=2
        Minimum samples (or fraction of samples) a node needs to be split.
        Samples are rows under ``missing_values="learned"`` and ``"surrogate"``
        (as scikit-learn's ``min_samples_split`` and rpart's ``minsplit``: a row
        of weight 3 is one sample), and weight in units of the lightest row under
        ``"fractional"`` (a row of weight 3 is three samples).
    min_samples_leaf : int or float, default=1
        Minimum samples (or fraction) in every child of a split, counted as for
        ``min_samples_split``.
    min_weight_fraction_leaf : float, default=0.0
        Minimum fraction of the total sample weight in every child.
    max_features : int, float, {"sqrt", "log2"} or None, default=None
        Features drawn at random per node and competing for its split.
    random_state : int, RandomState instance or None, default=None
        Seeds the draw of ``max_features`` and the thresholds of
        ``splitter="random"``. Ties between equally good splits are broken
        deterministically (lowest threshold, then lowest feature index), not at
        random.
    max_leaf_nodes : int, default=None
        Grow the best-first tree with at most this many leaves.
    min_impurity_decrease : float, default=0.0
        Split a node only if the weighted impurity decrease
        ``N_t / N * gain`` is at least this.
    class_weight : dict, list, "balanced" or None, default=None
        Weights of the classes, multiplied into ``sample_weight``.
    categorical_features : "auto", array-like or None, default="auto"
        Which columns are categorical: ``"auto"`` takes pandas ``category``,
        ``object``, ``string`` and ``bool`` columns; otherwise indices, names or a
        boolean mask. Numpy input is numeric unless named here.
    categorical_split : {"multiway", "binary"}, default="multiway"
        One branch per category seen at the node (ID3, C4.5), or the best
        two-way grouping of the categories (CART).
    ccp_alpha : non-negative float or "cv", default=0.0
        Minimal cost-complexity pruning after growth (as scikit-learn): the
        smallest subtree minimising ``R(T) + ccp_alpha·|leaves(T)|`` with
        ``R(T) = Σ_leaves (w_t/w_root)·impurity(t)``; 0 does not prune. ``"cv"``
        chooses the alpha by 10-fold cross-validation with the one-SE rule
        (rpart's default), see
        :func:`treelearn._model_selection.select_ccp_alpha_cv`.
    missing_values : {"learned", "fractional", "surrogate"}, default="learned"
        How missing values (``NaN``, ``None``, ``pd.NA``) are split on and routed
        (:mod:`treelearn._missing` states the rules):

        * ``"learned"`` (scikit-learn >= 1.3, the default of this drop-in): at each
          split all missing cases go to the side that scores better (the right on
          ties, as scikit-learn); a node that met none in training sends them to
          the child with more training weight (the right on ties). Categorical
          splits: the missing cases join the branch where the split scores best
          by impurity.
        * ``"fractional"`` (C4.5): gains on known values scaled by their fraction;
          a missing value goes down every branch with fractional weights, at fit
          and at predict. Sizes are counted in weight, in units of the lightest
          row: ``min_samples_split``/``min_samples_leaf`` count a copy as its
          share of its row (a row's copies add up to the row; integer weights
          count as duplicated rows), and crumbs of copies do not make a node
          impure.
        * ``"surrogate"`` (CART as R's rpart runs it, ``usesurrogate=2``): the
          primary split is chosen on the cases whose value is known; up to
          ``max_surrogates`` surrogate splits per node, ranked by their agreement
          with the primary (only those beating the majority direction), route a
          case whose primary value is missing; with none usable it goes to the
          child with more cases. The same at predict. Binary splits only (pass
          ``categorical_split="binary"`` for categorical features);
          :mod:`treelearn._surrogates` states rpart's rules.
    max_surrogates : int, default=5
        Surrogate splits kept per node under ``missing_values="surrogate"``
        (rpart's ``maxsurrogate``); ignored otherwise.
    max_competitors : int, default=0
        Competing splits kept per split node (R's rpart ``maxcompete``, whose
        default is 4; here 0: nothing is stored and fits are unchanged): the best
        split of each of the ``max_competitors`` runner-up features, ranked as
        the chosen split won (score, then feature index), each with its test
        (threshold or category table), score and gain, in
        ``tree_.competitors`` (:mod:`treelearn._competitor_tables`). Read from
        the split search of the fit, not searched again; shown by
        ``export_text``/``export_graphviz`` on request and in the HTML explorer.
        A competitor is a description, never used to predict. Not with
        ``splitter="hist"``.
    splitter : {"best", "random", "hist"}, default="best"
        ``"best"``: the exact search over every threshold of every numeric feature.
        ``"random"``: scikit-learn's random splitter (Extremely Randomized Trees):
        each numeric feature competes at a node with one threshold drawn uniformly
        between the node's smallest and largest known value of it, reproducibly
        from ``random_state`` (see :mod:`treelearn._split_random`); categorical
        features are split as under ``"best"``. ``"hist"``: the histogram search
        over at most ``max_bins`` quantile bins per feature
        (:mod:`treelearn._builder_hist`), the same criterion and growth rules; on
        features with at most ``max_bins`` distinct values it grows the exact tree;
        missing values get a bin of their own and are routed ``"learned"`` or
        ``"fractional"`` as by the exact search (``"surrogate"``: a ``ValueError``);
        sparse X is binned from its non-zeros, with
        the densified matrix's bins and tree (:mod:`treelearn._hist_sparse`). Dask
        input to ``fit`` always uses it.
        :class:`C45Classifier` takes neither ``"random"`` nor ``"hist"``.
    max_bins : int in [2, 255], default=255
        Bins per feature of ``splitter="hist"`` (missing values get one more); a
        categorical feature keeps one bin per category and may have at most this many.
    max_histogram_mb : float, default=256
        MiB of histograms ``splitter="hist"`` counts in one pass (Spark MLlib's
        ``maxMemoryInMB``): a level whose nodes need more is counted in several
        passes over the data.
    n_jobs : int, default=None
        Threads of the exact builder (``splitter="best"``): the numeric features
        are sorted and partitioned, and their blocks searched, on up to this many
        threads (numpy releases the GIL). ``None`` means 1, ``-1`` every core, as in
        scikit-learn. The tree is the same bit for bit for any ``n_jobs``.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,) or list of ndarray
        The class labels; for multi-output ``y`` a list with one array per output.
    n_classes_ : int or ndarray of int
        The number of classes (of each output, for multi-output ``y``).
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features,)
        Only when ``X`` has string column names.
    n_outputs_ : int
        Number of outputs: the columns of a 2-D ``y`` (one tree predicts them all,
        its splits scored by the criterion's mean over outputs, as scikit-learn's;
        ``predict`` then returns ``(n_samples, n_outputs)`` and ``predict_proba`` a
        list of arrays; ``tree_.value`` is ``(node_count, n_outputs,
        max_n_classes)``). Multi-output ``y`` is for scikit-learn-style trees:
        :class:`C45Classifier` and ``CARTClassifier(cp=...)`` raise a ``ValueError``.
    categorical_features_ : ndarray of bool
    categories_ : list
        Category values of each categorical feature (``None`` for numeric ones).
    criterion_ : SplitCriterion
    ccp_alpha_ : float
        The cost-complexity alpha the tree was pruned with (the chosen one for
        ``ccp_alpha="cv"``).
    tree_ : Tree
        The fitted tree as parallel arrays.
    feature_importances_ : ndarray of shape (n_features,)

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from treelearn import DecisionTreeClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = DecisionTreeClassifier(criterion="gini").fit(X, y)
    >>> clf.get_n_leaves(), clf.score(X, y)
    (9, 1.0)
    """


class ID3Classifier(DecisionTreeClassifier):
    """Quinlan's ID3: information gain, one branch per category, no pruning.

    Numeric features get binary thresholds (midpoints between consecutive
    distinct values). Same parameters as :class:`DecisionTreeClassifier`, with
    ``missing_values="fractional"`` by default (C4.5's treatment; ID3 itself had
    none).

    Examples
    --------
    >>> from treelearn import ID3Classifier
    >>> from treelearn.datasets import load_play_tennis
    >>> data = load_play_tennis(as_frame=True)
    >>> clf = ID3Classifier().fit(data.data, data.target)
    >>> clf.get_depth(), clf.get_n_leaves()
    (2, 5)
    """

    def __init__(
        self,
        *,
        criterion="entropy",
        max_depth=None,
        min_samples_split=2,
        min_samples_leaf=1,
        min_weight_fraction_leaf=0.0,
        max_features=None,
        random_state=None,
        max_leaf_nodes=None,
        min_impurity_decrease=0.0,
        class_weight=None,
        categorical_features="auto",
        categorical_split="multiway",
        ccp_alpha=0.0,
        missing_values="fractional",
        max_surrogates=5,
        max_competitors=0,
        splitter="best",
        max_bins=255,
        max_histogram_mb=DEFAULT_HISTOGRAM_MB,
        n_jobs=None,
    ):
        super().__init__(
            criterion=criterion,
            max_depth=max_depth,
            min_samples_split=min_samples_split,
            min_samples_leaf=min_samples_leaf,
            min_weight_fraction_leaf=min_weight_fraction_leaf,
            max_features=max_features,
            random_state=random_state,
            max_leaf_nodes=max_leaf_nodes,
            min_impurity_decrease=min_impurity_decrease,
            class_weight=class_weight,
            categorical_features=categorical_features,
            categorical_split=categorical_split,
            ccp_alpha=ccp_alpha,
            missing_values=missing_values,
            max_surrogates=max_surrogates,
            max_competitors=max_competitors,
            splitter=splitter,
            max_bins=max_bins,
            max_histogram_mb=max_histogram_mb,
            n_jobs=n_jobs,
        )


class CARTClassifier(DecisionTreeClassifier):
    """Breiman et al.'s CART: Gini impurity, binary splits, subset splits for categories.

    Same parameters as :class:`DecisionTreeClassifier`, with ``criterion="gini"``
    and ``categorical_split="binary"`` by default, plus rpart's complexity pruning.

    Two pruning rules, which differ in what they measure:

    * ``cp`` (R rpart's complexity parameter, Breiman et al.'s CART): prunes on the
      *misclassification risk*, the training weight a node's majority class gets
      wrong. A split is kept only if it lowers the risk by at least
      ``cp · R(root)`` per split of its subtree, so ``cp=0`` still collapses every
      split that does not lower the training misclassification. The tree is grown
      by rpart's rules (a split must improve the Gini impurity; two-class
      categorical splits by the ordered-proportion search) and pruned as rpart
      computes its complexities; on the bundled data sets without missing values
      it gives rpart's trees (``minsplit`` = ``min_samples_split``, ``minbucket`` =
      ``min_samples_leaf``) up to rpart's tie rules.
    * ``ccp_alpha`` (scikit-learn's minimal cost-complexity pruning): prunes on the
      *impurity* ``Σ_leaves (w_t/w_root)·gini(t)``; ``0`` does not prune.

    Both may be set; ``cp`` prunes first.

    Parameters
    ----------
    cp : float in [0, 1], "1se" or None, default=None
        rpart's complexity parameter. ``None``: no risk-based pruning, scikit-learn's
        growth rules (the tree of ``sklearn.tree.DecisionTreeClassifier``). A number:
        rpart's growth rules and its pruning at that ``cp`` (rpart's default is
        ``0.01``). ``"1se"``: grow with ``cp=0``, cross-validate the ``cptable``
        (``xval`` folds, 10 when ``xval=0``) and keep the smallest subtree whose
        ``xerror`` is within one ``xstd`` of the minimum (the one-SE rule);
        ``cp_`` is its CP.
    xval : int or array-like of shape (n_samples,), default=0
        rpart's cross-validation of the ``cptable`` (its ``xerror`` and ``xstd``
        columns): the number of folds (rows dealt at random with
        ``random_state``), or the fold id of every row. ``0`` (the default; rpart's
        is 10) does not cross-validate: one fit, a three-column table. Only used
        with ``cp``.
    criterion, max_depth, min_samples_split, min_samples_leaf, \
min_weight_fraction_leaf, max_features, random_state, max_leaf_nodes, \
min_impurity_decrease, class_weight, categorical_features, categorical_split, \
ccp_alpha, missing_values, max_surrogates, max_competitors, splitter, n_jobs
        As in :class:`DecisionTreeClassifier`. ``cp`` needs binary splits.
        ``missing_values`` is ``"surrogate"`` by default (rpart's treatment).

    Attributes
    ----------
    cp_ : float or None
        The ``cp`` the tree was pruned at (the chosen one for ``"1se"``).
    cptable_ : ndarray of shape (n_rows, 3) or (n_rows, 5), or None
        rpart's ``printcp`` table: one row per nested subtree, largest CP first,
        columns ``CP``, ``nsplit``, ``rel error`` and, cross-validated, ``xerror``
        and ``xstd`` (all risks relative to the root's). ``prune``-ing at a row's
        CP (``CARTClassifier(cp=that CP)`` on the same data) gives the subtree of
        that row. For ``cp="1se"`` the table of the ``cp=0`` tree the choice was
        made from. ``None`` without ``cp``.
    Other attributes as in :class:`DecisionTreeClassifier`.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from treelearn import CARTClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> CARTClassifier(max_depth=2).fit(X, y).score(X, y)
    0.96
    >>> clf = CARTClassifier(cp=0.01, min_samples_split=20, min_samples_leaf=7).fit(X, y)
    >>> clf.tree_.node_count, clf.cptable_.tolist()
    (5, [[0.5, 0.0, 1.0], [0.44, 1.0, 0.5], [0.01, 2.0, 0.06]])
    """

    _parameter_constraints: ClassVar[dict] = {
        **DecisionTreeClassifier._parameter_constraints,
        "cp": [Interval(Real, 0.0, 1.0, closed="both"), StrOptions({"1se"}), None],
        "xval": [Interval(Integral, 0, None, closed="left"), "array-like"],
    }

    _FITTED_STATE: ClassVar[tuple[str, ...]] = (
        *DecisionTreeClassifier._FITTED_STATE,
        "cp_",
        "cptable_",
    )

    def __init__(
        self,
        *,
        criterion="gini",
        max_depth=None,
        min_samples_split=2,
        min_samples_leaf=1,
        min_weight_fraction_leaf=0.0,
        max_features=None,
        random_state=None,
        max_leaf_nodes=None,
        min_impurity_decrease=0.0,
        class_weight=None,
        categorical_features="auto",
        categorical_split="binary",
        ccp_alpha=0.0,
        cp=None,
        xval=0,
        missing_values="surrogate",
        max_surrogates=5,
        max_competitors=0,
        splitter="best",
        max_bins=255,
        max_histogram_mb=DEFAULT_HISTOGRAM_MB,
        n_jobs=None,
    ):
        super().__init__(
            criterion=criterion,
            max_depth=max_depth,
            min_samples_split=min_samples_split,
            min_samples_leaf=min_samples_leaf,
            min_weight_fraction_leaf=min_weight_fraction_leaf,
            max_features=max_features,
            random_state=random_state,
            max_leaf_nodes=max_leaf_nodes,
            min_impurity_decrease=min_impurity_decrease,
            class_weight=class_weight,
            categorical_features=categorical_features,
            categorical_split=categorical_split,
            ccp_alpha=ccp_alpha,
            missing_values=missing_values,
            max_surrogates=max_surrogates,
            max_competitors=max_competitors,
            splitter=splitter,
            max_bins=max_bins,
            max_histogram_mb=max_histogram_mb,
            n_jobs=n_jobs,
        )
        self.cp = cp
        self.xval = xval

    def _check_multi_output(self) -> None:
        if self.cp is not None:
            raise ValueError(
                "CARTClassifier with cp (rpart's pruning) fits one output; for multi-output "
                "y use cp=None (scikit-learn's CART, optionally with ccp_alpha)."
            )
        super()._check_multi_output()

    def _growth_rules(
        self, Xe: np.ndarray | SparseColumns, encoding, total_weight: float
    ) -> GrowthRules:
        """scikit-learn's rules, or rpart's (:class:`RpartRules`) with ``cp``."""
        rules = super()._growth_rules(Xe, encoding, total_weight)
        if self.cp is None:
            return rules
        fields = {f.name: getattr(rules, f.name) for f in dataclasses.fields(rules) if f.init}
        return RpartRules(**fields)

    def _prune_grown(self, Xe, y_codes, sample_weight, used, encoding, tree: Tree):
        """rpart's complexity pruning at ``cp`` and its ``cptable`` (cross-validated
        with ``xval``)."""
        if self.cp is None:
            return tree, {"cp_": None, "cptable_": None}
        one_se = isinstance(self.cp, str)
        cp = 0.0 if one_se else float(self.cp)
        xval = self.xval
        if one_se and isinstance(xval, Integral) and xval == 0:
            xval = 10
        grown = tree
        tree = prune_rpart(grown, cp)
        table = cp_table(tree, cp)
        cross = not (isinstance(xval, Integral) and xval == 0)
        if cross:
            if not isinstance(xval, Integral):
                xval = np.asarray(xval)
                if xval.ndim == 1 and xval.shape[0] == used.shape[0]:
                    xval = xval[used]
            folds = rpart_folds(xval, Xe.shape[0], self.random_state)
            root_risk = float(node_risk(grown)[0])
            if root_risk > 0 and table.shape[0] > 1:
                table = cross_validate_cptable(
                    self, Xe, y_codes, sample_weight, encoding, folds, table, cp, root_risk
                )
            else:  # nothing to prune: every fold predicts the root
                table = np.column_stack([table, np.ones((table.shape[0], 2))])
        if one_se:
            chosen = one_se_row(table)
            cp = float(table[chosen, 0])
            tree = prune_rpart_at(grown, table_alpha(tree, 0.0, chosen))
        return tree, {"cp_": cp, "cptable_": table}

    def _set_fitted_state(self, state: dict) -> None:
        # documents written before cp existed have neither attribute
        super()._set_fitted_state({"cp_": None, "cptable_": None, **state})


class C45Classifier(DecisionTreeClassifier):
    """Quinlan's C4.5 (release 8), growing and pruning the trees Weka's J48 grows.

    Gain ratio among the splits whose gain is at least the average, multiway
    splits on categorical features (one branch per declared value), binary
    thresholds on numeric features with C4.5's MDL penalty and thresholds moved
    to training values, missing values spread over all branches with fractional
    weights; then J48's collapse and error-based pruning with subtree raising.
    With its defaults it gives J48's ``-C 0.25 -M 2`` tree.

    Parameters
    ----------
    confidence : float in (0, 0.5], default=0.25
        Confidence factor of the pessimistic error estimate (J48 ``-C``); smaller
        prunes more.
    min_samples_leaf : float, default=2
        ``M`` (J48 ``-M``): the minimum weight in two branches of a split.
    pruning : {"error_based", "reduced_error"} or None, default="error_based"
        ``None`` keeps the unpruned (but collapsed) tree (J48 ``-U``);
        ``"reduced_error"`` holds out one of ``reduced_error_folds`` stratified
        folds to prune on (J48 ``-R``).
    subtree_raising : bool, default=True
        Let error-based pruning replace a node by its largest branch (off: J48 ``-S``).
    laplace : bool, default=False
        Laplace-smoothed leaf probabilities in :meth:`predict_proba` (J48 ``-A``);
        :meth:`predict` is not affected, as in J48.
    reduced_error_folds : int, default=3
        Folds of reduced-error pruning (J48 ``-N``).
    categorical_split : {"multiway", "binary"}, default="multiway"
        ``"binary"``: one declared value against the rest (J48 ``-B``).
    criterion, max_depth, min_samples_split, min_weight_fraction_leaf, \
max_features, random_state, max_leaf_nodes, min_impurity_decrease, class_weight, \
categorical_features, max_surrogates, max_competitors
        As in :class:`DecisionTreeClassifier` (off by default; J48 has none;
        ``max_surrogates`` applies with ``missing_values="surrogate"``).
        Competitors survive pruning at the splits kept on the data they were grown
        on (subtree raising gives a raised node more data: its list is dropped).
    n_jobs : int, default=None
        As in :class:`DecisionTreeClassifier`: threads of the builder; the tree
        does not depend on it.
    missing_values : {"fractional", "learned", "surrogate"}, default="fractional"
        As in :class:`DecisionTreeClassifier`; ``"fractional"`` is J48's treatment
        (C4.5's rules count sizes in weight). Pruning estimates errors as J48 does
        (missing values spread over the branches) under every strategy; a tree grown
        with ``"learned"`` or ``"surrogate"`` keeps that strategy's routing (its
        missing-value directions, its surrogates) at the splits pruning keeps.
        ``"surrogate"`` needs binary splits: numeric data, or
        ``categorical_split="binary"``.

    Examples
    --------
    >>> from treelearn import C45Classifier
    >>> from treelearn.datasets import load_vote
    >>> X, y = load_vote(as_frame=True, return_X_y=True)
    >>> clf = C45Classifier().fit(X, y)          # J48: 6 leaves, size 11, 97.24 %
    >>> clf.get_n_leaves(), clf.tree_.node_count, round(100 * clf.score(X, y), 2)
    (6, 11, 97.24)
    """

    # C45Rules.place_thresholds moves every threshold to a training value
    _thresholds_are_training_values: ClassVar[bool] = True
    _supports_hist: ClassVar[bool] = False

    _parameter_constraints: ClassVar[dict] = {
        **DecisionTreeClassifier._parameter_constraints,
        "min_samples_leaf": [Interval(Real, 0.0, None, closed="neither")],
        "confidence": [Interval(Real, 0.0, 0.5, closed="right")],
        "pruning": [StrOptions({"error_based", "reduced_error"}), None],
        "subtree_raising": ["boolean"],
        "laplace": ["boolean"],
        "reduced_error_folds": [Interval(Integral, 2, None, closed="left")],
    }

    def __init__(
        self,
        *,
        criterion="gain_ratio",
        confidence=0.25,
        min_samples_leaf=2,
        pruning="error_based",
        subtree_raising=True,
        laplace=False,
        reduced_error_folds=3,
        categorical_split="multiway",
        max_depth=None,
        min_samples_split=2,
        min_weight_fraction_leaf=0.0,
        max_features=None,
        random_state=None,
        max_leaf_nodes=None,
        min_impurity_decrease=0.0,
        class_weight=None,
        categorical_features="auto",
        missing_values="fractional",
        max_surrogates=5,
        max_competitors=0,
        splitter="best",
        max_bins=255,
        max_histogram_mb=DEFAULT_HISTOGRAM_MB,
        n_jobs=None,
    ):
        super().__init__(
            criterion=criterion,
            max_depth=max_depth,
            min_samples_split=min_samples_split,
            min_samples_leaf=min_samples_leaf,
            min_weight_fraction_leaf=min_weight_fraction_leaf,
            max_features=max_features,
            random_state=random_state,
            max_leaf_nodes=max_leaf_nodes,
            min_impurity_decrease=min_impurity_decrease,
            class_weight=class_weight,
            categorical_features=categorical_features,
            categorical_split=categorical_split,
            missing_values=missing_values,
            max_surrogates=max_surrogates,
            max_competitors=max_competitors,
            splitter=splitter,
            max_bins=max_bins,
            max_histogram_mb=max_histogram_mb,
            n_jobs=n_jobs,
        )
        self.confidence = confidence
        self.pruning = pruning
        self.subtree_raising = subtree_raising
        self.laplace = laplace
        self.reduced_error_folds = reduced_error_folds

    def _check_multi_output(self) -> None:
        raise ValueError(
            "C45Classifier fits one output (C4.5 and J48 have no multi-output trees); "
            "y must be 1-D. For multi-output y use DecisionTreeClassifier (criterion="
            "'gain_ratio' or 'entropy'), ID3Classifier or CARTClassifier."
        )

    def _growth_rules(
        self, Xe: np.ndarray | SparseColumns, encoding, total_weight: float
    ) -> GrowthRules:
        """C4.5 release 8's growth rules (J48): weights, minSplit, MDL, relocation.

        They see every training row (also with reduced-error pruning, as J48)."""
        if self.splitter == "random":
            raise ValueError(
                "C45Classifier does not support splitter='random': C4.5 (J48) searches "
                "every threshold and places it on a training value (its MDL penalty "
                "counts those candidates). Use splitter='best', or DecisionTreeClassifier("
                "criterion='gain_ratio', splitter='random')."
            )
        return C45Rules.from_data(
            Xe,
            encoding.is_categorical,
            encoding.n_categories,
            self.min_samples_leaf,  # M is a weight, not a count
            self.n_classes_,
            **self._common_rules(Xe.shape[1]),
        )

    def _grow(self, Xe, y_codes, sample_weight, encoding, criterion, rules) -> Tree:
        """Grow, then collapse and prune as J48 does (the C4.5 rules see all rows)."""
        # a tree grown with "learned" or "surrogate" keeps its own missing-value routing
        keep_routing = rules.missing_values != "fractional"
        if self.pruning == "reduced_error":
            if self.reduced_error_folds > y_codes.shape[0]:
                raise ValueError(
                    f"reduced_error_folds={self.reduced_error_folds} is more than the "
                    f"{y_codes.shape[0]} training rows (of positive weight); lower "
                    "reduced_error_folds or use pruning='error_based'."
                )
            grow, prune = reduced_error_split(y_codes, self.reduced_error_folds)
            tree = build_tree(
                _data.take_rows(Xe, grow),
                y_codes[grow],
                sample_weight[grow],
                self.n_classes_,
                encoding.is_categorical,
                encoding.n_categories,
                criterion,
                rules,
                max_surrogates=self._max_surrogates(encoding),
                max_competitors=int(self.max_competitors),
                n_jobs=self._n_jobs(),
            )
            return prune_reduced_error(
                tree,
                Xe[prune],
                y_codes[prune],
                sample_weight[prune],
                keep_routing=keep_routing,
            )
        tree = collapse(super()._grow(Xe, y_codes, sample_weight, encoding, criterion, rules))
        if self.pruning == "error_based":
            tree = prune_error_based(
                tree,
                Xe,
                y_codes,
                sample_weight,
                confidence=self.confidence,
                subtree_raising=self.subtree_raising,
                criterion=criterion,
                keep_routing=keep_routing,
            )
        return tree

    def predict_proba(self, X) -> np.ndarray:
        """Class probabilities (Laplace-smoothed at the leaves when ``laplace=True``)."""
        Xe, nan_rows = self._encode_nan_rows(X)
        return self.tree_.predict_proba(Xe, laplace=self.laplace, nan_rows=nan_rows)


#: The estimators by class name (what a JSON document may name).
ESTIMATORS: dict[str, type[BaseDecisionTree]] = {
    cls.__name__: cls
    for cls in (DecisionTreeClassifier, ID3Classifier, CARTClassifier, C45Classifier)
}


def load_json(source: Any, *, criteria: Mapping[str, Any] | None = None) -> BaseDecisionTree:
    """Load an estimator written by ``estimator.to_json()``.

    Parameters
    ----------
    source : str, bytes, path or file
        The JSON text, or a path / open file holding it.
    criteria : dict of str to SplitCriterion, optional
        User-defined criteria by name, to restore an estimator grown with one so
        that it can be refitted (predicting and exporting work without).

    Returns
    -------
    estimator
        A fitted treelearn estimator whose ``predict_proba`` equals the saved one's,
        with every fitted attribute restored.

    Raises
    ------
    ValueError
        If the document is not valid JSON, not a treelearn document, of an unknown
        format version, or inconsistent in any way (shapes, indices, structure).
    """
    name, params, state = _persistence.read_document(source, criteria=criteria)
    cls = ESTIMATORS.get(name)
    if cls is None:
        _persistence.fail(
            "estimator", f"unknown estimator {name!r}; expected one of {sorted(ESTIMATORS)}"
        )
    assert cls is not None
    known = cls().get_params(deep=False)
    for key in params:
        if key not in known:
            _persistence.fail("params", f"unknown parameter {key!r} for {name}")
    estimator = cls(**params)
    try:
        estimator._validate_params()
    except ValueError as exc:
        _persistence.fail("params", str(exc))
    estimator._set_fitted_state(state)
    return estimator
