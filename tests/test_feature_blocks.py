"""Features searched in blocks grow the same tree as one feature at a time.

The builder lays a block of numeric features' sorted arrays end to end and searches
them in one pass (:func:`treelearn._split_numeric.best_thresholds`), and counts a block
of categorical features with the same number of categories in one tensor
(:func:`treelearn._split_categorical.category_counts`); the block size is a speed knob
only. Forcing one feature per block must give identical trees.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from treelearn import C45Classifier, CARTClassifier, DecisionTreeClassifier, ID3Classifier, _builder
from treelearn.datasets import (
    load_breast_cancer,
    load_credit_g,
    load_diabetes,
    load_segment,
    load_soybean,
    load_vote,
)

ESTIMATORS = [
    lambda: DecisionTreeClassifier(criterion="entropy"),
    lambda: CARTClassifier(min_samples_leaf=3),
    lambda: C45Classifier(),
    lambda: ID3Classifier(),
    lambda: DecisionTreeClassifier(criterion="hellinger", max_depth=6),
    lambda: CARTClassifier(categorical_split="binary", min_samples_leaf=2),
    lambda: C45Classifier(categorical_split="binary"),
]


def _arrays(model):
    t = model.tree_
    return [t.feature, t.threshold, t.value, t.impurity, t.children_left, t.children_right]


def _same_trees(make, X, y, monkeypatch):
    blocked = make().fit(X, y)
    with monkeypatch.context() as m:
        m.setattr(_builder, "BLOCK_ENTRIES", 1)  # one feature per block
        alone = make().fit(X, y)
    for a, b in zip(_arrays(blocked), _arrays(alone), strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("make", ESTIMATORS)
@pytest.mark.parametrize(
    "load",
    [load_diabetes, load_segment, load_vote, load_soybean, load_credit_g, load_breast_cancer],
)
def test_blocks_equal_one_feature_at_a_time(make, load, monkeypatch):
    X, y = load(as_frame=True, return_X_y=True)
    _same_trees(make, X, y, monkeypatch)


@settings(max_examples=30, deadline=None)
@given(
    st.integers(0, 2**32 - 1),
    st.integers(5, 80),
    st.integers(1, 6),
    st.booleans(),
)
def test_blocks_equal_on_random_data_with_ties_and_nan(seed, n, p, nan):
    rng = np.random.default_rng(seed)
    X = rng.integers(0, 4, (n, p)).astype(float)  # many ties
    if nan:
        X[rng.random((n, p)) < 0.1] = np.nan
    y = rng.integers(0, 3, n)
    with pytest.MonkeyPatch.context() as mp:
        for make in ESTIMATORS[:3]:
            _same_trees(make, X, y, mp)
