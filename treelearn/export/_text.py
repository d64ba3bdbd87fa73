"""The indented text tree, in J48's layout or in scikit-learn's.

J48's layout (Weka's C4.5) puts one branch per line, ``|   `` per level, and a leaf
at the end of its branch line as ``class (n/e)``: ``n`` the training weight reaching
the leaf and ``e`` the weight of the other classes, both rounded to 2 decimals and
printed as Java prints doubles (``2.0``, ``15.27``), ``/e`` only when ``e`` is not
zero. Thresholds are rounded to 6 decimals with trailing zeros dropped. An empty
leaf shows its parent's majority class with ``(0.0)``. This is the layout that
``java weka.classifiers.trees.J48`` prints, so C4.5 trees can be compared with
Weka's line by line.

scikit-learn's layout writes every branch as ``|--- test`` and every leaf as
``|--- class: name``.
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

from treelearn._classes import C45Classifier
from treelearn._tolerances import J48_SMALL
from treelearn.export._competing import competitor_tests
from treelearn.export._describe import Branch, NodeInfo, check_precision, describe

__all__ = ["export_text"]

_J48_INDENT = "|   "


# ----------------------------------------------------------------------------- numbers
def _java_double(x: float) -> str:
    """``x`` as Java's ``Double.toString`` prints it (``2.0``, ``15.27``, ``1.0E7``).

    >>> [_java_double(v) for v in (2.0, 15.27, 0.0, 1e-4, 12345678.0)]
    ['2.0', '15.27', '0.0', '1.0E-4', '1.2345678E7']
    """
    x = float(x)
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    if x == 0.0:
        return "-0.0" if math.copysign(1.0, x) < 0 else "0.0"
    sign = "-" if x < 0 else ""
    _, digits_t, exponent = Decimal(repr(abs(x))).normalize().as_tuple()
    digits = "".join(map(str, digits_t))
    point = len(digits) + int(exponent)  # digits before the decimal point
    if 1e-3 <= abs(x) < 1e7:
        if point <= 0:
            return f"{sign}0.{'0' * -point}{digits}"
        whole = digits[:point].ljust(point, "0")
        frac = digits[point:] or "0"
        return f"{sign}{whole}.{frac}"
    return f"{sign}{digits[0]}.{digits[1:] or '0'}E{point - 1}"


def _j48_threshold(t: float) -> str:
    """A threshold as J48 prints it: half-up to 6 decimals, trailing zeros removed.

    >>> [_j48_threshold(t) for t in (2.5, 10.0, 0.6, 0.1234565, -0.5, 4e-7)]
    ['2.5', '10', '0.6', '0.123457', '-0.5', '0']
    """
    scaled = t * 1e6
    if not abs(scaled) < 9.223372036854776e18:
        return _java_double(t)
    units = int(scaled + 0.5) if scaled > 0 else -int(abs(scaled) + 0.5)
    if units == 0:
        return "0"
    digits = str(abs(units)).rjust(7, "0")
    whole, frac = digits[:-6], digits[-6:].rstrip("0")
    return ("-" if units < 0 else "") + whole + (f".{frac}" if frac else "")


def _j48_count(x: float) -> str:
    """A leaf's n or e: rounded half-up to 2 decimals, printed as a Java double."""
    return _java_double(math.floor(x * 100.0 + 0.5) / 100.0)


# ----------------------------------------------------------------------------- J48 layout
def _j48_tests(node: NodeInfo, binary: bool = False) -> list[str]:
    """The ``op value`` text of each branch of ``node``, J48 style.

    ``binary``: a tree grown with J48's ``-B``, which prints raw thresholds and
    ``= v`` / ``!= v`` for every nominal split.
    """
    branches = node.branches
    if node.kind == "numeric":
        t = _java_double(node.threshold) if binary else _j48_threshold(node.threshold)
        return [f"<= {t}", f"> {t}"]
    if binary and len(branches) == 2 and len(branches[0].codes) == 1:
        value = branches[0].categories[0]
        return [f"= {value}", f"!= {value}"]
    if (
        len(branches) == 2
        and any(len(b.codes) == 1 for b in branches)
        and not all(len(b.codes) == 1 for b in branches)
    ):
        # a binary subset split with one category alone: J48 -B's "= v" / "!= v"
        single = next(b for b in branches if len(b.codes) == 1)
        return [
            f"= {single.categories[0]}" if b is single else f"!= {single.categories[0]}"
            for b in branches
        ]
    return [f"= {b.categories[0]}" if len(b.codes) == 1 else f"in {_set_text(b)}" for b in branches]


