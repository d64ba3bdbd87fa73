"""splitter="hist" against scikit-learn's exact tree (issue 12's in-process targets).

Fully grown gini trees on ``--rows`` rows × 20 float32 features (a noisy nonlinear
two-class problem), fitted interleaved in one process (scikit-learn, treelearn exact,
treelearn hist, ...), medians of CPU time (``process_time``) and wall time over
``--repeat`` runs; held-out accuracy on as many fresh rows. Targets (PASS/FAIL):

* hist fit CPU time at most 0.15× scikit-learn's exact fit;
* held-out accuracy of hist within 0.3 points of scikit-learn's exact tree.

With ``--dask`` the same data are also fitted from Parquet files through
``dask.dataframe`` on a 2-worker ``LocalCluster`` (written once to ``--parquet-dir``),
and its time per row is reported for each size.

Usage::

    python benchmarks/bench_hist.py --rows 100000 1000000 --repeat 3
    python benchmarks/bench_hist.py --rows 200000 --dask
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

import numpy as np
from sklearn.tree import DecisionTreeClassifier as SkTree

from treelearn import DecisionTreeClassifier

FEATURES = 20
TIME_TARGET = 0.15
ACCURACY_POINTS = 0.3


def make_data(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, FEATURES)).astype(np.float32)
    score = X[:, 0] + X[:, 1] * X[:, 2] - np.abs(X[:, 3]) + 0.5 * np.sin(3 * X[:, 4])
    y = (score + rng.normal(0, 0.7, n) > -0.5).astype(np.int64)
    return X, y


def timed(fit) -> tuple[float, float, object]:
    cpu, wall = time.process_time(), time.perf_counter()
    est = fit()
    return time.process_time() - cpu, time.perf_counter() - wall, est


def run_size(n: int, repeat: int) -> dict:
    X, y = make_data(n, seed=0)
    Xt, yt = make_data(n, seed=1)
    makers = {
        "sklearn": lambda: SkTree(criterion="gini", random_state=0).fit(X, y),
        "exact": lambda: DecisionTreeClassifier(criterion="gini").fit(X, y),
        "hist": lambda: DecisionTreeClassifier(criterion="gini", splitter="hist").fit(X, y),
    }
    cpu: dict[str, list[float]] = {k: [] for k in makers}
    wall: dict[str, list[float]] = {k: [] for k in makers}
    fitted: dict[str, object] = {}
    for _ in range(repeat):
        for name, fit in makers.items():  # interleaved
            c, w, est = timed(fit)
            cpu[name].append(c)
            wall[name].append(w)
            fitted[name] = est
    out = {"rows": n}
    for name in makers:
        out[f"{name}_cpu"] = statistics.median(cpu[name])
        out[f"{name}_wall"] = statistics.median(wall[name])
        out[f"{name}_acc"] = 100.0 * fitted[name].score(Xt, yt)  # type: ignore[attr-defined]
        out[f"{name}_leaves"] = fitted[name].get_n_leaves()  # type: ignore[attr-defined]
    return out


def run_dask(n: int, directory: str) -> dict:
    import os

    import dask.dataframe as dd
    import pandas as pd
    from distributed import Client, LocalCluster
    from distributed.diagnostics import MemorySampler

    path = os.path.join(directory, f"hist_{n}")
    if not os.path.exists(path):
        X, y = make_data(n, seed=0)
        frame = pd.DataFrame(X, columns=[f"x{j}" for j in range(FEATURES)])
        frame["y"] = y
        dd.from_pandas(frame, npartitions=8).to_parquet(path)
    with (
        LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None) as cluster,
        Client(cluster),
    ):
        data = dd.read_parquet(path)
        X, y = data.drop(columns="y"), data["y"]
        cpu, wall = time.process_time(), time.perf_counter()
        sampler = MemorySampler()
        with sampler.sample("fit", interval=0.5):
            est = DecisionTreeClassifier(criterion="gini", splitter="hist", max_depth=12)
            est.fit(X, y)
        return {
            "rows": n,
            "wall": time.perf_counter() - wall,
            "client_cpu": time.process_time() - cpu,
            "leaves": est.get_n_leaves(),
            # process memory of both workers together, sampled every 0.5 s
            "peak_mb": float(sampler.to_pandas().max().iloc[0]) / 2**20,
        }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--dask", action="store_true", help="also fit from Parquet on Dask")
    parser.add_argument("--parquet-dir", default="/tmp/treelearn-bench-hist")
    parser.add_argument("--dask-rows", type=int, nargs="*", help="sizes of the Dask run")
    parser.add_argument("--no-local", action="store_true", help="only the Dask run")
    args = parser.parse_args()
    ok = True
    print("| rows | sklearn CPU s | exact CPU s | hist CPU s | hist/sklearn | "
          "acc sklearn | acc hist | leaves sk / hist | target |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|---|")
    for n in [] if args.no_local else args.rows:
        r = run_size(n, args.repeat)
        ratio = r["hist_cpu"] / r["sklearn_cpu"]
        gap = abs(r["hist_acc"] - r["sklearn_acc"])
        passed = ratio <= TIME_TARGET and gap <= ACCURACY_POINTS
        ok &= passed
        print(
            f"| {n:,} | {r['sklearn_cpu']:.2f} ({r['sklearn_wall']:.2f} wall) | "
            f"{r['exact_cpu']:.2f} | {r['hist_cpu']:.2f} ({r['hist_wall']:.2f} wall) | "
            f"{ratio:.2f} {'PASS' if ratio <= TIME_TARGET else 'FAIL'} (≤ {TIME_TARGET}) | "
            f"{r['sklearn_acc']:.2f} | {r['hist_acc']:.2f} "
            f"{'PASS' if gap <= ACCURACY_POINTS else 'FAIL'} (±{ACCURACY_POINTS}) | "
            f"{r['sklearn_leaves']} / {r['hist_leaves']} | {'PASS' if passed else 'FAIL'} |",
            flush=True,
        )
    if args.dask:
        print("\n| rows (Parquet, 8 files, 2 workers, max_depth=12) | wall s | µs per row | "
              "peak memory of the 2 workers | leaves |")  # fmt: skip
        print("|---|---|---|---|---|")
        for n in args.dask_rows or args.rows:
            d = run_dask(n, args.parquet_dir)
            print(f"| {n:,} | {d['wall']:.1f} | {1e6 * d['wall'] / n:.2f} | "
                  f"{d['peak_mb']:.0f} MiB | {d['leaves']} |", flush=True)  # fmt: skip
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
