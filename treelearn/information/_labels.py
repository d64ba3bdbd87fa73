"""The entropy family of label arrays, with optional sample weights.

Each function builds the weighted contingency table of its arguments
(:func:`._tables._contingency`) and applies a kernel of :mod:`._shannon`.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from treelearn.information._numeric import _finish
from treelearn.information._shannon import (
    _conditional_entropy,
    _entropy,
    _gain_ratio,
    _information_gain,
    _joint_entropy,
)
from treelearn.information._tables import _check_sample_weight, _contingency, _encode_labels
from treelearn.information._validation import _check_base

_LABELS_DOC = """
    Labels may be numpy arrays, lists, pandas Series (including strings, categoricals
    and object dtype); pandas objects are taken by position, their index is ignored.
    Missing labels (NaN, None, pd.NA) raise a ValueError: drop or impute them first.
    ``sample_weight`` (non-negative, positive sum) weights each row; integer weights are
    equivalent to duplicated rows."""


def joint_entropy(
    x: ArrayLike, y: ArrayLike, *, sample_weight: ArrayLike | None = None, base: float = 2
) -> float:
    r"""Joint entropy H(X, Y) of two label arrays.

    .. math:: H(X, Y) = -\sum_{x,y} p(x, y) \log_b p(x, y)

    Parameters
    ----------
    x, y : array_like of shape (n,)
        Labels.
    sample_weight : array_like of shape (n,), optional
        Row weights.
    base : float, default 2
        Logarithm base.

    Returns
    -------
    float

    Raises
    ------
    ValueError
        On different lengths, empty input, missing labels or bad weights.

    Notes
    -----{labels}

    Examples
    --------
    >>> print(joint_entropy(["a", "a", "b", "b"], [0, 1, 0, 1]))
    2.0
    """
    _check_base(base)
    return _finish(_joint_entropy(_contingency(x, y, sample_weight, ("x", "y")), base))


def conditional_entropy(
    y: ArrayLike, x: ArrayLike, *, sample_weight: ArrayLike | None = None, base: float = 2
) -> float:
    r"""Conditional entropy H(Y | X) of label array ``y`` given label array ``x``.

    .. math:: H(Y \mid X) = \sum_x p(x) H(Y \mid X = x) = H(X, Y) - H(X)

    Parameters
    ----------
    y : array_like of shape (n,)
        Labels whose remaining uncertainty is measured.
    x : array_like of shape (n,)
        Conditioning labels.
    sample_weight : array_like of shape (n,), optional
        Row weights.
    base : float, default 2
        Logarithm base.

    Returns
    -------
    float

    Notes
    -----{labels}

    Examples
    --------
    >>> print(conditional_entropy(["a", "b", "a", "b"], [0, 0, 1, 1]))
    1.0
    >>> print(conditional_entropy(["a", "b", "a", "b"], [0, 1, 0, 1]))
    0.0
    """
    _check_base(base)
    return _finish(_conditional_entropy(_contingency(x, y, sample_weight, ("x", "y")), base))


def mutual_information(
    x: ArrayLike, y: ArrayLike, *, sample_weight: ArrayLike | None = None, base: float = 2
) -> float:
    r"""Mutual information I(X; Y) of two label arrays.

    .. math:: I(X; Y) = \sum_{x,y} p(x,y) \log_b \frac{p(x,y)}{p(x)p(y)}
              = H(Y) - H(Y \mid X)

    Symmetric and non-negative (rounding noise below 0 is clipped). With ``base=math.e``
    it equals ``sklearn.metrics.mutual_info_score``.

    Parameters
    ----------
    x, y : array_like of shape (n,)
        Labels.
    sample_weight : array_like of shape (n,), optional
        Row weights.
    base : float, default 2
        Logarithm base.

    Returns
    -------
    float

    Notes
    -----{labels}

    Examples
    --------
    >>> print(mutual_information([0, 0, 1, 1], ["a", "a", "b", "b"]))
    1.0
    """
    _check_base(base)
    return _finish(_information_gain(_contingency(x, y, sample_weight, ("x", "y")), base))


def information_gain(
    y: ArrayLike, x: ArrayLike, *, sample_weight: ArrayLike | None = None, base: float = 2
) -> float:
    r"""ID3 information gain of splitting labels ``y`` by the values of feature ``x``.

    .. math:: IG(Y, X) = H(Y) - H(Y \mid X) = H(Y) - \sum_x \frac{n_x}{n} H(Y \mid X = x)

    Parameters
    ----------
    y : array_like of shape (n,)
        Class labels.
    x : array_like of shape (n,)
        Feature values (one branch per distinct value).
    sample_weight : array_like of shape (n,), optional
        Row weights.
    base : float, default 2
        Logarithm base.

    Returns
    -------
    float

    Notes
    -----{labels}

    Examples
    --------
    >>> play = ["no", "no", "yes", "yes", "yes", "no", "yes",
    ...         "no", "yes", "yes", "yes", "yes", "yes", "no"]
    >>> outlook = ["sunny", "sunny", "overcast", "rainy", "rainy", "rainy", "overcast",
    ...            "sunny", "sunny", "rainy", "sunny", "overcast", "overcast", "rainy"]
    >>> round(float(information_gain(play, outlook)), 6)
    0.24675
    """
    _check_base(base)
    return _finish(_information_gain(_contingency(x, y, sample_weight, ("x", "y")), base))


def split_information(
    x: ArrayLike, *, sample_weight: ArrayLike | None = None, base: float = 2
) -> float:
    r"""Split information of feature ``x``: the entropy of its branch sizes, H(X).

    .. math:: SI(X) = -\sum_x \frac{n_x}{n} \log_b \frac{n_x}{n}

    Parameters
    ----------
    x : array_like of shape (n,)
        Feature values (one branch per distinct value).
    sample_weight : array_like of shape (n,), optional
        Row weights.
    base : float, default 2
        Logarithm base.

    Returns
    -------
    float

    Notes
    -----{labels}

    Examples
    --------
    >>> print(split_information(["a", "a", "b", "c"]))
    1.5
    """
    codes, n_levels = _encode_labels(x, "x")
    w = _check_sample_weight(sample_weight, len(codes), "x")
    _check_base(base)
    sizes = np.bincount(codes, weights=w, minlength=n_levels).astype(np.float64)
    return _finish(_entropy(sizes, base))


def gain_ratio(
    y: ArrayLike, x: ArrayLike, *, sample_weight: ArrayLike | None = None, base: float = 2
) -> float:
    r"""C4.5 gain ratio of splitting labels ``y`` by the values of feature ``x``.

    .. math:: GR(Y, X) = \frac{IG(Y, X)}{SI(X)} = \frac{H(Y) - H(Y \mid X)}{H(X)}

    0 when the split information is exactly 0 (``x`` has a single value): the
    mathematical definition, without the tolerance of
    :class:`treelearn.criteria.GainRatio` (see :mod:`treelearn.information`).

    Parameters
    ----------
    y : array_like of shape (n,)
        Class labels.
    x : array_like of shape (n,)
        Feature values (one branch per distinct value).
    sample_weight : array_like of shape (n,), optional
        Row weights.
    base : float, default 2
        Logarithm base (the ratio does not depend on it).

    Returns
    -------
    float

    Notes
    -----{labels}

    Examples
    --------
    >>> print(gain_ratio(["a", "b", "a", "b"], [0, 1, 0, 1]))
    1.0
    >>> print(gain_ratio(["a", "b", "a", "b"], [0, 0, 0, 0]))
    0.0
    """
    _check_base(base)
    return _finish(_gain_ratio(_contingency(x, y, sample_weight, ("x", "y")), base))


for _func in (
    joint_entropy,
    conditional_entropy,
    mutual_information,
    information_gain,
    split_information,
    gain_ratio,
):
    if _func.__doc__:  # None under python -OO
        _func.__doc__ = _func.__doc__.replace("{labels}", _LABELS_DOC)
del _func
