"""``n_jobs=1`` against ``n_jobs=2``: wall and CPU time of one fit, and the same tree.

Issue 19's target: at 1M rows x 20 float32 features (``make_classification``, 10
informative, 3 classes, fully grown) ``n_jobs=2`` takes at most 0.6x the wall time
of ``n_jobs=1``, with the same tree bit for bit. Fits are interleaved (1, 2, 1,
2, ...), medians are reported, and the load average before and after is printed:
on a shared machine wall time is only as good as the cores that were free.

Usage::

    python benchmarks/bench_n_jobs.py [--rows 1000000] [--repeat 3] [--criteria gini entropy]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import numpy as np
from sklearn.datasets import make_classification

from treelearn import DecisionTreeClassifier

TARGET = 0.6


def make_data(n_rows: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    X, y = make_classification(
        n_samples=n_rows,
        n_features=20,
        n_informative=10,
        n_redundant=5,
        n_classes=3,
        random_state=seed,
    )
    return X.astype(np.float32), y


def fit_once(X, y, criterion: str, n_jobs: int):
    wall, cpu = time.perf_counter(), time.process_time()
    est = DecisionTreeClassifier(criterion=criterion, n_jobs=n_jobs).fit(X, y)
    return time.perf_counter() - wall, time.process_time() - cpu, est


def same_tree(a, b) -> bool:
    ta, tb = a.tree_.to_arrays(), b.tree_.to_arrays()
    return ta.keys() == tb.keys() and all(ta[k].tobytes() == tb[k].tobytes() for k in ta)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--criteria", nargs="+", default=["gini", "entropy"])
    args = parser.parse_args(argv)
    X, y = make_data(args.rows)
    DecisionTreeClassifier(n_jobs=2).fit(X[:5000], y[:5000])  # imports, thread start
    print(f"{args.rows:,} x 20 float32, 3 classes, fully grown; {os.cpu_count()} cores")
    print(f"load average before: {os.getloadavg()}")
    print("| criterion | n_jobs=1 wall (s) | n_jobs=2 wall (s) | wall ratio | "
          "n_jobs=1 CPU (s) | n_jobs=2 CPU (s) | same tree | target ≤ 0.6× |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|")
    ok = True
    for criterion in args.criteria:
        runs: dict[int, list[tuple[float, float]]] = {1: [], 2: []}
        trees = {}
        for _ in range(args.repeat):
            for n_jobs in (1, 2):
                wall, cpu, est = fit_once(X, y, criterion, n_jobs)
                runs[n_jobs].append((wall, cpu))
                trees[n_jobs] = est
        wall1 = statistics.median(w for w, _ in runs[1])
        wall2 = statistics.median(w for w, _ in runs[2])
        cpu1 = statistics.median(c for _, c in runs[1])
        cpu2 = statistics.median(c for _, c in runs[2])
        same = same_tree(trees[1], trees[2])
        ratio = wall2 / wall1
        passed = ratio <= TARGET and same
        ok &= passed
        print(
            f"| {criterion} | {wall1:.2f} | {wall2:.2f} | {ratio:.2f}× | {cpu1:.2f} | "
            f"{cpu2:.2f} | {same} | {'PASS' if passed else 'FAIL'} |"
        )
    print(f"load average after: {os.getloadavg()}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
