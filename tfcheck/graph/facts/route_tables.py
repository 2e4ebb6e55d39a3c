"""Facts of route tables: the gateway-able services their NAT-routed workloads need
without a gateway endpoint on the table."""

from __future__ import annotations

from tfcheck.graph.builder import Draft
from tfcheck.graph.facts.context import GATEWAY_ABLE, Facts


def route_table_facts(ctx: Facts, table: Draft) -> None:
    subnets = [s for s in (ctx.find(a, "subnets") for a in table["subnets"]) if s]
    served = {e["service"] for e in (ctx.find(a, "endpoints") for a in table["gateway_endpoints"]) if e}
    candidates = set()
    if any(s["egress"] == "nat" and _nat_leads_out(ctx, s["egress_target"]) for s in subnets):
        for subnet in subnets:
            for address in subnet["workloads"]:
                workload = ctx.find(address, "workloads")
                needs = workload["needs"] if workload else []
                candidates |= {s for s in GATEWAY_ABLE if s in needs and s not in served}
    table["nat_gateway_candidates"] = sorted(candidates)


def _nat_leads_out(ctx: Facts, address: str | None) -> bool:
    """A NAT gateway that leads nowhere carries (and bills) no traffic."""
    nat = ctx.find(address, "nat_gateways")
    return nat is None or nat["reaches"] != "none"
