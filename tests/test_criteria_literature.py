"""The criteria from the literature against their published formulas, written slowly.

Each criterion is compared with a plain-Python transcription of its formula on random
counts (hypothesis), with the identities and limits the literature states, with SciPy
where SciPy computes the same statistic, and the trees they grow with the brute-force
reference builder of ``test_reference_builder``.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import chi2_contingency
from test_reference_builder import FAST, check_prediction, check_tree, small_problems

from treelearn import C45Classifier, CARTClassifier, DecisionTreeClassifier, ID3Classifier
from treelearn import information as info
from treelearn.criteria import (
    CRITERIA,
    DKM,
    ChiSquare,
    GStatistic,
    Hellinger,
    InformationGain,
    MisclassificationError,
    Renyi,
    Tsallis,
    Twoing,
    get_criterion,
)
from treelearn.datasets import load_dataset
from treelearn.export import export_graphviz, export_text

NEW_NAMES = [
    "hellinger",
    "twoing",
    "misclassification",
    "dkm",
    "chi_square",
    "g_statistic",
    "tsallis",
    "renyi",
]


# ----------------------------------------------------------------------------- formulas
def _p(counts):
    n = sum(counts)
    return [c / n for c in counts] if n > 0 else [0.0] * len(counts)


def slow_misclassification(counts):
    return 1 - max(_p(counts)) if sum(counts) > 0 else 0.0


def slow_tsallis(counts, q):
    if sum(counts) == 0:
        return 0.0
    if q == 1:
        return -sum(p * math.log(p) for p in _p(counts) if p > 0)
    return (1 - sum(p**q for p in _p(counts))) / (q - 1)


def slow_renyi(counts, a):
    if sum(counts) == 0:
        return 0.0
    ps = [p for p in _p(counts) if p > 0]
    if a == 1:
        return -sum(p * math.log2(p) for p in ps)
    if math.isinf(a):
        return -math.log2(max(ps))
    return max(math.log2(sum(p**a for p in ps)) / (1 - a), 0.0)


def slow_dkm(counts):
    return sum(math.sqrt(p * (1 - p)) for p in _p(counts)) if sum(counts) > 0 else 0.0


def slow_hellinger(table):
    """max over classes k of the Hellinger distance of P(branch | k), P(branch | not k)."""
    table = [list(map(float, row)) for row in table]
    K = len(table[0])
    best = 0.0
    for k in range(K):
        nk = sum(row[k] for row in table)
        nr = sum(sum(row) - row[k] for row in table)
        if nk == 0 or nr == 0:
            continue
        d2 = sum(
            (math.sqrt(row[k] / nk) - math.sqrt((sum(row) - row[k]) / nr)) ** 2 for row in table
        )
        best = max(best, math.sqrt(d2))
    return best


def slow_twoing(table):
    """Breiman et al.'s p_L p_R / 4 (Σ_k |p(k|L) - p(k|R)|)² for two branches."""
    left, right = table
    n_l, n_r = sum(left), sum(right)
    n = n_l + n_r
    if n == 0:
        return 0.0
    pl, pr = _p(left), _p(right)
    return (n_l / n) * (n_r / n) / 4 * sum(abs(a - b) for a, b in zip(pl, pr, strict=True)) ** 2


def slow_chi_square(table):
    n = sum(map(sum, table))
    rows = [sum(r) for r in table]
    cols = [sum(r[k] for r in table) for k in range(len(table[0]))]
    total = 0.0
    for b, row in enumerate(table):
        for k, o in enumerate(row):
            e = rows[b] * cols[k] / n if n else 0.0
            if e > 0:
                total += (o - e) ** 2 / e
    return total


def slow_g(table):
    n = sum(map(sum, table))
    rows = [sum(r) for r in table]
    cols = [sum(r[k] for r in table) for k in range(len(table[0]))]
    return 2 * sum(
        o * math.log(o * n / (rows[b] * cols[k]))
        for b, row in enumerate(table)
        for k, o in enumerate(row)
        if o > 0
    )


COUNTS = st.lists(st.integers(0, 30), min_size=2, max_size=5)


@st.composite
def tables(draw, branches=(2, 4)):
    K = draw(st.integers(2, 4))
    C = draw(st.integers(*branches))
    return [draw(st.lists(st.integers(0, 20), min_size=K, max_size=K)) for _ in range(C)]


@settings(max_examples=200, deadline=None)
@given(counts=COUNTS, q=st.sampled_from([0.5, 1.0, 2.0, 3.0]), a=st.sampled_from(
    [0.0, 0.5, 1.0, 2.0, math.inf]))  # fmt: skip
