"""Tests of treelearn.criteria: the SplitCriterion contract, the built-ins, user criteria.

A criterion is array math over class-count tensors; the expected values come from
``treelearn.information`` (itself tested against SciPy and scikit-learn), from SciPy
directly, and from Quinlan's worked example (the play-tennis data).
"""

from __future__ import annotations

import math
import time

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from scipy.stats import entropy as scipy_entropy
from sklearn.datasets import load_digits, load_iris
from user_criteria import Misclassification, Tsallis

from treelearn import (
    CARTClassifier,
    DecisionTreeClassifier,
    GainRatio,
    Gini,
    InformationGain,
    SplitCriterion,
    information,
)
from treelearn.criteria import CRITERIA, get_criterion

# Quinlan (1986): the play-tennis class counts [yes, no] in each branch of each feature
PLAY = np.array([9.0, 5.0])
OUTLOOK = np.array([[2.0, 3.0], [4.0, 0.0], [3.0, 2.0]])  # sunny, overcast, rainy
TEMPERATURE = np.array([[2.0, 2.0], [4.0, 2.0], [3.0, 1.0]])  # hot, mild, cool
HUMIDITY = np.array([[3.0, 4.0], [6.0, 1.0]])  # high, normal
WINDY = np.array([[6.0, 2.0], [3.0, 3.0]])  # false, true

BUILTINS = [InformationGain(), GainRatio(), Gini()]

counts_arrays = hnp.arrays(
    np.float64,
    hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4),
    elements=st.sampled_from([0.0, 0.5, 1.0, 2.0, 3.0, 7.0, 10.0]),
)


# ---------------------------------------------------------------------------------------
# Impurities
# ---------------------------------------------------------------------------------------


def test_entropy_impurity_matches_information_and_scipy():
    crit = InformationGain()
    assert float(crit.impurity(PLAY)) == pytest.approx(0.940286, abs=1e-6)
    assert float(crit.impurity(PLAY)) == pytest.approx(scipy_entropy(PLAY, base=2))
    assert float(crit.impurity([1, 1, 1, 1])) == pytest.approx(2.0)
    assert float(crit.impurity([5, 0])) == 0.0
    assert crit.unit == "bits"
    assert crit.impurity_label == "entropy"


def test_gini_impurity_matches_information():
    crit = Gini()
    assert float(crit.impurity(PLAY)) == pytest.approx(1 - (9 / 14) ** 2 - (5 / 14) ** 2)
    assert float(crit.impurity([1, 1, 1, 1])) == pytest.approx(0.75)
    assert float(crit.impurity([0, 3])) == 0.0
    assert crit.impurity_label == "gini"


@settings(max_examples=50, deadline=None)
@given(counts=counts_arrays)
def test_impurities_are_batched_information_functions(counts):
    np.testing.assert_allclose(
        InformationGain().impurity(counts), information.entropy(counts, base=2), atol=1e-12
    )
    np.testing.assert_allclose(
        GainRatio().impurity(counts), information.entropy(counts, base=2), atol=1e-12
    )
    np.testing.assert_allclose(
        Gini().impurity(counts), information.gini_impurity(counts), atol=1e-12
    )
    for crit in BUILTINS:
        out = crit.impurity(counts)
        assert np.shape(out) == counts.shape[:-1]
        assert np.all(np.isfinite(out))
        np.testing.assert_allclose(
            crit.impurity_mass(counts), counts.sum(axis=-1) * out, atol=1e-12
        )


def test_empty_counts_have_zero_impurity_without_warnings():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for crit in [*BUILTINS, Misclassification(), Tsallis()]:
            assert float(crit.impurity([0.0, 0.0, 0.0])) == 0.0
            assert float(crit.children_impurity([[0.0, 0.0], [0.0, 0.0]])) == 0.0
            assert float(crit.split_score([0.0, 0.0], [[0.0, 0.0], [0.0, 0.0]])) == 0.0


@settings(max_examples=50, deadline=None)
@given(
    counts=hnp.arrays(
        np.float64, st.integers(2, 5), elements=st.one_of(st.just(0.0), st.floats(1e-250, 50.0))
    ),
    scale=st.sampled_from([0.5, 2.0, 10.0]),
    data=st.data(),
)
def test_impurity_depends_on_proportions_only(counts, scale, data):
    perm = data.draw(st.permutations(range(counts.size)))
    for crit in BUILTINS:
        base = float(crit.impurity(counts))
        assert float(crit.impurity(counts * scale)) == pytest.approx(base, abs=1e-12)
        assert float(crit.impurity(counts[list(perm)])) == pytest.approx(base, abs=1e-12)


