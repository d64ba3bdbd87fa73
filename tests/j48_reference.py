"""Read Weka J48's printed output: reference trees, summaries and predictions.

Pure Python (standard library only, no Java). The fixtures in ``tests/fixtures/j48/`` were
made with the real Weka 3.6.14 J48 (see the README there); the helpers here let tests compare
treelearn's C4.5 trees with them.

* :func:`parse_tree` turns the printed tree section into a :class:`J48Tree` of
  :class:`J48Node` / :class:`J48Branch` / :class:`J48Leaf`.
* :func:`parse_summary` reads leaves, size, training-set and 10-fold CV statistics.
* :func:`parse_predictions` reads ``-p 0 -distribution`` output.
* :func:`load_fixture` / :func:`load_predictions` read a stored fixture by dataset and setting.
* :func:`read_weighted_arff` reads a small numeric ARFF with instance weights (``{w}``).
* :func:`tree_to_rows`, :func:`first_difference`, :func:`format_tree` compare and re-print trees.

>>> tree = parse_tree('''J48 pruned tree
... ------------------
...
... petalwidth <= 0.6: Iris-setosa (50.0)
... petalwidth > 0.6
... |   petalwidth <= 1.7: Iris-versicolor (54.0/5.0)
... |   petalwidth > 1.7: Iris-virginica (46.0/1.0)
... ''')
>>> tree.n_leaves, tree.size
(3, 5)
>>> tree_to_rows(tree)[2]
(1, 'petalwidth', '<=', 1.7, 'Iris-versicolor', 54.0, 5.0)
>>> print(format_tree(tree, header=False))
petalwidth <= 0.6: Iris-setosa (50.0)
petalwidth > 0.6
|   petalwidth <= 1.7: Iris-versicolor (54.0/5.0)
|   petalwidth > 1.7: Iris-virginica (46.0/1.0)
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

__all__ = [
    "FIXTURE_DIR",
    "SETTINGS",
    "EvalStats",
    "J48Branch",
    "J48Leaf",
    "J48Node",
    "J48Summary",
    "J48Tree",
    "Prediction",
    "available_datasets",
    "first_difference",
    "format_tree",
    "java_double_to_string",
    "load_fixture",
    "load_fixture_text",
    "load_predictions",
    "parse_predictions",
    "parse_summary",
    "parse_tree",
    "read_weighted_arff",
    "tree_to_rows",
    "weka_double_to_string",
]

FIXTURE_DIR = Path(__file__).resolve().parent / "fixtures" / "j48"

#: setting slug -> J48 command-line options used to make the fixture
SETTINGS: dict[str, tuple[str, ...]] = {
    "default": (),
    "U": ("-U",),
    "S": ("-S",),
    "B": ("-B",),
    "A": ("-A",),
    "R": ("-R",),
    "C0.1": ("-C", "0.1"),
    "M5": ("-M", "5"),
    "B_U": ("-B", "-U"),
    "U_M1": ("-U", "-M", "1"),
}

_INDENT = "|   "
_OPS = ("=", "!=", "<=", ">")
# a Java double as printed by Double.toString or Weka's Utils.doubleToString
_NUM = r"-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?|-?Infinity|NaN"
_NUM_RE = re.compile(rf"(?:{_NUM})")
_LEAF_RE = re.compile(rf"(?P<label>.*) \((?P<n>{_NUM})(?:/(?P<e>{_NUM}))?\)")


# --------------------------------------------------------------------------------------------
# Tree structure
# --------------------------------------------------------------------------------------------
@dataclass
class J48Leaf:
    """A leaf as J48 prints it: ``label (n/e)``.

    ``n`` is the weight of the training cases that reach the branch and ``e`` the weight of
    those not of class ``label`` (both rounded to 2 decimals by J48; ``e`` is 0 if not printed).
    J48 prints ``/e`` when the unrounded e exceeds 1e-6, so ``(2.0/0.0)`` occurs;
    ``e_printed`` records whether ``/e`` was printed (None: decide from ``e``). It takes no
    part in comparisons.
    """

    label: str
    n: float
    e: float = 0.0
    e_printed: bool | None = field(default=None, compare=False, repr=False)

    @property
    def is_leaf(self) -> bool:
        return True


@dataclass
class J48Branch:
    """One outgoing branch ``<attribute> <op> <value>`` of a :class:`J48Node`.

    ``value`` is a ``str`` for nominal tests (``=``/``!=``) and a ``float`` for numeric tests
    (``<=``/``>``). ``value_text`` keeps the value exactly as printed (J48 prints thresholds
    rounded to 6 decimals, or as raw Java doubles under ``-B``).
    """

    op: str
    value: str | float
    child: J48Node | J48Leaf
    value_text: str | None = None

    def printed_value(self, raw_thresholds: bool = False) -> str:
        if self.value_text is not None:
            return self.value_text
        if isinstance(self.value, str):
            return self.value
        return (
            java_double_to_string(self.value)
            if raw_thresholds
            else weka_double_to_string(self.value, 6)
        )


@dataclass
class J48Node:
    """An internal node: the tested attribute and its branches in print order."""

    attribute: str
    branches: list[J48Branch] = field(default_factory=list)

    @property
    def is_leaf(self) -> bool:
        return False


@dataclass
class J48Tree:
    """A parsed J48 tree. ``pruned`` is False for the ``J48 unpruned tree`` header."""

    root: J48Node | J48Leaf
    pruned: bool = True

    def leaves(self) -> list[J48Leaf]:
        """All leaves in print order (empty ``(0.0)`` leaves included)."""
        out: list[J48Leaf] = []

        def walk(node: J48Node | J48Leaf) -> None:
            if isinstance(node, J48Leaf):
                out.append(node)
            else:
                for br in node.branches:
                    walk(br.child)

        walk(self.root)
        return out

    @property
    def n_leaves(self) -> int:
        """J48's "Number of Leaves": every leaf, empty ones included."""
        return len(self.leaves())

    @property
    def size(self) -> int:
        """J48's "Size of the tree": internal nodes plus leaves."""

        def count(node: J48Node | J48Leaf) -> int:
            if isinstance(node, J48Leaf):
                return 1
            return 1 + sum(count(br.child) for br in node.branches)

        return count(self.root)

    @property
    def depth(self) -> int:
        """Number of edges on the longest root-to-leaf path (0 for a root leaf)."""

        def d(node: J48Node | J48Leaf) -> int:
            if isinstance(node, J48Leaf):
                return 0
            return 1 + max(d(br.child) for br in node.branches)

        return d(self.root)

    @property
    def total_weight(self) -> float:
        """Sum of the root's children's n (the training weight J48 grew the tree on)."""
        return sum(leaf.n for leaf in self.leaves())

    def attributes(self) -> set[str]:
        """Names of the attributes tested anywhere in the tree."""
        out: set[str] = set()

        def walk(node: J48Node | J48Leaf) -> None:
            if isinstance(node, J48Node):
                out.add(node.attribute)
                for br in node.branches:
                    walk(br.child)

        walk(self.root)
        return out