def test_impurities_match_their_formulas(counts, q, a):
    c = np.array(counts, dtype=float)
    assert float(MisclassificationError().impurity(c)) == pytest.approx(
        slow_misclassification(counts), abs=1e-12
    )
    assert float(Tsallis(q=q).impurity(c)) == pytest.approx(slow_tsallis(counts, q), abs=1e-12)
    if a != 0.0:
        assert float(Renyi(alpha=a).impurity(c)) == pytest.approx(slow_renyi(counts, a), abs=1e-12)
    else:
        nonzero = sum(1 for v in counts if v > 0)
        assert float(Renyi(alpha=0).impurity(c)) == pytest.approx(math.log2(max(nonzero, 1)))
    assert float(DKM().impurity(c)) == pytest.approx(slow_dkm(counts), abs=1e-12)


@settings(max_examples=200, deadline=None)
@given(table=tables())
def test_split_scores_match_their_formulas(table):
    t = np.array(table, dtype=float)
    parent = t.sum(axis=0)
    assert float(Hellinger().split_score(parent, t)) == pytest.approx(
        slow_hellinger(table), abs=1e-12
    )
    assert float(ChiSquare().split_score(parent, t)) == pytest.approx(
        slow_chi_square(table), abs=1e-9
    )
    assert float(GStatistic().split_score(parent, t)) == pytest.approx(slow_g(table), abs=1e-9)
    if len(table) == 2:
        assert float(Twoing().split_score(parent, t)) == pytest.approx(
            slow_twoing(table), abs=1e-12
        )


def _gini_decrease(table):
    table = np.asarray(table, dtype=float)
    n = table.sum()
    if n == 0:
        return 0.0
    parent = float(info.gini_impurity(table.sum(axis=0)))
    kids = sum(row.sum() / n * float(info.gini_impurity(row)) for row in table if row.sum() > 0)
    return parent - kids


@settings(max_examples=150, deadline=None)
@given(table=tables(branches=(2, 4)))
def test_twoing_is_half_the_best_two_superclass_gini_decrease(table):
    """Breiman's closed form (two branches) and the grouping search (more) both equal
    half the Gini decrease of the best grouping of the classes into two."""
    t = np.array(table, dtype=float)
    K = t.shape[1]
    best = 0.0
    for mask in range(1, 2 ** (K - 1)):
        members = np.array([(mask >> k) & 1 for k in range(K)], dtype=float)
        first = t @ members
        best = max(best, _gini_decrease(np.stack([first, t.sum(axis=1) - first], axis=1)))
    assert float(Twoing().split_score(t.sum(0), t)) == pytest.approx(best / 2, abs=1e-12)


# ----------------------------------------------------------------------------- identities
@settings(max_examples=100, deadline=None)
@given(counts=COUNTS)
def test_tsallis_and_renyi_limits(counts):
    c = np.array(counts, dtype=float)
    assert float(Tsallis(q=2).impurity(c)) == pytest.approx(float(info.gini_impurity(c)), abs=1e-12)
    nats = float(info.entropy(c, base=math.e))
    assert float(Tsallis(q=1 + 1e-7).impurity(c)) == pytest.approx(nats, abs=1e-5)
    assert float(Tsallis(q=1).impurity(c)) == pytest.approx(nats, abs=1e-12)
    bits = float(info.entropy(c, base=2))
    assert float(Renyi(alpha=1 - 1e-7).impurity(c)) == pytest.approx(bits, abs=1e-5)
    assert float(Renyi(alpha=1).impurity(c)) == pytest.approx(bits, abs=1e-12)
    if c.sum() > 0:
        p = c / c.sum()
        assert float(Renyi(alpha=2).impurity(c)) == pytest.approx(-math.log2((p**2).sum()))
        assert float(Renyi(alpha=math.inf).impurity(c)) == pytest.approx(-math.log2(p.max()))


@settings(max_examples=100, deadline=None)
@given(table=tables())
def test_g_is_2n_ln2_information_gain(table):
    t = np.array(table, dtype=float)
    n = t.sum()
    gain_bits = float(InformationGain().split_score(t.sum(0), t))
    assert float(GStatistic().split_score(t.sum(0), t)) == pytest.approx(
        2 * n * math.log(2) * gain_bits, abs=1e-9
    )


def test_chi_square_and_g_agree_with_scipy():
    rng = np.random.default_rng(0)
    for _ in range(50):
        t = rng.integers(1, 30, size=(rng.integers(2, 5), rng.integers(2, 5))).astype(float)
        chi2 = chi2_contingency(t, correction=False)[0]
        g = chi2_contingency(t, correction=False, lambda_="log-likelihood")[0]
        assert float(ChiSquare().split_score(t.sum(0), t)) == pytest.approx(chi2, rel=1e-12)
        assert float(GStatistic().split_score(t.sum(0), t)) == pytest.approx(g, rel=1e-12)


