"""Tests of treelearn.information against worked examples, SciPy, scikit-learn and PyTorch.

PyTorch is not a test dependency: its values for the worked loss examples (computed with
PyTorch 2.13.0 on CPU) ship in ``datasets/seed_losses.json`` and are read with
``treelearn.datasets.load_loss_reference``.
"""

from __future__ import annotations

import math
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from scipy.spatial.distance import jensenshannon
from scipy.special import expit, log_softmax, rel_entr, softmax
from scipy.stats import entropy as scipy_entropy
from sklearn.metrics import log_loss, mutual_info_score

import treelearn
from treelearn import information as info
from treelearn.datasets import load_loss_reference
from treelearn.information import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    conditional_entropy,
    conditional_entropy_from_counts,
    cross_entropy,
    entropy,
    gain_ratio,
    gain_ratio_from_counts,
    gini_impurity,
    information_gain,
    information_gain_from_counts,
    joint_entropy,
    joint_entropy_from_counts,
    js_divergence,
    kl_divergence,
    multilabel_soft_margin_loss,
    mutual_information,
    self_information,
    split_information,
    split_information_from_counts,
)

SEED = load_loss_reference()
LN2 = math.log(2.0)

# Quinlan (1986), the 14-row weather ("play tennis") data; same rows and order as
# Weka's weather.nominal.arff.
WEATHER_COLUMNS = ["outlook", "temperature", "humidity", "windy", "play"]
WEATHER_ROWS = [
    ("sunny", "hot", "high", "FALSE", "no"),
    ("sunny", "hot", "high", "TRUE", "no"),
    ("overcast", "hot", "high", "FALSE", "yes"),
    ("rainy", "mild", "high", "FALSE", "yes"),
    ("rainy", "cool", "normal", "FALSE", "yes"),
    ("rainy", "cool", "normal", "TRUE", "no"),
    ("overcast", "cool", "normal", "TRUE", "yes"),
    ("sunny", "mild", "high", "FALSE", "no"),
    ("sunny", "cool", "normal", "FALSE", "yes"),
    ("rainy", "mild", "normal", "FALSE", "yes"),
    ("sunny", "mild", "normal", "TRUE", "yes"),
    ("overcast", "mild", "high", "TRUE", "yes"),
    ("overcast", "hot", "normal", "FALSE", "yes"),
    ("rainy", "mild", "high", "TRUE", "no"),
]
WEATHER = pd.DataFrame(WEATHER_ROWS, columns=WEATHER_COLUMNS)
PLAY = WEATHER["play"].to_numpy(dtype=object)

# Exact ID3 gains in bits (Quinlan 1986 prints them to three decimals).
GAINS = {
    "outlook": 0.2467498197744391,
    "humidity": 0.15183550136234136,
    "windy": 0.04812703040826927,
    "temperature": 0.029222565658954647,
}


# ------------------------------------------------------------------ worked examples


def test_self_information_worked_examples():
    assert self_information(0.1) == pytest.approx(3.3219, abs=1e-4)
    assert self_information(0.9) == pytest.approx(0.1520, abs=1e-4)
    assert self_information(0.1) == pytest.approx(SEED["self_information_bits"]["0.1"], rel=1e-12)
    assert self_information(0.9) == pytest.approx(SEED["self_information_bits"]["0.9"], rel=1e-12)
    assert self_information(0.1, base=math.e) == pytest.approx(-math.log(0.1))
    assert self_information(1.0) == 0.0
    assert self_information(0.0) == math.inf
    np.testing.assert_allclose(self_information([[0.5], [0.125]]), [[1.0], [3.0]])


def test_kl_and_js_worked_example():
    P, Q = [0.2, 0.4, 0.4], [0.4, 0.2, 0.4]
    assert kl_divergence(P, Q) == pytest.approx(0.1386, abs=1e-4)
    assert kl_divergence(P, Q, base=2) == pytest.approx(0.2, abs=1e-12)
    assert kl_divergence(P, Q) == pytest.approx(SEED["kl_PQ_nats"], rel=1e-12)
    assert kl_divergence(Q, P) == pytest.approx(SEED["kl_QP_nats"], rel=1e-12)
    assert kl_divergence(P, Q, base=2) == pytest.approx(SEED["kl_PQ_bits"], rel=1e-12)
    assert kl_divergence(P, Q) == pytest.approx(SEED["torch_kldiv"], rel=1e-12)
    assert js_divergence(P, Q) == pytest.approx(SEED["js_PQ_nats"], rel=1e-12)
    assert js_divergence(P, Q, base=2) == pytest.approx(SEED["js_PQ_bits"], rel=1e-12)
    assert js_divergence(P, Q) == pytest.approx(0.0340, abs=1e-4)


