"""User-defined criteria shared by the tests: small SplitCriterion subclasses, as users
write them."""

from __future__ import annotations

import numpy as np

from treelearn import SplitCriterion


class Misclassification(SplitCriterion):
    """Misclassification error ``1 - max_k p_k``: concave but not strictly, so thresholds
    tie inside class runs; it has no labels of its own (export shows its name)."""

    name = "misclassification"

    def impurity(self, counts):
        counts = np.asarray(counts, dtype=float)
        total = counts.sum(axis=-1)
        safe = np.where(total > 0, total, 1.0)
        return np.where(total > 0, 1.0 - counts.max(axis=-1) / safe, 0.0)