def _set_text(branch: Branch) -> str:
    return "{" + ", ".join(branch.categories) + "}"


def _j48_leaf(node: NodeInfo) -> str:
    n = node.weight
    e = n - float(node.counts[node.class_index]) if not node.is_empty else 0.0
    if e > J48_SMALL:  # J48 prints the errors when Utils.gr(errors, 0)
        return f"{node.class_name} ({_j48_count(n)}/{_j48_count(e)})"
    return f"{node.class_name} ({_j48_count(n)})"


def _j48_lines(desc, max_depth: int | None, binary: bool = False) -> list[str]:
    nodes = {info.node_id: info for info in desc.nodes(max_depth)}
    root = nodes[0]
    if root.is_leaf:
        return [f": {_j48_leaf(root)}"]
    lines: list[str] = []
    stack = [(0, 0)]  # (node, next branch)
    while stack:
        node_id, slot = stack.pop()
        node = nodes[node_id]
        if slot >= len(node.children):
            continue
        stack.append((node_id, slot + 1))
        test = _j48_tests(node, binary)[slot]
        prefix = _J48_INDENT * node.depth + f"{node.feature_name} {test}"
        child = nodes.get(node.children[slot])
        if child is None or (
            not child.is_leaf and max_depth is not None and child.depth > max_depth
        ):
            lines.append(prefix + ": ...")
        elif child.is_leaf:
            lines.append(f"{prefix}: {_j48_leaf(child)}")
        else:
            lines.append(prefix)
            stack.append((child.node_id, 0))
    return lines


# ----------------------------------------------------------------------------- sklearn layout
def _surrogate_line(node: NodeInfo, precision: int) -> str:
    """``|   |    if x is missing: a <= 1 (agree .., adj ..); ...; else the majority``."""
    first = node.branches[0].text(precision)
    tests = "; ".join(s.text(precision) for s in node.surrogates)
    return (
        "|   " * node.depth
        + f"|    ({node.feature_name} missing: '{first}' if {tests}; else the majority branch)"
    )


def _competitor_line(desc, node: NodeInfo, precision: int) -> str:
    """``|   |    (competing: a <= 1 (Δgini 0.2); b in {x, y} (Δgini 0.1))``."""
    tests = "; ".join(
        c.text(precision, desc.score_label) for c in competitor_tests(desc, node.node_id)
    )
    return "|   " * node.depth + f"|    (competing: {tests})"


def _sklearn_lines(
    desc,
    max_depth: int | None,
    precision: int,
    show_weights: bool,
    surrogates: bool = False,
    competitors: bool = False,
) -> list[str]:
    lines: list[str] = []
    for node in desc.nodes(max_depth):
        if node.via is not None:
            pad = "|   " * (node.depth - 1) + "|--- "
            lines.append(f"{pad}{node.via.text(precision)}")
        if surrogates and node.surrogates and (max_depth is None or node.depth < max_depth):
            lines.append(_surrogate_line(node, precision))
        above_limit = max_depth is None or node.depth < max_depth
        if (
            competitors
            and not node.is_leaf
            and above_limit
            and competitor_tests(desc, node.node_id)
        ):
            lines.append(_competitor_line(desc, node, precision))
        pad = "|   " * node.depth + "|--- "
        if node.is_leaf:
            extra = ""
            if show_weights:
                extra = " (counts [" + ", ".join(f"{c:.{precision}g}" for c in node.counts) + "])"
            if node.is_empty:
                extra += " (empty)"
            lines.append(f"{pad}class: {node.class_name}{extra}")
        elif max_depth is not None and node.depth == max_depth:
            lines.append(f"{pad}truncated branch of depth {_subtree_depth(desc.tree, node)}")
    return lines


def _subtree_depth(tree, node: NodeInfo) -> int:
    deepest, stack = 0, [node.node_id]
    while stack:
        i = stack.pop()
        deepest = max(deepest, int(tree.depth[i]) - node.depth)
        stack.extend(tree.children(i))
    return deepest


