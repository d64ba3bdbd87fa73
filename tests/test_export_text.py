"""Text trees (J48's and scikit-learn's layouts) and IF … THEN rules.

The J48 layout is checked against Weka's own printouts: every stored J48 tree
(tests/fixtures/j48) is rebuilt as a treelearn ``Tree`` and printed again, which
must give J48's text byte for byte: thresholds, fractional ``(n/e)`` weights,
empty leaves, the header and the counts.
"""

from __future__ import annotations

import math
import re
from collections import deque

import numpy as np
import pandas as pd
import pytest
from j48_reference import (
    SETTINGS,
    J48Leaf,
    available_datasets,
    load_fixture_text,
    parse_tree,
)

from treelearn import C45Classifier, CARTClassifier, ID3Classifier
from treelearn._tree import SPLIT_CATEGORICAL, SPLIT_LEAF, SPLIT_NUMERIC, Tree
from treelearn.criteria import GainRatio
from treelearn.datasets import (
    load_dataset,
    load_iris,
    load_labor,
    load_play_tennis,
)
from treelearn.export import export_rules, export_text

STEM_TO_NAME = {
    "weather.nominal": "play_tennis",
    "weather.numeric": "weather_numeric",
    "contact-lenses": "contact_lenses",
    "credit-g": "credit_g",
    "breast-cancer": "breast_cancer",
    "segment-challenge": "segment",
}


# ----------------------------------------------------------------------------- J48 -> Tree
def estimator_from_j48(stem: str, setting: str):
    """A fitted-looking C45Classifier whose tree is J48's printed tree."""
    data = load_dataset(STEM_TO_NAME.get(stem, stem), as_frame=True)
    X, y = data.data, data.target
    classes = list(y.cat.categories)
    columns = list(X.columns)
    categories = [
        list(X[c].cat.categories) if isinstance(X[c].dtype, pd.CategoricalDtype) else None
        for c in columns
    ]
    text = load_fixture_text(stem, setting)
    parsed = parse_tree(text, class_values=classes, attribute_names=columns)
    k = len(classes)
    nodes: list[dict] = []
    queue = deque([(parsed.root, -1, 0)])
    nodes.append({})
    ids = {id(parsed.root): 0}
    # breadth first: children of a node get consecutive ids
    order = []
    while queue:
        obj, parent, depth = queue.popleft()
        i = ids[id(obj)]
        order.append(i)
        rec = nodes[i]
        rec.update(parent=parent, depth=depth)
        if isinstance(obj, J48Leaf):
            value = np.zeros(k)
            cls = classes.index(obj.label)
            # "(2.0/0.0)": J48 printed an e that rounds to 0 but exceeds 1e-6
            e = 0.001 if obj.e == 0 and obj.e_printed else obj.e
            value[cls] = obj.n - e
            if k > 1 and e > 0:
                others = [c for c in range(k) if c != cls]
                spread = e / len(others)
                # a tie inside the leaf must still name J48's label
                value[others] = spread - 1e-9 if spread >= value[cls] else spread
            rec.update(kind=SPLIT_LEAF, feature=-2, threshold=-2.0, first=-1, n=0, value=value)
            continue
        f = columns.index(obj.attribute)
        first = len(nodes)
        for br in obj.branches:
            ids[id(br.child)] = len(nodes)
            nodes.append({})
            queue.append((br.child, i, depth + 1))
        if obj.branches[0].op in ("<=", ">"):
            rec.update(kind=SPLIT_NUMERIC, threshold=float(obj.branches[0].value), table=[])
        else:
            values = [br.value for br in obj.branches]
            table = [values.index(v) if v in values else -1 for v in categories[f]]
            rec.update(kind=SPLIT_CATEGORICAL, threshold=-2.0, table=table)
        rec.update(feature=f, first=first, n=len(obj.branches))
    n = len(nodes)
    for i in reversed(range(n)):  # internal counts: sums of their children
        rec = nodes[i]
        if rec["kind"] != SPLIT_LEAF:
            kids = range(rec["first"], rec["first"] + rec["n"])
            rec["value"] = sum(nodes[c]["value"] for c in kids)
    ptr = [0]
    branch: list[int] = []
    for rec in nodes:
        branch += rec.get("table", [])
        ptr.append(len(branch))
    value = np.array([rec["value"] for rec in nodes])
    weight = value.sum(axis=1)
    parent = np.array([rec["parent"] for rec in nodes])
    share = np.where(parent >= 0, weight / np.where(weight[parent] > 0, weight[parent], 1), 1.0)
    arrays = {
        "feature": [rec["feature"] for rec in nodes],
        "threshold": [rec["threshold"] for rec in nodes],
        "split_kind": [rec["kind"] for rec in nodes],
        "first_child": [rec["first"] for rec in nodes],
        "n_children": [rec["n"] for rec in nodes],
        "parent": parent,
        "depth": [rec["depth"] for rec in nodes],
        "impurity": np.zeros(n),
        "split_score": np.where([rec["n"] > 0 for rec in nodes], 0.0, np.nan),
        "gain": np.where([rec["n"] > 0 for rec in nodes], 0.0, np.nan),
        # a node holding weight holds at least one entry (0.2: fractional copies)
        "n_node_samples": np.ceil(np.round(weight, 6)).astype(int),
        "missing_fraction": share,
        "value": value,
        "category_ptr": ptr,
        "category_branch": branch,
    }
    est = C45Classifier()
    est.tree_ = Tree(len(columns), k, arrays)
    est.classes_ = np.asarray(classes, dtype=object)
    est.n_classes_ = k
    est.n_features_in_ = len(columns)
    est.feature_names_in_ = np.asarray(columns, dtype=object)
    est.categories_ = [None if c is None else np.asarray(c, dtype=object) for c in categories]
    est.criterion_ = GainRatio()
    est.pruning = "error_based" if parsed.pruned else None
    return est, text


