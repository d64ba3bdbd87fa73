"""Split search on a numeric feature, vectorised over all nodes and thresholds of a level.

A feature's entries arrive sorted by (node, value) (:mod:`treelearn._partition`).
Every gap between two distinct known values inside a node is a candidate cut; its
left class counts are a class-count prefix sum minus the node's offset, so one
``cumsum`` serves all nodes. The growth rules say which cuts are admissible; the
criterion ranks the candidates of each node (:meth:`SplitCriterion.split_rank`, which
orders them as its ``split_score`` does); the first best cut (lowest threshold) of
each node wins, ties within the rules' tolerance.

For a concave impurity only *boundary points* are scored: cuts between two value
blocks that are not both of one same class (Fayyad & Irani 1992), which finds the
same best split.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np

from treelearn._budget import search_working_bytes
from treelearn._split_categorical import known_fraction
from treelearn.criteria import SplitCriterion

if TYPE_CHECKING:
    from treelearn._growth_rules import GrowthRules

__all__ = [
    "CutSides",
    "LevelLayout",
    "NumericSplits",
    "best_thresholds",
    "candidate_chunks",
    "finish_splits",
    "segment_best",
    "stacked_layout",
    "value_gaps",
]

#: Above this many class-count cells (classes × sorted positions) a feature's split
#: search runs in blocks of positions, so that its memory is ``classes × block``
#: rather than ``classes × rows`` (2**24 cells: 128 MiB of float64 per array).
BLOCK_ELEMENTS = 2**24

#: float64 ``[K]`` rows held per candidate cut while candidates are ranked: its left
#: and right class counts and the criterion's temporaries (``split_rank``).
_CANDIDATE_ROWS = 8


def candidate_chunks(n_candidates: int, n_classes: int, cap_bytes: int | None = None) -> list[int]:
    """Bounds of the chunks the candidate cuts of a search are ranked in.

    Each chunk's temporaries stay within ``cap_bytes`` (default
    :func:`treelearn._budget.search_working_bytes`). No chunk holds a single candidate
    unless there is one only: a criterion's sums over the classes of a lone ``[1, K]``
    row may be added in another order.
    """
    cap = search_working_bytes() if cap_bytes is None else cap_bytes
    step = max(cap // (8 * _CANDIDATE_ROWS * max(n_classes, 1)), 2)
    bounds = list(range(0, n_candidates, step))
    if len(bounds) > 1 and n_candidates - bounds[-1] == 1:
        bounds.pop()
    return [*bounds, n_candidates]


@dataclass
class LevelLayout:
    """Where the nodes of one level lie in every feature's sorted arrays."""

    seg_start: np.ndarray  # [S] first position of each node
    seg_len: np.ndarray  # [S] entries of each node
    node_weight: np.ndarray  # [S] weight of each node (missing values included)
    splittable: np.ndarray  # [S] nodes that may split

    @cached_property
    def n_segments(self) -> int:
        return int(self.seg_len.size)

    @cached_property
    def single(self) -> bool:
        """Whether the layout is one segment starting at position 0 (the searched
        window of a level where one node may split): then every position is that
        node's, and nothing lies before it."""
        return self.n_segments == 1 and int(self.seg_start[0]) == 0

    @cached_property
    def position_segment(self) -> np.ndarray:
        """Node of every position."""
        if self.single:
            return np.zeros(int(self.seg_len[0]), dtype=np.intp)
        return np.repeat(np.arange(self.n_segments), self.seg_len)

    @cached_property
    def interior(self) -> np.ndarray:
        """A cut after position ``i`` stays inside one splittable node."""
        m = int(self.seg_len.sum())
        if self.single:
            return np.full(max(m - 1, 0), bool(self.splittable[0]))
        interior = np.zeros(max(m - 1, 0), dtype=bool)
        if m > 1:
            interior[:] = self.splittable[self.position_segment[:-1]]
            ends = self.seg_start[1:] - 1  # last position of every node but the last
            interior[ends[(ends >= 0) & (ends < m - 1)]] = False
        return interior


