"""treelearn against scikit-learn's DecisionTreeClassifier.

How ties are broken
-------------------
Two candidate splits can be equally good (iris: petal length <= 2.45 and petal width
<= 0.8 both peel off the 50 setosas). scikit-learn visits the features of every node in
a random order drawn from ``random_state`` and keeps the first best split it meets, so
its tree depends on the seed: on digits with Gini it grows 168 or 169 leaves, and two
seeds agree on only ~98.5 % of predictions on jittered copies of the data. treelearn
breaks ties deterministically, without randomness:

* within a feature, the lowest threshold (the first best cut in increasing value
  order) wins; for categorical subset splits, the first grouping in scan order;
* across features, the criterion's ``select_feature`` decides: the highest score, and
  among equal scores the lowest feature index (gain ratio: Quinlan's rule, a later
  feature must be better by more than a tolerance).

Thresholds are midpoints between consecutive distinct values, as in scikit-learn, but
computed in float64 (scikit-learn casts ``X`` to float32 first), so thresholds are
compared with a relative tolerance of 1e-6, or on data exactly representable in
float32.

So the tests here do not expect scikit-learn's tree for one seed; they expect treelearn
to be indistinguishable from scikit-learn's own seeds: the same root split, leaves and
depth within the range the seeds give, prediction agreement with a seed no worse than
the seeds' agreement with each other. Where no two candidate splits tie (iris with a
tiny deterministic jitter, features that cannot induce the same partition), the
stopping rules are compared exactly: same leaves, depth, node statistics and
feature importances. Separately, every internal node's split is checked to be optimal
by the brute-force reference of test_reference_builder.py.
"""

from __future__ import annotations

import itertools
from collections import Counter

import numpy as np
import pytest
from sklearn import datasets
from sklearn.tree import DecisionTreeClassifier as SkTree

from treelearn import CARTClassifier, DecisionTreeClassifier

try:
    import test_reference_builder as ref
except ModuleNotFoundError:  # tests/ imported as a package
    from tests import test_reference_builder as ref

SEEDS = range(6)
DATASETS = ["iris", "wine", "breast_cancer", "digits"]


def load(name):
    return getattr(datasets, f"load_{name}")(return_X_y=True)


def ours(criterion, **params):
    if criterion == "gini":  # scikit-learn's missing-value rule (CART's default is rpart's)
        return CARTClassifier(missing_values="learned", **params)
    return DecisionTreeClassifier(criterion="entropy", **params)


_CACHE: dict = {}


def fitted(name, criterion):
    """(X, y, treelearn tree, scikit-learn trees for SEEDS), fitted once per session."""
    key = (name, criterion)
    if key not in _CACHE:
        X, y = load(name)
        tl = ours(criterion).fit(X, y)
        sks = [SkTree(criterion=criterion, random_state=s).fit(X, y) for s in SEEDS]
        _CACHE[key] = (X, y, tl, sks)
    return _CACHE[key]


def same_threshold(a, b):
    return np.isclose(a, b, rtol=1e-6, atol=1e-9)


# ---------------------------------------------------------------------------------------
# Indistinguishable from scikit-learn's seeds
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("criterion", ["gini", "entropy"])
@pytest.mark.parametrize("name", DATASETS)
def test_root_split_is_one_of_sklearns(name, criterion):
    _, _, tl, sks = fitted(name, criterion)
    roots = {(int(m.tree_.feature[0]), float(m.tree_.threshold[0])) for m in sks}
    f, t = int(tl.tree_.feature[0]), float(tl.tree_.threshold[0])
    assert any(f == g and same_threshold(t, u) for g, u in roots), (f, t, roots)
    # every root scikit-learn picks is a best split: ties go to the lowest feature index
    assert f == min(g for g, _ in roots)


@pytest.mark.parametrize("criterion", ["gini", "entropy"])
@pytest.mark.parametrize("name", DATASETS)
def test_leaves_and_depth_within_sklearns_range(name, criterion):
    _, _, tl, sks = fitted(name, criterion)
    leaves = [m.get_n_leaves() for m in sks]
    depths = [m.get_depth() for m in sks]
    assert min(leaves) <= tl.get_n_leaves() <= max(leaves)
    assert min(depths) <= tl.get_depth() <= max(depths)


