"""The small-data fast paths give what the general paths give (issue 19, small data).

* CART's ordered-cut categorical search of features padded into one block grows the
  tree of the search by exact number of categories (``_builder._PADDED_CATEGORIES``),
  and so do the multiway searches of C4.5 and ID3 (``_builder._PADDED_MULTIWAY``);
* ``validate_features`` sets and checks feature names as scikit-learn's
  ``validate_data`` does, and falls back to it for every mismatch;
* ``check_y`` of a categorical target with string categories returns the labels the
  object conversion returns;
* J48's majority class of whole-number counts is their first maximum.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.tree import DecisionTreeClassifier as SkTree
from sklearn.utils.validation import validate_data

from treelearn import C45Classifier, CARTClassifier, DecisionTreeClassifier, ID3Classifier
from treelearn import _builder as builder
from treelearn._growth_rules import RpartRules, SklearnRules
from treelearn._validation import check_y, validate_features


def _mixed_frame(seed: int, n: int = 120, missing: float = 0.1) -> tuple[pd.DataFrame, pd.Series]:
    rng = np.random.default_rng(seed)
    cols = {}
    for j, c in enumerate((2, 3, 5, 9, 13, 3, 20)):
        codes = rng.integers(0, c, n)
        values = pd.Categorical.from_codes(codes, [f"v{k}" for k in range(c)])
        s = pd.Series(values)
        s[rng.random(n) < missing] = np.nan
        cols[f"c{j}"] = s
    cols["x"] = rng.normal(size=n)
    X = pd.DataFrame(cols)
    signal = X["c2"].cat.codes.to_numpy() % 2 + (X["x"].to_numpy() > 0)
    y = pd.Series(np.where(signal + rng.random(n) > 1.2, "yes", "no"))
    return X, y


ESTIMATORS = [
    lambda: CARTClassifier(),
    lambda: CARTClassifier(cp=0.0),
    lambda: CARTClassifier(cp=0.0, min_samples_leaf=3),
    lambda: CARTClassifier(min_samples_leaf=3),
    lambda: CARTClassifier(missing_values="learned"),
    lambda: DecisionTreeClassifier(criterion="gini", categorical_split="binary"),
]


@settings(max_examples=8, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), which=st.integers(0, len(ESTIMATORS) - 1))
def test_padded_categorical_blocks_grow_the_same_tree(seed, which):
    X, y = _mixed_frame(seed)
    padded = ESTIMATORS[which]().fit(X, y)
    old = builder._PADDED_CATEGORIES
    builder._PADDED_CATEGORIES = 1  # every feature in a block of its own number
    try:
        exact = ESTIMATORS[which]().fit(X, y)
    finally:
        builder._PADDED_CATEGORIES = old
    assert padded.to_json() == exact.to_json()
    np.testing.assert_array_equal(padded.predict_proba(X), exact.predict_proba(X))


MULTIWAY = [
    lambda: C45Classifier(),
    lambda: C45Classifier(pruning=None, min_samples_leaf=1),
    lambda: ID3Classifier(),
    lambda: DecisionTreeClassifier(criterion="gain_ratio", missing_values="fractional"),
]


@settings(max_examples=12, deadline=None)
@given(
    seed=st.integers(0, 2**31 - 1),
    which=st.integers(0, len(MULTIWAY) - 1),
    missing=st.sampled_from([0.0, 0.1]),
    weighted=st.booleans(),
)
def test_padded_multiway_blocks_grow_the_same_tree(seed, which, missing, weighted):
    """Multiway searches of features of up to ``_PADDED_MULTIWAY`` categories padded
    into one block grow the tree of the search by exact number of categories (whole
    weights; fractional copies of rows turn the padding off)."""
    X, y = _mixed_frame(seed, missing=missing)
    w = np.random.default_rng(seed).integers(1, 4, len(y)).astype(float) if weighted else None
    padded = MULTIWAY[which]().fit(X, y, sample_weight=w)
    old = builder._PADDED_MULTIWAY
    builder._PADDED_MULTIWAY = 1  # every feature in a block of its own number
    try:
        exact = MULTIWAY[which]().fit(X, y, sample_weight=w)
    finally:
        builder._PADDED_MULTIWAY = old
    assert padded.to_json() == exact.to_json()
    np.testing.assert_array_equal(padded.predict_proba(X), exact.predict_proba(X))


def test_padding_applies_to_two_class_ordered_cuts_only():
    X, y = _mixed_frame(0)
    assert CARTClassifier().fit(X, y).tree_.node_count > 1
    three = y.where(X["x"] < 1, "maybe")
    binary = {"categorical_split": "binary"}
    assert SklearnRules(**binary).ordered_cuts_only(2)
    assert not SklearnRules(**binary).ordered_cuts_only(3)
    assert not SklearnRules(min_samples_leaf=2, **binary).ordered_cuts_only(2)
    assert not SklearnRules(categorical_split="multiway").ordered_cuts_only(2)
    assert RpartRules(min_samples_leaf=2, **binary).ordered_cuts_only(2)
    # more classes: exhaustive subsets, never padded; still fits
    assert CARTClassifier().fit(X, three).tree_.node_count >= 1


class _Named:
    """A bare object scikit-learn's validate_data can set attributes on."""

    def __sklearn_tags__(self):
        return CARTClassifier().__sklearn_tags__()


