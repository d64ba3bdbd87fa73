"""The interactive explorer (export_html, show) and explain_path.

Pure-Python checks: the page embeds the estimator's own arrays, unrounded; it is
self-contained; every route it embeds, and every explain_path table, reaches
exactly the nodes of ``decision_path`` with weights that sum to the row and
reproduce ``predict_proba``, on every bundled data set (missing values and
unseen categories included).

Browser checks (headless Chromium from Debian, driven with selenium; skipped
when either is missing): the page loads offline with no console errors,
collapsing a node hides its subtree, clicking a node shows its criterion value
equal to ``treelearn.information`` recomputed from its counts, a chosen row's
route highlights exactly the nodes of ``decision_path``, and search highlights
the nodes that split on the feature.
"""

from __future__ import annotations

import html
import json
import math
import re
import shutil

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import treelearn
from treelearn import (
    C45Classifier,
    CARTClassifier,
    DecisionTreeClassifier,
    ID3Classifier,
    information,
    load_json,
)
from treelearn.datasets import load_dataset
from treelearn.export import Explorer, explain_path, export_html, render, show
from treelearn.export._describe import describe
from treelearn.export._html import explorer_data
from treelearn.export._path import route_weights

DATA_RE = re.compile(r'<script type="application/json" id="tl-data">(.*?)</script>', re.S)


def page_data(page: str) -> dict:
    """The JSON document a page embeds."""
    match = DATA_RE.search(page)
    assert match is not None
    return json.loads(match.group(1))


def _xy(name: str):
    bunch = load_dataset(name, as_frame=True)
    return bunch.data, bunch.target


@pytest.fixture(scope="module")
def credit_c45():
    X, y = _xy("credit_g")
    return C45Classifier().fit(X, y), X, y


@pytest.fixture(scope="module")
def labor_c45():
    X, y = _xy("labor")
    return C45Classifier().fit(X, y), X, y


@pytest.fixture(scope="module")
def iris_cart():
    X, y = _xy("iris")
    return CARTClassifier(max_depth=4).fit(X, y), X, y


def _nulls(a: np.ndarray) -> list:
    return [None if not math.isfinite(v) else v for v in a.tolist()]


# ----------------------------------------------------------------------------- page data
@pytest.mark.parametrize(
    "make",
    [
        lambda: (C45Classifier(), "credit_g"),
        lambda: (C45Classifier(), "labor"),
        lambda: (ID3Classifier(), "play_tennis"),
        lambda: (CARTClassifier(max_depth=5), "diabetes"),
        lambda: (DecisionTreeClassifier(criterion="hellinger", max_depth=4), "vote"),
        lambda: (DecisionTreeClassifier(criterion="chi_square", max_depth=4), "glass"),
    ],
)
def test_page_embeds_the_tree_arrays(make):
    est, name = make()
    X, y = _xy(name)
    est.fit(X, y)
    data = page_data(export_html(est, X=X.iloc[:20]))
    tree, nodes = est.tree_, data["nodes"]
    assert data["node_count"] == tree.node_count
    for field in (
        "parent",
        "first_child",
        "n_children",
        "depth",
        "feature",
        "split_kind",
        "n_node_samples",
    ):
        assert nodes[field] == getattr(tree, field).tolist(), field
    for field in ("threshold", "impurity", "split_score", "gain", "missing_fraction"):
        assert nodes[field] == _nulls(getattr(tree, field)), field  # exact, not rounded
    assert nodes["value"] == tree.value.tolist()
    assert nodes["weight"] == tree.weighted_n_node_samples.tolist()
    assert nodes["is_empty"] == tree.is_empty.tolist()
    assert nodes["leaf_class"] == tree.leaf_class.tolist()
    desc = describe(est)
    assert data["impurity_label"] == desc.impurity_label == est.criterion_.impurity_label
    assert data["score_label"] == desc.score_label
    assert data["unit"] == desc.unit
    assert data["class_names"] == [str(c) for c in est.classes_]
    assert data["feature_names"] == list(X.columns)
    # no competitors are invented (max_competitors=0); surrogates only where the tree has them
    assert data["competitors"] is None
    if tree.surrogates is None:
        assert data["surrogates"] is None
    else:
        assert [len(s) for s in data["surrogates"]] == tree.surrogates.count.tolist()


