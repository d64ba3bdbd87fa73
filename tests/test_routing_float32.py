"""Prediction reads float32 ``X`` as given (issue 19: no float64 copy at predict).

The descent compares float32 values with :func:`~treelearn._routing.float32_floor`
of the float64 thresholds. For every float32 ``x``, ``x > t`` must be
``x > float32_floor(t)``, so float32 ``X`` routes exactly as its float64 widening:
checked on the values at and next to every threshold, for every missing-value
strategy, and for the plain descent of rows without missing values beside rows
with them.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from treelearn import C45Classifier, CARTClassifier, DecisionTreeClassifier, ID3Classifier
from treelearn._data import _as_2d_nan_rows
from treelearn._routing import NanRows, descend, flat_view, float32_floor

_F32 = st.floats(width=32, allow_nan=True, allow_infinity=True)
_F64 = st.floats(allow_nan=False, allow_infinity=True)


@settings(max_examples=300, deadline=None)
@given(x=_F32, t=_F64)
def test_float32_floor_keeps_every_comparison(x: float, t: float) -> None:
    x32 = np.float32(x)
    floor = float32_floor(np.array([t]))
    assert floor.dtype == np.float32
    assert bool(x32 > floor[0]) == bool(np.float64(x32) > t)


@settings(max_examples=100, deadline=None)
@given(t=_F64)
def test_float32_floor_is_the_largest_float32_not_above(t: float) -> None:
    floor = float32_floor(np.array([t]))[0]
    assert np.float64(floor) <= t
    with np.errstate(over="ignore"):
        above = np.nextafter(floor, np.float32(np.inf))
    assert floor == np.float32(np.inf) or np.float64(above) > t


def _near_thresholds(tree, n_features: int, rng: np.random.Generator) -> np.ndarray:
    """float32 rows whose values sit at, just below and just above thresholds."""
    thr = tree.threshold[tree.n_children > 0]
    thr = thr[np.isfinite(thr)]
    f32 = float32_floor(thr)
    cand = np.concatenate(
        [
            f32,
            np.nextafter(f32, np.float32(np.inf)),
            np.nextafter(f32, np.float32(-np.inf)),
            thr.astype(np.float32),  # nearest (may be above t)
        ]
    )
    return rng.choice(cand, size=(4000, n_features)).astype(np.float32)


def _data(missing: float, seed: int = 0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(1500, 5)).astype(np.float32)
    X = (X * 100).round() / 7  # ties and values that are not float32 numbers
    y = (X[:, 0] + X[:, 1] ** 2 > X[:, 2]).astype(int) + (X[:, 3] > 0.5)
    if missing:
        X[rng.random(X.shape) < missing] = np.nan
    return X.astype(np.float64), y, rng


@pytest.mark.parametrize(
    "make",
    [
        lambda: DecisionTreeClassifier(missing_values="learned"),
        lambda: DecisionTreeClassifier(missing_values="fractional"),
        lambda: DecisionTreeClassifier(missing_values="surrogate"),
        ID3Classifier,
        C45Classifier,
        CARTClassifier,
    ],
)
@pytest.mark.parametrize("missing", [0.0, 0.05])
def test_float32_routes_as_its_float64_widening(make, missing: float) -> None:
    X, y, rng = _data(missing)
    est = make().fit(X, y)
    X32 = _near_thresholds(est.tree_, X.shape[1], rng)
    if missing:
        X32[rng.random(X32.shape) < missing] = np.nan
    X64 = X32.astype(np.float64)
    kept = X32.copy()
    assert np.array_equal(est.apply(X32), est.apply(X64))
    assert np.array_equal(est.predict_proba(X32), est.predict_proba(X64))
    assert np.array_equal(est.predict(X32), est.predict(X64))
    assert np.array_equal(X32, kept, equal_nan=True)  # the input is not modified


def test_flat_view_reads_float32_without_a_copy() -> None:
    X = np.arange(12, dtype=np.float32).reshape(4, 3)
    for arr in (X, np.asfortranarray(X)):
        flat, row_step, col_step = flat_view(arr)
        assert flat.dtype == np.float32
        assert np.shares_memory(flat, arr)
        assert flat[2 * row_step + 1 * col_step] == arr[2, 1]
    flat, _, _ = flat_view(X.astype(np.int64))  # other dtypes: float64
    assert flat.dtype == np.float64


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_rows_without_missing_values_take_the_plain_descent(dtype) -> None:
    """Rows with and without NaN mixed: the same leaves and stops as each alone."""
    X, y, _ = _data(0.05, seed=1)
    for est in (DecisionTreeClassifier(missing_values="fractional"), CARTClassifier()):
        t = est.fit(X, y).tree_.descent_tables
        Xd = X.astype(dtype)
        leaf, stuck_rows, stuck_nodes = descend(t, Xd)
        gappy = np.isnan(Xd).any(axis=1)
        full_leaf, none, _ = descend(t, Xd[~gappy])
        assert none.size == 0
        assert np.array_equal(leaf[~gappy], full_leaf)
        part_leaf, part_rows, part_nodes = descend(t, Xd[gappy])
        assert np.array_equal(leaf[gappy], part_leaf)
        assert np.array_equal(stuck_rows, np.flatnonzero(gappy)[part_rows])
        assert np.array_equal(stuck_nodes, part_nodes)


def test_a_row_sum_that_overflows_still_routes_as_the_plain_descent() -> None:
    """Rows of huge values sum to ``inf - inf`` (NaN) without holding a NaN: they take
    the general walk, which must give the plain descent's leaves."""
    X, y, rng = _data(0.05, seed=2)
    t = DecisionTreeClassifier().fit(X, y).tree_.descent_tables
    big = np.float32(np.finfo(np.float32).max)
    rows = rng.choice([big, -big, np.float32(0.5)], size=(200, X.shape[1])).astype(np.float32)
    rows[:, :4] = [big, big, -big, -big]  # partial sums overflow both ways (NaN)
    mixed = np.vstack([rows, np.full((1, X.shape[1]), np.nan, dtype=np.float32)])
    leaf, stuck_rows, _ = descend(t, mixed)
    plain, none, _ = descend(t, rows.astype(np.float64))  # float64: the sums do not overflow
    assert none.size == 0
    assert np.array_equal(leaf[:200], plain)
    assert not np.isin(np.arange(200), stuck_rows).any()


