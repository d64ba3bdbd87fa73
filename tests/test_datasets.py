"""Tests of treelearn.datasets: the ARFF reader, the bundled loaders and load_dataset."""

from __future__ import annotations

import io
import re
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from limited import run_limited
from scipy.io import arff as scipy_arff
from sklearn.utils import Bunch

import treelearn.datasets as ds
from treelearn.datasets import _loaders, list_datasets, load_arff, load_dataset

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "datasets"

# Facts from shared/datasets/README.md, re-measured from the files:
# name: (file, rows, features, nominal features, class, declared classes,
#        rows with a missing feature value, missing cells)
FACTS = {
    "play_tennis": ("weather.nominal.arff", 14, 4, 4, "play", 2, 0, 0),
    "weather_numeric": ("weather.numeric.arff", 14, 4, 2, "play", 2, 0, 0),
    "contact_lenses": ("contact-lenses.arff", 24, 4, 4, "contact-lenses", 3, 0, 0),
    "labor": ("labor.arff", 57, 16, 8, "class", 2, 56, 326),
    "iris": ("iris.arff", 150, 4, 0, "class", 3, 0, 0),
    "glass": ("glass.arff", 214, 9, 0, "Type", 7, 0, 0),
    "breast_cancer": ("breast-cancer.arff", 286, 9, 9, "Class", 2, 9, 9),
    "ionosphere": ("ionosphere.arff", 351, 34, 0, "class", 2, 0, 0),
    "vote": ("vote.arff", 435, 16, 16, "Class", 2, 203, 392),
    "soybean": ("soybean.arff", 683, 35, 35, "class", 19, 121, 2337),
    "diabetes": ("diabetes.arff", 768, 8, 0, "class", 2, 0, 0),
    "credit_g": ("credit-g.arff", 1000, 20, 13, "class", 2, 0, 0),
    "segment": ("segment-challenge.arff", 1500, 19, 0, "class", 7, 0, 0),
}
NAMES = list(FACTS)


def _read(text: str) -> pd.DataFrame:
    return load_arff(io.StringIO(text))


def _is_cat(dtype: object) -> bool:
    return isinstance(dtype, pd.CategoricalDtype)


# ---------------------------------------------------------------------------------------------
# The bundled files
# ---------------------------------------------------------------------------------------------


def test_list_datasets() -> None:
    assert list_datasets() == NAMES
    assert list_datasets() is not list_datasets()  # callers may mutate their copy
    for name in NAMES:
        loader = getattr(ds, f"load_{name}")
        assert loader.__name__ == f"load_{name}"
        assert f"load_{name}" in ds.__all__
        assert loader.__doc__ and "Parameters" in loader.__doc__
    assert "load_arff" in ds.__all__ and "load_dataset" in ds.__all__
    assert set(DATA.glob("*.arff")) == {DATA / f[0] for f in FACTS.values()}


@pytest.mark.parametrize("name", NAMES)
def test_bundled_file_facts(name: str) -> None:
    filename, rows, n_feat, n_nom, target, n_classes, miss_rows, miss_cells = FACTS[name]
    df = load_arff(DATA / filename)
    assert df.shape == (rows, n_feat + 1)
    # The class attribute is the last attribute of every bundled file.
    assert df.columns[-1] == target
    declared = re.findall(
        r"(?im)^\s*@attribute\s+(?:'([^']*)'|(\S+))", (DATA / filename).read_text()
    )
    assert [q or b for q, b in declared][-1] == target
    X, y = df.iloc[:, :-1], df.iloc[:, -1]
    assert sum(_is_cat(t) for t in X.dtypes) == n_nom
    assert sum(t == np.float64 for t in X.dtypes) == n_feat - n_nom
    assert _is_cat(y.dtype) and len(y.cat.categories) == n_classes
    assert not y.cat.ordered
    assert int(X.isna().any(axis=1).sum()) == miss_rows
    assert int(X.isna().to_numpy().sum()) == miss_cells
    assert not y.isna().any()
    # The metadata behind the loaders' DESCR and docstrings states the same facts.
    info = _loaders.DATASETS[name]
    assert (info.filename, info.n_rows, info.n_features, info.n_nominal) == FACTS[name][:4]
    assert (info.target, info.n_classes, info.rows_with_missing) == FACTS[name][4:7]


