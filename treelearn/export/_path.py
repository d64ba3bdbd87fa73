"""The route of one row through a fitted tree, step by step.

:func:`route_weights` sends encoded rows down the tree with the tree's own router
(:meth:`treelearn._tree.Tree.route`: known values down one branch, a missing value
or an unseen category down every non-empty branch with the branch's training
share) and gives the weight of each row at every node it reaches: the sum of the
weights of the leaves below. :func:`explain_path` lays one row's route out as a
small table; the HTML explorer (:mod:`treelearn.export._html`) shows the same
routes in the page.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from treelearn._tree import Tree
from treelearn.export._describe import (
    Branch,
    NodeInfo,
    TreeDescription,
    _display,
    check_precision,
    describe,
)

__all__ = ["display_row_values", "explain_path", "route_weights"]

_COLUMNS = ["node", "depth", "test", "value", "branch", "child", "weight", "impurity", "score"]


def route_weights(tree: Tree, Xe: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every node each row of the encoded matrix ``Xe`` reaches, with the row's weight there.

    Returns ``(row, node, weight)`` triples, sorted by row and node, one per
    (row, node) pair: the nodes are exactly those of ``Tree.decision_path`` and a
    node's weight is the sum of the route weights of the leaves it leads to (1 at
    the root).
    """
    rows, nodes, w = tree.route(Xe)
    parent = tree.parent
    all_rows, all_nodes, all_w = [rows], [nodes.astype(np.intp)], [w]
    cur_rows, cur, cur_w = rows, nodes, w
    while cur.size:  # climb from the leaves, all rows at once (one step per level)
        par = parent[cur]
        keep = par >= 0
        cur_rows, cur, cur_w = cur_rows[keep], par[keep].astype(np.intp), cur_w[keep]
        all_rows.append(cur_rows)
        all_nodes.append(cur)
        all_w.append(cur_w)
    r = np.concatenate(all_rows)
    c = np.concatenate(all_nodes)
    weight = np.concatenate(all_w)
    key = r.astype(np.int64) * tree.node_count + c
    uniq, inverse = np.unique(key, return_inverse=True)
    total = np.bincount(inverse, weights=weight, minlength=uniq.size)
    return uniq // tree.node_count, uniq % tree.node_count, total


def _is_missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    try:
        return bool(isinstance(value, float | np.floating) and math.isnan(value))
    except TypeError:  # pragma: no cover - exotic scalars
        return False


def display_row_values(X: Any, n_features: int) -> list[list[str | None]]:
    """The values of the rows of ``X`` as a user reads them (``None`` when missing).

    Categorical values keep their own spelling (an unseen category included), so
    the table and the page show what the user passed, not its code.
    """
    if isinstance(X, pd.DataFrame):
        columns = [X.iloc[:, j].tolist() for j in range(X.shape[1])]
        values = [list(row) for row in zip(*columns, strict=True)] if columns else []
    else:
        arr = np.asarray(X, dtype=object)
        if arr.ndim == 1:
            arr = arr.reshape(1, -1)
        values = arr.tolist()
    out: list[list[str | None]] = []
    for row in values:
        if len(row) != n_features:
            raise ValueError(f"X has {len(row)} features, but the tree expects {n_features}.")
        out.append([None if _is_missing(v) else _value_text(v) for v in row])
    return out


def _value_text(value: Any) -> str:
    if isinstance(value, float | np.floating):
        return f"{float(value):.6g}"
    return _display(value)


def _one_row(x: Any) -> Any:
    """``x`` as a one-row table the estimator can encode."""
    if isinstance(x, pd.Series):
        return x.to_frame().T.infer_objects()
    if isinstance(x, pd.DataFrame):
        if x.shape[0] != 1:
            raise ValueError(f"explain_path takes one row, got a DataFrame of {x.shape[0]} rows.")
        return x
    arr = np.asarray(x)
    if arr.ndim == 1:
        return arr.reshape(1, -1)
    if arr.ndim == 2 and arr.shape[0] == 1:
        return arr
    raise ValueError(
        f"explain_path takes one row (1-D, or 2-D with one row), got shape {arr.shape}."
    )


def _branch_text(branch: Branch, precision: int) -> str:
    return branch.text(precision)


def _node_test(node: NodeInfo, precision: int) -> str:
    if node.is_leaf:
        return "leaf"
    if node.kind == "numeric":
        return node.branches[0].text(precision)
    return str(node.feature_name)


