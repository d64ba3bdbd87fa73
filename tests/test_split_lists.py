"""The shared CSR base of per-node split lists (surrogates, competitors)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from treelearn import CARTClassifier
from treelearn._competitor_tables import Competitors
from treelearn._split_lists import SplitList, csr_take, take_tables
from treelearn._surrogate_tables import Surrogates


def _rows(ptr, values):
    return [values[ptr[i] : ptr[i + 1]].tolist() for i in range(ptr.size - 1)]


@st.composite
def _csr(draw):
    counts = draw(st.lists(st.integers(0, 4), min_size=1, max_size=12))
    ptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    values = np.arange(ptr[-1]) * 10
    rows = np.array(draw(st.lists(st.integers(0, len(counts) - 1), max_size=15)), dtype=np.intp)
    keep = np.array(draw(st.lists(st.booleans(), min_size=rows.size, max_size=rows.size)))
    return ptr, values, rows, keep.astype(bool)


@settings(max_examples=200, deadline=None)
@given(_csr())
def test_csr_take_gathers_rows_as_python_lists_do(case):
    ptr, values, rows, keep = case
    old = _rows(ptr, values)
    new_ptr, take = csr_take(ptr, rows, keep)
    assert new_ptr[0] == 0 and new_ptr.dtype == np.int64 and new_ptr.size == rows.size + 1
    assert _rows(new_ptr, values[take]) == [
        old[r] if k else [] for r, k in zip(rows, keep, strict=True)
    ]
    tptr, tvalues = take_tables(ptr, values, rows)
    assert _rows(tptr, tvalues) == [old[r] for r in rows]


def _competitors(seed: int) -> Competitors:
    rng = np.random.default_rng(seed)
    n = 7
    count = rng.integers(0, 3, n)
    count[[3, 5]] = 0
    ptr = np.concatenate([[0], np.cumsum(count)]).astype(np.int64)
    c = int(ptr[-1])
    kind = rng.integers(1, 3, c).astype(np.int8)
    width = np.where(kind == 2, 3, 0)
    cptr = np.concatenate([[0], np.cumsum(width)]).astype(np.int64)
    return Competitors(
        ptr=ptr, feature=rng.integers(0, 5, c).astype(np.int32), kind=kind,
        threshold=np.where(kind == 1, rng.random(c), np.nan), score=rng.random(c),
        gain=rng.random(c), category_ptr=cptr,
        category_branch=rng.integers(-1, 2, int(cptr[-1])).astype(np.int32),
    )  # fmt: skip


def _listed(sl: SplitList, node: int) -> list[tuple]:
    out = []
    for j in range(int(sl.ptr[node]), int(sl.ptr[node + 1])):
        cols = tuple(repr(getattr(sl, c)[j]) for c in sl.columns())  # nan equals nan
        out.append((*cols, sl.categories(j).tolist()))
    return out


@pytest.mark.parametrize("seed", range(5))
def test_take_and_stack_keep_every_column_of_every_node(seed):
    comp = _competitors(seed)
    n = comp.ptr.size - 1
    source = np.array([0, 2, 2, 6, 1, 4])
    keep = np.array([True, True, False, True, True, True])
    got = comp.take(source, keep)
    for i, (s, k) in enumerate(zip(source, keep, strict=True)):
        assert _listed(got, i) == (_listed(comp, s) if k else [])
    # two "levels" stacked back give the original lists
    lo = comp.take(np.arange(3), np.ones(3, bool))
    hi = comp.take(np.arange(3, n), np.ones(n - 3, bool))
    back = Competitors.stack([(0, lo), (3, hi)], n)
    for name, arr in comp.to_arrays().items():
        np.testing.assert_array_equal(back.to_arrays()[name], arr, err_msg=name)
        assert back.to_arrays()[name].dtype == arr.dtype
    assert Competitors.from_arrays(comp.to_arrays()).to_arrays().keys() == comp.ARRAYS.keys()


def test_columns_and_empty_follow_the_subclass():
    assert Surrogates.columns() == (
        "feature", "kind", "threshold", "low_slot", "agreement", "adj",
    )  # fmt: skip
    assert Competitors.columns() == ("feature", "kind", "threshold", "score", "gain")
    for cls in (Surrogates, Competitors):
        e = cls.empty(4)
        assert e.count.tolist() == [0, 0, 0, 0]
        for name, dtype in cls.ARRAYS.items():
            assert e.to_arrays()[name].dtype == dtype
        assert cls.stack([], 4).to_arrays().keys() == e.to_arrays().keys()


def test_a_grown_trees_lists_sit_at_its_split_nodes():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 4))
    X[rng.random(X.shape) < 0.1] = np.nan
    y = (X[:, 0] + X[:, 1] > 0).astype(int) + (np.nan_to_num(X[:, 2]) > 1)
    clf = CARTClassifier(cp=0.0, max_depth=4, max_surrogates=2, max_competitors=2).fit(X, y)
    t = clf.tree_
    for sl in (t.surrogates, t.competitors):
        assert sl is not None
        assert (sl.count[t.is_leaf] == 0).all()
        assert sl.count[~t.is_leaf].sum() > 0
        for name in sl.ARRAYS:  # the tree's attributes are the list's arrays
            assert getattr(t, name) is getattr(sl, name[len(sl.PREFIX) :])
