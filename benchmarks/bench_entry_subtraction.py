"""Does counting only the smaller child at the deep levels pay? (issue 12, hist at 1M)

The deep levels of ``splitter="hist"`` count every searched node's cells from its
entries (:func:`treelearn._hist_cells.entry_cells`: one sorted 32-bit key per (entry,
feature) pair, runs of one class joined). The idea measured here: of a binary split
whose larger child is searched, count only the smaller child and derive the larger
child's plain cells as the parent's plain cells minus the smaller's (both sorted by
(row, feature, code): a ``searchsorted`` of the smaller child's cells in the parent's,
a subtraction, a compaction), then join the runs from the plain cells.

The deep levels of the benchmark's 1M × 20 fit (``bench_hist.make_data``) are
captured in one fit, then replayed group by group (:data:`~treelearn._hist_cells.ENTRY_GROUP`
pairs of a level's families a group), both ways interleaved, ``--repeat`` rounds,
medians of CPU time (``process_time``). The parent's plain cells are a by-product of
the previous level in the derived scheme, so they are not timed; the cost of giving
every counted node plain cells first is timed apart (``plain + runs`` against
``entry_cells`` on the larger children). The derived runs are checked equal to
``entry_cells``' (codes, first codes, counts, rows) on every group.

Usage::

    nice python benchmarks/bench_entry_subtraction.py --rows 1000000 --repeat 3
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import time

import numpy as np
from bench_hist import make_data

import treelearn._builder_hist as bh
import treelearn._hist_cells as hc
from treelearn import DecisionTreeClassifier
from treelearn._scratch import Scratch
from treelearn._split_hist import HistCells, cells_of


def capture(n: int) -> list:
    """The chunks of the deep levels (entry-cell levels) of one gini hist fit."""
    X, y = make_data(n, seed=0)
    chunks = []
    search = bh._search_entries

    def keep(chunk, splittable, *args):
        chunks.append((chunk, splittable.copy()))
        return search(chunk, splittable, *args)

    bh._search_entries = keep
    try:
        DecisionTreeClassifier(criterion="gini", splitter="hist").fit(X, y)
    finally:
        bh._search_entries = search
    return chunks


def plain_cells(chunk, rows: np.ndarray, row_at: np.ndarray, B: int) -> tuple:
    """Sorted plain cell numbers ``(row · P + feature) · B + code`` and their two class
    counts of the entries ``rows`` (data rows) at histogram rows ``row_at``."""
    P, K = chunk.codes.shape[1], 2
    m = rows.size * P
    key = (row_at * (P * B * K) + np.take(chunk.y, rows)).astype(np.int32)[:, None] + np.arange(
        0, P * B * K, B * K, dtype=np.int32
    )
    code = np.take(chunk.codes, rows, axis=0)
    key += code
    key += code
    flat = key.reshape(-1)
    flat.sort()
    new = np.empty(m, dtype=bool)
    new[0] = True
    np.not_equal(flat[1:], flat[:-1], out=new[1:])
    at = np.flatnonzero(new)
    u_key = np.take(flat, at)
    cell = u_key >> 1
    opens = np.empty(cell.size, dtype=bool)
    opens[0] = True
    np.not_equal(cell[1:], cell[:-1], out=opens[1:])
    first = np.flatnonzero(opens)
    sizes = np.diff(np.take(at, first), append=m).astype(np.int32)
    n0 = np.where((np.take(u_key, first) & 1) == 0, sizes, 0).astype(np.int32)
    both = np.flatnonzero(~np.take(opens, np.minimum(first + 1, cell.size - 1)))
    both = both[first[both] + 1 < cell.size]
    n0[both] = np.take(at, first[both] + 1) - np.take(at, first[both])
    return np.take(cell, first), n0, sizes - n0


def derive(parent: tuple, small: tuple) -> tuple:
    """The plain cells of the parents minus those of their smaller children."""
    kp, p0, p1 = parent
    ks, s0, s1 = small
    pos = np.searchsorted(kp, ks)
    d0, d1 = p0.copy(), p1.copy()
    d0[pos] -= s0
    d1[pos] -= s1
    keep = np.flatnonzero(d0 + d1)
    return np.take(kp, keep), np.take(d0, keep), np.take(d1, keep)


def runs_of(plain: tuple, P: int, B: int) -> HistCells:
    """``entry_cells``' runs from plain cells: neighbours of a pair holding one and
    the same class are one cell."""
    key, n0, n1 = plain
    shift = B.bit_length() - 1
    pair = key >> shift
    pure0, pure1 = n1 == 0, n0 == 0
    joins = np.zeros(key.size, dtype=bool)
    joins[1:] = (pair[1:] == pair[:-1]) & ((pure0[1:] & pure0[:-1]) | (pure1[1:] & pure1[:-1]))
    first = np.flatnonzero(~joins)
    last = np.r_[first[1:] - 1, key.size - 1]
    size = np.diff(np.r_[0, np.take(np.cumsum(n0 + n1), last)])
    c0 = np.where(
        np.take(pure1, first), 0, np.where(np.take(pure0, first), size, np.take(n0, first))
    )
    counts = np.empty((first.size, 2))
    counts[:, 0] = c0
    counts[:, 1] = size - c0
    lk = np.take(key, last)
    cells = cells_of(lk >> shift, lk & (B - 1), counts, size.astype(np.int64), P, B - 1, False)
    cells.first = np.take(key, first) & (B - 1)
    return cells


def node_rows(mask, L, a, z, ents, e_node, node_row=None) -> tuple:
    """Histogram rows of the nodes ``mask`` among ``a:z`` (of a level of ``L``; their
    own numbers, or ``node_row``'s), those nodes and their entries among ``ents``."""
    row_of = np.full(L, -1, dtype=np.intp)
    sel = np.flatnonzero(mask[a:z]) + a
    row_of[sel] = np.arange(sel.size) if node_row is None else node_row[sel]
    return row_of, sel, ents[row_of[e_node] >= 0]


def families(parent_of: np.ndarray, n_ent: np.ndarray, splittable: np.ndarray) -> tuple:
    """Per child: whether it is derived (the larger of two, searched) and whether it is
    counted as the smaller child of a derived one."""
    L = parent_of.size
    start = np.flatnonzero(np.r_[True, parent_of[1:] != parent_of[:-1]])
    size = np.diff(np.r_[start, L])
    two = start[size == 2]
    off = (n_ent[two + 1] > n_ent[two]).astype(np.intp)  # the larger (first of equal ones)
    ok = splittable[two + off]
    two, off = two[ok], off[ok]
    big = np.zeros(L, dtype=bool)
    big[two + off] = True
    small = np.zeros(L, dtype=bool)
    small[two + 1 - off] = True
    return big, small


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    levels = capture(args.rows)
    B, K = 256, 2
    names = (
        "entry_cells all",
        "entry_cells larger",
        "plain small",
        "derive larger",
        "runs larger",
        "runs small + rest",
        "plain larger",
        "runs of plain larger",
    )
    rounds: dict[str, list[float]] = {k: [] for k in names}
    pairs = {"all": 0, "larger": 0, "small": 0, "parent cells": 0}
    for r in range(args.repeat):
        t = dict.fromkeys(names, 0.0)
        for (pchunk, psplit), (chunk, split) in itertools.pairwise(levels):
            n = chunk.codes.shape[0]
            P = chunk.codes.shape[1]
            L = split.size
            node_of_row = np.full(n, -1, dtype=np.intp)
            node_of_row[pchunk.e_row] = pchunk.e_node
            parent_of = np.full(L, -1, dtype=np.intp)
            parent_of[chunk.e_node] = node_of_row[chunk.e_row]
            n_ent = np.bincount(chunk.e_node, minlength=L)
            big, small = families(parent_of, n_ent, split)
            work = np.cumsum(n_ent.astype(np.int64) * P)
            fam = np.flatnonzero(np.r_[True, parent_of[1:] != parent_of[:-1]])
            gid = (work[fam] - work[0]) // hc.ENTRY_GROUP
            bounds = np.r_[fam[np.flatnonzero(np.r_[True, gid[1:] != gid[:-1]])], L]
            order = np.argsort(chunk.e_node, kind="stable")
            starts = np.r_[0, np.cumsum(n_ent)]
            scratch = Scratch()
            for a, z in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True):
                ents = order[starts[a] : starts[z]]
                e_node = chunk.e_node[ents]

                c0 = time.process_time()
                row_of, sel, e = node_rows(split, L, a, z, ents, e_node)
                if e.size:
                    hc.entry_cells(chunk, row_of, sel.size, B, K, scratch, e, False, True)
                c1 = time.process_time()
                t["entry_cells all"] += c1 - c0
                if not big[a:z].any():
                    continue
                row_b, sel_b, e_b = node_rows(big, L, a, z, ents, e_node)
                c0 = time.process_time()
                ref = hc.entry_cells(chunk, row_b, sel_b.size, B, K, scratch, e_b, False, True)
                t["entry_cells larger"] += time.process_time() - c0
                # the parents' plain cells (the previous level's by-product: untimed)
                prow = np.full(psplit.size, -1, dtype=np.intp)
                prow[parent_of[sel_b]] = np.arange(sel_b.size)
                pe = np.flatnonzero(prow[pchunk.e_node] >= 0)
                parent = plain_cells(pchunk, pchunk.e_row[pe], prow[pchunk.e_node[pe]], B)
                c0 = time.process_time()
                node_prow = np.where(parent_of >= 0, prow[np.maximum(parent_of, 0)], -1)
                e_s = node_rows(small, L, a, z, ents, e_node, node_prow)[2]
                small_cells = plain_cells(chunk, chunk.e_row[e_s], node_prow[chunk.e_node[e_s]], B)
                c1 = time.process_time()
                derived = derive(parent, small_cells)
                c2 = time.process_time()
                got = runs_of(derived, P, B)
                c3 = time.process_time()
                runs_of(small_cells, P, B)
                rest = split & ~big & ~small
                if rest[a:z].any():
                    row_r, sel_r, e_r = node_rows(rest, L, a, z, ents, e_node)
                    hc.entry_cells(chunk, row_r, sel_r.size, B, K, scratch, e_r, False, True)
                c4 = time.process_time()
                t["plain small"] += c1 - c0
                t["derive larger"] += c2 - c1
                t["runs larger"] += c3 - c2
                t["runs small + rest"] += c4 - c3
                c0 = time.process_time()
                counted = plain_cells(chunk, chunk.e_row[e_b], row_b[chunk.e_node[e_b]], B)
                c1 = time.process_time()
                runs_of(counted, P, B)
                t["plain larger"] += c1 - c0
                t["runs of plain larger"] += time.process_time() - c1
                for name in ("code", "first", "counts", "row", "feature", "seg"):
                    if not np.array_equal(getattr(ref, name), getattr(got, name)):
                        raise AssertionError(f"derived runs differ from entry_cells' in {name}")
                if r == 0:
                    pairs["all"] += e.size * P
                    pairs["larger"] += e_b.size * P
                    pairs["small"] += e_s.size * P
                    pairs["parent cells"] += parent[0].size
        for k in names:
            rounds[k].append(t[k])
    print(f"{args.rows:,} rows, {len(levels)} deep levels, medians of {args.repeat} rounds (CPU s)")
    print("pairs:", {k: f"{v / 1e6:.1f}M" for k, v in pairs.items()})
    for k in names:
        print(f"  {k:24s} {statistics.median(rounds[k]):7.3f}")
    med = {k: statistics.median(v) for k, v in rounds.items()}
    now = med["entry_cells all"]
    derived = now - med["entry_cells larger"] + med["derive larger"] + med["runs larger"]
    through = (med["plain larger"] + med["runs of plain larger"]) / med["entry_cells larger"]
    print(
        f"entry_cells of the levels: now {now:.3f}; with the larger children derived "
        f"{derived:.3f} (counted nodes as now); a counted node through plain cells and "
        f"runs costs {through:.2f}x its entry_cells"
    )


if __name__ == "__main__":
    main()
