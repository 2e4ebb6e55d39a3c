"""Graph stage helper: the IAM roles each kind of workload runs with (domain spec section 4).

An ECS service's task role and execution role (from its task definition), a Lambda
function's role, an instance's or launch template's instance profile role, an EKS node
group's node role, a Batch compute environment's instance role.
"""
from __future__ import annotations

from typing import Any

from tfcheck.graph.builder import Builder
from tfcheck.graph.edges import blocks
from tfcheck.graph.iam import RoleUse, Roles
from tfcheck.model import Instance, Ref, Unknown


def role_uses(b: Builder, roles: Roles, inst: Instance, kind: str, task: Instance | None,
              template: Instance | None) -> list[RoleUse]:
    """The roles whose permissions are evidence of what `inst` calls, with their labels."""
    values = inst.values
    if kind == "ecs_service":
        if task is None:
            return []
        return [*(RoleUse(r, "task role") for r in roles.roles(task.values.get("task_role_arn"))),
                *(RoleUse(r, "execution role", ("execution",))
                  for r in roles.roles(task.values.get("execution_role_arn")))]
    if kind == "lambda":
        behalf = ("lambda", "lambda_event_source") if _has_event_source(b, inst) else ("lambda",)
        return [RoleUse(r, "Lambda role", behalf) for r in roles.roles(values.get("role"))]
    if kind == "instance":
        return [RoleUse(r, "instance profile role")
                for r in roles.profile_roles(values.get("iam_instance_profile"))]
    if kind == "autoscaling_group" and template is not None:
        profile = (blocks(template.values.get("iam_instance_profile")) or [{}])[0]
        value = profile.get("arn") or profile.get("name")
        return [RoleUse(r, "instance profile role") for r in roles.profile_roles(value)]
    if kind == "eks_node_group":
        return [RoleUse(r, "node role") for r in roles.roles(values.get("node_role_arn"))]
    if kind == "batch_compute_environment":
        resources = (blocks(values.get("compute_resources")) or [{}])[0]
        return [RoleUse(r, "instance role") for r in roles.profile_roles(resources.get("instance_role"))]
    return []


def _has_event_source(b: Builder, function: Instance) -> bool:
    """An event source mapping polls for this function (its poller's reads are not the code's)."""
    name = function.values.get("function_name")
    return any(_names(m.values.get("function_name"), function.address, name)
               for m in b.of("aws_lambda_event_source_mapping"))


def _names(value: Any, address: str, name: Any) -> bool:
    if isinstance(value, Ref):
        return value.address == address
    if isinstance(value, Unknown):
        return any(ref.address == address for ref in value.refs)
    return isinstance(value, str) and bool(value) and (
        value == name or value.rsplit(":", 1)[-1] == name)

