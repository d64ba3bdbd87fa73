"""Reference values shipped with the package, for the worked examples of the notebooks.

:func:`load_loss_reference` reads ``seed_losses.json`` (bundled beside the ARFF files):
the values PyTorch 2.13.0 (CPU) and SciPy give for the worked examples of
:mod:`treelearn.information` -- self-information, KL and JS divergence, and the
``(1, 10, 3, 3)`` cross-entropy example with ``ignore_index=10``. The tests and
``notebooks/01_information_theory.ipynb`` compare treelearn against them, from any
directory.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from treelearn.datasets._loaders import _data_dir

__all__ = ["load_loss_reference"]


@cache
def _read() -> str:
    return (_data_dir() / "seed_losses.json").read_text(encoding="utf-8")


def load_loss_reference() -> dict[str, Any]:
    """PyTorch's and SciPy's values for the worked examples of the information measures.

    Returns
    -------
    dict
        A new dict on every call (safe to modify): ``self_information_bits`` (for P =
        0.1 and 0.9), ``kl_PQ_nats``, ``kl_QP_nats``, ``kl_PQ_bits``, ``js_PQ_nats``,
        ``js_PQ_bits`` and ``torch_kldiv`` for P = (0.2, 0.4, 0.4), Q = (0.4, 0.2, 0.4),
        and ``ce_example`` (``input`` logits of shape (1, 10, 3, 3), ``target`` of shape
        (1, 3, 3), and PyTorch's ``none`` and ``mean`` losses with ``ignore_index=10``),
        among others.

    Examples
    --------
    >>> from treelearn.datasets import load_loss_reference
    >>> round(load_loss_reference()["kl_PQ_nats"], 4)
    0.1386
    """
    return json.loads(_read())
