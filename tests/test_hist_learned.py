"""splitter="hist" with missing_values="learned" on data with missing values.

The missing values get a code of their own; at each numeric split their counts go
to the side the exact search sends them to (missing right, then "known left, missing
right" with threshold ``inf``, then missing left; the first best wins), at each
categorical split to the exact search's branch. On data with at most ``max_bins``
distinct values per feature bins lose nothing, so the tree must be the exact
``splitter="best"`` learned tree, array for array (the exact learned tree is itself
pinned to scikit-learn in tests/test_missing_values.py), and predict alike on rows
with missing values.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn import datasets
from sklearn.tree import DecisionTreeClassifier as SkTree
from user_criteria import NormalisedGain, Tsallis, WorstChild

from treelearn import CARTClassifier, DecisionTreeClassifier, ID3Classifier, load_json
from treelearn._tree import Tree
from treelearn.datasets import load_vote

ARRAYS = [*Tree.NODE_ARRAYS, "value", "category_ptr", "category_branch"]


def assert_same_tree(a: Tree, b: Tree) -> None:
    """Array for array, bit for bit (missing directions are ``missing_fraction``)."""
    assert a.node_count == b.node_count
    for name in ARRAYS:
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)


def frame(n, levels, seed, rate, n_categorical):
    """Numeric columns of ``levels`` values and pandas categorical columns, with a
    share ``rate`` of missing cells in each; labels that depend on both."""
    rng = np.random.default_rng(seed)
    X = rng.integers(0, levels, size=(n, 3)).astype(float) * 0.7 - 2.0
    score = np.nan_to_num(X[:, 0]) - np.nan_to_num(X[:, 1]) * 0.5
    X[rng.random(X.shape) < rate] = np.nan
    df = pd.DataFrame(X, columns=["x0", "x1", "x2"])
    for j in range(n_categorical):
        codes = rng.integers(0, 2 + 2 * j, n)
        score = score + (codes % 2)
        col = pd.Series(pd.Categorical([f"v{c}" for c in codes]))
        col[rng.random(n) < rate] = np.nan
        df[f"c{j}"] = col
    y = np.digitize(score + rng.normal(0, 1.0, n), [-0.5, 1.0])
    return df, y


def fit_both(cls, X, y, w=None, **kw):
    exact = cls(missing_values="learned", **kw).fit(X, y, sample_weight=w)
    hist = cls(missing_values="learned", splitter="hist", **kw).fit(X, y, sample_weight=w)
    return exact, hist


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(2, 150),
    levels=st.integers(1, 12),
    seed=st.integers(0, 2**31 - 1),
    rate=st.floats(0.0, 0.6),
    n_categorical=st.integers(0, 2),
    crit=st.sampled_from(["gini", "entropy", "misclassification"]),
    weighted=st.booleans(),
    leaf=st.integers(1, 4),
    split=st.sampled_from(["binary", "multiway"]),
)
def test_property_same_tree_as_exact(n, levels, seed, rate, n_categorical, crit, weighted,
                                     leaf, split):  # fmt: skip
    """Integer weights keep every sum exact in any order, so weighted trees are equal
    bit for bit too. (Misclassification error ties often: the first best candidate
    must be the exact search's, boundary points and all.)"""
    X, y = frame(n, levels, seed, rate, n_categorical)
    w = np.random.default_rng(seed).integers(1, 4, size=n).astype(float) if weighted else None
    exact, hist = fit_both(
        DecisionTreeClassifier, X, y, w, criterion=crit, min_samples_leaf=leaf,
        categorical_split=split,
    )  # fmt: skip
    assert_same_tree(exact.tree_, hist.tree_)
    rows = X[X.isna().any(axis=1)]
    if len(rows):
        np.testing.assert_array_equal(exact.predict_proba(rows), hist.predict_proba(rows))
        np.testing.assert_array_equal(exact.predict(rows), hist.predict(rows))


@pytest.mark.parametrize(
    "criterion",
    ["gain_ratio", "hellinger", "twoing", "chi_square", "renyi", Tsallis(q=3), NormalisedGain(),
     WorstChild()],
)  # fmt: skip
def test_other_criteria_as_exact(criterion):
    """Criteria with feature scores of their own (gain ratio's split information),
    non-concave ones (searched at every cut) and user criteria."""
    X, y = frame(400, 12, 5, 0.2, 1)
    w = np.random.default_rng(5).integers(1, 4, size=len(y)).astype(float)
    for weights in (None, w):
        exact, hist = fit_both(DecisionTreeClassifier, X, y, weights, criterion=criterion)
        assert_same_tree(exact.tree_, hist.tree_)


def test_missing_cases_take_every_direction():
    """The data exercise all three kinds of candidate (and the heavier-child rule at
    nodes that met no missing value), on dense histograms (3000 rows: searched from
    the level's histograms, the larger sibling by subtraction) and on the cells of
    the deep levels' entries."""
    rng = np.random.default_rng(0)
    n = 3000
    X = rng.integers(0, 50, size=(n, 4)).astype(float)
    y = ((X[:, 0] > 20) ^ (X[:, 1] > 30)).astype(int)
    y[rng.random(n) < 0.1] ^= 1
    # missing mostly where x0 is high: missing cases belong with the high side
    X[(X[:, 0] > 35) & (rng.random(n) < 0.5), 0] = np.nan
    X[rng.random(n) < 0.05, 1] = np.nan
    X[(X[:, 2] < 10) & (rng.random(n) < 0.3), 2] = np.nan
    for crit in ("gini", "entropy"):
        exact, hist = fit_both(DecisionTreeClassifier, X, y, criterion=crit)
        assert_same_tree(exact.tree_, hist.tree_)
        t = hist.tree_
        split = np.flatnonzero(t.n_children > 0)
        left = t.missing_fraction[t.first_child[split]]
        assert set(np.unique(left)) == {0.0, 1.0}  # one-hot: missing left and right
        assert np.isinf(t.threshold).any()  # "every known value left, missing right"
        Xt = X.copy()
        Xt[rng.random(Xt.shape) < 0.2] = np.nan  # NaN also where training had none
        np.testing.assert_array_equal(exact.predict_proba(Xt), hist.predict_proba(Xt))


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("cls", [DecisionTreeClassifier, ID3Classifier, CARTClassifier])
def test_categoricals_with_missing_values_as_exact(cls, weighted):
    X, y = load_vote(as_frame=True, return_X_y=True)  # 16 categorical, missing values
    w = np.random.default_rng(1).integers(1, 3, size=len(y)).astype(float) if weighted else None
    for split in ("binary", "multiway"):
        exact, hist = fit_both(cls, X, y, w, categorical_split=split)
        assert_same_tree(exact.tree_, hist.tree_)
        np.testing.assert_array_equal(exact.predict_proba(X), hist.predict_proba(X))


def test_small_histogram_budget_and_growth_limits():
    """Node groups of one pass each (no kept histograms) and the growth rules."""
    rng = np.random.default_rng(2)
    X = rng.integers(0, 30, size=(2000, 5)).astype(float)
    y = (X[:, 0] + X[:, 1] + rng.normal(0, 8, 2000) > 30).astype(int)
    X[rng.random(X.shape) < 0.1] = np.nan
    for params in ({"max_histogram_mb": 0.02}, {"min_samples_split": 40, "max_depth": 6},
                   {"min_weight_fraction_leaf": 0.01}, {"max_leaf_nodes": 15},
                   {"max_features": 2, "random_state": 4}):  # fmt: skip
        exact_kw = {k: v for k, v in params.items() if k != "max_histogram_mb"}
        exact = DecisionTreeClassifier(criterion="gini", **exact_kw).fit(X, y)
        hist = DecisionTreeClassifier(criterion="gini", splitter="hist", **params).fit(X, y)
        assert_same_tree(exact.tree_, hist.tree_)


@pytest.mark.parametrize("name", ["iris", "wine"])
def test_as_scikit_learn_and_after_export(name):
    """Data sets of fewer than 256 rows (so of at most 255 values per feature) with
    holes: the exact learned tree, whose root scikit-learn's learned-missing search
    also finds; the same predictions after to_sklearn() and JSON."""
    X, y = getattr(datasets, f"load_{name}")(return_X_y=True)
    X = X.astype(np.float32).astype(np.float64)  # values scikit-learn reads exactly
    rng = np.random.default_rng(3)
    X[rng.random(X.shape) < 0.1] = np.nan
    exact, hist = fit_both(DecisionTreeClassifier, X, y, criterion="gini")
    assert_same_tree(exact.tree_, hist.tree_)
    sks = [SkTree(random_state=s).fit(X, y) for s in range(10)]
    roots = {(int(m.tree_.feature[0]), round(float(m.tree_.threshold[0]), 4)) for m in sks}
    assert (int(hist.tree_.feature[0]), round(float(hist.tree_.threshold[0]), 4)) in roots
    Xt = X.copy()
    Xt[rng.random(Xt.shape) < 0.3] = np.nan
    want = hist.predict_proba(Xt)
    np.testing.assert_array_equal(hist.to_sklearn().predict_proba(Xt), want)
    np.testing.assert_array_equal(load_json(hist.to_json()).predict_proba(Xt), want)


def test_surrogate_is_still_refused():
    X, y = frame(50, 5, 0, 0.2, 0)
    with pytest.raises(ValueError, match="no surrogate splits"):
        CARTClassifier(splitter="hist", categorical_split="binary").fit(X, y)
