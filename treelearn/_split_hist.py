"""Split search on summed histograms, vectorised over nodes, features and bins.

The histogram builder (:mod:`treelearn._builder_hist`) hands over, per level, the
``[nodes, features, codes, classes]`` class counts of its nodes (the last code of every
feature holds its missing values) and, unless every entry weighs 1, the entry counts
``[nodes, features, codes]``. :func:`feature_splits` finds every feature's best split
at every node from them with the same growth rules and criterion as the exact search:

* numeric features: every cut after a non-empty bin with known entries beyond it is
  a candidate (one per gap between the node's values when a bin holds one value);
  :meth:`~treelearn._growth_rules.GrowthRules.admissible_cuts` admits cuts, only
  boundary points are ranked for a concave impurity (Fayyad & Irani 1992, as
  :mod:`treelearn._split_numeric`), the criterion's ``split_rank`` orders them, the
  first within the rules' tolerance wins, and its gain is ``split_score`` scaled by
  the known fraction; the threshold is placed between the two bins' training values;
* categorical features: the rules' ``categorical_splits`` on the histogram's
  ``[node, category, class]`` tensor, the exact categorical search itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from treelearn._binning import Bins
from treelearn._growth_rules import GrowthRules
from treelearn._split_categorical import CategoryCounts, known_fraction
from treelearn.criteria import SplitCriterion

__all__ = ["FeatureSplits", "feature_splits"]


class _HistSides:
    """Sizes of the two sides of candidate cuts (what ``admissible_cuts`` reads)."""

    def __init__(self, left_n, right_n, left_w, right_w):
        self.left_n, self.right_n = left_n, right_n
        self.left_w, self.right_w = left_w, right_w


@dataclass
class FeatureSplits:
    """Every feature's best split at the searched nodes (rows of a histogram)."""

    gain: np.ndarray  # [r, P]
    score: np.ndarray  # [r, P]
    valid: np.ndarray  # [r, P]
    cut: np.ndarray  # [r, P] numeric: last bin on the left
    threshold: np.ndarray  # [r, P] numeric: the real threshold
    n_missing: np.ndarray  # [r, P] entries whose value is missing
    # numeric: [r, P, 2] known weight left/right; categorical, per feature:
    # (tables [r, C], child known weights [r, C])
    child_w: np.ndarray
    tables: dict = field(default_factory=dict)


