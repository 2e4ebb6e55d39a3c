from __future__ import annotations

import xml.etree.ElementTree as ET

from test_formats_text import sample_report

from tfcheck.findings import Finding, Outcome, Report, Severity, Suppression
from tfcheck.formats.findings.junit import render


def test_junit_structure_and_counts() -> None:
    root = ET.fromstring(render(sample_report()))
    assert root.tag == "testsuites"
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == ["plan.json"]
    cases = suites[0].findall("testcase")
    # one case per rule × resource, passes included
    assert [(c.get("classname"), c.get("name")) for c in cases] == [
        ("VPCE022", "aws_route_table.private"),
        ("VPCE010", "aws_vpc_endpoint.logs"),
        ("VPCE012", "aws_vpc_endpoint.logs"),
        ("VPCE001", "aws_vpc_endpoint.s3"),
        ("VPCE014", "aws_vpc_endpoint.sts"),
    ]
    by_name = {(c.get("classname"), c.get("name")): c for c in cases}
    failure = by_name[("VPCE010", "aws_vpc_endpoint.logs")].find("failure")
    assert failure is not None and failure.get("type") == "error"
    assert failure.get("message") == "Private DNS is off."
    assert "Fix: Set private_dns_enabled = true." in (failure.text or "")
    # file:line as a suite property (strict JUnit schemas allow no file/line on a testcase)
    assert by_name[("VPCE010", "aws_vpc_endpoint.logs")].get("file") is None
    properties = suites[0].find("properties")
    assert properties is not None and list(suites[0])[0] is properties  # properties come first
    assert [(p.get("name"), p.get("value")) for p in properties] == [
        ("VPCE010 aws_vpc_endpoint.logs", "main.tf:7")
    ]
    assert "At: main.tf:7" in (failure.text or "")
    skipped = by_name[("VPCE014", "aws_vpc_endpoint.sts")].find("skipped")
    assert skipped is not None and skipped.get("message", "").startswith("inconclusive: ")
    assert list(by_name[("VPCE001", "aws_vpc_endpoint.s3")]) == []  # a pass has no child
    counts = {k: suites[0].get(k) for k in ("tests", "failures", "errors", "skipped")}
    assert counts == {"tests": "5", "failures": "3", "errors": "0", "skipped": "1"}
    assert {k: root.get(k) for k in counts} == counts


def test_one_suite_per_plan_and_suppressed_is_skipped() -> None:
    report = Report.build(
        [
            Finding(
                "R1",
                Severity.ERROR,
                "a",
                'm <&> "q"',
                "",
                Outcome.FAIL,
                plan="p1.json",
                suppressed=Suppression("external", "baseline", "baseline"),
            ),
            Finding("R1", Severity.ERROR, "b", "bad\x01char\x1b[31m", "", Outcome.FAIL, plan="p2.json"),
        ],
        ["p1.json", "p2.json", "p3.json"],
    )
    root = ET.fromstring(render(report))
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    assert list(suites) == ["p1.json", "p2.json", "p3.json"]
    case = suites["p1.json"].find("testcase")
    assert case is not None and case.find("failure") is None
    skipped = case.find("skipped")
    assert skipped is not None and skipped.get("message") == "suppressed (external): baseline"
    failure = suites["p2.json"].find("testcase/failure")
    assert failure is not None and failure.get("message") == "bad\\x01char"  # XML 1.0 forbids them; ANSI goes
    assert suites["p3.json"].get("tests") == "0"
    assert (root.get("tests"), root.get("failures"), root.get("skipped")) == ("2", "1", "1")


# What strict JUnit schemas (Ant's junit.xsd, Jenkins' junit-10.xsd) allow.
CASE_ATTRIBUTES = {"name", "classname", "time", "assertions", "status"}
CASE_CHILDREN = {"skipped", "error", "failure", "system-out", "system-err"}
SUITE_CHILDREN = {"properties", "testcase", "system-out", "system-err"}


def test_every_fixture_junit_fits_a_strict_schema() -> None:
    import xml.etree.ElementTree as ET
    from pathlib import Path

    from conftest import REPO

    from tfcheck.findings import FailOn
    from tfcheck.run import CheckOptions, build_report

    plans = sorted(str(p) for p in (REPO / "fixtures" / "rules").rglob("plan.json"))[:40]
    report = build_report(
        CheckOptions(tuple(plans), (), (), (), FailOn.ERROR, False, None, None, False, False)
    )
    root = ET.fromstring(render(report))
    located = 0
    for suite in root:
        assert {c.tag for c in suite} <= SUITE_CHILDREN
        assert all(c.tag == "properties" for c in list(suite)[:1]) or suite.find("properties") is None
        for case in suite.iter("testcase"):
            assert set(case.attrib) <= CASE_ATTRIBUTES, case.attrib
            assert {c.tag for c in case} <= CASE_CHILDREN
        for prop in suite.iter("property"):
            assert set(prop.attrib) == {"name", "value"} and ":" in prop.get("value", "")
            located += 1
    assert located > 0 and Path(plans[0]).exists()
