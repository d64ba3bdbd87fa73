"""Bins of the histogram splitter: quantile edges computed once, one byte per value.

``splitter="hist"`` grows its tree on bin codes instead of values. Every feature gets
at most ``max_bins`` bins plus one for missing values (the last code, shared by all
features): a numeric feature's bins are ranges of its distinct training values cut at
(count) quantiles, a categorical feature's bins are its categories. A numeric feature
with at most ``max_bins`` distinct values keeps one bin per value, so the histogram
search sees every cut the exact search sees and grows the same tree.

Values within the growth rules' ``numeric_gap`` of their neighbour share a bin (the
exact search never cuts between them either). Each numeric bin remembers the
smallest and largest training value it holds: a cut between two bins is stored as
the threshold the growth rules place between those values
(:meth:`~treelearn._growth_rules.GrowthRules.place_thresholds`), a real value, so
the tree predicts on raw ``X``.

For data that does not fit in memory the edges come from a sample of
``sample_size(max_bins)`` rows (``max(max_bins², 10000)``, as Spark MLlib samples),
and the bins' smallest and largest values from one pass over all rows
(:func:`value_range`, :func:`merge_ranges`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

__all__ = [
    "Bins",
    "apply_bins",
    "bin_data",
    "fit_bins",
    "merge_ranges",
    "quantile_starts",
    "ragged_starts",
    "sample_size",
    "value_range",
]

Placement = Callable[[int, np.ndarray, np.ndarray], np.ndarray]


def sample_size(max_bins: int) -> int:
    """Rows whose quantiles give the bin edges of out-of-core data."""
    return max(max_bins * max_bins, 10_000)


@dataclass
class Bins:
    """The bins of every feature.

    Attributes
    ----------
    edges : list of ndarray
        Per numeric feature the upper edge of every bin but the last (a value ``x``
        falls in bin ``searchsorted(edges, x, side="left")``); ``None`` for a
        categorical feature.
    n_bins : ndarray of int, shape (n_features,)
        Bins of each feature (its categories for a categorical one), missing excluded.
    lo, hi : ndarray, shape (n_bins.sum(),)
        Smallest and largest training value of each numeric bin (``+inf``/``-inf``
        for an empty one), ragged: feature ``f``'s bins are at
        ``bin_start[f] .. bin_start[f] + n_bins[f] - 1`` (a wide matrix of few
        values per column costs its bins, not ``features × max_bins``).
    is_categorical : ndarray of bool
    """

    edges: list
    n_bins: np.ndarray
    lo: np.ndarray
    hi: np.ndarray
    is_categorical: np.ndarray

    @property
    def bin_start(self) -> np.ndarray:
        """Index of every feature's first bin in the ragged ``lo``/``hi``."""
        return ragged_starts(self.n_bins)

    @property
    def n_codes(self) -> int:
        """Codes per feature: the largest number of bins plus the missing bin."""
        return int(self.n_bins.max(initial=1)) + 1

    @property
    def missing_code(self) -> int:
        """The code of a missing value (the last)."""
        return self.n_codes - 1

    def threshold(
        self,
        feature: np.ndarray,
        left: np.ndarray,
        right: np.ndarray,
        place: Placement,
        per_feature: bool = True,
    ) -> np.ndarray:
        """Real thresholds of cuts between bins ``left < right`` of ``feature``.

        ``place`` is the growth rules' ``place_thresholds``; ``per_feature`` (the
        rules' ``thresholds_per_feature``) says whether it depends on the feature,
        else it is called once for every cut.
        """
        first = self.bin_start[feature]
        below, above = self.hi[first + left], self.lo[first + right]
        if not per_feature:
            return np.asarray(place(0, below, above), float)
        out = np.empty(feature.size)
        for f in np.unique(feature).tolist():
            at = feature == f
            out[at] = place(f, below[at], above[at])
        return out


def ragged_starts(n_bins: np.ndarray) -> np.ndarray:
    """Where each feature's bins start in arrays of every feature's bins laid end to
    end (``n_bins`` per feature), and their total at the end (``[P + 1]``)."""
    start = np.zeros(n_bins.size + 1, dtype=np.int64)
    np.cumsum(n_bins, out=start[1:])
    return start