def test_validate_features_sets_what_validate_data_sets():
    X, _ = _mixed_frame(1, 20)
    ours, theirs = _Named(), _Named()
    validate_features(ours, X, reset=True)
    validate_data(theirs, X, reset=True, skip_check_array=True)
    assert ours.n_features_in_ == theirs.n_features_in_ == X.shape[1]
    np.testing.assert_array_equal(ours.feature_names_in_, theirs.feature_names_in_)
    assert ours.feature_names_in_.dtype == theirs.feature_names_in_.dtype == object
    validate_features(ours, X, reset=False)  # the same names: no warning, no error


def test_validate_features_falls_back_on_every_mismatch():
    X, y = _mixed_frame(2, 40)
    est = CARTClassifier().fit(X, y)
    with pytest.raises(ValueError, match="feature names should match"):
        est.predict(X[X.columns[::-1]])
    with pytest.warns(UserWarning, match="does not have valid feature names"):
        est.predict(X.set_axis(range(X.shape[1]), axis=1))
    numeric = pd.DataFrame({"a": np.arange(6.0), "b": np.arange(6.0) % 2})
    fitted = CARTClassifier().fit(numeric, [0, 1, 0, 1, 0, 1])
    with pytest.raises(ValueError, match="feature names should match"):
        fitted.predict(numeric.rename(columns={"b": "c"}))
    with pytest.warns(UserWarning, match="fitted without feature names"):
        CARTClassifier().fit(numeric.to_numpy(), [0, 1, 0, 1, 0, 1]).predict(numeric)
    est.fit(X.set_axis(range(X.shape[1]), axis=1), y)  # no names: the attribute goes
    assert not hasattr(est, "feature_names_in_")


def test_check_y_named_categorical_matches_the_object_path():
    y = pd.Series(pd.Categorical(["b", "a", "b", "c"], categories=["c", "b", "a"]))
    out = check_y(y)
    expected = np.asarray(y.astype(object))
    assert out.dtype == expected.dtype == object
    assert out.tolist() == expected.tolist()
    with_missing = pd.Series(pd.Categorical(["a", None, "b"]))
    with pytest.raises(ValueError, match=r"contains NaN .* at 1 position"):
        check_y(with_missing)


@pytest.mark.parametrize(
    "labels", [[1, 2, 1, 2, 1, 2], [True, False, True, False, True, False], [0.0, 1.0] * 3]
)
def test_categorical_target_with_numeric_categories(labels):
    # a categorical y whose categories are numbers was cast to object and refused as
    # scikit-learn's "unknown" target type; scikit-learn's own tree takes it
    X = np.arange(6.0).reshape(-1, 1)
    y = pd.Series(pd.Categorical(labels))
    ours = DecisionTreeClassifier().fit(X, y)
    theirs = SkTree().fit(X, y)
    np.testing.assert_array_equal(ours.classes_, theirs.classes_)
    np.testing.assert_array_equal(ours.predict(X), theirs.predict(X))


@settings(max_examples=60, deadline=None)
@given(
    counts=st.lists(st.lists(st.integers(0, 5), min_size=3, max_size=3), min_size=1, max_size=12)
)
def test_whole_counts_take_the_first_maximum(counts):
    """``max_class(whole=True)`` (counts known to be whole numbers) is J48's scan, and
    the estimates built on it are the general path's bit for bit."""
    from treelearn._j48_estimates import estimated_errors, max_class

    dist = np.array(counts, dtype=np.float64)
    np.testing.assert_array_equal(max_class(dist, whole=True), max_class(dist))
    np.testing.assert_array_equal(
        estimated_errors(dist, 0.25, whole=True), estimated_errors(dist, 0.25)
    )


BLOCK_ESTIMATORS = [
    *ESTIMATORS,
    lambda: C45Classifier(),
    lambda: C45Classifier(categorical_split="binary"),
    lambda: ID3Classifier(),
    lambda: DecisionTreeClassifier(criterion="gini", categorical_split="binary", max_depth=3),
]


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), which=st.integers(0, len(BLOCK_ESTIMATORS) - 1))
def test_categorical_blocks_search_the_rows_that_may_split(seed, which):
    """A block of categorical features searched over the (node, feature) rows that may
    split (``may_split_on``) grows the tree of the search over every row."""
    X, y = _mixed_frame(seed)
    y = y.where(X["x"] < 1.2, "maybe") if which % 2 else y  # three classes: exhaustive
    fast = BLOCK_ESTIMATORS[which]().fit(X, y)
    old = builder.may_split_on
    builder.may_split_on = lambda n_present, splittable: np.ones_like(splittable)
    try:
        every = BLOCK_ESTIMATORS[which]().fit(X, y)
    finally:
        builder.may_split_on = old
    assert fast.to_json() == every.to_json()
    np.testing.assert_array_equal(fast.predict_proba(X), every.predict_proba(X))
