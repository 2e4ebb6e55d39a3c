"""Graph stage: an Inventory (from a plan or from HCL) → the normalized network graph.

Items are plain JSON-ready dicts (the public contract in graph.schema.json); every item
has `address`, `type` and `unknown` ({field: reason}). Network resources are built here,
workloads in workloads.py, and the derived fields the rules need in derive.py.
"""
from __future__ import annotations

import functools
import ipaddress
from dataclasses import dataclass, field
from typing import Any, Mapping

from tfcheck import aws
from tfcheck.graph.edges import Edge, Edges, as_bool, scalar
from tfcheck.model import Instance, Inventory

COLLECTIONS = (
    "vpcs", "subnets", "route_tables", "endpoints", "security_groups", "workloads",
    "nat_gateways", "internet_gateways", "tgw_attachments", "dhcp_options",
)


@dataclass(frozen=True, slots=True)
class GraphOptions:
    """Settings from the config file that change what the graph says."""

    extra_needs: tuple[tuple[str, tuple[str, ...]], ...] = ()
    hub_dns: tuple[str, ...] = ()
    default_needs: tuple[str, ...] | None = None


@dataclass(frozen=True, slots=True)
class Graph:
    data: Mapping[str, Any]
    source: str = ""
    notes: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        return dict(self.data)


def new_item(inst: Instance, **fields: Any) -> dict[str, Any]:
    return {"address": inst.address, "resource_type": inst.type, **fields, "unknown": {},
            "file": inst.file, "line": inst.line}


def put_edge(item: dict[str, Any], name: str, edge: Edge, many: bool) -> None:
    """Store an edge: a sorted address list, or one address; record why it may be incomplete."""
    if many:
        item[name] = sorted(edge.addresses)
    else:
        item[name] = edge.addresses[0] if len(edge.addresses) == 1 else None
        if len(edge.addresses) > 1 and not edge.unknown:
            item["unknown"][name] = "ambiguous reference"
    if edge.addresses:
        item.setdefault("how", {})[name] = ", ".join(edge.how)
    if edge.unknown:
        item["unknown"][name] = edge.unknown
    elif not many and not edge.addresses and edge.external:
        item["unknown"][name] = f"not in plan: {edge.external[0]}"


def build_graph(inventory: Inventory, options: GraphOptions | None = None) -> Graph:
    from tfcheck.graph.derive import derive
    from tfcheck.graph.workloads import build_workloads

    options = options or GraphOptions()
    instances: dict[str, Instance] = {}
    for inst in inventory.instances:
        instances.setdefault(inst.address, inst)  # one item per address, whatever the source
    edges = Edges(instances)
    by_type: dict[str, list[Instance]] = {}
    for inst in instances.values():
        by_type.setdefault(inst.type, []).append(inst)
    graph: dict[str, Any] = {"version": 1, "region": inventory.region}
    for name in COLLECTIONS:
        graph[name] = []
    builder = NetworkBuilder(graph, by_type, edges)
    builder.build()
    build_workloads(graph, by_type, edges, options)
    derive(graph, options)
    for name in COLLECTIONS:
        graph[name].sort(key=lambda item: item["address"])
    graph["summary"] = {
        "source": inventory.source,
        "kind": inventory.kind,
        "resources": len(inventory.instances),
        "edges": edges.summary(),
        **{name: len(graph[name]) for name in COLLECTIONS},
    }
    return Graph(graph, inventory.source, inventory.notes)