def j48_block(text: str) -> str:
    """J48's model block: from the header to the 'Size of the tree' line."""
    lines = text.splitlines()
    start = next(i for i, ln in enumerate(lines) if ln.startswith("J48 "))
    end = next(i for i, ln in enumerate(lines) if ln.startswith("Size of the tree"))
    return "\n".join(lines[start : end + 1]) + "\n"


# -B prints raw Java doubles and tests one value against the rest: another printer
J48_CASES = [
    (stem, setting) for stem in available_datasets() for setting in SETTINGS if "B" not in setting
]


@pytest.mark.parametrize(("stem", "setting"), J48_CASES)
def test_j48_layout_reprints_weka_exactly(stem, setting):
    est, text = estimator_from_j48(stem, setting)
    assert export_text(est, layout="j48", header=True) == j48_block(text)


def test_j48_layout_is_the_default_for_c45():
    X, y = load_play_tennis(as_frame=True, return_X_y=True)
    text = export_text(C45Classifier().fit(X, y))
    expected = j48_block(load_fixture_text("weather.nominal", "default"))
    assert text == "\n".join(expected.splitlines()[3:-4]) + "\n"
    assert export_text(ID3Classifier().fit(X, y)).startswith("|--- outlook = sunny")


def test_j48_numbers():
    from treelearn.export._text import _j48_count, _j48_threshold, _java_double

    assert [_j48_threshold(t) for t in (2.45, 1386.5, 0.0409, 1e-7, -3.0000005, 123.4567891)] == [
        "2.45",
        "1386.5",
        "0.0409",
        "0",
        "-3.000001",
        "123.456789",
    ]
    assert [_j48_count(x) for x in (15.2678, 2.265, 0.0, 435.005, 1e8)] == [
        "15.27",
        "2.27",
        "0.0",
        "435.01",
        "1.0E8",
    ]
    assert _java_double(0.5) == "0.5" and _java_double(-2.0) == "-2.0"
    assert _java_double(0.001) == "0.001" and _java_double(1234567.0) == "1234567.0"


def test_sklearn_layout():
    X, y = load_iris(as_frame=True, return_X_y=True)
    est = CARTClassifier(max_depth=2).fit(X, y)
    assert export_text(est) == (
        "|--- petallength <= 2.45\n"
        "|   |--- class: Iris-setosa\n"
        "|--- petallength > 2.45\n"
        "|   |--- petalwidth <= 1.75\n"
        "|   |   |--- class: Iris-versicolor\n"
        "|   |--- petalwidth > 1.75\n"
        "|   |   |--- class: Iris-virginica\n"
    )
    weights = export_text(est, show_weights=True)
    assert "class: Iris-setosa (counts [50, 0, 0])" in weights
    short = export_text(est, max_depth=1)
    assert "truncated branch of depth 1" in short


def test_text_max_depth_and_errors():
    X, y = load_iris(as_frame=True, return_X_y=True)
    est = C45Classifier().fit(X, y)
    top = export_text(est, max_depth=0)
    assert top.splitlines()[0].startswith("petal")
    assert all(line.count("|") == 0 for line in top.splitlines())
    with pytest.raises(ValueError, match="layout"):
        export_text(est, layout="weka")


def test_root_leaf_prints_like_j48():
    X, _ = load_play_tennis(as_frame=True, return_X_y=True)
    est = C45Classifier(max_depth=1).fit(X.iloc[:, :1], np.array(["yes"] * 14))
    assert export_text(est, layout="j48") == ": yes (14.0)\n"