@pytest.mark.parametrize("criterion", ["gini", "entropy"])
@pytest.mark.parametrize("name", DATASETS)
def test_agreement_on_jittered_data_like_another_seed(name, criterion):
    X, y, tl, sks = fitted(name, criterion)
    rng = np.random.default_rng(0)
    jittered = np.vstack(
        [X + rng.normal(scale=0.05 * X.std(axis=0), size=X.shape) for _ in range(3)]
    )
    preds = [m.predict(jittered) for m in sks]
    between_seeds = [np.mean(a == b) for a, b in itertools.combinations(preds, 2)]
    mine = tl.predict(jittered)
    with_seeds = [np.mean(mine == p) for p in preds]
    assert np.mean(with_seeds) >= min(between_seeds), (with_seeds, between_seeds)
    assert min(with_seeds) >= min(between_seeds) - 0.005, (with_seeds, between_seeds)
    # and on the training data all of them are perfect
    assert tl.score(X, y) == pytest.approx(max(m.score(X, y) for m in sks))


def test_digits_gini_is_seed_dependent_in_sklearn():
    # the premise of the tests above, as measured
    _, _, tl, sks = fitted("digits", "gini")
    assert len({m.get_n_leaves() for m in sks} | {tl.get_n_leaves()}) >= 2


# ---------------------------------------------------------------------------------------
# Every split is optimal (brute force)
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("criterion", ["gini", "entropy"])
@pytest.mark.parametrize("name", DATASETS)
def test_every_split_is_optimal(name, criterion):
    X, y, tl, _ = fitted(name, criterion)
    report = ref.check_tree(tl, X, y)
    assert report.n_internal == tl.tree_.node_count - tl.get_n_leaves()


# ---------------------------------------------------------------------------------------
# The tie rule
# ---------------------------------------------------------------------------------------


def test_tie_between_features_goes_to_the_lowest_index():
    X, y = load("iris")
    # petal length (2) and petal width (3) both isolate setosa at the root
    for cls in (CARTClassifier, DecisionTreeClassifier):
        assert cls().fit(X, y).tree_.feature[0] == 2
        assert cls().fit(X[:, [0, 1, 3, 2]], y).tree_.feature[0] == 2  # now petal width
    # scikit-learn takes either, depending on the seed
    roots = {SkTree(random_state=s).fit(X, y).tree_.feature[0] for s in range(10)}
    assert roots == {2, 3}


def test_duplicated_columns_split_on_the_first():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(200, 1))
    y = (x[:, 0] + 0.3 * rng.normal(size=200) > 0).astype(int)
    X = np.hstack([x, x, x])
    for cls in (CARTClassifier, DecisionTreeClassifier):
        tree = cls().fit(X, y).tree_
        assert set(tree.feature[tree.feature >= 0]) == {0}


def test_tie_between_thresholds_goes_to_the_lowest():
    # cutting after the first or before the last case is equally good
    X = np.array([[0.0], [1.0], [2.0], [3.0]])
    y = np.array([0, 1, 1, 0])
    for cls in (CARTClassifier, DecisionTreeClassifier):
        assert cls(max_depth=1).fit(X, y).tree_.threshold[0] == 0.5
        assert cls(max_depth=1).fit(-X, y).tree_.threshold[0] == -2.5


def test_ties_are_not_random():
    X, y = load("digits")
    trees = [CARTClassifier(random_state=s).fit(X, y).tree_ for s in (0, 1, 2)]
    for t in trees[1:]:
        np.testing.assert_array_equal(t.feature, trees[0].feature)
        np.testing.assert_array_equal(t.threshold, trees[0].threshold)


