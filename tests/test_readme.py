"""The README's Python examples run as written (in a temporary folder)."""

from __future__ import annotations

import doctest
import re
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)


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
