"""Growth rules: which nodes may split, which children are admissible, which split wins.

The level loop of :mod:`treelearn._builder` and the split searches of
:mod:`treelearn._split_numeric` and :mod:`treelearn._split_categorical` are the same
for every tree family; what differs between scikit-learn's CART and Quinlan's C4.5
is asked of a :class:`GrowthRules` object:

=====================================  ==============================================
question                               hook
=====================================  ==============================================
may this node split?                   :meth:`GrowthRules.splittable`
which numeric cuts are admissible?     :meth:`GrowthRules.admissible_cuts`
how is a numeric gain adjusted?        :meth:`GrowthRules.adjust_numeric_gains`
where does a threshold go?             :meth:`GrowthRules.place_thresholds`
how are categories split?              :meth:`GrowthRules.categorical_splits`
which feature wins?                    :meth:`GrowthRules.select_feature`
are two scores of one feature tied?    :attr:`GrowthRules.tie_tolerance`
=====================================  ==============================================

:class:`SklearnRules` are scikit-learn's (and CART's) rules, counted in rows and
weight; :class:`RpartRules` are R rpart's variant of them (CART with ``cp``);
C4.5's (J48's) rules live in :mod:`treelearn._c45_rules`. The rules that do
not differ (depth limit, random feature subsets, ``min_impurity_decrease``) are
written once in the base class.

To change the leaf-size rule of scikit-learn-style trees, edit
:meth:`SklearnRules.admissible`: it is the only place that compares a child's rows
or weight with ``min_samples_leaf`` / ``min_weight_fraction_leaf``.
"""

from __future__ import annotations

import abc
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, ClassVar

import numpy as np

from treelearn import _split_categorical as cat
from treelearn._tolerances import FLOAT_EPS, RPART_IMPROVE, SAMPLE_SLACK, SCORE_TIE
from treelearn.criteria import SplitCriterion

if TYPE_CHECKING:
    from treelearn._split_numeric import CutSides

__all__ = ["GrowthRules", "RpartRules", "SklearnRules", "weighted_impurity_decrease"]


def weighted_impurity_decrease(
    gain: np.ndarray, node_weight: np.ndarray, total_weight: float
) -> np.ndarray:
    """``N_t / N · gain``: a split's impurity decrease weighted by its node's share of
    the training weight (scikit-learn's ``min_impurity_decrease`` and the order of
    best-first growth)."""
    return gain * node_weight / total_weight


