"""Surrogate splits at fit time (``missing_values="surrogate"``): CART as R's rpart grows it.

After the primary split of every node of a level is chosen (on the cases whose
primary value is known, as every split here), this module

1. finds up to ``max_surrogates`` surrogate splits per node, for every node of the
   level at once, features in blocks (small data's all in one set of array
   operations, segmented by (feature, node); never a pass per node): numeric
   features from their sorted arrays (:mod:`treelearn._partition`), categorical
   features from ``[feature, node, category, direction]`` weight tensors;
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
  (ties: the way most of the weight went overall, right when that ties too;
  weights within ``SCORE_TIE`` times the node's weight are equal, so that the order
  in which real weights were summed does not decide, :func:`category_directions`);
  categories with no such case get no slot. It needs more than one case agreeing
  and more than one disagreeing (rpart's count of the two).
* Agreement and the majority are then divided by the weight of *all* the node's
  cases with a known primary value (missing surrogate values count as
  disagreements); ``adj = (agreement − majority) / (1 − majority)``. A surrogate
  is kept if ``adj > RPART_SURROGATE_ADJ``; the best ``max_surrogates`` by
  agreement are kept, the lower feature index first on ties (agreements within
  ``SCORE_TIE``).
* The majority direction of the fit is the heavier side of the primary's known
  cases; when both weigh the same (within ``SCORE_TIE`` times their weight) there
  is none and a case no surrogate sends stays out of both children (as rpart).
  Prediction's majority direction is the child with more training cases (rpart's
  ``predict``), stored as a one-hot ``missing_fraction``; when both have as many,
  the shares are the children's weights (rpart ends the case at the node and
  predicts the node's distribution; here every case reaches leaves, as ``apply``
  promises).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from treelearn import _budget, _split_categorical
from treelearn._growth_rules import GrowthRules
from treelearn._partition import SortedStore
from treelearn._scratch import Scratch
from treelearn._split_categorical import PresentTables, present_chunks, table_pairs
from treelearn._split_lists import assemble_tables
from treelearn._split_numeric import segment_best
from treelearn._surrogate_tables import Surrogates, surrogate_slots
from treelearn._tolerances import RPART_SURROGATE_ADJ, SCORE_TIE, outweighs
from treelearn._tree import SPLIT_CATEGORICAL, SPLIT_NUMERIC

__all__ = [
    "LevelSurrogates",
    "SurrogateRouting",
    "majority_shares",
    "place_cuts",
    "route_with_surrogates",
    "searches_nothing",
]

#: Cells (positions x features, or nodes x categories x 2 x features) one block of the
#: surrogate search holds in each of its temporary arrays: small data searches all its
#: features at once, large data one feature at a time (a few MiB per array).
_BLOCK_CELLS = 2**17
#: A categorical feature whose ``[nodes, categories, 2]`` weight tensors over the
#: level would hold more cells than this (or more than one pass of the memory budget,
#: :func:`treelearn._budget.categorical_level_fits`) is searched over the categories
#: present at each node, in chunks of nodes of at most
#: :func:`~treelearn._split_categorical.present_chunk_cells` cells
#: (:func:`treelearn._split_categorical.present_chunks`), as the split search does.
_DENSE_CELLS = 2**22
#: While the sorted store holds row ids, a level with at least one in this many of the
#: rows reads its numeric candidates' weights from per-row tables; a level of fewer
#: rows from per-entry tables, its row ids mapped to entries (one gather more per
#: position): either way the work is proportional to the level, not to ``X``. With
#: weights of 0 and 1 (one per-row table, a fill of the rows) the level's entries are
#: counted once per searched feature, as each would pay the mapping.
_ROW_TABLES = 4


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
    #: slots of a categorical feature: ``[nodes, C]``, or the level's present
    #: categories (:class:`PresentTables`) whose row of each candidate is ``table_row``
    table: np.ndarray | PresentTables | None
    table_row: np.ndarray | None = None


def _segment_sums(
    v: np.ndarray, seg: np.ndarray, starts: np.ndarray, first: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Per position, the sum of ``v`` over the earlier positions of its segment, and
    every segment's total (flat arrays; rows of a 2-D ``v`` are summed apart, one
    ``cumsum`` per row, as if each were alone).

    ``seg``: the flat segment of every position, ``starts``: where each segment
    starts, ``first``: the start of every position's segment. Integer ``v`` (exact
    sums) takes each total from the running sum at the segment's end; float ``v``
    adds it up from zero (``bincount``), as the search always has.
    """
    # int32 (unit weights, :class:`_LevelEntries`) sums in int32: half the bytes
    c = np.cumsum(v, axis=-1, dtype=np.int32 if v.dtype == np.int32 else None).ravel()
    v = v.ravel()
    before = c - v
    before -= before.take(first, mode="wrap")  # (take: valid ids, no bounds check)
    L = starts.size
    if v.dtype.kind not in "iu":
        return before, np.bincount(seg, weights=v, minlength=L)
    last = np.r_[starts[1:], seg.size] - 1
    has = last >= starts
    total = np.zeros(L, dtype=c.dtype)
    total[has] = before[last[has]] + v[last[has]]
    return before, total


def _finish(
    node, feature, kind, agree, known_total, major_total, threshold, low_slot, table,
    table_row=None,
) -> _Candidates | None:  # fmt: skip
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
        table if isinstance(table, PresentTables) or table is None else table[ok],
        None if table_row is None else table_row[ok],
    )  # fmt: skip


