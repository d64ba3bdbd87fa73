"""Sparse X (issue 13, part 1): the same trees as dense X, without densifying.

The reference is the dense fit of the same data (itself pinned to scikit-learn, rpart
and J48 elsewhere): every tree array must be equal, and so must ``predict_proba``,
``apply`` and ``decision_path`` on sparse and dense input. The cases follow
scikit-learn's own sparse tests (``test_sparse_input``, ``test_sparse_parameters``,
``test_sparse_criteria``, ``test_explicit_sparse_zeros``, the sparse
``min_weight_fraction_leaf`` tests) and hypothesis draws matrices with explicit zeros,
negative values, duplicate entries and all-zero columns.

Decided here: sparse X takes no NaN (scikit-learn's trees refuse it too) and no
categorical features; both are a clear ``ValueError``.
"""

from __future__ import annotations

import _sparse_cases
import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.datasets import load_digits, load_iris
from sklearn.tree import DecisionTreeClassifier as SkTree

from treelearn import C45Classifier, CARTClassifier, DecisionTreeClassifier, ID3Classifier
from treelearn._sparse_values import SparseColumns
from treelearn.criteria import CRITERIA

CONTAINERS = [sp.csc_matrix, sp.csr_matrix, sp.coo_matrix, sp.csc_array, sp.csr_array]


def assert_same_tree(a, b) -> None:
    ta, tb = a.tree_.to_arrays(), b.tree_.to_arrays()
    assert ta.keys() == tb.keys()
    for name in ta:
        assert np.array_equal(ta[name], tb[name], equal_nan=True), name


def assert_same_predictions(dense, sparse_est, X) -> None:
    """``sparse_est`` on sparse input predicts what ``dense`` does on dense input."""
    for container in CONTAINERS:
        Xs = container(X)
        np.testing.assert_array_equal(sparse_est.predict_proba(Xs), dense.predict_proba(X))
        np.testing.assert_array_equal(sparse_est.predict(Xs), dense.predict(X))
        np.testing.assert_array_equal(sparse_est.apply(Xs), dense.apply(X))
        assert (sparse_est.decision_path(Xs) != dense.decision_path(X)).nnz == 0


def _rng_sparse(n, p, density, seed, sign="mix"):
    rng = np.random.default_rng(seed)
    X = rng.uniform(size=(n, p))
    X[X <= 1 - density] = 0.0
    if sign == "neg":
        X = -X
    elif sign == "mix":
        X = X * rng.choice([-1.0, 1.0], size=X.shape)
    return X, rng.integers(0, 3, n)


# scikit-learn's sparse data sets (``DATASETS`` of its test_tree.py), and two real ones
_pos, _y20 = _rng_sparse(20, 5, 0.2, 0, "pos")
_iris = load_iris()
_digits = load_digits()
DATASETS = {
    "sparse-pos": (_pos, _y20),
    "sparse-neg": (-_pos, _y20),
    "sparse-mix": _rng_sparse(20, 10, 0.25, 1, "mix"),
    "zeros": (np.zeros((20, 3)), _y20),
    "iris": (_iris.data, _iris.target),
    "digits": (_digits.data[:360], _digits.target[:360]),  # mostly zeros
}

ESTIMATORS = {
    "tree": DecisionTreeClassifier,
    "cart": CARTClassifier,
    "c45": C45Classifier,
    "id3": ID3Classifier,
}


@pytest.mark.parametrize("dataset", sorted(DATASETS))
@pytest.mark.parametrize("name", sorted(ESTIMATORS))
def test_sparse_input(name, dataset):
    """As scikit-learn's test_sparse_input: every format fits the dense tree."""
    X, y = DATASETS[dataset]
    max_depth = 3 if dataset == "digits" else None
    dense = ESTIMATORS[name](random_state=0, max_depth=max_depth).fit(X, y)
    for container in CONTAINERS:
        est = ESTIMATORS[name](random_state=0, max_depth=max_depth).fit(container(X), y)
        assert_same_tree(dense, est)
    assert_same_predictions(dense, est, X)
    # float32 input predicts alike (scikit-learn's test passes float32 containers)
    np.testing.assert_array_equal(
        est.predict(sp.csr_matrix(X, dtype=np.float32)),
        dense.predict(X.astype(np.float32)),
    )


