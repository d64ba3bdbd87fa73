"""Deep trees: issue 19's 10,000-level chain and issue 16's MisclassificationError chain.

``X = arange(n)`` with alternating classes grows a chain of ``n - 1`` splits on one
feature: a level-wise builder pays its fixed per-level cost ``n`` times while only
a few rows remain in play. Each fit runs in a fresh subprocess (peak resident set size
``VmHWM``, reset just before the fit, less the resident set then: the interpreter with
numpy, scikit-learn and treelearn imported), treelearn and scikit-learn interleaved,
``--repeat`` times; medians of CPU time (``process_time``) and wall time are compared.
PASS when treelearn's CPU time is at most ``--limit`` times scikit-learn's (the target:
no slower).

``--presets`` (default ``cart,c45,id3``) also fits ``CARTClassifier``,
``C45Classifier`` and ``ID3Classifier`` with their defaults on the chain, reported
beside scikit-learn's gini (CART) and entropy (ID3, C4.5) trees without a verdict:
CART grows surrogates (the one-node runs do not apply), C4.5's MDL penalty and
``min_samples_leaf=2`` make the chain a single leaf as J48 does.

The second case is a fully grown ``DecisionTreeClassifier(criterion="misclassification")``
on ``make_classification(--mis-rows, 20)``: most splits gain 0, so the tree becomes a
chain of small peels; it is timed beside Gini on the same data (issue 16).

Usage::

    python benchmarks/bench_deep.py
    python benchmarks/bench_deep.py --rows 10000 --repeat 3 --mis-rows 20000
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

import _peak

ROOT = Path(__file__).resolve().parents[1]

_CHILD = r"""
import json, sys, time
import numpy as np
from sklearn.datasets import make_classification
from sklearn.tree import DecisionTreeClassifier as SkTree
import treelearn
from treelearn import C45Classifier, CARTClassifier, DecisionTreeClassifier, ID3Classifier
PRESETS = {"cart": CARTClassifier, "c45": C45Classifier, "id3": ID3Classifier}
lib, case, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
if case == "chain":
    X = np.arange(n, dtype=np.float64).reshape(-1, 1)
    y = np.arange(n) % 2
    crit = "gini"
else:
    X, y = make_classification(n_samples=n, n_features=20, n_informative=10,
                               n_redundant=5, n_classes=3, random_state=0)
    crit = case
DecisionTreeClassifier(criterion=crit).fit(X[:50], y[:50])  # imports, first calls
SkTree().fit(X[:50], y[:50])
before = reset_peak()
cpu, wall = time.process_time(), time.perf_counter()
if lib == "treelearn":
    est = DecisionTreeClassifier(criterion=crit).fit(X, y)
    depth, leaves = est.get_depth(), est.get_n_leaves()
elif lib in PRESETS:  # the presets with their defaults (C4.5: J48's -C 0.25 -M 2)
    est = PRESETS[lib]().fit(X, y)
    depth, leaves = est.get_depth(), est.get_n_leaves()
else:
    sk_crit = "entropy" if lib == "sklearn-entropy" else crit
    est = SkTree(criterion=sk_crit, random_state=0).fit(X, y)
    depth, leaves = int(est.get_depth()), int(est.get_n_leaves())
cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
peak = status("VmHWM")
print(json.dumps({"cpu": cpu, "wall": wall, "extra": peak - before, "depth": depth,
                  "leaves": leaves, "where": treelearn.__file__}))
"""


def fit_in_subprocess(lib: str, case: str, n: int) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", _peak.IMPORT + _CHILD, lib, case, str(n)],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def measure(case: str, n: int, repeat: int, libs: tuple[str, ...]) -> dict[str, dict]:
    runs: dict[str, list[dict]] = {lib: [] for lib in libs}
    for _ in range(repeat):
        for lib in libs:
            runs[lib].append(fit_in_subprocess(lib, case, n))
    out = {}
    for lib, rs in runs.items():
        out[lib] = {
            "cpu": statistics.median(r["cpu"] for r in rs),
            "wall": statistics.median(r["wall"] for r in rs),
            "extra_mib": statistics.median(r["extra"] for r in rs) / 2**20,
            "depth": rs[0]["depth"],
            "leaves": rs[0]["leaves"],
        }
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--mis-rows", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--limit", type=float, default=1.0)
    parser.add_argument("--no-chain", action="store_true")
    parser.add_argument("--no-mis", action="store_true")
    parser.add_argument(
        "--presets", default="cart,c45,id3", help="presets fitted on the chain ('' for none)"
    )
    args = parser.parse_args()
    failed = 0
    print(f"medians of {args.repeat} fits, each in a fresh subprocess; extra = peak RSS "
          "of the fit over the process after imports")  # fmt: skip
    print(f"{'case':34s} {'cpu s':>7s} {'wall s':>7s} {'extra MiB':>9s} {'depth':>6s} "
          f"{'leaves':>6s} {'ratio':>7s}")  # fmt: skip
    if not args.no_chain:
        res = measure("chain", args.rows, args.repeat, ("treelearn", "sklearn"))
        sk = res["sklearn"]
        for lib, r in res.items():
            ratio = r["cpu"] / sk["cpu"]
            verdict = ""
            if lib == "treelearn":
                ok = ratio <= args.limit
                failed += not ok
                verdict = "PASS" if ok else "FAIL"
            print(f"{f'chain {args.rows:,} {lib}':34s} {r['cpu']:7.2f} {r['wall']:7.2f} "
                  f"{r['extra_mib']:9.1f} {r['depth']:6d} {r['leaves']:6d} "
                  f"{ratio:6.2f}x {verdict}")  # fmt: skip
        presets = [p for p in args.presets.split(",") if p]
        if presets:
            ref = measure("chain", args.rows, args.repeat, ("sklearn-entropy", *presets))
            for lib in presets:
                r = ref[lib]
                sk_lib = "sklearn" if lib == "cart" else "sklearn-entropy"
                base = sk["cpu"] if lib == "cart" else ref["sklearn-entropy"]["cpu"]
                print(f"{f'chain {args.rows:,} {lib}':34s} {r['cpu']:7.2f} {r['wall']:7.2f} "
                      f"{r['extra_mib']:9.1f} {r['depth']:6d} {r['leaves']:6d} "
                      f"{r['cpu'] / base:6.2f}x (vs {sk_lib})")  # fmt: skip
            r = ref["sklearn-entropy"]
            print(f"{f'chain {args.rows:,} sklearn-entropy':34s} {r['cpu']:7.2f} {r['wall']:7.2f} "
                  f"{r['extra_mib']:9.1f} {r['depth']:6d} {r['leaves']:6d}")  # fmt: skip
    if not args.no_mis:
        mis = measure("misclassification", args.mis_rows, args.repeat, ("treelearn",))
        gini = measure("gini", args.mis_rows, args.repeat, ("treelearn", "sklearn"))
        rows = {
            "treelearn misclassification": mis["treelearn"],
            "treelearn gini": gini["treelearn"],
            "sklearn gini": gini["sklearn"],
        }
        base = gini["treelearn"]["cpu"]
        for label, r in rows.items():
            print(f"{f'{args.mis_rows:,} {label}':34s} {r['cpu']:7.2f} {r['wall']:7.2f} "
                  f"{r['extra_mib']:9.1f} {r['depth']:6d} {r['leaves']:6d} "
                  f"{r['cpu'] / base:6.2f}x")  # fmt: skip
        print("(misclassification ratios are against treelearn's gini fit)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
