"""Safe persistence: a fitted estimator as a versioned JSON document.

``estimator.to_json()`` writes and :func:`load_json` reads a plain JSON document.
Loading builds the estimator from numbers, strings and lists only: nothing is
imported by name, no code runs, and a malformed or hostile document (wrong
version, wrong shapes, out-of-range indices, cycles, ...) is rejected with a
``ValueError`` that names the problem. (``pickle`` works too, with pickle's
usual caveat: never unpickle untrusted data.)

Format, version 1
-----------------
A JSON object::

    {
      "format": "treelearn.tree",
      "format_version": 1,
      "treelearn_version": "0.1.0",
      "estimator": "C45Classifier",             # one of the treelearn estimators
      "params": {...},                          # get_params(), encoded as below
      "criterion": {...},                       # the fitted criterion_
      "classes": {"dtype": "<U3", "values": ["no", "yes"]},
      "n_features_in": 4,
      "feature_names_in": ["outlook", ...],     # or null (numpy input)
      "features": [                             # one per feature
        {"categorical": true, "categories": {"values": ["sunny", ...]}},
        {"categorical": false, "categories": null}
      ],
      "max_features": 4,
      "tree": {
        "n_features": 4, "n_classes": 2, "node_count": 8,
        "arrays": {"feature": [...], "threshold": [...], ..., "value": [[...], ...],
                   "category_ptr": [...], "category_branch": [...]}
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
  (``Tree.NODE_ARRAYS`` plus ``value``, ``category_ptr``, ``category_branch``).

A document whose ``format_version`` is not 1 is refused.
"""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Mapping
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd
from sklearn.utils.validation import check_is_fitted

from treelearn._data import FeatureEncoding
from treelearn._tree import SPLIT_CATEGORICAL, SPLIT_LEAF, SPLIT_NUMERIC, Tree
from treelearn.criteria import GainRatio, Gini, InformationGain, SplitCriterion

__all__ = ["FORMAT", "FORMAT_VERSION", "StoredCriterion", "dump_json", "load_json"]

FORMAT = "treelearn.tree"
FORMAT_VERSION = 1

_BUILTIN_CRITERIA: dict[str, type[SplitCriterion]] = {
    "InformationGain": InformationGain,
    "GainRatio": GainRatio,
    "Gini": Gini,
}
_CLASSES_DTYPE = re.compile(r"^(?:[<>|=]?(?:b1|[iu][1248]|f[48]|U\d{1,6})|bool|object)$")


