"""Pictures of criterion comparisons (matplotlib).

* :func:`plot_comparison` -- the table of :func:`~treelearn.compare.compare_criteria` as
  two panels: the mean score with its standard deviation per data set and criterion,
  and the tree size.
* :func:`plot_critical_difference` -- Demšar's critical-difference diagram: the mean
  ranks over the data sets, with bars joining criteria the Nemenyi test cannot tell
  apart (``plot_comparison(result, kind="cd")`` draws it too);
* :func:`plot_trees` -- the trees the criteria grow on one data set, rendered side by
  side (through :func:`treelearn.export.render`).

The tables are read with the comparison's own rules (:func:`primary_metric`,
:func:`mean_ranks`), and data sets and criteria are resolved as the comparison resolves
them. matplotlib is imported when a function is called, not with the module.
"""

from __future__ import annotations

import math
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from treelearn.compare._inputs import resolve_criteria, resolve_datasets
from treelearn.compare._many_datasets import friedman_test, nemenyi_test
from treelearn.compare._statistics import mean_ranks
from treelearn.compare._table import ordered, primary_metric
from treelearn.export import render

__all__ = ["plot_comparison", "plot_critical_difference", "plot_trees"]

_MARKERS = "osD^vP*Xhp<>"


def plot_comparison(
    result: pd.DataFrame,
    *,
    metric: str | None = None,
    axes: Sequence[Any] | None = None,
    figsize: tuple[float, float] | None = None,
    size_log: bool = True,
    kind: str = "scores",
    alpha: float | None = None,
):
    """Plot a criteria comparison: score with error bars, and tree size (or a CD diagram).

    Parameters
    ----------
    result : DataFrame
        The table of :func:`~treelearn.compare.compare_criteria` (also after a round
        trip through CSV or JSON).
    metric : str, optional
        The score to plot; by default the one the comparison ranked on.
    axes : pair of matplotlib Axes, optional
        Where to draw the score and the tree size panels; new ones by default.
    figsize : (float, float), optional
        Size of a new figure; by default it grows with the number of data sets.
    size_log : bool, default=True
        Tree sizes on a logarithmic axis (they span orders of magnitude).
    kind : {"scores", "cd"}, default="scores"
        ``"scores"``: the two panels described below. ``"cd"``: the critical-difference
        diagram of :func:`plot_critical_difference` (``axes`` is then one Axes, or a
        sequence whose first Axes is used).
    alpha : float, optional
        Significance level of the CD diagram; by default the comparison's (0.05).

    Returns
    -------
    matplotlib.figure.Figure
        For ``kind="scores"``, one row per data set; each criterion has its own
        colour and marker. The score panel shows the mean over the folds with a bar
        of one standard deviation either side; a hollow marker is significantly worse
        than the baseline and a marker with a thick edge significantly better. Legend
        labels carry the mean rank over the data sets.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from treelearn.compare import compare_criteria
    >>> result = compare_criteria(["iris", "diabetes"], ["c4.5", "cart"], cv=3)
    >>> fig = plot_comparison(result)
    >>> [ax.get_xlabel() for ax in fig.axes]
    ['accuracy (mean ± std over 3 folds)', 'tree size (nodes)']
    """
    if kind == "cd":
        ax = axes[0] if isinstance(axes, Sequence) else axes
        level = result.attrs.get("alpha", 0.05) if alpha is None else alpha
        return plot_critical_difference(result, metric=metric, alpha=level, ax=ax, figsize=figsize)
    if kind != "scores":
        raise ValueError(f"kind must be 'scores' or 'cd', got {kind!r}")
    metric = primary_metric(result, metric)
    needed = {"dataset", "criterion", f"{metric}_mean", "tree_size"}
    missing = needed.difference(result.columns)
    if missing:
        raise ValueError(f"result lacks the column(s) {', '.join(sorted(missing))}")
    datasets = ordered(result["dataset"])
    criteria = ordered(result["criterion"])
    own_figure = axes is None
    if axes is None:
        import matplotlib.pyplot as plt

        if figsize is None:
            figsize = (10.0, 1.6 + 0.45 * len(datasets) * max(1.0, len(criteria) / 3))
        fig, (score_ax, size_ax) = plt.subplots(
            1,
            2,
            figsize=figsize,
            sharey=True,
            layout="constrained",
            gridspec_kw={"width_ratios": [3, 2]},
        )
    else:
        if len(axes) != 2:
            raise ValueError(f"axes must be two Axes (score, tree size), got {len(axes)}")
        score_ax, size_ax = axes
        fig = score_ax.figure
    rows = {name: i for i, name in enumerate(datasets)}
    width = 0.8 / max(1, len(criteria))
    ranks = mean_ranks(result, metric=metric).to_dict()
    colours = _colours(len(criteria))
    std_col = f"{metric}_std"
    for c_index, criterion in enumerate(criteria):
        part = result[result["criterion"] == criterion]
        y = np.array([rows[d] for d in part["dataset"]], dtype=float)
        y = y + (c_index - (len(criteria) - 1) / 2) * width
        mean = part[f"{metric}_mean"].to_numpy(dtype=float)
        std = part[std_col].to_numpy(dtype=float) if std_col in part else None
        colour, marker = colours[c_index], _MARKERS[c_index % len(_MARKERS)]
        rank = ranks.get(criterion, math.nan)
        label = criterion if math.isnan(rank) else f"{criterion} (mean rank {rank:.2f})"
        sig = (
            part["significance"].astype(str).to_numpy()
            if "significance" in part
            else np.full(len(part), "")
        )
        score_ax.errorbar(mean, y, xerr=std, fmt="none", ecolor=colour, elinewidth=1.2, capsize=2.5)
        for kind, face, edge in (("worse", "white", 1.5), ("better", colour, 2.5)):
            chosen = sig == kind
            if chosen.any():
                score_ax.scatter(
                    mean[chosen],
                    y[chosen],
                    marker=marker,
                    s=42,
                    facecolors=face,
                    edgecolors=colour if kind == "worse" else "black",
                    linewidths=edge,
                    zorder=3,
                )
        plain = ~np.isin(sig, ["worse", "better"])
        score_ax.scatter(
            mean[plain], y[plain], marker=marker, s=36, color=colour, zorder=3, label=label
        )
        size_ax.barh(
            y,
            part["tree_size"].to_numpy(dtype=float),
            height=width * 0.9,
            color=colour,
            label=criterion,
        )
    n_folds = result["n_folds"].iloc[0] if "n_folds" in result and len(result) else None
    folds = f" over {int(n_folds)} folds" if n_folds is not None else ""
    score_ax.set_xlabel(f"{metric} (mean ± std{folds})")
    score_ax.set_yticks(range(len(datasets)), [str(d) for d in datasets])
    score_ax.set_ylim(len(datasets) - 0.5, -0.5)
    _clamp_unit_interval(score_ax, result[f"{metric}_mean"], metric)
    score_ax.grid(axis="x", alpha=0.3)
    handles, labels = score_ax.get_legend_handles_labels()
    handles, labels = handles + _significance_keys(result), labels + _significance_labels(result)
    if own_figure:  # under the panels, where it hides no data
        fig.legend(
            handles,
            labels,
            loc="outside lower center",
            ncols=min(len(labels), 3),
            fontsize="small",
            frameon=False,
        )
    else:
        score_ax.legend(handles, labels, loc="best", fontsize="small")
    size_ax.set_xlabel("tree size (nodes)")
    sizes = result["tree_size"].to_numpy(dtype=float)
    if size_log and (np.isfinite(sizes) & (sizes > 0)).any():
        from matplotlib.ticker import NullFormatter

        size_ax.set_xscale("log")
        size_ax.xaxis.set_minor_formatter(NullFormatter())
    size_ax.grid(axis="x", alpha=0.3)
    return fig


