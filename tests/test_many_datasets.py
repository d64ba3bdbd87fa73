"""Tests over many data sets (Demšar 2006) against his worked example and SciPy.

The reference is Demšar's Table 6 (``fixtures/demsar2006/``): the numbers he prints from
it (mean ranks, chi2_F, F_F, q_alpha, CD, the Wilcoxon rank sums) are reproduced to the
printed precision. The p-values are checked against SciPy's own functions and the
definitions; Holm's correction against its step-down definition.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from treelearn.compare import (
    compare_criteria,
    critical_difference_groups,
    friedman_test,
    holm_wilcoxon,
    nemenyi_critical_value,
    nemenyi_test,
    score_matrix,
)

FIXTURES = Path(__file__).parent / "fixtures" / "demsar2006"
TABLE6 = pd.read_csv(FIXTURES / "table6_auc.csv", index_col="dataset")
PRINTED = json.loads((FIXTURES / "demsar_printed.json").read_text())


def _ranked_as_printed(table: pd.DataFrame) -> pd.DataFrame:
    """Table 6 with the one printed tie that the paper's ranks break (see the README)."""
    out = table.copy()
    for dataset, (higher, _) in PRINTED["unrounded_order"].items():
        out.loc[dataset, higher] += 1e-4
    return out


RANKED = _ranked_as_printed(TABLE6)


def _long(wide: pd.DataFrame, metric: str = "auc") -> pd.DataFrame:
    """A wide score table as compare_criteria's long summary."""
    return (
        wide.rename_axis("dataset")
        .reset_index()
        .melt(id_vars="dataset", var_name="criterion", value_name=f"{metric}_mean")
    )


def _printed(value: float, printed: float) -> bool:
    """Equal to the precision the paper prints ``printed`` with."""
    text = repr(printed)
    decimals = len(text.split(".")[1]) if "." in text else 0
    return abs(value - printed) <= 0.5 * 10.0**-decimals + 1e-12


# ------------------------------------------------------------------ Demšar's example


@pytest.mark.parametrize("table", [RANKED, _long(RANKED)], ids=["wide", "long"])
def test_friedman_reproduces_demsar_section_3_2_2(table):
    out = friedman_test(table).set_index("test")
    for name, rank in PRINTED["mean_ranks"].items():
        assert _printed(out.attrs["mean_ranks"][name], rank), name
    assert list(out.attrs["mean_ranks"]) == ["C4.5+m+cf", "C4.5+m", "C4.5+cf", "C4.5"]
    assert _printed(out.loc["friedman_chi2", "statistic"], PRINTED["friedman_chi2"])
    assert _printed(out.loc["iman_davenport_f", "statistic"], PRINTED["iman_davenport_f"])
    assert out.loc["iman_davenport_f", ["df1", "df2"]].tolist() == [3.0, 39.0]
    assert _printed(out.loc["iman_davenport_f", "critical_value"], PRINTED["f_critical_3_39_0.05"])
    assert out.loc["iman_davenport_f", "significant"]
    assert (out["n_datasets"] == 14).all() and (out["n_criteria"] == 4).all()


def test_friedman_p_values_are_scipys_distributions():
    out = friedman_test(RANKED).set_index("test")
    chi2 = out.loc["friedman_chi2", "statistic"]
    assert out.loc["friedman_chi2", "p_value"] == pytest.approx(stats.chi2.sf(chi2, 3))
    f = out.loc["iman_davenport_f", "statistic"]
    assert f == pytest.approx(13 * chi2 / (14 * 3 - chi2))
    assert out.loc["iman_davenport_f", "p_value"] == pytest.approx(stats.f.sf(f, 3, 39))


def test_tie_correction_is_scipys_friedmanchisquare():
    corrected = friedman_test(TABLE6, tie_correction=True).set_index("test")
    scipy_result = stats.friedmanchisquare(*TABLE6.to_numpy().T)
    assert corrected.loc["friedman_chi2", "statistic"] == pytest.approx(scipy_result.statistic)
    assert corrected.loc["friedman_chi2", "p_value"] == pytest.approx(scipy_result.pvalue)
    # Table 6 ties 84 / 840 of the rank variance away: the correction is 0.9
    plain = friedman_test(TABLE6).set_index("test")
    ratio = plain.loc["friedman_chi2", "statistic"] / corrected.loc["friedman_chi2", "statistic"]
    assert ratio == pytest.approx(0.9)


@pytest.mark.parametrize("alpha", ["0.05", "0.10"])
def test_q_alpha_is_demsars_table_5a(alpha):
    for k, q in PRINTED["q_alpha"][alpha].items():
        # the table's last digit is off by one in three places (2.343, 2.949, 2.459)
        assert nemenyi_critical_value(int(k), float(alpha)) == pytest.approx(q, abs=1.01e-3)


