"""Cost for every Region (issue 17.5/17.6, 16.6): unpriced Regions are reported, never refused or
counted as $0.00; the Region comes from the source when the plan lacks it; subtotals per kind."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from conftest import endpoint, graph

from tfcheck.cli import main
from tfcheck.config import from_dict
from tfcheck.cost.prices import load_prices
from tfcheck.cost.report import analyze
from tfcheck.cost.schema import SCHEMA
from tfcheck.cost.usage import Usage
from tfcheck.formats.cost.markdown import render as render_markdown
from tfcheck.formats.cost.text import render as render_text
from tfcheck.load.inputs import SourceOptions
from tfcheck.run import cost_report

REPO = Path(__file__).resolve().parent.parent
COST = REPO / "fixtures" / "cost"
SYDNEY = str(COST / "sydney_local_region" / "plan.json")  # ap-southeast-2 as `local.region`: not priced
NAT_IDLE = str(COST / "nat_idle" / "plan.json")  # us-east-1, 2 NAT gateways, 3 interface endpoints × 2 AZs


def test_region_comes_from_the_source_when_the_plan_has_only_a_reference() -> None:
    plan = json.loads(Path(SYDNEY).read_text())
    assert plan["configuration"]["provider_config"]["aws"]["expressions"]["region"] == {
        "references": ["local.region"]
    }  # terraform leaves the Region out of the plan
    vpc = cost_report([SYDNEY], None, None, from_dict({}))["plans"][0]["vpcs"][0]
    assert vpc["region"] == "ap-southeast-2" and vpc["priced"] is False
    assert "Region ap-southeast-2 has no price" in vpc["unpriced_reason"]
    alone = cost_report([SYDNEY], None, None, from_dict({}), SourceOptions(use_source=False))
    vpc = alone["plans"][0]["vpcs"][0]
    assert vpc["region"] is None and "does not say which AWS Region" in vpc["unpriced_reason"]


def test_unpriced_region_keeps_paths_nat_readiness_and_says_how_to_price() -> None:
    doc = cost_report([SYDNEY], None, None, from_dict({}))
    jsonschema.Draft202012Validator(SCHEMA).validate(doc)
    assert [gap["region"] for gap in doc["unpriced_regions"]] == ["ap-southeast-2"] and doc["prices"] == {}
    assert any("unpriced_regions" in line and "never $0.00" in line for line in doc["assumptions"])
    vpc = doc["plans"][0]["vpcs"][0]
    logs = next(row for row in vpc["services"] if row["service"] == "logs")
    assert logs["now"]["paths"] == [{"via": "nat", "through": "aws_nat_gateway.main"}]
    assert logs["alternative"]["azs"] == ["ap-southeast-2a", "ap-southeast-2b"]
    assert logs["alternative"]["added_fixed_monthly"] is None and logs["break_even_gb"] is None
    assert logs["recommendation"]["action"] == "depends" and "--prices FILE" in logs["recommendation"]["text"]
    assert vpc["nat_removal"]["ready"] == "after_endpoints"
    assert vpc["nat_removal"]["nat_free_monthly"] is None and vpc["nat_removal"]["today_monthly"] is None
    assert sorted(i["resource"] for i in vpc["not_priced"]) == [
        "aws_nat_gateway.main",
        'aws_vpc_endpoint.interface["ecr.api"]',
        'aws_vpc_endpoint.interface["ecr.dkr"]',
    ]
    money = [line["monthly"] for line in vpc["lines"] if line["kind"] != "gateway_endpoint"]
    assert money == [None, None, None]
    text = render_text(doc)
    assert "Plan total: not priced" in text and "add it with --prices FILE" in text
    assert "NAT removal (aws_nat_gateway.main): yes, after adding endpoints" in text
    assert "$0.00" not in text.replace("$0.00  s3 gateway endpoint, free", "")
    markdown = render_markdown(doc)
    assert "> ⚠️ Not priced: Region ap-southeast-2 has no price" in markdown
    assert "| **Total** | | **not priced** |" in markdown


def test_cost_command_exits_0_for_an_unpriced_region(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["cost", SYDNEY]) == 0
    out = capsys.readouterr().out
    assert "VPC aws_vpc.main (ap-southeast-2)" in out and "not priced" in out


def test_prices_file_prices_the_region_it_adds(tmp_path: Path) -> None:
    prices = tmp_path / "prices.yml"
    prices.write_text(
        'regions:\n  ap-southeast-2:\n    nat_gateway: {hourly: "0.05", per_gb: "0.05"}\n'
        '    interface_endpoint:\n      hourly_per_az: "0.011"\n'
        '      per_gb_tiers: [{up_to_gb: null, per_gb: "0.01"}]\n',
        encoding="utf-8",
    )
    doc = cost_report([SYDNEY], None, str(prices), from_dict({}))
    assert doc["unpriced_regions"] == [] and list(doc["prices"]) == ["ap-southeast-2"]
    vpc = doc["plans"][0]["vpcs"][0]
    assert vpc["priced"] is True and vpc["not_priced"] == [] and vpc["partial"] is False
    assert vpc["total_monthly"] == "68.62"  # 730 × 0.05 + 2 × 2 × 730 × 0.011 = 36.50 + 32.12


def test_subtotals_per_kind_split_fixed_and_traffic(tmp_path: Path) -> None:
    usage = tmp_path / "usage.yml"
    usage.write_text(
        "version: 0.1\nresource_type_default_usage:\n  aws_nat_gateway:\n"
        "    monthly_data_processed_gb: 1000\n",
        encoding="utf-8",
    )
    doc = cost_report([NAT_IDLE], str(usage), None, from_dict({}))
    jsonschema.Draft202012Validator(SCHEMA).validate(doc)
    subtotals = {s["kind"]: s for s in doc["plans"][0]["vpcs"][0]["subtotals"]}
    nat = subtotals["nat_gateway"]
    assert (nat["units"], nat["hours"], nat["hourly"]) == (2, 730, "0.045")
    assert (nat["fixed_monthly"], nat["traffic_monthly"], nat["total_monthly"]) == (
        "65.70",
        "90.00",
        "155.70",
    )
    iface = subtotals["interface_endpoint"]
    assert (iface["resources"], iface["units"], iface["fixed_monthly"]) == (3, 6, "43.80")
    assert subtotals["gateway_endpoint"]["fixed_monthly"] == "0.00"
    assert doc["plans"][0]["subtotals"] == doc["plans"][0]["vpcs"][0]["subtotals"]
    assert doc["totals"]["subtotals"] == doc["plans"][0]["subtotals"]
    text = render_text(doc)
    assert "NAT gateways: fixed 2 × 730 h × $0.045 = $65.70; traffic $90.00" in text
    assert "interface endpoints: fixed 6 endpoint-AZs × 730 h × $0.01 = $43.80" in text
    assert "- NAT gateways: fixed 2 × 730 h × $0.045 = $65.70; traffic $90.00" in render_markdown(doc)


def test_subtotals_over_two_plans_add_up_per_kind() -> None:
    doc = cost_report([NAT_IDLE, str(COST / "seoul" / "plan.json")], None, None, from_dict({}))
    nat = next(s for s in doc["totals"]["subtotals"] if s["kind"] == "nat_gateway")
    # 2 × 730 × 0.045 + 730 × 0.059; the Regions' rates differ, so no single rate is shown
    assert (nat["units"], nat["hourly"], nat["fixed_monthly"]) == (3, None, "108.77")
    assert "By kind, all plans" in render_text(doc) and "NAT gateways: fixed $108.77" in render_text(doc)


def test_an_unpriced_item_in_a_priced_region_makes_the_total_partial() -> None:
    unknown = endpoint(
        address="aws_vpc_endpoint.ssm",
        service="ssm",
        subnets=[],
        azs=[],
        unknown={"subnets": "known after apply"},
    )
    g = graph(
        vpcs=[{"address": "aws_vpc.main", "region": "us-east-1", "workload_azs": []}],
        endpoints=[endpoint(), unknown],
    )
    vpcs = analyze(g, "plan.json", load_prices(None), Usage(), [], full=False)
    vpc = vpcs[0]
    assert vpc["fixed_monthly"] == Decimal("14.60") and vpc["partial"] is True  # the known part only
    assert vpc["not_priced"] == [
        {
            "resource": "aws_vpc_endpoint.ssm",
            "kind": "interface_endpoint",
            "reason": "its subnets are not known before apply: AZ count unknown",
        }
    ]
    iface: dict[str, Any] = vpc["subtotals"][0]
    assert (iface["units"], iface["fixed_monthly"], iface["not_priced"]) == (None, Decimal("14.60"), 1)
