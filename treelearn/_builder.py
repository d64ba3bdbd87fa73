"""The tree builder: grows a tree level by level, vectorised over nodes and thresholds.

Sufficient statistics, not rows, reach the criterion. Per level the builder

1. counts every node's classes (one ``bincount`` over the level's entries) and asks
   the growth rules which nodes may split;
2. finds every feature's best split at every node at once: numeric features from
   their sorted arrays (:mod:`treelearn._split_numeric`), categorical features from
   ``[node, category, class]`` count tensors (:mod:`treelearn._split_categorical`);
3. lets the rules and the criterion choose each node's feature;
4. routes the entries to the children (a missing value copies the entry into every
   child with a fractional weight, C4.5 style) and partitions every feature's
   sorted arrays into the next level (:mod:`treelearn._partition`).

The only Python loops are over levels, features and child slots, never over rows,
nodes or thresholds. What differs between tree families is asked of a
:class:`~treelearn._growth_rules.GrowthRules` object; this loop has no family of its
own.

An *entry* is a (row, weight) pair. Without missing values entries are rows. A
row whose split value is missing is copied into every child with its weight
multiplied by the child's share of the known weight (C4.5); its copies are new
entries.

Ties are broken deterministically: within a feature the lowest threshold (or the
first category grouping in scan order) wins; across features the criterion decides
(by default the lowest feature index among equal scores).
"""

from __future__ import annotations

import functools
import heapq

import numpy as np

from treelearn import (
    _accelerator,
    _budget,
    _partition,
    _sparse_store,
    _sparse_surrogates,
    _split_categorical,
    _surrogates,
)
from treelearn._competitor_tables import Competitors, top_competitors
from treelearn._growth_rules import GrowthRules, weighted_impurity_decrease
from treelearn._missing import fractional_shares, learned_shares, sample_counts
from treelearn._routing import fan_out, flat_view
from treelearn._scratch import Scratch
from treelearn._sparse_values import is_sparse_columns
from treelearn._split_categorical import (
    PresentTables,
    category_counts,
    may_split_on,
    present_chunks,
    table_pairs,
)
from treelearn._split_lists import TablePairs, assemble_tables, pack_tables
from treelearn._split_numeric import BLOCK_ELEMENTS, LevelLayout, best_thresholds
from treelearn._split_random import random_thresholds
from treelearn._split_square_sums import best_thresholds_by_square_sums, square_sums_apply
from treelearn._surrogate_tables import Surrogates
from treelearn._threads import MIN_THREADED_ELEMENTS, Workers
from treelearn._tolerances import J48_SMALL
from treelearn._tree import SPLIT_CATEGORICAL, SPLIT_NUMERIC, Tree
from treelearn._tree_surgery import prune_to
from treelearn.criteria import SplitCriterion
from treelearn.criteria._checked import CheckedCriterion, check_every_level

#: Entries (features × the level's entries) of one block of numeric features searched
#: together: large enough that small data searches all its features in one pass, small
#: enough that a block's prefix sums stay in cache-sized pieces on large data.
BLOCK_ENTRIES = 2**15

__all__ = ["best_first", "build_tree", "one_sided_splits"]


#: The per-level chunks of the tree's arrays are merged every this many levels.
_MERGE_LEVELS = 128
#: The surrogate search's working arrays (:class:`~treelearn._scratch.Scratch`, ~40
#: bytes a position of the largest level) are kept from level to level up to this
#: many bytes (100k rows: ~4 MiB); larger ones are released after each level, so
#: that they are not held through the partition (peak memory).
_SCRATCH_KEPT = 2**26

#: A categorical count tensor of at most this many cells is built for every node of
#: the level; a larger one only for the nodes that can split on the feature.
_SMALL_TENSOR = 2**22
#: Categorical features of at most this many categories are searched in one block,
#: padded to the block's largest number, where padding changes no search
#: (:meth:`~treelearn._growth_rules.GrowthRules.ordered_cuts_only`).
_PADDED_CATEGORIES = 16
#: Multiway searches (one branch per category: ID3's present categories, C4.5's
#: declared ones) pad features of at most this many categories into one block when
#: every count is a whole number: their sums over categories (and over the branches
#: and the unknown weight of C4.5's split information) stay below numpy's 8 terms of
#: pairwise summation, so the appended zeros change no bit.
_PADDED_MULTIWAY = 6


class _PackedTables:
    """The routing tables of a tree's categorical splits, level by level, each packed
    as it comes (:class:`treelearn._split_lists.TablePairs`): a feature of many
    categories costs its nodes' slots, not nodes x declared categories."""

    def __init__(self) -> None:
        self.parts: list[tuple[np.ndarray, TablePairs]] = []

    def append(self, item: tuple[np.ndarray, np.ndarray | TablePairs]) -> None:
        """Add the tables (``[n_nodes, n_categories]``, or pairs) of nodes ``item[0]``."""
        node_ids, table = item
        self.parts.append(
            (node_ids, table if isinstance(table, TablePairs) else pack_tables(table))
        )

    def finish(self, node_count: int, n_categories: np.ndarray) -> dict[str, np.ndarray]:
        """The tree's ``category_ptr`` / ``category_code`` / ``category_branch``;
        ``n_categories`` holds every node's feature's categories (whole tables get
        one slot per category, ``-1`` past their table, as they always had)."""
        ptr, code, branch = assemble_tables(node_count, n_categories, self.parts)
        self.parts.clear()
        return {"category_ptr": ptr, "category_branch": branch, "category_code": code}


class _Columns:
    """Growing per-node arrays of the tree, one chunk per level."""

    def __init__(self, n_classes: int):
        self.n_classes = n_classes
        self.chunks: dict[str, list[np.ndarray]] = {name: [] for name in Tree.NODE_ARRAYS}
        # the class counts (the largest array by far with many classes) grow in one
        # buffer resized in place (capacity: _budget.node_count_capacity), shrunk in
        # place at the end: never held twice, as the levels' pieces beside the whole
        self._value = np.empty((0, n_classes))
        self._n_value = 0
        # the routing tables of categorical splits, packed as they come
        self.tables = _PackedTables()
        # (first node id of the level, its surrogates), when grown with surrogates
        self.surrogates: list[tuple[int, _surrogates.LevelSurrogates]] | None = None
        # nodes added so far (kept, not summed over the levels: deep trees have many)
        self.node_count = 0
        self._small = 0  # levels added since the last merge of chunks
        # (first node id of the level, its competitors), when grown with competitors
        self.competitors: list[tuple[int, Competitors]] | None = None

    def add(self, **arrays: np.ndarray) -> None:
        for name, arr in arrays.items():
            if name == "value":
                self._add_value(arr)
            else:
                self.chunks[name].append(arr)
        self.node_count += arrays["feature"].shape[0]
        self._small += 1
        if self._small == _MERGE_LEVELS:  # a deep tree: one chunk per level would
            # cost an array header each (more than the nodes of a chain level)
            for parts in self.chunks.values():
                parts[-_MERGE_LEVELS:] = [np.concatenate(parts[-_MERGE_LEVELS:])]
            self._small = 0

    def _add_value(self, counts: np.ndarray) -> None:
        n, end = self._n_value, self._n_value + counts.shape[0]
        if end > self._value.shape[0]:
            capacity = _budget.node_count_capacity(self._value.shape[0], end, self.n_classes)
            # in place (realloc; a large buffer is remapped, not copied): never held
            # twice while it grows; nothing else holds a view of it
            self._value.resize((capacity, self.n_classes), refcheck=False)
        self._value[n:end] = counts
        self._n_value = end

    def finish(self, n_features: int, n_categories: np.ndarray, unit_weight: float) -> Tree:
        arrays = {name: np.concatenate(parts) for name, parts in self.chunks.items()}
        self.chunks.clear()  # the levels' pieces: not kept beside the whole
        value, self._value = self._value, np.empty((0, self.n_classes))
        value.resize((self._n_value, self.n_classes), refcheck=False)  # in place (realloc)
        arrays["value"] = value
        node_count = arrays["feature"].shape[0]
        node_categories = n_categories[np.maximum(arrays["feature"], 0)]
        arrays.update(self.tables.finish(node_count, node_categories))
        if self.surrogates is not None:
            levels = [(lo, level.surrogates) for lo, level in self.surrogates]
            arrays.update(Surrogates.stack(levels, node_count).to_arrays())
        if self.competitors is not None:
            arrays.update(Competitors.stack(self.competitors, node_count).to_arrays())
        return Tree(n_features, self.n_classes, arrays, unit_weight)


