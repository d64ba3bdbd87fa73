"""numpy vs numba for the exact builder's hot kernels: per level, per fit, and the costs.

Issue 19 asks for a compiled kernel to be argued with numbers. This benchmark runs the
numba kernels of ``compiled_kernel.py`` (benchmark-only; ``numba`` is in the ``bench``
extra) against the numpy code on the builder's own levels:

1. **Levels**: one fit per criterion records every numeric search call
   (``_LevelWiseBuilder._search_numeric``) and every ``"rows"`` partition of the store
   (at 1M rows only every ``--every``-th level, to bound memory). Each recorded call is
   replayed with numpy, numba "fused" (built-in criterion ranked in the kernel) and numba
   "hybrid" (the criterion's numpy ``split_rank`` ranks the kernel's candidates); results
   are compared field by field (winners, gains, scores, thresholds, cuts; the partitioned
   entries and values), and timed interleaved (CPU medians of ``--repeat`` rounds).
2. **Fits**: whole fits with the kernels patched in (numpy, numba fused, numba hybrid),
   scikit-learn and YDF, interleaved, CPU medians; the trees must be identical to the
   numpy builder's; the ratios are printed against issue 19's targets.
3. ``--costs``: wheel and installed sizes of numba + llvmlite, ``import numba`` time and
   first-call compile time in fresh processes (no cache, cold cache, warm cache).

Usage::

    PYTHONPATH=. nice python benchmarks/bench_compiled_kernel.py --rows 100000 --repeat 5
    PYTHONPATH=. nice python benchmarks/bench_compiled_kernel.py --rows 1000000 --repeat 3
    PYTHONPATH=. python benchmarks/bench_compiled_kernel.py --costs
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

import compiled_kernel as ck
import numpy as np
from _targets import verdict
from _timing import interleaved, load
from bench_trees import SIZE_KEYS, have_ydf, make_data, ydf_fit
from sklearn.tree import DecisionTreeClassifier as SkTree

from treelearn import DecisionTreeClassifier, _builder, _partition
from treelearn._partition import SortedStore
from treelearn._threads import Workers

SEARCHES = ("numpy", "fused", "table", "hybrid")
TREE_FIELDS = (
    "feature",
    "threshold",
    "impurity",
    "value",
    "n_node_samples",
    "children_left",
    "children_right",
)
SPLIT_FIELDS = ("nodes", "feature", "gain", "score", "threshold", "cut")


def same_tree(a, b) -> bool:
    """Whether two fitted estimators hold the same tree, array for array."""
    return all(
        np.array_equal(
            np.asarray(getattr(a.tree_, f)), np.asarray(getattr(b.tree_, f)), equal_nan=True
        )
        for f in TREE_FIELDS
    )


def _snapshot(store: SortedStore) -> SortedStore:
    """The store as it is now (the partition replaces arrays, it never writes into them)."""
    return SortedStore(
        list(store.entries),
        list(store.values),
        store.entry_labels,
        None if store.weights is None else list(store.weights),
        store.n_rows,
        store.by_row,
    )


def capture(n_rows: int, criterion: str, every: int):
    """Every search call and partition of one fit (levels ``depth % every == 0``)."""
    X, y = make_data(n_rows)
    searches: list[tuple] = []  # (depth, builder, criterion, args)
    parts: list[tuple] = []  # (depth, kind, snapshot, args)
    orig_search, orig_rows, orig_one = ck._ORIGINAL_SEARCH, ck._ORIGINAL_ROWS, ck._ORIGINAL_ONE_NODE

    def rec_search(self, block, layout, window, n_level, frac, store):
        if self.depth % every == 0:
            searches.append(
                (
                    self.depth,
                    self,
                    self.criterion,
                    (block, layout, window, n_level, frac, _snapshot(store)),
                )
            )
        return orig_search(self, block, layout, window, n_level, frac, store)

    depth = {"now": 0}

    def rec_rows(store, move, workers):
        if depth["now"] % every == 0:
            parts.append((depth["now"], "rows", _snapshot(store), (move,)))
        return orig_rows(store, move, workers)

    def rec_one(store, row_right, a, b, ordered=None, workers=None):
        if depth["now"] % every == 0:
            parts.append((depth["now"], "one", _snapshot(store), (row_right.copy(), a, b, ordered)))
        return orig_one(store, row_right, a, b, ordered, workers)

    def track(self, block, layout, window, n_level, frac, store):
        depth["now"] = self.depth
        return rec_search(self, block, layout, window, n_level, frac, store)

    saved = (
        _builder._LevelWiseBuilder._search_numeric,
        _partition._partition_rows,
        _partition._partition_one_node,
    )
    try:
        _builder._LevelWiseBuilder._search_numeric = track
        _partition._partition_rows = rec_rows
        _partition._partition_one_node = rec_one
        DecisionTreeClassifier(criterion=criterion).fit(X, y)
    finally:
        (
            _builder._LevelWiseBuilder._search_numeric,
            _partition._partition_rows,
            _partition._partition_one_node,
        ) = saved
    return searches, parts


def _run_search(kind: str, rec: tuple):
    _depth, builder, crit, args = rec
    builder.criterion = crit
    if kind == "numpy":
        return ck._ORIGINAL_SEARCH(builder, *args)
    ck._MODE = {"hybrid": ck.MODE_HYBRID, "table": ck.MODE_TABLE}.get(kind)
    try:
        return ck._search_numeric(builder, *args)
    finally:
        ck._MODE = None


def _run_partition(kind: str, rec: tuple) -> SortedStore:
    _depth, what, snap, args = rec
    store = _snapshot(snap)
    if what == "rows":
        (move,) = args
        store.row_right = np.zeros(store.n_rows, dtype=np.int8)
        fn = ck._ORIGINAL_ROWS if kind == "numpy" else ck.partition_rows
        saved = _partition._partition_one_node  # rows -> one node, each its own
        _partition._partition_one_node = (
            ck._ORIGINAL_ONE_NODE if kind == "numpy" else ck.partition_one_node
        )
        try:
            fn(store, move, Workers(1))
        finally:
            _partition._partition_one_node = saved
    else:
        row_right, a, b, ordered = args
        fn = ck._ORIGINAL_ONE_NODE if kind == "numpy" else ck.partition_one_node
        fn(store, row_right, a, b, ordered, Workers(1))
    return store


def _same_split(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return all(np.array_equal(getattr(a, f), getattr(b, f), equal_nan=True) for f in SPLIT_FIELDS)


def _same_store(a: SortedStore, b: SortedStore) -> bool:
    return all(
        np.array_equal(x, z)
        for x, z in zip(a.entries + a.values, b.entries + b.values, strict=True)
    )


def levels(n_rows: int, criterion: str, repeat: int, every: int) -> dict:
    """Replay one fit's recorded calls: identical results, and interleaved CPU medians
    per level and kind."""
    searches, parts = capture(n_rows, criterion, every)
    kinds = SEARCHES
    mismatch = {k: 0 for k in kinds[1:]}
    for rec in searches:
        ref = _run_search("numpy", rec)
        for k in kinds[1:]:
            mismatch[k] += not _same_split(ref, _run_search(k, rec))
    part_mismatch = sum(
        not _same_store(_run_partition("numpy", rec), _run_partition("numba", rec)) for rec in parts
    )
    depths = sorted({r[0] for r in searches} | {r[0] for r in parts})
    times: dict[tuple[str, int], list[float]] = {}
    for _ in range(repeat):  # interleaved: every kind of every level, round after round
        for d in depths:
            for k in kinds:
                t = time.process_time()
                for rec in searches:
                    if rec[0] == d:
                        _run_search(k, rec)
                times.setdefault((f"search_{k}", d), []).append(time.process_time() - t)
            for k in ("numpy", "numba"):
                t = time.process_time()
                for rec in parts:
                    if rec[0] == d:
                        _run_partition(k, rec)
                times.setdefault((f"partition_{k}", d), []).append(time.process_time() - t)
    med = {key: statistics.median(v) for key, v in times.items()}
    names = [f"search_{k}" for k in kinds] + ["partition_numpy", "partition_numba"]
    per_level = [{"depth": d, **{n: med[(n, d)] for n in names}} for d in depths]
    total = {n: sum(row[n] for row in per_level) for n in names}
    return {
        "rows": n_rows,
        "criterion": criterion,
        "every": every,
        "calls": len(searches),
        "partitions": len(parts),
        "mismatch": mismatch,
        "partition_mismatch": part_mismatch,
        "per_level": per_level,
        "total": total,
    }


def fits(
    n_rows: int, criteria: list[str], repeat: int, with_ydf: bool, kinds=SEARCHES
) -> list[dict]:
    """Whole fits, interleaved: the numpy builder, the numba searches ``kinds[1:]``
    (each with the numba partition), scikit-learn (and YDF); every numba tree compared
    with the numpy builder's."""
    X, y = make_data(n_rows)
    warm = slice(0, min(n_rows, 5000))

    def patched_fit(crit, search):
        def fit():
            with ck.patched(search, True):
                return DecisionTreeClassifier(criterion=crit).fit(X, y)

        return fit

    fns = {}
    for crit in criteria:
        for search in kinds[1:]:
            patched_fit(crit, search)()  # compiles (or loads the cache) before timing
        DecisionTreeClassifier(criterion=crit).fit(X[warm], y[warm])
        SkTree(criterion=crit).fit(X[warm], y[warm])
        fns[f"numpy_{crit}"] = lambda c=crit: DecisionTreeClassifier(criterion=c).fit(X, y)
        for search in kinds[1:]:
            fns[f"{search}_{crit}"] = patched_fit(crit, search)
        fns[f"sk_{crit}"] = lambda c=crit: SkTree(criterion=c, random_state=0).fit(X, y)
    if with_ydf:
        ydf_fit(X[warm], y[warm])
        fns["ydf"] = lambda: ydf_fit(X, y)
    t, models = interleaved(fns, repeat)
    out = []
    for crit in criteria:
        row = {
            "rows": n_rows,
            "criterion": crit,
            "repeat": repeat,
            **{k: t[f"{k}_{crit}"] for k in (*kinds, "sk")},
            "kinds": kinds,
        }
        for k in kinds[1:]:
            row[f"same_{k}"] = same_tree(models[f"numpy_{crit}"], models[f"{k}_{crit}"])
        if with_ydf:
            row["ydf"] = t["ydf"]
        out.append(row)
    return out


