"""SARIF 2.1.0 report for code scanning: rules with help text, results with file:line and address.

GitHub code scanning rejects a whole upload if any result lacks a physical artifact
location, so a finding without a known file:line points at the plan file it came from.
No timestamps: the same input gives byte-identical output.
"""
from __future__ import annotations

import hashlib
import json
import posixpath
from typing import Any
from urllib.parse import quote

from tfcheck import __version__
from tfcheck.findings import Finding, Outcome, Report, RuleInfo, Severity
from tfcheck.formats.escape import json_doc

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
_PROBLEM_SEVERITY = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "recommendation"}
FINGERPRINT = "tfcheck/rule-address/v1"


def render(report: Report, *, color: bool = False, verbose: bool = False) -> str:
    rules = _rules(report)
    index = {rule.id: i for i, rule in enumerate(rules)}
    results = [
        _result(f, index)
        for f in sorted(report.failed + report.inconclusive + report.suppressed, key=Finding.sort_key)
    ]
    run: dict[str, Any] = {
        "tool": {"driver": {
            "name": "tfcheck",
            "version": __version__,
            "semanticVersion": __version__,
            "rules": [_rule(r) for r in rules],
        }},
        "invocations": [_invocation(report)],
        "results": results,
    }
    doc = {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}
    return json.dumps(json_doc(doc), indent=2, ensure_ascii=False) + "\n"


def _rules(report: Report) -> list[RuleInfo]:
    """The report's rule catalogue, plus any rule a finding names that it lacks."""
    known = {r.id: r for r in report.rule_info}
    for f in report.results:
        known.setdefault(f.rule_id, RuleInfo(f.rule_id, f.rule_id, f.severity))
    return [known[k] for k in sorted(known)]


def _rule(rule: RuleInfo) -> dict[str, Any]:
    description = " ".join(rule.description.split()) or rule.title
    text = [description]
    markdown = [f"**{rule.title}**", "", description]
    if rule.remediation:
        text.append(f"How to fix: {rule.remediation}")
        markdown += ["", f"**How to fix:** {rule.remediation}"]
    if rule.links:
        text.append("See: " + ", ".join(rule.links))
        markdown += [""] + [f"- <{link}>" for link in rule.links]
    out: dict[str, Any] = {
        "id": rule.id,
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": description},
        "help": {"text": "\n\n".join(text), "markdown": "\n".join(markdown)},
    }
    if rule.links:
        out["helpUri"] = rule.links[0]
    out["defaultConfiguration"] = {"level": LEVELS[rule.severity]}
    out["properties"] = {
        "tags": ["terraform", "aws", "vpc-endpoint"],
        "problem.severity": _PROBLEM_SEVERITY[rule.severity],
    }
    return out


def _result(f: Finding, index: dict[str, int]) -> dict[str, Any]:
    out: dict[str, Any] = {"ruleId": f.rule_id, "ruleIndex": index[f.rule_id]}
    if f.outcome is Outcome.FAIL:
        out["level"] = LEVELS[f.severity]
        text = f.message + (f" Fix: {f.remediation}" if f.remediation else "")
    else:  # undecided before apply: SARIF's "open" kind, which takes level "none"
        out["kind"] = "open"
        out["level"] = "none"
        text = f.message + "".join(f" ({reason})" for reason in f.reasons[:1])
        if len(f.reasons) > 1:
            text += f" and {len(f.reasons) - 1} more unknown value(s)"
    out["message"] = {"text": text or f"{f.rule_id} {f.address}"}
    out["locations"] = [_location(f)]
    digest = hashlib.sha256(f"{f.rule_id}\0{f.address}".encode()).hexdigest()
    out["partialFingerprints"] = {FINGERPRINT: digest}
    if f.suppressed is not None:
        out["suppressions"] = [{
            "kind": f.suppressed.kind,
            "status": "accepted",
            "justification": f.suppressed.justification,
        }]
    props: dict[str, Any] = {"address": f.address, "severity": f.severity.value, "outcome": f.outcome.value}
    if f.plan:
        props["plan"] = f.plan
    if f.reasons:
        props["reasons"] = list(f.reasons)
    out["properties"] = props
    return out


def _location(f: Finding) -> dict[str, Any]:
    location: dict[str, Any] = {}
    if f.file:
        physical: dict[str, Any] = {"artifactLocation": {"uri": artifact_uri(f.file)}}
        if f.line:
            physical["region"] = {"startLine": f.line}
        location["physicalLocation"] = physical
    else:
        plan = f.plan if f.plan and not f.plan.startswith(("<", "$")) else "plan.json"
        location["physicalLocation"] = {"artifactLocation": {"uri": artifact_uri(plan)}}
    location["logicalLocations"] = [{"fullyQualifiedName": f.address, "kind": "resource"}]
    return location


def artifact_uri(path: str) -> str:
    """A relative path as a URI reference (`/` separators, percent-encoded); absolute as file://.

    A file name that is not UTF-8 reaches here with Python's surrogate escapes: its original
    bytes are percent-encoded (RFC 3986 allows any octet), so the URI names the real file."""
    posix = path.replace("\\", "/")
    if posix.startswith("/") or (len(posix) > 2 and posix[1] == ":" and posix[2] == "/"):
        return "file://" + ("" if posix.startswith("/") else "/") + _quote(posix, "/:")
    return _quote(posixpath.normpath(posix), "/")


def _quote(path: str, safe: str) -> str:
    return quote(path.encode("utf-8", "surrogateescape"), safe=safe)


def _invocation(report: Report) -> dict[str, Any]:
    invocation: dict[str, Any] = {"executionSuccessful": True}
    if report.notes:
        invocation["toolExecutionNotifications"] = [
            {"level": "warning", "message": {"text": note}} for note in report.notes
        ]
    return invocation

