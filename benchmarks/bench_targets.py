"""Issue 19's scoreboard: every target, its measured value, its ratio and PASS/FAIL, one table.

Each section runs the measuring function of the benchmark that owns the target (imported,
in this process; memory is always measured in subprocesses) and the thresholds come from
``_targets.py``, the one table of them. A target whose section did not run is printed as
"not run", never left out.

Sections and what they run by default (small, about 10 minutes on 2 free cores) and with
``--full`` (the issue's sizes, about an hour on a busy machine):

=========  ====================================================  ==========================
section    default                                               ``--full``
=========  ====================================================  ==========================
docs       the README's stated memory budget                     same
small      bench_small_data: 13 bundled sets, 10-fold, repeat 1  repeat 3
trees      bench_trees: 100k rows (+ YDF, memory, user crit.)    100k repeat 3, 1M repeat 1
n_jobs     not run                                               bench_n_jobs at 1M, repeat 1
compare    compare_criteria(n_jobs=1 vs 2) on the bundled sets   same
wide       not run                                               bench_wide 1000 × 50,000
deep       bench_deep's 10,000-level chain, repeat 1             repeat 3
exports    bench_deep_exports: 10,000-level chain, repeat 1      repeat 3
classes    bench_many_classes: 100 and 1,000 classes, repeat 1   100, 1,000, 5,000, repeat 3
c45        bench_c45's 100k mixed sets (credit-g × 100, synthetic  same, repeat 3
           100k), vs sklearn and J48's whole process (with java)
10m        only with ``--10m`` (≥ 8 GiB available): bench_10m    same
=========  ====================================================  ==========================

``--only`` / ``--skip`` choose sections; ``--save FILE`` writes every section's
measurements (merged into FILE if it exists) and ``--load FILE...`` prints the sections of
earlier runs that this one did not run, each row naming the run it comes from.

Usage::

    python benchmarks/bench_targets.py                       # the quick scoreboard
    nice python benchmarks/bench_targets.py --full --save /tmp/targets.json
    python benchmarks/bench_targets.py --only wide --full --save /tmp/targets.json
    python benchmarks/bench_targets.py --only none --load /tmp/targets.json   # print only
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import re
import sys
from collections.abc import Callable
from pathlib import Path

from _targets import TARGETS, verdict
from _timing import interleaved, load

SECTIONS = ("docs", "trees", "wide", "small", "c45", "deep", "exports", "classes", "compare",
            "n_jobs", "10m")  # fmt: skip
README = Path(__file__).resolve().parents[1] / "README.md"


def _cpu(t) -> str:
    return f"{t[0]:.3g} s CPU ({t[1]:.3g} wall)"


# --- one function per section: (measured, {key: value}, {key: what was measured}) -----


def run_docs(full: bool):
    """The README's stated memory budget (the documented cap), read from its text."""
    found = re.search(r"memory budget\*\*, (\d+(?:\.\d+)?) GiB by default", README.read_text())
    if found is None:
        return {}, {}, {}
    detail = {"memory_cap": "README: TREELEARN_MEMORY_BUDGET, the search's and tree's arrays"}
    return {}, {"memory_cap": float(found.group(1))}, detail


def run_small(full: bool):
    import bench_small_data

    m = bench_small_data.measure(["cart", "id3", "c4.5"], 3 if full else 1)
    sk = m["med"]["sklearn"]
    detail = {f"small_{p}": f"{_cpu(t)} vs pipeline {_cpu(sk)}, {m['fits']} fits"
              for p, t in m["med"].items() if p != "sklearn"}  # fmt: skip
    return m, bench_small_data.target_values(m), detail


def run_trees(full: bool):
    import bench_trees

    rows = [100_000, 1_000_000] if full else [100_000]
    with_ydf = bench_trees.have_ydf()
    m = bench_trees.measure(rows, ["entropy", "gini"], 3, memory=True, with_ydf=with_ydf)
    detail = {}
    for r in m["results"]:
        size, c = bench_trees.SIZE_KEYS[r["rows"]], r["criterion"]
        detail[f"fit_{size}_{c}"] = f"{_cpu(r['fit_treelearn'])} vs {_cpu(r['fit_sklearn'])}"
        detail[f"predict_{size}_{c}"] = (
            f"{_cpu(r['predict_treelearn'])} vs {_cpu(r['predict_sklearn'])}"
        )
        if "fit_ydf" in r:
            detail[f"ydf_{size}_{c}"] = (
                f"YDF {_cpu(r['fit_ydf'])}, {r['leaves_ydf']} leaves; ours "
                f"{r['leaves_treelearn']} leaves (sklearn {r['leaves_sklearn']})"
            )
    for mem in m["memory"]:
        if mem["rows"] == 1_000_000:
            detail[f"memory_1M_{mem['criterion']}"] = f"sklearn {mem['sklearn_x']:.2f}× X"
    for u in m["user"]:
        detail[f"user_{u['builtin']}"] = f"{_cpu(u['fit_user'])} vs {_cpu(u['fit_builtin'])}"
    return m, bench_trees.target_values(m), detail


