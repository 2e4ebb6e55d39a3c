from __future__ import annotations

import json

from test_formats_text import sample_report

from tfcheck.formats.findings.json import render


def test_json_document_shape() -> None:
    doc = json.loads(render(sample_report()))
    assert list(doc) == ["version", "tool", "findings", "inconclusive", "summary"]
    assert doc["version"] == 1
    assert [f["rule_id"] for f in doc["findings"]] == ["VPCE022", "VPCE010", "VPCE012"]
    first = doc["findings"][1]
    assert first == {
        "rule_id": "VPCE010",
        "severity": "error",
        "address": "aws_vpc_endpoint.logs",
        "message": "Private DNS is off.",
        "remediation": "Set private_dns_enabled = true.",
        "file": "main.tf",
        "line": 7,
        "plan": "plan.json",
    }
    assert doc["inconclusive"][0]["reasons"] == ["security_groups: known after apply"]
    assert doc["summary"]["failed"] == 3 and doc["summary"]["passed"] == 1


def test_verbose_json_lists_passes() -> None:
    doc = json.loads(render(sample_report(), verbose=True))
    assert doc["passed"] == [{"rule_id": "VPCE001", "address": "aws_vpc_endpoint.s3", "plan": "plan.json"}]


def test_tool_version_agrees_with_sarif_and_the_cli() -> None:
    from click.testing import CliRunner

    from tfcheck import __version__
    from tfcheck.cli import cli
    from tfcheck.formats.findings.sarif import render as sarif

    assert json.loads(render(sample_report()))["tool"] == {"name": "tfcheck", "version": __version__}
    driver = json.loads(sarif(sample_report()))["runs"][0]["tool"]["driver"]
    assert driver["version"] == driver["semanticVersion"] == __version__
    assert CliRunner().invoke(cli, ["--version"]).output.split()[-1] == __version__
