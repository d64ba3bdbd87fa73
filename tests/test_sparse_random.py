"""``splitter="random"`` on sparse X (issue 13): the dense random tree, bit for bit.

The reference is the dense random fit with the same ``random_state`` (itself checked
against scikit-learn's ``RandomSplitter`` in ``tests/test_splitter_random.py``): the
sparse store must draw the same uniform numbers in the same order (one per
(feature, node) pair of a level, feature-major), find the same extremes (the
implicit zeros included) and send the zero block to the same side, so every tree
array, ``predict_proba``, ``apply`` and ``decision_path`` are equal. Hypothesis draws
matrices with explicit zeros, negative values, duplicate entries and all-zero
columns, in CSC and CSR containers, for several seeds and every criterion family:
gini, entropy, gain ratio, user criteria and multi-output ``y``.
"""

from __future__ import annotations

import _sparse_cases
import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from user_criteria import Misclassification, Tsallis

from treelearn import CARTClassifier, DecisionTreeClassifier
from treelearn import _split_random as split_random
from treelearn._sparse_store import entry_groups, presort, zero_block
from treelearn._sparse_values import SparseColumns
from treelearn.criteria import CRITERIA

CONTAINERS = [sp.csc_matrix, sp.csr_matrix, sp.csc_array, sp.csr_array]


def assert_same_tree(a, b) -> None:
    ta, tb = a.tree_.to_arrays(), b.tree_.to_arrays()
    assert ta.keys() == tb.keys()
    for name in ta:
        assert np.array_equal(ta[name], tb[name], equal_nan=True), name


def sparse_problems():
    return _sparse_cases.sparse_problems(max_rows=50, empty_last_column=True)


CONFIGS = [
    (DecisionTreeClassifier, {"criterion": "gini"}),
    (DecisionTreeClassifier, {"criterion": "entropy", "min_samples_leaf": 2}),
    (DecisionTreeClassifier, {"criterion": "gain_ratio", "max_depth": 3}),
    (DecisionTreeClassifier, {"criterion": Tsallis(q=1.5)}),
    (DecisionTreeClassifier, {"criterion": Misclassification()}),
    (DecisionTreeClassifier, {"max_features": 1}),
    (DecisionTreeClassifier, {"min_weight_fraction_leaf": 0.1}),
    (CARTClassifier, {}),
    (CARTClassifier, {"ccp_alpha": 0.02, "min_samples_leaf": 2}),
]


def _fit_both(cls, params, X, y, w, container, seed):
    dense_X = X.toarray()
    dense = cls(splitter="random", random_state=seed, **params).fit(dense_X, y, sample_weight=w)
    Xs = container(X)
    before = Xs.copy()
    est = cls(splitter="random", random_state=seed, **params).fit(Xs, y, sample_weight=w)
    assert (Xs != before).nnz == 0 and type(Xs) is type(before)  # the input is untouched
    return dense, est, dense_X


@settings(max_examples=120, deadline=None)
@given(
    sparse_problems(),
    st.sampled_from(CONFIGS),
    st.sampled_from(CONTAINERS),
    st.integers(0, 2**31 - 1),
)
def test_sparse_random_equals_dense_random(problem, config, container, seed):
    X, y, w = problem
    cls, params = config
    dense, est, dense_X = _fit_both(cls, params, X, y, w, container, seed)
    assert_same_tree(dense, est)
    np.testing.assert_array_equal(est.predict_proba(sp.csr_matrix(X)), dense.predict_proba(dense_X))
    np.testing.assert_array_equal(est.apply(sp.csc_array(X)), dense.apply(dense_X))
    assert (est.decision_path(sp.csr_array(X)) != dense.decision_path(dense_X)).nnz == 0


