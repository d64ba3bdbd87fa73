"""Deep levels of dense ``splitter="hist"``: cells counted from the entries.

:func:`treelearn._hist_cells.entry_cells` lists the non-empty (node, feature, code)
cells of a group of nodes without building their dense histograms. The reference is
the dense histogram itself (:func:`treelearn._builder_hist.chunk_histogram`): its
non-empty cells, in (row, feature, code) order, must be the list, counts and entries
exactly. The tree is pinned to the dense path's array for array (the path forced on
for every level, and off), with several node groups and blocks. ``bin_data``'s codes
and value ranges are pinned to ``apply_bins`` / ``value_range`` (searchsorted per
value).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_hist import assert_same_tree

from treelearn import DecisionTreeClassifier
from treelearn import _builder_hist as bh
from treelearn import _hist_cells as hc
from treelearn._binning import _numeric_edges, apply_bins, bin_data, value_range
from treelearn._builder_hist import chunk_histogram, new_chunk
from treelearn._growth_rules import SklearnRules
from treelearn._scratch import Scratch
from treelearn.criteria import InformationGain


@st.composite
def entry_problems(draw):
    """Codes of up to 6 features (the missing code never used), labels of up to 4
    classes, entries spread over nodes, some nodes not searched."""
    n = draw(st.integers(1, 80))
    P = draw(st.integers(1, 6))
    B = draw(st.sampled_from([2, 3, 9, 256]))
    codes = np.array(
        draw(st.lists(st.integers(0, B - 2), min_size=n * P, max_size=n * P)), dtype=np.uint8
    ).reshape(n, P)
    K = draw(st.integers(1, 4))
    y = np.array(draw(st.lists(st.integers(0, K - 1), min_size=n, max_size=n)))
    L = draw(st.integers(1, 6))
    node = np.array(draw(st.lists(st.integers(0, L - 1), min_size=n, max_size=n)))
    searched = np.array(draw(st.lists(st.booleans(), min_size=L, max_size=L)))
    return codes, y, K, B, node, searched


def problem_chunk(problem):
    """An entry problem's chunk (unit weights, its entries at their nodes), the table
    row of every node (-1: not searched) and the number of searched nodes."""
    codes, y, _K, _B, node, searched = problem
    chunk = new_chunk(codes, y, np.ones(y.size))
    chunk.e_node = node.astype(np.intp)
    row_of = np.full(searched.size, -1, dtype=np.intp)
    row_of[searched] = np.arange(int(searched.sum()))
    return chunk, row_of, int(searched.sum())


@settings(max_examples=150, deadline=None)
@given(entry_problems(), st.booleans())
def test_property_entry_cells_are_the_dense_histograms_non_empty_cells(problem, reuse):
    codes, _y, K, B, _node, searched = problem
    chunk, row_of, r = problem_chunk(problem)
    L = searched.size
    scratch = Scratch()
    if reuse:  # a scratch kept from a larger call (another key width) is reused
        hc.entry_cells(chunk, np.zeros(L, dtype=np.intp), 1, 2**21, K, scratch)
    cells = hc.entry_cells(chunk, row_of, r, B, K, scratch)
    hist, _ = chunk_histogram(chunk, row_of, r, B, K, True)
    n = hist.sum(axis=-1)
    rr, ff, bb = np.nonzero(n)
    pair = rr * codes.shape[1] + ff
    new = np.r_[True, pair[1:] != pair[:-1]] if pair.size else pair.astype(bool)
    np.testing.assert_array_equal(cells.row, rr[new])
    np.testing.assert_array_equal(cells.feature, ff[new])
    np.testing.assert_array_equal(cells.seg, np.cumsum(new) - 1)
    np.testing.assert_array_equal(cells.code, bb)
    np.testing.assert_array_equal(cells.counts, hist[rr, ff, bb])
    np.testing.assert_array_equal(cells.sizes, n[rr, ff, bb])
    assert cells.counts.dtype == np.float64
    assert cells.first is None


@settings(max_examples=150, deadline=None)
@given(entry_problems())
def test_property_runs_are_the_cells_between_boundary_points(problem):
    # runs=True: consecutive cells of a pair holding one and the same class are one
    # cell (code: the last cell's, first: the first cell's), counts and entries summed;
    # every other cut between cells is kept (the reference: the plain cells, grouped
    # by the boundary points _boundaries finds)
    from treelearn._split_hist import _boundaries

    _codes, _y, K, B, _node, _searched = problem
    chunk, row_of, r = problem_chunk(problem)
    plain = hc.entry_cells(chunk, row_of, r, B, K)
    runs = hc.entry_cells(chunk, row_of, r, B, K, runs=True)
    c = plain.seg.size
    if c == 0:
        assert runs.seg.size == 0
        return
    cut = np.ones(c, dtype=bool)  # a run opens at cell i
    if c > 1:
        cut[1:] = (plain.seg[1:] != plain.seg[:-1]) | _boundaries(plain.counts)
    run = np.cumsum(cut) - 1
    np.testing.assert_array_equal(runs.row, plain.row)
    np.testing.assert_array_equal(runs.feature, plain.feature)
    np.testing.assert_array_equal(runs.seg, plain.seg[cut])
    np.testing.assert_array_equal(runs.first, plain.code[cut])
    np.testing.assert_array_equal(runs.code, plain.code[np.r_[np.flatnonzero(cut)[1:] - 1, c - 1]])
    np.testing.assert_array_equal(runs.counts, np.add.reduceat(plain.counts, np.flatnonzero(cut)))
    np.testing.assert_array_equal(runs.sizes, np.bincount(run, weights=plain.sizes).astype(int))
    assert runs.counts.dtype == np.float64


def test_runs_keep_plain_cells_with_a_missing_code():
    # a missing code (the last) present: plain cells (its cut before the last known
    # value may be a boundary point of its own), with its missing counts under "learned"
    codes = np.array([[0], [1], [2], [3]], dtype=np.uint8)
    chunk = new_chunk(codes, np.array([0, 0, 0, 1]), np.ones(4))
    cells = hc.entry_cells(chunk, np.zeros(1, dtype=np.intp), 1, 4, 2, learned=True, runs=True)
    assert cells.first is None
    np.testing.assert_array_equal(cells.code, [0, 1, 2])
    np.testing.assert_array_equal(cells.missing, [[0.0, 1.0]])


def test_entry_groups_bound_work_and_memory():
    nodes = np.arange(10, 30)
    entries = np.full(20, 1000)
    groups = hc.entry_groups(nodes, entries, 20, 256, max_bytes=1e12)
    np.testing.assert_array_equal(np.concatenate(groups), nodes)
    for g in groups:  # at most ENTRY_GROUP entries x features, or one node
        assert g.size == 1 or 1000 * 20 * g.size <= hc.ENTRY_GROUP + 1000 * 20
    by_memory = hc.entry_groups(nodes, np.ones(20, int), 20, 256, 3 * 20 * 256 * hc.CELL_BYTES)
    assert [g.size for g in by_memory] == [3] * 6 + [2]


def _data(n=3000, seed=0, classes=2):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 7)).astype(np.float32)
    X[:, 2] = np.round(X[:, 2] * 2)  # ties
    score = X[:, 0] + X[:, 1] * X[:, 2] - np.abs(X[:, 3]) + rng.normal(0, 0.8, n)
    y = np.digitize(score, np.linspace(-1, 1, classes - 1))
    return X, y


@pytest.mark.parametrize(
    "params",
    [
        {"criterion": "gini"},
        {"criterion": "entropy", "min_samples_leaf": 3},
        {"criterion": InformationGain(), "max_bins": 16},
        {"criterion": "gini", "max_features": 3, "random_state": 4},
        {"criterion": "gain_ratio", "max_histogram_mb": 0.2, "min_samples_split": 5},
        {"criterion": "gini", "max_leaf_nodes": 60},
    ],
)
@pytest.mark.parametrize("classes", [2, 5])
def test_tree_from_entries_equals_dense_histograms(monkeypatch, params, classes):
    """Every level from the entries (in groups of a few nodes), or none: the tree
    the dense histograms (and their subtraction) grow, array for array."""
    X, y = _data(classes=classes)
    monkeypatch.setattr(hc, "ENTRY_CELLS_FACTOR", np.inf)  # never
    dense = DecisionTreeClassifier(splitter="hist", **params).fit(X, y)
    monkeypatch.setattr(hc, "ENTRY_CELLS_FACTOR", 0.0)  # every level
    monkeypatch.setattr(hc, "ENTRY_GROUP", 500)
    est = DecisionTreeClassifier(splitter="hist", **params).fit(X, y)
    assert_same_tree(dense.tree_, est.tree_)
    monkeypatch.undo()
    default = DecisionTreeClassifier(splitter="hist", **params).fit(X, y)
    assert_same_tree(dense.tree_, default.tree_)
    assert est.tree_.node_count > 50


def test_weights_and_categoricals_keep_the_dense_path(monkeypatch):
    """Weighted or categorical data never take the entry path (its counts would not
    be the dense ones bit for bit): the path's rule is not consulted."""
    calls = []
    monkeypatch.setattr(bh, "use_entry_cells", lambda *a: calls.append(a) or True)
    X, y = _data()
    w = np.random.default_rng(1).uniform(0.5, 2, y.size)
    DecisionTreeClassifier(splitter="hist").fit(X, y, sample_weight=w)
    Xc = X.astype(np.float64)
    Xc[:, 4] = np.abs(np.round(Xc[:, 4]))
    DecisionTreeClassifier(splitter="hist", categorical_features=[4]).fit(Xc, y)
    assert calls == []


