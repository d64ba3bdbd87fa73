"""Every registered criterion's fit time against Gini's, on the same data, in one process.

Fits are interleaved (gini, criterion, gini, criterion, ...) and the medians of CPU
time (``process_time``) compared; PASS when a criterion is within ``--limit`` (1.2×)
of Gini. Wall time is printed beside CPU (the machine is shared and noisy).

The ratio mixes two things: what the criterion costs per candidate, and the tree it
grows. So each row also prints the builder's *work* for both trees, measured on one
extra untimed fit each:

- ``levels``: the tree's depth + 1 (one pass of the level loop each);
- ``entries``: the sum over levels of the entries in the level's nodes (the sum of
  ``n_node_samples`` over all nodes): what presorting, partitioning and the class-count
  prefix sums cost is proportional to it;
- ``cands``: the candidate thresholds the criterion ranked (``split_rank`` rows);
- ``per entry``: the CPU ratio divided by the ratio of entries, the criterion's cost per
  unit of the builder's work. A FAIL whose per-entry ratio is near 1 is the tree's
  shape (more or deeper open nodes), not the criterion's arithmetic.

Which criteria take the general path: a criterion with ``concave = False`` scores every
threshold instead of only the boundary points (Fayyad & Irani), several times as many
candidates. Of the built-ins only ``Renyi(alpha > 1)`` does: Rényi entropy of order
above 1 is not concave on more than two classes (along one class ``n · H_α`` can be
locally convex, e.g. at counts (10, 1, 1)), so the boundary-point shortcut would not
find the best threshold. ``Renyi(alpha=2)`` ranks each candidate from the square sums
(``n · log2(n² / Σ c²)``), as cheap as Gini's; the rest of its ratio is the number of
candidates and its tree. Misclassification error is concave but not strictly: most
splits of an impure node gain 0, the lowest threshold wins, and a fully grown tree is
a chain of ~1,900 levels (``--max-depth 30`` measures it at Gini's depth).

Usage::

    python benchmarks/bench_criteria.py                  # 100k rows, 3 repeats
    python benchmarks/bench_criteria.py --rows 20000 --repeat 5
    python benchmarks/bench_criteria.py --only hellinger,twoing
    python benchmarks/bench_criteria.py --only misclassification,dkm --max-depth 30
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
import time

import numpy as np
from sklearn.datasets import make_classification

from treelearn import DecisionTreeClassifier
from treelearn.criteria import CRITERIA, get_criterion


def timed(fn) -> tuple[float, float]:
    """CPU and wall seconds of ``fn()``."""
    cpu, wall = time.process_time(), time.perf_counter()
    fn()
    return time.process_time() - cpu, time.perf_counter() - wall


@contextlib.contextmanager
def counting_candidates(criterion):
    """Count the rows ``split_rank`` of ``criterion``'s class is asked to rank."""
    cls = type(criterion)
    plain = cls.__dict__.get("split_rank")
    inherited = cls.split_rank
    seen = [0]

    def split_rank(self, left, right):
        seen[0] += int(np.shape(left)[0]) if np.ndim(left) else 1
        return inherited(self, left, right)

    cls.split_rank = split_rank
    try:
        yield seen
    finally:
        if plain is None:
            del cls.split_rank
        else:
            cls.split_rank = plain


def work(name: str, X, y, max_depth) -> tuple[int, int, int]:
    """``(levels, entries, candidates)`` of one fit (see the module docstring)."""
    crit = get_criterion(name)
    with counting_candidates(crit) as seen:
        est = DecisionTreeClassifier(criterion=crit, max_depth=max_depth).fit(X, y)
    return est.get_depth() + 1, int(est.tree_.n_node_samples.sum()), seen[0]


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
    print(f"{args.rows:,} rows x 20 features, 3 classes, {grown}; medians of {args.repeat}; "
          "ratio = criterion / gini (CPU; wall beside it)")  # fmt: skip
    print(f"{'criterion':18s} {'concave':>7s} {'gini s':>7s} {'it s':>7s} {'ratio':>6s} "
          f"{'wall':>6s} {'leaves':>6s} {'levels':>9s} {'entries (M)':>13s} "
          f"{'cands (M)':>13s} {'per entry':>9s}")  # fmt: skip
    gini_work = work("gini", X, y, args.max_depth)
    failed = 0
    for name in names:
        base, mine, base_wall, mine_wall, leaves = [], [], [], [], 0
        for _ in range(args.repeat):
            gini = DecisionTreeClassifier(criterion="gini", max_depth=args.max_depth)
            cpu, wall = timed(lambda g=gini: g.fit(X, y))
            base.append(cpu)
            base_wall.append(wall)
            est = DecisionTreeClassifier(criterion=name, max_depth=args.max_depth)
            cpu, wall = timed(lambda e=est: e.fit(X, y))
            mine.append(cpu)
            mine_wall.append(wall)
            leaves = est.get_n_leaves()
        b, m = statistics.median(base), statistics.median(mine)
        wall_ratio = statistics.median(mine_wall) / statistics.median(base_wall)
        levels, entries, cands = work(name, X, y, args.max_depth)
        ok = m <= args.limit * b
        failed += not ok
        concave = get_criterion(name).concave
        per_entry = (m / b) / (entries / gini_work[1])
        print(f"{name:18s} {concave!s:>7s} {b:7.3f} {m:7.3f} {m / b:5.2f}x {wall_ratio:5.2f}x "
              f"{leaves:6d} {levels:4d}/{gini_work[0]:<4d} "
              f"{entries / 1e6:6.2f}/{gini_work[1] / 1e6:<6.2f} "
              f"{cands / 1e6:6.2f}/{gini_work[2] / 1e6:<6.2f} {per_entry:8.2f}x "
              f"{'PASS' if ok else 'FAIL'}")  # fmt: skip
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
