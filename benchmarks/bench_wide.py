"""The wide dense shape: 1000 rows × 50,000 features, 3 classes, against scikit-learn.

Data: ``make_classification(rows, cols, n_informative=10, n_redundant=5, n_classes=3)``
as float32 (200 MB at the issue's shape). Each fit runs in a fresh subprocess (its CPU
time, wall time and extra memory: ``_peak``'s ``VmHWM`` reset just before the fit, less
the resident set then), the fits interleaved (treelearn gini, scikit-learn gini, C4.5,
scikit-learn entropy, then again), ``--repeat`` times, medians. Fully grown trees.

Targets (``_targets.py``, issue 19): treelearn's gini fit no slower than scikit-learn's
(CPU ratio ≤ 1); ``C45Classifier()`` (grow, collapse, prune) beside scikit-learn's
unpruned entropy tree is reported, not judged.

Usage::

    python benchmarks/bench_wide.py                        # 1000 × 50,000 (minutes)
    python benchmarks/bench_wide.py --cols 5000 --repeat 3
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

import _peak
from _targets import verdict
from _timing import load

ROOT = Path(__file__).resolve().parents[1]

_CHILD = r"""
import json, sys, time
import numpy as np
from sklearn.datasets import make_classification
from sklearn.tree import DecisionTreeClassifier as SkTree
import treelearn
from treelearn import C45Classifier, DecisionTreeClassifier
fit, rows, cols = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
X, y = make_classification(n_samples=rows, n_features=cols, n_informative=10,
                           n_redundant=5, n_classes=3, random_state=0)
X = X.astype(np.float32)
make = {
    "treelearn gini": lambda: DecisionTreeClassifier(criterion="gini"),
    "sklearn gini": lambda: SkTree(criterion="gini", random_state=0),
    "treelearn C4.5": lambda: C45Classifier(),
    "sklearn entropy": lambda: SkTree(criterion="entropy", random_state=0),
}[fit]
make().fit(X[:50, :20], y[:50])  # imports, first calls
before = reset_peak()
cpu, wall = time.process_time(), time.perf_counter()
est = make().fit(X, y)
cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
peak = status("VmHWM")
print(json.dumps({"cpu": cpu, "wall": wall, "extra": peak - before, "x_bytes": X.nbytes,
                  "leaves": int(est.get_n_leaves()), "depth": int(est.get_depth()),
                  "where": treelearn.__file__}))
"""

FITS = ("treelearn gini", "sklearn gini", "treelearn C4.5", "sklearn entropy")


def fit_in_subprocess(fit: str, rows: int, cols: int) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", _peak.IMPORT + _CHILD, fit, str(rows), str(cols)],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def measure(rows: int, cols: int, repeat: int, fits: tuple[str, ...] = FITS) -> dict:
    """Median CPU, wall and extra memory of each fit, interleaved, one subprocess each."""
    runs: dict[str, list[dict]] = {f: [] for f in fits}
    for _ in range(repeat):
        for f in fits:
            runs[f].append(fit_in_subprocess(f, rows, cols))
            print(json.dumps({f: runs[f][-1]}), file=sys.stderr, flush=True)
    out = {"rows": rows, "cols": cols, "repeat": repeat, "load": load(), "fits": {}}
    for f, rs in runs.items():
        out["fits"][f] = {
            "cpu": statistics.median(r["cpu"] for r in rs),
            "wall": statistics.median(r["wall"] for r in rs),
            "extra_x": statistics.median(r["extra"] for r in rs) / rs[0]["x_bytes"],
            "leaves": rs[0]["leaves"],
            "depth": rs[0]["depth"],
        }
    return out


def target_values(measured: dict) -> dict[str, float]:
    """The target keys (``wide``, ``wide_c45``) these measurements fill, CPU ratios."""
    f = measured["fits"]
    out = {}
    if "treelearn gini" in f and "sklearn gini" in f:
        out["wide"] = f["treelearn gini"]["cpu"] / f["sklearn gini"]["cpu"]
    if "treelearn C4.5" in f and "sklearn entropy" in f:
        out["wide_c45"] = f["treelearn C4.5"]["cpu"] / f["sklearn entropy"]["cpu"]
    return out


def report(measured: dict) -> str:
    f = measured["fits"]
    lines = [
        f"{measured['rows']:,} × {measured['cols']:,} float32, 3 classes, fully grown; "
        f"medians of {measured['repeat']}, one subprocess per fit; load average "
        f"{measured['load']}; extra = peak RSS of the fit over the process before it",
        "",
        "| fit | CPU s | wall s | extra memory | leaves | depth | CPU ratio | target |",
        "|---|---|---|---|---|---|---|---|",
    ]
    ratios = target_values(measured)
    against = {"treelearn gini": ("sklearn gini", "wide"),
               "treelearn C4.5": ("sklearn entropy", "wide_c45")}  # fmt: skip
    for name, r in f.items():
        ratio, judged = "", ""
        if name in against and against[name][1] in ratios:
            base, key = against[name]
            ratio = f"{ratios[key]:.2f}× {base}"
            judged = verdict(key, ratios[key])
        lines.append(
            f"| {name} | {r['cpu']:.1f} | {r['wall']:.1f} | {r['extra_x']:.2f}× X | "
            f"{r['leaves']} | {r['depth']} | {ratio} | {judged} |"
        )
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--cols", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--fits", nargs="+", default=list(FITS), choices=FITS)
    args = parser.parse_args(argv)
    measured = measure(args.rows, args.cols, args.repeat, tuple(args.fits))
    print(report(measured))
    return 1 if verdict("wide", target_values(measured).get("wide")) == "FAIL" else 0


if __name__ == "__main__":
    sys.exit(main())
