"""The exact builder's two hot loops, compiled with numba (the optional accelerator).

Imported only through :func:`treelearn._accelerator.kernels`, when a fit asks for
the kernels (``TREELEARN_ACCELERATOR``; numba is the ``fast`` extra). The numpy code
stays the reference and takes every case not covered here.

Search (:func:`search_block`): the best threshold of each numeric feature at every
node of a level, for ``Gini`` and ``InformationGain`` exactly (their own classes,
not subclasses), every weight 1, no missing value, every cut admissible, fewer than
12 classes. One pass per (feature, node) over the node's sorted positions: class
labels gathered from the entries, value gaps (``GrowthRules.numeric_gap``, in
float64), boundary points (closing cuts forward, opening cuts backward, as the
numpy search keeps them), running class counts, the rank of each kept candidate,
and the first within ``tie_tolerance × node weight`` of the best: numpy's rule.

* Gini ranks as ``sq_L/n_L + sq_R/n_R − n`` from the sides' square sums of class
  counts, kept exact (integers) as the cut moves: ``-(n_L·Gini(L) + n_R·Gini(R))``.
* Entropy ranks as ``-(Σ_sides n·log2 n − Σ_k c_k·log2 c_k)``, read from a table of
  ``x·log2 x`` (numpy's ``log2``): mathematically ``-(n_L·H(L) + n_R·H(R))``, the
  numpy search's rank, with another rounding and no logarithm per candidate.

Ranks computed in two ways may differ by rounding. A node where any candidate up to
the winner lies within :func:`treelearn._tolerances.rank_rounding` of the tie band's
edge (``best − tolerance``), where the two could disagree on the winner, makes the
whole call fall back to numpy (:data:`FALLBACK`). So the winners are numpy's; their
gains, scores and thresholds come from :func:`treelearn._split_numeric.finish_splits`,
the numpy code's own.

Partition (:func:`partition_rows`, :func:`partition_one_node`): the ``"rows"`` path
without weights. The destinations are the numpy code's (``A_L + i − ones`` going
left, ``A_R + ones`` going right), computed and scattered in one pass per feature;
entries of nodes that became leaves are skipped (numpy writes them to a tail it then
cuts off). Features run on the fit's threads: the kernels release the GIL.
"""

from __future__ import annotations

import threading
from typing import Any

import numba
import numpy as np

from treelearn._split_numeric import NumericSplits, finish_splits
from treelearn._threads import Workers
from treelearn._tolerances import rank_rounding
from treelearn.criteria import Gini, InformationGain, SplitCriterion
from treelearn.criteria._checked import CheckedCriterion

__all__ = ["FALLBACK", "partition_one_node", "partition_rows", "search_block", "search_mode"]

#: :func:`search_block`'s answer when numpy must search the block instead.
FALLBACK: Any = object()

MODE_GINI, MODE_ENTROPY = 1, 2


def search_mode(criterion: SplitCriterion) -> int:
    """The kernel's rank for ``criterion`` (``0``: none, numpy searches)."""
    if isinstance(criterion, CheckedCriterion):  # the first level's check wraps it
        criterion = criterion.inner
    if type(criterion) is Gini and criterion.ranks_by_square_sums:
        return MODE_GINI
    if type(criterion) is InformationGain:
        return MODE_ENTROPY
    return 0


