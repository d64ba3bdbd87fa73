"""Where a fit's CPU time goes, serial against threaded: an Amdahl estimate of ``n_jobs=2``.

On a shared machine a wall-clock ratio of ``n_jobs=2`` to ``n_jobs=1`` says how many
cores other processes left free. This script measures what does not depend on that:
one fit runs with ``n_jobs=2``'s choices (the same blocks and tasks) but every task in
the calling thread, and CPU time (``time.process_time``) is split into

* **P**, the tasks of every :meth:`treelearn._threads.Workers.map` that would run on
  threads (at least two items, enough elements), per call site (split search,
  partition, presort);
* **S**, everything else (exclusive time per stage: level bookkeeping, selection of
  the winners, routing, the partition's and presort's serial set-up, the tree's
  arrays, and maps too small to be threaded).

Two predictions of the 2-core wall ratio follow, against the plain ``n_jobs=1`` fit's
CPU time ``T1`` measured interleaved: Amdahl's ``(S + P/2) / T1`` and
``(S + M) / T1`` where ``M`` is every threaded map's makespan when its tasks are
handed in order to the first free of two threads (what ``ThreadPoolExecutor`` does),
so uneven tasks count. Neither sees GIL contention or shared memory bandwidth: the
measured ``n_jobs=2`` CPU time beside ``T1`` bounds that.

Usage::

    python benchmarks/bench_n_jobs_amdahl.py [--rows 1000000] [--repeat 2] [--criteria entropy]
        [--no-n-jobs-2] [--threaded]
"""

from __future__ import annotations

import argparse
import heapq
import statistics
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from contextlib import ExitStack
from typing import Any

from _timing import load
from bench_trees import make_data  # the data, float32: one home

from treelearn import DecisionTreeClassifier, _builder, _partition, _threads

#: (object, attribute, stage name): the serial stages whose exclusive time is kept.
STAGES = [
    (_builder._LevelWiseBuilder, "build", "level bookkeeping"),
    (_builder._LevelWiseBuilder, "_choose_splits", "winners (choose_splits)"),
    (_builder._LevelWiseBuilder, "_one_node_run", "one-node runs"),
    (_builder._LevelWiseBuilder, "_route_level", "routing (route_level)"),
    (_builder._Columns, "add", "tree arrays"),
    (_builder._Columns, "finish", "tree arrays"),
    (_partition, "partition", "partition"),
    (_partition, "_partition_one_node", "partition"),
    (_partition, "presort", "presort"),
]


class Account:
    """Exclusive CPU time per stage, threaded tasks per call site."""

    def __init__(self) -> None:
        self.stack: list[list[Any]] = []  # [stage, start, time of children]
        self.serial: dict[str, float] = defaultdict(float)
        self.tasks: dict[str, list[float]] = defaultdict(list)
        self.makespan: dict[str, float] = defaultdict(float)
        self.maps: dict[str, int] = defaultdict(int)

    def wrap(self, fn: Callable, stage: str) -> Callable:
        def timed(*args: Any, **kwargs: Any) -> Any:
            self.stack.append([stage, time.process_time(), 0.0])
            try:
                return fn(*args, **kwargs)
            finally:
                name, start, children = self.stack.pop()
                spent = time.process_time() - start
                self.serial[name] += spent - children
                if self.stack:
                    self.stack[-1][2] += spent

        return timed

    def threaded_map(self, workers: _threads.Workers, fn, items, elements=None):
        work = list(items)
        small = elements is not None and elements < _threads.MIN_THREADED_ELEMENTS
        if workers.n_threads == 1 or len(work) < 2 or small:
            return [fn(item) for item in work]  # runs in the caller: serial
        site = self.stack[-1][0] if self.stack else "?"
        out, times = [], []
        for item in work:
            start = time.process_time()
            out.append(fn(item))
            times.append(time.process_time() - start)
        self.tasks[site] += times
        self.maps[site] += 1
        self.makespan[site] += list_schedule(times, workers.n_threads)
        if self.stack:
            self.stack[-1][2] += sum(times)
        return out


def threaded_cpu(X, y, criterion: str, n_jobs: int) -> tuple[dict, dict, float, float]:
    """A real fit: its tasks' thread CPU time and its maps' wall time per call site,
    and the fit's process CPU and wall time (contention shows as tasks costing more
    CPU with two threads than with one)."""
    acc = Account()
    cpu: dict[str, float] = defaultdict(float)
    wall: dict[str, float] = defaultdict(float)
    original_map = _threads.Workers.map

    def map_(self, fn, items, elements=None):
        site = acc.stack[-1][0] if acc.stack else "?"
        work = list(items)
        if (
            self.n_threads == 1
            or len(work) < 2
            or (elements is not None and elements < _threads.MIN_THREADED_ELEMENTS)
        ):
            return original_map(self, fn, work, elements)

        def task(item):
            start = time.thread_time()
            out = fn(item)
            spent = time.thread_time() - start
            with lock:
                cpu[site] += spent
            return out

        start = time.perf_counter()
        out = original_map(self, task, work, elements)
        wall[site] += time.perf_counter() - start
        return out

    lock = threading.Lock()
    with ExitStack() as undo:
        for owner, attr, stage in STAGES:
            original = getattr(owner, attr)
            undo.callback(setattr, owner, attr, original)
            setattr(owner, attr, acc.wrap(original, stage))
        undo.callback(setattr, _threads.Workers, "map", original_map)
        _threads.Workers.map = map_
        c, w = time.process_time(), time.perf_counter()
        DecisionTreeClassifier(criterion=criterion, n_jobs=n_jobs).fit(X, y)
        c, w = time.process_time() - c, time.perf_counter() - w
    return dict(cpu), dict(wall), c, w


