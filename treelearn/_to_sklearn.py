"""A fitted treelearn tree as a fitted :class:`sklearn.tree.DecisionTreeClassifier`.

:func:`to_sklearn` (``estimator.to_sklearn()``) writes treelearn's tree arrays into
scikit-learn's ``Tree`` through its pickling state (``Tree(n_features, n_classes,
n_outputs)`` and ``__setstate__`` with the node records and values), so that the
tools that read scikit-learn trees (``sklearn.tree.export_text``, ``export_graphviz``,
``plot_tree``, SHAP's ``TreeExplainer``, skl2onnx, dtreeviz) take treelearn's trees.

What is converted, and how
--------------------------
* Node ids are kept: node ``i`` of ``estimator.tree_`` is node ``i`` of the
  converted ``tree_`` (treelearn numbers nodes level by level and scikit-learn
  depth first, but scikit-learn's ``Tree`` only follows the child links), so
  ``apply`` and ``decision_path`` give the same ids.
* ``value`` is the class distribution treelearn predicts at each node
  (``Tree.node_proba``, which gives an *empty* node its parent's distribution),
  stored as fractions as scikit-learn ≥ 1.4 stores classifier values; so
  ``predict_proba`` returns the same float64 numbers.
* Thresholds: scikit-learn reads ``X`` as float32 and sends a row left when
  ``float32(x) <= threshold``; treelearn compares the float64 ``x <= t``. The
  converted threshold is a float32 number chosen so that every pair of training
  values a split separates, if float32 can separate them at all, is separated the
  same way. A midpoint ``t`` between training values ``lo < hi`` becomes the
  largest float32 number ``<= t``; a threshold that *is* a training value (C4.5,
  see ``C45Rules.place_thresholds``) becomes the nearest float32 number, which
  keeps that value on the left. Rows given as float32 numbers (``x ==
  float32(x)``) are routed identically by both trees; other float64 rows can differ
  only within half a float32 spacing of a threshold, where scikit-learn's own
  reading of ``X`` cannot tell the values apart.
* Missing values: ``missing_go_to_left`` names the child with the larger share of
  a missing value (``missing_fraction``). A ``missing_values="learned"`` tree sends
  all missing values of a node to one child (a one-hot share): that is
  scikit-learn's rule exactly, and the converted model predicts identically on
  rows with missing values (a threshold ``inf``, "every known value left", is kept).
  A ``"fractional"`` tree sends a missing value down both branches with their
  training shares: one that met missing values at a split in training is refused
  (its counts and predictions rest on the fractional routing); otherwise the
  direction is the heavier child and ``predict_proba`` of rows with missing values
  differs from treelearn's, which averages the branches by their shares.
* Surrogate splits (``missing_values="surrogate"``) have no scikit-learn form and
  are left out: the converted tree sends every missing value to the node's
  majority direction (its one-hot share), so rows with missing values may be
  predicted differently.
* ``criterion``: ``"gini"`` or ``"entropy"`` when the tree's criterion has that
  impurity (``InformationGain``, ``GainRatio`` and ``Gini`` do); otherwise the
  treelearn criterion's name, so that exporters label ``impurity`` correctly (such
  a model cannot be refitted by scikit-learn). Other hyper-parameters keep
  scikit-learn's defaults: they describe how scikit-learn would grow a tree, not
  this one.
* Multi-output trees convert too (``value`` of shape ``(node_count, n_outputs,
  max_n_classes)``, ``classes_`` a list), so scikit-learn's exporters show every
  output of them.
* Multiway and categorical-subset splits have no scikit-learn form: refused with
  a ``ValueError`` naming the node. Categorical features no split uses are
  allowed; the converted model reads every column as a number.
"""

from __future__ import annotations

import numpy as np
from sklearn.tree import DecisionTreeClassifier as SklearnTree
from sklearn.tree._tree import NODE_DTYPE
from sklearn.tree._tree import Tree as SklearnTreeArrays

