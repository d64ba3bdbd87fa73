"""Exports of a deep chain: issue 19's "exports of such a tree in time linear in its nodes".

``X = arange(n)`` with alternating classes grows a chain of ``n - 1`` splits on one
feature (``2n - 1`` nodes, depth ``n - 1``). Each export runs on the chain of ``--rows``
and on one a quarter as long; CPU time (``process_time``, median of ``--repeat``) per
node is compared: PASS when the long chain's time per node is at most 2 times
(``deep_exports`` in ``_targets.py``) the short one's (linear time: about 1; quadratic: about 4).

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
from _targets import TARGETS

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


def measure(rows: int, repeat: int) -> dict:
    """CPU medians of each export on chains of ``rows // 4`` and ``rows``, interleaved."""
    short, long_ = chain(rows // 4), chain(rows)
    out: dict = {
        "nodes": (short[0].tree_.node_count, long_[0].tree_.node_count),
        "depth": (short[0].get_depth(), long_[0].get_depth()),
        "repeat": repeat,
        "exports": {},
    }
    n_short, n_long = out["nodes"]
    for name, f in EXPORTS.items():
        ts, tl = [], []
        for _ in range(repeat):  # interleaved
            ts.append(cpu(lambda f=f: f(*short)))
            tl.append(cpu(lambda f=f: f(*long_)))
        a, b = statistics.median(ts), statistics.median(tl)
        ratio = (b / n_long) / (a / n_short) if a > 0 else float("nan")
        out["exports"][name] = (a, b, ratio)
    return out


def target_values(measured: dict) -> dict[str, float]:
    """``deep_exports``: the worst per-node ratio of the judged exports (10,000 rows)."""
    if measured["nodes"][1] < 2 * 10_000 - 1:
        return {}
    ratios = [r for name, (_, _, r) in measured["exports"].items() if name not in NOT_JUDGED]
    return {"deep_exports": max(ratios)}


def report(measured: dict) -> str:
    (n_short, n_long), (d_short, d_long) = measured["nodes"], measured["depth"]
    lines = [
        f"chains of {n_short} and {n_long} nodes (depth {d_short} and {d_long}); "
        f"CPU medians of {measured['repeat']}",
        f"{'export':24s} {'short s':>8s} {'long s':>8s} {'per-node ratio':>15s}",
    ]
    limit = TARGETS["deep_exports"].threshold
    for name, (a, b, ratio) in measured["exports"].items():
        judged = "" if name in NOT_JUDGED else ("PASS" if ratio <= limit else "FAIL")
        lines.append(f"{name:24s} {a:8.3f} {b:8.3f} {ratio:14.2f}x {judged}")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    text = report(measure(args.rows, args.repeat))
    print(text)
    return 1 if "FAIL" in text else 0


if __name__ == "__main__":
    sys.exit(main())
