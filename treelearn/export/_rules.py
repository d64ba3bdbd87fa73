"""IF … THEN rules, one per leaf, in the manner of Quinlan's C4.5rules.

Each leaf becomes the rule "IF every test on the path to it holds THEN its class".
Tests on the same feature are merged: the tightest ``<=`` and ``>`` bounds of a
numeric feature, the intersection of the category sets of a categorical one. The
rule's **support** is the training weight at the leaf, its **coverage** that weight
as a fraction of all training weight, and its **confidence** the fraction of that
weight in the predicted class. An empty leaf (no training case; it predicts its
parent's class) has support 0 and an undefined (NaN) confidence.

Rules describe the paths of cases whose values are known; a case with a missing
value is spread over several leaves by the tree (see
:mod:`treelearn.export._describe`), which no single rule expresses. A tree grown
with surrogate splits sends it down one branch instead; ``show_surrogates`` adds,
under each rule, the surrogate tests that take such a case along the rule's path.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from treelearn.export._describe import (
    Branch,
    NodeInfo,
    TreeDescription,
    check_precision,
    describe,
    format_threshold,
    format_weight,
)

__all__ = ["export_rules"]


@dataclass(frozen=True)
class _Tests:
    """The merged tests of a path: per feature (in first-use order) the tightest
    ``>`` and ``<=`` bounds, or the categories still allowed with their labels.

    :meth:`extend` makes the child's tests from its parent's and one branch, so each
    node costs the features on its path, not its depth (a chain of 10,000 splits on
    one feature has rules of two conditions, built in linear time).
    """

    order: tuple[tuple[int, str], ...] = ()  # (feature, "num"/"cat")
    names: Mapping[int, str] = field(default_factory=dict)
    lower: Mapping[int, float] = field(default_factory=dict)
    upper: Mapping[int, float] = field(default_factory=dict)
    cats: Mapping[int, tuple[frozenset[int], Mapping[int, str]]] = field(default_factory=dict)

    def extend(self, b: Branch) -> _Tests:
        numeric = b.op in ("<=", ">")
        key = (b.feature, "num" if numeric else "cat")
        order = self.order if key in self.order else (*self.order, key)
        names = self.names if b.feature in self.names else {**self.names, b.feature: b.feature_name}
        lower, upper, cats = self.lower, self.upper, self.cats
        if b.op == "<=":
            upper = {**upper, b.feature: min(upper.get(b.feature, math.inf), b.threshold)}
        elif b.op == ">":
            lower = {**lower, b.feature: max(lower.get(b.feature, -math.inf), b.threshold)}
        else:
            codes, labels = cats.get(b.feature, (None, {}))
            labels = {**labels, **dict(zip(b.codes, b.categories, strict=True))}
            codes = frozenset(b.codes) if codes is None else codes & frozenset(b.codes)
            cats = {**cats, b.feature: (codes, labels)}
        return _Tests(order, names, lower, upper, cats)

    def conditions(self, precision: int) -> list[str]:
        """The rule's conditions, feature by feature."""
        out: list[str] = []
        for f, kind in self.order:
            name = self.names[f]
            if kind == "num":
                if f in self.lower:
                    out.append(f"{name} > {format_threshold(self.lower[f], precision)}")
                if f in self.upper:
                    out.append(f"{name} <= {format_threshold(self.upper[f], precision)}")
            else:
                codes, labels = self.cats[f]
                chosen = [labels[c] for c in sorted(codes)]
                if len(chosen) == 1:
                    out.append(f"{name} = {chosen[0]}")
                else:
                    out.append(f"{name} in {{{', '.join(chosen)}}}")
        return out


def _leaf_tests(desc: TreeDescription) -> Iterator[tuple[NodeInfo, _Tests]]:
    """Each leaf (depth-first, slot order) with the merged tests of its path.

    Only the internal nodes whose subtrees are still being walked keep their tests.
    """
    open_nodes: dict[int, tuple[_Tests, int]] = {}  # node -> (its tests, its children)
    for node in desc.nodes():
        if node.parent < 0 or node.via is None:
            mine = _Tests()
        else:
            parent, n_children = open_nodes[node.parent]
            mine = parent.extend(node.via)
            if node.slot == n_children - 1:  # the parent's last subtree
                del open_nodes[node.parent]
        if node.is_leaf:
            yield node, mine
        else:
            open_nodes[node.node_id] = (mine, len(node.children))


