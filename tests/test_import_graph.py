"""The package's import graph: no circle, and no module imports a higher layer.

Every import counts, function-level ones included (they hide circles, not remove
them); only imports under ``if TYPE_CHECKING:`` are left out, since they never run.
The layers are the ones CONTRIBUTING.md describes, lowest first. A new module must
be placed in one: an unplaced module fails the test.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "treelearn"

# Lowest first. A module may import modules of its own layer (without a circle) or of
# lower layers, never of higher ones. An entry ending in "." takes a whole package.
LAYERS: list[tuple[str, list[str]]] = [
    (
        "foundations",
        [
            "treelearn._version",
            "treelearn._tolerances",
            "treelearn._threads",
            "treelearn._scratch",
            "treelearn._accelerator",
        ],
    ),
    ("information measures", ["treelearn.information", "treelearn.information."]),
    ("criteria", ["treelearn.criteria", "treelearn.criteria."]),
    (
        "tree arrays",
        [
            "treelearn._missing",
            "treelearn._split_lists",
            "treelearn._surrogate_tables",
            "treelearn._sparse_values",
            "treelearn._competitor_tables",
            "treelearn._numba_descent",
            "treelearn._routing",
            "treelearn._tree",
            "treelearn._tree_multioutput",
            "treelearn._tree_surgery",
            "treelearn._tree_checks",
        ],
    ),
    (
        "data",
        ["treelearn._validation", "treelearn._data", "treelearn.datasets", "treelearn.datasets."],
    ),
    (
        "growth",
        [
            "treelearn._budget",
            "treelearn._growth_rules",
            "treelearn._c45_rules",
            "treelearn._split_numeric",
            "treelearn._split_random",
            "treelearn._split_square_sums",
            "treelearn._split_categorical",
            "treelearn._numba_kernels",
            "treelearn._partition",
            "treelearn._surrogates",
            "treelearn._sparse_store",
            "treelearn._sparse_surrogates",
            "treelearn._builder",
            "treelearn._multioutput",
            "treelearn._binning",
            "treelearn._hist_sparse",
            "treelearn._split_hist",
            "treelearn._hist_cells",
            "treelearn._builder_hist",
        ],
    ),
    (
        "pruning",
        [
            "treelearn._pruning_ccp",
            "treelearn._j48_estimates",
            "treelearn._pruning_error_based",
            "treelearn._pruning_reduced_error",
            "treelearn._pruning_rpart",
        ],
    ),
    ("persistence codec", ["treelearn._json_values", "treelearn._persistence"]),
    (
        "estimators",
        [
            "treelearn._to_sklearn",
            "treelearn._dask",
            "treelearn._base",
            "treelearn._model_selection",
            "treelearn._classes",
        ],
    ),
    ("export", ["treelearn.export", "treelearn.export."]),
    ("compare", ["treelearn.compare", "treelearn.compare."]),
    ("command line", ["treelearn.cli", "treelearn.cli.", "treelearn.__main__"]),
    ("package facade", ["treelearn"]),
]


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_module(name: str) -> bool:
    rel = Path(*name.split("."))
    base = PACKAGE.parent / rel
    return base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()


def _type_checking_lines(tree: ast.AST) -> set[int]:
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                for sub in ast.walk(child):
                    if hasattr(sub, "lineno"):
                        lines.add(sub.lineno)
    return lines


def _imports(path: Path, name: str) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = _type_checking_lines(tree)
    is_package = path.name == "__init__.py"
    out: set[str] = set()
    for node in ast.walk(tree):
        if getattr(node, "lineno", None) in skip:
            continue
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names if a.name.split(".")[0] == "treelearn")
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".")
                drop = node.level - (1 if is_package else 0)
                base = base[: len(base) - drop] if drop else base
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            if module.split(".")[0] != "treelearn":
                continue
            for alias in node.names:
                sub = f"{module}.{alias.name}"
                out.add(sub if _is_module(sub) else module)
    out.discard(name)
    return out


def _graph() -> dict[str, set[str]]:
    return {_module_name(p): _imports(p, _module_name(p)) for p in sorted(PACKAGE.rglob("*.py"))}


def _layer(module: str) -> int | None:
    for i, (_, members) in enumerate(LAYERS):
        for m in members:
            if module == m or (m.endswith(".") and module.startswith(m)):
                return i
    return None


def test_every_module_has_a_layer() -> None:
    unplaced = sorted(m for m in _graph() if _layer(m) is None)
    assert not unplaced, f"place these modules in a layer of {__file__}: {unplaced}"


def test_no_module_imports_a_higher_layer() -> None:
    upward = []
    for module, deps in _graph().items():
        mine = _layer(module)
        for dep in deps:
            theirs = _layer(dep)
            if mine is not None and theirs is not None and theirs > mine:
                upward.append(f"{module} ({LAYERS[mine][0]}) -> {dep} ({LAYERS[theirs][0]})")
    assert not upward, "upward imports:\n" + "\n".join(sorted(upward))


def test_no_import_circle() -> None:
    graph = _graph()
    # a package's __init__ importing its own submodules is how packages are made;
    # a submodule importing its package facade back is a circle
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:  # Tarjan's strongly connected components
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in graph:
                continue
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                cycles.append(sorted(comp))

    for v in graph:
        if v not in index:
            visit(v)
    assert not cycles, f"import circles: {cycles}"


def test_the_checker_sees_function_level_imports_and_skips_type_checking(tmp_path) -> None:
    fake = tmp_path / "fake.py"
    fake.write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        "    from treelearn._tree import Tree\n"
        "def f():\n"
        "    from treelearn import _classes, criteria\n"
        "    import treelearn.export\n"
    )
    found = _imports(fake, "treelearn._fake")
    assert found == {"treelearn._classes", "treelearn.criteria", "treelearn.export"}