def test_criterion_labels_are_the_criterions_own():
    X, y = _xy("vote")
    for name in ("hellinger", "chi_square", "gini", "entropy"):
        est = DecisionTreeClassifier(criterion=name, max_depth=2).fit(X, y)
        data = explorer_data(est)
        crit = est.criterion_
        assert data["impurity_label"] == crit.impurity_label
        assert data["unit"] == (crit.unit or "")
    assert (
        explorer_data(DecisionTreeClassifier(criterion="chi_square").fit(X, y))["score_label"]
        == DecisionTreeClassifier(criterion="chi_square").fit(X, y).criterion_.score_label
    )


def test_node_texts_agree_with_graphviz(credit_c45):
    est, _, _ = credit_c45
    data = explorer_data(est)
    dot = treelearn.export_graphviz(est)
    # every numeric test the page prints is the one the DOT labels print
    for v in np.flatnonzero(est.tree_.split_kind == 1)[:10]:
        assert html.escape(data["nodes"]["test"][v], quote=False) in dot
    for v in np.flatnonzero(est.tree_.n_children == 0)[:10]:
        assert data["nodes"]["test"][v] == f"class = {est.classes_[est.tree_.leaf_class[v]]}"


def test_page_is_self_contained(labor_c45):
    est, X, _ = labor_c45
    page = export_html(est, X=X)
    lower = page.lower()
    for needle in ("http://", "https://", "src=", "<link", "@import", "url(", "//cdn"):
        assert needle not in lower, needle
    assert page.count("<script") == 2  # the data and the inlined explorer
    assert "function draw()" in page  # the script itself, not a reference to it


def test_names_cannot_break_out_of_the_page():
    X = pd.DataFrame({"a</script><b>": [0.0, 1.0, 2.0, 3.0]})
    y = np.array(["<!--x", "<!--x", "y&z", "y&z"])
    est = CARTClassifier().fit(X, y)
    page = export_html(est, X=X, title="</title><b>")
    assert page.count("</script>") == 2
    assert "</title><b>" not in page
    data = page_data(page)
    assert data["feature_names"] == ["a</script><b>"]
    assert data["class_names"] == ["<!--x", "y&z"]


def test_open_depth(credit_c45):
    est, _, _ = credit_c45
    assert explorer_data(est, open_depth=2)["open_depth"] == 2
    assert 1 <= explorer_data(est)["open_depth"] <= 4
    with pytest.raises(ValueError, match="open_depth"):
        export_html(est, open_depth=-1)


def test_bad_rows_are_refused(credit_c45):
    est, X, _ = credit_c45
    with pytest.raises(ValueError, match=r"[Ff]eature"):
        export_html(est, X=X.iloc[:, :3])
    with pytest.raises(ValueError, match="row_labels"):
        export_html(est, X=X.iloc[:3], row_labels=["a"])


def test_inputs_are_not_modified(labor_c45):
    est, X, _ = labor_c45
    before = X.copy()
    export_html(est, X=X)
    explain_path(est, X.iloc[[3]])
    pd.testing.assert_frame_equal(X, before)


# ----------------------------------------------------------------------------- routes
def _check_routes(est, X) -> None:
    """Embedded routes = decision_path, weights sum to the row, reproduce predict_proba."""
    data = explorer_data(est, X=X)
    path = est.decision_path(X).tocsr()
    proba = est.predict_proba(X)
    tree = est.tree_
    leaf = tree.n_children == 0
    for i, (nodes, weights) in enumerate(data["rows"]["route"]):
        assert nodes == sorted(path[i].indices.tolist())
        nodes_a, w = np.array(nodes), np.array(weights)
        assert w[nodes_a == 0][0] == pytest.approx(1.0)
        at_leaf = leaf[nodes_a]
        assert w[at_leaf].sum() == pytest.approx(1.0)
        mix = (tree.node_proba[nodes_a[at_leaf]] * w[at_leaf, None]).sum(axis=0)
        np.testing.assert_allclose(mix, proba[i], rtol=1e-9, atol=1e-12)
    assert data["rows"]["prediction"] == [
        est.classes_.tolist().index(p) for p in est.predict(X).tolist()
    ]