@settings(max_examples=60, deadline=None)
@given(
    st.integers(1, 200),
    st.sampled_from([4, 5, 17, 255]),
    st.floats(0, 0.5),
    st.integers(0, 2**31),
)
def test_property_bin_data_codes_and_ranges_are_apply_bins(n, max_bins, nan_rate, seed):
    rng = np.random.default_rng(seed)
    X = np.column_stack(
        [
            rng.normal(size=n),
            np.round(rng.normal(size=n) * 3),
            rng.choice([-0.0, 0.0, 1.0, -2.5], size=n),
            np.full(n, np.nan),
            rng.integers(0, 4, n).astype(float),
        ]
    ).astype(np.float32 if seed % 2 else np.float64)
    X[rng.random(X.shape) < nan_rate] = np.nan
    is_cat = np.array([False, False, False, False, True])
    n_cat = np.array([0, 0, 0, 0, 4])
    rules = SklearnRules()
    bins, codes = bin_data(X, is_cat, n_cat, max_bins, rules.numeric_gap, rules.place_thresholds)
    np.testing.assert_array_equal(codes, apply_bins(X, bins))
    lo, hi = value_range(X, bins)
    np.testing.assert_array_equal(bins.lo, lo)
    np.testing.assert_array_equal(bins.hi, hi)


