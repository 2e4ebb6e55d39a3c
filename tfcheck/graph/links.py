"""Graph stage: the back-references, in one place, once every item exists.

An item names what it points at (a subnet its VPC, an endpoint its route tables); the
reverse lists (a VPC's subnets, a table's subnets, a subnet's workloads, ...) follow from
those, in the order the items were built.
"""

from __future__ import annotations

from tfcheck.graph.builder import Builder


def link(b: Builder) -> None:
    for subnet in b.collections["subnets"]:
        vpc = b.find(subnet["vpc"], "vpcs")
        if vpc is not None:
            vpc["subnets"].append(subnet["address"])
        table = b.find(subnet["route_table"], "route_tables")
        if table is not None:
            table["subnets"].append(subnet["address"])
    for endpoint in b.collections["endpoints"]:
        if endpoint["type"] == "Gateway":
            for address in endpoint["route_tables"]:
                table = b.find(address, "route_tables")
                if table is not None:
                    table["gateway_endpoints"].append(endpoint["address"])
        vpc = b.find(endpoint["vpc"], "vpcs")
        if vpc is not None:
            vpc["endpoints"].append(endpoint["address"])
    for workload in b.collections["workloads"]:
        for address in workload["subnets"]:
            used = b.find(address, "subnets")
            if used is not None:
                used["workloads"].append(workload["address"])