def run_n_jobs(full: bool):
    import bench_n_jobs

    m = bench_n_jobs.measure(1_000_000, ["gini", "entropy"], 1)
    detail = {f"n_jobs_1M_{c}": f"{r['wall2']:.2f} s vs {r['wall1']:.2f} s wall, "
              f"CPU {r['cpu2']:.2f} / {r['cpu1']:.2f}, same tree {r['same']}"
              for c, r in m["criteria"].items()}  # fmt: skip
    return m, bench_n_jobs.target_values(m), detail


def run_compare(full: bool):
    from treelearn import compare_criteria

    compare_criteria(["iris"], progress=False)  # imports, first calls
    t, _ = interleaved(
        {j: (lambda j=j: compare_criteria(n_jobs=j, progress=False)) for j in (1, 2)},
        1,
        keep=False,
    )
    m = {"n_jobs": t, "load": load()}
    value = t[2][1] / t[1][1]
    return (
        m,
        {"compare_n_jobs": value},
        {"compare_n_jobs": f"{t[2][1]:.1f} s vs {t[1][1]:.1f} s wall"},
    )


def run_wide(full: bool):
    import bench_wide

    m = bench_wide.measure(1000, 50_000, 1)
    f = m["fits"]
    detail = {
        "wide": f"{f['treelearn gini']['cpu']:.1f} s CPU ({f['treelearn gini']['wall']:.1f} "
        f"wall) vs {f['sklearn gini']['cpu']:.1f} s ({f['sklearn gini']['wall']:.1f}); "
        f"extra {f['treelearn gini']['extra_x']:.2f}× X",
        "wide_c45": f"{f['treelearn C4.5']['cpu']:.1f} s CPU vs "
        f"{f['sklearn entropy']['cpu']:.1f} s",
    }
    return m, bench_wide.target_values(m), detail


def run_deep(full: bool):
    import bench_deep

    res = bench_deep.measure("chain", 10_000, 3 if full else 1, ("treelearn", "sklearn"))
    tl, sk = res["treelearn"], res["sklearn"]
    values = {"deep_chain": tl["cpu"] / sk["cpu"], "deep_memory": tl["extra_mib"]}
    detail = {
        "deep_chain": f"{tl['cpu']:.2f} s CPU ({tl['wall']:.2f} wall) vs {sk['cpu']:.2f} s "
        f"({sk['wall']:.2f}), depth {tl['depth']} / {sk['depth']}",
        "deep_memory": f"sklearn {sk['extra_mib']:.1f} MiB",
    }
    return {"chain": res, "load": load()}, values, detail


def run_exports(full: bool):
    import bench_deep_exports

    m = bench_deep_exports.measure(10_000, 3 if full else 1)
    values = bench_deep_exports.target_values(m)
    worst = max(
        (k for k in m["exports"] if k not in bench_deep_exports.NOT_JUDGED),
        key=lambda k: m["exports"][k][2],
    )
    return m, values, {"deep_exports": f"worst: {worst}, {m['exports'][worst][1]:.2f} s CPU"}


def run_classes(full: bool):
    import bench_many_classes

    classes = [100, 1000, 5000] if full else [100, 1000]
    m = bench_many_classes.measure(20_000, classes, 3 if full else 1)
    detail = {f"classes_{K}": f"{_cpu(t['treelearn'])} vs {_cpu(t['sklearn'])}"
              for K, t in m["classes"].items()}  # fmt: skip
    return m, bench_many_classes.target_values(m), detail


def run_c45(full: bool):
    import bench_c45

    m = bench_c45.measure(list(bench_c45.MIXED_100K), 3 if full else 1, j48_repeat=1)
    detail = {}
    for row in m["rows"]:
        fit_key, j48_key = bench_c45.MIXED_100K[row["name"]]
        detail[fit_key] = f"{_cpu(row['c45'])} vs {_cpu(row['sk'])}, {row['n_rows']:,} rows"
        if "j48" in row:
            o, j = row["ours_arff"], row["j48"]
            detail[j48_key] = (
                f"load_arff + fit {o['wall']:.2f} s wall vs java {j['wall']:.2f} s (J48 build "
                f"{j['build']:.2f} s); size {o['size'][1]} vs J48 {j['size'][1]}"
            )
    return m, bench_c45.target_values(m), detail


