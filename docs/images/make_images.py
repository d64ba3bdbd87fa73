"""Render the README's tree pictures into this folder.

    python docs/images/make_images.py

Uses graphviz-pure (the pip-installed renderer) even where a system Graphviz
exists, so the pictures are the same on every machine.
"""

from __future__ import annotations

from pathlib import Path

from treelearn import C45Classifier, CARTClassifier, ID3Classifier
from treelearn.datasets import load_credit_g, load_iris, load_play_tennis
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


if __name__ == "__main__":
    main()
