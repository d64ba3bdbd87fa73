"""Levels where one node may split (issue 19): the lean paths give the general trees.

The builder grows runs of such levels in the one node's window of positions
(``_LevelWiseBuilder._one_node_run``: no level state rebuilt, tree arrays added in
batches), searches other such levels in the node's window
(``_LevelWiseBuilder._search_layout``) and routes them without the multi-node
machinery; ``learned_shares`` has a path for binary splits. Each is compared with
the general code on the same data: the trees must be the same bit for bit.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from treelearn import C45Classifier, CARTClassifier, DecisionTreeClassifier, ID3Classifier, _builder
from treelearn._missing import learned_shares
from treelearn._split_numeric import LevelLayout
from treelearn._tree import Tree

ARRAYS = (*Tree.NODE_ARRAYS, "value")


def _general_layout(self, splittable, n_ent, node_weight, store, frac):
    seg_start = np.cumsum(n_ent) - n_ent
    return LevelLayout(seg_start, n_ent, node_weight, splittable), slice(None), None


def _trees(make, X, y, monkeypatch):
    lean = make().fit(X, y).tree_
    with monkeypatch.context() as m:
        m.setattr(_builder._LevelWiseBuilder, "_search_layout", _general_layout)
        m.setattr(_builder._LevelWiseBuilder, "lean_levels", False)
        general = make().fit(X, y).tree_
    return lean, general


def _assert_same(lean, general):
    assert lean.node_count == general.node_count
    for name in ARRAYS:
        a, b = getattr(lean, name), getattr(general, name)
        assert a.dtype == b.dtype, name
        np.testing.assert_array_equal(a, b, err_msg=name)
    assert (lean.surrogates is None) == (general.surrogates is None)
    if lean.surrogates is not None:  # CART: the run searches them in the node's window
        sa, sb = lean.surrogates.to_arrays(), general.surrogates.to_arrays()
        assert sa.keys() == sb.keys()
        for name in sa:
            assert sa[name].dtype == sb[name].dtype, name
            np.testing.assert_array_equal(sa[name], sb[name], err_msg=name)


ESTIMATORS = [
    lambda: DecisionTreeClassifier(criterion="gini"),
    lambda: DecisionTreeClassifier(),
    lambda: DecisionTreeClassifier(min_samples_leaf=2),
    lambda: CARTClassifier(),
    lambda: C45Classifier(),
    lambda: ID3Classifier(),
    lambda: DecisionTreeClassifier(criterion="misclassification"),
    lambda: DecisionTreeClassifier(max_features=1, random_state=0),
    lambda: DecisionTreeClassifier(max_depth=7, min_samples_split=4),
    lambda: DecisionTreeClassifier(criterion="gini", min_impurity_decrease=1e-4),
    lambda: C45Classifier(pruning=None, min_samples_leaf=1),
    lambda: CARTClassifier(max_surrogates=1, cp=0.0),
]


@pytest.mark.parametrize("make", ESTIMATORS)
def test_chain_same_tree_as_general_search(make, monkeypatch):
    X = np.arange(300, dtype=np.float64).reshape(-1, 1)
    y = np.arange(300) % 2
    lean, general = _trees(make, X, y, monkeypatch)
    _assert_same(lean, general)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    n=st.integers(5, 60),
    n_features=st.integers(1, 3),
    n_classes=st.integers(2, 3),
    levels=st.integers(2, 6),
    seed=st.integers(0, 2**16),
    which=st.integers(0, len(ESTIMATORS) - 1),
)
def test_peeling_levels_same_tree_as_general_search(
    n, n_features, n_classes, levels, seed, which, monkeypatch
):
    """Ties, several features, float32 values: levels where one node splits beside
    leaves (peels) give the general search's tree."""
    rng = np.random.default_rng(seed)
    X = rng.integers(0, levels, (n, n_features)).astype(np.float32)
    X[:, 0] = np.arange(n) // 2  # a chain-like feature with tied pairs
    y = rng.integers(0, n_classes, n)
    lean, general = _trees(ESTIMATORS[which], X, y, monkeypatch)
    _assert_same(lean, general)


