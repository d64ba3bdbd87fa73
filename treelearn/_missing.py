"""How a tree treats missing values: the ``missing_values=`` strategies and their rules.

Every rule of the strategies lives here; the builder, the split searches and the
estimators call these functions, the tree reads what they stored.

``"fractional"`` (C4.5, Quinlan 1993)
    A split is scored on the cases whose value is known, its gain scaled by their
    share of the node's weight (:func:`treelearn._split_categorical.known_fraction`).
    A case whose value is missing goes down every branch, its weight multiplied by
    the branch's share of the known weight (``Tree.missing_fraction``;
    :func:`treelearn._routing.fan_out`); at predict the branches' class
    distributions are summed by those shares. *Sizes are counted in weight*
    (:func:`sample_counts`), in units of the lightest training row: a copy of a row
    counts its share of the row, the copies of a row add up to the row, and
    ``min_samples_split`` / ``min_samples_leaf`` never count copies. A node whose
    classes but one hold less than one unit together (crumbs of copies) is pure for
    splitting (``SklearnRules.impure_in_samples``). C4.5's own rules count weight
    too (``min_samples_leaf`` is J48's ``M``).

``"learned"`` (scikit-learn >= 1.3)
    At every numeric split both sides are tried for the node's missing cases: the
    cuts with all of them on the right, the cut "every known value left, every
    missing value right" (threshold ``inf``), then the cuts with all of them on the
    left; the first best candidate in that order wins, so on a tie the missing cases
    go *right* (scikit-learn's ``node_split_best`` evaluates its missing-right
    search first and keeps a later candidate only if it is strictly better). The
    split is scored on every case of the node (no known-fraction scaling). A node
    that had no missing value of its split feature in training sends a missing value
    to the child with more training weight, the right one on a tie. (scikit-learn's
    rule is ``missing_go_to_left = n_left > n_right`` in rows: the same for unit
    weights; weight keeps integer weights equal to duplicated rows.) Categorical splits:
    the grouping of the categories is chosen on the known values, then the missing
    cases join the branch where they raise the children's impurity mass
    (``SplitCriterion.impurity_mass``) least, the first such branch on ties (within
    ``SCORE_TIE`` times the node's weight, as numeric ranks); the
    split is then scored with them. (scikit-learn has no categorical splits; a
    branch of their own would make every categorical split one branch wider.)
    Either way all missing cases of a node go to one child: the tree stores that as
    a one-hot ``Tree.missing_fraction`` over the node's children, which prediction
    honours as it honours fractional shares. The histogram search
    (``splitter="hist"``, Dask input) tries the same candidates in the same order on
    each histogram's missing bin (:func:`treelearn._split_hist.search_cells`), and
    scores categorical splits through the same function as the exact search
    (:func:`treelearn._split_categorical.categorical_scores`).

``"surrogate"`` (CART as R's rpart runs it)
    The primary split is chosen on the known cases; a case whose primary value is
    missing follows the first surrogate split it has, else the majority direction.
"""

from __future__ import annotations

import numpy as np

from treelearn._tolerances import SCORE_TIE, first_tied, outweighs
from treelearn.criteria import SplitCriterion

__all__ = [
    "MISSING_VALUES",
    "check_strategy",
    "fractional_shares",
    "learned_categorical",
    "learned_shares",
    "sample_counts",
]

#: The strategies ``missing_values=`` names.
MISSING_VALUES = ("fractional", "learned", "surrogate")


def check_strategy(missing_values: object, estimator: str) -> str:
    """``missing_values`` if it names a strategy, else a ``ValueError``.

    Parameters
    ----------
    missing_values : object
        The estimator's ``missing_values`` parameter.
    estimator : str
        The estimator's class name, for the message.

    Returns
    -------
    str
        The strategy.
    """
    if missing_values not in MISSING_VALUES:
        raise ValueError(
            f"The 'missing_values' parameter of {estimator} must be a str among "
            f"{sorted(MISSING_VALUES)}. Got {missing_values!r} instead."
        )
    return str(missing_values)


def sample_counts(weight: np.ndarray, unit: float) -> np.ndarray:
    """The samples each entry counts for under ``"fractional"``: its weight in units of
    the lightest training row.

    A row enters the tree as one entry carrying its weight; a fractional copy made for
    a missing value carries the row's weight times its share, so the copies of a row
    add up to that row's count. With unit weights a row is one sample and a copy the
    fraction of it; integer weights count as that many duplicated rows (C4.5 counts
    sizes in weight too). ``min_samples_split`` and ``min_samples_leaf`` compare these
    counts, never numbers of copies.

    Parameters
    ----------
    weight : ndarray of float
        The weight of every entry (or sorted position).
    unit : float
        The smallest training row weight (positive).

    Returns
    -------
    ndarray of float

    Examples
    --------
    >>> sample_counts(np.array([2.0, 0.5, 1.5]), 0.5)
    array([4., 1., 3.])
    """
    return np.asarray(weight, dtype=np.float64) / unit


def fractional_shares(n_children: np.ndarray, child_weight: np.ndarray) -> np.ndarray:
    """C4.5's ``missing_fraction`` of the children of the level's split nodes: each
    child's share of its parent's known weight (``1 / n_children`` where the parent
    had no known weight).

    Parameters
    ----------
    n_children : ndarray of int, shape (n_nodes,)
        Children of every node of the level (0 for a leaf); the next level's nodes
        are their children in order.
    child_weight : ndarray, shape (n_next,)
        Training weight of the known values that went to each child.

    Returns
    -------
    ndarray of float, shape (n_next,)

    Examples
    --------
    >>> fractional_shares(np.array([2, 0, 2]), np.array([3.0, 1.0, 0.0, 0.0]))
    array([0.75, 0.25, 0.5 , 0.5 ])
    """
    parent_of_child = np.repeat(np.arange(n_children.size), n_children)
    parent_known = np.bincount(parent_of_child, weights=child_weight, minlength=n_children.size)[
        parent_of_child
    ]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(
            parent_known > 0, child_weight / parent_known, 1.0 / n_children[parent_of_child]
        )


