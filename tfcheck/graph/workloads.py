"""Graph stage: workloads (ECS, Lambda, instances, ...) and the AWS services they need.

What needs what is the domain spec's section 1 ("Workloads in private subnets"): an ECS
task's ECR image needs ecr.api, ecr.dkr and s3; awslogs needs logs; secrets need
secretsmanager or ssm; ECS Exec needs ssmmessages; container instances need the ECS agent
endpoints. Users declare the rest (config, or the `tfcheck:requires` tag).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from tfcheck import aws
from tfcheck.globs import matches
from tfcheck.graph.builder import Builder, Draft, new_item, put_edge
from tfcheck.graph.edges import Edges, as_bool, blocks, scalar
from tfcheck.graph.eks import eks_cluster, node_group_security_groups
from tfcheck.graph.iam import Roles, RoleUse
from tfcheck.graph.kinds import kind_needs
from tfcheck.graph.managed_workloads import build_managed_workloads
from tfcheck.graph.model import GraphOptions
from tfcheck.graph.needs import add_evidence
from tfcheck.graph.workload_roles import role_uses
from tfcheck.model import Instance, Ref, Unknown

AGENT = ("ecs", "ecs-agent", "ecs-telemetry")
REQUIRES_TAG = "tfcheck:requires"


def build_workloads(b: Builder, options: GraphOptions) -> None:
    by_type, edges = b.by_type, b.edges
    subnets = {s["address"]: s for s in b.collections["subnets"]}
    launch_templates = {i.address: i for i in by_type.get("aws_launch_template", ())}
    workloads: dict[str, Draft] = {}
    roles = Roles(b)
    uses: dict[str, list[RoleUse]] = {}

    def add(
        inst: Instance,
        kind: str,
        subnet_value: Any,
        sg_value: Any,
        public_ip: Any,
        public_default: bool | None = False,
        task: Instance | None = None,
        template: Instance | None = None,
    ) -> Draft:
        uses[inst.address] = role_uses(b, roles, inst, kind, task, template)
        item = new_item(
            inst, kind=kind, launch_type=None, host=None, host_needs=[], needs=[], need_reasons={}
        )
        put_edge(item, "subnets", edges.follow(subnet_value), many=True)
        put_edge(item, "security_groups", edges.follow(sg_value), many=True)
        item["public_ip"], reason = as_bool(public_ip, public_default)
        if reason:
            item["unknown"]["public_ip"] = reason
        workloads[inst.address] = item
        return item

    hosted: dict[str, tuple[dict[str, str], list[str]]] = {}  # ASG → needs of EC2 tasks on it
    for inst in by_type.get("aws_ecs_service", ()):
        net = _block(
            inst.values.get("network_configuration"), "subnets", "security_groups", "assign_public_ip"
        )
        item = add(
            inst,
            "ecs_service",
            net.get("subnets"),
            net.get("security_groups"),
            net.get("assign_public_ip"),
            task=task_definition(inst, edges),
        )
        if not net:
            item["unknown"].setdefault("subnets", "no awsvpc network_configuration")
        item["launch_type"], asg = _launch_type(inst, by_type, edges)
        needs, reason = task_needs(inst, edges)
        if reason:
            item["unknown"]["needs"] = reason
        as_bool_exec, _ = as_bool(inst.values.get("enable_execute_command"), False)
        if as_bool_exec:
            needs["ssmmessages"] = "ECS Exec (enable_execute_command)"
        if item["launch_type"] == "EC2":
            for service in AGENT:
                needs[service] = "ECS container instances (EC2 launch type)"
            # Image pulls, awslogs, secrets and the agent travel the container instances'
            # path (domain spec section 2); only ECS Exec uses the task's own ENI.
            item["host_needs"] = sorted(k for k in needs if k != "ssmmessages")
            host = edges.instances.get(asg or "")
            if host is not None and host.type == "aws_autoscaling_group":
                item["host"] = host.address
                moved = hosted.setdefault(host.address, ({}, []))
                moved[0].update(
                    {k: f"{v}, for {inst.address}" for k, v in needs.items() if k != "ssmmessages"}
                )
                if "needs" in item["unknown"]:
                    moved[1].append(item["unknown"].pop("needs"))
            else:
                item["unknown"]["host"] = (
                    "no capacity provider names the Auto Scaling group of its container instances"
                    if asg is None
                    else "container instances not in plan"
                )
            needs = {k: v for k, v in needs.items() if k == "ssmmessages"}
        item["need_reasons"].update(needs)
    for inst in by_type.get("aws_lambda_function", ()):
        config = [_block(inst.values.get("vpc_config"), "subnet_ids", "security_group_ids")]
        if config[0] and (config[0].get("subnet_ids") or isinstance(config[0].get("subnet_ids"), Unknown)):
            add(inst, "lambda", config[0].get("subnet_ids"), config[0].get("security_group_ids"), False)
    for inst in by_type.get("aws_instance", ()):
        subnet = subnets.get(edges.follow(inst.values.get("subnet_id"), count=False).one or "")
        default = subnet["map_public_ip"] if subnet else None
        item = add(
            inst,
            "instance",
            inst.values.get("subnet_id"),
            inst.values.get("vpc_security_group_ids"),
            inst.values.get("associate_public_ip_address"),
            default,
        )
        if len(item["subnets"]) > 1:  # an instance has one subnet: several are a reading, not a fact
            item["unknown"].setdefault("subnets", "ambiguous reference")
    for inst in by_type.get("aws_autoscaling_group", ()):
        template = _launch_template(inst, launch_templates, edges)
        sgs: Any = Unknown("no launch template in plan")
        public: Any = None
        if template is not None:
            interfaces = blocks(template.values.get("network_interfaces"))
            sgs = template.values.get("vpc_security_group_ids") or (
                interfaces[0].get("security_groups") if interfaces else None
            )
            public = interfaces[0].get("associate_public_ip_address") if interfaces else None
        add(inst, "autoscaling_group", inst.values.get("vpc_zone_identifier"), sgs, public, template=template)
    for address, (needs, reasons) in hosted.items():
        if address in workloads:
            workloads[address]["need_reasons"].update(needs)
            if reasons:
                workloads[address]["unknown"]["needs"] = reasons[0]
    for inst in by_type.get("aws_eks_node_group", ()):
        template = _launch_template(inst, launch_templates, edges)
        cluster = eks_cluster(b, inst.values.get("cluster_name"))
        groups = node_group_security_groups(
            b, cluster, template.values.get("vpc_security_group_ids") if template else None
        )
        if groups is None or (blocks(inst.values.get("launch_template")) and template is None):
            groups = Unknown(
                "EKS cluster security group of a cluster not in plan"
                if groups is None
                else "launch template not in plan"
            )
        item = add(inst, "eks_node_group", inst.values.get("subnet_ids"), groups, False, template=template)
        kind_needs(b, item, inst, cluster)
    for inst in by_type.get("aws_batch_compute_environment", ()):
        resources = _block(inst.values.get("compute_resources"), "subnets", "security_group_ids", "type")
        if not resources:
            continue
        item = add(
            inst,
            "batch_compute_environment",
            resources.get("subnets"),
            resources.get("security_group_ids"),
            False,
        )
        kind, reason = scalar(resources.get("type"))
        if reason:
            item["unknown"]["needs"] = reason  # EC2 environments also need the agent endpoints
        if kind in ("EC2", "SPOT"):
            for service in AGENT:
                item["need_reasons"][service] = "Batch container instances run the ECS agent"

    build_managed_workloads(b, add)
    for item in workloads.values():
        tags = edges.instances[item["address"]].values.get("tags")
        _declared_needs(item, tags if isinstance(tags, dict) else {}, options)
        if "needs" in item["unknown"] and options.default_needs is not None:
            for service in options.default_needs:
                item["need_reasons"].setdefault(service, "default needs (config)")
            item["unknown"].pop("needs")
        found, reason = roles.needs(uses.get(item["address"], []))
        if reason and (options.needs_from is None or "iam" in options.needs_from):
            item["unknown"]["need_evidence"] = reason
        add_evidence(item, found, options.needs_from)
        item["needs"] = sorted(item["need_reasons"])
        vpcs = {subnets[s]["vpc"] for s in item["subnets"] if s in subnets}
        item["vpc"] = vpcs.pop() if len(vpcs) == 1 else None
        if item["vpc"] is None:
            item["unknown"]["vpc"] = "subnets unknown" if not vpcs else "subnets in several VPCs"
        azs = {subnets[s]["az"] for s in item["subnets"] if s in subnets}
        item["azs"] = sorted(a for a in azs if a)
        if None in azs or "subnets" in item["unknown"]:
            item["unknown"]["azs"] = item["unknown"].get("subnets", "subnet AZ unknown")
        b.add("workloads", item)


def _block(value: Any, *fields: str) -> dict[str, Any]:
    """The first nested block; a wholly unknown one (a dynamic block, from a plan alone)
    gives each field that Unknown, so the workload stays in the graph, undecided."""
    if isinstance(value, Unknown):
        return {name: value for name in fields}
    return dict((blocks(value) or [{}])[0])


def _launch_type(
    inst: Instance, by_type: Mapping[str, list[Instance]], edges: Edges
) -> tuple[str | None, str | None]:
    """FARGATE or EC2, and the Auto Scaling group behind an EC2 capacity provider."""
    launch, _ = scalar(inst.values.get("launch_type"))
    strategy = blocks(inst.values.get("capacity_provider_strategy"))
    if not strategy:
        cluster = edges.follow(inst.values.get("cluster"), count=False).one
        for cp in by_type.get("aws_ecs_cluster_capacity_providers", ()):
            if cluster and edges.follow(cp.values.get("cluster_name"), count=False).one == cluster:
                strategy = blocks(cp.values.get("default_capacity_provider_strategy"))
    for entry in strategy:
        provider = entry.get("capacity_provider")
        if provider in ("FARGATE", "FARGATE_SPOT"):
            return "FARGATE", None
        target = edges.follow(provider, count=False).one
        if target is None and isinstance(provider, str):
            target = next(
                (
                    cp.address
                    for cp in by_type.get("aws_ecs_capacity_provider", ())
                    if cp.values.get("name") == provider
                ),
                None,
            )
        if target is not None:
            cp_values = edges.instances[target].values
            asg = (blocks(cp_values.get("auto_scaling_group_provider")) or [{}])[0]
            return "EC2", edges.follow(asg.get("auto_scaling_group_arn"), count=False).one
        return "EC2", None
    if isinstance(launch, str):
        return launch, None
    return ("EC2", None) if launch is None and not strategy else (None, None)


def _launch_template(inst: Instance, templates: Mapping[str, Instance], edges: Edges) -> Instance | None:
    specs = blocks(inst.values.get("launch_template"))
    for policy in blocks(inst.values.get("mixed_instances_policy")):
        for lt in blocks(policy.get("launch_template")):
            specs += [
                {"id": s.get("launch_template_id")} for s in blocks(lt.get("launch_template_specification"))
            ]
    for spec in specs:
        target = edges.follow(spec.get("id") or spec.get("name"), count=False).one
        if target is not None and target in templates:
            return templates[target]
    return None


def task_needs(service: Instance, edges: Edges) -> tuple[dict[str, str], str | None]:
    """Services an ECS service's task definition needs, and why the list may be incomplete."""
    value = service.values.get("task_definition")
    task = task_definition(service, edges)
    if task is None:
        return {}, value.reason if isinstance(
            value, Unknown
        ) and not value.refs else "task definition not in plan"
    return container_needs(task.values.get("container_definitions"))


