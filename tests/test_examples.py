"""The scripts in examples/ run as the README shows them, at a tiny size."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("distributed")
pytest.importorskip("pyarrow")

ROOT = Path(__file__).resolve().parents[1]


def test_fit_parquet_bigger_than_memory(tmp_path):
    """The Parquet example end to end on 20,000 rows (one file) and 400 MiB workers:
    it writes the files, fits on its own 2-worker LocalCluster and prints the sizes,
    the fit, the accuracy, the workers' peaks within their limit and the tree."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    script = ROOT / "examples" / "fit_parquet_bigger_than_memory.py"
    if not script.exists():  # (an sdist ships neither examples/ nor benchmarks/)
        pytest.skip("examples/ is not in this copy")
    args = ["--rows", "20000", "--memory-limit", "400MiB", "--out", str(tmp_path)]
    done = subprocess.run(
        [sys.executable, str(script), *args], capture_output=True, text=True, env=env,
        cwd=tmp_path, timeout=120,
    )  # fmt: skip
    out = done.stdout
    assert done.returncode == 0, out + done.stderr[-3000:]
    assert "20,000 rows x 20 float32 features + label, 1 Parquet files" in out
    assert re.search(r"each worker's memory limit: 400\.00 MiB", out)
    assert re.search(r"fit: [\d.]+ s wall", out)
    accuracy = float(re.search(r"training accuracy on the first file \(20,000 rows\): ([\d.]+)",
                               out).group(1))  # fmt: skip
    assert 0.8 < accuracy <= 1.0  # a depth-12 tree on its own training rows
    peaks = re.search(r"worker peak memory: (\d+) / (\d+) MiB of 400 MiB each \(within", out)
    assert peaks and all(0 < int(p) <= 400 for p in peaks.groups()), out
    tree = re.search(r"tree: (\d+) nodes, (\d+) leaves, depth (\d+)", out)
    assert tree and int(tree.group(3)) <= 12 and int(tree.group(1)) == 2 * int(tree.group(2)) - 1
    assert len(list((tmp_path / "hist_20000_250000").glob("*.parquet"))) == 1
