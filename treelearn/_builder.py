"""The tree builder: grows a tree level by level, vectorised over nodes and thresholds.

Sufficient statistics, not rows, reach the criterion. The builder

1. sorts every numeric feature once (``argsort``, missing values last);
2. keeps, for every numeric feature, the active training *entries* in
   (node, value) order: after each level one stable partition moves every entry
   into its child's segment (SLIQ/SPRINT style), so nothing is ever re-sorted;
3. per level and feature, takes class-count prefix sums over that order. Every
   gap between two distinct values inside a node is a candidate threshold, and its
   left counts are a prefix sum minus the node's offset. Categorical features
   become ``[node, category, class]`` count tensors with one ``bincount``;
4. hands all candidates of all nodes to the criterion at once, reduces to each
   node's best candidate per feature (``np.maximum.reduceat``), and lets the
   criterion choose the feature.

The only Python loops are over levels, features and child slots, never over rows,
nodes or thresholds.

An *entry* is a (row, weight) pair. Without missing values entries are rows. A
row whose split value is missing is copied into every child with its weight
multiplied by the child's share of the known weight (C4.5); its copies are new
entries.

Ties are broken deterministically: within a feature the lowest threshold (or the
first category subset in scan order) wins; across features the criterion decides
(by default the lowest feature index among equal scores).
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass

import numpy as np

from treelearn._tree import SPLIT_CATEGORICAL, SPLIT_NUMERIC, Tree
from treelearn._tree_surgery import prune_to
from treelearn.criteria import SplitCriterion

# Minimum fraction of the known weight for a branch to receive copies of a case
# with a missing value (C4.5 drops proportions <= 1e-6).
_MIN_FRACTION = 1e-6
_EPSILON = np.finfo(np.float64).eps
# Relative size of a difference in split scores that counts as rounding, not a difference
_TIE = 1e-12
# C4.5's tolerance for comparing weights and gains (J48's Utils.SMALL)
_C45_DELTA = 1e-6


@dataclass
class C45Rules:
    """Quinlan's C4.5 release 8 growth rules, as Weka's J48 applies them.

    Parameters
    ----------
    min_cases : float
        ``M``: a node needs ``2M`` weight to be split; a multiway split needs two
        branches with ``M``; numeric sides need ``minSplit`` (at least ``M``).
    n_all : int
        Number of training rows (J48's "many values" test compares a nominal
        feature's number of values with ``0.3 · n_all``).
    sorted_values : list of ndarray
        Per numeric feature, its distinct known training values in increasing
        order: a chosen threshold moves to the largest of them not above it.
    first_rows : list of ndarray
        Per numeric feature, the first row where each of those values occurs
        (J48 scans rows in file order with a 1e-6 tolerance, so among values
        within 1e-6 of each other the first one met wins).
    many_values : ndarray of bool
        Per feature: nominal with at least ``0.3 · n_all`` values. Such features
        can win a node but do not count in its average gain (unless every feature
        is such).
    """

    min_cases: float
    n_all: int
    sorted_values: list
    first_rows: list
    many_values: np.ndarray
    chains: list = None  # per value: id of its 1e-6 chain
    chain_start: list = None  # per chain: index of its lowest value

    def __post_init__(self):
        self.chains, self.chain_start = [], []
        for values in self.sorted_values:
            if values is None:
                self.chains.append(None)
                self.chain_start.append(None)
                continue
            breaks = np.r_[True, np.diff(values) > _C45_DELTA]
            self.chains.append(np.cumsum(breaks) - 1)
            self.chain_start.append(np.flatnonzero(breaks))

    def relocate(self, feature: int, thresholds: np.ndarray) -> np.ndarray:
        """J48's threshold: the largest training value ``v ⪯ t`` of ``feature``.

        J48 keeps a running maximum over the rows in file order that moves only by
        more than 1e-6, so among values within a 1e-6 chain of each other the
        result depends on which comes first. The chain below the maximum (values
        spaced at most 1e-6 apart; usually one value) is replayed in first-row
        order, one step per chain position, vectorised over thresholds.
        """
        values, first = self.sorted_values[feature], self.first_rows[feature]
        chain = self.chains[feature]
        hi = np.searchsorted(values, thresholds + _C45_DELTA, side="left") - 1
        found = hi >= 0
        hi = np.maximum(hi, 0)
        lo = np.maximum(self.chain_start[feature][chain[hi]], hi - 255)
        width = int((hi - lo).max()) + 1 if hi.size else 1
        idx = lo[:, None] + np.arange(width)[None, :]
        inside = idx <= hi[:, None]
        idx = np.minimum(idx, values.size - 1)
        order = np.argsort(np.where(inside, first[idx], np.iinfo(np.int64).max), axis=1)
        steps = np.take_along_axis(idx, order, axis=1)
        ok = np.take_along_axis(inside, order, axis=1)
        current = np.full(thresholds.shape, -np.inf)
        for j in range(width):
            v = values[steps[:, j]]
            current = np.where(ok[:, j] & (v - current > _C45_DELTA), v, current)
        return np.where(found, current, thresholds)

    @classmethod
    def from_data(
        cls, X: np.ndarray, is_categorical: np.ndarray, n_categories: np.ndarray, min_cases: float
    ) -> C45Rules:
        n_all = X.shape[0]
        sorted_values, first_rows = [], []
        for j in range(X.shape[1]):
            if is_categorical[j]:
                sorted_values.append(None)
                first_rows.append(None)
                continue
            rows = np.flatnonzero(~np.isnan(X[:, j]))
            values, first = np.unique(X[rows, j], return_index=True)
            sorted_values.append(values)
            first_rows.append(rows[first].astype(np.int64))
        many = is_categorical & (n_categories - 0.3 * n_all >= -_C45_DELTA)
        return cls(
            min_cases=float(min_cases),
            n_all=n_all,
            sorted_values=sorted_values,
            first_rows=first_rows,
            many_values=many,
        )


@dataclass
class BuildParams:
    """Resolved stopping rules and split options (absolute numbers, no fractions)."""

    max_depth: int | None = None
    min_samples_split: int = 2
    min_samples_leaf: int = 1
    min_weight_leaf: float = 0.0
    min_impurity_decrease: float = 0.0
    max_features: int | None = None
    max_leaf_nodes: int | None = None
    rng: np.random.Generator | None = None
    categorical_split: str = "multiway"  # or "binary" (subset splits)
    numeric_gap: float = 1e-7  # values closer than this count as equal
    max_exhaustive_categories: int = 10
    c45: C45Rules | None = None  # Quinlan's C4.5 rules instead of scikit-learn's


@dataclass
class _Level:
    """The nodes of one level: their ids are ``lo .. lo + size - 1``."""

    lo: int
    size: int


@dataclass
class _SortedStore:
    """Every numeric feature's entries in (node, value) order, with what a scan reads.

    Scanning a feature reads these arrays front to back; only the partition after
    a level touches entry-indexed arrays, so big data stays cache friendly.
    """

    entries: list  # per numeric feature: entry id (or row, see below) at each position
    values: list  # the feature's value at each position (NaN last in a node)
    labels: list  # class code at each position
    weights: list | None  # entry weight at each position; None while all are 1
    # True while entries are rows (no row has been copied yet): the partition then
    # looks per-row tables up and never renumbers entries
    by_row: bool = True


@dataclass
class _LevelScan:
    """What every numeric feature's scan of one level shares."""

    interior: np.ndarray  # cut after position i stays inside one node
    position_segment: np.ndarray  # segment (node) of every position
    unit_weights: bool  # all entry weights are 1


class _Columns:
    """Growing per-node arrays of the tree, one chunk per level."""

    def __init__(self, n_classes: int):
        self.n_classes = n_classes
        self.chunks: dict[str, list[np.ndarray]] = {name: [] for name in Tree.NODE_ARRAYS}
        self.chunks["value"] = []
        # (node ids, routing tables [n_nodes, n_categories]) of categorical splits
        self.tables: list[tuple[np.ndarray, np.ndarray]] = []

    def add(self, **arrays: np.ndarray) -> None:
        for name, arr in arrays.items():
            self.chunks[name].append(arr)

    def finish(self, n_features: int, n_categories: np.ndarray) -> Tree:
        arrays = {name: np.concatenate(parts) for name, parts in self.chunks.items()}
        node_count = arrays["feature"].shape[0]
        widths = np.zeros(node_count, dtype=np.int64)
        cat_nodes = np.flatnonzero(arrays["split_kind"] == SPLIT_CATEGORICAL)
        widths[cat_nodes] = n_categories[arrays["feature"][cat_nodes]]
        ptr = np.zeros(node_count + 1, dtype=np.int64)
        np.cumsum(widths, out=ptr[1:])
        branch = np.full(int(ptr[-1]), -1, dtype=np.int32)
        for node_ids, table in self.tables:
            branch[ptr[node_ids][:, None] + np.arange(table.shape[1])] = table
        arrays["category_ptr"] = ptr
        arrays["category_branch"] = branch
        return Tree(n_features, self.n_classes, arrays)


def _range_ends(mask: np.ndarray, seg: np.ndarray) -> np.ndarray:
    """Mark the first and the last true position of ``mask`` within each segment."""
    pos = np.flatnonzero(mask)
    ends = np.zeros(mask.size, dtype=bool)
    if pos.size:
        s = seg[pos]
        new = np.r_[True, s[1:] != s[:-1]]
        ends[pos[new]] = True
        ends[pos[np.r_[new[1:], True]]] = True
    return ends


def _segment_best(scores: np.ndarray, seg: np.ndarray, n_segments: int, tolerance=None):
    """Best score and the first position reaching it, per segment.

    ``seg`` is non-decreasing (candidates grouped by segment). Returns
    ``(has, best, first)``: whether the segment has a candidate, its best score and
    the index of its first best candidate. With ``tolerance`` (one value per
    segment) the first candidate within that distance of the best is taken.
    """
    has = np.zeros(n_segments, dtype=bool)
    best = np.full(n_segments, -np.inf)
    first = np.zeros(n_segments, dtype=np.intp)
    if scores.size == 0:
        return has, best, first
    bounds = np.searchsorted(seg, np.arange(n_segments + 1))  # where each segment starts
    ids = np.flatnonzero(bounds[1:] > bounds[:-1])  # segments with candidates
    starts = bounds[ids]
    target = np.maximum.reduceat(scores, starts)
    if tolerance is not None:
        target = target - tolerance[ids]
    is_max = scores >= np.repeat(target, bounds[ids + 1] - starts)
    # NaN scores never win: a segment whose max is NaN gets no candidate
    pos = np.flatnonzero(is_max)
    first_pos = pos[np.r_[True, seg[pos[1:]] != seg[pos[:-1]]]] if pos.size else pos
    has[seg[first_pos]] = True
    best[seg[first_pos]] = scores[first_pos]
    first[seg[first_pos]] = first_pos
    return has, best, first


def _stable_argsort(values: np.ndarray) -> np.ndarray:
    """``np.argsort(values, kind="stable")``, faster when few values are tied.

    numpy's default (unstable) sort is quicker; equal values, and the missing
    values it puts last, are then put back in row order.
    """
    order = np.argsort(values)
    v = values[order]
    n_nan = int(np.count_nonzero(np.isnan(v[-1:]))) and int(np.count_nonzero(np.isnan(v)))
    if n_nan:
        order[order.size - n_nan :].sort()
        v = v[: order.size - n_nan]
    tied = np.flatnonzero(v[1:] == v[:-1])
    if tied.size == 0:
        return order
    if tied.size > values.size // 8:
        return np.argsort(values, kind="stable")
    members = np.union1d(tied, tied + 1)  # positions inside runs of equal values
    run = np.cumsum(np.r_[True, v[1:] != v[:-1]])[members]
    rows = order[members]
    order[members] = rows[np.lexsort((rows, run))]
    return order


def _subset_masks(n: int) -> np.ndarray:
    """All ``2**(n-1) - 1`` two-way partitions of ``n`` items as left-side masks.

    The last item always stays on the right, so each partition appears once.
    """
    codes = np.arange(1, 2 ** (n - 1), dtype=np.int64)
    return ((codes[:, None] >> np.arange(n)) & 1).astype(bool)  # bit n-1 is always 0


class _LevelWiseBuilder:
    def __init__(
        self,
        X: np.ndarray,
        y: np.ndarray,
        w: np.ndarray,
        n_classes: int,
        is_categorical: np.ndarray,
        n_categories: np.ndarray,
        criterion: SplitCriterion,
        params: BuildParams,
    ):
        self.X = X
        self.y = y
        self.w = w
        self.K = n_classes
        self.is_cat = is_categorical
        self.n_cat = n_categories
        self.criterion = criterion
        self.params = params
        self.n_features = X.shape[1]
        self.numeric = np.flatnonzero(~is_categorical)
        self.categorical = np.flatnonzero(is_categorical)
        self.total_weight = float(w.sum())
        self.has_nan = np.isnan(X).any(axis=0)
        self.n_declared_classes = n_classes
        self._row_right = None  # per row, 1 when it goes right (see _partition_rows)

    # -- the main loop -----------------------------------------------------------------
    def build(self) -> Tree:
        X, K, p = self.X, self.K, self.params
        n = X.shape[0]
        # entries
        e_row = np.arange(n, dtype=np.intp)
        e_w = self.w.astype(np.float64, copy=True)
        e_y = self.y.astype(np.intp, copy=False)
        e_node = np.zeros(n, dtype=np.intp)
        store = self._presort()
        cols = _Columns(K)
        level = _Level(0, 1)
        parent = np.array([-1], dtype=np.int32)
        depth = 0
        missing_fraction = np.ones(1)
        while level.size:
            L, lo = level.size, level.lo
            local = e_node - lo
            counts = np.bincount(local * K + e_y, weights=e_w, minlength=L * K).reshape(L, K)
            n_ent = np.bincount(local, minlength=L)
            weight = counts.sum(axis=1)
            impurity = self.criterion.impurity(counts)
            if p.c45 is None:
                splittable = (
                    (n_ent >= p.min_samples_split)
                    & (n_ent >= 2 * p.min_samples_leaf)
                    & (weight >= 2 * p.min_weight_leaf)
                    & (np.count_nonzero(counts > 0, axis=1) >= 2)
                )
            else:  # J48: a leaf below 2M weight or when one class has (almost) all
                splittable = (2 * p.c45.min_cases - weight <= _C45_DELTA) & (
                    weight - counts.max(axis=1) >= _C45_DELTA
                )
            if p.max_depth is not None and depth >= p.max_depth:
                splittable[:] = False
            split = self._choose_splits(splittable, counts, e_row, e_w, e_y, local, store, n_ent)
            feat, kind, thr, n_children, score, gain, tables = split
            is_split = feat >= 0
            first_child = np.full(L, -1, dtype=np.int32)
            next_lo = lo + L
            offsets = np.cumsum(n_children) - n_children
            first_child[is_split] = next_lo + offsets[is_split]
            cols.add(
                feature=np.where(is_split, feat, -2),
                threshold=np.where(kind == SPLIT_NUMERIC, thr, np.where(is_split, np.nan, -2.0)),
                split_kind=kind,
                first_child=first_child,
                n_children=n_children,
                parent=parent,
                depth=np.full(L, depth),
                impurity=impurity,
                split_score=np.where(is_split, score, np.nan),
                gain=np.where(is_split, gain, np.nan),
                n_node_samples=n_ent,
                missing_fraction=missing_fraction,
                value=counts,
            )
            for _f, nodes, table in tables:
                cols.tables.append((lo + nodes, table))
            n_next = int(n_children.sum())
            if n_next == 0:
                break
            # route entries to children
            routed = self._route(
                local,
                e_row,
                e_w,
                feat,
                kind,
                thr,
                tables,
                first_child - next_lo,
                n_children,
                n_next,
            )
            new_node_local, new_w, src, missing_fraction, copies = routed
            self._partition(
                store,
                copies,
                new_node_local,
                new_w,
                n_next,
                first_child - next_lo,
                n_children,
                n_ent,
                local,
                e_row,
                e_w,
            )
            e_row = e_row[src]
            e_y = e_y[src]
            e_w = new_w
            e_node = new_node_local + next_lo
            parent = np.repeat(np.arange(lo, lo + L, dtype=np.int32), n_children)
            depth += 1
            level = _Level(next_lo, n_next)
        tree = cols.finish(self.n_features, self.n_cat)
        if p.max_leaf_nodes is not None:
            tree = best_first(tree, p.max_leaf_nodes, self.total_weight)
        return tree

    def _presort(self) -> _SortedStore:
        """Sort every numeric feature once (stable, missing values last)."""
        X = self.X
        label_dtype = np.int8 if self.K < 128 else np.int32
        labels_all = self.y.astype(label_dtype)
        unit = bool(np.all(self.w == 1.0))
        entries, values, labels, weights = [], [], [], []
        for f in self.numeric:
            order = _stable_argsort(X[:, f]).astype(np.int32)
            entries.append(order)
            values.append(X[order, f])
            labels.append(labels_all[order])
            if not unit:
                weights.append(self.w[order])
        return _SortedStore(entries, values, labels, None if unit else weights)

    # -- split search ------------------------------------------------------------------
    def _choose_splits(self, splittable, counts, e_row, e_w, e_y, local, store, n_ent):
        """Best split of every splittable node of the level (``feat = -1``: leaf)."""
        L, P = splittable.size, self.n_features
        p = self.params
        feat = np.full(L, -1, dtype=np.intp)
        kind = np.zeros(L, dtype=np.int8)
        thr = np.full(L, np.nan)
        n_children = np.zeros(L, dtype=np.int32)
        score_out = np.full(L, np.nan)
        gain_out = np.full(L, np.nan)
        tables: list[tuple[int, np.ndarray, np.ndarray]] = []
        if not splittable.any():
            return feat, kind, thr, n_children, score_out, gain_out, tables
        # segments are the level's nodes, in id order, as laid out in the store
        S = L
        seg_len = n_ent
        seg_start = np.cumsum(seg_len) - seg_len
        ent = np.arange(local.size)
        ent_seg = local
        node_weight = counts.sum(axis=1)

        gains = np.full((S, P), -np.inf)
        scores = np.full((S, P), -np.inf)
        valid = np.zeros((S, P), dtype=bool)
        best_thr = np.full((S, P), np.nan)
        best_table: dict[int, np.ndarray] = {}

        m = int(seg_len.sum())
        position_segment = np.repeat(np.arange(S), seg_len)
        # a cut after position i needs i+1 in the same node, and that node splittable
        interior = np.zeros(max(m - 1, 0), dtype=bool)
        if m > 1:
            interior[:] = splittable[position_segment[:-1]]
            ends = seg_start[1:] - 1  # last position of every node but the last
            interior[ends[(ends >= 0) & (ends < m - 1)]] = False
        lv = _LevelScan(
            interior=interior,
            position_segment=position_segment,
            unit_weights=store.weights is None,
        )
        for r, f in enumerate(self.numeric):
            w_sorted = None if store.weights is None else store.weights[r]
            self._numeric_feature(
                f,
                store.values[r],
                store.labels[r],
                w_sorted,
                lv,
                S,
                seg_start,
                seg_len,
                node_weight,
                gains,
                scores,
                valid,
                best_thr,
            )
        for f in self.categorical:
            table = self._categorical_feature(
                f, ent, ent_seg, e_row, e_w, e_y, S, node_weight, gains, scores, valid
            )
            best_table[f] = table
        valid &= splittable[:, None]
        if p.max_features is not None and p.max_features < P:
            rng = p.rng if p.rng is not None else np.random.default_rng()
            # draw features in random order until max_features of them can split the
            # node (scikit-learn likewise skips features that are constant there)
            keys = rng.random((S, P)) + np.where(valid, 0.0, 2.0)
            drawn = np.argsort(keys, axis=1)[:, : p.max_features]
            mask = np.zeros((S, P), dtype=bool)
            np.put_along_axis(mask, drawn, True, axis=1)
            valid &= mask
        if p.c45 is None:
            winner = self.criterion.select_feature(gains, scores, valid)
        else:
            many = p.c45.many_values
            in_average = valid if many.all() else valid & ~many[None, :]
            winner = self.criterion.select_feature(gains, scores, valid, in_average=in_average)
        ok = winner >= 0
        s_idx = np.flatnonzero(ok)
        win = winner[ok]
        g = gains[s_idx, win]
        # impurity decrease weighted by the node's share of all weight (scikit-learn's rule)
        weighted = g * node_weight[s_idx] / self.total_weight
        keep = weighted + _EPSILON >= p.min_impurity_decrease
        s_idx, win, g = s_idx[keep], win[keep], g[keep]
        nodes = s_idx
        feat[nodes] = win
        score_out[nodes] = scores[s_idx, win]
        gain_out[nodes] = g
        numeric_win = ~self.is_cat[win]
        kind[nodes[numeric_win]] = SPLIT_NUMERIC
        thr[nodes[numeric_win]] = best_thr[s_idx[numeric_win], win[numeric_win]]
        n_children[nodes[numeric_win]] = 2
        for f in np.unique(win[~numeric_win]).tolist():
            sel = win == f
            table = best_table[f][s_idx[sel]][:, : int(self.n_cat[f])]
            tables.append((f, nodes[sel], table))
            kind[nodes[sel]] = SPLIT_CATEGORICAL
            n_children[nodes[sel]] = table.max(axis=1) + 1
        return feat, kind, thr, n_children, score_out, gain_out, tables

    def _numeric_feature(
        self,
        f,
        v,
        yo,
        w_sorted,
        lv,
        S,
        seg_start,
        seg_len,
        node_weight,
        gains,
        scores,
        valid,
        best_thr,
    ):
        """Best threshold of numeric feature ``f`` in every segment (node).

        Class counts are kept class-major (``[K, m]`` memory, handed to the
        criterion as ``[m, K]`` views) so that sums over classes are contiguous.
        """
        K, p, crit, c45 = self.K, self.params, self.criterion, self.params.c45
        one_hot = np.equal.outer(np.arange(K, dtype=yo.dtype), yo)  # [K, m]
        seg_end = seg_start + seg_len - 1
        before = np.maximum(seg_start - 1, 0)
        # a cut after position i: same node, both known, distinct values (NaN
        # compares False, so cuts next to missing values drop out by themselves)
        cut = lv.interior & (v[1:] > v[:-1] + p.numeric_gap)
        if self.has_nan[f] or not lv.unit_weights:
            known = ~np.isnan(v)
            cum = one_hot * np.where(known, 1.0 if w_sorted is None else w_sorted, 0.0)
            kcum = np.cumsum(known)
            n_known = kcum[seg_end] - np.where(seg_start > 0, kcum[before], 0)
            cum = np.cumsum(cum, axis=1, dtype=np.float64)
        else:  # every weight 1 and no missing value: counts are running one-hot sums
            n_known = seg_len
            cum = np.cumsum(one_hot, axis=1, dtype=np.int32 if seg_len.sum() < 2**31 else None)
        # np.take keeps [K, n] rows contiguous (fancy indexing on axis 1 would not)
        base = np.where(seg_start > 0, np.take(cum, before, axis=1), 0)  # [K, S]
        known_counts = np.take(cum, seg_end, axis=1) - base  # [K, S]
        known_w = known_counts.sum(axis=0).astype(np.float64)

        # which cut positions satisfy the minimum-size rules (a contiguous range
        # of positions per node, since the left side only grows)
        allowed, n_cand = self._allowed_cuts(
            cut, cum, base, lv.position_segment, seg_start, n_known, known_w
        )
        cand_mask = cut if allowed is None else cut & allowed
        if crit.concave:
            keep = self._class_boundaries(cut, yo, lv.interior, lv.position_segment)
            if allowed is not None:  # the ends of the allowed range may be optimal too
                keep |= _range_ends(cand_mask, lv.position_segment[:-1])
            cand_mask = cand_mask & keep
        cand = np.flatnonzero(cand_mask)
        if cand.size == 0:
            return
        seg = lv.position_segment[cand]
        # float64 [K, c]: criteria compute in floats, and converting the [c, K]
        # views they get would cost more than the arithmetic
        left = np.subtract(
            np.take(cum, cand, axis=1), np.take(base, seg, axis=1), dtype=np.float64
        )  # [K, c]
        right = np.take(known_counts, seg, axis=1) - left
        rank = self._rank_candidates(known_counts.T, seg, left.T, right.T)
        if c45 is None:
            # scores equal up to rounding are ties: the lowest threshold wins
            has, _, first = _segment_best(rank, seg, S, tolerance=_TIE * node_weight)
        else:  # J48: the lowest threshold among gains within 1e-6 of the best
            has, _, first = _segment_best(rank, seg, S, tolerance=1e-6 * node_weight)
        sg = np.flatnonzero(has)
        pick = first[sg]
        i = cand[pick]
        lo_v, hi_v = v[i], v[i + 1]
        t = (lo_v + hi_v) / 2.0
        t = np.where(t == hi_v, lo_v, t)
        children = np.stack(
            [np.take(left, pick, axis=1).T, np.take(right, pick, axis=1).T], axis=1
        ).astype(np.float64)  # [s, 2, K]
        parent = np.take(known_counts, sg, axis=1).T.astype(np.float64)
        gain = crit.split_score(parent, children) * self._known_fraction(parent, node_weight[sg])
        if c45 is not None:
            # C4.5 release 8: a split needs gain > 1e-6, then pays log2(#candidates)/W
            ok = gain > _C45_DELTA
            gain = gain - np.log2(np.maximum(n_cand[sg], 1)) / node_weight[sg]
            ok &= gain >= _C45_DELTA
            sg, gain, children, parent, t = sg[ok], gain[ok], children[ok], parent[ok], t[ok]
            t = c45.relocate(f, t)
        gains[sg, f] = gain
        scores[sg, f] = crit.feature_score(
            gain, children.sum(axis=2), np.maximum(node_weight[sg] - parent.sum(axis=1), 0.0)
        )
        valid[sg, f] = True
        best_thr[sg, f] = t

    def _allowed_cuts(self, cut, cum, base, position_segment, seg_start, n_known, known_w):
        """Cut positions allowed by the leaf-size rules, and C4.5's candidate count.

        Returns ``(allowed, n_cand)``; ``allowed`` is None when every cut is allowed.
        scikit-learn's rules count rows (``min_samples_leaf``) and weight
        (``min_weight_fraction_leaf``). C4.5 asks for ``minSplit`` weight on both
        sides, ``minSplit = 0.1 · known weight / n_classes`` clamped to ``[M, 25]``
        (J48's exact clamping), and counts the cuts that pass for the MDL penalty.
        """
        p, c45 = self.params, self.params.c45
        if c45 is None and p.min_samples_leaf <= 1 and p.min_weight_leaf <= 0:
            return None, None
        m1 = cut.size
        seg = position_segment[:m1]
        left_n = np.arange(1, m1 + 1) - seg_start[seg]
        if c45 is None:
            allowed = (left_n >= p.min_samples_leaf) & (n_known[seg] - left_n >= p.min_samples_leaf)
            if p.min_weight_leaf > 0:
                left_w = cum[:, :m1].sum(axis=0) - base.sum(axis=0)[seg]
                right_w = known_w[seg] - left_w
                allowed &= (left_w >= p.min_weight_leaf) & (right_w >= p.min_weight_leaf)
            return allowed, None
        min_split = 0.1 * known_w / self.n_declared_classes
        min_split = np.where(
            min_split - c45.min_cases < _C45_DELTA,
            c45.min_cases,
            np.where(min_split - 25.0 > _C45_DELTA, 25.0, min_split),
        )
        left_w = cum[:, :m1].sum(axis=0) - base.sum(axis=0)[seg]
        right_w = known_w[seg] - left_w
        ms = min_split[seg]
        allowed = (ms - left_w < _C45_DELTA) & (ms - right_w < _C45_DELTA)
        # too few known cases for two sides of minSplit: no candidate at all
        allowed &= ~(2 * ms - n_known[seg] > _C45_DELTA)
        n_cand = np.bincount(seg[cut & allowed], minlength=seg_start.size)
        return allowed, n_cand

    @staticmethod
    def _class_boundaries(cut, y, interior, position_segment):
        """Which cuts separate two value blocks that are not both of one same class.

        For a concave impurity the best threshold lies on such a boundary point
        (Fayyad & Irani 1992): moving a cut inside a run of one class cannot improve
        the split, so only the run ends need scoring. A block is a run of equal
        values inside one node (no cut inside); it is pure when all its cases share
        a class. The cut between two pure blocks is kept when their classes differ;
        a cut next to an impure block is always kept.
        """
        change = y[1:] != y[:-1]  # class changes between position i and i + 1
        # class changes inside a block: not a cut, and both positions in one node
        inner = np.flatnonzero(change & np.greater(interior, cut))
        if not inner.size:  # every block is pure (always so without tied values)
            return change
        keep = change.copy()
        cuts = np.flatnonzero(cut)
        k = np.searchsorted(cuts, inner)  # cuts[k]: the first cut after the change
        seg = position_segment[inner]
        after = k < cuts.size
        at = cuts[k[after]]
        keep[at[position_segment[at] == seg[after]]] = True  # the block's closing cut
        before = k > 0
        at = cuts[k[before] - 1]
        keep[at[position_segment[at] == seg[before]]] = True  # the cut that opens it
        return keep

    def _rank_candidates(self, parent, seg, left, right):
        """Rank of every binary candidate within its node; higher is better.

        When the criterion scores splits by impurity decrease (the default), the
        rank is minus the children's impurity mass ``n_L·i(L) + n_R·i(R)``, which
        orders the candidates of one node exactly as the decrease does and needs
        neither the parent nor a stacked copy of the children. A criterion that
        overrides :meth:`~treelearn.criteria.SplitCriterion.split_score` is called
        as written.
        """
        crit = self.criterion
        if crit.ranks_by_impurity_decrease:
            return -(crit.impurity_mass(left) + crit.impurity_mass(right))
        parent_imp = crit.impurity(parent)
        return crit.split_score(parent[seg], np.stack([left, right], axis=1), parent_imp[seg])

    @staticmethod
    def _known_fraction(known_counts, node_weight):
        """Share of the node's weight whose value is known (C4.5 scales gains by it)."""
        known_w = known_counts.sum(axis=-1)
        safe = np.where(node_weight > 0, node_weight, 1.0)
        return np.where(node_weight > 0, np.minimum(known_w / safe, 1.0), 0.0)

    def _categorical_feature(
        self, f, ent, ent_seg, e_row, e_w, e_y, S, node_weight, gains, scores, valid
    ):
        """Best multiway or subset split of categorical feature ``f`` per segment.

        Returns the routing tables ``[S, n_categories]`` (category -> child slot,
        -1 for categories absent at the node).
        """
        K, p, crit = self.K, self.params, self.criterion
        C = int(self.n_cat[f])
        tables = np.full((S, max(C, 1)), -1, dtype=np.int32)
        if C < 2:
            return tables
        c = self.X[e_row[ent], f]
        known = ~np.isnan(c)
        cs = c[known].astype(np.intp)
        sk = ent_seg[known]
        flat = (sk * C + cs) * K + e_y[ent[known]]
        counts3 = np.bincount(flat, weights=e_w[ent[known]], minlength=S * C * K)
        counts3 = counts3.reshape(S, C, K)
        branch_n = np.bincount(sk * C + cs, minlength=S * C).reshape(S, C)
        present = branch_n > 0
        known_counts = counts3.sum(axis=1)
        known_w = known_counts.sum(axis=1)
        frac = np.where(node_weight > 0, known_w / np.where(node_weight > 0, node_weight, 1), 0)
        missing_w = np.maximum(node_weight - known_w, 0.0)
        if p.c45 is not None and p.categorical_split == "binary":
            # J48 -B: the best "= v" / "!= v" split
            value, best, ok, bw = self._best_value_vs_rest(counts3, known_counts, frac, missing_w)
            tables[:] = 1
            tables[np.arange(S), value] = 0
            scores[ok, f] = crit.feature_score(best, bw, missing_w)[ok]
            gains[ok, f] = best[ok]
            valid[ok, f] = True
            return tables
        if p.categorical_split == "binary":
            best_left, best, ok = self._best_subset(counts3, branch_n, present, known_counts)
            best = best * frac
            left_w = (counts3.sum(axis=2) * best_left).sum(axis=1)
            bw = np.stack([left_w, known_w - left_w], axis=1)
            tables[:] = np.where(best_left, 0, 1)
            tables[~present] = -1
        elif p.c45 is not None:
            # one branch per declared value, empty ones included; valid with at
            # least two branches of M (J48's Distribution.check)
            branch_w = counts3.sum(axis=2)
            ok = (branch_w - p.c45.min_cases > -_C45_DELTA).sum(axis=1) >= 2
            parent_imp = crit.impurity(known_counts)
            best = crit.split_score(known_counts, counts3, parent_imp) * frac
            # J48 takes a gain within 1e-6 of zero (in weight units) as zero
            best = np.where(np.abs(best * known_w) < _C45_DELTA, 0.0, best)
            bw = branch_w
            tables[:] = np.arange(C)
        else:
            branch_w = counts3.sum(axis=2)
            ok = present.sum(axis=1) >= 2
            ok &= ~(present & (branch_n < p.min_samples_leaf)).any(axis=1)
            if p.min_weight_leaf > 0:
                ok &= ~(present & (branch_w < p.min_weight_leaf)).any(axis=1)
            parent_imp = crit.impurity(known_counts)
            best = crit.split_score(known_counts, counts3, parent_imp) * frac
            bw = branch_w
            tables[:] = np.where(present, np.cumsum(present, axis=1) - 1, -1)
        ok &= ~np.isnan(best)
        gains[ok, f] = best[ok]
        scores[ok, f] = crit.feature_score(best, bw, missing_w)[ok]
        valid[ok, f] = True
        return tables

    def _best_value_vs_rest(self, counts3, known_counts, frac, missing_w):
        """C4.5's binary nominal splits (J48 ``-B``): one value against the others.

        Values are tried in declared order (one step per value, vectorised over
        nodes); a value needs ``M`` weight on both sides; the first qualifying value
        0 is kept, later ones must beat the best gain ratio by more than 1e-6.
        Returns the chosen value, its gain, validity and branch weights per node.
        """
        S, C, _ = counts3.shape
        crit, M = self.criterion, self.params.c45.min_cases
        parent_imp = crit.impurity(known_counts)
        known_w = known_counts.sum(axis=1)
        best_value = np.zeros(S, dtype=np.intp)
        best_gain = np.zeros(S)
        best_ratio = np.zeros(S)
        best_w = np.zeros((S, 2))
        ok = np.zeros(S, dtype=bool)
        for i in range(C):
            left = counts3[:, i, :]
            right = known_counts - left
            bw = np.stack([left.sum(axis=1), known_w - left.sum(axis=1)], axis=1)
            qualifies = (bw[:, 0] - M > -_C45_DELTA) & (bw[:, 1] - M > -_C45_DELTA)
            gain = crit.split_score(known_counts, np.stack([left, right], axis=1), parent_imp)
            gain = np.where(np.abs(gain * known_w) < _C45_DELTA, 0.0, gain * frac)
            ratio = crit.feature_score(gain, bw, missing_w)
            take = qualifies & ((i == 0) | (ratio - best_ratio > _C45_DELTA))
            best_value[take], best_gain[take], best_ratio[take] = i, gain[take], ratio[take]
            best_w[take] = bw[take]
            ok |= qualifies
        return best_value, best_gain, ok, best_w

    def _best_subset(self, counts3, branch_n, present, known_counts):
        """Best two-way grouping of the categories at every segment.

        Two classes: categories sorted by the proportion of the second class, then
        the best of the ordered cuts (optimal, Breiman et al. 1984). More classes
        and at most ``max_exhaustive_categories`` categories present: all
        groupings. Beyond that, a heuristic: the best ordered cut over the K
        orderings by each class's proportion.
        """
        S, C, K = counts3.shape
        p, crit = self.params, self.criterion
        parent_imp = crit.impurity(known_counts)
        totals = counts3.sum(axis=2)
        # Breiman's ordering is optimal for two classes without leaf-size rules;
        # otherwise search all groupings while there are few categories
        constrained = p.min_samples_leaf > 1 or p.min_weight_leaf > 0
        if (K > 2 or constrained) and C <= p.max_exhaustive_categories:
            masks = _subset_masks(C)  # [T, C]
            left = np.einsum("tc,sck->stk", masks.astype(np.float64), counts3)
            left_n = branch_n @ masks.T.astype(np.int64)
            right_n = branch_n.sum(axis=1, keepdims=True) - left_n
            right = known_counts[:, None, :] - left
            score = crit.split_score(
                known_counts[:, None, :], np.stack([left, right], axis=2), parent_imp[:, None]
            )
            ok = (left_n >= max(p.min_samples_leaf, 1)) & (right_n >= max(p.min_samples_leaf, 1))
            if p.min_weight_leaf > 0:
                ok &= (left.sum(-1) >= p.min_weight_leaf) & (right.sum(-1) >= p.min_weight_leaf)
            score = np.where(ok, score, -np.inf)
            best_t = np.argmax(score, axis=1)
            best = score[np.arange(S), best_t]
            has = np.isfinite(best)
            return masks[best_t], np.where(has, best, np.nan), has
        # ordered cuts for each ordering key
        safe_tot = np.where(totals > 0, totals, 1.0)
        keys = (
            [counts3[:, :, 1] / safe_tot]
            if K == 2
            else [counts3[:, :, k] / safe_tot for k in range(K)]
        )
        best_all = np.full(S, -np.inf)
        left_all = np.zeros((S, C), dtype=bool)
        rows = np.arange(S)[:, None]
        for key in keys:
            key = np.where(present, key, np.inf)  # absent categories last
            perm = np.argsort(key, axis=1, kind="stable")
            sc = counts3[rows, perm]  # [S, C, K]
            sn = branch_n[rows, perm]
            left = np.cumsum(sc, axis=1)[:, :-1]
            left_n = np.cumsum(sn, axis=1)[:, :-1]
            right = known_counts[:, None, :] - left
            right_n = sn.sum(axis=1, keepdims=True) - left_n
            n_present = present.sum(axis=1, keepdims=True)
            ok = np.arange(C - 1)[None, :] < n_present - 1
            ok &= (left_n >= max(p.min_samples_leaf, 1)) & (right_n >= max(p.min_samples_leaf, 1))
            if p.min_weight_leaf > 0:
                ok &= (left.sum(-1) >= p.min_weight_leaf) & (right.sum(-1) >= p.min_weight_leaf)
            score = crit.split_score(
                known_counts[:, None, :], np.stack([left, right], axis=2), parent_imp[:, None]
            )
            score = np.where(ok, score, -np.inf)
            cut = np.argmax(score, axis=1)
            best = score[np.arange(S), cut]
            better = best > best_all
            in_left = np.zeros((S, C), dtype=bool)
            np.put_along_axis(in_left, perm, np.arange(C)[None, :] <= cut[:, None], axis=1)
            left_all[better] = in_left[better]
            best_all[better] = best[better]
        has = np.isfinite(best_all)
        return left_all, np.where(has, best_all, np.nan), has

    # -- moving entries to the next level ------------------------------------------------
    def _route(self, local, e_row, e_w, feat, kind, thr, tables, first_local, n_children, n_next):
        """Child of every entry of a split node; copies for missing values.

        Returns ``(node, weight, src, missing_fraction, copies)`` for the new
        entries (``src`` is the old entry each came from, new entries are ordered
        by ``src``), the next level's missing fractions, and the number of copies
        of every old entry.
        """
        node_feat = feat[local]
        in_split = node_feat >= 0
        idx = np.flatnonzero(in_split)
        nl = local[idx]
        x = self.X[e_row[idx], node_feat[idx]]
        slot = np.full(idx.size, -1, dtype=np.intp)
        known = ~np.isnan(x)
        k_num = known & (kind[nl] == SPLIT_NUMERIC)
        slot[k_num] = (x[k_num] > thr[nl[k_num]]).astype(np.intp)
        row_of_node = np.full(n_children.size, -1, dtype=np.intp)
        for _f, nodes, table in tables:
            row_of_node[nodes] = np.arange(nodes.size)
            at = np.flatnonzero(known & (row_of_node[nl] >= 0) & (node_feat[idx] == _f))
            slot[at] = table[row_of_node[nl[at]], x[at].astype(np.intp)]
            row_of_node[nodes] = -1
        routed = slot >= 0
        child = first_local[nl] + slot
        # known weight per child -> fractions for missing values
        child_w = np.bincount(child[routed], weights=e_w[idx[routed]], minlength=n_next)
        parent_of_child = np.repeat(np.arange(n_children.size), n_children)
        parent_known = np.bincount(parent_of_child, weights=child_w, minlength=n_children.size)[
            parent_of_child
        ]
        with np.errstate(invalid="ignore", divide="ignore"):
            fraction = np.where(
                parent_known > 0, child_w / parent_known, 1.0 / n_children[parent_of_child]
            )
        copies = np.zeros(local.size, dtype=np.intp)
        copies[idx[routed]] = 1
        if routed.all():
            src = idx
            return child, e_w[idx], src, fraction, copies
        # a missing value: one copy per child with a non-negligible fraction
        miss = np.flatnonzero(~routed)
        m_nodes = nl[miss]
        nc = n_children[m_nodes]
        rep = np.repeat(miss, nc)
        offs = np.arange(nc.sum()) - np.repeat(np.cumsum(nc) - nc, nc)
        rep_child = first_local[nl[rep]] + offs
        keep = fraction[rep_child] > _MIN_FRACTION
        rep, rep_child = rep[keep], rep_child[keep]
        np.add.at(copies, idx[rep], 1)
        all_src = np.concatenate([idx[routed], idx[rep]])
        all_child = np.concatenate([child[routed], rep_child])
        all_w = np.concatenate([e_w[idx[routed]], e_w[idx[rep]] * fraction[rep_child]])
        # order new entries by source entry, copies in child order
        o = np.lexsort((all_child, all_src))
        return all_child[o], all_w[o], all_src[o], fraction, copies

    def _partition(
        self,
        store,
        copies,
        new_node,
        new_w,
        n_next,
        first_local,
        n_children,
        n_ent,
        local,
        e_row,
        e_w,
    ):
        """Move every feature's sorted entries into the next level's nodes (stable)."""
        if not store.entries:
            return
        if store.by_row:
            split = n_children[local] > 0
            if (
                int(n_children.max()) <= 2
                and np.array_equal(copies, split)
                and np.array_equal(new_w, e_w[split])
            ):
                # binary splits, every entry of a split node goes to one child whole
                self._partition_rows(
                    store, new_node, n_next, first_local, n_children, n_ent, local, e_row
                )
                return
            # from now on entries are numbered (rows may have copies)
            entry_of_row = np.empty(self.X.shape[0], dtype=np.int32)
            entry_of_row[e_row] = np.arange(e_row.size, dtype=np.int32)
            store.entries = [entry_of_row[e] for e in store.entries]
            store.by_row = False
        self._partition_entries(
            store, copies, new_node, new_w, n_next, first_local, n_children, n_ent
        )

    def _partition_rows(
        self, store, new_node, n_next, first_local, n_children, n_ent, local, e_row
    ):
        """:meth:`_partition` for binary splits of rows (entries are rows, no copies).

        The destination of the entry at position ``i`` of parent ``P``'s segment is
        its rank among the entries going the same way: with ``ones_i`` the number
        of right-going positions up to ``i`` (one cumsum over all positions),
        ``A_L + i - ones_i`` going left and ``A_R + ones_i`` going right, where the
        per-parent constants ``A`` depend on segment and child sizes only, not on
        the feature. Entries of nodes that became leaves go left into a tail after
        the kept ones, so positions form a permutation and nothing is compacted:
        three scatters per feature and the arrays' kept part is a prefix. The only
        row-indexed lookup is one byte per row (which way the row goes), so it
        stays in cache on big data; everything else is indexed by position.
        """
        m = local.size
        n_new = new_node.size
        seg_start = np.cumsum(n_ent) - n_ent
        split = n_children > 0
        sizes = np.bincount(new_node, minlength=n_next)
        child_start = np.cumsum(sizes) - sizes
        first = np.where(split, first_local, 0)
        right_size = np.where(split, sizes[first + split], 0)
        right_before = np.cumsum(right_size) - right_size
        dropped = np.where(split, 0, n_ent)
        dropped_before = np.cumsum(dropped) - dropped
        a_left = np.where(split, child_start[first], n_new + dropped_before) - seg_start
        a_left += right_before
        a_right = child_start[first + split] - right_before - 1
        # per position (the same for every feature): left_base = A_L + i and
        # right_minus_left = A_R - left_base
        position_node = np.repeat(np.arange(n_ent.size), n_ent)
        left_base = a_left[position_node]
        left_base += np.arange(m)
        right_minus_left = a_right[position_node]
        right_minus_left -= left_base
        del position_node
        # per row: 1 when it goes right
        split_e = split[local]
        if self._row_right is None:
            self._row_right = np.zeros(self.X.shape[0], dtype=np.int8)
        row_right = self._row_right
        row_right[e_row] = 0
        goes_right = new_node == first_local[local[split_e]] + 1
        row_right[e_row[split_e][goes_right]] = 1
        weighted = store.weights is not None
        for r, entries in enumerate(store.entries):
            slot = row_right[entries]
            ones = np.cumsum(slot, dtype=np.intp)
            # pos = A_L + i - ones going left, A_R + ones going right; branch-free
            # (a masked copy is several times slower on a random slot pattern)
            pos = 2 * ones
            pos += right_minus_left
            pos *= slot
            pos += left_base
            pos -= ones
            out = np.empty(m, dtype=entries.dtype)
            out[pos] = entries
            store.entries[r] = out[:n_new]
            out_v = np.empty(m)
            out_v[pos] = store.values[r]
            store.values[r] = out_v[:n_new]
            out_y = np.empty(m, dtype=store.labels[r].dtype)
            out_y[pos] = store.labels[r]
            store.labels[r] = out_y[:n_new]
            if weighted:
                out_w = np.empty(m)
                out_w[pos] = store.weights[r]
                store.weights[r] = out_w[:n_new]

    def _partition_entries(
        self, store, copies, new_node, new_w, n_next, first_local, n_children, n_ent
    ):
        """Stable partition of every feature's sorted arrays into the next level's nodes.

        Each old entry ``e`` has ``copies[e]`` new entries, numbered consecutively
        from ``new_start[e]`` in child order (0 for entries of nodes that became
        leaves). Within a parent segment the copies keep the old (value) order, so
        a stable partition by child keeps every child's segment sorted by value.
        The destination of a position is its rank among the positions of the same
        child slot plus that child's offset, so the scatter writes two (or a few)
        forward streams per parent.
        """
        if not store.entries:
            return
        new_start = np.cumsum(copies) - copies
        sizes = np.bincount(new_node, minlength=n_next)
        child_start = np.cumsum(sizes) - sizes
        # offset of each child among the children with the same slot
        parents = np.flatnonzero(n_children > 0)
        child_slot = np.arange(n_next) - np.repeat(first_local[parents], n_children[parents])
        by_slot = np.lexsort((np.arange(n_next), child_slot))
        sizes_sorted = sizes[by_slot]
        grp_start = np.r_[True, child_slot[by_slot][1:] != child_slot[by_slot][:-1]]
        csum = np.cumsum(sizes_sorted) - sizes_sorted
        grp_base = np.maximum.accumulate(np.where(grp_start, csum, 0))
        same_slot_before = np.empty(n_next, dtype=np.intp)
        same_slot_before[by_slot] = csum - grp_base
        child_offset = child_start - same_slot_before
        simple = bool(np.all(copies <= 1))
        binary = int(n_children.max()) <= 2
        # per old entry (one lookup per feature and position): its new id (-1 when
        # dropped), its child's slot and that child's offset
        kept = copies > 0
        new_id_of = np.where(kept, new_start, -1).astype(np.int32)
        child_of = np.zeros(copies.size, dtype=np.intp)
        child_of[kept] = new_node[new_start[kept]]
        slot_dtype = np.int8 if n_children.max() < 128 else np.int32
        parent_of_child = np.repeat(np.arange(n_children.size), n_children)
        slot_of = (child_of - first_local[parent_of_child[child_of]]).astype(slot_dtype)
        offset_of = child_offset[child_of].astype(np.int64)
        # binary splits: slot and offset travel in one lookup
        code_of = (offset_of * 2 + slot_of) if binary else None
        # binary splits without copies: new id, slot and offset in one 64-bit lookup
        # (negative for dropped entries)
        packed_of = None
        if simple and binary and new_node.size < 2**31 and code_of.max(initial=0) < 2**31:
            packed_of = np.where(kept, (new_id_of.astype(np.int64) << 32) | code_of, -1)
        index = np.arange(copies.size if simple else int(copies.sum()) + 1)
        position_parent = None if simple else np.repeat(np.arange(n_ent.size), n_ent)
        weighted = store.weights is not None or not np.all(new_w == 1.0)
        n_new = new_node.size
        for r in range(len(store.entries)):
            entries = store.entries[r]
            if packed_of is not None:
                packed = packed_of[entries]
                src = np.flatnonzero(packed >= 0)
                packed = packed[src]
                new_id = (packed >> 32).astype(np.int32)
                slot, offset = packed & 1, (packed & 0xFFFFFFFF) >> 1
            elif simple:
                new_id = new_id_of[entries]
                keep = new_id >= 0
                src = np.flatnonzero(keep)
                kept_entries = entries[src]
                new_id = new_id[src]
                if binary:
                    code = code_of[kept_entries]
                    slot, offset = code & 1, code >> 1
                else:
                    slot, offset = slot_of[kept_entries], offset_of[kept_entries]
            else:
                c = copies[entries]
                src = np.repeat(np.arange(entries.size), c)
                k = np.arange(src.size) - np.repeat(np.cumsum(c) - c, c)
                new_id = new_start[entries[src]] + k
                child = new_node[new_id]
                slot = child - first_local[position_parent[src]]
                offset = child_offset[child]
            if binary:  # rank among equal slots with one cumsum
                ones = np.cumsum(slot, dtype=np.intp)
                g = np.where(slot == 1, ones - 1, index[: slot.size] - ones)
            else:  # radix sort on the small slot numbers
                s16 = slot.astype(np.int16) if n_children.max() < 2**15 else slot
                perm = np.argsort(s16, kind="stable")
                s_sorted = s16[perm]
                bounds = np.r_[True, s_sorted[1:] != s_sorted[:-1]]
                start_of = np.maximum.accumulate(np.where(bounds, np.arange(slot.size), 0))
                g = np.empty(slot.size, dtype=np.intp)
                g[perm] = np.arange(slot.size) - start_of
            pos = g + offset
            out = np.empty(n_new, dtype=np.int32)
            out[pos] = new_id
            store.entries[r] = out
            out_v = np.empty(n_new)
            out_v[pos] = store.values[r][src]
            store.values[r] = out_v
            out_y = np.empty(n_new, dtype=store.labels[r].dtype)
            out_y[pos] = store.labels[r][src]
            store.labels[r] = out_y
            if weighted:
                store.weights = store.weights or [None] * len(store.entries)
                store.weights[r] = new_w[out]


def best_first(tree: Tree, max_leaf_nodes: int, total_weight: float) -> Tree:
    """Keep the ``max_leaf_nodes``-leaf tree that best-first growth would give.

    Splits do not depend on which other nodes are split, so best-first growth is
    the fully grown tree with nodes expanded in order of weighted impurity
    decrease until the leaf budget is spent.
    """
    improvement = tree.weighted_n_node_samples * tree.gain / max(total_weight, _EPSILON)
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
    params: BuildParams,
) -> Tree:
    """Grow a tree on encoded data (see :mod:`treelearn._data`)."""
    builder = _LevelWiseBuilder(
        X, y, sample_weight, n_classes, is_categorical, n_categories, criterion, params
    )
    return builder.build()
