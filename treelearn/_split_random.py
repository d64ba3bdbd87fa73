"""scikit-learn's random splitter: one threshold per numeric feature per node, at random.

With ``splitter="random"`` (Extremely Randomized Trees, Geurts et al. 2006; the
``RandomSplitter`` of scikit-learn) a numeric feature does not compete with its best
threshold at a node but with one threshold drawn uniformly between the node's
smallest and largest known value of the feature (a draw equal to the largest is
moved to the smallest, as scikit-learn does, so that both sides are non-empty). A
feature whose known values at the node lie within ``numeric_gap`` of each other is
constant there and has no threshold. Everything else is the best splitter's: the
growth rules admit or reject the one cut (leaf sizes), the criterion scores it, and
the features compete as usual (``max_features`` draws among those that can split).

The search is vectorised like the best splitter's (:mod:`treelearn._split_numeric`):
a block of features laid end to end, one uniform number per (feature, node) segment
of the level's sorted arrays, whether or not the node may split, from the growth
rules' ``rng`` (seeded by ``random_state``), so that a seed gives one tree. With one
cut per segment there are no class-count prefix sums: the left counts are one
``bincount`` of the entries at or below each segment's threshold, so a level costs
``O(entries)``, not ``O(entries × classes)``.

Features compete as under ``"best"``: ``max_features`` draws among the features
that have an admissible cut at the node (scikit-learn counts a non-constant
feature whose drawn cut breaks the leaf-size rule as drawn).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from treelearn._split_categorical import known_fraction
from treelearn._split_numeric import CutSides, LevelLayout, NumericSplits, stacked_layout
from treelearn.criteria import SplitCriterion

if TYPE_CHECKING:
    from treelearn._growth_rules import GrowthRules

__all__ = ["RandomCuts", "pair_draws", "random_cuts", "random_thresholds"]

#: Uniform numbers drawn in one call by :func:`pair_draws` (whole features).
DRAWS_PER_CALL = 2**20


@dataclass
class RandomCuts:
    """The drawn threshold of every segment and the cut position it falls at."""

    at_cut: np.ndarray  # [m - 1] bool: the cut after position i is a segment's draw
    threshold: np.ndarray  # [S] the drawn threshold (NaN: none)


def random_cuts(
    values: np.ndarray,
    layout: LevelLayout,
    n_known: np.ndarray,
    rng: np.random.Generator,
    gap: float,
    draws: np.ndarray | None = None,
) -> RandomCuts:
    """One threshold per segment of ``layout``, uniform between its known extremes.

    ``values`` are sorted within each segment, missing values (NaN) last, and
    ``n_known`` counts each segment's known positions. ``draws`` are the segments'
    uniform numbers when they were drawn already (:func:`pair_draws`); otherwise
    one per segment is drawn from ``rng``.
    """
    S = layout.n_segments
    start = layout.seg_start
    # one draw per segment, used or not: the stream does not depend on which nodes
    # may split
    u = rng.random(S) if draws is None else draws
    threshold = np.full(S, np.nan)
    has = np.flatnonzero(n_known >= 2)
    lo = values[start[has]]
    hi = values[start[has] + n_known[has] - 1]
    varies = hi > lo + gap
    has, lo, hi = has[varies], lo[varies], hi[varies]
    with np.errstate(over="ignore", invalid="ignore"):
        t = lo + u[has] * (hi - lo)
    t = np.where(np.isfinite(t), t, lo * (1.0 - u[has]) + hi * u[has])  # hi - lo overflowed
    threshold[has] = np.where(t >= hi, lo, t)
    m = values.size
    at_cut = np.zeros(max(m - 1, 0), dtype=bool)
    if has.size and m > 1:
        seg = layout.position_segment
        with np.errstate(invalid="ignore"):
            left = np.bincount(seg, weights=values <= threshold[seg], minlength=S)
        pos = start[has] + left[has].astype(np.intp) - 1  # last position on the left
        at_cut[pos[pos < m - 1]] = True
    return RandomCuts(at_cut, threshold)


def pair_draws(
    rules: GrowthRules, n_features: int, n_nodes: int, feature: np.ndarray, node: np.ndarray
) -> np.ndarray:
    """The uniform numbers of some (feature, node) pairs, as the dense search draws them.

    A level of the dense search draws one number per (feature, node) pair, every
    feature's nodes in turn (feature-major, :func:`random_thresholds` over blocks of
    consecutive features). Here the same numbers are drawn from ``rules.rng``, a few
    features at a time (memory stays bounded for wide data), and those of the pairs
    ``(feature, node)`` (in increasing (feature, node) order) are returned.
    """
    rng = rules.rng if rules.rng is not None else np.random.default_rng()
    total = n_features * n_nodes
    key = feature.astype(np.int64) * n_nodes + node
    out = np.empty(key.size)
    step = max(DRAWS_PER_CALL // max(n_nodes, 1), 1) * n_nodes  # whole features per call
    for a in range(0, total, step):
        u = rng.random(min(step, total - a))
        lo, hi = np.searchsorted(key, [a, a + u.size])
        out[lo:hi] = u[key[lo:hi] - a]
    return out


def random_thresholds(
    features: list[int] | np.ndarray,
    values: list[np.ndarray],
    labels: list[np.ndarray],
    weights: list[np.ndarray] | None,
    has_missing: bool,
    layout: LevelLayout,
    n_classes: int,
    criterion: SplitCriterion,
    rules: GrowthRules,
    fractions: list[np.ndarray] | None = None,
    *,
    multiplicity: np.ndarray | None = None,
    segments: tuple[np.ndarray, np.ndarray] | None = None,
    block_counts: tuple[np.ndarray, np.ndarray] | None = None,
    draws: np.ndarray | None = None,
) -> NumericSplits | None:
    """:func:`treelearn._split_numeric.best_thresholds` for ``splitter="random"``.

    Same arguments and result; each feature's split at a node is its drawn cut, if
    the rules admit it (sizes of known cases; ``fractions`` as in
    ``best_thresholds``). ``has_missing`` is not needed (missing values are found
    from ``values``). Under ``missing_values="learned"`` the node's missing cases
    join the side of the drawn cut that scores better (the right on ties, as in
    ``best_thresholds``); adding cases to a side never makes an admitted cut
    inadmissible.

    Sparse features (:mod:`treelearn._sparse_store`): ``multiplicity``,
    ``segments`` and ``block_counts`` as in ``best_thresholds`` (a zero block is one
    position of value 0), and ``draws`` each segment's uniform number
    (:func:`pair_draws`), so that the cut is the dense matrix's: a segment's
    extremes include its zero block, and the block's rows join the side of 0.
    """
    K, F = n_classes, len(features)
    S0 = layout.n_segments
    if F == 1 or segments is not None:
        v, yo = values[0], labels[0].astype(np.intp, copy=False)
        wo = None if weights is None else weights[0]
    else:
        v, yo = np.concatenate(values), np.concatenate(labels).astype(np.intp, copy=False)
        wo = None if weights is None else np.concatenate(weights)
    if segments is None:
        layout = stacked_layout(layout, F, values[0].size)
    S, seg_start, node_weight = layout.n_segments, layout.seg_start, layout.node_weight
    pos_seg = layout.position_segment
    known = ~np.isnan(v)
    n_known = np.bincount(pos_seg[known], minlength=S)
    rng = rules.rng if rules.rng is not None else np.random.default_rng()
    drawn = random_cuts(v, layout, n_known, rng, rules.numeric_gap, draws)
    # which drawn cuts the rules admit: sizes from running sums of rows and weight
    cut = layout.interior & (v[1:] > v[:-1] + rules.numeric_gap)
    w_known = np.where(known, 1.0 if wo is None else wo, 0.0)
    if block_counts is not None:
        w_known[block_counts[0]] = block_counts[1].sum(axis=0)
    wcum = np.cumsum(w_known)
    before = np.maximum(seg_start - 1, 0)
    left_w = wcum[:-1] - np.where(seg_start > 0, wcum[before], 0.0)[pos_seg[:-1]]
    known_w = np.bincount(pos_seg, weights=w_known, minlength=S)
    samples = None
    if fractions is not None:
        fr = fractions[0] if F == 1 else np.concatenate(fractions)
        fcum = np.cumsum(np.where(known, fr, 0.0))
        samples = (fcum, np.where(seg_start > 0, fcum[before], 0.0))
    n_rows, left_count = n_known, None
    if multiplicity is not None:  # rows, counted by multiplicity (no missing value)
        kcum = np.cumsum(multiplicity)
        base = np.where(seg_start > 0, kcum[before], 0)
        n_rows = kcum[seg_start + layout.seg_len - 1] - base
        left_count = kcum[:-1] - base[pos_seg[:-1]]
    sides = CutSides(cut, None, None, layout, n_rows, known_w, left_weight=left_w,
                     samples=samples, left_count=left_count)  # fmt: skip
    allowed, n_cand = rules.admissible_cuts(sides)
    cand = np.flatnonzero(drawn.at_cut & (cut if allowed is None else cut & allowed))
    if cand.size == 0:
        return None
    sg = pos_seg[cand]  # one candidate per segment, in segment order
    row_of = np.full(S, -1, dtype=np.intp)
    row_of[sg] = np.arange(sg.size)
    # class counts of the candidate segments: known entries, and those on the left
    at = known & (row_of[pos_seg] >= 0)
    if block_counts is not None:
        at[block_counts[0]] = False  # a block's counts are added below
    r = row_of[pos_seg[at]]
    w_at = None if wo is None else wo[at]
    cells = r * K + yo[at]
    parent = np.bincount(cells, weights=w_at, minlength=sg.size * K).reshape(sg.size, K)
    left_side = v[at] <= drawn.threshold[sg][r]
    left = np.bincount(
        cells[left_side], weights=None if w_at is None else w_at[left_side], minlength=sg.size * K
    ).reshape(sg.size, K)
    parent, left = parent.astype(np.float64), left.astype(np.float64)
    if block_counts is not None:  # zero blocks of the candidate segments
        b_pos, b_counts = block_counts
        b_row = row_of[pos_seg[b_pos]]
        has = b_row >= 0
        b_row, b_counts = b_row[has], b_counts[:, has].T
        parent[b_row] += b_counts
        zero_left = drawn.threshold[sg][b_row] >= 0.0
        left[b_row[zero_left]] += b_counts[zero_left]
    children = np.stack([left, parent - left], axis=1)  # [s, 2, K]
    missing_slot = None
    if rules.missing_values == "learned" and not known.all():
        gone = ~known & (row_of[pos_seg] >= 0)  # the candidate nodes' missing cases
        miss = np.bincount(
            row_of[pos_seg[gone]] * K + yo[gone],
            weights=None if wo is None else wo[gone],
            minlength=sg.size * K,
        ).reshape(sg.size, K)
        has_miss = miss.sum(axis=1) > 0
        parent = parent + miss
        right_gets = children.copy()
        right_gets[:, 1] += miss
        left_gets = children.copy()
        left_gets[:, 0] += miss
        score_right = criterion.split_score(parent, right_gets)
        score_left = criterion.split_score(parent, left_gets)
        go_left = has_miss & (score_left > score_right)
        children = np.where(go_left[:, None, None], left_gets, right_gets)
        gain = np.where(go_left, score_left, score_right)
        missing_slot = np.where(has_miss, np.where(go_left, 0, 1), -1)
    else:
        fraction = known_fraction(parent.sum(axis=-1), node_weight[sg])
        gain = criterion.split_score(parent, children) * fraction
    gain, ok = rules.adjust_numeric_gains(
        gain, None if n_cand is None else n_cand[sg], node_weight[sg]
    )
    if not ok.all():
        sg, gain, children, parent = sg[ok], gain[ok], children[ok], parent[ok]
        if missing_slot is not None:
            missing_slot = missing_slot[ok]
    score = criterion.feature_score(
        gain, children.sum(axis=2), np.maximum(node_weight[sg] - parent.sum(axis=1), 0.0)
    )
    if segments is None:
        block, node = np.divmod(sg, S0)
    else:
        block, node = segments[0][sg], segments[1][sg]
    feature = np.asarray(features, dtype=np.intp)[block]
    return NumericSplits(node, feature, gain, score, drawn.threshold[sg], missing_slot)