def list_schedule(times: list[float], threads: int) -> float:
    """Makespan of ``times`` handed in order to the first free of ``threads``."""
    free = [0.0] * threads
    for t in times:
        heapq.heappush(free, heapq.heappop(free) + t)
    return max(free)


def accounted_fit(X, y, criterion: str) -> tuple[Account, float, Any]:
    """One ``n_jobs=2`` fit with every task in this thread, accounted."""
    acc = Account()
    with ExitStack() as undo:
        for owner, attr, stage in STAGES:
            original = getattr(owner, attr)
            undo.callback(setattr, owner, attr, original)
            setattr(owner, attr, acc.wrap(original, stage))
        original_map = _threads.Workers.map
        undo.callback(setattr, _threads.Workers, "map", original_map)
        _threads.Workers.map = lambda self, fn, items, elements=None: acc.threaded_map(
            self, fn, items, elements
        )
        start = time.process_time()
        est = DecisionTreeClassifier(criterion=criterion, n_jobs=2).fit(X, y)
        total = time.process_time() - start
    return acc, total, est


def plain_fit(X, y, criterion: str, n_jobs: int) -> tuple[float, float]:
    cpu, wall = time.process_time(), time.perf_counter()
    DecisionTreeClassifier(criterion=criterion, n_jobs=n_jobs).fit(X, y)
    return time.process_time() - cpu, time.perf_counter() - wall


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--criteria", nargs="+", default=["entropy"])
    parser.add_argument("--no-n-jobs-2", action="store_true", help="skip the real n_jobs=2 fit")
    parser.add_argument(
        "--threaded", action="store_true",
        help="also a real n_jobs=2 fit's task CPU per call site (contention: more than P)",
    )  # fmt: skip
    args = parser.parse_args(argv)
    X, y = make_data(args.rows)
    DecisionTreeClassifier(n_jobs=2).fit(X[:5000], y[:5000])  # imports, thread start
    print(f"{args.rows:,} x 20 float32, 3 classes, fully grown; load before {load()}")
    for criterion in args.criteria:
        t1, t2, runs = [], [], []
        for _ in range(args.repeat):
            t1.append(plain_fit(X, y, criterion, 1)[0])
            runs.append(accounted_fit(X, y, criterion))
            if not args.no_n_jobs_2:
                t2.append(plain_fit(X, y, criterion, 2)[0])
        T1 = statistics.median(t1)
        # the run whose accounted total is the median one
        acc, total, _ = sorted(runs, key=lambda r: r[1])[(len(runs) - 1) // 2]
        P = sum(sum(ts) for ts in acc.tasks.values())
        M = sum(acc.makespan.values())
        S = total - P
        print(f"\n{criterion}: n_jobs=1 CPU {T1:.2f} s (median of {len(t1)})", end="")
        print(f"; n_jobs=2 CPU {statistics.median(t2):.2f} s" if t2 else "")
        print(f"accounted fit (n_jobs=2's tasks, one thread): {total:.2f} s CPU")
        print("| threaded map | maps | tasks | P (s) | 2-thread makespan (s) | largest task (s) |")
        print("|---|---|---|---|---|---|")
        for site, ts in sorted(acc.tasks.items(), key=lambda kv: -sum(kv[1])):
            print(f"| {site} | {acc.maps[site]} | {len(ts)} | {sum(ts):.2f} | "
                  f"{acc.makespan[site]:.2f} | {max(ts):.3f} |")  # fmt: skip
        print("| serial stage | S (s) |\n|---|---|")
        for name, s in sorted(acc.serial.items(), key=lambda kv: -kv[1]):
            print(f"| {name} | {s:.2f} |")
        outside = total - P - sum(acc.serial.values())
        print(f"| outside build (validation, encoding) | {outside:.2f} |")
        print(f"P = {P:.2f} s, S = {S:.2f} s ({100 * S / total:.1f} %), makespan M = {M:.2f} s")
        print(f"Amdahl (S + P/2) / T1 = {(S + P / 2) / T1:.3f}; "
              f"list-scheduled (S + M) / T1 = {(S + M) / T1:.3f}")  # fmt: skip
        if args.threaded:
            cpu, wall, c, w = threaded_cpu(X, y, criterion, 2)
            print(f"real n_jobs=2 fit: {c:.2f} s CPU, {w:.2f} s wall; per call site, "
                  "task CPU on the threads / accounted P / the maps' wall (s):")  # fmt: skip
            for site, spent in sorted(cpu.items(), key=lambda kv: -kv[1]):
                print(f"  {site}: {spent:.2f} / {sum(acc.tasks[site]):.2f} / {wall[site]:.2f}")
    print(f"\nload after {load()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
