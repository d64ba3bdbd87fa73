"""How the ``treelearn`` command fails: one line on stderr and an exit status."""

from __future__ import annotations

from typing import Any

__all__ = ["EXIT_FAILED", "EXIT_UNAVAILABLE", "EXIT_USAGE", "CommandError", "one_line"]

EXIT_USAGE = 2  # bad arguments, unknown data set, unreadable file, failed fit
EXIT_UNAVAILABLE = 1  # a feature this build cannot provide (rendering without export)
EXIT_FAILED = 1  # --keep-going: the run went on past failures and reports them


class CommandError(Exception):
    """An error reported as one line, with an exit status."""

    def __init__(self, message: str, status: int = EXIT_USAGE):
        super().__init__(message)
        self.status = status


def one_line(message: Any) -> str:
    """``message`` with every run of whitespace (newlines too) made one space."""
    return " ".join(str(message).split())
