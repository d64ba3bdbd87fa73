"""Weka J48's arithmetic, shared by its two pruners (facts sheet §7–§9).

* :func:`normal_inverse` — Weka's ``Statistics.normalInverse`` (a port of Cephes'
  ``ndtri``), evaluated in Weka's order of operations;
* :func:`add_errors` — ``Stats.addErrs``, the pessimistic extra errors of a leaf, and
  :func:`estimated_errors` (``getEstimatedErrorsForDistribution``);
* :func:`max_class`, :func:`num_incorrect`, :func:`max_bag` — ``Distribution``'s
  choices, with J48's near-tie rules;
* :func:`sm_or_eq` — ``Utils.smOrEq``, J48's tolerant comparison
  (``J48_SMALL`` = Weka's ``Utils.SMALL``), and :func:`child_slots`, the split test as
  J48 applies it to training data (numeric thresholds compared with that tolerance);
* :func:`check_training_data` — the encoded data both pruners take.

Everything is vectorised over rows of class counts (or over entries).
"""

from __future__ import annotations

import functools
import math

import numpy as np

from treelearn._sparse_values import SparseColumns, is_sparse_columns
from treelearn._tolerances import J48_SMALL
from treelearn._tree import SPLIT_CATEGORICAL, SPLIT_NUMERIC, Tree

__all__ = [
    "JAVA_DOUBLE_MAX",
    "add_errors",
    "check_training_data",
    "child_slots",
    "estimated_errors",
    "max_bag",
    "max_class",
    "normal_inverse",
    "num_incorrect",
    "sm_or_eq",
]

#: Java's ``Double.MAX_VALUE``: J48's branch estimate when subtree raising is off.
JAVA_DOUBLE_MAX = float(np.finfo(np.float64).max)

# Cephes ndtri rational approximations (Moshier), as in Weka's Statistics.normalInverse.
_NDTRI_P0 = (
    -5.99633501014107895267e1,
    9.80010754185999661536e1,
    -5.66762857469070293439e1,
    1.39312609387279679503e1,
    -1.23916583867381258016e0,
)
_NDTRI_Q0 = (
    1.95448858338141759834e0,
    4.67627912898881538453e0,
    8.63602421390890590575e1,
    -2.25462687854119370527e2,
    2.00260212380060660359e2,
    -8.20372256168333339912e1,
    1.59056225126211695515e1,
    -1.18331621121330003142e0,
)
_NDTRI_P1 = (
    4.05544892305962419923e0,
    3.15251094599893866154e1,
    5.71628192246421288162e1,
    4.40805073893200834700e1,
    1.46849561928858024014e1,
    2.18663306850790267539e0,
    -1.40256079171354495875e-1,
    -3.50424626827848203418e-2,
    -8.57456785154685413611e-4,
)
_NDTRI_Q1 = (
    1.57799883256466749731e1,
    4.53907635128879210584e1,
    4.13172038254672030440e1,
    1.50425385692907503408e1,
    2.50464946208309415979e0,
    -1.42182922854787788574e-1,
    -3.80806407691578277194e-2,
    -9.33259480895457427372e-4,
)
_NDTRI_P2 = (
    3.23774891776946035970e0,
    6.91522889068984211695e0,
    3.93881025292474443415e0,
    1.33303460815807542389e0,
    2.01485389549179081538e-1,
    1.23716634817820021358e-2,
    3.01581553508235416007e-4,
    2.65806974686737550832e-6,
    6.23974539184983293730e-9,
)
_NDTRI_Q2 = (
    6.02427039364742014255e0,
    3.67983563856160859403e0,
    1.37702099489081330271e0,
    2.16236993594496635890e-1,
    1.34204006088543189037e-2,
    3.28014464682127739104e-4,
    2.89247864745380683936e-6,
    6.79019408009981274425e-9,
)


def _horner(x: float, coefs: tuple[float, ...], monic: bool = False) -> float:
    """Polynomial with coefficients highest degree first (``monic``: leading 1 implied)."""
    acc = x + coefs[0] if monic else coefs[0]
    for c in coefs[1:]:
        acc = acc * x + c
    return acc


