"""Dense bin codes at deep levels: the non-empty histogram cells, counted from the entries.

Deep in a fully grown tree a node holds a few rows but its histogram has
``features × codes × classes`` cells, almost all empty, and the level's histograms
cost nodes × features × codes however few rows are left. There
:func:`entry_cells` skips the dense tensor: it sorts one integer key per (entry,
feature) pair -- its (node, feature, code) cell and class -- and reads the cells and
their class counts off the runs of equal keys: the segmented list
:class:`~treelearn._split_hist.HistCells` that the histogram search
(:func:`~treelearn._split_hist.search_cells`) scores, as the sparse path's cells
(:mod:`treelearn._hist_sparse`). When the search ranks boundary points only, the
cells between two of them are one (``runs``), a third of the cells on the 1M
benchmark. Work is proportional to the entries × features of the searched nodes
(an AVX-512 sort of 32-bit keys, ~4 ns a key here), memory to them (the keys, kept
in a :class:`~treelearn._scratch.Scratch`) and to the cells.

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

from treelearn._scratch import Scratch
from treelearn._split_hist import HistCells, cells_of

if TYPE_CHECKING:
    from treelearn._builder_hist import Chunk

__all__ = [
    "CELL_BYTES",
    "ENTRY_CELLS_FACTOR",
    "ENTRY_GROUP",
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

#: Bytes per (node, feature, code) cell that a group of :func:`entry_cells` may span
#: within ``max_histogram_mb`` (:func:`entry_groups`): it bounds the nodes of a group,
#: so that the cells' keys stay within 32 bits.
CELL_BYTES = 9

#: Entries × features of one call of :func:`entry_cells` (a group of nodes,
#: :func:`entry_groups`): its temporaries (4-8 bytes each) then stay in the CPU's
#: cache and well under the allocator's mmap threshold, so the heap recycles them
#: from call to call instead of mapping fresh pages (page faults cost more than the
#: level's arithmetic). The deep levels of the 1M benchmark fit, 3 rounds in one
#: process: 5.69 s CPU with 2**20, 5.25 with 2**18, 5.19 with 2**17.
ENTRY_GROUP = 2**18


def use_entry_cells(n_entries: int, n_nodes: int, n_codes: int) -> bool:
    """Whether ``n_nodes`` searched nodes holding ``n_entries`` entries in all are
    searched from their entries rather than from dense histograms."""
    return n_entries * ENTRY_CELLS_FACTOR < n_nodes * n_codes


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
    scratch: Scratch | None = None,
    entries: np.ndarray | None = None,
    learned: bool = False,
    runs: bool = False,
) -> HistCells:
    """The non-empty cells of the histograms of the nodes ``row_of >= 0`` (row
    ``row_of[node]`` of ``n_rows``), counted from the chunk's entries (unit weights).

    The cells are in increasing (row, feature, code) order, with their class counts
    and entries; every feature is numeric. The missing code (the last) is no cell:
    under ``"learned"`` (``learned``) its counts are the pair's ``missing`` counts, else
    it is dropped.
    ``scratch`` holds the working array (a fresh one when ``None``); ``entries``,
    when given, are the chunk's entries of those nodes, in any order
    (:func:`group_entries`: no pass over the chunk's other entries).

    ``runs``: the caller searches boundary points only and admits every cut
    (:meth:`~treelearn._growth_rules.GrowthRules.admits_every_cut`). Then consecutive
    cells of a pair that hold one and the same class (no boundary point between them)
    are one cell, with the code of its last cell (``code``) and of its first
    (``first``): the search's candidates, their counts and thresholds are those of
    the plain cells, with fewer cells to pass over. Not when a missing code is
    present (its cut before the last known value is a boundary point of its own,
    :func:`~treelearn._split_hist._boundaries_with_missing`): plain cells then.

    Every (entry, feature) pair is one integer key ``((row · P + feature) · B + code) ·
    K + class``; one sort of the keys puts them in cell order, and the cells and
    their class counts are the runs of equal keys.
    """
    P = chunk.codes.shape[1]
    B, K = n_codes, n_classes
    if entries is None:
        entries = np.flatnonzero(row_of[chunk.e_node] >= 0)
    rs = np.take(row_of, np.take(chunk.e_node, entries))
    data_rows = np.take(chunk.e_row, entries)
    m = rs.size * P
    if m == 0:
        return cells_of(*(np.empty(0, dtype=np.intp),) * 2, np.zeros((0, K)),
                        np.empty(0, dtype=np.int64), P, B - 1, learned)  # fmt: skip
    dtype = np.int32 if n_rows * P * B * K < 2**31 else np.int64
    scratch = Scratch() if scratch is None else scratch
    key = scratch.array("cell keys", m, dtype).reshape(rs.size, P)
    base = (rs * (P * B * K) + np.take(chunk.y, data_rows)).astype(dtype)
    np.add(base[:, None], np.arange(0, P * B * K, B * K, dtype=dtype), out=key)
    code = np.take(chunk.codes, data_rows, axis=0)  # [e, P] (take: faster than [])
    runs = runs and not (code == B - 1).any()  # (a missing code: plain cells)
    for _ in range(K):  # (+ code * K without a temporary)
        key += code
    del base, code, rs, data_rows
    flat = key.reshape(-1)
    flat.sort()
    new = np.empty(m, dtype=bool)  # the first pair of every (cell, class)
    new[0] = True
    np.not_equal(flat[1:], flat[:-1], out=new[1:])
    at = np.flatnonzero(new)
    del new
    u_key = np.take(flat, at)
    if K == 2:
        u_cell, u_class = u_key >> 1, u_key & 1
    else:
        u_cell, u_class = np.divmod(u_key, K)
    del u_key
    u = u_cell.size
    opens = np.empty(u, dtype=bool)  # the first (cell, class) of every cell
    opens[0] = True
    np.not_equal(u_cell[1:], u_cell[:-1], out=opens[1:])
    cell_opens = opens
    if runs:
        pure = opens.copy()  # a cell of one class: its only (cell, class)
        pure[:-1] &= opens[1:]
        pair = _divmod_codes(u_cell, B)[0]
        joins = np.zeros(u, dtype=bool)  # into the previous cell: same pair and class
        np.equal(pair[1:], pair[:-1], out=joins[1:])
        joins[1:] &= pure[1:]
        joins[1:] &= pure[:-1]
        joins[1:] &= u_class[1:] == u_class[:-1]
        opens = opens & ~joins
        del pure, pair, joins
    first_u = np.flatnonzero(opens)  # the first (cell, class) of every cell (or run)
    c = first_u.size
    first_at = np.take(at, first_u)
    sizes = np.diff(first_at, append=m)
    counts: np.ndarray  # [c, K] float64
    if K == 2:  # (no bincount) a cell or run of one class is all of that class; a cell
        # of both is never joined, its class-0 pairs first, then the class-1 pairs
        c0 = np.where(np.take(u_class, first_u) == 0, sizes, 0)
        both = np.flatnonzero(~np.take(cell_opens, np.minimum(first_u + 1, u - 1)))
        both = both[first_u[both] + 1 < u]
        c0[both] = np.take(at, first_u[both] + 1) - first_at[both]
        counts = np.empty((c, 2))
        counts[:, 0] = c0
        np.subtract(sizes, c0, out=counts[:, 1])
    else:
        cell = np.cumsum(opens) - 1  # the cell of each (cell, class)
        u_n = np.diff(at, append=m)  # pairs of each (cell, class)
        counts = np.bincount(cell * K + u_class, weights=u_n, minlength=c * K).reshape(c, K)
    last = np.take(u_cell, np.r_[first_u[1:] - 1, u - 1])
    pair, last_code = _divmod_codes(last, B)
    cells = cells_of(pair, last_code, counts, sizes, P, B - 1, learned)
    if runs:
        cells.first = _divmod_codes(np.take(u_cell, first_u), B)[1]
    return cells


def _divmod_codes(p: np.ndarray, B: int) -> tuple[np.ndarray, np.ndarray]:
    """``divmod(p, B)`` of non-negative cell numbers, by shift and mask when ``B`` is a
    power of two (255 bins and the missing code: 256), several times faster."""
    if B & (B - 1):
        return np.divmod(p, B)
    shift = B.bit_length() - 1
    return p >> shift, p & (B - 1)
