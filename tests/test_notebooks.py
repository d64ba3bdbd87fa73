"""Execute the notebooks in ``notebooks/`` (their outputs are stripped in git).

Each notebook runs top to bottom in a fresh kernel, with ``notebooks/`` as the working
directory; any cell that raises fails the test. A notebook whose metadata lists
``{"treelearn": {"needs": ["module", ...]}}`` is skipped when one of those modules
cannot be imported.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))
TIMEOUT = 300  # seconds per cell


def _missing(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is None
    except ModuleNotFoundError:
        return True


def test_there_are_notebooks():
    assert len(NOTEBOOKS) >= 4


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_outputs_are_stripped(path):
    book = json.loads(path.read_text())
    for cell in book["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None, path.name


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs(path):
    book = nbformat.read(path, as_version=4)
    needs = book.metadata.get("treelearn", {}).get("needs", [])
    missing = [m for m in needs if _missing(m)]
    if missing:
        pytest.skip(f"{path.name} needs {', '.join(missing)}")
    client = nbclient.NotebookClient(
        book,
        timeout=TIMEOUT,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute()