def _path_surrogates(desc, leaf: NodeInfo, precision: int) -> list[str]:
    """For every split on the path to ``leaf`` that has surrogates: the tests that
    send a case whose split value is missing along the path, in order."""
    tree = desc.tree
    out: list[str] = []
    child = leaf.node_id
    while tree.parent[child] >= 0:
        node = int(tree.parent[child])
        tests = desc.surrogate_tests(node, child - int(tree.first_child[node]))
        if tests:
            name = desc.feature_names[int(tree.feature[node])]
            alts = " ELSE ".join(t.text(precision) for t in tests)
            out.append(f"{name} missing: {alts} ELSE the majority branch")
        child = node
    return out[::-1]


def _rule_row(number: int, leaf: NodeInfo, tests: _Tests, total: float, precision: int) -> dict:
    support = leaf.weight if not leaf.is_empty else 0.0
    if leaf.is_empty or support <= 0:
        confidence = math.nan
        errors = 0.0
    else:
        right = float(leaf.counts[leaf.class_index])
        confidence = right / support
        errors = support - right
    conditions = tests.conditions(precision)
    return {
        "rule": number,
        "leaf": leaf.node_id,
        "conditions": conditions,
        "antecedent": " AND ".join(conditions) if conditions else "TRUE",
        "class": leaf.class_name,
        "support": support,
        "coverage": support / total if total > 0 else math.nan,
        "confidence": confidence,
        "errors": errors,
    }


def _rule_text(row: dict, precision: int) -> str:
    head = f"Rule {row['rule']}: "
    pad = " " * len(head)
    conds = row["conditions"] or ["TRUE"]
    lines = [f"{head}IF {conds[0]}"]
    lines += [f"{pad}AND {c}" for c in conds[1:]]
    if math.isnan(row["confidence"]):
        stats = "support 0: no training case, predicts like its parent"
    else:
        stats = (
            f"support {format_weight(row['support'])}, confidence {row['confidence']:.{precision}f}"
        )
    lines.append(f"{pad}THEN class = {row['class']}  ({stats})")
    lines += [f"{pad}WHERE {s}" for s in row.get("surrogates", [])]
    return "\n".join(lines)


def export_rules(
    estimator: Any,
    *,
    as_frame: bool = False,
    feature_names: Any = None,
    class_names: Any = None,
    precision: int = 3,
    show_surrogates: bool = False,
) -> str | pd.DataFrame:
    """One IF … THEN rule per leaf, with support and confidence.

    Parameters
    ----------
    estimator : fitted treelearn classifier
    as_frame : bool, default=False
        Return a :class:`pandas.DataFrame` (one row per rule: ``rule``, ``leaf``,
        ``conditions`` (list of str), ``antecedent``, ``class``, ``support``,
        ``coverage``, ``confidence``, ``errors``) instead of text.
    feature_names, class_names : optional
        Names to show (see :func:`~treelearn.export.export_graphviz`).
    precision : int, default=3
        Decimals of thresholds and of the confidence in the text.
    show_surrogates : bool, default=False
        Trees grown with ``missing_values="surrogate"``: under each rule, one
        ``WHERE x missing: ...`` line per split on its path that has surrogate
        splits, the tests (best first) that send a case whose ``x`` is missing along
        the path; in the frame, a ``surrogates`` column (list of str).

    Returns
    -------
    str or pandas.DataFrame

    Examples
    --------
    >>> from treelearn import ID3Classifier
    >>> from treelearn.datasets import load_play_tennis
    >>> X, y = load_play_tennis(as_frame=True, return_X_y=True)
    >>> print(export_rules(ID3Classifier().fit(X, y)).split("\\n\\n")[0])
    Rule 1: IF outlook = sunny
            AND humidity = high
            THEN class = no  (support 3, confidence 1.000)
    >>> export_rules(ID3Classifier().fit(X, y), as_frame=True)[["class", "support"]].shape
    (5, 2)
    """
    check_precision(precision)
    desc = describe(estimator, feature_names, class_names).one_line()
    total = float(desc.tree.weighted_n_node_samples[0])
    rows = [
        _rule_row(k, leaf, tests, total, precision)
        for k, (leaf, tests) in enumerate(_leaf_tests(desc), start=1)
    ]
    if show_surrogates:
        leaves = [n for n in desc.nodes() if n.is_leaf]
        for row, leaf in zip(rows, leaves, strict=True):
            row["surrogates"] = _path_surrogates(desc, leaf, precision)
    if as_frame:
        frame = pd.DataFrame(
            rows,
            columns=[
                "rule",
                "leaf",
                "conditions",
                "antecedent",
                "class",
                "support",
                "coverage",
                "confidence",
                "errors",
                *(["surrogates"] if show_surrogates else []),
            ],
        )
        return frame.astype(
            {
                "support": np.float64,
                "coverage": np.float64,
                "confidence": np.float64,
                "errors": np.float64,
            }
        )
    return "\n\n".join(_rule_text(row, precision) for row in rows) + "\n"
