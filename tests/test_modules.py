"""Stacks built the way the most used public modules are (fixtures/modules), read three ways:
the plan alone, the plan with its source (the default), and the source alone (HCL mode).

With the source, every edge resolves and the findings equal HCL mode's; the plan alone is
inconclusive where only the source knows (locals, dynamic blocks, null arguments, partly
unknown JSON), never failing where the source passes.
"""

from __future__ import annotations

import json
import shutil
import textwrap
from pathlib import Path
from typing import Any

import pytest

from tfcheck.findings import Outcome
from tfcheck.graph.read import read_graph
from tfcheck.hcl.module import NOT_INSTALLED
from tfcheck.load.inputs import SourceOptions, load_inventory
from tfcheck.load.inventory import build_inventory
from tfcheck.load.plan import PlanDoc
from tfcheck.model import Unknown
from tfcheck.policy.evaluate import evaluate
from tfcheck.policy.load import load_policies

ROOT = Path(__file__).parent.parent
MODULES = ROOT / "fixtures" / "modules"
SCENARIOS = sorted(p.parent.name for p in MODULES.glob("*/plan.json"))

# Why a plan alone leaves edges unknown, per scenario: its configuration has no locals
# (`vpc_id = local.vpc_id`), keeps no `for` expression of a for_each (`each.value` of a map
# computed from subnets), and no dynamic blocks (ECS network_configuration, Batch
# compute_resources). batch_nat's private default routes are `element(aws_nat_gateway.this[*].id,
# local...)` over its one NAT gateway: that one, whatever the index (routes read by target).
PLAN_ONLY_REASONS = {
    "batch_nat": {"dynamic block": 4, "each.value not resolvable": 2, "local": 10},
    "ecs_services": {"dynamic block": 4, "each.value not resolvable": 2, "local": 30},
    "network_endpoints": {"each.value not resolvable": 2, "local": 28},
}
MODES = {
    "plan": lambda d: (d / "plan.json", SourceOptions(use_source=False)),
    "plan+source": lambda d: (d / "plan.json", SourceOptions()),
    "hcl": lambda d: (d, SourceOptions()),
}
Findings = set[tuple[str, str, str]]


@pytest.fixture(scope="module")
def policies() -> tuple[Any, ...]:
    return tuple(load_policies())


@pytest.fixture(scope="module")
def read(policies: tuple[Any, ...]) -> Any:
    cache: dict[tuple[str, str], tuple[dict[str, Any], Findings]] = {}

    def run(scenario: str, mode: str) -> tuple[dict[str, Any], Findings]:
        if (scenario, mode) not in cache:
            path, options = MODES[mode](MODULES / scenario)
            graph, _ = read_graph(str(path), None, options)
            found = {
                (f.rule_id, f.address, f.outcome.value)
                for f in evaluate(policies, graph)
                if f.outcome is not Outcome.PASS
            }
            cache[(scenario, mode)] = (graph, found)
        return cache[(scenario, mode)]

    return run


def items(graph: dict[str, Any], collection: str) -> dict[str, dict[str, Any]]:
    return {item["address"]: item for item in graph[collection]}


def fails(found: Findings) -> set[tuple[str, str]]:
    return {(rule, address) for rule, address, outcome in found if outcome == "fail"}


def test_every_scenario_is_covered() -> None:
    assert sorted(PLAN_ONLY_REASONS) == SCENARIOS


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_plan_with_its_source_resolves_every_edge(scenario: str, read: Any) -> None:
    graph, _ = read(scenario, "plan+source")
    hcl, _ = read(scenario, "hcl")
    summary = graph["summary"]
    # Found beside the plan, without --source.
    assert summary["mode"] == "plan+source"
    assert Path(summary["source_dir"]).resolve() == (MODULES / scenario).resolve()
    assert summary["edges"]["unknown"] == 0, summary["edges"]["by_reason"]
    assert summary["edges"]["resolved"] == hcl["summary"]["edges"]["resolved"]
    assert hcl["summary"]["edges"]["unknown"] == 0
    assert hcl["summary"]["mode"] == "hcl"


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_plan_alone_says_why_each_edge_is_unknown(scenario: str, read: Any) -> None:
    graph, _ = read(scenario, "plan")
    summary = graph["summary"]
    assert (summary["mode"], summary["source_dir"]) == ("plan", None)
    assert summary["edges"]["by_reason"] == PLAN_ONLY_REASONS[scenario]
    assert summary["edges"]["unknown"] == sum(PLAN_ONLY_REASONS[scenario].values())


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_findings_with_the_source_equal_hcl_mode(scenario: str, read: Any) -> None:
    assert read(scenario, "plan+source")[1] == read(scenario, "hcl")[1]


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_plan_alone_is_inconclusive_never_falsely_failing(scenario: str, read: Any) -> None:
    alone, combined = read(scenario, "plan")[1], read(scenario, "plan+source")[1]
    assert fails(alone) - fails(combined) == set()