@pytest.mark.parametrize("name", NAMES)
def test_loader_bunch(name: str) -> None:
    filename, rows, n_feat, n_nom, target, n_classes, miss_rows, _ = FACTS[name]
    loader = getattr(ds, f"load_{name}")
    bunch = loader()
    assert isinstance(bunch, Bunch)
    assert set(bunch) >= {
        "data", "target", "frame", "feature_names", "target_names",
        "categorical_features", "DESCR", "filename",
    }  # fmt: skip
    assert bunch.frame is None
    assert isinstance(bunch.data, np.ndarray) and bunch.data.shape == (rows, n_feat)
    assert bunch.data.dtype == (np.float64 if n_nom == 0 else object)
    assert bunch.target.dtype == object and bunch.target.shape == (rows,)
    assert all(isinstance(v, str) for v in bunch.target)
    assert set(bunch.target) <= set(bunch.target_names)
    assert len(bunch.target_names) == n_classes
    assert bunch.categorical_features.dtype == bool
    assert int(bunch.categorical_features.sum()) == n_nom
    assert len(bunch.feature_names) == n_feat
    assert Path(bunch.filename).name == filename and Path(bunch.filename).is_file()
    assert f"Rows: {rows}." in bunch.DESCR and "Weka" in bunch.DESCR and "Source:" in bunch.DESCR
    # Missing values in the ndarray are np.nan (float), category values are strings.
    X = bunch.data
    missing = pd.isna(X)
    assert int(missing.any(axis=1).sum()) == miss_rows
    for j in np.flatnonzero(bunch.categorical_features):
        assert all(isinstance(v, str) for v in X[~missing[:, j], j])
    for j in np.flatnonzero(~bunch.categorical_features):
        assert all(isinstance(v, float) for v in X[:, j])

    framed = loader(as_frame=True)
    assert isinstance(framed.data, pd.DataFrame) and framed.data.shape == (rows, n_feat)
    assert isinstance(framed.target, pd.Series) and _is_cat(framed.target.dtype)
    assert framed.target.name == target
    assert framed.frame.shape == (rows, n_feat + 1)
    assert list(framed.frame.columns) == [*framed.feature_names, target]
    assert list(framed.data.columns) == framed.feature_names == bunch.feature_names
    assert list(framed.target.cat.categories) == list(framed.target_names)
    np.testing.assert_array_equal(framed.categorical_features, bunch.categorical_features)
    np.testing.assert_array_equal(framed.target.astype(object).to_numpy(), bunch.target)

    X2, y2 = loader(return_X_y=True)
    assert X2.shape == (rows, n_feat) and y2.shape == (rows,)
    Xf, yf = loader(as_frame=True, return_X_y=True)
    assert isinstance(Xf, pd.DataFrame) and isinstance(yf, pd.Series)


def test_loaders_return_independent_copies() -> None:
    a = ds.load_iris(as_frame=True)
    a.frame.iloc[0, 0] = -1.0
    a.frame.attrs["relation"] = "changed"
    b = ds.load_iris(as_frame=True)
    assert b.frame.iloc[0, 0] == 5.1
    assert b.frame.attrs["relation"] == "iris"


def test_mixed_features_as_object_array() -> None:
    X, y = ds.load_weather_numeric(return_X_y=True)
    assert X.dtype == object
    assert list(X[0]) == ["sunny", 85.0, 85.0, "FALSE"]
    assert list(y[:3]) == ["no", "no", "yes"]
    X, _ = ds.load_labor(return_X_y=True)
    assert X[0, 0] == 1.0 and np.isnan(X[0, 2]) and X[0, 11] == "average"


def test_declared_category_order() -> None:
    frame = ds.load_play_tennis(as_frame=True).frame
    assert list(frame["outlook"].cat.categories) == ["sunny", "overcast", "rainy"]
    assert list(frame["temperature"].cat.categories) == ["hot", "mild", "cool"]
    assert list(frame["windy"].cat.categories) == ["TRUE", "FALSE"]
    assert list(ds.load_play_tennis().target_names) == ["yes", "no"]
    cancer = ds.load_breast_cancer(as_frame=True).frame
    assert list(cancer["age"].cat.categories)[:3] == ["10-19", "20-29", "30-39"]
    assert list(cancer["deg-malig"].cat.categories) == ["1", "2", "3"]  # stay strings
    soy = ds.load_soybean()
    assert soy.target_names[0] == "diaporthe-stem-canker"
    assert soy.target_names[-1] == "herbicide-injury"
    # the value list with a space after a comma (why scipy.io.arff cannot read the file)
    crop = ds.load_soybean(as_frame=True).frame["crop-hist"].cat.categories
    assert list(crop) == ["diff-lst-year", "same-lst-yr", "same-lst-two-yrs", "same-lst-sev-yrs"]
    glass = ds.load_glass(as_frame=True)
    # seven declared classes, one never occurs
    assert len(glass.target_names) == 7
    assert glass.target.value_counts()["vehic wind non-float"] == 0