def explain_path(
    estimator: Any,
    x: Any,
    *,
    feature_names: Any = None,
    class_names: Any = None,
    precision: int = 3,
) -> pd.DataFrame:
    """The route of one row through a fitted tree, as a table.

    One table row per step: the node, its test, the row's value of the tested
    feature, the branch taken, the child it leads to and the weight of the row
    that goes there, with the node's impurity (under the tree's criterion) and
    split score. A missing value (or a category not seen at the node in
    training) goes down every branch with the branch's training share, so such a
    node has one table row per branch, each with its weight; the steps below it
    follow depth-first. Every leaf reached ends with a ``"leaf"`` row whose branch
    is the class it predicts. The nodes are exactly those of
    ``estimator.decision_path(x)``.

    Parameters
    ----------
    estimator : fitted treelearn classifier
    x : array-like of shape (n_features,) or (1, n_features), pandas Series or one-row DataFrame
        The row, as ``predict`` takes it (category names for categorical columns).
    feature_names, class_names : optional
        Names to show, as in :func:`treelearn.export.export_graphviz`.
    precision : int, default=3
        Decimals of the thresholds in the tests.

    Returns
    -------
    pandas.DataFrame
        Columns ``node``, ``depth``, ``test``, ``value`` (``None`` when missing),
        ``branch``, ``child`` (-1 on leaf rows), ``weight`` (the fraction of the
        row going down the branch, or reaching the leaf), ``impurity`` and
        ``score`` (NaN at leaves). ``df.attrs`` holds the criterion's labels
        (``impurity_label``, ``score_label``, ``unit``) and the prediction.

    Examples
    --------
    >>> from treelearn import C45Classifier
    >>> from treelearn.datasets import load_play_tennis
    >>> X, y = load_play_tennis(as_frame=True, return_X_y=True)
    >>> tree = C45Classifier(min_samples_leaf=1).fit(X, y)
    >>> explain_path(tree, X.iloc[0])[["node", "test", "value", "branch", "weight"]]
       node      test  value           branch  weight
    0     0   outlook  sunny  outlook = sunny     1.0
    1     1  humidity   high  humidity = high     1.0
    2     4      leaf   None       class = no     1.0
    """
    check_precision(precision)
    desc: TreeDescription = describe(estimator, feature_names, class_names)
    row = _one_row(x)
    Xe = estimator._encode(row)
    tree = desc.tree
    _, nodes, weights = route_weights(tree, Xe)
    at = dict(zip(nodes.tolist(), weights.tolist(), strict=True))
    values = display_row_values(row, tree.n_features)[0]
    info = {n.node_id: n for n in _reached_nodes(desc, at)}
    records: list[dict[str, Any]] = []
    stack = [0]
    while stack:  # depth-first over the reached nodes, in slot order
        v = stack.pop()
        node = info[v]
        if node.is_leaf:
            records.append(
                {
                    "node": v,
                    "depth": node.depth,
                    "test": "leaf",
                    "value": None,
                    "branch": f"class = {node.class_name}",
                    "child": -1,
                    "weight": at[v],
                    "impurity": node.impurity,
                    "score": math.nan,
                }
            )
            continue
        reached = [(s, c) for s, c in enumerate(node.children) if c in at]
        for s, c in reached:
            records.append(
                {
                    "node": v,
                    "depth": node.depth,
                    "test": _node_test(node, precision),
                    "value": values[node.feature],
                    "branch": _branch_text(node.branches[s], precision),
                    "child": c,
                    "weight": at[c],
                    "impurity": node.impurity,
                    "score": node.split_score,
                }
            )
        stack.extend(c for _, c in reversed(reached))
    df = pd.DataFrame.from_records(records, columns=_COLUMNS)
    df["value"] = pd.Series([r["value"] for r in records], index=df.index, dtype=object)
    df.attrs.update(
        impurity_label=desc.impurity_label,
        score_label=desc.score_label,
        unit=desc.unit,
        prediction=estimator.classes_[tree.predict_class(Xe)[0]],
    )
    return df


def _reached_nodes(desc: TreeDescription, at: dict[int, float]):
    """The :class:`NodeInfo` of the reached nodes (the describer walks the whole tree)."""
    for node in desc.nodes():
        if node.node_id in at:
            yield node
