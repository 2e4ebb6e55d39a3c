"""The GitHub Action: schema and security audits of action.yml and the example workflows,
its composite steps run the way a runner runs them, the PR-comment logic without a network,
and the pre-commit hook manifest."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import REPO
from test_formats_sarif import valid

from tfcheck import action

ACTION = REPO / "action.yml"
WORKFLOWS = [REPO / "docs" / "github-workflow.yml", REPO / "docs" / "github-workflow-monorepo.yml"]
PLAN_FAIL = REPO / "fixtures/rules/VPCE012/fail/plan.json"  # one VPCE012 error
PLAN_PASS = REPO / "fixtures/rules/VPCE012/pass/plan.json"
EXPR = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
SHA = re.compile(r"^[^@\s]+@[0-9a-f]{40}$")


def tool(name: str) -> str:
    """The test environment's own copy first (the venv's bin/, which need not be on PATH)."""
    beside = Path(sys.executable).parent / name
    path = str(beside) if beside.is_file() else shutil.which(name)
    if path is None:
        pytest.skip(f"{name} is not installed (pip install -e .[test])")
    return path


# --- static checks ---------------------------------------------------------------------------


def test_action_yml_matches_githubs_schema() -> None:
    done = subprocess.run(
        [tool("check-jsonschema"), "--builtin-schema", "vendor.github-actions", str(ACTION)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_example_workflows_match_githubs_schema() -> None:
    done = subprocess.run(
        [tool("check-jsonschema"), "--builtin-schema", "vendor.github-workflows", *map(str, WORKFLOWS)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_zizmor_finds_nothing(tmp_path: Path) -> None:
    # The docs name tfcheck's own action by a placeholder; audit them with a hash in its place.
    files = [ACTION]
    for workflow in WORKFLOWS:
        copy = tmp_path / workflow.name
        copy.write_text(workflow.read_text().replace("@FULL_COMMIT_SHA", "@" + "0" * 40))
        files.append(copy)
    done = subprocess.run(
        [tool("zizmor"), "--offline", *map(str, files)], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "No findings to report" in done.stdout + done.stderr


def test_no_expression_in_scripts_and_every_action_pinned_by_sha() -> None:
    for path in [ACTION, *WORKFLOWS]:
        doc = yaml.safe_load(path.read_text())
        steps = (
            doc["runs"]["steps"] if "runs" in doc else [s for j in doc["jobs"].values() for s in j["steps"]]
        )
        for step in steps:
            assert "${{" not in step.get("run", ""), f"{path.name}: expression in a run script: {step}"
            uses = step.get("uses")
            if uses and not uses.startswith("./"):
                pinned = uses.replace("@FULL_COMMIT_SHA", "@" + "0" * 40)
                assert SHA.match(pinned), f"{path.name}: {uses} is not pinned to a full commit SHA"
    doc = yaml.safe_load(WORKFLOWS[0].read_text())
    assert doc["permissions"] == {}
    assert doc["jobs"]["tfcheck"]["permissions"] == {
        "contents": "read",
        "security-events": "write",
        "pull-requests": "write",
    }


# --- the composite run steps, as a runner runs them -----------------------------------------


@dataclass
class Run:
    outputs: dict[str, str]
    steps: dict[str, subprocess.CompletedProcess[str]] = field(default_factory=dict)
    failed: str | None = None
    exit_code: int = 0
    summary: str = ""


def read_output_file(path: Path) -> dict[str, str]:
    """$GITHUB_OUTPUT's `key=value` and `key<<DELIMITER` forms."""
    out: dict[str, str] = {}
    lines = path.read_text().splitlines()
    i = 0
    while i < len(lines):
        key, sep, value = lines[i].partition("=")
        if sep and "<<" not in key:
            out[key] = value
        else:
            key, delimiter = lines[i].split("<<", 1)
            end = lines.index(delimiter, i + 1)
            out[key] = "\n".join(lines[i + 1 : end])
            i = end
        i += 1
    return out