def normal_inverse(p: float) -> float:
    """Inverse of the standard normal CDF, evaluated as Weka's Cephes port does.

    ``scipy.special.ndtri`` differs in the last bit for some arguments (0.75); this
    follows Weka's order of operations, e.g. ``normal_inverse(0.75) == 0.6744897501960816``.
    """
    if not 0.0 < p < 1.0:
        raise ValueError(f"p must be in (0, 1), got {p!r}.")
    exp_m2 = 0.13533528323661269189
    y, negate = p, True
    if y > 1.0 - exp_m2:
        y, negate = 1.0 - y, False
    if y > exp_m2:
        y = y - 0.5
        y2 = y * y
        x = y + y * (y2 * _horner(y2, _NDTRI_P0) / _horner(y2, _NDTRI_Q0, monic=True))
        return x * math.sqrt(2.0 * math.pi)
    x = math.sqrt(-2.0 * math.log(y))
    x0 = x - math.log(x) / x
    z = 1.0 / x
    if x < 8.0:
        x1 = z * _horner(z, _NDTRI_P1) / _horner(z, _NDTRI_Q1, monic=True)
    else:
        x1 = z * _horner(z, _NDTRI_P2) / _horner(z, _NDTRI_Q2, monic=True)
    x = x0 - x1
    return -x if negate else x


def _confidence_float(confidence: float) -> float:
    """J48 stores ``-C`` as a Java float: the value widened back to double."""
    return float(np.float32(confidence))


def _wilson_extra(N: np.ndarray, e: np.ndarray | float, z: float) -> np.ndarray:
    """Upper confidence bound minus observed errors (the ``e >= 1`` case of addErrs)."""
    f = (e + 0.5) / N
    r = (f + (z * z) / (2 * N) + z * np.sqrt((f / N) - (f * f / N) + (z * z / (4 * N * N)))) / (
        1 + (z * z) / N
    )
    return (r * N) - e


def add_errors(
    N: np.ndarray | float, e: np.ndarray | float, confidence: float = 0.25
) -> np.ndarray:
    """Weka's ``Stats.addErrs(N, e, CF)``: the pessimistic extra errors of a leaf.

    With ``CF`` the confidence factor rounded to a Java float and
    ``z = Φ⁻¹(1 − CF)`` (``1 − CF`` evaluated in float arithmetic, Cephes ``ndtri``):

    * ``CF > 0.5``: 0 (J48 warns and does not modify the estimate);
    * ``e < 1``: ``base = N·(1 − CF^(1/N))``; ``base`` if ``e == 0`` else
      ``base + e·(addErrs(N, 1) − base)`` (linear interpolation);
    * ``e + 0.5 >= N``: ``max(N − e, 0)``;
    * otherwise, with ``f = (e + 0.5)/N``, the upper Wilson bound with continuity
      correction ``r = (f + z²/(2N) + z·sqrt(f/N − f²/N + z²/(4N²))) / (1 + z²/N)``,
      and the result ``r·N − e``.

    Parameters
    ----------
    N : float or ndarray
        Weight of the cases at the leaf (positive).
    e : float or ndarray
        Weight of the misclassified cases (``0 <= e <= N``).
    confidence : float, default=0.25
        J48's ``-C``.

    Returns
    -------
    ndarray
        The extra errors, broadcast over ``N`` and ``e``.

    Examples
    --------
    >>> round(float(add_errors(6, 0)), 7)
    1.2377968
    >>> add_errors([14, 100], [5, 10]).round(7).tolist()
    [1.7611198, 2.7496115]
    """
    N = np.asarray(N, dtype=np.float64)
    e = np.asarray(e, dtype=np.float64)
    if N.shape != e.shape:
        N, e = np.broadcast_arrays(N, e)
    cf, z = _confidence_and_z(confidence)
    if cf > 0.5:
        return np.zeros(N.shape)
    with np.errstate(all="ignore"):
        out = np.where(e + 0.5 >= N, np.maximum(N - e, 0.0), _wilson_extra(N, e, z))
        small = e < 1
        if small.any():
            base = N * (1 - np.power(cf, 1 / N))
            if ((e != 0) & small).any():  # below 1 but not 0: interpolate to addErrs(N, 1)
                at_one = np.where(1.5 >= N, np.maximum(N - 1, 0.0), _wilson_extra(N, 1.0, z))
                base = np.where(e == 0, base, base + e * (at_one - base))
            out = np.where(small, base, out)
    return out


@functools.lru_cache(maxsize=32)
def _confidence_and_z(confidence: float) -> tuple[float, float]:
    """``CF`` as J48 stores it and ``z = Φ⁻¹(1 − CF)`` (``1 − CF`` in float arithmetic)."""
    cf = _confidence_float(confidence)
    if cf > 0.5:
        return cf, math.nan
    if not cf > 0:
        raise ValueError(f"confidence must be in (0, 1), got {confidence!r}.")
    return cf, normal_inverse(float(np.float32(1) - np.float32(confidence)))


