"""Hostile Terraform source, as a pull request could write it, run through the whole CLI.

Each case runs `python -m tfcheck` in a child process under a time limit and a 2 GB address
space limit, in HCL mode (the directory) and in plan + source mode (the demo fixture's
plan beside the hostile `.tf` files). It must exit 0, 1 or 2 without an internal error,
and nothing from outside the configuration may appear in any output format.
"""

from __future__ import annotations

import base64
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "fixtures" / "demo"
SECRET = "TOPSECRET-hcl-4242"
MEMORY = 2 * 1024**3
TIMEOUT = 90  # seconds; each case takes a few on an idle machine
FORMATS = ("json", "sarif", "markdown", "github", "junit")
MODES = ("hcl", "plan+source")


def _limits() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


def run_cli(cfg: Path, mode: str, out: Path, extra: tuple[str, ...] = ()) -> dict:
    """Run `check` on the configuration in every format; the outputs, checked for safety."""
    out.mkdir(exist_ok=True)
    target = str(cfg) if mode == "hcl" else str(cfg / "plan.json")
    args = [
        sys.executable,
        "-m",
        "tfcheck",
        "check",
        target,
        "--verbose",
        "--format",
        "text",
        *(f"--format={name}:{out / name}" for name in FORMATS),
        *extra,
    ]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TFCHECK_TEST_SECRET": SECRET}
    env.pop("TF_WORKSPACE", None)
    start = time.monotonic()
    proc = subprocess.run(
        args, capture_output=True, text=True, timeout=TIMEOUT, env=env, cwd=cfg.parent, preexec_fn=_limits
    )
    elapsed = time.monotonic() - start
    assert proc.returncode in (0, 1, 2), proc.stderr[-2000:]
    assert "internal error" not in proc.stderr, proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr, proc.stderr[-2000:]
    texts = {"stdout": proc.stdout, "stderr": proc.stderr}
    for name in FORMATS:
        path = out / name
        texts[name] = path.read_text(encoding="utf-8") if path.exists() else ""
    encoded = base64.b64encode(SECRET.encode()).decode()
    for where, text in texts.items():
        assert SECRET not in text, f"the secret leaked into {where}"
        assert encoded[:16] not in text, f"the secret leaked (base64) into {where}"
    document = json.loads(texts["json"]) if texts["json"] else {}
    return {
        "rc": proc.returncode,
        "stderr": proc.stderr,
        "texts": texts,
        "json": document,
        "elapsed": elapsed,
    }


def refused(result: dict) -> list[str]:
    """What the JSON summary says the evaluation refused (budget or file boundary)."""
    inputs = result["json"].get("summary", {}).get("inputs", [])
    return [line for one in inputs for line in one.get("refused", [])]


@pytest.fixture()
def layout(tmp_path: Path) -> dict[str, Path]:
    """tmp/secret.txt outside; tmp/repo/.git; tmp/repo/cfg holds the demo stack and its plan."""
    (tmp_path / "secret.txt").write_text(SECRET + "\n")
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    cfg = repo / "cfg"
    cfg.mkdir()
    shutil.copy(DEMO / "main.tf", cfg / "main.tf")
    shutil.copy(DEMO / "plan.json", cfg / "plan.json")
    return {"tmp": tmp_path, "repo": repo, "cfg": cfg, "secret": tmp_path / "secret.txt"}


def _az_from(cfg: Path, expression: str) -> None:
    """Make subnet "c"'s availability zone the hostile expression (VPCE012 names AZs)."""
    text = (cfg / "main.tf").read_text()
    text = text.replace(
        'availability_zone = "us-east-1${each.key}"',
        f'availability_zone = each.key == "c" ? {expression} : "us-east-1${{each.key}}"',
    )
    (cfg / "main.tf").write_text(text)


def _hostile(cfg: Path, expression: str, extra: str = "") -> None:
    """A resource whose tags evaluate the expression, and any other blocks it needs."""
    (cfg / "hostile.tf").write_text(
        'resource "aws_vpc" "hostile" {\n  cidr_block = "10.99.0.0/16"\n'
        f"  tags = {{ x = {expression} }}\n}}\n{extra}"
    )


def _evaluated(cfg: Path, mode: str, expression: str, extra: str = "") -> None:
    """Put the expression where the mode evaluates it: beside a plan, the source evaluates only
    the plan's resources (all their arguments under --verbose), so it goes on subnet "c"."""
    if mode == "hcl":
        _hostile(cfg, expression, extra)
    else:
        (cfg / "hostile.tf").write_text(extra)
        _az_from(cfg, f"tostring({expression})")


# -- 1. file functions stay inside the configuration --------------------------------------

