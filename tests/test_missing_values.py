"""``missing_values=``: the parameter, "fractional" sizes, and "learned" against scikit-learn.

* the parameter: validated (unknown values name the accepted ones), per-estimator
  defaults, persisted in JSON and pickle;
* ``"fractional"``: sizes counted in weight, so fully grown trees stay smaller than the
  data on every bundled set (the sizes table of issue 17, ``benchmarks/bench_missing_sizes.py``);
* ``"learned"``: ``DecisionTreeClassifier()`` on numeric data with NaN grows
  scikit-learn's tree (same root, sizes within the range of scikit-learn's own seeds,
  predictions agreeing at least as well as those seeds agree among themselves); the
  behaviour scikit-learn's own ``test_missing_values_*`` and
  ``test_missing_value_is_predictive`` (``sklearn/tree/tests/test_tree.py``) check,
  ported; ``to_sklearn()`` maps the learned directions to ``missing_go_to_left``;
* both: predictions do not depend on the order of the training rows (hypothesis).

The node-by-node agreement of both strategies with a slow brute-force builder and a
per-row traversal is in ``test_reference_builder.py``.
"""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn import datasets
from sklearn.impute import SimpleImputer
from sklearn.model_selection import cross_val_score, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.tree import DecisionTreeClassifier as SkTree

import treelearn
from treelearn import C45Classifier, CARTClassifier, DecisionTreeClassifier, ID3Classifier
from treelearn.datasets import list_datasets, load_vote

ESTIMATORS = [DecisionTreeClassifier, ID3Classifier, CARTClassifier, C45Classifier]
STRATEGIES = ["fractional", "learned"]


# ---------------------------------------------------------------------------------------
# The parameter
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_unknown_strategy_names_the_accepted_ones(cls):
    X, y = np.array([[0.0], [1.0], [np.nan], [3.0]]), np.array([0, 0, 1, 1])
    accepted = r"(?=.*'fractional')(?=.*'learned')(?=.*'surrogate')"
    with pytest.raises(ValueError, match=rf"missing_values{accepted}"):
        cls(missing_values="impute").fit(X, y)


def test_defaults():
    assert DecisionTreeClassifier().missing_values == "learned"  # the scikit-learn drop-in
    assert ID3Classifier().missing_values == "fractional"
    assert C45Classifier().missing_values == "fractional"
    assert CARTClassifier().missing_values == "surrogate"  # rpart's


@pytest.mark.parametrize("strategy", STRATEGIES)
@pytest.mark.parametrize("cls", ESTIMATORS)
def test_strategy_survives_json_and_pickle(cls, strategy):
    X, y = load_vote(return_X_y=True, as_frame=True)
    est = cls(missing_values=strategy).fit(X, y)
    for back in (treelearn.load_json(est.to_json()), pickle.loads(pickle.dumps(est))):
        assert back.missing_values == strategy
        np.testing.assert_array_equal(back.predict_proba(X), est.predict_proba(X))
        np.testing.assert_array_equal(back.tree_.missing_fraction, est.tree_.missing_fraction)


@pytest.mark.parametrize("strategy", [*STRATEGIES, "surrogate"])
@pytest.mark.parametrize("cls", ESTIMATORS)
def test_an_entirely_missing_categorical_column_is_never_chosen(cls, strategy):
    # a categorical column with no known value has no category: it never splits and
    # never crashes (it did: a block of features with 0 categories divided by 0)
    import pandas as pd

    if strategy == "surrogate" and cls is not CARTClassifier:
        pytest.skip("surrogates need binary categorical splits (CART's)")
    X = np.array([[0, np.nan], [1, np.nan], [2, np.nan], [3, np.nan]] * 2)
    y = np.array([0, 0, 1, 1] * 2)
    frame = pd.DataFrame({"x": X[:, 0], "empty": pd.Categorical([None] * 8, categories=["a", "b"])})
    for data, cats in ((X, [False, True]), (frame, "auto")):
        est = cls(missing_values=strategy, categorical_features=cats).fit(data, y)
        assert 1 not in est.tree_.feature
        np.testing.assert_array_equal(est.predict(data), y)


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_input_is_not_modified(strategy):
    X = np.array([[0.0, 1.0], [np.nan, 2.0], [2.0, np.nan], [3.0, 0.0]] * 3)
    y = np.array([0, 1, 1, 0] * 3)
    X0, y0 = X.copy(), y.copy()
    DecisionTreeClassifier(missing_values=strategy).fit(X, y).predict(X)
    np.testing.assert_array_equal(X, X0)
    np.testing.assert_array_equal(y, y0)