def test_entropy_of_nine_and_five():
    assert repr(float(entropy([9, 5]))) == "0.9402859586706311"
    assert entropy([9, 5]) == entropy([9 / 14, 5 / 14])


def test_cross_entropy_seed_example_with_ignore_index():
    ex = SEED["ce_example"]
    x, t = np.array(ex["input"]), np.array(ex["target"])
    none = cross_entropy(x, t, ignore_index=10, reduction="none")
    assert none.shape == (1, 3, 3)
    np.testing.assert_allclose(none, ex["none"], atol=1e-5)
    assert none[0, 1, 1] == 0.0  # the ignored position
    assert cross_entropy(x, t, ignore_index=10) == pytest.approx(ex["mean"], abs=1e-5)
    assert cross_entropy(x, t, ignore_index=10, reduction="sum") == pytest.approx(
        ex["mean"] * 8, abs=1e-4
    )
    # Without ignore_index the target 10 is out of range for 10 classes.
    with pytest.raises(ValueError, match=r"outside \[0, 10\)"):
        cross_entropy(x, t)


def test_bce_seed_example_three_forms_agree():
    ex = SEED["bce_example"]
    x, t = np.array(ex["input"]), np.array(ex["target"])
    assert binary_cross_entropy_with_logits(x, t) == pytest.approx(ex["with_logits"], abs=1e-5)
    msm = multilabel_soft_margin_loss(x.reshape(1, 90), t.reshape(1, 90))
    assert msm == pytest.approx(ex["multilabel_soft_margin"], abs=1e-5)
    assert binary_cross_entropy(expit(x), t) == pytest.approx(ex["bce_sigmoid"], abs=1e-5)
    assert ex["with_logits"] == pytest.approx(0.71959, abs=1e-5)


def test_bce_invalid_targets_are_rejected_not_negative():
    assert SEED["bce_invalid_target_quirk"] < 0  # what PyTorch returns
    x = np.array(SEED["bce_example"]["input"])
    t = np.random.default_rng(0).integers(0, 10, size=x.shape).astype(float)
    assert t.max() > 1
    with pytest.raises(ValueError, match=r"target values must lie in \[0, 1\]"):
        binary_cross_entropy_with_logits(x, t)
    with pytest.raises(ValueError, match=r"target values must lie in \[0, 1\]"):
        binary_cross_entropy(expit(x), t)
    with pytest.raises(ValueError, match=r"target values must lie in \[0, 1\]"):
        multilabel_soft_margin_loss(x.reshape(1, 90), t.reshape(1, 90))


# ----------------------------------------------------------------- play tennis (ID3)


def test_weather_table_matches_bundled_arff():
    arff = Path(__file__).parents[1] / "datasets" / "weather.nominal.arff"
    if not arff.exists():
        pytest.skip("datasets/weather.nominal.arff is not in the checkout")
    lines = arff.read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip().lower() == "@data")
    rows = [
        tuple(v.strip() for v in line.split(","))
        for line in lines[start + 1 :]
        if line.strip() and not line.startswith("%")
    ]
    assert rows == WEATHER_ROWS


def test_play_tennis_class_entropy():
    assert entropy([9, 5]) == pytest.approx(0.940, abs=5e-4)
    assert split_information(PLAY) == pytest.approx(entropy([9, 5]), abs=1e-15)


@pytest.mark.parametrize("feature", list(GAINS))
def test_play_tennis_information_gain(feature):
    x = WEATHER[feature].to_numpy(dtype=object)
    assert information_gain(PLAY, x) == pytest.approx(GAINS[feature], abs=1e-9)
    assert information_gain(list(PLAY), list(x)) == pytest.approx(GAINS[feature], abs=1e-9)
    assert mutual_information(x, PLAY) == pytest.approx(GAINS[feature], abs=1e-12)
    assert conditional_entropy(PLAY, x) == pytest.approx(entropy([9, 5]) - GAINS[feature])


def test_play_tennis_quinlan_values():
    x = WEATHER["outlook"]
    assert information_gain(PLAY, x) == pytest.approx(0.246750, abs=1e-6)
    assert information_gain(PLAY, WEATHER["humidity"]) == pytest.approx(0.151836, abs=1e-6)
    assert information_gain(PLAY, WEATHER["windy"]) == pytest.approx(0.048127, abs=1e-6)
    assert information_gain(PLAY, WEATHER["temperature"]) == pytest.approx(0.029223, abs=1e-6)
    assert split_information(x) == pytest.approx(1.577, abs=5e-4)
    assert split_information(x) == pytest.approx(1.577406, abs=1e-6)
    assert gain_ratio(PLAY, x) == pytest.approx(0.156428, abs=1e-6)
    assert gain_ratio(PLAY, WEATHER["humidity"]) == pytest.approx(0.151836, abs=1e-6)
    # The same from the contingency table of outlook (sunny, overcast, rainy) x (yes, no).
    table = np.array([[2, 3], [4, 0], [3, 2]])
    assert information_gain_from_counts(table) == pytest.approx(GAINS["outlook"], abs=1e-12)
    assert split_information_from_counts(table) == pytest.approx(1.577406, abs=1e-6)
    assert gain_ratio_from_counts(table) == pytest.approx(0.156428, abs=1e-6)
    assert conditional_entropy_from_counts(table) == pytest.approx(0.693536, abs=1e-6)
    assert joint_entropy_from_counts(table) == pytest.approx(joint_entropy(x, PLAY), abs=1e-12)


