"""Behaviour items of scikit-learn's tree test suite (``sklearn/tree/tests/test_tree.py``).

Read-only and memory-mapped input (``test_apply_path_readonly``,
``test_memmap``-style checks), the float32 range of ``X`` (``test_big_input``) and
pickling of fitted estimators and of their ``tree_`` arrays (``test_pickle``).
"""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest
from sklearn import datasets

from treelearn import C45Classifier, CARTClassifier, DecisionTreeClassifier, ID3Classifier

ESTIMATORS = [
    DecisionTreeClassifier,
    ID3Classifier,
    lambda: CARTClassifier(cp=0.01),
    lambda: CARTClassifier(ccp_alpha=0.01),
    C45Classifier,
    lambda: C45Classifier(pruning="reduced_error"),
]
IDS = ["dtc", "id3", "cart_cp", "cart_ccp", "c45", "c45_rep"]


@pytest.fixture(scope="module")
def iris_nan():
    X, y = datasets.load_iris(return_X_y=True)
    X = X.copy()
    X[::7, 2] = np.nan  # missing values go through the fan-out paths too
    return X, y


def _readonly_copies(X, tmp_path):
    """The same matrix as a read-only memmap (C and F order) and a locked array."""
    out = []
    for order in "CF":
        path = tmp_path / f"X_{order}.dat"
        mm = np.memmap(path, dtype=np.float64, mode="w+", shape=X.shape, order=order)
        mm[:] = X
        mm.flush()
        del mm
        out.append(np.memmap(path, dtype=np.float64, mode="r", shape=X.shape, order=order))
    locked = X.copy()
    locked.setflags(write=False)
    out.append(locked)
    return out


@pytest.mark.parametrize("make", ESTIMATORS, ids=IDS)
def test_readonly_inputs_to_fit_and_prediction(make, iris_nan, tmp_path):
    X, y = iris_nan
    ref = make().fit(X, y)
    y_ro = y.copy()
    y_ro.setflags(write=False)
    w = np.linspace(0.5, 1.5, len(y))
    w.setflags(write=False)
    for X_ro in _readonly_copies(X, tmp_path):
        assert not X_ro.flags.writeable
        est = make().fit(X_ro, y_ro)
        np.testing.assert_array_equal(est.predict_proba(X_ro), ref.predict_proba(X))
        np.testing.assert_array_equal(est.predict(X_ro), ref.predict(X))
        np.testing.assert_array_equal(est.apply(X_ro), ref.apply(X))
        assert (est.decision_path(X_ro) != ref.decision_path(X)).nnz == 0
        make().fit(X_ro, y_ro, sample_weight=w)
        np.testing.assert_array_equal(X_ro, X)  # never modified


def test_readonly_dataframe():
    X, y = datasets.load_iris(return_X_y=True, as_frame=True)
    values = X.to_numpy().copy()
    values.setflags(write=False)
    frame = pd.DataFrame(values, columns=X.columns)
    est = C45Classifier().fit(frame, y)
    np.testing.assert_array_equal(est.predict(frame), C45Classifier().fit(X, y).predict(X))


@pytest.mark.parametrize("make", ESTIMATORS[:1] + ESTIMATORS[4:5], ids=["dtc", "c45"])
def test_values_beyond_float32_are_refused_like_sklearn(make):
    """scikit-learn's test_big_input: a ValueError that names float32."""
    X = np.repeat(10**40.0, 4).reshape(-1, 1)
    with pytest.raises(ValueError, match="float32"):
        make().fit(X, [0, 1, 0, 1])
    with pytest.raises(ValueError, match=r"float32.*in feature 'a'"):
        make().fit(pd.DataFrame({"a": [1.0, -1e39, 2.0, 3.0]}), [0, 1, 0, 1])
    big = float(np.finfo(np.float32).max)
    est = make().fit(np.array([[-big], [big], [-1.0], [1.0]]), [0, 1, 0, 1])  # the edge fits
    with pytest.raises(ValueError, match="float32"):
        est.predict(np.array([[np.nextafter(big, np.inf)]]))
    np.testing.assert_array_equal(est.predict(np.array([[np.nan], [big]])).shape, (2,))


@pytest.mark.parametrize("make", ESTIMATORS, ids=IDS)
def test_pickled_estimators_and_tree_arrays_round_trip(make, iris_nan):
    """As scikit-learn's test_pickle: the fitted attributes, the tree's arrays
    (values and dtypes) and the predictions survive pickling."""
    X, y = iris_nan
    est = make().fit(X, y)
    again = pickle.loads(pickle.dumps(est))
    np.testing.assert_array_equal(again.predict_proba(X), est.predict_proba(X))
    np.testing.assert_array_equal(again.apply(X), est.apply(X))
    np.testing.assert_array_equal(again.feature_importances_, est.feature_importances_)
    tree = pickle.loads(pickle.dumps(est.tree_))
    for src in (again.tree_, tree):
        for name, arr in est.tree_.to_arrays().items():
            got = getattr(src, name)
            assert got.dtype == arr.dtype and got.flags.c_contiguous, name
            np.testing.assert_array_equal(got, arr)
        for name in ("node_count", "capacity", "max_depth", "n_leaves", "n_classes", "n_outputs"):
            assert getattr(src, name) == getattr(est.tree_, name)
        for name in ("children_left", "children_right", "weighted_n_node_samples"):
            np.testing.assert_array_equal(getattr(src, name), getattr(est.tree_, name))
        np.testing.assert_array_equal(src.predict_proba(X), est.tree_.predict_proba(X))


def test_pickled_converted_model_round_trips():
    X, y = datasets.load_iris(return_X_y=True)
    model = CARTClassifier().fit(X, y).to_sklearn()
    again = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(again.predict_proba(X), model.predict_proba(X))
    np.testing.assert_array_equal(again.tree_.threshold, model.tree_.threshold)