@pytest.mark.parametrize(
    "make",
    [
        lambda: DecisionTreeClassifier(missing_values="learned"),
        lambda: DecisionTreeClassifier(missing_values="fractional"),
        CARTClassifier,
        C45Classifier,
    ],
)
def test_the_nan_rows_validation_finds_route_as_rows_found_by_the_tree(make) -> None:
    """float32 predict: validation's one pass over ``X`` finds the rows that may hold a
    NaN and copies them out; the tree routes with them exactly as it does looking
    itself (huge rows whose sums overflow included)."""
    X, y, rng = _data(0.05, seed=3)
    est = make().fit(X, y)
    X32 = X.astype(np.float32)
    big = np.float32(np.finfo(np.float32).max)
    X32[:50] = rng.choice([big, -big, np.float32(0.5)], size=(50, X.shape[1]))
    kept = X32.copy()
    arr, found = _as_2d_nan_rows(X32)
    assert arr is X32  # read as given
    assert found is not None and found.mask is not None and found.values is not None
    gappy = np.isnan(X32).any(axis=1)
    assert not (gappy & ~found.mask).any()  # every row with a NaN (and maybe more)
    assert np.array_equal(found.values, X32[found.mask], equal_nan=True)
    tree = est.tree_
    proba = tree.predict_proba(X32, laplace=getattr(est, "laplace", False))
    assert est.predict_proba(X32).tobytes() == proba.tobytes()
    assert np.array_equal(est.predict(X32), est.classes_[tree.predict_class(X32)])
    assert np.array_equal(X32, kept, equal_nan=True)
    clean = X32[~gappy]
    assert _as_2d_nan_rows(clean[50:])[1] == NanRows(None)
    assert np.array_equal(est.predict(clean), est.classes_[tree.predict_class(clean)])


@pytest.mark.parametrize("value", [np.inf, -np.inf])
def test_infinity_in_float32_x_is_still_refused_with_a_nan_beside_it(value) -> None:
    X, y, _ = _data(0.05, seed=4)
    est = DecisionTreeClassifier().fit(X, y)
    X32 = X.astype(np.float32)
    X32[7, 1] = value
    X32[7, 2] = np.nan
    with pytest.raises(ValueError, match="infinity"):
        est.predict(X32)
