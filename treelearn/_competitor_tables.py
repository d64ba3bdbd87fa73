"""Competing splits stored beside a tree's nodes: the runner-up features of each split.

R's rpart prints, for every split, the best splits on the *other* variables
(``maxcompete``, one per variable, ranked by improvement): a user sees how close the
chosen split came to losing, and to which feature. A tree grown with
``max_competitors=k > 0`` keeps them in :class:`Competitors`, in the CSR layout of
:mod:`treelearn._split_lists`:

* node ``i``'s competitors are ``ptr[i] .. ptr[i + 1] - 1``, best first (by the
  tree's own feature score, ties to the lower feature index, as the primary split);
  leaves have none;
* competitor ``c`` is the best split found on ``feature[c]`` at that node, with its
  ``score`` (the criterion's feature score, the quantity the chosen split won by)
  and ``gain`` (the impurity decrease relative to the node, before any
  normalisation); numeric (``kind[c] == 1``): ``x <= threshold[c]`` goes to child slot
  0, ``x > threshold[c]`` to slot 1; categorical (``kind[c] == 2``): code ``v`` goes to
  its slot in the competitor's (category, slot) table (``-1`` or not listed: no
  training case of the node had that category), so a multiway test has as many slots
  as its table names.

A competitor is a description, never a route: prediction ignores it.
:func:`top_competitors` chooses them from the score table of one level of the
builder (every node against every feature), the table the primary split was chosen
from, by the rule that chose it; no second search is run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from treelearn._split_lists import SplitList

__all__ = ["Competitors", "top_competitors"]


@dataclass
class Competitors(SplitList):
    """Every node's competing splits in CSR layout (see the module docstring)."""

    PREFIX: ClassVar[str] = "competitor_"
    ARRAYS: ClassVar[dict[str, type]] = {
        "competitor_ptr": np.int64,
        "competitor_feature": np.int32,
        "competitor_kind": np.int8,
        "competitor_threshold": np.float64,
        "competitor_score": np.float64,
        "competitor_gain": np.float64,
        "competitor_category_ptr": np.int64,
        "competitor_category_branch": np.int32,
    }

    score: np.ndarray  # [c]
    gain: np.ndarray  # [c]


def top_competitors(
    select: Callable[[np.ndarray], np.ndarray],
    valid: np.ndarray,
    nodes: np.ndarray,
    winner: np.ndarray,
    k: int,
) -> tuple[np.ndarray, np.ndarray]:
    """The best ``k`` features other than the winner at every split node of a level.

    The order is the tree's own choice between features, asked again with the
    features already ranked left out: competitor ``j`` is what ``select`` picks
    once the winner and competitors ``0 .. j-1`` are gone. So ties (scores equal
    up to rounding) go where the primary split's ties go (the lower feature index,
    by default) and a criterion with its own rule ranks by it. ``k`` vectorised
    calls over the level's nodes.

    Parameters
    ----------
    select : callable
        ``select(valid)`` returns the winning feature of every node (``-1``: none
        valid) for a boolean table of shape ``(n_nodes, n_features)``.
    valid : ndarray of bool, shape (n_nodes, n_features)
        Whether the feature's best split at the node may be listed.
    nodes, winner : ndarray of int
        The split nodes (rows of ``valid``) and the feature each is split on.
    k : int
        Competitors per node, at most.

    Returns
    -------
    count : ndarray of int64, shape (len(nodes),)
        The competitors of each split node (``<= k``: fewer valid features).
    feature : ndarray of intp
        Their features, node by node, best first.
    """
    rows = np.asarray(nodes, dtype=np.intp)
    left = np.zeros_like(valid)
    left[rows] = valid[rows]
    left[rows, winner] = False
    picks = np.full((rows.size, k), -1, dtype=np.intp)
    for j in range(k):  # a loop over ranks, not nodes
        pick = select(left)[rows]
        has = np.flatnonzero(pick >= 0)
        if not has.size:
            break
        picks[has, j] = pick[has]
        left[rows[has], pick[has]] = False
    keep = picks >= 0
    return keep.sum(axis=1).astype(np.int64), picks[keep]
