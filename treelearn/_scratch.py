"""Working arrays kept from one call to the next of a fit: the one home of buffer reuse.

A search that runs once per feature and level allocates the same few arrays of the
level's size again and again. Arrays above the allocator's mmap threshold come from
fresh pages each time, and at 100k rows those page faults cost as much as the
arithmetic (``benchmarks/RESULTS.md``, "CART surrogates per level, session 14").
A :class:`Scratch` hands out views of buffers it keeps, grown geometrically, so a
fit maps each buffer's pages a few times instead of once per call; ``out=``
arguments write into them.
"""

from __future__ import annotations

import numpy as np

__all__ = ["Scratch"]


class Scratch:
    """Named buffers reused across calls (one per fit; not shared between threads)."""

    def __init__(self) -> None:
        self._buffers: dict[str, np.ndarray] = {}
        self._arange = np.zeros(0, dtype=np.int64)

    def array(self, name: str, size: int, dtype: np.dtype | type) -> np.ndarray:
        """A 1-d array of ``size`` elements of ``dtype``, contents undefined: a view of
        the buffer ``name``, valid until the next call with that name.

        Parameters
        ----------
        name : str
            Which buffer; two arrays in use at once need two names.
        size : int
            Elements.
        dtype : dtype
            Their type.

        Returns
        -------
        ndarray
        """
        dtype = np.dtype(dtype)
        nbytes = size * dtype.itemsize
        buf = self._buffers.get(name)
        if buf is None or buf.size < nbytes:  # (grown geometrically: a few times a fit)
            grown = max(nbytes, 2 * (0 if buf is None else buf.size), 64)
            buf = self._buffers[name] = np.empty(grown, dtype=np.uint8)
        return buf[:nbytes].view(dtype)

    def arange(self, size: int) -> np.ndarray:
        """``np.arange(size)`` as int64, read-only (a view of a kept array)."""
        if self._arange.size < size:
            self._arange = np.arange(max(size, 2 * self._arange.size), dtype=np.int64)
            self._arange.flags.writeable = False
        return self._arange[:size]

    @property
    def nbytes(self) -> int:
        """Bytes held."""
        return sum(b.size for b in self._buffers.values()) + self._arange.nbytes

    def clear(self) -> None:
        """Release every buffer."""
        self._buffers.clear()
        self._arange = np.zeros(0, dtype=np.int64)
