"""splitter="hist": the histogram builder against the exact one.

On data with at most ``max_bins`` distinct values per feature bins lose nothing, so
the histogram search must grow the exact search's tree, array for array (the exact
splitter is itself pinned to scikit-learn, rpart and J48 elsewhere). Beyond that the
tree must equal the exact tree grown on the bin codes, and predict on raw X.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.tree import DecisionTreeClassifier as SkTree
from user_criteria import NormalisedGain, Tsallis, WorstChild

from treelearn import C45Classifier, CARTClassifier, DecisionTreeClassifier, ID3Classifier
from treelearn._binning import apply_bins, fit_bins, sample_size
from treelearn._growth_rules import SklearnRules
from treelearn._tree import Tree
from treelearn.datasets import load_credit_g, load_vote

ARRAYS = [*Tree.NODE_ARRAYS, "value", "category_ptr", "category_branch"]


def assert_same_tree(a: Tree, b: Tree, rtol: float = 0.0) -> None:
    """Array for array; ``rtol`` for fractional weights of missing values, which the
    two builders sum in different orders."""
    assert a.node_count == b.node_count
    for name in ARRAYS:
        if rtol:
            np.testing.assert_allclose(getattr(a, name), getattr(b, name), rtol, err_msg=name)
        else:
            np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)


def few_values(n=2000, p=6, levels=40, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.integers(0, levels, size=(n, p)).astype(float) * 0.25 - 3.0
    score = X[:, 0] + 0.5 * X[:, 1] - X[:, 2] * (X[:, 3] > 0) + rng.normal(0, 2, n)
    y = np.digitize(score, [-2.0, 0.5, 2.0])
    return X, y


@pytest.mark.parametrize(
    "criterion", ["gini", "entropy", "gain_ratio", "hellinger", Tsallis(q=3), NormalisedGain()]
)
def test_same_tree_as_exact_on_few_values(criterion):
    X, y = few_values()
    exact = DecisionTreeClassifier(missing_values="fractional", criterion=criterion).fit(X, y)
    hist = DecisionTreeClassifier(
        missing_values="fractional", criterion=criterion, splitter="hist"
    ).fit(X, y)
    assert_same_tree(exact.tree_, hist.tree_)
    np.testing.assert_array_equal(exact.predict_proba(X), hist.predict_proba(X))


@pytest.mark.parametrize(
    "params",
    [
        {"min_samples_leaf": 7},
        {"max_depth": 4, "min_samples_split": 30},
        {"min_weight_fraction_leaf": 0.01},
        {"max_leaf_nodes": 12},
        {"min_impurity_decrease": 0.002},
        {"max_features": 3, "random_state": 4},
    ],
)
def test_same_tree_as_exact_with_growth_limits(params):
    X, y = few_values(seed=1)
    exact = CARTClassifier(missing_values="fractional", **params).fit(X, y)
    hist = CARTClassifier(missing_values="fractional", splitter="hist", **params).fit(X, y)
    assert_same_tree(exact.tree_, hist.tree_)


def test_same_tree_as_exact_with_weights_and_cp():
    X, y = few_values(seed=2)
    w = np.random.default_rng(2).integers(1, 4, size=y.size).astype(float)
    exact = CARTClassifier(missing_values="fractional", cp=0.001).fit(X, y, sample_weight=w)
    hist = CARTClassifier(missing_values="fractional", cp=0.001, splitter="hist").fit(
        X, y, sample_weight=w
    )
    assert_same_tree(exact.tree_, hist.tree_)


@pytest.mark.parametrize("split", ["multiway", "binary"])
def test_categoricals_and_missing_values_as_exact(split):
    X, y = load_vote(as_frame=True, return_X_y=True)  # 16 categorical, missing values
    for cls in (DecisionTreeClassifier, ID3Classifier, CARTClassifier):
        kw = {"categorical_split": split, "missing_values": "fractional"}
        exact = cls(**kw).fit(X, y)
        hist = cls(**kw, splitter="hist").fit(X, y)
        assert_same_tree(exact.tree_, hist.tree_, rtol=1e-12)


def test_mixed_data_with_missing_values_as_exact():
    X, y = load_credit_g(as_frame=True, return_X_y=True)  # numeric and categorical
    X = X.copy()
    rng = np.random.default_rng(3)
    for col in X.columns[:6]:
        X.loc[rng.random(len(X)) < 0.1, col] = np.nan
    few = [c for c in X.columns if X[c].dtype.kind == "f" and X[c].nunique() <= 255]
    X = X[few + [c for c in X.columns if X[c].dtype.kind not in "fi"]]
    for crit in ("gini", "entropy", WorstChild()):
        exact = DecisionTreeClassifier(
            missing_values="fractional", criterion=crit, min_samples_leaf=3
        ).fit(X, y)
        hist = DecisionTreeClassifier(
            missing_values="fractional", criterion=crit, min_samples_leaf=3, splitter="hist"
        )
        hist.fit(X, y)
        assert_same_tree(exact.tree_, hist.tree_, rtol=1e-9)


def with_missing(X, rate, seed):
    X = X.copy()
    X[np.random.default_rng(seed).random(X.shape) < rate] = np.nan
    return X


@pytest.mark.parametrize("cls", [DecisionTreeClassifier, CARTClassifier])
@pytest.mark.parametrize("leaf", [1, 5])
def test_weights_and_missing_values_sizes_in_weight_as_exact(cls, leaf):
    """Under "fractional" both builders count sizes in weight (``sample_counts``): a
    copy counts its share of a row, an integer weight that many rows."""
    X, y = few_values(n=1500, seed=4)
    X = with_missing(X, 0.15, 4)
    w = np.random.default_rng(4).integers(1, 4, size=y.size).astype(float)
    kw = {"missing_values": "fractional", "min_samples_leaf": leaf, "min_samples_split": 9}
    exact = cls(**kw).fit(X, y, sample_weight=w)
    hist = cls(**kw, splitter="hist").fit(X, y, sample_weight=w)
    assert_same_tree(exact.tree_, hist.tree_, rtol=1e-9)
    # copies make nodes of more entries than rows; the rule counts weight, not them
    t = hist.tree_
    assert (t.n_node_samples[1:] > 0).all()
    assert (t.weighted_n_node_samples[1:] >= leaf * w.min() - 1e-9).all()


def test_many_values_equals_exact_on_bin_codes():
    """With more distinct values than bins the tree is the exact tree of the codes."""
    rng = np.random.default_rng(5)
    X = rng.normal(size=(3000, 4))
    y = (X[:, 0] + X[:, 1] ** 2 + rng.normal(0, 0.5, 3000) > 1).astype(int)
    hist = DecisionTreeClassifier(
        missing_values="fractional", criterion="gini", splitter="hist", max_bins=16
    ).fit(X, y)
    rules = SklearnRules()
    bins = fit_bins(X, np.zeros(4, bool), np.zeros(4, int), 16, rules.numeric_gap,
                    rules.place_thresholds)  # fmt: skip
    codes = apply_bins(X, bins).astype(float)
    on_codes = (
        DecisionTreeClassifier(missing_values="fractional", criterion="gini").fit(codes, y).tree_
    )
    t = hist.tree_
    assert t.node_count == on_codes.node_count
    for name in ("feature", "n_children", "n_node_samples", "value", "impurity", "gain"):
        np.testing.assert_array_equal(getattr(t, name), getattr(on_codes, name), err_msg=name)
    # thresholds are real values between the bins' training values: routing on raw X
    # is routing on the codes
    on_codes = DecisionTreeClassifier(missing_values="fractional", criterion="gini")
    np.testing.assert_array_equal(hist.apply(X), on_codes.fit(codes, y).apply(codes))


def test_held_out_accuracy_close_to_exact_and_sklearn():
    rng = np.random.default_rng(6)
    X = rng.normal(size=(20000, 5))
    y = ((X[:, 0] > 0.3) ^ (X[:, 1] + X[:, 2] > 0)).astype(int)
    flip = rng.random(y.size) < 0.1
    y = np.where(flip, 1 - y, y)
    Xtr, Xte, ytr, yte = X[:10000], X[10000:], y[:10000], y[10000:]
    hist = CARTClassifier(missing_values="fractional", splitter="hist", min_samples_leaf=20).fit(
        Xtr, ytr
    )
    sk = SkTree(min_samples_leaf=20, random_state=0).fit(Xtr, ytr)
    assert abs(hist.score(Xte, yte) - sk.score(Xte, yte)) < 0.02


def test_small_histogram_budget_grows_the_same_tree():
    X, y = few_values(seed=7)
    full = DecisionTreeClassifier(missing_values="fractional", splitter="hist").fit(X, y)
    tight = DecisionTreeClassifier(
        missing_values="fractional", splitter="hist", max_histogram_mb=0.05
    ).fit(X, y)
    assert_same_tree(full.tree_, tight.tree_)


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(2, 80),
    levels=st.integers(1, 12),
    seed=st.integers(0, 2**31 - 1),
    crit=st.sampled_from(["gini", "entropy", "misclassification"]),
    leaf=st.integers(1, 4),
)
def test_property_same_tree_as_exact(n, levels, seed, crit, leaf):
    """Without missing values (whose fractional weights the builders sum in other
    orders, which can flip ties of zero gains) the trees are equal bit for bit."""
    rng = np.random.default_rng(seed)
    X = rng.integers(0, levels, size=(n, 3)).astype(float) * 0.7
    y = rng.integers(0, 3, size=n)
    Xc = X.copy()
    exact = DecisionTreeClassifier(
        missing_values="fractional", criterion=crit, min_samples_leaf=leaf
    ).fit(X, y)
    hist = DecisionTreeClassifier(
        missing_values="fractional", criterion=crit, min_samples_leaf=leaf, splitter="hist"
    )
    hist.fit(X, y)
    np.testing.assert_array_equal(X, Xc)  # input not modified
    assert_same_tree(exact.tree_, hist.tree_)


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(2, 80),
    levels=st.integers(1, 12),
    seed=st.integers(0, 2**31 - 1),
    leaf=st.integers(1, 4),
    rate=st.floats(0.0, 0.6),
)
def test_property_leaf_sizes_count_weight_with_missing_values(n, levels, seed, leaf, rate):
    """With missing values every child holds at least ``min_samples_leaf`` samples in
    weight (copies count their share), whatever the number of its entries."""
    rng = np.random.default_rng(seed)
    X = with_missing(rng.integers(0, levels, size=(n, 3)).astype(float), rate, seed)
    y = rng.integers(0, 3, size=n)
    w = rng.integers(1, 3, size=n).astype(float)
    t = (
        DecisionTreeClassifier(missing_values="fractional", min_samples_leaf=leaf, splitter="hist")
        .fit(X, y, sample_weight=w)
        .tree_
    )
    assert (t.weighted_n_node_samples[1:] / w.min() >= leaf - 1e-9).all()


def test_bins_quantiles_and_sample_size():
    rng = np.random.default_rng(8)
    x = rng.normal(size=(10000, 1))
    rules = SklearnRules()
    bins = fit_bins(x, np.zeros(1, bool), np.zeros(1, int), 10, rules.numeric_gap,
                    rules.place_thresholds)  # fmt: skip
    assert bins.n_bins[0] == 10
    codes = apply_bins(x, bins)[:, 0]
    np.testing.assert_array_equal(np.bincount(codes), np.full(10, 1000))  # deciles
    assert sample_size(255) == 65025 and sample_size(50) == 10000


def test_bad_input_is_refused_clearly():
    X, y = few_values(n=50)
    with pytest.raises(ValueError, match="J48 fidelity"):
        C45Classifier(splitter="hist").fit(X, y)
    with pytest.raises(ValueError, match="max_bins"):
        DecisionTreeClassifier(missing_values="fractional", splitter="hist", max_bins=256).fit(X, y)
    with pytest.raises(ValueError, match="max_histogram_mb"):
        DecisionTreeClassifier(
            missing_values="fractional", splitter="hist", max_histogram_mb=0
        ).fit(X, y)
    with pytest.raises(ValueError, match="no surrogate splits"):
        CARTClassifier(splitter="hist").fit(X, y)  # "surrogate" by default
    Xn = X.copy()
    Xn[0, 0] = np.nan
    with pytest.raises(ValueError, match="no surrogate splits"):
        DecisionTreeClassifier(missing_values="surrogate", splitter="hist").fit(Xn, y)
    cats = pd.DataFrame({"c": pd.Categorical([f"v{i % 300}" for i in range(600)])})
    with pytest.raises(ValueError, match="more than max_bins=255 categories"):
        DecisionTreeClassifier(missing_values="fractional", splitter="hist").fit(
            cats, np.arange(600) % 2
        )


def test_core_imports_without_dask_and_says_how_to_install(monkeypatch):
    import subprocess
    import sys

    code = (
        "import sys; sys.modules['dask'] = None; sys.modules['distributed'] = None; "
        "import treelearn; from treelearn import DecisionTreeClassifier; "
        "DecisionTreeClassifier(splitter='hist').fit([[0.0], [1.0]], [0, 1])"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
    from treelearn import _dask

    monkeypatch.setitem(sys.modules, "distributed", None)
    with pytest.raises(ImportError, match=r"pip install 'treelearn\[dask\]'"):
        _dask._require()


class _OneBranch(SklearnRules):
    """Rules whose categorical splits send every category to one child: a rule that
    cannot make progress, which both level loops' guard must turn into leaves."""

    def categorical_splits(self, stats, criterion):
        found = super().categorical_splits(stats, criterion)
        found.tables = np.where(found.tables >= 0, 0, -1)
        return found


def test_one_sided_split_guard_as_the_exact_builder():
    from treelearn._builder import build_tree
    from treelearn._builder_hist import build_tree_hist
    from treelearn.criteria import Gini

    rng = np.random.default_rng(11)
    n = 600
    X = np.column_stack([rng.integers(0, 5, n), rng.integers(0, 30, n)]).astype(float)
    y = ((X[:, 0] >= 2) ^ (X[:, 1] > 14)).astype(np.intp)
    w = np.ones(n)
    is_cat, n_cat = np.array([True, False]), np.array([5, 0])
    exact = build_tree(X, y, w, 2, is_cat, n_cat, Gini(), _OneBranch(max_depth=40))
    hist = build_tree_hist(X, y, w, 2, is_cat, n_cat, Gini(), _OneBranch(max_depth=40))
    assert_same_tree(exact, hist)
    # every node that chose the categorical feature became a leaf (without the guard
    # the hist loop grew one-child chains down to max_depth)
    assert not (hist.feature == 0).any()
