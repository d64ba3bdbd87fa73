"""``splitter="random"``: scikit-learn's random splitter (one drawn threshold per feature).

References: scikit-learn's ``RandomSplitter`` draws each feature's threshold
uniformly between the node's minimum and maximum of it (checked here with SciPy's
Kolmogorov-Smirnov test), and its trees' sizes on the same data follow the same
distribution as scikit-learn's ``DecisionTreeClassifier(splitter="random")`` (Welch's
t-test over seeds).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats
from sklearn.datasets import make_classification
from sklearn.tree import DecisionTreeClassifier as SkTree

from treelearn import C45Classifier, CARTClassifier, DecisionTreeClassifier, ID3Classifier
from treelearn.criteria import CRITERIA


@pytest.fixture(scope="module")
def data():
    return make_classification(400, 6, n_informative=4, random_state=0, flip_y=0.1)


def _same_tree(a, b) -> bool:
    ta, tb = a.tree_, b.tree_
    return (
        ta.node_count == tb.node_count
        and np.array_equal(ta.feature, tb.feature)
        and np.array_equal(ta.threshold, tb.threshold, equal_nan=True)
    )


@pytest.mark.parametrize("criterion", sorted(CRITERIA))
def test_every_criterion_is_reproducible(criterion, data):
    X, y = data
    fit = lambda seed: DecisionTreeClassifier(  # noqa: E731
        criterion=criterion, splitter="random", random_state=seed, max_depth=6
    ).fit(X, y)
    a, b, c = fit(0), fit(0), fit(1)
    assert _same_tree(a, b)
    assert not _same_tree(a, c)
    assert a.score(X, y) > 0.7


def test_root_threshold_is_uniform_between_the_extremes():
    """One feature: the root's threshold is the draw, uniform on [min, max)."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=60)
    y = (x > 0.3).astype(int)
    lo, hi = x.min(), x.max()
    t = np.array(
        [
            DecisionTreeClassifier(splitter="random", random_state=s, max_depth=1)
            .fit(x[:, None], y)
            .tree_.threshold[0]
            for s in range(300)
        ]
    )
    assert ((t >= lo) & (t < hi)).all()
    assert stats.kstest(t, stats.uniform(lo, hi - lo).cdf).pvalue > 1e-3


def test_tree_sizes_follow_scikit_learns(data):
    X, y = data
    ours = [
        DecisionTreeClassifier(criterion="gini", splitter="random", random_state=s)
        .fit(X, y)
        .tree_.node_count
        for s in range(25)
    ]
    theirs = [
        SkTree(splitter="random", random_state=s).fit(X, y).tree_.node_count for s in range(25)
    ]
    assert stats.ttest_ind(ours, theirs, equal_var=False).pvalue > 1e-3
    best = DecisionTreeClassifier(criterion="gini").fit(X, y).tree_.node_count
    assert np.mean(ours) > best  # random cuts split less well: larger trees


def test_thresholds_lie_inside_each_nodes_range(data):
    X, y = data
    clf = DecisionTreeClassifier(splitter="random", random_state=3, min_samples_leaf=4).fit(X, y)
    tree = clf.tree_
    path = clf.decision_path(X).toarray().astype(bool)  # [n, nodes]
    for node in np.flatnonzero(tree.feature >= 0):
        x = X[path[:, node], tree.feature[node]]
        assert x.min() <= tree.threshold[node] < x.max()
    leaves = clf.apply(X)
    assert np.bincount(leaves)[np.unique(leaves)].min() >= 4


@given(st.integers(0, 2**31 - 1))
def test_constant_features_never_split(seed):
    rng = np.random.default_rng(seed)
    X = np.column_stack([np.full(30, 2.0), rng.normal(size=30), np.zeros(30)])
    y = rng.integers(0, 2, 30)
    tree = DecisionTreeClassifier(splitter="random", random_state=seed).fit(X, y).tree_
    assert set(tree.feature[tree.feature >= 0].tolist()) <= {1}
    only_constant = DecisionTreeClassifier(splitter="random", random_state=seed)
    assert only_constant.fit(X[:, [0, 2]], y).tree_.node_count == 1