LEAKS = {
    "absolute": lambda p: f'file("{p["secret"]}")',
    "relative": lambda p: 'file("../../secret.txt")',
    "templatefile": lambda p: 'templatefile("../../secret.txt", {})',
    "yamldecode": lambda p: f'yamldecode(file("{p["secret"]}"))',
    "error message": lambda p: f'tonumber(file("{p["secret"]}"))',
    "proc environ": lambda p: 'replace(file("/proc/self/environ"), "\\u0000", " ")',
    "link inside": lambda p: 'file("${path.module}/inside-link")',
}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("case", list(LEAKS))
def test_file_functions_do_not_leak(layout: dict[str, Path], case: str, mode: str) -> None:
    cfg = layout["cfg"]
    (cfg / "inside-link").symlink_to(layout["secret"])
    _az_from(cfg, LEAKS[case](layout))
    result = run_cli(cfg, mode, layout["tmp"] / "out")
    assert any("outside the configuration" in line for line in refused(result)), refused(result)


def test_beside_a_plan_a_resource_the_plan_lacks_is_never_evaluated(layout: dict[str, Path]) -> None:
    cfg = layout["cfg"]
    _hostile(cfg, f'file("{layout["secret"]}")')
    result = run_cli(cfg, "plan+source", layout["tmp"] / "out")
    assert result["json"]["summary"]["inputs"][0]["mode"] == "plan+source"
    assert refused(result) == []  # nothing was read, so nothing was refused
    assert SECRET not in json.dumps(result["json"])


@pytest.mark.parametrize("mode", MODES)
def test_every_file_function_is_confined(layout: dict[str, Path], mode: str) -> None:
    cfg = layout["cfg"]
    (cfg / "policy.json").write_text('{"ok": true}')
    calls = ["filebase64", "fileexists", "filemd5", "filesha256", "filebase64sha256"]
    lines = [f'  {c} = {c}("{layout["secret"]}")' for c in calls]
    lines += ['  fileset = fileset("../..", "*.txt")', '  inside = file("policy.json")']
    # On a planned resource: read beside a plan, the source evaluates only the plan's resources.
    (cfg / "hostile.tf").write_text("locals {\n" + "\n".join(lines) + "\n}\n")
    _az_from(cfg, "jsonencode([" + ", ".join(f"local.{c}" for c in calls + ["fileset", "inside"]) + "])")
    result = run_cli(cfg, mode, layout["tmp"] / "out")
    lines = refused(result)
    for name in calls + ["fileset"]:
        assert any(f"{name}(...) outside the configuration" in line for line in lines), lines
    assert not any("file(...)" in line for line in lines)  # policy.json is inside: read
    assert "secret.txt" not in json.dumps(result["json"].get("findings", []))


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("name", ["main.tf", "extra.tf", "terraform.tfvars"])
def test_source_file_linked_outside_is_not_read(layout: dict[str, Path], mode: str, name: str) -> None:
    cfg = layout["cfg"]
    if name == "main.tf":
        (cfg / "main.tf").unlink()
        (cfg / "main.tf").symlink_to(layout["secret"])
        if mode == "plan+source":
            (cfg / "real.tf").write_text((DEMO / "main.tf").read_text())
    else:
        (cfg / name).symlink_to(layout["secret"])
    if name == "terraform.tfvars":
        (cfg / "vars.tf").write_text('variable "x" {\n  default = "y"\n}\n')
    result = run_cli(cfg, mode, layout["tmp"] / "out")
    assert result["rc"] == 2 and "outside the configuration" in result["stderr"], result["stderr"]


@pytest.mark.parametrize("mode", MODES)
def test_module_source_outside_is_not_read(layout: dict[str, Path], mode: str) -> None:
    outside = layout["tmp"] / "outside-module"
    outside.mkdir()
    (outside / "main.tf").write_text(SECRET + "\n")
    (outside / "ok.tf").write_text('output "v" {\n  value = "' + SECRET + '"\n}\n')
    _hostile(layout["cfg"], "module.m.v", 'module "m" {\n  source = "../../outside-module"\n}\n')
    result = run_cli(layout["cfg"], mode, layout["tmp"] / "out")
    assert any("module source outside the configuration" in line for line in refused(result)), refused(result)


# -- 2. the evaluation budget ---------------------------------------------------------------


def _chain(name: str, first: str, step: str, count: int = 40) -> str:
    lines = [f"  {name}0 = {first}"]
    lines += [f"  {name}{i} = " + step.replace("@", f"local.{name}{i - 1}") for i in range(1, count + 1)]
    return "locals {\n" + "\n".join(lines) + "\n}\n"


