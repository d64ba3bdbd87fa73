"""The fit's working memory is bounded without changing a tree (issue 19, memory).

The numeric split search ranks its candidate cuts in chunks whose temporaries stay
within the budget's per-level cap (:func:`treelearn._budget.search_working_bytes`),
and the sorted store keeps one class code per entry instead of one per feature and
position. Both are pure memory changes: forcing tiny chunks must give every tree bit
for bit.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from treelearn import C45Classifier, CARTClassifier, DecisionTreeClassifier, _budget, _partition
from treelearn import _split_numeric as sn


@settings(max_examples=200, deadline=None)
@given(n=st.integers(0, 5000), k=st.integers(1, 300), budget_cells=st.integers(1, 4000))
def test_candidate_chunks_cover_everything_within_the_cap(n, k, budget_cells):
    cap = budget_cells * 8 * k  # bytes
    bounds = sn.candidate_chunks(n, k, cap)
    assert bounds[0] == 0 and bounds[-1] == n
    sizes = np.diff(bounds)
    assert (sizes > 0).all()
    if n > 1:
        assert (sizes >= 2).all()  # never a lone [1, K] row (another order of sums)
    step = max(cap // (8 * sn._CANDIDATE_ROWS * k), 2)
    assert (sizes <= step + 1).all()


def test_the_cap_is_a_share_of_the_budget(monkeypatch):
    monkeypatch.setenv("TREELEARN_MEMORY_BUDGET", "2")
    assert _budget.search_working_bytes() == 2 * 2**30 // 512
    monkeypatch.delenv("TREELEARN_MEMORY_BUDGET")
    assert _budget.search_working_bytes() == 8 * 2**20


def _data(seed: int, n: int, k: int, nan: float, dtype=np.float64):
    rng = np.random.default_rng(seed)
    X = np.round(rng.normal(size=(n, 4)), 2).astype(dtype)
    y = (X[:, 0] + rng.normal(scale=0.7, size=n) > 0).astype(int) * (k // 2)
    y = (y + rng.integers(0, k, n) * (rng.random(n) < 0.4)) % k
    if nan:
        X[rng.random(X.shape) < nan] = np.nan
    return X, y


CASES = [
    ("entropy", lambda: DecisionTreeClassifier(criterion="entropy"), 3, 0.0, False),
    ("gini", lambda: DecisionTreeClassifier(criterion="gini"), 3, 0.0, False),
    ("learned NaN", lambda: DecisionTreeClassifier(criterion="gini"), 3, 0.1, False),
    ("C4.5 fractional", lambda: C45Classifier(), 10, 0.1, False),
    ("weighted, 10 classes", lambda: DecisionTreeClassifier(criterion="entropy"), 10, 0.0, True),
    ("CART surrogates", lambda: CARTClassifier(), 4, 0.1, False),
    ("float32", lambda: DecisionTreeClassifier(criterion="gini"), 3, 0.0, False),
]


@pytest.mark.parametrize(("name", "make", "k", "nan", "weighted"), CASES, ids=[c[0] for c in CASES])
def test_tiny_chunks_give_the_same_tree(monkeypatch, name, make, k, nan, weighted):
    X, y = _data(7, 600, k, nan, np.float32 if name == "float32" else np.float64)
    w = np.random.default_rng(1).uniform(0.3, 3.0, y.size) if weighted else None
    expected = make().fit(X, y, sample_weight=w).to_json()
    monkeypatch.setattr(sn, "search_working_bytes", lambda: 1)  # chunks of 2 candidates
    assert sn.candidate_chunks(10, k) == [0, 2, 4, 6, 8, 10]
    assert make().fit(X, y, sample_weight=w).to_json() == expected


def test_store_keeps_one_label_per_entry():
    X, y = _data(3, 500, 3, 0.05)
    store = _partition.presort(X, np.arange(4), y, np.ones(y.size), 3)
    assert store.entry_labels.shape == (500,) and store.entry_labels.dtype == np.int8
    for r in range(4):
        np.testing.assert_array_equal(store.labels_at(r), y[store.entries[r]])