# ----------------------------------------------------------------------------- rules
def test_rules_play_tennis_text_and_frame():
    X, y = load_play_tennis(as_frame=True, return_X_y=True)
    est = ID3Classifier().fit(X, y)
    text = export_rules(est)
    assert text.startswith(
        "Rule 1: IF outlook = sunny\n"
        "        AND humidity = high\n"
        "        THEN class = no  (support 3, confidence 1.000)\n"
    )
    frame = export_rules(est, as_frame=True)
    assert list(frame.columns) == [
        "rule",
        "leaf",
        "conditions",
        "antecedent",
        "class",
        "support",
        "coverage",
        "confidence",
        "errors",
    ]
    assert len(frame) == est.get_n_leaves()
    assert frame["support"].sum() == 14
    assert frame["coverage"].sum() == pytest.approx(1.0)
    assert (frame["confidence"] == 1.0).all()
    assert frame.loc[2, "antecedent"] == "outlook = overcast"


def _holds(condition: str, row: pd.Series) -> bool:
    m = re.fullmatch(r"(.+?) (<=|>|=|in) (.+)", condition)
    name, op, value = m.groups()
    x = row[name]
    if op == "<=":
        return x <= float(value)
    if op == ">":
        return x > float(value)
    if op == "=":
        return str(x) == value
    return str(x) in value.strip("{}").split(", ")


@pytest.mark.parametrize("cls", [ID3Classifier, C45Classifier, CARTClassifier])
@pytest.mark.parametrize("loader", [load_iris, load_play_tennis])
def test_each_row_satisfies_exactly_its_leafs_rule(cls, loader):
    X, y = loader(as_frame=True, return_X_y=True)
    est = cls().fit(X, y)
    rules = export_rules(est, as_frame=True, precision=12)
    leaves = est.apply(X)
    for r, (_, row) in enumerate(X.iterrows()):
        matching = [
            rule.leaf for rule in rules.itertuples() if all(_holds(c, row) for c in rule.conditions)
        ]
        assert matching == [leaves[r]]


def test_rules_merge_bounds_and_sets():
    X, y = load_iris(as_frame=True, return_X_y=True)
    rules = export_rules(CARTClassifier().fit(X, y), as_frame=True)
    for conditions in rules["conditions"]:
        keys = [re.match(r"(.+?) (<=|>|=|in) ", c).groups() for c in conditions]
        assert len(keys) == len(set(keys)), conditions  # one bound per feature and side
    X, y = load_labor(as_frame=True, return_X_y=True)
    frame = export_rules(CARTClassifier(max_depth=3).fit(X, y), as_frame=True)
    assert any(" in {" in c for cs in frame["conditions"] for c in cs)
    assert frame["support"].sum() == pytest.approx(57)


def test_rules_for_empty_leaves():
    est, _ = estimator_from_j48("credit-g", "default")
    frame = export_rules(est, as_frame=True)
    empty = frame[frame["support"] == 0]
    assert len(empty) > 0 and empty["confidence"].isna().all()
    assert "support 0: no training case" in export_rules(est)
    assert math.isclose(frame["support"].sum(), 1000, abs_tol=0.5)


def test_tiny_weights_export_like_predict():
    """The tree's emptiness rule is the export's (issue 11's drift): scaling every
    weight by 1e-9 changes neither predictions nor the printed tree."""
    X, y = load_iris(return_X_y=True)
    plain = CARTClassifier(max_depth=2).fit(X, y)
    tiny = CARTClassifier(max_depth=2).fit(X, y, sample_weight=np.full(len(y), 1e-9))
    np.testing.assert_array_equal(tiny.predict(X), plain.predict(X))
    text = export_text(tiny)
    assert "(empty)" not in text
    assert text == export_text(plain)
    assert export_rules(tiny, as_frame=True)["class"].tolist() == (
        export_rules(plain, as_frame=True)["class"].tolist()
    )


def test_empty_leaf_names_the_class_predict_gives():
    """A leaf the tree predicts with its parent's distribution is printed with the
    class ``predict`` returns there, whatever its (negligible) own counts say."""
    rng = np.random.default_rng(7)
    X = rng.normal(size=(600, 6))
    y = (X[:, 0] + 0.5 * X[:, 1] ** 2 > 0.4).astype(int) + (X[:, 2] > 1).astype(int)
    X[rng.random(X.shape) < 0.1] = np.nan
    w = rng.uniform(0.1, 3.0, size=600)
    est = CARTClassifier(missing_values="fractional").fit(X, y, sample_weight=w)
    tree = est.tree_
    assert (tree.is_empty & tree.is_leaf).any()  # this data grows empty leaves
    rules = export_rules(est, as_frame=True).set_index("leaf")
    # one row per leaf: a fresh row that reaches it, with no missing value
    probe = rng.normal(size=(20000, 6)) * 2
    leaves = est.apply(probe)
    predicted = est.predict(probe)
    for leaf in np.unique(leaves):
        assert rules.loc[leaf, "class"] == str(predicted[leaves == leaf][0])
    lines = [ln for ln in export_text(est).splitlines() if "(empty)" in ln]
    assert len(lines) == int((tree.is_empty & tree.is_leaf).sum())