BOMB = "a: &a [x,x,x,x,x,x,x,x,x]\n" + "".join(
    f"{b}: &{b} [" + ",".join([f"*{a}"] * 9) + "]\n" for a, b in zip("abcdefgh", "bcdefghi")
)

BUDGET = {
    "pow": ("pow(10, 100000000)", ""),
    "number doubling": ("local.n40", _chain("n", "99999999999", "@ * @")),
    "string doubling": ("length(local.s40)", _chain("s", '"ab"', '"${@}${@}"')),
    "list doubling": ("length(local.l40)", _chain("l", "[1, 2]", "concat(@, @)")),
    "nested doubling": ("jsonencode(local.t40)", _chain("t", "[1]", "[@, @]")),
    "triple for": (
        "length(local.p)",
        "locals {\n  r = range(1000)\n  p = [for a in local.r : "
        "[for b in local.r : [for c in local.r : c]]]\n}\n",
    ),
    "yaml anchors": ("length(yamldecode(local.y))", "locals {\n  y = <<-EOT\n" + BOMB + "EOT\n}\n"),
    # bomb/ calls itself twice: 2**32 instances through the nesting depth of 32
    "module fan-out": ("length(module.bomb)", 'module "bomb" {\n  source = "./bomb"\n}\n'),
    "join blow-up": (
        "length(join(local.big, local.more))",
        'locals {\n  big = join("", [for i in range(1000) : '
        '"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"'
        "])\n  more = [for i in range(1000) : local.big]\n}\n",
    ),
}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("case", list(BUDGET))
def test_budget_bounds_evaluation(layout: dict[str, Path], case: str, mode: str) -> None:
    expression, extra = BUDGET[case]
    _evaluated(layout["cfg"], mode, expression, extra)
    if case == "module fan-out":
        (layout["cfg"] / "bomb").mkdir()
        (layout["cfg"] / "bomb" / "main.tf").write_text(
            'module "self" {\n  source = "./"\n  count  = 2\n}\n'
            'resource "aws_vpc" "v" {\n  cidr_block = "10.0.0.0/16"\n}\n'
        )
    result = run_cli(layout["cfg"], mode, layout["tmp"] / "out")
    lines = refused(result)
    assert any("evaluation budget exceeded" in line for line in lines), lines
    assert all(re.match(r"[\w./-]+\.tf:\d+: ", line) for line in lines), lines  # file:line
    if mode == "hcl":  # the rest of the check goes on: the demo's own findings are there
        assert result["rc"] == 1 and result["json"]["summary"]["failed"] > 0


REGEX = {
    "replace": 'replace("${local.a}!", "/(a+)+b/", "x")',
    "regex": 'try(regex("(a|aa)+$", "${local.a}!"), "none")',
    "regexall": 'length(regexall("(a*)*b", "${local.a}!"))',
}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("case", list(REGEX))
def test_regex_functions_take_linear_time(layout: dict[str, Path], case: str, mode: str) -> None:
    _evaluated(
        layout["cfg"],
        mode,
        REGEX[case],
        'locals {\n  a = join("", [for i in range(40) : "aaaaaaaaaaaaaaaaaaaaaaaaa"])\n}\n',
    )
    result = run_cli(layout["cfg"], mode, layout["tmp"] / "out")
    assert result["elapsed"] < TIMEOUT / 2


def test_regex_uses_terraform_syntax(layout: dict[str, Path]) -> None:
    """RE2 (Go's syntax) refuses a backreference, which Python's re accepts: unknown."""
    _az_from(layout["cfg"], 'regex("(c)\\\\1", "cc")')
    result = run_cli(layout["cfg"], "hcl", layout["tmp"] / "out")
    assert "invalid regular expression" in result["stderr"]
    assert "cc" not in json.dumps(result["json"]["findings"])


@pytest.mark.parametrize("mode", MODES)
def test_huge_tfvars_is_bounded(layout: dict[str, Path], mode: str) -> None:
    cfg = layout["cfg"]
    (cfg / "vars.tf").write_text('variable "subnets" {\n  type = any\n  default = []\n}\n')
    row = '  {name = "subnet-%06d", cidr = "10.1.2.0/24", az = "us-east-1a"},\n'
    with open(cfg / "terraform.tfvars", "w") as handle:
        handle.write("subnets = [\n")
        for i in range(13 * 1024 * 1024 // len(row)):
            handle.write(row % i)
        handle.write("]\n")
    result = run_cli(cfg, mode, layout["tmp"] / "out")
    assert result["elapsed"] < TIMEOUT / 2
    if result["rc"] == 2:
        assert "terraform.tfvars" in result["stderr"] and "MiB" in result["stderr"]