def test_tie_rule_between_different_partitions_gini():
    # two features that split the node differently with the same Gini decrease
    # (children's masses 14.5 both ways; a node of digits, features 37 and 38)
    rows = (
        [((1, 0), 0)]
        + [((0, 0), 2)] * 3
        + [((1, 0), 2)]
        + [((1, 1), 4)] * 2
        + [((1, 1), 7)] * 5
        + [((0, 0), 8)] * 9
        + [((1, 1), 9)] * 5
    )
    X = np.array([r[0] for r in rows], dtype=float)
    y = np.array([r[1] for r in rows])
    a = CARTClassifier(max_depth=1).fit(X, y).tree_
    b = CARTClassifier(max_depth=1).fit(X[:, ::-1], y).tree_
    assert a.split_score[0] == pytest.approx(b.split_score[0])
    assert a.feature[0] == 0
    assert b.feature[0] == 0


# x = 0, 0, 0, .5, .5, .5, 1 with classes 0, 0, 1, 2, 2, 0, 1: cutting at 0.25 gives
# children [2, 1, 0] | [1, 1, 2], at 0.75 [3, 1, 2] | [0, 1, 0]; their entropy masses are
# equal (3·H(2/3, 1/3) + 4·1.5 = 6·H(1/2, 1/6, 1/3) = 4 + 3·log2 3) but computed as
# 8.754887502163468 and 8.754887502163466
TIE_X = np.array([0.0, 0.0, 0.0, 0.5, 0.5, 0.5, 1.0])
TIE_Y = np.array([0, 0, 1, 2, 2, 0, 1])


@pytest.mark.parametrize("case", ["thresholds", "features"])
def test_tie_rule_between_different_partitions_entropy(case):
    if case == "thresholds":
        tree = DecisionTreeClassifier(max_depth=1).fit(TIE_X[:, None], TIE_Y).tree_
        assert tree.threshold[0] == 0.25
    else:
        low, high = (TIE_X > 0.25).astype(float), (TIE_X > 0.75).astype(float)
        for X in (np.c_[low, high], np.c_[high, low]):
            tree = DecisionTreeClassifier(max_depth=1).fit(X, TIE_Y).tree_
            assert tree.feature[0] == 0


# ---------------------------------------------------------------------------------------
# Stopping rules and weights on tie-free data: exactly scikit-learn's trees
# ---------------------------------------------------------------------------------------


def iris_jittered(columns=(0, 1, 2, 3)):
    """Iris with a tiny deterministic jitter, exactly representable in float32."""
    X, y = load("iris")
    rng = np.random.default_rng(0)
    X = X + rng.uniform(-1e-3, 1e-3, X.shape)
    return X.astype(np.float32).astype(np.float64)[:, list(columns)], y


def node_statistics(tree, sklearn: bool) -> Counter:
    """Multiset of (depth, n_samples, weighted class counts) over the nodes."""
    if sklearn:
        t = tree.tree_
        counts = t.value[:, 0, :] * t.weighted_n_node_samples[:, None]
        depth = np.zeros(t.node_count, dtype=int)
        for i in range(t.node_count):
            for c in (t.children_left[i], t.children_right[i]):
                if c >= 0:
                    depth[c] = depth[i] + 1
        n = t.n_node_samples
    else:
        t = tree.tree_
        counts, depth, n = t.value, t.depth, t.n_node_samples
    return Counter(
        (int(d), int(k), tuple(np.round(c, 6))) for d, k, c in zip(depth, n, counts, strict=True)
    )


def split_statistics(tree, sklearn: bool) -> Counter:
    """Multiset of (feature, threshold, class counts) over the internal nodes."""
    t = tree.tree_
    if sklearn:
        internal = np.flatnonzero(t.children_left >= 0)
        counts = t.value[:, 0, :] * t.weighted_n_node_samples[:, None]
    else:
        internal = np.flatnonzero(t.n_children > 0)
        counts = t.value
    return Counter(
        (int(t.feature[i]), round(float(t.threshold[i]), 5), tuple(np.round(counts[i], 6)))
        for i in internal
    )


