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
import sys

import numpy as np
from _targets import TARGETS
from _timing import interleaved
from sklearn.tree import DecisionTreeClassifier as SkTree

import treelearn
from treelearn import CARTClassifier, _split_square_sums

TARGET = TARGETS["classes_1000"].threshold  # issue 19, in _targets.py


def make_data(n_rows: int, n_classes: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    return rng.random((n_rows, 5)), rng.integers(0, n_classes, n_rows)


def measure(n_rows: int, classes: list[int], repeat: int) -> dict:
    """Median (CPU, wall) of treelearn's CART and scikit-learn's gini tree per class count."""
    CARTClassifier().fit(*make_data(2000, 50))  # warm up: imports and first calls
    SkTree().fit(*make_data(2000, 50))
    out: dict = {"rows": n_rows, "repeat": repeat, "classes": {}}
    for K in classes:
        X, y = make_data(n_rows, K)
        out["classes"][K], _ = interleaved(
            {
                "treelearn": lambda X=X, y=y: CARTClassifier().fit(X, y),
                "sklearn": lambda X=X, y=y: SkTree(random_state=0).fit(X, y),
            },
            repeat,
            keep=False,  # a 5,000-class tree holds 1.5 GiB of counts
        )
        print(f"{K} classes: {out['classes'][K]}", file=sys.stderr, flush=True)
    return out


def target_values(measured: dict) -> dict[str, float]:
    """``classes_<K>``: treelearn's CPU over scikit-learn's, for the K in the targets."""
    return {
        f"classes_{K}": t["treelearn"][0] / t["sklearn"][0]
        for K, t in measured["classes"].items()
        if f"classes_{K}" in TARGETS and measured["rows"] == 20_000
    }


def versus_sklearn(n_rows: int, classes: list[int], repeat: int) -> None:
    measured = measure(n_rows, classes, repeat)
    print(
        f"| classes | treelearn CPU (wall) s | scikit-learn CPU (wall) s | ratio | ≤ {TARGET:g}× |"
    )
    print("|---|---|---|---|---|")
    for K, t in measured["classes"].items():
        (tc, tw), (sc, sw) = t["treelearn"], t["sklearn"]
        verdict = "PASS" if tc <= TARGET * sc else "FAIL"
        print(f"| {K} | {tc:.2f} ({tw:.2f}) | {sc:.2f} ({sw:.2f}) | {tc / sc:.2f}× | {verdict} |")


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

        out, _ = interleaved({"on": lambda: fit(2), "off": lambda: fit(10**9)}, repeat, keep=False)
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
    if args.crossover:
        CARTClassifier().fit(*make_data(2000, 50))  # warm up: imports and first calls
        crossover(args.rows, args.classes, args.repeat)
    else:
        versus_sklearn(args.rows, args.classes, args.repeat)


if __name__ == "__main__":
    main()
