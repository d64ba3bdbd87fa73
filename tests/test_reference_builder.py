"""A slow, obvious reference for the vectorised builder and the array tree.

The reference is written for reading, not for speed: per-case Python loops route the
training cases down a fitted tree (fractional copies for missing values, C4.5 style),
and at every node a brute-force search enumerates *every* candidate split of *every*
feature and scores it with :mod:`treelearn.information` (``entropy`` / ``gini_impurity``
on class counts):

* numeric feature: every midpoint between consecutive distinct known values, both sides
  with at least ``min_samples_leaf`` cases and ``min_weight_leaf`` weight;
* categorical feature, multiway: one branch per category present at the node;
* categorical feature, binary (CART): all ``2**(k-1) - 1`` groupings of the ``k``
  categories present.

Missing values, both strategies of ``missing_values=``:

* ``"fractional"``: a gain is computed on the cases whose value is known and multiplied
  by their share of the node's weight; a case with a missing value is copied into every
  child. Sizes (``min_samples_split``, ``min_samples_leaf``) count each case's weight
  in units of the lightest training row, and a node is impure for splitting only when
  two classes hold one such unit each;
* ``"learned"``: every numeric candidate is tried with the node's missing cases on the
  right, then "known left, missing right" (threshold inf), then with them on the left,
  in that scan order; a categorical grouping is chosen on the known values and the
  missing cases join the branch where they raise the children's impurity mass least;
  they go to that one child, and a node without missing cases in training sends them
  to its child with the most weight (the last of equal ones).

:func:`check_tree` walks a fitted tree and asserts, node by node, that the stored class
counts, impurity and sample counts are those of the node's cases, that a node is a leaf
exactly when the stopping rules (or the absence of any admissible candidate) say so,
that an internal node's stored score equals the best score the brute-force search finds
(to 1e-9) and that its split is one of the best candidates, and that ties went the
documented way (lowest feature index, then lowest threshold).
:func:`reference_predict_proba` / :func:`reference_decision_path` are per-row Python
traversals the vectorised ``predict_proba`` / ``apply`` / ``decision_path`` must match.

Hypothesis then draws small random data sets -- numeric and categorical features,
weights, missing values, multiway and subset splits, max_depth, min_samples_split,
min_samples_leaf, min_weight_fraction_leaf, min_impurity_decrease, entropy, Gini, gain
ratio and user-defined criteria -- and the vectorised path has to agree with the
reference on each. (max_leaf_nodes and max_features are compared with scikit-learn in
test_vs_sklearn.py.)
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from user_criteria import Misclassification, NormalisedGain

from treelearn import (
    CARTClassifier,
    DecisionTreeClassifier,
    ID3Classifier,
    information,
)
from treelearn.criteria import GainRatio, Gini, InformationGain, get_criterion

TOL = 1e-9
# A case whose value is missing goes down a branch only if the branch holds more than
# this share of the known weight (C4.5).
MIN_FRACTION = 1e-6


# ---------------------------------------------------------------------------------------
# Scoring with treelearn.information
# ---------------------------------------------------------------------------------------


def reference_impurity(criterion, counts) -> np.ndarray:
    """Impurity of class counts ``[..., K]``: treelearn.information for the built-ins."""
    counts = np.asarray(counts, dtype=np.float64)
    crit = get_criterion(criterion)
    if isinstance(crit, InformationGain):  # GainRatio included
        return np.asarray(information.entropy(counts, base=2))
    if isinstance(crit, Gini):
        return np.asarray(information.gini_impurity(counts))
    return np.asarray(crit.impurity(counts))  # a user-defined criterion


def reference_gains(criterion, children: np.ndarray) -> np.ndarray:
    """Gain of every candidate ``children[n_cand, C, K]`` (parent = sum of the children).

    ``H(parent) - Σ_b (w_b / w) H(child_b)``, or the criterion's own ``split_score``
    (one candidate at a time) when a user-defined criterion overrides it.
    """
    children = np.asarray(children, dtype=np.float64)
    parent = children.sum(axis=1)
    crit = get_criterion(criterion)
    if not crit.ranks_by_impurity_mass:
        return np.array(
            [float(crit.split_score(parent[i], children[i])) for i in range(children.shape[0])]
        )
    w_child = children.sum(axis=2)
    w = parent.sum(axis=1)
    child_imp = reference_impurity(criterion, children)
    return reference_impurity(criterion, parent) - (w_child / w[:, None] * child_imp).sum(axis=1)


def reference_split_information(branch_weights, missing_weight) -> float:
    return float(information.entropy(np.r_[branch_weights, missing_weight], base=2))


# ---------------------------------------------------------------------------------------
# Input encoding and settings
# ---------------------------------------------------------------------------------------


def encode(est, X) -> np.ndarray:
    """Float matrix of ``X``: numeric values, or the category's index in ``est.categories_``."""
    X = np.asarray(X, dtype=object)
    out = np.full(X.shape, np.nan)
    for j in range(X.shape[1]):
        cats = est.categories_[j]
        for i in range(X.shape[0]):
            v = X[i, j]
            if v is None or (isinstance(v, float) and math.isnan(v)):
                continue
            if cats is None:
                out[i, j] = float(v)
            else:
                hits = [c for c, cat in enumerate(cats) if cat == v]
                if hits:
                    out[i, j] = hits[0]
    return out


