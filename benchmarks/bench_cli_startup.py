"""Start-up time of the ``treelearn`` command (issue 14: under 1 s for ``--help``).

Each command runs in a fresh interpreter (``python -m treelearn ...``), the commands
interleaved round by round so that the machine's load hits them alike; medians of the
wall time and of the child's CPU time (user + system, from ``resource.getrusage``).
The bare interpreter (``python -c pass``) is the floor, and ``import pandas`` and
``import treelearn.compare`` (what a command that fits pays) are the comparison.

Usage::

    python benchmarks/bench_cli_startup.py [--repeat 15]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET_S = 1.0

CASES: dict[str, list[str]] = {
    "python -c pass (floor)": ["-c", "pass"],
    "treelearn --help": ["-m", "treelearn", "--help"],
    "treelearn datasets": ["-m", "treelearn", "datasets"],
    "treelearn fit --help": ["-m", "treelearn", "fit", "--help"],
    "import pandas": ["-c", "import pandas"],
    "import treelearn.compare": ["-c", "import treelearn.compare"],
}


def _once(args: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds of one fresh interpreter running ``args``."""
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, *args], env=env, check=True, stdout=subprocess.DEVNULL, cwd=ROOT
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15, help="rounds (default: 15)")
    args = parser.parse_args()
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in CASES}
    for name in CASES:  # warm the file cache once
        _once(CASES[name])
    for _ in range(args.repeat):
        for name, case in CASES.items():
            times[name].append(_once(case))
    print(f"median of {args.repeat} interleaved runs (target: --help under {TARGET_S:g} s)")
    print(f"{'command':28} {'wall s':>8} {'cpu s':>8}")
    for name, runs in times.items():
        wall = statistics.median(w for w, _ in runs)
        cpu = statistics.median(c for _, c in runs)
        print(f"{name:28} {wall:8.3f} {cpu:8.3f}")
    helps = statistics.median(w for w, _ in times["treelearn --help"])
    print(f"--help: {'PASS' if helps < TARGET_S else 'FAIL'} ({helps:.3f} s wall)")


if __name__ == "__main__":
    main()
