"""Split criteria: what "the best split" means.

A :class:`SplitCriterion` is stateless array math over *class-count tensors*
(weighted counts, last axis = classes). It never sees rows of ``X``, nodes or
features: the builder hands it the counts of every candidate split of every node
at once and it returns one score per candidate.

The contract, vectorised over any leading axes ``...``:

* :meth:`SplitCriterion.impurity` ``counts[..., K] -> [...]`` (the one method a
  subclass must write);
* :meth:`SplitCriterion.children_impurity` ``children[..., C, K] -> [...]``, the
  children's impurities averaged by their weights (written once, here);
* :meth:`SplitCriterion.split_score` ``(parent[..., K], children[..., C, K]) -> [...]``,
  by default the impurity decrease ``impurity(parent) - children_impurity(children)``;
* :meth:`SplitCriterion.split_rank` ranks the two-way candidates of one node as
  ``split_score`` would, by a cheaper proxy where one provably exists (written once,
  here);
* :meth:`SplitCriterion.feature_score` turns the best split of each feature into
  the number features are compared on (gain ratio divides by split information);
* :meth:`SplitCriterion.select_feature` picks the winning feature of every node
  from ``[n_nodes, n_features]`` tables (C4.5's "gain at least average" filter lives
  here).

A user-defined criterion is a small subclass. Say ``concave = True`` when the
impurity is a concave function of the class proportions (entropy, Gini, Tsallis,
misclassification error...): the builder then scores numeric thresholds only where
the class changes (Fayyad & Irani's boundary points), which finds the same split
2-3 times faster. Without it every threshold is scored:

>>> import numpy as np
>>> class Misclassification(SplitCriterion):
...     name = "misclassification"
...     concave = True  # 1 - max_k p_k is concave: only boundary points are scored
...     def impurity(self, counts):
...         counts = np.asarray(counts, dtype=float)
...         total = counts.sum(axis=-1)
...         safe = np.where(total > 0, total, 1.0)
...         return np.where(total > 0, 1.0 - counts.max(axis=-1) / safe, 0.0)
>>> crit = Misclassification()
>>> float(crit.impurity([8, 2]))
0.2
>>> float(crit.split_score([8, 2], [[6, 0], [2, 2]]))
0.0

Overriding :meth:`SplitCriterion.split_score`, :meth:`~SplitCriterion.impurity_decrease`
or :meth:`~SplitCriterion.children_impurity` is part of the contract: the builder then
ranks candidate thresholds by that score (:meth:`SplitCriterion.split_rank`), so the
split it reports is the one the criterion scores best.
"""

from __future__ import annotations

import abc

import numpy as np

from treelearn import information
from treelearn._tolerances import J48_SMALL, SCORE_TIE

__all__ = [
    "CRITERIA",
    "GainRatio",
    "Gini",
    "InformationGain",
    "SplitCriterion",
    "get_criterion",
]


