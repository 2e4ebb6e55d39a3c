"""Edge honesty (issue 14): every association and rule resource in every fixture is either
linked into the graph or listed, with its reason, in summary.edges.unresolved; a subnet an
association may name is never placed on the main route table."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tfcheck.graph.build import build_graph
from tfcheck.graph.builder import Builder, new_item
from tfcheck.graph.edges import Edge, Edges
from tfcheck.graph.model import Graph
from tfcheck.graph.read import read_graph
from tfcheck.load.inputs import SourceOptions
from tfcheck.model import Instance, Inventory, Ref, Unknown

ROOT = Path(__file__).parent.parent
PLANS = sorted(p for p in (ROOT / "fixtures").rglob("plan.json"))
# association or rule type → (the attribute naming the item it changes, the other end)
LINKS: dict[str, tuple[str, str | None]] = {
    "aws_route_table_association": ("subnet_id", "route_table_id"),
    "aws_main_route_table_association": ("vpc_id", "route_table_id"),
    "aws_vpc_endpoint_route_table_association": ("vpc_endpoint_id", "route_table_id"),
    "aws_vpc_endpoint_subnet_association": ("vpc_endpoint_id", "subnet_id"),
    "aws_vpc_endpoint_security_group_association": ("vpc_endpoint_id", "security_group_id"),
    "aws_vpc_endpoint_private_dns": ("vpc_endpoint_id", None),
    "aws_vpc_dhcp_options_association": ("vpc_id", "dhcp_options_id"),
    "aws_internet_gateway_attachment": ("internet_gateway_id", "vpc_id"),
    "aws_security_group_rule": ("security_group_id", None),
    "aws_vpc_security_group_ingress_rule": ("security_group_id", None),
    "aws_vpc_security_group_egress_rule": ("security_group_id", None),
    "aws_route": ("route_table_id", None),
}


def linked(graph: Graph, edges: Edges, inst: Instance) -> bool:
    """Does the graph show what this resource does (its target item carries the link)?"""
    own, other = LINKS[inst.type]
    item = graph.find(edges.follow(inst.values.get(own), count=False).one or "")
    far = edges.follow(inst.values.get(other), count=False).one if other else None
    if item is None or (other and far is None):
        return False
    kind = inst.type
    if kind == "aws_route_table_association":
        return item.get("route_table") == far
    if kind == "aws_main_route_table_association":
        return item.get("main_route_table") == far
    if kind.startswith("aws_vpc_endpoint_") and other:
        return (
            far
            in item[
                {
                    "route_table_id": "route_tables",
                    "subnet_id": "subnets",
                    "security_group_id": "security_groups",
                }[other]
            ]
        )
    if kind == "aws_vpc_dhcp_options_association":
        return item.get("dhcp_options") == far
    if kind == "aws_internet_gateway_attachment":
        return item.get("vpc") == far
    if kind == "aws_route":
        return bool(item["routes"])  # a route resource whose table is known is always added
    if kind == "aws_vpc_endpoint_private_dns":
        return item.get("private_dns") is not None
    return any(rule.get("origin") == inst.address for d in ("ingress", "egress") for rule in item[d])


def reads() -> list[tuple[Path, bool]]:
    """Each plan alone and with its source, and each scenario directory in HCL mode."""
    return [(p, s) for p in PLANS for s in (False, True) if not s or (p.parent / "main.tf").is_file()] + [
        (p.parent, True)
        for p in PLANS
        if (p.parent / "main.tf").is_file() and not (p.parent / "derived.json").exists()
    ]


@pytest.mark.parametrize(
    ("plan", "use_source"),
    reads(),
    ids=lambda v: (
        str(v.relative_to(ROOT / "fixtures")) if isinstance(v, Path) else ("source" if v else "alone")
    ),
)
def test_every_association_and_rule_is_linked_or_listed(plan: Path, use_source: bool) -> None:
    graph, loaded = read_graph(str(plan), None, SourceOptions(use_source=use_source))
    edges = Edges({i.address: i for i in loaded.inventory.instances})
    listed = {entry["address"] for entry in graph.document()["summary"]["edges"]["unresolved"]}
    silent = [
        inst.address
        for inst in loaded.inventory.instances
        if inst.type in LINKS
        and inst.values.get(LINKS[inst.type][0]) is not None
        and inst.address not in listed
        and not linked(graph, edges, inst)
    ]
    assert not silent, f"neither linked nor in summary.edges.unresolved: {silent}"


def _inventory(*instances: Instance) -> Inventory:
    return Inventory(instances, "us-east-1", "x")


def _inst(address: str, **values: Any) -> Instance:
    return Instance(address, address.split(".")[0], "", None, values)


def _graph(*instances: Instance) -> dict[str, Any]:
    return build_graph(_inventory(*instances)).document()


def test_an_ambiguous_association_leaves_its_subnets_undecided_not_on_the_main_table() -> None:
    doc = _graph(
        _inst("aws_vpc.v", cidr_block="10.0.0.0/16"),
        _inst("aws_subnet.a", vpc_id=Ref("aws_vpc.v"), availability_zone="us-east-1a"),
        _inst("aws_subnet.b", vpc_id=Ref("aws_vpc.v"), availability_zone="us-east-1b"),
        _inst("aws_subnet.c", vpc_id=Ref("aws_vpc.v"), availability_zone="us-east-1c"),
        _inst("aws_route_table.t", vpc_id=Ref("aws_vpc.v")),
        _inst(
            "aws_route_table_association.x",
            subnet_id=[Ref("aws_subnet.a"), Ref("aws_subnet.b")],
            route_table_id=Ref("aws_route_table.t"),
        ),
    )
    subnets = {s["address"]: s for s in doc["subnets"]}
    for name in ("aws_subnet.a", "aws_subnet.b"):
        assert subnets[name]["route_table"] is None
        assert subnets[name]["egress"] == "unknown"
        assert "ambiguous reference" in subnets[name]["unknown"]["route_table"]
    assert subnets["aws_subnet.c"]["route_table"] == "aws_vpc.v:main"
    edges = doc["summary"]["edges"]
    assert {
        "address": "aws_route_table_association.x",
        "edge": "subnet_id",
        "reason": "ambiguous reference",
    } in edges["unresolved"]
    assert edges["by_reason"]["ambiguous reference"] >= 1


def test_an_unknown_association_names_what_it_was_built_from_else_every_subnet() -> None:
    base = (
        _inst("aws_vpc.v", cidr_block="10.0.0.0/16"),
        _inst("aws_subnet.a", vpc_id=Ref("aws_vpc.v")),
        _inst("aws_subnet.b", vpc_id=Ref("aws_vpc.v")),
    )
    doc = _graph(
        *base, _inst("aws_route_table_association.x", subnet_id=Unknown("local", (Ref("aws_subnet.b"),)))
    )
    tables = {s["address"]: s["route_table"] for s in doc["subnets"]}
    assert tables == {"aws_subnet.a": "aws_vpc.v:main", "aws_subnet.b": None}
    doc = _graph(*base, _inst("aws_route_table_association.x", subnet_id=Unknown("local")))
    assert {s["route_table"] for s in doc["subnets"]} == {None}


def test_an_instance_whose_subnet_reads_as_several_is_undecided() -> None:
    doc = _graph(
        _inst("aws_vpc.v", cidr_block="10.0.0.0/16"),
        _inst("aws_subnet.a", vpc_id=Ref("aws_vpc.v")),
        _inst("aws_subnet.b", vpc_id=Ref("aws_vpc.v")),
        _inst("aws_instance.i", subnet_id=[Ref("aws_subnet.a"), Ref("aws_subnet.b")]),
    )
    assert doc["workloads"][0]["unknown"]["subnets"] == "ambiguous reference"
    assert {"address": "aws_instance.i", "edge": "subnets", "reason": "ambiguous reference"} in doc[
        "summary"
    ]["edges"]["unresolved"]


def test_a_rule_of_a_group_outside_the_plan_is_listed() -> None:
    doc = _graph(
        _inst(
            "aws_vpc_security_group_ingress_rule.r",
            security_group_id="sg-0123",
            ip_protocol="tcp",
            from_port=443,
            to_port=443,
        )
    )
    assert doc["summary"]["edges"]["unresolved"] == [
        {
            "address": "aws_vpc_security_group_ingress_rule.r",
            "edge": "security_group_id",
            "reason": "not in plan: sg-0123",
        }
    ]


def test_the_first_association_that_may_name_a_subnet_gives_its_reason() -> None:
    """An ambiguous association names its candidates; one whose subnet is wholly unknown may
    name any subnet. Each subnet keeps the reason of the first that may name it."""
    subnets = [
        _inst(f"aws_subnet.{n}", vpc_id=Ref("aws_vpc.v"), availability_zone="us-east-1a") for n in "abc"
    ]
    doc = _graph(
        _inst("aws_vpc.v", cidr_block="10.0.0.0/16"),
        *subnets,
        _inst("aws_route_table.t", vpc_id=Ref("aws_vpc.v")),
        _inst("aws_route_table_association.first", subnet_id=[Ref("aws_subnet.a"), Ref("aws_subnet.b")]),
        *(_inst(f"aws_route_table_association.any{i}", subnet_id=Unknown("local")) for i in range(3)),
        _inst("aws_route_table_association.late", subnet_id=[Ref("aws_subnet.c"), Ref("aws_subnet.b")]),
    )
    reasons = {s["address"]: s["unknown"]["route_table"] for s in doc["subnets"]}
    assert reasons == {
        "aws_subnet.a": "aws_route_table_association.first: subnet_id ambiguous reference",
        "aws_subnet.b": "aws_route_table_association.first: subnet_id ambiguous reference",
        "aws_subnet.c": "aws_route_table_association.any0: subnet_id local",
    }
    assert all(s["route_table"] is None for s in doc["subnets"])


class _Counting(dict[str, Any]):
    """An item's unknown map that counts the fields set into it."""

    calls = 0

    def setdefault(self, key: str, default: Any = None) -> Any:
        _Counting.calls += 1
        return super().setdefault(key, default)


