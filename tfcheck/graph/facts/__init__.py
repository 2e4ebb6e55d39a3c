"""Graph stage, last step: facts that need the whole graph, one module per collection.

Each module writes fields only into items of its own collection, reading the rest of the
graph through its indexes. Order matters: endpoints read their VPC's workload AZs, route
tables their workloads' needs, so VPCs come first.
"""

from __future__ import annotations

from tfcheck.graph.facts import attachments, endpoints, route_tables, vpcs, workloads, zones
from tfcheck.graph.facts.context import Facts
from tfcheck.graph.model import Graph, GraphOptions


def add_facts(graph: Graph, options: GraphOptions) -> None:
    """Fill the derived fields of `graph`'s items (still being built: nothing has read them)."""
    ctx = Facts(graph, options)
    for endpoint in ctx.drafts("endpoints"):
        endpoints.hub_dns(ctx, endpoint)
    for vpc in ctx.drafts("vpcs"):
        vpcs.vpc_facts(ctx, vpc)
        zones.zone_facts(ctx, vpc)
    for endpoint in ctx.drafts("endpoints"):
        endpoints.endpoint_facts(ctx, endpoint)
    for workload in ctx.drafts("workloads"):
        workloads.workload_facts(ctx, workload)
    for table in ctx.drafts("route_tables"):
        route_tables.route_table_facts(ctx, table)
    for attachment in ctx.drafts("tgw_attachments"):
        attachments.attachment_facts(ctx, attachment)
