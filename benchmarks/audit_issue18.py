"""Reproduce every finding of issue 18 ("Hostile input at scale") as a user would.

Each case is the issue's exact input, run through the public API in a fresh
interpreter under an address-space cap (``RLIMIT_AS``) and a time limit; the table
gives what happens now (the result or the error's type and first words), the CPU and
wall time and the child's peak resident memory. The regression test of each finding is
named beside it (tests/...).

Usage::

    nice python benchmarks/audit_issue18.py                  # every case
    nice python benchmarks/audit_issue18.py --only H1 W1      # some cases
    nice python benchmarks/audit_issue18.py --skip-heavy      # leave out the minutes-long fits
"""

# ruff: noqa: E501  (the cases are the issue's code, kept on one line each)
from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import textwrap
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

PRELUDE = """
import sys, warnings
import numpy as np
import pandas as pd
import treelearn as tl
def report(thunk):
    try:
        out = thunk()
    except BaseException as e:
        first = str(e).strip().splitlines()[0] if str(e).strip() else ""
        print(f"{type(e).__name__}: {first[:160]}")
    else:
        print(out)
"""


# the data of the 20,000-level cases (M2a, M2b, M3): 100k rows, 5 classes
LEVELS_20K = """
        rng = np.random.default_rng(0)
        n = 100_000
        X = pd.DataFrame({"c": pd.Categorical(rng.integers(0, 20000, n).astype(str)),
                          "x": rng.random(n)})
        y = rng.integers(0, 5, n)
"""


@dataclass
class Case:
    key: str
    finding: str
    code: str
    test: str
    seconds: float = 120.0
    memory_gib: float = 4.0
    heavy: bool = False


