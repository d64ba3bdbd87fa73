"""The classic criteria: ID3's information gain, C4.5's gain ratio, CART's Gini."""

from __future__ import annotations

import numpy as np

from treelearn import information
from treelearn._tolerances import J48_SMALL
from treelearn.criteria._base import SplitCriterion

__all__ = ["GainRatio", "Gini", "InformationGain"]


class InformationGain(SplitCriterion):
    """ID3's criterion: entropy impurity, split score = information gain.

    ``H(p) = -Σ_k p_k log2 p_k`` and ``gain = H(parent) - Σ_b (n_b/n) H(child_b)``.

    >>> crit = InformationGain()
    >>> round(float(crit.impurity([9, 5])), 4)
    0.9403
    >>> round(float(crit.split_score([9, 5], [[2, 3], [4, 0], [3, 2]])), 4)
    0.2467
    """

    name = "entropy"
    impurity_label = "entropy"
    score_label = "gain"
    unit = "bits"
    concave = True

    def impurity(self, counts: np.ndarray) -> np.ndarray:
        """Entropy in bits of the class counts (see :func:`treelearn.information.entropy`)."""
        # the builder's counts are trusted: the unchecked kernel of information.entropy
        return information._entropy(np.asarray(counts, dtype=np.float64), 2)


class GainRatio(InformationGain):
    """C4.5's criterion: information gain divided by split information.

    Thresholds of a numeric feature are ranked by gain; features are compared by
    ``gain ratio = gain / split_info`` where ``split_info`` is the entropy of the
    branch weights with the cases of unknown value as one more branch. Only
    features whose gain is at least the average gain of the node's valid
    candidates (less ``average_slack``) compete, and a later feature must beat the
    current best ratio by more than ``tolerance`` (Quinlan's C4.5, as J48 runs it).

    Parameters
    ----------
    average_slack : float, default=1e-3
        Slack on the "gain at least average" filter.
    tolerance : float, default=1e-6
        A feature replaces the current best only if its ratio is larger by this.

    >>> crit = GainRatio()
    >>> gain = InformationGain().split_score([9, 5], [[2, 3], [4, 0], [3, 2]])
    >>> round(float(crit.feature_score(gain, np.array([5.0, 4, 5]), 0.0)), 4)
    0.1564
    """

    name = "gain_ratio"
    score_label = "gain ratio"

    def __init__(self, average_slack: float = 1e-3, tolerance: float = J48_SMALL):
        self.average_slack = average_slack
        self.tolerance = tolerance

    def feature_score(
        self,
        gain: np.ndarray,
        branch_weights: np.ndarray,
        missing_weight: np.ndarray,
    ) -> np.ndarray:
        """``gain / H(branch weights, missing weight)``; 0 where split information is 0."""
        branch_weights = np.asarray(branch_weights, dtype=np.float64)
        missing = np.asarray(missing_weight, dtype=np.float64)[..., None]
        missing = np.broadcast_to(missing, (*branch_weights.shape[:-1], 1))
        parts = np.concatenate([branch_weights, missing], axis=-1)
        # trusted weights (the builder's and the pruner's): the unchecked kernel
        split_info = information._entropy(information._rescaled(parts, -1), 2)
        safe = np.where(split_info > self.tolerance, split_info, 1.0)
        return np.where(split_info > self.tolerance, gain / safe, 0.0)

    def select_feature(
        self,
        gains: np.ndarray,
        scores: np.ndarray,
        valid: np.ndarray,
        in_average: np.ndarray | None = None,
    ) -> np.ndarray:
        """C4.5's choice: best ratio among features with gain >= average gain - slack.

        The average runs over ``in_average`` (default: the valid candidates). The
        running comparison goes through the features in index order (one step
        per feature, vectorised over nodes); a node with no ratio above
        ``tolerance`` gets ``-1``.
        """
        if in_average is None:
            in_average = valid
        n_valid = in_average.sum(axis=1)
        total = np.where(in_average, gains, 0.0).sum(axis=1)
        average = np.where(n_valid > 0, total / np.maximum(n_valid, 1), np.inf)
        eligible = valid & (gains >= (average - self.average_slack)[:, None])
        best = np.full(gains.shape[0], -1, dtype=np.intp)
        best_score = np.zeros(gains.shape[0])
        for j in range(gains.shape[1]):
            better = eligible[:, j] & (scores[:, j] - best_score > self.tolerance)
            best[better] = j
            best_score[better] = scores[better, j]
        return best


class Gini(SplitCriterion):
    """CART's criterion: Gini impurity ``1 - Σ_k p_k²``; score = impurity decrease.

    >>> crit = Gini()
    >>> round(float(crit.impurity([9, 5])), 4)
    0.4592
    """

    name = "gini"
    impurity_label = "gini"
    score_label = "Δgini"
    concave = True

    def impurity(self, counts: np.ndarray) -> np.ndarray:
        """Gini impurity of the class counts (see :func:`treelearn.information.gini_impurity`)."""
        return information._gini(np.asarray(counts, dtype=np.float64))

    @property
    def ranks_by_square_sums(self) -> bool:
        """True unless a subclass changes the impurity or how candidates are ranked."""
        return type(self).impurity is Gini.impurity and self._ranks_by_mass_of(Gini)

    def square_sum_rank(
        self,
        n_left: np.ndarray,
        squares_left: np.ndarray,
        n_right: np.ndarray,
        squares_right: np.ndarray,
    ) -> np.ndarray:
        """``-(n_L·gini(L) + n_R·gini(R))`` from the sums: :meth:`split_rank`'s numbers."""
        gini_left = information._gini_from_sums(n_left, squares_left)
        gini_right = information._gini_from_sums(n_right, squares_right)
        shape = np.shape(gini_left)
        if not (
            isinstance(gini_left, np.ndarray)
            and isinstance(gini_right, np.ndarray)
            and np.shape(n_left) == shape == np.shape(n_right) == gini_right.shape
        ):
            return -(n_left * gini_left + n_right * gini_right)
        # in place (the split search's candidates): the same products and sum
        gini_left *= n_left
        gini_right *= n_right
        gini_left += gini_right
        return np.negative(gini_left, out=gini_left)
