"""The descent of complete rows through numeric splits, compiled with numba.

The optional accelerator's prediction kernel (:mod:`treelearn._accelerator`; numba
is the ``fast`` extra), imported by :func:`treelearn._routing.descend` on first use.
It takes the rows :func:`~treelearn._routing._descend_numeric` takes (numeric splits
only, no missing value in the row) and makes the same steps with the same tables:
``next = base[node] + (x[feature[node]] > threshold[node])`` in ``X``'s own dtype,
leaves pointing to themselves. Rows go in groups of :data:`LANES`, each group stepped
until all its rows rest in leaves: the same leaves.
"""

from __future__ import annotations

import numba
import numpy as np

__all__ = ["descend_numeric"]


#: Rows stepped together: their independent table lookups overlap (one row alone
#: waits on each node's lookup before the next, a chain as long as the tree is deep).
LANES = 16


@numba.njit(cache=True, nogil=True)
def _descend(flat, offsets, col, base, thr, max_depth, out):
    n = offsets.size
    node = np.zeros(LANES, dtype=np.intp)
    for start in range(0, n, LANES):
        m = min(LANES, n - start)
        for r in range(m):
            node[r] = 0
        for _ in range(max_depth):
            moved = False
            for r in range(m):
                v = node[r]
                nxt = base[v] + (flat[col[v] + offsets[start + r]] > thr[v])
                moved |= nxt != v
                node[r] = nxt
            if not moved:
                break
        for r in range(m):
            out[start + r] = node[r]


def descend_numeric(
    flat: np.ndarray,
    offsets: np.ndarray,
    col: np.ndarray,
    base: np.ndarray,
    thr: np.ndarray,
    max_depth: int,
) -> np.ndarray:
    """The leaf of every row (offset ``offsets[i]`` of its first value in ``flat``):
    :func:`treelearn._routing._descend_numeric`'s answer."""
    out = np.empty(offsets.size, dtype=np.intp)
    _descend(flat, offsets, col, base, thr, max(int(max_depth), 1), out)
    return out
