"""Tests of the pruning modules: CART cost-complexity pruning and J48's C4.5 pruning.

* Cost-complexity pruning is compared with scikit-learn two ways: on scikit-learn's own
  fitted trees converted to our arrays (exactly the same input, so the path must agree bit
  for bit, ties included), and end to end against ``CARTClassifier``.
* J48's pruning is compared with Weka 3.6.14's printed trees: the ``-U`` trees of the
  fixtures (grown and collapsed by J48) are parsed into our arrays and pruned here; the
  result must print as J48's ``default``, ``-S``, ``-C 0.1`` and ``-B`` trees, on all 13
  data sets. Collapse and reduced-error pruning are checked end to end with the builder.
* Small hand-built trees check every rule of the facts sheet with numbers derived by hand.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn import datasets
from sklearn.model_selection import KFold
from sklearn.tree import DecisionTreeClassifier as SKTree
from sklearn.utils._param_validation import InvalidParameterError

from treelearn import C45Classifier, CARTClassifier, DecisionTreeClassifier, ID3Classifier
from treelearn._j48_estimates import add_errors, max_class, normal_inverse
from treelearn._model_selection import _fold_errors, select_ccp_alpha_cv
from treelearn._pruning_ccp import cost_complexity_pruning_path, prune_ccp
from treelearn._pruning_error_based import collapse, prune_error_based
from treelearn._pruning_reduced_error import prune_reduced_error, reduced_error_split
from treelearn._tree import SPLIT_CATEGORICAL, SPLIT_LEAF, SPLIT_NUMERIC, Tree
from treelearn.criteria import GainRatio, Gini

sys.path.insert(0, str(Path(__file__).resolve().parent))
from j48_reference import (
    J48Node,
    available_datasets,
    first_difference,
    load_fixture,
    load_predictions,
)


# =========================================================================================
# helpers
# =========================================================================================
def _tree_from_spec(spec, n_features: int, n_classes: int, values=None) -> Tree:
    """A breadth-first Tree from a nested spec.

    ``("num", feature, threshold, [children])``, ``("cat", feature, table, [children])``
    (table: category code -> child slot) or ``("leaf",)``. ``values`` (BFS order) are the
    class counts; zeros if omitted (pruning recomputes them from the data).
    """
    nodes, parent = [spec], [-1]
    i = 0
    while i < len(nodes):
        if nodes[i][0] != "leaf":
            for child in nodes[i][-1]:
                nodes.append(child)
                parent.append(i)
        i += 1
    m = len(nodes)
    first, nch, depth = np.full(m, -1), np.zeros(m, int), np.zeros(m, int)
    nxt = 1
    for k, nd in enumerate(nodes):
        if k:
            depth[k] = depth[parent[k]] + 1
        if nd[0] != "leaf":
            first[k], nch[k] = nxt, len(nd[-1])
            nxt += len(nd[-1])
    kind = np.array(
        [
            {"leaf": SPLIT_LEAF, "num": SPLIT_NUMERIC, "cat": SPLIT_CATEGORICAL}[nd[0]]
            for nd in nodes
        ]
    )
    feature = np.array([nd[1] if nd[0] != "leaf" else -2 for nd in nodes])
    threshold = np.array(
        [nd[2] if nd[0] == "num" else (np.nan if nd[0] == "cat" else -2.0) for nd in nodes]
    )
    tables = [list(nd[2]) if nd[0] == "cat" else [] for nd in nodes]
    ptr = np.r_[0, np.cumsum([len(t) for t in tables])]
    value = np.zeros((m, n_classes)) if values is None else np.asarray(values, dtype=float)
    arrays = dict(
        feature=feature,
        threshold=threshold,
        split_kind=kind,
        first_child=first,
        n_children=nch,
        parent=np.array(parent),
        depth=depth,
        impurity=np.zeros(m),
        split_score=np.full(m, np.nan),
        gain=np.full(m, np.nan),
        n_node_samples=np.zeros(m, int),
        missing_fraction=np.ones(m),
        value=value,
        category_ptr=ptr,
        category_branch=np.array([s for t in tables for s in t], dtype=int),
    )
    return Tree(n_features, n_classes, arrays)


def _from_sklearn(sk_tree, n_features: int) -> Tree:
    """scikit-learn's fitted ``tree_`` as our arrays (breadth-first, same impurities)."""
    left, right = sk_tree.children_left, sk_tree.children_right
    order = [0]
    i = 0
    while i < len(order):
        if left[order[i]] != -1:
            order += [left[order[i]], right[order[i]]]
        i += 1
    old = np.array(order)
    m = old.size
    new = np.empty(sk_tree.node_count, int)
    new[old] = np.arange(m)
    leaf = left[old] == -1
    parent = np.full(m, -1)
    inner = np.flatnonzero(~leaf)
    parent[new[left[old[inner]]]] = inner
    parent[new[right[old[inner]]]] = inner
    depth = np.zeros(m, int)
    for k in range(1, m):
        depth[k] = depth[parent[k]] + 1
    w = sk_tree.weighted_n_node_samples[old]
    arrays = dict(
        feature=np.where(leaf, -2, sk_tree.feature[old]),
        threshold=np.where(leaf, -2.0, sk_tree.threshold[old]),
        split_kind=np.where(leaf, SPLIT_LEAF, SPLIT_NUMERIC),
        first_child=np.where(leaf, -1, new[np.maximum(left[old], 0)]),
        n_children=np.where(leaf, 0, 2),
        parent=parent,
        depth=depth,
        impurity=sk_tree.impurity[old],
        split_score=np.full(m, np.nan),
        gain=np.full(m, np.nan),
        n_node_samples=sk_tree.n_node_samples[old],
        missing_fraction=np.ones(m),
        value=sk_tree.value[old][:, 0, :] * w[:, None],
        category_ptr=np.zeros(m + 1, int),
        category_branch=np.zeros(0, int),
    )
    tree = Tree(n_features, sk_tree.value.shape[2], arrays)
    tree.weighted_n_node_samples = w.copy()  # scikit-learn's sums, bit for bit
    return tree


def _sorted_leaf_values(tree_value: np.ndarray, is_leaf: np.ndarray) -> np.ndarray:
    v = np.round(tree_value[is_leaf], 9)
    return v[np.lexsort(v.T[::-1])]


def _load(name):
    return getattr(datasets, f"load_{name}")(return_X_y=True)


