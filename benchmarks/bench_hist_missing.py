"""splitter="hist" with missing values: "learned" against "fractional" (issue 12).

Data: ``make_classification`` with ``--rows`` rows and 20 numeric features (10
informative, 3 classes), ``--nan`` of the values knocked out at random. Fully grown
``DecisionTreeClassifier(criterion="gini")`` trees: ``splitter="hist"`` under
``missing_values="learned"`` (whole rows to one side: no copies, unit weights keep
the integer histograms and the deep levels' entry cells) and ``"fractional"``
(C4.5's copies: float histograms with entry counts), and the exact learned tree as
the anchor. Runs are interleaved ``--repeat`` times; medians of CPU
(``time.process_time``) and wall time, node counts and held-out accuracy on
``--rows`` fresh rows with the same share of holes.

Usage::

    python benchmarks/bench_hist_missing.py [--rows 100000] [--nan 0.02] [--repeat 3]
"""

from __future__ import annotations

import argparse

import numpy as np
from _timing import interleaved, load
from sklearn.datasets import make_classification

from treelearn import DecisionTreeClassifier


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--nan", type=float, default=0.02)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    X, y = make_classification(
        n_samples=2 * args.rows, n_features=20, n_informative=10, n_classes=3, random_state=0
    )
    X[np.random.default_rng(0).random(X.shape) < args.nan] = np.nan
    Xtr, ytr, Xte, yte = X[: args.rows], y[: args.rows], X[args.rows :], y[args.rows :]
    models = {
        "hist learned": {"splitter": "hist", "missing_values": "learned"},
        "hist fractional": {"splitter": "hist", "missing_values": "fractional"},
        "exact learned": {"splitter": "best", "missing_values": "learned"},
    }
    fns = {
        name: (lambda kw=kw: DecisionTreeClassifier(criterion="gini", **kw).fit(Xtr, ytr))
        for name, kw in models.items()
    }
    med, last = interleaved(fns, args.repeat)
    print(f"{args.rows} x 20, {args.nan:.0%} NaN, fully grown gini, repeat {args.repeat}, "
          f"load {load()}")  # fmt: skip
    print(f"{'':18}{'CPU s':>8}{'wall s':>8}{'nodes':>8}{'held-out':>10}")
    for name, (cpu, wall) in med.items():
        est = last[name]
        acc = est.score(Xte, yte)
        print(f"{name:18}{cpu:8.2f}{wall:8.2f}{est.tree_.node_count:8d}{acc:10.4f}")
    ratio = med["hist learned"][0] / med["hist fractional"][0]
    print(f"hist learned / hist fractional CPU: {ratio:.2f}")
    ratio = med["hist learned"][0] / med["exact learned"][0]
    print(f"hist learned / exact learned CPU: {ratio:.2f}")


if __name__ == "__main__":
    main()
