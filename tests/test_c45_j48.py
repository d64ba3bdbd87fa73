"""C45Classifier against Weka's J48 (3.6.14): every bundled dataset, ten option settings.

The fixtures in tests/fixtures/j48 are J48's own printouts (see the README there). For
each dataset and setting, treelearn's tree printed in J48's layout must equal J48's tree
line for line, with the same number of leaves, tree size and training accuracy; the
training-set class distributions must equal J48's ``-p 0 -distribution`` output.
"""

from __future__ import annotations

import numpy as np
import pytest
from j48_reference import format_tree, load_fixture, load_predictions

from treelearn import C45Classifier
from treelearn.datasets import load_dataset
from treelearn.export import export_text

DATASETS = [
    "weather.nominal",
    "weather.numeric",
    "contact-lenses",
    "labor",
    "iris",
    "breast-cancer",
    "vote",
    "glass",
    "ionosphere",
    "diabetes",
    "soybean",
    "credit-g",
    "segment-challenge",
]

# J48 option setting (fixture slug) -> C45Classifier parameters
SETTINGS = {
    "default": {},
    "U": {"pruning": None},
    "S": {"subtree_raising": False},
    "B": {"categorical_split": "binary"},
    "A": {"laplace": True},
    "R": {"pruning": "reduced_error"},
    "C0.1": {"confidence": 0.1},
    "M5": {"min_samples_leaf": 5},
    "B_U": {"categorical_split": "binary", "pruning": None},
    "U_M1": {"pruning": None, "min_samples_leaf": 1},
}

_FITTED: dict[tuple[str, str], tuple] = {}


def fitted(stem: str, setting: str):
    key = (stem, setting)
    if key not in _FITTED:
        X, y = load_dataset(stem, return_X_y=True)
        _FITTED[key] = (C45Classifier(**SETTINGS[setting]).fit(X, y), X, y)
    return _FITTED[key]


@pytest.mark.parametrize("setting", list(SETTINGS))
@pytest.mark.parametrize("stem", DATASETS)
def test_same_tree_as_j48(stem: str, setting: str) -> None:
    est, X, y = fitted(stem, setting)
    j48_tree, summary = load_fixture(stem, setting)
    expected = format_tree(j48_tree, header=False, raw_thresholds=setting.startswith("B"))
    assert export_text(est, layout="j48").strip() == expected.strip()
    assert est.get_n_leaves() == summary.n_leaves
    assert est.tree_.node_count == summary.size
    # J48's evaluation takes the class of the highest predicted probability
    chosen = est.classes_[np.argmax(est.predict_proba(X), axis=1)]
    accuracy = 100 * np.mean(chosen == np.asarray(y))
    assert accuracy == pytest.approx(summary.train_correct_pct, abs=1e-3)


@pytest.mark.parametrize("setting", ["default", "A"])
@pytest.mark.parametrize("stem", DATASETS)
def test_training_distributions_match_j48(stem: str, setting: str) -> None:
    est, X, _ = fitted(stem, setting)
    rows = load_predictions(stem, setting)
    proba = est.predict_proba(X)
    expected = np.array([r.distribution for r in rows])
    # J48 prints 3 decimals
    np.testing.assert_allclose(proba, expected, atol=5.1e-4)
    # classifyInstance ignores Laplace: predict uses the plain distribution
    plain = np.array([r.predicted for r in rows])
    if setting == "default":
        np.testing.assert_array_equal(est.predict(X), est.classes_[plain])


def test_laplace_changes_probabilities_not_predictions() -> None:
    X, y = load_dataset("soybean", return_X_y=True)
    plain = C45Classifier().fit(X, y)
    smooth = C45Classifier(laplace=True).fit(X, y)
    np.testing.assert_array_equal(plain.predict(X), smooth.predict(X))
    assert not np.allclose(plain.predict_proba(X), smooth.predict_proba(X))
    np.testing.assert_allclose(smooth.predict_proba(X).sum(axis=1), 1.0)


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"confidence": 0.0}, "confidence"),
        ({"confidence": 0.6}, "confidence"),
        ({"pruning": "pessimistic"}, "pruning"),
        ({"reduced_error_folds": 1}, "reduced_error_folds"),
        ({"min_samples_leaf": -1}, "min_samples_leaf"),
    ],
)
def test_bad_parameters(params: dict, match: str) -> None:
    X, y = load_dataset("iris", return_X_y=True)
    with pytest.raises(ValueError, match=match):
        C45Classifier(**params).fit(X, y)


def test_all_missing_feature_and_fractional_nodes_do_not_crash() -> None:
    X, y = load_dataset("labor", return_X_y=True)
    X = X.copy()
    X["duration"] = np.nan  # a feature that is always missing
    est = C45Classifier().fit(X, y)
    assert est.predict_proba(X).shape == (len(y), 2)
    assert np.isfinite(est.predict_proba(X)).all()
    # labor grows nodes made only of fractional copies of cases
    unpruned = C45Classifier(pruning=None, min_samples_leaf=1).fit(X, y)
    assert np.isfinite(unpruned.tree_.value).all()
