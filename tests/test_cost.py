"""tfcheck cost on real fixture plans: every figure here is worked out by hand from prices.json."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from tfcheck.config import from_dict
from tfcheck.cost.prices import load_prices
from tfcheck.cost.report import analyze
from tfcheck.cost.usage import Usage
from tfcheck.run import cost_report

REPO = Path(__file__).resolve().parent.parent
COST = REPO / "fixtures" / "cost"
NAT_S3 = str(COST / "nat_s3_via_nat" / "plan.json")  # us-east-1, 1 NAT, 4 interface endpoints × 3 AZs
NAT_IDLE = str(COST / "nat_idle" / "plan.json")  # us-east-1, 2 NATs, every need on an endpoint
SEOUL = str(COST / "seoul" / "plan.json")  # ap-northeast-2, 1 NAT, 2 interface endpoints × 2 AZs
UPDATE = str(COST / "update_remove_nat" / "plan.json")  # derived update plan: NAT out, ecr.* in
USAGE = COST / "usage"


def cost(plan: str, usage: str | None = None, config: dict[str, Any] | None = None) -> dict[str, Any]:
    return cost_report([plan], str(USAGE / usage) if usage else None, None, from_dict(config or {}))


def vpc_of(doc: dict[str, Any], index: int = 0) -> dict[str, Any]:
    return doc["plans"][index]["vpcs"][0]


def line(vpc: dict[str, Any], resource: str) -> dict[str, Any]:
    return next(item for item in vpc["lines"] if item["resource"] == resource)


def service(vpc: dict[str, Any], name: str) -> dict[str, Any]:
    return next(row for row in vpc["services"] if row["service"] == name)


def test_four_interface_endpoints_in_three_azs_cost_87_60_fixed() -> None:
    vpc = vpc_of(cost(NAT_S3))
    endpoints = [item for item in vpc["lines"] if item["kind"] == "interface_endpoint"]
    assert [(e["service"], e["azs"], e["fixed_monthly"]) for e in endpoints] == [
        ("ecr.api", 3, "21.90"),
        ("ecr.dkr", 3, "21.90"),
        ("logs", 3, "21.90"),
        ("secretsmanager", 3, "21.90"),
    ]
    # 4 × 3 × 730 × $0.01 = $87.60; plus one NAT gateway 730 × $0.045 = $32.85
    assert sum(Decimal(e["fixed_monthly"]) for e in endpoints) == Decimal("87.60")
    assert line(vpc, "aws_nat_gateway.main")["fixed_monthly"] == "32.85"
    assert (vpc["fixed_monthly"], vpc["total_monthly"]) == ("120.45", "120.45")


def test_without_usage_file_traffic_is_not_included_and_rates_are_shown() -> None:
    doc = cost(NAT_S3)
    vpc = vpc_of(doc)
    assert doc["traffic_included"] is False and doc["totals"]["traffic_monthly"] is None
    assert any("Traffic costs are not included" in a for a in doc["assumptions"])
    nat = line(vpc, "aws_nat_gateway.main")
    assert (nat["gb"], nat["traffic_monthly"], nat["per_gb"]) == (None, None, "0.045")
    assert doc["prices"]["us-east-1"]["interface_endpoint"]["per_gb_tiers"][0]["per_gb"] == "0.01"


def test_nat_gateway_carrying_1000_gb_costs_77_85() -> None:
    nat = line(vpc_of(cost(NAT_S3, "infracost-nat-1000.yml")), "aws_nat_gateway.main")
    # 730 × $0.045 + 1,000 × $0.045
    assert (nat["fixed_monthly"], nat["traffic_monthly"], nat["monthly"]) == ("32.85", "45.00", "77.85")
    assert (nat["gb"], nat["gb_source"]) == ("1000", "usage file")


@pytest.mark.parametrize(
    ("plan", "name", "azs", "hourly", "nat_gb"),
    [
        (NAT_S3, "ecr.api", 3, "0.01", "0.045"),  # us-east-1: 7.30·n / 0.035 ≈ 209·n GB
        (NAT_IDLE, "logs", 2, "0.01", "0.045"),
        (SEOUL, "logs", 2, "0.013", "0.059"),  # Seoul: 9.49·n / 0.049
    ],
)
def test_break_even_is_endpoint_fixed_over_per_gb_saving(
    plan: str, name: str, azs: int, hourly: str, nat_gb: str
) -> None:
    row = service(vpc_of(cost(plan)), name)
    expected = azs * 730 * Decimal(hourly) / (Decimal(nat_gb) - Decimal("0.01"))
    assert row["break_even_gb"] == str(expected.quantize(Decimal("0.01")))
    assert row["break_even_gb"] == {3: "625.71", 2: "417.14" if nat_gb == "0.045" else "387.35"}[azs]


def test_seoul_prices_and_advice_without_traffic() -> None:
    vpc = vpc_of(cost(SEOUL))
    assert vpc["region"] == "ap-northeast-2"
    assert line(vpc, "aws_nat_gateway.main")["fixed_monthly"] == "43.07"  # 730 × $0.059
    assert line(vpc, 'aws_vpc_endpoint.interface["ecr.api"]')["fixed_monthly"] == "18.98"  # 2 × 730 × $0.013
    logs = service(vpc, "logs")
    assert logs["now"]["paths"] == [{"via": "nat", "through": "aws_nat_gateway.main"}]
    assert logs["alternative"]["kind"] == "interface_endpoint"
    assert logs["alternative"]["azs"] == ["ap-northeast-2a", "ap-northeast-2c"]
    assert logs["alternative"]["added_fixed_monthly"] == "18.98"
    assert logs["recommendation"]["action"] == "depends"
    assert "387.35 GB" in logs["recommendation"]["text"]


def test_service_traffic_prices_each_service_on_its_path() -> None:
    vpc = vpc_of(cost(NAT_S3, "service-traffic.yml"))
    s3 = service(vpc, "s3")  # 1,000 GB via the NAT: $45.00; a gateway endpoint: $0
    assert (s3["gb"], s3["now"]["monthly"], s3["alternative"]["monthly"]) == ("1000", "45.00", "0.00")
    assert s3["break_even_gb"] == "0"
    assert s3["recommendation"] == {
        "action": "add_gateway_endpoint",
        "saving_monthly": "45.00",
        "text": "add a gateway endpoint (free): S3/DynamoDB traffic through a NAT gateway is always "
        "worth moving, saves $45.00/month",
    }
    sts = service(vpc, "sts")  # VPC-level 10 GB via the NAT: $0.45; endpoint $21.90 + $0.10
    assert (sts["now"]["monthly"], sts["alternative"]["monthly"]) == ("0.45", "22.00")
    assert (sts["recommendation"]["action"], sts["recommendation"]["saving_monthly"]) == (
        "keep_nat",
        "-21.55",
    )
    logs = service(vpc, "logs")  # 300 GB on its endpoint: $21.90 + $3.00
    assert logs["now"]["monthly"] == "24.90" and logs["recommendation"]["action"] == "keep"
    nat = line(vpc, "aws_nat_gateway.main")  # 1,000 (s3) + 10 (sts) GB routed through it
    assert (nat["gb"], nat["gb_source"], nat["monthly"]) == ("1010", "service traffic", "78.30")


def test_interface_endpoint_data_tiers_apply_to_the_region_total() -> None:
    vpc = vpc_of(cost(NAT_S3, "tiers.yml"))
    # 600,000 + 600,000 GB: the first fills 600,000 of the 1,048,576 GB first tier ($6,000.00);
    # the second takes the remaining 448,576 GB at $0.01 and 151,424 GB at $0.006 ($5,394.304).
    assert line(vpc, 'aws_vpc_endpoint.interface["ecr.dkr"]')["traffic_monthly"] == "6000.00"
    assert line(vpc, 'aws_vpc_endpoint.interface["logs"]')["traffic_monthly"] == "5394.30"
    assert line(vpc, 'aws_vpc_endpoint.interface["ecr.api"]')["gb"] == "0"  # exact address beats [*]
    assert vpc["traffic_monthly"] == "11394.30"  # 1,048,576 × 0.01 + 151,424 × 0.006 = 11,394.304
    assert service(vpc, "logs")["break_even_gb"] == "561.54"  # next GB is in the $0.006 tier


def test_update_plan_reports_the_monthly_delta() -> None:
    recipe = json.loads((COST / "update_remove_nat" / "derived.json").read_text())
    assert recipe["source"] == "../update_base"  # derived from a real plan by tools/derive_known.py
    doc = cost(UPDATE)
    plan, vpc = doc["plans"][0], vpc_of(doc)
    # before: NAT $32.85 + logs 2 × 730 × $0.01 = $47.45; after: 3 endpoints × 2 AZs = $43.80
    assert (vpc["before_monthly"], vpc["total_monthly"], vpc["delta_monthly"]) == ("47.45", "43.80", "-3.65")
    assert (plan["update"], plan["before_monthly"], plan["delta_monthly"]) == (True, "47.45", "-3.65")
    assert (doc["totals"]["before_monthly"], doc["totals"]["delta_monthly"]) == ("47.45", "-3.65")
    assert vpc["nat_removal"] is None  # no NAT gateway left


def test_update_plan_delta_with_traffic() -> None:
    vpc = vpc_of(cost(UPDATE, "service-traffic.yml"))
    # before: ecr.dkr 40 + secretsmanager 0.5 + sts 10 GB ride the NAT (50.5 × 0.045 = 2.2725) and
    # logs 300 GB its endpoint ($3.00): 32.85 + 2.2725 + 14.60 + 3.00 = 52.7225
    # after: ecr.dkr 14.60 + 0.40, logs 14.60 + 3.00, ecr.api 14.60 = 47.20
    assert (vpc["before_monthly"], vpc["total_monthly"], vpc["delta_monthly"]) == ("52.72", "47.20", "-5.52")


def test_nat_can_go_when_every_need_has_an_endpoint() -> None:
    nat = vpc_of(cost(NAT_IDLE))["nat_removal"]
    assert nat["ready"] == "yes"
    assert nat["nat_gateways"] == ["aws_nat_gateway.az[0]", "aws_nat_gateway.az[1]"]
    assert (nat["dependents"], nat["internet"], nat["endpoints_needed"]) == ([], [], [])
    # today 2 × $32.85 + 3 × 2 × 730 × $0.01 = $109.50; without the NAT gateways $43.80
    assert (nat["today_monthly"], nat["nat_free_monthly"], nat["saving_monthly"]) == (
        "109.50",
        "43.80",
        "65.70",
    )


def test_nat_still_needed_by_one_service_until_its_endpoint_exists() -> None:
    nat = vpc_of(cost(NAT_S3))["nat_removal"]
    assert nat["ready"] == "after_endpoints"
    assert nat["dependents"] == [
        {"workload": "aws_ecs_service.app", "service": "s3", "nat_gateways": ["aws_nat_gateway.main"]}
    ]
    assert [
        (e["service"], e["kind"], e["existing"], e["added_fixed_monthly"]) for e in nat["endpoints_needed"]
    ] == [("s3", "gateway_endpoint", None, "0.00")]
    assert (nat["today_monthly"], nat["nat_free_monthly"], nat["saving_monthly"]) == (
        "120.45",
        "87.60",
        "32.85",
    )
    assert any("aws_lambda_function.worker" in note for note in nat["notes"])  # needs nothing tfcheck knows


def test_declared_internet_destination_keeps_the_nat() -> None:
    config = {"internet_destinations": {"aws_ecs_service.*": ["api.stripe.com", "github.com"]}}
    nat = vpc_of(cost(NAT_IDLE, config=config))["nat_removal"]
    assert nat["ready"] == "no"
    assert nat["internet"] == [
        {"workload": "aws_ecs_service.app", "destinations": ["api.stripe.com", "github.com"]}
    ]
    assert "api.stripe.com, github.com" in nat["reasons"][0] and "internet" in nat["reasons"][0]


def test_config_needs_add_a_dependent_service() -> None:
    nat = vpc_of(cost(NAT_IDLE, config={"needs": {"aws_ecs_service.app": ["sts"]}}))["nat_removal"]
    assert nat["ready"] == "after_endpoints"
    assert [(d["service"], d["nat_gateways"]) for d in nat["dependents"]] == [
        ("sts", ["aws_nat_gateway.az[0]", "aws_nat_gateway.az[1]"])
    ]
    assert nat["endpoints_needed"][0]["azs"] == ["us-east-1a", "us-east-1b"]
    assert nat["nat_free_monthly"] == "58.40"  # 109.50 − 65.70 + 2 × 730 × $0.01


def test_loaded_config_object_is_accepted() -> None:
    from tfcheck.config import from_dict

    nat = vpc_of(cost_report([NAT_IDLE], None, None, from_dict({"needs": {"aws_ecs_service.*": ["sts"]}})))
    assert nat["nat_removal"]["ready"] == "after_endpoints"


def test_nat_traffic_not_attributed_to_a_service_is_named() -> None:
    nat = vpc_of(cost(NAT_S3, "infracost-nat-1000.yml"))["nat_removal"]
    assert any("1,000 GB/month of its traffic is not attributed" in note for note in nat["notes"])
    assert (nat["today_monthly"], nat["nat_free_monthly"]) == ("165.45", "87.60")


def test_two_plans_add_up_and_only_update_plans_have_a_delta() -> None:
    doc = cost_report([UPDATE, SEOUL], None, None, from_dict({}))
    assert [p["total_monthly"] for p in doc["plans"]] == ["43.80", "81.03"]
    assert doc["totals"]["total_monthly"] == "124.83"
    assert (doc["totals"]["before_monthly"], doc["totals"]["delta_monthly"]) == ("47.45", "-3.65")
    assert doc["plans"][1]["delta_monthly"] is None
    assert sorted(doc["prices"]) == ["ap-northeast-2", "us-east-1"]


def _decimal_strings(node: Any, key: str = "") -> list[tuple[str, Any]]:
    if isinstance(node, dict):
        return [pair for k, v in node.items() for pair in _decimal_strings(v, k)]
    if isinstance(node, list):
        return [pair for v in node for pair in _decimal_strings(v, key)]
    return [(key, node)]


def test_document_is_plain_json_with_money_as_cent_strings() -> None:
    doc = cost(NAT_S3, "service-traffic.yml")
    assert json.loads(json.dumps(doc)) == doc
    assert doc == cost(NAT_S3, "service-traffic.yml")  # deterministic
    assert doc["version"] == 1 and doc["hours_per_month"] == 730 and doc["currency"] == "USD"
    money = [v for k, v in _decimal_strings(doc) if k.endswith("monthly")]
    assert money and all(v is None or re.fullmatch(r"-?\d+\.\d\d", v) for v in money)
    assert set(vpc_of(doc)) >= {
        "address",
        "region",
        "lines",
        "fixed_monthly",
        "traffic_monthly",
        "total_monthly",
        "before_monthly",
        "delta_monthly",
        "services",
        "nat_removal",
        "notes",
    }


def test_endpoints_whose_vpc_is_not_in_the_plan_are_still_billed() -> None:
    from tests.conftest import endpoint, graph

    g = graph(endpoints=[endpoint(vpc=None, unknown={"vpc": "not in plan: vpc-123"})])
    vpcs = analyze(g, "plan.json", load_prices(None), Usage(), [], full=True)
    assert [(v["address"], v["fixed_monthly"]) for v in vpcs] == [("(VPC not in plan)", Decimal("14.60"))]


@pytest.mark.parametrize(
    ("plans", "usage", "config"),
    [
        ([NAT_S3], "service-traffic.yml", None),
        ([NAT_S3], "tiers.yml", None),
        ([UPDATE, SEOUL], None, None),
        ([NAT_IDLE], "infracost-nat-1000.yml", {"internet_destinations": {"*": ["example.com"]}}),
    ],
)
def test_documents_follow_the_published_schema(
    plans: list[str], usage: str | None, config: dict[str, Any] | None
) -> None:
    import jsonschema

    from tfcheck.cost.schema import SCHEMA

    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    doc = cost_report(plans, str(USAGE / usage) if usage else None, None, from_dict(config or {}))
    jsonschema.Draft202012Validator(SCHEMA).validate(doc)


def test_partly_associated_gateway_endpoint_splits_traffic_by_subnet(tmp_path: Path) -> None:
    from tests.conftest import endpoint, graph, workload
    from tfcheck.cost.usage import load_usage

    def subnet(i: int, table: str) -> dict[str, Any]:
        return {
            "address": f"aws_subnet.private[{i}]",
            "vpc": "aws_vpc.main",
            "az": f"us-east-1{'ab'[i]}",
            "route_table": table,
            "egress": "nat",
            "egress_target": "aws_nat_gateway.main",
            "private": True,
            "workloads": ["aws_ecs_service.app"],
            "unknown": {},
        }

    g = graph(
        vpcs=[
            {"address": "aws_vpc.main", "region": "us-east-1", "workload_azs": ["us-east-1a", "us-east-1b"]}
        ],
        subnets=[subnet(0, "aws_route_table.a"), subnet(1, "aws_route_table.b")],
        nat_gateways=[{"address": "aws_nat_gateway.main", "vpc": "aws_vpc.main", "unknown": {}}],
        endpoints=[
            endpoint(
                address="aws_vpc_endpoint.s3",
                service="s3",
                type="Gateway",
                subnets=[],
                azs=[],
                route_tables=["aws_route_table.a"],
            )
        ],
        workloads=[
            workload(
                needs=["s3"],
                need_reasons={},
                subnets=["aws_subnet.private[0]", "aws_subnet.private[1]"],
                azs=["us-east-1a", "us-east-1b"],
            )
        ],
    )
    usage_file = tmp_path / "usage.yml"
    usage_file.write_text(
        "version: 0.1\nservice_traffic:\n  workloads:\n    aws_ecs_service.app: {s3: 300}\n"
    )

    vpc = analyze(g, "plan.json", load_prices(None), load_usage(str(usage_file)), [], full=True)[0]
    nat = next(item for item in vpc["lines"] if item["resource"] == "aws_nat_gateway.main")
    assert nat["gb"] == Decimal(150)  # one of the two subnets still routes S3 to the NAT
    s3 = vpc["services"][0]
    assert [p["via"] for p in s3["now"]["paths"]] == ["gateway_endpoint", "nat"]
    assert s3["recommendation"]["action"] == "associate_gateway_endpoint"
    assert s3["recommendation"]["saving_monthly"] == Decimal("6.75")  # 150 GB × $0.045
    assert vpc["nat_removal"]["ready"] == "after_endpoints"
