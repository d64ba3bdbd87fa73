"""``category_counts`` against a sequential reference, bit for bit (issue 19).

The count tensors of categorical features are built feature-major without masks when
no code is missing, and by a masked scan otherwise. Both must sum each cell's entries
in entry order, as ``np.add.at`` does one entry after another here: the same bits for
unit, whole and real weights, fractions of rows, blocks of features and NaN codes.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from treelearn._split_categorical import category_counts


def reference(codes, node, labels, weights, L, C, K, fractions):
    codes2 = codes.reshape(codes.shape[0], -1)
    F = codes2.shape[1]
    counts = np.zeros((F * L, C, K))
    branch = np.zeros((F * L, C)) if fractions is not None else np.zeros((F * L, C), np.intp)
    for j in range(F):  # one feature at a time, entries in order
        known = ~np.isnan(codes2[:, j])
        s = j * L + node[known]
        c = codes2[known, j].astype(np.intp)
        np.add.at(counts, (s, c, labels[known]), weights[known])
        np.add.at(branch, (s, c), 1 if fractions is None else fractions[known])
    return counts, branch


@settings(max_examples=150, deadline=None)
@given(
    m=st.integers(1, 400),
    F=st.integers(1, 4),
    L=st.integers(1, 12),
    C=st.integers(1, 7),
    K=st.integers(1, 4),
    weights=st.sampled_from(["unit", "whole", "real"]),
    with_fractions=st.booleans(),
    missing=st.sampled_from([0.0, 0.2]),
    seed=st.integers(0, 2**31 - 1),
)
def test_category_counts_sum_in_entry_order(m, F, L, C, K, weights, with_fractions, missing, seed):
    rng = np.random.default_rng(seed)
    codes = rng.integers(0, C, (m, F)).astype(float)
    codes[rng.random((m, F)) < missing] = np.nan
    node = np.sort(rng.integers(0, L, m))
    labels = rng.integers(0, K, m)
    w = {
        "unit": np.ones(m),
        "whole": rng.integers(1, 5, m).astype(float),
        "real": rng.uniform(0.01, 3.0, m),
    }[weights]
    fractions = rng.uniform(0.0, 1.0, m) if with_fractions else None
    node_weight = np.bincount(node, weights=w, minlength=L)
    got = category_counts(codes, node, labels, w, L, C, K, node_weight, fractions)
    counts, branch = reference(codes, node, labels, w, L, C, K, fractions)
    np.testing.assert_array_equal(got.counts, counts)
    np.testing.assert_array_equal(got.branch_n, branch)
    assert got.branch_n.dtype.kind == branch.dtype.kind
    np.testing.assert_array_equal(got.known_counts, counts.sum(axis=1))
    np.testing.assert_array_equal(got.node_weight, np.tile(node_weight, F))