def test_play_tennis_as_pandas_categoricals():
    cat = WEATHER.astype("category")
    # Unused categories must not matter.
    outlook = cat["outlook"].cat.add_categories(["foggy"])
    for feature in GAINS:
        assert information_gain(cat["play"], cat[feature]) == pytest.approx(
            GAINS[feature], abs=1e-12
        )
    assert information_gain(cat["play"], outlook) == pytest.approx(GAINS["outlook"], abs=1e-12)
    assert gain_ratio(cat["play"], outlook) == pytest.approx(0.156428, abs=1e-6)
    assert split_information(outlook) == pytest.approx(1.577406, abs=1e-6)
    # string dtype and booleans as labels
    windy = WEATHER["windy"] == "TRUE"
    assert information_gain(WEATHER["play"].astype("string"), windy) == pytest.approx(
        GAINS["windy"], abs=1e-12
    )


def test_play_tennis_sample_weight_equals_duplicated_rows():
    rng = np.random.default_rng(7)
    w = rng.integers(0, 4, size=len(WEATHER))
    w[0] = 1
    dup = WEATHER.loc[WEATHER.index.repeat(w)]
    for feature in GAINS:
        x, xd = WEATHER[feature], dup[feature]
        for func in (information_gain, gain_ratio, conditional_entropy):
            assert func(WEATHER["play"], x, sample_weight=w) == pytest.approx(
                func(dup["play"], xd), abs=1e-12
            )
        assert mutual_information(x, WEATHER["play"], sample_weight=w) == pytest.approx(
            mutual_information(xd, dup["play"]), abs=1e-12
        )
        assert joint_entropy(x, WEATHER["play"], sample_weight=w) == pytest.approx(
            joint_entropy(xd, dup["play"]), abs=1e-12
        )
        assert split_information(x, sample_weight=w) == pytest.approx(
            split_information(xd), abs=1e-12
        )
    # Fractional weights scale-invariantly.
    assert information_gain(PLAY, WEATHER["outlook"], sample_weight=np.full(14, 0.3)) == (
        pytest.approx(GAINS["outlook"], abs=1e-12)
    )


# --------------------------------------------------------- SciPy and scikit-learn


@pytest.mark.parametrize("base", [2, math.e, 10, 3.5])
def test_entropy_matches_scipy(base):
    rng = np.random.default_rng(1)
    counts = rng.integers(0, 20, size=(50, 6)).astype(float)
    counts[0] = 0
    counts[1, :5] = 0
    ours = entropy(counts, base=base)
    ref = np.array([scipy_entropy(c, base=base) if c.sum() else 0.0 for c in counts])
    np.testing.assert_allclose(ours, ref, rtol=1e-12, atol=1e-15)
    probs = rng.dirichlet(np.ones(7), size=30)
    np.testing.assert_allclose(
        entropy(probs.T, base=base, axis=0), scipy_entropy(probs.T, base=base, axis=0), rtol=1e-12
    )


def test_divergences_match_scipy():
    rng = np.random.default_rng(2)
    for k in (2, 3, 10):
        p, q = rng.dirichlet(np.ones(k), size=2)
        p[0] = 0.0
        p /= p.sum()
        assert kl_divergence(p, q) == pytest.approx(rel_entr(p, q).sum(), rel=1e-12)
        assert kl_divergence(p, q, base=2) == pytest.approx(rel_entr(p, q).sum() / LN2, rel=1e-12)
        assert js_divergence(p, q) == pytest.approx(jensenshannon(p, q) ** 2, rel=1e-10)
        assert js_divergence(p, q, base=2) == pytest.approx(
            jensenshannon(p, q, base=2) ** 2, rel=1e-10
        )