CONFIGS = [
    dict(),
    dict(max_depth=2),
    dict(max_depth=3),
    dict(min_samples_split=10),
    dict(min_samples_split=40),
    dict(min_samples_split=0.2),
    dict(min_samples_leaf=5),
    dict(min_samples_leaf=0.05),
    dict(min_weight_fraction_leaf=0.05),
    dict(min_impurity_decrease=0.01),
    dict(max_leaf_nodes=4),
    dict(max_leaf_nodes=6),
    dict(max_leaf_nodes=6, max_depth=3),
    dict(class_weight="balanced", max_depth=4),
    dict(class_weight={0: 1.0, 1: 2.0, 2: 0.5}),
]


def _ids(cfg):
    return "-".join(f"{k}={v}" for k, v in cfg.items()) or "default"


@pytest.mark.parametrize("cfg", CONFIGS, ids=_ids)
@pytest.mark.parametrize("criterion", ["gini", "entropy"])
def test_stopping_rules_like_sklearn(criterion, cfg):
    X, y = iris_jittered()
    sks = [SkTree(criterion=criterion, random_state=s, **cfg).fit(X, y) for s in range(4)]
    tl = ours(criterion, **cfg).fit(X, y)
    # the data are tie-free up to splits that induce the same partition, which leave
    # the node statistics unchanged: every seed has the same ones
    expected = node_statistics(sks[0], sklearn=True)
    assert all(node_statistics(m, sklearn=True) == expected for m in sks[1:])
    assert node_statistics(tl, sklearn=False) == expected
    assert tl.get_n_leaves() == sks[0].get_n_leaves()
    assert tl.get_depth() == sks[0].get_depth()
    np.testing.assert_array_equal(tl.predict(X), sks[0].predict(X))


WEIGHTED_CONFIGS = [
    dict(),
    dict(min_weight_fraction_leaf=0.1),
    dict(max_depth=3),
    dict(min_samples_leaf=4),
    dict(max_leaf_nodes=5),
    dict(min_impurity_decrease=0.02),
]


@pytest.mark.parametrize("cfg", WEIGHTED_CONFIGS, ids=_ids)
@pytest.mark.parametrize("criterion", ["gini", "entropy"])
def test_sample_weight_like_sklearn(criterion, cfg):
    X, y = iris_jittered()
    w = np.random.default_rng(5).integers(1, 4, size=len(y)).astype(float)
    sks = [
        SkTree(criterion=criterion, random_state=s, **cfg).fit(X, y, sample_weight=w)
        for s in range(4)
    ]
    tl = ours(criterion, **cfg).fit(X, y, sample_weight=w)
    expected = node_statistics(sks[0], sklearn=True)
    assert all(node_statistics(m, sklearn=True) == expected for m in sks[1:])
    assert node_statistics(tl, sklearn=False) == expected


# The configurations in which no two candidate splits tie at all on iris without petal
# width (scikit-learn grows the same tree for every seed): splits, thresholds and
# feature importances must be scikit-learn's.
TIE_FREE = [
    dict(max_depth=2),
    dict(max_depth=3),
    dict(min_samples_split=10),
    dict(min_samples_leaf=5),
    dict(min_weight_fraction_leaf=0.05),
    dict(max_leaf_nodes=4),
]


@pytest.mark.parametrize("cfg", TIE_FREE, ids=_ids)
@pytest.mark.parametrize("criterion", ["gini", "entropy"])
def test_tie_free_trees_equal_sklearns(criterion, cfg):
    X, y = iris_jittered(columns=(0, 1, 2))
    sks = [SkTree(criterion=criterion, random_state=s, **cfg).fit(X, y) for s in range(6)]
    expected = split_statistics(sks[0], sklearn=True)
    assert all(split_statistics(m, sklearn=True) == expected for m in sks[1:]), "ties"
    tl = ours(criterion, **cfg).fit(X, y)
    assert split_statistics(tl, sklearn=False) == expected
    # thresholds: midpoints of float32-exact values, equal to the last bit or so
    sk_thr = np.sort(sks[0].tree_.threshold[sks[0].tree_.children_left >= 0])
    tl_thr = np.sort(tl.tree_.threshold[tl.tree_.n_children > 0])
    np.testing.assert_allclose(tl_thr, sk_thr, rtol=1e-12)
    np.testing.assert_allclose(
        tl.feature_importances_, sks[0].feature_importances_, rtol=1e-9, atol=1e-12
    )
    assert tl.feature_importances_.sum() == pytest.approx(1.0)


