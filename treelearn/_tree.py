"""Array storage of a fitted decision tree, and vectorised prediction.

A :class:`Tree` is a set of parallel arrays indexed by node id (no Python object
per node). Node 0 is the root. The children of node ``i`` are the consecutive ids
``first_child[i], ..., first_child[i] + n_children[i] - 1`` (CSR-style), so
multiway splits cost nothing extra; a leaf has ``n_children == 0`` and
``first_child == -1``.

Split tests:

* numeric (``split_kind == SPLIT_NUMERIC``): ``x <= threshold`` goes to slot 0,
  ``x > threshold`` to slot 1;
* categorical (``split_kind == SPLIT_CATEGORICAL``): the category code ``c`` goes to
  slot ``category_branch[category_ptr[i] + c]``. One table serves multiway splits
  (one slot per category) and binary subset splits (two slots). A slot of ``-1``
  means the category was not seen at this node in training: it is routed like a
  missing value.

Missing values (and unseen categories) are routed C4.5 style: the case goes down
every child ``b`` with weight ``missing_fraction[b]`` (the child's share of the
parent's known training weight) and the class distributions reached are summed by
those weights. A known value routed to an *empty* child (a branch that received no
training weight) is predicted with the parent's class distribution, as C4.5 does.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import scipy.sparse as sp

TREE_LEAF = -1
TREE_UNDEFINED = -2

SPLIT_LEAF = 0
SPLIT_NUMERIC = 1
SPLIT_CATEGORICAL = 2

# Branch weights at or below this many average rows are treated as empty (C4.5's
# 1e-6 tolerance, in units of the mean training weight of a row).
_EMPTY_WEIGHT = 1e-6


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


class Tree:
    """A fitted tree as parallel arrays.

    Parameters
    ----------
    n_features : int
    n_classes : int
    arrays : dict of str to ndarray
        The node arrays named in ``Tree.NODE_ARRAYS`` (length ``node_count``) plus
        ``value`` (``node_count × n_classes``), ``category_ptr``
        (``node_count + 1``) and ``category_branch``.

    Attributes
    ----------
    node_count : int
    feature, threshold, split_kind, first_child, n_children, parent, depth,
    impurity, split_score, gain, n_node_samples, missing_fraction : ndarray
        One entry per node (see the module docstring).
    value : ndarray of shape (node_count, n_classes)
        Weighted class counts per node.
    weighted_n_node_samples : ndarray
        Row sums of ``value``.
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

    def __init__(self, n_features: int, n_classes: int, arrays: dict[str, np.ndarray]):
        self.n_features = int(n_features)
        self.n_classes = int(n_classes)
        for name, dtype in self.NODE_ARRAYS.items():
            setattr(self, name, np.ascontiguousarray(arrays[name], dtype=dtype))
        self.value = np.ascontiguousarray(arrays["value"], dtype=np.float64)
        self.category_ptr = np.ascontiguousarray(arrays["category_ptr"], dtype=np.int64)
        self.category_branch = np.ascontiguousarray(arrays["category_branch"], dtype=np.int32)
        self._prepare()

    # -- derived state -------------------------------------------------------------
    def _prepare(self) -> None:
        self.weighted_n_node_samples = self.value.sum(axis=1)
        total = self.weighted_n_node_samples
        with np.errstate(invalid="ignore", divide="ignore"):
            proba = np.where(total[:, None] > 0, self.value / total[:, None], 0.0)
        # An empty child is predicted with its parent's distribution (C4.5); its
        # parent is internal, so never empty itself.
        row_weight = total[0] / max(int(self.n_node_samples[0]), 1) if total.size else 1.0
        empty = (total <= _EMPTY_WEIGHT * row_weight) & (self.parent >= 0)
        proba[empty] = proba[self.parent[empty]]
        self._node_proba = proba
        self._empty = empty
        self._steps = None
        self._cat_steps = None
        self._spread_kids = None
        self._classes_at = None

    @property
    def is_empty(self) -> np.ndarray:
        """Boolean mask of the *empty* nodes: training weight at most 1e-6 of the mean
        weight of a training row (C4.5's tolerance, relative so that scaling every
        sample weight changes nothing). The root is never empty. An empty node is
        predicted with its parent's class distribution."""
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

    def to_arrays(self) -> dict[str, np.ndarray]:
        """Return every stored array by name (the inverse of the constructor)."""
        out = {name: getattr(self, name) for name in self.NODE_ARRAYS}
        out["value"] = self.value
        out["category_ptr"] = self.category_ptr
        out["category_branch"] = self.category_branch
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

    def branch_categories(self, node: int) -> list[list[int]]:
        """Category codes routed to each child slot of a categorical split."""
        table = self.category_branch[self.category_ptr[node] : self.category_ptr[node + 1]]
        return [np.flatnonzero(table == slot).tolist() for slot in range(self.n_children[node])]

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
    def route(self, X: np.ndarray, descent=None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Send every row of ``X`` to the leaves.

        Returns ``(row, leaf, weight)`` triples: a row with no missing value on its
        path reaches one leaf with weight 1; a row with a missing value is spread
        over several leaves. Work is vectorised over rows, one step per level.
        ``descent`` is the output of :meth:`_descend` on ``X`` if already computed.
        """
        leaf, stuck_rows, stuck_nodes = self._descend(X) if descent is None else descent
        done = np.flatnonzero(leaf >= 0)
        if stuck_rows.size == 0:
            return done, leaf[done], np.ones(done.size)
        rows, leaves, w = self._spread(X, stuck_rows, stuck_nodes)
        return (
            np.concatenate([done, rows]),
            np.concatenate([leaf[done], leaves]),
            np.concatenate([np.ones(done.size), w]),
        )

    def _descend(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Follow known values down to a leaf, all rows at once.

        Leaves are absorbing (they point to themselves with an infinite threshold),
        so a step is four gathers and a comparison for every row still moving; rows
        that reached a leaf are dropped every few steps. A row whose value is
        missing or whose category was unseen at a node stops there.

        Returns the leaf of every row (``-1`` for stopped rows) and the stopped
        rows with their nodes.
        """
        n = X.shape[0]
        feat, thr, base, is_cat = self._step_arrays()
        flat, row_step, col_step = self._flat(X)
        col = feat * col_step  # per node: offset of its feature's column
        shift = int(col.max()).bit_length()
        if shift + self.node_count.bit_length() >= 63:  # needs X of hundreds of GB
            raise ValueError(
                "X is too large to predict in one call (a node's child and column offset "
                "must fit one int64); predict it in row chunks."
            )
        packed = base << shift | col
        # a NaN makes the minimum NaN (cheaper than a NaN mask)
        if not is_cat.any() and not (flat.size and np.isnan(flat.min())):
            return self._descend_numeric(flat, n, row_step, packed, shift, thr)
        return self._descend_general(flat, n, row_step, packed, shift, thr)

    @staticmethod
    def _flat(X: np.ndarray) -> tuple[np.ndarray, int, int]:
        """``X`` as a flat float64 array: ``X[i, f]`` is ``flat[i * row_step + f * col_step]``
        whatever the memory order (no copy for C- or F-contiguous float64 input)."""
        X = np.asarray(X, dtype=np.float64)
        if not (X.flags.c_contiguous or X.flags.f_contiguous):
            X = np.ascontiguousarray(X)
        row_step, col_step = (s // X.itemsize for s in X.strides)
        return X.ravel(order="K"), row_step, col_step

    @staticmethod
    def _step(packed, nodes, at, mask, shift, flat):
        """One descent step: ``(base[nodes], X value at the node's feature)`` from
        one lookup of ``packed`` (``base << shift | column offset``)."""
        nxt = packed[nodes]
        idx = nxt & mask
        idx += at
        nxt >>= shift
        return nxt, flat[idx]

    @staticmethod
    def _drop_finished(nodes, nxt, at, out, div):
        """Write out the rows whose step did not move them, once they are at least
        1/8 of the rows, and keep the others (by index: boolean masks that are
        neither mostly true nor mostly false are slow to apply)."""
        done = nxt == nodes
        if np.count_nonzero(done) * 8 < done.size:
            return at, nxt
        fin = np.flatnonzero(done)
        out[at[fin] // div] = nxt[fin]
        keep = np.flatnonzero(~done)
        return at[keep], nxt[keep]

    def _descend_general(self, flat, n, row_step, packed, shift, thr, chunk=32768):
        """:meth:`_descend` with missing values or categorical splits.

        As :meth:`_descend_numeric`, except that a row whose value is missing (or
        whose category is unseen) at an internal node is sent to that node itself:
        it then looks finished like a row at a leaf, and is dropped with them. The
        rows left on an internal node at the end are the stopped ones.
        """
        mask = (1 << shift) - 1
        is_cat = self._step_arrays()[3]
        has_cat = bool(is_cat.any())
        if has_cat:
            ptr, width, cat_next = self._category_steps()
        res = np.empty(n, dtype=np.intp)
        div = max(row_step, 1)  # row of an offset (row_step may be 0 when n == 1)
        for start in range(0, n, chunk):
            at = np.arange(start, min(n, start + chunk)) * row_step
            nodes = np.zeros(at.size, dtype=np.intp)
            for it in range(self.max_depth):
                nxt, x = self._step(packed, nodes, at, mask, shift, flat)
                nxt += x > thr[nodes]  # categorical nodes have thr = inf: fixed below
                np.copyto(nxt, nodes, where=np.isnan(x))  # a missing value stops the row
                if has_cat:
                    ci = np.flatnonzero(is_cat[nodes])
                    if ci.size:
                        nxt[ci] = self._category_next(x[ci], nodes[ci], ptr, width, cat_next)
                if it % 3 == 2:
                    at, nxt = self._drop_finished(nodes, nxt, at, res, div)
                nodes = nxt
                if not nodes.size:
                    break
            res[at // div] = nodes
        stuck_rows = np.flatnonzero(self.n_children[res] > 0)
        stuck_nodes = res[stuck_rows]
        res[stuck_rows] = -1
        # stopped rows in the order of the level-by-level descent: by depth, then row
        order = np.argsort(self.depth[stuck_nodes], kind="stable")
        return res, stuck_rows[order], stuck_nodes[order]

    def _category_steps(self):
        """Per category-table entry, the child it leads to (the node itself when the
        category is unseen there); with each node's table start and width."""
        cached = getattr(self, "_cat_steps", None)
        if cached is None:
            ptr = self.category_ptr[:-1].astype(np.intp)
            width = np.diff(self.category_ptr).astype(np.intp)
            owner = np.repeat(np.arange(self.node_count, dtype=np.intp), width)
            branch = self.category_branch.astype(np.intp)
            cat_next = np.where(branch >= 0, self.first_child[owner] + branch, owner)
            cached = self._cat_steps = (ptr, width, cat_next)
        return cached

    @staticmethod
    def _category_next(x, nodes, ptr, width, cat_next):
        """Next node of rows at categorical nodes (the node itself if stopped)."""
        # trunc(x) is a valid code iff -1 < x < width (NaN fails both)
        ok = (x > -1) & (x < width[nodes])
        out = nodes.copy()
        okn = nodes[ok]
        out[ok] = cat_next[ptr[okn] + x[ok].astype(np.intp)]
        return out

    def _descend_numeric(self, flat, n, row_step, packed, shift, thr, chunk=32768):
        """:meth:`_descend` for numeric splits and no missing value: nothing stops.

        ``packed[i]`` is ``base[i] << shift | col[i]``: one gather per step gives both
        the first child and the column offset of the node's feature.

        Rows go in chunks; a row is tracked by ``at``, the offset of its first value
        in ``flat``. Every third step, if at least 1/8 of the rows have reached a
        leaf, those are written out and dropped (by index: boolean masks that are
        neither mostly true nor mostly false are slow to apply).
        """
        mask = (1 << shift) - 1
        root_child, root_col = packed[0] >> shift, packed[0] & mask
        leaf = np.empty(n, dtype=np.intp)
        div = max(row_step, 1)  # row of an offset (row_step may be 0 when n == 1)
        for start in range(0, n, chunk):
            at = np.arange(start, min(n, start + chunk)) * row_step
            # first step: every row is at the root, no per-node gathers needed
            nodes = root_child + (flat[root_col + at] > thr[0])
            for it in range(1, self.max_depth):
                # nxt = base[nodes] + (flat[col[nodes] + at] > thr[nodes])
                nxt, x = self._step(packed, nodes, at, mask, shift, flat)
                nxt += x > thr[nodes]
                if it % 3 == 2:
                    at, nxt = self._drop_finished(nodes, nxt, at, leaf, div)
                nodes = nxt
                if not nodes.size:
                    break
            leaf[at // div] = nodes
        empty = np.empty(0, dtype=np.intp)
        return leaf, empty, empty

    def _step_arrays(self):
        """Per-node arrays of one descent step; leaves point to themselves."""
        cached = getattr(self, "_steps", None)
        if cached is None:
            leaf = self.n_children == 0
            ids = np.arange(self.node_count, dtype=np.intp)
            feat = np.where(leaf, 0, self.feature).astype(np.intp)
            is_cat = self.split_kind == SPLIT_CATEGORICAL
            thr = np.where(leaf | is_cat, np.inf, self.threshold)
            base = np.where(leaf, ids, self.first_child).astype(np.intp)
            cached = self._steps = (feat, thr, base, is_cat)
        return cached

    def _spread(self, X: np.ndarray, rows: np.ndarray, nodes: np.ndarray):
        """Route rows from the given nodes, missing values down every branch.

        Level by level: entries at a leaf are output, a known value moves its entry
        to one child, a missing value replaces it by one entry per non-empty child
        (appended after the moved ones, in slot order).
        """
        flat, row_step, col_step = self._flat(X)
        feat, thr, base, is_cat = self._step_arrays()
        has_cat = bool(is_cat.any())
        if has_cat:
            ptr, width, cat_next = self._category_steps()
        col = feat * col_step
        is_leaf = self.n_children == 0
        kids, kid_start, kid_count = self._spread_children()
        # entries carry the offset of their row in flat, not the row
        div = max(row_step, 1)
        rows = rows.astype(np.intp) * row_step
        nodes = nodes.astype(np.intp, copy=True)
        weights = np.ones(rows.size, dtype=np.float64)
        done_rows, done_nodes, done_w = [], [], []
        while rows.size:
            at_leaf = is_leaf[nodes]
            if at_leaf.any():
                fin = np.flatnonzero(at_leaf)
                done_rows.append(rows[fin])
                done_nodes.append(nodes[fin])
                done_w.append(weights[fin])
                keep = np.flatnonzero(~at_leaf)
                rows, nodes, weights = rows[keep], nodes[keep], weights[keep]
                if not rows.size:
                    break
            x = flat[rows + col[nodes]]
            nxt = base[nodes] + (x > thr[nodes])
            multi = np.isnan(x)
            if has_cat:
                ci = np.flatnonzero(is_cat[nodes])
                if ci.size:
                    nd = nodes[ci]
                    nxt[ci] = self._category_next(x[ci], nd, ptr, width, cat_next)
                    multi[ci] = nxt[ci] == nd  # missing or unseen category
            if not multi.any():
                nodes = nxt
                continue
            single = np.flatnonzero(~multi)
            m = np.flatnonzero(multi)
            m_nodes = nodes[m]
            # a missing value (or an unseen category) goes down every non-empty child
            counts = kid_count[m_nodes]
            ends = np.cumsum(counts)
            idx = np.repeat(kid_start[m_nodes] - (ends - counts), counts)
            idx += np.arange(idx.size)
            rep_nodes = kids[idx]
            rep_rows = np.repeat(rows[m], counts)
            rep_w = np.repeat(weights[m], counts) * self.missing_fraction[rep_nodes]
            pos = rep_w > 0
            if not pos.all():
                rep_rows, rep_nodes, rep_w = rep_rows[pos], rep_nodes[pos], rep_w[pos]
            rows = np.concatenate([rows[single], rep_rows])
            nodes = np.concatenate([nxt[single], rep_nodes])
            weights = np.concatenate([weights[single], rep_w])
        if not done_rows:
            empty = np.empty(0, dtype=np.intp)
            return empty, empty, np.empty(0)
        rows = np.concatenate(done_rows) // div
        return rows, np.concatenate(done_nodes), np.concatenate(done_w)

    def _spread_children(self):
        """The children a missing value is spread to (non-empty, positive share),
        ascending, with each node's start and count among them."""
        cached = getattr(self, "_spread_kids", None)
        if cached is None:
            mf = self.missing_fraction
            kids = np.flatnonzero((self.parent >= 0) & ~self._empty & (mf > 0))
            # children ids are consecutive per parent, so kids are grouped by parent
            kid_start = np.searchsorted(kids, self.first_child).astype(np.intp)
            kid_count = np.bincount(self.parent[kids], minlength=self.node_count)
            cached = self._spread_kids = (kids, kid_start, kid_count.astype(np.intp))
        return cached

    @staticmethod
    def _row_sums(pos: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
        """``out[pos[i]] += values[i]`` in the order of ``i``, from zeros, as
        ``np.add.at`` does (``np.bincount`` adds its weights in that same order, so
        results are bit-identical)."""
        k = values.shape[1]
        cell = pos[:, None] * k + np.arange(k)
        return np.bincount(cell.ravel(), weights=values.ravel(), minlength=n * k).reshape(n, k)

    def predict_proba(self, X: np.ndarray, laplace: bool = False) -> np.ndarray:
        """Class probabilities of the rows of the encoded matrix ``X``.

        ``laplace=True`` uses ``(n_c + 1) / (n + K)`` at the leaves (C4.5's ``-A``).
        """
        table = self._laplace_proba() if laplace else self._node_proba
        descent = self._descend(X)
        if not descent[1].size:  # no row stopped at a missing value: one leaf each
            return table[descent[0]]
        leaf, stuck_rows, stuck_nodes = descent
        rows, leaves, w = self._spread(X, stuck_rows, stuck_nodes)
        out = table[np.maximum(leaf, 0)]
        if rows.size == stuck_rows.size and np.all(w == 1.0):  # one leaf per row
            out[rows] = table[leaves]
            return out
        # as adding table[leaf] * 1.0 to zeros would (turns -0.0 into 0.0)
        out += 0.0
        pos = np.empty(leaf.size, dtype=np.intp)
        pos[stuck_rows] = np.arange(stuck_rows.size)
        out[stuck_rows] = self._row_sums(pos[rows], table[leaves] * w[:, None], stuck_rows.size)
        return out

    def _laplace_proba(self) -> np.ndarray:
        """Laplace-smoothed distribution per node; empty leaves take the parent's."""
        total = self.weighted_n_node_samples
        proba = (self.value + 1.0) / (total + self.n_classes)[:, None]
        proba[self._empty] = proba[self.parent[self._empty]]
        return proba

    def predict_class(self, X: np.ndarray, labels: np.ndarray | None = None) -> np.ndarray:
        """Index of the most probable class per row (the first one on ties).

        With ``labels``, return ``labels[index]`` instead (one lookup per row, not two).
        """
        leaf, stuck_rows, stuck_nodes = self._descend(X)
        if labels is None:
            labels = np.arange(self.n_classes)
            at_node = self.leaf_class
        else:
            at_node = labels[self.leaf_class]
        if not stuck_rows.size:
            return at_node[leaf]
        out = at_node[np.maximum(leaf, 0)]
        # rows spread by a missing value: sum their branches
        rows, leaves, w = self._spread(X, stuck_rows, stuck_nodes)
        pos = np.empty(leaf.size, dtype=np.intp)
        pos[stuck_rows] = np.arange(stuck_rows.size)
        proba = self._row_sums(pos[rows], self._node_proba[leaves] * w[:, None], stuck_rows.size)
        out[stuck_rows] = labels[np.argmax(proba, axis=1)]
        return out

    def apply(self, X: np.ndarray) -> np.ndarray:
        """Leaf id per row; a row spread by a missing value gets its heaviest leaf."""
        descent = self._descend(X)
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
        }

    def __setstate__(self, state: dict) -> None:
        self.__init__(state["n_features"], state["n_classes"], state["arrays"])
