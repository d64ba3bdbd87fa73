"""The interactive tree explorer: one self-contained HTML page.

:func:`export_html` writes the fitted tree as JSON into a page together with the
explorer's own script and style sheet (``_explorer/explorer.js`` and
``explorer.css``, shipped inside the package and inlined), so the file opens
offline and can be mailed: nothing is fetched at view time. The page draws the
tree as SVG with zoom and pan, collapsible subtrees, search by feature name, a
detail panel per node and the route of chosen rows of ``X``.

The numbers in the page are the tree's own arrays (``tree_.impurity``,
``split_score``, ``value``, ...), unrounded; the texts (tests, edge labels,
formatted values) come from :mod:`treelearn.export._describe`, the fill colours
from the graphviz writer's rule, and the routes of ``X`` from the tree's router
(:func:`treelearn.export._path.route_weights`), so the page says what the other
exporters and ``decision_path`` say.

:func:`show` wraps the page for Jupyter (:class:`Explorer`, displayed in an
``iframe`` so its script runs).
"""

from __future__ import annotations

import html
import json
import math
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from treelearn._version import __version__
from treelearn.export._competing import competitor_tests
from treelearn.export._describe import (
    TreeDescription,
    check_precision,
    describe,
    format_value,
    format_weight,
)
from treelearn.export._graphviz import _class_colours, _fill
from treelearn.export._path import display_row_values, route_weights

__all__ = ["Explorer", "explorer_data", "export_html", "show"]

#: Opening view: levels shown expanded at most, and about how many nodes.
_OPEN_LEVELS = 4
_OPEN_NODES = 200
_MAX_ROWS = 10_000

# The tree arrays copied into the page, unrounded, under their own names.
_NODE_ARRAYS = (
    "parent",
    "first_child",
    "n_children",
    "depth",
    "feature",
    "threshold",
    "split_kind",
    "impurity",
    "split_score",
    "gain",
    "n_node_samples",
    "missing_fraction",
)


def _asset(name: str) -> str:
    return resources.files("treelearn.export").joinpath("_explorer", name).read_text("utf-8")


def _json_list(a: np.ndarray) -> list:
    """An array as JSON values: non-finite floats become ``null`` (JSON has no NaN)."""
    if a.dtype.kind == "f" and not np.isfinite(a).all():
        return [v if math.isfinite(v) else None for v in a.tolist()]
    return a.tolist()


def _open_depth(tree, open_depth: int | None) -> int:
    """The deepest level shown expanded at first: ``open_depth``, or up to four
    levels while the view stays under about 200 nodes."""
    if open_depth is not None:
        if int(open_depth) < 0:
            raise ValueError(f"open_depth must be >= 0, got {open_depth}")
        return int(open_depth)
    per_level = np.cumsum(np.bincount(tree.depth, minlength=_OPEN_LEVELS + 2))
    depth = 1
    while depth < _OPEN_LEVELS and per_level[depth + 1] <= _OPEN_NODES:
        depth += 1
    return depth


def _node_texts(desc: TreeDescription, precision: int) -> dict[str, list]:
    """Per node: its test, the label of the edge from its parent, formatted values."""
    n = desc.tree.node_count
    test: list[str] = [""] * n
    edge: list[str] = [""] * n
    impurity: list[str] = [""] * n
    score: list[str] = [""] * n
    weight: list[str] = [""] * n
    counts: list[list[str]] = [[]] * n
    unseen: list[list[str] | None] = [None] * n
    fill: list[str] = [""] * n
    colours = _class_colours(len(desc.class_names))
    for node in desc.nodes():
        v = node.node_id
        if node.is_leaf:
            test[v] = f"class = {node.class_name}"
        elif node.kind == "numeric":
            test[v] = node.branches[0].text(precision)
        else:
            test[v] = str(node.feature_name)
        if node.via is not None:
            b = node.via
            edge[v] = f"{b.op} {b.value_text(precision)}" if b.op in ("<=", ">") else b.value_text()
        impurity[v] = format_value(node.impurity, precision)
        score[v] = "" if node.is_leaf else format_value(node.split_score, precision)
        weight[v] = format_weight(node.weight)
        counts[v] = [format_weight(c) for c in node.counts]
        unseen[v] = list(node.unseen) or None
        fill[v] = _fill(node.counts, node.class_index, colours, node.is_empty)
    return {
        "test": test,
        "edge": edge,
        "impurity_text": impurity,
        "score_text": score,
        "weight_text": weight,
        "counts_text": counts,
        "unseen": unseen,
        "fill": fill,
    }


