"""treelearn: decision trees on information-theoretic split criteria.

ID3 (information gain), C4.5 (gain ratio, as Weka's J48 runs it) and CART (Gini)
grown by one vectorised builder, with scikit-learn compatible estimators.
"""

from treelearn import criteria, information
from treelearn._classes import (
    C45Classifier,
    CARTClassifier,
    DecisionTreeClassifier,
    ID3Classifier,
)
from treelearn._version import __version__
from treelearn.criteria import GainRatio, Gini, InformationGain, SplitCriterion

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
    "criteria",
    "information",
]
