"""Graphviz DOT export: every node with its split test and criterion values.

:func:`export_graphviz` writes the DOT text. It only writes text: rendering it is
:mod:`treelearn.export._render`'s job, and :mod:`treelearn.export._draw` composes the
two (``to_graphviz``, ``render``, ``plot_tree``).

Labels are Graphviz HTML-like labels. Every user-supplied string (feature,
category and class names) is escaped as XML text, newlines become line breaks and
other control characters are shown as ``\\xNN``, so quotes, ``<b>``, ``&amp;``,
backslashes, braces and any Unicode print literally and never break the DOT
syntax.
"""

from __future__ import annotations

import colorsys
import os
from collections.abc import Collection, Iterable
from typing import IO, Any

import numpy as np

from treelearn.export._competing import competitor_tests
from treelearn.export._describe import (
    Branch,
    NodeInfo,
    TreeDescription,
    check_precision,
    describe,
    format_threshold,
    format_value,
    format_weight,
)

__all__ = ["SHOW_DEFAULT", "export_graphviz"]

#: The label lines shown by default (``"id"`` adds the node id).
SHOW_DEFAULT = ("impurity", "score", "samples", "counts", "class", "missing", "surrogates")
_SHOW_ALL = frozenset((*SHOW_DEFAULT, "competitors", "id"))

# Colour-blind-safe base colours (Okabe & Ito), one per class; more classes get
# evenly spaced hues.
_PALETTE = ("#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7")
_MAX_TINT = 0.7  # a pure node is 70 % class colour, 30 % white: black text stays readable
_BORDER = "#4d4d4d"
_NOTE = "#555555"
_WRAP = 32  # characters per line of a long category list


# ----------------------------------------------------------------------------- escaping
def _escape(text: str) -> str:
    """``text`` as the content of a Graphviz HTML-like label.

    >>> _escape('a "b" <i>&amp;\\n{c}')
    'a &quot;b&quot; &lt;i&gt;&amp;amp;<br/>{c}'
    """
    text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    out = []
    for ch in text:
        if ch == "&":
            out.append("&amp;")
        elif ch == "<":
            out.append("&lt;")
        elif ch == ">":
            out.append("&gt;")
        elif ch == '"':
            out.append("&quot;")
        elif ch == "\n":
            out.append("<br/>")
        elif ord(ch) < 32 or 0x7F <= ord(ch) < 0xA0 or ch in "\ufffe\uffff":
            out.append(f"\\x{ord(ch):02x}")
        else:
            out.append(ch)
    return "".join(out)


def _wrap_items(items: Iterable[str], width: int = _WRAP) -> list[str]:
    """Join ``items`` with ", " into lines of about ``width`` characters."""
    lines: list[str] = []
    current = ""
    for item in items:
        piece = item if not current else f"{current}, {item}"
        if current and len(piece) > width:
            lines.append(current + ",")
            current = item
        else:
            current = piece
    lines.append(current)
    return lines


# ----------------------------------------------------------------------------- colours
def _class_colours(n_classes: int) -> list[tuple[float, float, float]]:
    """One RGB colour (0..1) per class."""
    out = []
    for k in range(n_classes):
        if k < len(_PALETTE):
            hexa = _PALETTE[k]
            r, g, b = (int(hexa[i : i + 2], 16) / 255 for i in (1, 3, 5))
            out.append((r, g, b))
        else:
            hue = (k * 0.618033988749895) % 1.0
            out.append(colorsys.hsv_to_rgb(hue, 0.65, 0.9))
    return out


def _fill(counts: np.ndarray, cls: int, colours: list, empty: bool) -> str:
    """The majority class colour, as strong as the node is pure (white at a tie)."""
    if empty:
        return "#ffffff"
    total = counts.sum()
    k = counts.shape[0]
    if total <= 0 or k < 2:
        purity = 1.0
    else:
        p = np.sort(counts / total)[::-1]
        purity = float((p[0] - p[1]) / p[0]) if p[0] > 0 else 0.0
    a = _MAX_TINT * purity
    rgb = [round(255 * (1 - a) + 255 * a * c) for c in colours[cls]]
    return "#" + "".join(f"{v:02x}" for v in rgb)