def test_hellinger_ignores_class_priors():
    """Scaling one class's counts (a different prior) leaves the score unchanged."""
    table = np.array([[9.0, 10.0], [1.0, 80.0]])
    scaled = table * np.array([7.0, 1.0])
    crit = Hellinger()
    assert float(crit.split_score(table.sum(0), table)) == pytest.approx(
        float(crit.split_score(scaled.sum(0), scaled))
    )
    assert float(ChiSquare().split_score(table.sum(0), table)) != pytest.approx(
        float(ChiSquare().split_score(scaled.sum(0), scaled))
    )


def test_concave_flags():
    for crit in (MisclassificationError(), Tsallis(), DKM(), Hellinger(), Twoing(), ChiSquare()):
        assert crit.concave
    assert GStatistic().concave and Renyi(alpha=1).concave and Renyi(alpha=0.5).concave
    assert not Renyi(alpha=2).concave and not Renyi(alpha=math.inf).concave


def test_bad_parameters():
    for bad in (0, -1, math.nan, math.inf, "2"):
        with pytest.raises(ValueError, match="Tsallis q"):
            Tsallis(q=bad)
    for bad in (-0.5, math.nan, "1"):
        with pytest.raises(ValueError, match="Renyi alpha"):
            Renyi(alpha=bad)
    many = np.ones((3, 20))
    with pytest.raises(ValueError, match="max_classes"):
        Twoing(max_classes=16).split_score(many.sum(0), many)


# ----------------------------------------------------------------------------- in the trees
@pytest.mark.parametrize("name", NEW_NAMES)
def test_registered_names(name):
    crit = get_criterion(name)
    assert type(crit) is CRITERIA[name]
    assert crit.name == name


@pytest.mark.parametrize("name", NEW_NAMES)
@FAST
@given(problem=small_problems(categorical=True, weights=True, missing=False))
def test_trees_agree_with_the_reference_builder(name, problem):
    X, y, w, is_cat = problem
    for split in ("multiway", "binary"):
        est = DecisionTreeClassifier(
            criterion=name, categorical_features=is_cat, categorical_split=split
        ).fit(X, y, sample_weight=w)
        check_tree(est, X, y, w, tie_rule=False)
        check_prediction(est, X)


@pytest.mark.parametrize("name", NEW_NAMES)
def test_every_estimator_and_export(name):
    X, y = load_dataset("vote", return_X_y=True)
    crit = get_criterion(name)
    for cls in (DecisionTreeClassifier, ID3Classifier, CARTClassifier, C45Classifier):
        est = cls(criterion=name, max_depth=3).fit(X, y)
        assert est.score(X, y) > 0.85
        assert type(est.criterion_) is type(crit)
    dot = export_graphviz(DecisionTreeClassifier(criterion=name, max_depth=2).fit(X, y))
    assert f"{crit.score_label} = " in dot or crit.score_label in dot
    assert f"{crit.impurity_label} = " in dot
    text = export_text(CARTClassifier(criterion=name, max_depth=2).fit(X, y))
    assert "class:" in text


def test_g_statistic_grows_the_entropy_tree():
    X, y = load_dataset("credit_g", return_X_y=True)
    g = DecisionTreeClassifier(criterion="g_statistic", max_depth=6).fit(X, y).tree_
    ig = DecisionTreeClassifier(criterion="entropy", max_depth=6).fit(X, y).tree_
    # no missing values in credit-g: within a node G = 2 n ln2 IG orders splits as IG
    np.testing.assert_array_equal(g.feature, ig.feature)
    np.testing.assert_array_equal(g.threshold, ig.threshold)


@settings(max_examples=60, deadline=None)
@given(
    st.integers(2, 5).flatmap(
        lambda k: st.lists(
            st.tuples(
                st.lists(st.integers(0, 30), min_size=k, max_size=k),
                st.lists(st.integers(0, 30), min_size=k, max_size=k),
            ),
            min_size=1,
            max_size=20,
        )
    )
)
def test_two_way_split_rank_is_weight_times_split_score(rows):
    """The two-way ``split_rank`` shortcuts equal ``n · split_score`` across parents."""
    left = np.array([r[0] for r in rows], dtype=float)
    right = np.array([r[1] for r in rows], dtype=float)
    parent = left + right
    n = parent.sum(axis=-1)
    for crit in (Hellinger(), Twoing(), ChiSquare(), GStatistic(), MisclassificationError()):
        rank = crit.split_rank(left, right)
        score = crit.split_score(parent, np.stack([left, right], axis=-2))
        expected = n * score
        if isinstance(crit, GStatistic):  # the entropy-mass proxy: G / (2 ln 2) - n·H(parent)
            expected = score / (2.0 * np.log(2.0)) - crit.impurity_mass(parent)
        if isinstance(crit, MisclassificationError):  # correct cases: n·Δerror + max_k n_k
            expected = n * score + parent.max(axis=-1)
        np.testing.assert_allclose(rank, expected, rtol=1e-9, atol=1e-9, err_msg=crit.name)