CASES = [
    Case(
        "H1",
        "fit [[1e308],[1.7e308]] hangs",
        "report(lambda: tl.DecisionTreeClassifier().fit([[1e308], [1.7e308]], [0, 1]))",
        "test_hostile_input.py::test_values_beyond_float32_are_refused_in_time",
        seconds=60,
    ),
    Case(
        "H2",
        "CART 20,000 rows x 5,000 classes > 300 s under 4 GiB",
        """
        rng = np.random.default_rng(0)
        X, y = rng.random((20_000, 5)), rng.integers(0, 5000, 20_000)
        m = tl.CARTClassifier().fit(X, y)
        print(f"fits: {m.tree_.node_count} nodes, train acc {(m.predict(X) == y).mean():.3f}")
        """,
        "test_hostile_input.py::test_many_classes_grow_their_class_counts_without_a_second_copy, "
        "test_many_classes_hold_their_class_counts_twice_at_most, "
        "test_thousands_of_classes_fit_in_bounded_memory",
        seconds=900,
        heavy=True,
    ),
    Case(
        "H2b",
        "same, TREELEARN_MEMORY_BUDGET=2",
        """
        import os
        os.environ["TREELEARN_MEMORY_BUDGET"] = "2"
        rng = np.random.default_rng(0)
        X, y = rng.random((20_000, 5)), rng.integers(0, 5000, 20_000)
        report(lambda: tl.CARTClassifier().fit(X, y).tree_.node_count)
        """,
        "test_hostile_input.py::test_max_depth_brings_many_classes_under_the_budget",
        seconds=900,
        heavy=True,
    ),
    Case(
        "M1",
        "100,000 rows x 100,000 classes: 9.3 GiB boolean array",
        """
        X = np.arange(100_000, dtype=float)[:, None]
        report(lambda: tl.CARTClassifier().fit(X, np.arange(100_000)))
        """,
        "test_hostile_input.py::test_a_hundred_thousand_classes_are_refused_up_front",
        seconds=120,
    ),
    Case(
        "M2a",
        "20,000-level categorical, 100k rows, 5 classes: ID3 14.7 GiB",
        LEVELS_20K
        + """
        m = tl.ID3Classifier().fit(X, y)
        print(f"fits: {m.tree_.node_count} nodes")
        """,
        "test_hostile_input.py::test_a_twenty_thousand_level_categorical_splits_multiway_in_bounded_memory[ID3Classifier]",
        seconds=600,
        heavy=True,
    ),
    Case(
        "M2b",
        "same, C4.5 (multiway)",
        LEVELS_20K
        + """
        m = tl.C45Classifier().fit(X, y)
        print(f"fits: {m.tree_.node_count} nodes")
        """,
        "test_hostile_input.py::test_a_twenty_thousand_level_categorical_splits_multiway_in_bounded_memory[C45Classifier]",
        seconds=600,
        heavy=True,
    ),
    Case(
        "M3",
        "same, CART subset search: 1.27 GiB per level (cat-memory's)",
        LEVELS_20K
        + """
        def fit():
            m = tl.CARTClassifier().fit(X, y)
            return f"fits: {m.tree_.node_count} nodes"
        report(fit)
        """,
        "test_hostile_input.py::test_cart_subset_search_on_thousands_of_levels_stays_within_the_budget, "
        "test_a_categorical_level_tensor_over_the_budget_is_refused",
        seconds=900,
        heavy=True,
    ),
    *[
        Case(
            f"C{i}",
            f"user criterion returning {what}",
            f"""
            class Bad(tl.SplitCriterion):
                def impurity(self, counts):
                    counts = np.asarray(counts, dtype=float)
                    g = 1 - ((counts / np.maximum(counts.sum(-1, keepdims=True), 1)) ** 2).sum(-1)
                    return {expr}
            X = np.array([[0.0, 1], [1, 0], [2, 1], [3, 0]])
            report(lambda: tl.DecisionTreeClassifier(criterion=Bad()).fit(X, [0, 0, 1, 1]))
            """,
            "test_hostile_input.py::test_a_criterion_returning_garbage_is_named",
            seconds=60,
        )
        for i, (what, expr) in enumerate(
            [
                ("NaN", "np.full_like(g, np.nan)"),
                ("negative", "-g - 1"),
                ("infinite", "np.where(counts.sum(-1) > 0, np.inf, 0.0)"),
                ("wrong shape", "g[..., None]"),
            ],
            start=1,
        )
    ],
    Case(
        "S1",
        "complex DataFrame column cast to real",
        """
        X = pd.DataFrame({"z": np.array([1 + 1j, 2, 3, 4])})
        report(lambda: tl.DecisionTreeClassifier().fit(X, [0, 1, 0, 1]))
        """,
        "test_hostile_input.py::test_a_complex_column_is_refused",
        seconds=60,
    ),
    Case(
        "S2",
        "object array of datetimes accepted as categorical",
        """
        import datetime as dt
        X = np.array([[dt.datetime(2020, 1, d)] for d in range(1, 5)], dtype=object)
        report(lambda: tl.DecisionTreeClassifier(categorical_features=[0]).fit(X, [0, 1, 0, 1]))
        report(lambda: tl.DecisionTreeClassifier().fit(pd.DataFrame({"t": X[:, 0]}), [0, 1, 0, 1]))
        """,
        "test_hostile_input.py::test_datetimes_are_refused",
        seconds=60,
    ),
    Case(
        "S2b",
        "numpy datetime64 / timedelta64 X cast to float (found by the fuzzer's invalid arm)",
        """
        X = np.arange(4).astype("datetime64[s]").reshape(-1, 1)
        report(lambda: tl.DecisionTreeClassifier().fit(X, [0, 1, 0, 1]))
        report(lambda: tl.DecisionTreeClassifier().fit(X - X[0], [0, 1, 0, 1]))
        """,
        "test_hostile_input.py::test_a_numpy_array_of_datetimes_is_refused, "
        "test_fuzz.py::test_invalid_input_gets_a_documented_error",
        seconds=60,
    ),
    Case(
        "S3",
        "class_weight naming a class not in y ignored",
        "report(lambda: tl.CARTClassifier(class_weight={0: 1, 7: 2}).fit([[0.0], [1], [2], [3]], [0, 1, 0, 1]))",
        "test_hostile_input.py::test_class_weight_naming_absent_classes_or_negative_is_refused",
        seconds=60,
    ),
    Case(
        "S4",
        "sample_weight 1e300 / 1e307 overflows, tree from garbage",
        """
        warnings.simplefilter("error")
        rng = np.random.default_rng(3)
        X = rng.random((80, 3)); y = (X[:, 0] + 0.3 * rng.random(80) > 0.6).astype(int)
        w = rng.integers(1, 4, 80).astype(float)
        ref = tl.DecisionTreeClassifier().fit(X, y, sample_weight=w)
        out = []
        for s in (1e300, 1e307):
            for make in (tl.DecisionTreeClassifier, tl.ID3Classifier, tl.C45Classifier, tl.CARTClassifier):
                m = make().fit(X, y, sample_weight=w * s)
                tl.load_json(m.to_json())
                assert np.isfinite(m.tree_.impurity).all()
            same = np.array_equal(tl.DecisionTreeClassifier().fit(X, y, sample_weight=w * s).predict_proba(X), ref.predict_proba(X))
            out.append(f"{s:g}: no warning, finite, same tree={same}")
        print("; ".join(out))
        """,
        "test_hostile_input.py::test_extreme_weights_grow_the_unit_weight_tree",
        seconds=120,
    ),
    *[
        Case(
            f"F{i}",
            f"load_json accepts {what}",
            f"""
            import json
            X = pd.DataFrame({{"c": ["a", "b", "a", "b"], "x": [0.0, 1, 2, 3]}})
            doc = json.loads(tl.DecisionTreeClassifier().fit(X, [0, 1, 0, 1]).to_json())
            {edit}
            report(lambda: tl.load_json(json.dumps(doc)))
            """,
            "test_hostile_input.py::test_semantically_inconsistent_documents_are_refused",
            seconds=60,
        )
        for i, (what, edit) in enumerate(
            [
                (
                    "a categorical root marked numeric",
                    'doc["features"][0] = {"categorical": False, "categories": None}',
                ),
                (
                    "class counts whose sums overflow",
                    'doc["tree"]["arrays"]["value"] = [[1e308, 1e308]] * len(doc["tree"]["arrays"]["value"])',
                ),
                (
                    "missing-value shares not summing to 1",
                    'doc["tree"]["arrays"]["missing_fraction"] = [1.0] + [0.9] * (len(doc["tree"]["arrays"]["missing_fraction"]) - 1)',
                ),
                ("duplicated feature names", 'doc["feature_names_in"] = ["c", "c"]'),
            ],
            start=1,
        )
    ],
    Case(
        "F5",
        "load_json imports or executes nothing (module that writes a file on import)",
        """
        import json, os, tempfile
        d = tempfile.mkdtemp()
        open(os.path.join(d, "evil_mod.py"), "w").write("open(%r, 'w').write('x')\\n" % os.path.join(d, "pwned"))
        sys.path.insert(0, d)
        doc = json.loads(tl.DecisionTreeClassifier().fit([[0.0], [1]], [0, 1]).to_json())
        doc["params"]["criterion"] = {"__class__": "evil_mod.Evil", "module": "evil_mod"}
        report(lambda: tl.load_json(json.dumps(doc)))
        print("file written on import:", os.path.exists(os.path.join(d, "pwned")))
        """,
        "test_persistence.py (grep: evil / writes a file on import)",
        seconds=60,
    ),
    Case(
        "W1",
        "5 rows x 1e7 + 5 rows x 1: train accuracy 0.8 (sklearn 1.0)",
        """
        from sklearn.tree import DecisionTreeClassifier as Sk
        X = np.arange(10, dtype=float)[:, None]; y = np.array([0, 1] * 5)
        w = np.array([1e7] * 5 + [1.0] * 5)
        accs = [f"{make.__name__}={(make().fit(X, y, sample_weight=w).predict(X) == y).mean():.1f}"
                for make in (tl.DecisionTreeClassifier, tl.ID3Classifier, tl.C45Classifier, tl.CARTClassifier)]
        print("accuracy " + ", ".join(accs) + f"; sklearn {Sk(random_state=0).fit(X, y, sample_weight=w).score(X, y):.1f}")
        """,
        "test_hostile_input.py::test_light_rows_beside_heavy_ones_are_not_empty, "
        "test_light_rows_beside_heavy_ones_keep_c45_at_one_leaf_as_j48 (J48: one leaf)",
        seconds=60,
    ),
    Case(
        "W2",
        "NaN row under light nodes: probability row of zeros; apply returns garbage id",
        """
        X = np.array([[0.0, 0], [1, 0], [2, 0], [3, 1], [4, 1], [5, 1]])
        y = np.array([0, 0, 1, 1, 0, 1]); w = np.array([1e9, 1e9, 1e9, 1.0, 1.0, 1.0])
        Xq = np.array([[np.nan, 1.0], [4.0, np.nan], [np.nan, np.nan], [3.5, 1]])
        out = []
        for make in (tl.DecisionTreeClassifier, tl.ID3Classifier, tl.C45Classifier, tl.CARTClassifier):
            m = make().fit(X, y, sample_weight=w)
            leaves = m.apply(Xq)
            ok = bool(((leaves >= 0) & (leaves < m.tree_.node_count)).all() and m.tree_.is_leaf[leaves].all())
            out.append(f"{make.__name__}: proba sums {np.round(m.predict_proba(Xq).sum(1), 12).tolist()}, apply real leaves={ok}")
        print("; ".join(out))
        """,
        "test_hostile_input.py::test_a_missing_value_under_light_nodes_reaches_a_leaf, "
        "test_every_internal_node_spreads_a_missing_value_somewhere, test_fuzz.py",
        seconds=60,
    ),
    Case(
        "J1",
        "188 KB document declaring class dtype <U999999: 11.2 GiB",
        """
        import json
        doc = json.loads(tl.DecisionTreeClassifier().fit([[0.0], [1], [2], [3]], [0, 1, 0, 1]).to_json())
        doc["classes"] = {"dtype": "<U999999", "values": [str(i) for i in range(3000)]}
        text = json.dumps(doc)
        print(f"{len(text) / 1e3:.0f} KB:", end=" ")
        report(lambda: tl.load_json(text))
        """,
        "test_hostile_input.py::test_a_huge_declared_label_width_is_refused_before_allocating",
        seconds=60,
        memory_gib=1.0,
    ),
    Case(
        "J2",
        "JSON nested 500-990 levels: RecursionError",
        """
        import json
        doc = json.loads(tl.DecisionTreeClassifier().fit([[0.0], [1]], [0, 1]).to_json())
        for depth in (500, 990, 5000):
            text = json.dumps(doc)[:-1] + ', "x": ' + "[" * depth + "]" * depth + "}"
            print(depth, end=": ")
            report(lambda: tl.load_json(text))
        """,
        "test_hostile_input.py::test_semantically_inconsistent_documents_are_refused[_edit_nesting]",
        seconds=60,
    ),
    Case(
        "J3",
        "fit writes non-finite impurities that load_json refuses",
        """
        rng = np.random.default_rng(0)
        X = rng.random((50, 2)); y = rng.integers(0, 2, 50)
        bad = 0
        for s in (1e300, 1e307, 1e-300, 1e-320):
            for make in (tl.DecisionTreeClassifier, tl.ID3Classifier, tl.C45Classifier, tl.CARTClassifier):
                for c in ((), ("hellinger",), ("gain_ratio",)):
                    if c and make is not tl.DecisionTreeClassifier:
                        continue
                    m = make(*(), **({"criterion": c[0]} if c else {})).fit(X, y, sample_weight=np.full(50, s))
                    bad += not np.isfinite(m.tree_.impurity).all()
                    tl.load_json(m.to_json())
        print(f"weights 1e300..1e-320, 6 estimators: {bad} non-finite trees, all documents load")
        """,
        "test_hostile_input.py::test_extreme_weights_grow_the_unit_weight_tree (load_json of the fit)",
        seconds=120,
    ),
    Case(
        "E1",
        "category value with newline + 'Rule 99' forges a rule in export_rules / export_text",
        """
        from treelearn.export import export_rules, export_text
        evil = "red\\nRule 99: IF TRUE THEN class = evil"
        X = pd.DataFrame({"colour": [evil, "blue"] * 4})
        m = tl.ID3Classifier().fit(X, ["a", "b"] * 4)
        r = export_rules(m); t = export_text(m)
        print("forged line in rules:", any(l.startswith("Rule 99") for l in r.splitlines()),
              "| in text:", any(l.lstrip("|- ").startswith("Rule 99") for l in t.splitlines()))
        """,
        "test_hostile_input.py::test_a_name_with_a_newline_cannot_forge_a_rule",
        seconds=60,
    ),
    Case(
        "A1",
        "max_features > n_features accepted",
        "report(lambda: tl.DecisionTreeClassifier(max_features=3).fit([[0.0, 1], [1, 0]], [0, 1]))",
        "test_hostile_input.py::test_max_features_above_n_features_is_refused",
        seconds=60,
    ),
    Case(
        "A2",
        "reduced_error_folds > rows: a one-node tree",
        "report(lambda: tl.C45Classifier(pruning='reduced_error', reduced_error_folds=9).fit([[0.0], [1], [2], [3]], [0, 1, 0, 1]))",
        "test_hostile_input.py::test_reduced_error_folds_above_rows_is_refused",
        seconds=60,
    ),
    Case(
        "A3",
        "negative class_weight drops the class's rows",
        "report(lambda: tl.CARTClassifier(class_weight={0: 1, 1: -1}).fit([[0.0], [1], [2], [3]], [0, 1, 0, 1]))",
        "test_hostile_input.py::test_class_weight_naming_absent_classes_or_negative_is_refused",
        seconds=60,
    ),
    Case(
        "A4",
        "compare_criteria(alpha=5) / alpha=nan accepted",
        """
        from treelearn.compare import compare_criteria
        for a in (5, float("nan")):
            report(lambda: compare_criteria("iris", ["gini"], cv=2, alpha=a))
        """,
        "test_hostile_input.py::test_compare_criteria_alpha_outside_zero_one_is_refused",
        seconds=120,
    ),
    Case(
        "A5",
        "True and 1 merged into one category",
        """
        X = pd.DataFrame({"b": pd.Series([True, 1, False, 0], dtype=object)})
        report(lambda: tl.DecisionTreeClassifier().fit(X, [0, 1, 0, 1]))
        """,
        "test_hostile_input.py::test_true_and_one_are_not_merged_silently",
        seconds=60,
    ),
    Case(
        "A6",
        "categorical given as integer codes at predict: all unseen, no warning",
        """
        m = tl.DecisionTreeClassifier().fit(pd.DataFrame({"c": ["x", "y", "x", "y"]}), [0, 1, 0, 1])
        with warnings.catch_warnings(record=True) as got:
            warnings.simplefilter("always")
            m.predict(pd.DataFrame({"c": [0, 1]}))
        print("warned:", [str(w.message)[:120] for w in got])
        """,
        "test_hostile_input.py::test_integer_codes_for_a_categorical_column_warn_at_predict",
        seconds=60,
    ),
    Case(
        "A7",
        "ARFF reads inf, 1_000 and full-width digits as numbers",
        """
        import io
        from treelearn.datasets import load_arff
        for v in ("inf", "1_000", "\\uff11\\uff12"):
            doc = f"@relation r\\n@attribute x numeric\\n@data\\n1\\n{v}\\n"
            report(lambda: load_arff(io.StringIO(doc)))
        """,
        "test_hostile_input.py::test_arff_numbers_are_ascii_decimals_only",
        seconds=60,
    ),
    Case(
        "A8",
        "ARFF needs 4-5x the file; a 953 MB line dies with a bare MemoryError",
        """
        import os, resource, tempfile
        from treelearn.datasets import load_arff
        path = os.path.join(tempfile.mkdtemp(), "long.arff")
        with open(path, "w") as f:
            f.write("@relation long\\n@attribute a numeric\\n@attribute b numeric\\n@data\\n1,2\\n")
            piece = "1," * (2**20 // 2)
            for _ in range(953):
                f.write(piece)
            f.write("1\\n")
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        report(lambda: load_arff(path))
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(f"file {os.path.getsize(path) / 2**20:.0f} MiB, peak RSS grew {(peak - before) / 1024:.0f} MiB")
        os.remove(path)
        """,
        "test_hostile_input.py::test_a_long_arff_line_is_refused_with_its_normal_error_in_bounded_memory, "
        "test_a_long_arff_line_read_in_pieces_gets_the_error_of_the_whole_line",
        seconds=300,
        memory_gib=4.0,
        heavy=True,
    ),
    Case(
        "R1",
        "render(m, 'x.exe') with system dot: CalledProcessError",
        """
        import os, tempfile
        from treelearn.export import render, which_renderer
        m = tl.ID3Classifier().fit([[0.0], [1]], [0, 1])
        print(which_renderer(), end=": ")
        report(lambda: render(m, os.path.join(tempfile.mkdtemp(), "x.exe")))
        """,
        "test_export_graphviz.py::test_render_refuses_unknown_formats_before_drawing",
        seconds=60,
    ),
    Case(
        "R2",
        "export_graphviz(precision=10**6) writes 4 MB",
        """
        from treelearn.export import export_graphviz
        m = tl.ID3Classifier().fit([[0.0], [1]], [0, 1])
        report(lambda: len(export_graphviz(m, precision=10**6)))
        """,
        "test_export_graphviz.py::test_absurd_precision_is_refused",
        seconds=60,
    ),
    Case(
        "R3",
        "export_text(precision=-1) fails inside Python's formatter",
        """
        from treelearn.export import export_text, export_rules
        m = tl.CARTClassifier().fit([[0.0], [1]], [0, 1])
        for f in (export_text, export_rules):
            for p in (-1, 10**6):
                report(lambda: len(f(m, precision=p)))
        """,
        "? (grep tests/test_export_text.py)",
        seconds=60,
    ),
    Case(
        "R4",
        "render a 20k-node chain: TimeoutExpired after 300 s; CLI 30-line traceback",
        """
        import os, subprocess, tempfile
        from treelearn.export import render
        n = 10_001
        X = np.arange(n, dtype=float)[:, None]; y = np.arange(n) % 2
        m = tl.CARTClassifier().fit(X, y)
        d = tempfile.mkdtemp()
        print(f"{m.tree_.node_count} nodes:", end=" ")
        report(lambda: render(m, os.path.join(d, "chain.svg")))
        path = os.path.join(d, "m.json"); open(path, "w").write(m.to_json())
        p = subprocess.run([sys.executable, "-m", "treelearn", "show", path, "-o", os.path.join(d, "c.svg")],
                           capture_output=True, text=True, timeout=120)
        print(f"CLI show: exit {p.returncode}, {len(p.stderr.splitlines())} stderr lines: {p.stderr.strip()[-160:]!r}")
        """,
        "test_export_graphviz.py::test_a_tree_too_big_to_lay_out_asks_for_max_depth",
        seconds=600,
        heavy=True,
    ),
]


