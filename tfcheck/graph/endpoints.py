"""Graph stage: VPC endpoints with everything their association resources add to them."""

from __future__ import annotations

from typing import Any

from tfcheck import aws
from tfcheck.graph.builder import Builder, new_item, put_edge
from tfcheck.graph.edges import Edge, as_bool, blocks, scalar


def build_endpoints(builder: Builder) -> None:
    private_dns: dict[str, Any] = {}
    extra: dict[str, dict[str, list[Edge]]] = {}
    # Associations whose endpoint is not known: every endpoint they may name is undecided.
    open_ends: list[tuple[Any, Edge, str, str]] = []  # (value, edge, field, reason)
    for rtype, attr, field in (
        ("aws_vpc_endpoint_route_table_association", "route_table_id", "route_tables"),
        ("aws_vpc_endpoint_subnet_association", "subnet_id", "subnets"),
        ("aws_vpc_endpoint_security_group_association", "security_group_id", "security_groups"),
        ("aws_vpc_endpoint_private_dns", "private_dns_enabled", "private_dns"),
    ):
        for inst in builder.of(rtype):
            value = inst.values.get("vpc_endpoint_id")
            endpoint_edge = builder.edges.follow(value)
            endpoint = endpoint_edge.one
            if endpoint is None:
                why = endpoint_edge.why_not_one()
                builder.edges.fail(inst.address, "vpc_endpoint_id", why, count=not endpoint_edge.unknown)
                open_ends.append((value, endpoint_edge, field, f"{inst.address}: vpc_endpoint_id {why}"))
            elif field == "private_dns":
                private_dns[endpoint] = inst.values.get(attr)
            else:
                edge = builder.edges.follow(inst.values.get(attr))
                if edge.one is None:
                    builder.edges.fail(inst.address, attr, edge.why_not_one(), count=not edge.unknown)
                extra.setdefault(endpoint, {}).setdefault(field, []).append(edge)

    for inst in builder.of("aws_vpc_endpoint"):
        v = inst.values
        item = builder.add("endpoints", new_item(inst))
        name, reason = scalar(v.get("service_name"))
        item["service_name"] = name if isinstance(name, str) else None
        region, service, is_aws = (
            aws.parse_service_name(name) if isinstance(name, str) else (None, None, False)
        )
        item.update(service=service, region=region, aws_service=is_aws)
        if reason:
            for field in ("service_name", "service", "region", "aws_service"):
                item["unknown"][field] = reason
            item["aws_service"] = None
        kind, reason = scalar(v.get("vpc_endpoint_type"), "Gateway")
        if not reason and not isinstance(kind, str):
            kind, reason = None, "not a string"
        item["type"] = kind
        if reason:
            item["unknown"]["type"] = reason
        service_region, reason = scalar(v.get("service_region"))
        if not reason and service_region is not None and not isinstance(service_region, str):
            service_region, reason = None, "not a string"
        item["service_region"] = service_region or None
        if reason:
            item["unknown"]["service_region"] = reason
        item["vpc_region"] = inst.region
        put_edge(item, "vpc", builder.edges.follow(v.get("vpc_id")), many=False)

        subnet_values = [v.get("subnet_ids")] + [
            b.get("subnet_id") for b in blocks(v.get("subnet_configuration"))
        ]
        own = {
            "subnets": builder.edges.follow(subnet_values),
            "route_tables": builder.edges.follow(v.get("route_table_ids")),
            "security_groups": builder.edges.follow(v.get("security_group_ids")),
        }
        associations = extra.get(inst.address, {})
        for field, edge in own.items():
            associated = associations.get(field)
            merged = _merged(edge, associated) if associated else edge  # (most have none)
            put_edge(item, field, merged, many=True)
            if merged.external and not merged.unknown:
                item["unknown"][field] = f"not in plan: {merged.external[0]}"
        builder.subnet_azs(item)

        dns_value = private_dns.get(inst.address, v.get("private_dns_enabled"))
        item["private_dns"], reason = as_bool(dns_value, False)
        if reason:
            item["unknown"]["private_dns"] = reason
        options = blocks(v.get("dns_options"))
        inbound, reason = as_bool(
            options[0].get("private_dns_only_for_inbound_resolver_endpoint") if options else None, True
        )
        item["inbound_resolver_only"] = inbound
        if reason:
            item["unknown"]["inbound_resolver_only"] = reason
        vpc = builder.find(item["vpc"], "vpcs")
        if vpc is not None:
            item["vpc_region"] = vpc["region"] or inst.region
    for value, edge, field, reason in open_ends:
        builder.undecided(value, edge, "endpoints", (field,), reason)


def _merged(edge: Edge, associated: list[Edge]) -> Edge:
    """An endpoint's own edge and those its association resources add, as one edge."""
    edges = [edge, *associated]
    hows = {h for e in edges for h in e.how}
    if any(e.addresses for e in associated):
        hows.add("association")
    return Edge(
        tuple(a for e in edges for a in e.addresses),
        next((e.unknown for e in edges if e.unknown), None),
        tuple(x for e in edges for x in e.external),
        tuple(sorted(hows)),
    )