def test_categorical_features_split_as_under_best():
    rng = np.random.default_rng(1)
    X = pd.DataFrame({c: pd.Categorical(rng.choice(list("abcd"), 200)) for c in ["u", "v", "w"]})
    y = ((X["u"] == "a") | (X["v"] == "b")).to_numpy().astype(int)
    for est in (ID3Classifier, lambda **kw: CARTClassifier(**kw)):
        best = est(splitter="best").fit(X, y)
        rand = est(splitter="random", random_state=0).fit(X, y)
        assert _same_tree(best, rand)


def test_presets_and_bad_values(data):
    X, y = data
    for est in (ID3Classifier, CARTClassifier):
        assert est(splitter="random", random_state=0).fit(X, y).score(X, y) > 0.9
    with pytest.raises(ValueError, match="C45Classifier does not support splitter='random'"):
        C45Classifier(splitter="random").fit(X, y)
    with pytest.raises(ValueError, match="C45Classifier does not support splitter='hist'"):
        C45Classifier(splitter="hist").fit(X, y)
    with pytest.raises(ValueError, match="splitter"):
        DecisionTreeClassifier(splitter="worst").fit(X, y)


def test_missing_values_use_the_known_extremes():
    """As scikit-learn's ``test_random_splitter_missing_values_uses_non_missing_min_max``."""
    X = np.array([[np.nan], [1.0], [2.0], [np.nan], [3.0]])
    y = np.array([0, 0, 1, 1, 1])
    for seed in range(20):
        t = DecisionTreeClassifier(splitter="random", random_state=seed, max_depth=1).fit(X, y)
        assert 1.0 <= t.tree_.threshold[0] < 3.0


@pytest.mark.parametrize("weighted", [False, True])
def test_children_hold_the_rows_on_each_side_of_the_draw(weighted):
    """The one-cut search's counts (a bincount per side) are the rows' own."""
    rng = np.random.default_rng(2)
    X = rng.normal(size=(300, 4))
    y = rng.integers(0, 5, 300)
    w = rng.random(300) + 0.1 if weighted else np.ones(300)
    clf = DecisionTreeClassifier(splitter="random", random_state=5, min_samples_leaf=3)
    tree = clf.fit(X, y, sample_weight=w if weighted else None).tree_
    path = clf.decision_path(X).toarray().astype(bool)
    for node in np.flatnonzero(tree.n_children > 0):
        rows = path[:, node]
        go_left = X[:, tree.feature[node]] <= tree.threshold[node]
        for child, side in (
            (tree.first_child[node], go_left),
            (tree.first_child[node] + 1, ~go_left),
        ):
            expected = np.bincount(y[rows & side], weights=w[rows & side], minlength=5)
            np.testing.assert_allclose(tree.value[child], expected, rtol=1e-12)
            assert (rows & side).sum() >= 3


@pytest.mark.parametrize("missing_values", ["learned", "fractional"])
def test_random_splitter_with_missing_values(missing_values):
    """Drawn cuts with NaN: "learned" sends each node's missing cases one way (a
    one-hot share); every training row, NaN or not, ends in one leaf of its own."""
    rng = np.random.default_rng(3)
    X = rng.normal(size=(300, 4))
    y = (X[:, 0] + X[:, 1] > 0).astype(int)
    X[rng.random(X.shape) < 0.15] = np.nan
    est = DecisionTreeClassifier(
        splitter="random", missing_values=missing_values, random_state=0
    ).fit(X, y)
    tree = est.tree_
    again = DecisionTreeClassifier(
        splitter="random", missing_values=missing_values, random_state=0
    ).fit(X, y)
    np.testing.assert_array_equal(tree.threshold, again.tree_.threshold)
    proba = est.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    if missing_values == "learned":
        inner = np.flatnonzero(tree.n_children > 0)
        for node in inner:
            shares = tree.missing_fraction[list(tree.children(node))]
            assert sorted(shares.tolist()) == [0.0, 1.0]
        assert est.score(X, y) == 1.0
