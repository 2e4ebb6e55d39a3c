"""The path a workload's calls to one AWS service take from one of its subnets.

Shared by the workload facts (the worst path over its subnets) and by cost (traffic is
routed subnet by subnet). Domain spec section 1: a gateway endpoint on the subnet's route
table (S3, DynamoDB), an interface endpoint with private DNS in the VPC (its own Region's,
with both VPC DNS attributes on), else the subnet's default route.
"""

from __future__ import annotations

from typing import Any

from tfcheck.graph.facts.context import GATEWAY_ABLE, Facts
from tfcheck.graph.facts.zones import zone_path
from tfcheck.graph.model import Item


def path(ctx: Facts, w: Item, subnet: Item, service: str) -> dict[str, Any]:
    maybe = False
    vpc = subnet["vpc"]
    zoned = zone_path(ctx, subnet, service)
    if zoned is not None and zoned["via"] == "none":
        return zoned  # a private zone shadows the service's name: nothing answers it
    for ep in ctx.in_vpc(vpc, "endpoints"):
        if ep["service"] != service:
            maybe = maybe or (ep["service"] is None and "service" in ep["unknown"])
            continue
        if ep["region"] != ep["vpc_region"]:
            # Another Region's service (cross-Region PrivateLink) does not serve this one.
            maybe = maybe or ep["region"] is None or ep["vpc_region"] is None
            continue
        if ep["type"] == "Gateway" and service in GATEWAY_ABLE:
            if subnet["route_table"] in ep["route_tables"]:
                return {"via": "gateway_endpoint", "endpoint": ep["address"]}
            maybe = maybe or "route_tables" in ep["unknown"] or subnet["route_table"] is None
        elif ep["type"] == "Interface":
            if service == "s3" and "ECR" in w["need_reasons"].get("s3", ""):
                continue  # ECR layers are served only by the S3 gateway endpoint
            if not ep["subnets"]:
                maybe = maybe or "subnets" in ep["unknown"]
                continue
            dns = (ep["vpc_dns_support"], ep["vpc_dns_hostnames"])
            if ep["private_dns"] and not ep["hub_dns"] and False in dns:
                continue  # private DNS needs both VPC DNS attributes (VPCE011 says so)
            if ep["private_dns"] and not ep["hub_dns"] and None in dns:
                maybe = True
                continue
            if ep["private_dns"] or ep["hub_dns"]:
                same = subnet["az"] in ep["azs"]
                return {
                    "via": "interface_endpoint_same_az" if same else "interface_endpoint_other_az",
                    "endpoint": ep["address"],
                }
            maybe = maybe or ep["private_dns"] is None
    if zoned is not None:
        return zoned
    egress = subnet["egress"]
    via = egress if egress in ("nat", "other", "none", "unknown") else "igw"
    if egress == "igw":
        via = {True: "igw", False: "none", None: "unknown"}[w["public_ip"]]
    nat = ctx.find(subnet["egress_target"], "nat_gateways") if via == "nat" else None
    if nat is not None and nat.get("reaches", "internet") in ("none", None):
        # A NAT gateway that leads nowhere is no path (domain spec section 4).
        return {
            "via": "unknown" if maybe or nat.get("reaches") is None else "none",
            "endpoint": nat["address"],
        }
    if via in ("none", "unknown") and maybe:
        via = "unknown"
    return {"via": via, "endpoint": subnet["egress_target"] if via in ("nat", "igw", "other") else None}
