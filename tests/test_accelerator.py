"""The optional compiled kernels grow the numpy builder's trees, bit for bit.

``TREELEARN_ACCELERATOR=on`` runs the exact builder's numeric search (built-in
``Gini`` and ``InformationGain``, unit weights, no missing value) and its ``"rows"``
partition as numba kernels (:mod:`treelearn._numba_kernels`); ``off`` runs numpy
only. Every case is fitted both ways and compared array by array: the snapshot's
332 configurations (presets, criteria, ties, weights, missing values, categoricals,
J48 options), ``make_classification`` data with many ties, threads, and random data
drawn by hypothesis. A forced fallback (every node handed back to numpy) and the
mode switch are tested too.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.datasets import make_classification

from treelearn import CARTClassifier, DecisionTreeClassifier, ID3Classifier, _accelerator

sys.path.insert(0, str(Path(__file__).parent / "snapshot"))
import make_snapshot

numba = pytest.importorskip("numba")
from treelearn import _numba_kernels  # noqa: E402 (numba is there)


def _fit(monkeypatch, mode: str, make, X, y, **fit):
    monkeypatch.setenv(_accelerator.ENV, mode)
    return make().fit(X, y, **fit)


def _assert_same_tree(a, b, where: str = "") -> None:
    arrays_a, arrays_b = a.tree_.to_arrays(), b.tree_.to_arrays()
    assert arrays_a.keys() == arrays_b.keys()
    for name, arr in arrays_a.items():
        assert arr.tobytes() == arrays_b[name].tobytes(), f"{where} {name} differs"


@pytest.fixture
def counted(monkeypatch):
    """Counts of the compiled search's answers: splits, none, or a fallback."""
    calls = {"compiled": 0, "fallback": 0}
    search = _numba_kernels.search_block

    def counting(*args):
        found = search(*args)
        calls["fallback" if found is _numba_kernels.FALLBACK else "compiled"] += 1
        return found

    monkeypatch.setattr(_numba_kernels, "search_block", counting)
    return calls


def test_snapshot_configurations_are_unchanged(monkeypatch) -> None:
    """The snapshot's digests, computed with the kernels on, are the stored ones."""
    expected = json.loads(make_snapshot.DIGESTS.read_text())
    here = ".".join(np.__version__.split(".")[:2])
    if expected["numpy"] != here:
        pytest.skip(f"digests were written under numpy {expected['numpy']}, this is {here}")
    monkeypatch.setenv(_accelerator.ENV, "on")
    diff = make_snapshot.differences(expected, make_snapshot.compute())
    assert not diff, "\n".join(diff[:40])


@pytest.mark.parametrize("criterion", ["entropy", "gini"])
@pytest.mark.parametrize("n_classes", [2, 3, 5, 11])
@pytest.mark.parametrize("decimals", [None, 1, 0])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_same_tree_as_numpy(monkeypatch, counted, criterion, n_classes, decimals, dtype) -> None:
    X, y = make_classification(
        4000, 8, n_informative=6, n_classes=n_classes, n_clusters_per_class=1, random_state=3
    )
    if decimals is not None:  # many tied values, impure value blocks
        X = X.round(decimals)
    X = X.astype(dtype)

    def make():
        return DecisionTreeClassifier(criterion=criterion)

    numpy_tree = _fit(monkeypatch, "off", make, X, y)
    assert counted["compiled"] == 0
    compiled = _fit(monkeypatch, "on", make, X, y)
    assert counted["compiled"] > 0
    _assert_same_tree(numpy_tree, compiled)
    np.testing.assert_array_equal(numpy_tree.predict_proba(X), compiled.predict_proba(X))


@pytest.mark.parametrize(
    "make",
    [
        lambda: DecisionTreeClassifier(criterion="gini", min_samples_leaf=5, max_depth=6),
        lambda: DecisionTreeClassifier(criterion="entropy", min_samples_split=20, n_jobs=2),
        lambda: DecisionTreeClassifier(criterion="gini", max_leaf_nodes=40),
        lambda: DecisionTreeClassifier(criterion="gini", class_weight="balanced"),
        lambda: DecisionTreeClassifier(criterion="hellinger"),
        lambda: DecisionTreeClassifier(criterion="entropy", splitter="random", random_state=0),
        lambda: ID3Classifier(n_jobs=2),
        lambda: CARTClassifier(ccp_alpha=0.001),
    ],
)
def test_rules_threads_and_other_criteria(monkeypatch, make) -> None:
    X, y = make_classification(3000, 10, n_informative=6, n_classes=3, random_state=7)
    X = X.round(1).astype(np.float32)
    _assert_same_tree(_fit(monkeypatch, "off", make, X, y), _fit(monkeypatch, "on", make, X, y))


