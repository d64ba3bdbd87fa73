"""A ``scipy.sparse`` feature matrix as the builder and the descent read it: by column.

:class:`SparseColumns` holds the matrix in compressed-column form (CSC, float64,
sorted row indices, explicit zeros dropped), so that memory is proportional to the
stored non-zeros. It answers the two questions the tree code asks of ``X``:

* ``X[rows, features]`` for paired index arrays (the value of each pair, ``0.0``
  where nothing is stored): one binary search per pair in the column-major keys
  ``feature · n_rows + row`` of the stored entries, vectorised over the pairs;
* ``X[rows]`` for a row selection (a new :class:`SparseColumns`).

It never builds a dense ``rows × features`` array; ``np.asarray`` on it raises, so
that no code path densifies it by accident. Which inputs become one (validation,
the refusal of NaN and categorical features) is :mod:`treelearn._data`'s.
"""

from __future__ import annotations

from typing import TypeGuard

import numpy as np
import scipy.sparse as sp

__all__ = ["SparseColumns", "descend_sparse", "is_sparse_columns"]


class SparseColumns:
    """A numeric feature matrix stored as its non-zeros, column by column.

    Parameters
    ----------
    matrix : scipy.sparse matrix or array
        Any sparse format; it is converted to CSC float64 (a copy: the caller's
        matrix is never modified) with sorted indices and no explicit zeros.
    """

    __array_priority__ = 1000  # numpy defers to __array__ below (which refuses)

    def __init__(self, matrix):
        csc = sp.csc_matrix(matrix, dtype=np.float64, copy=True)
        csc.sum_duplicates()  # also sorts the row indices
        csc.eliminate_zeros()  # an explicit zero is an implicit one
        self.matrix = csc
        self.shape: tuple[int, int] = (int(csc.shape[0]), int(csc.shape[1]))
        self.ndim = 2
        self._keys: np.ndarray | None = None

    # -- what the tree code reads -------------------------------------------------------
    @property
    def nnz(self) -> int:
        """Number of stored (non-zero) values."""
        return int(self.matrix.nnz)

    @property
    def indptr(self) -> np.ndarray:
        """Column ``f``'s entries are ``indptr[f] : indptr[f + 1]``."""
        return self.matrix.indptr

    @property
    def indices(self) -> np.ndarray:
        """Row of every stored entry (sorted within a column)."""
        return self.matrix.indices

    @property
    def data(self) -> np.ndarray:
        """Value of every stored entry."""
        return self.matrix.data

    def column(self, f: int) -> tuple[np.ndarray, np.ndarray]:
        """Rows (increasing) and values of feature ``f``'s non-zeros."""
        a, b = int(self.indptr[f]), int(self.indptr[f + 1])
        return self.indices[a:b], self.data[a:b]

    @property
    def keys(self) -> np.ndarray:
        """``feature · n_rows + row`` of every stored entry, increasing (built once)."""
        if self._keys is None:
            n_rows = self.shape[0]
            cols = np.repeat(np.arange(self.shape[1], dtype=np.int64), np.diff(self.indptr))
            self._keys = cols * n_rows + self.indices
        return self._keys

    def lookup(self, rows: np.ndarray, features: np.ndarray) -> np.ndarray:
        """``X[rows[i], features[i]]`` for every ``i`` (``0.0`` where none is stored)."""
        keys = self.keys
        want = np.asarray(features, dtype=np.int64) * self.shape[0] + rows
        out = np.zeros(want.shape, dtype=np.float64)
        if not keys.size:
            return out
        pos = np.searchsorted(keys, want)
        np.minimum(pos, keys.size - 1, out=pos)
        hit = keys[pos] == want
        out[hit] = self.data[pos[hit]]
        return out

    def take_rows(self, rows: np.ndarray) -> SparseColumns:
        """The matrix of ``rows`` (indices or a boolean mask), in their order."""
        return SparseColumns(self.matrix[np.asarray(rows)])

    def __getitem__(self, key):
        if isinstance(key, tuple):
            rows, features = key
            rows, features = np.broadcast_arrays(np.asarray(rows), np.asarray(features))
            return self.lookup(rows.astype(np.int64, copy=False), features)
        return self.take_rows(key)

    def __len__(self) -> int:
        return self.shape[0]

    def __array__(self, dtype=None, copy=None):
        raise TypeError(
            "treelearn keeps sparse X sparse: this code path would densify it "
            f"({self.shape[0]} x {self.shape[1]}); please report it as a bug."
        )


def is_sparse_columns(X: object) -> TypeGuard[SparseColumns]:
    """Whether ``X`` is a :class:`SparseColumns`."""
    return isinstance(X, SparseColumns)


def descend_sparse(
    feature: np.ndarray,
    threshold: np.ndarray,
    base: np.ndarray,
    is_leaf: np.ndarray,
    max_depth: int,
    X: SparseColumns,
) -> np.ndarray:
    """Leaf of every row of ``X`` in a tree of numeric splits, all rows at once.

    Each step looks up the value of every row still moving at its node's feature
    (``x > threshold``: second child); rows at a leaf are dropped. ``base`` is each
    node's first child. There is no missing value in sparse input.
    """
    n = X.shape[0]
    leaf = np.zeros(n, dtype=np.intp)
    rows = np.arange(n, dtype=np.int64)
    nodes = np.zeros(n, dtype=np.intp)
    for _ in range(max_depth + 1):
        done = is_leaf[nodes]
        if done.any():
            leaf[rows[done]] = nodes[done]
            keep = ~done
            rows, nodes = rows[keep], nodes[keep]
        if not rows.size:
            break
        x = X.lookup(rows, feature[nodes])
        nodes = base[nodes] + (x > threshold[nodes])
    return leaf
