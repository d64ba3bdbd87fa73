"""Seeing trees: Graphviz pictures, text trees, rules and rendering.

* :func:`export_graphviz` / :func:`to_graphviz` — DOT with the split test, the
  impurity under the tree's own criterion and the split's score at every node;
* :func:`render` — SVG, PNG or PDF files, with the system Graphviz ``dot`` when it
  is installed and the pip-installed ``graphviz-pure`` otherwise
  (:func:`which_renderer` says which);
* :func:`plot_tree` — the same picture on a matplotlib Axes;
* :func:`export_text` — the indented text tree (J48's layout or scikit-learn's);
* :func:`export_rules` — one IF … THEN rule per leaf, with support and confidence;
* :func:`export_html` — the interactive explorer, one self-contained HTML page
  (:func:`show` displays it in Jupyter);
* :func:`explain_path` — the route of one row, step by step, as a DataFrame.

Modules, lowest first (each imports only modules before it in this list):
``_describe`` (what a fitted tree says, node by node); the writers ``_graphviz``
(DOT), ``_text`` and ``_rules``; ``_path`` (the routes of rows:
:func:`explain_path`); ``_html`` (the explorer page, with its script and style
sheet in ``_explorer/``); ``_plot`` (a Graphviz JSON layout drawn with
matplotlib); ``_render`` (choosing and running ``dot`` or ``graphviz-pure`` on DOT
text); ``_source`` (:class:`TreeSource`, a :class:`graphviz.Source` running through
``_render``); ``_draw`` (a fitted tree through the DOT writer to a renderer:
:func:`to_graphviz`, :func:`render`, :func:`plot_tree`).
"""

from treelearn.export._draw import plot_tree, render, to_graphviz
from treelearn.export._graphviz import export_graphviz
from treelearn.export._html import Explorer, export_html, show
from treelearn.export._path import explain_path
from treelearn.export._render import (
    RENDER_FORMATS,
    RendererNotFoundError,
    render_dot,
    which_renderer,
)
from treelearn.export._rules import export_rules
from treelearn.export._source import TreeSource
from treelearn.export._text import export_text

__all__ = [
    "RENDER_FORMATS",
    "Explorer",
    "RendererNotFoundError",
    "TreeSource",
    "explain_path",
    "export_graphviz",
    "export_html",
    "export_rules",
    "export_text",
    "plot_tree",
    "render",
    "render_dot",
    "show",
    "to_graphviz",
    "which_renderer",
]
