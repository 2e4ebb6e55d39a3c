from __future__ import annotations

import datetime
import json
from pathlib import Path

import pytest
from conftest import REPO

from tfcheck.cli import main
from tfcheck.config import load_config
from tfcheck.errors import ConfigError
from tfcheck.findings import Finding, Outcome, Report, Severity
from tfcheck.suppress import Waiver, apply, notes, parse_ignores

TODAY = datetime.date(2025, 6, 15)
PLAN_012 = str(REPO / "fixtures/rules/VPCE012/fail/plan.json")  # aws_vpc_endpoint.fail_logs fails VPCE012


def fail(
    rule: str = "VPCE012", address: str = "aws_vpc_endpoint.logs", outcome: Outcome = Outcome.FAIL
) -> Finding:
    return Finding(rule, Severity.ERROR, address, "m", "", outcome)


@pytest.mark.parametrize(
    ("comment", "rules"),
    [
        ("# tfcheck:ignore VPCE012 hub VPC is single-AZ", {"VPCE012": "hub VPC is single-AZ"}),
        ("// tfcheck:ignore VPCE012,VPCE013   two  rules", {"VPCE012": "two rules", "VPCE013": "two rules"}),
        ("/* tfcheck:ignore VPCE010 shared zone */", {"VPCE010": "shared zone"}),
        ("# tfcheck:ignore VPCE010", {"VPCE010": ""}),
        ("#tfcheck:ignore=VPCE010 x", {"VPCE010": "x"}),
        ("# see tfcheck:ignore VPCE010 later", {}),  # must start the comment
        ("# tfcheck:ignored VPCE010", {}),
        ("# an ordinary comment", {}),
    ],
)
def test_parse_ignores(comment: str, rules: dict[str, str]) -> None:
    assert parse_ignores([comment])[0] == rules


def test_ignore_without_rule_is_reported() -> None:
    rules, problems = parse_ignores(["# tfcheck:ignore"])
    assert rules == {} and "names no rule" in problems[0]


def test_inline_comment_suppresses_only_its_rule_on_its_block() -> None:
    comments = {"aws_vpc_endpoint.logs": ["# tfcheck:ignore VPCE012 hub is single-AZ"]}
    out = apply(
        [fail(), fail("VPCE010"), fail(address="aws_vpc_endpoint.other")], comments=comments, today=TODAY
    )
    assert out[0].suppressed is not None
    assert (out[0].suppressed.kind, out[0].suppressed.justification) == ("inSource", "hub is single-AZ")
    assert out[1].suppressed is None and out[2].suppressed is None


def test_implicit_objects_follow_their_parent_block_and_passes_are_untouched() -> None:
    comments = {"aws_vpc.main": ["# tfcheck:ignore VPCE004 legacy"]}
    out = apply(
        [fail("VPCE004", "aws_vpc.main:main"), fail("VPCE004", "aws_vpc.main", Outcome.PASS)],
        comments=comments,
        today=TODAY,
    )
    assert out[0].suppressed is not None and out[1].suppressed is None


def test_waivers_globs_expiry_and_precedence() -> None:
    waivers = [
        Waiver("VPCE01*", "module.hub.*", "hub endpoints are single-AZ", datetime.date(2025, 6, 15)),
        Waiver("VPCE010", "aws_subnet.private[*]", "index glob"),
        Waiver("VPCE020", "*", "expired yesterday", datetime.date(2025, 6, 14)),
    ]
    out = apply(
        [
            fail("VPCE012", "module.hub.aws_vpc_endpoint.logs"),  # live through its expiry day
            fail("VPCE010", "aws_subnet.private[2]"),
            fail("VPCE010", "aws_subnet.privateX"),
            fail("VPCE020", "aws_ecs_service.app"),  # expired: no longer suppresses
            fail("VPCE012", "module.hub.x", Outcome.INCONCLUSIVE),
        ],
        waivers=waivers,
        today=TODAY,
    )
    assert [f.suppressed is not None for f in out] == [True, True, False, False, True]
    assert out[0].suppressed is not None and out[0].suppressed.kind == "external"
    assert out[0].suppressed.origin == "waiver VPCE01* module.hub.*"
    lines = notes(waivers, TODAY, ".tfcheck.yml")
    assert lines == [
        ".tfcheck.yml: waiver VPCE020 * expired on 2025-06-14; it no longer suppresses "
        "(reason was: expired yesterday)"
    ]
    # in-source first, then waiver, then baseline
    both = apply(
        [fail()],
        comments={"aws_vpc_endpoint.logs": ["# tfcheck:ignore VPCE012 inline"]},
        waivers=[Waiver("VPCE012", "*", "waived")],
        baseline={("VPCE012", "aws_vpc_endpoint.logs")},
        today=TODAY,
    )
    assert both[0].suppressed is not None and both[0].suppressed.justification == "inline"


def test_notes_flag_unknown_rules_in_comments() -> None:
    comments = {"aws_vpc.a": ["# tfcheck:ignore VPCE999 typo", "# tfcheck:ignore"]}
    out = notes([], TODAY, "c", comments, known={"VPCE012"})
    assert out == [
        "aws_vpc.a: '# tfcheck:ignore' names no rule; write `tfcheck:ignore RULE reason`",
        "aws_vpc.a: tfcheck:ignore names VPCE999, which is not a loaded rule",
    ]


