"""Checks that arrays from an untrusted source form a valid tree.

Used where tree arrays come from outside (a JSON document): index ranges, shapes,
that every node but the root is the child of exactly one node and reaches the root
(no cycle), that splits match their features' kinds, and that the numbers are
finite and in range. A :class:`~treelearn._tree.Tree` built from arrays that pass
cannot index out of bounds when it predicts.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from treelearn._split_lists import whole_codes
from treelearn._tolerances import SHARE_ROUNDING
from treelearn._tree import SPLIT_CATEGORICAL, SPLIT_LEAF, SPLIT_NUMERIC

__all__ = [
    "TreeArrayError",
    "check_competitor_arrays",
    "check_split_list",
    "check_surrogate_arrays",
    "check_tree_arrays",
]


class TreeArrayError(ValueError):
    """A problem with one array (``where``: its name, or ``""`` for the whole tree)."""

    def __init__(self, where: str, problem: str):
        super().__init__(f"{where}: {problem}" if where else problem)
        self.where = where
        self.problem = problem


def _fail(where: str, problem: str) -> None:
    raise TreeArrayError(where, problem)


def check_tree_arrays(tree: Any, n_categories: np.ndarray) -> None:
    """Structural checks: ranges, shapes and that the nodes form one tree.

    ``tree`` holds the arrays as attributes (and ``n_features``) before a
    :class:`~treelearn._tree.Tree` is built from them; ``n_categories`` is the
    number of categories of every feature (0: numeric). Raises
    :class:`TreeArrayError` naming the array and the problem.
    """
    n = tree.feature.shape[0]
    kind, fc, nc = tree.split_kind, tree.first_child, tree.n_children
    if n < 1:
        _fail("", "the tree has no node")
    if not np.isin(kind, (SPLIT_LEAF, SPLIT_NUMERIC, SPLIT_CATEGORICAL)).all():
        _fail("split_kind", "values must be 0 (leaf), 1 (numeric) or 2 (categorical)")
    leaf = kind == SPLIT_LEAF
    if (nc[leaf] != 0).any() or (fc[leaf] != -1).any():
        _fail("", "a leaf must have n_children 0 and first_child -1")
    internal = ~leaf
    if (nc[internal] < 2).any():
        _fail("n_children", "an internal node needs at least 2 children")
    if (kind == SPLIT_NUMERIC)[internal].any() and (nc[kind == SPLIT_NUMERIC] != 2).any():
        _fail("n_children", "a numeric split has exactly 2 children")
    end = fc.astype(np.int64) + nc
    if ((fc[internal] < 1) | (end[internal] > n)).any():
        _fail("first_child", "child indices out of range")
    # every node but the root is the child of exactly one node
    cover = np.zeros(n + 1, dtype=np.int64)
    np.add.at(cover, fc[internal], 1)
    np.add.at(cover, end[internal], -1)
    cover = np.cumsum(cover)[:n]
    if cover[0] != 0 or (cover[1:] != 1).any():
        _fail("first_child", "child ranges overlap, skip nodes or point at the root")
    # the ranges tile 1..n-1: sorted by start, they list the children in id order
    ids = np.flatnonzero(internal)
    ids = ids[np.argsort(fc[ids], kind="stable")]
    owner = np.full(n, -1, dtype=np.int64)
    owner[1:] = np.repeat(ids, nc[ids])
    if (tree.parent != owner).any():
        _fail("parent", "does not match the children ranges")
    kids = np.arange(1, n)
    if tree.depth[0] != 0 or (tree.depth[kids] != tree.depth[owner[kids]] + 1).any():
        _fail("depth", "does not match the children ranges")
    # every node reaches the root by parent links (pointer doubling): no cycles
    up = np.where(owner >= 0, owner, 0)
    for _ in range(max(1, int(n).bit_length() + 1)):
        up = up[up]
    if (up != 0).any():
        _fail("", f"{int((up != 0).sum())} node(s) are not reachable from the root (cycle)")
    # features and splits
    feat = tree.feature
    if (feat[leaf] != -2).any():
        _fail("feature", "leaves must have feature -2")
    if ((feat[internal] < 0) | (feat[internal] >= tree.n_features)).any():
        _fail("feature", "feature index out of range")
    numeric = kind == SPLIT_NUMERIC
    categorical = kind == SPLIT_CATEGORICAL
    if (n_categories[feat[numeric]] != 0).any():
        _fail("split_kind", "a numeric split on a categorical feature")
    if (n_categories[feat[categorical]] == 0).any():
        _fail("split_kind", "a categorical split on a numeric feature")
    # +inf is the "every known value left, every missing value right" cut of
    # missing_values="learned" (scikit-learn's convention); nothing else non-finite
    thresholds = tree.threshold[numeric]
    if not (np.isfinite(thresholds) | (thresholds == np.inf)).all():
        _fail("threshold", "numeric thresholds must be finite, or +inf (known left, missing right)")
    ptr, branch = tree.category_ptr, tree.category_branch
    if ptr[0] != 0 or ptr[-1] != branch.shape[0] or (np.diff(ptr) < 0).any():
        _fail("category_ptr", "must rise from 0 to len(category_branch)")
    width = np.diff(ptr)
    if (width[~categorical] != 0).any():
        _fail("category_ptr", "only categorical splits have a routing table")
    if (width[categorical] > n_categories[feat[categorical]]).any():
        _fail("category_ptr", "routing table longer than the feature's categories")
    _check_codes(tree, "", ptr, width, np.where(categorical, n_categories[np.maximum(feat, 0)], 0))
    slot_limit = np.repeat(nc, width)
    if ((branch < -1) | (branch >= slot_limit)).any():
        _fail("category_branch", "routes a category to a child slot that does not exist")
    # numbers
    if not np.isfinite(tree.value).all() or (tree.value < 0).any():
        _fail("value", "class counts must be finite and non-negative")
    with np.errstate(over="ignore"):
        totals = tree.value.sum(axis=1)
    if not np.isfinite(totals).all():
        _fail("value", "a node's class counts sum to infinity (overflow)")
    mf = tree.missing_fraction
    if not np.isfinite(mf).all() or ((mf < 0) | (mf > 1)).any():
        _fail("missing_fraction", "must lie in [0, 1]")
    shares = np.bincount(owner[1:], weights=mf[1:], minlength=n)
    off = np.flatnonzero((nc > 0) & ~(np.abs(shares - 1.0) <= 1e-6))
    if off.size:
        _fail(
            "missing_fraction",
            f"the children's shares of node {int(off[0])} sum to {float(shares[off[0]])!r}, not 1",
        )
    if (tree.n_node_samples < 0).any():
        _fail("n_node_samples", "must be non-negative")
    if not np.isfinite(tree.impurity).all():
        _fail("impurity", "must be finite")
    if getattr(tree, "surrogate_ptr", None) is not None:
        check_surrogate_arrays(tree, n_categories)
    if getattr(tree, "competitor_ptr", None) is not None:
        check_competitor_arrays(tree, n_categories)


def check_split_list(
    tree: Any, n_categories: np.ndarray, prefix: str, columns: tuple[str, ...]
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Checks shared by every per-node split list (:mod:`treelearn._split_lists`): CSR
    pointers, one entry per split in every column, none at leaves, features in range
    and other than the node's own, kinds matching the features, finite thresholds,
    category tables no longer than the feature's categories, their codes in range and
    ascending.

    Returns the owner node of every split and the numeric and categorical masks and
    the table widths, for the checks of a list's own columns.
    """
    noun = prefix.rstrip("_")
    n = tree.feature.shape[0]
    ptr = getattr(tree, f"{prefix}ptr")
    s = getattr(tree, f"{prefix}feature").shape[0]
    if ptr.shape[0] != n + 1 or ptr[0] != 0 or ptr[-1] != s or (np.diff(ptr) < 0).any():
        _fail(f"{prefix}ptr", f"must rise from 0 to the number of {noun}s, one step per node")
    for name in columns:
        if getattr(tree, f"{prefix}{name}").shape[0] != s:
            _fail(f"{prefix}{name}", f"must have one entry per {noun} ({s})")
    count = np.diff(ptr)
    if (count[tree.split_kind == SPLIT_LEAF] != 0).any():
        _fail(f"{prefix}ptr", f"a leaf has {noun}s")
    owner = np.repeat(np.arange(n), count)
    feat, kind = getattr(tree, f"{prefix}feature"), getattr(tree, f"{prefix}kind")
    if ((feat < 0) | (feat >= tree.n_features)).any():
        _fail(f"{prefix}feature", "feature index out of range")
    if (feat == tree.feature[owner]).any():
        _fail(f"{prefix}feature", f"a {noun} tests its node's own feature")
    num, cat = kind == SPLIT_NUMERIC, kind == SPLIT_CATEGORICAL
    if not (num | cat).all():
        _fail(f"{prefix}kind", "values must be 1 (numeric) or 2 (categorical)")
    if (n_categories[feat[num]] != 0).any() or (n_categories[feat[cat]] == 0).any():
        _fail(f"{prefix}kind", "does not match the feature's kind")
    if not np.isfinite(getattr(tree, f"{prefix}threshold")[num]).all():
        _fail(f"{prefix}threshold", "numeric thresholds must be finite")
    cptr = getattr(tree, f"{prefix}category_ptr")
    branch = getattr(tree, f"{prefix}category_branch")
    if (
        cptr.shape[0] != s + 1
        or cptr[0] != 0
        or cptr[-1] != branch.shape[0]
        or (np.diff(cptr) < 0).any()
    ):
        _fail(f"{prefix}category_ptr", f"must rise from 0 to len({prefix}category_branch)")
    width = np.diff(cptr)
    if (width[num] != 0).any() or (width[cat] > n_categories[feat[cat]]).any():
        _fail(f"{prefix}category_ptr", "a table longer than its feature's categories")
    _check_codes(tree, prefix, cptr, width, np.where(cat, n_categories[feat], 0))
    return owner, num, cat, width


