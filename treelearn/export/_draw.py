"""A fitted tree as a picture: the DOT writer composed with a renderer.

Each function here writes the tree's DOT text with
:func:`~treelearn.export.export_graphviz` and hands it on: :func:`to_graphviz` to a
:class:`~treelearn.export.TreeSource`, :func:`render` to
:func:`~treelearn.export.render_dot` and a file, :func:`plot_tree` to the renderer
for a JSON layout and to :func:`~treelearn.export._plot.draw_layout` for matplotlib.
The modules it composes do not import one another's layers back: the DOT writer
knows no renderer and the renderer knows no tree.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from treelearn.export._graphviz import export_graphviz
from treelearn.export._html import export_html
from treelearn.export._plot import draw_layout
from treelearn.export._render import check_format, format_of, render_dot, which_renderer
from treelearn.export._source import TreeSource

__all__ = ["MAX_LAYOUT_NODES", "plot_tree", "render", "to_graphviz"]

#: The most nodes :func:`render` and :func:`plot_tree` hand to the layout: dot's layout
#: time grows much faster than the node count (graphviz-pure here: 1,265 nodes in
#: 0.6 s, 6,425 in 82 s), and such a picture is unreadable anyway.
MAX_LAYOUT_NODES = 3000
_NODE_LINE = re.compile(r"^\d+ \[", re.M)


def _check_size(source: str) -> None:
    """ValueError when the DOT text has more nodes than can be laid out."""
    n_nodes = len(_NODE_LINE.findall(source))
    if n_nodes > MAX_LAYOUT_NODES:
        raise ValueError(
            f"the picture would have {n_nodes} nodes, more than Graphviz lays out in "
            f"reasonable time ({MAX_LAYOUT_NODES}): draw the top levels with max_depth= "
            "(--max-depth on the command line)"
        )


def to_graphviz(estimator: Any, *, renderer: str = "auto", **kwargs: Any) -> TreeSource:
    """The tree as a :class:`TreeSource` (a :class:`graphviz.Source`).

    It displays inline in Jupyter and has ``.render()``, ``.pipe()`` and
    ``.view()``, all working without a system Graphviz. Keyword arguments are
    those of :func:`export_graphviz`.

    Examples
    --------
    >>> from treelearn import CARTClassifier
    >>> from treelearn.datasets import load_iris
    >>> X, y = load_iris(as_frame=True, return_X_y=True)
    >>> src = to_graphviz(CARTClassifier(max_depth=1).fit(X, y))
    >>> src.pipe(format="svg", encoding="utf-8").count('class="node"')
    3
    """
    if kwargs.get("out_file") is not None:
        raise TypeError("to_graphviz does not take out_file; use export_graphviz or .save()")
    kwargs.pop("out_file", None)
    source = TreeSource(export_graphviz(estimator, **kwargs), filename="tree.gv", format="svg")
    source.program = renderer
    return source


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
    format : {"svg", "png", "pdf", "jpeg", "jpg", "ps", "eps", "dot", "gv", "json", "html"}
        Taken from the suffix of ``path`` when omitted. ``"dot"`` writes the DOT
        text itself; ``"html"`` the interactive explorer of
        :func:`treelearn.export.export_html` (``**kwargs`` then go to it).
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

    Raises
    ------
    ValueError
        For a format not listed above (the message lists them), a ``path`` without a
        suffix and no ``format``, or a picture of more than :data:`MAX_LAYOUT_NODES`
        nodes (draw the top levels with ``max_depth=``).
    """
    path = Path(path)
    fmt = format_of(path, format)
    if isinstance(fmt, str) and fmt.lower() in ("html", "htm"):  # the explorer, not a picture
        path.write_text(export_html(estimator, **kwargs), encoding="utf-8")
        return path
    fmt = check_format(fmt)
    source = export_graphviz(estimator, **kwargs)
    assert source is not None
    if fmt == "dot":
        path.write_text(source, encoding="utf-8")
        return path
    _check_size(source)
    path.write_bytes(render_dot(source, fmt, renderer=renderer, dpi=dpi))
    return path


def plot_tree(estimator: Any, ax=None, *, renderer: str = "auto", **kwargs: Any):
    """Plot a fitted tree with matplotlib: the graphviz picture, on an Axes.

    Parameters
    ----------
    estimator : fitted treelearn classifier
    ax : matplotlib Axes, optional
        Where to draw; without one a new figure sized to the tree is made.
    renderer : {"auto", "dot", "graphviz-pure"}, default="auto"
        The program that lays the tree out (see
        :func:`treelearn.export.which_renderer`).
    **kwargs
        Passed to :func:`treelearn.export.export_graphviz` (``max_depth``,
        ``class_names``, ``filled``, ``precision``, ``show``, ...).

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from treelearn import CARTClassifier
    >>> from treelearn.datasets import load_iris
    >>> X, y = load_iris(as_frame=True, return_X_y=True)
    >>> ax = plot_tree(CARTClassifier(max_depth=2).fit(X, y))
    >>> sum(t.get_text().startswith("class = ") for t in ax.texts)
    5
    """
    source = export_graphviz(estimator, **kwargs)
    assert source is not None
    _check_size(source)
    layout = which_renderer(renderer).run(source, "json")
    return draw_layout(layout, ax)
