"""Divergences between distributions: Kullback-Leibler and Jensen-Shannon (nats)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from treelearn.information._numeric import FloatOrArray, _finish, _log
from treelearn.information._validation import _check_base, _distribution


def _kl(p: NDArray[np.float64], q: NDArray[np.float64], base: float, axis: int) -> NDArray:
    """Σ p log(p/q) on validated distributions; inf where p > 0 = q."""
    both = (p > 0) & (q > 0)
    with np.errstate(over="ignore"):  # p / q overflows when q is subnormal
        ratio = np.divide(p, q, out=np.ones_like(p), where=both)
    log_ratio = _log(ratio, base, where=both)
    huge = np.isinf(ratio)
    if huge.any():
        log_ratio[huge] = _log(p[huge], base) - _log(q[huge], base)
    terms = p * log_ratio
    terms[(p > 0) & (q == 0)] = np.inf
    return np.maximum(terms.sum(axis=axis), 0.0)  # rounding noise: KL >= 0


def _distribution_pair(
    p: Any, q: Any, axis: int
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    p_arr, q_arr = np.asarray(p), np.asarray(q)
    if p_arr.shape != q_arr.shape:
        raise ValueError(f"p and q must have the same shape, got {p_arr.shape} and {q_arr.shape}")
    return _distribution(p_arr, "p", axis), _distribution(q_arr, "q", axis)


def kl_divergence(
    p: ArrayLike, q: ArrayLike, *, base: float = math.e, axis: int = -1
) -> FloatOrArray:
    r"""Kullback-Leibler divergence :math:`D_{KL}(P \parallel Q)`.

    .. math:: D_{KL}(P \parallel Q) = \sum_k p_k \log_b \frac{p_k}{q_k}

    Terms with :math:`p_k = 0` are 0; a :math:`q_k = 0` where :math:`p_k > 0` makes the
    divergence ``inf`` (no warning is emitted). Batched over the other axes. Equals
    ``scipy.special.rel_entr(p, q).sum()`` in nats; rounding noise below 0 is clipped.

    Parameters
    ----------
    p, q : array_like
        Probability distributions along ``axis``: same shape, non-negative, each summing
        to 1 (within ``_SUM_TOL``, see :mod:`treelearn.information`; then renormalised
        to remove rounding error).
    base : float, default e
        Logarithm base (nats by default).
    axis : int, default -1
        Axis holding the outcomes.

    Returns
    -------
    float or ndarray

    Raises
    ------
    ValueError
        If the shapes differ, or either argument has negative entries or does not sum
        to 1 along ``axis``.

    Examples
    --------
    >>> P, Q = [0.2, 0.4, 0.4], [0.4, 0.2, 0.4]
    >>> round(float(kl_divergence(P, Q)), 4)
    0.1386
    >>> round(float(kl_divergence(P, Q, base=2)), 4)
    0.2
    >>> print(kl_divergence([0.5, 0.5], [1.0, 0.0]))
    inf
    """
    _check_base(base)
    p_arr, q_arr = _distribution_pair(p, q, axis)
    return _finish(_kl(p_arr, q_arr, base, axis))


def js_divergence(
    p: ArrayLike, q: ArrayLike, *, base: float = math.e, axis: int = -1
) -> FloatOrArray:
    r"""Jensen-Shannon divergence of two distributions.

    .. math:: JS(P, Q) = \tfrac12 D_{KL}(P \parallel M) + \tfrac12 D_{KL}(Q \parallel M),
              \qquad M = \tfrac12 (P + Q)

    Symmetric, finite, and between 0 and :math:`\log_b 2` (1 bit, ln 2 nats).
    ``scipy.spatial.distance.jensenshannon`` returns its square root.

    Parameters
    ----------
    p, q : array_like
        Probability distributions along ``axis`` (validated as in
        :func:`kl_divergence`).
    base : float, default e
        Logarithm base (nats by default).
    axis : int, default -1
        Axis holding the outcomes.

    Returns
    -------
    float or ndarray

    Examples
    --------
    >>> P, Q = [0.2, 0.4, 0.4], [0.4, 0.2, 0.4]
    >>> round(float(js_divergence(P, Q)), 4)
    0.034
    >>> print(js_divergence([1.0, 0.0], [0.0, 1.0], base=2))
    1.0
    """
    _check_base(base)
    p_arr, q_arr = _distribution_pair(p, q, axis)
    m = 0.5 * (p_arr + q_arr)
    js = 0.5 * (_kl(p_arr, m, base, axis) + _kl(q_arr, m, base, axis))
    upper = math.log(2.0) / _check_base(base)
    return _finish(np.minimum(js, upper))