def quantile_starts(counts: np.ndarray, starts: np.ndarray, max_bins: int) -> np.ndarray:
    """The first distinct value of every bin of a feature with more than ``max_bins``
    groups: its groups (first values ``starts`` in its distinct values, which occur
    ``counts`` times) cut at count quantiles."""
    # (every distinct value its own group: the groups' counts are the counts)
    grouped = counts if starts.size == counts.size else np.add.reduceat(counts, starts)
    cum = np.cumsum(grouped)
    targets = cum[-1] * np.arange(1, max_bins) / max_bins
    last = np.unique(np.searchsorted(cum, targets, side="left"))
    last = last[last < starts.size - 1]
    return starts[np.r_[0, last + 1]]


def _numeric_edges(
    values: np.ndarray, max_bins: int, gap: float, feature: int, place: Placement
) -> np.ndarray:
    """Upper edges of a numeric feature's bins from its known values."""
    if values.size == 0:
        return np.empty(0)
    return _edges_of(*np.unique(values, return_counts=True), max_bins, gap, feature, place)


def _edges_of(
    u: np.ndarray, counts: np.ndarray, max_bins: int, gap: float, feature: int, place: Placement
) -> np.ndarray:
    """:func:`_numeric_edges` from the distinct known values ``u`` (increasing) and
    how often each occurs."""
    # values within the gap of their predecessor join its group
    starts = np.flatnonzero(np.r_[True, u[1:] > u[:-1] + gap])
    if starts.size > max_bins:  # cut the groups at count quantiles
        starts = quantile_starts(counts, starts, max_bins)
    ends = np.r_[starts[1:] - 1, u.size - 1]  # last value of each bin
    return place(feature, u[ends[:-1]], u[starts[1:]])


def _edges_and_codes(
    values: np.ndarray, max_bins: int, gap: float, feature: int, place: Placement
) -> tuple[np.ndarray, np.ndarray, tuple[np.ndarray, np.ndarray] | None]:
    """:func:`_numeric_edges` of known ``values``, every value's code (``uint8``,
    what ``searchsorted(edges, value, side="left")`` gives), from one sort, and the
    bins' smallest and largest values (:func:`value_range`'s) when the sort gives
    them exactly (``None``: to be computed).

    Values that float32 holds exactly are sorted as order-preserving ``uint32`` keys
    (one ``np.sort``: no permutation to keep), their codes looked up by the keys'
    high bits (:func:`_codes_of_keys`); other float64 values go through ``np.unique``.
    Either way the distinct values and their counts are ``np.unique``'s (a zero's
    sign aside, which no edge comparison sees; a feature holding a zero leaves its
    ranges to :func:`value_range`, which keeps the zero's sign as ``X`` has it).
    """
    keys = _order_keys(values)
    if keys is None:
        u, inverse, counts = np.unique(values, return_inverse=True, return_counts=True)
        e = _edges_of(u, counts, max_bins, gap, feature, place)
        # the codes of the distinct values, given to their occurrences
        return e, np.searchsorted(e, u, side="left").astype(np.uint8)[inverse], None
    sorted_keys = np.sort(keys)
    first = np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]])
    u_keys = sorted_keys[first]
    del sorted_keys
    u = _key_values(u_keys).astype(values.dtype)  # (float32 exact in float64)
    counts = np.diff(np.r_[first, values.size])
    e = _edges_of(u, counts, max_bins, gap, feature, place)
    # bin b holds the distinct values u[at[b] : at[b + 1]]: those above b edges (what
    # searchsorted(e, u, side="left") says, from one search per edge)
    at = np.r_[0, np.searchsorted(u, e, side="right"), u.size]
    codes = _codes_of_keys(keys, u_keys, np.diff(at), e, values)
    ranges = None
    if not (u == 0).any():  # each bin's first and last distinct value
        full = at[1:] > at[:-1]
        lo, hi = np.full(e.size + 1, np.inf), np.full(e.size + 1, -np.inf)
        lo[full] = u[at[:-1][full]]
        hi[full] = u[at[1:][full] - 1]
        ranges = (lo, hi)
    return e, codes, ranges


#: Low bits of :func:`_order_keys`' keys below a bucket of :func:`_codes_of_keys`
#: (2**20 buckets: a table of 1 MiB, and few values share a bucket with an edge).
_BUCKET_SHIFT = 12