@pytest.mark.parametrize("name", treelearn.list_datasets())
def test_routes_and_explain_path_agree_with_decision_path(name):
    X, y = _xy(name)
    est = C45Classifier().fit(X, y)  # fractional missing values: rows split over branches
    _check_routes(est, X)
    missing = np.flatnonzero(X.isna().any(axis=1).to_numpy())
    rows = list(missing[:15]) + list(range(min(10, len(X))))
    for i in rows:
        _check_explain_path(est, X.iloc[[i]])


def _check_explain_path(est, row: pd.DataFrame) -> pd.DataFrame:
    df = explain_path(est, row)
    path = est.decision_path(row)
    assert sorted(set(df["node"])) == sorted(path.indices.tolist())
    tree = est.tree_
    leaves = df[df["test"] == "leaf"]
    assert leaves["weight"].sum() == pytest.approx(1.0)
    mix = (tree.node_proba[leaves["node"].to_numpy()] * leaves["weight"].to_numpy()[:, None]).sum(0)
    np.testing.assert_allclose(mix, est.predict_proba(row)[0], rtol=1e-9, atol=1e-12)
    # a node's branch rows carry the weight that arrives there, split over its branches
    arriving = {0: 1.0}
    arriving.update(zip(df["child"], df["weight"], strict=True))
    steps = df[df["test"] != "leaf"]
    for node, group in steps.groupby("node"):
        assert group["weight"].sum() == pytest.approx(arriving[node])
        np.testing.assert_array_equal(group["impurity"], tree.impurity[node])
        np.testing.assert_array_equal(group["score"], tree.split_score[node])
        if len(group) > 1:  # a missing value (or unseen category) took every branch
            # missing, or a category the node did not see in training
            assert group["value"].isna().all() or tree.split_kind[node] == 2
    np.testing.assert_array_equal(leaves["impurity"], tree.impurity[leaves["node"]])
    assert df.attrs["prediction"] == est.predict(row)[0]
    return df


def test_explain_path_on_missing_values(labor_c45):
    est, X, _ = labor_c45
    tree = est.tree_
    rows, _, _ = route_weights(tree, est._encode(X))
    assert np.array_equal(np.unique(rows), np.arange(len(X)))
    # a row that is split at the root
    row = X.iloc[[int(np.flatnonzero(X[X.columns[tree.feature[0]]].isna())[0])]]
    df = _check_explain_path(est, row)
    root = df[df["node"] == 0]
    assert len(root) == tree.n_children[0]
    assert root["value"].isna().all()
    kids = np.array(tree.children(0))
    share = tree.missing_fraction[kids]
    np.testing.assert_allclose(root["weight"], share / share.sum())
    node0 = next(describe(est).nodes())
    assert list(root["branch"]) == [b.text(3) for b in node0.branches]
    assert df.attrs["impurity_label"] == "entropy" and df.attrs["score_label"] == "gain ratio"


def test_explain_path_unseen_category():
    X, y = _xy("play_tennis")
    est = C45Classifier(min_samples_leaf=1).fit(X, y)
    row = X.iloc[[0]].astype(object)
    row.iloc[0, 0] = "foggy"  # not seen in training: routed like a missing value
    df = _check_explain_path(est, row)
    root = df[df["node"] == 0]
    assert len(root) == 3 and (root["value"] == "foggy").all()


def test_explain_path_inputs(credit_c45):
    est, X, _ = credit_c45
    a = explain_path(est, X.iloc[5])
    b = explain_path(est, X.iloc[[5]])
    pd.testing.assert_frame_equal(a, b)
    Xn = np.arange(4.0)
    cart = CARTClassifier().fit(np.array([[0, 1, 2, 3], [3, 2, 1, 0.0]]), [0, 1])
    assert explain_path(cart, Xn)["node"].tolist()[0] == 0
    with pytest.raises(ValueError, match="one row"):
        explain_path(est, X.iloc[:2])
    with pytest.raises(ValueError, match="one row"):
        explain_path(cart, np.zeros((2, 4)))
    with pytest.raises(ValueError, match="features"):
        explain_path(cart, np.zeros(3))


