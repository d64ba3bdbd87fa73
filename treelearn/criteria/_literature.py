"""Split criteria from the literature, beyond ID3's, C4.5's and CART's.

Impurities (a concave function of the class proportions, scored as an impurity
decrease): :class:`MisclassificationError`, :class:`Tsallis`, :class:`Renyi` and
:class:`DKM`. Split scores that are not an impurity decrease (they override
``split_score``): :class:`Hellinger`, :class:`Twoing`, :class:`ChiSquare` and
:class:`GStatistic`; their nodes still show an impurity (Gini, or entropy for the G
statistic) for pictures and cost-complexity pruning.

``concave = True`` tells the builder that a best numeric threshold lies on a
boundary point (between two value blocks not of one same class), so that only those
are scored. For an impurity decrease that holds when the impurity is concave
(Fayyad & Irani 1992); for the split scores here it holds because the score is
convex along every run of one class (each class-run moves the counts of one class
linearly), so its maximum over a run is at an end. Each class says why. Only
:class:`Renyi` of order ``α > 1`` is not concave: the builder scores every threshold
(the general path), which it ranks for ``α = 2`` from the square sums as cheaply as
Gini's.
"""

from __future__ import annotations

import math
from itertools import product
from numbers import Real

import numpy as np

from treelearn import information
from treelearn.criteria._base import SplitCriterion

__all__ = [
    "DKM",
    "ChiSquare",
    "GStatistic",
    "Hellinger",
    "MisclassificationError",
    "Renyi",
    "Tsallis",
    "Twoing",
]