def _codes_of_keys(
    keys: np.ndarray, u_keys: np.ndarray, per_bin: np.ndarray, e: np.ndarray, values: np.ndarray
) -> np.ndarray:
    """Every value's code (``searchsorted(e, value, side="left")``) from its key,
    given the sorted distinct keys ``u_keys`` and how many of them each bin holds
    (``per_bin``, in order): a table lookup by the key's high bits, and a search of
    ``e`` only for the values whose bucket of keys holds distinct values of two bins.
    """
    code_u = np.repeat(np.arange(per_bin.size, dtype=np.uint8), per_bin)
    bucket = u_keys >> _BUCKET_SHIFT  # non-decreasing, as the codes
    n_buckets = (0xFFFFFFFF >> _BUCKET_SHIFT) + 1
    lowest = np.zeros(n_buckets, dtype=np.uint8)
    highest = np.zeros(n_buckets, dtype=np.uint8)
    lowest[bucket[::-1]] = code_u[::-1]  # (the last write wins: each bucket's first code)
    highest[bucket] = code_u
    of_value = keys >> _BUCKET_SHIFT
    codes = np.take(lowest, of_value)
    mixed = np.flatnonzero(np.take(lowest != highest, of_value))
    codes[mixed] = np.searchsorted(e, np.take(values, mixed), side="left")
    return codes


def _order_keys(values: np.ndarray) -> np.ndarray | None:
    """``uint32`` keys in the order of the (finite) ``values``, equal for equal values
    (``-0.0`` and ``0.0`` too), or ``None`` when some value is not a float32."""
    if values.dtype != np.float32:
        if values.dtype != np.float64:
            return None
        narrow = values.astype(np.float32)
        if not np.array_equal(narrow, values):
            return None
        values = narrow
    bits = (values + np.float32(0.0)).view(np.uint32)  # (+0.0: no negative zero)
    # negative values: every bit flipped (the arithmetic shift of the sign gives
    # all ones); others: the sign bit set
    return bits ^ ((bits.view(np.int32) >> 31).view(np.uint32) | np.uint32(0x80000000))


def _key_values(keys: np.ndarray) -> np.ndarray:
    """The float32 values of :func:`_order_keys`' keys."""
    flip = np.where(keys >> 31 != 0, np.uint32(0x80000000), np.uint32(0xFFFFFFFF))
    return (keys ^ flip).view(np.float32)


def fit_bins(
    X: np.ndarray,
    is_categorical: np.ndarray,
    n_categories: np.ndarray,
    max_bins: int,
    gap: float,
    place: Placement,
) -> Bins:
    """Bins of every feature of encoded data ``X``: :func:`bin_data`'s bins."""
    return bin_data(X, is_categorical, n_categories, max_bins, gap, place)[0]