# -- the search kernel ------------------------------------------------------------------
@numba.njit(cache=True, nogil=True, error_model="numpy")
def _search_feature(
    values,
    entries,
    entry_labels,
    offset,
    seg_start,
    seg_len,
    splittable,
    gap,
    tol,
    margin,
    K,
    mode,
    has,
    win,
    left_out,
    total_out,
    lo_out,
    hi_out,
    xlogx,
    ybuf,
    cut,
    keep,
    rank,
    cpos,
):
    """One feature's best cut in every segment (positions ``offset + seg_start ..``).

    Writes ``has``/``win`` (the winner's position in the window), ``left_out`` /
    ``total_out`` ([S, K] class counts), ``lo_out`` / ``hi_out`` (the values either
    side of the cut). Returns 1 when a segment's winner is within ``margin`` of the
    tie band's edge (the caller falls back to numpy), else 0. ``ybuf``, ``cut``,
    ``keep`` (int8), ``rank`` (float64) and ``cpos``: working arrays of at least the
    largest splittable segment's size (fresh ones per call would cost more than the
    search at the top levels: their pages are faulted in on every call).
    """
    S = seg_start.size
    right = np.zeros(K, dtype=np.int64)
    total = np.zeros(K, dtype=np.int64)
    term = np.empty(K, dtype=np.float64)
    for s in range(S):
        n = seg_len[s]
        if not splittable[s] or n < 2:
            continue
        a = offset + seg_start[s]
        # forward: labels, class totals, cuts (a value gap) and the first half of the
        # boundary points: a cut is kept when a class changes in the value block it
        # closes or in the one it opens (branch-free: flags as 0/1 integers)
        total[:] = 0
        c = entry_labels[entries[a]]
        ybuf[0] = c
        total[c] += 1
        pending = np.int64(0)  # a class change inside the block since the last cut
        for j in range(n - 1):
            c = entry_labels[entries[a + j + 1]]
            ybuf[j + 1] = c
            total[c] += 1
            cu = np.int64(np.float64(values[a + j + 1]) > np.float64(values[a + j]) + gap)
            ch = np.int64(ybuf[j] != c)
            cut[j] = cu
            keep[j] = cu & (ch | pending)
            pending = (cu ^ 1) & (pending | ch)
        # backward: the block each cut opens, and every cut's rank from the counts
        # right of it (written for every position, kept at candidates: compacted in
        # descending position order)
        n_all = 0.0
        sq_l = 0  # Gini: the sides' square sums, exact integers, kept up to date
        for k in range(K):
            n_all += np.float64(total[k])
            sq_l += total[k] * total[k]
            right[k] = 0
            term[k] = xlogx[total[k]]  # entropy: c·log2 c of each class's two sides
        sq_r = 0
        pending = np.int64(0)
        c_n = 0
        for j in range(n - 2, -1, -1):
            c = ybuf[j + 1]  # moves to the right side
            rc = right[c]
            right[c] = rc + 1
            cu = cut[j]
            kept = keep[j] | (cu & pending)
            pending = (cu ^ 1) & (pending | np.int64(ybuf[j] != c))
            n_l = np.float64(j + 1)
            if mode == MODE_GINI:  # -(n_L·Gini(L) + n_R·Gini(R))
                sq_r += 2 * rc + 1
                sq_l -= 2 * (total[c] - rc) - 1
                score = np.float64(sq_l) / n_l + np.float64(sq_r) / (n_all - n_l) - n_all
            else:  # -(n·H) over the sides, n·H = n log2 n - Σ c log2 c: from the table
                term[c] = xlogx[rc + 1] + xlogx[total[c] - rc - 1]
                m = xlogx[j + 1] + xlogx[n - j - 1]
                for k in range(K):
                    m -= term[k]
                score = -m
            rank[c_n] = score
            cpos[c_n] = j
            c_n += kept
        if c_n == 0:
            continue
        best = -np.inf
        nan = False
        for q in range(c_n):
            best = max(best, rank[q])
            nan |= rank[q] != rank[q]
        if nan:  # numpy's maximum is NaN then: no candidate reaches it
            continue
        target = best - tol[s]  # the first (lowest position) within the tie tolerance
        for q in range(c_n - 1, -1, -1):
            if abs(rank[q] - target) <= margin[s]:
                return 1  # numpy's rounding could put this one on the other side
            if rank[q] >= target:
                j = cpos[q]
                has[s] = True
                win[s] = seg_start[s] + j
                right[:] = 0  # the winner's side counts, counted again from the
                if 2 * j < n:  # nearer end
                    for i in range(j + 1):
                        right[ybuf[i]] += 1
                    for k in range(K):
                        left_out[s, k] = right[k]
                else:
                    for i in range(j + 1, n):
                        right[ybuf[i]] += 1
                    for k in range(K):
                        left_out[s, k] = total[k] - right[k]
                for k in range(K):
                    total_out[s, k] = total[k]
                lo_out[s] = np.float64(values[a + j])
                hi_out[s] = np.float64(values[a + j + 1])
                break
    return 0


