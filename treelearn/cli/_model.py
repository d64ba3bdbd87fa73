"""``treelearn fit``, ``predict`` and ``show``: a model file from the shell.

``fit`` writes ``estimator.to_json()``; ``predict`` and ``show`` read it back with
``load_json``, so a model saved here is a model Python can load, and the other way
round.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import pandas as pd

from treelearn._classes import load_json
from treelearn.cli._data import resolve_data
from treelearn.cli._draw import drawing_options, estimator_of, picture_format, write_picture
from treelearn.cli._errors import CommandError
from treelearn.datasets import read_table

__all__ = ["predictions", "run"]


def _fit(args: argparse.Namespace) -> int:
    data = resolve_data([args.data], args)[0]
    label, estimator = estimator_of(args)
    estimator.fit(data.X, data.y)
    estimator.to_json(path=args.output)
    print(
        f"treelearn: wrote {args.output} ({label} tree of {data.name}: "
        f"{data.X.shape[0]} rows, {estimator.get_n_leaves()} leaves, depth "
        f"{estimator.get_depth()})",
        file=sys.stderr,
    )
    return 0


def _load_model(path: str) -> Any:
    if not Path(path).is_file():
        raise CommandError(f"model file does not exist: {path}")
    return load_json(Path(path))


def _features(model: Any, args: argparse.Namespace) -> pd.DataFrame:
    """The model's feature columns of the data, by name (positionally for a model
    fitted on an unnamed array)."""
    drop = [p.strip() for v in (args.drop or []) for p in v.split(",") if p.strip()] or None
    frame = read_table(args.data, sep=args.sep, drop=drop)
    names = getattr(model, "feature_names_in_", None)
    if names is None:
        if frame.shape[1] < model.n_features_in_:
            raise CommandError(
                f"{args.data} has {frame.shape[1]} columns; the model needs {model.n_features_in_}"
            )
        return frame.iloc[:, : model.n_features_in_]
    names = [str(n) for n in names]
    missing = [n for n in names if n not in frame.columns]
    if missing:
        raise CommandError(
            f"{args.data} lacks the model's feature column(s) {', '.join(map(repr, missing))}"
        )
    # a column the model saw as categorical but the file holds as numbers (--categorical
    # at fit time): read it the way fit did
    recast = [
        n
        for n, categories in zip(names, model.categories_, strict=True)
        if categories is not None and not isinstance(frame[n].dtype, pd.CategoricalDtype)
    ]
    if recast:
        frame = read_table(args.data, sep=args.sep, drop=drop, categorical=recast)
    return frame[names]


def predictions(model: Any, X: pd.DataFrame, proba: bool) -> pd.DataFrame:
    """The ``predict`` table: ``prediction`` and, with ``proba``, ``proba_<class>``."""
    out = pd.DataFrame({"prediction": model.predict(X)})
    if proba:
        matrix = model.predict_proba(X)
        for k, label in enumerate(model.classes_):
            out[f"proba_{label}"] = matrix[:, k]
    return out


def _predict(args: argparse.Namespace) -> int:
    model = _load_model(args.model)
    table = predictions(model, _features(model, args), args.proba)
    if args.output:
        table.to_csv(args.output, index=False)
        print(f"treelearn: wrote {args.output} ({len(table)} predictions)", file=sys.stderr)
    else:
        sys.stdout.write(table.to_csv(index=False))
    return 0


def _show(args: argparse.Namespace) -> int:
    model = _load_model(args.model)
    fmt = args.format
    if fmt is None:
        fmt = picture_format(args.output) if args.output else "text"
        if fmt in ("dot", "gv"):
            fmt = "dot"
    if fmt in ("text", "rules", "dot"):
        from treelearn.export import export_graphviz, export_rules, export_text

        # --show surrogates lists the surrogate splits in the text and rules too
        surrogates = args.show is not None and "surrogates" in args.show
        # --show competitors: the competing splits (max_competitors) in the text too
        competitors = args.show is not None and "competitors" in args.show
        if fmt == "text":
            text = export_text(
                model,
                layout="sklearn" if competitors else "auto",  # J48's layout has no such line
                max_depth=args.max_depth,
                show_surrogates=surrogates,
                show_competitors=competitors,
            )
        elif fmt == "rules":
            text = str(export_rules(model, show_surrogates=surrogates))
        else:
            text = str(export_graphviz(model, **drawing_options(args)))
        text = text if text.endswith("\n") else text + "\n"
        if args.output:
            Path(args.output).write_text(text, encoding="utf-8")
        else:
            sys.stdout.write(text)
        return 0
    if not args.output:
        raise CommandError(f"--format {fmt} writes an image: give -o FILE")
    if args.data is not None and fmt != "html":
        raise CommandError("--data is for --format html (the explorer's rows)")
    rows = None if args.data is None else _features(model, args)
    write_picture(model, args.output, fmt, args, rows)
    print(f"treelearn: wrote {args.output}", file=sys.stderr)
    return 0


def run(args: argparse.Namespace) -> int:
    """Run ``fit``, ``predict`` or ``show``."""
    return {"fit": _fit, "predict": _predict, "show": _show}[args.command](args)
