"""Quinlan's C4.5 release 8 growth rules, exactly as Weka's J48 3.6 applies them.

The facts are those of ``shared/reference/j48-c45-facts.md``; each hook of
:class:`~treelearn._growth_rules.GrowthRules` answers as J48 does:

* a node splits if its weight is at least ``2M`` and no class holds all of it
  but 1e-6;
* a numeric cut needs ``minSplit = 0.1 · known weight / n_classes`` (clamped to
  ``[M, 25]``) on both sides; the admissible cuts are counted for the MDL penalty;
* a numeric gain must exceed 1e-6, then pays ``log2(#candidates) / W`` and must
  still be at least 1e-6;
* the threshold moves to the largest training value not above it (J48's running
  maximum with a 1e-6 tolerance);
* categorical features branch on every declared value (at least two branches of
  ``M``), or with ``-B`` one value against the rest;
* the feature is chosen by gain ratio among those with at least average gain, where
  nominal features with very many values do not count in the average.

Every comparison uses Weka's 1e-6 (:data:`treelearn._tolerances.J48_SMALL`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar

import numpy as np

from treelearn import _split_categorical as cat
from treelearn._growth_rules import GrowthRules
from treelearn._sparse_values import SparseColumns, is_sparse_columns
from treelearn._tolerances import J48_SMALL
from treelearn.criteria import SplitCriterion

if TYPE_CHECKING:
    from treelearn._split_numeric import CutSides

__all__ = ["C45Rules"]


def _distinct(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(values, return_index=True)`` for values without NaN: the distinct
    values in increasing order and the first index of each (the value returned is the
    one at that index, as the stable sort of ``np.unique`` gives).

    One unstable argsort and a minimum per run of equal values: several times faster
    than the stable sort ``np.unique`` uses for ``return_index``.
    """
    if values.size == 0:
        return values.copy(), np.zeros(0, dtype=np.intp)
    order = np.argsort(values)
    ordered = values.take(order)
    opens = np.empty(ordered.size, dtype=bool)  # a run of equal values starts here
    opens[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=opens[1:])
    first = np.minimum.reduceat(order, np.flatnonzero(opens))
    return values.take(first), first


def _sparse_distinct(X: SparseColumns, j: int) -> tuple[np.ndarray, np.ndarray]:
    """Distinct values of sparse column ``j`` (0 among them when a row has no
    stored value) and the first row of each, as ``np.unique`` finds them densely."""
    rows, data = X.column(j)
    values, first = _distinct(data)
    first_row = rows[first].astype(np.int64)
    if rows.size < X.shape[0]:  # an implicit zero: the first row not stored
        gaps = np.flatnonzero(rows != np.arange(rows.size))
        zero_row = int(gaps[0]) if gaps.size else int(rows.size)
        at = int(np.searchsorted(values, 0.0))
        values = np.insert(values, at, 0.0)
        first_row = np.insert(first_row, at, zero_row)
    return values, first_row


