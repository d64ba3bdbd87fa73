"""ID3 on the textbook data sets: Quinlan's play-tennis tree and gains, contact lenses.

Quinlan, "Induction of decision trees", Machine Learning 1 (1986): on the 14 Saturday
mornings the gains at the root are outlook 0.246 bits, humidity 0.151, windy 0.048 and
temperature 0.029; the tree has outlook at the root, humidity under sunny, windy under
rain, and a leaf under overcast (5 leaves, depth 2).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from treelearn import DecisionTreeClassifier, ID3Classifier, information
from treelearn.datasets import load_contact_lenses, load_play_tennis, load_weather_numeric

QUINLAN_GAINS = {"outlook": 0.246, "humidity": 0.151, "windy": 0.048, "temperature": 0.029}
EXACT_GAINS = {
    "outlook": 0.246750,
    "humidity": 0.151836,
    "windy": 0.048127,
    "temperature": 0.029223,
}


@pytest.fixture(scope="module")
def tennis():
    data = load_play_tennis(as_frame=True)
    return data.data, data.target


@pytest.fixture(scope="module")
def id3(tennis):
    X, y = tennis
    return ID3Classifier().fit(X, y)


def describe(est) -> dict:
    """The tree as nested dicts: {feature: {category: subtree or class}}."""
    tree, names = est.tree_, list(est.feature_names_in_)

    def sub(node):
        if tree.n_children[node] == 0:
            return est.classes_[int(np.argmax(tree.value[node]))]
        f = int(tree.feature[node])
        out = {}
        for child, cats in zip(tree.children(node), tree.branch_categories(node), strict=True):
            for c in cats:
                out[est.categories_[f][c]] = sub(child)
        return {names[f]: out}

    return sub(0)


def test_defaults():
    params = ID3Classifier().get_params()
    assert params["criterion"] == "entropy"
    assert params["categorical_split"] == "multiway"
    assert params["max_depth"] is None and params["min_samples_leaf"] == 1


def test_quinlans_tree(id3):
    assert describe(id3) == {
        "outlook": {
            "sunny": {"humidity": {"high": "no", "normal": "yes"}},
            "overcast": "yes",
            "rainy": {"windy": {"TRUE": "no", "FALSE": "yes"}},
        }
    }
    assert id3.get_n_leaves() == 5
    assert id3.get_depth() == 2
    assert id3.tree_.node_count == 8
    # every leaf is pure and the training data are classified without error
    leaves = id3.tree_.is_leaf
    assert np.all(np.count_nonzero(id3.tree_.value[leaves], axis=1) == 1)


def test_training_accuracy(id3, tennis):
    X, y = tennis
    assert id3.score(X, y) == 1.0
    np.testing.assert_array_equal(id3.classes_, ["yes", "no"])  # declared order


def test_root_statistics(id3):
    tree = id3.tree_
    np.testing.assert_allclose(tree.value[0], [9, 5])
    assert tree.impurity[0] == pytest.approx(0.940286, abs=1e-6)
    assert tree.split_score[0] == pytest.approx(EXACT_GAINS["outlook"], abs=1e-6)
    assert tree.gain[0] == pytest.approx(QUINLAN_GAINS["outlook"], abs=1e-3)
    # sunny and rainy nodes: 5 cases (2/3 and 3/2), entropy 0.971, a perfect split
    for node in (1, 3):
        assert tree.impurity[node] == pytest.approx(0.970951, abs=1e-6)
        assert tree.split_score[node] == pytest.approx(0.970951, abs=1e-6)


@pytest.mark.parametrize("feature", list(QUINLAN_GAINS))
def test_quinlan_gains_reproducible_from_the_tree(tennis, feature):
    X, y = tennis
    # the gain of one feature at the root: the root of a stump grown on it alone
    stump = ID3Classifier(max_depth=1).fit(X[[feature]], y)
    assert stump.tree_.split_score[0] == pytest.approx(EXACT_GAINS[feature], abs=1e-6)
    assert stump.tree_.split_score[0] == pytest.approx(QUINLAN_GAINS[feature], abs=1e-3)
    # and from the labels directly
    assert information.information_gain(X[feature], y) == pytest.approx(
        EXACT_GAINS[feature], abs=1e-6
    )


def test_root_gain_is_the_largest(id3, tennis):
    X, y = tennis
    gains = {f: ID3Classifier(max_depth=1).fit(X[[f]], y).tree_.split_score[0] for f in X}
    assert max(gains, key=gains.get) == "outlook"
    assert id3.tree_.split_score[0] == pytest.approx(max(gains.values()))
    # Quinlan's ranking
    assert sorted(gains, key=gains.get, reverse=True) == [
        "outlook",
        "humidity",
        "windy",
        "temperature",
    ]


def test_gains_under_sunny(tennis):
    # Quinlan: under sunny, humidity 0.971, temperature 0.571, windy 0.020
    X, y = tennis
    sunny = X["outlook"] == "sunny"
    expected = {"humidity": 0.970951, "temperature": 0.570951, "windy": 0.019973}
    for f, g in expected.items():
        stump = ID3Classifier(max_depth=1).fit(X.loc[sunny, [f]], y[sunny])
        assert stump.tree_.split_score[0] == pytest.approx(g, abs=1e-6)


def test_same_tree_from_strings_and_numpy(tennis, id3):
    X, y = tennis
    as_object = X.astype(str).astype(object)
    a = ID3Classifier().fit(as_object, y.astype(str))
    assert describe(a) == describe(id3)
    as_numpy = X.to_numpy(dtype=object)
    b = ID3Classifier(categorical_features=[0, 1, 2, 3]).fit(as_numpy, np.asarray(y, str))
    np.testing.assert_array_equal(b.predict(as_numpy), a.predict(as_object))
    assert b.get_n_leaves() == 5 and b.get_depth() == 2
    assert b.tree_.split_score[0] == pytest.approx(EXACT_GAINS["outlook"], abs=1e-6)


def test_same_tree_as_generic_estimator(tennis, id3):
    X, y = tennis
    generic = DecisionTreeClassifier(criterion="entropy").fit(X, y)
    assert describe(generic) == describe(id3)


def test_unseen_category_is_spread_over_the_branches(id3):
    # an unseen outlook goes down all three branches with weights 5/14, 4/14, 5/14
    row = pd.DataFrame(
        {"outlook": ["foggy"], "temperature": ["hot"], "humidity": ["high"], "windy": ["FALSE"]}
    )
    proba = id3.predict_proba(row)[0]
    # sunny -> high humidity -> no; overcast -> yes; rainy -> not windy -> yes
    np.testing.assert_allclose(proba, [9 / 14, 5 / 14])
    assert id3.predict(row)[0] == "yes"
    missing = row.assign(outlook=[None])
    np.testing.assert_allclose(id3.predict_proba(missing)[0], [9 / 14, 5 / 14])


def test_weather_numeric():
    data = load_weather_numeric(as_frame=True)
    est = ID3Classifier().fit(data.data, data.target)
    tree = est.tree_
    names = list(est.feature_names_in_)
    assert names[tree.feature[0]] == "outlook"
    assert est.get_n_leaves() == 5 and est.get_depth() == 2
    sunny = 1 + est.categories_[0].tolist().index("sunny")
    node = tree.children(0)[sunny - 1]
    assert names[tree.feature[node]] == "humidity"
    # midpoint between 75 and 80 (C4.5 would print 75)
    assert tree.threshold[node] == pytest.approx(77.5)
    assert est.score(data.data, data.target) == 1.0


def test_contact_lenses():
    # Weka's Id3 on contact-lenses.arff (Witten & Frank): 9 leaves, depth 4
    data = load_contact_lenses(as_frame=True)
    est = ID3Classifier().fit(data.data, data.target)
    assert describe(est) == {
        "tear-prod-rate": {
            "reduced": "none",
            "normal": {
                "astigmatism": {
                    "no": {
                        "age": {
                            "young": "soft",
                            "pre-presbyopic": "soft",
                            "presbyopic": {
                                "spectacle-prescrip": {"myope": "none", "hypermetrope": "soft"}
                            },
                        }
                    },
                    "yes": {
                        "spectacle-prescrip": {
                            "myope": "hard",
                            "hypermetrope": {
                                "age": {
                                    "young": "hard",
                                    "pre-presbyopic": "none",
                                    "presbyopic": "none",
                                }
                            },
                        }
                    },
                }
            },
        }
    }
    assert est.get_n_leaves() == 9 and est.get_depth() == 4
    assert est.tree_.split_score[0] == pytest.approx(0.548795, abs=1e-6)
    assert est.score(data.data, data.target) == 1.0
