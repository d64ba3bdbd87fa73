"""``n_jobs=``: the same tree bit for bit on any number of threads.

The builder sorts and partitions the numeric features, and searches their blocks,
on threads (:mod:`treelearn._threads`). Small levels normally stay in one thread;
here the threshold is lowered to 0 so that every level of the snapshot's
configurations (presets, criteria, ties, weights, NaN, categoricals, J48 options)
is shared out, and the trees are compared array by array with ``n_jobs=1``.
"""

from __future__ import annotations

import itertools
import sys
from pathlib import Path

import joblib
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.datasets import make_classification
from sklearn.utils._param_validation import InvalidParameterError

from treelearn import (
    C45Classifier,
    CARTClassifier,
    DecisionTreeClassifier,
    ID3Classifier,
    _builder,
    _threads,
    load_json,
)

sys.path.insert(0, str(Path(__file__).parent / "snapshot"))
import make_snapshot

ESTIMATORS = (DecisionTreeClassifier, ID3Classifier, CARTClassifier, C45Classifier)


@pytest.fixture
def always_threaded(monkeypatch):
    """Thread every map, however small its work."""
    monkeypatch.setattr(_threads, "MIN_THREADED_ELEMENTS", 0)
    monkeypatch.setattr(_builder, "MIN_THREADED_ELEMENTS", 0)


def _assert_same_tree(a, b, where: str = "") -> None:
    arrays_a, arrays_b = a.tree_.to_arrays(), b.tree_.to_arrays()
    assert arrays_a.keys() == arrays_b.keys()
    for name, arr in arrays_a.items():
        other = arrays_b[name]
        assert arr.dtype == other.dtype, f"{where} {name}"
        # bit for bit: NaN in the same places, every other value equal
        assert arr.tobytes() == other.tobytes(), f"{where} {name} differs"


CONFIGS = make_snapshot.configurations()
SYNTHETIC = set(make_snapshot._synthetic()) | {"mixed_cat"}
PICKED = [
    c for c in CONFIGS if c[0].split("/")[0] in SYNTHETIC or c[0].split("/")[0] in {"iris", "vote"}
]


@pytest.mark.parametrize("name, make, X, y, w", PICKED, ids=[c[0] for c in PICKED])
def test_snapshot_configurations_same_tree_on_threads(name, make, X, y, w, always_threaded):
    one = make().set_params(n_jobs=1).fit(X, y, sample_weight=w)
    two = make().set_params(n_jobs=2).fit(X, y, sample_weight=w)
    _assert_same_tree(one, two, name)
    np.testing.assert_array_equal(one.predict_proba(X), two.predict_proba(X))


def test_every_bundled_data_set_same_tree_on_threads(always_threaded):
    seen = set()
    for name, make, X, y, w in CONFIGS:
        data, preset = name.split("/")
        if data in SYNTHETIC or preset not in {"cart", "c45_default", "id3", "dt"}:
            continue
        seen.add(data)
        one = make().set_params(n_jobs=None).fit(X, y, sample_weight=w)
        three = make().set_params(n_jobs=3).fit(X, y, sample_weight=w)
        _assert_same_tree(one, three, name)
    assert len(seen) == 13


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 2**31 - 1),
    n=st.integers(2, 300),
    p=st.integers(1, 7),
    nan=st.sampled_from([0.0, 0.1]),
    weighted=st.booleans(),
    est=st.sampled_from(ESTIMATORS),
    n_jobs=st.sampled_from([2, 3, -1]),
)
def test_random_data_same_tree_on_threads(seed, n, p, nan, weighted, est, n_jobs):
    rng = np.random.default_rng(seed)
    X = np.round(rng.normal(size=(n, p)), 1)  # ties
    X[rng.random(X.shape) < nan] = np.nan
    y = rng.integers(0, 3, n)
    w = rng.uniform(0.2, 3.0, n) if weighted else None
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(_threads, "MIN_THREADED_ELEMENTS", 0)
        mp.setattr(_builder, "MIN_THREADED_ELEMENTS", 0)
        one = est(n_jobs=1).fit(X, y, sample_weight=w)
        many = est(n_jobs=n_jobs).fit(X, y, sample_weight=w)
    _assert_same_tree(one, many)


@pytest.mark.parametrize("est", ESTIMATORS)
def test_larger_data_threads_without_forcing(est):
    # 20,000 rows x 8 features: the root's and the first levels' work is above
    # the threshold, so the threads are used as in a real fit
    X, y = make_classification(20_000, 8, n_informative=5, n_classes=3, random_state=1)
    X = X.astype(np.float32)
    Xn = X.astype(np.float64)
    Xn[np.random.default_rng(0).random(Xn.shape) < 0.05] = np.nan
    w = np.random.default_rng(1).integers(1, 4, X.shape[0]).astype(float)
    for data, weights in ((X, None), (Xn, None), (X, w)):
        one = est(n_jobs=1).fit(data, y, sample_weight=weights)
        two = est(n_jobs=2).fit(data, y, sample_weight=weights)
        _assert_same_tree(one, two)


def test_multi_output_same_tree_on_threads(always_threaded):
    rng = np.random.default_rng(3)
    X = rng.normal(size=(400, 5))
    Y = np.column_stack([X[:, 0] > 0, (X[:, 1] + X[:, 2] > 0.5).astype(int) + (X[:, 3] > 1)])
    one = DecisionTreeClassifier(n_jobs=1).fit(X, Y)
    two = DecisionTreeClassifier(n_jobs=2).fit(X, Y)
    for name, arr in one.tree_.to_arrays().items():
        assert arr.tobytes() == two.tree_.to_arrays()[name].tobytes(), name