def _proportions(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Class proportions ``p[..., K]`` (0 where a slice is empty) and the totals."""
    counts = np.asarray(counts, dtype=np.float64)
    total = counts.sum(axis=-1)
    safe = np.where(total > 0, total, 1.0)
    return counts / safe[..., None], total


class MisclassificationError(SplitCriterion):
    """Misclassification (resubstitution) error ``1 - max_k p_k``.

    Breiman et al. (1984), *Classification and Regression Trees*, §4.1: concave but
    not strictly, so many splits tie (it often sees no gain where Gini does).

    >>> crit = MisclassificationError()
    >>> float(crit.impurity([8, 2]))
    0.2
    >>> float(crit.split_score([8, 2], [[6, 0], [2, 2]]))
    0.0
    """

    name = "misclassification"
    impurity_label = "error"
    score_label = "Δerror"
    concave = True

    def impurity(self, counts: np.ndarray) -> np.ndarray:
        p, total = _proportions(counts)
        return np.where(total > 0, 1.0 - p.max(axis=-1), 0.0)

    def impurity_mass(self, counts: np.ndarray) -> np.ndarray:
        """``n · (1 - max_k p_k) = n - max_k n_k``: the weight not in the majority class."""
        counts = np.asarray(counts, dtype=np.float64)
        return np.maximum(counts.sum(axis=-1) - counts.max(axis=-1), 0.0)

    def split_rank(self, left: np.ndarray, right: np.ndarray) -> np.ndarray:
        """``max_k n_Lk + max_k n_Rk``: the cases both sides classify correctly.

        It differs from the impurity-mass proxy ``-(n_L - max_k n_Lk) - (n_R - max_k
        n_Rk)`` by the node's weight ``n_L + n_R``, the same for all candidates of a
        node, so it orders them alike (with integer counts both are exact, so the
        first best threshold is the same one) without the sums over classes.
        """
        left, right = np.asarray(left, dtype=np.float64), np.asarray(right, dtype=np.float64)
        return left.max(axis=-1) + right.max(axis=-1)


class Tsallis(SplitCriterion):
    """Tsallis entropy ``S_q(p) = (1 - Σ_k p_k^q) / (q - 1)``.

    Tsallis (1988), *J. Stat. Phys.* 52: 479-487. ``q = 2`` is the Gini impurity and
    ``q -> 1`` Shannon's entropy in nats (``q = 1`` computes that limit); concave for
    every ``q > 0``.

    Parameters
    ----------
    q : float, default=2.0
        Positive order.

    >>> round(float(Tsallis(q=2).impurity([9, 5])), 4)   # = Gini
    0.4592
    >>> round(float(Tsallis(q=1).impurity([9, 5])), 4)   # = entropy in nats
    0.6518
    """

    name = "tsallis"
    impurity_label = "tsallis"
    score_label = "Δtsallis"
    concave = True

    def __init__(self, q: float = 2.0):
        if not (isinstance(q, Real) and math.isfinite(float(q)) and float(q) > 0):
            raise ValueError(f"Tsallis q must be a positive number, got {q!r}.")
        self.q: float = float(q)

    def impurity(self, counts: np.ndarray) -> np.ndarray:
        if self.q == 1.0:
            return information._entropy(np.asarray(counts, dtype=np.float64), math.e)
        p, total = _proportions(counts)
        value = (1.0 - (p**self.q).sum(axis=-1)) / (self.q - 1.0)
        return np.where(total > 0, value, 0.0)


class Renyi(SplitCriterion):
    """Rényi entropy ``H_α(p) = log2(Σ_k p_k^α) / (1 - α)`` in bits.

    Rényi (1961), *Proc. 4th Berkeley Symposium* 1: 547-561. ``α -> 1`` is Shannon's
    entropy (``alpha=1`` computes it), ``α = 2`` the collision entropy
    ``-log2 Σ p_k²``, ``α = inf`` the min-entropy ``-log2 max_k p_k``. Concave for
    ``0 < α <= 1``; for ``α > 1`` it is not concave on more than two classes (along
    one class the weighted impurity ``n · H_α`` can be locally convex, e.g. from counts
    ``(10, 1, 1)``), so the builder scores every threshold, not only boundary points:
    the general path, about five times as many candidates. For ``α = 2`` each
    candidate costs what a Gini candidate does: ``n · H_2 = n · log2(n² / Σ_k c_k²)``
    is ranked from the counts' total and sum of squares, without proportions or
    powers (:meth:`impurity_mass`, and :meth:`square_sum_rank` for many classes).

    Parameters
    ----------
    alpha : float, default=2.0
        Non-negative order (``inf`` allowed).

    >>> round(float(Renyi(alpha=1).impurity([9, 5])), 4)   # = entropy in bits
    0.9403
    >>> round(float(Renyi(alpha=2).impurity([9, 5])), 4)
    0.8868
    """

    name = "renyi"
    impurity_label = "rényi entropy"
    score_label = "Δrényi"
    unit = "bits"

    def __init__(self, alpha: float = 2.0):
        if not (isinstance(alpha, Real) and float(alpha) >= 0):  # NaN fails >= 0
            raise ValueError(f"Renyi alpha must be a non-negative number, got {alpha!r}.")
        self.alpha: float = float(alpha)

    @property
    def concave(self) -> bool:  # type: ignore[override]
        return 0.0 < self.alpha <= 1.0

    def impurity(self, counts: np.ndarray) -> np.ndarray:
        a = self.alpha
        if a == 1.0:
            return information._entropy(np.asarray(counts, dtype=np.float64), 2)
        p, total = _proportions(counts)
        if math.isinf(a):
            value = -np.log2(np.where(total > 0, p.max(axis=-1), 1.0))
        elif a == 0.0:
            value = np.log2(np.maximum(np.count_nonzero(p > 0, axis=-1), 1))
        else:
            s = (p**a).sum(axis=-1)
            value = np.log2(np.where(total > 0, s, 1.0)) / (1.0 - a)
        return np.where(total > 0, np.maximum(value, 0.0), 0.0)

    def impurity_mass(self, counts: np.ndarray) -> np.ndarray:
        """``n · H_α``; for ``α = 2``, ``n · log2(n² / Σ_k c_k²)`` from the square sums."""
        if self.alpha != 2.0:
            return super().impurity_mass(counts)
        return information._collision_mass(np.asarray(counts, dtype=np.float64))

    @property
    def ranks_by_square_sums(self) -> bool:
        """True for ``α = 2`` (the collision entropy), unless a subclass changes the rank."""
        return self.alpha == 2.0 and self._ranks_by_mass_of(Renyi)

    def square_sum_rank(
        self,
        n_left: np.ndarray,
        squares_left: np.ndarray,
        n_right: np.ndarray,
        squares_right: np.ndarray,
    ) -> np.ndarray:
        """``-(n_L·H_2(L) + n_R·H_2(R))`` from the sums: :meth:`split_rank`'s numbers."""
        mass = information._collision_mass_from_sums
        return -(mass(n_left, squares_left) + mass(n_right, squares_right))


class DKM(SplitCriterion):
    """The DKM impurity ``Σ_k sqrt(p_k (1 - p_k))``.

    Kearns & Mansour (1996, STOC) and Dietterich, Kearns & Mansour (1996, ICML)
    showed that the two-class impurity ``2 sqrt(p (1 - p))`` gives top-down trees
    better boosting guarantees than entropy or Gini. For more classes treelearn sums
    the one-class-against-the-rest halves ``sqrt(p_k (1 - p_k))``, which is the
    two-class form for ``K = 2``; concave (a sum of square roots of concave functions).

    >>> round(float(DKM().impurity([9, 5])), 4)    # 2 sqrt(9/14 · 5/14)
    0.9583
    """

    name = "dkm"
    impurity_label = "dkm"
    score_label = "Δdkm"
    concave = True

    def impurity(self, counts: np.ndarray) -> np.ndarray:
        p, total = _proportions(counts)
        return np.where(total > 0, np.sqrt(p * (1.0 - p)).sum(axis=-1), 0.0)

    def impurity_mass(self, counts: np.ndarray) -> np.ndarray:
        """``n · Σ_k sqrt(p_k (1 - p_k)) = Σ_k sqrt(n_k (n - n_k))``."""
        counts = np.asarray(counts, dtype=np.float64)
        rest = counts.sum(axis=-1, keepdims=True) - counts
        return np.sqrt(np.maximum(counts * rest, 0.0)).sum(axis=-1)


class _GiniNodes(SplitCriterion):
    """Criteria whose split score is not an impurity decrease: nodes show Gini."""

    impurity_label = "gini"

    def impurity(self, counts: np.ndarray) -> np.ndarray:
        return information._gini(np.asarray(counts, dtype=np.float64))


class Hellinger(_GiniNodes):
    """Hellinger distance between the class-conditional branch distributions.

    Cieslak & Chawla (2008), *Learning decision trees for unbalanced data*, ECML PKDD;
    Cieslak, Hoens, Chawla & Kegelmeyer (2012), *Data Min. Knowl. Discov.* 24. For two
    classes ``+`` and ``-`` the score of a split into branches ``b`` is

        ``d_H = sqrt(Σ_b (sqrt(n_b+ / n+) - sqrt(n_b- / n-))²)``,

    between 0 and ``sqrt(2)``; it depends on the branch distribution *within* each
    class only, not on the class priors, hence its use on imbalanced data. For more
    classes it is the largest one-class-against-the-rest distance (the one-versus-all
    scheme of Hoens, Qian, Chawla & Zhou 2012, PAKDD); with two classes both orders
    give ``d_H``. A node without cases of some class scores 0 for that class.
    Boundary points suffice (``concave``): along a run of one class, ``d_H² = 2 - 2
    Σ_b sqrt(P_b Q_b)`` is convex, so its maximum over the run is at an end.

    >>> crit = Hellinger()
    >>> round(float(crit.split_score([10, 90], [[9, 10], [1, 80]])), 4)
    0.8782
    """

    name = "hellinger"
    score_label = "hellinger"
    concave = True

    def split_score(
        self,
        parent: np.ndarray,
        children: np.ndarray,
        parent_impurity: np.ndarray | None = None,
    ) -> np.ndarray:
        children = np.asarray(children, dtype=np.float64)  # [..., C, K]
        per_class = children.sum(axis=-2, keepdims=True)  # [..., 1, K]
        branch = children.sum(axis=-1, keepdims=True)  # [..., C, 1]
        rest = branch - children  # [..., C, K]: the other classes' cases per branch
        rest_total = per_class.sum(axis=-1, keepdims=True) - per_class  # [..., 1, K]
        P = children / np.where(per_class > 0, per_class, 1.0)
        Q = rest / np.where(rest_total > 0, rest_total, 1.0)
        d2 = ((np.sqrt(P) - np.sqrt(Q)) ** 2).sum(axis=-2)  # [..., K]
        defined = (per_class[..., 0, :] > 0) & (rest_total[..., 0, :] > 0)
        return np.sqrt(np.where(defined, d2, 0.0)).max(axis=-1)

    def split_rank(self, left: np.ndarray, right: np.ndarray) -> np.ndarray:
        """``n · d_H`` of two-way candidates, from the two-branch form of ``d_H²``.

        With ``P = n_Lk / n_k`` and ``Q = (n_L - n_Lk) / (n - n_k)`` the class's shares
        on the left, ``d²_k = 2 - 2 (sqrt(P Q) + sqrt((1 - P)(1 - Q)))``: one pass over
        ``[..., K]`` instead of the general ``[..., C, K]`` one.
        """
        left = np.asarray(left, dtype=np.float64)
        per_class = left + right  # n_k
        n_left = left.sum(axis=-1, keepdims=True)
        n = per_class.sum(axis=-1, keepdims=True)
        rest_total = n - per_class
        # shares clipped to [0, 1]: weighted sums can overshoot 1 by rounding
        P = np.clip(left / np.where(per_class > 0, per_class, 1.0), 0.0, 1.0)
        Q = np.clip((n_left - left) / np.where(rest_total > 0, rest_total, 1.0), 0.0, 1.0)
        overlap = np.sqrt(P * Q) + np.sqrt((1.0 - P) * (1.0 - Q))
        d2 = np.where((per_class > 0) & (rest_total > 0), 2.0 - 2.0 * overlap, 0.0)
        return n[..., 0] * np.sqrt(np.maximum(d2.max(axis=-1), 0.0))


class Twoing(_GiniNodes):
    """CART's twoing rule (Breiman et al. 1984, §4.2.2).

    For a split into ``L`` and ``R`` with shares ``p_L, p_R``,

        ``twoing = p_L p_R / 4 · (Σ_k |p(k|L) - p(k|R)|)²``:

    how well the split separates the classes when they are grouped into the two
    super-classes it separates best. That equals half the Gini decrease of the best
    two-super-class problem, which is how splits into more branches (multiway
    categorical splits) are scored: every grouping of the classes is tried (up to
    ``max_classes`` classes). Boundary points suffice (``concave``): each
    super-class problem is a two-class Gini problem, whose optimum lies at one of its
    boundary points, and those are boundary points of the original classes.

    Parameters
    ----------
    max_classes : int, default=16
        Multiway splits search all ``2^(K-1) - 1`` groupings of the ``K`` classes;
        beyond this many classes that search is refused.

    >>> crit = Twoing()
    >>> round(float(crit.split_score([5, 5, 4], [[5, 1, 0], [0, 4, 4]])), 4)
    0.1701
    """

    name = "twoing"
    score_label = "twoing"
    concave = True

    def __init__(self, max_classes: int = 16):
        self.max_classes = int(max_classes)

    def split_score(
        self,
        parent: np.ndarray,
        children: np.ndarray,
        parent_impurity: np.ndarray | None = None,
    ) -> np.ndarray:
        children = np.asarray(children, dtype=np.float64)
        n_branches, K = children.shape[-2], children.shape[-1]
        if n_branches == 2:
            p, n = _proportions(children)  # [..., 2, K], [..., 2]
            total = n.sum(axis=-1)
            safe = np.where(total > 0, total, 1.0)
            share_l, share_r = n[..., 0] / safe, n[..., 1] / safe
            spread = np.abs(p[..., 0, :] - p[..., 1, :]).sum(axis=-1)
            return share_l * share_r / 4.0 * spread**2
        if K > self.max_classes:
            raise ValueError(
                f"Twoing scores a {n_branches}-way split by trying every grouping of the "
                f"{K} classes, which is limited to max_classes={self.max_classes}; use "
                "categorical_split='binary' or raise Twoing(max_classes=...)."
            )
        masks = np.array(list(product([0.0, 1.0], repeat=K - 1)))[1:]  # class K-1 stays out
        masks = np.concatenate([masks, np.zeros((masks.shape[0], 1))], axis=1)  # [T, K]
        first = children @ masks.T  # [..., C, T]: cases of super-class 1 per branch
        second = children.sum(axis=-1, keepdims=True) - first
        two = np.stack([first, second], axis=-1)  # [..., C, T, 2]
        two = np.moveaxis(two, -3, -2)  # [..., T, C, 2]
        gini = information._gini
        top = two.sum(axis=-2)  # [..., T, 2]
        n = top.sum(axis=-1)
        weighted = (two.sum(axis=-1) * gini(two)).sum(axis=-1)  # [..., T]
        decrease = gini(top) - np.where(n > 0, weighted / np.where(n > 0, n, 1.0), 0.0)
        return decrease.max(axis=-1) / 2.0

    def split_rank(self, left: np.ndarray, right: np.ndarray) -> np.ndarray:
        """``n · twoing`` of two-way candidates, without stacking the children."""
        left, right = np.asarray(left, dtype=np.float64), np.asarray(right, dtype=np.float64)
        n_l, n_r = left.sum(axis=-1), right.sum(axis=-1)
        spread = np.abs(
            left / np.where(n_l > 0, n_l, 1.0)[..., None]
            - right / np.where(n_r > 0, n_r, 1.0)[..., None]
        ).sum(axis=-1)
        n = n_l + n_r
        return n_l * n_r / np.where(n > 0, n, 1.0) / 4.0 * spread**2


class ChiSquare(_GiniNodes):
    """Pearson's chi-square statistic of the branch × class table.

    ``χ² = Σ_{b,k} (n_bk - E_bk)² / E_bk`` with ``E_bk = n_b n_k / n`` (cells with
    ``E_bk = 0`` count 0); Mingers (1989), *Machine Learning* 3: 319-342, compares it
    with the other classic criteria. It grows with the node's weight, so it compares
    splits of one node (which is all the builder asks of it). Equals
    ``scipy.stats.chi2_contingency(table, correction=False)``'s statistic. Boundary
    points suffice (``concave``): every term ``(n_bk - E_bk)² / E_bk`` is convex in
    the counts, which move linearly along a run of one class.

    >>> round(float(ChiSquare().split_score([9, 5], [[2, 3], [4, 0], [3, 2]])), 4)
    3.5467
    """

    name = "chi_square"
    score_label = "χ²"
    concave = True

    def split_score(
        self,
        parent: np.ndarray,
        children: np.ndarray,
        parent_impurity: np.ndarray | None = None,
    ) -> np.ndarray:
        children = np.asarray(children, dtype=np.float64)
        branch = children.sum(axis=-1, keepdims=True)
        per_class = children.sum(axis=-2, keepdims=True)
        n = branch.sum(axis=-2, keepdims=True)
        expected = branch * per_class / np.where(n > 0, n, 1.0)
        cells = np.where(expected > 0, (children - expected) ** 2, 0.0)
        return (cells / np.where(expected > 0, expected, 1.0)).sum(axis=(-2, -1))

    def split_rank(self, left: np.ndarray, right: np.ndarray) -> np.ndarray:
        """``n · χ²`` of two-way candidates from the two-row form of the statistic.

        With ``d_k = n_Lk - n_L n_k / n`` (and ``n_Rk - E_Rk = -d_k``),
        ``χ² = n² / (n_L n_R) · Σ_k d_k² / n_k = n² / (n_L n_R) · (Σ_k n_Lk² / n_k - n_L² / n)``.
        """
        left = np.asarray(left, dtype=np.float64)
        per_class = left + right
        n_l = left.sum(axis=-1)
        n = per_class.sum(axis=-1)
        n_r = n - n_l
        spread = (left * left / np.where(per_class > 0, per_class, 1.0)).sum(axis=-1)
        both = (n_l > 0) & (n_r > 0)
        safe_n = np.where(n > 0, n, 1.0)
        inner = np.maximum(spread - n_l * n_l / safe_n, 0.0)
        return np.where(both, n**3 / np.where(both, n_l * n_r, 1.0) * inner, 0.0)


class GStatistic(SplitCriterion):
    """The G (log-likelihood ratio) statistic of the branch × class table.

    ``G = 2 Σ_{b,k} n_bk ln(n_bk / E_bk) = 2 n ln 2 · IG``, twice the node's weight
    times the information gain in nats (Mingers 1987, *Machine Learning* 2;
    ``scipy.stats.chi2_contingency(table, lambda_="log-likelihood")``). Within a node
    it orders splits as the information gain does, so candidates are ranked by the
    entropy-mass proxy; nodes show entropy.

    >>> round(float(GStatistic().split_score([9, 5], [[2, 3], [4, 0], [3, 2]])), 3)
    4.789
    """

    name = "g_statistic"
    impurity_label = "entropy"
    score_label = "G"
    unit = "bits"
    concave = True

    def impurity(self, counts: np.ndarray) -> np.ndarray:
        return information._entropy(np.asarray(counts, dtype=np.float64), 2)

    def split_score(
        self,
        parent: np.ndarray,
        children: np.ndarray,
        parent_impurity: np.ndarray | None = None,
    ) -> np.ndarray:
        children = np.asarray(children, dtype=np.float64)
        n = children.sum(axis=(-2, -1))
        gain = super().split_score(children.sum(axis=-2), children)
        return 2.0 * math.log(2.0) * n * gain

    def split_rank(self, left: np.ndarray, right: np.ndarray) -> np.ndarray:
        """The entropy-mass proxy: within a node G is the gain times a constant."""
        return -(self.impurity_mass(left) + self.impurity_mass(right))
