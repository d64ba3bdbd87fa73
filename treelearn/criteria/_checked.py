"""A guard around a split criterion: what it returns is checked before it is used.

The builder trusts a criterion's arrays: an impurity of the wrong shape fails deep
inside numpy ("operands could not be broadcast..."), and a NaN score never wins, so
a criterion that returns NaN silently grows a one-node tree. :class:`CheckedCriterion`
wraps a criterion and checks every array it returns (shape, NaN, infinity, and the
sign of impurities), raising a :class:`CriterionError` that names the criterion's
class, the method and what was wrong.

The builder checks the first level of every fit (cheap: one node); with the
environment variable ``TREELEARN_CHECK_CRITERIA=1`` it checks every level.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from treelearn.criteria._base import SplitCriterion

__all__ = ["CheckedCriterion", "CriterionError", "check_every_level"]


class CriterionError(ValueError):
    """A split criterion returned an array the builder cannot use."""


def check_every_level() -> bool:
    """Whether every level of a fit is checked (``TREELEARN_CHECK_CRITERIA=1``)."""
    return os.environ.get("TREELEARN_CHECK_CRITERIA", "").strip() not in ("", "0")


class CheckedCriterion(SplitCriterion):
    """``criterion`` with its outputs checked (see the module docstring).

    Every attribute not checked here is the wrapped criterion's own.
    """

    def __init__(self, criterion: SplitCriterion):
        self.inner = criterion

    def __getattr__(self, name: str) -> Any:  # concave, labels, user attributes
        if "inner" not in self.__dict__:  # while unpickling (a Dask worker)
            raise AttributeError(name)
        return getattr(self.__dict__["inner"], name)

    @property
    def concave(self) -> bool:  # type: ignore[override]
        return bool(self.inner.concave)

    @property
    def name(self) -> str:  # type: ignore[override]
        return self.inner.name

    def _fail(self, method: str, problem: str) -> None:
        raise CriterionError(
            f"{type(self.inner).__name__}.{method} {problem}; a criterion must return "
            "one finite number per node or candidate (impurities non-negative)."
        )

    def _check(
        self, method: str, out: Any, shape: tuple, live: Any, *, impurity: bool = False
    ) -> np.ndarray:
        arr = np.asarray(out)
        if arr.shape != shape:
            self._fail(method, f"returned shape {arr.shape}, expected {shape}")
        if arr.dtype.kind not in "fiub":
            self._fail(method, f"returned dtype {arr.dtype}, expected real numbers")
        arr = arr.astype(np.float64, copy=False)
        at = np.broadcast_to(np.asarray(live, dtype=bool), shape)
        bad = arr[at]
        if np.isnan(bad).any():
            self._fail(method, "returned NaN")
        if impurity:
            if np.isinf(bad).any():
                self._fail(method, "returned an infinite impurity")
            if (bad < -1e-9 * max(1.0, float(np.abs(bad).max(initial=0.0)))).any():
                self._fail(method, f"returned a negative impurity ({float(bad.min())!r})")
        elif np.isposinf(bad).any():
            self._fail(method, "returned +infinity")
        return arr

    def impurity(self, counts: np.ndarray) -> np.ndarray:
        counts = np.asarray(counts)
        out = self.inner.impurity(counts)
        live = counts.sum(axis=-1) > 0
        return self._check("impurity", out, counts.shape[:-1], live, impurity=True)

    def split_rank(self, left: np.ndarray, right: np.ndarray) -> np.ndarray:
        out = self.inner.split_rank(left, right)
        live = (np.sum(left, axis=-1) > 0) & (np.sum(right, axis=-1) > 0)
        return self._check("split_rank", out, np.shape(left)[:-1], live)

    def split_score(
        self,
        parent: np.ndarray,
        children: np.ndarray,
        parent_impurity: np.ndarray | None = None,
    ) -> np.ndarray:
        out = self.inner.split_score(parent, children, parent_impurity)
        shape = np.broadcast_shapes(np.shape(parent)[:-1], np.shape(children)[:-2])
        live = np.sum(parent, axis=-1) > 0
        return self._check("split_score", out, shape, live)

    def feature_score(self, gain, branch_weights, missing_weight):
        out = self.inner.feature_score(gain, branch_weights, missing_weight)
        # NaN gains (nodes without a candidate) may stay NaN
        return self._check("feature_score", out, np.shape(gain), ~np.isnan(gain))

    # the defaults of SplitCriterion would bypass the wrapped criterion's overrides
    def impurity_mass(self, counts: np.ndarray) -> np.ndarray:
        return self.inner.impurity_mass(counts)

    def children_impurity(self, children: np.ndarray) -> np.ndarray:
        return self.inner.children_impurity(children)

    def impurity_decrease(self, parent, children, parent_impurity=None):
        return self.inner.impurity_decrease(parent, children, parent_impurity)

    @property
    def ranks_by_impurity_mass(self) -> bool:
        return self.inner.ranks_by_impurity_mass

    @property
    def ranks_by_square_sums(self) -> bool:
        return self.inner.ranks_by_square_sums

    def square_sum_rank(self, n_left, squares_left, n_right, squares_right):
        out = self.inner.square_sum_rank(n_left, squares_left, n_right, squares_right)
        live = (np.asarray(n_left) > 0) & (np.asarray(n_right) > 0)
        return self._check("square_sum_rank", out, np.shape(n_left), live)

    def select_feature(self, gains, scores, valid, *args, **kwargs):
        out = self.inner.select_feature(gains, scores, valid, *args, **kwargs)
        arr = np.asarray(out)
        if arr.shape != np.shape(gains)[:1]:
            self._fail("select_feature", f"returned shape {arr.shape}, expected {gains.shape[:1]}")
        if arr.dtype.kind not in "iu" or ((arr < -1) | (arr >= np.shape(gains)[1])).any():
            self._fail("select_feature", "must return feature indices (or -1 for none)")
        return out

    def __repr__(self) -> str:
        return f"CheckedCriterion({self.inner!r})"
