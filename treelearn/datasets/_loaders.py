"""The bundled data sets: one ``load_<name>`` per file, ``list_datasets`` and ``load_dataset``.

The ARFF files live in the repository's top-level ``datasets/`` folder; a wheel carries them
as ``treelearn/_data/``. Every loader is built by :func:`_make_loader` from the metadata
table :data:`_DATASETS`, so the thirteen ``load_<name>`` functions share one body.
"""

from __future__ import annotations

import os
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.utils import Bunch

from treelearn.datasets._arff import load_arff

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

_WEKA = "Distributed with Weka 3.6 (Debian package ``weka``, /usr/share/doc/weka/examples/)"


@dataclass(frozen=True)
class _DatasetInfo:
    """Facts about one bundled file (checked against the file by the test suite)."""

    name: str
    filename: str
    title: str
    source: str
    n_rows: int
    n_features: int
    n_nominal: int  # nominal features; the others are numeric
    target: str  # the class attribute (always the last attribute)
    n_classes: int  # declared class values
    rows_with_missing: int  # rows with at least one missing feature value
    notes: str = ""

    def summary(self) -> str:
        n_numeric = self.n_features - self.n_nominal
        if self.n_nominal == self.n_features:
            kinds = "all nominal"
        elif self.n_nominal == 0:
            kinds = "all numeric"
        else:
            kinds = f"{self.n_nominal} nominal, {n_numeric} numeric"
        missing = (
            f"{self.rows_with_missing} rows have at least one missing value ('?')"
            if self.rows_with_missing
            else "none"
        )
        return (
            f"Rows: {self.n_rows}. Features: {self.n_features} ({kinds}). "
            f"Class: {self.target!r}, {self.n_classes} declared values. "
            f"Missing values: {missing}."
        )

    def descr(self) -> str:
        parts = [
            f"{self.title}\n{'=' * len(self.title)}",
            f"File: {self.filename} (bundled name {self.name!r}).",
            self.summary(),
            f"Source: {self.source}",
            f"{_WEKA}; the classic public UCI / Weka example files.",
        ]
        if self.notes:
            parts.append(f"Notes: {self.notes}")
        return "\n\n".join(textwrap.fill(p) if "\n" not in p else p for p in parts) + "\n"