_XLOGX = np.zeros(2)
_XLOGX_LOCK = threading.Lock()


def _xlogx(n: int) -> np.ndarray:
    """``x·log2(x)`` for ``x = 0 .. n`` (numpy's log2; 0 at 0), kept and grown."""
    global _XLOGX
    with _XLOGX_LOCK:
        if _XLOGX.size <= n:
            x = np.arange(max(n + 1, 2 * _XLOGX.size), dtype=np.float64)
            _XLOGX = x * np.log2(np.where(x > 0, x, 1.0))
        return _XLOGX


def search_block(store, rows, features, layout, window, K, criterion, rules, mode):
    """:func:`treelearn._split_numeric.best_thresholds` of store rows ``rows``
    (numeric ``features``) at the nodes of ``layout``, for the case the kernel
    covers (see the module docstring; ``mode``: :func:`search_mode`): the same
    :class:`~treelearn._split_numeric.NumericSplits`, ``None`` when no node has a
    candidate, or :data:`FALLBACK` when numpy must decide."""
    S = layout.n_segments
    F = len(rows)
    start = 0 if window.start is None else int(window.start)
    n_entries = int(layout.seg_start[-1] + layout.seg_len[-1]) if S else 0
    if window.stop is not None:
        n_entries = int(window.stop) - start
    seg_start = np.ascontiguousarray(layout.seg_start, dtype=np.int64)
    seg_len = np.ascontiguousarray(layout.seg_len, dtype=np.int64)
    splittable = np.ascontiguousarray(layout.splittable, dtype=np.bool_)
    tol = rules.tie_tolerance * np.asarray(layout.node_weight, dtype=np.float64)
    margin = rank_rounding(seg_len, K)
    if bool(np.any((margin >= 0.5 * tol) & splittable)):
        return FALLBACK  # a tie band too narrow to tell rounding from a difference
    has = np.zeros((F, S), dtype=np.bool_)
    win = np.zeros((F, S), dtype=np.int64)
    left = np.zeros((F, S, K), dtype=np.int64)
    total = np.zeros((F, S, K), dtype=np.int64)
    lo = np.zeros((F, S))
    hi = np.zeros((F, S))
    table = _xlogx(int(seg_len.max()) if S else 1)
    gap = float(rules.numeric_gap)
    n_max = int(seg_len[splittable].max()) if bool(splittable.any()) else 1
    index = np.int32 if n_max < 2**31 else np.int64
    kinds = (np.int8, np.int8, np.int8, np.float64, index)  # ybuf, cut, keep, rank, cpos
    work = [store.buffer(np.dtype(d), n_max) for d in kinds]
    try:
        for j, r in enumerate(rows):
            if _search_feature(
                store.values[r], store.entries[r], store.entry_labels, start, seg_start,
                seg_len, splittable, gap, tol, margin, K, mode, has[j], win[j], left[j],
                total[j], lo[j], hi[j], table, *work,
            ):  # fmt: skip
                return FALLBACK
    finally:
        for w in work:
            store.give_back(w)
    sg = np.flatnonzero(has.ravel())
    if sg.size == 0:
        return None
    fj, node = np.divmod(sg, S)
    pos = win[fj, node]
    win_left = left[fj, node].astype(np.float64)
    # [s, K] laid out as numpy's (a transposed take): the same order of sums
    parent = np.ascontiguousarray(total[fj, node].T, dtype=np.float64).T
    children = np.empty((sg.size, 2, K))
    children[:, 0] = win_left
    children[:, 1] = parent - win_left
    # finish_splits reads v[i] and v[i + 1]: hand it the winners' pairs
    pairs = np.empty(2 * sg.size)
    pairs[0::2], pairs[1::2] = lo[fj, node], hi[fj, node]
    node_weight = np.tile(layout.node_weight, F) if F > 1 else layout.node_weight
    out: NumericSplits = finish_splits(
        features, pairs, 2 * np.arange(sg.size), sg, parent, children, node_weight, None,
        S, criterion, rules,
    )  # fmt: skip
    stacked = fj * n_entries + pos  # the cut in the block's arrays laid end to end
    assert out.cut is not None  # finish_splits' cut: the index into pairs
    out.cut = stacked[out.cut // 2]
    return out


# -- the partition kernels --------------------------------------------------------------
@numba.njit(cache=True, nogil=True)
def _scatter_rows(
    entries, values, row_right, seg_start, seg_len, split, a_left, a_right, out_e, out_v
):
    """The ``"rows"`` destinations of one feature: ``A_L + i - ones`` going left and
    ``A_R + ones`` going right (``ones``: right-going positions up to ``i``)."""
    ones = 0
    for p in range(seg_start.size):
        if not split[p]:
            continue  # a new leaf: its entries leave the store (and none goes right)
        al = a_left[p]
        ar = a_right[p]
        a = seg_start[p]
        for i in range(a, a + seg_len[p]):
            e = entries[i]
            s = row_right[e]
            ones += s
            pos = ar + ones if s else al + i - ones
            out_e[pos] = e
            out_v[pos] = values[i]


@numba.njit(cache=True, nogil=True)
def _two_way(entries, values, row_right, a, b, out_e, out_v):
    """Positions ``a .. b - 1`` stably in side order (0 first): lefts written from the
    front, rights from the back, then the rights' run reversed."""
    lp = 0
    rp = b - a - 1
    for i in range(a, b):
        e = entries[i]
        if row_right[e]:
            out_e[rp] = e
            out_v[rp] = values[i]
            rp -= 1
        else:
            out_e[lp] = e
            out_v[lp] = values[i]
            lp += 1
    i, j = lp, b - a - 1
    while i < j:
        out_e[i], out_e[j] = out_e[j], out_e[i]
        out_v[i], out_v[j] = out_v[j], out_v[i]
        i += 1
        j -= 1


def _move(store, r: int, n: int, fill) -> None:
    """Store row ``r``'s next entries and values (``n`` of each), written by ``fill``
    into the store's spare buffers; the old arrays become spares."""
    entries, values = store.entries[r], store.values[r]
    out_e = store.buffer(entries.dtype, n)
    out_v = store.buffer(values.dtype, n)
    fill(entries, values, out_e, out_v)
    store.entries[r], store.values[r] = out_e, out_v
    store.give_back(entries)
    store.give_back(values)


def partition_one_node(store, row_right, a, b, ordered=None, workers=None) -> None:
    """``_partition._partition_one_node`` without weights, compiled."""
    if ordered is not None:
        store.entries[ordered] = store.entries[ordered][a:b]
        store.values[ordered] = store.values[ordered][a:b]
    rows = [r for r in range(len(store.entries)) if r != ordered]

    def one(r: int) -> None:
        _move(store, r, b - a, lambda e, v, oe, ov: _two_way(e, v, row_right, a, b, oe, ov))

    (workers or Workers(1)).map(one, rows, (b - a) * len(rows))
    store.spares.clear()


def partition_rows(store, move, workers, seg_start, split, a_left, a_right) -> None:
    """``_partition._partition_rows`` without weights, compiled, for levels where more
    than one node splits (one node: :func:`partition_one_node`): ``seg_start``,
    ``split``, ``a_left`` and ``a_right`` are its per-node constants (``A_L`` and
    ``A_R``; a node that did not split is skipped, whatever its constants)."""
    local, first_local, new_node, e_row = move.local, move.first_child, move.new_node, move.rows
    n_new = new_node.size
    a_left = a_left.astype(np.int64)
    a_right = a_right.astype(np.int64)
    row_right = store.row_right
    split_e = split[local]
    row_right[e_row] = 0
    goes_right = new_node == first_local[local[split_e]] + 1
    row_right[e_row[split_e][goes_right]] = 1
    seg_start = seg_start.astype(np.int64)
    n_ent64 = move.n_entries.astype(np.int64)

    def fill(e, v, oe, ov):
        _scatter_rows(e, v, row_right, seg_start, n_ent64, split, a_left, a_right, oe, ov)

    def one(r: int) -> None:
        _move(store, r, n_new, fill)

    workers.map(one, range(len(store.entries)), local.size * len(store.entries))
    store.spares.clear()
