"""Argument validation shared by the measures.

Every public function of :mod:`treelearn.information` validates its arguments with
these helpers and then calls an unchecked kernel; a ``TypeError`` or ``ValueError``
names the argument and the problem.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import NDArray

#: Absolute tolerance on ``Σ p = 1`` for arguments that must be distributions.
_SUM_TOL = 1e-6


def _check_base(base: Any) -> float:
    """Validate a logarithm base and return ``ln(base)``."""
    if isinstance(base, bool) or not isinstance(base, int | float | np.integer | np.floating):
        raise TypeError(f"base must be a real number, got {type(base).__name__}")
    if not (math.isfinite(base) and base > 1):
        raise ValueError(f"base must be a finite number greater than 1, got {base!r}")
    return math.log(base)


def _real_array(x: Any, name: str) -> NDArray[np.float64]:
    """Convert to a float64 array; TypeError when not real numbers, ValueError on NaN."""
    if isinstance(x, str | bytes):
        raise TypeError(f"{name} must be numeric, got a string")
    try:
        arr = np.asarray(x)
    except (TypeError, ValueError) as exc:  # ragged nested sequences and the like
        raise ValueError(f"{name} could not be converted to an array: {exc}") from None
    if arr.dtype.kind not in "biuf":
        if arr.dtype.kind != "O":
            raise TypeError(f"{name} must be numeric, got an array of dtype {arr.dtype}")
        try:
            arr = arr.astype(np.float64)
        except (TypeError, ValueError):
            raise TypeError(f"{name} must be numeric, got non-numeric objects") from None
    arr = arr.astype(np.float64, copy=False)
    if np.isnan(arr).any():
        raise ValueError(f"{name} contains NaN")
    return arr


def _nonnegative_array(x: Any, name: str, *, min_ndim: int = 1) -> NDArray[np.float64]:
    """Finite, non-negative float64 array of at least ``min_ndim`` dimensions."""
    arr = _real_array(x, name)
    if arr.ndim < min_ndim:
        raise ValueError(f"{name} must have at least {min_ndim} dimension(s), got {arr.ndim}")
    if not np.isfinite(arr).all():
        raise ValueError(f"{name} contains infinite values")
    if (arr < 0).any():
        raise ValueError(f"{name} contains negative values")
    return arr


def _axis_length(arr: NDArray, axis: int, name: str) -> int:
    """Length of ``axis`` (numpy's AxisError, a ValueError, when out of bounds)."""
    n = arr.shape[np.lib.array_utils.normalize_axis_index(axis, arr.ndim)]
    if n == 0:
        raise ValueError(f"{name} is empty along axis {axis}")
    return n


def _distribution(p: Any, name: str, axis: int) -> NDArray[np.float64]:
    """Validate a probability distribution along ``axis``; return it renormalised.

    Entries must be finite and non-negative and sum to 1 within ``_SUM_TOL``; the
    returned array is divided by its sums so that rounding error in the input does not
    leak through.
    """
    arr = _real_array(p, name)
    if arr.ndim == 0:
        raise ValueError(f"{name} must be a probability vector, got a scalar")
    _axis_length(arr, axis, name)
    if not np.isfinite(arr).all():
        raise ValueError(f"{name} contains infinite values")
    if (arr < 0).any():
        raise ValueError(f"{name} contains negative probabilities")
    total = arr.sum(axis=axis, keepdims=True)
    bad = np.abs(total - 1.0) > _SUM_TOL
    if bad.any():
        worst = float(total.flat[np.argmax(np.abs(total - 1.0))])
        raise ValueError(
            f"{name} is not a probability distribution: it does not sum to 1 along "
            f"axis {axis} (sum = {worst!r})"
        )
    return arr / total
