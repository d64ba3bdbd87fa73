"""numba versions of the exact builder's two hot kernels, for measurement only.

Benchmark-only code (``numba`` is in the ``bench`` extra; ``treelearn`` never imports
this module). It answers issue 19's question "what would a compiled kernel gain, and
what would it cost?" with the builder's own levels: :func:`patched` swaps these kernels
into :mod:`treelearn._builder` / :mod:`treelearn._partition` for the duration of a
``with`` block, so that real fits run on them and their trees can be compared with the
numpy builder's, field by field.

The kernels cover the common case of issue 19's benchmark only (dense numeric
features, every weight 1, no missing value, every cut admissible, a concave
criterion); every other call goes to the numpy code unchanged.

Search (``_LevelWiseBuilder._search_numeric``), one feature at a time, one pass per
node over the feature's positions: class labels gathered from the entries, value gaps,
boundary points, running class counts, the rank of every candidate, the node's first
best candidate within the tie tolerance. Two variants:

``"fused"``
    the rank is computed in the kernel: Gini from each side's size and square sum
    (the very arithmetic of ``Gini.square_sum_rank``: bit for bit), entropy as
    ``-(n_L·H(L) + n_R·H(R))`` with ``H = 0 - Σ p log2 p`` in numpy's order of
    operations. numba's ``log2`` is the C library's, numpy's on this machine is its own
    AVX-512 one; they differ in the last bit for about 0.1 % of arguments, so an
    entropy rank can differ by one ulp (~1e-16 relative) from numpy's. A winner could
    only change if a candidate lay within that ulp of the tie band's edge
    (``1e-12·n`` below the best); the benchmark checks every captured level.
``"table"``
    as ``"fused"``, but entropy ranked as ``-(Σ_sides n log2 n - Σ_k c_k log2 c_k)``
    from a table of ``x·log2 x`` (numpy's log2), no logarithm per candidate: the same
    number mathematically, another rounding (~1e-16·n); winners checked as above.
``"hybrid"``
    the kernel makes the candidates and their left class counts; the criterion's own
    numpy ``split_rank`` ranks them and ``segment_best`` picks the winners (any concave
    criterion, user criteria included; bit for bit by construction).

Either way the winners' gains, scores and thresholds come from
:func:`treelearn._split_numeric.finish_splits`, the numpy code's own.

Partition (``_partition._partition_rows`` and ``_partition_one_node``, the ``"rows"``
path without weights): the destinations of the numpy code (``A_L + i - ones`` left,
``A_R + ones`` right) in one pass per feature, the side byte looked up per position,
entries and values scattered in the same loop; entries of nodes that became leaves are
skipped rather than written to a tail.
"""

from __future__ import annotations

import contextlib
import itertools
import os
from collections.abc import Iterator

import numba
import numpy as np

from treelearn import _builder, _partition, _threads
from treelearn._split_numeric import candidate_chunks, finish_splits, segment_best
from treelearn.criteria import Gini, InformationGain
from treelearn.criteria._checked import CheckedCriterion

__all__ = ["Counters", "partition_one_node", "partition_rows", "patched", "search_block"]

#: ``KERNEL_NUMBA_CACHE=0`` compiles afresh in every process (the first-call cost
#: measured without numba's on-disk cache).
CACHE = os.environ.get("KERNEL_NUMBA_CACHE", "1") == "1"

MODE_HYBRID, MODE_ENTROPY, MODE_GINI, MODE_TABLE = 0, 1, 2, 3

_ORIGINAL_SEARCH = _builder._LevelWiseBuilder._search_numeric
_ORIGINAL_ROWS = _partition._partition_rows
_ORIGINAL_ONE_NODE = _partition._partition_one_node


class Counters:
    """How many calls took a numba kernel and how many the numpy code (per kind)."""

    def __init__(self) -> None:
        self.search_numba = self.search_numpy = 0
        self.partition_numba = self.partition_numpy = 0

    def __repr__(self) -> str:
        return (
            f"search numba/numpy {self.search_numba}/{self.search_numpy}, "
            f"partition numba/numpy {self.partition_numba}/{self.partition_numpy}"
        )


COUNTERS = Counters()