from treelearn._tree import SPLIT_CATEGORICAL, TREE_LEAF, TREE_UNDEFINED, Tree
from treelearn._validation import check_is_fitted

__all__ = ["sklearn_criterion", "sklearn_thresholds", "to_sklearn"]

_F32_MAX = float(np.finfo(np.float32).max)

# class counts to tell an impurity by its values
_PROBE = np.array([[3.0, 1.0, 0.0], [1.0, 1.0, 1.0], [5.0, 2.0, 7.0], [4.0, 0.0, 0.0]])


def sklearn_thresholds(threshold: np.ndarray, at_training_values: bool) -> np.ndarray:
    """scikit-learn thresholds (float32 numbers, compared with float32 ``X``) that
    route as treelearn's float64 thresholds ``x <= t`` do.

    Parameters
    ----------
    threshold : ndarray of float64
        treelearn's thresholds.
    at_training_values : bool
        ``True`` when each threshold is a training value that must stay on the left
        (C4.5): the nearest float32 number. ``False`` for midpoints between training
        values: the largest float32 number not above ``t``.

    Returns
    -------
    ndarray of float64
        Thresholds beyond float32's range are kept (no float32 ``x`` reaches them).

    Examples
    --------
    >>> t = np.array([0.1, 0.15])
    >>> sklearn_thresholds(t, True) == np.float32(t)
    array([ True,  True])
    >>> bool(sklearn_thresholds(t, False)[0] < 0.1)    # float32(0.1) > 0.1
    True
    """
    t = np.asarray(threshold, dtype=np.float64)
    inside = np.abs(t) <= _F32_MAX
    t32 = np.where(inside, t, 0.0).astype(np.float32)
    if not at_training_values:
        up = t32.astype(np.float64) > t
        t32[up] = np.nextafter(t32[up], np.float32(-np.inf))
    return np.where(inside, t32.astype(np.float64), t)


