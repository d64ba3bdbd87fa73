"""Safe persistence: a fitted estimator as a versioned JSON document.

``estimator.to_json()`` writes and ``treelearn.load_json`` reads a plain JSON
document. Loading builds the estimator from numbers, strings and lists only:
nothing is imported by name, no code runs, and a malformed or hostile document
(wrong version, wrong shapes, out-of-range indices, cycles, ...) is rejected with a
``ValueError`` that names the problem. (``pickle`` works too, with pickle's usual
caveat: never unpickle untrusted data.)

This module is a codec and knows no estimator class: an estimator describes its
fitted state itself (``_FITTED_STATE``, the one list of what ``fit`` sets) and this
module encodes each attribute of it with the codec of :data:`CODECS`. An attribute
without a codec cannot be written (an error, not a silent loss).

Format, version 4
-----------------
A JSON object::

    {
      "format": "treelearn.tree",
      "format_version": 4,
      "treelearn_version": "0.1.0",
      "estimator": "C45Classifier",             # one of the treelearn estimators
      "params": {...},                          # get_params(), encoded as below
      "classes": {"dtype": "<U3", "values": ["no", "yes"]},      # classes_ (multi-output:
                                                  # a list, one such object per output)
      "n_features_in": 4,                                         # n_features_in_
      "feature_names_in": ["outlook", ...],     # feature_names_in_, or null
      "features": [                             # categories_, one per feature
        {"categorical": true, "categories": {"values": ["sunny", ...]}},
        {"categorical": false, "categories": null}
      ],
      "criterion": {...},                       # criterion_
      "ccp_alpha": 0.0,                         # ccp_alpha_
      "max_features": 4,                        # max_features_
      "cp": 0.01,                               # cp_ (CARTClassifier only; or null)
      "cptable": [[0.5, 0, 1.0], ...],          # cptable_ (CARTClassifier only; or null)
      "tree": {                                 # tree_
        "n_features": 4, "n_classes": 2, "node_count": 8,
        "unit_weight": 1.0,                     # smallest training row weight
        "arrays": {"feature": [...], "threshold": [...], ..., "value": [[...], ...],
                   "category_ptr": [...], "category_branch": [...],
                   "category_code": [...]}      # only when a table is not whole
      }
    }

* Floats are written with Python's shortest round-trip ``repr``, so every array
  reads back bit for bit; ``NaN`` is written as ``null`` (strict JSON has no NaN),
  infinities as the strings ``"Infinity"`` / ``"-Infinity"``.
* ``classes.dtype`` is a numpy dtype string among bool, signed/unsigned integers,
  floats, fixed-width unicode (``<U5``) and ``object`` (strings).
* Category values and class labels are JSON strings, numbers or booleans.
* Encoded parameter values: JSON scalars, lists, ``{"$dict": [[key, value], ...]}``
  (keys of any scalar type, e.g. ``class_weight``) and ``{"$criterion": {...}}``.
* ``criterion`` is ``{"class": "GainRatio", "params": {...}, "name": ...,
  "impurity_label": ..., "score_label": ..., "unit": ...}``. A criterion that is
  not one of treelearn's built-ins is stored by its name and labels only; load it
  with ``load_json(..., criteria={name: instance})`` to refit, or without that to
  predict and export (refitting then raises an error that says so).
* ``tree.arrays`` holds every array of :class:`treelearn._tree.Tree`
  (``Tree.NODE_ARRAYS`` plus ``value``, ``category_ptr``, ``category_branch``, and
  ``category_code`` when some routing table lists only the categories that have a
  slot: a feature of many categories, see :mod:`treelearn._tree`; without it every
  table is whole, one slot per category ``0 .. width-1``), and the arrays of the
  per-node split lists when the tree has them (``surrogate_*``, ``competitor_*``:
  :mod:`treelearn._split_lists`), each list's ``<prefix>category_code`` likewise only
  when one of its tables lists only the categories that have a slot.
  A multi-output tree (:class:`treelearn._tree_multioutput.MultiOutputTree`) has
  ``n_classes`` a list (one per output) and ``value`` rows of one row per output,
  each ``max(n_classes)`` long.

Versions 3 and 2 are read too: version 3 is version 4 without the split lists'
``surrogate_category_code`` / ``competitor_category_code`` (their tables whole),
version 2 is version 3 without ``category_code`` (whole tables).
Version 1 (treelearn 0.1.0) is version 2 without ``ccp_alpha``, which then comes
from the ``ccp_alpha`` parameter (NaN for ``"cv"``, whose choice version 1 did not
store). Other versions are refused.

(This specification is why the module runs past the ~500-line guideline; the
value-level reading and writing it builds on is :mod:`treelearn._json_values`.)
"""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Callable, Collection, Mapping
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd

from treelearn import _json_values as V
from treelearn._competitor_tables import Competitors
from treelearn._surrogate_tables import Surrogates
from treelearn._tree import Tree
from treelearn._tree_checks import TreeArrayError, check_tree_arrays
from treelearn._tree_multioutput import MultiOutputTree
from treelearn._version import __version__
from treelearn.criteria import CRITERIA, SplitCriterion

__all__ = [
    "CODECS",
    "FORMAT",
    "FORMAT_VERSION",
    "StoredCriterion",
    "dump_json",
    "read_document",
    "write_document",
]

FORMAT = "treelearn.tree"
FORMAT_VERSION = 4
_READABLE_VERSIONS = (1, 2, 3, 4)

# the built-in criteria by class name: the registry of treelearn.criteria, keyed by class
_BUILTIN_CRITERIA: dict[str, type[SplitCriterion]] = {
    cls.__name__: cls for cls in CRITERIA.values()
}
#: A fixed-width label dtype may be wider than its longest label (labels chosen from a
#: wider array) up to this width; beyond it, only as wide as the longest label.
_MAX_SPARE_WIDTH = 1024
_CLASSES_DTYPE = re.compile(r"^(?:[<>|=]?(?:b1|[iu][1248]|f[48]|U\d{1,6})|bool|object)$")


class StoredCriterion(SplitCriterion):
    """Stand-in for a user-defined criterion read from JSON without its code.

    It carries the criterion's name and labels (so exports look the same) but
    cannot score splits: refitting needs the real criterion, passed to
    ``load_json`` as ``criteria={name: instance}``.
    """

    def __init__(self, name: str, impurity_label: str, score_label: str, unit: str):
        self.name = name
        self.impurity_label = impurity_label
        self.score_label = score_label
        self.unit = unit

    def impurity(self, counts: np.ndarray) -> np.ndarray:
        raise RuntimeError(
            f"criterion {self.name!r} was loaded from JSON without its code; pass "
            f"load_json(..., criteria={{{self.name!r}: <your SplitCriterion>}}) to refit."
        )

    def __repr__(self) -> str:
        return f"StoredCriterion(name={self.name!r})"


# ------------------------------------------------------------------ criteria and parameters
def _encode_criterion(crit: SplitCriterion) -> dict:
    out: dict[str, Any] = {
        "class": type(crit).__name__ if type(crit) in _BUILTIN_CRITERIA.values() else None,
        "name": str(crit.name),
        "impurity_label": str(crit.impurity_label),
        "score_label": str(crit.score_label),
        "unit": str(crit.unit),
    }
    if out["class"] is not None:
        out["params"] = {
            k: V.scalar(v, f"criterion parameter {k!r}") for k, v in vars(crit).items()
        }
    return out


