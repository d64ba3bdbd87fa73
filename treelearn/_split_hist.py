"""Split search on summed histograms, vectorised over nodes, features and bins.

The histogram builder (:mod:`treelearn._builder_hist`) hands over, per level, the
``[nodes, features, codes, classes]`` class counts of its nodes (the last code of every
feature holds its missing values) and, unless every entry weighs 1, the entry counts
``[nodes, features, codes]``. :func:`feature_splits` finds every feature's best split
at every node from them with the same growth rules and criterion as the exact search:

* numeric features: every cut after a non-empty bin with known entries beyond it is
  a candidate (one per gap between the node's values when a bin holds one value);
  :meth:`~treelearn._growth_rules.GrowthRules.admissible_cuts` admits cuts, only
  boundary points are ranked for a concave impurity (Fayyad & Irani 1992, as
  :mod:`treelearn._split_numeric`), the criterion's ``split_rank`` orders them, the
  first within the rules' tolerance wins, and its gain is ``split_score`` scaled by
  the known fraction; the threshold is placed between the two bins' training values;
  under ``missing_values="learned"`` the missing code's counts go to one side, tried
  in the exact search's order (:func:`treelearn._split_numeric.best_thresholds`):
  every cut with them on the right, the cut "every known value left, the missing
  right" (threshold ``inf``), then every cut with them on the left;
* categorical features: the rules' ``categorical_splits`` on the histogram's
  ``[node, category, class]`` tensor, the exact categorical search itself, and under
  ``"learned"`` the exact search's branch for the missing cases
  (:func:`treelearn._split_categorical.categorical_scores`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, cast

import numpy as np

from treelearn._binning import Bins
from treelearn._growth_rules import GrowthRules
from treelearn._missing import sample_counts
from treelearn._split_categorical import CategoryCounts, categorical_scores, known_fraction
from treelearn._split_numeric import range_ends, segment_best
from treelearn.criteria import SplitCriterion

if TYPE_CHECKING:
    from treelearn._split_numeric import CutSides

__all__ = [
    "FeatureSplits",
    "HistCells",
    "PairSplits",
    "cells_of",
    "feature_splits",
    "integer_sums",
    "new_feature_splits",
    "search_cells",
]


class _HistSides:
    """Sizes of the two sides of candidate cuts (what ``admissible_cuts`` reads),
    computed on use from the prefix sums (the sizes' own prefix sums too: most rules
    read no size). Sizes count entries, or (``fractional``) samples in weight
    (:func:`treelearn._missing.sample_counts`).

    ``cut`` marks the cut positions (after cell ``i``). ``missing`` (``"learned"``):
    the entries and weight of every segment's missing code, on the right side of
    every cut, or with ``missing_left`` on the left."""

    def __init__(self, seg, cut, cum, base, known, sizes, starts, last, fractional,
                 missing=None, missing_left=False):  # fmt: skip
        self._seg, self._cut, self._cum, self._base, self._known = seg, cut, cum, base, known
        self._sizes, self._starts, self._last = sizes, starts, last
        self.fractional = fractional
        self._missing, self._missing_left = missing, missing_left

    @cached_property
    def ci(self) -> np.ndarray:
        """Every cut position."""
        return np.flatnonzero(self._cut)

    @cached_property
    def cs(self) -> np.ndarray:
        """The segment of every cut position."""
        return self._seg[self.ci]

    @cached_property
    def _ncum(self) -> np.ndarray:
        return np.cumsum(self._sizes)

    @cached_property
    def _nbase(self) -> np.ndarray:
        return np.where(self._starts > 0, self._ncum[np.maximum(self._starts - 1, 0)], 0)

    @cached_property
    def left_n(self) -> np.ndarray:
        left = self._ncum[self.ci] - self._nbase[self.cs]
        if self._missing is not None and self._missing_left:
            left = left + self._missing[0][self.cs]
        return left

    @cached_property
    def right_n(self) -> np.ndarray:
        n_all = self._ncum[self._last] - self._nbase
        if self._missing is not None:
            n_all = n_all + self._missing[0]
        return n_all[self.cs] - self.left_n

    @cached_property
    def left_w(self) -> np.ndarray:
        left = (self._cum[self.ci] - self._base[self.cs]).sum(axis=1)
        if self._missing is not None and self._missing_left:
            left = left + self._missing[1][self.cs]
        return left

    @cached_property
    def right_w(self) -> np.ndarray:
        w_all = self._known.sum(axis=1)
        if self._missing is not None:
            w_all = w_all + self._missing[1]
        return w_all[self.cs] - self.left_w


@dataclass
class FeatureSplits:
    """Every feature's best split at the searched nodes (rows of a histogram)."""

    gain: np.ndarray  # [r, P]
    score: np.ndarray  # [r, P]
    valid: np.ndarray  # [r, P]
    cut: np.ndarray  # [r, P] numeric: last bin on the left
    threshold: np.ndarray  # [r, P] numeric: the real threshold
    n_missing: np.ndarray  # [r, P] entries whose value is missing
    # numeric: [r, P, 2] known weight left/right; categorical, per feature:
    # (tables [r, C], child known weights [r, C])
    child_w: np.ndarray
    # [r, P] "learned": the child slot of the node's missing cases (-1: none)
    missing_slot: np.ndarray
    tables: dict = field(default_factory=dict)