def test_mutual_information_matches_sklearn():
    rng = np.random.default_rng(3)
    for n, a, b in [(20, 2, 3), (500, 5, 4), (1000, 10, 10)]:
        x = rng.integers(0, a, size=n)
        y = (x + rng.integers(0, b, size=n)) % b
        ref = mutual_info_score(x, y)
        assert mutual_information(x, y, base=math.e) == pytest.approx(ref, abs=1e-12)
        assert mutual_information(x, y) == pytest.approx(ref / LN2, abs=1e-12)
        assert information_gain(y, x, base=math.e) == pytest.approx(ref, abs=1e-12)
        labels_x = np.array([f"v{v}" for v in x])
        assert mutual_information(labels_x, y, base=math.e) == pytest.approx(ref, abs=1e-12)


def test_cross_entropy_matches_sklearn_log_loss():
    rng = np.random.default_rng(4)
    n, c = 200, 5
    y = rng.integers(0, c, size=n)
    y[:c] = np.arange(c)
    probs = rng.dirichlet(np.ones(c), size=n)
    labels = np.arange(c)
    ref = log_loss(y, probs, labels=labels)
    assert cross_entropy(np.log(probs), y) == pytest.approx(ref, rel=1e-12)
    logits = rng.normal(scale=3.0, size=(n, c))
    ref = log_loss(y, softmax(logits, axis=1), labels=labels)
    assert cross_entropy(logits, y) == pytest.approx(ref, rel=1e-12)
    assert cross_entropy(logits, y, base=2) == pytest.approx(ref / LN2, rel=1e-12)
    # Class weights: the weighted mean over samples, as log_loss with sample weights.
    w = rng.uniform(0.1, 3.0, size=c)
    ref = log_loss(y, softmax(logits, axis=1), labels=labels, sample_weight=w[y])
    assert cross_entropy(logits, y, weight=w) == pytest.approx(ref, rel=1e-12)
    # Binary: BCE on probabilities.
    yb = rng.integers(0, 2, size=n)
    pb = rng.uniform(0.01, 0.99, size=n)
    assert binary_cross_entropy(pb, yb) == pytest.approx(log_loss(yb, pb), rel=1e-12)
    assert binary_cross_entropy_with_logits(np.log(pb / (1 - pb)), yb) == pytest.approx(
        log_loss(yb, pb), rel=1e-10
    )


# ---------------------------------------------------------------- cross-entropy details


def test_cross_entropy_shapes_and_reductions():
    rng = np.random.default_rng(5)
    x = rng.normal(size=(4, 3, 2, 5))
    t = rng.integers(0, 3, size=(4, 2, 5))
    none = cross_entropy(x, t, reduction="none")
    assert none.shape == (4, 2, 5)
    ref = -np.take_along_axis(log_softmax(x, axis=1), t[:, None], axis=1)[:, 0]
    np.testing.assert_allclose(none, ref, rtol=1e-12)
    assert cross_entropy(x, t) == pytest.approx(ref.mean())
    assert cross_entropy(x, t, reduction="sum") == pytest.approx(ref.sum())
    # single sample of shape (C,) with a scalar target
    single = cross_entropy(x[0, :, 0, 0], t[0, 0, 0], reduction="none")
    assert np.ndim(single) == 0
    assert single == pytest.approx(ref[0, 0, 0])
    # huge logits stay finite
    assert cross_entropy([[1000.0, -1000.0]], [1]) == pytest.approx(2000.0)


def test_cross_entropy_weights_and_ignore_index():
    x = np.array([[1.0, 2.0, 0.5], [0.3, -1.0, 2.0], [0.0, 0.0, 0.0], [2.0, 1.0, 0.1]])
    t = np.array([1, 2, 0, 1])
    w = np.array([0.5, 2.0, 1.0])
    loss = -log_softmax(x, axis=1)[np.arange(4), t]
    keep = np.array([True, False, True, True])
    tt = np.where(keep, t, 1)  # ignore_index = 1 ignores class 1 entirely
    out = cross_entropy(x, tt, weight=w, ignore_index=1, reduction="none")
    np.testing.assert_allclose(out, np.where(tt != 1, w[tt] * loss, 0.0), rtol=1e-12)
    t2 = np.array([1, -100, 0, 1])
    out = cross_entropy(x, t2, weight=w, reduction="none")
    expected = np.where(keep, w[t] * loss, 0.0)
    np.testing.assert_allclose(out, expected, rtol=1e-12)
    mean = cross_entropy(x, t2, weight=w)
    assert mean == pytest.approx(expected.sum() / w[t[keep]].sum(), rel=1e-12)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert math.isnan(cross_entropy(x, np.full(4, -100)))  # as PyTorch: 0 / 0