def test_report_keeps_suppressed_apart_and_exit_code_ignores_them() -> None:
    from tfcheck.errors import ExitCode
    from tfcheck.findings import FailOn, exit_code

    out = apply([fail(), fail("VPCE010")], waivers=[Waiver("VPCE012", "*", "ok")], today=TODAY)
    report = Report.build(out)
    assert [f.rule_id for f in report.failed] == ["VPCE010"]
    assert [f.rule_id for f in report.suppressed] == ["VPCE012"]
    only_suppressed = Report.build(apply([fail()], waivers=[Waiver("*", "*", "all")], today=TODAY))
    assert exit_code(only_suppressed, FailOn.INFO, strict=True) == ExitCode.OK


# --- config file waivers, end to end -------------------------------------------------------

WAIVERS = """\
waivers:
  - rule: VPCE012
    address: aws_vpc_endpoint.fail_*
    reason: single-AZ on purpose in this sandbox
    expires: {expires}
"""


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_config_waiver_suppresses_until_it_expires(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".tfcheck.yml").write_text(WAIVERS.format(expires="2999-12-31"))
    code, out, err = run(capsys, "check", "--format", "json", PLAN_012)
    doc = json.loads(out)
    assert code == 0 and err == "" and doc["findings"] == []
    assert doc["suppressed"][0]["suppressed"] == {
        "kind": "external",
        "justification": "single-AZ on purpose in this sandbox",
        "origin": "waiver VPCE012 aws_vpc_endpoint.fail_*",
    }
    (tmp_path / ".tfcheck.yml").write_text(WAIVERS.format(expires="2001-01-31"))
    code, out, err = run(capsys, "check", "--format", "json", PLAN_012)
    doc = json.loads(out)
    assert code == 1 and [f["rule_id"] for f in doc["findings"]] == ["VPCE012"]
    # named as found from the working directory, as docs/suppressions.md shows it
    assert err == (
        "tfcheck: warning: .tfcheck.yml: waiver VPCE012 aws_vpc_endpoint.fail_* expired on "
        "2001-01-31; it no longer suppresses (reason was: single-AZ on purpose in this sandbox)\n"
    )
    assert doc["notes"] == [err.split("warning: ", 1)[1].strip()]


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("waivers: [{rule: VPCE012, address: x}]\n", "'reason' is a required property"),
        ("waivers: [{rule: VPCE012, address: x, reason: '  '}]\n", "$.waivers[0].reason"),
        ("waivers: [{rule: VPCE012, address: x, reason: r, expires: 2025-02-30}]\n", "day is out of range"),
        ("waivers: [{rule: VPCE012, address: x, reason: r, expires: '2025-02-30'}]\n", "is not a date"),
        ("waivers: [{rule: VPCE012, address: x, reason: r, expires: soon}]\n", "$.waivers[0].expires"),
        ("waivers: [{rule: VPCE012, address: x, reason: r, until: 2025-01-01}]\n", "'until' was unexpected"),
    ],
)
def test_bad_waivers_are_config_errors(tmp_path: Path, text: str, fragment: str) -> None:
    path = tmp_path / ".tfcheck.yml"
    path.write_text(text)
    with pytest.raises(ConfigError) as e:
        load_config(path)
    assert fragment in e.value.message


def test_waiver_naming_an_unknown_rule_is_an_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "c.yml").write_text("waivers: [{rule: VPCE999, address: '*', reason: r}]\n")
    code, _, err = run(capsys, "check", "--config", "c.yml", PLAN_012)
    assert code == 2 and "c.yml: waivers: unknown rule VPCE999" in err


def test_ignore_comment_in_real_hcl_suppresses_the_plan_finding(tmp_path: Path) -> None:
    """The comment map comes from the HCL layer (`load_source_with_comments`), as with --source."""
    from tfcheck.graph.read import read_graph
    from tfcheck.hcl.source import load_source_with_comments
    from tfcheck.policy.evaluate import evaluate
    from tfcheck.policy.load import load_policies

    source = (REPO / "fixtures/rules/VPCE012/fail/main.tf").read_text()
    marked = source.replace(
        'resource "aws_vpc_endpoint" "fail_logs" {',
        '# tfcheck:ignore VPCE012 the hub serves us-east-1c\nresource "aws_vpc_endpoint" "fail_logs" {',
    )
    assert marked != source
    (tmp_path / "main.tf").write_text(marked)
    _, comments = load_source_with_comments(str(tmp_path), env={})
    policies = [p for p in load_policies() if p.id == "VPCE012"]
    results = evaluate(policies, read_graph(PLAN_012)[0], plan=PLAN_012)
    out = apply(results, comments=comments, today=TODAY)
    flagged = [f for f in out if f.rule_id == "VPCE012" and f.address == "aws_vpc_endpoint.fail_logs"]
    assert flagged and flagged[0].outcome is Outcome.FAIL
    assert flagged[0].suppressed is not None
    assert flagged[0].suppressed.justification == "the hub serves us-east-1c"
    assert Report.build(out).failed == ()
