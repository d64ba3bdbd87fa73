"""The estimators as scikit-learn estimators: API checks, bad input, weights, pipelines.

Covers scikit-learn's ``parametrize_with_checks`` for all four estimators, clear errors
for bad input (in scikit-learn's words where scikit-learn has them), inputs never
modified, ``sample_weight`` / ``class_weight``, user-defined criteria, trees deeper than
Python's recursion limit, and use inside Pipeline, GridSearchCV, cross_val_score and a
ColumnTransformer on the mixed credit-g frame.
"""

from __future__ import annotations

import inspect
import pickle
import sys
import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.compose import ColumnTransformer, make_column_selector
from sklearn.datasets import load_breast_cancer, load_iris, load_wine
from sklearn.exceptions import DataConversionWarning, NotFittedError
from sklearn.model_selection import GridSearchCV, StratifiedKFold, cross_val_score
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder, StandardScaler
from sklearn.utils import compute_sample_weight
from sklearn.utils._param_validation import InvalidParameterError
from sklearn.utils.estimator_checks import parametrize_with_checks
from user_criteria import Misclassification, Tsallis

from treelearn import (
    C45Classifier,
    CARTClassifier,
    DecisionTreeClassifier,
    ID3Classifier,
)
from treelearn.datasets import load_credit_g, load_play_tennis, load_vote

ESTIMATORS = [DecisionTreeClassifier, ID3Classifier, CARTClassifier, C45Classifier]
# C45Classifier follows Weka's J48, which counts rows, not weights, in two places
# ("enough cases with known values" for a numeric split, and the "many values" test
# 0.3 · numInstances), so its trees are not invariant to replacing integer weights by
# duplicated rows; the weight tests take the three others.
WEIGHT_EXACT = [DecisionTreeClassifier, ID3Classifier, CARTClassifier]

# ---------------------------------------------------------------------------------------
# scikit-learn's estimator checks
# ---------------------------------------------------------------------------------------

# No check is expected to fail. check_array_api_input is skipped by
# scikit-learn itself (it needs SCIPY_ARRAY_API=1 and an array-API library; like
# scikit-learn's own trees, treelearn takes numpy and pandas input only).
EXPECTED_FAILED_CHECKS: dict[str, str] = {}


def _expected_failed_checks(estimator):
    return EXPECTED_FAILED_CHECKS


# xfail_strict came in scikit-learn 1.7; the supported floor (1.6) runs without it
_STRICT = (
    {"xfail_strict": True}
    if "xfail_strict" in inspect.signature(parametrize_with_checks).parameters
    else {}
)


@parametrize_with_checks(
    [cls() for cls in ESTIMATORS], expected_failed_checks=_expected_failed_checks, **_STRICT
)
def test_sklearn_compatible(estimator, check):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        check(estimator)