def _text_like(n, p, density, seed):
    """Non-negative TF-IDF-like columns, a few negative ones, labels from the data."""
    rng = np.random.default_rng(seed)
    X = sp.random(n, p, density=density, format="csr", random_state=seed).toarray()
    X[:, :3] *= rng.choice([-1.0, 1.0], size=(n, 3))
    y = (X[:, : p // 2].sum(axis=1) > X[:, p // 2 :].sum(axis=1)).astype(int)
    y[rng.random(n) < 0.1] = 2
    return X, y


@pytest.mark.parametrize("criterion", sorted(CRITERIA))
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_every_criterion_on_sparse_random(criterion, seed):
    X, y = _text_like(300, 40, 0.1, seed)
    dense = DecisionTreeClassifier(criterion=criterion, splitter="random", random_state=seed)
    dense.fit(X, y)
    est = DecisionTreeClassifier(criterion=criterion, splitter="random", random_state=seed)
    est.fit(sp.csc_matrix(X), y)
    assert dense.tree_.node_count > 15
    assert_same_tree(dense, est)


@pytest.mark.parametrize("cls", [DecisionTreeClassifier, CARTClassifier])
@pytest.mark.parametrize("seed", [0, 5])
def test_multioutput_sparse_random_equals_dense(cls, seed):
    X, y = _text_like(250, 20, 0.2, seed)
    rng = np.random.default_rng(seed)
    Y = np.c_[y, rng.integers(0, 2, y.size)]
    dense = cls(splitter="random", random_state=seed).fit(X, Y)
    est = cls(splitter="random", random_state=seed).fit(sp.csr_matrix(X), Y)
    assert_same_tree(dense, est)
    for a, b in zip(est.predict_proba(sp.csc_matrix(X)), dense.predict_proba(X), strict=True):
        np.testing.assert_array_equal(a, b)


def test_sparse_random_is_random():
    """Seeds give different trees (the draws are used), one seed one tree."""
    X, y = _text_like(300, 40, 0.1, 3)
    Xs = sp.csr_matrix(X)
    trees = [
        DecisionTreeClassifier(splitter="random", random_state=s).fit(Xs, y).tree_.threshold
        for s in (0, 0, 1)
    ]
    np.testing.assert_array_equal(trees[0], trees[1])
    assert trees[0].shape != trees[2].shape or not np.array_equal(trees[0], trees[2])


def test_wide_matrix_random_is_not_densified():
    """400 x 400,000 at 2,000 non-zeros: dense it would be 1.2 GiB."""
    rng = np.random.default_rng(7)
    n, p, nnz = 400, 400_000, 2000
    X = sp.csr_matrix(
        (rng.uniform(0.1, 1.0, nnz), (rng.integers(0, n, nnz), rng.integers(0, p, nnz))),
        shape=(n, p),
    )
    y = (np.asarray(X[:, : p // 2].sum(axis=1)).ravel() > 0).astype(int)
    est = DecisionTreeClassifier(splitter="random", random_state=0).fit(X, y)
    assert est.score(X, y) == 1.0
    assert est.decision_path(X).shape == (n, est.tree_.node_count)


# -- the pieces ----------------------------------------------------------------------------
class _Rules:
    def __init__(self, seed):
        self.rng = np.random.default_rng(seed)


@pytest.mark.parametrize("per_call", [1, 3, 7, 2**20])
def test_pair_draws_follow_the_dense_stream(per_call, monkeypatch):
    """The numbers of the pairs are those of one feature-major stream of every
    (feature, node) pair, however many are drawn per call; the stream ends where the
    dense search's ends."""
    monkeypatch.setattr(split_random, "DRAWS_PER_CALL", per_call)
    P, L = 5, 4
    stream = np.random.default_rng(3).random(P * L + 1)
    feature = np.array([0, 0, 2, 3, 4, 4])
    node = np.array([1, 3, 0, 2, 0, 3])
    rules = _Rules(3)
    got = split_random.pair_draws(rules, P, L, feature, node)  # type: ignore[arg-type]
    np.testing.assert_array_equal(got, stream[feature * L + node])
    assert rules.rng.random() == stream[-1]


def test_zero_block_counts_the_implicit_zeros():
    """Per (feature, node) group: rows per class that are zero in the dense column."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 4))
    X[rng.random(X.shape) < 0.6] = 0.0
    X[:5, 1] = 0.0
    y = rng.integers(0, 3, 60)
    Xs = SparseColumns(sp.csc_matrix(X))
    store = presort(Xs, y, np.ones(60), 3)
    sel = np.arange(store.rows.size)
    groups = entry_groups(store, sel)
    n_counts = np.bincount(y, minlength=3)[None, :]
    got = zero_block(groups, n_counts, None, store.labels[sel])
    want = np.stack([np.bincount(y[X[:, f] == 0], minlength=3) for f in groups.feature])
    np.testing.assert_array_equal(got, want)
    rows = zero_block(groups, np.array([60]))
    np.testing.assert_array_equal(rows, (X[:, groups.feature] == 0).sum(axis=0))
