"""Every implementation of the store's stable partition gives the invariant's result.

``treelearn._partition`` has several equivalent paths (rows, packed, coded, slots,
copies; ranks by cumsum or by sort). Each is forced on random levels and compared
with ``reference_partition``, the invariant written as a plain stable sort.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from treelearn import _partition as P
from treelearn import _threads


def _level(
    rng: np.random.Generator, *, multiway: bool, copies: bool, weighted: bool,
    one_split: bool = False, drops: bool = False,
):  # fmt: skip
    """A random level: a store sorted by (node, value) and a move of its entries
    (``one_split``: exactly one node splits, in two; ``drops``: some entries of split
    nodes go to no child, as a surrogate split's cases without a direction)."""
    n_rows = int(rng.integers(5, 60))
    n_nodes = int(rng.integers(1, 6))
    local = np.sort(rng.integers(0, n_nodes, n_rows))
    n_ent = np.bincount(local, minlength=n_nodes)
    n_children = np.where(rng.random(n_nodes) < 0.75, 2, 0)
    if multiway:
        n_children = np.where(n_children > 0, rng.integers(2, 5, n_nodes), 0)
    if not n_children.any():
        n_children[0] = 2
    if one_split:
        n_children = np.where(np.arange(n_nodes) == rng.integers(0, n_nodes), 2, 0)
    first = np.cumsum(n_children) - n_children
    first_child = np.where(n_children > 0, first, -1)
    n_next = int(n_children.sum())
    rows = rng.permutation(n_rows)  # entries are rows, in a random row order
    weights = rng.uniform(0.5, 2.0, n_rows) if weighted else np.ones(n_rows)
    new_node, new_w, count = [], [], np.zeros(n_rows, dtype=np.intp)
    for e in range(n_rows):
        v = local[e]
        if n_children[v] == 0 or (drops and rng.random() < 0.15):
            continue
        if copies and rng.random() < 0.3:  # a missing value: copied into every child
            share = rng.dirichlet(np.ones(n_children[v]))
            for k in range(n_children[v]):
                new_node.append(first[v] + k)
                new_w.append(weights[e] * share[k])
            count[e] = n_children[v]
        else:
            new_node.append(first[v] + int(rng.integers(0, n_children[v])))
            new_w.append(weights[e])
            count[e] = 1
    move = P.Move(
        local=local,
        rows=rows,
        weights=weights,
        n_entries=n_ent,
        n_children=n_children,
        first_child=first_child,
        copies=count,
        new_node=np.asarray(new_node, dtype=np.intp),
        new_weights=np.asarray(new_w, dtype=np.float64),
        n_next=n_next,
    )
    # two numeric features, each sorted by (node, value) with ties and NaN
    entries, values, ws = [], [], []
    labels = rng.integers(0, 3, n_rows).astype(np.int8)  # one class per row
    for _ in range(2):
        x = np.round(rng.normal(size=n_rows), 1)
        x[rng.random(n_rows) < 0.1] = np.nan
        pos = np.lexsort((np.arange(n_rows), np.where(np.isnan(x), np.inf, x), local))
        entries.append(rows[pos].astype(np.int32))
        values.append(x[pos])
        ws.append(weights[pos])
    store = P.SortedStore(entries, values, labels, ws if weighted else None, n_rows=n_rows)
    return store, move


def _same(a: P.SortedStore, b: P.SortedStore) -> None:
    for r in range(len(a.entries)):
        np.testing.assert_array_equal(a.entries[r], b.entries[r])
        np.testing.assert_array_equal(a.values[r], b.values[r])
        np.testing.assert_array_equal(a.labels_at(r), b.labels_at(r))
        if a.weights is not None or b.weights is not None:
            np.testing.assert_array_equal(a.weights[r], b.weights[r])


def _applicable(store: P.SortedStore, move: P.Move):
    binary = int(move.n_children.max()) <= 2
    no_copies = bool(np.all(move.copies <= 1))
    unchanged = np.array_equal(move.new_weights, move.weights[move.copies > 0])
    out = []
    if binary and no_copies and unchanged:
        out.append(("rows", None))
    if no_copies:
        if binary:
            out += [("packed", "cumsum"), ("packed", "sort"), ("coded", "cumsum")]
            out += [("coded", "sort")]
        out += [("slots", "sort")] + ([("slots", "cumsum")] if binary else [])
    out += [("copies", "sort")] + ([("copies", "cumsum")] if binary else [])
    return out


def _compare_paths(seed: int, workers: _threads.Workers | None = None, **kind) -> int:
    rng = np.random.default_rng(seed)
    store, move = _level(rng, **kind)
    expected = P.reference_partition(store, move)
    tried = _compare_paths_on(store, move, expected, _applicable(store, move), workers)
    chosen = copy.deepcopy(store)
    P.partition(chosen, move)  # the default choice is one of them
    assert P.choose_path(store, move) in P.PATHS
    return tried


def _compare_paths_on(store, move, expected, paths, workers=None) -> int:
    tried = 0
    for path, rank in paths:
        got = copy.deepcopy(store)
        if path == "rows":
            # the rows path keeps row ids; the reference numbers entries
            P.partition(got, move, path="rows", workers=workers)
            entry_of_row = np.full(store.n_rows, -1)
            new_start = np.cumsum(move.copies) - move.copies
            entry_of_row[move.rows] = new_start
            got.entries = [entry_of_row[e].astype(np.int32) for e in got.entries]
            kept = move.rows[move.copies > 0]  # the labels of the renumbered entries
            got.entry_labels = np.empty(int(move.copies.sum()), dtype=store.entry_labels.dtype)
            got.entry_labels[entry_of_row[kept]] = store.entry_labels[kept]
        else:
            P.partition(got, move, path=path, rank=rank, workers=workers)
        _same(got, expected)
        tried += 1
    return tried


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    multiway=st.booleans(),
    copies=st.booleans(),
    weighted=st.booleans(),
)
def test_every_path_equals_the_reference(seed, multiway, copies, weighted):
    assert _compare_paths(seed, multiway=multiway, copies=copies, weighted=weighted) >= 1


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), weighted=st.booleans(), one_split=st.booleans())
def test_rows_path_drops_entries_that_go_to_no_child(seed, weighted, one_split):
    # surrogate splits: a case that no surrogate sends, at a node without a majority
    # direction, goes to no child; the rows path deletes it and keeps the store's rows
    rng = np.random.default_rng(seed)
    store, move = _level(
        rng, multiway=False, copies=False, weighted=weighted, one_split=one_split, drops=True
    )
    assert P.choose_path(store, move) == "rows"
    expected = P.reference_partition(store, move)
    _compare_paths_on(store, move, expected, _applicable(store, move))
    got = copy.deepcopy(store)
    P.partition(got, move)
    assert got.by_row


