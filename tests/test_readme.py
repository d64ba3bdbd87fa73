"""The README's examples run as written (in a temporary folder): its Python blocks, its
doctest blocks and the ``$ `` commands of its ``console`` blocks."""

from __future__ import annotations

import doctest
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)
CONSOLE = re.findall(r"```console\n(.*?)```", README.read_text(), flags=re.S)


def test_readme_python_blocks_run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    code_blocks = [b for b in BLOCKS if not b.lstrip().startswith(">>>")]
    assert len(code_blocks) >= 3
    for block in code_blocks:
        exec(compile(block, str(README), "exec"), namespace)
    assert (tmp_path / "tennis.png").stat().st_size > 0


def test_readme_doctest_blocks():
    for block in (b for b in BLOCKS if b.lstrip().startswith(">>>")):
        test = doctest.DocTestParser().get_doctest(block, {}, "README", str(README), 0)
        runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
        runner.run(test)
        assert runner.failures == 0


def _command(line: str) -> str:
    """A README command for this interpreter: ``treelearn`` is ``python -m treelearn``."""
    python = shlex.quote(sys.executable)
    words = line.split(" ", 1)
    rest = words[1] if len(words) > 1 else ""
    if words[0] == "treelearn":
        return f"{python} -m treelearn {rest}"
    if words[0] == "python":
        return f"{python} {rest}"
    raise AssertionError(f"README command starts with neither treelearn nor python: {line}")


def test_readme_console_blocks_run(tmp_path):
    commands = [
        line[2:] for block in CONSOLE for line in block.splitlines() if line.startswith("$ ")
    ]
    assert any(c.startswith("treelearn fit ") for c in commands)
    assert any(c.startswith("treelearn predict ") for c in commands)
    assert any(c.startswith("treelearn show ") for c in commands)
    assert any(c.startswith("treelearn compare ") for c in commands)
    env = dict(os.environ)
    root = str(README.parent)
    env["PYTHONPATH"] = root + os.pathsep + env.get("PYTHONPATH", "")
    for command in commands:
        proc = subprocess.run(
            ["bash", "-o", "pipefail", "-c", _command(command)],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert proc.returncode == 0, f"{command}\n{proc.stderr}"
        assert "Traceback" not in proc.stderr, command
    assert (
        (tmp_path / "predictions.csv").read_text().startswith("prediction,proba_bad,proba_good\n")
    )
    assert (tmp_path / "rules.txt").read_text().startswith("Rule 1: IF ")
    assert b"<svg" in (tmp_path / "tree.svg").read_bytes()[:400]