def _significance_labels(result: pd.DataFrame) -> list[str]:
    """Legend texts of the significance markers, when the table has tests."""
    if "significance" not in result or not len(result):
        return []
    baseline = result.attrs.get("baseline") or str(result["criterion"].iloc[0])
    alpha = result.attrs.get("alpha", 0.05)
    test = f"than {baseline} (t-test, p < {alpha:g})"
    return [f"significantly worse {test}", f"significantly better {test}"]


def _significance_keys(result: pd.DataFrame) -> list:
    """Grey proxy markers for :func:`_significance_labels`: hollow = worse, thick black
    edge = better, as the score panel draws them."""
    if not _significance_labels(result):
        return []
    from matplotlib.lines import Line2D

    def key(face: str, edge: str, width: float) -> Line2D:
        return Line2D(
            [],
            [],
            linestyle="none",
            marker="o",
            markersize=6.5,
            markerfacecolor=face,
            markeredgecolor=edge,
            markeredgewidth=width,
        )

    worse, better = key("white", "0.45", 1.5), key("0.45", "black", 2.5)
    return [worse, better]


def _clamp_unit_interval(ax: Any, means: pd.Series, metric: str) -> None:
    """Scores that live in [0, 1] keep their error bars inside it."""
    values = means.to_numpy(dtype=float)
    values = values[np.isfinite(values)]
    if metric.startswith("neg_") or not values.size or values.min() < 0 or values.max() > 1:
        return
    left, right = ax.get_xlim()
    ax.set_xlim(max(left, -0.02), min(right, 1.02))


