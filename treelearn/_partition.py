"""Every numeric feature's training entries, kept sorted by (node, value) across levels.

The builder sorts each numeric feature once and never again: after every level one
stable partition moves each feature's entries into their child's segment
(SLIQ/SPRINT style). This module holds that store and its one invariant.

Invariant
    Before and after every level, for every numeric feature, the positions of the
    store list the level's active entries grouped by node, nodes in increasing id
    order, and within a node by increasing value with missing values last; entries
    of equal value keep the order they had at the root (row order). The partition
    after a level moves every entry of a split node to the segment of its child,
    copies of an entry (a missing value sends one into several children) to every
    child they go to, keeping the relative order inside each child; entries of
    nodes that became leaves leave the store.

An *entry* is a (row, weight) pair. While no row has been copied, entries are rows
and the store holds row ids (``by_row``; a level that drops rows keeps the others'
ids); the first level that copies a row (or splits multiway) renumbers them, and
from then on the store holds entry ids, the ids the builder gives the next level's
entries (ordered by source entry, copies in child order).

:func:`partition` picks the cheapest of several equivalent implementations; each is
pinned to the plain stable sort of :func:`reference_partition` by
``tests/test_partition.py``:

``"rows"``
    binary splits of rows without copies: one byte per row says which way it goes,
    destinations are branch-free arithmetic on one running count, and entries of new
    leaves go to a tail so the positions form a permutation (no compaction); the few
    entries of split nodes that go to no child (surrogate splits) are deleted first,
    so that they do not renumber the store;
``"packed"``, ``"coded"``, ``"slots"``
    entries without copies: new id, child slot and child offset looked up per
    position from one packed 64-bit table (binary splits whose numbers fit), from a
    slot/offset code (binary splits), or from two tables (multiway splits);
``"copies"``
    entries with copies: every position is repeated once per copy.

Within each, the rank of a position among those going to the same child slot is one
``cumsum`` for binary splits, or a stable sort of the small slot numbers for multiway
splits.
"""

from __future__ import annotations

import sys
import threading
import weakref
from dataclasses import dataclass, field

import numpy as np

from treelearn import _threads
from treelearn._threads import Workers

__all__ = [
    "Move",
    "SortedStore",
    "label_dtype",
    "partition",
    "presort",
    "reference_partition",
    "stable_argsort",
]

PATHS = ("rows", "packed", "coded", "slots", "copies")

#: Guards the stores' spare buffers (``n_jobs`` threads partition features at once).
_SPARES_LOCK = threading.Lock()


