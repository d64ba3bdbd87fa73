"""Array storage of a fitted decision tree, and vectorised prediction.

A :class:`Tree` is a set of parallel arrays indexed by node id (no Python object
per node). Node 0 is the root. The children of node ``i`` are the consecutive ids
``first_child[i], ..., first_child[i] + n_children[i] - 1`` (CSR-style), so
multiway splits cost nothing extra; a leaf has ``n_children == 0`` and
``first_child == -1``.

Split tests:

* numeric (``split_kind == SPLIT_NUMERIC``): ``x <= threshold`` goes to slot 0,
  ``x > threshold`` to slot 1;
* categorical (``split_kind == SPLIT_CATEGORICAL``): node ``i``'s routing table is
  the (category, slot) pairs ``category_code[j]``, ``category_branch[j]`` for ``j``
  in ``category_ptr[i] .. category_ptr[i + 1] - 1``, codes ascending; the category
  code ``c`` goes to the slot of its pair. One table serves multiway splits (one
  slot per category) and binary subset splits (two slots). A slot of ``-1``, or a
  category the table does not list, means the category was not seen at this node
  in training: it is routed like a missing value. Features of few categories store
  whole tables (``category_code`` is then ``0 .. width-1`` in every row and
  ``category_branch[category_ptr[i] + c]`` is code ``c``'s slot), wider ones the
  pairs of their slots only (:mod:`treelearn._split_lists`), so that a tree costs
  what its nodes saw, not nodes x declared categories. ``to_arrays`` holds
  ``category_code`` only when some table is not whole.

Missing values (and unseen categories) are routed C4.5 style: the case goes down
every child ``b`` with weight ``missing_fraction[b]`` (the child's share of the
parent's known training weight) and the class distributions reached are summed by
those weights. A known value routed to an *empty* child (a branch that received no
training weight) is predicted with the parent's class distribution, as C4.5 does.

Surrogate splits (``missing_values="surrogate"``, CART as R's rpart): a tree grown
with them has ``surrogates``, a :class:`~treelearn._surrogate_tables.Surrogates`
(CSR arrays ``surrogate_ptr`` ``[node_count + 1]`` and, per surrogate,
``surrogate_feature``, ``surrogate_kind``, ``surrogate_threshold``,
``surrogate_low_slot``, ``surrogate_agreement``, ``surrogate_adj``, with the
categorical tables ``surrogate_category_ptr`` / ``surrogate_category_branch`` and,
when one lists only the categories that have a slot, ``surrogate_category_code``).
A case whose primary value is missing (or whose category has no branch) follows
the first surrogate of the node it has a value for; if none applies it takes the
node's ``missing_fraction``, which such trees make one-hot (the majority
direction: the child with more training cases). When both children had as many
cases there is no majority direction and the case is spread over both by their
training weight (rpart ends it at the node and predicts the node's distribution;
here every row reaches leaves, as ``apply`` promises). Trees without surrogates
have ``surrogates = None`` and store no such arrays.

Competing splits (``max_competitors > 0``, rpart's ``maxcompete``): ``competitors``, a
:class:`~treelearn._competitor_tables.Competitors` (CSR arrays ``competitor_*``), the
runner-up features of every split; a description only, never used to route.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import scipy.sparse as sp

from treelearn._competitor_tables import Competitors
from treelearn._routing import DescentTables, NanRows, leaf_sums, route
from treelearn._split_lists import TableIndex, whole_codes
from treelearn._surrogate_tables import Surrogates
from treelearn._tolerances import EMPTY_WEIGHT

TREE_LEAF = -1
TREE_UNDEFINED = -2

SPLIT_LEAF = 0
SPLIT_NUMERIC = 1
SPLIT_CATEGORICAL = 2


def empty_nodes(
    weight: np.ndarray, n_entries: np.ndarray, parent: np.ndarray, unit_weight: float
) -> np.ndarray:
    """Which nodes are *empty*: no training entry reached them, or their weight is at
    most ``EMPTY_WEIGHT × unit_weight`` (crumbs of fractional copies: C4.5's
    ``Utils.eq(weight, 0)``), where ``unit_weight`` is the smallest training row weight.

    Measured against the *smallest* row, a node that some whole training case
    reached is never empty, however small its weight beside the others' (five rows
    of weight 1 beside five of weight 1e7 are five real cases): the rule decides
    what a node without data predicts, never what a node with data predicts. With
    equal weights it is J48's absolute 1e-6. The root is never empty.
    """
    n = np.asarray(n_entries)
    return (parent >= 0) & ((n <= 0) | ~(weight > EMPTY_WEIGHT * unit_weight))


@dataclass(frozen=True)
class NodeView:
    """A read-only view of one node, for walking a tree (export, tests).

    Attributes
    ----------
    node_id : int
    depth : int
    is_leaf : bool
    feature : int
        Feature index of the split, ``-2`` at leaves.
    kind : str
        ``"leaf"``, ``"numeric"`` or ``"categorical"``.
    threshold : float
        Numeric splits: slot 0 is ``x <= threshold``, slot 1 ``x > threshold``.
    children : tuple of int
        Child node ids, in slot order.
    branch_categories : tuple of tuple of int
        Categorical splits: the category codes routed to each child slot.
    value : ndarray of shape (n_classes,)
        Weighted class counts of the training cases at the node.
    impurity : float
    split_score : float
        The criterion's score of the split (``nan`` at leaves).
    gain : float
        The impurity decrease of the split (``nan`` at leaves).
    """

    node_id: int
    depth: int
    is_leaf: bool
    feature: int
    kind: str
    threshold: float
    children: tuple[int, ...]
    branch_categories: tuple[tuple[int, ...], ...]
    value: np.ndarray
    impurity: float
    split_score: float
    gain: float

    @property
    def weighted_n_samples(self) -> float:
        """Total training weight at the node."""
        return float(self.value.sum())


#: Widest fan-out whose table :meth:`Tree.prepare_prediction` builds at fit.
_FAN_TABLE_WIDTH = 8


class Tree:
    """A fitted tree as parallel arrays.

    Parameters
    ----------
    n_features : int
    n_classes : int
    arrays : dict of str to ndarray
        The node arrays named in ``Tree.NODE_ARRAYS`` (length ``node_count``) plus
        ``value`` (``node_count × n_classes``), ``category_ptr``
        (``node_count + 1``) and ``category_branch``, optionally ``category_code``
        (absent: whole tables).

    Attributes
    ----------
    node_count : int
    feature, threshold, split_kind, first_child, n_children, parent, depth,
    impurity, split_score, gain, n_node_samples, missing_fraction : ndarray
        One entry per node (see the module docstring).
    value : ndarray of shape (node_count, n_classes)
        Weighted class counts per node (scikit-learn before 1.4 stored these counts;
        from 1.4 it stores ``node_proba``, the counts as fractions, with a middle
        axis for outputs).
    weighted_n_node_samples : ndarray
        Row sums of ``value``.

    Notes
    -----
    The names scikit-learn's ``Tree`` uses have the same meaning here:
    ``node_count``, ``children_left``/``children_right`` (binary splits),
    ``feature``, ``threshold``, ``impurity``, ``n_node_samples``,
    ``weighted_n_node_samples``, ``max_depth``, ``n_leaves``, ``n_outputs``,
    ``max_n_classes``, ``capacity``; ``value`` holds counts (see above) and
    ``n_classes`` is an int. Node ids are breadth first (scikit-learn's are depth
    first).
    """

    NODE_ARRAYS: ClassVar[dict[str, type]] = {
        "feature": np.int32,
        "threshold": np.float64,
        "split_kind": np.int8,
        "first_child": np.int32,
        "n_children": np.int32,
        "parent": np.int32,
        "depth": np.int32,
        "impurity": np.float64,
        "split_score": np.float64,
        "gain": np.float64,
        "n_node_samples": np.int64,
        "missing_fraction": np.float64,
    }

    # The node arrays of NODE_ARRAYS, set by name in __init__; declared for type checkers.
    feature: np.ndarray
    threshold: np.ndarray
    split_kind: np.ndarray
    first_child: np.ndarray
    n_children: np.ndarray
    parent: np.ndarray
    depth: np.ndarray
    impurity: np.ndarray
    split_score: np.ndarray
    gain: np.ndarray
    n_node_samples: np.ndarray
    missing_fraction: np.ndarray

    def __init__(
        self,
        n_features: int,
        n_classes: int,
        arrays: dict[str, np.ndarray],
        unit_weight: float | None = None,
    ):
        self.n_features = int(n_features)
        self.n_classes = int(n_classes)
        for name, dtype in self.NODE_ARRAYS.items():
            setattr(self, name, np.ascontiguousarray(arrays[name], dtype=dtype))
        self.value = np.ascontiguousarray(arrays["value"], dtype=np.float64)
        self.category_ptr = np.ascontiguousarray(arrays["category_ptr"], dtype=np.int64)
        self.category_branch = np.ascontiguousarray(arrays["category_branch"], dtype=np.int32)
        code = arrays.get("category_code")  # None: whole tables (derived when read)
        self._category_code = None if code is None else np.ascontiguousarray(code, np.int32)
        self._category_index: TableIndex | None = None
        #: Surrogate splits per node (``None``: grown without them).
        self.surrogates: Surrogates | None = (
            Surrogates.from_arrays(arrays) if "surrogate_ptr" in arrays else None
        )
        #: Competing splits per node (``None``: grown with ``max_competitors=0``).
        self.competitors: Competitors | None = (
            Competitors.from_arrays(arrays) if "competitor_ptr" in arrays else None
        )
        if unit_weight is None:  # not recorded (older documents): the mean row weight
            total = float(self.value[0].sum()) if self.value.size else 1.0
            unit_weight = total / max(int(self.n_node_samples[0]), 1) if self.feature.size else 1.0
        #: The smallest training row weight: the unit of :func:`empty_nodes`.
        self.unit_weight = float(unit_weight)
        self._prepare()

    # -- derived state -------------------------------------------------------------
    def _prepare(self) -> None:
        self.weighted_n_node_samples = self.value.sum(axis=1)
        total = self.weighted_n_node_samples
        with np.errstate(invalid="ignore", divide="ignore"):
            proba = self.value / total[:, None]  # one [nodes, classes] array, not three
        proba[~(total > 0)] = 0.0
        # An empty child is predicted with its parent's distribution (C4.5); its
        # parent is internal, so never empty itself.
        empty = empty_nodes(total, self.n_node_samples, self.parent, self.unit_weight)
        proba[empty] = proba[self.parent[empty]]
        self._node_proba = proba
        self._empty = empty
        self._descent: DescentTables | None = None
        self._classes_at: np.ndarray | None = None

    @property
    def is_empty(self) -> np.ndarray:
        """Boolean mask of the *empty* nodes (:func:`empty_nodes`: no training entry
        reached them, or weight at most 1e-6 of the lightest training row). The root
        is never empty. An empty node is predicted with its
        parent's class distribution."""
        return self._empty

    @property
    def node_proba(self) -> np.ndarray:
        """Class distribution predicted at every node, shape ``(node_count, n_classes)``:
        the normalised ``value``, or the parent's for an empty node."""
        return self._node_proba

    @property
    def leaf_class(self) -> np.ndarray:
        """Index of the class predicted at every node (the first one on ties); an
        empty node predicts its parent's class."""
        cached = self._classes_at
        if cached is None:
            cached = self._classes_at = np.argmax(self._node_proba, axis=1)
        return cached

    def __getattr__(self, name: str) -> np.ndarray:
        # the split lists' arrays by their names in to_arrays() (trees that have them)
        for attr in ("surrogates", "competitors"):
            lists = self.__dict__.get(attr)
            if lists is not None and name in lists.ARRAYS:
                return getattr(lists, name[len(lists.PREFIX) :])
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def to_arrays(self) -> dict[str, np.ndarray]:
        """Return every stored array by name (the inverse of the constructor)."""
        out = {name: getattr(self, name) for name in self.NODE_ARRAYS}
        out["value"] = self.value
        out["category_ptr"] = self.category_ptr
        out["category_branch"] = self.category_branch
        if not self.category_index.whole:
            out["category_code"] = self.category_code
        if self.surrogates is not None:
            out.update(self.surrogates.to_arrays())
        if self.competitors is not None:
            out.update(self.competitors.to_arrays())
        return out

    # -- sizes -----------------------------------------------------------------------
    @property
    def node_count(self) -> int:
        """Number of nodes, internal and leaves."""
        return int(self.feature.shape[0])

    @property
    def is_leaf(self) -> np.ndarray:
        """Boolean mask of the leaves."""
        return self.n_children == 0

    @property
    def n_leaves(self) -> int:
        """Number of leaves (empty leaves included, as J48 counts them)."""
        return int(np.count_nonzero(self.n_children == 0))

    @property
    def capacity(self) -> int:
        """Number of node slots allocated, as scikit-learn's ``Tree.capacity``: the
        arrays here are exactly sized, so ``node_count``."""
        return self.node_count

    @property
    def n_outputs(self) -> int:
        """Number of outputs (always 1), as scikit-learn's ``Tree.n_outputs``."""
        return 1

    @property
    def max_n_classes(self) -> int:
        """Number of classes of the one output, as scikit-learn's ``Tree.max_n_classes``.

        (``n_classes`` is that number as an int; scikit-learn's is an array with one
        entry per output.)"""
        return self.n_classes

    @property
    def max_depth(self) -> int:
        """Depth of the deepest node (a lone root has depth 0)."""
        return int(self.depth.max()) if self.node_count else 0

    @property
    def children_left(self) -> np.ndarray:
        """First child of every node (``-1`` at leaves); the left child of a binary split."""
        return np.where(self.n_children > 0, self.first_child, TREE_LEAF).astype(np.int32)

    @property
    def children_right(self) -> np.ndarray:
        """Last child of every node (``-1`` at leaves); the right child of a binary split."""
        last = self.first_child + self.n_children - 1
        return np.where(self.n_children > 0, last, TREE_LEAF).astype(np.int32)

    # -- walking ---------------------------------------------------------------------
    def children(self, node: int) -> range:
        """Ids of the children of ``node`` in slot order (empty for a leaf)."""
        start = int(self.first_child[node])
        return range(start, start + int(self.n_children[node])) if start >= 0 else range(0)

    @property
    def category_code(self) -> np.ndarray:
        """The category of every entry of ``category_branch`` (see the module docstring)."""
        if self._category_code is None:
            self._category_code = whole_codes(self.category_ptr)
        return self._category_code

    @property
    def category_index(self) -> TableIndex:
        """Lookups of (node, category) in the routing tables (built once)."""
        if self._category_index is None:
            self._category_index = TableIndex(self.category_ptr, self.category_code)
        return self._category_index

    def category_table(self, node: int) -> tuple[np.ndarray, np.ndarray]:
        """The (category codes, slots) pairs of ``node``'s routing table."""
        lo, hi = self.category_ptr[node], self.category_ptr[node + 1]
        return self.category_code[lo:hi], self.category_branch[lo:hi]

    def branch_categories(self, node: int) -> list[list[int]]:
        """Category codes routed to each child slot of a categorical split."""
        codes, table = self.category_table(node)
        return [codes[table == slot].tolist() for slot in range(self.n_children[node])]

    def node(self, node: int) -> NodeView:
        """Return a :class:`NodeView` of one node."""
        kind = int(self.split_kind[node])
        cats: tuple[tuple[int, ...], ...] = ()
        if kind == SPLIT_CATEGORICAL:
            cats = tuple(tuple(c) for c in self.branch_categories(node))
        return NodeView(
            node_id=int(node),
            depth=int(self.depth[node]),
            is_leaf=kind == SPLIT_LEAF,
            feature=int(self.feature[node]),
            kind=("leaf", "numeric", "categorical")[kind],
            threshold=float(self.threshold[node]),
            children=tuple(self.children(node)),
            branch_categories=cats,
            value=self.value[node].copy(),
            impurity=float(self.impurity[node]),
            split_score=float(self.split_score[node]),
            gain=float(self.gain[node]),
        )

    def walk(self) -> Iterator[NodeView]:
        """Yield every node depth-first in slot order (no recursion, any depth)."""
        stack = [0]
        while stack:
            node = stack.pop()
            yield self.node(node)
            stack.extend(reversed(self.children(node)))

    # -- prediction ------------------------------------------------------------------
    @property
    def descent_tables(self) -> DescentTables:
        """The per-node arrays :mod:`treelearn._routing` descends with (built once).

        A missing value (or an unseen category) is spread over the non-empty
        children with a positive training share ``missing_fraction``.
        """
        if self._descent is None:
            n = self.node_count
            leaf = self.n_children == 0
            ids = np.arange(n, dtype=np.intp)
            is_cat = self.split_kind == SPLIT_CATEGORICAL
            width = np.diff(self.category_ptr).astype(np.intp)
            owner = np.repeat(ids, width)
            branch = self.category_branch.astype(np.intp)
            mf = self.missing_fraction
            kids, mf = self._spread_shares()
            # children ids are consecutive per parent, so kids are grouped by parent
            kid_count = np.bincount(self.parent[kids], minlength=n).astype(np.intp)
            spread_start = np.searchsorted(kids, self.first_child).astype(np.intp)
            # one child that takes a missing value whole: the descent goes there directly
            single = (kid_count == 1) & ~leaf
            only = kids[np.minimum(spread_start, max(kids.size - 1, 0))] if kids.size else ids
            direct = single & (mf[only] == 1.0)
            if self.surrogates is not None:  # surrogates come before the direction
                direct &= np.diff(self.surrogates.ptr) == 0
            missing_next = np.where(direct, only, ids).astype(np.intp)
            self._descent = DescentTables(
                feature=np.where(leaf, 0, self.feature).astype(np.intp),
                threshold=np.where(leaf | is_cat, np.inf, self.threshold),
                base=np.where(leaf, ids, self.first_child).astype(np.intp),
                is_categorical=is_cat,
                cat_index=self.category_index,
                cat_next=np.where(branch >= 0, self.first_child[owner] + branch, owner),
                spread_children=kids,
                spread_start=spread_start,
                spread_count=kid_count,
                share=mf,
                missing_next=missing_next,
                n_children=self.n_children,
                depth=self.depth,
                max_depth=self.max_depth,
                surrogates=self.surrogates,
            )
        return self._descent

    def prepare_prediction(self) -> None:
        """Build every table prediction reads now (``fit`` calls this), so that the
        first ``predict`` pays no set-up: :attr:`descent_tables` with the float32
        thresholds and, where the tree uses them, the fan-out and surrogate tables,
        and :attr:`leaf_class`. O(nodes); the tables are the ones a later call would
        build (each is built once per tree either way)."""
        t = self.descent_tables
        t.threshold32  # noqa: B018 (cached properties, built here)
        internal = t.n_children > 0
        # the fan-out table is [nodes, widest fan-out]: built here for binary and
        # narrow multiway splits only (a 20,000-way split would make it GiB-sized;
        # such a tree builds it, if ever, when a predict needs it)
        if t.spreads.any() and int(t.spread_count[internal].max()) <= _FAN_TABLE_WIDTH:
            t.fan_table  # noqa: B018
            t.fan_walk_nodes  # noqa: B018
            t.depth_key  # noqa: B018
        if t.surrogates is not None:
            t.whole_next  # noqa: B018
            t.surrogate_ranks  # noqa: B018
        self.leaf_class  # noqa: B018

    def _spread_shares(self) -> tuple[np.ndarray, np.ndarray]:
        """Children a missing value goes down (grouped by parent) and every node's share.

        The non-empty children with a positive ``missing_fraction``. A node none of
        whose children qualifies (a hand-written or inconsistent model) spreads over
        its children by their training weight, or evenly when they have none, so
        that every row reaches at least one leaf.
        """
        mf = self.missing_fraction
        has_parent = self.parent >= 0
        ok = has_parent & ~self._empty & (mf > 0)
        parent = np.where(has_parent, self.parent, 0)
        n_ok = np.bincount(parent[ok], minlength=self.node_count)
        orphan = has_parent & (self.n_children[parent] > 0) & (n_ok[parent] == 0)
        if orphan.any():
            mf = mf.copy()
            w = np.where(orphan, self.weighted_n_node_samples, 0.0)
            total = np.bincount(parent[orphan], weights=w[orphan], minlength=self.node_count)
            t = total[parent[orphan]]
            even = 1.0 / self.n_children[parent[orphan]]
            with np.errstate(invalid="ignore", divide="ignore"):
                mf[orphan] = np.where(t > 0, w[orphan] / t, even)
            ok |= orphan & (mf > 0)
        return np.flatnonzero(ok), mf

    def route(self, X: np.ndarray, descent=None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Send every row of the encoded matrix ``X`` to the leaves.

        Returns ``(row, leaf, weight)`` triples: a row with no missing value on its
        path reaches one leaf with weight 1; a row with a missing value is spread
        over several leaves. Work is vectorised over rows, one step per level.
        ``descent`` is the output of :func:`treelearn._routing.route` on ``X`` if
        already computed.
        """
        leaf, stuck_rows, rows, leaves, w = (
            route(self.descent_tables, X) if descent is None else descent
        )
        done = np.flatnonzero(leaf >= 0)
        if stuck_rows.size == 0:
            return done, leaf[done], np.ones(done.size)
        return (
            np.concatenate([done, rows]),
            np.concatenate([leaf[done], leaves]),
            np.concatenate([np.ones(done.size), w]),
        )

    def predict_proba(
        self, X: np.ndarray, laplace: bool = False, nan_rows: NanRows | None = None
    ) -> np.ndarray:
        """Class probabilities of the rows of the encoded matrix ``X``.

        ``laplace=True`` uses ``(n_c + 1) / (n + K)`` at the leaves (C4.5's ``-A``).
        ``nan_rows``: :func:`~treelearn._routing.nan_rows` of ``X`` if known.
        """
        table = self._laplace_proba() if laplace else self._node_proba
        return self._predict_table(table, X, nan_rows)

    def _predict_table(
        self, table: np.ndarray, X: np.ndarray, nan_rows: NanRows | None = None
    ) -> np.ndarray:
        """Rows of the per-node ``table`` [nodes, k] reached by the rows of ``X``,
        summed by their weights over the leaves a missing value spreads them to."""
        leaf, stuck_rows, rows, leaves, w = route(self.descent_tables, X, nan_rows)
        # (``take`` of table rows: 6x faster than ``table[leaf]`` for 100k rows)
        if not stuck_rows.size:  # no row stopped at a missing value: one leaf each
            return table.take(leaf, axis=0)
        out = table.take(leaf, axis=0, mode="clip")  # (-1: row 0, overwritten below)
        if rows.size == stuck_rows.size and np.all(w == 1.0):  # one leaf per row
            out[rows] = table.take(leaves, axis=0)
            return out
        # as adding table[leaf] * 1.0 to zeros would (turns -0.0 into 0.0)
        out += 0.0
        pos = np.empty(leaf.size, dtype=np.intp)
        pos[stuck_rows] = np.arange(stuck_rows.size)
        out[stuck_rows] = leaf_sums(pos[rows], table, leaves, w, stuck_rows.size)
        return out

    def _laplace_proba(self) -> np.ndarray:
        """Laplace-smoothed distribution per node; empty leaves take the parent's."""
        total = self.weighted_n_node_samples
        proba = (self.value + 1.0) / (total + self.n_classes)[:, None]
        proba[self._empty] = proba[self.parent[self._empty]]
        return proba

    def predict_class(
        self, X: np.ndarray, labels: np.ndarray | None = None, nan_rows: NanRows | None = None
    ) -> np.ndarray:
        """Index of the most probable class per row (the first one on ties).

        With ``labels``, return ``labels[index]`` instead (one lookup per row, not two).
        ``nan_rows``: :func:`~treelearn._routing.nan_rows` of ``X`` if known.
        """
        leaf, stuck_rows, rows, leaves, w = route(self.descent_tables, X, nan_rows)
        if labels is None:
            labels = np.arange(self.n_classes)
            at_node = self.leaf_class
        else:
            at_node = labels[self.leaf_class]
        if not stuck_rows.size:
            return at_node.take(leaf)
        out = at_node.take(leaf, mode="clip")  # (-1: node 0's, overwritten below)
        # rows spread by a missing value: sum their branches
        pos = np.empty(leaf.size, dtype=np.intp)
        pos[stuck_rows] = np.arange(stuck_rows.size)
        proba = leaf_sums(pos[rows], self._node_proba, leaves, w, stuck_rows.size)
        out[stuck_rows] = labels[np.argmax(proba, axis=1)]
        return out

    def apply(self, X: np.ndarray) -> np.ndarray:
        """Leaf id per row; a row spread by a missing value gets its heaviest leaf."""
        descent = route(self.descent_tables, X)
        if not descent[1].size:  # no row stopped at a missing value
            return descent[0]
        rows, leaves, w = self.route(X, descent)
        order = np.lexsort((-w, rows))  # by row, heaviest first
        rows, leaves = rows[order], leaves[order]
        first = np.ones(rows.shape, dtype=bool)
        first[1:] = rows[1:] != rows[:-1]
        out = np.empty(X.shape[0], dtype=np.intp)
        out[rows[first]] = leaves[first]
        return out

    def decision_path(self, X: np.ndarray) -> sp.csr_matrix:
        """Indicator matrix (rows × nodes) of the nodes each row passes through."""
        rows, leaves, _ = self.route(X)
        # climb from every reached leaf to the root, all rows at once
        path_rows, path_nodes = [rows], [leaves]
        cur_rows, cur = rows, leaves
        while cur.size:
            par = self.parent[cur]
            keep = par >= 0
            cur_rows, cur = cur_rows[keep], par[keep].astype(np.intp)
            path_rows.append(cur_rows)
            path_nodes.append(cur)
        r = np.concatenate(path_rows)
        c = np.concatenate(path_nodes)
        m = sp.csr_matrix(
            (np.ones(r.size, dtype=np.int8), (r, c)), shape=(X.shape[0], self.node_count)
        )
        m.data[:] = 1  # duplicates (shared ancestors of split rows) collapse to 1
        m.sum_duplicates()
        m.data[:] = 1
        return m

    def compute_feature_importances(self, normalize: bool = True) -> np.ndarray:
        """Total weighted impurity decrease brought by each feature."""
        internal = self.n_children > 0
        w = self.weighted_n_node_samples
        decrease = w * self.impurity
        child_term = np.zeros(self.node_count)
        child_ids = np.flatnonzero(self.parent >= 0)
        np.add.at(child_term, self.parent[child_ids], w[child_ids] * self.impurity[child_ids])
        contrib = np.where(internal, decrease - child_term, 0.0)
        importances = np.zeros(self.n_features)
        np.add.at(importances, self.feature[internal], contrib[internal])
        if w[0] > 0:
            importances /= w[0]
        if normalize:
            total = importances.sum()
            if total > 0:
                importances /= total
        return importances

    def __getstate__(self) -> dict:
        return {
            "n_features": self.n_features,
            "n_classes": self.n_classes,
            "arrays": self.to_arrays(),
            "unit_weight": self.unit_weight,
        }

    def __setstate__(self, state: dict) -> None:
        Tree.__init__(
            self,
            state["n_features"],
            state["n_classes"],
            state["arrays"],
            state.get("unit_weight"),
        )
