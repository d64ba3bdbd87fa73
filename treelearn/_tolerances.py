"""The numerical tolerances of treelearn's rules, each named once.

Every comparison that is not exact uses one of these; a rule that needs one imports
it from here rather than writing the number again.
"""

from __future__ import annotations

import numpy as np

#: Weka's ``Utils.SMALL``: the absolute tolerance of J48's comparisons of weights,
#: gains and proportions (``a ⪯ b`` is ``a - b < J48_SMALL or a <= b``). C4.5's
#: growth rules, pruning and missing-value fan-out (copies into branches whose share
#: is at most this are dropped) all use it.
J48_SMALL = 1e-6

#: J48's collapse: a subtree whose training errors are not below its root's by more
#: than this is collapsed into a leaf (``ClassifierTree.collapse``).
J48_COLLAPSE_SLACK = 1e-3

#: Relative size of a difference in split scores that counts as rounding, not a
#: difference: candidates within ``SCORE_TIE * scale`` of the best are ties, won by
#: the lowest threshold (within a feature) or the lowest feature index.
SCORE_TIE = 1e-12

#: A node whose training weight is at most this many times the smallest training row
#: weight is *empty* (it received no whole case): it predicts with its parent's
#: distribution (``Tree.is_empty``).
EMPTY_WEIGHT = 1e-6

#: Machine epsilon of float64: slack on ``min_impurity_decrease`` (as scikit-learn).
FLOAT_EPS = float(np.finfo(np.float64).eps)

#: Slack on ``min_weight_fraction_leaf``: a side within this fraction of the total
#: weight below the limit passes (prefix sums and direct sums round differently).
WEIGHT_FRACTION_SLACK = 1e-12

#: rpart's floor on a split's improvement, relative to the largest improvement seen
#: so far in the fit: a split improving less is rounding, not a split (rpart's
#: ``bsplit``).
RPART_IMPROVE = 1e-10

#: Slack on sample counts made of weights (``missing_values="fractional"`` counts a
#: row's copies as shares that add up to the row): a count within this of a
#: ``min_samples_leaf``/``min_samples_split`` limit passes. Whole-row counts are
#: integers, which it does not affect.
SAMPLE_SLACK = 1e-9
#: A surrogate split is kept only if its adjusted agreement exceeds this (rpart's
#: ``surrogate``: an ``adj`` above zero by rounding alone is no surrogate).
RPART_SURROGATE_ADJ = 1e-10

#: A share of a node's weight (a surrogate's agreement and adjusted agreement) is a
#: ratio of sums taken in different orders: it may exceed 1 by rounding alone
#: (1.0000000000000002 under rescaled weights). Model files accept it up to this.
SHARE_ROUNDING = 1e-12


def rank_rounding(n: np.ndarray, n_classes: int) -> np.ndarray:
    """How far apart rounding alone can put two evaluations of one split's rank at
    nodes of ``n`` samples: numpy's ``-(n_L·H(L) + n_R·H(R))`` and a compiled
    kernel's ``-(Σ_sides n·log2 n − Σ_k c_k·log2 c_k)`` from a table of ``x·log2 x``.

    ``2·eps·n·((10 + K/2)·log2 n + 6K + 1)``, twice the worst case of the two: the
    table's form sums ``2K + 2`` terms of up to ``n·log2 n``, each within 4.5 ulps
    (numpy's ``log2`` is within 4), cancelling to a rank of order ``n``; numpy's
    form rounds ``p·log2 p`` terms that add up to at most ``log2 K`` per sample.
    At 1M rows and 3 classes it is 1.1e-7, a tenth of the ``SCORE_TIE · n`` tie
    band (below a quarter for every K < 12 up to 10^8 rows). A compiled search whose
    winner has a rival this close to the band's edge hands the node to numpy, so
    both choose the same split (:mod:`treelearn._numba_kernels`).
    """
    n = np.maximum(np.asarray(n, dtype=np.float64), 1.0)
    k = float(n_classes)
    return 2.0 * FLOAT_EPS * n * ((10.0 + k / 2.0) * np.log2(n) + 6.0 * k + 1.0)


def outweighs(a: np.ndarray, b: np.ndarray | float, total: np.ndarray) -> np.ndarray:
    """Whether weight ``a`` is heavier than ``b`` by more than rounding: ``a - b >
    SCORE_TIE * total``.

    The one rule for comparing two sums of the same real weights taken in different
    orders (a node's sides, a category's two directions, a node's weight and its
    known weight): a difference within :data:`SCORE_TIE` times their ``total`` is a
    tie, so that the order of the training rows does not decide. Integer weights
    (exact sums) compare as they are.
    """
    return a - b > SCORE_TIE * total


def first_tied(scores: np.ndarray, tolerance: float | np.ndarray, axis: int = -1) -> np.ndarray:
    """The first candidate along ``axis`` whose score is within ``tolerance`` of the best.

    The tie rule of every dense choice among candidates (:data:`SCORE_TIE`): scores
    that differ by rounding alone (sums taken in another order, the children of a
    two-way split swapped) are ties, won by the lowest index, so that the winner does
    not depend on the order in which the training rows were summed. NaN scores never
    win; where no score is finite (or all are NaN) the index is that of the first
    candidate, as ``argmax`` gives.

    Parameters
    ----------
    scores : ndarray
        Scores, higher is better (``-inf``: not a candidate).
    tolerance : float or ndarray
        Scores at least ``best - tolerance`` are ties; an array broadcasts against
        ``scores`` with ``axis`` removed.
    axis : int, default=-1

    Returns
    -------
    ndarray of int
        ``scores``'s shape without ``axis``.
    """
    best = np.fmax.reduce(scores, axis=axis, keepdims=True)  # NaN only when all are
    tol = np.asarray(tolerance, dtype=np.float64)
    if tol.ndim:
        tol = np.expand_dims(tol, axis)
    return np.argmax(scores >= best - tol, axis=axis)
