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
        "WORKSPACE": "default",
        "ATLANTIS_TERRAFORM_VERSION": "1.11.4",
        "DIR": str(project),
        "PLANFILE": str(data_dir / "default.tfplan"),
        "SHOWFILE": str(data_dir / "default.json"),
        "PROJECT_NAME": "network",
        "REPO_REL_DIR": "stacks/network",
        "PULL_NUM": "12",
        "HEAD_COMMIT": "0" * 40,
        "BASE_REPO_OWNER": "octo",
        "BASE_REPO_NAME": "infra",
        "USER_NAME": "atlantis",
        "COMMENT_ARGS": "",
    }


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "repo" / "stacks" / "network"
    directory.mkdir(parents=True)
    (tmp_path / "data").mkdir()
    monkeypatch.chdir(directory)
    return directory


def test_check_reads_showfile_in_the_project_dir(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
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


def test_missing_showfile_is_an_error_naming_it(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
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
    env = {
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "HOME": str(tmp_path),
        "PYTHONPATH": str(REPO),
        "XDG_CACHE_HOME": os.environ["XDG_CACHE_HOME"],  # the session's (conftest)
        **atlantis_env(project, tmp_path / "data"),
    }
    Path(env["PLANFILE"]).write_bytes(b"PK\x03\x04binary plan")
    last = None
    for step in documented_workflow():
        if step in ("init", "plan"):
            continue
        assert isinstance(step, dict)
        if "env" in step:
            done = subprocess.run(
                ["sh", "-c", step["env"]["command"]],
                cwd=project,
                env=env,
                capture_output=True,
                text=True,
                timeout=60,
            )
            env[step["env"]["name"]] = done.stdout.strip()
            continue
        last = subprocess.run(
            ["sh", "-c", step["run"]], cwd=project, env=env, capture_output=True, text=True, timeout=300
        )
        if last.returncode != 0:
            break
    assert last is not None
    assert last.returncode == code, last.stdout + last.stderr
    assert json.loads(Path(env["SHOWFILE"]).read_text())["format_version"]
    if code:
        assert "VPCE012" in last.stdout and last.stdout.splitlines()[-1].startswith("1 error, ")


# --- policy_check with custom_policy_check: the verdict is read from the output -------------

# Atlantis v0.39+ (server/events/project_command_runner.go, doPolicyCheck): a custom policy
# set fails when its output is empty, starts with FAIL (after trimming), or matches this.
ATLANTIS_FAILURE = re.compile(r'([1-9][0-9]* failure|failures": \[)')


def atlantis_passed(output: str) -> bool:
    """Atlantis's own test, transcribed: `passed = !hasFailures && !hasFailPrefix`."""
    if output == "":
        return False
    return not ATLANTIS_FAILURE.search(output) and not output.strip().startswith("FAIL")


def atlantis_legacy_passed(output: str) -> bool:
    """Before v0.39: `passed = !strings.Contains(strings.ToLower(output), "fail")`."""
    return output != "" and "fail" not in output.lower()


def test_the_matchers_agree_with_atlantis_own_cases() -> None:
    # the outputs Atlantis's tests use (testdata policy-checks-custom-policy-check, #6019)
    assert atlantis_passed("Security check - 0 failures, 1 passed\n")
    assert not atlantis_passed("Security check - 1 failure, 0 passed\n")
    assert not atlantis_passed('{"failures": [{"msg": "x"}]}')
    assert not atlantis_passed("FAIL - plan.json - main - denied\n")
    assert not atlantis_passed("")


def atlantis_run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(args)
    captured = capsys.readouterr()
    return code, captured.out


UPDATE = REPO / "fixtures" / "changes"
CASES = [
    # (plan, extra args, blocks?)
    (PLAN_FAIL, [], True),
    (PLAN_PASS, [], False),
    (PLAN_FAIL, ["--fail-on", "never"], False),
    (REPO / "fixtures/rules/VPCE022/fail/plan.json", [], False),  # info only: not blocking
    (REPO / "fixtures/rules/VPCE022/fail/plan.json", ["--fail-on", "info"], True),
    (REPO / "fixtures/rules/VPCE012/inconclusive-unknown-az/plan.json", [], False),
    (REPO / "fixtures/rules/VPCE012/inconclusive-unknown-az/plan.json", ["--strict"], True),
    (UPDATE / "unchanged_tag/plan.json", [], True),
    (UPDATE / "unchanged_tag/plan.json", ["--fail-on-new"], False),
    (UPDATE / "remove_nat/plan.json", ["--fail-on-new"], True),
    (UPDATE / "fix_endpoint/plan.json", [], False),
    (REPO / "fixtures/demo/plan.json", [], True),
]


@pytest.mark.parametrize(
    ("plan", "extra", "blocks"), CASES, ids=[f"{p.parent.name}{''.join(e)}" for p, e, _ in CASES]
)
def test_atlantis_format_verdict_is_read_as_tfcheck_meant(
    plan: Path, extra: list[str], blocks: bool, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = atlantis_run(["check", str(plan), "--format", "atlantis", *extra], capsys)
    assert code == 0  # Atlantis drops the output of a step that exits non-zero
    assert atlantis_passed(out) is not blocks, out
    plain = main(["check", str(plan), *extra])
    capsys.readouterr()
    assert plain == (1 if blocks else 0)  # the same verdict as the exit code of other formats
    if "fail" not in out.lower().replace("fail_", "").replace("fail-", "") or blocks:
        # outputs whose addresses do not spell "fail" are read alike by older Atlantis too
        assert atlantis_legacy_passed(out) is not blocks, out
    if blocks:
        assert out.startswith("FAIL - ")
        assert re.search(
            r"^\d+ tests?, \d+ passed, \d+ warnings?, [1-9]\d* failures?, 0 exceptions$", out.splitlines()[-1]
        )


def test_atlantis_format_fails_visibly_when_the_plan_cannot_be_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "default.json"
    code = main(["check", str(missing), "--format", "atlantis"])
    captured = capsys.readouterr()
    assert code == 0 and not atlantis_passed(captured.out)
    assert captured.out.startswith(f"FAIL - tfcheck - input - {missing}: ")
    assert captured.err.startswith(f"tfcheck: error: {missing}: ")


def test_atlantis_format_says_what_an_update_changes(capsys: pytest.CaptureFixture[str]) -> None:
    _, out = atlantis_run(["check", str(UPDATE / "remove_nat/plan.json"), "--format", "atlantis"], capsys)
    lines = out.splitlines()
    assert [line.split(" - ")[2] for line in lines if line.startswith("FAIL")] == ["VPCE020"] * 3 + [
        "VPCE012"
    ]
    assert sum("(new):" in line for line in lines) == 3
    assert any(
        line.startswith("NOTE - ")
        and "what this change does: removes aws_nat_gateway.main; 3 workloads lose ecr.api, ecr.dkr" in line
        for line in lines
    )


def documented(kind: str) -> dict[str, object]:
    """The YAML block of docs/atlantis.md that holds `kind` (a top-level key)."""
    for block in re.findall(r"```yaml\n(.*?)```", DOC.read_text(), re.DOTALL):
        config = yaml.safe_load(block)
        if isinstance(config, dict) and kind in config:
            return config
    raise AssertionError(f"no YAML block with {kind!r} in {DOC}")


def test_documented_policy_check_is_valid_atlantis_config() -> None:
    config = documented("policies")
    repo = config["repos"][0]  # type: ignore[index]
    assert repo["policy_check"] is True and repo["custom_policy_check"] is True
    workflow = config["workflows"][repo["workflow"]]  # type: ignore[index]
    steps = workflow["policy_check"]["steps"]
    assert steps[0] == "show"  # the built-in step that writes $SHOWFILE
    (policy_set,) = config["policies"]["policy_sets"]  # type: ignore[index]
    assert policy_set["name"] and policy_set["path"] and policy_set["source"] in ("local", "github")
    assert config["policies"]["owners"]  # who may `atlantis approve_policies`  # type: ignore[index]
    projects = documented("projects")["projects"]
    assert [p["workflow"] for p in projects] == [repo["workflow"]] * 2  # type: ignore[index]


@pytest.mark.parametrize(
    ("plan", "blocks"),
    [(PLAN_FAIL, True), (PLAN_PASS, False), (None, True)],
    ids=["fail", "pass", "no-showfile"],
)
def test_documented_policy_check_runs_as_atlantis_runs_it(
    project: Path, tmp_path: Path, plan: Path | None, blocks: bool
) -> None:
    """The doc's `run` step through `sh -c` in $DIR with Atlantis's environment, $SHOWFILE
    written as the `show` step writes it; its stdout and stderr read as Atlantis reads them."""
    config = documented("policies")
    workflow = config["workflows"][config["repos"][0]["workflow"]]  # type: ignore[index]
    (run,) = [step["run"] for step in workflow["policy_check"]["steps"] if isinstance(step, dict)]
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    shim = bin_dir / "tfcheck"
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m tfcheck "$@"\n')
    shim.chmod(0o755)
    env = {
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "HOME": str(tmp_path),
        "PYTHONPATH": str(REPO),
        "XDG_CACHE_HOME": os.environ["XDG_CACHE_HOME"],  # the session's (conftest)
        **atlantis_env(project, tmp_path / "data"),
    }
    if plan is not None:
        shutil.copy(plan, env["SHOWFILE"])
    done = subprocess.run(
        ["sh", "-c", run],
        cwd=project,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout  # else Atlantis would drop the output
    assert atlantis_passed(done.stdout) is not blocks, done.stdout
