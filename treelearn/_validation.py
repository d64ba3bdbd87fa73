"""Input validation, and everything treelearn takes from scikit-learn's validation tools.

scikit-learn's helpers that treelearn uses are imported here and nowhere else, so
a change of scikit-learn's API (several are private or were renamed across
releases) is met in one place; the floor of the supported versions is in
``pyproject.toml`` and tested by ``.ci/run``. The target checks of the estimators
live here too.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy.sparse import issparse
from sklearn.exceptions import DataConversionWarning
from sklearn.utils import _safe_indexing, check_random_state, compute_sample_weight
from sklearn.utils._param_validation import HasMethods, Interval, RealNotInt, StrOptions
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import (
    _check_sample_weight,
    assert_all_finite,
    check_array,
    check_is_fitted,
    validate_data,
)

__all__ = [
    "HasMethods",
    "Interval",
    "RealNotInt",
    "StrOptions",
    "assert_all_finite",
    "check_array",
    "check_is_fitted",
    "check_random_state",
    "check_sample_weight",
    "check_y",
    "compute_sample_weight",
    "encode_classes",
    "encode_outputs",
    "is_sparse",
    "safe_indexing",
    "validate_data",
    "validate_features",
]

#: ``scipy.sparse.issparse``: matrices and arrays alike.
is_sparse = issparse
#: ``sklearn.utils._safe_indexing``: rows of arrays, frames and lists alike.
safe_indexing = _safe_indexing
#: ``sklearn.utils.validation._check_sample_weight``.
check_sample_weight = _check_sample_weight


def validate_features(estimator, X, *, reset: bool) -> None:
    """``validate_data(estimator, X, reset=reset, skip_check_array=True)``: set
    (``reset``) or check ``n_features_in_`` and ``feature_names_in_``.

    A pandas DataFrame whose column names are all ``str`` sets them, or matches the
    fitted names and number of features, without scikit-learn's generic dataframe
    inspection (a per-fit cost on small data); anything else, and every mismatch,
    goes to ``validate_data`` for its warnings and errors.
    """
    if type(X) is pd.DataFrame and X.shape[1]:
        names = np.asarray(X.columns, dtype=object)
        if all(type(name) is str for name in names.tolist()):
            if reset:
                estimator.feature_names_in_ = names
                estimator.n_features_in_ = X.shape[1]
                return
            fitted = getattr(estimator, "feature_names_in_", None)
            if (
                fitted is not None
                and getattr(estimator, "n_features_in_", None) == X.shape[1]
                and len(fitted) == len(names)
                and bool(np.all(fitted == names))
            ):
                return
    validate_data(estimator, X, reset=reset, skip_check_array=True)


def check_y(y, estimator_name: str = "This estimator", multi_output: bool = False) -> np.ndarray:
    """Validate the target: 1-D, no missing values, classification labels.

    With ``multi_output=True`` a 2-D target of several columns (one per output) is
    accepted too, each column checked as a 1-D target; it is returned 2-D.
    """
    if y is None:
        raise ValueError(f"{estimator_name} requires y to be passed, but the target y is None.")
    if issparse(y):
        raise TypeError(
            "A sparse y is not supported; pass a dense array of shape (n_samples,) or "
            "(n_samples, n_outputs)."
        )
    if isinstance(y, pd.Series) and isinstance(y.dtype, pd.CategoricalDtype):
        named = _named_categorical_y(y)
        if named is not None:
            return named
    shape = y.shape if isinstance(y, pd.DataFrame) else np.shape(np.asarray(y))
    if multi_output and len(shape) == 2 and shape[1] > 1:
        # an object column of one kind of label reads as that kind
        if isinstance(y, pd.DataFrame):
            parts = [y.iloc[:, j].infer_objects() for j in range(y.shape[1])]
        else:
            arr2 = np.asarray(y)
            parts = [pd.Series(arr2[:, j]).infer_objects() for j in range(arr2.shape[1])]
        cols = [check_y(part, estimator_name) for part in parts]
        if len({c.dtype.kind for c in cols}) > 1:
            return np.column_stack([c.astype(object) for c in cols])
        return np.column_stack(cols)
    if isinstance(y, pd.DataFrame):
        if y.shape[1] != 1:
            raise ValueError(
                f"y must be 1-D (one target column); got a DataFrame with {y.shape[1]} columns."
            )
        y = y.iloc[:, 0]
    # labels that are the string categories of a pandas categorical are classes
    # (scikit-learn's "binary" or "multiclass") without scanning them again
    named_classes = False
    if isinstance(y, pd.Series) and isinstance(y.dtype, pd.CategoricalDtype):
        categories = y.dtype.categories
        named_classes = all(isinstance(c, str) for c in categories)
        if categories.dtype.kind in "biuf" and not y.isna().any():
            # numeric categories are numeric labels (as object they would read as
            # scikit-learn's "unknown" target type)
            y = y.astype(categories.dtype)
        else:
            y = y.astype(object)
    arr = np.asarray(y)
    if arr.ndim == 2 and arr.shape[1] == 1:
        warnings.warn(
            "A column-vector y was passed when a 1d array was expected. Please change "
            "the shape of y to (n_samples, ), for example using ravel().",
            DataConversionWarning,
            stacklevel=3,
        )
        arr = arr.ravel()
    if arr.ndim != 1:
        raise ValueError(
            f"y must be 1-D (n_samples,) or 2-D (n_samples, n_outputs); got an array of "
            f"shape {arr.shape}."
            if multi_output
            else f"y must be 1-D; got an array of shape {arr.shape}."
        )
    missing = pd.isna(pd.Series(arr, dtype=object if arr.dtype.kind == "O" else None))
    if missing.any():
        raise ValueError(
            f"Input y contains NaN (or another missing value) at {int(missing.sum())} "
            "position(s); drop those rows first."
        )
    if arr.dtype.kind in "fc" and not np.isfinite(arr).all():
        raise ValueError("Input y contains infinity.")
    if not (named_classes and arr.ndim == 1 and arr.size):
        check_classification_targets(arr)
    return arr


def _named_categorical_y(y: pd.Series) -> np.ndarray | None:
    """:func:`check_y` of a categorical Series whose categories are all ``str``
    (classes by name, as ARFF's): its labels as an object array, read from the codes
    (a missing label is code -1); ``None`` for any other categorical."""
    categories = np.asarray(y.dtype.categories, dtype=object)
    if not len(y) or not categories.size or not all(type(c) is str for c in categories):
        return None
    codes = y.array.codes
    missing = codes < 0
    if missing.any():
        raise ValueError(
            f"Input y contains NaN (or another missing value) at {int(missing.sum())} "
            "position(s); drop those rows first."
        )
    return categories[codes]


def encode_classes(y_raw, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Classes and codes of the target.

    A pandas categorical target keeps its declared categories, in their order
    (ARFF's class values; C4.5 counts declared classes), seen or not; any other
    target has the sorted unique labels, as scikit-learn does.
    """
    if isinstance(y_raw, pd.Series) and isinstance(y_raw.dtype, pd.CategoricalDtype):
        classes = np.asarray(y_raw.cat.categories, dtype=object)
        codes = y_raw.cat.codes.to_numpy().astype(np.intp)
        if classes.size >= 2 or classes.size == np.unique(codes).size:
            return classes, codes
    return np.unique(y, return_inverse=True)


def encode_outputs(y_raw, y: np.ndarray) -> tuple[list[np.ndarray], np.ndarray]:
    """Classes of every output of a 2-D target and its codes ``(n_samples, n_outputs)``.

    Each column is encoded as :func:`encode_classes` encodes a 1-D target (a pandas
    categorical column keeps its declared categories).
    """
    frame = y_raw if isinstance(y_raw, pd.DataFrame) else None
    classes, codes = [], []
    for j in range(y.shape[1]):
        raw = frame.iloc[:, j] if frame is not None else y[:, j]
        c, k = encode_classes(raw, y[:, j])
        classes.append(c)
        codes.append(np.asarray(k, dtype=np.intp).ravel())
    return classes, np.column_stack(codes)
