"""Would a sorted store of 1-byte "new value run" marks (no value array) be exact and fast?

Issue 19 (memory), session 16. The presorted store keeps per numeric feature and position
an int32 entry id and a float32 value (2.0x X). The search reads the values only for the
cut rule ``value_gaps`` (``v[1:] > v[:-1] + gap``), NaN, and the winners' thresholds; the
idea measured here replaces the value by a mark "a cut may fall before this position",
inherited through the partitions (a child's mark at k: some parent mark between its
previous same-child entry and k, i.e. a running count of parent marks, scattered, compared
with its neighbour).

Two questions, answered on ``bench_trees.make_data`` (20 float32 features):

``exact``
    With ``gap > 0`` the cut rule is not transitive: sorted ``a < b < c`` with
    ``b - a <= gap``, ``c - b <= gap`` but ``c - a > gap``; a child holding ``a`` and
    ``c`` without ``b`` may cut between them, while no parent mark lies between them.
    Inherited marks are exact for a feature exactly when no *near cluster* (a maximal
    run of sorted distinct values whose neighbours are all within ``gap``) spans more
    than ``gap`` from its least to its largest value. Counted per feature at the root;
    and, on a fitted tree, every (node, feature) neighbour pair where the inherited mark
    and the child's own test disagree.
``speed``
    One feature's ``"rows"``-path partition (the 1M levels' path) as now (scatter the
    int32 ids and float32 values) against the marks' (scatter the ids, a running count of
    the marks, scatter it, compare neighbours), plain (inexact) and with the fix that
    makes it exact (a pair of positions of one wide near cluster with the same count is
    tested on X): "dense" carries a wide bit in the count, "sparse" follows the few
    wide-cluster positions through ``pos``; and the search's cut mask as now
    (``value_gaps`` on float32) against the marks' (a slice). Medians of interleaved
    repeats, CPU time.

Run: ``PYTHONPATH=. nice python benchmarks/bench_value_marks.py --rows 100000 1000000``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_trees import make_data

from treelearn import C45Classifier, DecisionTreeClassifier
from treelearn._partition import stable_argsort
from treelearn._split_numeric import value_gaps


def near_clusters(v: np.ndarray, gap: float) -> tuple[int, int, int]:
    """``(near pairs, near clusters, clusters spanning more than gap)`` of sorted known
    values ``v``: a near pair is two distinct neighbours within ``gap``."""
    far = value_gaps(v, gap)
    distinct = v[1:] != v[:-1]
    near = distinct & ~far
    if not near.any():
        return 0, 0, 0
    # clusters: maximal runs of positions joined by near steps (equal steps join too)
    joined = ~far  # position i and i + 1 in one cluster
    start = np.flatnonzero(np.r_[True, far])  # a cluster opens after every far step
    end = np.r_[start[1:] - 1, v.size - 1]
    has_near = np.add.reduceat(np.r_[near, False].astype(np.int64), start) > 0
    del joined
    lo = v[start[has_near]]
    hi = v[end[has_near]]
    pair = np.empty(2 * lo.size, dtype=v.dtype)
    pair[0::2], pair[1::2] = lo, hi
    spans = value_gaps(pair, gap)[0::2]  # the cluster's extremes: a cut by the rule?
    return int(near.sum()), int(has_near.sum()), int(spans.sum())


def wide_positions(v: np.ndarray, gap: float) -> np.ndarray:
    """Per sorted position of known values ``v``: in a near cluster wider than ``gap``
    (the only positions whose inherited marks can be wrong)."""
    far = value_gaps(v, gap)
    start = np.flatnonzero(np.r_[True, far])
    end = np.r_[start[1:] - 1, v.size - 1]
    pair = np.empty(2 * start.size, dtype=v.dtype)
    pair[0::2], pair[1::2] = v[start], v[end]
    wide = value_gaps(pair, gap)[0::2]
    return np.repeat(wide, end - start + 1)


def exactness(X: np.ndarray, gap: float) -> dict:
    """Root near-cluster counts over every feature."""
    out = {"features": X.shape[1], "near_pairs": 0, "clusters": 0, "wide": 0, "features_wide": 0}
    for f in range(X.shape[1]):
        x = X[:, f]
        v = x[stable_argsort(x)]
        v = v[~np.isnan(v)]
        p, c, w = near_clusters(v, gap)
        out["near_pairs"] += p
        out["clusters"] += c
        out["wide"] += w
        out["features_wide"] += w > 0
    return out


def tree_disagreements(X: np.ndarray, y: np.ndarray, gap: float, criterion: str) -> dict:
    """Fit a fully grown tree; at every depth, for every feature, count the neighbour
    pairs of a split node's sorted segment where the inherited mark (a far step between
    the two in root order) differs from the child's own ``value_gaps`` test."""
    est = (
        C45Classifier(pruning=None)
        if criterion == "c45"
        else DecisionTreeClassifier(criterion=criterion)
    ).fit(X, y)
    tree = est.tree_
    path = est.decision_path(X).tocsc()  # [rows, nodes]
    depth_of = np.zeros(tree.node_count, dtype=np.intp)
    stack = [0]
    left, right = tree.children_left, tree.children_right
    while stack:
        node = stack.pop()
        for c in (left[node], right[node]):
            if c >= 0:
                depth_of[c] = depth_of[node] + 1
                stack.append(c)
    max_depth = int(depth_of.max())
    n = X.shape[0]
    coo = path.tocoo()
    node_at = np.full((max_depth + 1, n), -1, dtype=np.intp)
    node_at[depth_of[coo.col], coo.row] = coo.col
    split = left >= 0
    pairs = disagree = cuts_missed = fixed_wrong = lookups = 0
    for f in range(X.shape[1]):
        x = X[:, f]
        order = stable_argsort(x)
        v = x[order]
        far_count = np.r_[0, np.cumsum(value_gaps(v, gap))]  # root far steps before i
        root_pos = np.empty(n, dtype=np.intp)
        root_pos[order] = np.arange(n)
        wide_row = np.empty(n, dtype=bool)
        wide_row[order] = wide_positions(v, gap)
        # the fixed scheme, level by level: a row's rank = running count of the
        # previous level's marks at its position; a pair of wide-cluster rows with the
        # same rank is tested on X (the lookups)
        rank_of_row = np.empty(n, dtype=np.int64)
        rank_of_row[order] = far_count
        for d in range(1, max_depth + 1):
            nodes = node_at[d]
            live = nodes >= 0
            rows = order[live[order]]  # root order, rows still in play at depth d
            by_node = rows[np.argsort(nodes[rows], kind="stable")]
            nd = nodes[by_node]
            same = nd[1:] == nd[:-1]
            same &= split[nd[1:]]  # only nodes that are searched matter (split nodes)
            a, b = by_node[:-1][same], by_node[1:][same]
            pair = np.empty(2 * a.size, dtype=x.dtype)
            pair[0::2], pair[1::2] = x[a], x[b]
            own = value_gaps(pair, gap)[0::2]
            inherited = far_count[root_pos[b]] > far_count[root_pos[a]]
            # the fixed scheme on every neighbour pair of the level (any node)
            all_a, all_b = by_node[:-1], by_node[1:]
            marks = rank_of_row[all_b] != rank_of_row[all_a]
            look = np.flatnonzero(~marks & wide_row[all_a] & wide_row[all_b])
            lookups += look.size
            two = np.empty(2 * look.size, dtype=x.dtype)
            two[0::2], two[1::2] = x[all_a[look]], x[all_b[look]]
            marks[look] = value_gaps(two, gap)[0::2]
            fixed_wrong += int(np.count_nonzero(marks[same] != own))
            rank_of_row[by_node] = np.r_[0, np.cumsum(marks)]
            pairs += a.size
            disagree += int(np.count_nonzero(own != inherited))
            cuts_missed += int(np.count_nonzero(own & ~inherited))
    return {
        "pairs": pairs, "disagree": disagree, "missed_cuts": cuts_missed,
        "fixed_wrong": fixed_wrong, "lookups": lookups, "depth": max_depth,
    }  # fmt: skip


