"""Per-node lists of extra splits in CSR layout: the base of surrogates and competitors.

A tree may keep, beside every node's own split, a list of other splits of that node:
rpart's surrogates (:mod:`treelearn._surrogate_tables`) and its competing splits
(:mod:`treelearn._competitor_tables`). Both store them the same way, which lives here
once (:class:`SplitList`):

* node ``i``'s listed splits are ``ptr[i] .. ptr[i + 1] - 1`` (leaves have none);
* split ``j`` tests ``feature[j]``; numeric (``kind[j] == 1``) at ``threshold[j]``,
  categorical (``kind[j] == 2``, threshold NaN) by a routing table, the (category,
  slot) pairs ``category_code[k]``, ``category_branch[k]`` for ``k`` in
  ``category_ptr[j] .. category_ptr[j + 1] - 1`` (``-1``: the category has no slot),
  laid out as the tree's own tables (below): whole for a feature of at most
  :data:`WHOLE_TABLE_CATEGORIES` categories, else the categories with a slot only
  (:func:`assemble_tables`). ``category_code`` is not stored when every table is
  whole (files of format 3 and before);
* a subclass adds its own per-split columns (a surrogate's agreement, a competitor's
  score) and names every array with a prefix (``surrogate_ptr``, ``competitor_gain``),
  the names the JSON codec and ``Tree.to_arrays`` use.

The category tables are CSR on their own (one table per row of a pointer array), so
:func:`csr_take` and :func:`take_tables` serve any such tables, not only listed splits.

A tree's own routing tables (``Tree.category_ptr`` / ``category_code`` /
``category_branch``) are (category, slot) pairs, codes ascending in each row: a
table of a feature of at most :data:`WHOLE_TABLE_CATEGORIES` categories is stored
whole (codes ``0 .. C-1``, ``-1`` for no slot, as tables always were), a wider one
as the pairs of the categories that have a slot only (:func:`pack_tables`), so that
it costs what the node saw, not the feature's declared categories. A category a
row does not list routes as ``-1`` (unseen: like a missing value).
:class:`TableIndex` finds (row, category) in either.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from typing import Any, ClassVar, TypeVar

import numpy as np

__all__ = [
    "WHOLE_TABLE_CATEGORIES",
    "SplitList",
    "TableIndex",
    "TablePairs",
    "assemble_tables",
    "csr_take",
    "pack_tables",
    "slot_pairs",
    "take_tables",
    "whole_codes",
]

_S = TypeVar("_S", bound="SplitList")

#: The arrays that are not one entry per listed split.
_POINTERS = ("ptr", "category_ptr", "category_code", "category_branch")


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


#: Routing tables of a feature of at most this many categories are stored whole (one
#: slot per category); wider ones as the (category, slot) pairs of their slots only.
WHOLE_TABLE_CATEGORIES = 64


@dataclass
class TablePairs:
    """Routing tables of some nodes as (category, slot) pairs (see the module
    docstring): ``count`` pairs per row, ``code`` ascending in each row; ``whole``
    when every row holds a slot (or ``-1``) for every category ``0 .. C-1``."""

    whole: bool
    count: np.ndarray  # [n] int64
    code: np.ndarray  # [nnz] int32
    slot: np.ndarray  # [nnz] int32

    @property
    def ptr(self) -> np.ndarray:
        return _pointer(self.count)

    def take(self, rows: np.ndarray) -> TablePairs:
        """The tables of ``rows`` (indices)."""
        ptr, take = csr_take(self.ptr, rows)
        return TablePairs(self.whole, np.diff(ptr), self.code[take], self.slot[take])

    def n_slots(self) -> np.ndarray:
        """Every row's highest slot + 1 (0 for a row without a slot)."""
        row = np.repeat(np.arange(self.count.size), self.count)
        out = np.zeros(self.count.size, dtype=np.int64)
        np.maximum.at(out, row, self.slot.astype(np.int64) + 1)
        return out

    def slots_of(self, rows: np.ndarray, x: np.ndarray) -> np.ndarray:
        """The slot of category ``x[i]`` (float codes) in row ``rows[i]`` (``-1``: none)."""
        pair = TableIndex(self.ptr, self.code).find(rows, x)
        return np.where(pair >= 0, self.slot[np.maximum(pair, 0)], -1)


def pack_tables(tables: np.ndarray) -> TablePairs:
    """Routing tables ``[n, C]`` (``-1``: no slot) as (category, slot) pairs: whole
    (``C`` pairs a row) when ``C <= WHOLE_TABLE_CATEGORIES``, else the categories
    with a slot only."""
    n, C = tables.shape
    if C <= WHOLE_TABLE_CATEGORIES:
        code = np.tile(np.arange(C, dtype=np.int32), n)
        return TablePairs(
            True, np.full(n, C, dtype=np.int64), code, tables.astype(np.int32).ravel()
        )
    row, col = np.nonzero(tables >= 0)
    slot = tables[row, col].astype(np.int32)
    count = np.bincount(row, minlength=n).astype(np.int64)
    return TablePairs(False, count, col.astype(np.int32), slot)


