"""A many-level categorical searched over its present categories grows the same tree.

A categorical feature whose ``[nodes, categories, classes]`` tensor is large is searched
over the categories present at each node, in compact codes and in chunks of nodes
(:func:`treelearn._split_categorical.present_chunks`), when the rules' search depends
on the present categories only (``GrowthRules.present_only``: CART's ordered subset
cuts beyond ``max_exhaustive_categories``). The reference is the dense search over the same nodes
(``present_only`` forced off): every tree array must be identical, whatever the chunk
size. Multiway splits and C4.5 (branches for declared categories) keep the dense search.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from treelearn import (
    CARTClassifier,
    DecisionTreeClassifier,
    _builder,
    _split_categorical,
    _surrogates,
)
from treelearn._growth_rules import RpartRules, SklearnRules
from treelearn._split_categorical import PresentTables, present_chunks, table_rows

ESTIMATORS = {
    "cart-binary": lambda: CARTClassifier(categorical_split="binary"),
    "cart-binary-leaf": lambda: CARTClassifier(categorical_split="binary", min_samples_leaf=3),
    "rpart": lambda: CARTClassifier(categorical_split="binary", cp=0.0, missing_values="surrogate"),
    "sklearn-entropy-binary": lambda: DecisionTreeClassifier(
        criterion="entropy", categorical_split="binary", max_competitors=2
    ),
    "fractional": lambda: DecisionTreeClassifier(
        categorical_split="binary", missing_values="fractional"
    ),
    "gain-ratio-binary": lambda: DecisionTreeClassifier(
        criterion="gain_ratio", categorical_split="binary"
    ),
}


def _data(seed: int, n: int, levels: int, n_classes: int, missing: float, weighted: bool):
    rng = np.random.default_rng(seed)
    codes = rng.integers(0, levels, n)
    effect = rng.random((levels, n_classes))
    y = effect[codes].argmax(axis=1) + (rng.random(n) < 0.3) * rng.integers(0, n_classes, n)
    y %= n_classes
    cat = pd.Series(pd.Categorical([f"v{c}" for c in codes], [f"v{i}" for i in range(levels)]))
    cat[rng.random(n) < missing] = np.nan
    X = pd.DataFrame({"c": cat, "x": rng.random(n).round(2)})
    w = rng.random(n) + 0.1 if weighted else None
    return X, y, w


def _tree_arrays(model) -> dict[str, np.ndarray]:
    return model.tree_.to_arrays()


def _fit(make, X, y, w, monkeypatch, *, present: bool, chunk_cells: int):
    with monkeypatch.context() as m:
        m.setattr(_builder, "_SMALL_TENSOR", 0)  # every level takes the large search
        m.setattr(_split_categorical, "PRESENT_CHUNK_CELLS", chunk_cells)
        if not present:
            m.setattr(SklearnRules, "present_only", lambda self, n: False)
            m.setattr(RpartRules, "present_only", lambda self, n: False)
        return make().fit(X, y, sample_weight=w)


def _assert_same(a, b):
    ta, tb = _tree_arrays(a), _tree_arrays(b)
    assert ta.keys() == tb.keys()
    for name in ta:
        np.testing.assert_array_equal(ta[name], tb[name], err_msg=name)


@pytest.mark.parametrize("name", sorted(ESTIMATORS))
@pytest.mark.parametrize("n_classes", [2, 3])
def test_present_search_grows_the_dense_searchs_tree(name, n_classes, monkeypatch):
    X, y, w = _data(
        0, 600, 40, n_classes, missing=0.1, weighted=name in ("fractional", "gain-ratio-binary")
    )
    dense = _fit(ESTIMATORS[name], X, y, w, monkeypatch, present=False, chunk_cells=2**20)
    assert (dense.tree_.feature == 0).sum() >= 3  # the categorical is split on
    for cells in (1, 97, 2**20):  # one node per chunk, a few, all nodes in one
        compact = _fit(ESTIMATORS[name], X, y, w, monkeypatch, present=True, chunk_cells=cells)
        _assert_same(dense, compact)
        np.testing.assert_array_equal(dense.predict_proba(X), compact.predict_proba(X))


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**16),
    levels=st.integers(12, 60),
    n_classes=st.integers(2, 4),
    missing=st.sampled_from([0.0, 0.2]),
    weighted=st.booleans(),
    name=st.sampled_from(sorted(ESTIMATORS)),
    cells=st.integers(1, 500),
)
def test_present_search_property(seed, levels, n_classes, missing, weighted, name, cells):
    X, y, w = _data(seed, 300, levels, n_classes, missing, weighted)
    mp = pytest.MonkeyPatch()
    try:
        dense = _fit(ESTIMATORS[name], X, y, w, mp, present=False, chunk_cells=2**20)
        compact = _fit(ESTIMATORS[name], X, y, w, mp, present=True, chunk_cells=cells)
    finally:
        mp.undo()
    _assert_same(dense, compact)


def test_c45_keeps_declared_branches():
    from treelearn._c45_rules import C45Rules

    assert not C45Rules().present_only(10_000)
    assert SklearnRules(categorical_split="binary").present_only(11)
    assert not SklearnRules(categorical_split="binary").present_only(10)  # exhaustive
    assert not SklearnRules(categorical_split="multiway").present_only(10_000)


def test_present_chunks_compact_codes_and_tables():
    # nodes 0 (codes 5, 2, 5), 1 (code 7 only: not searched), 2 (codes 1, 3, 9, NaN)
    codes = np.array([5, 2, 7, 1, 5, 3, 9, np.nan])
    node = np.array([0, 0, 1, 2, 0, 2, 2, 2])
    tables, chunks = present_chunks(codes, node, 3, 10, 2, np.ones(3, dtype=bool), 6)
    np.testing.assert_array_equal(tables.ptr, [0, 2, 3, 6])
    np.testing.assert_array_equal(tables.codes, [2, 5, 7, 1, 3, 9])
    # node 2 (3 present) first; 6 cells hold one node of width 3 x 2 classes
    assert [c.nodes.tolist() for c in chunks] == [[2], [0]]
    assert [c.width for c in chunks] == [3, 2]
    np.testing.assert_array_equal(chunks[0].entries, [3, 5, 6])
    np.testing.assert_array_equal(chunks[0].compact, [0, 1, 2])
    np.testing.assert_array_equal(chunks[1].entries, [0, 1, 4])
    np.testing.assert_array_equal(chunks[1].compact, [1, 0, 1])
    chunks[0].slots_into(tables, np.array([[1, 0, 1]], dtype=np.int32))
    chunks[1].slots_into(tables, np.array([[0, 1]], dtype=np.int32))
    dense = table_rows(tables, np.array([2, 1, 0]), 10)
    expected = np.full((3, 10), -1)
    expected[0, [1, 3, 9]] = [1, 0, 1]
    expected[2, [2, 5]] = [0, 1]
    np.testing.assert_array_equal(dense, expected)
    assert isinstance(tables, PresentTables)
    plain = np.arange(30).reshape(3, 10)
    np.testing.assert_array_equal(table_rows(plain, np.array([1]), 4), [[10, 11, 12, 13]])


# -- the surrogate search over present categories -------------------------------------

SURROGATE_ESTIMATORS = {
    "cart": lambda: CARTClassifier(),
    "rpart-cp0": lambda: CARTClassifier(cp=0.0, max_surrogates=3),
    "entropy-binary": lambda: DecisionTreeClassifier(
        criterion="entropy", missing_values="surrogate", categorical_split="binary"
    ),
}


def _surrogate_data(seed: int, n: int, levels: int, n_classes: int, weighted: bool):
    X, y, w = _data(seed, n, levels, n_classes, missing=0.15, weighted=weighted)
    rng = np.random.default_rng(seed + 1)
    # a second categorical that follows the first (a good surrogate), and missing x
    other = [f"u{(int(v[1:]) * 7 + rng.integers(0, 3)) % levels}" if isinstance(v, str)
             else np.nan for v in X["c"]]  # fmt: skip
    X["d"] = pd.Categorical(other, [f"u{i}" for i in range(levels)])
    X.loc[rng.random(n) < 0.1, "x"] = np.nan
    return X, y, w


def _fit_surrogates(make, X, y, w, *, present: bool, chunk_cells: int):
    mp = pytest.MonkeyPatch()
    try:
        if present:
            mp.setattr(_surrogates, "_DENSE_CELLS", 0)  # every feature over present levels
            mp.setattr(_split_categorical, "PRESENT_CHUNK_CELLS", chunk_cells)
        return make().fit(X, y, sample_weight=w)
    finally:
        mp.undo()


@pytest.mark.parametrize("name", sorted(SURROGATE_ESTIMATORS))
@pytest.mark.parametrize("weighted", [False, True])
def test_present_surrogate_search_finds_the_dense_searchs_surrogates(name, weighted):
    X, y, w = _surrogate_data(0, 600, 40, 3, weighted)
    make = SURROGATE_ESTIMATORS[name]
    dense = _fit_surrogates(make, X, y, w, present=False, chunk_cells=2**20)
    sur = dense.tree_.surrogates
    categorical = sur.kind == 2
    assert categorical.sum() >= 5  # categorical surrogates are found
    for cells in (1, 97, 2**20):  # one node per chunk, a few, all nodes in one
        compact = _fit_surrogates(make, X, y, w, present=True, chunk_cells=cells)
        _assert_same(dense, compact)
        np.testing.assert_array_equal(dense.predict_proba(X), compact.predict_proba(X))


@settings(max_examples=30, deadline=None)
@given(
    seed=st.integers(0, 2**16),
    levels=st.integers(8, 50),
    n_classes=st.integers(2, 4),
    weighted=st.booleans(),
    name=st.sampled_from(sorted(SURROGATE_ESTIMATORS)),
    cells=st.integers(1, 500),
)
def test_present_surrogate_search_property(seed, levels, n_classes, weighted, name, cells):
    X, y, w = _surrogate_data(seed, 300, levels, n_classes, weighted)
    make = SURROGATE_ESTIMATORS[name]
    dense = _fit_surrogates(make, X, y, w, present=False, chunk_cells=2**20)
    compact = _fit_surrogates(make, X, y, w, present=True, chunk_cells=cells)
    _assert_same(dense, compact)