@dataclass
class Settings:
    criterion: object
    max_depth: int | None
    min_samples_split: int
    min_samples_leaf: int
    min_weight_leaf: float
    min_impurity_decrease: float
    categorical_split: str
    total_weight: float
    n_classes: int
    is_categorical: np.ndarray
    missing_values: str = "fractional"
    row_weight: np.ndarray | None = None  # training weight of every row

    def fractions(self, rows, w) -> np.ndarray:
        """The samples each case counts for: one (``"learned"``), or its weight in
        units of the lightest training row (``"fractional"``)."""
        if self.row_weight is None or self.missing_values != "fractional":
            return np.ones(len(rows))
        return np.asarray(w, float) / float(np.min(self.row_weight))

    @classmethod
    def of(cls, est, w) -> Settings:
        p = est.get_params()
        for name in ("min_samples_split", "min_samples_leaf"):
            assert isinstance(p[name], int), "the reference takes integer sizes"
        msl = p["min_samples_leaf"]
        total = float(np.sum(w))
        return cls(
            criterion=p["criterion"],
            max_depth=p["max_depth"],
            min_samples_split=max(p["min_samples_split"], 2 * msl),
            min_samples_leaf=msl,
            # the estimators' rule: 1e-12 of the total weight is rounding, not a shortfall
            min_weight_leaf=max(p["min_weight_fraction_leaf"] - 1e-12, 0.0) * total,
            min_impurity_decrease=p["min_impurity_decrease"],
            categorical_split=p["categorical_split"],
            total_weight=total,
            n_classes=len(est.classes_),
            is_categorical=np.asarray(est.categorical_features_, dtype=bool),
            missing_values=p.get("missing_values", "fractional"),
            row_weight=np.asarray(w, dtype=np.float64),
        )

    @property
    def gain_ratio(self) -> bool:
        crit = self.criterion
        return crit == "gain_ratio" or isinstance(crit, GainRatio)


# ---------------------------------------------------------------------------------------
# Brute-force candidates
# ---------------------------------------------------------------------------------------


@dataclass
class Candidate:
    feature: int
    kind: str  # "numeric" | "multiway" | "binary"
    split: object  # threshold, or tuple of category groups in slot order
    children: np.ndarray  # [C, K] weighted class counts of the known cases
    gain: float = math.nan  # known-value gain times the known fraction
    score: float = math.nan  # what features are compared on
    missing_slot: int = -1  # "learned": the child of the missing cases (-1: none)


def class_counts(y, w, K) -> np.ndarray:
    """Weighted class counts ``[K]`` of labels ``y``."""
    return np.bincount(y, weights=w, minlength=K).astype(np.float64)


def candidates_of_feature(f, Xe, y, rows, w, s: Settings) -> list[Candidate]:
    """Every admissible split of feature ``f`` for the cases ``(rows, w)`` of one node."""
    K = s.n_classes
    x = Xe[rows, f]
    known = ~np.isnan(x)
    xk, yk, wk = x[known], y[rows][known], w[known]
    fk = s.fractions(rows, w)[known]  # samples: fractions of rows
    learned = s.missing_values == "learned"
    miss = class_counts(y[rows][~known], w[~known], K)
    n_miss = int(np.count_nonzero(~known))

    def admissible(groups_n, groups_w):
        return all(n >= max(s.min_samples_leaf, 1) - 1e-9 for n in groups_n) and all(
            gw >= s.min_weight_leaf for gw in groups_w
        )

    out = []
    if not s.is_categorical[f]:
        values = np.unique(xk)
        thresholds = (values[:-1] + values[1:]) / 2.0
        thresholds = np.where(thresholds == values[1:], values[:-1], thresholds)
        # every case compared with every threshold: [n_thresholds, n_known]
        left = xk[None, :] <= thresholds[:, None]
        one_hot = (yk[:, None] == np.arange(K)[None, :]) * wk[:, None]
        children = np.stack([left @ one_hot, ~left @ one_hot], axis=1)  # [n_t, 2, K]
        n = np.stack([left @ fk, ~left @ fk], axis=1)
        if not learned or n_miss == 0:
            for i, t in enumerate(thresholds):
                if admissible(n[i], children[i].sum(axis=1)):
                    out.append(Candidate(f, "numeric", float(t), children[i]))
            return out
        # "learned": missing right, known | missing, missing left -- in this order
        scans = [(t, children[i] + [[0] * K, miss], n[i] + [0, n_miss], 1)
                 for i, t in enumerate(thresholds)]  # fmt: skip
        if xk.size:
            scans.append((math.inf, np.stack([one_hot.sum(axis=0), miss]), [xk.size, n_miss], 1))
        scans += [(t, children[i] + [miss, [0] * K], n[i] + [n_miss, 0], 0)
                  for i, t in enumerate(thresholds)]  # fmt: skip
        for t, ch, nn, slot in scans:
            if admissible(nn, ch.sum(axis=1)):
                out.append(Candidate(f, "numeric", float(t), ch, missing_slot=slot))
        return out
    present = sorted({int(c) for c in xk})
    if len(present) < 2:
        return out
    groups_of_rows = {c: xk == c for c in present}
    if s.categorical_split == "multiway":
        groups = [(c,) for c in present]
        splits = [tuple(groups)]
    else:
        splits = []
        first, rest = present[0], present[1:]
        # every grouping with `first` on one side, the other side non-empty
        for r in range(len(rest)):
            for combo in itertools.combinations(rest, r):
                side = (first, *combo)
                other = tuple(c for c in present if c not in side)
                splits.append((side, other))
    for split in splits:
        masks = [np.any([groups_of_rows[c] for c in grp], axis=0) for grp in split]
        n = [float(fk[m].sum()) for m in masks]
        children = np.stack([class_counts(yk[m], wk[m], K) for m in masks])
        if admissible(n, children.sum(axis=1)):
            kind = "multiway" if s.categorical_split == "multiway" else "binary"
            out.append(Candidate(f, kind, split, children))
    return out