# ---------------------------------------------------------------------------------------
# Fitted attributes and the prediction API
# ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def iris():
    return load_iris(return_X_y=True)


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_fitted_api(cls, iris):
    X, y = iris
    est = cls().fit(X, y)
    np.testing.assert_array_equal(est.classes_, [0, 1, 2])
    assert est.n_classes_ == 3 and est.n_features_in_ == 4 and est.n_outputs_ == 1
    assert not hasattr(est, "feature_names_in_")
    tree = est.tree_
    assert tree.node_count == len(tree.feature) == len(tree.threshold) == len(tree.impurity)
    assert tree.value.shape == (tree.node_count, 3)
    assert est.get_n_leaves() == int(tree.is_leaf.sum())
    assert est.get_depth() == int(tree.depth.max())
    proba = est.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_array_equal(est.predict(X), est.classes_[proba.argmax(axis=1)])
    with np.errstate(divide="ignore"):
        np.testing.assert_allclose(est.predict_log_proba(X), np.log(proba))
    leaves = est.apply(X)
    assert np.all(tree.is_leaf[leaves])
    path = est.decision_path(X)
    assert sp.issparse(path) and path.shape == (150, tree.node_count)
    assert np.all(path[np.arange(150), leaves] == 1)
    assert np.all(path[:, 0].toarray() == 1)
    # one node per level on the path
    np.testing.assert_array_equal(np.asarray(path.sum(axis=1)).ravel(), tree.depth[leaves] + 1)
    assert 0.9 < est.score(X, y) <= 1.0


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_feature_names_and_string_labels(cls):
    data = load_play_tennis(as_frame=True)
    est = cls(min_samples_leaf=1).fit(data.data, data.target)
    np.testing.assert_array_equal(est.feature_names_in_, data.data.columns)
    assert set(est.predict(data.data)) <= {"yes", "no"}


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_feature_importances_normalised(cls, iris):
    X, y = iris
    imp = cls().fit(X, y).feature_importances_
    assert imp.shape == (4,)
    assert np.all(imp >= 0)
    assert imp.sum() == pytest.approx(1.0)
    # a feature never used has importance 0
    X5 = np.c_[X, np.zeros(150)]
    assert cls().fit(X5, y).feature_importances_[4] == 0.0
    # a lone leaf: all zeros (scikit-learn's convention)
    stump = cls().fit(X, np.zeros(150, dtype=int))
    assert stump.get_n_leaves() == 1
    np.testing.assert_array_equal(stump.feature_importances_, np.zeros(4))


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_unfitted_estimators_raise_not_fitted(cls):
    est = cls()
    with pytest.raises(NotFittedError):
        est.get_depth()
    with pytest.raises(NotFittedError):
        est.get_n_leaves()
    with pytest.raises(NotFittedError):
        est.feature_importances_


@pytest.mark.parametrize(
    "method", ["predict", "predict_proba", "predict_log_proba", "apply", "decision_path"]
)
def test_unfitted_prediction_raises_not_fitted(method, iris):
    with pytest.raises(NotFittedError):
        getattr(DecisionTreeClassifier(), method)(iris[0])


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_pickle_and_clone(cls, iris):
    X, y = iris
    est = cls(max_depth=3).fit(X, y)
    again = pickle.loads(pickle.dumps(est))
    np.testing.assert_array_equal(again.predict_proba(X), est.predict_proba(X))
    fresh = clone(est)
    assert not hasattr(fresh, "tree_")
    assert fresh.get_params() == est.get_params()


# ---------------------------------------------------------------------------------------
# Bad input
# ---------------------------------------------------------------------------------------

X10 = np.random.default_rng(0).random((10, 3))
Y10 = np.arange(10) % 2


@pytest.mark.parametrize(
    ("X", "y", "match"),
    [
        (np.empty((0, 3)), [], r"0 sample\(s\)"),
        (np.empty((5, 0)), [0, 1, 0, 1, 0], r"0 feature\(s\)"),
        (pd.DataFrame(), [], r"0 sample\(s\)"),
        (pd.DataFrame(index=range(4)), [0, 1, 0, 1], r"0 feature\(s\)"),
        (np.zeros((4, 2, 2)), [0, 1, 0, 1], r"dim 3"),
        (np.zeros(4), [0, 1, 0, 1], r"(?s)Expected 2D array.*Reshape your data"),
        (pd.Series([1.0, 2.0]), [0, 1], r"Expected a 2D array.*Series"),
        (X10, Y10[:9], r"10 samples.*9"),
        (np.where(np.eye(10, 3) == 1, np.inf, X10), Y10, r"infinity"),
        (
            pd.DataFrame(np.where(np.eye(10, 3) == 1, -np.inf, X10), columns=list("abc")),
            Y10,
            r"infinity.*'a'",
        ),
        (X10, np.r_[np.nan, Y10[1:]], r"y contains NaN"),
        (X10, [None, *Y10[1:].tolist()], r"y contains NaN"),
        (X10, pd.Series([pd.NA, *Y10[1:].tolist()], dtype="Int64"), r"y contains NaN"),
        (X10, np.r_[np.inf, Y10[1:]], r"y contains"),
        (X10, np.zeros((10, 2, 2)), r"y must be 1-D \(n_samples,\) or 2-D"),
        (X10, np.linspace(0, 1, 10), r"Unknown label type"),
        (X10 + 1j, Y10, r"Complex data not supported"),
        (np.array([["a", "b"], ["c", "d"]]), [0, 1], r"could not convert feature 0 to float"),
    ],
)
def test_bad_fit_input(X, y, match):
    with pytest.raises(ValueError, match=match):
        DecisionTreeClassifier().fit(X, y)


