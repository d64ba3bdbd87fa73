"""The sorted store and split search of sparse X: only the non-zeros are kept.

A numeric feature's sorted order at a node is its negative entries, the node's
implicit zeros as one block, then its positive entries. The store
(:class:`SparseStore`) holds the non-zero entries only, all features in one set of
arrays ordered by (feature, node, value), ties in row order, so its memory is
proportional to the non-zeros. Invariant: before and after every level the stored
entries are those of the level's nodes, grouped by feature, then node (increasing
id), then value (stable in row order); :func:`partition` keeps it with one stable
partition per level, vectorised over all features at once.

The split search (:func:`choose_splits`) scores a (feature, node) pair only where the
feature has a non-zero entry in the node (elsewhere it is constant there). The zero
block's class counts are the node's counts minus those of the stored entries; the
block enters the sorted arrays as one position of value 0 with the block's class
weights, and its number of rows as *multiplicity*; its label is its class when it
has one, -1 when it has several (what the boundary-point filter needs to know). No
cut falls inside a block of equal values, so every cut position of the dense
feature has exactly one here, with the same class counts on each side, and
:func:`~treelearn._split_numeric.best_thresholds` scores it exactly (thresholds at
the block's edges are midpoints with 0, as for dense data). With unit or integer
weights the counts are the dense search's to the last bit, so the tree is the same;
other weights may differ in the last bits of a sum.

Choosing each node's feature needs the criterion's ``select_feature`` over a
``[nodes, features]`` matrix; it is built for blocks of nodes at a time, so that
memory stays ``block × features`` for wide data.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from treelearn._growth_rules import GrowthRules
from treelearn._sparse_values import SparseColumns
from treelearn._split_numeric import BLOCK_ELEMENTS, LevelLayout, best_thresholds
from treelearn._split_random import pair_draws, random_thresholds

if TYPE_CHECKING:
    from treelearn._partition import Move
    from treelearn.criteria import SplitCriterion

__all__ = [
    "SparseStore",
    "block_layout",
    "choose_from_pairs",
    "choose_splits",
    "chunk_cells",
    "partition",
    "presort",
]

#: Positions (entries plus zero-block positions) searched in one call of
#: ``best_thresholds`` at most (see :func:`chunk_positions`).
CHUNK_POSITIONS = 2**18
#: Class-count cells (classes × positions) of a chunk even when the data have
#: fewer non-zeros: small data search a level in few calls.
MIN_CHUNK_CELLS = 2**17
#: Cells of one ``[nodes, features]`` block of the feature choice.
SELECT_CELLS = 2**21


@dataclass
class SparseStore:
    """Every non-zero entry of every feature, in (feature, node, value) order."""

    feature: np.ndarray  # [N] feature of each entry (int32)
    rows: np.ndarray  # [N] its row (int32)
    node: np.ndarray  # [N] its node in the level (local id, intp)
    values: np.ndarray  # [N] float64, never 0
    labels: np.ndarray  # [N] class code
    weights: np.ndarray | None  # [N] row weight; None while every weight is 1
    n_rows: int
    n_features: int
    n_stored: int  # the root's entries (the non-zeros of X)
    #: float64 cells the exact search writes each chunk's prefix sums into, reused
    #: by every chunk of every level (allocated by the first search)
    search_buffer: np.ndarray | None = None


def presort(X: SparseColumns, y: np.ndarray, w: np.ndarray, n_classes: int) -> SparseStore:
    """The root's store: every column's non-zeros sorted by value (stable in row order)."""
    label_dtype = np.int8 if n_classes < 128 else np.int32
    n_rows, n_features = X.shape
    feature = np.repeat(np.arange(n_features, dtype=np.int32), np.diff(X.indptr))
    # rows are increasing within a column: a stable sort by (feature, value) keeps
    # ties in row order
    order = np.lexsort((X.data, feature))
    rows = X.indices[order].astype(np.int32)
    unit = bool(np.all(w == 1.0))
    return SparseStore(
        feature=feature[order],
        rows=rows,
        node=np.zeros(rows.size, dtype=np.intp),
        values=X.data[order],
        labels=y.astype(label_dtype)[rows],
        weights=None if unit else w[rows],
        n_rows=n_rows,
        n_features=n_features,
        n_stored=int(rows.size),
    )


def partition(store: SparseStore, move: Move) -> None:
    """Move the stored entries into the next level's nodes, in place.

    Sparse fits split binary and never copy an entry (no missing values, no
    categorical features). Entries of nodes that became leaves leave the store;
    within each (feature, parent) group the left child's entries come first, then
    the right child's, each in their old (value) order: one ``cumsum`` gives every
    entry's rank among those going the same way.
    """
    split_e = move.n_children[move.local] > 0
    row_next = np.full(store.n_rows, -1, dtype=np.int32)  # (node ids < rows < 2**31)
    row_next[move.rows[split_e]] = move.new_node
    nn = row_next[store.rows]
    del row_next
    keep = np.flatnonzero(nn >= 0)
    nn = nn[keep]
    n = keep.size
    parent = store.node[keep]
    right = nn != move.first_child[parent]  # the second child (binary splits)
    feature = store.feature[keep]
    start = np.flatnonzero(
        np.r_[True, (feature[1:] != feature[:-1]) | (parent[1:] != parent[:-1])]
    ) if n else np.zeros(0, dtype=np.intp)  # fmt: skip
    del feature, parent
    size = np.diff(np.r_[start, n])
    # per (feature, parent) group: right-going entries before it and left-going in it
    rights = np.cumsum(right, dtype=np.intp)  # right-going entries up to each, included
    before = rights[start] - right[start]
    n_left = size - (np.add.reduceat(right, start, dtype=np.intp) if n else before)
    # a left entry i goes to i - (rights[i] - before), a right one to
    # start + n_left - 1 + (rights[i] - before): in place, one array of n
    dest = np.repeat(before, size)
    dest -= rights
    del rights
    np.add(dest, np.arange(n), out=dest, where=~right)
    np.subtract(np.repeat(start + n_left - 1, size), dest, out=dest, where=right)
    del right
    for name in ("feature", "rows", "values", "labels", "weights"):
        arr = getattr(store, name)
        if arr is None:
            continue
        out = np.empty(n, dtype=arr.dtype)
        out[dest] = arr[keep]
        setattr(store, name, out)
        del arr, out  # the old array goes before the next one is made
    node = np.empty(n, dtype=np.intp)
    node[dest] = nn
    store.node = node


@dataclass
class EntryGroups:
    """The (feature, node) groups of some stored entries, one segment each."""

    start: np.ndarray  # [G] each group's first entry (among the selected ones)
    size: np.ndarray  # [G] its number of entries
    gid: np.ndarray  # [n] every selected entry's group
    feature: np.ndarray  # [G] each group's feature
    node: np.ndarray  # [G] each group's node (local id)


def entry_groups(store: SparseStore, sel: np.ndarray) -> EntryGroups:
    """The (feature, node) groups of the stored entries ``sel`` (in store order)."""
    feature, node = store.feature[sel], store.node[sel]
    n = sel.size
    start = np.flatnonzero(
        np.r_[True, (feature[1:] != feature[:-1]) | (node[1:] != node[:-1])]
    ) if n else np.zeros(0, dtype=np.intp)  # fmt: skip
    size = np.diff(np.r_[start, n])
    gid = np.repeat(np.arange(start.size), size)
    return EntryGroups(start, size, gid, feature[start], node[start])


def zero_block(
    groups: EntryGroups,
    node_total: np.ndarray,
    amount: np.ndarray | None = None,
    column: np.ndarray | None = None,
) -> np.ndarray:
    """What each group's implicit-zero block holds: the node's total minus the sum
    over the group's stored entries.

    ``node_total`` is per node (``[L]``, or ``[L, C]`` with ``column`` each entry's
    column, e.g. its class); ``amount`` is each selected entry's share (``None``: one
    each, counting entries). Returns ``[G]`` (or ``[G, C]``). With integer amounts
    the difference is exact; otherwise it may be off the block's own sum in the last
    bits (clip at 0 where the block is empty).
    """
    G = groups.start.size
    if column is None:
        return node_total[groups.node] - np.bincount(groups.gid, weights=amount, minlength=G)
    C = node_total.shape[1]
    cell = groups.gid * C + column
    stored = np.bincount(cell, weights=amount, minlength=G * C).reshape(G, C)
    return node_total[groups.node] - stored


def _zero_blocks(store, sel, counts, n_counts, K):
    """Groups (feature, node) of the selected entries and their zero blocks.

    Returns ``(groups, zero_n, zero_w)``: the groups (:func:`entry_groups`) and per
    group and class the rows and weight of the zero block.
    """
    groups = entry_groups(store, sel)
    labels = store.labels[sel]
    zero_n = zero_block(groups, n_counts, None, labels)
    weights = None if store.weights is None else store.weights[sel]
    zero_w = zero_block(groups, counts, weights, labels)
    zero_w = np.where(zero_n > 0, np.maximum(zero_w, 0.0), 0.0)
    return groups, zero_n, zero_w


def _with_zero_blocks(store, sel, groups, zero_n):
    """The selected entries with each group's zero block inserted after its negatives.

    A zero block is one position of value 0 whose class weights are the block's; its
    label is the block's class when it has one class, -1 when it has several.
    Returns ``(values, labels, weights, multiplicity, seg_start, seg_len, block_pos,
    block_group)`` over the augmented positions, one segment per group (``groups``,
    :func:`entry_groups`; ``zero_n`` the rows per class of each group's block).
    """
    start, size, gid = groups.start, groups.size, groups.gid
    rows_in_block = zero_n.sum(axis=1)
    values = store.values[sel]
    pos_real, pos_block, bg, seg_start, seg_len = block_layout(values, start, size, gid,
                                                               rows_in_block > 0)  # fmt: skip
    m = sel.size + bg.size
    v = np.zeros(m)
    v[pos_real] = values
    y = np.empty(m, dtype=store.labels.dtype)
    y[pos_real] = store.labels[sel]
    present = zero_n[bg] > 0
    one_class = present.sum(axis=1) == 1
    y[pos_block] = np.where(one_class, np.argmax(present, axis=1), -1)
    w = np.zeros(m)
    w[pos_real] = 1.0 if store.weights is None else store.weights[sel]
    mult = np.ones(m, dtype=np.int64)
    mult[pos_block] = rows_in_block[bg]
    return v, y, w, mult, seg_start, seg_len, pos_block, bg


def block_layout(
    values: np.ndarray, start: np.ndarray, size: np.ndarray, gid: np.ndarray, has_block: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Where the entries and zero blocks of (feature, node) groups go in the sorted
    order: a group's negative entries, its zero block (if ``has_block``), its
    positive entries.

    ``values`` are the entries of the groups, grouped and sorted by value; ``start``,
    ``size`` each group's first entry and number of entries, ``gid`` every entry's
    group. Returns ``(pos_real, pos_block, block_group, seg_start, seg_len)``: every
    entry's position, the position of every zero block and its group, and each
    group's segment of the positions.
    """
    bg = np.flatnonzero(has_block)  # groups with a zero block
    neg = values < 0
    n_neg = np.bincount(gid, weights=neg, minlength=start.size).astype(np.intp)
    seg_len = size + has_block
    seg_start = np.cumsum(seg_len) - seg_len
    rank = np.arange(values.size) - start[gid]
    pos_real = seg_start[gid] + rank + (~neg & has_block[gid])
    pos_block = seg_start[bg] + n_neg[bg]
    return pos_real, pos_block, bg, seg_start, seg_len


def chunk_cells(n_stored: int) -> int:
    """Class-count cells (classes × positions) of one chunk of a sparse split search.

    A chunk's class counts, prefix sums and candidate temporaries cost some tens of
    bytes a cell; the cells are kept within ``n_stored`` (the root's non-zeros), at
    least :data:`MIN_CHUNK_CELLS` and at most ``BLOCK_ELEMENTS``, so that the
    search's memory is proportional to the non-zeros (a fixed block would dominate
    small data). The exact, random and histogram searches of sparse X all use it.
    """
    return min(max(n_stored, MIN_CHUNK_CELLS), BLOCK_ELEMENTS)


def chunk_positions(n_classes: int, n_stored: int) -> int:
    """Positions (entries plus zero blocks) of one chunk of the exact sparse search:
    :func:`chunk_cells` over the classes, at most :data:`CHUNK_POSITIONS`."""
    return max(min(CHUNK_POSITIONS, chunk_cells(n_stored) // max(n_classes, 1)), 1)


def _search(store, splittable, counts, n_counts, node_weight, K, criterion, rules):
    """Best threshold of every (feature, node) pair with a non-zero, in chunks.

    Only the level's (feature, node) groups are kept for the whole level (a few
    numbers per group); the zero blocks' class counts (``[groups, K]``) and the
    augmented sorted arrays are built chunk by chunk.
    """
    L = counts.shape[0]
    sel = np.flatnonzero(splittable[store.node])
    n = sel.size
    feature, node = store.feature[sel], store.node[sel]
    start = np.flatnonzero(
        np.r_[True, (feature[1:] != feature[:-1]) | (node[1:] != node[:-1])]
    ) if n else np.zeros(0, dtype=np.intp)  # fmt: skip
    g_feature, g_node = feature[start], node[start]
    del feature, node
    draws = None
    if rules.random_thresholds:  # drawn for every (feature, node) pair, as dense X does
        draws = pair_draws(rules, store.n_features, L, g_feature, g_node)
    if not n:
        return []
    size = np.diff(np.r_[start, n])
    # each group's positions: its entries and its zero block (rows of the node not in it)
    seg_end = np.cumsum(size + (n_counts.sum(axis=1)[g_node] > size))
    del size
    limit = chunk_positions(K, store.n_stored)
    if draws is None and (store.search_buffer is None or store.search_buffer.size < K * limit):
        store.search_buffer = np.empty(K * limit)
    found = []
    g0, G = 0, start.size
    while g0 < G:
        # groups g0 .. g1 - 1: as many as fit the limit (at least one)
        before = int(seg_end[g0 - 1]) if g0 else 0
        g1 = int(np.searchsorted(seg_end, before + limit, side="right"))
        g1 = min(max(g1, g0 + 1), G)
        e0 = int(start[g0])
        e1 = int(start[g1]) if g1 < G else n
        splits = _search_chunk(
            store, sel[e0:e1], counts, n_counts, node_weight, K, criterion, rules,
            None if draws is None else draws[g0:g1],
        )  # fmt: skip
        if splits is not None:
            found.append(splits)
        g0 = g1
    return found


def _search_chunk(store, sel, counts, n_counts, node_weight, K, criterion, rules, draws):
    """:func:`_search` on the stored entries ``sel``: whole (feature, node) groups
    (``draws``: the groups' drawn numbers of the random splitter)."""
    groups, zero_n, zero_w = _zero_blocks(store, sel, counts, n_counts, K)
    g_feature, g_node = groups.feature, groups.node
    v, y, w, mult, seg_start, seg_len, pos_block, block_group = _with_zero_blocks(
        store, sel, groups, zero_n
    )
    del groups, zero_n
    layout = LevelLayout(seg_start, seg_len, node_weight[g_node], np.ones(seg_start.size, bool))
    blocks = (pos_block, zero_w[block_group].T)
    del zero_w
    # the "features" are the groups' own (segment i is the group i)
    args = (g_feature.astype(np.intp), [v], [y], [w], False, layout, K, criterion, rules)
    segments = (np.arange(g_feature.size), g_node)
    if draws is None:
        return best_thresholds(
            *args, multiplicity=mult, segments=segments, block_counts=blocks,
            buffer=store.search_buffer,
        )  # fmt: skip
    return random_thresholds(  # the pairs' drawn numbers (pair_draws)
        *args, multiplicity=mult, segments=segments, block_counts=blocks, draws=draws
    )


def _node_blocks(rows, nodes, P, compress):
    """Blocks of ``rows`` (nodes) whose ``[block, features]`` matrices stay small:
    ``SELECT_CELLS // P`` nodes each over every feature, or, over the features with
    a candidate (``compress``), nodes whose candidates number about ``SELECT_CELLS``
    square-rooted."""
    if not compress:
        step = max(SELECT_CELLS // P, 1)
        return [rows[a : a + step] for a in range(0, rows.size, step)]
    per_node = np.diff(np.searchsorted(nodes, np.r_[rows, rows[-1] + 1])) if rows.size else rows
    cum = np.cumsum(per_node)
    side = int(np.sqrt(SELECT_CELLS))
    blocks, a = [], 0
    while a < rows.size:
        before = int(cum[a - 1]) if a else 0
        b = int(np.searchsorted(cum, before + side, side="right"))
        b = min(max(b, a + 1), a + side, rows.size)
        blocks.append(rows[a:b])
        a = b
    return blocks


def choose_splits(
    store: SparseStore,
    splittable: np.ndarray,
    counts: np.ndarray,
    n_counts: np.ndarray,
    criterion: SplitCriterion,
    rules: GrowthRules,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Each splittable node's best numeric split, as the dense search would choose it.

    ``counts`` are the level's weighted class counts ``[L, K]``, ``n_counts`` its rows
    per class. Returns ``(nodes, feature, gain, score, threshold)`` of the nodes that
    found a split (the rules' ``keep_splits`` not yet applied).
    """
    K = counts.shape[1]
    P = store.n_features
    node_weight = counts.sum(axis=1)
    found = _search(store, splittable, counts, n_counts, node_weight, K, criterion, rules)
    if found:
        nodes = np.concatenate([s.nodes for s in found])
        feature = np.concatenate([s.feature for s in found])
        gain = np.concatenate([s.gain for s in found])
        score = np.concatenate([s.score for s in found])
        threshold = np.concatenate([s.threshold for s in found])
        order = np.argsort(nodes, kind="stable")
        nodes, feature, gain, score, threshold = (
            nodes[order], feature[order], gain[order], score[order], threshold[order]
        )  # fmt: skip
    else:
        nodes = feature = np.zeros(0, dtype=np.intp)
        gain = score = threshold = np.zeros(0)
    win_nodes, win, pick = choose_from_pairs(
        nodes, feature, gain, score, splittable, P, criterion, rules
    )
    return win_nodes, win, gain[pick], score[pick], threshold[pick]


def choose_from_pairs(
    nodes: np.ndarray,
    feature: np.ndarray,
    gain: np.ndarray,
    score: np.ndarray,
    splittable: np.ndarray,
    n_features: int,
    criterion: SplitCriterion,
    rules: GrowthRules,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each node's feature, chosen from a list of (node, feature) candidates as the
    rules' ``select_feature`` chooses it from ``[nodes, features]`` tables.

    ``nodes`` (non-decreasing) and ``feature`` name the candidate pairs (each at most
    once), ``gain`` and ``score`` their best split's; a pair absent from the list has
    no candidate. The tables are built for blocks of nodes at a time
    (:func:`_node_blocks`), over every feature when the rules draw features at random
    (one key per node and feature, as the dense search draws them) or choose by their
    own rule, otherwise over the block's candidate features only, so that memory is
    the candidates' (the criterion's ties go to the lowest feature in either
    numbering). Returns ``(win_nodes, win, pick)``: the nodes that chose a feature,
    their feature and the index of the chosen pair in the list.
    """
    P = n_features
    L = splittable.size
    sampled = rules.max_features is not None and rules.max_features < P
    rows = np.arange(L) if sampled else np.unique(nodes)
    compress = not sampled and type(rules).select_feature is GrowthRules.select_feature
    out_nodes, out_win = [], []
    for block in _node_blocks(rows, nodes, P, compress):
        lo, hi = np.searchsorted(nodes, [block[0], block[-1] + 1])
        at = np.searchsorted(block, nodes[lo:hi])
        cols = np.unique(feature[lo:hi]) if compress else np.arange(P)
        col = np.searchsorted(cols, feature[lo:hi]) if compress else feature[lo:hi]
        gains = np.full((block.size, cols.size), -np.inf)
        scores = np.full((block.size, cols.size), -np.inf)
        valid = np.zeros((block.size, cols.size), dtype=bool)
        gains[at, col] = gain[lo:hi]
        scores[at, col] = score[lo:hi]
        valid[at, col] = True
        valid &= splittable[block][:, None]
        valid = rules.sample_features(valid)
        winner = rules.select_feature(criterion, gains, scores, valid)
        ok = winner >= 0
        out_nodes.append(block[ok])
        out_win.append(cols[winner[ok]])
    win_nodes = np.concatenate([np.zeros(0, dtype=np.intp), *out_nodes]).astype(np.intp)
    win = np.concatenate([np.zeros(0, dtype=np.intp), *out_win]).astype(np.intp)
    # the winners' entries in the (node, feature)-sorted list
    key = nodes.astype(np.int64) * P + feature
    order = np.argsort(key, kind="stable")
    pick = order[np.searchsorted(key[order], win_nodes.astype(np.int64) * P + win)]
    return win_nodes, win, pick