@pytest.mark.parametrize("name", ["labor", "breast_cancer", "soybean"])
@pytest.mark.parametrize("cls", [DecisionTreeClassifier, ID3Classifier, CARTClassifier])
def test_fractional_integer_weights_equal_duplicated_rows_under_leaf_rules(cls, name):
    # issue 17: under "fractional" sizes are weight, so integer weights are duplicated
    # rows even where min_samples_leaf/min_samples_split bind (C4.5 aside: J48 counts
    # known rows for a numeric split, test_estimators.WEIGHT_EXACT)
    X, y = treelearn.load_dataset(name, as_frame=True, return_X_y=True)
    w = np.random.default_rng(0).integers(1, 4, size=len(y))
    params = dict(missing_values="fractional", min_samples_leaf=5, min_samples_split=10)
    weighted = cls(**params).fit(X, y, sample_weight=w)
    repeated = cls(**params).fit(X.loc[X.index.repeat(w)], y.loc[y.index.repeat(w)])
    assert weighted.tree_.node_count == repeated.tree_.node_count
    np.testing.assert_array_equal(weighted.tree_.feature, repeated.tree_.feature)
    np.testing.assert_allclose(weighted.predict_proba(X), repeated.predict_proba(X))


def test_leaf_sizes_count_rows_or_weight_as_documented():
    # "learned" and "surrogate" count rows (scikit-learn's min_samples_leaf, rpart's
    # minbucket); "fractional" counts weight in units of the lightest row
    X = np.arange(6.0).reshape(-1, 1)
    y = np.array([0, 0, 0, 1, 1, 1])
    w = np.array([1.0, 1.0, 3.0, 3.0, 1.0, 1.0])  # 3 rows, weight 5, each side
    sizes = {
        s: CARTClassifier(missing_values=s, min_samples_leaf=4).fit(X, y, sample_weight=w)
        for s in ("learned", "surrogate", "fractional")
    }
    sk = SkTree(min_samples_leaf=4).fit(X, y, sample_weight=w)
    assert sizes["learned"].tree_.node_count == sizes["surrogate"].tree_.node_count == 1
    assert sk.tree_.node_count == 1
    assert sizes["fractional"].tree_.node_count == 3


@pytest.mark.parametrize("name", ["glass", "diabetes", "credit_g"])
@pytest.mark.parametrize("pruning", [None, "error_based", "reduced_error"])
def test_c45_on_complete_data_is_the_same_under_every_strategy(name, pruning):
    # no value is missing: the strategy cannot matter. Reduced-error pruning took a
    # learned/surrogate one-hot missing_fraction for J48's bag proportions and
    # pruned "learned" trees to a leaf (glass, diabetes: 1 node; fractional 27, 15)
    X, y = treelearn.load_dataset(name, as_frame=True, return_X_y=True)
    trees = [
        C45Classifier(missing_values=s, pruning=pruning, categorical_split="binary").fit(X, y)
        for s in ("fractional", "learned", "surrogate")
    ]
    for other in trees[1:]:
        assert other.tree_.node_count == trees[0].tree_.node_count
        np.testing.assert_array_equal(other.tree_.feature, trees[0].tree_.feature)
        np.testing.assert_array_equal(other.predict(X), trees[0].predict(X))


