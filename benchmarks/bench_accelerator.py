"""The optional compiled kernels (``treelearn[fast]``): what they gain, what they cost.

1. Fits (default): the exact builder with ``TREELEARN_ACCELERATOR=on`` and ``off``,
   interleaved in one process (medians of CPU and wall time), for entropy and gini on
   ``bench_trees.make_data`` (float32, 20 features, 3 classes, fully grown), with
   ``n_jobs=1`` and ``--n-jobs``; every pair of trees compared array by array.
2. ``--costs``: the installed size of numba and llvmlite, and in fresh processes the
   time of ``import numba`` and of the first fit that compiles (no on-disk cache: a
   fresh ``NUMBA_CACHE_DIR``) or loads (the cache just written) the kernels, against
   the same first fit with numpy only.

Usage::

    python benchmarks/bench_accelerator.py --rows 100000 1000000 --repeat 3
    python benchmarks/bench_accelerator.py --costs --repeat 3
"""

from __future__ import annotations

import argparse
import importlib.metadata as md
import json
import os
import statistics
import subprocess
import sys
import tempfile

import numpy as np
from _timing import interleaved, load
from bench_trees import in_mode, make_data

from treelearn import DecisionTreeClassifier


def same_tree(a, b) -> bool:
    ta, tb = a.tree_.to_arrays(), b.tree_.to_arrays()
    return ta.keys() == tb.keys() and all(ta[k].tobytes() == tb[k].tobytes() for k in ta)


def fits(n_rows: int, repeat: int, n_jobs: list[int]) -> None:
    X, y = make_data(n_rows)
    for crit in ("entropy", "gini"):
        for jobs in n_jobs:
            runs = {
                mode: (
                    lambda m=mode, c=crit, j=jobs: in_mode(
                        m, lambda: DecisionTreeClassifier(criterion=c, n_jobs=j).fit(X, y)
                    )
                )
                for mode in ("off", "on")
            }
            for mode in runs:  # compile or load the kernels, warm the caches
                in_mode(
                    mode, lambda c=crit: DecisionTreeClassifier(criterion=c).fit(X[:5000], y[:5000])
                )
            t, models = interleaved(runs, repeat)
            (cpu_off, wall_off), (cpu_on, wall_on) = t["off"], t["on"]
            print(
                f"| {n_rows:,} | {crit} | {jobs} | {cpu_off:.3f} ({wall_off:.3f}) | "
                f"{cpu_on:.3f} ({wall_on:.3f}) | {cpu_on / cpu_off:.2f}× | "
                f"{wall_on / wall_off:.2f}× | {same_tree(models['off'], models['on'])} |",
                flush=True,
            )


_FIRST_FIT = r"""
import json, os, sys, time
w0, c0 = time.perf_counter(), time.process_time()
if os.environ.get("TREELEARN_ACCELERATOR") != "off":
    import numba
w1, c1 = time.perf_counter(), time.process_time()
sys.path.insert(0, {bench!r})
from bench_trees import make_data
from treelearn import DecisionTreeClassifier
X, y = make_data(2000)
w2, c2 = time.perf_counter(), time.process_time()
for crit in ("gini", "entropy"):
    DecisionTreeClassifier(criterion=crit).fit(X, y)
w3, c3 = time.perf_counter(), time.process_time()
print(json.dumps([w1 - w0, c1 - c0, w3 - w2, c3 - c2]))
"""


def _python(env: dict) -> list[float]:
    bench = os.path.dirname(os.path.abspath(__file__))
    out = subprocess.run(
        [sys.executable, "-c", _FIRST_FIT.format(bench=bench)],
        env=env, check=True, capture_output=True, text=True,
    )  # fmt: skip
    return json.loads(out.stdout.strip().splitlines()[-1])


def costs(repeat: int) -> None:
    print("### Installed\n")
    for dist in ("numba", "llvmlite"):
        files = md.distribution(dist).files or []
        size = sum(f.locate().stat().st_size for f in files if f.locate().exists())
        print(f"- {dist} {md.version(dist)}: {size / 2**20:.1f} MiB in {len(files)} files")
    rows: dict[str, list[list[float]]] = {"numpy only": [], "cold cache": [], "warm cache": []}
    for _ in range(repeat):
        rows["numpy only"].append(_python({**os.environ, "TREELEARN_ACCELERATOR": "off"}))
        with tempfile.TemporaryDirectory() as cache:
            env = {**os.environ, "TREELEARN_ACCELERATOR": "on", "NUMBA_CACHE_DIR": cache}
            rows["cold cache"].append(_python(env))
            rows["warm cache"].append(_python(env))
    print(
        f"\nFresh processes, medians of {repeat}; the first fits are a gini and an entropy "
        "fit of 2,000 rows (their time includes compiling or loading the kernels)\n"
    )
    print("| case | import numba wall (CPU) s | first two fits wall (CPU) s |")
    print("|---|---|---|")
    for name, rs in rows.items():
        m = [statistics.median(r[i] for r in rs) for i in range(4)]
        print(f"| {name} | {m[0]:.3f} ({m[1]:.3f}) | {m[2]:.3f} ({m[3]:.3f}) |")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, nargs="+", default=[100_000])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--n-jobs", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--costs", action="store_true", help="sizes, import and compile times")
    args = ap.parse_args()
    print(f"load average {load()}; numpy {np.__version__}\n")
    if args.costs:
        costs(args.repeat)
        return 0
    print("CPU s (wall s), medians of interleaved runs; ratios compiled / numpy\n")
    print("| rows | criterion | n_jobs | numpy | compiled | CPU ratio | wall ratio | same tree |")
    print("|---|---|---|---|---|---|---|---|")
    for n in args.rows:
        fits(n, args.repeat if n < 1_000_000 else max(1, args.repeat - 2), args.n_jobs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
