"""The histogram builder (``splitter="hist"``): level-wise growth over binned features.

The data are one or more *chunks* of rows (one in memory, many on Dask), each with
its bin codes (:mod:`treelearn._binning`, one byte per value, missing values a code
of their own), labels, weights and its *entries* -- (row, weight, node) triples as in
:mod:`treelearn._builder`. A row whose split value is missing follows the
``missing_values`` strategy: under ``"fractional"`` it is copied into every child
with the child's share of the known weight (C4.5's fractional routing,
:func:`~treelearn._routing.fan_out`); under ``"learned"`` it goes whole to the child
the split search chose for the node's missing cases (``missing_slot``), as in the
exact builder. (``"surrogate"`` has no histogram form: :func:`check_missing_strategy`.)
Per level

1. every chunk counts its entries' classes per node (one ``bincount``); the sums
   over chunks go to the growth rules, which say which nodes may split;
2. every chunk builds the ``[nodes, features, codes, classes]`` histogram of the
   nodes that need one (one ``bincount``), summed where the chunks are as they are
   counted (:meth:`Backend.partial_sums`: one sum per worker, whatever its number of
   chunks). The nodes are then cut into shards by node range, one per partial sum
   (:func:`_shard_cuts`, never splitting a family), and each shard sums its rows of
   the partials (:func:`shard_splits`, on the worker of the shard's own partial). A
   node whose parent's histogram is kept and whose siblings are counted gets its
   own by subtraction (the largest child of each split, so the smaller ones are
   counted);
3. :func:`feature_splits` finds, shard by shard, every feature's best split at every
   node from the summed histogram: cuts between bins scored by the same criterion
   and growth rules as the exact search, categories by the exact categorical search
   on the histogram's count tensors;
4. the rules choose each node's feature (here, where their state and random draws
   live) and every chunk routes its entries to the children.

Only what a level decides travels back to the caller: class counts per node and
each feature's best split per node, never rows. The steps are plain functions of
their inputs; a :class:`Backend` runs them -- :class:`LocalBackend` in this process,
:class:`treelearn._dask.DaskBackend` on a ``dask.distributed`` cluster where every
chunk's state stays on its worker -- so both grow the same tree.

Memory: the histograms of one pass hold at most ``max_histogram_mb`` MiB (Spark
MLlib's ``maxMemoryInMB``); a level whose nodes need more is counted in several
passes over the data, node groups in id order. A level's histograms are kept (as
shards, where they were summed) for the next level's subtraction only when they fit
in one pass. On each worker the histograms of a pass are then about twice the
budget while its chunks are counted (the running sum and one chunk's), plus its
shard of the sum and of the kept level: neither the memory nor the bytes that
travel between workers grow with the number of chunks a worker holds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, Protocol

import numpy as np

from treelearn import _budget
from treelearn._binning import Bins, bin_data
from treelearn._builder import _Columns, best_first, one_sided_splits
from treelearn._growth_rules import GrowthRules
from treelearn._hist_cells import (
    entry_cells,
    entry_groups,
    group_entries,
    use_entry_cells,
)
from treelearn._hist_sparse import (
    SparseChunk,
    fit_sparse_bins,
    new_sparse_chunk,
    sparse_histogram,
    sparse_splits,
)
from treelearn._missing import fractional_shares, learned_shares, sample_counts
from treelearn._routing import fan_out
from treelearn._scratch import Scratch
from treelearn._sparse_store import choose_from_pairs
from treelearn._sparse_values import SparseColumns
from treelearn._split_hist import (
    FeatureSplits,
    PairSplits,
    feature_splits,
    new_feature_splits,
    search_cells,
)
from treelearn._tolerances import J48_SMALL
from treelearn._tree import SPLIT_CATEGORICAL, SPLIT_NUMERIC, Tree
from treelearn.criteria import SplitCriterion
from treelearn.criteria._checked import CheckedCriterion, check_every_level

__all__ = [
    "DEFAULT_HISTOGRAM_MB",
    "Backend",
    "Chunk",
    "LocalBackend",
    "accumulate",
    "build_hist_tree",
    "build_tree_hist",
    "check_missing_strategy",
    "chunk_counts",
    "chunk_histogram",
    "new_chunk",
    "route_chunk",
    "unit_entries",
]

#: Default of ``max_histogram_mb``: MiB of histograms counted in one pass.
DEFAULT_HISTOGRAM_MB = 256.0

#: Cells of one ``bincount`` call over a chunk's entries × features (a block of
#: entries; the histogram itself is added to per block).
_BLOCK_CELLS = 2**22


# -- the state of one chunk, and the steps every chunk runs -----------------------------
@dataclass
class Chunk:
    """One chunk's rows (bin codes, labels, weights) and its entries at the level."""

    codes: np.ndarray  # uint8 [n, P]
    y: np.ndarray  # intp [n]
    w: np.ndarray  # float64 [n]
    e_row: np.ndarray  # [m] row of each entry
    e_w: np.ndarray  # [m] weight of each entry
    e_node: np.ndarray  # [m] node of each entry, within the level (0 .. L-1)

    def code_at(self, rows: np.ndarray, features: np.ndarray) -> np.ndarray:
        """Code of every (row, feature) pair (``uint8``, as stored)."""
        # (a flat take: several times faster than codes[rows, features]; codes is C-contiguous)
        flat = rows * self.codes.shape[1]
        flat += features
        return np.take(self.codes.reshape(-1), flat)


def new_chunk(codes: np.ndarray, y: np.ndarray, w: np.ndarray) -> Chunk:
    """A chunk whose entries are its rows, all at the root."""
    n = codes.shape[0]
    w = np.asarray(w, dtype=np.float64)
    return Chunk(
        np.ascontiguousarray(codes, dtype=np.uint8),
        np.asarray(y, dtype=np.intp),
        w,
        np.arange(n, dtype=np.intp),
        w,  # the entries' weights are the rows' until routed (never written in place)
        np.zeros(n, dtype=np.intp),
    )