class SplitCriterion(abc.ABC):
    """Base class of split criteria: impurity of class counts and split scores.

    Subclasses implement :meth:`impurity`; everything else has a default written
    once here. All methods are vectorised over leading axes.

    Attributes
    ----------
    name : str
        Name shown in exports and comparisons.
    impurity_label : str
        What the impurity is called in tree pictures (``"entropy"``, ``"gini"``).
    score_label : str
        What the split score is called (``"gain"``, ``"gain ratio"``, ``"Δgini"``).
    unit : str
        Unit of impurity and score (``"bits"`` for entropy), or ``""``.
    """

    name: str = "custom"
    impurity_label: str = "impurity"
    score_label: str = "Δimpurity"
    unit: str = ""
    #: Set to True when the impurity is a concave function of the class
    #: proportions (entropy, Gini, Tsallis, misclassification error...). The
    #: builder then scores numeric thresholds only where the class changes
    #: (Fayyad & Irani's boundary points), which finds the same best split.
    concave: bool = False

    @abc.abstractmethod
    def impurity(self, counts: np.ndarray) -> np.ndarray:
        """Impurity of class counts ``counts[..., K]``; shape ``[...]``."""

    def impurity_mass(self, counts: np.ndarray) -> np.ndarray:
        """Impurity times weight, ``n · impurity(counts)`` with ``n = Σ_k counts[..., k]``."""
        counts = np.asarray(counts, dtype=np.float64)
        return counts.sum(axis=-1) * self.impurity(counts)

    def children_impurity(self, children: np.ndarray) -> np.ndarray:
        """Weighted mean impurity of children ``children[..., C, K]``.

        ``Σ_b (n_b / n) · impurity(children[..., b, :])`` where ``n_b`` is the
        weight of child ``b`` and ``n = Σ_b n_b``; 0 where ``n = 0``.
        """
        children = np.asarray(children, dtype=np.float64)
        total = children.sum(axis=(-2, -1))
        weighted = self.impurity_mass(children).sum(axis=-1)
        safe = np.where(total > 0, total, 1.0)
        return np.where(total > 0, weighted / safe, 0.0)

    @property
    def ranks_by_impurity_mass(self) -> bool:
        """Whether :meth:`split_rank` may use the children's impurity mass alone.

        True when the split score is the impurity decrease written here (none of
        :meth:`split_score`, :meth:`impurity_decrease`, :meth:`children_impurity`
        is overridden): then ``-(n_L·i(L) + n_R·i(R)) = n·split_score - n·i(parent)``
        orders the candidates of a node exactly as :meth:`split_score` does.
        """
        cls = type(self)
        return (
            cls.split_score is SplitCriterion.split_score
            and cls.impurity_decrease is SplitCriterion.impurity_decrease
            and cls.children_impurity is SplitCriterion.children_impurity
        )

    def split_rank(self, left: np.ndarray, right: np.ndarray) -> np.ndarray:
        """Rank of two-way candidates ``left[..., K] | right[..., K]``; higher is better.

        The builder chooses among the thresholds of one feature at one node by this
        rank (the node's counts are ``left + right``), and reports the winner's
        :meth:`split_score`; so the rank must order the candidates that share a
        parent exactly as :meth:`split_score` does. It is in units of weight ×
        score: ranks within ``1e-12 · n`` (``n`` the node's weight) of the best are
        ties, won by the lowest threshold.

        The default is ``n · split_score(left + right, [left, right])``, or, when
        :attr:`ranks_by_impurity_mass`, the cheaper ``-(n_L·i(L) + n_R·i(R))``, which
        differs from it by ``n·i(parent)``, the same for all candidates of a node.
        Override it only together with :meth:`split_score`, with a cheaper
        expression of the same order.
        """
        if self.ranks_by_impurity_mass:
            return -(self.impurity_mass(left) + self.impurity_mass(right))
        left, right = np.asarray(left, dtype=np.float64), np.asarray(right, dtype=np.float64)
        parent = left + right
        children = np.stack([left, right], axis=-2)
        return parent.sum(axis=-1) * self.split_score(parent, children)

    def impurity_decrease(
        self,
        parent: np.ndarray,
        children: np.ndarray,
        parent_impurity: np.ndarray | None = None,
    ) -> np.ndarray:
        """``impurity(parent) - children_impurity(children)``.

        ``parent_impurity`` may be passed when already known (the builder computes
        it once per node instead of once per candidate).
        """
        if parent_impurity is None:
            parent_impurity = self.impurity(np.asarray(parent, dtype=np.float64))
        return parent_impurity - self.children_impurity(children)

    def split_score(
        self,
        parent: np.ndarray,
        children: np.ndarray,
        parent_impurity: np.ndarray | None = None,
    ) -> np.ndarray:
        """Score of splitting ``parent[..., K]`` into ``children[..., C, K]``; higher is better.

        The default is the impurity decrease. Candidate thresholds of one feature at
        one node are ranked by :meth:`split_rank` (which orders them as this score
        does), category groupings by this score itself.
        """
        return self.impurity_decrease(parent, children, parent_impurity)

    def feature_score(
        self,
        gain: np.ndarray,
        branch_weights: np.ndarray,
        missing_weight: np.ndarray,
    ) -> np.ndarray:
        """Score that features are compared on, from each feature's best split.

        Parameters
        ----------
        gain : ndarray of shape (...)
            The best split score of the feature at the node (already scaled by the
            fraction of known values).
        branch_weights : ndarray of shape (..., C)
            Known weight sent to each branch.
        missing_weight : ndarray of shape (...)
            Weight of the cases whose value is missing.

        The default returns ``gain`` unchanged.
        """
        return gain

    def select_feature(
        self,
        gains: np.ndarray,
        scores: np.ndarray,
        valid: np.ndarray,
        in_average: np.ndarray | None = None,
    ) -> np.ndarray:
        """Index of the winning feature of every node, ``-1`` where none is valid.

        ``gains``, ``scores`` and ``valid`` have shape ``(n_nodes, n_features)``.
        The default takes the highest score; ties go to the lowest feature index.
        ``in_average`` (C4.5) marks the candidates that count in a node's average
        gain; the default rule ignores it.
        """
        masked = np.where(valid, scores, -np.inf)
        top = masked.max(axis=1, keepdims=True)
        # scores equal up to rounding are ties, won by the lowest feature index
        tied = masked >= top - SCORE_TIE * np.maximum(np.abs(top), 1.0)
        best = np.argmax(tied, axis=1)
        return np.where(valid.any(axis=1), best, -1)

    def __repr__(self) -> str:
        params = ", ".join(f"{k}={v!r}" for k, v in vars(self).items())
        return f"{type(self).__name__}({params})"

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other) and vars(self) == vars(other)

    def __hash__(self) -> int:
        return hash((type(self).__name__, tuple(sorted(vars(self).items()))))


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
        split_info = information.entropy(parts, base=2)
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


CRITERIA: dict[str, type[SplitCriterion]] = {
    "entropy": InformationGain,
    "log_loss": InformationGain,
    "information_gain": InformationGain,
    "gain_ratio": GainRatio,
    "gini": Gini,
}


def get_criterion(criterion: str | SplitCriterion) -> SplitCriterion:
    """Return the :class:`SplitCriterion` named by ``criterion`` (or ``criterion`` itself).

    >>> get_criterion("gini")
    Gini()

    Raises
    ------
    ValueError
        For an unknown name (the message lists the accepted names).
    TypeError
        For an object that is neither a name nor a :class:`SplitCriterion`.
    """
    if isinstance(criterion, SplitCriterion):
        return criterion
    if isinstance(criterion, str):
        try:
            return CRITERIA[criterion]()
        except KeyError:
            names = ", ".join(repr(n) for n in CRITERIA)
            raise ValueError(
                f"Unknown criterion {criterion!r}; accepted names are {names}, "
                "or pass a SplitCriterion instance."
            ) from None
    raise TypeError(
        "criterion must be a name or a SplitCriterion instance, "
        f"got {type(criterion).__name__}: {criterion!r}"
    )
