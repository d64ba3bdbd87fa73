"""What a fitted tree says, node by node: names, split tests, numbers.

The exporters (graphviz, text, rules, plots) all describe the same things: the
feature and category names a user knows, the test of every branch, the node's
criterion values, its weight and class counts, and whether missing values are
routed through it. This module computes those once, in words and numbers that
carry no markup; each exporter only lays them out.

Missing-value routing. A case whose split value is missing (or, at a categorical
split, whose category was not seen at that node in training) goes down *every*
branch with the branch's training share as its weight. The exporters show this
where the tree uses it:

* ``missing`` — some training case at the node had no value for the split feature
  (detected as the children holding more training rows than the node: such cases
  are copied into every branch);
* ``unseen`` — categories that can reach the node (no split above it on the same
  feature excluded them) but that no training case at the node had.

Categories that cannot reach a node are not mentioned there.

Surrogate splits (``missing_values="surrogate"``): a case whose split value is
missing takes the branch of the first surrogate test it has a value for, else the
node's majority branch. :class:`SurrogateTest` states each surrogate as the test
that sends a case down one given branch (``NodeInfo.surrogates``: the first branch),
with its agreement and adjusted agreement (rpart's ``agree`` and ``adj``).
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from treelearn._split_lists import SplitList
from treelearn._tree import SPLIT_CATEGORICAL, SPLIT_NUMERIC, Tree
from treelearn._validation import check_is_fitted
from treelearn.criteria import SplitCriterion

__all__ = [
    "Branch",
    "NodeInfo",
    "SurrogateTest",
    "TreeDescription",
    "check_precision",
    "describe",
    "format_threshold",
    "format_value",
    "format_weight",
]


# ----------------------------------------------------------------------------- numbers
MAX_PRECISION = 17  # significant decimals of a float64 (repr round-trips with 17)


def check_precision(precision: object) -> None:
    """Refuse a ``precision`` (decimals printed) that is not an integer in 0..17.

    Every exporter's ``precision=`` is checked here, before anything is written.

    >>> check_precision(3)
    >>> check_precision(-1)
    Traceback (most recent call last):
    ...
    ValueError: precision must be an integer from 0 to 17 (the decimals a float64 carries), got -1
    """
    if (
        isinstance(precision, bool)
        or not isinstance(precision, int | np.integer)
        or not 0 <= precision <= MAX_PRECISION
    ):
        raise ValueError(
            f"precision must be an integer from 0 to {MAX_PRECISION} (the decimals a "
            f"float64 carries), got {precision!r}"
        )


def format_value(x: float, precision: int) -> str:
    """A criterion value with ``precision`` decimals (no ``-0.000``).

    >>> format_value(0.94028, 3), format_value(-1e-17, 3)
    ('0.940', '0.000')
    """
    text = f"{x:.{precision}f}"
    if text.startswith("-") and float(text) == 0.0:
        text = text[1:]
    return text


def format_weight(w: float) -> str:
    """A (possibly fractional) case weight: ``14``, ``15.27``, ``0.004``.

    Whole numbers print without decimals; fractional C4.5 weights with two
    decimals, or two significant digits when smaller than 0.01.

    >>> [format_weight(w) for w in (14.0, 15.2678, 0.25, 0.0042, 0.0)]
    ['14', '15.27', '0.25', '0.0042', '0']
    """
    w = float(w)
    if not math.isfinite(w):
        return str(w)
    nearest = round(w)
    if abs(w - nearest) <= 1e-9 * max(1.0, abs(w)):
        return str(int(nearest))
    if abs(w) < 0.01:
        return f"{w:.2g}"
    return f"{w:.2f}".rstrip("0").rstrip(".")


def format_threshold(t: float, precision: int) -> str:
    """A numeric threshold with at most ``precision`` decimals, trailing zeros removed.

    Thresholds too small for ``precision`` decimals keep ``precision`` significant
    digits instead.

    >>> [format_threshold(t, 3) for t in (2.45, 11.0, 0.6000001, 1386.5, 0.0001234)]
    ['2.45', '11', '0.6', '1386.5', '0.000123']
    """
    t = float(t)
    if t != 0.0 and abs(t) < 10.0 ** (-precision):
        return f"{t:.{precision}g}"
    text = f"{t:.{precision}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if text in ("-0", ""):
        text = "0"
    return text


# ----------------------------------------------------------------------------- names
def _criterion_labels(criterion: SplitCriterion) -> tuple[str, str, str]:
    """(impurity label, score label, unit); a custom criterion shows its own name."""
    base = SplitCriterion
    name = str(getattr(criterion, "name", "") or type(criterion).__name__)
    impurity = getattr(criterion, "impurity_label", base.impurity_label)
    score = getattr(criterion, "score_label", base.score_label)
    if name == base.name and type(criterion) is not base:
        name = type(criterion).__name__
    if impurity == base.impurity_label:
        impurity = name
    if score == base.score_label:
        score = f"Δ{impurity}"
    return str(impurity), str(score), str(getattr(criterion, "unit", "") or "")


def _display(value: object) -> str:
    """A category or class value as a user reads it."""
    if isinstance(value, bytes):
        return value.decode("utf-8", "backslashreplace")
    if isinstance(value, np.generic):
        value = value.item()
    return str(value)


#: Characters that would break a line (or hide text) in a one-line-per-node export.
_LINE_BREAKING = frozenset(
    [chr(c) for c in range(0x20)] + [chr(0x7F)] + [chr(c) for c in range(0x80, 0xA0)]
    + ["\u2028", "\u2029", "\x85"]
)  # fmt: skip


def one_line(text: str) -> str:
    """``text`` with control characters and line separators written as escapes.

    ``"a\nRule 99: IF TRUE"`` becomes ``"a\\nRule 99: IF TRUE"``: a name can
    never start a line of its own in ``export_text`` or ``export_rules``.
    """
    if not _LINE_BREAKING.intersection(text):
        return text
    return "".join(repr(ch)[1:-1] if ch in _LINE_BREAKING else ch for ch in text)


def _resolve_feature_names(estimator, feature_names) -> list[str]:
    n = int(estimator.n_features_in_)
    if feature_names is None:
        names = getattr(estimator, "feature_names_in_", None)
        if names is None:
            return [f"x[{j}]" for j in range(n)]
        return [_display(v) for v in names]
    names = [_display(v) for v in feature_names]
    if len(names) != n:
        raise ValueError(
            f"feature_names has {len(names)} names but the estimator was fitted on {n} features."
        )
    return names


def _resolve_class_names(estimator, class_names) -> list[str]:
    classes = estimator.classes_
    if class_names is None:
        return [_display(c) for c in classes]
    if isinstance(class_names, dict):
        return [_display(class_names.get(c, c)) for c in classes.tolist()]
    names = [_display(v) for v in class_names]
    if len(names) != len(classes):
        raise ValueError(
            f"class_names has {len(names)} names but the estimator has {len(classes)} classes."
        )
    return names


# ----------------------------------------------------------------------------- nodes
@dataclass(frozen=True)
class Branch:
    """The test on the edge from a node to one child.

    ``op`` is ``"<="`` or ``">"`` (numeric, with ``threshold``), ``"="`` (one
    category) or ``"in"`` (a set of categories, ``categories`` in code order).
    """

    feature: int
    feature_name: str
    op: str
    threshold: float = math.nan
    codes: tuple[int, ...] = ()
    categories: tuple[str, ...] = ()

    def value_text(self, precision: int = 3) -> str:
        """The branch's value part: ``2.45``, ``sunny``, ``{red, blue}``."""
        if self.op in ("<=", ">"):
            return format_threshold(self.threshold, precision)
        if self.op == "=":
            return self.categories[0]
        return "{" + ", ".join(self.categories) + "}"

    def text(self, precision: int = 3) -> str:
        """The whole test: ``petal length <= 2.45``, ``outlook = sunny``."""
        return f"{self.feature_name} {self.op} {self.value_text(precision)}"


