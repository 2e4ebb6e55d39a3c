"""Regression tests for crashes and blow-ups found by fuzzing the plan → graph layer.

Small hand-made plan dicts on purpose: these are bad-input tests, shapes Terraform never
writes. Each one once raised (or hung) inside build_inventory/build_graph; now it must give
a graph that is plain JSON and follows graph.schema.json, or an InputError.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import jsonschema
import pytest

import tfcheck
from tfcheck.errors import InputError
from tfcheck.graph.build import build_graph
from tfcheck.load.inventory import build_inventory
from tfcheck.load.plan import parse_plan

SCHEMA = json.loads((Path(tfcheck.__file__).parent / "graph" / "schema.json").read_text(encoding="utf-8"))
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)


def change(
    address: str,
    after: dict[str, Any],
    unknown: dict[str, Any] | None = None,
    actions: Any = ("create",),
    module: str = "",
    **extra: Any,
) -> dict[str, Any]:
    rtype, name = address[len(module) + 1 if module else 0 :].split(".")[:2]
    rc = {
        "address": address,
        "mode": "managed",
        "type": rtype,
        "name": name.split("[")[0],
        "change": {
            "actions": list(actions) if isinstance(actions, tuple) else actions,
            "after": after,
            "after_unknown": unknown or {},
        },
        **extra,
    }
    if module:
        rc["module_address"] = module
    return rc


def plan(*changes: dict[str, Any], configuration: Any = None, **extra: Any) -> bytes:
    doc = {
        "format_version": "1.2",
        "resource_changes": list(changes),
        "configuration": configuration if configuration is not None else {"root_module": {}},
        **extra,
    }
    return json.dumps(doc).encode()


def config(resources: dict[str, dict[str, Any]], **module: Any) -> dict[str, Any]:
    """A root_module whose resources carry these expressions ({address: {attr: expr}})."""
    listed = [
        {"address": a, "mode": "managed", "type": a.split(".")[0], "name": a.split(".")[1], "expressions": e}
        for a, e in resources.items()
    ]
    return {"root_module": {"resources": listed, **module}}


def graph_of(raw: bytes) -> dict[str, Any]:
    """The graph as JSON would carry it, checked against the public schema."""
    data = json.loads(json.dumps(build_graph(build_inventory(parse_plan("bad.json", raw))).document()))
    VALIDATOR.validate(data)
    return data


def item(graph: dict[str, Any], collection: str, address: str) -> dict[str, Any]:
    return next(i for i in graph[collection] if i["address"] == address)


VPC = change("aws_vpc.main", {"id": "vpc-1", "cidr_block": "10.0.0.0/16"})
SUBNET = change(
    "aws_subnet.a",
    {"id": "subnet-1", "vpc_id": "vpc-1", "availability_zone": "us-east-1a", "cidr_block": "10.0.1.0/24"},
)
SG = change("aws_security_group.sg", {"id": "sg-1", "vpc_id": "vpc-1"})
TABLE = change("aws_route_table.rt", {"id": "rtb-1", "vpc_id": "vpc-1"})


# --- type confusion in the plan document (was TypeError in plan_inventory / references) ---


def test_references_that_is_not_a_list() -> None:
    raw = plan(
        change("aws_subnet.a", {"vpc_id": None}, {"vpc_id": True}),
        configuration=config({"aws_subnet.a": {"vpc_id": {"references": 5}}}),
    )
    subnet = item(graph_of(raw), "subnets", "aws_subnet.a")
    assert subnet["vpc"] is None and subnet["unknown"]["vpc"]


def test_actions_that_is_not_a_list() -> None:
    raw = plan(change("aws_vpc.main", {"id": "vpc-1"}, actions=True))
    assert [v["address"] for v in graph_of(raw)["vpcs"]] == ["aws_vpc.main"]


@pytest.mark.parametrize(
    "actions, kept",
    [
        ([{"delete": 1}], True),  # unhashable: the lookup of Terraform's own lists must not fail
        ([["delete"]], True),
        (["delete", 7], False),  # its strings are kept: a delete
        ([3, "create"], True),
        (["create", "delete"], True),
    ],
)
def test_actions_holding_other_values(actions: list[Any], kept: bool) -> None:
    raw = plan(change("aws_vpc.main", {"id": "vpc-1"}, actions=actions))
    assert [v["address"] for v in graph_of(raw)["vpcs"]] == (["aws_vpc.main"] if kept else [])


def test_provider_region_references_not_a_list() -> None:
    raw = plan(
        VPC,
        configuration={
            "root_module": {},
            "provider_config": {"aws": {"name": "aws", "expressions": {"region": {"references": 7}}}},
        },
    )
    assert graph_of(raw)["region"] is None


@pytest.mark.parametrize("resources, children", [(True, None), (5, 5), ("aws_vpc.x", {"a": 1})])
def test_module_listings_of_the_wrong_type(resources: Any, children: Any) -> None:
    doc = {
        "format_version": "1.0",
        "planned_values": {"root_module": {"resources": resources, "child_modules": children}},
    }
    assert graph_of(json.dumps(doc).encode())["summary"]["resources"] == 0


# --- an id or reference that names a resource of another kind (was KeyError in graph.py) ---


@pytest.mark.parametrize(
    "confused",
    [
        change("aws_subnet.b", {"id": "subnet-2", "vpc_id": "sg-1"}),
        change("aws_route_table.b", {"id": "rtb-2", "vpc_id": "subnet-1"}),
        change("aws_default_route_table.d", {"id": "rtb-3", "default_route_table_id": "sg-1"}),
        change(
            "aws_route.r",
            {"route_table_id": "subnet-1", "destination_cidr_block": "0.0.0.0/0", "gateway_id": "igw-1"},
        ),
        change("aws_main_route_table_association.m", {"vpc_id": "subnet-1", "route_table_id": "vpc-1"}),
        change("aws_route_table_association.x", {"subnet_id": "subnet-1", "route_table_id": "vpc-1"}),
        change("aws_nat_gateway.n", {"subnet_id": "vpc-1"}),
        change("aws_vpc_dhcp_options_association.d", {"vpc_id": "sg-1", "dhcp_options_id": "vpc-1"}),
        change(
            "aws_security_group_rule.r",
            {
                "type": "ingress",
                "security_group_id": "vpc-1",
                "protocol": "tcp",
                "from_port": 443,
                "to_port": 443,
            },
        ),
        change("aws_vpc_security_group_ingress_rule.r", {"security_group_id": "subnet-1"}),
        change(
            "aws_vpc_endpoint.e",
            {
                "vpc_id": "subnet-1",
                "service_name": "com.amazonaws.us-east-1.s3",
                "route_table_ids": ["vpc-1", "sg-1"],
                "subnet_ids": ["vpc-1"],
            },
        ),
        change("aws_instance.i", {"subnet_id": "vpc-1", "vpc_security_group_ids": ["subnet-1"]}),
    ],
)
def test_ids_of_another_kind(confused: dict[str, Any]) -> None:
    graph = graph_of(plan(VPC, SUBNET, SG, TABLE, confused))
    assert item(graph, "vpcs", "aws_vpc.main")["subnets"] == ["aws_subnet.a"]


def test_same_address_twice() -> None:
    twin = change("aws_vpc.main", {"id": "subnet-9", "vpc_id": "vpc-1"})
    twin["type"] = "aws_subnet"
    graph = graph_of(plan(VPC, twin, SUBNET))
    assert [v["address"] for v in graph["vpcs"]] == ["aws_vpc.main"]
    assert [s["address"] for s in graph["subnets"]] == ["aws_subnet.a"]


def test_deposed_object_does_not_hide_its_replacement() -> None:
    deposed = change("aws_vpc.main", {"id": "vpc-0"}, actions=("delete",), deposed="abc123")
    deposed["change"]["before"] = {"id": "vpc-0"}
    graph = graph_of(plan(deposed, VPC, SUBNET))
    assert item(graph, "vpcs", "aws_vpc.main")["subnets"] == ["aws_subnet.a"]


# --- values that leaked into the graph as non-JSON or off-schema (was TypeError at dump) ---


def test_dhcp_servers_holding_a_reference() -> None:
    raw = plan(
        change("aws_instance.dns", {"id": "i-1"}),
        change(
            "aws_vpc_dhcp_options.o",
            {"domain_name_servers": ["AmazonProvidedDNS", None]},
            {"domain_name_servers": [False, True]},
        ),
        configuration=config(
            {
                "aws_vpc_dhcp_options.o": {
                    "domain_name_servers": {"references": ["aws_instance.dns.private_ip", "aws_instance.dns"]}
                }
            }
        ),
    )
    options = item(graph_of(raw), "dhcp_options", "aws_vpc_dhcp_options.o")
    assert options["domain_name_servers"] is None and options["unknown"]["domain_name_servers"]


def test_nat_connectivity_type_from_a_reference() -> None:
    raw = plan(
        change("aws_vpc.main", {"id": "vpc-1"}),
        change("aws_nat_gateway.n", {"connectivity_type": None}, {"connectivity_type": True}),
        configuration=config(
            {"aws_nat_gateway.n": {"connectivity_type": {"references": ["aws_vpc.main.id", "aws_vpc.main"]}}}
        ),
    )
    nat = item(graph_of(raw), "nat_gateways", "aws_nat_gateway.n")
    assert nat["connectivity_type"] is None and nat["unknown"]["connectivity_type"]


def test_scalar_fields_of_the_wrong_type() -> None:
    raw = plan(
        VPC,
        SG,
        TABLE,
        change(
            "aws_vpc_endpoint.e",
            {
                "vpc_id": "vpc-1",
                "service_name": "com.amazonaws.us-east-1.s3",
                "vpc_endpoint_type": ["Gateway"],
                "service_region": {"a": 1},
            },
        ),
        change(
            "aws_route.r",
            {"route_table_id": "rtb-1", "destination_cidr_block": {"x": 1}, "nat_gateway_id": "nat-1"},
        ),
        change(
            "aws_security_group_rule.r",
            {
                "type": "ingress",
                "security_group_id": "sg-1",
                "protocol": ["tcp"],
                "from_port": "443",
                "to_port": True,
                "cidr_blocks": [7, None],
            },
        ),
        change("aws_nat_gateway.n", {"connectivity_type": 5}),
    )
    graph = graph_of(raw)
    endpoint = item(graph, "endpoints", "aws_vpc_endpoint.e")
    assert endpoint["type"] is None and endpoint["service_region"] is None
    assert item(graph, "route_tables", "aws_route_table.rt")["routes"][0]["destination"] is None
    rule = item(graph, "security_groups", "aws_security_group.sg")["ingress"][0]
    assert rule["protocol"] is None and rule["from_port"] is None and rule["to_port"] is None


def test_container_definitions_nested_too_deeply() -> None:
    raw = plan(
        change("aws_ecs_task_definition.t", {"id": "td-1", "container_definitions": "[" * 100_000}),
        change("aws_ecs_service.s", {"task_definition": "td-1"}),
    )
    service = item(graph_of(raw), "workloads", "aws_ecs_service.s")
    assert service["unknown"]["needs"] == "container_definitions is not JSON"


def test_container_secrets_not_a_list() -> None:
    containers = json.dumps([{"image": "nginx", "secrets": True}, {"secrets": 5}])
    raw = plan(
        change("aws_ecs_task_definition.t", {"id": "td-1", "container_definitions": containers}),
        change("aws_ecs_service.s", {"task_definition": "td-1", "launch_type": "FARGATE"}),
    )
    assert item(graph_of(raw), "workloads", "aws_ecs_service.s")["needs"] == []


# --- cycles and fan-out (were exponential: minutes to forever) ---


def test_module_input_and_outputs_in_a_loop() -> None:
    outputs = {name: {"expression": {"references": ["var.v"]}} for name in "abcdef"}
    module = {
        "outputs": outputs,
        "variables": {"v": {}},
        "resources": [
            {
                "address": "aws_subnet.s",
                "mode": "managed",
                "type": "aws_subnet",
                "name": "s",
                "expressions": {"vpc_id": {"references": ["var.v"]}},
            }
        ],
    }
    calls = {
        "m": {
            "source": "./m",
            "module": module,
            "expressions": {"v": {"references": [f"module.m.{n}" for n in "abcdef"]}},
        }
    }
    raw = plan(
        change("module.m.aws_subnet.s", {"vpc_id": None}, {"vpc_id": True}, module="module.m"),
        configuration={"root_module": {"module_calls": calls}},
    )
    start = time.perf_counter()
    subnet = item(graph_of(raw), "subnets", "module.m.aws_subnet.s")
    assert time.perf_counter() - start < 5
    assert subnet["unknown"]["vpc"] == "reference cycle"


def test_attributes_referring_to_each_other() -> None:
    names = [f"aws_ecs_service.s{i}" for i in range(20)]
    refs = [f"{n}.cluster" for n in names]
    raw = plan(
        *(change(n, {"cluster": None}, {"cluster": True}) for n in names),
        configuration=config({n: {"cluster": {"references": refs}} for n in names}),
    )
    start = time.perf_counter()
    graph = graph_of(raw)
    assert time.perf_counter() - start < 5
    assert len(graph["workloads"]) == 20


def test_one_expression_with_many_references() -> None:
    refs = [f"aws_vpc.v{i}.id" for i in range(20_000)] + [f"aws_vpc.v{i}" for i in range(20_000)]
    raw = plan(
        change("aws_subnet.a", {"vpc_id": None}, {"vpc_id": True}),
        configuration=config({"aws_subnet.a": {"vpc_id": {"references": refs}}}),
    )
    start = time.perf_counter()
    subnet = item(graph_of(raw), "subnets", "aws_subnet.a")
    assert time.perf_counter() - start < 5
    assert subnet["unknown"]["vpc"] == "resource not in plan"


# --- nesting and size limits ---


@pytest.mark.parametrize("levels", [600, 900])
def test_deep_value_inside_a_plan_builds_or_is_refused(levels: int, tmp_path: Any) -> None:
    """Nesting that json.loads accepts never crashes a later stage: a graph, or exit-2 input error."""
    from tfcheck.graph.read import read_graph
    from tfcheck.load.inputs import SourceOptions

    deep: Any = "x"
    unknown: Any = True
    for _ in range(levels):
        deep, unknown = [deep], [unknown]
    raw = plan(
        change("aws_vpc.main", {"id": "vpc-1", "tags": {"t": deep}}),
        change("aws_subnet.a", {"vpc_id": "vpc-1", "timeouts": deep}, {"timeouts": unknown}),
    )
    path = tmp_path / "deep.json"
    path.write_bytes(raw)
    try:
        graph, _ = read_graph(str(path), None, SourceOptions(use_source=False))
    except InputError as e:
        assert "nested too deeply" in e.message and e.path == str(path)
    else:
        assert item(graph, "vpcs", "aws_vpc.main")["address"] == "aws_vpc.main"


def test_deep_unknown_value_within_the_limit_still_builds() -> None:
    """Just under the depth limit, every recursive step after parsing must still fit the stack."""
    value: Any = None
    unknown: Any = True
    expr: Any = {"references": ["aws_vpc.main.id", "aws_vpc.main"]}
    for _ in range(240):
        value, unknown, expr = {"k": value}, {"k": unknown}, {"k": expr}
    raw = plan(
        VPC,
        change("aws_subnet.a", {"vpc_id": "vpc-1", "timeouts": value}, {"timeouts": unknown}),
        configuration=config({"aws_subnet.a": {"timeouts": expr}}),
    )
    assert item(graph_of(raw), "subnets", "aws_subnet.a")["vpc"] == "aws_vpc.main"


def test_integer_longer_than_python_converts() -> None:
    raw = b'{"format_version": "1.0", "resource_changes": [], "n": ' + b"9" * 5000 + b"}"
    with pytest.raises(InputError, match="not usable JSON") as info:
        parse_plan("big.json", raw)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(
    "version", ["2.0\nfoo", "3." + "9" * 10_000, "\u0662.0"], ids=["newline", "huge", "arabic-digit"]
)
def test_format_version_text_stays_one_bounded_line(version: str) -> None:
    raw = json.dumps({"format_version": version, "resource_changes": []}).encode()
    with pytest.raises(InputError) as info:
        parse_plan("v.json", raw)
    assert "\n" not in str(info.value) and len(str(info.value)) < 400
