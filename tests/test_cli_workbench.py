"""The treelearn command as a workbench (issue 14): one data path, fit/predict/show,
data files of every kind, and honest exit statuses.

End to end in subprocesses where the exit status, stderr and the files written are
the point; in-process (``main``) where a loop over every bundled data set would cost a
fresh interpreter each.
"""

from __future__ import annotations

import gzip
import io
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from treelearn import C45Classifier, CARTClassifier, load_json
from treelearn.cli import main
from treelearn.compare import compare_criteria, resolve_datasets
from treelearn.datasets import list_datasets, load_dataset
from treelearn.export import export_graphviz, export_rules, export_text, render

try:
    from j48_reference import format_tree, load_fixture
except ModuleNotFoundError:  # tests/ imported as a package
    from tests.j48_reference import format_tree, load_fixture

TIMES = ["fit_time", "predict_time", "fit_time_mean", "fit_time_std"]
TIMES += ["predict_time_mean", "predict_time_std"]


def run(*args: str, cwd: Path | None = None, timeout: float = 180) -> subprocess.CompletedProcess:
    """``python -m treelearn ARGS`` in a fresh interpreter."""
    return subprocess.run(
        [sys.executable, "-m", "treelearn", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        cwd=cwd,
    )


def one_error_line(proc: subprocess.CompletedProcess, *needles: str) -> str:
    """Exit 2, nothing on stdout, one ``treelearn: error:`` line naming ``needles``."""
    assert proc.returncode == 2, (proc.returncode, proc.stderr)
    assert proc.stdout == ""
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("treelearn: error: ") and "Traceback" not in proc.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]


def same_tree(a, b) -> None:
    assert list(a.classes_) == list(b.classes_)
    for name in ("feature", "threshold", "children_left", "children_right", "value"):
        if hasattr(a.tree_, name):
            np.testing.assert_array_equal(getattr(a.tree_, name), getattr(b.tree_, name))
    assert export_text(a) == export_text(b)


@pytest.fixture(scope="module")
def credit_csv(tmp_path_factory) -> Path:
    """credit-g as a CSV file: text columns, integer and float columns."""
    path = tmp_path_factory.mktemp("csv") / "credit.csv"
    load_dataset("credit_g").frame.to_csv(path, index=False)
    return path


# ------------------------------------------------------------- one data path


def test_cli_credit_g_c45_tree_is_j48s(tmp_path):
    """The defect of issue 14: the CLI sorted the class labels (['bad', 'good']) where
    the ARFF declares good, bad, and J48's tie rules follow the declared order."""
    model = tmp_path / "credit.json"
    proc = run("fit", "credit_g", "-c", "c4.5", "-o", str(model))
    assert proc.returncode == 0, proc.stderr
    est = load_json(model)
    assert list(est.classes_) == ["good", "bad"]
    j48_tree, summary = load_fixture("credit-g", "default")
    assert export_text(est, layout="j48").strip() == format_tree(j48_tree, header=False).strip()
    assert est.get_n_leaves() == summary.n_leaves
    shown = run("show", str(model))
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout == export_text(est).rstrip("\n") + "\n"


@pytest.mark.parametrize("name", list_datasets())
def test_cli_tree_of_every_bundled_set_is_the_loaders(name, tmp_path, capsys):
    X, y = load_dataset(name, return_X_y=True)
    expected = C45Classifier().fit(X, y)
    model = tmp_path / "m.json"
    assert main(["fit", name, "-o", str(model)]) == 0
    same_tree(load_json(model), expected)
    # the same path under compare and the plots: resolve_datasets keeps the order
    data = resolve_datasets(name)[0]
    same_tree(C45Classifier().fit(data.X, data.y), expected)


