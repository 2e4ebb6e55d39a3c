"""Report stage: the graph as a readable tree, VPC → AZ → subnet, for `tfcheck graph`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tfcheck.formats.escape import block
from tfcheck.graph.model import Graph


def render(graph: Graph) -> str:
    lines: list[str] = []
    subnets = {s["address"]: s for s in graph.get("subnets", ())}
    endpoints = list(graph.get("endpoints", ()))
    workloads = list(graph.get("workloads", ()))
    nats = {n["address"]: n for n in graph.get("nat_gateways", ())}
    for vpc in graph.get("vpcs", ()):
        dns = f"dns support={_b(vpc['enable_dns_support'])} hostnames={_b(vpc['enable_dns_hostnames'])}"
        lines.append(f"{vpc['address']}  {vpc['cidr'] or '?'}  {vpc['region'] or '?'}  {dns}")
        by_az: dict[str, list[Mapping[str, Any]]] = {}
        for address in vpc["subnets"]:
            subnet = subnets[address]
            by_az.setdefault(subnet["az"] or "? (AZ unknown)", []).append(subnet)
        for az in sorted(by_az):
            lines.append(f"  {az}")
            for subnet in by_az[az]:
                target = f" via {subnet['egress_target']}" if subnet["egress_target"] else ""
                nat = nats.get(subnet["egress_target"] or "")
                if nat is not None and nat.get("reaches") in ("none", None):
                    target += " (leads nowhere)" if nat.get("reaches") == "none" else " (reach unknown)"
                lines.append(
                    f"    {subnet['address']}  {subnet['cidr'] or '?'}  "
                    f"egress={subnet['egress']}{target}  table={subnet['route_table'] or '?'}"
                )
                for ep in endpoints:
                    if subnet["address"] in ep["subnets"]:
                        lines.append(f"      endpoint {ep['service'] or '?'} ({ep['address']})")
                for workload in workloads:
                    if subnet["address"] in workload["subnets"]:
                        lines.append(f"      {workload['kind']} {workload['address']}")
        for ep in endpoints:
            if ep["vpc"] != vpc["address"]:
                continue
            detail = (
                f"route tables: {', '.join(ep['route_tables']) or 'none'}"
                if ep["type"] == "Gateway"
                else f"AZs: {', '.join(ep['azs']) or 'none'}  private DNS={_b(ep['private_dns'])}"
            )
            lines.append(f"  endpoint {ep['address']}  {ep['service'] or '?'} {ep['type']}  {detail}")
        for workload in workloads:
            if workload["vpc"] == vpc["address"]:
                lines.append(
                    f"  workload {workload['address']} ({workload['kind']})  needs: {needs_text(workload)}"
                )
        lines.append("")
    orphans = [w for w in workloads if w["vpc"] is None] + [e for e in endpoints if e["vpc"] is None]
    if orphans:
        lines.append("Not placed in a known VPC:")
        lines.extend(
            f"  {item['address']}  ({', '.join(sorted(item['unknown'].items())[0])})"
            if item["unknown"]
            else f"  {item['address']}"
            for item in orphans
        )
        lines.append("")
    edges = graph.get("summary", {}).get("edges", {})
    if edges:
        lines.append(f"edges: {edges.get('resolved', 0)} resolved, {edges.get('unknown', 0)} unknown")
        for reason, count in edges.get("by_reason", {}).items():
            lines.append(f"  {count} unknown: {reason}")
    return block("\n".join(lines).rstrip() + "\n")  # values inert (escape.py)


def needs_text(workload: Mapping[str, Any]) -> str:
    """`s3→nat, logs→none`, saying `unknown (why)` when tfcheck cannot read the needs
    (never `none` for needs it does not know), and where agent-side needs go."""
    unknown = workload.get("unknown") or {}
    parts = [f"{s}→{p['via']}" for s, p in sorted((workload.get("paths") or {}).items())]
    host_needs = workload.get("host_needs") or []
    if host_needs:
        host = workload.get("host") or f"unknown ({unknown.get('host', 'not in plan')})"
        parts.append(f"{', '.join(host_needs)} on container instances {host}")
    if "needs" in unknown:
        parts.append(f"unknown ({unknown['needs']})")
    return ", ".join(parts) or "none"


def _b(value: Any) -> str:
    return "?" if value is None else str(value).lower()