def place_cuts(
    rules: GrowthRules, feature: np.ndarray, lo: np.ndarray, hi: np.ndarray
) -> np.ndarray:
    """The rules' thresholds of cuts of several features
    (:meth:`~treelearn._growth_rules.GrowthRules.place_thresholds_of`)."""
    return rules.place_thresholds_of(feature, lo, hi)


@dataclass
class _LevelEntries:
    """Per entry of a level (per row while the store holds rows), what every numeric
    candidate reads, computed once per level; one more slot at the end (all zeros)
    stands for the positions a feature's search leaves out.

    Integer weights (``whole``) keep integer tables, read by :func:`whole_cuts` (weights
    of 0 and 1 the packed one only); other weights the two sides' weights and the case
    counts, read by :func:`numeric_cuts` (:meth:`sides` gives those of integer tables
    too).
    """

    #: entry weight if the primary sends it to slot 0, else 0 (``None``: ``whole``)
    w_left: np.ndarray | None
    w_right: np.ndarray | None  # the same for slot 1
    #: 1 if the primary's value is known and the weight positive; ``None`` when every
    #: weight is 0 or 1, where it is ``w_left + w_right`` (``known`` when ``whole``)
    counted: np.ndarray | None
    #: ``whole``: the weight the primary sends to slot 1 less the weight it sends to
    #: slot 0 (``w_right - w_left``), and the primary-known weight (``w_left + w_right``);
    #: ``None`` for weights of 0 and 1 (the halves of ``packed``)
    turn: np.ndarray | None = None
    known: np.ndarray | None = None
    total: int = 0  # ``whole``: the weights' total
    #: ``whole`` below a total of 2^31: ``turn · 2^32 + cases`` in one int64 (cases:
    #: ``counted``, or ``known`` when that is ``None``), so that one running sum holds
    #: both (the cases' sum never reaches the upper half, and the turn's is signed)
    packed: np.ndarray | None = None

    @classmethod
    def of(
        cls, side: np.ndarray, w: np.ndarray, rows: np.ndarray | None = None, n_rows: int = 0
    ) -> _LevelEntries:
        """From the primary's slot of every entry (``-1``: missing) and the weights;
        with ``rows`` (every entry's row), tables indexed by row (``n_rows`` of them,
        the rows out of the level all zeros).

        Integer weights whose total is below 2^53 (unit weights above all) are kept
        as integers (int32 below a total of 2^31, else int64): every sum of them is
        then exact in any order, and integer sums are several times faster than
        float ones. Weights of 0 and 1 (below 2^31 entries) need the packed table
        only, made over the level's entries and scattered to the rows."""
        if side.size < 2**31 and bool(((w == 1) | (w == 0)).all()):
            known = w.astype(np.int64)
            known *= side >= 0
            # turn · 2^32 + cases = known · ((2 · side - 1) · 2^32 + 1)
            step = np.left_shift(2 * side - 1, 32, dtype=np.int64)
            step += 1
            step *= known
            table = np.zeros((side.size if rows is None else n_rows) + 1, dtype=np.int64)
            table[slice(side.size) if rows is None else rows] = step
            return cls(None, None, None, None, None, int(w.sum()), table)
        if rows is not None:
            side_of_row = np.full(n_rows, -1, dtype=np.intp)
            side_of_row[rows] = side
            w_of_row = np.zeros(n_rows)
            w_of_row[rows] = w
            side, w = side_of_row, w_of_row
        side = np.append(side, -1)
        w = np.append(w, 0.0)
        total = w.sum()
        whole = bool(np.all(w == np.floor(w))) and total < 2.0**53  # (finite, >= 0)
        if not whole:
            cases = ((side >= 0) & (w > 0)).astype(np.int64)
            return cls(np.where(side == 0, w, 0), np.where(side == 1, w, 0), cases)
        w = w.astype(np.int32 if total < 2.0**31 else np.int64)
        known = np.where(side >= 0, w, 0)
        turn = np.where(side == 1, w, -w)
        np.putmask(turn, side < 0, 0)
        counted: np.ndarray | None = None
        if not bool((w <= 1).all()):
            counted = ((side >= 0) & (w > 0)).astype(w.dtype)
        packed: np.ndarray | None = None
        if total < 2.0**31:
            packed = np.left_shift(turn, 32, dtype=np.int64)
            packed += known if counted is None else counted
        return cls(None, None, counted, turn, known, int(total), packed)

    def sides(self) -> tuple[np.ndarray, np.ndarray]:
        """``(w_left, w_right)``, also of integer tables."""
        if self.w_left is not None:
            assert self.w_right is not None
            return self.w_left, self.w_right
        turn, known = self.turn, self.known
        if turn is None:  # weights of 0 and 1: the packed table's two halves
            assert self.packed is not None
            known = self.packed & np.int64(2**32 - 1)
            turn = self.packed >> 32
        assert known is not None
        return (known - turn) // 2, (known + turn) // 2

    @property
    def left_out(self) -> int:
        """The all-zero slot (the last of every table)."""
        tables = (self.w_left, self.packed, self.turn)
        table = next(t for t in tables if t is not None)  # every level has one of them
        return table.size - 1