def _check_codes(
    tree: Any, prefix: str, ptr: np.ndarray, width: np.ndarray, categories: np.ndarray
) -> None:
    """The categories of (category, slot) tables: ``{prefix}category_code`` (absent:
    whole tables, one per category ``0 .. width-1``) within each row's feature's
    ``categories``, ascending in every row."""
    name = f"{prefix}category_code"
    code = getattr(tree, name, None)
    if code is None:  # whole tables
        code = whole_codes(ptr)
    if code.shape != (int(ptr[-1]),):
        _fail(name, f"must hold one category per entry of {prefix}category_branch")
    if ((code < 0) | (code >= np.repeat(categories, width))).any():
        _fail(name, "names a category the feature does not have")
    first = np.zeros(code.size, dtype=bool)
    first[ptr[:-1][width > 0]] = True
    if (~first[1:] & (code[1:] <= code[:-1])).any():
        _fail(name, "codes must ascend within every routing table")


def check_competitor_arrays(tree: Any, n_categories: np.ndarray) -> None:
    """Checks of the competitor arrays (:mod:`treelearn._competitor_tables`): those of
    :func:`check_split_list`, features distinct per node, finite scores and gains,
    slots in ``-1 .. categories - 1``."""
    cols = ("kind", "threshold", "score", "gain")
    owner, _, _, width = check_split_list(tree, n_categories, "competitor_", cols)
    feat = tree.competitor_feature
    if np.unique(owner.astype(np.int64) * tree.n_features + feat).size != feat.shape[0]:
        _fail("competitor_feature", "a node lists a feature twice")
    for name in ("score", "gain"):
        if not np.isfinite(getattr(tree, f"competitor_{name}")).all():
            _fail(f"competitor_{name}", "must be finite")
    branch = tree.competitor_category_branch
    if ((branch < -1) | (branch >= np.repeat(width, width))).any():
        _fail("competitor_category_branch", "slots must lie in -1 .. categories - 1")


def check_surrogate_arrays(tree: Any, n_categories: np.ndarray) -> None:
    """Checks of the surrogate arrays (:mod:`treelearn._surrogate_tables`): those of
    :func:`check_split_list`, slots 0/1, agreements in [0, 1]."""
    cols = ("kind", "threshold", "low_slot", "agreement", "adj")
    _, num, _, _ = check_split_list(tree, n_categories, "surrogate_", cols)
    if ((tree.surrogate_low_slot[num] != 0) & (tree.surrogate_low_slot[num] != 1)).any():
        _fail("surrogate_low_slot", "must be 0 or 1 for a numeric surrogate")
    for name in ("agreement", "adj"):
        v = getattr(tree, f"surrogate_{name}")
        if not np.isfinite(v).all() or ((v < 0) | (v > 1 + SHARE_ROUNDING)).any():
            _fail(f"surrogate_{name}", "must lie in [0, 1]")
    branch = tree.surrogate_category_branch
    if ((branch < -1) | (branch > 1)).any():
        _fail("surrogate_category_branch", "slots must be -1, 0 or 1")
