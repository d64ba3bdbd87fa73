"""The cost of surrogate splits: ``CARTClassifier`` with ``missing_values="surrogate"``
against ``"fractional"``, and scikit-learn's tree, fit and predict.

Data: ``make_classification`` (``--rows`` × 20, 10 informative) with ``--nan`` of the
cells missing, and the bundled credit-g (no missing value: surrogates are searched at
every split all the same). Runs are interleaved (surrogate, fractional, scikit-learn, ...)
and the medians of CPU time (``process_time``) and wall time reported; the
surrogate search's share of a fit is the surrogate fit's extra CPU time over the
fractional fit, relative to the surrogate fit.

Usage::

    python benchmarks/bench_surrogates.py
    python benchmarks/bench_surrogates.py --rows 100000 --nan 0.02 --repeat 5
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
from sklearn.datasets import make_classification
from sklearn.tree import DecisionTreeClassifier as SkTree

from treelearn import CARTClassifier
from treelearn.datasets import load_dataset


def _timed(fn):
    c, w = time.process_time(), time.perf_counter()
    out = fn()
    return time.process_time() - c, time.perf_counter() - w, out


def bench(name, X, y, repeat, sklearn_X=None):
    makers = {
        "surrogate": lambda: CARTClassifier(missing_values="surrogate"),
        "fractional": lambda: CARTClassifier(missing_values="fractional"),
    }
    if sklearn_X is not None:
        makers["scikit-learn"] = lambda: SkTree(random_state=0)
    fit = {k: [] for k in makers}
    pred = {k: [] for k in makers}
    for _ in range(repeat):
        for key, make in makers.items():
            data = sklearn_X if key == "scikit-learn" else X
            cpu, wall, est = _timed(lambda m=make, d=data: m().fit(d, y))
            fit[key].append((cpu, wall))
            cpu, wall, _ = _timed(lambda e=est, d=data: e.predict_proba(d))
            pred[key].append((cpu, wall))
    print(f"\n{name}")
    print(f"{'':14s} {'fit cpu':>9s} {'fit wall':>9s} {'predict cpu':>12s} {'predict wall':>12s}")
    med = {}
    for key in makers:
        fc = statistics.median(c for c, _ in fit[key])
        fw = statistics.median(w for _, w in fit[key])
        pc = statistics.median(c for c, _ in pred[key])
        pw = statistics.median(w for _, w in pred[key])
        med[key] = fc
        print(f"{key:14s} {fc:9.3f} {fw:9.3f} {pc:12.4f} {pw:12.4f}")
    share = (med["surrogate"] - med["fractional"]) / med["surrogate"]
    print(f"surrogate search share of the surrogate fit (CPU): {share:.0%}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--nan", type=float, default=0.02)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    X, y = make_classification(args.rows, 20, n_informative=10, random_state=0)
    X[np.random.default_rng(0).random(X.shape) < args.nan] = np.nan
    bench(f"make_classification {args.rows} x 20, {args.nan:.0%} NaN", X, y, args.repeat, X)
    Xc, yc = load_dataset("credit_g", as_frame=True, return_X_y=True)
    bench("credit_g (1000 x 20, no missing value)", Xc, yc, args.repeat)


if __name__ == "__main__":
    main()
