"""Offline data sources in HCL mode: aws_region, aws_partition and aws_default_tags read as
Terraform reads them (from the provider configuration), every other one unknown with why."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest

from tfcheck.hcl.data import offline_data, partition_of
from tfcheck.hcl.source import load_source
from tfcheck.model import Unknown


def values(tmp_path: Path, text: str, files: dict[str, str] | None = None) -> dict[str, Any]:
    (tmp_path / "main.tf").write_text(textwrap.dedent(text), encoding="utf-8")
    for name, body in (files or {}).items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(body), encoding="utf-8")
    inventory = load_source(str(tmp_path), env={})
    return {i.address: i.values for i in inventory.instances}


def test_region_partition_and_default_tags_of_the_provider(tmp_path: Path) -> None:
    found = values(
        tmp_path,
        """
        provider "aws" {
          region = "cn-north-1"
          default_tags {
            tags = { Team = "payments" }
          }
        }
        data "aws_region" "current" {}
        data "aws_partition" "current" {}
        data "aws_default_tags" "current" {}
        resource "aws_subnet" "a" {
          vpc_id            = "vpc-0123"
          availability_zone = "${data.aws_region.current.name}a"
          tags = {
            Id        = data.aws_region.current.id
            Partition = data.aws_partition.current.partition
            Suffix    = data.aws_partition.current.dns_suffix
            Team      = data.aws_default_tags.current.tags["Team"]
            About     = data.aws_region.current.description
          }
        }
    """,
    )
    subnet = found["aws_subnet.a"]
    assert subnet["availability_zone"] == "cn-north-1a"
    tags = subnet["tags"]
    assert (tags["Id"], tags["Partition"], tags["Suffix"], tags["Team"]) == (
        "cn-north-1",
        "aws-cn",
        "amazonaws.com.cn",
        "payments",
    )
    # Only AWS knows a Region's description: unknown, and the reason says so.
    assert isinstance(tags["About"], Unknown) and "read from AWS" in tags["About"].reason


def test_aliased_provider_named_region_and_module_inheritance(tmp_path: Path) -> None:
    found = values(
        tmp_path,
        """
        provider "aws" {
          region = "us-east-1"
        }
        provider "aws" {
          alias  = "west"
          region = "us-west-2"
        }
        data "aws_region" "west" {
          provider = aws.west
        }
        data "aws_region" "named" {
          name = "eu-west-3"
        }
        resource "aws_subnet" "a" {
          vpc_id            = "vpc-0123"
          availability_zone = "${data.aws_region.west.name}b"
          tags              = { Named = data.aws_region.named.name }
        }
        module "child" {
          source    = "./child"
          providers = { aws = aws.west }
        }
    """,
        {
            "child/main.tf": """
        data "aws_region" "here" {}
        resource "aws_subnet" "c" {
          vpc_id            = "vpc-0123"
          availability_zone = "${data.aws_region.here.name}c"
        }
    """
        },
    )
    assert found["aws_subnet.a"]["availability_zone"] == "us-west-2b"
    assert found["aws_subnet.a"]["tags"] == {"Named": "eu-west-3"}
    assert found["module.child.aws_subnet.c"]["availability_zone"] == "us-west-2c"


def test_other_data_sources_stay_unknown_with_their_reason(tmp_path: Path) -> None:
    found = values(
        tmp_path,
        """
        provider "aws" {}
        data "aws_region" "current" {}
        data "aws_availability_zones" "all" {}
        resource "aws_subnet" "a" {
          vpc_id            = "vpc-0123"
          availability_zone = data.aws_availability_zones.all.names[0]
          tags              = { Region = data.aws_region.current.name }
        }
    """,
    )
    subnet = found["aws_subnet.a"]
    assert isinstance(subnet["availability_zone"], Unknown)
    assert subnet["availability_zone"].reason == "data source"
    # No region in the provider block and none in the environment: unknown, not a guess.
    region = subnet["tags"]["Region"]
    assert isinstance(region, Unknown) and "Region is not set" in region.reason


@pytest.mark.parametrize(
    ("region", "partition", "suffix"),
    [
        ("us-east-1", "aws", "amazonaws.com"),
        ("us-gov-west-1", "aws-us-gov", "amazonaws.com"),
        ("cn-northwest-1", "aws-cn", "amazonaws.com.cn"),
        ("us-iso-east-1", "aws-iso", "c2s.ic.gov"),
        ("us-isob-east-1", "aws-iso-b", "sc2s.sgov.gov"),
    ],
)
def test_partitions(region: str, partition: str, suffix: str) -> None:
    assert partition_of(region)[:2] == (partition, suffix)


def test_offline_data_names_why_not() -> None:
    assert offline_data(
        "terraform_remote_state", "data.terraform_remote_state.x", "us-east-1", None, None
    ) == Unknown("remote state")
    assert offline_data(
        "aws_caller_identity", "data.aws_caller_identity.x", "us-east-1", None, None
    ) == Unknown("data source")
    assert offline_data(
        "aws_region", "data.aws_region.x", Unknown("variable region has no value"), None, None
    ) == Unknown("variable region has no value")
