"""Strict JSON values for treelearn documents: written bit for bit, read with checks.

Writing: floats with Python's shortest round-trip ``repr`` (NaN as ``null``,
infinities as ``"Infinity"`` / ``"-Infinity"``), scalars of the supported types only.
Reading: every value is checked for its JSON type, length and range, and any problem
raises :class:`InvalidDocument` ("invalid treelearn JSON: where: problem"), a
``ValueError``.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

__all__ = [
    "InvalidDocument",
    "expect",
    "fail",
    "float_array",
    "float_list",
    "float_or_name",
    "float_value",
    "get",
    "int_array",
    "integer",
    "json_scalar",
    "read_source",
    "reject_constant",
    "scalar",
]


def scalar(value: Any, what: str) -> Any:
    """A JSON scalar for a category, class or parameter value."""
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return float_or_name(value)
    raise ValueError(
        f"{what} {value!r} of type {type(value).__name__} cannot be stored in JSON "
        "(supported: str, int, float, bool)."
    )


def float_or_name(x: float) -> float | str | None:
    if math.isnan(x):
        return None
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    return float(x)


def float_list(arr: np.ndarray) -> list:
    flat = arr.astype(np.float64).tolist()
    if np.isfinite(arr).all():
        return flat
    return [float_or_name(v) for v in flat]


class InvalidDocument(ValueError):
    pass


def fail(where: str, problem: str) -> None:
    """Raise :class:`InvalidDocument` for the value at ``where``."""
    raise InvalidDocument(f"invalid treelearn JSON: {where}: {problem}")


def get(doc: Mapping, key: str, where: str) -> Any:
    if key not in doc:
        fail(where, f"missing key {key!r}")
    return doc[key]


def expect(value: Any, kind: type | tuple, where: str, what: str) -> Any:
    if isinstance(value, bool) and bool not in (kind if isinstance(kind, tuple) else (kind,)):
        fail(where, f"expected {what}, got a boolean")
    if not isinstance(value, kind):
        fail(where, f"expected {what}, got {type(value).__name__}")
    return value


def integer(value: Any, where: str, lo: int | None = None, hi: int | None = None) -> int:
    expect(value, int, where, "an integer")
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        fail(where, f"{value} is out of range [{lo}, {hi}]")
    return value


def json_scalar(value: Any, where: str) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    fail(where, f"expected a string, number or boolean, got {type(value).__name__}")
    return None


def int_array(values: Any, where: str, dtype: type, length: int) -> np.ndarray:
    expect(values, list, where, "a list of integers")
    if len(values) != length:
        fail(where, f"has {len(values)} entries, expected {length}")
    info = np.iinfo(dtype)
    for v in values:
        if type(v) is not int:
            fail(where, f"expected integers, found {type(v).__name__} {v!r}")
        if not info.min <= v <= info.max:
            fail(where, f"value {v} does not fit {np.dtype(dtype).name}")
    return np.asarray(values, dtype=dtype).reshape(length)


def float_value(v: Any, where: str) -> float:
    if v is None:
        return math.nan
    if type(v) in (int, float):
        return float(v)
    if v == "Infinity":
        return math.inf
    if v == "-Infinity":
        return -math.inf
    fail(where, f"expected numbers (or null for NaN), found {type(v).__name__} {v!r}")
    return math.nan


def float_array(values: Any, where: str, length: int) -> np.ndarray:
    expect(values, list, where, "a list of numbers")
    if len(values) != length:
        fail(where, f"has {len(values)} entries, expected {length}")
    return np.asarray([float_value(v, where) for v in values], dtype=np.float64).reshape(length)


def read_source(source: Any) -> str:
    if hasattr(source, "read"):
        source = source.read()
    if isinstance(source, bytes | bytearray):
        return bytes(source).decode("utf-8")
    if isinstance(source, os.PathLike):
        return Path(source).read_text(encoding="utf-8")
    if isinstance(source, str):
        head = source.lstrip()[:1]
        if head in ("{", "[", '"') or "\n" in source or len(source) > 4096 or not head:
            return source  # JSON text (any non-object is rejected when read)
        path = Path(source)
        if not path.is_file():
            raise FileNotFoundError(
                f"load_json: {source!r} is neither JSON text nor an existing file"
            )
        return path.read_text(encoding="utf-8")
    raise TypeError(
        f"load_json takes JSON text, bytes, a path or a file, got {type(source).__name__}"
    )


def reject_constant(name: str) -> None:
    raise InvalidDocument(
        f"invalid treelearn JSON: non-standard constant {name} (NaN is written null)"
    )
