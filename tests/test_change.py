"""What an update plan changes (tfcheck.change): every update fixture classified as its HCL
says it should be, --fail-on-new, and each format saying it first."""

from __future__ import annotations

import json

import pytest
from conftest import REPO

from tfcheck.change import classify, reach_changes
from tfcheck.cli import main
from tfcheck.findings import FailOn, Finding, Outcome, Severity
from tfcheck.graph.model import Graph
from tfcheck.load.inputs import SourceOptions, load_inventory
from tfcheck.run import CheckOptions, build_report

CHANGES = REPO / "fixtures" / "changes"
LOSE_ECR = [
    (
        "lose",
        ("ecr.api", "ecr.dkr"),
        ('aws_ecs_service.app["orders"]', 'aws_ecs_service.app["payments"]', 'aws_ecs_service.app["web"]'),
    )
]

# fixture → (introduced, resolved, unchanged) as (rule, address) sets, network items removed
# and added, reachability changes. Written from each main.tf's diff against its source.
EXPECTED: dict[str, dict[str, object]] = {
    "fixtures/changes/remove_nat": {
        "introduced": {
            ("VPCE020", 'aws_ecs_service.app["orders"]'),
            ("VPCE020", 'aws_ecs_service.app["payments"]'),
            ("VPCE020", 'aws_ecs_service.app["web"]'),
        },
        "unchanged": {("VPCE012", "aws_vpc_endpoint.logs")},
        "removed": ["aws_nat_gateway.main"],
        "reach": LOSE_ECR,
    },
    "fixtures/changes/fix_endpoint": {"resolved": {("VPCE012", "aws_vpc_endpoint.logs")}},
    "fixtures/changes/disable_private_dns": {
        "introduced": {("VPCE010", "aws_vpc_endpoint.logs")},
        "unchanged": {("VPCE012", "aws_vpc_endpoint.logs")},
    },
    "fixtures/changes/remove_endpoint": {
        "resolved": {("VPCE012", "aws_vpc_endpoint.logs")},
        "removed": ["aws_vpc_endpoint.logs"],
    },
    "fixtures/changes/unchanged_tag": {"unchanged": {("VPCE012", "aws_vpc_endpoint.logs")}},
    "fixtures/graph/existing_add_endpoint": {"added": ["aws_vpc_endpoint.ecr_api"]},
    "fixtures/graph/existing_remove_endpoint": {"removed": ["aws_vpc_endpoint.logs"]},
    "fixtures/cost/update_remove_nat": {
        "removed": ["aws_nat_gateway.main"],
        "added": ['aws_vpc_endpoint.interface["ecr.api"]', 'aws_vpc_endpoint.interface["ecr.dkr"]'],
    },
}


def update_fixtures() -> list[str]:
    found = []
    for plan in sorted((REPO / "fixtures").rglob("plan.json")):
        if not (plan.parent / "main.tf").exists() or "prior_state" not in json.loads(plan.read_text("utf-8")):
            continue
        if load_inventory(str(plan), SourceOptions(use_source=False)).updates():  # as check decides
            found.append(str(plan.parent.relative_to(REPO)))
    return found


def test_every_update_fixture_has_an_expectation() -> None:
    assert sorted(EXPECTED) == update_fixtures()


def report(case: str, *extra: str, no_source: bool = False):  # type: ignore[no-untyped-def]
    options = CheckOptions(
        (str(REPO / case / "plan.json"),),
        (),
        (),
        (),
        FailOn.ERROR,
        False,
        "text",
        None,
        False,
        False,
        source=SourceOptions(use_source=not no_source),
    )
    return build_report(options)


@pytest.mark.parametrize("no_source", [False, True], ids=["with-source", "plan-alone"])
@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_update_fixture_is_classified(case: str, no_source: bool) -> None:
    want = EXPECTED[case]
    got = report(case, no_source=no_source)
    flagged = got.failed + got.inconclusive
    for kind in ("introduced", "unchanged"):
        assert {(f.rule_id, f.address) for f in flagged if f.change == kind} == want.get(kind, set()), kind
    assert all(f.change in ("introduced", "unchanged") for f in flagged)
    (change,) = got.changes
    assert {(f.rule_id, f.address) for f in change.resolved} == want.get("resolved", set())
    assert all(f.change == "resolved" for f in change.resolved)
    assert list(change.removed) == want.get("removed", [])
    assert list(change.added) == want.get("added", [])
    assert [("lose" if r.lost else "gain", r.services, r.workloads) for r in change.reach] == want.get(
        "reach", []
    )
    assert change.counts == {
        "introduced": len(want.get("introduced", ())),
        "resolved": len(want.get("resolved", ())),
        "unchanged": len(want.get("unchanged", ())),
    }


def test_create_plan_and_hcl_are_not_classified() -> None:
    base = report("fixtures/changes/base")
    assert base.changes == () and all(f.change is None for f in base.failed)
    assert len(base.failed) == 1
    # a create plan whose prior_state holds only the data sources it read
    reads = report("fixtures/modules/ecs_services")
    assert reads.changes == () and reads.failed and all(f.change is None for f in reads.failed)


