"""Information-theory measures on probability vectors, count arrays and label arrays.

Pure numpy functions with no knowledge of trees: the split criteria in
:mod:`treelearn.criteria` call the count-table forms on class-count tensors of shape
``[..., K]`` or ``[..., C, K]``, so every measure is batched over leading axes, runs
without Python loops and never emits a ``RuntimeWarning`` (``0 · log 0 = 0``).

Units follow SciPy and PyTorch: the entropy family is in **bits** (``base=2``) by
default, the losses and divergences are in **nats** (``base=math.e``). Every function
that takes a logarithm accepts ``base`` (any real number greater than 1).

Entropy family (bits by default)
    - :func:`self_information` -- ``-log p`` of an event.
    - :func:`entropy` -- Shannon entropy of probabilities or counts.
    - :func:`joint_entropy`, :func:`conditional_entropy`, :func:`mutual_information`,
      :func:`information_gain`, :func:`split_information`, :func:`gain_ratio` -- of label
      arrays (numpy, lists, pandas Series or categoricals), with optional sample weights.
    - :func:`joint_entropy_from_counts`, :func:`conditional_entropy_from_counts`,
      :func:`information_gain_from_counts`, :func:`split_information_from_counts`,
      :func:`gain_ratio_from_counts` -- the same measures of contingency tables
      ``table[..., C, K]`` (``C`` values of X / branches, ``K`` classes of Y).

Impurity without a logarithm
    - :func:`gini_impurity` -- ``1 - Σ p²``.

Losses and divergences (nats by default, PyTorch / SciPy semantics)
    - :func:`cross_entropy` -- ``torch.nn.CrossEntropyLoss`` (logits, class indices or
      class probabilities, ``weight``, ``ignore_index``, ``label_smoothing``).
    - :func:`binary_cross_entropy` -- ``torch.nn.BCELoss`` (probabilities).
    - :func:`binary_cross_entropy_with_logits` -- ``torch.nn.BCEWithLogitsLoss``.
    - :func:`multilabel_soft_margin_loss` -- ``torch.nn.MultiLabelSoftMarginLoss``.
    - :func:`kl_divergence` -- ``KL(p ‖ q)``; :func:`js_divergence` -- Jensen-Shannon
      divergence (the square of ``scipy.spatial.distance.jensenshannon``).

Bad input (negative probabilities or counts, distributions that do not sum to 1,
mismatched lengths or shapes, non-numeric values where numbers are required, empty
input, missing labels) raises a ``ValueError`` or ``TypeError`` naming the problem.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "conditional_entropy",
    "conditional_entropy_from_counts",
    "cross_entropy",
    "entropy",
    "gain_ratio",
    "gain_ratio_from_counts",
    "gini_impurity",
    "information_gain",
    "information_gain_from_counts",
    "joint_entropy",
    "joint_entropy_from_counts",
    "js_divergence",
    "kl_divergence",
    "multilabel_soft_margin_loss",
    "mutual_information",
    "self_information",
    "split_information",
    "split_information_from_counts",
]

#: Absolute tolerance on ``Σ p = 1`` for arguments that must be distributions.
_SUM_TOL = 1e-6
#: PyTorch's ``BCELoss`` clamps each log term at -100 (nats).
_BCE_LOG_CLAMP = -100.0
_REDUCTIONS = ("none", "mean", "sum")
#: Counts or weights above this are rescaled first so that their sums cannot overflow.
_HUGE = 1e200

FloatOrArray = float | NDArray[np.float64]


# --------------------------------------------------------------------------- helpers


def _check_base(base: Any) -> float:
    """Validate a logarithm base and return ``ln(base)``."""
    if isinstance(base, bool) or not isinstance(base, int | float | np.integer | np.floating):
        raise TypeError(f"base must be a real number, got {type(base).__name__}")
    if not (math.isfinite(base) and base > 1):
        raise ValueError(f"base must be a finite number greater than 1, got {base!r}")
    return math.log(base)


def _log(x: NDArray[np.float64], base: float, where: NDArray[np.bool_] | None = None) -> NDArray:
    """Elementwise logarithm in ``base``; 0 where ``where`` is False (no warnings).

    Bases 2, e and 10 use the dedicated numpy functions (exact for powers of the base).
    """
    ln_base = _check_base(base)
    func = {2.0: np.log2, math.e: np.log, 10.0: np.log10}.get(float(base))
    if where is None:  # plain (fast) ufunc loop, same memory layout as x
        out = func(x) if func is not None else np.log(x)
        if func is None:
            out /= ln_base
        return out
    out = np.zeros(np.shape(x), dtype=np.float64)
    kwargs = {"where": where}
    if func is None:
        np.log(x, out=out, **kwargs)
        out /= ln_base
    else:
        func(x, out=out, **kwargs)
    return out


def _from_nats(value: Any, base: float) -> Any:
    """Convert a value in nats into units of ``base``."""
    ln_base = _check_base(base)
    return value if ln_base == 1.0 else value / ln_base


def _finish(value: Any) -> Any:
    """Return 0-d results as numpy scalars (``np.float64``), arrays unchanged."""
    arr = np.asarray(value, dtype=np.float64)
    return arr[()] if arr.ndim == 0 else arr


def _real_array(x: Any, name: str) -> NDArray[np.float64]:
    """Convert to a float64 array; TypeError when not real numbers, ValueError on NaN."""
    if isinstance(x, str | bytes):
        raise TypeError(f"{name} must be numeric, got a string")
    try:
        arr = np.asarray(x)
    except (TypeError, ValueError) as exc:  # ragged nested sequences and the like
        raise ValueError(f"{name} could not be converted to an array: {exc}") from None
    if arr.dtype.kind not in "biuf":
        if arr.dtype.kind != "O":
            raise TypeError(f"{name} must be numeric, got an array of dtype {arr.dtype}")
        try:
            arr = arr.astype(np.float64)
        except (TypeError, ValueError):
            raise TypeError(f"{name} must be numeric, got non-numeric objects") from None
    arr = arr.astype(np.float64, copy=False)
    if np.isnan(arr).any():
        raise ValueError(f"{name} contains NaN")
    return arr


def _nonnegative_array(x: Any, name: str, *, min_ndim: int = 1) -> NDArray[np.float64]:
    """Finite, non-negative float64 array of at least ``min_ndim`` dimensions."""
    arr = _real_array(x, name)
    if arr.ndim < min_ndim:
        raise ValueError(f"{name} must have at least {min_ndim} dimension(s), got {arr.ndim}")
    if not np.isfinite(arr).all():
        raise ValueError(f"{name} contains infinite values")
    if (arr < 0).any():
        raise ValueError(f"{name} contains negative values")
    return arr


def _axis_length(arr: NDArray, axis: int, name: str) -> int:
    """Length of ``axis`` (numpy's AxisError, a ValueError, when out of bounds)."""
    n = arr.shape[np.lib.array_utils.normalize_axis_index(axis, arr.ndim)]
    if n == 0:
        raise ValueError(f"{name} is empty along axis {axis}")
    return n


def _rescaled(counts: NDArray[np.float64], axis: int | tuple[int, ...]) -> NDArray[np.float64]:
    """Counts divided by their maximum over ``axis`` when they are so large that sums could
    overflow (every measure of counts here is scale-invariant); unchanged otherwise."""
    if counts.size == 0 or counts.max() <= _HUGE:
        return counts
    top = counts.max(axis=axis, keepdims=True)
    return np.divide(counts, top, out=np.zeros_like(counts), where=top > 0)


def _normalise(counts: NDArray[np.float64], axis: int) -> NDArray[np.float64]:
    """Divide by the sum along ``axis``; all-zero slices stay all zero."""
    total = counts.sum(axis=axis, keepdims=True)
    return counts / np.where(total > 0, total, 1.0)


def _distribution(p: Any, name: str, axis: int) -> NDArray[np.float64]:
    """Validate a probability distribution along ``axis``; return it renormalised.

    Entries must be finite and non-negative and sum to 1 within 1e-6; the returned array
    is divided by its sums so that rounding error in the input does not leak through.
    """
    arr = _real_array(p, name)
    if arr.ndim == 0:
        raise ValueError(f"{name} must be a probability vector, got a scalar")
    _axis_length(arr, axis, name)
    if not np.isfinite(arr).all():
        raise ValueError(f"{name} contains infinite values")
    if (arr < 0).any():
        raise ValueError(f"{name} contains negative probabilities")
    total = arr.sum(axis=axis, keepdims=True)
    bad = np.abs(total - 1.0) > _SUM_TOL
    if bad.any():
        worst = float(total.flat[np.argmax(np.abs(total - 1.0))])
        raise ValueError(
            f"{name} is not a probability distribution: it does not sum to 1 along "
            f"axis {axis} (sum = {worst!r})"
        )
    return arr / total


def _check_reduction(reduction: str) -> None:
    if reduction not in _REDUCTIONS:
        raise ValueError(f"reduction must be 'none', 'mean' or 'sum', got {reduction!r}")


def _reduce(loss: NDArray[np.float64], reduction: str) -> FloatOrArray:
    if reduction == "none":
        return _finish(loss)
    if reduction == "sum":
        return _finish(loss.sum())
    return _finish(loss.mean())


def _broadcast_weight(weight: Any, shape: tuple[int, ...], name: str) -> NDArray[np.float64]:
    """Non-negative weights broadcast (without changing it) to ``shape``."""
    w = _nonnegative_array(weight, name, min_ndim=0)
    try:
        return np.broadcast_to(w, shape)
    except ValueError:
        raise ValueError(
            f"{name} of shape {w.shape} cannot be broadcast to the input shape {shape}"
        ) from None


def _binary_targets(target: Any, shape: tuple[int, ...]) -> NDArray[np.float64]:
    """Targets of the binary losses: same shape as the input, values in [0, 1]."""
    t = _real_array(target, "target")
    if t.shape != shape:
        raise ValueError(f"target shape {t.shape} does not match input shape {shape}")
    if ((t < 0) | (t > 1)).any():
        raise ValueError(
            "target values must lie in [0, 1] (PyTorch returns a meaningless, possibly "
            "negative loss for such targets; treelearn rejects them)"
        )
    return t


# ----------------------------------------------------------- labels -> count tables


def _encode_labels(values: Any, name: str) -> tuple[NDArray[np.intp], int]:
    """Integer codes ``0..n_levels-1`` for a 1-d array of hashable labels."""
    if isinstance(values, pd.DataFrame):
        raise ValueError(f"{name} must be 1-dimensional, got a DataFrame")
    if isinstance(values, pd.Series | pd.Index | pd.Categorical | pd.api.extensions.ExtensionArray):
        data: Any = values
    elif isinstance(values, str | bytes) or not isinstance(values, Iterable):
        raise TypeError(f"{name} must be a 1-d array-like of labels, got {type(values).__name__}")
    else:
        data = values if isinstance(values, np.ndarray) else np.asarray(list(values), dtype=object)
        if data.ndim != 1:
            raise ValueError(f"{name} must be 1-dimensional, got shape {data.shape}")
    if len(data) == 0:
        raise ValueError(f"{name} is empty")
    try:
        codes, uniques = pd.factorize(data)
    except TypeError as exc:
        raise TypeError(f"{name} must contain hashable labels: {exc}") from None
    if (codes < 0).any():
        raise ValueError(
            f"{name} contains missing values (NaN/None/pd.NA); drop or impute them first"
        )
    return codes, len(uniques)


def _check_sample_weight(sample_weight: Any, n: int, name: str) -> NDArray[np.float64] | None:
    if sample_weight is None:
        return None
    w = _nonnegative_array(sample_weight, "sample_weight")
    if w.ndim != 1:
        raise ValueError(f"sample_weight must be 1-dimensional, got shape {w.shape}")
    if len(w) != n:
        raise ValueError(
            f"sample_weight has length {len(w)} but {name} has length {n}; they must match"
        )
    if not w.any():
        raise ValueError("sample_weight must have a positive sum")
    return _rescaled(w, 0)


def _contingency(x: Any, y: Any, sample_weight: Any, names: tuple[str, str]) -> NDArray[np.float64]:
    """Weighted contingency table ``[C, K]``: rows are values of ``x``, columns of ``y``."""
    cx, n_x = _encode_labels(x, names[0])
    cy, n_y = _encode_labels(y, names[1])
    if len(cx) != len(cy):
        raise ValueError(
            f"{names[0]} and {names[1]} have different lengths: {len(cx)} and {len(cy)}"
        )
    w = _check_sample_weight(sample_weight, len(cx), names[0])
    flat = np.bincount(cx * n_y + cy, weights=w, minlength=n_x * n_y)
    return flat.astype(np.float64).reshape(n_x, n_y)


def _count_table(table: Any) -> NDArray[np.float64]:
    """Validate a contingency table ``[..., C, K]`` of non-negative counts."""
    t = _nonnegative_array(table, "table", min_ndim=2)
    if t.shape[-2] == 0 or t.shape[-1] == 0:
        raise ValueError(f"table must have at least one row and one column, got shape {t.shape}")
    return _rescaled(t, (-2, -1))


# ------------------------------------------------- formulas on validated count arrays


def _entropy(counts: NDArray[np.float64], base: float, axis: int = -1) -> NDArray[np.float64]:
    # the split criteria call this on millions of count rows: plain ufuncs (no masked
    # ``where=`` loops), log of 1 standing in for log of 0 so that 0 · log 0 = 0
    p = _normalise(counts, axis)
    return 0.0 - (p * _log(np.where(p > 0, p, 1.0), base)).sum(axis=axis)


def _gini(counts: NDArray[np.float64], axis: int = -1) -> NDArray[np.float64]:
    # 1 - Σ c² / n², summed before dividing (the order scikit-learn uses, so that
    # impurities and cost-complexity alphas agree with it to the last bit)
    total = counts.sum(axis=axis)
    if total.size == 0 or total.min() >= 1e-150:  # the common case: no special slice
        squares = (counts * counts).sum(axis=axis)
        return np.maximum(1.0 - squares / (total * total), 0.0)
    tiny = (total > 0) & (total < 1e-150)
    if tiny.any():  # c² would underflow: use those slices' proportions instead
        divisor = np.expand_dims(np.where(tiny, total, 1.0), axis)
        counts = counts / divisor  # a division: 1 / total could overflow
        total = counts.sum(axis=axis)
    squares = (counts * counts).sum(axis=axis)
    safe = np.where(total > 0, total, 1.0)
    return np.where(total > 0, np.maximum(1.0 - squares / (safe * safe), 0.0), 0.0)


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


# ----------------------------------------------------------------- entropy family


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
    >>> round(float(entropy([0.5, 0.25, 0.25], base=math.e)), 4)
    1.0397
    """
    counts = _nonnegative_array(pk, "pk")
    _axis_length(counts, axis, "pk")
    _check_base(base)
    return _finish(_entropy(_rescaled(counts, axis), base, axis))


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


# ------------------------------------------------------------- count-table forms


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

    0 where the split information is 0 (all cases in one branch). The result does not
    depend on ``base`` (it is a ratio of two quantities in the same unit).

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


# --------------------------------------------------------------- label-array forms

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

    0 when the split information is 0 (``x`` has a single value).

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


# -------------------------------------------------------------------------- losses


def _log_softmax(x: NDArray[np.float64], axis: int) -> NDArray[np.float64]:
    """Stable ``log softmax`` along ``axis``: ``z - log Σ exp z`` with ``z = x - max x``."""
    z = x - x.max(axis=axis, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=axis, keepdims=True))


def cross_entropy(
    input: ArrayLike,
    target: ArrayLike,
    *,
    weight: ArrayLike | None = None,
    ignore_index: int = -100,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
    base: float = math.e,
) -> FloatOrArray:
    r"""Cross-entropy loss of logits, with ``torch.nn.CrossEntropyLoss`` semantics.

    With :math:`\log q = \operatorname{log\,softmax}(x)` over the class axis (axis 1, or
    axis 0 for a single sample of shape ``(C,)``), smoothing :math:`\varepsilon` and class
    weights :math:`w`, the loss at each position is

    .. math::
        \ell = (1 - \varepsilon)\,(-w_t \log q_t)
               + \frac{\varepsilon}{C} \sum_c (-w_c \log q_c)

    for a class-index target :math:`t`, and
    :math:`\ell = -\sum_c w_c \tilde p_c \log q_c` with
    :math:`\tilde p = (1 - \varepsilon) p + \varepsilon / C` for class-probability targets.

    Parameters
    ----------
    input : array_like, shape (C,), (N, C) or (N, C, d1, ...)
        Unnormalised, finite logits.
    target : array_like
        Class indices of shape ``()``, ``(N,)`` or ``(N, d1, ...)`` (the input shape
        without the class axis; integers or integral floats in ``[0, C)`` or equal to
        ``ignore_index``), or class probabilities with the same shape as ``input``
        (non-negative, summing to 1 over the class axis within 1e-6).
    weight : array_like of shape (C,), optional
        Non-negative weight per class.
    ignore_index : int, default -100
        Index targets equal to it contribute loss 0 and are left out of the 'mean'
        (index targets only).
    reduction : {'mean', 'sum', 'none'}, default 'mean'
        'mean' over index targets is :math:`\sum \ell / \sum w_{t}` over non-ignored
        positions (``nan``, without a warning, when that denominator is 0, as in
        PyTorch); over probability targets it divides by the number of positions.
    label_smoothing : float in [0, 1], default 0
        Amount of smoothing :math:`\varepsilon`.
    base : float, default e
        Logarithm base of the result (nats by default).

    Returns
    -------
    float or ndarray
        A scalar for 'mean'/'sum'; for 'none' the per-position losses (target shape).

    Raises
    ------
    ValueError
        On shape mismatch, non-finite logits, index targets out of range, invalid
        probability targets, bad weights, smoothing or reduction.
    TypeError
        On non-numeric input.

    Examples
    --------
    >>> logits = [[2.0, 0.5, -1.0], [0.1, 0.2, 3.0]]
    >>> round(float(cross_entropy(logits, [0, 2])), 4)
    0.1755
    >>> cross_entropy(logits, [0, -100], reduction="none").round(4).tolist()
    [0.2413, 0.0]
    """
    _check_reduction(reduction)
    _check_base(base)
    if isinstance(label_smoothing, bool) or not (0.0 <= label_smoothing <= 1.0):
        raise ValueError(f"label_smoothing must be in [0, 1], got {label_smoothing!r}")
    x = _real_array(input, "input")
    if x.ndim == 0:
        raise ValueError("input must have a class axis (shape (C,), (N, C) or (N, C, ...))")
    if x.size == 0:
        raise ValueError(f"input is empty (shape {x.shape})")
    if not np.isfinite(x).all():
        raise ValueError("input logits must be finite")
    class_axis = 0 if x.ndim == 1 else 1
    n_classes = x.shape[class_axis]
    w_shape = [1] * x.ndim
    w_shape[class_axis] = n_classes
    if weight is None:
        w = np.ones(n_classes)
    else:
        w = _nonnegative_array(weight, "weight")
        if w.shape != (n_classes,):
            raise ValueError(f"weight must have shape ({n_classes},), got {w.shape}")
    log_q = _log_softmax(x, class_axis)
    eps = float(label_smoothing)

    t = np.asarray(target)
    if t.shape == x.shape:  # class probabilities
        p = _distribution(t, "target", class_axis)
        if eps > 0:
            p = p * (1.0 - eps) + eps / n_classes
        loss = 0.0 - (p * w.reshape(w_shape) * log_q).sum(axis=class_axis)
        if reduction == "mean":
            return _finish(_from_nats(loss.sum() / (x.size / n_classes), base))
        return _reduce(_from_nats(loss, base), reduction)

    index_shape = x.shape[:class_axis] + x.shape[class_axis + 1 :]
    if t.shape != index_shape:
        raise ValueError(
            f"target shape {t.shape} matches neither the class-index shape {index_shape} "
            f"nor the class-probability shape {x.shape} for input of shape {x.shape}"
        )
    t_float = _real_array(t, "target")
    if (t_float != np.round(t_float)).any() or not np.isfinite(t_float).all():
        raise ValueError("class-index target must contain integers")
    idx = t_float.astype(np.int64)
    keep = idx != ignore_index
    if ((idx < 0) | (idx >= n_classes))[keep].any():
        raise ValueError(
            f"target contains class indices outside [0, {n_classes}) "
            f"(other than ignore_index={ignore_index})"
        )
    safe = np.where(keep, idx, 0)
    log_q_t = np.take_along_axis(log_q, np.expand_dims(safe, class_axis), axis=class_axis)
    log_q_t = np.squeeze(log_q_t, axis=class_axis)
    w_t = np.where(keep, w[safe], 0.0)
    loss = (1.0 - eps) * (-w_t * log_q_t)
    if eps > 0:
        smooth = 0.0 - (w.reshape(w_shape) * log_q).sum(axis=class_axis)
        loss = loss + (eps / n_classes) * smooth
    loss = np.where(keep, loss, 0.0)
    if reduction == "mean":
        denominator = w_t.sum()
        mean = loss.sum() / denominator if denominator > 0 else np.nan
        return _finish(_from_nats(mean, base))
    return _reduce(_from_nats(loss, base), reduction)


def binary_cross_entropy(
    input: ArrayLike,
    target: ArrayLike,
    *,
    weight: ArrayLike | None = None,
    reduction: str = "mean",
    base: float = math.e,
) -> FloatOrArray:
    r"""Binary cross-entropy of probabilities, with ``torch.nn.BCELoss`` semantics.

    .. math:: \ell = -w\,[\,t \max(\log x, -100) + (1 - t) \max(\log(1 - x), -100)\,]

    The logarithms are clamped at -100 (nats) as in PyTorch, so ``x`` of exactly 0 or 1
    gives a finite loss.

    Parameters
    ----------
    input : array_like
        Predicted probabilities in ``[0, 1]``.
    target : array_like
        Targets in ``[0, 1]``, same shape as ``input``. (PyTorch silently returns a
        meaningless, possibly negative loss for targets outside ``[0, 1]``; they raise a
        ValueError here.)
    weight : array_like, optional
        Non-negative weights broadcastable to the input shape.
    reduction : {'mean', 'sum', 'none'}, default 'mean'
        'mean' is the plain mean of the weighted losses.
    base : float, default e
        Logarithm base of the result (nats by default).

    Returns
    -------
    float or ndarray

    Examples
    --------
    >>> round(float(binary_cross_entropy([0.9, 0.2], [1, 0])), 4)
    0.1643
    >>> print(binary_cross_entropy([0.0], [1.0]))
    100.0
    """
    _check_reduction(reduction)
    _check_base(base)
    x = _real_array(input, "input")
    if x.size == 0:
        raise ValueError("input is empty")
    if ((x < 0) | (x > 1)).any():
        raise ValueError("input must contain probabilities in [0, 1]")
    t = _binary_targets(target, x.shape)
    with np.errstate(divide="ignore"):
        log_x = np.maximum(np.log(x), _BCE_LOG_CLAMP)
        log_1mx = np.maximum(np.log1p(-x), _BCE_LOG_CLAMP)
    loss = 0.0 - (t * log_x + (1.0 - t) * log_1mx)
    if weight is not None:
        loss = loss * _broadcast_weight(weight, x.shape, "weight")
    return _reduce(_from_nats(loss, base), reduction)


def _bce_with_logits(
    x: NDArray[np.float64],
    t: NDArray[np.float64],
    weight: Any,
    pos_weight: Any,
) -> NDArray[np.float64]:
    """Elementwise BCE-with-logits in nats on validated arrays."""
    # softplus(±x) = max(±x, 0) + log1p(exp(-|x|)): never overflows, exact at |x| = 1000.
    with np.errstate(under="ignore"):
        tail = np.log1p(np.exp(-np.abs(x)))
    softplus_pos = np.maximum(x, 0.0) + tail  # -log(1 - sigmoid(x))
    softplus_neg = np.maximum(-x, 0.0) + tail  # -log(sigmoid(x))
    if pos_weight is None:
        loss = (1.0 - t) * softplus_pos + t * softplus_neg
    else:
        pw = _broadcast_weight(pos_weight, x.shape, "pos_weight")
        loss = (1.0 - t) * softplus_pos + pw * t * softplus_neg
    if weight is not None:
        loss = loss * _broadcast_weight(weight, x.shape, "weight")
    return loss


def binary_cross_entropy_with_logits(
    input: ArrayLike,
    target: ArrayLike,
    *,
    weight: ArrayLike | None = None,
    pos_weight: ArrayLike | None = None,
    reduction: str = "mean",
    base: float = math.e,
) -> FloatOrArray:
    r"""Binary cross-entropy of logits, with ``torch.nn.BCEWithLogitsLoss`` semantics.

    .. math::
        \ell = w\,[\,p\,t \operatorname{softplus}(-x) + (1 - t)\operatorname{softplus}(x)\,]
        = w\,[\,\max(x, 0) - x t + \log(1 + e^{-|x|})\,] \quad (p = 1)

    computed as ``max(±x, 0) + log1p(exp(-|x|))``, which is finite and exact even at
    ``|x| = 1000``.

    Parameters
    ----------
    input : array_like
        Finite logits.
    target : array_like
        Targets in ``[0, 1]``, same shape as ``input`` (others raise a ValueError).
    weight : array_like, optional
        Non-negative weights broadcastable to the input shape.
    pos_weight : array_like, optional
        Non-negative weight :math:`p` of the positive term, broadcast from the right
        (one per class along the last axis).
    reduction : {'mean', 'sum', 'none'}, default 'mean'
    base : float, default e
        Logarithm base of the result (nats by default).

    Returns
    -------
    float or ndarray

    Examples
    --------
    >>> binary_cross_entropy_with_logits([1000.0, -1000.0], [0, 0], reduction="none").tolist()
    [1000.0, 0.0]
    >>> round(float(binary_cross_entropy_with_logits([0.0], [1.0])), 4)
    0.6931
    """
    _check_reduction(reduction)
    _check_base(base)
    x = _real_array(input, "input")
    if x.size == 0:
        raise ValueError("input is empty")
    if not np.isfinite(x).all():
        raise ValueError("input logits must be finite")
    t = _binary_targets(target, x.shape)
    loss = _bce_with_logits(x, t, weight, pos_weight)
    return _reduce(_from_nats(loss, base), reduction)


def multilabel_soft_margin_loss(
    input: ArrayLike,
    target: ArrayLike,
    *,
    weight: ArrayLike | None = None,
    reduction: str = "mean",
    base: float = math.e,
) -> FloatOrArray:
    r"""Multi-label soft-margin loss, with ``torch.nn.MultiLabelSoftMarginLoss`` semantics.

    For each sample, the mean over its ``C`` classes (last axis) of the weighted binary
    cross-entropy of the logits:

    .. math::
        \ell_n = -\frac{1}{C} \sum_c w_c\,[\,t_{nc} \log\sigma(x_{nc})
                 + (1 - t_{nc}) \log(1 - \sigma(x_{nc}))\,]

    then reduced over the samples.

    Parameters
    ----------
    input : array_like, shape (C,) or (N, C)
        Finite logits; the last axis holds the classes.
    target : array_like
        Targets in ``[0, 1]`` of the same shape.
    weight : array_like of shape (C,), optional
        Non-negative weight per class.
    reduction : {'mean', 'sum', 'none'}, default 'mean'
        Over samples; 'none' returns one loss per sample.
    base : float, default e
        Logarithm base of the result (nats by default).

    Returns
    -------
    float or ndarray

    Examples
    --------
    >>> round(float(multilabel_soft_margin_loss([[0.0, 2.0]], [[1, 1]])), 4)
    0.41
    """
    _check_reduction(reduction)
    _check_base(base)
    x = _real_array(input, "input")
    if x.ndim == 0:
        raise ValueError("input must have a class axis (shape (C,) or (N, C))")
    if x.size == 0:
        raise ValueError("input is empty")
    if not np.isfinite(x).all():
        raise ValueError("input logits must be finite")
    t = _binary_targets(target, x.shape)
    per_sample = _bce_with_logits(x, t, weight, None).mean(axis=-1)
    return _reduce(_from_nats(per_sample, base), reduction)


# ---------------------------------------------------------------------- divergences


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
        to 1 within 1e-6 (then renormalised to remove rounding error).
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
