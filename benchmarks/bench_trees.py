"""treelearn vs scikit-learn and YDF: fit and predict time, and extra memory during fit.

All three fit the same float32 data (``make_classification``, 20 features, 10
informative, 3 classes; the dtype scikit-learn itself works in), fully grown, interleaved
in one process (treelearn entropy, scikit-learn entropy, treelearn gini, scikit-learn
gini, YDF, then again), and the medians of CPU time (``process_time``) and wall time are
compared. YDF (``pip install ydf``, the ``bench`` extra) is Google's C++ decision-forest
library: ``CartLearner(validation_ratio=0.0, max_depth=-1, min_examples=1, num_threads=1)``
grows one unpruned tree with exact numerical splits (sorting in each node) and scores
splits by information gain, its only classification score; its fit time includes reading
the column dict into its dataset, as a user's call does. Memory is the peak resident set
during one fit in a fresh subprocess (``_peak``: ``VmHWM`` reset just before the fit)
minus the resident set then, as a multiple of the bytes of X as passed (float32); with
the compiled kernels, numba is loaded by a small fit first (its ~100 MiB are paid once
a process, not per fit).

Targets (``_targets.py``, issue 19): fit CPU ≤ 0.3× scikit-learn at 100k rows and ≤ 0.25×
at 1M, YDF's fit CPU ≥ 1.3× ours at both, predict ≤ 0.8× scikit-learn, extra memory ≤ 2× X
at 1M, a user criterion within 1.15× its built-in twin.

The compiled kernels (``treelearn[fast]``, numba): treelearn runs as installed, so with
numba present its fits at 100k and 1M rows use them (``TREELEARN_ACCELERATOR=auto``);
they are compiled (or loaded from numba's cache) before the timed rounds. ``--numpy-too``
also times the numpy builder (``TREELEARN_ACCELERATOR=off``) in the same rounds, and
the user criteria against it as well.

Usage::

    python benchmarks/bench_trees.py                 # 10k, 100k, 1M rows (slow)
    python benchmarks/bench_trees.py --rows 10000 100000 --repeat 3
    python benchmarks/bench_trees.py --no-ydf --no-memory --rows 100000
    python benchmarks/bench_trees.py --rows 100000 --numpy-too
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys

import _peak
import numpy as np
import sklearn
from _targets import TARGETS, verdict
from _timing import interleaved, load
from sklearn.datasets import make_classification
from sklearn.tree import DecisionTreeClassifier as SkTree

import treelearn
from treelearn import DecisionTreeClassifier, SplitCriterion, _accelerator


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


#: Rows at which issue 19 sets a target, and the name its keys use for them.
SIZE_KEYS = {100_000: "100k", 1_000_000: "1M", 10_000_000: "10M"}


def make_data(n_rows: int, seed: int = 0, dtype=np.float32):
    X, y = make_classification(
        n_samples=n_rows,
        n_features=20,
        n_informative=10,
        n_redundant=5,
        n_classes=3,
        random_state=seed,
    )
    return X.astype(dtype), y


def have_ydf() -> bool:
    try:
        import ydf  # noqa: F401
    except ImportError:
        return False
    return True


def ydf_columns(X: np.ndarray, y: np.ndarray | None = None) -> dict:
    """X (and y) as the column dict YDF reads."""
    data = {f"f{j}": X[:, j] for j in range(X.shape[1])}
    if y is not None:
        data["y"] = y
    return data


def ydf_fit(X: np.ndarray, y: np.ndarray):
    """One fully grown YDF CART tree with exact numerical splits, on one thread."""
    import ydf

    ydf.verbose(0)
    learner = ydf.CartLearner(
        label="y",
        task=ydf.Task.CLASSIFICATION,
        validation_ratio=0.0,
        max_depth=-1,
        min_examples=1,
        num_threads=1,
    )
    return learner.train(ydf_columns(X, y))


def ydf_leaves(model) -> int:
    """Leaves of a YDF model's only tree (walked without recursion)."""
    stack, leaves = [model.get_tree(0).root], 0
    while stack:
        node = stack.pop()
        if node.is_leaf:
            leaves += 1
        else:
            stack += [node.neg_child, node.pos_child]
    return leaves