@settings(max_examples=60, deadline=None)
@given(
    st.integers(1, 3000),
    st.sampled_from([2, 5, 31, 255]),
    st.sampled_from(["float32", "float32 in float64", "float64"]),
    st.integers(0, 2**31),
)
def test_property_bin_data_sort_is_np_unique(n, max_bins, kind, seed):
    # bin_data's radix sort of float32 keys gives np.unique's edges (the reference,
    # _numeric_edges) and value_range's ranges bit for bit, on negative and positive
    # values, ties, signed zeros, tiny and huge magnitudes and missing values
    rng = np.random.default_rng(seed)
    X = np.column_stack(
        [
            rng.normal(size=n) * 10.0 ** rng.integers(-30, 30, n),
            np.round(rng.normal(size=n) * 4) / 4,
            rng.choice([-0.0, 0.0, -1e-30, 1e-30, -3.0e38, 3.0e38], size=n),
            rng.exponential(size=n) - 1.0,
        ]
    ).astype(np.float64 if kind == "float64" else np.float32)
    X[rng.random(X.shape) < 0.05] = np.nan
    if kind == "float32 in float64":
        X = X.astype(np.float64)
    rules = SklearnRules()
    P = X.shape[1]
    no_cat = np.zeros(P, dtype=bool)
    bins, codes = bin_data(X, no_cat, np.zeros(P, int), max_bins, rules.numeric_gap,
                           rules.place_thresholds)  # fmt: skip
    for f in range(P):
        col = X[:, f]
        expected = _numeric_edges(col[~np.isnan(col)], max_bins, rules.numeric_gap, f,
                                  rules.place_thresholds)  # fmt: skip
        np.testing.assert_array_equal(bins.edges[f], expected)
    np.testing.assert_array_equal(codes, apply_bins(X, bins))
    lo, hi = value_range(X, bins)
    np.testing.assert_array_equal(bins.lo.view(np.uint64), lo.view(np.uint64))
    np.testing.assert_array_equal(bins.hi.view(np.uint64), hi.view(np.uint64))