# -- the search kernel ------------------------------------------------------------------
@numba.njit(cache=CACHE, nogil=True, error_model="numpy")
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
    K,
    mode,
    concave,
    has,
    win,
    left_out,
    total_out,
    lo_out,
    hi_out,
    cand_pos,
    cand_seg,
    cand_left,
    n_cand,
    xlogx,
):
    """One feature's best cut in every segment (positions ``offset + seg_start ..``).

    Positions are the window's (``seg_start`` + the position in the segment). Fused
    modes write ``has``/``win`` (the winner's position), ``left_out``/``total_out``
    ([S, K] class counts), ``lo_out``/``hi_out`` (the values either side of the cut).
    The hybrid mode writes ``total_out`` and appends every candidate to ``cand_pos``,
    ``cand_seg``, ``cand_left`` ([K, c], float64) from ``n_cand`` on; it returns the
    new count.

    Per segment: (A) labels and class totals; (B) cuts and boundary points, closing
    cuts forward, opening cuts backward, branch-free; (C) running class counts,
    written for every position and kept (the write pointer advances) at candidates;
    (D) ranks of the kept candidates; (E) the first within the tie tolerance of the
    best.
    """
    S = seg_start.size
    n_max = 1
    for s in range(S):
        if splittable[s] and seg_len[s] > n_max:
            n_max = seg_len[s]
    ybuf = np.empty(n_max, dtype=np.int64)
    cut = np.empty(n_max, dtype=np.bool_)
    keep = np.empty(n_max, dtype=np.bool_)
    rank = np.empty(n_max, dtype=np.float64)
    cpos = np.empty(n_max, dtype=np.int64)
    cl = np.empty((K, n_max), dtype=np.int64)
    left = np.zeros(K, dtype=np.int64)
    total = np.zeros(K, dtype=np.int64)
    hybrid = mode == MODE_HYBRID
    for s in range(S):
        n = seg_len[s]
        if not splittable[s] or n < 2:
            continue
        a = offset + seg_start[s]
        total[:] = 0
        for j in range(n):  # (A)
            c = entry_labels[entries[a + j]]
            ybuf[j] = c
            total[c] += 1
        pending = False  # (B) a class change inside the block since the last cut
        for j in range(n - 1):
            cu = np.float64(values[a + j + 1]) > np.float64(values[a + j]) + gap
            ch = ybuf[j] != ybuf[j + 1]
            cut[j] = cu
            keep[j] = cu and (ch or pending or not concave)
            pending = (not cu) and (pending or ch)
        if concave:
            pending = False  # the block right of the position: the cut opening it
            for j in range(n - 2, -1, -1):
                cu = cut[j]
                keep[j] = keep[j] or (cu and pending)
                pending = (not cu) and (pending or ybuf[j] != ybuf[j + 1])
        left[:] = 0  # (C)
        c_n = 0
        if hybrid:
            for k in range(K):
                total_out[s, k] = total[k]
            for j in range(n - 1):
                left[ybuf[j]] += 1
                for k in range(K):
                    cand_left[k, n_cand] = left[k]
                cand_pos[n_cand] = seg_start[s] + j
                cand_seg[n_cand] = s
                n_cand += keep[j]
            continue
        for j in range(n - 1):
            left[ybuf[j]] += 1
            for k in range(K):
                cl[k, c_n] = left[k]
            cpos[c_n] = j
            c_n += keep[j]
        if c_n == 0:
            continue
        best = -np.inf  # (D)
        nan = False
        n_all = 0.0
        for k in range(K):
            n_all += np.float64(total[k])
        if mode == MODE_GINI:
            for q in range(c_n):
                n_l = np.float64(cpos[q] + 1)
                n_r = n_all - n_l
                sq_l = 0
                sq_r = 0
                for k in range(K):
                    lk = cl[k, q]
                    rk = total[k] - lk
                    sq_l += lk * lk
                    sq_r += rk * rk
                g_l = max(1.0 - np.float64(sq_l) / (n_l * n_l), 0.0)
                g_r = max(1.0 - np.float64(sq_r) / (n_r * n_r), 0.0)
                score = -(n_l * g_l + n_r * g_r)
                rank[q] = score
                best = max(best, score)
                nan |= score != score
        elif mode == MODE_TABLE:  # n·H = n log2 n - Σ c log2 c, from the table
            for q in range(c_n):
                i_l = cpos[q] + 1
                m_l = xlogx[i_l]
                m_r = xlogx[n - i_l]
                for k in range(K):
                    m_l -= xlogx[cl[k, q]]
                    m_r -= xlogx[total[k] - cl[k, q]]
                score = -(m_l + m_r)
                rank[q] = score
                best = max(best, score)
                nan |= score != score
        else:  # entropy in bits, numpy's order: 0 - (p0 l0 + p1 l1 + ...)
            for q in range(c_n):
                n_l = np.float64(cpos[q] + 1)
                n_r = n_all - n_l
                h_l = 0.0
                h_r = 0.0
                for k in range(K):
                    p = np.float64(cl[k, q]) / n_l
                    t = p * np.log2(p if p > 0 else 1.0)
                    h_l = t if k == 0 else h_l + t
                    p = np.float64(total[k] - cl[k, q]) / n_r
                    t = p * np.log2(p if p > 0 else 1.0)
                    h_r = t if k == 0 else h_r + t
                score = -(n_l * (0.0 - h_l) + n_r * (0.0 - h_r))
                rank[q] = score
                best = max(best, score)
                nan |= score != score
        if nan:  # numpy's maximum is NaN then: no candidate reaches it
            continue
        target = best - tol[s]  # (E)
        for q in range(c_n):
            if rank[q] >= target:
                j = cpos[q]
                has[s] = True
                win[s] = seg_start[s] + j
                for k in range(K):
                    left_out[s, k] = cl[k, q]
                    total_out[s, k] = total[k]
                lo_out[s] = np.float64(values[a + j])
                hi_out[s] = np.float64(values[a + j + 1])
                break
    return n_cand


