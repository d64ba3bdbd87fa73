"""``splitter="hist"`` on sparse X: the dense histogram tree of the densified matrix.

The reference is treelearn's own dense ``splitter="hist"`` on ``X.toarray()`` (itself
pinned to the exact splitter, scikit-learn and rpart in ``tests/test_hist.py``): the
bins (edges, value ranges, codes) and the tree must be the same bit for bit with
unit or integer weights, for explicit zeros, negative values, all-zero columns,
every container and criterion, while the fit never densifies ``X``.
"""

from __future__ import annotations

import _sparse_cases
import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from test_hist import ARRAYS, assert_same_tree
from user_criteria import NormalisedGain, Tsallis

from treelearn import CARTClassifier, DecisionTreeClassifier, ID3Classifier
from treelearn._binning import apply_bins, fit_bins
from treelearn._growth_rules import SklearnRules
from treelearn._hist_sparse import fit_sparse_bins
from treelearn._sparse_values import SparseColumns

CONTAINERS = [sp.csc_matrix, sp.csr_matrix, sp.coo_matrix, sp.csc_array, sp.csr_array]


def assert_same_fit(dense, est, X) -> None:
    """Same tree arrays, and the same answers on sparse and dense input."""
    assert_same_tree(dense.tree_, est.tree_)
    Xd = X.toarray()
    for container in (sp.csr_matrix, sp.csc_array):
        Xs = container(X)
        np.testing.assert_array_equal(est.predict_proba(Xs), dense.predict_proba(Xd))
        np.testing.assert_array_equal(est.predict(Xs), dense.predict(Xd))
        np.testing.assert_array_equal(est.apply(Xs), dense.apply(Xd))
        assert (est.decision_path(Xs) != dense.decision_path(Xd)).nnz == 0


def _bins_match(X, max_bins: int) -> None:
    rules = SklearnRules()
    Xd = np.asarray(X.toarray(), dtype=float)
    P = Xd.shape[1]
    dense = fit_bins(Xd, np.zeros(P, bool), np.zeros(P, int), max_bins, rules.numeric_gap,
                     rules.place_thresholds)  # fmt: skip
    bins, codes = fit_sparse_bins(
        SparseColumns(X), max_bins, rules.numeric_gap, rules.place_thresholds, False
    )
    np.testing.assert_array_equal(bins.n_bins, dense.n_bins)
    for a, b in zip(bins.edges, dense.edges, strict=True):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(bins.lo, dense.lo)
    np.testing.assert_array_equal(bins.hi, dense.hi)
    # the stored codes, and the zero code wherever nothing is stored
    rows, cols = np.meshgrid(np.arange(Xd.shape[0]), np.arange(P), indexing="ij")
    got = codes.code_at(rows.ravel(), cols.ravel()).reshape(Xd.shape)
    np.testing.assert_array_equal(got, apply_bins(Xd, dense))


# -- bins --------------------------------------------------------------------------------
@pytest.mark.parametrize("max_bins", [2, 3, 16, 255])
def test_bins_equal_dense_bins(max_bins):
    """Quantile cuts count the implicit zeros with their multiplicity."""
    rng = np.random.default_rng(0)
    X = sp.random(400, 7, density=0.3, random_state=1, format="csc")
    X.data = np.round(X.data * 40) - 12.0  # ties, negatives, explicit zeros
    X = sp.hstack([X, sp.csc_matrix((400, 1)), sp.csc_matrix(rng.normal(size=(400, 1)))])
    _bins_match(X.tocsc(), max_bins)


def test_bins_of_tiny_values_beside_zero():
    """Values within the gap (1e-7) of zero share the zero's bin, as densely."""
    X = sp.csc_matrix(np.array([[-27.5], [-1e-9], [0.0], [3e-8], [0.0], [0.5], [4e-8]]))
    _bins_match(X, 255)
    _bins_match(X, 2)