@settings(max_examples=80, deadline=None)
@given(st.integers(2, 60), st.integers(1, 5), st.integers(0, 2**31))
def test_property_boundaries_are_pure_class_changes(c, K, seed):
    # a cut is a boundary point unless both neighbouring cells hold one and the same
    # class; the two-class shortcut and the column-wise path agree with the definition
    from treelearn._split_hist import _boundaries

    rng = np.random.default_rng(seed)
    counts = rng.integers(0, 3, (c, K)) * (rng.random((c, K)) < 0.6)
    counts = counts.astype(np.float64)
    positive = counts > 0
    pure = np.where(positive.sum(axis=1) == 1, positive.argmax(axis=1), -1)
    expected = ~((pure[:-1] >= 0) & (pure[:-1] == pure[1:]))
    np.testing.assert_array_equal(_boundaries(counts), expected)


@settings(max_examples=40, deadline=None)
@given(st.integers(2, 5000), st.sampled_from([2, 7, 63, 255]), st.integers(0, 2**31))
def test_property_bin_codes_in_mixed_key_buckets(n, max_bins, seed):
    # values a few float32 steps apart share a bucket of _codes_of_keys' table with
    # values of other bins (edges inside the bucket): their codes are searched, and
    # every code is apply_bins' (searchsorted of the edges) all the same
    from treelearn._binning import _BUCKET_SHIFT, _order_keys

    rng = np.random.default_rng(seed)
    start = np.float32(rng.choice([-2.5, 1.0, 3e5, 7e30]))
    steps = rng.integers(0, 3 * 2**_BUCKET_SHIFT, n).astype(np.int32)
    col = (start.view(np.int32) + steps).view(np.float32)  # consecutive float32 bit patterns
    X = np.column_stack([col, rng.permutation(col)])
    rules = SklearnRules()
    no_cat = np.zeros(2, dtype=bool)
    # (gap 0: neighbouring float32 values are bins of their own)
    bins, codes = bin_data(X, no_cat, np.zeros(2, int), max_bins, 0.0, rules.place_thresholds)
    np.testing.assert_array_equal(codes, apply_bins(X, bins))
    buckets = _order_keys(col) >> _BUCKET_SHIFT
    mixed = [np.unique(codes[buckets == b, 0]).size > 1 for b in np.unique(buckets)]
    assert n < 300 or max_bins < 7 or any(mixed)  # (the searched path is taken)


