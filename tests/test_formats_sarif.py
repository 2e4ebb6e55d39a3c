from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from conftest import REPO
from test_formats_text import sample_report

from tfcheck.findings import FailOn, Finding, Outcome, Report, RuleInfo, Severity, Suppression
from tfcheck.formats.findings.sarif import artifact_uri, render
from tfcheck.run import CheckOptions, build_report

SCHEMA = json.loads((Path(__file__).parent / "schemas" / "sarif-schema-2.1.0.json").read_text())
VALIDATOR = jsonschema.Draft7Validator(SCHEMA, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)
PLANS = sorted(str(p.relative_to(REPO)) for p in (REPO / "fixtures").rglob("plan.json"))


def valid(text: str) -> dict[str, Any]:
    doc = json.loads(text)
    errors = sorted(VALIDATOR.iter_errors(doc), key=lambda e: list(map(str, e.absolute_path)))
    assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors[:5]]
    return doc


def plan_report(plan: str) -> Report:
    options = CheckOptions((plan,), (), (), (), FailOn.ERROR, False, None, None, False, False)
    return build_report(options)


def test_fixture_plans_exist() -> None:
    assert len(PLANS) > 50


@pytest.mark.parametrize("plan", PLANS)
def test_sarif_of_every_fixture_plan_validates(plan: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    report = plan_report(plan)
    doc = valid(render(report))
    run = doc["runs"][0]
    rule_ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert rule_ids == sorted(rule_ids) and len(rule_ids) == report.rules
    assert len(run["results"]) == len(report.failed) + len(report.inconclusive) + len(report.suppressed)
    for result in run["results"]:
        assert rule_ids[result["ruleIndex"]] == result["ruleId"]
        # GitHub code scanning rejects an upload whose result lacks an artifact location
        assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]


def test_output_is_deterministic() -> None:
    first = render(sample_report())
    assert first == render(sample_report())
    assert "TimeUtc" not in first  # no startTimeUtc/endTimeUtc: golden files and caches stay stable


def test_levels_locations_and_rules() -> None:
    rules = [
        RuleInfo(
            "VPCE010",
            "Private DNS off",
            Severity.ERROR,
            "Why it matters.\n  More.",
            "Set private_dns_enabled = true on {address}.",
            ("https://docs.example/a",),
        )
    ]
    report = Report.build(sample_report().results, ["plan.json"], rules=4, rule_info=rules)
    doc = valid(render(report))
    run = doc["runs"][0]
    by_rule = {r["ruleId"]: r for r in run["results"]}
    assert by_rule["VPCE010"]["level"] == "error"
    assert by_rule["VPCE012"]["level"] == "warning"
    assert by_rule["VPCE022"]["level"] == "note"
    undecided = by_rule["VPCE014"]
    assert (undecided["kind"], undecided["level"]) == ("open", "none")
    assert "security_groups: known after apply" in undecided["message"]["text"]
    physical = by_rule["VPCE010"]["locations"][0]["physicalLocation"]
    assert physical == {
        "artifactLocation": {"uri": "main.tf", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 7},
    }
    assert by_rule["VPCE010"]["locations"][0]["logicalLocations"] == [
        {"fullyQualifiedName": "aws_vpc_endpoint.logs", "kind": "resource"}
    ]
    # no file:line known: the plan file is the artifact
    assert by_rule["VPCE012"]["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "plan.json", "uriBaseId": "%SRCROOT%"}
    }
    rule = next(r for r in run["tool"]["driver"]["rules"] if r["id"] == "VPCE010")
    assert rule["id"] == "VPCE010" and rule["shortDescription"]["text"] == "Private DNS off"
    assert rule["fullDescription"]["text"] == "Why it matters. More."
    assert "How to fix: Set private_dns_enabled" in rule["help"]["text"]
    assert rule["helpUri"] == "https://docs.example/a"
    assert rule["defaultConfiguration"]["level"] == "error"
    # rules named by findings but missing from the catalogue are still declared
    assert {r["id"] for r in run["tool"]["driver"]["rules"]} == {
        "VPCE001",
        "VPCE010",
        "VPCE012",
        "VPCE014",
        "VPCE022",
    }


def test_suppressed_results_carry_suppressions_and_notes_become_notifications() -> None:
    results = [
        Finding(
            "VPCE012",
            Severity.WARNING,
            "aws_vpc_endpoint.a",
            "m",
            "",
            Outcome.FAIL,
            suppressed=Suppression("inSource", "hub is single-AZ", "tfcheck:ignore comment"),
        ),
        Finding(
            "VPCE010",
            Severity.ERROR,
            "aws_vpc_endpoint.b",
            "m",
            "",
            Outcome.FAIL,
            suppressed=Suppression("external", "accepted until Q3", "waiver VPCE010 *"),
        ),
    ]
    report = Report.build(results, ["p.json"], notes=["waiver X expired"])
    doc = valid(render(report))
    run = doc["runs"][0]
    kinds = {r["ruleId"]: r["suppressions"] for r in run["results"]}
    assert kinds["VPCE012"] == [
        {"kind": "inSource", "status": "accepted", "justification": "hub is single-AZ"}
    ]
    assert kinds["VPCE010"][0]["kind"] == "external"
    assert run["invocations"][0]["toolExecutionNotifications"] == [
        {"level": "warning", "message": {"text": "waiver X expired"}}
    ]


