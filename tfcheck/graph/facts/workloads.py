"""Facts of workloads: each needed service's path (the worst over its subnets), what is
unreachable, whether a public IP is missing, and whether its groups let TCP 443 out."""

from __future__ import annotations

from typing import Any

from tfcheck.graph.builder import Draft
from tfcheck.graph.facts.context import Facts, any_item, settle
from tfcheck.graph.facts.groups import egress_443
from tfcheck.graph.facts.paths import path

RANK = {"none": 0, "unknown": 1}


def workload_facts(ctx: Facts, w: Draft) -> None:
    paths: dict[str, dict[str, Any]] = {}
    for service in w["needs"]:
        worst: dict[str, Any] | None = None
        for address in w["subnets"]:
            subnet = ctx.find(str(address), "subnets")
            found: dict[str, Any] = (
                path(ctx, w, subnet, service) if subnet else {"via": "unknown", "endpoint": None}
            )
            found["subnet"] = address
            if worst is None or RANK.get(found["via"], 2) < RANK.get(worst["via"], 2):
                worst = found
        if worst is None or ("subnets" in w["unknown"] and RANK.get(worst["via"], 2) > 1):
            worst = {"via": "unknown", "endpoint": None, "subnet": None}
        paths[service] = worst
    w["paths"] = paths
    dead_ends = set()
    for service, found in paths.items():
        nat = ctx.find(found.get("endpoint"), "nat_gateways")
        if nat is not None and found["via"] == "none":
            dead_ends.add(f"{nat['address']} ({nat['reaches_detail']})")
        elif nat is not None and found["via"] == "unknown" and nat["reaches"] is None:
            w["unknown"][f"paths.{service}"] = f"NAT gateway {nat['address']}: {nat['reaches_detail']}"
    w["nat_dead_ends"] = sorted(dead_ends)
    unknown_services = [s for s, p in paths.items() if p["via"] == "unknown"]
    reason = (
        f"path unknown for {', '.join(unknown_services)}" if unknown_services else w["unknown"].get("needs")
    )
    if w["host_needs"] and w["host"] is None:
        # The agent-side needs travel container instances the plan does not tie to it.
        reason = (
            reason
            or f"{', '.join(w['host_needs'])} go through the container instances: {w['unknown']['host']}"
        )
    settle(w, "unreachable", [s for s, p in paths.items() if p["via"] == "none"], reason)
    evidence = w.get("need_evidence", {})
    w["unreachable_evidence"] = [f"{s} ({'; '.join(evidence.get(s, []))})" for s in w["unreachable"] or ()]
    w["unreachable_iam_only"] = bool(w["unreachable"]) and all(
        w.get("need_sources", {}).get(s) == ["iam"] for s in w["unreachable"]
    )
    w["needs_public_ip"] = w["public_ip"] is False and any(
        any_item(ctx.graph, a).get("egress") == "igw" for a in w["subnets"]
    )
    w["egress_443"] = egress_443(ctx, w)
    if w["egress_443"] is None:
        w["unknown"]["egress_443"] = w["unknown"].get("security_groups", "security group rules unknown")
