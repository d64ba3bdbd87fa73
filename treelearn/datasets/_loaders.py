"""The bundled data sets: one ``load_<name>`` per file, ``list_datasets`` and ``load_dataset``.

The ARFF files live in the repository's top-level ``datasets/`` folder; a wheel carries them
as ``treelearn/_datasets/``. Every loader is built by :func:`_make_loader` from the
catalogue (:data:`treelearn.datasets._catalogue.DATASETS`), so the thirteen
``load_<name>`` functions share one body.
"""

from __future__ import annotations

import gzip
import os
import textwrap
from collections.abc import Callable, Sequence
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.utils import Bunch

from treelearn.datasets._arff import load_arff
from treelearn.datasets._catalogue import DATASETS, bundled_key, list_datasets

__all__ = [
    "list_datasets",
    "load_breast_cancer",
    "load_contact_lenses",
    "load_credit_g",
    "load_dataset",
    "load_diabetes",
    "load_glass",
    "load_ionosphere",
    "load_iris",
    "load_labor",
    "load_play_tennis",
    "load_segment",
    "load_soybean",
    "load_vote",
    "load_weather_numeric",
    "read_table",
]


def _data_dir() -> Traversable:
    """Return the folder that holds the bundled ARFF files.

    An installed wheel carries them as ``treelearn/_data``; an editable install (or a source
    checkout) reads the repository's top-level ``datasets/`` folder.
    """
    packaged = resources.files("treelearn") / "_datasets"
    if packaged.is_dir():
        return packaged
    repo = Path(__file__).resolve().parents[2] / "datasets"
    if repo.is_dir():
        return repo
    raise FileNotFoundError(
        "the bundled data sets are missing: neither treelearn/_data nor the repository's "
        f"datasets/ folder ({repo}) exists"
    )


@cache
def _read_bundled(name: str) -> pd.DataFrame:
    info = DATASETS[name]
    resource = _data_dir() / info.filename
    if isinstance(resource, Path):
        return load_arff(resource)
    with resource.open("r", encoding="utf-8") as fh:
        return load_arff(fh)


def _bundled_filename(name: str) -> str:
    return str(_data_dir() / DATASETS[name].filename)


def _is_categorical(dtype: Any) -> bool:
    return isinstance(dtype, pd.CategoricalDtype)


def _as_labels(values: pd.Series) -> np.ndarray:
    """Class labels as an ndarray: object array of strings (NaN if missing) for string
    classes, the categories' own dtype otherwise (so that scikit-learn sees their type)."""
    categories = values.cat.categories
    if categories.dtype == object or pd.api.types.is_string_dtype(categories.dtype):
        return values.astype(object).to_numpy(dtype=object)
    if values.isna().any():
        return values.astype(np.float64).to_numpy()
    return values.astype(categories.dtype).to_numpy()


def _target_names(values: pd.Series) -> np.ndarray:
    categories = values.cat.categories
    if categories.dtype == object or pd.api.types.is_string_dtype(categories.dtype):
        return np.array(list(categories), dtype=object)
    return categories.to_numpy()


def _features_array(X: pd.DataFrame) -> np.ndarray:
    """float64 if every feature is numeric, else an object array (category values as
    strings, numbers as floats, np.nan for missing)."""
    numeric = [
        pd.api.types.is_numeric_dtype(dt) and not pd.api.types.is_bool_dtype(dt) for dt in X.dtypes
    ]
    if all(numeric):
        return X.to_numpy(dtype=np.float64)
    out = np.empty(X.shape, dtype=object)
    for j, column in enumerate(X.columns):
        col = X[column]
        if _is_categorical(col.dtype):
            out[:, j] = col.astype(object).to_numpy(dtype=object)
        else:
            out[:, j] = col.to_numpy(dtype=object)
        out[col.isna().to_numpy(), j] = np.nan
    return out


