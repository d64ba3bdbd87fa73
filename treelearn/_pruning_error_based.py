"""C4.5's error-based (pessimistic) pruning with subtree raising, as Weka's J48 runs it.

:func:`collapse` (facts sheet §7: drop subtrees that do not reduce training error)
and :func:`prune_error_based` (§8: J48's ``prune``, bottom-up, with subtree raising)
on the arrays of a :class:`~treelearn._tree.Tree`. The estimates are J48's
(:mod:`treelearn._j48_estimates`).

The pruner re-distributes the training data through the structure it edits:
:meth:`_ErrorBasedPruner._fan_out` is J48's split of a node's data (known values by
the test; missing values go down every bag through the shared
:func:`treelearn._routing.fan_out`, with shares from the arriving known weight).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple

import numpy as np

from treelearn._j48_estimates import (
    JAVA_DOUBLE_MAX,
    check_training_data,
    child_slots,
    estimated_errors,
    max_bag,
    num_incorrect,
    sm_or_eq,
)
from treelearn._routing import fan_out
from treelearn._sparse_values import SparseColumns
from treelearn._tolerances import J48_COLLAPSE_SLACK, J48_SMALL
from treelearn._tree import SPLIT_LEAF, Tree
from treelearn._tree_surgery import (
    bfs_levels,
    expand_ranges,
    prune_to,
    reslice_category_tables,
    sequential_block_sums,
)
from treelearn.criteria import GainRatio, SplitCriterion

__all__ = ["collapse", "prune_error_based"]

#: A pruning request of a frame: nodes to prune again and their data ``(row, w, loc)``.
_Request = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def collapse(tree: Tree) -> Tree:
    """J48's collapse (facts §7): drop subtrees that do not reduce training error.

    Top-down from the root: an internal node whose subtree's training errors
    ``E_sub = Σ_{leaves l below} (n_l − n_l[maxClass])`` satisfy
    ``E_sub >= E_node − 1e-3`` with ``E_node = n_t − n_t[maxClass]`` (from the stored
    class counts ``value``) becomes a leaf, and its descendants are dropped. The
    decision at a node does not depend on collapses below it, so all nodes are decided
    at once and the shallowest collapsing node of every path wins.

    Parameters
    ----------
    tree : Tree
        A fully grown tree (J48 collapses before pruning, also with ``-U``).

    Returns
    -------
    Tree
        The collapsed copy (or ``tree`` itself if nothing collapses).
    """
    is_leaf = tree.n_children == 0
    err = num_incorrect(tree.value)
    first = tree.first_child.astype(np.intp)
    nch = tree.n_children.astype(np.intp)
    sub = np.where(is_leaf, err, 0.0)
    for nodes in reversed(bfs_levels(first, nch, is_leaf)):
        inner = nodes[~is_leaf[nodes]]
        if inner.size:
            kids, _ = expand_ranges(first[inner], nch[inner])
            sub[inner] = sequential_block_sums(sub[kids], nch[inner])
    collapse_here = ~is_leaf & (sub >= err - J48_COLLAPSE_SLACK)
    if not collapse_here.any():
        return tree
    return prune_to(tree, ~collapse_here)


class _Routed(NamedTuple):
    children: np.ndarray  # child node ids, by parent then slot
    row: np.ndarray
    w: np.ndarray
    loc: np.ndarray  # index into children
    bags: np.ndarray | None  # [n_parents, width] bag weights (known + share of unknown)
    share: np.ndarray | None  # [len(children)] bag / total (J48's weights for unknown values)
    known_counts: np.ndarray | None  # [n_parents, width, K] known class weights per bag
    all_known: bool = True  # every entry's value was known (no copies, no shares)


class _ErrorBasedPruner:
    """State of J48's ``prune`` on the arrays of one tree.

    The current structure lives in arrays over the *original* node ids: ``leaf``,
    ``split`` (whose original split test a node uses now), ``first``/``nch`` (its
    children, always one original sibling range). Subtree raising copies these from
    the raised child. Node statistics (``value``, ...) are rewritten from the data
    that reaches each node.
    """

    def __init__(
        self,
        tree: Tree,
        X,
        y,
        w,
        confidence: float,
        subtree_raising: bool,
        criterion: SplitCriterion,
        keep_routing: bool = False,
    ):
        self.tree = tree
        self.keep_routing = keep_routing
        self.X, self.y, self.w = X, y, w
        self.K = tree.n_classes
        self.cf = confidence
        self.raising = subtree_raising
        self.criterion = criterion
        self.leaf = tree.n_children == 0
        self.split = np.arange(tree.node_count, dtype=np.intp)
        self.first = tree.first_child.astype(np.intp)
        self.nch = tree.n_children.astype(np.intp)
        self.value = tree.value.copy()
        self.n_samples = tree.n_node_samples.copy()
        self.mfrac = tree.missing_fraction.copy()
        self.gain = tree.gain.copy()
        self.score = tree.split_score.copy()
        self.etree = np.zeros(tree.node_count)
        # Branch estimates may add the counts a node's own data leaves at its largest
        # branch's leaves (``value``) to those of its other data while the sums are
        # exact: whole weights below 2**53, and no value met so far was unknown (no
        # fractional copies, no proportions that the other data would change).
        self.additive = bool(np.all(w == np.rint(w))) and float(w.sum()) < 2.0**53

    # -- routing, with this pruner's missing-value fan-out -------------------------------
    def _fan_out(
        self, nodes, row, w, loc, with_counts: bool = False, with_bags: bool = True
    ) -> _Routed:
        """Split the data at internal ``nodes`` (entries ``(row, w)`` at ``nodes[loc]``).

        J48's ``resetDistribution`` + ``split``: known values go to their bag; the
        proportions ``p_b = K_b / K`` of the *arriving* known weight (uniform if
        ``K ≈ 0``) spread the unknown weight over the bags; a case with an unknown
        value is copied into every bag ``b`` with ``P_b = bag_b / total ≻ 0`` and
        weight ``w · P_b``. Every routing of data in this pruner goes through here.
        ``with_bags=False``: the caller needs only the routed data (``bags`` and
        ``share`` are then ``None`` when every value is known: no copies to weigh).
        """
        t, K = self.tree, self.K
        n = nodes.size
        nb = self.nch[nodes]
        width = int(nb.max())
        src = self.split[nodes][loc]
        slot = child_slots(t, src, self.X[row, t.feature[src]])
        kn = slot >= 0
        if not with_bags and not with_counts and kn.all():
            children, _ = expand_ranges(self.first[nodes], nb)
            child_start = np.cumsum(nb) - nb
            return _Routed(children, row, w, child_start[loc] + slot, None, None, None)
        all_known = bool(kn.all())
        if all_known:  # no masks: every entry is known
            known_w = np.bincount(loc * width + slot, weights=w, minlength=n * width)
        else:
            known_w = np.bincount(loc[kn] * width + slot[kn], weights=w[kn], minlength=n * width)
        known_w = known_w.reshape(n, width)
        k_total = known_w.sum(axis=1)

        def proportions() -> np.ndarray:
            valid = np.arange(width)[None, :] < nb[:, None]
            none_known = (k_total == 0) | (np.abs(k_total) < J48_SMALL)
            prop = np.where(
                none_known[:, None],
                1.0 / nb[:, None],
                known_w / np.where(none_known, 1.0, k_total)[:, None],
            )
            return np.where(valid, prop, 0.0)

        miss = np.flatnonzero(~kn)
        if all_known:
            # no unknown weight to spread: the bags are the known weights (adding
            # 0 · prop changes no bit), and the proportions matter only where a
            # node receives no weight at all
            bags, total = known_w, k_total
            positive = total > 0
            if positive.all():
                share = bags / total[:, None]
            else:
                share = np.where(
                    positive[:, None], bags / np.where(positive, total, 1.0)[:, None], proportions()
                )
        else:
            prop = proportions()
            unknown_w = np.bincount(loc[miss], weights=w[miss], minlength=n)
            bags = known_w + unknown_w[:, None] * prop
            total = bags.sum(axis=1)
            safe_total = np.where(total > 0, total, 1.0)[:, None]
            share = np.where((total > 0)[:, None], bags / safe_total, prop)
        children, owner = expand_ranges(self.first[nodes], nb)
        child_start = np.cumsum(nb) - nb
        child_slot = np.arange(children.size) - child_start[owner]
        if all_known:
            rows, ws, locs = [row], [w], [child_start[loc] + slot]
        else:
            rows, ws, locs = [row[kn]], [w[kn]], [child_start[loc[kn]] + slot[kn]]
        child_share = share[owner, child_slot]
        if miss.size:  # copies into every bag whose share is above J48's 1e-6
            case, child, p = fan_out(loc[miss], child_start, nb, child_share, J48_SMALL)
            rep = miss[case]
            rows.append(row[rep])
            ws.append(w[rep] * p)
            locs.append(child)
        counts = None
        if with_counts:
            flat = (loc[kn] * width + slot[kn]) * K + self.y[row[kn]]
            counts = np.bincount(flat, weights=w[kn], minlength=n * width * K).reshape(n, width, K)
        if len(rows) == 1:
            return _Routed(children, rows[0], ws[0], locs[0], bags, child_share, counts, all_known)
        return _Routed(
            children,
            np.concatenate(rows),
            np.concatenate(ws),
            np.concatenate(locs),
            bags,
            child_share,
            counts,
            all_known,
        )

    def _class_counts(self, n: int, row, w, loc) -> np.ndarray:
        return np.bincount(loc * self.K + self.y[row], weights=w, minlength=n * self.K).reshape(
            n, self.K
        )

    def _split_statistics(self, nodes: np.ndarray, r: _Routed) -> None:
        """Gain and split score of the (raised) splits at ``nodes`` on their new data.

        As the builder defines them: ``gain = split_score(known) · K/W`` and
        ``split_score = criterion.feature_score(gain, known bag weights, unknown weight)``.
        """
        kc = r.known_counts
        assert kc is not None  # routed with_counts=True
        known_parent = kc.sum(axis=1)
        k_total = known_parent.sum(axis=1)
        weight = self.value[nodes].sum(axis=1)
        with np.errstate(all="ignore"):
            frac = np.where(weight > 0, k_total / np.where(weight > 0, weight, 1.0), 0.0)
            gain = self.criterion.split_score(known_parent, kc) * frac
            score = self.criterion.feature_score(
                gain, kc.sum(axis=2), np.maximum(weight - k_total, 0.0)
            )
        self.gain[nodes] = gain
        self.score[nodes] = score

    # -- J48's prune, one frame per call of prune() on a set of disjoint subtrees --------
    def frame(self, roots, row, w, loc, fresh: bool) -> Iterator[_Request]:
        """Prune the subtrees of ``roots`` given their data; yields raised nodes.

        Top-down, the data is distributed through the current structure and every
        node's statistics are reset from it (J48's ``newDistribution``). Bottom-up,
        level by level, each internal node compares

        * ``E_leaf`` = est(its class counts),
        * ``E_tree`` = Σ est(current leaves below),
        * ``E_branch`` = the estimate of its largest branch ``L`` (``maxBag``, last on
          ties) on *all* its data (``+∞`` without subtree raising),

        where ``est(n, e) = e + addErrs(n, e)``. If ``E_leaf ⪯ E_tree + 0.1`` and
        ``E_leaf ⪯ E_branch + 0.1`` the node becomes a leaf; else if
        ``E_branch ⪯ E_tree + 0.1`` it takes ``L``'s test and children, and the frame
        yields ``(nodes, data)``: the caller prunes those nodes again in a new frame
        (``fresh``: their data must be redistributed) before this one goes on.
        """
        levels = []
        nodes = roots
        while True:
            n = nodes.size
            self.value[nodes] = self._class_counts(n, row, w, loc)
            self.n_samples[nodes] = np.bincount(loc, minlength=n)
            inner = ~self.leaf[nodes]
            level = {"nodes": nodes, "inner": inner}
            levels.append(level)
            if not inner.any():
                break
            inodes = nodes[inner]
            sel = inner[loc]
            # the data of the internal nodes is kept for their decision (E_branch, raising)
            level["row"], level["w"] = row[sel], w[sel]
            level["loc"] = (np.cumsum(inner) - 1)[loc[sel]]
            r = self._fan_out(inodes, level["row"], level["w"], level["loc"], with_counts=fresh)
            self.additive &= r.all_known
            if self.additive:  # every entry went to one child, in order: remember which
                level["child"] = r.children[r.loc]
            level["bags"] = r.bags
            self.mfrac[r.children] = r.share
            if fresh:
                self._split_statistics(inodes, r)
            nodes, row, w, loc = r.children, r.row, r.w, r.loc
        whole = self.additive  # no unknown value met: every count is a sum of whole weights
        for level in reversed(levels):
            nodes, inner = level["nodes"], level["inner"]
            # the leaves' estimates and the internal nodes' as leaves, in one call
            est = estimated_errors(self.value[nodes], self.cf, whole)
            leaves = nodes[~inner]
            if leaves.size:
                self.etree[leaves] = est[~inner]
            T = nodes[inner]
            if not T.size:
                continue
            kids, _ = expand_ranges(self.first[T], self.nch[T])
            e_tree = sequential_block_sums(self.etree[kids], self.nch[T])
            e_leaf = est[inner]
            largest = self.first[T] + max_bag(level["bags"], self.nch[T])
            row_t, w_t, loc_t = level["row"], level["w"], level["loc"]
            e_branch = np.full(T.size, JAVA_DOUBLE_MAX)
            if self.raising:
                found = None
                if self.additive:  # only the data not already in the largest branch moves
                    other = level["child"] != largest[loc_t]
                    found = self._branch_errors(
                        largest, row_t[other], w_t[other], loc_t[other], added=True
                    )
                if found is None:
                    found = self._branch_errors(largest, row_t, w_t, loc_t)
                    assert found is not None  # all the data: always an answer
                e_branch = found
            to_leaf = sm_or_eq(e_leaf, e_tree + 0.1) & sm_or_eq(e_leaf, e_branch + 0.1)
            to_raise = ~to_leaf & sm_or_eq(e_branch, e_tree + 0.1)
            keep = ~to_leaf & ~to_raise
            self.leaf[T[to_leaf]] = True
            self.etree[T[to_leaf]] = e_leaf[to_leaf]
            self.etree[T[keep]] = e_tree[keep]
            if to_raise.any():
                R, L = T[to_raise], largest[to_raise]
                self.split[R] = self.split[L]
                self.first[R] = self.first[L]
                self.nch[R] = self.nch[L]
                self.leaf[R] = self.leaf[L]
                self.gain[R] = self.gain[L]
                self.score[R] = self.score[L]
                mine = to_raise[loc_t]
                new_loc = (np.cumsum(to_raise) - 1)[loc_t[mine]]
                yield R, row_t[mine], w_t[mine], new_loc

    def _branch_errors(self, starts, row, w, loc, added: bool = False) -> np.ndarray | None:
        """J48's ``getEstimatedErrorsForBranch``: push data down the subtrees at ``starts``.

        Proportions for unknown values are recomputed from the data at every internal
        node; each leaf is charged est() of the data that arrives, against that data's
        own majority class. Nothing is stored.

        ``added``: the entries are only the data that does not already reach
        ``starts`` (:attr:`additive` holds), and each leaf's counts are theirs plus its
        ``value`` (the counts of the data that does: exact sums, the same bits as
        routing all of it). ``None`` if one of their values is unknown (the caller
        then routes all the data).
        """
        levels = []
        leaf_counts = []
        nodes = starts
        whole = self.additive  # and no unknown value below (then no copy has a share)
        while True:
            n = nodes.size
            inner = ~self.leaf[nodes]
            if not inner.all():
                counts = self._class_counts(n, row, w, loc)[~inner]
                if added:
                    counts = counts + self.value[nodes[~inner]]
                leaf_counts.append(counts)
            levels.append((inner, self.nch[nodes]))
            if not inner.any():
                break
            pos = np.cumsum(inner) - 1
            sel = inner[loc]
            r = self._fan_out(nodes[inner], row[sel], w[sel], pos[loc[sel]], with_bags=False)
            if added and not r.all_known:
                return None
            whole &= r.all_known
            nodes, row, w, loc = r.children, r.row, r.w, r.loc
        # one est() call for every leaf reached, then the nested sums bottom-up
        est = estimated_errors(np.concatenate(leaf_counts), self.cf, whole)
        end = est.size
        below: np.ndarray | None = None
        for inner, nch in reversed(levels):
            vals = np.zeros(inner.size)
            n_leaves = int((~inner).sum())
            vals[~inner] = est[end - n_leaves : end]
            end -= n_leaves
            if below is not None:
                vals[inner] = sequential_block_sums(below, nch[inner])
            below = vals
        assert below is not None  # levels holds at least the start level
        return below

    def run(self) -> Tree:
        """Prune from the root with all the training data; re-prune raised nodes."""
        n = self.X.shape[0]
        stack = [
            self.frame(
                np.zeros(1, dtype=np.intp),
                np.arange(n),
                self.w.copy(),
                np.zeros(n, dtype=np.intp),
                fresh=False,
            )
        ]
        while stack:
            try:
                request = next(stack[-1])
            except StopIteration:
                stack.pop()
                continue
            stack.append(self.frame(*request, fresh=True))
        return self.to_tree()

    # -- result ------------------------------------------------------------------------
    def to_tree(self) -> Tree:
        """The current structure as a new :class:`Tree`, renumbered breadth-first."""
        t = self.tree
        levels = bfs_levels(self.first, self.nch, self.leaf)
        old = np.concatenate(levels)
        m = old.size
        new_id = np.full(t.node_count, -1, dtype=np.intp)
        new_id[old] = np.arange(m)
        leaf = self.leaf[old]
        src = self.split[old]
        parent = np.full(m, -1, dtype=np.intp)
        inner_old = old[~leaf]
        kids, owner = expand_ranges(self.first[inner_old], self.nch[inner_old])
        parent[new_id[kids]] = new_id[inner_old][owner]
        kind = np.where(leaf, SPLIT_LEAF, t.split_kind[src])
        value = self.value[old]
        tables = reslice_category_tables(t, src, kind)
        arrays = {
            "feature": np.where(leaf, -2, t.feature[src]),
            "threshold": np.where(leaf, -2.0, t.threshold[src]),
            "split_kind": kind,
            "first_child": np.where(leaf, -1, new_id[np.maximum(self.first[old], 0)]),
            "n_children": np.where(leaf, 0, self.nch[old]),
            "parent": parent,
            "depth": np.repeat(np.arange(len(levels)), [lv.size for lv in levels]),
            "impurity": self.criterion.impurity(value),
            "split_score": np.where(leaf, np.nan, self.score[old]),
            "gain": np.where(leaf, np.nan, self.gain[old]),
            "n_node_samples": self.n_samples[old],
            # J48 routes missing values by the proportions of the data that reaches a
            # node; a tree grown by another strategy keeps its own directions (each
            # child range is an original sibling range, raised ones included)
            "missing_fraction": t.missing_fraction[old] if self.keep_routing else self.mfrac[old],
            "value": value,
            **tables,
        }
        if self.keep_routing and t.surrogates is not None:  # those of the split used now
            arrays.update(t.surrogates.take(src, ~leaf).to_arrays())
        if t.competitors is not None:
            # a node keeps its competitors while it is split as grown on the data it
            # was grown on (subtree raising gives the raised nodes more data; the
            # recounted weights of fractional copies may differ by rounding only)
            moved = np.abs(value - t.value[old]).reshape(m, -1).max(axis=1, initial=0.0)
            same = (src == old) & (moved <= J48_SMALL * t.unit_weight)
            arrays.update(t.competitors.take(src, ~leaf & same).to_arrays())
        return Tree(t.n_features, t.n_classes, arrays, t.unit_weight)


def prune_error_based(
    tree: Tree,
    X: np.ndarray | SparseColumns,
    y: np.ndarray,
    w: np.ndarray | None = None,
    confidence: float = 0.25,
    subtree_raising: bool = True,
    *,
    criterion: SplitCriterion | None = None,
    keep_routing: bool = False,
) -> Tree:
    """C4.5's error-based (pessimistic) pruning with subtree raising, as J48 does it (§8).

    J48's ``prune(T)``: prune the children first; then with ``L`` the largest branch
    of ``T`` (``maxBag``, last among near-ties) and ``est(N, e) = e + addErrs(N, e, CF)``
    (0 for an empty distribution):

    * ``E_leaf`` = est of ``T``'s class counts,
    * ``E_tree`` = Σ est over the current leaves of ``T``'s subtree,
    * ``E_branch`` = est of ``L``'s subtree on *all* of ``T``'s training data, each
      leaf charged against the majority of the data that reaches it (``+∞`` if
      ``subtree_raising`` is off);
    * if ``E_leaf ⪯ E_tree + 0.1`` and ``E_leaf ⪯ E_branch + 0.1``: ``T`` becomes a
      leaf; else if ``E_branch ⪯ E_tree + 0.1``: ``T`` takes ``L``'s test and
      children, ``T``'s training data is redistributed through them and ``T`` is
      pruned again.

    ``a ⪯ b`` is Weka's ``a − b < 1e-6 or a <= b``. Children are independent, so the
    nodes of one level are decided together (bottom-up, vectorised); the
    re-pruning after raising runs as a nested pass on an explicit stack (no
    recursion). The data reaching each node is computed by routing the training set
    as J48 splits it: known values by the test (numeric: ``x ⪯ t`` goes left, J48's
    1e-6 tolerance), unknown values (and categories without a branch) spread over the
    bags in proportion to the arriving known weight, copies only where that
    proportion is ``> 1e-6``.

    Work per frame is one vectorised step per level and, with subtree raising, one
    routing of each level's data down the largest branches (with whole weights and no
    unknown value met, only the data outside the largest branch is routed: the
    leaves add the counts of their own data, the same sums); a raise re-prunes the
    raised subtree. Typical trees take milliseconds; a degenerate chain of depth
    ``h`` where raising keeps firing costs ``O(h³)`` steps, as in J48.

    Parameters
    ----------
    tree : Tree
        The grown tree, after :func:`collapse` (J48 always collapses first).
    X : ndarray of shape (n_samples, n_features)
        The encoded training matrix the tree was grown on (``NaN`` = missing).
    y : ndarray of shape (n_samples,)
        Class codes ``0 .. n_classes-1`` (rows with a missing class removed).
    w : ndarray of shape (n_samples,), default=None
        Sample weights (ones by default).
    confidence : float, default=0.25
        J48's ``-C`` (rounded to a Java float); above 0.5 the extra errors are 0.
    subtree_raising : bool, default=True
        ``False`` is J48's ``-S``.
    criterion : SplitCriterion, default=None
        Recomputes ``impurity`` (and the gain and score of raised splits) from the
        new class counts; default :class:`~treelearn.criteria.GainRatio` (entropy).
    keep_routing : bool, default=False
        ``False`` (J48, ``missing_values="fractional"``): ``missing_fraction`` is
        rewritten from the data that reaches every node. ``True`` (a tree grown with
        ``"learned"`` or ``"surrogate"``): the error estimates still spread missing
        values as J48 does, but every kept split keeps the routing it was grown
        with (its one-hot ``missing_fraction`` and its surrogates), so prediction
        follows the strategy.

    Returns
    -------
    Tree
        The pruned tree; ``value``, ``impurity`` and ``n_node_samples`` describe the
        training data that reaches every node, as does ``missing_fraction`` unless
        ``keep_routing``.
    """
    X, y, w = check_training_data(tree, X, y, w)
    if not 0.0 < float(confidence) < 1.0:
        raise ValueError(f"confidence must be in (0, 1), got {confidence!r}.")
    pruner = _ErrorBasedPruner(
        tree,
        X,
        y,
        w,
        float(confidence),
        bool(subtree_raising),
        criterion if criterion is not None else GainRatio(),
        bool(keep_routing),
    )
    return pruner.run()
