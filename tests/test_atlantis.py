"""Atlantis: `tfcheck check` with no plan reads $SHOWFILE; the documented repos.yaml workflow
runs end to end with the environment Atlantis gives `run` steps (terraform faked)."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import REPO

from tfcheck.cli import main

PLAN_FAIL = REPO / "fixtures/rules/VPCE012/fail/plan.json"
PLAN_PASS = REPO / "fixtures/rules/VPCE012/pass/plan.json"
DOC = REPO / "docs" / "atlantis.md"


def atlantis_env(project: Path, data_dir: Path) -> dict[str, str]:
    """What Atlantis sets for `run` steps (runatlantis.io, custom workflows)."""
    return {
        "WORKSPACE": "default", "ATLANTIS_TERRAFORM_VERSION": "1.11.4", "DIR": str(project),
        "PLANFILE": str(data_dir / "default.tfplan"), "SHOWFILE": str(data_dir / "default.json"),
        "PROJECT_NAME": "network", "REPO_REL_DIR": "stacks/network", "PULL_NUM": "12",
        "HEAD_COMMIT": "0" * 40, "BASE_REPO_OWNER": "octo", "BASE_REPO_NAME": "infra", "USER_NAME": "atlantis",
        "COMMENT_ARGS": "",
    }


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "repo" / "stacks" / "network"
    directory.mkdir(parents=True)
    (tmp_path / "data").mkdir()
    monkeypatch.chdir(directory)
    return directory


def test_check_reads_showfile_in_the_project_dir(project: Path, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    env = atlantis_env(project, tmp_path / "data")
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    shutil.copy(PLAN_FAIL, env["SHOWFILE"])
    assert main(["check"]) == 1
    out = capsys.readouterr().out
    assert "  aws_vpc_endpoint.fail_logs\n    error   VPCE012  " in out
    assert main(["check", "--format", "json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert doc["findings"][0]["plan"] == env["SHOWFILE"]
    # a .tfcheck.yml in the project directory ($DIR, where Atlantis runs steps) applies
    (project / ".tfcheck.yml").write_text("severity: {VPCE012: warning}\n")
    assert main(["check", "--fail-on", "error"]) == 0
    assert "warning VPCE012" in capsys.readouterr().out


def test_missing_showfile_is_an_error_naming_it(project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    env = atlantis_env(project, tmp_path / "data")
    monkeypatch.setenv("SHOWFILE", env["SHOWFILE"])
    assert main(["check"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"tfcheck: error: {env['SHOWFILE']}: ") and "Traceback" not in err


def documented_workflow() -> list[object]:
    blocks = re.findall(r"```yaml\n(.*?)```", DOC.read_text(), re.DOTALL)
    config = yaml.safe_load(blocks[0])
    assert config["repos"][0]["workflow"] == "tfcheck"
    steps: list[object] = config["workflows"]["tfcheck"]["plan"]["steps"]
    return steps


@pytest.mark.parametrize(("plan", "code"), [(PLAN_FAIL, 1), (PLAN_PASS, 0)])
def test_documented_repos_yaml_workflow(project: Path, tmp_path: Path, plan: Path, code: int) -> None:
    """Run the doc's plan steps as Atlantis would (`sh -c`, in $DIR, its env), with the
    built-in init/plan skipped and a fake versioned terraform binary that answers `show -json`."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "terraform1.11.4"
    fake.write_text(f'#!/bin/sh\n[ "$1 $2" = "show -json" ] && [ -f "$3" ] && exec cat "{plan}"\nexit 9\n')
    shim = bin_dir / "tfcheck"
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m tfcheck "$@"\n')
    for script in (fake, shim):
        script.chmod(0o755)
    env = {"PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "HOME": str(tmp_path),
           "PYTHONPATH": str(REPO), "XDG_CACHE_HOME": str(tmp_path / "cache"),
           **atlantis_env(project, tmp_path / "data")}
    Path(env["PLANFILE"]).write_bytes(b"PK\x03\x04binary plan")
    last = None
    for step in documented_workflow():
        if step in ("init", "plan"):
            continue
        assert isinstance(step, dict)
        if "env" in step:
            done = subprocess.run(["sh", "-c", step["env"]["command"]], cwd=project, env=env,
                                  capture_output=True, text=True, timeout=60)
            env[step["env"]["name"]] = done.stdout.strip()
            continue
        last = subprocess.run(["sh", "-c", step["run"]], cwd=project, env=env, capture_output=True,
                              text=True, timeout=300)
        if last.returncode != 0:
            break
    assert last is not None
    assert last.returncode == code, last.stdout + last.stderr
    assert json.loads(Path(env["SHOWFILE"]).read_text())["format_version"]
    if code:
        assert "VPCE012" in last.stdout and last.stdout.splitlines()[-1].startswith("1 error, ")