@pytest.mark.parametrize("criterion", ["gini", "entropy"])
def test_feature_importances_like_sklearn_on_full_trees(criterion):
    # fully grown, ties between features only in tiny nodes: importances agree with
    # scikit-learn's range over seeds
    X, y = iris_jittered()
    sk = np.array(
        [
            SkTree(criterion=criterion, random_state=s).fit(X, y).feature_importances_
            for s in range(8)
        ]
    )
    tl = ours(criterion).fit(X, y).feature_importances_
    assert tl.sum() == pytest.approx(1.0) and np.all(tl >= 0)
    assert np.all(tl >= sk.min(axis=0) - 1e-9) and np.all(tl <= sk.max(axis=0) + 1e-9)


def test_thresholds_are_float64_midpoints():
    X, y = load("iris")
    t = CARTClassifier().fit(X, y).tree_
    assert t.feature[0] == 2
    assert t.threshold[0] == (1.9 + 3.0) / 2  # petal length, in float64
    seed = next(s for s in range(20) if SkTree(random_state=s).fit(X, y).tree_.feature[0] == 2)
    sk = SkTree(random_state=seed).fit(X, y).tree_
    # scikit-learn: the midpoint of the float32 values
    assert sk.threshold[0] == (float(np.float32(1.9)) + float(np.float32(3.0))) / 2
    assert sk.threshold[0] != t.threshold[0]
    assert same_threshold(sk.threshold[0], t.threshold[0])


# ---------------------------------------------------------------------------------------
# max_features
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("max_features", [None, 1, 3, "sqrt", "log2", 0.5, 1.0])
def test_max_features_resolves_like_sklearn(max_features):
    X, y = load("digits")
    X, y = X[:300], y[:300]
    a = CARTClassifier(max_features=max_features, random_state=0).fit(X, y)
    b = SkTree(max_features=max_features, random_state=0).fit(X, y)
    assert a.max_features_ == b.max_features_


def test_max_features_is_reproducible_and_random():
    X, y = load("wine")
    trees = {}
    for seed in range(6):
        a = CARTClassifier(max_features=2, random_state=seed).fit(X, y)
        b = CARTClassifier(max_features=2, random_state=seed).fit(X, y)
        np.testing.assert_array_equal(a.tree_.feature, b.tree_.feature)
        np.testing.assert_array_equal(a.tree_.threshold, b.tree_.threshold)
        trees[seed] = tuple(a.tree_.feature)
    assert len(set(trees.values())) > 1
    rs = np.random.RandomState(0)
    CARTClassifier(max_features=2, random_state=rs).fit(X, y)  # a RandomState works
    full = CARTClassifier(max_features=X.shape[1], random_state=3).fit(X, y)
    none = CARTClassifier().fit(X, y)
    np.testing.assert_array_equal(full.tree_.feature, none.tree_.feature)


def test_max_features_skips_constant_features_like_sklearn():
    rng = np.random.default_rng(0)
    X = np.c_[np.zeros(200), rng.random(200)]
    y = (X[:, 1] > 0.5).astype(int)
    for seed in range(10):
        assert SkTree(max_features=1, random_state=seed).fit(X, y).get_n_leaves() == 2
        assert CARTClassifier(max_features=1, random_state=seed).fit(X, y).get_n_leaves() == 2


def test_max_features_leaves_are_unsplittable():
    X, y = load("iris")
    for seed in range(10):
        est = CARTClassifier(max_features=1, random_state=seed).fit(X, y)
        leaf = est.apply(X)
        for node in np.unique(leaf):
            rows = X[leaf == node]
            if len(np.unique(y[leaf == node])) > 1:
                # scikit-learn: a leaf is impure only if no feature varies in it
                assert np.all(rows == rows[0]), f"seed {seed}: leaf {node} could be split"
