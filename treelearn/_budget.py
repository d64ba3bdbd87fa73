"""The memory budget of a fit: what it may allocate, and the refusals beyond it.

A tree stores every node's class counts (``nodes × classes`` float64, two arrays
of that size while a fit finishes), and the split search of a categorical feature
builds a ``[nodes, levels, classes]`` count tensor per level (a feature of many levels:
over the levels present at each node only, in chunks of nodes, see
:func:`treelearn._split_categorical.present_chunks`). Both are checked
against the budget before they are allocated, so that a fit that cannot finish
refuses with a :class:`MemoryError` naming the parameter to change, instead of
dying inside numpy or swapping for minutes.

The budget is 4 GiB, or ``TREELEARN_MEMORY_BUDGET`` (in GiB) when set.

The builder grows the nodes' class counts in one buffer, resized in place (no second
copy while it grows): by doubling while it is small, by at most
:func:`node_count_step` bytes (1/64 of the budget, 64 MiB by default) once it is
large, so that its unused tail stays a small part of the budget whatever the number of
classes (doubling a buffer of 5,000 classes past 32,768 nodes asked for 2.4 GiB).

Per level, the numeric split search's working memory beyond its prefix sums (the
candidate cuts' class counts and the criterion's temporaries, which grow with the
level's entries) is capped at :func:`search_working_bytes`, 1/512 of the budget
(8 MiB by default): the candidates are ranked in chunks of that size.

One pass of a categorical search (a block of features over every node of a level, a
chunk of nodes over their present levels, the surrogate search's tensors) holds at
most :func:`categorical_search_cells` cells, 1/128 of the budget at the measured peak
bytes per cell (32 MiB, ~320,000 cells by default): a larger search goes in chunks.
"""

from __future__ import annotations

import functools
import os

__all__ = [
    "categorical_level_fits",
    "categorical_search_cells",
    "check_categorical_level",
    "check_classes",
    "check_level",
    "memory_budget",
    "node_count_capacity",
    "search_working_bytes",
]

_GIB = 2**30
#: Bytes of node class counts per node and class while a fit finishes: the counts
#: (``value``, grown in one buffer by the builder) and the normalised distribution.
_NODE_BYTES = 2 * 8
#: Peak bytes per cell of a ``[nodes, levels, classes]`` categorical search: the float64
#: tensor, then (CART's ordered cuts, the largest) per ordering its sorted copy, prefix
#: sums, both sides stacked and the criterion's temporaries: 99 bytes measured with
#: tracemalloc (20,000 levels, 5 classes; a multiway search takes 25).
_CATEGORICAL_CELL_BYTES = 13 * 8


def memory_budget() -> int:
    """The budget in bytes (``TREELEARN_MEMORY_BUDGET`` GiB, default 4)."""
    return _budget_bytes(os.environ.get("TREELEARN_MEMORY_BUDGET", ""))


@functools.lru_cache(maxsize=16)
def _budget_bytes(setting: str) -> int:
    """:func:`memory_budget` of the variable's text (parsed once per text: a deep
    tree asks every level; a bad text raises every time, errors are not cached)."""
    text = setting.strip()
    try:
        gib = float(text) if text else 4.0
    except ValueError:
        raise ValueError(f"TREELEARN_MEMORY_BUDGET must be a number of GiB, got {text!r}") from None
    if not gib > 0:
        raise ValueError(f"TREELEARN_MEMORY_BUDGET must be positive, got {text!r}")
    return int(gib * _GIB)


def search_working_bytes() -> int:
    """The cap on one numeric split search's candidate temporaries (bytes): 1/512 of
    :func:`memory_budget`."""
    return memory_budget() // 512


def node_count_capacity(capacity: int, needed: int, n_classes: int) -> int:
    """The new node capacity of the class-count buffer (``[nodes, n_classes]``
    float64) that holds ``capacity`` nodes and must hold ``needed``: double it (at
    least 64 nodes), but grow it by at most 1/64 of :func:`memory_budget` beyond
    ``needed``."""
    step = max(memory_budget() // 64 // (8 * max(n_classes, 1)), 1)
    return max(needed, min(2 * capacity, needed + step), 64)


def _gib(n_bytes: float) -> str:
    return f"{n_bytes / _GIB:.3g} GiB"


def _depth_advice(depth: int) -> str:
    if depth < 1:
        return ""
    return f"set max_depth={depth} (or less) or a larger min_samples_leaf, "


def check_classes(n_classes: int, n_samples: int, max_depth: int | None) -> None:
    """Refuse up front a tree whose class counts cannot fit the budget.

    A tree that separates ``K`` classes has at least ``K`` leaves (fewer only with
    ``max_depth`` or fewer rows), hence ``2K - 1`` nodes of ``K`` counts each.
    """
    leaves = min(n_classes, n_samples)
    if max_depth is not None and max_depth < 62:
        leaves = min(leaves, 2**max_depth)
    need = (2 * leaves - 1) * n_classes * _NODE_BYTES
    budget = memory_budget()
    if need > budget:
        raise MemoryError(
            f"{n_classes} classes: a tree that separates them stores at least "
            f"{2 * leaves - 1} nodes x {n_classes} class counts ({_gib(need)}), over the "
            f"memory budget of {_gib(budget)}. Set max_depth (at most "
            f"{max(1, int(budget // (n_classes * _NODE_BYTES * 2)).bit_length() - 1)} fits), "
            "group rare classes, or raise TREELEARN_MEMORY_BUDGET (GiB)."
        )


def check_level(n_nodes_so_far: int, n_level: int, n_classes: int, depth: int) -> None:
    """Refuse a level whose nodes' class counts would take the tree past the budget."""
    need = (n_nodes_so_far + n_level) * n_classes * _NODE_BYTES
    budget = memory_budget()
    if need > budget:
        raise MemoryError(
            f"the tree would need {n_nodes_so_far + n_level} nodes x {n_classes} class "
            f"counts ({_gib(need)}) at depth {depth}, over the memory budget of "
            f"{_gib(budget)}. {_depth_advice(depth).capitalize()}or raise "
            "TREELEARN_MEMORY_BUDGET (GiB)."
        )


def categorical_search_cells() -> int:
    """Most ``nodes x levels x classes`` cells of one pass of a categorical search:
    1/128 of :func:`memory_budget` at the peak bytes a cell costs (see the module
    docstring)."""
    return max(memory_budget() // 128 // _CATEGORICAL_CELL_BYTES, 1)


def categorical_level_fits(n_nodes: int, n_levels: int, n_classes: int) -> bool:
    """Whether a ``[nodes, levels, classes]`` categorical search fits one pass
    (:func:`categorical_search_cells`); a larger one goes in chunks of nodes."""
    return n_nodes * n_levels * n_classes <= categorical_search_cells()


def check_categorical_level(
    name: object, n_nodes: int, n_levels: int, n_classes: int, depth: int
) -> None:
    """Refuse a categorical split search whose count tensor exceeds the budget."""
    need = n_nodes * n_levels * n_classes * _CATEGORICAL_CELL_BYTES
    budget = memory_budget()
    if need > budget:
        raise MemoryError(
            f"categorical feature {name!r} has {n_levels} levels: its split search over "
            f"{n_nodes} nodes at depth {depth} needs {n_nodes} x {n_levels} x {n_classes} "
            f"class counts ({_gib(need)}), over the memory budget of {_gib(budget)}. Merge "
            f"rare levels (or encode the feature as numbers), {_depth_advice(depth)}"
            "or raise TREELEARN_MEMORY_BUDGET (GiB)."
        )
