"""10M rows × 20 float32: one fully grown gini tree, its time with n_jobs=1 and 2, its memory.

Data: ``bench_trees.make_data`` (``make_classification``, 10 informative, 3 classes) at
``--rows``, float32 (800 MB at 10M). Each fit runs in a fresh subprocess: CPU time, wall
time and extra memory (``_peak``: ``VmHWM`` reset just before the fit, less the resident
set then) as a multiple of the bytes of X. treelearn is ``DecisionTreeClassifier(
criterion="gini", n_jobs=...)`` (CART's binary Gini tree; no missing values, so no
surrogates); scikit-learn's gini tree runs only with ``--sklearn-10m`` (once: about an
hour of CPU at 10M). The run refuses to start with less than ``--min-free-gib`` of
available memory.

Targets (``_targets.py``, issue 19): extra memory ≤ 2× X (``10M_memory``); the times are
reported (``10M_n_jobs1``, ``10M_n_jobs2``, ``10M_sklearn``), not judged.

Usage::

    nice python benchmarks/bench_10m.py                       # 10M, n_jobs=1 and 2
    nice python benchmarks/bench_10m.py --rows 1000000 --sklearn-10m
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import _peak
from _targets import verdict
from _timing import load

ROOT = Path(__file__).resolve().parents[1]

_CHILD = r"""
import gc, json, sys, time
sys.path.insert(0, {bench_dir!r})
from bench_trees import make_data
import treelearn
lib, n_jobs, rows = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
X, y = make_data(rows)
if lib == "treelearn":
    from treelearn import DecisionTreeClassifier
    est = DecisionTreeClassifier(criterion="gini", n_jobs=n_jobs)
    DecisionTreeClassifier(criterion="gini", n_jobs=n_jobs).fit(X[:5000], y[:5000])
else:
    from sklearn.tree import DecisionTreeClassifier
    est = DecisionTreeClassifier(criterion="gini", random_state=0)
    DecisionTreeClassifier().fit(X[:5000], y[:5000])
gc.collect()
before = reset_peak()
cpu, wall = time.process_time(), time.perf_counter()
est.fit(X, y)
cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
peak = status("VmHWM")
print(json.dumps({{"cpu": cpu, "wall": wall, "extra": peak - before, "x_bytes": X.nbytes,
                   "leaves": int(est.get_n_leaves()), "depth": int(est.get_depth()),
                   "where": treelearn.__file__}}))
"""


def available_gib() -> float:
    """``MemAvailable`` of ``/proc/meminfo`` in GiB."""
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) / 2**20
    raise KeyError("MemAvailable")


def fit_in_subprocess(lib: str, n_jobs: int, rows: int) -> dict:
    code = _peak.IMPORT + _CHILD.format(bench_dir=str(Path(__file__).resolve().parent))
    out = subprocess.run(
        [sys.executable, "-c", code, lib, str(n_jobs), str(rows)],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def measure(rows: int, n_jobs: list[int], with_sklearn: bool) -> dict:
    """One subprocess fit per ``n_jobs`` (and scikit-learn's when asked)."""
    out: dict = {"rows": rows, "load_before": load(), "fits": {}}
    runs = [("treelearn", j) for j in n_jobs] + ([("sklearn", 1)] if with_sklearn else [])
    for lib, j in runs:
        name = f"{lib} n_jobs={j}" if lib == "treelearn" else lib
        out["fits"][name] = fit_in_subprocess(lib, j, rows)
        print(json.dumps({name: out["fits"][name]}), file=sys.stderr, flush=True)
    out["load_after"] = load()
    return out


def target_values(measured: dict) -> dict[str, float]:
    """``10M_*`` keys: the worst extra memory (× X) of treelearn's fits and their wall times."""
    if measured["rows"] != 10_000_000:
        return {}
    f, out = measured["fits"], {}
    ours = [r["extra"] / r["x_bytes"] for name, r in f.items() if name.startswith("treelearn")]
    if ours:
        out["10M_memory"] = max(ours)
    for j in (1, 2):
        if f"treelearn n_jobs={j}" in f:
            out[f"10M_n_jobs{j}"] = f[f"treelearn n_jobs={j}"]["wall"]
    if "sklearn" in f:
        out["10M_sklearn"] = f["sklearn"]["wall"]
    return out


def report(measured: dict) -> str:
    lines = [
        f"{measured['rows']:,} × 20 float32, 3 classes, gini, fully grown; one subprocess per "
        f"fit; load average {measured['load_before']} before, {measured['load_after']} after",
        "",
        "| fit | CPU s | wall s | extra memory | leaves | depth | memory ≤ 2× X |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, r in measured["fits"].items():
        x = r["extra"] / r["x_bytes"]
        judged = verdict("10M_memory", x) if name.startswith("treelearn") else ""
        lines.append(
            f"| {name} | {r['cpu']:.1f} | {r['wall']:.1f} | {x:.2f}× X | {r['leaves']} | "
            f"{r['depth']} | {judged if measured['rows'] == 10_000_000 else '—'} |"
        )
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--n-jobs", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--sklearn-10m", action="store_true", help="also scikit-learn (once)")
    parser.add_argument("--min-free-gib", type=float, default=8.0)
    args = parser.parse_args(argv)
    free = available_gib()
    if free < args.min_free_gib:
        print(f"only {free:.1f} GiB available (< {args.min_free_gib:g}): not run")
        return 2
    measured = measure(args.rows, args.n_jobs, args.sklearn_10m)
    print(report(measured))
    return 1 if verdict("10M_memory", target_values(measured).get("10M_memory")) == "FAIL" else 0


if __name__ == "__main__":
    sys.exit(main())