@pytest.mark.parametrize("n_jobs", [None, 1, 2, 5, -1, -2, -100])
def test_effective_n_jobs_as_joblib(n_jobs):
    assert _threads.effective_n_jobs(n_jobs) == joblib.effective_n_jobs(n_jobs)


@pytest.mark.parametrize("est", ESTIMATORS)
def test_n_jobs_is_a_parameter_of_every_estimator(est):
    assert est().get_params()["n_jobs"] is None
    X, y = make_classification(200, 4, random_state=0)
    with pytest.raises(ValueError, match="n_jobs == 0"):
        est(n_jobs=0).fit(X, y)
    with pytest.raises(InvalidParameterError, match="n_jobs"):
        est(n_jobs="two").fit(X, y)
    with pytest.raises(InvalidParameterError, match="n_jobs"):
        est(n_jobs=1.5).fit(X, y)


def test_n_jobs_survives_the_json_round_trip():
    X, y = make_classification(200, 4, random_state=0)
    est = CARTClassifier(n_jobs=2).fit(X, y)
    again = load_json(est.to_json())
    assert again.get_params()["n_jobs"] == 2
    np.testing.assert_array_equal(again.predict_proba(X), est.predict_proba(X))


def test_workers_keep_order_and_raise_the_first_error():
    with _threads.Workers(2) as workers:
        assert workers.map(lambda i: i * i, range(50), elements=10**9) == [i * i for i in range(50)]

        def fail(i):
            if i in (3, 7):
                raise KeyError(i)
            return i

        with pytest.raises(KeyError, match="3"):
            workers.map(fail, range(10), elements=10**9)
    assert workers._pool is None  # the threads ended with the block


@settings(max_examples=200, deadline=None)
@given(n=st.integers(0, 300_000), threads=st.integers(1, 5))
def test_slices_cover_the_positions_in_even_pieces(n, threads):
    pieces = _threads.Workers(threads).slices(n)
    assert [p.step for p in pieces] == [None] * len(pieces)
    assert pieces[0].start == 0 and pieces[-1].stop == n
    assert all(a.stop == b.start for a, b in itertools.pairwise(pieces))
    sizes = [p.stop - p.start for p in pieces]
    assert max(sizes) - min(sizes) <= 1
    threaded = threads > 1 and n >= _threads.MIN_THREADED_ELEMENTS
    assert len(pieces) == (min(threads, n) if threaded else 1)
    assert n == 0 or min(sizes) > 0


@pytest.mark.parametrize("order", ["C", "F", "view"])
def test_routing_in_pieces_same_tree_for_any_memory_order(order, always_threaded):
    # the level's entries are routed in pieces on the threads, reading X's values
    # by flat position (C or F order) or by fancy indexing (a strided view)
    rng = np.random.default_rng(5)
    X, y = make_classification(3000, 12, n_informative=6, n_classes=3, random_state=2)
    X = X.astype(np.float32)
    X[rng.random(X.shape) < 0.02] = np.nan
    ref = DecisionTreeClassifier(n_jobs=1).fit(np.ascontiguousarray(X[:, ::2]), y)
    data = {"C": np.ascontiguousarray(X[:, ::2]), "F": np.asfortranarray(X[:, ::2]),
            "view": X[:, ::2]}[order]  # fmt: skip
    for est in (DecisionTreeClassifier, CARTClassifier, C45Classifier):
        one = est(n_jobs=1).fit(data, y)
        two = est(n_jobs=2).fit(data, y)
        _assert_same_tree(one, two, f"{est.__name__} {order}")
    _assert_same_tree(ref, DecisionTreeClassifier(n_jobs=2).fit(data, y), order)


# -- memory: the sorted store keeps float32 values where that is exact --------------------


def test_store_keeps_float32_values_only_where_exact():
    from treelearn import _partition

    rng = np.random.default_rng(0)
    x32 = rng.normal(size=50).astype(np.float32).astype(np.float64)
    X = np.column_stack([x32, rng.normal(size=50), np.r_[np.nan, x32[1:]], np.full(50, 1e300)])
    store = _partition.presort(X, np.arange(4), rng.integers(0, 2, 50), np.ones(50), 2)
    assert [v.dtype for v in store.values] == [np.float32, np.float64, np.float32, np.float64]
    for r in range(4):
        order = store.entries[r]
        np.testing.assert_array_equal(store.float_values(r), X[order, r])
        assert store.float_values(r).dtype == np.float64


@pytest.mark.parametrize("est", ESTIMATORS)
def test_float32_store_grows_the_float64_stores_tree(est, monkeypatch):
    from treelearn import _partition

    X, y = make_classification(3000, 6, n_informative=4, n_classes=3, random_state=2)
    X = X.astype(np.float32)
    Xn = X.copy()
    Xn[np.random.default_rng(0).random(Xn.shape) < 0.05] = np.nan
    w = np.random.default_rng(1).uniform(0.5, 2.0, X.shape[0])
    for data, weights in ((X, None), (Xn, None), (X, w), (np.round(X, 1), None)):
        narrow = est().fit(data, y, sample_weight=weights)
        with monkeypatch.context() as mp:
            mp.setattr(_partition, "_narrow", lambda values: values)
            wide = est().fit(data, y, sample_weight=weights)
        _assert_same_tree(narrow, wide)
