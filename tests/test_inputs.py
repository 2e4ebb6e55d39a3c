"""What a PATH means: a directory is HCL, a plan is read with its source unless told not
to; findings carry the file and line of the resource block (exact lines asserted)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import REPO

from tfcheck.cli import main
from tfcheck.load.inputs import SourceOptions, load_inventory

DEMO = REPO / "fixtures" / "demo"
# Where each block starts in fixtures/demo/main.tf.
LINES = {"aws_vpc_endpoint.ecr_api": 51, "aws_vpc_endpoint.logs": 60, "aws_ecs_service.app": 99}


def locations(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, tuple[str | None, int | None]]:
    code = main(["check", "--format", "json", *args])
    out = capsys.readouterr().out
    assert code == 1
    return {f["address"]: (f.get("file"), f.get("line")) for f in json.loads(out)["findings"]}


def test_block_lines_are_right() -> None:
    text = (DEMO / "main.tf").read_text().splitlines()
    for address, line in LINES.items():
        kind, name = address.split(".")
        assert text[line - 1].startswith(f'resource "{kind}" "{name}"'), address


@pytest.mark.parametrize(
    "args",
    [
        ("fixtures/demo",),
        ("fixtures/demo/plan.json",),
        ("fixtures/demo/plan.json", "--source", "fixtures/demo"),
    ],
)
def test_findings_carry_file_and_line(
    args: tuple[str, ...], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(REPO)
    found = locations(capsys, *args)
    assert found == {address: ("fixtures/demo/main.tf", line) for address, line in LINES.items()}


def test_no_source_gives_plan_only(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(REPO)
    found = locations(capsys, "fixtures/demo/plan.json", "--no-source")
    assert found == {address: (None, None) for address in LINES}


def test_source_found_in_the_current_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    plan = tmp_path / "plan.json"
    shutil.copy(DEMO / "plan.json", plan)
    monkeypatch.chdir(DEMO)
    loaded = load_inventory(str(plan))
    assert loaded.mode == "plan+source" and loaded.source_dir == str(DEMO)
    assert load_inventory(str(plan), SourceOptions(use_source=False)).mode == "plan"


def test_unrelated_tf_files_are_not_taken_as_the_source(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "other.tf").write_text('resource "aws_s3_bucket" "logs" {}\n')
    shutil.copy(DEMO / "plan.json", tmp_path / "plan.json")
    monkeypatch.chdir(tmp_path)
    assert load_inventory(str(tmp_path / "plan.json")).mode == "plan"


def test_inline_ignore_suppresses_through_the_cli(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    text = (
        (DEMO / "main.tf")
        .read_text()
        .replace(
            'resource "aws_vpc_endpoint" "logs" {',
            "# tfcheck:ignore VPCE010 the hub VPC's private hosted zone serves logs\n"
            'resource "aws_vpc_endpoint" "logs" {',
        )
    )
    (tmp_path / "main.tf").write_text(text)
    shutil.copy(DEMO / "plan.json", tmp_path / "plan.json")
    monkeypatch.chdir(tmp_path)
    code = main(["check", "--format", "json", "plan.json"])
    doc = json.loads(capsys.readouterr().out)
    assert code == 1
    assert sorted(f["rule_id"] for f in doc["findings"]) == ["VPCE012", "VPCE020"]
    suppressed = doc["suppressed"]
    assert [(f["rule_id"], f["address"]) for f in suppressed] == [("VPCE010", "aws_vpc_endpoint.logs")]
    assert "hosted zone" in suppressed[0]["suppressed"]["justification"]


def test_verbose_reports_where_plan_and_source_disagree(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    text = (DEMO / "main.tf").read_text().replace('"10.10.0.0/16"', '"10.99.0.0/16"')
    (tmp_path / "main.tf").write_text(text)
    shutil.copy(DEMO / "plan.json", tmp_path / "plan.json")
    monkeypatch.chdir(tmp_path)
    assert main(["check", "plan.json"]) == 1
    assert "source evaluates to" not in capsys.readouterr().err
    assert main(["check", "plan.json", "--verbose"]) == 1
    err = capsys.readouterr().err
    assert (
        "tfcheck: warning: plan.json: aws_vpc.main.cidr_block: plan has '10.10.0.0/16', "
        "source evaluates to '10.99.0.0/16'; using the plan"
    ) in err
