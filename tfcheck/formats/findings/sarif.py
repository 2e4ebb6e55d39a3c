"""SARIF 2.1.0 report for code scanning: rules with help text, results with file:line and address.

GitHub code scanning rejects a whole upload if any result lacks a physical artifact
location, so a finding without a known file:line points at the plan file it came from.
Every location is relative to the repository root (`uriBaseId` %SRCROOT%, declared in
`originalUriBaseIds` without its absolute path): code scanning resolves such URIs against
the checkout, and a file outside the repository (a plan converted under $RUNNER_TEMP) is
named by its base name rather than by an absolute `file://` URI it could never match.
Rules carry what code scanning ranks alerts by (docs.github.com, "SARIF support for code
scanning"): `security-severity` (0-10; 7.0+ shows as high, 4.0+ medium), `precision`,
and tags including `security`. No timestamps: the same input gives byte-identical output.
"""

from __future__ import annotations

import hashlib
import json
import posixpath
from typing import Any
from urllib.parse import quote

from tfcheck import __version__
from tfcheck.findings import INTRODUCED, Finding, Outcome, Report, RuleInfo, Severity
from tfcheck.formats.escape import json_doc

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
_PROBLEM_SEVERITY = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "recommendation"}
FINGERPRINT = "tfcheck/rule-address/v1"
SRCROOT = "%SRCROOT%"
# An error breaks a workload's access to AWS services or fails the apply; a warning is an
# availability or cost risk; info is advice. Code scanning shows 7.0-8.9 as high.
SECURITY_SEVERITY = {Severity.ERROR: "7.5", Severity.WARNING: "5.0", Severity.INFO: "2.0"}
# How often a failing result is a real problem. Rules that read one resource's own settings
# are very-high; rules that also infer workloads' needs, AZs or paths are high (a need can
# be declared that tfcheck cannot see); unknown (user) rules medium.
PRECISION_VERY_HIGH = frozenset(
    {
        "VPCE001",
        "VPCE002",
        "VPCE004",
        "VPCE005",
        "VPCE010",
        "VPCE011",
        "VPCE013",
        "VPCE015",
        "VPCE024",
        "VPCE025",
    }
)
TAGS = {
    "endpoints": "privatelink",
    "workloads": "reachability",
    "route_tables": "routing",
    "subnets": "routing",
    "tgw_attachments": "transit-gateway",
    "vpcs": "dns",
}


def render(report: Report, *, color: bool = False, verbose: bool = False) -> str:
    rules = _rules(report)
    index = {rule.id: i for i, rule in enumerate(rules)}
    base = report.location_base
    results = [
        _result(f, index, base)
        for f in sorted(report.failed + report.inconclusive + report.suppressed, key=Finding.sort_key)
    ]
    run: dict[str, Any] = {
        "originalUriBaseIds": {SRCROOT: {"description": {"text": "The repository root."}}},
        "tool": {
            "driver": {
                "name": "tfcheck",
                "version": __version__,
                "semanticVersion": __version__,
                "rules": [_rule(r) for r in rules],
            }
        },
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
    if rule.page:
        text.append(f"Documentation: {rule.page}")
        markdown += ["", f"[Rule documentation]({rule.page})"]
    if rule.links:
        text.append("See: " + ", ".join(rule.links))
        markdown += [""] + [f"- <{link}>" for link in rule.links]
    out: dict[str, Any] = {
        "id": rule.id,
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": description},
        "help": {"text": "\n\n".join(text), "markdown": "\n".join(markdown)},
    }
    if rule.page or rule.links:  # the rule's own page; a user rule's first link
        out["helpUri"] = rule.page or rule.links[0]
    out["defaultConfiguration"] = {"level": LEVELS[rule.severity]}
    area = TAGS.get(rule.resource)
    out["properties"] = {
        "tags": ["security", "terraform", "aws", "vpc-endpoint"] + ([area] if area else []),
        "problem.severity": _PROBLEM_SEVERITY[rule.severity],
        "security-severity": SECURITY_SEVERITY[rule.severity],
        "precision": precision(rule),
    }
    return out


def precision(rule: RuleInfo) -> str:
    if not rule.resource:  # named by a finding only: nothing known of it
        return "medium"
    return "very-high" if rule.id in PRECISION_VERY_HIGH else "high"


def _result(f: Finding, index: dict[str, int], base: tuple[str, str] | None) -> dict[str, Any]:
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
    out["locations"] = [_location(f, base)]
    digest = hashlib.sha256(f"{f.rule_id}\0{f.address}".encode()).hexdigest()
    out["partialFingerprints"] = {FINGERPRINT: digest}
    if f.suppressed is not None:
        out["suppressions"] = [
            {
                "kind": f.suppressed.kind,
                "status": "accepted",
                "justification": f.suppressed.justification,
            }
        ]
    props: dict[str, Any] = {"address": f.address, "severity": f.severity.value, "outcome": f.outcome.value}
    if f.plan:
        props["plan"] = f.plan
    if f.reasons:
        props["reasons"] = list(f.reasons)
    if f.change is not None:  # update plans: SARIF's own words for new and pre-existing results
        out["baselineState"] = "new" if f.change == INTRODUCED else "unchanged"
        props["change"] = f.change
    out["properties"] = props
    return out


def _location(f: Finding, base: tuple[str, str] | None) -> dict[str, Any]:
    location: dict[str, Any] = {}
    path = f.file or (f.plan if f.plan and not f.plan.startswith(("<", "$")) else "plan.json")
    physical: dict[str, Any] = {"artifactLocation": {"uri": artifact_uri(path, base), "uriBaseId": SRCROOT}}
    if f.file and f.line:
        physical["region"] = {"startLine": f.line}
    location["physicalLocation"] = physical
    location["logicalLocations"] = [{"fullyQualifiedName": f.address, "kind": "resource"}]
    return location


def artifact_uri(path: str, base: tuple[str, str] | None = None) -> str:
    """`path` relative to the repository root, as a URI reference (`/` separators,
    percent-encoded); never absolute.

    `base` is (repository root, working directory), both absolute: a relative path is read
    from the working directory. A path outside the root keeps only its base name.
    """
    posix = path.replace("\\", "/")
    absolute = posix.startswith("/") or (len(posix) > 2 and posix[1] == ":" and posix[2] == "/")
    if base is not None:
        root, cwd = (b.replace("\\", "/") for b in base)
        full = posixpath.normpath(posix if absolute else posixpath.join(cwd, posix))
        inside = (
            posixpath.relpath(full, root) if full.startswith(root.rstrip("/") + "/") or full == root else None
        )
        posix = inside if inside is not None else posixpath.basename(full)
    elif absolute:
        posix = posixpath.basename(posix)
    relative = posixpath.normpath(posix)
    if relative.startswith("../") or relative == "..":
        relative = posixpath.basename(posix)
    return _quote(relative, "/")


def _quote(path: str, safe: str) -> str:
    """A file name that is not UTF-8 arrives with Python's surrogate escapes: its original
    bytes are percent-encoded (RFC 3986 allows any octet), so the URI names the real file."""
    return quote(path.encode("utf-8", "surrogateescape"), safe=safe)


def _invocation(report: Report) -> dict[str, Any]:
    invocation: dict[str, Any] = {"executionSuccessful": True}
    if report.notes:
        invocation["toolExecutionNotifications"] = [
            {"level": "warning", "message": {"text": note}} for note in report.notes
        ]
    return invocation
