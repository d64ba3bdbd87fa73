"""The exact search's shortcuts give the plain computation's numbers, bit for bit.

:class:`treelearn._split_numeric.PackedCounts` (every class's running count in one
int64) against the ``[K, m]`` one-hot prefix sums it replaces, and
:func:`treelearn._split_numeric.value_gaps` on float32 values (float32 differences, a
float64 test only near the gap) against the float64 test ``v[1:] > v[:-1] + gap``.
"""

from __future__ import annotations

from unittest import mock

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from treelearn._c45_rules import C45Rules
from treelearn._growth_rules import SklearnRules
from treelearn._split_numeric import LevelLayout, PackedCounts, best_thresholds, value_gaps
from treelearn.criteria import CRITERIA, Gini


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


# -- the search with missing values: packed counts against the one-hot prefix sums ------


def _level(data, K: int, n_features: int, tie: bool):
    """A level's sorted arrays: per feature, each node's known values in increasing
    order, then its missing ones (NaN), as the store keeps them."""
    n_nodes = data.draw(st.integers(1, 5))
    seg_len = np.asarray(
        data.draw(st.lists(st.integers(0, 40), min_size=n_nodes, max_size=n_nodes))
    )
    seg_len[0] = max(seg_len[0], 2)  # a level has entries
    m = int(seg_len.sum())
    seg_start = np.r_[0, np.cumsum(seg_len)[:-1]].astype(np.intp)
    node = np.repeat(np.arange(n_nodes), seg_len)
    labels = data.draw(hnp.arrays(np.int8, m, elements=st.integers(0, K - 1)))
    nan_rate = data.draw(st.sampled_from([0.0, 0.05, 0.3, 1.0]))
    seed = data.draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    values, feature_labels = [], []
    for _ in range(n_features):
        x = rng.standard_normal(m)
        if tie:
            x = np.round(x, 0)
        x[rng.random(m) < nan_rate] = np.nan
        order = np.lexsort((np.where(np.isnan(x), np.inf, x), node))  # NaN last per node
        values.append(x[order])
        feature_labels.append(labels[order])
    splittable = np.asarray(data.draw(st.lists(st.booleans(), min_size=n_nodes, max_size=n_nodes)))
    layout = LevelLayout(seg_start, seg_len, seg_len.astype(np.float64), splittable)
    return values, feature_labels, layout


def _splits_equal(a, b) -> None:
    assert (a is None) == (b is None)
    if a is None:
        return
    for name in ("nodes", "feature", "gain", "score", "threshold", "missing_slot", "cut"):
        x, y = getattr(a, name), getattr(b, name)
        if x is None or y is None:
            assert x is None and y is None, name
            continue
        assert x.dtype == y.dtype, name
        np.testing.assert_array_equal(x, y, err_msg=name)
        assert x.tobytes() == y.tobytes(), name  # bit for bit (signed zeros, NaN)


@settings(max_examples=300, deadline=None)
@given(
    K=st.integers(2, 6),
    n_features=st.integers(1, 3),
    tie=st.booleans(),
    missing=st.sampled_from(["learned", "fractional", "surrogate"]),
    criterion=st.sampled_from(["entropy", "gini", "gain_ratio", "twoing"]),
    leaf=st.sampled_from([(1, 0.0), (3, 0.0), (1, 2.5), ("c45", 2.0)]),
    with_fractions=st.booleans(),
    data=st.data(),
)
def test_search_with_missing_values_packed_is_the_one_hot_search(
    K, n_features, tie, missing, criterion, leaf, with_fractions, data
):
    """Unit weights with NaN: the packed counts ("learned": every case, the others:
    the known values) give the one-hot search's splits, bit for bit."""
    values, labels, layout = _level(data, K, n_features, tie)
    crit = CRITERIA[criterion]()
    if leaf[0] == "c45":
        distinct = [np.unique(v[~np.isnan(v)]) for v in values]
        rules = C45Rules(
            min_cases=leaf[1], n_classes=K, sorted_values=distinct,
            first_rows=[np.arange(d.size) for d in distinct],
            many_values=np.zeros(n_features, dtype=bool),
        )  # fmt: skip
        if missing == "learned":
            return
    else:
        rules = SklearnRules(
            min_samples_leaf=leaf[0], min_weight_leaf=leaf[1],
            missing_values="learned" if missing == "learned" else "fractional",
        )  # fmt: skip
    has_missing = any(np.isnan(v).any() for v in values)
    fractions = [np.ones(v.size) for v in values] if with_fractions and has_missing else None
    features = list(range(n_features))

    def search():
        return best_thresholds(
            features, values, labels, None, has_missing, layout, K, crit, rules, fractions
        )

    packed = search()
    with mock.patch.object(PackedCounts, "of", return_value=None):
        plain = search()
    _splits_equal(packed, plain)
