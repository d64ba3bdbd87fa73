"""A bounded fuzzer: random small mixed data, weights and parameters for every estimator.

For every example: ``fit`` succeeds (the data are valid), ``predict_proba``,
``predict``, ``apply`` and ``decision_path`` agree with the slow per-row reference
traversal of :mod:`test_reference_builder`, every probability row sums to 1, and the
JSON round trip predicts identically. Rows with missing values and unseen categories
are queried too.

The invalid arm (:func:`test_invalid_input_gets_a_documented_error`) makes one thing of
such a draw invalid (inf in X, NaN / None / pd.NA / inf in y, wrong shapes, no rows or
no columns, a parameter no estimator takes, complex or datetime columns, negative, NaN,
infinite, all-zero or misshapen weights) and asserts that ``fit`` raises a
``ValueError``, ``TypeError`` or ``MemoryError`` with a message, within 20 s, with
numpy's RuntimeWarnings as errors, and leaves its inputs unchanged.

CI runs ``TREELEARN_FUZZ_EXAMPLES`` examples (200 by default); set it higher to
search longer, e.g. ``TREELEARN_FUZZ_EXAMPLES=20000 pytest tests/test_fuzz.py``.
"""

from __future__ import annotations

import os
import signal
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_reference_builder import reference_leaves, reference_predict_proba

from treelearn import (
    C45Classifier,
    CARTClassifier,
    DecisionTreeClassifier,
    ID3Classifier,
    load_json,
)

EXAMPLES = int(os.environ.get("TREELEARN_FUZZ_EXAMPLES", "200"))

#: Numbers with the extremes that broke treelearn before (midpoints near the largest
#: value X may hold -- float32's, as in scikit-learn; beyond it fit refuses, see
#: test_hostile_input -- and subnormals), plus NaN.
F32_MAX = float(np.finfo(np.float32).max)
NUMBERS = st.one_of(
    st.sampled_from([0.0, -0.0, 1.0, -1.0, F32_MAX, F32_MAX / 2, -F32_MAX, 5e-324, 1e-300, np.nan]),
    st.floats(-1e6, 1e6, allow_nan=False),
    st.integers(-3, 3).map(float),
)
LEVELS = ["a", "b", "c", "d\nRule 9: IF TRUE", "e"]


@st.composite
def frames(draw):
    n = draw(st.integers(2, 30))
    n_num = draw(st.integers(0, 3))
    n_cat = draw(st.integers(0 if n_num else 1, 2))
    columns = {}
    for j in range(n_num):
        columns[f"x{j}"] = draw(st.lists(NUMBERS, min_size=n, max_size=n))
    for j in range(n_cat):
        kind = draw(st.sampled_from(["object", "category", "bool"]))
        if kind == "bool":
            columns[f"b{j}"] = pd.Series(draw(st.lists(st.booleans(), min_size=n, max_size=n)))
            continue
        values = draw(st.lists(st.sampled_from([*LEVELS, None]), min_size=n, max_size=n))
        col = pd.Series(values, dtype=object)
        if kind == "category":  # with an unused declared level
            col = col.astype(pd.CategoricalDtype([*LEVELS, "unused"]))
        columns[f"c{j}"] = col
    X = pd.DataFrame(columns)
    n_classes = draw(st.integers(1, 4))
    y = np.array(draw(st.lists(st.integers(0, n_classes - 1), min_size=n, max_size=n)))
    labels = draw(st.sampled_from(["int", "str"]))
    if labels == "str":
        y = np.array(["no", "yes", "maybe", "x\ny"])[y]
    weights = draw(st.sampled_from(["none", "int", "skewed", "tiny", "huge"]))
    if weights == "none":
        w = None
    else:
        raw = np.array(draw(st.lists(st.integers(1, 4), min_size=n, max_size=n)), dtype=float)
        w = {
            "int": raw,
            "skewed": np.where(raw > 2, 1e7, 1.0),
            "tiny": raw * 1e-300,
            "huge": raw * 1e300,
        }[weights]
    return X, y, w


@st.composite
def estimators(draw):
    family = draw(st.sampled_from(["dt", "id3", "c45", "cart"]))
    depth = draw(st.sampled_from([None, 1, 2, 4]))
    leaf = draw(st.integers(1, 3))
    if family == "c45":
        pruning = draw(st.sampled_from(["error_based", None]))
        return C45Classifier(pruning=pruning, min_samples_leaf=leaf, max_depth=depth)
    split = draw(st.sampled_from(["multiway", "binary"]))
    kw = {"max_depth": depth, "min_samples_leaf": leaf, "categorical_split": split}
    if family == "id3":
        return ID3Classifier(**kw)
    if family == "cart":
        # the reference here walks fractional routing; surrogate routing has its own
        # per-row walk in tests/test_surrogates.py
        return CARTClassifier(**kw, missing_values="fractional", random_state=0)
    criterion = draw(st.sampled_from(["entropy", "gini", "gain_ratio", "hellinger"]))
    mf = draw(st.sampled_from([None, 1]))
    return DecisionTreeClassifier(criterion=criterion, max_features=mf, random_state=0, **kw)


