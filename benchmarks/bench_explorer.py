"""The HTML explorer on a big tree: file size, writing time, headless open time.

A fully grown CART tree of about 20,000 nodes (make_classification with label
noise) is written with ``export_html`` (with 200 rows of ``X`` for prediction
paths) and opened in headless Chromium (Debian's ``chromium`` and
``chromium-driver``, driven with selenium, network off). Measured, medians over
``--repeat`` runs, the page openings interleaved with the "expand all" action:

* page size in MB (target: under 10 MB);
* ``export_html``: wall and CPU time (``time.process_time``);
* open: from ``driver.get`` to the explorer's ready flag, wall time (target:
  under 3 s), and the page's own ``performance.now()`` at that point;
* expand all: drawing every node (``treelearnExplorer`` API), wall time.

Usage::

    python benchmarks/bench_explorer.py [--nodes 20000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
from sklearn.datasets import make_classification

from treelearn import CARTClassifier
from treelearn.export import export_html


def big_tree(target_nodes: int, seed: int = 0):
    """A fully grown CART tree with about ``target_nodes`` nodes, and its data."""
    n = max(1000, target_nodes)  # label noise: about one node per row at flip_y=0.3
    X, y = make_classification(
        n_samples=n, n_features=20, n_informative=10, n_classes=3, flip_y=0.3, random_state=seed
    )
    est = CARTClassifier().fit(X, y)
    while est.tree_.node_count < 0.95 * target_nodes:
        n = int(n * 1.1 * target_nodes / est.tree_.node_count)
        X, y = make_classification(
            n_samples=n,
            n_features=20,
            n_informative=10,
            n_classes=3,
            flip_y=0.3,
            random_state=seed,
        )
        est = CARTClassifier().fit(X, y)
    return est, X


def driver():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    chromedriver = shutil.which("chromedriver")
    if binary is None or chromedriver is None:
        raise SystemExit(
            "needs chromium and chromium-driver (apt-get install chromium chromium-driver)"
        )
    options = webdriver.ChromeOptions()
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"):
        options.add_argument(arg)
    options.add_argument("--window-size=1400,900")
    options.binary_location = binary
    d = webdriver.Chrome(service=Service(chromedriver), options=options)
    d.execute_cdp_cmd("Network.enable", {})
    d.execute_cdp_cmd(
        "Network.emulateNetworkConditions",
        {"offline": True, "latency": 0, "downloadThroughput": 0, "uploadThroughput": 0},
    )
    return d


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    est, X = big_tree(args.nodes)
    rows = X[np.random.default_rng(0).choice(len(X), 200, replace=False)]
    print(f"tree: {est.tree_.node_count} nodes, depth {est.get_depth()}, {len(X)} rows")

    walls, cpus = [], []
    for _ in range(args.repeat):
        w0, c0 = time.perf_counter(), time.process_time()
        page = export_html(est, X=rows)
        walls.append(time.perf_counter() - w0)
        cpus.append(time.process_time() - c0)
    size = len(page.encode("utf-8")) / 1e6
    print(f"page: {size:.2f} MB (target < 10)")
    print(
        f"export_html: wall {statistics.median(walls):.2f} s, "
        f"CPU {statistics.median(cpus):.2f} s (median of {args.repeat})"
    )

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "big.html"
        path.write_text(page, encoding="utf-8")
        d = driver()
        try:
            opens, in_page, expands = [], [], []
            d.get(path.as_uri())  # warm-up
            for _ in range(args.repeat):  # interleaved: open, then expand all
                d.get("about:blank")
                t0 = time.perf_counter()
                d.get(path.as_uri())
                assert d.execute_script("return window.treelearnExplorer.ready")
                opens.append(time.perf_counter() - t0)
                in_page.append(d.execute_script("return performance.now()") / 1000)
                t0 = time.perf_counter()
                shown = d.execute_script(
                    "var e = window.treelearnExplorer; e.expandAll(); return e.visible().length"
                )
                expands.append(time.perf_counter() - t0)
                assert shown == est.tree_.node_count
        finally:
            d.quit()
    print(
        f"open in headless Chromium: {statistics.median(opens):.2f} s wall "
        f"(page clock {statistics.median(in_page):.2f} s; target < 3 s)"
    )
    print(f"expand all {est.tree_.node_count} nodes: {statistics.median(expands):.2f} s wall")


if __name__ == "__main__":
    main()
