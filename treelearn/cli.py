"""The ``treelearn`` command line (also ``python -m treelearn``).

Sub-commands:

* ``treelearn compare`` -- cross-validate split criteria on data sets and compare them
  (:func:`treelearn.compare.compare_criteria`), as a table, CSV, JSON or Markdown, and
  optionally a picture (``--plot``);
* ``treelearn render`` -- draw the tree one criterion grows on a data set (SVG or PNG);
* ``treelearn datasets`` -- the bundled data sets with their shapes;
* ``treelearn info DATASET`` -- entropy of the class, and information gain and gain ratio
  of every feature (:func:`treelearn.compare.feature_information`).

The module only parses, calls the public API (:mod:`treelearn.compare`,
:mod:`treelearn.datasets`, :mod:`treelearn.export`) and prints.

Data sets are bundled names (``treelearn datasets``) or ARFF/CSV paths. A bad name, a
missing file or a malformed file ends with a one-line error and exit status 2.
"""

from __future__ import annotations

import argparse
import io
import json
import math
import sys
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from treelearn._version import __version__
from treelearn.compare import (
    PRESETS,
    compare_criteria,
    feature_information,
    mean_ranks,
    plot_comparison,
    primary_metric,
    resolve_criteria,
    resolve_datasets,
)
from treelearn.datasets import list_datasets, load_dataset

__all__ = ["build_parser", "main"]

FORMATS = ("table", "csv", "json", "markdown")
EXIT_USAGE = 2  # bad arguments, unknown data set, unreadable file
EXIT_UNAVAILABLE = 1  # a feature this build cannot provide (rendering without export)

_PERCENT_METRICS = frozenset({"accuracy", "balanced_accuracy"})


class CommandError(Exception):
    """An error reported as one line, with an exit status."""

    def __init__(self, message: str, status: int = EXIT_USAGE):
        super().__init__(message)
        self.status = status


# ------------------------------------------------------------------- formatting


def _markdown(frame: pd.DataFrame) -> str:
    """A GitHub pipe table of ``frame`` (numbers right-aligned)."""

    def cell(value: Any) -> str:
        text = (
            "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)
        )
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


def _emit(frame: pd.DataFrame, fmt: str, *, notes: Sequence[str] = (), head: str = "") -> str:
    """Render a table in one of :data:`FORMATS` (notes only for human formats)."""
    if fmt == "csv":
        return frame.to_csv(index=False)
    if fmt == "json":
        return frame.to_json(orient="records", indent=2) + "\n"
    parts = [head] if head else []
    if fmt == "markdown":
        parts.append(_markdown(frame))
        parts.extend(f"\n{note}" for note in notes)
    else:
        parts.append(frame.to_string(index=False))
        parts.extend(notes)
    return "\n".join(parts) + "\n"


