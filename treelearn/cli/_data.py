"""Data sets and criteria from the command's options, through the Python API's path.

Data sets go through :func:`treelearn.compare.resolve_datasets` (which reads names and
files with :func:`treelearn.datasets.load_dataset`), criteria through
:func:`treelearn.compare.resolve_criteria`: the command fits exactly what
``C45Classifier().fit(*load_dataset(name, return_X_y=True))`` or ``compare_criteria``
fits, declared class order included.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Sequence
from typing import Any

from treelearn.cli._errors import CommandError
from treelearn.compare import PRESETS, Dataset, resolve_criteria, resolve_datasets

__all__ = [
    "build_estimator",
    "column_list",
    "load_options",
    "parse_criteria",
    "parse_params",
    "parse_value",
    "resolve_data",
]


def column_list(values: Sequence[str] | None) -> list[str] | None:
    """Repeated and comma-separated column options as one list (None if none)."""
    if not values:
        return None
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def load_options(args: argparse.Namespace) -> dict[str, Any]:
    """The :func:`~treelearn.datasets.load_dataset` keywords of the data options."""
    return {
        "sep": getattr(args, "sep", None),
        "drop": column_list(getattr(args, "drop", None)),
        "categorical": column_list(getattr(args, "categorical", None)),
    }


def resolve_data(specs: Sequence[str] | None, args: argparse.Namespace) -> list[Dataset]:
    """The data sets named on the command line (all bundled ones for ``None``)."""
    return resolve_datasets(
        list(specs) if specs else None,
        target=getattr(args, "target", None),
        load_options=load_options(args),
    )


def parse_value(text: str) -> Any:
    """A parameter value: int, float, true/false, none, else the text itself."""
    lowered = text.strip().lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    if lowered in ("none", "null"):
        return None
    for kind in (int, float):
        try:
            value = kind(text)
        except ValueError:
            continue
        if kind is float and not math.isfinite(value):
            break
        return value
    return text.strip()


def parse_params(items: Sequence[str], where: str) -> dict[str, Any]:
    """``KEY=VALUE`` items as a dict of parsed values (:func:`parse_value`)."""
    params: dict[str, Any] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise CommandError(f"{where}: expected KEY=VALUE, got {item!r}")
        params[key.strip()] = parse_value(value)
    return params


def parse_criteria(values: Sequence[str] | None) -> list[tuple[str, dict[str, Any]]]:
    """``-c`` lists as ``(name, params)``: ``"c4.5:confidence=0.1,min_samples_leaf=5,cart"``
    is C4.5 with two parameters and CART (a ``key=value`` part without ``name:`` belongs
    to the criterion before it)."""
    if not values:
        return [("id3", {}), ("c4.5", {}), ("cart", {})]
    out: list[tuple[str, dict[str, Any]]] = []
    for value in values:
        for part in (p.strip() for p in value.split(",")):
            if not part:
                continue
            name, colon, first = part.partition(":")
            if not colon and "=" in part:
                if not out:
                    raise CommandError(f"--criteria: parameter {part!r} before any criterion")
                out[-1][1].update(parse_params([part], f"--criteria {out[-1][0]}"))
                continue
            params = parse_params([first], f"--criteria {name}") if colon else {}
            out.append((name.strip(), params))
    if not out:
        raise CommandError("--criteria names no criterion")
    return out


def build_estimator(name: str, params: dict[str, Any]) -> tuple[str, Any]:
    """Label and unfitted estimator of a criterion name with parameters."""
    label, estimator = resolve_criteria([name])[0]
    if params:
        try:
            estimator.set_params(**params)
        except ValueError as exc:  # scikit-learn: "Invalid parameter 'x' for estimator ..."
            raise CommandError(f"{label}: {exc}") from None
        label = f"{label}(" + ",".join(f"{k}={v}" for k, v in params.items()) + ")"
    return label, estimator


def criteria_from(values: Sequence[str] | None) -> dict[str, Any]:
    """``{label: unfitted estimator}`` of the ``-c`` lists."""
    out: dict[str, Any] = {}
    for name, params in parse_criteria(values):
        label, estimator = build_estimator(name, params)
        if label in out:
            raise CommandError(f"--criteria names {label} twice")
        out[label] = estimator
    return out


def preset_label(name: str) -> str:
    """The label a preset name stands for in result tables (other names unchanged);
    ``preset/strategy`` (``compare --missing``) keeps its strategy."""
    base, slash, strategy = name.partition("/")
    key = base.strip().lower()
    return (PRESETS[key][0] + slash + strategy.strip()) if key in PRESETS else name
