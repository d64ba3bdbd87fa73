"""User-defined criteria shared by the tests: small SplitCriterion subclasses, as users
write them, including ones that override each documented hook of the contract."""

from __future__ import annotations

import numpy as np

from treelearn import SplitCriterion, information


class Misclassification(SplitCriterion):
    """Misclassification error ``1 - max_k p_k``: concave but not strictly, so thresholds
    tie inside class runs; it has no labels of its own (export shows its name)."""

    name = "misclassification"

    def impurity(self, counts):
        counts = np.asarray(counts, dtype=float)
        total = counts.sum(axis=-1)
        safe = np.where(total > 0, total, 1.0)
        return np.where(total > 0, 1.0 - counts.max(axis=-1) / safe, 0.0)


class Tsallis(SplitCriterion):
    """Tsallis entropy ``(1 - Σ p_k^q) / (q - 1)``; q = 2 is the Gini impurity."""

    name = "tsallis"

    def __init__(self, q: float = 2.0, concave: bool = True):
        self.q = q
        self.concave = concave

    def impurity(self, counts):
        counts = np.asarray(counts, dtype=float)
        total = counts.sum(axis=-1, keepdims=True)
        p = counts / np.where(total > 0, total, 1.0)
        value = (1.0 - (p**self.q).sum(axis=-1)) / (self.q - 1.0)
        return np.where(total[..., 0] > 0, value, 0.0)


class NormalisedGain(SplitCriterion):
    """Overrides ``split_score`` (Gini gain / parent impurity)."""

    name = "normalised_gain"

    def impurity(self, counts):
        return information._gini(np.asarray(counts, dtype=float))

    def split_score(self, parent, children, parent_impurity=None):
        gain = super().split_score(parent, children, parent_impurity)
        imp = self.impurity(np.asarray(parent, dtype=float))
        return np.where(imp > 0, gain / np.where(imp > 0, imp, 1.0), 0.0)


class WorstChild(SplitCriterion):
    """Overrides ``children_impurity`` only: a split is as good as its worst child.

    (The impurity decrease is then ``H(parent) - max_b H(child_b)``; the builder's
    impurity-mass shortcut does not order candidates like that.)"""

    name = "worst_child"

    def impurity(self, counts):
        return information._entropy(np.asarray(counts, dtype=float), 2)

    def children_impurity(self, children):
        children = np.asarray(children, dtype=float)
        return self.impurity(children).max(axis=-1)


class BalancedDecrease(SplitCriterion):
    """Overrides ``impurity_decrease`` only: the Gini decrease times the balance of the
    two largest children (``4·n_a·n_b / n²``), which prefers even splits."""

    name = "balanced_decrease"

    def impurity(self, counts):
        return information._gini(np.asarray(counts, dtype=float))

    def impurity_decrease(self, parent, children, parent_impurity=None):
        decrease = super().impurity_decrease(parent, children, parent_impurity)
        sizes = np.sort(np.asarray(children, dtype=float).sum(axis=-1), axis=-1)
        a, b = sizes[..., -1], sizes[..., -2]
        total = sizes.sum(axis=-1)
        balance = np.where(total > 0, 4 * a * b / np.where(total > 0, total, 1.0) ** 2, 0.0)
        return decrease * balance
