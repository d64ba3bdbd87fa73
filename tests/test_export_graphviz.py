"""Graphviz export: exact DOT snapshots, node counts of rendered SVG, the criterion
value printed at every node, escaping of hostile names, rendering without a system
Graphviz."""

from __future__ import annotations

import os
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import graphviz
import numpy as np
import pandas as pd
import pytest
from user_criteria import Misclassification

from treelearn import (
    C45Classifier,
    CARTClassifier,
    DecisionTreeClassifier,
    ID3Classifier,
    information,
)
from treelearn.datasets import (
    load_credit_g,
    load_iris,
    load_labor,
    load_play_tennis,
    load_weather_numeric,
)
from treelearn.export import (
    RendererNotFoundError,
    TreeSource,
    _render,
    export_graphviz,
    render,
    render_dot,
    to_graphviz,
    which_renderer,
)

SNAPSHOTS = Path(__file__).resolve().parent / "fixtures" / "export"
UPDATE = os.environ.get("TREELEARN_UPDATE_SNAPSHOTS") == "1"
HAS_DOT = shutil.which("dot") is not None
SVG_NS = "{http://www.w3.org/2000/svg}"


def _xy(loader):
    return loader(as_frame=True, return_X_y=True)


def _fit(est, loader):
    X, y = _xy(loader)
    return est.fit(X, y)


PRESET_TREES = {
    "id3_play_tennis": lambda: _fit(ID3Classifier(), load_play_tennis),
    "c45_weather_numeric": lambda: _fit(C45Classifier(), load_weather_numeric),
    "cart_iris_depth2": lambda: _fit(CARTClassifier(max_depth=2), load_iris),
    "cart_labor_depth3": lambda: _fit(
        CARTClassifier(max_depth=3, missing_values="fractional"), load_labor
    ),
    "custom_play_tennis": lambda: _fit(
        DecisionTreeClassifier(criterion=Misclassification(), max_depth=2), load_play_tennis
    ),
}


def svg_node_count(svg: str) -> int:
    root = ET.fromstring(svg)
    return sum(1 for g in root.iter(f"{SVG_NS}g") if g.get("class") == "node")


def svg_texts(svg: str) -> list[str]:
    root = ET.fromstring(svg)
    return ["".join(t.itertext()) for t in root.iter(f"{SVG_NS}text")]


@pytest.fixture
def pure(monkeypatch):
    """Force graphviz-pure, as on a machine without a system Graphviz."""
    monkeypatch.setenv(_render.RENDERER_ENV, "graphviz-pure")


# ----------------------------------------------------------------------------- snapshots
@pytest.mark.parametrize("name", sorted(PRESET_TREES))
def test_dot_snapshot(name):
    dot = export_graphviz(PRESET_TREES[name]())
    path = SNAPSHOTS / f"{name}.dot"
    if UPDATE or not path.exists():
        if not UPDATE:
            pytest.fail(f"no snapshot {path.name}; run with TREELEARN_UPDATE_SNAPSHOTS=1")
        path.write_text(dot, encoding="utf-8")
    assert dot == path.read_text(encoding="utf-8")


def test_snapshot_content_reads_as_intended():
    dot = export_graphviz(PRESET_TREES["id3_play_tennis"]())
    assert "<b>outlook</b><br/>entropy = 0.940 bits<br/>gain = 0.247<br/>samples = 14" in dot
    assert "0 -> 1 [label=<sunny>]" in dot
    c45 = export_graphviz(PRESET_TREES["c45_weather_numeric"]())
    assert "gain ratio = " in c45 and "<br/>gain = " in c45
    cart = export_graphviz(PRESET_TREES["cart_iris_depth2"]())
    assert "<b>petallength &lt;= 2.45</b><br/>gini = 0.667<br/>Δgini = 0.333" in cart
    assert "[label=<True>]" in cart and "[label=<False>]" in cart
    # CART's surrogate splits, one line each, as tests toward the first branch
    assert "<i>if missing: petalwidth &lt;= 0.8 (1.000)</i>" in cart
    assert "<i>or sepallength &lt;= 5.45 (0.920)</i>" in cart
    labor = export_graphviz(PRESET_TREES["cart_labor_depth3"]())
    assert "missing → all branches, weighted" in labor
    assert re.search(r"label=<\{[a-z]+, [a-z]+\}>", labor)  # a subset split edge


