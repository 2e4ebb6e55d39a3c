"""A drawable view of the network graph (VPC → AZ → subnet, route tables, gateways, endpoints
and their ENIs, workloads) that the Mermaid and DOT renderers share."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from tfcheck.graph.model import Graph

# Route targets drawn as nodes; other kinds (peering, ENI, VPC endpoint) stay off the picture.
_TARGETS = {"nat": "NAT gateway", "igw": "internet gateway", "tgw": "transit gateway"}


@dataclass(frozen=True, slots=True)
class Node:
    id: str
    address: str
    kind: str
    lines: tuple[str, ...]
    cluster: str


@dataclass(frozen=True, slots=True)
class Cluster:
    id: str
    label: str
    parent: str | None


@dataclass(frozen=True, slots=True)
class Arrow:
    source: str
    target: str
    label: str = ""
    dotted: bool = False


@dataclass
class View:
    clusters: list[Cluster] = field(default_factory=list)
    nodes: list[Node] = field(default_factory=list)
    edges: list[Arrow] = field(default_factory=list)
    highlight: dict[str, str] = field(default_factory=dict)  # node id → class name

    def focus(self, keep: Iterable[str], neighbours: bool = True) -> View:
        """Only the given nodes (and their direct neighbours) and the clusters holding them."""
        wanted = set(keep)
        near = set(wanted)
        for e in self.edges if neighbours else ():
            if e.source in wanted:
                near.add(e.target)
            if e.target in wanted:
                near.add(e.source)
        nodes = [n for n in self.nodes if n.id in near]
        parents = {c.id: c.parent for c in self.clusters}
        used: set[str] = set()
        for n in nodes:
            cluster: str | None = n.cluster
            while cluster is not None and cluster not in used:
                used.add(cluster)
                cluster = parents.get(cluster)
        return View(
            [c for c in self.clusters if c.id in used],
            nodes,
            [e for e in self.edges if e.source in near and e.target in near],
            {k: v for k, v in self.highlight.items() if k in near},
        )

    def summary(self, keep: Iterable[str] = ()) -> View:
        """Past Mermaid's limits: the nodes of each cluster counted per kind ("14 subnets"),
        except `keep` (resources with findings), which stay spelled out; edges between the
        groups once each, with how many they stand for."""
        wanted = set(keep)
        group: dict[str, str] = {}
        counts: dict[tuple[str, str], list[Node]] = {}
        nodes: list[Node] = []
        for n in self.nodes:
            if n.id in wanted:
                nodes.append(n)
                group[n.id] = n.id
            else:
                counts.setdefault((n.cluster, n.kind), []).append(n)
        for i, ((cluster, kind), members) in enumerate(sorted(counts.items())):
            gid = f"g{i}"
            for n in members:
                group[n.id] = gid
            label = (
                members[0].lines
                if len(members) == 1
                else (f"{len(members)} {_PLURAL.get(kind, kind + 's')}",)
            )
            nodes.append(Node(gid, members[0].address if len(members) == 1 else "", kind, label, cluster))
        merged: dict[tuple[str, str], list[Arrow]] = {}
        for e in self.edges:
            a, b = group[e.source], group[e.target]
            if a != b:
                merged.setdefault((a, b), []).append(e)
        edges = [
            Arrow(a, b, (es[0].label if len(es) == 1 else f"×{len(es)}"), all(x.dotted for x in es))
            for (a, b), es in merged.items()
        ]
        return View(
            list(self.clusters), nodes, edges, {k: v for k, v in self.highlight.items() if k in wanted}
        )


_PLURAL = {
    "subnet": "subnets",
    "route_table": "route tables",
    "endpoint": "endpoints",
    "nat": "NAT gateways",
    "igw": "internet gateways",
    "tgw": "transit gateway attachments",
    "workload": "workloads",
}


def vpc_of(graph: Graph, address: str) -> str | None:
    """The VPC an item belongs to (a VPC belongs to itself), if the graph knows it."""
    item = graph.find(address)
    if item is None:
        return None
    if graph.kind_of(address) == "vpcs":
        return address
    vpc = item.get("vpc")
    return vpc if isinstance(vpc, str) else None


def build_view(
    graph: Graph, vpcs: Iterable[str] | None = None, highlight: Mapping[str, str] | None = None
) -> View:
    """The view of the named VPCs (all when None); `highlight` maps address → class name."""
    builder = _Builder(graph)
    chosen = set(vpcs) if vpcs is not None else None
    for vpc in graph.get("vpcs") or ():
        if chosen is None or vpc["address"] in chosen:
            builder.vpc(vpc)
    view = builder.view
    for node in view.nodes:
        cls = (highlight or {}).get(node.address)
        if cls:
            view.highlight[node.id] = cls
    return view


class _Builder:
    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self.view = View()
        self.ids: dict[str, str] = {}

    def items(self, collection: str, vpc: str) -> Sequence[Mapping[str, Any]]:
        return self.graph.in_vpc(vpc, collection)

    def node(self, address: str, kind: str, lines: Iterable[str], cluster: str) -> str:
        if address in self.ids:
            return self.ids[address]
        node_id = f"n{len(self.ids)}"
        self.ids[address] = node_id
        self.view.nodes.append(Node(node_id, address, kind, tuple(lines), cluster))
        return node_id

    def cluster(self, label: str, parent: str | None) -> str:
        cluster_id = f"c{len(self.view.clusters)}"
        self.view.clusters.append(Cluster(cluster_id, label, parent))
        return cluster_id

    def edge(self, a: str | None, b: str | None, label: str = "", dotted: bool = False) -> None:
        source = self.ids.get(a or "")
        target = self.ids.get(b or "")
        if source and target:
            self.view.edges.append(Arrow(source, target, label, dotted))

    def vpc(self, vpc: Mapping[str, Any]) -> None:
        address = vpc["address"]
        top = self.cluster(f"{address} {vpc.get('cidr') or ''}".strip(), None)
        subnets = self.items("subnets", address)
        by_az: dict[str, list[Mapping[str, Any]]] = {}
        for subnet in subnets:
            by_az.setdefault(subnet.get("az") or "AZ unknown", []).append(subnet)
        nats = self.items("nat_gateways", address)
        for az in sorted(by_az):
            zone = self.cluster(az, top)
            for subnet in by_az[az]:
                egress = subnet.get("egress") or "unknown"
                self.node(
                    subnet["address"],
                    "subnet",
                    (subnet["address"], f"{subnet.get('cidr') or '?'} egress: {egress}"),
                    zone,
                )
                for nat in nats:
                    if nat.get("subnet") == subnet["address"]:
                        self.node(nat["address"], "nat", _nat_lines(nat), zone)
        for nat in nats:
            self.node(nat["address"], "nat", _nat_lines(nat), top)
        for igw in self.items("internet_gateways", address):
            self.node(igw["address"], "igw", ("internet gateway", igw["address"]), top)
        tables = self.items("route_tables", address)
        used = {s.get("route_table") for s in subnets}
        for table in tables:
            if table["address"] in used or table.get("gateway_endpoints") or not table.get("main"):
                self.node(table["address"], "route_table", ("route table", table["address"]), top)
        endpoints = self.items("endpoints", address)
        for ep in endpoints:
            kind = ep.get("type") or "?"
            self.node(
                ep["address"],
                "endpoint",
                (f"{ep.get('service') or '?'} endpoint ({kind})", ep["address"]),
                top,
            )
        for att in self.items("tgw_attachments", address):
            self.node(att["address"], "tgw", ("transit gateway attachment", att["address"]), top)
        for workload in self.items("workloads", address):
            lines = [workload.get("kind") or "workload", workload["address"]]
            unknown = workload.get("unknown") or {}
            if "needs" in unknown:
                lines.append(f"needs: unknown ({unknown['needs']})")
            self.node(workload["address"], "workload", lines, top)
        self._edges(subnets, tables, endpoints, address, top)

    def _edges(
        self,
        subnets: Sequence[Mapping[str, Any]],
        tables: Sequence[Mapping[str, Any]],
        endpoints: Sequence[Mapping[str, Any]],
        vpc: str,
        top: str,
    ) -> None:
        for subnet in subnets:
            self.edge(subnet["address"], subnet.get("route_table"))
        for table in tables:
            for route in table.get("routes") or ():
                kind, target = route.get("target_kind"), route.get("target")
                if kind in _TARGETS and isinstance(target, str) and table["address"] in self.ids:
                    self.node(target, kind, (_TARGETS[kind], target), top)  # kept if already drawn
                    self.edge(table["address"], target, route.get("destination") or "")
            for gateway in table.get("gateway_endpoints") or ():
                self.edge(table["address"], gateway, "prefix list", dotted=True)
        for ep in endpoints:
            for subnet in ep.get("subnets") or ():
                self.edge(subnet, ep["address"], "ENI", dotted=True)
        for att in self.items("tgw_attachments", vpc):
            for subnet in att.get("subnets") or ():
                self.edge(subnet, att["address"], "ENI", dotted=True)
        for workload in self.items("workloads", vpc):
            for subnet in workload.get("subnets") or ():
                self.edge(workload["address"], subnet, dotted=True)


def _nat_lines(nat: Mapping[str, Any]) -> tuple[str, ...]:
    """A NAT gateway's label; one that leads nowhere, or may, says so."""
    reaches = nat.get("reaches", "internet")
    if reaches == "none":
        return ("NAT gateway", nat["address"], "leads nowhere")
    if reaches is None:
        return ("NAT gateway", nat["address"], "reach unknown")
    return ("NAT gateway", nat["address"])
