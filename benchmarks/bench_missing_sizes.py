"""Sizes of fully grown trees on data with missing values, per preset and strategy (issue 17).

Re-measures the table of issue 17: node counts of fully grown trees on the bundled
vote, soybean and breast-cancer data for every preset (ID3, CART, C4.5 pruned and
unpruned, DecisionTreeClassifier) under every ``missing_values`` strategy this build
grows, beside scikit-learn (categoricals ordinal-encoded, missing values as NaN; the
median over ``--seeds`` random states) and R rpart 4.1 (gini, ``cp=0``,
``minsplit=2``, ``minbucket=1``, surrogates: the node count of the fixture
``tests/fixtures/rpart/out/<data>/a_nodes.csv``). Then the mean tree size of the
10-fold comparison the main job prints (``compare_criteria`` with the presets'
defaults).

Checks, each printed PASS or FAIL:

* no tree has more nodes than the data has rows (and hence no more leaves);
* a fully grown ``ID3Classifier`` on vote has at most 1.5 x scikit-learn's node count.

Usage::

    python benchmarks/bench_missing_sizes.py [--seeds 10] [--markdown]
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

import numpy as np
from sklearn.preprocessing import OrdinalEncoder
from sklearn.tree import DecisionTreeClassifier as SkTree

import treelearn
from treelearn import C45Classifier, CARTClassifier, DecisionTreeClassifier, ID3Classifier
from treelearn._missing import MISSING_VALUES
from treelearn.compare import compare_criteria

DATASETS = ("vote", "soybean", "breast_cancer")
RPART = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "rpart" / "out"
PRESETS = {
    "ID3": lambda mv: ID3Classifier(missing_values=mv),
    "CART": lambda mv: CARTClassifier(missing_values=mv),
    "C4.5": lambda mv: C45Classifier(missing_values=mv),
    "C4.5 unpruned": lambda mv: C45Classifier(missing_values=mv, pruning=None),
    "DecisionTree": lambda mv: DecisionTreeClassifier(missing_values=mv),
}


def load(name):
    return getattr(treelearn.datasets, f"load_{name}")(return_X_y=True, as_frame=True)


def sklearn_nodes(X, y, seeds: int) -> int:
    """Median node count of scikit-learn's fully grown tree over ``seeds`` seeds."""
    cats = [c for c in X.columns if X[c].dtype.kind not in "fiu"]
    Xe = X.copy()
    if cats:
        enc = OrdinalEncoder(encoded_missing_value=np.nan)
        Xe[cats] = enc.fit_transform(X[cats].astype(object).where(X[cats].notna(), np.nan))
    Xe = Xe.astype(float).to_numpy()
    counts = [SkTree(random_state=s).fit(Xe, y).tree_.node_count for s in range(seeds)]
    return int(np.median(counts))


def rpart_nodes(name: str) -> int | None:
    path = RPART / name / "a_nodes.csv"
    if not path.exists():
        return None
    with path.open() as f:
        return sum(1 for _ in csv.DictReader(f))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args()
    strategies = list(MISSING_VALUES)
    print(f"treelearn {treelearn.__version__}; strategies: {', '.join(strategies)}")
    cols = [f"{p} {s}" for p in PRESETS for s in strategies]
    header = ["data (rows, missing cells)", *cols, "scikit-learn", "rpart"]
    rows, failures, sk_of = [], [], {}
    for name in DATASETS:
        X, y = load(name)
        n = len(y)
        cells = [f"{name} ({n}, {int(X.isna().to_numpy().sum())})"]
        for preset, make in PRESETS.items():
            for s in strategies:
                try:
                    tree = make(s).fit(X, y).tree_
                except ValueError:  # surrogates need binary splits (ID3's, C4.5's are multiway)
                    cells.append("n/a")
                    continue
                cells.append(f"{tree.node_count} / {tree.n_leaves}")
                if tree.node_count > n:
                    failures.append(f"{name}: {preset} {s} has {tree.node_count} nodes > {n} rows")
                if preset == "ID3" and s == "fractional":
                    id3 = tree.node_count
        sk = sk_of[name] = sklearn_nodes(X, y, args.seeds)
        rp = rpart_nodes(name)
        cells += [str(sk), "n/a" if rp is None else str(rp)]
        rows.append(cells)
        if name == "vote":
            vote_id3 = id3
    sep = " | "
    print("\nnodes / leaves of fully grown trees (C4.5 pruned: its default)\n")
    print("| " + sep.join(header) + " |")
    print("|" + "---|" * len(header))
    for cells in rows:
        print("| " + sep.join(cells) + " |")
    # the main job: a 10-fold comparison with the presets' defaults
    print("\nmean nodes per fold tree of `compare_criteria(..., cv=10)` (presets' defaults)\n")
    result = compare_criteria(list(DATASETS), ["id3", "c4.5", "cart"], cv=10, progress=False)
    print("| data | rows | ID3 | C4.5 | CART |")
    print("|---|---|---|---|---|")
    for name in DATASETS:
        part = result[result["dataset"] == name].set_index("criterion")["tree_size"]
        n = len(load(name)[1])
        sizes = " | ".join(f"{part[c]:.1f}" for c in ("ID3", "C4.5", "CART"))
        print(f"| {name} | {n} | {sizes} |")
        for c in ("ID3", "C4.5", "CART"):
            if part[c] > n:
                failures.append(f"{name}: compare's {c} fold trees have {part[c]:.0f} nodes")
    print()
    ok = not failures
    print(f"{'PASS' if ok else 'FAIL'}: no tree has more nodes (or leaves) than the data has rows")
    for f in failures:
        print(f"  {f}")
    target = 1.5 * sk_of["vote"]
    verdict = "PASS" if vote_id3 <= target else "FAIL"
    print(
        f"{verdict}: fully grown ID3Classifier on vote has {vote_id3} nodes, "
        f"<= 1.5 x scikit-learn's {sk_of['vote']} = {target:.1f}"
    )
    return 0 if ok and vote_id3 <= target else 1


if __name__ == "__main__":
    raise SystemExit(main())
