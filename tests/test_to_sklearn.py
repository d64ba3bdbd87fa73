"""``estimator.to_sklearn()``: a treelearn tree as a fitted scikit-learn classifier.

References: scikit-learn's own prediction and tools (``export_text``,
``export_graphviz``, ``plot_tree``) on the converted model; scikit-learn's tree
grown on tie-free data (the same tree, so the same nodes); SHAP's additivity and
ONNX Runtime's predictions when those packages are installed.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn import datasets
from sklearn.tree import DecisionTreeClassifier as SkTree
from sklearn.tree import export_graphviz, export_text

from treelearn import (
    C45Classifier,
    CARTClassifier,
    DecisionTreeClassifier,
    ID3Classifier,
    load_json,
)
from treelearn._to_sklearn import sklearn_thresholds
from treelearn.criteria import CRITERIA
from treelearn.datasets import load_dataset, load_play_tennis, load_vote

ESTIMATORS = {
    "entropy": lambda: DecisionTreeClassifier(),
    "gini": lambda: DecisionTreeClassifier(criterion="gini"),
    "gain_ratio": lambda: DecisionTreeClassifier(criterion="gain_ratio"),
    "hellinger": lambda: DecisionTreeClassifier(criterion="hellinger", max_depth=4),
    "id3": lambda: ID3Classifier(),
    "cart": lambda: CARTClassifier(),
    "cart_cp": lambda: CARTClassifier(cp=0.01),
    "c45": lambda: C45Classifier(),
    "c45_unpruned": lambda: C45Classifier(pruning=None),
    "c45_reduced_error": lambda: C45Classifier(pruning="reduced_error"),
}


def load(name):
    if name in BUNDLED:
        X, y = load_dataset(name, return_X_y=True)
        return np.asarray(X, dtype=np.float64), y
    return getattr(datasets, f"load_{name}")(return_X_y=True)


BUNDLED = {"glass", "ionosphere", "diabetes", "segment"}  # treelearn's numeric data sets


def assert_same_tree(est, model, X):
    """Same classes, probabilities, leaves and paths, and node i is node i."""
    np.testing.assert_array_equal(model.predict(X), est.predict(X))
    np.testing.assert_array_equal(model.predict_proba(X), est.predict_proba(X))
    np.testing.assert_array_equal(model.apply(X), est.apply(X))
    assert (model.decision_path(X) != est.decision_path(X)).nnz == 0
    t, s = est.tree_, model.tree_
    assert s.node_count == t.node_count and s.max_depth == t.max_depth
    np.testing.assert_array_equal(s.children_left, t.children_left)
    np.testing.assert_array_equal(s.children_right, t.children_right)
    np.testing.assert_array_equal(s.feature, t.feature)
    np.testing.assert_array_equal(s.n_node_samples, t.n_node_samples)
    np.testing.assert_array_equal(s.weighted_n_node_samples, t.weighted_n_node_samples)
    np.testing.assert_array_equal(s.impurity, t.impurity)
    np.testing.assert_allclose(model.feature_importances_, est.feature_importances_, atol=1e-12)


@pytest.mark.parametrize("name", ["iris", "wine", "breast_cancer", *sorted(BUNDLED)])
@pytest.mark.parametrize("kind", list(ESTIMATORS))
def test_same_predictions_on_training_and_float32_data(kind, name):
    X, y = load(name)
    est = ESTIMATORS[kind]().fit(X, y)
    model = est.to_sklearn()
    assert type(model) is SkTree
    assert_same_tree(est, model, X)  # training values route as in treelearn
    rng = np.random.default_rng(1)
    X32 = (X[rng.integers(0, len(X), 300)] * rng.uniform(0.9, 1.1, (300, X.shape[1]))).astype(
        np.float32
    )
    assert_same_tree(est, model, X32.astype(np.float64))


@pytest.mark.parametrize("criterion", ["gini", "entropy"])
def test_tree_attributes_and_converted_model_are_sklearns_on_tie_free_data(criterion):
    """scikit-learn grows the same tree (no ties: iris with a float32-exact jitter):
    ``tree_`` has scikit-learn's attribute names with the same meaning, and the
    converted model is scikit-learn's tree, up to the renumbering of nodes (treelearn
    breadth first, scikit-learn depth first; ``node_mapping`` pairs them)."""
    X, y = load("iris")
    X = (X + np.random.default_rng(0).uniform(-1e-3, 1e-3, X.shape)).astype(np.float32)
    X = X.astype(np.float64)[:, :3]
    sk = SkTree(criterion=criterion, max_depth=3, random_state=0).fit(X, y)
    tl = DecisionTreeClassifier(criterion=criterion, max_depth=3).fit(X, y)
    ref, t = sk.tree_, tl.tree_
    mapping = node_mapping(ref, t)
    assert len(mapping) == ref.node_count == t.node_count
    sk_ids, ids = np.array(list(mapping)), np.array(list(mapping.values()))
    for name in ("node_count", "max_depth", "n_leaves", "n_outputs", "max_n_classes"):
        assert getattr(t, name) == getattr(ref, name), name
    assert t.n_classes == ref.n_classes[0]  # an int here, one entry per output there
    for name in ("feature", "n_node_samples"):
        np.testing.assert_array_equal(getattr(t, name)[ids], getattr(ref, name)[sk_ids])
    leaf = ref.children_left[sk_ids] < 0
    np.testing.assert_array_equal(t.children_left[ids] < 0, leaf)
    np.testing.assert_array_equal(t.children_right[ids] < 0, leaf)
    for name in ("threshold", "impurity", "weighted_n_node_samples"):
        np.testing.assert_allclose(
            getattr(t, name)[ids], getattr(ref, name)[sk_ids], rtol=1e-12, atol=1e-15
        )
    # value: weighted counts here, fractions in scikit-learn >= 1.4 (node_proba here)
    fractions = ref.value[sk_ids, 0, :]
    np.testing.assert_allclose(t.node_proba[ids], fractions, rtol=1e-12)
    np.testing.assert_allclose(
        t.value[ids], fractions * ref.weighted_n_node_samples[sk_ids, None], rtol=1e-12
    )
    # the converted model: scikit-learn's arrays, thresholds as float32 numbers
    ours = tl.to_sklearn().tree_
    for name in ("children_left", "children_right", "feature", "n_node_samples"):
        np.testing.assert_array_equal(getattr(ours, name), getattr(t, name))
    np.testing.assert_array_equal(ours.value[:, 0, :], t.node_proba)
    inner = ~leaf
    spacing = np.abs(np.spacing(np.float32(ref.threshold[sk_ids][inner])))
    assert np.all(np.abs(ours.threshold[ids][inner] - ref.threshold[sk_ids][inner]) <= spacing)
    # the node ids scikit-learn's apply returns map onto treelearn's
    np.testing.assert_array_equal([mapping[i] for i in sk.apply(X)], tl.apply(X))
    np.testing.assert_array_equal(sk.predict_proba(X), tl.to_sklearn().predict_proba(X))


def node_mapping(a, b) -> dict[int, int]:
    """Node ids of tree ``b`` by node id of tree ``a``, walking both from the root."""
    out, stack = {}, [(0, 0)]
    while stack:
        i, j = stack.pop()
        out[i] = j
        if a.children_left[i] >= 0:
            assert b.children_left[j] >= 0, "different shapes"
            stack.append((int(a.children_left[i]), int(b.children_left[j])))
            stack.append((int(a.children_right[i]), int(b.children_right[j])))
    return out


def test_thresholds_keep_every_separable_training_pair_apart():
    """The float32 rule: midpoints round down, training-value thresholds (C4.5) to
    the nearest float32 number. Each case fails with the other rounding."""
    c = 1048576.5  # float32 spacing here: u = 0.125
    u = 0.125
    # midpoint t = c - 0.2u rounds up to c; hi = c + 0.4u rounds to c as well
    lo, hi = c - 0.8 * u, c + 0.4 * u
    assert np.float32(lo) < np.float32(hi)  # separable in float32
    X = np.array([[lo], [lo], [hi], [hi]])
    y = np.array([0, 0, 1, 1])
    est = DecisionTreeClassifier(criterion="gini").fit(X, y)
    t = est.tree_.threshold[0]
    assert t == (lo + hi) / 2 and np.float32(t) > np.float64(t)
    assert sklearn_thresholds(np.array([t]), True)[0] >= np.float32(hi)  # nearest fails
    assert_same_tree(est, est.to_sklearn(), X)
    # C4.5: the threshold is lo itself, which rounds up to c
    lo, hi = c - 0.4 * u, c + 0.8 * u
    X = np.array([[lo], [lo], [lo], [hi], [hi], [hi]])
    y = np.array([0, 0, 0, 1, 1, 1])
    est = C45Classifier().fit(X, y)
    assert est.tree_.threshold[0] == lo and np.float32(lo) > np.float64(lo)
    assert sklearn_thresholds(np.array([lo]), False)[0] < np.float32(lo)  # round-down fails
    assert_same_tree(est, est.to_sklearn(), X)


@pytest.mark.parametrize("kind", ["gini", "c45"])
def test_float32_values_next_to_every_threshold_route_the_same(kind):
    X, y = load("breast_cancer")
    est = ESTIMATORS[kind]().fit(X, y)
    t = est.tree_
    internal = np.flatnonzero(t.n_children > 0)
    rows = []
    for node in internal:  # test data: a few float32 steps either side of each threshold
        base = np.float32(t.threshold[node])
        for k in range(-3, 4):
            v = base
            for _ in range(abs(k)):
                v = np.nextafter(v, np.float32(np.sign(k) * np.inf))
            row = X[node % len(X)].astype(np.float32).copy()
            row[t.feature[node]] = v
            rows.append(row)
    X_near = np.array(rows, dtype=np.float64)
    assert_same_tree(est, est.to_sklearn(), X_near)


def test_thresholds_beyond_float32_are_kept():
    t = np.array([1e39, -1e39, 3.0])
    np.testing.assert_array_equal(sklearn_thresholds(t, False), t)


def test_pandas_names_and_loaded_models_convert():
    X, y = datasets.load_iris(return_X_y=True, as_frame=True)
    est = C45Classifier().fit(X, y)
    for source in (est, load_json(est.to_json())):
        model = source.to_sklearn()
        np.testing.assert_array_equal(model.feature_names_in_, X.columns)
        assert_same_tree(est, model, X)


def test_unused_categorical_feature_is_allowed():
    X, y = load("iris")
    Xc = np.column_stack([X, np.zeros(len(X))])
    est = DecisionTreeClassifier(categorical_features=[4]).fit(Xc, y)
    assert_same_tree(est, est.to_sklearn(), Xc)


@pytest.mark.parametrize("split", ["multiway", "binary"])
def test_categorical_splits_are_refused(split):
    X, y = load_play_tennis(as_frame=True, return_X_y=True)
    est = C45Classifier(categorical_split=split).fit(X, y)
    with pytest.raises(ValueError, match=r"node 0 splits categorical feature 'outlook'"):
        est.to_sklearn()
    X, y = load_vote(as_frame=True, return_X_y=True)
    with pytest.raises(ValueError, match="multiway or category-subset"):
        CARTClassifier().fit(X, y).to_sklearn()


def test_split_that_met_missing_values_is_refused():
    X, y = load("iris")
    X = X.copy()
    X[::5, 2:] = np.nan
    with pytest.raises(ValueError, match=r"missing values at a split.*node 0"):
        DecisionTreeClassifier(missing_values="fractional").fit(X, y).to_sklearn()


def test_missing_values_elsewhere_convert_and_nan_goes_to_the_heavier_side():
    X, y = load("iris")
    X = np.column_stack([X, np.where(np.arange(len(X)) % 3 == 0, np.nan, 1.0)])
    est = DecisionTreeClassifier(criterion="gini").fit(X, y)
    model = est.to_sklearn()
    assert_same_tree(est, model, X[:, :5])
    row = X[:1].copy()
    row[0, est.tree_.feature[0]] = np.nan
    w = est.tree_.weighted_n_node_samples
    left, right = est.tree_.children_left[0], est.tree_.children_right[0]
    assert model.decision_path(row)[0, left if w[left] >= w[right] else right] == 1


def test_criterion_names():
    X, y = load("iris")
    assert DecisionTreeClassifier().fit(X, y).to_sklearn().criterion == "entropy"
    assert C45Classifier().fit(X, y).to_sklearn().criterion == "entropy"
    assert CARTClassifier().fit(X, y).to_sklearn().criterion == "gini"
    assert DecisionTreeClassifier(criterion="dkm").fit(X, y).to_sklearn().criterion == "dkm"


def test_criterion_named_like_sklearns_with_another_impurity():
    from treelearn.criteria import Gini

    class HalfGini(Gini):
        def impurity(self, counts):
            return super().impurity(counts) / 2

    X, y = load("iris")
    model = DecisionTreeClassifier(criterion=HalfGini()).fit(X, y).to_sklearn()
    assert model.criterion == "HalfGini"


def test_unfitted_raises():
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        CARTClassifier().to_sklearn()


# -- scikit-learn's tools on the converted model ------------------------------------------
@pytest.fixture(scope="module")
def iris_model():
    X, y = datasets.load_iris(return_X_y=True, as_frame=True)
    est = CARTClassifier(max_depth=3).fit(X, y)
    return est, est.to_sklearn(), X


def test_export_text_agrees(iris_model):
    est, model, X = iris_model
    text = export_text(model, feature_names=list(X.columns), decimals=6)
    t = est.tree_
    internal = np.flatnonzero(t.n_children > 0)
    for node in internal:
        name = X.columns[t.feature[node]]
        thr = model.tree_.threshold[node]
        assert f"{name} <= {thr:.6f}" in text and f"{name} >  {thr:.6f}" in text
    assert text.count("class:") == est.get_n_leaves()


def test_export_graphviz_agrees(iris_model):
    est, model, X = iris_model
    dot = export_graphviz(model, feature_names=list(X.columns))
    nodes = re.findall(r'^(\d+) \[label="(.*?)"', dot, flags=re.M)  # in DOT's order
    assert len(nodes) == est.tree_.node_count
    for node, label in nodes:
        i = int(node)
        assert f"samples = {est.tree_.n_node_samples[i]}" in label
        assert f"gini = {round(est.tree_.impurity[i], 3)}" in label
        if est.tree_.n_children[i]:
            thr = round(model.tree_.threshold[i], 3)
            assert f"{X.columns[est.tree_.feature[i]]} <= {thr}" in label


def test_plot_tree_agrees(iris_model):
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from sklearn.tree import plot_tree

    est, model, X = iris_model
    fig, ax = plt.subplots()
    try:
        texts = [a.get_text() for a in plot_tree(model, feature_names=list(X.columns), ax=ax)]
    finally:
        plt.close(fig)
    texts = [s for s in texts if "samples" in s]  # not the True/False arrow labels
    assert len(texts) == est.tree_.node_count
    assert sum("<=" in s for s in texts) == est.tree_.node_count - est.get_n_leaves()


def test_shap_values_sum_to_the_model_output():
    shap = pytest.importorskip("shap")
    X, y = load("breast_cancer")
    est = DecisionTreeClassifier(max_depth=5).fit(X, y)
    model = est.to_sklearn()
    explainer = shap.TreeExplainer(model)
    values = np.asarray(explainer.shap_values(X[:50]))  # (rows, features, classes)
    if values.shape[0] == 2 and values.shape[1] == 50:  # older SHAP: a list per class
        values = np.moveaxis(values, 0, -1)
    total = values.sum(axis=1) + np.asarray(explainer.expected_value)
    np.testing.assert_allclose(total, est.predict_proba(X[:50]), atol=1e-9)


def test_onnx_model_predicts_the_same_classes():
    pytest.importorskip("skl2onnx")
    ort = pytest.importorskip("onnxruntime")
    from skl2onnx import to_onnx

    X, y = load("wine")
    est = C45Classifier().fit(X, y)
    X32 = X.astype(np.float32)
    onx = to_onnx(est.to_sklearn(), X32[:1], options={"zipmap": False})
    sess = ort.InferenceSession(onx.SerializeToString(), providers=["CPUExecutionProvider"])
    label, proba = sess.run(None, {sess.get_inputs()[0].name: X32})
    np.testing.assert_array_equal(label, est.predict(X))
    np.testing.assert_allclose(proba, est.predict_proba(X), atol=1e-6)


# -- property: every criterion, random data ---------------------------------------------
@settings(max_examples=60, deadline=None)
@given(
    criterion=st.sampled_from(sorted(CRITERIA)),
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(2, 80),
    p=st.integers(1, 4),
    k=st.integers(2, 4),
    rounding=st.sampled_from([None, 1, 3]),
    preset=st.sampled_from([DecisionTreeClassifier, C45Classifier]),
)
def test_random_trees_convert_exactly(criterion, seed, n, p, k, rounding, preset):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, p)) * rng.choice([1e-3, 1.0, 1e4], size=p)
    if rounding is not None:  # ties and repeated values
        X = np.round(X, rounding)
    y = rng.integers(0, k, n)
    est = preset(criterion=criterion).fit(X, y)
    model = est.to_sklearn()
    assert_same_tree(est, model, X)
    X_new = (rng.normal(size=(50, p)) * X.std(axis=0) + X.mean(axis=0)).astype(np.float32)
    np.testing.assert_array_equal(
        model.predict_proba(X_new.astype(np.float64)), est.predict_proba(X_new.astype(np.float64))
    )


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(4, 60),
    start=st.sampled_from([1.0, 1.0 - 2.0**-19, 1048576.0, -3.0]),
    criterion=st.sampled_from(["gini", "entropy", "gain_ratio"]),
    preset=st.sampled_from([DecisionTreeClassifier, C45Classifier]),
)
def test_training_values_one_float32_step_apart_route_the_same(seed, n, start, criterion, preset):
    """The hard case of the float32 rule: training values in consecutive float32
    rounding intervals (so float32 can separate every pair), each off its float32
    number by up to half a spacing, so midpoints fall next to interval edges."""
    rng = np.random.default_rng(seed)
    grid = [np.float32(start)]
    for _ in range(60):  # consecutive float32 numbers (across a binade edge for one start)
        grid.append(np.nextafter(grid[-1], np.float32(np.inf)))
    grid_arr = np.array(grid, dtype=np.float64)
    spacing = np.diff(grid_arr).min()
    columns = []
    for _ in range(2):
        # one value per float32 number: off it by up to 0.49 spacing, or exact
        values = grid_arr + rng.uniform(-0.49, 0.49, grid_arr.size) * spacing * (
            rng.integers(0, 2, grid_arr.size)
        )
        columns.append(values[rng.integers(1, 60, n)])
    X = np.column_stack(columns)
    assert all(  # float32 rounding tells every pair of distinct values apart
        np.unique(X[:, j]).size == np.unique(X[:, j].astype(np.float32)).size for j in range(2)
    )
    y = rng.integers(0, 2, n)
    kwargs = {"min_samples_leaf": 1} if preset is C45Classifier else {}
    est = preset(criterion=criterion, **kwargs).fit(X, y)
    assert_same_tree(est, est.to_sklearn(), X)
