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

The draw is vectorised: one uniform number per (feature, node) segment of the
level's sorted arrays, whether or not the node may split, from the growth rules'
``rng`` (seeded by ``random_state``), so that a seed gives one tree.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from treelearn._split_numeric import LevelLayout

__all__ = ["RandomCuts", "random_cuts"]


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
