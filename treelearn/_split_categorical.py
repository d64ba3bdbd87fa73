"""Split search on a categorical feature, vectorised over all nodes of a level.

The level's entries become one ``[node, category, class]`` count tensor
(:func:`category_counts`, one ``bincount``); the growth rules then choose how to
split it:

* :func:`present_categories` -- one branch per category present at the node
  (ID3, scikit-learn-style multiway);
* :func:`declared_categories` -- one branch per declared category, empty ones
  included (C4.5);
* :func:`best_subsets` -- the best two-way grouping of the categories (CART);
* :func:`best_value_against_rest` -- one category against all others (J48 ``-B``).

Every search returns a :class:`CategoricalSplits`: per node a routing table
(category code -> child slot, ``-1`` for a category absent at the node, which is
then routed like a missing value), the gain (the criterion's ``split_score`` scaled
by the fraction of known weight), the known weight of each branch, and whether the
node has an admissible split. Gains are the criterion's own scores: a two-way
grouping is chosen by the ``split_score`` it will be reported with.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import numpy as np

from treelearn._tolerances import J48_SMALL
from treelearn.criteria import SplitCriterion

__all__ = [
    "CategoricalSplits",
    "CategoryCounts",
    "best_subsets",
    "best_value_against_rest",
    "category_counts",
    "declared_categories",
    "known_fraction",
    "present_categories",
    "subset_masks",
]

Admissible = Callable[[np.ndarray, Callable[[], np.ndarray]], np.ndarray]


def known_fraction(known_weight: np.ndarray, node_weight: np.ndarray) -> np.ndarray:
    """Share of a node's weight whose value is known (C4.5 scales gains by it)."""
    safe = np.where(node_weight > 0, node_weight, 1.0)
    return np.where(node_weight > 0, np.minimum(known_weight / safe, 1.0), 0.0)


@dataclass
class CategoryCounts:
    """Class counts of one categorical feature at every node of a level."""

    counts: np.ndarray  # [S, C, K] weighted class counts per category (known values)
    branch_n: np.ndarray  # [S, C] samples per category (entries, or row fractions)
    known_counts: np.ndarray  # [S, K] class counts of the known values
    node_weight: np.ndarray  # [S] all weight at the node, missing values included

    @property
    def present(self) -> np.ndarray:
        """[S, C]: categories with at least one entry at the node."""
        return self.branch_n > 0

    @property
    def known_weight(self) -> np.ndarray:
        return self.known_counts.sum(axis=1)

    @property
    def missing_weight(self) -> np.ndarray:
        return np.maximum(self.node_weight - self.known_weight, 0.0)

    @property
    def fraction(self) -> np.ndarray:
        return known_fraction(self.known_weight, self.node_weight)

    @property
    def n_classes(self) -> int:
        return int(self.counts.shape[2])


@dataclass
class CategoricalSplits:
    """The best split of one categorical feature per node (see the module docstring)."""

    tables: np.ndarray  # [S, C] category -> child slot (-1: absent)
    gain: np.ndarray  # [S]
    branch_weights: np.ndarray  # [S, B] known weight per branch
    ok: np.ndarray  # [S] the node has an admissible split


def category_counts(
    codes: np.ndarray,
    node: np.ndarray,
    labels: np.ndarray,
    weights: np.ndarray,
    n_nodes: int,
    n_categories: int,
    n_classes: int,
    node_weight: np.ndarray,
    fractions: np.ndarray | None = None,
) -> CategoryCounts:
    """Count tensors of one feature, or of a block of features, from the level's entries.

    ``branch_n`` counts samples: entries, or with ``fractions`` (per entry) the
    fractions of rows they stand for (:func:`treelearn._missing.sample_counts`).

    ``codes`` are the entries' category codes (``NaN`` missing), ``node`` their nodes
    (``0 .. n_nodes-1``), ``labels`` and ``weights`` their classes and weights. With
    ``codes`` of shape ``[m, F]`` (``F`` features with ``n_categories`` categories
    each) the result holds ``F · n_nodes`` rows, feature-major: row ``j · n_nodes + s``
    is node ``s`` under the ``j``-th feature. Every search below treats rows
    independently, so a block is searched in one pass.
    """
    codes2 = codes.reshape(codes.shape[0], -1)
    F = codes2.shape[1]
    S, C, K = n_nodes * F, n_categories, n_classes
    known = ~np.isnan(codes2)
    entry, j = np.nonzero(known)  # row-major: entries in order, then features
    cs = codes2[entry, j].astype(np.intp)
    sk = j * n_nodes + node[entry]
    flat = (sk * C + cs) * K + labels[entry]
    counts = np.bincount(flat, weights=weights[entry], minlength=S * C * K).reshape(S, C, K)
    per = None if fractions is None else fractions[entry]
    branch_n = np.bincount(sk * C + cs, weights=per, minlength=S * C).reshape(S, C)
    return CategoryCounts(counts, branch_n, counts.sum(axis=1), np.tile(node_weight, F))