@settings(max_examples=25, deadline=None)
@given(
    st.integers(0, 2**31 - 1),
    st.floats(0.0, 0.4),
    st.sampled_from(["c45", "cart", "hellinger"]),
)
def test_explain_path_property(seed, missing_rate, kind):
    rng = np.random.default_rng(seed)
    n = 60
    X = pd.DataFrame(
        {
            "a": rng.normal(size=n),
            "b": rng.integers(0, 4, size=n).astype(float),
            "c": pd.Categorical(rng.choice(["r", "g", "b"], size=n)),
        }
    )
    y = np.where(X["a"] + rng.normal(scale=0.5, size=n) > 0, "p", "q")
    for col in ("a", "b"):
        X.loc[rng.random(n) < missing_rate, col] = np.nan
    est = {
        "c45": C45Classifier(min_samples_leaf=1),
        "cart": CARTClassifier(),
        "hellinger": DecisionTreeClassifier(criterion="hellinger", max_depth=5),
    }[kind].fit(X, y)
    for i in rng.choice(n, size=5, replace=False):
        _check_explain_path(est, X.iloc[[int(i)]])
    _check_routes(est, X)


# ----------------------------------------------------------------------------- render, show
def test_render_html(tmp_path, iris_cart):
    est, X, _ = iris_cart
    out = render(est, tmp_path / "tree.html", X=X.iloc[:5])
    page = out.read_text(encoding="utf-8")
    assert page == export_html(est, X=X.iloc[:5])


def test_show_in_jupyter(iris_cart):
    est, X, _ = iris_cart
    view = show(est, X=X.iloc[:3], height=500)
    assert isinstance(view, Explorer)
    frame = view._repr_html_()
    assert frame.startswith("<iframe srcdoc=") and "height:500px" in frame
    srcdoc = re.search(r'srcdoc="(.*?)" style', frame, re.S).group(1)
    assert html.unescape(srcdoc) == view.html == export_html(est, X=X.iloc[:3])
    assert show(est).html == export_html(est)
    # scikit-learn's own display of the estimator, its parameter box, is left alone
    assert "sk-" in est._repr_html_() and "tl-data" not in est._repr_html_()


def test_assets_ship_in_the_package():
    from importlib import resources

    folder = resources.files("treelearn.export").joinpath("_explorer")
    assert {p.name for p in folder.iterdir()} >= {"explorer.js", "explorer.css", "explorer.html"}


# ----------------------------------------------------------------------------- browser
def _chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


def _start_browser():
    """Headless Chromium through selenium, network off; pytest.skip when either is missing."""
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed")
    from selenium.webdriver.chrome.service import Service

    binary, driver_path = _chromium(), shutil.which("chromedriver")
    if binary is None or driver_path is None:
        pytest.skip("chromium and chromium-driver are not installed (apt-get install chromium)")
    options = webdriver.ChromeOptions()
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"):
        options.add_argument(arg)
    options.add_argument("--window-size=1400,900")
    options.binary_location = binary
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    # no network at all: the page must not need one
    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd(
        "Network.emulateNetworkConditions",
        {"offline": True, "latency": 0, "downloadThroughput": 0, "uploadThroughput": 0},
    )
    return driver


@pytest.fixture(scope="module")
def browser():
    driver = _start_browser()
    yield driver
    driver.quit()


