"""Render the README's pictures into this folder.

    python docs/images/make_images.py

Uses graphviz-pure (the pip-installed renderer) even where a system Graphviz
exists, so the pictures are the same on every machine. The critical-difference
diagram (``cd_imbalanced.png``) comes from a 10-fold comparison of six settings on the
imbalanced suite and takes a few minutes; its printed tables go to stdout.
"""

from __future__ import annotations

from pathlib import Path

from treelearn import C45Classifier, CARTClassifier, ID3Classifier
from treelearn.datasets import load_credit_g, load_iris, load_play_tennis, load_vote
from treelearn.export import render

HERE = Path(__file__).resolve().parent
DPI = 120


def main() -> None:
    X, y = load_play_tennis(as_frame=True, return_X_y=True)
    render(
        ID3Classifier().fit(X, y), HERE / "play_tennis_id3.png", renderer="graphviz-pure", dpi=DPI
    )

    X, y = load_credit_g(as_frame=True, return_X_y=True)
    render(
        C45Classifier().fit(X, y),
        HERE / "credit_g_c45.png",
        max_depth=2,
        rotate=True,
        renderer="graphviz-pure",
        dpi=DPI,
    )

    # what `treelearn render -d credit_g --max-depth 3 --hide-empty -o x.png` draws, at
    # Graphviz's 96 dpi: the size a browser shows at 100 %
    render(
        C45Classifier().fit(X, y),
        HERE / "credit_g_c45_top.png",
        max_depth=3,
        hide_empty=True,
        named_counts=True,
        renderer="graphviz-pure",
    )

    X, y = load_iris(as_frame=True, return_X_y=True)
    render(CARTClassifier().fit(X, y), HERE / "iris_cart.png", renderer="graphviz-pure", dpi=DPI)


def critical_difference_picture() -> None:
    import matplotlib

    matplotlib.use("Agg")
    import pandas as pd

    from treelearn.compare import (
        compare_criteria,
        friedman_test,
        imbalanced_suite,
        nemenyi_test,
        plot_critical_difference,
    )

    result = compare_criteria(
        imbalanced_suite(),
        ["id3", "c4.5", "cart", "hellinger", "twoing", "cart+balanced"],
        cv=10,
        scoring="balanced_accuracy",
        n_jobs=-1,
    )
    with pd.option_context("display.width", 160):
        print(
            result.pivot(index="dataset", columns="criterion", values="balanced_accuracy_mean")
            .round(3)
            .to_string()
        )
        print(friedman_test(result).round(4).to_string())
        nemenyi = nemenyi_test(result)
        print(nemenyi.attrs["mean_ranks"], round(nemenyi.attrs["critical_difference"], 3))
    fig = plot_critical_difference(result)
    fig.savefig(HERE / "cd_imbalanced.png", dpi=DPI, bbox_inches="tight")


def surrogate_picture() -> None:
    """CART's root on vote with its surrogate splits (the README's missing values)."""
    X, y = load_vote(as_frame=True, return_X_y=True)
    clf = CARTClassifier(cp=0.01, min_samples_split=20, min_samples_leaf=7).fit(X, y)
    render(
        clf,
        HERE / "vote_cart_surrogates.svg",
        show=("samples", "counts", "surrogates"),
        named_counts=True,
        renderer="graphviz-pure",
    )


if __name__ == "__main__":
    main()
    surrogate_picture()
    critical_difference_picture()
