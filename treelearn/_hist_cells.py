"""Dense bin codes at deep levels: the non-empty histogram cells, counted from the entries.

Deep in a fully grown tree a node holds a few rows but its histogram has
``features × codes × classes`` cells, almost all empty, and the level's histograms
cost nodes × features × codes however few rows are left. There
:func:`entry_cells` skips the dense tensor: it marks the (node, feature, code)
cells the entries fall in (one byte per cell of the group's nodes), numbers the
marked ones in increasing order, and counts the entries' classes into that compact
list with one ``bincount`` -- the segmented list
:class:`~treelearn._split_hist.HistCells` that the histogram search
(:func:`~treelearn._split_hist.search_cells`) scores, as the sparse path's cells
(:mod:`treelearn._hist_sparse`). Work is proportional to the entries × features of
the searched nodes, memory to their cells (5 bytes each) plus one block of entries.

Only for unit weights (every entry weighs 1 -- no fractional copy of a row --,
numeric features): the counts are then integers, exact in ``float64`` in any order,
so the cells are those of the dense histogram (counted or derived by subtraction)
bit for bit, and so is the tree. Missing values (``missing_values="learned"``, whose
entries are whole rows) are their pair's missing counts
(:func:`~treelearn._split_hist.cells_of`). :func:`use_entry_cells` is the rule of
when a level takes this path.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from treelearn._split_hist import HistCells, cells_of, integer_sums

if TYPE_CHECKING:
    from treelearn._builder_hist import Chunk

__all__ = [
    "CELL_BYTES",
    "ENTRY_CELLS_FACTOR",
    "ENTRY_GROUP",
    "CellScratch",
    "entry_cells",
    "entry_groups",
    "group_entries",
    "use_entry_cells",
]

#: A level is searched from its entries (:func:`entry_cells`) when its searched
#: nodes hold fewer than ``codes / ENTRY_CELLS_FACTOR`` entries on average (512 for
#: 255 bins): below that the dense histograms (even with the larger sibling by
#: subtraction) cost more than marking and counting the entries' cells (measured
#: per level at 300k rows × 20 features, benchmarks/RESULTS.md).
ENTRY_CELLS_FACTOR = 0.5

#: Bytes of working memory per (node, feature, code) cell of :func:`entry_cells`
#: (a one-byte mark and an ``intp`` cell number, :class:`CellScratch`).
CELL_BYTES = 9

#: Entries × features of one call of :func:`entry_cells` (a group of nodes,
#: :func:`entry_groups`): its temporaries (8 bytes each) then stay well under the
#: allocator's mmap threshold, so the heap recycles them from call to call instead
#: of mapping fresh pages (page faults cost more than the level's arithmetic).
ENTRY_GROUP = 2**20

#: Entries × features of one block within a call (a node larger than a group).
_BLOCK = 2**21


def use_entry_cells(n_entries: int, n_nodes: int, n_codes: int) -> bool:
    """Whether ``n_nodes`` searched nodes holding ``n_entries`` entries in all are
    searched from their entries rather than from dense histograms."""
    return n_entries * ENTRY_CELLS_FACTOR < n_nodes * n_codes


class CellScratch:
    """The working arrays of :func:`entry_cells`, kept from one level to the next of a
    fit: a fresh array of this size per level costs more in page faults than the
    level's work. ``mark`` is all false between calls."""

    def __init__(self) -> None:
        self.mark = np.zeros(0, dtype=bool)
        self.number = np.empty(0, dtype=np.intp)
        self.keys = np.empty(0, dtype=np.intp)
        self.cells = np.empty(0, dtype=np.intp)

    def arrays(self, n_cells: int) -> tuple[np.ndarray, np.ndarray]:
        """``(mark, number)`` of at least ``n_cells`` cells."""
        if self.mark.size < n_cells:  # (grown geometrically: a few times per fit)
            size = max(n_cells, 2 * self.mark.size)
            self.mark = np.zeros(size, dtype=bool)
            self.number = np.empty(size, dtype=np.intp)
        return self.mark, self.number

    def block(self, n_pairs: int) -> tuple[np.ndarray, np.ndarray]:
        """``(keys, cells)``: two flat ``intp`` arrays of at least ``n_pairs`` (entry,
        feature) pairs, for one block of :func:`entry_cells` (at most :data:`_BLOCK`
        pairs, or one entry's features)."""
        if self.keys.size < n_pairs:
            size = max(n_pairs, 2 * self.keys.size)
            self.keys = np.empty(size, dtype=np.intp)
            self.cells = np.empty(size, dtype=np.intp)
        return self.keys, self.cells


