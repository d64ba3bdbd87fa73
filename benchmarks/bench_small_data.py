"""The main job's shape: 10-fold fit + predict on the 13 bundled data sets, per preset.

treelearn's presets (ID3, C4.5, CART) fit the bundled pandas frames (categorical columns
as they are) against the scikit-learn pipeline a user would write for the same folds:
``OrdinalEncoder`` on the categorical columns (missing values kept as NaN) and a gini
``DecisionTreeClassifier``, which handles NaN itself. Runs are interleaved (treelearn,
scikit-learn, treelearn, ...) in one process; the medians of CPU time (``process_time``)
and wall time over ``--repeat`` runs are compared. PASS when a preset's CPU time is at
most the pipeline's (issue 19's target ``small_<preset>`` in ``_targets.py``: no slower).
Folds: stratified 10-fold, fewer where a class has fewer than 10 rows (at least 2).

Usage::

    python benchmarks/bench_small_data.py
    python benchmarks/bench_small_data.py --repeat 5 --presets cart
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

import numpy as np
from _targets import verdict
from _timing import load
from sklearn.compose import ColumnTransformer
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OrdinalEncoder
from sklearn.tree import DecisionTreeClassifier as SkTree

import treelearn.datasets as bundled
from treelearn import C45Classifier, CARTClassifier, ID3Classifier

PRESETS = {"id3": ID3Classifier, "c4.5": C45Classifier, "cart": CARTClassifier}


def sklearn_pipeline(X):
    categorical = [c for c in X.columns if str(X[c].dtype) == "category"]
    encode = OrdinalEncoder(
        handle_unknown="use_encoded_value", unknown_value=np.nan, encoded_missing_value=np.nan
    )
    columns = ColumnTransformer([("cat", encode, categorical)], remainder="passthrough")
    return make_pipeline(columns, SkTree(random_state=0))


def folds(y):
    k = int(min(10, max(2, np.unique(y, return_counts=True)[1].min())))
    return list(StratifiedKFold(k, shuffle=True, random_state=0).split(np.zeros(len(y)), y))


def run(make, data) -> tuple[float, float]:
    cpu, wall = time.process_time(), time.perf_counter()
    for X, y, splits in data:
        for train, test in splits:
            make(X).fit(X.iloc[train], y.iloc[train]).predict(X.iloc[test])
    return time.process_time() - cpu, time.perf_counter() - wall


def measure(presets: list[str], repeat: int) -> dict:
    """Median (CPU, wall) of each preset's 10-fold runs and of the pipeline's, interleaved."""
    data = []
    for name in bundled.list_datasets():
        X, y = getattr(bundled, f"load_{name}")(as_frame=True, return_X_y=True)
        data.append((X, y, folds(y)))
    makers = {p: (lambda X, cls=PRESETS[p]: cls()) for p in presets}
    run(sklearn_pipeline, data)  # warm up both
    for make in makers.values():
        run(make, data)
    times: dict[str, list[tuple[float, float]]] = {p: [] for p in [*makers, "sklearn"]}
    for _ in range(repeat):
        for p, make in makers.items():
            times[p].append(run(make, data))
            times["sklearn"].append(run(sklearn_pipeline, data))
    med = {p: (statistics.median(c for c, _ in t), statistics.median(w for _, w in t))
           for p, t in times.items()}  # fmt: skip
    n_fits = sum(len(s) for _, _, s in data)
    return {"sets": len(data), "fits": n_fits, "repeat": repeat, "load": load(), "med": med}


def target_values(measured: dict) -> dict[str, float]:
    """``small_<preset>``: the preset's CPU time over the pipeline's."""
    sk_cpu = measured["med"]["sklearn"][0]
    return {f"small_{p}": cpu / sk_cpu for p, (cpu, _) in measured["med"].items() if p != "sklearn"}


def report(measured: dict) -> str:
    med, n_fits = measured["med"], measured["fits"]
    sk_cpu, sk_wall = med["sklearn"]
    lines = [
        f"{measured['sets']} bundled sets, {n_fits} fits per run (fit + predict), medians of "
        f"{measured['repeat']}, load average {measured['load']}; "
        "ratio = preset / scikit-learn pipeline",
        f"{'':10s} {'cpu s':>7s} {'wall s':>7s} {'per fit':>8s} {'cpu ratio':>9s}",
        f"{'sklearn':10s} {sk_cpu:7.3f} {sk_wall:7.3f} {1000 * sk_cpu / n_fits:6.1f}ms",
    ]
    for key, ratio in target_values(measured).items():
        p = key.removeprefix("small_")
        cpu, wall = med[p]
        lines.append(f"{p:10s} {cpu:7.3f} {wall:7.3f} {1000 * cpu / n_fits:6.1f}ms "
                     f"{ratio:8.2f}x {verdict(key, ratio)}")  # fmt: skip
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--presets", default="id3,c4.5,cart")
    args = parser.parse_args()
    measured = measure(args.presets.split(","), args.repeat)
    print(report(measured))
    failed = [k for k, v in target_values(measured).items() if verdict(k, v) == "FAIL"]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