def test_bad_values_name_the_first_column_at_fault():
    # the numeric columns of a frame are checked together after encoding; the
    # message still names the first one at fault, in fit and in predict
    X = pd.DataFrame(
        {
            "a": pd.Categorical(list("xyxyxyxyxy")),
            "b": X10[:, 0],
            "c": pd.Series(np.arange(10), dtype="Int64"),
            "d": X10[:, 1],
        }
    )
    before = X.copy()
    est = DecisionTreeClassifier().fit(X, Y10)
    for bad, match in [
        ({"b": 1e39, "d": np.inf}, r"too large for dtype\('float32'\) in feature 'b'"),
        ({"d": np.inf}, r"infinity in feature 'd'"),
        ({"b": -np.inf, "d": 1e39}, r"infinity in feature 'b'"),
    ]:
        Xb = X.copy()
        for col, value in bad.items():
            Xb.loc[3, col] = value
        with pytest.raises(ValueError, match=match):
            DecisionTreeClassifier().fit(Xb, Y10)
        with pytest.raises(ValueError, match=match):
            est.predict(Xb)
    pd.testing.assert_frame_equal(X, before)


@pytest.mark.parametrize(
    ("sample_weight", "match"),
    [
        (np.r_[-1.0, np.ones(9)], r"Negative values in data passed to `sample_weight`"),
        (np.r_[np.nan, np.ones(9)], r"sample_weight contains NaN"),
        (np.r_[np.inf, np.ones(9)], r"sample_weight contains infinity"),
        (np.ones(9), r"sample_weight.shape == \(9,\), expected \(10,\)"),
        (np.zeros(10), r"non-zero|sums to zero"),
    ],
)
def test_bad_sample_weight(sample_weight, match):
    with pytest.raises(ValueError, match=match):
        DecisionTreeClassifier().fit(X10, Y10, sample_weight=sample_weight)


def test_sparse_input_is_accepted():
    """Sparse X fits the dense tree (issue 13; tests/test_sparse.py has the rest)."""
    sparse = DecisionTreeClassifier().fit(sp.csr_matrix(X10), Y10)
    est = DecisionTreeClassifier().fit(X10, Y10)
    np.testing.assert_array_equal(sparse.predict(sp.csr_matrix(X10)), est.predict(X10))
    np.testing.assert_array_equal(est.predict(sp.csc_matrix(X10)), est.predict(X10))


def test_bad_predict_input():
    est = DecisionTreeClassifier().fit(X10, Y10)
    with pytest.raises(
        ValueError,
        match=r"X has 2 features, but DecisionTreeClassifier is "
        r"expecting 3 features as input",
    ):
        est.predict(X10[:, :2])
    with pytest.raises(ValueError, match=r"infinity"):
        est.predict(np.where(np.eye(10, 3) == 1, np.inf, X10))
    with pytest.raises(ValueError, match=r"0 sample\(s\)"):
        est.predict(X10[:0])


@pytest.mark.parametrize(("X", "match"), [(X10[None], r"dim 3"), (X10[0], r"Reshape your data")])
def test_bad_predict_shape(X, match):
    est = DecisionTreeClassifier().fit(X10, Y10)
    with pytest.raises(ValueError, match=match):
        est.predict(X)


def test_feature_names_at_predict():
    frame = pd.DataFrame(X10, columns=list("abc"))
    est = DecisionTreeClassifier().fit(frame, Y10)
    with pytest.raises(
        ValueError, match=r"(?s)feature names should match.*unseen at fit time:\n- z"
    ):
        est.predict(frame.rename(columns={"a": "z"}))
    with pytest.raises(ValueError, match=r"must be in the same order"):
        est.predict(frame[["b", "a", "c"]])
    with pytest.raises(ValueError, match=r"(?s)feature names should match.*missing:\n- c"):
        est.predict(frame[["a", "b"]])
    with pytest.warns(UserWarning, match="X does not have valid feature names"):
        est.predict(X10)
    plain = DecisionTreeClassifier().fit(X10, Y10)
    with pytest.warns(UserWarning, match="X has feature names"):
        plain.predict(frame)