@pytest.mark.parametrize("crit", [InformationGain(), Gini()])
@pytest.mark.parametrize("scale", [1e-200, 1e-150, 1e-100, 1e100, 1e150])
def test_impurity_of_tiny_and_huge_weights(crit, scale):
    np.testing.assert_allclose(
        crit.impurity(np.array([1.0, 1.0, 2.0]) * scale),
        crit.impurity(np.array([1.0, 1.0, 2.0])),
        rtol=1e-12,
    )


def test_gini_of_vanishing_weights():
    # 1 - Σc²/n² in scikit-learn's order: Σc² and n² underflow below ~1e-162 unless the
    # counts are rescaled first (sample weights of 1e-200 are legal)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert float(Gini().impurity([1e-200, 1e-200])) == pytest.approx(0.5)


@pytest.mark.parametrize("k", [2, 3, 5, 10])
def test_impurity_extremes(k):
    uniform = np.ones(k)
    pure = np.eye(k)[0] * 7
    assert float(InformationGain().impurity(uniform)) == pytest.approx(math.log2(k))
    assert float(Gini().impurity(uniform)) == pytest.approx(1 - 1 / k)
    for crit in BUILTINS:
        assert float(crit.impurity(pure)) == 0.0


# ---------------------------------------------------------------------------------------
# Splits
# ---------------------------------------------------------------------------------------


def test_quinlan_gains():
    crit = InformationGain()
    gains = [float(crit.split_score(PLAY, t)) for t in (OUTLOOK, HUMIDITY, WINDY, TEMPERATURE)]
    # Quinlan (1986) prints 0.246, 0.151, 0.048, 0.029 (rounded from slightly
    # different intermediate values); the exact ones are below
    np.testing.assert_allclose(gains, [0.246750, 0.151836, 0.048127, 0.029223], atol=1e-6)
    np.testing.assert_allclose(gains, [0.246, 0.151, 0.048, 0.029], atol=1e-3)
    assert crit.score_label == "gain"


def test_quinlan_gain_ratios():
    crit = GainRatio()
    ig = InformationGain()
    ratios = []
    for t in (OUTLOOK, HUMIDITY, WINDY, TEMPERATURE):
        gain = ig.split_score(PLAY, t)
        ratios.append(float(crit.feature_score(gain, t.sum(axis=1), 0.0)))
        assert ratios[-1] == pytest.approx(float(information.gain_ratio_from_counts(t)))
    np.testing.assert_allclose(ratios, [0.156428, 0.151836, 0.048849, 0.018773], atol=1e-6)
    assert crit.score_label == "gain ratio"


def test_split_score_is_impurity_decrease():
    for crit in BUILTINS:
        for t in (OUTLOOK, TEMPERATURE, HUMIDITY, WINDY):
            expected = crit.impurity(PLAY) - sum(
                t[b].sum() / t.sum() * crit.impurity(t[b]) for b in range(t.shape[0])
            )
            assert float(crit.split_score(PLAY, t)) == pytest.approx(float(expected))
            assert float(crit.impurity_decrease(PLAY, t)) == pytest.approx(float(expected))
            # a known parent impurity is used as given
            given_imp = crit.impurity(PLAY)
            assert float(crit.split_score(PLAY, t, given_imp)) == pytest.approx(float(expected))


@settings(max_examples=50, deadline=None)
@given(
    table=hnp.arrays(
        np.float64,
        st.tuples(st.integers(1, 3), st.integers(2, 4), st.integers(2, 4)),
        elements=st.sampled_from([0.0, 1.0, 2.0, 3.0, 5.0, 0.5]),
    )
)
def test_split_scores_are_batched_and_match_information(table):
    # table[n_candidates, C, K]
    parent = table.sum(axis=1)
    ig = InformationGain().split_score(parent, table)
    np.testing.assert_allclose(ig, information.information_gain_from_counts(table), atol=1e-12)
    gini = Gini().split_score(parent, table)
    for i in range(table.shape[0]):
        children = table[i]
        w = children.sum(axis=1)
        expected = information.gini_impurity(parent[i]) - sum(
            (w[b] / w.sum() if w.sum() else 0) * information.gini_impurity(children[b])
            for b in range(children.shape[0])
        )
        assert gini[i] == pytest.approx(expected, abs=1e-12)
    for crit in [*BUILTINS, Misclassification(), Tsallis(q=3)]:
        scores = crit.split_score(parent, table)
        assert scores.shape == table.shape[:1]
        # concave impurity: splitting never increases the weighted impurity
        assert np.all(scores >= -1e-12)
        # the order of the children does not matter
        np.testing.assert_allclose(crit.split_score(parent, table[:, ::-1]), scores, atol=1e-12)