def test_custom_criterion_shows_its_own_name():
    dot = export_graphviz(PRESET_TREES["custom_play_tennis"]())
    assert "misclassification = 0.357" in dot
    assert "Δmisclassification = " in dot
    assert "impurity" not in dot


# ----------------------------------------------------------------------------- node counts
RENDER_TREES = {
    **PRESET_TREES,
    "c45_credit_g": lambda: _fit(C45Classifier(), load_credit_g),
    "id3_credit_g": lambda: _fit(ID3Classifier(max_depth=4), load_credit_g),
}


@pytest.mark.parametrize("name", sorted(RENDER_TREES))
def test_svg_has_node_count_nodes_graphviz_pure(name):
    est = RENDER_TREES[name]()
    svg = render_dot(export_graphviz(est), "svg", renderer="graphviz-pure").decode("utf-8")
    assert svg_node_count(svg) == est.tree_.node_count


@pytest.mark.skipif(not HAS_DOT, reason="no system Graphviz dot")
@pytest.mark.parametrize("name", sorted(RENDER_TREES))
def test_svg_has_node_count_nodes_system_dot(name):
    est = RENDER_TREES[name]()
    svg = render_dot(export_graphviz(est), "svg", renderer="dot").decode("utf-8")
    assert svg_node_count(svg) == est.tree_.node_count


# ----------------------------------------------------------------------------- criterion values
_LINE = re.compile(r"^(?P<label>[^=<>]+?) = (?P<value>-?\d+\.\d+)(?: bits)?$")


def label_numbers(dot: str) -> dict[int, dict[str, float]]:
    """Node id -> {line label: number} of every ``label = number`` line."""
    out: dict[int, dict[str, float]] = {}
    for m in re.finditer(r"^(\d+) \[label=<(.*)>, fillcolor", dot, flags=re.M):
        values = {}
        for line in m.group(2).split("<br/>"):
            hit = _LINE.match(re.sub(r"</?[bi]>", "", line))
            if hit:
                values[hit["label"]] = float(hit["value"])
        out[int(m.group(1))] = values
    return out


def children_table(tree, i):
    return tree.value[list(tree.children(i))]


CHECKED = {
    # trees without missing values (the score of a split with missing values is
    # computed on the known cases only) and, for C4.5, without numeric splits (J48
    # subtracts an MDL term from a numeric split's gain)
    "id3_play_tennis": lambda: _fit(ID3Classifier(), load_play_tennis),
    "id3_weather_numeric": lambda: _fit(ID3Classifier(), load_weather_numeric),
    "id3_iris": lambda: _fit(ID3Classifier(), load_iris),
    "id3_credit_g": lambda: _fit(ID3Classifier(max_depth=5), load_credit_g),
    "c45_play_tennis": lambda: _fit(C45Classifier(), load_play_tennis),
    "cart_iris": lambda: _fit(CARTClassifier(), load_iris),
    "cart_credit_g": lambda: _fit(CARTClassifier(max_depth=6), load_credit_g),
    "gini_multiway_credit_g": lambda: _fit(
        DecisionTreeClassifier(criterion="gini", max_depth=4), load_credit_g
    ),
}


