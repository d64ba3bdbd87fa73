"""The entropy family of contingency tables ``table[..., C, K]``.

Rows are the values of X (the branches of a split), columns the classes of Y; every
function is batched over the leading axes.
"""

from __future__ import annotations

from numpy.typing import ArrayLike

from treelearn.information._numeric import FloatOrArray, _finish
from treelearn.information._shannon import (
    _conditional_entropy,
    _gain_ratio,
    _information_gain,
    _joint_entropy,
    _split_information,
)
from treelearn.information._tables import _count_table
from treelearn.information._validation import _check_base


def joint_entropy_from_counts(table: ArrayLike, *, base: float = 2) -> FloatOrArray:
    r"""Joint entropy H(X, Y) of contingency tables ``table[..., C, K]``.

    .. math:: H(X, Y) = -\sum_{c,k} p_{ck} \log_b p_{ck},
              \qquad p_{ck} = n_{ck} / \sum_{c',k'} n_{c'k'}

    Parameters
    ----------
    table : array_like, shape (..., C, K)
        Non-negative (weighted) counts: rows are values of X, columns values of Y.
    base : float, default 2
        Logarithm base.

    Returns
    -------
    float or ndarray
        Shape ``table.shape[:-2]``; all-zero tables give 0.

    Examples
    --------
    >>> print(joint_entropy_from_counts([[1, 1], [1, 1]]))
    2.0
    """
    t = _count_table(table)
    _check_base(base)
    return _finish(_joint_entropy(t, base))


def conditional_entropy_from_counts(table: ArrayLike, *, base: float = 2) -> FloatOrArray:
    r"""Conditional entropy H(Y | X) of contingency tables ``table[..., C, K]``.

    .. math:: H(Y \mid X) = \sum_c \frac{n_c}{n} H(Y \mid X = c),
              \qquad n_c = \sum_k n_{ck}

    i.e. the size-weighted mean entropy of the rows (the branches of a split).

    Parameters
    ----------
    table : array_like, shape (..., C, K)
        Non-negative (weighted) counts: rows are values of X, columns classes of Y.
    base : float, default 2
        Logarithm base.

    Returns
    -------
    float or ndarray
        Shape ``table.shape[:-2]``; all-zero tables give 0.

    Examples
    --------
    >>> round(float(conditional_entropy_from_counts([[2, 3], [4, 0], [3, 2]])), 6)
    0.693536
    """
    t = _count_table(table)
    _check_base(base)
    return _finish(_conditional_entropy(t, base))


def information_gain_from_counts(table: ArrayLike, *, base: float = 2) -> FloatOrArray:
    r"""Information gain (mutual information) of contingency tables ``table[..., C, K]``.

    .. math:: IG = H(Y) - H(Y \mid X), \qquad H(Y) = H\Big(\sum_c n_{ck}\Big)

    This is the ID3 gain of splitting the class counts ``table.sum(-2)`` into the
    branches given by the rows. Rounding noise below 0 is clipped to 0.

    Parameters
    ----------
    table : array_like, shape (..., C, K)
        Non-negative (weighted) counts: rows are branches, columns classes.
    base : float, default 2
        Logarithm base.

    Returns
    -------
    float or ndarray
        Shape ``table.shape[:-2]``.

    Examples
    --------
    >>> round(float(information_gain_from_counts([[2, 3], [4, 0], [3, 2]])), 6)
    0.24675
    """
    t = _count_table(table)
    _check_base(base)
    return _finish(_information_gain(t, base))


def split_information_from_counts(table: ArrayLike, *, base: float = 2) -> FloatOrArray:
    r"""Split information (entropy of the branch sizes) of tables ``table[..., C, K]``.

    .. math:: SI = -\sum_c \frac{n_c}{n} \log_b \frac{n_c}{n},
              \qquad n_c = \sum_k n_{ck}

    Parameters
    ----------
    table : array_like, shape (..., C, K)
        Non-negative (weighted) counts: rows are branches, columns classes.
    base : float, default 2
        Logarithm base.

    Returns
    -------
    float or ndarray
        Shape ``table.shape[:-2]``.

    Examples
    --------
    >>> round(float(split_information_from_counts([[2, 3], [4, 0], [3, 2]])), 6)
    1.577406
    """
    t = _count_table(table)
    _check_base(base)
    return _finish(_split_information(t, base))


def gain_ratio_from_counts(table: ArrayLike, *, base: float = 2) -> FloatOrArray:
    r"""C4.5 gain ratio of contingency tables ``table[..., C, K]``.

    .. math:: GR = \frac{IG}{SI} = \frac{H(Y) - H(Y \mid X)}{H(X)}

    0 where the split information is exactly 0 (all cases in one branch): the
    mathematical definition, without the tolerance of
    :class:`treelearn.criteria.GainRatio` (see :mod:`treelearn.information`). The result
    does not depend on ``base`` (it is a ratio of two quantities in the same unit).

    Parameters
    ----------
    table : array_like, shape (..., C, K)
        Non-negative (weighted) counts: rows are branches, columns classes.
    base : float, default 2
        Logarithm base (accepted for uniformity).

    Returns
    -------
    float or ndarray
        Shape ``table.shape[:-2]``.

    Examples
    --------
    >>> round(float(gain_ratio_from_counts([[2, 3], [4, 0], [3, 2]])), 6)
    0.156428
    >>> print(gain_ratio_from_counts([[9, 5], [0, 0]]))
    0.0
    """
    t = _count_table(table)
    _check_base(base)
    return _finish(_gain_ratio(t, base))