_XLOGX = np.zeros(1)


def _xlogx(n: int) -> np.ndarray:
    """``x·log2(x)`` for ``x = 0 .. n`` (numpy's log2; 0 at 0), kept and grown."""
    global _XLOGX
    if _XLOGX.size <= n:
        x = np.arange(max(n + 1, 2 * _XLOGX.size), dtype=np.float64)
        _XLOGX = x * np.log2(np.where(x > 0, x, 1.0))
    return _XLOGX


def _plain_criterion(criterion) -> int:
    """The fused mode for a built-in criterion the kernel computes itself, else hybrid."""
    if isinstance(criterion, CheckedCriterion):  # the first level's: its built-in inside
        criterion = criterion.inner  # (the winners' scores still go through the check)
    if type(criterion) is Gini and criterion.ranks_by_square_sums:
        return MODE_GINI
    if type(criterion) is InformationGain:
        return MODE_ENTROPY
    return MODE_HYBRID


def search_block(store, rows, features, layout, window, K, criterion, rules, mode):
    """:func:`treelearn._split_numeric.best_thresholds` of store rows ``rows`` (the
    builder's plain case) with the numba kernel: the same :class:`NumericSplits`."""
    S = layout.n_segments
    F = len(rows)
    start = 0 if window.start is None else int(window.start)
    n_entries = int(layout.seg_start[-1] + layout.seg_len[-1]) if S else 0
    if window.stop is not None:
        n_entries = int(window.stop) - start
    seg_start = np.ascontiguousarray(layout.seg_start, dtype=np.int64)
    seg_len = np.ascontiguousarray(layout.seg_len, dtype=np.int64)
    splittable = np.ascontiguousarray(layout.splittable, dtype=np.bool_)
    tol = rules.tie_tolerance * layout.node_weight
    gap = float(rules.numeric_gap)
    has = np.zeros((F, S), dtype=np.bool_)
    win = np.zeros((F, S), dtype=np.int64)
    left = np.zeros((F, S, K), dtype=np.int64)
    total = np.zeros((F, S, K), dtype=np.int64)
    lo = np.zeros((F, S))
    hi = np.zeros((F, S))
    hybrid = mode == MODE_HYBRID
    cap = F * max(n_entries - 1, 0) + 1 if hybrid else 0
    cand_pos = np.empty(cap, dtype=np.int64)
    cand_seg = np.empty(cap, dtype=np.int64)
    cand_left = np.empty((K, cap))  # float64: the criterion's sides, no conversion
    counts = np.zeros(F + 1, dtype=np.int64)
    dummy = np.zeros((1, 1))
    for j, r in enumerate(rows):
        n = _search_feature(
            store.values[r],
            store.entries[r],
            store.entry_labels,
            start,
            seg_start,
            seg_len,
            splittable,
            gap,
            tol,
            K,
            mode,
            bool(criterion.concave),
            has[j],
            win[j],
            left[j],
            total[j],
            lo[j],
            hi[j],
            cand_pos,
            cand_seg,
            cand_left if hybrid else dummy,
            int(counts[j]),
            _xlogx(int(layout.seg_len.max()) if S else 1),
        )
        counts[j + 1] = n
    if hybrid:
        c = int(counts[-1])
        if c == 0:
            return None
        block = np.repeat(np.arange(F), np.diff(counts))
        seg = block * S + cand_seg[:c]  # stacked segments, feature-major (as numpy's)
        lft = cand_left[:, :c]
        # every (feature, node)'s class totals, from the kernel: known counts, as numpy's
        tot = total.reshape(F * S, K).astype(np.float64)
        rgt = np.take(tot.T, seg, axis=1) - lft  # [K, c] C-ordered, as numpy's sides
        rank = np.empty(c)
        for a, b in itertools.pairwise(candidate_chunks(c, K)):
            rank[a:b] = criterion.split_rank(lft[:, a:b].T, rgt[:, a:b].T)
        has_s, _, first = segment_best(
            rank, seg, F * S, tolerance=np.tile(tol, F) if F > 1 else tol
        )
        sg = np.flatnonzero(has_s)
        pick = first[sg]
        pos = cand_pos[pick]
        win_left = lft[:, pick].T
        parent = np.ascontiguousarray(tot[sg].T).T  # [s, K] laid out as numpy's
        fj, node = np.divmod(sg, S)
        lo_v, hi_v = np.empty(sg.size), np.empty(sg.size)
        for f in np.unique(fj).tolist():  # per feature, not per winner
            sel = fj == f
            at = start + pos[sel]
            lo_v[sel] = store.values[rows[f]][at]
            hi_v[sel] = store.values[rows[f]][at + 1]
    else:
        sg = np.flatnonzero(has.ravel())
        if sg.size == 0:
            return None
        fj, node = np.divmod(sg, S)
        pos = win[fj, node]
        win_left = left[fj, node].astype(np.float64)
        # [s, K] laid out as numpy's (a transposed take): the same order of sums
        parent = np.ascontiguousarray(total[fj, node].T, dtype=np.float64).T
        lo_v, hi_v = lo[fj, node], hi[fj, node]
    children = np.empty((sg.size, 2, K))
    children[:, 0] = win_left
    children[:, 1] = parent - win_left
    # finish_splits reads v[i] and v[i + 1]: hand it the winners' pairs
    pairs = np.empty(2 * sg.size)
    pairs[0::2], pairs[1::2] = lo_v, hi_v
    node_weight = np.tile(layout.node_weight, F) if F > 1 else layout.node_weight
    out = finish_splits(
        features,
        pairs,
        2 * np.arange(sg.size),
        sg,
        parent,
        children,
        node_weight,
        None,
        S,
        criterion,
        rules,
    )
    stacked = fj * n_entries + pos  # the cut in the block's arrays laid end to end
    out.cut = stacked[out.cut // 2]
    return out


def _search_numeric(self, block, layout, window, n_level, frac, store):
    """``_LevelWiseBuilder._search_numeric`` with the numba search where it applies."""
    crit, rules, K = self.criterion, self.rules, self.K
    missing = self._any_numeric_nan and bool(self.has_nan[self.numeric[block]].any())
    m = layout.seg_start[-1] + layout.seg_len[-1] if layout.n_segments else 0
    plain = (
        frac is None
        and not rules.random_thresholds
        and not missing
        and store.weights is None
        and rules.admits_every_cut
        and crit.concave
        and K * int(m) <= _builder.BLOCK_ELEMENTS
        and K < 12  # below square_sums_apply's many-class search
    )
    if not plain:
        COUNTERS.search_numpy += 1
        return _ORIGINAL_SEARCH(self, block, layout, window, n_level, frac, store)
    COUNTERS.search_numba += 1
    mode = _plain_criterion(crit)
    if _MODE == MODE_HYBRID:
        mode = MODE_HYBRID
    elif _MODE == MODE_TABLE and mode == MODE_ENTROPY:
        mode = MODE_TABLE
    features = self.numeric[block].tolist()
    return search_block(store, block, features, layout, window, K, crit, rules, mode)


# -- the partition kernels --------------------------------------------------------------
@numba.njit(cache=CACHE, nogil=True)
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


@numba.njit(cache=CACHE, nogil=True)
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


def partition_one_node(store, row_right, a, b, ordered=None, workers=None):
    """``_partition._partition_one_node`` (no weights) with the numba kernel."""
    if store.weights is not None:
        COUNTERS.partition_numpy += 1
        return _ORIGINAL_ONE_NODE(store, row_right, a, b, ordered, workers)
    COUNTERS.partition_numba += 1
    for r in range(len(store.entries)):
        if r == ordered:
            store.entries[r] = store.entries[r][a:b]
            store.values[r] = store.values[r][a:b]
            continue
        out_e = np.empty(b - a, dtype=store.entries[r].dtype)
        out_v = np.empty(b - a, dtype=store.values[r].dtype)
        _two_way(store.entries[r], store.values[r], row_right, a, b, out_e, out_v)
        store.entries[r], store.values[r] = out_e, out_v
    return None


def partition_rows(store, move, workers):
    """``_partition._partition_rows`` (no weights) with the numba kernel."""
    if store.weights is not None:
        COUNTERS.partition_numpy += 1
        return _ORIGINAL_ROWS(store, move, workers)
    local, n_ent, n_children = move.local, move.n_entries, move.n_children
    first_local, new_node, e_row = move.first_child, move.new_node, move.rows
    if store.row_right is None:
        store.row_right = np.zeros(store.n_rows, dtype=np.int8)
    split_nodes = np.flatnonzero(n_children)
    n_features = len(store.entries)
    if split_nodes.size == 1 and (
        n_features == 1 or new_node.size * n_features < _threads.MIN_THREADED_ELEMENTS
    ):  # as the numpy code: the one node's two sides
        p = int(split_nodes[0])
        store.row_right[e_row if n_ent.size == 1 else e_row[local == p]] = new_node == 1
        start = int(n_ent[:p].sum())
        # the module's one-node partition (this module's kernel while patched)
        return _partition._partition_one_node(store, store.row_right, start, start + int(n_ent[p]))
    COUNTERS.partition_numba += 1
    # the per-node constants of the numpy code (the same for every feature)
    n_new = new_node.size
    seg_start = np.cumsum(n_ent) - n_ent
    split = n_children > 0
    sizes = np.bincount(new_node, minlength=move.n_next)
    child_start = np.cumsum(sizes) - sizes
    first = np.where(split, first_local, 0)
    right_size = np.where(split, sizes[first + split], 0)
    right_before = np.cumsum(right_size) - right_size
    a_left = np.where(split, child_start[first], 0) - seg_start + right_before
    a_right = child_start[first + split] - right_before - 1
    row_right = store.row_right
    split_e = split[local]
    row_right[e_row] = 0
    goes_right = new_node == first_local[local[split_e]] + 1
    row_right[e_row[split_e][goes_right]] = 1
    seg_start = seg_start.astype(np.int64)
    n_ent64 = n_ent.astype(np.int64)
    a_left = a_left.astype(np.int64)
    a_right = a_right.astype(np.int64)
    for r in range(n_features):
        out_e = np.empty(n_new, dtype=store.entries[r].dtype)
        out_v = np.empty(n_new, dtype=store.values[r].dtype)
        _scatter_rows(
            store.entries[r],
            store.values[r],
            row_right,
            seg_start,
            n_ent64,
            split,
            a_left,
            a_right,
            out_e,
            out_v,
        )
        store.entries[r], store.values[r] = out_e, out_v
    return None


_MODE: int | None = None


@contextlib.contextmanager
def patched(search: str | None = "fused", partition: bool = True) -> Iterator[Counters]:
    """Fits inside the block use the numba kernels: ``search`` ``"fused"`` (the
    built-in entropy and Gini ranked in the kernel, other criteria hybrid),
    ``"table"`` (as fused, entropy ranked from an ``x·log2 x`` table),
    ``"hybrid"`` (every criterion ranked by its numpy ``split_rank``) or ``None``
    (numpy search); ``partition`` the numba partition. Yields the call counters."""
    global _MODE
    COUNTERS.__init__()
    saved = (
        _builder._LevelWiseBuilder._search_numeric,
        _partition._partition_rows,
        _partition._partition_one_node,
        _MODE,
    )
    try:
        if search is not None:
            _MODE = {"hybrid": MODE_HYBRID, "table": MODE_TABLE}.get(search)
            _builder._LevelWiseBuilder._search_numeric = _search_numeric
        if partition:
            _partition._partition_rows = partition_rows
            _partition._partition_one_node = partition_one_node
        yield COUNTERS
    finally:
        (
            _builder._LevelWiseBuilder._search_numeric,
            _partition._partition_rows,
            _partition._partition_one_node,
            _MODE,
        ) = saved