def print_levels(res: dict, top: int) -> None:
    tot = res["total"]
    print(
        f"\n### Levels: {res['rows']:,} rows, {res['criterion']} "
        f"({res['calls']} search calls, {res['partitions']} partitions recorded, "
        f"levels with depth % {res['every']} == 0)"
    )
    same = ", ".join(
        f"{k} {res['calls'] - res['mismatch'][k]}/{res['calls']}" for k in SEARCHES[1:]
    )
    print(
        f"identical results: search {same}; partition "
        f"{res['partitions'] - res['partition_mismatch']}/{res['partitions']}"
    )
    print(
        "\nCPU medians per level (ms): search numpy | numba "
        + " | ".join(SEARCHES[1:])
        + " | partition numpy | numba"
    )
    print(
        "\n| depth | "
        + " | ".join(f"search {k}" for k in SEARCHES)
        + " | partition numpy | partition numba |"
    )
    print("|---" * (len(SEARCHES) + 3) + "|")
    names = [f"search_{k}" for k in SEARCHES] + ["partition_numpy", "partition_numba"]
    rows = sorted(res["per_level"], key=lambda r: -r["search_numpy"])[:top]
    for r in sorted(rows, key=lambda r: r["depth"]):
        print(f"| {r['depth']} | " + " | ".join(f"{r[n] * 1e3:.1f}" for n in names) + " |")
    cells = []
    for n in names:
        base = tot["search_numpy" if n.startswith("search") else "partition_numpy"]
        cells.append(f"{tot[n]:.3f} s ({tot[n] / base:.2f}×)")
    print("| all recorded | " + " | ".join(cells) + " |")


