"""Many levels: a 20,000-level categorical in CART, ID3 and C4.5 (issue 18).

Data: ``rows`` rows, one categorical of ``levels`` levels (a pandas ``category``
column) and three uniform numeric columns; ``K`` classes, the class of a level drawn
from its own random class profile with 30 % label noise (so that the categorical is
informative and split on again and again). Each fit runs in its own subprocess, which
reports its CPU time (``time.process_time``), wall time and its peak resident memory
over what it held once the data were built (``VmHWM``, reset just before the fit, minus
the RSS then). Estimators are run interleaved (A, B, C, A, B, C, ...); medians are printed.
With ``--warm-up`` each subprocess first fits 2,000 rows, so that the modules a fit
imports lazily (~90 MiB) are loaded before the measured fit.

``cart`` is ``CARTClassifier(missing_values="learned")`` (the subset search alone);
``cart-surrogate`` is CART's default, which also searches surrogate splits.
scikit-learn's ``DecisionTreeClassifier`` fits the same data with the categorical
ordinal-encoded (its codes as a number): the comparison the issue asks for.

Usage::

    PYTHONPATH=$PWD python benchmarks/bench_many_levels.py                        # 5 and 2 classes
    python benchmarks/bench_many_levels.py --classes 5 --repeat 3
    python benchmarks/bench_many_levels.py --estimators cart sklearn
    python benchmarks/bench_many_levels.py --estimators cart cart-surrogate id3 c45 --warm-up
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys

import _peak

SNIPPET = """
import json, time
import numpy as np, pandas as pd
rng = np.random.default_rng(0)
n, L, K = {rows}, {levels}, {classes}
codes = rng.integers(0, L, n)
profile = rng.random((L, K))
y = (profile[codes].argmax(axis=1) + (rng.random(n) < 0.3) * rng.integers(0, K, n)) % K
num = rng.random((n, 3))
name = {name!r}
if name == "sklearn":
    from sklearn.tree import DecisionTreeClassifier
    X = np.column_stack([codes.astype(float), num])
    make = lambda: DecisionTreeClassifier(random_state=0)
else:
    import treelearn as tl
    X = pd.DataFrame({{"c": pd.Categorical(codes.astype(str)), "a": num[:, 0],
                       "b": num[:, 1], "d": num[:, 2]}})
    make = {{"cart": lambda: tl.CARTClassifier(missing_values="learned"),
             "cart-surrogate": lambda: tl.CARTClassifier(),
             "id3": lambda: tl.ID3Classifier(),
             "c45": lambda: tl.C45Classifier()}}[name]
if {warm_up}:
    make().fit(X[:2000], y[:2000])
before = reset_peak()
cpu, wall = time.process_time(), time.perf_counter()
error = None
try:
    m = make().fit(X, y)
    nodes = int(m.tree_.node_count)
except MemoryError as e:
    error, nodes = str(e)[:200], 0
cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
peak = status("VmHWM")
print(json.dumps({{"cpu": cpu, "wall": wall, "extra_mib": (peak - before) / 2**20,
                   "nodes": nodes, "error": error}}))
"""


def run(name: str, rows: int, levels: int, classes: int, warm_up: bool = False) -> dict:
    code = _peak.IMPORT + SNIPPET.format(
        rows=rows, levels=levels, classes=classes, name=name, warm_up=warm_up
    )
    out = subprocess.run(
        [sys.executable, "-P", "-c", code], capture_output=True, text=True, check=True, timeout=3600
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--levels", type=int, default=20_000)
    parser.add_argument("--classes", type=int, nargs="+", default=[5, 2])
    parser.add_argument("--estimators", nargs="+", default=["cart", "sklearn", "id3", "c45"])
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument(
        "--warm-up", action="store_true", help="fit 2,000 rows first (lazy imports loaded)"
    )
    args = parser.parse_args()
    print(f"{args.rows} rows, one {args.levels}-level categorical + 3 numeric columns")
    print("| classes | estimator | CPU s | wall s | peak extra MiB | nodes | vs sklearn CPU |")
    print("|---|---|---|---|---|---|---|")
    for K in args.classes:
        runs: dict[str, list[dict]] = {name: [] for name in args.estimators}
        for _ in range(args.repeat):
            for name in args.estimators:
                runs[name].append(run(name, args.rows, args.levels, K, args.warm_up))
        med = {
            name: {
                key: statistics.median(r[key] for r in rs)
                for key in ("cpu", "wall", "extra_mib", "nodes")
            }
            for name, rs in runs.items()
        }
        sk = med.get("sklearn", {}).get("cpu")
        for name, m in med.items():
            error = next((r["error"] for r in runs[name] if r["error"]), None)
            ratio = f"{m['cpu'] / sk:.1f}×" if sk and not error else ""
            print(
                f"| {K} | {name} | {m['cpu']:.1f} | {m['wall']:.1f} | {m['extra_mib']:.0f} | "
                f"{int(m['nodes'])} | {ratio} |" + (f" refused: {error}" if error else "")
            )


if __name__ == "__main__":
    main()