# --------------------------------------------------------------------------------------------
# Number formatting as Java / Weka print it
# --------------------------------------------------------------------------------------------
def java_double_to_string(x: float) -> str:
    """Java's ``Double.toString`` for ``x`` (shortest round-trip digits).

    Plain notation for 1e-3 <= |x| < 1e7, computerised scientific notation otherwise.
    (Older JDKs sometimes print one more digit than the shortest for rare values.)

    >>> [java_double_to_string(v) for v in (2.0, 15.27, 0.0, -1.0, 1e-4, 12345678.0, 0.001)]
    ['2.0', '15.27', '0.0', '-1.0', '1.0E-4', '1.2345678E7', '0.001']
    """
    x = float(x)
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    if x == 0.0:
        return "-0.0" if math.copysign(1.0, x) < 0 else "0.0"
    sign = "-" if x < 0 else ""
    ax = abs(x)
    # repr gives the shortest digits that round-trip; exp = decimal exponent of digit one
    _, digit_tuple, exponent = Decimal(repr(ax)).as_tuple()
    digits = "".join(map(str, digit_tuple)).lstrip("0")
    exp = len(digits) + int(exponent) - 1
    digits = digits.rstrip("0")
    if 1e-3 <= ax < 1e7:
        if exp >= 0:
            whole = digits[: exp + 1].ljust(exp + 1, "0")
            frac = digits[exp + 1 :] or "0"
        else:
            whole, frac = "0", "0" * (-exp - 1) + digits
        return f"{sign}{whole}.{frac}"
    return f"{sign}{digits[0]}.{digits[1:] or '0'}E{exp}"


