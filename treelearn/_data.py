"""Turning user input (numpy or pandas, numeric or categorical) into one float matrix.

Every feature becomes one float column: numeric features keep their values (a
float32 or float64 numpy array is read as given, without a copy; anything else
becomes float64), categorical features hold category codes ``0 .. n_categories-1``. Missing values
(``NaN``, ``None``, ``pd.NA``) and categories unseen in training become ``NaN``,
which the tree routes C4.5 style.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd
from pandas.api.types import (
    infer_dtype,
    is_bool_dtype,
    is_numeric_dtype,
    is_object_dtype,
    is_string_dtype,
)

from treelearn._routing import NanRows, nan_rows, odd_rows
from treelearn._sparse_values import SparseColumns, is_sparse_columns
from treelearn._validation import assert_all_finite, check_array, is_sparse


@dataclass
class FeatureEncoding:
    """How the columns of the training data were encoded.

    Attributes
    ----------
    is_categorical : ndarray of bool, shape (n_features,)
    categories : list
        Per feature, the category values (an ndarray) of a categorical feature, or
        ``None`` for a numeric one. Code ``c`` stands for ``categories[j][c]``.
    """

    is_categorical: np.ndarray
    categories: list

    @classmethod
    def from_categories(cls, categories: list) -> FeatureEncoding:
        """The encoding whose categorical features are those with categories."""
        is_cat = np.array([c is not None for c in categories], dtype=bool)
        return cls(is_categorical=is_cat, categories=list(categories))

    @property
    def n_categories(self) -> np.ndarray:
        """Number of categories per feature (0 for numeric features)."""
        return np.array([0 if c is None else len(c) for c in self.categories], dtype=np.int64)


def _is_categorical_dtype(dtype) -> bool:
    """Whether a pandas column of this dtype is categorical under ``"auto"``."""
    if isinstance(dtype, pd.CategoricalDtype) or is_bool_dtype(dtype):
        return True
    return is_object_dtype(dtype) or (is_string_dtype(dtype) and not is_numeric_dtype(dtype))


def _categorical_mask(X, categorical_features, n_features: int) -> np.ndarray:
    """Resolve ``categorical_features`` into a boolean mask over the columns."""
    is_frame = isinstance(X, pd.DataFrame)
    if isinstance(categorical_features, str) and categorical_features == "auto":
        if is_frame:
            return np.array([_is_categorical_dtype(dtype) for dtype in X.dtypes], dtype=bool)
        return np.zeros(n_features, dtype=bool)
    if categorical_features is None:
        return np.zeros(n_features, dtype=bool)
    spec = np.asarray(categorical_features)
    if spec.dtype == bool:
        if spec.shape != (n_features,):
            raise ValueError(
                f"categorical_features as a boolean mask must have length {n_features} "
                f"(the number of features), got shape {spec.shape}."
            )
        return spec.copy()
    mask = np.zeros(n_features, dtype=bool)
    names = list(map(str, X.columns)) if is_frame else None
    for item in spec.ravel().tolist():
        if isinstance(item, str):
            if names is None or item not in names:
                raise ValueError(
                    f"categorical_features names column {item!r}, which is not a column "
                    "of X (names need a pandas DataFrame)."
                )
            mask[names.index(item)] = True
        elif isinstance(item, int | np.integer):
            if not -n_features <= item < n_features:
                raise ValueError(
                    f"categorical_features index {item} is out of range for {n_features} features."
                )
            mask[item] = True
        else:
            raise TypeError(
                "categorical_features must be 'auto', None, a boolean mask, or column "
                f"indices or names; got an element {item!r}."
            )
    return mask


def _columns(X) -> Iterator:
    """The columns of ``X`` in order (a frame's as Series, without indexing each)."""
    if isinstance(X, pd.DataFrame):
        return (col for _, col in X.items())
    return (X[:, j] for j in range(X.shape[1]))


def _encoded_columns(X, numeric: np.ndarray) -> Iterator:
    """:func:`_columns`, where a frame's column holds a ``pd.Categorical`` for a
    categorical feature (or a numpy array of numbers for a numeric one) that array
    itself: the encoders read no more of a Series than its values, and making a
    Series per column is ~10 µs, most of the encoding of a small frame's categorical
    column. Any other column (strings, objects, nullable numbers, booleans as
    categories, a categorical column declared numeric) is the frame's Series, as
    :func:`_columns` gives it. Without pandas' ``_iter_column_arrays`` (it is not
    public): :func:`_columns`."""
    arrays = getattr(X, "_iter_column_arrays", None) if isinstance(X, pd.DataFrame) else None
    if arrays is None:
        yield from _columns(X)
        return
    for j, arr in enumerate(arrays()):
        if (
            isinstance(arr, np.ndarray) and _is_number_dtype(arr.dtype)
            if numeric[j]
            else isinstance(arr, pd.Categorical)
        ):
            yield arr
        else:
            yield X.iloc[:, j]


def _is_number_dtype(dtype) -> bool:
    """A numpy dtype of numbers (bool, int, uint, float; no pandas extension type)."""
    return isinstance(dtype, np.dtype) and dtype.kind in "biuf"


def _is_plain_numeric(col) -> bool:
    """A pandas column held as a numpy array of numbers (no extension type, no NA)."""
    return isinstance(col, pd.Series) and _is_number_dtype(col.dtype)


def _plain_numeric_frame(X) -> bool:
    """A DataFrame whose every column is held as a numpy array of numbers (what
    :func:`_is_plain_numeric` says of one column)."""
    return isinstance(X, pd.DataFrame) and all(_is_number_dtype(dtype) for dtype in X.dtypes)


#: What ``infer_dtype`` calls values that are no categories: times and complex numbers.
_NOT_CATEGORIES = {
    "datetime": "datetimes",
    "datetime64": "datetimes",
    "date": "dates",
    "timedelta": "time spans",
    "timedelta64": "time spans",
    "period": "periods",
    "complex": "complex numbers",
}


def _check_category_values(values, name) -> None:
    """Refuse values a categorical column cannot hold faithfully.

    Datetimes and complex numbers are not categories (convert them to numbers or
    strings), and ``True`` / ``1`` (or ``False`` / ``0``) are equal and hash
    alike, so in one column they would merge into one category silently.
    """
    kind = infer_dtype(values, skipna=True)
    if kind in _NOT_CATEGORIES:
        raise TypeError(
            f"Column {name!r} holds {_NOT_CATEGORIES[kind]}, which treelearn does not "
            "take as categories; convert it to numbers (e.g. seconds or days) or strings."
        )
    if kind.startswith("mixed"):
        values = pd.Series(np.asarray(values, dtype=object))
        types = set(pd.unique(values[~values.isna()].map(type)))
        booleans = {t for t in types if issubclass(t, bool | np.bool_)}
        numbers = {t for t in types - booleans if issubclass(t, int | float | np.number)}
        if booleans and numbers:
            raise ValueError(
                f"Column {name!r} mixes booleans with numbers: True equals 1 (and False "
                "equals 0), so they would be one category; convert the column to strings."
            )


def _categories_of(col, name=None) -> np.ndarray:
    """Category values of one column, in a deterministic order."""
    if isinstance(col, pd.Series | pd.Categorical) and isinstance(col.dtype, pd.CategoricalDtype):
        _check_category_values(col.dtype.categories, name)
        return np.asarray(col.dtype.categories, dtype=object)
    values = pd.Series(np.asarray(col, dtype=object))
    _check_category_values(values, name)
    values = values[~values.isna()]
    uniques = pd.unique(values)
    try:
        return np.asarray(sorted(uniques), dtype=object)
    except TypeError:  # mixed types that do not compare: order of appearance
        return np.asarray(uniques, dtype=object)


def _encode_categorical(col, categories: np.ndarray, *, own: bool = False) -> np.ndarray:
    """Codes of ``col`` in ``categories`` as float, NaN for missing or unseen values.

    ``own=True`` says ``categories`` are those of ``col``'s categorical dtype (in fit).
    """
    if isinstance(col, pd.Series | pd.Categorical) and isinstance(col.dtype, pd.CategoricalDtype):
        declared = col.dtype.categories
        if own or (
            len(declared) == len(categories)
            and all(
                a == b and type(a) is type(b)
                for a, b in zip(
                    np.asarray(declared, dtype=object).tolist(), categories.tolist(), strict=True
                )
            )
        ):  # the fitted categories, in the same order: the codes are ours
            codes = col.codes if isinstance(col, pd.Categorical) else col.array.codes
            out = codes.astype(np.float64)
            out[codes < 0] = np.nan
            return out
        col = col.astype(object)
    values = pd.Series(np.asarray(col, dtype=object))
    codes = pd.Index(categories).get_indexer(values.where(~values.isna(), None))
    out = codes.astype(np.float64)
    out[codes < 0] = np.nan
    return out


_FLOAT32_MAX = float(np.finfo(np.float32).max)
#: The dtypes numeric numpy X is read in as given (no copy); any other becomes float64.
#: float32 widens to float64 without rounding wherever a split computes (midpoints,
#: gaps: ``SortedStore.float_values``), so its trees are those of its float64 copy.
_FLOAT_DTYPES = (np.float64, np.float32)


def _check_float32_range(arr: np.ndarray, where: str, infinity: bool = False) -> None:
    """Reject values beyond float32's range, as scikit-learn's trees do (they read
    ``X`` as float32): treelearn computes in float64, but keeps scikit-learn's input
    contract so that every fitted tree converts (``to_sklearn``, ONNX).

    ``infinity=True``: an infinite value gets scikit-learn's ``check_array`` error
    first (the same two passes over ``arr`` find both; NaN is allowed)."""
    if not arr.size:
        return
    # fmax/fmin skip NaN (missing values) without a warning
    high, low = np.fmax.reduce(arr, axis=None), np.fmin.reduce(arr, axis=None)
    if infinity and (high == np.inf or low == -np.inf):
        assert_all_finite(arr, allow_nan=True)
    if high > _FLOAT32_MAX or low < -_FLOAT32_MAX:
        raise ValueError(
            f"Input X contains a value too large for dtype('float32'){where}; "
            "treelearn, like scikit-learn's trees, accepts values of magnitude up to "
            f"{_FLOAT32_MAX:.6g}. Rescale the feature."
        )


def _times_error(what: str) -> TypeError:
    """The refusal of datetimes and time spans where numbers are expected."""
    return TypeError(
        f"{what} holds datetimes or time spans; convert it to numbers (e.g. seconds or days) first."
    )


def _numeric_column(col, j: int, name, *, check_values: bool = True) -> np.ndarray:
    """One numeric feature as float64; ``check_values=False`` leaves the checks of its
    values (infinity, float32's range) to the caller (:func:`_check_numeric_values`)."""
    kind = col.dtype.kind if hasattr(col, "dtype") else np.asarray(col).dtype.kind
    if kind == "c":
        raise TypeError(
            f"Column {name!r} is complex; treelearn does not drop imaginary parts "
            "silently: pass the real part (or both parts as two columns)."
        )
    if kind in "mM":
        raise _times_error(f"Column {name!r}")
    if _is_plain_numeric(col):
        arr = col.to_numpy(dtype=np.float64)
    elif isinstance(col, pd.Series):
        try:
            arr = col.astype("float64").to_numpy(dtype=np.float64, na_value=np.nan)
        except (TypeError, ValueError) as exc:
            raise ValueError(
                f"Column {name!r} is not numeric and was not declared categorical: {exc}"
            ) from None
    elif np.asarray(col).dtype.kind in "biuf":
        arr = np.asarray(col, dtype=np.float64)
    else:
        try:
            arr = np.asarray(
                pd.to_numeric(pd.Series(np.asarray(col, dtype=object)), errors="raise"),
                dtype=np.float64,
            )
        except TypeError as exc:
            raise TypeError(
                f"argument must be a string or a real number: feature {j} holds "
                f"objects that are neither ({exc})"
            ) from None
        except ValueError as exc:
            raise ValueError(
                f"could not convert feature {j} to float ({exc}); declare categorical "
                "columns with categorical_features=."
            ) from None
    if check_values:
        _check_numeric_values(arr[:, None], [name])
    return arr


def _check_numeric_values(out: np.ndarray, names: list) -> None:
    """Refuse infinity and values beyond float32's range in the columns of ``out``
    (all at once; the message names the first column at fault)."""
    if not out.size:
        return
    infinite = np.isinf(out).any(axis=0)
    # fmax/fmin skip NaN (missing values) without a warning
    too_large = (np.fmax.reduce(out, axis=0) > _FLOAT32_MAX) | (
        np.fmin.reduce(out, axis=0) < -_FLOAT32_MAX
    )
    bad = np.flatnonzero(infinite | too_large)
    if bad.size:
        j = int(bad[0])
        if infinite[j]:
            raise ValueError(f"Input X contains infinity in feature {names[j]!r}.")
        _check_float32_range(out[:, j], f" in feature {names[j]!r}")


def _encode_columns(X, categories: list, *, fitting: bool) -> np.ndarray:
    """The float matrix of ``X``, column by column; in fit, ``categories`` holds
    ``True`` for a categorical feature and is filled in with its categories."""
    n_features = X.shape[1]
    out = np.empty(X.shape, dtype=np.float64, order="F")
    names = list(X.columns) if isinstance(X, pd.DataFrame) else list(range(n_features))
    numeric = np.array([c is None for c in categories[:n_features]], dtype=bool)
    if numeric.all() and _plain_numeric_frame(X):  # one conversion, not one a column
        out[:] = X.to_numpy(dtype=np.float64)
        _check_numeric_values(out, names)
        return out
    for j, col in enumerate(_encoded_columns(X, numeric)):
        if numeric[j]:
            out[:, j] = _numeric_column(col, j, names[j], check_values=False)
        elif fitting:
            categories[j] = _categories_of(col, names[j])
            out[:, j] = _encode_categorical(col, categories[j], own=True)
        else:
            out[:, j] = _encode_categorical(col, categories[j])
            _warn_if_codes(col, categories[j], out[:, j], names[j])
    if numeric.all():
        _check_numeric_values(out, names)
    elif numeric.any():
        _check_numeric_values(out[:, numeric], [names[j] for j in np.flatnonzero(numeric)])
    return out


def _as_2d(X):
    """``X`` checked as a 2-D matrix (numpy, pandas or sparse), in scikit-learn's words."""
    return _as_2d_nan_rows(X)[0]


def _as_2d_nan_rows(X) -> tuple:
    """:func:`_as_2d`, and for a float32 numpy ``X`` the rows that may hold a NaN
    (:class:`~treelearn._routing.NanRows`, from the pass that checks the values;
    ``None`` for any other input)."""
    if isinstance(X, pd.DataFrame):
        if X.shape[0] == 0 or X.shape[1] == 0:
            raise ValueError(
                f"Found array with {X.shape[0]} sample(s) and {X.shape[1]} feature(s) "
                "(shape=%s) while a minimum of 1 is required." % (X.shape,)
            )
        return X, None
    if isinstance(X, pd.Series):
        raise ValueError(
            "Expected a 2D array, got a 1D pandas Series. Reshape your data with "
            "X.to_frame() or array.reshape(-1, 1)."
        )
    if is_sparse_columns(X):
        return X, None
    if is_sparse(X):
        return _sparse_2d(X), None
    arr = np.asarray(X) if not hasattr(X, "toarray") else None
    if arr is None:
        raise TypeError(
            f"X of type {type(X).__name__} is not supported; pass a numpy array, a pandas "
            "DataFrame or a scipy.sparse matrix."
        )
    if arr.dtype.kind in "OUS" or arr.dtype.kind == "b":
        if arr.ndim != 2:
            raise ValueError(
                f"Expected a 2D array, got {arr.ndim}D array instead. Reshape your data."
            )
        if arr.shape[0] == 0 or arr.shape[1] == 0:
            raise ValueError(
                f"Found array with {arr.shape[0]} sample(s) and {arr.shape[1]} feature(s) "
                f"(shape={arr.shape}) while a minimum of 1 is required."
            )
        return arr, None
    if arr.dtype.kind in "mM":  # check_array would cast them to float silently
        raise _times_error(f"X (dtype {arr.dtype})")
    # numeric numpy input: scikit-learn's own checks and messages
    arr = check_array(
        arr,
        dtype=_FLOAT_DTYPES,
        ensure_all_finite=False,  # checked below, with float32's range
        ensure_2d=True,
        allow_nd=False,
        copy=False,
    )
    if arr.dtype == np.float32:
        return arr, _check_float32_values(arr)
    _check_float32_range(arr, "", infinity=True)
    return arr, None


def _check_float32_values(arr: np.ndarray) -> NanRows:
    """:func:`_check_float32_range` of a 2-D float32 ``arr`` (only infinity can be
    out of range), and its NaN rows, from one pass: the rows whose sum is not finite
    (:func:`~treelearn._routing.odd_rows`) are the only ones that can hold either,
    and they are copied out once, for this check and for the tree's walk."""
    found = nan_rows(arr, odd_rows(arr))
    if found.values is not None and np.isinf(found.values).any():
        assert_all_finite(arr, allow_nan=True)  # scikit-learn's message
    return found


def _sparse_2d(X) -> SparseColumns:
    """A ``scipy.sparse`` matrix or array as :class:`SparseColumns` (a CSC copy).

    Numeric values only; NaN is refused (sparse X has no missing values here, as in
    scikit-learn's trees: store a missing value as a column of a dense matrix), and so
    are infinity and values beyond float32's range.
    """
    if X.ndim != 2:
        raise ValueError(f"Expected a 2D sparse matrix, got {X.ndim}D instead.")
    if X.shape[0] == 0 or X.shape[1] == 0:
        raise ValueError(
            f"Found array with {X.shape[0]} sample(s) and {X.shape[1]} feature(s) "
            f"(shape={tuple(X.shape)}) while a minimum of 1 is required."
        )
    if X.dtype.kind not in "biuf":
        raise TypeError(
            f"sparse X must hold numbers (got dtype {X.dtype}); categorical features need "
            "a dense array or a pandas DataFrame."
        )
    out = SparseColumns(X)
    data = out.data
    if np.isnan(data).any():
        raise ValueError(
            "Input X contains NaN: sparse X takes no missing values (as in scikit-learn's "
            "trees); pass a dense array or DataFrame to use missing values."
        )
    if np.isinf(data).any():
        raise ValueError("Input X contains infinity.")
    _check_float32_range(data, "")
    return out


def _refuse_sparse_categorical(mask: np.ndarray) -> None:
    if mask.any():
        raise ValueError(
            f"sparse X supports numeric features only, but features "
            f"{np.flatnonzero(mask).tolist()} are categorical; pass a dense array or a "
            "DataFrame for categorical features (C4.5's multiway splits, subset splits)."
        )


def take_rows(X, rows: np.ndarray):
    """The rows ``rows`` (indices or a boolean mask) of an encoded matrix, as the
    builder reads it (Fortran order for dense, :class:`SparseColumns` for sparse)."""
    if is_sparse_columns(X):
        return X.take_rows(rows)
    return np.asfortranarray(X[rows])


def fit_encoding(
    X, categorical_features="auto"
) -> tuple[np.ndarray | SparseColumns, FeatureEncoding]:
    """Encode training data; return the float matrix and the encoding used.

    Sparse input stays sparse (:class:`~treelearn._sparse_values.SparseColumns`);
    its features must all be numeric.
    """
    X = _as_2d(X)
    n_features = X.shape[1]
    if is_sparse_columns(X):
        mask = _categorical_mask(X, categorical_features, n_features)
        _refuse_sparse_categorical(mask)
        return X, FeatureEncoding(is_categorical=mask, categories=[None] * n_features)
    mask = _categorical_mask(X, categorical_features, n_features)
    if isinstance(X, np.ndarray) and X.dtype in _FLOAT_DTYPES and not mask.any():
        # all numeric (check_array in _as_2d has rejected infinity): the builder
        # reads X as it is, float32 or float64, no copy of the data
        return X, FeatureEncoding(is_categorical=mask, categories=[None] * n_features)
    categories: list = [True if m else None for m in mask]
    out = _encode_columns(X, categories, fitting=True)
    return out, FeatureEncoding(is_categorical=mask, categories=categories)


def _warn_if_codes(col, categories: np.ndarray, codes: np.ndarray, name) -> None:
    """Warn when a categorical column arrives as numbers that match no category
    (integer codes instead of the values, say): all of it is routed as unseen."""
    dtype = getattr(col, "dtype", None)
    if dtype is None or dtype.kind not in "iuf" or not np.isnan(codes).all():
        return
    if not categories.size or any(isinstance(c, int | float | np.number) for c in categories):
        return
    known = ~pd.isna(np.asarray(col, dtype=object))
    if known.any():
        warnings.warn(
            f"Feature {name!r} is categorical with {categories.size} categories such as "
            f"{categories[0]!r}, but received numbers that match none of them (integer "
            "codes?); every such value is routed as an unseen category (like a missing "
            "value). Pass the category values themselves.",
            UserWarning,
            stacklevel=4,
        )


def transform(X, encoding: FeatureEncoding, *, checked: bool = False) -> np.ndarray | SparseColumns:
    """Encode new data with a fitted encoding (unseen categories become NaN).

    ``checked=True`` says ``X`` is already the output of ``_as_2d`` (not checked twice).
    """
    if not checked:
        X = _as_2d(X)
    if is_sparse_columns(X):
        _refuse_sparse_categorical(encoding.is_categorical)
        return X
    if (
        isinstance(X, np.ndarray)
        and X.dtype in _FLOAT_DTYPES
        and not encoding.is_categorical.any()
        and X.shape[1] == encoding.is_categorical.size
    ):  # all numeric: check_array in _as_2d has rejected infinity already
        return X  # the tree reads any memory order
    return _encode_columns(X, list(encoding.categories), fitting=False)