def test_known_values() -> None:
    tennis = ds.load_play_tennis(as_frame=True).frame
    assert tennis.iloc[0].tolist() == ["sunny", "hot", "high", "FALSE", "no"]
    assert tennis["play"].value_counts().to_dict() == {"yes": 9, "no": 5}
    assert tennis.attrs["relation"] == "weather.symbolic"
    credit = ds.load_credit_g(as_frame=True)
    assert credit.frame.iloc[0, 0] == "<0"
    assert credit.frame["purpose"].iloc[0] == "radio/tv"
    assert credit.target.value_counts().to_dict() == {"good": 700, "bad": 300}
    vote = ds.load_vote(as_frame=True)
    assert vote.target.value_counts().to_dict() == {"democrat": 267, "republican": 168}
    assert ds.load_iris().data[0].tolist() == [5.1, 3.5, 1.4, 0.2]
    assert ds.load_labor(as_frame=True).frame.attrs["relation"] == "labor-neg-data"


@pytest.mark.parametrize("name", NAMES)
def test_agrees_with_scipy(name: str) -> None:
    path = DATA / FACTS[name][0]
    ours = load_arff(path)
    if name == "soybean":
        # scipy rejects the spaces after commas in soybean's value lists; Weka accepts them.
        with pytest.raises(ValueError):
            scipy_arff.loadarff(path)
        return
    data, meta = scipy_arff.loadarff(path)
    assert meta.name.strip("'") == ours.attrs["relation"]  # scipy keeps labor's quotes
    assert len(meta.names()) == ours.shape[1] and len(data) == len(ours)
    # compare by position: scipy keeps the quotes of glass.arff's one-letter name 'K'
    for j, col in enumerate(meta.names()):
        kind, declared = meta[col]
        theirs, mine = data[col], ours.iloc[:, j]
        assert col.strip("'") == mine.name
        if kind == "nominal":
            values = np.array([v.decode() for v in theirs], dtype=object)
            missing = values == "?"
            np.testing.assert_array_equal(missing, mine.isna().to_numpy())
            np.testing.assert_array_equal(values[~missing], mine.astype(object)[~missing])
            assert list(declared) == list(mine.cat.categories)
        else:
            assert kind == "numeric" and mine.dtype == np.float64
            np.testing.assert_array_equal(theirs, mine.to_numpy())


def test_sklearn_fit_predicts_label_strings() -> None:
    from sklearn.tree import DecisionTreeClassifier

    X, y = ds.load_iris(return_X_y=True)
    clf = DecisionTreeClassifier(random_state=0).fit(X, y)
    assert set(clf.predict(X[:5])) == {"Iris-setosa"}


# ---------------------------------------------------------------------------------------------
# Where the data files are found
# ---------------------------------------------------------------------------------------------


def test_data_dir_is_the_repository_folder_in_an_editable_install() -> None:
    assert Path(str(_loaders._data_dir())).resolve() == DATA.resolve()


def test_data_dir_prefers_the_packaged_copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    packaged = tmp_path / "treelearn" / "_datasets"
    packaged.mkdir(parents=True)
    (packaged / "iris.arff").write_text((DATA / "iris.arff").read_text())
    monkeypatch.setattr(_loaders.resources, "files", lambda package: tmp_path / package)
    _loaders._read_bundled.cache_clear()
    try:
        assert _loaders._data_dir() == packaged
        bunch = ds.load_iris()
        assert Path(bunch.filename) == packaged / "iris.arff"
        assert bunch.data.shape == (150, 4)
    finally:
        _loaders._read_bundled.cache_clear()


# ---------------------------------------------------------------------------------------------
# The ARFF reader
# ---------------------------------------------------------------------------------------------

