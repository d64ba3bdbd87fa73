"""Digest of every fitted tree and prediction over a fixed set of configurations.

The restructure of issue 11 must leave every tree bit-identical. This script fits
each configuration below and prints (or writes) SHA-256 digests of every tree array,
of ``predict_proba`` / ``predict`` / ``apply`` / ``decision_path`` on the training
data and on a copy with 10 % of the values knocked out, of ``feature_importances_``,
of the cost-complexity pruning path where it applies, and of ``export_text`` and
``export_graphviz``. ``tests/test_snapshot.py`` compares against the stored file.

Floating-point sums may round differently under another numpy, so the digests are
only compared under the numpy major.minor that wrote them. The criterion's values
(impurity, split score, gain, the competitors' scores and gains, the importances and the
pruning path) are digested rounded to 8 significant digits: numpy's ``log2`` and
friends differ in the last bit between builds and CPUs (its SIMD dispatch; seen here
between two machines with the same numpy 2.4), and a digest of those bits would fail on
a tree that has not changed. Everything else -- the tree's structure, thresholds,
counts, routing, predictions, exports -- is digested bit for bit.

Usage::

    python tests/snapshot/make_snapshot.py --write    # rewrite tests/snapshot/digests.json
    python tests/snapshot/make_snapshot.py --check    # compare, list the differences
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
DIGESTS = HERE / "digests.json"

sys.path.insert(0, str(HERE.parent))  # the tests folder: the J48 option settings
from test_c45_j48 import SETTINGS as J48_SETTINGS  # noqa: E402


def _digest(arr) -> str:
    arr = np.ascontiguousarray(arr)
    h = hashlib.sha256()
    h.update(str(arr.dtype).encode())
    h.update(str(arr.shape).encode())
    if arr.dtype.kind == "O":
        h.update(repr(arr.tolist()).encode())
    else:
        h.update(arr.tobytes())
    return h.hexdigest()[:16]


# the arrays that hold a criterion's value (see the module docstring)
CRITERION_VALUES = frozenset(
    {"impurity", "split_score", "gain", "competitor_score", "competitor_gain"}
)


def _rounded_digest(arr) -> str:
    """Digest of ``arr`` rounded to 8 significant digits (NaN and infinities kept)."""
    arr = np.asarray(arr, dtype=np.float64)
    text = np.array([f"{v:.7e}" for v in arr.ravel().tolist()], dtype=object)
    return _digest(text.reshape(arr.shape))


def _text_digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _synthetic():
    """Small numeric sets that exercise ties, weights, NaN and many classes."""
    rng = np.random.default_rng(7)
    out = {}
    X = rng.normal(size=(600, 6))
    y = (X[:, 0] + 0.5 * X[:, 1] ** 2 + rng.normal(scale=0.7, size=600) > 0.4).astype(int)
    y += (X[:, 2] > 1).astype(int)
    out["numeric"] = (X, y, None)
    Xt = np.round(rng.normal(size=(500, 5)) * 2) / 2  # many ties
    yt = rng.integers(0, 4, 500)
    yt[Xt[:, 0] > 0.5] = 0
    out["ties"] = (Xt, yt, None)
    w = rng.integers(1, 4, size=600).astype(float)
    out["weights_int"] = (X, y, w)
    out["weights_real"] = (X, y, rng.uniform(0.1, 3.0, size=600))
    Xn = X.copy()
    Xn[rng.random(Xn.shape) < 0.1] = np.nan
    out["nan"] = (Xn, y, None)
    out["nan_weights"] = (Xn, y, rng.uniform(0.1, 3.0, size=600))
    Xc = np.column_stack([rng.integers(0, 5, 400), rng.integers(0, 3, 400), rng.normal(size=400)])
    yc = (Xc[:, 0] % 2 + (Xc[:, 2] > 0)).astype(int)
    Xc = Xc.astype(float)
    Xc[rng.random(Xc.shape) < 0.05] = np.nan
    out["mixed_codes"] = (Xc, yc, None)
    return out


def configurations():
    """``(name, estimator factory, X, y, sample_weight)`` for every configuration."""
    from treelearn import C45Classifier, CARTClassifier, DecisionTreeClassifier, ID3Classifier
    from treelearn.datasets import list_datasets, load_dataset

    configs = []
    synth = _synthetic()
    basic = {
        "dt_entropy": lambda: DecisionTreeClassifier(),
        "dt_gini": lambda: DecisionTreeClassifier(criterion="gini"),
        "dt_gain_ratio": lambda: DecisionTreeClassifier(criterion="gain_ratio"),
        "cart": lambda: CARTClassifier(),
        "c45": lambda: C45Classifier(),
        "c45_U": lambda: C45Classifier(pruning=None),
        "dt_msl5": lambda: DecisionTreeClassifier(min_samples_leaf=5, criterion="gini"),
        "dt_mwfl": lambda: DecisionTreeClassifier(min_weight_fraction_leaf=0.02),
        "dt_depth3": lambda: DecisionTreeClassifier(max_depth=3),
        "dt_mss10": lambda: DecisionTreeClassifier(min_samples_split=10),
        "dt_maxfeat": lambda: DecisionTreeClassifier(max_features=2, random_state=3),
        "dt_leaves": lambda: DecisionTreeClassifier(max_leaf_nodes=9),
        "dt_mid": lambda: DecisionTreeClassifier(min_impurity_decrease=0.01),
        "cart_ccp": lambda: CARTClassifier(ccp_alpha=0.01),
        "cart_balanced": lambda: CARTClassifier(class_weight="balanced"),
    }
    for data_name, (X, y, w) in synth.items():
        for est_name, make in basic.items():
            configs.append((f"{data_name}/{est_name}", make, X, y, w))
    Xc, yc, _ = synth["mixed_codes"]
    for est_name, make in {
        "id3": lambda: ID3Classifier(categorical_features=[0, 1]),
        "cart": lambda: CARTClassifier(categorical_features=[0, 1]),
        "cart_msl3": lambda: CARTClassifier(categorical_features=[0, 1], min_samples_leaf=3),
        "c45": lambda: C45Classifier(categorical_features=[0, 1]),
        "c45_B": lambda: C45Classifier(categorical_features=[0, 1], categorical_split="binary"),
        "dt_binary_entropy": lambda: DecisionTreeClassifier(
            categorical_features=[0, 1], categorical_split="binary"
        ),
    }.items():
        configs.append((f"mixed_cat/{est_name}", make, Xc, yc, None))
    presets = {
        "id3": lambda: ID3Classifier(),
        "cart": lambda: CARTClassifier(),
        "dt": lambda: DecisionTreeClassifier(),
        "dt_gini_binary": lambda: DecisionTreeClassifier(
            criterion="gini", categorical_split="binary"
        ),
        "cart_msl4": lambda: CARTClassifier(min_samples_leaf=4),
        "cart_cv": lambda: CARTClassifier(ccp_alpha="cv", random_state=0),
        "id3_leaves": lambda: ID3Classifier(max_leaf_nodes=6),
    }
    for setting, params in J48_SETTINGS.items():
        presets[f"c45_{setting}"] = lambda p=params: C45Classifier(**p)
    for ds in list_datasets():
        X, y = load_dataset(ds, return_X_y=True)
        for est_name, make in presets.items():
            configs.append((f"{ds}/{est_name}", make, X, y, None))
    return configs


def _knock_out(X, seed=11):
    """A copy of X with 10 % of its cells missing (pandas or numpy)."""
    import pandas as pd

    rng = np.random.default_rng(seed)
    if isinstance(X, pd.DataFrame):
        Xm = X.copy()
        mask = rng.random(X.shape) < 0.1
        for j, col in enumerate(Xm.columns):
            Xm.loc[mask[:, j], col] = None if Xm[col].dtype == object else np.nan
        return Xm
    Xm = np.array(X, dtype=float, copy=True)
    Xm[rng.random(Xm.shape) < 0.1] = np.nan
    return Xm


def digest_of(make, X, y, w) -> dict:
    from treelearn.export import export_graphviz, export_text

    est = make().fit(X, y, sample_weight=w)
    out = {}
    for name, arr in est.tree_.to_arrays().items():
        digest = _rounded_digest if name in CRITERION_VALUES else _digest
        out[f"tree.{name}"] = digest(arr)
    Xm = _knock_out(X)
    for label, data in (("train", X), ("missing", Xm)):
        out[f"{label}.proba"] = _digest(est.predict_proba(data))
        out[f"{label}.predict"] = _digest(np.asarray(est.predict(data)).astype(str))
        out[f"{label}.apply"] = _digest(est.apply(data))
        dp = est.decision_path(data).tocsr()
        out[f"{label}.path"] = _digest(np.r_[dp.indptr, dp.indices])
    out["importances"] = _rounded_digest(est.feature_importances_)
    chosen = getattr(est, "ccp_alpha_", None)  # chosen by cross-validation: a criterion value
    out["ccp_alpha_"] = repr(chosen) if chosen is None else f"{float(chosen):.7e}"
    out["text"] = _text_digest(export_text(est))
    out["dot"] = _text_digest(export_graphviz(est))
    if type(est).__name__ == "CARTClassifier" and not isinstance(est.ccp_alpha, str):
        path = est.cost_complexity_pruning_path(X, y, sample_weight=w)
        out["ccp_path"] = _rounded_digest(np.r_[path.ccp_alphas, path.impurities])
    return out


def compute() -> dict:
    import warnings

    result = {"numpy": ".".join(np.__version__.split(".")[:2]), "configs": {}}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name, make, X, y, w in configurations():
            result["configs"][name] = digest_of(make, X, y, w)
    return result


def differences(expected: dict, actual: dict) -> list[str]:
    lines = []
    for name, digests in expected["configs"].items():
        got = actual["configs"].get(name)
        if got is None:
            lines.append(f"{name}: missing")
            continue
        for key, value in digests.items():
            if got.get(key) != value:
                lines.append(f"{name}: {key} differs")
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true")
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    result = compute()
    if args.write:
        DIGESTS.write_text(json.dumps(result, indent=1, sort_keys=True) + "\n")
        print(f"{len(result['configs'])} configurations written to {DIGESTS}")
        return 0
    if args.check:
        diff = differences(json.loads(DIGESTS.read_text()), result)
        print("\n".join(diff) if diff else f"all {len(result['configs'])} configurations identical")
        return 1 if diff else 0
    json.dump(result, sys.stdout, indent=1, sort_keys=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
