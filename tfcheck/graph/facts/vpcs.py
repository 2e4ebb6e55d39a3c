"""Facts of VPCs: where their workloads run, and whether they rely on private DNS."""

from __future__ import annotations

from tfcheck.graph.builder import Draft
from tfcheck.graph.facts.context import Facts


def vpc_facts(ctx: Facts, vpc: Draft) -> None:
    workloads = ctx.in_vpc(vpc["address"], "workloads")
    azs = {az for w in workloads for az in w["azs"]}
    undecided = next((w["unknown"]["azs"] for w in workloads if "azs" in w["unknown"]), None)
    if not workloads:
        private = [s for s in ctx.in_vpc(vpc["address"], "subnets") if s["private"] is not False]
        azs = {s["az"] for s in private if s["private"] and s["az"]}
        undecided = next(
            (
                s["unknown"].get("az") or s["unknown"].get("egress")
                for s in private
                if s["az"] is None or s["private"] is None
            ),
            None,
        )
    vpc["workload_azs"] = sorted(azs)
    if undecided:
        vpc["unknown"]["workload_azs"] = undecided
    vpc["relies_on_private_dns"] = any(
        e["type"] == "Interface" and e["private_dns"] for e in ctx.in_vpc(vpc["address"], "endpoints")
    )
