"""Every registered criterion's fit time against Gini's, on the same data, in one process.

Fits are interleaved (gini, criterion, gini, criterion, ...) and the medians of CPU
time (``process_time``) compared; PASS when a criterion is within ``--limit`` (1.2×)
of Gini. A criterion with ``concave = False`` scores every threshold instead of only
the boundary points and is expected to be slower; the table says which.

Usage::

    python benchmarks/bench_criteria.py                  # 100k rows, 3 repeats
    python benchmarks/bench_criteria.py --rows 20000 --repeat 5
    python benchmarks/bench_criteria.py --only hellinger,twoing
    python benchmarks/bench_criteria.py --only misclassification --max-depth 30
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

import numpy as np
from sklearn.datasets import make_classification

from treelearn import DecisionTreeClassifier
from treelearn.criteria import CRITERIA, get_criterion


def cpu(fn) -> float:
    start = time.process_time()
    fn()
    return time.process_time() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--limit", type=float, default=1.2)
    parser.add_argument(
        "--max-depth", type=int, default=None, help="limit both trees (default: fully grown)"
    )
    parser.add_argument("--only", help="comma-separated criterion names (default: all)")
    args = parser.parse_args()
    X, y = make_classification(
        n_samples=args.rows, n_features=20, n_informative=10, n_redundant=5, n_classes=3,
        random_state=0,
    )  # fmt: skip
    X = X.astype(np.float32)
    DecisionTreeClassifier(criterion="gini").fit(X[:5000], y[:5000])  # warm up
    names = [n for n in CRITERIA if n not in ("log_loss", "information_gain", "gini")]
    if args.only:
        names = [n for n in args.only.split(",") if n in CRITERIA] or names
    grown = "fully grown" if args.max_depth is None else f"max_depth={args.max_depth}"
    print(f"{args.rows:,} rows x 20 features, 3 classes, {grown}; CPU s, medians of "
          f"{args.repeat}; ratio = criterion / gini")  # fmt: skip
    print(f"{'criterion':18s} {'concave':>7s} {'gini':>8s} {'it':>8s} {'ratio':>6s} {'leaves':>7s}")
    failed = 0
    for name in names:
        base, mine, leaves = [], [], 0
        for _ in range(args.repeat):
            gini = DecisionTreeClassifier(criterion="gini", max_depth=args.max_depth)
            base.append(cpu(lambda g=gini: g.fit(X, y)))
            est = DecisionTreeClassifier(criterion=name, max_depth=args.max_depth)
            mine.append(cpu(lambda e=est: e.fit(X, y)))
            leaves = est.get_n_leaves()
        b, m = statistics.median(base), statistics.median(mine)
        ok = m <= args.limit * b
        failed += not ok
        concave = get_criterion(name).concave
        print(f"{name:18s} {concave!s:>7s} {b:8.3f} {m:8.3f} {m / b:5.2f}x {leaves:7d} "
              f"{'PASS' if ok else 'FAIL'}")  # fmt: skip
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