def weka_double_to_string(value: float, after_decimal_point: int = 6) -> str:
    """Weka 3.6's ``Utils.doubleToString(value, afterDecimalPoint)``.

    Rounds half away from zero (via ``(long)(|v|*10^k + 0.5)``) to ``k`` decimals and strips
    trailing zeros and a trailing point. This is how J48 prints numeric thresholds.

    >>> [weka_double_to_string(v) for v in (2.5, 10.0, 0.6, 0.1234565, -0.5, 0.0000004)]
    ['2.5', '10', '0.6', '0.123457', '-0.5', '0']
    """
    temp = value * math.pow(10.0, after_decimal_point)
    if not abs(temp) < 9.223372036854776e18:  # Long.MAX_VALUE
        return java_double_to_string(value)
    precision = int(temp + 0.5) if temp > 0 else -int(abs(temp) + 0.5)
    s = str(precision)
    if after_decimal_point == 0:
        return s
    dot = len(s) - after_decimal_point
    while (precision < 0 and dot < 1) or dot < 0:
        s = s[:1] + "0" + s[1:] if precision < 0 else "0" + s
        dot += 1
    s = s[:dot] + "." + s[dot:]
    if precision < 0 and s[1] == ".":
        s = s[:1] + "0" + s[1:]
    elif s[0] == ".":
        s = "0" + s
    # strip trailing zeros after the point, then a trailing point
    dot = s.index(".")
    end = len(s)
    while end - 1 > dot and s[end - 1] == "0":
        end -= 1
    if s[end - 1] == ".":
        end -= 1
    return s[:end]


def _leaf_number(x: float) -> str:
    """A leaf's n or e as J48 prints it: round(x*100)/100 then Double.toString."""
    return java_double_to_string(math.floor(x * 100.0 + 0.5) / 100.0)


# --------------------------------------------------------------------------------------------
# Parsing the tree
# --------------------------------------------------------------------------------------------
class J48ParseError(ValueError):
    """The text is not a J48 tree printout this parser understands."""


def _tree_section(text: str) -> tuple[bool, list[str]]:
    """Find the header and return (pruned, tree lines)."""
    lines = text.splitlines()
    for i, line in enumerate(lines):
        stripped = line.strip()
        if stripped in ("J48 pruned tree", "J48 unpruned tree"):
            pruned = stripped == "J48 pruned tree"
            j = i + 1
            if j < len(lines) and set(lines[j].strip()) == {"-"}:
                j += 1
            while j < len(lines) and not lines[j].strip():
                j += 1
            body: list[str] = []
            while j < len(lines) and lines[j].strip():
                if lines[j].startswith("Number of Leaves"):
                    break
                body.append(lines[j].rstrip("\r\n"))
                j += 1
            if not body:
                raise J48ParseError("empty tree section")
            return pruned, body
    # no header: treat the whole text as tree lines
    body = [ln.rstrip("\r\n") for ln in lines if ln.strip()]
    if not body:
        raise J48ParseError("no tree found")
    return True, body


def _leaf_from_match(m: re.Match[str]) -> J48Leaf:
    e = m["e"]
    return J48Leaf(m["label"], float(m["n"]), float(e) if e else 0.0, e_printed=e is not None)


def _split_leaf(rest: str, class_values: Sequence[str] | None) -> tuple[str, J48Leaf] | None:
    """Split ``cond: label (n/e)`` into (cond, leaf); None if no leaf part fits."""
    candidates: list[tuple[str, J48Leaf]] = []
    start = 0
    while True:
        k = rest.find(": ", start)
        if k < 0:
            break
        m = _LEAF_RE.fullmatch(rest[k + 2 :])
        if m:
            leaf = _leaf_from_match(m)
            candidates.append((rest[:k], leaf))
        start = k + 1
    if class_values is not None:
        known = set(class_values)
        candidates = [c for c in candidates if c[1].label in known] or candidates
    if not candidates:
        return None
    # by default the class label is taken to be free of ": " (the last split)
    return candidates[-1]


