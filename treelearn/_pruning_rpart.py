"""rpart's complexity pruning (``cp``) on the tree arrays.

R's rpart prunes on the *risk* of a node, the weight of the training rows it
misclassifies (0/1 loss, priors equal to the class frequencies: rpart's defaults),
not on the impurity that :mod:`treelearn._pruning_ccp` (scikit-learn's
``ccp_alpha``) uses. With ``alpha = cp · R(root)``:

* every node gets a *complexity*, computed bottom-up as rpart does it while it
  grows: for a node ``t`` with rpart's left and right children ``l``, ``r`` and the
  risks ``R_l, R_r`` and split counts ``s_l, s_r`` of their kept subtrees,
  ``c = (R(t) − R_l − R_r) / (s_l + s_r + 1)``; a child whose own complexity is
  below ``c`` is collapsed first (the smaller one first) and ``c`` recomputed; a
  node with ``c <= alpha`` is collapsed (its subtree is dropped). Leaves have
  complexity ``alpha``. So ``cp=0`` still collapses every split that does not lower
  the training misclassification.
* then each complexity is capped by its parent's (rpart's ``fix_cp``) and the
  ``cptable`` lists the distinct capped complexities (at least ``alpha``), largest
  first, with the number of splits and the risk of the subtree that keeps the
  splits of larger complexity.

rpart calls *left* the child whose mean class index ``Σ_j j·p(j | child)`` is the
smaller (the other one on equal means); the collapse order above depends on it, so
it is derived here from the children's class counts, whatever order the tree
stores them in.

rpart also stops growing a node early when a bound it hands down from the
parent (minus ``alpha`` per level) is at most ``alpha``; the bound is a
heuristic, so the early stop changes trees with ``cp > 0`` and is reproduced here
on the grown tree (:func:`_partition`). The tests check the grown-then-pruned
tree against rpart's on every bundled data set and against a node-by-node
transcription of rpart's recursion on random data. Apart from that walk, loops
run over the levels of the tree and the work inside is vectorised over nodes.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from treelearn._pruning_ccp import interval_errors
from treelearn._tree import Tree
from treelearn._tree_surgery import prune_to

__all__ = [
    "CP_COLUMNS",
    "RpartComplexity",
    "cp_table",
    "cp_table_errors",
    "node_risk",
    "one_se_row",
    "prune_rpart",
    "prune_rpart_at",
    "rpart_children",
    "rpart_complexity",
    "table_alpha",
]

#: The columns of a ``cptable`` (rpart's ``printcp``); the last two only when it is
#: cross-validated.
CP_COLUMNS = ("CP", "nsplit", "rel error", "xerror", "xstd")


class RpartComplexity(NamedTuple):
    """rpart's complexities of a tree at one ``alpha`` (see :func:`rpart_complexity`)."""

    complexity: np.ndarray  # per node, capped by the parent's (fix_cp)
    keep: np.ndarray  # internal nodes whose split survives alpha
    risk: np.ndarray  # per node, the misclassified training weight


def node_risk(tree: Tree) -> np.ndarray:
    """The risk of every node: the training weight its majority class misclassifies.

    rpart's risk of a classification node under 0/1 loss and the default priors
    (the class frequencies), ``Σ_{j ≠ ĵ} w_j`` with ``ĵ`` the first class of
    largest weight.
    """
    value = tree.value
    best = np.argmax(value, axis=1)
    wrong = value.copy()
    wrong[np.arange(tree.node_count), best] = 0.0
    return wrong.sum(axis=1)


def _check_binary(tree: Tree) -> None:
    if (tree.n_children > 2).any():
        raise ValueError(
            "rpart's complexity pruning (cp) needs a binary tree; grow it with "
            "categorical_split='binary'."
        )


