"""The one-walk routing of rows with missing values against a slow per-row walk.

:func:`treelearn._routing.route` sends the rows with a missing value from the root
down every branch in one level-synchronous walk (fractional trees), and follows
surrogates at every step of the walk (numeric surrogate trees). Each row's
``(leaf, weight)`` list must be the one a per-row, level-by-level walk produces in
its order (moved entries keep their order, the copies of a fanned-out entry follow
them in slot order, leaves leave as they are reached): that order fixes the last
bit of the summed probabilities.
"""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from treelearn import C45Classifier, CARTClassifier, DecisionTreeClassifier, ID3Classifier
from treelearn._routing import route
from treelearn._surrogate_tables import surrogate_ranks, surrogate_slots


def _surrogate_slot(tree, x: np.ndarray, node: int) -> int:
    """The slot of the first surrogate of ``node`` whose value ``x`` has (-1: none)."""
    sur = tree.surrogates
    if sur is None:
        return -1
    for s in range(int(sur.ptr[node]), int(sur.ptr[node + 1])):
        v = x[sur.feature[s]]
        if not np.isnan(v):
            low = int(sur.low_slot[s])
            return low if v <= sur.threshold[s] else 1 - low
    return -1


def _row_entries(tree, x: np.ndarray) -> list[tuple[int, float]]:
    """One row's ``(leaf, weight)`` list, level by level, in the routing's order."""
    t = tree.descent_tables
    entries = [(0, 1.0)]
    out = []
    while entries:
        moved, copies = [], []
        for node, w in entries:
            if t.n_children[node] == 0:
                out.append((node, w))
                continue
            v = x[t.feature[node]]
            if not np.isnan(v):
                moved.append((int(t.base[node] + (v > t.threshold[node])), w))
                continue
            slot = _surrogate_slot(tree, x, node)
            if slot >= 0:
                moved.append((int(t.base[node]) + slot, w))
                continue
            lo = int(t.spread_start[node])
            for c in t.spread_children[lo : lo + int(t.spread_count[node])]:
                copies.append((int(c), w * float(t.share[c])))
        entries = moved + copies
    return out


def _check(est, X: np.ndarray) -> None:
    tree = est.tree_
    leaf, stuck, rows, leaves, w = route(tree.descent_tables, X)
    assert np.array_equal(np.sort(stuck), np.flatnonzero(leaf < 0))
    order = np.argsort(rows, kind="stable")  # keeps each row's order
    rows, leaves, w = rows[order], leaves[order], w[order]
    bounds = np.searchsorted(rows, np.arange(X.shape[0] + 1))
    for i in range(X.shape[0]):
        want = _row_entries(tree, X[i])
        part = slice(bounds[i], bounds[i + 1])
        got = list(zip(leaves[part].tolist(), w[part], strict=True))
        if leaf[i] >= 0:
            assert not got
            assert want == [(int(leaf[i]), 1.0)], i
        else:
            assert [n for n, _ in got] == [n for n, _ in want], i
            assert [float(a) for _, a in got] == [b for _, b in want], i  # bit for bit


def _data(seed: int, n: int, missing: float, dtype):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 4)).round(1)
    y = (X[:, 0] + X[:, 1] * X[:, 2] > 0).astype(int) + (X[:, 3] > 1)
    X[rng.random(X.shape) < missing] = np.nan
    return X.astype(dtype), y


_MODELS = {
    "fractional": lambda: DecisionTreeClassifier(missing_values="fractional"),
    "id3": lambda: ID3Classifier(),
    "c45": lambda: C45Classifier(),
    "surrogate": lambda: DecisionTreeClassifier(missing_values="surrogate"),
    "cart": lambda: CARTClassifier(),
    "learned": lambda: DecisionTreeClassifier(missing_values="learned"),
}


