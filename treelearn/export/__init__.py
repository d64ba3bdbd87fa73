"""Seeing trees: Graphviz pictures, text trees, rules and rendering.

* :func:`export_graphviz` / :func:`to_graphviz` — DOT with the split test, the
  impurity under the tree's own criterion and the split's score at every node;
* :func:`render` — SVG, PNG or PDF files, with the system Graphviz ``dot`` when it
  is installed and the pip-installed ``graphviz-pure`` otherwise
  (:func:`which_renderer` says which);
* :func:`plot_tree` — the same picture on a matplotlib Axes;
* :func:`export_text` — the indented text tree (J48's layout or scikit-learn's);
* :func:`export_rules` — one IF … THEN rule per leaf, with support and confidence.
"""

from treelearn.export._graphviz import TreeSource, export_graphviz, to_graphviz
from treelearn.export._plot import plot_tree
from treelearn.export._render import (
    RendererNotFoundError,
    render,
    render_dot,
    which_renderer,
)
from treelearn.export._rules import export_rules
from treelearn.export._text import export_text

__all__ = [
    "RendererNotFoundError",
    "TreeSource",
    "export_graphviz",
    "export_rules",
    "export_text",
    "plot_tree",
    "render",
    "render_dot",
    "to_graphviz",
    "which_renderer",
]