GOOD = """% a comment before everything
%
@RELATION 'my relation'   % trailing comment

@Attribute outlook {sunny, overcast , rainy}
@ATTRIBUTE 'temp. (F)' REAL
@attribute count INTEGER
@attribute 'note' string
@attribute flag{ 'yes, really' ,"no \\"way\\"", '?' }

@DATA
% comment line inside the data
sunny , 85, 3, 'hello, world', 'yes, really'
 overcast,?,?,?,?   % trailing comment
rainy,-1.5e1,0,"tab\\there",'?'

'overcast', 7 , 2, 'it\\'s', "no \\"way\\""
"""


def test_reader_features() -> None:
    df = _read(GOOD)
    assert df.attrs["relation"] == "my relation"
    assert list(df.columns) == ["outlook", "temp. (F)", "count", "note", "flag"]
    assert df.shape == (4, 5)
    assert list(df["outlook"].cat.categories) == ["sunny", "overcast", "rainy"]
    assert list(df["flag"].cat.categories) == ["yes, really", 'no "way"', "?"]
    assert df["outlook"].tolist()[::2] == ["sunny", "rainy"] and df["outlook"].iloc[3] == "overcast"
    assert df["temp. (F)"].dtype == np.float64 and df["count"].dtype == np.float64
    np.testing.assert_array_equal(df["temp. (F)"], [85.0, np.nan, -15.0, 7.0])
    np.testing.assert_array_equal(df["count"], [3.0, np.nan, 0.0, 2.0])
    assert df["note"].tolist()[0] == "hello, world"
    assert pd.isna(df["note"].iloc[1])
    assert df["note"].tolist()[2:] == ["tab\there", "it's"]
    assert pd.api.types.is_string_dtype(df["note"].dtype) or df["note"].dtype == object
    # unquoted ? is missing, quoted '?' is the declared value "?"
    assert pd.isna(df["flag"].iloc[1])
    assert df["flag"].iloc[2] == "?"
    assert df["flag"].iloc[3] == 'no "way"'


def test_reader_accepts_paths_and_files(tmp_path: Path) -> None:
    path = tmp_path / "good.arff"
    path.write_text(GOOD, encoding="utf-8")
    expected = _read(GOOD)
    for source in (path, str(path)):
        pd.testing.assert_frame_equal(load_arff(source), expected)
    with path.open(encoding="utf-8") as fh:
        pd.testing.assert_frame_equal(load_arff(fh), expected)
    with path.open("rb") as fh:  # binary files are decoded with `encoding`
        pd.testing.assert_frame_equal(load_arff(fh), expected)
    crlf = tmp_path / "crlf.arff"
    crlf.write_bytes(("\ufeff" + GOOD).replace("\n", "\r\n").encode("utf-8"))
    pd.testing.assert_frame_equal(load_arff(crlf), expected)
    latin = tmp_path / "latin.arff"
    latin.write_bytes("@relation r\n@attribute a {é,b}\n@data\né\n".encode("latin-1"))
    assert load_arff(latin, encoding="latin-1")["a"].tolist() == ["é"]
    with pytest.raises(FileNotFoundError, match="does not exist"):
        load_arff(tmp_path / "nope.arff")
    with pytest.raises(TypeError, match="path or an open text file"):
        load_arff(42)  # type: ignore[arg-type]


def test_reader_empty_data_section_keeps_dtypes() -> None:
    df = _read("@relation r\n@attribute a {x,y}\n@attribute b numeric\n@data\n% none\n")
    assert df.shape == (0, 2)
    assert _is_cat(df["a"].dtype) and list(df["a"].cat.categories) == ["x", "y"]
    assert df["b"].dtype == np.float64


def test_reader_sparse_rows() -> None:
    text = (
        "@relation s\n@attribute a numeric\n@attribute b {x, y, z}\n@attribute c numeric\n"
        "@attribute d string\n@data\n"
        "{0 1.5, 2 3}\n{1 z, 3 'p q'}\n{}\n{2 ?}\n0, y, 1, w\n"
    )
    df = _read(text)
    np.testing.assert_array_equal(df["a"], [1.5, 0.0, 0.0, 0.0, 0.0])
    assert df["b"].tolist() == ["x", "z", "x", "x", "y"]  # omitted nominal = first value
    np.testing.assert_array_equal(df["c"], [3.0, 0.0, 0.0, np.nan, 1.0])
    assert df["d"].tolist() == ["", "p q", "", "", "w"]


