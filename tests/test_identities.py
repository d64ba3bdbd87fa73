"""The identities between the information measures a split is scored with (hypothesis).

For a node split into branches b with weights w_b = n_b / n and class distributions
p_b, and the parent's distribution p = Σ_b w_b p_b:

    IG = H(p) - Σ_b w_b H(p_b)                       (the definition)
       = Σ_b w_b KL(p_b ‖ p)                         (mean divergence from the parent)
       = JS_w(p_1, ..., p_B)                         (weighted Jensen-Shannon divergence)
       = I(branch; class)                            (mutual information)

each side computed by a different function of :mod:`treelearn.information` (and by SciPy
and scikit-learn). Proved already elsewhere, and not repeated here: cross-entropy =
entropy + KL (``tests/test_information.py::test_cross_entropy_is_entropy_plus_kl``),
IG = I(X; Y) on label arrays (``test_chain_rule_and_mutual_information``), and
G = 2 N ln 2 IG (``tests/test_criteria_literature.py::test_g_is_2n_ln2_information_gain``).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from scipy.spatial.distance import jensenshannon
from scipy.stats import entropy as scipy_entropy
from sklearn.metrics import mutual_info_score

from treelearn import information as info
from treelearn.criteria import InformationGain

# a count table [branch, class] whose every branch holds a case
tables = st.tuples(st.integers(2, 5), st.integers(2, 5)).flatmap(
    lambda shape: hnp.arrays(np.int64, shape, elements=st.integers(0, 12)).filter(
        lambda t: (t.sum(axis=1) > 0).all()
    )
)
# the same with fractional (C4.5-style) weights
weighted_tables = st.tuples(st.integers(2, 4), st.integers(2, 4)).flatmap(
    lambda shape: hnp.arrays(
        np.float64, shape, elements=st.floats(0.0, 20.0, allow_subnormal=False)
    ).filter(lambda t: (t.sum(axis=1) > 1e-3).all())
)


def _parts(table: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Branch weights, branch distributions and the parent's distribution."""
    t = np.asarray(table, dtype=np.float64)
    w = t.sum(axis=1) / t.sum()
    p_b = t / t.sum(axis=1, keepdims=True)
    return w, p_b, t.sum(axis=0) / t.sum()


@settings(max_examples=150, deadline=None)
@given(st.one_of(tables, weighted_tables))
def test_gain_is_the_mean_kl_divergence_from_the_parent(table):
    w, p_b, parent = _parts(table)
    gain = float(info.information_gain_from_counts(table))
    kl = np.array([info.kl_divergence(p, parent, base=2) for p in p_b])
    assert gain == pytest.approx(float(w @ kl), abs=1e-9)
    # SciPy's KL (nats) says the same
    scipy_kl = np.array([scipy_entropy(p, parent) for p in p_b]) / math.log(2)
    assert gain == pytest.approx(float(w @ scipy_kl), abs=1e-9)


@settings(max_examples=150, deadline=None)
@given(st.one_of(tables, weighted_tables))
def test_gain_is_the_weighted_jensen_shannon_divergence(table):
    w, p_b, _ = _parts(table)
    gain = float(info.information_gain_from_counts(table))
    # JS_w(p_1..p_B) = H(Σ w_b p_b) - Σ w_b H(p_b): the entropy of the mixture minus the
    # mean entropy, with entropies from the probabilities (not the counts)
    js_w = float(info.entropy(w @ p_b)) - float(w @ info.entropy(p_b))
    assert gain == pytest.approx(js_w, abs=1e-9)
    assert gain >= -1e-12


@settings(max_examples=150, deadline=None)
@given(
    st.integers(2, 6).flatmap(
        lambda k: hnp.arrays(np.int64, (2, k), elements=st.integers(0, 30)).filter(
            lambda t: (t.sum(axis=1) > 0).all()
        )
    )
)
def test_two_equal_branches_gain_the_two_point_js_divergence(half):
    # two branches of equal weight: IG is the classic JS(p_1, p_2), and SciPy's
    # jensenshannon is its square root
    sizes = half.sum(axis=1)
    table = half * sizes[::-1, None]  # both rows now weigh sizes[0] * sizes[1]
    gain = float(info.information_gain_from_counts(table))
    p1, p2 = table / table.sum(axis=1, keepdims=True)
    assert gain == pytest.approx(float(info.js_divergence(p1, p2, base=2)), abs=1e-9)
    assert gain == pytest.approx(float(jensenshannon(p1, p2, base=2)) ** 2, abs=1e-9)


@settings(max_examples=100, deadline=None)
@given(tables)
def test_gain_is_the_mutual_information_of_branch_and_class(table):
    # one row per case: the branch it goes to and its class
    branch, cls = np.nonzero(table)
    repeats = table[branch, cls]
    branch, cls = np.repeat(branch, repeats), np.repeat(cls, repeats)
    gain = float(info.information_gain_from_counts(table))
    assert gain == pytest.approx(float(info.mutual_information(branch, cls)), abs=1e-9)
    assert gain == pytest.approx(mutual_info_score(branch, cls) / math.log(2), abs=1e-9)
    # and the criterion the trees grow with scores the split the same
    criterion = InformationGain()
    t = table.astype(float)
    assert float(criterion.split_score(t.sum(0), t)) == pytest.approx(gain, abs=1e-9)


@settings(max_examples=100, deadline=None)
@given(weighted_tables)
def test_fractional_weights_keep_the_mutual_information_identity(table):
    # C4.5's fractional cases: the count table is a weighted contingency table
    branch, cls = np.indices(table.shape).reshape(2, -1)
    weights = table.ravel()
    keep = weights > 0
    gain = float(info.information_gain_from_counts(table))
    mi = float(info.mutual_information(branch[keep], cls[keep], sample_weight=weights[keep]))
    assert gain == pytest.approx(mi, abs=1e-9)
