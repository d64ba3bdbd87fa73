"""Fit a decision tree on Parquet files larger than one Dask worker's memory limit.

Writes ``--rows`` rows of 20 float32 features and a two-class label as Parquet files
of 250,000 rows (the data of ``benchmarks/bench_hist.py --dask``, in smaller files:
each is drawn with its own seed, so that no process holds more than one, and a
worker reads one at a time) into ``--out``, starts a
``LocalCluster`` of 2 worker processes with 1 thread and ``--memory-limit`` each --
less than the files on disk -- and fits ``DecisionTreeClassifier(criterion="gini",
max_depth=12)`` from ``dd.read_parquet``. Each worker keeps only its chunks' bin codes
(one byte per value), labels and node positions; the data never come to this process.
It prints the fit's wall and CPU time, the training accuracy on the first file, each
worker's peak memory (``VmHWM``, as the benchmark measures it:
``benchmarks/_peak.py``) against its limit, and the tree's size.

Usage (from the repository's root)::

    python examples/fit_parquet_bigger_than_memory.py
    python examples/fit_parquet_bigger_than_memory.py --rows 20000 --memory-limit 400MiB

Files already written for the same ``--rows`` under ``--out`` are reused.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

DEFAULT_ROWS = 20_000_000
ROWS_PER_FILE = 250_000
DEFAULT_LIMIT = "1.75GiB"
#: MiB of histograms counted in one pass (``max_histogram_mb``): a small share of the
#: worker's limit, so that the deepest levels are counted in several passes.
HISTOGRAM_MB = 32.0


def main(argv: list[str] | None = None) -> int:
    """Write the files, fit on a 2-worker ``LocalCluster`` and print what it took."""
    import dask.dataframe as dd
    from _peak import worker_peaks_mib
    from bench_hist import FEATURES, write_parquet
    from dask.utils import format_bytes, parse_bytes
    from distributed import Client, LocalCluster

    from treelearn import DecisionTreeClassifier

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=DEFAULT_ROWS, help="rows to write")
    parser.add_argument("--out", default=str(Path(tempfile.gettempdir()) / "treelearn-parquet"),
                        help="folder of the Parquet files")  # fmt: skip
    parser.add_argument("--memory-limit", default=DEFAULT_LIMIT,
                        help="each worker's memory limit (e.g. 1GiB, 400MiB)")  # fmt: skip
    args = parser.parse_args(argv)
    limit = parse_bytes(args.memory_limit)

    start = time.perf_counter()
    path = Path(write_parquet(args.rows, args.out, ROWS_PER_FILE))
    files = sorted(path.glob("*.parquet"))
    on_disk = sum(f.stat().st_size for f in files)
    print(f"data: {args.rows:,} rows x {FEATURES} float32 features + label, {len(files)} "
          f"Parquet files of up to {ROWS_PER_FILE:,} rows in {path} "
          f"({time.perf_counter() - start:.1f} s)")  # fmt: skip
    ratio = on_disk / limit
    print(f"on disk: {format_bytes(on_disk)}; each worker's memory limit: "
          f"{format_bytes(limit)} (the data are {ratio:.2f}x one worker's limit)")  # fmt: skip

    with (
        LocalCluster(n_workers=2, threads_per_worker=1, memory_limit=limit,
                     dashboard_address=None, host="127.0.0.1") as cluster,
        Client(cluster) as client,
    ):  # fmt: skip
        data = dd.read_parquet(str(path))
        X, y = data.drop(columns="y"), data["y"]
        tree = DecisionTreeClassifier(criterion="gini", max_depth=12,
                                      max_histogram_mb=HISTOGRAM_MB)  # fmt: skip
        cpu, wall = time.process_time(), time.perf_counter()
        tree.fit(X, y)  # on the client's cluster: splitter="hist" over the chunks
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        print(f"fit: {wall:.1f} s wall, {cpu:.1f} s CPU in this process "
              f"({1e6 * wall / args.rows:.2f} µs per row)")  # fmt: skip
        first = data.get_partition(0).compute()
        accuracy = tree.score(first.drop(columns="y"), first["y"])
        print(f"training accuracy on the first file ({len(first):,} rows): {accuracy:.4f}")
        peaks = worker_peaks_mib(client)
        within = all(p * 2**20 <= limit for p in peaks)
        verdict = "within" if within else "OVER"
        print(f"worker peak memory: {' / '.join(f'{p:.0f}' for p in peaks)} MiB of "
              f"{limit / 2**20:.0f} MiB each ({verdict} the limit)")  # fmt: skip
    print(f"tree: {tree.tree_.node_count} nodes, {tree.get_n_leaves()} leaves, "
          f"depth {tree.get_depth()}")  # fmt: skip
    return 0 if within else 1


if __name__ == "__main__":
    sys.exit(main())
