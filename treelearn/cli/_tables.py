"""Tables for people and programs: the text, CSV, JSON and Markdown forms."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import pandas as pd

__all__ = ["FORMATS", "emit", "markdown"]

FORMATS = ("table", "csv", "json", "markdown")


def markdown(frame: pd.DataFrame) -> str:
    """A GitHub pipe table of ``frame`` (numbers right-aligned)."""

    def cell(value: Any) -> str:
        missing = value is None or (isinstance(value, float) and math.isnan(value))
        text = "" if missing or value is pd.NA else str(value)
        return text.replace("|", "\\|").replace("\n", " ").strip()

    header = [cell(c) for c in frame.columns]
    align = ["---:" if _right_aligned(frame[c]) else ":---" for c in frame.columns]
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join(align) + " |"]
    for row in frame.itertuples(index=False):
        lines.append("| " + " | ".join(cell(v) for v in row) + " |")
    return "\n".join(lines)


def _right_aligned(column: pd.Series) -> bool:
    """Numbers, or text that starts like one ("73.8 ± 4.1"): right-aligned."""
    if pd.api.types.is_numeric_dtype(column.dtype):
        return True
    text = column.dropna().astype(str).str.strip()
    text = text[~text.isin(["", "-", "failed"])]
    return bool(len(text)) and bool(text.str.match(r"^[-+]?\d").all())


def emit(frame: pd.DataFrame, fmt: str, *, notes: Sequence[str] = (), head: str = "") -> str:
    """Render a table in one of :data:`FORMATS` (notes only for human formats)."""
    if fmt == "csv":
        return frame.to_csv(index=False)
    if fmt == "json":
        return frame.to_json(orient="records", indent=2) + "\n"
    parts = [head] if head else []
    if fmt == "markdown":
        parts.append(markdown(frame))
        parts.extend(f"\n{note}" for note in notes)
    else:
        parts.append(frame.to_string(index=False))
        parts.extend(notes)
    return "\n".join(parts) + "\n"
