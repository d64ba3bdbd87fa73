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

A feature with many categories is searched over the categories *present* at each
node (:func:`present_chunks`, :class:`PresentTables`): a node's present categories
get compact codes ``0 .. P-1`` in code order, the nodes are searched in chunks of a
bounded number of cells, and the routing tables are kept as one CSR list of
(category, slot) pairs per node, never ``nodes × declared categories``.

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

from treelearn._budget import categorical_search_cells
from treelearn._missing import learned_categorical
from treelearn._split_lists import WHOLE_TABLE_CATEGORIES, TablePairs, pack_tables, slot_pairs
from treelearn._tolerances import J48_SMALL, SCORE_TIE, first_tied, outweighs
from treelearn.criteria import SplitCriterion

__all__ = [
    "CategoricalSplits",
    "CategoryCounts",
    "PresentTables",
    "best_subsets",
    "best_value_against_rest",
    "categorical_scores",
    "category_counts",
    "declared_categories",
    "known_fraction",
    "may_split_on",
    "present_categories",
    "present_chunk_cells",
    "present_chunks",
    "subset_masks",
    "table_pairs",
    "table_rows",
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
    #: declared categories when ``C`` counts compact codes of the present ones only
    #: (:func:`present_chunks`); what decides between exhaustive and ordered subsets
    n_declared: int | None = None

    @property
    def present(self) -> np.ndarray:
        """[S, C]: categories with at least one entry at the node."""
        return self.branch_n > 0

    @property
    def known_weight(self) -> np.ndarray:
        return self.known_counts.sum(axis=1)

    @property
    def missing_weight(self) -> np.ndarray:
        """[S]: weight of the cases whose value is missing.

        The node's weight and its known counts are sums of the same real weights
        taken in different orders: a difference within ``SCORE_TIE`` times the
        node's weight is rounding, not a missing case (else it would decide, by the
        order of the rows, whether ``"learned"`` sends phantom missing cases down a
        branch)."""
        missing = self.node_weight - self.known_weight
        return np.where(
            outweighs(self.node_weight, self.known_weight, self.node_weight), missing, 0.0
        )

    @property
    def fraction(self) -> np.ndarray:
        return known_fraction(self.known_weight, self.node_weight)

    @property
    def n_classes(self) -> int:
        return int(self.counts.shape[2])

    def rows(self, rows: np.ndarray) -> CategoryCounts:
        """The counts of ``rows`` only (every search treats rows independently)."""
        if rows.size == self.counts.shape[0]:
            return self
        return CategoryCounts(
            self.counts[rows], self.branch_n[rows], self.known_counts[rows],
            self.node_weight[rows], self.n_declared,
        )  # fmt: skip


def may_split_on(n_present: np.ndarray, splittable: np.ndarray) -> np.ndarray:
    """Whether a node may split on a categorical feature, from the number of its
    categories present at the node: two at least (every search's children need a case
    each: one present category sends all known cases one way), and the node splittable."""
    return (n_present >= 2) & splittable


@dataclass
class CategoricalSplits:
    """The best split of one categorical feature per node (see the module docstring)."""

    tables: np.ndarray  # [S, C] category -> child slot (-1: absent)
    gain: np.ndarray  # [S]
    branch_weights: np.ndarray  # [S, B] known weight per branch
    ok: np.ndarray  # [S] the node has an admissible split


def categorical_scores(
    grouped: CategoricalSplits,
    stats: CategoryCounts,
    node_counts: np.ndarray | None,
    criterion: SplitCriterion,
    learned: bool,
    any_missing: bool | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """The feature scores of a categorical search's splits and, under
    ``missing_values="learned"``, the branch each node's missing cases join.

    Under ``"learned"``, when a node has missing weight (``any_missing``: when one
    of the searched nodes has; ``None``: asked of ``stats``), the missing cases join
    a branch by :func:`treelearn._missing.learned_categorical` and ``grouped``'s
    gains and branch weights are updated in place with them. Both builders (exact
    and histogram) score categorical splits here.

    Parameters
    ----------
    grouped : CategoricalSplits
        The rules' best grouping per node (chosen on the known values).
    stats : CategoryCounts
        The count tensors it was chosen on.
    node_counts : ndarray of shape (S, K) or None
        Class counts of every case at each node, missing values included (read
        under ``"learned"`` only).
    criterion : SplitCriterion
    learned : bool
        Whether the strategy is ``"learned"``.
    any_missing : bool, optional
        Whether some searched node has missing weight.

    Returns
    -------
    score : ndarray of shape (S,)
        The criterion's ``feature_score`` of every node's split.
    slot : ndarray of int of shape (S,)
        The branch of the node's missing cases (``-1``: none, or not ``"learned"``).
    """
    slot = np.full(grouped.gain.shape, -1, dtype=np.intp)
    missing_weight = stats.missing_weight
    if any_missing is None:
        any_missing = bool((missing_weight > 0).any())
    if learned and any_missing:
        if node_counts is None:
            raise ValueError('missing_values="learned" needs the nodes\' class counts')
        gain, branch_w, slot = learned_categorical(
            grouped.tables, stats.counts, stats.known_counts, node_counts, criterion
        )
        has = slot >= 0
        grouped.gain = np.where(has, gain, grouped.gain)
        per_slot = np.zeros_like(grouped.branch_weights)  # slots, then zeros
        per_slot[:, : branch_w.shape[1]] = branch_w
        grouped.branch_weights = np.where(has[:, None], per_slot, grouped.branch_weights)
        missing_weight = np.where(has, 0.0, missing_weight)
    score = criterion.feature_score(grouped.gain, grouped.branch_weights, missing_weight)
    return score, slot


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
    if not np.isnan(codes2).any():
        return _known_category_counts(
            codes2, node, labels, weights, n_nodes, C, K, node_weight, fractions
        )
    known = ~np.isnan(codes2)
    entry, j = np.nonzero(known)  # row-major: entries in order, then features
    cs = codes2[entry, j].astype(np.intp)
    sk = j * n_nodes + node[entry]
    flat = (sk * C + cs) * K + labels[entry]
    # (astype: bincount gives int64 when no entry is known, even with weights)
    counts = np.bincount(flat, weights=weights[entry], minlength=S * C * K).astype(np.float64)
    counts = counts.reshape(S, C, K)
    per = None if fractions is None else fractions[entry]
    branch_n = np.bincount(sk * C + cs, weights=per, minlength=S * C).reshape(S, C)
    if per is not None:
        branch_n = branch_n.astype(np.float64, copy=False)
    return CategoryCounts(counts, branch_n, counts.sum(axis=1), np.tile(node_weight, F))


def _known_category_counts(
    codes2: np.ndarray,
    node: np.ndarray,
    labels: np.ndarray,
    weights: np.ndarray,
    n_nodes: int,
    C: int,
    K: int,
    node_weight: np.ndarray,
    fractions: np.ndarray | None,
) -> CategoryCounts:
    """:func:`category_counts` when every code is known: the keys feature-major, one
    broadcast per step (no mask, no gather). Every count tensor row is one feature's,
    and its entries are summed in entry order as the row-major scan sums them: the
    same bits."""
    F = codes2.shape[1]
    S = n_nodes * F
    cell = np.array(codes2.T, dtype=np.intp, order="C")  # [F, m]: (row, category) keys
    cell += (node * C)[None, :]
    cell += (np.arange(F, dtype=np.intp) * (n_nodes * C))[:, None]
    flat = cell * K
    flat += labels[None, :]
    unit = fractions is None and bool((weights == 1.0).all())
    if unit:  # whole counts: integer sums, exact in float64
        whole = np.bincount(flat.ravel(), minlength=S * C * K).reshape(S, C, K)
        counts: np.ndarray = whole.astype(np.float64)
        branch_n: np.ndarray = whole.sum(axis=2)  # entries, as bincount counts them
    else:
        w = np.tile(weights, F)
        counts = np.bincount(flat.ravel(), weights=w, minlength=S * C * K).astype(np.float64)
        counts = counts.reshape(S, C, K)  # (astype: bincount of no entries is int64)
        per = None if fractions is None else np.tile(fractions, F)
        branch_n = np.bincount(cell.ravel(), weights=per, minlength=S * C).reshape(S, C)
        if per is not None:
            branch_n = branch_n.astype(np.float64, copy=False)
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
    tie_tolerance: float = SCORE_TIE,
) -> CategoricalSplits:
    """Best two-way grouping of the categories at every node.

    With ``exhaustive`` (more than two classes, or leaf-size rules) and at most
    ``max_exhaustive`` categories: all groupings. Otherwise ordered cuts: two
    classes, categories sorted by the proportion of the second class (optimal
    for two classes without leaf-size rules, Breiman et al. 1984); more classes,
    the best ordered cut over the K orderings by each class's proportion (a
    heuristic). Both sides must be admissible. ``order_class`` is the class whose
    proportion orders two classes' categories (ascending): rpart orders by the
    first class's.

    Ties do not depend on the order of the training rows. Scores within
    ``tie_tolerance`` of the best (the rules' :attr:`~treelearn._growth_rules.
    GrowthRules.tie_tolerance`, :data:`~treelearn._tolerances.SCORE_TIE`) are ties
    (:func:`~treelearn._tolerances.first_tied`): two groupings whose children hold
    the same class counts, swapped, score the same up to the rounding of sums
    taken in row order. Among all groupings the tie goes to the lowest left side
    read as a binary number (category ``c`` is bit ``c``; the left side is the
    one without the highest category present at the node). Among ordered cuts,
    proportions within ``tie_tolerance`` of each other are equal and ordered by
    category code, the first tied cut of an order wins and the first tied order
    (by class index) wins.
    """
    counts3, branch_n, known_counts = stats.counts, stats.branch_n, stats.known_counts
    S, C, _ = counts3.shape
    present = stats.present
    parent_imp = criterion.impurity(known_counts)
    if exhaustive and max_exhaustive >= (C if stats.n_declared is None else stats.n_declared):
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
        # masks in code order: each grouping's first mask is its canonical one
        best_t = first_tied(score, tie_tolerance, axis=1)
        best = score[np.arange(S), best_t]
        best_left = masks[best_t]
    else:
        best, best_left = _ordered_cuts(
            stats, criterion, admissible, parent_imp, order_class, tie_tolerance
        )
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
    tie_tolerance: float = SCORE_TIE,
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
    best_all = np.full((len(keys), S), -np.inf)
    left_all = np.zeros((len(keys), S, C), dtype=bool)
    rows = np.arange(S)[:, None]
    for i, key in enumerate(keys):  # a loop over classes (orderings), not nodes
        key = np.where(present, key, np.inf)  # absent categories last
        perm = tied_order(key, tie_tolerance)
        sc = counts3[rows, perm]  # [S, C, K]
        sn = branch_n[rows, perm]
        left = np.cumsum(sc, axis=1)[:, :-1]
        left_n = np.cumsum(sn, axis=1)[:, :-1]
        # (a difference of prefix sums: huge weights can round it below 0)
        right = np.maximum(known_counts[:, None, :] - left, 0.0)
        right_n = sn.sum(axis=1, keepdims=True) - left_n
        n_present = present.sum(axis=1, keepdims=True)
        ok = np.arange(C - 1)[None, :] < n_present - 1
        ok &= admissible(left_n, partial(np.sum, left, axis=-1))
        ok &= admissible(right_n, partial(np.sum, right, axis=-1))
        score = criterion.split_score(
            known_counts[:, None, :], np.stack([left, right], axis=2), parent_imp[:, None]
        )
        score = np.where(ok, score, -np.inf)
        cut = first_tied(score, tie_tolerance, axis=1)
        best_all[i] = score[np.arange(S), cut]
        np.put_along_axis(left_all[i], perm, np.arange(C)[None, :] <= cut[:, None], axis=1)
    if len(keys) == 1:
        return best_all[0], left_all[0]
    pick = first_tied(best_all, tie_tolerance, axis=0)
    return best_all[pick, np.arange(S)], left_all[pick, np.arange(S)]


def tied_order(key: np.ndarray, tolerance: float) -> np.ndarray:
    """``argsort`` of ``key`` along axis 1 in which keys within ``tolerance`` of their
    neighbour in the sorted order are equal, ordered by their index (category code).

    A category's class proportion is a ratio of sums taken in row order: two
    categories of equal proportions may differ in its last bit, and the order of
    the training rows would then decide their order (and so a grouping). Equal keys
    come out in index order from the stable sort itself; the second sort runs only
    when some neighbours differ by more than nothing but at most ``tolerance``.
    """
    perm = np.argsort(key, axis=1, kind="stable")
    if key.shape[1] < 2:
        return perm
    ordered = np.take_along_axis(key, perm, axis=1)
    with np.errstate(invalid="ignore"):  # inf - inf: absent categories, last
        gap = np.diff(ordered, axis=1)
    if not ((gap > 0) & (gap <= tolerance)).any():
        return perm
    group = np.zeros(key.shape, dtype=np.intp)
    np.cumsum(~(gap <= tolerance), axis=1, out=group[:, 1:])
    again = np.argsort(group * key.shape[1] + perm, axis=1, kind="stable")
    return np.take_along_axis(perm, again, axis=1)


@dataclass
class PresentTables:
    """Routing tables of a level's nodes over their present categories (CSR).

    Row ``s`` (a node) holds the pairs ``ptr[s] .. ptr[s+1]-1``: ``codes`` ascending,
    each with its child ``slots`` (``-1``: no branch, as for a node that was not
    searched). Memory is one pair per (node, present category), not ``nodes × C``.
    """

    ptr: np.ndarray  # [S + 1] int64
    codes: np.ndarray  # [nnz] intp category codes
    slots: np.ndarray  # [nnz] int32 child slot
    n_categories: int

    def dense(self, rows: np.ndarray) -> np.ndarray:
        """The tables of ``rows`` as ``[len(rows), n_categories]`` (``-1``: absent)."""
        rows = np.asarray(rows, dtype=np.intp)
        out = np.full((rows.size, self.n_categories), -1, dtype=np.int32)
        start = self.ptr[rows]
        count = self.ptr[rows + 1] - start
        which = np.repeat(np.arange(rows.size), count)
        pair = np.arange(which.size) - np.repeat(np.cumsum(count) - count, count)
        pair += np.repeat(start, count)
        out[which, self.codes[pair]] = self.slots[pair]
        return out


def table_rows(
    tables: np.ndarray | PresentTables, rows: np.ndarray, n_categories: int
) -> np.ndarray:
    """Dense routing tables ``[len(rows), n_categories]`` of ``rows`` of a search's tables."""
    if isinstance(tables, PresentTables):
        return tables.dense(rows)
    return tables[rows][:, :n_categories]


def table_pairs(
    tables: np.ndarray | PresentTables, rows: np.ndarray, n_categories: int
) -> TablePairs:
    """The routing tables of ``rows`` of a search's tables as (category, slot) pairs
    (:func:`treelearn._split_lists.pack_tables`: whole up to
    :data:`~treelearn._split_lists.WHOLE_TABLE_CATEGORIES` categories, else the
    categories with a slot only, taken from present tables without a dense copy)."""
    if isinstance(tables, PresentTables) and n_categories > WHOLE_TABLE_CATEGORIES:
        return slot_pairs(tables.ptr, tables.codes, tables.slots, rows)
    return pack_tables(table_rows(tables, rows, n_categories))


@dataclass
class PresentChunk:
    """One chunk of :func:`present_chunks`: nodes and their entries in compact codes."""

    nodes: np.ndarray  # [R] level-local node ids
    entries: np.ndarray  # [m'] indices of the known entries at these nodes, in order
    row: np.ndarray  # [m'] the entries' row in the chunk (0 .. R-1)
    compact: np.ndarray  # [m'] the entries' compact category code (0 .. width-1)
    width: int  # most categories present at one node of the chunk

    def slots_into(self, tables: PresentTables, compact_tables: np.ndarray) -> None:
        """Write the chunk's compact tables ``[R, width]`` into the level's pairs."""
        start = tables.ptr[self.nodes]
        count = tables.ptr[self.nodes + 1] - start
        which = np.repeat(np.arange(self.nodes.size), count)
        j = np.arange(which.size) - np.repeat(np.cumsum(count) - count, count)
        tables.slots[np.repeat(start, count) + j] = compact_tables[which, j]

    def declared_sums(
        self, tables: PresentTables, values: np.ndarray, cell_limit: int
    ) -> np.ndarray:
        """Row sums of ``values[R, width]`` (compact codes) taken as numpy sums a row
        over every declared category (zeros for absent ones): the same pairwise
        rounding as the dense search's, in blocks of at most ``cell_limit`` cells."""
        R, C = self.nodes.size, tables.n_categories
        out = np.empty(R)
        step = max(cell_limit // max(C, 1), 1)
        for lo in range(0, R, step):  # blocks of rows (bounded cells), not nodes
            rows = np.arange(lo, min(lo + step, R))
            start = tables.ptr[self.nodes[rows]]
            count = tables.ptr[self.nodes[rows] + 1] - start
            which = np.repeat(np.arange(rows.size), count)
            j = np.arange(which.size) - np.repeat(np.cumsum(count) - count, count)
            dense = np.zeros((rows.size, C))
            dense[which, tables.codes[np.repeat(start, count) + j]] = values[rows[which], j]
            out[rows] = dense.sum(axis=1)
        return out


#: Most cells of one chunk of nodes in a search over the categories present at each
#: node (:func:`present_chunks`, :meth:`PresentTables.declared_sums`): ``None`` takes
#: the memory budget's (:func:`treelearn._budget.categorical_search_cells`); an int
#: overrides it (tests). Read by :func:`present_chunk_cells`.
PRESENT_CHUNK_CELLS: int | None = None


def present_chunk_cells() -> int:
    """The chunk size (cells) of a search over present categories: the split search
    (:mod:`treelearn._builder`) and the surrogate search (:mod:`treelearn._surrogates`)
    both chunk by it."""
    if PRESENT_CHUNK_CELLS is not None:
        return PRESENT_CHUNK_CELLS
    return categorical_search_cells()


def present_chunks(
    codes: np.ndarray,
    node: np.ndarray,
    n_nodes: int,
    n_categories: int,
    n_classes: int,
    searched: np.ndarray,
    cell_limit: int,
) -> tuple[PresentTables, list[PresentChunk]]:
    """The present categories of one feature at a level's nodes, in chunks of nodes.

    Parameters
    ----------
    codes : ndarray of shape (m,)
        The level's entries' category codes (``NaN``: missing).
    node : ndarray of int, shape (m,)
        Their level-local nodes (``0 .. n_nodes-1``).
    n_nodes, n_categories, n_classes : int
    searched : ndarray of bool, shape (n_nodes,)
        Nodes to search; only those where two categories are present are.
    cell_limit : int
        Most ``rows × width × n_classes`` cells of one chunk's count tensor (a node
        whose present categories alone exceed it is a chunk of its own).

    Returns
    -------
    tables : PresentTables
        Every (node, present category) pair of the level, slots ``-1`` (to fill).
    chunks : list of PresentChunk
        Nodes sorted by their number of present categories, largest first, so that a
        chunk's padding to its ``width`` stays small.
    """
    known = np.flatnonzero(~np.isnan(codes))
    key = node[known].astype(np.int64) * n_categories + codes[known].astype(np.int64)
    pairs, inverse = np.unique(key, return_inverse=True)
    inverse = inverse.ravel()
    pair_node = pairs // n_categories
    n_present = np.bincount(pair_node, minlength=n_nodes)
    ptr = np.zeros(n_nodes + 1, dtype=np.int64)
    np.cumsum(n_present, out=ptr[1:])
    tables = PresentTables(
        ptr,
        (pairs % n_categories).astype(np.intp),
        np.full(pairs.size, -1, dtype=np.int32),
        n_categories,
    )
    sub = np.flatnonzero((n_present >= 2) & searched)
    if not sub.size:
        return tables, []
    sub = sub[np.argsort(-n_present[sub], kind="stable")]
    width = n_present[sub]
    # greedy chunks: rows of a chunk x its first (largest) width within the limit
    bounds = [0]
    while bounds[-1] < sub.size:
        first = bounds[-1]
        rows = max(cell_limit // max(int(width[first]) * n_classes, 1), 1)
        bounds.append(min(first + rows, sub.size))
    chunk_of = np.full(n_nodes, -1, dtype=np.intp)
    row_of = np.zeros(n_nodes, dtype=np.intp)
    for i in range(len(bounds) - 1):  # a loop over chunks (bounded cells), not nodes
        chunk_of[sub[bounds[i] : bounds[i + 1]]] = i
        row_of[sub[bounds[i] : bounds[i + 1]]] = np.arange(bounds[i + 1] - bounds[i])
    entry_node = node[known]
    entry_chunk = chunk_of[entry_node]
    order = np.argsort(entry_chunk, kind="stable")  # entry order kept within a chunk
    n_in = np.bincount(entry_chunk[entry_chunk >= 0], minlength=len(bounds) - 1)
    begin = int(np.count_nonzero(entry_chunk < 0))
    chunks = []
    for i in range(len(bounds) - 1):
        sel = order[begin : begin + int(n_in[i])]
        begin += int(n_in[i])
        at = entry_node[sel]
        chunks.append(
            PresentChunk(
                sub[bounds[i] : bounds[i + 1]],
                known[sel],
                row_of[at],
                (inverse[sel] - ptr[at]).astype(np.intp),
                int(width[bounds[i]]),
            )
        )
    return tables, chunks