@dataclass
class PairSplits:
    """The best split of some (histogram row, feature) pairs, one entry per pair:
    what a search over the non-empty cells finds (:func:`search_cells`), without
    ``[rows, features]`` tables."""

    row: np.ndarray  # [s] histogram row
    feature: np.ndarray  # [s]
    gain: np.ndarray  # [s]
    score: np.ndarray  # [s]
    cut: np.ndarray  # [s] last bin on the left
    threshold: np.ndarray  # [s] the real threshold
    child_w: np.ndarray  # [s, 2] known weight left/right
    missing_slot: np.ndarray  # [s] "learned": side of the missing cases (-1: none)

    def write(self, out: FeatureSplits) -> None:
        """Enter the pairs' splits into the tables ``out`` (valid there)."""
        ri, f = self.row, self.feature
        out.gain[ri, f] = self.gain
        out.score[ri, f] = self.score
        out.valid[ri, f] = True
        out.cut[ri, f] = self.cut
        out.threshold[ri, f] = self.threshold
        out.child_w[ri, f] = self.child_w
        out.missing_slot[ri, f] = self.missing_slot

    def take(self, at: np.ndarray) -> PairSplits:
        """The pairs ``at`` (indices or a mask)."""
        return PairSplits(*(getattr(self, n)[at] for n in _PAIR_FIELDS))

    @staticmethod
    def concatenate(parts: list[PairSplits]) -> PairSplits:
        """The pairs of ``parts`` one after another (none: an empty list)."""
        if not parts:
            z = np.zeros(0, dtype=np.intp)
            return PairSplits(z, z, np.zeros(0), np.zeros(0), z, np.zeros(0), np.zeros((0, 2)), z)
        return PairSplits(*(np.concatenate([getattr(p, n) for p in parts]) for n in _PAIR_FIELDS))


_PAIR_FIELDS = ("row", "feature", "gain", "score", "cut", "threshold", "child_w", "missing_slot")


def new_feature_splits(r: int, n_features: int) -> FeatureSplits:
    """No split yet for any of ``n_features`` features at ``r`` nodes (none missing)."""
    P = n_features
    return FeatureSplits(
        np.full((r, P), -np.inf), np.full((r, P), -np.inf), np.zeros((r, P), dtype=bool),
        np.zeros((r, P), dtype=np.intp), np.full((r, P), np.nan),
        np.zeros((r, P), dtype=np.int64), np.zeros((r, P, 2)), np.full((r, P), -1, dtype=np.intp),
    )  # fmt: skip


