"""JSON report: failed checks and inconclusive ones apart, plus the Report's counts (schema v1)."""

from __future__ import annotations

import json

from tfcheck import __version__
from tfcheck.findings import Report
from tfcheck.formats.escape import json_doc, json_text, neutralise


def render(report: Report, *, color: bool = False, verbose: bool = False) -> str:
    report = neutralise(report, json_text, json_text)
    doc = {
        "version": 1,
        "tool": {"name": "tfcheck", "version": __version__},
        "findings": [f.to_dict() for f in report.failed],
        "inconclusive": [f.to_dict() for f in report.inconclusive],
        "summary": {**report.summary(), "inputs": json_doc(report.inputs())},
    }
    if report.suppressed:  # kept visible with their reason; they do not set the exit code
        doc["suppressed"] = [f.to_dict() for f in report.suppressed]
    if report.changes:  # update plans: introduced/resolved/unchanged and reachability lost
        doc["changes"] = [
            {**c.to_dict(), "resolved_findings": [f.to_dict() for f in c.resolved]} for c in report.changes
        ]
    if report.notes:
        doc["notes"] = list(report.notes)
    if verbose:
        doc["passed"] = [{"rule_id": f.rule_id, "address": f.address, "plan": f.plan} for f in report.passed]
    return json.dumps(doc, indent=2) + "\n"