@dataclass(frozen=True)
class SurrogateTest:
    """One surrogate split as the test that sends a case down one branch.

    ``branch`` is that test (``petal width <= 0.8``); ``agreement`` the share of the
    node's training weight (primary value known) that the surrogate sends the
    primary's way, ``adj`` how much of the primary's disagreement with the majority
    branch it removes.
    """

    branch: Branch
    agreement: float
    adj: float

    def text(self, precision: int = 3) -> str:
        """``petal width <= 0.8 (agree 0.993, adj 0.980)``."""
        return (
            f"{self.branch.text(precision)} (agree {self.agreement:.{precision}f}, "
            f"adj {self.adj:.{precision}f})"
        )


@dataclass(frozen=True)
class NodeInfo:
    """Everything an exporter shows about one node."""

    node_id: int
    parent: int
    slot: int
    depth: int
    is_leaf: bool
    kind: str
    feature: int
    feature_name: str | None
    threshold: float
    children: tuple[int, ...]
    branches: tuple[Branch, ...]
    weight: float
    counts: np.ndarray
    impurity: float
    split_score: float
    gain: float
    class_index: int
    class_name: str
    is_empty: bool
    missing_routed: bool
    unseen: tuple[str, ...] = ()
    via: Branch | None = None
    path: tuple[Branch, ...] = field(default=(), repr=False)
    #: surrogate splits, best first, as tests toward the first branch
    surrogates: tuple[SurrogateTest, ...] = ()