class CutSides:
    """Sizes of the two sides of every cut position of one feature (computed on use).

    ``left_n``/``right_n`` count the known samples (entries, or with ``samples`` the
    fractions of rows the entries stand for, :func:`treelearn._missing.sample_counts`),
    ``left_w``/``right_w`` their weight; ``seg`` is each cut's node;
    ``n_known``/``known_w`` are per node (entries and weight). With ``unit_weights``
    a side's weight is its number of entries. Sizes are meant at cuts (and the
    "learned" cut before the missing values), where every entry left of the cut is
    known; at other positions they may count missing entries too.
    """

    def __init__(
        self,
        cut: np.ndarray,
        cum: np.ndarray | None,
        base: np.ndarray | None,
        layout: LevelLayout,
        n_known: np.ndarray,
        known_w: np.ndarray,
        left_weight: np.ndarray | None = None,
        samples: tuple[np.ndarray, np.ndarray] | None = None,
        left_count: np.ndarray | None = None,
        unit_weights: bool = False,
    ):
        self.cut = cut
        self._unit = unit_weights  # every weight 1: a side's weight is its count
        self._cum, self._base, self._layout = cum, base, layout
        self.n_known, self.known_w = n_known, known_w
        self.n_segments = layout.n_segments
        self._samples = samples  # (prefix sums of fractions, their value before each node)
        if left_weight is not None:  # computed without the [K, m] prefix sums
            self.__dict__["left_w"] = left_weight
        if left_count is not None:  # positions that stand for several entries
            self.__dict__["left_n"] = left_count

    @cached_property
    def seg(self) -> np.ndarray:
        return self._layout.position_segment[: self.cut.size]

    @property
    def unit_weights(self) -> bool:
        """Whether a side's weight is its number of entries (``left_w == left_entries``)."""
        return self._unit

    @property
    def seg_len(self) -> np.ndarray:
        """Entries of each node (its positions, consecutive in node order)."""
        return self._layout.seg_len

    def left_entries_within(self, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
        """Whether each cut's :attr:`left_entries` lie in ``[lo, hi]`` of its node.

        ``lo``/``hi`` (integers, per node) bound the entries left of a cut; the mask is
        built from each node's three runs (below, inside, above), without a gather per
        position.
        """
        layout = self._layout
        seg_len = layout.seg_len.astype(np.intp, copy=False)
        # left entries at a node's k-th position: k + 1 + offset (offset 0 unless the
        # nodes do not start where the previous one ends)
        offset = np.cumsum(seg_len) - seg_len - layout.seg_start
        first = np.clip(lo - 1 - offset, 0, seg_len)
        stop = np.maximum(np.clip(hi - offset, 0, seg_len), first)
        runs = np.stack([first, stop - first, seg_len - stop], axis=1).ravel()
        inside = np.tile(np.array([False, True, False]), seg_len.size)
        return np.repeat(inside, runs)[: self.cut.size]

    @property
    def fractional(self) -> bool:
        """Whether samples are fractions of rows (then a side may hold less than one)."""
        return self._samples is not None

    @cached_property
    def n_known_samples(self) -> np.ndarray:
        """Known samples per node (``n_known`` unless entries are fractions of rows)."""
        if self._samples is None:
            return self.n_known
        fcum, fbase = self._samples
        end = self._layout.seg_start + self.n_known - 1
        return np.where(self.n_known > 0, fcum[np.maximum(end, 0)] - fbase, 0.0)

    @cached_property
    def left_entries(self) -> np.ndarray:
        """Entries of the node up to and including each cut position."""
        return np.arange(1, self.cut.size + 1) - self._layout.seg_start[self.seg]

    @cached_property
    def left_n(self) -> np.ndarray:
        if self._samples is not None:
            fcum, fbase = self._samples
            return fcum[: self.cut.size] - fbase[self.seg]
        return self.left_entries

    @cached_property
    def right_n(self) -> np.ndarray:
        return self.n_known_samples[self.seg] - self.left_n

    @cached_property
    def left_w(self) -> np.ndarray:
        if self._unit:
            return self.left_entries
        m1 = self.cut.size
        assert self._cum is not None and self._base is not None
        return self._cum[:, :m1].sum(axis=0) - self._base.sum(axis=0)[self.seg]

    @cached_property
    def right_w(self) -> np.ndarray:
        return self.known_w[self.seg] - self.left_w


class _MissingLeftSides(CutSides):
    """The sides of every cut with the node's missing cases added to the left
    (``"learned"``): ``n_missing``/``missing_w`` per node move from right to left."""

    def __init__(self, sides: CutSides, n_missing: np.ndarray, missing_w: np.ndarray):
        self.__dict__.update(sides.__dict__)
        self._n_missing, self._missing_w = n_missing, missing_w
        for name in ("left_n", "right_n", "left_w", "right_w"):
            self.__dict__.pop(name, None)
        self._plain = sides

    @cached_property
    def left_n(self) -> np.ndarray:
        return self._plain.left_n + self._n_missing[self.seg]

    @cached_property
    def right_n(self) -> np.ndarray:
        return self._plain.right_n - self._n_missing[self.seg]

    @cached_property
    def left_w(self) -> np.ndarray:
        return self._plain.left_w + self._missing_w[self.seg]

    @cached_property
    def right_w(self) -> np.ndarray:
        return self._plain.right_w - self._missing_w[self.seg]


class PackedCounts:
    """Running class counts of unit-weight positions, every class in one int64.

    Class ``k`` owns bits ``k·b .. (k+1)·b - 1`` of each number, ``b`` the bits of
    the number of positions: a count never reaches ``2**b``, so adding or
    subtracting running counts never carries from one class into the next. One
    ``cumsum`` of 64-bit numbers then does the work of ``K`` class-count prefix
    sums (numpy's ``cumsum`` of a boolean ``[K, m]`` one-hot into integers is
    several times slower per cell), and a side's counts at a cut are one gather and
    one subtraction, unpacked into classes only at the candidates. The counts are
    the same integers either way. With ``missing_at`` (the missing positions: a few
    writes, not a pass over a mask) only the known positions count (a missing
    position adds zero), as the known-value counts of a search with missing values
    do.
    """

    def __init__(
        self,
        labels: np.ndarray,
        n_classes: int,
        bits: int,
        missing_at: np.ndarray | None = None,
    ):
        self.n_classes = n_classes
        self._shifts = [k * bits for k in range(n_classes)]
        self._mask = np.int64((1 << bits) - 1)
        if labels.dtype.kind in "iu":  # 2^(label · bits): one shift (the shifts fit
            # any integer dtype: at most 63), faster than a lookup by byte labels
            cum = np.left_shift(np.int64(1), labels * labels.dtype.type(bits), dtype=np.int64)
        else:
            unit = np.left_shift(np.int64(1), np.asarray(self._shifts, dtype=np.int64))
            cum = unit.take(labels)
        if missing_at is not None:
            cum[missing_at] = 0
        #: [m] the packed counts of positions ``0 .. i``
        self.cum = np.cumsum(cum, out=cum)

    @classmethod
    def of(
        cls,
        labels: np.ndarray,
        n_classes: int,
        missing_at: np.ndarray | None = None,
    ) -> PackedCounts | None:
        """The packed counts of ``labels`` (with ``missing_at``: of the other
        positions only), or ``None`` when ``n_classes`` counts of up to ``labels.size`` do not
        fit 63 bits."""
        bits = max(int(labels.size).bit_length(), 1)
        if n_classes * bits > 63:
            return None
        return cls(labels, n_classes, bits, missing_at)

    def _class(self, packed: np.ndarray, k: int) -> np.ndarray:
        """Class ``k``'s counts (a new int64 array) of packed counts."""
        if k == 0:
            return packed & self._mask
        counts = packed >> self._shifts[k]
        if k < self.n_classes - 1:  # the last class has nothing above it
            counts &= self._mask
        return counts

    def unpack(self, packed: np.ndarray, dtype: type = np.int64) -> np.ndarray:
        """Class counts ``[K, n]`` (``dtype``) of packed counts ``[n]``."""
        # one class at a time on 1-d arrays: a broadcast [K, n] shift-and-cast
        # is several times slower in numpy
        out: np.ndarray = np.empty((self.n_classes, packed.size), dtype=dtype)
        for k in range(self.n_classes):
            out[k] = self._class(packed, k)
        return out

    def square_sums(self, packed: np.ndarray) -> np.ndarray:
        """``Σ_k c_k²`` (exact, float64) of packed counts ``[n]``."""
        total = self._class(packed, 0)
        total *= total
        counts = np.empty_like(total)  # every other class's counts, in turn
        for k in range(1, self.n_classes):
            np.right_shift(packed, self._shifts[k], out=counts)
            if k < self.n_classes - 1:  # (as _class: the last has nothing above it)
                counts &= self._mask
            counts *= counts
            total += counts
        return total.astype(np.float64)


@dataclass
class NumericSplits:
    """The best threshold of each feature of a block at the nodes where it has one."""

    nodes: np.ndarray  # [s] node (segment) ids
    feature: np.ndarray  # [s] the feature of each split
    gain: np.ndarray  # [s] split_score x known fraction (after the rules' adjustment)
    score: np.ndarray  # [s] the criterion's feature score
    threshold: np.ndarray  # [s]
    # [s] "learned": the slot the node's missing cases go to (-1: the node has none)
    missing_slot: np.ndarray | None = None
    # [s] each split's cut: the position (in the searched arrays, features laid end to
    # end) of the last value left of it; None where not recorded
    cut: np.ndarray | None = None


def range_ends(mask: np.ndarray, seg: np.ndarray, counts: np.ndarray | None = None) -> np.ndarray:
    """Mark the first and the last true position of ``mask`` within each segment.

    ``counts`` (optional): the number of true positions of each segment, in segment
    order (C4.5's candidate counts); the ends are then read from them, without
    looking up the segment of every true position.
    """
    pos = np.flatnonzero(mask)
    ends = np.zeros(mask.size, dtype=bool)
    if pos.size and counts is not None:
        stop = np.cumsum(counts)
        has = counts > 0
        ends[pos[stop[has] - counts[has]]] = True
        ends[pos[stop[has] - 1]] = True
    elif pos.size:
        s = seg[pos]
        new = np.r_[True, s[1:] != s[:-1]]
        ends[pos[new]] = True
        ends[pos[np.r_[new[1:], True]]] = True
    return ends


def segment_best(
    scores: np.ndarray, seg: np.ndarray, n_segments: int, tolerance: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Best score and the first position reaching it, per segment.

    ``seg`` is non-decreasing (candidates grouped by segment). Returns
    ``(has, best, first)``: whether the segment has a candidate, its best score and
    the index of its first best candidate. With ``tolerance`` (one value per
    segment) the first candidate within that distance of the best is taken. NaN
    scores never win: a segment whose maximum is NaN gets no candidate.
    """
    has = np.zeros(n_segments, dtype=bool)
    best = np.full(n_segments, -np.inf)
    first = np.zeros(n_segments, dtype=np.intp)
    if scores.size == 0:
        return has, best, first
    if seg[0] == seg[-1]:  # every candidate in one node (a chain's level)
        s = int(seg[0])
        target = scores.max()
        if tolerance is not None:
            target = target - tolerance[s]
        at = int(np.argmax(scores >= target))  # 0 when none reaches it (a NaN maximum)
        if scores[at] >= target:
            has[s], best[s], first[s] = True, scores[at], at
        return has, best, first
    bounds = np.searchsorted(seg, np.arange(n_segments + 1))  # where each segment starts
    ids = np.flatnonzero(bounds[1:] > bounds[:-1])  # segments with candidates
    starts = bounds[ids]
    target = np.maximum.reduceat(scores, starts)
    if tolerance is not None:
        target = target - tolerance[ids]
    is_max = scores >= np.repeat(target, bounds[ids + 1] - starts)
    pos = np.flatnonzero(is_max)
    if pos.size:
        opens = np.empty(pos.size, dtype=bool)  # the first position of each segment
        opens[0] = True
        np.not_equal(seg[pos[1:]], seg[pos[:-1]], out=opens[1:])
        first_pos = pos[opens]
    else:
        first_pos = pos
    has[seg[first_pos]] = True
    best[seg[first_pos]] = scores[first_pos]
    first[seg[first_pos]] = first_pos
    return has, best, first


def class_boundaries(
    cut: np.ndarray,
    y: np.ndarray,
    interior: np.ndarray | None,
    position_segment: np.ndarray | None,
    tail: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
) -> np.ndarray:
    """Which cuts separate two value blocks that are not both of one same class.

    For a concave impurity the best threshold lies on such a boundary point
    (Fayyad & Irani 1992): moving a cut inside a run of one class cannot improve
    the split, so only the run ends need scoring. A block is a run of equal
    values inside one node (no cut inside); it is pure when all its cases share
    a class. The cut between two pure blocks is kept when their classes differ;
    a cut next to an impure block is always kept. ``interior=None`` and
    ``position_segment=None``: every position lies in one node.

    ``tail``: ``(missing, seg_start, n_known)`` when values are missing (the missing
    positions, each node's last, and every segment's start and number of known
    values). A node's last known value and its missing ones then form one block (no
    cut between them), impure when their classes differ: its opening cut, the
    node's last, is kept. When that cut is the one just before the last known value
    (distinct last two values: the usual case) it is found from the node's counts,
    and the other class changes decide alone whether the general pass is needed.
    """
    change = y[1:] != y[:-1]  # class changes between position i and i + 1
    # class changes inside a block: not a cut, and both positions in one node
    not_cut = ~cut if interior is None else np.greater(interior, cut)
    inner = np.flatnonzero(np.logical_and(change, not_cut, out=not_cut))
    tail_cuts = None
    if tail is not None and inner.size:
        missing, seg_start, n_known = tail
        in_tail = missing.take(inner + 1)  # the next value missing: in a node's tail
        if in_tail.any():
            at_tail = inner[in_tail]
            inner = inner[~in_tail]
            seg = (
                np.zeros(at_tail.size, dtype=np.intp)
                if position_segment is None
                else position_segment.take(at_tail)
            )
            count = n_known.take(seg)
            opening = seg_start.take(seg) + count - 2  # the cut before the last known value
            found = count >= 2  # (fewer: no cut in the node, nothing kept)
            direct = found & cut.take(np.maximum(opening, 0))
            tail_cuts = opening[direct]
            rest = at_tail[found & ~direct]
            if rest.size:  # the node's last cut lies further back: the general pass
                inner = np.sort(np.concatenate([inner, rest]))
    keep = change  # (our own array: marked in place)
    if tail_cuts is not None:
        keep[tail_cuts] = True
    if not inner.size:  # every block is pure (always so without tied values)
        return keep
    cuts = np.flatnonzero(cut)
    k = np.searchsorted(cuts, inner)  # cuts[k]: the first cut after the change
    after = k < cuts.size
    before = k > 0
    if position_segment is None:  # one node: every cut is in the change's node
        keep[cuts[k[after]]] = True
        keep[cuts[k[before] - 1]] = True
        return keep
    seg = position_segment[inner]
    at = cuts[k[after]]
    keep[at[position_segment[at] == seg[after]]] = True  # the block's closing cut
    at = cuts[k[before] - 1]
    keep[at[position_segment[at] == seg[before]]] = True  # the cut that opens it
    return keep


#: float32 differences within this relative distance of the gap are tested in float64
#: (see :func:`value_gaps`).
_GAP_BAND = 2.0**-19


def value_gaps(v: np.ndarray, gap: float) -> np.ndarray:
    """``v[1:] > v[:-1] + gap`` as float64 computes it (``False`` next to a NaN).

    The rule that two neighbouring sorted values are distinct enough to cut between.
    float64 ``v`` is tested as written. float32 ``v`` (the store's values of float32
    input) is tested on float32 differences, without a widened copy: a difference
    ``d = fl32(b - a)`` is within ``2**-24`` of ``b - a`` (relatively), and
    ``fl64(a + gap)`` within ``(|a| + gap)·2**-53`` of ``a + gap``, so ``d`` above
    ``gap·(1 + 2**-19)`` means a cut and below ``gap·(1 - 2**-19)`` none, wherever
    ``|a| < gap·2**33``; beyond that float32 values are at least ``|a|·2**-25 ≫ gap``
    apart or equal, and the two tests agree again. The few differences in between
    are tested in float64, so the result is the float64 test's, bit for bit.
    """
    if v.dtype != np.float32 or not 1e-30 < gap < 1e30:
        w = v.astype(np.float64, copy=False)
        return w[1:] > w[:-1] + gap
    with np.errstate(over="ignore", invalid="ignore"):  # inf - inf: NaN, no cut
        d = np.subtract(v[1:], v[:-1])  # float32
    above = np.nextafter(np.float32(gap * (1.0 + _GAP_BAND)), np.float32(np.inf))
    below = np.nextafter(np.float32(gap * (1.0 - _GAP_BAND)), np.float32(0.0))
    cut = d > above
    near = d >= below
    near ^= cut  # below <= d <= above (NaN: neither)
    if near.any():
        at = np.flatnonzero(near)
        cut[at] = v[at + 1].astype(np.float64) > v[at].astype(np.float64) + gap
    return cut


def stacked_layout(layout: LevelLayout, n_features: int, n_entries: int) -> LevelLayout:
    """The layout of ``n_features`` features' arrays laid end to end.

    Each feature's sorted arrays hold the level's ``n_entries`` entries; stacked, the
    segments are (feature, node) pairs, feature-major, and a cut never crosses from
    one feature to the next (a segment's last position is not interior).
    """
    if n_features == 1:
        return layout
    offsets = np.arange(n_features, dtype=np.intp)[:, None] * n_entries
    return LevelLayout(
        (offsets + layout.seg_start).ravel(),
        np.tile(layout.seg_len, n_features),
        np.tile(layout.node_weight, n_features),
        np.tile(layout.splittable, n_features),
    )


def best_thresholds(
    features: list[int] | np.ndarray,
    values: list[np.ndarray],
    labels: list[np.ndarray],
    weights: list[np.ndarray] | None,
    has_missing: bool,
    layout: LevelLayout,
    n_classes: int,
    criterion: SplitCriterion,
    rules: GrowthRules,
    fractions: list[np.ndarray] | None = None,
    *,
    multiplicity: np.ndarray | None = None,
    segments: tuple[np.ndarray, np.ndarray] | None = None,
    block_counts: tuple[np.ndarray, np.ndarray] | None = None,
    buffer: np.ndarray | None = None,
) -> NumericSplits | None:
    """Best threshold of each numeric feature of ``features`` in every node of the level.

    ``values[j]``, ``labels[j]`` and ``weights[j]`` (``weights=None``: all 1) are
    feature ``features[j]``'s sorted arrays. The features are searched together, their
    arrays laid end to end (:func:`stacked_layout`), so that a level costs a fixed
    number of numpy calls per block of features rather than per feature: on small
    data that per-call overhead is most of the fit. Class counts are kept class-major
    (``[K, m]`` memory, handed to the criterion as ``[m, K]`` views) so that sums over
    classes are contiguous. ``has_missing`` says whether any of the features has a
    missing value; ``fractions[j]`` (``None``: one each) the samples each position
    counts for (``"fractional"``: weight, :func:`treelearn._missing.sample_counts`),
    which the leaf-size rules compare.

    With ``rules.missing_values == "learned"`` the missing cases of a node go to one
    side (:mod:`treelearn._missing`): the node's cuts are scored with them on the
    right, then the cut "known left, missing right" (threshold ``inf``), then the
    cuts with them on the left, and the first best candidate in that order wins.
    The missing counts per node are its counts minus its known counts, so each side
    is one more score evaluation per cut. Returns ``None`` when no node has a
    candidate.

    Sparse features (:mod:`treelearn._sparse_store`) come already laid end to end:
    one array each in ``values``/``labels``/``weights``, ``layout`` their segments
    (any (feature, node) pairs, feature-major) and ``segments`` each segment's
    index into ``features`` and node. ``multiplicity`` is then the number of
    entries each position stands for, and ``block_counts`` ``(positions, [K, p]
    class weights)`` the class counts of the positions that stand for a block of
    entries of one value (a zero block; its label is -1 unless one class has it all).

    ``buffer`` (float64, 1-d) is where the weighted ``[K, m]`` prefix sums are
    written when it holds ``K * m`` cells (else they get their own array): a caller
    that searches many chunks reuses one buffer instead of allocating (and the
    kernel zeroing) a fresh one per call.
    """
    K = n_classes
    F = len(features)
    learned = has_missing and rules.missing_values == "learned"
    too_large = segments is None and F == 1 and K * values[0].size > BLOCK_ELEMENTS
    if too_large and not learned:  # [K, m] sums would not fit
        return _best_thresholds_blocked(
            features[0], values[0].astype(np.float64, copy=False), labels[0],
            None if weights is None else weights[0],
            layout, n_classes, criterion, rules, None if fractions is None else fractions[0],
        )  # fmt: skip
    S0 = layout.n_segments
    if F == 1 or segments is not None:
        v, yo = values[0], labels[0]
        wo = None if weights is None else weights[0]
    else:
        v, yo = np.concatenate(values), np.concatenate(labels)
        wo = None if weights is None else np.concatenate(weights)
    # float32 values stay float32 (half the bytes): the search only tests them for NaN
    # and for gaps (value_gaps, exactly as in float64) and finish_splits widens the
    # winners' neighbours
    if segments is None:
        layout = stacked_layout(layout, F, values[0].size)
    seg_start, seg_len, node_weight = layout.seg_start, layout.seg_len, layout.node_weight
    S = layout.n_segments
    classes = np.arange(K, dtype=yo.dtype)
    seg_end = seg_start + seg_len - 1
    before = np.maximum(seg_start - 1, 0)
    # a cut after position i: same node, both known, distinct values (NaN
    # compares False, so cuts next to missing values drop out by themselves)
    if layout.single and layout.splittable[0]:  # every position is the one node's
        interior = None
        cut = value_gaps(v, rules.numeric_gap)
    else:
        interior = layout.interior
        cut = interior & value_gaps(v, rules.numeric_gap)
    samples = None
    packed: PackedCounts | None = None
    if has_missing or wo is not None:
        missing = np.isnan(v)
        nan_at = np.flatnonzero(missing)
        m = yo.size
        if wo is None and block_counts is None and multiplicity is None:
            # unit weights: the K running counts in one number (as without missing
            # values); "learned" counts the missing cases too (the counts minus the
            # known), the others the known values only
            packed = PackedCounts.of(yo, K, missing_at=None if learned else nan_at)
        if packed is None and wo is None and block_counts is None:
            one_hot = np.equal.outer(classes, yo)  # [K, m]
            # unit weights: running integer counts, exact like the float sums (the
            # criterion gets float64 sides either way) and half the memory traffic;
            # "learned" counts the missing cases too (the counts minus the known)
            counted = one_hot if learned else np.logical_and(one_hot, ~missing, out=one_hot)
            cum = np.cumsum(counted, axis=1, dtype=np.int32 if m < 2**31 else None)
            del one_hot, counted
        elif packed is None:
            one_hot = np.equal.outer(classes, yo)  # [K, m]
            w_pos = 1.0 if wo is None else wo
            w_known = w_pos if learned else np.where(missing, 0.0, w_pos)
            if buffer is not None and buffer.size >= K * m:
                cum = np.multiply(one_hot, w_known, out=buffer[: K * m].reshape(K, m))
            else:
                cum = one_hot * w_known
            del w_known
            if block_counts is not None:
                cum[:, block_counts[0]] = block_counts[1]
            cum = np.cumsum(cum, axis=1, dtype=np.float64, out=cum)  # in place: one [K, m]
            del one_hot
        if multiplicity is None and segments is None:
            # a node's missing values are its last positions (the sorted store's
            # order): count them from their few positions, not by a running sum
            n_known = seg_len - (
                np.searchsorted(nan_at, seg_end + 1) - np.searchsorted(nan_at, seg_start)
            )
        else:
            kcum = np.cumsum(~missing if multiplicity is None else multiplicity)
            n_known = kcum[seg_end] - np.where(seg_start > 0, kcum[before], 0)
        if fractions is not None:
            fcum = np.cumsum(np.where(missing, 0.0, np.concatenate(fractions)))
            samples = (fcum, np.where(seg_start > 0, fcum[before], 0.0))
    else:  # every weight 1 and no missing value: counts are running one-hot sums
        n_known = seg_len
        packed = PackedCounts.of(yo, K)
        if packed is None:
            m = yo.size
            count = np.dtype(np.int32 if seg_len.sum() < 2**31 else np.int_)
            cum = np.empty((K, m), dtype=count)
            np.cumsum(np.equal.outer(classes[:-1], yo), axis=1, dtype=count, out=cum[:-1])
            # the last class's: every position counts one, less the other classes'
            # (exact integers; one running sum fewer, numpy's accumulate being the
            # slow pass)
            others = cum[0] if K == 2 else cum[:-1].sum(axis=0, dtype=count)
            np.subtract(np.arange(1, m + 1, dtype=count), others, out=cum[-1])
    if packed is not None:  # the same counts, K classes to a number
        pcum = packed.cum
        base_p = (
            np.zeros(1, dtype=np.int64)
            if layout.single
            else np.where(seg_start > 0, pcum[before], 0)
        )  # [S]
        known_p = pcum[seg_end] - base_p  # [S]
        known_counts = packed.unpack(known_p)  # [K, S]
    else:
        # np.take keeps [K, n] rows contiguous (fancy indexing on axis 1 would not)
        if layout.single:  # nothing before the one segment
            base = np.zeros((K, 1), dtype=cum.dtype)
        else:
            base = np.where(seg_start > 0, np.take(cum, before, axis=1), 0)  # [K, S]
        known_counts = np.take(cum, seg_end, axis=1) - base  # [K, S] ("learned": all counts)
    known_w = known_counts.sum(axis=0).astype(np.float64)

    # which cut positions the rules admit (a contiguous range of positions per
    # node, since the left side only grows)
    left_count = None
    if multiplicity is not None:  # entries left of each cut, counted by multiplicity
        left_count = (
            kcum[:-1] - np.where(seg_start > 0, kcum[before], 0)[layout.position_segment[:-1]]
        )
    # the node of every position (None: the one node's, not materialised)
    position_segment = None if interior is None else layout.position_segment
    if learned:
        n_missing = seg_len - n_known
        last_known = np.maximum(seg_start + n_known - 1, 0)
        if packed is not None:  # the node's missing counts, packed: all less the known
            missing_p = known_p - np.where(n_known > 0, pcum[last_known] - base_p, 0)  # [S]
            missing_counts = packed.unpack(missing_p, np.float64)  # [K, S]
            missing_p_ext = np.concatenate([np.zeros_like(missing_p), missing_p])
        else:
            only_known = np.where(n_known > 0, np.take(cum, last_known, axis=1) - base, 0.0)
            missing_counts = known_counts - only_known  # [K, S]
            missing_ext = np.concatenate([np.zeros_like(missing_counts), missing_counts], axis=1)
        # the cut "every known value left, every missing value right" (threshold inf)
        inf_cut = np.zeros(cut.size, dtype=bool)
        inf_cut[last_known[(n_missing > 0) & (n_known > 0) & layout.splittable]] = True
        sides = (
            CutSides(cut | inf_cut, None, None, layout, seg_len, known_w, unit_weights=True)
            if packed is not None
            else CutSides(cut | inf_cut, cum, base, layout, seg_len, known_w)
        )
        left_sides = _MissingLeftSides(sides, n_missing, missing_counts.sum(axis=0))
        allowed, n_cand = rules.admissible_cuts(sides)
        allowed_left, _ = rules.admissible_cuts(left_sides)
        mask_left = cut & (n_missing > 0)[layout.position_segment[:-1]]
        if allowed_left is not None:
            mask_left &= allowed_left
    else:
        sides = (
            CutSides(cut, None, None, layout, n_known, known_w, samples=samples, unit_weights=True)
            if packed is not None
            else CutSides(
                cut, cum, base, layout, n_known, known_w, samples=samples, left_count=left_count
            )
        )
        allowed, n_cand = rules.admissible_cuts(sides)
    cand_mask = cut if allowed is None else cut & allowed
    if criterion.concave:
        tail = (missing, seg_start, n_known) if has_missing else None
        keep = class_boundaries(cut, yo, interior, position_segment, tail)
        if learned:
            keep_left = keep | range_ends(mask_left, layout.position_segment[:-1])
            mask_left &= keep_left
        if allowed is not None:  # the ends of the admitted range may be optimal too
            # (n_cand counts cand_mask's positions per node unless "learned" adds its
            # cut before the missing values)
            counts = None if learned else n_cand
            keep |= range_ends(cand_mask, layout.position_segment[:-1], counts)
        cand_mask = cand_mask & keep
    if learned:
        cand_mask |= inf_cut if allowed is None else inf_cut & allowed
    cand = np.flatnonzero(cand_mask)
    go_left = np.zeros(cand.size, dtype=bool)
    if learned:  # per node: the missing-right cuts (inf last), then the missing-left ones
        cand_left = np.flatnonzero(mask_left)
        both = np.concatenate([cand, cand_left])
        order = np.argsort(layout.position_segment[both], kind="stable")
        cand = both[order]
        go_left = np.r_[go_left, np.ones(cand_left.size, dtype=bool)][order]
    if cand.size == 0:
        return None
    seg = (
        np.zeros(cand.size, dtype=np.intp) if layout.single else layout.position_segment.take(cand)
    )

    def packed_sides(at: np.ndarray, at_seg: np.ndarray, missing_left: np.ndarray):
        # the packed counts of both sides; one node: its numbers, broadcast
        one = at_seg.size > 0 and at_seg[0] == at_seg[-1]
        s = int(at_seg[0]) if one else 0
        left = pcum.take(at)  # (take: faster than pcum[at])
        left -= base_p[s] if one else base_p.take(at_seg)
        if learned:  # plus the node's missing counts where they go left (no carry)
            left += missing_p_ext.take(at_seg + S * missing_left)
        if one:
            right = known_p[s] - left
        else:
            right = known_p.take(at_seg)
            right -= left
        return left, right

    def sides_of(at: np.ndarray, at_seg: np.ndarray, missing_left: np.ndarray):
        if packed is not None:  # float64 [K, c], as below
            left, right = packed_sides(at, at_seg, missing_left)
            return packed.unpack(left, np.float64), packed.unpack(right, np.float64)
        # float64 [K, c]: criteria compute in floats, and converting the [c, K]
        # views they get would cost more than the arithmetic
        one = at_seg.size > 0 and at_seg[0] == at_seg[-1]  # one node: its column, broadcast
        s = int(at_seg[0]) if one else 0
        left = np.subtract(
            np.take(cum, at, axis=1),
            base[:, s : s + 1] if one else np.take(base, at_seg, axis=1),
            dtype=np.float64,
        )  # [K, c]
        if learned:  # plus the node's missing counts where they go left (+0.0: exact)
            left += np.take(missing_ext, at_seg + S * missing_left, axis=1)
        return left, (
            known_counts[:, s : s + 1] if one else np.take(known_counts, at_seg, axis=1)
        ) - left

    # ranked in chunks of candidates: working memory within the budget's cap
    bounds = candidate_chunks(cand.size, K)
    by_squares = packed is not None and criterion.ranks_by_square_sums
    if by_squares:  # Gini: split_rank's numbers from each side's size and Σ c²
        assert packed is not None
        rank = np.empty(cand.size)
        seg_open = seg_start - 1  # a cut after i leaves i - seg_start + 1 positions left
        for a, b in itertools.pairwise(bounds):
            at_seg = seg[a:b]
            left_p, right_p = packed_sides(cand[a:b], at_seg, go_left[a:b])
            # exact integers, converted once (the sizes as before)
            n_left = np.subtract(cand[a:b], seg_open.take(at_seg)).astype(np.float64)
            if learned:  # the missing cases left of a missing-left candidate
                n_left += np.where(go_left[a:b], n_missing[at_seg], 0)
            rank[a:b] = criterion.square_sum_rank(
                n_left, packed.square_sums(left_p),
                known_w.take(at_seg) - n_left, packed.square_sums(right_p),
            )  # fmt: skip
    elif len(bounds) == 2:  # one chunk: the criterion's array is the rank
        left, right = sides_of(cand, seg, go_left)
        rank = np.asarray(criterion.split_rank(left.T, right.T), dtype=np.float64)
        if rank.shape != cand.shape:
            rank = np.broadcast_to(rank, cand.shape).copy()
        del left, right
    else:
        rank = np.empty(cand.size)
        for a, b in itertools.pairwise(bounds):
            left, right = sides_of(cand[a:b], seg[a:b], go_left[a:b])
            rank[a:b] = criterion.split_rank(left.T, right.T)
            del left, right
    has, _, first = segment_best(rank, seg, S, tolerance=rules.tie_tolerance * node_weight)
    sg = np.flatnonzero(has)
    pick = first[sg]
    i = cand[pick]
    left, right = sides_of(i, sg, go_left[pick])
    children = np.empty((sg.size, 2, K))  # [s, 2, K]
    children[:, 0] = left.T
    children[:, 1] = right.T
    parent = np.take(known_counts, sg, axis=1).T.astype(np.float64)
    slot = None
    if learned:  # the side each winner's missing cases take (-1: the node has none)
        slot = np.where(go_left[pick], 0, np.where(n_missing[sg] > 0, 1, -1))
    return finish_splits(
        features, v, i, sg, parent, children, node_weight, n_cand, S0, criterion, rules,
        slot, segments,
    )  # fmt: skip


def finish_splits(
    features: list[int] | np.ndarray,
    v: np.ndarray,
    i: np.ndarray,
    sg: np.ndarray,
    parent: np.ndarray,
    children: np.ndarray,
    node_weight: np.ndarray,
    n_cand: np.ndarray | None,
    n_nodes: int,
    criterion: SplitCriterion,
    rules: GrowthRules,
    slot: np.ndarray | None = None,
    segments: tuple[np.ndarray, np.ndarray] | None = None,
) -> NumericSplits:
    """The winners' gains, scores and thresholds, from their class counts.

    ``sg`` are the winning (feature, node) segments of features laid end to end
    (feature-major, ``n_nodes`` nodes per feature), ``i`` each winner's cut position
    in ``v``, ``parent[s, K]`` and ``children[s, 2, K]`` its class counts (known,
    or under ``"learned"`` all), ``slot`` (``"learned"``) the side of each winner's
    missing cases; ``segments`` (sparse features) each segment's feature index and
    node, as in :func:`best_thresholds`.
    """
    fraction = known_fraction(parent.sum(axis=-1), node_weight[sg])
    gain = criterion.split_score(parent, children) * fraction
    gain, ok = rules.adjust_numeric_gains(
        gain, None if n_cand is None else n_cand[sg], node_weight[sg]
    )
    if not ok.all():
        sg, gain, children, parent, i = sg[ok], gain[ok], children[ok], parent[ok], i[ok]
        slot = None if slot is None else slot[ok]
    score = criterion.feature_score(
        gain, children.sum(axis=2), np.maximum(node_weight[sg] - parent.sum(axis=1), 0.0)
    )
    if segments is None:
        block, node = np.divmod(sg, n_nodes)  # sg is feature-major: blocks come in order
    else:
        block, node = segments[0][sg], segments[1][sg]
    feature = np.asarray(features, dtype=np.intp)[block]
    # the cut before the missing values (learned) has no upper value: threshold inf;
    # thresholds are placed in float64 (float32 values widen exactly)
    lo = v[i].astype(np.float64, copy=False)
    up = v[i + 1].astype(np.float64, copy=False)
    hi_missing = np.isnan(up)
    hi = np.where(hi_missing, lo, up)
    threshold = rules.place_thresholds_of(feature, lo, hi)
    threshold[hi_missing] = np.inf
    return NumericSplits(node, feature, gain, score, threshold, slot, i)


def _prefix_blocks(labels, weights, n_classes, stops):
    """Class-count prefix sums ``[K, b - a]`` of consecutive position blocks.

    ``stops`` are the block ends. Each block's sums continue the previous block's
    last column, added in the same order as one ``cumsum`` over all positions
    (so they are bit-identical to it).
    """
    K = n_classes
    classes = np.arange(K, dtype=labels.dtype)[:, None]
    carry = np.zeros((K, 1), dtype=np.float64)
    a = 0
    for b in stops.tolist():
        if b <= a:
            yield a, b, None
            continue
        block = np.equal(classes, labels[None, a:b]) * weights[None, a:b]
        cum = np.cumsum(np.concatenate([carry, block], axis=1), axis=1)[:, 1:]
        carry = cum[:, -1:].copy()
        yield a, b, cum
        a = b


def _best_thresholds_blocked(
    feature, values, labels, weights, layout, n_classes, criterion, rules, fractions=None
):  # fmt: skip
    """:func:`best_thresholds` for many classes: the same search, ``[K, block]``
    memory at a time (three passes over blocks of positions: segment totals,
    candidate ranks, the winners' counts)."""
    K, v, yo = n_classes, values, labels
    m = v.size
    S = layout.n_segments
    seg_start, seg_len, node_weight = layout.seg_start, layout.seg_len, layout.node_weight
    seg_end = seg_start + seg_len - 1
    known = ~np.isnan(v)
    w = np.where(known, 1.0 if weights is None else weights, 0.0)
    step = max(1, BLOCK_ELEMENTS // max(K, 1))
    stops = np.r_[np.arange(step, m, step), m]
    position_segment = layout.position_segment
    interior = layout.interior
    cut = interior & value_gaps(v, rules.numeric_gap)
    kcum = np.cumsum(known)
    before = np.maximum(seg_start - 1, 0)
    n_known = kcum[seg_end] - np.where(seg_start > 0, kcum[before], 0)
    # pass 1: prefix sums at every node's start and end
    base = np.zeros((K, S))
    end = np.zeros((K, S))
    has_before = np.flatnonzero(seg_start > 0)
    for a, b, cum in _prefix_blocks(yo, w, K, stops):
        if cum is None:
            continue
        at = has_before[(before[has_before] >= a) & (before[has_before] < b)]
        base[:, at] = cum[:, before[at] - a]
        at = np.flatnonzero((seg_end >= a) & (seg_end < b) & (seg_len > 0))
        end[:, at] = cum[:, seg_end[at] - a]
    known_counts = end - base
    known_w = known_counts.sum(axis=0)
    wcum = np.cumsum(w)
    left_w = wcum[:-1] - np.where(seg_start > 0, wcum[before], 0.0)[position_segment[:-1]]
    samples = None
    if fractions is not None:
        fcum = np.cumsum(np.where(known, fractions, 0.0))
        samples = (fcum, np.where(seg_start > 0, fcum[before], 0.0))
    sides = CutSides(cut, None, None, layout, n_known, known_w, left_weight=left_w, samples=samples)
    allowed, n_cand = rules.admissible_cuts(sides)
    cand_mask = cut if allowed is None else cut & allowed
    if criterion.concave:
        keep = class_boundaries(cut, yo, interior, position_segment)
        if allowed is not None:
            keep |= range_ends(cand_mask, position_segment[:-1])
        cand_mask = cand_mask & keep
    cand = np.flatnonzero(cand_mask)
    if cand.size == 0:
        return None
    seg = np.zeros(cand.size, dtype=np.intp) if layout.single else position_segment[cand]
    # pass 2: rank every candidate, one block at a time
    rank = np.empty(cand.size)
    bounds = np.asarray(np.searchsorted(cand, np.r_[0, stops])).tolist()
    for i, (a, _b, cum) in enumerate(_prefix_blocks(yo, w, K, stops)):
        lo, hi = bounds[i], bounds[i + 1]
        if cum is None or lo == hi:
            continue
        c, sg = cand[lo:hi], seg[lo:hi]
        left = cum[:, c - a] - base[:, sg]
        right = known_counts[:, sg] - left
        rank[lo:hi] = criterion.split_rank(left.T, right.T)
    has, _, first = segment_best(rank, seg, S, tolerance=rules.tie_tolerance * node_weight)
    sg = np.flatnonzero(has)
    i = cand[first[sg]]
    # pass 3: the winners' left counts
    left = np.zeros((K, sg.size))
    order = np.argsort(i, kind="stable")
    at_block = np.searchsorted(stops, i[order], side="right")
    for j, (a, _b, cum) in enumerate(_prefix_blocks(yo, w, K, stops)):
        pick = order[at_block == j]
        if cum is not None and pick.size:
            left[:, pick] = cum[:, i[pick] - a] - base[:, sg[pick]]
    parent = known_counts[:, sg].T
    left = left.T
    children = np.stack([left, parent - left], axis=1)  # [s, 2, K]
    fraction = known_fraction(parent.sum(axis=-1), node_weight[sg])
    gain = criterion.split_score(parent, children) * fraction
    gain, ok = rules.adjust_numeric_gains(
        gain, None if n_cand is None else n_cand[sg], node_weight[sg]
    )
    if not ok.all():
        sg, gain, children, parent, i = sg[ok], gain[ok], children[ok], parent[ok], i[ok]
    threshold = rules.place_thresholds(feature, v[i], v[i + 1])
    score = criterion.feature_score(
        gain, children.sum(axis=2), np.maximum(node_weight[sg] - parent.sum(axis=1), 0.0)
    )
    return NumericSplits(sg, np.full(sg.size, feature, dtype=np.intp), gain, score, threshold)