def bin_data(
    X: np.ndarray,
    is_categorical: np.ndarray,
    n_categories: np.ndarray,
    max_bins: int,
    gap: float,
    place: Placement,
) -> tuple[Bins, np.ndarray]:
    """Bins of every feature of encoded data ``X`` (see :mod:`treelearn._data`).

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        Encoded training data, or a sample of it; ``NaN`` is missing.
    is_categorical, n_categories : ndarray
        As :class:`~treelearn._data.FeatureEncoding` gives them.
    max_bins : int
        At most this many bins per feature (missing values excluded).
    gap : float
        Values closer than this share a bin (the rules' ``numeric_gap``).
    place : callable
        ``place(feature, lo, hi)``: the threshold between values ``lo < hi``.

    Returns
    -------
    bins : Bins
    codes : ndarray of uint8, shape (n_samples, n_features)
        :func:`apply_bins` of ``X`` by ``bins``, numeric features' codes from the
        same sort that finds their distinct values (a value's code is its distinct
        value's: no search per value).

    Raises
    ------
    ValueError
        For a categorical feature with more than ``max_bins`` categories.
    """
    n, n_features = X.shape
    too_many = np.flatnonzero(is_categorical & (n_categories > max_bins))
    if too_many.size:
        raise ValueError(
            f"splitter='hist' keeps one bin per category, but categorical feature(s) "
            f"{too_many.tolist()} have more than max_bins={max_bins} categories "
            f"({n_categories[too_many].tolist()}); raise max_bins (at most 255), merge "
            "rare categories, or use splitter='best'."
        )
    edges: list = []
    n_bins = np.zeros(n_features, dtype=np.int64)
    codes = np.empty((n, n_features), dtype=np.uint8)
    coded = []  # numeric features coded here (with their missing values still to code)
    partial = []  # those of them with missing values
    ranges = {}  # numeric features' bins' smallest and largest values, from the sort
    for f in range(n_features):
        if is_categorical[f]:
            edges.append(None)
            n_bins[f] = max(int(n_categories[f]), 1)
            continue
        col = np.ascontiguousarray(X[:, f])  # (one strided pass: the sorts read it often)
        known = ~np.isnan(col)
        every = bool(known.all())
        values = col if every else col[known]
        if values.size:
            e, c, got = _edges_and_codes(values, max_bins, gap, f, place)
            if every:
                codes[:, f] = c
            else:
                codes[known, f] = c
                partial.append(f)
            coded.append(f)
            if got is not None:
                ranges[f] = got
        else:
            e = np.empty(0)
        edges.append(e)
        n_bins[f] = e.size + 1
    bins = Bins(edges, n_bins, np.empty((0, 0)), np.empty((0, 0)), is_categorical.copy())
    skip = np.array(coded, dtype=np.intp)
    apply_bins(X, bins, skip=skip, out=codes)  # the other features
    for f in partial:
        codes[np.isnan(X[:, f]), f] = bins.missing_code
    rest = np.array([f for f in range(n_features) if f not in ranges], dtype=np.intp)
    bins.lo, bins.hi = value_range(X, bins, codes, rest)
    start = bins.bin_start
    for f, (lo, hi) in ranges.items():
        bins.lo[start[f] : start[f + 1]] = lo
        bins.hi[start[f] : start[f + 1]] = hi
    return bins, codes


def apply_bins(
    X: np.ndarray, bins: Bins, skip: np.ndarray | None = None, out: np.ndarray | None = None
) -> np.ndarray:
    """Bin codes ``uint8 [n, n_features]`` of encoded data ``X`` (C order: a row's
    codes together, as the histogram gathers them), into ``out`` when given; the
    columns ``skip`` are left as they are (for the caller to fill)."""
    n, P = X.shape
    codes = np.empty((n, P), dtype=np.uint8) if out is None else out
    miss = bins.missing_code
    todo = np.ones(P, dtype=bool)
    if skip is not None:
        todo[skip] = False
    for f in np.flatnonzero(todo).tolist():
        col = X[:, f]
        nan = np.isnan(col)
        if bins.is_categorical[f]:
            c = np.where(nan, miss, col).astype(np.intp)
            c[(c < 0) | (c >= bins.n_bins[f])] = miss  # an unseen category: missing
        else:
            c = np.searchsorted(bins.edges[f], col, side="left")
            c[nan] = miss
        codes[:, f] = c
    return codes


def value_range(
    X: np.ndarray, bins: Bins, codes: np.ndarray | None = None, features: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Smallest and largest value of every numeric bin over the rows of ``X``
    (ragged, as :class:`Bins` keeps them); ``codes``: ``X``'s codes when known;
    ``features``: only these features' bins (the others' are left empty)."""
    start = bins.bin_start
    lo = np.full(int(start[-1]), np.inf)
    hi = np.full(int(start[-1]), -np.inf)
    if codes is None:
        codes = apply_bins(X, bins)
    numeric = ~bins.is_categorical
    if features is not None:
        numeric &= np.isin(np.arange(numeric.size), features)
    for f in np.flatnonzero(numeric).tolist():
        col = X[:, f]
        known = ~np.isnan(col)
        at = start[f] + codes[known, f].astype(np.intp)
        # (float64 values, the same numbers: ufunc.at's fast path needs equal dtypes)
        values = col[known].astype(np.float64, copy=False)
        np.minimum.at(lo, at, values)
        np.maximum.at(hi, at, values)
    return lo, hi


def merge_ranges(ranges: list[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    """The bins' value ranges over all chunks from each chunk's :func:`value_range`."""
    lo = np.minimum.reduce([r[0] for r in ranges])
    hi = np.maximum.reduce([r[1] for r in ranges])
    return lo, hi
