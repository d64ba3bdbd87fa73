"""Gini impurity, the impurity without a logarithm.

The unchecked kernel ``_gini`` is what :class:`treelearn.criteria.Gini` calls on the
builder's class-count tensors; :func:`gini_impurity` validates its argument first.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from treelearn.information._numeric import FloatOrArray, _finish, _rescaled
from treelearn.information._validation import _axis_length, _nonnegative_array

#: Slices whose total is below this are rescaled to proportions first: their squared
#: counts would underflow to 0.
_UNDERFLOW = 1e-150


def _gini_from_sums(
    total: NDArray[np.float64], squares: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Gini impurity from each slice's total ``Σ c`` and sum of squares ``Σ c²``.

    The one formula both :func:`_gini` and the many-class split search (which gets
    the sums without the class counts) use; totals must be at least ``_UNDERFLOW``.
    """
    out = np.multiply(total, total)
    if not isinstance(out, np.ndarray) or out.dtype != np.float64 or out.shape != np.shape(squares):
        return np.maximum(1.0 - squares / out, 0.0)
    # in place: the same operations in the same order (one array, not four)
    np.divide(squares, out, out=out)
    np.subtract(1.0, out, out=out)
    return np.maximum(out, 0.0, out=out)


def _gini(counts: NDArray[np.float64], axis: int = -1) -> NDArray[np.float64]:
    # 1 - Σ c² / n², summed before dividing (the order scikit-learn uses, so that
    # impurities and cost-complexity alphas agree with it to the last bit)
    total = counts.sum(axis=axis)
    if total.size == 0 or total.min() >= _UNDERFLOW:  # the common case: no special slice
        return _gini_from_sums(total, (counts * counts).sum(axis=axis))
    tiny = (total > 0) & (total < _UNDERFLOW)
    if tiny.any():  # c² would underflow: use those slices' proportions instead
        divisor = np.expand_dims(np.where(tiny, total, 1.0), axis)
        counts = counts / divisor  # a division: 1 / total could overflow
        total = counts.sum(axis=axis)
    squares = (counts * counts).sum(axis=axis)
    safe = np.where(total > 0, total, 1.0)
    return np.where(total > 0, np.maximum(1.0 - squares / (safe * safe), 0.0), 0.0)


def gini_impurity(pk: ArrayLike, *, axis: int = -1) -> FloatOrArray:
    r"""Gini impurity of a distribution given as probabilities or counts.

    .. math:: G(P) = 1 - \sum_k p_k^2, \qquad p_k = c_k / \sum_j c_j

    There is no logarithm in the Gini impurity, so this function has no ``base``
    parameter. Batched like :func:`entropy`; all-zero slices have impurity 0.

    Parameters
    ----------
    pk : array_like
        Non-negative probabilities or (possibly weighted) counts, at least 1-d.
    axis : int, default -1
        Axis holding the classes.

    Returns
    -------
    float or ndarray
        Gini impurity with ``axis`` removed.

    Raises
    ------
    ValueError
        If ``pk`` has negative, infinite or NaN entries or is empty along ``axis``.
    TypeError
        If ``pk`` is not numeric.

    Examples
    --------
    >>> print(round(float(gini_impurity([9, 5])), 4))
    0.4592
    >>> gini_impurity([[1, 1], [3, 0], [0, 0]]).tolist()
    [0.5, 0.0, 0.0]
    """
    counts = _nonnegative_array(pk, "pk")
    _axis_length(counts, axis, "pk")
    return _finish(_gini(_rescaled(counts, axis), axis))