def _encode_param(name: str, value: Any) -> Any:
    if isinstance(value, SplitCriterion):
        return {"$criterion": _encode_criterion(value)}
    if isinstance(value, np.random.RandomState | np.random.Generator):
        return None  # a fitted tree does not need its seed to predict
    if isinstance(value, Mapping):
        return {
            "$dict": [
                [V.scalar(k, f"key of {name}"), _encode_param(name, v)] for k, v in value.items()
            ]
        }
    if isinstance(value, list | tuple | np.ndarray):
        return [
            _encode_param(name, v)
            for v in (value.tolist() if isinstance(value, np.ndarray) else value)
        ]
    return V.scalar(value, f"parameter {name}")


def _decode_criterion(spec: Any, where: str, criteria: Mapping | None) -> SplitCriterion:
    V.expect(spec, dict, where, "an object")
    labels = {}
    for key in ("name", "impurity_label", "score_label", "unit"):
        labels[key] = V.expect(V.get(spec, key, where), str, f"{where}.{key}", "a string")
    if criteria and labels["name"] in criteria:
        given = criteria[labels["name"]]
        if isinstance(given, type) and issubclass(given, SplitCriterion):
            given = given()
        if not isinstance(given, SplitCriterion):
            raise TypeError(f"criteria[{labels['name']!r}] is not a SplitCriterion")
        return given
    cls_name = spec.get("class")
    if cls_name is None:
        return StoredCriterion(**labels)
    V.expect(cls_name, str, f"{where}.class", "a string or null")
    if cls_name not in _BUILTIN_CRITERIA:
        V.fail(
            f"{where}.class",
            f"unknown criterion class {cls_name!r}; built-ins are {sorted(_BUILTIN_CRITERIA)}",
        )
    params = spec.get("params", {})
    V.expect(params, dict, f"{where}.params", "an object")
    cls = _BUILTIN_CRITERIA[cls_name]
    crit = cls()
    allowed = vars(crit)
    for key, value in params.items():
        if key not in allowed:
            V.fail(f"{where}.params", f"unknown parameter {key!r} for {cls_name}")
        if type(value) not in (int, float):
            V.fail(f"{where}.params.{key}", "expected a number")
        setattr(crit, key, value)
    return crit


def _decode_param(value: Any, where: str, criteria: Mapping | None) -> Any:
    if isinstance(value, list):
        return [_decode_param(v, f"{where}[{i}]", criteria) for i, v in enumerate(value)]
    if isinstance(value, dict):
        if set(value) == {"$criterion"}:
            return _decode_criterion(value["$criterion"], where, criteria)
        if set(value) == {"$dict"}:
            items = V.expect(value["$dict"], list, where, "a list of pairs")
            out = {}
            for i, pair in enumerate(items):
                if not (isinstance(pair, list) and len(pair) == 2):
                    V.fail(f"{where}[{i}]", "expected a [key, value] pair")
                key = V.json_scalar(pair[0], f"{where}[{i}]")
                out[key] = _decode_param(pair[1], f"{where}[{i}]", criteria)
            return out
        V.fail(where, f"unknown encoded value with keys {sorted(value)}")
    return V.json_scalar(value, where)


def _decode_labels(spec: Any, where: str) -> np.ndarray:
    V.expect(spec, dict, where, "an object")
    dtype_text = V.expect(V.get(spec, "dtype", where), str, f"{where}.dtype", "a string")
    if not _CLASSES_DTYPE.match(dtype_text):
        V.fail(f"{where}.dtype", f"unsupported dtype {dtype_text!r}")
    values = V.expect(V.get(spec, "values", where), list, f"{where}.values", "a list")
    if not values:
        V.fail(f"{where}.values", "no classes")
    values = [V.json_scalar(v, f"{where}.values") for v in values]
    dtype = np.dtype(dtype_text)
    if dtype.kind in "US":  # the width is allocated for every label: not far beyond theirs
        longest = max(len(str(v)) for v in values)
        width = dtype.itemsize // (4 if dtype.kind == "U" else 1)
        if width > max(longest, _MAX_SPARE_WIDTH):
            V.fail(f"{where}.dtype", f"{dtype_text} is wider than the longest label ({longest})")
    try:
        arr = np.asarray(values, dtype=dtype)
    except (TypeError, ValueError, OverflowError) as exc:
        V.fail(f"{where}.values", f"cannot be read as {dtype_text}: {exc}")
    if arr.ndim != 1 or arr.shape[0] != len(values) or arr.tolist() != values:
        V.fail(f"{where}.values", f"do not fit dtype {dtype_text}")
    if len(set(arr.tolist())) != len(values):
        V.fail(f"{where}.values", "class labels must be distinct")
    return arr


