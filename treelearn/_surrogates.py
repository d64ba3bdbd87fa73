"""Surrogate splits at fit time (``missing_values="surrogate"``): CART as R's rpart grows it.

After the primary split of every node of a level is chosen (on the cases whose
primary value is known, as every split here), this module

1. finds up to ``max_surrogates`` surrogate splits per node, for every node of the
   level at once (one pass per feature, never per node): numeric features from
   their sorted arrays (:mod:`treelearn._partition`), categorical features from
   ``[node, category, direction]`` weight tensors;
2. sends every case of a split node to one child: by its primary value, else by the
   first surrogate it has a value for, else the majority direction; and
3. gives prediction its fallback, a one-hot ``missing_fraction``.

rpart's rules (its ``choose_surg``/``surrogate``/``nodesplit`` with
``usesurrogate=2``, ``surrogatestyle=0``), which the tests check against rpart's
own trees:

* The cases that count are those of the node whose primary value is known; the
  primary sends each left or right. A candidate surrogate is scored on those whose
  own value is known too: its *agreement* is the weight it sends the primary's way.
* Numeric candidates are cuts between two distinct known values, in either
  orientation, with at least two cases (of positive weight, primary known) on each
  side; a cut must send strictly more weight the primary's way than sending all
  of them to the heavier side does, and the first (lowest) cut of the best
  agreement wins. The threshold is placed as the primary's
  (:meth:`~treelearn._growth_rules.GrowthRules.place_thresholds`).
* A categorical candidate sends each category the way most of its weight went
  (ties: the way most of the weight went overall, right when that ties too);
  categories with no such case get no slot. It needs more than one case agreeing
  and more than one disagreeing (rpart's count of the two).
* Agreement and the majority are then divided by the weight of *all* the node's
  cases with a known primary value (missing surrogate values count as
  disagreements); ``adj = (agreement − majority) / (1 − majority)``. A surrogate
  is kept if ``adj > RPART_SURROGATE_ADJ``; the best ``max_surrogates`` by
  agreement are kept, the lower feature index first on ties.
* The majority direction of the fit is the heavier side of the primary's known
  cases; when both weigh the same there is none and a case no surrogate sends
  stays out of both children (as rpart). Prediction's majority direction is the
  child with more training cases (rpart's ``predict``), stored as a one-hot
  ``missing_fraction``; when both have as many, the shares are the children's
  weights (rpart ends the case at the node and predicts the node's distribution;
  here every case reaches leaves, as ``apply`` promises).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from treelearn._partition import SortedStore
from treelearn._split_numeric import segment_best
from treelearn._surrogate_tables import Surrogates, surrogate_slots
from treelearn._tolerances import RPART_SURROGATE_ADJ
from treelearn._tree import SPLIT_CATEGORICAL, SPLIT_NUMERIC

__all__ = ["LevelSurrogates", "SurrogateRouting", "route_with_surrogates"]


@dataclass
class LevelSurrogates:
    """The surrogates of one level's nodes (``node``: local ids, grouped, best first)."""

    node: np.ndarray
    surrogates: Surrogates  # ptr over the level's nodes


@dataclass
class SurrogateRouting:
    """Where the entries of a level's split nodes go (see :func:`route_with_surrogates`)."""

    entry: np.ndarray  # entries that go to a child, ascending
    child: np.ndarray  # their child (local to the next level)
    share: np.ndarray  # [n_next] each child's missing_fraction (one-hot per parent)
    level: LevelSurrogates


@dataclass
class _Candidates:
    """Candidate surrogates of one feature, one per node that has one (or of several
    features, ``feature`` then one per candidate)."""

    node: np.ndarray
    feature: int | np.ndarray
    kind: int
    agreement: np.ndarray
    adj: np.ndarray
    threshold: np.ndarray
    low_slot: np.ndarray
    table: np.ndarray | None  # [nodes, C] slots of a categorical feature


def _segment_exclusive_cumsum(v: np.ndarray, first: np.ndarray) -> np.ndarray:
    """Per position, the sum of ``v`` over the earlier positions of its segment
    (``first``: index of the segment's first position, per position)."""
    c = np.cumsum(v)
    excl = c - v
    return excl - excl[first]


