"""Hostile configuration, as a pull request can write it: every file tfcheck reads besides
the Terraform itself (.tfcheck.yml, policies, usage, prices, baseline) and the plan document
and stdin. Each case runs the CLI bounded in time and memory (tests/hostile.py) and must end
in one error naming the file, never an internal error, a hang or gigabytes."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from conftest import REPO
from hostile import error_line, run

DEMO = REPO / "fixtures" / "demo" / "plan.json"

# 9 levels of 9 aliases: 9**9 (387 million) list items from ~600 bytes.
ALIAS_BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{b}: &{b} [{', '.join(['*' + a] * 9)}]\n" for a, b in zip("abcdefgh", "bcdefghi")
)


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.fixture
def work(tmp_path: Path) -> Path:
    shutil.copy(DEMO, tmp_path / "plan.json")
    return tmp_path


def own_policy(**changes: object) -> str:
    doc = yaml.safe_load((REPO / "policies" / "VPCE002.yaml").read_text())
    doc.update({"id": "USR001", **changes})
    return yaml.safe_dump(doc)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


# (what is planted, the arguments, words the one error line must hold)
Case = Callable[[Path], tuple[list[str], list[str]]]


def alias_config(w: Path) -> tuple[list[str], list[str]]:
    write(w / ".tfcheck.yml", ALIAS_BOMB)  # found by default, as in a PR's checkout
    return ["check", "plan.json"], [".tfcheck.yml", "anchor"]


def alias_policy(w: Path) -> tuple[list[str], list[str]]:
    write(w / "pol" / "usr001.yaml", own_policy() + ALIAS_BOMB.replace("a:", "x-a:", 1))
    return ["check", "plan.json", "--policies", "pol"], ["usr001.yaml", "anchor"]


def alias_usage(w: Path) -> tuple[list[str], list[str]]:
    write(w / "usage.yml", "version: 0.1\n" + ALIAS_BOMB)
    return ["check", "plan.json", "--usage", "usage.yml"], ["usage.yml", "anchor"]


def alias_prices(w: Path) -> tuple[list[str], list[str]]:
    write(w / "prices.yml", ALIAS_BOMB)
    return ["cost", "plan.json", "--prices", "prices.yml"], ["prices.yml", "anchor"]


def huge_config(w: Path) -> tuple[list[str], list[str]]:
    write(w / ".tfcheck.yml", "disable: [VPCE022]\n" + ("#" * 1023 + "\n") * 5 * 1024)
    return ["check", "plan.json"], [".tfcheck.yml", "larger than"]


def deep_config(w: Path) -> tuple[list[str], list[str]]:
    write(w / "deep.yml", f"needs: {{x: {nested(990)}}}\n")
    return ["check", "plan.json", "--config", "deep.yml"], ["deep.yml", "nested"]


def deep_policy_document(w: Path) -> tuple[list[str], list[str]]:
    write(w / "pol" / "usr001.yaml", own_policy() + f"x-deep: {nested(990)}\n")
    return ["check", "plan.json", "--policies", "pol"], ["usr001.yaml", "nested"]


def deep_policy_expression(w: Path) -> tuple[list[str], list[str]]:
    write(
        w / "pol" / "usr001.yaml",
        own_policy(**{"assert": "(" * 3000 + "nonempty(route_tables)" + ")" * 3000}),
    )
    return ["check", "plan.json", "--policies", "pol"], ["usr001.yaml", "nested"]


def deep_baseline(w: Path) -> tuple[list[str], list[str]]:
    write(w / "base.json", f'{{"version": 1, "findings": {nested(990)}}}')
    return ["check", "plan.json", "--baseline", "base.json"], ["base.json", "nested"]


def deeper_baseline(w: Path) -> tuple[list[str], list[str]]:
    write(w / "base.json", f'{{"version": 1, "findings": {nested(200_000)}}}')
    return ["check", "plan.json", "--baseline", "base.json"], ["base.json", "nested"]


def duplicate_plan_key(w: Path) -> tuple[list[str], list[str]]:
    # Hand-made: terraform never writes a key twice, which is the point.
    text = DEMO.read_text()
    assert '"planned_values"' in text
    at = text.index('"resource_changes"')  # a second, empty planned_values would hide every resource
    write(w / "dup.json", text[:at] + '"planned_values": {"root_module": {}}, ' + text[at:])
    return ["check", "dup.json"], ["dup.json", "twice", '"planned_values"']


CASES: dict[str, Case] = {
    "aliases in .tfcheck.yml": alias_config,
    "aliases in a policy file": alias_policy,
    "aliases in a usage file": alias_usage,
    "aliases in a price file": alias_prices,
    "a 5 MB .tfcheck.yml": huge_config,
    "a settings file nested 990 deep": deep_config,
    "a policy document nested 990 deep": deep_policy_document,
    "a policy expression nested 3000 deep": deep_policy_expression,
    "a baseline nested 990 deep": deep_baseline,
    "a baseline nested 200,000 deep": deeper_baseline,
    "a plan with a key twice": duplicate_plan_key,
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_hostile_configuration_is_one_input_error(work: Path, case: str) -> None:
    args, words = CASES[case](work)
    line = error_line(run(args, work))
    for word in words:
        assert word in line, line


def test_closed_stdin_is_an_input_error(work: Path) -> None:
    line = error_line(run(["check", "-"], work, close_stdin=True))
    assert line.startswith("tfcheck: error: <stdin>: ") and "closed" in line


def test_the_bomb_is_refused_in_every_yaml_reader(tmp_path: Path) -> None:
    """Not only the CLI's: `tfcheck test` reads the same policy files."""
    write(tmp_path / "usr001.yaml", own_policy() + ALIAS_BOMB.replace("a:", "x-a:", 1))
    write(tmp_path / "case" / "expected.yaml", "results: {}\n")
    shutil.copy(DEMO, tmp_path / "case" / "plan.json")
    line = error_line(run(["test", "."], tmp_path))
    assert "usr001.yaml" in line and "anchor" in line


def test_anchors_are_refused_but_asterisks_and_ampersands_are_not(work: Path) -> None:
    """The refusal keys on YAML anchors and aliases, not on `*` in a glob or `&` in a reason."""
    honest = 'waivers:\n  - {rule: "VPCE0*", address: "aws_*", reason: "R&D & test"}\n'
    write(work / ".tfcheck.yml", honest)
    done = run(["check", "plan.json", "--format", "json"], work)
    assert done.returncode == 0 and json.loads(done.stdout)["findings"] == []
    write(work / ".tfcheck.yml", honest + "x: &R [1]\n")
    line = error_line(run(["check", "plan.json"], work))
    assert "anchor 'R' at line 3" in line