class StoredCriterion(SplitCriterion):
    """Stand-in for a user-defined criterion read from JSON without its code.

    It carries the criterion's name and labels (so exports look the same) but
    cannot score splits: refitting needs the real criterion, passed to
    :func:`load_json` as ``criteria={name: instance}``.
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


# ----------------------------------------------------------------------------- writing
def _scalar(value: Any, what: str) -> Any:
    """A JSON scalar for a category, class or parameter value."""
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return _float(value)
    raise ValueError(
        f"{what} {value!r} of type {type(value).__name__} cannot be stored in JSON "
        "(supported: str, int, float, bool)."
    )


def _float(x: float) -> float | str | None:
    if math.isnan(x):
        return None
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    return float(x)


def _float_list(arr: np.ndarray) -> list:
    flat = arr.astype(np.float64).tolist()
    if np.isfinite(arr).all():
        return flat
    return [_float(v) for v in flat]


def _encode_criterion(crit: SplitCriterion) -> dict:
    out: dict[str, Any] = {
        "class": type(crit).__name__ if type(crit) in _BUILTIN_CRITERIA.values() else None,
        "name": str(crit.name),
        "impurity_label": str(crit.impurity_label),
        "score_label": str(crit.score_label),
        "unit": str(crit.unit),
    }
    if out["class"] is not None:
        out["params"] = {k: _scalar(v, f"criterion parameter {k!r}") for k, v in vars(crit).items()}
    return out


def _encode_param(name: str, value: Any) -> Any:
    if isinstance(value, SplitCriterion):
        return {"$criterion": _encode_criterion(value)}
    if isinstance(value, np.random.RandomState | np.random.Generator):
        return None  # a fitted tree does not need its seed to predict
    if isinstance(value, Mapping):
        return {
            "$dict": [
                [_scalar(k, f"key of {name}"), _encode_param(name, v)] for k, v in value.items()
            ]
        }
    if isinstance(value, list | tuple | np.ndarray):
        return [
            _encode_param(name, v)
            for v in (value.tolist() if isinstance(value, np.ndarray) else value)
        ]
    return _scalar(value, f"parameter {name}")


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
    >>> from treelearn import ID3Classifier
    >>> from treelearn.datasets import load_play_tennis
    >>> X, y = load_play_tennis(as_frame=True, return_X_y=True)
    >>> clf = ID3Classifier().fit(X, y)
    >>> text = clf.to_json()
    >>> again = load_json(text)
    >>> (again.predict_proba(X) == clf.predict_proba(X)).all()
    np.True_
    """
    from treelearn._classes import BaseDecisionTree

    if not isinstance(estimator, BaseDecisionTree):
        raise TypeError(f"expected a treelearn estimator, got {type(estimator).__name__}")
    check_is_fitted(estimator, "tree_")
    tree: Tree = estimator.tree_
    arrays: dict[str, Any] = {}
    for name, arr in tree.to_arrays().items():
        if arr.dtype.kind == "f":
            arrays[name] = [_float_list(row) for row in arr] if arr.ndim == 2 else _float_list(arr)
        else:
            arrays[name] = arr.tolist()
    classes = np.asarray(estimator.classes_)
    names = getattr(estimator, "feature_names_in_", None)
    features = []
    for j, cats in enumerate(estimator.categories_):
        if cats is None:
            features.append({"categorical": False, "categories": None})
        else:
            values = [_scalar(v, f"category of feature {j}") for v in np.asarray(cats).tolist()]
            features.append({"categorical": True, "categories": {"values": values}})
    params = {k: _encode_param(k, v) for k, v in estimator.get_params(deep=False).items()}
    doc = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "treelearn_version": _version(),
        "estimator": type(estimator).__name__,
        "params": params,
        "criterion": _encode_criterion(estimator.criterion_),
        "classes": {
            "dtype": classes.dtype.str if classes.dtype.kind != "O" else "object",
            "values": [_scalar(v, "class label") for v in classes.tolist()],
        },
        "n_features_in": int(estimator.n_features_in_),
        "feature_names_in": None if names is None else [str(v) for v in names],
        "features": features,
        "max_features": int(getattr(estimator, "max_features_", estimator.n_features_in_)),
        "tree": {
            "n_features": tree.n_features,
            "n_classes": tree.n_classes,
            "node_count": tree.node_count,
            "arrays": arrays,
        },
    }
    text = json.dumps(doc, indent=indent, ensure_ascii=False, allow_nan=False)
    if path is not None:
        Path(path).write_text(text, encoding="utf-8")
    return text


def _version() -> str:
    from treelearn._version import __version__

    return __version__


# ----------------------------------------------------------------------------- reading
class _Invalid(ValueError):
    pass


def _fail(where: str, problem: str) -> None:
    raise _Invalid(f"invalid treelearn JSON: {where}: {problem}")


def _get(doc: Mapping, key: str, where: str) -> Any:
    if key not in doc:
        _fail(where, f"missing key {key!r}")
    return doc[key]


def _expect(value: Any, kind: type | tuple, where: str, what: str) -> Any:
    if isinstance(value, bool) and bool not in (kind if isinstance(kind, tuple) else (kind,)):
        _fail(where, f"expected {what}, got a boolean")
    if not isinstance(value, kind):
        _fail(where, f"expected {what}, got {type(value).__name__}")
    return value


def _int(value: Any, where: str, lo: int | None = None, hi: int | None = None) -> int:
    _expect(value, int, where, "an integer")
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        _fail(where, f"{value} is out of range [{lo}, {hi}]")
    return value


def _json_scalar(value: Any, where: str) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    _fail(where, f"expected a string, number or boolean, got {type(value).__name__}")
    return None


def _int_array(values: Any, where: str, dtype: type, length: int) -> np.ndarray:
    _expect(values, list, where, "a list of integers")
    if len(values) != length:
        _fail(where, f"has {len(values)} entries, expected {length}")
    info = np.iinfo(dtype)
    for v in values:
        if type(v) is not int:
            _fail(where, f"expected integers, found {type(v).__name__} {v!r}")
        if not info.min <= v <= info.max:
            _fail(where, f"value {v} does not fit {np.dtype(dtype).name}")
    return np.asarray(values, dtype=dtype).reshape(length)


