"""C4.5 fit time: treelearn's C45Classifier against scikit-learn's entropy tree and Weka's J48.

* numeric data (make_classification, 20 features, 3 classes): C45Classifier (grow, collapse,
  prune) against scikit-learn's DecisionTreeClassifier(criterion="entropy"), interleaved in
  one process, medians;
* mixed data: credit-g (1000 rows, 13 categorical + 7 numeric columns) and credit-g x 20
  (rows replicated with numeric jitter): C45Classifier on the DataFrame against
  scikit-learn on ordinal-encoded categories (scikit-learn's trees have no categoricals);
* Weka's J48 (the anchor), when ``java`` and Debian's ``/usr/share/java/weka.jar`` exist:
  its own "Time taken to build model" and the wall time of the whole ``java`` command.

Usage::

    python benchmarks/bench_c45.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.compose import make_column_transformer
from sklearn.datasets import make_classification
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OrdinalEncoder
from sklearn.tree import DecisionTreeClassifier as SkTree

from treelearn import C45Classifier
from treelearn.datasets import load_credit_g

WEKA = Path("/usr/share/java/weka.jar")


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def interleaved(fns: dict, repeat: int) -> dict:
    times = {name: [] for name in fns}
    for fn in fns.values():  # warm-up
        fn()
    for _ in range(repeat):
        for name, fn in fns.items():
            times[name].append(timed(fn))
    return {name: statistics.median(ts) for name, ts in times.items()}


def sklearn_on_mixed(X: pd.DataFrame):
    categorical = [c for c in X.columns if isinstance(X[c].dtype, pd.CategoricalDtype)]
    encode = make_column_transformer((OrdinalEncoder(), categorical), remainder="passthrough")
    return make_pipeline(encode, SkTree(criterion="entropy", random_state=0))


def credit_g_times(factor: int, seed: int = 0) -> tuple[pd.DataFrame, pd.Series]:
    X, y = load_credit_g(as_frame=True, return_X_y=True)
    if factor == 1:
        return X, y
    rng = np.random.default_rng(seed)
    X = pd.concat([X] * factor, ignore_index=True)
    y = pd.concat([y] * factor, ignore_index=True)
    for c in X.columns:
        if not isinstance(X[c].dtype, pd.CategoricalDtype):
            X[c] = X[c] + rng.normal(0, 0.01 * X[c].std(), len(X))
    return X, y


def write_arff(X: pd.DataFrame, y: pd.Series, path: Path) -> None:
    lines = ["@relation credit-g-bench"]
    for c in X.columns:
        if isinstance(X[c].dtype, pd.CategoricalDtype):
            values = ",".join(f"'{v}'" for v in X[c].cat.categories)
            lines.append(f"@attribute '{c}' {{{values}}}")
        else:
            lines.append(f"@attribute '{c}' numeric")
    lines.append(f"@attribute class {{{','.join(map(str, y.cat.categories))}}}")
    lines.append("@data")
    frame = X.astype(object).where(X.notna(), "?")
    for row, label in zip(frame.itertuples(index=False), y, strict=True):
        cells = [f"'{v}'" if isinstance(v, str) and v != "?" else repr(v) for v in row]
        lines.append(",".join([*cells, str(label)]))
    path.write_text("\n".join(lines) + "\n")


def j48_times(arff: Path, repeat: int) -> tuple[float, float] | None:
    """J48's own model-building time and the wall time of the java command (medians)."""
    if not (shutil.which("java") and WEKA.exists()):
        return None
    build, wall = [], []
    for _ in range(repeat):
        start = time.perf_counter()
        out = subprocess.run(
            ["java", "-cp", str(WEKA), "weka.classifiers.trees.J48", "-t", str(arff), "-no-cv"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        wall.append(time.perf_counter() - start)
        build.append(float(re.search(r"Time taken to build model: ([\d.]+)", out).group(1)))
    return statistics.median(build), statistics.median(wall)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    rows = []
    for n in (10_000, 100_000):
        X, y = make_classification(
            n_samples=n, n_features=20, n_informative=10, n_redundant=5, n_classes=3, random_state=0
        )
        t = interleaved(
            {
                "c45": lambda X=X, y=y: C45Classifier().fit(X, y),
                "sk": lambda X=X, y=y: SkTree(criterion="entropy", random_state=0).fit(X, y),
            },
            args.repeat,
        )
        rows.append((f"make_classification {n:,} x 20 (numeric)", t["c45"], t["sk"], None))
        print(rows[-1], file=sys.stderr)
    with tempfile.TemporaryDirectory() as tmp:
        for factor in (1, 20):
            X, y = credit_g_times(factor)
            t = interleaved(
                {
                    "c45": lambda X=X, y=y: C45Classifier().fit(X, y),
                    "sk": lambda X=X, y=y: sklearn_on_mixed(X).fit(X, y),
                },
                args.repeat,
            )
            arff = Path(tmp) / f"credit-g-x{factor}.arff"
            write_arff(X, y, arff)
            j48 = j48_times(arff, args.repeat)
            name = (
                "credit-g (1,000 rows, mixed)"
                if factor == 1
                else f"credit-g x {factor} ({len(y):,} rows, mixed, jittered)"
            )
            rows.append((name, t["c45"], t["sk"], j48))
            print(rows[-1], file=sys.stderr)
    print("# C4.5: treelearn vs scikit-learn's entropy tree and Weka's J48\n")
    print(
        "C45Classifier() = grow + collapse + error-based pruning with subtree raising "
        "(J48's default -C 0.25 -M 2). scikit-learn grows an unpruned entropy tree "
        "(categoricals ordinal-encoded). J48: Weka 3.6.14 on OpenJDK, 'build' is Weka's own "
        "'Time taken to build model', 'wall' the whole java command (JVM start-up, ARFF "
        "parsing, training-set evaluation). Medians.\n"
    )
    print(
        "| data | C45Classifier fit (s) | scikit-learn entropy fit (s) | ratio | "
        "J48 build (s) | J48 wall (s) |"
    )
    print("|---|---|---|---|---|---|")
    for name, ours, theirs, j48 in rows:
        j48_cells = "– | –" if j48 is None else f"{j48[0]:.2f} | {j48[1]:.2f}"
        print(f"| {name} | {ours:.3f} | {theirs:.3f} | {ours / theirs:.2f}× | {j48_cells} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