def present_categories(
    stats: CategoryCounts, criterion: SplitCriterion, admissible: Admissible
) -> CategoricalSplits:
    """One branch per category present at the node; every branch must be admissible."""
    present = stats.present
    branch_w = stats.counts.sum(axis=2)
    ok = present.sum(axis=1) >= 2
    ok &= ~(present & ~admissible(stats.branch_n, lambda: branch_w)).any(axis=1)
    parent_imp = criterion.impurity(stats.known_counts)
    gain = criterion.split_score(stats.known_counts, stats.counts, parent_imp) * stats.fraction
    tables = np.where(present, np.cumsum(present, axis=1) - 1, -1).astype(np.int32)
    return CategoricalSplits(tables, gain, branch_w, ok)


def declared_categories(
    stats: CategoryCounts, criterion: SplitCriterion, min_cases: float
) -> CategoricalSplits:
    """C4.5: one branch per declared category, empty ones included.

    Admissible with at least two branches of ``min_cases`` weight (J48's
    ``Distribution.check``); a gain within 1e-6 of zero in weight units is zero.
    """
    S, C, _ = stats.counts.shape
    branch_w = stats.counts.sum(axis=2)
    ok = (branch_w - min_cases > -J48_SMALL).sum(axis=1) >= 2
    parent_imp = criterion.impurity(stats.known_counts)
    gain = criterion.split_score(stats.known_counts, stats.counts, parent_imp) * stats.fraction
    gain = np.where(np.abs(gain * stats.known_weight) < J48_SMALL, 0.0, gain)
    tables = np.broadcast_to(np.arange(C, dtype=np.int32), (S, C)).copy()
    return CategoricalSplits(tables, gain, branch_w, ok)


def best_value_against_rest(
    stats: CategoryCounts, criterion: SplitCriterion, min_cases: float
) -> CategoricalSplits:
    """C4.5's binary nominal splits (J48 ``-B``): one value against the others.

    Values are tried in declared order (one step per value, vectorised over
    nodes); a value needs ``min_cases`` weight on both sides; the first qualifying
    value is kept, later ones must beat the best gain ratio by more than 1e-6.
    """
    counts3, known_counts = stats.counts, stats.known_counts
    S, C, _ = counts3.shape
    frac, missing_w, known_w = stats.fraction, stats.missing_weight, stats.known_weight
    parent_imp = criterion.impurity(known_counts)
    best_value = np.zeros(S, dtype=np.intp)
    best_gain = np.zeros(S)
    best_ratio = np.zeros(S)
    best_w = np.zeros((S, 2))
    ok = np.zeros(S, dtype=bool)
    for i in range(C):
        left = counts3[:, i, :]
        right = known_counts - left
        bw = np.stack([left.sum(axis=1), known_w - left.sum(axis=1)], axis=1)
        qualifies = (bw[:, 0] - min_cases > -J48_SMALL) & (bw[:, 1] - min_cases > -J48_SMALL)
        gain = criterion.split_score(known_counts, np.stack([left, right], axis=1), parent_imp)
        gain = np.where(np.abs(gain * known_w) < J48_SMALL, 0.0, gain * frac)
        ratio = criterion.feature_score(gain, bw, missing_w)
        take = qualifies & ((i == 0) | (ratio - best_ratio > J48_SMALL))
        best_value[take], best_gain[take], best_ratio[take] = i, gain[take], ratio[take]
        best_w[take] = bw[take]
        ok |= qualifies
    tables = np.ones((S, max(C, 1)), dtype=np.int32)
    tables[np.arange(S), best_value] = 0
    return CategoricalSplits(tables, best_gain, best_w, ok)


def subset_masks(n: int) -> np.ndarray:
    """All ``2**(n-1) - 1`` two-way partitions of ``n`` items as left-side masks.

    The last item always stays on the right, so each partition appears once.
    """
    codes = np.arange(1, 2 ** (n - 1), dtype=np.int64)
    return ((codes[:, None] >> np.arange(n)) & 1).astype(bool)  # bit n-1 is always 0


