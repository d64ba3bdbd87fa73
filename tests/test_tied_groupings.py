"""Tied groupings of categories do not depend on the order of the training rows (issue 17).

Two groupings of a categorical feature whose children hold the same class counts
(swapped: ``{0} | {1, 3}`` and ``{0, 1} | {3}`` when categories 0 and 3 hold the same
counts) score the same, up to the last bit of sums taken in row order. Fractional
copies of rows (``missing_values="fractional"``) and real weights make those bits
differ between two orders of the same rows. The searches of
:func:`treelearn._split_categorical.best_subsets` treat scores within the rules'
tie tolerance (``SCORE_TIE``) as ties and break them by category code:

* all groupings: the lowest left side as a binary number (category ``c`` is bit ``c``);
* ordered cuts: class proportions within the tolerance are equal and ordered by code,
  the first tied cut and the first tied order win.

Checked here: the helpers; the search on count tensors perturbed by a few ulps (rounding
as a different row order makes it), whose best score also does not depend on the
labels of the categories; hypothesis' counterexample of
``test_missing_values.py::test_predictions_do_not_depend_on_row_order`` as a
regression test; and a property on data built to tie (categories duplicated with the
same rows and real weights, fractional copies) for every estimator and strategy.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from treelearn import C45Classifier, CARTClassifier, DecisionTreeClassifier, ID3Classifier
from treelearn._growth_rules import SklearnRules
from treelearn._split_categorical import CategoryCounts, best_subsets, tied_order
from treelearn._tolerances import SCORE_TIE, first_tied
from treelearn.criteria import Gini, InformationGain


def stats_of(counts: np.ndarray, branch_n: np.ndarray | None = None) -> CategoryCounts:
    counts = np.asarray(counts, dtype=np.float64)
    n = counts.sum(axis=2) if branch_n is None else branch_n
    return CategoryCounts(counts, n, counts.sum(axis=1), counts.sum(axis=(1, 2)))


# ---------------------------------------------------------------------------------------
# The helpers
# ---------------------------------------------------------------------------------------


def test_first_tied_takes_the_first_score_within_the_tolerance():
    scores = np.array([[0.5, 0.7, 0.7 + 1e-15, 0.1], [-np.inf, -np.inf, -np.inf, -np.inf]])
    assert first_tied(scores, SCORE_TIE, axis=1).tolist() == [1, 0]
    assert np.argmax(scores, axis=1).tolist() == [2, 0]  # what argmax alone would take
    assert first_tied(scores, 0.25, axis=1).tolist() == [0, 0]
    assert first_tied(scores.T, SCORE_TIE, axis=0).tolist() == [1, 0]
    # NaN never wins; all NaN: the first, as argmax
    assert first_tied(np.array([np.nan, 0.2, 0.3]), SCORE_TIE).tolist() == 2
    assert first_tied(np.array([np.nan, np.nan]), SCORE_TIE).tolist() == 0
    # a tolerance per row
    rows = np.array([[0.3, 0.4], [0.3, 0.4]])
    assert first_tied(rows, np.array([0.0, 0.2]), axis=1).tolist() == [1, 0]


def test_tied_order_orders_keys_equal_up_to_rounding_by_code():
    third = 1 / 3
    bumped = np.nextafter(third, 1.0)
    keys = np.array([[bumped, 0.1, third, np.inf], [third, 0.1, bumped, np.inf]])
    assert np.argsort(keys, axis=1, kind="stable").tolist() == [[1, 2, 0, 3], [1, 0, 2, 3]]
    assert tied_order(keys, SCORE_TIE).tolist() == [[1, 0, 2, 3], [1, 0, 2, 3]]
    # no near tie: the stable sort itself
    keys = np.array([[0.5, 0.2, 0.5, 0.2, np.inf, np.inf]])
    assert tied_order(keys, SCORE_TIE).tolist() == [[1, 3, 0, 2, 4, 5]]


# ---------------------------------------------------------------------------------------
# The search on count tensors rounded differently
# ---------------------------------------------------------------------------------------

#: The count tensor of hypothesis' counterexample at node 3 (categories 0..3, 2 absent):
#: categories 0 and 3 hold one case of class 0 and 10/27 of class 1 each (fractional
#: copies), category 1 holds 10/27 of class 1. Summed in another row order, 10/27 comes
#: out one ulp apart.
W = 10 / 27


def counterexample_stats(bits: tuple[int, int, int]) -> CategoryCounts:
    w = [W if b == 0 else np.nextafter(W, b * np.inf) for b in bits]
    counts = np.array([[[1.0, w[0]], [0.0, w[1]], [0.0, 0.0], [1.0, w[2]]]])
    return stats_of(counts)


@pytest.mark.parametrize("exhaustive", [True, False])
@pytest.mark.parametrize("order_class", [0, 1])
def test_the_counterexample_node_groups_the_same_whatever_the_rounding(exhaustive, order_class):
    rules = SklearnRules()
    tables = set()
    for bits in itertools.product([-1, 0, 1], repeat=3):
        found = best_subsets(
            counterexample_stats(bits), Gini(), rules.admissible,
            exhaustive=exhaustive, max_exhaustive=10, order_class=order_class,
        )  # fmt: skip
        assert found.ok[0]
        tables.add(tuple(found.tables[0].tolist()))
    # {0} | {1, 3} and {0, 1} | {3} tie. All groupings: the lowest left side as a
    # number, {0}, wins. Ordered cuts: categories 0 and 3 have equal proportions, so
    # 0 comes first; by class 1's proportion (ascending) the order is 0, 3, 1 and the
    # first cut is {0} | {3, 1}; by class 0's it is 1, 0, 3, whose cuts are {1} | {0, 3}
    # and {1, 0} | {3}: the second is the tie.
    expected = (0, 0, -1, 1) if (order_class == 0 and not exhaustive) else (0, 1, -1, 1)
    assert tables == {expected}


@st.composite
def tied_tensors(draw):
    """Count tensors ``[S, C, K]`` whose categories repeat a few patterns of real
    counts, each cell then moved by up to 2 ulps (another order of summation)."""
    S = draw(st.integers(1, 4))
    C = draw(st.integers(2, 6))
    K = draw(st.integers(2, 3))
    n_patterns = draw(st.integers(1, 3))
    cell = st.sampled_from([0.0, 0.1, 0.3, 1.0, 2.0, 10 / 27, 0.7, 1 / 3])
    patterns = np.array(draw(st.lists(cell, min_size=n_patterns * K, max_size=n_patterns * K)))
    patterns = patterns.reshape(n_patterns, K)
    which = np.array(draw(st.lists(st.integers(0, n_patterns - 1), min_size=S * C, max_size=S * C)))
    counts = patterns[which].reshape(S, C, K)
    steps = np.array(draw(st.lists(st.integers(-2, 2), min_size=S * C * K, max_size=S * C * K)))
    return counts, steps.reshape(S, C, K)


def nudged(counts: np.ndarray, steps: np.ndarray) -> np.ndarray:
    out = counts.copy()
    for _ in range(2):
        move = np.abs(steps) > _
        toward = np.where(steps > 0, np.inf, -np.inf)
        out = np.where(move & (out > 0), np.nextafter(out, toward), out)
    return out


@settings(max_examples=300, deadline=None)
@given(
    case=tied_tensors(),
    exhaustive=st.booleans(),
    order_class=st.integers(0, 1),
    criterion=st.sampled_from([Gini(), InformationGain()]),
    labels=st.randoms(use_true_random=False),
)
def test_groupings_do_not_depend_on_rounding_and_scores_not_on_labels(
    case, exhaustive, order_class, criterion, labels
):
    counts, steps = case
    rules = SklearnRules()

    def search(c):
        return best_subsets(
            stats_of(c), criterion, rules.admissible,
            exhaustive=exhaustive, max_exhaustive=10, order_class=order_class,
        )  # fmt: skip

    a, b = search(counts), search(nudged(counts, steps))
    np.testing.assert_array_equal(a.ok, b.ok)
    np.testing.assert_array_equal(a.tables[a.ok], b.tables[b.ok])
    np.testing.assert_allclose(a.gain[a.ok], b.gain[b.ok], rtol=0, atol=1e-12)
    if exhaustive:  # every grouping: the best score does not depend on the labels
        perm = list(range(counts.shape[1]))
        labels.shuffle(perm)
        c = search(counts[:, perm])
        np.testing.assert_array_equal(a.ok, c.ok)
        np.testing.assert_allclose(a.gain[a.ok], c.gain[c.ok], rtol=0, atol=1e-12)


# ---------------------------------------------------------------------------------------
# Hypothesis' counterexample (issue 17's row-order test)
# ---------------------------------------------------------------------------------------


def column(text: str) -> np.ndarray:
    return np.array([np.nan if ch == "n" else float(ch) for ch in text])


def test_the_row_order_counterexample_grows_one_tree():
    X = np.c_[
        column("001n10111nn1nn1000nnn1nn0n100nn1n10n"),
        column("n3nnn0000nn0nn02nnn1nn3n2n02nnnn00nn"),
    ]
    y = np.array([int(ch) for ch in "000000000002002000020020000000002200"])
    perm = np.arange(len(y))
    perm[[1, 16]] = [16, 1]
    params = dict(missing_values="fractional", categorical_features=[False, True])
    a = CARTClassifier(**params).fit(X, y)
    b = CARTClassifier(**params).fit(X[perm], y[perm])
    assert a.tree_.node_count == b.tree_.node_count == 9
    for node in range(a.tree_.node_count):
        assert a.tree_.feature[node] == b.tree_.feature[node]
        if a.tree_.feature[node] == 1 and a.tree_.n_children[node]:
            assert a.tree_.branch_categories(node) == b.tree_.branch_categories(node)
    # node 3 (x0 <= 0.5 under x1 in {0, 1, 3}): {0} | {1, 3}, the lowest left side
    assert a.tree_.branch_categories(3) == [[0], [1, 3]]
    grid = np.array([[v0, v1] for v0 in (np.nan, 0, 1.5, 4) for v1 in (np.nan, 0, 1, 2, 3, 7)])
    np.testing.assert_allclose(a.predict_proba(grid), b.predict_proba(grid), rtol=0, atol=1e-12)


def test_learned_missing_cases_join_the_same_of_two_equal_branches_in_any_row_order():
    # categories 0 and 1 hold the same rows; {0} | {1} and the missing cases (class 0)
    # join either branch at the same cost, up to the order in which 0.1 + 0.7 + 0.3 is
    # summed: the first branch, whatever that order
    rows = [(c, 1, v) for c in (0, 1) for v in (0.1, 0.7, 0.3)]
    rows += [(0, 0, 0.2), (1, 0, 0.2), (np.nan, 0, 1.3), (np.nan, 0, 0.3)]
    X = np.array([[r[0]] for r in rows])
    y = np.array([r[1] for r in rows])
    w = np.array([r[2] for r in rows])
    grid = np.array([[0.0], [1.0], [np.nan]])

    def fit(order):
        est = DecisionTreeClassifier(categorical_features=[True], categorical_split="binary")
        return est.fit(X[order], y[order], sample_weight=w[order])

    a = fit(np.arange(len(y)))
    b = fit(np.array([0, 2, 1, 3, 4, 5, 6, 7, 8, 9]))  # category 0's 0.1 + 0.3 + 0.7
    assert a.tree_.branch_categories(0) == b.tree_.branch_categories(0) == [[0], [1]]
    np.testing.assert_array_equal(a.tree_.missing_fraction[1:3], [1.0, 0.0])
    np.testing.assert_array_equal(b.tree_.missing_fraction[1:3], [1.0, 0.0])
    np.testing.assert_allclose(a.predict_proba(grid), b.predict_proba(grid), rtol=0, atol=1e-12)


def test_rounding_is_not_a_missing_case_under_learned():
    # no value is missing; the root's weight (0.7 + 26 x 0.1 in row order) and its
    # categories' sums differ by 1e-15 in one order of the rows: that difference is no
    # missing case, so a missing value at predict goes to the heavier child (2.1 > 1.8)
    cat = np.array([0] * 3 + [1] * 7 + [2] * 7 + [3] * 3 + [4] * 7, dtype=float)
    X = np.c_[np.zeros(cat.size), cat]
    y = np.zeros(cat.size, dtype=int)
    y[[9, 16, 26]] = 1
    w = np.full(cat.size, 0.1)
    w[[0, 17]] = 0.7
    grid = np.array([[0.0, np.nan], [np.nan, np.nan]])
    probas = []
    for order in (np.arange(cat.size), np.r_[1:11, 0, 11 : cat.size]):
        est = CARTClassifier(
            missing_values="learned", categorical_features=[False, True], min_impurity_decrease=1e-9
        ).fit(X[order], y[order], sample_weight=w[order])
        assert est.tree_.branch_categories(0) == [[0, 3], [1, 2, 4]]
        np.testing.assert_array_equal(est.tree_.missing_fraction[1:3], [0.0, 1.0])
        probas.append(est.predict_proba(grid))
    np.testing.assert_allclose(probas[0], probas[1], rtol=0, atol=1e-12)


def test_learned_missing_value_goes_right_of_children_equal_up_to_rounding():
    # no missing value in training: a missing value goes to the heavier child, the
    # right one of equal ones; 1.1 | 0.1 + 0.7 + 0.3 are equal whichever order the
    # right child's weights are summed in (1.0999999999999999 or 1.1)
    X = np.array([[0.0], [1.0], [1.0], [1.0]])
    y = np.array([0, 1, 1, 1])
    for order in ([0, 1, 2, 3], [0, 2, 3, 1]):
        w = np.array([1.1, 0.1, 0.7, 0.3])[order]
        est = DecisionTreeClassifier().fit(X, y, sample_weight=w)
        np.testing.assert_array_equal(est.tree_.missing_fraction[1:3], [0.0, 1.0])
        assert est.predict(np.array([[np.nan]])).tolist() == [1]


def test_surrogate_fit_majority_of_two_sides_equal_up_to_rounding_is_none():
    # under x0 > 0.5, categories 2 and 4 weigh 0.1 + 0.1 + 0.3 + 0.1 each (summed in row
    # order: 0.6 or 0.6000000000000001): no majority, so the training row with x1
    # missing stays out of both children there, in either order
    X = np.array(
        [[0, 0], [0, 0], [0, 0], [0, 1], [0, 1], [0, 1], [1, 2], [1, 2], [2, 2], [0, 2],
         [2, 2], [0, 3], [0, 3], [0, 3], [0, 4], [1, 4], [2, 4], [2, 4], [1, 4], [0, 5],
         [0, 5], [0, 5], [0, np.nan], [0, np.nan], [0, np.nan], [1, np.nan]],
    )  # fmt: skip
    y = np.zeros(len(X), dtype=int)
    y[[9, 17]] = 1
    w = np.full(len(X), 0.1)
    w[[8, 16]] = 0.3
    probas = []
    for order in (np.arange(len(X)), np.r_[0:8, 9, 10, 8, 11 : len(X)]):
        est = CARTClassifier(
            missing_values="surrogate",
            categorical_features=[False, True],
            min_impurity_decrease=1e-9,
        ).fit(X[order], y[order], sample_weight=w[order])
        assert est.tree_.node_count == 11
        np.testing.assert_allclose(est.tree_.value[7:9].sum(axis=1), [0.6, 0.6])
        probas.append(est.predict_proba(np.array([[2.0, np.nan], [1.0, 4.0]])))
    np.testing.assert_allclose(probas[0], probas[1], rtol=0, atol=1e-12)
    np.testing.assert_allclose(probas[0][0], [0.875, 0.125])


# ---------------------------------------------------------------------------------------
# Data built to tie, every estimator and strategy
# ---------------------------------------------------------------------------------------

#: (estimator, categorical_split, strategies it takes)
FITS = [
    (CARTClassifier, "binary", ["fractional", "learned", "surrogate"]),
    (DecisionTreeClassifier, "binary", ["fractional", "learned", "surrogate"]),
    (DecisionTreeClassifier, "multiway", ["fractional", "learned"]),
    (ID3Classifier, "multiway", ["fractional", "learned"]),
    (C45Classifier, "multiway", ["fractional", "learned"]),
]


@st.composite
def tied_problems(draw):
    """A categorical feature whose categories repeat a few patterns of rows (classes
    and real weights), holes in it and in a numeric feature, and a row order."""
    n_patterns = draw(st.integers(1, 3))
    n_classes = draw(st.integers(2, 3))
    # real weights whose sums depend on their order: 0.1 + 0.7 + 0.3 != 0.1 + 0.3 + 0.7
    row = st.tuples(st.integers(0, n_classes - 1), st.sampled_from([0.1, 0.3, 0.7, 0.2, 1.0]))
    patterns = [draw(st.lists(row, min_size=1, max_size=7)) for _ in range(n_patterns)]
    C = draw(st.integers(2, 6))
    of = draw(st.lists(st.integers(0, n_patterns - 1), min_size=C, max_size=C))
    rows = [(c, k, w) for c in range(C) for k, w in patterns[of[c]]]
    n_holes = draw(st.integers(0, 6))
    rows += [(np.nan, *draw(row)) for _ in range(n_holes)]
    n = len(rows)
    cat = np.array([r[0] for r in rows], dtype=float)
    y = np.array([r[1] for r in rows])
    w = np.array([r[2] for r in rows])
    num = np.array(draw(st.lists(st.sampled_from([0.0, 1.0, 2.0, np.nan]), min_size=n, max_size=n)))
    X = np.c_[num, cat]
    perm = np.array(draw(st.permutations(range(n))))
    return X, y, w, perm


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(problem=tied_problems(), fit=st.sampled_from(FITS), data=st.data())
def test_tied_categories_give_one_tree_in_any_row_order(problem, fit, data):
    X, y, w, perm = problem
    cls, split, strategies = fit
    strategy = data.draw(st.sampled_from(strategies))
    # min_impurity_decrease: a split of zero gain (categories of equal proportions)
    # is made when its gain rounds to at least -FLOAT_EPS, as scikit-learn's; whether it
    # does depends on the order of the sums, a rule this test leaves out
    params = dict(
        missing_values=strategy,
        categorical_features=[False, True],
        categorical_split=split,
        min_impurity_decrease=1e-9,
    )
    a = cls(**params).fit(X, y, sample_weight=w)
    b = cls(**params).fit(X[perm], y[perm], sample_weight=w[perm])
    assert a.tree_.node_count == b.tree_.node_count
    grid = np.array([[v0, v1] for v0 in (np.nan, 0, 1, 2) for v1 in (np.nan, *range(7))])
    np.testing.assert_allclose(a.predict_proba(grid), b.predict_proba(grid), rtol=0, atol=1e-9)


def test_surrogates_tied_in_agreement_rank_by_feature_in_any_row_order():
    # The snapshot's "ties/cart_balanced": balanced class weights make agreements sums of
    # real weights; two surrogates whose agreement differs only by rounding were ranked
    # by the last bit, which the row order decides.
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parent / "snapshot"))
    import make_snapshot

    ((make, X, y, w),) = [
        c[1:] for c in make_snapshot.configurations() if c[0] == "ties/cart_balanced"
    ]
    holes = X.copy()
    holes[np.random.default_rng(1).random(X.shape) < 0.2] = np.nan
    ref = make().fit(X, y, sample_weight=w)
    rng = np.random.default_rng(0)
    for _ in range(5):
        p = rng.permutation(len(y))
        est = make().fit(X[p], y[p], sample_weight=None if w is None else w[p])
        np.testing.assert_array_equal(est.tree_.surrogate_feature, ref.tree_.surrogate_feature)
        np.testing.assert_allclose(est.predict_proba(holes), ref.predict_proba(holes), atol=1e-12)
