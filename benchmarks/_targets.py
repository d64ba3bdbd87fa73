"""Issue 19's speed and memory targets as data: the one home of every threshold.

Each benchmark that judges a target reads its threshold from :data:`TARGETS` (by key)
and calls :func:`verdict`; ``bench_targets.py`` prints all of them in one table, with
"not run" for any target whose benchmark was skipped.

A target is met when ``measured <op> threshold`` holds, ``op`` being ``"<="`` (a ratio
or a multiple that must stay small) or ``">="`` (a lead that must stay large). Targets
with ``threshold=None`` are reported, not judged (the issue asks for the figure only).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["TARGETS", "Target", "verdict"]


@dataclass(frozen=True)
class Target:
    """One line of issue 19's target list."""

    key: str
    label: str  # what is measured, as the table prints it
    op: str  # "<=" or ">=": how the measured value must compare with the threshold
    threshold: float | None  # None: reported, not judged
    unit: str  # "×" (a ratio), "× X" (a multiple of the bytes of X), " s", " MiB", " GiB"
    script: str  # the benchmark that measures it


def _t(key, label, op, threshold, unit, script) -> Target:
    return Target(key, label, op, threshold, unit, script)


_TREES = "bench_trees.py"
_ALL: list[Target] = [
    # Small data: the main job's shape
    *(
        _t(f"small_{p}", f"small data: {name} 10-fold CV CPU / sklearn pipeline", "<=", 1.0,
           "×", "bench_small_data.py")
        for p, name in (("cart", "CART"), ("id3", "ID3"), ("c4.5", "C4.5"))
    ),
    # Large data, exact: fit vs scikit-learn, lead over YDF, predict
    *(
        _t(f"fit_{n}_{c}", f"fit {n} {c}: CPU / sklearn", "<=", lim, "×", _TREES)
        for n, lim in (("100k", 0.3), ("1M", 0.25))
        for c in ("entropy", "gini")
    ),
    *(
        _t(f"ydf_{n}_{c}", f"fit {n} {c}: YDF CART CPU / ours", ">=", 1.3, "×", _TREES)
        for n in ("100k", "1M")
        for c in ("entropy", "gini")
    ),
    *(
        _t(f"predict_{n}_{c}", f"predict {n} {c}: CPU / sklearn", "<=", 0.8, "×", _TREES)
        for n in ("100k", "1M")
        for c in ("entropy", "gini")
    ),
    # Memory
    *(
        _t(f"memory_1M_{c}", f"extra fit memory 1M {c} (float32 X)", "<=", 2.0, "× X", _TREES)
        for c in ("entropy", "gini")
    ),
    _t("memory_cap", "documented cap on a fit's working memory (GiB, default)", "<=", None,
       " GiB", "README (TREELEARN_MEMORY_BUDGET)"),
    # Both cores
    *(
        _t(f"n_jobs_1M_{c}", f"n_jobs=2 / n_jobs=1 wall at 1M {c} (same tree)", "<=", 0.6,
           "×", "bench_n_jobs.py")
        for c in ("gini", "entropy")
    ),
    _t("compare_n_jobs", "compare_criteria(n_jobs=2) wall / n_jobs=1", "<=", None, "×",
       "bench_targets.py"),
    # Wide and deep shapes
    _t("wide", "wide 1000 × 50,000 fit: CPU / sklearn", "<=", 1.0, "×", "bench_wide.py"),
    _t("wide_c45", "wide 1000 × 50,000 C4.5 fit: CPU / sklearn entropy", "<=", None, "×",
       "bench_wide.py"),
    _t("deep_chain", "10,000-level chain fit: CPU / sklearn", "<=", 1.0, "×", "bench_deep.py"),
    _t("deep_memory", "10,000-level chain: extra fit memory (MiB)", "<=", None, " MiB",
       "bench_deep.py"),
    _t("deep_exports", "chain exports: worst per-node time, long / short chain", "<=", 2.0,
       "×", "bench_deep_exports.py"),
    # Many classes
    *(
        _t(f"classes_{k}", f"{k:,} classes, 20k × 5: CART CPU / sklearn", "<=", 2.0, "×",
           "bench_many_classes.py")
        for k in (100, 1000, 5000)
    ),
    # 10M rows
    _t("10M_memory", "10M × 20 float32 CART: extra fit memory", "<=", 2.0, "× X", "bench_10m.py"),
    _t("10M_n_jobs1", "10M × 20 float32 CART fit, n_jobs=1 (wall s)", "<=", None, " s",
       "bench_10m.py"),
    _t("10M_n_jobs2", "10M × 20 float32 CART fit, n_jobs=2 (wall s)", "<=", None, " s",
       "bench_10m.py"),
    _t("10M_sklearn", "10M × 20 float32 sklearn gini fit (wall s)", "<=", None, " s",
       "bench_10m.py --sklearn-10m"),
    # C4.5 at 100k mixed rows
    _t("c45_mixed", "C4.5 fit, credit-g × 100 mixed: CPU / sklearn entropy", "<=", 0.5, "×",
       "bench_c45.py"),
    _t("c45_synthetic", "C4.5 fit, synthetic 100k mixed (8 cat + 12 num): CPU / sklearn "
       "entropy", "<=", 0.5, "×", "bench_c45.py"),
    _t("c45_j48", "C4.5 load_arff + fit, credit-g × 100: wall / J48's whole java process",
       "<=", 1.0, "×", "bench_c45.py"),
    _t("c45_j48_synthetic", "C4.5 load_arff + fit, synthetic 100k: wall / J48's whole java "
       "process", "<=", 1.0, "×", "bench_c45.py"),
    # A user criterion
    *(
        _t(f"user_{c}", f"user criterion ({c}, concave) / built-in twin, 100k", "<=", 1.15,
           "×", _TREES)
        for c in ("gini", "entropy")
    ),
]  # fmt: skip

#: Every target of issue 19, by key, in the order the scoreboard prints them.
TARGETS: dict[str, Target] = {t.key: t for t in _ALL}


def verdict(key: str, measured: float | None) -> str:
    """``"PASS"``, ``"FAIL"``, ``"info"`` (no threshold) or ``"not run"`` (nothing measured)."""
    target = TARGETS[key]
    if measured is None:
        return "not run"
    if target.threshold is None:
        return "info"
    if target.op == "<=":
        return "PASS" if measured <= target.threshold else "FAIL"
    return "PASS" if measured >= target.threshold else "FAIL"
