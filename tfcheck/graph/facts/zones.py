"""Facts from private hosted zones (graph/zones.py): what a zone makes of a service's name
in a VPC, and which VPCs need a service a zone serves elsewhere but lack the association.

A zone associated with a subnet's VPC that answers the service with a hub VPC's interface
endpoint is a path when the subnet routes to the hub (a transit gateway or peering route
covering the hub VPC's CIDR, or a default route through one); a zone without such a record
shadows the name: no path at all.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from tfcheck.graph.builder import Draft
from tfcheck.graph.facts.context import Facts, settle
from tfcheck.graph.model import Item

_HOPS = ("tgw", "peering")


def zone_path(ctx: Facts, subnet: Item, service: str) -> dict[str, Any] | None:
    """The path a private zone gives `service` from `subnet`, or None when no zone decides."""
    vpc = ctx.find(subnet["vpc"], "vpcs")
    if vpc is None:
        return None
    shadow = vpc.get("shadowed", {}).get(service)
    if shadow is not None:
        return {"via": "none", "endpoint": shadow}
    hub = ctx.find(vpc.get("zone_endpoints", {}).get(service), "endpoints")
    if hub is None or hub["vpc"] == vpc["address"]:
        return None  # none, or a local endpoint: the endpoint loop decides (hub_dns)
    reach = _routes_to(ctx, subnet, ctx.find(hub["vpc"], "vpcs"))
    if reach is False:
        return None
    return {"via": "hub_endpoint" if reach else "unknown", "endpoint": hub["address"]}


def _routes_to(ctx: Facts, subnet: Item, hub: Item | None) -> bool | None:
    """Whether the subnet's route table sends the hub VPC's CIDR over a transit gateway or
    peering connection (None: a destination or the hub CIDR is unknown)."""
    table = ctx.find(subnet.get("route_table"), "route_tables")
    if table is None or hub is None:
        return None
    undecided = False
    for route in table.get("routes", ()):
        if route.get("target_kind") not in _HOPS:
            undecided = undecided or route.get("target_kind") == "unknown"
            continue
        destination, cidr = route.get("destination"), hub.get("cidr")
        if destination is None or cidr is None:
            undecided = True
            continue
        try:
            outer = ipaddress.ip_network(destination, strict=False)
            inner = ipaddress.ip_network(cidr, strict=False)
        except (ValueError, TypeError):
            undecided = True
            continue
        if outer.version == inner.version and inner.subnet_of(outer):  # type: ignore[arg-type]
            return True
    return None if undecided else False


def zone_facts(ctx: Facts, vpc: Draft) -> None:
    """`shadowed_services` and `zone_missing` of a VPC, for VPCE030 and VPCE031."""
    settle(vpc, "shadowed_services", [f"{s} ({z})" for s, z in vpc.get("shadowed", {}).items()], None)
    served_elsewhere = {service for service, vpcs in ctx.zone_served if vpc["address"] not in vpcs}
    local = {
        ep["service"]
        for ep in ctx.in_vpc(vpc["address"], "endpoints")
        if ep["type"] == "Interface" and (ep["private_dns"] or ep["hub_dns"])
    }
    needed = {s for w in ctx.in_vpc(vpc["address"], "workloads") for s in w["needs"]}
    missing = needed & served_elsewhere - local - set(vpc.get("zone_endpoints", {})) - set(
        vpc.get("shadowed", {})
    )
    settle(vpc, "zone_missing", sorted(missing), None)