def _float_value(v: Any, where: str) -> float:
    if v is None:
        return math.nan
    if type(v) in (int, float):
        return float(v)
    if v == "Infinity":
        return math.inf
    if v == "-Infinity":
        return -math.inf
    _fail(where, f"expected numbers (or null for NaN), found {type(v).__name__} {v!r}")
    return math.nan


def _float_array(values: Any, where: str, length: int) -> np.ndarray:
    _expect(values, list, where, "a list of numbers")
    if len(values) != length:
        _fail(where, f"has {len(values)} entries, expected {length}")
    return np.asarray([_float_value(v, where) for v in values], dtype=np.float64).reshape(length)


def _decode_criterion(spec: Any, where: str, criteria: Mapping | None) -> SplitCriterion:
    _expect(spec, dict, where, "an object")
    labels = {}
    for key in ("name", "impurity_label", "score_label", "unit"):
        labels[key] = _expect(_get(spec, key, where), str, f"{where}.{key}", "a string")
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
    _expect(cls_name, str, f"{where}.class", "a string or null")
    if cls_name not in _BUILTIN_CRITERIA:
        _fail(
            f"{where}.class",
            f"unknown criterion class {cls_name!r}; built-ins are {sorted(_BUILTIN_CRITERIA)}",
        )
    params = spec.get("params", {})
    _expect(params, dict, f"{where}.params", "an object")
    cls = _BUILTIN_CRITERIA[cls_name]
    crit = cls()
    allowed = vars(crit)
    for key, value in params.items():
        if key not in allowed:
            _fail(f"{where}.params", f"unknown parameter {key!r} for {cls_name}")
        if type(value) not in (int, float):
            _fail(f"{where}.params.{key}", "expected a number")
        setattr(crit, key, value)
    return crit


def _decode_param(value: Any, where: str, criteria: Mapping | None) -> Any:
    if isinstance(value, list):
        return [_decode_param(v, f"{where}[{i}]", criteria) for i, v in enumerate(value)]
    if isinstance(value, dict):
        if set(value) == {"$criterion"}:
            return _decode_criterion(value["$criterion"], where, criteria)
        if set(value) == {"$dict"}:
            items = _expect(value["$dict"], list, where, "a list of pairs")
            out = {}
            for i, pair in enumerate(items):
                if not (isinstance(pair, list) and len(pair) == 2):
                    _fail(f"{where}[{i}]", "expected a [key, value] pair")
                key = _json_scalar(pair[0], f"{where}[{i}]")
                out[key] = _decode_param(pair[1], f"{where}[{i}]", criteria)
            return out
        _fail(where, f"unknown encoded value with keys {sorted(value)}")
    return _json_scalar(value, where)


def _decode_labels(spec: Any, where: str) -> np.ndarray:
    _expect(spec, dict, where, "an object")
    dtype_text = _expect(_get(spec, "dtype", where), str, f"{where}.dtype", "a string")
    if not _CLASSES_DTYPE.match(dtype_text):
        _fail(f"{where}.dtype", f"unsupported dtype {dtype_text!r}")
    values = _expect(_get(spec, "values", where), list, f"{where}.values", "a list")
    if not values:
        _fail(f"{where}.values", "no classes")
    values = [_json_scalar(v, f"{where}.values") for v in values]
    try:
        arr = np.asarray(values, dtype=np.dtype(dtype_text))
    except (TypeError, ValueError, OverflowError) as exc:
        _fail(f"{where}.values", f"cannot be read as {dtype_text}: {exc}")
    if arr.ndim != 1 or arr.shape[0] != len(values) or arr.tolist() != values:
        _fail(f"{where}.values", f"do not fit dtype {dtype_text}")
    if len(set(arr.tolist())) != len(values):
        _fail(f"{where}.values", "class labels must be distinct")
    return arr