@pytest.mark.parametrize("alpha", ["0.05", "0.10"])
def test_nemenyi_critical_difference_of_table_6(alpha):
    out = nemenyi_test(RANKED, alpha=float(alpha))
    assert _printed(out.attrs["critical_difference"], PRINTED["critical_difference"][alpha])
    assert _printed(out.attrs["q_alpha"], PRINTED["q_alpha"][alpha]["4"]) or alpha == "0.10"
    assert (out["critical_difference"] == out.attrs["critical_difference"]).all()


def test_nemenyi_finds_no_pair_at_5_percent_and_two_at_10_percent():
    assert not nemenyi_test(RANKED, alpha=0.05)["significant"].any()
    out = nemenyi_test(RANKED, alpha=0.10)
    found = out.loc[out["significant"], ["criterion_a", "criterion_b"]].to_numpy().tolist()
    assert sorted(found) == sorted(PRINTED["nemenyi_significant_0.10"])
    # Figure 1(a): {C4.5+m+cf, C4.5+m, C4.5+cf} and {C4.5+cf, C4.5}
    assert out.attrs["groups"] == [["C4.5+m+cf", "C4.5+m", "C4.5+cf"], ["C4.5+cf", "C4.5"]]
    assert nemenyi_test(RANKED).attrs["groups"] == [["C4.5+m+cf", "C4.5+m", "C4.5+cf", "C4.5"]]


def test_nemenyi_p_values_agree_with_the_critical_difference():
    for alpha in (0.01, 0.05, 0.1, 0.2):
        out = nemenyi_test(TABLE6, alpha=alpha)
        assert ((out["p_value"] <= alpha) == out["significant"]).all()
    out = nemenyi_test(TABLE6)
    assert (out["rank_difference"] >= 0).all()
    assert out["rank_difference"].to_numpy() == pytest.approx(
        (out["mean_rank_b"] - out["mean_rank_a"]).to_numpy()
    )


def test_wilcoxon_reproduces_demsar_section_3_1_3():
    out = holm_wilcoxon(TABLE6[["C4.5", "C4.5+m"]]).iloc[0]
    ref = PRINTED["wilcoxon_c45_vs_c45m"]
    assert out["r_plus"] == ref["rank_sum_c45_better"]
    assert out["r_minus"] == ref["rank_sum_c45m_better"]
    assert out["statistic"] == ref["T"] < ref["critical_T_0.05"]
    assert out["p_value"] < 0.05 and out["better"] == "C4.5+m"
    assert out["p_holm"] == out["p_value"]  # one pair: nothing to correct


def test_wilcoxon_p_values_are_scipys():
    out = holm_wilcoxon(TABLE6)
    assert len(out) == 6
    for row in out.itertuples():
        d = np.round((TABLE6[row.criterion_a] - TABLE6[row.criterion_b]).to_numpy(), 12)
        ref = stats.wilcoxon(d, zero_method="zsplit", method="approx")
        assert row.p_value == pytest.approx(ref.pvalue)
        assert row.r_plus + row.r_minus == 14 * 15 / 2


def test_holm_is_the_step_down_definition():
    out = holm_wilcoxon(TABLE6)
    p = out["p_value"].to_numpy()
    order = np.argsort(p)
    m = len(p)
    expected = np.empty(m)
    running = 0.0
    for i, j in enumerate(order):  # the textbook loop, to check the vectorised one
        running = max(running, min(1.0, (m - i) * p[j]))
        expected[j] = running
    assert out["p_holm"].to_numpy() == pytest.approx(expected)
    assert (out["p_holm"] >= out["p_value"]).all()


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.floats(0, 1, allow_nan=False), min_size=1, max_size=12),
)
def test_holm_properties(p_values):
    from treelearn.compare._many_datasets import _holm

    p = np.array(p_values)
    adjusted = _holm(p)
    assert (adjusted >= p - 1e-15).all() and (adjusted <= 1).all()
    order = np.argsort(p, kind="stable")
    assert (np.diff(adjusted[order]) >= -1e-15).all()  # keeps the order of the p-values
    assert adjusted.min() == pytest.approx(min(1.0, len(p) * p.min()))


# ------------------------------------------------------------------ tables and errors


def test_score_matrix_reads_summaries_and_fold_tables():
    result = compare_criteria(["iris", "glass", "diabetes"], ["c4.5", "cart", "id3"], cv=3)
    matrix = score_matrix(result)
    assert list(matrix.index) == ["iris", "glass", "diabetes"]
    assert list(matrix.columns) == ["C4.5", "CART", "ID3"]
    assert matrix.loc["glass", "CART"] == pytest.approx(
        result.set_index(["dataset", "criterion"]).loc[("glass", "CART"), "accuracy_mean"]
    )
    from treelearn.compare import cross_validate_criteria

    folds = cross_validate_criteria(["iris", "glass"], ["c4.5", "cart"], cv=3)
    assert score_matrix(folds).shape == (2, 2)
    friedman = friedman_test(result)
    assert friedman.attrs["metric"] == "accuracy"
    mean_ranks = result.groupby("criterion")["rank"].mean()
    for name, rank in friedman.attrs["mean_ranks"].items():
        assert rank == pytest.approx(mean_ranks[name])


