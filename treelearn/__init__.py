"""treelearn: decision trees on information-theoretic split criteria.

ID3 (information gain), C4.5 (gain ratio, as Weka's J48 runs it) and CART (Gini)
grown by one vectorised builder, with scikit-learn compatible estimators.

The names below are imported on first use (PEP 562), so that ``import treelearn``
(and the ``treelearn`` command's ``--help``) does not pay for numpy, pandas and
scikit-learn until something needs them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from treelearn._version import __version__

if TYPE_CHECKING:
    from treelearn import criteria, datasets, export, information
    from treelearn._classes import (
        C45Classifier,
        CARTClassifier,
        DecisionTreeClassifier,
        ID3Classifier,
        load_json,
    )
    from treelearn.compare import compare_criteria, plot_comparison
    from treelearn.criteria import GainRatio, Gini, InformationGain, SplitCriterion
    from treelearn.datasets import list_datasets, load_arff, load_dataset
    from treelearn.export import (
        export_graphviz,
        export_rules,
        export_text,
        plot_tree,
        render,
        to_graphviz,
        which_renderer,
    )

__all__ = [
    "C45Classifier",
    "CARTClassifier",
    "DecisionTreeClassifier",
    "GainRatio",
    "Gini",
    "ID3Classifier",
    "InformationGain",
    "SplitCriterion",
    "__version__",
    "compare_criteria",
    "criteria",
    "datasets",
    "export",
    "export_graphviz",
    "export_rules",
    "export_text",
    "information",
    "list_datasets",
    "load_arff",
    "load_dataset",
    "load_json",
    "plot_comparison",
    "plot_tree",
    "render",
    "to_graphviz",
    "which_renderer",
]

_SUBPACKAGES = frozenset(("criteria", "datasets", "export", "information"))
#: the module each lazily imported name comes from
_HOMES = {
    **dict.fromkeys(
        ("C45Classifier", "CARTClassifier", "DecisionTreeClassifier", "ID3Classifier"),
        "treelearn._classes",
    ),
    "load_json": "treelearn._classes",
    "compare_criteria": "treelearn.compare",
    "plot_comparison": "treelearn.compare",
    **dict.fromkeys(
        ("GainRatio", "Gini", "InformationGain", "SplitCriterion"), "treelearn.criteria"
    ),
    **dict.fromkeys(("list_datasets", "load_arff", "load_dataset"), "treelearn.datasets"),
    **dict.fromkeys(
        (
            "export_graphviz",
            "export_rules",
            "export_text",
            "plot_tree",
            "render",
            "to_graphviz",
            "which_renderer",
        ),
        "treelearn.export",
    ),
}


def __getattr__(name: str) -> Any:
    if name in _SUBPACKAGES:
        value = importlib.import_module(f"treelearn.{name}")
    elif name in _HOMES:
        value = getattr(importlib.import_module(_HOMES[name]), name)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