@pytest.mark.parametrize(
    ("param", "value", "match"),
    [
        (
            "max_depth",
            0,
            r"'max_depth' parameter of DecisionTreeClassifier must be an int in "
            r"the range \[1, inf\) or None. Got 0 instead",
        ),
        ("max_depth", 1.5, r"'max_depth' parameter"),
        ("min_samples_split", 1.5, r"'min_samples_split' parameter"),
        ("min_samples_split", 0.0, r"'min_samples_split' parameter"),
        ("min_samples_leaf", 0, r"'min_samples_leaf' parameter"),
        ("min_samples_leaf", 1.0, r"'min_samples_leaf' parameter"),
        (
            "min_weight_fraction_leaf",
            0.6,
            r"'min_weight_fraction_leaf' parameter .* range "
            r"\[0.0, 0.5\]",
        ),
        ("min_weight_fraction_leaf", -0.1, r"'min_weight_fraction_leaf' parameter"),
        ("max_features", 0, r"'max_features' parameter"),
        ("max_features", 1.5, r"'max_features' parameter"),
        ("max_features", "auto", r"'max_features' parameter .* Got 'auto' instead"),
        ("max_leaf_nodes", 1, r"'max_leaf_nodes' parameter .* range \[2, inf\)"),
        ("min_impurity_decrease", -1.0, r"'min_impurity_decrease' parameter"),
        ("criterion", "entropie", r"'criterion' parameter .* Got 'entropie' instead"),
        ("criterion", 42, r"'criterion' parameter"),
        ("class_weight", "bal", r"'class_weight' parameter"),
        ("categorical_split", "threeway", r"'categorical_split' parameter"),
        ("random_state", "seed", r"'random_state' parameter"),
        ("categorical_features", 3.5, r"'categorical_features' parameter"),
    ],
)
@pytest.mark.parametrize("cls", ESTIMATORS)
def test_parameters_out_of_range(cls, param, value, match):
    if cls is C45Classifier and (param, value) == ("min_samples_leaf", 1.0):
        pytest.skip("C45Classifier's min_samples_leaf is J48's M, any positive number")
    match = match.replace("DecisionTreeClassifier", cls.__name__)
    with pytest.raises(InvalidParameterError, match=match):
        cls(**{param: value}).fit(X10, Y10)


@pytest.mark.parametrize(
    ("param", "value"),
    [
        ("confidence", 0.0),
        ("confidence", 0.6),
        ("min_samples_leaf", 0),
        ("pruning", "pessimistic"),
        ("reduced_error_folds", 1),
        ("subtree_raising", "yes"),
    ],
)
def test_c45_parameters_out_of_range(param, value):
    with pytest.raises(InvalidParameterError, match=rf"'{param}' parameter of C45Classifier"):
        C45Classifier(**{param: value}).fit(X10, Y10)


def test_min_samples_split_one_is_rejected():
    with pytest.raises(InvalidParameterError, match=r"'min_samples_split' parameter"):
        DecisionTreeClassifier(min_samples_split=1).fit(X10, Y10)


def test_criterion_that_is_not_a_split_criterion():
    class HasImpurity:
        def impurity(self, counts):
            return np.zeros(np.shape(counts)[:-1])

    with pytest.raises(TypeError, match=r"criterion must be a name or a SplitCriterion"):
        DecisionTreeClassifier(criterion=HasImpurity()).fit(X10, Y10)


def test_bad_categorical_features():
    with pytest.raises(ValueError, match=r"index 5 is out of range for 3 features"):
        DecisionTreeClassifier(categorical_features=[5]).fit(X10, Y10)
    with pytest.raises(ValueError, match=r"names column 'a'.*DataFrame"):
        DecisionTreeClassifier(categorical_features=["a"]).fit(X10, Y10)
    with pytest.raises(ValueError, match=r"boolean mask must have length 3"):
        DecisionTreeClassifier(categorical_features=[True, False]).fit(X10, Y10)


def test_y_none():
    with pytest.raises(ValueError, match="requires y to be passed"):
        DecisionTreeClassifier().fit(X10, None)