# ----------------------------------------------------------------------------- codecs
# One codec per fitted attribute: its key in the document, how to write it, and how
# to read it back (given the attributes read before it, for cross-checks).
Encoder = Callable[[Any], Any]
Decoder = Callable[[Any, str, dict, "Mapping | None"], Any]


def _encode_labels(classes: Any) -> dict:
    classes = np.asarray(classes)
    return {
        "dtype": classes.dtype.str if classes.dtype.kind != "O" else "object",
        "values": [V.scalar(v, "class label") for v in classes.tolist()],
    }


def _decode_int_at_least_one(value: Any, where: str, state: dict, criteria: Any) -> int:
    return V.integer(value, where, 1)


def _encode_names(names: Any) -> list | None:
    return None if names is None else [str(v) for v in names]


def _decode_names(names: Any, where: str, state: dict, criteria: Any) -> np.ndarray | None:
    if names is None:
        return None
    n_features = state["n_features_in_"]
    V.expect(names, list, where, "a list of strings or null")
    if len(names) != n_features or not all(isinstance(v, str) for v in names):
        V.fail(where, f"expected {n_features} strings")
    if len(set(names)) != len(names):
        V.fail(where, "feature names must be distinct")
    return np.asarray(names, dtype=object)


def _encode_categories(categories: list) -> list:
    out: list[dict[str, Any]] = []
    for j, cats in enumerate(categories):
        if cats is None:
            out.append({"categorical": False, "categories": None})
        else:
            values = [V.scalar(v, f"category of feature {j}") for v in np.asarray(cats).tolist()]
            out.append({"categorical": True, "categories": {"values": values}})
    return out


def _decode_categories(features: Any, where: str, state: dict, criteria: Any) -> list:
    n_features = state["n_features_in_"]
    V.expect(features, list, where, "a list")
    if len(features) != n_features:
        V.fail(where, f"has {len(features)} entries, expected {n_features}")
    categories: list = []
    for j, spec in enumerate(features):
        at = f"{where}[{j}]"
        V.expect(spec, dict, at, "an object")
        cat = V.expect(V.get(spec, "categorical", at), bool, f"{at}.categorical", "a boolean")
        cats = spec.get("categories")
        if not cat:
            if cats is not None:
                V.fail(f"{at}.categories", "a numeric feature has no categories")
            categories.append(None)
            continue
        V.expect(cats, dict, f"{at}.categories", "an object")
        values = V.expect(V.get(cats, "values", at), list, f"{at}.categories.values", "a list")
        values = [V.json_scalar(v, f"{at}.categories.values") for v in values]
        arr = np.empty(len(values), dtype=object)
        arr[:] = values
        if not pd.Index(arr, dtype=object).is_unique:
            V.fail(f"{at}.categories.values", "categories must be distinct")
        categories.append(arr)
    return categories


def _encode_classes(classes: Any) -> dict | list:
    """One label spec, or a list of one per output (multi-output ``classes_``)."""
    if isinstance(classes, list):
        return [_encode_labels(c) for c in classes]
    return _encode_labels(classes)


def _decode_labels_codec(spec: Any, where: str, state: dict, criteria: Any) -> Any:
    if isinstance(spec, list):  # multi-output: one label spec per output
        if len(spec) < 2:
            V.fail(where, "a list of classes needs at least two outputs")
        return [_decode_labels(s, f"{where}[{o}]") for o, s in enumerate(spec)]
    return _decode_labels(spec, where)