def test_chain_is_grown_in_one_run(monkeypatch):
    """A chain's levels after the root are one run: no general level after it."""
    calls = {"run": 0, "general": 0}
    builder = _builder._LevelWiseBuilder
    run, general = builder._one_node_run, builder._choose_splits

    def counting_run(self, *args):
        calls["run"] += 1
        return run(self, *args)

    def counting_general(self, *args):
        calls["general"] += 1
        return general(self, *args)

    monkeypatch.setattr(_builder._LevelWiseBuilder, "_one_node_run", counting_run)
    monkeypatch.setattr(_builder._LevelWiseBuilder, "_choose_splits", counting_general)
    X = np.arange(1000, dtype=np.float64).reshape(-1, 1)
    tree = DecisionTreeClassifier(criterion="gini").fit(X, np.arange(1000) % 2).tree_
    assert tree.node_count == 1999 and int(tree.depth.max()) == 999
    assert calls == {"run": 1, "general": 1}  # the root (checked criterion), then one run


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    n=st.integers(8, 80),
    n_features=st.integers(1, 4),
    seed=st.integers(0, 2**16),
    which=st.integers(0, len(ESTIMATORS) - 1),
    n_jobs=st.sampled_from([1, 2]),
)
def test_runs_that_end_and_resume_same_tree(n, n_features, seed, which, n_jobs, monkeypatch):
    """Chain-like features beside noisy ones: runs of one-node levels end where both
    children may split and start again further down; float64 values that are not
    float32 (the store keeps float64), weighted-looking duplicates of values."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, n_features)) * 1e-3 + rng.integers(0, 4, (n, n_features))
    X[:, 0] = np.sort(rng.integers(0, n, n)) + 0.1  # peels with ties
    y = (np.arange(n) + rng.integers(0, 2, n) * (rng.random(n) < 0.2)) % 3

    def make():
        est = ESTIMATORS[which]()
        return est.set_params(n_jobs=n_jobs) if "n_jobs" in est.get_params() else est

    lean, general = _trees(make, X, y, monkeypatch)
    _assert_same(lean, general)


def test_many_runs_same_tree_as_general(monkeypatch):
    """Several chains side by side (two features, classes alternating in blocks): the
    general loop and runs take turns, batches of 128 levels are merged."""
    n = 700
    X = np.column_stack([np.arange(n) % 350, np.arange(n) // 350]).astype(np.float64)
    y = (np.arange(n) // 3) % 2
    for make in (lambda: DecisionTreeClassifier(criterion="gini"), ID3Classifier):
        lean, general = _trees(make, X, y, monkeypatch)
        _assert_same(lean, general)


def _learned_shares_general(n_children, child_weight, missing_slot):
    """The heaviest child (last of ties) or the training slot, child by child."""
    out = []
    at = 0
    for nc, ms in zip(n_children.tolist(), missing_slot.tolist(), strict=True):
        w = child_weight[at : at + nc]
        if nc:
            pick = ms if ms >= 0 else int(np.flatnonzero(w == w.max())[-1])
            out += [float(s == pick) for s in range(nc)]
        at += nc
    return np.array(out)


@settings(max_examples=200, deadline=None)
@given(
    children=st.lists(st.sampled_from([0, 2, 3]), min_size=1, max_size=6),
    seed=st.integers(0, 2**16),
)
def test_learned_shares_binary_and_multiway(children, seed):
    rng = np.random.default_rng(seed)
    nc = np.array(children, dtype=np.int32)
    w = rng.integers(0, 3, int(nc.sum())).astype(np.float64)  # ties often
    ms = np.where(nc > 0, rng.integers(-1, 3, nc.size), -1)
    ms = np.minimum(ms, nc - 1)
    np.testing.assert_array_equal(learned_shares(nc, w, ms), _learned_shares_general(nc, w, ms))


@pytest.mark.parametrize(
    "make",
    [
        lambda: DecisionTreeClassifier(criterion="gini"),
        lambda: DecisionTreeClassifier(n_jobs=2),
        lambda: CARTClassifier(),
    ],
)
def test_large_windows_of_several_features(make, monkeypatch):
    """A run's large windows (above MIN_THREADED_ELEMENTS positions over the other
    features) partition each feature by its own stable sort, on threads with n_jobs."""
    rng = np.random.default_rng(0)
    n = 40_000
    X = np.column_stack([np.arange(n), rng.normal(size=n), rng.integers(0, 50, n)])
    y = np.zeros(n, dtype=int)
    y[:8] = np.arange(8) % 2  # a few peels at the bottom, then a pure node
    lean, general = _trees(make, X.astype(np.float64), y, monkeypatch)
    assert int(lean.depth.max()) >= 4
    _assert_same(lean, general)