def test_column_vector_y_warns():
    with pytest.warns(DataConversionWarning):
        DecisionTreeClassifier().fit(X10, Y10[:, None])


def test_column_vector_y_is_accepted():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataConversionWarning)
        est = DecisionTreeClassifier().fit(X10, Y10[:, None])
    np.testing.assert_array_equal(est.predict(X10), Y10)


def test_object_array_with_a_dict_is_a_type_error():
    X = X10.astype(object)
    X[0, 0] = {"foo": "bar"}
    with pytest.raises(TypeError, match=r"argument must be .* string.* number"):
        DecisionTreeClassifier().fit(X, Y10)


# ---------------------------------------------------------------------------------------
# Inputs are never modified
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_inputs_are_not_modified(cls):
    rng = np.random.default_rng(4)
    X = rng.random((60, 3))
    X[rng.random((60, 3)) < 0.1] = np.nan
    X_f = np.asfortranarray(X)
    y = rng.integers(0, 3, 60)
    w = rng.random(60) + 0.5
    frame = pd.DataFrame(
        {
            "num": X[:, 0],
            "cat": pd.Categorical(rng.choice(["a", "b", "c", None], 60)),
            "obj": pd.Series(rng.choice(["u", "v"], 60), dtype=object),
            "flag": rng.random(60) < 0.5,
            "int": pd.array(rng.integers(0, 5, 60), dtype="Int64"),
        }
    )
    frame.loc[3, "int"] = pd.NA
    y_series = pd.Series(rng.choice(["p", "q"], 60), dtype="category")
    copies = (X.copy(), X_f.copy(), y.copy(), w.copy(), frame.copy(deep=True), y_series.copy())
    for data, target in ((X, y), (X_f, y), (frame, y_series)):
        est = cls(class_weight="balanced").fit(data, target, sample_weight=w)
        est.predict(data)
        est.predict_proba(data)
        est.apply(data)
        est.decision_path(data)
        est.score(data, target)
    np.testing.assert_array_equal(X, copies[0])
    np.testing.assert_array_equal(X_f, copies[1])
    assert X_f.flags.f_contiguous
    np.testing.assert_array_equal(y, copies[2])
    np.testing.assert_array_equal(w, copies[3])
    pd.testing.assert_frame_equal(frame, copies[4])
    pd.testing.assert_series_equal(y_series, copies[5])


# ---------------------------------------------------------------------------------------
# Data semantics
# ---------------------------------------------------------------------------------------


def test_pandas_column_kinds():
    rng = np.random.default_rng(0)
    n = 80
    frame = pd.DataFrame(
        {
            "num": rng.random(n),
            "cat": pd.Categorical(rng.choice(["a", "b"], n)),
            "obj": pd.Series(rng.choice(["u", "v", "w"], n), dtype=object),
            "str": pd.Series(rng.choice(["s", "t"], n), dtype="string"),
            "flag": rng.random(n) < 0.5,
            "int": rng.integers(0, 9, n),
        }
    )
    y = rng.integers(0, 2, n)
    est = DecisionTreeClassifier().fit(frame, y)
    np.testing.assert_array_equal(est.categorical_features_, [False, True, True, True, True, False])
    assert list(est.categories_[2]) == ["u", "v", "w"]
    assert est.categories_[0] is None
    # an explicit list replaces "auto": name every categorical column
    by_name = DecisionTreeClassifier(categorical_features=["cat", "obj", "str", "flag", "int"]).fit(
        frame, y
    )
    assert by_name.categorical_features_.tolist() == [False] + [True] * 5
    assert len(by_name.categories_[5]) == len(np.unique(frame["int"]))
    with pytest.raises(ValueError, match="'cat' is not numeric and was not declared"):
        DecisionTreeClassifier(categorical_features=["int"]).fit(frame, y)
    numpy_cat = DecisionTreeClassifier(categorical_features=[1]).fit(
        frame[["num", "int"]].to_numpy(), y
    )
    assert numpy_cat.categorical_features_.tolist() == [False, True]


