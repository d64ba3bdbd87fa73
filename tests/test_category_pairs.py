"""A tree stores each node's categorical routing as the (category, slot) pairs it saw.

A feature of more than ``WHOLE_TABLE_CATEGORIES`` categories keeps, per split node,
only the categories that have a slot (:mod:`treelearn._split_lists`); the others are
routed as unseen, like a missing value, exactly as a ``-1`` slot of a whole table.
The reference is the same tree with whole tables (one slot per declared category,
the layout of format version 2): predictions, paths, exports, pruning and JSON must
be the same, and the stored routing must shrink to what the nodes saw.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from _many_levels import LEVELS, many_level_data
from hypothesis import given, settings
from hypothesis import strategies as st

import treelearn as tl
from treelearn._split_lists import (
    WHOLE_TABLE_CATEGORIES,
    TableIndex,
    pack_tables,
    slot_pairs,
    whole_codes,
)
from treelearn._tree import SPLIT_CATEGORICAL, Tree
from treelearn._tree_surgery import prune_to
from treelearn.export import export_graphviz, export_rules, export_text


def _whole(tree: Tree) -> Tree:
    """The same tree with whole tables (one slot per declared category)."""
    arrays = dict(tree.to_arrays())
    code = arrays.pop("category_code", None)
    assert code is not None
    ptr = tree.category_ptr
    is_cat = tree.split_kind == SPLIT_CATEGORICAL
    width = np.where(is_cat, LEVELS, 0)
    new_ptr = np.zeros(ptr.size, dtype=np.int64)
    np.cumsum(width, out=new_ptr[1:])
    branch = np.full(int(new_ptr[-1]), -1, dtype=np.int32)
    owner = np.repeat(np.arange(ptr.size - 1), np.diff(ptr))
    branch[new_ptr[owner] + code] = tree.category_branch
    arrays["category_ptr"], arrays["category_branch"] = new_ptr, branch
    return Tree(tree.n_features, tree.n_classes, arrays, tree.unit_weight)


ESTIMATORS = {
    "cart": lambda: tl.CARTClassifier(),
    "cart-learned": lambda: tl.CARTClassifier(missing_values="learned", max_competitors=2),
    "entropy-binary": lambda: tl.DecisionTreeClassifier(categorical_split="binary", max_depth=9),
    "id3": lambda: tl.ID3Classifier(),
    "c45-binary": lambda: tl.C45Classifier(categorical_split="binary"),
}


@pytest.mark.parametrize("name", sorted(ESTIMATORS))
def test_pairs_route_as_whole_tables(name):
    X, y = many_level_data()
    model = ESTIMATORS[name]().fit(X, y)
    tree = model.tree_
    cat_nodes = np.flatnonzero(tree.split_kind == SPLIT_CATEGORICAL)
    assert cat_nodes.size >= (1 if name == "id3" else 3)  # multiway: one split on c
    if name in ("c45-binary", "id3"):  # a value against the rest; ID3's one split at
        # the root where every category is present: every category has a slot
        assert "category_code" not in tree.to_arrays()
        assert tree.category_branch.size == cat_nodes.size * LEVELS
        return
    assert tree.category_branch.size < cat_nodes.size * LEVELS  # what the nodes saw
    assert (tree.category_branch >= 0).all()  # pairs: only the categories with a slot
    whole = _whole(tree)
    Xt = X.copy()
    Xt.loc[:100, "c"] = np.nan
    reference = _swap(model, whole)
    for data in (X, Xt):
        np.testing.assert_array_equal(model.predict_proba(data), reference.predict_proba(data))
        np.testing.assert_array_equal(model.apply(data), reference.apply(data))
        a, b = model.decision_path(data), reference.decision_path(data)
        assert (a != b).nnz == 0
    assert export_text(model) == export_text(reference)
    assert export_graphviz(model) == export_graphviz(reference)
    assert export_rules(model) == export_rules(reference)
    for d in range(tree.node_count):
        assert tree.branch_categories(d) == whole.branch_categories(d)
    # surgery: prune the categorical nodes' children away at one depth
    keep = tree.depth < max(int(tree.depth[cat_nodes].max()) - 1, 1)
    a, b = prune_to(tree, keep), prune_to(whole, keep)
    np.testing.assert_array_equal(a.value, b.value)
    for d in range(a.node_count):
        assert a.branch_categories(d) == b.branch_categories(d)


def _swap(model, tree):
    import copy

    other = copy.copy(model)
    other.tree_ = tree
    return other


def test_json_round_trip_and_version_2_whole_tables():
    X, y = many_level_data(1)
    model = tl.CARTClassifier().fit(X, y)
    doc = json.loads(model.to_json())
    assert doc["format_version"] == 4 and "category_code" in doc["tree"]["arrays"]
    back = tl.load_json(json.dumps(doc))
    np.testing.assert_array_equal(back.predict_proba(X), model.predict_proba(X))
    # a version-2 document stores whole tables and no codes
    whole = _swap(model, _whole(model.tree_))
    old = json.loads(whole.to_json())
    assert "category_code" not in old["tree"]["arrays"]
    old["format_version"] = 2
    back = tl.load_json(json.dumps(old))
    np.testing.assert_array_equal(back.predict_proba(X), model.predict_proba(X))


@pytest.mark.parametrize(
    "edit, message",
    [
        (lambda c: c.__setitem__(1, c[0]), "ascend"),
        (lambda c: c.__setitem__(0, LEVELS), "category the feature does not have"),
        (lambda c: c.__setitem__(0, -1), "category the feature does not have"),
        (lambda c: c.pop(), "entries"),
    ],
)
def test_load_json_checks_the_codes(edit, message):
    X, y = many_level_data(2)
    doc = json.loads(tl.CARTClassifier().fit(X, y).to_json())
    codes = doc["tree"]["arrays"]["category_code"]
    edit(codes)
    with pytest.raises(ValueError, match=message):
        tl.load_json(json.dumps(doc))


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(0, 12),
    C=st.sampled_from([1, 3, WHOLE_TABLE_CATEGORIES, WHOLE_TABLE_CATEGORIES + 1, 200]),
    seed=st.integers(0, 2**16),
)
def test_pack_tables_and_index_find_the_dense_slot(n, C, seed):
    rng = np.random.default_rng(seed)
    dense = np.where(rng.random((n, C)) < 0.3, rng.integers(0, 3, (n, C)), -1).astype(np.int32)
    pairs = pack_tables(dense)
    assert pairs.whole == (C <= WHOLE_TABLE_CATEGORIES)
    rows = rng.integers(0, max(n, 1), 50) if n else np.zeros(0, dtype=np.intp)
    x = rng.integers(-2, C + 2, rows.size).astype(float)
    x[rng.random(rows.size) < 0.2] = np.nan
    inside = (x >= 0) & (x < C)
    expected = np.full(rows.size, -1)
    expected[inside] = dense[rows[inside], x[inside].astype(int)]
    np.testing.assert_array_equal(pairs.slots_of(rows, x), expected)
    np.testing.assert_array_equal(
        pairs.n_slots(), dense.max(axis=1, initial=-1) + 1 if n else np.zeros(0)
    )
    # the pairs of CSR tables given sparse are those of the dense tables
    ptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.full(n, C), out=ptr[1:])
    got = slot_pairs(ptr, whole_codes(ptr), dense.ravel(), np.arange(n)[::-1])
    ref = pack_tables(dense[::-1]) if C > WHOLE_TABLE_CATEGORIES else None
    if ref is not None:
        np.testing.assert_array_equal(got.count, ref.count)
        np.testing.assert_array_equal(got.code, ref.code)
        np.testing.assert_array_equal(got.slot, ref.slot)
    index = TableIndex(pairs.ptr, pairs.code)
    assert index.whole == pairs.whole or n == 0 or not (dense >= 0).all()