def task_definition(service: Instance, edges: Edges) -> Instance | None:
    """The task definition of an ECS service, if the plan holds it."""
    value = service.values.get("task_definition")
    target = edges.follow(value, count=False).one or _task_definition(value, edges)
    return edges.instances.get(target or "")


def _task_definition(value: Any, edges: Edges) -> str | None:
    """The task definition named by `"${family}:${revision}"` (its revision is unknown until
    apply, so the string is; its parts still name the resource) or by a known family."""
    refs = value.refs if isinstance(value, Unknown) else (value,) if isinstance(value, Ref) else ()
    found = {
        ref.address
        for ref in refs
        if ref.address in edges.instances and edges.instances[ref.address].type == "aws_ecs_task_definition"
    }
    if not found and isinstance(value, str) and value:
        family = value.rsplit("task-definition/", 1)[-1].split(":")[0]
        found = {
            inst.address
            for inst in edges.instances.values()
            if inst.type == "aws_ecs_task_definition" and inst.values.get("family") == family
        }
    return found.pop() if len(found) == 1 else None


def container_needs(value: Any) -> tuple[dict[str, str], str | None]:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except (ValueError, RecursionError):
            return {}, "container_definitions is not JSON"
    if isinstance(value, Unknown):
        return {}, value.reason
    if not isinstance(value, list):
        return {}, "container_definitions unknown"
    needs: dict[str, str] = {}
    reason: str | None = None
    for container in value:
        if not isinstance(container, dict):
            # One container wholly unknown (a jsonencode'd list built by a for expression
            # over partly unknown values): its needs cannot be read.
            reason = reason or (
                container.reason if isinstance(container, Unknown) else "container definition unknown"
            )
            continue
        image = container.get("image")
        if _is_ecr(image):
            needs.setdefault("ecr.api", "ECR image pull (authentication)")
            needs.setdefault("ecr.dkr", "ECR image pull")
            needs.setdefault("s3", "ECR image layers live in S3 (gateway endpoint only)")
        elif not isinstance(image, str):
            reason = image.reason if isinstance(image, Unknown) else "image unknown"
        log = container.get("logConfiguration")
        if isinstance(log, dict) and log.get("logDriver") == "awslogs":
            needs.setdefault("logs", "awslogs log driver")
        secrets = container.get("secrets")
        for secret in secrets if isinstance(secrets, list) else ():
            source = secret.get("valueFrom") if isinstance(secret, dict) else None
            service = _secret_service(source)
            if service:
                needs.setdefault(service, "secrets injected at task start")
            else:
                reason = reason or "secret source unknown"
        credentials = container.get("repositoryCredentials")
        if isinstance(credentials, dict) and credentials.get("credentialsParameter"):
            needs.setdefault("secretsmanager", "private registry credentials")
    return needs, reason


def _is_ecr(image: Any) -> bool:
    if isinstance(image, str):
        return aws.ecr_image_region(image) is not None
    return any("aws_ecr_repository." in ref.address for ref in _refs(image))


def _refs(value: Any) -> tuple[Ref, ...]:
    """What a partly unknown value was built from (an image URL from an ECR repository, ...)."""
    if isinstance(value, Unknown):
        return value.refs
    return (value,) if isinstance(value, Ref) else ()


def _secret_service(source: Any) -> str | None:
    if isinstance(source, str):
        return aws.secret_service(source)
    for ref in _refs(source):
        if "aws_secretsmanager_secret" in ref.address:
            return "secretsmanager"
        if "aws_ssm_parameter." in ref.address:
            return "ssm"
    return None


def _declared_needs(item: Draft, tags: Mapping[str, Any], options: GraphOptions) -> None:
    declared = tags.get(REQUIRES_TAG)
    if isinstance(declared, str):
        for service in declared.replace(" ", ",").split(","):
            if service:
                item["need_reasons"].setdefault(service.strip(), f"declared by tag {REQUIRES_TAG}")
    for pattern, services in options.extra_needs:
        if matches(pattern, item["address"]):
            for service in services:
                item["need_reasons"].setdefault(service, "declared in config")