@dataclass
class _Line:
    depth: int
    cond: str
    leaf: J48Leaf | None
    lineno: int


def _condition_candidates(cond: str) -> list[tuple[str, str, str]]:
    """Every way to read ``cond`` as ``attribute op value`` (op surrounded by spaces)."""
    out = []
    for op in _OPS:
        token = f" {op} "
        start = 0
        while True:
            k = cond.find(token, start)
            if k < 0:
                break
            out.append((cond[:k], op, cond[k + len(token) :]))
            start = k + 1
    return out


def _resolve_siblings(
    conds: list[str], attribute_names: Sequence[str] | None, where: int
) -> tuple[str, list[tuple[str, str]]]:
    """Find the attribute shared by sibling conditions; return (attr, [(op, value_text)])."""
    per_line = [_condition_candidates(c) for c in conds]
    common = set.intersection(*({a for a, _, _ in cands} for cands in per_line))
    if attribute_names is not None:
        common &= set(attribute_names)
    options = []
    for attr in sorted(common, key=lambda a: (len(a), a)):
        picks = [[(op, v) for a, op, v in cands if a == attr] for cands in per_line]
        for choice in _consistent(picks):
            options.append((attr, choice))
    if not options:
        raise J48ParseError(f"line {where}: cannot read sibling tests {conds!r}")
    # the shortest attribute name wins (nominal values may contain " = " and the like)
    return options[0]


def _consistent(picks: list[list[tuple[str, str]]]) -> Iterable[list[tuple[str, str]]]:
    """The readings of one sibling group that form a valid J48 split."""
    if len(picks) == 2:
        for a in picks[0]:
            for b in picks[1]:
                if a[1] != b[1]:
                    continue
                if (a[0], b[0]) == ("<=", ">") and _NUM_RE.fullmatch(a[1]):
                    yield [a, b]
                elif (a[0], b[0]) == ("=", "!="):
                    yield [a, b]
    # multiway nominal: every sibling "=" with distinct values
    eq = [[p for p in ps if p[0] == "="] for ps in picks]
    if all(eq):
        # the attribute name is fixed, so each line has at most one "=" reading
        chosen = [ps[0] for ps in eq]
        if len({v for _, v in chosen}) == len(chosen):
            yield chosen


def parse_tree(
    text: str,
    *,
    class_values: Sequence[str] | None = None,
    attribute_names: Sequence[str] | None = None,
) -> J48Tree:
    """Parse J48's printed tree (the ``J48 pruned tree``/``J48 unpruned tree`` section).

    ``text`` may be a whole J48 output (the tree section is found) or just the tree lines.
    Names and values may contain spaces, quotes and dots. Where a printed line is ambiguous
    (a nominal value or class label that itself contains ``": "`` or ``" = "``), the optional
    ``class_values`` / ``attribute_names`` settle it; :func:`load_fixture` passes the class
    values it reads from the confusion matrix.

    >>> t = parse_tree(": yes (14.0/5.0)")
    >>> t.root
    J48Leaf(label='yes', n=14.0, e=5.0)
    >>> t = parse_tree('''outlook = sunny
    ... |   humidity = high: no (3.0)
    ... |   humidity = normal: yes (2.0)
    ... outlook = overcast: yes (4.0)
    ... outlook = rainy: yes (5.0/2.0)''')
    >>> [(b.op, b.value) for b in t.root.branches]
    [('=', 'sunny'), ('=', 'overcast'), ('=', 'rainy')]
    >>> t.root.branches[0].child.attribute
    'humidity'
    """
    pruned, body = _tree_section(text)

    # root-only tree
    if len(body) == 1 and body[0].startswith(": "):
        m = _LEAF_RE.fullmatch(body[0][2:])
        if not m:
            raise J48ParseError(f"cannot read root leaf {body[0]!r}")
        return J48Tree(_leaf_from_match(m), pruned)

    raw: list[tuple[int, str]] = []
    for ln in body:
        depth = 0
        while ln.startswith(_INDENT, depth * len(_INDENT)):
            depth += 1
        raw.append((depth, ln[depth * len(_INDENT) :]))

    lines: list[_Line] = []
    for i, (depth, rest) in enumerate(raw):
        next_depth = raw[i + 1][0] if i + 1 < len(raw) else -1
        if next_depth > depth:
            if next_depth != depth + 1:
                raise J48ParseError(f"line {i + 1}: indentation jumps by more than one level")
            lines.append(_Line(depth, rest, None, i + 1))
        else:
            split = _split_leaf(rest, class_values)
            if split is None:
                raise J48ParseError(f"line {i + 1}: leaf without '(n)': {rest!r}")
            lines.append(_Line(depth, split[0], split[1], i + 1))

    pos = 0

    def build(depth: int) -> J48Node:
        nonlocal pos
        group: list[tuple[_Line, J48Node | J48Leaf]] = []
        while pos < len(lines) and lines[pos].depth == depth:
            line = lines[pos]
            pos += 1
            child: J48Node | J48Leaf = line.leaf if line.leaf is not None else build(depth + 1)
            group.append((line, child))
        if pos < len(lines) and lines[pos].depth > depth:
            raise J48ParseError(f"line {lines[pos].lineno}: unexpected indentation")
        if not group:
            raise J48ParseError(f"missing branches at depth {depth}")
        attr, readings = _resolve_siblings(
            [ln.cond for ln, _ in group], attribute_names, group[0][0].lineno
        )
        node = J48Node(attr)
        for (_, child), (op, vtext) in zip(group, readings, strict=True):
            value: str | float = float(vtext) if op in ("<=", ">") else vtext
            node.branches.append(J48Branch(op, value, child, vtext if op in ("<=", ">") else None))
        return node

    if lines[0].depth != 0:
        raise J48ParseError("first tree line is indented")
    root = build(0)
    if pos != len(lines):
        raise J48ParseError(f"line {lines[pos].lineno}: trailing lines after the tree")
    return J48Tree(root, pruned)


