"""Drawing a Graphviz layout with matplotlib.

:func:`draw_layout` takes the layout of a DOT graph as JSON (Graphviz's ``-Tjson``:
every shape, spline, arrowhead and text run with its position) and replays those
drawing operations on a matplotlib ``Axes``. It knows nothing of trees or of the
renderers: :func:`treelearn.export.plot_tree` (in :mod:`treelearn.export._draw`) asks
the renderer for a tree's layout and draws it here, and
:func:`treelearn.export.render_dot` draws PDF, PS and EPS here when ``graphviz-pure``
is the renderer. The picture is the one :func:`~treelearn.export.export_graphviz`
renders, as matplotlib artists: it goes into subplots and saves to any format
matplotlib writes (PDF included).

Text is set in matplotlib's own font and shrunk where it would be wider than the
space Graphviz measured for it, so it always fits its box.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np

__all__ = ["draw_layout"]

_ALIGN = {"l": "left", "c": "center", "r": "right"}


def _colour(value: str) -> Any:
    """A Graphviz JSON colour as matplotlib takes it (``#rrggbb[aa]`` or a name)."""
    if value in ("transparent", "none", "invis", ""):
        return "none"
    return value


class _Replay:
    """Replays Graphviz ``_draw_`` operations on an Axes."""

    def __init__(self, ax, scale: float):
        from matplotlib.font_manager import FontProperties

        self.ax = ax
        self.scale = scale  # display points per layout point
        self.pen = "#000000"
        self.fill = "none"
        self.size = 14.0
        self.bold = False
        self.italic = False
        self.style = "solid"
        self.linewidth = 1.0
        self._fp = FontProperties
        self._width_cache: dict[tuple[str, bool, bool], float] = {}
        self.texts: list[tuple] = []

    def reset(self) -> None:
        self.pen, self.fill, self.style, self.linewidth = "#000000", "none", "solid", 1.0
        self.bold = self.italic = False

    # -- text -----------------------------------------------------------------------
    def _text_width(self, text: str, bold: bool, italic: bool) -> float:
        """Width of ``text`` at font size 1 in matplotlib's font."""
        from matplotlib.textpath import TextPath

        key = (text, bold, italic)
        if key not in self._width_cache:
            fp = self._fp(
                weight="bold" if bold else "normal", style="italic" if italic else "normal"
            )
            try:
                ext = TextPath((0, 0), text, size=100, prop=fp).get_extents()
                width = ext.width / 100 if np.isfinite(ext.width) else 0.0
            except Exception:  # pragma: no cover - glyph problems: no shrinking
                width = 0.0
            self._width_cache[key] = width
        return self._width_cache[key]

    def text(self, op: dict, z: float) -> None:
        """Queue a text run; :meth:`flush_text` draws them all at one scale."""
        text = str(op.get("text", ""))
        if not text.strip():
            return
        natural = self._text_width(text, self.bold, self.italic) * self.size
        self.texts.append((op, text, self.size, natural, self.pen, self.bold, self.italic, z))

    def flush_text(self) -> None:
        """Draw the queued texts, shrunk by one common factor so that all fit.

        matplotlib's font is a little wider than the one Graphviz measured: one
        factor for the whole picture keeps the sizes uniform; a run still too wide
        after it (rare glyphs) is shrunk on its own.
        """
        ratios = [
            float(op.get("width", 0.0)) / natural
            for op, _, _, natural, *_ in self.texts
            if natural > 0 and float(op.get("width", 0.0)) > 0
        ]
        common = min([1.0, *ratios]) if ratios else 1.0
        common = max(common, 0.6)
        for op, text, size, natural, pen, bold, italic, z in self.texts:
            size *= common
            room = float(op.get("width", 0.0))
            if room > 0 and natural * common > room:
                size *= room / (natural * common)
            x, y = op["pt"]
            self.ax.text(
                x,
                y,
                text,
                fontsize=size * self.scale,
                ha=_ALIGN.get(op.get("align", "c"), "center"),
                va="baseline",
                color=_colour(pen),
                fontweight="bold" if bold else "normal",
                fontstyle="italic" if italic else "normal",
                zorder=z,
                clip_on=False,
            )
        self.texts = []

    # -- shapes ---------------------------------------------------------------------
    def _linestyle(self) -> str:
        if "dashed" in self.style:
            return "--"
        if "dotted" in self.style:
            return ":"
        return "-"

    def path(self, points, *, curve: bool, closed: bool, filled: bool, z: float) -> None:
        from matplotlib.patches import PathPatch
        from matplotlib.path import Path

        pts = np.asarray(points, dtype=float)
        if pts.shape[0] < 2:
            return
        if curve:
            codes = [Path.MOVETO] + [Path.CURVE4] * (pts.shape[0] - 1)
            if (pts.shape[0] - 1) % 3:
                codes = [Path.MOVETO] + [Path.LINETO] * (pts.shape[0] - 1)
        else:
            codes = [Path.MOVETO] + [Path.LINETO] * (pts.shape[0] - 1)
        if closed and not curve:
            pts = np.vstack([pts, pts[:1]])
            codes = [*codes, Path.CLOSEPOLY]
        invisible = "invis" in self.style
        patch = PathPatch(
            Path(pts, codes),
            facecolor=_colour(self.fill) if filled and not invisible else "none",
            edgecolor=_colour(self.pen) if not invisible else "none",
            linewidth=self.linewidth * self.scale,
            linestyle=self._linestyle(),
            zorder=z,
            capstyle="round",
            joinstyle="round",
        )
        self.ax.add_patch(patch)

    def ellipse(self, op: dict, *, filled: bool, z: float) -> None:
        from matplotlib.patches import Ellipse

        cx, cy, rx, ry = op["rect"]
        self.ax.add_patch(
            Ellipse(
                (cx, cy),
                2 * rx,
                2 * ry,
                facecolor=_colour(self.fill) if filled else "none",
                edgecolor=_colour(self.pen),
                linewidth=self.linewidth * self.scale,
                linestyle=self._linestyle(),
                zorder=z,
            )
        )

    # -- one list of operations -----------------------------------------------------
    def run(self, ops: list, *, z: float, fill_curves: bool) -> None:
        for op in ops or ():
            kind = op.get("op")
            if kind == "c":
                self.pen = op.get("color", "#000000")
            elif kind == "C":
                self.fill = op.get("color", "none")
            elif kind == "F":
                self.size = float(op.get("size", self.size))
            elif kind == "t":
                flags = int(op.get("fontchar", 0))
                self.bold, self.italic = bool(flags & 1), bool(flags & 2)
            elif kind == "S":
                style = str(op.get("style", ""))
                if style.startswith("setlinewidth("):
                    try:
                        self.linewidth = float(style[len("setlinewidth(") : -1])
                    except ValueError:
                        pass
                else:
                    self.style = style
            elif kind in ("P", "p"):
                self.path(op["points"], curve=False, closed=True, filled=kind == "P", z=z)
            elif kind == "L":
                self.path(op["points"], curve=False, closed=False, filled=False, z=z)
            elif kind in ("B", "b"):
                self.path(op["points"], curve=True, closed=False, filled=fill_curves, z=z)
            elif kind in ("E", "e"):
                self.ellipse(op, filled=kind == "E", z=z)
            elif kind == "T":
                self.text(op, z=z + 0.5)


def draw_layout(layout: bytes | str | dict, ax=None, *, fig=None):
    """Draw a Graphviz JSON layout (``-Tjson`` output) on a matplotlib Axes.

    Parameters
    ----------
    layout : bytes, str or dict
        The JSON layout.
    ax : matplotlib Axes, optional
        Where to draw; without one a figure sized like the layout (1 layout point =
        1/72 inch) is made (``fig`` if given).

    Returns
    -------
    matplotlib.axes.Axes
    """
    graph: dict = layout if isinstance(layout, dict) else json.loads(layout)
    x0, y0, x1, y1 = (float(v) for v in str(graph["bb"]).split(","))
    width, height = max(x1 - x0, 1.0), max(y1 - y0, 1.0)
    if ax is None:
        if fig is None:
            import matplotlib.pyplot as plt

            fig = plt.figure()
        fig.set_size_inches(width / 72.0, height / 72.0)
        ax = fig.add_axes((0, 0, 1, 1))
        scale = 1.0
    else:
        fig = ax.figure
        box = ax.get_window_extent().transformed(fig.dpi_scale_trans.inverted())
        scale = min(box.width * 72.0 / width, box.height * 72.0 / height)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect("equal")
    ax.set_axis_off()
    replay = _Replay(ax, scale)
    # edges under nodes, as Graphviz draws them
    for edge in graph.get("edges", ()):
        replay.reset()
        replay.run(edge.get("_draw_"), z=1, fill_curves=False)
        replay.run(edge.get("_hdraw_"), z=1, fill_curves=False)
        replay.run(edge.get("_tdraw_"), z=1, fill_curves=False)
        replay.run(edge.get("_ldraw_"), z=1, fill_curves=False)
    for obj in graph.get("objects", ()):
        if "nodes" in obj and "edges" in obj and "_draw_" not in obj:
            continue  # a subgraph
        replay.reset()
        filled = "filled" in str(obj.get("style", ""))
        replay.run(obj.get("_draw_"), z=2, fill_curves=filled)
        replay.run(obj.get("_ldraw_"), z=3, fill_curves=False)
    replay.flush_text()
    return ax
