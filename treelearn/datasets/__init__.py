"""Data sets: an ARFF reader and the bundled classic Weka/UCI example files.

:func:`load_arff` reads any ARFF file into a DataFrame (nominal attributes become
``category`` columns in declared order). The thirteen bundled data sets (see
:func:`list_datasets`) each have a ``load_<name>`` function returning a scikit-learn
``Bunch``; :func:`load_dataset` loads one by name, or any ARFF or CSV file.
:func:`load_loss_reference` returns the PyTorch and SciPy values of the worked examples of
:mod:`treelearn.information` (shipped with the data).

Examples
--------
>>> from treelearn.datasets import load_play_tennis
>>> load_play_tennis(as_frame=True).frame.shape
(14, 5)
"""

from treelearn.datasets._arff import load_arff
from treelearn.datasets._loaders import (
    list_datasets,
    load_breast_cancer,
    load_contact_lenses,
    load_credit_g,
    load_dataset,
    load_diabetes,
    load_glass,
    load_ionosphere,
    load_iris,
    load_labor,
    load_play_tennis,
    load_segment,
    load_soybean,
    load_vote,
    load_weather_numeric,
)
from treelearn.datasets._references import load_loss_reference

__all__ = [
    "list_datasets",
    "load_arff",
    "load_breast_cancer",
    "load_contact_lenses",
    "load_credit_g",
    "load_dataset",
    "load_diabetes",
    "load_glass",
    "load_ionosphere",
    "load_iris",
    "load_labor",
    "load_loss_reference",
    "load_play_tennis",
    "load_segment",
    "load_soybean",
    "load_vote",
    "load_weather_numeric",
]