def best_subsets(
    stats: CategoryCounts,
    criterion: SplitCriterion,
    admissible: Admissible,
    *,
    exhaustive: bool,
    max_exhaustive: int,
    order_class: int = 1,
) -> CategoricalSplits:
    """Best two-way grouping of the categories at every node.

    With ``exhaustive`` (more than two classes, or leaf-size rules) and at most
    ``max_exhaustive`` categories: all groupings. Otherwise ordered cuts: two
    classes, categories sorted by the proportion of the second class (optimal
    for two classes without leaf-size rules, Breiman et al. 1984); more classes,
    the best ordered cut over the K orderings by each class's proportion (a
    heuristic). Both sides must be admissible. ``order_class`` is the class whose
    proportion orders two classes' categories (ascending, stable; the first of
    equally good cuts wins): rpart orders by the first class's.
    """
    counts3, branch_n, known_counts = stats.counts, stats.branch_n, stats.known_counts
    S, C, _ = counts3.shape
    present = stats.present
    parent_imp = criterion.impurity(known_counts)
    if exhaustive and max_exhaustive >= C:
        masks = subset_masks(C)  # [T, C]
        left = np.einsum("tc,sck->stk", masks.astype(np.float64), counts3)
        left_n = branch_n @ masks.T.astype(np.int64)
        right_n = branch_n.sum(axis=1, keepdims=True) - left_n
        right = known_counts[:, None, :] - left
        score = criterion.split_score(
            known_counts[:, None, :], np.stack([left, right], axis=2), parent_imp[:, None]
        )
        ok = admissible(left_n, lambda: left.sum(-1)) & admissible(right_n, lambda: right.sum(-1))
        score = np.where(ok, score, -np.inf)
        best_t = np.argmax(score, axis=1)
        best = score[np.arange(S), best_t]
        best_left = masks[best_t]
    else:
        best, best_left = _ordered_cuts(stats, criterion, admissible, parent_imp, order_class)
    has = np.isfinite(best)
    gain = np.where(has, best, np.nan) * stats.fraction
    left_w = (counts3.sum(axis=2) * best_left).sum(axis=1)
    branch_w = np.stack([left_w, stats.known_weight - left_w], axis=1)
    tables = np.where(best_left, 0, 1).astype(np.int32)
    tables[~present] = -1
    return CategoricalSplits(tables, gain, branch_w, has)


def _ordered_cuts(
    stats: CategoryCounts,
    criterion: SplitCriterion,
    admissible: Admissible,
    parent_imp: np.ndarray,
    order_class: int = 1,
) -> tuple[np.ndarray, np.ndarray]:
    """Best cut of the categories ordered by each class's proportion (see
    :func:`best_subsets`): the best score and its left-side mask per node."""
    counts3, branch_n, known_counts = stats.counts, stats.branch_n, stats.known_counts
    S, C, K = counts3.shape
    present = stats.present
    totals = counts3.sum(axis=2)
    safe_tot = np.where(totals > 0, totals, 1.0)
    keys = (
        [counts3[:, :, order_class] / safe_tot]
        if K == 2
        else [counts3[:, :, k] / safe_tot for k in range(K)]
    )
    best_all = np.full(S, -np.inf)
    left_all = np.zeros((S, C), dtype=bool)
    rows = np.arange(S)[:, None]
    for key in keys:
        key = np.where(present, key, np.inf)  # absent categories last
        perm = np.argsort(key, axis=1, kind="stable")
        sc = counts3[rows, perm]  # [S, C, K]
        sn = branch_n[rows, perm]
        left = np.cumsum(sc, axis=1)[:, :-1]
        left_n = np.cumsum(sn, axis=1)[:, :-1]
        right = known_counts[:, None, :] - left
        right_n = sn.sum(axis=1, keepdims=True) - left_n
        n_present = present.sum(axis=1, keepdims=True)
        ok = np.arange(C - 1)[None, :] < n_present - 1
        ok &= admissible(left_n, partial(np.sum, left, axis=-1))
        ok &= admissible(right_n, partial(np.sum, right, axis=-1))
        score = criterion.split_score(
            known_counts[:, None, :], np.stack([left, right], axis=2), parent_imp[:, None]
        )
        score = np.where(ok, score, -np.inf)
        cut = np.argmax(score, axis=1)
        best = score[np.arange(S), cut]
        better = best > best_all
        in_left = np.zeros((S, C), dtype=bool)
        np.put_along_axis(in_left, perm, np.arange(C)[None, :] <= cut[:, None], axis=1)
        left_all[better] = in_left[better]
        best_all[better] = best[better]
    return best_all, left_all