def feature_splits(
    hist: np.ndarray,
    n_hist: np.ndarray | None,
    rows: np.ndarray,
    node_weight: np.ndarray,
    bins: Bins,
    n_categories: np.ndarray,
    criterion: SplitCriterion,
    rules: GrowthRules,
    sample_unit: float | None = None,
    node_counts: np.ndarray | None = None,
) -> FeatureSplits:
    """Best split of every feature at the histogram rows ``rows`` (splittable nodes).

    ``node_weight`` is per row of ``rows``, and so is ``node_counts`` (the level's
    class counts of the nodes, missing values included, which ``"learned"``
    categorical splits read; ``None``: summed from the histogram). Sizes (what the
    rules' leaf-size tests read) count entries, or with ``sample_unit`` the weight in
    units of the lightest row, as the exact builder counts them under
    ``missing_values="fractional"`` (:func:`treelearn._missing.sample_counts`: a
    fractional copy counts its share).

    Numeric features: every cut after a non-empty bin with known entries beyond it
    is a candidate; the rules admit cuts, the criterion ranks them (``split_rank``),
    the first within the rules' tolerance wins, and its gain and score are the
    criterion's ``split_score`` (scaled by the known fraction) and ``feature_score``,
    as in :func:`~treelearn._split_numeric.best_thresholds`. Categorical features:
    the rules' ``categorical_splits`` on the ``[node, category, class]`` tensor.
    Under ``missing_values="learned"`` the missing code's counts go to the side (or
    branch) the exact search sends them to, and ``missing_slot`` says which.
    """
    every_row = rows.size == hist.shape[0]  # (rows are increasing: all of them)
    r, P, B, K = rows.size, *hist.shape[1:]
    integer = hist.dtype != np.float64  # unit weights' int64 counts (converted when read)
    out = new_feature_splits(r, P)
    numeric = bool((~bins.is_categorical).any()) and r > 0
    learned = rules.missing_values == "learned"
    sizes = None
    if n_hist is None and sample_unit is None:
        # every entry weighs 1: entries are the class counts' sums (integers, exact
        # in any order, so the rows may be searched in blocks whose temporaries the
        # allocator recycles: a fresh mapping per level costs page faults)
        step = max(1, _ROW_BLOCK_CELLS // (P * B * K))
        for a in range(0, r, step):
            block = hist[a : a + step] if every_row else hist[rows[a : a + step]]
            N = integer_sums(block)
            out.n_missing[a : a + step] = N[:, :, B - 1]
            if numeric:
                _numeric_splits(block, None, N, None, node_weight[a : a + step], bins,
                                criterion, rules, out, True, a)  # fmt: skip
    else:
        hist = hist.astype(np.float64) if integer else hist
        N = integer_sums(hist) if n_hist is None else n_hist
        N = N if every_row else N[rows]
        # the sizes the rules test: entries, or samples in weight (copies count
        # their share)
        if sample_unit is not None:
            sizes = sample_counts(hist[rows].sum(axis=-1), sample_unit)
        out.n_missing[:] = N[:, :, B - 1]
        if numeric:
            _numeric_splits(hist, None if every_row else rows, N, sizes, node_weight, bins,
                            criterion, rules, out, False)  # fmt: skip
    for f in np.flatnonzero(bins.is_categorical).tolist():
        C = int(n_categories[f])
        if C < 2 or not r:
            continue
        counts = hist[rows, f, :C].astype(np.float64, copy=False)
        if sizes is not None:
            n = sizes[:, f, :C]
        elif n_hist is None:
            n = integer_sums(counts).astype(np.int64)
        else:
            n = n_hist[rows, f, :C].astype(np.int64)
        stats = CategoryCounts(counts, n, counts.sum(axis=1), node_weight)
        grouped = rules.categorical_splits(stats, criterion)
        if learned and node_counts is None:
            node_counts = hist[rows, f].sum(axis=1).astype(np.float64, copy=False)
        score, slot = categorical_scores(grouped, stats, node_counts, criterion, learned)
        ok = grouped.ok & ~np.isnan(grouped.gain)
        out.gain[ok, f] = grouped.gain[ok]
        out.score[ok, f] = score[ok]
        out.valid[ok, f] = True
        out.missing_slot[ok, f] = slot[ok]
        tables = grouped.tables[:, :C].astype(np.int32)
        at = tables >= 0
        i = np.nonzero(at)[0]
        slot_w = np.bincount(
            i * C + tables[at], weights=counts.sum(axis=2)[at], minlength=r * C
        ).reshape(r, C)
        out.tables[f] = (tables, slot_w)
    return out


def _numeric_splits(
    hist, rows, N, sizes, node_weight, bins, criterion, rules, out, unit, first=0
) -> None:
    """The numeric part of :func:`feature_splits` (``N`` [r, P, B]: entries per bin at
    the histogram rows ``rows``, ``None``: every row; ``sizes``: the samples in weight
    the rules count there, ``None`` when they count entries; ``unit``: every entry
    weighs 1, so class counts are integers), into rows ``first ...`` of ``out``.

    Only the non-empty known bins of numeric features are searched
    (:func:`search_cells`): they are laid end to end in (node, feature, bin) order, so
    that small nodes cost their entries, not ``max_bins``; under ``"learned"`` each
    (node, feature) pair's missing code goes with them (:func:`cells_of`).
    """
    _, P, B = N.shape
    K = hist.shape[-1]
    learned = rules.missing_values == "learned"
    flat_n = N.reshape(-1)
    p = np.flatnonzero(flat_n)
    pair, b = np.divmod(p, B)  # (node, feature) pair and bin of each cell
    drop_missing = not learned and bool(N[:, :, B - 1].any())  # not searched here
    if bins.is_categorical.any() or drop_missing:
        keep = b < B - 1 if drop_missing else np.ones(p.size, dtype=bool)
        if bins.is_categorical.any():
            keep &= ~bins.is_categorical[pair % P]
        p, pair, b = p[keep], pair[keep], b[keep]
    if p.size < (1 if learned else 2):
        return
    ri = pair // P
    at = p if rows is None else p + (rows[ri] - ri) * (P * B)  # in hist
    n_cell = flat_n[p].astype(np.int64) if sizes is None else sizes.reshape(-1)[p]
    counts = np.take(hist.reshape(-1, K), at, axis=0).astype(np.float64, copy=False)
    cells = cells_of(pair, b, counts, n_cell, P, B - 1, learned)
    found = search_cells(cells, node_weight, bins, criterion, rules, sizes is None and unit,
                         sizes is not None)  # fmt: skip
    if found is not None:
        found.row += first
        found.write(out)


#: Cells × classes of one block of rows of the unit-weight search in
#: :func:`feature_splits` (8 MiB of ``float64``).
_ROW_BLOCK_CELLS = 2**20


@dataclass
class HistCells:
    """The non-empty cells of numeric features' histograms, as a segmented list.

    A *segment* is a (histogram row, feature) pair with at least one non-empty cell;
    its cells follow one another in increasing code, segments in increasing
    (row, feature) order. Empty cells are absent, so that a pair costs its cells,
    not ``max_bins``, and a pair without any cell costs nothing.
    """

    row: np.ndarray  # [S] histogram row (index into the searched rows) of each segment
    feature: np.ndarray  # [S] feature of each segment
    seg: np.ndarray  # [c] segment of each cell, non-decreasing
    code: np.ndarray  # [c] bin code of each cell, increasing within a segment
    counts: np.ndarray  # [c, K] class counts (float64)
    sizes: np.ndarray  # [c] what the rules' leaf-size tests count: entries or samples
    # "learned": each segment's missing code, apart from its cells (None: not searched)
    missing: np.ndarray | None = None  # [S, K] class counts
    missing_sizes: np.ndarray | None = None  # [S] entries
    # runs: each cell a run of cells of one class, ``code`` its last code and this its
    # first (treelearn._hist_cells.entry_cells); every cut between cells a boundary point
    first: np.ndarray | None = None  # [c]


def cells_of(
    pair: np.ndarray,
    code: np.ndarray,
    counts: np.ndarray,
    sizes: np.ndarray,
    n_features: int,
    missing_code: int,
    learned: bool,
) -> HistCells:
    """The :class:`HistCells` of non-empty cells listed in increasing (pair, code)
    order (``pair``: ``row * n_features + feature``).

    Cells of ``missing_code`` are not cut between: they are dropped, or under
    ``"learned"`` (``learned``) kept as their segment's ``missing`` counts (a pair
    whose only cell is missing has no segment: with no known value it has no cut).
    """
    miss = code == missing_code
    missing = missing_sizes = None
    if miss.any():
        m_pair, m_counts, m_sizes = pair[miss], counts[miss], sizes[miss]
        known = ~miss
        pair, code, counts, sizes = pair[known], code[known], counts[known], sizes[known]
    new = np.r_[True, pair[1:] != pair[:-1]][: pair.size]
    spair = pair[new]
    row, feature = np.divmod(spair, n_features)
    if learned and miss.any():
        at = np.searchsorted(spair, m_pair)  # the segment of each missing cell
        hit = at < spair.size
        hit[hit] = spair[at[hit]] == m_pair[hit]
        missing = np.zeros((spair.size, counts.shape[1]))
        missing[at[hit]] = m_counts[hit]
        missing_sizes = np.zeros(spair.size, dtype=sizes.dtype)
        missing_sizes[at[hit]] = m_sizes[hit]
    # (int32: a 2x faster cumsum of the mask than into int64)
    seg: np.ndarray = np.cumsum(new, dtype=np.intp if new.size >= 2**31 else np.int32)
    seg -= 1
    return HistCells(row, feature, seg, code, counts, sizes, missing, missing_sizes)


def search_cells(
    cells: HistCells,
    node_weight: np.ndarray,
    bins: Bins,
    criterion: SplitCriterion,
    rules: GrowthRules,
    integer: bool,
    fractional: bool,
) -> PairSplits | None:
    """Every segment's best cut, as a list of (row, feature) pairs (``None``: none).

    The numeric search of :func:`feature_splits` (the same growth rules, boundary
    points, rank, tie rule, gain and threshold placement), on the segmented list
    ``cells``: a cut after a cell with another cell of its segment beyond it is a
    candidate; one class-count prefix sum serves every segment, as in
    :func:`~treelearn._split_numeric.best_thresholds`. ``integer``: the class counts
    are integers (the rank may use exact square sums); ``fractional``: ``sizes`` are
    samples in weight. ``node_weight`` is per histogram row.

    With ``cells.missing`` (``"learned"``) a segment's missing cases go to one side,
    in the candidates' order of :func:`~treelearn._split_numeric.best_thresholds`:
    every cut with them on the right, the cut after the last known cell (threshold
    ``inf``), then every cut with them on the left; the first best wins, and the
    split is scored on every case of the node.
    """
    seg, b = cells.seg, cells.code
    S = cells.row.size
    c = seg.size
    missing = cells.missing
    # (no missing case in any segment: the plain search, bit for bit)
    learned = cells.missing_sizes is not None and bool(cells.missing_sizes.any())
    if c < (1 if learned else 2):
        return None
    counts = cells.counts
    same = seg[1:] == seg[:-1]  # a cut after cell i: the next cell is of the same pair
    starts = np.flatnonzero(np.r_[True, ~same])  # every segment has a cell
    before = np.maximum(starts - 1, 0)
    last = np.r_[starts[1:], c] - 1  # last cell of each segment
    boundary = None
    # boundary points only (Fayyad & Irani), as the exact search (runs: every cut is one)
    if criterion.concave and cells.first is None:
        boundary = _boundaries(counts)  # [c - 1], per cell position
    go_left = None
    if (
        counts.shape[1] == 2 and integer and criterion.ranks_by_square_sums and not learned
        and not fractional and rules.admits_every_cut
    ):  # fmt: skip
        # two classes, every cut admitted, integer counts: column by column, no [c, 2]
        # temporaries (the same sums, exact in any order, so the same rank bit for bit)
        ci = np.flatnonzero(same if boundary is None else same & boundary)
        if ci.size == 0:
            return None
        cs = seg[ci]
        rank, known, left_of = _two_class_rank(counts, starts, before, last, ci, cs, criterion)
        total, n_cand = known, None
    else:
        cum = np.cumsum(counts, axis=0)
        base = np.where((starts > 0)[:, None], cum[before], 0.0)  # [S, K]
        known = cum[last] - base
        if learned:
            assert missing is not None and cells.missing_sizes is not None
            ci, go_left, n_cand = _learned_candidates(
                cells, same, cum, base, known, starts, last, boundary, rules
            )
            total = known + missing
        else:
            sides = _HistSides(seg, same, cum, base, known, cells.sizes, starts, last, fractional)
            allowed, n_cand = rules.admissible_cuts(cast("CutSides", sides))  # (duck-typed)
            if allowed is None:  # every cut is admitted: the candidates straight from the masks
                ci = np.flatnonzero(same if boundary is None else same & boundary)
            else:
                keep = np.asarray(allowed, dtype=bool)
                if boundary is not None:  # the ends of the admitted range may be optimal too
                    keep &= boundary[sides.ci] | range_ends(keep, sides.cs)
                ci = sides.ci[keep]
            total = known
        if ci.size == 0:
            return None
        cs = seg[ci]  # the candidates' segments
        # class counts left and right of the candidates (np.take: a faster row gather)
        lw = np.take(cum, ci, axis=0) - np.take(base, cs, axis=0)
        if go_left is not None and missing is not None:
            lw[go_left] += np.take(missing, cs[go_left], axis=0)
        rw = np.take(total, cs, axis=0) - lw
        if integer and criterion.ranks_by_square_sums:
            # integer counts: the sums are exact (in any order), the rank is split_rank's,
            # bit for bit
            rank = criterion.square_sum_rank(
                integer_sums(lw), integer_sums(lw, squares=True), integer_sums(rw),
                integer_sums(rw, squares=True),
            )  # fmt: skip
        else:
            rank = criterion.split_rank(lw, rw)
        left_of = lw.__getitem__
    tol = rules.tie_tolerance * node_weight[cells.row]
    has, _, first = segment_best(rank, cs, S, tolerance=tol)
    sg = np.flatnonzero(has)
    pick = first[sg]
    i = ci[pick]
    ri, f = cells.row[sg], cells.feature[sg]
    lc = left_of(pick)
    parent = total[sg]
    children = np.stack([lc, parent - lc], axis=1)  # [s, 2, K]
    fraction = known_fraction(parent.sum(axis=-1), node_weight[ri])
    gain = criterion.split_score(parent, children) * fraction
    gain, ok = rules.adjust_numeric_gains(
        gain, None if n_cand is None else n_cand[sg], node_weight[ri]
    )
    ri, f, i, gain, children, parent = ri[ok], f[ok], i[ok], gain[ok], children[ok], parent[ok]
    sg, pick = sg[ok], pick[ok]
    score = criterion.feature_score(
        gain, children.sum(axis=2), np.maximum(node_weight[ri] - parent.sum(axis=1), 0.0)
    )
    slot = np.full(sg.size, -1, dtype=np.intp)
    after_known = np.zeros(sg.size, dtype=bool)  # the cut before the missing code (inf)
    if go_left is not None and cells.missing_sizes is not None:
        # the side each winner's missing cases take (-1: the segment has none)
        slot = np.where(go_left[pick], 0, np.where(cells.missing_sizes[sg] > 0, 1, -1))
        after_known = i == last[sg]
    b_next = b if cells.first is None else cells.first  # (runs: the next run's first code)
    hi = np.where(after_known, b[i], b_next[np.minimum(i + 1, c - 1)])
    threshold = bins.threshold(f, b[i], hi, rules.place_thresholds, rules.thresholds_per_feature)
    threshold[after_known] = np.inf
    return PairSplits(ri, f, gain, score, b[i], threshold, children.sum(axis=2), slot)


def _two_class_rank(counts, starts, before, last, ci, cs, criterion) -> tuple:
    """:func:`search_cells`' rank of the candidates ``ci`` (segments ``cs``) of
    two-class integer ``counts``, column by column: ``(rank, known [S, 2], left_of)``,
    ``left_of(i)`` the left class counts ``[len(i), 2]`` of candidates ``i``."""
    cum0, cum1 = np.cumsum(counts[:, 0]), np.cumsum(counts[:, 1])
    opened = starts > 0
    b0 = np.where(opened, np.take(cum0, before), 0.0)
    b1 = np.where(opened, np.take(cum1, before), 0.0)
    t0 = np.take(cum0, last) - b0
    t1 = np.take(cum1, last) - b1
    l0 = np.take(cum0, ci)
    l0 -= np.take(b0, cs)
    l1 = np.take(cum1, ci)
    l1 -= np.take(b1, cs)
    del cum0, cum1
    r0 = np.take(t0, cs)
    r0 -= l0
    r1 = np.take(t1, cs)
    r1 -= l1
    n_left, n_right = l0 + l1, r0 + r1
    sq_left, sq_right = l0 * l0, r0 * r0
    sq_left += l1 * l1
    r1 *= r1
    sq_right += r1
    del r0, r1
    rank = criterion.square_sum_rank(n_left, sq_left, n_right, sq_right)

    def left_of(i: np.ndarray) -> np.ndarray:
        return np.stack([l0[i], l1[i]], axis=1)

    return rank, np.stack([t0, t1], axis=1), left_of


def _learned_candidates(cells, same, cum, base, known, starts, last, boundary, rules):
    """The candidate cuts of :func:`search_cells` under ``"learned"``: their cell
    positions, whether their segment's missing cases go left, grouped by segment in
    the exact search's order, and the rules' candidates per segment (from the
    missing-right cuts, as :func:`~treelearn._split_numeric.best_thresholds`)."""
    assert cells.missing is not None and cells.missing_sizes is not None
    seg, c = cells.seg, cells.seg.size
    has_missing = cells.missing_sizes > 0
    miss = (cells.missing_sizes, cells.missing.sum(axis=1))
    same_c = np.r_[same, False]  # [c]: a cut after cell i inside its segment
    after_known = np.zeros(c, dtype=bool)  # "every known value left, the missing right"
    after_known[last[has_missing]] = True
    right = _HistSides(seg, same_c | after_known, cum, base, known, cells.sizes, starts, last,
                       False, miss)  # fmt: skip
    left = _HistSides(seg, same_c & has_missing[seg], cum, base, known, cells.sizes, starts,
                      last, False, miss, missing_left=True)  # fmt: skip
    allowed, n_cand = rules.admissible_cuts(cast("CutSides", right))
    allowed_left, _ = rules.admissible_cuts(cast("CutSides", left))
    inf_r = after_known[right.ci]
    keep_r = ~inf_r if allowed is None else np.asarray(allowed, dtype=bool) & ~inf_r
    keep_l = np.ones(left.ci.size, dtype=bool) if allowed_left is None else allowed_left
    keep_l = np.asarray(keep_l, dtype=bool)
    if boundary is not None:  # boundary points, and the ends of the admitted ranges
        at_boundary = _boundaries_with_missing(boundary, cells, starts, last, has_missing)
        keep_l = keep_l & (at_boundary[left.ci] | range_ends(keep_l, left.cs))
        if allowed is None:
            keep_r &= at_boundary[right.ci]
        else:
            keep_r &= at_boundary[right.ci] | range_ends(keep_r, right.cs)
    keep_r |= inf_r if allowed is None else inf_r & np.asarray(allowed, dtype=bool)
    both = np.concatenate([right.ci[keep_r], left.ci[keep_l]])
    go_left = np.r_[np.zeros(int(keep_r.sum()), dtype=bool), np.ones(int(keep_l.sum()), dtype=bool)]
    order = np.argsort(seg[both], kind="stable")  # per segment: right, inf, then left
    return both[order], go_left[order], n_cand


def _boundaries_with_missing(boundary, cells, starts, last, has_missing) -> np.ndarray:
    """The boundary points of ``"learned"`` segments, per cell position (``[c]``), as
    the exact search finds them.

    The exact search (:func:`treelearn._split_numeric.class_boundaries`) sorts a
    node's missing cases after its known values and reads them as part of its last
    value block: when they are not all of that block's one class, the cut before
    the block counts as a boundary point too (as for a block of several classes),
    whatever the order of the rows. A segment's last known cell and its missing
    code stand for those rows here.
    """
    assert cells.missing is not None
    at_boundary = np.r_[boundary, False]
    s = np.flatnonzero(has_missing & (last > starts))  # a cut before the last cell
    if s.size:
        lk = last[s]
        pure = _pure_class(cells.counts[lk]).astype(np.intp)
        miss = cells.missing[s]
        own = np.take_along_axis(miss, np.maximum(pure, 0)[:, None], axis=1)[:, 0]
        other = miss.sum(axis=1) - own > 0  # a missing case of another class
        at_boundary[lk[(pure >= 0) & other] - 1] = True
    return at_boundary


#: Classes up to which :func:`_pure_class` and :func:`integer_sums` work column by
#: column (numpy's reductions over a short last axis cost more per row than a few
#: whole-column passes, and ``matmul`` may start BLAS threads).
_COLUMN_CLASSES = 8


def integer_sums(a: np.ndarray, squares: bool = False) -> np.ndarray:
    """Sums (or sums of squares) over the last axis of an array of integer values.

    Integers are summed exactly in any order (below 2**53), so the order is the
    fastest one: column by column for a few classes.
    """
    K = a.shape[-1]
    if K > _COLUMN_CLASSES:
        return np.einsum("...k,...k->...", a, a) if squares else a.sum(axis=-1)
    out = a[..., 0] * a[..., 0] if squares else a[..., 0].copy()
    for k in range(1, K):
        col = a[..., k]
        out += col * col if squares else col
    return out


def _boundaries(counts: np.ndarray) -> np.ndarray:
    """Whether a cut after each row but the last of ``counts`` ``[c, K]`` is a boundary
    point: not between two rows whose one positive class is the same."""
    if counts.shape[1] == 2:  # (two classes: four masks, no class numbers)
        has0, has1 = counts[:, 0] > 0, counts[:, 1] > 0
        only0, only1 = has0 & ~has1, has1 & ~has0
        return ~((only0[:-1] & only0[1:]) | (only1[:-1] & only1[1:]))
    pure = _pure_class(counts)
    a, z = pure[:-1], pure[1:]
    return (a < 0) | (z < 0) | (a != z)


def _pure_class(counts: np.ndarray) -> np.ndarray:
    """The one class with a positive count in each row of ``counts`` ``[c, K]``, or
    ``-1`` where none or several are positive."""
    K = counts.shape[1]
    if K > _COLUMN_CLASSES:
        positive = counts > 0
        return np.where(np.count_nonzero(positive, axis=1) == 1, np.argmax(positive, axis=1), -1)
    n_pos = np.zeros(counts.shape[0], dtype=np.int8)
    which = np.zeros(counts.shape[0], dtype=np.int8)
    for k in range(K):
        pos = counts[:, k] > 0
        n_pos += pos
        if k:
            which += pos * np.int8(k)
    return np.where(n_pos == 1, which, np.int8(-1))