@dataclass
class C45Rules(GrowthRules):
    """C4.5's rules (see the module docstring).

    Parameters
    ----------
    min_cases : float
        ``M``: a node needs ``2M`` weight to be split; a multiway split needs two
        branches with ``M``; numeric sides need ``minSplit`` (at least ``M``).
    n_classes : int
        Declared classes (``minSplit`` divides by them).
    sorted_values : list of ndarray or None
        Per numeric feature, its distinct known training values in increasing
        order: a chosen threshold moves to the largest of them not above it.
    first_rows : list of ndarray or None
        Per numeric feature, the first row where each of those values occurs
        (J48 scans rows in file order with a 1e-6 tolerance, so among values
        within 1e-6 of each other the first one met wins).
    many_values : ndarray of bool
        Per feature: nominal with at least ``0.3 · n_rows`` values. Such features
        can win a node but do not count in its average gain (unless every feature
        is such).
    """

    min_cases: float = 2.0
    n_classes: int = 2
    sorted_values: list[np.ndarray | None] = field(default_factory=list)
    first_rows: list[np.ndarray | None] = field(default_factory=list)
    many_values: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    numeric_gap: float = 1e-5
    thresholds_per_feature: ClassVar[bool] = True
    tie_tolerance: float = J48_SMALL  # J48: the lowest threshold among gains within 1e-6
    _chains: list[np.ndarray | None] = field(default_factory=list, repr=False)
    _chain_start: list[np.ndarray | None] = field(default_factory=list, repr=False)
    # (feature, value) keys of every feature's sorted values, where each feature's
    # start, and which features have a chain (set from sorted_values)
    _keys: np.ndarray = field(init=False, repr=False, compare=False)
    _value_start: np.ndarray = field(init=False, repr=False, compare=False)
    _has_chain: np.ndarray = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._chains, self._chain_start = [], []
        for values in self.sorted_values:
            if values is None:
                self._chains.append(None)
                self._chain_start.append(None)
                continue
            breaks = np.r_[True, np.diff(values) > J48_SMALL]
            self._chains.append(np.cumsum(breaks) - 1)  # per value: id of its 1e-6 chain
            self._chain_start.append(np.flatnonzero(breaks))  # per chain: its lowest value
        # every feature's sorted values end to end, as (feature, value) keys that sort
        # feature-major: complex numbers order by real part, then imaginary part
        n = [0 if v is None else v.size for v in self.sorted_values]
        self._value_start = np.r_[0, np.cumsum(n)].astype(np.intp)
        self._keys = np.empty(int(self._value_start[-1]), dtype=np.complex128)
        self._keys.real = np.repeat(np.arange(len(n), dtype=np.float64), n)
        self._keys.imag = np.concatenate(
            [np.zeros(0), *(v for v in self.sorted_values if v is not None)]
        )
        self._has_chain = np.array(
            [
                c is not None and v is not None and c.size != v.size
                for c, v in zip(self._chain_start, self.sorted_values, strict=True)
            ],
            dtype=bool,
        )

    @classmethod
    def from_data(
        cls,
        X: np.ndarray | SparseColumns,
        is_categorical: np.ndarray,
        n_categories: np.ndarray,
        min_cases: float,
        n_classes: int,
        **common: object,
    ) -> C45Rules:
        """The rules for the encoded training matrix ``X`` (``common``: the
        :class:`~treelearn._growth_rules.GrowthRules` parameters)."""
        n_all = X.shape[0]
        sorted_values: list[np.ndarray | None] = []
        first_rows: list[np.ndarray | None] = []
        for j in range(X.shape[1]):
            if is_categorical[j]:
                sorted_values.append(None)
                first_rows.append(None)
                continue
            if is_sparse_columns(X):
                values, first_row = _sparse_distinct(X, j)
            else:
                rows = np.flatnonzero(~np.isnan(X[:, j]))
                values, first = _distinct(X[rows, j])
                first_row = rows[first].astype(np.int64)
            sorted_values.append(values)
            first_rows.append(first_row)
        many = is_categorical & (n_categories - 0.3 * n_all >= -J48_SMALL)
        return cls(
            min_cases=float(min_cases),
            n_classes=int(n_classes),
            sorted_values=sorted_values,
            first_rows=first_rows,
            many_values=many,
            **common,  # type: ignore[arg-type]
        )

    # -- which nodes may split ---------------------------------------------------------
    def splittable(self, counts: np.ndarray, n_entries: np.ndarray) -> np.ndarray:
        """A leaf below ``2M`` weight or when one class has (almost) all of it."""
        weight = counts.sum(axis=1)
        return (2 * self.min_cases - weight <= J48_SMALL) & (
            weight - counts.max(axis=1) >= J48_SMALL
        )

    # -- numeric splits ----------------------------------------------------------------
    def admissible_cuts(self, sides: CutSides) -> tuple[np.ndarray | None, np.ndarray | None]:
        """``minSplit`` weight on both sides, ``minSplit = 0.1 · known weight /
        n_classes`` clamped to ``[M, 25]`` (J48's exact clamping); the admissible
        cuts per node are counted for the MDL penalty."""
        M = self.min_cases
        min_split = 0.1 * sides.known_w / self.n_classes
        min_split = np.where(
            min_split - M < J48_SMALL,
            M,
            np.where(min_split - 25.0 > J48_SMALL, 25.0, min_split),
        )
        if sides.unit_weights:  # whole entries: the admitted cuts are a range per node
            return self._admissible_entries(sides, min_split)
        seg = sides.seg
        ms = min_split[seg]
        allowed = (ms - sides.left_w < J48_SMALL) & (ms - sides.right_w < J48_SMALL)
        # too few known cases for two sides of minSplit: no candidate at all
        allowed &= ~(2 * ms - sides.n_known[seg] > J48_SMALL)
        n_cand = np.bincount(seg[sides.cut & allowed], minlength=sides.n_segments)
        return allowed, n_cand

    def _admissible_entries(
        self, sides: CutSides, min_split: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`admissible_cuts` where a side's weight is its number of entries ``e``.

        The tests ``minSplit - e < 1e-6`` (left) and ``minSplit - (W - e) < 1e-6``
        (right) are monotone in ``e``, so each node admits one range of ``e``. Its
        ends are found near ``ceil(minSplit - 1e-6)`` and ``floor(W - minSplit +
        1e-6)`` by the very float tests (one below, at, one above: rounding moves them
        by far less than one entry), then marked per node, not per position.
        """
        known_w = sides.known_w

        def left_ok(e: np.ndarray) -> np.ndarray:
            return min_split - e < J48_SMALL

        def right_ok(e: np.ndarray) -> np.ndarray:
            return min_split - (known_w - e) < J48_SMALL

        c = np.ceil(min_split - J48_SMALL)
        lo = np.where(left_ok(c - 1), c - 1, np.where(left_ok(c), c, c + 1))
        d = np.floor(known_w - min_split + J48_SMALL)
        hi = np.where(right_ok(d + 1), d + 1, np.where(right_ok(d), d, d - 1))
        # too few known cases for two sides of minSplit: no candidate at all
        hi = np.where(2 * min_split - sides.n_known > J48_SMALL, lo - 1, hi)
        allowed = sides.left_entries_within(lo.astype(np.intp), hi.astype(np.intp))
        at = np.flatnonzero(sides.cut & allowed)
        ends = np.cumsum(sides.seg_len)  # where each node's positions end
        n_cand = np.diff(np.searchsorted(at, ends, side="left"), prepend=0)
        return allowed, n_cand

    def adjust_numeric_gains(
        self, gain: np.ndarray, n_candidates: np.ndarray | None, node_weight: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """C4.5 release 8: a split needs gain > 1e-6, then pays
        ``log2(#candidates) / W`` (the MDL correction) and must keep gain >= 1e-6."""
        assert n_candidates is not None
        ok = gain > J48_SMALL
        gain = gain - np.log2(np.maximum(n_candidates, 1)) / node_weight
        ok &= gain >= J48_SMALL
        return gain, ok

    def place_thresholds(self, feature: int, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
        """J48's threshold: the largest training value ``v ⪯ t`` of ``feature``, where
        ``t`` is the midpoint.

        J48 keeps a running maximum over the rows in file order that moves only by
        more than 1e-6, so among values within a 1e-6 chain of each other the
        result depends on which comes first. The chain below the maximum (values
        spaced at most 1e-6 apart; usually one value) is replayed in first-row
        order, one step per chain position, vectorised over thresholds.
        """
        thresholds = super().place_thresholds(feature, lo, hi)
        values, first = self.sorted_values[feature], self.first_rows[feature]
        chain, chain_start = self._chains[feature], self._chain_start[feature]
        assert values is not None and first is not None
        assert chain is not None and chain_start is not None
        top = np.searchsorted(values, thresholds + J48_SMALL, side="left") - 1
        found = top >= 0
        top = np.maximum(top, 0)
        if chain_start.size == values.size:  # no two values within 1e-6: no chain to replay
            return np.where(found, values[top], thresholds)
        low = np.maximum(chain_start[chain[top]], top - 255)
        out = np.where(found, values[top], thresholds)
        # a maximum that opens its chain is the running maximum itself: replay the others
        replay = np.flatnonzero(found & (low < top))
        if not replay.size:
            return out
        out[replay] = self._replay_chains(values, first, top[replay], low[replay])
        return out

    @staticmethod
    def _replay_chains(
        values: np.ndarray, first: np.ndarray, top: np.ndarray, low: np.ndarray
    ) -> np.ndarray:
        """J48's running maximum over the values ``low .. top`` of each chain, taken in
        first-row order, moving only by more than 1e-6."""
        width = int((top - low).max()) + 1 if top.size else 1
        idx = low[:, None] + np.arange(width)[None, :]
        inside = idx <= top[:, None]
        idx = np.minimum(idx, values.size - 1)
        order = np.argsort(np.where(inside, first[idx], np.iinfo(np.int64).max), axis=1)
        steps = np.take_along_axis(idx, order, axis=1)
        ok = np.take_along_axis(inside, order, axis=1)
        current = np.full(top.shape, -np.inf)
        for j in range(width):
            v = values[steps[:, j]]
            current = np.where(ok[:, j] & (v - current > J48_SMALL), v, current)
        return current

    def place_thresholds_of(
        self, features: np.ndarray, lo: np.ndarray, hi: np.ndarray
    ) -> np.ndarray:
        """:meth:`place_thresholds` of cuts of several features in one search of
        every feature's values laid end to end; the cuts of a feature with values
        within 1e-6 of each other (a chain to replay) one feature at a time."""
        chained = self._has_chain[features]
        if chained.all():
            return super().place_thresholds_of(features, lo, hi)
        thresholds = GrowthRules.place_thresholds(self, -1, lo, hi)
        key = np.empty(features.size, dtype=np.complex128)
        key.real = features
        key.imag = thresholds + J48_SMALL
        top = np.searchsorted(self._keys, key, side="left") - 1
        found = top >= self._value_start[features]  # a value of the cut's own feature
        out = np.where(found, self._keys.imag[np.maximum(top, 0)], thresholds)
        if chained.any():
            out[chained] = super().place_thresholds_of(features[chained], lo[chained], hi[chained])
        return out

    # -- categorical splits ------------------------------------------------------------
    def categorical_splits(
        self, stats: cat.CategoryCounts, criterion: SplitCriterion
    ) -> cat.CategoricalSplits:
        if self.categorical_split == "binary":
            return cat.best_value_against_rest(stats, criterion, self.min_cases)
        return cat.declared_categories(stats, criterion, self.min_cases)

    # -- which feature wins ------------------------------------------------------------
    def select_feature(
        self,
        criterion: SplitCriterion,
        gains: np.ndarray,
        scores: np.ndarray,
        valid: np.ndarray,
    ) -> np.ndarray:
        """The criterion's choice, with the many-valued nominal features left out of
        the average gain (unless every feature is such)."""
        many = self.many_values
        in_average = valid if many.all() else valid & ~many[None, :]
        return criterion.select_feature(gains, scores, valid, in_average=in_average)