# --------------------------------------------------------------------------------------------
# Canonical rows, comparison and re-printing
# --------------------------------------------------------------------------------------------
Row = tuple[int, str | None, str | None, str | float | None, str | None, float | None, float | None]


def tree_to_rows(tree: J48Tree | J48Node | J48Leaf) -> list[Row]:
    """One row per printed line: (depth, attribute, op, value, leaf_class, n, e).

    Internal lines have ``leaf_class = n = e = None``. A root leaf gives the single row
    ``(0, None, None, None, label, n, e)``.
    """
    root = tree.root if isinstance(tree, J48Tree) else tree
    if isinstance(root, J48Leaf):
        return [(0, None, None, None, root.label, root.n, root.e)]
    rows: list[Row] = []

    def walk(node: J48Node, depth: int) -> None:
        for br in node.branches:
            if isinstance(br.child, J48Leaf):
                rows.append(
                    (depth, node.attribute, br.op, br.value, br.child.label, br.child.n, br.child.e)
                )
            else:
                rows.append((depth, node.attribute, br.op, br.value, None, None, None))
                walk(br.child, depth + 1)

    walk(root, 0)
    return rows


def _row_key(row: Row, threshold_decimals: int | None, weight_decimals: int | None) -> tuple:
    depth, attr, op, value, label, n, e = row
    if isinstance(value, float) and threshold_decimals is not None:
        value = weka_double_to_string(value, threshold_decimals)
    if weight_decimals is not None:
        n = None if n is None else round(n, weight_decimals)
        e = None if e is None else round(e, weight_decimals)
    return (depth, attr, op, value, label, n, e)


def first_difference(
    expected: J48Tree | Sequence[Row],
    actual: J48Tree | Sequence[Row],
    *,
    threshold_decimals: int | None = 6,
    weight_decimals: int | None = 2,
) -> str | None:
    """Describe the first differing row of two trees (J48's first), or None if equal.

    Thresholds are compared as J48 prints them (6 decimals) and n/e rounded to 2 decimals by
    default, so a tree built by treelearn can be compared with a parsed J48 tree directly.
    Pass None to compare exactly.
    """
    a = tree_to_rows(expected) if isinstance(expected, J48Tree) else list(expected)
    b = tree_to_rows(actual) if isinstance(actual, J48Tree) else list(actual)
    for i, (ra, rb) in enumerate(zip(a, b, strict=False)):
        if _row_key(ra, threshold_decimals, weight_decimals) != _row_key(
            rb, threshold_decimals, weight_decimals
        ):
            return f"row {i}: expected {ra!r}, got {rb!r}"
    if len(a) != len(b):
        which = "expected" if len(a) > len(b) else "actual"
        longer = a if len(a) > len(b) else b
        return f"row {min(len(a), len(b))}: only {which} has {longer[min(len(a), len(b))]!r}"
    return None