def run(case: Case) -> tuple[str, float, float, float]:
    """Return (output, CPU s, wall s, peak RSS MiB) of one case in a capped child."""
    limit = int(case.memory_gib * 2**30)

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    env = {**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1"}
    code = PRELUDE + textwrap.dedent(case.code)
    with tempfile.TemporaryFile("w+") as out:
        start = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, "-c", code], stdout=out, stderr=subprocess.STDOUT,
            preexec_fn=cap, env=env, cwd=ROOT, text=True,
        )  # fmt: skip
        deadline = start + case.seconds
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                proc.kill()
                pid, status, usage = os.wait4(proc.pid, 0)
                out.write(f"\nKILLED after {case.seconds:g} s")
                break
            time.sleep(0.2)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read().strip()
    if proc.returncode not in (0, -9):
        text = f"exit {proc.returncode}: " + " / ".join(text.splitlines()[-2:])
    cpu = usage.ru_utime + usage.ru_stime
    return " / ".join(text.splitlines()), cpu, wall, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", default=None)
    parser.add_argument("--skip-heavy", action="store_true")
    args = parser.parse_args()
    chosen = [
        c
        for c in CASES
        if (args.only is None or c.key in args.only) and not (args.skip_heavy and c.heavy)
    ]
    print("| # | finding | now | CPU s | wall s | peak RSS MiB | cap | regression test |")
    print("|---|---|---|---|---|---|---|---|")
    for case in chosen:
        text, cpu, wall, peak = run(case)
        text = text.replace("|", "\\|")
        print(
            f"| {case.key} | {case.finding} | {text} | {cpu:.1f} | {wall:.1f} | {peak:.0f} "
            f"| {case.memory_gib:g} GiB, {case.seconds:g} s | {case.test} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
