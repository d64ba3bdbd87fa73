"""A fitted tree with several outputs (multi-output ``y``), as parallel arrays.

:class:`MultiOutputTree` is a :class:`~treelearn._tree.Tree` whose ``value`` holds the
weighted class counts of every output, ``(node_count, n_outputs, max_n_classes)`` as
scikit-learn's ``Tree.value`` is shaped (an output with fewer classes is padded with
zeros), and whose ``n_classes`` is an array with one entry per output. The splits,
the descent, ``apply``, ``decision_path`` and the missing-value fan-out are the
single-output tree's: every output sees the same rows, so a node's weight is the
sum of any one output's counts. What differs is what a node predicts: one class
distribution per output.
"""

from __future__ import annotations

import numpy as np

from treelearn._routing import NanRows
from treelearn._tree import Tree, empty_nodes

__all__ = ["MultiOutputTree"]


class MultiOutputTree(Tree):
    """A :class:`~treelearn._tree.Tree` with one class distribution per output.

    Parameters
    ----------
    n_features : int
    n_classes : array-like of int, one per output
    arrays : dict of str to ndarray
        As :class:`~treelearn._tree.Tree`'s, with ``value`` of shape
        ``(node_count, n_outputs, max(n_classes))``.
    unit_weight : float or None
    """

    def __init__(
        self,
        n_features: int,
        n_classes,
        arrays: dict[str, np.ndarray],
        unit_weight: float | None = None,
    ):
        n_classes = np.asarray(n_classes, dtype=np.intp).ravel()
        value = np.asarray(arrays["value"], dtype=np.float64)
        if value.ndim != 3 or value.shape[1] != n_classes.size:
            raise ValueError(
                f"a multi-output tree's value must be (node_count, {n_classes.size}, "
                f"max_n_classes); got shape {value.shape}"
            )
        # Tree.__init__ stores n_classes as an int; this tree keeps the array
        super().__init__(n_features, int(n_classes.max()), arrays, unit_weight)
        self.n_classes_per_output = n_classes

    @property  # type: ignore[override]
    def n_classes(self) -> np.ndarray:
        """Number of classes of every output (scikit-learn's ``Tree.n_classes``)."""
        return self.n_classes_per_output

    @n_classes.setter
    def n_classes(self, value) -> None:  # Tree.__init__ sets the largest: ignored
        pass

    @property
    def n_outputs(self) -> int:
        """Number of outputs."""
        return int(self.value.shape[1])

    @property
    def max_n_classes(self) -> int:
        """Largest number of classes of an output (the last axis of ``value``)."""
        return int(self.value.shape[2])

    def _prepare(self) -> None:
        # every output holds the same rows: a node's weight is one output's sum
        total = self.value[:, 0, :].sum(axis=1)
        self.weighted_n_node_samples = total
        with np.errstate(invalid="ignore", divide="ignore"):
            proba = self.value / total[:, None, None]
        proba[~(total > 0)] = 0.0
        empty = empty_nodes(total, self.n_node_samples, self.parent, self.unit_weight)
        proba[empty] = proba[self.parent[empty]]
        self._node_proba = proba
        self._empty = empty
        self._descent = None
        self._classes_at = None

    @property
    def leaf_class(self) -> np.ndarray:
        """Class index predicted by every node for every output, ``(node_count,
        n_outputs)`` (the first one on ties)."""
        if self._classes_at is None:
            self._classes_at = np.argmax(self._node_proba, axis=2)
        return self._classes_at

    def predict_proba(
        self, X: np.ndarray, laplace: bool = False, nan_rows: NanRows | None = None
    ) -> np.ndarray:
        """Class probabilities of every output, ``(n_rows, n_outputs, max_n_classes)``."""
        if laplace:
            raise ValueError(
                "Laplace-smoothed probabilities are not defined for multi-output trees."
            )
        flat = self._node_proba.reshape(self.node_count, -1)
        proba = self._predict_table(flat, X, nan_rows)
        return proba.reshape(X.shape[0], *self.value.shape[1:])

    def predict_class(
        self, X: np.ndarray, labels=None, nan_rows: NanRows | None = None
    ) -> np.ndarray:
        """Most probable class of every output per row, ``(n_rows, n_outputs)``.

        Indices (the first one on ties), or with ``labels`` (one array per output)
        the labels themselves.
        """
        proba = self.predict_proba(X, nan_rows=nan_rows)
        index = np.argmax(proba, axis=2)
        if labels is None:
            return index
        return np.column_stack([np.asarray(labels[o])[index[:, o]] for o in range(self.n_outputs)])

    def _laplace_proba(self) -> np.ndarray:
        raise ValueError("Laplace-smoothed probabilities are not defined for multi-output trees.")

    def __getstate__(self) -> dict:
        state = super().__getstate__()
        state["n_classes"] = self.n_classes_per_output.tolist()
        return state

    def __setstate__(self, state: dict) -> None:
        MultiOutputTree.__init__(
            self,
            state["n_features"],
            state["n_classes"],
            state["arrays"],
            state.get("unit_weight"),
        )