@pytest.mark.parametrize("pruning", ["error_based", "reduced_error"])
@pytest.mark.parametrize("strategy", ["learned", "surrogate"])
def test_pruned_c45_keeps_the_strategy_it_was_grown_with(strategy, pruning):
    # C4.5's pruning used to rewrite every node's missing-value routing as J48's
    # fractional shares and drop the surrogates, so a pruned C45Classifier predicted
    # fractionally whatever missing_values said (issue 17 audit)
    X, y = datasets.load_iris(return_X_y=True)
    X = X.copy()
    X[::4, 2] = np.nan
    X[1::9, 3] = np.nan
    est = C45Classifier(missing_values=strategy, pruning=pruning).fit(X, y)
    tree = est.tree_
    assert tree.node_count > 1
    inner = np.flatnonzero(tree.n_children > 0)
    for node in inner:
        kids = tree.first_child[node] + np.arange(tree.n_children[node])
        shares = tree.missing_fraction[kids]
        np.testing.assert_allclose(np.sort(shares)[::-1], np.eye(kids.size)[0])
    if strategy == "surrogate":
        assert tree.surrogates is not None and tree.surrogates.feature.size > 0
    # a case with every value missing follows one path to one leaf
    proba = est.predict_proba(np.full((1, 4), np.nan))
    leaves = est.tree_.node_proba[est.tree_.n_children == 0]
    assert any(np.allclose(proba[0], leaf) for leaf in leaves)
    # the fractional default is J48's, unchanged
    frac = C45Classifier(pruning=pruning).fit(X, y).tree_
    assert frac.surrogates is None
    assert not np.isin(frac.missing_fraction, [0.0, 1.0]).all()


@pytest.mark.parametrize("bad", [np.inf, -np.inf, 1e39])
def test_predict_with_missing_values_still_rejects_infinity_and_overflow(bad):
    # NaN is a missing value; an infinity gets scikit-learn's check_array message,
    # a finite value beyond float32's range treelearn's
    X, y = datasets.load_iris(return_X_y=True)
    est = DecisionTreeClassifier().fit(X, y)
    X_new = X.copy()
    X_new[::7, 2] = np.nan
    ours = est.predict(X_new)
    X_new[5, 1] = bad
    message = (
        r"^Input contains infinity or a value too large for dtype\('float64'\)\.$"
        if np.isinf(bad)
        else r"too large for dtype\('float32'\)"
    )
    with pytest.raises(ValueError, match=message):
        est.predict(X_new)
    assert ours.shape == (X.shape[0],)


@pytest.mark.parametrize("strategy", STRATEGIES)
@pytest.mark.parametrize("cls", ESTIMATORS)
def test_an_entirely_missing_column_is_never_chosen(cls, strategy):
    rng = np.random.default_rng(0)
    X = np.column_stack([np.full(60, np.nan), rng.normal(size=60), np.full(60, np.nan)])
    y = (X[:, 1] > 0).astype(int)
    est = cls(missing_values=strategy).fit(X, y)
    assert set(est.tree_.feature[est.tree_.n_children > 0].tolist()) == {1}
    assert est.predict(X).shape == (60,)


# ---------------------------------------------------------------------------------------
# "fractional": sizes counted in weight
# ---------------------------------------------------------------------------------------


def test_vote_id3_is_the_size_of_scikit_learns_tree():
    # issue 17: fully grown ID3 on vote had 729 nodes (every copy counted as a row);
    # scikit-learn's fully grown tree (ordinal codes, NaN) has 53
    X, y = load_vote(return_X_y=True, as_frame=True)
    assert ID3Classifier().fit(X, y).tree_.node_count <= 1.5 * 53


@pytest.mark.parametrize("name", list_datasets())
def test_no_tree_has_more_leaves_than_rows(name):
    X, y = getattr(treelearn.datasets, f"load_{name}")(return_X_y=True, as_frame=True)
    for cls in ESTIMATORS:
        for strategy in STRATEGIES:
            est = cls(missing_values=strategy).fit(X, y)
            assert est.get_n_leaves() <= len(y), (cls.__name__, strategy)
            # unpruned: what the builder grows
            if cls is C45Classifier:
                est = cls(missing_values=strategy, pruning=None).fit(X, y)
                assert est.get_n_leaves() <= len(y), (cls.__name__, strategy)