def _rows_data(estimator, desc: TreeDescription, X, row_labels) -> dict[str, Any]:
    """The rows of ``X``: their values as the user wrote them, predictions and routes."""
    Xe = estimator._encode(X)
    n_rows = Xe.shape[0]
    if n_rows > _MAX_ROWS:
        raise ValueError(
            f"X has {n_rows} rows; the page embeds at most {_MAX_ROWS} (pass a sample)."
        )
    tree = desc.tree
    if row_labels is None:
        index = getattr(X, "index", None)
        labels = [str(v) for v in (index if index is not None else range(n_rows))]
    else:
        labels = [str(v) for v in row_labels]
        if len(labels) != n_rows:
            raise ValueError(f"row_labels has {len(labels)} labels but X has {n_rows} rows.")
    rows, nodes, weights = route_weights(tree, Xe)
    bounds = np.searchsorted(rows, np.arange(n_rows + 1))
    route = [
        [nodes[a:b].tolist(), weights[a:b].tolist()]
        for a, b in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True)
    ]
    proba = tree.predict_proba(Xe)
    return {
        "labels": labels,
        "values": display_row_values(X, tree.n_features),
        "prediction": tree.predict_class(Xe).tolist(),
        "proba": proba.tolist(),
        "route": route,
    }


def _surrogate_lists(desc: TreeDescription, precision: int) -> list[list[dict]] | None:
    """Every node's surrogate splits as ``{"test", "score"}`` (``None``: the tree
    was grown without surrogates)."""
    if desc.tree.surrogates is None:
        return None
    out: list[list[dict]] = [[] for _ in range(desc.tree.node_count)]
    for node in np.flatnonzero(desc.tree.surrogates.count > 0).tolist():
        out[node] = [
            {
                "test": s.branch.text(precision),
                "score": f"agree {s.agreement:.{precision}f}, adj {s.adj:.{precision}f}",
            }
            for s in desc.surrogate_tests(node)
        ]
    return out


def _competitor_lists(desc: TreeDescription, precision: int) -> list[list[dict]] | None:
    """Every node's competing splits as ``{"test", "score"}`` (``None``: the tree
    was grown without them, ``max_competitors=0``)."""
    comp = desc.tree.competitors
    if comp is None:
        return None
    out: list[list[dict]] = [[] for _ in range(desc.tree.node_count)]
    for node in np.flatnonzero(comp.count > 0).tolist():
        out[node] = [
            {"test": c.test(precision), "score": f"{desc.score_label} {c.score:.{precision}f}"}
            for c in competitor_tests(desc, node)
        ]
    return out


def explorer_data(
    estimator: Any,
    *,
    X: Any = None,
    feature_names: Any = None,
    class_names: Any = None,
    row_labels: Any = None,
    open_depth: int | None = None,
    precision: int = 3,
) -> dict[str, Any]:
    """The JSON document the explorer page draws (see :func:`export_html`).

    ``nodes`` holds the tree's arrays under their own names (``impurity``,
    ``split_score``, ``value``, ...; non-finite values as ``None``) and the texts
    shown; ``rows`` (with ``X``) each row's values, predicted class index,
    probabilities and route as ``[nodes, weights]``: every node the row reaches
    (those of ``decision_path``) and the fraction of the row that gets there.
    """
    check_precision(precision)
    desc = describe(estimator, feature_names, class_names)
    tree = desc.tree
    nodes: dict[str, Any] = {name: _json_list(getattr(tree, name)) for name in _NODE_ARRAYS}
    nodes["value"] = tree.value.tolist()
    nodes["weight"] = _json_list(tree.weighted_n_node_samples)
    nodes["is_empty"] = tree.is_empty.tolist()
    nodes["leaf_class"] = tree.leaf_class.tolist()
    nodes["missing_routed"] = desc.missing_routed.tolist()
    surrogates = _surrogate_lists(desc, precision)
    nodes.update(_node_texts(desc, precision))
    k = len(desc.class_names)
    colours = _class_colours(k)
    data: dict[str, Any] = {
        "version": __version__,
        "estimator": desc.estimator_name,
        "criterion": desc.criterion_name,
        "impurity_label": desc.impurity_label,
        "score_label": desc.score_label,
        "gain_label": desc.gain_label,
        "show_gain": desc.show_gain,
        "unit": desc.unit,
        "feature_names": desc.feature_names,
        "class_names": desc.class_names,
        # the fill of a pure node of each class, for the legend
        "class_colours": [_fill(np.eye(k)[c], c, colours, False) for c in range(k)],
        "node_count": tree.node_count,
        "open_depth": _open_depth(tree, open_depth),
        "precision": int(precision),
        "nodes": nodes,
        # per node, the surrogate splits (rpart's summary()) as {test, score}: the
        # test sending a case with a missing value down the first branch; None
        # when the tree has none. Competitors (max_competitors > 0): the best
        # splits of the runner-up features, best first, as {test, score}.
        "surrogates": surrogates,
        "competitors": _competitor_lists(desc, precision),
        "rows": None,
    }
    if X is not None:
        data["rows"] = _rows_data(estimator, desc, X, row_labels)
    return data