def rpart_children(tree: Tree) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The internal nodes of a binary tree with the children rpart calls left and right.

    Returns
    -------
    nodes, left, right : ndarray of intp
        Internal node ids, and the child rpart sends its rows with the smaller mean
        class index to (left) and the other one (right); on equal means the second
        stored child is left, as rpart's split search sends ``x >= cut`` left then.
    """
    _check_binary(tree)
    nodes = np.flatnonzero(tree.n_children > 0)
    a = tree.first_child[nodes].astype(np.intp)
    b = a + 1
    weight = np.maximum(tree.weighted_n_node_samples, np.finfo(np.float64).tiny)
    mean = (tree.value @ np.arange(tree.n_classes, dtype=np.float64)) / weight
    first_left = mean[a] < mean[b]
    return nodes, np.where(first_left, a, b), np.where(first_left, b, a)


def rpart_complexity(tree: Tree, alpha: float) -> RpartComplexity:
    """rpart's complexity of every node, and which splits survive ``alpha``.

    Parameters
    ----------
    tree : Tree
        A binary tree (grown without ``cp``).
    alpha : float
        The complexity threshold in risk units, ``cp · R(root)``.

    Returns
    -------
    RpartComplexity
        ``complexity`` (capped by the parent's, as rpart's ``fix_cp``; leaves
        ``alpha`` or their parent's if smaller), ``keep`` (internal nodes whose split
        is kept, all their ancestors' too) and ``risk`` (:func:`node_risk`).
    """
    n = tree.node_count
    risk = node_risk(tree)
    nodes, left, right = rpart_children(tree)
    lft = np.full(n, -1, dtype=np.intp)
    rgt = np.full(n, -1, dtype=np.intp)
    lft[nodes], rgt[nodes] = left, right
    cpx, keep = _partition(risk, lft, rgt, float(alpha))
    # a split below a collapsed node is gone; complexities capped top-down (fix_cp)
    for d in range(1, int(tree.max_depth) + 1):
        at = np.flatnonzero(tree.depth == d)
        par = tree.parent[at]
        keep[at] &= keep[par]
        cpx[at] = np.minimum(cpx[at], cpx[par])
    return RpartComplexity(cpx, keep, risk)


def _partition(
    risk: np.ndarray, lft: np.ndarray, rgt: np.ndarray, alpha: float
) -> tuple[np.ndarray, np.ndarray]:
    """rpart's ``partition`` recursion over a grown tree: complexities and kept splits.

    A node is not split when ``min(R(t), bound) <= alpha``, where the bound handed
    to a left child is its parent's ``min(R, bound) − alpha`` and to a right child
    ``min(max((R − R_left)/(s_left + 1), R − R(left)), bound) − alpha`` (rpart's
    early stop, which does change trees: it is a heuristic, not a bound). The bound
    of a right child needs its left sibling's finished subtree, a sequential
    dependency in preorder, so this walks the nodes (an explicit stack, no
    recursion limit) on Python floats; it runs once per fit, after growth.
    """
    n = risk.size
    R = risk.tolist()
    L = lft.tolist()
    Rt = rgt.tolist()
    cpx = [alpha] * n
    kept = [False] * n
    result = (0, 0.0)  # (splits, risk) of the last finished subtree
    stack: list[list] = [[0, R[0], 0, 0, 0.0]]  # node, bound, stage, s_left, r_left
    while stack:
        frame = stack[-1]
        t, bound, stage = frame[0], frame[1], frame[2]
        if stage == 0:
            temp = min(R[t], bound)
            if L[t] < 0 or temp <= alpha:
                cpx[t] = alpha
                result = (0, R[t])
                stack.pop()
                continue
            frame[2] = 1
            stack.append([L[t], temp - alpha, 0, 0, 0.0])
            continue
        if stage == 1:
            ls, lr = result
            frame[2], frame[3], frame[4] = 2, ls, lr
            temp = max((R[t] - lr) / (ls + 1), R[t] - R[L[t]])
            stack.append([Rt[t], min(temp, bound) - alpha, 0, 0, 0.0])
            continue
        stack.pop()
        rs, rr = result
        ls, lr = frame[3], frame[4]
        lc, rc = cpx[L[t]], cpx[Rt[t]]
        c = (R[t] - (lr + rr)) / (ls + rs + 1)
        # who goes first: the child of smaller complexity may collapse before t
        if rc > lc:
            if c > lc:
                lr, ls = R[L[t]], 0
                c = (R[t] - (lr + rr)) / (ls + rs + 1)
                if c > rc:
                    rr, rs = R[Rt[t]], 0
        elif c > rc:
            rr, rs = R[Rt[t]], 0
            c = (R[t] - (lr + rr)) / (ls + rs + 1)
            if c > lc:
                lr, ls = R[L[t]], 0
        c = (R[t] - (lr + rr)) / (ls + rs + 1)
        cpx[t] = c
        if c <= alpha:
            result = (0, R[t])
        else:
            kept[t] = True
            result = (ls + rs + 1, lr + rr)
    return np.asarray(cpx, dtype=np.float64), np.asarray(kept, dtype=bool)


def prune_rpart(tree: Tree, cp: float, scale: float | None = None) -> Tree:
    """The subtree rpart keeps at complexity parameter ``cp``.

    Parameters
    ----------
    tree : Tree
        A binary tree grown without ``cp``.
    cp : float
        rpart's ``cp``: a split is kept only if it lowers the risk by at least
        ``cp · R(root)`` per split of its subtree (rpart's complexity, see the module
        docstring). ``0`` keeps exactly the splits that lower the risk.
    scale : float, default=None
        The risk that ``cp`` is relative to: the root's risk (``None``), or for a
        tree grown on a cross-validation fold the full data's root risk times the
        fold's share of the training weight (rpart's rescaling).

    Returns
    -------
    Tree
        The pruned copy (nodes renumbered breadth-first), or ``tree`` itself when
        nothing is pruned.
    """
    cp = float(cp)
    if not cp >= 0:
        raise ValueError(f"cp must be a non-negative number, got {cp!r}.")
    if scale is None:
        scale = float(node_risk(tree)[0])
    return prune_rpart_at(tree, cp * float(scale))


def prune_rpart_at(tree: Tree, alpha: float) -> Tree:
    """:func:`prune_rpart` with the threshold in risk units: splits of complexity at
    most ``alpha`` are collapsed."""
    result = rpart_complexity(tree, float(alpha))
    if np.array_equal(result.keep, tree.n_children > 0):
        return tree
    return prune_to(tree, result.keep)


def _table_values(tree: Tree, alpha: float) -> tuple[RpartComplexity, np.ndarray]:
    """rpart's complexities of a pruned tree and the distinct table values (descending)."""
    res = rpart_complexity(tree, alpha)
    values = np.unique(np.maximum(res.complexity, alpha))[::-1]
    return res, values