def score_candidates(cands: list[Candidate], node_weight: float, s: Settings) -> None:
    """Fill in gain (scaled by the known fraction) and feature score of every candidate."""
    by_shape: dict[tuple, list[Candidate]] = {}
    for c in cands:
        by_shape.setdefault(c.children.shape, []).append(c)
    for group in by_shape.values():
        gains = reference_gains(s.criterion, np.stack([c.children for c in group]))
        for c, g in zip(group, gains, strict=True):
            known_w = c.children.sum()
            frac = min(known_w / node_weight, 1.0) if node_weight > 0 else 0.0
            c.gain = float(g) * frac
            c.score = c.gain
            if s.gain_ratio:
                crit = s.criterion if isinstance(s.criterion, GainRatio) else GainRatio()
                si = reference_split_information(
                    c.children.sum(axis=1), max(node_weight - known_w, 0.0)
                )
                c.score = c.gain / si if si > crit.tolerance else 0.0


def attach_missing(c: Candidate, miss: np.ndarray, node_weight: float, s: Settings) -> Candidate:
    """``"learned"``: a categorical candidate with the node's missing cases in the branch
    where they raise the children's impurity mass least (the first such branch)."""
    if miss.sum() <= 0:
        return c
    mass = [
        float((ch + miss).sum() * reference_impurity(s.criterion, ch + miss))
        - float(ch.sum() * reference_impurity(s.criterion, ch))
        if ch.sum() > 0
        else math.inf
        for ch in c.children
    ]
    slot = int(np.argmin(mass))
    children = c.children.copy()
    children[slot] += miss
    out = Candidate(c.feature, c.kind, c.split, children, missing_slot=slot)
    score_candidates([out], node_weight, s)
    return out


def best_of_feature(cands: list[Candidate]) -> list[Candidate]:
    """The feature's best candidates (ranked by gain), ties within TOL, in scan order."""
    if not cands:
        return []
    best = max(c.gain for c in cands)
    return [c for c in cands if c.gain >= best - TOL]


# ---------------------------------------------------------------------------------------
# Walking a fitted tree with the training cases
# ---------------------------------------------------------------------------------------


def slot_of(tree, node, value) -> int | None:
    """Child slot of a known value at ``node`` (None: route like a missing value)."""
    if math.isnan(value):
        return None
    kind = int(tree.split_kind[node])
    if kind == 1:
        return 0 if value <= tree.threshold[node] else 1
    for slot, cats in enumerate(tree.branch_categories(node)):
        if int(value) in cats:
            return slot
    return None


def route_cases(tree, node, Xe, rows, w, s: Settings | None = None, missing_slot: int = -1):
    """The children's cases: known values go to their branch, missing ones everywhere.

    A case with a missing value is copied into every child whose share of the known
    weight exceeds ``MIN_FRACTION``, with its weight times that share. Returns the
    per-child ``(rows, weights)`` and the shares.
    """
    f = int(tree.feature[node])
    kids = list(tree.children(node))
    slot_rows = [[] for _ in kids]
    slot_w = [[] for _ in kids]
    missing = []
    for r, wt in zip(rows, w, strict=True):
        slot = slot_of(tree, node, Xe[r, f])
        if slot is None:
            missing.append((r, wt))
        else:
            slot_rows[slot].append(r)
            slot_w[slot].append(wt)
    known = [sum(ws) for ws in slot_w]
    total = sum(known)
    shares = [k / total if total > 0 else 1.0 / len(kids) for k in known]
    if s is not None and s.missing_values == "learned":
        if missing_slot < 0:  # none in training: the heaviest child, the last of ties
            missing_slot = max(range(len(kids)), key=lambda b: (known[b], b))
        shares = [1.0 if b == missing_slot else 0.0 for b in range(len(kids))]
    for r, wt in missing:
        for slot, share in enumerate(shares):
            if share > MIN_FRACTION:
                slot_rows[slot].append(r)
                slot_w[slot].append(wt * share)
    return (
        [
            (np.array(rr, dtype=np.intp), np.array(ww, dtype=np.float64))
            for rr, ww in zip(slot_rows, slot_w, strict=True)
        ],
        shares,
    )


