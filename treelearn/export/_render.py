"""Rendering DOT with pip-installed dependencies only: choosing and running the program.

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

This module turns DOT text into bytes and knows nothing of trees:
:mod:`treelearn.export._draw` renders fitted trees by composing it with the DOT
writer, and :mod:`treelearn.export._source` plugs it into :class:`graphviz.Source`.
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

import graphviz

from treelearn.export._plot import draw_layout

__all__ = [
    "RENDERER_ENV",
    "RENDER_FORMATS",
    "Renderer",
    "RendererNotFoundError",
    "format_of",
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
#: The formats :func:`treelearn.export.render` writes with either renderer (``jpg``
#: is ``jpeg``; ``dot`` is the DOT text itself, ``json`` Graphviz's layout).
RENDER_FORMATS = ("svg", "png", "pdf", "jpeg", "jpg", "ps", "eps", "dot", "gv", "json")
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


def format_of(path: Path, format: str | None) -> str:
    """The output format: ``format`` if given, else the one ``path``'s suffix names."""
    if format is not None:
        return format.lower()
    suffix = path.suffix.lower()
    if not suffix:
        raise ValueError(
            f"cannot tell the format of {str(path)!r}: give format= or name the file with "
            f"one of the suffixes {', '.join('.' + f for f in RENDER_FORMATS)}"
        )
    return _SUFFIX_FORMATS.get(suffix, suffix[1:])


def check_format(fmt: str) -> str:
    """``fmt`` if :func:`~treelearn.export.render` can write it, else a ValueError that
    lists the formats."""
    if not isinstance(fmt, str) or fmt.lower() not in RENDER_FORMATS:
        raise ValueError(f"cannot draw a tree as {fmt!r}; formats: {', '.join(RENDER_FORMATS)}")
    fmt = fmt.lower()
    return "jpeg" if fmt == "jpg" else "dot" if fmt == "gv" else fmt
