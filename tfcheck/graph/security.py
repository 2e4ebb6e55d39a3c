"""Graph stage: security groups and their rules, wherever Terraform lets them be written.

Inline `ingress`/`egress` blocks, `aws_security_group_rule`, and the per-rule
`aws_vpc_security_group_ingress_rule` / `_egress_rule` resources all become one rule shape.
A VPC's own default security group, when Terraform does not manage it, is modelled as
`<vpc>:default_sg` with AWS's rules: all traffic from its members, all traffic out.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tfcheck import aws
from tfcheck.graph.builder import Builder, Draft, new_item, put_edge
from tfcheck.graph.edges import as_bool, blocks, scalar
from tfcheck.graph.eks import build_cluster_groups
from tfcheck.model import Unknown


def build_security_groups(builder: Builder) -> None:
    for inst in builder.of(*aws.SECURITY_GROUP):
        item = builder.add("security_groups", new_item(inst, ingress=[], egress=[], implicit=False))
        put_edge(item, "vpc", builder.edges.follow(inst.values.get("vpc_id")), many=False)
        if item["vpc"] is None and "vpc_id" not in inst.values:
            item["unknown"]["vpc"] = "no vpc_id: the Region's default VPC"
        for direction in ("ingress", "egress"):
            value = inst.values.get(direction)
            if isinstance(value, Unknown):
                item["unknown"][direction] = value.reason
                continue
            for block in blocks(value):
                add_rule(builder, item, direction, block, "inline")
    managed_defaults = {
        sg["vpc"]
        for sg in builder.collections["security_groups"]
        if sg["resource_type"] == "aws_default_security_group"
    }
    for vpc in builder.collections["vpcs"]:
        if vpc["address"] in managed_defaults:
            continue
        address = f"{vpc['address']}:default_sg"
        builder.add(
            "security_groups",
            {
                "address": address,
                "resource_type": "implicit_default_security_group",
                "vpc": vpc["address"],
                "implicit": True,
                **aws.managed_group_rules(),
                "unknown": {},
                "file": None,
                "line": None,
            },
        )
    build_cluster_groups(builder)
    for inst in builder.of("aws_security_group_rule"):
        kind = inst.values.get("type")
        group = _group_of(
            builder,
            inst.address,
            inst.values.get("security_group_id"),
            kind if kind in ("ingress", "egress") else None,
        )
        if group is None:
            continue
        if kind not in ("ingress", "egress"):
            reason = kind.reason if isinstance(kind, Unknown) else f"type is {kind!r}"
            builder.edges.fail(inst.address, "type", reason)
            for direction in ("ingress", "egress"):
                group["unknown"].setdefault(direction, f"{inst.address}: {reason}")
            continue
        values = dict(inst.values)
        values["security_groups"] = [values.get("source_security_group_id")]
        add_rule(builder, group, str(kind), values, inst.address)
    for rule_type, direction in (
        ("aws_vpc_security_group_ingress_rule", "ingress"),
        ("aws_vpc_security_group_egress_rule", "egress"),
    ):
        for inst in builder.of(rule_type):
            group = _group_of(builder, inst.address, inst.values.get("security_group_id"), direction)
            if group is None:
                continue
            v = inst.values
            add_rule(
                builder,
                group,
                direction,
                {
                    "protocol": v.get("ip_protocol"),
                    "from_port": v.get("from_port"),
                    "to_port": v.get("to_port"),
                    "cidr_blocks": [v.get("cidr_ipv4")],
                    "ipv6_cidr_blocks": [v.get("cidr_ipv6")],
                    "prefix_list_ids": [v.get("prefix_list_id")],
                    "security_groups": [v.get("referenced_security_group_id")],
                },
                inst.address,
            )


def _group_of(builder: Builder, address: str, value: Any, direction: str | None) -> Draft | None:
    """The one group a rule resource belongs to; else the rule is recorded as unresolved and
    every group it may belong to has that direction undecided."""
    edge = builder.edges.follow(value)
    group = builder.find(edge.one, "security_groups")
    if group is not None:
        return group
    why = edge.why_not_one()
    builder.edges.fail(address, "security_group_id", why, count=not edge.unknown)
    fields = (direction,) if direction else ("ingress", "egress")
    builder.undecided(value, edge, "security_groups", fields, f"{address}: security group {why}")
    return None


def add_rule(builder: Builder, group: Draft, direction: str, values: Mapping[str, Any], origin: str) -> None:
    reasons: list[str] = []
    protocol, reason = scalar(values.get("protocol"), "-1")
    if not reason and (not isinstance(protocol, (str, int)) or isinstance(protocol, bool)):
        protocol, reason = None, "protocol is not a string or number"
    reasons += [reason] if reason else []
    ports = []
    for name in ("from_port", "to_port"):
        port, reason = scalar(values.get(name), 0)
        reasons += [reason] if reason else []
        ports.append(port if isinstance(port, int) and not isinstance(port, bool) else None)
    edge = builder.edges.follow(values.get("security_groups"))
    if edge.unknown:
        reasons.append(edge.unknown)
    self_ref, reason = as_bool(values.get("self"), False)
    rule = {
        "protocol": str(protocol).lower() if protocol is not None else None,
        "from_port": ports[0],
        "to_port": ports[1],
        "cidr_blocks": _strings(values.get("cidr_blocks"), reasons),
        "ipv6_cidr_blocks": _strings(values.get("ipv6_cidr_blocks"), reasons),
        "prefix_lists": _strings(values.get("prefix_list_ids"), reasons, keep_refs=True),
        "security_groups": sorted(edge.addresses),
        "self": bool(self_ref),
        "origin": origin,
    }
    group[direction].append(rule)
    if reasons:
        group["unknown"].setdefault(direction, reasons[0])


def _strings(value: Any, reasons: list[str], keep_refs: bool = False) -> list[str]:
    out = []
    for item in value if isinstance(value, list) else [value]:
        if isinstance(item, str) and item:
            out.append(item)
        elif isinstance(item, Unknown):
            if keep_refs and item.refs:
                out.extend(ref.address for ref in item.refs)
            else:
                reasons.append(item.reason)
        elif item is not None and keep_refs and hasattr(item, "address"):
            out.append(item.address)  # a prefix list id that is a gateway endpoint's attribute
        elif item is not None and not isinstance(item, str):
            reasons.append("unknown until apply")
    return out


def rule_admits_443(rule: Mapping[str, Any]) -> bool | None:
    """Does the rule cover TCP 443? None when its protocol or ports are unknown."""
    protocol = rule.get("protocol")
    if protocol in ("-1", "all"):
        return True
    if protocol is None or rule.get("from_port") is None or rule.get("to_port") is None:
        return None
    if protocol not in ("tcp", "6"):
        return False
    return bool(rule["from_port"] <= 443 <= rule["to_port"])