@dataclass
class Report:
    n_internal: int = 0
    n_leaves: int = 0
    n_ties: int = 0  # internal nodes where more than one candidate was best


def reference_best(Xe, y, rows, w, s: Settings):
    """All candidates of a node, scored, and the per-feature winners."""
    node_weight = float(w.sum())
    per_feature = {}
    for f in range(Xe.shape[1]):
        cands = candidates_of_feature(f, Xe, y, rows, w, s)
        score_candidates(cands, node_weight, s)
        cands = [c for c in cands if not math.isnan(c.gain)]
        if cands:
            best = best_of_feature(cands)
            if s.missing_values == "learned" and s.is_categorical[f]:
                missing = np.isnan(Xe[rows, f])
                miss = class_counts(y[rows][missing], w[missing], s.n_classes)
                best = [attach_missing(c, miss, node_weight, s) for c in best]
            per_feature[f] = best
    return per_feature


def winning_features(per_feature, s: Settings) -> tuple[list[int], bool, float]:
    """Features whose best split may win the node, whether the node must be split, and
    the lowest score the winner may have.

    With gain ratio, the thresholds of a feature that tie on gain can have different
    ratios (their split information differs); which of them the builder keeps is a
    matter of rounding (see test_gain_ratio_threshold_tie), so a feature's ratio is
    only known to lie in ``[lo, hi]`` over its tied thresholds.
    """
    if not per_feature:
        return [], False, math.nan
    feats = sorted(per_feature)
    gain = {f: per_feature[f][0].gain for f in feats}
    if not s.gain_ratio:
        score = {f: per_feature[f][0].score for f in feats}
        best = max(score.values())
        return [f for f in feats if score[f] >= best - TOL], True, best - TOL
    crit = s.criterion if isinstance(s.criterion, GainRatio) else GainRatio()
    lo = {f: min(c.score for c in per_feature[f]) for f in feats}
    hi = {f: max(c.score for c in per_feature[f]) for f in feats}
    average = sum(gain.values()) / len(feats)
    eligible = [f for f in feats if gain[f] >= average - crit.average_slack]
    possible = [f for f in eligible if hi[f] > crit.tolerance]
    if not possible:
        return [], False, math.nan
    floor = max(lo[f] for f in eligible)
    # a later feature replaces the running best only if better by more than tolerance
    feats = [f for f in possible if hi[f] >= floor - 2 * crit.tolerance]
    must_split = any(lo[f] > crit.tolerance for f in eligible)
    return feats, must_split, floor - 2 * crit.tolerance