def format_tree(
    tree: J48Tree | J48Node | J48Leaf,
    *,
    header: bool = True,
    raw_thresholds: bool = False,
) -> str:
    """Print ``tree`` in J48's text format (the inverse of :func:`parse_tree`).

    With ``header`` the ``J48 pruned tree`` title, the dashes and a blank line come first
    (no blank line for a root leaf, as J48 does). Thresholds print as parsed, or for trees
    built elsewhere as ``Utils.doubleToString(t, 6)`` (``raw_thresholds``: Java
    ``Double.toString``, as J48 ``-B`` does). No trailing newline.
    """
    pruned = tree.pruned if isinstance(tree, J48Tree) else True
    root = tree.root if isinstance(tree, J48Tree) else tree
    out: list[str] = []
    if header:
        out += ["J48 pruned tree" if pruned else "J48 unpruned tree", "-" * 18]

    def leaf_text(leaf: J48Leaf) -> str:
        show_e = leaf.e > 1e-6 if leaf.e_printed is None else leaf.e_printed
        if show_e:
            return f"{leaf.label} ({_leaf_number(leaf.n)}/{_leaf_number(leaf.e)})"
        return f"{leaf.label} ({_leaf_number(leaf.n)})"

    if isinstance(root, J48Leaf):
        out.append(f": {leaf_text(root)}")
        return "\n".join(out)
    if header:
        out.append("")

    def walk(node: J48Node, depth: int) -> None:
        for br in node.branches:
            line = f"{_INDENT * depth}{node.attribute} {br.op} {br.printed_value(raw_thresholds)}"
            if isinstance(br.child, J48Leaf):
                out.append(f"{line}: {leaf_text(br.child)}")
            else:
                out.append(line)
                walk(br.child, depth + 1)

    walk(root, 0)
    return "\n".join(out)


# --------------------------------------------------------------------------------------------
# Summary (leaves, size, evaluation sections)
# --------------------------------------------------------------------------------------------
@dataclass
class EvalStats:
    """One evaluation section (``=== Error on training data ===`` or the CV one)."""

    correct: float | None = None
    correct_pct: float | None = None
    incorrect: float | None = None
    incorrect_pct: float | None = None
    kappa: float | None = None
    mean_absolute_error: float | None = None
    root_mean_squared_error: float | None = None
    relative_absolute_error_pct: float | None = None
    root_relative_squared_error_pct: float | None = None
    total: float | None = None
    unclassified: float | None = None
    unclassified_pct: float | None = None
    #: rows = actual class, columns = predicted class
    confusion: list[list[float]] | None = None
    class_labels: list[str] | None = None
    #: every "name   value" line of the section as read
    raw: dict[str, str] = field(default_factory=dict)


@dataclass
class J48Summary:
    n_leaves: int | None
    size: int | None
    pruned: bool | None
    options: str | None
    train: EvalStats
    cv: EvalStats

    @property
    def train_correct(self) -> float | None:
        return self.train.correct

    @property
    def train_correct_pct(self) -> float | None:
        return self.train.correct_pct

    @property
    def cv_correct(self) -> float | None:
        return self.cv.correct

    @property
    def cv_correct_pct(self) -> float | None:
        return self.cv.correct_pct

    @property
    def class_labels(self) -> list[str] | None:
        return self.train.class_labels or self.cv.class_labels


_STAT_RE = re.compile(r"^(?P<name>[A-Za-z][A-Za-z ]*?)\s{2,}(?P<rest>\S.*)$")
_COUNT_PCT = {
    "Correctly Classified Instances": ("correct", "correct_pct"),
    "Incorrectly Classified Instances": ("incorrect", "incorrect_pct"),
    "UnClassified Instances": ("unclassified", "unclassified_pct"),
}
_SINGLE = {
    "Kappa statistic": "kappa",
    "Mean absolute error": "mean_absolute_error",
    "Root mean squared error": "root_mean_squared_error",
    "Relative absolute error": "relative_absolute_error_pct",
    "Root relative squared error": "root_relative_squared_error_pct",
    "Total Number of Instances": "total",
}


