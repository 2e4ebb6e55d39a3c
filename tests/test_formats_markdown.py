from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

import pytest
from conftest import REPO, graph
from test_formats_mermaid import check_mermaid
from test_formats_text import sample_report

from tfcheck.findings import FailOn, Finding, Outcome, Report, Severity, Suppression
from tfcheck.formats.findings.markdown import COMMENT_LIMIT, render
from tfcheck.run import CheckOptions, build_report

SEVERITIES = (Severity.ERROR, Severity.WARNING, Severity.INFO)


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def big_report(vpcs: int = 500, per_vpc: int = 32, fail_every: int = 1) -> Report:
    """A synthetic plan of vpcs × per_vpc resources (500 × 32 = 16,000): per VPC three route
    tables and NAT gateways, a workload in every subnet, subnets and interface endpoints; every
    `fail_every`-th endpoint and each workload fail, with messages full of table-breaking text."""
    items: dict[str, list[dict[str, Any]]] = {
        k: []
        for k in (
            "vpcs",
            "subnets",
            "route_tables",
            "endpoints",
            "workloads",
            "nat_gateways",
            "internet_gateways",
        )
    }
    findings = []
    rest = per_vpc - 8
    per_az = max(1, rest * 2 // 9)
    endpoints = rest - 3 * per_az
    for v in range(vpcs):
        vpc = f'module.net["{v}"].aws_vpc.this'
        items["vpcs"].append({"address": vpc, "cidr": f"10.{v % 256}.0.0/16"})
        subnets = []
        for az in "abc":
            table = f'module.net["{v}"].aws_route_table.{az}'
            nat = f'module.net["{v}"].aws_nat_gateway.{az}'
            items["route_tables"].append(
                {
                    "address": table,
                    "vpc": vpc,
                    "main": False,
                    "gateway_endpoints": [],
                    "routes": [{"destination": "0.0.0.0/0", "target_kind": "nat", "target": nat}],
                }
            )
            for i in range(per_az):
                subnet = f'module.net["{v}"].aws_subnet.{az}[{i}]'
                subnets.append(subnet)
                items["subnets"].append(
                    {
                        "address": subnet,
                        "vpc": vpc,
                        "az": f"us-east-1{az}",
                        "cidr": "10.0.0.0/24",
                        "route_table": table,
                        "egress": "nat",
                    }
                )
            items["nat_gateways"].append({"address": nat, "vpc": vpc, "subnet": subnets[-1]})
        for e in range(endpoints):
            ep = f'module.net["{v}"].aws_vpc_endpoint.i["svc{e}"]'
            items["endpoints"].append(
                {"address": ep, "vpc": vpc, "type": "Interface", "service": f"svc{e}", "subnets": subnets[:2]}
            )
            if e % fail_every == 0:
                findings.append(
                    Finding(
                        "VPCE012",
                        SEVERITIES[e % 3],
                        ep,
                        "no subnet in us-east-1c | a|b\n`x` " * 8,
                        "Add a subnet.",
                        Outcome.FAIL,
                        plan="big.json",
                    )
                )
        app = f'module.app["{v}"].aws_ecs_service.this'
        items["workloads"].append({"address": app, "vpc": vpc, "kind": "ecs_service", "subnets": subnets})
        findings.append(Finding("VPCE020", Severity.ERROR, app, "no path", "", Outcome.FAIL, plan="big.json"))
        findings.append(
            Finding(
                "VPCE014",
                Severity.ERROR,
                app,
                "undecided",
                "",
                Outcome.INCONCLUSIVE,
                ("security_groups: known after apply",),
                plan="big.json",
            )
        )
    return Report.build(findings, ["big.json"], rules=20, graphs=[graph(**items)])


def test_sample_markdown_has_counts_and_table() -> None:
    text = render(sample_report())
    assert text.startswith("## ❌ tfcheck\n\n1 error, 1 warning, 1 info, 1 inconclusive, 1 passed")
    assert (
        "| **error** | VPCE010 | `aws_vpc_endpoint.logs`<br>`main.tf:7` | Private DNS is off.<br>**Fix:** Set private_dns_enabled = true. |"
        in text
    )
    assert "<details><summary>1 inconclusive (undecided before apply)</summary>" in text
    assert "omitted" not in text and "```mermaid" not in text  # no graph, no diagram


def test_cells_escape_pipes_newlines_html_and_mentions() -> None:
    f = Finding(
        "R1",
        Severity.WARNING,
        'aws_x.y["a|b"]',
        "a | b\nc <b>bold</b> @octocat",
        "fix `it`|now",
        Outcome.FAIL,
        file="m`a|in.tf",
        line=2,
    )
    text = render(Report.build([f], ["p"]))
    row = next(line for line in text.splitlines() if line.startswith("| warning"))
    assert row.count(" | ") == 3  # exactly four cells: every other | is escaped
    assert '`aws_x.y["a\\|b"]`' in row and "``m`a\\|in.tf:2``" in row
    assert "a \\| b c &lt;b&gt;bold&lt;/b&gt; @\u2060octocat" in row
    assert "**Fix:** fix `it`\\|now" in row


def test_clean_report_says_so() -> None:
    text = render(Report.build([Finding("R", Severity.ERROR, "a", "", "", Outcome.PASS)], ["p"], rules=1))
    assert text.startswith("## ✅ tfcheck\n\n0 errors")
    assert "|" not in text


def test_diagram_of_the_affected_vpc_on_a_real_plan(
    golden: Callable[[str, str], None], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(REPO)
    plan = "fixtures/rules/VPCE012/fail/plan.json"
    report = build_report(CheckOptions((plan,), (), (), (), FailOn.ERROR, False, None, None, False, False))
    text = render(report)
    golden("VPCE012-fail.markdown", text)
    blocks = re.findall(r"```mermaid\n(.*?)```", text, re.DOTALL)
    assert len(blocks) == 1 and "#### Network: `aws_vpc.main`" in text
    check_mermaid(blocks[0])
    failing = re.search(
        r'(n\d+)\{\{"logs endpoint \(Interface\)<br/>aws_vpc_endpoint.fail_logs"\}\}', blocks[0]
    )
    assert failing is not None and f"class {failing[1]} error" in blocks[0]


def test_suppressed_and_notes_are_shown() -> None:
    f = Finding(
        "R1",
        Severity.ERROR,
        "a.b",
        "m",
        "",
        Outcome.FAIL,
        suppressed=Suppression("inSource", "hub | single AZ", "tfcheck:ignore comment"),
    )
    text = render(Report.build([f], ["p"], notes=["waiver R1 a.* expired on 2020-01-01"]))
    assert "0 passed (1 check, 0 rules, 1 plan), 1 suppressed" in text
    assert "> ⚠️ waiver R1 a.* expired on 2020-01-01" in text
    assert "| R1 | `a.b` | hub \\| single AZ (tfcheck:ignore comment) |" in text


def test_16000_resource_plan_stays_under_the_comment_limit() -> None:
    report = big_report()
    assert sum(len(v) for k, v in report.graphs[0].items() if isinstance(v, list)) >= 16_000
    start = time.perf_counter()
    text = render(report)
    elapsed = time.perf_counter() - start
    assert utf16_len(text) < COMMENT_LIMIT - 5_000  # room for the Action's marker
    assert elapsed < 10, f"markdown took {elapsed:.1f}s"
    last = text.rstrip().splitlines()[-1]
    match = re.fullmatch(
        r"_… (\d+) more findings, (\d+) more VPC diagrams, (\d+) more inconclusive results "
        r"omitted to stay under GitHub's comment size limit; the JSON and SARIF reports have everything._",
        last,
    )
    assert match, last
    rows = len(
        [
            line
            for line in text.splitlines()
            if line.startswith("| **error**") or line.startswith("| warning") or line.startswith("| info")
        ]
    )
    assert rows + int(match[1]) == len(report.failed)
    diagrams = re.findall(r"```mermaid\n(.*?)```", text, re.DOTALL)
    assert len(diagrams) + int(match[2]) == 500
    for block in diagrams:
        check_mermaid(block)


def test_small_budget_still_names_what_was_cut() -> None:
    text = render(big_report(vpcs=5, per_vpc=32), budget=6_000)
    assert len(text) < 6_000
    last = text.rstrip().splitlines()[-1]
    assert re.match(r"_… \d+ more findings, 5 more VPC diagrams omitted", last), last


def test_huge_vpc_diagram_is_focused_on_the_problems() -> None:
    report = big_report(vpcs=1, per_vpc=1_500, fail_every=100)
    text = render(report)
    blocks = re.findall(r"```mermaid\n(.*?)```", text, re.DOTALL)
    assert len(blocks) == 1 and len(blocks[0]) < 20_000
    assert "(summarised: counts per AZ and kind; resources with findings named)" in text
    assert re.search(r"\"\d+ endpoints\"", blocks[0])
    check_mermaid(blocks[0])
    assert blocks[0].count("aws_vpc_endpoint") == len([f for f in report.failed if "endpoint" in f.address])