def check_tree(est, X, y, sample_weight=None, *, tie_rule=True, max_depth=None) -> Report:
    """Assert that ``est.tree_`` is the tree the brute-force reference grows on ``X, y``.

    ``max_depth`` limits the check to the nodes down to that depth (for large data).
    """
    tree = est.tree_
    Xe = encode(est, X)
    y_codes = np.searchsorted(est.classes_, np.asarray(y))
    w = np.ones(len(y)) if sample_weight is None else np.asarray(sample_weight, float)
    s = Settings.of(est, w)
    report = Report()
    stack = [(0, np.arange(len(y)), w.copy())]
    while stack:
        node, rows, cw = stack.pop()
        if max_depth is not None and tree.depth[node] > max_depth:
            continue
        where = f"node {node} (depth {tree.depth[node]})"
        counts = class_counts(y_codes[rows], cw, s.n_classes)
        node_w = float(counts.sum())
        np.testing.assert_allclose(
            tree.value[node], counts, rtol=1e-9, atol=1e-9, err_msg=f"class counts at {where}"
        )
        assert tree.n_node_samples[node] == rows.size, f"sample count at {where}"
        frac = s.fractions(rows, cw)
        n_samples = float(frac.sum())
        class_samples = class_counts(y_codes[rows], frac, s.n_classes)
        np.testing.assert_allclose(
            tree.impurity[node],
            reference_impurity(s.criterion, counts),
            atol=1e-9,
            err_msg=f"impurity at {where}",
        )
        splittable = (
            n_samples >= s.min_samples_split - 1e-9
            and n_samples >= 2 * s.min_samples_leaf - 1e-9
            and node_w >= 2 * s.min_weight_leaf
            and np.count_nonzero(counts > 0) >= 2
            and np.count_nonzero(class_samples >= 1 - 1e-9) >= 2
            and (s.max_depth is None or tree.depth[node] < s.max_depth)
        )
        per_feature = reference_best(Xe, y_codes, rows, cw, s) if splittable else {}
        feats, must_split, floor = winning_features(per_feature, s)
        eps = np.finfo(float).eps
        if feats and tree.n_children[node] > 0:
            # the chosen winner's weighted gain must pass min_impurity_decrease
            g = tree.gain[node] * node_w / s.total_weight
            assert g + eps >= s.min_impurity_decrease - 1e-12, (
                f"{where} is split with weighted gain {g} < min_impurity_decrease"
            )
        elif feats and must_split:
            # a leaf: no winning split may pass min_impurity_decrease
            weighted = [per_feature[f][0].gain * node_w / s.total_weight for f in feats]
            assert max(weighted) + eps < s.min_impurity_decrease + 1e-12, (
                f"{where} is a leaf, but the reference splits it on feature {feats[0]} "
                f"(weighted gain {max(weighted)})"
            )
        if not feats or tree.n_children[node] == 0:
            assert tree.n_children[node] == 0, (
                f"{where} is split on feature {tree.feature[node]}, but the reference "
                f"finds no admissible split (splittable={splittable})"
            )
            report.n_leaves += 1
            continue
        report.n_internal += 1
        f = int(tree.feature[node])
        assert f in feats, f"{where}: feature {f} chosen, the reference's best features are {feats}"
        chosen = match_candidate(tree, node, per_feature[f])
        assert chosen is not None, (
            f"{where}: the split on feature {f} is not one of the best candidates "
            f"{[c.split for c in per_feature[f]]}"
        )
        np.testing.assert_allclose(
            tree.split_score[node],
            chosen.score,
            rtol=1e-9,
            atol=1e-9,
            err_msg=f"split score at {where}",
        )
        np.testing.assert_allclose(
            tree.gain[node], chosen.gain, rtol=1e-9, atol=1e-9, err_msg=f"gain at {where}"
        )
        assert chosen.score >= floor - 1e-12, f"{where}: score {chosen.score} < {floor}"
        if len(feats) > 1 or len(per_feature[f]) > 1:
            report.n_ties += 1
        if tie_rule and not s.gain_ratio:
            check_tie_rule(where, f, chosen, feats, per_feature)
        kids, shares = route_cases(tree, node, Xe, rows, cw, s, tree_slot(tree, node, chosen))
        child_ids = list(tree.children(node))
        if tree.surrogates is not None and not np.isnan(Xe[rows]).any():
            # missing_values="surrogate" (complete data): the child with more cases
            # takes a missing value, by weight when both have as many
            n_kid = np.array([len(crows) for crows, _ in kids])
            w_kid = np.array([float(np.sum(cwts)) for _, cwts in kids])
            shares = w_kid / w_kid.sum() if n_kid[0] == n_kid[1] else (n_kid == n_kid.max()) * 1.0
        np.testing.assert_allclose(
            tree.missing_fraction[child_ids],
            shares,
            atol=1e-12,
            err_msg=f"missing-value shares of the children of {where}",
        )
        for child, (crows, cwts) in zip(child_ids, kids, strict=True):
            stack.append((child, crows, cwts))
    return report


def _same_tables(a: np.ndarray, b: np.ndarray) -> bool:
    """Whether two candidates have the same children (as a multiset of class-count rows)."""
    return a.shape == b.shape and sorted(map(tuple, a)) == sorted(map(tuple, b))


def check_tie_rule(where, f, chosen, feats, per_feature) -> None:
    """Ties go to the lowest feature index, then (numeric) the lowest threshold.

    Only candidates with the very same children's class counts as the chosen one
    are compared: their scores are equal in floating point too, whatever the order
    of operations. (Different children with mathematically equal scores may differ
    in the last bit; see ``test_tie_rule_between_different_partitions_entropy`` in
    test_vs_sklearn.py.)
    """
    for g in feats:
        if g > f:
            break
        for c in per_feature[g]:
            if g == f and (c is chosen or chosen.kind != "numeric"):
                break
            assert not _same_tables(c.children, chosen.children), (
                f"{where}: the split {chosen.split!r} on feature {f} was chosen, but "
                f"{c.split!r} on feature {g} ties exactly and comes first"
            )


def tree_missing_slot(tree, node) -> int | None:
    """The one child slot a missing value goes to at ``node`` (None: several)."""
    to = [b for b, k in enumerate(tree.children(node)) if tree.missing_fraction[k] == 1.0]
    return to[0] if len(to) == 1 else None


def tree_slot(tree, node, c: Candidate) -> int:
    """The tree's child slot of candidate ``c``'s missing branch (-1: none)."""
    if c.missing_slot < 0 or c.kind == "numeric":
        return c.missing_slot
    group = set(c.split[c.missing_slot])
    groups = [set(g) for g in tree.branch_categories(node)]
    return groups.index(group) if group in groups else -2


def match_candidate(tree, node, best: list[Candidate]) -> Candidate | None:
    """The candidate among ``best`` that the tree's split at ``node`` is."""
    kind = int(tree.split_kind[node])
    for c in best:
        if c.missing_slot >= 0 and tree_missing_slot(tree, node) != tree_slot(tree, node, c):
            continue  # "learned": the missing cases went elsewhere
        if c.kind == "numeric" and kind == 1:
            if tree.threshold[node] == c.split:
                return c
        elif c.kind == "multiway" and kind == 2:
            if [tuple(g) for g in tree.branch_categories(node)] == list(c.split):
                return c
        elif c.kind == "binary" and kind == 2:
            groups = {frozenset(g) for g in tree.branch_categories(node)}
            if groups == {frozenset(g) for g in c.split}:
                return c
    return None