def max_class(dist: np.ndarray, whole: bool = False) -> np.ndarray:
    """J48's ``Distribution.maxClass``: the first class whose weight beats the best by > 1e-6.

    Scanning classes in order, class ``c`` replaces the running best ``b`` only if
    ``dist[c] − dist[b] > J48_SMALL``, so near-ties go to the lowest class.

    Parameters
    ----------
    dist : ndarray of shape (m, n_classes)
        Weighted class counts, one row per node (or bag).
    whole : bool, default=False
        The caller knows every count is a whole number: two counts are then equal
        or at least 1 apart, so the scan's class is the first maximum (``argmax``;
        class 0 for a row of zeros) and no near-tie is looked for.

    Returns
    -------
    ndarray of intp of shape (m,)

    Examples
    --------
    >>> max_class(np.array([[1.0, 1.0 + 1e-7, 0.0], [0.0, 0.0, 2.0]])).tolist()
    [0, 2]
    """
    if not dist.size:
        return np.zeros(dist.shape[0], dtype=np.intp)
    best = np.argmax(dist, axis=1)
    if whole:
        return best
    # The first maximum is J48's class unless another class (or 0, where the scan
    # starts) is within twice J48's 1e-6 of it: those rows take J48's scan. With no
    # weight above 1e-6 the scan never moves from class 0.
    top = dist[np.arange(dist.shape[0]), best]
    faint = top <= J48_SMALL
    best[faint] = 0
    near = ((top[:, None] - dist <= 2 * J48_SMALL).sum(axis=1) > 1) | (top <= 2 * J48_SMALL)
    near &= ~faint
    if near.any():
        best[near] = _max_class_scan(dist[near])
    return best


def _max_class_scan(dist: np.ndarray) -> np.ndarray:
    """J48's scan over the classes, vectorised over rows (see :func:`max_class`)."""
    m = dist.shape[0]
    best = np.zeros(m, dtype=np.intp)
    best_w = np.zeros(m)
    for c in range(dist.shape[1]):
        better = dist[:, c] - best_w > J48_SMALL
        best_w = np.where(better, dist[:, c], best_w)
        best = np.where(better, c, best)
    return best


def num_incorrect(dist: np.ndarray, whole: bool = False) -> np.ndarray:
    """Training errors of a leaf: ``total − dist[maxClass]`` of each row of class counts
    (``whole``: every count is a whole number, see :func:`max_class`)."""
    return dist.sum(axis=1) - dist[np.arange(dist.shape[0]), max_class(dist, whole)]


def estimated_errors(dist: np.ndarray, cf: float, whole: bool = False) -> np.ndarray:
    """J48's ``getEstimatedErrorsForDistribution``: ``e + addErrs(N, e, CF)`` per row.

    ``N`` is the row's total and ``e`` its :func:`num_incorrect`; an empty row
    (``N ≈ 0`` within ``J48_SMALL``) estimates 0.

    Parameters
    ----------
    dist : ndarray of shape (m, n_classes)
    cf : float
        The confidence factor (J48's ``-C``).
    whole : bool, default=False
        Every count is a whole number (:func:`max_class`).

    Returns
    -------
    ndarray of shape (m,)

    Examples
    --------
    >>> estimated_errors(np.array([[6.0, 0.0], [0.0, 0.0]]), 0.25).round(7).tolist()
    [1.2377968, 0.0]
    """
    total = dist.sum(axis=1)
    e = num_incorrect(dist, whole)
    empty = (total == 0) | (np.abs(total) < J48_SMALL)
    safe_total = np.where(empty, 1.0, total)
    return np.where(empty, 0.0, e + add_errors(safe_total, np.where(empty, 0.0, e), cf))


