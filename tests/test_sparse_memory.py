"""Fit memory on sparse X is proportional to the non-zeros (issue 13).

Every term of a sparse fit's working memory is bounded by a small constant times
the non-zeros, rows, nodes or features: the exact and random searches build their
zero blocks and ``[classes, positions]`` prefix sums chunk by chunk, in chunks of
at most :func:`treelearn._sparse_store.chunk_cells` cells; the histogram search
keeps (node, feature) pairs as lists and the bins' value ranges ragged
(:class:`treelearn._binning.Bins`), so one column of many values does not give
every column ``max_bins`` bins. The memory test runs in a subprocess (tracemalloc
sees numpy's allocations); the chunking tests pin the trees to the dense fits.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import scipy.sparse as sp
from test_sparse import assert_same_tree

from treelearn import CARTClassifier, DecisionTreeClassifier
from treelearn import _hist_sparse as hs
from treelearn import _sparse_store as ss

MEMORY_CHILD = textwrap.dedent(
    """
    import json, tracemalloc
    import numpy as np, scipy.sparse as sp
    from treelearn import DecisionTreeClassifier
    rng = np.random.default_rng(0)
    n, p = 1000, 20000
    X = sp.random(n, p, density=0.004, format="csr", random_state=1)
    dense_col = sp.csr_matrix(rng.uniform(0.0, 1.0, (n, 1)))  # one column of n values
    X = sp.hstack([X, dense_col], format="csr")
    y = rng.integers(0, 20, n)
    out = {"nnz": int(X.nnz), "rows": n, "features": p + 1}
    for name, params in [("best", {}), ("random", {"splitter": "random", "random_state": 0}),
                         ("hist", {"splitter": "hist"})]:
        est = DecisionTreeClassifier(criterion="gini", max_depth=12, **params)
        tracemalloc.start()
        base = tracemalloc.get_traced_memory()[0]
        est.fit(X, y)
        out[name] = tracemalloc.get_traced_memory()[1] - base
        out[name + "_nodes"] = int(est.tree_.node_count)
        tracemalloc.stop()
    print(json.dumps(out))
    """
)


def _memory_bound(nnz: int, rows: int, features: int) -> int:
    """Bytes a sparse fit may need beyond X: linear in the non-zeros, rows and
    features, each with a small constant, plus a fixed 4 MiB (chunks of small data)."""
    return 200 * nnz + 400 * rows + 120 * features + 4 * 2**20


@pytest.mark.filterwarnings("ignore")
def test_wide_sparse_fit_memory_is_linear_in_the_non_zeros():
    """1,000 x 20,001 at 0.4 % (80k non-zeros) plus one column of 1,000 distinct
    values, 20 classes: before, the exact and random searches held a fixed
    2**18-position chunk of ``[20, positions]`` prefix sums (~600 B per non-zero
    here) and the histogram splitter ``[features, 256]`` value ranges (82 MB) and
    ``[nodes, features]`` tables; each now stays under the linear bound."""
    out = subprocess.run([sys.executable, "-c", MEMORY_CHILD], check=True,
                         capture_output=True, text=True).stdout  # fmt: skip
    got = json.loads(out.strip().splitlines()[-1])
    bound = _memory_bound(got["nnz"], got["rows"], got["features"])
    for name in ("best", "random", "hist"):
        assert got[name + "_nodes"] > 20, got
        assert got[name] < bound, (name, got, bound)


def _wide_problem(n_classes: int):
    rng = np.random.default_rng(5)
    X = sp.random(300, 60, density=0.1, random_state=6, format="csr")
    X.data = np.round(X.data * 6) - 2.0  # ties, negatives, explicit zeros
    X = sp.hstack([X, sp.csr_matrix((300, 2))]).tocsr()  # all-zero columns
    return X, rng.integers(0, n_classes, 300), rng.integers(1, 3, 300).astype(float)


@pytest.mark.parametrize("n_classes", [2, 6])
@pytest.mark.parametrize(
    "make",
    [
        lambda: DecisionTreeClassifier(criterion="entropy"),
        lambda: DecisionTreeClassifier(criterion="gini", splitter="random", random_state=3),
        lambda: DecisionTreeClassifier(criterion="gini", max_features=5, random_state=1),
        lambda: CARTClassifier(),
    ],
    ids=["best", "random", "max_features", "cart"],
)
def test_tiny_chunks_give_the_dense_tree(monkeypatch, make, n_classes):
    """Chunk boundaries of the exact and random sparse searches (a few positions
    each) change nothing: the dense tree, with integer weights."""
    X, y, w = _wide_problem(n_classes)
    dense = make().fit(X.toarray(), y, sample_weight=w)
    monkeypatch.setattr(ss, "MIN_CHUNK_CELLS", 1)
    monkeypatch.setattr(ss, "CHUNK_POSITIONS", 7)
    est = make().fit(X, y, sample_weight=w)
    assert_same_tree(dense, est)
    assert est.tree_.node_count > 20
    assert ss.chunk_positions(n_classes, X.nnz) == 7


def test_tiny_cell_blocks_give_the_dense_hist_tree(monkeypatch):
    """The histogram search's blocks follow chunk_cells too: tiny ones, same tree."""
    X, y, w = _wide_problem(4)
    params = {"splitter": "hist", "max_bins": 4, "criterion": "gini"}
    dense = DecisionTreeClassifier(**params).fit(X.toarray(), y, sample_weight=w)
    monkeypatch.setattr(ss, "MIN_CHUNK_CELLS", 1)
    monkeypatch.setattr(hs, "CELL_BLOCK", 8)
    est = DecisionTreeClassifier(**params).fit(X, y, sample_weight=w)
    assert_same_tree(dense, est)


def test_chunk_cells_follow_the_non_zeros():
    """Proportional to the non-zeros between the floor and the cap."""
    assert ss.chunk_cells(10) == ss.MIN_CHUNK_CELLS
    assert ss.chunk_cells(3 * ss.MIN_CHUNK_CELLS) == 3 * ss.MIN_CHUNK_CELLS
    assert ss.chunk_cells(2**40) == ss.BLOCK_ELEMENTS
    assert ss.chunk_positions(20, 2**40) == ss.CHUNK_POSITIONS
