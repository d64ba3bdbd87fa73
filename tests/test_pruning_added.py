"""J48's branch estimates from the data that moves only (issue 19, C4.5 at 100k rows).

With whole weights and no unknown value met, :meth:`_ErrorBasedPruner._branch_errors`
routes only the data of a node that does not already reach its largest branch and adds
each leaf's ``value``. These tests prune every tree both ways (the shortcut switched off
by ``additive = False``) and ask for the same arrays, bit for bit.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from treelearn import C45Classifier
from treelearn._pruning_error_based import _ErrorBasedPruner, prune_error_based
from treelearn._tree import Tree
from treelearn.criteria import GainRatio
from treelearn.datasets import list_datasets, load_dataset

ARRAYS = [*Tree.NODE_ARRAYS, "value", "category_ptr", "category_branch"]


def assert_same_tree(a: Tree, b: Tree) -> None:
    assert a.node_count == b.node_count
    for name in ARRAYS:
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)


def grown(X, y, w=None):
    """C4.5's grown and collapsed tree (J48 -U), the encoded matrix and class codes."""
    est = C45Classifier(pruning=None).fit(X, y, sample_weight=w)
    codes = pd.Index(est.classes_).get_indexer(np.asarray(y))
    return est.tree_, est._encode(X), codes.astype(np.intp)


def prune_both(tree, Xe, y, w, **options):
    """(shortcut on, shortcut off, whether the shortcut answered at least once)."""
    calls = []
    real = _ErrorBasedPruner._branch_errors

    def spy(self, starts, row, w_, loc, added=False):
        out = real(self, starts, row, w_, loc, added=added)
        calls.append(added and out is not None)
        return out

    _ErrorBasedPruner._branch_errors = spy  # type: ignore[method-assign]
    try:
        fast = prune_error_based(tree, Xe, y, w, **options)
    finally:
        _ErrorBasedPruner._branch_errors = real  # type: ignore[method-assign]
    pruner = _ErrorBasedPruner(
        tree,
        Xe,
        y,
        np.ones(y.size) if w is None else np.asarray(w, dtype=float),
        options.get("confidence", 0.25),
        True,
        GainRatio(),
    )
    pruner.additive = False
    return fast, pruner.run(), any(calls)


@pytest.mark.parametrize("stem", list_datasets())
def test_bundled_trees_prune_the_same(stem):
    bunch = load_dataset(stem)
    X, y = bunch.data, bunch.target
    keep = y.notna().to_numpy()
    X, y = X[keep].reset_index(drop=True), y[keep].reset_index(drop=True)
    tree, Xe, codes = grown(X, y)
    fast, full, used = prune_both(tree, Xe, codes, None)
    assert_same_tree(fast, full)
    if not np.isnan(Xe).any() and tree.node_count > 1:
        assert used  # the shortcut ran where no value is missing


def test_a_raise_moves_only_the_other_branches_data():
    """100 rows where J48 raises the root's largest branch: same tree both ways, and
    the largest branch's own rows are not routed again."""
    rng = np.random.default_rng(3)
    n = 400
    X = pd.DataFrame(
        {
            "a": rng.normal(size=n),
            "b": rng.normal(size=n),
            "c": pd.Categorical(rng.choice(list("pqrs"), n)),
        }
    )
    y = np.where(X["a"] + 0.3 * rng.normal(size=n) > 0, "u", "v")
    y[X["c"].to_numpy() == "p"] = "w"
    flip = rng.random(n) < 0.15
    y[flip] = rng.choice(["u", "v", "w"], flip.sum())
    tree, Xe, codes = grown(X, y)
    fast, full, used = prune_both(tree, Xe, codes, None)
    assert used
    assert_same_tree(fast, full)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    n=st.integers(20, 300),
    seed=st.integers(0, 2**31 - 1),
    weights=st.sampled_from(["none", "whole", "fractional"]),
    missing=st.sampled_from([0.0, 0.05]),
    confidence=st.sampled_from([0.1, 0.25, 0.45]),
)
def test_shortcut_is_exact(n, seed, weights, missing, confidence):
    rng = np.random.default_rng(seed)
    X = pd.DataFrame(
        {
            "x0": rng.normal(size=n).round(1),
            "x1": rng.integers(0, 6, n).astype(float),
            "x2": rng.normal(size=n),
            "c0": pd.Categorical(rng.choice(list("abc"), n)),
            "c1": pd.Categorical(rng.choice(list("defgh"), n)),
        }
    )
    signal = X["x0"] + (X["c0"] == "a") - 0.5 * X["x1"] + rng.normal(0, 1.0, n)
    y = np.digitize(signal, [-1.0, 0.5])
    if missing:
        for c in ("x0", "c1"):
            X.loc[rng.random(n) < missing, c] = np.nan
    w = {
        "none": None,
        "whole": rng.integers(1, 4, n).astype(float),
        "fractional": rng.uniform(0.5, 2.0, n),
    }[weights]
    tree, Xe, codes = grown(X, y, w)
    fast, full, used = prune_both(tree, Xe, codes, w, confidence=confidence)
    assert_same_tree(fast, full)
    if weights == "fractional":
        assert not used  # sums of real weights depend on their order: no shortcut