def entry_groups(
    nodes: np.ndarray, entries: np.ndarray, n_features: int, n_codes: int, max_bytes: float
) -> list[np.ndarray]:
    """``nodes`` (holding ``entries``) in consecutive groups for :func:`entry_cells`:
    at most :data:`ENTRY_GROUP` entries × features each (or one node) and at most
    ``max_bytes`` of working memory (:data:`CELL_BYTES` per cell)."""
    most_nodes = max(1, int(max_bytes // (n_features * n_codes * CELL_BYTES)))
    work = np.cumsum(entries.astype(np.int64) * n_features)
    by_work = (work - work[0]) // ENTRY_GROUP if work.size else work
    by_nodes = np.arange(nodes.size) // most_nodes
    cut = np.flatnonzero((by_work[1:] != by_work[:-1]) | (by_nodes[1:] != by_nodes[:-1])) + 1
    return np.split(nodes, cut)


def group_entries(chunk: Chunk, groups: list[np.ndarray], n_nodes: int) -> list[np.ndarray]:
    """The chunk's entries of every group of nodes (of a level of ``n_nodes``), for
    :func:`entry_cells`: one pass over the entries and one radix sort by group for
    the level, instead of a pass per group."""
    group_of = np.full(n_nodes, -1, dtype=np.intp)
    for i, g in enumerate(groups):
        group_of[g] = i
    ge = np.take(group_of, chunk.e_node)
    sel = np.flatnonzero(ge >= 0)
    ge = np.take(ge, sel)
    o = np.argsort(ge.astype(np.uint16) if len(groups) <= 2**16 else ge, kind="stable")
    bounds = np.r_[0, np.cumsum(np.bincount(ge, minlength=len(groups)))]
    ordered = np.take(sel, o)
    return [ordered[a:z] for a, z in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True)]


def entry_cells(
    chunk: Chunk,
    row_of: np.ndarray,
    n_rows: int,
    n_codes: int,
    n_classes: int,
    scratch: CellScratch | None = None,
    entries: np.ndarray | None = None,
    learned: bool = False,
) -> HistCells:
    """The non-empty cells of the histograms of the nodes ``row_of >= 0`` (row
    ``row_of[node]`` of ``n_rows``), counted from the chunk's entries (unit weights).

    The cells are in increasing (row, feature, code) order, with their class counts
    and entries; every feature is numeric. The missing code (the last) is no cell:
    under ``"learned"`` (``learned``) its counts are the pair's ``missing`` counts, else
    it is dropped.
    ``scratch`` holds the working arrays (a fresh one when ``None``); ``entries``,
    when given, are the chunk's entries of those nodes, in any order
    (:func:`group_entries`: no pass over the chunk's other entries).
    """
    P = chunk.codes.shape[1]
    B, K = n_codes, n_classes
    if entries is None:
        r = row_of[chunk.e_node]
        sel = np.flatnonzero(r >= 0)
        rs = r[sel]
    else:
        sel = entries
        rs = np.take(row_of, np.take(chunk.e_node, sel))
    # the entries in row order (a stable sort; radix sort for 16-bit rows), so that
    # the cells one block touches are a contiguous range, close in memory
    o = np.argsort(rs.astype(np.uint16) if n_rows <= 2**16 else rs, kind="stable")
    data_rows = np.take(chunk.e_row, np.take(sel, o))
    rs = np.take(rs, o)
    del sel, o
    ys = np.take(chunk.y, data_rows)
    n_cells = n_rows * P * B
    step = max(_BLOCK // max(P, 1), 1)
    blocks = [(a, min(a + step, rs.size)) for a in range(0, rs.size, step)]
    offset = np.arange(P, dtype=np.intp) * B
    scratch = CellScratch() if scratch is None else scratch
    mark, number = scratch.arrays(n_cells)
    key_buf, cell_buf = scratch.block(min(rs.size, step) * P)

    def keys(a: int, z: int) -> np.ndarray:  # [z - a, P] cell of every (entry, feature)
        # (into the scratch block: a fresh array per level costs page faults)
        out = key_buf[: (z - a) * P].reshape(z - a, P)
        np.add((rs[a:z] * (P * B))[:, None], offset, out=out)
        out += np.take(chunk.codes, data_rows[a:z], axis=0)  # (take: faster than [])
        return out

    kept = keys(*blocks[0]) if len(blocks) == 1 else None  # else computed twice
    for a, z in blocks:
        mark[keys(a, z) if kept is None else kept] = True
    p = np.flatnonzero(mark[:n_cells])
    mark[p] = False  # (all false again)
    c = p.size
    number[p] = np.arange(0, c * K, K, dtype=np.intp)  # a marked cell's number, times K
    if kept is not None:  # one block: its cells are all, counted straight into place
        cells = cell_buf[: kept.size].reshape(kept.shape)
        np.take(number, kept, out=cells, mode="clip")  # (every key is a cell: no check)
        cells += ys[:, None]
        counted = np.bincount(cells.ravel(), minlength=c * K)
    else:
        counted = np.zeros(c * K, dtype=np.int64)
    for a, z in blocks if kept is None else ():
        key = keys(a, z)
        cells = cell_buf[: key.size].reshape(key.shape)
        np.take(number, key, out=cells, mode="clip")
        # the block's rows are a range, so are their cells
        lo, hi = np.searchsorted(p, [rs[a] * P * B, (rs[z - 1] + 1) * P * B])
        cells += (ys[a:z] - lo * K)[:, None]
        counted[lo * K : hi * K] += np.bincount(cells.ravel(), minlength=(hi - lo) * K)
    counts = counted.reshape(c, K).astype(np.float64)
    pair, code = _divmod_codes(p, B)
    entries = integer_sums(counted.reshape(c, K))
    return cells_of(pair, code, counts, entries, P, B - 1, learned)


def _divmod_codes(p: np.ndarray, B: int) -> tuple[np.ndarray, np.ndarray]:
    """``divmod(p, B)`` of non-negative cell numbers, by shift and mask when ``B`` is a
    power of two (255 bins and the missing code: 256), several times faster."""
    if B & (B - 1):
        return np.divmod(p, B)
    shift = B.bit_length() - 1
    return p >> shift, p & (B - 1)
