"""C4.5's rules on whole entries: the distinct values and the admitted cut ranges.

``C45Rules.from_data`` finds each numeric feature's distinct values and their first
rows with one unstable argsort (``_distinct``); it must give ``np.unique(...,
return_index=True)`` exactly, ties, signed zeros and float32 included. With unit
weights ``admissible_cuts`` marks one range of left entries per node
(``_admissible_entries``); it must admit the very cuts, and count the very candidates,
of the per-position tests on the same sides given as weights.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from treelearn._c45_rules import C45Rules, _distinct
from treelearn._split_numeric import CutSides, LevelLayout, range_ends


@settings(max_examples=200, deadline=None)
@given(
    values=st.lists(
        st.sampled_from([-0.0, 0.0, 1.0, -1.0, 2.5, 1e-7, 1e30, -np.inf, np.inf]), max_size=60
    )
    | st.lists(st.floats(allow_nan=False, width=32), max_size=60),
    float32=st.booleans(),
)
def test_distinct_is_unique_with_first_index(values, float32):
    v = np.asarray(values, dtype=np.float32 if float32 else np.float64)
    expected, first = np.unique(v, return_index=True)
    got, got_first = _distinct(v)
    assert got.dtype == expected.dtype
    np.testing.assert_array_equal(got_first, first)
    # bit for bit: the value at the first row (a signed zero as np.unique returns it)
    assert got.tobytes() == expected.tobytes()


def _level(data, n_nodes):
    seg_len = np.asarray(
        data.draw(st.lists(st.integers(1, 80), min_size=n_nodes, max_size=n_nodes)), dtype=np.intp
    )
    n_known = np.minimum(
        seg_len,
        np.asarray(
            data.draw(st.lists(st.integers(0, 80), min_size=n_nodes, max_size=n_nodes)),
            dtype=np.intp,
        ),
    )
    seg_start = np.cumsum(seg_len) - seg_len
    m = int(seg_len.sum())
    layout = LevelLayout(
        seg_start, seg_len, seg_len.astype(np.float64), np.ones(n_nodes, dtype=bool)
    )
    cut = layout.interior.copy()
    drop = np.asarray(data.draw(st.lists(st.booleans(), min_size=m - 1, max_size=m - 1)), bool)
    cut &= ~drop
    # no cut into a node's missing tail
    tail = np.repeat(n_known, seg_len) <= np.arange(m) - np.repeat(seg_start, seg_len)
    cut &= ~tail[:-1] & ~tail[1:]
    return layout, cut, n_known


@settings(max_examples=300, deadline=None)
@given(
    n_nodes=st.integers(1, 6),
    min_cases=st.sampled_from([0.5, 1.0, 2.0, 2.5, 3.0, 7.0, 1.9999999]),
    n_classes=st.integers(2, 5),
    data=st.data(),
)
def test_admitted_entry_ranges_are_the_per_position_tests(n_nodes, min_cases, n_classes, data):
    layout, cut, n_known = _level(data, n_nodes)
    known_w = n_known.astype(np.float64)
    rules = C45Rules(min_cases=min_cases, n_classes=n_classes)
    unit = CutSides(cut, None, None, layout, n_known, known_w, unit_weights=True)
    left_entries = unit.left_entries.astype(np.float64)
    general = CutSides(cut, None, None, layout, n_known, known_w, left_weight=left_entries)
    assert unit.unit_weights and not general.unit_weights
    allowed, n_cand = rules.admissible_cuts(unit)
    expected, expected_n = rules.admissible_cuts(general)
    np.testing.assert_array_equal(allowed, expected)
    np.testing.assert_array_equal(n_cand, expected_n)


@settings(max_examples=200, deadline=None)
@given(
    seg_len=st.lists(st.integers(0, 12), min_size=1, max_size=8),
    data=st.data(),
)
def test_range_ends_from_counts_are_the_looked_up_ends(seg_len, data):
    """``range_ends`` with each segment's number of true positions (what C4.5's
    ``admissible_cuts`` counts) marks the very positions it finds by segment lookup."""
    seg = np.repeat(np.arange(len(seg_len)), seg_len)
    mask = np.asarray(data.draw(st.lists(st.booleans(), min_size=seg.size, max_size=seg.size)))
    mask = mask.astype(bool)
    counts = np.bincount(seg[mask], minlength=len(seg_len))
    np.testing.assert_array_equal(range_ends(mask, seg, counts), range_ends(mask, seg))
