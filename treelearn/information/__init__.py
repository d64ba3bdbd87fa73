"""Information-theory measures on probability vectors, count arrays and label arrays.

Pure numpy functions with no knowledge of trees: the split criteria in
:mod:`treelearn.criteria` call the count-table forms on class-count tensors of shape
``[..., K]`` or ``[..., C, K]``, so every measure is batched over leading axes, runs
without Python loops and never emits a ``RuntimeWarning`` (``0 · log 0 = 0``).

Units follow SciPy and PyTorch: the entropy family is in **bits** (``base=2``) by
default, the losses and divergences are in **nats** (``base=math.e``). Every function
that takes a logarithm accepts ``base`` (any real number greater than 1).

Entropy family (bits by default)
    - :func:`self_information` -- ``-log p`` of an event.
    - :func:`entropy` -- Shannon entropy of probabilities or counts.
    - :func:`joint_entropy`, :func:`conditional_entropy`, :func:`mutual_information`,
      :func:`information_gain`, :func:`split_information`, :func:`gain_ratio` -- of label
      arrays (numpy, lists, pandas Series or categoricals), with optional sample weights.
    - :func:`joint_entropy_from_counts`, :func:`conditional_entropy_from_counts`,
      :func:`information_gain_from_counts`, :func:`split_information_from_counts`,
      :func:`gain_ratio_from_counts` -- the same measures of contingency tables
      ``table[..., C, K]`` (``C`` values of X / branches, ``K`` classes of Y).

Impurity without a logarithm
    - :func:`gini_impurity` -- ``1 - Σ p²``.

Losses and divergences (nats by default, PyTorch / SciPy semantics)
    - :func:`cross_entropy` -- ``torch.nn.CrossEntropyLoss`` (logits, class indices or
      class probabilities, ``weight``, ``ignore_index``, ``label_smoothing``).
    - :func:`binary_cross_entropy` -- ``torch.nn.BCELoss`` (probabilities).
    - :func:`binary_cross_entropy_with_logits` -- ``torch.nn.BCEWithLogitsLoss``.
    - :func:`multilabel_soft_margin_loss` -- ``torch.nn.MultiLabelSoftMarginLoss``.
    - :func:`kl_divergence` -- ``KL(p ‖ q)``; :func:`js_divergence` -- Jensen-Shannon
      divergence (the square of ``scipy.spatial.distance.jensenshannon``).

Bad input (negative probabilities or counts, distributions that do not sum to 1,
mismatched lengths or shapes, non-numeric values where numbers are required, empty
input, missing labels) raises a ``ValueError`` or ``TypeError`` naming the problem.

Tolerances
    The measures are exact formulas; these are the only thresholds, each defined once:

    - ``_SUM_TOL = 1e-6`` (``_validation``): an argument that must be a probability
      distribution (``p`` and ``q`` of the divergences, class-probability targets of
      :func:`cross_entropy`) may miss ``Σ p = 1`` by this much, absolutely; it is then
      divided by its sum.
    - ``_HUGE = 1e200`` (``_numeric``): counts or weights above it are first divided by
      their maximum (every measure of counts is scale-invariant), so that sums cannot
      overflow.
    - ``_UNDERFLOW = 1e-150`` (``_gini_impurity``): the Gini impurity of a slice whose
      total is below it is computed from proportions, since its squared counts would
      underflow.
    - ``_BCE_LOG_CLAMP = -100`` (``_losses``): :func:`binary_cross_entropy` clamps each
      log term at -100 nats, as PyTorch does.

    No other comparison has slack: in particular a split information counts as 0 only
    when it is exactly 0.

Gain ratio here and in :mod:`treelearn.criteria`
    :func:`gain_ratio` and :func:`gain_ratio_from_counts` are the exact mathematical
    definition ``IG / SI``, 0 where the split information ``SI`` is 0.
    :class:`treelearn.criteria.GainRatio` is C4.5's criterion as Weka's J48 runs it: it
    counts the cases with an unknown value as one more branch and scores 0 wherever the
    split information is at most its ``tolerance`` parameter (J48's 1e-6 by default).
    The two therefore differ, by design, on splits with a tiny split information.

Layout
    One concept per module; the public functions are defined there and exported here
    (their ``__module__`` is this package, their public home). Each public function
    validates its arguments (``_validation``, ``_tables``) and calls an unchecked kernel;
    :mod:`treelearn.criteria` calls the kernels ``_entropy`` and ``_gini`` (and
    ``_rescaled``, the guard against overflowing sums) directly on the builder's
    trusted class counts.

    - ``_validation`` -- argument checks; ``_numeric`` -- logarithms in any base,
      rescaling and results; ``_tables`` -- contingency tables of label arrays or counts;
    - ``_shannon`` -- the entropy kernels, :func:`self_information`, :func:`entropy`;
      ``_from_counts`` -- the ``*_from_counts`` forms; ``_labels`` -- the label-array
      forms;
    - ``_gini_impurity`` -- :func:`gini_impurity`; ``_losses`` -- the loss family;
      ``_divergences`` -- :func:`kl_divergence`, :func:`js_divergence`.
"""

from __future__ import annotations

from treelearn.information._collision import _collision_mass as _collision_mass
from treelearn.information._collision import (
    _collision_mass_from_sums as _collision_mass_from_sums,
)
from treelearn.information._divergences import js_divergence, kl_divergence
from treelearn.information._from_counts import (
    conditional_entropy_from_counts,
    gain_ratio_from_counts,
    information_gain_from_counts,
    joint_entropy_from_counts,
    split_information_from_counts,
)
from treelearn.information._gini_impurity import _gini as _gini
from treelearn.information._gini_impurity import _gini_from_sums as _gini_from_sums
from treelearn.information._gini_impurity import gini_impurity
from treelearn.information._labels import (
    conditional_entropy,
    gain_ratio,
    information_gain,
    joint_entropy,
    mutual_information,
    split_information,
)
from treelearn.information._losses import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    multilabel_soft_margin_loss,
)
from treelearn.information._numeric import _rescaled as _rescaled
from treelearn.information._shannon import _entropy as _entropy
from treelearn.information._shannon import entropy, self_information

__all__ = [
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "conditional_entropy",
    "conditional_entropy_from_counts",
    "cross_entropy",
    "entropy",
    "gain_ratio",
    "gain_ratio_from_counts",
    "gini_impurity",
    "information_gain",
    "information_gain_from_counts",
    "joint_entropy",
    "joint_entropy_from_counts",
    "js_divergence",
    "kl_divergence",
    "multilabel_soft_margin_loss",
    "mutual_information",
    "self_information",
    "split_information",
    "split_information_from_counts",
]

# The public functions are used (and documented) as treelearn.information.NAME: say so
# in their __module__, as numpy does for its functions, so that help(), repr and
# pickling name their public home and not the submodule that defines them.
for _name in __all__:
    globals()[_name].__module__ = __name__
del _name
