"""Tests for tests/j48_reference.py against every stored Weka J48 fixture (no Java needed)."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import pytest

try:
    import j48_reference as ref
except ModuleNotFoundError:  # tests/ imported as a package
    from tests import j48_reference as ref

DATASETS_DIR = Path(__file__).resolve().parent.parent / "datasets"
UNPRUNED = {"U", "B_U", "U_M1"}
BINARY = {"B", "B_U"}

CASES = [(d, s) for d in ref.available_datasets() for s in ref.SETTINGS]
IDS = [f"{d}-{s}" for d, s in CASES]


def _n_training_rows(stem: str) -> int:
    """Rows of the ARFF file whose class (last attribute) is known."""
    n = 0
    in_data = False
    for line in (DATASETS_DIR / f"{stem}.arff").read_text().splitlines():
        s = line.strip()
        if not s or s.startswith("%"):
            continue
        if not in_data:
            in_data = s.lower().startswith("@data")
            continue
        if s.rsplit(",", 1)[-1].strip() != "?":
            n += 1
    return n


def _printed_tree_lines(text: str) -> list[str]:
    lines = text.splitlines()
    start = next(i for i, ln in enumerate(lines) if ln.startswith("J48 "))
    end = next(i for i, ln in enumerate(lines) if ln.startswith("Number of Leaves"))
    block = lines[start:end]
    while block and not block[-1].strip():
        block.pop()
    return block


def _clear_value_text(node):
    if isinstance(node, ref.J48Node):
        for br in node.branches:
            br.value_text = None
            _clear_value_text(br.child)


# --------------------------------------------------------------------------------------------
# every fixture
# --------------------------------------------------------------------------------------------
def test_all_fixtures_present():
    assert len(ref.available_datasets()) == 13
    assert {p.stem for p in DATASETS_DIR.glob("*.arff")} == set(ref.available_datasets())
    for d in ref.available_datasets():
        for s in ref.SETTINGS:
            assert (ref.FIXTURE_DIR / d / f"{s}.txt").is_file()
        for s in ("default", "A"):
            assert (ref.FIXTURE_DIR / d / f"predictions_{s}.txt").is_file()


@pytest.mark.parametrize(("dataset", "setting"), CASES, ids=IDS)
def test_round_trip(dataset, setting):
    text = ref.load_fixture_text(dataset, setting)
    tree, _ = ref.load_fixture(dataset, setting)
    assert ref.format_tree(tree).splitlines() == _printed_tree_lines(text)
    # also without the class-label hint
    assert ref.tree_to_rows(ref.parse_tree(text)) == ref.tree_to_rows(tree)
    assert ref.first_difference(tree, ref.parse_tree(text), weight_decimals=None) is None


@pytest.mark.parametrize(("dataset", "setting"), CASES, ids=IDS)
def test_thresholds_reprint_from_floats(dataset, setting):
    """Numeric thresholds re-print from their float value alone (as for a treelearn tree)."""
    text = ref.load_fixture_text(dataset, setting)
    tree, _ = ref.load_fixture(dataset, setting)
    _clear_value_text(tree.root)
    raw = setting in BINARY
    assert ref.format_tree(tree, raw_thresholds=raw).splitlines() == _printed_tree_lines(text)


@pytest.mark.parametrize(("dataset", "setting"), CASES, ids=IDS)
def test_counts_match_printed(dataset, setting):
    tree, summary = ref.load_fixture(dataset, setting)
    assert summary.n_leaves == tree.n_leaves
    assert summary.size == tree.size
    assert summary.pruned is (setting not in UNPRUNED)
    assert tree.pruned is (setting not in UNPRUNED)
    expected_options = " ".join(ref.SETTINGS[setting]) or None
    assert summary.options == expected_options
    assert len(ref.tree_to_rows(tree)) == tree.size - (0 if tree.n_leaves == 1 else 1)


@pytest.mark.parametrize(("dataset", "setting"), CASES, ids=IDS)
def test_leaf_weights_sum_to_training_rows(dataset, setting):
    tree, _ = ref.load_fixture(dataset, setting)
    n = _n_training_rows(dataset)
    if setting == "R":
        n -= n // 3  # growing set only: the last fold of 3 is the pruning set
    # each printed n is rounded to 2 decimals
    tol = 0.005 * tree.n_leaves + 1e-9
    assert math.isclose(tree.total_weight, n, abs_tol=tol)
    if isinstance(tree.root, ref.J48Node):
        assert len(tree.root.branches) >= 2


@pytest.mark.parametrize(("dataset", "setting"), CASES, ids=IDS)
def test_summary_sections(dataset, setting):
    _, summary = ref.load_fixture(dataset, setting)
    n = _n_training_rows(dataset)
    for st in (summary.train, summary.cv):
        assert st.total == n
        assert st.correct is not None
        assert st.incorrect is not None
        assert st.correct + st.incorrect + (st.unclassified or 0) == n
        assert math.isclose(st.correct_pct, 100 * st.correct / n, abs_tol=5e-4)
        assert st.kappa is not None
        assert st.root_relative_squared_error_pct is not None
        assert st.confusion is not None
        assert len(st.confusion) == len(st.class_labels)
        assert all(len(row) == len(st.class_labels) for row in st.confusion)
        assert sum(map(sum, st.confusion)) + (st.unclassified or 0) == n
        assert sum(st.confusion[i][i] for i in range(len(st.confusion))) == st.correct
    assert summary.train.class_labels == summary.cv.class_labels


@pytest.mark.parametrize("dataset", ref.available_datasets())
@pytest.mark.parametrize("setting", ["default", "A"])
def test_predictions(dataset, setting):
    rows = ref.load_predictions(dataset, setting)
    _, summary = ref.load_fixture(dataset, setting)
    labels = summary.class_labels
    assert len(rows) == _n_training_rows(dataset)
    assert [r.inst for r in rows] == list(range(1, len(rows) + 1))
    for r in rows:
        assert len(r.distribution) == len(labels)
        assert math.isclose(sum(r.distribution), 1.0, abs_tol=0.0005 * len(labels) + 1e-9)
        assert r.starred == r.predicted
        assert r.error == (r.actual != r.predicted)
        # labels are printed truncated to the column width; the actual value is printed
        # as the instance shows it, quoted if it has a space ('build w)
        assert labels[r.actual].startswith(r.actual_label.removeprefix("'"))
        assert labels[r.predicted].startswith(r.predicted_label)
    # -p uses classifyInstance, which ignores -A, so these errors are the plain tree's
    default_summary = ref.load_fixture(dataset, "default")[1]
    assert sum(r.error for r in rows) == default_summary.train.incorrect


def test_laplace_label_disagrees_with_distribution_only_on_soybean():
    """Facts sheet §10: under -A the printed label (classifyInstance) ignores Laplace."""
    for d in ref.available_datasets():
        rows = ref.load_predictions(d, "A")
        mismatches = sum(r.distribution.index(max(r.distribution)) != r.predicted for r in rows)
        assert mismatches == (16 if d == "soybean" else 0), d


def test_summary_csv_matches_fixtures():
    with open(ref.FIXTURE_DIR / "summary.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == len(CASES)
    for row in rows:
        _, s = ref.load_fixture(row["dataset"], row["setting"])
        assert int(row["leaves"]) == s.n_leaves
        assert int(row["size"]) == s.size
        assert float(row["train_acc_pct"]) == s.train_correct_pct
        assert float(row["cv10_acc_pct"]) == s.cv_correct_pct


# --------------------------------------------------------------------------------------------
# known values
# --------------------------------------------------------------------------------------------
def test_known_trees():
    tree, s = ref.load_fixture("iris")
    assert ref.tree_to_rows(tree) == [
        (0, "petalwidth", "<=", 0.6, "Iris-setosa", 50.0, 0.0),
        (0, "petalwidth", ">", 0.6, None, None, None),
        (1, "petalwidth", "<=", 1.7, None, None, None),
        (2, "petallength", "<=", 4.9, "Iris-versicolor", 48.0, 1.0),
        (2, "petallength", ">", 4.9, None, None, None),
        (3, "petalwidth", "<=", 1.5, "Iris-virginica", 3.0, 0.0),
        (3, "petalwidth", ">", 1.5, "Iris-versicolor", 3.0, 1.0),
        (1, "petalwidth", ">", 1.7, "Iris-virginica", 46.0, 1.0),
    ]
    assert (s.train_correct, s.train_correct_pct, s.cv_correct_pct) == (147, 98.0, 96.0)
    assert s.cv.confusion == [[49, 1, 0], [0, 47, 3], [0, 2, 48]]

    tree, _ = ref.load_fixture("iris", "U")
    assert tree.n_leaves == 5  # facts sheet §7: collapse makes -U smaller than 7

    tree, _ = ref.load_fixture("weather.nominal")
    assert tree.root.attribute == "outlook"
    assert [b.value for b in tree.root.branches] == ["sunny", "overcast", "rainy"]

    tree, _ = ref.load_fixture("labor", "R")
    assert math.isclose(tree.total_weight, 38.0)  # facts sheet §9: 57 − 19

    tree, _ = ref.load_fixture("weather.nominal", "M5")
    assert tree.root == ref.J48Leaf("yes", 14.0, 5.0)
    assert ref.tree_to_rows(tree) == [(0, None, None, None, "yes", 14.0, 5.0)]


def test_binary_fixture_has_not_equal_branches():
    tree, _ = ref.load_fixture("credit-g", "B")
    ops = {row[2] for row in ref.tree_to_rows(tree)}
    assert {"=", "!=", "<=", ">"} <= ops


def test_values_with_spaces_and_slashes():
    tree, _ = ref.load_fixture("credit-g")
    values = {row[3] for row in ref.tree_to_rows(tree)}
    assert "real estate" in values
    assert "critical/other existing credit" in values
    assert "<0" in values and ">=7" in values


# --------------------------------------------------------------------------------------------
# synthetic edge cases
# --------------------------------------------------------------------------------------------
SYNTHETIC = """\
Options: -B

