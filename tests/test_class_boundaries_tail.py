"""``class_boundaries`` with a node's missing tail: the same kept cuts as the general pass."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from treelearn._split_numeric import class_boundaries, value_gaps


@st.composite
def levels(draw):
    """Nodes of sorted values (few distinct, so ties), missing values last in each node."""
    n_nodes = draw(st.integers(1, 5))
    values, labels, lengths = [], [], []
    for _ in range(n_nodes):
        n = draw(st.integers(0, 12))
        n_nan = draw(st.integers(0, n))
        known = sorted(draw(st.lists(st.integers(0, 4), min_size=n - n_nan, max_size=n - n_nan)))
        values += [float(v) for v in known] + [np.nan] * n_nan
        labels += draw(st.lists(st.integers(0, 2), min_size=n, max_size=n))
        lengths.append(n)
    return np.array(values), np.array(labels), np.array(lengths)


@settings(max_examples=300, deadline=None)
@given(levels())
def test_tail_gives_the_general_pass_cuts(level):
    v, y, seg_len = level
    if v.size < 2:
        return
    seg_start = np.cumsum(seg_len) - seg_len
    position_segment = np.repeat(np.arange(seg_len.size), seg_len)
    interior = position_segment[1:] == position_segment[:-1]
    cut = interior & value_gaps(v, 1e-7)
    missing = np.isnan(v)
    n_known = np.array(
        [np.count_nonzero(~missing[a : a + n]) for a, n in zip(seg_start, seg_len, strict=True)]
    )
    general = class_boundaries(cut, y, interior, position_segment)
    tail = class_boundaries(cut, y, interior, position_segment, (missing, seg_start, n_known))
    np.testing.assert_array_equal(tail, general)
    if seg_len.size == 1:  # one node: the single-node form
        one = class_boundaries(~np.isnan(v[1:]) & value_gaps(v, 1e-7), y, None, None,
                               (missing, seg_start, n_known))  # fmt: skip
        np.testing.assert_array_equal(one, class_boundaries(value_gaps(v, 1e-7), y, None, None))