def test_browser_tests_skip_without_chromium(monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(pytest.skip.Exception, match="chromium"):
        _start_browser()


def _open(driver, tmp_path, page: str, name: str = "tree.html"):
    path = tmp_path / name
    path.write_text(page, encoding="utf-8")
    driver.get(path.as_uri())
    assert driver.execute_script(
        "return window.treelearnExplorer && window.treelearnExplorer.ready"
    )
    logs = driver.get_log("browser")
    assert [e for e in logs if e["level"] in ("SEVERE", "WARNING")] == []


def _click(driver, selector: str, v: int) -> None:
    """A real mouse click on a node's element, once the view is centred on the node."""
    driver.execute_script("window.treelearnExplorer.centre(arguments[0])", v)
    driver.find_element("css selector", selector).click()


def _visible(driver) -> list[int]:
    els = driver.find_elements("css selector", "g.node")
    return [int(e.get_attribute("data-id")) for e in els]


def _subtree(tree, v: int) -> set[int]:
    out, stack = set(), [v]
    while stack:
        u = stack.pop()
        out.add(u)
        stack.extend(tree.children(u))
    return out


def test_browser_loads_offline_and_collapses(browser, tmp_path, credit_c45):
    est, X, _ = credit_c45
    _open(browser, tmp_path, export_html(est, X=X.iloc[:20]))
    tree = est.tree_
    shown = set(_visible(browser))
    open_depth = explorer_data(est)["open_depth"]
    # the opening view: every node down to open_depth, nothing deeper
    assert shown == set(np.flatnonzero(tree.depth <= open_depth).tolist())
    v = int(next(c for c in tree.children(0) if tree.n_children[c] > 0))
    below = _subtree(tree, v) - {v}
    assert below & shown
    _click(browser, f'g.toggle[data-toggle="{v}"]', v)
    after = set(_visible(browser))
    assert v in after and not (below & after)
    assert after == shown - below
    _click(browser, f'g.toggle[data-toggle="{v}"]', v)
    assert set(_visible(browser)) == shown


@pytest.mark.parametrize(
    "fixture, measure",
    [("credit_c45", information.entropy), ("iris_cart", information.gini_impurity)],
)
def test_browser_click_shows_criterion_value(browser, tmp_path, request, fixture, measure):
    est, _, _ = request.getfixturevalue(fixture)
    _open(browser, tmp_path, export_html(est))
    tree = est.tree_
    for v in _visible(browser)[:6]:
        _click(browser, f'g.node[data-id="{v}"] rect', v)
        cell = browser.find_element("css selector", '#tl-detail [data-field="impurity"]')
        shown = float(cell.get_attribute("data-value"))
        assert shown == pytest.approx(float(measure(tree.value[v])), rel=1e-12, abs=1e-15)
        assert shown == tree.impurity[v]
        assert cell.text.startswith(f"{tree.impurity[v]:.3f}")
        counts = browser.find_elements(
            "css selector", '#tl-detail [data-field="counts"] td.num[data-value]'
        )
        assert [float(c.get_attribute("data-value")) for c in counts] == tree.value[v].tolist()
        label = browser.find_element("css selector", "#tl-detail").text
        assert est.criterion_.impurity_label in label


def test_browser_prediction_path_is_decision_path(browser, tmp_path, labor_c45):
    from selenium.webdriver.support.ui import Select

    est, X, _ = labor_c45
    _open(browser, tmp_path, export_html(est, X=X))
    path = est.decision_path(X).tocsr()
    rows = [*np.flatnonzero(X.isna().any(axis=1).to_numpy())[:6].tolist(), 0, 1, 2]
    split_seen = False
    for i in rows:
        Select(browser.find_element("id", "tl-row-list")).select_by_value(str(i))
        lit = {
            int(e.get_attribute("data-id"))
            for e in browser.find_elements("css selector", "g.node.onpath")
        }
        assert lit == set(path[i].indices.tolist())
        steps = browser.find_elements("css selector", '#tl-path [data-field="path"] tr')[1:]
        assert len(steps) == len(explain_path(est, X.iloc[[i]]))
        split_seen |= len(lit) > est.tree_.depth[sorted(lit)[-1]] + 1
    assert split_seen  # some row went down several branches
    browser.find_element("id", "tl-row-clear").click()
    assert browser.find_elements("css selector", "g.node.onpath") == []


def test_browser_search_highlights_feature(browser, tmp_path, credit_c45):
    from selenium.webdriver.common.keys import Keys

    est, _, _ = credit_c45
    _open(browser, tmp_path, export_html(est, open_depth=1))
    tree = est.tree_
    name = "purpose"
    f = list(est.feature_names_in_).index(name)
    expected = set(np.flatnonzero((tree.n_children > 0) & (tree.feature == f)).tolist())
    box = browser.find_element("id", "tl-search")
    box.send_keys(name)
    assert browser.find_element("id", "tl-search-count").text.startswith(f"{len(expected)} nodes")

    def lit():
        els = browser.find_elements("css selector", "g.node.match")
        return {int(e.get_attribute("data-id")) for e in els}

    assert lit() == expected & set(_visible(browser))  # those in view are outlined
    for _ in expected:  # Enter: to the next match, expanding what hides it
        box.send_keys(Keys.ENTER)
    assert lit() == expected


def test_browser_shows_competitors(browser, tmp_path):
    """A node's panel lists its competing splits (max_competitors), best first, with
    their score, beside its surrogates; a tree without them shows no such table."""
    X, y = _xy("credit_g")
    est = CARTClassifier(max_depth=3, max_competitors=4).fit(X, y)
    tree, comp = est.tree_, est.tree_.competitors
    data = explorer_data(est)
    assert [len(c) for c in data["competitors"]] == comp.count.tolist()
    _open(browser, tmp_path, export_html(est))
    for v in [int(u) for u in _visible(browser) if tree.n_children[u] > 0][:3]:
        _click(browser, f'g.node[data-id="{v}"] rect', v)
        rows = browser.find_elements("css selector", '#tl-detail [data-field="competitors"] tr')
        assert len(rows) == comp.count[v] == 4
        listed = range(comp.ptr[v], comp.ptr[v + 1])
        for row, entry, c in zip(rows, data["competitors"][v], listed, strict=True):
            assert row.text.startswith(entry["test"])
            assert entry["test"].startswith(est.feature_names_in_[comp.feature[c]])
            assert f"{comp.score[c]:.3f}" in row.text
        panel = browser.find_element("css selector", "#tl-detail").text
        assert "competing splits" in panel and f"{tree.split_score[v]:.3f}" in panel
        assert browser.find_elements("css selector", '#tl-detail [data-field="surrogates"]')
    plain = CARTClassifier(max_depth=3).fit(X, y)
    _open(browser, tmp_path, export_html(plain), "plain.html")
    _click(browser, 'g.node[data-id="0"] rect', 0)
    assert not browser.find_elements("css selector", '#tl-detail [data-field="competitors"]')
    # without rows there is no row picker to show (it stayed visible, doing nothing)
    assert not browser.find_element("id", "tl-row-box").is_displayed()


def test_browser_cli_page_explains_a_bad_applicant_in_three_clicks(browser, tmp_path):
    """Issue 15's "done when": ``treelearn show model.json --format html --data ...``
    on credit-g (C4.5) opens offline; choosing the applicant (open the row list, pick
    the row: two clicks) lists every test on its route with its value, and clicking
    the leaf (the third) shows the leaf's class counts."""
    from selenium.webdriver.support.ui import Select

    from treelearn.cli import main

    model, page = tmp_path / "model.json", tmp_path / "tree.html"
    assert main(["fit", "credit_g", "-c", "c4.5", "-o", str(model)]) == 0
    args = ["show", str(model), "--format", "html", "--data", "credit_g", "-o", str(page)]
    assert main(args) == 0
    est = load_json(model.read_text(encoding="utf-8"))
    X, _ = _xy("credit_g")
    row = int(np.flatnonzero(est.predict(X) == "bad")[0])
    browser.get(page.as_uri())
    assert browser.execute_script("return window.treelearnExplorer.ready")
    assert [e for e in browser.get_log("browser") if e["level"] in ("SEVERE", "WARNING")] == []
    picker = browser.find_element("id", "tl-row-list")
    picker.click()
    Select(picker).select_by_value(str(row))
    steps = explain_path(est, X.iloc[row])
    text = browser.find_element("id", "tl-path").text
    assert text.startswith(f"row {row}: bad")
    for _, step in steps.iloc[:-1].iterrows():
        assert f"{step['node']} {step['test']} {step['value']}" in text
    leaf = int(steps["node"].iloc[-1])
    _click(browser, f'g.node[data-id="{leaf}"] rect', leaf)
    counts = browser.find_elements(
        "css selector", '#tl-detail [data-field="counts"] td.num[data-value]'
    )
    assert [float(c.get_attribute("data-value")) for c in counts] == est.tree_.value[leaf].tolist()


def test_browser_jupyter_frame_runs_the_page(browser, tmp_path, iris_cart):
    est, X, _ = iris_cart
    frame = show(est, X=X.iloc[:5])._repr_html_()
    path = tmp_path / "notebook.html"
    path.write_text(f"<!DOCTYPE html><html><body>{frame}</body></html>", encoding="utf-8")
    browser.get(path.as_uri())
    browser.switch_to.frame(browser.find_element("css selector", "iframe"))
    try:
        assert browser.execute_script("return window.treelearnExplorer.ready")
        assert set(_visible(browser)) == set(range(est.tree_.node_count))  # 4 levels: all
    finally:
        browser.switch_to.default_content()
