"""What a compiled predict kernel would buy, and cost (issue 17 part 4, issue 19 predict).

A benchmark-only measurement for a design decision: treelearn stays pure numpy and does
not depend on numba; numba is imported here only, from wherever ``--numba-site`` points
(``pip install --target DIR numba``) or the environment. The kernel below walks each
row from the root to its leaf in compiled code, on the descent tables treelearn's
numpy prediction uses (``Tree.descent_tables``: numeric splits, a missing value goes to
``missing_next`` or stops the row, float32 ``X`` compared with ``float32_floor`` of the
thresholds), and checks that it reaches the same leaf as the numpy descent.

Measured, at each ``--rows`` (fully grown ``DecisionTreeClassifier`` on
``make_classification(rows, 20 features, 10 informative, 3 classes)``, float32 ``X``,
``--nan`` of the values missing in training and predicted rows; ``rows`` rows predicted):

* predict time, interleaved ``--repeat`` times, medians of CPU (``time.process_time``)
  and wall time: treelearn's ``predict`` (numpy), the kernel's descent plus the class
  lookup, and ``sklearn.tree.DecisionTreeClassifier.predict``;
* what a user pays, each in fresh subprocesses: ``import numba``, the kernel's first
  call without a cache (compile), with an on-disk cache (``cache=True``, second process);
* the installed size of numba and llvmlite.

Usage::

    python benchmarks/bench_predict_kernel.py [--rows 100000,1000000] [--repeat 5]
        [--nan 0.0] [--numba-site DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

_KERNEL = '''
import numba
import numpy as np


@numba.njit(cache=CACHE, nogil=True)
def descend_kernel(X, feature, threshold, base, is_leaf, missing_next, out):
    """Leaf of every row (-1 where a missing value stops it), one row at a time."""
    for i in range(X.shape[0]):
        node = 0
        while not is_leaf[node]:
            x = X[i, feature[node]]
            if x != x:  # NaN
                nxt = missing_next[node]
                if nxt == node:
                    node = -1
                    break
                node = nxt
            else:
                node = base[node] + (1 if x > threshold[node] else 0)
        out[i] = node
    return out
'''


def _kernel(cache: bool):
    """The compiled kernel (defined from source so that a child process can cache it)."""
    import importlib.util

    folder = Path(tempfile.gettempdir()) / "treelearn_bench_kernel"
    folder.mkdir(exist_ok=True)
    path = folder / f"kernel_{'cached' if cache else 'plain'}.py"
    src = _KERNEL.replace("CACHE", str(cache))
    if not path.exists() or path.read_text() != src:
        path.write_text(src)
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules[path.stem] = mod  # numba's cache finds the function by its module
    spec.loader.exec_module(mod)
    return mod.descend_kernel


def _tables_args(t, X):
    return (
        X,
        t.feature,
        t.thresholds_for(X.ravel()[:1]),
        t.base,
        t.n_children == 0,
        t.missing_next,
        np.empty(X.shape[0], dtype=np.intp),
    )


def _child(mode: str) -> None:
    """One measurement in a fresh process, printed as JSON."""
    t0 = time.perf_counter()
    import numba  # noqa: F401

    out = {"import_s": time.perf_counter() - t0}
    if mode != "import":
        kernel = _kernel(cache=mode == "cached")
        X = np.zeros((4, 2), dtype=np.float32)
        args = (
            X,
            np.zeros(3, np.intp),
            np.zeros(3, np.float32),
            np.array([1, 1, 2], np.intp),
            np.array([False, True, True]),
            np.arange(3, dtype=np.intp),
            np.empty(4, np.intp),
        )
        t0 = time.perf_counter()
        kernel(*args)
        out["first_call_s"] = time.perf_counter() - t0
    print(json.dumps(out))


def _in_child(mode: str, env: dict) -> dict:
    cmd = [sys.executable, __file__, "--child", mode]
    res = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True)
    return json.loads(res.stdout.strip().splitlines()[-1])


def _size(paths: list[Path]) -> int:
    return sum(f.stat().st_size for p in paths for f in p.rglob("*") if f.is_file())


def _timed(fn):
    w0, c0 = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - w0, time.process_time() - c0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", default="100000,1000000")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--nan", type=float, default=0.0)
    parser.add_argument("--numba-site", default=None)
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.numba_site:
        sys.path.insert(0, args.numba_site)
        os.environ["PYTHONPATH"] = os.pathsep.join(
            [args.numba_site, *filter(None, [os.environ.get("PYTHONPATH")])]
        )
    if args.child:
        _child(args.child)
        return 0
    import numba
    from sklearn.datasets import make_classification
    from sklearn.tree import DecisionTreeClassifier as SkTree

    from treelearn import DecisionTreeClassifier
    from treelearn._routing import descend

    # what a user pays once: import, compile, cache (fresh processes)
    env = dict(os.environ)
    imports = [_in_child("import", env)["import_s"] for _ in range(3)]
    plain = [_in_child("plain", env)["first_call_s"] for _ in range(2)]
    with tempfile.TemporaryDirectory() as cache_dir:
        env["NUMBA_CACHE_DIR"] = cache_dir
        first_cached = _in_child("cached", env)["first_call_s"]  # compiles, writes the cache
        loaded = [_in_child("cached", env)["first_call_s"] for _ in range(2)]
    sites = [Path(numba.__file__).parent]
    import llvmlite

    sites.append(Path(llvmlite.__file__).parent)
    size = _size(sites)
    print(f"numba {numba.__version__}, llvmlite {llvmlite.__version__}")
    print(f"install size: {size / 2**20:.0f} MiB ({', '.join(str(p) for p in sites)})")
    print(f"import numba: {1e3 * float(np.median(imports)):.0f} ms (median of 3 fresh processes)")
    print(f"first call, no cache (compile): {float(np.median(plain)):.2f} s")
    print(
        f"first call, cache=True: {first_cached:.2f} s writing the cache, "
        f"{1e3 * float(np.median(loaded)):.0f} ms loading it"
    )
    print()
    kernel = _kernel(cache=False)
    print("| rows | nodes | treelearn numpy CPU (ms) | kernel CPU (ms) | scikit-learn CPU (ms) | "
          "numpy / sk | kernel / sk | numpy wall | kernel wall | sk wall |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|---|---|")
    for rows in (int(r) for r in args.rows.split(",")):
        X, y = make_classification(
            n_samples=2 * rows, n_features=20, n_informative=10, n_classes=3, random_state=0
        )
        X = X.astype(np.float32)
        if args.nan:
            rng = np.random.default_rng(0)
            X[rng.random(X.shape) < args.nan] = np.nan
        X_train, y_train, X_test = X[:rows], y[:rows], X[rows:]
        ours = DecisionTreeClassifier(missing_values="learned").fit(X_train, y_train)
        sk = SkTree(criterion="entropy", random_state=0).fit(X_train, y_train)
        tree = ours.tree_
        t = tree.descent_tables
        labels = ours.classes_[tree.leaf_class]
        kargs = _tables_args(t, X_test)
        kernel(*kargs)  # compiled before timing
        leaf = kernel(*kargs)
        assert np.array_equal(leaf, descend(t, X_test)[0]), "kernel and numpy descent differ"

        def by_kernel(kargs=kargs, labels=labels):
            return labels[kernel(*kargs)]

        if (leaf >= 0).all():  # no row stopped by a missing value: same predictions
            assert np.array_equal(by_kernel(), ours.predict(X_test))
        runs = {"numpy": lambda e=ours, X=X_test: e.predict(X), "kernel": by_kernel,
                "sk": lambda e=sk, X=X_test: e.predict(X)}  # fmt: skip
        wall = {k: [] for k in runs}
        cpu = {k: [] for k in runs}
        for _ in range(args.repeat):
            for k, fn in runs.items():
                w, c = _timed(fn)
                wall[k].append(w)
                cpu[k].append(c)
        mc = {k: float(np.median(v)) for k, v in cpu.items()}
        mw = {k: float(np.median(v)) for k, v in wall.items()}
        print(
            f"| {rows:,} | {tree.node_count} | {1e3 * mc['numpy']:.1f} | {1e3 * mc['kernel']:.1f} "
            f"| {1e3 * mc['sk']:.1f} | {mc['numpy'] / mc['sk']:.2f}x | "
            f"{mc['kernel'] / mc['sk']:.2f}x | {1e3 * mw['numpy']:.1f} | "
            f"{1e3 * mw['kernel']:.1f} | {1e3 * mw['sk']:.1f} |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
