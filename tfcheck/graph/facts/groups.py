"""Security group facts the other facts modules ask: who a group admits on TCP 443, and
whether a workload's groups let it out on TCP 443."""

from __future__ import annotations

import functools
import ipaddress

from tfcheck.graph.facts.context import Facts
from tfcheck.graph.model import Item
from tfcheck.graph.security import rule_admits_443


def default_sg(ctx: Facts, vpc: str | None) -> str | None:
    for sg in ctx.in_vpc(vpc, "security_groups"):
        if sg["resource_type"] in ("aws_default_security_group", "implicit_default_security_group"):
            return str(sg["address"])
    return None


def workload_groups(ctx: Facts, workload: Item) -> list[str]:
    if workload["security_groups"] or "security_groups" in workload["unknown"]:
        return list(workload["security_groups"])
    default = default_sg(ctx, workload.get("vpc"))
    return [default] if default else []


def admits(ctx: Facts, groups: list[str], workload: Item) -> bool | None:
    """Does any of `groups` admit TCP 443 from every subnet of the workload?"""
    sources = set(workload_groups(ctx, workload))
    cidrs = [s["cidr"] for s in (ctx.find(a, "subnets") for a in workload["subnets"]) if s]
    undecided = "security_groups" in workload["unknown"] or None in cidrs
    covered = set()
    for address in groups:
        sg = ctx.find(address, "security_groups")
        if sg is None:
            undecided = True
            continue
        undecided = undecided or "ingress" in sg["unknown"]
        for rule in sg["ingress"]:
            admitted = rule_admits_443(rule)
            if admitted is None:
                undecided = True
            if not admitted:
                continue
            if sources & set(rule["security_groups"]) or (rule["self"] and address in sources):
                return True
            for cidr in cidrs:
                if cidr and any(cidr_contains(block, cidr) for block in rule["cidr_blocks"]):
                    covered.add(cidr)
    if cidrs and None not in cidrs and covered == set(cidrs):
        return True
    return None if undecided or not workload["subnets"] else False


def egress_443(ctx: Facts, w: Item) -> bool | None:
    groups = workload_groups(ctx, w)
    undecided = "security_groups" in w["unknown"] or not groups
    for address in groups:
        sg = ctx.find(address, "security_groups")
        if sg is None:
            undecided = True
            continue
        verdicts = [rule_admits_443(rule) for rule in sg["egress"]]
        if True in verdicts:
            return True
        undecided = undecided or None in verdicts or "egress" in sg["unknown"]
    return None if undecided else False


@functools.lru_cache(maxsize=8192)
def cidr_contains(outer: str, inner: str) -> bool | None:
    try:
        a = ipaddress.ip_network(outer, strict=False)
        b = ipaddress.ip_network(inner, strict=False)
    except ValueError:
        return None
    return a.version == b.version and b.subnet_of(a)  # type: ignore[arg-type]