def test_cli_render_draws_the_loaders_tree(tmp_path):
    X, y = load_dataset("credit_g", return_X_y=True)
    expected = export_graphviz(C45Classifier().fit(X, y), named_counts=True)
    out = tmp_path / "credit.dot"
    proc = run("render", "-d", "credit_g", "-c", "c4.5", "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    assert out.read_text() == expected
    assert "good: " in expected.split("\n")[5]  # class names in the counts line, declared order


def test_compare_criteria_with_a_bundled_name_is_the_loaders_data():
    X, y = load_dataset("credit_g", return_X_y=True)
    by_name = compare_criteria("credit_g", ["c4.5"], cv=3)
    by_data = compare_criteria({"credit_g": (X, y)}, ["c4.5"], cv=3)
    pd.testing.assert_frame_equal(
        by_name.drop(columns=TIMES, errors="ignore"), by_data.drop(columns=TIMES, errors="ignore")
    )


# -------------------------------------------------------------- honest exits


@pytest.mark.parametrize("name", ["tree.exe", "tree"])
def test_render_unknown_format_exits_2_naming_the_formats(name, tmp_path):
    proc = run("render", "-d", "iris", "-o", str(tmp_path / name))
    one_error_line(proc, "svg", "png", "pdf", "jpeg")
    assert not (tmp_path / name).exists()


@pytest.mark.parametrize(
    ("suffix", "magic"),
    [("pdf", b"%PDF"), ("jpg", b"\xff\xd8\xff"), ("jpeg", b"\xff\xd8\xff"), ("png", b"\x89PNG")],
)
def test_render_format_follows_the_suffix(suffix, magic, tmp_path, capsys):
    out = tmp_path / f"tree.{suffix}"
    assert main(["render", "-d", "iris", "-o", str(out)]) == 0
    assert out.read_bytes().startswith(magic)


def test_render_svg_is_svg(tmp_path):
    out = tmp_path / "tree.svg"
    proc = run("render", "-d", "play_tennis", "-c", "id3", "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    assert b"<svg" in out.read_bytes()[:400]


def test_python_render_refuses_unknown_formats(tmp_path):
    X, y = load_dataset("iris", return_X_y=True)
    est = CARTClassifier(max_depth=2).fit(X, y)
    with pytest.raises(ValueError, match=r"formats: svg, png, pdf, jpeg"):
        render(est, tmp_path / "x.exe")
    with pytest.raises(ValueError, match=r"cannot tell the format.*\.svg"):
        render(est, tmp_path / "x")
    with pytest.raises(ValueError, match="precision must be an integer from 0 to 17"):
        export_graphviz(est, precision=10**9)
    assert not list(tmp_path.iterdir())


def test_feature_like_last_column_exits_2(tmp_path):
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        {
            "sex": rng.choice(["f", "m"], 300),
            "survived": rng.choice(["no", "yes"], 300),
            "fare": rng.gamma(2.0, 15.0, 300).round(2),
        }
    )
    path = tmp_path / "titanic.csv"
    frame.to_csv(path, index=False)
    proc = run("compare", "-d", str(path), "--cv", "3", "-j", "1")
    one_error_line(proc, "'fare'", "looks like a feature", "--target")
    proc = run("info", str(path))
    one_error_line(proc, "'fare'")
    ok = run("compare", "-d", str(path), "--target", "survived", "--cv", "3", "-j", "1")
    assert ok.returncode == 0, ok.stderr
    assert "titanic" in ok.stdout and "failed" not in ok.stdout


def test_failed_fit_exits_non_zero_and_keep_going_reports(tmp_path):
    args = ["compare", "-d", "iris", "--cv", "3", "-j", "1", "-c", "c4.5,cart:max_depth=-1"]
    proc = run(*args)
    one_error_line(proc, "max_depth", "--keep-going")
    going = run(*args, "--keep-going")
    assert going.returncode == 1
    assert "failed" in going.stdout and "C4.5" in going.stdout
    assert "Traceback" not in going.stderr
    assert any(line.startswith("treelearn: failed: ") for line in going.stderr.splitlines())


# --------------------------------------------------- fit, predict, show


def test_fit_predict_show_round_trip_equals_python(credit_csv, tmp_path):
    model = tmp_path / "model.json"
    proc = run("fit", str(credit_csv), "-c", "c4.5", "--param", "confidence=0.1", "-o", str(model))
    assert proc.returncode == 0, proc.stderr
    X, y = load_dataset(credit_csv, return_X_y=True)
    expected = C45Classifier(confidence=0.1).fit(X, y)
    est = load_json(model)
    assert est.get_params()["confidence"] == 0.1
    same_tree(est, expected)

    out = tmp_path / "predictions.csv"
    proc = run("predict", str(model), str(credit_csv), "--proba", "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    table = pd.read_csv(out)
    assert table["prediction"].tolist() == expected.predict(X).tolist()
    proba = expected.predict_proba(X)
    for k, label in enumerate(expected.classes_):
        np.testing.assert_allclose(table[f"proba_{label}"], proba[:, k], rtol=1e-12)
    to_stdout = run("predict", str(model), str(credit_csv))
    assert to_stdout.returncode == 0
    assert pd.read_csv(io.StringIO(to_stdout.stdout)).columns.tolist() == ["prediction"]

    rules = run("show", str(model), "--format", "rules")
    assert rules.stdout == str(export_rules(expected)).rstrip("\n") + "\n"
    dot = run("show", str(model), "--format", "dot", "--max-depth", "2", "--orientation", "LR")
    assert dot.stdout == export_graphviz(expected, max_depth=2, orientation="LR", named_counts=True)
    png = tmp_path / "tree.png"
    pic = run("show", str(model), "-o", str(png), "--max-depth", "3")
    assert pic.returncode == 0, pic.stderr
    assert png.read_bytes()[:4] == b"\x89PNG"


def test_show_image_needs_an_output_file(tmp_path, capsys):
    model = tmp_path / "m.json"
    assert main(["fit", "iris", "-c", "cart", "-o", str(model)]) == 0
    assert main(["show", str(model), "--format", "svg"]) == 2
    assert "-o FILE" in capsys.readouterr().err


def test_show_html_writes_the_explorer_with_the_routes_of_data_rows(tmp_path, credit_csv):
    """``show --format html --data`` equals ``export_html`` of the loaded model with the
    file's rows; ``render -o tree.html`` writes the explorer of the fitted tree."""
    from treelearn.export import export_html

    model = tmp_path / "model.json"
    assert run("fit", str(credit_csv), "-o", str(model)).returncode == 0
    page = tmp_path / "tree.html"
    proc = run("show", str(model), "-o", str(page), "--data", str(credit_csv))
    assert proc.returncode == 0, proc.stderr
    rows = pd.read_csv(credit_csv).drop(columns="class")
    loaded = load_json(model)
    X = load_dataset(str(credit_csv), target="class").data
    assert page.read_text(encoding="utf-8") == export_html(loaded, X=X[list(rows.columns)])
    drawn = tmp_path / "render.html"
    proc = run("render", "-d", "credit_g", "-o", str(drawn), "--max-depth", "2")
    assert proc.returncode == 0, proc.stderr
    text = drawn.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and "https://" not in text


def test_show_data_needs_html(tmp_path, credit_csv):
    model = tmp_path / "model.json"
    assert run("fit", str(credit_csv), "-o", str(model)).returncode == 0
    proc = run("show", str(model), "-o", str(tmp_path / "x.svg"), "--data", str(credit_csv))
    one_error_line(proc, "--data", "html")


def test_predict_names_missing_columns(tmp_path, credit_csv, capsys):
    model = tmp_path / "m.json"
    assert main(["fit", str(credit_csv), "-o", str(model)]) == 0
    capsys.readouterr()
    assert main(["predict", str(model), "iris"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and "lacks the model's feature column(s) 'checking_status'" in err[0]
    assert main(["predict", str(tmp_path / "nope.json"), "iris"]) == 2
    assert "model file does not exist" in capsys.readouterr().err


def test_compare_parameterised_criteria_and_several_scores():
    proc = run(
        "compare",
        "-d",
        "iris",
        "--cv",
        "3",
        "-j",
        "1",
        "-c",
        "c4.5:confidence=0.1,cart:max_depth=2",
        "--scoring",
        "accuracy,f1_macro",
        "--format",
        "csv",
    )
    assert proc.returncode == 0, proc.stderr
    frame = pd.read_csv(io.StringIO(proc.stdout))
    assert frame["criterion"].tolist() == ["C4.5(confidence=0.1)", "CART(max_depth=2)"]
    expected = compare_criteria(
        "iris",
        {
            "C4.5(confidence=0.1)": C45Classifier(confidence=0.1),
            "CART(max_depth=2)": CARTClassifier(max_depth=2),
        },
        cv=3,
        scoring=["accuracy", "f1_macro"],
    )
    pd.testing.assert_frame_equal(
        frame.drop(columns=TIMES, errors="ignore"),
        expected.drop(columns=TIMES, errors="ignore"),
        check_dtype=False,
    )
    table = run("compare", "-d", "iris", "--cv", "3", "-j", "1", "--scoring", "accuracy")
    assert "fit s C4.5" in table.stdout


def test_compare_repeated_scoring_adds_and_a_repeat_is_an_error(capsys):
    argv = ["compare", "-d", "iris", "--cv", "3", "-j", "1", "-c", "cart", "--format", "json"]
    assert main([*argv, "--scoring", "accuracy", "--scoring", "f1_macro"]) == 0
    record = json.loads(capsys.readouterr().out)[0]
    assert "accuracy_mean" in record and "f1_macro_mean" in record
    assert main([*argv, "--scoring", "accuracy,accuracy"]) == 2
    assert "accuracy twice" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["fit", "iris", "-c", "cart", "--param", "depth", "-o", "m.json"], "KEY=VALUE"),
        (["fit", "iris", "-c", "cart", "--param", "colour=red", "-o", "m.json"], "colour"),
        (["fit", "iris", "-c", "c5.0", "-o", "m.json"], "unknown criterion 'c5.0'"),
        (["compare", "-d", "iris", "-c", "confidence=0.1"], "before any criterion"),
    ],
)
def test_bad_parameters_are_one_line(argv, message, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and message in err[0], err


# ------------------------------------------------------------- data options


def test_data_options_drop_categorical_target_sep(tmp_path, capsys):
    frame = load_dataset("weather_numeric").frame.assign(day=np.arange(14) % 3)
    path = tmp_path / "weather.txt.csv"
    frame[["day", "outlook", "temperature", "humidity", "windy", "play"]].to_csv(
        path, index=False, sep=";"
    )
    model = tmp_path / "m.json"
    argv = ["fit", str(path), "--sep", ";", "--categorical", "day", "-c", "id3", "-o"]
    assert main([*argv, str(model)]) == 0
    est = load_json(model)
    assert est.categories_[0] is not None and est.feature_names_in_[0] == "day"
    assert main([*argv, str(model), "--drop", "day,windy"]) == 0
    assert list(load_json(model).feature_names_in_) == ["outlook", "temperature", "humidity"]
    assert main(["fit", str(path), "--sep", ";", "--target", "outlook", "-o", str(model)]) == 0
    assert list(load_json(model).classes_) == ["overcast", "rainy", "sunny"]
    capsys.readouterr()
    assert main([*argv, str(model), "--drop", "nope"]) == 2
    err = capsys.readouterr().err
    assert "drop column 'nope' is not a column" in err


def test_tsv_and_gzip_files(tmp_path, capsys):
    frame = load_dataset("iris").frame
    tsv = tmp_path / "iris.tsv"
    frame.to_csv(tsv, index=False, sep="\t")
    gz = tmp_path / "iris.csv.gz"
    with gzip.open(gz, "wt") as fh:
        frame.to_csv(fh, index=False)
    arff_gz = tmp_path / "iris.arff.gz"
    source = Path(load_dataset("iris").filename).read_bytes()
    arff_gz.write_bytes(gzip.compress(source))
    X, y = load_dataset("iris", return_X_y=True)
    expected = export_text(CARTClassifier().fit(X, y))
    for path in (tsv, gz, arff_gz):
        model = tmp_path / "m.json"
        assert main(["fit", str(path), "-c", "cart", "-o", str(model)]) == 0
        assert export_text(load_json(model)) == expected, path


def test_parquet_and_a_clear_message_without_pyarrow(tmp_path, capsys, monkeypatch):
    pytest.importorskip("pyarrow")
    path = tmp_path / "iris.parquet"
    load_dataset("iris").frame.assign(**{"class": lambda f: f["class"].astype(str)}).to_parquet(
        path
    )
    model = tmp_path / "m.json"
    assert main(["fit", str(path), "-c", "cart", "-o", str(model)]) == 0
    assert load_json(model).tree_.node_count > 1
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    capsys.readouterr()
    assert main(["fit", str(path), "-o", str(model)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and "needs pyarrow" in err[0] and "treelearn[parquet]" in err[0]


def test_malformed_csv_names_the_line(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("a,b,c\n1,2,x\n3,4,y\n5,6,7,8\n")
    proc = run("fit", str(path), "-o", str(tmp_path / "m.json"))
    one_error_line(proc, "bad.csv", "line 4")


# ------------------------------------------------------------- properties

_NAMES = st.sampled_from(["c4.5", "cart", "id3", "gini", "entropy"])
_KEYS = st.from_regex(r"[a-z][a-z_]{0,10}", fullmatch=True)
_VALUES = st.one_of(
    st.integers(-1000, 1000),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.booleans(),
    st.none(),
    st.from_regex(r"[a-z][a-z_]{0,8}", fullmatch=True).filter(
        lambda s: s not in ("true", "false", "none", "null", "inf", "nan", "infinity")
    ),
)


@given(st.lists(st.tuples(_NAMES, st.dictionaries(_KEYS, _VALUES, max_size=3)), min_size=1))
def test_criteria_lists_parse_back(specs):
    """Any list of criteria with parameters, written as -c text, parses back to itself
    (a key=value without 'name:' belongs to the criterion before it)."""
    from treelearn.cli._data import parse_criteria

    def text(value):
        return (
            "none"
            if value is None
            else str(value).lower()
            if isinstance(value, bool)
            else str(value)
        )

    parts = []
    for name, params in specs:
        items = [f"{k}={text(v)}" for k, v in params.items()]
        parts.append(name + (":" + ",".join(items) if items else ""))
    parsed = parse_criteria([",".join(parts)])
    assert [n for n, _ in parsed] == [n for n, _ in specs]
    for (_, got), (_, want) in zip(parsed, specs, strict=True):
        assert got.keys() == want.keys()
        for key, value in want.items():
            if isinstance(value, float):
                assert got[key] == pytest.approx(value) or got[key] == int(value)
            else:
                assert got[key] == value and type(got[key]) is type(value)


# ------------------------------------------------- Demšar's statistics (issue 16)
def test_compare_prints_friedman_and_nemenyi_and_draws_a_cd_diagram(tmp_path):
    """Over several data sets the notes carry the Friedman and Nemenyi results, equal to
    ``friedman_test``/``nemenyi_test`` of the same comparison; ``--plot-kind cd`` draws
    the critical-difference diagram."""
    from treelearn.compare import friedman_test, nemenyi_test

    plot = tmp_path / "cd.png"
    args = ["-d", "iris", "glass", "vote", "diabetes", "-c", "id3,c4.5,cart", "--cv", "3"]
    proc = run("compare", *args, "--plot", str(plot), "--plot-kind", "cd", "-q", "-j", "1")
    assert proc.returncode == 0, proc.stderr
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    result = compare_criteria(["iris", "glass", "vote", "diabetes"], ["id3", "c4.5", "cart"], cv=3)
    f = friedman_test(result).set_index("test").loc["iman_davenport_f"]
    cd = nemenyi_test(result)["critical_difference"].iloc[0]
    line = next(x for x in proc.stdout.splitlines() if x.startswith("Friedman over 4 data sets"))
    assert f"F(2, 6) = {f['statistic']:.3f}" in line
    assert f"Nemenyi: critical difference {cd:.3f}" in proc.stdout


def test_compare_imbalanced_runs_on_the_suite():
    proc = run(
        "compare", "--imbalanced", "-c", "cart,hellinger", "--scoring", "balanced_accuracy",
        "--cv", "2", "-q", "-j", "1", "--format", "csv",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    table = pd.read_csv(io.StringIO(proc.stdout))
    from treelearn.compare import imbalanced_suite

    assert list(dict.fromkeys(table["dataset"])) == list(imbalanced_suite())
    assert table["balanced_accuracy_mean"].between(0.3, 1.0).all()


def test_plot_kind_is_checked():
    proc = run("compare", "-d", "iris", "--plot", "x.png", "--plot-kind", "pie")
    assert proc.returncode == 2 and "--plot-kind" in proc.stderr
