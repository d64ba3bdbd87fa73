"""Growing one tree for several outputs (multi-output ``y``), scikit-learn's way.

scikit-learn scores a split of a multi-output node by its criterion's impurity of
every output, summed and divided by the number of outputs. Here that mean lives in
one place, :class:`OutputMean`: a :class:`~treelearn.criteria.SplitCriterion` over
the outputs' count tensors laid side by side (``[..., K_1 + ... + K_O]``) that asks
the user's criterion about each output's slice and averages. The criteria
themselves are untouched.

The level loop is the single-output one. Each training row enters it once per
output (:func:`stack_outputs`): row ``r`` becomes the entries ``r·O + o`` with
label ``offset_o + y[r, o]``, so one ``bincount`` gives every output's counts at
once and the sorted store, the prefix sums and the partition need no new code.
The copies of a row share its features, so no cut falls between them (equal values)
and they always go to the same child; sizes counted in entries are ``O`` times the
rows, which :func:`scale_rules` accounts for. :func:`build_multioutput_tree`
returns a :class:`~treelearn._tree_multioutput.MultiOutputTree` with rows counted
once again. The single-output path does not pass through this module.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import cast

import numpy as np

from treelearn._builder import build_tree
from treelearn._growth_rules import GrowthRules, SklearnRules
from treelearn._sparse_values import SparseColumns, is_sparse_columns
from treelearn._tree_multioutput import MultiOutputTree
from treelearn.criteria import SplitCriterion

__all__ = ["OutputMean", "build_multioutput_tree", "scale_rules", "stack_outputs"]


class OutputMean(SplitCriterion):
    """``criterion`` averaged over outputs whose counts lie side by side.

    Parameters
    ----------
    criterion : SplitCriterion
        The criterion of every output.
    n_classes : sequence of int
        Classes of each output; output ``o``'s counts are the slice
        ``[offset_o, offset_o + n_classes[o])`` of the last axis.

    The impurity, the split score (and so the gain) are the mean over outputs of
    the criterion's (scikit-learn's multi-output impurity); features are compared
    by the criterion's :meth:`feature_score` of that mean gain and by its
    :meth:`select_feature`.
    """

    def __init__(self, criterion: SplitCriterion, n_classes):
        self.criterion = criterion
        self.n_classes = tuple(int(k) for k in n_classes)
        self.name = criterion.name
        self.impurity_label = criterion.impurity_label
        self.score_label = criterion.score_label
        self.unit = criterion.unit
        self.concave = criterion.concave

    @property
    def slices(self) -> list[slice]:
        stops = np.cumsum(self.n_classes).tolist()
        return [slice(b - k, b) for k, b in zip(self.n_classes, stops, strict=True)]

    def _mean(self, parts: Iterator[np.ndarray]) -> np.ndarray:
        total = np.asarray(next(parts), dtype=np.float64)
        for part in parts:
            total = total + part
        return total / len(self.n_classes)

    def impurity(self, counts: np.ndarray) -> np.ndarray:
        counts = np.asarray(counts, dtype=np.float64)
        return self._mean(self.criterion.impurity(counts[..., s]) for s in self.slices)

    def split_score(self, parent, children, parent_impurity=None) -> np.ndarray:
        parent = np.asarray(parent, dtype=np.float64)
        children = np.asarray(children, dtype=np.float64)
        return self._mean(
            self.criterion.split_score(parent[..., s], children[..., s]) for s in self.slices
        )

    def split_rank(self, left: np.ndarray, right: np.ndarray) -> np.ndarray:
        """The outputs' ranks summed when each is ``-(n_L·i(L) + n_R·i(R))`` (every
        output has the node's weight ``n``, so the sum orders as the mean score);
        otherwise ``n · split_score``."""
        if not self.criterion.ranks_by_impurity_mass:
            return super().split_rank(left, right)
        return self._mean(
            self.criterion.split_rank(left[..., s], right[..., s]) for s in self.slices
        )

    def feature_score(self, gain, branch_weights, missing_weight) -> np.ndarray:
        # the stacked weights count every row once per output
        O = len(self.n_classes)
        return self.criterion.feature_score(
            gain, np.asarray(branch_weights) / O, np.asarray(missing_weight) / O
        )

    def select_feature(self, gains, scores, valid, in_average=None) -> np.ndarray:
        return self.criterion.select_feature(gains, scores, valid, in_average)


def stack_outputs(
    X: np.ndarray | SparseColumns, Y: np.ndarray, w: np.ndarray, n_classes
) -> tuple[np.ndarray | SparseColumns, np.ndarray, np.ndarray]:
    """Row ``r`` of ``(X, Y, w)`` as the ``O`` entries ``r·O + o`` (see the module).

    ``Y`` holds class codes ``(n_rows, O)``; the stacked labels of output ``o`` are
    offset by the classes of the outputs before it.
    """
    O = Y.shape[1]
    offsets = np.concatenate([[0], np.cumsum(n_classes)[:-1]]).astype(np.intp)
    Xs: np.ndarray | SparseColumns
    if is_sparse_columns(X):  # sparse X stays sparse: each stored row O times
        Xs = X.take_rows(np.repeat(np.arange(X.shape[0]), O))
    else:
        Xs = np.asfortranarray(np.repeat(X, O, axis=0))
    ys = (Y.astype(np.intp) + offsets).ravel()
    ws = np.repeat(w, O)
    return Xs, ys, ws


def scale_rules(rules: GrowthRules, n_outputs: int) -> GrowthRules:
    """The rules for stacked entries: sizes in rows and weight times ``n_outputs``,
    and a node pure only when every output is."""
    if not isinstance(rules, SklearnRules):
        raise ValueError(
            f"multi-output y needs scikit-learn-style growth rules; {type(rules).__name__} "
            "grows single-output trees only."
        )
    return dataclasses.replace(
        rules,
        min_samples_split=rules.min_samples_split * n_outputs,
        min_samples_leaf=rules.min_samples_leaf * n_outputs,
        min_weight_leaf=rules.min_weight_leaf * n_outputs,
        n_outputs=n_outputs,
    )


def build_multioutput_tree(
    X: np.ndarray,
    Y: np.ndarray,
    sample_weight: np.ndarray,
    n_classes,
    is_categorical: np.ndarray,
    n_categories: np.ndarray,
    criterion: SplitCriterion,
    rules: GrowthRules,
    max_surrogates: int | None = None,
    max_competitors: int = 0,
    n_jobs: int | None = None,
) -> MultiOutputTree:
    """Grow one tree for the outputs of ``Y`` (class codes, ``(n_rows, n_outputs)``).

    ``max_surrogates`` and ``n_jobs`` as in :func:`treelearn._builder.build_tree`: a row's ``O``
    entries share its values, so surrogate agreements are the single-output ones
    counted ``O`` times.

    ``rules`` are the single-output rules resolved for the rows (they are scaled
    here); the tree's impurities and gains are the mean over outputs.
    """
    n_classes = np.asarray(n_classes, dtype=np.intp)
    O = Y.shape[1]
    Xs, ys, ws = stack_outputs(X, Y, sample_weight, n_classes)
    stacked = build_tree(
        cast(np.ndarray, Xs), ys, ws, int(n_classes.sum()), is_categorical, n_categories,
        OutputMean(criterion, n_classes), scale_rules(rules, O), max_surrogates,
        max_competitors,
        n_jobs=n_jobs,
    )  # fmt: skip
    arrays = stacked.to_arrays()
    flat = arrays["value"]
    value = np.zeros((flat.shape[0], O, int(n_classes.max())))
    for o, s in enumerate(OutputMean(criterion, n_classes).slices):
        value[:, o, : n_classes[o]] = flat[:, s]
    arrays["value"] = value
    arrays["n_node_samples"] = arrays["n_node_samples"] // O
    return MultiOutputTree(stacked.n_features, n_classes, arrays, stacked.unit_weight)