def _queries(X: pd.DataFrame) -> pd.DataFrame:
    """The training rows, one row all missing and one with unseen categories."""
    extra = {}
    for name, col in X.items():
        if isinstance(col.dtype, pd.CategoricalDtype):
            extra[name] = pd.Categorical([None, "unused"], categories=col.cat.categories)
        elif col.dtype == bool:
            extra[name] = pd.Series([None, None], dtype=object)
        elif col.dtype == object:
            extra[name] = [None, "never seen"]
        else:
            extra[name] = [np.nan, 0.5]
    tail = pd.DataFrame(extra)
    out = pd.concat([X.astype(object), tail.astype(object)], ignore_index=True)
    for name, col in X.items():  # keep the training dtypes
        if isinstance(col.dtype, pd.CategoricalDtype):
            out[name] = pd.Categorical(out[name], categories=col.cat.categories)
        elif col.dtype.kind == "f":
            out[name] = out[name].astype(float)
    return out


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=frames(), est=estimators())
def test_fit_predict_and_round_trip_agree_with_the_reference(data, est):
    X, y, w = data
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # e.g. a single class
        est.fit(X, y, sample_weight=w)
        Q = _queries(X)
        Xe = est._encode(Q)
        proba = est.predict_proba(Q)
    tree = est.tree_
    assert np.isfinite(tree.impurity).all()
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-9)
    np.testing.assert_allclose(proba, reference_predict_proba(tree, Xe), rtol=1e-9, atol=1e-12)
    leaves = est.apply(Q)
    path = est.decision_path(Q).toarray().astype(bool)
    for i in range(Xe.shape[0]):
        reached = reference_leaves(tree, Xe[i])
        assert reached, f"row {i} reaches no leaf"
        heaviest = max(wt for _, wt, _ in reached)
        assert leaves[i] in {leaf for leaf, wt, _ in reached if wt == heaviest}
        on_path = np.zeros(tree.node_count, dtype=bool)
        for _, _, nodes in reached:
            on_path[nodes] = True
        np.testing.assert_array_equal(path[i], on_path)
    predicted = est.predict(Q)
    np.testing.assert_array_equal(predicted, est.classes_[np.argmax(proba, axis=1)])
    back = load_json(est.to_json())
    np.testing.assert_array_equal(back.predict_proba(Q), proba)
    np.testing.assert_array_equal(back.apply(Q), leaves)


# -- the invalid arm: fit refuses bad input with a documented error, fast -------------
#: Parameter values that no estimator takes (each drawn only for estimators that have
#: the parameter).
BAD_PARAMS = {
    "max_depth": ["3", -1, 0, 1.5, np.nan],
    "min_samples_leaf": [0, -1, "a", np.nan, -0.5],
    "min_samples_split": [1, 0, "x"],
    "criterion": [5, "nope", object()],
    "max_features": ["bad", -1, 0, 1.5, 100],
    "class_weight": ["x", {99: 1.0}, {0: -1.0}, {0: np.nan}, 3],
    "missing_values": ["z", 1],
    "splitter": [3, "fast"],
    "max_bins": [1, 256, "x"],
    "random_state": ["x", -1],
    "min_impurity_decrease": [-1.0, "x"],
    "max_leaf_nodes": [1, 0, "x"],
    "n_jobs": ["x", 1.5],
    "ccp_alpha": [-1.0, np.nan, "x"],
    "confidence": [0.0, 1.0, 1.5, -0.1, "x", np.nan],
    "pruning": ["x", 3],
    "categorical_features": [[99], "x", [-99]],
    "max_surrogates": [-1, "x"],
    "min_weight_fraction_leaf": [2.0, -0.1],
}
CORRUPTIONS = [
    "inf_in_X",
    "missing_in_y",
    "inf_in_y",
    "y_length",
    "y_ndim",
    "X_ndim",
    "no_rows",
    "no_columns",
    "parameter",
    "complex",
    "times",
    "weights",
]


def _positions(draw, n: int) -> np.ndarray:
    return np.array(sorted(draw(st.sets(st.integers(0, n - 1), min_size=1, max_size=n))))