@dataclass
class SortedStore:
    """Every numeric feature's entries in (node, value) order, with what a scan reads.

    Scanning a feature reads these arrays front to back; only the partition after
    a level touches entry-indexed arrays, so big data stays cache friendly.
    """

    entries: list[np.ndarray]  # per numeric feature: entry (or row) id at each position
    # the feature's value at each position (NaN last in a node): float32 when every
    # value of the feature is a float32 number (half the bytes), else float64; read
    # them with float_values
    values: list[np.ndarray]
    # the class code of every entry, indexed by entry id (by row while ``by_row``): one
    # byte per entry, not per position and feature; read a feature's with labels_at
    entry_labels: np.ndarray
    weights: list[np.ndarray] | None  # entry weight at each position; None while all are 1
    n_rows: int
    # True while entries are rows (no row has been copied yet): the partition then
    # looks per-row tables up and never renumbers entries
    by_row: bool = True
    # per row, 1 when it goes right (the "rows" path; allocated on first use)
    row_right: np.ndarray | None = field(default=None, repr=False)
    # the "rows" path's spare buffers: a feature's moved arrays are written into one,
    # and its old arrays become spares (see :meth:`buffer`)
    spares: list[np.ndarray] = field(default_factory=list, repr=False)
    # the blocks that hold one store row's array each (the presorted arrays and the
    # buffers of :meth:`buffer`), by id: only these are given back as spares
    blocks: weakref.WeakValueDictionary = field(
        default_factory=weakref.WeakValueDictionary, repr=False
    )
    # the "rows" path without weights runs the compiled kernels (treelearn._accelerator)
    compiled: bool = False

    def own(self, *arrays: np.ndarray) -> None:
        """Mark ``arrays`` (each a block of its own, held by one store row) as blocks
        :meth:`give_back` may recycle."""
        for a in arrays:
            if a.base is None:
                self.blocks[id(a)] = a

    def buffer(self, dtype: np.dtype, size: int) -> np.ndarray:
        """A buffer of ``size`` elements of ``dtype`` for one feature's moved array:
        a spare (an old array the store no longer holds) when one is large enough.

        The partition writes each feature's next entries and values into a spare and
        gives back its old arrays (:meth:`give_back`), so the store stays in the same
        blocks from level to level: fresh arrays every level, the old ones freed,
        leave glibc's heap holding freed pages (its mmap threshold rises to the
        largest block freed), resident memory well above the live arrays."""
        with _SPARES_LOCK:
            for i in range(len(self.spares) - 1, -1, -1):
                spare = self.spares[i]
                if spare.dtype == dtype and spare.size >= size:
                    del self.spares[i]
                    return spare[:size]
        block = np.empty(size, dtype=dtype)
        with _SPARES_LOCK:
            self.blocks[id(block)] = block
        return block

    def give_back(self, array: np.ndarray) -> None:
        """Keep the block under ``array`` (a store row's old array, which nothing
        holds any more) as a spare for :meth:`buffer`, when it is one of the store's
        own blocks (:meth:`own`)."""
        base = array if array.base is None else array.base
        with _SPARES_LOCK:
            if self.blocks.get(id(base)) is base:
                self.spares.append(base)

    def float_values(self, r: int, window: slice = slice(None)) -> np.ndarray:
        """Feature ``r``'s values (at the positions of ``window``) as float64 (exact:
        float32 widens without rounding), the dtype every split search computes
        midpoints and gaps in."""
        return self.values[r][window].astype(np.float64, copy=False)

    def labels_at(self, r: int, window: slice = slice(None)) -> np.ndarray:
        """Feature ``r``'s class code at each position (of ``window``), gathered from
        the entries'."""
        return self.entry_labels.take(self.entries[r][window])  # take: faster than [...]


@dataclass
class Move:
    """How the entries of one level become the next level's entries.

    Old entries are the level's (in entry order), new entries the next level's,
    numbered by source entry and, for copies, child order. Node ids are local to
    their level.
    """

    local: np.ndarray  # per old entry: its node
    rows: np.ndarray  # per old entry: its row
    weights: np.ndarray  # per old entry: its weight
    n_entries: np.ndarray  # per node of the level: its number of entries
    n_children: np.ndarray  # per node of the level: 0 for a leaf
    first_child: np.ndarray  # per node: its first child in the next level (-1 leaf)
    copies: np.ndarray  # per old entry: number of new entries made from it
    new_node: np.ndarray  # per new entry: its node in the next level
    new_weights: np.ndarray  # per new entry: its weight
    n_next: int  # nodes in the next level
    # True when known without a look: one new entry per entry of a split node, with
    # its weight (no copies, no fractions); False: look at copies and weights
    whole: bool = False


def stable_argsort(values: np.ndarray) -> np.ndarray:
    """``np.argsort(values, kind="stable")``, faster when few values are tied.

    numpy's default (unstable) sort is quicker; equal values are then put back in
    row order. Missing values are left out of the sort and put last in row order:
    numpy's vectorised sort falls back to a several times slower one on an array
    with any NaN (100k float32 with 2 % NaN: 8.2 ms against 1.3 ms without).
    """
    nan = np.isnan(values)
    n_nan = int(np.count_nonzero(nan))
    if n_nan:
        known = np.flatnonzero(~nan)
        order = np.concatenate([known[np.argsort(values[known])], np.flatnonzero(nan)])
        v = values[order[: order.size - n_nan]]
    else:
        order = np.argsort(values)
        v = values[order]
    tied = np.flatnonzero(v[1:] == v[:-1])
    if tied.size == 0:
        return order
    if tied.size > values.size // 8:
        return np.argsort(values, kind="stable")
    members = np.union1d(tied, tied + 1)  # positions inside runs of equal values
    run = np.cumsum(np.r_[True, v[1:] != v[:-1]])[members]
    rows = order[members]
    order[members] = rows[np.lexsort((rows, run))]
    return order


def label_dtype(n_classes: int) -> type[np.signedinteger]:
    """The dtype of class codes per entry: one byte below 128 classes."""
    return np.int8 if n_classes < 128 else np.int32