def test_cross_entropy_label_smoothing_and_probability_targets():
    rng = np.random.default_rng(6)
    x = rng.normal(size=(6, 4))
    t = rng.integers(0, 4, size=6)
    eps = 0.2
    log_q = log_softmax(x, axis=1)
    ref = (1 - eps) * -log_q[np.arange(6), t] + eps / 4 * -log_q.sum(axis=1)
    np.testing.assert_allclose(
        cross_entropy(x, t, label_smoothing=eps, reduction="none"), ref, rtol=1e-12
    )
    onehot = np.eye(4)[t]
    w = np.array([1.0, 0.5, 2.0, 0.25])
    for kwargs in ({}, {"weight": w}):
        np.testing.assert_allclose(
            cross_entropy(x, onehot, label_smoothing=eps, reduction="none", **kwargs),
            cross_entropy(x, t, label_smoothing=eps, reduction="none", **kwargs),
            rtol=1e-12,
        )
    # probability-target 'mean' divides by the number of samples, even with weights
    soft = rng.dirichlet(np.ones(4), size=6)
    per = -(soft * w * log_q).sum(axis=1)
    assert cross_entropy(x, soft, weight=w) == pytest.approx(per.mean(), rel=1e-12)
    assert cross_entropy(x, soft, weight=w, reduction="sum") == pytest.approx(per.sum())


def test_binary_losses_details():
    x = np.array([[-3.0, 0.0, 2.5], [1.0, -0.5, 4.0]])
    t = np.array([[0.0, 1.0, 0.3], [1.0, 0.0, 1.0]])
    pw = np.array([2.0, 0.5, 1.0])
    w = np.array([[1.0], [3.0]])
    s = expit(x)
    ref = -w * (pw * t * np.log(s) + (1 - t) * np.log(1 - s))
    got = binary_cross_entropy_with_logits(x, t, weight=w, pos_weight=pw, reduction="none")
    np.testing.assert_allclose(got, ref, rtol=1e-12)
    ref_bce = -w * (t * np.log(s) + (1 - t) * np.log(1 - s))
    np.testing.assert_allclose(
        binary_cross_entropy(s, t, weight=w, reduction="none"), ref_bce, rtol=1e-12
    )
    assert binary_cross_entropy(s, t, weight=w) == pytest.approx(ref_bce.mean())
    cw = np.array([1.0, 2.0, 0.5])
    msm = multilabel_soft_margin_loss(x, t, weight=cw, reduction="none")
    np.testing.assert_allclose(msm, (cw * -(t * np.log(s) + (1 - t) * np.log(1 - s))).mean(1))
    assert multilabel_soft_margin_loss(x, t, reduction="sum", base=2) == pytest.approx(
        multilabel_soft_margin_loss(x, t, reduction="sum") / LN2
    )
    # BCE clamps log at -100 like PyTorch
    assert binary_cross_entropy([0.0, 1.0], [1.0, 0.0], reduction="none").tolist() == [
        100.0,
        100.0,
    ]
    assert binary_cross_entropy([0.0, 1.0], [0.0, 1.0], reduction="sum") == 0.0


def test_bce_with_logits_finite_and_exact_at_1000():
    x = np.array([1000.0, -1000.0, 1000.0, -1000.0, 1000.0])
    t = np.array([1.0, 0.0, 0.0, 1.0, 0.5])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = binary_cross_entropy_with_logits(x, t, reduction="none")
        pw = binary_cross_entropy_with_logits(x, t, pos_weight=3.0, reduction="none")
    assert np.isfinite(out).all()
    assert out.tolist() == [0.0, 0.0, 1000.0, 1000.0, 500.0]
    assert pw.tolist() == [0.0, 0.0, 1000.0, 3000.0, 500.0]


# ------------------------------------------------------------------- batching


def test_count_table_forms_are_batched():
    rng = np.random.default_rng(8)
    tables = rng.integers(0, 6, size=(3, 4, 5, 3)).astype(float)
    tables[0, 0] = 0  # an empty table
    tables[1, 1, 2:] = 0  # a table with empty branches
    forms = {
        joint_entropy_from_counts: lambda tb: entropy(tb.ravel()) if tb.sum() else 0.0,
        conditional_entropy_from_counts: None,
        information_gain_from_counts: None,
        split_information_from_counts: lambda tb: entropy(tb.sum(1)),
        gain_ratio_from_counts: None,
    }
    for func, direct in forms.items():
        batched = func(tables)
        assert batched.shape == (3, 4)
        for i in range(3):
            for j in range(4):
                assert batched[i, j] == pytest.approx(func(tables[i, j]), abs=1e-12)
                if direct is not None:
                    assert batched[i, j] == pytest.approx(direct(tables[i, j]), abs=1e-12)
    assert (information_gain_from_counts(tables[0, 0]), gain_ratio_from_counts(tables[0, 0])) == (
        0.0,
        0.0,
    )


