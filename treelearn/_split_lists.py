"""Per-node lists of extra splits in CSR layout: the base of surrogates and competitors.

A tree may keep, beside every node's own split, a list of other splits of that node:
rpart's surrogates (:mod:`treelearn._surrogate_tables`) and its competing splits
(:mod:`treelearn._competitor_tables`). Both store them the same way, which lives here
once (:class:`SplitList`):

* node ``i``'s listed splits are ``ptr[i] .. ptr[i + 1] - 1`` (leaves have none);
* split ``j`` tests ``feature[j]``; numeric (``kind[j] == 1``) at ``threshold[j]``,
  categorical (``kind[j] == 2``, threshold NaN) by a table of one child slot per
  category, ``category_branch[category_ptr[j] : category_ptr[j + 1]]`` (``-1``: the
  category has no slot);
* a subclass adds its own per-split columns (a surrogate's agreement, a competitor's
  score) and names every array with a prefix (``surrogate_ptr``, ``competitor_gain``),
  the names the JSON codec and ``Tree.to_arrays`` use.

The category tables are CSR on their own (one table per row of a pointer array), so
:func:`csr_take` and :func:`take_tables` serve any such tables, not only listed splits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import Any, ClassVar, TypeVar

import numpy as np

__all__ = ["SplitList", "csr_take", "take_tables"]

_S = TypeVar("_S", bound="SplitList")

#: The arrays that are not one entry per listed split.
_POINTERS = ("ptr", "category_ptr", "category_branch")


def csr_take(
    ptr: np.ndarray, rows: np.ndarray, keep: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Gather rows of a CSR layout: the new pointer and the entries to take.

    Parameters
    ----------
    ptr : ndarray of int, shape (n_rows + 1,)
        Row ``r`` holds entries ``ptr[r] .. ptr[r + 1] - 1``.
    rows : ndarray of int
        The old row of every new row (repeats allowed).
    keep : ndarray of bool, optional
        New rows whose entries are kept (the others are empty).

    Returns
    -------
    new_ptr : ndarray of int64, shape (len(rows) + 1,)
    take : ndarray of int64
        The old entry of every new entry, row after row.
    """
    rows = np.asarray(rows, dtype=np.intp)
    count = np.diff(ptr)[rows]
    if keep is not None:
        count = np.where(keep, count, 0)
    new_ptr = _pointer(count)
    take = np.repeat(ptr[:-1][rows] - new_ptr[:-1], count) + np.arange(new_ptr[-1])
    return new_ptr, take


def take_tables(
    ptr: np.ndarray, branch: np.ndarray, rows: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The category tables of ``rows`` (CSR ``ptr``/``branch``), as a new CSR pair."""
    new_ptr, take = csr_take(ptr, rows)
    return new_ptr, branch[take]


def _pointer(count: np.ndarray) -> np.ndarray:
    """The CSR pointer of rows with ``count`` entries each."""
    ptr = np.zeros(count.size + 1, dtype=np.int64)
    np.cumsum(count, out=ptr[1:])
    return ptr


@dataclass
class SplitList:
    """Every node's listed splits in CSR layout (see the module docstring).

    Subclasses are dataclasses adding their per-split columns and set
    :attr:`PREFIX` and :attr:`ARRAYS` (every array's name, prefixed, and dtype, in
    the order of the JSON documents).
    """

    PREFIX: ClassVar[str] = ""
    ARRAYS: ClassVar[dict[str, type]] = {}

    ptr: np.ndarray  # [node_count + 1]
    feature: np.ndarray  # [s]
    kind: np.ndarray  # [s]
    threshold: np.ndarray  # [s] (nan for categorical)
    category_ptr: np.ndarray  # [s + 1]
    category_branch: np.ndarray  # per category of a categorical split: slot or -1

    @classmethod
    def columns(cls) -> tuple[str, ...]:
        """The per-split arrays (field names): ``feature``, ``kind``, ... and the
        subclass's own."""
        return tuple(f.name for f in fields(cls) if f.name not in _POINTERS)

    @classmethod
    def from_arrays(cls: type[_S], arrays: dict[str, Any]) -> _S:
        """Build from the arrays named in :attr:`ARRAYS` (the inverse of :meth:`to_arrays`)."""
        n = len(cls.PREFIX)
        return cls(
            **{
                name[n:]: np.ascontiguousarray(arrays[name], dtype=dtype)
                for name, dtype in cls.ARRAYS.items()
            }
        )

    @classmethod
    def empty(cls: type[_S], node_count: int) -> _S:
        """No listed split at any of ``node_count`` nodes."""
        n = len(cls.PREFIX)
        vals: dict[str, np.ndarray] = {
            name[n:]: np.zeros(0, dtype=dtype) for name, dtype in cls.ARRAYS.items()
        }
        vals["ptr"] = np.zeros(node_count + 1, dtype=np.int64)
        vals["category_ptr"] = np.zeros(1, dtype=np.int64)
        return cls(**vals)

    def to_arrays(self) -> dict[str, np.ndarray]:
        """Every array by its name in :attr:`ARRAYS`."""
        n = len(self.PREFIX)
        return {name: getattr(self, name[n:]) for name in self.ARRAYS}

    @property
    def count(self) -> np.ndarray:
        """Number of listed splits of every node."""
        return np.diff(self.ptr)

    def categories(self, j: int) -> np.ndarray:
        """The slot of every category of categorical split ``j`` (``-1``: none)."""
        return self.category_branch[self.category_ptr[j] : self.category_ptr[j + 1]]

    def take(self: _S, source: np.ndarray, keep: np.ndarray) -> _S:
        """The lists of a renumbered tree: new node ``i`` gets those of node
        ``source[i]`` if ``keep[i]`` (it is still split as it was grown), none
        otherwise (pruning, subtree raising, tree surgery)."""
        ptr, take = csr_take(self.ptr, source, keep)
        cptr, branch = take_tables(self.category_ptr, self.category_branch, take)
        cols = {name: getattr(self, name)[take] for name in self.columns()}
        return type(self)(ptr=ptr, category_ptr=cptr, category_branch=branch, **cols)

    @classmethod
    def stack(cls: type[_S], levels: Sequence[tuple[int, SplitList]], node_count: int) -> _S:
        """One tree's lists from its levels' (``(first node id, lists of the
        level's nodes)``, levels in node order)."""
        if not levels:
            return cls.empty(node_count)
        count = np.zeros(node_count, dtype=np.int64)
        for lo, level in levels:
            count[lo : lo + level.ptr.size - 1] = level.count
        ptr = _pointer(count)
        cptr = _pointer(np.concatenate([np.diff(level.category_ptr) for _, level in levels]))

        def cat(name: str) -> np.ndarray:
            return np.concatenate([getattr(level, name) for _, level in levels])

        cols = {name: cat(name) for name in cls.columns()}
        return cls(ptr=ptr, category_ptr=cptr, category_branch=cat("category_branch"), **cols)
