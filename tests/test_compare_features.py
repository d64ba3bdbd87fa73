"""feature_information agrees with the criteria and with the estimators' column rule."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from treelearn import DecisionTreeClassifier, information
from treelearn.compare import feature_information
from treelearn.criteria import GainRatio, InformationGain
from treelearn.datasets import load_dataset

# nominal only, numeric and nominal, missing values in both kinds
DATASETS = ["play_tennis", "weather_numeric", "vote", "labor", "credit_g"]


def _counts(column: pd.Series, codes: np.ndarray, threshold: float, n_classes: int) -> np.ndarray:
    """Branch x class counts of the known rows, written out independently of the module."""
    known = column.notna().to_numpy()
    if np.isnan(threshold):  # nominal: one branch per declared category
        branch = pd.Categorical(column[known]).codes
        n_branches = len(column.cat.categories)
    else:
        branch = (column[known].to_numpy(dtype=float) > threshold).astype(int)
        n_branches = 2
    table = np.zeros((n_branches, n_classes))
    np.add.at(table, (branch, codes[known]), 1.0)
    return table


@pytest.mark.parametrize("name", DATASETS)
def test_feature_information_agrees_with_the_criteria(name):
    X, y = load_dataset(name, as_frame=True, return_X_y=True)
    known = y.notna().to_numpy()
    X, y = X[known], y[known]
    codes, classes = pd.factorize(y.astype(object))
    h, table = feature_information(X, y)
    assert h == pytest.approx(float(InformationGain().impurity(np.bincount(codes))), rel=1e-12)
    gain_ratio = GainRatio()
    for row in table.itertuples():
        counts = _counts(X[row.feature], codes, row.threshold, len(classes))
        n_missing = int(X[row.feature].isna().sum())
        assert row.missing == n_missing
        known_fraction = counts.sum() / len(y)
        # the gain is InformationGain's split score on the known rows, scaled (C4.5)
        own = float(InformationGain().split_score(counts.sum(axis=0), counts)) * known_fraction
        assert row.gain == pytest.approx(max(own, 0.0), rel=1e-12, abs=1e-15), row.feature
        # split information counts the missing rows as one more branch
        parts = np.append(counts.sum(axis=1), n_missing)
        assert row.split_info == pytest.approx(float(information.entropy(parts)), rel=1e-12)
        # the gain ratio is GainRatio's feature score of that gain, its tolerance included
        expected = gain_ratio.feature_score(np.asarray(row.gain), counts.sum(axis=1), n_missing)
        assert row.gain_ratio == float(expected), row.feature


def test_numeric_threshold_is_the_best_by_gain():
    X, y = load_dataset("weather_numeric", as_frame=True, return_X_y=True)
    codes, classes = pd.factorize(y.astype(object))
    _, table = feature_information(X, y)
    humidity = table.set_index("feature").loc["humidity"]
    values = np.unique(X["humidity"].to_numpy(dtype=float))
    gains = []
    for cut in (values[:-1] + values[1:]) / 2:
        counts = _counts(X["humidity"], codes, cut, len(classes))
        gains.append(float(InformationGain().split_score(counts.sum(axis=0), counts)))
    assert humidity["gain"] == pytest.approx(max(gains), rel=1e-12)
    assert humidity["threshold"] == (values[:-1] + values[1:])[int(np.argmax(gains))] / 2


def test_nominal_columns_are_the_estimators_ones():
    """category, object, string and bool columns are nominal; numbers are numeric."""
    rng = np.random.RandomState(0)
    n = 60
    X = pd.DataFrame(
        {
            "category": pd.Categorical(rng.choice(["a", "b", "c"], n), categories=list("abcd")),
            "object": rng.choice(["x", "y", None], n).astype(object),
            "string": pd.array(rng.choice(["p", "q"], n), dtype="string"),
            "bool": rng.rand(n) > 0.5,
            "int": rng.randint(0, 4, n),
            "float": rng.normal(size=n),
        }
    )
    y = rng.choice(["yes", "no"], n)
    _, table = feature_information(X, y)
    kinds = table.set_index("feature")["type"]
    fitted = DecisionTreeClassifier().fit(X, y)
    for j, column in enumerate(X.columns):
        if fitted.categorical_features_[j]:
            assert kinds[column] == f"nominal ({len(fitted.categories_[j])})", column
        else:
            assert kinds[column] == "numeric", column
    assert kinds.to_dict() == {
        "category": "nominal (4)",  # declared categories, also the unused one
        "object": "nominal (2)",
        "string": "nominal (2)",
        "bool": "nominal (2)",
        "int": "numeric",
        "float": "numeric",
    }


def test_feature_information_errors():
    X = pd.DataFrame({"a": [1.0, 2.0, 3.0]})
    with pytest.raises(ValueError, match="missing values"):
        feature_information(X, ["u", None, "v"])
    with pytest.raises(ValueError, match="rows"):
        feature_information(X, ["u", "v"])