def presort(
    X: np.ndarray,
    numeric: np.ndarray,
    y: np.ndarray,
    w: np.ndarray,
    n_classes: int,
    workers: Workers | None = None,
) -> SortedStore:
    """Sort every numeric feature once (stable, missing values last): the root's store.

    ``workers`` sorts the features on several threads (the same store).
    """
    labels_all = y.astype(label_dtype(n_classes))
    unit = bool(np.all(w == 1.0))
    n = X.shape[0]
    # the arrays the store keeps, allocated before any sort: the sorts' temporaries
    # then come and go above them instead of leaving holes between them (glibc keeps
    # such holes resident: ~0.5x X at 1M rows when each feature's were allocated
    # after its sort)
    kept_entries = [np.empty(n, dtype=np.int32) for _ in range(numeric.size)]
    float32 = X.dtype == np.float32
    kept_values = [np.empty(n, dtype=np.float32) for _ in range(numeric.size)] if float32 else []

    def one(j_f: tuple[int, int]) -> tuple[np.ndarray, ...]:
        j, f = j_f
        # the column once contiguous (one strided pass): the sort's passes and the
        # gather then read it at unit stride (a C-ordered X's column is strided)
        column = np.ascontiguousarray(X[:, f])
        order = kept_entries[j]
        order[:] = stable_argsort(column)
        sorted_w = () if unit else (w[order],)
        if float32:  # float32 values are kept as they are (exact)
            values = np.take(column, order, out=kept_values[j])
        else:
            values = _narrow(column[order])
        del column
        return (order, values, *sorted_w)

    parts = (workers or Workers(1)).map(
        one, list(enumerate(numeric.tolist())), X.shape[0] * numeric.size
    )
    entries = [p[0] for p in parts]
    values = [p[1] for p in parts]
    weights = None if unit else [p[2] for p in parts]
    store = SortedStore(entries, values, labels_all, weights, n_rows=X.shape[0])
    store.own(*entries, *values)
    return store


def _narrow(values: np.ndarray) -> np.ndarray:
    """``values`` as float32 when that is exact for every one of them (float32 input
    encoded as float64: half the store's bytes), else unchanged."""
    if values.dtype != np.float64:
        return values
    with np.errstate(over="ignore"):  # out of float32's range: not exact, kept
        narrow = values.astype(np.float32)
        same = np.array_equal(narrow, values, equal_nan=True)
    return narrow if same else values


def choose_path(store: SortedStore, move: Move) -> str:
    """The cheapest partition that applies to this level (see the module docstring)."""
    binary = int(move.n_children.max()) <= 2
    if store.by_row and binary and move.whole:
        return "rows"
    if store.by_row and binary:
        split = move.n_children[move.local] > 0
        if np.array_equal(move.copies, split) and np.array_equal(
            move.new_weights, move.weights[split]
        ):
            return "rows"
        # a few entries of split nodes go to no child (a surrogate split's case no
        # surrogate sends, at a node without a majority): rows still, once they
        # have left the store (:func:`_without_dropped`)
        kept = move.copies > 0
        if not bool((move.copies > split).any()) and np.array_equal(
            move.new_weights, move.weights[kept]
        ):
            return "rows"
    if not bool(np.all(move.copies <= 1)):
        return "copies"
    if not binary:
        return "slots"
    return "packed" if _packed_fits(move) else "coded"


