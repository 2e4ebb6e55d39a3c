"""Facts of transit gateway attachments: workload AZs that route to the transit gateway but
have no attachment subnet (domain spec section 1: those cannot reach it)."""

from __future__ import annotations

from tfcheck.graph.builder import Draft
from tfcheck.graph.facts.context import Facts, settle
from tfcheck.graph.routes import DEFAULT_ROUTES


def attachment_facts(ctx: Facts, attachment: Draft) -> None:
    tgw = attachment["transit_gateway"]
    azs = set()
    for subnet in ctx.in_vpc(attachment["vpc"], "subnets"):
        if not subnet["workloads"] or subnet["egress"] != "other" or not subnet["az"]:
            continue
        table = ctx.find(subnet["route_table"], "route_tables")
        routes = table["routes"] if table else []
        if any(
            r["destination"] in DEFAULT_ROUTES
            and r["target_kind"] == "tgw"
            and (r["target"] == tgw or r["target"] is None)
            for r in routes
        ):
            azs.add(subnet["az"])
    reason = attachment["unknown"].get("azs")
    settle(
        attachment,
        "missing_workload_azs",
        set() if reason else azs - set(attachment["azs"]),
        reason if azs - set(attachment["azs"]) else None,
    )
