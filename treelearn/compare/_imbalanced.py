"""An imbalanced benchmark suite from the bundled data and scikit-learn's generator.

:func:`imbalanced_suite` returns data sets whose positive class is rare, in the form
``datasets=`` of :func:`~treelearn.compare.compare_criteria` takes, so that criteria
designed for skewed classes (Hellinger distance, DKM) and ``class_weight="balanced"``
(``"cart+balanced"``) can be compared with scores that are not fooled by the majority
class: ``balanced_accuracy``, ``roc_auc_ovr``, ``average_precision``, ``f1_macro``.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
from sklearn.datasets import make_classification

from treelearn.datasets import load_dataset

__all__ = ["IMBALANCED_TASKS", "imbalanced_suite"]


class ImbalancedTask(NamedTuple):
    """One task of the suite: where it comes from and how rare its minority class is."""

    source: str
    minority: str
    n_samples: int
    n_minority: int

    @property
    def minority_fraction(self) -> float:
        return self.n_minority / self.n_samples


#: The tasks of :func:`imbalanced_suite`, by label (facts checked by the tests).
#: One-vs-rest tasks give ``y = 1`` for the minority class and ``0`` for every other;
#: ``source`` is the bundled data set, or ``make_classification`` for the synthetic ones.
IMBALANCED_TASKS: dict[str, ImbalancedTask] = {
    "glass_containers": ImbalancedTask("glass", "containers", 214, 13),
    "glass_vehic_float": ImbalancedTask("glass", "vehic wind float", 214, 17),
    "soybean_phyllosticta": ImbalancedTask("soybean", "phyllosticta-leaf-spot", 683, 20),
    "soybean_2_4_d_injury": ImbalancedTask("soybean", "2-4-d-injury", 683, 16),
    "segment_window": ImbalancedTask("segment", "window", 1500, 204),
    "synthetic_5pct": ImbalancedTask("make_classification", "1", 2000, 100),
    "synthetic_1pct": ImbalancedTask("make_classification", "1", 3000, 30),
    "synthetic_3class": ImbalancedTask("make_classification", "2", 2000, 100),
}

#: make_classification settings of the synthetic tasks (the seed is the suite's).
_SYNTHETIC: dict[str, dict[str, Any]] = {
    "synthetic_5pct": {"n_samples": 2000, "weights": [0.95]},
    "synthetic_1pct": {"n_samples": 3000, "weights": [0.99]},
    "synthetic_3class": {"n_samples": 2000, "n_classes": 3, "weights": [0.85, 0.10]},
}


def imbalanced_suite(*, random_state: int = 0) -> dict[str, tuple[Any, np.ndarray]]:
    """Data sets with a rare class: one-vs-rest tasks of the bundled data, and synthetic ones.

    ======================  =========  ======================  =====  ========  ========
    label                   source     minority class          rows   minority  fraction
    ======================  =========  ======================  =====  ========  ========
    glass_containers        glass      containers              214    13        6.1 %
    glass_vehic_float       glass      vehic wind float        214    17        7.9 %
    soybean_phyllosticta    soybean    phyllosticta-leaf-spot  683    20        2.9 %
    soybean_2_4_d_injury    soybean    2-4-d-injury            683    16        2.3 %
    segment_window          segment    window                  1500   204       13.6 %
    synthetic_5pct          generated  1                       2000   100       5.0 %
    synthetic_1pct          generated  1                       3000   30        1.0 %
    synthetic_3class        generated  2 (and 1: 10 %)         2000   100       5.0 %
    ======================  =========  ======================  =====  ========  ========

    The one-vs-rest tasks keep the bundled features (categorical columns stay
    categorical, missing values stay missing) and set ``y = 1`` for the minority class,
    ``0`` for every other class, so the minority is the positive class of
    ``roc_auc`` and ``average_precision``. Every minority class has at least 13 cases,
    so 10-fold stratified cross-validation puts one in every test fold. The soybean
    classes are the two of its rare ones that a tree does not separate perfectly
    (most of soybean's 20-case classes are: their tasks would tie every criterion). The synthetic
    tasks are ``sklearn.datasets.make_classification`` with 20 features (6
    informative, 4 redundant), one cluster per class, no label noise (``flip_y=0``,
    so the fractions are exact) and the class weights of the table: 95/5, 99/1 and
    85/10/5 (three classes: both 1 and 2 are minorities; use ``roc_auc_ovr``).

    Parameters
    ----------
    random_state : int, default=0
        Seed of the synthetic tasks (the bundled ones are fixed).

    Returns
    -------
    dict
        ``{label: (X, y)}`` in the order of the table, ``X`` a DataFrame (bundled) or
        an array (synthetic), ``y`` an integer array; pass it as ``datasets=`` to
        :func:`~treelearn.compare.compare_criteria`. :data:`IMBALANCED_TASKS` holds the
        table's facts.

    Examples
    --------
    >>> suite = imbalanced_suite()
    >>> X, y = suite["glass_containers"]
    >>> X.shape, int(y.sum())
    ((214, 9), 13)
    """
    suite: dict[str, tuple[Any, np.ndarray]] = {}
    for label, task in IMBALANCED_TASKS.items():
        if task.source == "make_classification":
            X, y = make_classification(
                n_features=20,
                n_informative=6,
                n_redundant=4,
                n_clusters_per_class=1,
                flip_y=0.0,
                random_state=random_state,
                **_SYNTHETIC[label],
            )
            suite[label] = (X, y.astype(np.int64))
        else:
            bunch: Any = load_dataset(task.source, as_frame=True)
            target = np.asarray(bunch.target.astype(object))
            suite[label] = (bunch.data, (target == task.minority).astype(np.int64))
    return suite
