from __future__ import annotations

import pytest

from tfcheck.errors import ExitCode
from tfcheck.findings import FailOn, Finding, Outcome, Report, Severity, compare_expected, exit_code


def finding(
    outcome: str,
    severity: str = "error",
    address: str = "a",
    rule: str = "R1",
    message: str = "m",
    plan: str | None = None,
) -> Finding:
    return Finding(rule, Severity(severity), address, message, "fix", Outcome(outcome), plan=plan)


@pytest.mark.parametrize(
    ("failed", "inconclusive", "fail_on", "strict", "code"),
    [
        ([], [], "error", False, 0),
        (["error"], [], "error", False, 1),
        (["warning"], [], "error", False, 0),
        (["warning"], [], "warning", False, 1),
        (["info"], [], "warning", False, 0),
        (["info"], [], "info", False, 1),
        (["error"], [], "never", False, 0),
        (["error"], ["error"], "never", True, 0),
        ([], ["error"], "error", False, 0),
        ([], ["error"], "error", True, 1),
        ([], ["warning"], "error", True, 0),
        ([], ["warning"], "warning", True, 1),
        (["info"], ["info"], "info", True, 1),
    ],
)
def test_exit_code_table(
    failed: list[str], inconclusive: list[str], fail_on: str, strict: bool, code: int
) -> None:
    results = [finding("fail", s) for s in failed] + [finding("inconclusive", s) for s in inconclusive]
    results.append(finding("pass"))
    assert exit_code(Report.build(results), FailOn(fail_on), strict) == ExitCode(code)


def test_report_sorts_and_counts() -> None:
    results = [
        finding("fail", "warning", "b", "R2", plan="p2"),
        finding("fail", "error", "b", "R1", plan="p1"),
        finding("pass", address="a", plan="p1"),
        finding("inconclusive", address="c", plan="p1"),
        finding("fail", "info", "a", "R3", plan="p1"),
    ]
    report = Report.build(results, ["p1", "p2"], rules=3)
    assert [(f.plan, f.address, f.rule_id) for f in report.failed] == [
        ("p1", "a", "R3"),
        ("p1", "b", "R1"),
        ("p2", "b", "R2"),
    ]
    assert report.summary() == {
        "plans": 2,
        "rules": 3,
        "checks": 5,
        "passed": 1,
        "failed": 3,
        "inconclusive": 1,
        "error": 1,
        "warning": 1,
        "info": 1,
    }


def test_finding_to_dict_has_reasons_only_when_inconclusive() -> None:
    assert "reasons" not in finding("fail").to_dict()
    undecided = Finding("R", Severity.ERROR, "a", "m", "", Outcome.INCONCLUSIVE, ("x: why",))
    assert undecided.to_dict()["reasons"] == ["x: why"]


def test_compare_expected() -> None:
    results = [
        finding("fail", "warning", "ep.a", "R1", message="logs in us-east-1c"),
        finding("pass", address="ep.b"),
        finding("inconclusive", address="ep.c"),
        finding("fail", address="ep.d", rule="R2"),  # another rule: ignored with rule_id=R1
    ]
    assert (
        compare_expected(
            results,
            {
                "ep.a": {"outcome": "fail", "severity": "warning", "mentions": ["us-east-1c"]},
                "ep.b": "pass",
                "ep.c": "inconclusive",
                "ep.z": "pass",  # ep.z: out of scope = pass
            },
            "R1",
        )
        == []
    )
    problems = compare_expected(
        results,
        {
            "ep.a": {"outcome": "fail", "severity": "error", "mentions": ["us-east-1a"]},
            "ep.b": "fail",
            "ep.z": "inconclusive",
        },
        "R1",
    )
    assert problems[0] == "ep.a: expected severity error, got warning"
    assert problems[1].startswith("ep.a: message does not mention 'us-east-1a'")
    assert problems[2:] == [
        "ep.b: expected fail, got pass",
        "ep.z: expected inconclusive, got no result",
        "ep.c: unexpected inconclusive (R1): m",
    ]