def test_reader_dates() -> None:
    text = (
        "@relation d\n@attribute iso date\n"
        "@attribute day DATE 'yyyy-MM-dd'\n@attribute t date \"dd/MM/yyyy HH:mm\"\n"
        "@data\n2020-01-02T03:04:05, 2021-05-06, '07/08/2022 09:10'\n?,?,?\n"
    )
    df = _read(text)
    assert all(pd.api.types.is_datetime64_any_dtype(t) for t in df.dtypes)
    assert df["iso"].iloc[0] == pd.Timestamp("2020-01-02 03:04:05")
    assert df["day"].iloc[0] == pd.Timestamp("2021-05-06")
    assert df["t"].iloc[0] == pd.Timestamp("2022-08-07 09:10")
    assert df.iloc[1].isna().all()


HEADER = "@relation r\n@attribute a {x, y}\n@attribute b numeric\n@data\n"


@pytest.mark.parametrize(
    ("text", "line", "what"),
    [
        (HEADER + "x, 1\nz, 2\n", 6, "'z' is not a declared value of attribute 'a'"),
        (HEADER + "x, 1\ny, abc\n", 6, "cannot read 'abc' as a number"),
        (HEADER + "x, 1\n\ny\n", 7, "expected 2 values, found 1"),
        (HEADER + "x, 1, 2\n", 5, "expected 2 values, found 3"),
        (HEADER + "x,,\n", 5, "empty"),
        (HEADER + "'x, 1\n", 5, "quote"),
        (HEADER + "x, 1, {2}\n", 5, "instance weights"),
        (HEADER + "{0 x, 7 1}\n", 5, "sparse index 7 is out of range"),
        (HEADER + "{0 x, 1 1\n", 5, "missing closing '}'"),
        (HEADER + "{0 x, 0 y}\n", 5, "given twice"),
        (HEADER + "{x}\n", 5, "not 'index value'"),
        ("@relation r\n@attribute a {x, y}\n@attribute b numeric\n", 3, "without @data"),
        ("% nothing\n", 1, "without @relation"),
        ("@relation r\n@attribute a numerik\n@data\n", 2, "unknown type 'numerik'"),
        ("@relation r\n@attribute a\n@data\n", 2, "no type"),
        ("@relation r\n@attribute a {x, y\n@data\n", 2, "missing closing '}'"),
        ("@relation r\n@attribute a {x, x}\n@data\n", 2, "declared twice"),
        ("@relation r\n@attribute a {x, ?}\n@data\n", 2, "'?'"),
        ("@relation r\n\n@attribute a numeric\n@attribute a real\n@data\n", 4, "declared twice"),
        ("@relation r\n@attribute a relational\n@end a\n@data\n", 2, "relational"),
        ("@relation r\n@attribute d date 'EEE'\n@data\n", 2, "not supported"),
        ("@relation r\n@attribute d date yyyy-MM\n@data\n13-2020\n", 4, "as a date"),
        ("@attribute a numeric\n@data\n1\n", 1, "expected @relation"),
        ("@relation r\n@relation s\n", 2, "a second @relation"),
        ("@relation r\n@data\n", 2, "before any @attribute"),
        ("@relation r\n@atribute a numeric\n", 2, "unknown keyword @atribute"),
        ("@relation r\nhello\n", 2, "expected @attribute or @data"),
    ],
)
def test_malformed_files_name_the_line(text: str, line: int, what: str, tmp_path: Path) -> None:
    path = tmp_path / "bad.arff"
    path.write_text(text)
    with pytest.raises(ValueError, match=rf"line {line}\b") as info:
        load_arff(path)
    assert what in str(info.value)
    assert "bad.arff" in str(info.value)


def test_reader_is_not_quadratic() -> None:
    rows = "\n".join(f"'x',{i}.25" for i in range(50_000))
    start = time.perf_counter()
    df = _read(HEADER + rows)
    assert df.shape == (50_000, 2)
    assert time.perf_counter() - start < 10.0


_VALUE = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")),
    min_size=1,
    max_size=8,
)


