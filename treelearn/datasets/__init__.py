"""Data sets: an ARFF reader and the bundled classic Weka/UCI example files.

:func:`load_arff` reads any ARFF file into a DataFrame (nominal attributes become
``category`` columns in declared order). The thirteen bundled data sets (see
:func:`list_datasets`, and :func:`dataset_info` for their facts) each have a
``load_<name>`` function returning a scikit-learn ``Bunch``; :func:`load_dataset` loads
one by name, or any ARFF, CSV, TSV or Parquet file (gzip'd too).

The readers (and pandas) are imported on first use, so ``list_datasets`` and
``dataset_info`` cost no more than the catalogue (the ``treelearn`` command's start-up).
:func:`load_loss_reference` returns the PyTorch and SciPy values of the worked examples of
:mod:`treelearn.information` (shipped with the data).

Examples
--------
>>> from treelearn.datasets import load_play_tennis
>>> load_play_tennis(as_frame=True).frame.shape
(14, 5)
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from treelearn.datasets._catalogue import DatasetInfo, dataset_info, list_datasets

if TYPE_CHECKING:
    from treelearn.datasets._arff import load_arff
    from treelearn.datasets._loaders import (
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
        read_table,
    )
    from treelearn.datasets._references import load_loss_reference

__all__ = [
    "DatasetInfo",
    "dataset_info",
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
    "read_table",
]

#: where each name imported on first use lives
_LAZY = {
    name: "treelearn.datasets._arff" if name == "load_arff" else "treelearn.datasets._loaders"
    for name in __all__
    if name.startswith("load_")
} | {
    "read_table": "treelearn.datasets._loaders",
    "load_loss_reference": "treelearn.datasets._references",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