def test_label_forms_agree_with_count_forms():
    rng = np.random.default_rng(9)
    x = rng.choice(["a", "b", "c"], size=60)
    y = rng.integers(0, 4, size=60)
    table = pd.crosstab(x, y).to_numpy()
    assert information_gain(y, x) == pytest.approx(information_gain_from_counts(table))
    assert gain_ratio(y, x) == pytest.approx(gain_ratio_from_counts(table))
    assert conditional_entropy(y, x) == pytest.approx(conditional_entropy_from_counts(table))
    assert joint_entropy(x, y) == pytest.approx(joint_entropy_from_counts(table))
    assert split_information(x) == pytest.approx(split_information_from_counts(table))


def test_entropy_and_gini_edge_cases():
    assert entropy([0, 0, 5]) == 0.0
    assert math.copysign(1.0, entropy([0, 5])) == 1.0  # +0.0, not -0.0
    assert entropy([0, 0]) == 0.0
    assert gini_impurity([0, 0]) == 0.0
    assert gini_impurity([5, 5]) == 0.5
    assert gini_impurity([9, 5]) == pytest.approx(1 - (9 / 14) ** 2 - (5 / 14) ** 2)
    assert entropy(np.zeros((0, 3))).shape == (0,)
    assert entropy([1, 1, 1, 1], base=4) == pytest.approx(1.0)
    np.testing.assert_allclose(gini_impurity([[1, 3], [2, 2]], axis=0), [4 / 9, 12 / 25])
    assert isinstance(entropy([1, 2]), float)
    assert isinstance(information_gain(PLAY, WEATHER["outlook"]), float)


def test_no_runtime_warnings_on_zeros():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        counts = np.zeros((1000, 4))
        counts[::2, 1] = 3
        assert (entropy(counts) == 0).all()
        assert (gini_impurity(counts) == 0).all()
        assert kl_divergence([1.0, 0.0], [0.0, 1.0]) == math.inf
        assert kl_divergence([0.0, 1.0], [0.5, 0.5]) == pytest.approx(LN2)
        assert kl_divergence([0.5, 0.5], [1.0, 1e-320]) == pytest.approx(
            0.5 * (math.log(0.5) - math.log(1e-320) + math.log(0.5)), rel=1e-3
        )
        assert js_divergence([1.0, 0.0], [0.0, 1.0], base=2) == 1.0
        assert gain_ratio_from_counts(np.zeros((2, 2, 3))).tolist() == [0.0, 0.0]
        assert self_information(0.0) == math.inf


def test_public_api():
    assert treelearn.information is info
    public = {n for n in dir(info) if not n.startswith("_") and callable(getattr(info, n))}
    public = {n for n in public if getattr(info, n).__module__ == info.__name__}
    assert set(info.__all__) == public
    assert len(info.__all__) == 20
    for name in info.__all__:
        doc = getattr(info, name).__doc__
        assert "math::" in doc and ">>>" in doc, name
    assert "base" not in gini_impurity.__code__.co_varnames


# ------------------------------------------------------------------------ bad input


