"""treelearn at this checkout against treelearn at an older commit, in one process.

For refactors that must not slow anything down: the package at ``--ref`` is extracted
with ``git archive`` into a temporary directory and renamed ``treelearn_ref`` (its
imports rewritten), so both versions load side by side. Fits and predicts are
interleaved (ref, now, ref, now, ...) and medians of CPU time (``process_time``) and
wall time are compared. Ratios are now / ref; PASS when the CPU ratio is at most
``--limit``.

Usage::

    python benchmarks/bench_before_after.py --ref 226c482
    python benchmarks/bench_before_after.py --ref main~3 --rows 100000 --repeat 7
"""

from __future__ import annotations

import argparse
import importlib
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from sklearn.datasets import make_classification

ROOT = Path(__file__).resolve().parents[1]


def extract(ref: str, into: Path) -> None:
    """``treelearn`` at ``ref`` as the package ``treelearn_ref`` under ``into``."""
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", ref, "treelearn", "datasets"],
        check=True,
        capture_output=True,
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    (into / "treelearn").rename(into / "treelearn_ref")
    pattern = re.compile(r"\btreelearn(?=[._ ]|$)", re.M)
    for path in (into / "treelearn_ref").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        path.write_text(pattern.sub("treelearn_ref", text), encoding="utf-8")


def timed(fn):
    cpu, wall = time.process_time(), time.perf_counter()
    fn()
    return time.process_time() - cpu, time.perf_counter() - wall


def cases(rows: list[int]):
    """``(label, make_estimator(module), X, y)`` for every measured case."""
    out = []
    for n in rows:
        X, y = make_classification(
            n_samples=n, n_features=20, n_informative=10, n_redundant=5, n_classes=3,
            random_state=0,
        )  # fmt: skip
        X32 = X.astype(np.float32)
        for crit in ("entropy", "gini"):
            make = lambda m, c=crit: m.DecisionTreeClassifier(criterion=c)  # noqa: E731
            out.append((f"fit {n:,} {crit}", make, X32, y))
        Xn = X.copy()
        Xn[np.random.default_rng(0).random(Xn.shape) < 0.02] = np.nan
        out.append((f"fit {n:,} gini 2% NaN", lambda m: m.CARTClassifier(), Xn, y))
        if n <= 100_000:
            out.append((f"fit {n:,} C4.5", lambda m: m.C45Classifier(), X, y))
    return out


def bundled(module):
    """The 13 bundled sets as frames (the main job's shape)."""
    return [module.datasets.load_dataset(n, return_X_y=True) for n in module.list_datasets()]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ref", required=True, help="git commit to compare against")
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--limit", type=float, default=1.05)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        extract(args.ref, Path(tmp))
        sys.path.insert(0, tmp)
        ref = importlib.import_module("treelearn_ref")
        import treelearn as now

        rows = []
        for label, make, X, y in cases(args.rows):
            times = {"ref": [], "now": []}
            fitted = {}
            for _ in range(args.repeat):
                for name, mod in (("ref", ref), ("now", now)):
                    est = make(mod)
                    times[name].append(timed(lambda e=est, X=X, y=y: e.fit(X, y)))
                    fitted[name] = est
            rows.append((label, times))
            p_times = {"ref": [], "now": []}
            for _ in range(args.repeat):
                for name in ("ref", "now"):
                    p_times[name].append(timed(lambda e=fitted[name], X=X: e.predict(X)))
            rows.append((label.replace("fit", "predict"), p_times))
        data = {"ref": bundled(ref), "now": bundled(now)}
        times = {"ref": [], "now": []}
        for _ in range(args.repeat):
            for name, mod in (("ref", ref), ("now", now)):

                def job(mod=mod, sets=data[name]):
                    for X, y in sets:
                        for cls in (mod.ID3Classifier, mod.C45Classifier, mod.CARTClassifier):
                            cls().fit(X, y).predict(X)

                times[name].append(timed(job))
        rows.append(("13 bundled sets x ID3/C4.5/CART fit+predict", times))
    print(f"ref = {args.ref}; medians of {args.repeat} interleaved runs; ratio = now / ref")
    print(f"{'case':48s} {'ref cpu':>8s} {'now cpu':>8s} {'cpu':>6s} {'wall':>6s}")
    failed = 0
    for label, t in rows:
        rc = statistics.median(c for c, _ in t["ref"])
        nc = statistics.median(c for c, _ in t["now"])
        rw = statistics.median(w for _, w in t["ref"])
        nw = statistics.median(w for _, w in t["now"])
        ok = nc <= args.limit * rc
        failed += not ok
        print(f"{label:48s} {rc:8.3f} {nc:8.3f} {nc / rc:5.2f}x {nw / rw:5.2f}x "
              f"{'PASS' if ok else 'FAIL'}")  # fmt: skip
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