def sm_or_eq(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Weka's ``Utils.smOrEq`` (``a ⪯ b``): ``a − b < J48_SMALL`` or ``a <= b``.

    Examples
    --------
    >>> sm_or_eq(np.array([1.0, 1.0 + 5e-7, 1.1]), np.array([1.0, 1.0, 1.0])).tolist()
    [True, True, False]
    """
    return (a - b < J48_SMALL) | (a <= b)


def max_bag(bags: np.ndarray, n_bags: np.ndarray) -> np.ndarray:
    """J48's ``Distribution.maxBag``: the heaviest bag, the last one among near-ties.

    Bags are scanned in order and bag ``b`` replaces the running best whenever its
    weight is ``⪰`` the best's (``best − w < J48_SMALL`` or ``w >= best``).

    Parameters
    ----------
    bags : ndarray of shape (m, width)
        Bag weights of ``m`` nodes; only the first ``n_bags[i]`` columns of row ``i``
        are bags.
    n_bags : ndarray of int of shape (m,)

    Returns
    -------
    ndarray of intp of shape (m,)
        The slot of the largest bag of each node.

    Examples
    --------
    >>> max_bag(np.array([[3.0, 3.0, 9.0], [1.0, 2.0, 9.0]]), np.array([2, 2])).tolist()
    [1, 1]
    """
    m = bags.shape[0]
    best = np.full(m, -1, dtype=np.intp)
    best_w = np.zeros(m)
    for b in range(bags.shape[1]):
        w = bags[:, b]
        better = (b < n_bags) & ((best_w - w < J48_SMALL) | (w >= best_w))
        best_w = np.where(better, w, best_w)
        best = np.where(better, b, best)
    return best


def child_slots(tree: Tree, src: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Child slot of each entry under the split of node ``src`` (``-1``: value unknown).

    The split test as J48 applies it to training data. Numeric: ``x ⪯ t`` (J48's
    ``x − t < 1e-6`` or ``x <= t``) goes to slot 0, else slot 1. Categorical: the
    node's routing table; a category without a branch counts as unknown.

    Parameters
    ----------
    tree : Tree
    src : ndarray of int of shape (n_entries,)
        The node whose split test each entry takes.
    x : ndarray of float of shape (n_entries,)
        Each entry's value of that node's feature (``NaN`` = missing).

    Returns
    -------
    ndarray of intp of shape (n_entries,)
    """
    kind = tree.split_kind[src]
    unknown = np.isnan(x)
    if (kind == SPLIT_NUMERIC).all():  # one pass over all entries, no masks
        t = tree.threshold[src]
        with np.errstate(over="ignore"):  # near the float maximum: +-inf compares right
            slot = np.where((x - t < J48_SMALL) | (x <= t), 0, 1)
        slot[unknown] = -1
        return slot
    slot = np.full(x.shape, -1, dtype=np.intp)
    known = ~unknown
    num = known & (kind == SPLIT_NUMERIC)
    if num.any():
        xv, t = x[num], tree.threshold[src[num]]
        with np.errstate(over="ignore"):  # near the float maximum: +-inf compares right
            slot[num] = np.where((xv - t < J48_SMALL) | (xv <= t), 0, 1)
    cat = known & (kind == SPLIT_CATEGORICAL)
    if cat.any():
        pair = tree.category_index.find(src[cat], x[cat])
        slot[cat] = np.where(pair >= 0, tree.category_branch[np.maximum(pair, 0)], -1)
    return slot


def check_training_data(
    tree: Tree, X: np.ndarray | SparseColumns, y: np.ndarray, w: np.ndarray | None
) -> tuple[np.ndarray | SparseColumns, np.ndarray, np.ndarray]:
    """Validate the data a J48 pruner takes for ``tree``.

    Parameters
    ----------
    tree : Tree
    X : array-like of shape (n_samples, tree.n_features)
        The encoded matrix (numeric values, category codes, ``NaN`` = missing).
    y : array-like of int of shape (n_samples,)
        Class codes ``0 .. tree.n_classes - 1``.
    w : array-like of shape (n_samples,) or None
        Sample weights; ``None`` is all ones.

    Returns
    -------
    X : ndarray of float64
    y : ndarray of intp
    w : ndarray of float64

    Raises
    ------
    ValueError
        For a wrong shape, codes out of range or non-integer codes.
    """
    if not is_sparse_columns(X):  # sparse training data stays sparse
        X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y)
    if X.ndim != 2 or X.shape[1] != tree.n_features:
        raise ValueError(
            f"X must be the encoded matrix with {tree.n_features} columns; got shape {X.shape}."
        )
    if y.shape != (X.shape[0],):
        raise ValueError(f"y must have shape ({X.shape[0]},); got {y.shape}.")
    out_of_range = y.size > 0 and (y.min() < 0 or y.max() >= tree.n_classes)
    if not np.issubdtype(y.dtype, np.integer) or out_of_range:
        raise ValueError(f"y must hold class codes 0 .. {tree.n_classes - 1}.")
    w = np.ones(X.shape[0]) if w is None else np.asarray(w, dtype=np.float64)
    if w.shape != (X.shape[0],):
        raise ValueError(f"w must have shape ({X.shape[0]},); got {w.shape}.")
    return X, y.astype(np.intp), w