def cp_table(tree: Tree, cp: float) -> np.ndarray:
    """rpart's ``cptable`` (``printcp``) of a tree pruned at ``cp``: CP, nsplit, rel error.

    Parameters
    ----------
    tree : Tree
        The tree :func:`prune_rpart` returned for ``cp`` (or any binary tree whose
        splits all survive ``cp``).
    cp : float

    Returns
    -------
    ndarray of shape (n_rows, 3)
        One row per distinct complexity, largest first: ``CP`` (the complexity over
        the root's risk), ``nsplit`` (splits of the subtree pruned at that CP) and
        ``rel error`` (its training risk over the root's); the last row has
        ``CP = cp``. A root without risk (a pure training set) gives one row
        ``(cp, 0, 1)``.
    """
    root_risk = float(node_risk(tree)[0])
    if root_risk <= 0:
        return np.array([[float(cp), 0.0, 1.0]])
    alpha = float(cp) * root_risk
    res, values = _table_values(tree, alpha)
    if not res.keep[0]:  # no split survives: rpart's one row holds the root's complexity
        return np.array([[res.complexity[0] / root_risk, 0.0, 1.0]])
    n_split, risk = _subtree_sizes(tree, res, values)
    return np.column_stack([values / root_risk, n_split, risk / root_risk])