# ---------------------------------------------------------------------------------------
# Prediction, one row at a time
# ---------------------------------------------------------------------------------------


def _distribution(tree, node) -> np.ndarray:
    total = tree.value[node].sum()
    if (tree.n_node_samples[node] == 0 or total <= 0) and tree.parent[node] >= 0:
        return _distribution(tree, int(tree.parent[node]))
    return tree.value[node] / total if total > 0 else np.zeros(tree.n_classes)


def reference_leaves(tree, x) -> list[tuple[int, float, list[int]]]:
    """``(leaf, weight, path)`` reached by one encoded row (several for missing values)."""
    out = []
    stack = [(0, 1.0, [0])]
    while stack:
        node, wt, path = stack.pop()
        if tree.n_children[node] == 0:
            out.append((node, wt, path))
            continue
        kids = list(tree.children(node))
        slot = slot_of(tree, node, x[tree.feature[node]])
        if slot is not None:
            stack.append((kids[slot], wt, [*path, kids[slot]]))
            continue
        for child in kids:
            share = tree.missing_fraction[child]
            if share > 0 and tree.n_node_samples[child] > 0 and tree.value[child].sum() > 0:
                stack.append((child, wt * share, [*path, child]))
    return out


def reference_predict_proba(tree, Xe) -> np.ndarray:
    out = np.zeros((Xe.shape[0], tree.n_classes))
    for i in range(Xe.shape[0]):
        for leaf, wt, _ in reference_leaves(tree, Xe[i]):
            out[i] += wt * _distribution(tree, leaf)
    return out


def reference_decision_path(tree, Xe) -> np.ndarray:
    out = np.zeros((Xe.shape[0], tree.node_count), dtype=int)
    for i in range(Xe.shape[0]):
        for _, _, path in reference_leaves(tree, Xe[i]):
            out[i, path] = 1
    return out


def check_prediction(est, X) -> None:
    """Vectorised predict_proba / predict / apply / decision_path against the reference."""
    tree = est.tree_
    Xe = encode(est, X)
    proba = est.predict_proba(X)
    np.testing.assert_allclose(proba, reference_predict_proba(tree, Xe), atol=1e-12)
    np.testing.assert_array_equal(est.predict(X), est.classes_[np.argmax(proba, axis=1)])
    np.testing.assert_array_equal(est.decision_path(X).toarray(), reference_decision_path(tree, Xe))
    leaves = est.apply(X)
    for i in range(Xe.shape[0]):
        reached = reference_leaves(tree, Xe[i])
        heaviest = max(wt for _, wt, _ in reached)
        assert leaves[i] in {leaf for leaf, wt, _ in reached if wt >= heaviest - 1e-12}


# ---------------------------------------------------------------------------------------
# Random small data sets
# ---------------------------------------------------------------------------------------


@st.composite
def small_problems(draw, *, categorical=True, weights=True, missing=False, n_classes=(2, 3)):
    n = draw(st.integers(2, 30))
    p = draw(st.integers(1, 3))
    K = draw(st.integers(*n_classes))
    is_cat = np.array([categorical and draw(st.booleans()) for _ in range(p)])
    X = np.empty((n, p))
    for j in range(p):
        if is_cat[j]:
            k = draw(st.integers(1, 5))
            col = draw(st.lists(st.integers(0, k - 1), min_size=n, max_size=n))
        else:
            col = draw(st.lists(st.integers(0, 6), min_size=n, max_size=n))
            col = [v / 2 for v in col]
        X[:, j] = col
    if missing:
        holes = draw(st.lists(st.booleans(), min_size=n * p, max_size=n * p))
        X[np.array(holes).reshape(n, p) & (np.arange(n)[:, None] > 0)] = np.nan
    y = np.array(draw(st.lists(st.integers(0, K - 1), min_size=n, max_size=n)))
    w = None
    if weights and draw(st.booleans()):
        if draw(st.booleans()):
            w = np.array(draw(st.lists(st.integers(1, 3), min_size=n, max_size=n)), float)
        else:
            w = np.array(
                draw(st.lists(st.sampled_from([0.25, 0.5, 1.0, 1.5, 3.0]), min_size=n, max_size=n))
            )
    return X, y, w, is_cat


@st.composite
def tree_params(draw, criteria=("entropy", "gini")):
    return dict(
        criterion=draw(st.sampled_from(criteria)),
        max_depth=draw(st.sampled_from([None, None, 1, 2, 3])),
        min_samples_split=draw(st.sampled_from([2, 2, 4, 7])),
        min_samples_leaf=draw(st.sampled_from([1, 1, 2, 3])),
        min_weight_fraction_leaf=draw(st.sampled_from([0.0, 0.0, 0.1])),
        min_impurity_decrease=draw(st.sampled_from([0.0, 0.0, 0.02])),
        categorical_split=draw(st.sampled_from(["multiway", "binary"])),
        missing_values=draw(st.sampled_from(["fractional", "learned"])),
    )