def test_missing_values_and_unseen_categories_never_crash():
    rng = np.random.default_rng(1)
    n = 100
    frame = pd.DataFrame(
        {
            "num": np.where(rng.random(n) < 0.2, np.nan, rng.random(n)),
            "cat": pd.Series(rng.choice(["a", "b", "c", None], n), dtype=object),
            "nullable": pd.array(
                np.where(rng.random(n) < 0.2, None, rng.integers(0, 3, n)), dtype="Int64"
            ),
        }
    )
    y = (frame["num"].fillna(0.5) > 0.5).astype(int).to_numpy()
    for cls in ESTIMATORS:
        est = cls().fit(frame, y)
        new = pd.DataFrame(
            {
                "num": [np.nan, 0.3],
                "cat": ["zzz", None],
                "nullable": pd.array([pd.NA, 7], dtype="Int64"),
            }
        )
        proba = est.predict_proba(new)
        np.testing.assert_allclose(proba.sum(axis=1), 1.0)
        assert est.apply(new).shape == (2,)
        assert est.decision_path(new).shape == (2, est.tree_.node_count)


# ---------------------------------------------------------------------------------------
# sample_weight and class_weight
# ---------------------------------------------------------------------------------------


def _assert_same_tree(a, b):
    ta, tb = a.tree_, b.tree_
    assert ta.node_count == tb.node_count
    np.testing.assert_array_equal(ta.feature, tb.feature)
    np.testing.assert_array_equal(ta.threshold, tb.threshold)
    np.testing.assert_allclose(ta.value, tb.value, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(ta.impurity, tb.impurity, atol=1e-12)
    np.testing.assert_array_equal(ta.category_branch, tb.category_branch)


@pytest.mark.parametrize("with_zeros", [False, True])
@pytest.mark.parametrize("dataset", ["iris", "credit_g", "vote"])
@pytest.mark.parametrize("cls", WEIGHT_EXACT)
def test_integer_weights_equal_duplicated_rows(cls, dataset, with_zeros):
    loader = {"iris": load_iris, "credit_g": load_credit_g, "vote": load_vote}[dataset]
    X, y = loader(return_X_y=True, as_frame=True)
    rng = np.random.default_rng(7)
    w = rng.integers(0 if with_zeros else 1, 4, size=len(y))
    X_rep = X.loc[X.index.repeat(w)].reset_index(drop=True)
    y_rep = y.loc[y.index.repeat(w)].reset_index(drop=True)
    weighted = cls().fit(X, y, sample_weight=w)
    repeated = cls().fit(X_rep, y_rep)
    _assert_same_tree(weighted, repeated)
    np.testing.assert_allclose(weighted.predict_proba(X), repeated.predict_proba(X))


def test_c45_integer_weights_on_nominal_data():
    # no numeric feature, few values per feature: J48's row counts do not matter
    X, y = load_vote(return_X_y=True, as_frame=True)
    w = np.random.default_rng(7).integers(1, 4, size=len(y))
    weighted = C45Classifier().fit(X, y, sample_weight=w)
    repeated = C45Classifier().fit(X.loc[X.index.repeat(w)], y.loc[y.index.repeat(w)])
    _assert_same_tree(weighted, repeated)


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_class_weight_is_a_sample_weight(cls):
    X, y = load_wine(return_X_y=True)
    for cw in ("balanced", {0: 1.0, 1: 3.0, 2: 0.5}):
        a = cls(class_weight=cw).fit(X, y)
        b = cls().fit(X, y, sample_weight=compute_sample_weight(cw, y))
        _assert_same_tree(a, b)
    # combined with sample_weight: the product
    w = np.random.default_rng(0).random(len(y)) + 0.5
    a = cls(class_weight="balanced").fit(X, y, sample_weight=w)
    b = cls().fit(X, y, sample_weight=w * compute_sample_weight("balanced", y))
    _assert_same_tree(a, b)


def test_class_weight_with_string_labels():
    data = load_play_tennis(as_frame=True)
    est = ID3Classifier(class_weight={"yes": 1.0, "no": 2.0}).fit(data.data, data.target)
    np.testing.assert_allclose(est.tree_.value[0], [9.0, 10.0])
    balanced = ID3Classifier(class_weight="balanced").fit(data.data, data.target)
    np.testing.assert_allclose(balanced.tree_.value[0], [7.0, 7.0])


@pytest.mark.parametrize("scale", [1e-200, 1e-7, 1e-5, 1e100])
@pytest.mark.parametrize("cls", WEIGHT_EXACT)
def test_uniform_weights_of_any_scale_change_nothing(cls, scale, iris):
    X, y = iris
    a = cls().fit(X, y)
    b = cls().fit(X, y, sample_weight=np.full(150, scale))
    np.testing.assert_array_equal(a.tree_.feature, b.tree_.feature)
    np.testing.assert_array_equal(a.tree_.threshold, b.tree_.threshold)
    np.testing.assert_allclose(a.predict_proba(X), b.predict_proba(X))


def test_weights_change_the_tree():
    X, y = load_iris(return_X_y=True)
    w = np.where(y == 2, 10.0, 1.0)
    a = CARTClassifier(max_depth=2).fit(X, y)
    b = CARTClassifier(max_depth=2).fit(X, y, sample_weight=w)
    assert not np.array_equal(a.tree_.value, b.tree_.value)
    np.testing.assert_allclose(b.tree_.value[0], [50, 50, 500])


# ---------------------------------------------------------------------------------------
# User-defined criteria
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("crit", [Tsallis(q=2.0), Tsallis(q=3.0), Misclassification()])
def test_user_criterion_through_the_estimators(crit):
    X, y = load_breast_cancer(return_X_y=True)
    for cls in (DecisionTreeClassifier, CARTClassifier):
        est = cls(criterion=crit, max_depth=4).fit(X, y)
        assert est.criterion_ is crit
        assert est.score(X, y) > 0.9
        assert est.feature_importances_.sum() == pytest.approx(1.0)
        again = pickle.loads(pickle.dumps(est))
        np.testing.assert_array_equal(again.predict(X), est.predict(X))
    scores = cross_val_score(DecisionTreeClassifier(criterion=crit, max_depth=4), X, y, cv=3)
    assert scores.mean() > 0.85


def test_user_criterion_in_a_grid_search():
    X, y = load_iris(return_X_y=True)
    grid = GridSearchCV(
        DecisionTreeClassifier(),
        {"criterion": ["gini", Tsallis(q=2.0), Tsallis(q=3.0)], "max_depth": [2, 3]},
        cv=3,
    )
    grid.fit(X, y)
    assert grid.best_score_ > 0.9
    assert len(grid.cv_results_["params"]) == 6


def test_user_criterion_on_categorical_data():
    X, y = load_vote(return_X_y=True, as_frame=True)
    for split in ("multiway", "binary"):
        est = DecisionTreeClassifier(criterion=Tsallis(q=2.0), categorical_split=split)
        assert est.fit(X, y).score(X, y) > 0.95


# ---------------------------------------------------------------------------------------
# Very deep trees
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cls", "n"), [(CARTClassifier, 1200), (DecisionTreeClassifier, 600), (ID3Classifier, 600)]
)
def test_trees_deeper_than_the_recursion_limit(cls, n):
    # classes alternate along x: the best cut always peels off one end, so the tree is
    # a staircase of depth n - 1
    X = np.arange(n, dtype=float)[:, None]
    y = np.arange(n) % 2
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(200)  # far below the depth: any recursion over nodes fails
    try:
        est = cls().fit(X, y)
        assert est.get_depth() == n - 1
        assert est.get_n_leaves() == n
        np.testing.assert_array_equal(est.predict(X), y)
        leaves = est.apply(X)
        assert len(set(leaves.tolist())) == n
        path = est.decision_path(X)
        assert path.shape == (n, est.tree_.node_count)
        assert path.sum() == (est.tree_.depth[leaves] + 1).sum()
        nodes = list(est.tree_.walk())
        assert len(nodes) == est.tree_.node_count == 2 * n - 1
        assert max(node.depth for node in nodes) == n - 1
        est.feature_importances_
        pickle.loads(pickle.dumps(est))
    finally:
        sys.setrecursionlimit(limit)


