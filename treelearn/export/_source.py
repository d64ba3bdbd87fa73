"""A :class:`graphviz.Source` whose rendering runs through treelearn's renderer.

The ``graphviz`` package renders by calling the system ``dot``. :class:`TreeSource`
replaces the package's two seams for that (the render call and the pipe calls) with
stand-ins that call :func:`treelearn.export.render_dot`, so ``render``, ``pipe``,
``view`` and the Jupyter display work with ``graphviz-pure`` too. It holds DOT text
and knows nothing of trees; :func:`treelearn.export.to_graphviz` makes one from a
fitted tree.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import graphviz

from treelearn.export._render import format_of, render_dot

__all__ = ["TreeSource"]


class TreeSource(graphviz.Source):
    """A :class:`graphviz.Source` that renders without a system Graphviz.

    ``render``, ``pipe``, ``view`` and the Jupyter display run the system ``dot``
    when it is installed and the ``graphviz-pure`` wheel otherwise (see
    :func:`treelearn.export.which_renderer`). Set ``program`` to ``"dot"`` or
    ``"graphviz-pure"`` to force one.
    """

    program: str = "auto"

    @property
    def _render(self):  # the graphviz package's seam for the render call
        return _graphviz_render_hook(self.program)

    @property
    def _pipe_lines(self):
        return _graphviz_pipe_hook(self.program, text=False)

    @property
    def _pipe_lines_string(self):
        return _graphviz_pipe_hook(self.program, text=True)

    def copy(self):
        new = super().copy()
        new.program = self.program
        return new


def _graphviz_render_hook(choice: str):
    """A stand-in for ``graphviz.backend.rendering.render`` that uses our renderer."""

    def render_file(
        engine: str,
        format: str | None = None,
        filepath: str | os.PathLike | None = None,
        renderer: str | None = None,
        formatter: str | None = None,
        neato_no_op: Any = None,
        quiet: bool = False,
        *,
        outfile: str | os.PathLike | None = None,
        raise_if_result_exists: bool = False,
        overwrite_filepath: bool = False,
    ) -> str:
        if outfile is not None:
            out = Path(outfile)
            fmt = format_of(out, format)
            if filepath is None:
                filepath = out.with_suffix(".gv")
        else:
            if filepath is None or format is None:
                raise graphviz.RequiredArgumentError("filepath and format are required")
            fmt = format
            out = Path(f"{os.fspath(filepath)}.{format}")
        src_path = Path(filepath)
        if not overwrite_filepath and out.resolve() == src_path.resolve():
            raise ValueError(
                f"outfile {out.name!r} must be different from input file {src_path.name!r}"
            )
        if raise_if_result_exists and out.exists():
            raise graphviz.FileExistsError(f"output file exists: {os.fspath(out)!r}")
        source = src_path.read_text(encoding="utf-8")
        out.write_bytes(render_dot(source, fmt, renderer=choice, engine=engine))
        return os.fspath(out)

    return render_file


def _graphviz_pipe_hook(choice: str, *, text: bool):
    """A stand-in for ``graphviz``'s ``pipe_lines`` / ``pipe_lines_string``."""

    def pipe(
        engine: str,
        format: str,
        input_lines,
        *,
        input_encoding: str = "utf-8",
        encoding: str | None = None,
        renderer: str | None = None,
        formatter: str | None = None,
        neato_no_op: Any = None,
        quiet: bool = False,
        **_: Any,
    ):
        data = "".join(input_lines)
        out = render_dot(data, format, renderer=choice, engine=engine)
        return out.decode(encoding or "utf-8") if text else out

    return pipe