@dataclass
class TreeDescription:
    """Names and per-node facts of a fitted estimator, shared by the exporters."""

    tree: Tree
    feature_names: list[str]
    class_names: list[str]
    category_names: list[list[str] | None]
    impurity_label: str
    score_label: str
    unit: str
    criterion_name: str
    gain_label: str
    show_gain: bool
    missing_routed: np.ndarray
    estimator_name: str

    def one_line(self) -> TreeDescription:
        """This description with every name passed through :func:`one_line`
        (for the line-oriented exports: one node, one line)."""

        def names(seq):
            return None if seq is None else [one_line(v) for v in seq]

        return replace(
            self,
            feature_names=names(self.feature_names),
            class_names=names(self.class_names),
            category_names=[names(c) for c in self.category_names],
            impurity_label=one_line(self.impurity_label),
            score_label=one_line(self.score_label),
            unit=one_line(self.unit),
            criterion_name=one_line(self.criterion_name),
            gain_label=one_line(self.gain_label),
        )

    def surrogate_tests(self, node: int, slot: int = 0) -> tuple[SurrogateTest, ...]:
        """Node ``node``'s surrogates, best first, each as the test sending a case
        down child slot ``slot`` (none for a tree grown without surrogates)."""
        sur = self.tree.surrogates
        if sur is None:
            return ()
        out = []
        for s in range(int(sur.ptr[node]), int(sur.ptr[node + 1])):
            branch = self.listed_branches(sur, s, int(sur.low_slot[s]), slot + 1)[slot]
            out.append(SurrogateTest(branch, float(sur.agreement[s]), float(sur.adj[s])))
        return tuple(out)

    def listed_branches(
        self, splits: SplitList, j: int, low_slot: int = 0, min_slots: int = 0
    ) -> tuple[Branch, ...]:
        """The branches, one per child slot, of split ``j`` of a per-node split list
        (surrogates, competitors: :mod:`treelearn._split_lists`).

        A numeric split sends ``x <= threshold`` to ``low_slot`` and the rest to the
        other slot; a categorical one sends each category to its slot in the split's
        table, with as many slots as the table names (at least ``min_slots``).
        """
        f = int(splits.feature[j])
        name = self.feature_names[f]
        if splits.kind[j] == SPLIT_NUMERIC:
            t = float(splits.threshold[j])
            low, high = Branch(f, name, "<=", t), Branch(f, name, ">", t)
            return (low, high) if low_slot == 0 else (high, low)
        table = splits.categories(j)
        cats = self.category_names[f] or []
        n_slots = max(int(table.max(initial=-1)) + 1, min_slots)
        return tuple(
            self._category_branch(f, name, np.flatnonzero(table == s).tolist(), cats)
            for s in range(n_slots)
        )

    def nodes(self, max_depth: int | None = None, *, paths: bool = False) -> Iterator[NodeInfo]:
        """Yield :class:`NodeInfo` depth-first in slot order (iterative, any depth).

        Nodes deeper than ``max_depth`` are skipped. With ``paths`` every node
        carries the branches from the root to it.
        """
        tree = self.tree
        feature, kind = tree.feature, tree.split_kind
        weights = tree.weighted_n_node_samples
        predicted = tree.leaf_class
        is_empty = tree.is_empty
        # stack items: (node, parent, slot, reach, path); reach maps a feature to the
        # category codes that can still arrive there
        stack: list[
            tuple[int, int, int, dict[int, frozenset[int]], Branch | None, tuple[Branch, ...]]
        ] = [(0, -1, -1, {}, None, ())]
        while stack:
            node, parent, slot, reach, via, path = stack.pop()
            depth = int(tree.depth[node])
            if max_depth is not None and depth > max_depth:
                continue
            children = tuple(tree.children(node))
            f = int(feature[node])
            k = int(kind[node])
            branches: tuple[Branch, ...] = ()
            unseen: tuple[str, ...] = ()
            child_reach = [reach] * len(children)
            if k == SPLIT_NUMERIC:
                name = self.feature_names[f]
                t = float(tree.threshold[node])
                branches = (Branch(f, name, "<=", t), Branch(f, name, ">", t))
            elif k == SPLIT_CATEGORICAL:
                name = self.feature_names[f]
                cats = self.category_names[f] or []
                n_cats = len(cats)
                table_codes, table = tree.category_table(node)
                allowed = reach.get(f, frozenset(range(n_cats)))
                per_slot: list[list[int]] = [[] for _ in children]
                for code, s in zip(table_codes.tolist(), table.tolist(), strict=True):
                    if 0 <= s < len(children):
                        per_slot[s].append(code)
                branches = tuple(self._category_branch(f, name, codes, cats) for codes in per_slot)
                routed = set(table_codes[table >= 0].tolist())
                unseen = tuple(
                    self._category_name(cats, c) for c in sorted(allowed) if c not in routed
                )
                child_reach = [
                    {**reach, f: frozenset(c for c in codes if c in allowed)} for codes in per_slot
                ]
            w = float(weights[node])
            empty = bool(is_empty[node])  # the tree's own rule, as predict applies it
            cls = int(predicted[node])
            info = NodeInfo(
                node_id=node,
                parent=parent,
                slot=slot,
                depth=depth,
                is_leaf=not children,
                kind=("leaf", "numeric", "categorical")[k],
                feature=f,
                feature_name=self.feature_names[f] if k else None,
                threshold=float(tree.threshold[node]),
                children=children,
                branches=branches,
                weight=w,
                counts=tree.value[node],
                impurity=float(tree.impurity[node]),
                split_score=float(tree.split_score[node]),
                gain=float(tree.gain[node]),
                class_index=cls,
                class_name=self.class_names[cls],
                is_empty=empty,
                missing_routed=bool(self.missing_routed[node]),
                unseen=unseen,
                via=via,
                path=path,
                surrogates=self.surrogate_tests(node) if children else (),
            )
            yield info
            for s in range(len(children) - 1, -1, -1):
                child_path = (*path, branches[s]) if paths else ()
                stack.append((children[s], node, s, child_reach[s], branches[s], child_path))

    @staticmethod
    def _category_name(cats: Sequence[str], code: int) -> str:
        return cats[code] if 0 <= code < len(cats) else f"<code {code}>"

    def _category_branch(self, f: int, name: str, codes: list[int], cats: Sequence[str]) -> Branch:
        names = tuple(self._category_name(cats, c) for c in codes)
        return Branch(
            f, name, "=" if len(codes) == 1 else "in", codes=tuple(codes), categories=names
        )