def _first_within(rank: np.ndarray, tol: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per leading index: whether some position is within ``tol`` of the row's best
    (``rank`` ``[..., nb]``, ``-inf`` where no candidate), and the first such."""
    best = rank.max(axis=-1)
    hit = rank >= (best - tol)[..., None]
    return hit.any(axis=-1) & (best > -np.inf), np.argmax(hit, axis=-1)


def feature_splits(
    hist: np.ndarray,
    n_hist: np.ndarray | None,
    rows: np.ndarray,
    node_weight: np.ndarray,
    bins: Bins,
    n_categories: np.ndarray,
    criterion: SplitCriterion,
    rules: GrowthRules,
) -> FeatureSplits:
    """Best split of every feature at the histogram rows ``rows`` (splittable nodes).

    ``node_weight`` is per row of ``rows``. Numeric features: every cut after a
    non-empty bin with known entries beyond it is a candidate; the rules admit
    cuts, the criterion ranks them (``split_rank``), the first within the rules'
    tolerance wins, and its gain and score are the criterion's ``split_score``
    (scaled by the known fraction) and ``feature_score``, as in
    :func:`~treelearn._split_numeric.best_thresholds`. Categorical features: the
    rules' ``categorical_splits`` on the ``[node, category, class]`` tensor.
    """
    H = hist[rows]
    N = (H.sum(axis=-1) if n_hist is None else n_hist[rows]).astype(np.int64)
    r, P, B, _ = H.shape
    out = FeatureSplits(
        np.full((r, P), -np.inf), np.full((r, P), -np.inf), np.zeros((r, P), dtype=bool),
        np.zeros((r, P), dtype=np.intp), np.full((r, P), np.nan), N[:, :, B - 1].copy(),
        np.zeros((r, P, 2)),
    )  # fmt: skip
    numeric = np.flatnonzero(~bins.is_categorical)
    if numeric.size and r:
        _numeric_splits(H[:, numeric, : B - 1], N[:, numeric, : B - 1], numeric, node_weight,
                        bins, criterion, rules, out)  # fmt: skip
    for f in np.flatnonzero(bins.is_categorical).tolist():
        C = int(n_categories[f])
        if C < 2 or not r:
            continue
        counts = H[:, f, :C]
        stats = CategoryCounts(counts, N[:, f, :C], counts.sum(axis=1), node_weight)
        grouped = rules.categorical_splits(stats, criterion)
        ok = grouped.ok & ~np.isnan(grouped.gain)
        score = criterion.feature_score(grouped.gain, grouped.branch_weights, stats.missing_weight)
        out.gain[ok, f] = grouped.gain[ok]
        out.score[ok, f] = score[ok]
        out.valid[ok, f] = True
        tables = grouped.tables[:, :C].astype(np.int32)
        at = tables >= 0
        i = np.nonzero(at)[0]
        slot_w = np.bincount(
            i * C + tables[at], weights=counts.sum(axis=2)[at], minlength=r * C
        ).reshape(r, C)
        out.tables[f] = (tables, slot_w)
    return out


def _numeric_splits(H, N, features, node_weight, bins, criterion, rules, out) -> None:
    """The numeric part of :func:`feature_splits` (``H`` [r, F, nb, K] known bins)."""
    r, F, nb, _ = H.shape
    left = np.cumsum(H, axis=2)  # [r, F, nb, K]
    left_n = np.cumsum(N, axis=2)
    known = left[:, :, -1]  # [r, F, K]
    n_known = left_n[:, :, -1]
    present = N > 0
    cut = present & (left_n < n_known[..., None])
    idx = np.nonzero(cut)
    lw = left[idx]  # [c, K]
    rw = known[idx[0], idx[1]] - lw
    sides = _HistSides(left_n[idx], n_known[idx[0], idx[1]] - left_n[idx],
                       lw.sum(axis=1), rw.sum(axis=1))  # fmt: skip
    allowed, n_cand = rules.admissible_cuts(sides)
    # next non-empty bin after each bin (nb: none)
    pos = np.where(present, np.arange(nb), nb)
    first_from = np.minimum.accumulate(pos[..., ::-1], axis=-1)[..., ::-1]
    next_bin = np.concatenate([first_from[..., 1:], np.full((r, F, 1), nb)], axis=-1)
    keep = np.ones(idx[0].size, dtype=bool) if allowed is None else allowed.astype(bool)
    if criterion.concave:  # boundary points only (Fayyad & Irani), as the exact search
        pure = np.where(np.count_nonzero(H > 0, axis=-1) == 1, np.argmax(H > 0, axis=-1), -1)
        nxt = next_bin[idx]
        pure_next = pure[idx[0], idx[1], np.minimum(nxt, nb - 1)]
        boundary = (pure[idx] < 0) | (pure_next < 0) | (pure[idx] != pure_next)
        if allowed is not None:  # the ends of the admitted range may be optimal too
            ends = np.zeros_like(cut)
            mask = np.zeros_like(cut)
            mask[idx] = keep
            has = mask.any(axis=-1)
            firsts = np.argmax(mask, axis=-1)
            lasts = nb - 1 - np.argmax(mask[..., ::-1], axis=-1)
            ri, fi = np.nonzero(has)
            ends[ri, fi, firsts[ri, fi]] = True
            ends[ri, fi, lasts[ri, fi]] = True
            boundary |= ends[idx]
        keep &= boundary
    ci = tuple(a[keep] for a in idx)
    rank = np.full((r, F, nb), -np.inf)
    rank[ci] = criterion.split_rank(lw[keep], rw[keep])
    tol = rules.tie_tolerance * node_weight
    has, first = _first_within(rank, np.broadcast_to(tol[:, None], (r, F)))
    ri, fi = np.nonzero(has)
    b = first[ri, fi]
    lc = left[ri, fi, b]
    parent = known[ri, fi]
    children = np.stack([lc, parent - lc], axis=1)  # [s, 2, K]
    fraction = known_fraction(parent.sum(axis=-1), node_weight[ri])
    gain = criterion.split_score(parent, children) * fraction
    gain, ok = rules.adjust_numeric_gains(
        gain, None if n_cand is None else n_cand[ri], node_weight[ri]
    )
    ri, fi, b, gain, children, parent = ri[ok], fi[ok], b[ok], gain[ok], children[ok], parent[ok]
    score = criterion.feature_score(
        gain, children.sum(axis=2), np.maximum(node_weight[ri] - parent.sum(axis=1), 0.0)
    )
    f = features[fi]
    out.gain[ri, f] = gain
    out.score[ri, f] = score
    out.valid[ri, f] = True
    out.cut[ri, f] = b
    out.threshold[ri, f] = bins.threshold(f, b, next_bin[ri, fi, b], rules.place_thresholds)
    out.child_w[ri, f] = children.sum(axis=2)