def print_fits(rows: list[dict]) -> None:
    print("\n### Whole fits (CPU medians, s; wall in parentheses; ratios of CPU)\n")
    print(
        "| rows | criterion | builder | fit | same tree | / sklearn (target) | YDF / it (≥ 1.3) |"
    )
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        key = SIZE_KEYS.get(r["rows"])
        crit = r["criterion"]
        ydf = r.get("ydf")

        def judged(name: str, x: float, key=key, crit=crit) -> str:
            return f"{x:.2f}× {verdict(f'{name}_{key}_{crit}', x)}" if key else f"{x:.2f}×"

        for k in r["kinds"]:
            fit = r[k]
            same = "—" if k == "numpy" else str(r[f"same_{k}"])
            label = "numpy" if k == "numpy" else f"numba {k}"
            y = judged("ydf", ydf[0] / fit[0]) if ydf else "—"
            print(
                f"| {r['rows']:,} | {crit} | {label} | {fit[0]:.3f} ({fit[1]:.3f}) | {same} |"
                f" {judged('fit', fit[0] / r['sk'][0])} | {y} |"
            )
        print(
            f"| {r['rows']:,} | {crit} | scikit-learn | {r['sk'][0]:.3f} ({r['sk'][1]:.3f}) |"
            " | 1 | |"
        )
        if ydf:
            print(
                f"| {r['rows']:,} | {crit} | YDF exact CART | {ydf[0]:.3f} ({ydf[1]:.3f}) |"
                f" | {ydf[0] / r['sk'][0]:.2f}× | |"
            )


