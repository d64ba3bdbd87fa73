"""Dask input: fitting the histogram builder on a ``dask.distributed`` cluster."""

from __future__ import annotations


def is_dask_collection(obj) -> bool:
    """Whether ``obj`` is a Dask collection (checked without importing Dask)."""
    return type(obj).__module__.split(".")[0] in {"dask", "dask_expr"}


def fit(estimator, X, y, sample_weight):
    raise NotImplementedError
