"""The hypothesis strategy shared by the sparse-X tests: any small ``scipy.sparse`` problem.

A problem is ``(X, y, sample_weight)``: a COO matrix with explicit zeros, negative values
and duplicated coordinates (summed, as scipy sums them), up to 3 + 1 classes, and unit or
small integer weights (``None`` half the time). The options say what a test file needs
beyond that; the order of the draws is the same for every option, so each file keeps the
examples it had when it held its own copy.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from hypothesis import strategies as st

# 0.0: explicit zeros
VALUES = (-2.5, -1.0, -0.25, 0.0, 0.5, 1.0, 3.0)


@st.composite
def sparse_problems(
    draw,
    *,
    max_rows: int = 40,
    values: tuple[float, ...] = VALUES,
    empty_last_column: bool = False,
    sum_duplicates: bool = False,
):
    """Draw ``(X, y, sample_weight)``.

    ``empty_last_column``: a draw with more than two columns stores nothing in its last
    one (an all-zero column). ``sum_duplicates``: duplicated coordinates are summed once
    through CSR, so that sums that cancel stay explicit zeros and ``toarray()`` cannot
    sum them in another order (the last bits of ``-1e-9 + 0.5 + 3e-8`` differ).
    """
    n = draw(st.integers(2, max_rows))
    p = draw(st.integers(1, 6))
    n_stored = draw(st.integers(0, n * p + 5))  # duplicates sum, as scipy's do
    value = st.sampled_from(list(values))
    rows = draw(st.lists(st.integers(0, n - 1), min_size=n_stored, max_size=n_stored))
    top = (p - 2 if p > 2 else p - 1) if empty_last_column else p - 1
    cols = draw(st.lists(st.integers(0, top), min_size=n_stored, max_size=n_stored))
    data = draw(st.lists(value, min_size=n_stored, max_size=n_stored))
    X = sp.coo_matrix((np.array(data, dtype=float), (rows, cols)), shape=(n, p))
    if sum_duplicates:
        X = sp.coo_matrix(X.tocsr())
    n_classes = draw(st.integers(1, 3))
    y = np.array(draw(st.lists(st.integers(0, n_classes), min_size=n, max_size=n)))
    weights = draw(st.none() | st.lists(st.integers(1, 3), min_size=n, max_size=n))
    return X, y, None if weights is None else np.array(weights, dtype=float)
