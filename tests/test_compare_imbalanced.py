"""Imbalanced data in comparisons: fold-safe scorers, the imbalanced suite, "+balanced".

The scorers agree with scikit-learn's wherever scikit-learn's are defined (every class
in both the training and the test fold), and keep working where a fold lacks a class;
the suite's documented facts are checked against the data.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import average_precision_score, roc_auc_score
from sklearn.metrics import get_scorer as sklearn_get_scorer
from sklearn.preprocessing import label_binarize

from treelearn import C45Classifier, CARTClassifier, DecisionTreeClassifier
from treelearn.compare import (
    IMBALANCED_TASKS,
    compare_criteria,
    friedman_test,
    get_scorer,
    imbalanced_suite,
    resolve_criteria,
)
from treelearn.datasets import list_datasets, load_dataset

SCORES = ["balanced_accuracy", "roc_auc_ovr", "average_precision", "f1_macro"]


def _data(name):
    """A bundled set as a comparison sees it: the class as plain labels."""
    X, y = load_dataset(name, return_X_y=True)
    return X, np.asarray(y.astype(object))


def _fit(name, **params):
    X, y = _data(name)
    return X, y, CARTClassifier(random_state=0, max_depth=4, **params).fit(X, y)


# --------------------------------------------------------------- against scikit-learn


@pytest.mark.parametrize("name", ["glass", "iris", "segment"])
def test_roc_auc_ovr_is_sklearns_when_every_class_is_there(name):
    X, y, model = _fit(name)
    ours = get_scorer("roc_auc_ovr")(model, X, y)
    proba = model.predict_proba(X)
    assert ours == pytest.approx(roc_auc_score(y, proba, multi_class="ovr", average="macro"))


@pytest.mark.parametrize("name", ["diabetes", "credit_g", "ionosphere"])
def test_binary_scores_are_sklearns(name):
    X, y, model = _fit(name)
    assert list(model.classes_) == sorted(model.classes_)  # plain labels sort
    for score in ("roc_auc", "roc_auc_ovr", "average_precision"):
        ours = get_scorer(score)(model, X, y)
        positive = y == model.classes_[1]
        proba = model.predict_proba(X)[:, 1]
        reference = (
            average_precision_score(positive, proba)
            if score == "average_precision"
            else roc_auc_score(positive, proba)
        )
        assert ours == pytest.approx(reference), score


def test_the_positive_class_is_the_models_last_class():
    X, y = load_dataset("credit_g", return_X_y=True)  # categorical: declared good, bad
    model = CARTClassifier(random_state=0, max_depth=4).fit(X, y)
    assert list(model.classes_) == ["good", "bad"]
    bad = (y == "bad").to_numpy()
    proba = model.predict_proba(X)[:, 1]
    assert get_scorer("roc_auc")(model, X, y) == pytest.approx(roc_auc_score(bad, proba))
    assert get_scorer("average_precision")(model, X, y) == pytest.approx(
        average_precision_score(bad, proba)
    )


def test_multiclass_average_precision_is_sklearns_macro():
    X, y, model = _fit("segment")
    ours = get_scorer("average_precision")(model, X, y)
    reference = average_precision_score(
        label_binarize(y, classes=model.classes_), model.predict_proba(X), average="macro"
    )
    assert ours == pytest.approx(reference)


def test_other_names_are_sklearns_scorers():
    assert get_scorer("balanced_accuracy") is not None
    X, y, model = _fit("glass")
    for name in ("balanced_accuracy", "f1_macro", "accuracy"):
        assert get_scorer(name)(model, X, y) == pytest.approx(sklearn_get_scorer(name)(model, X, y))
    with pytest.raises(ValueError):
        get_scorer("no_such_score")


# --------------------------------------------------------------- classes missing


def test_a_class_missing_from_training_scores_zero_probability():
    X, y = _data("glass")
    rare = y == "tableware"
    model = CARTClassifier(random_state=0).fit(X[~rare], y[~rare])
    assert "tableware" not in model.classes_
    ours = get_scorer("roc_auc_ovr")(model, X, y)
    labels = np.unique(y)
    proba = np.zeros((len(y), len(labels)))
    proba[:, np.searchsorted(labels, model.classes_)] = model.predict_proba(X)
    by_class = [roc_auc_score(y == c, proba[:, k]) for k, c in enumerate(labels)]
    assert ours == pytest.approx(np.mean(by_class))
    assert by_class[list(labels).index("tableware")] == 0.5  # all scores 0: no ranking
    assert 0 < get_scorer("average_precision")(model, X, y) <= 1


def test_a_class_missing_from_the_test_fold_is_left_out_of_the_mean():
    X, y, model = _fit("glass")
    keep = y != "tableware"
    ours = get_scorer("roc_auc_ovr")(model, X[keep], y[keep])
    present = [k for k, c in enumerate(model.classes_) if c != "tableware"]
    proba = model.predict_proba(X[keep])
    assert ours == pytest.approx(
        np.mean([roc_auc_score(y[keep] == model.classes_[k], proba[:, k]) for k in present])
    )


def test_undefined_folds_are_refused_clearly():
    X, y, model = _fit("glass")
    one = y == "headlamps"
    with pytest.raises(ValueError, match="single class"):
        get_scorer("roc_auc_ovr")(model, X[one], y[one])
    with pytest.raises(ValueError, match="roc_auc_ovr"):
        get_scorer("roc_auc")(model, X, y)
    Xb, yb, binary = _fit("diabetes")
    negative = yb == binary.classes_[0]
    with pytest.raises(ValueError, match="positive class"):
        get_scorer("average_precision")(binary, Xb[negative], yb[negative])


def test_every_score_works_on_every_bundled_set():
    result = compare_criteria(
        list_datasets(), ["cart", "c4.5"], cv=5, scoring=SCORES, error_score="raise"
    )
    for score in SCORES:
        values = result[f"{score}_mean"]
        assert values.notna().all() and values.between(0, 1).all(), score


def test_ten_folds_of_glass_and_soybean_lose_a_class_and_still_score():
    # tableware (9 cases) and herbicide-injury (8) miss some test folds of 10
    result = compare_criteria(
        ["glass", "soybean"], ["cart"], cv=10, scoring=SCORES, error_score="raise"
    )
    assert result[[f"{s}_mean" for s in SCORES]].notna().all().all()


# --------------------------------------------------------------- the suite


def test_imbalanced_suite_matches_its_documented_facts():
    suite = imbalanced_suite()
    assert list(suite) == list(IMBALANCED_TASKS)
    documented = {  # the table of imbalanced_suite's docstring
        "glass_containers": 0.061,
        "glass_vehic_float": 0.079,
        "soybean_phyllosticta": 0.029,
        "soybean_2_4_d_injury": 0.023,
        "segment_window": 0.136,
        "synthetic_5pct": 0.050,
        "synthetic_1pct": 0.010,
        "synthetic_3class": 0.050,
    }
    for label, (X, y) in suite.items():
        task = IMBALANCED_TASKS[label]
        assert X.shape[0] == y.shape[0] == task.n_samples, label
        minority = int(y.max())
        assert int((y == minority).sum()) == task.n_minority, label
        assert round(task.minority_fraction, 3) == documented[label], label
        assert y.dtype.kind == "i"
        if task.source != "make_classification":
            source = load_dataset(task.source, as_frame=True)
            pd.testing.assert_frame_equal(X, source.data)
            assert ((source.target.astype(object) == task.minority).to_numpy() == (y == 1)).all()
    assert np.bincount(suite["synthetic_3class"][1]).tolist() == [1700, 200, 100]
    again = imbalanced_suite()
    assert np.array_equal(again["synthetic_5pct"][0], suite["synthetic_5pct"][0])
    assert not np.array_equal(
        imbalanced_suite(random_state=1)["synthetic_5pct"][0], suite["synthetic_5pct"][0]
    )


def test_balanced_suffix_sets_class_weight():
    resolved = dict(resolve_criteria(["cart+balanced", "C4.5+balanced", "hellinger+balanced"]))
    assert list(resolved) == ["CART+balanced", "C4.5+balanced", "hellinger+balanced"]
    assert isinstance(resolved["CART+balanced"], CARTClassifier)
    assert isinstance(resolved["C4.5+balanced"], C45Classifier)
    assert isinstance(resolved["hellinger+balanced"], DecisionTreeClassifier)
    assert all(est.class_weight == "balanced" for est in resolved.values())
    assert dict(resolve_criteria(["cart"]))["CART"].class_weight is None
    with pytest.raises(ValueError, match="unknown criterion"):
        resolve_criteria(["nothing+balanced"])


def test_compare_on_the_suite_with_balanced_accuracy_and_friedman():
    suite = imbalanced_suite()
    result = compare_criteria(
        suite,
        ["cart", "cart+balanced", "hellinger"],
        cv=3,
        scoring=["balanced_accuracy", "roc_auc_ovr"],
        error_score="raise",
    )
    assert result.attrs["metric"] == "balanced_accuracy"
    assert set(result["dataset"]) == set(IMBALANCED_TASKS)
    pivot = result.pivot(index="dataset", columns="criterion", values="balanced_accuracy_mean")
    # the weights change the trees (fully grown CART is not better for it, as measured)
    assert not np.allclose(pivot["CART+balanced"], pivot["CART"])
    friedman = friedman_test(result)
    assert (friedman["n_datasets"] == len(IMBALANCED_TASKS)).all()