def test_incomplete_data_sets_are_left_out_with_a_warning():
    table = TABLE6.copy()
    table.iloc[0, 1] = np.nan
    with pytest.warns(UserWarning, match=r"adult \(sample\)"):
        out = friedman_test(table)
    assert (out["n_datasets"] == 13).all()


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: friedman_test(TABLE6.iloc[:1]), "at least 2 data sets"),
        (lambda: nemenyi_test(TABLE6[["C4.5"]]), "at least 2 criteria"),
        (lambda: friedman_test(TABLE6, alpha=1.5), "alpha"),
        (lambda: holm_wilcoxon(TABLE6, zero_method="x"), "zero_method"),
        (lambda: friedman_test(_long(TABLE6), metric="f1"), "unknown metric"),
        (lambda: nemenyi_critical_value(1), "n_criteria"),
    ],
)
def test_bad_input_is_refused(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_inputs_are_not_modified():
    long = _long(TABLE6)
    before = long.copy()
    friedman_test(long), nemenyi_test(long), holm_wilcoxon(long)
    pd.testing.assert_frame_equal(long, before)


def test_a_perfect_order_gives_an_infinite_f_and_all_tied_gives_nothing():
    ladder = pd.DataFrame({"A": [3.0] * 5, "B": [2.0] * 5, "C": [1.0] * 5})
    out = friedman_test(ladder).set_index("test")
    assert out.loc["friedman_chi2", "statistic"] == pytest.approx(10.0)
    assert math.isinf(out.loc["iman_davenport_f", "statistic"])
    assert out.loc["iman_davenport_f", "p_value"] == 0.0
    tied = pd.DataFrame(np.ones((4, 3)), columns=list("ABC"))
    out = friedman_test(tied).set_index("test")
    assert out.loc["friedman_chi2", "statistic"] == 0.0
    assert out.loc["iman_davenport_f", "p_value"] == pytest.approx(1.0)
    assert holm_wilcoxon(tied)["p_value"].eq(1.0).all()
    assert nemenyi_test(tied).attrs["groups"] == [["A", "B", "C"]]


def test_critical_difference_groups_are_maximal():
    ranks = {"a": 1.0, "b": 1.4, "c": 2.0, "d": 2.5, "e": 3.9}
    # b and d are exactly 1.1 apart: significant, so [b, c, d] is no group
    assert critical_difference_groups(ranks, 1.1) == [["a", "b", "c"], ["c", "d"]]
    assert critical_difference_groups(ranks, 1.2) == [["a", "b", "c"], ["b", "c", "d"]]
    assert critical_difference_groups(ranks, 0.1) == []


# ------------------------------------------------------------------ the CD diagram


@pytest.fixture
def agg():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    yield plt
    plt.close("all")


def _label_boxes(fig):
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    return {t.get_text(): t.get_window_extent(renderer) for t in fig.axes[0].texts if t.get_text()}


def test_cd_diagram_of_table_6(agg, tmp_path):
    from treelearn.compare import plot_comparison, plot_critical_difference

    fig = plot_critical_difference(RANKED, alpha=0.10)
    boxes = _label_boxes(fig)
    assert "CD = 1.12" in boxes
    for name, rank in PRINTED["mean_ranks"].items():
        assert f"{name} ({rank:.2f})" in boxes
    # no two texts overlap, and all of them are inside the figure
    items = list(boxes.items())
    for i, (a, box_a) in enumerate(items):
        for b, box_b in items[i + 1 :]:
            assert not box_a.overlaps(box_b), (a, b)
    figure_box = fig.bbox
    assert all(box.x0 >= figure_box.x0 and box.x1 <= figure_box.x1 for box in boxes.values())
    # two group bars (Figure 1a), the best rank drawn right of the worst
    bars = [line for line in fig.axes[0].lines if line.get_linewidth() == 4]
    assert len(bars) == 2
    best = boxes["C4.5+m+cf (1.96)"]
    worst = boxes["C4.5 (3.14)"]
    assert best.x0 > worst.x1
    path = tmp_path / "cd.png"
    fig.savefig(path)
    assert path.stat().st_size > 0
    # the same picture through plot_comparison(kind="cd"), on a long table
    _, ax = agg.subplots()
    again = plot_comparison(_long(RANKED), kind="cd", alpha=0.10, axes=ax)
    assert again is ax.figure
    assert "CD = 1.12" in _label_boxes(again)
    with pytest.raises(ValueError, match="kind"):
        plot_comparison(_long(RANKED), kind="pie")


@pytest.mark.parametrize("k", [2, 3, 7, 12])
def test_cd_diagram_labels_never_overlap(agg, k):
    from treelearn.compare import plot_critical_difference

    rng = np.random.default_rng(k)
    scores = pd.DataFrame(rng.random((10, k)), columns=[f"criterion number {i}" for i in range(k)])
    fig = plot_critical_difference(scores)
    items = list(_label_boxes(fig).items())
    for i, (a, box_a) in enumerate(items):
        for b, box_b in items[i + 1 :]:
            assert not box_a.overlaps(box_b), (a, b)