@pytest.mark.parametrize("dataset", ["sparse-pos", "sparse-neg", "sparse-mix", "zeros"])
@pytest.mark.parametrize(
    "params",
    [
        {"max_features": 1, "max_depth": 2},
        {"max_features": 1, "min_samples_split": 10},
        {"min_samples_leaf": 10},
        {"max_leaf_nodes": 3},
        {"min_weight_fraction_leaf": 0.1},
        {"min_impurity_decrease": 0.01},
    ],
    ids=lambda p: ",".join(p),
)
def test_sparse_parameters(dataset, params):
    """As scikit-learn's test_sparse_parameters."""
    X, y = DATASETS[dataset]
    dense = DecisionTreeClassifier(random_state=0, **params).fit(X, y)
    est = DecisionTreeClassifier(random_state=0, **params).fit(sp.csc_matrix(X), y)
    assert_same_tree(dense, est)
    np.testing.assert_array_equal(est.predict(sp.csr_matrix(X)), dense.predict(X))


@pytest.mark.parametrize("criterion", sorted(CRITERIA))
@pytest.mark.parametrize("dataset", ["sparse-pos", "sparse-neg", "sparse-mix", "digits"])
def test_sparse_criteria(dataset, criterion):
    """As scikit-learn's test_sparse_criteria, for every criterion of treelearn."""
    X, y = DATASETS[dataset]
    dense = DecisionTreeClassifier(criterion=criterion, random_state=0, max_depth=4).fit(X, y)
    est = DecisionTreeClassifier(criterion=criterion, random_state=0, max_depth=4)
    est.fit(sp.csr_matrix(X), y)
    assert_same_tree(dense, est)


def test_explicit_sparse_zeros():
    """As scikit-learn's test_explicit_sparse_zeros: stored zeros are zeros."""
    rng = np.random.RandomState(0)
    n = 10
    indices, data, indptr = [], [], [0]
    for _ in range(n):
        k = rng.binomial(n, 0.5)
        indices.append(rng.permutation(n)[:k])
        data.append(rng.binomial(3, 0.5, size=k) - 1)  # -1, 0 or 1: explicit zeros
        indptr.append(indptr[-1] + k)
    parts = (np.concatenate(data).astype(np.float32), np.concatenate(indices), indptr)
    X_csc = sp.csc_matrix(parts, shape=(n, n))
    X_csr = sp.csr_matrix(parts, shape=(n, n)).copy()
    assert (X_csc.data == 0).sum() > 0 and (X_csr.data == 0).sum() > 0
    X, X_test = X_csc.toarray(), X_csr.toarray()
    y = rng.randint(0, 3, size=n)
    for cls in ESTIMATORS.values():
        dense = cls(max_depth=3).fit(X, y)
        est = cls(max_depth=3).fit(X_csc, y)
        assert_same_tree(dense, est)
        for X1 in (X_test, X_csr):
            for X2 in (X_test, X_csr):
                np.testing.assert_array_equal(est.apply(X1), dense.apply(X2))
                np.testing.assert_array_equal(est.tree_.apply(X1), dense.tree_.apply(X2))