def sklearn_criterion(criterion) -> str:
    """scikit-learn's name for the impurity of ``criterion`` (``"gini"``,
    ``"entropy"``), or the criterion's own name when scikit-learn has none."""
    p = _PROBE / _PROBE.sum(axis=1, keepdims=True)
    imp = np.asarray(criterion.impurity(_PROBE), dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        entropy = -np.sum(np.where(p > 0, p * np.log2(p), 0.0), axis=1)
    if np.allclose(imp, 1.0 - np.sum(p**2, axis=1), rtol=1e-12, atol=1e-12):
        return "gini"
    if np.allclose(imp, entropy, rtol=1e-12, atol=1e-12):
        return "entropy"
    name = str(getattr(criterion, "name", type(criterion).__name__))
    # a scikit-learn name on another impurity would mislabel it (and refit wrongly)
    return type(criterion).__name__ if name in {"gini", "entropy", "log_loss"} else name


def _check_convertible(tree: Tree, feature_names) -> None:
    """Raise a ``ValueError`` naming the first split scikit-learn cannot hold."""

    def name(f: int) -> str:
        return repr(str(feature_names[f])) if feature_names is not None else str(f)

    internal = np.flatnonzero(tree.n_children > 0)
    cat = internal[tree.split_kind[internal] == SPLIT_CATEGORICAL]
    if cat.size:
        node = int(cat[0])
        n = int(tree.n_children[node])
        raise ValueError(
            f"to_sklearn() converts trees whose splits are all numeric thresholds; node "
            f"{node} splits categorical feature {name(int(tree.feature[node]))} by "
            f"category into {n} branches (multiway or category-subset splits have no "
            "scikit-learn form). "
            "Fit with numeric (e.g. one-hot or ordinal encoded) features instead."
        )
    wide = internal[tree.n_children[internal] != 2]
    if wide.size:  # not produced by the builder today; checked for loaded documents
        node = int(wide[0])
        raise ValueError(
            f"to_sklearn() converts binary trees; node {node} has "
            f"{int(tree.n_children[node])} children."
        )
    left = tree.first_child[internal]
    reached = tree.n_node_samples[left] + tree.n_node_samples[left + 1]
    copied = internal[reached > tree.n_node_samples[internal]]
    if copied.size:
        node = int(copied[0])
        raise ValueError(
            "to_sklearn() cannot convert a tree that met missing values at a split in "
            f"training: at node {node} (feature {name(int(tree.feature[node]))}) cases "
            "with a missing value went down both branches with fractional weights, "
            "which scikit-learn's one-sided missing_go_to_left cannot express. Fit with "
            "missing_values='learned' (scikit-learn's rule) or impute the missing values."
        )


def to_sklearn(estimator) -> SklearnTree:
    """Return a fitted :class:`sklearn.tree.DecisionTreeClassifier` carrying the
    tree of the fitted treelearn ``estimator`` (see the module docstring).

    Parameters
    ----------
    estimator : treelearn estimator
        Fitted (or loaded with ``treelearn.load_json``).

    Returns
    -------
    sklearn.tree.DecisionTreeClassifier

    Raises
    ------
    ValueError
        For multiway or categorical-subset splits, or splits that met missing
        values in training.
    """
    check_is_fitted(estimator, "tree_")
    tree: Tree = estimator.tree_
    names = getattr(estimator, "feature_names_in_", None)
    _check_convertible(tree, names)
    n = tree.node_count
    leaf = tree.n_children == 0
    left = np.where(leaf, TREE_LEAF, tree.first_child).astype(np.int64)
    right = np.where(leaf, TREE_LEAF, tree.first_child + 1).astype(np.int64)
    nodes = np.zeros(n, dtype=NODE_DTYPE)
    nodes["left_child"] = left
    nodes["right_child"] = right
    nodes["feature"] = np.where(leaf, TREE_UNDEFINED, tree.feature)
    at_values = bool(getattr(estimator, "_thresholds_are_training_values", False))
    thr = sklearn_thresholds(tree.threshold, at_values)
    nodes["threshold"] = np.where(leaf, float(TREE_UNDEFINED), thr)
    nodes["impurity"] = tree.impurity
    nodes["n_node_samples"] = tree.n_node_samples
    nodes["weighted_n_node_samples"] = tree.weighted_n_node_samples
    if "missing_go_to_left" in (NODE_DTYPE.names or ()):  # scikit-learn >= 1.3
        # the side with the larger share of a missing value (the heavier child)
        share = tree.missing_fraction
        nodes["missing_go_to_left"] = ~leaf & (
            share[np.maximum(left, 0)] >= share[np.maximum(right, 0)]
        )
    outputs = getattr(estimator, "n_outputs_", 1) > 1  # a MultiOutputTree
    n_classes = np.atleast_1d(np.asarray(tree.n_classes, dtype=np.intp))
    arrays = SklearnTreeArrays(tree.n_features, n_classes, n_classes.size)
    arrays.__setstate__(
        {
            "max_depth": tree.max_depth,
            "node_count": n,
            "nodes": nodes,
            "values": np.ascontiguousarray(
                tree.node_proba.reshape(n, n_classes.size, int(n_classes.max()))
            ),
        }
    )
    model = SklearnTree(criterion=sklearn_criterion(estimator.criterion_))
    model.n_features_in_ = int(estimator.n_features_in_)
    if names is not None:
        model.feature_names_in_ = np.asarray(names, dtype=object)
    model.n_outputs_ = int(n_classes.size)
    if outputs:
        model.classes_ = [np.asarray(c) for c in estimator.classes_]
        model.n_classes_ = n_classes.copy()
    else:
        model.classes_ = np.asarray(estimator.classes_)
        model.n_classes_ = int(n_classes[0])
    model.max_features_ = int(estimator.max_features_)
    model.tree_ = arrays
    return model
