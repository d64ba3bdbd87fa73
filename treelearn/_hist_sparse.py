"""Sparse X under ``splitter="hist"``: bins, codes and histograms from the non-zeros.

A column of a ``scipy.sparse`` matrix (:class:`~treelearn._sparse_values.SparseColumns`)
is its stored non-zeros plus ``n - nnz`` implicit zeros. Its bins
(:func:`fit_sparse_bins`) are those :func:`treelearn._binning.fit_bins` gives the
densified column: the zeros enter the distinct values as one value with their
multiplicity, values within the rules' gap share a group, a column with more than
``max_bins`` groups is cut at count quantiles by the same
:func:`~treelearn._binning.quantile_starts`, and the edges are placed by the rules'
``place_thresholds``. One sort of all non-zeros serves every column.

The codes (:class:`SparseCodes`) are stored for the non-zeros only, column by column
(one byte each, with the row as ``int32`` and the column as ``int32``); a column's
zeros all share its *zero code*, which is implicit. A node's histogram
(:func:`sparse_histogram`) counts the non-zeros of its rows with one ``bincount`` and
fills each feature's zero bin with the node's class counts minus the feature's
non-zero counts (LightGBM's trick); the builder derives the larger sibling by
subtraction as for dense codes. With unit or integer weights every count is an
integer, exact in ``float64``, so the histograms -- and the tree -- are those of the
dense codes bit for bit; other weights may differ in the last bits of a sum.

Memory is proportional to the non-zeros: there is no ``n × n_features`` array; the
histograms themselves are ``nodes × features × codes × classes``, bounded per pass by
the builder's ``max_histogram_mb``. Sparse X has no missing values and no categorical
features (:mod:`treelearn._data` refuses them), so no entry is ever copied.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from treelearn._binning import Bins, Placement, quantile_starts, ragged_starts
from treelearn._growth_rules import GrowthRules
from treelearn._missing import sample_counts
from treelearn._sparse_store import chunk_cells
from treelearn._sparse_values import SparseColumns
from treelearn._split_hist import HistCells, PairSplits, search_cells
from treelearn.criteria import SplitCriterion

__all__ = [
    "SparseChunk",
    "SparseCodes",
    "fit_sparse_bins",
    "new_sparse_chunk",
    "sparse_histogram",
    "sparse_splits",
]

#: Cells × classes of one block of the non-empty-cell search at most (fewer on
#: small data, :func:`treelearn._sparse_store.chunk_cells`; a block ends between
#: two (node, feature) pairs, so one pair with more cells makes its block larger).
CELL_BLOCK = 2**18


@dataclass
class SparseCodes:
    """Bin codes of the non-zeros, column by column (rows increasing in a column)."""

    feature: np.ndarray  # int32 [nnz] column of each stored value
    rows: np.ndarray  # int32 [nnz] its row
    codes: np.ndarray  # uint8 [nnz] its code
    zero_code: np.ndarray  # uint8 [P] code of a column's implicit zeros
    n_rows: int

    @property
    def n_features(self) -> int:
        """Number of columns."""
        return int(self.zero_code.size)

    def code_at(self, rows: np.ndarray, features: np.ndarray) -> np.ndarray:
        """Code of ``X[rows[i], features[i]]`` for every ``i`` (the zero code where
        nothing is stored): one binary search per pair in the column-major keys."""
        features = np.asarray(features, dtype=np.int64)
        out = self.zero_code[features].astype(np.intp)
        if not self.codes.size or not out.size:
            return out
        keys = self.feature.astype(np.int64) * self.n_rows + self.rows
        want = features * self.n_rows + rows
        pos = np.minimum(np.searchsorted(keys, want), keys.size - 1)
        hit = keys[pos] == want
        out[hit] = self.codes[pos[hit]]
        return out


def fit_sparse_bins(
    X: SparseColumns, max_bins: int, gap: float, place: Placement, per_feature: bool
) -> tuple[Bins, SparseCodes]:
    """Bins of every column of sparse ``X`` and the codes of its non-zeros.

    The bins are :func:`treelearn._binning.fit_bins`'s on the densified matrix (see
    the module docstring). ``place(feature, lo, hi)`` is the rules' threshold
    placement; ``per_feature`` (the rules' ``thresholds_per_feature``) says whether
    it depends on the feature, else it is called once for every column.
    """
    n, P = X.shape
    nnz_f = np.diff(X.indptr)
    nnz = int(nnz_f.sum())
    # (int32 features and counts, temporaries freed early: this pass is the
    # fit's largest per non-zero)
    n_zeros = (n - nnz_f).astype(np.int32)
    zf = np.flatnonzero(n_zeros > 0).astype(np.int32)
    # every stored value (once) and each column's zeros (as one value, n_zeros times)
    f_all = np.concatenate([np.repeat(np.arange(P, dtype=np.int32), nnz_f), zf])
    v_all = np.concatenate([X.data, np.zeros(zf.size)])
    order = np.lexsort((v_all, f_all))
    fs, vs = f_all[order], v_all[order]
    del f_all, v_all
    new_value = np.r_[True, (fs[1:] != fs[:-1]) | (vs[1:] != vs[:-1])]
    first = np.flatnonzero(new_value)
    u, uf = vs[first], fs[first]  # distinct values of every column, column by column
    mult = np.ones(order.size, dtype=np.int32)
    zero_at = np.flatnonzero(order >= nnz)  # each column's zeros, in the sorted order
    mult[zero_at] = n_zeros[fs[zero_at]]
    zero_f = fs[zero_at]
    del fs, vs
    counts = np.add.reduceat(mult, first, dtype=np.int64) if first.size else mult[:0]
    del mult
    uid = np.cumsum(new_value) - 1  # distinct value of each sorted element
    del new_value
    col_first = np.r_[True, uf[1:] != uf[:-1]]
    # values within the gap of their predecessor join its group
    bin_first = col_first | np.r_[True, u[1:] > u[:-1] + gap]
    n_groups = np.bincount(uf[bin_first], minlength=P)
    for f in np.flatnonzero(n_groups > max_bins).tolist():  # cut at count quantiles
        a, b = np.searchsorted(uf, [f, f + 1])
        starts = quantile_starts(counts[a:b], np.flatnonzero(bin_first[a:b]), max_bins)
        bin_first[a:b] = False
        bin_first[a + starts] = True
    bs = np.flatnonzero(bin_first)
    inner = bs[~col_first[bs]]  # first value of every bin but a column's first
    edge_f = uf[inner]
    if per_feature:
        edge_v = np.empty(inner.size)
        for f in np.unique(edge_f).tolist():
            at = edge_f == f
            edge_v[at] = place(f, u[inner[at] - 1], u[inner[at]])
    else:
        edge_v = place(0, u[inner - 1], u[inner]) if inner.size else np.empty(0)
    n_bins = np.bincount(edge_f, minlength=P).astype(np.int64) + 1
    edges = np.split(np.asarray(edge_v, dtype=np.float64), np.cumsum(n_bins - 1)[:-1])
    # a value's code is its bin's rank in its column (what searchsorted on the edges gives)
    bin_id = np.cumsum(bin_first) - 1
    code_u = bin_id - bin_id[np.flatnonzero(col_first)][np.cumsum(col_first) - 1]
    start = ragged_starts(n_bins)  # the bins' value ranges, ragged as Bins keeps them
    lo = np.full(int(start[-1]), np.inf)
    hi = np.full(int(start[-1]), -np.inf)
    ends = np.r_[bs[1:] - 1, u.size - 1]
    lo[start[uf[bs]] + code_u[bs]] = u[bs]
    hi[start[uf[bs]] + code_u[bs]] = u[ends]
    bins = Bins(edges, n_bins, lo, hi, np.zeros(P, dtype=bool))
    zero_code = np.zeros(P, dtype=np.uint8)  # (a column without zeros never reads it)
    zero_code[zero_f] = code_u[uid[zero_at]]
    stored = order < nnz
    codes = np.empty(nnz, dtype=np.uint8)
    codes[order[stored]] = code_u[uid[stored]]
    del order, uid, stored
    feature = np.repeat(np.arange(P, dtype=np.int32), nnz_f)
    sparse_codes = SparseCodes(feature, X.indices.astype(np.int32), codes, zero_code, int(n))
    return bins, sparse_codes


@dataclass
class SparseChunk:
    """The rows of sparse ``X`` as the histogram builder's chunk (see
    :class:`treelearn._builder_hist.Chunk`): codes of the non-zeros, labels, weights
    and the entries at the level (one per row: sparse X never copies an entry)."""

    codes: SparseCodes
    y: np.ndarray  # intp [n]
    w: np.ndarray  # float64 [n]
    e_row: np.ndarray  # [m]
    e_w: np.ndarray  # [m]
    e_node: np.ndarray  # [m]

    def code_at(self, rows: np.ndarray, features: np.ndarray) -> np.ndarray:
        """Code of every (row, feature) pair."""
        return self.codes.code_at(rows, features)


def new_sparse_chunk(codes: SparseCodes, y: np.ndarray, w: np.ndarray) -> SparseChunk:
    """A chunk whose entries are its rows, all at the root."""
    n = codes.n_rows
    w = np.asarray(w, dtype=np.float64)
    return SparseChunk(
        codes, np.asarray(y, dtype=np.intp), w, np.arange(n, dtype=np.intp), w.copy(),
        np.zeros(n, dtype=np.intp),
    )  # fmt: skip


def sparse_histogram(
    chunk: SparseChunk, row_of: np.ndarray, n_rows: int, n_codes: int, n_classes: int, unit: bool
) -> tuple[np.ndarray, np.ndarray | None]:
    """:func:`treelearn._builder_hist.chunk_histogram` of a sparse chunk: the non-zeros
    of the nodes ``row_of >= 0`` counted, each feature's zero bin filled as the node's
    counts minus its non-zero counts."""
    sc = chunk.codes
    P, B, K = sc.n_features, n_codes, n_classes
    r = row_of[chunk.e_node]
    sel = np.flatnonzero(r >= 0)
    r, rows = r[sel], chunk.e_row[sel]
    row_hist = np.full(sc.n_rows, -1, dtype=np.intp)  # each row's histogram row
    row_hist[rows] = r
    at = np.flatnonzero(row_hist[sc.rows] >= 0)
    at_rows = sc.rows[at]
    cell = (row_hist[at_rows] * P + sc.feature[at]) * B + sc.codes[at]
    key = cell * K + chunk.y[at_rows]
    cells = n_rows * P * B * K
    ky = r * K + chunk.y[rows]
    hist: np.ndarray
    total: np.ndarray
    if unit:  # integer counts: the zero bins are exact
        hist = np.bincount(key, minlength=cells).reshape(n_rows, P, B, K)
        total = np.bincount(ky, minlength=n_rows * K).reshape(n_rows, 1, K)
        n_hist = None
    else:
        w_row = np.zeros(sc.n_rows)
        w_row[rows] = chunk.e_w[sel]
        hist = np.bincount(key, weights=w_row[at_rows], minlength=cells)
        hist = hist.astype(np.float64, copy=False).reshape(n_rows, P, B, K)  # (none: int)
        total = np.bincount(ky, weights=chunk.e_w[sel], minlength=n_rows * K)
        total = total.astype(np.float64, copy=False).reshape(n_rows, 1, K)
        n_hist = np.bincount(cell, minlength=n_rows * P * B).reshape(n_rows, P, B)
        n_zero = np.bincount(r, minlength=n_rows)[:, None] - n_hist.sum(axis=2)  # [R, P]
    feats = np.arange(P)
    zero = total - hist.sum(axis=2)  # [R, P, K]
    if n_hist is not None:
        zero = np.where(n_zero[:, :, None] > 0, zero, 0.0)  # no rounding residue
        n_hist[:, feats, sc.zero_code] += n_zero
    hist[:, feats, sc.zero_code] += zero
    return hist.astype(np.float64, copy=False), n_hist


def sparse_splits(
    chunk: SparseChunk,
    row_of: np.ndarray,
    node_counts: np.ndarray,
    node_n: np.ndarray,
    bins: Bins,
    criterion: SplitCriterion,
    rules: GrowthRules,
    sample_unit: float | None,
    unit: bool,
) -> PairSplits:
    """Every feature's best split at the nodes ``row_of >= 0`` (row ``row_of[node]``,
    rows ``0 .. r-1`` in node order), searched over the non-empty cells only.

    ``node_counts`` ``[r, K]`` and ``node_n`` ``[r]`` are the rows' class counts and
    entries (the level's). A (node, feature) pair without a non-zero in the node is
    constant there and is skipped; the cells of the others are their non-zero
    (node, feature, code) cells and their zero cell (the node's counts minus the
    pair's non-zero counts, added to the cell of the zero code), searched by
    :func:`treelearn._split_hist.search_cells` -- the dense histograms' non-empty
    cells, with the same counts (bit for bit with unit or integer weights). Work and
    memory per level are those of the nodes' non-zeros plus classes × pairs with a
    non-zero, in blocks of :data:`CELL_BLOCK`; the result lists the pairs that found
    a split (:class:`~treelearn._split_hist.PairSplits`, rows as above), never
    ``[rows, features]`` tables. ``sample_unit`` as in
    :func:`~treelearn._split_hist.feature_splits`; ``unit``: every entry weighs 1.
    """
    sc = chunk.codes
    P, B = sc.n_features, bins.n_codes
    K = node_counts.shape[1]
    node_weight = node_counts.sum(axis=1)
    ent = np.flatnonzero(row_of[chunk.e_node] >= 0)
    row_hist = np.full(sc.n_rows, -1, dtype=np.int64)  # each data row's histogram row
    row_hist[chunk.e_row[ent]] = row_of[chunk.e_node[ent]]
    w_row = None
    if not unit:
        w_row = np.zeros(sc.n_rows)
        w_row[chunk.e_row[ent]] = chunk.e_w[ent]
    at = np.flatnonzero(row_hist[sc.rows] >= 0)  # the non-zeros of the searched nodes
    key = (row_hist[sc.rows[at]] * P + sc.feature[at]) * B + sc.codes[at]
    order = np.argsort(key, kind="stable")  # (row, feature, code); rows within a cell
    key, data_row = key[order], sc.rows[at[order]]
    del at, order
    found = []
    a, z = 0, key.size
    step = max(1, min(CELL_BLOCK, chunk_cells(sc.codes.size)) // max(K, 1))
    while a < z:  # blocks of whole (node, feature) pairs
        e = min(a + step, z)
        if e < z:  # end the block after the pair of its last non-zero
            e = int(np.searchsorted(key, (key[e - 1] // B + 1) * B, side="left"))
        cells = _pair_cells(
            key[a:e], data_row[a:e], chunk.y, w_row, node_counts, node_n, sc.zero_code, P, B,
            sample_unit,
        )  # fmt: skip
        pairs = search_cells(cells, node_weight, bins, criterion, rules,
                             unit and sample_unit is None, sample_unit is not None)  # fmt: skip
        if pairs is not None:
            found.append(pairs)
        a = e
    return PairSplits.concatenate(found)


def _pair_cells(key, data_row, y, w_row, node_counts, node_n, zero_code, P, B,
                sample_unit) -> HistCells:  # fmt: skip
    """The cells of the (node, feature) pairs of the sorted non-zeros ``key``
    (``(row * P + feature) * B + code``), with each pair's zero cell."""
    K = node_counts.shape[1]
    new_cell = np.r_[True, key[1:] != key[:-1]]
    cell_id = np.cumsum(new_cell) - 1
    ckey = key[new_cell]
    c = ckey.size
    weights = None if w_row is None else w_row[data_row]
    counted = np.bincount(cell_id * K + y[data_row], weights=weights, minlength=c * K)
    counts = counted.astype(np.float64, copy=False).reshape(c, K)
    n_cell = np.bincount(cell_id, minlength=c)
    cpair = ckey // B
    new_pair = np.r_[True, cpair[1:] != cpair[:-1]]
    pstart = np.flatnonzero(new_pair)
    pair = cpair[pstart]
    prow, pfeat = np.divmod(pair, P)
    # the pair's zero cell: the node's counts minus the pair's non-zero counts
    n_zero = node_n[prow] - np.add.reduceat(n_cell, pstart)
    zero = node_counts[prow] - np.add.reduceat(counts, pstart, axis=0)
    has_zero = n_zero > 0
    zkey = pair[has_zero] * B + zero_code[pfeat[has_zero]]
    all_key = np.concatenate([ckey, zkey])
    all_counts = np.concatenate([counts, zero[has_zero]])
    all_n = np.concatenate([n_cell, n_zero[has_zero]])
    o = np.argsort(all_key, kind="stable")  # a non-zero cell before the zero cell it meets
    all_key, all_counts, all_n = all_key[o], all_counts[o], all_n[o]
    first = np.flatnonzero(np.r_[True, all_key[1:] != all_key[:-1]])
    if first.size < all_key.size:  # a zero code shared with non-zeros: add them
        all_counts = np.add.reduceat(all_counts, first, axis=0)
        all_n = np.add.reduceat(all_n, first)
        all_key = all_key[first]
    kpair = all_key // B
    seg = np.cumsum(np.r_[True, kpair[1:] != kpair[:-1]]) - 1
    sizes = all_n if sample_unit is None else sample_counts(all_counts.sum(axis=1), sample_unit)
    return HistCells(prow, pfeat, seg, all_key - kpair * B, all_counts, sizes)