def _missing_routed(tree: Tree) -> np.ndarray:
    """Internal nodes whose training cases included missing split values.

    Such cases are copied into every branch, so the children hold more training
    rows than the node.
    """
    n = tree.node_count
    child_rows = np.zeros(n, dtype=np.int64)
    child_ids = np.flatnonzero(tree.parent >= 0)
    np.add.at(child_rows, tree.parent[child_ids], tree.n_node_samples[child_ids])
    return (tree.n_children > 0) & (child_rows > tree.n_node_samples)


def describe(estimator, feature_names=None, class_names=None) -> TreeDescription:
    """Collect the names and per-node facts of a fitted treelearn estimator.

    Parameters
    ----------
    estimator : fitted treelearn classifier
    feature_names : sequence of str, optional
        Names to show instead of ``feature_names_in_`` (or ``x[j]``).
    class_names : sequence of str or dict, optional
        Names to show for ``classes_`` (a dict maps some classes to names).

    Returns
    -------
    TreeDescription
    """
    check_is_fitted(estimator, "tree_")
    tree = estimator.tree_
    if not isinstance(tree, Tree):
        raise TypeError(f"expected a treelearn estimator, got {type(estimator).__name__}")
    if getattr(estimator, "n_outputs_", 1) > 1:
        raise ValueError(
            f"treelearn's exports show trees of one output; this {type(estimator).__name__} "
            f"has {estimator.n_outputs_} outputs. Convert it with estimator.to_sklearn() "
            "and use sklearn.tree.export_graphviz or plot_tree, which show "
            "every output's values."
        )
    features = _resolve_feature_names(estimator, feature_names)
    classes = _resolve_class_names(estimator, class_names)
    categories = getattr(estimator, "categories_", None) or [None] * len(features)
    category_names = [None if c is None else [_display(v) for v in c] for c in categories]
    criterion = getattr(estimator, "criterion_", None)
    if criterion is None:
        impurity_label, score_label, unit, crit_name = "impurity", "score", "", "unknown"
    else:
        impurity_label, score_label, unit = _criterion_labels(criterion)
        crit_name = str(getattr(criterion, "name", type(criterion).__name__))
    internal = tree.n_children > 0
    differs = internal & ~np.isclose(tree.split_score, tree.gain, rtol=1e-12, atol=1e-15)
    gain_label = "gain" if impurity_label == "entropy" else f"Δ{impurity_label}"
    show_gain = gain_label != score_label and bool(differs.any())
    return TreeDescription(
        tree=tree,
        feature_names=features,
        class_names=classes,
        category_names=category_names,
        impurity_label=impurity_label,
        score_label=score_label,
        unit=unit,
        criterion_name=crit_name,
        gain_label=gain_label,
        show_gain=show_gain,
        missing_routed=_missing_routed(tree),
        estimator_name=type(estimator).__name__,
    )