FAST = settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def fit_and_check(problem, params, *, tie_rule=True):
    X, y, w, is_cat = problem
    est = DecisionTreeClassifier(categorical_features=is_cat, **params)
    est.fit(X, y, sample_weight=w)
    report = check_tree(est, X, y, w, tie_rule=tie_rule)
    check_prediction(est, X)
    return est, report


@FAST
@given(problem=small_problems(categorical=False, weights=False), params=tree_params())
def test_numeric_unweighted_agrees_with_reference(problem, params):
    fit_and_check(problem, params)


@FAST
@given(problem=small_problems(categorical=False, weights=True), params=tree_params())
def test_numeric_weighted_agrees_with_reference(problem, params):
    fit_and_check(problem, params)


@FAST
@given(
    problem=small_problems(categorical=True, weights=True),
    params=tree_params().map(lambda p: {**p, "categorical_split": "multiway"}),
)
def test_multiway_categorical_agrees_with_reference(problem, params):
    fit_and_check(problem, params)


@FAST
@given(
    problem=small_problems(categorical=True, weights=True, n_classes=(3, 4)),
    params=tree_params().map(lambda p: {**p, "categorical_split": "binary"}),
)
def test_subset_splits_agree_with_reference_many_classes(problem, params):
    # three or more classes: every grouping is scored (at most 10 categories)
    fit_and_check(problem, params, tie_rule=False)


@FAST
@given(
    problem=small_problems(categorical=True, weights=True, n_classes=(2, 2)),
    params=tree_params().map(
        lambda p: {
            **p,
            "categorical_split": "binary",
            "min_samples_leaf": 1,
            "min_weight_fraction_leaf": 0.0,
        }
    ),
)
def test_subset_splits_agree_with_reference_two_classes(problem, params):
    # two classes: categories ordered by class proportion (Breiman et al. 1984)
    fit_and_check(problem, params, tie_rule=False)


def _unconstrained_subsets(params):
    """Subset splits without leaf-size rules (see test_subset_splits_respect_leaf_rules)."""
    if params["categorical_split"] == "binary":
        return {**params, "min_samples_leaf": 1, "min_weight_fraction_leaf": 0.0}
    return params


@FAST
@given(
    problem=small_problems(categorical=True, weights=True, missing=True),
    params=tree_params().map(_unconstrained_subsets),
)
def test_missing_values_agree_with_reference(problem, params):
    fit_and_check(problem, params, tie_rule=False)


@pytest.mark.parametrize("rule", [dict(min_samples_leaf=3), dict(min_weight_fraction_leaf=0.3)])
def test_subset_splits_respect_leaf_rules(rule):
    # category 0: two cases of class 0, category 1: four of class 0, category 2: one of
    # class 1. Ordered by the proportion of class 1 the cuts are {0}|{1,2} and {0,1}|{2},
    # both too small on one side; {0,2}|{1} (3 and 4 cases) is admissible and informative.
    X = np.array([[0.0], [0.0], [1.0], [1.0], [1.0], [1.0], [2.0]])
    y = np.array([0, 0, 0, 0, 0, 0, 1])
    est = CARTClassifier(categorical_features=[0], **rule).fit(X, y)
    check_tree(est, X, y)
    assert est.tree_.n_children[0] == 2


def test_subset_splits_respect_leaf_rules_many_classes():
    # the same data with a third class: every grouping is scored, the rule is respected
    X = np.array([[0.0], [0.0], [1.0], [1.0], [1.0], [1.0], [2.0], [3.0]])
    y = np.array([0, 0, 0, 0, 0, 0, 1, 2])
    est = CARTClassifier(categorical_features=[0], min_samples_leaf=3).fit(X, y)
    check_tree(est, X, y)
    assert [sorted(g) for g in est.tree_.branch_categories(0)] in (
        [[0, 2, 3], [1]],
        [[1], [0, 2, 3]],
    )


@FAST
@given(
    problem=small_problems(categorical=True, weights=True, missing=True),
    params=tree_params(criteria=("gain_ratio",)).map(
        lambda p: {**p, "categorical_split": "multiway"}
    ),
)
def test_gain_ratio_agrees_with_reference(problem, params):
    fit_and_check(problem, params, tie_rule=False)


@FAST
@given(problem=small_problems(categorical=True, weights=True), data=st.data())
def test_presets_agree_with_reference(problem, data):
    X, y, w, is_cat = problem
    cls = data.draw(st.sampled_from([ID3Classifier, CARTClassifier]))
    est = cls(categorical_features=is_cat).fit(X, y, sample_weight=w)
    check_tree(est, X, y, w, tie_rule=cls is ID3Classifier)
    check_prediction(est, X)


