"""Numeric split search for many classes: ranks from square sums, no ``[K, m]`` arrays.

The general search (:func:`treelearn._split_numeric.best_thresholds`) takes class-count
prefix sums over every position and class: ``K × m`` cells per level, most of them
zero when there are many classes (a node of ``n`` rows holds at most ``n`` of them).
A criterion whose rank depends on each side's counts only through their total and
their sum of squares (:attr:`SplitCriterion.ranks_by_square_sums`: Gini) needs
neither. With every weight 1 and no missing value, scanning a node's positions in
value order

- adds ``2r - 1`` to the left side's ``Σ_k L_k²`` at the ``r``-th entry of a class, and
- adds ``T_k`` (the node's count of that class) to ``Σ_k T_k L_k``,

so that ``Σ_k R_k² = Σ_k T_k² - 2 Σ_k T_k L_k + Σ_k L_k²`` for the right side. These are
running integer sums (one stable sort of the level's (node, class) keys, then
``cumsum``): ``O(m log m)`` per level whatever ``K`` is. Integer sums below ``2**53``
are exact in float64, in any order, so the criterion's rank from them is the very
number it computes from the count tensors, and the tree is the same bit for bit. The
winners' class counts are then counted (``bincount``) for their gains.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from treelearn._split_numeric import (
    CutSides,
    NumericSplits,
    class_boundaries,
    finish_splits,
    range_ends,
    segment_best,
    stacked_layout,
    value_gaps,
)
from treelearn.criteria import SplitCriterion

if TYPE_CHECKING:
    from treelearn._growth_rules import GrowthRules
    from treelearn._split_numeric import LevelLayout

__all__ = ["MANY_CLASSES", "best_thresholds_by_square_sums", "square_sums_apply"]

#: From this many classes on, a criterion that ranks by square sums is searched here;
#: below it the ``[K, m]`` prefix sums are faster (``bench_many_classes.py
#: --crossover``: even at 6 classes on uniform labels, at 10–12 on
#: ``make_classification``; 3 classes take 1.7× longer here).
MANY_CLASSES = 12

#: Entries of one level beyond which the square sums could pass ``2**53`` (a node of
#: ``n`` entries has ``Σ c² ≤ n²``) and stop being exact.
_EXACT_ENTRIES = 2**26


def square_sums_apply(
    criterion: SplitCriterion, n_classes: int, weighted: bool, has_missing: bool, n_entries: int
) -> bool:
    """Whether a block of numeric features is searched by square sums.

    It must give the general search's tree bit for bit: the criterion ranks by square
    sums, every weight is 1 and no value is missing (integer counts), and the sums
    stay exact. Only worth it for many classes (:data:`MANY_CLASSES`).
    """
    return (
        n_classes >= MANY_CLASSES
        and not weighted
        and not has_missing
        and n_entries < _EXACT_ENTRIES
        and criterion.ranks_by_square_sums
    )


def best_thresholds_by_square_sums(
    features: list[int],
    values: list[np.ndarray],
    labels: list[np.ndarray],
    layout: LevelLayout,
    n_classes: int,
    criterion: SplitCriterion,
    rules: GrowthRules,
) -> NumericSplits | None:
    """:func:`~treelearn._split_numeric.best_thresholds` for unit weights, no missing value.

    Same arguments, same result (see the module docstring); memory and time are
    independent of ``n_classes`` but for the winners' ``[nodes, 2, K]`` class counts.
    """
    K = n_classes
    F = len(features)
    S0 = layout.n_segments
    v = values[0] if F == 1 else np.concatenate(values)
    yo = labels[0] if F == 1 else np.concatenate(labels)
    layout = stacked_layout(layout, F, values[0].size)
    seg_start, seg_len, node_weight = layout.seg_start, layout.seg_len, layout.node_weight
    S, m = layout.n_segments, v.size
    position_segment = layout.position_segment
    interior = layout.interior
    cut = interior & value_gaps(v, rules.numeric_gap)
    left_n = np.arange(1, m, dtype=np.int64) - seg_start[position_segment[:-1]]
    known_w = seg_len.astype(np.float64)
    sides = CutSides(cut, None, None, layout, seg_len, known_w, left_weight=left_n)
    allowed, n_cand = rules.admissible_cuts(sides)
    cand_mask = cut if allowed is None else cut & allowed
    if criterion.concave:
        keep = class_boundaries(cut, yo, interior, position_segment)
        if allowed is not None:  # the ends of the admitted range may be optimal too
            keep |= range_ends(cand_mask, position_segment[:-1])
        cand_mask = cand_mask & keep
    cand = np.flatnonzero(cand_mask)
    if cand.size == 0:
        return None

    # each entry's rank r among its node's entries of its class, and that class's
    # count T in the node: group the positions by (node, class), value order kept
    key = position_segment.astype(np.int64) * K + yo
    order = np.argsort(key, kind="stable")
    sorted_key = key[order]
    new = np.empty(m, dtype=bool)
    new[0] = True
    np.not_equal(sorted_key[1:], sorted_key[:-1], out=new[1:])
    starts = np.flatnonzero(new)
    group = np.cumsum(new) - 1
    sizes = np.diff(np.append(starts, m))
    rank = np.empty(m, dtype=np.int64)
    rank[order] = np.arange(m) - starts[group]  # r - 1
    total = np.empty(m, dtype=np.int64)
    total[order] = sizes[group]
    # running sums with a leading 0: positions [a, b) sum to c[b] - c[a]
    squares = np.zeros(m + 1, dtype=np.int64)
    np.cumsum(2 * rank + 1, out=squares[1:])
    cross = np.zeros(m + 1, dtype=np.int64)
    np.cumsum(total, out=cross[1:])
    seg = position_segment[cand]
    a = seg_start[seg]
    end = cand + 1  # the left side is positions a .. cand
    n_left = end - a
    n_right = seg_len[seg] - n_left
    sq_left = squares[end] - squares[a]
    sq_right = (squares[a + seg_len[seg]] - squares[a]) - 2 * (cross[end] - cross[a]) + sq_left
    score = criterion.square_sum_rank(
        n_left.astype(np.float64),
        sq_left.astype(np.float64),
        n_right.astype(np.float64),
        sq_right.astype(np.float64),
    )
    has, _, first = segment_best(score, seg, S, tolerance=rules.tie_tolerance * node_weight)
    sg = np.flatnonzero(has)
    i = cand[first[sg]]

    # the winners' class counts, a bincount over their nodes' positions, in chunks of
    # winners so that the [s, 2, K] counts of many classes stay within _WINNER_CELLS
    per_chunk = max(1, _WINNER_CELLS // K)
    if sg.size <= per_chunk:
        return _finish_chunk(features, v, yo, i, sg, layout, K, n_cand, S0, criterion, rules)
    args = (layout, K, n_cand, S0, criterion, rules)
    parts = [
        _finish_chunk(features, v, yo, i[c : c + per_chunk], sg[c : c + per_chunk], *args)
        for c in range(0, sg.size, per_chunk)
    ]
    joined = {name: np.concatenate([getattr(p, name) for p in parts]) for name in _FIELDS}
    return NumericSplits(**joined)  # no missing value here: no missing_slot


#: (segment, class) cells of the winners' class counts computed at once: a chunk of
#: winners holds about ten float64-sized arrays of that many cells (80 MiB here).
_WINNER_CELLS = 2**20
_FIELDS = ("nodes", "feature", "gain", "score", "threshold")


def _finish_chunk(features, v, yo, i, sg, layout, K, n_cand, S0, criterion, rules):
    """:func:`~treelearn._split_numeric.finish_splits` for the winners ``sg`` (in
    segment order, cut positions ``i``), with their class counts."""
    S = layout.n_segments
    lo = int(layout.seg_start[sg[0]])
    hi = int(layout.seg_start[sg[-1]] + layout.seg_len[sg[-1]])  # their positions
    row_of = np.full(S, -1, dtype=np.intp)
    row_of[sg] = np.arange(sg.size)
    row = row_of[layout.position_segment[lo:hi]]
    at = np.flatnonzero(row >= 0) + lo
    row = row[at - lo]
    flat = row * K + yo[at]
    parent = np.bincount(flat, minlength=sg.size * K).reshape(sg.size, K)
    left = np.bincount(flat[at <= i[row]], minlength=sg.size * K).reshape(sg.size, K)
    children = np.stack([left, parent - left], axis=1).astype(np.float64)  # [s, 2, K]
    return finish_splits(
        features, v, i, sg, parent.astype(np.float64), children, layout.node_weight, n_cand,
        S0, criterion, rules,
    )  # fmt: skip