def _finish(
    node, feature, kind, agree, known_total, major_total, threshold, low_slot, table
) -> _Candidates | None:
    """Agreement and adjusted agreement over all primary-known weight; keep adj > tol."""
    with np.errstate(invalid="ignore", divide="ignore"):
        agreement = agree / known_total[node]
        majority = major_total[node] / known_total[node]
        adj = (agreement - majority) / (1.0 - majority)
    ok = adj > RPART_SURROGATE_ADJ
    if not ok.any():
        return None
    return _Candidates(
        node[ok], feature if np.ndim(feature) == 0 else feature[ok], kind, agreement[ok],
        adj[ok], threshold[ok], low_slot[ok],
        None if table is None else table[ok],
    )  # fmt: skip


@dataclass
class _LevelEntries:
    """Per entry of a level (per row while the store holds rows), what every numeric
    candidate reads: computed once per level, not once per feature."""

    pos_node: np.ndarray  # node of every store position (positions grouped by node)
    w_left: np.ndarray  # entry weight if the primary sends it to slot 0, else 0
    w_right: np.ndarray  # the same for slot 1
    counted: np.ndarray  # int64: 1 if the primary's value is known and the weight positive

    @classmethod
    def of(cls, side: np.ndarray, w: np.ndarray, n_ent: np.ndarray) -> _LevelEntries:
        """From the primary's slot of every entry (``-1``: missing) and the weights."""
        return cls(
            np.repeat(np.arange(n_ent.size), n_ent),
            np.where(side == 0, w, 0.0),
            np.where(side == 1, w, 0.0),
            ((side >= 0) & (w > 0)).astype(np.int64),
        )


def _numeric_candidates(f, values, ent, level: _LevelEntries, n_ent, usable, known_total,
                        major_total, place) -> _Candidates | None:  # fmt: skip
    """Best cut of numeric feature ``f`` as a surrogate at every usable node.

    ``values``/``ent`` are the feature's sorted store arrays (node, value order,
    missing last); ``level`` holds the primary's side of every entry, indexed as
    ``ent`` is (entries, or rows while the store holds rows).
    """
    L = n_ent.size
    pos_node = level.pos_node
    keep = np.flatnonzero(usable[pos_node] & ~np.isnan(values))
    if keep.size < 4:
        return None
    x = values[keep]
    node = pos_node[keep]
    ek = ent[keep]
    found = numeric_cuts(x, node, level.w_left[ek], level.w_right[ek], level.counted[ek], L)
    if found is None:
        return None
    nodes, i, best, low_slot = found
    threshold = place(f, x[i - 1], x[i])
    return _finish(nodes, f, SPLIT_NUMERIC, best, known_total, major_total, threshold,
                   low_slot, None)  # fmt: skip


