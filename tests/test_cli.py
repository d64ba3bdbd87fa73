"""The treelearn command: end to end in a subprocess, and in-process for the details."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import types
from pathlib import Path

import pandas as pd
import pytest

from treelearn import __version__
from treelearn.cli import build_parser, main
from treelearn.compare import compare_criteria
from treelearn.datasets import list_datasets, load_dataset

try:
    from j48_reference import load_fixture
except ModuleNotFoundError:  # tests/ imported as a package
    from tests.j48_reference import load_fixture

TIMES = ["fit_time", "predict_time"]
# a small comparison: a tiny nominal set (Weka-style folds), a numeric one, missing values
SMALL = ["-d", "play_tennis", "iris", "-d", "vote", "--cv", "3", "-j", "1"]


def run(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    """``python -m treelearn ARGS`` in a fresh interpreter."""
    return subprocess.run(
        [sys.executable, "-m", "treelearn", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def expected_small() -> pd.DataFrame:
    return compare_criteria(["play_tennis", "iris", "vote"], cv=3)


# ------------------------------------------------------------- end to end


def test_compare_csv_and_plot_end_to_end(tmp_path):
    png = tmp_path / "comparison.png"
    # the default --jobs (all cores) must give the serial table
    proc = run("compare", *SMALL[:-2], "--format", "csv", "--plot", str(png))
    assert proc.returncode == 0, proc.stderr
    back = pd.read_csv(io.StringIO(proc.stdout))
    pd.testing.assert_frame_equal(
        back.drop(columns=TIMES), expected_small().drop(columns=TIMES), check_dtype=False
    )
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "\r" not in proc.stderr  # no progress bar off a terminal


def test_compare_json_end_to_end():
    proc = run("compare", *SMALL, "--format", "json", "--criteria", "c4.5,gini")
    assert proc.returncode == 0, proc.stderr
    records = json.loads(proc.stdout)
    assert [r["criterion"] for r in records] == ["C4.5", "gini"] * 3
    frame = pd.DataFrame(records)
    expected = compare_criteria(["play_tennis", "iris", "vote"], ["c4.5", "gini"], cv=3)
    pd.testing.assert_frame_equal(
        frame.drop(columns=TIMES), expected.drop(columns=TIMES), check_dtype=False
    )


def test_bad_dataset_name_end_to_end():
    proc = run("compare", "-d", "no_such_dataset")
    assert proc.returncode == 2
    assert proc.stdout == ""
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("treelearn: error: unknown data set 'no_such_dataset'")


def test_version_end_to_end():
    proc = run("--version")
    assert proc.returncode == 0
    assert proc.stdout.strip() == f"treelearn {__version__}"


# ---------------------------------------------------------------- in-process


@pytest.mark.parametrize("fmt", ["table", "markdown"])
def test_compare_human_formats(capsys, fmt):
    assert main(["compare", *SMALL, "--format", fmt]) == 0
    out = capsys.readouterr().out
    for name in ("play_tennis", "iris", "vote", "ID3", "C4.5", "CART", "mean rank:"):
        assert name in out
    if fmt == "markdown":
        table = [line for line in out.splitlines() if line.startswith("|")]
        assert len(table) == 2 + 3  # header, rule, one row per data set
        assert len({line.count("|") for line in table}) == 1
    else:
        assert "±" in out


def test_compare_criteria_lists_and_baseline(capsys):
    code = main(
        [
            "compare",
            "-d",
            "iris",
            "--cv",
            "3",
            "-j",
            "1",
            "--criteria",
            "id3",
            "--criteria",
            "cart,gain_ratio",
            "--baseline",
            "cart",
            "--format",
            "csv",
        ]
    )
    assert code == 0
    frame = pd.read_csv(io.StringIO(capsys.readouterr().out))
    assert frame["criterion"].tolist() == ["ID3", "CART", "gain_ratio"]
    assert frame["significance"].tolist()[1] == "baseline"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["compare", "-d", "missing/file.arff"], "file does not exist"),
        (["compare", "-d", "iris", "--criteria", "c5.0"], "unknown criterion 'c5.0'"),
        (["compare", "-d", "play_tennis", "--cv", "20"], "only 14 rows"),
        (["info", "nope"], "unknown data set 'nope'"),
        (["render", "-d", "nope", "-o", "x.svg"], "unknown data set 'nope'"),
    ],
)
def test_errors_are_one_line_with_status_2(capsys, argv, message):
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1 and message in lines[0], captured.err


def test_malformed_arff_is_one_line(tmp_path, capsys):
    bad = tmp_path / "bad.arff"
    bad.write_text("@relation r\n@attribute a numeric\n@attribute c {x,y}\n@data\n1,x,oops\n")
    assert main(["info", str(bad)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and err[0].startswith("treelearn: error:") and "bad.arff" in err[0]


@pytest.mark.parametrize("command", [None, "compare", "render", "datasets", "info"])
def test_help_everywhere(capsys, command):
    with pytest.raises(SystemExit) as exit_info:
        main([command, "--help"] if command else ["--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: treelearn")


def test_no_command_prints_help(capsys):
    assert main([]) == 2
    assert "compare" in capsys.readouterr().err


def test_bad_option_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["compare", "--format", "xml"])
    assert exit_info.value.code == 2


def test_parser_defaults():
    args = build_parser().parse_args(["compare"])
    assert (args.cv, args.format, args.datasets, args.seed, args.jobs) == (10, "table", None, 0, -1)


# ----------------------------------------------------------- datasets, info


def test_datasets_lists_shapes(capsys):
    assert main(["datasets", "--format", "csv"]) == 0
    frame = pd.read_csv(io.StringIO(capsys.readouterr().out))
    assert frame["name"].tolist() == list_datasets()
    for row in frame.itertuples():
        bunch = load_dataset(row.name)
        assert (row.rows, row.features) == bunch.data.shape
        assert row.nominal + row.numeric == row.features


def test_info_reproduces_quinlan(capsys):
    """Quinlan (1986): outlook 0.246, humidity 0.151, windy 0.048, temperature 0.029."""
    assert main(["info", "play_tennis", "--format", "json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["class_entropy"] == pytest.approx(0.940, abs=5e-4)
    gains = {f["feature"]: f["gain"] for f in payload["features"]}
    assert list(gains) == ["outlook", "humidity", "windy", "temperature"]
    quinlan = {"outlook": 0.246, "humidity": 0.151, "windy": 0.048, "temperature": 0.029}
    for name, gain in quinlan.items():
        assert gains[name] == pytest.approx(gain, abs=1e-3)


def test_info_best_gain_ratio_is_j48s_root_on_vote(capsys):
    """All-nominal data with missing values: the feature with the best gain ratio (gain
    scaled by the known fraction, missing values as a branch of the split information)
    is the attribute J48 splits the root on."""
    assert main(["info", "vote", "--format", "csv"]) == 0
    table = pd.read_csv(io.StringIO(capsys.readouterr().out))
    best = table.sort_values("gain_ratio", ascending=False)["feature"].iloc[0]
    root = load_fixture("vote", "default")[0].root
    assert best == root.attribute
    assert table.set_index("feature").loc["physician-fee-freeze", "missing"] == 11


def test_info_numeric_threshold(capsys):
    assert main(["info", "weather_numeric", "--format", "csv"]) == 0
    table = pd.read_csv(io.StringIO(capsys.readouterr().out)).set_index("feature")
    assert table.loc["humidity", "type"] == "numeric"
    assert table.loc["humidity", "threshold"] == pytest.approx(82.5)
    assert table.loc["humidity", "gain"] == pytest.approx(0.1518, abs=1e-4)
    assert pd.isna(table.loc["outlook", "threshold"])


def test_info_table(capsys):
    assert main(["info", "play_tennis"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].startswith("play_tennis: 14 rows, 4 features")
    assert "H(play) = 0.9403 bits" in out


# ------------------------------------------------------------------ render


def test_render_writes_what_treelearn_export_draws(tmp_path, capsys, monkeypatch):
    calls = []

    def render(estimator, path, format=None, **kwargs):
        calls.append((type(estimator).__name__, estimator.get_n_leaves(), format))
        Path(path).write_text("<svg/>")
        return Path(path)

    monkeypatch.setitem(sys.modules, "treelearn.export", types.SimpleNamespace(render=render))
    out = tmp_path / "tree.png"
    assert main(["render", "-d", "play_tennis", "--criterion", "id3", "-o", str(out)]) == 0
    assert calls == [("ID3Classifier", 5, "png")]  # format from the suffix
    assert out.exists()
    assert main(["render", "-d", "iris", "-o", str(tmp_path / "t"), "--format", "svg"]) == 0
    assert calls[-1] == ("C45Classifier", calls[-1][1], "svg")  # C4.5 by default
    assert "wrote" in capsys.readouterr().err


def test_render_without_export_is_one_line(tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "treelearn.export", None)  # import fails
    assert main(["render", "-d", "iris", "-o", str(tmp_path / "t.svg")]) == 1
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1 and "treelearn.export" in lines[0]