def _cpu(fn, *args) -> float:
    t = time.process_time()
    fn(*args)
    return time.process_time() - t


def speed(n: int, repeat: int, seed: int = 0) -> dict:
    """One feature's rows-path partition and cut mask, now and with marks."""
    rng = np.random.default_rng(seed)
    X, _ = make_data(n)
    x = X[:, 0]
    entries = stable_argsort(x).astype(np.int32)
    values = x[entries]
    marks = np.r_[np.int8(1), value_gaps(values, 1e-7).view(np.int8)]
    wide = wide_positions(values, 1e-7).astype(np.int32)
    row_right = (rng.random(n) < 0.5).astype(np.int8)  # a random binary split of one node
    n_left = n - int(row_right.sum())
    left_base = np.arange(n, dtype=np.int32)
    right_minus_left = (n_left - 1 - left_base).astype(np.int32)

    def destinations():
        slot = row_right.take(entries)
        ones = np.cumsum(slot, dtype=np.int32)
        pos = np.multiply(ones, 2, dtype=np.intp)
        pos += right_minus_left
        pos *= slot
        pos += left_base
        pos -= ones
        return pos

    out_e = np.empty(n, dtype=np.int32)
    out_v = np.empty(n, dtype=np.float32)
    out_r = np.empty(n, dtype=np.int32)
    out_m = np.empty(n, dtype=np.int8)

    def now():
        pos = destinations()
        out_e[pos] = entries
        out_v[pos] = values

    def with_marks():
        pos = destinations()
        out_e[pos] = entries
        count = np.cumsum(marks, dtype=np.int32)  # the within-feature rank of the value
        out_r[pos] = count
        np.not_equal(out_r[1:], out_r[:-1], out=out_m[1:].view(bool))
        out_m[0] = 1

    out_c = np.empty(n, dtype=np.int32)

    def with_marks_wide():
        # the exact scheme: the rank's low bit says "in a wide near cluster"; a pair of
        # such positions with the same rank is tested on X (flat_view's X[row, f])
        pos = destinations()
        out_e[pos] = entries
        code = np.cumsum(marks, dtype=np.int32)
        code <<= 1
        code |= wide
        out_c[pos] = code
        step = np.bitwise_xor(out_c[1:], out_c[:-1])
        far = out_m[1:].view(bool)
        np.greater(step, 1, out=far)
        both = np.bitwise_and(out_c[1:], out_c[:-1])
        both &= 1
        look = np.flatnonzero(np.logical_and(both, ~far))
        two = np.empty(2 * look.size, dtype=x.dtype)
        two[0::2], two[1::2] = x[out_e[look]], x[out_e[look + 1]]
        far[look] = value_gaps(two, 1e-7)[0::2]
        out_m[0] = 1

    wide_at = np.flatnonzero(wide)  # positions of the few wide-cluster entries
    wide_rows = np.sort(entries[wide_at])

    def with_marks_sparse():
        # the same fix on the few wide-cluster positions only: their new positions are
        # pos[old]; a pair of them with the same rank is tested on X
        pos = destinations()
        out_e[pos] = entries
        count = np.cumsum(marks, dtype=np.int32)
        out_r[pos] = count
        far = out_m[1:].view(bool)
        np.not_equal(out_r[1:], out_r[:-1], out=far)
        at = pos[wide_at]
        at = at[at > 0]
        before = out_e[at - 1]
        look = at[np.isin(before, wide_rows) & (out_r[at] == out_r[at - 1])]
        two = np.empty(2 * look.size, dtype=x.dtype)
        two[0::2], two[1::2] = x[out_e[look - 1]], x[out_e[look]]
        far[look - 1] = value_gaps(two, 1e-7)[0::2]
        out_m[0] = 1

    def cut_now():
        value_gaps(values, 1e-7)

    def cut_marks():
        marks[1:].view(bool).copy()

    # the marks' partition is exact: the scattered marks are the child's own rank changes
    with_marks()
    now()
    child_v = out_v
    check = np.r_[True, value_gaps(child_v, 1e-7)]
    seam = n_left  # the two children meet there: the first right position is a new node
    check[seam] = out_m[seam] = 1
    exact = bool(np.array_equal(check, out_m.view(bool)))
    with_marks_wide()
    check_w = np.r_[True, value_gaps(child_v, 1e-7)]
    check_w[seam] = out_m[seam] = 1
    exact_wide = bool(np.array_equal(check_w, out_m.view(bool)))
    with_marks_sparse()
    out_m[seam] = 1
    exact_wide &= bool(np.array_equal(check_w, out_m.view(bool)))
    t = {k: [] for k in ("now", "marks", "marks_wide", "marks_sparse", "cut_now", "cut_marks")}
    for i in range(repeat):
        pair = [
            ("now", now), ("marks", with_marks), ("marks_wide", with_marks_wide),
            ("marks_sparse", with_marks_sparse),
        ]  # fmt: skip
        for name, fn in pair if i % 2 == 0 else pair[::-1]:
            t[name].append(_cpu(fn))
        pair = [("cut_now", cut_now), ("cut_marks", cut_marks)]
        for name, fn in pair if i % 2 == 0 else pair[::-1]:
            t[name].append(_cpu(fn))
    med = {k: statistics.median(v) for k, v in t.items()}
    med["marks_exact"] = exact
    med["marks_wide_exact"] = exact_wide
    return med


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, nargs="+", default=[100_000])
    ap.add_argument("--repeat", type=int, default=21)
    ap.add_argument("--tree-rows", type=int, default=100_000, help="rows of the tree check")
    ap.add_argument("--trees", nargs="*", default=["entropy", "gini", "c45"])
    args = ap.parse_args(argv)
    for n in args.rows:
        X, y = make_data(n)
        for gap in (1e-7, 1e-5):
            print(f"exact n={n} gap={gap:g}: {exactness(X, gap)}", flush=True)
            X64 = X.astype(np.float64) + np.random.default_rng(1).normal(0, 1e-9, X.shape)
            print(f"exact n={n} gap={gap:g} float64+noise: {exactness(X64, gap)}", flush=True)
        s = speed(n, args.repeat)
        print(
            f"speed n={n} (one feature, ms CPU, medians of {args.repeat}): partition now "
            f"{1e3 * s['now']:.2f} marks {1e3 * s['marks']:.2f} "
            f"({s['marks'] / s['now']:.2f}x), with the wide-cluster fix "
            f"{1e3 * s['marks_wide']:.2f} ({s['marks_wide'] / s['now']:.2f}x) dense, "
            f"{1e3 * s['marks_sparse']:.2f} ({s['marks_sparse'] / s['now']:.2f}x) sparse "
            f"(both exact: {s['marks_wide_exact']}); cut mask now {1e3 * s['cut_now']:.2f} "
            f"marks {1e3 * s['cut_marks']:.2f}; marks = the child's own value_gaps: "
            f"{s['marks_exact']}",
            flush=True,
        )
    X, y = make_data(args.tree_rows)
    gaps = {"entropy": 1e-7, "gini": 1e-7, "c45": 1e-5}  # the growth rules' numeric_gap
    for crit, gap in ((c, gaps[c]) for c in args.trees):
        print(f"tree n={args.tree_rows} {crit} gap={gap:g}: "
              f"{tree_disagreements(X, y, gap, crit)}", flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