@settings(max_examples=60, deadline=None)
@given(
    values=st.lists(_VALUE, min_size=1, max_size=5, unique=True),
    data=st.data(),
)
def test_round_trip_of_quoted_values(values: list[str], data: st.DataObject) -> None:
    """Values written quoted (with escapes) and random spacing read back unchanged."""

    def quote(v: str) -> str:
        return "'" + v.replace("\\", "\\\\").replace("'", "\\'") + "'"

    n = data.draw(st.integers(0, 12))
    codes = data.draw(st.lists(st.integers(-1, len(values) - 1), min_size=n, max_size=n))
    nums = data.draw(
        st.lists(st.floats(allow_nan=False, allow_infinity=False), min_size=n, max_size=n)
    )
    space = data.draw(st.sampled_from(["", " ", "\t", "  "]))
    lines = [
        "@relation rt",
        "@attribute v {" + f",{space}".join(quote(v) for v in values) + "}",
        "@attribute x numeric",
        "@data",
    ]
    for code, num in zip(codes, nums, strict=True):
        cell = "?" if code < 0 else quote(values[code])
        lines.append(f"{space}{cell}{space},{space}{num!r}{space}")
    df = _read("\n".join(lines) + "\n")
    assert list(df["v"].cat.categories) == values
    np.testing.assert_array_equal(df["v"].cat.codes.to_numpy(), codes)
    np.testing.assert_array_equal(df["x"].to_numpy(), np.array(nums, dtype=float))


# ---------------------------------------------------------------------------------------------
# load_dataset
# ---------------------------------------------------------------------------------------------


def test_load_dataset_by_name() -> None:
    bunch = load_dataset("play_tennis")
    assert isinstance(bunch.data, pd.DataFrame) and bunch.frame.shape == (14, 5)
    assert bunch.target.name == "play"
    for alias in ("weather.nominal", "Weather-Nominal", "PLAY_TENNIS"):
        assert load_dataset(alias).frame.shape == (14, 5)
    assert load_dataset("segment-challenge").frame.shape == (1500, 20)
    assert load_dataset("credit-g", as_frame=False).data.dtype == object
    X, y = load_dataset("iris", return_X_y=True, as_frame=False)
    assert X.dtype == np.float64 and y.dtype == object
    # another column as the target
    other = load_dataset("play_tennis", target="outlook")
    assert other.target.name == "outlook"
    assert other.feature_names == ["temperature", "humidity", "windy", "play"]
    assert list(other.target_names) == ["sunny", "overcast", "rainy"]


def test_load_dataset_arff_path(tmp_path: Path) -> None:
    bunch = load_dataset(DATA / "vote.arff")
    assert bunch.frame.shape == (435, 17)
    assert bunch.filename == str(DATA / "vote.arff")
    assert "Rows: 435" in bunch.DESCR
    path = tmp_path / "good.arff"
    path.write_text(GOOD)
    small = load_dataset(str(path), as_frame=False)
    assert small.data.shape == (4, 4)
    assert list(small.target_names) == ["yes, really", 'no "way"', "?"]
    assert small.categorical_features.tolist() == [True, False, False, False]
    assert pd.isna(small.target[1])


def test_load_dataset_csv(tmp_path: Path) -> None:
    path = tmp_path / "toy.csv"
    path.write_text(
        "colour,size,flag,label\nred,1,True,yes\nblue,2.5,False,no\n,3,True,yes\nred,,False,no\n"
    )
    bunch = load_dataset(path)
    frame = bunch.frame
    assert frame.shape == (4, 4)
    assert _is_cat(frame["colour"].dtype) and frame["colour"].isna().sum() == 1
    assert frame["size"].dtype == np.float64 and frame["size"].isna().sum() == 1
    assert _is_cat(frame["flag"].dtype)
    assert bunch.target.name == "label" and _is_cat(bunch.target.dtype)
    assert list(bunch.target_names) == ["no", "yes"]
    assert bunch.categorical_features.tolist() == [True, False, True]
    X, y = load_dataset(path, as_frame=False, return_X_y=True)
    assert X.dtype == object and y.dtype == object and y.tolist() == ["yes", "no", "yes", "no"]
    assert X[0].tolist() == ["red", 1.0, True] and np.isnan(X[2, 0]) and np.isnan(X[3, 1])
    # an integer class column: labels keep their integer type in the ndarray form
    ints = tmp_path / "ints.csv"
    ints.write_text("a,b,cls\n1,2,0\n3,4,1\n5,6,1\n")
    X, y = load_dataset(ints, as_frame=False, return_X_y=True)
    assert X.dtype == np.float64 and y.dtype.kind == "i" and y.tolist() == [0, 1, 1]
    chosen = load_dataset(ints, target="a")
    assert chosen.target.name == "a" and chosen.feature_names == ["b", "cls"]