def test_min_weight_fraction_leaf_on_sparse_input():
    """As scikit-learn's check_min_weight_fraction_leaf on sparse input."""
    rng = np.random.default_rng(3)
    X = sp.random(300, 8, density=0.3, format="csc", random_state=4)
    y = rng.integers(0, 2, 300)
    w = rng.integers(1, 5, 300).astype(float)
    for frac in np.linspace(0, 0.5, 6):
        for max_leaf_nodes in (None, 1000):
            est = DecisionTreeClassifier(
                min_weight_fraction_leaf=frac, max_leaf_nodes=max_leaf_nodes, random_state=0
            ).fit(X, y, sample_weight=w)
            leaf_w = np.bincount(est.tree_.apply(X.tocsr()), weights=w)
            assert leaf_w[leaf_w != 0].min() >= w.sum() * frac - 1e-9
            dense = DecisionTreeClassifier(
                min_weight_fraction_leaf=frac, max_leaf_nodes=max_leaf_nodes, random_state=0
            ).fit(X.toarray(), y, sample_weight=w)
            assert_same_tree(dense, est)


@pytest.mark.parametrize("dataset", ["sparse-mix", "digits"])
def test_matches_sklearn_sparse_fit(dataset):
    """CART on sparse X predicts as scikit-learn's sparse gini tree does."""
    X, y = DATASETS[dataset]
    Xs = sp.csc_matrix(X)
    sk = SkTree(criterion="gini", random_state=0).fit(Xs, y)
    ours = DecisionTreeClassifier(criterion="gini").fit(Xs, y)
    assert ours.tree_.node_count == sk.tree_.node_count
    np.testing.assert_array_equal(ours.predict(Xs), sk.predict(Xs))
    np.testing.assert_allclose(ours.predict_proba(Xs), sk.predict_proba(Xs))


# -- hypothesis: any sparse matrix --------------------------------------------------------
# (No values within 1e-6 of each other: dense C4.5 once looped forever on e.g. -1e-9
# beside 0, see test_tiny_values_beside_zero.)
sparse_problems = _sparse_cases.sparse_problems

CONFIGS = [
    (DecisionTreeClassifier, {}),
    (DecisionTreeClassifier, {"criterion": "gini", "min_samples_leaf": 2}),
    (DecisionTreeClassifier, {"criterion": "gain_ratio", "max_depth": 3}),
    (DecisionTreeClassifier, {"max_features": 1, "random_state": 0}),
    (CARTClassifier, {}),
    (CARTClassifier, {"ccp_alpha": 0.02}),
    (C45Classifier, {}),
    (C45Classifier, {"pruning": None, "min_samples_leaf": 1}),
    (ID3Classifier, {}),
]


@settings(max_examples=60, deadline=None)
@given(sparse_problems(), st.sampled_from(CONFIGS), st.sampled_from(CONTAINERS))
def test_sparse_equals_dense(problem, config, container):
    X, y, w = problem
    cls, params = config
    dense_X = X.toarray()
    dense = cls(**params).fit(dense_X, y, sample_weight=w)
    Xs = container(X)
    before = Xs.copy()
    est = cls(**params).fit(Xs, y, sample_weight=w)
    assert_same_tree(dense, est)
    np.testing.assert_array_equal(est.predict_proba(sp.csr_matrix(X)), dense.predict_proba(dense_X))
    np.testing.assert_array_equal(est.apply(sp.csc_array(X)), dense.apply(dense_X))
    # the caller's matrix is untouched (explicit zeros, duplicates, index order)
    assert type(Xs) is type(before) and (Xs != before).nnz == 0
    for attr in ("data", "indices", "indptr", "row", "col"):
        if hasattr(before, attr):
            np.testing.assert_array_equal(getattr(Xs, attr), getattr(before, attr))


@pytest.mark.parametrize("criterion", ["gini", "entropy"])
def test_tiny_values_beside_zero(criterion):
    """Values closer to 0 than the gap between distinct values (1e-7) join the zero
    block, as they join the run of zeros in the dense sort."""
    X = np.array([[-27.5], [-2.5], [0.5], [-1e-9], [0.0], [3e-8], [0.0], [0.0]])
    y = np.array([0, 0, 0, 1, 0, 1, 0, 1])
    dense = DecisionTreeClassifier(criterion=criterion).fit(X, y)
    est = DecisionTreeClassifier(criterion=criterion).fit(sp.csc_matrix(X), y)
    assert_same_tree(dense, est)
    assert_same_predictions(dense, est, X)


