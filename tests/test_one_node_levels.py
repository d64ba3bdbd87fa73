"""Levels where one node may split (issue 19): the lean paths give the general trees.

The builder searches such a level in the one node's window of positions
(``_LevelWiseBuilder._search_layout``) and routes it without the multi-node
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

ARRAYS = ("feature", "threshold", "impurity", "value", "n_node_samples", "missing_fraction")


def _general_layout(self, splittable, n_ent, node_weight, store, frac):
    seg_start = np.cumsum(n_ent) - n_ent
    return LevelLayout(seg_start, n_ent, node_weight, splittable), slice(None), None


def _trees(make, X, y, monkeypatch):
    lean = make().fit(X, y).tree_
    with monkeypatch.context() as m:
        m.setattr(_builder._LevelWiseBuilder, "_search_layout", _general_layout)
        general = make().fit(X, y).tree_
    return lean, general


ESTIMATORS = [
    lambda: DecisionTreeClassifier(criterion="gini"),
    lambda: DecisionTreeClassifier(),
    lambda: DecisionTreeClassifier(min_samples_leaf=2),
    lambda: CARTClassifier(),
    lambda: C45Classifier(),
    lambda: ID3Classifier(),
]


@pytest.mark.parametrize("make", ESTIMATORS)
def test_chain_same_tree_as_general_search(make, monkeypatch):
    X = np.arange(300, dtype=np.float64).reshape(-1, 1)
    y = np.arange(300) % 2
    lean, general = _trees(make, X, y, monkeypatch)
    for name in ARRAYS:
        np.testing.assert_array_equal(getattr(lean, name), getattr(general, name), err_msg=name)


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
    for name in ARRAYS:
        np.testing.assert_array_equal(getattr(lean, name), getattr(general, name), err_msg=name)


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
