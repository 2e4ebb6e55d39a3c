"""`tfcheck reach`: per workload, each AWS service it needs and the path its calls take."""

from __future__ import annotations

import json

from tfcheck.formats.escape import block
from tfcheck.graph.model import Graph

REACH_KEYS = (
    "kind",
    "vpc",
    "subnets",
    "needs",
    "need_evidence",
    "paths",
    "unreachable",
    "host",
    "host_needs",
    "nat_dead_ends",
    "unknown",
)


def render_json(graph: Graph) -> str:
    doc = {w["address"]: {k: w.get(k) for k in REACH_KEYS} for w in graph.get("workloads") or ()}
    return json.dumps({"version": 1, "workloads": doc}, indent=2) + "\n"


def render_text(graph: Graph) -> str:
    """Per workload, each service it needs, the path its calls take and the evidence for the
    need (`tfcheck reach`)."""
    lines: list[str] = []
    for w in graph.get("workloads") or ():
        launch = f", {w['launch_type']}" if w.get("launch_type") else ""
        lines.append(f"{w['address']}  ({w.get('kind')}{launch}; vpc {w.get('vpc') or 'unknown'})")
        paths = w.get("paths")
        unknown = w.get("unknown") or {}
        if paths is None:
            lines.append(f"  paths unknown: {unknown.get('paths', 'not decided')}")
            continue
        needs = list(w.get("needs") or [])
        services = needs + sorted(s for s in paths if s not in needs)
        host_needs = [s for s in w.get("host_needs") or () if s not in services]
        if "needs" in unknown:
            lines.append(f"  needs: unknown ({unknown['needs']})")
        elif not services and not host_needs:
            lines.append("  needs no AWS service tfcheck knows of")
        width = max((len(s) for s in services + host_needs), default=0)
        host = w.get("host") or f"unknown ({unknown.get('host', 'not in plan')})"
        for service in host_needs:
            lines.append(f"  {service:<{width}}  on the container instances: {host}")
        unreachable = set(w.get("unreachable") or ())
        for service in services:
            path = paths.get(service) or {}
            via = path.get("via", "unknown")
            detail = " ".join(f"{k} {path[k]}" for k in ("endpoint", "subnet") if path.get(k))
            why = unknown.get(f"paths.{service}")
            extras = "  ".join(
                x
                for x in (
                    detail,
                    "UNREACHABLE" if service in unreachable else "",
                    f"({why})" if why else "",
                )
                if x
            )
            lines.append(f"  {service:<{width}}  {via:<27} {extras}".rstrip())
            for reason in (w.get("need_evidence") or {}).get(service, ()):
                lines.append(f"  {'':<{width}}    because: {reason}")
    if not lines:
        lines.append("no workloads in the plan")
    return block("\n".join(lines) + "\n")  # values inert (escape.py)
