"""Hostile values on output: a pull request's .tf files put text into messages (an AZ),
addresses (a for_each key), unknown-value reasons and notes (a string that fails to
evaluate) and file names. Whatever the format, no value may start a GitHub workflow
command, carry an escape sequence, open a code fence, or become a Markdown image, link or
HTML tag. Each case runs the CLI bounded (tests/hostile.py)."""

from __future__ import annotations

import json
import os
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml
from conftest import REPO
from hostile import OWN_COMMAND, error_line, injected_lines, run

from tfcheck.project import RULES_DOCS

# Every trick at once, in the one attribute tfcheck quotes in a message (VPCE012's AZ list).
PAYLOAD = (
    r"x\n::error file=a::forged\r\n##[group]g\n\u001b[31mred\u001b]8;;https://evil\u0007click"
    r"\u001b]8;;\u0007 \u202eabc ![img](https://evil/x.png) [link](https://evil) ```\n```\n"
    r"<img src=x> @octocat"
)

STACK = """
provider "aws" { region = "us-east-1" }
resource "aws_vpc" "v" {
  cidr_block           = "10.0.0.0/16"
  enable_dns_support   = true
  enable_dns_hostnames = true
}
resource "aws_subnet" "a" {
  vpc_id            = aws_vpc.v.id
  cidr_block        = "10.0.1.0/24"
  availability_zone = "us-east-1a"
}
resource "aws_subnet" "w" {
  vpc_id            = aws_vpc.v.id
  cidr_block        = "10.0.2.0/24"
  availability_zone = "PAYLOAD"
}
resource "aws_subnet" "u" {
  vpc_id            = aws_vpc.v.id
  cidr_block        = "10.0.3.0/24"
  # fails to evaluate: the note and the unknown value's reason quote the string
  availability_zone = tonumber("\\n::warning::from-reason\\n\\u001b[2J```\\n![i](https://evil/r.png)")
}
resource "aws_vpc_endpoint" "e" {
  vpc_id              = aws_vpc.v.id
  service_name        = "com.amazonaws.us-east-1.ecr.api"
  vpc_endpoint_type   = "Interface"
  private_dns_enabled = true
  subnet_ids          = [aws_subnet.a.id]
}
resource "aws_ecs_service" "s" {
  for_each = toset(["k\\n::error::from-key\\u001b[1m"])
  name     = "s"
  network_configuration { subnets = [aws_subnet.w.id, aws_subnet.u.id] }
}
""".replace("PAYLOAD", PAYLOAD.replace('"', '\\"'))

FORMATS = ["text", "github", "markdown", "junit", "sarif", "json"]
# Characters no output may carry raw: ESC and the 8-bit CSI, BEL, bidi overrides.
RAW = re.compile("[\x1b\x9b\x07\u202a-\u202e\u2066-\u2069]")


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[str, str]]:
    """Each format's (stdout, stderr) for the hostile stack, run once per module."""
    root = tmp_path_factory.mktemp("hostile")
    (root / "stack").mkdir()
    (root / "stack" / "main.tf").write_text(STACK)
    out = {}
    for fmt in FORMATS:
        done = run(["check", "stack", "--format", fmt, "--verbose"], root)
        assert done.returncode == 1  # VPCE012 fails on the payload's AZ: the payload reached a message
        out[fmt] = (done.stdout.decode("utf-8"), done.stderr.decode("utf-8"))
    return out


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_value_starts_a_workflow_command_or_escape_sequence(
    reports: dict[str, tuple[str, str]], fmt: str
) -> None:
    out, err = reports[fmt]
    for stream in (out, err):
        assert not RAW.search(stream), repr(RAW.search(stream))
    assert injected_lines(err) == []
    assert all(line.startswith("tfcheck: ") for line in err.splitlines()), err
    if fmt != "github":
        assert injected_lines(out) == []
        return
    # The github format's own lines are the only commands: one per failure, inconclusive
    # result and note, each one line, and none of the payload's.
    doc = json.loads(reports["json"][0])
    expected = len(doc["findings"]) + len(doc["inconclusive"]) + len(doc.get("notes", []))
    commands = injected_lines(out)
    assert len(commands) == expected and all(OWN_COMMAND.match(line) for line in commands), commands
    assert not any(line.startswith(("::error file=a", "::warning::from", "##[")) for line in out.splitlines())


