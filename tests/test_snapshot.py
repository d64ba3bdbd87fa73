"""Every tree, prediction and export is bit-identical to the stored snapshot.

``tests/snapshot/make_snapshot.py`` fits 332 configurations (synthetic numeric data
with ties, weights and missing values, mixed categorical codes, and the 13 bundled
data sets under every preset and J48 option setting) and digests what they produce.
A change that alters any tree shows up here; if the change is intended, rewrite the
digests with ``python tests/snapshot/make_snapshot.py --write`` and say why in the
commit.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).parent / "snapshot"))
import make_snapshot


def test_every_configuration_is_unchanged() -> None:
    expected = json.loads(make_snapshot.DIGESTS.read_text())
    here = ".".join(np.__version__.split(".")[:2])
    if expected["numpy"] != here:
        pytest.skip(f"digests were written under numpy {expected['numpy']}, this is {here}")
    diff = make_snapshot.differences(expected, make_snapshot.compute())
    assert not diff, "\n".join(diff[:40])