def _parse_eval(lines: list[str]) -> EvalStats:
    st = EvalStats()
    i = 0
    while i < len(lines):
        line = lines[i].rstrip()
        if line.strip() == "=== Confusion Matrix ===":
            i = _parse_confusion(lines, i + 1, st)
            continue
        m = _STAT_RE.match(line.strip())
        if m:
            name, rest = m["name"].strip(), m["rest"].strip()
            st.raw[name] = rest
            nums = _NUM_RE.findall(rest)
            if name in _COUNT_PCT and len(nums) >= 2:
                a, b = _COUNT_PCT[name]
                setattr(st, a, float(nums[0]))
                setattr(st, b, float(nums[1]))
            elif name in _SINGLE and nums:
                setattr(st, _SINGLE[name], float(nums[0]))
        i += 1
    return st


def _parse_confusion(lines: list[str], i: int, st: EvalStats) -> int:
    while i < len(lines) and not lines[i].strip():
        i += 1
    if i >= len(lines) or "<-- classified as" not in lines[i]:
        return i
    i += 1
    matrix: list[list[float]] = []
    labels: list[str] = []
    while i < len(lines) and " | " in lines[i]:
        left, _, right = lines[i].partition(" | ")
        matrix.append([float(x) for x in left.split()])
        _, _, label = right.strip().partition(" = ")
        labels.append(label)
        i += 1
    st.confusion, st.class_labels = matrix, labels
    return i


def parse_summary(text: str) -> J48Summary:
    """Read J48's ``-t`` output: leaves, size, training-set and cross-validation statistics.

    >>> s = parse_summary(load_fixture_text("iris"))
    >>> s.n_leaves, s.size, s.train_correct, s.train_correct_pct, s.cv_correct_pct
    (5, 9, 147.0, 98.0, 96.0)
    >>> s.train.confusion[1], s.class_labels[0]
    ([0.0, 49.0, 1.0], 'Iris-setosa')
    """
    lines = text.splitlines()
    n_leaves = size = None
    pruned = options = None
    sections: dict[str, list[str]] = {}
    current: str | None = None
    for line in lines:
        s = line.strip()
        if s.startswith("Number of Leaves"):
            n_leaves = int(s.split(":", 1)[1])
        elif s.startswith("Size of the tree"):
            size = int(s.split(":", 1)[1])
        elif s.startswith("Options:") and options is None and current is None:
            options = s[len("Options:") :].strip()
        elif s in ("J48 pruned tree", "J48 unpruned tree"):
            pruned = s == "J48 pruned tree"
        elif s == "=== Error on training data ===":
            current = "train"
            sections[current] = []
        elif s == "=== Stratified cross-validation ===":
            current = "cv"
            sections[current] = []
        elif s.startswith("=== ") and s != "=== Confusion Matrix ===":
            current = None
        elif current is not None:
            sections[current].append(line)
    return J48Summary(
        n_leaves=n_leaves,
        size=size,
        pruned=pruned,
        options=options,
        train=_parse_eval(sections.get("train", [])),
        cv=_parse_eval(sections.get("cv", [])),
    )


# --------------------------------------------------------------------------------------------
# Predictions (-p 0 -distribution)
# --------------------------------------------------------------------------------------------
@dataclass
class Prediction:
    """One row of ``-p 0 -distribution`` output.

    ``actual``/``predicted`` are 0-based class indices (None for ``?``); the ``*_label``
    fields are the labels as printed, which Weka truncates to fit a 10-character column
    (``1:diaporth``); the actual label is printed as the instance shows it, so a value with a
    space starts with a quote (``'build w``) while the predicted one does not.
    ``distribution`` is rounded to 3 decimals by Weka; ``starred`` is the index Weka marked
    with ``*`` (the predicted class).
    """

    inst: int
    actual: int | None
    actual_label: str | None
    predicted: int | None
    predicted_label: str | None
    error: bool
    distribution: list[float]
    starred: int | None


