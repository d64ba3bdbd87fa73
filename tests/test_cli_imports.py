"""The command line only parses, calls the public API and prints.

An AST check over the ``treelearn/cli/`` package: every name it imports from treelearn
is public, but for its own modules (``treelearn.cli._parser``, ...). The private
modules it may name are ``treelearn._version`` and ``treelearn._classes``:
``__version__`` and ``load_json`` live there, and the package facade that re-exports
them is a layer above the command line.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

CLI_DIR = Path(__file__).resolve().parents[1] / "treelearn" / "cli"
CLI_FILES = sorted(CLI_DIR.glob("*.py"))
ALLOWED_PRIVATE_MODULES = {"treelearn._version", "treelearn._classes"}
OWN_PACKAGE = "treelearn.cli"


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


def _own(module: str, name: str | None) -> bool:
    """A module of the command-line package itself (``treelearn.cli._data``, ...)."""
    full = module if name is None else f"{module}.{name}"
    return (
        module == OWN_PACKAGE
        or module.startswith(OWN_PACKAGE + ".")
        or full.startswith(OWN_PACKAGE + ".")
    )


def test_cli_is_a_package_of_several_modules():
    assert len(CLI_FILES) >= 3, CLI_FILES


@pytest.mark.parametrize("path", CLI_FILES, ids=lambda p: p.name)
def test_cli_imports_no_private_treelearn_name(path):
    imports = _treelearn_imports(ast.parse(path.read_text(encoding="utf-8")))
    private = []
    for module, name in imports:
        if _own(module, name):
            continue
        parts = module.split(".")
        if module not in ALLOWED_PRIVATE_MODULES and any(_is_private(p) for p in parts):
            private.append(module)
        if name is not None and _is_private(name):
            private.append(f"{module}.{name}")
    assert not private, f"{path.name} imports private treelearn names: {private}"


@pytest.mark.parametrize("path", CLI_FILES, ids=lambda p: p.name)
def test_cli_reads_no_private_attribute_of_treelearn_modules(path):
    """``compare._primary(...)`` would dodge the import check; so would this."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    imported_modules = {
        alias.asname or alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("treelearn")
        for alias in node.names
        if not _own(node.module or "", alias.name)
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
    assert not reads, f"{path.name} reads private attributes: {reads}"


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


def test_help_and_datasets_import_no_heavy_module():
    """``treelearn --help`` and ``treelearn datasets`` start without numpy, pandas,
    scikit-learn or matplotlib (the time is measured by
    ``benchmarks/bench_cli_startup.py``, not here)."""
    import subprocess
    import sys

    code = (
        "import sys, contextlib, io\n"
        "from treelearn.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    try:\n"
        "        main(['--help'])\n"
        "    except SystemExit:\n"
        "        pass\n"
        "    assert main(['datasets', '--format', 'csv']) == 0\n"
        "heavy = {'numpy', 'pandas', 'sklearn', 'scipy', 'matplotlib'} & set(sys.modules)\n"
        "print(sorted(heavy))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert proc.stdout.strip() == "[]", proc.stdout + proc.stderr