def test_csr_equals_csc_on_weighted_data():
    """Real-valued weights: CSR and CSC fits are the same tree (the dense tree may
    differ in the last bits of weight sums, see treelearn._sparse_store)."""
    rng = np.random.default_rng(5)
    X = sp.random(200, 12, density=0.2, random_state=6, format="csr")
    y = rng.integers(0, 3, 200)
    w = rng.uniform(0.1, 2.0, 200)
    a = DecisionTreeClassifier().fit(X, y, sample_weight=w)
    b = DecisionTreeClassifier().fit(X.tocsc(), y, sample_weight=w)
    assert_same_tree(a, b)
    dense = DecisionTreeClassifier().fit(X.toarray(), y, sample_weight=w)
    assert a.tree_.node_count == dense.tree_.node_count
    np.testing.assert_array_equal(a.tree_.feature, dense.tree_.feature)


# -- without densifying ------------------------------------------------------------------
def test_wide_matrix_is_not_densified():
    """400 x 400,000 at 2,000 non-zeros: dense it would be 1.2 GiB."""
    rng = np.random.default_rng(7)
    n, p, nnz = 400, 400_000, 2000
    X = sp.csr_matrix(
        (rng.uniform(0.1, 1.0, nnz), (rng.integers(0, n, nnz), rng.integers(0, p, nnz))),
        shape=(n, p),
    )
    y = (np.asarray(X[:, : p // 2].sum(axis=1)).ravel() > 0).astype(int)
    est = DecisionTreeClassifier(criterion="gini").fit(X, y)
    assert est.score(X, y) == 1.0
    assert est.n_features_in_ == p
    assert est.decision_path(X).shape == (n, est.tree_.node_count)


def test_sparse_columns_refuses_to_densify():
    with pytest.raises(TypeError, match="sparse"):
        np.asarray(SparseColumns(sp.eye(3, format="csr")))


# -- what is refused ---------------------------------------------------------------------
def test_nan_in_sparse_is_refused():
    X = sp.csr_matrix(np.array([[np.nan, 1.0], [0.0, 2.0]]))
    with pytest.raises(ValueError, match="NaN"):
        DecisionTreeClassifier().fit(X, [0, 1])
    est = DecisionTreeClassifier().fit(np.array([[1.0, 1.0], [0.0, 2.0]]), [0, 1])
    with pytest.raises(ValueError, match="NaN"):
        est.predict(X)


def test_infinity_and_float32_range_in_sparse_are_refused():
    with pytest.raises(ValueError, match="infinity"):
        DecisionTreeClassifier().fit(sp.csr_matrix([[np.inf], [1.0]]), [0, 1])
    with pytest.raises(ValueError, match="float32"):
        DecisionTreeClassifier().fit(sp.csr_matrix([[1e300], [1.0]]), [0, 1])


@pytest.mark.parametrize("cls", [DecisionTreeClassifier, C45Classifier, CARTClassifier])
def test_categorical_features_with_sparse_are_refused(cls):
    X = sp.csr_matrix([[0.0, 1.0], [1.0, 0.0], [2.0, 1.0]])
    with pytest.raises(ValueError, match="numeric features only"):
        cls(categorical_features=[0]).fit(X, [0, 1, 0])


def test_sparse_prediction_with_a_categorical_model_is_refused():
    import pandas as pd

    frame = pd.DataFrame({"a": pd.Categorical(["x", "y", "x", "y"]), "b": [0.0, 1.0, 2.0, 3.0]})
    est = C45Classifier(min_samples_leaf=1).fit(frame, [0, 1, 0, 1])
    with pytest.raises(ValueError, match="numeric features only"):
        est.predict(sp.csr_matrix(np.zeros((2, 2))))


def test_sparse_y_is_refused():
    with pytest.raises(TypeError, match="sparse y"):
        DecisionTreeClassifier().fit(np.eye(3), sp.csr_matrix(np.array([[0], [1], [0]])))


def test_wrong_number_of_features_on_sparse_predict():
    est = DecisionTreeClassifier().fit(sp.csr_matrix(np.eye(4)), [0, 1, 0, 1])
    with pytest.raises(ValueError, match="features"):
        est.predict(sp.csr_matrix(np.eye(3)))


# -- CART's surrogate splits (missing_values="surrogate", its default) --------------------
def test_cart_surrogates_on_sparse_equal_dense():
    """The surrogates are grown from the non-zeros and are the dense fit's: the same
    arrays (features, thresholds, directions, agreements), so a sparse-fitted CART
    routes a dense row with NaN as the dense-fitted one does."""
    X, y = DATASETS["digits"]
    dense = CARTClassifier().fit(X, y)
    est = CARTClassifier().fit(sp.csc_matrix(X), y)
    sur = dense.tree_.to_arrays()
    assert sur["surrogate_ptr"][-1] > 100  # surrogates at most internal nodes
    assert (sur["surrogate_threshold"] == 0.5).any()  # cuts at the zero block's edge
    assert_same_tree(dense, est)
    rng = np.random.default_rng(0)
    X_nan = X.astype(float).copy()
    X_nan[rng.random(X.shape) < 0.3] = np.nan
    np.testing.assert_array_equal(est.predict_proba(X_nan), dense.predict_proba(X_nan))


@pytest.mark.parametrize("max_surrogates", [0, 1, 5, 20])
def test_cart_surrogates_with_negative_values_and_ties(max_surrogates):
    """Mixed signs (the zero block between negatives and positives), duplicated
    columns (agreement ties: the lower feature first) and integer weights."""
    X, y = _rng_sparse(300, 30, 0.15, 11, "mix")
    X = np.round(X, 1)
    X = np.hstack([X, X[:, :5]])  # ties in agreement
    w = np.random.default_rng(12).integers(1, 4, X.shape[0]).astype(float)
    dense = CARTClassifier(max_surrogates=max_surrogates).fit(X, y, sample_weight=w)
    for container in (sp.csc_matrix, sp.csr_array):
        est = CARTClassifier(max_surrogates=max_surrogates).fit(container(X), y, sample_weight=w)
        assert_same_tree(dense, est)
    if max_surrogates:
        assert dense.tree_.to_arrays()["surrogate_ptr"][-1] > 0


@settings(max_examples=80, deadline=None)
@given(sparse_problems(), st.integers(0, 6), st.sampled_from(CONTAINERS))
def test_cart_sparse_equals_dense(problem, max_surrogates, container):
    X, y, w = problem
    dense = CARTClassifier(max_surrogates=max_surrogates).fit(X.toarray(), y, sample_weight=w)
    est = CARTClassifier(max_surrogates=max_surrogates).fit(container(X), y, sample_weight=w)
    assert_same_tree(dense, est)


@pytest.mark.parametrize("cls", [DecisionTreeClassifier, CARTClassifier])
def test_multioutput_on_sparse_equals_dense(cls):
    """Multi-output y with sparse X: each row enters once per output (a sparse row
    repeat), the same tree and predictions as the dense fit."""
    X, _ = _rng_sparse(200, 10, 0.3, 21, "mix")
    rng = np.random.default_rng(22)
    Y = np.c_[rng.integers(0, 3, 200), rng.integers(0, 2, 200)]
    dense = cls(random_state=0).fit(X, Y)
    est = cls(random_state=0).fit(sp.csr_matrix(X), Y)
    assert_same_tree(dense, est)
    for a, b in zip(est.predict_proba(sp.csc_matrix(X)), dense.predict_proba(X), strict=True):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(est.predict(sp.csr_array(X)), dense.predict(X))


def test_competitors_on_sparse_are_refused():
    with pytest.raises(ValueError, match="max_competitors is not available with sparse X"):
        CARTClassifier(max_competitors=2).fit(sp.csr_matrix(np.eye(4)), [0, 1, 0, 1])