def _script_json(data: dict) -> str:
    """JSON safe inside a ``<script>`` element (no ``</script>``, no ``<!--``)."""
    text = json.dumps(data, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def export_html(
    estimator: Any,
    *,
    X: Any = None,
    feature_names: Any = None,
    class_names: Any = None,
    row_labels: Any = None,
    open_depth: int | None = None,
    precision: int = 3,
    title: str | None = None,
) -> str:
    """The fitted tree as an interactive, self-contained HTML page.

    The page needs no network: the tree, the script and the style sheet are all
    inlined, so it opens offline and can be mailed. It shows the tree with zoom
    (wheel, buttons) and pan (drag); subtrees collapse and expand (the ± under a
    node); big trees open a few levels deep. Clicking a node shows its test, its
    impurity under the tree's criterion (with the criterion's own label and
    unit, as :func:`export_graphviz` prints them), the split score, the weight,
    the class counts with class names, and how missing values are routed there.
    Nodes are coloured by majority class, stronger the purer; edges are as wide
    as the weight they carry and labelled with their test (category names at
    multiway splits). The search box highlights the nodes that split on a
    feature. With ``X``, a row chosen in the page has its route highlighted,
    with the test, the row's value and the branch at every step, and the
    weighted branches a missing value takes.

    Parameters
    ----------
    estimator : fitted treelearn classifier
    X : array-like or DataFrame, optional
        Rows whose prediction paths the page can show (at most 10,000).
    feature_names, class_names : optional
        Names to show, as in :func:`export_graphviz`.
    row_labels : sequence, optional
        Names of the rows of ``X`` (default: the DataFrame index, or 0, 1, ...).
    open_depth : int, optional
        Levels expanded when the page opens (default: up to 4, fewer if that
        would show more than about 200 nodes).
    precision : int, default=3
        Decimals of the values and thresholds in the tree (the detail panel
        shows them in full too).
    title : str, optional
        The page title (default: the estimator and its criterion).

    Returns
    -------
    str
        The HTML document.

    See Also
    --------
    show : the same page displayed in Jupyter.
    explain_path : one row's route as a table.

    Examples
    --------
    >>> from treelearn import C45Classifier
    >>> from treelearn.datasets import load_play_tennis
    >>> X, y = load_play_tennis(as_frame=True, return_X_y=True)
    >>> page = export_html(C45Classifier(min_samples_leaf=1).fit(X, y), X=X)
    >>> page.startswith("<!DOCTYPE html>"), "https://" in page
    (True, False)
    """
    data = explorer_data(
        estimator,
        X=X,
        feature_names=feature_names,
        class_names=class_names,
        row_labels=row_labels,
        open_depth=open_depth,
        precision=precision,
    )
    if title is None:
        title = f"{data['estimator']} ({data['criterion']}): {data['node_count']} nodes"
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<meta name="generator" content="treelearn {html.escape(__version__)}">\n'
        f"<title>{html.escape(title)}</title>\n"
        f"<style>\n{_asset('explorer.css')}</style>\n</head>\n<body>\n"
        f"{_asset('explorer.html')}"
        f'<script type="application/json" id="tl-data">{_script_json(data)}</script>\n'
        f"<script>\n{_asset('explorer.js')}</script>\n</body>\n</html>\n"
    )


class Explorer:
    """The explorer page of a fitted tree, displayed in Jupyter.

    Jupyter shows it through :meth:`_repr_html_`: an ``iframe`` whose
    ``srcdoc`` is the page, so the page's script runs in its own document.

    Attributes
    ----------
    html : str
        The page (:func:`export_html`).
    height : int
        Height of the frame in pixels.
    """

    def __init__(self, page: str, height: int = 640):
        self.html = page
        self.height = int(height)

    def _repr_html_(self) -> str:
        return (
            f'<iframe srcdoc="{html.escape(self.html, quote=True)}" '
            f'style="width:100%;height:{self.height}px;border:1px solid #ccc" '
            'sandbox="allow-scripts allow-modals" title="treelearn tree explorer"></iframe>'
        )

    def save(self, path: str | Path) -> Path:
        """Write the page to ``path`` (UTF-8) and return the path."""
        path = Path(path)
        path.write_text(self.html, encoding="utf-8")
        return path


def show(estimator: Any, *, height: int = 640, **kwargs: Any) -> Explorer:
    """Display the interactive explorer of a fitted tree (in Jupyter).

    ``from treelearn.export import show; show(clf, X=X)``. The returned :class:`Explorer`
    renders as the page in a notebook cell; ``.save(path)`` writes the page.
    scikit-learn's own HTML display of the estimator (its parameter box) is
    left as it is: the explorer appears only when asked for.

    Parameters
    ----------
    estimator : fitted treelearn classifier
    height : int, default=640
        Height of the frame in the notebook, in pixels.
    **kwargs
        Passed to :func:`export_html` (``X``, ``feature_names``, ...).

    Returns
    -------
    Explorer
    """
    return Explorer(export_html(estimator, **kwargs), height=height)
