"""C4.5 fit time: treelearn's C45Classifier against scikit-learn's entropy tree and Weka's J48.

* numeric data (make_classification, 20 features, 3 classes, 10k and 100k rows);
* mixed data: credit-g (1,000 rows, 13 categorical + 7 numeric columns), credit-g x 20
  and x 100 (rows replicated with numeric jitter), and a synthetic 100k set
  (:func:`synthetic_mixed`: make_classification with 8 of its 20 columns binned into 3-12
  categories). C45Classifier gets the DataFrame, scikit-learn the ordinal-encoded
  categories (its trees have no categoricals) and grows its unpruned entropy tree;
* Weka's J48 (the anchor) on the very rows, written as ARFF, when ``java`` and Debian's
  ``/usr/share/java/weka.jar`` exist: its own "Time taken to build model", the wall and
  CPU time of the whole ``java`` process, and its tree's size beside ours. Ours on the
  ARFF is ``load_arff`` + ``fit`` in this process (no interpreter start-up counted).

Times are CPU (``process_time``) and wall, treelearn and scikit-learn interleaved in one
process after a warm-up, medians (``_timing.interleaved``). Issue 19's targets
(``_targets.py``: ``c45_mixed``, ``c45_synthetic``, ``c45_j48``, ``c45_j48_synthetic``)
are judged with PASS/FAIL on the 100k mixed sets.

Usage::

    nice python benchmarks/bench_c45.py [--repeat 5] [--j48-repeat 1] [--only-100k]
"""

from __future__ import annotations

import argparse
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from _targets import TARGETS, verdict
from _timing import interleaved, load, timed
from sklearn.compose import make_column_transformer
from sklearn.datasets import make_classification
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OrdinalEncoder
from sklearn.tree import DecisionTreeClassifier as SkTree

from treelearn import C45Classifier
from treelearn.datasets import load_arff, load_credit_g

WEKA = Path("/usr/share/java/weka.jar")

#: The 100k mixed sets and their targets: (fit CPU / scikit-learn, wall / J48's process).
MIXED_100K = {
    "credit-g x 100": ("c45_mixed", "c45_j48"),
    "synthetic 100k": ("c45_synthetic", "c45_j48_synthetic"),
}


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


def synthetic_mixed(n: int = 100_000, seed: int = 0) -> tuple[pd.DataFrame, pd.Series]:
    """``make_classification(n, 20 features, 10 informative, 3 classes)`` with its first 8
    columns binned at quantiles into 3, 4, 5, 7, 8, 9, 11 and 12 categories (categorical
    columns of a DataFrame), the other 12 numeric: a mixed set without credit-g's repeats."""
    X, y = make_classification(
        n_samples=n, n_features=20, n_informative=10, n_redundant=5, n_classes=3,
        random_state=seed,
    )  # fmt: skip
    frame = pd.DataFrame(X, columns=[f"x{j}" for j in range(X.shape[1])])
    for j, k in enumerate((3, 4, 5, 7, 8, 9, 11, 12)):
        edges = np.quantile(X[:, j], np.linspace(0, 1, k + 1)[1:-1])
        codes = np.searchsorted(edges, X[:, j])
        names = [f"c{i}" for i in range(k)]
        frame[f"x{j}"] = pd.Categorical.from_codes(codes, categories=names)
    return frame, pd.Series(pd.Categorical.from_codes(y, ["a", "b", "c"]), name="class")


def mixed_data(name: str) -> tuple[pd.DataFrame, pd.Series]:
    """The mixed set called ``name`` ("credit-g", "credit-g x N", "synthetic 100k")."""
    if name == "synthetic 100k":
        return synthetic_mixed()
    factor = int(name.split(" x ")[1]) if " x " in name else 1
    return credit_g_times(factor)


def write_arff(X: pd.DataFrame, y: pd.Series, path: Path) -> None:
    lines = ["@relation c45-bench"]
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