def run_action(
    inputs: dict[str, str],
    tmp: Path,
    event: dict[str, Any] | None = None,
    workspace_files: dict[str, str] | None = None,
) -> Run:
    """Run action.yml's steps with the environment a runner provides. setup-python is not
    run (this interpreter stands in for it) and neither is the install step (the checkout
    is on PYTHONPATH); every other step runs as `bash -eo pipefail script`, in the workspace
    (the pull request's checkout), which holds `workspace_files`."""
    spec = yaml.safe_load(ACTION.read_text())
    workspace, runner_temp = tmp / "workspace", tmp / "runner"
    workspace.mkdir(parents=True)
    for name, text in (workspace_files or {}).items():
        (workspace / name).parent.mkdir(parents=True, exist_ok=True)
        (workspace / name).write_text(text)
    runner_temp.mkdir()
    summary = tmp / "step_summary.md"
    summary.touch()
    event_path = tmp / "event.json"
    event_path.write_text(json.dumps(event or {"pull_request": {"number": 7}}))
    step_outputs: dict[str, dict[str, str]] = {}

    def value(expr: str) -> str:
        if m := re.fullmatch(r"inputs\.([\w-]+)", expr):
            return values[m[1]]
        if m := re.fullmatch(r"steps\.([\w-]+)\.outputs\.([\w-]+)", expr):
            return step_outputs.get(m[1], {}).get(m[2], "")
        if expr == "github.token":
            return ""
        raise AssertionError(f"expression the harness does not know: {expr}")

    def substitute(text: Any) -> str:
        return EXPR.sub(lambda m: value(m[1]), str(text))

    values: dict[str, str] = {}
    for name, meta in spec["inputs"].items():
        values[name] = substitute(meta.get("default", ""))
    assert set(inputs) <= set(values), f"unknown inputs {set(inputs) - set(values)}"
    values.update(inputs)
    base = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp),
        "LANG": "C.UTF-8",
        "PYTHONPATH": str(REPO),
        "XDG_CACHE_HOME": os.environ["XDG_CACHE_HOME"],  # the session's (conftest)
        "GITHUB_ACTIONS": "true",
        "CI": "true",
        "GITHUB_ACTION_PATH": str(REPO),
        "GITHUB_WORKSPACE": str(workspace),
        "RUNNER_TEMP": str(runner_temp),
        "GITHUB_STEP_SUMMARY": str(summary),
        "GITHUB_EVENT_PATH": str(event_path),
        "GITHUB_REPOSITORY": "octo/infra",
        "GITHUB_API_URL": "http://127.0.0.1:9",
    }
    run = Run({})
    for step in spec["runs"]["steps"]:
        sid = step["id"]
        if "uses" in step:
            assert step["uses"].startswith("actions/setup-python@")
            step_outputs[sid] = {"python-path": sys.executable}
            continue
        if sid == "install":
            step_outputs[sid] = {"python": sys.executable}
            continue
        assert step["shell"] == "bash" and "if" not in step
        output = tmp / f"output_{sid}"
        output.touch()
        env = {
            **base,
            **{k: substitute(v) for k, v in (step.get("env") or {}).items()},
            "GITHUB_OUTPUT": str(output),
        }
        script = tmp / f"step_{sid}.sh"
        script.write_text(step["run"])
        done = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
            cwd=workspace,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        run.steps[sid] = done
        step_outputs[sid] = read_output_file(output)
        if done.returncode != 0:
            run.failed, run.exit_code = sid, done.returncode
            break
    run.outputs = {name: substitute(meta["value"]) for name, meta in spec["outputs"].items()}
    run.summary = summary.read_text()
    return run