def chunk_counts(chunk: Chunk, n_nodes: int, n_classes: int) -> tuple[np.ndarray, np.ndarray]:
    """Weighted class counts ``[L, K]`` and entries ``[L]`` per node of one chunk."""
    K = n_classes
    local = chunk.e_node
    counts = np.bincount(
        local * K + chunk.y[chunk.e_row], weights=chunk.e_w, minlength=n_nodes * K
    ).reshape(n_nodes, K)
    counts = counts.astype(np.float64, copy=False)  # an empty chunk counts in integers
    return counts, np.bincount(local, minlength=n_nodes)


def chunk_histogram(
    chunk: Chunk | SparseChunk,
    row_of: np.ndarray,
    n_rows: int,
    n_codes: int,
    n_classes: int,
    unit: bool,
) -> tuple[np.ndarray, np.ndarray | None]:
    """Histograms of the nodes ``row_of >= 0`` (row ``row_of[node]``) of one chunk.

    Returns the weighted ``[R, P, B, K]`` histogram (``float64``; ``int64`` when
    every entry weighs 1 -- ``unit`` --, the counts exact either way, and converted
    where they are searched) and, unless ``unit``, the entry counts ``[R, P, B]``.
    """
    if isinstance(chunk, SparseChunk):  # codes of the non-zeros only
        return sparse_histogram(chunk, row_of, n_rows, n_codes, n_classes, unit)
    P = chunk.codes.shape[1]
    B, K = n_codes, n_classes
    r = row_of[chunk.e_node]
    sel = np.flatnonzero(r >= 0)
    if unit:
        return _unit_histogram(chunk, r, sel, n_rows, B, K), None
    cells = n_rows * P * B * K
    hist = np.zeros(cells, dtype=np.float64)
    n_hist = np.zeros(n_rows * P * B, dtype=np.int64)
    step = max(_BLOCK_CELLS // max(P, 1), cells // max(P * 4, 1), 1)
    feat = np.arange(P, dtype=np.intp)
    for a in range(0, sel.size, step):
        s = sel[a : a + step]
        rows = chunk.e_row[s]
        code = np.take(chunk.codes, rows, axis=0)  # [b, P] (np.take: a faster row gather)
        cell = ((r[s] * P)[:, None] + feat) * B + code
        n_hist += np.bincount(cell.ravel(), minlength=n_rows * P * B)
        key = (cell * K + chunk.y[rows][:, None]).ravel()
        hist += np.bincount(key, weights=np.repeat(chunk.e_w[s], P), minlength=cells)
    return hist.reshape(n_rows, P, B, K), n_hist.reshape(n_rows, P, B)


def _unit_histogram(chunk: Chunk, r: np.ndarray, sel: np.ndarray, n_rows: int, B: int,
                    K: int) -> np.ndarray:  # fmt: skip
    """:func:`chunk_histogram` of unit entries ``sel`` (histogram row ``r[e]`` of entry
    ``e``): ``int64`` counts ``[R, P, B, K]``.

    Counted feature by feature (one ``bincount`` of ``R × B × K`` cells each, small
    enough to stay in cache, where one over every feature's cells misses it: 1.5-2.3×
    faster at 16-2048 rows), from a block of the entries' codes transposed to
    feature-major order."""
    P = chunk.codes.shape[1]
    width = n_rows * B * K
    hist = np.empty((n_rows, P, width // max(n_rows, 1)), dtype=np.int64)
    if sel.size == 0:
        hist.fill(0)
        return hist.reshape(n_rows, P, B, K)
    dtype = np.int32 if width < 2**31 else np.int64
    step = max(_BLOCK_CELLS // max(P, 1), 1)  # entries of one transposed block
    key = np.empty(min(step, sel.size), dtype=dtype)
    for a in range(0, sel.size, step):
        s = sel[a : a + step]
        rows = np.take(chunk.e_row, s)
        # row and class of each entry; its code per feature from the block [P, b]
        base = (np.take(r, s) * (B * K) + np.take(chunk.y, rows)).astype(dtype)
        codes = np.ascontiguousarray(np.take(chunk.codes, rows, axis=0).T)
        k = key[: s.size]
        for f in range(P):
            np.add(base, codes[f], out=k)
            for _ in range(K - 1):  # (+ code * K without a temporary)
                k += codes[f]
            counted = np.bincount(k, minlength=width).reshape(n_rows, -1)
            if a == 0:
                hist[:, f] = counted
            else:
                hist[:, f] += counted
    return hist.reshape(n_rows, P, B, K)


@dataclass
class Routing:
    """What one level decided, as the chunks need it to move their entries."""

    feature: np.ndarray  # [L] split feature, -1 for a leaf
    kind: np.ndarray  # [L]
    cut: np.ndarray  # [L] numeric: codes <= cut go left
    table_row: np.ndarray  # [L] row of the node in ``tables``, -1 if none
    tables: np.ndarray  # [t, n_codes] code -> child slot, -1 absent (int32)
    first_local: np.ndarray  # [L] first child, within the next level
    n_children: np.ndarray  # [L]
    fraction: np.ndarray  # [n_next] each child's share of its parent's known weight
    missing_code: int
    # [L] "learned": the child slot of the node's missing cases (-1: fractional copies)
    missing_slot: np.ndarray


def route_chunk(chunk: Chunk | SparseChunk, routing: Routing) -> Chunk | SparseChunk:
    """The chunk's entries at the next level: a missing value goes to its node's
    ``missing_slot``, or where the node has none as fractional copies."""
    local = chunk.e_node
    node_feat = routing.feature[local]
    idx = np.flatnonzero(node_feat >= 0)
    nl = local[idx]
    rows = chunk.e_row[idx]
    code = chunk.code_at(rows, node_feat[idx])
    if routing.tables.shape[0] == 0 and not (code == routing.missing_code).any():
        # numeric cuts only, no missing value: left (0) or right (1), no masks
        child = np.take(routing.first_local, nl)
        child += code > np.take(routing.cut, nl)
        return replace(chunk, e_row=rows, e_w=chunk.e_w[idx], e_node=child)
    slot = np.full(idx.size, -1, dtype=np.intp)
    known = code != routing.missing_code
    num = known & (routing.kind[nl] == SPLIT_NUMERIC)
    slot[num] = (code[num] > routing.cut[nl[num]]).astype(np.intp)
    tr = routing.table_row[nl]
    cat = known & (tr >= 0)
    slot[cat] = routing.tables[tr[cat], code[cat]]
    to_slot = ~known & (routing.missing_slot[nl] >= 0)  # "learned": whole, to one side
    slot[to_slot] = routing.missing_slot[nl[to_slot]]
    routed = slot >= 0
    child = routing.first_local[nl] + slot
    if routed.all():
        return replace(chunk, e_row=rows, e_w=chunk.e_w[idx], e_node=child)
    miss = np.flatnonzero(~routed)
    rep, rep_child, share = fan_out(
        nl[miss], routing.first_local, routing.n_children, routing.fraction, min_share=J48_SMALL
    )
    rep = miss[rep]
    src = np.concatenate([np.flatnonzero(routed), rep])
    new_child = np.concatenate([child[routed], rep_child])
    new_w = np.concatenate([chunk.e_w[idx[routed]], chunk.e_w[idx[rep]] * share])
    o = np.lexsort((new_child, src))  # by source entry, copies in child order
    return replace(chunk, e_row=rows[src[o]], e_w=new_w[o], e_node=new_child[o])


def assemble(
    computed: tuple[np.ndarray, np.ndarray | None],
    parent_rows: tuple[np.ndarray, np.ndarray | None] | None,
    derive_row: np.ndarray,
    sibling_rows: np.ndarray,
) -> tuple[np.ndarray, np.ndarray | None]:
    """A group's histograms: counted rows, and derived ones by subtraction.

    Row ``derive_row[i]`` is its parent's histogram (row ``i`` of ``parent_rows``)
    minus its siblings' (rows ``sibling_rows[i]``, ``-1`` padded).
    """
    hist, n_hist = computed
    if parent_rows is None or derive_row.size == 0:
        return hist, n_hist
    ph, pn = parent_rows
    if ((sibling_rows >= 0).sum(axis=1) == 1).all():  # one sibling each (binary splits):
        # one gather of the siblings and one write of the differences
        sib = sibling_rows.max(axis=1)
        for h, p in ((hist, ph), (n_hist, pn)):
            if h is not None and p is not None:
                diff = np.take(h, sib, axis=0)
                np.subtract(p, diff, out=diff)
                h[derive_row] = diff
        return hist, n_hist
    hist[derive_row] = ph
    if n_hist is not None and pn is not None:
        n_hist[derive_row] = pn
    for k in range(sibling_rows.shape[1]):
        at = sibling_rows[:, k] >= 0
        hist[derive_row[at]] -= hist[sibling_rows[at, k]]
        if n_hist is not None:
            n_hist[derive_row[at]] -= n_hist[sibling_rows[at, k]]
    return hist, n_hist


def _add_into(total: tuple, part: tuple) -> None:
    """Add ``part``'s arrays to ``total``'s in place, array by array (``None`` kept)."""
    for t, p in zip(total, part, strict=True):
        if t is not None:
            t += p


def _sum_in_order(parts: tuple) -> tuple:
    """The array-by-array sum of ``parts`` in their order, in fresh arrays."""
    total = tuple(None if a is None else a.copy() for a in parts[0])
    for part in parts[1:]:
        _add_into(total, part)
    return total


def add_histograms(*parts: tuple) -> tuple[np.ndarray, np.ndarray | None]:
    """The sum of chunks' ``(histogram, counts)`` pairs, in chunk order (one chunk's
    own pair when it is the only one: every pair is counted afresh per pass)."""
    return parts[0] if len(parts) == 1 else _sum_in_order(parts)


def add_counts(*parts: tuple) -> tuple[np.ndarray, np.ndarray]:
    """The sum of chunks' ``(counts, entries)`` per node, in chunk order."""
    return _sum_in_order(parts)


def accumulate(fn: Callable, args: tuple, *states: Any) -> tuple:
    """``fn(state, *args)`` summed over ``states`` in their order, array by array
    (``None`` kept): one state's result is held beside the running sum, however many
    states there are (a worker's chunks). ``fn`` returns fresh arrays (the first is the
    sum)."""
    total = fn(states[0], *args)
    for state in states[1:]:
        _add_into(total, fn(state, *args))
    return total


def rows_of(pair: tuple, a: int, b: int) -> tuple:
    """Rows ``a:b`` of a ``(histogram, counts)`` pair (views)."""
    hist, n_hist = pair
    return hist[a:b], None if n_hist is None else n_hist[a:b]


def take_rows(pair: tuple, rows: np.ndarray) -> tuple:
    """Rows ``rows`` of a ``(histogram, counts)`` pair (copies)."""
    hist, n_hist = pair
    return np.take(hist, rows, axis=0), None if n_hist is None else np.take(n_hist, rows, axis=0)


def shard_splits(pieces, parents, derive_row, sibling_rows, rows, node_counts, bins,
                 n_categories, criterion, rules, unit) -> tuple:  # fmt: skip
    """One shard of a group's nodes (a range of its histogram rows): the sum of the
    partial histograms ``pieces`` (one per worker, in order), the derived rows
    (:func:`assemble`; ``parents``: ``(positions, rows)`` pieces of the derived nodes'
    parents' histograms) and the best split of every feature at the shard's rows
    ``rows`` (``node_counts``: their class counts, missing values included). Returns
    ``(FeatureSplits, histograms)``."""
    hist, n_hist = add_histograms(*pieces)
    parent_rows = None
    if len(parents) == 1 and parents[0][0].size == derive_row.size:
        parent_rows = parents[0][1]  # one piece holds every row, in order: no copy
    elif derive_row.size:
        ph = np.empty((derive_row.size, *hist.shape[1:]), dtype=hist.dtype)
        pn = None if n_hist is None else np.empty((derive_row.size, *n_hist.shape[1:]), np.int64)
        for pos, (h, n) in parents:
            ph[pos] = h
            if pn is not None:
                pn[pos] = n
        parent_rows = (ph, pn)
    summed = assemble((hist, n_hist), parent_rows, derive_row, sibling_rows)
    found = feature_splits(
        summed[0], summed[1], rows, node_counts.sum(axis=1), bins, n_categories, criterion,
        rules, unit, node_counts,
    )  # fmt: skip
    return found, summed


def _item(parts: tuple, i: int) -> Any:
    return parts[i]


def _shard_cuts(family: np.ndarray, n_shards: int) -> np.ndarray:
    """Row ranges ``cuts[s]:cuts[s + 1]`` of about equal size over a group's nodes
    (their parents ``family``, sorted), never splitting a family (a derived node and
    its siblings are in one shard); no range is empty."""
    n = family.size
    if n_shards <= 1 or n <= 1:
        return np.array([0, n], dtype=np.intp)
    starts = np.flatnonzero(np.r_[True, family[1:] != family[:-1]])
    targets = (np.arange(1, n_shards) * n) // n_shards
    at = np.searchsorted(starts, targets)
    cuts = np.where(at < starts.size, starts[np.minimum(at, starts.size - 1)], n)
    return np.unique(np.r_[0, cuts, n])


# -- where the steps run -----------------------------------------------------------------
class Backend(Protocol):
    """Runs the steps: ``map`` over the chunks' states, ``partial_sums`` of a step over
    them (one sum per place the states are, summed there), ``submit`` one step (by
    ``near``'s result, where it lives), ``gather`` results."""

    def map(self, fn, states: list, *args) -> list: ...
    def partial_sums(self, fn, states: list, *args) -> list: ...
    def submit(self, fn, *args, near: Any = None) -> Any: ...
    def gather(self, handle) -> Any: ...
    def gather_all(self, handles: list) -> list: ...
    def replace_states(self, states: list) -> None: ...

    states: list


class LocalBackend:
    """Every step in this process, on in-memory chunks."""

    def __init__(self, chunks: list[Chunk | SparseChunk]):
        self.states: list = list(chunks)

    def map(self, fn: Callable, states: list, *args: Any) -> list:
        return [fn(s, *args) for s in states]

    def partial_sums(self, fn: Callable, states: list, *args: Any) -> list:
        return [accumulate(fn, args, *states)]

    def submit(self, fn: Callable, *args: Any, near: Any = None) -> Any:
        return fn(*args)

    def gather(self, handle: Any) -> Any:
        return handle

    def gather_all(self, handles: list) -> list:
        return list(handles)

    def replace_states(self, states: list) -> None:
        self.states = states


def level_counts(backend: Backend, states: list, n_nodes: int, n_classes: int) -> tuple:
    """The level's class counts ``[L, K]`` and entries ``[L]`` per node, over all chunks."""
    parts = backend.gather_all(backend.partial_sums(chunk_counts, states, n_nodes, n_classes))
    return add_counts(*parts)


# -- the level loop ------------------------------------------------------------------------
def _plan_level(n_ent, splittable, prev_split):
    """Which nodes of the level are counted and which are derived by subtraction.

    ``prev_split`` describes the previous level's splits (first child, children,
    whether the parent's histogram is kept and is the sum of its children's).
    Returns ``(counted, derived)`` masks over the level's nodes and, per derived
    node, its parent's row in the kept histograms and its siblings.
    """
    L = n_ent.size
    counted = splittable.copy()
    derived = np.zeros(L, dtype=bool)
    empty = np.empty(0, dtype=np.intp)
    if prev_split is None:
        return counted, derived, empty, np.empty((0, 0), dtype=np.intp)
    first, n_children, exact_sum, prow = prev_split
    par = np.flatnonzero((n_children > 0) & exact_sum & (prow >= 0))
    if par.size == 0:
        return counted, derived, empty, np.empty((0, 0), dtype=np.intp)
    width = int(n_children[par].max())
    slots = first[par][:, None] + np.arange(width)
    real = np.arange(width) < n_children[par][:, None]
    sizes = np.where(real, n_ent[np.minimum(slots, L - 1)], -1)
    big = np.argmax(sizes, axis=1)  # the largest child (first of equal ones)
    big_node = slots[np.arange(par.size), big]
    use = splittable[big_node]
    par, slots, real, big, big_node = par[use], slots[use], real[use], big[use], big_node[use]
    derived[big_node] = True
    counted[big_node] = False
    others = real.copy()
    others[np.arange(par.size), big] = False
    counted[slots[others]] = True
    sib = np.where(others, slots, -1)
    return counted, derived, prow[par], sib


def build_hist_tree(
    backend: Backend,
    bins: Bins,
    n_classes: int,
    n_categories: np.ndarray,
    criterion: SplitCriterion,
    rules: GrowthRules,
    total_weight: float,
    unit_weight: float,
    unit: bool,
    max_histogram_mb: float = DEFAULT_HISTOGRAM_MB,
    weighted: bool | None = None,
    cells: bool = False,
) -> Tree:
    """Grow a tree by ``rules`` on the chunks of ``backend`` (see the module docstring).

    ``unit`` says every entry weighs 1: unit row weights, and no value missing or
    ``missing_values="learned"`` (no fractional copies; entry counts are then the
    weighted histogram's sums; :func:`unit_entries`); ``unit_weight`` is the
    smallest row weight; ``weighted`` says some row weight is not 1 (``None``: not ``unit``).

    ``cells``: the chunk is sparse X (one :class:`~treelearn._hist_sparse.SparseChunk`),
    searched over its non-empty histogram cells
    (:func:`~treelearn._hist_sparse.sparse_splits`) instead of dense histograms, so
    that a level costs its nodes' non-zeros, never nodes × features × bins.

    Sizes are counted as the exact builder counts them: entries, or under
    ``missing_values="fractional"`` once some entry weighs other than 1 (weights, or
    fractional copies of rows) samples in weight (:func:`treelearn._missing.sample_counts`).
    """
    K = n_classes
    P = bins.n_bins.size
    B = bins.n_codes
    cols = _Columns(K)
    lo, L = 0, 1
    parent = np.array([-1], dtype=np.int32)
    depth = 0
    missing_fraction = np.ones(1)
    per_node = P * B * 8 * (K + (0 if unit else 1))
    group_nodes = max(1, int(max_histogram_mb * 2**20 // per_node))
    plain, every = criterion, check_every_level()
    guarded = CheckedCriterion(plain)
    prev_split = None  # the previous level's splits, for subtraction
    prev_hist = None  # its histograms, when kept: (first row, end row, handle) per shard
    fractional = rules.missing_values == "fractional"
    copied = False  # whether some entry is a fractional copy of a row
    weighted = (not unit) if weighted is None else weighted
    next_counts = None  # the level's (counts, entries), when the guard counted them
    scratch = Scratch()  # entry_cells' working arrays, from level to level
    while L:
        crit = guarded if depth == 0 or every else plain
        _budget.check_level(cols.node_count, L, K, depth)
        if next_counts is None:
            next_counts = level_counts(backend, backend.states, L, K)
        counts, n_ent = next_counts
        next_counts = None
        impurity = crit.impurity(counts)
        # "fractional": sizes in weight (a copy of a row counts its share of it)
        in_weight = fractional and (copied or weighted)
        if in_weight:
            samples = sample_counts(counts, unit_weight)
            splittable = rules.may_split(counts, samples.sum(axis=1), depth, samples)
        else:
            splittable = rules.may_split(counts, n_ent, depth)
        sample_unit = unit_weight if in_weight else None
        node_weight = counts.sum(axis=1)
        if not cells:  # sparse X's pairs are kept as a list (PairSplits), not [L, P]
            gains = np.full((L, P), -np.inf)
            scores = np.full((L, P), -np.inf)
            valid = np.zeros((L, P), dtype=bool)
        found: list[tuple[np.ndarray, FeatureSplits]] = []
        pairs = PairSplits.concatenate([])
        kept_hist, kept_row = None, np.full(L, -1, dtype=np.intp)
        if splittable.any() and cells:
            searched = np.flatnonzero(splittable)
            row_of = np.full(L, -1, dtype=np.intp)
            row_of[searched] = np.arange(searched.size)
            parts = backend.map(sparse_splits, backend.states, row_of, counts[searched],
                                n_ent[searched], bins, crit, rules, sample_unit, unit)  # fmt: skip
            if len(parts) != 1:
                raise ValueError("sparse X is searched in one chunk only")
            pairs = backend.gather(parts[0])
            pairs.row = searched[pairs.row]  # the level's nodes
        elif splittable.any() and _from_entries(backend, bins, unit, n_ent, splittable):
            found = _search_entries(backend.states[0], splittable, n_ent, node_weight, bins, K,
                                    crit, rules, max_histogram_mb, scratch)  # fmt: skip
            for g, got in found:
                gains[g], scores[g], valid[g] = got.gain, got.score, got.valid
        elif splittable.any():
            counted, derived, d_prow, d_sib = _plan_level(
                n_ent, splittable, prev_split if prev_hist is not None else None
            )
            with_hist = np.flatnonzero(counted | derived)
            # node groups of at most group_nodes histograms, cut between families
            # (a derived node's siblings are in its group)
            groups = _groups(with_hist, parent, group_nodes)
            d_nodes = np.flatnonzero(derived)
            for g in groups:
                row_of = np.full(L, -1, dtype=np.intp)
                row_of[g] = np.arange(g.size)
                count_row = np.where(counted, row_of, -1)
                # one histogram per worker, summed there over its chunks; the sum over
                # workers and the search sharded by node range, shard s by worker s
                partials = backend.partial_sums(chunk_histogram, backend.states, count_row,
                                                g.size, B, K, unit)  # fmt: skip
                sel = np.isin(d_nodes, g)
                derive = (row_of[d_nodes[sel]], d_prow[sel], d_sib[sel])
                got, kept = _search_shards(
                    backend, partials, g, row_of, parent, derive, prev_hist, splittable,
                    counts, bins, n_categories, crit, rules, sample_unit, len(groups) == 1,
                )  # fmt: skip
                del partials
                for nodes, res in got:
                    gains[nodes], scores[nodes], valid[nodes] = res.gain, res.score, res.valid
                found.extend(got)
                if kept is not None:
                    kept_hist = kept
                    kept_row[g] = np.arange(g.size)
        if cells:
            split = _choose_pairs(rules, crit, pairs, splittable, node_weight, total_weight, bins)
        else:
            split = _choose(rules, crit, gains, scores, valid, splittable, node_weight,
                            total_weight, found, bins)  # fmt: skip
        routed = _route_guarded(backend, split, bins, rules, K)
        is_split = split["feature"] >= 0
        # a split whose feature misses values at the node copies those entries
        copied = copied or bool((is_split & ~split["exact_sum"]).any())
        first_child = np.full(L, -1, dtype=np.int32)
        next_lo = lo + L
        offsets = np.cumsum(split["n_children"]) - split["n_children"]
        first_child[is_split] = next_lo + offsets[is_split]
        numeric = split["kind"] == SPLIT_NUMERIC
        cols.add(
            feature=np.where(is_split, split["feature"], -2),
            threshold=np.where(numeric, split["threshold"], np.where(is_split, np.nan, -2.0)),
            split_kind=split["kind"],
            first_child=first_child,
            n_children=split["n_children"],
            parent=parent,
            depth=np.full(L, depth),
            impurity=impurity,
            split_score=np.where(is_split, split["score"], np.nan),
            gain=np.where(is_split, split["gain"], np.nan),
            n_node_samples=n_ent,
            missing_fraction=missing_fraction,
            value=counts,
        )
        for nodes, table in split["col_tables"]:
            cols.tables.append((lo + nodes, table))
        if routed is None:
            break
        states, next_counts, first_local, stored = routed
        n_next = int(split["n_children"].sum())
        backend.replace_states(states)
        prev_split = (first_local, split["n_children"], split["exact_sum"], kept_row)
        prev_hist = kept_hist
        missing_fraction = stored
        parent = np.repeat(np.arange(lo, lo + L, dtype=np.int32), split["n_children"])
        depth += 1
        lo, L = next_lo, n_next
    tree = cols.finish(P, n_categories, unit_weight)
    if rules.max_leaf_nodes is not None:
        tree = best_first(tree, rules.max_leaf_nodes, total_weight)
    return tree


def _search_shards(backend, partials, g, row_of, parent, derive, prev_hist, splittable,
                   counts, bins, n_categories, crit, rules, sample_unit,
                   keep) -> tuple:  # fmt: skip
    """The split search of a node group ``g`` from its partial histograms (one per
    worker), sharded by node range (:func:`_shard_cuts`): shard ``s`` sums its rows of
    every partial on the worker of partial ``s`` (:func:`shard_splits`), derived rows
    from their parents' rows in ``prev_hist``'s shards. Returns ``(nodes, splits)`` per
    shard and, when ``keep``, the shards' histograms as ``(first row, end row, handle)``."""
    d_rows, d_par, sib = derive
    sib_rows = np.where(sib >= 0, row_of[np.maximum(sib, 0)], -1)
    cuts = _shard_cuts(parent[g], len(partials))
    jobs = []
    for s, (a, b) in enumerate(zip(cuts[:-1].tolist(), cuts[1:].tolist(), strict=True)):
        pieces = [backend.submit(rows_of, p, a, b, near=p) for p in partials]
        here = np.flatnonzero((d_rows >= a) & (d_rows < b))
        pr = d_par[here]
        parents = []
        for lo_t, hi_t, kept_t in prev_hist or ():
            at = np.flatnonzero((pr >= lo_t) & (pr < hi_t))
            if at.size:
                parents.append((at, backend.submit(take_rows, kept_t, pr[at] - lo_t, near=kept_t)))
        rows = np.flatnonzero(splittable[g[a:b]])
        job = backend.submit(
            shard_splits, pieces, parents, d_rows[here] - a,
            np.where(sib_rows[here] >= 0, sib_rows[here] - a, -1), rows,
            counts[g[a + rows]], bins, n_categories, crit, rules, sample_unit,
            near=partials[min(s, len(partials) - 1)],
        )  # fmt: skip
        jobs.append((a, b, rows, job))
    results = backend.gather_all([backend.submit(_item, job, 0, near=job) for *_, job in jobs])
    got = [(g[a + rows], res) for (a, _, rows, _), res in zip(jobs, results, strict=True)]
    kept = None
    if keep:
        kept = [(a, b, backend.submit(_item, job, 1, near=job)) for a, b, _, job in jobs]
    return got, kept


def _search_entries(chunk, splittable, n_ent, node_weight, bins, K, crit, rules, max_mb,
                    scratch) -> list[tuple[np.ndarray, FeatureSplits]]:  # fmt: skip
    """Every feature's best split at the level's splittable nodes, searched over the
    cells counted from the entries (:func:`treelearn._hist_cells.entry_cells`), in
    groups of nodes (:func:`~treelearn._hist_cells.entry_groups`): ``(nodes, splits)``
    per group, as the dense search gives them."""
    L, P, B = splittable.size, bins.n_bins.size, bins.n_codes
    searched = np.flatnonzero(splittable)
    found = []
    groups = entry_groups(searched, n_ent[searched], P, B, max_mb * 2**20)
    row_of = np.full(L, -1, dtype=np.intp)
    # runs of one class as one cell: the search ranks boundary points only, all admitted
    runs = bool(crit.concave) and rules.admits_every_cut
    learned = rules.missing_values == "learned"
    for g, entries in zip(groups, group_entries(chunk, groups, L), strict=True):
        row_of[g] = np.arange(g.size)  # (only the group's own nodes are read)
        res = new_feature_splits(g.size, P)
        cells = entry_cells(chunk, row_of, g.size, B, K, scratch, entries, learned, runs)
        pairs = search_cells(cells, node_weight[g], bins, crit, rules, True, False)
        if pairs is not None:
            pairs.write(res)
        found.append((g, res))
    return found


def _from_entries(backend, bins, unit, n_ent, splittable) -> bool:
    """Whether the level is searched over cells counted from its entries
    (:func:`treelearn._hist_cells.entry_cells`, by its rule
    :func:`~treelearn._hist_cells.use_entry_cells`): one dense chunk in this process,
    unit entries (no fractional copy) and numeric features only (cells bit for bit
    the dense ones)."""
    return (
        unit
        and isinstance(backend, LocalBackend)
        and len(backend.states) == 1
        and isinstance(backend.states[0], Chunk)
        and not bins.is_categorical.any()
        and use_entry_cells(int(n_ent[splittable].sum()), int(splittable.sum()), bins.n_codes)
    )


def _route_guarded(backend, split, bins, rules, K):
    """Route the chunks' entries by the level's ``split`` (``None`` when no node
    splits): the next level's states and ``(counts, entries)``, each node's first
    child (local to the next level) and the children's stored missing fractions.

    The exact builder's guard (:func:`treelearn._builder.one_sided_splits`): a split
    that sends all of a node's entries to one child makes the node a leaf, and the
    level is routed again without it."""
    while True:  # at most twice
        n_children = split["n_children"]
        n_next = int(n_children.sum())
        if n_next == 0:
            return None
        is_split = split["feature"] >= 0
        offsets = np.cumsum(n_children) - n_children
        first_local = np.where(is_split, offsets, -1).astype(np.intp)
        fraction, child_w = _fractions(split, n_next)
        routing = Routing(
            split["feature"], split["kind"], split["cut"], split["table_row"], split["tables"],
            first_local, n_children.astype(np.intp), fraction, bins.missing_code,
            split["missing_slot"],
        )  # fmt: skip
        states = backend.map(route_chunk, backend.states, routing)
        counts = level_counts(backend, states, n_next, K)
        one_sided = one_sided_splits(is_split, n_children, counts[1])
        if one_sided.size == 0:
            stored = fraction
            if rules.missing_values == "learned":  # one-hot: the missing cases' side,
                # or where a node met none the heavier child
                stored = learned_shares(n_children.astype(np.intp), child_w, split["missing_slot"])
            return states, counts, first_local, stored
        _make_hist_leaves(split, one_sided)


def _make_hist_leaves(split: dict, nodes: np.ndarray) -> None:
    """Undo the chosen splits of ``nodes`` (local ids) in :func:`_choose`'s output."""
    split["feature"][nodes] = -1
    split["kind"][nodes] = 0
    split["threshold"][nodes] = np.nan
    split["cut"][nodes] = 0
    split["n_children"][nodes] = 0
    split["score"][nodes] = np.nan
    split["gain"][nodes] = np.nan
    split["exact_sum"][nodes] = False
    split["missing_slot"][nodes] = -1
    split["table_row"][nodes] = -1
    split["col_tables"] = [
        (ids[keep], table[keep])
        for ids, table in split["col_tables"]
        if (keep := ~np.isin(ids, nodes)).any()
    ]
    split["child_w"] = [
        (ids[keep], w[keep]) for ids, w in split["child_w"] if (keep := ~np.isin(ids, nodes)).any()
    ]


def _groups(nodes: np.ndarray, parent_local: np.ndarray, size: int) -> list[np.ndarray]:
    """``nodes`` (sorted) in groups of at most ``size``, never splitting a family
    (a group may exceed ``size`` by one family)."""
    if nodes.size <= size:
        return [nodes]
    fam = parent_local[nodes]
    new_family = np.r_[True, fam[1:] != fam[:-1]]
    groups, start = [], 0
    starts = np.flatnonzero(new_family)
    for s in starts[1:].tolist():
        if s - start >= size:
            groups.append(nodes[start:s])
            start = s
    groups.append(nodes[start:])
    return groups


def _no_splits(L: int, bins: Bins) -> dict:
    """A level of ``L`` nodes none of which splits (what :func:`_choose` fills in)."""
    out: dict[str, Any] = {
        "feature": np.full(L, -1, dtype=np.intp),
        "kind": np.zeros(L, dtype=np.int8),
        "threshold": np.full(L, np.nan),
        "cut": np.zeros(L, dtype=np.intp),
        "n_children": np.zeros(L, dtype=np.int32),
        "score": np.full(L, np.nan),
        "gain": np.full(L, np.nan),
        "exact_sum": np.zeros(L, dtype=bool),
        "missing_slot": np.full(L, -1, dtype=np.intp),  # "learned": missing cases' child
        "table_row": np.full(L, -1, dtype=np.intp),
        "tables": np.zeros((0, bins.n_codes), dtype=np.int32),
        "col_tables": [],
        "child_w": [],
    }
    return out


def _choose_pairs(rules, crit, pairs, splittable, node_weight, total_weight, bins) -> dict:
    """:func:`_choose` for sparse X, from the (node, feature) pairs that found a
    split (:class:`~treelearn._split_hist.PairSplits`, ``row`` the level's node, in
    increasing (node, feature) order): the feature choice of
    :func:`treelearn._sparse_store.choose_from_pairs`, no ``[nodes, features]`` table.
    Sparse X has numeric features and no missing values only."""
    L = splittable.size
    out = _no_splits(L, bins)
    if not splittable.any():  # (no pair: the rules may still draw features, as _choose)
        return out
    nodes, win, pick = choose_from_pairs(pairs.row, pairs.feature, pairs.gain, pairs.score,
                                         splittable, bins.n_bins.size, crit, rules)  # fmt: skip
    g = pairs.gain[pick]
    keep = rules.keep_splits(g, node_weight[nodes], total_weight)
    nodes, win, pick = nodes[keep], win[keep], pick[keep]
    out["feature"][nodes] = win
    out["score"][nodes] = pairs.score[pick]
    out["gain"][nodes] = g[keep]
    out["exact_sum"][nodes] = True
    out["missing_slot"][nodes] = pairs.missing_slot[pick]
    out["kind"][nodes] = SPLIT_NUMERIC
    out["threshold"][nodes] = pairs.threshold[pick]
    out["cut"][nodes] = pairs.cut[pick]
    out["n_children"][nodes] = 2
    out["child_w"] = [(nodes, pairs.child_w[pick])]
    return out


def _choose(rules, crit, gains, scores, valid, splittable, node_weight, total_weight, found,
            bins) -> dict:  # fmt: skip
    """Each node's split (the rules and the criterion decide) and how to route it."""
    L = gains.shape[0]
    out = _no_splits(L, bins)
    if not splittable.any():
        return out
    valid = valid & splittable[:, None]
    valid = rules.sample_features(valid)
    winner = rules.select_feature(crit, gains, scores, valid)
    nodes = np.flatnonzero(winner >= 0)
    win = winner[nodes]
    g = gains[nodes, win]
    keep = rules.keep_splits(g, node_weight[nodes], total_weight)
    nodes, win, g = nodes[keep], win[keep], g[keep]
    out["feature"][nodes] = win
    out["score"][nodes] = scores[nodes, win]
    out["gain"][nodes] = g
    table_parts = []
    n_tab = 0
    child_w = []
    # "learned" sends a node's missing cases whole to one child: its children's
    # histograms add up to its own, as without missing values
    learned = rules.missing_values == "learned"
    for group_nodes, res in found:
        at = np.isin(nodes, group_nodes)
        gn, gw = nodes[at], win[at]
        row = np.searchsorted(group_nodes, gn)
        out["exact_sum"][gn] = (res.n_missing[row, gw] == 0) | learned
        out["missing_slot"][gn] = res.missing_slot[row, gw]
        num = ~bins.is_categorical[gw]
        n_nodes, n_rows, n_f = gn[num], row[num], gw[num]
        out["kind"][n_nodes] = SPLIT_NUMERIC
        out["threshold"][n_nodes] = res.threshold[n_rows, n_f]
        out["cut"][n_nodes] = res.cut[n_rows, n_f]
        out["n_children"][n_nodes] = 2
        child_w.append((n_nodes, res.child_w[n_rows, n_f]))
        for f in np.unique(gw[~num]).tolist():
            sel = gw == f
            tables, slot_w = res.tables[f]
            table = tables[row[sel]]
            out["kind"][gn[sel]] = SPLIT_CATEGORICAL
            out["n_children"][gn[sel]] = table.max(axis=1) + 1
            out["col_tables"].append((gn[sel], table))
            padded = np.full((table.shape[0], bins.n_codes), -1, dtype=np.int32)
            padded[:, : table.shape[1]] = table
            table_parts.append(padded)
            out["table_row"][gn[sel]] = n_tab + np.arange(table.shape[0])
            n_tab += table.shape[0]
            child_w.append((gn[sel], slot_w[row[sel]]))
    if table_parts:
        out["tables"] = np.concatenate(table_parts)
    out["child_w"] = child_w
    return out


def _fractions(split: dict, n_next: int) -> tuple[np.ndarray, np.ndarray]:
    """Each child's share of its parent's known weight (uniform when none is known),
    and that known weight."""
    n_children = split["n_children"]
    first = np.cumsum(n_children) - n_children
    child_w = np.zeros(n_next)
    for nodes, w in split["child_w"]:
        width = n_children[nodes]
        cols = np.arange(w.shape[1])
        use = cols < width[:, None]
        child_w[(first[nodes][:, None] + cols)[use]] = w[use]
    return fractional_shares(n_children, child_w), child_w


def check_missing_strategy(strategy: str) -> None:
    """Raise a clear ``ValueError`` for a ``missing_values`` strategy the histogram
    builder cannot grow by: it routes missing values ``"fractional"`` (C4.5) or
    ``"learned"`` (scikit-learn), and has no surrogate splits (their search ranks
    other features' exact cuts by agreement row by row)."""
    if strategy == "surrogate":
        raise ValueError(
            "splitter='hist' (and Dask input, which grows by it) has no surrogate splits; "
            "pass missing_values='learned' or 'fractional', or splitter='best'."
        )


def unit_entries(strategy: str, unit_weights: bool, has_missing: Callable[[], bool]) -> bool:
    """Whether every entry of a fit weighs 1 (``build_hist_tree``'s ``unit``): unit
    row weights, and no fractional copies -- none under ``"learned"``, which sends a
    missing value whole to one child, nor without missing values (``has_missing``
    is asked only when that matters)."""
    return unit_weights and (strategy == "learned" or not has_missing())


def build_tree_hist(
    X: np.ndarray | SparseColumns,
    y: np.ndarray,
    sample_weight: np.ndarray,
    n_classes: int,
    is_categorical: np.ndarray,
    n_categories: np.ndarray,
    criterion: SplitCriterion,
    rules: GrowthRules,
    max_bins: int = 255,
    max_histogram_mb: float = DEFAULT_HISTOGRAM_MB,
) -> Tree:
    """``splitter="hist"`` in this process on encoded data (exact quantile bins);
    sparse ``X`` stays sparse (:mod:`treelearn._hist_sparse`)."""
    _budget.check_classes(n_classes, X.shape[0], rules.max_depth)
    weighted = not bool((sample_weight == 1).all())
    chunk: Chunk | SparseChunk
    if isinstance(X, SparseColumns):  # numeric, no missing values: the same bins as dense
        bins, codes = fit_sparse_bins(
            X, max_bins, rules.numeric_gap, rules.place_thresholds,
            rules.thresholds_per_feature,
        )  # fmt: skip
        chunk = new_sparse_chunk(codes, y, sample_weight)
        unit = not weighted
    else:
        bins, dense_codes = bin_data(
            X, is_categorical, n_categories, max_bins, rules.numeric_gap, rules.place_thresholds
        )
        chunk = new_chunk(dense_codes, y, sample_weight)
        unit = unit_entries(rules.missing_values, not weighted, lambda: bool(np.isnan(X).any()))
    return build_hist_tree(
        LocalBackend([chunk]), bins, n_classes, n_categories, criterion, rules,
        float(sample_weight.sum()), float(sample_weight.min()), unit, max_histogram_mb,
        weighted, isinstance(chunk, SparseChunk),
    )  # fmt: skip
