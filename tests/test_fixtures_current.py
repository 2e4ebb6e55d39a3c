"""The committed plans are what terraform makes of their HCL today (`--check` of the regen
tool on a few representative scenarios; `python tools/regen_fixtures.py --check` runs all).
Skipped where terraform or the AWS provider mirror is missing: the other tests never need it."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
SAMPLE = [
    "fixtures/demo",
    "fixtures/reference",
    "fixtures/graph/modules_nested_outputs",
    "fixtures/rules/VPCE020/fail",
]


@pytest.mark.skipif(shutil.which("terraform") is None, reason="terraform is not installed")
def test_sample_of_committed_plans_is_current() -> None:
    result = subprocess.run(
        [sys.executable, "tools/regen_fixtures.py", "--check", *SAMPLE],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    if result.returncode == 3:
        pytest.skip("no AWS provider mirror for terraform: " + result.stderr.strip()[:200])
    assert result.returncode == 0, result.stdout + result.stderr
