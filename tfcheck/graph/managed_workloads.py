"""Graph stage: managed services that run in a VPC's subnets beyond ECS, Lambda, EC2 and EKS
node groups, whose network placement lives in their own blocks (domain spec section 4; each kind's documented needs are
in graph/kinds.json with its source): EKS Fargate profiles, CodeBuild projects with
`vpc_config`, SageMaker domains in VPC-only mode and notebook instances without direct
internet access, MWAA environments, Glue connections and App Runner VPC connectors.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tfcheck import aws
from tfcheck.graph.builder import Builder, Draft
from tfcheck.graph.edges import blocks, scalar
from tfcheck.graph.eks import eks_cluster, node_group_security_groups
from tfcheck.graph.kinds import kind_needs
from tfcheck.model import Instance, Unknown

Add = Callable[..., Draft]


def _first(value: Any) -> dict[str, Any]:
    if isinstance(value, Unknown):
        return {}
    return dict((blocks(value) or [{}])[0])


def build_managed_workloads(b: Builder, add: Add) -> None:
    """Add each VPC-attached instance of the other kinds as a workload, with its needs."""
    for inst in b.of("aws_eks_fargate_profile"):
        cluster = eks_cluster(b, inst.values.get("cluster_name"))
        groups = node_group_security_groups(b, cluster, None) or Unknown("EKS cluster not in plan")
        item = add(inst, "eks_fargate_profile", inst.values.get("subnet_ids"), groups, False)
        kind_needs(b, item, inst, cluster)
    for inst in b.of("aws_codebuild_project"):
        config = _first(inst.values.get("vpc_config"))
        if config:
            item = add(
                inst, "codebuild_project", config.get("subnets"), config.get("security_group_ids"), False
            )
            _codebuild_needs(item, inst)
            kind_needs(b, item, inst, None)
    for inst in b.of("aws_sagemaker_domain"):
        mode, _ = scalar(inst.values.get("app_network_access_type"), "PublicInternetOnly")
        if mode == "VpcOnly":
            settings = _first(inst.values.get("default_user_settings"))
            item = add(
                inst,
                "sagemaker_domain",
                inst.values.get("subnet_ids"),
                settings.get("security_groups"),
                False,
            )
            kind_needs(b, item, inst, None)
    for inst in b.of("aws_sagemaker_notebook_instance"):
        direct, _ = scalar(inst.values.get("direct_internet_access"), "Enabled")
        if inst.values.get("subnet_id") and direct == "Disabled":
            item = add(
                inst,
                "sagemaker_notebook_instance",
                inst.values.get("subnet_id"),
                inst.values.get("security_groups"),
                False,
            )
            kind_needs(b, item, inst, None)
    for inst in b.of("aws_mwaa_environment"):
        net = _first(inst.values.get("network_configuration"))
        item = add(inst, "mwaa_environment", net.get("subnet_ids"), net.get("security_group_ids"), False)
        kind_needs(b, item, inst, None)
        if inst.values.get("kms_key"):
            item["need_reasons"].setdefault(
                "kms", "MWAA environment encrypted with a customer managed key (kms_key)"
            )
    for inst in b.of("aws_glue_connection"):
        req = _first(inst.values.get("physical_connection_requirements"))
        if req.get("subnet_id"):
            item = add(
                inst, "glue_connection", req.get("subnet_id"), req.get("security_group_id_list"), False
            )
            kind_needs(b, item, inst, None)
    for inst in b.of("aws_apprunner_vpc_connector"):
        item = add(
            inst,
            "apprunner_vpc_connector",
            inst.values.get("subnets"),
            inst.values.get("security_groups"),
            False,
        )
        kind_needs(b, item, inst, None)


def _codebuild_needs(item: Draft, inst: Instance) -> None:
    """What a CodeBuild project's own configuration says its builds call."""
    reasons = item["need_reasons"]
    logs = _first(_first(inst.values.get("logs_config")).get("cloudwatch_logs"))
    status, _ = scalar(logs.get("status"), "ENABLED")
    if status != "DISABLED":
        reasons.setdefault(
            "logs", "CodeBuild build logs go to CloudWatch Logs (logs_config.cloudwatch_logs on by default)"
        )
    for block in ("source", "artifacts", "cache"):
        kind, _ = scalar(_first(inst.values.get(block)).get("type"))
        if kind == "S3":
            reasons.setdefault("s3", f"CodeBuild {block} in S3")
    environment = _first(inst.values.get("environment"))
    image = environment.get("image")
    if isinstance(image, str) and aws.ecr_image_region(image) is not None:
        reasons.setdefault("ecr.api", "ECR image pull (authentication), the build image")
        reasons.setdefault("ecr.dkr", "ECR image pull, the build image")
        reasons.setdefault("s3", "ECR image layers live in S3 (gateway endpoint only)")
    for variable in blocks(environment.get("environment_variable")):
        kind, _ = scalar(variable.get("type"), "PLAINTEXT")
        if kind == "SECRETS_MANAGER":
            reasons.setdefault("secretsmanager", "secrets injected at build start (environment_variable)")
        elif kind == "PARAMETER_STORE":
            reasons.setdefault(
                "ssm", "secrets injected at build start (environment_variable, Parameter Store)"
            )
