"""Graph stage helper: the IAM roles each kind of workload runs with (domain spec section 4).

An ECS service's task role and execution role (from its task definition), a Lambda
function's role, an instance's or launch template's instance profile role, an EKS node
group's node role, a Batch compute environment's instance role.
"""

from __future__ import annotations

from typing import Any

from tfcheck.graph.builder import Builder
from tfcheck.graph.edges import blocks
from tfcheck.graph.iam import Roles, RoleUse
from tfcheck.model import Instance, Ref, Unknown


def role_uses(
    b: Builder, roles: Roles, inst: Instance, kind: str, task: Instance | None, template: Instance | None
) -> list[RoleUse]:
    """The roles whose permissions are evidence of what `inst` calls, with their labels."""
    values = inst.values
    if kind == "ecs_service":
        if task is None:
            return []
        return [
            *(RoleUse(r, "task role") for r in roles.roles(task.values.get("task_role_arn"))),
            *(
                RoleUse(r, "execution role", ("execution",))
                for r in roles.roles(task.values.get("execution_role_arn"))
            ),
        ]
    if kind == "lambda":
        behalf = ("lambda", "lambda_event_source") if _has_event_source(b, inst) else ("lambda",)
        return [RoleUse(r, "Lambda role", behalf) for r in roles.roles(values.get("role"))]
    if kind == "instance":
        return [
            RoleUse(r, "instance profile role")
            for r in roles.profile_roles(values.get("iam_instance_profile"))
        ]
    if kind == "autoscaling_group" and template is not None:
        profile = (blocks(template.values.get("iam_instance_profile")) or [{}])[0]
        value = profile.get("arn") or profile.get("name")
        return [RoleUse(r, "instance profile role") for r in roles.profile_roles(value)]
    if kind == "eks_node_group":
        return [RoleUse(r, "node role") for r in roles.roles(values.get("node_role_arn"))]
    simple = _ROLE_ATTRS.get(kind)
    if simple is not None:
        block, attr, label, tables = simple
        holder = (blocks(values.get(block)) or [{}])[0] if block else values
        return [RoleUse(r, label, tables) for r in roles.roles(holder.get(attr))]
    if kind == "apprunner_vpc_connector":
        return [
            RoleUse(r, "App Runner instance role")
            for service in b.of("aws_apprunner_service")
            if _uses_connector(service, inst.address)
            for r in roles.roles(_nested(service.values, "instance_configuration").get("instance_role_arn"))
        ]
    if kind == "batch_compute_environment":
        resources = (blocks(values.get("compute_resources")) or [{}])[0]
        return [RoleUse(r, "instance role") for r in roles.profile_roles(resources.get("instance_role"))]
    return []


# kind → (block holding the attribute, or "", role attribute, label, on-behalf tables)
_ROLE_ATTRS: dict[str, tuple[str, str, str, tuple[str, ...]]] = {
    "eks_fargate_profile": ("", "pod_execution_role_arn", "pod execution role", ("execution",)),
    "codebuild_project": ("", "service_role", "service role", ()),
    "sagemaker_domain": ("default_user_settings", "execution_role", "execution role", ()),
    "sagemaker_notebook_instance": ("", "role_arn", "notebook role", ()),
    "mwaa_environment": ("", "execution_role_arn", "execution role", ()),
}


def _nested(values: Any, *path: str) -> dict[str, Any]:
    for name in path:
        values = (blocks(values.get(name) if isinstance(values, dict) else None) or [{}])[0]
    return dict(values)


def _uses_connector(service: Instance, connector: str) -> bool:
    egress = _nested(service.values, "network_configuration", "egress_configuration")
    return _names(egress.get("vpc_connector_arn"), connector, None)


def _has_event_source(b: Builder, function: Instance) -> bool:
    """An event source mapping polls for this function (its poller's reads are not the code's)."""
    name = function.values.get("function_name")
    return any(
        _names(m.values.get("function_name"), function.address, name)
        for m in b.of("aws_lambda_event_source_mapping")
    )


def _names(value: Any, address: str, name: Any) -> bool:
    if isinstance(value, Ref):
        return value.address == address
    if isinstance(value, Unknown):
        return any(ref.address == address for ref in value.refs)
    return isinstance(value, str) and bool(value) and (value == name or value.rsplit(":", 1)[-1] == name)