def test_composite_on_a_failing_plan(tmp_path: Path) -> None:
    plan = tmp_path / "plan.json"
    shutil.copy(PLAN_FAIL, plan)
    run = run_action({"plan": str(plan), "comment": "true", "formats": "junit"}, tmp_path)
    check = run.steps["check"]
    assert "::error title=VPCE012 aws_vpc_endpoint.fail_logs::" in check.stdout, check.stdout + check.stderr
    # the job fails at the last step, after the summary and the comment step ran
    assert (run.failed, run.exit_code) == ("result", 1)
    assert run.outputs["findings"] == "1" and run.outputs["errors"] == "1" and run.outputs["exit-code"] == "1"
    sarif = Path(run.outputs["sarif"])
    assert sarif.parent == tmp_path / "runner" / "tfcheck"
    doc = valid(sarif.read_text())
    assert [r["ruleId"] for r in doc["runs"][0]["results"]] == ["VPCE012"]
    assert (sarif.parent / "tfcheck.junit.xml").is_file()
    assert run.summary.startswith("## ❌ tfcheck") and "```mermaid" in run.summary
    assert Path(run.outputs["markdown"]).read_text() + "\n" == run.summary
    # no token: the comment is skipped with a notice, not an error
    assert run.steps["comment"].returncode == 0
    assert run.steps["comment"].stdout == (
        "::notice title=tfcheck::PR comment skipped: no GITHUB_TOKEN (input github-token)\n"
    )


def test_composite_on_a_clean_plan(tmp_path: Path) -> None:
    run = run_action({"plan": str(PLAN_PASS)}, tmp_path)
    assert run.failed is None and run.exit_code == 0
    assert run.outputs["findings"] == "0" and run.outputs["exit-code"] == "0"
    assert run.summary.startswith("## ✅ tfcheck")
    assert run.steps["comment"].stdout == ""  # comment: false (the default) says nothing


def test_composite_with_fail_on_never_and_bad_inputs(tmp_path: Path) -> None:
    run = run_action({"plan": str(PLAN_FAIL), "fail-on": "never"}, tmp_path / "a")
    assert run.failed is None and run.outputs["findings"] == "1"
    run = run_action({}, tmp_path / "b")  # neither plan nor hcl
    assert "::error title=tfcheck::set exactly one of the inputs" in run.steps["check"].stdout
    assert (run.failed, run.exit_code) == ("result", 2)
    run = run_action({"plan": str(tmp_path / "missing.json")}, tmp_path / "c")
    assert "missing.json: no such file" in run.steps["check"].stderr
    assert (run.failed, run.exit_code) == ("result", 2)


def planted(names: list[str], marker: Path) -> dict[str, str]:
    """Modules a hostile pull request adds at its root, each leaving a mark when imported."""
    code = f"import pathlib; pathlib.Path({str(marker)!r}).open('a').write(__name__ + '\\n')\n"
    return {name: code for name in names}


def test_modules_planted_in_the_checkout_are_never_imported(tmp_path: Path) -> None:
    """Third-party and standard-library names tfcheck imports after start-up, shadowed at the
    root of the checkout the steps run in: the Action's Pythons never read them."""
    marker = tmp_path / "imported"
    names = ["click.py", "jmespath.py", "json.py", "yaml.py", "hcl2/__init__.py", "tfcheck/__init__.py"]
    run = run_action(
        {"plan": str(PLAN_FAIL), "comment": "true"},
        tmp_path,
        workspace_files=planted(names, marker),
    )
    assert not marker.exists(), marker.read_text()
    assert "title=VPCE012 aws_vpc_endpoint.fail_logs::" in run.steps["check"].stdout
    assert (run.failed, run.exit_code) == ("result", 1)


@pytest.fixture
def dirs(tmp_path: Path) -> dict[str, Path]:
    out = tmp_path / "out"
    out.mkdir()
    return {name: out / f"tfcheck.{ext}" for name, ext in action._EXTENSIONS.items()}


