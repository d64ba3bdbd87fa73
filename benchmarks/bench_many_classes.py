"""Many classes: CART fit time against scikit-learn for 100 to 5,000 classes (issue 19).

Data: ``rows × 5`` uniform features, labels drawn uniformly from ``K`` classes (the
shape of issue 18's report: fully grown trees of about ``rows`` leaves, 90–160 levels
deep). treelearn's ``CARTClassifier()`` and scikit-learn's gini tree fit the same
arrays, interleaved in one process (A, B, A, B, ...); medians of CPU time
(``time.process_time``) and wall time. Target: treelearn's CPU time at most 2×
scikit-learn's, printed with PASS/FAIL.

``--crossover`` times treelearn alone with the square-sum search
(:mod:`treelearn._split_square_sums`) forced on and off for a few class counts: the
class count from which it is faster is ``MANY_CLASSES``.

A tree of 5,000 classes stores about 40,000 nodes × 5,000 class counts (1.5 GiB, twice
while the fit finishes): within the default 4 GiB memory budget.

Usage::

    python benchmarks/bench_many_classes.py                       # 100, 1000, 5000 classes
    python benchmarks/bench_many_classes.py --classes 100 1000 --repeat 3
    python benchmarks/bench_many_classes.py --crossover --classes 3 8 16 24 32 64
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import numpy as np
from sklearn.tree import DecisionTreeClassifier as SkTree

import treelearn
from treelearn import CARTClassifier, _split_square_sums

TARGET = 2.0


def make_data(n_rows: int, n_classes: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    return rng.random((n_rows, 5)), rng.integers(0, n_classes, n_rows)


def timed(fn) -> tuple[float, float]:
    cpu, wall = time.process_time(), time.perf_counter()
    fn()
    return time.process_time() - cpu, time.perf_counter() - wall


def interleaved(fns: dict, repeat: int) -> dict[str, tuple[float, float]]:
    """Median (CPU, wall) seconds of each function, run A, B, A, B, ..."""
    runs: dict[str, list[tuple[float, float]]] = {name: [] for name in fns}
    for _ in range(repeat):
        for name, fn in fns.items():
            runs[name].append(timed(fn))
    return {
        name: (statistics.median(r[0] for r in rs), statistics.median(r[1] for r in rs))
        for name, rs in runs.items()
    }


def versus_sklearn(n_rows: int, classes: list[int], repeat: int) -> None:
    print(
        f"| classes | treelearn CPU (wall) s | scikit-learn CPU (wall) s | ratio | ≤ {TARGET:g}× |"
    )
    print("|---|---|---|---|---|")
    for K in classes:
        X, y = make_data(n_rows, K)
        out = interleaved(
            {
                "treelearn": lambda X=X, y=y: CARTClassifier().fit(X, y),
                "sklearn": lambda X=X, y=y: SkTree(random_state=0).fit(X, y),
            },
            repeat,
        )
        (tc, tw), (sc, sw) = out["treelearn"], out["sklearn"]
        verdict = "PASS" if tc <= TARGET * sc else "FAIL"
        print(
            f"| {K} | {tc:.2f} ({tw:.2f}) | {sc:.2f} ({sw:.2f}) | {tc / sc:.2f}× | {verdict} |",
            flush=True,
        )


def crossover(n_rows: int, classes: list[int], repeat: int) -> None:
    print("| classes | square sums CPU s | prefix sums CPU s | square sums / prefix sums |")
    print("|---|---|---|---|")
    for K in classes:
        X, y = make_data(n_rows, K)

        def fit(threshold: int, X=X, y=y) -> None:
            saved = _split_square_sums.MANY_CLASSES
            _split_square_sums.MANY_CLASSES = threshold
            try:
                CARTClassifier().fit(X, y)
            finally:
                _split_square_sums.MANY_CLASSES = saved

        out = interleaved({"on": lambda: fit(2), "off": lambda: fit(10**9)}, repeat)
        on, off = out["on"][0], out["off"][0]
        print(f"| {K} | {on:.3f} | {off:.3f} | {on / off:.2f} |", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--classes", type=int, nargs="+", default=[100, 1000, 5000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--crossover", action="store_true")
    args = parser.parse_args()
    print(
        f"treelearn {treelearn.__version__}, {args.rows} rows × 5 features, "
        f"median of {args.repeat}, TREELEARN_MEMORY_BUDGET="
        f"{os.environ.get('TREELEARN_MEMORY_BUDGET', 'unset (4 GiB)')}"
    )
    CARTClassifier().fit(*make_data(2000, 50))  # warm up: imports and first calls
    SkTree().fit(*make_data(2000, 50))
    if args.crossover:
        crossover(args.rows, args.classes, args.repeat)
    else:
        versus_sklearn(args.rows, args.classes, args.repeat)


if __name__ == "__main__":
    main()