@dataclass
class GrowthRules(abc.ABC):
    """The rules a tree grows by (see the module docstring).

    Parameters
    ----------
    max_depth : int or None
        Nodes at this depth do not split.
    max_features : int or None
        Features drawn at random per node, among those that can split it.
    rng : numpy Generator or None
        Source of those draws.
    min_impurity_decrease : float
        A split must decrease the weighted impurity by at least this.
    max_leaf_nodes : int or None
        Best-first growth to this many leaves (applied to the grown tree).
    categorical_split : {"multiway", "binary"}
        One branch per category, or a two-way split of the categories.
    missing_values : {"fractional", "learned", "surrogate"}
        How missing values are split and routed (:mod:`treelearn._missing`).
    random_thresholds : bool
        ``splitter="random"``: a numeric feature competes with one threshold drawn
        at random per node (:mod:`treelearn._split_random`) instead of its best.
    """

    max_depth: int | None = None
    max_features: int | None = None
    rng: np.random.Generator | None = None
    min_impurity_decrease: float = 0.0
    max_leaf_nodes: int | None = None
    categorical_split: str = "multiway"
    missing_values: str = "fractional"
    random_thresholds: bool = False

    #: Values closer than this count as one value (no threshold between them).
    numeric_gap: float = 1e-7
    #: Whether :meth:`place_thresholds` depends on the feature (C4.5 relocates a
    #: threshold to a training value of it); if not, a split search places the
    #: thresholds of all its features in one call.
    thresholds_per_feature: ClassVar[bool] = False
    #: Scores of one feature at one node within ``tie_tolerance × node weight`` of
    #: the best are ties, won by the lowest threshold (the ranks are in units of
    #: weight × score, see ``SplitCriterion.split_rank``).
    tie_tolerance: float = SCORE_TIE

    # -- which nodes may split --------------------------------------------------------
    def may_split(
        self,
        counts: np.ndarray,
        n_entries: np.ndarray,
        depth: int,
        class_samples: np.ndarray | None = None,
    ) -> np.ndarray:
        """Nodes of one level that may split: the family's rule and the depth limit.

        ``counts`` are the nodes' weighted class counts ``[L, K]``, ``n_entries``
        their numbers of training samples: entries, or under
        ``missing_values="fractional"`` with weights or copies of rows the weight
        in units of the lightest row, whose class counts ``[L, K]`` are
        ``class_samples``.
        """
        ok = self.splittable(counts, n_entries)
        if class_samples is not None:
            ok &= self.impure_in_samples(class_samples)
        if self.max_depth is not None and depth >= self.max_depth:
            ok[:] = False
        return ok

    def impure_in_samples(self, class_samples: np.ndarray) -> np.ndarray:
        """Nodes impure enough to split, from their class counts in samples
        (``"fractional"`` with weights or copies of rows only). By default every
        node: the family's own purity rule in :meth:`splittable` decides (C4.5
        counts weight)."""
        return np.ones(class_samples.shape[0], dtype=bool)

    @abc.abstractmethod
    def splittable(self, counts: np.ndarray, n_entries: np.ndarray) -> np.ndarray:
        """The family's own rule for :meth:`may_split` (sizes and purity)."""

    # -- numeric splits ----------------------------------------------------------------
    @abc.abstractmethod
    def admissible_cuts(self, sides: CutSides) -> tuple[np.ndarray | None, np.ndarray | None]:
        """Cut positions whose two sides are admissible, and candidates per node.

        Returns ``(allowed, n_candidates)``; ``allowed`` is ``None`` when every cut
        is admissible, ``n_candidates`` (per node, for C4.5's penalty) ``None`` when
        the rules do not need it.
        """

    @property
    def admits_every_cut(self) -> bool:
        """Whether :meth:`admissible_cuts` admits every cut of whole rows (no fractional
        copies) and counts no candidates: ``(None, None)`` whatever the sides."""
        return False

    def adjust_numeric_gains(
        self, gain: np.ndarray, n_candidates: np.ndarray | None, node_weight: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """The gain a numeric feature competes with at its nodes, and which remain.

        By default the gain (the criterion's ``split_score`` scaled by the known
        fraction) is used as it is.
        """
        return gain, np.ones(gain.shape, dtype=bool)

    def place_thresholds(self, feature: int, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
        """Threshold of the cut between the values ``lo < hi``: the midpoint, or ``lo``
        when the midpoint rounds to ``hi`` (``x <= t`` must keep ``lo`` left).

        Near the float maximum ``lo + hi`` overflows; there the midpoint is
        ``lo / 2 + hi / 2`` (exact wherever the sum is finite, so only those cuts
        differ from the plain formula)."""
        with np.errstate(over="ignore"):
            t = (lo + hi) / 2.0
        t = np.where(np.isfinite(t), t, lo / 2.0 + hi / 2.0)
        return np.where(t == hi, lo, t)

    def place_thresholds_of(
        self, features: np.ndarray, lo: np.ndarray, hi: np.ndarray
    ) -> np.ndarray:
        """:meth:`place_thresholds` of cuts of several features (``features[i]``: the
        feature of cut ``i``): one call when the placement does not depend on the
        feature (``thresholds_per_feature``), else one per feature present."""
        if not self.thresholds_per_feature:
            return self.place_thresholds(-1, lo, hi)
        out = np.empty(lo.size)
        if not lo.size:
            return out
        order = np.argsort(features, kind="stable")
        cuts = np.flatnonzero(np.r_[True, features[order][1:] != features[order][:-1]])
        for a, b in zip(cuts, np.r_[cuts[1:], order.size], strict=True):
            at = order[a:b]
            out[at] = self.place_thresholds(int(features[at[0]]), lo[at], hi[at])
        return out

    # -- categorical splits ------------------------------------------------------------
    @abc.abstractmethod
    def categorical_splits(
        self, stats: cat.CategoryCounts, criterion: SplitCriterion
    ) -> cat.CategoricalSplits:
        """The best split of one categorical feature at every node of a level."""

    def present_only(self, n_categories: int) -> bool:
        """Whether :meth:`categorical_splits` of a feature with ``n_categories``
        categories depends only on the categories present at a node, in code order,
        so that it may search them in compact codes
        (:func:`treelearn._split_categorical.present_chunks`). C4.5's branches for
        declared categories do not."""
        return False

    def ordered_cuts_only(self, n_classes: int) -> bool:
        """Whether :meth:`categorical_splits` of entries that are whole rows is always
        the ordered cuts of :func:`~treelearn._split_categorical.best_subsets`, which
        sort absent categories last and never cut among them: a feature's search is
        then the same padded with absent categories (the builder searches features of
        different numbers of categories in one block)."""
        return False

    # -- which feature wins ------------------------------------------------------------
    def sample_features(self, valid: np.ndarray) -> np.ndarray:
        """``valid`` restricted to ``max_features`` features drawn at random per node.

        Features are drawn in random order until ``max_features`` of them can split
        the node (scikit-learn likewise skips features that are constant there).
        """
        S, P = valid.shape
        if self.max_features is None or self.max_features >= P:
            return valid
        rng = self.rng if self.rng is not None else np.random.default_rng()
        keys = rng.random((S, P)) + np.where(valid, 0.0, 2.0)
        drawn = np.argsort(keys, axis=1)[:, : self.max_features]
        mask = np.zeros((S, P), dtype=bool)
        np.put_along_axis(mask, drawn, True, axis=1)
        return valid & mask

    def select_feature(
        self,
        criterion: SplitCriterion,
        gains: np.ndarray,
        scores: np.ndarray,
        valid: np.ndarray,
    ) -> np.ndarray:
        """Winning feature per node (``-1``: none); the criterion decides."""
        return criterion.select_feature(gains, scores, valid)

    def keep_splits(
        self, gain: np.ndarray, node_weight: np.ndarray, total_weight: float
    ) -> np.ndarray:
        """Chosen splits that decrease the weighted impurity enough to be made."""
        weighted = weighted_impurity_decrease(gain, node_weight, total_weight)
        return weighted + FLOAT_EPS >= self.min_impurity_decrease


@dataclass
class SklearnRules(GrowthRules):
    """scikit-learn's (and CART's) rules: sizes counted in rows and in weight.

    Parameters
    ----------
    min_samples_split : int
        A node needs this many rows (entries) to be split.
    min_samples_leaf : int
        Every child needs this many rows.
    min_weight_leaf : float
        Every child needs this much weight (``min_weight_fraction_leaf`` × total).
    max_exhaustive_categories : int
        Subset splits of more classes than two search all groupings up to this many
        categories, and a heuristic beyond.
    n_outputs : int
        Outputs whose counts lie side by side in ``counts`` (multi-output ``y``, see
        :mod:`treelearn._multioutput`): a node is pure when each output has one class.
    """

    min_samples_split: int = 2
    min_samples_leaf: int = 1
    min_weight_leaf: float = 0.0
    max_exhaustive_categories: int = 10
    n_outputs: int = 1

    def admissible(self, n: np.ndarray, weight: Callable[[], np.ndarray]) -> np.ndarray:
        """Whether a child of ``n`` samples and ``weight()`` weight is large enough.

        Samples are rows, or under ``missing_values="fractional"`` the weight in
        units of the lightest row (:func:`treelearn._missing.sample_counts`).

        ``weight`` is called only when a minimum weight applies (computing it costs
        a pass over the candidates).
        """
        ok = n >= self.min_samples_leaf - SAMPLE_SLACK
        if self.min_weight_leaf > 0:
            ok &= weight() >= self.min_weight_leaf
        return ok

    @property
    def constrained(self) -> bool:
        """Whether any child could be too small (a leaf-size rule is set)."""
        return self.min_samples_leaf > 1 or self.min_weight_leaf > 0

    def splittable(self, counts: np.ndarray, n_entries: np.ndarray) -> np.ndarray:
        weight = counts.sum(axis=1)
        return (
            (n_entries >= self.min_samples_split - SAMPLE_SLACK)
            & (n_entries >= 2 * self.min_samples_leaf - SAMPLE_SLACK)
            & (weight >= 2 * self.min_weight_leaf)
            & (np.count_nonzero(counts > 0, axis=1) >= 1 + self.n_outputs)
        )

    def impure_in_samples(self, class_samples: np.ndarray) -> np.ndarray:
        """At least two classes hold a sample each.

        With whole rows this is the purity test of :meth:`splittable` (two classes
        present). With fractional copies of rows (``missing_values="fractional"``) a
        class that only crumbs of copies bring to a node does not make it impure:
        splitting such a node would isolate slivers of rows, not rows.
        """
        return np.count_nonzero(class_samples >= 1.0 - SAMPLE_SLACK, axis=1) >= 1 + self.n_outputs

    @property
    def admits_every_cut(self) -> bool:
        return not self.constrained

    def admissible_cuts(self, sides: CutSides) -> tuple[np.ndarray | None, np.ndarray | None]:
        if self.admits_every_cut and not sides.fractional:  # (a copy: < 1 sample)
            return None, None
        allowed = self.admissible(sides.left_n, lambda: sides.left_w)
        allowed &= self.admissible(sides.right_n, lambda: sides.right_w)
        return allowed, None

    def present_only(self, n_categories: int) -> bool:
        # subsets: the ordered cuts (an exhaustive search's masks count absent
        # categories too). Multiway splits keep the dense search: their children's
        # impurity is summed over every declared category's branch (pairwise, so that
        # dropping the empty ones would move the last bit of the gains)
        return self.categorical_split == "binary" and n_categories > self.max_exhaustive_categories

    def ordered_cuts_only(self, n_classes: int) -> bool:
        # crumbs (less than one sample in a category) come only from fractional copies
        return self.categorical_split == "binary" and not self.constrained and n_classes == 2

    def categorical_splits(
        self, stats: cat.CategoryCounts, criterion: SplitCriterion
    ) -> cat.CategoricalSplits:
        if self.categorical_split == "binary":
            search = partial(
                cat.best_subsets,
                stats,
                criterion,
                self.admissible,
                max_exhaustive=self.max_exhaustive_categories,
                tie_tolerance=self.tie_tolerance,
            )
            if self.constrained or stats.n_classes > 2:
                return search(exhaustive=True)
            ordered = search(exhaustive=False)
            # a node where a category holds less than one sample (crumbs of copies,
            # sizes in weight) has a real leaf-size rule: every grouping is searched
            n = stats.branch_n
            crumbs = np.asarray(((n > 0) & (n < 1 - SAMPLE_SLACK)).any(axis=1))
            if not crumbs.any():
                return ordered
            every = search(exhaustive=True)
            return cat.CategoricalSplits(
                np.where(crumbs[:, None], every.tables, ordered.tables),
                np.where(crumbs, every.gain, ordered.gain),
                np.where(crumbs[:, None], every.branch_weights, ordered.branch_weights),
                np.where(crumbs, every.ok, ordered.ok),
            )
        return cat.present_categories(stats, criterion, self.admissible)


@dataclass
class RpartRules(SklearnRules):
    """R rpart's rules (``CARTClassifier`` with ``cp``): scikit-learn's, with two changes.

    * A split must improve the fit: a chosen split whose weighted impurity decrease
      is at most ``RPART_IMPROVE`` times the largest one seen so far in this fit is
      not made (rpart's ``bsplit``; scikit-learn makes zero-gain splits).
    * Two classes: categories are grouped by the best cut of their order by the
      first class's proportion (ascending; the first of equal cuts wins), also with
      a leaf-size rule (rpart's search, which checks ``minbucket`` at each cut of
      that order); more classes: all groupings up to
      ``max_exhaustive_categories``, as scikit-learn-style CART here.

    Sizes (``minsplit`` = ``min_samples_split``, ``minbucket`` =
    ``min_samples_leaf``) are counted in rows, as rpart counts them. The
    complexity parameter itself prunes the grown tree
    (:mod:`treelearn._pruning_rpart`).
    """

    #: Largest weighted impurity decrease of a split made so far (rpart's ``iscale``).
    largest_improvement: float = 0.0

    def keep_splits(
        self, gain: np.ndarray, node_weight: np.ndarray, total_weight: float
    ) -> np.ndarray:
        weighted = weighted_impurity_decrease(gain, node_weight, total_weight)
        ok = super().keep_splits(gain, node_weight, total_weight)
        if weighted.size:
            self.largest_improvement = max(self.largest_improvement, float(np.max(weighted)))
        return ok & (weighted > RPART_IMPROVE * self.largest_improvement)

    def ordered_cuts_only(self, n_classes: int) -> bool:
        return self.categorical_split == "binary" and n_classes == 2

    def categorical_splits(
        self, stats: cat.CategoryCounts, criterion: SplitCriterion
    ) -> cat.CategoricalSplits:
        if self.categorical_split == "binary":
            return cat.best_subsets(
                stats,
                criterion,
                self.admissible,
                exhaustive=stats.n_classes > 2,
                max_exhaustive=self.max_exhaustive_categories,
                order_class=0,
                tie_tolerance=self.tie_tolerance,
            )
        return super().categorical_splits(stats, criterion)
