"""The base every treelearn classifier shares: parameters, fit, prediction, fitted state.

One class, :class:`BaseDecisionTree`; the presets of :mod:`treelearn._classes`
differ only in defaults and in the growth rules and pruning they choose. ``fit``
validates the input (:mod:`treelearn._validation`), encodes it (:mod:`treelearn._data`),
asks the preset for its growth rules, grows the tree (:mod:`treelearn._builder`),
prunes it, and becomes the fitted estimator through :meth:`_set_fitted_state`, the
same door ``load_json`` uses.
"""

from __future__ import annotations

from numbers import Integral, Real
from typing import Any, ClassVar

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.utils import Bunch

from treelearn import _dask, _data, _model_selection, _persistence, _to_sklearn
from treelearn._builder import build_tree, unit_weights
from treelearn._builder_hist import DEFAULT_HISTOGRAM_MB, build_tree_hist, check_missing_strategy
from treelearn._data import FeatureEncoding
from treelearn._growth_rules import GrowthRules, SklearnRules
from treelearn._missing import MISSING_VALUES, check_strategy
from treelearn._multioutput import build_multioutput_tree
from treelearn._pruning_ccp import cost_complexity_pruning_path, prune_ccp
from treelearn._routing import NanRows
from treelearn._sparse_values import SparseColumns
from treelearn._threads import effective_n_jobs
from treelearn._tolerances import WEIGHT_FRACTION_SLACK
from treelearn._tree import Tree
from treelearn._validation import (
    HasMethods,
    Interval,
    RealNotInt,
    StrOptions,
    check_is_fitted,
    check_random_state,
    check_sample_weight,
    check_y,
    compute_sample_weight,
    encode_classes,
    encode_outputs,
    safe_indexing,
    validate_features,
)
from treelearn.criteria import CRITERIA, SplitCriterion, get_criterion

__all__ = ["BaseDecisionTree"]


def _check_class_weight(class_weight, classes) -> None:
    """``class_weight`` may name only classes of ``y``, with non-negative finite weights.

    For multi-output ``y`` (``classes`` a list, one array per output) it is
    ``"balanced"`` or a list of one dict per output.
    """
    if isinstance(classes, list):
        if isinstance(class_weight, dict):
            raise ValueError(
                "For multi-output y, class_weight must be 'balanced' or a list of one dict "
                f"per output ({len(classes)} outputs), not a dict."
            )
        if isinstance(class_weight, list):
            if len(class_weight) != len(classes):
                raise ValueError(
                    "For multi-output, number of elements in class_weight should match "
                    f"number of outputs: {len(class_weight)} given for {len(classes)} outputs."
                )
            for weights, output_classes in zip(class_weight, classes, strict=True):
                if not isinstance(weights, dict):
                    raise ValueError(
                        f"class_weight of each output must be a dict, got {weights!r}."
                    )
                _check_class_weight(weights, output_classes)
        return
    if isinstance(class_weight, list):
        raise ValueError(
            "class_weight is a list (one dict per output, for multi-output y) but y has "
            "one output; pass a dict or 'balanced'."
        )
    if not isinstance(class_weight, dict):
        return  # "balanced"
    known = set(classes.tolist())
    absent = [k for k in class_weight if k not in known]
    if absent:
        raise ValueError(
            f"class_weight names {absent!r}, which {'is' if len(absent) == 1 else 'are'} not "
            f"a class of y (classes: {classes.tolist()!r})."
        )
    bad = {
        k: v
        for k, v in class_weight.items()
        if not (isinstance(v, Real) and 0 <= float(v) < np.inf)
    }
    if bad:
        raise ValueError(f"class_weight values must be non-negative finite numbers, got {bad!r}.")


#: Weights whose largest is beyond 2**±100 are brought to that edge by a power of
#: two (exact): sums and squares of weights of 1e300 overflow, of 1e-300 underflow.
_WEIGHT_RANGE = 100


