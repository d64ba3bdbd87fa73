"""Rendering DOT with pip-installed dependencies only.

Two programs can lay out and draw DOT:

* the system Graphviz ``dot`` (``apt-get install graphviz``, ``brew install
  graphviz``, ...), used whenever it is on ``PATH``;
* otherwise ``graphviz-pure``, a Rust port of Graphviz's ``dot`` that ships as a
  PyPI wheel (a dependency of treelearn), so ``pip install treelearn`` alone can
  draw trees. It writes SVG, PNG, JPEG and the layout as JSON; it has no PDF
  writer, so PDF (and PS/EPS) are drawn by matplotlib from its JSON layout: the
  same picture, as vector graphics.

The environment variable ``TREELEARN_RENDERER`` (``dot`` or ``graphviz-pure``)
overrides the choice; every function also takes ``renderer=``.
:func:`which_renderer` says which program runs.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import sysconfig
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import graphviz

__all__ = [
    "RENDERER_ENV",
    "Renderer",
    "RendererNotFoundError",
    "render",
    "render_dot",
    "which_renderer",
]

RENDERER_ENV = "TREELEARN_RENDERER"
_NAMES = ("dot", "graphviz-pure")
# formats graphviz-pure writes itself
_PURE_FORMATS = frozenset(
    (
        "svg",
        "png",
        "jpeg",
        "jpg",
        "jpe",
        "json",
        "json0",
        "dot_json",
        "xdot_json",
        "dot",
        "gv",
        "xdot",
        "plain",
        "plain-ext",
        "canon",
    )
)
# formats drawn by matplotlib from the JSON layout when graphviz-pure is the renderer
_MPL_FORMATS = frozenset(("pdf", "ps", "eps"))
_SUFFIX_FORMATS = {".jpg": "jpeg", ".jpeg": "jpeg", ".gv": "dot"}
_TIMEOUT = 300.0


class RendererNotFoundError(graphviz.ExecutableNotFound):
    """Neither the system ``dot`` nor ``graphviz-pure`` could be found."""

    def __init__(self, message: str):
        RuntimeError.__init__(self, message)


@dataclass(frozen=True)
class Renderer:
    """A program that renders DOT: ``name`` is ``"dot"`` or ``"graphviz-pure"``."""

    name: str
    path: str

    def run(self, source: str, fmt: str, args: tuple[str, ...] = ()) -> bytes:
        """Render DOT ``source`` to ``fmt`` and return the output bytes.

        Raises :class:`graphviz.CalledProcessError` (a
        :class:`subprocess.CalledProcessError`) when the program fails, with its
        error output in the message.
        """
        cmd = [self.path, f"-T{fmt}", *args]
        proc = subprocess.run(
            cmd,
            input=source.encode("utf-8"),
            capture_output=True,
            timeout=_TIMEOUT,
            check=False,
        )
        if proc.returncode != 0:
            raise graphviz.CalledProcessError(
                proc.returncode, cmd, output=proc.stdout, stderr=proc.stderr
            )
        return proc.stdout


def _find_graphviz_pure() -> str | None:
    """The ``graphviz-pure`` executable: on PATH or beside this Python's scripts."""
    found = shutil.which("graphviz-pure")
    if found:
        return found
    exe = "graphviz-pure.exe" if os.name == "nt" else "graphviz-pure"
    places = [sysconfig.get_path("scripts"), os.path.dirname(sys.executable)]
    try:
        places.append(sysconfig.get_path("scripts", f"{os.name}_user"))
    except KeyError:  # pragma: no cover - scheme missing on some platforms
        pass
    for place in places:
        if place:
            candidate = os.path.join(place, exe)
            if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
                return candidate
    return None


