"""Surrogate and competitor tables of a many-level feature are (category, slot) pairs.

A per-node split list (:mod:`treelearn._split_lists`) stores the categorical table of a
feature of more than ``WHOLE_TABLE_CATEGORIES`` categories as the pairs of the
categories that have a slot, as the tree's own routing tables: a category a table
does not list does not apply (a surrogate) exactly as a ``-1`` slot of a whole table.
The reference is the same tree with whole tables (one slot per declared category,
the layout of format version 3): predictions, paths, exports and JSON must be the
same, and the stored tables must shrink to what the nodes saw. The fit's memory at
the issue's size (20,000 levels, 100,000 rows) is bounded in a subprocess.
"""

from __future__ import annotations

import copy
import itertools
import json
import textwrap

import numpy as np
import pytest
from _many_levels import LEVELS, many_level_data
from limited import run_limited

import treelearn as tl
from treelearn._split_lists import WHOLE_TABLE_CATEGORIES, SplitList, assemble_tables, pack_tables
from treelearn._tree import SPLIT_CATEGORICAL, Tree
from treelearn.export import export_rules, export_text


def _whole_list(sl: SplitList) -> SplitList:
    """The same lists with whole tables (one slot per declared category)."""
    width = np.where(sl.kind == SPLIT_CATEGORICAL, LEVELS, 0)
    dense = np.full((sl.feature.size, LEVELS), -1, dtype=np.int32)
    owner = np.repeat(np.arange(sl.feature.size), np.diff(sl.category_ptr))
    dense[owner, sl.category_code] = sl.category_branch
    cat = np.flatnonzero(width > 0)
    ptr = np.zeros(sl.feature.size + 1, dtype=np.int64)
    np.cumsum(width, out=ptr[1:])
    branch = dense[cat].ravel()
    out = copy.copy(sl)
    out.category_ptr, out.category_branch = ptr, branch
    out.category_code = np.tile(np.arange(LEVELS, dtype=np.int32), cat.size)
    out._index = None
    return out


def _whole(model):
    tree = model.tree_
    arrays = dict(tree.to_arrays())
    for sl in (tree.surrogates, tree.competitors):
        if sl is not None:
            arrays.pop(sl.code_name(), None)
            arrays.update(_whole_list(sl).to_arrays())
    other = copy.copy(model)
    other.tree_ = Tree(tree.n_features, tree.n_classes, arrays, tree.unit_weight)
    return other


ESTIMATORS = {
    "cart-surrogate": lambda: tl.CARTClassifier(max_competitors=2),
    "rpart-all": lambda: tl.CARTClassifier(cp=0.0, max_surrogates=3, max_competitors=3),
    "learned-competitors": lambda: tl.CARTClassifier(missing_values="learned", max_competitors=2),
}


@pytest.mark.parametrize("name", sorted(ESTIMATORS))
def test_list_pairs_route_and_print_as_whole_tables(name):
    X, y = many_level_data(twin=True)
    model = ESTIMATORS[name]().fit(X, y)
    tree = model.tree_
    listed = [sl for sl in (tree.surrogates, tree.competitors) if sl is not None]
    for sl in listed:
        cat = np.flatnonzero(sl.kind == SPLIT_CATEGORICAL)
        assert cat.size >= 3
        width = np.diff(sl.category_ptr)[cat]
        owner = np.repeat(np.arange(tree.node_count), sl.count)[cat]
        # pairs: only the categories with a slot, at most one per case of the node
        assert (sl.category_branch >= 0).all() and (width <= tree.n_node_samples[owner]).all()
        assert sl.code_name() in tree.to_arrays()
    reference = _whole(model)
    Xt = X.copy()
    Xt.loc[:400, "c"] = np.nan  # the primary's value missing: surrogates decide
    Xt.loc[200:300, "x"] = np.nan
    for data in (X, Xt):
        np.testing.assert_array_equal(model.predict_proba(data), reference.predict_proba(data))
        np.testing.assert_array_equal(model.apply(data), reference.apply(data))
    shown = {"show_surrogates": True, "show_competitors": True}
    assert export_text(model, **shown) == export_text(reference, **shown)
    assert export_rules(model) == export_rules(reference)
    for sl, whole in zip(listed, [_whole_list(s) for s in listed], strict=True):
        for j in np.flatnonzero(sl.kind == SPLIT_CATEGORICAL).tolist():
            np.testing.assert_array_equal(sl.categories(j, LEVELS), whole.categories(j))
    # JSON: the codes round trip (version 4); a version-3 document of whole tables loads
    back = tl.load_json(model.to_json())
    np.testing.assert_array_equal(back.predict_proba(Xt), model.predict_proba(Xt))
    old = json.loads(reference.to_json())
    assert not any(k.endswith("_category_code") for k in old["tree"]["arrays"])
    old["format_version"] = 3
    np.testing.assert_array_equal(
        tl.load_json(json.dumps(old)).predict_proba(Xt), model.predict_proba(Xt)
    )


def test_pruning_keeps_the_pairs():
    X, y = many_level_data(1, twin=True)
    model = tl.CARTClassifier(cp=0.0, max_competitors=2).fit(X, y)
    pruned = tl.CARTClassifier(cp=0.001, max_competitors=2).fit(X, y)  # 1,747 -> 119 nodes
    for a, b in ((model, _whole(model)), (pruned, _whole(pruned))):
        Xt = X.copy()
        Xt.loc[:500, "c"] = np.nan
        np.testing.assert_array_equal(a.predict_proba(Xt), b.predict_proba(Xt))
    assert pruned.tree_.node_count < model.tree_.node_count
    sur = pruned.tree_.surrogates
    assert sur is not None and not sur.category_index.whole