def _make_bunch(
    frame: pd.DataFrame,
    *,
    target: str | None,
    as_frame: bool,
    return_X_y: bool,
    descr: str,
    filename: str,
) -> Bunch | tuple[Any, Any]:
    """Split ``frame`` into features and target and package them as the loaders do."""
    if frame.shape[1] < 2:
        raise ValueError(
            f"{filename}: need at least one feature and a target column, "
            f"found {frame.shape[1]} column(s)"
        )
    if target is None:
        target = str(frame.columns[-1])
    elif target not in frame.columns:
        raise ValueError(
            f"target {target!r} is not a column of {filename}; "
            f"columns: {', '.join(map(str, frame.columns))}"
        )
    if not _is_categorical(frame[target].dtype):
        frame = frame.copy()
        frame[target] = frame[target].astype("category")
    y = frame[target]
    X = frame.drop(columns=[target])
    bunch = Bunch(
        data=X if as_frame else _features_array(X),
        target=y if as_frame else _as_labels(y),
        frame=frame if as_frame else None,
        feature_names=[str(c) for c in X.columns],
        target_names=_target_names(y),
        categorical_features=np.array([_is_categorical(dt) for dt in X.dtypes], dtype=bool),
        DESCR=descr,
        filename=filename,
    )
    if return_X_y:
        return bunch.data, bunch.target
    return bunch


def _load_bundled(
    name: str,
    *,
    as_frame: bool,
    return_X_y: bool,
    target: str | None = None,
) -> Bunch | tuple[Any, Any]:
    info = DATASETS[name]
    frame = _read_bundled(name).copy(deep=True)
    frame.attrs = dict(frame.attrs)
    return _make_bunch(
        frame,
        target=target,
        as_frame=as_frame,
        return_X_y=return_X_y,
        descr=info.descr(),
        filename=_bundled_filename(name),
    )


_LOADER_DOC = """Load the {title} data set (``{filename}``).

{summary}

{source}

Parameters
----------
as_frame : bool, default False
    If True, ``data`` is a DataFrame of the features (``category`` columns for nominal
    attributes, float64 for numeric ones), ``target`` a categorical Series and ``frame``
    the whole table including the target. If False, ``data`` is a float64 ndarray when
    every feature is numeric and otherwise an object ndarray holding the category values
    (strings) and numbers, with ``np.nan`` for missing values; ``target`` is an object
    ndarray of the class labels as strings.
return_X_y : bool, default False
    If True, return ``(data, target)`` instead of a Bunch.

Returns
-------
sklearn.utils.Bunch or tuple
    A Bunch with ``data``, ``target``, ``frame`` (None unless ``as_frame``),
    ``feature_names`` (list), ``target_names`` (the declared class values, in declared
    order), ``categorical_features`` (boolean mask over the features, True for nominal),
    ``DESCR`` (provenance) and ``filename``; or ``(data, target)`` if ``return_X_y``.

See Also
--------
load_dataset : Load a bundled data set by name, or an ARFF/CSV file.
list_datasets : The bundled names.
load_arff : Read any ARFF file into a DataFrame.

Examples
--------
>>> from treelearn.datasets import load_{name}
>>> bunch = load_{name}(as_frame=True)
>>> bunch.frame.shape
({n_rows}, {n_columns})
>>> len(bunch.feature_names), int(bunch.categorical_features.sum())
({n_features}, {n_nominal})
>>> X, y = load_{name}(return_X_y=True)
>>> X.shape, y.dtype
(({n_rows}, {n_features}), dtype('O'))
"""


def _make_loader(name: str) -> Callable[..., Bunch | tuple[Any, Any]]:
    """Build ``load_<name>`` for the bundled data set ``name``."""
    info = DATASETS[name]

    def loader(*, as_frame: bool = False, return_X_y: bool = False) -> Bunch | tuple[Any, Any]:
        return _load_bundled(name, as_frame=as_frame, return_X_y=return_X_y)

    loader.__name__ = loader.__qualname__ = f"load_{name}"
    loader.__doc__ = _LOADER_DOC.format(
        name=name,
        title=info.title,
        filename=info.filename,
        summary=textwrap.fill(info.summary()),
        source=textwrap.fill(f"Source: {info.source}"),
        n_rows=info.n_rows,
        n_columns=info.n_features + 1,
        n_features=info.n_features,
        n_nominal=info.n_nominal,
    )
    return loader


load_play_tennis = _make_loader("play_tennis")
load_weather_numeric = _make_loader("weather_numeric")
load_contact_lenses = _make_loader("contact_lenses")
load_labor = _make_loader("labor")
load_iris = _make_loader("iris")
load_glass = _make_loader("glass")
load_breast_cancer = _make_loader("breast_cancer")
load_ionosphere = _make_loader("ionosphere")
load_vote = _make_loader("vote")
load_soybean = _make_loader("soybean")
load_diabetes = _make_loader("diabetes")
load_credit_g = _make_loader("credit_g")
load_segment = _make_loader("segment")


