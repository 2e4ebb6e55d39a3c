"""Every fixture's findings, graph and cost output is what tests/golden/fixture-outputs.sha256
records: a change that moves any byte of any format on any fixture shows up here by name.

After a deliberate change: `python tools/fixture_outputs.py --update`, and say in the commit
what changed and why. To see the change: `--write DIR` before and after, then `diff -r`.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

import fixture_outputs  # noqa: E402


def test_every_fixture_output_is_unchanged() -> None:
    recorded = fixture_outputs.read_digests()
    current = fixture_outputs.digests()
    assert len(current) > 1500
    changed = sorted(n for n in set(current) | set(recorded) if current.get(n) != recorded.get(n))
    assert changed == [], "outputs changed (python tools/fixture_outputs.py --update after review)"