class _LevelSplits:
    """The chosen split of every node of one level (``feature == -1``: a leaf)."""

    def __init__(self, n_nodes: int):
        self.feature = np.full(n_nodes, -1, dtype=np.intp)
        self.kind = np.zeros(n_nodes, dtype=np.int8)
        self.threshold = np.full(n_nodes, np.nan)
        self.n_children = np.zeros(n_nodes, dtype=np.int32)
        self.score = np.full(n_nodes, np.nan)
        self.gain = np.full(n_nodes, np.nan)
        # "learned": the child slot of the node's missing cases (-1: none in training)
        self.missing_slot = np.full(n_nodes, -1, dtype=np.intp)
        # (feature, node ids, their routing tables) per feature
        self.tables: list[tuple[int, np.ndarray, TablePairs]] = []
        self.competitors: Competitors | None = None  # with max_competitors > 0


class _LevelWiseBuilder:
    """One fit: the training data, the criterion and the rules, and the level loop."""

    def __init__(
        self,
        X: np.ndarray,
        y: np.ndarray,
        w: np.ndarray,
        n_classes: int,
        is_categorical: np.ndarray,
        n_categories: np.ndarray,
        criterion: SplitCriterion,
        rules: GrowthRules,
        max_surrogates: int | None = None,
        max_competitors: int = 0,
    ):
        self.max_surrogates = max_surrogates
        self.max_competitors = max_competitors
        self.X = X
        self.y = y
        self.w = w
        self.K = n_classes
        self.is_cat = is_categorical
        self.n_cat = n_categories
        self.criterion = criterion
        self.rules = rules
        self.n_features = X.shape[1]
        self.numeric = np.flatnonzero(~is_categorical)
        self.categorical = np.flatnonzero(is_categorical)
        self.total_weight = float(w.sum())
        self.sparse = is_sparse_columns(X)  # numeric, no NaN (see treelearn._sparse_store)
        self.has_nan = np.zeros(X.shape[1], dtype=bool) if self.sparse else np.isnan(X).any(axis=0)
        self.learned = rules.missing_values == "learned"
        # "fractional" counts sizes in weight, in units of the lightest row
        self.unit = float(w.min()) if w.size else 1.0
        self.in_weight = rules.missing_values == "fractional"
        self.copied = False  # whether some entry is a fractional copy of a row
        # whole-number weights: every sum of counts is exact, in any order
        self.whole_weights = bool(np.all(np.floor(w) == w)) and self.total_weight < 2**52
        self.depth = 0  # of the level being grown
        self.workers = Workers(1)  # threads over features and feature blocks (n_jobs)
        # the compiled search and partition (treelearn._accelerator): set by build
        self.compiled = False
        # the surrogate search's working arrays, from feature to feature and level to level
        self.scratch = Scratch()

    # -- the main loop -----------------------------------------------------------------
    def build(self) -> Tree:
        X, K, rules = self.X, self.K, self.rules
        n = X.shape[0]
        # entries
        e_row = np.arange(n, dtype=np.int32 if n < 2**31 else np.intp)  # half the bytes
        # unit weights: one read-only 1.0 seen at every entry (no array per level)
        e_w = unit_weights(n) if bool(np.all(self.w == 1.0)) else self.w.astype(np.float64)
        e_y = self.y.astype(_partition.label_dtype(K))  # class codes: a byte each
        # per entry: its node's id local to the level (the level's nodes are lo + 0 ..);
        # intp: int32 ids (0.23x X less at 1M) cost ~2 % of the 100k fit in numpy's
        # conversions of int32 indices
        e_local = np.zeros(n, dtype=np.intp)
        store: _partition.SortedStore | _sparse_store.SparseStore
        if is_sparse_columns(X):
            store = _sparse_store.presort(X, self.y, self.w, K)
        else:
            store = _partition.presort(X, self.numeric, self.y, self.w, K, self.workers)
            store.compiled = self.compiled = _accelerator.wanted(n)
        cols = _Columns(K)
        if self.max_surrogates is not None:
            cols.surrogates = []
        if self.max_competitors > 0:
            cols.competitors = []
        lo, L = 0, 1  # the level's nodes are lo .. lo + L - 1
        parent = np.array([-1], dtype=np.int32)
        depth = 0
        missing_fraction = np.ones(1)
        # what the criterion returns is checked on the first level (every level
        # with TREELEARN_CHECK_CRITERIA=1): a bad criterion fails with its name
        plain, every = self.criterion, check_every_level()
        guarded = CheckedCriterion(plain)
        while L:
            self.depth = depth
            self.criterion = guarded if depth == 0 or every else plain
            _budget.check_level(cols.node_count, L, K, depth)
            local = e_local
            unit = self._unit_weights(store)  # then counting is exact
            cell = local * K if L * K < 2**31 else local.astype(np.intp) * K
            cell += e_y
            class_sums = np.bincount(cell, None if unit else e_w, L * K)
            del cell
            counts = class_sums.astype(np.float64, copy=False).reshape(L, K)
            n_ent = np.bincount(local, minlength=L)
            impurity = self.criterion.impurity(counts)  # checked before it is used
            # "fractional": sizes in weight (a copy of a row counts its share of it)
            in_weight = self.in_weight and (self.copied or store.weights is not None)
            frac = sample_counts(e_w, self.unit) if in_weight else None
            if frac is None:
                splittable = rules.may_split(counts, n_ent, depth)
            else:
                samples = sample_counts(counts, self.unit)
                splittable = rules.may_split(counts, samples.sum(axis=1), depth, samples)
            p = self._one_split_node(splittable) if self.criterion is plain else -1
            if p >= 0:  # one node may split, every weight 1, numeric, nothing missing
                level = (lo, depth, counts, n_ent, impurity, parent, missing_fraction)
                state = self._one_node_run(p, level, store, cols)
                if state is None:  # the tree is grown
                    break
                lo, L, depth, parent, missing_fraction, e_row, e_y, e_w, e_local = state
                continue
            split = self._choose_splits(
                splittable, counts, e_row, e_w, e_y, local, store, n_ent, frac
            )
            next_lo = lo + L
            first_child, routed = self._route_level(
                split, local, e_row, e_y, e_w, n_ent, store, next_lo
            )
            is_split = split.feature >= 0
            numeric = split.kind == SPLIT_NUMERIC
            cols.add(
                feature=np.where(is_split, split.feature, -2),
                threshold=np.where(numeric, split.threshold, np.where(is_split, np.nan, -2.0)),
                split_kind=split.kind,
                first_child=first_child,
                n_children=split.n_children,
                parent=parent,
                depth=np.full(L, depth),
                impurity=impurity,
                split_score=np.where(is_split, split.score, np.nan),
                gain=np.where(is_split, split.gain, np.nan),
                n_node_samples=n_ent,
                missing_fraction=missing_fraction,
                value=counts,
            )
            for _f, nodes, table in split.tables:
                cols.tables.append((lo + nodes, table))
            if cols.competitors is not None and split.competitors is not None:
                cols.competitors.append((lo, split.competitors))
            n_next = int(split.n_children.sum())
            if n_next == 0:
                break
            move, src, missing_fraction, level = routed
            del routed
            if level is not None:
                assert cols.surrogates is not None
                cols.surrogates.append((lo, level))
            if move.whole and src.size == e_row.size:
                # every entry goes on, one new entry each, in entry order (a whole
                # move's sources are increasing): the entries stay as they are, and
                # their sources are not held through the partition
                src = None
            if isinstance(store, _sparse_store.SparseStore):
                _sparse_store.partition(store, move)
            else:
                _partition.partition(store, move, workers=self.workers)
            if src is not None:
                e_row = e_row[src]
                e_y = e_y[src]
            e_w = move.new_weights
            e_local = move.new_node  # the next level's local ids (it starts at next_lo)
            del move, src, local  # this level's entry arrays: not kept through the next
            parent = np.repeat(np.arange(lo, lo + L, dtype=np.int32), split.n_children)
            depth += 1
            lo, L = next_lo, n_next
        self.criterion = plain
        # the store and the last level's entry arrays: freed before the tree's arrays
        # are assembled, not held beside them
        del store, e_row, e_y, e_w, e_local, local
        tree = cols.finish(self.n_features, self.n_cat, float(self.w.min()))
        if rules.max_leaf_nodes is not None:
            tree = best_first(tree, rules.max_leaf_nodes, self.total_weight)
        return tree

    def _unit_weights(self, store: _partition.SortedStore | _sparse_store.SparseStore) -> bool:
        """Whether every entry of the level weighs 1: the store holds no weights and no
        row has been copied (a store without numeric features never takes weights)."""
        return store.weights is None and not self.copied

    # -- levels where one node may split ------------------------------------------------
    #: Whether levels where one node may split take :meth:`_one_node_run` (tests set
    #: it False to compare with the general level).
    lean_levels = True

    @functools.cached_property
    def _lean_fit(self) -> bool:
        """Whether this fit's levels where one node may split take
        :meth:`_one_node_run`: dense numeric features only, no missing value, every
        weight 1 (so no row is ever copied and every count is an exact integer), no
        competitors or random thresholds (fixed for the fit)."""
        return (
            self.lean_levels
            and not self.sparse
            and self.numeric.size > 0
            and self.categorical.size == 0
            and self.max_competitors == 0
            and not self.rules.random_thresholds
            and not self._any_numeric_nan
            and bool(np.all(self.w == 1.0))
        )

    def _one_split_node(self, splittable: np.ndarray) -> int:
        """The one node of the level that may split when :meth:`_one_node_run`
        applies to it, else ``-1``."""
        if not self._lean_fit:
            return -1
        if splittable.size == 1:
            return 0 if splittable[0] else -1
        nodes = np.flatnonzero(splittable)
        return int(nodes[0]) if nodes.size == 1 else -1

    def _one_node_run(self, p, level, store, cols):
        """Grow levels where one node may split (:attr:`_lean_fit`), starting at the
        level ``level = (lo, depth, counts, n_ent, impurity, parent, missing_fraction)``
        whose node ``p`` alone may split, for as long as the split node's two
        children (the next level) hold one node that may split: a chain's every level.

        No level state is rebuilt: the node's entries are a window of positions of the
        store (the stable partition keeps the order, so a child's window is a
        sub-window of its parent's), its children's class counts are counted from the
        split feature's side with fewer entries, its surrogates (CART) are searched in
        its window (:meth:`_window_surrogates`), and the levels' tree arrays are added
        in batches. Each level asks the criterion and the rules what the general
        level asks them, on the same arrays: the tree is the same.

        Returns ``None`` when the tree is grown, else the state of the level (two
        nodes that may both split) the general loop takes over: ``(lo, L, depth,
        parent, missing_fraction, e_row, e_y, e_w, e_local)``.
        """
        lo, depth, counts, n_ent, impurity, parent, missing_fraction = level
        K, rules, crit = self.K, self.rules, self.criterion
        n_features = len(store.entries)
        if n_features > 1 and store.row_right is None:
            store.row_right = np.zeros(store.n_rows, dtype=np.int8)
        levels: list[tuple] = []  # the levels not yet added to cols
        pending = 0  # their nodes
        L = n_ent.size
        a, n = (int(n_ent[:p].sum()) if p else 0), int(n_ent[p])
        two, no_slot = np.full(1, 2, dtype=np.int32), np.full(1, -1, dtype=np.intp)
        run_surrogates: list[tuple[int, Surrogates]] = []  # (node id, its surrogates)

        def add_levels() -> None:
            self._add_run_levels(cols, levels)
            if run_surrogates:  # one piece for the batch: not an object per level
                first = run_surrogates[0][0]
                span = run_surrogates[-1][0] - first + 1
                merged = Surrogates.stack([(v - first, s) for v, s in run_surrogates], span)
                assert cols.surrogates is not None
                cols.surrogates.append(
                    (first, _surrogates.LevelSurrogates(np.zeros(0, dtype=np.intp), merged))
                )
                run_surrogates.clear()

        while True:
            found = self._one_node_split(p, L, counts, n_ent, a, n, store)
            if found is None:  # p is a leaf too: nothing splits any more
                levels.append((L, -1, 0, 0.0, 0.0, 0.0, counts, n_ent, impurity, parent,
                               depth, missing_fraction))  # fmt: skip
                add_levels()
                return None
            f, r, threshold, score, gain, n_left = found
            first_child = lo + L
            levels.append((L, p, f, threshold, score, gain, counts, n_ent, impurity, parent,
                           depth, missing_fraction))  # fmt: skip
            pending += L
            # the children: class counts from the split feature's smaller side
            entries = store.entries[r]
            side = slice(a, a + n_left) if 2 * n_left <= n else slice(a + n_left, a + n)
            side_counts = np.bincount(store.entry_labels[entries[side]], minlength=K)
            child = np.empty((2, K))
            if 2 * n_left <= n:
                child[0] = side_counts
                np.subtract(counts[p], child[0], out=child[1])
            else:
                child[1] = side_counts
                np.subtract(counts[p], child[1], out=child[0])
            child_n = np.array([n_left, n - n_left])
            if cols.surrogates is not None:  # p's surrogates, searched in its window
                missing_fraction, surrogates = self._window_surrogates(f, r, a, n, n_left, store)
                run_surrogates.append((lo + p, surrogates.surrogates))  # node lo + p's
            else:
                child_w = child_n.astype(np.float64)
                missing_fraction = (
                    learned_shares(two, child_w, no_slot)
                    if self.learned
                    else fractional_shares(two, child_w)
                )
            if n_features > 1:  # which way each row goes, for the other features
                store.row_right[entries[a : a + n_left]] = 0
                store.row_right[entries[a + n_left : a + n]] = 1
            _partition._partition_one_node(store, store.row_right, a, a + n, r, self.workers)
            # the next level: p's two children
            parent = np.full(2, lo + p, dtype=np.int32)
            lo, L, depth, counts, n_ent = first_child, 2, depth + 1, child, child_n
            _budget.check_level(cols.node_count + pending, L, K, depth)
            impurity = crit.impurity(counts)
            splittable = rules.may_split(counts, n_ent, depth)
            if len(levels) >= _MERGE_LEVELS:
                add_levels()
                pending = 0
            if splittable[0] == splittable[1]:  # both leaves, or both may split
                break
            p = 0 if splittable[0] else 1
            a, n = (0, n_left) if p == 0 else (n_left, n - n_left)
        if not splittable[0]:  # two leaves: the tree is grown
            levels.append((L, -1, 0, 0.0, 0.0, 0.0, counts, n_ent, impurity, parent, depth,
                           missing_fraction))  # fmt: skip
            add_levels()
            return None
        add_levels()
        # the general level's entries: the store's, in its order (by node); counts
        # of unit weights do not depend on the entries' order
        e_row = store.entries[0].copy()
        e_y = store.entry_labels[e_row]
        e_local = np.repeat(np.arange(2, dtype=np.intp), n_ent)
        return lo, L, depth, parent, missing_fraction, e_row, e_y, unit_weights(e_row.size), e_local

    def _window_surrogates(self, f, r, a, n, n_left, store):
        """:meth:`_route_surrogates` of a run's split node (feature ``f``, store row
        ``r``, entries at positions ``a .. a + n - 1``, the first ``n_left`` of row ``r``
        going left), as a level of that node alone: its children's missing fractions
        and its :class:`~treelearn._surrogates.LevelSurrogates`. Every weight is 1 and
        nothing is missing, so the entries' order changes no sum."""
        assert self.max_surrogates is not None
        primary = np.full(1, f, dtype=np.intp)
        if _surrogates.searches_nothing(
            self.max_surrogates, primary, self.numeric, self.is_cat, self.n_cat
        ):  # (a chain of one feature): no search, every entry goes by the primary
            child_n = np.array([n_left, n - n_left])
            share = _surrogates.majority_shares(
                child_n, child_n.astype(np.float64), np.full(1, 2), np.zeros(1, dtype=np.intp)
            )
            return share, _surrogates.LevelSurrogates(
                np.zeros(0, dtype=np.intp), Surrogates.empty(1)
            )
        rows = store.entries[r][a : a + n]
        slot = np.ones(n, dtype=np.intp)
        slot[:n_left] = 0
        window = _partition.SortedStore(
            [e[a : a + n] for e in store.entries], [v[a : a + n] for v in store.values],
            store.entry_labels, None, store.n_rows, store.by_row,
        )  # fmt: skip
        routing = _surrogates.route_with_surrogates(
            self.X, rows, store.entry_labels[rows], np.ones(n), np.zeros(n, dtype=np.intp), slot,
            np.arange(n), np.full(1, f, dtype=np.intp), np.full(1, 2, dtype=np.int32),
            np.zeros(1, dtype=np.int32), np.full(1, n), window, self.numeric, self.is_cat,
            self.n_cat, self.max_surrogates, functools.partial(_surrogates.place_cuts, self.rules),
            None, self.scratch,
        )  # fmt: skip
        self._keep_scratch_small()
        return routing.share, routing.level

    def _keep_scratch_small(self) -> None:
        """Release the surrogate search's working arrays when they exceed
        ``_SCRATCH_KEPT`` bytes (large data: not held through the level)."""
        if self.scratch.nbytes > _SCRATCH_KEPT:
            self.scratch.clear()

    def _one_node_split(self, p, L, counts, n_ent, a, n, store):
        """The split of node ``p`` (its entries at positions ``a .. a + n - 1`` of the
        store), as :meth:`_choose_splits` chooses it, or ``None``: ``(feature, store
        row, threshold, score, gain, entries going left)``. ``None`` too for a split
        that sends every entry one way (:meth:`_route_level`'s guard)."""
        P, rules = self.n_features, self.rules
        node_weight = counts.sum(axis=1)
        layout = LevelLayout(
            np.zeros(1, dtype=n_ent.dtype), n_ent[p : p + 1], node_weight[p : p + 1],
            np.ones(1, dtype=bool),
        )  # fmt: skip
        window = slice(a, a + n)
        gains = np.full((L, P), -np.inf)
        scores = np.full((L, P), -np.inf)
        valid = np.zeros((L, P), dtype=bool)
        best_thr = np.full((L, P), np.nan)
        total = int(n_ent.sum())
        cut_of: dict[int, tuple[int, int]] = {}  # feature: (store row, its cut position)

        def search_block(block):
            return self._search_numeric(block, layout, window, total, None, store)

        blocks = self._numeric_blocks(store)
        for block, found in zip(
            blocks, self.workers.map(search_block, blocks, total * self.numeric.size), strict=True
        ):
            if found is None:
                continue
            gains[p, found.feature] = found.gain  # segment 0: node p
            scores[p, found.feature] = found.score
            valid[p, found.feature] = True
            best_thr[p, found.feature] = found.threshold
            if found.cut is not None:  # positions in the block's windows, end to end
                js = (
                    [0] * found.feature.size
                    if len(block) == 1
                    else np.searchsorted(self.numeric[block], found.feature)
                )
                for f, j, c in zip(found.feature.tolist(), js, found.cut.tolist(), strict=True):
                    cut_of[f] = (block[j], c - j * n)
        valid = rules.sample_features(valid)
        f = int(rules.select_feature(self.criterion, gains, scores, valid)[p])
        if f < 0:
            return None
        gain = gains[p : p + 1, f]
        if not rules.keep_splits(gain, node_weight[p : p + 1], self.total_weight)[0]:
            return None
        threshold = best_thr[p, f]
        r, c = cut_of.get(f, (int(np.searchsorted(self.numeric, f)), -1))
        values = store.values[r]
        if 0 <= c < n - 1 and float(values[a + c]) <= threshold < float(values[a + c + 1]):
            n_left = c + 1  # the sorted window: the cut's values left, the rest right
        else:
            x = self.X[:, f].take(store.entries[r][window])
            n_left = int(np.count_nonzero(x <= threshold))
        if n_left == 0 or n_left == n:
            return None
        return f, r, threshold, scores[p, f], gains[p, f], n_left

    def _add_run_levels(self, cols: _Columns, levels: list[tuple]) -> None:
        """Add the levels of :meth:`_one_node_run` to the tree's arrays in one chunk
        (as the general loop adds a level: leaves have feature ``-2``, threshold
        ``-2``, no score), and empty ``levels``. Each level is ``(L, split node or
        -1, feature, threshold, score, gain, counts, n_ent, impurity, parent, depth,
        missing_fraction)``; a split node's children are the next level's first
        two nodes."""
        if not levels:
            return
        sizes = np.array([lv[0] for lv in levels])
        start = np.cumsum(sizes) - sizes
        N = int(sizes.sum())
        split = np.array([lv[1] for lv in levels])
        has = split >= 0
        at = (start + split)[has]
        feature = np.full(N, -2, dtype=np.intp)
        threshold = np.full(N, -2.0)
        kind = np.zeros(N, dtype=np.int8)
        first_child = np.full(N, -1, dtype=np.int32)
        n_children = np.zeros(N, dtype=np.int32)
        split_score = np.full(N, np.nan)
        gain = np.full(N, np.nan)
        feature[at] = [lv[2] for lv in levels if lv[1] >= 0]
        threshold[at] = [lv[3] for lv in levels if lv[1] >= 0]
        split_score[at] = [lv[4] for lv in levels if lv[1] >= 0]
        gain[at] = [lv[5] for lv in levels if lv[1] >= 0]
        kind[at] = SPLIT_NUMERIC
        n_children[at] = 2
        first_child[at] = (cols.node_count + start + sizes)[has]
        cols.add(
            feature=feature,
            threshold=threshold,
            split_kind=kind,
            first_child=first_child,
            n_children=n_children,
            parent=np.concatenate([lv[9] for lv in levels]),
            depth=np.repeat([lv[10] for lv in levels], sizes),
            impurity=np.concatenate([lv[8] for lv in levels]),
            split_score=split_score,
            gain=gain,
            n_node_samples=np.concatenate([lv[7] for lv in levels]),
            missing_fraction=np.concatenate([lv[11] for lv in levels]),
            value=np.concatenate([lv[6] for lv in levels]),
        )
        levels.clear()

    def _search_numeric(self, block, layout, window, n_level, frac, store):
        """The best split of numeric features ``block`` (store rows) at the nodes of
        ``layout`` (positions ``window`` of the store; ``n_level``: the level's
        entries, ``frac``: :meth:`_choose_splits`' samples per entry)."""
        crit, rules = self.criterion, self.rules
        missing = self._any_numeric_nan and bool(self.has_nan[self.numeric[block]].any())
        features = self.numeric[block].tolist()
        if (
            self.compiled
            and frac is None
            and not rules.random_thresholds
            and not missing
            and store.weights is None
            and rules.admits_every_cut
            and self.K < _accelerator.MAX_CLASSES
        ):
            from treelearn import _numba_kernels as kernels

            mode = kernels.search_mode(crit)
            if mode:
                found = kernels.search_block(
                    store, block, features, layout, window, self.K, crit, rules, mode
                )
                if found is not kernels.FALLBACK:
                    return found
        fractions = (
            None
            if frac is None or store.weights is None
            else [sample_counts(store.weights[r], self.unit) for r in block]
        )
        if (
            frac is None
            and not rules.random_thresholds
            and square_sums_apply(crit, self.K, store.weights is not None, missing, n_level)
        ):
            return best_thresholds_by_square_sums(
                features,
                [store.float_values(r, window) for r in block],
                [store.labels_at(r, window) for r in block], layout, self.K, crit, rules,
            )  # fmt: skip
        search = random_thresholds if rules.random_thresholds else best_thresholds
        # the exact search takes float32 values as stored (it widens what it
        # needs); the random splitter float64
        values = (
            [store.values[r][window] for r in block]
            if search is best_thresholds
            else [store.float_values(r, window) for r in block]
        )
        return search(
            features,
            values,
            [store.labels_at(r, window) for r in block],
            None if store.weights is None else [store.weights[r] for r in block],
            missing, layout, self.K, crit, rules, fractions,
        )  # fmt: skip

    # -- split search ------------------------------------------------------------------
    def _choose_splits(self, splittable, counts, e_row, e_w, e_y, local, store, n_ent, frac):
        """Best split of every splittable node of the level (``frac``: the samples
        every entry counts for, ``None``: one each)."""
        L, P = splittable.size, self.n_features
        crit, rules = self.criterion, self.rules
        out = _LevelSplits(L)
        if not splittable.any():
            return out
        node_weight = counts.sum(axis=1)
        if isinstance(store, _sparse_store.SparseStore):
            n_counts = np.bincount(local * self.K + e_y, minlength=L * self.K).reshape(L, -1)
            chosen = _sparse_store.choose_splits(store, splittable, counts, n_counts, crit, rules)
            self._finish_splits(out, *chosen, node_weight)
            return out
        # segments are the level's nodes, in id order, as laid out in the store
        layout, window, node_of = self._search_layout(splittable, n_ent, node_weight, store, frac)
        gains = np.full((L, P), -np.inf)
        scores = np.full((L, P), -np.inf)
        valid = np.zeros((L, P), dtype=bool)
        best_thr = np.full((L, P), np.nan)
        best_slot = np.full((L, P), -1, dtype=np.intp)  # "learned": missing cases' slot
        # per categorical feature: (row of every node in the tables, or -1; tables)
        best_table: dict[int, tuple[np.ndarray, np.ndarray | PresentTables]] = {}
        n_level = int(n_ent.sum())

        def search_block(block):
            return self._search_numeric(block, layout, window, n_level, frac, store)

        blocks = self._numeric_blocks(store)
        # the random splitter draws from the rules' stream in block order: one thread
        workers = Workers(1) if rules.random_thresholds else self.workers
        for found in workers.map(search_block, blocks, int(n_ent.sum()) * self.numeric.size):
            if found is not None:
                if node_of is not None:  # the searched window's node
                    found.nodes = node_of[found.nodes]
                gains[found.nodes, found.feature] = found.gain
                scores[found.nodes, found.feature] = found.score
                valid[found.nodes, found.feature] = True
                best_thr[found.nodes, found.feature] = found.threshold
                if found.missing_slot is not None:
                    best_slot[found.nodes, found.feature] = found.missing_slot
        level = (gains, scores, valid, best_table, best_slot, counts, frac)
        cat_blocks = (
            self._categorical_blocks(L, self._pads_categories(frac))
            if self.categorical.size
            else []
        )
        for block in cat_blocks:
            C = int(self.n_cat[block].max())
            if C < 2:
                continue
            small = L * C * self.K <= _SMALL_TENSOR
            if small and _budget.categorical_level_fits(len(block) * L, C, self.K):
                # small tensors (every multi-feature block is, within the memory
                # budget): the block in one pass, every node, no sort needed
                self._categorical_block(
                    block, C, e_row, e_y, e_w, local, node_weight, L, splittable, level
                )
                continue
            for f in block:  # large: each feature over the nodes that can split on it
                self._categorical_restricted(f, int(self.n_cat[f]), e_row, e_y, e_w, local,
                                             node_weight, L, splittable, level)  # fmt: skip
        valid &= splittable[:, None]
        valid = rules.sample_features(valid)
        winner = rules.select_feature(crit, gains, scores, valid)
        nodes = np.flatnonzero(winner >= 0)
        win = winner[nodes]
        nodes, win = self._finish_splits(
            out, nodes, win, gains[nodes, win], scores[nodes, win], best_thr[nodes, win],
            node_weight,
        )  # fmt: skip
        out.missing_slot[nodes] = best_slot[nodes, win]
        categorical_win = np.unique(win[self.is_cat[win]]).tolist() if self.categorical.size else []
        for f in categorical_win:
            sel = win == f
            row_of, tables = best_table[f]
            pairs = table_pairs(tables, row_of[nodes[sel]], int(self.n_cat[f]))
            out.tables.append((f, nodes[sel], pairs))
            out.kind[nodes[sel]] = SPLIT_CATEGORICAL
            out.n_children[nodes[sel]] = pairs.n_slots()
        if self.max_competitors > 0:
            out.competitors = self._competitors(
                L, nodes, win, gains[nodes, win], node_weight, scores, gains, valid, best_thr,
                best_table,
            )  # fmt: skip
        return out

    def _search_layout(self, splittable, n_ent, node_weight, store, frac):
        """Where the numeric searches of the level look: ``(layout, window of
        positions, node of each searched segment or None)``.

        Every node of the level in the store's order, or, when one node only may
        split and counts are exact integers whatever the window (unit weights, no
        missing value, not the random splitter's per-level draws), that node's
        positions alone as a one-node layout: every cut, count and rank of the node
        is the same, the other nodes' entries are not scanned and the layout costs
        no per-position bookkeeping (:attr:`LevelLayout.single`).
        """
        seg_start = np.cumsum(n_ent) - n_ent
        whole = LevelLayout(seg_start, n_ent, node_weight, splittable), slice(None), None
        if n_ent.size == 1 or frac is not None or self.rules.random_thresholds:
            return whole
        if not self._unit_weights(store) or self._any_numeric_nan:
            return whole
        nodes = np.flatnonzero(splittable)
        if nodes.size != 1:
            return whole
        p = int(nodes[0])
        a = int(seg_start[p])
        layout = LevelLayout(
            np.zeros(1, dtype=seg_start.dtype), n_ent[p : p + 1], node_weight[p : p + 1],
            np.ones(1, dtype=bool),
        )  # fmt: skip
        return layout, slice(a, a + int(n_ent[p])), nodes

    @functools.cached_property
    def _any_numeric_nan(self) -> bool:
        """Whether some numeric feature has a missing value (fixed for the fit)."""
        return bool(self.has_nan[self.numeric].any())

    def _finish_splits(self, out, nodes, win, gain, score, threshold, node_weight):
        """Record in ``out`` the chosen splits that the rules keep (numeric ones
        complete, categorical ones without their tables); return their nodes and
        features."""
        keep = self.rules.keep_splits(gain, node_weight[nodes], self.total_weight)
        nodes, win = nodes[keep], win[keep]
        out.feature[nodes] = win
        out.score[nodes] = score[keep]
        out.gain[nodes] = gain[keep]
        numeric_win = ~self.is_cat[win]
        out.kind[nodes[numeric_win]] = SPLIT_NUMERIC
        out.threshold[nodes[numeric_win]] = threshold[keep][numeric_win]
        out.n_children[nodes[numeric_win]] = 2
        return nodes, win

    def _competitors(
        self, L, nodes, win, g, node_weight, scores, gains, valid, best_thr, best_table
    ):  # fmt: skip
        """The level's competing splits (:mod:`treelearn._competitor_tables`), read
        from the score tables the primary splits were chosen from: per split node the
        best other features whose split the rules would make (``keep_splits``; rpart
        lists no split that does not improve)."""
        made = valid.copy()
        if nodes.size:
            # capped at the primary's gain, which was kept: the rules' state (rpart's
            # largest improvement) is not moved by a candidate that is not made
            cand = np.minimum(gains[nodes], g[:, None])
            weight = np.repeat(node_weight[nodes], cand.shape[1])
            kept = self.rules.keep_splits(cand.ravel(), weight, self.total_weight)
            made[nodes] &= kept.reshape(cand.shape)

        def select(ok):
            return self.rules.select_feature(self.criterion, gains, scores, ok)

        count, feat = top_competitors(select, made, nodes, win, self.max_competitors)
        node = np.repeat(nodes, count)
        ptr = np.zeros(L + 1, dtype=np.int64)
        ptr[1:][nodes] = count
        np.cumsum(ptr, out=ptr)
        cat = self.is_cat[feat]
        width = np.where(cat, self.n_cat[feat], 0).astype(np.int64)
        parts = []
        for f in np.unique(feat[cat]).tolist():  # a loop over features, not nodes
            sel = np.flatnonzero(feat == f)
            row_of, tables = best_table[f]
            parts.append((sel, table_pairs(tables, row_of[node[sel]], int(self.n_cat[f]))))
        cptr, code, branch = assemble_tables(feat.size, width, parts)
        kind = np.where(cat, SPLIT_CATEGORICAL, SPLIT_NUMERIC).astype(np.int8)
        return Competitors(
            ptr=ptr, feature=feat.astype(np.int32), kind=kind,
            threshold=np.where(cat, np.nan, best_thr[node, feat]), score=scores[node, feat],
            gain=gains[node, feat], category_ptr=cptr, category_code=code,
            category_branch=branch,
        )  # fmt: skip

    def _categorical_restricted(
        self, f, C, e_row, e_y, e_w, local, node_weight, L, splittable, level
    ):  # fmt: skip
        """Search categorical feature ``f`` whose count tensor over every node is large.

        Only splittable nodes where two categories are present can split on ``f`` (a
        multiway split's children hold one each): the tensor is [those nodes, C, K],
        not [every node, C, K].
        """
        gains, scores, valid, best_table, best_slot, node_counts, frac = level
        codes = self.X[e_row, f]
        if self.rules.present_only(C):
            self._categorical_present(f, C, codes, e_y, e_w, local, node_weight, L, splittable,
                                      level)  # fmt: skip
            return
        known = ~np.isnan(codes)
        pairs = np.unique(local[known] * C + codes[known].astype(np.intp))
        n_present = np.bincount(pairs // C, minlength=L)
        sub = np.flatnonzero(may_split_on(n_present, splittable))
        if not sub.size:
            return
        _budget.check_categorical_level(f, sub.size, C, self.K, self.depth)
        row_of = np.full(L, -1, dtype=np.intp)
        row_of[sub] = np.arange(sub.size)
        at = row_of[local] >= 0
        stats = category_counts(
            codes[at], row_of[local[at]], e_y[at], e_w[at], sub.size, C, self.K,
            node_weight[sub], None if frac is None else frac[at],
        )  # fmt: skip
        grouped = self.rules.categorical_splits(stats, self.criterion)
        score, slot = self._categorical_scores(grouped, stats, node_counts[sub])
        ok = grouped.ok & ~np.isnan(grouped.gain)
        gains[sub[ok], f] = grouped.gain[ok]
        scores[sub[ok], f] = score[ok]
        valid[sub[ok], f] = True
        best_slot[sub[ok], f] = slot[ok]
        best_table[f] = (row_of, grouped.tables)

    def _categorical_present(
        self, f, C, codes, e_y, e_w, local, node_weight, L, splittable, level
    ):  # fmt: skip
        """As :meth:`_categorical_restricted`, over the categories present at each node
        (the rules' :meth:`~treelearn._growth_rules.GrowthRules.present_only`): chunks
        of at most :func:`~treelearn._split_categorical.present_chunk_cells` cells,
        tables kept as (category, slot) pairs."""
        gains, scores, valid, best_table, best_slot, node_counts, frac = level
        tables, chunks = present_chunks(
            codes, local, L, C, self.K, splittable, _split_categorical.present_chunk_cells()
        )

        def counts_of(chunk):
            at = chunk.entries
            stats = category_counts(
                chunk.compact.astype(np.float64), chunk.row, e_y[at], e_w[at], chunk.nodes.size,
                chunk.width, self.K, node_weight[chunk.nodes], None if frac is None else frac[at],
            )  # fmt: skip
            stats.n_declared = C
            return stats

        # "learned" looks for missing cases' branches when any searched node of the
        # level has missing weight, as the dense search over all of them does
        any_missing = None
        if self.learned and chunks:
            searched = np.zeros(L, dtype=bool)
            for chunk in chunks:
                searched[chunk.nodes] = True
            any_missing = bool((np.isnan(codes) & searched[local]).any()) or any(
                bool((counts_of(chunk).missing_weight > 0).any()) for chunk in chunks
            )
        for chunk in chunks:
            _budget.check_categorical_level(f, chunk.nodes.size, chunk.width, self.K, self.depth)
            stats = counts_of(chunk)
            grouped = self.rules.categorical_splits(stats, self.criterion)
            # the left weight summed over the declared categories, as the dense search
            left = np.where(grouped.tables == 0, stats.counts.sum(axis=2), 0.0)
            left_w = chunk.declared_sums(tables, left, _split_categorical.present_chunk_cells())
            grouped.branch_weights = np.stack([left_w, stats.known_weight - left_w], axis=1)
            score, slot = self._categorical_scores(
                grouped, stats, node_counts[chunk.nodes], any_missing
            )
            chunk.slots_into(tables, grouped.tables)
            ok = grouped.ok & ~np.isnan(grouped.gain)
            sub = chunk.nodes[ok]
            gains[sub, f] = grouped.gain[ok]
            scores[sub, f] = score[ok]
            valid[sub, f] = True
            best_slot[sub, f] = slot[ok]
        best_table[f] = (np.arange(L), tables)

    def _categorical_block(
        self, block, C, e_row, e_y, e_w, local, node_weight, L, splittable, level
    ):  # fmt: skip
        """Search categorical features ``block`` (``C`` categories each) in one pass.

        Their count tensors are small (at most ``_SMALL_TENSOR`` cells each), so they
        are counted over every node of the level in one ``bincount``; the search then
        looks at the (node, feature) rows that may split only (:func:`may_split_on`).
        ``level`` holds the level's ``(gains, scores, valid, best_table)``, filled in here.
        """
        gains, scores, valid, best_table, best_slot, node_counts, frac = level
        name = block[0] if len(block) == 1 else tuple(block)
        _budget.check_categorical_level(name, len(block) * L, C, self.K, self.depth)
        codes = self._block_codes(block, e_row)  # [m, F]
        stats = category_counts(codes, local, e_y, e_w, L, C, self.K, node_weight, frac)
        # "learned" looks for missing cases' branches when any row has missing weight
        any_missing = bool((stats.missing_weight > 0).any()) if self.learned else False
        F = len(block)
        rows = np.flatnonzero(
            may_split_on(np.count_nonzero(stats.branch_n > 0, axis=1), np.tile(splittable, F))
        )
        if not rows.size:
            return
        stats = stats.rows(rows)
        grouped = self.rules.categorical_splits(stats, self.criterion)
        score, slot = self._categorical_scores(
            grouped, stats, np.tile(node_counts, (F, 1))[rows], any_missing
        )
        ok = grouped.ok & ~np.isnan(grouped.gain)
        j_of, node_of = np.divmod(rows, L)  # rows j·L .. (j+1)·L - 1 are feature j's
        feat = np.asarray(block)[j_of]
        at, f_at = node_of[ok], feat[ok]
        gains[at, f_at] = grouped.gain[ok]
        scores[at, f_at] = score[ok]
        valid[at, f_at] = True
        best_slot[at, f_at] = slot[ok]
        row_of = np.full((F, L), -1, dtype=np.intp)
        row_of[j_of, node_of] = np.arange(rows.size)
        for j, f in enumerate(block):
            best_table[f] = (row_of[j], grouped.tables)

    @functools.cached_property
    def _category_codes(self) -> tuple[np.ndarray, np.ndarray]:
        """The categorical columns of ``X`` feature-major (``[p_cat, n]``; float32, whose
        integers are exact, when every code is below ``2**24``; NaN stays NaN), and
        each feature's row in them: a block's codes are then one contiguous gather per
        feature instead of a two-dimensional one."""
        exact32 = self.categorical.size == 0 or int(self.n_cat[self.categorical].max()) < 2**24
        codes = np.empty(
            (self.categorical.size, self.X.shape[0]), dtype=np.float32 if exact32 else np.float64
        )
        for i, f in enumerate(self.categorical.tolist()):
            codes[i] = self.X[:, f]
        row = np.full(self.n_features, -1, dtype=np.intp)
        row[self.categorical] = np.arange(self.categorical.size)
        return codes, row

    def _block_codes(self, block: list[int], e_row: np.ndarray) -> np.ndarray:
        """The category codes ``[m, F]`` (a transposed ``[F, m]`` array) of the entries
        ``e_row`` under the categorical features ``block``."""
        codes, row = self._category_codes
        out = np.empty((len(block), e_row.size), dtype=codes.dtype)
        for j, f in enumerate(block):
            np.take(codes[row[f]], e_row, out=out[j])
        return out.T

    def _categorical_scores(self, grouped, stats, node_counts, any_missing=None):
        """The feature scores of categorical splits and (``"learned"``) the branch
        each node's missing cases join
        (:func:`treelearn._split_categorical.categorical_scores`)."""
        return _split_categorical.categorical_scores(
            grouped, stats, node_counts, self.criterion, self.learned, any_missing
        )

    def _numeric_blocks(self, store: _partition.SortedStore) -> list[list[int]]:
        """The numeric features (store rows) searched together, in blocks.

        A block's arrays are laid end to end (:func:`best_thresholds`), up to
        :data:`BLOCK_ENTRIES` entries, so that small data pays the per-call overhead
        of numpy once per block instead of once per feature. Features with and without
        missing values are not mixed (the latter take the cheaper integer counts). With
        real weights every feature is its own block: the weighted prefix sums then
        start at the feature's first entry, as the one-feature search's do, so that
        no rounding changes.
        """
        n_rows = self.numeric.size
        if n_rows == 0:
            return []
        m = max(int(store.values[0].size), 1)
        if store.weights is not None:
            return [[r] for r in range(n_rows)]
        # and K x (block entries) within the one-pass search's limit (many classes)
        per_block = max(min(BLOCK_ENTRIES // m, BLOCK_ELEMENTS // (self.K * m)), 1)
        threads = self.workers.n_threads
        if threads > 1 and m * n_rows >= MIN_THREADED_ELEMENTS:  # a block per thread
            per_block = min(per_block, -(-n_rows // threads))
        blocks: list[list[int]] = []
        for rows in self._rows_by_missing:
            blocks += [rows[i : i + per_block] for i in range(0, len(rows), per_block)]
        return blocks

    @functools.cached_property
    def _rows_by_missing(self) -> tuple[list[int], list[int]]:
        """The store rows of the numeric features without, then with, missing values
        (fixed for the fit)."""
        has_nan = self.has_nan[self.numeric]
        return np.flatnonzero(~has_nan).tolist(), np.flatnonzero(has_nan).tolist()

    def _pads_categories(self, frac: np.ndarray | None) -> int:
        """The most categories this level's categorical searches may pad features to
        (0: none). Ordered cuts of whole rows (:meth:`GrowthRules.ordered_cuts_only`)
        up to ``_PADDED_CATEGORIES``, multiway splits up to ``_PADDED_MULTIWAY``; both
        with sample counts in entries, no fractional copy and whole-number weights (the
        sums over categories that padding lengthens are then exact)."""
        if frac is not None or self.copied or self.learned or not self.whole_weights:
            return 0
        if self.rules.ordered_cuts_only(self.K):
            return _PADDED_CATEGORIES
        if self.rules.categorical_split == "multiway":
            return _PADDED_MULTIWAY
        return 0

    def _categorical_blocks(self, n_nodes: int, padded: int = 0) -> list[list[int]]:
        """The categorical features searched together: same number of categories.

        Features with ``C`` categories each form blocks of up to
        ``BLOCK_ENTRIES // (n_nodes · 2^(C-1) · K)`` features (the largest count
        tensor a search may build is ``[nodes, 2^(C-1), 2, K]``, CART's exhaustive
        subsets), so that small data searches them in one pass per block. With
        ``padded`` (:meth:`_pads_categories`: ordered cuts or multiway splits, tensors
        ``[nodes, C, K]``) the features of 2 .. ``padded`` categories form blocks
        together, searched with the block's largest number of categories.
        """
        blocks: list[list[int]] = []
        # a feature of fewer than 2 categories (a column entirely missing: none) never
        # splits, and is in no block
        searched = self.categorical[self.n_cat[self.categorical] >= 2]
        if searched.size == 0:
            return blocks
        n_cat = self.n_cat[searched]
        group = np.where(n_cat <= padded, 0, n_cat) if padded else n_cat
        for g in np.unique(group).tolist():
            feats = searched[group == g].tolist()
            C = int(n_cat[group == g].max())
            width = C if padded else 2.0 ** min(max(C - 1, 0), 62)
            per_block = max(int(BLOCK_ENTRIES // (n_nodes * width * self.K)), 1)
            blocks += [feats[i : i + per_block] for i in range(0, len(feats), per_block)]
        return blocks

    # -- moving entries to the next level ------------------------------------------------
    def _primary_slots(self, local, e_row, split):
        """The entries of split nodes and their child slot by the primary split
        (``-1``: missing value or a category without a branch)."""
        idx, slot, _, _ = self._primary_slots_of(local, e_row, split)
        return idx, slot

    def _primary_slots_of(self, local, e_row, split):
        """:meth:`_primary_slots`, the one split node when only one splits on a
        numeric feature without missing values (then every slot is 0 or 1), else
        ``-1``, and, when every split is numeric and every value known (every slot
        0 or 1 again), the node of each entry ``idx``, else ``None``."""
        split_nodes = np.flatnonzero(split.feature >= 0)
        if split_nodes.size == 1:  # one node splits (a chain's level)
            p = int(split_nodes[0])
            f = int(split.feature[p])
            if split.kind[p] == SPLIT_NUMERIC and not self.has_nan[f]:
                idx = (
                    np.arange(local.size) if split.feature.size == 1 else np.flatnonzero(local == p)
                )
                rows = e_row[idx]
                x = self.X[rows, f] if self.sparse else self.X[:, f].take(rows)
                return idx, (x > split.threshold[p]).astype(np.intp), p, None
        idx, nl, x, above = self._split_values(local, e_row, split)
        if not split.tables and above is not None:  # numeric splits of known values
            return idx, above, -1, nl
        node_feat = split.feature[nl]
        slot = np.full(idx.size, -1, dtype=np.intp)
        known = ~np.isnan(x)
        k_num = known & (split.kind[nl] == SPLIT_NUMERIC)
        slot[k_num] = (x[k_num] > split.threshold[nl[k_num]]).astype(np.intp)
        row_of_node = np.full(split.n_children.size, -1, dtype=np.intp)
        for f, nodes, table in split.tables:
            row_of_node[nodes] = np.arange(nodes.size)
            at = np.flatnonzero(known & (row_of_node[nl] >= 0) & (node_feat == f))
            slot[at] = table.slots_of(row_of_node[nl[at]], x[at])
            row_of_node[nodes] = -1
        return idx, slot, -1, None

    def _split_values(self, local, e_row, split):
        """The entries of split nodes (ids ``idx``), their nodes, their values of their
        node's split feature, and, when every one is known, the primary slot of
        each as a numeric split sends it (``x > threshold``; ``None`` when some
        value is missing). Computed piece by piece over the level's entries on the
        workers' threads (every step is elementwise: the same arrays for any
        ``n_jobs``)."""
        feature, threshold = split.feature, split.threshold
        flat = self._flat_X

        def one(part: slice):
            loc = local[part]
            at = np.flatnonzero(feature[loc] >= 0)
            nl = loc[at]
            rows = e_row[part][at]
            if flat is None:
                x = self.X[rows, feature[nl]]
            else:  # one take from the flat values: 2.5x faster than X[rows, features]
                values, row_step, col_step = flat
                pos = rows.astype(np.intp) * row_step
                pos += feature[nl] * col_step
                x = values.take(pos, mode="clip")
            above = None
            if not np.isnan(x).any():
                above = (x > threshold[nl]).astype(np.intp)
            return at + part.start, nl, x, above

        parts = self.workers.map(one, self.workers.slices(local.size), local.size)
        if len(parts) == 1:
            return parts[0]
        joined = [np.concatenate([p[i] for p in parts]) for i in range(3)]
        above = None
        if all(p[3] is not None for p in parts):
            above = np.concatenate([p[3] for p in parts])
        return (*joined, above)

    @functools.cached_property
    def _flat_X(self) -> tuple[np.ndarray, int, int] | None:
        """:func:`treelearn._routing.flat_view` of a dense float ``X`` that needs no
        copy for it (C- or F-contiguous float32 or float64), else ``None``."""
        X = self.X
        if self.sparse or not isinstance(X, np.ndarray) or X.ndim != 2:
            return None
        if X.dtype not in (np.float32, np.float64):
            return None
        if not (X.flags.c_contiguous or X.flags.f_contiguous):
            return None
        return flat_view(X)

    def _route_surrogates(self, local, e_row, e_y, e_w, split, first_local, n_ent, store):
        """As :meth:`_route` for ``missing_values="surrogate"``: one child per entry
        (:mod:`treelearn._surrogates`); also returns the level's surrogates."""
        idx, slot = self._primary_slots(local, e_row, split)
        assert self.max_surrogates is not None
        place = functools.partial(_surrogates.place_cuts, self.rules)
        search = None
        if isinstance(store, _sparse_store.SparseStore):  # candidates from the non-zeros
            search = functools.partial(
                _sparse_surrogates.numeric_candidates, store, e_row, self.rules
            )
            store = None
        routing = _surrogates.route_with_surrogates(
            self.X, e_row, e_y, e_w, local, slot, idx, split.feature, split.n_children,
            first_local, n_ent, store, self.numeric, self.is_cat, self.n_cat,
            self.max_surrogates, place, search, self.scratch,
        )  # fmt: skip
        self._keep_scratch_small()
        copies = np.zeros(local.size, dtype=np.intp)
        copies[routing.entry] = 1
        move = _partition.Move(
            local, e_row, e_w, n_ent, split.n_children, first_local, copies, routing.child,
            take_weights(e_w, routing.entry), int(split.n_children.sum()),
        )  # fmt: skip
        return move, routing.entry, routing.share, routing.level

    def _route_level(self, split, local, e_row, e_y, e_w, n_ent, store, next_lo):
        """The children's first ids and the routing of the level's entries
        (``(move, source entries, missing fractions, surrogates or None)``, or
        ``None`` when no node splits).

        The builder's guard against a rule that cannot make progress: a split that
        sends all of a node's entries to one child (its child would be the node
        again, and the level loop would never end) makes the node a leaf.
        """
        copied = self.copied
        while True:  # at most twice
            is_split = split.feature >= 0
            first_child = np.full(split.feature.size, -1, dtype=np.int32)
            offsets = np.cumsum(split.n_children) - split.n_children
            first_child[is_split] = next_lo + offsets[is_split]
            n_next = int(split.n_children.sum())
            if n_next == 0:
                return first_child, None
            first_local = first_child - next_lo
            if self.max_surrogates is None:
                unit = self._unit_weights(store)
                routed = (*self._route(local, e_row, e_w, split, first_local, n_ent, unit), None)
            else:
                routed = self._route_surrogates(
                    local, e_row, e_y, e_w, split, first_local, n_ent, store
                )
            per_child = np.bincount(routed[0].new_node, minlength=n_next)
            one_sided = one_sided_splits(is_split, split.n_children, per_child)
            if one_sided.size == 0:
                return first_child, routed
            _make_leaves(split, one_sided)
            self.copied = copied

    def _route(self, local, e_row, e_w, split, first_local, n_ent, unit=False):
        """Child of every entry of a split node; copies for missing values
        (``unit``: every entry weight is 1).

        Returns the :class:`~treelearn._partition.Move` (new entries ordered by
        source entry, copies in child order), the source entry of every new
        entry, and the next level's missing fractions (each child's share of its
        parent's known weight; uniform when none is known).
        """
        n_children = split.n_children
        n_next = int(n_children.sum())
        idx, slot, p, known_nodes = self._primary_slots_of(local, e_row, split)
        if p >= 0 or known_nodes is not None:  # every entry known: one new entry each
            if p >= 0:
                child = slot if first_local[p] == 0 else slot + first_local[p]
            else:
                child = first_local[known_nodes] + slot
            child_w = np.bincount(child, None if unit else e_w[idx], n_next).astype(
                np.float64, copy=False
            )
            return self._whole_move(local, e_row, e_w, n_ent, split, first_local, idx, child,
                                    child_w)  # fmt: skip
        nl = local[idx]
        if self.learned:  # all of a node's missing cases go to one child
            miss = (slot < 0) & (split.missing_slot[nl] >= 0)
            slot[miss] = split.missing_slot[nl[miss]]
        routed = slot >= 0
        child = first_local[nl] + slot
        # known weight per child -> fractions for missing values
        all_routed = bool(routed.all())
        if all_routed:  # counts of unit weights are their sums, exactly
            child_sums = np.bincount(child, None if unit else e_w[idx], n_next)
        else:
            child_sums = np.bincount(child[routed], weights=e_w[idx[routed]], minlength=n_next)
        child_w = child_sums.astype(np.float64, copy=False)
        if self.learned:  # one-hot shares: the direction of a missing value
            fraction = learned_shares(n_children, child_w, split.missing_slot)
        else:
            fraction = fractional_shares(n_children, child_w)
        copies = np.zeros(local.size, dtype=np.intp)
        copies[idx if all_routed else idx[routed]] = 1

        def move(new_node, new_w, whole=False):
            return _partition.Move(
                local, e_row, e_w, n_ent, n_children, first_local, copies, new_node, new_w,
                n_next, whole,
            )  # fmt: skip

        if all_routed:  # one new entry per entry of a split node, same weight
            return self._whole_move(local, e_row, e_w, n_ent, split, first_local, idx, child,
                                    child_w, fraction)  # fmt: skip
        # a missing value: one copy per child whose share is above J48's 1e-6
        self.copied = True
        miss = np.flatnonzero(~routed)
        rep, rep_child, share = fan_out(
            nl[miss], first_local, n_children, fraction, min_share=J48_SMALL
        )
        rep = miss[rep]
        np.add.at(copies, idx[rep], 1)
        all_src = np.concatenate([idx[routed], idx[rep]])
        all_child = np.concatenate([child[routed], rep_child])
        all_w = np.concatenate([e_w[idx[routed]], e_w[idx[rep]] * share])
        # order new entries by source entry, copies in child order
        o = np.lexsort((all_child, all_src))
        return move(all_child[o], all_w[o]), all_src[o], fraction

    def _whole_move(
        self, local, e_row, e_w, n_ent, split, first_local, idx, child, child_w, fraction=None
    ):  # fmt: skip
        """:meth:`_route`'s result when every entry of a split node makes one new
        entry of its weight (entries ``idx`` to children ``child``, whose known
        weights are ``child_w``; ``fraction``: the missing fractions, when known)."""
        n_children = split.n_children
        if fraction is None:
            fraction = (
                learned_shares(n_children, child_w, split.missing_slot)
                if self.learned
                else fractional_shares(n_children, child_w)
            )
        copies = np.zeros(local.size, dtype=np.int8)  # 0 or 1: a byte each
        copies[idx] = 1
        move = _partition.Move(
            local, e_row, e_w, n_ent, n_children, first_local, copies, child,
            take_weights(e_w, idx),
            child_w.size, True,
        )  # fmt: skip
        return move, idx, fraction


def unit_weights(n: int) -> np.ndarray:
    """``n`` entry weights of 1 as one read-only value seen ``n`` times (no memory):
    the entries' weights while every weight is 1."""
    return np.broadcast_to(np.float64(1.0), (n,))


def take_weights(e_w: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """``e_w[idx]``, without materialising weights that are all one value
    (:func:`unit_weights`)."""
    if e_w.ndim == 1 and e_w.strides[0] == 0 and e_w.size:
        return np.broadcast_to(e_w[0], idx.shape)
    return e_w[idx]


def one_sided_splits(
    is_split: np.ndarray, n_children: np.ndarray, per_child: np.ndarray
) -> np.ndarray:
    """The split nodes (local ids) that sent all their entries to one child.

    The level loops' guard against a rule that cannot make progress: such a node's
    child would be the node again, so it becomes a leaf. ``per_child`` counts the
    next level's entries per child (children in parent order).
    """
    parent_of_child = np.repeat(np.arange(n_children.size), n_children)
    used = np.bincount(parent_of_child, weights=per_child > 0, minlength=is_split.size)
    return np.flatnonzero(is_split & (used <= 1))


def _make_leaves(split: _LevelSplits, nodes: np.ndarray) -> None:
    """Undo the chosen splits of ``nodes`` (local ids): they become leaves, without
    competitors (their surrogates are searched after this, for split nodes only)."""
    split.feature[nodes] = -1
    split.kind[nodes] = 0
    split.threshold[nodes] = np.nan
    split.n_children[nodes] = 0
    split.missing_slot[nodes] = -1
    split.tables = [
        (f, ids[keep], table.take(np.flatnonzero(keep)))
        for f, ids, table in split.tables
        if (keep := ~np.isin(ids, nodes)).any()
    ]
    if split.competitors is not None:
        L = split.feature.size
        split.competitors = split.competitors.take(np.arange(L), ~np.isin(np.arange(L), nodes))


def best_first(tree: Tree, max_leaf_nodes: int, total_weight: float) -> Tree:
    """Keep the ``max_leaf_nodes``-leaf tree that best-first growth would give.

    Splits do not depend on which other nodes are split, so best-first growth is
    the fully grown tree with nodes expanded in order of weighted impurity
    decrease until the leaf budget is spent.
    """
    improvement = weighted_impurity_decrease(tree.gain, tree.weighted_n_node_samples, total_weight)
    expanded = np.zeros(tree.node_count, dtype=bool)
    heap = []
    if tree.n_children[0] > 0:
        heap.append((-improvement[0], 0))
    leaves = 1
    while heap:
        _, node = heapq.heappop(heap)
        extra = int(tree.n_children[node]) - 1
        if leaves + extra > max_leaf_nodes:
            continue
        expanded[node] = True
        leaves += extra
        for child in tree.children(node):
            if tree.n_children[child] > 0:
                heapq.heappush(heap, (-improvement[child], child))
    return prune_to(tree, expanded)


def build_tree(
    X: np.ndarray,
    y: np.ndarray,
    sample_weight: np.ndarray,
    n_classes: int,
    is_categorical: np.ndarray,
    n_categories: np.ndarray,
    criterion: SplitCriterion,
    rules: GrowthRules,
    max_surrogates: int | None = None,
    max_competitors: int = 0,
    n_jobs: int | None = None,
) -> Tree:
    """Grow a tree on encoded data (see :mod:`treelearn._data`) by ``rules``.

    ``max_surrogates``: ``None`` routes missing values C4.5 style (fractional
    copies); an int grows with surrogate splits (:mod:`treelearn._surrogates`),
    up to that many per node. ``max_competitors > 0`` keeps that many competing
    splits per node (:mod:`treelearn._competitor_tables`). ``n_jobs``: threads over
    the numeric features (sorting, partitioning) and feature blocks (split search),
    as in :mod:`treelearn._threads`; the tree does not depend on it.
    """
    _budget.check_classes(n_classes, X.shape[0], rules.max_depth)
    builder = _LevelWiseBuilder(
        X, y, sample_weight, n_classes, is_categorical, n_categories, criterion, rules,
        max_surrogates, max_competitors,
    )  # fmt: skip
    with Workers(n_jobs) as builder.workers:
        return builder.build()
