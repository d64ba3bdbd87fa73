"""Contingency tables: from label arrays (with weights), or validated as given.

:func:`_contingency` turns two label arrays into the weighted table ``[C, K]`` (rows
values of ``x``, columns values of ``y``); :func:`_count_table` validates a table
``[..., C, K]`` passed in by the user. The measures of tables are in
:mod:`._shannon` (kernels), :mod:`._from_counts` and :mod:`._labels`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from treelearn.information._numeric import _rescaled
from treelearn.information._validation import _nonnegative_array


def _encode_labels(values: Any, name: str) -> tuple[NDArray[np.intp], int]:
    """Integer codes ``0..n_levels-1`` for a 1-d array of hashable labels."""
    if isinstance(values, pd.DataFrame):
        raise ValueError(f"{name} must be 1-dimensional, got a DataFrame")
    if isinstance(values, pd.Series | pd.Index | pd.Categorical | pd.api.extensions.ExtensionArray):
        data: Any = values
    elif isinstance(values, str | bytes) or not isinstance(values, Iterable):
        raise TypeError(f"{name} must be a 1-d array-like of labels, got {type(values).__name__}")
    else:
        data = values if isinstance(values, np.ndarray) else np.asarray(list(values), dtype=object)
        if data.ndim != 1:
            raise ValueError(f"{name} must be 1-dimensional, got shape {data.shape}")
    if len(data) == 0:
        raise ValueError(f"{name} is empty")
    try:
        codes, uniques = pd.factorize(data)
    except TypeError as exc:
        raise TypeError(f"{name} must contain hashable labels: {exc}") from None
    if (codes < 0).any():
        raise ValueError(
            f"{name} contains missing values (NaN/None/pd.NA); drop or impute them first"
        )
    return codes, len(uniques)


def _check_sample_weight(sample_weight: Any, n: int, name: str) -> NDArray[np.float64] | None:
    if sample_weight is None:
        return None
    w = _nonnegative_array(sample_weight, "sample_weight")
    if w.ndim != 1:
        raise ValueError(f"sample_weight must be 1-dimensional, got shape {w.shape}")
    if len(w) != n:
        raise ValueError(
            f"sample_weight has length {len(w)} but {name} has length {n}; they must match"
        )
    if not w.any():
        raise ValueError("sample_weight must have a positive sum")
    return _rescaled(w, 0)


def _contingency(x: Any, y: Any, sample_weight: Any, names: tuple[str, str]) -> NDArray[np.float64]:
    """Weighted contingency table ``[C, K]``: rows are values of ``x``, columns of ``y``."""
    cx, n_x = _encode_labels(x, names[0])
    cy, n_y = _encode_labels(y, names[1])
    if len(cx) != len(cy):
        raise ValueError(
            f"{names[0]} and {names[1]} have different lengths: {len(cx)} and {len(cy)}"
        )
    w = _check_sample_weight(sample_weight, len(cx), names[0])
    flat = np.bincount(cx * n_y + cy, weights=w, minlength=n_x * n_y)
    return flat.astype(np.float64).reshape(n_x, n_y)


def _count_table(table: Any) -> NDArray[np.float64]:
    """Validate a contingency table ``[..., C, K]`` of non-negative counts."""
    t = _nonnegative_array(table, "table", min_ndim=2)
    if t.shape[-2] == 0 or t.shape[-1] == 0:
        raise ValueError(f"table must have at least one row and one column, got shape {t.shape}")
    return _rescaled(t, (-2, -1))
