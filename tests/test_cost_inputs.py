"""The cost stage's inputs: the price table, --prices overrides, usage files, and their errors."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import jsonschema
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tfcheck.config import Config
from tfcheck.cost.prices import BUILTIN, SCHEMA, load_prices
from tfcheck.cost.usage import Matcher, load_usage
from tfcheck.errors import InputError
from tfcheck.run import cost_report

REPO = Path(__file__).resolve().parent.parent
COST = REPO / "fixtures" / "cost"
UNPRICED = str(COST / "unpriced_region" / "plan.json")  # ca-central-1
NAT_S3 = str(COST / "nat_s3_via_nat" / "plan.json")
# Only Regions whose figures a source gave (see prices.json notes); the rest are not priced.
REGIONS = ["ap-northeast-2", "us-east-1"]
CA = """regions:
  ca-central-1:
    nat_gateway: {hourly: 0.05, per_gb: "0.05", as_of: "2026-11-25", source: "https://aws.amazon.com/vpc/pricing/"}
    interface_endpoint:
      hourly_per_az: "0.011"
      per_gb_tiers: [{up_to_gb: 1048576, per_gb: "0.01"}, {up_to_gb: null, per_gb: "0.006"}]
"""


def test_builtin_table_follows_its_schema_and_names_date_and_source() -> None:
    doc = json.loads(BUILTIN.read_text())
    jsonschema.Draft202012Validator(json.loads(SCHEMA.read_text())).validate(doc)
    assert sorted(doc["regions"]) == REGIONS and doc["hours_per_month"] == 730
    for entry in doc["regions"].values():
        assert entry["nat_gateway"]["source"] == "https://aws.amazon.com/vpc/pricing/"
        assert entry["interface_endpoint"]["source"] == "https://aws.amazon.com/privatelink/pricing/"
        for part in ("nat_gateway", "interface_endpoint", "gateway_endpoint"):
            assert entry[part]["as_of"] and entry[part]["retrieved"] and entry[part]["note"]
        assert (entry["gateway_endpoint"]["hourly"], entry["gateway_endpoint"]["per_gb"]) == ("0", "0")


def test_spec_figures_for_us_east_1_and_seoul() -> None:
    table = load_prices(None)
    virginia, seoul = table.regions["us-east-1"], table.regions["ap-northeast-2"]
    assert (virginia.nat_hourly, virginia.nat_per_gb, virginia.vpce_hourly) == (
        Decimal("0.045"),
        Decimal("0.045"),
        Decimal("0.01"),
    )
    assert (seoul.nat_hourly, seoul.nat_per_gb, seoul.vpce_hourly) == (
        Decimal("0.059"),
        Decimal("0.059"),
        Decimal("0.013"),
    )
    assert [(t.up_to_gb, t.per_gb) for t in virginia.tiers] == [
        (Decimal(1048576), Decimal("0.01")),
        (Decimal(5242880), Decimal("0.006")),
        (None, Decimal("0.004")),
    ]
    assert table.hours == 730


@pytest.mark.parametrize(
    ("gb", "dollars"),
    [
        (0, "0"),
        (1000, "10.00"),
        (1048576, "10485.76"),  # exactly 1 PB at $0.01
        (2000000, "16194.304"),  # 10,485.76 + 951,424 × 0.006
        (5242880, "35651.584"),  # 10,485.76 + 4 PB × 0.006 (25,165.824)
        (6000000, "38680.064"),  # ... + 757,120 × 0.004 (3,028.48)
    ],
)
def test_tiered_interface_endpoint_data_above_1_pb(gb: int, dollars: str) -> None:
    assert load_prices(None).regions["us-east-1"].tiered(Decimal(gb)) == Decimal(dollars)


@given(st.integers(0, 10**7), st.integers(0, 10**7))
def test_tiers_add_up_and_never_fall(base: int, more: int) -> None:
    prices = load_prices(None).regions["us-east-1"]
    a, b = Decimal(base), Decimal(more)
    assert prices.tiered(a) + prices.added(a, b) == prices.tiered(a + b)
    assert prices.added(a, b) >= 0
    assert prices.added(a, b) <= b * Decimal("0.01")


def test_unpriced_region_is_reported_not_refused() -> None:
    doc = cost_report(
        [UNPRICED], None, None, Config()
    )  # no InputError: a Region without prices is no input error
    vpc = doc["plans"][0]["vpcs"][0]
    assert (vpc["region"], vpc["priced"]) == ("ca-central-1", False)
    assert "Region ca-central-1 has no price" in vpc["unpriced_reason"]
    assert "--prices FILE" in vpc["unpriced_reason"] and "us-east-1" in vpc["unpriced_reason"]
    assert (vpc["fixed_monthly"], vpc["total_monthly"], vpc["partial"]) == (None, None, True)
    nat = next(line for line in vpc["lines"] if line["kind"] == "nat_gateway")
    assert (nat["hourly"], nat["fixed_monthly"], nat["monthly"]) == (None, None, None)  # never "0.00"
    assert [i["resource"] for i in vpc["not_priced"]] == ["aws_nat_gateway.main"]
    assert (doc["totals"]["total_monthly"], doc["totals"]["partial"]) == (None, True)
    assert doc["prices"] == {}


def test_prices_file_adds_a_region(tmp_path: Path) -> None:
    prices = tmp_path / "prices.yml"
    prices.write_text(CA)
    doc = cost_report([UNPRICED], None, str(prices), Config())
    vpc = doc["plans"][0]["vpcs"][0]
    assert vpc["lines"][0]["monthly"] == "36.50"  # 730 × $0.05
    assert doc["prices"]["ca-central-1"]["origin"] == str(prices)
    assert doc["prices_file"] == str(prices)


def test_prices_file_overrides_a_builtin_region(tmp_path: Path) -> None:
    prices = tmp_path / "prices.json"
    prices.write_text(
        json.dumps(
            {
                "version": 1,
                "regions": {
                    "us-east-1": {
                        "nat_gateway": {"hourly": "0.05", "per_gb": "0.05"},
                        "interface_endpoint": {
                            "hourly_per_az": "0.02",
                            "per_gb_tiers": [{"up_to_gb": None, "per_gb": "0.01"}],
                        },
                    }
                },
            }
        )
    )
    vpc = cost_report([NAT_S3], None, str(prices), Config())["plans"][0]["vpcs"][0]
    assert [item["monthly"] for item in vpc["lines"]] == ["36.50", "43.80", "43.80", "43.80", "43.80"]


BAD_USAGE = [
    ("not-yaml.yml", "version: 0.1\nresource_usage: [\n", "not valid YAML at line 3"),
    ("empty.yml", "", "is empty"),
    ("list.yml", "- 1\n", "[1] is not of type 'object'"),
    ("version.yml", "version: 0.2\n", "$.version (line 1): 0.2 is not one of"),
    ("no-version.yml", "resource_usage: {}\n", "'version' is a required property"),
    (
        "gb-text.yml",
        "version: 0.1\nresource_usage:\n  aws_nat_gateway.main:\n    monthly_data_processed_gb: lots\n",
        "$.resource_usage.aws_nat_gateway.main.monthly_data_processed_gb (line 4): 'lots' does not match",
    ),
    (
        "negative.yml",
        "version: 0.1\nservice_traffic:\n  workloads:\n    aws_ecs_service.app: {s3: -5}\n",
        "-5 is less than the minimum of 0",
    ),
    (
        "typo.yml",
        "version: 0.1\nservice_traffic:\n  workload:\n    x: {s3: 1}\n",
        "('workload' was unexpected)",
    ),
    (
        "service-name.yml",
        "version: 0.1\nservice_traffic:\n  vpcs:\n    aws_vpc.main: {S3: 1}\n",
        "'S3' does not match",
    ),
]


@pytest.mark.parametrize(("name", "text", "problem"), BAD_USAGE, ids=[b[0] for b in BAD_USAGE])
def test_bad_usage_file_names_file_and_problem(tmp_path: Path, name: str, text: str, problem: str) -> None:
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(InputError) as err:
        cost_report([NAT_S3], str(path), None, Config())
    assert err.value.path == str(path)
    assert problem in err.value.message


BAD_PRICES = [
    (
        "missing-part.yml",
        "regions:\n  ca-central-1:\n    nat_gateway: {hourly: 0.05, per_gb: 0.05}\n",
        "$.regions.ca-central-1 (line 3): 'interface_endpoint' is a required property",
    ),
    (
        "negative.yml",
        CA.replace("hourly: 0.05", 'hourly: "-0.05"'),
        "$.regions.ca-central-1.nat_gateway.hourly",
    ),
    ("region-name.yml", CA.replace("ca-central-1", "Canada"), "'Canada' does not match"),
    (
        "tiers.yml",
        CA.replace('{up_to_gb: null, per_gb: "0.006"}', '{up_to_gb: 10, per_gb: "0.006"}'),
        "tiers must rise",
    ),
    ("not-yaml.yml", "regions: {\n", "not valid YAML"),
    ("unknown-key.yml", CA + "    lambda: {}\n", "('lambda' was unexpected)"),
]


@pytest.mark.parametrize(("name", "text", "problem"), BAD_PRICES, ids=[b[0] for b in BAD_PRICES])
def test_bad_prices_file_names_file_and_problem(tmp_path: Path, name: str, text: str, problem: str) -> None:
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(InputError) as err:
        cost_report([NAT_S3], None, str(path), Config())
    assert err.value.path == str(path)
    assert problem in err.value.message


def test_missing_files_are_input_errors(tmp_path: Path) -> None:
    for usage, prices in ((str(tmp_path / "none.yml"), None), (None, str(tmp_path / "none.json"))):
        with pytest.raises(InputError, match="no such"):
            cost_report([NAT_S3], usage, prices, Config())


def test_address_globs_follow_infracost() -> None:
    matcher = Matcher.build(
        {
            'aws_vpc_endpoint.interface["logs"]': "exact",
            "aws_vpc_endpoint.interface[*]": "index",
            "module.*.aws_nat_gateway.this[*]": "module",
            "aws_subnet.private[0]": "literal",
            "aws_vpc_endpoint.*": "any",
        }
    )
    assert matcher.get('aws_vpc_endpoint.interface["logs"]') == "exact"
    assert matcher.get('aws_vpc_endpoint.interface["sts"]') == "index"
    assert matcher.get("aws_vpc_endpoint.s3") == "any"
    assert matcher.get('module.stack["a"].aws_nat_gateway.this[0]') == "module"
    assert matcher.get('module.x.aws_vpc_endpoint.interface["sts"]') is None
    assert matcher.get("aws_subnet.private[0]") == "literal" and matcher.get("aws_subnet.private[1]") is None


def test_usage_file_forms(tmp_path: Path) -> None:
    path = tmp_path / "usage.json"
    path.write_text(
        json.dumps(
            {
                "version": "0.1",
                "resource_type_default_usage": {
                    "aws_nat_gateway": {"monthly_data_processed_gb": 100},
                    "aws_lambda_function": {"monthly_requests": 5},
                },
                "resource_usage": {"aws_vpc_endpoint.s3": None},
                "service_traffic": {"workloads": {"aws_ecs_*": {"s3": 2.5}}},
            }
        )
    )
    usage = load_usage(str(path))
    assert usage.resource_gb("aws_nat_gateway.main", "aws_nat_gateway") == Decimal(100)
    assert usage.resource_gb("aws_vpc_endpoint.s3", "aws_vpc_endpoint") is None
    assert usage.workload_traffic("aws_ecs_service.app") == {"s3": Decimal("2.5")}
    vpc = cost_report([NAT_S3], str(path), None, Config())["plans"][0]["vpcs"][0]
    assert vpc["lines"][0]["monthly"] == "37.35"  # 730 × 0.045 + 100 × 0.045


def test_quoted_numbers_in_usage_files_mean_the_same(tmp_path: Path) -> None:
    from tfcheck.cost.usage import load_usage

    quoted = tmp_path / "quoted.yml"
    quoted.write_text(
        'version: "0.1"\nresource_usage:\n  aws_nat_gateway.main:\n    monthly_data_processed_gb: "1000"\n'
        'service_traffic:\n  workloads:\n    "aws_ecs_service.*": {ecr.dkr: " 12.5 "}\n'
    )
    plain = tmp_path / "plain.yml"
    plain.write_text(
        "version: 0.1\nresource_usage:\n  aws_nat_gateway.main:\n    monthly_data_processed_gb: 1000\n"
        'service_traffic:\n  workloads:\n    "aws_ecs_service.*": {ecr.dkr: 12.5}\n'
    )
    a, b = load_usage(str(quoted)), load_usage(str(plain))
    assert (
        a.resource_gb("aws_nat_gateway.main", "aws_nat_gateway")
        == b.resource_gb("aws_nat_gateway.main", "aws_nat_gateway")
        == 1000
    )
    assert a.workload_traffic("aws_ecs_service.app") == b.workload_traffic("aws_ecs_service.app")


@pytest.mark.parametrize("bad", ['"lots"', '"-5"', '"1e3"', '""'])
def test_a_quoted_value_must_still_be_a_number(tmp_path: Path, bad: str) -> None:
    from tfcheck.cost.usage import load_usage
    from tfcheck.errors import InputError

    path = tmp_path / "usage.yml"
    path.write_text(
        f"version: 0.1\nresource_usage:\n  aws_nat_gateway.main:\n    monthly_data_processed_gb: {bad}\n"
    )
    with pytest.raises(InputError, match="monthly_data_processed_gb"):
        load_usage(str(path))