def _numeric_block(rs, feats, store, level: _LevelEntries, n_ent, split_node,
                   node_feature, L, known_total, major_total, place,
                   entry_of_row=None, scratch=None) -> _Candidates | None:  # fmt: skip
    """Best cut of every numeric feature of a block as a surrogate at every usable node.

    ``rs`` are the features' rows in ``store`` (node, value order, missing last),
    ``feats`` their feature indices; every feature's positions are the level's
    (``n_ent`` positions a node, nodes in order), stacked into a ``[features,
    positions]`` array. A (feature, node) segment is usable when
    the node splits (``split_node``) on another feature (``node_feature``).
    ``entry_of_row``: the entry of every row of the level when the store holds row
    ids and ``level`` is indexed by entry (``None``: ``level`` is indexed as the store
    is). ``scratch``: where the position-sized arrays of integer weights' search
    are kept (:class:`~treelearn._scratch.Scratch`).

    Integer weights go to :func:`whole_cuts` (the cuts from running sums over the
    block); other weights to :func:`numeric_cuts`, where a position whose value is
    missing, or whose segment is not usable, gets no weight and no case (the
    all-zero slot of ``level``): every sum over the others is what it would be
    without it (a sum plus ``0.0`` is the sum), so each (feature, node) segment finds
    the cut it would find alone.
    """
    B, m = len(rs), int(n_ent.sum())
    work = Scratch() if scratch is None else scratch
    # the values as stored (float32 when exact): the search only compares them
    if B == 1:  # one feature: its row as it is
        values = store.values[rs[0]].reshape(1, m)
        rows = store.entries[rs[0]]
    else:  # the block's rows stacked (one concatenate each: fewer calls than a copy per row)
        dtype = np.result_type(*(store.values[r].dtype for r in rs))
        values = np.concatenate(
            [store.values[r] for r in rs], out=work.array("values", B * m, dtype)
        ).reshape(B, m)
        kind = np.result_type(*(store.entries[r].dtype for r in rs))
        rows = np.concatenate([store.entries[r] for r in rs], out=work.array("rows", B * m, kind))
    if entry_of_row is not None:
        rows = entry_of_row.take(rows, out=work.array("entries", B * m, entry_of_row.dtype))
    usable = split_node & (node_feature != feats[:, None])  # [B, L]
    if level.packed is not None and whole_cuts_fit(B * level.total, B * m):
        found = whole_cuts(values, rows, level, n_ent, usable.ravel(), work)
    else:
        pos_node = np.repeat(np.arange(L), n_ent)
        ent = rows.astype(np.intp, copy=True).reshape(B, m)
        out = np.isnan(values)
        out |= ~usable.ravel()[np.arange(B)[:, None] * L + pos_node]
        np.putmask(ent, out, level.left_out)
        seg = np.arange(B)[:, None] * L + pos_node
        counted = None if level.counted is None else level.counted.take(ent, mode="wrap")
        w_l, w_r = level.sides()
        w_left, w_right = w_l.take(ent, mode="wrap"), w_r.take(ent, mode="wrap")
        found = numeric_cuts(values, seg, w_left, w_right, counted, B * L)
    if found is None:
        return None
    groups, i, best, low_slot = found
    b, nodes = np.divmod(groups, L)
    feature = feats[b]
    flat = values.ravel()
    threshold = place(feature, flat[i - 1].astype(np.float64), flat[i].astype(np.float64))
    return _finish(nodes, feature, SPLIT_NUMERIC, best, known_total, major_total, threshold,
                   low_slot, None)  # fmt: skip


def whole_cuts_fit(total: int, n: int) -> bool:
    """Whether :func:`whole_cuts` can search ``n`` positions (of one block) holding
    ``total`` weight: running sums of ``turn · 2^32 + cases`` and keys
    ``turn's sum · 2^32 ± position`` then fit in an int64."""
    return total < 2**31 and n < 2**32