def _decode_criterion_codec(spec: Any, where: str, state: dict, criteria: Any) -> SplitCriterion:
    return _decode_criterion(spec, where, criteria)


def _encode_alpha(alpha: float) -> Any:
    return V.float_or_name(float(alpha))


def _decode_alpha(value: Any, where: str, state: dict, criteria: Any) -> float:
    alpha = V.float_value(value, where)
    if not (math.isnan(alpha) or alpha >= 0):
        V.fail(where, "must be a non-negative number")
    return alpha


def _encode_cp(cp: float | None) -> float | None:
    return None if cp is None else float(cp)


def _decode_cp(value: Any, where: str, state: dict, criteria: Any) -> float | None:
    if value is None:
        return None
    cp = V.float_value(value, where)
    if not 0.0 <= cp <= 1.0:
        V.fail(where, "must be null or a number in [0, 1]")
    return cp


def _encode_cptable(table: np.ndarray | None) -> list | None:
    return None if table is None else [V.float_list(row) for row in np.asarray(table)]


def _decode_cptable(value: Any, where: str, state: dict, criteria: Any) -> np.ndarray | None:
    if value is None:
        return None
    V.expect(value, list, where, "null or a list of rows")
    if not value:
        V.fail(where, "has no rows")
    width = len(V.expect(value[0], list, where, "a list of rows"))
    if width not in (3, 5):
        V.fail(where, f"rows have {width} columns, expected 3 or 5")
    return np.stack([V.float_array(row, where, width) for row in value])


def _decode_max_features(value: Any, where: str, state: dict, criteria: Any) -> int:
    return V.integer(value, where, 1, state["n_features_in_"])


def _encode_tree(tree: Tree) -> dict:
    arrays: dict[str, Any] = {}
    for name, arr in tree.to_arrays().items():
        if arr.dtype.kind == "f" and arr.ndim == 3:  # multi-output value
            arrays[name] = [[V.float_list(row) for row in node] for node in arr]
        elif arr.dtype.kind == "f":
            arrays[name] = (
                [V.float_list(row) for row in arr] if arr.ndim == 2 else V.float_list(arr)
            )
        else:
            arrays[name] = arr.tolist()
    return {
        "n_features": tree.n_features,
        "n_classes": (
            tree.n_classes.tolist() if isinstance(tree, MultiOutputTree) else tree.n_classes
        ),
        "node_count": tree.node_count,
        "unit_weight": tree.unit_weight,
        "arrays": arrays,
    }


#: The keys of a document besides its codecs' (``CODECS``), and those of its ``tree``.
_HEADER_KEYS = frozenset(("format", "format_version", "treelearn_version", "estimator", "params"))
_TREE_KEYS = frozenset(("n_features", "n_classes", "node_count", "unit_weight", "arrays"))


def _refuse_unknown_keys(obj: dict, known: Collection[str], where: str) -> None:
    """Refuse keys a document never holds: nothing in it is ignored unread."""
    extra = set(obj) - set(known)
    if extra:
        V.fail(where, f"unknown keys {sorted(extra, key=str)}")


