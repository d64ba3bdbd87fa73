"""scikit-learn compatible estimators: one base, presets that differ in defaults."""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from numbers import Integral, Real
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.exceptions import DataConversionWarning
from sklearn.utils import Bunch, _safe_indexing, check_random_state, compute_sample_weight
from sklearn.utils._param_validation import HasMethods, Interval, RealNotInt, StrOptions
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import (
    _check_sample_weight,
    check_is_fitted,
    validate_data,
)

from treelearn import _data, _model_selection, _persistence
from treelearn._builder import build_tree
from treelearn._c45_rules import C45Rules
from treelearn._data import FeatureEncoding
from treelearn._growth_rules import GrowthRules, SklearnRules
from treelearn._pruning_ccp import cost_complexity_pruning_path, prune_ccp
from treelearn._pruning_error_based import collapse, prune_error_based
from treelearn._pruning_reduced_error import prune_reduced_error, reduced_error_split
from treelearn._tolerances import WEIGHT_FRACTION_SLACK
from treelearn._tree import Tree
from treelearn.criteria import CRITERIA, SplitCriterion, get_criterion

__all__ = [
    "ESTIMATORS",
    "C45Classifier",
    "CARTClassifier",
    "DecisionTreeClassifier",
    "ID3Classifier",
]


def _check_y(y, estimator_name: str = "This estimator") -> np.ndarray:
    """Validate the target: 1-D, no missing values, classification labels."""
    if y is None:
        raise ValueError(f"{estimator_name} requires y to be passed, but the target y is None.")
    if isinstance(y, pd.DataFrame):
        if y.shape[1] != 1:
            raise ValueError(
                f"y must be 1-D (one target column); got a DataFrame with {y.shape[1]} columns."
            )
        y = y.iloc[:, 0]
    if isinstance(y, pd.Series) and isinstance(y.dtype, pd.CategoricalDtype):
        y = y.astype(object)
    arr = np.asarray(y)
    if arr.ndim == 2 and arr.shape[1] == 1:
        warnings.warn(
            "A column-vector y was passed when a 1d array was expected. Please change "
            "the shape of y to (n_samples, ), for example using ravel().",
            DataConversionWarning,
            stacklevel=3,
        )
        arr = arr.ravel()
    if arr.ndim != 1:
        raise ValueError(
            f"y must be 1-D; got an array of shape {arr.shape}. Multi-output targets are "
            "not supported."
        )
    missing = pd.isna(pd.Series(arr, dtype=object if arr.dtype.kind == "O" else None))
    if missing.any():
        raise ValueError(
            f"Input y contains NaN (or another missing value) at {int(missing.sum())} "
            "position(s); drop those rows first."
        )
    if arr.dtype.kind in "fc" and not np.isfinite(arr).all():
        raise ValueError("Input y contains infinity.")
    check_classification_targets(arr)
    return arr