@pytest.mark.parametrize("precision", [3, 9])
@pytest.mark.parametrize("name", sorted(CHECKED))
def test_printed_values_equal_recomputed_criterion(name, precision):
    est = CHECKED[name]()
    tree = est.tree_
    numbers = label_numbers(export_graphviz(est, precision=precision))
    assert set(numbers) == set(range(tree.node_count))
    tol = 0.5 * 10.0**-precision + 1e-12
    entropy_tree = est.criterion_.impurity_label == "entropy"
    for i in range(tree.node_count):
        counts = tree.value[i]
        shown = numbers[i]
        if entropy_tree:
            assert shown["entropy"] == pytest.approx(information.entropy(counts, base=2), abs=tol)
        else:
            assert shown["gini"] == pytest.approx(information.gini_impurity(counts), abs=tol)
        if tree.n_children[i] == 0:
            assert not {"gain", "gain ratio", "Δgini"} & set(shown)
            continue
        table = children_table(tree, i)
        if entropy_tree:
            gain = information.information_gain_from_counts(table, base=2)
            if est.criterion_.name == "gain_ratio":
                ratio = information.gain_ratio_from_counts(table, base=2)
                assert shown["gain ratio"] == pytest.approx(ratio, abs=tol)
            assert shown["gain"] == pytest.approx(gain, abs=tol)
        else:
            w = table.sum(axis=1)
            decrease = information.gini_impurity(counts) - np.dot(
                w / w.sum(), information.gini_impurity(table)
            )
            assert shown["Δgini"] == pytest.approx(decrease, abs=tol)


def test_every_label_has_samples_counts_and_class():
    est = _fit(C45Classifier(), load_labor)
    dot = export_graphviz(est)
    tree = est.tree_
    for m in re.finditer(r"^(\d+) \[label=<(.*)>, fillcolor", dot, flags=re.M):
        i, label = int(m.group(1)), m.group(2)
        assert "samples = " in label
        assert "class = " in label
        if tree.weighted_n_node_samples[i] > 1e-6:
            assert "counts = [" in label


def test_fractional_weights_shown_with_two_decimals():
    dot = export_graphviz(
        _fit(CARTClassifier(max_depth=2, missing_values="fractional"), load_labor)
    )
    assert "samples = 15.27" in dot
    assert "counts = [13, 2.27]" in dot


# ----------------------------------------------------------------------------- missing routing
def test_missing_routing_shown_only_where_used():
    labor = _fit(ID3Classifier(), load_labor)
    iris = _fit(ID3Classifier(), load_iris)
    assert "missing → all branches" not in export_graphviz(iris)
    dot = export_graphviz(labor)
    tree = labor.tree_
    for m in re.finditer(r"^(\d+) \[label=<(.*)>, fillcolor", dot, flags=re.M):
        i = int(m.group(1))
        kids = list(tree.children(i))
        used = bool(kids) and tree.n_node_samples[kids].sum() > tree.n_node_samples[i]
        assert ("missing → all branches" in m.group(2)) == used


def test_unseen_categories_are_named():
    est = _fit(ID3Classifier(max_depth=3), load_credit_g)
    tree = est.tree_
    dot = export_graphviz(est)
    found = 0
    for i in range(tree.node_count):
        if tree.split_kind[i] != 2:
            continue
        table = tree.category_branch[tree.category_ptr[i] : tree.category_ptr[i + 1]]
        line = re.search(rf"^{i} \[label=<(.*)>, fill", dot, flags=re.M).group(1)
        if (table == -1).any():
            found += 1
            assert "not seen here: " in line and "→ all branches" in line
    assert found > 0


# ----------------------------------------------------------------------------- escaping
HOSTILE = [
    'say "hi"',
    "<b>bold</b>",
    "&amp; co",
    "back\\slash\\",
    "{braces}",
    "two\nlines",
    "中文名字",
    "tab\there > x",
]


def hostile_estimator():
    rng = np.random.default_rng(0)
    n = 200
    cats = ['"q"', "<i>", "&lt;", "a\\b", "{x}", "中", "new\nline"]
    X = pd.DataFrame(
        {
            HOSTILE[0]: rng.normal(size=n),
            HOSTILE[1]: pd.Categorical(rng.choice(cats, size=n)),
            HOSTILE[2]: rng.normal(size=n),
            HOSTILE[3]: pd.Categorical(rng.choice(cats[:3], size=n)),
            HOSTILE[4]: rng.integers(0, 5, size=n).astype(float),
            HOSTILE[5]: rng.normal(size=n),
            HOSTILE[6]: pd.Categorical(rng.choice(cats[4:], size=n)),
            HOSTILE[7]: rng.normal(size=n),
        }
    )
    y = np.where(rng.random(n) < 0.5, '<class "A">', "B & 北京")
    return X, y