def _decode_tree(tree_doc: Any, where: str, state: dict, criteria: Any) -> Tree:
    n_features = state["n_features_in_"]
    classes = state["classes_"]
    outputs = isinstance(classes, list)  # multi-output
    n_labels = [c.shape[0] for c in classes] if outputs else classes.shape[0]
    categories = state["categories_"]
    n_categories = np.array([0 if c is None else len(c) for c in categories], dtype=np.int64)
    V.expect(tree_doc, dict, where, "an object")
    _refuse_unknown_keys(tree_doc, _TREE_KEYS, where)
    node_count = V.integer(V.get(tree_doc, "node_count", where), f"{where}.node_count", 1)
    if outputs:
        n_classes_doc = V.expect(
            V.get(tree_doc, "n_classes", where), list, f"{where}.n_classes", "a list"
        )
        per_output = [V.integer(k, f"{where}.n_classes", 1) for k in n_classes_doc]
        if per_output != n_labels:
            V.fail(f"{where}.n_classes", f"{per_output} but the outputs have {n_labels} classes")
        n_classes = max(per_output)
    else:
        n_classes = V.integer(V.get(tree_doc, "n_classes", where), f"{where}.n_classes", 1)
        if n_classes != n_labels:
            V.fail(f"{where}.n_classes", f"{n_classes} but there are {n_labels} classes")
    if V.integer(V.get(tree_doc, "n_features", where), f"{where}.n_features", 1) != n_features:
        V.fail(f"{where}.n_features", f"does not equal n_features_in ({n_features})")
    at = f"{where}.arrays"
    arrays_doc = V.expect(V.get(tree_doc, "arrays", where), dict, at, "an object")
    expected = {*Tree.NODE_ARRAYS, "value", "category_ptr", "category_branch", "category_code"}
    lists = (Surrogates, Competitors)  # the per-node split lists: all arrays or none
    listed = {name for sl in lists for name in [*sl.ARRAYS, sl.code_name()]}
    extra = set(arrays_doc) - expected - listed
    if extra:
        V.fail(at, f"unknown arrays {sorted(extra)}")
    optional: list[tuple[str, type]] = []
    for sl in lists:
        present = set(sl.ARRAYS) & set(arrays_doc)
        if present and present != set(sl.ARRAYS):
            missing = sorted(set(sl.ARRAYS) - present)
            V.fail(at, f"{sl.PREFIX.rstrip('_')} arrays missing: {missing}")
        if sl.code_name() in arrays_doc and not present:
            V.fail(at, f"{sl.code_name()} without the other {sl.PREFIX.rstrip('_')} arrays")
        optional += [*(sl.ARRAYS.items() if present else ())]
        if sl.code_name() in arrays_doc:  # (version 4) tables of the categories with a slot
            optional.append((sl.code_name(), np.int32))
    arrays: dict[str, np.ndarray] = {}
    for key, dtype in Tree.NODE_ARRAYS.items():
        values = V.get(arrays_doc, key, at)
        if np.dtype(dtype).kind == "f":
            arrays[key] = V.float_array(values, f"{at}.{key}", node_count)
        else:
            arrays[key] = V.int_array(values, f"{at}.{key}", dtype, node_count)
    value = V.expect(V.get(arrays_doc, "value", at), list, f"{at}.value", "a list of rows")
    if len(value) != node_count:
        V.fail(f"{at}.value", f"has {len(value)} rows, expected {node_count}")
    if outputs:
        nodes = []
        for i, node in enumerate(value):
            V.expect(node, list, f"{at}.value[{i}]", "a list of one row per output")
            if len(node) != len(n_labels):
                V.fail(f"{at}.value[{i}]", f"has {len(node)} rows, expected {len(n_labels)}")
            rows = [
                V.float_array(r, f"{at}.value[{i}][{o}]", n_classes) for o, r in enumerate(node)
            ]
            nodes.append(np.stack(rows))
        arrays["value"] = np.stack(nodes)
    else:
        arrays["value"] = np.stack(
            [V.float_array(row, f"{at}.value[{i}]", n_classes) for i, row in enumerate(value)]
        )
    arrays["category_ptr"] = V.int_array(
        V.get(arrays_doc, "category_ptr", at), f"{at}.category_ptr", np.int64, node_count + 1
    )
    branch = V.get(arrays_doc, "category_branch", at)
    V.expect(branch, list, f"{at}.category_branch", "a list of integers")
    arrays["category_branch"] = V.int_array(branch, f"{at}.category_branch", np.int32, len(branch))
    if "category_code" in arrays_doc:  # (version 3) tables of the categories with a slot
        code = V.get(arrays_doc, "category_code", at)
        V.expect(code, list, f"{at}.category_code", "a list of integers")
        arrays["category_code"] = V.int_array(code, f"{at}.category_code", np.int32, len(branch))
    for key, dtype in optional:
        values = V.get(arrays_doc, key, at)
        V.expect(values, list, f"{at}.{key}", "a list of numbers")
        if np.dtype(dtype).kind == "f":
            arrays[key] = V.float_array(values, f"{at}.{key}", len(values))
        else:
            arrays[key] = V.int_array(values, f"{at}.{key}", dtype, len(values))
    try:
        flat = {**arrays, "value": arrays["value"].reshape(node_count, -1)}  # outputs side by side
        check_tree_arrays(SimpleNamespace(n_features=n_features, **flat), n_categories)
    except TreeArrayError as exc:
        V.fail(f"{at}.{exc.where}" if exc.where else at, exc.problem)
    unit_weight = None
    if "unit_weight" in tree_doc:  # absent from older documents: the mean row weight
        unit_weight = V.float_value(tree_doc["unit_weight"], f"{where}.unit_weight")
        if not (math.isfinite(unit_weight) and unit_weight > 0):
            V.fail(f"{where}.unit_weight", "must be a positive finite number")
    if outputs:
        return MultiOutputTree(n_features, n_labels, arrays, unit_weight)
    return Tree(n_features, n_classes, arrays, unit_weight)