@st.composite
def invalid_fits(draw):
    """``(estimator, X, y, sample_weight, corruption)``: a valid draw of
    :func:`frames` and :func:`estimators` with one thing made invalid."""
    X, y, w = draw(frames())
    est = draw(estimators())
    n = X.shape[0]
    kind = draw(st.sampled_from(CORRUPTIONS))
    if kind == "inf_in_X":
        numeric = [c for c in X.columns if X[c].dtype.kind == "f"]
        col = draw(st.sampled_from(numeric)) if numeric else "inf"
        values = X[col].to_numpy(copy=True) if numeric else np.zeros(n)
        values[_positions(draw, n)] = draw(st.sampled_from([np.inf, -np.inf]))
        X = X.assign(**{col: values})
        if draw(st.booleans()):  # as numpy
            X = X[[col]].to_numpy()
    elif kind == "missing_in_y":
        missing = draw(st.sampled_from(["nan", "None", "pd.NA"]))
        where = _positions(draw, n)
        if missing == "nan" and y.dtype.kind in "iu":
            y = y.astype(float)
            y[where] = np.nan
        elif missing == "pd.NA" and y.dtype.kind in "iu":
            y = pd.array(y, dtype="Int64")
            y[where] = pd.NA
        else:
            y = y.astype(object)
            y[where] = None if missing == "None" else np.nan
    elif kind == "inf_in_y":
        y = y.astype(float) if y.dtype.kind in "iu" else np.zeros(n)
        y[_positions(draw, n)] = draw(st.sampled_from([np.inf, -np.inf]))
    elif kind == "y_length":
        delta = draw(st.sampled_from([-1, 1, -n, 5]))
        y = y[: n + delta] if delta < 0 else np.concatenate([y, y[:1].repeat(delta)])
    elif kind == "y_ndim":
        y = draw(st.sampled_from([y.reshape(n, 1, 1), y[:1].reshape(())]))
    elif kind == "X_ndim":
        arr = np.arange(float(n * 2)).reshape(n, 2)
        X = draw(st.sampled_from([arr[:, 0], arr.reshape(n, 2, 1), np.float64(1.0)]))
    elif kind == "no_rows":
        X, y = X.iloc[:0], y[:0]
        w = None if w is None else w[:0]
        if draw(st.booleans()):
            X = np.empty((0, max(X.shape[1], 1)))
    elif kind == "no_columns":
        X = X[[]] if draw(st.booleans()) else np.empty((n, 0))
    elif kind == "parameter":
        name = draw(st.sampled_from(sorted(set(BAD_PARAMS) & set(est.get_params()))))
        est.set_params(**{name: draw(st.sampled_from(BAD_PARAMS[name]))})
    elif kind == "complex":
        values = np.arange(n) + 1j * draw(st.sampled_from([1.0, 0.0]))
        X = X.assign(z=values) if draw(st.booleans()) else values.reshape(-1, 1)
    elif kind == "times":
        stamps = pd.date_range("2020-01-01", periods=n, freq="D")
        values = draw(
            st.sampled_from(
                [
                    stamps,
                    stamps - stamps[0],
                    pd.Series(list(stamps.to_pydatetime()), dtype=object),
                    stamps.to_numpy().reshape(-1, 1),
                    (stamps - stamps[0]).to_numpy().reshape(-1, 1),
                ]
            )
        )
        X = values if isinstance(values, np.ndarray) else X.assign(t=np.asarray(values))
        if isinstance(values, pd.Series):  # an object column of datetimes
            X = X.assign(t=values.to_numpy())
    else:  # weights
        bad = draw(st.sampled_from(["negative", "nan", "inf", "zero", "length", "2d", "str"]))
        base = np.ones(n) if w is None else w.copy()
        where = _positions(draw, n)
        if bad == "negative":
            base[where] = -draw(st.sampled_from([1.0, 1e-300, 1e300]))
        elif bad in ("nan", "inf"):
            base[where] = np.nan if bad == "nan" else np.inf
        elif bad == "zero":
            base[:] = 0.0
        elif bad == "length":
            base = base[:-1] if n > 1 else np.ones(n + 1)
        elif bad == "2d":
            base = base.reshape(-1, 1)
        else:
            base = np.array(["heavy"] * n)
        w = base
    return est, X, y, w, kind


def _same(a, b) -> bool:
    """Whether ``a`` (an input) still equals ``b`` (its copy before the fit)."""
    if a is None or b is None:
        return a is b
    if isinstance(a, pd.DataFrame):
        return a.equals(b)
    a, b = np.asarray(a, dtype=object), np.asarray(b, dtype=object)
    return a.shape == b.shape and pd.Series(a.ravel()).equals(pd.Series(b.ravel()))


def _copy(a):
    return a.copy() if hasattr(a, "copy") else a


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(case=invalid_fits())
def test_invalid_input_gets_a_documented_error(case):
    est, X, y, w, kind = case
    before = (_copy(X), _copy(y), _copy(w))
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, 20.0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", RuntimeWarning)  # numpy's overflow / invalid
            warnings.simplefilter("ignore", UserWarning)  # e.g. a single class
            est.fit(X, y, sample_weight=w)
    except (ValueError, TypeError, MemoryError) as exc:
        assert str(exc).strip(), f"{type(exc).__name__} without a message ({kind})"
    except _TimedOut:
        pytest.fail(f"fit did not finish within 20 s ({kind})")
    else:
        pytest.fail(f"fit accepted invalid input ({kind})")
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    for arg, copy in zip((X, y, w), before, strict=True):
        assert _same(arg, copy), f"fit modified its input ({kind})"


class _TimedOut(Exception):
    pass


def _alarm(signum, frame):
    raise _TimedOut