def test_defects_hidden_by_the_plan(read: Any) -> None:
    logs = 'module.endpoints.aws_vpc_endpoint.this["logs"]'
    sts = 'module.endpoints.aws_vpc_endpoint.this["sts"]'
    for mode in ("plan+source", "hcl"):
        graph, found = read("network_endpoints", mode)
        # try(each.value.private_dns_enabled, null): null, so the provider default (false).
        assert ("VPCE010", logs, "fail") in found
        # subnet_ids = []: planned as unknown, yet no subnet at all.
        assert ("VPCE015", sts, "fail") in found
        endpoints = items(graph, "endpoints")
        assert endpoints[logs]["private_dns"] is False
        assert endpoints[sts]["subnets"] == [] and "subnets" not in endpoints[sts]["unknown"]
        # The endpoint switched off with create = false does not exist.
        assert 'module.endpoints.aws_vpc_endpoint.this["sqs"]' not in endpoints
    _, found = read("network_endpoints", "plan")
    assert ("VPCE010", logs, "inconclusive") in found
    assert ("VPCE015", sts, "inconclusive") in found


def test_endpoint_edges_through_modules(read: Any) -> None:
    graph, _ = read("network_endpoints", "plan+source")
    endpoints = items(graph, "endpoints")
    subnets = ["module.vpc.aws_subnet.private[0]", "module.vpc.aws_subnet.private[1]"]
    ecr = endpoints['module.endpoints.aws_vpc_endpoint.this["ecr_api"]']
    assert (ecr["vpc"], ecr["subnets"]) == ("module.vpc.aws_vpc.this[0]", subnets)
    assert ecr["security_groups"] == ["module.endpoint_sg.aws_security_group.this_name_prefix[0]"]
    assert ecr["uncovered_workloads"] == []  # 443 from the app group, a for_each rule
    s3 = endpoints['module.endpoints.aws_vpc_endpoint.this["s3"]']
    assert s3["route_tables"] == [
        'module.vpc.aws_route_table.private["us-east-1a"]',
        'module.vpc.aws_route_table.private["us-east-1b"]',
    ]
    for subnet in subnets:  # associations: for_each over a map computed from the subnets
        assert items(graph, "subnets")[subnet]["route_table"].startswith(
            "module.vpc.aws_route_table.private["
        )


def test_ecs_needs_from_partly_unknown_container_definitions(read: Any) -> None:
    graph, _ = read("ecs_services", "plan+source")
    workloads = items(graph, "workloads")
    api = workloads["module.api.aws_ecs_service.this[0]"]
    # The image is the URL of a repository created in the same apply: still an ECR image.
    assert api["launch_type"] == "FARGATE"
    assert api["needs"] == ["ecr.api", "ecr.dkr", "logs", "s3", "secretsmanager"]
    assert api["unreachable"] == [] and "needs" not in api["unknown"]
    assert api["subnets"] == ["module.vpc.aws_subnet.private[0]", "module.vpc.aws_subnet.private[1]"]
    # EC2 launch type: the agent's needs travel the Auto Scaling group's path.
    worker = workloads["module.worker.aws_ecs_service.this[0]"]
    assert (worker["launch_type"], worker["needs"]) == ("EC2", ["ssmmessages"])
    assert worker["unreachable"] == ["ssmmessages"]
    hosts = workloads["aws_autoscaling_group.hosts"]
    assert hosts["needs"] == [
        "ecr.api",
        "ecr.dkr",
        "ecs",
        "ecs-agent",
        "ecs-telemetry",
        "logs",
        "s3",
        "secretsmanager",
    ]
    assert hosts["unreachable"] == ["ecs", "ecs-agent", "ecs-telemetry"]