# -- trees -------------------------------------------------------------------------------
@pytest.mark.parametrize("criterion", ["gini", "entropy", "gain_ratio", Tsallis(2.0)])
@pytest.mark.parametrize("max_bins", [4, 255])
def test_tfidf_like_tree_equals_dense_hist(criterion, max_bins):
    rng = np.random.default_rng(3)
    X = sp.random(600, 60, density=0.05, random_state=4, format="csr")
    y = (np.asarray(X[:, :10].sum(axis=1)).ravel() > 0.2).astype(int) + rng.integers(0, 2, 600)
    params = {"criterion": criterion, "splitter": "hist", "max_bins": max_bins}
    dense = DecisionTreeClassifier(**params).fit(X.toarray(), y)
    est = DecisionTreeClassifier(**params).fit(X, y)
    assert_same_fit(dense, est, X)
    assert est.tree_.node_count > 20


@pytest.mark.parametrize(
    ("cls", "params"),
    [
        (DecisionTreeClassifier, {"min_samples_leaf": 3, "max_depth": 6}),
        (DecisionTreeClassifier, {"max_features": 3, "random_state": 0}),
        (DecisionTreeClassifier, {"max_leaf_nodes": 7}),
        (DecisionTreeClassifier, {"min_weight_fraction_leaf": 0.05}),
        (CARTClassifier, {"missing_values": "fractional"}),
        (CARTClassifier, {"missing_values": "fractional", "ccp_alpha": 0.01}),
        (ID3Classifier, {}),
    ],
)
def test_families_and_limits_equal_dense_hist(cls, params):
    X = sp.random(300, 12, density=0.2, random_state=5, format="csc")
    X.data -= 0.4
    y = np.random.default_rng(6).integers(0, 3, 300)
    params = {"splitter": "hist", "max_bins": 8, **params}
    dense = cls(**params).fit(X.toarray(), y)
    est = cls(**params).fit(X, y)
    assert_same_fit(dense, est, X)


def test_integer_weights_equal_dense_and_duplicated_rows():
    X = sp.random(250, 9, density=0.25, random_state=7, format="csr")
    y = np.random.default_rng(8).integers(0, 2, 250)
    w = np.random.default_rng(9).integers(1, 4, 250).astype(float)
    params = {"splitter": "hist", "max_bins": 6, "criterion": "entropy"}
    dense = DecisionTreeClassifier(**params).fit(X.toarray(), y, sample_weight=w)
    est = DecisionTreeClassifier(**params).fit(X, y, sample_weight=w)
    assert_same_fit(dense, est, X)


def test_real_weights_grow_the_dense_trees_splits():
    """Real-valued weights: the zero bins are node totals minus sums, so weights may
    differ from the dense ones in the last bits; the splits are the same here."""
    X = sp.random(300, 10, density=0.2, random_state=10, format="csr")
    y = np.random.default_rng(11).integers(0, 3, 300)
    w = np.random.default_rng(12).uniform(0.1, 2.0, 300)
    params = {"splitter": "hist", "max_bins": 8}
    dense = DecisionTreeClassifier(**params).fit(X.toarray(), y, sample_weight=w)
    est = DecisionTreeClassifier(**params).fit(X, y, sample_weight=w)
    assert est.tree_.node_count == dense.tree_.node_count
    np.testing.assert_array_equal(est.tree_.feature, dense.tree_.feature)
    np.testing.assert_array_equal(est.tree_.threshold, dense.tree_.threshold)
    np.testing.assert_allclose(est.tree_.value, dense.tree_.value, rtol=1e-12)
    csc = DecisionTreeClassifier(**params).fit(X.tocsc(), y, sample_weight=w)
    assert_same_tree(est.tree_, csc.tree_)


def test_small_histogram_budget_grows_the_same_tree():
    X = sp.random(400, 30, density=0.1, random_state=13, format="csr")
    y = np.random.default_rng(14).integers(0, 2, 400)
    big = DecisionTreeClassifier(splitter="hist").fit(X, y)
    small = DecisionTreeClassifier(splitter="hist", max_histogram_mb=0.01).fit(X, y)
    assert_same_tree(big.tree_, small.tree_)
    assert_same_tree(big.tree_, DecisionTreeClassifier(splitter="hist").fit(X.toarray(), y).tree_)


