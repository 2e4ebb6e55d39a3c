from __future__ import annotations

import io
import json
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO, endpoint, graph

from tfcheck import __version__
from tfcheck.cli import main

FIX = REPO / "fixtures" / "rules"
PLAN_020 = str(FIX / "VPCE020" / "fail" / "plan.json")
PLAN_OK = str(FIX / "VPCE020" / "pass" / "plan.json")


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def fake_graph(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Replace the plan → graph stage with hand-written graphs (one per plan argument)."""
    graphs: list[dict[str, Any]] = []

    def read_graph(path: str | None, options: Any = None, source: Any = None) -> Any:
        from tfcheck.graph.model import Graph
        from tfcheck.load.inputs import Loaded
        from tfcheck.model import Inventory

        return Graph(graphs.pop(0)), Loaded(Inventory((), None, str(path), "plan"), "plan")

    monkeypatch.setattr("tfcheck.run.read_graph", read_graph)
    return graphs


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--version")
    assert code == 0 and __version__ in out


def test_rules_lists_the_catalog(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "rules")
    lines = out.splitlines()
    assert code == 0 and len(lines) == 23
    assert lines[0].split()[:3] == ["VPCE001", "error", "endpoints"]
    off = [line for line in lines if line.endswith("(off by default)")]
    assert len(off) == 1 and off[0].startswith("VPCE028")
    assert [line.split()[0] for line in lines[-3:]] == ["VPCE029", "VPCE030", "VPCE031"]


def test_explain(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "explain", "VPCE010")
    assert code == 0
    assert out.splitlines()[0] == "VPCE010  Interface endpoint for an AWS service with private DNS off"
    assert "severity: error; warning when service == 's3'" in out
    assert "fix: Set private_dns_enabled = true" in out
    assert "docs: https://github.com/tfcheck/tfcheck/blob/main/docs/rules/VPCE010.md" in out


def test_explain_gives_no_page_for_a_user_rule(capsys: pytest.CaptureFixture[str]) -> None:
    root = Path(__file__).resolve().parent.parent
    code, out, _ = run(capsys, "explain", "ORG001", "--policies", str(root / "examples" / "policies"))
    assert code == 0 and "ORG001" in out and "docs:" not in out


@pytest.mark.parametrize(
    "args",
    [["explain", "VPCE999"], ["check", "--only", "VPCE999", "x.json"], ["check", "--skip", "nope", "x.json"]],
)
def test_unknown_rule_ids_are_usage_errors(capsys: pytest.CaptureFixture[str], args: list[str]) -> None:
    code, out, err = run(capsys, *args)
    assert code == 2 and out == ""
    assert "unknown rule" in err and "Traceback" not in err


def test_check_real_plan_text(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "check", PLAN_020)
    assert code == 1 and err == ""
    # read with its source (main.tf beside the plan), so the resource's file:line is shown
    assert "  aws_ecs_service.app  (fixtures/rules/VPCE020/fail/main.tf:129)\n    error   VPCE020  " in out
    assert "ecr.dkr (the image pull times out: the task never starts)" in out
    assert out.splitlines()[-1].startswith("1 error, ")


def test_check_json_and_fail_on(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "check", "--format", "json", "--fail-on", "never", PLAN_020)
    doc = json.loads(out)
    assert code == 0
    assert [(f["rule_id"], f["address"], f["plan"]) for f in doc["findings"]] == [
        ("VPCE020", "aws_ecs_service.app", PLAN_020)
    ]
    assert doc["summary"]["plans"] == 1


def test_check_several_plans(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "check", "--format", "json", PLAN_OK, PLAN_020)
    doc = json.loads(out)
    assert code == 1 and doc["summary"]["plans"] == 2
    assert {f["plan"] for f in doc["findings"]} == {PLAN_020}


def test_check_only_and_skip(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "check", "--skip", "VPCE020", PLAN_020)[0] == 0
    code, out, _ = run(capsys, "check", "--only", "VPCE010", "--format", "json", PLAN_020)
    assert code == 0 and json.loads(out)["summary"]["rules"] == 1


def test_check_reads_stdin_and_showfile(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    data = Path(PLAN_020).read_bytes()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    code, out, _ = run(capsys, "check", "--format", "json", "-")
    assert code == 1 and json.loads(out)["findings"][0]["plan"] == "<stdin>"
    monkeypatch.setenv("SHOWFILE", PLAN_020)
    code, out, _ = run(capsys, "check", "--format", "json")
    assert code == 1 and json.loads(out)["findings"][0]["plan"] == PLAN_020


def test_strict_fails_on_inconclusive(
    capsys: pytest.CaptureFixture[str], fake_graph: list[dict[str, Any]]
) -> None:
    undecided = endpoint(private_dns=None, unknown={"private_dns": "known after apply"})
    fake_graph += [graph(endpoints=[undecided]), graph(endpoints=[undecided])]
    code, out, _ = run(capsys, "check", "--only", "VPCE010", "plan.json")
    assert code == 0
    assert (
        "aws_vpc_endpoint.logs  VPCE010  Interface endpoint for an AWS service with private DNS off: undecided before apply\n      private_dns: known after apply"
        in out
    )
    assert run(capsys, "check", "--strict", "--only", "VPCE010", "plan.json")[0] == 1


def test_default_config_in_cwd_and_explicit_config(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".tfcheck.yml").write_text("severity: {VPCE020: info}\n")
    code, out, _ = run(capsys, "check", PLAN_020)
    assert code == 0 and "info    VPCE020" in out
    (tmp_path / "other.yml").write_text("disable: [VPCE020]\n")
    code, out, _ = run(capsys, "check", "--config", "other.yml", "--format", "json", PLAN_020)
    assert code == 0 and json.loads(out)["findings"] == []


BAD_POLICY = "id: X1\ntitle: t\nseverity: error\nresource: endpoints\nassert: 'a =='\nmessage: m\n"


@pytest.mark.parametrize(
    ("setup", "args", "named"),
    [
        (None, ["check", "missing.json"], "missing.json: no such file"),
        ({"bad.json": "{not json"}, ["check", "bad.json"], "bad.json: "),
        ({"plan.zip": "PK\x03\x04rest"}, ["check", "plan.zip"], "plan.zip: is a binary Terraform plan"),
        (
            {"p/X1.yaml": BAD_POLICY},
            ["check", "--policies", "p", "x.json"],
            "X1.yaml: rule X1: $.assert (line 5)",
        ),
        (None, ["check", "--policies", "nodir", "x.json"], "nodir: not a directory"),
        ({"c.yml": "egress: open\n"}, ["check", "--config", "c.yml", "x.json"], "c.yml: $.egress"),
        (
            {"c.yml": "disable: [VPCE999]\n"},
            ["check", "--config", "c.yml", "x.json"],
            "c.yml: disable: unknown rule VPCE999",
        ),
        (None, ["graph", "missing.json"], "missing.json: no such file"),
        (None, ["reach", "missing.json"], "missing.json: no such file"),
    ],
)
def test_bad_input_exits_2_naming_the_file(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    setup: dict[str, str] | None,
    args: list[str],
    named: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    for name, text in (setup or {}).items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    code, out, err = run(capsys, *args)
    assert code == 2 and out == ""
    assert err.startswith("tfcheck: error: ") and named in err, err
    assert "Traceback" not in err and err.count("\n") == 1


def test_internal_errors_are_one_line_unless_debug(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(path: str | None, options: Any = None, source: Any = None) -> Any:
        raise RuntimeError("kaput")

    monkeypatch.setattr("tfcheck.run.read_graph", boom)
    code, _, err = run(capsys, "check", "plan.json")
    assert code == 2 and err == (
        "tfcheck: internal error: RuntimeError: kaput (rerun with --debug and report it)\n"
    )
    code, _, err = run(capsys, "--debug", "check", "plan.json")
    assert code == 2 and "Traceback" in err and "kaput" in err


def test_graph_json_and_text(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, _ = run(capsys, "graph", PLAN_020)
    assert code == 0 and json.loads(out)["version"] == 1
    monkeypatch.setattr("tfcheck.formats.graph.text.render", lambda g: f"{len(g['workloads'])} workload\n")
    assert run(capsys, "graph", "--format", "text", PLAN_020)[1] == "1 workload\n"


def test_reach(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "reach", PLAN_020)
    assert code == 0 and out.startswith("aws_ecs_service.app  (ecs_service, FARGATE; ")
    assert "UNREACHABLE" in out
    code, out, _ = run(capsys, "reach", "--format", "json", PLAN_020)
    assert "ecr.dkr" in json.loads(out)["workloads"]["aws_ecs_service.app"]["unreachable"]


USER_POLICY = """\
id: ORG001
title: Endpoints must have private DNS
severity: warning
resource: endpoints
where: "type == 'Interface'"
assert: "private_dns == `true`"
message: "{address} has private DNS off"
"""


def test_test_command_runs_user_fixtures(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    (tmp_path / "ORG001.yaml").write_text(USER_POLICY)
    case = tmp_path / "cases" / "one"
    case.mkdir(parents=True)
    shutil.copy(FIX / "VPCE010" / "fail" / "plan.json", case / "plan.json")
    (case / "expected.yaml").write_text(
        "results:\n  aws_vpc_endpoint.fail_logs: {outcome: fail, severity: warning}\n"
    )
    code, out, _ = run(capsys, "test", str(tmp_path))
    assert code == 0 and out == f"ok    {case}\n1 cases, 0 failed\n"
    (case / "expected.yaml").write_text("results:\n  aws_vpc_endpoint.fail_logs: pass\n")
    code, out, _ = run(capsys, "test", str(tmp_path))
    assert code == 1
    assert "aws_vpc_endpoint.fail_logs: expected pass, got fail" in out


def test_test_command_without_cases(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys, "test", str(tmp_path))
    assert code == 2 and "no cases" in err


@pytest.mark.parametrize(
    ("flag", "tty", "no_color", "want"),
    [
        (None, True, None, True),
        (None, True, "", True),  # empty NO_COLOR is "not set" (no-color.org)
        (None, True, "1", False),
        (None, True, "false", False),  # any non-empty value
        (None, False, None, False),
        (True, False, "1", True),  # --color wins, even in a pipe
        (False, True, None, False),  # --no-color wins
    ],
)
def test_color_follows_the_flag_then_no_color_then_the_terminal(
    flag: bool | None, tty: bool, no_color: str | None, want: bool
) -> None:
    from tfcheck.commands.check import use_color

    env = {} if no_color is None else {"NO_COLOR": no_color}
    assert use_color(flag, tty, env) is want


def test_color_flag_colours_a_pipe_and_no_color_flag_does_not(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", PLAN_020, "--color"]) == 1
    assert "\x1b[31m" in capsys.readouterr().out
    assert main(["check", PLAN_020, "--no-color"]) == 1
    assert "\x1b[" not in capsys.readouterr().out