RENDERERS = [
    "graphviz-pure",
    pytest.param("dot", marks=pytest.mark.skipif(not HAS_DOT, reason="no system Graphviz dot")),
]


@pytest.mark.parametrize("renderer", RENDERERS)
@pytest.mark.parametrize("cls", [ID3Classifier, C45Classifier, CARTClassifier])
def test_hostile_names_render_without_syntax_error(cls, renderer):
    X, y = hostile_estimator()
    est = cls(max_depth=4).fit(X, y)
    dot = export_graphviz(est)
    prog = which_renderer(renderer)
    # the renderer reports no error or warning about the DOT text
    import subprocess

    proc = subprocess.run(
        [prog.path, "-Tsvg"], input=dot.encode(), capture_output=True, check=False
    )
    assert proc.returncode == 0, proc.stderr.decode()
    assert b"syntax" not in proc.stderr.lower()
    svg = proc.stdout.decode("utf-8")
    assert svg_node_count(svg) == est.tree_.node_count
    texts = "\n".join(svg_texts(svg))
    used = {X.columns[f] for f in est.tree_.feature if f >= 0}
    for name in used:
        for part in name.replace("\t", " ").split("\n"):
            assert part in texts, part
    assert '<class "A">' in texts or "B & 北京" in texts


def test_escaping_of_labels():
    X, y = hostile_estimator()
    est = CARTClassifier(max_depth=3).fit(X, y)
    dot = export_graphviz(est, feature_names=[f'f{j} <&">\\{{}}\n中' for j in range(8)])
    assert "f0 &lt;&amp;&quot;&gt;\\{}<br/>中" in dot or "f1 &lt;&amp;" in dot
    # nothing but our own markup inside labels
    for label in re.findall(r"label=<(.*?)>[,\]]", dot):
        stripped = re.sub(r"</?(b|i|br/|font[^>]*)>", "", label)
        assert "<" not in stripped and ">" not in stripped


def test_control_characters_are_shown_not_passed_through(pure):
    X, y = _xy(load_iris)
    est = CARTClassifier(max_depth=1).fit(X, y)
    names = ["a\x00b", "c\x1bd", "e\rf", "g\u0085h"]
    dot = export_graphviz(est, feature_names=names)
    assert "\x00" not in dot and "\x1b" not in dot
    svg = render_dot(dot, "svg").decode()
    assert svg_node_count(svg) == est.tree_.node_count


# ----------------------------------------------------------------------------- options
def test_max_depth_truncates_with_placeholder():
    est = _fit(CARTClassifier(), load_iris)
    dot = export_graphviz(est, max_depth=1)
    drawn = {int(i) for i in re.findall(r"^(\d+) \[", dot, flags=re.M)}
    assert drawn == {i for i in range(est.tree_.node_count) if est.tree_.depth[i] <= 1}
    assert 'label="…"' in dot


def test_filled_false_and_show():
    est = _fit(ID3Classifier(), load_play_tennis)
    plain = export_graphviz(est, filled=False)
    assert "fillcolor" not in plain
    slim = export_graphviz(est, show=("impurity",))
    assert "samples" not in slim and "entropy = " in slim and "gain" not in slim
    ids = export_graphviz(est, show="all")
    assert "node #0" in ids
    with pytest.raises(ValueError, match="unknown entries"):
        export_graphviz(est, show=("impurity", "colour"))
    with pytest.raises(ValueError, match="feature_names"):
        export_graphviz(est, feature_names=["a"])
    with pytest.raises(ValueError, match="class_names"):
        export_graphviz(est, class_names=["a", "b", "c"])


def test_class_names_and_out_file(tmp_path):
    est = _fit(ID3Classifier(), load_play_tennis)
    dot = export_graphviz(est, class_names={"yes": "play", "no": "stay in"})
    assert "class = play" in dot and "class = stay in" in dot
    path = tmp_path / "t.dot"
    assert export_graphviz(est, path) is None
    assert path.read_text(encoding="utf-8") == export_graphviz(est)


