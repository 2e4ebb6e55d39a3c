"""AWS provider facts tfcheck relies on: what an attribute points at, defaults, service names."""

from __future__ import annotations

import re
from typing import Any

VPC = ("aws_vpc", "aws_default_vpc")
SUBNET = ("aws_subnet", "aws_default_subnet")
ROUTE_TABLE = ("aws_route_table", "aws_default_route_table")
SECURITY_GROUP = ("aws_security_group", "aws_default_security_group")
# Objects AWS creates with a resource that hold security groups: a reference to
# `aws_eks_cluster.x.vpc_config[0].cluster_security_group_id` names the EKS cluster security
# group (graph/eks.py models it as `<cluster>:cluster_sg`).
SG_HOLDERS = SECURITY_GROUP + ("aws_eks_cluster",)
# (resource type, nested block, computed attribute): a reference through the block to the
# attribute stands for that attribute of the resource (its only instance of the block).
NESTED_COMPUTED = {("aws_eks_cluster", "vpc_config"): ("cluster_security_group_id", "vpc_id")}
# (resource type, attribute) → the suffix of the graph item it names.
SYNTHETIC_ITEMS = {("aws_eks_cluster", "cluster_security_group_id"): ":cluster_sg"}
# Data sources that read back one managed resource of the same type, by the argument that
# names it: with that argument referencing a resource in the plan, the data source is it.
DATA_READS = {
    "aws_eks_cluster": ("name",),
    "aws_vpc": ("id",),
    "aws_subnet": ("id",),
    "aws_security_group": ("id", "name"),
    "aws_iam_role": ("name",),
    "aws_vpc_endpoint": ("id",),
    "aws_route_table": ("route_table_id",),
    "aws_nat_gateway": ("id",),
    "aws_ecs_cluster": ("cluster_name",),
    "aws_lambda_function": ("function_name",),
}

# Which resource types a reference in an attribute of this name can mean. Used to pick the
# right references out of one expression (an inline `route` keeps a single reference list).
ATTRIBUTE_TARGETS: dict[str, tuple[str, ...]] = {
    "vpc_id": VPC,
    "subnet_id": SUBNET,
    "subnet_ids": SUBNET,
    "subnets": SUBNET,
    "vpc_zone_identifier": SUBNET,
    "route_table_id": ROUTE_TABLE,
    "route_table_ids": ROUTE_TABLE,
    "default_route_table_id": VPC,
    "security_group_id": SG_HOLDERS,
    "security_group_ids": SG_HOLDERS,
    "vpc_security_group_ids": SG_HOLDERS,
    "source_security_group_id": SG_HOLDERS,
    "referenced_security_group_id": SG_HOLDERS,
    "nat_gateway_id": ("aws_nat_gateway",),
    # AWS accepts a NAT gateway's id in gateway_id too, and real code does this.
    "gateway_id": ("aws_internet_gateway", "aws_vpn_gateway", "aws_vpc_endpoint", "aws_nat_gateway"),
    "transit_gateway_id": ("aws_ec2_transit_gateway",),
    "vpc_peering_connection_id": ("aws_vpc_peering_connection",),
    "network_interface_id": ("aws_network_interface", "aws_instance"),
    "egress_only_gateway_id": ("aws_egress_only_internet_gateway",),
    "vpc_endpoint_id": ("aws_vpc_endpoint", "aws_networkfirewall_firewall"),
    "dhcp_options_id": ("aws_vpc_dhcp_options", "aws_default_vpc_dhcp_options"),
    "internet_gateway_id": ("aws_internet_gateway",),
    "task_definition": ("aws_ecs_task_definition",),
    "auto_scaling_group_arn": ("aws_autoscaling_group",),
}

# Arguments that hold a document (JSON or text) built from other values, never an id: a
# configured unknown one is one Unknown built from its references, not a list of them.
DOCUMENT_ATTRIBUTES = frozenset(
    {
        "container_definitions",
        "policy",
        "assume_role_policy",
        "user_data",
        "definition",
        "access_policy",
        "template_body",
        "container_properties",
        "node_properties",
    }
)

# Route attributes → the kind of next hop they name when the target is not a resource in the
# plan (a known id, or an unknown value); a target in the plan is judged by its type
# (ROUTE_TARGET_TYPES), whichever argument holds it (domain spec section 4).
ROUTE_TARGETS: dict[str, str] = {
    "nat_gateway_id": "nat",
    "gateway_id": "igw",
    "transit_gateway_id": "tgw",
    "vpc_peering_connection_id": "peering",
    "network_interface_id": "eni",
    "egress_only_gateway_id": "egress_only_igw",
    "vpc_endpoint_id": "vpce",
    "local_gateway_id": "other",
    "carrier_gateway_id": "other",
    "core_network_arn": "other",
}