# =========================================================================================
# A. minimal cost-complexity pruning
# =========================================================================================
@pytest.mark.parametrize("name", ["iris", "wine", "breast_cancer", "digits"])
def test_path_equals_sklearn_on_sklearn_trees(name):
    """Same tree in, same path out: bit for bit, including scikit-learn's tie order."""
    X, y = _load(name)
    for random_state in (0, 1):
        sk = SKTree(random_state=random_state).fit(X, y)
        ref = sk.cost_complexity_pruning_path(X, y)
        tree = _from_sklearn(sk.tree_, X.shape[1])
        alphas, impurities = cost_complexity_pruning_path(tree, tree.weighted_n_node_samples[0])
        np.testing.assert_array_equal(alphas, ref.ccp_alphas)
        np.testing.assert_array_equal(impurities, ref.impurities)
        # the pruned tree at every alpha of the path: scikit-learn's leaves
        for alpha in ref.ccp_alphas[:: max(1, ref.ccp_alphas.size // 25)]:
            ours = prune_ccp(tree, alpha, tree.weighted_n_node_samples[0])
            theirs = SKTree(random_state=random_state, ccp_alpha=alpha).fit(X, y).tree_
            assert ours.n_leaves == theirs.n_leaves
            their_leaves = theirs.children_left == -1
            np.testing.assert_allclose(
                _sorted_leaf_values(ours.value, ours.is_leaf),
                _sorted_leaf_values(
                    theirs.value[:, 0, :] * theirs.weighted_n_node_samples[:, None], their_leaves
                ),
            )


@pytest.mark.parametrize("name", ["iris", "wine", "breast_cancer"])
def test_path_equals_sklearn_end_to_end(name):
    """``CARTClassifier`` against scikit-learn's ``DecisionTreeClassifier``.

    The trees agree up to ties between equally good splits (the iris root: petal length
    and petal width isolate the same 50 rows; on wine and breast_cancer small nodes are
    separated by several features alike). Every such tie here sends the same rows to the
    same children, so the trees have the same node statistics and no jitter is needed:
    we check leaves, depth and the sorted impurities, then the paths to 1e-9 and, for each
    alpha of the path, the leaf counts of both libraries' pruned trees (each library
    pruned at its own path value: the two differ in the last bits).
    """
    X, y = _load(name)
    ours = CARTClassifier().fit(X, y)
    sk = SKTree(random_state=0).fit(X, y)
    assert ours.get_n_leaves() == sk.get_n_leaves()
    assert ours.get_depth() == sk.get_depth()
    np.testing.assert_allclose(np.sort(ours.tree_.impurity), np.sort(sk.tree_.impurity), atol=1e-12)
    path = ours.cost_complexity_pruning_path(X, y)
    ref = sk.cost_complexity_pruning_path(X, y)
    assert set(path) == {"ccp_alphas", "impurities"}
    np.testing.assert_allclose(path.ccp_alphas, ref.ccp_alphas, rtol=0, atol=1e-9)
    np.testing.assert_allclose(path.impurities, ref.impurities, rtol=0, atol=1e-9)
    for a_ours, a_sk in zip(path.ccp_alphas, ref.ccp_alphas, strict=True):
        n_ours = CARTClassifier(ccp_alpha=float(a_ours)).fit(X, y).get_n_leaves()
        n_sk = SKTree(random_state=0, ccp_alpha=float(a_sk)).fit(X, y).get_n_leaves()
        assert n_ours == n_sk


def test_path_digits_matches_sklearn_tree_with_same_ties():
    """digits is tie-affected: scikit-learn's own path depends on its random_state
    (151 or 152 steps). Our path equals that of a scikit-learn tree that broke its ties
    the way ours did (same leaves and sorted impurities), and so do the pruned trees."""
    X, y = _load("digits")
    ours = CARTClassifier().fit(X, y)
    path = ours.cost_complexity_pruning_path(X, y)
    tree = ours.tree_
    matched = 0
    for random_state in range(6):
        sk = SKTree(random_state=random_state).fit(X, y)
        same_tree = sk.get_n_leaves() == ours.get_n_leaves() and np.allclose(
            np.sort(sk.tree_.impurity), np.sort(tree.impurity), atol=1e-12
        )
        ref = sk.cost_complexity_pruning_path(X, y)
        if not same_tree or ref.ccp_alphas.size != path.ccp_alphas.size:
            continue
        if not np.allclose(ref.ccp_alphas, path.ccp_alphas, rtol=0, atol=1e-9):
            continue
        # equal alphas at one step can be taken in either order by trees that
        # broke a split tie differently: use a seed whose whole path agrees
        if not np.allclose(path.impurities, ref.impurities, rtol=0, atol=1e-9):
            continue
        for k in range(0, path.ccp_alphas.size, 10):
            pruned = prune_ccp(tree, path.ccp_alphas[k], tree.weighted_n_node_samples[0])
            sk_pruned = SKTree(random_state=random_state, ccp_alpha=ref.ccp_alphas[k]).fit(X, y)
            assert pruned.n_leaves == sk_pruned.get_n_leaves()
        matched += 1
    assert matched >= 1


def test_prune_ccp_zero_and_invalid():
    X, y = _load("iris")
    tree = CARTClassifier().fit(X, y).tree_
    assert prune_ccp(tree, 0.0, 150.0) is tree
    with pytest.raises(ValueError, match="ccp_alpha"):
        prune_ccp(tree, -0.1, 150.0)
    with pytest.raises(ValueError, match="total_weight"):
        cost_complexity_pruning_path(tree, 0.0)
    root_only = prune_ccp(tree, 1.0, 150.0)
    assert root_only.node_count == 1 and root_only.n_leaves == 1
    np.testing.assert_array_equal(root_only.value[0], tree.value[0])


def test_estimators_ccp_parameter():
    X, y = _load("breast_cancer")
    assert CARTClassifier().get_params()["ccp_alpha"] == 0.0
    assert DecisionTreeClassifier().get_params()["ccp_alpha"] == 0.0
    assert "ccp_alpha" in ID3Classifier().get_params()
    assert "ccp_alpha" not in C45Classifier().get_params()  # C4.5 prunes its own way
    for bad in (-0.01, "bogus"):
        with pytest.raises(InvalidParameterError):
            CARTClassifier(ccp_alpha=bad).fit(X, y)
    with pytest.raises(ValueError):
        DecisionTreeClassifier(ccp_alpha=-1).fit(X, y)
    full = CARTClassifier().fit(X, y)
    assert full.ccp_alpha_ == 0.0
    path = full.cost_complexity_pruning_path(X, y)
    mid = float(path.ccp_alphas[len(path.ccp_alphas) // 2])
    pruned = CARTClassifier(ccp_alpha=mid).fit(X, y)
    assert pruned.ccp_alpha_ == mid
    assert 1 < pruned.get_n_leaves() < full.get_n_leaves()
    expect = prune_ccp(full.tree_, mid, full.tree_.weighted_n_node_samples[0])
    assert pruned.get_n_leaves() == expect.n_leaves
    np.testing.assert_array_equal(
        pruned.predict(X), full.classes_[np.argmax(expect.predict_proba(X), axis=1)]
    )
    # entropy trees prune too (DecisionTreeClassifier's default criterion)
    ent = DecisionTreeClassifier().fit(X, y)
    ent_path = ent.cost_complexity_pruning_path(X, y)
    sk_ent = SKTree(criterion="entropy", random_state=0).fit(X, y)
    if sk_ent.get_n_leaves() == ent.get_n_leaves():
        ref = sk_ent.cost_complexity_pruning_path(X, y)
        if ref.ccp_alphas.size == ent_path.ccp_alphas.size:
            np.testing.assert_allclose(ent_path.ccp_alphas, ref.ccp_alphas, atol=1e-9)


def test_cost_complexity_path_with_sample_weight():
    X, y = _load("wine")
    w = np.random.default_rng(0).integers(1, 4, size=y.size).astype(float)
    ours = CARTClassifier().cost_complexity_pruning_path(X, y, sample_weight=w)
    ref = SKTree(random_state=0).cost_complexity_pruning_path(X, y, sample_weight=w)
    np.testing.assert_allclose(ours.ccp_alphas, ref.ccp_alphas, atol=1e-9)
    np.testing.assert_allclose(ours.impurities, ref.impurities, atol=1e-9)


def test_ccp_cv_selection():
    X, y = _load("breast_cancer")
    alpha, res = select_ccp_alpha_cv(CARTClassifier(), X, y, random_state=0, return_results=True)
    assert alpha == res.ccp_alphas[res.chosen_index]
    # one-SE: the chosen subtree is the smallest within one SE of the minimum
    threshold = res.cv_error[res.best_index] + res.cv_se[res.best_index]
    assert res.cv_error[res.chosen_index] <= threshold
    assert np.all(res.cv_error[res.chosen_index + 1 :] > threshold)
    assert res.chosen_index >= res.best_index
    assert np.all(np.diff(res.n_leaves) <= 0)
    np.testing.assert_array_less(res.cv_alphas[:-1], res.ccp_alphas[1:] + 1e-300)
    assert np.isinf(res.cv_alphas[-1])
    # deterministic with a seed, the minimum rule picks a tree at least as large
    assert select_ccp_alpha_cv(CARTClassifier(), X, y, random_state=0) == alpha
    alpha_min = select_ccp_alpha_cv(CARTClassifier(), X, y, random_state=0, one_se=False)
    assert alpha_min <= alpha
    # a splitter object works too
    a_kf = select_ccp_alpha_cv(CARTClassifier(), X, y, cv=KFold(5, shuffle=True, random_state=1))
    assert a_kf >= 0
    # the estimator's ccp_alpha="cv"
    est = CARTClassifier(ccp_alpha="cv", random_state=0).fit(X, y)
    assert est.ccp_alpha_ == alpha
    assert est.get_n_leaves() == res.n_leaves[res.chosen_index]
    # rows of weight 0 are no rows, in growth and in the cross-validation
    w = np.ones(y.size)
    w[::7] = 0.0
    used = w > 0
    est_w = CARTClassifier(ccp_alpha="cv", random_state=0).fit(X, y, sample_weight=w)
    assert est_w.ccp_alpha_ == select_ccp_alpha_cv(
        CARTClassifier(), X[used], y[used], random_state=0
    )


def test_fold_errors_equal_pruning_each_alpha():
    """The one-routing scoring of all alphas equals pruning and predicting at each alpha,
    also with missing values (rows spread over several leaves)."""
    rng = np.random.default_rng(0)
    X, y = _load("breast_cancer")
    X = X[:, :6].copy()
    X[rng.random(X.shape) < 0.15] = np.nan
    train, test = np.arange(400), np.arange(400, y.size)
    w = rng.uniform(0.5, 2.0, size=test.size)
    for est in (CARTClassifier(), DecisionTreeClassifier(criterion="gain_ratio")):
        est.fit(X[train], y[train])
        tree = est.tree_
        grid = np.unique(cost_complexity_pruning_path(tree, tree.weighted_n_node_samples[0])[0])
        betas = np.r_[np.sqrt(grid[:-1] * grid[1:]), np.inf]
        fast = _fold_errors(est, X[test], y[test], w, betas)
        slow = []
        for b in betas:
            pruned = prune_ccp(tree, b, tree.weighted_n_node_samples[0])
            pred = est.classes_[np.argmax(pruned.predict_proba(est._encode(X[test])), axis=1)]
            slow.append(((pred != y[test]) * w).sum())
        np.testing.assert_allclose(fast, slow, atol=1e-9)


def test_fold_errors_count_a_class_the_fold_has_not_seen():
    """A held-out label missing from the fold's classes is an error at every alpha."""
    X, y = datasets.load_iris(return_X_y=True)
    seen = y < 2
    est = CARTClassifier().fit(X[seen], y[seen])
    tree = est.tree_
    grid = np.unique(cost_complexity_pruning_path(tree, tree.weighted_n_node_samples[0])[0])
    betas = np.r_[np.sqrt(grid[:-1] * grid[1:]), np.inf]
    w = np.linspace(0.5, 1.5, int((~seen).sum()))
    np.testing.assert_allclose(_fold_errors(est, X[~seen], y[~seen], w, betas), w.sum(), rtol=1e-12)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    n=st.integers(8, 60),
    n_classes=st.integers(2, 4),
    seed=st.integers(0, 10_000),
    weighted=st.booleans(),
)
def test_ccp_path_properties(n, n_classes, seed, weighted):
    rng = np.random.default_rng(seed)
    X = rng.integers(0, 6, size=(n, 3)).astype(float)
    y = rng.integers(0, n_classes, size=n)
    w = rng.uniform(0.2, 3.0, size=n) if weighted else None
    est = CARTClassifier().fit(X, y, sample_weight=w)
    tree = est.tree_
    total = tree.weighted_n_node_samples[0]
    alphas, impurities = cost_complexity_pruning_path(tree, total)
    assert alphas[0] == 0.0
    assert np.all(np.diff(alphas) >= -1e-12)
    assert np.all(np.diff(impurities) >= -1e-12)
    r = tree.weighted_n_node_samples * tree.impurity / total
    np.testing.assert_allclose(impurities[0], r[tree.is_leaf].sum(), atol=1e-12)
    np.testing.assert_allclose(impurities[-1], r[0], atol=1e-12)
    # nested subtrees; each is optimal among the path's subtrees for its alpha
    subtrees = [prune_ccp(tree, a, total) for a in np.unique(alphas)]
    leaves = [t.n_leaves for t in subtrees]
    assert leaves == sorted(leaves, reverse=True)
    assert subtrees[-1].n_leaves == 1

    def cost(t, a):
        rr = t.weighted_n_node_samples * t.impurity / total
        return rr[t.is_leaf].sum() + a * t.n_leaves

    for a, t in zip(np.unique(alphas), subtrees, strict=True):
        assert all(cost(t, a) <= cost(u, a) + 1e-12 for u in subtrees)


# =========================================================================================
# B. C4.5 as J48 runs it
# =========================================================================================
def test_add_errors_reference_values():
    # facts sheet §8.1, CF = 0.25
    expected = {
        (6, 0): 1.2377968,
        (6, 0.5): 1.2706517,
        (14, 5): 1.7611198,
        (100, 10): 2.7496115,
        (1, 0): 0.75,
    }
    N, e = np.array(list(expected)).T
    np.testing.assert_allclose(add_errors(N, e), list(expected.values()), atol=1e-7)
    for (n_, e_), v in expected.items():
        assert abs(float(add_errors(n_, e_)) - v) < 1e-7
    # z from Weka's normalInverse of the float 1 - CF, bit for bit
    assert normal_inverse(float(np.float32(1) - np.float32(0.25))) == 0.6744897501960816
    assert normal_inverse(float(np.float32(1) - np.float32(0.1))) == 1.281551429692279
    assert normal_inverse(float(np.float32(1) - np.float32(0.05))) == 1.6448535113665226


def test_add_errors_branches():
    cf = float(np.float32(0.25))
    # e == 0: N (1 - CF^(1/N)) with CF the float
    assert float(add_errors(5, 0)) == 5 * (1 - cf ** (1 / 5))
    # 0 < e < 1: linear interpolation between addErrs(N, 0) and addErrs(N, 1)
    a0, a1 = float(add_errors(9, 0)), float(add_errors(9, 1))
    assert float(add_errors(9, 0.25)) == pytest.approx(a0 + 0.25 * (a1 - a0), abs=1e-12)
    # e + 0.5 >= N: max(N - e, 0)
    assert float(add_errors(3, 2.5)) == 0.5
    assert float(add_errors(2, 1.5)) == 0.5
    # CF above 0.5: no extra errors
    assert np.all(add_errors([10, 20], [1, 3], confidence=0.75) == 0)
    # broadcasting
    assert add_errors(np.full((2, 3), 10.0), 1.0).shape == (2, 3)
    # larger CF, fewer extra errors
    assert (
        float(add_errors(20, 2, 0.1))
        > float(add_errors(20, 2, 0.25))
        > float(add_errors(20, 2, 0.5))
    )


def _j48_max_class(row) -> int:
    """Weka's ``Distribution.maxClass`` as a literal scan (the reference)."""
    best, best_w = 0, 0.0
    for c, v in enumerate(row):
        if v - best_w > 1e-6:
            best, best_w = c, v
    return best


def _j48_add_errs(N: float, e: float, cf: float = 0.25) -> float:
    """Weka's ``Stats.addErrs`` for one leaf, literally (the reference)."""
    z = normal_inverse(float(np.float32(1) - np.float32(cf)))
    cf = float(np.float32(cf))
    if e < 1:
        base = N * (1 - np.power(cf, 1 / N))
        return base if e == 0 else base + e * (_j48_add_errs(N, 1.0) - base)
    if e + 0.5 >= N:
        return max(N - e, 0.0)
    f = (e + 0.5) / N
    r = (f + z * z / (2 * N) + z * np.sqrt(f / N - f * f / N + z * z / (4 * N * N))) / (
        1 + z * z / N
    )
    return r * N - e


# weights near ties (within and just beyond J48's 1e-6), zeros and faint ones
_near_tie_weights = st.sampled_from([0.0, 5e-7, 1e-6, 1.5e-6, 2e-6, 3e-6, 1.0, 3.0, 7.25])
_near_tie_rows = st.lists(
    st.tuples(_near_tie_weights, st.sampled_from([0.0, 0.0, 4e-7, 1.2e-6, -4e-7])).map(sum),
    min_size=1,
    max_size=6,
)


@given(
    st.lists(_near_tie_rows, min_size=1, max_size=8).filter(
        lambda rows: len({len(r) for r in rows}) == 1
    )
)
def test_max_class_is_j48s_scan(rows):
    dist = np.maximum(np.array(rows, dtype=np.float64), 0.0)
    assert max_class(dist).tolist() == [_j48_max_class(r) for r in dist.tolist()]


@given(
    st.lists(
        st.tuples(
            st.floats(1e-3, 500.0),
            st.sampled_from([0.0, 0.25, 0.5, 0.999, 1.0, 1.5, 7.0, 1e9]),
        ),
        min_size=1,
        max_size=12,
    )
)
def test_add_errors_is_weka_per_leaf(leaves):
    # the vectorised branches agree bit for bit with Weka's formula leaf by leaf
    N = np.array([n for n, _ in leaves])
    e = np.minimum([e for _, e in leaves], N)
    out = add_errors(N, e)
    assert out.tolist() == [
        _j48_add_errs(n, k) for n, k in zip(N.tolist(), e.tolist(), strict=True)
    ]


def test_collapse_hand_built():
    """§7 by hand.

    root [6,4]: E_node = 4, E_sub = 0+0+1+0 = 1 < 3.999, keep and descend;
    n1 [5,1]: E_node = 1, E_sub = 0, keep; n2 [1,3]: E_node = 1, E_sub = 1 + 0 = 1
    >= 0.999, becomes a leaf with [1,3].
    """
    spec = (
        "num",
        0,
        0.5,
        [
            ("num", 1, 0.5, [("leaf",), ("leaf",)]),
            ("num", 1, 0.5, [("leaf",), ("leaf",)]),
        ],
    )
    values = [[6, 4], [5, 1], [1, 3], [5, 0], [0, 1], [1, 2], [0, 1]]
    tree = _tree_from_spec(spec, 2, 2, values)
    out = collapse(tree)
    assert out.node_count == 5
    np.testing.assert_array_equal(out.value, [[6, 4], [5, 1], [1, 3], [5, 0], [0, 1]])
    np.testing.assert_array_equal(out.n_children, [2, 2, 0, 0, 0])


@pytest.mark.parametrize(("delta", "collapses"), [(0.0005, True), (0.001, True), (0.002, False)])
def test_collapse_slack(delta, collapses):
    """Node [5, 1+δ] with children [5,1] and [0,δ]: E_sub = 1, E_node = 1+δ; the node
    collapses iff 1 >= 1 + δ − 1e-3 (raw comparison)."""
    spec = ("num", 0, 0.5, [("leaf",), ("leaf",)])
    tree = _tree_from_spec(spec, 1, 2, [[5, 1 + delta], [5, 1], [0, delta]])
    assert (collapse(tree).node_count == 1) is collapses


def test_collapse_is_top_down():
    """A node that collapses takes its whole subtree, even a useful split inside it.

    n1 [4,2] -> a [3,1] (split into [3,0],[0,1]) and b [1,1]: E_sub(n1) = 0+0+1 = 1 <
    E_node(n1) = 2, keep. With b = [0,2] and a's children [3,1]... see values: the root
    [4,2] has E_sub = 2 (a's leaves 1 + b 1) >= 2 - 1e-3 and collapses, although a's own
    split would not.
    """
    spec = ("num", 0, 0.5, [("num", 1, 0.5, [("leaf",), ("leaf",)]), ("leaf",)])
    values = [[4, 2], [3, 1], [1, 1], [2, 0], [1, 1]]  # a's leaves: 0 + 1 error, b: 1 error
    tree = _tree_from_spec(spec, 2, 2, values)
    assert collapse(tree).node_count == 1


def _raise_data(with_missing: bool):
    """Data of the subtree-raising example (see the tests below).

    x0 = 0 (10 rows): x1 = class (5 + 5). x0 = 1: x1 = 0 -> class 0 (2 rows),
    x1 = 1 -> class 1 (1 row), and with ``with_missing`` one more class-0 row whose x1 is
    missing.
    """
    X = [[0, 0]] * 5 + [[0, 1]] * 5 + [[1, 0]] * 2 + [[1, 1]]
    y = [0] * 5 + [1] * 5 + [0, 0, 1]
    if with_missing:
        X = [*X, [1, np.nan]]
        y = [*y, 0]
    return np.array(X, dtype=float), np.array(y)


_RAISE_SPEC = ("num", 0, 0.5, [("num", 1, 0.5, [("leaf",), ("leaf",)]), ("leaf",)])


def test_error_based_subtree_raising_by_hand():
    """§8.3 by hand (CF 0.25).

    Bottom-up: the x1 node [5,5]: E_leaf = 5 + addErrs(10, 5) ≈ 7.6, E_tree = 2·addErrs(5, 0)
    ≈ 2.42: keep (its largest bag is the last of two equal ones, a leaf, so E_branch =
    E_leaf). Root [7,6]: maxBag = the x1 node (10 > 3);
    E_tree = 2·addErrs(5,0) + 1 + addErrs(3,1), E_leaf = 6 + addErrs(13,6),
    E_branch = all 13 rows through x1 = addErrs(7,0) + addErrs(6,0). E_leaf > E_tree + 0.1
    and E_branch <= E_tree + 0.1: raise. The root takes the test on x1 with leaves [7,0]
    and [0,6]; pruned again it stays (E_tree = E_branch ≪ E_leaf).
    """
    X, y = _raise_data(False)
    e_tree = 2 * add_errors(5, 0) + 1 + add_errors(3, 1)
    e_leaf = 6 + add_errors(13, 6)
    e_branch = add_errors(7, 0) + add_errors(6, 0)
    assert e_leaf > e_tree + 0.1 and e_branch <= e_tree + 0.1  # the rule that applies
    tree = _tree_from_spec(_RAISE_SPEC, 2, 2)
    out = prune_error_based(tree, X, y)
    assert out.node_count == 3
    assert out.feature[0] == 1 and out.split_kind[0] == SPLIT_NUMERIC
    np.testing.assert_array_equal(out.value, [[7, 6], [7, 0], [0, 6]])
    np.testing.assert_array_equal(out.n_node_samples, [13, 7, 6])
    np.testing.assert_allclose(out.missing_fraction, [1, 7 / 13, 6 / 13])
    np.testing.assert_array_equal(out.depth, [0, 1, 1])
    np.testing.assert_array_equal(out.parent, [-1, 0, 0])
    np.testing.assert_allclose(out.impurity, GainRatio().impurity(out.value))
    # the raised split's gain is recomputed on the 13 rows: it separates them perfectly
    assert out.gain[0] == pytest.approx(GainRatio().impurity(np.array([7.0, 6.0])))
    # -S: no raising, and E_leaf > E_tree + 0.1 keeps the whole tree
    kept = prune_error_based(tree, X, y, subtree_raising=False)
    assert kept.node_count == 5
    np.testing.assert_array_equal(kept.value, [[7, 6], [5, 5], [2, 1], [5, 0], [0, 5]])


def test_error_based_raising_redistributes_missing_values():
    """As above plus a class-0 row with x0 = 1 and x1 missing. The decision is the same
    (E_leaf = 6 + addErrs(14,6), E_tree = 2·addErrs(5,0) + 1 + addErrs(4,1); the branch
    sends the missing row 7/13 left and 6/13 right). After raising, the root's known
    weights are 7 (x1 = 0) and 6 (x1 = 1), so the missing row goes 7/13 and 6/13 of the
    way: leaves [7 + 7/13, 0] and [6/13, 6]."""
    X, y = _raise_data(True)
    e_leaf = 6 + add_errors(14, 6)
    e_tree = 2 * add_errors(5, 0) + 1 + add_errors(4, 1)
    e_branch = add_errors(7 + 7 / 13, 0) + (6 / 13 + add_errors(6 + 6 / 13, 6 / 13))
    assert e_leaf > e_tree + 0.1 and e_branch <= e_tree + 0.1
    out = prune_error_based(_tree_from_spec(_RAISE_SPEC, 2, 2), X, y)
    assert out.node_count == 3 and out.feature[0] == 1
    np.testing.assert_allclose(out.value, [[8, 6], [7 + 7 / 13, 0], [6 / 13, 6]])
    np.testing.assert_array_equal(out.n_node_samples, [14, 8, 7])
    np.testing.assert_allclose(out.missing_fraction, [1, 7 / 13, 6 / 13])
    np.testing.assert_allclose(
        out.predict_proba(np.array([[1.0, np.nan]])),
        [[7 / 13 + 6 / 13 * (6 / 13) / (6 + 6 / 13), 6 / 13 * 6 / (6 + 6 / 13)]],
    )


def test_error_based_max_bag_ties_go_to_last():
    """Two equal branches (6 rows each), the left split on x1 and the right on x2; both
    tests separate all 12 rows. E_tree = 4·addErrs(3,0), E_branch = 2·addErrs(6,0): raise,
    and maxBag's tie goes to the last bag, so the root takes the test on x2."""
    X = np.array([[0, 0, 0]] * 3 + [[0, 1, 1]] * 3 + [[1, 0, 0]] * 3 + [[1, 1, 1]] * 3, float)
    y = np.array([0, 0, 0, 1, 1, 1] * 2)
    spec = (
        "num",
        0,
        0.5,
        [
            ("num", 1, 0.5, [("leaf",), ("leaf",)]),
            ("num", 2, 0.5, [("leaf",), ("leaf",)]),
        ],
    )
    assert 2 * add_errors(6, 0) <= 4 * add_errors(3, 0) + 0.1
    out = prune_error_based(_tree_from_spec(spec, 3, 2), X, y)
    assert out.node_count == 3 and out.feature[0] == 2
    np.testing.assert_array_equal(out.value, [[6, 6], [6, 0], [0, 6]])


def test_error_based_prunes_to_leaf_by_hand():
    """Root [9,1] split into [5,0] and [4,1]: E_tree = addErrs(5,0) + 1 + addErrs(5,1)
    ≈ 3.46, E_leaf = 1 + addErrs(10,1) ≈ 2.41 <= E_tree + 0.1; the largest bag is the last
    of two equal ones (a leaf), so E_branch = E_leaf: the root becomes a leaf."""
    X = np.array([[0.0]] * 5 + [[1.0]] * 5)
    y = np.array([0] * 5 + [0, 0, 0, 0, 1])
    e_tree = add_errors(5, 0) + 1 + add_errors(5, 1)
    e_leaf = 1 + add_errors(10, 1)
    assert e_leaf <= e_tree + 0.1
    out = prune_error_based(_tree_from_spec(("num", 0, 0.5, [("leaf",), ("leaf",)]), 1, 2), X, y)
    assert out.node_count == 1
    np.testing.assert_array_equal(out.value, [[9, 1]])
    # with CF above 0.5 the estimates are the raw errors, 1 vs 1: the 0.1 slack prunes
    out = prune_error_based(
        _tree_from_spec(("num", 0, 0.5, [("leaf",), ("leaf",)]), 1, 2), X, y, confidence=0.75
    )
    assert out.node_count == 1


def test_error_based_multiway_categorical_and_empty_branch():
    """A three-way categorical split whose third value never occurs: the empty leaf has
    weight 0 and est 0; the split is kept when it pays and the arrays stay consistent."""
    rng = np.random.default_rng(3)
    x = rng.integers(0, 2, size=40).astype(float)
    y = x.astype(int)
    y[:2] = 1 - y[:2]  # two errors
    X = x[:, None]
    spec = ("cat", 0, [0, 1, 2], [("leaf",), ("leaf",), ("leaf",)])
    out = prune_error_based(_tree_from_spec(spec, 1, 2), X, y)
    assert out.node_count == 4
    assert out.value[3].sum() == 0
    np.testing.assert_allclose(out.value[1:].sum(axis=0), out.value[0])
    np.testing.assert_allclose(out.missing_fraction[1:].sum(), 1.0)


def test_error_based_input_checks():
    tree = _tree_from_spec(("num", 0, 0.5, [("leaf",), ("leaf",)]), 1, 2)
    X, y = np.array([[0.0], [1.0]]), np.array([0, 1])
    with pytest.raises(ValueError, match="confidence"):
        prune_error_based(tree, X, y, confidence=0.0)
    with pytest.raises(ValueError, match="class codes"):
        prune_error_based(tree, X, np.array([0, 2]))
    with pytest.raises(ValueError, match="columns"):
        prune_error_based(tree, np.zeros((2, 3)), y)


# -- against Weka's J48 ---------------------------------------------------------------------
def _encode_dataset(stem: str):
    from treelearn.datasets import load_dataset

    bunch = load_dataset(stem)
    X, target = bunch.data, bunch.target
    cols = list(X.columns)
    cats = {}
    Xe = np.empty(X.shape)
    for j, c in enumerate(cols):
        if isinstance(X[c].dtype, pd.CategoricalDtype):
            codes = X[c].cat.codes.to_numpy().astype(float)
            codes[codes < 0] = np.nan
            Xe[:, j] = codes
            cats[c] = [str(v) for v in X[c].cat.categories]
        else:
            Xe[:, j] = X[c].to_numpy(dtype=float)
    classes = [str(v) for v in target.cat.categories]
    y = target.cat.codes.to_numpy()
    keep = y >= 0
    return X[keep], Xe[keep], y[keep].astype(np.intp), cols, cats, classes


def _tree_from_j48(j48tree, cols, cats, n_classes) -> Tree:
    """A parsed J48 tree as our arrays (statistics zero: pruning recomputes them)."""

    def spec(node):
        if not isinstance(node, J48Node):
            return ("leaf",)
        f = cols.index(node.attribute)
        kids = [spec(br.child) for br in node.branches]
        ops = [br.op for br in node.branches]
        if ops[0] == "<=":
            return ("num", f, float(node.branches[0].value), kids)
        values = cats[node.attribute]
        if ops == ["=", "!="]:
            v = values.index(node.branches[0].value)
            return ("cat", f, [0 if c == v else 1 for c in range(len(values))], kids)
        slots = [br.value for br in node.branches]
        return ("cat", f, [slots.index(v) for v in values], kids)

    return _tree_from_spec(spec(j48tree.root), len(cols), n_classes)


def _j48_rows(tree: Tree, cols, cats, classes, binary=False):
    """Our tree as J48 prints it: leaf labels (n/e) from the data that reaches the leaf
    (the parent's majority for an empty leaf)."""
    value = tree.value
    parent_class = max_class(value)

    def leaf(node, fallback):
        n = value[node].sum()
        c = max_class(value[node][None])[0] if n > 1e-6 else fallback
        return classes[c], float(n), float(n - value[node][c])

    if tree.n_children[0] == 0:
        return [(0, None, None, None, *leaf(0, 0))]

    def branch_items(node, d):
        name = cols[tree.feature[node]]
        table = tree.category_branch[tree.category_ptr[node] : tree.category_ptr[node + 1]]
        items = []
        for slot, child in enumerate(tree.children(node)):
            if tree.split_kind[node] == SPLIT_NUMERIC:
                op, val = ("<=" if slot == 0 else ">"), float(tree.threshold[node])
            elif binary:
                op = "=" if slot == 0 else "!="
                val = cats[name][int(np.flatnonzero(table == 0)[0])]
            else:
                op, val = "=", cats[name][int(np.flatnonzero(table == slot)[0])]
            if tree.n_children[child] == 0:
                items.append(((d, name, op, val, *leaf(child, parent_class[node])), None, d))
            else:
                items.append(((d, name, op, val, None, None, None), child, d))
        return items

    rows = []
    stack = branch_items(0, 0)[::-1]
    while stack:
        row, child, d = stack.pop()
        rows.append(row)
        if child is not None:
            stack.extend(branch_items(child, d + 1)[::-1])
    return rows


_J48_CASES = [
    ("U", "default", {}),
    ("U", "S", {"subtree_raising": False}),
    ("U", "C0.1", {"confidence": 0.1}),
    ("B_U", "B", {}),
]


@pytest.mark.parametrize("stem", available_datasets())
@pytest.mark.parametrize(("grown", "setting", "options"), _J48_CASES)
def test_error_based_reproduces_j48(stem, grown, setting, options):
    """J48's -U tree (grown and collapsed by Weka), pruned here, prints as J48's pruned tree."""
    _, Xe, y, cols, cats, classes = _encode_dataset(stem)
    unpruned, _ = load_fixture(stem, grown)
    expected, _ = load_fixture(stem, setting)
    tree = _tree_from_j48(unpruned, cols, cats, len(classes))
    pruned = prune_error_based(tree, Xe, y, None, **options)
    rows = _j48_rows(pruned, cols, cats, classes, binary=setting == "B")
    assert first_difference(expected, rows) is None
    assert pruned.n_leaves == expected.n_leaves


@pytest.mark.parametrize("stem", available_datasets())
def test_error_based_predictions_match_j48(stem):
    """J48's training-set class distributions (3 decimals), missing values included."""
    _, Xe, y, cols, cats, classes = _encode_dataset(stem)
    unpruned, _ = load_fixture(stem, "U")
    pruned = prune_error_based(_tree_from_j48(unpruned, cols, cats, len(classes)), Xe, y)
    reference = np.array([p.distribution for p in load_predictions(stem, "default")])
    np.testing.assert_allclose(np.round(pruned.predict_proba(Xe), 3), reference, atol=1e-9)


def _grow_j48(X_full, Xe_full, y_full, rows):
    """The unpruned J48 tree grown on ``rows`` (allData = all rows, as J48 -R does)."""
    from treelearn import _data
    from treelearn._builder import build_tree

    est = C45Classifier()
    Xe, encoding = _data.fit_encoding(X_full, "auto")
    np.testing.assert_array_equal(np.isnan(Xe), np.isnan(Xe_full))
    n_classes = int(y_full.max()) + 1
    est.n_classes_ = n_classes
    rules = est._growth_rules(Xe, encoding, float(rows.size))
    return build_tree(
        Xe[rows],
        y_full[rows],
        np.ones(rows.size),
        n_classes,
        encoding.is_categorical,
        encoding.n_categories,
        GainRatio(),
        rules,
    )


@pytest.mark.parametrize("stem", available_datasets())
def test_collapse_and_prune_reproduce_j48_end_to_end(stem):
    """The builder's J48 growth, then collapse (= J48's -U tree) and pruning (= default)."""
    X, Xe, y, cols, cats, classes = _encode_dataset(stem)
    grown = _grow_j48(X, Xe, y, np.arange(y.size))
    collapsed = collapse(grown)
    unpruned, _ = load_fixture(stem, "U")
    assert first_difference(unpruned, _j48_rows(collapsed, cols, cats, classes)) is None
    pruned = prune_error_based(collapsed, Xe, y)
    expected, _ = load_fixture(stem, "default")
    assert first_difference(expected, _j48_rows(pruned, cols, cats, classes)) is None


@pytest.mark.parametrize("stem", available_datasets())
def test_reduced_error_reproduces_j48(stem):
    """J48 -R: stratified split, growth on the growing set (no collapse), REP."""
    X, Xe, y, cols, cats, classes = _encode_dataset(stem)
    grow, prune = reduced_error_split(y, 3)
    assert grow.size == y.size - y.size // 3
    tree = _grow_j48(X, Xe, y, grow)
    pruned = prune_reduced_error(tree, Xe[prune], y[prune])
    expected, _ = load_fixture(stem, "R")
    assert first_difference(expected, _j48_rows(pruned, cols, cats, classes)) is None


def _weka_stratify(labels, k):
    """Weka's Instances.stratify(k), transcribed literally (O(n²), for the test)."""
    a = list(range(len(labels)))
    lab = list(labels)
    i = 1
    while i < len(a):
        c = lab[i - 1]
        for j in range(i, len(a)):
            if lab[j] == c:
                lab[i], lab[j] = lab[j], lab[i]
                a[i], a[j] = a[j], a[i]
                i += 1
        i += 1
    return [a[s] for start in range(k) for s in range(start, len(a), k)]


@settings(max_examples=50, deadline=None)
@given(labels=st.lists(st.integers(0, 3), min_size=1, max_size=60), k=st.integers(2, 5))
def test_reduced_error_split_is_wekas_stratify(labels, k):
    grow, prune = reduced_error_split(np.array(labels), k)
    order = _weka_stratify(labels, k)
    n_prune = len(labels) // k
    assert prune.tolist() == order[len(labels) - n_prune :]
    assert grow.tolist() == order[: len(labels) - n_prune]


def test_reduced_error_by_hand():
    """§9 by hand. Root (training [6,4], maxClass 0) splits into A [5,1] (maxClass 0) and
    B [1,3] (maxClass 1); A splits into [5,0] (class 0) and [0,1] (class 1).

    Pruning set: A gets (x1=0, class 1) and (x1=1, class 0): its leaves err 1 + 1 = 2 and
    errLeaf(A) = 1 (one class-1 case against 0): A becomes a leaf. B gets classes 1 and 0:
    errLeaf(B) = 1. Root: errLeaf = 2 (classes 1,0,1,0 against 0) and errTree = 1 + 1 = 2:
    the tie prunes.
    """
    spec = ("num", 0, 0.5, [("num", 1, 0.5, [("leaf",), ("leaf",)]), ("leaf",)])
    values = [[6, 4], [5, 1], [1, 3], [5, 0], [0, 1]]
    arrays = _tree_from_spec(spec, 2, 2, values).to_arrays()
    arrays["missing_fraction"] = np.array([1, 0.6, 0.4, 5 / 6, 1 / 6])
    tree = Tree(2, 2, arrays)
    Xp = np.array([[0, 0], [0, 1], [1, 0], [1, 0]], dtype=float)
    yp = np.array([1, 0, 1, 0])
    out = prune_reduced_error(tree, Xp, yp)
    assert out.node_count == 1
    np.testing.assert_array_equal(out.value, [[6, 4]])  # growing-set counts are kept
    # one more class-1 case at B: errLeaf(B) = 1, root errLeaf = 3 > errTree = 1 + 1
    out = prune_reduced_error(tree, np.vstack([Xp, [[1, 0]]]), np.r_[yp, 1])
    np.testing.assert_array_equal(out.n_children, [2, 0, 0])
    np.testing.assert_array_equal(out.value, [[6, 4], [5, 1], [1, 3]])


def test_reduced_error_empty_branch_uses_parent_class():
    """A branch without training weight is charged against the parent's training class.

    Root [2,3] (class 1) on a 3-valued attribute: [2,0], [0,3] and an empty third branch.
    Pruning cases: one class-0 case with value 0 and two class-1 cases with value 2.
    errLeaf(root) = 1; errTree = 0 + 0 + 0 (the empty branch's class-1 cases against the
    parent's class 1) = 0: keep. (Charged against the empty leaf's own class 0 the tree
    would cost 2 and be pruned.)
    """
    spec = ("cat", 0, [0, 1, 2], [("leaf",), ("leaf",), ("leaf",)])
    arrays = _tree_from_spec(spec, 1, 2, [[2, 3], [2, 0], [0, 3], [0, 0]]).to_arrays()
    arrays["missing_fraction"] = np.array([1, 0.4, 0.6, 0.0])
    tree = Tree(1, 2, arrays)
    out = prune_reduced_error(tree, np.array([[0.0], [2.0], [2.0]]), np.array([0, 1, 1]))
    assert out.node_count == 4
    # two class-0 cases in the empty branch: errTree = 2 (against class 1) = errLeaf: prune
    out = prune_reduced_error(tree, np.array([[2.0], [2.0]]), np.array([0, 0]))
    assert out.node_count == 1


# -- properties ----------------------------------------------------------------------------
@st.composite
def _small_data(draw):
    n = draw(st.integers(6, 50))
    seed = draw(st.integers(0, 100_000))
    rng = np.random.default_rng(seed)
    p = draw(st.integers(1, 4))
    n_cat = draw(st.integers(0, p))
    cols = {}
    for j in range(p):
        if j < n_cat:
            cols[f"c{j}"] = pd.Categorical(rng.choice(list("abcd"), size=n))
        else:
            cols[f"x{j}"] = rng.integers(0, 8, size=n).astype(float)
    X = pd.DataFrame(cols)
    miss = draw(st.floats(0.0, 0.3))
    for c in X.columns:
        mask = rng.random(n) < miss
        if isinstance(X[c].dtype, pd.CategoricalDtype):
            X.loc[mask, c] = np.nan
        else:
            X.loc[mask, c] = np.nan
    y = rng.integers(0, draw(st.integers(2, 3)), size=n)
    w = rng.uniform(0.5, 2.0, size=n) if draw(st.booleans()) else None
    return X, y, w, draw(st.sampled_from([0.05, 0.25, 0.5])), draw(st.booleans())


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_small_data())
def test_error_based_properties(data):
    X, y, w, cf, raising = data
    est = DecisionTreeClassifier(criterion="gain_ratio").fit(X, y, sample_weight=w)
    tree = est.tree_
    Xe = est._encode(X)
    y_codes = np.searchsorted(est.classes_, y)
    ww = np.ones(y.size) if w is None else w
    collapsed = collapse(tree)
    pruned = prune_error_based(
        collapsed, Xe, y_codes, ww, confidence=cf, subtree_raising=raising, criterion=est.criterion_
    )
    # never more leaves; the root keeps all the data
    assert pruned.n_leaves <= collapsed.n_leaves <= tree.n_leaves
    np.testing.assert_allclose(pruned.value[0], np.bincount(y_codes, ww, est.n_classes_))
    # every internal node's counts are its children's (up to copies below 1e-6 dropped)
    inner = np.flatnonzero(pruned.n_children > 0)
    for node in inner:
        kids = list(pruned.children(node))
        np.testing.assert_allclose(
            pruned.value[kids].sum(axis=0), pruned.value[node], atol=1e-5 * pruned.value[node].sum()
        )
        np.testing.assert_allclose(pruned.missing_fraction[kids].sum(), 1.0, atol=1e-9)
    # the training data routed by prediction reaches the leaves with their stored counts
    rows, leaves, wt = pruned.route(Xe)
    reached = np.zeros_like(pruned.value)
    np.add.at(reached, (leaves, y_codes[rows]), wt * ww[rows])
    is_leaf = pruned.is_leaf
    np.testing.assert_allclose(
        reached[is_leaf], pruned.value[is_leaf], atol=1e-5 * pruned.value[0].sum()
    )
    # rows that reach a single leaf are predicted with that leaf's distribution
    single = np.bincount(rows, minlength=y.size) == 1
    one = single[rows]
    if one.any():
        proba = pruned.predict_proba(Xe[rows[one]])
        leaf_value = pruned.value[leaves[one]]
        total = leaf_value.sum(axis=1, keepdims=True)
        has = total[:, 0] > 1e-6
        np.testing.assert_allclose(proba[has], (leaf_value / np.maximum(total, 1e-300))[has])
    np.testing.assert_allclose(pruned.impurity, est.criterion_.impurity(pruned.value))
    assert np.all(np.isnan(pruned.gain[is_leaf]))
    # reduced-error pruning on the same data never adds leaves either
    rep = prune_reduced_error(tree, Xe, y_codes, ww)
    assert rep.n_leaves <= tree.n_leaves


# -- deep trees: no recursion -----------------------------------------------------------------
def _chain(n: int, rng) -> tuple[Tree, np.ndarray, np.ndarray]:
    """A caterpillar of depth n-1 on x = 0 .. n-1: node d tests x <= d + 0.5, its left
    child is the leaf of row d, its right child the next test."""
    y = rng.integers(0, 2, size=n)
    y[-n // 10 :] = 0  # a pure tail: collapse has something to do
    m = 2 * n - 1
    internal = np.arange(0, 2 * (n - 1), 2)
    first = np.full(m, -1)
    first[internal] = internal + 1
    nch = np.zeros(m, int)
    nch[internal] = 2
    parent = np.full(m, -1)
    parent[1:] = (np.arange(1, m) - 1) // 2 * 2
    depth = np.r_[0, (np.arange(1, m) + 1) // 2]
    # node 2d (internal, d < n-1) holds rows d..n-1; node 2d+1 is the leaf of row d;
    # the last node 2(n-1) is the leaf of row n-1
    onehot = np.eye(2)[y]
    suffix = np.cumsum(onehot[::-1], axis=0)[::-1]
    value = np.zeros((m, 2))
    value[internal] = suffix[: n - 1]
    value[internal + 1] = onehot[: n - 1]
    value[m - 1] = onehot[n - 1]
    kind = np.zeros(m, int)
    kind[internal] = SPLIT_NUMERIC
    thr = np.full(m, -2.0)
    thr[internal] = np.arange(n - 1) + 0.5
    feature = np.where(kind == SPLIT_NUMERIC, 0, -2)
    arrays = dict(
        feature=feature,
        threshold=thr,
        split_kind=kind,
        first_child=first,
        n_children=nch,
        parent=parent,
        depth=depth,
        impurity=Gini().impurity(value),
        split_score=np.full(m, np.nan),
        gain=np.full(m, np.nan),
        n_node_samples=value.sum(axis=1).astype(int),
        missing_fraction=np.ones(m),
        value=value,
        category_ptr=np.zeros(m + 1, int),
        category_branch=np.zeros(0, int),
    )
    return Tree(1, 2, arrays), np.arange(n, dtype=float)[:, None], y


def test_deep_trees_do_not_recurse():
    limit = sys.getrecursionlimit()
    rng = np.random.default_rng(0)
    tree, X, y = _chain(limit + 500, rng)
    assert tree.max_depth > limit
    alphas, impurities = cost_complexity_pruning_path(tree, float(y.size))
    assert impurities[-1] == pytest.approx(tree.impurity[0])
    mid = prune_ccp(tree, float(alphas[alphas.size // 2]), float(y.size))
    assert 1 < mid.n_leaves < tree.n_leaves
    assert collapse(tree).n_leaves < tree.n_leaves
    pruned = prune_error_based(tree, X, y, subtree_raising=False)
    assert pruned.n_leaves <= tree.n_leaves
    tree_r, X_r, y_r = _chain(60, rng)  # raising re-prunes: cubic in a chain's depth
    assert prune_error_based(tree_r, X_r, y_r).n_leaves <= tree_r.n_leaves
    rep = prune_reduced_error(tree, X, y)
    assert rep.n_leaves <= tree.n_leaves
