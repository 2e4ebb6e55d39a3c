"""Graph stage: the security group EKS creates with each cluster, as a known group.

EKS makes the cluster security group itself (`vpc_config[0].cluster_security_group_id`,
unknown until apply) with an inbound rule admitting all traffic from its members and an
outbound rule admitting all traffic (domain spec section 4; AWS: "Amazon EKS security group
requirements"). Its members are the cluster's network interfaces, managed node groups whose
launch template names no security groups, and whatever references it. It is modelled as
`<cluster address>:cluster_sg`, so endpoints and node groups that share it are decided.
"""

from __future__ import annotations

from typing import Any

from tfcheck.aws import SYNTHETIC_ITEMS, managed_group_rules
from tfcheck.graph.builder import Builder
from tfcheck.graph.edges import blocks
from tfcheck.model import Ref

SUFFIX = SYNTHETIC_ITEMS[("aws_eks_cluster", "cluster_security_group_id")]
DOC = "https://docs.aws.amazon.com/eks/latest/userguide/sec-group-reqs.html"


def build_cluster_groups(builder: Builder) -> None:
    for cluster in builder.of("aws_eks_cluster"):
        config = (blocks(cluster.values.get("vpc_config")) or [{}])[0]
        subnets = [
            builder.find(a, "subnets")
            for a in builder.edges.follow(config.get("subnet_ids"), count=False).addresses
        ]
        vpcs = {s["vpc"] for s in subnets if s is not None}
        item = builder.add(
            "security_groups",
            {
                "address": cluster.address + SUFFIX,
                "resource_type": "eks_cluster_security_group",
                "vpc": vpcs.pop() if len(vpcs) == 1 else None,
                "implicit": True,
                **managed_group_rules(),
                "unknown": {},
                "file": cluster.file,
                "line": cluster.line,
            },
        )
        if item["vpc"] is None:
            item["unknown"]["vpc"] = "cluster subnets unknown or in several VPCs"


def node_group_security_groups(builder: Builder, cluster: str | None, template_groups: Any) -> Any:
    """A managed node group's groups: its launch template's, else its cluster's group."""
    if template_groups:
        return template_groups
    if cluster is not None and builder.edges.instances[cluster].type == "aws_eks_cluster":
        return [Ref(cluster, "cluster_security_group_id")]
    return None


def eks_cluster(builder: Builder, value: Any) -> str | None:
    """The cluster a `cluster_name` names: a reference, or the name of a cluster in the plan."""
    found = builder.edges.follow(value, count=False).one
    if found is None and isinstance(value, str):
        named = [c.address for c in builder.of("aws_eks_cluster") if c.values.get("name") == value]
        found = named[0] if len(named) == 1 else None
    return found