def test_fingerprints_ignore_message_and_plan() -> None:
    a = Finding("R1", Severity.ERROR, "x.y", "one wording", "", Outcome.FAIL, plan="/tmp/a/plan.json")
    b = Finding("R1", Severity.ERROR, "x.y", "other wording", "", Outcome.FAIL, plan="/tmp/b/plan.json")
    prints = [
        json.loads(render(Report.build([f])))["runs"][0]["results"][0]["partialFingerprints"] for f in (a, b)
    ]
    assert prints[0] == prints[1]


@pytest.mark.parametrize(
    ("path", "uri"),
    [
        ("main.tf", "main.tf"),
        ("modules/net/main.tf", "modules/net/main.tf"),
        ("./a b/main.tf", "a%20b/main.tf"),
        ("modules\\net\\main.tf", "modules/net/main.tf"),
        ("/abs/x.tf", "x.tf"),  # outside the repository: never absolute
        ("C:\\work\\x.tf", "x.tf"),
        ("../elsewhere/plan.json", "plan.json"),
    ],
)
def test_artifact_uri(path: str, uri: str) -> None:
    assert artifact_uri(path) == uri


@pytest.mark.parametrize(
    ("path", "uri"),
    [
        ("main.tf", "stacks/net/main.tf"),  # Atlantis: run in the project directory
        ("../app/main.tf", "stacks/app/main.tf"),
        ("/repo/stacks/net/modules/a.tf", "stacks/net/modules/a.tf"),
        ("/runner/_temp/tfcheck/plan.json", "plan.json"),  # the Action's converted plan
        ("../../../other/plan.json", "plan.json"),
    ],
)
def test_artifact_uri_is_relative_to_the_repository_root(path: str, uri: str) -> None:
    assert artifact_uri(path, ("/repo", "/repo/stacks/net")) == uri


PLACEHOLDER = re.compile(r"\{[A-Za-z_][\w.():]*\}")


def builtin_sarif(monkeypatch: pytest.MonkeyPatch, cwd: Path, plan: Path, *extra: str) -> dict[str, Any]:
    from tfcheck.cli import main

    monkeypatch.chdir(cwd)
    out = io.StringIO()
    monkeypatch.setattr("sys.stdout", out)
    main(["check", str(plan), "--format", "sarif", *extra])
    return valid(out.getvalue())


def test_builtin_rules_help_has_no_placeholder_and_ranks_in_code_scanning(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    doc = builtin_sarif(monkeypatch, REPO, REPO / "fixtures/demo/plan.json")
    rules = doc["runs"][0]["tool"]["driver"]["rules"]
    assert len(rules) >= 19
    for rule in rules:
        for text in (rule["help"]["text"], rule["help"]["markdown"], rule["fullDescription"]["text"]):
            assert not PLACEHOLDER.search(text), (rule["id"], PLACEHOLDER.search(text))
        assert rule["helpUri"] in rule["help"]["text"]
        props = rule["properties"]
        assert "security" in props["tags"]
        assert 0.0 < float(props["security-severity"]) <= 10.0
        assert props["precision"] in ("very-high", "high", "medium", "low")
    by_id = {r["id"]: r for r in rules}
    assert (
        "Add one subnet in each of the workload AZs it misses to subnet_ids of the endpoint"
        in by_id["VPCE012"]["help"]["text"]
    )
    assert float(by_id["VPCE020"]["properties"]["security-severity"]) >= 7.0  # "high" in code scanning
    assert "com.amazonaws.<region>.<service>" in by_id["VPCE005"]["help"]["text"]


def test_locations_are_repository_relative_from_any_directory(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    case = repo / "stacks" / "network"
    case.mkdir(parents=True)
    for name in ("main.tf", "plan.json"):
        (case / name).write_bytes((REPO / "fixtures/changes/remove_nat" / name).read_bytes())
    # Atlantis runs in the project directory; the Action at the root with the plan in $RUNNER_TEMP
    converted = tmp_path / "runner_temp" / "plan.json"
    converted.parent.mkdir()
    converted.write_bytes((case / "plan.json").read_bytes())
    for cwd, plan, extra in ((case, Path("plan.json"), ()), (repo, converted, ("--source", str(case)))):
        doc = builtin_sarif(monkeypatch, cwd, plan, *extra)
        run = doc["runs"][0]
        assert run["originalUriBaseIds"] == {"%SRCROOT%": {"description": {"text": "The repository root."}}}
        uris = set()
        for result in run["results"]:
            artifact = result["locations"][0]["physicalLocation"]["artifactLocation"]
            assert artifact["uriBaseId"] == "%SRCROOT%"
            assert not artifact["uri"].startswith(("/", "file:", "..")), artifact
            uris.add(artifact["uri"])
        assert uris == {"stacks/network/main.tf"}, (cwd, uris)