def numeric_cuts(
    x: np.ndarray, seg: np.ndarray, wl: np.ndarray, wr: np.ndarray, n_cases: np.ndarray, L: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None:
    """The best surrogate cut of one numeric feature in every segment (rpart's rule).

    Positions are grouped by segment (``seg`` non-decreasing, segment ids below
    ``L``), values ``x`` increasing within a segment; a position is one or more
    cases of the same value: ``wl``/``wr`` their weight the primary sends left /
    right, ``n_cases`` how many of them have a positive weight. Returns
    ``(segments, position, agreement, low_slot)`` of the segments whose best cut
    sends more weight the primary's way than the majority does: the position just
    right of the cut (the first lowest cut of the best agreement), the agreeing
    weight, and the slot the low side goes to; ``None`` when no segment has one.
    """
    starts = np.searchsorted(seg, np.arange(L))
    first = starts[seg]  # first position of every position's segment
    bl = _segment_exclusive_cumsum(wl, first)
    br = _segment_exclusive_cumsum(wr, first)
    n_before = _segment_exclusive_cumsum(n_cases, first)
    tot_l = np.bincount(seg, weights=wl, minlength=L)
    tot_r = np.bincount(seg, weights=wr, minlength=L)
    tot_n = np.bincount(seg, weights=n_cases, minlength=L).astype(np.int64)
    # a new value (n_before >= 2 excludes a segment's first position)
    cand = np.empty(x.size, dtype=bool)
    cand[0] = False
    np.not_equal(x[1:], x[:-1], out=cand[1:])
    cand &= n_before >= 2
    cand &= tot_n[seg] - n_before >= 2
    at = np.flatnonzero(cand)
    if not at.size:
        return None
    # low side to the right (rpart's "< goes right") or to the left; at every
    # position (fewer gathers than at the candidates only)
    a_right = tot_l[seg] - bl
    a_right += br
    a_left = tot_r[seg] - br
    a_left += bl
    has, best, pos = segment_best(np.maximum(a_right, a_left)[at], seg[at], L)
    majority = np.maximum(tot_l, tot_r)
    nodes = np.flatnonzero(has & (best > majority))
    if not nodes.size:
        return None
    i = at[pos[nodes]]
    low_slot = np.where(a_right[i] > a_left[i], 1, 0).astype(np.int8)
    return nodes, i, best[nodes], low_slot


def _categorical_candidates(f, C, codes, node, s, wt, L, usable, known_total, major_total,
                            left_slot):  # fmt: skip
    """Best grouping of categorical feature ``f`` as a surrogate at every usable node.

    ``codes``/``node``/``s``/``wt``: the entries of the level's split nodes whose
    primary value is known (``s``: the primary's slot). Ties are broken in rpart's
    orientation of the primary, whose left child is slot ``left_slot`` here.
    """
    s = np.where(left_slot[node] == 0, s, 1 - s)  # 0: rpart's left
    ok = usable[node] & ~np.isnan(codes)
    cell = (node[ok] * C + codes[ok].astype(np.intp)) * 2 + s[ok]
    W = np.bincount(cell, weights=wt[ok], minlength=L * C * 2).reshape(L, C, 2)
    N = np.bincount(cell[wt[ok] > 0], minlength=L * C * 2).reshape(L, C, 2)
    lw, rw = W[:, :, 0], W[:, :, 1]
    ln, rn = N[:, :, 0], N[:, :, 1]
    all_l, all_r = lw.sum(axis=1), rw.sum(axis=1)
    default_right = ~(all_l > all_r)
    absent = (ln == 0) & (rn == 0)
    go_right = (lw < rw) | ((lw == rw) & default_right[:, None])
    agree = np.where(absent, 0.0, np.where(go_right, rw, lw)).sum(axis=1)
    n_agree = np.where(absent, 0, np.where(go_right, rn, ln)).sum(axis=1)
    n_other = np.where(absent, 0, np.where(go_right, ln, rn)).sum(axis=1)
    nodes = np.flatnonzero(usable & (n_agree > 1) & (n_other > 1))
    if not nodes.size:
        return None
    table = np.where(absent, -1, go_right.astype(np.int32))[nodes]
    flip = left_slot[nodes] == 1
    table[flip] = np.where(table[flip] < 0, -1, 1 - table[flip])
    nan = np.full(nodes.size, np.nan)
    low = np.full(nodes.size, -1, dtype=np.int8)
    return _finish(nodes, f, SPLIT_CATEGORICAL, agree[nodes], known_total, major_total, nan,
                   low, table)  # fmt: skip


def _rank(found: list[_Candidates], L: int, max_surrogates: int, n_cat: np.ndarray):
    """The best ``max_surrogates`` candidates per node, by agreement (lower feature first)."""
    if not found:
        return LevelSurrogates(np.zeros(0, dtype=np.intp), Surrogates.empty(L))
    node = np.concatenate([c.node for c in found])
    feature = np.concatenate([np.broadcast_to(c.feature, c.node.shape) for c in found])
    agreement = np.concatenate([c.agreement for c in found])
    src = np.concatenate([np.arange(c.node.size) for c in found])
    which = np.concatenate([np.full(c.node.size, j) for j, c in enumerate(found)])
    order = np.lexsort((feature, -agreement, node))
    node, which, src, feature = node[order], which[order], src[order], feature[order]
    start = np.searchsorted(node, node)  # first candidate of each one's node
    keep = np.flatnonzero(np.arange(node.size) - start < max_surrogates)
    node, which, src, feature = node[keep], which[keep], src[keep], feature[keep]
    count = np.bincount(node, minlength=L)
    ptr = np.zeros(L + 1, dtype=np.int64)
    np.cumsum(count, out=ptr[1:])

    def gather(attr, dtype):
        out = np.zeros(node.size, dtype=dtype)
        for j, c in enumerate(found):
            at = which == j
            out[at] = getattr(c, attr)[src[at]]
        return out

    kind = np.array([c.kind for c in found], dtype=np.int8)[which]
    feat = feature.astype(np.int32)
    width = np.where(kind == SPLIT_CATEGORICAL, n_cat[feat], 0)
    cptr = np.zeros(node.size + 1, dtype=np.int64)
    np.cumsum(width, out=cptr[1:])
    branch = np.full(int(cptr[-1]), -1, dtype=np.int32)
    for j, c in enumerate(found):
        at = np.flatnonzero(which == j)
        if c.table is not None and at.size:
            branch[cptr[at][:, None] + np.arange(c.table.shape[1])] = c.table[src[at]]
    sur = Surrogates(
        ptr=ptr, feature=feat, kind=kind, threshold=gather("threshold", np.float64),
        low_slot=gather("low_slot", np.int8), agreement=gather("agreement", np.float64),
        adj=gather("adj", np.float64), category_ptr=cptr, category_branch=branch,
    )  # fmt: skip
    return LevelSurrogates(node, sur)


def rpart_left_slot(
    local: np.ndarray, side: np.ndarray, e_y: np.ndarray, e_w: np.ndarray, L: int, K: int
) -> np.ndarray:
    """The slot rpart calls *left* at every node: the side whose mean class index
    (``Σ_j j·p_j`` over its known cases) is lower; slot 1 on equal means (rpart's
    orientation when it finds no order). Only ties between directions depend on it."""
    known = side >= 0
    cell = (local[known] * 2 + side[known]) * K + e_y[known]
    counts = np.bincount(cell, weights=e_w[known], minlength=L * 2 * K).reshape(L, 2, K)
    total = counts.sum(axis=2)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = (counts * np.arange(K)).sum(axis=2) / total
    return np.where(mean[:, 0] < mean[:, 1], 0, 1)


def route_with_surrogates(
    X: np.ndarray,
    e_row: np.ndarray,
    e_y: np.ndarray,
    e_w: np.ndarray,
    local: np.ndarray,
    slot: np.ndarray,
    idx: np.ndarray,
    node_feature: np.ndarray,
    n_children: np.ndarray,
    first_local: np.ndarray,
    n_ent: np.ndarray,
    store: SortedStore | None,
    numeric: np.ndarray,
    is_categorical: np.ndarray,
    n_categories: np.ndarray,
    max_surrogates: int,
    place: Callable[[int, np.ndarray, np.ndarray], np.ndarray],
    numeric_search: Callable[..., list[_Candidates]] | None = None,
) -> SurrogateRouting:
    """Surrogates of every split node of a level, and the child of every entry.

    Parameters
    ----------
    X : ndarray
        The encoded training matrix.
    e_row, e_y, e_w, local : ndarray
        The level's entries: row, class, weight, node (local to the level).
    slot, idx : ndarray
        The primary's slot of the entries ``idx`` of split nodes (``-1``: missing
        or an unseen category).
    node_feature : ndarray
        The primary feature of every node of the level (``-1``: a leaf).
    n_children, first_local, n_ent : ndarray
        Per node: children (0 or 2), first child (local to the next level),
        entries.
    store : SortedStore or None
        The numeric features' sorted entries of this level (``None`` with
        ``numeric_search``).
    numeric, is_categorical, n_categories : ndarray
        The numeric features (store order) and every feature's kind and width.
    max_surrogates : int
    place : callable
        The rules' threshold placement ``place(feature, lo, hi)``.
    numeric_search : callable, optional
        Finds the numeric candidates instead of ``store`` (sparse X:
        :func:`treelearn._sparse_surrogates.numeric_candidates`), called as
        ``numeric_search(local, side, e_w, usable, node_feature, known_total,
        major_total)`` with ``usable`` the split nodes.

    Returns
    -------
    SurrogateRouting
    """
    L, m = n_children.size, local.size
    split_node = n_children > 0
    side = np.full(m, -1, dtype=np.intp)
    side[idx] = slot
    known = side >= 0
    w_known = np.where(known, e_w, 0.0)
    t_left = np.bincount(local, weights=np.where(side == 0, e_w, 0.0), minlength=L)
    t_right = np.bincount(local, weights=np.where(side == 1, e_w, 0.0), minlength=L)
    known_total = t_left + t_right
    major_total = np.maximum(t_left, t_right)
    found: list[_Candidates] = []
    if max_surrogates > 0 and (split_node & (np.bincount(local, weights=w_known, minlength=L)
                                             > 0)).any():  # fmt: skip
        if numeric_search is not None:
            found += numeric_search(local, side, e_w, split_node, node_feature, known_total,
                                    major_total)  # fmt: skip
            numeric = numeric[:0]
        elif store is not None and store.by_row:  # the store holds rows: index by row
            side_of_row = np.full(X.shape[0], -1, dtype=np.intp)
            side_of_row[e_row] = side
            w_of_row = np.zeros(X.shape[0])
            w_of_row[e_row] = e_w
            entries = _LevelEntries.of(side_of_row, w_of_row, n_ent)
        else:
            entries = _LevelEntries.of(side, e_w, n_ent)
        for r, f in enumerate(numeric.tolist()):
            assert store is not None
            usable = split_node & (node_feature != f)
            ent = store.entries[r]
            c = _numeric_candidates(f, store.float_values(r), ent, entries, n_ent, usable,
                                    known_total, major_total, place)  # fmt: skip
            if c is not None:
                found.append(c)
        kn = np.flatnonzero(known)
        left_slot = rpart_left_slot(local, side, e_y, e_w, L, int(e_y.max(initial=0)) + 1)
        for f in np.flatnonzero(is_categorical).tolist():
            C = int(n_categories[f])
            if C < 1:
                continue
            usable = split_node & (node_feature != f)
            c = _categorical_candidates(f, C, X[e_row[kn], f], local[kn], side[kn], e_w[kn], L,
                                        usable, known_total, major_total, left_slot)  # fmt: skip
            if c is not None:
                found.append(c)
    level = _rank(found, L, max_surrogates, n_categories)
    # route: primary, then surrogates, then the fit's majority direction
    nl = local[idx]
    slot = slot.copy()
    miss = np.flatnonzero(slot < 0)
    if miss.size:
        s, _ = surrogate_slots(level.surrogates, X, e_row[idx[miss]], nl[miss])
        majority = np.where(t_left > t_right, 0, np.where(t_left < t_right, 1, -1))
        slot[miss] = np.where(s >= 0, s, majority[nl[miss]])
    go = slot >= 0
    entry = idx[go]
    child = first_local[nl[go]] + slot[go]
    n_next = int(n_children.sum())
    # prediction's majority direction: the child with more training cases
    child_n = np.bincount(child, minlength=n_next)
    child_w = np.bincount(child, weights=e_w[entry], minlength=n_next)
    parent = np.repeat(np.arange(L), n_children)
    first = first_local[parent]
    sibling = np.where(np.arange(n_next) == first, first + 1, first)
    parent_w = child_w + child_w[sibling]
    with np.errstate(invalid="ignore", divide="ignore"):
        by_weight = np.where(parent_w > 0, child_w / parent_w, 0.5)
    share = np.where(
        child_n > child_n[sibling], 1.0, np.where(child_n < child_n[sibling], 0.0, by_weight)
    )
    return SurrogateRouting(entry, child, share, level)