def _rescale_weights(w: np.ndarray) -> np.ndarray:
    """``w`` times a power of two that brings its maximum into ``2**±100``.

    scikit-learn-style trees depend only on weight ratios, so their tree is the
    same; C4.5's absolute thresholds (``min_samples_leaf`` in weight, 1e-6) compare
    alike at 1e300 and at 2**100. ``tree_.value`` then holds the rescaled weights.
    """
    exponent = int(np.frexp(w.max())[1])
    if abs(exponent) <= _WEIGHT_RANGE:
        return w
    return np.ldexp(w, int(np.sign(exponent)) * _WEIGHT_RANGE - exponent)


class BaseDecisionTree(ClassifierMixin, BaseEstimator):
    """Shared machinery of every treelearn classifier (not for direct use)."""

    #: Whether the growth rules put numeric thresholds on training values instead
    #: of midpoints (see ``GrowthRules.place_thresholds``); ``to_sklearn`` rounds
    #: thresholds to float32 accordingly.
    _thresholds_are_training_values: ClassVar[bool] = False

    #: Classes of ``y`` (an array of one count per output for multi-output ``y``).
    n_classes_: Any

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
        "missing_values": [StrOptions(set(MISSING_VALUES))],
        "max_surrogates": [Interval(Integral, 0, None, closed="left")],
        "max_competitors": [Interval(Integral, 0, None, closed="left")],
        "splitter": [StrOptions({"best", "random", "hist"})],
        "max_bins": [Interval(Integral, 2, 255, closed="both")],
        "max_histogram_mb": [Interval(Real, 0.0, None, closed="neither")],
        "n_jobs": [Integral, None],
    }

    #: Whether ``splitter="hist"`` may grow this family's trees (C4.5's J48 fidelity
    #: needs exact thresholds).
    _supports_hist: ClassVar[bool] = True

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
        missing_values="learned",
        max_surrogates=5,
        max_competitors=0,
        splitter="best",
        max_bins=255,
        max_histogram_mb=DEFAULT_HISTOGRAM_MB,
        n_jobs=None,
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
        self.missing_values = missing_values
        self.max_surrogates = max_surrogates
        self.max_competitors = max_competitors
        self.splitter = splitter
        self.max_bins = max_bins
        self.max_histogram_mb = max_histogram_mb
        self.n_jobs = n_jobs

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.input_tags.sparse = True  # numeric features, no NaN (see treelearn._data)
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
            mf = max(1, int(float(mf) * n_features))
        elif mf is not None and int(mf) > n_features:
            raise ValueError(
                f"max_features={mf} is larger than the number of features ({n_features}); "
                "pass at most n_features, a fraction, 'sqrt', 'log2' or None."
            )
        splitter = getattr(self, "splitter", "best")
        return {
            "random_thresholds": splitter == "random",
            "max_depth": self.max_depth,
            "min_impurity_decrease": float(self.min_impurity_decrease),
            "max_features": None if mf is None else int(mf),
            "max_leaf_nodes": self.max_leaf_nodes,
            "rng": np.random.default_rng(check_random_state(self.random_state).randint(2**31 - 1)),
            "categorical_split": self.categorical_split,
            "missing_values": check_strategy(self.missing_values, type(self).__name__),
        }

    def _growth_rules(
        self, Xe: np.ndarray | SparseColumns, encoding, total_weight: float
    ) -> GrowthRules:
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
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Class labels; one column per output for multi-output ``y``.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights. Integer weights grow the same tree as
            duplicated rows under ``missing_values="fractional"`` (except
            ``C45Classifier``, which counts rows where J48 does), and under
            ``"learned"`` while ``min_samples_split``/``min_samples_leaf`` do not
            bind (they count rows, as scikit-learn's); ``"surrogate"`` counts
            cases where rpart does (at least two on each side of a surrogate),
            so duplicated rows may give other surrogates.

        Returns
        -------
        self
        """
        self._validate_params()
        self._check_splitter()
        if _dask.is_dask_collection(X) or _dask.is_dask_collection(y):
            return _dask.fit(self, X, y, sample_weight)
        criterion = self._criterion()
        if not isinstance(criterion, SplitCriterion):
            raise TypeError(
                f"criterion must be a name or a SplitCriterion instance, got {criterion!r}"
            )
        validate_features(self, X, reset=True)
        Xe, encoding = _data.fit_encoding(X, self.categorical_features)
        if isinstance(Xe, SparseColumns):
            self._check_sparse(np.ndim(y))
        y_raw = y
        y = check_y(y, type(self).__name__, multi_output=True)
        if y.shape[0] != Xe.shape[0]:
            raise ValueError(
                f"X has {Xe.shape[0]} samples but y has {y.shape[0]}; they must match."
            )
        classes: np.ndarray | list[np.ndarray]
        if y.ndim == 2:  # several outputs (y of shape (n_samples, n_outputs))
            self._check_multi_output()
            classes, y_codes = encode_outputs(y_raw, y)
            self.n_classes_ = np.array([c.shape[0] for c in classes])
        else:
            classes, y_codes = encode_classes(y_raw, y)
            self.n_classes_ = classes.shape[0]  # the growth rules of C4.5 count them
        if sample_weight is None and self.class_weight is None:
            # every weight 1: one read-only value, no array held through the fit (and
            # nothing to check or rescale)
            sample_weight = unit_weights(Xe.shape[0])
        else:
            sample_weight = self._checked_weights(sample_weight, Xe, classes, y)
        used = sample_weight > 0  # a row of weight 0 is no row at all
        if self._max_surrogates(encoding) is not None and not isinstance(Xe, SparseColumns):
            # rpart drops the rows with every feature missing (its na.rpart; sparse X
            # has no missing values)
            used &= ~np.isnan(Xe).all(axis=1)
            if not used.any():
                raise ValueError("every row of X has every feature missing.")
        if not used.all():
            Xe, y_codes = _data.take_rows(Xe, used), y_codes[used]
            sample_weight = sample_weight[used]
        rules = self._growth_rules(Xe, encoding, float(sample_weight.sum()))
        tree = self._grow(Xe, y_codes, sample_weight, encoding, criterion, rules)
        tree, pruned_state = self._prune_grown(Xe, y_codes, sample_weight, used, encoding, tree)
        state = {
            "classes_": classes,
            "n_features_in_": Xe.shape[1],
            "categories_": list(encoding.categories),
            "criterion_": criterion,
            "max_features_": rules.max_features or Xe.shape[1],
            "tree_": tree,
        }
        if hasattr(self, "feature_names_in_"):  # set by validate_features for named columns
            state["feature_names_in_"] = self.feature_names_in_
        state.update(pruned_state)
        state["ccp_alpha_"], state["tree_"] = self._prune_ccp(X, y, sample_weight, used, tree)
        state["tree_"].prepare_prediction()  # the fitted model is ready to predict
        self._set_fitted_state(state)
        return self

    def _checked_weights(self, sample_weight, Xe, classes, y) -> np.ndarray:
        """``sample_weight`` (``None``: all 1) checked, times the ``class_weight``
        of each row's class, rescaled by :func:`_rescale_weights`."""
        sample_weight = check_sample_weight(
            sample_weight, Xe, dtype=np.float64, ensure_non_negative=True
        )
        if self.class_weight is not None:
            _check_class_weight(self.class_weight, classes)
            sample_weight = sample_weight * compute_sample_weight(self.class_weight, y)
        if not np.isfinite(sample_weight).all():
            raise ValueError("sample_weight contains NaN or infinity.")
        if not sample_weight.max(initial=0.0) > 0:
            raise ValueError("sample_weight sums to zero; at least one positive weight is needed.")
        return _rescale_weights(sample_weight)

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
        state = {name: getattr(self, name) for name in self._FITTED_STATE if hasattr(self, name)}
        missing = set(self._FITTED_STATE) - set(state) - {"feature_names_in_"}
        if missing:
            raise ValueError(f"{type(self).__name__} is missing fitted {sorted(missing)}")
        return state

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
        if isinstance(self.classes_, list):  # multi-output
            self.n_classes_ = np.array([c.shape[0] for c in self.classes_], dtype=np.intp)
            self.n_outputs_ = len(self.classes_)
        else:
            self.n_classes_ = int(self.classes_.shape[0])
            self.n_outputs_ = 1
        self._encoding = FeatureEncoding.from_categories(self.categories_)
        self.categorical_features_ = self._encoding.is_categorical.copy()

    def _check_multi_output(self) -> None:
        """Raise a clear error when this estimator cannot fit multi-output ``y``."""
        if self.ccp_alpha == "cv":
            raise ValueError(
                "ccp_alpha='cv' chooses alpha by single-output cross-validation; multi-output "
                "y supports a numeric ccp_alpha."
            )
        if getattr(self, "splitter", "best") == "hist":
            raise ValueError(
                "splitter='hist' grows single-output trees; use splitter='best' for multi-output y."
            )

    def _check_sparse(self, y_ndim: int) -> None:
        """Raise a clear error for what sparse X does not support (it is numeric
        without missing values, grown by the exact splitter's sparse store)."""
        splitter = getattr(self, "splitter", "best")
        if splitter not in ("best", "random", "hist"):
            raise ValueError(
                f"splitter={splitter!r} does not take sparse X; use splitter='best', "
                "'random' or 'hist', or pass a dense array."
            )
        if getattr(self, "max_competitors", 0):
            raise ValueError(
                "max_competitors is not available with sparse X (the sparse store keeps no "
                "score tables of the other features); use max_competitors=0 or pass a dense array."
            )

    def _max_surrogates(self, encoding) -> int | None:
        """Surrogate splits per node for ``missing_values="surrogate"``, else ``None``."""
        strategy = getattr(self, "missing_values", "fractional")
        if strategy != "surrogate":
            return None
        if self.categorical_split == "multiway" and bool(encoding.is_categorical.any()):
            raise ValueError(
                'missing_values="surrogate" needs binary splits (a surrogate mimics a '
                'two-way split): pass categorical_split="binary" or use '
                'missing_values="fractional" for multiway categorical splits.'
            )
        return int(getattr(self, "max_surrogates", 5))

    def _check_splitter(self) -> None:
        splitter = getattr(self, "splitter", "best")
        if splitter == "hist" and not self._supports_hist:
            raise ValueError(
                f"{type(self).__name__} does not support splitter='hist': its J48 fidelity "
                "needs exact thresholds on training values. Use splitter='best', or "
                "DecisionTreeClassifier(criterion='gain_ratio', splitter='hist')."
            )

    def _grow(self, Xe, y_codes, sample_weight, encoding, criterion, rules) -> Tree:
        data = (Xe, y_codes, sample_weight, self.n_classes_, encoding.is_categorical,
                encoding.n_categories, criterion, rules)  # fmt: skip
        competitors = int(getattr(self, "max_competitors", 0))
        if y_codes.ndim == 2:  # several outputs: one tree scored by their mean
            return build_multioutput_tree(
                *data, self._max_surrogates(encoding), competitors, n_jobs=self._n_jobs()
            )
        if getattr(self, "splitter", "best") == "hist":
            if competitors:
                raise ValueError(
                    "max_competitors needs the exact search's score tables: use "
                    "splitter='best' (or 'random'), or max_competitors=0 with splitter='hist'."
                )
            check_missing_strategy(getattr(self, "missing_values", "fractional"))
            return build_tree_hist(
                *data, max_bins=int(self.max_bins), max_histogram_mb=float(self.max_histogram_mb)
            )
        return build_tree(*data, self._max_surrogates(encoding), competitors, n_jobs=self._n_jobs())

    def _n_jobs(self) -> int:
        """Threads of the builder (``n_jobs``; a ``ValueError`` for 0)."""
        return effective_n_jobs(getattr(self, "n_jobs", None))

    def _prune_grown(
        self, Xe, y_codes, sample_weight, used, encoding, tree: Tree
    ) -> tuple[Tree, dict]:
        """A family's own pruning of the grown tree, before ``ccp_alpha``, and the
        fitted attributes it sets (none here; CART's ``cp`` in ``CARTClassifier``).
        ``used`` marks the rows of the caller's data that are in ``Xe``."""
        return tree, {}

    def _prune_ccp(self, X, y, sample_weight, used, tree: Tree) -> tuple[float, Tree]:
        """Cost-complexity pruning after growth (``ccp_alpha``; ``"cv"`` selects it).

        ``sample_weight`` holds the weights of the rows ``used`` in growth. Returns
        the alpha used and the pruned tree.
        """
        alpha = getattr(self, "ccp_alpha", 0.0)
        if isinstance(alpha, str):  # "cv": k-fold cross-validation with the one-SE rule
            if not used.all():
                X, y = safe_indexing(X, np.flatnonzero(used)), y[used]
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
    def _encode(self, X) -> np.ndarray | SparseColumns:
        return self._encode_nan_rows(X)[0]

    def _encode_nan_rows(self, X) -> tuple[np.ndarray | SparseColumns, NanRows | None]:
        """The encoded matrix of ``X``, and its NaN rows when validation found them
        (float32 numpy input: one pass checks the values and finds them)."""
        check_is_fitted(self, "tree_")
        X, nan_rows = _data._as_2d_nan_rows(X)  # shape errors first, in scikit-learn's words
        validate_features(self, X, reset=False)
        Xe = _data.transform(X, self._encoding, checked=True)
        if Xe.shape[1] != self.n_features_in_:
            raise ValueError(
                f"X has {Xe.shape[1]} features, but {type(self).__name__} is expecting "
                f"{self.n_features_in_} features as input."
            )
        return Xe, nan_rows if Xe is X else None

    def predict_proba(self, X):
        """Class probabilities: the leaf's class distribution (summed over branches
        by their training weights for a missing value).

        Returns an array ``(n_samples, n_classes)``, or for multi-output ``y`` a list
        of one such array per output (as scikit-learn); a Dask array for Dask input.
        """
        if _dask.is_dask_collection(X):
            return _dask.predict(self, X, "predict_proba")
        Xe, nan_rows = self._encode_nan_rows(X)
        if self.n_outputs_ > 1:
            proba = self.tree_.predict_proba(Xe)
            return [proba[:, o, :k] for o, k in enumerate(self.n_classes_.tolist())]
        return self.tree_.predict_proba(Xe, nan_rows=nan_rows)

    def predict_log_proba(self, X):
        """Logarithm of :meth:`predict_proba` (a list for multi-output ``y``)."""
        proba = self.predict_proba(X)
        with np.errstate(divide="ignore"):
            if isinstance(proba, list):
                return [np.log(p) for p in proba]
            return np.log(proba)

    def predict(self, X) -> np.ndarray:
        """Most probable class (the first one on ties); ``(n_samples, n_outputs)``
        for multi-output ``y``; a Dask array for Dask input."""
        if _dask.is_dask_collection(X):
            return _dask.predict(self, X, "predict")
        Xe, nan_rows = self._encode_nan_rows(X)
        if self.n_outputs_ > 1:
            proba = self.tree_.predict_proba(Xe)
            return np.column_stack(
                [
                    c[np.argmax(proba[:, o, : c.shape[0]], axis=1)]
                    for o, c in enumerate(self.classes_)
                ]
            )
        return self.tree_.predict_class(Xe, labels=self.classes_, nan_rows=nan_rows)

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

    def to_sklearn(self):
        """The fitted tree as a fitted :class:`sklearn.tree.DecisionTreeClassifier`.

        For trees whose splits are all numeric thresholds (any criterion): the same
        ``predict``, ``predict_proba``, ``apply`` and node ids on numeric input
        without missing values (bit for bit for float32-representable values;
        the float32 thresholds are chosen so that training values route as in
        treelearn), so scikit-learn's exporters, SHAP's ``TreeExplainer`` and
        skl2onnx read it. See :mod:`treelearn._to_sklearn` for what is converted.

        Returns
        -------
        sklearn.tree.DecisionTreeClassifier

        Raises
        ------
        ValueError
            For multiway or categorical-subset splits, or a split that met
            missing values in training under ``missing_values="fractional"``
            (fractional routing has no scikit-learn form; ``"learned"`` converts).
        """
        return _to_sklearn.to_sklearn(self)

    def to_json(self, **kwargs) -> str:
        """The fitted estimator as a versioned JSON document (``treelearn.load_json`` reads it).

        Keyword arguments (``path=``, ``indent=``) go to
        :func:`treelearn._persistence.dump_json`.
        """
        return _persistence.dump_json(self, **kwargs)