def test_children_impurity_is_weighted_mean():
    crit = Gini()
    children = np.array([[[4.0, 0.0], [1.0, 1.0]], [[0.0, 0.0], [0.0, 0.0]]])
    out = crit.children_impurity(children)
    assert out.shape == (2,)
    assert out[0] == pytest.approx(4 / 6 * 0.0 + 2 / 6 * 0.5)
    assert out[1] == 0.0


def test_gain_ratio_counts_missing_values_as_a_branch():
    crit = GainRatio()
    gain = np.array(0.3)
    branch = np.array([4.0, 6.0])
    with_missing = float(crit.feature_score(gain, branch, np.array(5.0)))
    expected = 0.3 / float(information.entropy([4.0, 6.0, 5.0], base=2))
    assert with_missing == pytest.approx(expected)
    assert float(crit.feature_score(gain, branch, np.array(0.0))) == pytest.approx(
        0.3 / float(information.entropy([4.0, 6.0], base=2))
    )
    # everything in one branch: split information 0, ratio 0
    assert float(crit.feature_score(gain, np.array([10.0, 0.0]), np.array(0.0))) == 0.0
    # vectorised
    out = crit.feature_score(
        np.array([0.3, 0.3]), np.array([[4.0, 6.0], [10.0, 0.0]]), np.array([5.0, 0.0])
    )
    np.testing.assert_allclose(out, [expected, 0.0])


def test_default_feature_score_is_the_gain():
    for crit in (InformationGain(), Gini(), Misclassification()):
        g = np.array([0.1, 0.2])
        np.testing.assert_array_equal(crit.feature_score(g, np.ones((2, 2)), np.zeros(2)), g)


# ---------------------------------------------------------------------------------------
# Choosing the feature
# ---------------------------------------------------------------------------------------


def test_select_feature_takes_the_best_and_the_lowest_index_on_ties():
    crit = Gini()
    scores = np.array([[0.1, 0.3, 0.3], [0.5, 0.2, 0.5], [0.0, 0.0, 0.0], [0.9, 0.2, 0.1]])
    valid = np.array(
        [[True, True, True], [True, True, True], [True, True, True], [False, True, True]]
    )
    assert crit.select_feature(scores, scores, valid).tolist() == [1, 0, 0, 1]
    none = np.zeros_like(valid)
    assert crit.select_feature(scores, scores, none).tolist() == [-1, -1, -1, -1]


def test_gain_ratio_selection_filters_below_average_gain():
    crit = GainRatio()
    # feature 0: low gain, huge ratio (few cases in a small branch); feature 1: above
    # average gain, smaller ratio -> feature 1 wins (Quinlan's filter)
    gains = np.array([[0.05, 0.40, 0.30]])
    ratios = np.array([[0.90, 0.35, 0.30]])
    valid = np.ones((1, 3), dtype=bool)
    assert crit.select_feature(gains, ratios, valid).tolist() == [1]
    # the default rule would take feature 0
    assert InformationGain().select_feature(gains, ratios, valid).tolist() == [0]
    # an invalid candidate neither wins nor counts in the average
    valid2 = np.array([[True, False, True]])
    assert crit.select_feature(gains, ratios, valid2).tolist() == [2]
    # a later feature must beat the current best ratio by more than the tolerance
    tied = np.array([[0.3, 0.3 + 1e-9]])
    assert crit.select_feature(tied, tied, np.ones((1, 2), dtype=bool)).tolist() == [0]
    # no ratio above the tolerance: no split
    zero = np.zeros((1, 2))
    assert crit.select_feature(zero, zero, np.ones((1, 2), dtype=bool)).tolist() == [-1]
    # in_average restricts the features the average is taken over
    in_avg = np.array([[True, False, False]])
    assert crit.select_feature(gains, ratios, valid, in_average=in_avg).tolist() == [0]


# ---------------------------------------------------------------------------------------
# Names, equality, the base class
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "cls"),
    [
        ("entropy", InformationGain),
        ("log_loss", InformationGain),
        ("information_gain", InformationGain),
        ("gain_ratio", GainRatio),
        ("gini", Gini),
    ],
)
def test_get_criterion_by_name(name, cls):
    crit = get_criterion(name)
    assert type(crit) is cls
    assert name in CRITERIA


def test_get_criterion_passes_instances_through():
    crit = Tsallis(q=3)
    assert get_criterion(crit) is crit


def test_get_criterion_errors():
    with pytest.raises(ValueError, match=r"Unknown criterion 'entropie'.*'gini'"):
        get_criterion("entropie")
    with pytest.raises(TypeError, match="criterion must be a name or a SplitCriterion"):
        get_criterion(42)
    with pytest.raises(TypeError, match="SplitCriterion"):
        get_criterion(Gini)  # the class, not an instance