J48 pruned tree
------------------

'my attr' = 'a b'
|   x.y <= 1.0E-4: class one (3.0)
|   x.y > 1.0E-4: class two (2.5/0.5)
'my attr' != 'a b'
|   colour = red = dark: class one (4.0/0.0)
|   colour != red = dark
|   |   big num <= 1.2345678E7: class two (0.0)
|   |   big num > 1.2345678E7: class one (1.0)

Number of Leaves  : \t5

Size of the tree : \t9
"""


def test_synthetic_names_quotes_exponents():
    tree = ref.parse_tree(SYNTHETIC)
    assert tree.n_leaves == 5 and tree.size == 9
    rows = ref.tree_to_rows(tree)
    assert rows[0] == (0, "'my attr'", "=", "'a b'", None, None, None)
    assert rows[1] == (1, "x.y", "<=", 1e-4, "class one", 3.0, 0.0)
    assert rows[2] == (1, "x.y", ">", 1e-4, "class two", 2.5, 0.5)
    assert rows[4][1:4] == ("colour", "=", "red = dark")
    assert rows[5][1:4] == ("colour", "!=", "red = dark")
    assert rows[6][3] == 12345678.0
    assert ref.format_tree(tree).splitlines() == _printed_tree_lines(SYNTHETIC)
    _clear_value_text(tree.root)
    assert ref.format_tree(tree, raw_thresholds=True).splitlines() == _printed_tree_lines(SYNTHETIC)


def test_multiway_values_containing_operator_text():
    text = "a = x = y: c1 (2.0)\na = z: c2 (3.0)\na = <=5: c2 (1.0)\n"
    tree = ref.parse_tree(text)
    assert tree.root.attribute == "a"
    assert [b.value for b in tree.root.branches] == ["x = y", "z", "<=5"]
    # a hint picks the longer attribute name
    tree = ref.parse_tree("a = x = y: c1 (2.0)\na = x = z: c2 (3.0)\n", attribute_names=["a = x"])
    assert tree.root.attribute == "a = x"
    assert [b.value for b in tree.root.branches] == ["y", "z"]


def test_class_label_with_colon_needs_hint():
    text = "f = v: w: lab (2.0)\nf = u: lab (1.0)\n"
    tree = ref.parse_tree(text)
    assert tree.root.branches[0].value == "v: w" and tree.root.branches[0].child.label == "lab"
    tree = ref.parse_tree(text, class_values=["w: lab", "other"])
    assert tree.root.branches[0].value == "v"
    assert tree.root.branches[0].child.label == "w: lab"


def test_leaf_e_printing():
    tree = ref.parse_tree("f = a: x (2.0/0.0)\nf = b: y (3.0)\n")
    assert ref.format_tree(tree, header=False) == "f = a: x (2.0/0.0)\nf = b: y (3.0)"
    built = ref.J48Node(
        "f",
        [
            ref.J48Branch("<=", 2.5000004, ref.J48Leaf("x", 15.2749, 2.2651)),
            ref.J48Branch(">", 2.5000004, ref.J48Leaf("y", 3.0, 0.0000005)),
        ],
    )
    assert ref.format_tree(built, header=False) == "f <= 2.5: x (15.27/2.27)\nf > 2.5: y (3.0)"
    assert ref.format_tree(built, header=False, raw_thresholds=True).startswith("f <= 2.5000004: x")


def test_first_difference():
    a, _ = ref.load_fixture("iris")
    b, _ = ref.load_fixture("iris", "U")
    assert ref.first_difference(a, a) is None
    a2, _ = ref.load_fixture("iris")
    a2.root.branches[0].value = 0.6000001  # prints as 0.6
    a2.root.branches[0].child.n = 50.001  # rounds to 50.0
    assert ref.first_difference(a, a2) is None
    assert ref.first_difference(a, a2, threshold_decimals=None) is not None
    diff = ref.first_difference(a, b)
    if diff is not None:
        assert diff.startswith("row ")
    c, _ = ref.load_fixture("glass")
    assert ref.first_difference(a, c).startswith("row 0:")
    shorter = ref.tree_to_rows(a)[:-1]
    assert "only expected" in ref.first_difference(a, shorter)


def test_parse_errors():
    with pytest.raises(ref.J48ParseError):
        ref.parse_tree("")
    with pytest.raises(ref.J48ParseError):
        ref.parse_tree("a <= 1: x (1.0)\n|   |   b = c: y (2.0)\n")
    with pytest.raises(ref.J48ParseError):
        ref.parse_tree("a <= 1: x (1.0)\nb > 1: y (2.0)\n")
    with pytest.raises(FileNotFoundError):
        ref.load_fixture("no-such-dataset")


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (1.0, "1.0"),
        (-2.0, "-2.0"),
        (0.5, "0.5"),
        (15.27, "15.27"),
        (100.0, "100.0"),
        (0.001, "0.001"),
        (0.00099, "9.9E-4"),
        (1e-4, "1.0E-4"),
        (9999999.0, "9999999.0"),
        (1e7, "1.0E7"),
        (123456789.0, "1.23456789E8"),
        (-3.5e-5, "-3.5E-5"),
        (0.1 + 0.2, "0.30000000000000004"),
        (0.0, "0.0"),
        (float("inf"), "Infinity"),
        (float("nan"), "NaN"),
    ],
)
def test_java_double_to_string(value, text):
    assert ref.java_double_to_string(value) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (2.5, "2.5"),
        (10.0, "10"),
        (0.6, "0.6"),
        (-0.21793, "-0.21793"),
        (0.0000005, "0.000001"),
        (0.00000049, "0"),
        (-0.0000005, "-0.000001"),
        (1.23456789, "1.234568"),
        (-15.44444444, "-15.444444"),
        (0.0, "0"),
        (123456.0, "123456"),
    ],
)
def test_weka_double_to_string(value, text):
    assert ref.weka_double_to_string(value, 6) == text
