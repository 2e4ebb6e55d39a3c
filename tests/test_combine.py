"""combine: a plan's instances with what only the source knows filled in; known plan values
win; where the source is found; the plan's root variables and data sources."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tfcheck.hcl.module import NOT_INSTALLED
from tfcheck.load.combine import combine, data_sources, find_source, root_variables
from tfcheck.model import Instance, Inventory, Ref, Unknown, resource_type


def inventory(
    *instances: Instance, kind: str = "plan", region: str | None = "us-east-1", notes: tuple[str, ...] = ()
) -> Inventory:
    return Inventory(instances, region, "x", kind, notes)


def instance(address: str, values: dict[str, Any], region: str | None = None, module: str = "") -> Instance:
    return Instance(address, resource_type(address), module, None, values, region)


def combined(planned: dict[str, Any], source: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    result, notes = combine(
        inventory(instance("aws_x.a", planned)), inventory(instance("aws_x.a", source), kind="hcl")
    )
    return dict(result.instances[0].values), notes


def test_unknown_planned_values_come_from_the_source() -> None:
    values, notes = combined(
        {"vpc_id": Unknown("local"), "cidr_block": "10.0.0.0/16"},
        {"vpc_id": Ref("aws_vpc.main", "id", "source"), "cidr_block": "10.0.0.0/16"},
    )
    assert values == {"vpc_id": Ref("aws_vpc.main", "id", "source"), "cidr_block": "10.0.0.0/16"}
    assert notes == []


def test_source_references_are_tagged_as_found_by_the_source() -> None:
    values, _ = combined(
        {"subnet_ids": Unknown("local")}, {"subnet_ids": [Ref("aws_subnet.a", "id", "reference")]}
    )
    assert values["subnet_ids"] == [Ref("aws_subnet.a", "id", "source")]


def test_null_in_the_source_means_the_provider_default() -> None:
    # try(each.value.private_dns_enabled, null): the source leaves the argument out.
    values, _ = combined({"private_dns_enabled": Unknown("each.value not resolvable"), "x": 1}, {"x": 1})
    assert values == {"x": 1}


def test_an_instance_the_source_evaluated_nothing_of_drops_only_its_unknowns() -> None:
    """Every argument null in the source (`try(each.value.x, null)` throughout): the plan's
    known values stay as planned, its unknown ones take the provider default."""
    known = {"cidr_block": "10.0.0.0/16", "tags": {"Name": "a"}}
    values, _ = combined({**known, "private_dns_enabled": Unknown("each.value not resolvable")}, {})
    assert values == known
    planned = {**known, "vpc_id": Ref("aws_vpc.main", "id", "reference")}
    result, _ = combine(
        inventory(instance("aws_x.a", planned)), inventory(instance("aws_x.a", {}), kind="hcl")
    )
    assert result.instances[0].values == planned


def test_configured_value_where_the_plan_is_unknown() -> None:
    values, _ = combined({"subnet_ids": Unknown("unknown until apply")}, {"subnet_ids": []})
    assert values["subnet_ids"] == []


def test_nested_blocks_are_filled_leaf_by_leaf() -> None:
    planned = {"network_configuration": [{"assign_public_ip": False, "subnets": Unknown("dynamic block")}]}
    source = {"network_configuration": [{"assign_public_ip": False, "subnets": [Ref("aws_subnet.a")]}]}
    values, _ = combined(planned, source)
    assert values["network_configuration"] == [
        {"assign_public_ip": False, "subnets": [Ref("aws_subnet.a", "id", "source")]}
    ]


def test_known_plan_values_win_and_disagreements_are_noted() -> None:
    values, notes = combined({"cidr_block": "10.0.0.0/16"}, {"cidr_block": "10.1.0.0/16"})
    assert values["cidr_block"] == "10.0.0.0/16"
    assert notes == [
        "aws_x.a.cidr_block: plan has '10.0.0.0/16', source evaluates to '10.1.0.0/16'; using the plan"
    ]


@pytest.mark.parametrize(
    ("planned", "source"),
    [
        ("256", 256),  # cpu = 256 in HCL, a string attribute in the provider
        ("true", True),
        (1.0, 1),
        ('{"Version":"2012-10-17","Statement":[]}', '{\n  "Version": "2012-10-17",\n  "Statement": []\n}'),
    ],
)
def test_what_terraform_converts_is_no_disagreement(planned: Any, source: Any) -> None:
    values, notes = combined({"v": planned}, {"v": source})
    assert values["v"] == planned and notes == []


def test_set_blocks_pair_by_content_not_position() -> None:
    # A network ACL's ingress is a set: the provider orders it, not the configuration.
    planned = {
        "ingress": [
            {"rule_no": 101, "ipv6_cidr_block": "::/0", "cidr_block": ""},
            {"rule_no": 100, "cidr_block": "0.0.0.0/0", "ipv6_cidr_block": ""},
        ]
    }
    source = {
        "ingress": [
            {"rule_no": "100", "cidr_block": "0.0.0.0/0"},
            {"rule_no": "101", "ipv6_cidr_block": "::/0"},
        ]
    }
    values, notes = combined(planned, source)
    assert values == planned and notes == []


def test_lists_of_different_length_keep_the_plan() -> None:
    values, _ = combined({"ids": ["a", Unknown("x")]}, {"ids": ["a", "b", "c"]})
    assert values["ids"] == ["a", Unknown("x")]


def test_instances_are_the_plans() -> None:
    plan = inventory(
        instance("aws_x.a", {"v": Unknown("local")}, region="eu-west-1"), instance("aws_x.b", {"v": 1})
    )
    source = inventory(
        Instance("aws_x.a", "aws_x", "", None, {"v": 2}, "us-east-1", "main.tf", 3),
        instance("aws_x.only_in_source", {"v": 3}),
        kind="hcl",
        notes=("n",),
    )
    result, notes = combine(plan, source)
    assert [i.address for i in result.instances] == ["aws_x.a", "aws_x.b"]
    first = result.instances[0]
    assert (first.values, first.region, first.file, first.line) == ({"v": 2}, "eu-west-1", "main.tf", 3)
    assert result.kind == "plan+source" and result.notes == ("n",) and notes == []


def test_modules_the_source_cannot_read_name_the_fix() -> None:
    plan = inventory(
        instance(
            "module.vpc.aws_subnet.a[0]",
            {"vpc_id": Unknown("local"), "id": Unknown("unknown until apply")},
            module="module.vpc",
        ),
        instance("module.vpcx.aws_subnet.b", {"vpc_id": Unknown("local")}, module="module.vpcx"),
    )
    note = f"main.tf:3: module.vpc: {NOT_INSTALLED}; its resources are left out"
    result, _ = combine(plan, inventory(kind="hcl", notes=(note,)))
    values = {i.address: i.values for i in result.instances}
    assert values["module.vpc.aws_subnet.a[0]"] == {
        "vpc_id": Unknown(NOT_INSTALLED),
        "id": Unknown("unknown until apply"),
    }
    assert values["module.vpcx.aws_subnet.b"] == {"vpc_id": Unknown("local")}


def test_root_variables() -> None:
    data = {"variables": {"region": {"value": "eu-west-1"}, "n": {"value": 2}, "bad": "x"}}
    assert root_variables(data) == {"region": "eu-west-1", "n": 2}
    assert root_variables({}) == {} and root_variables({"variables": []}) == {}


def test_data_sources_read_by_the_plan() -> None:
    data = {
        "prior_state": {
            "values": {
                "root_module": {
                    "resources": [
                        {
                            "address": "data.aws_region.current",
                            "mode": "data",
                            "type": "aws_region",
                            "name": "current",
                            "values": {"name": "eu-west-1"},
                        },
                        {"address": "aws_vpc.main", "mode": "managed", "values": {"id": "vpc-1"}},
                    ],
                    "child_modules": [
                        {
                            "address": "module.net",
                            "resources": [
                                {
                                    "address": "module.net.data.aws_availability_zones.all[0]",
                                    "mode": "data",
                                    "index": 0,
                                    "values": {"names": ["a"]},
                                },
                                {
                                    "address": 'module.net.data.aws_subnet.by["x"]',
                                    "mode": "data",
                                    "index": "x",
                                    "values": {"id": "subnet-1"},
                                },
                            ],
                        }
                    ],
                }
            }
        }
    }
    assert data_sources(data) == {
        "data.aws_region.current": {None: {"name": "eu-west-1"}},
        "module.net.data.aws_availability_zones.all": {0: {"names": ["a"]}},
        "module.net.data.aws_subnet.by": {"x": {"id": "subnet-1"}},
    }
    assert data_sources({}) == {} and data_sources({"prior_state": {"values": None}}) == {}


PLAN = inventory(
    instance("aws_vpc.main", {}),
    instance('module.net["a"].aws_subnet.x[0]', {}, module='module.net["a"]'),
)


def write(directory: Path, text: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "main.tf").write_text(text)
    return directory


def test_find_source_beside_the_plan_then_in_the_current_directory(tmp_path: Path) -> None:
    stack = 'resource "aws_vpc" "main" {}\nmodule "net" {\n  source = "./net"\n}\n'
    beside = write(tmp_path / "beside", stack)
    cwd = write(tmp_path / "cwd", stack)
    assert find_source(str(beside / "plan.json"), PLAN, None, str(cwd)) == str(beside)
    assert find_source(str(tmp_path / "plan.json"), PLAN, None, str(cwd)) == str(cwd)
    assert find_source("<stdin>", PLAN, None, str(cwd)) == str(cwd)
    assert find_source(str(beside / "plan.json"), PLAN, "given", str(cwd)) == "given"


def test_find_source_needs_every_declaration(tmp_path: Path) -> None:
    partial = write(tmp_path / "partial", 'resource "aws_vpc" "main" {}\n')
    assert find_source(str(partial / "plan.json"), PLAN, None, str(tmp_path)) is None
    assert find_source(str(partial / "plan.json"), inventory(), None, str(partial)) is None


def test_find_source_reads_bare_labels_and_ignores_comments(tmp_path: Path) -> None:
    bare = write(tmp_path / "bare", 'resource aws_vpc main {\n}\nmodule net {\n  source = "./n"\n}\n')
    assert find_source(str(bare / "plan.json"), PLAN, None, str(tmp_path)) == str(bare)
    commented = write(tmp_path / "commented", '# resource "aws_vpc" "main" {}\n# module "net" {\nlocals {}\n')
    assert find_source(str(commented / "plan.json"), PLAN, None, str(tmp_path)) is None