@settings(max_examples=30, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    multiway=st.booleans(),
    copies=st.booleans(),
    weighted=st.booleans(),
)
def test_every_path_on_threads_equals_the_reference(seed, multiway, copies, weighted):
    # n_jobs: each feature partitioned on its own thread (even tiny levels)
    with pytest.MonkeyPatch.context() as mp, _threads.Workers(3) as workers:
        mp.setattr(_threads, "MIN_THREADED_ELEMENTS", 0)
        kind = {"multiway": multiway, "copies": copies, "weighted": weighted}
        assert _compare_paths(seed, workers, **kind) >= 1


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), per_feature=st.booleans())
def test_rows_path_with_float32_and_float64_features(seed, per_feature):
    # the "rows" path moves small levels' features together, values grouped by dtype
    # (per_feature: one feature at a time, as on large levels)
    rng = np.random.default_rng(seed)
    store, move = _level(rng, multiway=False, copies=False, weighted=False)
    store.entries.append(store.entries[0].copy())
    store.values.append(store.values[0].astype(np.float32))
    expected = P.reference_partition(store, move)
    with pytest.MonkeyPatch.context() as mp:
        if per_feature:
            mp.setattr(_threads, "MIN_THREADED_ELEMENTS", 0)
        _compare_paths_on(store, move, expected, [("rows", None)])
    assert [v.dtype for v in store.values] == [np.float64, np.float64, np.float32]


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n_features=st.sampled_from([1, 3]), weighted=st.booleans())
@example(seed=479843872, n_features=3, weighted=False)  # the splitting node has no entries
def test_rows_path_where_one_node_splits(seed, n_features, weighted):
    # a chain's levels: one node splits (the others become leaves), moved by a
    # stable sort of its sides
    rng = np.random.default_rng(seed)
    store, move = _level(rng, multiway=False, copies=False, weighted=weighted, one_split=True)
    store.entries, store.values = store.entries[:1], store.values[:1]
    if store.weights is not None:
        store.weights = store.weights[:1]
    for _ in range(n_features - 1):  # float64 and float32 features side by side
        store.entries.append(store.entries[0].copy())
        store.values.append(store.values[0].astype(np.float32))
        if store.weights is not None:
            store.weights.append(store.weights[0].copy())
    expected = P.reference_partition(store, move)
    _compare_paths_on(store, move, expected, [("rows", None)])


