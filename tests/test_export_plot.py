"""plot_tree (the graphviz picture on a matplotlib Axes) and trees too deep for recursion."""

from __future__ import annotations

import json

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from treelearn import C45Classifier, CARTClassifier, DecisionTreeClassifier, load_json
from treelearn._tree import SPLIT_LEAF, SPLIT_NUMERIC, Tree
from treelearn.criteria import InformationGain
from treelearn.datasets import load_iris, load_labor
from treelearn.export import (
    export_graphviz,
    export_rules,
    export_text,
    plot_tree,
    render_dot,
)
from treelearn.export._plot import draw_layout


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_plot_tree_new_figure():
    X, y = load_iris(as_frame=True, return_X_y=True)
    est = CARTClassifier(max_depth=3).fit(X, y)
    ax = plot_tree(est, renderer="graphviz-pure")
    texts = [t.get_text() for t in ax.texts]
    assert sum(t.startswith("samples = ") for t in texts) == est.tree_.node_count
    assert "petallength <= 2.45" in texts
    assert len(ax.patches) >= est.tree_.node_count  # boxes (and arrowheads)
    fig = ax.figure
    width, height = fig.get_size_inches()
    assert width > 2 and height > 2


def test_plot_tree_on_given_axes_scales_text():
    X, y = load_labor(as_frame=True, return_X_y=True)
    est = C45Classifier().fit(X, y)
    _, (left, right) = plt.subplots(1, 2, figsize=(8, 3))
    ax = plot_tree(est, ax=left, max_depth=2, class_names=["BAD", "GOOD"])
    assert ax is left
    assert any("class = GOOD" in t.get_text() for t in ax.texts)
    sizes = {round(t.get_fontsize(), 6) for t in ax.texts}
    assert max(sizes) < 14  # shrunk to fit the subplot
    assert not right.texts


def test_draw_layout_accepts_text_and_dict():
    layout = render_dot("digraph { a -> b }", "json", renderer="graphviz-pure")
    for form in (layout, layout.decode(), json.loads(layout)):
        ax = draw_layout(form)
        assert [t.get_text() for t in ax.texts] == ["a", "b"]


# ----------------------------------------------------------------------------- deep trees
def chain_estimator(depth: int) -> DecisionTreeClassifier:
    """A fitted-looking classifier whose tree is a chain ``depth`` splits deep."""
    n = 2 * depth + 1
    kind = np.zeros(n, dtype=np.int8)
    first = np.full(n, -1)
    n_children = np.zeros(n, dtype=int)
    parent = np.full(n, -1)
    level = np.zeros(n, dtype=int)
    threshold = np.full(n, -2.0)
    feature = np.full(n, -2)
    value = np.zeros((n, 2))
    for k in range(depth):
        i = 2 * k
        kind[i], first[i], n_children[i] = SPLIT_NUMERIC, i + 1, 2
        feature[i], threshold[i] = 0, k + 0.5
        parent[i + 1] = parent[i + 2] = i
        level[i + 1] = level[i + 2] = k + 1
        value[i + 1] = [1.0, 0.0]
    value[n - 1] = [0.0, 1.0]
    for i in range(n - 3, -1, -2):  # internal nodes, bottom up
        value[i] = value[i + 1] + value[i + 2]
    kind[n - 1] = SPLIT_LEAF
    internal = n_children > 0
    tree = Tree(
        1,
        2,
        {
            "feature": feature,
            "threshold": threshold,
            "split_kind": kind,
            "first_child": first,
            "n_children": n_children,
            "parent": parent,
            "depth": level,
            "impurity": np.zeros(n),
            "split_score": np.where(internal, 0.1, np.nan),
            "gain": np.where(internal, 0.1, np.nan),
            "n_node_samples": value.sum(1).astype(int),
            "missing_fraction": np.full(n, 0.5),
            "value": value,
            "category_ptr": np.zeros(n + 1, dtype=int),
            "category_branch": np.zeros(0, dtype=int),
        },
    )
    est = DecisionTreeClassifier()
    est._set_fitted_state(
        {
            "tree_": tree,
            "classes_": np.array([0, 1]),
            "n_features_in_": 1,
            "max_features_": 1,
            "categories_": [None],
            "criterion_": InformationGain(),
            "ccp_alpha_": 0.0,
        }
    )
    return est


def test_trees_deeper_than_the_recursion_limit():
    import sys

    depth = sys.getrecursionlimit() + 500
    est = chain_estimator(depth)
    dot = export_graphviz(est)
    assert dot.count(" -> ") == 2 * depth
    j48 = export_text(est, layout="j48")
    assert j48.count("\n") == 2 * depth
    assert export_text(est, layout="sklearn").count("class:") == depth + 1
    rules = export_rules(est, as_frame=True)
    assert len(rules) == depth + 1
    assert rules["conditions"].map(len).max() == 2  # bounds merged per feature
    again = load_json(est.to_json())
    X = np.arange(depth + 1, dtype=float)[:, None]
    assert np.array_equal(again.predict_proba(X), est.predict_proba(X))
