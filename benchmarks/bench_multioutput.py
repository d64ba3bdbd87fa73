"""Multi-output ``y`` and ``splitter="random"``: treelearn against scikit-learn.

Fits are interleaved (treelearn, scikit-learn, treelearn, ...) in one process and
medians of CPU time (``process_time``) and wall time are reported. Cases:

* multi-output: ``n_outputs`` targets of 2-3 classes on ``make_classification``
  features, treelearn's ``DecisionTreeClassifier(criterion="gini")`` against
  scikit-learn's, and against treelearn's single-output fit of the first target
  (multi-output enters every row once per output, so about ``n_outputs`` times
  the work and memory of that fit);
* ``splitter="random"``: both libraries' random splitters, and treelearn's
  ``"best"`` beside them.

Usage::

    python benchmarks/bench_multioutput.py --rows 10000 100000 --outputs 3 --repeat 5
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
from sklearn.datasets import make_classification
from sklearn.tree import DecisionTreeClassifier as SkTree

from treelearn import DecisionTreeClassifier


def timed(fn) -> tuple[float, float]:
    cpu, wall = time.process_time(), time.perf_counter()
    fn()
    return time.process_time() - cpu, time.perf_counter() - wall


def data(n: int, n_outputs: int):
    X, y = make_classification(
        n_samples=n, n_features=20, n_informative=10, n_redundant=5, n_classes=3, random_state=0
    )
    X = X.astype(np.float32).astype(np.float64)
    rng = np.random.default_rng(0)
    cols = [y] + [
        np.digitize(X[:, o] + X[:, o + 1] + rng.normal(size=n), [-1.0, 1.0]) % (2 + o % 2)
        for o in range(n_outputs - 1)
    ]
    return X, np.column_stack(cols)


def cases(X: np.ndarray, Y: np.ndarray) -> dict:
    """``label -> (treelearn fit, reference fit)`` of every measured case."""
    n_outputs, y = Y.shape[1], Y[:, 0]

    def ours(**kw):
        return DecisionTreeClassifier(criterion="gini", random_state=0, **kw)

    return {
        f"multi-output ({n_outputs}) vs sklearn": (
            lambda: ours().fit(X, Y),
            lambda: SkTree(random_state=0).fit(X, Y),
        ),
        f"multi-output ({n_outputs}) vs treelearn single-output": (
            lambda: ours().fit(X, Y),
            lambda: ours().fit(X, y),
        ),
        "splitter='random' vs sklearn": (
            lambda: ours(splitter="random").fit(X, y),
            lambda: SkTree(splitter="random", random_state=0).fit(X, y),
        ),
        "splitter='random' vs treelearn 'best'": (
            lambda: ours(splitter="random").fit(X, y),
            lambda: ours().fit(X, y),
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--outputs", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print("| case | rows | treelearn CPU s | reference CPU s | CPU ratio | wall ratio |")
    print("|---|---|---|---|---|---|")
    for n in args.rows:
        X, Y = data(n, args.outputs)
        for label, (ours, theirs) in cases(X, Y).items():
            a, b = [], []
            for _ in range(args.repeat):
                a.append(timed(ours))
                b.append(timed(theirs))
            cpu_a = statistics.median(t[0] for t in a)
            cpu_b = statistics.median(t[0] for t in b)
            wall_a = statistics.median(t[1] for t in a)
            wall_b = statistics.median(t[1] for t in b)
            print(
                f"| {label} | {n} | {cpu_a:.3f} | {cpu_b:.3f} | {cpu_a / cpu_b:.2f} | "
                f"{wall_a / wall_b:.2f} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