def _index_label(field_text: str) -> tuple[int | None, str | None]:
    s = field_text.strip()
    if not s or s == "?":
        return None, None
    idx, _, label = s.partition(":")
    return int(idx) - 1, label


def parse_predictions(text: str) -> list[Prediction]:
    """Parse Weka 3.6's ``-p 0 -distribution`` output (fixed-width columns).

    >>> rows = parse_predictions(
    ...     " inst#     actual  predicted error distribution\\n"
    ...     "     6     2:good      1:bad   +   *0.851,0.149 \\n")
    >>> r = rows[0]
    >>> r.inst, r.actual, r.predicted, r.error, r.distribution, r.predicted_label
    (6, 1, 0, True, [0.851, 0.149], 'bad')
    """
    out: list[Prediction] = []
    seen_header = False
    for line in text.splitlines():
        if line.strip().startswith("inst#"):
            seen_header = True
            continue
        if not seen_header or not line.strip():
            continue
        if not line[:6].strip().isdigit():
            continue
        # columns: inst# [0:6] ' ' actual [7:17] ' ' predicted [18:28] error [28:35] dist
        inst = int(line[:6])
        actual, actual_label = _index_label(line[7:17])
        predicted, predicted_label = _index_label(line[18:28])
        error = line[28:35].strip() == "+"
        dist_text = line[35:].strip()
        dist: list[float] = []
        starred = None
        for k, tok in enumerate(t for t in dist_text.split(",") if t):
            if tok.startswith("*"):
                starred = k
                tok = tok[1:]
            dist.append(float(tok))
        out.append(
            Prediction(inst, actual, actual_label, predicted, predicted_label, error, dist, starred)
        )
    return out


# --------------------------------------------------------------------------------------------
# Fixture access
# --------------------------------------------------------------------------------------------
def available_datasets() -> list[str]:
    """Dataset stems that have fixtures (``iris``, ``weather.nominal``, ...)."""
    return sorted(p.name for p in FIXTURE_DIR.iterdir() if (p / "default.txt").is_file())


def _fixture_path(dataset_stem: str, name: str) -> Path:
    path = FIXTURE_DIR / dataset_stem / f"{name}.txt"
    if not path.is_file():
        raise FileNotFoundError(
            f"no J48 fixture {path.relative_to(FIXTURE_DIR)}; datasets: {available_datasets()},"
            f" settings: {list(SETTINGS)}"
        )
    return path


def load_fixture_text(dataset_stem: str, setting: str = "default") -> str:
    """The stored J48 output for a dataset stem (e.g. ``"labor"``) and setting slug."""
    return _fixture_path(dataset_stem, setting).read_text()


def load_fixture(dataset_stem: str, setting: str = "default") -> tuple[J48Tree, J48Summary]:
    """Parse a stored J48 output: ``(tree, summary)``.

    >>> tree, summary = load_fixture("weather.nominal")
    >>> tree.root.attribute, summary.n_leaves, tree.n_leaves
    ('outlook', 5, 5)
    """
    text = load_fixture_text(dataset_stem, setting)
    summary = parse_summary(text)
    tree = parse_tree(text, class_values=summary.class_labels)
    return tree, summary


def load_predictions(dataset_stem: str, setting: str = "default") -> list[Prediction]:
    """Parse stored training-set predictions (settings ``default`` and ``A``)."""
    return parse_predictions(_fixture_path(dataset_stem, f"predictions_{setting}").read_text())


def read_weighted_arff(path: Path) -> tuple[list[list[float]], list[int], list[float]]:
    """The numeric attributes, the (integer) class and the ``{w}`` instance weight of
    every data row of a small ARFF whose attributes are numeric but the last (the
    class) and whose rows all end in ``,{w}`` (the fixtures in ``fixtures/j48_hostile``)."""
    lines = Path(path).read_text().splitlines()
    data = [line.split(",") for line in lines[lines.index("@data") + 1 :] if line.strip()]
    X = [[float(v) for v in row[:-2]] for row in data]
    y = [int(row[-2]) for row in data]
    w = [float(row[-1].strip("{} ")) for row in data]
    return X, y, w