def test_equality_hash_repr():
    assert GainRatio() == GainRatio()
    assert hash(GainRatio()) == hash(GainRatio())
    assert GainRatio(tolerance=1e-3) != GainRatio()
    assert InformationGain() != GainRatio()
    assert Gini() == Gini()
    assert len({Gini(), Gini(), InformationGain()}) == 2
    assert repr(Gini()) == "Gini()"
    assert Tsallis(q=2) == Tsallis(q=2) != Tsallis(q=3)


def test_base_class_needs_impurity():
    class Nothing(SplitCriterion):
        pass

    with pytest.raises(TypeError, match=r"abstract method.*impurity"):
        Nothing()


def test_ranks_by_impurity_mass_flag():
    for crit in (InformationGain(), GainRatio(), Gini(), Misclassification(), Tsallis()):
        assert crit.ranks_by_impurity_mass

    class Scaled(Gini):
        def split_score(self, parent, children, parent_impurity=None):
            return 2 * super().split_score(parent, children, parent_impurity)

    assert not Scaled().ranks_by_impurity_mass


def test_concave_flags():
    assert InformationGain.concave and GainRatio.concave and Gini.concave
    assert not SplitCriterion.concave


# ---------------------------------------------------------------------------------------
# User-defined criteria through the estimator
# ---------------------------------------------------------------------------------------


def test_misclassification_criterion():
    crit = Misclassification()
    assert float(crit.impurity([8, 2])) == pytest.approx(0.2)
    assert float(crit.split_score([8, 2], [[6, 0], [2, 2]])) == pytest.approx(0.0)
    assert float(crit.split_score([8, 2], [[8, 0], [0, 2]])) == pytest.approx(0.2)
    X, y = load_iris(return_X_y=True)
    clf = DecisionTreeClassifier(criterion=crit).fit(X, y)
    assert clf.criterion_ is crit
    assert clf.score(X, y) > 0.95
    assert clf.tree_.split_score[0] == pytest.approx(1 / 3)  # setosa peeled off


def test_tsallis_q2_is_gini_and_grows_the_gini_tree():
    counts = np.array([[3.0, 1.0, 0.0], [1.0, 1.0, 1.0], [0.0, 0.0, 0.0]])
    np.testing.assert_allclose(Tsallis(q=2).impurity(counts), Gini().impurity(counts))
    X, y = load_iris(return_X_y=True)
    rng = np.random.default_rng(0)
    X = X + rng.uniform(-1e-3, 1e-3, X.shape)  # no two thresholds tie
    ours = DecisionTreeClassifier(criterion=Tsallis(q=2)).fit(X, y).tree_
    gini = DecisionTreeClassifier(criterion="gini").fit(X, y).tree_
    np.testing.assert_array_equal(ours.feature, gini.feature)
    np.testing.assert_array_equal(ours.threshold, gini.threshold)
    np.testing.assert_allclose(ours.impurity, gini.impurity, atol=1e-12)
    np.testing.assert_allclose(ours.split_score, gini.split_score, atol=1e-12)


def test_concave_shortcut_finds_the_same_tree():
    # a strictly concave impurity: scoring only class boundaries (concave=True) or every
    # threshold (concave=False) must give the same tree
    X, y = load_digits(return_X_y=True)
    X, y = X[:600], y[:600]
    a = DecisionTreeClassifier(criterion=Tsallis(q=1.5, concave=True)).fit(X, y).tree_
    b = DecisionTreeClassifier(criterion=Tsallis(q=1.5, concave=False)).fit(X, y).tree_
    np.testing.assert_array_equal(a.feature, b.feature)
    np.testing.assert_array_equal(a.threshold, b.threshold)


def test_user_criterion_runs_at_builtin_speed():
    X, y = load_digits(return_X_y=True)

    def best_time(crit):
        times = []
        for _ in range(3):
            t = time.perf_counter()
            CARTClassifier(criterion=crit).fit(X, y)
            times.append(time.perf_counter() - t)
        return min(times)

    builtin = best_time("gini")
    user = best_time(Tsallis(q=2))
    # same vectorised path: a few numpy calls more per level, never per node or row
    assert user < 3 * builtin + 0.2, (user, builtin)


def test_criterion_instances_are_not_modified_by_fit():
    crit = GainRatio(average_slack=0.01)
    before = dict(vars(crit))
    X, y = load_iris(return_X_y=True)
    DecisionTreeClassifier(criterion=crit).fit(X, y)
    assert vars(crit) == before