def test_unknown_targets_mark_the_whole_collection_once_not_once_per_source() -> None:
    """Rules whose group is unknown may each be in any group: the first reason stands on every
    group, groups added later are marked too, and 500 such rules over 500 groups set each
    group's field once (they did 250,000 setdefaults; HCL mode allows 30,000 instances)."""
    groups = [_inst(f"aws_security_group.g{i}") for i in range(500)]
    builder = Builder(_inventory(*groups))
    items = [builder.add("security_groups", new_item(g)) for g in groups]
    for item in items:
        item["unknown"] = _Counting()
    items[7]["unknown"]["ingress"] = "earlier, about this group alone"
    unknown = Edge((), "local", (), ())
    _Counting.calls = 0
    for i in range(500):
        builder.undecided(Unknown("local"), unknown, "security_groups", ("ingress",), f"rule {i}")
    assert _Counting.calls == 500
    assert items[0]["unknown"]["ingress"] == "rule 0" and items[499]["unknown"]["ingress"] == "rule 0"
    assert items[7]["unknown"]["ingress"] == "earlier, about this group alone"
    late = builder.add("security_groups", new_item(_inst("aws_security_group.late")))
    builder.undecided(Unknown("local"), unknown, "security_groups", ("ingress", "egress"), "rule 500")
    assert late["unknown"] == {"ingress": "rule 500", "egress": "rule 500"}
    assert items[0]["unknown"] == {"ingress": "rule 0", "egress": "rule 500"}
    named = Edge(("aws_security_group.g3",), None, (), ("reference",))
    builder.undecided(Ref("aws_security_group.g3", "id"), named, "security_groups", ("x",), "one")
    assert [i["address"] for i in builder.collections["security_groups"] if "x" in i["unknown"]] == [
        "aws_security_group.g3"
    ]