def test_weights_and_missing_values_take_numpy(monkeypatch, counted) -> None:
    X, y = make_classification(2000, 6, n_informative=4, n_classes=3, random_state=1)
    w = np.random.default_rng(0).integers(1, 4, size=y.size).astype(float)
    Xn = X.copy()
    Xn[np.random.default_rng(1).random(X.shape) < 0.05] = np.nan

    def make():
        return DecisionTreeClassifier(criterion="gini")

    for data, fit in [((X, y), {"sample_weight": w}), ((Xn, y), {})]:
        a = _fit(monkeypatch, "off", make, *data, **fit)
        b = _fit(monkeypatch, "on", make, *data, **fit)
        _assert_same_tree(a, b)


def test_a_fallback_hands_every_node_to_numpy(monkeypatch, counted) -> None:
    """With the rounding band as wide as the tie band, every search falls back."""
    X, y = make_classification(3000, 6, n_informative=4, n_classes=3, random_state=2)

    def make():
        return DecisionTreeClassifier(criterion="entropy")

    numpy_tree = _fit(monkeypatch, "off", make, X, y)
    monkeypatch.setattr(_numba_kernels, "rank_rounding", lambda n, k: np.full(np.shape(n), 1e300))
    compiled = _fit(monkeypatch, "on", make, X, y)
    assert counted["fallback"] > 0 and counted["compiled"] == 0
    _assert_same_tree(numpy_tree, compiled)


def _one_segment(values, labels, tol, margin, mode):
    """The search kernel on one node: (answer, has, win)."""
    n, K = len(values), int(max(labels)) + 1
    has, win = np.zeros(1, dtype=np.bool_), np.zeros(1, dtype=np.int64)
    answer = _numba_kernels._search_feature(
        np.asarray(values, dtype=np.float64), np.arange(n, dtype=np.int32),
        np.asarray(labels, dtype=np.int8), 0, np.zeros(1, dtype=np.int64),
        np.full(1, n, dtype=np.int64), np.ones(1, dtype=np.bool_), 1e-7,
        np.full(1, tol), np.full(1, margin), K, mode, has, win,
        np.zeros((1, K), dtype=np.int64), np.zeros((1, K), dtype=np.int64), np.zeros(1),
        np.zeros(1), _numba_kernels._xlogx(n), np.empty(n, dtype=np.int8),
        np.empty(n, dtype=np.int8), np.empty(n, dtype=np.int8), np.empty(n),
        np.empty(n, dtype=np.int32),
    )  # fmt: skip
    return answer, bool(has[0]), int(win[0])


@pytest.mark.parametrize("mode", [_numba_kernels.MODE_GINI, _numba_kernels.MODE_ENTROPY])
def test_a_rival_at_the_tie_band_edge_falls_back(mode) -> None:
    """Labels 1 0 0 0 1 1 at values 0..5: two candidate cuts, after position 0
    (rank r0) and after position 3 (the best, r3 > r0). A tie tolerance of exactly
    r3 - r0 puts the earlier cut on the band's edge: the kernel gives up (1) and
    numpy decides. Just inside the band the earlier cut wins, just outside the best."""
    values, labels = [0, 1, 2, 3, 4, 5], [1, 0, 0, 0, 1, 1]

    def rank(left, right):
        if mode == _numba_kernels.MODE_ENTROPY:
            t = _numba_kernels._xlogx(6)
            return -((t[sum(left)] - sum(t[c] for c in left))
                     + (t[sum(right)] - sum(t[c] for c in right)))  # fmt: skip
        return -sum(sum(s) * (1 - sum(c * c for c in s) / sum(s) ** 2) for s in (left, right))

    r0, r3 = rank([0, 1], [3, 2]), rank([3, 1], [0, 2])
    assert r0 < r3
    band = r3 - r0
    assert _one_segment(values, labels, band, 1e-9, mode)[0] == 1
    assert _one_segment(values, labels, band * 0.999, 0.0, mode) == (0, True, 3)
    assert _one_segment(values, labels, band * 1.001, 0.0, mode) == (0, True, 0)
    # a margin that does not reach the edge changes nothing
    assert _one_segment(values, labels, band * 0.999, band * 0.0001, mode) == (0, True, 3)


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**31 - 1),
    n=st.integers(2, 300),
    n_classes=st.integers(2, 6),
    levels=st.integers(1, 12),
    criterion=st.sampled_from(["entropy", "gini"]),
)
def test_random_data(seed, n, n_classes, levels, criterion) -> None:
    rng = np.random.default_rng(seed)
    X = rng.integers(0, levels, size=(n, 3)).astype(np.float64)  # many ties
    y = rng.integers(0, n_classes, size=n)
    with pytest.MonkeyPatch.context() as monkeypatch:
        a = _fit(monkeypatch, "off", lambda: DecisionTreeClassifier(criterion=criterion), X, y)
        b = _fit(monkeypatch, "on", lambda: DecisionTreeClassifier(criterion=criterion), X, y)
    _assert_same_tree(a, b)