def in_mode(mode: str, fit):
    """``fit()`` with ``TREELEARN_ACCELERATOR=mode`` (then the setting as it was)."""
    before = os.environ.get(_accelerator.ENV)
    os.environ[_accelerator.ENV] = mode
    try:
        return fit()
    finally:
        if before is None:
            del os.environ[_accelerator.ENV]
        else:
            os.environ[_accelerator.ENV] = before


def accelerator_note() -> str:
    """Which builder treelearn's timed fits ran on."""
    mode = _accelerator.mode()
    if mode != "off" and _accelerator.numba_installed():
        import numba

        return (
            f"treelearn's fits: the compiled kernels (numba {numba.__version__}, "
            f"TREELEARN_ACCELERATOR={mode}: from {_accelerator.MIN_ROWS:,} rows under auto)"
        )
    return f"treelearn's fits: numpy only (TREELEARN_ACCELERATOR={mode}, numba installed: " + (
        f"{_accelerator.numba_installed()})"
    )


def warm_up(X: np.ndarray, y: np.ndarray, criteria: list[str]) -> None:
    """First calls pay for imports and caches (and the kernels' compilation)."""
    warm = slice(0, min(X.shape[0], 5000))
    for crit in criteria:
        DecisionTreeClassifier(criterion=crit).fit(X[warm], y[warm])
        if _accelerator.mode() != "off" and _accelerator.numba_installed():
            in_mode("on", lambda c=crit: DecisionTreeClassifier(criterion=c).fit(X[warm], y[warm]))
        SkTree(criterion=crit).fit(X[warm], y[warm])


def compare(
    n_rows: int, criteria: list[str], repeat: int, with_ydf: bool, numpy_too: bool = False
) -> list[dict]:
    """Interleaved fit/predict medians (CPU, wall) of treelearn, scikit-learn and YDF
    (``numpy_too``: and of treelearn's numpy builder)."""
    X, y = make_data(n_rows)
    warm = slice(0, min(n_rows, 5000))
    warm_up(X, y, criteria)
    fits = {}
    for crit in criteria:
        fits[f"tl_{crit}"] = lambda c=crit: DecisionTreeClassifier(criterion=c).fit(X, y)
        if numpy_too:
            fits[f"np_{crit}"] = lambda c=crit: in_mode(
                "off", lambda: DecisionTreeClassifier(criterion=c).fit(X, y)
            )
        fits[f"sk_{crit}"] = lambda c=crit: SkTree(criterion=c, random_state=0).fit(X, y)
    if with_ydf:
        ydf_fit(X[warm], y[warm])
        fits["ydf"] = lambda: ydf_fit(X, y)
    fit_t, models = interleaved(fits, repeat)
    predicts = {
        name: (lambda m=m: m.predict(X))
        for name, m in models.items()
        if name != "ydf" and not name.startswith("np_")
    }
    if with_ydf:
        columns = ydf_columns(X)
        predicts["ydf"] = lambda: models["ydf"].predict(columns)
    pred_t, _ = interleaved(predicts, repeat)
    rows = []
    for crit in criteria:
        tl, sk = models[f"tl_{crit}"], models[f"sk_{crit}"]
        row = {
            "rows": n_rows,
            "criterion": crit,
            "repeat": repeat,
            "fit_treelearn": fit_t[f"tl_{crit}"],
            "fit_sklearn": fit_t[f"sk_{crit}"],
            "predict_treelearn": pred_t[f"tl_{crit}"],
            "predict_sklearn": pred_t[f"sk_{crit}"],
            "leaves_treelearn": int(tl.get_n_leaves()),
            "leaves_sklearn": int(sk.get_n_leaves()),
            "depth_treelearn": int(tl.get_depth()),
            "depth_sklearn": int(sk.get_depth()),
        }
        if numpy_too:
            row["fit_numpy"] = fit_t[f"np_{crit}"]
            row["same_tree_numpy"] = bool(
                np.array_equal(tl.tree_.feature, models[f"np_{crit}"].tree_.feature)
                and np.array_equal(tl.tree_.threshold, models[f"np_{crit}"].tree_.threshold)
                and np.array_equal(tl.tree_.value, models[f"np_{crit}"].tree_.value)
            )
        if with_ydf:
            row["fit_ydf"] = fit_t["ydf"]
            row["predict_ydf"] = pred_t["ydf"]
            row["leaves_ydf"] = ydf_leaves(models["ydf"])
        rows.append(row)
    return rows


