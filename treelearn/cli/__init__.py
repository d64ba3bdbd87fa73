"""The ``treelearn`` command line (also ``python -m treelearn``).

Sub-commands:

* ``treelearn fit DATA -o model.json`` -- fit a tree on a data set and save it as JSON;
* ``treelearn predict model.json DATA`` -- predictions (and probabilities) as CSV;
* ``treelearn show model.json`` -- the saved tree as text, rules, DOT or a picture;
* ``treelearn compare`` -- cross-validate split criteria on data sets and compare them
  (:func:`treelearn.compare.compare_criteria`), as a table, CSV, JSON or Markdown, and
  optionally a picture (``--plot``);
* ``treelearn render`` -- draw the tree one criterion grows on a data set;
* ``treelearn datasets`` -- the bundled data sets with their shapes;
* ``treelearn info DATA`` -- entropy of the class, and information gain and gain ratio
  of every feature (:func:`treelearn.compare.feature_information`).

The package only parses, calls the public API (:mod:`treelearn.compare`,
:mod:`treelearn.datasets`, :mod:`treelearn.export`, ``load_json``) and prints. One
module per command family, imported when its command runs, so that ``--help`` starts
without numpy, pandas or scikit-learn: ``_parser`` (the options), ``_errors`` (exit
statuses), ``_data`` (data sets and criteria from the options), ``_tables`` (output
formats), ``_model`` (fit, predict, show), ``_draw`` (render, and pictures for show),
``_compare`` and ``_info`` (datasets, info).

Data are bundled names (``treelearn datasets``) or ARFF/CSV/TSV/Parquet paths, read by
:func:`treelearn.datasets.load_dataset` -- the data path of the Python API, so the
command grows the trees Python grows. Every error (a bad name, a missing or malformed
file, a failed fit) ends with one line on stderr and exit status 2.
"""

from __future__ import annotations

import io
import sys
from typing import Any

from treelearn.cli._errors import EXIT_USAGE, CommandError, one_line
from treelearn.cli._parser import build_parser

__all__ = ["build_parser", "main"]


def _dispatch(args: Any) -> int:
    """Import the module of ``args.command`` and run it."""
    if args.command in ("fit", "predict", "show"):
        from treelearn.cli import _model

        return _model.run(args)
    if args.command == "compare":
        from treelearn.cli import _compare

        return _compare.run(args)
    if args.command == "render":
        from treelearn.cli import _draw

        return _draw.run(args)
    from treelearn.cli import _info

    return _info.run(args)


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
        return _dispatch(args)
    except CommandError as exc:
        print(f"treelearn: error: {one_line(exc)}", file=sys.stderr)
        return exc.status
    except BrokenPipeError:  # e.g. `treelearn compare | head`
        sys.stdout = io.TextIOWrapper(io.BytesIO())
        return 0
    except (ValueError, TypeError, OSError, ImportError) as exc:
        print(f"treelearn: error: {one_line(exc)}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("treelearn: interrupted", file=sys.stderr)
        return 130