def test_modes(monkeypatch) -> None:
    monkeypatch.setenv(_accelerator.ENV, "off")
    assert not _accelerator.wanted(10**9)
    monkeypatch.setenv(_accelerator.ENV, "auto")
    assert not _accelerator.wanted(_accelerator.MIN_ROWS - 1)
    assert _accelerator.wanted(_accelerator.MIN_ROWS)
    monkeypatch.setenv(_accelerator.ENV, "on")
    assert _accelerator.wanted(1)
    monkeypatch.setenv(_accelerator.ENV, "fast")
    with pytest.raises(ValueError, match="TREELEARN_ACCELERATOR must be one of auto, on, off"):
        _accelerator.wanted(1)
    X, y = np.arange(10.0).reshape(-1, 1), np.arange(10) % 2
    with pytest.raises(ValueError, match="TREELEARN_ACCELERATOR"):
        DecisionTreeClassifier().fit(X, y)


def test_without_numba(monkeypatch) -> None:
    """``auto`` quietly runs numpy; ``on`` says how to install numba."""
    monkeypatch.setattr(_accelerator, "numba_installed", lambda: False)
    monkeypatch.setenv(_accelerator.ENV, "auto")
    assert not _accelerator.wanted(10**9)
    monkeypatch.setenv(_accelerator.ENV, "on")
    with pytest.raises(ImportError, match=r"pip install 'treelearn\[fast\]'"):
        DecisionTreeClassifier().fit(np.arange(10.0).reshape(-1, 1), np.arange(10) % 2)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("nan", [0.0, 0.02])
def test_prediction_is_numpys(monkeypatch, dtype, nan) -> None:
    """The compiled descent (rows without a missing value, numeric splits) lands every
    row in numpy's leaf: apply, predict_proba and decision_path agree, for float32
    and float64 X, with and without rows that have a NaN (those take numpy's walk)."""
    X, y = make_classification(5000, 10, n_informative=6, n_classes=3, random_state=5)
    X = X.round(2).astype(dtype)
    if nan:
        X[np.random.default_rng(0).random(X.shape) < nan] = np.nan
    monkeypatch.setenv(_accelerator.ENV, "off")
    est = DecisionTreeClassifier(max_depth=30).fit(X, y)
    Q = np.concatenate([X, X + dtype(0.005), np.full((2, 10), 1e30, dtype=dtype), -X[:2]])
    expected = est.apply(Q), est.predict_proba(Q), est.decision_path(Q).toarray()
    monkeypatch.setenv(_accelerator.ENV, "on")
    got = est.apply(Q), est.predict_proba(Q), est.decision_path(Q).toarray()
    for a, b in zip(expected, got, strict=True):
        np.testing.assert_array_equal(a, b)


def test_prediction_of_a_single_leaf(monkeypatch) -> None:
    monkeypatch.setenv(_accelerator.ENV, "on")
    est = DecisionTreeClassifier().fit(np.zeros((5, 2)), np.zeros(5, dtype=int))
    np.testing.assert_array_equal(est.apply(np.ones((4, 2))), np.zeros(4))
