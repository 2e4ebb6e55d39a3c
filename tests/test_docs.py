"""docs/ci.md's commands run as written (with a real plan in place of plan.json), in a
shell, with the exit code and the files they promise."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO

CI = REPO / "docs" / "ci.md"


def commands() -> list[str]:
    out = []
    for block in re.findall(r"```sh\n(.*?)```", CI.read_text(encoding="utf-8"), re.DOTALL):
        out += [line.split("  #", 1)[0].strip() for line in block.splitlines() if line.startswith("tfcheck ")]
    return out


def test_ci_doc_has_commands() -> None:
    assert len(commands()) >= 2 and any("--fail-on-new" in c for c in commands())


@pytest.mark.parametrize(
    ("case", "codes"),
    [
        ("fixtures/changes/remove_nat", {"--fail-on-new": 1}),  # the change introduces VPCE020
        ("fixtures/changes/unchanged_tag", {"--fail-on-new": 0}),  # only what was there before
    ],
)
def test_ci_doc_commands_run(tmp_path: Path, case: str, codes: dict[str, int]) -> None:
    shutil.copy(REPO / case / "plan.json", tmp_path / "plan.json")
    shim = tmp_path / "bin" / "tfcheck"
    shim.parent.mkdir()
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m tfcheck "$@"\n')
    shim.chmod(0o755)
    env = {
        "PATH": f"{shim.parent}{os.pathsep}{os.environ['PATH']}",
        "HOME": str(tmp_path),
        "PYTHONPATH": str(REPO),
        "XDG_CACHE_HOME": os.environ["XDG_CACHE_HOME"],  # the session's (conftest)
    }
    for command in commands():
        done = subprocess.run(
            ["sh", "-c", command], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300
        )
        want = next((code for flag, code in codes.items() if flag in command), None)
        assert done.returncode in ((want,) if want is not None else (0, 1)), (command, done.stderr)
        for _fmt, name in re.findall(r"--format (\w+):(\S+)", command):
            assert (tmp_path / name).stat().st_size > 0, (command, name)