class NetworkBuilder:
    """VPCs, subnets, route tables, gateways, DHCP options and endpoints."""

    def __init__(self, graph: dict[str, Any], by_type: Mapping[str, list[Instance]], edges: Edges):
        self.graph = graph
        self.by_type = by_type
        self.edges = edges
        self.index: dict[str, dict[str, Any]] = {}
        self.kinds: dict[str, str] = {}  # address -> collection

    def of(self, *types: str) -> list[Instance]:
        return [inst for t in types for inst in self.by_type.get(t, ())]

    def add(self, collection: str, item: dict[str, Any]) -> dict[str, Any]:
        self.graph[collection].append(item)
        self.index[item["address"]] = item
        self.kinds[item["address"]] = collection
        return item

    def find(self, address: str | None, collection: str) -> dict[str, Any] | None:
        """The item at `address` if it is one of `collection`: an id may name another kind."""
        if address is None or self.kinds.get(address) != collection:
            return None
        return self.index[address]

    def build(self) -> None:
        from tfcheck.graph.endpoints import build_endpoints
        from tfcheck.graph.routes import build_route_tables
        from tfcheck.graph.security import build_security_groups

        self.vpcs()
        self.subnets()
        build_route_tables(self)
        self.gateways()
        self.dhcp()
        build_security_groups(self)
        build_endpoints(self)

    def vpcs(self) -> None:
        for inst in self.of(*aws.VPC):
            default_vpc = inst.type == "aws_default_vpc"
            item = self.add("vpcs", new_item(inst, region=inst.region))
            cidr, reason = scalar(inst.values.get("cidr_block"))
            item["cidr"] = cidr if isinstance(cidr, str) else None
            if reason or not isinstance(cidr, str):
                item["unknown"]["cidr"] = reason or "not configured (IPAM)"
            for name, default in (("enable_dns_support", True), ("enable_dns_hostnames", default_vpc)):
                item[name], reason = as_bool(inst.values.get(name), default)
                if reason:
                    item["unknown"][name] = reason
            item.update(dhcp_options=None, amazon_dns=True, main_route_table=None, subnets=[],
                        endpoints=[], workload_azs=[])

    def subnets(self) -> None:
        for inst in self.of(*aws.SUBNET):
            item = self.add("subnets", new_item(inst))
            put_edge(item, "vpc", self.edges.follow(inst.values.get("vpc_id")), many=False)
            az, reason = scalar(inst.values.get("availability_zone"))
            item["az"] = az if isinstance(az, str) and az else None
            if item["az"] is None:
                item["unknown"]["az"] = reason or "chosen by AWS at apply"
            cidr, reason = scalar(inst.values.get("cidr_block"))
            item["cidr"] = cidr if isinstance(cidr, str) else None
            if reason:
                item["unknown"]["cidr"] = reason
            item["map_public_ip"], reason = as_bool(inst.values.get("map_public_ip_on_launch"), False)
            if reason:
                item["unknown"]["map_public_ip"] = reason
            item.update(route_table=None, egress="unknown", egress_target=None, private=None,
                        workloads=[])
            vpc = self.find(item["vpc"], "vpcs")
            if vpc is not None:
                vpc["subnets"].append(item["address"])

    def gateways(self) -> None:
        for inst in self.of("aws_nat_gateway"):
            item = self.add("nat_gateways", new_item(inst))
            put_edge(item, "subnet", self.edges.follow(inst.values.get("subnet_id")), many=False)
            subnet = self.find(item["subnet"], "subnets")
            item["vpc"] = subnet["vpc"] if subnet else None
            item["az"] = subnet["az"] if subnet else None
            connectivity, reason = scalar(inst.values.get("connectivity_type"), "public")
            if not reason and not isinstance(connectivity, str):
                reason = "not a string"
            item["connectivity_type"] = None if reason else connectivity or "public"
            if reason:
                item["unknown"]["connectivity_type"] = reason
        attachments = {
            self.edges.follow(i.values.get("internet_gateway_id")).one:
                self.edges.follow(i.values.get("vpc_id"))
            for i in self.of("aws_internet_gateway_attachment")
        }
        for inst in self.of("aws_internet_gateway", "aws_egress_only_internet_gateway"):
            item = self.add("internet_gateways", new_item(inst))
            edge = attachments.get(inst.address) or self.edges.follow(inst.values.get("vpc_id"))
            put_edge(item, "vpc", edge, many=False)
        for inst in self.of("aws_ec2_transit_gateway_vpc_attachment"):
            item = self.add("tgw_attachments", new_item(inst))
            put_edge(item, "vpc", self.edges.follow(inst.values.get("vpc_id")), many=False)
            put_edge(item, "transit_gateway", self.edges.follow(inst.values.get("transit_gateway_id")),
                     many=False)
            tgw_edge = self.edges.follow(inst.values.get("transit_gateway_id"), count=False)
            if item["transit_gateway"] is None and tgw_edge.external:
                item["transit_gateway"] = tgw_edge.external[0]
                item["unknown"].pop("transit_gateway", None)
            put_edge(item, "subnets", self.edges.follow(inst.values.get("subnet_ids")), many=True)
            self.subnet_azs(item)

    def subnet_azs(self, item: dict[str, Any]) -> None:
        """`azs` of an item from its `subnets`, unknown if any subnet's AZ is."""
        azs = set()
        for address in item["subnets"]:
            subnet = self.find(address, "subnets")
            if subnet is None or subnet["az"] is None:
                item["unknown"]["azs"] = "subnet AZ unknown"
            else:
                azs.add(subnet["az"])
        if "subnets" in item["unknown"]:
            item["unknown"]["azs"] = item["unknown"]["subnets"]
        item["azs"] = sorted(azs)

    def dhcp(self) -> None:
        for inst in self.of("aws_vpc_dhcp_options", "aws_default_vpc_dhcp_options"):
            item = self.add("dhcp_options", new_item(inst, vpcs=[]))
            servers, reason = scalar(inst.values.get("domain_name_servers"))
            if isinstance(servers, list) and not all(isinstance(s, str) for s in servers):
                servers, reason = None, "unknown until apply"  # some entries are references
            item["domain_name_servers"] = servers if isinstance(servers, list) else None
            if reason:
                item["unknown"]["domain_name_servers"] = reason
        for inst in self.of("aws_vpc_dhcp_options_association"):
            vpc = self.find(self.edges.follow(inst.values.get("vpc_id")).one, "vpcs")
            options_edge = self.edges.follow(inst.values.get("dhcp_options_id"))
            if vpc is None:
                continue
            options = self.find(options_edge.one, "dhcp_options")
            if options is None:
                vpc["unknown"]["amazon_dns"] = options_edge.unknown or "DHCP options not in plan"
                vpc["amazon_dns"] = None
                continue
            vpc["dhcp_options"] = options["address"]
            options["vpcs"].append(vpc["address"])
            servers = options["domain_name_servers"]
            if "domain_name_servers" in options["unknown"]:
                vpc["amazon_dns"] = None
                vpc["unknown"]["amazon_dns"] = options["unknown"]["domain_name_servers"]
            else:
                vpc["amazon_dns"] = not servers or "AmazonProvidedDNS" in servers


@functools.lru_cache(maxsize=8192)
def cidr_contains(outer: str, inner: str) -> bool | None:
    try:
        a = ipaddress.ip_network(outer, strict=False)
        b = ipaddress.ip_network(inner, strict=False)
    except ValueError:
        return None
    return a.version == b.version and b.subnet_of(a)  # type: ignore[arg-type]
