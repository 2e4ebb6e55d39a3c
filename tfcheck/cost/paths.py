"""Cost stage: which path each service's traffic takes, subnet by subnet, and how many GB.

The graph gives each workload's worst path per service; cost needs every subnet's path,
because a workload's traffic is split over its subnets (evenly, an assumption the report
states) and per-AZ NAT gateways or partly associated gateway endpoints each carry a share.
The per-subnet path is the graph's own rule (graph/facts/paths.py), not a second copy of it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from tfcheck.cost.usage import Usage
from tfcheck.graph.facts.context import Facts
from tfcheck.graph.facts.paths import path as facts_path
from tfcheck.graph.model import Graph, GraphOptions, Item

INTERFACE_VIAS = ("interface_endpoint_same_az", "interface_endpoint_other_az")
ENDPOINT_VIAS = ("gateway_endpoint", *INTERFACE_VIAS)
VPC_SOURCE = "(VPC traffic)"
NO_VPC = "(VPC not in plan)"  # bucket for NAT gateways, endpoints, workloads whose VPC is unknown
_PSEUDO: dict[str, Any] = {"need_reasons": {}, "public_ip": False, "unknown": {}}


@dataclass(frozen=True, slots=True)
class Hop:
    """One subnet's path for one service: how (`via`) and through what (endpoint/NAT/gateway)."""

    via: str
    through: str | None
    subnet: str | None


@dataclass(frozen=True, slots=True)
class Flow:
    """GB per month one source sends to one service over one hop."""

    vpc: str
    service: str
    source: str  # workload address, or VPC_SOURCE for VPC-level traffic
    hop: Hop
    gb: Decimal


class Site:
    """The graph as cost reads it: VPCs with a bucket for what has none, and per-subnet paths."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self._paths = Facts(graph, GraphOptions())
        self._unplaced: dict[str, list[Item]] = {
            name: [item for item in graph.collection(name) if not item.get("vpc")]
            for name in ("subnets", "route_tables", "endpoints", "nat_gateways", "workloads")
        }
        self._hops: dict[tuple[str, str], tuple[Hop, ...]] = {}

    def get(self, address: str) -> Item | None:
        return self.graph.find(address)

    def in_vpc(self, vpc: str, name: str) -> Sequence[Item]:
        if vpc == NO_VPC:
            return self._unplaced.get(name, [])
        return self.graph.in_vpc(vpc, name)

    def vpc_addresses(self) -> list[str]:
        """The plan's VPCs, then the bucket of billed resources whose VPC is unknown, if any."""
        found = sorted(v["address"] for v in self.graph.get("vpcs") or ())
        bucket = self._unplaced
        return found + [NO_VPC] if bucket["nat_gateways"] or bucket["endpoints"] else found

    def hops(self, workload: Item, service: str) -> tuple[Hop, ...]:
        """The workload's path to `service` from each of its subnets (one hop if subnets unknown)."""
        key = (workload["address"], service)
        if key not in self._hops:
            subnets = [s for s in map(self.graph.find, workload["subnets"]) if s is not None]
            if subnets and "subnets" not in workload["unknown"]:
                self._hops[key] = tuple(self._hop(workload, s, service) for s in subnets)
            else:
                path = workload["paths"].get(service) or {"via": "unknown", "endpoint": None}
                self._hops[key] = (Hop(path["via"], path.get("endpoint"), path.get("subnet")),)
        return self._hops[key]

    def vpc_hops(self, vpc: str, service: str) -> tuple[Hop, ...]:
        """Path of VPC-level traffic: from the private subnets holding workloads (else all private)."""
        subnets = self.in_vpc(vpc, "subnets")
        chosen = (
            [s for s in subnets if s["private"] and s["workloads"]]
            or [s for s in subnets if s["private"]]
            or subnets
        )
        if not chosen:
            return (Hop("unknown", None, None),)
        return tuple(self._hop(_PSEUDO, s, service) for s in chosen)

    def _hop(self, workload: Item, subnet: Item, service: str) -> Hop:
        path = facts_path(self._paths, workload, subnet, service)
        return Hop(path["via"], path.get("endpoint"), subnet["address"])


def split(vpc: str, service: str, source: str, hops: Iterable[Hop], gb: Decimal) -> list[Flow]:
    """`gb` spread evenly over the subnets (an assumption), merged per path so one path stays exact."""
    hops = tuple(hops)
    counts: dict[tuple[str, str | None], list[Hop]] = {}
    for hop in hops:
        counts.setdefault((hop.via, hop.through), []).append(hop)
    flows = []
    for (via, through), same in counts.items():
        hop = same[0] if len(same) == 1 else Hop(via, through, None)
        flows.append(Flow(vpc, service, source, hop, gb * len(same) / len(hops)))
    return flows


def build_flows(site: Site, usage: Usage) -> dict[str, list[Flow]]:
    """Every GB the usage file's service_traffic declares, by VPC, on the path it takes today."""
    flows: dict[str, list[Flow]] = {}
    if not usage.given:
        return flows
    for workload in site.graph.get("workloads") or ():
        vpc = workload.get("vpc") or NO_VPC
        traffic = usage.workload_traffic(workload["address"])
        if not traffic:
            continue
        for service, gb in sorted(traffic.items()):
            flows.setdefault(vpc, []).extend(
                split(vpc, service, workload["address"], site.hops(workload, service), gb)
            )
    for vpc_item in site.graph.get("vpcs") or ():
        vpc = vpc_item["address"]
        for service, gb in sorted(usage.vpc_traffic(vpc).items()):
            flows.setdefault(vpc, []).extend(split(vpc, service, VPC_SOURCE, site.vpc_hops(vpc, service), gb))
    return flows
