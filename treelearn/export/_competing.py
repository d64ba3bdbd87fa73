"""Competing splits (``max_competitors``) as the exporters show them.

A tree grown with ``max_competitors > 0`` keeps, at every split, the best splits
of the runner-up features (:mod:`treelearn._competitor_tables`), as R's rpart
``summary()`` lists them under "Primary splits". :func:`competitor_tests` gives
them as :class:`CompetitorTest` objects, with the names of
:class:`~treelearn.export._describe.TreeDescription`; the text, DOT and HTML
exports print :meth:`CompetitorTest.text`.
"""

from __future__ import annotations

from dataclasses import dataclass

from treelearn.export._describe import Branch, TreeDescription

__all__ = ["CompetitorTest", "competitor_tests"]


@dataclass(frozen=True)
class CompetitorTest:
    """One competing split: its branches (one per child slot it would make), its
    score under the tree's criterion and its gain."""

    feature_name: str
    branches: tuple[Branch, ...]
    score: float
    gain: float

    def test(self, precision: int = 3) -> str:
        """``petal width <= 0.8``, ``colour in {red, blue}`` (a two-way split: the
        test of its first branch), ``outlook: sunny | overcast | rainy`` (multiway)."""
        if len(self.branches) == 2:
            return self.branches[0].text(precision)
        values = " | ".join(b.value_text(precision) for b in self.branches)
        return f"{self.feature_name}: {values}"

    def text(self, precision: int = 3, score_label: str = "score") -> str:
        """The test with its score: ``petal width <= 0.8 (Δgini 0.333)``."""
        return f"{self.test(precision)} ({score_label} {self.score:.{precision}f})"


def competitor_tests(desc: TreeDescription, node: int) -> tuple[CompetitorTest, ...]:
    """Node ``node``'s competing splits, best first (none for a leaf or a tree grown
    without them)."""
    comp = desc.tree.competitors
    if comp is None:
        return ()
    out = []
    for c in range(int(comp.ptr[node]), int(comp.ptr[node + 1])):
        name = desc.feature_names[int(comp.feature[c])]
        branches = desc.listed_branches(comp, c)
        out.append(CompetitorTest(name, branches, float(comp.score[c]), float(comp.gain[c])))
    return tuple(out)