#: Fitted attribute -> (document key, encoder, decoder). Decoders run in this order
#: and see the attributes decoded before them.
CODECS: dict[str, tuple[str, Encoder, Decoder]] = {
    "classes_": ("classes", _encode_classes, _decode_labels_codec),
    "n_features_in_": ("n_features_in", int, _decode_int_at_least_one),
    "feature_names_in_": ("feature_names_in", _encode_names, _decode_names),
    "categories_": ("features", _encode_categories, _decode_categories),
    "criterion_": ("criterion", _encode_criterion, _decode_criterion_codec),
    "ccp_alpha_": ("ccp_alpha", _encode_alpha, _decode_alpha),
    "max_features_": ("max_features", int, _decode_max_features),
    "tree_": ("tree", _encode_tree, _decode_tree),
    "cp_": ("cp", _encode_cp, _decode_cp),
    "cptable_": ("cptable", _encode_cptable, _decode_cptable),
}
_OPTIONAL = {"feature_names_in_"}  # absent after a fit on numpy input
#: Attributes of one estimator family only (CARTClassifier's rpart pruning): their
#: keys are absent from the documents of the others; null is a stored ``None``.
_FAMILY = {"cp_", "cptable_"}


# ----------------------------------------------------------------------------- documents
def write_document(
    estimator_name: str,
    params: Mapping[str, Any],
    state: Mapping[str, Any],
    *,
    indent: int | None = None,
) -> str:
    """The JSON document of an estimator: its class name, parameters and fitted state.

    ``state`` maps fitted attribute names to values; every name needs a codec in
    :data:`CODECS` (a new fitted attribute without one is an error here, never a
    silent loss on the round trip).
    """
    missing = [name for name in state if name not in CODECS]
    if missing:
        raise TypeError(
            f"no JSON codec for the fitted attribute(s) {missing}; add one to "
            "treelearn._persistence.CODECS"
        )
    doc: dict[str, Any] = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "treelearn_version": __version__,
        "estimator": estimator_name,
        "params": {k: _encode_param(k, v) for k, v in params.items()},
    }
    for name, (key, encode, _) in CODECS.items():
        if name in state:
            doc[key] = encode(state[name])
        elif name in _OPTIONAL:
            doc[key] = None
    return json.dumps(doc, indent=indent, ensure_ascii=False, allow_nan=False)