def whole_cuts(
    values: np.ndarray,
    ent: np.ndarray,
    level: _LevelEntries,
    n_ent: np.ndarray,
    usable: np.ndarray,
    scratch: Scratch | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None:
    """:func:`numeric_cuts` of a block of features for integer weights, from running
    sums over the whole block: the same cuts, a fraction of the passes.

    ``values`` (``[B, m]``: every feature's positions, grouped by node, ``n_ent`` a
    node, values increasing within a node, missing last), ``ent`` the slot in
    ``level`` (integer tables, ``packed``; :func:`whole_cuts_fit` of the block) of
    every position (flat), ``usable`` ([B * L]) the (feature, node) segments
    searched. Returns what :func:`numeric_cuts` returns with segment ids
    ``feature * L + node`` and flat positions. The position-sized arrays are views of
    ``scratch``'s buffers (a fresh :class:`~treelearn._scratch.Scratch` when
    ``None``).

    With ``D``, ``N`` the running sums before every position (over the flat block) of
    ``turn`` (``w_right - w_left``) and of the cases (one running sum of the packed
    table: ``D · 2^32 + N``), a segment ``[a, e)`` whose known values end at ``k`` has
    ``tot_r - tot_l = D[k] - D[a]``, and at a cut before ``p`` the agreement
    ``tot_l + d`` (low side right) or ``tot_r - d`` (low side left), ``d = D[p] -
    D[a]``. The best is therefore the segment's largest or smallest ``D`` over its
    candidates (a new value, at least two cases before it and two from it on: because
    ``N`` never decreases, a range ``[lo, hi]`` of positions), the first of each found
    by one ``reduceat`` of int64 keys ``D · 2^32 ∓ p``. Integer sums are exact in any
    order, so the cuts (and their agreements) are bit for bit those of
    :func:`numeric_cuts`.
    """
    B, m = values.shape
    L = n_ent.size
    n = B * m
    assert level.packed is not None
    work = Scratch() if scratch is None else scratch
    flat = values.ravel()
    low = np.int64(2**32 - 1)
    # the packed running sums before every position: D · 2^32 + N
    key = work.array("key", n + 1, np.int64)
    key[0] = 0
    np.cumsum(level.packed.take(ent, mode="wrap", out=key[1:]), out=key[1:])
    N = np.bitwise_and(key, low, out=work.array("cases", n + 1, np.int64))
    key -= N  # D · 2^32
    # segments: (feature, node) for every usable pair, [a, e), known values to k
    node_start = np.zeros(L + 1, dtype=np.intp)
    np.cumsum(n_ent, out=node_start[1:])
    g = np.flatnonzero(usable)
    b, node = np.divmod(g, L)
    a = b * m + node_start[node]
    e = b * m + node_start[node + 1]
    # (missing last in a node: a segment's tail)
    nan = np.flatnonzero(np.isnan(flat, out=work.array("nan", n, np.bool_)))
    k = e - (np.searchsorted(nan, e) - np.searchsorted(nan, a))
    lo = np.searchsorted(N, N[a] + 2, side="left")
    hi = np.searchsorted(N, N[k] - 2, side="right") - 1
    keep = lo <= hi
    if not keep.any():
        return None
    g, a, k, lo, hi = g[keep], a[keep], k[keep], lo[keep], hi[keep]
    pos = work.arange(n + 1)
    # position p + 1 holds no new value: never a candidate
    same = np.flatnonzero(np.equal(flat[1:], flat[:-1], out=work.array("same", n - 1, np.bool_)))
    same += 1
    idx = np.empty(2 * g.size, dtype=np.intp)
    idx[0::2] = lo
    idx[1::2] = hi + 1  # (<= k <= n: a valid index of the n + 1 keys)
    base = key[a] >> 32
    turn_total = (key[k] >> 32) - base
    key -= pos  # largest D, first p (in place: two streams, not three)
    key[same] = np.iinfo(np.int64).min
    top = np.maximum.reduceat(key, idx)[0::2]
    has = top != np.iinfo(np.int64).min  # (then the smallest has a candidate too)
    if not has.any():
        return None
    key += pos  # smallest D, first position (the positions that hold no new value
    key += pos  # are overwritten next: only they lost their keys above)
    key[same] = np.iinfo(np.int64).max
    bottom = np.minimum.reduceat(key, idx)[0::2]
    g, a, k, top, bottom = g[has], a[has], k[has], top[has], bottom[has]
    base, turn_total = base[has], turn_total[has]
    p_top, d_top = (-top) & low, -((-top) >> 32)
    p_bottom, d_bottom = bottom & low, bottom >> 32
    if level.counted is None:  # unit weights: the cases are the known weight
        known_total = N[k] - N[a]
    else:
        assert level.known is not None
        S = work.array("known", n + 1, np.int64)  # (int64: the block's total < 2^31)
        S[0] = 0
        np.cumsum(level.known.take(ent, mode="wrap"), dtype=np.int64, out=S[1:])
        known_total = S[k] - S[a]
    tot_l = (known_total - turn_total) // 2
    tot_r = (known_total + turn_total) // 2
    a_right = tot_l + (d_top - base)  # low side right, at its first best cut
    a_left = tot_r - (d_bottom - base)
    best = np.maximum(a_right, a_left)
    at = np.where(
        a_right > a_left, p_top, np.where(a_left > a_right, p_bottom, np.minimum(p_top, p_bottom))
    )
    ok = best > np.maximum(tot_l, tot_r)
    if not ok.any():
        return None
    g, at, best, base, tot_l, tot_r = g[ok], at[ok], best[ok], base[ok], tot_l[ok], tot_r[ok]
    d = ((key[at] - pos[at]) >> 32) - base
    low_slot = np.where(tot_l + d > tot_r - d, 1, 0).astype(np.int8)
    return g, at.astype(np.intp), best.astype(np.float64), low_slot


def numeric_cuts(
    x: np.ndarray,
    seg: np.ndarray,
    wl: np.ndarray,
    wr: np.ndarray,
    n_cases: np.ndarray | None,
    L: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None:
    """The best surrogate cut of one numeric feature in every segment (rpart's rule).

    Positions are grouped by segment (``seg`` non-decreasing, segment ids below
    ``L``), values ``x`` increasing within a segment; a position is one or more
    cases of the same value: ``wl``/``wr`` their weight the primary sends left /
    right, ``n_cases`` how many of them have a positive weight (``None``: integer
    weights, each 0 or 1, so that it is ``wl + wr``). The arrays may be 2-D
    (``[rows, positions]``, ``seg`` non-decreasing in row-major order, no segment
    across two rows): each row's sums are then its own, as if it were searched alone.
    Returns ``(segments, position, agreement, low_slot)`` of the segments whose best
    cut sends more weight the primary's way than the majority does: the flat position
    just right of the cut (the first lowest cut of the best agreement), the agreeing
    weight, and the slot the low side goes to; ``None`` when no segment has one.
    """
    seg = seg.ravel()
    starts = np.searchsorted(seg, np.arange(L))
    # (gathers by ``take``: valid ids, no bounds check; 1.2-1.5x faster than a[seg])
    first = starts.take(seg, mode="wrap")  # first position of every position's segment
    bl, tot_l = _segment_sums(wl, seg, starts, first)
    br, tot_r = _segment_sums(wr, seg, starts, first)
    if n_cases is None:  # (integer sums: exact)
        n_before, tot_n = bl + br, tot_l + tot_r
    else:
        n_before, tot_n = _segment_sums(n_cases, seg, starts, first)
    # a new value (n_before >= 2 excludes a segment's first position)
    new_value = np.empty(x.shape, dtype=bool)
    new_value[..., 0] = False
    np.not_equal(x[..., 1:], x[..., :-1], out=new_value[..., 1:])
    cand = new_value.ravel()
    cand &= n_before >= 2
    cand &= tot_n.take(seg, mode="wrap") - n_before >= 2
    at = np.flatnonzero(cand)
    if not at.size:
        return None
    # low side to the right (rpart's "< goes right") or to the left; at every
    # position (fewer gathers than at the candidates only)
    a_right = tot_l.take(seg, mode="wrap") - bl
    a_right += br
    a_left = tot_r.take(seg, mode="wrap") - br
    a_left += bl
    score = np.maximum(a_right, a_left).take(at, mode="wrap")
    has, best, pos = segment_best(score, seg.take(at, mode="wrap"), L)
    majority = np.maximum(tot_l, tot_r)
    nodes = np.flatnonzero(has & (best > majority))
    if not nodes.size:
        return None
    i = at[pos[nodes]]
    low_slot = np.where(a_right[i] > a_left[i], 1, 0).astype(np.int8)
    return nodes, i, best[nodes], low_slot


def category_directions(
    lw: np.ndarray, rw: np.ndarray, all_l: np.ndarray, all_r: np.ndarray
) -> np.ndarray:
    """Whether each category of a categorical surrogate goes right (rpart's left: 0).

    Parameters
    ----------
    lw, rw : ndarray of shape (R, C)
        Weight of each category's cases that the primary sends left and right.
    all_l, all_r : ndarray of shape (R,)
        Their sums over the categories.

    Returns
    -------
    ndarray of bool, shape (R, C)
        A category goes the way most of its weight went; on a tie the way most of
        all the weight went, right when that ties too. Weights within
        :data:`~treelearn._tolerances.SCORE_TIE` times ``all_l + all_r`` are equal:
        they are sums of the same real weights taken in row order.
    """
    total = all_l + all_r
    default_right = ~outweighs(all_l, all_r, total)
    total = total[:, None]
    right, left = outweighs(rw, lw, total), outweighs(lw, rw, total)
    return right | (~left & default_right[:, None])


def _categorical_block(feats, C, codes, node, s, wt, L, split_node, node_feature, known_total,
                       major_total, left_slot, unit=False):  # fmt: skip
    """Best grouping of every categorical feature of a block (codes below ``C``)
    as a surrogate at every usable node.

    ``codes`` (``[entries, features]``), ``node``/``s``/``wt``: the entries of the
    level's split nodes whose primary value is known (``s``: the primary's slot).
    Ties are broken in rpart's orientation of the primary, whose left child is slot
    ``left_slot`` here. Each (feature, node) pair is a row of the ``[pairs, C, 2]``
    weight tensors, summed as that feature's own tensor would be. ``unit``: every
    weight is 0 or 1, so that the counts of positive weight are the weights' sums.

    A cell with no case of positive weight sums to ``0.0`` on both sides, so the
    agreeing and disagreeing sums need not mask the absent categories out.
    """
    B = len(feats)
    s = np.where(left_slot[node] == 0, s, 1 - s)  # 0: rpart's left
    ok = ~np.isnan(codes)
    ok &= split_node[node][:, None]
    ok &= node_feature[node][:, None] != feats
    pair = node[:, None] + L * np.arange(B)
    cell = ((pair * C + np.where(ok, codes, 0).astype(np.intp)) * 2 + s[:, None])[ok]
    w = np.broadcast_to(wt[:, None], ok.shape)[ok]
    P = B * L
    W = np.bincount(cell, weights=w, minlength=P * C * 2).reshape(P, C, 2)
    N = W if unit else np.bincount(cell[w > 0], minlength=P * C * 2).reshape(P, C, 2)
    lw, rw = W[:, :, 0], W[:, :, 1]
    ln, rn = N[:, :, 0], N[:, :, 1]
    all_l, all_r = lw.sum(axis=1), rw.sum(axis=1)
    absent = (ln == 0) & (rn == 0)
    go_right = category_directions(lw, rw, all_l, all_r)
    agree = np.where(go_right, rw, lw).sum(axis=1)
    n_agree = agree if unit else np.where(go_right, rn, ln).sum(axis=1)
    n_other = np.where(go_right, ln, rn).sum(axis=1)
    b_of, node_of = np.divmod(np.arange(P), L)
    usable = split_node[node_of] & (node_feature[node_of] != feats[b_of])
    pairs = np.flatnonzero(usable & (n_agree > 1) & (n_other > 1))
    if not pairs.size:
        return None
    nodes = node_of[pairs]
    table = np.where(absent, -1, go_right.astype(np.int32))[pairs]
    flip = left_slot[nodes] == 1
    table[flip] = np.where(table[flip] < 0, -1, 1 - table[flip])
    nan = np.full(pairs.size, np.nan)
    low = np.full(pairs.size, -1, dtype=np.int8)
    return _finish(nodes, feats[b_of[pairs]], SPLIT_CATEGORICAL, agree[pairs], known_total,
                   major_total, nan, low, table)  # fmt: skip


def _categorical_present(f, C, codes, node, s, wt, L, split_node, node_feature, known_total,
                         major_total, left_slot):  # fmt: skip
    """:func:`_categorical_block` of one feature ``f`` of many categories, over the
    categories present at each usable node (compact codes, chunks of nodes of at
    most :func:`~treelearn._split_categorical.present_chunk_cells` cells): memory
    proportional to the level's entries, the same candidates bit for bit.

    Every cell's weight is summed over the same entries in the same order as in the
    dense tensor; the sums over categories that decide (both sides' totals and the
    agreement) are taken over every declared category
    (:meth:`~treelearn._split_categorical.PresentChunk.declared_sums`), so that their
    rounding is the dense search's. A node with one present category only is not
    searched: its one category sends at most the majority's weight the primary's
    way, which no surrogate kept by ``adj`` does.
    """
    s = np.where(left_slot[node] == 0, s, 1 - s)  # 0: rpart's left
    usable = split_node & (node_feature != f)
    tables, chunks = present_chunks(
        codes, node, L, C, 2, usable, _split_categorical.present_chunk_cells()
    )
    nodes, agreed = [], []
    for chunk in chunks:  # a loop over chunks of bounded cells, not nodes
        R, width, e = chunk.nodes.size, chunk.width, chunk.entries
        cell = (chunk.row * width + chunk.compact) * 2 + s[e]
        w = wt[e]
        W = np.bincount(cell, weights=w, minlength=R * width * 2).reshape(R, width, 2)
        N = np.bincount(cell[w > 0], minlength=R * width * 2).reshape(R, width, 2)
        lw, rw = W[:, :, 0], W[:, :, 1]
        ln, rn = N[:, :, 0], N[:, :, 1]
        all_l = chunk.declared_sums(tables, lw, _split_categorical.present_chunk_cells())
        all_r = chunk.declared_sums(tables, rw, _split_categorical.present_chunk_cells())
        absent = (ln == 0) & (rn == 0)
        go_right = category_directions(lw, rw, all_l, all_r)
        agree = chunk.declared_sums(
            tables,
            np.where(absent, 0.0, np.where(go_right, rw, lw)),
            _split_categorical.present_chunk_cells(),
        )
        n_agree = np.where(absent, 0, np.where(go_right, rn, ln)).sum(axis=1)
        n_other = np.where(absent, 0, np.where(go_right, ln, rn)).sum(axis=1)
        table = np.where(absent, -1, go_right.astype(np.int32))
        flip = left_slot[chunk.nodes] == 1
        table[flip] = np.where(table[flip] < 0, -1, 1 - table[flip])
        chunk.slots_into(tables, table)
        keep = (n_agree > 1) & (n_other > 1)
        nodes.append(chunk.nodes[keep])
        agreed.append(agree[keep])
    if not nodes or not sum(n.size for n in nodes):
        return None
    at = np.concatenate(nodes)
    nan = np.full(at.size, np.nan)
    low = np.full(at.size, -1, dtype=np.int8)
    return _finish(at, f, SPLIT_CATEGORICAL, np.concatenate(agreed), known_total, major_total,
                   nan, low, tables, at)  # fmt: skip


def _blocks(features: np.ndarray, width: int) -> list[np.ndarray]:
    """``features`` in consecutive blocks of at most ``_BLOCK_CELLS // width`` (at
    least one feature each)."""
    per = max(_BLOCK_CELLS // max(width, 1), 1)
    return [features[i : i + per] for i in range(0, features.size, per)]


def _ranked(node: np.ndarray, feature: np.ndarray, agreement: np.ndarray) -> np.ndarray:
    """Candidates in rank order: by node, then agreement (highest first), then the
    lower feature. Agreements of one node within ``SCORE_TIE`` of their neighbour in
    that order are equal (shares of sums of real weights taken in row order), ranked
    by feature; the second sort runs only when such a near tie exists."""
    order = np.lexsort((feature, -agreement, node))
    if order.size < 2:
        return order
    a, n = agreement[order], node[order]
    gap = a[:-1] - a[1:]
    same_node = n[1:] == n[:-1]
    if not (same_node & (gap > 0) & (gap <= SCORE_TIE)).any():
        return order
    group = np.zeros(order.size, dtype=np.intp)
    np.cumsum(~same_node | (gap > SCORE_TIE), out=group[1:])
    return order[np.lexsort((feature[order], group))]


def _rank(found: list[_Candidates], L: int, max_surrogates: int, n_cat: np.ndarray):
    """The best ``max_surrogates`` candidates per node, by agreement (lower feature first)."""
    if not found:
        return LevelSurrogates(np.zeros(0, dtype=np.intp), Surrogates.empty(L))

    def joined(attr):  # one attribute over every candidate block
        parts = [getattr(c, attr) for c in found]
        return parts[0] if len(parts) == 1 else np.concatenate(parts)

    node = joined("node")
    feature = np.concatenate([np.broadcast_to(c.feature, c.node.shape) for c in found])
    agreement = joined("agreement")
    order = _ranked(node, feature, agreement)
    sorted_node = node[order]
    start = np.searchsorted(sorted_node, sorted_node)  # first candidate of each one's node
    kept = order[np.arange(order.size) - start < max_surrogates]  # kept, in rank order
    node, feature = node[kept], feature[kept]
    sizes = [c.node.size for c in found]
    which = np.repeat(np.arange(len(found)), sizes)[kept]  # candidate block of each kept one
    src = kept - np.repeat(np.cumsum(sizes) - sizes, sizes)[kept]  # its row in that block
    count = np.bincount(node, minlength=L)
    ptr = np.zeros(L + 1, dtype=np.int64)
    np.cumsum(count, out=ptr[1:])

    def gather(attr, dtype):
        return joined(attr)[kept].astype(dtype, copy=False)

    kind = np.array([c.kind for c in found], dtype=np.int8)[which]
    feat = feature.astype(np.int32)
    width = np.where(kind == SPLIT_CATEGORICAL, n_cat[feat], 0)
    parts = []  # per candidate block: its kept surrogates' tables as pairs
    for j, c in enumerate(found):
        if c.table is None:
            continue
        at = np.flatnonzero(which == j)
        if not at.size:
            continue
        if isinstance(c.table, np.ndarray):
            rows = src[at]
        else:
            assert c.table_row is not None
            rows = c.table_row[src[at]]
        # a block's dense tables may be wider than a feature's categories: cut to them
        for C in np.unique(width[at]).tolist():  # a loop over widths, not nodes
            sel = width[at] == C
            parts.append((at[sel], table_pairs(c.table, rows[sel], int(C))))
    cptr, code, branch = assemble_tables(node.size, width, parts)
    sur = Surrogates(
        ptr=ptr, feature=feat, kind=kind, threshold=gather("threshold", np.float64),
        low_slot=gather("low_slot", np.int8), agreement=gather("agreement", np.float64),
        adj=gather("adj", np.float64), category_ptr=cptr, category_code=code,
        category_branch=branch,
    )  # fmt: skip
    return LevelSurrogates(node, sur)


def rpart_left_slot(
    local: np.ndarray,
    side: np.ndarray,
    e_y: np.ndarray,
    e_w: np.ndarray,
    L: int,
    K: int,
    known: np.ndarray | None = None,
) -> np.ndarray:
    """The slot rpart calls *left* at every node: the side whose mean class index
    (``Σ_j j·p_j`` over its known cases) is lower; slot 1 on equal means (rpart's
    orientation when it finds no order). Only ties between directions depend on it.
    ``known``: the entries whose ``side`` is known, ascending, when the caller has them."""
    if known is None:
        known = np.flatnonzero(side >= 0)
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
    place: Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray],
    numeric_search: Callable[..., list[_Candidates]] | None = None,
    scratch: Scratch | None = None,
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
        The rules' threshold placement of cuts of several features,
        ``place(features, lo, hi)`` (:func:`place_cuts` of the rules).
    numeric_search : callable, optional
        Finds the numeric candidates instead of ``store`` (sparse X:
        :func:`treelearn._sparse_surrogates.numeric_candidates`), called as
        ``numeric_search(local, side, e_w, usable, node_feature, known_total,
        major_total)`` with ``usable`` the split nodes.
    scratch : Scratch, optional
        Where the numeric search keeps its position-sized arrays from one feature
        (and, when the caller keeps it, one level) to the next.

    Returns
    -------
    SurrogateRouting
    """
    L, m = n_children.size, local.size
    split_node = n_children > 0
    side = np.full(m, -1, dtype=np.intp)
    side[idx] = slot
    kn = np.flatnonzero(side >= 0)
    # every weight 1: weight sums are the counts (exact integers in float64)
    all_one = bool((e_w == 1.0).all())
    zero_one = all_one or bool(((e_w == 0) | (e_w == 1)).all())  # weights of 0 and 1
    # each side's weight per node, summed over the known entries in entry order (the
    # same sums as over every entry with 0.0 for the others)
    cell = local[kn] * 2 + side[kn]
    t_side: np.ndarray
    if all_one:
        t_side = np.bincount(cell, minlength=2 * L).astype(np.float64)
    else:
        t_side = np.bincount(cell, weights=e_w[kn], minlength=2 * L)
    del cell
    t_left, t_right = t_side[0::2], t_side[1::2]
    known_total = t_left + t_right
    major_total = np.maximum(t_left, t_right)
    found: list[_Candidates] = []
    if max_surrogates > 0 and (split_node & (known_total > 0)).any():
        if numeric_search is not None:
            found += numeric_search(local, side, e_w, split_node, node_feature, known_total,
                                    major_total)  # fmt: skip
        rows = np.arange(numeric.size)
        primary = np.unique(node_feature[split_node])
        if primary.size == 1:  # every split node's own feature: none of its positions
            rows = rows[numeric != primary[0]]  # counts (a chain's one feature)
        if numeric_search is None and rows.size:
            assert store is not None
            entry_of_row = None
            # weights of 0 and 1 build one per-row table (an O(rows) fill), against a
            # gather per position of every searched feature to map rows to entries
            per = rows.size if zero_one else 1
            if store.by_row and m * _ROW_TABLES * per >= X.shape[0]:  # most rows in play:
                entries = _LevelEntries.of(side, e_w, e_row, X.shape[0])  # index by row
            else:  # tables by entry (the same values: the rows out of play are never read)
                entries = _LevelEntries.of(side, e_w)
                if store.by_row:  # the store's row ids to entries (the level's rows only)
                    entry_of_row = np.empty(X.shape[0], dtype=np.intp)
                    entry_of_row[e_row] = np.arange(m)
            work = Scratch() if scratch is None else scratch
            for rs in _blocks(rows, m):
                c = _numeric_block(rs.tolist(), numeric[rs], store, entries, n_ent,
                                   split_node, node_feature, L, known_total, major_total,
                                   place, entry_of_row, work)  # fmt: skip
                if c is not None:
                    found.append(c)
        cat = np.flatnonzero(is_categorical & (n_categories >= 1))
        if cat.size:
            left_slot = rpart_left_slot(local, side, e_y, e_w, L, int(e_y.max(initial=0)) + 1, kn)
            k_rows, k_node = e_row[kn], local[kn]
            # features of fewer than 8 categories share one width (their sums over
            # categories are then sequential, as each feature's own: pairwise
            # summation starts at 8 terms); wider ones go by their width
            width = n_categories[cat].astype(np.intp)
            narrow = width < 8
            width[narrow] = width[narrow].max(initial=1)
            unit = zero_one
            common = (k_node, side[kn], e_w[kn], L, split_node, node_feature, known_total,
                      major_total, left_slot)  # fmt: skip
            for C in np.unique(width).tolist():
                feats_c = cat[width == C]
                if L * C * 2 > _DENSE_CELLS or not _budget.categorical_level_fits(L, C, 2):
                    # each feature over the categories present at each node
                    for f in feats_c.tolist():
                        c = _categorical_present(f, int(C), X[k_rows, f], *common)
                        if c is not None:
                            found.append(c)
                    continue
                for feats in _blocks(feats_c, L * 2 * C):
                    c = _categorical_block(
                        feats, int(C), X[k_rows[:, None], feats], *common, unit=unit
                    )
                    if c is not None:
                        found.append(c)
    level = _rank(found, L, max_surrogates, n_categories)
    # route: primary, then surrogates, then the fit's majority direction
    nl = local[idx]
    slot = slot.copy()
    miss = np.flatnonzero(slot < 0)
    if miss.size:
        s, _ = surrogate_slots(level.surrogates, X, e_row[idx[miss]], nl[miss])
        # (sides equal up to rounding weigh the same: no majority)
        majority = np.where(
            outweighs(t_left, t_right, known_total),
            0,
            np.where(outweighs(t_right, t_left, known_total), 1, -1),
        )
        slot[miss] = np.where(s >= 0, s, majority[nl[miss]])
    go = slot >= 0
    entry = idx[go]
    child = first_local[nl[go]] + slot[go]
    n_next = int(n_children.sum())
    child_n = np.bincount(child, minlength=n_next)
    child_w: np.ndarray
    if all_one:
        child_w = child_n.astype(np.float64)
    else:
        child_w = np.bincount(child, weights=e_w[entry], minlength=n_next)
    share = majority_shares(child_n, child_w, n_children, first_local)
    return SurrogateRouting(entry, child, share, level)


def majority_shares(
    child_n: np.ndarray, child_w: np.ndarray, n_children: np.ndarray, first_local: np.ndarray
) -> np.ndarray:
    """Prediction's majority direction at every split node of a level, as each child's
    one-hot ``missing_fraction``: the child with more training cases (rpart's
    ``predict``); the children's weight shares when both have as many.

    Parameters
    ----------
    child_n, child_w : ndarray
        Per child of the next level: its training cases and their weight.
    n_children, first_local : ndarray
        Per node of the level: children (0 or 2) and first child (local to the next
        level).

    Returns
    -------
    ndarray
        Per child, its share.
    """
    n_next = child_n.size
    parent = np.repeat(np.arange(n_children.size), n_children)
    first = first_local[parent]
    sibling = np.where(np.arange(n_next) == first, first + 1, first)
    parent_w = child_w + child_w[sibling]
    with np.errstate(invalid="ignore", divide="ignore"):
        by_weight = np.where(parent_w > 0, child_w / parent_w, 0.5)
    return np.where(
        child_n > child_n[sibling], 1.0, np.where(child_n < child_n[sibling], 0.0, by_weight)
    )


def searches_nothing(
    max_surrogates: int,
    primary: np.ndarray,
    numeric: np.ndarray,
    is_categorical: np.ndarray,
    n_categories: np.ndarray,
) -> bool:
    """Whether no feature can give a surrogate at a level whose split nodes' primary
    features are ``primary`` (unique): none asked for, or every numeric feature is the
    one primary of every split node (none of its positions counts) and no categorical
    feature has a category. :func:`route_with_surrogates` then keeps no surrogate."""
    if max_surrogates <= 0:
        return True
    if bool((is_categorical & (n_categories >= 1)).any()):
        return False
    return bool(numeric.size == 0 or (primary.size == 1 and (numeric == primary[0]).all()))
