"""Peak memory of ``load_arff`` on a large generated ARFF file, as a multiple of its size.

The file: ``--rows`` instances of ``--numeric`` numeric attributes (6 decimals, 1 %
missing), one nominal attribute of 5 values and (unless ``--no-strings``) one string
attribute of distinct values, written once to a temporary directory. Each measurement
runs in a fresh subprocess: the peak resident set size (``ru_maxrss``) of the load
minus the resident size just before it (after a warm-up load of the file's first
lines, which pays for the modules a first call imports), over the file's size.
``--line-mb`` instead times the refusal of one data line of that many MB.

Usage::

    python benchmarks/bench_arff_memory.py --rows 1000000
    cd /tmp && PYTHONPATH=/path/to/other/checkout python /path/to/bench_arff_memory.py
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

CHILD = """
import resource, sys, time
def rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize()
from treelearn.datasets import load_arff
import io, treelearn, pandas, numpy
# warm up on the file's first lines: what the first call imports is not the file's cost
with open(sys.argv[1]) as f:
    head = "".join(line for _, line in zip(range(200), f))
load_arff(io.StringIO(head))
before = rss()
t = time.process_time()
try:
    df = load_arff(sys.argv[1])
    what = f"{df.shape}"
except ValueError as exc:
    what = str(exc)[-60:]
cpu = time.process_time() - t
# VmHWM, not ru_maxrss, which keeps the forking parent's peak across exec
peak = int(open("/proc/self/status").read().split("VmHWM:")[1].split()[0]) * 1024
print(peak - before, cpu, what, treelearn.__file__)
"""


def write_file(path: str, rows: int, numeric: int, strings: bool, seed: int = 0) -> None:
    rng = np.random.default_rng(seed)
    with open(path, "w") as f:
        f.write("@relation big\n")
        for j in range(numeric):
            f.write(f"@attribute x{j} numeric\n")
        f.write("@attribute colour {red, green, blue, cyan, magenta}\n")
        f.write("@attribute note string\n@data\n" if strings else "@data\n")
        names = np.array(["red", "green", "blue", "cyan", "magenta"])
        for a in range(0, rows, 100_000):
            b = min(rows, a + 100_000)
            x = rng.random((b - a, numeric))
            x[rng.random(x.shape) < 0.01] = np.nan
            text = np.char.mod("%.6f", x).astype(object)
            text[np.isnan(x)] = "?"
            colour = names[rng.integers(0, 5, b - a)]
            lines = [
                ",".join(r) + f",{c}" + (f",'n{i}'\n" if strings else "\n")
                for i, (r, c) in enumerate(zip(text.tolist(), colour, strict=True), start=a)
            ]
            f.write("".join(lines))


def write_long_line(path: str, mb: int) -> None:
    with open(path, "w") as f:
        f.write("@relation long\n@attribute a numeric\n@attribute b numeric\n@data\n1,2\n")
        piece = "1," * (2**20 // 2)
        for _ in range(mb):
            f.write(piece)
        f.write("1\n")


def measure(path: str) -> tuple[float, float, str]:
    out = subprocess.run(
        [sys.executable, "-c", CHILD, path], capture_output=True, text=True, check=True
    ).stdout.split(" ", 2)
    return int(out[0]) / os.path.getsize(path), float(out[1]), out[2].strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--numeric", type=int, default=10)
    parser.add_argument("--no-strings", action="store_true", help="leave out the string column")
    parser.add_argument("--line-mb", type=int, default=0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "big.arff")
        start = time.perf_counter()
        if args.line_mb:
            write_long_line(path, args.line_mb)
        else:
            write_file(path, args.rows, args.numeric, not args.no_strings)
        size = os.path.getsize(path)
        print(f"file: {size / 2**20:.0f} MiB (written in {time.perf_counter() - start:.0f} s)")
        ratio, cpu, what = measure(path)
        print(f"peak extra memory {ratio:.2f}x the file, {cpu:.1f} s CPU: {what}")


if __name__ == "__main__":
    main()
