"""treelearn: decision trees on information-theoretic split criteria.

ID3 (information gain), C4.5 (gain ratio, as Weka's J48 runs it) and CART (Gini)
grown by one vectorised builder, with scikit-learn compatible estimators.
"""

from treelearn import criteria, datasets, export, information
from treelearn._classes import (
    C45Classifier,
    CARTClassifier,
    DecisionTreeClassifier,
    ID3Classifier,
    load_json,
)
from treelearn._version import __version__
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