def test_wide_matrix_is_not_densified():
    """400 x 100,000 at 1,000 non-zeros: densely 305 MiB of values, 38 MiB of codes.
    (Each level's histograms are nodes x features x bins, so wider data is slow
    here; see benchmarks/RESULTS.md.)"""
    rng = np.random.default_rng(7)
    n, p, nnz = 400, 100_000, 1000
    X = sp.csr_matrix(
        (rng.uniform(0.1, 1.0, nnz), (rng.integers(0, n, nnz), rng.integers(0, p, nnz))),
        shape=(n, p),
    )
    y = (np.asarray(X[:, : p // 2].sum(axis=1)).ravel() > 0).astype(int)
    est = DecisionTreeClassifier(criterion="gini", splitter="hist", max_depth=8).fit(X, y)
    # at most 255 distinct values per column: the bins lose nothing, the tree is exact
    exact = DecisionTreeClassifier(criterion="gini", max_depth=8).fit(X, y)
    assert_same_tree(exact.tree_, est.tree_)
    assert est.decision_path(X).shape == (n, est.tree_.node_count)


# -- hypothesis: any sparse matrix -------------------------------------------------------
def sparse_problems():
    values = (-2.5, -1.0, -0.25, -1e-9, 0.0, 3e-8, 0.5, 1.0, 3.0)
    return _sparse_cases.sparse_problems(values=values, sum_duplicates=True)


CONFIGS = [
    (DecisionTreeClassifier, {}),
    (DecisionTreeClassifier, {"criterion": "gini", "min_samples_leaf": 2}),
    (DecisionTreeClassifier, {"criterion": "gain_ratio", "max_depth": 3}),
    (DecisionTreeClassifier, {"criterion": NormalisedGain()}),
    (DecisionTreeClassifier, {"max_features": 1, "random_state": 0}),
    (CARTClassifier, {"missing_values": "fractional"}),
    (ID3Classifier, {}),
]


@settings(max_examples=80, deadline=None)
@given(
    sparse_problems(),
    st.sampled_from(CONFIGS),
    st.sampled_from(CONTAINERS),
    st.sampled_from([2, 3, 255]),
)
def test_property_sparse_hist_equals_dense_hist(problem, config, container, max_bins):
    X, y, w = problem
    cls, params = config
    params = {**params, "splitter": "hist", "max_bins": max_bins}
    dense_X = X.toarray()
    dense = cls(**params).fit(dense_X, y, sample_weight=w)
    Xs = container(X)
    before = Xs.copy()
    est = cls(**params).fit(Xs, y, sample_weight=w)
    assert_same_tree(dense.tree_, est.tree_)
    np.testing.assert_array_equal(est.predict_proba(sp.csr_matrix(X)), dense.predict_proba(dense_X))
    np.testing.assert_array_equal(est.apply(sp.csc_array(X)), dense.apply(dense_X))
    # the caller's matrix is untouched (explicit zeros, duplicates, index order)
    assert type(Xs) is type(before) and (Xs != before).nnz == 0
    for attr in ("data", "indices", "indptr", "row", "col"):
        if hasattr(before, attr):
            np.testing.assert_array_equal(getattr(Xs, attr), getattr(before, attr))
    _bins_match(X.tocsc(), max_bins)


# -- what is refused ---------------------------------------------------------------------
def test_multioutput_hist_on_sparse_is_refused_as_on_dense():
    X = sp.csr_matrix(np.eye(4))
    with pytest.raises(ValueError, match="splitter='hist' grows single-output trees"):
        DecisionTreeClassifier(splitter="hist").fit(X, np.eye(4)[:, :2])


def test_surrogates_with_hist_on_sparse_are_refused():
    with pytest.raises(ValueError, match="has no surrogate splits"):
        CARTClassifier(splitter="hist").fit(sp.csr_matrix(np.eye(4)), [0, 1, 0, 1])


def test_dask_with_sparse_chunks_is_refused():
    da = pytest.importorskip("dask.array")
    X = da.from_array(sp.random(40, 3, density=0.3, format="csr", random_state=0),
                      chunks=(20, 3), asarray=False)  # fmt: skip
    y = da.from_array(np.arange(40) % 2, chunks=20)
    with pytest.raises(ValueError, match="Dask input must have dense chunks"):
        DecisionTreeClassifier(splitter="hist").fit(X, y)


assert "value" in ARRAYS  # the compared arrays include the class counts