def _subtree_sizes(
    tree: Tree, res: RpartComplexity, values: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Splits and training risk of the subtree at every table value (descending).

    At value ``v`` a node is internal iff its complexity exceeds ``v``; it is a leaf
    of that subtree iff its complexity is at most ``v`` and its parent's exceeds it.
    """
    internal = tree.n_children > 0
    cpx = res.complexity
    asc = -values  # ascending keys for searchsorted
    n_split = np.searchsorted(np.sort(-cpx[internal]), asc, side="left")
    # node t is a leaf of rows i with cpx[t] <= values[i] < cpx[parent]
    par = tree.parent.astype(np.intp)
    upper = np.where(par >= 0, cpx[np.maximum(par, 0)], np.inf)
    i_lo = np.searchsorted(asc, -upper, side="right")  # first row with value < upper
    i_hi = np.searchsorted(asc, -cpx, side="right")  # rows with value >= cpx[t]
    live = i_lo < i_hi
    diff = np.zeros(values.size + 1)
    np.add.at(diff, i_lo[live], res.risk[live])
    np.add.at(diff, i_hi[live], -res.risk[live])
    risk = np.cumsum(diff)[:-1]
    return n_split.astype(np.float64), risk


def cp_table_errors(
    table: np.ndarray,
    fold_tree: Tree,
    cp: float,
    root_risk: float,
    weight_ratio: float,
    X: np.ndarray,
    y: np.ndarray,
    sample_weight: np.ndarray,
) -> np.ndarray:
    """Weighted misclassification of held-out rows at every row of a ``cptable``.

    As rpart's cross-validation: the rows of ``table`` are represented by the
    geometric means of consecutive CPs (the first by ten times the largest), in risk
    units of the full data scaled by ``weight_ratio`` (the fold's training weight
    over the full weight); ``fold_tree`` was grown on the fold's training rows and
    pruned at ``cp``. A held-out row is predicted by the first node on its path
    whose (capped) complexity is at most the row's threshold.

    Parameters
    ----------
    table : ndarray of shape (n_rows, >= 1)
        The full data's ``cptable`` (:func:`cp_table`).
    fold_tree : Tree
        Grown on the fold's training rows (pruned at ``cp`` or not: splits that do
        not survive it never predict).
    cp : float
    root_risk : float
        The full data's root risk (the table's scale).
    weight_ratio : float
    X, y, sample_weight : ndarray
        Held-out rows (encoded as ``fold_tree`` was grown), class codes, weights.

    Returns
    -------
    ndarray of shape (n_rows,)
        Weighted errors at each table row.
    """
    values = table[:, 0] * root_risk
    thresholds = np.r_[10.0 * values[0], np.sqrt(values[:-1] * values[1:])] * weight_ratio
    res = rpart_complexity(fold_tree, float(cp) * root_risk * weight_ratio)
    # subtree k (thresholds ascending): node t is a leaf once thresholds[k] >= cpx[t]
    order = np.argsort(thresholds, kind="stable")
    asc = thresholds[order]
    leaf_from = np.searchsorted(asc, res.complexity, side="left")
    leaf_from[fold_tree.n_children == 0] = 0
    errors = interval_errors(fold_tree, X, y, sample_weight, leaf_from, asc.size)
    out = np.empty(asc.size)
    out[order] = errors
    return out


def one_se_row(table: np.ndarray) -> int:
    """The row of rpart's one-standard-error choice in a cross-validated ``cptable``.

    The smallest tree (first row) whose ``xerror`` is at most the minimum ``xerror``
    plus that row's ``xstd`` (the first minimum on ties). Pruning at its CP
    (:func:`prune_rpart_at` with :func:`table_alpha`) gives that tree.

    Parameters
    ----------
    table : ndarray of shape (n_rows, 5)
        CP, nsplit, rel error, xerror, xstd.

    Returns
    -------
    int
    """
    if table.ndim != 2 or table.shape[1] < 5:
        raise ValueError("the one-SE rule needs a cross-validated cptable (xerror, xstd).")
    best = int(np.argmin(table[:, 3]))
    threshold = table[best, 3] + table[best, 4]
    return int(np.flatnonzero(table[:, 3] <= threshold)[0])


def table_alpha(tree: Tree, cp: float, row: int) -> float:
    """The complexity (in risk units) of row ``row`` of ``cp_table(tree, cp)``.

    Exactly the value the table's CP was scaled from, so that pruning at it keeps
    that row's subtree (``CP · R(root)`` may round to either side of it).
    """
    root_risk = float(node_risk(tree)[0])
    res, values = _table_values(tree, float(cp) * root_risk)
    if not res.keep[0] or root_risk <= 0:
        return max(float(res.complexity[0]), float(cp) * root_risk)
    return float(values[row])