def slot_pairs(ptr: np.ndarray, code: np.ndarray, slot: np.ndarray, rows: np.ndarray) -> TablePairs:
    """The pairs with a slot of ``rows`` of CSR (category, slot) tables: what
    :func:`pack_tables` keeps of the same tables given dense, without building them."""
    new_ptr, take = csr_take(ptr, rows)
    keep = slot[take] >= 0
    row = np.repeat(np.arange(np.asarray(rows).size), np.diff(new_ptr))
    count = np.bincount(row[keep], minlength=np.asarray(rows).size).astype(np.int64)
    return TablePairs(False, count, code[take][keep].astype(np.int32), slot[take][keep])


def assemble_tables(
    n_rows: int, width: np.ndarray, parts: Sequence[tuple[np.ndarray, TablePairs]]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """CSR (category, slot) tables of ``n_rows`` rows from the tables of some rows.

    Parameters
    ----------
    n_rows : int
    width : ndarray of int, shape (n_rows,)
        Every row's feature's categories: a whole table gets that many pairs (codes
        ``0 .. width-1``, ``-1`` for a category its part has no slot for; a part's
        wider whole tables, e.g. a block's padded ones, are cut to it).
    parts : sequence of (rows, TablePairs)
        The tables of ``rows`` (indices, each row in one part at most); rows in no
        part get an empty table.

    Returns
    -------
    ptr : ndarray of int64, shape (n_rows + 1,)
    code, branch : ndarray of int32
        The pairs, codes ascending in every row.
    """
    if not parts:  # (every row's table empty: numeric surrogates only)
        return np.zeros(n_rows + 1, dtype=np.int64), np.zeros(0, np.int32), np.zeros(0, np.int32)
    count = np.zeros(n_rows, dtype=np.int64)
    for ids, p in parts:
        count[ids] = width[ids] if p.whole else p.count
    ptr = _pointer(count)
    code = whole_codes(ptr)
    branch = np.full(int(ptr[-1]), -1, dtype=np.int32)
    for ids, p in parts:
        row = np.repeat(np.arange(ids.size), p.count)
        if p.whole:
            keep = p.code < width[ids][row]
            at = ptr[ids][row[keep]] + p.code[keep]
            code[at], branch[at] = p.code[keep], p.slot[keep]
        else:
            at = ptr[ids][row] + np.arange(row.size) - (np.cumsum(p.count) - p.count)[row]
            code[at], branch[at] = p.code, p.slot
    return ptr, code, branch


def whole_codes(ptr: np.ndarray) -> np.ndarray:
    """The codes of whole tables (a slot per category ``0 .. width-1`` of every row):
    the layout of files and trees that store no codes."""
    width = np.diff(ptr)
    return (np.arange(int(ptr[-1])) - np.repeat(ptr[:-1], width)).astype(np.int32)


class TableIndex:
    """Looks up (row, category) in CSR (category, slot) tables, vectorised.

    ``ptr`` over the rows, ``code`` ascending within each row. Whole tables (every
    row's codes ``0 .. width-1``) are indexed directly; others by a sorted key
    ``row * stride + code`` (one ``searchsorted`` per lookup).
    """

    def __init__(self, ptr: np.ndarray, code: np.ndarray):
        self.ptr = np.asarray(ptr, dtype=np.intp)
        self.width = np.diff(self.ptr)
        self.whole = bool(np.array_equal(code, whole_codes(ptr)))
        self.stride = int(code.max(initial=-1)) + 1
        self.key: np.ndarray | None = None
        if not self.whole:
            owner = np.repeat(np.arange(self.width.size, dtype=np.int64), self.width)
            self.key = owner * self.stride + code

    def find(self, rows: np.ndarray, x: np.ndarray) -> np.ndarray:
        """The pair of every (``rows[i]``, category ``x[i]``), ``-1`` when the row lists
        no such category (``x``: float codes; ``NaN`` and values outside the codes
        find none; a code is ``trunc(x)``)."""
        rows = np.asarray(rows, dtype=np.intp)
        out = np.full(rows.size, -1, dtype=np.intp)
        if self.whole:
            ok = np.flatnonzero((x > -1) & (x < self.width[rows]))
            out[ok] = self.ptr[rows[ok]] + x[ok].astype(np.intp)
            return out
        assert self.key is not None
        ok = np.flatnonzero((x > -1) & (x < self.stride))
        q = rows[ok].astype(np.int64) * self.stride + x[ok].astype(np.int64)
        pos = np.searchsorted(self.key, q)
        hit = pos < self.key.size
        hit[hit] = self.key[pos[hit]] == q[hit]
        out[ok[hit]] = pos[hit]
        return out


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
    the order of the JSON documents; the optional ``category_code`` is not among
    them: it is stored when some table is not whole, see :meth:`to_arrays`).
    """

    PREFIX: ClassVar[str] = ""
    ARRAYS: ClassVar[dict[str, type]] = {}

    ptr: np.ndarray  # [node_count + 1]
    feature: np.ndarray  # [s]
    kind: np.ndarray  # [s]
    threshold: np.ndarray  # [s] (nan for categorical)
    category_ptr: np.ndarray  # [s + 1]
    category_branch: np.ndarray  # per (category, slot) pair: its slot or -1
    #: per (category, slot) pair: its category (``None`` given: whole tables)
    category_code: np.ndarray = field(default=None, kw_only=True)  # type: ignore[arg-type]

    def __post_init__(self) -> None:
        if self.category_code is None:
            self.category_code = whole_codes(self.category_ptr)
        self._index: TableIndex | None = None

    @classmethod
    def code_name(cls) -> str:
        """The name of the optional ``category_code`` array (prefixed)."""
        return f"{cls.PREFIX}category_code"

    @classmethod
    def columns(cls) -> tuple[str, ...]:
        """The per-split arrays (field names): ``feature``, ``kind``, ... and the
        subclass's own."""
        return tuple(f.name for f in fields(cls) if f.name not in _POINTERS)

    @classmethod
    def from_arrays(cls: type[_S], arrays: dict[str, Any]) -> _S:
        """Build from the arrays named in :attr:`ARRAYS` and, when some table is not
        whole, :meth:`code_name` (the inverse of :meth:`to_arrays`)."""
        n = len(cls.PREFIX)
        vals: dict[str, np.ndarray] = {
            name[n:]: np.ascontiguousarray(arrays[name], dtype=dtype)
            for name, dtype in cls.ARRAYS.items()
        }
        code = arrays.get(cls.code_name())
        if code is not None:
            vals["category_code"] = np.ascontiguousarray(code, dtype=np.int32)
        return cls(**vals)

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
        """Every array by its name in :attr:`ARRAYS`, and ``category_code`` (by
        :meth:`code_name`) when some table is not whole."""
        n = len(self.PREFIX)
        out = {name: getattr(self, name[n:]) for name in self.ARRAYS}
        if not self.category_index.whole:
            out[self.code_name()] = self.category_code
        return out

    @property
    def category_index(self) -> TableIndex:
        """Lookup of (split, category) in the tables (built once)."""
        if self._index is None:
            self._index = TableIndex(self.category_ptr, self.category_code)
        return self._index

    @property
    def count(self) -> np.ndarray:
        """Number of listed splits of every node."""
        return np.diff(self.ptr)

    def categories(self, j: int, n_categories: int | None = None) -> np.ndarray:
        """The slot of every category of categorical split ``j`` (``-1``: none), a
        table of ``n_categories`` entries (default: up to its highest listed code)."""
        lo, hi = self.category_ptr[j], self.category_ptr[j + 1]
        code, slot = self.category_code[lo:hi], self.category_branch[lo:hi]
        width = int(code.max(initial=-1)) + 1 if n_categories is None else n_categories
        table = np.full(width, -1, dtype=np.int32)
        inside = code < width
        table[code[inside]] = slot[inside]
        return table

    def category_slots(self, splits: np.ndarray, x: np.ndarray) -> np.ndarray:
        """The slot of category ``x[i]`` (float codes) in the table of categorical
        split ``splits[i]`` (``-1``: none, or ``x`` not a listed category)."""
        pair = self.category_index.find(splits, x)
        return np.where(pair >= 0, self.category_branch[np.maximum(pair, 0)], -1)

    def take(self: _S, source: np.ndarray, keep: np.ndarray) -> _S:
        """The lists of a renumbered tree: new node ``i`` gets those of node
        ``source[i]`` if ``keep[i]`` (it is still split as it was grown), none
        otherwise (pruning, subtree raising, tree surgery)."""
        ptr, take = csr_take(self.ptr, source, keep)
        cptr, pair = csr_take(self.category_ptr, take)
        cols = {name: getattr(self, name)[take] for name in self.columns()}
        return type(self)(
            ptr=ptr,
            category_ptr=cptr,
            category_code=self.category_code[pair],
            category_branch=self.category_branch[pair],
            **cols,
        )

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
        return cls(
            ptr=ptr,
            category_ptr=cptr,
            category_code=cat("category_code"),
            category_branch=cat("category_branch"),
            **cols,
        )