# ---------------------------------------------------------------------------------------
# Pipelines, grid search, cross-validation, ColumnTransformer
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_pipeline(cls):
    X, y = load_breast_cancer(return_X_y=True)
    pipe = make_pipeline(StandardScaler(), cls(max_depth=3))
    pipe.fit(X, y)
    assert pipe.score(X, y) > 0.9
    # a tree does not care about scaling: same training predictions
    np.testing.assert_array_equal(pipe.predict(X), cls(max_depth=3).fit(X, y).predict(X))


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_cross_val_score(cls):
    X, y = load_iris(return_X_y=True)
    scores = cross_val_score(cls(), X, y, cv=StratifiedKFold(5, shuffle=True, random_state=0))
    assert scores.shape == (5,)
    assert scores.mean() > 0.9


def test_grid_search():
    X, y = load_wine(return_X_y=True)
    grid = GridSearchCV(
        CARTClassifier(),
        {
            "max_depth": [1, 2, 4, None],
            "criterion": ["gini", "entropy"],
            "min_samples_leaf": [1, 5],
        },
        cv=3,
    )
    grid.fit(X, y)
    assert grid.best_params_["max_depth"] != 1
    assert grid.best_score_ > 0.85
    assert isinstance(grid.best_estimator_, CARTClassifier)


