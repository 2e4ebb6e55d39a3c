"""Graph stage: route tables, their routes, and each subnet's effective table and egress.

Domain spec section 2: a subnet's table is its association, else the VPC's main table
(main association, aws_default_route_table, or the implicit one with only the local route);
its egress is the kind of its default route's target.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tfcheck import aws
from tfcheck.graph.builder import Builder, Draft, new_item, put_edge
from tfcheck.graph.edges import Edge, blocks, id_kind, scalar
from tfcheck.model import Ref, Unknown

DEFAULT_ROUTES = ("0.0.0.0/0", "::/0")


def build_route_tables(builder: Builder) -> None:
    for inst in builder.of(*aws.ROUTE_TABLE):
        main = inst.type == "aws_default_route_table"
        item = builder.add(
            "route_tables", new_item(inst, main=main, subnets=[], routes=[], gateway_endpoints=[])
        )
        vpc_value = inst.values.get("default_route_table_id" if main else "vpc_id")
        put_edge(item, "vpc", builder.edges.follow(vpc_value), many=False)
        vpc = builder.find(item["vpc"], "vpcs")
        if main and vpc is not None:
            vpc["main_route_table"] = item["address"]
        route_value = inst.values.get("route")
        if isinstance(route_value, list):
            for block in blocks(route_value):
                add_route(
                    builder,
                    item,
                    block,
                    block.get("cidr_block")
                    or block.get("ipv6_cidr_block")
                    or block.get("destination_prefix_list_id"),
                )
        elif route_value is not None:
            item["unknown"]["routes"] = "inline routes unknown until apply"
    for inst in builder.of("aws_route"):
        value = inst.values.get("route_table_id")
        edge = builder.edges.follow(value)
        table = builder.find(edge.one, "route_tables")
        if table is None:
            # A route whose table is not known may be in any of them: none is decided.
            reason = f"{inst.address}: route_table_id {edge.why_not_one()}"
            builder.edges.fail(inst.address, "route_table_id", edge.why_not_one(), count=not edge.unknown)
            builder.undecided(value, edge, "route_tables", ("routes",), reason)
            continue
        values = inst.values
        add_route(
            builder,
            table,
            values,
            values.get("destination_cidr_block")
            or values.get("destination_ipv6_cidr_block")
            or values.get("destination_prefix_list_id"),
        )
    # An association that may name any VPC leaves every VPC's main route table undecided; the
    # last such reason stands where no later association names the VPC itself. Kept once and
    # applied at the end: marking every VPC per association grew with associations times VPCs.
    any_vpc: tuple[int, str] | None = None  # (place, reason) of the last that may name any VPC
    named_last: dict[str, int] = {}  # VPC -> place of the last association that named it
    for place, inst in enumerate(builder.of("aws_main_route_table_association")):
        vpc_value = inst.values.get("vpc_id")
        vpc_edge = builder.edges.follow(vpc_value)
        table_edge = builder.edges.follow(inst.values.get("route_table_id"))
        vpc = builder.find(vpc_edge.one, "vpcs")
        table = builder.find(table_edge.one, "route_tables")
        if vpc is not None and table is not None:
            vpc["main_route_table"] = table["address"]
            table["main"] = True
            continue
        edge, name = (vpc_edge, "vpc_id") if vpc is None else (table_edge, "route_table_id")
        builder.edges.fail(inst.address, name, edge.why_not_one(), count=not edge.unknown)
        reason = f"{inst.address}: {name} {edge.why_not_one()}"
        named = builder.possible(vpc_value, vpc_edge, "vpcs") if vpc is None else [vpc]
        if named is None:
            any_vpc = (place, reason)
        for other in named or ():
            other["unknown"]["main_route_table"] = reason
            named_last[other["address"]] = place
    if any_vpc is not None:
        for vpc in builder.collections["vpcs"]:
            if named_last.get(vpc["address"], -1) < any_vpc[0]:
                vpc["unknown"]["main_route_table"] = any_vpc[1]
    for vpc in builder.collections["vpcs"]:
        if vpc["main_route_table"] is None:
            implicit = {
                "address": f"{vpc['address']}:main",
                "resource_type": "implicit_main_route_table",
                "vpc": vpc["address"],
                "main": True,
                "subnets": [],
                "routes": [{"destination": "local", "target_kind": "local", "target": None}],
                "gateway_endpoints": [],
                "unknown": {},
                "file": None,
                "line": None,
            }
            builder.add("route_tables", implicit)
            vpc["main_route_table"] = implicit["address"]
    associated: dict[str, Edge] = {}
    undecided: dict[str, str] = {}  # subnet → why an association may name it
    anyone: str | None = None  # why an association may name any subnet (the first such)
    for inst in builder.of("aws_route_table_association"):
        value = inst.values.get("subnet_id")
        if value is None:
            continue  # a gateway (edge) association: it names no subnet
        edge = builder.edges.follow(value)
        subnet = builder.find(edge.one, "subnets")
        if subnet is not None:
            associated[subnet["address"]] = table_edge = builder.edges.follow(
                inst.values.get("route_table_id")
            )
            if table_edge.one is None:
                builder.edges.fail(
                    inst.address, "route_table_id", table_edge.why_not_one(), count=not table_edge.unknown
                )
            continue
        builder.edges.fail(inst.address, "subnet_id", edge.why_not_one(), count=not edge.unknown)
        if anyone is not None:
            continue  # every subnet already has its first reason
        why = f"{inst.address}: subnet_id {edge.why_not_one()}"
        possible = builder.possible(value, edge, "subnets")
        if possible is None:
            anyone = why  # may name any subnet: one reason for all, not one entry per subnet
        for other in possible or ():
            undecided.setdefault(other["address"], why)
    for subnet in builder.collections["subnets"]:
        association = associated.get(subnet["address"])
        if association is not None:
            put_edge(subnet, "route_table", association, many=False)
        else:
            # The main table only when no association in the plan can name this subnet.
            vpc = builder.find(subnet["vpc"], "vpcs")
            reason = (
                undecided.get(subnet["address"])
                or anyone
                or ("VPC unknown" if vpc is None else vpc["unknown"].get("main_route_table"))
            )
            if reason:
                subnet["unknown"]["route_table"] = reason
                set_egress(subnet, None)  # egress unknown, and named so
                continue
            subnet["route_table"] = vpc["main_route_table"] if vpc else None
        set_egress(subnet, builder.find(subnet["route_table"], "route_tables"))


def add_route(builder: Builder, table: Draft, values: Mapping[str, Any], destination: Any) -> None:
    target_kind, target, reason = route_target(builder, values)
    dest, dest_reason = scalar(destination)
    if dest is not None and not isinstance(dest, str):
        dest, dest_reason = None, "destination is not a string"
    table["routes"].append({"destination": dest, "target_kind": target_kind, "target": target})
    if reason or dest_reason:
        table["unknown"]["routes"] = reason or dest_reason


def route_target(builder: Builder, values: Mapping[str, Any]) -> tuple[str, str | None, str | None]:
    """(kind, target address, why unknown) of a route's next hop.

    A target in the plan is judged by its resource type, whichever argument holds it
    (`gateway_id = aws_nat_gateway.nat.id` is a NAT path; domain spec section 4); a known
    id outside the plan by its prefix; otherwise by the argument's name.
    """
    for attr, kind in aws.ROUTE_TARGETS.items():
        value = values.get(attr)
        if value in (None, ""):
            continue
        typed = _typed_target(builder, value)
        if typed is not None:
            return typed
        edge = builder.edges.follow(value)
        if edge.addresses:
            target = edge.addresses[0]
            return aws.ROUTE_TARGET_TYPES.get(builder.edges.instances[target].type, "other"), target, None
        if edge.external:
            return id_kind(edge.external[0]) or kind, None, None
        return "unknown", None, edge.unknown
    return "other", None, None


def _typed_target(builder: Builder, value: Any) -> tuple[str, str | None, str | None] | None:
    """The next hop of the resource type the value references, even through an attribute
    known only after apply (a firewall's `firewall_status[0].sync_states`). Several
    candidates of one kind (`element(aws_nat_gateway.x[*].id, local.i)`) give the kind,
    and the target stays unknown."""
    refs = value.refs if isinstance(value, Unknown) else value if isinstance(value, list) else [value]
    instances = builder.edges.instances
    typed = [
        r
        for r in refs
        if isinstance(r, Ref)
        and r.address in instances
        and instances[r.address].type in aws.ROUTE_TARGET_TYPES
    ]
    kinds = {aws.ROUTE_TARGET_TYPES[instances[r.address].type] for r in typed}
    if len(kinds) != 1:
        return None
    addresses = sorted({r.address for r in typed})
    if len(addresses) == 1 and not (isinstance(value, Unknown) and len(value.refs) > len(typed)):
        builder.edges.resolved[typed[0].how] += 1
        return kinds.pop(), addresses[0], None
    reason = value.reason if isinstance(value, Unknown) else "ambiguous reference"
    builder.edges.unresolved[reason] += 1
    return kinds.pop(), None, f"which of {', '.join(addresses)}: {reason}"


def set_egress(subnet: Draft, table: Draft | None) -> None:
    if table is None:
        subnet["egress"] = "unknown"
        subnet["unknown"].setdefault("egress", subnet["unknown"].get("route_table", "route table unknown"))
        return
    default = [r for r in table["routes"] if r["destination"] in DEFAULT_ROUTES]
    default.sort(key=lambda r: r["destination"] != "0.0.0.0/0")
    if default:
        route = default[0]
        kind = route["target_kind"]
        subnet["egress"] = kind if kind in ("nat", "igw", "unknown") else "other"
        subnet["egress_target"] = route["target"]
    elif "routes" in table["unknown"]:
        subnet["egress"] = "unknown"
    else:
        subnet["egress"] = "none"
    if subnet["egress"] == "unknown":
        subnet["unknown"]["egress"] = table["unknown"].get("routes", "route unknown")
        subnet["private"] = None
    else:
        subnet["private"] = subnet["egress"] != "igw"