def _check_tree(tree: Any, n_categories: np.ndarray, where: str) -> None:
    """Structural checks: ranges, shapes and that the nodes form one tree.

    ``tree`` holds the arrays (as attributes) before a :class:`Tree` is built.
    """
    n = tree.feature.shape[0]
    kind, fc, nc = tree.split_kind, tree.first_child, tree.n_children
    if n < 1:
        _fail(where, "the tree has no node")
    if not np.isin(kind, (SPLIT_LEAF, SPLIT_NUMERIC, SPLIT_CATEGORICAL)).all():
        _fail(f"{where}.split_kind", "values must be 0 (leaf), 1 (numeric) or 2 (categorical)")
    leaf = kind == SPLIT_LEAF
    if (nc[leaf] != 0).any() or (fc[leaf] != -1).any():
        _fail(where, "a leaf must have n_children 0 and first_child -1")
    internal = ~leaf
    if (nc[internal] < 2).any():
        _fail(f"{where}.n_children", "an internal node needs at least 2 children")
    if (kind == SPLIT_NUMERIC)[internal].any() and (nc[kind == SPLIT_NUMERIC] != 2).any():
        _fail(f"{where}.n_children", "a numeric split has exactly 2 children")
    end = fc.astype(np.int64) + nc
    if ((fc[internal] < 1) | (end[internal] > n)).any():
        _fail(f"{where}.first_child", "child indices out of range")
    # every node but the root is the child of exactly one node
    cover = np.zeros(n + 1, dtype=np.int64)
    np.add.at(cover, fc[internal], 1)
    np.add.at(cover, end[internal], -1)
    cover = np.cumsum(cover)[:n]
    if cover[0] != 0 or (cover[1:] != 1).any():
        _fail(f"{where}.first_child", "child ranges overlap, skip nodes or point at the root")
    # the ranges tile 1..n-1: sorted by start, they list the children in id order
    ids = np.flatnonzero(internal)
    ids = ids[np.argsort(fc[ids], kind="stable")]
    owner = np.full(n, -1, dtype=np.int64)
    owner[1:] = np.repeat(ids, nc[ids])
    if (tree.parent != owner).any():
        _fail(f"{where}.parent", "does not match the children ranges")
    kids = np.arange(1, n)
    if tree.depth[0] != 0 or (tree.depth[kids] != tree.depth[owner[kids]] + 1).any():
        _fail(f"{where}.depth", "does not match the children ranges")
    # every node reaches the root by parent links (pointer doubling): no cycles
    up = np.where(owner >= 0, owner, 0)
    for _ in range(max(1, int(n).bit_length() + 1)):
        up = up[up]
    if (up != 0).any():
        _fail(where, f"{int((up != 0).sum())} node(s) are not reachable from the root (cycle)")
    # features and splits
    feat = tree.feature
    if (feat[leaf] != -2).any():
        _fail(f"{where}.feature", "leaves must have feature -2")
    if ((feat[internal] < 0) | (feat[internal] >= tree.n_features)).any():
        _fail(f"{where}.feature", "feature index out of range")
    numeric = kind == SPLIT_NUMERIC
    categorical = kind == SPLIT_CATEGORICAL
    if (n_categories[feat[numeric]] != 0).any():
        _fail(f"{where}.split_kind", "a numeric split on a categorical feature")
    if (n_categories[feat[categorical]] == 0).any():
        _fail(f"{where}.split_kind", "a categorical split on a numeric feature")
    if not np.isfinite(tree.threshold[numeric]).all():
        _fail(f"{where}.threshold", "numeric thresholds must be finite")
    ptr, branch = tree.category_ptr, tree.category_branch
    if ptr[0] != 0 or ptr[-1] != branch.shape[0] or (np.diff(ptr) < 0).any():
        _fail(f"{where}.category_ptr", "must rise from 0 to len(category_branch)")
    width = np.diff(ptr)
    if (width[~categorical] != 0).any():
        _fail(f"{where}.category_ptr", "only categorical splits have a routing table")
    if (width[categorical] > n_categories[feat[categorical]]).any():
        _fail(f"{where}.category_ptr", "routing table longer than the feature's categories")
    slot_limit = np.repeat(nc, width)
    if ((branch < -1) | (branch >= slot_limit)).any():
        _fail(f"{where}.category_branch", "routes a category to a child slot that does not exist")
    # numbers
    if not np.isfinite(tree.value).all() or (tree.value < 0).any():
        _fail(f"{where}.value", "class counts must be finite and non-negative")
    mf = tree.missing_fraction
    if not np.isfinite(mf).all() or ((mf < 0) | (mf > 1)).any():
        _fail(f"{where}.missing_fraction", "must lie in [0, 1]")
    if (tree.n_node_samples < 0).any():
        _fail(f"{where}.n_node_samples", "must be non-negative")
    if not np.isfinite(tree.impurity).all():
        _fail(f"{where}.impurity", "must be finite")