def test_grid_search_in_a_pipeline():
    X, y = load_breast_cancer(return_X_y=True)
    pipe = Pipeline([("scale", StandardScaler()), ("tree", DecisionTreeClassifier())])
    grid = GridSearchCV(
        pipe, {"tree__max_depth": [2, 4], "tree__criterion": ["entropy", "gain_ratio"]}, cv=3
    )
    grid.fit(X, y)
    assert grid.best_score_ > 0.88


@pytest.fixture(scope="module")
def credit():
    return load_credit_g(return_X_y=True, as_frame=True)


def test_column_transformer_one_hot_on_credit_g(credit):
    X, y = credit
    pre = ColumnTransformer(
        [
            (
                "cat",
                OneHotEncoder(handle_unknown="ignore"),
                make_column_selector(dtype_include="category"),
            ),
            ("num", "passthrough", make_column_selector(dtype_include="number")),
        ]
    )
    pipe = make_pipeline(pre, CARTClassifier(max_depth=4))
    scores = cross_val_score(pipe, X, y, cv=StratifiedKFold(5, shuffle=True, random_state=0))
    assert scores.mean() > 0.68


def test_column_transformer_ordinal_with_categorical_features(credit):
    X, y = credit
    cats = list(X.select_dtypes("category").columns)
    nums = list(X.select_dtypes("number").columns)
    pre = ColumnTransformer(
        [
            (
                "cat",
                OrdinalEncoder(
                    handle_unknown="use_encoded_value",
                    unknown_value=np.nan,
                    encoded_missing_value=np.nan,
                ),
                cats,
            ),
            ("num", "passthrough", nums),
        ]
    )
    for cls in (ID3Classifier, CARTClassifier, C45Classifier):
        est = cls(categorical_features=list(range(len(cats))), max_depth=4)
        pipe = make_pipeline(pre, est)
        scores = cross_val_score(pipe, X, y, cv=3)
        assert scores.mean() > 0.65
        pipe.fit(X, y)
        assert pipe[-1].categorical_features_.sum() == len(cats)


def test_column_transformer_pandas_output_keeps_categories(credit):
    X, y = credit
    cats = list(X.select_dtypes("category").columns)
    pre = ColumnTransformer(
        [
            ("keep", "passthrough", cats),
            ("scale", StandardScaler(), make_column_selector(dtype_include="number")),
        ],
        verbose_feature_names_out=False,
    ).set_output(transform="pandas")
    pipe = make_pipeline(pre, CARTClassifier(max_depth=5))
    pipe.fit(X, y)
    assert pipe[-1].categorical_features_.sum() == len(cats)
    assert list(pipe[-1].feature_names_in_[: len(cats)]) == cats


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_native_mixed_frame_cross_validation(cls, credit):
    X, y = credit
    scores = cross_val_score(
        cls(max_depth=5), X, y, cv=StratifiedKFold(5, shuffle=True, random_state=0)
    )
    assert scores.mean() > 0.65