#: File types :func:`load_dataset` reads (each may also be gzip'd: ``.csv.gz``, ...).
FILE_SUFFIXES = (".arff", ".csv", ".tsv", ".parquet")
#: A numeric last column with more distinct values than this is taken for a feature.
_MAX_NUMERIC_CLASSES = 20


def file_suffix(path: Path) -> str:
    """The data suffix of ``path``, ``.gz`` looked through (``x.csv.gz`` -> ``.csv``)."""
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes.pop()
    return suffixes[-1] if suffixes else ""


def file_stem(path: Path) -> str:
    """The name of ``path`` without its data suffix (``x.csv.gz`` -> ``x``)."""
    name = path.name
    if name.lower().endswith(".gz"):
        name = name[:-3]
    suffix = Path(name).suffix
    return name[: -len(suffix)] if suffix.lower() in FILE_SUFFIXES else name


def _categorical_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Text and boolean columns as ``category`` columns (sorted categories)."""
    for column in frame.columns:
        dtype = frame[column].dtype
        if (
            pd.api.types.is_object_dtype(dtype)
            or pd.api.types.is_string_dtype(dtype)
            or pd.api.types.is_bool_dtype(dtype)
        ):
            frame[column] = frame[column].astype("category")
    return frame


def _read_csv(path: Path, sep: str | None) -> pd.DataFrame:
    if sep is None:
        sep = "\t" if file_suffix(path) == ".tsv" else ","
    try:
        frame = pd.read_csv(path, sep=sep, compression="infer")
    except (pd.errors.ParserError, UnicodeDecodeError, EOFError, OSError) as exc:
        raise ValueError(f"{path}: {' '.join(str(exc).split())}") from None
    except pd.errors.EmptyDataError:
        raise ValueError(f"{path}: the file is empty") from None
    return _categorical_text(frame)


def _read_parquet(path: Path) -> pd.DataFrame:
    try:
        import pyarrow  # noqa: F401  (the engine pandas needs)
    except ImportError:
        raise ImportError(
            f"reading {path.name} needs pyarrow: pip install 'treelearn[parquet]' "
            "(or pip install pyarrow)"
        ) from None
    try:
        frame = pd.read_parquet(path, engine="pyarrow")
    except Exception as exc:  # pyarrow's own error types: not a Parquet file, ...
        raise ValueError(f"{path}: {' '.join(str(exc).split())}") from None
    return _categorical_text(frame)


def _read_arff(path: Path) -> pd.DataFrame:
    if path.suffix.lower() != ".gz":
        return load_arff(path)
    try:
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            return load_arff(fh)
    except (OSError, EOFError) as exc:  # not gzip data, truncated
        raise ValueError(f"{path}: {exc}") from None


def _columns_of(names: Any) -> list[str]:
    if names is None:
        return []
    return [names] if isinstance(names, str) else [str(n) for n in names]


def _check_columns(frame: pd.DataFrame, names: list[str], what: str, source: str) -> None:
    missing = [n for n in names if n not in frame.columns]
    if missing:
        raise ValueError(
            f"{what} {', '.join(map(repr, missing))} is not a column of {source}; "
            f"columns: {', '.join(map(str, frame.columns))}"
        )


def _apply_column_options(
    frame: pd.DataFrame, drop: Any, categorical: Any, source: str
) -> pd.DataFrame:
    """Drop columns and make columns categorical, naming any column that is not there."""
    drop_cols = _columns_of(drop)
    cat_cols = _columns_of(categorical)
    if not drop_cols and not cat_cols:
        return frame
    _check_columns(frame, drop_cols, "drop column", source)
    _check_columns(frame, cat_cols, "categorical column", source)
    frame = frame.drop(columns=drop_cols)
    for column in cat_cols:
        if column in frame.columns and not _is_categorical(frame[column].dtype):
            values = frame[column]
            if pd.api.types.is_float_dtype(values.dtype):  # 1.0 -> "1" as a category
                whole = values.dropna()
                if (whole == np.round(whole)).all():
                    values = values.astype("Int64")
            frame[column] = values.astype("category")
    return frame


def _reject_feature_like_target(frame: pd.DataFrame, path: Path) -> None:
    """A file's class is its last column unless ``target`` says otherwise; a numeric last
    column with many values (or fractions) is a feature, and guessing it is the class
    would fit a tree with a class per value."""
    column = frame.columns[-1]
    values = frame[column]
    if _is_categorical(values.dtype) or not pd.api.types.is_numeric_dtype(values.dtype):
        return
    if pd.api.types.is_bool_dtype(values.dtype):
        return
    known = values.dropna()
    n_values = known.nunique()
    fractional = pd.api.types.is_float_dtype(known.dtype) and bool((known != np.round(known)).any())
    if n_values > _MAX_NUMERIC_CLASSES or fractional:
        kind = "with fractions" if fractional else f"with {n_values} distinct values"
        raise ValueError(
            f"{path.name}: the last column {str(column)!r} is numeric {kind}, which looks "
            "like a feature, not the class; name the class column with target= (--target "
            "on the command line)"
        )


def _describe_frame(frame: pd.DataFrame, target: str, path: Path) -> str:
    X = frame.drop(columns=[target])
    n_nominal = sum(_is_categorical(dt) for dt in X.dtypes)
    missing_rows = int(X.isna().any(axis=1).sum())
    y = frame[target]
    n_classes = len(y.cat.categories) if _is_categorical(y.dtype) else y.nunique()
    return (
        f"{path.name}\n{'=' * len(path.name)}\n\n"
        + textwrap.fill(
            f"Loaded from {path}. Rows: {len(frame)}. Features: {X.shape[1]} ({n_nominal} "
            f"nominal, {X.shape[1] - n_nominal} numeric). Class: {target!r}, {n_classes} "
            f"values. Rows with missing feature values: {missing_rows}."
        )
        + "\n"
    )


def load_dataset(
    name_or_path: str | os.PathLike[str],
    *,
    as_frame: bool = True,
    return_X_y: bool = False,
    target: str | None = None,
    sep: str | None = None,
    drop: str | Sequence[str] | None = None,
    categorical: str | Sequence[str] | None = None,
) -> Bunch | tuple[Any, Any]:
    """Load a bundled data set by name, or an ARFF, CSV, TSV or Parquet file.

    Parameters
    ----------
    name_or_path : str or os.PathLike
        A bundled name (see :func:`list_datasets`; the file names ``weather.nominal``,
        ``credit-g``, ``segment-challenge``, ... work too), or the path of a ``.arff``,
        ``.csv``, ``.tsv`` or ``.parquet`` file; ``.arff.gz``, ``.csv.gz`` and
        ``.tsv.gz`` are read through gzip. CSV and TSV files are read with
        :func:`pandas.read_csv`, Parquet with pyarrow (the optional extra
        ``treelearn[parquet]``); their text and boolean columns become ``category``
        columns and integer feature columns float64.
    as_frame : bool, default True
        Return DataFrame/Series (True) or ndarrays (False); see the ``load_<name>``
        functions.
    return_X_y : bool, default False
        If True, return ``(data, target)`` instead of a Bunch.
    target : str, optional
        The name of the class column; by default the last column (Weka's convention, and
        the class attribute of every bundled file). A target that is not categorical is
        converted to a ``category`` column (sorted values). Without ``target``, a CSV,
        TSV or Parquet file whose last column is numeric with fractions or more than
        20 distinct values is refused: that column is a feature.
    sep : str, optional
        The field separator of a CSV/TSV file (default: ``","``, ``"\\t"`` for
        ``.tsv``).
    drop : str or list of str, optional
        Columns to leave out.
    categorical : str or list of str, optional
        Columns to read as categorical although their values are numbers (codes,
        zip codes, ...).

    Returns
    -------
    sklearn.utils.Bunch or tuple
        As the ``load_<name>`` functions: ``data``, ``target``, ``frame``,
        ``feature_names``, ``target_names``, ``categorical_features``, ``DESCR``,
        ``filename``; or ``(data, target)``.

    Raises
    ------
    ValueError
        For an unknown name (the message lists the bundled names), a file that does not
        exist, a file type other than those above, an unknown ``target``, ``drop`` or
        ``categorical`` column, a last column that looks like a feature (see
        ``target``), or a malformed file (the message names the line).
    ImportError
        For a Parquet file without pyarrow installed.

    Examples
    --------
    >>> from treelearn.datasets import load_dataset
    >>> bunch = load_dataset("play_tennis")
    >>> bunch.frame.shape, bunch.target.name
    ((14, 5), 'play')
    >>> list(bunch.target_names)
    ['yes', 'no']
    """
    key, path, frame = _read_source(name_or_path, sep)
    source = key if key is not None else str(path)
    frame = _apply_column_options(frame, drop, categorical, source)
    if key is not None:
        return _make_bunch(
            frame,
            target=target,
            as_frame=as_frame,
            return_X_y=return_X_y,
            descr=DATASETS[key].descr(),
            filename=_bundled_filename(key),
        )
    if target is None and file_suffix(path) != ".arff" and frame.shape[1] >= 2:
        _reject_feature_like_target(frame, path)
    if frame.shape[1] >= 2:
        name = target if target is not None else str(frame.columns[-1])
        if name in frame.columns and not _is_categorical(frame[name].dtype):
            frame[name] = frame[name].astype("category")
        for column in frame.columns:  # integer features are numeric features: float64
            if column != name and pd.api.types.is_integer_dtype(frame[column].dtype):
                frame[column] = frame[column].astype(np.float64)
        descr = _describe_frame(frame, name, path) if name in frame.columns else ""
    else:
        descr = ""
    return _make_bunch(
        frame,
        target=target,
        as_frame=as_frame,
        return_X_y=return_X_y,
        descr=descr,
        filename=str(path),
    )


def _read_source(
    name_or_path: str | os.PathLike[str], sep: str | None
) -> tuple[str | None, Path, pd.DataFrame]:
    """``(bundled key or None, path, a fresh DataFrame of the whole table)``."""
    text = os.fspath(name_or_path)
    path = Path(text)
    looks_like_name = isinstance(name_or_path, str) and (
        os.sep not in text and "/" not in text and file_suffix(path) not in FILE_SUFFIXES
    )
    if looks_like_name:
        key = bundled_key(text)
        if key is not None:
            frame = _read_bundled(key).copy(deep=True)
            frame.attrs = dict(frame.attrs)
            return key, Path(_bundled_filename(key)), frame
        if not path.is_file():
            raise ValueError(
                f"unknown data set {text!r}: not a bundled name and not a file; "
                f"bundled data sets: {', '.join(list_datasets())}"
            )
    if not path.is_file():
        hint = ""
        if bundled_key(path.stem) is not None and len(path.parts) == 1:
            hint = f" (the bundled data set is loaded by its name: {bundled_key(path.stem)!r})"
        raise ValueError(f"file does not exist: {path}{hint}")
    suffix = file_suffix(path)
    if suffix == ".arff":
        frame = _read_arff(path)
    elif suffix in (".csv", ".tsv"):
        frame = _read_csv(path, sep)
    elif suffix == ".parquet" and path.suffix.lower() != ".gz":
        frame = _read_parquet(path)
    else:
        raise ValueError(
            f"cannot load {path}: expected a .arff or .csv file (or .tsv, .parquet, "
            f"gzip'd .arff.gz/.csv.gz/.tsv.gz), or a bundled name ({', '.join(list_datasets())})"
        )
    if suffix != ".arff":
        frame.attrs["relation"] = file_stem(path)
    return None, path, frame


def read_table(
    name_or_path: str | os.PathLike[str],
    *,
    sep: str | None = None,
    drop: str | Sequence[str] | None = None,
    categorical: str | Sequence[str] | None = None,
) -> pd.DataFrame:
    """Read a bundled data set or a data file as one DataFrame, class column included.

    The reading half of :func:`load_dataset`, with the same file types, column types
    and options, for tables without a class column (data to predict).

    Parameters
    ----------
    name_or_path : str or os.PathLike
        As for :func:`load_dataset`.
    sep, drop, categorical
        As for :func:`load_dataset`.

    Returns
    -------
    DataFrame
        Every column of the file (but ``drop``): ``category`` columns for nominal and
        text columns (and ``categorical``), numbers as read.

    Raises
    ------
    ValueError, ImportError
        As :func:`load_dataset`.

    Examples
    --------
    >>> from treelearn.datasets import read_table
    >>> read_table("play_tennis", drop="play").columns.tolist()
    ['outlook', 'temperature', 'humidity', 'windy']
    """
    key, path, frame = _read_source(name_or_path, sep)
    return _apply_column_options(frame, drop, categorical, key or str(path))