_DATASETS: dict[str, _DatasetInfo] = {
    info.name: info
    for info in [
        _DatasetInfo(
            name="play_tennis",
            filename="weather.nominal.arff",
            title="Weather (play tennis), nominal",
            source=(
                "J. R. Quinlan, 'Induction of decision trees', Machine Learning 1:81-106 "
                "(1986), Table 1: the play-tennis example ID3 is taught with."
            ),
            n_rows=14,
            n_features=4,
            n_nominal=4,
            target="play",
            n_classes=2,
            rows_with_missing=0,
        ),
        _DatasetInfo(
            name="weather_numeric",
            filename="weather.numeric.arff",
            title="Weather (play tennis), numeric",
            source=(
                "Quinlan's play-tennis example with numeric temperature and humidity, as in "
                "Witten & Frank, 'Data Mining' (the Weka book), and Quinlan's C4.5 book."
            ),
            n_rows=14,
            n_features=4,
            n_nominal=2,
            target="play",
            n_classes=2,
            rows_with_missing=0,
        ),
        _DatasetInfo(
            name="contact_lenses",
            filename="contact-lenses.arff",
            title="Contact lenses",
            source=(
                "J. Cendrowska, 'PRISM: an algorithm for inducing modular rules', Int. J. Man-"
                "Machine Studies 27:349-370 (1987); UCI Machine Learning Repository (Lenses)."
            ),
            n_rows=24,
            n_features=4,
            n_nominal=4,
            target="contact-lenses",
            n_classes=3,
            rows_with_missing=0,
            notes=("Complete: every combination of the attribute values occurs once."),
        ),
        _DatasetInfo(
            name="labor",
            filename="labor.arff",
            title="Labor negotiations",
            source=(
                "Final settlements in labour negotiations in Canadian industry, 1987-88 "
                "(Collective Bargaining Review, Labour Canada; donor Stan Matwin); UCI Machine "
                "Learning Repository (Labor Relations)."
            ),
            n_rows=57,
            n_features=16,
            n_nominal=8,
            target="class",
            n_classes=2,
            rows_with_missing=56,
            notes=(
                "The file's own header says 'Missing Attribute Values: None', but 326 of the "
                "912 feature values are '?' and only one row is complete."
            ),
        ),
        _DatasetInfo(
            name="iris",
            filename="iris.arff",
            title="Iris",
            source=(
                "R. A. Fisher, 'The use of multiple measurements in taxonomic problems', Annals"
                " of Eugenics 7:179-188 (1936); UCI Machine Learning Repository (Iris)."
            ),
            n_rows=150,
            n_features=4,
            n_nominal=0,
            target="class",
            n_classes=3,
            rows_with_missing=0,
        ),
        _DatasetInfo(
            name="glass",
            filename="glass.arff",
            title="Glass identification",
            source=(
                "B. German, Home Office Forensic Science Service (donor Vina Spiehler, 1987); "
                "UCI Machine Learning Repository (Glass Identification)."
            ),
            n_rows=214,
            n_features=9,
            n_nominal=0,
            target="Type",
            n_classes=7,
            rows_with_missing=0,
            notes=(
                "Seven classes are declared but 'vehic wind non-float' never occurs, so the "
                "data has six classes."
            ),
        ),
        _DatasetInfo(
            name="breast_cancer",
            filename="breast-cancer.arff",
            title="Breast cancer (Ljubljana)",
            source=(
                "University Medical Centre, Institute of Oncology, Ljubljana (M. Zwitter and M."
                " Soklic; donors Ming Tan and Jeff Schlimmer, 1988); UCI Machine Learning "
                "Repository (Breast Cancer)."
            ),
            n_rows=286,
            n_features=9,
            n_nominal=9,
            target="Class",
            n_classes=2,
            rows_with_missing=9,
            notes=(
                "Nominal values are intervals such as '30-39' declared in their natural order; "
                "some declared values never occur."
            ),
        ),
        _DatasetInfo(
            name="ionosphere",
            filename="ionosphere.arff",
            title="Ionosphere",
            source=(
                "Johns Hopkins University Applied Physics Laboratory, Space Physics Group (V. "
                "Sigillito, 1989); UCI Machine Learning Repository (Ionosphere)."
            ),
            n_rows=351,
            n_features=34,
            n_nominal=0,
            target="class",
            n_classes=2,
            rows_with_missing=0,
        ),
        _DatasetInfo(
            name="vote",
            filename="vote.arff",
            title="Congressional voting records (1984)",
            source=(
                "Congressional Quarterly Almanac, 98th Congress, 2nd session 1984 (donor Jeff "
                "Schlimmer, 1987); UCI Machine Learning Repository (Congressional Voting "
                "Records)."
            ),
            n_rows=435,
            n_features=16,
            n_nominal=16,
            target="Class",
            n_classes=2,
            rows_with_missing=203,
            notes="'?' means the representative neither voted yea nor nay.",
        ),
        _DatasetInfo(
            name="soybean",
            filename="soybean.arff",
            title="Soybean (large)",
            source=(
                "R. S. Michalski and R. L. Chilausky (1980), soybean disease diagnosis (donors "
                "Ming Tan and Jeff Schlimmer, 1988); UCI Machine Learning Repository (Soybean, "
                "Large): training and test files combined."
            ),
            n_rows=683,
            n_features=35,
            n_nominal=35,
            target="class",
            n_classes=19,
            rows_with_missing=121,
            notes=(
                "Some value lists have spaces after the commas (Weka accepts them; "
                "scipy.io.arff does not read this file)."
            ),
        ),
        _DatasetInfo(
            name="diabetes",
            filename="diabetes.arff",
            title="Pima Indians diabetes",
            source=(
                "National Institute of Diabetes and Digestive and Kidney Diseases (donor "
                "Vincent Sigillito, 1990); Smith et al. (1988); UCI Machine Learning Repository"
                " (Pima Indians Diabetes)."
            ),
            n_rows=768,
            n_features=8,
            n_nominal=0,
            target="class",
            n_classes=2,
            rows_with_missing=0,
            notes=(
                "No value is '?', but zeros stand for unknown values in plas (5), pres (35), "
                "skin (227), insu (374) and mass (11)."
            ),
        ),
        _DatasetInfo(
            name="credit_g",
            filename="credit-g.arff",
            title="German credit",
            source=(
                "Prof. Hans Hofmann, Universitaet Hamburg; Statlog project; UCI Machine "
                "Learning Repository (Statlog German Credit Data)."
            ),
            n_rows=1000,
            n_features=20,
            n_nominal=13,
            target="class",
            n_classes=2,
            rows_with_missing=0,
        ),
        _DatasetInfo(
            name="segment",
            filename="segment-challenge.arff",
            title="Image segmentation (challenge subset)",
            source=(
                "Vision Group, University of Massachusetts (Carla Brodley, 1990); UCI Machine "
                "Learning Repository (Image Segmentation). Weka's 1500-row subset of the "
                "combined training and test data."
            ),
            n_rows=1500,
            n_features=19,
            n_nominal=0,
            target="class",
            n_classes=7,
            rows_with_missing=0,
        ),
    ]
}
_ALIASES = {"weather_nominal": "play_tennis", "segment_challenge": "segment"}


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
    return list(_DATASETS)


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
    info = _DATASETS[name]
    resource = _data_dir() / info.filename
    if isinstance(resource, Path):
        return load_arff(resource)
    with resource.open("r", encoding="utf-8") as fh:
        return load_arff(fh)


def _bundled_filename(name: str) -> str:
    return str(_data_dir() / _DATASETS[name].filename)


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
    info = _DATASETS[name]
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
    info = _DATASETS[name]

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
    key = _ALIASES.get(key, key)
    return key if key in _DATASETS else None


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
