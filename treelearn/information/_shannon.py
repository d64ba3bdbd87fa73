"""Shannon entropy and the measures built from it: kernels, self-information, entropy.

The unchecked kernels (``_entropy``, ``_conditional_entropy``, ``_information_gain``,
``_split_information``, ``_gain_ratio``, ``_joint_entropy``) take validated float64
count arrays; :mod:`treelearn.criteria` calls ``_entropy`` directly on the builder's
class-count tensors. The public forms of tables and label arrays are in
:mod:`._from_counts` and :mod:`._labels`.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from treelearn.information._numeric import FloatOrArray, _finish, _log, _normalise, _rescaled
from treelearn.information._validation import (
    _axis_length,
    _check_base,
    _nonnegative_array,
    _real_array,
)


def _entropy(counts: NDArray[np.float64], base: float, axis: int = -1) -> NDArray[np.float64]:
    # the split criteria call this on millions of count rows: plain ufuncs (no masked
    # ``where=`` loops), log of 1 standing in for log of 0 so that 0 · log 0 = 0
    p = _normalise(counts, axis)
    return 0.0 - (p * _log(np.where(p > 0, p, 1.0), base)).sum(axis=axis)


def _conditional_entropy(table: NDArray[np.float64], base: float) -> NDArray[np.float64]:
    branch_entropy = _entropy(table, base)  # [..., C]
    branch_size = table.sum(axis=-1)  # [..., C]
    total = branch_size.sum(axis=-1)
    weighted = (branch_size * branch_entropy).sum(axis=-1)
    return np.divide(weighted, total, out=np.zeros_like(weighted), where=total > 0)


def _information_gain(table: NDArray[np.float64], base: float) -> NDArray[np.float64]:
    gain = _entropy(table.sum(axis=-2), base) - _conditional_entropy(table, base)
    return np.maximum(gain, 0.0)  # remove rounding noise: I(X;Y) >= 0


def _split_information(table: NDArray[np.float64], base: float) -> NDArray[np.float64]:
    return _entropy(table.sum(axis=-1), base)


def _gain_ratio(table: NDArray[np.float64], base: float) -> NDArray[np.float64]:
    gain = _information_gain(table, base)
    split = _split_information(table, base)
    return np.divide(gain, split, out=np.zeros_like(gain), where=split > 0)


def _joint_entropy(table: NDArray[np.float64], base: float) -> NDArray[np.float64]:
    flat = table.reshape((*table.shape[:-2], table.shape[-2] * table.shape[-1]))
    return _entropy(flat, base)


def self_information(p: ArrayLike, *, base: float = 2) -> FloatOrArray:
    r"""Self-information (surprisal) of events with probability ``p``.

    .. math:: I(p) = -\log_b p

    Parameters
    ----------
    p : array_like
        Probabilities in ``[0, 1]``, elementwise. ``p = 0`` (an impossible event) gives
        ``inf`` without a warning.
    base : float, default 2
        Logarithm base (2: bits, e: nats).

    Returns
    -------
    float or ndarray
        The self-information, with the shape of ``p``.

    Raises
    ------
    ValueError
        If any probability is negative, greater than 1 or NaN.
    TypeError
        If ``p`` is not numeric.

    Examples
    --------
    >>> round(float(self_information(0.1)), 4)
    3.3219
    >>> round(float(self_information(0.9)), 4)
    0.152
    >>> self_information([0.5, 0.25, 1.0]).tolist()
    [1.0, 2.0, 0.0]
    """
    arr = _real_array(p, "p")
    if ((arr < 0) | (arr > 1)).any():
        raise ValueError("p must contain probabilities in [0, 1]")
    return _finish(np.where(arr > 0, 0.0 - _log(arr, base, where=arr > 0), np.inf))


def entropy(pk: ArrayLike, *, base: float = 2, axis: int = -1) -> FloatOrArray:
    r"""Shannon entropy of a distribution given as probabilities or counts.

    .. math:: H(P) = -\sum_k p_k \log_b p_k, \qquad p_k = c_k / \sum_j c_j

    ``pk`` is normalised along ``axis`` (as ``scipy.stats.entropy`` does), so counts and
    probabilities give the same result. The computation is batched over all other axes;
    ``0 · log 0 = 0`` and all-zero slices have entropy 0.

    Parameters
    ----------
    pk : array_like
        Non-negative probabilities or (possibly weighted) counts, at least 1-d.
    base : float, default 2
        Logarithm base (2: bits, e: nats).
    axis : int, default -1
        Axis holding the outcomes.

    Returns
    -------
    float or ndarray
        Entropy with ``axis`` removed (a float for 1-d input). An array with zero
        slices along the other axes gives an empty result.

    Raises
    ------
    ValueError
        If ``pk`` has negative, infinite or NaN entries, is empty along ``axis`` or is a
        scalar.
    TypeError
        If ``pk`` is not numeric.

    Examples
    --------
    >>> print(entropy([9, 5]))
    0.9402859586706311
    >>> entropy([[1, 1], [1, 0], [0, 0]]).tolist()
    [1.0, 0.0, 0.0]
    >>> import math
    >>> round(float(entropy([0.5, 0.25, 0.25], base=math.e)), 4)
    1.0397
    """
    counts = _nonnegative_array(pk, "pk")
    _axis_length(counts, axis, "pk")
    _check_base(base)
    return _finish(_entropy(_rescaled(counts, axis), base, axis))
