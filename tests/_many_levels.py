"""The data shared by the many-level categorical tests: a 300-level column beside a numeric one.

``many_level_data(seed, n)`` draws ``n`` rows whose class depends on the category (plus 30 %
noise), with 10 % of the categories missing and a rounded numeric column ``x``. With
``twin=True`` a second view of the same categories (column ``t``, its own 10 % missing) is
added, so that the one is the other's surrogate. The draws come in the same order with and
without the twin, so each test file keeps the examples it had when it held its own copy.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

LEVELS = 300


def _levels(prefix: str, codes: np.ndarray) -> pd.Series:
    names = [f"{prefix}{i}" for i in range(LEVELS)]
    return pd.Series(pd.Categorical([f"{prefix}{c}" for c in codes], names))


def many_level_data(
    seed: int = 0, n: int = 3000, *, twin: bool = False
) -> tuple[pd.DataFrame, np.ndarray]:
    """``(X, y)``: columns ``c`` (LEVELS categories), ``x`` (numeric) and, with ``twin``, ``t``."""
    rng = np.random.default_rng(seed)
    codes = rng.integers(0, LEVELS, n)
    y = (rng.random((LEVELS, 3)).argmax(1)[codes] + (rng.random(n) < 0.3) * 2) % 3
    cat = _levels("v", codes)
    view = _levels("w", codes) if twin else None
    cat[rng.random(n) < 0.1] = np.nan
    if view is not None:
        view[rng.random(n) < 0.1] = np.nan
    columns = {"c": cat, "x": rng.random(n).round(2)}
    if view is not None:
        columns["t"] = view
    return pd.DataFrame(columns), y