def _colours(n: int) -> list:
    from matplotlib import colormaps

    cmap = colormaps["tab10"]
    return [cmap(i % 10) for i in range(n)]


def plot_trees(
    dataset: Any,
    criteria: Any = ("id3", "c4.5", "cart"),
    *,
    target: str | None = None,
    axes: Sequence[Any] | None = None,
    figsize: tuple[float, float] | None = None,
):
    """Fit each criterion on one data set and show the rendered trees side by side.

    Parameters
    ----------
    dataset : str, path, (X, y) or DataFrame
        One data set, as :func:`~treelearn.compare.compare_criteria` takes them (see
        :func:`~treelearn.compare.resolve_datasets`).
    criteria : list, default=("id3", "c4.5", "cart")
        As for :func:`~treelearn.compare.compare_criteria`.
    target : str, optional
        The class column of a file or DataFrame.
    axes : sequence of matplotlib Axes, optional
        One per criterion; new ones in a row by default.
    figsize : (float, float), optional
        Size of a new figure.

    Returns
    -------
    matplotlib.figure.Figure
        Each panel titled with the criterion, its leaves and depth.

    Raises
    ------
    RuntimeError
        If no Graphviz renderer is available (see :func:`treelearn.export.render`).
    """
    data = resolve_datasets([dataset], target=target)[0]
    models = resolve_criteria(criteria)
    panels: list[Any]
    if axes is None:
        import matplotlib.pyplot as plt

        _, grid = plt.subplots(
            1,
            len(models),
            figsize=figsize or (5.0 * len(models), 5.0),
            squeeze=False,
            layout="constrained",
        )
        panels = list(grid[0])
    elif len(axes) != len(models):
        raise ValueError(f"need {len(models)} axes (one per criterion), got {len(axes)}")
    else:
        panels = list(axes)
    fig = panels[0].figure
    import matplotlib.image as mpimg

    with tempfile.TemporaryDirectory() as tmp:
        for index, ((label, estimator), ax) in enumerate(zip(models, panels, strict=True)):
            estimator.fit(data.X, data.y)
            path = Path(tmp) / f"tree{index}.png"
            written = render(estimator, path, format="png")
            if isinstance(written, str | os.PathLike) and Path(written).is_file():
                path = Path(written)
            ax.imshow(mpimg.imread(path))
            ax.set_anchor("N")  # trees of different heights hang from one line
            ax.set_axis_off()
            ax.set_title(
                f"{label}: {estimator.get_n_leaves()} leaves, depth {estimator.get_depth()}"
            )
    fig.suptitle(data.name)
    return fig


