"""C4.5's threshold relocation on values within 1e-6 of each other (issue 18's hang).

J48 moves a threshold to its running maximum over the training values (which moves
only by more than 1e-6). On issue 18's data that is -1e-9, below four zeros: treelearn
sent the zeros right with the 0.5, the child split the same way again, and the level
loop never ended. The builder now makes a node a leaf when its split would send all of
its entries to one child, whatever the rule that placed the threshold (tested with
rules that always misplace it, and by a fuzzer of tiny weighted data with values
within 1e-6). The fixtures in ``tests/fixtures/j48_hostile`` are J48's output on these
data (see the README there): its final tree on the hang is treelearn's.

Known difference, not fixed here: J48 sends ``x`` left when ``x - t < 1e-6``
(``Utils.smOrEq`` in ``C45Split.whichSubset``), so values within 1e-6 above the
relocated threshold go left with it; treelearn routes ``x <= t`` everywhere (builder,
``Tree`` descent, pruning, JSON, ``to_sklearn``). Storing the largest value J48 sends
left instead would print thresholds J48 does not print (segment: 0.833336 for J48's
0.833335), so the faithful fix is a C4.5 routing tolerance in the descent; the
``xfail`` tests below say where the trees differ.
"""

from __future__ import annotations

import signal
import textwrap
from pathlib import Path
from unittest import mock

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from j48_reference import format_tree, parse_summary, parse_tree, read_weighted_arff
from limited import run_limited

import treelearn._classes
from treelearn import C45Classifier
from treelearn.export import export_text

HERE = Path(__file__).resolve().parent / "fixtures" / "j48_hostile"
STEMS = ["relocation", "relocation_pure"]
SETTINGS = {"default": {}, "U": {"pruning": None}}