def test_each_path_is_exercised():
    seen = set()
    for seed in range(40):
        for multiway in (False, True):
            for copies_ in (False, True):
                rng = np.random.default_rng(seed)
                store, move = _level(rng, multiway=multiway, copies=copies_, weighted=False)
                seen.update(p for p, _ in _applicable(store, move))
                _compare_paths(seed, multiway=multiway, copies=copies_, weighted=False)
    assert seen == set(P.PATHS)


def test_builder_takes_the_rows_path_then_entries(monkeypatch):
    """Fits go through the rows path until a row is copied, then the entry paths."""
    from treelearn import C45Classifier, DecisionTreeClassifier
    from treelearn.datasets import load_dataset

    used = []
    original = P.partition

    def spy(store, move, *, path=None, rank=None, workers=None):
        used.append(P.choose_path(store, move) if path is None else path)
        return original(store, move, path=path, rank=rank, workers=workers)

    monkeypatch.setattr(P, "partition", spy)
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 3))
    y = (X[:, 0] + rng.normal(size=300) > 0).astype(int)
    DecisionTreeClassifier().fit(X, y)
    assert set(used) == {"rows"}
    X[rng.random(X.shape) < 0.1] = np.nan
    DecisionTreeClassifier(missing_values="fractional").fit(X, y)
    assert "copies" in used
    used.clear()
    X, y = load_dataset("labor", return_X_y=True)
    C45Classifier(pruning=None).fit(X, y)
    assert set(used) - {"rows"}


def test_bad_forced_path_is_refused():
    rng = np.random.default_rng(3)
    store, move = _level(rng, multiway=True, copies=True, weighted=False)
    with pytest.raises(ValueError, match="path"):
        P.partition(copy.deepcopy(store), move, path="nope")
    if int(move.n_children.max()) > 2:
        with pytest.raises(ValueError, match="binary"):
            P.partition(copy.deepcopy(store), move, path="coded")


@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(0, 80),
    levels=st.integers(1, 12),
    nan_share=st.sampled_from([0.0, 0.02, 0.3, 1.0]),
    dtype=st.sampled_from([np.float32, np.float64]),
)
@settings(max_examples=200, deadline=None)
def test_stable_argsort_is_numpys_stable_sort_with_missing_values(
    seed, n, levels, nan_share, dtype
):
    """Ties in row order and NaN last in row order, as ``np.argsort(kind="stable")``
    (the missing values are left out of the sort, which numpy runs slower with NaN)."""
    rng = np.random.default_rng(seed)
    x = rng.integers(0, levels, n).astype(dtype)
    if levels > 8:
        x = rng.standard_normal(n).astype(dtype)
    x[rng.random(n) < nan_share] = np.nan
    np.testing.assert_array_equal(P.stable_argsort(x), np.argsort(x, kind="stable"))
