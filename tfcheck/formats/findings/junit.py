"""JUnit XML for CI test tabs: a test case per rule × resource, one suite per plan.

A failure is a failed check; inconclusive and suppressed results are skipped (neither
fails the run by default); passes are plain test cases, so the count is the real one.
A test case has only the attributes and children strict JUnit schemas allow (classname,
name; failure, skipped): where a finding's resource is declared goes in its suite's
`<properties>`, one `<property name="RULE ADDRESS" value="FILE:LINE">` per located case,
and in the failure text.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable

from tfcheck.findings import Finding, Outcome, Report
from tfcheck.formats.escape import guard, neutralise

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")  # not allowed in XML 1.0


def render(report: Report, *, color: bool = False, verbose: bool = False) -> str:
    report = neutralise(report)
    plans = list(report.plans)
    for f in report.results:
        if (f.plan or "") not in plans:
            plans.append(f.plan or "")
    root = ET.Element("testsuites", name="tfcheck")
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for plan in plans:
        suite = _suite(plan or "tfcheck", [f for f in report.results if (f.plan or "") == plan])
        root.append(suite)
        for key in totals:
            totals[key] += int(suite.get(key, "0"))
    for key, value in totals.items():
        root.set(key, str(value))
    ET.indent(root, space="  ")
    return guard('<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n")


def _suite(name: str, results: Iterable[Finding]) -> ET.Element:
    suite = ET.Element("testsuite", name=_text(name))
    properties = ET.SubElement(suite, "properties")
    counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for f in results:
        case = ET.SubElement(suite, "testcase", classname=f.rule_id, name=_text(f.address))
        if f.file:
            where = f"{f.file}:{f.line}" if f.line else f.file
            ET.SubElement(properties, "property", name=_text(f"{f.rule_id} {f.address}"), value=_text(where))
        counts["tests"] += 1
        if f.suppressed is not None:
            counts["skipped"] += 1
            ET.SubElement(
                case,
                "skipped",
                message=_text(f"suppressed ({f.suppressed.kind}): {f.suppressed.justification}"),
            )
        elif f.outcome is Outcome.FAIL:
            counts["failures"] += 1
            failure = ET.SubElement(case, "failure", type=f.severity.value, message=_text(f.message))
            failure.text = _text(_details(f))
        elif f.outcome is Outcome.INCONCLUSIVE:
            counts["skipped"] += 1
            skipped = ET.SubElement(case, "skipped", message=_text(f"inconclusive: {f.message}"))
            if f.reasons:
                skipped.text = _text("\n".join(f.reasons))
    for key in ("tests", "failures", "errors", "skipped"):
        suite.set(key, str(counts[key]))
    if not len(properties):
        suite.remove(properties)
    return suite


def _details(f: Finding) -> str:
    lines = [f"{f.severity.value} {f.rule_id} {f.address}", f.message]
    if f.remediation:
        lines.append(f"Fix: {f.remediation}")
    if f.file:
        lines.append(f"At: {f.file}:{f.line}" if f.line else f"At: {f.file}")
    if f.plan:
        lines.append(f"Plan: {f.plan}")
    return "\n".join(lines)


def _text(value: str) -> str:
    return _NOT_XML.sub("\ufffd", value)