def run_10m(full: bool):
    import bench_10m

    if bench_10m.available_gib() < 8:
        raise RuntimeError("less than 8 GiB available")
    m = bench_10m.measure(10_000_000, [1, 2], with_sklearn=False)
    detail = {f"10M_n_jobs{j}": f"{r['cpu']:.1f} s CPU, {r['leaves']} leaves"
              for j in (1, 2) if (r := m["fits"].get(f"treelearn n_jobs={j}"))}  # fmt: skip
    return m, bench_10m.target_values(m), detail


RUNNERS: dict[str, Callable] = {
    "docs": run_docs,
    "small": run_small,
    "trees": run_trees,
    "n_jobs": run_n_jobs,
    "compare": run_compare,
    "wide": run_wide,
    "deep": run_deep,
    "exports": run_exports,
    "classes": run_classes,
    "c45": run_c45,
    "10m": run_10m,
}
FULL_ONLY = {"n_jobs", "wide"}


def scoreboard(sections: dict[str, dict]) -> str:
    """One markdown table: every target of ``_targets.TARGETS``, in its order."""
    lines = [
        "| target | threshold | measured | value | verdict | from |",
        "|---|---|---|---|---|---|",
    ]
    counts = {"PASS": 0, "FAIL": 0, "info": 0, "not run": 0}
    for key, t in TARGETS.items():
        value, detail, source = None, "", ""
        for name, s in sections.items():
            if key in s["values"]:
                value, detail = s["values"][key], s["detail"].get(key, "")
                source = (
                    f"{name} ({s['when']}, {'full' if s['full'] else 'quick'}, load {s['load']})"
                )
        v = verdict(key, value)
        counts[v] += 1
        op = {"<=": "≤", ">=": "≥"}[t.op]
        threshold = "—" if t.threshold is None else f"{op} {t.threshold:g}{t.unit}"
        shown = "—" if value is None else f"{value:.2f}{t.unit}"
        if value is None:
            detail = f"{t.script}: not run"
        lines.append(f"| {t.label} | {threshold} | {detail} | {shown} | {v} | {source} |")
    summary = ", ".join(f"{n} {k}" for k, n in counts.items())
    return "\n".join(lines) + f"\n\n{len(TARGETS)} targets: {summary}."


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="the issue's sizes (slow)")
    parser.add_argument("--only", nargs="+", help="run only these sections ('none': print only)")
    parser.add_argument("--skip", nargs="+", default=[], choices=SECTIONS)
    parser.add_argument("--10m", dest="ten_m", action="store_true", help="run the 10M section")
    parser.add_argument("--save", help="merge this run's sections into this JSON file")
    parser.add_argument(
        "--load", nargs="+", default=[], help="show sections of earlier --save files not run now"
    )
    args = parser.parse_args(argv)
    if args.only:
        chosen = [s for s in args.only if s in SECTIONS]
    else:
        chosen = [s for s in SECTIONS if (args.full or s not in FULL_ONLY) and s != "10m"]
        if args.ten_m:
            chosen.append("10m")
    chosen = [s for s in chosen if s not in args.skip]
    earlier: dict[str, dict] = {}
    for path in [*args.load, *([args.save] if args.save else [])]:
        if os.path.exists(path):
            with open(path) as f:
                earlier.update(json.load(f)["sections"])
    now: dict[str, dict] = {}
    print(f"{os.cpu_count()} cores, load average {load()}", file=sys.stderr)
    for name in chosen:
        when = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
        print(f"--- {name} ({when})", file=sys.stderr, flush=True)
        try:
            measured, values, detail = RUNNERS[name](args.full)
        except Exception as exc:  # a section that cannot run is reported, not fatal
            print(f"{name}: not run: {exc!r}", file=sys.stderr)
            continue
        now[name] = {"when": when, "full": args.full, "load": load(), "values": values,
                     "detail": detail, "measured": measured}  # fmt: skip
        print(json.dumps({name: values}), file=sys.stderr, flush=True)
    if args.save:
        merged = {**earlier, **now}
        with open(args.save, "w") as f:
            json.dump({"sections": merged}, f, indent=1, default=str)
    shown = {**(earlier if args.load else {}), **now}
    print(scoreboard(shown))
    return (
        1
        if any(verdict(k, v) == "FAIL" for s in now.values() for k, v in s["values"].items())
        else 0
    )


if __name__ == "__main__":
    sys.exit(main())
