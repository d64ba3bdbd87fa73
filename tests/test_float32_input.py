"""float32 ``X`` is read as given (issue 19: no float64 copy of ``X`` in fit).

Every tree grown on float32 ``X`` is, bit for bit, the tree grown on its exact
float64 copy (thresholds are float64 midpoints of float32 neighbours, as
scikit-learn computes them), for every splitter, missing-value rule and
estimator; the encoded matrix is ``X`` itself (no copy) and ``X`` is unchanged.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from sklearn.datasets import make_classification
from sklearn.tree import DecisionTreeClassifier as SkTree

from treelearn import C45Classifier, CARTClassifier, DecisionTreeClassifier, ID3Classifier
from treelearn._data import fit_encoding, transform


def assert_same_tree(a, b) -> None:
    ta, tb = a.tree_.to_arrays(), b.tree_.to_arrays()
    assert ta.keys() == tb.keys()
    for name in ta:
        assert np.array_equal(ta[name], tb[name], equal_nan=True), name


def _data(n=600, missing=0.0, seed=0):
    X, y = make_classification(
        n_samples=n, n_features=6, n_informative=4, n_classes=3, random_state=seed
    )
    X = (X * 1000).round() / 7  # ties and values that are not float32 numbers
    X = X.astype(np.float32)
    if missing:
        rng = np.random.default_rng(seed)
        X[rng.random(X.shape) < missing] = np.nan
    return X, y


ESTIMATORS = [
    lambda: DecisionTreeClassifier(criterion="gini"),
    lambda: DecisionTreeClassifier(criterion="entropy"),
    lambda: DecisionTreeClassifier(criterion="gini", splitter="random", random_state=3),
    lambda: DecisionTreeClassifier(
        criterion="entropy", splitter="hist", missing_values="fractional"
    ),
    lambda: ID3Classifier(),
    lambda: C45Classifier(),
    lambda: C45Classifier(pruning="reduced_error"),
    lambda: CARTClassifier(),
    lambda: CARTClassifier(ccp_alpha=0.002),
    lambda: DecisionTreeClassifier(criterion="twoing", max_depth=6),
]


@pytest.mark.parametrize("missing", [0.0, 0.1])
@pytest.mark.parametrize("make", ESTIMATORS)
def test_float32_x_grows_the_tree_of_its_float64_copy(make, missing):
    X32, y = _data(missing=missing)
    X64 = X32.astype(np.float64)
    before = X32.copy()
    a, b = make().fit(X32, y), make().fit(X64, y)
    assert_same_tree(a, b)
    np.testing.assert_array_equal(X32, before)  # the input is never modified
    for method in ("predict_proba", "apply"):
        np.testing.assert_array_equal(getattr(a, method)(X32), getattr(b, method)(X64))


def test_float32_thresholds_are_sklearns():
    """scikit-learn's float32 trees (its own dtype) on one feature at a time (no ties
    between features): the same nodes and, bit for bit, the same float64 thresholds."""
    X, y = make_classification(
        n_samples=2000, n_features=4, n_informative=3, n_redundant=0, n_classes=3, random_state=0
    )
    X32 = X.astype(np.float32)
    for j in range(X32.shape[1]):
        col = X32[:, [j]]
        ours = DecisionTreeClassifier(criterion="gini", max_depth=4).fit(col, y)
        theirs = SkTree(criterion="gini", max_depth=4, random_state=0).fit(col, y)
        inner = ours.tree_.n_children > 0
        assert ours.tree_.node_count == theirs.tree_.node_count
        np.testing.assert_array_equal(
            np.sort(ours.tree_.threshold[inner]),
            np.sort(theirs.tree_.threshold[theirs.tree_.children_left >= 0]),
        )


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("order", ["C", "F"])
def test_numeric_float_x_is_encoded_without_a_copy(dtype, order):
    X = np.asarray(_data(n=50)[0], dtype=dtype, order=order)
    Xe, enc = fit_encoding(X)
    assert Xe is X or np.shares_memory(Xe, X)
    assert Xe.dtype == dtype
    assert np.shares_memory(transform(X, enc), X)


@pytest.mark.parametrize("dtype", [np.int32, np.float16, np.int64])
def test_other_numeric_dtypes_become_float64(dtype):
    X = np.arange(40, dtype=dtype).reshape(10, 4)
    assert fit_encoding(X)[0].dtype == np.float64


@settings(max_examples=30, deadline=None)
@given(
    arrays(
        np.float32,
        st.tuples(st.integers(2, 40), st.integers(1, 3)),
        elements=st.floats(-1e6, 1e6, width=32) | st.just(np.nan),
    ),
    st.integers(0, 2**31 - 1),
    st.sampled_from(["learned", "fractional", "surrogate"]),
)
def test_float32_and_float64_trees_agree_on_any_values(X32, seed, missing_values):
    y = np.random.default_rng(seed).integers(0, 3, X32.shape[0])
    X32[0] = 1.0  # a row with a known value (rpart refuses data without one)
    a = DecisionTreeClassifier(missing_values=missing_values).fit(X32, y)
    b = DecisionTreeClassifier(missing_values=missing_values).fit(X32.astype(np.float64), y)
    assert_same_tree(a, b)