@pytest.mark.parametrize(
    "edit, message",
    [
        (lambda c: c.__setitem__(1, c[0]), "ascend"),
        (lambda c: c.__setitem__(0, LEVELS), "category the feature does not have"),
        (lambda c: c.pop(), "one category per entry"),
    ],
)
def test_load_json_checks_the_list_codes(edit, message):
    X, y = many_level_data(2, twin=True)
    doc = json.loads(tl.CARTClassifier().fit(X, y).to_json())
    edit(doc["tree"]["arrays"]["surrogate_category_code"])
    with pytest.raises(ValueError, match=message):
        tl.load_json(json.dumps(doc))


def test_list_codes_without_the_list_are_refused():
    X, y = many_level_data(3, twin=True)
    doc = json.loads(tl.CARTClassifier(missing_values="learned").fit(X, y).to_json())
    doc["tree"]["arrays"]["surrogate_category_code"] = [0]
    with pytest.raises(ValueError, match="surrogate_category_code without"):
        tl.load_json(json.dumps(doc))


def test_assemble_tables_cuts_whole_tables_and_places_pairs():
    dense = np.array([[0, -1, 1, 1], [1, 1, -1, 0]], dtype=np.int32)  # a padded block
    wide = np.full((2, WHOLE_TABLE_CATEGORIES + 6), -1, dtype=np.int32)
    wide[0, [3, 68]] = [1, 0]
    wide[1, 69] = 1
    width = np.array([0, 3, 4, WHOLE_TABLE_CATEGORIES + 6, 0, WHOLE_TABLE_CATEGORIES + 6])
    parts = [(np.array([1, 2]), pack_tables(dense)), (np.array([5, 3]), pack_tables(wide))]
    ptr, code, branch = assemble_tables(6, width, parts)
    rows = [(code[a:b].tolist(), branch[a:b].tolist()) for a, b in itertools.pairwise(ptr)]
    assert rows == [
        ([], []),
        ([0, 1, 2], [0, -1, 1]),  # cut to the feature's 3 categories
        ([0, 1, 2, 3], [1, 1, -1, 0]),
        ([69], [1]),
        ([], []),
        ([3, 68], [1, 0]),
    ]


_MEMORY = """
import json, resource, time, tracemalloc
import numpy as np, pandas as pd
import treelearn as tl
rng = np.random.default_rng(0)
n, L, K = 100_000, 20_000, 5
codes = rng.integers(0, L, n)
y = (rng.random((L, K))[codes].argmax(axis=1) + (rng.random(n) < 0.3) * rng.integers(0, K, n)) % K
num = rng.random((n, 3))
X = pd.DataFrame({"c": pd.Categorical(codes.astype(str)), "a": num[:, 0], "b": num[:, 1],
                  "d": num[:, 2]})
make = {MAKE}
make().fit(X[:2000], y[:2000])  # the modules a fit imports lazily
from treelearn import _accelerator
if _accelerator.numba_installed():  # and the compiled kernels, loaded once a process
    import os
    os.environ[_accelerator.ENV] = "on"
    make().fit(X[:2000], y[:2000]).predict(X[:2000])
    del os.environ[_accelerator.ENV]
with open("/proc/self/statm") as f:
    before = int(f.read().split()[1]) * resource.getpagesize()
tracemalloc.start()
m = make().fit(X, y)
traced = tracemalloc.get_traced_memory()[1]
# VmHWM, not ru_maxrss: the latter keeps the forking parent's (pytest's) peak across exec
with open("/proc/self/status") as f:
    peak = int(f.read().split("VmHWM:")[1].split()[0]) * 1024
arrays = sum(a.nbytes for a in m.tree_.to_arrays().values())
print(json.dumps({"traced": traced / 2**20, "rss": (peak - before) / 2**20,
                  "tree": arrays / 2**20, "cat_splits": int((m.tree_.feature == 0).sum())}))
"""


@pytest.mark.parametrize(
    "make",
    [
        'lambda: tl.CARTClassifier(missing_values="learned")',
        "lambda: tl.CARTClassifier()",
        "lambda: tl.ID3Classifier()",
        "lambda: tl.C45Classifier()",
    ],
)
def test_a_20000_level_fit_stays_proportional_to_the_data(make):
    # issue 18: 100k rows x 4 features with one 20,000-level categorical took 500-750
    # MiB of extra peak in CART (a dense [nodes, levels, classes] search of up to 2^22
    # cells, 13 float64 temporaries a cell, and one int32 per declared level in every
    # surrogate table); what numpy allocates now is a few times the data (3.2 MB of X)
    # plus the tree, the resident peak within the allocator's slack of it
    out = run_limited(textwrap.dedent(_MEMORY.replace("{MAKE}", make)), seconds=600, memory_gib=3.0)
    got = json.loads(out.strip().splitlines()[-1])
    assert got["cat_splits"] >= 1
    assert got["traced"] <= 80, got
    assert got["tree"] <= 20, got
    assert got["rss"] <= 100, got