@pytest.mark.parametrize("criterion", ["gini", "entropy"])
def test_tree_from_entries_with_missing_values_learned(monkeypatch, criterion):
    """NaN under "learned" (whole rows, unit entries): the levels from the entries, with
    the missing code's counts apart and runs kept off where it is present, grow the
    dense path's tree."""
    X, y = _data(seed=5)
    rng = np.random.default_rng(5)
    X[rng.random(X.shape) < 0.05] = np.nan
    X[:1500, 4] = np.nan  # a feature missing at whole nodes
    params = {"criterion": criterion, "missing_values": "learned", "splitter": "hist"}
    monkeypatch.setattr(hc, "ENTRY_CELLS_FACTOR", np.inf)  # never
    dense = DecisionTreeClassifier(**params).fit(X, y)
    monkeypatch.setattr(hc, "ENTRY_CELLS_FACTOR", 0.0)  # every level
    monkeypatch.setattr(hc, "ENTRY_GROUP", 500)
    est = DecisionTreeClassifier(**params).fit(X, y)
    assert_same_tree(dense.tree_, est.tree_)
    assert est.tree_.node_count > 50


@settings(max_examples=100, deadline=None)
@given(entry_problems(), st.booleans())
def test_property_unit_histogram_is_the_count_of_every_cell(problem, tiny_blocks):
    # the unit path (feature by feature, from transposed blocks of codes) against a
    # plain np.add.at count, and against the weighted path with unit weights
    codes, y, K, B, node, _searched = problem
    chunk, row_of, r = problem_chunk(problem)
    with pytest.MonkeyPatch.context() as mp:
        if tiny_blocks:  # blocks of a few entries
            mp.setattr(bh, "_BLOCK_CELLS", 2 * codes.shape[1])
        hist, n_hist = chunk_histogram(chunk, row_of, r, B, K, True)
    assert n_hist is None and hist.dtype == np.int64
    expected = np.zeros((r, codes.shape[1], B, K), dtype=np.int64)
    e = np.flatnonzero(row_of[node] >= 0)
    for f in range(codes.shape[1]):
        np.add.at(expected, (row_of[node[e]], f, codes[e, f], y[e]), 1)
    np.testing.assert_array_equal(hist, expected)
    weighted, n = chunk_histogram(chunk, row_of, r, B, K, False)
    np.testing.assert_array_equal(weighted, expected)
    np.testing.assert_array_equal(n, expected.sum(axis=-1))


@settings(max_examples=100, deadline=None)
@given(st.integers(2, 300), st.integers(1, 20), st.integers(0, 2**31))
def test_property_two_class_rank_is_the_square_sum_rank(c, n_segments, seed):
    # search_cells' two-class path (column by column) ranks every candidate as the
    # [c, K] path does (integer_sums of the left and right counts), bit for bit
    from treelearn._split_hist import _two_class_rank, integer_sums
    from treelearn.criteria import Gini

    rng = np.random.default_rng(seed)
    counts = (rng.integers(0, 4, (c, 2)) * (rng.random((c, 2)) < 0.7)).astype(np.float64)
    counts[counts.sum(axis=1) == 0, rng.integers(0, 2)] = 1.0  # (no cell is empty)
    seg = np.sort(rng.integers(0, n_segments, c))
    seg = np.unique(seg, return_inverse=True)[1]
    same = seg[1:] == seg[:-1]
    starts = np.flatnonzero(np.r_[True, ~same])
    before, last = np.maximum(starts - 1, 0), np.r_[starts[1:], c] - 1
    ci = np.flatnonzero(same)
    cs = seg[ci]
    crit = Gini()
    rank, known, left_of = _two_class_rank(counts, starts, before, last, ci, cs, crit)
    cum = np.cumsum(counts, axis=0)
    base = np.where((starts > 0)[:, None], cum[before], 0.0)
    lw = cum[ci] - base[cs]
    rw = (cum[last] - base)[cs] - lw
    expected = crit.square_sum_rank(integer_sums(lw), integer_sums(lw, squares=True),
                                    integer_sums(rw), integer_sums(rw, squares=True))  # fmt: skip
    np.testing.assert_array_equal(rank.view(np.uint64), expected.view(np.uint64))
    np.testing.assert_array_equal(known, cum[last] - base)
    np.testing.assert_array_equal(left_of(np.arange(ci.size)), lw)
