"""Reading the rpart fixtures (``tests/fixtures/rpart/``) and comparing trees with them.

rpart numbers its nodes 1, 2k, 2k+1 (left child first) and sends ``x < cut`` left
when a split's ``ncat`` is -1, ``x >= cut`` left when it is +1; a categorical split
lists the category codes going left. treelearn stores ``x <= t`` (and the
categories of branch 0) in the first child. :func:`first_difference` walks both
trees together and names the first node where they part.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from treelearn._tree import SPLIT_CATEGORICAL, SPLIT_NUMERIC, Tree

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "rpart"

#: setting -> (min_samples_split, min_samples_leaf, cp), as make_fixtures.R
SETTINGS = {"a": (2, 1, 0.0), "b": (20, 7, 0.0), "c": (20, 7, 0.01)}


@dataclass
class RpartFit:
    nodes: pd.DataFrame  # indexed by rpart's node number
    splits: pd.DataFrame
    pred: pd.DataFrame
    cptable: np.ndarray

    @property
    def primary(self) -> pd.DataFrame:
        return self.splits[self.splits.role == "primary"].set_index("node")


def datasets() -> list[str]:
    return pd.read_csv(FIXTURES / "data" / "datasets.csv")["name"].tolist()


def has_missing(name: str) -> bool:
    return bool(pd.read_csv(FIXTURES / "data" / f"{name}.csv").isna().to_numpy().any())


def load_fit(name: str, setting: str) -> RpartFit:
    base = FIXTURES / "out" / name
    nodes = pd.read_csv(base / f"{setting}_nodes.csv").set_index("node")
    splits = pd.read_csv(
        base / f"{setting}_splits.csv", dtype={"left": str, "right": str}, keep_default_na=False
    )
    splits["threshold"] = pd.to_numeric(splits["threshold"], errors="coerce")
    pred = pd.read_csv(base / f"{setting}_pred.csv")
    cptable = pd.read_csv(base / f"{setting}_cptable.csv").to_numpy(dtype=float)
    return RpartFit(nodes, splits, pred, cptable)


def load_xval_cptable(name: str, setting: str) -> np.ndarray | None:
    path = FIXTURES / "out" / name / f"{setting}x_cptable.csv"
    return pd.read_csv(path).to_numpy(dtype=float) if path.exists() else None


def load_folds(name: str) -> np.ndarray:
    return pd.read_csv(FIXTURES / "folds" / f"{name}.csv")["fold"].to_numpy()


def _codes(text: str) -> set[int]:
    return {int(c) for c in text.split(";")} if text else set()


def surrogate_difference(
    tree: Tree, node: int, left_slot: int, theirs: pd.DataFrame, rtol: float = 1e-9
) -> str | None:
    """``None`` if node ``node``'s surrogates are rpart's (``theirs``, in rpart's order),
    else the first difference: number, variable, threshold or category sets (in the
    orientation of rpart's left child, slot ``left_slot`` here), agreement, adj."""
    sur = tree.surrogates
    assert sur is not None
    lo, hi = int(sur.ptr[node]), int(sur.ptr[node + 1])
    if hi - lo != len(theirs):
        ours = sur.feature[lo:hi].tolist()
        return f"{hi - lo} surrogates {ours} vs rpart {len(theirs)} {theirs['var'].tolist()}"
    for k, (_, row) in enumerate(theirs.iterrows()):
        s = lo + k
        if int(sur.feature[s]) != int(row["var"]):
            return f"surrogate {k}: variable {int(sur.feature[s])} vs rpart {int(row['var'])}"
        if int(row["ncat"]) in (-1, 1):
            if sur.kind[s] != SPLIT_NUMERIC:
                return f"surrogate {k}: categorical vs rpart numeric"
            if not np.isclose(sur.threshold[s], float(row["threshold"]), rtol=rtol, atol=0):
                return f"surrogate {k}: threshold {sur.threshold[s]!r} vs {row['threshold']!r}"
            low_left = int(row["ncat"]) == -1
            if (int(sur.low_slot[s]) == left_slot) != low_left:
                return f"surrogate {k}: direction differs"
        else:
            table = sur.categories(s)
            ours = (
                set(np.flatnonzero(table == left_slot).tolist()),
                set(np.flatnonzero(table == 1 - left_slot).tolist()),
            )
            if ours != (_codes(row["left"]), _codes(row["right"])):
                return f"surrogate {k}: categories {ours} vs {row['left']}|{row['right']}"
        if not np.isclose(sur.agreement[s], float(row["improve"]), rtol=1e-9, atol=1e-12):
            return f"surrogate {k}: agreement {sur.agreement[s]!r} vs {row['improve']!r}"
        if not np.isclose(sur.adj[s], float(row["adj"]), rtol=1e-9, atol=1e-12):
            return f"surrogate {k}: adj {sur.adj[s]!r} vs {row['adj']!r}"
    return None


def first_difference(
    tree: Tree,
    fit: RpartFit,
    rtol: float = 1e-9,
    surrogates: bool = False,
    competitors: pd.DataFrame | None = None,
) -> str | None:
    """``None`` if ``tree`` is rpart's tree, else a description of the first difference.

    Compared at every node, breadth-first in rpart's numbering: leaf or split, the
    split variable, the threshold (relative ``rtol``) or the category sets, and the
    class counts (and with ``surrogates``, every node's surrogate splits with their
    agreement; with ``competitors``, rpart's ``maxcompete`` table of
    :func:`load_competitors`, every node's competing splits); finally the node counts.
    """
    primary = fit.primary
    sur_rows = fit.splits[fit.splits.role == "surrogate"]
    queue = [(1, 0)]  # (rpart number, treelearn node)
    while queue:
        number, node = queue.pop(0)
        row = fit.nodes.loc[number]
        counts = np.array([float(c) for c in str(row["counts"]).split(";")])
        if not np.allclose(tree.value[node], counts, rtol=1e-9, atol=1e-9):
            return f"node {number}: counts {tree.value[node].tolist()} vs rpart {counts.tolist()}"
        ours_leaf = tree.n_children[node] == 0
        if row["var"] < 0 or ours_leaf:
            if row["var"] >= 0 or not ours_leaf:
                what = "leaf" if ours_leaf else f"split on {tree.feature[node]}"
                theirs = "leaf" if row["var"] < 0 else f"split on {int(row['var'])}"
                return f"node {number}: treelearn {what}, rpart {theirs}"
            continue
        split = primary.loc[number]
        if int(tree.feature[node]) != int(split["var"]):
            return (
                f"node {number} (n={int(row['n'])}): variable {int(tree.feature[node])} vs "
                f"rpart {int(split['var'])} (threshold {split['threshold']})"
            )
        first = int(tree.first_child[node])
        if tree.split_kind[node] == SPLIT_NUMERIC:
            thr = float(tree.threshold[node])
            if not np.isclose(thr, float(split["threshold"]), rtol=rtol, atol=0):
                return f"node {number}: threshold {thr!r} vs rpart {split['threshold']!r}"
            left = first if int(split["ncat"]) == -1 else first + 1
        else:
            assert tree.split_kind[node] == SPLIT_CATEGORICAL
            table = tree.category_branch[tree.category_ptr[node] : tree.category_ptr[node + 1]]
            branch0 = set(np.flatnonzero(table == 0).tolist())
            branch1 = set(np.flatnonzero(table == 1).tolist())
            r_left, r_right = _codes(split["left"]), _codes(split["right"])
            if (r_left, r_right) == (branch0, branch1):
                left = first
            elif (r_left, r_right) == (branch1, branch0):
                left = first + 1
            else:
                return (
                    f"node {number}: categories {sorted(branch0)}|{sorted(branch1)} vs rpart "
                    f"{sorted(r_left)}|{sorted(r_right)}"
                )
        right = first + 1 if left == first else first
        if surrogates:
            diff = surrogate_difference(
                tree, node, left - first, sur_rows[sur_rows.node == number], rtol
            )
            if diff is not None:
                return f"node {number}: {diff}"
        if competitors is not None:
            diff = competitor_difference(tree, node, competitors[competitors.node == number], rtol)
            if diff is not None:
                return f"node {number}: {diff}"
        queue += [(2 * number, left), (2 * number + 1, right)]
    if tree.node_count != len(fit.nodes):
        return f"node count {tree.node_count} vs rpart {len(fit.nodes)}"
    return None


def load_competitors(name: str, setting: str) -> pd.DataFrame:
    """rpart's competing splits (``maxcompete=4``) of setting ``setting``."""
    path = FIXTURES / "out" / name / f"{setting}_competitors.csv"
    comp = pd.read_csv(path, dtype={"left": str, "right": str}, keep_default_na=False)
    comp["threshold"] = pd.to_numeric(comp["threshold"], errors="coerce")
    return comp


def competitor_difference(
    tree: Tree, node: int, theirs: pd.DataFrame, rtol: float = 1e-9
) -> str | None:
    """``None`` if node ``node``'s competitors are rpart's (``theirs``, by rank), else
    the first difference: number, variable, threshold or the two category sets (as
    an unordered pair: a competitor has no left child), improvement (rpart's
    ``improve`` is the Gini decrease times the node's weight: ``gain · weight``)."""
    comp = tree.competitors
    assert comp is not None
    lo, hi = int(comp.ptr[node]), int(comp.ptr[node + 1])
    theirs = theirs.sort_values("rank")
    if hi - lo != len(theirs):
        ours = comp.feature[lo:hi].tolist()
        return f"{hi - lo} competitors {ours} vs rpart {len(theirs)} {theirs['var'].tolist()}"
    weight = float(tree.value[node].sum())
    for k, (_, row) in enumerate(theirs.iterrows()):
        c = lo + k
        if int(comp.feature[c]) != int(row["var"]):
            return f"competitor {k}: variable {int(comp.feature[c])} vs rpart {int(row['var'])}"
        if int(row["ncat"]) in (-1, 1):
            if comp.kind[c] != SPLIT_NUMERIC:
                return f"competitor {k}: categorical vs rpart numeric"
            if not np.isclose(comp.threshold[c], float(row["threshold"]), rtol=rtol, atol=0):
                return f"competitor {k}: threshold {comp.threshold[c]!r} vs {row['threshold']!r}"
        else:
            table = comp.categories(c)
            ours = {frozenset(np.flatnonzero(table == b).tolist()) for b in (0, 1)}
            if ours != {frozenset(_codes(row["left"])), frozenset(_codes(row["right"]))}:
                return f"competitor {k}: categories {ours} vs {row['left']}|{row['right']}"
        improve = float(comp.gain[c]) * weight
        if not np.isclose(improve, float(row["improve"]), rtol=1e-9, atol=1e-9):
            return f"competitor {k}: improve {improve!r} vs {row['improve']!r}"
    return None
