"""The bundled data sets: one ``load_<name>`` per file, ``list_datasets`` and ``load_dataset``.

The ARFF files live in the repository's top-level ``datasets/`` folder; a wheel carries them
as ``treelearn/_datasets/``. Every loader is built by :func:`_make_loader` from the
catalogue (:data:`treelearn.datasets._catalogue.DATASETS`), so the thirteen
``load_<name>`` functions share one body.
"""

from __future__ import annotations

import os
import textwrap
from collections.abc import Callable
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.utils import Bunch

from treelearn.datasets._arff import load_arff
from treelearn.datasets._catalogue import ALIASES, DATASETS

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
]


def list_datasets() -> list[str]:
    """Return the names of the bundled data sets.

    Returns
    -------
    list of str
        The names accepted by :func:`load_dataset` (and the loader names without ``load_``).

    Examples
    --------
    >>> from treelearn.datasets import list_datasets
    >>> list_datasets()[:3]
    ['play_tennis', 'weather_numeric', 'contact_lenses']
    >>> len(list_datasets())
    13
    """
    return list(DATASETS)


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
    name: str, *, as_frame: bool, return_X_y: bool, target: str | None = None
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


def _bundled_key(text: str) -> str | None:
    key = text.strip().lower().replace("-", "_").replace(".", "_")
    key = ALIASES.get(key, key)
    return key if key in DATASETS else None


def _read_csv(path: Path) -> pd.DataFrame:
    frame = pd.read_csv(path)
    for column in frame.columns:
        dtype = frame[column].dtype
        if (
            pd.api.types.is_object_dtype(dtype)
            or pd.api.types.is_string_dtype(dtype)
            or pd.api.types.is_bool_dtype(dtype)
        ):
            frame[column] = frame[column].astype("category")
    frame.attrs["relation"] = path.stem
    return frame


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
) -> Bunch | tuple[Any, Any]:
    """Load a bundled data set by name, or an ARFF or CSV file.

    Parameters
    ----------
    name_or_path : str or os.PathLike
        A bundled name (see :func:`list_datasets`; the file names ``weather.nominal``,
        ``credit-g``, ``segment-challenge``, ... work too), or the path of a ``.arff`` or
        ``.csv`` file. CSV files are read with :func:`pandas.read_csv`; their text and
        boolean columns become ``category`` columns and integer feature columns float64.
    as_frame : bool, default True
        Return DataFrame/Series (True) or ndarrays (False); see the ``load_<name>``
        functions.
    return_X_y : bool, default False
        If True, return ``(data, target)`` instead of a Bunch.
    target : str, optional
        The name of the class column; by default the last column (Weka's convention, and
        the class attribute of every bundled file). A target that is not categorical is
        converted to a ``category`` column (sorted values).

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
        exist, a file type other than ARFF or CSV, an unknown ``target`` column, or a
        malformed ARFF file.

    Examples
    --------
    >>> from treelearn.datasets import load_dataset
    >>> bunch = load_dataset("play_tennis")
    >>> bunch.frame.shape, bunch.target.name
    ((14, 5), 'play')
    >>> list(bunch.target_names)
    ['yes', 'no']
    """
    text = os.fspath(name_or_path)
    path = Path(text)
    looks_like_name = isinstance(name_or_path, str) and (
        os.sep not in text and "/" not in text and path.suffix.lower() not in (".arff", ".csv")
    )
    if looks_like_name:
        key = _bundled_key(text)
        if key is not None:
            return _load_bundled(key, as_frame=as_frame, return_X_y=return_X_y, target=target)
        if not path.is_file():
            raise ValueError(
                f"unknown data set {text!r}: not a bundled name and not a file; "
                f"bundled data sets: {', '.join(list_datasets())}"
            )
    if not path.is_file():
        hint = ""
        if _bundled_key(path.stem) is not None and len(path.parts) == 1:
            hint = f" (the bundled data set is loaded by its name: {_bundled_key(path.stem)!r})"
        raise ValueError(f"file does not exist: {path}{hint}")
    suffix = path.suffix.lower()
    if suffix == ".arff":
        frame = load_arff(path)
    elif suffix == ".csv":
        frame = _read_csv(path)
    else:
        raise ValueError(
            f"cannot load {path}: expected a .arff or .csv file, or a bundled name "
            f"({', '.join(list_datasets())})"
        )
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
