"""Surrogate splits stored beside a tree's nodes, and routing a case by them.

A surrogate split (Breiman et al. 1984; R's rpart) is a second test at an internal
node that mimics the node's primary split: a case whose primary value is missing
goes the way of the first surrogate whose own value it has. :class:`Surrogates`
holds every node's surrogates in CSR layout:

* node ``i``'s surrogates are ``ptr[i] .. ptr[i + 1] - 1``, best first (by
  ``agreement``, the share of the node's training weight, primary value known,
  that the surrogate sends the primary's way; ``adj`` is rpart's adjusted
  agreement, the part of the primary's disagreement with the majority direction
  it removes);
* surrogate ``s`` tests ``feature[s]``; numeric (``kind[s] == SPLIT_NUMERIC``):
  ``x <= threshold[s]`` goes to child slot ``low_slot[s]``, ``x > threshold[s]``
  to the other slot; categorical: code ``c`` goes to slot
  ``category_branch[category_ptr[s] + c]``, ``-1`` when no training case of the
  node had both that category and a known primary value (the surrogate does not
  apply: the next one is tried).

What a case does when no surrogate applies is not stored here: the node's
``missing_fraction`` over its children (a one-hot share is a direction) is used,
as for every other missing value (:mod:`treelearn._routing`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

__all__ = ["Surrogates", "surrogate_slots"]

#: The kinds of a surrogate test (the values of ``Tree.split_kind``).
_NUMERIC, _CATEGORICAL = 1, 2


@dataclass
class Surrogates:
    """Every node's surrogate splits in CSR layout (see the module docstring)."""

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

    ptr: np.ndarray  # [node_count + 1]
    feature: np.ndarray  # [s]
    kind: np.ndarray  # [s]
    threshold: np.ndarray  # [s] (nan for categorical)
    low_slot: np.ndarray  # [s] slot of x <= threshold (-1 for categorical)
    agreement: np.ndarray  # [s]
    adj: np.ndarray  # [s]
    category_ptr: np.ndarray  # [s + 1]
    category_branch: np.ndarray  # per category of a categorical surrogate: slot or -1

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray]) -> Surrogates:
        """Build from the arrays named in :attr:`ARRAYS` (the inverse of :meth:`to_arrays`)."""
        vals: dict[str, np.ndarray] = {
            name[len("surrogate_") :]: np.ascontiguousarray(arrays[name], dtype=dtype)
            for name, dtype in cls.ARRAYS.items()
        }
        return cls(**vals)

    @classmethod
    def empty(cls, node_count: int) -> Surrogates:
        """No surrogate at any of ``node_count`` nodes."""
        z = np.zeros(0)
        return cls(
            np.zeros(node_count + 1, dtype=np.int64), z.astype(np.int32), z.astype(np.int8),
            z, z.astype(np.int8), z, z, np.zeros(1, dtype=np.int64), z.astype(np.int32),
        )  # fmt: skip

    def to_arrays(self) -> dict[str, np.ndarray]:
        """Every array by its name in :attr:`ARRAYS`."""
        return {name: getattr(self, name[len("surrogate_") :]) for name in self.ARRAYS}

    @property
    def count(self) -> np.ndarray:
        """Number of surrogates of every node."""
        return np.diff(self.ptr)

    def categories(self, s: int) -> np.ndarray:
        """The slot of every category of categorical surrogate ``s`` (``-1``: does not apply)."""
        return self.category_branch[self.category_ptr[s] : self.category_ptr[s + 1]]

    def take(self, source: np.ndarray, keep: np.ndarray) -> Surrogates:
        """The surrogates of a renumbered tree: new node ``i`` gets those of node
        ``source[i]`` if ``keep[i]`` (it is still internal), none otherwise."""
        source = np.asarray(source, dtype=np.intp)
        count = np.where(keep, self.count[source], 0)
        ptr = np.zeros(source.size + 1, dtype=np.int64)
        np.cumsum(count, out=ptr[1:])
        take = np.repeat(self.ptr[:-1][source] - ptr[:-1], count) + np.arange(ptr[-1])
        width = np.diff(self.category_ptr)[take]
        cptr = np.zeros(take.size + 1, dtype=np.int64)
        np.cumsum(width, out=cptr[1:])
        ctake = np.repeat(self.category_ptr[take] - cptr[:-1], width) + np.arange(cptr[-1])
        return Surrogates(
            ptr, self.feature[take], self.kind[take], self.threshold[take],
            self.low_slot[take], self.agreement[take], self.adj[take], cptr,
            self.category_branch[ctake],
        )  # fmt: skip


def surrogate_slots(
    sur: Surrogates, X: np.ndarray, rows: np.ndarray, nodes: np.ndarray
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

    Returns
    -------
    slot : ndarray of intp
        The slot of each case, ``-1`` where no surrogate applies.
    used : ndarray of intp
        The surrogate (index into ``sur``'s arrays) that decided, ``-1`` where none.
    """
    slot = np.full(rows.size, -1, dtype=np.intp)
    used = np.full(rows.size, -1, dtype=np.intp)
    count = sur.count[nodes]
    pending = np.flatnonzero(count > 0)
    width = np.diff(sur.category_ptr)
    k = 0
    while pending.size:
        s = sur.ptr[nodes[pending]] + k
        x = X[rows[pending], sur.feature[s]]
        got = np.full(pending.size, -1, dtype=np.intp)
        cat = sur.kind[s] == _CATEGORICAL
        num = np.flatnonzero(~cat & ~np.isnan(x))
        low = sur.low_slot[s[num]].astype(np.intp)
        got[num] = np.where(x[num] <= sur.threshold[s[num]], low, 1 - low)
        # trunc(x) is a valid code iff -1 < x < width (NaN fails both)
        c = np.flatnonzero(cat & (x > -1) & (x < width[s]))
        got[c] = sur.category_branch[sur.category_ptr[s[c]] + x[c].astype(np.intp)]
        done = got >= 0
        slot[pending[done]] = got[done]
        used[pending[done]] = s[done]
        k += 1
        pending = pending[~done]
        pending = pending[count[pending] > k]
    return slot, used