def test_a_copy_counts_its_share_of_its_row():
    # row 4's feature-0 value is missing: at the root it goes down both branches with
    # shares 2/4 and 2/4. Every child then holds 2.5 samples, not 3 copies: with
    # min_samples_split=3 neither child may split (counted in copies both could).
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0], [np.nan, 0.0]])
    y = np.array([0, 1, 0, 1, 1])
    est = ID3Classifier(min_samples_split=3).fit(X, y)
    t = est.tree_
    assert t.feature[0] in (0, 1)
    if t.feature[0] == 0:
        np.testing.assert_allclose(t.weighted_n_node_samples[1:3], [2.5, 2.5])
        assert (t.n_children[1:3] == 0).all()
        np.testing.assert_array_equal(t.n_node_samples[1:3], [3, 3])  # rows reaching it


def test_crumbs_of_copies_do_not_make_a_node_impure():
    # one row of class 1 whose value is missing sends 1/9 of itself to the left child
    # with nine rows of class 0: that child is not split to isolate the crumb
    X = np.array([[0.0, v] for v in range(9)] + [[1.0, 0.0], [np.nan, 5.0]])
    y = np.array([0] * 9 + [1, 1])
    t = ID3Classifier().fit(X, y).tree_
    assert t.node_count == 3


# ---------------------------------------------------------------------------------------
# "learned" against scikit-learn
# ---------------------------------------------------------------------------------------


def _with_holes(name, rate=0.1, seed=0):
    X, y = getattr(datasets, f"load_{name}")(return_X_y=True)
    X = X.astype(np.float32).astype(np.float64)  # values scikit-learn reads exactly
    rng = np.random.default_rng(seed)
    X[rng.random(X.shape) < rate] = np.nan
    return X, y


@pytest.mark.parametrize("criterion", ["gini", "entropy"])
@pytest.mark.parametrize("name", ["iris", "wine", "breast_cancer"])
def test_learned_is_indistinguishable_from_scikit_learn(name, criterion):
    X, y = _with_holes(name)
    sks = [SkTree(criterion=criterion, random_state=s).fit(X, y) for s in range(10)]
    tl = DecisionTreeClassifier(criterion=criterion).fit(X, y)
    roots = {(int(m.tree_.feature[0]), round(float(m.tree_.threshold[0]), 4)) for m in sks}
    assert (int(tl.tree_.feature[0]), round(float(tl.tree_.threshold[0]), 4)) in roots
    leaves = [m.get_n_leaves() for m in sks]
    depths = [m.get_depth() for m in sks]
    assert min(leaves) <= tl.get_n_leaves() <= max(leaves)
    assert min(depths) <= tl.get_depth() <= max(depths)
    # predictions on fresh rows with holes: agreement with every seed no worse than
    # the seeds' own agreement with each other
    Xt, _ = _with_holes(name, seed=1)
    Xt = Xt + np.random.default_rng(2).normal(scale=0.05, size=Xt.shape) * np.nanstd(X, axis=0)
    pred = [m.predict(Xt) for m in sks]
    among = min(np.mean(a == b) for i, a in enumerate(pred) for b in pred[i + 1 :])
    ours = min(np.mean(tl.predict(Xt) == p) for p in pred)
    assert ours >= among - 1e-12


@pytest.mark.parametrize("name", ["iris", "wine", "breast_cancer"])
def test_to_sklearn_maps_the_learned_directions(name):
    X, y = _with_holes(name)
    est = DecisionTreeClassifier().fit(X, y)
    model = est.to_sklearn()
    Xt, _ = _with_holes(name, rate=0.3, seed=5)
    np.testing.assert_array_equal(model.predict_proba(Xt), est.predict_proba(Xt))
    np.testing.assert_array_equal(model.apply(Xt), est.apply(Xt))
    go_left = model.tree_.missing_go_to_left.astype(bool)
    internal = np.flatnonzero(est.tree_.n_children > 0)
    left = est.tree_.first_child[internal]
    np.testing.assert_array_equal(go_left[internal], est.tree_.missing_fraction[left] == 1.0)


