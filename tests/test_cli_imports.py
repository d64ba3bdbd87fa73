"""The command line only parses, calls the public API and prints.

An AST check over ``treelearn/cli.py``: every name it imports from treelearn is public.
The one private module it may name is ``treelearn._version`` (``__version__`` lives
there, and the package facade that re-exports it is a layer above the command line).
"""

from __future__ import annotations

import ast
from pathlib import Path

CLI = Path(__file__).resolve().parents[1] / "treelearn" / "cli.py"
ALLOWED_PRIVATE_MODULES = {"treelearn._version"}


def _is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _treelearn_imports(tree: ast.AST) -> list[tuple[str, str | None]]:
    """``(module, name)`` of every treelearn import, function-level ones included."""
    found: list[tuple[str, str | None]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((a.name, None) for a in node.names if a.name.startswith("treelearn"))
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, "cli.py uses absolute imports"
            module = node.module or ""
            if module.split(".")[0] == "treelearn":
                found.extend((module, a.name) for a in node.names)
    return found


def test_cli_imports_no_private_treelearn_name():
    imports = _treelearn_imports(ast.parse(CLI.read_text(encoding="utf-8")))
    assert imports, "the checker found no treelearn import in cli.py"
    private = []
    for module, name in imports:
        parts = module.split(".")
        if module not in ALLOWED_PRIVATE_MODULES and any(_is_private(p) for p in parts):
            private.append(module)
        if name is not None and _is_private(name):
            private.append(f"{module}.{name}")
    assert not private, f"cli.py imports private treelearn names: {private}"


def test_cli_reads_no_private_attribute_of_treelearn_modules():
    """``compare._primary(...)`` would dodge the import check; so would this."""
    tree = ast.parse(CLI.read_text(encoding="utf-8"))
    imported_modules = {
        alias.asname or alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("treelearn")
        for alias in node.names
    } | {
        (alias.asname or alias.name).split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
        if alias.name.startswith("treelearn")
    }
    reads = [
        f"{node.value.id}.{node.attr}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id in imported_modules
        and _is_private(node.attr)
    ]
    assert not reads, f"cli.py reads private attributes: {reads}"


def test_the_checker_sees_private_names(tmp_path):
    source = (
        "from treelearn.compare import _primary, mean_ranks\n"
        "def f():\n"
        "    from treelearn._data import fit_encoding\n"
        "    import treelearn._tree\n"
    )
    found = _treelearn_imports(ast.parse(source))
    assert ("treelearn.compare", "_primary") in found
    assert ("treelearn._data", "fit_encoding") in found
    assert ("treelearn._tree", None) in found
