"""A fit's peak memory in a child process: the one way the benchmarks measure it.

The kernel's high-water mark of the resident set (``VmHWM`` in ``/proc/self/status``)
is reset to the current resident set by writing ``5`` to ``/proc/self/clear_refs``,
so ``status("VmHWM") - reset_peak()`` around a fit is the fit's own peak. Not
``ru_maxrss``: it keeps the forking parent's peak across ``exec``, so a child
started by a large parent reports the parent's peak as its own.

A child started with ``python -c`` imports this module with :data:`IMPORT`
prepended to its code. :func:`worker_peaks_mib` reads ``VmHWM`` on every worker of a
``dask.distributed`` cluster (``benchmarks/bench_hist.py --dask`` and
``examples/fit_parquet_bigger_than_memory.py``).
"""

from __future__ import annotations

import os

__all__ = ["IMPORT", "reset_peak", "status", "worker_peaks_mib"]

#: The line a child's code starts with to import :func:`status` and :func:`reset_peak`.
IMPORT = (
    f"import sys; sys.path.insert(0, {os.path.dirname(os.path.abspath(__file__))!r}); "
    "from _peak import reset_peak, status\n"
)


def status(key: str) -> int:
    """Bytes of the ``/proc/self/status`` line ``key`` (``VmRSS``, ``VmHWM``, ...)."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1]) * 1024
    raise KeyError(key)


def reset_peak() -> int:
    """Reset ``VmHWM`` to the resident set now; return that resident set in bytes."""
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")
    return status("VmRSS")


def worker_peaks_mib(client) -> list[float]:
    """Each worker's peak resident set over its life (``VmHWM``), MiB, sorted: on a
    cluster started for one fit, the fit's peak.

    Not ``ru_maxrss``: a ``LocalCluster`` forks its workers from the client's process,
    and ``ru_maxrss`` reports the client's resident set at the fork as theirs (seen: a
    client holding 600 MB gave 631 MiB for workers whose ``VmHWM`` was 62 MiB). This
    module travels to the workers by value (they need not import it)."""
    import sys

    import cloudpickle

    cloudpickle.register_pickle_by_value(sys.modules[__name__])
    return sorted(v / 2**20 for v in client.run(status, "VmHWM").values())