def test_no_missing_in_training_goes_to_the_heavier_child():
    # sklearn's test_missing_values_best_splitter_on_equal_nodes_no_missing (classifier)
    X = np.array([[0, 1, 2, 3, 8, 9, 11, 12, 15]], dtype=float).T
    y = np.array([0, 0, 0, 0, 1, 1, 1, 1, 1])
    est = DecisionTreeClassifier(max_depth=1).fit(X, y)
    assert est.predict([[np.nan]]).tolist() == [1]  # the right child has 5 of 9 rows
    # equal children: the right one (scikit-learn: missing_go_to_left = n_left > n_right)
    X, y = X[:-1], np.array([0, 0, 0, 0, 1, 1, 1, 1])
    est = DecisionTreeClassifier(max_depth=1).fit(X, y)
    assert est.tree_.weighted_n_node_samples[1] == est.tree_.weighted_n_node_samples[2]
    assert est.predict([[np.nan]]).tolist() == [1]
    assert SkTree(max_depth=1).fit(X, y).predict([[np.nan]]).tolist() == [1]


@pytest.mark.parametrize("criterion", ["entropy", "gini"])
def test_missing_values_best_splitter_three_classes(criterion):
    X = np.array([[np.nan] * 4 + [0, 1, 2, 3, 8, 9, 11, 12]]).T
    y = np.array([0] * 4 + [1] * 4 + [2] * 4)
    est = DecisionTreeClassifier(max_depth=2, criterion=criterion).fit(X, y)
    assert est.predict(np.array([[np.nan, 3, 12]]).T).tolist() == [0, 1, 2]


@pytest.mark.parametrize("criterion", ["entropy", "gini"])
def test_missing_values_best_splitter_to_left(criterion):
    X = np.array([[np.nan] * 4 + [0, 1, 2, 3, 4, 5]]).T
    y = np.array([0] * 4 + [1] * 6)
    est = DecisionTreeClassifier(max_depth=2, criterion=criterion).fit(X, y)
    assert est.predict(np.array([[np.nan, 5, np.nan]]).T).tolist() == [0, 1, 0]


@pytest.mark.parametrize("criterion", ["entropy", "gini"])
def test_missing_values_best_splitter_to_right(criterion):
    X = np.array([[np.nan] * 4 + [0, 1, 2, 3, 4, 5]]).T
    y = np.array([1] * 4 + [0] * 4 + [1] * 2)
    est = DecisionTreeClassifier(max_depth=2, criterion=criterion).fit(X, y)
    assert est.predict(np.array([[np.nan, 1.2, 4.8]]).T).tolist() == [1, 0, 1]


@pytest.mark.parametrize("criterion", ["entropy", "gini"])
def test_missing_values_best_splitter_missing_both_classes_has_nan(criterion):
    X = np.array([[1, 2, 3, 5, np.nan, 10, 20, 30, 60, np.nan]]).T
    y = np.array([0] * 5 + [1] * 5)
    est = DecisionTreeClassifier(max_depth=1, criterion=criterion).fit(X, y)
    # a tie between "missing left" and "missing right": right, searched first
    assert est.predict(np.array([[np.nan, 2.3, 34.2]]).T).tolist() == [1, 0, 1]
    sk = SkTree(max_depth=1, criterion=criterion).fit(X, y)
    assert sk.predict(np.array([[np.nan, 2.3, 34.2]]).T).tolist() == [1, 0, 1]