def plot_critical_difference(
    result: pd.DataFrame,
    *,
    metric: str | None = None,
    alpha: float = 0.05,
    ax: Any | None = None,
    figsize: tuple[float, float] | None = None,
    title: str | None = None,
):
    """Demšar's critical-difference diagram of a comparison over data sets.

    The mean rank of every criterion over the data sets on an axis whose best (lowest)
    ranks are on the right; a thick bar joins criteria whose mean ranks differ by less
    than the Nemenyi critical difference (not significantly different at ``alpha``),
    and the length of that difference is drawn above the axis.

    Parameters
    ----------
    result : DataFrame
        A comparison table (see :func:`~treelearn.compare.score_matrix`): the result
        of :func:`~treelearn.compare.compare_criteria` on two or more data sets.
    metric : str, optional
        The score to rank; by default the one the comparison ranked on.
    alpha : float, default=0.05
        Significance level of the Nemenyi test (:func:`~treelearn.compare.nemenyi_test`).
    ax : matplotlib Axes, optional
        Where to draw; a new figure by default.
    figsize : (float, float), optional
        Size of a new figure; by default it grows with the number of criteria.
    title : str, optional
        Title; by default the score, the number of data sets, the Friedman p-value
        (Iman-Davenport) and alpha.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import pandas as pd
    >>> scores = pd.DataFrame({"A": [0.90, 0.80, 0.70, 0.90, 0.85, 0.75],
    ...                        "B": [0.85, 0.78, 0.72, 0.80, 0.80, 0.70],
    ...                        "C": [0.70, 0.75, 0.60, 0.70, 0.80, 0.65]})
    >>> fig = plot_critical_difference(scores)
    >>> sorted(t.get_text() for t in fig.axes[0].texts if "(" in t.get_text())
    ['A (1.17)', 'B (1.92)', 'C (2.92)']
    """
    nemenyi = nemenyi_test(result, metric=metric, alpha=alpha)
    friedman = friedman_test(result, metric=metric, alpha=alpha).set_index("test")
    ranks = pd.Series(nemenyi.attrs["mean_ranks"], dtype=float)  # best first
    cd = float(nemenyi.attrs["critical_difference"])
    groups = nemenyi.attrs["groups"]
    k = len(ranks)
    n_right = (k + 1) // 2  # the better half is labelled on the right
    rows = max(n_right, k - n_right)
    if ax is None:
        import matplotlib.pyplot as plt

        if figsize is None:
            figsize = (8.0, 1.6 + 0.3 * (rows + len(groups)))
        fig, ax = plt.subplots(figsize=figsize, layout="constrained")
    else:
        fig = ax.figure
    low, high = 1.0, float(max(k, 2))
    line: dict[str, Any] = {"color": "black", "linewidth": 1.0}
    # the rank axis, its ticks and the CD bar above it
    ax.plot([low, high], [0, 0], **line)
    for tick in range(1, int(high) + 1):
        ax.plot([tick, tick], [0, -0.12], **line)
        ax.text(tick, -0.18, str(tick), ha="center", va="bottom", fontsize="small")
    cd_y = -0.75
    ax.plot([high, high - cd], [cd_y, cd_y], color="black", linewidth=1.5)
    for end in (high, high - cd):
        ax.plot([end, end], [cd_y - 0.06, cd_y + 0.06], color="black", linewidth=1.5)
    ax.text(high - cd / 2, cd_y - 0.1, f"CD = {cd:.2f}", ha="center", va="bottom")
    # groups of criteria that do not differ significantly
    group_y = 0.3
    for index, group in enumerate(groups):
        y = group_y + 0.2 * index
        spans = ranks[group]
        ax.plot(
            [spans.min() - 0.03, spans.max() + 0.03],
            [y, y],
            color="black",
            linewidth=4,
            solid_capstyle="butt",
        )
    first_label = group_y + 0.2 * max(len(groups), 1) + 0.25
    step = 0.45
    # labels: the better half on the right, best on top; the worse half on the left
    right_x, left_x = low - 0.25, high + 0.25
    for order, (name, rank) in enumerate(ranks.items()):
        right = order < n_right
        row = order if right else k - 1 - order
        y = first_label + step * row
        x = right_x if right else left_x
        ax.plot([rank, rank, x], [0, y, y], **line)
        ax.text(
            x - 0.05 if right else x + 0.05,
            y,
            f"{name} ({rank:.2f})",
            ha="left" if right else "right",
            va="center",
        )
    ax.set_xlim(high + 0.3, low - 0.3)  # best ranks on the right, as Demšar draws
    ax.set_ylim(first_label + step * (rows - 1) + 0.3, cd_y - 0.35)
    ax.set_axis_off()
    if title is None:
        p = float(friedman.loc["iman_davenport_f", "p_value"])
        score = nemenyi.attrs["metric"] or "score"
        title = (
            f"mean rank of {score} over {nemenyi.attrs['n_datasets']} data sets "
            f"(Friedman p = {p:.3g}; Nemenyi, alpha = {alpha:g})"
        )
    ax.set_title(title, fontsize="medium")
    return fig
