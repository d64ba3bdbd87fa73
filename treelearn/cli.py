"""The ``treelearn`` command line."""

from __future__ import annotations

import argparse
import sys

from treelearn._version import __version__


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of the ``treelearn`` command."""
    parser = argparse.ArgumentParser(
        prog="treelearn",
        description="Decision trees on information-theoretic split criteria.",
    )
    parser.add_argument("--version", action="version", version=f"treelearn {__version__}")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the ``treelearn`` command and return its exit code."""
    parser = build_parser()
    parser.parse_args(argv)
    parser.print_help()
    return 0


if __name__ == "__main__":
    sys.exit(main())