def test_missing_values_and_constant_toy():
    # constant known values plus missing ones: the split "known | missing" (threshold inf)
    X = np.array([0, 0, 0, np.nan, np.nan]).reshape(-1, 1)
    y = np.array([0, 0, 0, 1, 1])
    est = DecisionTreeClassifier().fit(X, y)
    np.testing.assert_array_equal(est.predict(X), y)
    assert est.tree_.node_count == 3
    assert est.tree_.threshold[0] == np.inf


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_missing_value_is_predictive(seed):
    # sklearn: only the missingness of feature 5 predicts y (5 % noise)
    rng = np.random.RandomState(0)
    n = 500
    X = rng.standard_normal(size=(n, 20))
    y = np.concatenate([np.zeros(n // 2), np.ones(n // 2)])
    flip = rng.choice([False, True], size=n, p=[0.95, 0.05])
    y_mask = y.copy().astype(bool)
    y_mask[flip] = ~y_mask[flip]
    predictive = rng.standard_normal(size=n)
    predictive[y_mask] = np.nan
    X[:, 5] = predictive
    tree = DecisionTreeClassifier(random_state=seed)
    assert cross_val_score(tree, X, y, cv=5).mean() >= 0.85


def test_missing_values_is_resilience():
    # sklearn's check (classifier, seed 0): native handling is not worse than mean
    # imputation by more than 0.03
    X, y = datasets.make_friedman1(n_samples=5000, n_features=10, noise=1.0, random_state=0)
    y = y > 14
    X_missing = X.copy()
    rng = np.random.RandomState(0)
    X_missing[rng.choice([False, True], size=X.shape, p=[0.9, 0.1])] = np.nan
    X_train, X_test, y_train, y_test = train_test_split(X_missing, y, random_state=0)
    for weight in (None, np.ones(X_train.shape[0])):
        native = DecisionTreeClassifier(max_depth=10).fit(X_train, y_train, sample_weight=weight)
        imputed = make_pipeline(SimpleImputer(), DecisionTreeClassifier(max_depth=10))
        imputed.fit(X_train, y_train)
        assert native.score(X_test, y_test) + 0.03 > imputed.score(X_test, y_test)


def test_learned_categorical_missing_joins_the_branch_that_fits():
    # category "a" is class 0, "b" class 1; the missing rows are class 1: they join "b"
    X = np.array([["a"]] * 5 + [["b"]] * 5 + [[None]] * 3, dtype=object)
    y = np.array([0] * 5 + [1] * 8)
    est = DecisionTreeClassifier(categorical_features=[0]).fit(X, y)
    t = est.tree_
    assert t.node_count == 3
    b = next(slot for slot, cats in enumerate(t.branch_categories(0)) if cats == [1])
    assert t.missing_fraction[t.first_child[0] + b] == 1.0
    np.testing.assert_array_equal(t.value[t.first_child[0] + b], [0.0, 8.0])
    assert est.predict(np.array([[None]], dtype=object)).tolist() == [1]


# ---------------------------------------------------------------------------------------
# Both strategies: the order of the training rows does not matter
# ---------------------------------------------------------------------------------------


@st.composite
def problems_with_holes(draw):
    n = draw(st.integers(4, 40))
    p = draw(st.integers(1, 3))
    X = np.array(draw(st.lists(st.integers(0, 4), min_size=n * p, max_size=n * p)), float)
    X = X.reshape(n, p)
    holes = np.array(draw(st.lists(st.booleans(), min_size=n * p, max_size=n * p)))
    X[holes.reshape(n, p)] = np.nan
    y = np.array(draw(st.lists(st.integers(0, 2), min_size=n, max_size=n)))
    perm = np.array(draw(st.permutations(range(n))))
    is_cat = np.array([draw(st.booleans()) for _ in range(p)])
    return X, y, perm, is_cat


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    problem=problems_with_holes(),
    strategy=st.sampled_from(STRATEGIES),
    cls=st.sampled_from([DecisionTreeClassifier, CARTClassifier]),
)
def test_predictions_do_not_depend_on_row_order(problem, strategy, cls):
    X, y, perm, is_cat = problem
    a = cls(missing_values=strategy, categorical_features=is_cat).fit(X, y)
    b = cls(missing_values=strategy, categorical_features=is_cat).fit(X[perm], y[perm])
    grid = np.array(
        [[v0, v1, v2] for v0 in (np.nan, 0, 1.5, 4) for v1 in (np.nan, 2, 3) for v2 in (np.nan, 1)]
    )[:, : X.shape[1]]
    np.testing.assert_allclose(a.predict_proba(grid), b.predict_proba(grid), atol=1e-12)
    assert a.tree_.node_count == b.tree_.node_count


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(problem=problems_with_holes(), cp=st.sampled_from([None, 0.0]))
def test_surrogate_predictions_do_not_depend_on_row_order(problem, cp):
    # the same property for "surrogate" (binary splits: CART), with scikit-learn's
    # growth rules (cp=None) and rpart's (cp=0)
    X, y, perm, is_cat = problem
    params = dict(missing_values="surrogate", categorical_features=is_cat, cp=cp)
    a = CARTClassifier(**params).fit(X, y)
    b = CARTClassifier(**params).fit(X[perm], y[perm])
    grid = np.array(
        [[v0, v1, v2] for v0 in (np.nan, 0, 1.5, 4) for v1 in (np.nan, 2, 3) for v2 in (np.nan, 1)]
    )[:, : X.shape[1]]
    np.testing.assert_allclose(a.predict_proba(grid), b.predict_proba(grid), atol=1e-12)
    assert a.tree_.node_count == b.tree_.node_count


# ---------------------------------------------------------------------------------------
# Comparing strategies (issue 17 part 3)
# ---------------------------------------------------------------------------------------


def test_compare_strategies_on_the_same_folds():
    from treelearn.compare import compare_criteria, cross_validate_criteria

    folds = cross_validate_criteria(
        "vote", ["id3", "cart"], cv=3, missing_values=["fractional", "learned"]
    )
    labels = ["ID3/fractional", "ID3/learned", "CART/fractional", "CART/learned"]
    assert list(dict.fromkeys(folds["criterion"])) == labels
    n_train = folds.pivot(index="fold", columns="criterion", values="n_train")
    assert (n_train.nunique(axis=1) == 1).all()  # the same folds for every strategy
    assert folds["error"].isna().all()
    summary = compare_criteria("vote", ["id3"], cv=3, missing_values="fractional,learned")
    assert summary["criterion"].tolist() == ["ID3/fractional", "ID3/learned"]
    # sizes counted in weight: no fold tree is larger than the data (issue 17: 613)
    assert (summary["tree_size"] < 435 / 2).all()


def test_compare_keeps_scikit_learn_estimators_once():
    from treelearn.compare import compare_criteria

    result = compare_criteria(
        "iris", ["gini", SkTree(random_state=0)], cv=3, missing_values=["learned"]
    )
    assert result["criterion"].tolist() == ["gini/learned", "DecisionTreeClassifier"]


@pytest.mark.parametrize("bad", ["impute", "learned,learned", ""])
def test_compare_rejects_bad_strategies(bad):
    from treelearn.compare import compare_criteria

    with pytest.raises(ValueError, match="missing_values"):
        compare_criteria("iris", ["id3"], cv=3, missing_values=bad)


def test_cli_compare_missing(capsys):
    from treelearn.cli import main

    args = ["compare", "-d", "vote", "--cv", "3", "-j", "1", "--criteria", "id3"]
    assert main([*args, "--missing", "fractional,learned", "--format", "csv"]) == 0
    out = capsys.readouterr().out
    assert "ID3/fractional" in out and "ID3/learned" in out
    assert main([*args, "--missing", "learned", "--baseline", "id3/learned"]) == 0
    assert main([*args, "--missing", "nonsense"]) == 2
    assert "missing_values" in capsys.readouterr().err


def test_compare_takes_surrogate_where_splits_are_binary():
    """``with_missing_values``: surrogates only for binary-split models (CART); a
    multiway model asked for nothing else is a clear error."""
    from treelearn.compare._inputs import resolve_criteria, with_missing_values

    pairs = with_missing_values(resolve_criteria(["id3", "cart"]), "learned,surrogate")
    assert [label for label, _ in pairs] == ["ID3/learned", "CART/learned", "CART/surrogate"]
    with pytest.raises(ValueError, match="surrogates need binary splits"):
        with_missing_values(resolve_criteria(["c4.5"]), "surrogate")
