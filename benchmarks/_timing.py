"""CPU and wall time of a call, and interleaved medians: the one way the scoreboard times.

CPU time is ``time.process_time`` (all threads of this process, so a library's own threads
count); wall time is ``time.perf_counter``. On a shared machine CPU time is the figure to
compare; wall time says how many cores were free.
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable
from typing import Any

__all__ = ["interleaved", "load", "timed"]


def timed(fn: Callable[[], Any]) -> tuple[float, float, Any]:
    """``(cpu_s, wall_s, result)`` of one call of ``fn``."""
    cpu, wall = time.process_time(), time.perf_counter()
    out = fn()
    return time.process_time() - cpu, time.perf_counter() - wall, out


def interleaved(
    fns: dict[str, Callable[[], Any]], repeat: int, keep: bool = True
) -> tuple[dict[str, tuple[float, float]], dict[str, Any]]:
    """Median ``(cpu_s, wall_s)`` of each function run A, B, A, B, ... and its last result.

    With ``keep=False`` no result is kept (the second dict is empty): a large model is freed
    before the next call allocates its own.
    """
    runs: dict[str, list[tuple[float, float]]] = {name: [] for name in fns}
    last: dict[str, Any] = {}
    for _ in range(repeat):
        for name, fn in fns.items():
            last.pop(name, None)
            cpu, wall, result = timed(fn)
            if keep:
                last[name] = result
            del result
            runs[name].append((cpu, wall))
    med = {
        name: (statistics.median(c for c, _ in rs), statistics.median(w for _, w in rs))
        for name, rs in runs.items()
    }
    return med, last


def load() -> str:
    """The load average (1, 5, 15 minutes) as text, for the report beside the times."""
    return " / ".join(f"{x:.1f}" for x in os.getloadavg())