@pytest.mark.parametrize("name", sorted(_MODELS))
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_route_matches_a_per_row_walk(name: str, dtype) -> None:
    X, y = _data(0, 400, 0.15, dtype)
    est = _MODELS[name]().fit(X, y)
    X_new, _ = _data(1, 300, 0.25, dtype)
    _check(est, X_new)


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 2**16),
    name=st.sampled_from(sorted(_MODELS)),
    missing=st.floats(0.0, 0.6),
)
def test_route_matches_a_per_row_walk_random(seed: int, name: str, missing: float) -> None:
    X, y = _data(seed, 120, missing, np.float64)
    est = _MODELS[name]().fit(X, y)
    X_new, _ = _data(seed + 1, 80, missing, np.float64)
    _check(est, X_new)


def test_numeric_surrogate_slots_match_rank_by_rank() -> None:
    X, y = _data(3, 500, 0.2, np.float64)
    tree = CARTClassifier().fit(X, y).tree_
    assert tree.surrogates is not None and not tree.surrogates.has_categorical
    internal = np.flatnonzero(tree.n_children > 0)
    rows = np.repeat(np.arange(X.shape[0]), internal.size)
    nodes = np.tile(internal, X.shape[0])
    slot, used = surrogate_slots(tree.surrogates, X, rows, nodes)
    want = [_surrogate_slot(tree, X[r], n) for r, n in zip(rows, nodes, strict=True)]
    assert slot.tolist() == want
    assert np.array_equal(used >= 0, slot >= 0)
    # the per-tree rank table prediction keeps gives the same slots and surrogates
    ranked = surrogate_ranks(tree.surrogates)
    assert np.array_equal(ranked, tree.descent_tables.surrogate_ranks)
    got_slot, got_used = surrogate_slots(tree.surrogates, X, rows, nodes, ranked)
    assert np.array_equal(got_slot, slot) and np.array_equal(got_used, used)
    X32 = X.astype(np.float32)
    got = surrogate_slots(tree.surrogates, X32, rows, nodes, ranked)
    want32 = surrogate_slots(tree.surrogates, X32, rows, nodes)
    assert all(np.array_equal(a, b) for a, b in zip(got, want32, strict=True))
    leaves = np.flatnonzero(tree.n_children == 0)[:5]  # no surrogates there: -1
    none, _ = surrogate_slots(tree.surrogates, X, np.arange(5), leaves, ranked)
    assert (none == -1).all()


@settings(max_examples=60, deadline=None)
@given(
    st.integers(0, 2**32 - 1),
    st.integers(1, 40),
    st.sampled_from([1, 2, 3, 7, 16, 17]),
)
def test_leaf_sums_are_row_sums_bit_for_bit(seed: int, n: int, k: int) -> None:
    """Column-by-column sums add the same products in the same order as the 2-D
    ``row_sums`` (both sides of the 16-column switch, -0.0 and tiny weights too)."""
    from treelearn._routing import leaf_sums, row_sums

    rng = np.random.default_rng(seed)
    table = rng.random((30, k)) * rng.choice([1.0, 1e-300, -0.0], size=(30, k))
    m = int(rng.integers(0, 5 * n))
    pos = rng.integers(0, n, m)
    leaves = rng.integers(0, 30, m)
    w = rng.random(m) * rng.choice([1.0, 1e-200, 3.0], size=m)
    want = row_sums(pos, table[leaves] * w[:, None], n)
    got = leaf_sums(pos, table, leaves, w, n)
    assert got.tobytes() == want.tobytes()


@pytest.mark.parametrize("name", sorted(_MODELS))
def test_fit_leaves_the_prediction_tables_built(name: str) -> None:
    """``fit`` builds the routing tables (no set-up in the first ``predict``); predict
    uses those very tables, and a tree unpickled without them predicts the same."""
    X, y = _data(5, 300, 0.1, np.float32)
    est = _MODELS[name]().fit(X, y)
    tables = est.tree_.__dict__["_descent"]
    assert tables is not None
    built = dict(tables.__dict__)  # the cached properties fit filled in
    assert "threshold32" in built
    assert ("fan_table" in built) == bool(tables.spreads.any())
    assert ("surrogate_ranks" in built) == (tables.surrogates is not None)
    proba = est.predict_proba(X)
    assert est.tree_.descent_tables is tables
    again = pickle.loads(pickle.dumps(est))
    assert again.tree_.__dict__["_descent"] is None
    assert again.predict_proba(X).tobytes() == proba.tobytes()