# ----------------------------------------------------------------------------- labels
def _node_label(
    node: NodeInfo,
    desc: TreeDescription,
    show: frozenset,
    precision: int,
    named_counts: bool = False,
) -> str:
    lines: list[str] = []
    unit = f" {desc.unit}" if desc.unit else ""
    if node.is_leaf:
        lines.append(f"<b>class = {_escape(node.class_name)}</b>")
    elif node.kind == "numeric":
        test = f"{node.feature_name} <= {format_threshold(node.threshold, precision)}"
        lines.append(f"<b>{_escape(test)}</b>")
    else:
        lines.append(f"<b>{_escape(node.feature_name or '')}</b>")
    if "id" in show:
        lines.append(f"node #{node.node_id}")
    if node.is_empty:
        lines.append("samples = 0")
        lines.append(f'<font color="{_NOTE}"><i>empty: predicts like its parent</i></font>')
        return "<" + "<br/>".join(lines) + ">"
    if "impurity" in show:
        value = format_value(node.impurity, precision)
        lines.append(f"{_escape(desc.impurity_label)} = {value}{_escape(unit)}")
    if "score" in show and not node.is_leaf:
        score = format_value(node.split_score, precision)
        lines.append(f"{_escape(desc.score_label)} = {score}")
        if desc.show_gain:
            lines.append(f"{_escape(desc.gain_label)} = {format_value(node.gain, precision)}")
    if "samples" in show:
        lines.append(f"samples = {format_weight(node.weight)}")
    if "counts" in show:
        items = [format_weight(c) for c in node.counts]
        if named_counts:
            items = [f"{name}: {c}" for name, c in zip(desc.class_names, items, strict=True)]
        counts = ", ".join(items)
        wrapped = _wrap_items(items, 40)
        if len(wrapped) == 1:
            lines.append(f"counts = [{counts}]")
        else:
            lines.append(f"counts = [{wrapped[0]}")
            lines.extend(wrapped[1:-1])
            lines.append(f"{wrapped[-1]}]")
    if "class" in show and not node.is_leaf:
        lines.append(f"class = {_escape(node.class_name)}")
    if "missing" in show and not node.is_leaf:
        if node.missing_routed:
            lines.append(f'<font color="{_NOTE}"><i>missing → all branches, weighted</i></font>')
        if node.unseen:
            items = _wrap_items(node.unseen)
            items[0] = "not seen here: " + items[0]
            items[-1] += " → all branches"
            for item in items:
                lines.append(f'<font color="{_NOTE}"><i>{_escape(item)}</i></font>')
    if "surrogates" in show and node.surrogates:
        # rpart's summary(): one line per surrogate, the test toward the first branch
        items = [
            f"{s.branch.text(precision)} ({s.agreement:.{precision}f})" for s in node.surrogates
        ]
        items = ["if missing: " + items[0], *("or " + item for item in items[1:])]
        for item in items:
            lines.append(f'<font color="{_NOTE}"><i>{_escape(item)}</i></font>')
    if "competitors" in show and not node.is_leaf:
        # rpart's summary() "primary splits": the runner-up features, best first
        for i, c in enumerate(competitor_tests(desc, node.node_id)):
            item = ("competing: " if i == 0 else "or ") + c.text(precision, desc.score_label)
            lines.append(f'<font color="{_NOTE}"><i>{_escape(item)}</i></font>')
    return "<" + "<br/>".join(lines) + ">"


def _edge_label(branch: Branch, slot: int, precision: int) -> str:
    if branch.op in ("<=", ">"):
        return "<True>" if branch.op == "<=" else "<False>"
    if branch.op == "=":
        return "<" + _escape(branch.categories[0]) + ">"
    if not branch.categories:
        return "<<i>(none)</i>>"
    lines = _wrap_items(branch.categories)
    lines[0] = "{" + lines[0]
    lines[-1] += "}"
    return "<" + "<br/>".join(_escape(line) for line in lines) + ">"


def _resolve_show(show: str | Collection[str] | None) -> frozenset[str]:
    if show is None or (isinstance(show, str) and show == "default"):
        return frozenset(SHOW_DEFAULT)
    if isinstance(show, str):
        if show == "all":
            return _SHOW_ALL
        show = (show,)
    chosen = frozenset(show)
    unknown = chosen - _SHOW_ALL
    if unknown:
        raise ValueError(
            f"show has unknown entries {sorted(unknown)}; choose from {sorted(_SHOW_ALL)}, "
            "'default' or 'all'."
        )
    return chosen


