"""Surrogate splits of sparse X: rpart's numeric candidates from the sparse store.

CART grows surrogate splits (``missing_values="surrogate"``) whether or not the
training data has missing values: they are part of the tree (its ``surrogate_*``
arrays, the DOT and text exports) and route a missing value at prediction time. Sparse
X has no missing value (:mod:`treelearn._data` refuses NaN in it, as scikit-learn's
trees do) and only numeric features, so every case of a split node has a known
primary value and a known value of every candidate feature; at fit time no case needs
a surrogate, but the surrogates must be those the dense matrix gives.

A feature's sorted order at a node is its negative entries, the node's implicit
zeros as one block, then its positive entries (:mod:`treelearn._sparse_store`). A
surrogate cut never falls inside a run of equal values, so the zero block enters the
search as one position holding its cases' weight on each side of the primary: every
cut of the dense column has exactly one here, with the same sums on each side, and
:func:`treelearn._surrogates.numeric_cuts` (rpart's rule, shared with the dense
search) chooses the same cut. All features are searched in one pass over the stored
entries of the level's split nodes, each (feature, node) pair with a non-zero a
segment; a feature without a non-zero in a node is constant there and has no cut.
With unit or integer weights every sum is exact, so the surrogates are the dense
fit's to the last bit; other weights may differ in the last bits of a sum.
"""

from __future__ import annotations

import numpy as np

from treelearn._growth_rules import GrowthRules
from treelearn._sparse_store import SparseStore, block_layout, entry_groups, zero_block
from treelearn._surrogates import _Candidates, _finish, numeric_cuts, place_cuts
from treelearn._tree import SPLIT_NUMERIC

__all__ = ["numeric_candidates"]


def numeric_candidates(
    store: SparseStore,
    e_row: np.ndarray,
    rules: GrowthRules,
    local: np.ndarray,
    side: np.ndarray,
    e_w: np.ndarray,
    split_node: np.ndarray,
    node_feature: np.ndarray,
    known_total: np.ndarray,
    major_total: np.ndarray,
) -> list[_Candidates]:
    """The best surrogate cut of every feature at every split node of a level.

    Parameters
    ----------
    store : SparseStore
        The level's stored entries (non-zeros), in (feature, node, value) order.
    e_row : ndarray
        The row of every entry of the level (sparse fits never copy a row).
    rules : GrowthRules
        The rules whose ``place_thresholds`` places the cuts.
    local, side, e_w : ndarray
        Per entry: its node (local to the level), the primary's slot (0 or 1; ``-1``
        outside split nodes) and its weight.
    split_node, node_feature : ndarray
        Per node: whether it splits, and its primary feature.
    known_total, major_total : ndarray
        Per node: the weight of its cases with a known primary value, and that of
        the heavier side.

    Returns
    -------
    list of the candidates (one entry, a candidate per (node, feature) pair), empty
    when no pair has one.
    """
    L = split_node.size
    sel = np.flatnonzero(split_node[store.node])
    sel = sel[store.feature[sel] != node_feature[store.node[sel]]]
    if not sel.size:
        return []
    entry_of_row = np.full(store.n_rows, -1, dtype=np.intp)
    entry_of_row[e_row] = np.arange(e_row.size)
    ent = entry_of_row[store.rows[sel]]
    s, wt = side[ent], e_w[ent]
    values = store.values[sel]
    n = sel.size
    eg = entry_groups(store, sel)
    start, size, gid = eg.start, eg.size, eg.gid
    G = start.size
    g_node, g_feature = eg.node, eg.feature
    # per side: weight and cases of positive weight, of the stored entries and the node
    wl, wr = np.where(s == 0, wt, 0.0), np.where(s == 1, wt, 0.0)
    cases = (s >= 0) & (wt > 0)
    nl = np.where(side == 0, e_w, 0.0)
    nr = np.where(side == 1, e_w, 0.0)
    node_cases = np.bincount(local, weights=(side >= 0) & (e_w > 0), minlength=L)
    node_rows = np.bincount(local, minlength=L)
    # the zero blocks: each node's sums minus those of the group's stored entries
    zl = zero_block(eg, np.bincount(local, weights=nl, minlength=L), wl)
    zr = zero_block(eg, np.bincount(local, weights=nr, minlength=L), wr)
    zn = zero_block(eg, node_cases, cases)
    has_block = zero_block(eg, node_rows) > 0
    pos_real, pos_block, bg, _seg_start, _seg_len = block_layout(
        values, start, size, gid, has_block
    )
    m = n + bg.size
    x = np.zeros(m)
    x[pos_real] = values
    seg = np.empty(m, dtype=np.intp)
    seg[pos_real] = gid
    seg[pos_block] = bg
    pl, pr, pn = np.zeros(m), np.zeros(m), np.zeros(m, dtype=np.int64)
    pl[pos_real], pr[pos_real], pn[pos_real] = wl, wr, cases
    pl[pos_block], pr[pos_block] = np.maximum(zl[bg], 0.0), np.maximum(zr[bg], 0.0)
    pn[pos_block] = np.rint(zn[bg]).astype(np.int64)
    found = numeric_cuts(x, seg, pl, pr, pn, G)
    if found is None:
        return []
    groups, i, best, low_slot = found
    threshold = place_cuts(rules, g_feature[groups], x[i - 1], x[i])
    c = _finish(g_node[groups], g_feature[groups].astype(np.intp), SPLIT_NUMERIC, best,
                known_total, major_total, threshold, low_slot, None)  # fmt: skip
    return [] if c is None else [c]
