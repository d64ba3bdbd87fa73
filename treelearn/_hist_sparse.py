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

from treelearn._binning import Bins, Placement, quantile_starts
from treelearn._sparse_values import SparseColumns

__all__ = ["SparseChunk", "SparseCodes", "fit_sparse_bins", "new_sparse_chunk", "sparse_histogram"]


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
    feat = np.repeat(np.arange(P, dtype=np.int64), nnz_f)
    n_zeros = n - nnz_f
    zf = np.flatnonzero(n_zeros > 0)
    # every stored value (once) and each column's zeros (as one value, n_zeros times)
    f_all = np.concatenate([feat, zf])
    order = np.lexsort((np.concatenate([X.data, np.zeros(zf.size)]), f_all))
    fs = f_all[order]
    vs = np.concatenate([X.data, np.zeros(zf.size)])[order]
    mult = np.concatenate([np.ones(nnz, dtype=np.int64), n_zeros[zf]])[order]
    new_value = np.r_[True, (fs[1:] != fs[:-1]) | (vs[1:] != vs[:-1])]
    first = np.flatnonzero(new_value)
    u, uf = vs[first], fs[first]  # distinct values of every column, column by column
    counts = np.add.reduceat(mult, first) if first.size else mult[:0]
    uid = np.cumsum(new_value) - 1  # distinct value of each sorted element
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
    n_codes = int(n_bins.max(initial=1)) + 1
    lo = np.full((P, n_codes), np.inf)
    hi = np.full((P, n_codes), -np.inf)
    ends = np.r_[bs[1:] - 1, u.size - 1]
    lo[uf[bs], code_u[bs]] = u[bs]
    hi[uf[bs], code_u[bs]] = u[ends]
    bins = Bins(edges, n_bins, lo, hi, np.zeros(P, dtype=bool))
    stored = order < nnz
    codes = np.empty(nnz, dtype=np.uint8)
    codes[order[stored]] = code_u[uid[stored]]
    zero_code = np.zeros(P, dtype=np.uint8)  # (a column without zeros never reads it)
    zero_code[fs[~stored]] = code_u[uid[~stored]]
    sparse_codes = SparseCodes(
        feat.astype(np.int32), X.indices.astype(np.int32), codes, zero_code, int(n)
    )
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
