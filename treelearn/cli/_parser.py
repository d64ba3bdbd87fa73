"""The argument parser of the ``treelearn`` command.

Only :mod:`argparse` here: ``treelearn --help`` must not import numpy, pandas or
scikit-learn (the commands import what they need when they run).
"""

from __future__ import annotations

import argparse

from treelearn._version import __version__

__all__ = ["DRAW_FORMATS", "SHOW_FIELDS", "build_parser"]

FORMATS = ("table", "csv", "json", "markdown")
#: image formats of ``render`` and ``show`` (``treelearn.export.RENDER_FORMATS`` checks
#: the same list when it draws), and ``html``: the interactive explorer
#: (``treelearn.export.export_html``)
DRAW_FORMATS = ("svg", "png", "pdf", "jpeg", "jpg", "html")
#: label lines of ``--show`` (those of ``treelearn.export.export_graphviz``)
SHOW_FIELDS = (
    "impurity",
    "score",
    "samples",
    "counts",
    "class",
    "missing",
    "surrogates",
    "competitors",
    "id",
)
_DATA_HELP = "bundled data set name or data file (.arff, .csv, .tsv, .parquet; .gz too)"


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _depth(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be at least 0, got {value}")
    return value


def _jobs(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if value == 0:
        raise argparse.ArgumentTypeError("must not be 0 (-1 = all cores)")
    return value


def _show_fields(text: str) -> list[str]:
    fields = [part.strip() for part in text.split(",") if part.strip()]
    unknown = [f for f in fields if f not in SHOW_FIELDS]
    if unknown or not fields:
        raise argparse.ArgumentTypeError(
            f"unknown field(s) {', '.join(unknown) or '(none)'}; choose from "
            f"{','.join(SHOW_FIELDS)}"
        )
    return fields


def _add_data_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("data options")
    group.add_argument(
        "--target", metavar="COL", help="class column of files (default: the last column)"
    )
    group.add_argument(
        "--drop",
        action="append",
        metavar="COL",
        help="leave out this column (repeatable, or a comma-separated list)",
    )
    group.add_argument(
        "--categorical",
        action="append",
        metavar="COL",
        help="read this numeric column as categorical (repeatable, or comma-separated)",
    )
    group.add_argument(
        "--sep", metavar="CHAR", help="field separator of CSV files (default: ',', TAB for .tsv)"
    )


def _add_param_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--param",
        action="append",
        metavar="KEY=VALUE",
        help="an estimator parameter, e.g. confidence=0.1 or max_depth=4 (repeatable)",
    )


def _add_drawing_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("drawing options")
    group.add_argument(
        "--max-depth",
        type=_depth,
        metavar="N",
        help="draw the top N levels; deeper subtrees become '…' stubs",
    )
    group.add_argument(
        "--hide-empty",
        action="store_true",
        help="leave out empty branches (no training case; they predict like their parent)",
    )
    group.add_argument(
        "--show",
        type=_show_fields,
        metavar="LIST",
        help=f"label lines, comma-separated, of {','.join(SHOW_FIELDS)} (default: all but "
        "competitors and id; 'surrogates' also lists them under each split in text and rules, "
        "'competitors' under each split in text)",
    )
    group.add_argument(
        "--orientation",
        choices=("TB", "LR"),
        type=str.upper,
        default="TB",
        help="top to bottom (TB, the default) or left to right (LR)",
    )


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of the ``treelearn`` command."""
    parser = argparse.ArgumentParser(
        prog="treelearn",
        description="Decision trees on information-theoretic split criteria: fit, predict, "
        "draw and compare ID3, C4.5 and CART (or any criterion) on data files.",
        epilog="Run 'treelearn COMMAND --help' for the options of a command.",
    )
    parser.add_argument("--version", action="version", version=f"treelearn {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    fmt_help = "output format (default: table)"

    # ------------------------------------------------------------------ fit
    fit = commands.add_parser(
        "fit",
        help="fit a tree on a data set and save it as JSON",
        description="Fit one estimator on a whole data set and write it as a JSON model "
        "(read back by 'treelearn predict', 'treelearn show' and treelearn.load_json).",
    )
    fit.add_argument("data", metavar="DATA", help=_DATA_HELP)
    fit.add_argument(
        "-c",
        "--criterion",
        default="c4.5",
        help="preset (id3, c4.5, cart) or criterion name (gini, entropy, ...); default: c4.5",
    )
    _add_param_option(fit)
    fit.add_argument("-o", "--output", required=True, metavar="MODEL.json", help="model file")
    _add_data_options(fit)

    # -------------------------------------------------------------- predict
    predict = commands.add_parser(
        "predict",
        help="predict the class of every row of a data set with a saved model",
        description="Predict with a model written by 'treelearn fit': one row per input "
        "row, as CSV. The columns the model was fitted on are taken by name; others "
        "(the class column, say) are ignored.",
    )
    predict.add_argument("model", metavar="MODEL.json", help="model written by 'treelearn fit'")
    predict.add_argument("data", metavar="DATA", help=_DATA_HELP)
    predict.add_argument(
        "--proba", action="store_true", help="also one probability column per class"
    )
    predict.add_argument(
        "-o", "--output", metavar="FILE.csv", help="write the CSV here (default: stdout)"
    )
    predict.add_argument("--sep", metavar="CHAR", help="field separator of CSV input")
    predict.add_argument(
        "--drop", action="append", metavar="COL", help="leave out this input column"
    )

    # ----------------------------------------------------------------- show
    show = commands.add_parser(
        "show",
        help="print or draw a saved model",
        description="Print a model written by 'treelearn fit' as an indented text tree, "
        "IF-THEN rules or Graphviz DOT, or draw it (svg, png, pdf, jpeg), or write the "
        "interactive explorer (html: zoom, collapse, node details, and the route of every "
        "row of --data).",
    )
    show.add_argument("model", metavar="MODEL.json", help="model written by 'treelearn fit'")
    show.add_argument(
        "--data",
        metavar="DATA",
        help="html: rows whose route through the tree the page shows (a data file with the "
        "model's feature columns)",
    )
    show.add_argument(
        "--format",
        choices=("text", "rules", "dot", *DRAW_FORMATS),
        default=None,
        help="text (the default), rules, dot, or an image format (needs -o; taken from "
        "the -o suffix when not given)",
    )
    show.add_argument("--sep", metavar="CHAR", help="field separator of CSV --data")
    show.add_argument("--drop", action="append", metavar="COL", help="leave out this --data column")
    show.add_argument("-o", "--output", metavar="FILE", help="write here (default: stdout)")
    _add_drawing_options(show)

    # -------------------------------------------------------------- compare
    compare = commands.add_parser(
        "compare",
        help="cross-validate split criteria on data sets and compare them",
        description="Cross-validate split criteria on data sets with the same stratified "
        "folds for every criterion, and compare mean scores, tree sizes and fit times, "
        "with a corrected resampled t-test against the first criterion and the mean rank. "
        "Any failed fit makes the exit status non-zero.",
    )
    compare.add_argument(
        "-d",
        "--dataset",
        dest="datasets",
        nargs="+",
        action="extend",
        metavar="DATA",
        help=f"{_DATA_HELP}; repeatable (default: all bundled)",
    )
    compare.add_argument(
        "-c",
        "--criteria",
        action="append",
        metavar="LIST",
        help="comma-separated presets (id3, c4.5, cart) or criterion names (entropy, "
        "gain_ratio, gini, ...), each with optional parameters, e.g. "
        "'c4.5:confidence=0.1,cart:max_depth=5'; repeatable (default: id3,c4.5,cart)",
    )
    compare.add_argument(
        "--missing",
        metavar="LIST",
        help="comma-separated missing-value strategies (fractional, learned, surrogate): "
        "every criterion once per strategy on the same folds, labelled e.g. ID3/learned "
        "(default: each estimator's own)",
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
        action="append",
        metavar="LIST",
        help="comma-separated scikit-learn scorer names, e.g. accuracy,f1_macro; the first "
        "is ranked and tested; repeatable, each adds (default: accuracy)",
    )
    compare.add_argument("--seed", type=int, default=0, help="fold shuffling seed (default: 0)")
    compare.add_argument(
        "-j",
        "--jobs",
        type=_jobs,
        default=-1,
        help="parallel processes; -1 = all cores (the default), 1 = none",
    )
    compare.add_argument(
        "--baseline", help="criterion the others are tested against (default: the first)"
    )
    compare.add_argument(
        "--alpha", type=float, default=0.05, help="significance level (default: 0.05)"
    )
    compare.add_argument("--format", choices=FORMATS, default="table", help=fmt_help)
    compare.add_argument(
        "--imbalanced",
        action="store_true",
        help="compare on the imbalanced suite (one-vs-rest minority tasks of glass, soybean "
        "and segment, and skewed make_classification sets; see "
        "treelearn.compare.imbalanced_suite), besides any -d data sets",
    )
    compare.add_argument(
        "--plot", metavar="FILE", help="also save a plot (PNG, SVG or PDF by the suffix)"
    )
    compare.add_argument(
        "--plot-kind",
        choices=("scores", "cd"),
        default=None,
        help="scores: the mean score of every criterion per data set; cd: Demšar's "
        "critical-difference diagram of the mean ranks (default: cd with --imbalanced, "
        "else scores)",
    )
    compare.add_argument("--dpi", type=int, default=150, help=argparse.SUPPRESS)
    compare.add_argument(
        "--keep-going",
        action="store_true",
        help="report failed fits in the table and go on (the exit status is still 1)",
    )
    compare.add_argument(
        "-q",
        "--quiet",
        "--no-progress",
        dest="quiet",
        action="store_true",
        help="no progress (a bar on a terminal, a line every 10 s otherwise)",
    )
    _add_data_options(compare)

    # --------------------------------------------------------------- render
    render = commands.add_parser(
        "render",
        help="draw the tree a criterion grows on a data set",
        description="Fit one criterion on a whole data set and draw its tree with "
        "Graphviz (the system dot, or the pip-installed graphviz-pure).",
    )
    render.add_argument("-d", "--dataset", required=True, metavar="DATA", help=_DATA_HELP)
    render.add_argument(
        "-c",
        "--criterion",
        default="c4.5",
        help="preset (id3, c4.5, cart) or criterion name (default: c4.5)",
    )
    _add_param_option(render)
    render.add_argument(
        "--format",
        choices=DRAW_FORMATS,
        default=None,
        help="image format (default: from the file name's suffix)",
    )
    render.add_argument("-o", "--output", required=True, metavar="FILE", help="image file")
    _add_drawing_options(render)
    _add_data_options(render)

    # ------------------------------------------------------------- datasets
    datasets = commands.add_parser(
        "datasets",
        help="list the bundled data sets with their shapes",
        description="List the bundled data sets: rows, features (nominal and numeric), "
        "declared classes and rows with missing values.",
    )
    datasets.add_argument("--format", choices=FORMATS, default="table", help=fmt_help)

    # ----------------------------------------------------------------- info
    info = commands.add_parser(
        "info",
        help="entropy of the class, information gain and gain ratio of every feature",
        description="Entropy of the class and, for every feature, the information gain, "
        "split information and gain ratio (bits) of splitting on it, as ID3 and C4.5 see "
        "them at the root.",
    )
    info.add_argument("dataset", metavar="DATA", help=_DATA_HELP)
    info.add_argument("--format", choices=FORMATS, default="table", help=fmt_help)
    _add_data_options(info)
    return parser