# ------------------------------------------------------- Rényi(2) from the square sums
@settings(max_examples=150, deadline=None)
@given(
    counts=st.lists(st.lists(st.integers(0, 10**6), min_size=3, max_size=3), min_size=1,
                    max_size=12),
    scale=st.sampled_from([1.0, 0.37, 1e-200, 1e150]),
)  # fmt: skip
def test_collision_mass_is_weight_times_renyi2(counts, scale):
    """``n · H_2`` from the square sums equals ``n · log2(n² / Σ c²)`` computed exactly,
    also for totals whose squares would underflow (``1e-200``) or overflow (``1e150``),
    and ``n ·`` the impurity from proportions (less precise near a pure node)."""
    c = np.array(counts, dtype=float) * scale
    crit = Renyi(alpha=2)
    exact, conditioning = [], []
    for row in counts:
        n, sq = sum(row), sum(x * x for x in row)
        exact.append(n * math.log1p(Fraction(n * n - sq, sq)) / math.log(2) if n else 0.0)
        conditioning.append(n * n / (n * n - sq) if n * n > sq else 1.0)
    got = crit.impurity_mass(c)
    # integer counts: n² - Σc² is exact; scaled counts lose digits to that
    # cancellation, about 2e-16 x n² / (n² - Σc²) (counts [0, 1, 19526] x 0.37: 1.2e-12)
    rtol = 1e-12 if scale == 1.0 else max(1e-12, 1e-15 * max(conditioning))
    np.testing.assert_allclose(got, np.array(exact) * scale, rtol=rtol, atol=0)
    n = c.sum(axis=-1)
    np.testing.assert_allclose(got, n * crit.impurity(c), rtol=0, atol=1e-9 * max(n.max(), 1e-300))
    assert (got >= 0).all()


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.lists(st.integers(0, 10**5), min_size=4, max_size=4),
            st.lists(st.integers(0, 10**5), min_size=4, max_size=4),
        ),
        min_size=1,
        max_size=20,
    )
)
def test_renyi2_square_sum_rank_is_split_rank_bit_for_bit(rows):
    left = np.array([r[0] for r in rows], dtype=float)
    right = np.array([r[1] for r in rows], dtype=float)
    crit = Renyi(alpha=2)
    got = crit.square_sum_rank(left.sum(1), (left**2).sum(1), right.sum(1), (right**2).sum(1))
    np.testing.assert_array_equal(got, crit.split_rank(left, right))
    parent = left + right
    score = crit.split_score(parent, np.stack([left, right], axis=-2))
    np.testing.assert_allclose(
        got, parent.sum(1) * score - crit.impurity_mass(parent), rtol=1e-9, atol=1e-6
    )


def test_which_renyi_orders_rank_by_square_sums():
    assert Renyi(alpha=2).ranks_by_square_sums
    for alpha in (0.0, 0.5, 1.0, 3.0, math.inf):
        assert not Renyi(alpha=alpha).ranks_by_square_sums

    class Smoothed(Renyi):  # its own mass: the general search
        def impurity_mass(self, counts):
            return super().impurity_mass(np.asarray(counts) + 1.0)

    assert not Smoothed(alpha=2).ranks_by_square_sums


@pytest.mark.parametrize("load", ["glass", "segment", "soybean"])
def test_renyi2_square_sums_grow_the_general_search_tree(load, monkeypatch):
    from treelearn import _split_square_sums

    X, y = load_dataset(load, as_frame=True, return_X_y=True)
    trees = []
    for many in (2, 10**9):  # every unweighted search by square sums, then none
        with monkeypatch.context() as m:
            m.setattr(_split_square_sums, "MANY_CLASSES", many)
            trees.append(DecisionTreeClassifier(criterion="renyi").fit(X, y).tree_.to_arrays())
    assert trees[0].keys() == trees[1].keys()
    for name in trees[0]:
        np.testing.assert_array_equal(trees[0][name], trees[1][name], err_msg=name)