@pytest.mark.parametrize(
    ("call", "exc", "match"),
    [
        (lambda: self_information(-0.1), ValueError, r"probabilities in \[0, 1\]"),
        (lambda: self_information([0.5, 1.5]), ValueError, r"probabilities in \[0, 1\]"),
        (lambda: self_information(float("nan")), ValueError, "NaN"),
        (lambda: self_information("0.5"), TypeError, "numeric"),
        (lambda: entropy([-1, 2]), ValueError, "negative"),
        (lambda: entropy([]), ValueError, "empty"),
        (lambda: entropy(5), ValueError, "at least 1 dimension"),
        (lambda: entropy([1, np.inf]), ValueError, "infinite"),
        (lambda: entropy(["a", "b"]), TypeError, "numeric"),
        (lambda: entropy([1, 2], base=1), ValueError, "greater than 1"),
        (lambda: entropy([1, 2], base=-2), ValueError, "greater than 1"),
        (lambda: entropy([1, 2], base="2"), TypeError, "base must be a real number"),
        (lambda: entropy([[1, 2]], axis=2), ValueError, "axis 2"),
        (lambda: gini_impurity([1, -2]), ValueError, "negative"),
        (lambda: gini_impurity([[], []]), ValueError, "empty"),
        (lambda: kl_divergence([0.5, 0.5], [0.2, 0.3, 0.5]), ValueError, "same shape"),
        (lambda: kl_divergence([0.5, 0.6], [0.5, 0.5]), ValueError, "does not sum to 1"),
        (lambda: kl_divergence([1.5, -0.5], [0.5, 0.5]), ValueError, "negative probabilities"),
        (lambda: kl_divergence([], []), ValueError, "empty"),
        (lambda: kl_divergence(["a"], ["b"]), TypeError, "numeric"),
        (lambda: js_divergence([0.5, 0.5], [0.9, 0.2]), ValueError, "q is not a probability"),
        (lambda: information_gain([1, 2, 3], [1, 2]), ValueError, "different lengths: 2 and 3"),
        (lambda: joint_entropy([1, 2, 3], [1, 2]), ValueError, "different lengths: 3 and 2"),
        (lambda: information_gain([], []), ValueError, "empty"),
        (lambda: information_gain([1, None], [1, 2]), ValueError, "missing values"),
        (lambda: information_gain([1, 2], [1.0, np.nan]), ValueError, "missing values"),
        (
            lambda: information_gain(pd.Series(["a", pd.NA], dtype="string"), [1, 2]),
            ValueError,
            "missing values",
        ),
        (lambda: split_information(pd.Categorical(["a", None])), ValueError, "missing values"),
        (lambda: split_information(np.ones((2, 2))), ValueError, "1-dimensional"),
        (lambda: split_information(pd.DataFrame({"a": [1]})), ValueError, "1-dimensional"),
        (lambda: split_information(3), TypeError, "1-d array-like"),
        (lambda: split_information("abc"), TypeError, "1-d array-like"),
        (
            lambda: gain_ratio([1, 2, 3], [1, 2, 3], sample_weight=[1, 2]),
            ValueError,
            "sample_weight has length 2 but x has length 3",
        ),
        (
            lambda: mutual_information([1, 2], [1, 2], sample_weight=[1, -1]),
            ValueError,
            "negative",
        ),
        (
            lambda: conditional_entropy([1, 2], [1, 2], sample_weight=[0, 0]),
            ValueError,
            "positive sum",
        ),
        (
            lambda: split_information([1, 2], sample_weight=["a", "b"]),
            TypeError,
            "numeric",
        ),
        (lambda: information_gain_from_counts([1, 2]), ValueError, "at least 2 dimension"),
        (lambda: gain_ratio_from_counts([[1, -2]]), ValueError, "negative"),
        (lambda: joint_entropy_from_counts(np.zeros((2, 0))), ValueError, "at least one row"),
        (lambda: cross_entropy([[1.0, 2.0]], [0], reduction="avg"), ValueError, "reduction"),
        (lambda: cross_entropy([[1.0, 2.0]], [2]), ValueError, r"outside \[0, 2\)"),
        (lambda: cross_entropy([[1.0, 2.0]], [-1]), ValueError, r"outside \[0, 2\)"),
        (lambda: cross_entropy([[1.0, 2.0]], [0.5]), ValueError, "integers"),
        (lambda: cross_entropy([[1.0, 2.0]], [0, 1]), ValueError, "matches neither"),
        (lambda: cross_entropy([[1.0, np.nan]], [0]), ValueError, "NaN"),
        (lambda: cross_entropy([[1.0, np.inf]], [0]), ValueError, "finite"),
        (lambda: cross_entropy(1.0, 0), ValueError, "class axis"),
        (lambda: cross_entropy(np.zeros((0, 3)), np.zeros(0)), ValueError, "empty"),
        (lambda: cross_entropy([[1.0, 2.0]], [0], weight=[1.0]), ValueError, r"shape \(2,\)"),
        (lambda: cross_entropy([[1.0, 2.0]], [0], weight=[1, -1]), ValueError, "negative"),
        (
            lambda: cross_entropy([[1.0, 2.0]], [0], label_smoothing=1.5),
            ValueError,
            "label_smoothing",
        ),
        (lambda: cross_entropy([[1.0, 2.0]], [[0.5, 0.6]]), ValueError, "does not sum to 1"),
        (lambda: cross_entropy([["a", "b"]], [0]), TypeError, "numeric"),
        (lambda: binary_cross_entropy([1.2], [1.0]), ValueError, r"probabilities in \[0, 1\]"),
        (lambda: binary_cross_entropy([0.2], [-1.0]), ValueError, "target values"),
        (lambda: binary_cross_entropy([0.2, 0.3], [1.0]), ValueError, "does not match"),
        (lambda: binary_cross_entropy([], []), ValueError, "empty"),
        (
            lambda: binary_cross_entropy([0.2, 0.3], [1.0, 0.0], weight=[1, 2, 3]),
            ValueError,
            "cannot be broadcast",
        ),
        (
            lambda: binary_cross_entropy_with_logits([np.inf], [1.0]),
            ValueError,
            "finite",
        ),
        (
            lambda: binary_cross_entropy_with_logits([0.0], [2.0]),
            ValueError,
            "target values",
        ),
        (
            lambda: binary_cross_entropy_with_logits([0.0], [1.0], pos_weight=[-1.0]),
            ValueError,
            "negative",
        ),
        (
            lambda: binary_cross_entropy_with_logits([0.0], [1.0], reduction=None),
            ValueError,
            "reduction",
        ),
        (lambda: multilabel_soft_margin_loss(0.0, 1.0), ValueError, "class axis"),
        (lambda: multilabel_soft_margin_loss([[0.0]], [[1.5]]), ValueError, "target values"),
    ],
)
def test_bad_input(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


# ---------------------------------------------------------------- property tests

labels = st.lists(st.tuples(st.integers(0, 3), st.integers(0, 4)), min_size=1, max_size=40)


def _distributions(k: int, min_value: float = 0.0):
    return (
        hnp.arrays(np.float64, k, elements=st.floats(min_value, 10.0))
        .filter(lambda a: a.sum() > 1e-3)
        .map(lambda a: a / a.sum())
    )


pairs = st.integers(2, 6).flatmap(lambda k: st.tuples(_distributions(k), _distributions(k)))


@given(labels, st.booleans())
def test_chain_rule_and_mutual_information(pairs_xy, weighted):
    x = np.array([a for a, _ in pairs_xy])
    y = np.array([b for _, b in pairs_xy])
    w = np.arange(1, len(x) + 1) % 3 + 0.5 if weighted else None
    h_x = split_information(x, sample_weight=w)
    h_y = split_information(y, sample_weight=w)
    h_y_x = conditional_entropy(y, x, sample_weight=w)
    assert joint_entropy(x, y, sample_weight=w) == pytest.approx(h_x + h_y_x, abs=1e-9)
    mi = mutual_information(x, y, sample_weight=w)
    assert mi >= 0
    assert mi == pytest.approx(h_y - h_y_x, abs=1e-9)
    assert mi == pytest.approx(mutual_information(y, x, sample_weight=w), abs=1e-9)
    assert information_gain(y, x, sample_weight=w) == pytest.approx(mi, abs=1e-12)
    assert 0 <= gain_ratio(y, x, sample_weight=w) <= 1 + 1e-9


@given(pairs)
def test_kl_properties(pq):
    p, q = pq
    assert kl_divergence(p, p) == 0.0
    kl = kl_divergence(p, q)
    assert kl >= 0
    if np.abs(p - q).max() > 1e-4:
        assert kl > 0


@given(pairs)
def test_js_properties(pq):
    p, q = pq
    js = js_divergence(p, q, base=2)
    assert 0 <= js <= 1
    assert js == pytest.approx(js_divergence(q, p, base=2), abs=1e-12)
    assert js_divergence(p, p) == 0.0


@given(hnp.arrays(np.float64, st.integers(1, 8), elements=st.floats(0.0, 1e6)))
def test_entropy_at_most_log_k(counts):
    h = entropy(counts)
    assert 0 <= h <= math.log2(len(counts)) + 1e-12
    assert 0 <= gini_impurity(counts) <= 1 - 1 / len(counts) + 1e-12


@given(st.integers(2, 6).flatmap(lambda k: st.tuples(_distributions(k), _distributions(k, 1e-3))))
def test_cross_entropy_is_entropy_plus_kl(pq):
    p, q = pq
    ce = cross_entropy(np.log(q), p, reduction="sum")
    assert ce == pytest.approx(entropy(p, base=math.e) + kl_divergence(p, q), rel=1e-9, abs=1e-9)
    assert cross_entropy(np.log(q), p, reduction="sum", base=2) == pytest.approx(
        entropy(p) + kl_divergence(p, q, base=2), rel=1e-9, abs=1e-9
    )


@settings(max_examples=50)
@given(
    hnp.arrays(
        np.int64,
        hnp.array_shapes(min_dims=3, max_dims=3, min_side=1, max_side=4),
        elements=st.integers(0, 5),
    )
)
def test_batched_equals_per_row(counts):
    c = counts.astype(float)
    h, g = entropy(c), gini_impurity(c)
    ig, gr = information_gain_from_counts(c), gain_ratio_from_counts(c)
    assert h.shape == g.shape == c.shape[:-1]
    assert ig.shape == gr.shape == c.shape[:-2]
    for i in range(c.shape[0]):
        np.testing.assert_allclose(ig[i], information_gain_from_counts(c[i]), atol=1e-12)
        np.testing.assert_allclose(gr[i], gain_ratio_from_counts(c[i]), atol=1e-12)
        for j in range(c.shape[1]):
            assert h[i, j] == pytest.approx(entropy(c[i, j]), abs=1e-12)
            assert g[i, j] == pytest.approx(gini_impurity(c[i, j]), abs=1e-12)
    probs = c / np.maximum(c.sum(-1, keepdims=True), 1)
    valid = probs[c.sum(-1) > 0]
    if len(valid) >= 2:
        kl = kl_divergence(valid[:-1], valid[1:])
        for r in range(len(valid) - 1):
            assert kl[r] == kl_divergence(valid[r], valid[r + 1])