@FAST
@given(
    problem=small_problems(categorical=True, weights=True),
    crit=st.sampled_from([Misclassification(), NormalisedGain()]),
    split=st.sampled_from(["multiway", "binary"]),
)
def test_user_criteria_agree_with_reference(problem, crit, split):
    X, y, w, is_cat = problem
    est = DecisionTreeClassifier(
        criterion=crit, categorical_features=is_cat, categorical_split=split
    )
    est.fit(X, y, sample_weight=w)
    # ties are not checked: misclassification error ties often, and its scores of
    # equally good splits differ by rounding (see test_misclassification_tie_rule)
    check_tree(est, X, y, w, tie_rule=False)
    check_prediction(est, X)


def test_gain_ratio_threshold_tie():
    X = np.array([0.0, 0.0, 0.0, 0.5, 0.5, 0.5, 1.0] + [np.nan] * 8)[:, None]
    y = np.array([0, 0, 1, 2, 2, 0, 1] + [0] * 8)
    est = DecisionTreeClassifier(
        criterion="gain_ratio", max_depth=1, missing_values="fractional"
    ).fit(X, y)
    check_tree(est, X, y)  # passes: both thresholds are best by gain
    assert est.tree_.threshold[0] == 0.25
    known = 7 / 15
    gain = known * float(information.information_gain_from_counts([[2, 1, 0], [1, 1, 2]]))
    ratio = gain / float(information.entropy([3, 4, 8], base=2))
    assert est.tree_.split_score[0] == pytest.approx(ratio)


def test_misclassification_tie_rule():
    # cutting at 0.25 ([6, 1] | [2, 0]) or at 0.75 ([7, 1] | [1, 0]): both leave one
    # error, so the lower threshold should win
    X = np.array([[0.0]] * 6 + [[0.5], [1.0], [0.0]])
    y = np.array([0] * 8 + [1])
    est = DecisionTreeClassifier(criterion=Misclassification(), max_depth=1).fit(X, y)
    assert est.tree_.threshold[0] == 0.25


@FAST
@given(problem=small_problems(categorical=True, weights=False, missing=True), data=st.data())
def test_prediction_on_new_rows_agrees_with_reference(problem, data):
    X, y, _, is_cat = problem
    est = DecisionTreeClassifier(
        categorical_features=is_cat,
        categorical_split=data.draw(st.sampled_from(["multiway", "binary"])),
        missing_values=data.draw(st.sampled_from(["fractional", "learned"])),
    ).fit(X, y)
    # new rows: unseen values, categories and missing values anywhere
    new = np.array(
        data.draw(
            st.lists(
                st.lists(
                    st.sampled_from([np.nan, 0.0, 0.75, 1.0, 2.0, 3.0, 4.0, 9.0]),
                    min_size=X.shape[1],
                    max_size=X.shape[1],
                ),
                min_size=1,
                max_size=10,
            )
        )
    )
    check_prediction(est, new)


# ---------------------------------------------------------------------------------------
# The reference itself, on hand-checked cases
# ---------------------------------------------------------------------------------------


def test_reference_finds_quinlan_gain():
    # outlook on play tennis: 0.2467 bits
    children = np.array([[[3.0, 2.0], [0.0, 4.0], [2.0, 3.0]]])
    assert reference_gains("entropy", children)[0] == pytest.approx(0.24675, abs=1e-5)


def test_reference_enumerates_subsets():
    s = Settings("gini", None, 2, 1, 0.0, 0.0, "binary", 6.0, 2, np.array([True]))
    Xe = np.array([[0.0], [1.0], [2.0], [3.0], [0.0], [1.0]])
    y = np.array([0, 1, 0, 1, 0, 1])
    cands = candidates_of_feature(0, Xe, y, np.arange(6), np.ones(6), s)
    assert len(cands) == 2**3 - 1
    score_candidates(cands, 6.0, s)
    best = best_of_feature(cands)
    assert [c.split for c in best] == [((0, 2), (1, 3))]
    assert best[0].gain == pytest.approx(0.5)


def test_check_tree_catches_a_wrong_split():
    X = np.array([[0.0, 0.0], [1.0, 0.0], [2.0, 1.0], [3.0, 1.0]])
    y = np.array([0, 0, 1, 1])
    est = DecisionTreeClassifier().fit(X, y)
    check_tree(est, X, y)
    est.tree_.threshold[0] = 0.5  # a worse threshold
    with pytest.raises(AssertionError):
        check_tree(est, X, y)


def test_reference_on_a_deeper_tree():
    rng = np.random.default_rng(3)
    X = rng.integers(0, 8, size=(150, 4)).astype(float)
    y = (X[:, 0] + X[:, 1] + rng.integers(0, 3, 150)) % 3
    w = rng.choice([0.5, 1.0, 2.0], size=150)
    for params in [
        dict(criterion="gini"),
        dict(criterion="entropy", min_samples_leaf=3),
        dict(criterion="gini", max_leaf_nodes=None, min_weight_fraction_leaf=0.02),
    ]:
        est = DecisionTreeClassifier(**params).fit(X, y, sample_weight=w)
        report = check_tree(est, X, y, w)
        assert report.n_internal > 10
        check_prediction(est, X)