def test_load_dataset_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ValueError, match=r"unknown data set 'tennis'.*play_tennis.*segment"):
        load_dataset("tennis")
    with pytest.raises(ValueError, match="does not exist"):
        load_dataset(tmp_path / "missing.arff")
    with pytest.raises(ValueError, match="does not exist"):
        load_dataset("no/such/file.csv")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ValueError, match=r"does not exist: iris\.arff .*by its name: 'iris'"):
        load_dataset("iris.arff")
    other = tmp_path / "data.txt"
    other.write_text("a,b\n1,2\n")
    with pytest.raises(ValueError, match=r"expected a \.arff or \.csv"):
        load_dataset(other)
    with pytest.raises(ValueError, match="target 'nope' is not a column"):
        load_dataset("iris", target="nope")
    bad = tmp_path / "bad.arff"
    bad.write_text(HEADER + "x\n")
    with pytest.raises(ValueError, match="line 5"):
        load_dataset(bad)
    one = tmp_path / "one.csv"
    one.write_text("a\n1\n")
    with pytest.raises(ValueError, match="at least one feature"):
        load_dataset(one)


# ------------------------------------------- files and column options (issue 14)


def test_feature_like_last_column_is_refused(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    path = tmp_path / "fares.csv"
    pd.DataFrame(
        {"sex": rng.choice(["f", "m"], 50), "fare": rng.gamma(2.0, 10.0, 50).round(2)}
    ).to_csv(path, index=False)
    with pytest.raises(ValueError, match=r"last column 'fare' is numeric with fractions"):
        load_dataset(path)
    many = tmp_path / "ids.csv"
    pd.DataFrame({"a": ["x", "y"] * 15, "id": np.arange(30)}).to_csv(many, index=False)
    with pytest.raises(ValueError, match=r"'id' is numeric with 30 distinct values"):
        load_dataset(many)
    assert load_dataset(path, target="sex").target.name == "sex"
    few = tmp_path / "digits.csv"  # integer classes, few of them: a class column
    pd.DataFrame({"a": np.arange(30.0), "digit": np.arange(30) % 10}).to_csv(few, index=False)
    assert list(load_dataset(few).target_names) == list(range(10))


def test_drop_and_categorical_options(tmp_path: Path) -> None:
    bunch = load_dataset("credit_g", drop=["purpose", "job"], categorical="num_dependents")
    assert "purpose" not in bunch.feature_names and "job" not in bunch.feature_names
    j = bunch.feature_names.index("num_dependents")
    assert bunch.categorical_features[j]
    assert list(bunch.data["num_dependents"].cat.categories) == [1, 2]
    with pytest.raises(ValueError, match=r"drop column 'nope' is not a column of credit_g"):
        load_dataset("credit_g", drop="nope")
    with pytest.raises(ValueError, match=r"categorical column 'nope' is not a column"):
        load_dataset("credit_g", categorical=["nope"])
    before = load_dataset("credit_g").frame
    assert "purpose" in before.columns  # the cached bundled frame was not modified


def test_read_table_keeps_every_column_and_the_loaders_types(tmp_path: Path) -> None:
    frame = ds.read_table("vote")
    bunch = load_dataset("vote")
    pd.testing.assert_frame_equal(frame, bunch.frame)
    path = tmp_path / "x.tsv.gz"
    bunch.frame.to_csv(path, sep="\t", index=False, compression="gzip")
    back = ds.read_table(path)
    assert back.shape == bunch.frame.shape and back.attrs["relation"] == "x"
    assert all(isinstance(dt, pd.CategoricalDtype) for dt in back.dtypes)


def test_dataset_info_is_the_catalogue_and_needs_no_file() -> None:
    for name in list_datasets():
        info = ds.dataset_info(name)
        bunch = load_dataset(name)
        assert (info.n_rows, info.n_features) == bunch.data.shape
        assert info.n_classes == len(bunch.target_names)
    assert ds.dataset_info("weather.nominal").name == "play_tennis"
    with pytest.raises(ValueError, match="unknown data set 'nope'"):
        ds.dataset_info("nope")


# -- memory: the data section is read a chunk of lines at a time ------------------------
def test_arff_chunks_give_the_whole_file_result(monkeypatch, tmp_path):
    # the columns are converted a chunk of lines at a time; the frame is the same
    # whatever the chunk size, and errors are still those of the whole file (the
    # first column with a bad value, at its first bad line)
    from treelearn.datasets import _arff

    rng = np.random.default_rng(0)
    lines = [
        f"{x:.3f},{'?' if m else c},'s{i}',2020-01-{1 + i % 28:02d}"
        for i, (x, c, m) in enumerate(
            zip(rng.random(50), rng.choice(["a", "b"], 50), rng.random(50) < 0.2, strict=True)
        )
    ]
    head = (
        "@relation r\n@attribute x numeric\n@attribute c {a,b}\n@attribute s string\n"
        "@attribute d date yyyy-MM-dd\n@data\n"
    )
    path = tmp_path / "r.arff"
    path.write_text(head + "\n".join(lines) + "\n")
    whole = load_arff(path)
    monkeypatch.setattr(_arff, "_CHUNK_ROWS", 7)
    chunked = load_arff(path)
    pd.testing.assert_frame_equal(whole, chunked)
    assert whole.shape == (50, 4) and whole["c"].isna().any()
    bad = lines.copy()
    bad[40] = bad[40].replace("2020-01", "2020-13")  # line 47, column d
    bad[30] = "zz" + bad[30][2:]  # line 37, column x: reported, the first column
    bad[10] = "0.5,q,'s10',2020-01-11"  # line 17, column c
    path.write_text(head + "\n".join(bad) + "\n")
    with pytest.raises(ValueError, match=r"line 37: cannot read 'zz"):
        load_arff(path)


def test_arff_line_with_too_many_values_is_counted_without_splitting():
    doc = "@relation r\n@attribute a numeric\n@attribute b string\n@data\n"
    quoted = doc + ",".join(["'x'"] * 100_000) + "\n"  # the careful tokenizer
    with pytest.raises(ValueError, match=r"line 5: expected 2 values, found 100000"):
        load_arff(io.StringIO(quoted))
    plain = doc + "1," * 99_999 + "1\n"
    with pytest.raises(ValueError, match=r"line 5: expected 2 values, found 100000"):
        load_arff(io.StringIO(plain))
    # an empty value is reported as the split would report it
    with pytest.raises(ValueError, match=r"line 5: value 3 is empty"):
        load_arff(io.StringIO(doc + "1,2, ,4\n"))


def test_a_huge_arff_line_fails_with_its_error_not_memory_error(tmp_path):
    # a 128 MB line of 64 million values: split into strings it needs gigabytes (a
    # bare MemoryError under the cap); counted, it needs about three times itself
    path = tmp_path / "long.arff"
    with open(path, "w") as f:
        f.write("@relation r\n@attribute a numeric\n@attribute b numeric\n@data\n1,2\n")
        piece = "1," * 2**19
        for _ in range(128):
            f.write(piece)
        f.write("1\n")
    out = run_limited(
        f"""
from treelearn.datasets import load_arff
try:
    load_arff({str(path)!r})
except ValueError as e:
    print(str(e)[-60:])
""",
        seconds=120,
        memory_gib=1.0,
    )
    assert "line 6: expected 2 values, found 67108865" in out


def test_arff_columns_sized_by_a_wrong_row_estimate_are_the_same():
    # the reader sizes numeric and nominal columns by the file's "\n" count; a file
    # with "\r" line ends gives an estimate of one row, so the columns grow, over
    # several chunks of rows, with missing values; a file of many comment lines
    # gives one far too long
    from treelearn.datasets import load_arff

    rng = np.random.default_rng(0)
    n = 40_000
    x = np.round(rng.normal(size=n), 4)
    x[::11] = np.nan
    rows = [
        ("?" if np.isnan(v) else repr(float(v))) + "," + ("?" if i % 7 == 0 else "ab"[i % 2])
        for i, v in enumerate(x)
    ]
    head = ["@relation r", "@attribute x numeric", "@attribute c {a, b}", "@data"]
    want = load_arff(io.StringIO("\n".join(head + rows) + "\n"))
    for text in (
        "\r".join(head + rows) + "\r",
        "\n".join(head + ["% c"] * 3 * n + rows) + "\n",
    ):
        got = load_arff(io.StringIO(text))
        pd.testing.assert_frame_equal(got, want)
    np.testing.assert_array_equal(want["x"].to_numpy(), x)
    assert want["c"].isna().sum() == len(range(0, n, 7))
