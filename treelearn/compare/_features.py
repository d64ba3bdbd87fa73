"""How informative is each feature at the root? The numbers ``treelearn info`` prints.

:func:`feature_information` gives the entropy of the class and, per feature, the
information gain, split information and gain ratio of splitting the whole data set on
it. It is built from the library's own pieces, so it cannot drift from the trees:

* which columns are nominal is the estimators' rule (their encoding of ``X`` with
  ``categorical_features="auto"``: ``category``, ``object``, ``string`` and ``bool``
  columns of a DataFrame), and their categories are the estimators' categories;
* gain is :func:`treelearn.information.information_gain_from_counts`, split
  information the entropy of the branch weights with the missing cases as one more
  branch, and the gain ratio is :meth:`treelearn.criteria.GainRatio.feature_score`
  (with its tolerance on split information).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from treelearn import information
from treelearn._data import fit_encoding
from treelearn.criteria import GainRatio

__all__ = ["feature_information"]

_COLUMNS = ["feature", "type", "missing", "gain", "split_info", "gain_ratio", "threshold"]


def _best_threshold(
    values: np.ndarray, labels: np.ndarray, n_classes: int
) -> tuple[np.ndarray, float]:
    """Class counts ``[2, K]`` of the best binary split of known numeric values by gain,
    and its threshold (the midpoint between two consecutive distinct values); one branch
    holding everything and NaN when the values are all equal (or there are none)."""
    order = np.argsort(values, kind="stable")
    values, labels = values[order], labels[order]
    left = np.cumsum(np.eye(n_classes)[labels], axis=0)
    cuts = np.flatnonzero(values[:-1] < values[1:])
    if not cuts.size:
        table = np.zeros((1, n_classes))
        if values.size:
            table[0] = left[-1]
        return table, math.nan
    tables = np.stack([left[cuts], left[-1] - left[cuts]], axis=1)
    gains = np.atleast_1d(information.information_gain_from_counts(tables))
    best = int(np.argmax(gains))
    return tables[best], float((values[cuts[best]] + values[cuts[best] + 1]) / 2)


def feature_information(X: pd.DataFrame | np.ndarray, y: Any) -> tuple[float, pd.DataFrame]:
    """Entropy of the class and, per feature, information gain, split info and gain ratio.

    Nominal features split one branch per category; numeric features are scored at
    their best binary threshold (by gain, midpoints between consecutive distinct known
    values). As in C4.5, a feature's gain is the gain on the rows where it is known
    times the known fraction, and its split information counts the rows where it is
    missing as one more branch (C4.5's extra corrections for numeric thresholds are not
    applied). The gain ratio is :meth:`treelearn.criteria.GainRatio.feature_score` of
    that gain: 0 where the split information is at most ``GainRatio().tolerance``.

    Parameters
    ----------
    X : DataFrame or array-like of shape (n_samples, n_features)
        Features. Columns are nominal or numeric by the estimators' rule
        (``categorical_features="auto"``): ``category``/``object``/``string``/``bool``
        columns of a DataFrame are nominal, everything else numeric.
    y : array-like of shape (n_samples,)
        Class labels (no missing values).

    Returns
    -------
    class_entropy : float
        ``H(y)`` in bits.
    table : DataFrame
        One row per feature, sorted by gain (highest first): ``feature``, ``type``
        (``"numeric"`` or ``"nominal (<number of categories>)"``), ``missing`` (rows),
        ``gain``, ``split_info``, ``gain_ratio`` (bits) and ``threshold`` (numeric
        features; NaN for nominal ones).

    Raises
    ------
    ValueError
        If the class has missing values, or ``X`` is not valid estimator input.

    Examples
    --------
    >>> from treelearn.datasets import load_play_tennis
    >>> X, y = load_play_tennis(as_frame=True, return_X_y=True)
    >>> h, table = feature_information(X, y)
    >>> round(h, 4)
    0.9403
    >>> table[["feature", "gain", "gain_ratio"]].round(3)
           feature   gain  gain_ratio
    0      outlook  0.247       0.156
    1     humidity  0.152       0.152
    2        windy  0.048       0.049
    3  temperature  0.029       0.019
    """
    codes, classes = pd.factorize(pd.Series(np.asarray(y, dtype=object)))
    if (codes < 0).any():
        raise ValueError("the class has missing values")
    n_classes = len(classes)
    class_entropy = float(information.entropy(np.bincount(codes, minlength=n_classes)))
    encoded, encoding = fit_encoding(X)  # the estimators' columns and categories
    if encoded.shape[0] != codes.shape[0]:
        raise ValueError(f"X has {encoded.shape[0]} rows but y has {codes.shape[0]}")
    names = list(X.columns) if isinstance(X, pd.DataFrame) else list(range(encoded.shape[1]))
    gain_ratio = GainRatio()
    n_rows = encoded.shape[0]
    rows = []
    for j, name in enumerate(names):
        column = encoded[:, j]
        missing = np.isnan(column)
        known = ~missing
        n_known = int(known.sum())
        threshold = math.nan
        if encoding.is_categorical[j]:
            n_values = int(encoding.n_categories[j])
            kind = f"nominal ({n_values})"
            table = np.zeros((max(n_values, 1), n_classes))
            np.add.at(table, (column[known].astype(np.intp), codes[known]), 1.0)
        else:
            kind = "numeric"
            table, threshold = _best_threshold(column[known], codes[known], n_classes)
        known_gain = float(information.information_gain_from_counts(table)) if n_known else 0.0
        gain = known_gain * n_known / n_rows if n_rows else 0.0
        branch_weights = table.sum(axis=1)
        missing_weight = float(missing.sum())
        split_info = float(information.entropy(np.append(branch_weights, missing_weight)))
        ratio = float(
            gain_ratio.feature_score(np.asarray(gain), branch_weights, np.asarray(missing_weight))
        )
        rows.append(
            {
                "feature": str(name),
                "type": kind,
                "missing": int(missing.sum()),
                "gain": gain,
                "split_info": split_info,
                "gain_ratio": ratio,
                "threshold": threshold,
            }
        )
    out = pd.DataFrame(rows, columns=_COLUMNS)
    out = out.sort_values("gain", ascending=False, kind="stable").reset_index(drop=True)
    return class_entropy, out