@pytest.mark.parametrize(
    ("case", "plain", "new"),
    [
        ("unchanged_tag", 1, 0),  # the failure predates the change
        ("remove_nat", 1, 1),
        ("disable_private_dns", 1, 1),
        ("fix_endpoint", 0, 0),
        ("base", 1, 1),  # a create plan: everything is new
    ],
)
def test_fail_on_new(capsys: pytest.CaptureFixture[str], case: str, plain: int, new: int) -> None:
    plan = str(CHANGES / case / "plan.json")
    assert main(["check", plan]) == plain
    assert main(["check", plan, "--fail-on-new"]) == new
    capsys.readouterr()


def test_fail_on_new_with_strict_counts_only_new_inconclusive() -> None:
    unknown = Finding("R1", Severity.ERROR, "a", "m", "", Outcome.INCONCLUSIVE, change="unchanged")
    fresh = unknown._replace(address="b", change="introduced")
    from tfcheck.findings import Report, exit_code

    assert exit_code(Report.build([unknown]), FailOn.ERROR, True, only_new=True) == 0
    assert exit_code(Report.build([unknown]), FailOn.ERROR, True) == 1
    assert exit_code(Report.build([unknown, fresh]), FailOn.ERROR, True, only_new=True) == 1


def test_text_markdown_and_github_say_it_first(capsys: pytest.CaptureFixture[str]) -> None:
    plan = str(CHANGES / "remove_nat" / "plan.json")
    main(["check", plan])
    text = capsys.readouterr().out
    assert text.startswith(
        "What this change does:\n  removes aws_nat_gateway.main\n"
        '  3 workloads lose ecr.api, ecr.dkr: aws_ecs_service.app["orders"], '
        'aws_ecs_service.app["payments"], aws_ecs_service.app["web"]\n'
        "  findings: 3 introduced, 0 resolved, 1 unchanged\n"
    )
    assert text.count("[new]") == 3
    main(["check", plan, "--format", "markdown"])
    markdown = capsys.readouterr().out
    first = markdown.index("### What this change does")
    assert first < markdown.index("| Change | Severity |")
    rows = [
        line
        for line in markdown.splitlines()
        if line.startswith("| 🆕 new") or line.startswith("| unchanged")
    ]
    assert [r.split(" | ")[0] for r in rows] == ["| 🆕 new"] * 3 + ["| unchanged"]
    main(["check", plan, "--format", "github"])
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith(
        "::notice title=tfcheck%3A what this change does::removes aws_nat_gateway.main; 3 workloads lose"
    )
    assert sum(" (new)::" in line for line in lines) == 3


def test_markdown_lists_resolved(capsys: pytest.CaptureFixture[str]) -> None:
    main(["check", str(CHANGES / "remove_endpoint" / "plan.json"), "--format", "markdown"])
    markdown = capsys.readouterr().out
    assert "- removes aws\\_vpc\\_endpoint.logs" in markdown or "- removes aws_vpc_endpoint.logs" in markdown
    assert "- ✅ resolved: VPCE012 `aws_vpc_endpoint.logs`" in markdown


def test_json_and_sarif_carry_the_classification(capsys: pytest.CaptureFixture[str]) -> None:
    plan = str(CHANGES / "disable_private_dns" / "plan.json")
    main(["check", plan, "--format", "json"])
    doc = json.loads(capsys.readouterr().out)
    assert {f["rule_id"]: f["change"] for f in doc["findings"]} == {
        "VPCE010": "introduced",
        "VPCE012": "unchanged",
    }
    (change,) = doc["changes"]
    assert (change["introduced"], change["resolved"], change["unchanged"]) == (1, 0, 1)
    main(["check", plan, "--format", "sarif"])
    results = json.loads(capsys.readouterr().out)["runs"][0]["results"]
    assert {r["ruleId"]: r["baselineState"] for r in results} == {"VPCE010": "new", "VPCE012": "unchanged"}
    main(["check", str(CHANGES / "fix_endpoint" / "plan.json"), "--format", "json"])
    doc = json.loads(capsys.readouterr().out)
    assert [f["rule_id"] for f in doc["changes"][0]["resolved_findings"]] == ["VPCE012"]


def _graph(workloads: list[dict[str, object]]) -> Graph:
    return Graph({"workloads": workloads})


def test_reach_changes_group_lost_and_gained_and_skip_undecided() -> None:
    before = _graph(
        [
            {"address": "a", "unreachable": []},
            {"address": "b", "unreachable": ["sqs"]},
            {"address": "c", "unreachable": None},
            {"address": "gone", "unreachable": []},
        ]
    )
    after = _graph(
        [
            {"address": "a", "unreachable": ["ecr.dkr"]},
            {"address": "b", "unreachable": ["ecr.dkr"]},
            {"address": "c", "unreachable": ["ecr.dkr"]},
            {"address": "new", "unreachable": ["s3"]},
        ]
    )
    got = [(r.lost, r.services, r.workloads) for r in reach_changes(before, after)]
    assert got == [(True, ("ecr.dkr",), ("a", "b")), (False, ("sqs",), ("b",))]


def test_classify_matches_on_rule_and_address_not_message() -> None:
    old = Finding("VPCE012", Severity.ERROR, "e", "in 1b", "", Outcome.FAIL)
    new = old._replace(message="in 1b, 1c")
    gone = old._replace(address="deleted")
    out, change = classify([new], [old, gone], _graph([]), _graph([]), "p")
    assert out[0].change == "unchanged"
    assert [(f.address, f.change, f.plan) for f in change.resolved] == [("deleted", "resolved", "p")]