def test_unfitted_estimator_raises():
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        export_graphviz(ID3Classifier())


def test_rotate():
    est = _fit(ID3Classifier(), load_play_tennis)
    assert "rankdir=LR" in export_graphviz(est, rotate=True)


# ----------------------------------------------------------------------------- rendering
def test_to_graphviz_is_a_source_that_renders_without_dot(tmp_path, pure):
    est = _fit(CARTClassifier(max_depth=2), load_iris)
    src = to_graphviz(est)
    assert isinstance(src, graphviz.Source) and isinstance(src, TreeSource)
    svg = src.pipe(format="svg", encoding="utf-8")
    assert svg_node_count(svg) == est.tree_.node_count
    assert src.pipe(format="png")[:8] == b"\x89PNG\r\n\x1a\n"
    bundle = src._repr_mimebundle_()
    assert "image/svg+xml" in bundle
    out = src.render(outfile=tmp_path / "tree.png")
    assert Path(out).read_bytes()[:4] == b"\x89PNG"
    out = src.render(filename="tree2", directory=tmp_path, format="svg")
    assert out.endswith("tree2.svg") and Path(out).exists()
    out = src.render(outfile=tmp_path / "tree.pdf")
    assert Path(out).read_bytes()[:5] == b"%PDF-"
    copy = src.copy()
    assert isinstance(copy, TreeSource) and copy.program == src.program


@pytest.mark.parametrize(
    "fmt,magic", [("svg", b"<?xml"), ("png", b"\x89PNG"), ("pdf", b"%PDF-"), ("dot", b"digraph")]
)
def test_render_formats_without_system_dot(tmp_path, pure, fmt, magic):
    est = _fit(C45Classifier(), load_weather_numeric)
    path = render(est, tmp_path / f"tree.{fmt}")
    assert path.read_bytes().startswith(magic)


def test_render_png_dpi(tmp_path, pure):
    est = _fit(ID3Classifier(), load_play_tennis)
    small = render(est, tmp_path / "a.png")
    big = render(est, tmp_path / "b.png", dpi=192)
    assert big.stat().st_size > small.stat().st_size


@pytest.mark.skipif(not HAS_DOT, reason="no system Graphviz dot")
def test_render_with_system_dot(tmp_path):
    est = _fit(C45Classifier(), load_weather_numeric)
    assert which_renderer().name == "dot"
    for fmt, magic in [("svg", b"<?xml"), ("png", b"\x89PNG"), ("pdf", b"%PDF-")]:
        path = render(est, tmp_path / f"tree.{fmt}", renderer="dot")
        assert path.read_bytes().startswith(magic)


def test_which_renderer_choice(monkeypatch):
    monkeypatch.setenv(_render.RENDERER_ENV, "graphviz-pure")
    assert which_renderer().name == "graphviz-pure"
    monkeypatch.setenv(_render.RENDERER_ENV, "cairo")
    with pytest.raises(ValueError, match="TREELEARN_RENDERER"):
        which_renderer()
    monkeypatch.delenv(_render.RENDERER_ENV)
    expected = "dot" if HAS_DOT else "graphviz-pure"
    assert which_renderer().name == expected


def test_no_renderer_at_all(monkeypatch):
    monkeypatch.delenv(_render.RENDERER_ENV, raising=False)
    monkeypatch.setattr(_render.shutil, "which", lambda name: None)
    monkeypatch.setattr(_render, "_find_graphviz_pure", lambda: None)
    with pytest.raises(RendererNotFoundError, match="graphviz-pure"):
        which_renderer()
    with pytest.raises(RendererNotFoundError, match="renderer='dot'"):
        which_renderer("dot")
    assert isinstance(RendererNotFoundError("x"), graphviz.ExecutableNotFound)


def test_graphviz_pure_found_off_path(monkeypatch):
    """A venv used without activation has graphviz-pure beside python, not on PATH."""
    real = _render._find_graphviz_pure()
    monkeypatch.setattr(_render.shutil, "which", lambda name: None)
    assert _render._find_graphviz_pure() == real or Path(_render._find_graphviz_pure()).exists()


