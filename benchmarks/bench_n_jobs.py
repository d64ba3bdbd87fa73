"""``n_jobs=1`` against ``n_jobs=2``: wall and CPU time of one fit, and the same tree.

Issue 19's target (``n_jobs_1M_*`` in ``_targets.py``): at 1M rows x 20 float32
features (``make_classification``, 10 informative, 3 classes, fully grown) ``n_jobs=2``
takes at most 0.6x the wall time of ``n_jobs=1``, with the same tree bit for bit.
Fits are interleaved (1, 2, 1, 2, ...), medians are reported, and the load average
before and after is printed: on a shared machine wall time is only as good as the cores
that were free.

Usage::

    python benchmarks/bench_n_jobs.py [--rows 1000000] [--repeat 3] [--criteria gini entropy]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

from _targets import TARGETS
from _timing import load
from bench_trees import make_data  # the data, float32: one home

from treelearn import DecisionTreeClassifier


def fit_once(X, y, criterion: str, n_jobs: int):
    wall, cpu = time.perf_counter(), time.process_time()
    est = DecisionTreeClassifier(criterion=criterion, n_jobs=n_jobs).fit(X, y)
    return time.perf_counter() - wall, time.process_time() - cpu, est


def same_tree(a, b) -> bool:
    ta, tb = a.tree_.to_arrays(), b.tree_.to_arrays()
    return ta.keys() == tb.keys() and all(ta[k].tobytes() == tb[k].tobytes() for k in ta)


def measure(rows: int, criteria: list[str], repeat: int) -> dict:
    """Median wall and CPU of ``n_jobs=1`` and ``2`` per criterion, interleaved; same tree?"""
    X, y = make_data(rows)
    DecisionTreeClassifier(n_jobs=2).fit(X[:5000], y[:5000])  # imports, thread start
    out = {"rows": rows, "repeat": repeat, "cores": os.cpu_count(), "load_before": load()}
    out["criteria"] = {}
    for criterion in criteria:
        runs: dict[int, list[tuple[float, float]]] = {1: [], 2: []}
        trees = {}
        for _ in range(repeat):
            for n_jobs in (1, 2):
                wall, cpu, est = fit_once(X, y, criterion, n_jobs)
                runs[n_jobs].append((wall, cpu))
                trees[n_jobs] = est
        out["criteria"][criterion] = {
            "wall1": statistics.median(w for w, _ in runs[1]),
            "wall2": statistics.median(w for w, _ in runs[2]),
            "cpu1": statistics.median(c for _, c in runs[1]),
            "cpu2": statistics.median(c for _, c in runs[2]),
            "same": same_tree(trees[1], trees[2]),
        }
    out["load_after"] = load()
    return out


def target_values(measured: dict) -> dict[str, float]:
    """``n_jobs_<size>_<criterion>``: the wall ratio, +inf when the trees differ (a FAIL)."""
    size = {1_000_000: "1M"}.get(measured["rows"])
    if size is None:
        return {}
    return {
        f"n_jobs_{size}_{c}": r["wall2"] / r["wall1"] if r["same"] else float("inf")
        for c, r in measured["criteria"].items()
    }


def report(measured: dict) -> str:
    target = TARGETS["n_jobs_1M_gini"].threshold
    lines = [
        f"{measured['rows']:,} x 20 float32, 3 classes, fully grown; {measured['cores']} cores",
        f"load average before: {measured['load_before']}",
        "| criterion | n_jobs=1 wall (s) | n_jobs=2 wall (s) | wall ratio | "
        f"n_jobs=1 CPU (s) | n_jobs=2 CPU (s) | same tree | target ≤ {target:g}× |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for criterion, r in measured["criteria"].items():
        ratio = r["wall2"] / r["wall1"]
        passed = ratio <= target and r["same"]
        lines.append(
            f"| {criterion} | {r['wall1']:.2f} | {r['wall2']:.2f} | {ratio:.2f}× | "
            f"{r['cpu1']:.2f} | {r['cpu2']:.2f} | {r['same']} | {'PASS' if passed else 'FAIL'} |"
        )
    lines.append(f"load average after: {measured['load_after']}")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--criteria", nargs="+", default=["gini", "entropy"])
    args = parser.parse_args(argv)
    measured = measure(args.rows, args.criteria, args.repeat)
    print(report(measured))
    ok = all(
        r["same"] and r["wall2"] <= TARGETS["n_jobs_1M_gini"].threshold * r["wall1"]
        for r in measured["criteria"].values()
    )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
