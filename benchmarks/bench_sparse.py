"""Sparse X: fit time and peak memory on TF-IDF-shaped data, treelearn against scikit-learn.

The data are generated (``fetch_20newsgroups`` needs the network): ``rows`` documents
over ``cols`` terms at ``density`` (0.5 % by default), term frequencies drawn from a
Zipf law per class, each row scaled to unit length as TF-IDF rows are; ``classes``
topics. Every fit runs in its own subprocess, so that its peak resident memory
(``VmHWM``, reset just before the fit) is the fit's own; the data are generated once
and loaded by each child, and their size is reported beside the peak. The fits alternate
(treelearn, treelearn's CART with its surrogate splits, scikit-learn, treelearn, ...);
medians of wall time and of CPU time (``time.process_time``) are reported.

Usage::

    python benchmarks/bench_sparse.py [--rows 20000] [--cols 50000] [--density 0.005]
        [--classes 20] [--repeat 3] [--max-depth N] [--dense-check]
        [--fits treelearn,treelearn-cart,treelearn-hist,sklearn,treelearn-random,sklearn-random]

``--dense-check`` (for sizes that fit densely) also fits treelearn on the dense matrix
and checks that the tree arrays are the same.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import textwrap

import _peak


def make_tfidf(rows: int, cols: int, density: float, classes: int, seed: int = 0):
    """A CSR matrix shaped like TF-IDF of documents, and their topics."""
    import numpy as np
    import scipy.sparse as sp

    rng = np.random.default_rng(seed)
    y = rng.integers(0, classes, rows)
    per_row = rng.poisson(density * cols, rows).clip(1, cols)
    nnz = int(per_row.sum())
    # term popularity falls off as a power law (few common terms, a long tail); 10 %
    # of a document's terms come from its topic's own block of the vocabulary
    ranks = np.minimum((cols * rng.random(nnz) ** 2.5).astype(np.int64), cols - 1)
    shift = (y * (cols // max(classes, 1))).repeat(per_row)
    topical = rng.random(nnz) < 0.1
    term = np.where(topical, (ranks + shift) % cols, ranks)
    row = np.arange(rows).repeat(per_row)
    tf = rng.integers(1, 5, nnz).astype(np.float64)
    X = sp.csr_matrix((tf, (row, term)), shape=(rows, cols))
    X.sum_duplicates()
    df = np.bincount(X.indices, minlength=cols)
    X.data *= np.log((1 + rows) / (1 + df[X.indices])) + 1.0
    norms = np.sqrt(np.asarray(X.multiply(X).sum(axis=1)).ravel())
    X = sp.diags(1.0 / np.maximum(norms, 1e-12)) @ X
    return X.tocsr(), y


CHILD = textwrap.dedent(
    """
    import json, resource, sys, time
    import scipy.sparse as sp
    import numpy as np
    X = sp.load_npz({path!r})
    y = np.load({ypath!r})
    if {which!r} == "treelearn":
        from treelearn import DecisionTreeClassifier
        est = DecisionTreeClassifier(criterion="gini", max_depth={max_depth})
    elif {which!r} == "treelearn-hist":  # the histogram splitter on the sparse codes
        from treelearn import DecisionTreeClassifier
        est = DecisionTreeClassifier(criterion="gini", splitter="hist", max_depth={max_depth})
    elif {which!r} == "treelearn-cart":  # CART's defaults: surrogate splits
        from treelearn import CARTClassifier
        est = CARTClassifier(max_depth={max_depth})
    elif {which!r} == "treelearn-random":
        from treelearn import DecisionTreeClassifier
        est = DecisionTreeClassifier(criterion="gini", splitter="random", random_state=0,
                                     max_depth={max_depth})
    else:
        from sklearn.tree import DecisionTreeClassifier
        X = X.tocsc()  # scikit-learn's sparse splitter reads CSC (it converts CSR)
        splitter = "random" if {which!r} == "sklearn-random" else "best"
        est = DecisionTreeClassifier(criterion="gini", splitter=splitter, random_state=0,
                                     max_depth={max_depth})
    rss_before = reset_peak() / 2**20
    w0, c0 = time.perf_counter(), time.process_time()
    est.fit(X, y)
    wall, cpu = time.perf_counter() - w0, time.process_time() - c0
    print(json.dumps(dict(wall=wall, cpu=cpu, peak_mb=status("VmHWM") / 2**20,
                          before_fit_mb=rss_before, nodes=int(est.tree_.node_count),
                          depth=int(est.get_depth()))))
    """
)


def run_child(which: str, args, path: str, ypath: str) -> dict:
    code = _peak.IMPORT + CHILD.format(
        path=path, ypath=ypath, which=which, max_depth=args.max_depth
    )
    out = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def dense_check(args) -> None:
    import numpy as np

    from treelearn import DecisionTreeClassifier

    X, y = make_tfidf(args.rows, args.cols, args.density, args.classes)
    a = DecisionTreeClassifier(criterion="gini", max_depth=args.max_depth).fit(X, y)
    b = DecisionTreeClassifier(criterion="gini", max_depth=args.max_depth).fit(X.toarray(), y)
    ta, tb = a.tree_.to_arrays(), b.tree_.to_arrays()
    same = all(np.array_equal(ta[k], tb[k], equal_nan=True) for k in ta)
    print(f"dense check: sparse and dense trees identical: {same} ({a.tree_.node_count} nodes)")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rows", type=int, default=20000)
    p.add_argument("--cols", type=int, default=50000)
    p.add_argument("--density", type=float, default=0.005)
    p.add_argument("--classes", type=int, default=20)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--max-depth", type=int, default=None)
    p.add_argument("--dense-check", action="store_true")
    p.add_argument(
        "--fits",
        default="treelearn,treelearn-cart,sklearn",
        help="comma-separated: treelearn (DecisionTreeClassifier(criterion='gini')), "
        "treelearn-cart (CARTClassifier(), surrogates), treelearn-hist "
        "(DecisionTreeClassifier(criterion='gini', splitter='hist')), sklearn, "
        "treelearn-random and sklearn-random (splitter='random')",
    )
    args = p.parse_args()
    if args.dense_check:
        dense_check(args)
    import numpy as np
    import scipy.sparse as sp

    X, y = make_tfidf(args.rows, args.cols, args.density, args.classes)
    data_mb = (X.data.nbytes + X.indices.nbytes + X.indptr.nbytes) / 2**20
    runs: dict[str, list[dict]] = {which: [] for which in args.fits.split(",")}
    with tempfile.TemporaryDirectory() as tmp:
        path, ypath = f"{tmp}/X.npz", f"{tmp}/y.npy"
        sp.save_npz(path, X, compressed=False)
        np.save(ypath, y)
        for _ in range(args.repeat):
            for which in runs:
                runs[which].append(run_child(which, args, path, ypath))
                # long fits (minutes each at the TF-IDF size): each result as it comes
                print(f"{which}: {json.dumps(runs[which][-1])}", flush=True)
    print(
        f"{args.rows} x {args.cols}, density {X.nnz / (args.rows * args.cols):.4f} "
        f"({X.nnz} non-zeros, CSR {data_mb:.1f} MiB; dense float64 would be "
        f"{args.rows * args.cols * 8 / 2**30:.1f} GiB), {args.classes} classes; median "
        f"of {args.repeat} fits each, alternating, each in its own process; peak = "
        "VmHWM during the fit (reset just before it)"
    )
    print("| | wall s | CPU s | peak RSS MiB | RSS before fit MiB | extra MiB | nodes | depth |")
    print("|---|---|---|---|---|---|---|---|")
    for which, rs in runs.items():
        for r in rs:
            r["extra_mb"] = r["peak_mb"] - r["before_fit_mb"]

        def med(key, rs=rs):
            return statistics.median(r[key] for r in rs)

        print(
            f"| {which} | {med('wall'):.2f} | {med('cpu'):.2f} | {med('peak_mb'):.0f} | "
            f"{med('before_fit_mb'):.0f} | {med('extra_mb'):.0f} | "
            f"{rs[0]['nodes']} | {rs[0]['depth']} |"
        )


if __name__ == "__main__":
    main()