def test_ecs_from_the_plan_alone(read: Any) -> None:
    graph, _ = read("ecs_services", "plan")
    api = items(graph, "workloads")["module.api.aws_ecs_service.this[0]"]
    # network_configuration is a dynamic block: unknown with that reason, not absent.
    assert api["subnets"] == [] and api["unknown"]["subnets"] == "dynamic block"
    assert api["unknown"]["needs"] == "local"  # container_definitions = jsonencode(local...)
    assert api["unreachable"] is None


def test_batch_compute_resources_dynamic_block(read: Any) -> None:
    environment = 'module.batch.aws_batch_compute_environment.this["ec2"]'
    alone = items(read("batch_nat", "plan")[0], "workloads")[environment]
    assert alone["unknown"]["subnets"] == "dynamic block" and alone["unreachable"] is None
    graph, found = read("batch_nat", "plan+source")
    combined = items(graph, "workloads")[environment]
    assert combined["subnets"] == ["module.vpc.aws_subnet.private[0]", "module.vpc.aws_subnet.private[1]"]
    assert combined["needs"] == ["ecs", "ecs-agent", "ecs-telemetry", "s3"]
    assert {p["via"] for p in combined["paths"].values()} == {"nat"}
    assert 'module.batch.aws_batch_compute_environment.this["unmanaged"]' not in items(graph, "workloads")
    for az in ("eu-west-1a", "eu-west-1b"):
        assert ("VPCE022", f'module.vpc.aws_route_table.private["{az}"]', "fail") in found


def test_data_sources_read_by_the_plan_feed_the_source() -> None:
    task = "module.api.aws_ecs_task_definition.this[0]"
    scenario = MODULES / "ecs_services"

    def region(path: Path) -> Any:
        loaded = load_inventory(str(path))
        values = {i.address: i for i in loaded.inventory.instances}[task].values
        return values["container_definitions"][0]["logConfiguration"]["options"]["awslogs-region"]

    assert region(scenario / "plan.json") == "us-east-1"
    # HCL mode reads data.aws_region offline, as Terraform does: the provider's Region.
    assert region(scenario) == "us-east-1"


def test_root_variables_come_from_the_plan(tmp_path: Path) -> None:
    source = tmp_path / "stack"
    shutil.copytree(MODULES / "network_endpoints", source)
    text = (source / "stack.tf").read_text()
    (source / "stack.tf").write_text(text.replace('default = "us-east-1"', 'default = "eu-west-1"'))
    loaded = load_inventory(str(source / "plan.json"))
    assert loaded.mode == "plan+source" and loaded.notes == ()
    logs = {i.address: i for i in loaded.inventory.instances}[
        'module.endpoints.aws_vpc_endpoint.this["logs"]'
    ]
    assert logs.values["service_name"] == "com.amazonaws.us-east-1.logs"


def _uninstalled(tmp_path: Path, call: str) -> Path:
    """A copy of network_endpoints whose module `call` comes from a registry, not installed."""
    source = tmp_path / "stack"
    shutil.copytree(MODULES / "network_endpoints", source)
    text = (source / "stack.tf").read_text()
    local = f'module "{call}" {{\n  source = "./modules/{call}"'
    assert local in text
    (source / "stack.tf").write_text(
        text.replace(local, f'module "{call}" {{\n  source  = "example/{call}/aws"\n  version = "1.0.0"')
    )
    return source


def test_module_not_installed_is_a_reason_not_an_error(tmp_path: Path) -> None:
    source = _uninstalled(tmp_path, "vpc")
    graph, loaded = read_graph(str(source))
    assert graph["summary"]["edges"]["by_reason"][NOT_INSTALLED] > 0
    assert any("module.vpc: module not installed: run terraform init" in n for n in loaded.notes)
    instance = items(graph, "workloads")["aws_instance.app[0]"]
    assert instance["unknown"]["subnets"] == NOT_INSTALLED
    # With the plan, its resources are there; what only the source could say names the fix.
    graph, loaded = read_graph(str(source / "plan.json"))
    assert loaded.mode == "plan+source"
    reasons = graph["summary"]["edges"]["by_reason"]
    assert set(reasons) == {NOT_INSTALLED}
    subnet = items(graph, "subnets")["module.vpc.aws_subnet.private[0]"]
    assert subnet["unknown"]["vpc"] == NOT_INSTALLED