# ----------------------------------------------------------------------------- export
def export_graphviz(
    estimator: Any,
    out_file: str | os.PathLike | IO[str] | None = None,
    *,
    feature_names: Iterable[str] | None = None,
    class_names: Iterable[str] | dict | None = None,
    max_depth: int | None = None,
    filled: bool = True,
    precision: int = 3,
    show: str | Collection[str] | None = None,
    rotate: bool = False,
    fontname: str = "Helvetica",
    orientation: str | None = None,
    hide_empty: bool = False,
    named_counts: bool = False,
) -> str | None:
    """Write a fitted tree as Graphviz DOT, with the criterion value at every node.

    Each node shows its split test (``feature <= t`` for a numeric split; for a
    categorical split the feature, with the categories on the edges), its impurity
    under the tree's own criterion (``entropy = 0.940 bits``, ``gini = 0.459``), the
    split's score (``gain``, ``gain ratio`` and the gain, ``Δgini``), its training
    weight, class counts and majority class. Where the tree routes missing values
    (or categories not seen at a node) down all branches, the node says so.

    Parameters
    ----------
    estimator : fitted treelearn classifier
    out_file : str, path or text file, optional
        Where to write the DOT text; ``None`` returns it.
    feature_names : sequence of str, optional
        Replaces ``feature_names_in_`` (default names are ``x[j]``).
    class_names : sequence of str or dict, optional
        Names shown for ``classes_``.
    max_depth : int, optional
        Draw nodes down to this depth; deeper subtrees become a ``…`` stub.
    filled : bool, default=True
        Fill each node with its majority class's colour, stronger the purer it is.
    precision : int, default=3
        Decimals of criterion values and thresholds.
    show : "default", "all" or collection of str, optional
        Label lines among ``"impurity"``, ``"score"``, ``"samples"``, ``"counts"``,
        ``"class"``, ``"missing"``, ``"surrogates"`` (the default set) and ``"id"``.
        ``"surrogates"``: a tree grown with ``missing_values="surrogate"`` lists each
        node's surrogate splits as the tests that send a case with a missing value
        down the first (``True``/left) branch, with their agreement.
        ``"competitors"`` (not in the default set; in ``"all"``): a tree grown with
        ``max_competitors > 0`` lists each split's competing splits, best first,
        with their score.
    rotate : bool, default=False
        Draw from left to right instead of top to bottom (``orientation="LR"``).
    fontname : str, default="Helvetica"
    orientation : {"TB", "LR"}, optional
        Top to bottom (the default) or left to right; overrides ``rotate``.
    hide_empty : bool, default=False
        Leave out empty nodes (no training weight reached them; they predict like
        their parent) and the edges to them.
    named_counts : bool, default=False
        Name the classes in the counts line (``counts = [good: 700, bad: 300]``)
        instead of listing bare numbers in the order of ``classes_``.

    Returns
    -------
    str or None
        The DOT text when ``out_file`` is None.

    Examples
    --------
    >>> from treelearn import ID3Classifier
    >>> from treelearn.datasets import load_play_tennis
    >>> X, y = load_play_tennis(as_frame=True, return_X_y=True)
    >>> dot = export_graphviz(ID3Classifier().fit(X, y))
    >>> root = dot.splitlines()[5]
    >>> root.split("<br/>")[:4]
    ['0 [label=<<b>outlook</b>', 'entropy = 0.940 bits', 'gain = 0.247', 'samples = 14']
    """
    check_precision(precision)
    if orientation is not None:
        if not isinstance(orientation, str) or orientation.upper() not in ("TB", "LR"):
            raise ValueError(f"orientation must be 'TB' or 'LR', got {orientation!r}")
        rotate = orientation.upper() == "LR"
    if max_depth is not None and (not isinstance(max_depth, int | np.integer) or max_depth < 0):
        raise ValueError(f"max_depth must be None or a non-negative integer, got {max_depth!r}")
    desc = describe(estimator, feature_names, class_names)
    chosen = _resolve_show(show)
    colours = _class_colours(len(desc.class_names))
    font = fontname.replace("\\", "\\\\").replace('"', '\\"')
    style = '"filled, rounded"' if filled else '"rounded"'
    out = [
        "digraph Tree {",
        f"graph [ordering=out, ranksep=0.3, nodesep=0.2{', rankdir=LR' if rotate else ''}] ;",
        f'node [shape=box, style={style}, color="{_BORDER}", fontname="{font}", '
        'fontsize=11, margin="0.1,0.04"] ;',
        f'edge [fontname="{font}", fontsize=10, color="#666666", arrowsize=0.6] ;',
        f"// {desc.estimator_name}, criterion {desc.criterion_name}: {desc.tree.node_count} nodes",
    ]
    for node in desc.nodes(max_depth):
        if hide_empty and node.is_empty:
            continue
        label = _node_label(node, desc, chosen, precision, named_counts)
        attrs = [f"label={label}"]
        if filled:
            colour = _fill(node.counts, node.class_index, colours, node.is_empty)
            attrs.append(f'fillcolor="{colour}"')
        if node.is_empty:
            attrs.append('style="rounded, dashed"')
        out.append(f"{node.node_id} [{', '.join(attrs)}] ;")
        if node.via is not None:  # every node but the root
            edge = _edge_label(node.via, node.slot, precision)
            out.append(f"{node.parent} -> {node.node_id} [label={edge}] ;")
        if max_depth is not None and node.depth == max_depth and not node.is_leaf:
            out.append(f'more{node.node_id} [label="…", shape=plaintext, style=""] ;')
            out.append(f"{node.node_id} -> more{node.node_id} [style=dashed] ;")
    out.append("}")
    dot = "\n".join(out) + "\n"
    if out_file is None:
        return dot
    if hasattr(out_file, "write"):
        out_file.write(dot)
    else:
        with open(out_file, "w", encoding="utf-8") as fh:
            fh.write(dot)
    return None
