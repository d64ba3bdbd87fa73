"""The exact search's shortcuts give the plain computation's numbers, bit for bit.

:class:`treelearn._split_numeric.PackedCounts` (every class's running count in one
int64) against the ``[K, m]`` one-hot prefix sums it replaces, and
:func:`treelearn._split_numeric.value_gaps` on float32 values (float32 differences, a
float64 test only near the gap) against the float64 test ``v[1:] > v[:-1] + gap``.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from treelearn._split_numeric import PackedCounts, value_gaps
from treelearn.criteria import Gini


def _one_hot_cumsum(labels: np.ndarray, K: int) -> np.ndarray:
    return np.cumsum(np.equal.outer(np.arange(K), labels), axis=1)  # [K, m]


@settings(max_examples=200, deadline=None)
@given(
    K=st.integers(1, 9),
    data=st.data(),
)
def test_packed_counts_unpack_to_the_one_hot_prefix_sums(K, data):
    m = data.draw(st.integers(1, 400))
    labels = data.draw(hnp.arrays(np.int8, m, elements=st.integers(0, K - 1)))
    packed = PackedCounts.of(labels, K)
    bits = max(m.bit_length(), 1)
    if K * bits > 63:
        assert packed is None
        return
    assert packed is not None
    want = _one_hot_cumsum(labels, K)
    np.testing.assert_array_equal(packed.unpack(packed.cum), want)
    # differences of running counts (a side of a cut) never borrow across classes
    a = data.draw(hnp.arrays(np.intp, 20, elements=st.integers(0, m - 1)))
    b = data.draw(hnp.arrays(np.intp, 20, elements=st.integers(0, m - 1)))
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    side = packed.cum[hi] - packed.cum[lo]
    np.testing.assert_array_equal(packed.unpack(side), want[:, hi] - want[:, lo])
    floats = packed.unpack(side, np.float64)
    assert floats.dtype == np.float64
    np.testing.assert_array_equal(floats, want[:, hi] - want[:, lo])
    squares = ((want[:, hi] - want[:, lo]) ** 2).sum(axis=0)
    np.testing.assert_array_equal(packed.square_sums(side), squares.astype(np.float64))


def test_packed_counts_at_the_largest_level_that_fits():
    # 3 classes of 2**21 - 1 positions: 21 bits each, 63 in all
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 3, 2**21 - 1).astype(np.int8)
    packed = PackedCounts.of(labels, 3)
    assert packed is not None
    np.testing.assert_array_equal(
        packed.unpack(packed.cum[-1:])[:, 0], np.bincount(labels, minlength=3)
    )
    assert PackedCounts.of(np.zeros(2**21, dtype=np.int8), 3) is None  # 22 bits


def test_gini_square_sum_rank_is_split_rank():
    rng = np.random.default_rng(1)
    left = rng.integers(0, 50, (500, 3)).astype(np.float64) + np.array([1.0, 0, 0])
    right = rng.integers(0, 50, (500, 3)).astype(np.float64) + np.array([0, 1.0, 0])
    crit = Gini()
    want = crit.split_rank(left, right)
    got = crit.square_sum_rank(
        left.sum(axis=1), (left**2).sum(axis=1), right.sum(axis=1), (right**2).sum(axis=1)
    )
    np.testing.assert_array_equal(got, want)


def _reference(v: np.ndarray, gap: float) -> np.ndarray:
    w = v.astype(np.float64)
    return w[1:] > w[:-1] + gap


def _near(gap: float) -> np.ndarray:
    """float32 pairs whose difference is within a few ulps of ``gap``, at many scales."""
    out = []
    for a in (0.0, 1e-9, 0.3, 0.5, 0.75, 1.0, 1.5, 3.0, 100.0, -0.6, -1.0, -2.5):
        a32 = np.float32(a)
        b32 = np.float32(np.float64(a32) + gap)
        for k in range(-4, 5):
            b = b32
            step = np.float32(np.inf) if k > 0 else np.float32(-np.inf)
            for _ in range(abs(k)):
                b = np.nextafter(b, step)
            out += [a32, b]
    return np.array(out, dtype=np.float32)


@pytest.mark.parametrize("gap", [1e-7, 1e-5, 1e-3, 0.5])
def test_value_gaps_near_the_gap(gap):
    v = _near(gap)
    np.testing.assert_array_equal(value_gaps(v, gap), _reference(v, gap))
    s = np.sort(v)
    np.testing.assert_array_equal(value_gaps(s, gap), _reference(s, gap))


_FLOAT32 = st.floats(width=32, allow_nan=True, allow_infinity=True, allow_subnormal=True)


@settings(max_examples=300, deadline=None)
@given(
    v=hnp.arrays(np.float32, st.integers(0, 60), elements=_FLOAT32),
    gap=st.sampled_from([1e-7, 1e-5, 1e-12, 3e-3, 0.0, 1.0]),
    sort=st.booleans(),
)
@example(v=np.array([1.0, 1.0000001, 1.0000002], dtype=np.float32), gap=1e-7, sort=True)
@example(v=np.array([-3e38, 3e38, np.inf, np.inf, np.nan], dtype=np.float32), gap=1e-7, sort=False)
def test_value_gaps_is_the_float64_test(v, gap, sort):
    if sort:
        v = np.sort(v)
    np.testing.assert_array_equal(value_gaps(v, gap), _reference(v, gap))
    # float64 values: the test as written
    np.testing.assert_array_equal(value_gaps(v.astype(np.float64), gap), _reference(v, gap))


def test_value_gaps_on_dense_float32_data():
    # 100k sorted float32 normals hold pairs one or two ulps apart near the gap
    rng = np.random.default_rng(2)
    v = np.sort(rng.standard_normal(100_000).astype(np.float32))
    for gap in (1e-7, 1e-5):
        np.testing.assert_array_equal(value_gaps(v, gap), _reference(v, gap))