def compare_user(n_rows: int, repeat: int, numpy_too: bool = False) -> list[dict]:
    """A user-defined criterion against the built-in of the same formula (as installed,
    and with ``numpy_too`` against the numpy builder's built-in too)."""
    X, y = make_data(n_rows)
    rows = []
    for builtin, user in (("gini", UserGini()), ("entropy", UserEntropy())):
        fits = {
            "builtin": lambda b=builtin: DecisionTreeClassifier(criterion=b).fit(X, y),
            "user": lambda u=user: DecisionTreeClassifier(criterion=u).fit(X, y),
        }
        if numpy_too:
            fits["builtin_numpy"] = lambda b=builtin: in_mode(
                "off", lambda: DecisionTreeClassifier(criterion=b).fit(X, y)
            )
        t, models = interleaved(fits, repeat)
        a, b = models["builtin"], models["user"]
        same = a.get_n_leaves() == b.get_n_leaves() and a.get_depth() == b.get_depth()
        rows.append(
            {
                "rows": n_rows,
                "builtin": builtin,
                "user": user.name,
                "fit_builtin": t["builtin"],
                "fit_user": t["user"],
                "same_tree_shape": bool(same),
                **({"fit_builtin_numpy": t["builtin_numpy"]} if numpy_too else {}),
            }
        )
    return rows


_MEMORY_CHILD = r"""
import json, sys
import numpy as np
sys.path.insert(0, {bench_dir!r})
from bench_trees import make_data
lib, crit, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
X, y = make_data(n)  # float32: the dtype scikit-learn works in; memory is in its bytes
if lib == "treelearn":
    import os
    from treelearn import DecisionTreeClassifier as T, _accelerator
    est = T(criterion=crit)
    if _accelerator.wanted(n):  # numba's own memory (loaded once a process) not counted
        mode = os.environ.get(_accelerator.ENV, "auto")
        os.environ[_accelerator.ENV] = "on"
        T(criterion=crit).fit(X[:2000], y[:2000])
        os.environ[_accelerator.ENV] = mode
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
    code = _peak.IMPORT + _MEMORY_CHILD.format(bench_dir=os.path.dirname(os.path.abspath(__file__)))
    out = subprocess.run(
        [sys.executable, "-c", code, lib, criterion, str(n_rows)],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout)


def measure(
    rows: list[int],
    criteria: list[str],
    repeat: int,
    memory: bool,
    with_ydf: bool,
    numpy_too: bool = False,
) -> dict:
    """Everything this script measures: ``{"results", "memory", "user", "load",
    "accelerator"}``."""
    results, memory_rows, user_rows = [], [], []
    for n in rows:
        rep = repeat if n < 1_000_000 else max(1, repeat - 2)
        results.extend(compare(n, criteria, rep, with_ydf, numpy_too))
        print(json.dumps(results[-len(criteria) :]), file=sys.stderr, flush=True)
        if memory:
            for crit in criteria:
                mine = extra_memory("treelearn", crit, n)
                theirs = extra_memory("sklearn", crit, n)
                memory_rows.append(
                    {
                        "rows": n,
                        "criterion": crit,
                        "treelearn_x": mine["extra_bytes"] / mine["x_bytes"],
                        "sklearn_x": theirs["extra_bytes"] / theirs["x_bytes"],
                    }
                )
                print(json.dumps(memory_rows[-1]), file=sys.stderr, flush=True)
        if n == 100_000:
            user_rows.extend(compare_user(n, repeat, numpy_too))
            print(json.dumps(user_rows[-2:]), file=sys.stderr, flush=True)
    return {
        "results": results,
        "memory": memory_rows,
        "user": user_rows,
        "load": load(),
        "accelerator": accelerator_note(),
    }


def target_values(measured: dict) -> dict[str, float]:
    """The issue-19 target keys this script's measurements fill, with their values (CPU)."""
    out: dict[str, float] = {}
    for r in measured["results"]:
        size = SIZE_KEYS.get(r["rows"])
        if size is None:
            continue
        c = r["criterion"]
        out[f"fit_{size}_{c}"] = r["fit_treelearn"][0] / r["fit_sklearn"][0]
        out[f"predict_{size}_{c}"] = r["predict_treelearn"][0] / r["predict_sklearn"][0]
        if "fit_ydf" in r:
            out[f"ydf_{size}_{c}"] = r["fit_ydf"][0] / r["fit_treelearn"][0]
    for m in measured["memory"]:
        if m["rows"] == 1_000_000:
            out[f"memory_1M_{m['criterion']}"] = m["treelearn_x"]
    for u in measured["user"]:
        out[f"user_{u['builtin']}"] = u["fit_user"][0] / u["fit_builtin"][0]
    return {k: v for k, v in out.items() if k in TARGETS}


