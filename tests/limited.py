"""Run a snippet of Python in a subprocess under a time limit and an address-space cap.

The hostile-input tests use it for cases that, when broken, hang or exhaust memory:
a failure then costs seconds and a clear message, never the test run.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_limited(code: str, *, seconds: float = 60.0, memory_gib: float = 2.0) -> str:
    """Run ``code`` with ``python -c``; return its stdout, or fail the test.

    The child gets ``RLIMIT_AS`` of ``memory_gib`` (address space, so numpy cannot
    allocate past it) and is killed after ``seconds``.
    """
    import pytest

    limit = int(memory_gib * 2**30)

    def cap() -> None:  # runs in the child, before exec
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    env.update(OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
    try:
        done = subprocess.run(
            [sys.executable, "-c", code],
            preexec_fn=cap,
            capture_output=True,
            text=True,
            timeout=seconds,
            env=env,
            cwd=ROOT,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"did not finish within {seconds:g} s:\n{code}")
    if done.returncode != 0:
        pytest.fail(
            f"exit code {done.returncode} under {memory_gib:g} GiB:\n{code}\n{done.stderr[-3000:]}"
        )
    return done.stdout
