"""The bad-input corpus, through the real CLI: every case exits 2 with one paragraph on
stderr that names the input, and never a traceback (DEVELOPERS.md, quality bar)."""

from __future__ import annotations

import io
import json
import os
import zipfile
from pathlib import Path

import pytest
from conftest import REPO

from tfcheck.cli import main

GOOD_PLAN = str(REPO / "fixtures" / "rules" / "VPCE020" / "fail" / "plan.json")
BAD = REPO / "tests" / "bad_inputs"
POLICY = """\
id: X001
title: Test rule
severity: error
resource: endpoints
assert: "private_dns == `true`"
message: "{address}"
description: test
remediation: fix it
links: [https://example.invalid]
"""

# name -> (files to write {relative path: text or bytes}, argv with {tmp} for the temp dir,
#          what stderr must name)
Case = tuple[dict[str, str | bytes], list[str], str]


def _plan_text(**changes: object) -> str:
    plan = json.loads(Path(GOOD_PLAN).read_text())
    plan.update(changes)
    return json.dumps(plan)


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("tfplan/plan.json", "{}")
    return buffer.getvalue()


def _nested(levels: int) -> str:
    return '{"format_version": "1.2", "planned_values": ' + "[" * levels + "]" * levels + "}"


CASES: dict[str, Case] = {
    # plan files
    "empty file": ({"p.json": ""}, ["check", "{tmp}/p.json"], "p.json"),
    "whitespace": ({"p.json": " \n\t "}, ["check", "{tmp}/p.json"], "p.json"),
    "not json": ({"p.json": "resource aws_vpc x {}"}, ["check", "{tmp}/p.json"], "p.json"),
    "truncated json": ({"p.json": _plan_text()[:5000]}, ["check", "{tmp}/p.json"], "p.json"),
    "json array": ({"p.json": "[1, 2]"}, ["check", "{tmp}/p.json"], "p.json"),
    "json string": ({"p.json": '"plan"'}, ["check", "{tmp}/p.json"], "p.json"),
    "json null": ({"p.json": "null"}, ["check", "{tmp}/p.json"], "p.json"),
    "json number": ({"p.json": "42"}, ["check", "{tmp}/p.json"], "p.json"),
    "format_version 2": ({"p.json": _plan_text(format_version="2.0")}, ["check", "{tmp}/p.json"], "p.json"),
    "format_version missing": ({"p.json": '{"planned_values": {}}'}, ["check", "{tmp}/p.json"], "p.json"),
    "format_version number": ({"p.json": _plan_text(format_version=1)}, ["check", "{tmp}/p.json"], "p.json"),
    "neither plan nor state": ({"p.json": '{"format_version": "1.2"}'}, ["check", "{tmp}/p.json"], "p.json"),
    "binary plan (zip)": ({"tfplan": _zip()}, ["check", "{tmp}/tfplan"], "tfplan"),
    "not utf-8": ({"p.json": b'{"format_version": "\xff\xfe\xfa"}'}, ["check", "{tmp}/p.json"], "p.json"),
    "utf-16": ({"p.json": '{"format_version": "1.2"}'.encode("utf-16")}, ["check", "{tmp}/p.json"], "p.json"),
    "nested 300,000 levels": ({"p.json": _nested(300_000)}, ["check", "{tmp}/p.json"], "p.json"),
    "nested 600 levels": ({"p.json": _nested(600)}, ["check", "{tmp}/p.json"], "p.json"),
    "missing plan": ({}, ["check", "{tmp}/nope.json"], "nope.json"),
    "graph of a missing plan": ({}, ["graph", "{tmp}/nope.json"], "nope.json"),
    "reach of a binary plan": ({"tfplan": _zip()}, ["reach", "{tmp}/tfplan"], "tfplan"),
    "cost of not-json": ({"p.json": "nope"}, ["cost", "{tmp}/p.json"], "p.json"),
    "stdin not json": ({}, ["check", "-"], "<stdin>"),
    # HCL
    "directory without .tf files": ({"empty/readme.txt": "x"}, ["check", "{tmp}/empty"], "empty"),
    "hcl syntax error": (
        {"hcl/main.tf": 'resource "aws_vpc" "x" {\n  cidr_block = \n}\n'},
        ["check", "{tmp}/hcl"],
        "main.tf",
    ),
    "hcl unclosed block": ({"hcl/main.tf": 'resource "aws_vpc" "x" {\n'}, ["check", "{tmp}/hcl"], "main.tf"),
    "hcl binary garbage": ({"hcl/main.tf": b"\x00\x01\x02resource"}, ["check", "{tmp}/hcl"], "main.tf"),
    "bad --source": ({}, ["check", GOOD_PLAN, "--source", "{tmp}/nodir"], "nodir"),
    "broken hcl beside a plan via --source": (
        {"src/main.tf": "resource {"},
        ["check", GOOD_PLAN, "--source", "{tmp}/src"],
        "main.tf",
    ),
    "missing --var-file": (
        {"hcl/main.tf": 'resource "aws_vpc" "x" {}\n'},
        ["check", "{tmp}/hcl", "--var-file", "{tmp}/none.tfvars"],
        "none.tfvars",
    ),
    "--var without =": (
        {"hcl/main.tf": 'resource "aws_vpc" "x" {}\n'},
        ["check", "{tmp}/hcl", "--var", "region"],
        "--var",
    ),
    # policies
    "policy not yaml": (
        {"pol/X001.yaml": "id: [unclosed"},
        ["check", GOOD_PLAN, "--policies", "{tmp}/pol"],
        "X001.yaml",
    ),
    "policy fails schema": (
        {"pol/X001.yaml": POLICY.replace("severity: error", "severity: fatal")},
        ["check", GOOD_PLAN, "--policies", "{tmp}/pol"],
        "X001.yaml",
    ),
    "policy unknown key": (
        {"pol/X001.yaml": POLICY + "colour: red\n"},
        ["check", GOOD_PLAN, "--policies", "{tmp}/pol"],
        "X001.yaml",
    ),
    "policy jmespath syntax": (
        {"pol/X001.yaml": POLICY.replace("private_dns == `true`", "private_dns ==")},
        ["check", GOOD_PLAN, "--policies", "{tmp}/pol"],
        "X001.yaml",
    ),
    "policy unknown function": (
        {"pol/X001.yaml": POLICY.replace("private_dns == `true`", "frobnicate(subnets)")},
        ["check", GOOD_PLAN, "--policies", "{tmp}/pol"],
        "X001.yaml",
    ),
    "policy is a list": (
        {"pol/X001.yaml": "- 1\n- 2\n"},
        ["check", GOOD_PLAN, "--policies", "{tmp}/pol"],
        "X001.yaml",
    ),
    "policy dir missing": ({}, ["check", GOOD_PLAN, "--policies", "{tmp}/nopol"], "nopol"),
    # rule selection
    "unknown --only": ({}, ["check", GOOD_PLAN, "--only", "VPCE999"], "VPCE999"),
    "unknown --skip": ({}, ["check", GOOD_PLAN, "--skip", "NOPE"], "NOPE"),
    "explain unknown rule": ({}, ["explain", "VPCE999"], "VPCE999"),
    # config
    "config not yaml": ({"c.yml": "severity: [\n"}, ["check", GOOD_PLAN, "--config", "{tmp}/c.yml"], "c.yml"),
    "config fails schema": (
        {"c.yml": "severity: {VPCE010: fatal}\n"},
        ["check", GOOD_PLAN, "--config", "{tmp}/c.yml"],
        "c.yml",
    ),
    "config unknown key": (
        {"c.yml": "colour: red\n"},
        ["check", GOOD_PLAN, "--config", "{tmp}/c.yml"],
        "c.yml",
    ),
    "config unknown rule": (
        {"c.yml": "disable: [VPCE999]\n"},
        ["check", GOOD_PLAN, "--config", "{tmp}/c.yml"],
        "c.yml",
    ),
    "config bad waiver date": (
        {"c.yml": "waivers:\n- {rule: VPCE010, address: '*', reason: x, expires: 2025-02-30}\n"},
        ["check", GOOD_PLAN, "--config", "{tmp}/c.yml"],
        "c.yml",
    ),
    "config missing": ({}, ["check", GOOD_PLAN, "--config", "{tmp}/none.yml"], "none.yml"),
    # other inputs
    "baseline not a baseline": (
        {"b.json": "[]"},
        ["check", GOOD_PLAN, "--baseline", "{tmp}/b.json"],
        "b.json",
    ),
    "usage file fails schema": (
        {"u.yml": "version: 0.1\nresource_usage: {aws_nat_gateway.x: {monthly_data_processed_gb: -5}}\n"},
        ["cost", GOOD_PLAN, "--usage", "{tmp}/u.yml"],
        "u.yml",
    ),
    "prices file not json": ({"pr.json": "{"}, ["cost", GOOD_PLAN, "--prices", "{tmp}/pr.json"], "pr.json"),
    "unknown format": ({}, ["check", GOOD_PLAN, "--format", "pdf"], "pdf"),
    "test dir without cases": ({"cases/readme.txt": "x"}, ["test", "{tmp}/cases"], "cases"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_input_exits_2_with_one_paragraph(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    files, argv, named = CASES[name]
    for relative, content in files.items():
        target = tmp_path / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TFCHECK_NO_CACHE", "1")
    if "-" in argv:
        monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(b"not json")))
    code = main([arg.replace("{tmp}", str(tmp_path)) for arg in argv])
    out, err = capsys.readouterr()
    assert code == 2, (out, err)
    assert "Traceback" not in err and "internal error" not in err, err
    if err.startswith("Usage:"):  # click's usage errors: the usage line, then one Error line
        errors = [line for line in err.splitlines() if line.startswith("Error:")]
        assert len(errors) == 1 and named in errors[0], err
    else:
        assert err.startswith("tfcheck: error: ") and err.count("\n") == 1, err  # one paragraph
        assert named in err, err


def test_corpus_is_large_enough() -> None:
    assert len(CASES) >= 40


@pytest.mark.skipif(
    os.geteuid() == 0 if hasattr(os, "geteuid") else True,
    reason="root reads any file; unreadable files cannot be made",
)
def test_unreadable_plan(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plan = tmp_path / "p.json"
    plan.write_text(Path(GOOD_PLAN).read_text())
    plan.chmod(0)
    assert main(["check", str(plan)]) == 2
    assert str(plan) in capsys.readouterr().err


def test_type_confused_plan_is_data_not_a_crash(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A string where a list belongs, a number for an AZ, a malformed CIDR: findings or
    inconclusive results, exit 0 or 1, never 2 and never a traceback."""
    plan = json.loads(Path(GOOD_PLAN).read_text())
    for change in plan["resource_changes"]:
        after = change["change"]["after"] or {}
        if "availability_zone" in after:
            after["availability_zone"] = 7
        if "cidr_block" in after:
            after["cidr_block"] = "10.999.0.0/99"
        if "subnet_ids" in after:
            after["subnet_ids"] = "subnet-123"
    path = tmp_path / "p.json"
    path.write_text(json.dumps(plan))
    code = main(["check", str(path), "--no-source"])
    _, err = capsys.readouterr()
    assert code in (0, 1) and "Traceback" not in err
