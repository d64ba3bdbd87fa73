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

__all__ = ["RandomCuts", "random_cuts", "random_thresholds"]


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
) -> RandomCuts:
    """One threshold per segment of ``layout``, uniform between its known extremes.

    ``values`` are sorted within each segment, missing values (NaN) last, and
    ``n_known`` counts each segment's known values.
    """
    S = layout.n_segments
    start = layout.seg_start
    u = rng.random(S)  # one draw per segment, used or not: the stream does not
    # depend on which nodes may split
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


def random_thresholds(
    features: list[int],
    values: list[np.ndarray],
    labels: list[np.ndarray],
    weights: list[np.ndarray] | None,
    has_missing: bool,
    layout: LevelLayout,
    n_classes: int,
    criterion: SplitCriterion,
    rules: GrowthRules,
    fractions: list[np.ndarray] | None = None,
) -> NumericSplits | None:
    """:func:`treelearn._split_numeric.best_thresholds` for ``splitter="random"``.

    Same arguments and result; each feature's split at a node is its drawn cut, if
    the rules admit it (sizes of known cases; ``fractions`` as in
    ``best_thresholds``). ``has_missing`` is not needed (missing values are found
    from ``values``). Under ``missing_values="learned"`` the node's missing cases
    join the side of the drawn cut that scores better (the right on ties, as in
    ``best_thresholds``); adding cases to a side never makes an admitted cut
    inadmissible.
    """
    K, F = n_classes, len(features)
    S0 = layout.n_segments
    v = values[0] if F == 1 else np.concatenate(values)
    yo = (labels[0] if F == 1 else np.concatenate(labels)).astype(np.intp, copy=False)
    wo = None if weights is None else (weights[0] if F == 1 else np.concatenate(weights))
    layout = stacked_layout(layout, F, values[0].size)
    S, seg_start, node_weight = layout.n_segments, layout.seg_start, layout.node_weight
    pos_seg = layout.position_segment
    known = ~np.isnan(v)
    n_known = np.bincount(pos_seg[known], minlength=S)
    rng = rules.rng if rules.rng is not None else np.random.default_rng()
    drawn = random_cuts(v, layout, n_known, rng, rules.numeric_gap)
    # which drawn cuts the rules admit: sizes from running sums of rows and weight
    cut = layout.interior & (v[1:] > v[:-1] + rules.numeric_gap)
    w_known = np.where(known, 1.0 if wo is None else wo, 0.0)
    wcum = np.cumsum(w_known)
    before = np.maximum(seg_start - 1, 0)
    left_w = wcum[:-1] - np.where(seg_start > 0, wcum[before], 0.0)[pos_seg[:-1]]
    known_w = np.bincount(pos_seg, weights=w_known, minlength=S)
    samples = None
    if fractions is not None:
        fr = fractions[0] if F == 1 else np.concatenate(fractions)
        fcum = np.cumsum(np.where(known, fr, 0.0))
        samples = (fcum, np.where(seg_start > 0, fcum[before], 0.0))
    sides = CutSides(cut, None, None, layout, n_known, known_w, left_weight=left_w, samples=samples)
    allowed, n_cand = rules.admissible_cuts(sides)
    cand = np.flatnonzero(drawn.at_cut & (cut if allowed is None else cut & allowed))
    if cand.size == 0:
        return None
    sg = pos_seg[cand]  # one candidate per segment, in segment order
    row_of = np.full(S, -1, dtype=np.intp)
    row_of[sg] = np.arange(sg.size)
    # class counts of the candidate segments: known entries, and those on the left
    at = known & (row_of[pos_seg] >= 0)
    r = row_of[pos_seg[at]]
    w_at = None if wo is None else wo[at]
    cells = r * K + yo[at]
    parent = np.bincount(cells, weights=w_at, minlength=sg.size * K).reshape(sg.size, K)
    left_side = v[at] <= drawn.threshold[sg][r]
    left = np.bincount(
        cells[left_side], weights=None if w_at is None else w_at[left_side], minlength=sg.size * K
    ).reshape(sg.size, K)
    parent, left = parent.astype(np.float64), left.astype(np.float64)
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
    block, node = np.divmod(sg, S0)
    feature = np.asarray(features, dtype=np.intp)[block]
    return NumericSplits(node, feature, gain, score, drawn.threshold[sg], missing_slot)