def _judged(key: str, value: float) -> str:
    return verdict(key, value) if key in TARGETS else "—"


def report(measured: dict) -> str:
    """The measurements as markdown tables, each target ratio with PASS/FAIL."""
    cell = "{0[0]:.3f} ({0[1]:.3f})".format
    out = [
        "# treelearn vs scikit-learn and YDF: decision tree fit and predict\n",
        f"treelearn {treelearn.__version__}, scikit-learn {sklearn.__version__}, "
        f"numpy {np.__version__}, Python {platform.python_version()}, {platform.machine()}, "
        f"{os.cpu_count()} cores, load average {measured['load']}; data: make_classification, "
        "20 numeric features (10 informative), 3 classes, X float32; fully grown trees; "
        "medians of interleaved runs; times are CPU s (wall s); ratios are of CPU time.\n",
        measured.get("accelerator", "") + "\n",
        "| rows | criterion | fit treelearn | fit sklearn | ratio (target) | fit YDF | "
        "YDF / ours (≥ 1.3) | predict treelearn | predict sklearn | ratio (≤ 0.8) | "
        "predict YDF | leaves tl / sk / YDF | depth tl / sk |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in measured["results"]:
        size = SIZE_KEYS.get(r["rows"], "")
        c = r["criterion"]
        fit = r["fit_treelearn"][0] / r["fit_sklearn"][0]
        pred = r["predict_treelearn"][0] / r["predict_sklearn"][0]
        has_ydf = "fit_ydf" in r
        lead = r["fit_ydf"][0] / r["fit_treelearn"][0] if has_ydf else None
        out.append(
            f"| {r['rows']:,} | {c} | {cell(r['fit_treelearn'])} | {cell(r['fit_sklearn'])} | "
            f"{fit:.2f}× {_judged(f'fit_{size}_{c}', fit)} | "
            f"{cell(r['fit_ydf']) if has_ydf else '–'} | "
            f"{f'{lead:.2f}× ' + _judged(f'ydf_{size}_{c}', lead) if lead else '–'} | "
            f"{cell(r['predict_treelearn'])} | {cell(r['predict_sklearn'])} | "
            f"{pred:.2f}× {_judged(f'predict_{size}_{c}', pred)} | "
            f"{cell(r['predict_ydf']) if has_ydf else '–'} | "
            f"{r['leaves_treelearn']} / {r['leaves_sklearn']} / {r.get('leaves_ydf', '–')} | "
            f"{r['depth_treelearn']} / {r['depth_sklearn']} |"
        )
    numpy_rows = [r for r in measured["results"] if "fit_numpy" in r]
    if numpy_rows:
        out.append(
            "\nThe numpy builder (`TREELEARN_ACCELERATOR=off`) in the same rounds:\n\n"
            "| rows | criterion | fit numpy | ratio to sklearn | fit as installed / numpy "
            "| same tree |\n|---|---|---|---|---|---|"
        )
        for r in numpy_rows:
            out.append(
                f"| {r['rows']:,} | {r['criterion']} | {cell(r['fit_numpy'])} | "
                f"{r['fit_numpy'][0] / r['fit_sklearn'][0]:.2f}× | "
                f"{r['fit_treelearn'][0] / r['fit_numpy'][0]:.2f}× | {r['same_tree_numpy']} |"
            )
    if measured["memory"]:
        out.append(
            "\nExtra memory during fit (peak RSS during the fit, in a fresh process, minus "
            "RSS before it), as a multiple of the bytes of X as passed (float32); "
            f"target: at most {TARGETS['memory_1M_gini'].threshold:g}× X at 1M rows:\n"
        )
        out.append("| rows | criterion | treelearn | scikit-learn | target |")
        out.append("|---|---|---|---|---|")
        for m in measured["memory"]:
            key = f"memory_{SIZE_KEYS.get(m['rows'], '')}_{m['criterion']}"
            out.append(
                f"| {m['rows']:,} | {m['criterion']} | {m['treelearn_x']:.2f}× X | "
                f"{m['sklearn_x']:.2f}× X | {_judged(key, m['treelearn_x'])} |"
            )
    if measured["user"]:
        out.append(
            "\nA user-defined criterion (a 10-line `SplitCriterion` subclass, `concave = True`) "
            "against the built-in of the same formula (target ≤ 1.15×):\n"
        )
        out.append(
            "| rows | built-in | user-defined | fit built-in | fit user | ratio | same tree |"
        )
        out.append("|---|---|---|---|---|---|---|")
        for u in measured["user"]:
            ratio = u["fit_user"][0] / u["fit_builtin"][0]
            out.append(
                f"| {u['rows']:,} | {u['builtin']} | {u['user']} | {cell(u['fit_builtin'])} | "
                f"{cell(u['fit_user'])} | {ratio:.2f}× {_judged('user_' + u['builtin'], ratio)} "
                f"| {u['same_tree_shape']} |"
            )
        for u in measured["user"]:
            if "fit_builtin_numpy" in u:
                out.append(
                    f"\n{u['user']} against the numpy builder's {u['builtin']}: "
                    f"{u['fit_user'][0] / u['fit_builtin_numpy'][0]:.2f}× "
                    f"({cell(u['fit_user'])} vs {cell(u['fit_builtin_numpy'])})"
                )
    return "\n".join(out)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--criteria", nargs="+", default=["entropy", "gini"])
    parser.add_argument("--no-memory", action="store_true")
    parser.add_argument("--no-ydf", action="store_true", help="skip YDF (also when absent)")
    parser.add_argument("--json", help="also write the measurements to this file")
    parser.add_argument("--markdown", action="store_true", help="(the output is markdown)")
    parser.add_argument(
        "--numpy-too", action="store_true", help="also time the numpy builder (accelerator off)"
    )
    args = parser.parse_args(argv)
    with_ydf = not args.no_ydf and have_ydf()
    if not args.no_ydf and not with_ydf:
        print("ydf is not installed (pip install ydf): YDF not run", file=sys.stderr)
    measured = measure(
        args.rows, args.criteria, args.repeat, not args.no_memory, with_ydf, args.numpy_too
    )
    if args.json:
        with open(args.json, "w") as f:
            json.dump(measured, f, indent=1)
    print(report(measured))
    failed = [k for k, v in target_values(measured).items() if verdict(k, v) == "FAIL"]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
