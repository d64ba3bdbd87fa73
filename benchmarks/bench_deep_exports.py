"""Exports of a deep chain: issue 19's "exports of such a tree in time linear in its nodes".

``X = arange(n)`` with alternating classes grows a chain of ``n - 1`` splits on one
feature (``2n - 1`` nodes, depth ``n - 1``). Each export runs on the chain of ``--rows``
and on one a quarter as long; CPU time (``process_time``, median of ``--repeat``) per
node is compared: PASS when the long chain's time per node is at most ``--limit`` times
the short one's (linear time: about 1; quadratic: about 4).

``export_text`` is timed but not judged: its indentation grows with the depth, so the
text of a chain itself has ``O(n · depth)`` characters (quadratic in the nodes).

Usage::

    python benchmarks/bench_deep_exports.py
    python benchmarks/bench_deep_exports.py --rows 10000 --repeat 3
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

import numpy as np

from treelearn import DecisionTreeClassifier, load_json
from treelearn.export import explain_path, export_graphviz, export_rules, export_text

EXPORTS = {
    "export_rules": lambda est, X, doc: export_rules(est),
    "export_rules frame": lambda est, X, doc: export_rules(est, as_frame=True),
    "export_graphviz": lambda est, X, doc: export_graphviz(est),
    "to_json": lambda est, X, doc: est.to_json(),
    "load_json": lambda est, X, doc: load_json(doc),
    "explain_path (deepest)": lambda est, X, doc: explain_path(est, X[-1:]),
    "export_text": lambda est, X, doc: export_text(est),
}
NOT_JUDGED = {"export_text"}


def chain(n: int):
    X = np.arange(n, dtype=np.float64).reshape(-1, 1)
    est = DecisionTreeClassifier().fit(X, np.arange(n) % 2)
    return est, X, est.to_json()


def cpu(f) -> float:
    t = time.process_time()
    f()
    return time.process_time() - t


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--limit", type=float, default=2.0)
    args = parser.parse_args()
    short, long_ = chain(args.rows // 4), chain(args.rows)
    n_short, n_long = short[0].tree_.node_count, long_[0].tree_.node_count
    print(f"chains of {n_short} and {n_long} nodes (depth {short[0].get_depth()} and "
          f"{long_[0].get_depth()}); CPU medians of {args.repeat}")  # fmt: skip
    print(f"{'export':24s} {'short s':>8s} {'long s':>8s} {'per-node ratio':>15s}")
    failed = 0
    for name, f in EXPORTS.items():
        ts, tl = [], []
        for _ in range(args.repeat):  # interleaved
            ts.append(cpu(lambda f=f: f(*short)))
            tl.append(cpu(lambda f=f: f(*long_)))
        a, b = statistics.median(ts), statistics.median(tl)
        ratio = (b / n_long) / (a / n_short) if a > 0 else float("nan")
        verdict = "" if name in NOT_JUDGED else ("PASS" if ratio <= args.limit else "FAIL")
        failed += verdict == "FAIL"
        print(f"{name:24s} {a:8.3f} {b:8.3f} {ratio:14.2f}x {verdict}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
