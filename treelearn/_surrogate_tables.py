"""Surrogate splits stored beside a tree's nodes, and routing a case by them.

A surrogate split (Breiman et al. 1984; R's rpart) is a second test at an internal
node that mimics the node's primary split: a case whose primary value is missing
goes the way of the first surrogate whose own value it has. :class:`Surrogates`
holds every node's surrogates in the CSR layout of :mod:`treelearn._split_lists`:

* node ``i``'s surrogates are ``ptr[i] .. ptr[i + 1] - 1``, best first (by
  ``agreement``, the share of the node's training weight, primary value known,
  that the surrogate sends the primary's way; ``adj`` is rpart's adjusted
  agreement, the part of the primary's disagreement with the majority direction
  it removes);
* surrogate ``s`` tests ``feature[s]``; numeric (``kind[s] == SPLIT_NUMERIC``):
  ``x <= threshold[s]`` goes to child slot ``low_slot[s]``, ``x > threshold[s]``
  to the other slot; categorical: code ``c`` goes to its slot in the surrogate's
  (category, slot) table (:meth:`~treelearn._split_lists.SplitList.category_slots`),
  ``-1`` or not listed when no training case of the node had both that category and
  a known primary value (the surrogate does not apply: the next one is tried).

What a case does when no surrogate applies is not stored here: the node's
``missing_fraction`` over its children (a one-hot share is a direction) is used,
as for every other missing value (:mod:`treelearn._routing`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import ClassVar

import numpy as np

from treelearn._split_lists import SplitList

__all__ = ["Surrogates", "surrogate_ranks", "surrogate_slots"]

#: The kinds of a surrogate test (the values of ``Tree.split_kind``).
_NUMERIC, _CATEGORICAL = 1, 2


@dataclass
class Surrogates(SplitList):
    """Every node's surrogate splits in CSR layout (see the module docstring)."""

    PREFIX: ClassVar[str] = "surrogate_"
    ARRAYS: ClassVar[dict[str, type]] = {
        "surrogate_ptr": np.int64,
        "surrogate_feature": np.int32,
        "surrogate_kind": np.int8,
        "surrogate_threshold": np.float64,
        "surrogate_low_slot": np.int8,
        "surrogate_agreement": np.float64,
        "surrogate_adj": np.float64,
        "surrogate_category_ptr": np.int64,
        "surrogate_category_branch": np.int32,
    }

    low_slot: np.ndarray  # [s] slot of x <= threshold (-1 for categorical)
    agreement: np.ndarray  # [s]
    adj: np.ndarray  # [s]

    @cached_property
    def has_categorical(self) -> bool:
        """Whether some surrogate split is categorical."""
        return bool((self.kind == _CATEGORICAL).any())


def surrogate_ranks(sur: Surrogates) -> np.ndarray:
    """Every node's surrogates by rank, ``[node_count, max rank]``: ``table[v, r]`` is
    node ``v``'s surrogate of rank ``r`` (``-1`` past its count). Built once per tree
    for prediction (``DescentTables.surrogate_ranks``), it saves
    :func:`surrogate_slots` the per-call construction of its cases' rows."""
    first = sur.ptr[:-1]
    count = sur.ptr[1:] - first
    ranks = np.arange(int(count.max()) if count.size else 0)
    return np.where(ranks < count[:, None], first[:, None] + ranks, -1).astype(np.intp)


def surrogate_slots(
    sur: Surrogates,
    X: np.ndarray,
    rows: np.ndarray,
    nodes: np.ndarray,
    ranked: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """The child slot of each case by the first surrogate of its node that applies.

    Vectorised over cases, one step per surrogate rank. A numeric surrogate applies
    when the case's value is known, a categorical one when the value is a category
    with a slot (``>= 0``) in the surrogate's table.

    Parameters
    ----------
    sur : Surrogates
    X : ndarray of shape (n_rows, n_features)
        Encoded values (missing: NaN; categories: codes).
    rows, nodes : ndarray of int
        Each case's row of ``X`` and node (an index of ``sur.ptr``).
    ranked : ndarray of int, optional
        :func:`surrogate_ranks` of ``sur``, if the caller keeps it.

    Returns
    -------
    slot : ndarray of intp
        The slot of each case, ``-1`` where no surrogate applies.
    used : ndarray of intp
        The surrogate (index into ``sur``'s arrays) that decided, ``-1`` where none.
    """
    if not sur.has_categorical:
        return _numeric_slots(sur, X, rows, nodes, ranked)
    slot = np.full(rows.size, -1, dtype=np.intp)
    used = np.full(rows.size, -1, dtype=np.intp)
    count = sur.count[nodes]
    pending = np.flatnonzero(count > 0)
    k = 0
    while pending.size:
        s = sur.ptr[nodes[pending]] + k
        x = X[rows[pending], sur.feature[s]]
        got = np.full(pending.size, -1, dtype=np.intp)
        cat = sur.kind[s] == _CATEGORICAL
        num = np.flatnonzero(~cat & ~np.isnan(x))
        low = sur.low_slot[s[num]].astype(np.intp)
        got[num] = np.where(x[num] <= sur.threshold[s[num]], low, 1 - low)
        c = np.flatnonzero(cat)  # NaN and codes the table does not list: -1
        got[c] = sur.category_slots(s[c], x[c])
        done = got >= 0
        slot[pending[done]] = got[done]
        used[pending[done]] = s[done]
        k += 1
        pending = pending[~done]
        pending = pending[count[pending] > k]
    return slot, used


def _numeric_slots(
    sur: Surrogates,
    X: np.ndarray,
    rows: np.ndarray,
    nodes: np.ndarray,
    ranked: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`surrogate_slots` when every surrogate is numeric: all ranks at once
    (a case's first surrogate whose value it has decides)."""
    if ranked is None:
        first_split = sur.ptr[nodes]
        count = sur.ptr[nodes + 1] - first_split
        ranks = np.arange(int(count.max()) if count.size else 0)
        s = np.where(ranks < count[:, None], first_split[:, None] + ranks, -1)
    else:
        s = ranked.take(nodes, axis=0)
    if not s.shape[1]:
        none = np.full(rows.size, -1, dtype=np.intp)
        return none, none.copy()
    # past a node's count (-1) read the last surrogate's feature: never used
    x = X[rows[:, None], sur.feature.take(s, mode="wrap")]
    known = s >= 0
    known &= ~np.isnan(x)
    first = known.argmax(axis=1)
    pick = np.arange(rows.size), first
    found = known[pick]
    s, x = s[pick], x[pick]
    low = sur.low_slot.take(s, mode="wrap").astype(np.intp)
    slot = np.where(found, np.where(x <= sur.threshold.take(s, mode="wrap"), low, 1 - low), -1)
    return slot, np.where(found, s, -1)