def test_check_args(dirs: dict[str, Path], tmp_path: Path) -> None:
    env = {
        "INPUT_PLAN": "p.json",
        "INPUT_FORMATS": "junit, text\njson",
        "INPUT_POLICIES": "a\nb",
        "INPUT_CONFIG": "c.yml",
        "INPUT_BASELINE": "base.json",
        "INPUT_FAIL_ON": "warning",
        "INPUT_USAGE": "usage.yml",
    }
    argv = action.check_args(env, dirs, tmp_path)
    assert argv[:4] == ["check", "p.json", "--format", "github"]
    assert f"junit:{dirs['junit']}" in argv and f"text:{dirs['text']}" in argv
    assert argv.count("--format") == 6
    tail = argv[argv.index("--fail-on") :]
    assert tail == [
        "--fail-on",
        "warning",
        "--policies",
        "a",
        "--policies",
        "b",
        "--config",
        "c.yml",
        "--baseline",
        "base.json",
        "--usage",
        "usage.yml",
    ]
    with pytest.raises(ValueError, match="unknown format 'yaml'"):
        action.check_args({"INPUT_PLAN": "p", "INPUT_FORMATS": "yaml"}, dirs, tmp_path)
    with pytest.raises(ValueError, match="exactly one"):
        action.check_args({"INPUT_PLAN": "p", "INPUT_HCL": "d"}, dirs, tmp_path)
    assert action.check_args({"INPUT_HCL": "infra"}, dirs, tmp_path)[1] == "infra"


def test_binary_plan_is_converted_with_terraform(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    binary = tmp_path / "tfplan"
    binary.write_bytes(b"PK\x03\x04zip")
    monkeypatch.setenv("PATH", str(tmp_path / "nothing"))
    with pytest.raises(ValueError, match="terraform is not on PATH"):
        action.json_plan(str(binary), {}, tmp_path)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "terraform"
    fake.write_text(f'#!/bin/sh\n[ "$1 $2" = "show -json" ] && [ "$3" = "{binary}" ] && cat "{PLAN_FAIL}"\n')
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}/usr/bin{os.pathsep}/bin")
    converted = action.json_plan(str(binary), {"INPUT_WORKING_DIRECTORY": str(tmp_path)}, tmp_path)
    assert json.loads(Path(converted).read_text())["format_version"]
    assert action.json_plan(str(PLAN_FAIL), {}, tmp_path) == str(PLAN_FAIL)  # JSON stays as it is


# --- the PR comment, without a network ------------------------------------------------------


def test_comment_requests() -> None:
    post = action.comment_request("https://api.github.com", "o/r", 7, "body", "tok", None)
    assert (post.get_method(), post.full_url) == (
        "POST",
        "https://api.github.com/repos/o/r/issues/7/comments",
    )
    assert post.get_header("Authorization") == "Bearer tok"
    assert json.loads(post.data) == {"body": "body"}  # type: ignore[arg-type]
    patch = action.comment_request("https://ghe.example/api/v3", "o/r", 7, "b", "tok", 42)
    assert (patch.get_method(), patch.full_url) == (
        "PATCH",
        "https://ghe.example/api/v3/repos/o/r/issues/comments/42",
    )
    listing = action.list_request("https://api.github.com", "o/r", 7, "tok", 2)
    assert listing.full_url.endswith("/repos/o/r/issues/7/comments?per_page=100&page=2")
    bot = {"login": "github-actions[bot]"}
    assert (
        action.find_marked(
            [
                {"id": 1, "body": "hi <!-- tfcheck -->", "user": bot},
                {"id": 2, "body": "<!-- tfcheck -->\nx", "user": bot},
            ]
        )
        == 2
    )
    assert action.find_marked([{"id": 1, "body": None, "user": bot}]) is None
    body = action.comment_body("x" * 70_000)
    assert body.startswith(action.MARKER) and len(body) <= action.COMMENT_LIMIT and "cut to fit" in body