def _encode_classes(y_raw, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Classes and codes of the target.

    A pandas categorical target keeps its declared categories, in their order
    (ARFF's class values; C4.5 counts declared classes), seen or not; any other
    target has the sorted unique labels, as scikit-learn does.
    """
    if isinstance(y_raw, pd.Series) and isinstance(y_raw.dtype, pd.CategoricalDtype):
        classes = np.asarray(y_raw.cat.categories, dtype=object)
        codes = y_raw.cat.codes.to_numpy().astype(np.intp)
        if classes.size >= 2 or classes.size == np.unique(codes).size:
            return classes, codes
    return np.unique(y, return_inverse=True)


class BaseDecisionTree(ClassifierMixin, BaseEstimator):
    """Shared machinery of every treelearn classifier (not for direct use)."""

    _parameter_constraints: ClassVar[dict] = {
        "criterion": [StrOptions(set(CRITERIA)), HasMethods(["impurity"])],
        "max_depth": [Interval(Integral, 1, None, closed="left"), None],
        "min_samples_split": [
            Interval(Integral, 2, None, closed="left"),
            Interval(RealNotInt, 0.0, 1.0, closed="right"),
        ],
        "min_samples_leaf": [
            Interval(Integral, 1, None, closed="left"),
            Interval(RealNotInt, 0.0, 1.0, closed="neither"),
        ],
        "min_weight_fraction_leaf": [Interval(Real, 0.0, 0.5, closed="both")],
        "max_features": [
            Interval(Integral, 1, None, closed="left"),
            Interval(RealNotInt, 0.0, 1.0, closed="right"),
            StrOptions({"sqrt", "log2"}),
            None,
        ],
        "random_state": ["random_state"],
        "max_leaf_nodes": [Interval(Integral, 2, None, closed="left"), None],
        "min_impurity_decrease": [Interval(Real, 0.0, None, closed="left")],
        "class_weight": [dict, list, StrOptions({"balanced"}), None],
        "categorical_features": ["array-like", StrOptions({"auto"}), None],
        "categorical_split": [StrOptions({"multiway", "binary"})],
        "ccp_alpha": [Interval(Real, 0.0, None, closed="left"), StrOptions({"cv"})],
    }

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
    ):
        self.criterion = criterion
        self.max_depth = max_depth
        self.min_samples_split = min_samples_split
        self.min_samples_leaf = min_samples_leaf
        self.min_weight_fraction_leaf = min_weight_fraction_leaf
        self.max_features = max_features
        self.random_state = random_state
        self.max_leaf_nodes = max_leaf_nodes
        self.min_impurity_decrease = min_impurity_decrease
        self.class_weight = class_weight
        self.categorical_features = categorical_features
        self.categorical_split = categorical_split
        self.ccp_alpha = ccp_alpha

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        return tags

    # -- fitting -----------------------------------------------------------------------
    def _criterion(self) -> SplitCriterion:
        return get_criterion(self.criterion)

    def _common_rules(self, n_features: int) -> dict:
        """The growth parameters every family shares (see ``GrowthRules``)."""
        mf = self.max_features
        if mf == "sqrt":
            mf = max(1, int(np.sqrt(n_features)))
        elif mf == "log2":
            mf = max(1, int(np.log2(n_features)))
        elif isinstance(mf, Real) and not isinstance(mf, Integral):
            mf = max(1, int(mf * n_features))
        return {
            "max_depth": self.max_depth,
            "min_impurity_decrease": float(self.min_impurity_decrease),
            "max_features": None if mf is None else int(mf),
            "max_leaf_nodes": self.max_leaf_nodes,
            "rng": np.random.default_rng(check_random_state(self.random_state).randint(2**31 - 1)),
            "categorical_split": self.categorical_split,
        }

    def _growth_rules(self, Xe: np.ndarray, encoding, total_weight: float) -> GrowthRules:
        """The rules this estimator grows by, resolved for the training data."""
        n_samples, n_features = Xe.shape
        mss = self.min_samples_split
        if isinstance(mss, Real) and not isinstance(mss, Integral):
            mss = max(2, int(np.ceil(mss * n_samples)))
        msl = self.min_samples_leaf
        if isinstance(msl, Real) and not isinstance(msl, Integral):
            msl = max(1, int(np.ceil(msl * n_samples)))
        mss = max(int(mss), 2 * int(msl))
        # a side whose weight is within the slack below the limit passes: prefix
        # sums and direct sums of the same weights round differently
        fraction = max(float(self.min_weight_fraction_leaf) - WEIGHT_FRACTION_SLACK, 0.0)
        return SklearnRules(
            min_samples_split=int(mss),
            min_samples_leaf=int(msl),
            min_weight_leaf=fraction * total_weight,
            **self._common_rules(n_features),
        )

    def fit(self, X, y, sample_weight=None):
        """Grow the tree on training data ``X`` (numpy or pandas) and labels ``y``.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
            Numeric and categorical features; missing values allowed.
        y : array-like of shape (n_samples,)
            Class labels.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights; integer weights grow the same tree as
            duplicated rows.

        Returns
        -------
        self
        """
        self._validate_params()
        criterion = self._criterion()
        if not isinstance(criterion, SplitCriterion):
            raise TypeError(
                f"criterion must be a name or a SplitCriterion instance, got {criterion!r}"
            )
        validate_data(self, X, reset=True, skip_check_array=True)
        Xe, encoding = _data.fit_encoding(X, self.categorical_features)
        y_raw = y
        y = _check_y(y, type(self).__name__)
        if y.shape[0] != Xe.shape[0]:
            raise ValueError(
                f"X has {Xe.shape[0]} samples but y has {y.shape[0]}; they must match."
            )
        classes, y_codes = _encode_classes(y_raw, y)
        self.n_classes_ = classes.shape[0]  # the growth rules of C4.5 count them
        sample_weight = _check_sample_weight(
            sample_weight, Xe, dtype=np.float64, ensure_non_negative=True
        )
        if self.class_weight is not None:
            sample_weight = sample_weight * compute_sample_weight(self.class_weight, y)
        if not np.isfinite(sample_weight).all():
            raise ValueError("sample_weight contains NaN or infinity.")
        if sample_weight.sum() <= 0:
            raise ValueError("sample_weight sums to zero; at least one positive weight is needed.")
        used = sample_weight > 0  # a row of weight 0 is no row at all
        if not used.all():
            Xe, y_codes = np.asfortranarray(Xe[used]), y_codes[used]
            sample_weight = sample_weight[used]
        rules = self._growth_rules(Xe, encoding, float(sample_weight.sum()))
        tree = self._grow(Xe, y_codes, sample_weight, encoding, criterion, rules)
        state = {
            "classes_": classes,
            "n_features_in_": Xe.shape[1],
            "categories_": list(encoding.categories),
            "criterion_": criterion,
            "max_features_": rules.max_features or Xe.shape[1],
            "tree_": tree,
        }
        if hasattr(self, "feature_names_in_"):  # set by validate_data for named columns
            state["feature_names_in_"] = self.feature_names_in_
        state["ccp_alpha_"], state["tree_"] = self._prune_ccp(X, y, sample_weight, used, tree)
        self._set_fitted_state(state)
        return self

    #: The fitted state: every attribute ``fit`` sets, and what a saved estimator
    #: stores (``to_json``); ``feature_names_in_`` only for named columns. The
    #: derived ``n_classes_``, ``n_outputs_``, ``categorical_features_`` and the
    #: encoding are set from it by :meth:`_set_fitted_state`.
    _FITTED_STATE: ClassVar[tuple[str, ...]] = (
        "classes_",
        "n_features_in_",
        "feature_names_in_",
        "categories_",
        "criterion_",
        "ccp_alpha_",
        "max_features_",
        "tree_",
    )

    def _fitted_state(self) -> dict:
        """The fitted state by name (see ``_FITTED_STATE``)."""
        check_is_fitted(self, "tree_")
        return {name: getattr(self, name) for name in self._FITTED_STATE if hasattr(self, name)}

    def _set_fitted_state(self, state: dict) -> None:
        """Become the estimator described by ``state`` (from ``fit`` or a document)."""
        unknown = set(state) - set(self._FITTED_STATE)
        missing = set(self._FITTED_STATE) - set(state) - {"feature_names_in_"}
        if unknown or missing:
            raise ValueError(
                f"fitted state of {type(self).__name__}: unknown {sorted(unknown)}, "
                f"missing {sorted(missing)}"
            )
        if "feature_names_in_" not in state and hasattr(self, "feature_names_in_"):
            del self.feature_names_in_
        for name, value in state.items():
            setattr(self, name, value)
        self.n_classes_ = int(self.classes_.shape[0])
        self.n_outputs_ = 1
        self._encoding = FeatureEncoding.from_categories(self.categories_)
        self.categorical_features_ = self._encoding.is_categorical.copy()

    def _grow(self, Xe, y_codes, sample_weight, encoding, criterion, rules) -> Tree:
        return build_tree(
            Xe,
            y_codes,
            sample_weight,
            self.n_classes_,
            encoding.is_categorical,
            encoding.n_categories,
            criterion,
            rules,
        )

    def _prune_ccp(self, X, y, sample_weight, used, tree: Tree) -> tuple[float, Tree]:
        """Cost-complexity pruning after growth (``ccp_alpha``; ``"cv"`` selects it).

        ``sample_weight`` holds the weights of the rows ``used`` in growth. Returns
        the alpha used and the pruned tree.
        """
        alpha = getattr(self, "ccp_alpha", 0.0)
        if isinstance(alpha, str):  # "cv": k-fold cross-validation with the one-SE rule
            if not used.all():
                X, y = _safe_indexing(X, np.flatnonzero(used)), y[used]
            alpha = _model_selection.cross_validate_ccp_path(
                self, X, y, sample_weight, cv=10, random_state=self.random_state, one_se=True
            ).ccp_alpha
        alpha = float(alpha)
        if alpha > 0:
            tree = prune_ccp(tree, alpha, float(tree.weighted_n_node_samples[0]))
        return alpha, tree

    def cost_complexity_pruning_path(self, X, y, sample_weight=None) -> Bunch:
        """Minimal cost-complexity pruning path of the tree grown on ``(X, y)``.

        As scikit-learn's: the tree is grown with ``ccp_alpha=0`` and pruned by
        weakest links; ``R(t) = w_t/w_root · impurity(t)``.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        ccp_path : Bunch
            ``ccp_alphas`` (effective alphas, starting at 0) and ``impurities``
            (total leaf impurity ``Σ R(t)`` of the subtree at each alpha).
        """
        est = clone(self)
        if "ccp_alpha" in est.get_params(deep=False):
            est.set_params(ccp_alpha=0.0)
        tree = est.fit(X, y, sample_weight).tree_
        alphas, impurities = cost_complexity_pruning_path(
            tree, float(tree.weighted_n_node_samples[0])
        )
        return Bunch(ccp_alphas=alphas, impurities=impurities)

    # -- prediction --------------------------------------------------------------------
    def _encode(self, X) -> np.ndarray:
        check_is_fitted(self, "tree_")
        X = _data._as_2d(X)  # shape errors first, in scikit-learn's words
        validate_data(self, X, reset=False, skip_check_array=True)
        Xe = _data.transform(X, self._encoding, checked=True)
        if Xe.shape[1] != self.n_features_in_:
            raise ValueError(
                f"X has {Xe.shape[1]} features, but {type(self).__name__} is expecting "
                f"{self.n_features_in_} features as input."
            )
        return Xe

    def predict_proba(self, X) -> np.ndarray:
        """Class probabilities: the leaf's class distribution (summed over branches
        by their training weights for a missing value)."""
        Xe = self._encode(X)
        return self.tree_.predict_proba(Xe)

    def predict_log_proba(self, X) -> np.ndarray:
        """Logarithm of :meth:`predict_proba`."""
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

    def predict(self, X) -> np.ndarray:
        """Most probable class (the first one on ties)."""
        Xe = self._encode(X)
        return self.tree_.predict_class(Xe, labels=self.classes_)

    def apply(self, X) -> np.ndarray:
        """Index of the leaf each sample ends in (the heaviest one for missing values)."""
        Xe = self._encode(X)
        return self.tree_.apply(Xe)

    def decision_path(self, X):
        """Sparse indicator (n_samples, node_count) of the nodes each sample visits."""
        Xe = self._encode(X)
        return self.tree_.decision_path(Xe)

    def get_depth(self) -> int:
        """Depth of the tree (a lone root has depth 0)."""
        check_is_fitted(self, "tree_")
        return self.tree_.max_depth

    def get_n_leaves(self) -> int:
        """Number of leaves."""
        check_is_fitted(self, "tree_")
        return self.tree_.n_leaves

    @property
    def feature_importances_(self) -> np.ndarray:
        """Normalised total weighted impurity decrease per feature."""
        check_is_fitted(self, "tree_")
        return self.tree_.compute_feature_importances()

    def to_json(self, **kwargs) -> str:
        """The fitted estimator as a versioned JSON document (``treelearn.load_json`` reads it).

        Keyword arguments (``path=``, ``indent=``) go to
        :func:`treelearn._persistence.dump_json`.
        """
        return _persistence.dump_json(self, **kwargs)


class DecisionTreeClassifier(BaseDecisionTree):
    """A decision tree classifier with a pluggable split criterion.

    Parameters
    ----------
    criterion : {"entropy", "log_loss", "information_gain", "gain_ratio", "gini"} or \
SplitCriterion, default="entropy"
        What "best split" means; a :class:`~treelearn.criteria.SplitCriterion`
        instance plugs in a criterion of your own.
    max_depth : int, default=None
        Depth limit; ``None`` grows until leaves are pure or too small.
    min_samples_split : int or float, default=2
        Minimum samples (or fraction of samples) a node needs to be split.
    min_samples_leaf : int or float, default=1
        Minimum samples (or fraction) in every child of a split.
    min_weight_fraction_leaf : float, default=0.0
        Minimum fraction of the total sample weight in every child.
    max_features : int, float, {"sqrt", "log2"} or None, default=None
        Features drawn at random per node and competing for its split.
    random_state : int, RandomState instance or None, default=None
        Seeds the draw of ``max_features``. Ties between equally good splits are
        broken deterministically (lowest threshold, then lowest feature index),
        not at random.
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

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    n_classes_ : int
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Only when ``X`` has string column names.
    n_outputs_ : int
        Always 1.
    categorical_features_ : ndarray of bool
    categories_ : list
        Category values of each categorical feature (``None`` for numeric ones).
    criterion_ : SplitCriterion
    ccp_alpha_ : float
        The cost-complexity alpha the tree was pruned with (the chosen one for
        ``ccp_alpha="cv"``).
    tree_ : Tree
        The fitted tree as parallel arrays.
    feature_importances_ : ndarray of shape (n_features_in_,)

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
    distinct values). Same parameters as :class:`DecisionTreeClassifier`.

    Examples
    --------
    >>> from treelearn import ID3Classifier
    >>> from treelearn.datasets import load_play_tennis
    >>> data = load_play_tennis(as_frame=True)
    >>> clf = ID3Classifier().fit(data.data, data.target)
    >>> clf.get_depth(), clf.get_n_leaves()
    (2, 5)
    """


class CARTClassifier(DecisionTreeClassifier):
    """Breiman et al.'s CART: Gini impurity, binary splits, subset splits for categories.

    Same parameters as :class:`DecisionTreeClassifier`, with ``criterion="gini"``
    and ``categorical_split="binary"`` by default. ``ccp_alpha`` prunes by minimal
    cost-complexity (``"cv"``: chosen by cross-validation with the one-SE rule).

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from treelearn import CARTClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> CARTClassifier(max_depth=2).fit(X, y).score(X, y)
    0.96
    """

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
        )


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
categorical_features
        As in :class:`DecisionTreeClassifier` (off by default; J48 has none).

    Examples
    --------
    >>> from treelearn import C45Classifier
    >>> from treelearn.datasets import load_vote
    >>> X, y = load_vote(as_frame=True, return_X_y=True)
    >>> clf = C45Classifier().fit(X, y)          # J48: 6 leaves, size 11, 97.24 %
    >>> clf.get_n_leaves(), clf.tree_.node_count, round(100 * clf.score(X, y), 2)
    (6, 11, 97.24)
    """

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
        )
        self.confidence = confidence
        self.pruning = pruning
        self.subtree_raising = subtree_raising
        self.laplace = laplace
        self.reduced_error_folds = reduced_error_folds

    def _growth_rules(self, Xe: np.ndarray, encoding, total_weight: float) -> GrowthRules:
        """C4.5 release 8's growth rules (J48): weights, minSplit, MDL, relocation.

        They see every training row (also with reduced-error pruning, as J48)."""
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
        if self.pruning == "reduced_error":
            grow, prune = reduced_error_split(y_codes, self.reduced_error_folds)
            tree = build_tree(
                np.asfortranarray(Xe[grow]),
                y_codes[grow],
                sample_weight[grow],
                self.n_classes_,
                encoding.is_categorical,
                encoding.n_categories,
                criterion,
                rules,
            )
            return prune_reduced_error(tree, Xe[prune], y_codes[prune], sample_weight[prune])
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
            )
        return tree

    def predict_proba(self, X) -> np.ndarray:
        """Class probabilities (Laplace-smoothed at the leaves when ``laplace=True``)."""
        Xe = self._encode(X)
        return self.tree_.predict_proba(Xe, laplace=self.laplace)


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
