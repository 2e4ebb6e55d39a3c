from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from conftest import REPO

from tfcheck.baseline import load_baseline, render
from tfcheck.cli import main
from tfcheck.errors import InputError
from tfcheck.findings import Finding, Outcome, Report, Severity

PLAN_012 = str(REPO / "fixtures/rules/VPCE012/fail/plan.json")
PLAN_020 = str(REPO / "fixtures/rules/VPCE020/fail/plan.json")


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_render_keys_on_rule_and_address_only() -> None:
    report = Report.build(
        [
            Finding("R2", Severity.ERROR, "b", "one", "", Outcome.FAIL, plan="p1"),
            Finding("R2", Severity.ERROR, "b", "two", "", Outcome.FAIL, plan="p2"),
            Finding("R1", Severity.INFO, "a", "", "", Outcome.INCONCLUSIVE),
            Finding("R1", Severity.INFO, "z", "", "", Outcome.PASS),
        ]
    )
    doc = json.loads(render(report))
    assert doc == {
        "version": 1,
        "tool": "tfcheck",
        "findings": [
            {"rule_id": "R1", "address": "a", "outcome": "inconclusive"},
            {"rule_id": "R2", "address": "b", "outcome": "fail"},
        ],
    }


def test_baseline_then_check_fails_only_on_new_findings(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, _ = run(capsys, "baseline", PLAN_012, "-o", "base/line.json")
    assert code == 0 and out == "tfcheck: 1 finding recorded in base/line.json\n"
    assert load_baseline("base/line.json") == {("VPCE012", "aws_vpc_endpoint.fail_logs")}
    code, out, _ = run(capsys, "check", "--baseline", "base/line.json", "--format", "json", PLAN_012)
    doc = json.loads(out)
    assert code == 0 and doc["findings"] == []
    assert doc["suppressed"][0]["suppressed"]["justification"] == "present in the baseline base/line.json"
    # a finding the baseline does not hold still fails
    code, out, _ = run(
        capsys, "check", "--baseline", "base/line.json", "--format", "json", PLAN_012, PLAN_020
    )
    assert code == 1 and [f["rule_id"] for f in json.loads(out)["findings"]] == ["VPCE020"]


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        (None, "no such baseline file"),
        ("{not json", "not JSON (line 1)"),
        ('{"version": 2, "findings": []}', "not a tfcheck baseline"),
        ('{"version": 1, "findings": [{"rule_id": 1}]}', "$.findings[0]"),
    ],
)
def test_bad_baseline_is_input_error(tmp_path: Path, text: str | None, fragment: str) -> None:
    path = tmp_path / "b.json"
    if text is not None:
        path.write_text(text)
    with pytest.raises(InputError) as e:
        load_baseline(str(path))
    assert fragment in e.value.message and e.value.path == str(path)


def test_bad_baseline_exits_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    (tmp_path / "b.json").write_text("[]")
    code, out, err = run(capsys, "check", "--baseline", str(tmp_path / "b.json"), PLAN_012)
    assert (
        code == 2
        and out == ""
        and err.startswith(f"tfcheck: error: {tmp_path / 'b.json'}: not a tfcheck baseline")
    )


def test_several_formats_in_one_run(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = run(
        capsys,
        "check",
        "--format",
        "github",
        "--format",
        "sarif:out/r.sarif",
        "--format",
        "junit:out/r.xml",
        "--format",
        "markdown:out/r.md",
        PLAN_012,
    )
    assert code == 1 and err == ""
    # The plan is read with its source (main.tf beside it), so the annotation has file and line.
    source = Path(PLAN_012).resolve().parent / "main.tf"
    assert out.startswith(f"::error file={source},line=91,title=VPCE012 aws_vpc_endpoint.fail_logs::")
    assert json.loads((tmp_path / "out/r.sarif").read_text())["version"] == "2.1.0"
    assert (tmp_path / "out/r.xml").read_text().startswith('<?xml version="1.0"')
    assert (tmp_path / "out/r.md").read_text().startswith("## ❌ tfcheck")
    assert sorted(os.listdir(tmp_path / "out")) == ["r.md", "r.sarif", "r.xml"]  # no temp files left
    # only files: stdout keeps the text summary
    code, out, _ = run(capsys, "check", "--format", "json:r.json", PLAN_012)
    assert out.splitlines()[-1].startswith("1 error, ")


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--format", "yaml"], "unknown format 'yaml'"),
        (["--format", "json", "--format", "text"], "only one format can go to stdout"),
        (["--format", "json:"], "no file name after ':'"),
    ],
)
def test_bad_format_specs_are_usage_errors(
    capsys: pytest.CaptureFixture[str], args: list[str], fragment: str
) -> None:
    code, out, err = run(capsys, "check", *args, PLAN_012)
    assert code == 2 and out == "" and fragment in err and "Traceback" not in err


def test_unwritable_output_is_an_error_naming_the_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    (tmp_path / "file").write_text("")
    target = tmp_path / "file" / "r.sarif"  # a file where a directory should be
    code, _, err = run(capsys, "check", "--format", f"sarif:{target}", PLAN_012)
    assert code == 2 and err.startswith(f"tfcheck: error: {target}: cannot write the report")