def _outside_code(markdown: str) -> tuple[list[str], list[str]]:
    """(lines outside fenced blocks, fence lines)."""
    prose, fences, inside = [], [], False
    for line in markdown.splitlines():
        if line.lstrip().startswith(("```", "~~~")):
            fences.append(line)
            inside = not inside
        elif not inside:
            prose.append(line)
    return prose, fences


def test_markdown_values_are_text(reports: dict[str, tuple[str, str]]) -> None:
    out, _ = reports["markdown"]
    prose, fences = _outside_code(out)
    assert fences and all(f in ("```mermaid", "```") for f in fences), fences  # only tfcheck's diagrams
    # tfcheck's own links (each built-in rule's page) are the only ones allowed
    text = "\n".join(prose).replace("](" + RULES_DOCS, "] (")
    assert "forged" in text  # the value is shown, as text
    assert not re.search(r"(?<!\\)\]\(", text), "an image or link survived"
    assert "<img" not in text and "https://evil" not in text  # no tag, no autolink
    assert "@octocat" not in text  # no mention
    # inside the diagrams a value cannot close the block, the label or the fence
    block = out[out.index("```mermaid") :]
    assert "```\n```" not in block.replace("```mermaid", "")


def test_junit_sarif_and_json_stay_valid(reports: dict[str, tuple[str, str]]) -> None:
    out, err = reports["json"]
    text = json.dumps(json.loads(out))  # the payload reaches the reports: the other tests prove something
    assert "forged" in text and "from-reason" in text and "from-key" in text and "from-reason" in err
    ET.fromstring(reports["junit"][0])
    sarif = json.loads(reports["sarif"][0])
    messages = [r["message"]["text"] for r in sarif["runs"][0]["results"]]
    assert any("forged" in m for m in messages)
    assert not any(RAW.search(m) for m in messages)


def test_a_file_name_that_is_not_utf8(tmp_path: Path) -> None:
    stack = tmp_path / "stack"
    stack.mkdir()
    name = os.fsdecode(b"m\xffain.tf")
    (stack / name).write_text(STACK.replace(PAYLOAD.replace('"', '\\"'), "us-east-1b"))
    for fmt in ("text", "sarif", "json"):  # the surrogate used to break the UTF-8 writers
        done = run(["check", "stack", "--format", fmt], tmp_path)
        assert done.returncode == 1, (fmt, done.stderr)
        out = done.stdout.decode("utf-8")  # valid UTF-8 whatever the file name
        if fmt == "sarif":
            uris = {
                loc["physicalLocation"]["artifactLocation"]["uri"]
                for r in json.loads(out)["runs"][0]["results"]
                for loc in r["locations"]
            }
            assert uris == {"stack/m%FFain.tf"}  # the real bytes, percent-encoded
        if fmt == "json":
            files = {f["file"] for f in json.loads(out)["findings"]}
            assert files == {"stack/m\\xffain.tf"}


def test_an_error_naming_a_hostile_file_is_one_line(tmp_path: Path) -> None:
    policies = tmp_path / "pol"
    policies.mkdir()
    (policies / "x\n::error file=a::forged\x1b[31m.yaml").write_text("id: [not, valid\n")
    line = error_line(run(["rules", "--policies", "pol"], tmp_path))
    assert "forged" in line and "\\n::error" in line and "\x1b" not in line


def test_explain_shows_a_hostile_policy_inert(tmp_path: Path) -> None:
    doc = yaml.safe_load((REPO / "policies" / "VPCE002.yaml").read_text())
    doc.update(id="USR001", description="Why.\n::error file=a::forged\n\x1b[2Jgone\n  ##[group]x\n")
    (tmp_path / "pol").mkdir()
    (tmp_path / "pol" / "usr001.yaml").write_text(yaml.safe_dump(doc))
    done = run(["explain", "USR001", "--policies", "pol"], tmp_path)
    out = done.stdout.decode("utf-8")
    assert done.returncode == 0 and "forged" in out
    assert injected_lines(out) == [] and "\x1b" not in out