def _read_source(source: Any) -> str:
    if hasattr(source, "read"):
        source = source.read()
    if isinstance(source, bytes | bytearray):
        return bytes(source).decode("utf-8")
    if isinstance(source, os.PathLike):
        return Path(source).read_text(encoding="utf-8")
    if isinstance(source, str):
        head = source.lstrip()[:1]
        if head in ("{", "[", '"') or "\n" in source or len(source) > 4096 or not head:
            return source  # JSON text (any non-object is rejected when read)
        path = Path(source)
        if not path.is_file():
            raise FileNotFoundError(
                f"load_json: {source!r} is neither JSON text nor an existing file"
            )
        return path.read_text(encoding="utf-8")
    raise TypeError(
        f"load_json takes JSON text, bytes, a path or a file, got {type(source).__name__}"
    )


def _reject_constant(name: str) -> None:
    raise _Invalid(f"invalid treelearn JSON: non-standard constant {name} (NaN is written null)")


def load_json(source: Any, *, criteria: Mapping[str, Any] | None = None):
    """Load an estimator written by ``estimator.to_json()``.

    Parameters
    ----------
    source : str, bytes, path or file
        The JSON text, or a path / open file holding it.
    criteria : dict of str to SplitCriterion, optional
        User-defined criteria by name, to restore an estimator grown with one so
        that it can be refitted (predicting and exporting work without).

    Returns
    -------
    estimator
        A fitted treelearn estimator whose ``predict_proba`` equals the saved one's.

    Raises
    ------
    ValueError
        If the document is not valid JSON, not a treelearn document, of another
        format version, or inconsistent in any way (shapes, indices, structure).
    """
    from treelearn import _classes

    text = _read_source(source)
    try:
        doc = json.loads(text, parse_constant=_reject_constant)
    except _Invalid:
        raise
    except (json.JSONDecodeError, RecursionError) as exc:
        raise ValueError(f"invalid treelearn JSON: not a JSON document ({exc})") from None
    try:
        return _build(doc, criteria, _classes)
    except _Invalid:
        raise
    except (KeyError, IndexError, TypeError, OverflowError) as exc:
        raise ValueError(f"invalid treelearn JSON: {type(exc).__name__}: {exc}") from None


