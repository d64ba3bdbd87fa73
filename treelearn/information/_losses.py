"""Losses with PyTorch semantics, in nats by default.

Cross-entropy of logits (class indices or class probabilities, class weights,
``ignore_index``, label smoothing), binary cross-entropy of probabilities and of
logits, and the multi-label soft-margin loss. Each takes ``reduction`` ('none',
'mean', 'sum') and ``base``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from treelearn.information._numeric import FloatOrArray, _finish, _from_nats
from treelearn.information._validation import (
    _check_base,
    _distribution,
    _nonnegative_array,
    _real_array,
)

#: PyTorch's ``BCELoss`` clamps each log term at -100 (nats).
_BCE_LOG_CLAMP = -100.0
_REDUCTIONS = ("none", "mean", "sum")


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
        (non-negative, summing to 1 over the class axis within ``_SUM_TOL``, see
        :mod:`treelearn.information`).
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
