"""Split criteria: what "the best split" means.

A :class:`SplitCriterion` is stateless array math over *class-count tensors*
(weighted counts, last axis = classes). It never sees rows of ``X``, nodes or
features: the builder hands it the counts of every candidate split of every node
at once and it returns one score per candidate.

The contract, vectorised over any leading axes ``...``:

* :meth:`SplitCriterion.impurity` ``counts[..., K] -> [...]`` (the one method a
  subclass must write);
* :meth:`SplitCriterion.children_impurity` ``children[..., C, K] -> [...]``, the
  children's impurities averaged by their weights (written once, here);
* :meth:`SplitCriterion.split_score` ``(parent[..., K], children[..., C, K]) -> [...]``,
  by default the impurity decrease ``impurity(parent) - children_impurity(children)``;
* :meth:`SplitCriterion.split_rank` ranks the two-way candidates of one node as
  ``split_score`` would, by a cheaper proxy where one provably exists (written once,
  here);
* :meth:`SplitCriterion.feature_score` turns the best split of each feature into
  the number features are compared on (gain ratio divides by split information);
* :meth:`SplitCriterion.select_feature` picks the winning feature of every node
  from ``[n_nodes, n_features]`` tables (C4.5's "gain at least average" filter lives
  here).

A user-defined criterion is a small subclass. Say ``concave = True`` when the
impurity is a concave function of the class proportions (entropy, Gini, Tsallis,
misclassification error...): the builder then scores numeric thresholds only where
the class changes (Fayyad & Irani's boundary points), which finds the same split
2-3 times faster. Without it every threshold is scored:

>>> import numpy as np
>>> class Misclassification(SplitCriterion):
...     name = "misclassification"
...     concave = True  # 1 - max_k p_k is concave: only boundary points are scored
...     def impurity(self, counts):
...         counts = np.asarray(counts, dtype=float)
...         total = counts.sum(axis=-1)
...         safe = np.where(total > 0, total, 1.0)
...         return np.where(total > 0, 1.0 - counts.max(axis=-1) / safe, 0.0)
>>> crit = Misclassification()
>>> float(crit.impurity([8, 2]))
0.2
>>> float(crit.split_score([8, 2], [[6, 0], [2, 2]]))
0.0

Overriding :meth:`SplitCriterion.split_score`, :meth:`~SplitCriterion.impurity_decrease`
or :meth:`~SplitCriterion.children_impurity` is part of the contract: the builder then
ranks candidate thresholds by that score (:meth:`SplitCriterion.split_rank`), so the
split it reports is the one the criterion scores best.
"""

from __future__ import annotations

from treelearn.criteria._base import SplitCriterion
from treelearn.criteria._classic import GainRatio, Gini, InformationGain
from treelearn.criteria._literature import (
    DKM,
    ChiSquare,
    GStatistic,
    Hellinger,
    MisclassificationError,
    Renyi,
    Tsallis,
    Twoing,
)

__all__ = [
    "CRITERIA",
    "DKM",
    "ChiSquare",
    "GStatistic",
    "GainRatio",
    "Gini",
    "Hellinger",
    "InformationGain",
    "MisclassificationError",
    "Renyi",
    "SplitCriterion",
    "Tsallis",
    "Twoing",
    "get_criterion",
]


CRITERIA: dict[str, type[SplitCriterion]] = {
    "entropy": InformationGain,
    "log_loss": InformationGain,
    "information_gain": InformationGain,
    "gain_ratio": GainRatio,
    "gini": Gini,
    "hellinger": Hellinger,
    "twoing": Twoing,
    "misclassification": MisclassificationError,
    "dkm": DKM,
    "chi_square": ChiSquare,
    "g_statistic": GStatistic,
    "tsallis": Tsallis,
    "renyi": Renyi,
}


def get_criterion(criterion: str | SplitCriterion) -> SplitCriterion:
    """Return the :class:`SplitCriterion` named by ``criterion`` (or ``criterion`` itself).

    >>> get_criterion("gini")
    Gini()

    Raises
    ------
    ValueError
        For an unknown name (the message lists the accepted names).
    TypeError
        For an object that is neither a name nor a :class:`SplitCriterion`.
    """
    if isinstance(criterion, SplitCriterion):
        return criterion
    if isinstance(criterion, str):
        try:
            return CRITERIA[criterion]()
        except KeyError:
            names = ", ".join(repr(n) for n in CRITERIA)
            raise ValueError(
                f"Unknown criterion {criterion!r}; accepted names are {names}, "
                "or pass a SplitCriterion instance."
            ) from None
    raise TypeError(
        "criterion must be a name or a SplitCriterion instance, "
        f"got {type(criterion).__name__}: {criterion!r}"
    )