def dump_json(
    estimator: Any, path: str | os.PathLike | None = None, *, indent: int | None = None
) -> str:
    """Serialise a fitted treelearn estimator to JSON (see the module docstring).

    Parameters
    ----------
    estimator : fitted treelearn classifier
    path : str or path, optional
        Also write the document to this file.
    indent : int, optional
        Pretty-print with this indent.

    Returns
    -------
    str
        The JSON document.

    Examples
    --------
    >>> from treelearn import ID3Classifier, load_json
    >>> from treelearn.datasets import load_play_tennis
    >>> X, y = load_play_tennis(as_frame=True, return_X_y=True)
    >>> clf = ID3Classifier().fit(X, y)
    >>> text = dump_json(clf)
    >>> again = load_json(text)
    >>> (again.predict_proba(X) == clf.predict_proba(X)).all()
    np.True_
    """
    fitted_state = getattr(estimator, "_fitted_state", None)
    if not callable(fitted_state):
        raise TypeError(f"expected a treelearn estimator, got {type(estimator).__name__}")
    text = write_document(
        type(estimator).__name__,
        estimator.get_params(deep=False),
        fitted_state(),  # raises NotFittedError when unfitted
        indent=indent,
    )
    if path is not None:
        Path(path).write_text(text, encoding="utf-8")
    return text


def read_document(
    source: Any, *, criteria: Mapping[str, Any] | None = None
) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """Read a document: ``(estimator name, parameters, fitted state)``.

    Every value is checked (types, shapes, ranges, that the tree arrays form one
    tree); the estimator layer then checks the name and parameters against its
    classes. Raises ``ValueError`` ("invalid treelearn JSON: ...") for anything
    wrong.
    """
    text = V.read_source(source)
    try:
        doc = json.loads(text, parse_constant=V.reject_constant)
    except V.InvalidDocument:
        raise
    except (json.JSONDecodeError, RecursionError) as exc:
        raise ValueError(f"invalid treelearn JSON: not a JSON document ({exc})") from None
    try:
        return _read(doc, criteria)
    except V.InvalidDocument:
        raise
    except (KeyError, IndexError, TypeError, OverflowError) as exc:
        raise ValueError(f"invalid treelearn JSON: {type(exc).__name__}: {exc}") from None
    except RecursionError:
        raise ValueError("invalid treelearn JSON: values nested too deeply") from None


fail = V.fail  # the ValueError of an invalid document, for the estimator layer's checks


def _read(doc: Any, criteria: Mapping | None) -> tuple[str, dict[str, Any], dict[str, Any]]:
    V.expect(doc, dict, "document", "a JSON object")
    if doc.get("format") != FORMAT:
        V.fail("format", f"expected {FORMAT!r}, got {doc.get('format')!r}")
    version = V.get(doc, "format_version", "document")
    if type(version) is not int or version not in _READABLE_VERSIONS:
        V.fail(
            "format_version",
            f"unsupported version {version!r}; this treelearn reads versions "
            f"{', '.join(map(str, _READABLE_VERSIONS))}",
        )
    _refuse_unknown_keys(doc, _HEADER_KEYS | {key for key, _, _ in CODECS.values()}, "document")
    name = V.expect(V.get(doc, "estimator", "document"), str, "estimator", "a string")
    params_doc = V.expect(V.get(doc, "params", "document"), dict, "params", "an object")
    params = {
        key: _decode_param(value, f"params.{key}", criteria) for key, value in params_doc.items()
    }
    if version == 1 and "ccp_alpha" not in doc:  # 0.1.0 did not store the fitted alpha
        alpha = params.get("ccp_alpha", 0.0)
        doc = {**doc, "ccp_alpha": alpha if type(alpha) in (int, float) else None}
    state: dict[str, Any] = {}
    for attribute, (key, _, decode) in CODECS.items():
        if attribute in _FAMILY:
            if key in doc:
                state[attribute] = decode(doc[key], key, state, criteria)
            continue
        if attribute in _OPTIONAL:
            value = doc.get(key)
        else:
            value = V.get(doc, key, "document")
        decoded = decode(value, key, state, criteria)
        if decoded is not None or attribute not in _OPTIONAL:
            state[attribute] = decoded
    return name, params, state
