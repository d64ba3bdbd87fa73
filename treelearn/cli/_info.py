"""``treelearn datasets`` and ``treelearn info``: what is in the data."""

from __future__ import annotations

import argparse
import json
import math
import sys
from typing import Any

__all__ = ["run"]


def _datasets(args: argparse.Namespace) -> int:
    """The catalogue (no file is read): fast enough for a shell's start-up."""
    from treelearn.datasets import dataset_info, list_datasets

    fields = ("name", "rows", "features", "nominal", "numeric", "classes", "missing", "title")
    rows = []
    for name in list_datasets():
        info = dataset_info(name)
        rows.append(
            (
                name,
                info.n_rows,
                info.n_features,
                info.n_nominal,
                info.n_features - info.n_nominal,
                info.n_classes,
                info.rows_with_missing,
                info.title,
            )
        )
    note = "classes: declared class values; missing: rows with a missing feature value."
    if args.format == "json":
        sys.stdout.write(
            json.dumps([dict(zip(fields, r, strict=True)) for r in rows], indent=2) + "\n"
        )
    elif args.format == "csv":
        import csv
        import io

        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(fields)
        writer.writerows(rows)
        sys.stdout.write(buffer.getvalue())
    else:
        shown = [fields, *[tuple(str(v) for v in r) for r in rows]]
        if args.format == "table":
            shown = [(*r[:-1], r[-1][:40]) for r in shown]
            widths = [max(len(r[j]) for r in shown) for j in range(len(fields))]
            lines = [
                " ".join(
                    c.ljust(w) if j in (0, len(fields) - 1) else c.rjust(w)
                    for j, (c, w) in enumerate(zip(r, widths, strict=True))
                ).rstrip()
                for r in shown
            ]
            sys.stdout.write("\n".join([*lines, note]) + "\n")
        else:
            head = "| " + " | ".join(fields) + " |"
            rule = "| " + " | ".join(":---" if f in ("name", "title") else "---:" for f in fields)
            body = ["| " + " | ".join(r) + " |" for r in shown[1:]]
            sys.stdout.write("\n".join([head, rule + " |", *body, "", note]) + "\n")
    return 0


def _info(args: argparse.Namespace) -> int:
    import numpy as np

    from treelearn.cli._data import load_options
    from treelearn.cli._tables import emit
    from treelearn.compare import feature_information
    from treelearn.datasets import load_dataset

    bunch: Any = load_dataset(args.dataset, as_frame=True, target=args.target, **load_options(args))
    X, y = bunch.data, bunch.target
    known = y.notna().to_numpy()
    X, y = X[known], y[known]
    target = str(y.name)
    class_entropy, table = feature_information(X, y)
    nominal = int(np.sum(bunch.categorical_features))
    head = (
        f"{args.dataset}: {X.shape[0]} rows, {X.shape[1]} features ({nominal} nominal, "
        f"{X.shape[1] - nominal} numeric), class {target!r} with {y.nunique()} values\n"
        f"H({target}) = {class_entropy:.4f} bits"
    )
    if args.format == "json":
        payload = {
            "dataset": args.dataset,
            "n_samples": int(X.shape[0]),
            "target": target,
            "class_entropy": class_entropy,
            "features": json.loads(table.to_json(orient="records")),
        }
        sys.stdout.write(json.dumps(payload, indent=2) + "\n")
        return 0
    shown = table
    if args.format in ("table", "markdown"):
        shown = table.copy()
        for column in ("gain", "split_info", "gain_ratio"):
            shown[column] = shown[column].map(lambda v: f"{v:.4f}")
        shown["threshold"] = shown["threshold"].map(lambda v: "" if math.isnan(v) else f"{v:g}")
        head += "\n"
    notes = [
        "gain, split_info, gain_ratio in bits; numeric features at their best threshold; "
        "missing values as in C4.5."
    ]
    sys.stdout.write(emit(shown, args.format, notes=notes, head=head))
    return 0


def run(args: argparse.Namespace) -> int:
    """Run ``datasets`` or ``info``."""
    return _datasets(args) if args.command == "datasets" else _info(args)