# ----------------------------------------------------------------------------- public
def _is_c45(estimator: Any) -> bool:
    crit = getattr(estimator, "criterion_", None)
    return isinstance(estimator, C45Classifier) or getattr(crit, "name", None) == "gain_ratio"


def export_text(
    estimator: Any,
    *,
    layout: str = "auto",
    feature_names: Any = None,
    class_names: Any = None,
    max_depth: int | None = None,
    precision: int = 3,
    show_weights: bool = False,
    header: bool = False,
    show_surrogates: bool = False,
    show_competitors: bool = False,
) -> str:
    """The tree as indented text.

    Parameters
    ----------
    estimator : fitted treelearn classifier
    layout : {"auto", "j48", "sklearn"}, default="auto"
        ``"j48"``: Weka J48's layout, ``attribute = value: class (n/e)``;
        ``"sklearn"``: ``|--- test`` lines. ``"auto"`` takes J48's for C4.5 trees
        (:class:`~treelearn.C45Classifier` or the gain-ratio criterion) and
        scikit-learn's otherwise.
    feature_names, class_names : optional
        Names to show (see :func:`~treelearn.export.export_graphviz`).
    max_depth : int, optional
        Print down to this depth; deeper subtrees are elided.
    precision : int, default=3
        Decimals of thresholds in the scikit-learn layout (J48's always has 6).
    show_weights : bool, default=False
        scikit-learn layout: print each leaf's class counts.
    header : bool, default=False
        J48 layout: frame the tree as J48 does (``J48 pruned tree``, dashes, and
        the number of leaves and size of the tree after it).
    show_surrogates : bool, default=False
        scikit-learn layout, trees grown with ``missing_values="surrogate"``: a line
        under every split listing its surrogate splits, best first, each as the
        test that sends a case whose split value is missing down the first branch,
        with its agreement and adjusted agreement (rpart's ``summary()``).
    show_competitors : bool, default=False
        scikit-learn layout, trees grown with ``max_competitors > 0``: a line under
        every split listing its competing splits (the best splits of the runner-up
        features), best first, with their score (rpart's ``summary()``). J48's
        layout has no such line: asking for it there is an error.

    Returns
    -------
    str

    Examples
    --------
    >>> from treelearn import C45Classifier
    >>> from treelearn.datasets import load_play_tennis
    >>> X, y = load_play_tennis(as_frame=True, return_X_y=True)
    >>> print(export_text(C45Classifier().fit(X, y)))
    outlook = sunny
    |   humidity = high: no (3.0)
    |   humidity = normal: yes (2.0)
    outlook = overcast: yes (4.0)
    outlook = rainy
    |   windy = TRUE: no (2.0)
    |   windy = FALSE: yes (3.0)
    """
    if layout not in ("auto", "j48", "sklearn"):
        raise ValueError(f"layout must be 'auto', 'j48' or 'sklearn', got {layout!r}")
    if max_depth is not None and (not isinstance(max_depth, int) or max_depth < 0):
        raise ValueError(f"max_depth must be None or a non-negative integer, got {max_depth!r}")
    check_precision(precision)
    desc = describe(estimator, feature_names, class_names).one_line()
    if layout == "auto":
        layout = "j48" if _is_c45(estimator) else "sklearn"
    if layout == "sklearn":
        lines = _sklearn_lines(
            desc, max_depth, precision, show_weights, show_surrogates, show_competitors
        )
        return "\n".join(lines) + "\n"
    if show_competitors:
        raise ValueError(
            "show_competitors needs layout='sklearn' (J48's layout is Weka's own text)."
        )
    binary = _is_c45(estimator) and getattr(estimator, "categorical_split", None) == "binary"
    lines = _j48_lines(desc, max_depth, binary)
    if header:
        pruning = getattr(estimator, "pruning", None)
        title = "J48 pruned tree" if pruning not in (None, False) else "J48 unpruned tree"
        top = [title, "-" * 18] + ([] if desc.tree.n_children[0] == 0 else [""])
        tree = desc.tree
        lines = [
            *top,
            *lines,
            "",
            f"Number of Leaves  : \t{tree.n_leaves}",
            "",
            f"Size of the tree : \t{tree.node_count}",
        ]
    return "\n".join(lines) + "\n"