def _read_weighted_arff(stem: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The numeric columns, the class and the ``{w}`` weight of each data row."""
    X, y, w = read_weighted_arff(HERE / f"{stem}.arff")
    return np.array(X), np.array(y), np.array(w)


def _j48(stem: str, setting: str) -> str:
    return (HERE / f"{stem}_{setting}.txt").read_text()


TOLERANT_ROUTING = pytest.mark.xfail(
    strict=True, reason="J48 routes x - t < 1e-6 left; treelearn x <= t (module docstring)"
)


@pytest.mark.parametrize("setting", list(SETTINGS))
@pytest.mark.parametrize(
    "stem", ["relocation", pytest.param("relocation_pure", marks=TOLERANT_ROUTING)]
)
def test_same_tree_as_j48(stem, setting):
    X, y, w = _read_weighted_arff(stem)
    text = _j48(stem, setting)
    est = C45Classifier(**SETTINGS[setting]).fit(X, y, sample_weight=w)
    expected = format_tree(parse_tree(text), header=False)
    assert export_text(est, layout="j48", feature_names=["a", "b"]).strip() == expected.strip()
    summary = parse_summary(text)
    assert (est.get_n_leaves(), est.tree_.node_count) == (summary.n_leaves, summary.size)


@TOLERANT_ROUTING
@pytest.mark.parametrize("stem", STEMS)
def test_grown_tree_before_collapse_is_j48s(stem, monkeypatch):
    # RawJ48.java prints the tree J48 grows before collapse() and pruning
    monkeypatch.setattr(treelearn._classes, "collapse", lambda tree: tree)
    X, y, w = _read_weighted_arff(stem)
    est = C45Classifier(pruning=None).fit(X, y, sample_weight=w)
    tree_lines = _j48(stem, "raw").split("Number of Leaves")[0]
    expected = format_tree(parse_tree(tree_lines), header=False)
    assert export_text(est, layout="j48", feature_names=["a", "b"]).strip() == expected.strip()


def test_the_hang_finishes_in_a_subprocess():
    out = run_limited(
        textwrap.dedent("""
        import numpy as np
        from treelearn import C45Classifier
        X = [[-27.5, -2.5], [-2.5, -2.5], [0.5, 0], [-1e-9, 0], [0, 0], [0, 0], [0, 0], [0, 0]]
        m = C45Classifier().fit(X, [0, 0, 0, 0, 0, 0, 0, 1], sample_weight=[1, 1, 2, 1, 1, 1, 1, 1])
        print(m.tree_.node_count)
        """),
        seconds=60,
    )
    assert out.split() == ["1"]  # J48: ": 0 (9.0/1.0)"


@pytest.mark.parametrize(
    "estimator", ["C45Classifier()", "DecisionTreeClassifier()", "CARTClassifier()"]
)
def test_a_split_that_sends_every_entry_one_way_becomes_a_leaf(estimator):
    # rules that put every threshold below the node's values: each split would send
    # all entries right, and its child would be the node again
    out = run_limited(
        textwrap.dedent(f"""
        import numpy as np
        import treelearn as tl
        from treelearn import _c45_rules, _growth_rules
        below = lambda self, feature, lo, hi: np.full(np.shape(lo), -1e30)
        _growth_rules.GrowthRules.place_thresholds = below
        _growth_rules.SklearnRules.place_thresholds = below
        _c45_rules.C45Rules.place_thresholds = below
        rng = np.random.default_rng(0)
        X = rng.normal(size=(60, 3))
        y = (X[:, 0] > 0).astype(int)
        m = tl.{estimator}.fit(X, y)
        print(m.tree_.node_count, m.score(X, y) >= 0.5)
        """),
        seconds=60,
    )
    assert out.split() == ["1", "True"]


# -- a fuzzer for the C4.5 path: tiny weighted data with values within 1e-6 ----------
NEAR_TIES = st.sampled_from(
    [0.0, -1e-9, 1e-9, 4e-7, -4e-7, 9e-7, 1e-6, 1.1e-6, 2e-6, 0.5, -2.5, 1.0, 1.0 + 5e-7]
)


@st.composite
def near_tie_data(draw):
    n = draw(st.integers(4, 14))
    p = draw(st.integers(1, 2))
    X = np.array(
        draw(st.lists(st.lists(NEAR_TIES, min_size=p, max_size=p), min_size=n, max_size=n))
    )
    y = np.array(draw(st.lists(st.integers(0, 2), min_size=n, max_size=n)))
    w = np.array(draw(st.lists(st.sampled_from([1.0, 2.0, 0.5, 3.0]), min_size=n, max_size=n)))
    return X, y, w


class _TimedOut(Exception):
    pass


def _alarm(signum, frame):
    raise _TimedOut


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=near_tie_data(),
    leaf=st.sampled_from([0.5, 1, 2]),
    pruning=st.sampled_from([None, "error_based"]),
)
def test_fuzz_c45_near_ties_finish_and_make_progress(data, leaf, pruning):
    X, y, w = data
    if np.unique(y).size < 2:
        y = y.copy()
        y[0] = 1 - y[0] if y[0] < 2 else 0
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, 20.0)
    try:
        # uncollapsed, so that the grown tree is seen
        with mock.patch.object(treelearn._classes, "collapse", lambda tree: tree):
            est = C45Classifier(min_samples_leaf=leaf, pruning=pruning).fit(X, y, sample_weight=w)
    except _TimedOut:
        pytest.fail("C45Classifier.fit did not finish within 20 s")
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    tree = est.tree_
    if pruning is None:  # the grown tree: every child is lighter than its parent
        weight = tree.value.sum(axis=1) if tree.value.ndim == 2 else tree.value.sum(axis=-1)
        for node in np.flatnonzero(tree.n_children > 0):
            kids = tree.first_child[node] + np.arange(tree.n_children[node])
            assert (weight[kids] < weight[node] - 1e-9).all()
    # each training row reaches a leaf whose threshold path it satisfies
    assert (tree.n_children[est.apply(X)] == 0).all()


def test_where_j48_itself_recurses_forever_the_guard_makes_a_leaf(monkeypatch):
    # J48 sees no cut between 0 and 1e-6 (they differ by exactly its 1e-6) and its
    # running maximum stays at 0; the node {1e-6, 0.5} splits between them, the
    # threshold relocates to 0 and both rows go right, forever (J48: a
    # StackOverflowError). treelearn's guard makes that node a leaf.
    assert _j48("chain_edge", "raw").startswith(
        'Exception in thread "main" java.lang.StackOverflowError'
    )
    monkeypatch.setattr(treelearn._classes, "collapse", lambda tree: tree)
    X = np.array([[0.0], [0.0], [0.0], [0.0], [1e-6], [0.5]])
    est = C45Classifier(min_samples_leaf=1, pruning=None).fit(X, [0, 0, 0, 0, 0, 1])
    assert export_text(est, layout="j48", feature_names=["a"]).strip().splitlines() == [
        "a <= 0: 0 (4.0)",
        "a > 0: 0 (2.0/1.0)",
    ]


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    chained=st.lists(st.booleans(), min_size=1, max_size=4),
)
def test_thresholds_of_several_features_at_once_are_each_features(seed, chained):
    """``C45Rules.place_thresholds_of`` (one search over every feature's values)
    places each cut as ``place_thresholds`` of its own feature does, with and
    without values within 1e-6 of each other (chains replayed per feature)."""
    from treelearn._c45_rules import C45Rules

    rng = np.random.default_rng(seed)
    n = 40
    columns = []
    for has_chain in chained:
        x = np.round(rng.normal(size=n), 2)
        if has_chain:  # values 4e-7 apart, first met in a random order
            x[: n // 2] = np.round(x[0], 2) + rng.integers(0, 4, n // 2) * 4e-7
        x[rng.random(n) < 0.1] = np.nan
        columns.append(x)
    X = np.column_stack(columns)
    F = X.shape[1]
    rules = C45Rules.from_data(X, np.zeros(F, dtype=bool), np.zeros(F, dtype=np.int64), 2.0, 2)
    features = rng.integers(0, F, 30)
    lo = np.empty(30)
    hi = np.empty(30)
    for c, f in enumerate(features.tolist()):
        values = np.unique(X[~np.isnan(X[:, f]), f])
        k = int(rng.integers(0, values.size - 1))
        lo[c], hi[c] = values[k], values[k + 1 + int(rng.integers(0, values.size - 1 - k))]
    got = rules.place_thresholds_of(features, lo, hi)
    want = [
        rules.place_thresholds(int(f), lo[c : c + 1], hi[c : c + 1])[0]
        for c, f in enumerate(features)
    ]
    np.testing.assert_array_equal(got, want)
    assert rules.place_thresholds_of(features[:0], lo[:0], hi[:0]).size == 0
