"""``treelearn render``, and the pictures of ``treelearn show``.

The drawing options are those of :func:`treelearn.export.export_graphviz`
(``max_depth``, ``hide_empty``, ``show``, ``orientation``, ``named_counts``); the
format follows ``--format`` or the file's suffix, and anything else is refused before
a tree is fitted.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from treelearn.cli._data import build_estimator, parse_criteria, parse_params, resolve_data
from treelearn.cli._errors import EXIT_UNAVAILABLE, CommandError
from treelearn.cli._parser import DRAW_FORMATS

__all__ = ["drawing_options", "estimator_of", "picture_format", "run", "write_picture"]

_SUFFIXES = {
    "svg": "svg",
    "png": "png",
    "pdf": "pdf",
    "jpg": "jpeg",
    "jpeg": "jpeg",
    "html": "html",
    "htm": "html",
}
#: rows of the training data ``render -o tree.html`` embeds for the page's row picker
HTML_ROWS = 200


def picture_format(output: str, fmt: str | None = None, *, allow_dot: bool = True) -> str:
    """The format ``--format`` names, else the one the suffix of ``output`` names."""
    if fmt is not None:
        return _SUFFIXES.get(fmt, fmt)
    suffix = Path(output).suffix.lower().lstrip(".")
    if allow_dot and suffix in ("dot", "gv"):
        return "dot"
    if suffix in _SUFFIXES:
        return _SUFFIXES[suffix]
    named = f"the suffix '.{suffix}'" if suffix else "no suffix"
    raise CommandError(
        f"cannot tell the image format of {output!r} ({named}): name the file .svg, .png, "
        f".pdf, .jpg, .jpeg or .html, or give --format {{{','.join(DRAW_FORMATS)}}}"
    )


def drawing_options(args: argparse.Namespace) -> dict[str, Any]:
    """The :func:`~treelearn.export.export_graphviz` keywords of the drawing options."""
    return {
        "max_depth": args.max_depth,
        "hide_empty": args.hide_empty,
        "show": args.show,
        "orientation": args.orientation,
        "named_counts": True,
    }


def estimator_of(args: argparse.Namespace) -> tuple[str, Any]:
    """Label and unfitted estimator of ``-c NAME[:k=v,...]`` and ``--param k=v``."""
    chosen = parse_criteria([args.criterion])
    if len(chosen) != 1:
        raise CommandError(f"-c names {len(chosen)} criteria; fit one at a time")
    name, params = chosen[0]
    params.update(parse_params(args.param or [], "--param"))
    return build_estimator(name, params)


def write_picture(
    estimator: Any, output: str, fmt: str, args: argparse.Namespace, rows: Any = None
) -> None:
    """Draw ``estimator`` to ``output``; a missing renderer is a one-line error.

    ``html`` writes the explorer, with the route of every row of ``rows`` (a frame of
    the model's features) and ``--max-depth`` as the depth the page opens at.
    """
    try:  # looked up when run: an unavailable treelearn.export is a one-line error, exit 1
        from treelearn.export import render
    except ImportError as exc:
        raise CommandError(
            f"rendering trees needs treelearn.export, which is not available ({exc})",
            EXIT_UNAVAILABLE,
        ) from None
    if fmt == "html":
        render(estimator, output, format="html", X=rows, open_depth=args.max_depth)
        return
    try:
        render(estimator, output, format=fmt, **drawing_options(args))
    except RuntimeError as exc:  # no Graphviz program (system dot or graphviz-pure)
        raise CommandError(f"cannot render: {exc}", EXIT_UNAVAILABLE) from None


def run(args: argparse.Namespace) -> int:
    """Run ``render``: fit on the whole data set, draw the tree."""
    fmt = picture_format(args.output, args.format)
    data = resolve_data([args.dataset], args)[0]
    label, estimator = estimator_of(args)
    estimator.fit(data.X, data.y)
    rows = None
    if fmt == "html":  # the page's row picker: the first rows of the data
        X = data.X
        rows = X.iloc[:HTML_ROWS] if hasattr(X, "iloc") else X[:HTML_ROWS]
    write_picture(estimator, args.output, fmt, args, rows)
    print(
        f"treelearn: wrote {args.output} ({label} tree of {data.name}: "
        f"{estimator.get_n_leaves()} leaves, depth {estimator.get_depth()})",
        file=sys.stderr,
    )
    return 0