def which_renderer(renderer: str = "auto") -> Renderer:
    """The program that renders DOT here.

    Parameters
    ----------
    renderer : {"auto", "dot", "graphviz-pure"}, default="auto"
        ``"auto"`` takes ``TREELEARN_RENDERER`` if set, else the system ``dot``
        when it is on ``PATH``, else ``graphviz-pure``.

    Returns
    -------
    Renderer

    Raises
    ------
    RendererNotFoundError
        If the requested program (or, for ``"auto"``, either) is missing.

    Examples
    --------
    >>> which_renderer().name in ("dot", "graphviz-pure")
    True
    """
    choice = renderer
    if choice == "auto":
        choice = os.environ.get(RENDERER_ENV, "").strip() or "auto"
    if choice not in ("auto", *_NAMES):
        raise ValueError(
            f"renderer must be 'auto', 'dot' or 'graphviz-pure', got {choice!r}"
            + (f" (from ${RENDERER_ENV})" if renderer == "auto" else "")
        )
    if choice in ("auto", "dot"):
        dot = shutil.which("dot")
        if dot:
            return Renderer("dot", dot)
        if choice == "dot":
            raise RendererNotFoundError(
                "renderer='dot' was asked for but no Graphviz 'dot' is on PATH "
                "(install Graphviz, or use renderer='graphviz-pure')."
            )
    pure = _find_graphviz_pure()
    if pure:
        return Renderer("graphviz-pure", pure)
    raise RendererNotFoundError(
        "No DOT renderer found: neither Graphviz 'dot' on PATH nor the 'graphviz-pure' "
        "executable of the graphviz-pure wheel (pip install graphviz-pure)."
    )


def render_dot(
    source: str,
    format: str = "svg",
    *,
    renderer: str = "auto",
    dpi: float | None = None,
    engine: str = "dot",
) -> bytes:
    """Render DOT text to ``format`` (``"svg"``, ``"png"``, ``"pdf"``, ...) as bytes.

    With ``graphviz-pure``, PDF, PS and EPS are drawn by matplotlib from the JSON
    layout (see :func:`treelearn.export.plot_tree`).

    Examples
    --------
    >>> svg = render_dot("digraph { a -> b }", "svg").decode()
    >>> svg.count('class="node"')
    2
    """
    fmt = format.lower()
    prog = which_renderer(renderer)
    args: list[str] = [f"-K{engine}"]
    if dpi is not None:
        args.append(f"-Gdpi={float(dpi):g}")
    if prog.name == "graphviz-pure" and fmt in _MPL_FORMATS:
        import matplotlib.figure

        from treelearn.export._plot import draw_layout

        layout = prog.run(source, "json", (f"-K{engine}",))
        fig = matplotlib.figure.Figure()
        draw_layout(layout, fig=fig)
        buf = io.BytesIO()
        fig.savefig(buf, format=fmt)
        return buf.getvalue()
    if prog.name == "graphviz-pure" and fmt not in _PURE_FORMATS:
        raise ValueError(
            f"graphviz-pure cannot write {format!r}; formats: "
            f"{', '.join(sorted(_PURE_FORMATS | _MPL_FORMATS))}"
        )
    return prog.run(source, fmt, tuple(args))


def _format_of(path: Path, format: str | None) -> str:
    if format is not None:
        return format.lower()
    suffix = path.suffix.lower()
    if not suffix:
        raise ValueError(f"cannot tell the format of {str(path)!r}: give format=")
    return _SUFFIX_FORMATS.get(suffix, suffix[1:])


def render(
    estimator: Any,
    path: str | os.PathLike,
    format: str | None = None,
    *,
    renderer: str = "auto",
    dpi: float | None = None,
    **kwargs: Any,
) -> Path:
    """Draw a fitted tree to an image file, with or without a system Graphviz.

    Parameters
    ----------
    estimator : fitted treelearn classifier
    path : str or path
        Output file.
    format : {"svg", "png", "pdf", "jpeg", "dot", ...}, optional
        Taken from the suffix of ``path`` when omitted. ``"dot"`` writes the DOT
        text itself.
    renderer : {"auto", "dot", "graphviz-pure"}, default="auto"
        See :func:`which_renderer`.
    dpi : float, optional
        Resolution of PNG/JPEG output (Graphviz's default is 96).
    **kwargs
        Passed to :func:`treelearn.export.export_graphviz` (``max_depth``,
        ``class_names``, ``show``, ...).

    Returns
    -------
    pathlib.Path
        ``path``.
    """
    from treelearn.export._graphviz import export_graphviz

    path = Path(path)
    fmt = _format_of(path, format)
    source = export_graphviz(estimator, **kwargs)
    assert source is not None
    if fmt in ("dot", "gv"):
        path.write_text(source, encoding="utf-8")
        return path
    path.write_bytes(render_dot(source, fmt, renderer=renderer, dpi=dpi))
    return path


# ----------------------------------------------------------------------------- graphviz hooks
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
            fmt = _format_of(out, format)
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