def have_j48() -> bool:
    return bool(shutil.which("java")) and WEKA.exists()


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def j48_run(arff: Path) -> dict:
    """One whole ``java ... J48 -t FILE -no-cv`` process: wall, CPU (all its threads),
    Weka's own build time and the tree's leaves and size."""
    cpu, start = _children_cpu(), time.perf_counter()
    out = subprocess.run(
        ["java", "-cp", str(WEKA), "weka.classifiers.trees.J48", "-t", str(arff), "-no-cv"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    wall, cpu = time.perf_counter() - start, _children_cpu() - cpu

    def number(label: str) -> float:
        found = re.search(label + r"\s*:\s*([\d.]+)", out)
        assert found is not None, f"J48 printed no {label!r}"
        return float(found.group(1))

    return {
        "wall": wall,
        "cpu": cpu,
        "build": number("Time taken to build model"),
        "leaves": int(number("Number of Leaves")),
        "size": int(number("Size of the tree")),
    }


def ours_on_arff(arff: Path) -> dict:
    """``load_arff`` + ``C45Classifier().fit`` of the ARFF J48 reads, in this process."""

    def job():
        frame = load_arff(arff)  # the class is the last column
        return C45Classifier().fit(frame.iloc[:, :-1], frame.iloc[:, -1])

    cpu, wall, clf = timed(job)
    return {"cpu": cpu, "wall": wall, "leaves": clf.get_n_leaves(), "size": clf.tree_.node_count}


def measure(
    sets: list[str], repeat: int, j48_repeat: int = 1, numeric: tuple[int, ...] = ()
) -> dict:
    """Median (CPU, wall) fits of C45Classifier and scikit-learn per data set, the
    trees' sizes, and (``j48_repeat > 0``, J48 available) J48's whole process."""
    C45Classifier().fit(*credit_g_times(1))  # imports and first calls
    out: dict = {"repeat": repeat, "load_before": load(), "rows": []}
    for n in numeric:
        X, y = make_classification(
            n_samples=n, n_features=20, n_informative=10, n_redundant=5, n_classes=3,
            random_state=0,
        )  # fmt: skip
        fits = {
            "c45": lambda X=X, y=y: C45Classifier().fit(X, y),
            "sk": lambda X=X, y=y: SkTree(criterion="entropy", random_state=0).fit(X, y),
        }
        t, _ = interleaved(fits, repeat, keep=False)
        out["rows"].append({"name": f"make_classification {n:,} x 20 (numeric)", **t})
        print(out["rows"][-1], file=sys.stderr, flush=True)
    for name in sets:
        X, y = mixed_data(name)
        fits = {
            "c45": lambda X=X, y=y: C45Classifier().fit(X, y),
            "sk": lambda X=X, y=y: sklearn_on_mixed(X).fit(X, y),
        }
        t, last = interleaved(fits, repeat)
        c45, sk = last["c45"], last["sk"][-1]
        row = {"name": name, "n_rows": len(y), **t,
               "c45_size": (int(c45.get_n_leaves()), int(c45.tree_.node_count)),
               "sk_size": (int(sk.get_n_leaves()), int(sk.tree_.node_count))}  # fmt: skip
        del last, c45, sk
        if j48_repeat and have_j48():
            with tempfile.TemporaryDirectory() as tmp:
                arff = Path(tmp) / "data.arff"
                write_arff(X, y, arff)
                runs = []
                for _ in range(j48_repeat):  # interleaved: ours, java, ours, java, ...
                    runs.append((ours_on_arff(arff), j48_run(arff)))
            row["ours_arff"] = {
                k: float(np.median([r[0][k] for r in runs])) for k in ("cpu", "wall")
            }
            row["ours_arff"]["size"] = (runs[-1][0]["leaves"], runs[-1][0]["size"])
            row["j48"] = {k: float(np.median([r[1][k] for r in runs]))
                          for k in ("cpu", "wall", "build")}  # fmt: skip
            row["j48"]["size"] = (runs[-1][1]["leaves"], runs[-1][1]["size"])
        out["rows"].append(row)
        print(row, file=sys.stderr, flush=True)
    out["load_after"] = load()
    return out


def target_values(measured: dict) -> dict[str, float]:
    """Issue 19's C4.5 targets: fit CPU over scikit-learn's, and our load + fit wall over
    J48's whole process, on the 100k mixed sets."""
    values = {}
    for row in measured["rows"]:
        if row["name"] not in MIXED_100K:
            continue
        fit_key, j48_key = MIXED_100K[row["name"]]
        values[fit_key] = row["c45"][0] / row["sk"][0]
        if "j48" in row:
            values[j48_key] = row["ours_arff"]["wall"] / row["j48"]["wall"]
    return values


def _judged(name: str, which: int, values: dict) -> str:
    """The target cell of a table row: the verdict of the set's fit (``which=0``) or
    J48 (``which=1``) target, "–" for a set without one."""
    if name not in MIXED_100K:
        return "–"
    key = MIXED_100K[name][which]
    return f"≤ {TARGETS[key].threshold:g}×: {verdict(key, values.get(key))}"


def report(measured: dict) -> str:
    """The markdown tables: fits against scikit-learn, then against J48."""
    values = target_values(measured)
    lines = [
        "C45Classifier() = grow + collapse + error-based pruning with subtree raising "
        "(J48's default -C 0.25 -M 2); scikit-learn = OrdinalEncoder + unpruned entropy "
        f"tree. Interleaved, {measured['repeat']} rounds after a warm-up, medians; load "
        f"{measured['load_before']} before, {measured['load_after']} after.",
        "",
        "| data | C45Classifier CPU (wall) s | scikit-learn CPU (wall) s | CPU ratio | "
        "leaves / nodes (ours; sklearn) | target |",
        "|---|---|---|---|---|---|",
    ]
    for row in measured["rows"]:
        (c, cw), (s, sw) = row["c45"], row["sk"]
        size = ""
        if "c45_size" in row:
            size = "{} / {}; {} / {}".format(*row["c45_size"], *row["sk_size"])
        judged = _judged(row["name"], 0, values)
        lines.append(
            f"| {row['name']} | {c:.3f} ({cw:.3f}) | {s:.3f} ({sw:.3f}) | {c / s:.2f}× | "
            f"{size} | {judged} |"
        )
    with_j48 = [row for row in measured["rows"] if "j48" in row]
    if with_j48:
        lines += [
            "",
            "Weka 3.6.14 J48 on OpenJDK, `java -cp /usr/share/java/weka.jar "
            "weka.classifiers.trees.J48 -t FILE -no-cv` (JVM start-up, ARFF parsing, "
            "build, training-set evaluation), against treelearn's `load_arff` + fit of "
            "the same ARFF in this process; medians of the runs.",
            "",
            "| data | ours load+fit CPU (wall) s | J48 process CPU (wall) s | J48 build s | "
            "wall ratio | leaves / size (ours; J48) | target |",
            "|---|---|---|---|---|---|---|",
        ]
        for row in with_j48:
            o, j = row["ours_arff"], row["j48"]
            judged = _judged(row["name"], 1, values)
            lines.append(
                f"| {row['name']} | {o['cpu']:.2f} ({o['wall']:.2f}) | {j['cpu']:.2f} "
                f"({j['wall']:.2f}) | {j['build']:.2f} | {o['wall'] / j['wall']:.2f}× | "
                "{} / {}; {} / {} | ".format(*o["size"], *j["size"])
                + f"{judged} |"
            )
    elif not have_j48():
        lines += ["", "J48: not run (no java or no /usr/share/java/weka.jar)."]
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--j48-repeat", type=int, default=1, help="0: no J48")
    parser.add_argument(
        "--only-100k", action="store_true", help="only the two 100k mixed sets (the targets)"
    )
    args = parser.parse_args(argv)
    sets = list(MIXED_100K)
    numeric: tuple[int, ...] = ()
    if not args.only_100k:
        sets = ["credit-g", "credit-g x 20", *sets]
        numeric = (10_000, 100_000)
    measured = measure(sets, args.repeat, args.j48_repeat, numeric)
    print("# C4.5: treelearn vs scikit-learn's entropy tree and Weka's J48\n")
    print(report(measured))
    values = target_values(measured)
    return 1 if any(verdict(k, v) == "FAIL" for k, v in values.items()) else 0


if __name__ == "__main__":
    sys.exit(main())
