"""Graph stage: an Inventory (from a plan or from HCL) → the frozen network Graph.

Items are plain JSON-ready dicts (the public contract in graph/schema.json); every item has
`address`, `resource_type` and `unknown` ({field: reason}). The builders add their own
collections in order, links.py adds the back-references; then the collections are sorted,
the Graph and its indexes are made once, and facts/ fills the graph-wide facts in it.
"""

from __future__ import annotations

from typing import Any

from tfcheck.graph.builder import Builder
from tfcheck.graph.endpoints import build_endpoints
from tfcheck.graph.facts import add_facts
from tfcheck.graph.links import link
from tfcheck.graph.model import COLLECTIONS, Graph, GraphOptions
from tfcheck.graph.network import build_dhcp, build_gateways, build_subnets, build_vpcs
from tfcheck.graph.routes import build_route_tables
from tfcheck.graph.security import build_security_groups
from tfcheck.graph.workloads import build_workloads
from tfcheck.graph.zones import build_zones
from tfcheck.model import Inventory

# Item fields that are edges to other items: an unknown one is an unresolved edge.
EDGE_FIELDS = frozenset(
    {
        "vpc",
        "subnet",
        "subnets",
        "route_table",
        "route_tables",
        "security_groups",
        "transit_gateway",
        "main_route_table",
    }
)


def build_graph(
    inventory: Inventory,
    options: GraphOptions | None = None,
    mode: str | None = None,
    source_dir: str | None = None,
) -> Graph:
    """The graph of `inventory`; `mode`/`source_dir` say how it was read (summary.mode)."""
    options = options or GraphOptions()
    b = Builder(inventory)
    build_vpcs(b)
    build_subnets(b)
    build_route_tables(b)
    build_gateways(b)
    build_dhcp(b)
    build_security_groups(b)
    build_endpoints(b)
    build_zones(b)
    build_workloads(b, options)
    link(b)
    for name in COLLECTIONS:
        for item in b.collections[name]:
            for edge, reason in item["unknown"].items():  # (most items have none: 11,000 in 16k)
                if edge in EDGE_FIELDS and reason is not None:
                    b.edges.fail(item["address"], edge, reason, count=reason == "ambiguous reference")
    doc: dict[str, Any] = {"version": 1, "region": inventory.region}
    for name in COLLECTIONS:
        doc[name] = tuple(sorted(b.collections[name], key=lambda item: item["address"]))
    doc["summary"] = {
        "source": inventory.source,
        "kind": inventory.kind,
        "resources": len(inventory.instances),
        "edges": b.edges.summary(),
        **{name: len(doc[name]) for name in COLLECTIONS},
    }
    if inventory.refused:
        doc["summary"]["refused"] = list(inventory.refused)
    if mode is not None:
        doc["summary"]["mode"] = mode
        doc["summary"]["source_dir"] = source_dir
    graph = Graph(doc, inventory.notes)
    add_facts(graph, options)  # its items are still drafts: written before anything reads them
    return graph