def _comparison_table(result: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """The wide human-readable form of a comparison and its footnotes."""
    metric = primary_metric(result)
    scale, unit = (100.0, " %") if metric in _PERCENT_METRICS else (1.0, "")
    criteria = list(dict.fromkeys(result["criterion"]))
    marks = {"better": " +", "worse": " -"}
    rows = []
    for dataset, group in result.groupby("dataset", sort=False):
        row: dict[str, Any] = {"dataset": dataset, "rows": int(group["n_samples"].iloc[0])}
        by = group.set_index("criterion")
        for criterion in criteria:
            if criterion not in by.index:
                row[criterion] = ""
                continue
            mean = by.at[criterion, f"{metric}_mean"] * scale
            std = by.at[criterion, f"{metric}_std"] * scale
            mark = marks.get(by.at[criterion, "significance"], "  ")
            digits = 1 if scale == 100.0 else 3
            row[criterion] = (
                "failed" if math.isnan(mean) else f"{mean:.{digits}f} ± {std:.{digits}f}{mark}"
            )
        for criterion in criteria:
            size = by.at[criterion, "tree_size"] if criterion in by.index else math.nan
            row[f"size {criterion}"] = size
        rows.append(row)
    table = pd.DataFrame(rows)
    for criterion in criteria:  # whole nodes; <NA> where a criterion failed
        column = f"size {criterion}"
        table[column] = table[column].round().astype("Int64")
    n_folds = int(result["n_folds"].iloc[0])
    baseline = result.attrs.get("baseline", criteria[0])
    alpha = result.attrs.get("alpha", 0.05)
    ranks = mean_ranks(result)
    notes = [
        f"{metric}{unit}: mean ± std over {n_folds} stratified folds (the same folds for "
        "every criterion); size: mean node count of the fold trees.",
        f"+/-: significantly better/worse than {baseline} (corrected resampled t-test, "
        f"p < {alpha:g}).",
        "mean rank: " + ", ".join(f"{c} {r:.2f}" for c, r in ranks.items()),
    ]
    return table, notes


# --------------------------------------------------------------------- commands


def _load(spec: str, target: str | None = None):
    return load_dataset(spec, as_frame=True, target=target)


def _criteria_list(values: Sequence[str] | None) -> list[str]:
    if not values:
        return ["id3", "c4.5", "cart"]
    out = [part.strip() for value in values for part in value.split(",") if part.strip()]
    if not out:
        raise CommandError("--criteria names no criterion")
    return out


def _cmd_compare(args: argparse.Namespace) -> int:
    criteria = _criteria_list(args.criteria)
    baseline = args.baseline
    if baseline is not None and baseline.lower() in PRESETS:
        baseline = PRESETS[baseline.lower()][0]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = compare_criteria(
            args.datasets or None,
            criteria,
            cv=args.cv,
            n_repeats=args.repeats,
            scoring=args.scoring,
            random_state=args.seed,
            n_jobs=args.jobs,
            target=args.target,
            baseline=baseline,
            alpha=args.alpha,
            progress=False if args.no_progress else None,
        )
    for warning in caught:
        if issubclass(warning.category, RuntimeWarning | UserWarning):
            print(f"treelearn: warning: {_one_line(warning.message)}", file=sys.stderr)
    if args.format in ("csv", "json"):
        sys.stdout.write(_emit(result, args.format))
    else:
        table, notes = _comparison_table(result)
        sys.stdout.write(_emit(table, args.format, notes=notes))
    if args.plot:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        fig = plot_comparison(result)
        fig.savefig(args.plot, dpi=args.dpi)
        plt.close(fig)
        print(f"treelearn: wrote {args.plot}", file=sys.stderr)
    return 0


def _cmd_render(args: argparse.Namespace) -> int:
    fmt = args.format
    if fmt is None:
        suffix = args.output.rsplit(".", 1)[-1].lower() if "." in args.output else ""
        fmt = suffix if suffix in ("svg", "png") else "svg"
    data = resolve_datasets([args.dataset], target=args.target)[0]
    label, estimator = resolve_criteria([args.criterion])[0]
    try:  # looked up when run: an unavailable treelearn.export is a one-line error, exit 1
        from treelearn.export import render
    except ImportError as exc:
        raise CommandError(
            f"rendering trees needs treelearn.export, which is not available ({exc})",
            EXIT_UNAVAILABLE,
        ) from None
    estimator.fit(data.X, data.y)
    try:
        render(estimator, args.output, format=fmt)
    except RuntimeError as exc:  # no Graphviz program (system dot or graphviz-pure)
        raise CommandError(f"cannot render: {exc}", EXIT_UNAVAILABLE) from None
    print(
        f"treelearn: wrote {args.output} ({label} tree of {data.name}: "
        f"{estimator.get_n_leaves()} leaves, depth {estimator.get_depth()})",
        file=sys.stderr,
    )
    return 0


def _cmd_datasets(args: argparse.Namespace) -> int:
    rows = []
    for name in list_datasets():
        bunch = _load(name)
        nominal = int(np.sum(bunch.categorical_features))
        n_features = bunch.data.shape[1]
        rows.append(
            {
                "name": name,
                "rows": bunch.data.shape[0],
                "features": n_features,
                "nominal": nominal,
                "numeric": n_features - nominal,
                "classes": int(bunch.target.nunique()),
                "missing": int(bunch.data.isna().any(axis=1).sum()),
                "title": bunch.DESCR.splitlines()[0],
            }
        )
    frame = pd.DataFrame(rows)
    notes = ["missing: rows with at least one missing feature value."]
    if args.format == "table":
        frame = frame.assign(title=frame["title"].str.slice(0, 40))
    sys.stdout.write(_emit(frame, args.format, notes=notes))
    return 0


def _cmd_info(args: argparse.Namespace) -> int:
    bunch = _load(args.dataset, args.target)
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
    sys.stdout.write(_emit(shown, args.format, notes=notes, head=head))
    return 0


# ----------------------------------------------------------------------- parser


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _jobs(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if value == 0:
        raise argparse.ArgumentTypeError("must not be 0 (-1 = all cores)")
    return value


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of the ``treelearn`` command."""
    parser = argparse.ArgumentParser(
        prog="treelearn",
        description="Decision trees on information-theoretic split criteria: compare ID3, "
        "C4.5 and CART (or your own criterion) on data sets.",
        epilog="Run 'treelearn COMMAND --help' for the options of a command.",
    )
    parser.add_argument("--version", action="version", version=f"treelearn {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    fmt_help = "output format (default: table)"
    compare = commands.add_parser(
        "compare",
        help="cross-validate split criteria on data sets and compare them",
        description="Cross-validate split criteria on data sets with the same stratified "
        "folds for every criterion, and compare mean scores, tree sizes and times, with a "
        "corrected resampled t-test against the first criterion and the mean rank.",
    )
    compare.add_argument(
        "-d",
        "--dataset",
        dest="datasets",
        nargs="+",
        action="extend",
        metavar="NAME|PATH",
        help="bundled data set name or ARFF/CSV file; repeatable (default: all bundled)",
    )
    compare.add_argument(
        "-c",
        "--criteria",
        action="append",
        metavar="LIST",
        help="comma-separated presets (id3, c4.5, cart) or criterion names (entropy, "
        "gain_ratio, gini, ...); default: id3,c4.5,cart",
    )
    compare.add_argument("--cv", type=_positive_int, default=10, help="folds (default: 10)")
    compare.add_argument(
        "--repeats",
        type=_positive_int,
        default=1,
        help="repetitions of the k-fold split (default: 1)",
    )
    compare.add_argument(
        "--scoring",
        default="accuracy",
        help="scikit-learn scorer name (default: accuracy)",
    )
    compare.add_argument("--seed", type=int, default=0, help="fold shuffling seed (default: 0)")
    compare.add_argument(
        "-j",
        "--jobs",
        type=_jobs,
        default=-1,
        help="parallel processes; -1 = all cores (the default), 1 = none",
    )
    compare.add_argument("--target", help="class column of files (default: the last)")
    compare.add_argument(
        "--baseline", help="criterion the others are tested against (default: the first)"
    )
    compare.add_argument(
        "--alpha", type=float, default=0.05, help="significance level (default: 0.05)"
    )
    compare.add_argument("--format", choices=FORMATS, default="table", help=fmt_help)
    compare.add_argument("--plot", metavar="FILE", help="also save the comparison plot (PNG)")
    compare.add_argument("--dpi", type=int, default=150, help=argparse.SUPPRESS)
    compare.add_argument(
        "--no-progress", action="store_true", help="no progress bar (shown on terminals)"
    )
    compare.set_defaults(func=_cmd_compare)

    render = commands.add_parser(
        "render",
        help="draw the tree a criterion grows on a data set",
        description="Fit one criterion on a whole data set and draw its tree with graphviz.",
    )
    render.add_argument(
        "-d",
        "--dataset",
        required=True,
        metavar="NAME|PATH",
        help="bundled data set name or ARFF/CSV file",
    )
    render.add_argument(
        "-c",
        "--criterion",
        default="c4.5",
        help="preset (id3, c4.5, cart) or criterion name (default: c4.5)",
    )
    render.add_argument(
        "--format",
        choices=("svg", "png"),
        default=None,
        help="image format (default: from the file name, else svg)",
    )
    render.add_argument("-o", "--output", required=True, metavar="FILE", help="image file")
    render.add_argument("--target", help="class column of files (default: the last)")
    render.set_defaults(func=_cmd_render)

    datasets = commands.add_parser(
        "datasets",
        help="list the bundled data sets with their shapes",
        description="List the bundled data sets: rows, features (nominal and numeric), "
        "classes and rows with missing values.",
    )
    datasets.add_argument("--format", choices=FORMATS, default="table", help=fmt_help)
    datasets.set_defaults(func=_cmd_datasets)

    info = commands.add_parser(
        "info",
        help="entropy of the class, information gain and gain ratio of every feature",
        description="Entropy of the class and, for every feature, the information gain, "
        "split information and gain ratio (bits) of splitting on it, as ID3 and C4.5 see "
        "them at the root.",
    )
    info.add_argument("dataset", metavar="DATASET", help="bundled name or ARFF/CSV file")
    info.add_argument("--target", help="class column of files (default: the last)")
    info.add_argument("--format", choices=FORMATS, default="table", help=fmt_help)
    info.set_defaults(func=_cmd_info)
    return parser


def _one_line(message: Any) -> str:
    return " ".join(str(message).split())


def main(argv: list[str] | None = None) -> int:
    """Run the ``treelearn`` command and return its exit status.

    Examples
    --------
    >>> main(["info", "play_tennis", "--format", "csv"])  # doctest: +ELLIPSIS
    feature,type,missing,gain,split_info,gain_ratio,threshold
    outlook,nominal (3),0,0.24674981977...
    ...
    0
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        return args.func(args)
    except CommandError as exc:
        print(f"treelearn: error: {_one_line(exc)}", file=sys.stderr)
        return exc.status
    except BrokenPipeError:  # e.g. `treelearn compare | head`
        sys.stdout = io.TextIOWrapper(io.BytesIO())
        return 0
    except (ValueError, TypeError, OSError) as exc:
        print(f"treelearn: error: {_one_line(exc)}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("treelearn: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