def partition(
    store: SortedStore,
    move: Move,
    *,
    path: str | None = None,
    rank: str | None = None,
    workers: Workers | None = None,
) -> None:
    """Move every feature's sorted entries into the next level's nodes, in place.

    ``path`` forces one of :data:`PATHS` (tests; it must apply, e.g. ``"rows"`` only
    while ``store.by_row`` and without copies), ``rank`` forces ``"cumsum"`` or
    ``"sort"`` for the rank among equal child slots (``"cumsum"`` needs binary
    splits). By default the cheapest applicable choice is taken. ``workers``
    partitions the features on several threads (each writes its own features'
    arrays only: the same result).
    """
    if not store.entries:
        return
    if path is None:
        path = choose_path(store, move)
    elif path not in PATHS:
        raise ValueError(f"path must be one of {PATHS}, got {path!r}")
    elif path != "copies" and not bool(np.all(move.copies <= 1)):
        raise ValueError(f"path {path!r} cannot copy entries; use 'copies'")
    elif path == "rows" and not store.by_row:
        raise ValueError("path 'rows' needs a store of rows (before any renumbering)")
    if (path in ("packed", "coded") or rank == "cumsum") and int(move.n_children.max()) > 2:
        raise ValueError(f"path {path!r} with rank {rank!r} needs binary splits")
    workers = workers or Workers(1)
    if path == "rows":
        _partition_rows(store, _without_dropped(store, move), workers)
        return
    # the new entries' labels: entries are numbered by source entry, copies in a row
    old_labels = store.entry_labels[move.rows] if store.by_row else store.entry_labels
    if store.by_row:  # from now on entries are numbered (rows may have copies)
        entry_of_row = np.empty(store.n_rows, dtype=np.int32)
        entry_of_row[move.rows] = np.arange(move.rows.size, dtype=np.int32)
        store.entries = [entry_of_row[e] for e in store.entries]
        store.by_row = False
    _partition_entries(store, move, path, rank, workers)
    store.entry_labels = np.repeat(old_labels, move.copies)


def reference_partition(store: SortedStore, move: Move) -> SortedStore:
    """The invariant as plain code: repeat each position per copy, then stable-sort by
    new node. Slow and obvious; the tests compare every path with it."""
    by_row = store.by_row
    if by_row:
        entry_of_row = np.full(store.n_rows, -1, dtype=np.int64)
        entry_of_row[move.rows] = np.arange(move.rows.size)
    new_start = np.cumsum(move.copies) - move.copies
    old_labels = store.entry_labels[move.rows] if by_row else store.entry_labels
    out = SortedStore(
        [], [], np.repeat(old_labels, move.copies), None if store.weights is None else [],
        store.n_rows, False,
    )  # fmt: skip
    weighted = store.weights is not None or not np.all(move.new_weights == 1.0)
    if weighted and out.weights is None:
        out.weights = []
    for r, ids in enumerate(store.entries):
        old = entry_of_row[ids] if by_row else ids.astype(np.int64)
        reps = move.copies[old]
        pos = np.repeat(np.arange(ids.size), reps)
        k = np.arange(pos.size) - np.repeat(np.cumsum(reps) - reps, reps)
        new_id = new_start[old[pos]] + k
        order = np.argsort(move.new_node[new_id], kind="stable")
        new_id, pos = new_id[order], pos[order]
        out.entries.append(new_id.astype(np.int32))
        out.values.append(store.values[r][pos])
        if out.weights is not None:
            out.weights.append(move.new_weights[new_id])
    return out


def _without_dropped(store: SortedStore, move: Move) -> Move:
    """The ``"rows"`` path's move once the entries of split nodes that go to no child
    (``copies`` 0) have left every feature's arrays (a store of rows: each row once,
    so they are found by row); ``move`` itself when there are none.

    They are few (a surrogate split's cases without a direction), so each feature's
    arrays lose them by one ``np.delete`` of their positions; the order of the others
    is kept, and the move's entries, nodes and sizes are those of the entries kept.
    """
    split = move.n_children[move.local] > 0
    gone = split & (move.copies == 0)
    if not gone.any():
        return move
    gone_row = np.zeros(store.n_rows, dtype=bool)
    gone_row[move.rows[gone]] = True
    for r in range(len(store.entries)):
        at = np.flatnonzero(gone_row.take(store.entries[r]))
        store.entries[r] = np.delete(store.entries[r], at)
        store.values[r] = np.delete(store.values[r], at)
        if store.weights is not None:
            store.weights[r] = np.delete(store.weights[r], at)
    keep = ~gone
    local = move.local[keep]
    return Move(
        local, move.rows[keep], move.weights[keep],
        np.bincount(local, minlength=move.n_entries.size), move.n_children,
        move.first_child, move.copies[keep], move.new_node, move.new_weights,
        move.n_next, move.whole,
    )  # fmt: skip


def _packed_fits(move: Move) -> bool:
    """Whether new id, child slot and child offset fit one int64 (binary, no copies)."""
    n_new = move.new_node.size
    return n_new < 2**31 and 2 * n_new + 1 < 2**31


