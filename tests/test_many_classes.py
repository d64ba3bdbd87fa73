"""Many classes: the square-sum search grows the general search's tree, bit for bit.

:mod:`treelearn._split_square_sums` ranks numeric thresholds from each side's total and
sum of squared class counts (Gini) instead of ``[K, rows]`` prefix sums. Integer sums
are exact, so forcing it on (``MANY_CLASSES = 2``) or off must give identical trees;
both must agree with scikit-learn; and the 20,000-row, 1,000-class fit that took 93 s
must now take seconds (the speed itself is measured in
``benchmarks/bench_many_classes.py``, not here).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from limited import run_limited
from sklearn.tree import DecisionTreeClassifier as SkTree

from treelearn import CARTClassifier, DecisionTreeClassifier, _split_square_sums
from treelearn.criteria import Gini, InformationGain
from treelearn.criteria._checked import CheckedCriterion
from treelearn.datasets import load_credit_g, load_diabetes, load_glass, load_iris, load_segment

ESTIMATORS = [
    lambda: CARTClassifier(),
    lambda: CARTClassifier(min_samples_leaf=3),
    lambda: CARTClassifier(max_depth=4, min_samples_split=7),
    lambda: DecisionTreeClassifier(criterion="gini", min_weight_fraction_leaf=0.01),
    lambda: DecisionTreeClassifier(criterion="gini", max_leaf_nodes=9),
    lambda: DecisionTreeClassifier(criterion="gini", max_features=2, random_state=3),
]


def _fit_both(make, X, y, monkeypatch):
    with monkeypatch.context() as m:
        m.setattr(_split_square_sums, "MANY_CLASSES", 2)  # every unweighted gini search
        fast = make().fit(X, y)
    with monkeypatch.context() as m:
        m.setattr(_split_square_sums, "MANY_CLASSES", 10**9)  # never
        general = make().fit(X, y)
    return fast, general


def _assert_identical(fast, general):
    a, b = fast.tree_.to_arrays(), general.tree_.to_arrays()
    assert a.keys() == b.keys()
    for name in a:
        np.testing.assert_array_equal(a[name], b[name], err_msg=name)


@pytest.mark.parametrize("make", ESTIMATORS)
@pytest.mark.parametrize(
    "load", [load_iris, load_glass, load_segment, load_diabetes, load_credit_g]
)
def test_square_sums_grow_the_same_tree_on_bundled_data(make, load, monkeypatch):
    X, y = load(as_frame=True, return_X_y=True)
    fast, general = _fit_both(make, X, y, monkeypatch)
    _assert_identical(fast, general)


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**31 - 1),
    n=st.integers(2, 300),
    n_classes=st.sampled_from([2, 5, 40, 300]),
    digits=st.sampled_from([0, 1, 3]),
    make=st.sampled_from(ESTIMATORS),
)
def test_square_sums_grow_the_same_tree_property(seed, n, n_classes, digits, make):
    # tied values (rounded X) exercise the boundary points and the tie tolerance
    rng = np.random.default_rng(seed)
    X = np.round(rng.random((n, 3)) * 10, digits)
    y = rng.integers(0, n_classes, n)
    with pytest.MonkeyPatch.context() as mp:
        fast, general = _fit_both(make, X, y, mp)
    _assert_identical(fast, general)


@pytest.mark.parametrize("max_depth", [3, 5])
def test_many_classes_agree_with_scikit_learn(max_depth):
    # 5,000 rows of 200 classes: scikit-learn's gini tree. Deeper, nodes of a few
    # dozen rows have tied candidates (scikit-learn draws the feature order at
    # random; treelearn takes the lowest feature), so the comparison stops at depth 5
    # and compares what ties cannot change: sizes, impurities, training predictions.
    rng = np.random.default_rng(7)
    X = rng.random((5000, 4)).astype(np.float32)  # the values scikit-learn sees
    y = rng.integers(0, 200, 5000)
    ours = CARTClassifier(max_depth=max_depth).fit(X, y)
    sk = SkTree(max_depth=max_depth, random_state=0).fit(X, y)
    assert ours.tree_.node_count == sk.tree_.node_count
    np.testing.assert_allclose(ours.predict_proba(X), sk.predict_proba(X), atol=1e-12)
    np.testing.assert_allclose(np.sort(ours.tree_.impurity), np.sort(sk.tree_.impurity), rtol=1e-12)


def test_which_criteria_rank_by_square_sums():
    assert Gini().ranks_by_square_sums
    assert CheckedCriterion(Gini()).ranks_by_square_sums
    assert not InformationGain().ranks_by_square_sums

    class Smoothed(Gini):  # a different impurity: the general search
        def impurity(self, counts):
            return super().impurity(np.asarray(counts) + 1.0)

    assert not Smoothed().ranks_by_square_sums
    left = np.array([[3.0, 1.0, 0.0], [2.0, 2.0, 1.0]])
    right = np.array([[0.0, 4.0, 2.0], [1.0, 0.0, 3.0]])
    expected = Gini().split_rank(left, right)
    got = CheckedCriterion(Gini()).square_sum_rank(
        left.sum(1), (left**2).sum(1), right.sum(1), (right**2).sum(1)
    )
    np.testing.assert_array_equal(got, expected)


def test_weighted_or_missing_data_keep_the_general_search():
    crit = Gini()
    assert _split_square_sums.square_sums_apply(crit, 100, False, False, 1000)
    assert not _split_square_sums.square_sums_apply(crit, 100, True, False, 1000)
    assert not _split_square_sums.square_sums_apply(crit, 100, False, True, 1000)
    assert not _split_square_sums.square_sums_apply(crit, 3, False, False, 1000)
    assert not _split_square_sums.square_sums_apply(InformationGain(), 100, False, False, 1000)


def test_twenty_thousand_rows_of_a_thousand_classes_fit_in_seconds():
    # was 93 s (a [K, rows] one-hot per level); scikit-learn takes about 4.5 s
    out = run_limited(
        """
import numpy as np, treelearn as tl
rng = np.random.default_rng(0)
X = rng.random((20000, 5))
y = rng.integers(0, 1000, 20000)
m = tl.CARTClassifier().fit(X, y)
print((m.predict(X) == y).mean())
""",
        seconds=60,
        memory_gib=3.0,
    )
    assert float(out) == 1.0
