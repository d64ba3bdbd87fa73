"""Whether a fit or a prediction runs treelearn's compiled kernels.

treelearn is pure numpy. With the optional ``numba`` package installed
(``pip install treelearn[fast]``), three of its loops can run compiled: the exact
builder's split search of numeric features for the built-in ``Gini`` and
``InformationGain`` criteria and its partition of the sorted store after each level
(:mod:`treelearn._numba_kernels`), and the descent of rows without missing values
through numeric splits at prediction (:mod:`treelearn._numba_descent`). Every other
case (weights, missing values, categorical features, other criteria, user criteria,
the histogram and random splitters) runs the numpy code, which stays the reference:
both give the same trees and predictions, and the search kernel hands a level back
to numpy wherever rounding could make them disagree
(:func:`treelearn._tolerances.rank_rounding`). Each kernel module is imported (and
numba with it) by the code that calls it, on first use.

The environment variable ``TREELEARN_ACCELERATOR`` chooses:

``"auto"`` (default)
    the kernels when ``numba`` is importable and the fit (or prediction) has at
    least :data:`MIN_ROWS` rows. Below that a fit takes milliseconds, and loading numba
    (about 0.3 s of CPU, plus the kernels' compilation on a process's first use when
    numba's on-disk cache is cold) would cost more than it saves.
``"on"``
    the kernels wherever they apply, whatever the size; an ``ImportError``
    says how to install numba when it is missing.
``"off"``
    numpy only.
"""

from __future__ import annotations

import functools
import importlib.util
import os

#: The environment variable that chooses (see the module docstring).
ENV = "TREELEARN_ACCELERATOR"

#: Its values.
MODES = ("auto", "on", "off")

#: ``"auto"`` compiles fits of at least this many rows.
MIN_ROWS = 50_000

#: The search kernel covers fewer classes than this: its per-candidate loops over
#: classes stay short (numpy's square-sum search takes many classes).
MAX_CLASSES = 12


def mode() -> str:
    """The chosen mode (:data:`ENV`, ``"auto"`` when unset)."""
    value = os.environ.get(ENV, "auto").strip().lower() or "auto"
    if value not in MODES:
        raise ValueError(f"{ENV} must be one of {', '.join(MODES)}; got {value!r}")
    return value


@functools.cache
def numba_installed() -> bool:
    """Whether ``numba`` can be imported (looked up once, not imported)."""
    return importlib.util.find_spec("numba") is not None


def wanted(n_rows: int) -> bool:
    """Whether a fit or prediction of ``n_rows`` rows runs the compiled kernels where
    they apply."""
    chosen = mode()
    if chosen == "off":
        return False
    if chosen == "on":
        if not numba_installed():
            raise ImportError(
                f"{ENV}=on needs numba: pip install 'treelearn[fast]' (or pip install numba)"
            )
        return True
    return n_rows >= MIN_ROWS and numba_installed()