def _partition_rows(store: SortedStore, move: Move, workers: Workers) -> None:
    """The ``"rows"`` path: binary splits of rows, no copies (see the module docstring).

    The destination of the entry at position ``i`` of parent ``P``'s segment is
    its rank among the entries going the same way: with ``ones_i`` the number
    of right-going positions up to ``i`` (one cumsum over all positions),
    ``A_L + i - ones_i`` going left and ``A_R + ones_i`` going right, where the
    per-parent constants ``A`` depend on segment and child sizes only, not on
    the feature. Entries of nodes that became leaves go left into a tail after
    the kept ones, so positions form a permutation and nothing is compacted:
    three scatters per feature and the arrays' kept part is a prefix. The only
    row-indexed lookup is one byte per row (which way the row goes), so it
    stays in cache on big data; everything else is indexed by position.
    """
    local, n_ent, n_children = move.local, move.n_entries, move.n_children
    first_local, new_node, e_row = move.first_child, move.new_node, move.rows
    if store.row_right is None:
        store.row_right = np.zeros(store.n_rows, dtype=np.int8)
    split_nodes = np.flatnonzero(n_children)
    n_features = len(store.entries)
    if split_nodes.size == 1 and (
        n_features == 1
        or (new_node.size * n_features < _threads.MIN_THREADED_ELEMENTS and store.weights is None)
    ):  # one node splits (a chain's every level): its two sides
        p = int(split_nodes[0])
        store.row_right[e_row if n_ent.size == 1 else e_row[local == p]] = new_node == 1
        start = int(n_ent[:p].sum())
        _partition_one_node(store, store.row_right, start, start + int(n_ent[p]))
        return
    m = local.size
    n_new = new_node.size
    seg_start = np.cumsum(n_ent) - n_ent
    split = n_children > 0
    sizes = np.bincount(new_node, minlength=move.n_next)
    child_start = np.cumsum(sizes) - sizes
    first = np.where(split, first_local, 0)
    right_size = np.where(split, sizes[first + split], 0)
    right_before = np.cumsum(right_size) - right_size
    dropped = np.where(split, 0, n_ent)
    dropped_before = np.cumsum(dropped) - dropped
    a_left = np.where(split, child_start[first], n_new + dropped_before) - seg_start
    a_left += right_before
    a_right = child_start[first + split] - right_before - 1
    if store.compiled and store.weights is None:  # the same destinations, compiled
        from treelearn import _numba_kernels

        _numba_kernels.partition_rows(store, move, workers, seg_start, split, a_left, a_right)
        return
    # per position (the same for every feature): left_base = A_L + i and
    # right_minus_left = A_R - left_base; positions and their arithmetic (within 4m)
    # in int32 when that is exact: half the bytes of the level's largest temporaries
    index = np.int32 if 4 * m + 4 < 2**31 else np.intp
    position_node = np.repeat(np.arange(n_ent.size), n_ent)
    a_left, a_right = a_left.astype(index), a_right.astype(index)
    left_base = np.empty(m, dtype=index)
    right_minus_left = np.empty(m, dtype=index)
    row_right = store.row_right
    split_e = split[local]
    # pieces of positions (for the per-position constants) and of entries (for the
    # per-row direction), each written by one thread: elementwise, the same arrays
    pieces = workers.slices(m)
    new_before = np.cumsum([0] + [int(np.count_nonzero(split_e[p])) for p in pieces])

    def constants(j: int) -> None:
        part = pieces[j]
        nodes = position_node[part]
        base, minus = left_base[part], right_minus_left[part]
        np.take(a_left, nodes, out=base, mode="clip")  # (valid: unbuffered out)
        np.add(base, np.arange(part.start, part.stop, dtype=index), out=base)
        np.take(a_right, nodes, out=minus, mode="clip")
        np.subtract(minus, base, out=minus)
        # per row of the piece's entries: 1 when it goes right (new entries are
        # those of split nodes, in entry order)
        at = split_e[part]
        right = np.zeros(part.stop - part.start, dtype=np.int8)
        right[at] = new_node[new_before[j] : new_before[j + 1]] == first_local[local[part][at]] + 1
        row_right[e_row[part]] = right

    workers.map(constants, range(len(pieces)), m)
    position_node = position_node[:0]  # not kept through the features' passes
    weights = store.weights
    n_features = len(store.entries)
    if m * n_features < _threads.MIN_THREADED_ELEMENTS and weights is None:
        _partition_rows_together(store, row_right, left_base, right_minus_left, n_new, index)
        return

    def one(r: int) -> None:
        entries = store.entries[r]
        # (take: several times faster than [entries]; into a buffer of whole words)
        padded = np.empty(-(-m // 8) * 8, dtype=np.int8)
        slot = row_right.take(entries, out=padded[:m], mode="clip")
        ones = running_ones(padded, m)
        # pos = A_L + i - ones going left, A_R + ones going right; branch-free
        # (a masked copy is several times slower on a random slot pattern); in intp
        # from the first step, as the scatters index (no int32 copy beside it)
        pos: np.ndarray = np.multiply(ones, 2, dtype=np.intp)
        pos += right_minus_left
        pos *= slot
        pos += left_base
        pos -= ones
        del ones
        # into spare buffers; the old arrays become spares (SortedStore.buffer)
        out = store.buffer(entries.dtype, m)
        out[pos] = entries
        store.entries[r] = out[:n_new]
        store.give_back(entries)
        del entries, slot
        values = store.values[r]
        out_v = store.buffer(values.dtype, m)
        out_v[pos] = values
        store.values[r] = out_v[:n_new]
        store.give_back(values)
        if weights is not None:
            out_w = np.empty(m)
            out_w[pos] = weights[r]
            weights[r] = out_w[:n_new]

    workers.map(one, range(len(store.entries)), m * len(store.entries))
    # the spares go back to the allocator: the level's search reuses their pages
    store.spares.clear()


#: Every byte of a word times this: byte ``k`` of the product is the sum of bytes
#: ``0 .. k`` (no carry while those sums stay below 256).
_BYTE_PREFIX = np.uint64(0x0101010101010101)


def running_ones(padded: np.ndarray, m: int) -> np.ndarray:
    """``np.cumsum(padded[:m])`` (intp) of 0/1 bytes, from 8-byte words: ``padded``
    (int8, whole words: a multiple of 8 bytes; its bytes past ``m`` are zeroed here).

    One multiplication gives every word's running sums within its bytes and one
    ``cumsum`` of the words' totals the sums before each word: numpy's ``cumsum`` is
    a serial loop of a few nanoseconds an element, over an eighth of the elements
    here. The same integers as the byte ``cumsum`` (a big-endian machine takes it).
    """
    padded[m:] = 0
    if sys.byteorder != "little" or padded.size % 8:
        return np.cumsum(padded[:m], dtype=np.intp)
    words = padded.view(np.uint64)
    within = np.multiply(words, _BYTE_PREFIX, out=np.empty_like(words))
    before = np.right_shift(within, np.uint64(56)).view(np.int64)  # every word's total
    total = np.cumsum(before)
    total -= before  # (exclusive: the ones before each word)
    ones = np.add(within.view(np.uint8).reshape(-1, 8), total[:, None], dtype=np.intp)
    return ones.reshape(-1)[:m]


def _partition_one_node(
    store: SortedStore,
    row_right: np.ndarray,
    a: int,
    b: int,
    ordered: int | None = None,
    workers: Workers | None = None,
) -> None:
    """The ``"rows"`` path for a level where one node splits (binary, no copies), its
    entries at positions ``a .. b - 1`` (the other nodes' entries leave the store):
    each feature's segment is reordered by one stable sort of its sides (0 left, 1
    right), which keeps the value order within each side. Several features (a
    small level without weights) take :func:`_partition_rows_together`'s pass over
    the segment: left entries keep their rank among the left, right ones follow.

    ``ordered``: a store row whose segment is already in side order (the split's own
    numeric feature: its left side is a prefix), only cut to the segment (a view).
    ``workers``: threads over the features of a large segment.
    """
    if store.compiled and store.weights is None:
        from treelearn import _numba_kernels

        _numba_kernels.partition_one_node(store, row_right, a, b, ordered, workers)
        return
    n_features = len(store.entries)
    rows = [r for r in range(n_features) if r != ordered]
    if ordered is not None:
        store.entries[ordered] = store.entries[ordered][a:b]
        store.values[ordered] = store.values[ordered][a:b]
        if store.weights is not None:
            store.weights[ordered] = store.weights[ordered][a:b]
    if not rows:
        return
    n = b - a
    if n_features > 1 and (
        n * len(rows) < _threads.MIN_THREADED_ELEMENTS and store.weights is None
    ):  # several small features: the node's segments, with its constants
        for r in rows:
            store.entries[r] = store.entries[r][a:b]
            store.values[r] = store.values[r][a:b]
        index = np.int32 if 4 * n + 4 < 2**31 else np.intp
        left_base = np.arange(n, dtype=index)
        n_left = n - int(np.count_nonzero(row_right[store.entries[rows[0]]]))
        _partition_rows_together(
            store, row_right, left_base, n_left - 1 - left_base, n, index, rows
        )
        return

    def one(r: int) -> None:
        entries = store.entries[r][a:b]
        order = np.argsort(row_right[entries], kind="stable")
        store.entries[r] = entries[order]
        store.values[r] = store.values[r][a:b][order]
        if store.weights is not None:
            store.weights[r] = store.weights[r][a:b][order]

    (workers or Workers(1)).map(one, rows, n * len(rows))


def _partition_rows_together(
    store: SortedStore,
    row_right: np.ndarray,
    left_base: np.ndarray,
    right_minus_left: np.ndarray,
    n_new: int,
    index: type[np.signedinteger],
    rows: list[int] | None = None,
) -> None:
    """The ``"rows"`` path's scatter for every feature at once (small levels: below
    :data:`~treelearn._threads.MIN_THREADED_ELEMENTS` positions over all features,
    where the per-feature passes are mostly numpy's call overhead). The same
    destinations as one feature at a time, computed on ``[features, positions]``
    arrays; the features' new arrays are rows of one array (values grouped by dtype).
    ``rows``: the store rows moved (default every one)."""
    m = left_base.size
    if rows is not None and len(rows) < len(store.entries):
        sub = SortedStore(
            [store.entries[r] for r in rows], [store.values[r] for r in rows],
            store.entry_labels, None, store.n_rows,
        )  # fmt: skip
        _partition_rows_together(sub, row_right, left_base, right_minus_left, n_new, index)
        for j, r in enumerate(rows):
            store.entries[r], store.values[r] = sub.entries[j], sub.values[j]
        return
    slot = row_right[np.stack(store.entries)]  # [features, m]
    ones = np.cumsum(slot, axis=1, dtype=index)
    pos: np.ndarray = 2 * ones
    pos += right_minus_left
    pos *= slot
    pos += left_base
    pos -= ones

    def scatter(arrays: list[np.ndarray], at: np.ndarray) -> list[np.ndarray]:
        # at[j]: the destinations of arrays[j] within its own block of m
        n = len(arrays)
        at = at + (np.arange(n, dtype=index) * m)[:, None]  # arange's step of m fails at m == 0
        out = np.empty(n * m, dtype=arrays[0].dtype)
        out[at.ravel()] = np.stack(arrays).ravel()
        return list(out.reshape(n, m)[:, :n_new])

    store.entries = scatter(store.entries, pos)
    dtypes = [v.dtype for v in store.values]
    for dtype in set(dtypes):  # float32 and float64 features apart
        rows = [r for r, d in enumerate(dtypes) if d == dtype]
        moved = scatter([store.values[r] for r in rows], pos[rows])
        for r, values in zip(rows, moved, strict=True):
            store.values[r] = values


def _partition_entries(
    store: SortedStore, move: Move, path: str, rank: str | None, workers: Workers
) -> None:
    """The ``"packed"``, ``"coded"``, ``"slots"`` and ``"copies"`` paths.

    Each old entry ``e`` has ``copies[e]`` new entries, numbered consecutively
    from ``new_start[e]`` in child order (0 for entries of nodes that became
    leaves). Within a parent segment the copies keep the old (value) order, so
    a stable partition by child keeps every child's segment sorted by value.
    The destination of a position is its rank among the positions of the same
    child slot plus that child's offset, so the scatter writes two (or a few)
    forward streams per parent.
    """
    copies, new_node, new_w = move.copies, move.new_node, move.new_weights
    n_children, first_local, n_ent, n_next = (
        move.n_children,
        move.first_child,
        move.n_entries,
        move.n_next,
    )
    new_start = np.cumsum(copies) - copies
    sizes = np.bincount(new_node, minlength=n_next)
    child_start = np.cumsum(sizes) - sizes
    # offset of each child among the children with the same slot
    parents = np.flatnonzero(n_children > 0)
    child_slot = np.arange(n_next) - np.repeat(first_local[parents], n_children[parents])
    by_slot = np.lexsort((np.arange(n_next), child_slot))
    sizes_sorted = sizes[by_slot]
    grp_start = np.r_[True, child_slot[by_slot][1:] != child_slot[by_slot][:-1]]
    csum = np.cumsum(sizes_sorted) - sizes_sorted
    grp_base = np.maximum.accumulate(np.where(grp_start, csum, 0))
    same_slot_before = np.empty(n_next, dtype=np.intp)
    same_slot_before[by_slot] = csum - grp_base
    child_offset = child_start - same_slot_before
    binary = int(n_children.max()) <= 2
    if rank is None:
        rank = "cumsum" if binary else "sort"
    # per old entry (one lookup per feature and position): its new id (-1 when
    # dropped), its child's slot and that child's offset
    kept = copies > 0
    new_id_of = np.where(kept, new_start, -1).astype(np.int32)
    child_of = np.zeros(copies.size, dtype=np.intp)
    child_of[kept] = new_node[new_start[kept]]
    slot_dtype = np.int8 if n_children.max() < 128 else np.int32
    parent_of_child = np.repeat(np.arange(n_children.size), n_children)
    slot_of = (child_of - first_local[parent_of_child[child_of]]).astype(slot_dtype)
    offset_of = child_offset[child_of].astype(np.int64)
    code_of = packed_of = None
    if path == "coded":  # binary splits: slot and offset travel in one lookup
        code_of = offset_of * 2 + slot_of
    elif path == "packed":  # new id, slot and offset in one 64-bit lookup (< 0: dropped)
        code_of = offset_of * 2 + slot_of
        packed_of = np.where(kept, (new_id_of.astype(np.int64) << 32) | code_of, -1)
    simple = path != "copies"
    index = np.arange(copies.size if simple else int(copies.sum()) + 1)
    position_parent = None if simple else np.repeat(np.arange(n_ent.size), n_ent)
    weighted = store.weights is not None or not np.all(new_w == 1.0)
    n_new = new_node.size
    if weighted and store.weights is None:
        store.weights = [np.empty(0)] * len(store.entries)
    store_weights = store.weights

    def one(r: int) -> None:
        entries = store.entries[r]
        if packed_of is not None:
            packed = packed_of[entries]
            src = np.flatnonzero(packed >= 0)
            packed = packed[src]
            new_id = (packed >> 32).astype(np.int32)
            slot, offset = packed & 1, (packed & 0xFFFFFFFF) >> 1
        elif simple:
            new_id = new_id_of[entries]
            src = np.flatnonzero(new_id >= 0)
            kept_entries = entries[src]
            new_id = new_id[src]
            if code_of is not None:
                code = code_of[kept_entries]
                slot, offset = code & 1, code >> 1
            else:
                slot, offset = slot_of[kept_entries], offset_of[kept_entries]
        else:
            assert position_parent is not None
            c = copies[entries]
            src = np.repeat(np.arange(entries.size), c)
            k = np.arange(src.size) - np.repeat(np.cumsum(c) - c, c)
            new_id = new_start[entries[src]] + k
            child = new_node[new_id]
            slot = child - first_local[position_parent[src]]
            offset = child_offset[child]
        if rank == "cumsum":  # rank among equal slots with one cumsum
            ones = np.cumsum(slot, dtype=np.intp)
            g = np.where(slot == 1, ones - 1, index[: slot.size] - ones)
        else:  # radix sort on the small slot numbers
            s16 = slot.astype(np.int16) if n_children.max() < 2**15 else slot
            perm = np.argsort(s16, kind="stable")
            s_sorted = s16[perm]
            bounds = np.r_[True, s_sorted[1:] != s_sorted[:-1]]
            start_of = np.maximum.accumulate(np.where(bounds, np.arange(slot.size), 0))
            g = np.empty(slot.size, dtype=np.intp)
            g[perm] = np.arange(slot.size) - start_of
        pos = g + offset
        out = np.empty(n_new, dtype=np.int32)
        out[pos] = new_id
        store.entries[r] = out
        out_v = np.empty(n_new, dtype=store.values[r].dtype)
        out_v[pos] = store.values[r][src]
        store.values[r] = out_v
        if store_weights is not None:
            store_weights[r] = new_w[out]

    workers.map(one, range(len(store.entries)), n_new * len(store.entries))