def test_modules_installed_by_terraform_init(tmp_path: Path) -> None:
    source = _uninstalled(tmp_path, "vpc")
    installed = source / ".terraform" / "modules"
    installed.mkdir(parents=True)
    shutil.copytree(source / "modules" / "vpc", installed / "vpc")
    shutil.rmtree(source / "modules" / "vpc")
    (installed / "modules.json").write_text(
        json.dumps(
            {
                "Modules": [
                    {"Key": "", "Source": "", "Dir": "."},
                    {
                        "Key": "vpc",
                        "Source": "registry.terraform.io/example/vpc/aws",
                        "Version": "1.0.0",
                        "Dir": ".terraform/modules/vpc",
                    },
                ]
            }
        )
    )
    for path in (source, source / "plan.json"):
        graph, _ = read_graph(str(path))
        assert graph["summary"]["edges"]["unknown"] == 0


def test_no_source_and_explicit_source(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    scenario = MODULES / "network_endpoints"
    plan = tmp_path / "plan.json"
    shutil.copy(scenario / "plan.json", plan)
    monkeypatch.chdir(tmp_path)
    assert load_inventory(str(plan)).mode == "plan"  # nothing beside it, nor in cwd
    loaded = load_inventory(str(plan), SourceOptions(source=str(scenario)))
    assert (loaded.mode, loaded.source_dir) == ("plan+source", str(scenario))
    monkeypatch.chdir(scenario)  # the current directory holds the stack
    loaded = load_inventory(str(plan))
    assert (loaded.mode, loaded.source_dir) == ("plan+source", str(scenario))
    assert load_inventory(str(plan), SourceOptions(use_source=False)).mode == "plan"


def test_a_stack_sharing_only_some_names_is_not_the_source(tmp_path: Path) -> None:
    shutil.copy(MODULES / "network_endpoints" / "plan.json", tmp_path / "plan.json")
    (tmp_path / "other.tf").write_text('module "vpc" {\n  source = "./x"\n}\n')
    assert load_inventory(str(tmp_path / "plan.json")).mode == "plan"


REGION_STACK = """
    provider "aws" {
      region = "us-east-1"
    }
    locals {
      region = "eu-west-1"
    }
    resource "aws_vpc" "eu" {
      region               = local.region
      cidr_block           = "10.9.0.0/16"
      enable_dns_hostnames = true
    }
    resource "aws_subnet" "eu" {
      region            = local.region
      vpc_id            = aws_vpc.eu.id
      cidr_block        = "10.9.1.0/24"
      availability_zone = "eu-west-1a"
    }
    resource "aws_vpc_endpoint" "logs" {
      region              = local.region
      vpc_id              = aws_vpc.eu.id
      service_name        = "com.amazonaws.${local.region}.logs"
      vpc_endpoint_type   = "Interface"
      subnet_ids          = [aws_subnet.eu.id]
      private_dns_enabled = true
    }
    resource "aws_vpc_endpoint" "home" {
      vpc_id              = aws_vpc.eu.id
      service_name        = "com.amazonaws.us-east-1.sqs"
      vpc_endpoint_type   = "Interface"
      subnet_ids          = [aws_subnet.eu.id]
      private_dns_enabled = true
      region              = local.region
    }
"""


def test_provider_6_region_argument_in_hcl_mode(tmp_path: Path, policies: tuple[Any, ...]) -> None:
    """Provider 6.x: a resource's own `region` overrides the provider's. No fixture can be
    planned with 6.x here (only hashicorp/aws 5.100.0 is mirrored), so HCL mode only."""
    (tmp_path / "main.tf").write_text(textwrap.dedent(REGION_STACK))
    graph, _ = read_graph(str(tmp_path))
    assert graph["region"] == "us-east-1"
    assert items(graph, "vpcs")["aws_vpc.eu"]["region"] == "eu-west-1"
    endpoints = items(graph, "endpoints")
    assert endpoints["aws_vpc_endpoint.logs"]["vpc_region"] == "eu-west-1"
    found = {(f.rule_id, f.address) for f in evaluate(policies, graph) if f.outcome is Outcome.FAIL}
    assert ("VPCE005", "aws_vpc_endpoint.home") in found  # us-east-1 service in a eu-west-1 VPC
    assert ("VPCE005", "aws_vpc_endpoint.logs") not in found


def test_provider_6_region_attribute_in_a_plan() -> None:
    """The same from a plan's `after` values. Hand-made: terraform here has only provider
    5.x, which has no such argument, so no real plan can show it."""
    vpc = {"cidr_block": "10.9.0.0/16", "region": "eu-west-1"}
    data = {
        "format_version": "1.2",
        "resource_changes": [
            {
                "address": "aws_vpc.eu",
                "mode": "managed",
                "type": "aws_vpc",
                "name": "eu",
                "change": {"actions": ["create"], "after": vpc, "after_unknown": {"id": True}},
            }
        ],
        "configuration": {
            "provider_config": {
                "aws": {"name": "aws", "expressions": {"region": {"constant_value": "us-east-1"}}}
            }
        },
    }
    inventory = build_inventory(PlanDoc("plan.json", data, "plan"))
    assert inventory.region == "us-east-1"
    assert inventory.instances[0].region == "eu-west-1"


EVALUATOR_STACK = """
    variable "extra_subnet_ids" {
      default = []
    }
    resource "aws_vpc" "v" {
      cidr_block = "10.0.0.0/16"
    }
    resource "aws_subnet" "a" {
      count      = 2
      vpc_id     = aws_vpc.v.id
      cidr_block = "10.0.${count.index}.0/24"
    }
    resource "aws_security_group" "s" {
      vpc_id = aws_vpc.v.id
    }
    resource "aws_ecr_repository" "r" {
      name = "r"
    }
    resource "aws_vpc_endpoint" "e" {
      vpc_id             = aws_vpc.v.id
      service_name       = "com.amazonaws.us-east-1.logs"
      vpc_endpoint_type  = "Interface"
      subnet_ids         = distinct(concat(aws_subnet.a[*].id, var.extra_subnet_ids, [aws_subnet.a[0].id]))
      security_group_ids = length(setunion([aws_security_group.s.id], [])) > 0 ? setunion([aws_security_group.s.id], []) : null
    }
    locals {
      definition = {
        image   = "${aws_ecr_repository.r.repository_url}:1"
        command = null
        name    = try(var.missing.name, "app")
      }
    }
    resource "aws_ecs_task_definition" "t" {
      family                = "t"
      container_definitions = jsonencode([{ for k, v in local.definition : k => v if v != null }])
    }
"""


def test_evaluator_keeps_what_modules_build(tmp_path: Path) -> None:
    """distinct()/setunion() over references keep the references (Terraform's value is
    unknown until apply, but which subnets it holds is not); a template with an unknown
    part is not null, so stripping nulls keeps it."""
    (tmp_path / "main.tf").write_text(textwrap.dedent(EVALUATOR_STACK))
    found = {i.address: i.values for i in load_inventory(str(tmp_path)).inventory.instances}
    endpoint = found["aws_vpc_endpoint.e"]
    assert [r.address for r in endpoint["subnet_ids"]] == ["aws_subnet.a[0]", "aws_subnet.a[1]"]
    assert [r.address for r in endpoint["security_group_ids"]] == ["aws_security_group.s"]
    container = found["aws_ecs_task_definition.t"]["container_definitions"][0]
    assert sorted(container) == ["image", "name"]
    assert type(container["image"]) is Unknown  # a plain Unknown leaves the evaluator
    assert container["image"].refs[0].address == "aws_ecr_repository.r"


def test_ports_passed_as_strings_plan_as_numbers(tmp_path: Path) -> None:
    """Security-group modules take rules as list(map(string)): Terraform converts the ports
    back to numbers for the provider, and so does the source reader."""
    (tmp_path / "main.tf").write_text(
        textwrap.dedent("""
        variable "egress" {
          type    = list(map(string))
          default = [{ from_port = 443, to_port = 443, protocol = "tcp", cidr_blocks = "0.0.0.0/0" }]
        }
        resource "aws_vpc" "v" {
          cidr_block = "10.0.0.0/16"
        }
        resource "aws_security_group" "s" {
          vpc_id = aws_vpc.v.id
        }
        resource "aws_security_group_rule" "egress" {
          count             = length(var.egress)
          type              = "egress"
          security_group_id = aws_security_group.s.id
          from_port         = var.egress[count.index]["from_port"]
          to_port           = var.egress[count.index]["to_port"]
          protocol          = var.egress[count.index]["protocol"]
          cidr_blocks       = split(",", var.egress[count.index]["cidr_blocks"])
        }
    """)
    )
    graph, _ = read_graph(str(tmp_path))
    rule = items(graph, "security_groups")["aws_security_group.s"]["egress"][0]
    assert (rule["from_port"], rule["to_port"], rule["cidr_blocks"]) == (443, 443, ["0.0.0.0/0"])
