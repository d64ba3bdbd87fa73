"""Numeric building blocks of the kernels: logarithms in any base, rescaling, results.

Unchecked: the arrays are already validated (see :mod:`._validation`).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import NDArray

from treelearn.information._validation import _check_base

#: Counts or weights above this are rescaled first so that their sums cannot overflow.
_HUGE = 1e200

#: What the public functions return: a float (a 0-d result) or an array.
FloatOrArray = float | NDArray[np.float64]


def _log(x: NDArray[np.float64], base: float, where: NDArray[np.bool_] | None = None) -> NDArray:
    """Elementwise logarithm in ``base``; 0 where ``where`` is False (no warnings).

    Bases 2, e and 10 use the dedicated numpy functions (exact for powers of the base).
    """
    ln_base = _check_base(base)
    func = {2.0: np.log2, math.e: np.log, 10.0: np.log10}.get(float(base))
    if where is None:  # plain (fast) ufunc loop, same memory layout as x
        out = func(x) if func is not None else np.log(x)
        if func is None:
            out /= ln_base
        return out
    out = np.zeros(np.shape(x), dtype=np.float64)
    if func is None:
        np.log(x, out=out, where=where)
        out /= ln_base
    else:
        func(x, out=out, where=where)
    return out


def _from_nats(value: Any, base: float) -> Any:
    """Convert a value in nats into units of ``base``."""
    ln_base = _check_base(base)
    return value if ln_base == 1.0 else value / ln_base


def _finish(value: Any) -> Any:
    """Return 0-d results as numpy scalars (``np.float64``), arrays unchanged."""
    arr = np.asarray(value, dtype=np.float64)
    return arr[()] if arr.ndim == 0 else arr


def _rescaled(counts: NDArray[np.float64], axis: int | tuple[int, ...]) -> NDArray[np.float64]:
    """Counts divided by their maximum over ``axis`` when they are so large that sums could
    overflow (every measure of counts here is scale-invariant); unchanged otherwise."""
    if counts.size == 0 or counts.max() <= _HUGE:
        return counts
    top = counts.max(axis=axis, keepdims=True)
    return np.divide(counts, top, out=np.zeros_like(counts), where=top > 0)


def _normalise(counts: NDArray[np.float64], axis: int) -> NDArray[np.float64]:
    """Divide by the sum along ``axis``; all-zero slices stay all zero."""
    total = counts.sum(axis=axis, keepdims=True)
    return counts / np.where(total > 0, total, 1.0)
