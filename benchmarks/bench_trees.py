"""treelearn vs scikit-learn: fit and predict time, and extra memory during fit.

Both libraries fit the same data with the same criterion, interleaved in one
process (A, B, A, B, ...), and the medians are compared. Memory is the peak
resident set size during one fit in a fresh subprocess (the kernel's peak counter is
reset just before the fit) minus the resident size then, reported as a multiple of
the size of X as passed (float32), with the target (at most 2× X at 1M rows) PASS or FAIL.

Usage::

    python benchmarks/bench_trees.py                 # 10k, 100k, 1M rows (slow)
    python benchmarks/bench_trees.py --rows 10000 100000 --repeat 3
    python benchmarks/bench_trees.py --markdown > benchmarks/RESULTS.md
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import subprocess
import sys
import time

import _peak
import numpy as np
import sklearn
from sklearn.datasets import make_classification
from sklearn.tree import DecisionTreeClassifier as SkTree

import treelearn
from treelearn import DecisionTreeClassifier, SplitCriterion


class UserGini(SplitCriterion):
    """A user-defined criterion: Gini impurity written from scratch in numpy."""

    name = "user_gini"
    concave = True

    def impurity(self, counts):
        counts = np.asarray(counts, dtype=np.float64)
        total = counts.sum(axis=-1, keepdims=True)
        p = counts / np.where(total > 0, total, 1.0)
        return 1.0 - (p * p).sum(axis=-1)


class UserEntropy(SplitCriterion):
    """A user-defined criterion: Shannon entropy (bits) written from scratch in numpy."""

    name = "user_entropy"
    concave = True

    def impurity(self, counts):
        counts = np.asarray(counts, dtype=np.float64)
        total = counts.sum(axis=-1, keepdims=True)
        p = counts / np.where(total > 0, total, 1.0)
        return -(p * np.log2(np.where(p > 0, p, 1.0))).sum(axis=-1)


#: Issue 19: extra fit memory at most this many times the bytes of X (1M rows).
MEMORY_TARGET = 2.0


def make_data(n_rows: int, seed: int = 0):
    return make_classification(
        n_samples=n_rows,
        n_features=20,
        n_informative=10,
        n_redundant=5,
        n_classes=3,
        random_state=seed,
    )


def timed(fn):
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def compare(n_rows: int, criterion: str, repeat: int) -> dict:
    """Interleaved fit/predict timings of treelearn and scikit-learn."""
    X, y = make_data(n_rows)
    warm = slice(0, min(n_rows, 5000))  # first calls pay for imports and caches
    DecisionTreeClassifier(criterion=criterion).fit(X[warm], y[warm])
    SkTree(criterion=criterion).fit(X[warm], y[warm])
    ours_fit, theirs_fit, ours_pred, theirs_pred = [], [], [], []
    for _ in range(repeat):
        t, ours = timed(lambda: DecisionTreeClassifier(criterion=criterion).fit(X, y))
        ours_fit.append(t)
        t, theirs = timed(lambda: SkTree(criterion=criterion, random_state=0).fit(X, y))
        theirs_fit.append(t)
        t, _ = timed(lambda est=ours: est.predict(X))
        ours_pred.append(t)
        t, _ = timed(lambda est=theirs: est.predict(X))
        theirs_pred.append(t)
    return {
        "rows": n_rows,
        "criterion": criterion,
        "fit_treelearn_s": statistics.median(ours_fit),
        "fit_sklearn_s": statistics.median(theirs_fit),
        "predict_treelearn_s": statistics.median(ours_pred),
        "predict_sklearn_s": statistics.median(theirs_pred),
        "leaves_treelearn": ours.get_n_leaves(),
        "leaves_sklearn": int(theirs.get_n_leaves()),
        "depth_treelearn": ours.get_depth(),
        "depth_sklearn": int(theirs.get_depth()),
    }


def compare_user(n_rows: int, repeat: int) -> list[dict]:
    """A user-defined criterion against the built-in of the same formula."""
    X, y = make_data(n_rows)
    rows = []
    for builtin, user in (("gini", UserGini()), ("entropy", UserEntropy())):
        ours, theirs = [], []
        for _ in range(repeat):
            t, a = timed(lambda b=builtin: DecisionTreeClassifier(criterion=b).fit(X, y))
            ours.append(t)
            t, b = timed(lambda u=user: DecisionTreeClassifier(criterion=u).fit(X, y))
            theirs.append(t)
        same = a.get_n_leaves() == b.get_n_leaves() and a.get_depth() == b.get_depth()
        rows.append(
            {
                "rows": n_rows,
                "builtin": builtin,
                "user": user.name,
                "fit_builtin_s": statistics.median(ours),
                "fit_user_s": statistics.median(theirs),
                "same_tree_shape": same,
            }
        )
    return rows


_MEMORY_CHILD = r"""
import json, sys
import numpy as np
sys.path.insert(0, {bench_dir!r})
from bench_trees import make_data
lib, crit, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
X, y = make_data(n)
X = X.astype(np.float32)  # the dtype scikit-learn works in; memory is in its bytes
if lib == "treelearn":
    from treelearn import DecisionTreeClassifier as T
    est = T(criterion=crit)