def test_pull_number(tmp_path: Path) -> None:
    event = tmp_path / "e.json"
    for doc, number in [
        ({"pull_request": {"number": 3}}, 3),
        ({"issue": {"number": 4}}, 4),
        ({"push": {}}, None),
    ]:
        event.write_text(json.dumps(doc))
        assert action.pull_number(str(event)) == number
    assert action.pull_number(None) is None and action.pull_number(str(tmp_path / "missing")) is None


class FakeGitHub:
    """Answers urlopen like the REST API would; records each request."""

    def __init__(self, comments: list[dict[str, Any]], fail: bool = False) -> None:
        self.comments, self.fail = comments, fail
        self.requests: list[urllib.request.Request] = []

    def __call__(self, request: urllib.request.Request, timeout: float = 0) -> Any:
        self.requests.append(request)
        if self.fail:
            raise urllib.error.HTTPError(
                request.full_url, 403, "Resource not accessible by integration", {}, None
            )  # type: ignore[arg-type]
        page = int(request.full_url.rsplit("page=", 1)[1]) if "page=" in request.full_url else 0
        body = self.comments if page == 1 else [] if page else {"id": 99}
        response = io.BytesIO(json.dumps(body).encode())
        response.status = 200  # type: ignore[attr-defined]
        return response


def comment_env(tmp_path: Path) -> dict[str, str]:
    (tmp_path / "report.md").write_text("## tfcheck\n")
    (tmp_path / "event.json").write_text(json.dumps({"pull_request": {"number": 7}}))
    return {
        "INPUT_COMMENT": "true",
        "GITHUB_TOKEN": "tok",
        "GITHUB_REPOSITORY": "o/r",
        "GITHUB_EVENT_PATH": str(tmp_path / "event.json"),
        "TFCHECK_MARKDOWN": str(tmp_path / "report.md"),
        "GITHUB_API_URL": "https://api.github.com",
    }


@pytest.mark.parametrize(
    ("comments", "method", "url"),
    [
        ([{"id": 5, "body": "looks good"}], "POST", "https://api.github.com/repos/o/r/issues/7/comments"),
        (
            [
                {"id": 5, "body": "x"},
                {"id": 6, "body": "<!-- tfcheck -->\nold", "user": {"login": "github-actions[bot]"}},
            ],
            "PATCH",
            "https://api.github.com/repos/o/r/issues/comments/6",
        ),
    ],
)
def test_comment_step_posts_or_updates(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    comments: list[dict[str, Any]],
    method: str,
    url: str,
) -> None:
    fake = FakeGitHub(comments)
    monkeypatch.setattr(urllib.request, "urlopen", fake)
    assert action.main(["comment"], comment_env(tmp_path)) == 0
    last = fake.requests[-1]
    assert (last.get_method(), last.full_url) == (method, url)
    assert json.loads(last.data)["body"] == f"{action.stack_marker({})}\n## tfcheck\n"  # type: ignore[arg-type]
    assert "PR comment" in capsys.readouterr().out


BOT = {"login": "github-actions[bot]", "type": "Bot"}


def stack_env(tmp_path: Path, plan: str, **extra: str) -> dict[str, str]:
    return {**comment_env(tmp_path), "INPUT_PLAN": plan, "INPUT_WORKING_DIRECTORY": ".", **extra}