def learned_shares(
    n_children: np.ndarray, child_weight: np.ndarray, missing_slot: np.ndarray
) -> np.ndarray:
    """One-hot ``missing_fraction`` of the children of the level's split nodes.

    Parameters
    ----------
    n_children : ndarray of int, shape (n_nodes,)
        Children of every node of the level (0 for a leaf); the next level's nodes
        are their children in order.
    child_weight : ndarray, shape (n_next,)
        Training weight of the known values that went to each child.
    missing_slot : ndarray of int, shape (n_nodes,)
        The child slot the node's missing cases went to in training, ``-1`` where
        the node had none: those send a missing value to the child with the most
        training weight, the last of equal ones (as scikit-learn's
        ``n_left > n_right`` goes left and a tie right); weights within
        ``SCORE_TIE`` times the node's weight are equal (sums in row order).

    Returns
    -------
    ndarray of float, shape (n_next,)
        1 for the child a missing value goes to, 0 for its siblings.

    Examples
    --------
    >>> learned_shares(np.array([2, 2, 0]), np.array([3, 3, 5, 1]), np.array([-1, 1, -1]))
    array([0., 1., 0., 1.])
    """
    weight = np.asarray(child_weight, dtype=np.float64)
    split = n_children > 0
    if np.all(n_children[split] == 2):  # binary splits: pairs of children
        pair = weight.reshape(-1, 2)
        chosen = missing_slot[split]
        # the heavier child, the right one of equal ones (within SCORE_TIE x their
        # weight: sums of real weights taken in row order)
        left_heavier = outweighs(pair[:, 0], pair[:, 1], pair.sum(axis=1))
        right = np.where(chosen >= 0, chosen == 1, ~left_heavier)
        out = np.empty(pair.shape)
        out[:, 1] = right
        out[:, 0] = ~right
        return out.ravel()
    n_next = int(n_children.sum())
    start = np.cumsum(n_children) - n_children
    parent = np.repeat(np.arange(n_children.size), n_children)
    slot = np.arange(n_next) - start[parent]
    # the heaviest child, the last of ties (within SCORE_TIE x the node's weight)
    top = np.full(n_children.size, -np.inf)
    np.maximum.at(top, parent, weight)
    total = np.bincount(parent, weights=weight, minlength=n_children.size)
    last = np.full(n_children.size, -1)
    lighter = outweighs(top[parent], weight, total[parent])
    np.maximum.at(last, parent, np.where(~lighter, slot, -1))
    heaviest = slot == last[parent]
    chosen = missing_slot[parent]
    out = np.where(chosen >= 0, slot == chosen, heaviest)
    return out.astype(np.float64)


def learned_categorical(
    tables: np.ndarray,
    branch_counts: np.ndarray,
    known_counts: np.ndarray,
    node_counts: np.ndarray,
    criterion: SplitCriterion,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``"learned"`` on a categorical split: the branch the missing cases join.

    Parameters
    ----------
    tables : ndarray of int, shape (S, C)
        The chosen grouping of every node: category -> child slot (``-1``: absent).
    branch_counts : ndarray, shape (S, C, K)
        Class counts of the known values per category.
    known_counts : ndarray, shape (S, K)
        Class counts of the known values.
    node_counts : ndarray, shape (S, K)
        Class counts of every case at the node, missing values included.
    criterion : SplitCriterion

    Returns
    -------
    gain, branch_weights, missing_slot : ndarray
        Per node: the split's score with the missing cases in their branch (no
        known-fraction scaling), each branch's weight with them, and their branch
        (``-1`` where the node has no missing value; the split is then unchanged).
        The missing cases join the branch holding known cases where they raise the
        children's impurity mass least (the first such branch; increases within
        ``SCORE_TIE`` times the node's weight of the least are ties).
    """
    S, _, K = branch_counts.shape
    B = max(int(tables.max(initial=0)) + 1, 1)
    slot = np.where(tables >= 0, tables, B)  # an absent category: a slot dropped below
    cell = ((np.arange(S)[:, None] * (B + 1) + slot)[:, :, None] * K + np.arange(K)).ravel()
    children = np.bincount(cell, weights=branch_counts.ravel(), minlength=S * (B + 1) * K)
    children = children.reshape(S, B + 1, K)[:, :B]
    missing = np.maximum(node_counts - known_counts, 0.0)
    node_weight = node_counts.sum(axis=1)
    # (a difference within SCORE_TIE x the node's weight is rounding, not a missing
    # case: CategoryCounts.missing_weight)
    has = outweighs(missing.sum(axis=1), 0.0, node_weight)
    missing = np.where(has[:, None], missing, 0.0)
    cost = criterion.impurity_mass(children + missing[:, None, :])
    cost = cost - criterion.impurity_mass(children)
    cost = np.where(children.sum(axis=2) > 0, cost, np.inf)
    # costs within SCORE_TIE x the node's weight are ties (two branches of equal counts,
    # summed in row order), won by the first branch
    best = first_tied(-cost, SCORE_TIE * node_weight, axis=1)
    children[np.arange(S), best] += missing  # (zero where the node has none)
    gain = criterion.split_score(node_counts, children)
    return gain, children.sum(axis=2), np.where(has, best, -1)