else:
    from sklearn.tree import DecisionTreeClassifier as T
    est = T(criterion=crit, random_state=0)
import gc
gc.collect()
before = reset_peak()
est.fit(X, y)
peak = status("VmHWM")
print(json.dumps({{"extra_bytes": peak - before, "x_bytes": X.nbytes}}))
"""


def extra_memory(lib: str, criterion: str, n_rows: int) -> dict:
    """Peak extra resident memory of one fit, in a fresh process."""
    import os

    code = _peak.IMPORT + _MEMORY_CHILD.format(bench_dir=os.path.dirname(os.path.abspath(__file__)))
    out = subprocess.run(
        [sys.executable, "-c", code, lib, criterion, str(n_rows)],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--criteria", nargs="+", default=["entropy", "gini"])
    parser.add_argument("--no-memory", action="store_true")
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args(argv)

    results, user_rows, memory = [], [], []
    for n in args.rows:
        repeat = args.repeat if n < 1_000_000 else max(1, args.repeat - 2)
        for crit in args.criteria:
            results.append(compare(n, crit, repeat))
            print(json.dumps(results[-1]), file=sys.stderr)
            if not args.no_memory:
                mine = extra_memory("treelearn", crit, n)
                theirs = extra_memory("sklearn", crit, n)
                memory.append(
                    {
                        "rows": n,
                        "criterion": crit,
                        "treelearn_x": mine["extra_bytes"] / mine["x_bytes"],
                        "sklearn_x": theirs["extra_bytes"] / theirs["x_bytes"],
                    }
                )
                print(json.dumps(memory[-1]), file=sys.stderr)
        if n <= 100_000:
            user_rows.extend(compare_user(n, repeat))
            print(json.dumps(user_rows[-2:]), file=sys.stderr)

    out = []
    out.append("# treelearn vs scikit-learn: decision tree fit and predict\n")
    out.append(
        f"treelearn {treelearn.__version__}, scikit-learn {sklearn.__version__}, "
        f"numpy {np.__version__}, Python {platform.python_version()}, "
        f"{platform.machine()}; data: make_classification, 20 numeric features "
        "(10 informative), 3 classes; fully grown trees; medians of interleaved runs.\n"
    )
    out.append(
        "| rows | criterion | fit treelearn (s) | fit sklearn (s) | fit ratio | "
        "predict treelearn (s) | predict sklearn (s) | predict ratio | "
        "leaves (tl / sk) | depth (tl / sk) |"
    )
    out.append("|---|---|---|---|---|---|---|---|---|---|")
    for r in results:
        out.append(
            f"| {r['rows']:,} | {r['criterion']} | {r['fit_treelearn_s']:.3f} | "
            f"{r['fit_sklearn_s']:.3f} | {r['fit_treelearn_s'] / r['fit_sklearn_s']:.2f}× | "
            f"{r['predict_treelearn_s']:.4f} | {r['predict_sklearn_s']:.4f} | "
            f"{r['predict_treelearn_s'] / r['predict_sklearn_s']:.2f}× | "
            f"{r['leaves_treelearn']} / {r['leaves_sklearn']} | "
            f"{r['depth_treelearn']} / {r['depth_sklearn']} |"
        )
    if memory:
        out.append(
            "\nExtra memory during fit (peak RSS during the fit, in a fresh process, minus "
            "RSS before it), as a multiple of the bytes of X as passed (float32); "
            f"target: at most {MEMORY_TARGET:g}× X at 1M rows:\n"
        )
        out.append("| rows | criterion | treelearn | scikit-learn | target |")
        out.append("|---|---|---|---|---|")
        for m in memory:
            verdict = "PASS" if m["treelearn_x"] <= MEMORY_TARGET else "FAIL"
            out.append(
                f"| {m['rows']:,} | {m['criterion']} | {m['treelearn_x']:.2f}× X | "
                f"{m['sklearn_x']:.2f}× X | {verdict if m['rows'] >= 1_000_000 else '—'} |"
            )
    if user_rows:
        out.append(
            "\nA user-defined criterion (a 10-line `SplitCriterion` subclass) against "
            "the built-in of the same formula:\n"
        )
        out.append(
            "| rows | built-in | user-defined | fit built-in (s) | fit user (s) | "
            "ratio | same tree |"
        )
        out.append("|---|---|---|---|---|---|---|")
        for u in user_rows:
            out.append(
                f"| {u['rows']:,} | {u['builtin']} | {u['user']} | "
                f"{u['fit_builtin_s']:.3f} | {u['fit_user_s']:.3f} | "
                f"{u['fit_user_s'] / u['fit_builtin_s']:.2f}× | {u['same_tree_shape']} |"
            )
    text = "\n".join(out)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