# The resource a route's target references → the kind of next hop it is.
ROUTE_TARGET_TYPES: dict[str, str] = {
    "aws_nat_gateway": "nat",
    "aws_internet_gateway": "igw",
    "aws_egress_only_internet_gateway": "egress_only_igw",
    "aws_ec2_transit_gateway": "tgw",
    "aws_vpc_peering_connection": "peering",
    "aws_vpc_peering_connection_accepter": "peering",
    "aws_network_interface": "eni",
    "aws_instance": "eni",
    "aws_vpc_endpoint": "vpce",
    "aws_networkfirewall_firewall": "firewall",
    "aws_vpn_gateway": "vgw",
}

# Known ids of resources outside the plan, by prefix.
ID_PREFIX_KIND = {
    "igw-": "igw",
    "nat-": "nat",
    "tgw-": "tgw",
    "pcx-": "peering",
    "eni-": "eni",
    "eigw-": "egress_only_igw",
    "vpce-": "vpce",
    "vgw-": "vgw",
    "lgw-": "other",
    "cagw-": "other",
    "local": "local",
}

GATEWAY_SERVICES = frozenset({"s3", "dynamodb", "s3express"})

_SERVICE_NAME = re.compile(r"^com\.amazonaws\.(?:vpce\.)?([a-z]{2}(?:-[a-z]+)+-\d+)\.(.+)$")
_ECR_IMAGE = re.compile(r"^\d{12}\.dkr\.ecr(?:-fips)?\.([a-z]{2}(?:-[a-z]+)+-\d+)\.amazonaws\.com(?:\.cn)?/")


def parse_service_name(name: str) -> tuple[str | None, str | None, bool]:
    """`com.amazonaws.us-east-1.ecr.api` → ("us-east-1", "ecr.api", True).

    Endpoint services (`com.amazonaws.vpce.<region>.vpce-svc-…`) and third-party names are
    not AWS services: their private DNS rules differ.
    """
    match = _SERVICE_NAME.match(name)
    if not match:
        return None, None, False
    region, service = match.group(1), match.group(2)
    is_aws = not name.startswith("com.amazonaws.vpce.") and not service.startswith("vpce-svc-")
    return region, service, is_aws


def ecr_image_region(image: str) -> str | None:
    match = _ECR_IMAGE.match(image)
    return match.group(1) if match else None


def secret_service(value_from: str) -> str:
    """`secrets[].valueFrom`: Secrets Manager ARN → secretsmanager; SSM ARN or name → ssm."""
    if value_from.startswith("arn:") and ":secretsmanager:" in value_from:
        return "secretsmanager"
    return "ssm"


# What breaks when a workload cannot reach a service (for messages).
NEED_CONSEQUENCES: dict[str, str] = {
    "ecr.api": "the image pull cannot authenticate, so the task never starts",
    "ecr.dkr": "the image pull times out, so the task never starts",
    "s3": "ECR image layers (stored in S3) cannot be fetched, so the task never starts",
    "logs": "the awslogs driver cannot create its stream, so the task fails to start",
    "secretsmanager": "secrets cannot be injected, so the task fails to start",
    "ssm": "SSM parameters cannot be injected, so the task fails to start",
    "ssmmessages": "ECS Exec sessions cannot connect",
    "ecs": "the ECS agent cannot register the container instance",
    "ecs-agent": "the ECS agent cannot receive tasks",
    "ecs-telemetry": "the ECS agent cannot send metrics",
    "ec2": "nodes cannot join the cluster",
    "sts": "role assumption and web identity calls fail",
}

# Data sources the provider computes locally, without an AWS call: tfcheck computes them too
# when the plan defers them (hcl/policy_document.py), in plan and source mode alike.
OFFLINE_DATA_TYPES = frozenset({"aws_iam_policy_document"})


def managed_group_rules() -> dict[str, list[dict[str, Any]]]:
    """The rules AWS gives a VPC's default group and an EKS cluster group: all traffic from
    the group's members, all traffic out (new lists each call: drafts are edited until frozen)."""
    rule = {
        "protocol": "-1",
        "from_port": 0,
        "to_port": 0,
        "cidr_blocks": [],
        "ipv6_cidr_blocks": [],
        "prefix_lists": [],
        "security_groups": [],
    }
    return {
        "ingress": [{**rule, "self": True}],
        "egress": [{**rule, "self": False, "cidr_blocks": ["0.0.0.0/0"]}],
    }