def _build(doc: Any, criteria: Mapping | None, classes_module) -> Any:
    _expect(doc, dict, "document", "a JSON object")
    if doc.get("format") != FORMAT:
        _fail("format", f"expected {FORMAT!r}, got {doc.get('format')!r}")
    version = _get(doc, "format_version", "document")
    if type(version) is not int or version != FORMAT_VERSION:
        _fail(
            "format_version",
            f"unsupported version {version!r}; this treelearn reads version {FORMAT_VERSION}",
        )
    estimators = {name: getattr(classes_module, name) for name in classes_module.__all__}
    name = _expect(_get(doc, "estimator", "document"), str, "estimator", "a string")
    if name not in estimators:
        _fail("estimator", f"unknown estimator {name!r}; expected one of {sorted(estimators)}")
    cls = estimators[name]
    params_doc = _expect(_get(doc, "params", "document"), dict, "params", "an object")
    known = cls().get_params(deep=False)
    params = {}
    for key, value in params_doc.items():
        if key not in known:
            _fail("params", f"unknown parameter {key!r} for {name}")
        params[key] = _decode_param(value, f"params.{key}", criteria)
    estimator = cls(**params)
    try:
        estimator._validate_params()
    except ValueError as exc:
        _fail("params", str(exc))

    n_features = _int(_get(doc, "n_features_in", "document"), "n_features_in", 1)
    names = doc.get("feature_names_in")
    if names is not None:
        _expect(names, list, "feature_names_in", "a list of strings or null")
        if len(names) != n_features or not all(isinstance(v, str) for v in names):
            _fail("feature_names_in", f"expected {n_features} strings")
    features = _expect(_get(doc, "features", "document"), list, "features", "a list")
    if len(features) != n_features:
        _fail("features", f"has {len(features)} entries, expected {n_features}")
    is_cat = np.zeros(n_features, dtype=bool)
    categories: list = []
    for j, spec in enumerate(features):
        where = f"features[{j}]"
        _expect(spec, dict, where, "an object")
        cat = _expect(_get(spec, "categorical", where), bool, f"{where}.categorical", "a boolean")
        cats = spec.get("categories")
        if not cat:
            if cats is not None:
                _fail(f"{where}.categories", "a numeric feature has no categories")
            categories.append(None)
            continue
        _expect(cats, dict, f"{where}.categories", "an object")
        values = _expect(_get(cats, "values", where), list, f"{where}.categories.values", "a list")
        values = [_json_scalar(v, f"{where}.categories.values") for v in values]
        arr = np.empty(len(values), dtype=object)
        arr[:] = values
        if not pd.Index(arr, dtype=object).is_unique:
            _fail(f"{where}.categories.values", "categories must be distinct")
        is_cat[j] = True
        categories.append(arr)
    n_categories = np.array([0 if c is None else len(c) for c in categories], dtype=np.int64)

    class_values = _decode_labels(_get(doc, "classes", "document"), "classes")
    crit = _decode_criterion(_get(doc, "criterion", "document"), "criterion", criteria)

    tree_doc = _expect(_get(doc, "tree", "document"), dict, "tree", "an object")
    node_count = _int(_get(tree_doc, "node_count", "tree"), "tree.node_count", 1)
    n_classes = _int(_get(tree_doc, "n_classes", "tree"), "tree.n_classes", 1)
    if n_classes != class_values.shape[0]:
        _fail("tree.n_classes", f"{n_classes} but there are {class_values.shape[0]} classes")
    if _int(_get(tree_doc, "n_features", "tree"), "tree.n_features", 1) != n_features:
        _fail("tree.n_features", f"does not equal n_features_in ({n_features})")
    arrays_doc = _expect(_get(tree_doc, "arrays", "tree"), dict, "tree.arrays", "an object")
    expected = {*Tree.NODE_ARRAYS, "value", "category_ptr", "category_branch"}
    extra = set(arrays_doc) - expected
    if extra:
        _fail("tree.arrays", f"unknown arrays {sorted(extra)}")
    arrays: dict[str, np.ndarray] = {}
    for key, dtype in Tree.NODE_ARRAYS.items():
        where = f"tree.arrays.{key}"
        values = _get(arrays_doc, key, "tree.arrays")
        if np.dtype(dtype).kind == "f":
            arrays[key] = _float_array(values, where, node_count)
        else:
            arrays[key] = _int_array(values, where, dtype, node_count)
    value = _expect(
        _get(arrays_doc, "value", "tree.arrays"), list, "tree.arrays.value", "a list of rows"
    )
    if len(value) != node_count:
        _fail("tree.arrays.value", f"has {len(value)} rows, expected {node_count}")
    arrays["value"] = np.stack(
        [_float_array(row, f"tree.arrays.value[{i}]", n_classes) for i, row in enumerate(value)]
    )
    arrays["category_ptr"] = _int_array(
        _get(arrays_doc, "category_ptr", "tree.arrays"),
        "tree.arrays.category_ptr",
        np.int64,
        node_count + 1,
    )
    branch = _get(arrays_doc, "category_branch", "tree.arrays")
    _expect(branch, list, "tree.arrays.category_branch", "a list of integers")
    arrays["category_branch"] = _int_array(
        branch, "tree.arrays.category_branch", np.int32, len(branch)
    )
    _check_tree(SimpleNamespace(n_features=n_features, **arrays), n_categories, "tree.arrays")
    tree = Tree(n_features, n_classes, arrays)

    max_features = doc.get("max_features", n_features)
    _int(max_features, "max_features", 1, n_features)

    estimator.classes_ = class_values
    estimator.n_classes_ = int(class_values.shape[0])
    estimator.n_outputs_ = 1
    estimator.n_features_in_ = n_features
    if names is not None:
        estimator.feature_names_in_ = np.asarray(names, dtype=object)
    estimator._encoding = FeatureEncoding(is_categorical=is_cat, categories=categories)
    estimator.categorical_features_ = is_cat.copy()
    estimator.categories_ = list(categories)
    estimator.criterion_ = crit
    estimator.tree_ = tree
    estimator.max_features_ = max_features
    return estimator