def test_a_marked_comment_by_someone_else_is_never_edited(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The takeover: a PR author posts a comment starting with the marker; the Action used to
    PATCH the first marked comment whoever wrote it, putting its report under their name (or
    editing their text into a trusted-looking report)."""
    env = stack_env(tmp_path, "plan.json")
    marker = action.stack_marker(env)
    fake = FakeGitHub(
        [
            {"id": 5, "body": f"{marker}\n## ✅ tfcheck\nall good, merge", "user": {"login": "mallory"}},
            {"id": 6, "body": "<!-- tfcheck -->\nforged", "user": {"login": "mallory", "type": "User"}},
        ]
    )
    monkeypatch.setattr(urllib.request, "urlopen", fake)
    assert action.main(["comment"], env) == 0
    last = fake.requests[-1]
    assert (last.get_method(), last.full_url) == (
        "POST",
        "https://api.github.com/repos/o/r/issues/7/comments",
    )
    assert json.loads(last.data)["body"].startswith(marker + "\n")  # type: ignore[arg-type]


def test_each_stack_of_a_matrix_keeps_its_own_comment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    network = stack_env(tmp_path, "stacks/network/tfplan", INPUT_WORKING_DIRECTORY="stacks/network")
    apps = stack_env(tmp_path, "stacks/apps/tfplan", INPUT_WORKING_DIRECTORY="stacks/apps")
    assert action.stack_marker(network) != action.stack_marker(apps)
    assert action.stack_marker(network) == action.stack_marker(
        {**network, "INPUT_PLAN": "stacks/network/./tfplan"}
    )
    comments = [{"id": 11, "body": f"{action.stack_marker(network)}\nnetwork report", "user": BOT}]
    fake = FakeGitHub(comments)
    monkeypatch.setattr(urllib.request, "urlopen", fake)
    assert action.main(["comment"], apps) == 0
    assert fake.requests[-1].get_method() == "POST"  # apps does not overwrite network's comment
    assert action.main(["comment"], network) == 0
    assert (fake.requests[-1].get_method(), fake.requests[-1].full_url) == (
        "PATCH",
        "https://api.github.com/repos/o/r/issues/comments/11",
    )


def test_comment_author_is_configurable_and_the_old_marker_is_adopted() -> None:
    marker = action.stack_marker({"INPUT_PLAN": "p.json"})
    app = {"login": "my-app[bot]"}
    comments = [
        {"id": 1, "body": f"{marker}\nx", "user": BOT},
        {"id": 2, "body": "<!-- tfcheck -->\nold", "user": app},
        {"id": 3, "body": f"{marker}\ny", "user": app},
    ]
    assert action.find_marked(comments, marker) == 1
    assert action.find_marked(comments, marker, "My-App[bot]") == 3  # its own marker before the old one
    assert action.find_marked(comments[:2], marker, "my-app[bot]") == 2  # a comment of an earlier version
    assert action.find_marked(comments, marker, "someone") is None
    assert action.find_marked([{"id": 4, "body": f"quote:\n{marker}", "user": BOT}], marker) is None
    assert action.find_marked([{"id": 5, "body": f"{marker}\nx", "user": None}], marker) is None


def test_comment_step_failures_are_warnings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(urllib.request, "urlopen", FakeGitHub([], fail=True))
    assert action.main(["comment"], comment_env(tmp_path)) == 0
    assert capsys.readouterr().out.startswith("::warning title=tfcheck::PR comment failed: HTTP Error 403")
    env = comment_env(tmp_path)
    env["GITHUB_EVENT_PATH"] = str(tmp_path / "none.json")
    assert action.main(["comment"], env) == 0
    assert "skipped: not a pull request event" in capsys.readouterr().out
    assert action.main(["nonsense"], env) == 2


# --- pre-commit ------------------------------------------------------------------------------

HOOKS = REPO / ".pre-commit-hooks.yaml"


def test_pre_commit_hook_checks_the_directories_of_the_changed_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """As pre-commit runs it: at the repository root, entry + args + the changed files that
    match `files`; the root module lives in a subdirectory (the old `args: [.]` exited 2)."""
    hooks = yaml.safe_load(HOOKS.read_text())
    assert [h["id"] for h in hooks] == ["tfcheck"]
    hook = hooks[0]
    assert hook["pass_filenames"] is True and hook["language"] == "python"
    assert hook["entry"].split() == ["tfcheck", "check"] and not hook.get("args")
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    for name, case in (("infra/network", "VPCE012/fail"), ("infra/app", "VPCE012/pass")):
        (repo / name).mkdir(parents=True)
        shutil.copy(REPO / "fixtures/rules" / case / "main.tf", repo / name / "main.tf")
    (repo / "infra/network/extra.tfvars").write_text("")
    (repo / "README.md").write_text("x\n")
    changed = ["infra/network/main.tf", "infra/network/extra.tfvars", "infra/app/main.tf", "README.md"]
    files = [f for f in changed if re.search(hook["files"], f)]
    assert files == changed[:3]
    monkeypatch.chdir(repo)
    from tfcheck.cli import main

    code = main([*hook["entry"].split()[1:], *hook.get("args", []), *files])
    out = capsys.readouterr().out
    assert code == 1 and "VPCE012" in out and out.rstrip().endswith("2 plans)")  # two directories, once each
    assert main(["check", "."]) == 2  # what the old default args did here: no .tf files at the root
    capsys.readouterr()


def test_pre_commit_validates_the_manifest() -> None:
    done = subprocess.run(
        [tool("pre-commit"), "validate-manifest", str(HOOKS)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stdout + done.stderr


# --- pinned dependencies ----------------------------------------------------------------------

PINS = REPO / "requirements" / "action.txt"


def pins() -> dict[str, tuple[str, list[str]]]:
    """name → (version, hashes) of requirements/action.txt."""
    text = re.sub(r"\\\n", " ", PINS.read_text())
    out: dict[str, tuple[str, list[str]]] = {}
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        spec, *options = line.split()
        name, sep, version = spec.partition("==")
        assert sep, f"{spec}: not pinned with =="
        hashes = [o.split(":", 1)[1] for o in options if o.startswith("--hash=sha256:")]
        assert len(hashes) == len(options) and hashes, f"{spec}: every option must be a sha256 --hash"
        assert all(re.fullmatch(r"[0-9a-f]{64}", h) for h in hashes)
        out[_canonical(name)] = (version, hashes)
    return out


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_pins_satisfy_pyproject_and_cover_every_runtime_dependency() -> None:
    from importlib import metadata

    tomllib = pytest.importorskip("tomllib")  # Python 3.11+

    from packaging.requirements import Requirement

    pinned = pins()
    wanted = [
        Requirement(r)
        for r in tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["dependencies"]
    ]
    for req in wanted:
        name = _canonical(req.name)
        assert name in pinned, f"{req.name} is a dependency but not pinned in {PINS.name}"
        assert req.specifier.contains(pinned[name][0], prereleases=True), (
            f"{req.name}=={pinned[name][0]} does not satisfy pyproject's {req}"
        )
    # the closure: whatever those depend on (on the Pythons the Action supports) is pinned too
    closure, todo = set(), [_canonical(r.name) for r in wanted]
    while todo:
        name = todo.pop()
        if name in closure:
            continue
        closure.add(name)
        for text in metadata.requires(name) or ():
            dep = Requirement(text)
            if dep.marker is None or any(
                dep.marker.evaluate({"python_version": v, "extra": ""}) for v in ("3.11", "3.12", "3.13")
            ):
                todo.append(_canonical(dep.name))
                version = pinned.get(_canonical(dep.name), ("",))[0]
                assert version and dep.specifier.contains(version, prereleases=True), (
                    f"{name} needs {dep}; {PINS.name} pins {version or 'nothing'}"
                )
    assert set(pinned) - closure == set(), set(pinned) - closure


def test_action_installs_only_from_the_hash_pinned_file() -> None:
    step = next(s for s in yaml.safe_load(ACTION.read_text())["runs"]["steps"] if s["id"] == "install")
    script = step["run"]
    assert "--require-hashes" in script and "requirements/action.txt" in script
    assert "--only-binary :all:" in script and "--no-deps" in script
    # nothing else is installed: tfcheck itself runs from the checkout
    assert script.count("pip install") == 1


# Where each run script starts Python: setup-python's interpreter, then the venv's.
_PYTHON_CALL = re.compile(r'"\$(?:SETUP_PYTHON|TFCHECK_PYTHON|venv/bin/python)"(?P<flags>(?: -\w+)*)')


def test_every_python_the_action_starts_runs_isolated() -> None:
    """The steps run in the pull request's checkout: without -I, `python -m X` and `python -c`
    put that directory first on sys.path, and a `click.py` or `pip/` planted there runs with
    the job's token (tested for real below)."""
    calls = 0
    for step in yaml.safe_load(ACTION.read_text())["runs"]["steps"]:
        for line in step.get("run", "").splitlines():
            if "python" not in line.lower() or line.strip().startswith(("#", "echo", "venv=")):
                continue
            found = _PYTHON_CALL.search(line)
            assert found is not None, f"{step['id']}: a Python call this test does not know: {line}"
            assert "-I" in found["flags"].split(), f"{step['id']}: not isolated: {line.strip()}"
            calls += 1
    assert calls == 5


def _offline_index() -> bool:
    done = subprocess.run([sys.executable, "-m", "pip", "config", "list"], capture_output=True, text=True)
    return "file:" in done.stdout or "find-links" in done.stdout


@pytest.mark.skipif(not _offline_index(), reason="needs a local package index (pip config: file:// index)")
@pytest.mark.skipif(
    sys.version_info < (3, 11),
    reason="the Action runs on Python 3.11-3.13 (its "
    "python-version input); requirements/action.txt holds wheel hashes for those",
)
def test_install_step_installs_the_pins_with_their_hashes(tmp_path: Path) -> None:
    """The install step as the runner runs it (setup-python's interpreter: this one), against
    the configured local index: pip checks every downloaded file against the pinned hashes."""
    step = next(s for s in yaml.safe_load(ACTION.read_text())["runs"]["steps"] if s["id"] == "install")
    output = tmp_path / "output"
    output.touch()
    script = tmp_path / "install.sh"
    script.write_text(step["run"])
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "SETUP_PYTHON": sys.executable,
        "GITHUB_ACTION_PATH": str(REPO),
        "RUNNER_TEMP": str(tmp_path),
        "GITHUB_OUTPUT": str(output),
    }
    workspace, marker = tmp_path / "workspace", tmp_path / "imported"
    for name, text in planted(
        ["venv.py", "pip/__init__.py", "pip/__main__.py", "pathlib.py"], marker
    ).items():
        (workspace / name).parent.mkdir(parents=True, exist_ok=True)
        (workspace / name).write_text(text)
    done = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
        cwd=workspace,  # the runner's: the pull request's checkout
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert not marker.exists(), marker.read_text()
    if done.returncode != 0 and "No matching distribution" in done.stderr:
        pytest.skip("the local index lacks a pinned release: " + done.stderr[-300:])
    assert done.returncode == 0, done.stdout + done.stderr
    python = read_output_file(output)["python"]
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path)}
    where = subprocess.run(
        [python, "-c", "import tfcheck, yaml, hcl2, jsonschema; print(tfcheck.__file__)"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert where.returncode == 0 and where.stdout.strip() == str(REPO / "tfcheck" / "__init__.py"), (
        where.stderr
    )
    frozen = subprocess.run(
        [python, "-m", "pip", "freeze"], env=env, capture_output=True, text=True, timeout=60
    )
    installed = {
        _canonical(line.split("==")[0]): line.split("==")[1]
        for line in frozen.stdout.split()
        if "==" in line and not line.startswith("tfcheck==")
    }  # the checkout's own metadata
    assert installed == {name: version for name, (version, _) in pins().items()}
    version = subprocess.run([python, "-m", "tfcheck", "--version"], env=env, capture_output=True, text=True)
    assert version.returncode == 0 and version.stdout.startswith("tfcheck, version ")
