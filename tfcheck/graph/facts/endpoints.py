"""Facts of VPC endpoints: their VPC's DNS settings, foreign parts, AZ coverage, who their
security groups admit, and the route tables a gateway endpoint leaves out."""

from __future__ import annotations

from tfcheck.globs import any_match
from tfcheck.graph.builder import Draft
from tfcheck.graph.facts.context import GATEWAY_ABLE, Facts, any_item, settle
from tfcheck.graph.facts.groups import admits, default_sg


def hub_dns(ctx: Facts, endpoint: Draft) -> None:
    # Served by a hub's DNS: marked in the config, or a private hosted zone in the plan
    # answers its service name with it in its own VPC (graph/zones.py).
    endpoint["hub_dns"] = any_match(ctx.options.hub_dns, endpoint["address"]) or (
        endpoint["vpc"] is not None and endpoint["vpc"] in endpoint.get("zone_vpcs", ())
    )


def endpoint_facts(ctx: Facts, ep: Draft) -> None:
    vpc = ctx.find(ep["vpc"], "vpcs")
    unknown = ep["unknown"]
    ep["vpc_dns_support"] = vpc["enable_dns_support"] if vpc else None
    ep["vpc_dns_hostnames"] = vpc["enable_dns_hostnames"] if vpc else None
    for field, source in (
        ("vpc_dns_support", "enable_dns_support"),
        ("vpc_dns_hostnames", "enable_dns_hostnames"),
    ):
        if vpc is None or source in vpc["unknown"]:
            unknown[field] = vpc["unknown"][source] if vpc else unknown.get("vpc", "VPC not in plan")
    ep["default_sg"] = not ep["security_groups"] and "security_groups" not in unknown
    foreign = []
    for field in ("subnets", "route_tables", "security_groups"):
        for address in ep[field]:
            other = any_item(ctx.graph, address).get("vpc")
            if other and ep["vpc"] and other != ep["vpc"]:
                foreign.append(address)
    settle(ep, "foreign", foreign, unknown.get("vpc"))
    peers = ctx.in_vpc(ep["vpc"], "endpoints")
    ep["gateway_in_vpc"] = any(p["type"] == "Gateway" and p["service"] == ep["service"] for p in peers)
    conflicts = [
        p["address"]
        for p in peers
        if p is not ep
        and p["service"] == ep["service"]
        and p["type"] == "Interface"
        and p["private_dns"]
        and ep["private_dns"]
    ]
    settle(ep, "private_dns_conflicts", conflicts, None)
    workload_azs = vpc["workload_azs"] if vpc else []
    missing = set(workload_azs) - set(ep["azs"])
    undecided = (unknown.get("azs") if missing else None) or (
        vpc["unknown"].get("workload_azs") if vpc else unknown.get("vpc")
    )
    settle(ep, "missing_workload_azs", [] if "azs" in unknown else missing, undecided)
    subnet_azs = [s["az"] for s in (ctx.find(a, "subnets") for a in ep["subnets"]) if s]
    settle(ep, "duplicate_azs", {az for az in subnet_azs if az and subnet_azs.count(az) > 1}, None)
    _ingress(ctx, ep)
    _gateway_coverage(ctx, ep)


def _ingress(ctx: Facts, ep: Draft) -> None:
    vpc_sg = f"{ep['vpc']}:default_sg"
    groups = ep["security_groups"] or [default_sg(ctx, ep["vpc"]) or vpc_sg]
    uncovered, reason = [], ep["unknown"].get("security_groups")
    for workload in ctx.in_vpc(ep["vpc"], "workloads"):
        key = (tuple(groups), workload["address"])  # endpoints usually share one group
        if key not in ctx.admitted:
            ctx.admitted[key] = admits(ctx, groups, workload)
        verdict = ctx.admitted[key]
        if verdict is False:
            uncovered.append(workload["address"])
        elif verdict is None:
            reason = reason or "security group rules unknown"
    if "security_groups" in ep["unknown"]:
        uncovered = []  # groups known only after apply may admit them: undecided, not failed
    settle(ep, "uncovered_workloads", uncovered, reason)


def _gateway_coverage(ctx: Facts, ep: Draft) -> None:
    if ep["type"] != "Gateway" or ep["service"] not in GATEWAY_ABLE:
        ep["unassociated_route_tables"] = []
        return
    served = {
        t
        for p in ctx.in_vpc(ep["vpc"], "endpoints")
        if p["type"] == "Gateway" and p["service"] == ep["service"]
        for t in p["route_tables"]
    }
    tables = {
        s["route_table"]
        for w in ctx.in_vpc(ep["vpc"], "workloads")
        for s in (ctx.find(a, "subnets") for a in w["subnets"])
        if s and s["private"] and s["route_table"]
    }
    settle(ep, "unassociated_route_tables", tables - served, ep["unknown"].get("route_tables"))