def test_renderer_failure_is_reported(pure):
    with pytest.raises(graphviz.CalledProcessError):
        render_dot("digraph { a -> }", "svg")


# ------------------------------------------------- drawing options (issue 14)
def test_hide_empty_leaves_out_empty_nodes_and_their_edges():
    est = _fit(C45Classifier(), load_credit_g)
    empty = set(np.flatnonzero(est.tree_.is_empty))
    assert empty  # credit-g's multiway splits have branches no case reaches
    full = export_graphviz(est)
    hidden = export_graphviz(est, hide_empty=True)
    drawn = {int(i) for i in re.findall(r"^(\d+) \[", hidden, flags=re.M)}
    assert drawn == set(range(est.tree_.node_count)) - empty
    assert "empty: predicts like its parent" in full and "empty:" not in hidden
    targets = {int(i) for i in re.findall(r"-> (\d+) \[", hidden)}
    assert not targets & empty


def test_orientation_and_named_counts():
    est = _fit(C45Classifier(), load_credit_g)
    assert "rankdir=LR" in export_graphviz(est, orientation="LR")
    assert "rankdir=LR" not in export_graphviz(est, orientation="TB", rotate=True)
    with pytest.raises(ValueError, match="orientation must be 'TB' or 'LR'"):
        export_graphviz(est, orientation="BT")
    root = export_graphviz(est, named_counts=True).split("\n")[5]
    counts = est.tree_.value[0] if est.tree_.value.ndim == 2 else est.tree_.value[0, 0]
    assert f"counts = [good: {counts[0]:g}, bad: {counts[1]:g}]" in root  # declared order
    plain = export_graphviz(est).split("\n")[5]
    assert f"counts = [{counts[0]:g}, {counts[1]:g}]" in plain


def test_absurd_precision_is_refused():
    est = _fit(ID3Classifier(), load_play_tennis)
    for bad in (-1, 18, 10**9, True, 2.0):
        with pytest.raises(ValueError, match="precision must be an integer from 0 to 17"):
            export_graphviz(est, precision=bad)
    assert "entropy = 0.94029" in export_graphviz(est, precision=5)


def test_render_refuses_unknown_formats_before_drawing(tmp_path):
    est = _fit(ID3Classifier(), load_play_tennis)
    with pytest.raises(ValueError, match=r"cannot draw a tree as 'exe'; formats: svg, png"):
        render(est, tmp_path / "x.exe")
    with pytest.raises(ValueError, match=r"cannot draw a tree as 'bmp'"):
        render(est, tmp_path / "x.svg", format="bmp")
    with pytest.raises(ValueError, match=r"cannot tell the format of .*\.svg, \.png"):
        render(est, tmp_path / "x")
    assert not list(tmp_path.iterdir())


def test_a_tree_too_big_to_lay_out_asks_for_max_depth(tmp_path, monkeypatch):
    """Issue 18's 20,000-node chain keeps dot busy for hours (6,425 nodes take 82 s
    with graphviz-pure here): a chain past the limit is refused at once, with the way
    out; its top levels draw."""
    from treelearn.export import _draw

    n = 2_001  # one feature, the class flips at every row: a chain of 4,001 nodes
    X = np.arange(n, dtype=float).reshape(-1, 1)
    y = np.arange(n) % 2
    w = 2.0 ** -np.arange(n)  # each split peels one row off (the heavy side)
    est = DecisionTreeClassifier(criterion="gini").fit(X, y, sample_weight=w + 1e-300)
    assert est.tree_.node_count > _draw.MAX_LAYOUT_NODES
    with pytest.raises(ValueError, match=r"would have \d+ nodes.*max_depth="):
        render(est, tmp_path / "chain.svg")
    assert not (tmp_path / "chain.svg").exists()
    render(est, tmp_path / "top.svg", max_depth=4)
    assert (tmp_path / "top.svg").read_bytes().lstrip().startswith((b"<?xml", b"<svg"))
