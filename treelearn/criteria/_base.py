"""The base of every split criterion: one abstract method, defaults written once."""

from __future__ import annotations

import abc

import numpy as np

from treelearn._tolerances import SCORE_TIE

__all__ = ["SplitCriterion"]


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

    @property
    def ranks_by_square_sums(self) -> bool:
        """Whether :meth:`square_sum_rank` computes :meth:`split_rank` from sums alone.

        A criterion whose rank depends on the class counts only through each side's
        total ``Σ_k c_k`` and sum of squares ``Σ_k c_k²`` (Gini) can be ranked without
        the ``[candidates, K]`` count tensors: with integer counts both sums are exact,
        so the rank is the very number :meth:`split_rank` returns. The builder then
        searches data with many classes in time independent of ``K``. False here.
        """
        return False

    def _ranks_by_mass_of(self, owner: type[SplitCriterion]) -> bool:
        """Whether candidates are ranked by ``owner``'s own :meth:`impurity_mass`.

        True when :meth:`split_rank` is the impurity-mass proxy written here and a
        subclass of ``owner`` has changed neither it nor ``owner.impurity_mass``: the
        condition under which ``owner``'s :meth:`square_sum_rank` returns the numbers
        :meth:`split_rank` would.
        """
        cls = type(self)
        return (
            cls.impurity_mass is owner.impurity_mass
            and cls.split_rank is SplitCriterion.split_rank
            and self.ranks_by_impurity_mass
        )

    def square_sum_rank(
        self,
        n_left: np.ndarray,
        squares_left: np.ndarray,
        n_right: np.ndarray,
        squares_right: np.ndarray,
    ) -> np.ndarray:
        """:meth:`split_rank` from each side's total and sum of squared class counts.

        Only called when :attr:`ranks_by_square_sums` is true; it must return, bit for
        bit, what :meth:`split_rank` returns for counts with these sums.
        """
        raise NotImplementedError(f"{type(self).__name__} does not rank by square sums")

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
