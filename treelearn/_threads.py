"""Threads over independent pieces of a fit (``n_jobs=``): feature blocks and features.

numpy releases the GIL inside its sorts, cumulative sums, ``bincount``, fancy
indexing and elementwise arithmetic on large arrays, so the per-feature work of a
level (sorting at the root, searching a block of features, partitioning a
feature's sorted arrays) runs on several cores from plain threads. Every piece
writes only its own outputs and the results are taken in submission order, so the
tree is the same bit for bit for any ``n_jobs``.

``n_jobs`` follows scikit-learn: ``None`` means 1, ``-1`` all cores, ``-2`` all but
one, and so on.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor, wait
from typing import TypeVar

__all__ = ["MIN_THREADED_ELEMENTS", "Workers", "effective_n_jobs"]

#: Below this many array elements of work a :meth:`Workers.map` runs in the calling
#: thread: handing small pieces to threads costs more than it saves.
MIN_THREADED_ELEMENTS = 2**16

T = TypeVar("T")
R = TypeVar("R")


def effective_n_jobs(n_jobs: int | None) -> int:
    """The number of threads ``n_jobs`` asks for (scikit-learn's semantics).

    Parameters
    ----------
    n_jobs : int or None
        ``None`` or ``1``: one thread; ``-1``: every core; ``-k``: all but ``k - 1``
        cores (at least one); ``k > 1``: ``k`` threads.

    Returns
    -------
    int
        At least 1.

    Raises
    ------
    ValueError
        For ``n_jobs=0``.
    """
    if n_jobs is None:
        return 1
    n_jobs = int(n_jobs)
    if n_jobs == 0:
        raise ValueError("n_jobs == 0 has no meaning; pass None, a positive int or -1.")
    if n_jobs < 0:
        return max(1, (os.cpu_count() or 1) + 1 + n_jobs)
    return n_jobs


class Workers:
    """A pool of threads for one fit; with one thread, a plain loop.

    Use as a context manager (the threads end with the ``with`` block), or call
    :meth:`close`.

    Parameters
    ----------
    n_jobs : int or None
        As in :func:`effective_n_jobs`.
    """

    def __init__(self, n_jobs: int | None = None):
        self.n_threads = effective_n_jobs(n_jobs)
        self._pool: ThreadPoolExecutor | None = None

    def map(self, fn: Callable[[T], R], items: Iterable[T], elements: int | None = None) -> list[R]:
        """``[fn(item) for item in items]``, the items shared out over the threads.

        Results are in the order of ``items``; the first exception raised by a call
        is re-raised here (after every call has finished). ``elements``: the size of
        the whole work in array elements; below :data:`MIN_THREADED_ELEMENTS` the
        calls run in this thread.
        """
        work: Sequence[T] = items if isinstance(items, Sequence) else list(items)
        small = elements is not None and elements < MIN_THREADED_ELEMENTS
        if self.n_threads == 1 or len(work) < 2 or small:
            return [fn(item) for item in work]
        if self._pool is None:
            self._pool = ThreadPoolExecutor(
                max_workers=self.n_threads, thread_name_prefix="treelearn"
            )
        futures = [self._pool.submit(fn, item) for item in work]
        # one wake-up when all are done: waiting on each in turn would wake this
        # thread (and have it take the GIL from the workers) once per item
        wait(futures)
        errors = [f.exception() for f in futures]
        for error in errors:
            if error is not None:
                raise error
        return [f.result() for f in futures]

    def slices(self, n: int) -> list[slice]:
        """``range(n)`` cut into contiguous pieces of near-equal size, one per thread
        (one piece with one thread or below :data:`MIN_THREADED_ELEMENTS`): the items
        of a :meth:`map` over the positions of an array, each piece computing its
        part of an elementwise result (the caller joins the parts in order, so the
        result does not depend on the number of pieces).

        Parameters
        ----------
        n : int
            The number of positions.

        Returns
        -------
        list of slice
            Covering ``0 .. n - 1`` in order, sizes differing by at most one, none
            empty but the one piece of ``n == 0``.
        """
        pieces = 1 if n < MIN_THREADED_ELEMENTS else max(min(self.n_threads, n), 1)
        bounds = [n * i // pieces for i in range(pieces + 1)]
        return [slice(a, b) for a, b in itertools.pairwise(bounds)]

    def close(self) -> None:
        """End the threads (a later :meth:`map` starts new ones)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