# -- costs -----------------------------------------------------------------------------
_FIRST_CALL = """
import time, sys
t = time.perf_counter(); c = time.process_time()
import numba
t_imp, c_imp = time.perf_counter() - t, time.process_time() - c
sys.path.insert(0, {bench!r})
import numpy as np
import sklearn, treelearn, bench_trees
t = time.perf_counter(); c = time.process_time()
import compiled_kernel as ck
t_mod = time.perf_counter() - t
from bench_trees import make_data
from treelearn import DecisionTreeClassifier
X, y = make_data(2000)
t = time.perf_counter(); c = time.process_time()
with ck.patched("fused", True):
    DecisionTreeClassifier(criterion="gini").fit(X, y)
print(t_imp, c_imp, t_mod, time.perf_counter() - t, time.process_time() - c)
"""

_BASELINE = """
import time, sys
sys.path.insert(0, {bench!r})
from bench_trees import make_data
from treelearn import DecisionTreeClassifier
X, y = make_data(2000)
t = time.perf_counter(); c = time.process_time()
DecisionTreeClassifier(criterion="gini").fit(X, y)
print(time.perf_counter() - t, time.process_time() - c)
"""


def _python(code: str, env: dict) -> list[float]:
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    return [float(x) for x in out.stdout.split()]


def costs(repeat: int) -> None:
    import importlib.metadata as md

    bench = os.path.dirname(os.path.abspath(__file__))
    print("\n### Costs\n")
    for dist in ("numba", "llvmlite"):
        files = md.distribution(dist).files or []
        size = sum(f.locate().stat().st_size for f in files if f.locate().exists())
        print(
            f"- {dist} {md.version(dist)}: installed {size / 2**20:.1f} MiB in {len(files)} files"
        )
    env = dict(os.environ)
    rows = {
        "baseline (numpy builder)": [],
        "no cache (KERNEL_NUMBA_CACHE=0)": [],
        "cold cache": [],
        "warm cache": [],
    }
    for _ in range(repeat):
        rows["baseline (numpy builder)"].append(
            [0, 0, 0, *_python(_BASELINE.format(bench=bench), env)]
        )
        rows["no cache (KERNEL_NUMBA_CACHE=0)"].append(
            _python(_FIRST_CALL.format(bench=bench), {**env, "KERNEL_NUMBA_CACHE": "0"})
        )
        with tempfile.TemporaryDirectory() as cache:
            e = {**env, "NUMBA_CACHE_DIR": cache}
            rows["cold cache"].append(_python(_FIRST_CALL.format(bench=bench), e))
            rows["warm cache"].append(_python(_FIRST_CALL.format(bench=bench), e))
    print(
        "\nFresh processes, medians of",
        repeat,
        "(first fit: 2,000 rows, gini, fused kernels; "
        "its wall time includes compiling or loading every kernel it calls)\n",
    )
    print(
        "| case | import numba wall (CPU) | then import compiled_kernel wall |"
        " first fit wall (CPU) |"
    )
    print("|---|---|---|---|")
    for name, rs in rows.items():
        m = [statistics.median(r[i] for r in rs) for i in range(5)]
        print(f"| {name} | {m[0]:.3f} ({m[1]:.3f}) s | {m[2]:.3f} s | {m[3]:.3f} ({m[4]:.3f}) s |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, nargs="+", default=[100_000])
    ap.add_argument("--criteria", nargs="+", default=["entropy", "gini"])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument(
        "--every",
        type=int,
        default=None,
        help="record levels with depth %% EVERY == 0 (default 1; 3 from 1M rows)",
    )
    ap.add_argument("--top", type=int, default=8, help="levels shown (the costliest)")
    ap.add_argument("--no-levels", action="store_true")
    ap.add_argument("--no-fits", action="store_true")
    ap.add_argument("--no-ydf", action="store_true")
    ap.add_argument(
        "--fit-kinds",
        nargs="+",
        default=list(SEARCHES[1:]),
        choices=SEARCHES[1:],
        help="numba searches timed in whole fits (beside numpy)",
    )
    ap.add_argument("--costs", action="store_true", help="sizes, import and compile times only")
    args = ap.parse_args()
    print(f"numba {ck.numba.__version__}, numpy {np.__version__}, load {load()}")
    if args.costs:
        costs(args.repeat)
        return
    for n in args.rows:
        every = args.every or (3 if n >= 1_000_000 else 1)
        if not args.no_levels:
            for crit in args.criteria:
                print_levels(levels(n, crit, args.repeat, every), args.top)
                print(f"(load {load()})")
        if not args.no_fits:
            kinds = ("numpy", *args.fit_kinds)
            with_ydf = have_ydf() and not args.no_ydf
            print_fits(fits(n, args.criteria, args.repeat, with_ydf, kinds))
            print(f"(load {load()})")


if __name__ == "__main__":
    main()
