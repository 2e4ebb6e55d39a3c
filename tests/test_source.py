"""load_source: HCL directories evaluated into the Inventory a plan would give.

tests/hcl/stack and tests/hcl/terraform_data carry a plan.json made from the same files by
shared/tf/plan-offline (terraform 1.11.4, aws provider 5.100.0): the addresses must be the
same and every value the plan knows must equal the evaluated one.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import pytest

from tfcheck.errors import InputError
from tfcheck.hcl.source import load_source, load_source_with_comments
from tfcheck.model import Inventory, Ref, Unknown

HCL = Path(__file__).resolve().parent / "hcl"


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


def by_address(inventory: Inventory) -> dict[str, Any]:
    return {i.address: i for i in inventory.instances}


def ref(address: str, attr: str = "id") -> Ref:
    return Ref(address, attr, "source")


# -- the stack scenario, checked value by value --------------------------------------------


def test_stack_addresses_in_terraform_order() -> None:
    inventory = load_source(str(HCL / "stack"), env={})
    assert [i.address for i in inventory.instances] == [
        "aws_security_group.vpce",
        'aws_vpc_endpoint.e["ecr_api"]',
        'aws_vpc_endpoint.e["logs"]',
        'aws_vpc_endpoint.e["sts"]',
        "aws_vpc_endpoint.s3",
        'module.app["api"].aws_lambda_function.fn',
        'module.app["api"].aws_security_group.app',
        'module.app["web"].aws_lambda_function.fn',
        'module.app["web"].aws_security_group.app',
        "module.net.aws_subnet.private[0]",
        "module.net.aws_subnet.private[1]",
        "module.net.aws_vpc.this",
        'module.net.module.routes.aws_route_table.rt["us-west-2a"]',
        'module.net.module.routes.aws_route_table.rt["us-west-2b"]',
        'module.net.module.routes.aws_route_table_association.a["us-west-2a"]',
        'module.net.module.routes.aws_route_table_association.a["us-west-2b"]',
    ]
    assert inventory.kind == "hcl"
    assert inventory.region == "us-west-2"
    assert inventory.notes == ()


def test_stack_endpoint_values() -> None:
    found = by_address(load_source(str(HCL / "stack"), env={}))
    logs = found['aws_vpc_endpoint.e["logs"]']
    assert (logs.type, logs.module, logs.key) == ("aws_vpc_endpoint", "", "logs")
    assert (logs.file, logs.line, logs.region) == ("main.tf", 88, "us-west-2")
    assert logs.values == {
        "vpc_id": ref("module.net.aws_vpc.this"),
        "service_name": "com.amazonaws.us-west-2.logs",
        "vpc_endpoint_type": "Interface",
        "private_dns_enabled": True,
        "subnet_ids": [ref("module.net.aws_subnet.private[0]"), ref("module.net.aws_subnet.private[1]")],
        "security_group_ids": [ref("aws_security_group.vpce")],
        "tags": {"Name": "demo-net-logs"},
    }
    # try(each.value.private_dns_enabled, null) with the attribute unset: argument absent.
    ecr = found['aws_vpc_endpoint.e["ecr_api"]']
    assert "private_dns_enabled" not in ecr.values
    assert ecr.values["subnet_ids"] == [ref("module.net.aws_subnet.private[1]")]
    assert found['aws_vpc_endpoint.e["sts"]'].values["private_dns_enabled"] is False


def test_stack_dynamic_blocks_module_outputs_and_regions() -> None:
    found = by_address(load_source(str(HCL / "stack"), env={}))
    group = found["aws_security_group.vpce"]
    assert group.values["ingress"] == [
        {"from_port": p, "to_port": p, "protocol": "tcp", "cidr_blocks": ["10.0.0.0/16"]}
        for p in (443, 8443)  # extra.auto.tfvars overrides the default [443]
    ]
    assert group.values["name"] == "demo-net-vpce"  # locals in any order
    s3 = found["aws_vpc_endpoint.s3"]
    assert s3.region == "us-east-1"  # provider = aws.east
    assert s3.values["route_table_ids"] == [
        ref('module.net.module.routes.aws_route_table.rt["us-west-2a"]'),
        ref('module.net.module.routes.aws_route_table.rt["us-west-2b"]'),
    ]
    subnet = found["module.net.aws_subnet.private[1]"]
    assert (subnet.module, subnet.key, subnet.file, subnet.line) == (
        "module.net",
        1,
        "modules/net/main.tf",
        11,
    )
    assert subnet.values["cidr_block"] == "10.0.11.0/24"  # cidrsubnet of a known vpc cidr
    fn = found['module.app["web"].aws_lambda_function.fn']
    assert fn.values["environment"] == [{"variables": {"PORT": "8080"}}]
    assert fn.values["vpc_config"] == [
        {
            "subnet_ids": [ref("module.net.aws_subnet.private[0]"), ref("module.net.aws_subnet.private[1]")],
            "security_group_ids": [ref('module.app["web"].aws_security_group.app')],
        }
    ]
    association = found['module.net.module.routes.aws_route_table_association.a["us-west-2b"]']
    assert association.values == {
        "subnet_id": ref("module.net.aws_subnet.private[1]"),
        "route_table_id": ref('module.net.module.routes.aws_route_table.rt["us-west-2b"]'),
    }


def test_stack_comments_by_instance_address() -> None:
    _, comments = load_source_with_comments(str(HCL / "stack"), env={})
    assert comments == {
        "aws_security_group.vpce": ["# tfcheck:ignore VPCE012 single-AZ on purpose"],
        'aws_vpc_endpoint.e["ecr_api"]': ["# tfcheck:ignore VPCE010"],
        'aws_vpc_endpoint.e["logs"]': ["# tfcheck:ignore VPCE010"],
        'aws_vpc_endpoint.e["sts"]': ["# tfcheck:ignore VPCE010"],
    }


# -- agreement with real terraform plans ---------------------------------------------------


def _agree(ours: Any, planned: Any, unknown: Any, where: str) -> list[str]:
    """Differences where the plan knows a value; Ref/Unknown on our side are not compared."""
    if isinstance(ours, (Ref, Unknown)) or unknown is True:
        return []
    if isinstance(ours, dict) and isinstance(planned, dict):
        out = []
        for key, value in ours.items():
            sub_unknown = unknown.get(key) if isinstance(unknown, dict) else None
            if key not in planned:
                if not sub_unknown:
                    out.append(f"{where}.{key}: not in the plan")
                continue
            out += _agree(value, planned[key], sub_unknown, f"{where}.{key}")
        return out
    if isinstance(ours, list) and isinstance(planned, list) and len(ours) == len(planned):
        out = []
        for index, (a, b) in enumerate(zip(ours, planned)):
            sub = unknown[index] if isinstance(unknown, list) and index < len(unknown) else None
            out += _agree(a, b, sub, f"{where}[{index}]")
        return out
    return [] if ours == planned else [f"{where}: {ours!r} != plan {planned!r}"]


@pytest.mark.parametrize("name", ["stack", "terraform_data"])
def test_agrees_with_the_terraform_plan(name: str) -> None:
    plan = json.loads((HCL / name / "plan.json").read_text())
    changes = {rc["address"]: rc["change"] for rc in plan["resource_changes"] if rc["mode"] == "managed"}
    inventory = load_source(str(HCL / name), env={})
    assert [i.address for i in inventory.instances] == list(changes)  # Terraform's order
    found = by_address(inventory)
    problems = []
    for address, inst in found.items():
        change = changes[address]
        problems += _agree(dict(inst.values), change["after"], change["after_unknown"], address)
    assert problems == []


def test_plan_variables_override_everything() -> None:
    plan = json.loads((HCL / "stack" / "plan.json").read_text())
    variables = {k: v["value"] for k, v in plan["variables"].items()}
    variables["region"] = "eu-west-1"
    variables["ports"] = [22]
    inventory = load_source(
        str(HCL / "stack"),
        vars={"region": "ap-south-1"},
        env={"TF_VAR_ports": "[1]"},
        root_variables=variables,
    )
    found = by_address(inventory)
    assert inventory.region == "eu-west-1"
    assert [r["from_port"] for r in found["aws_security_group.vpce"].values["ingress"]] == [22]
    # the plan's raw value still goes through the variable's object type
    assert "private_dns_enabled" not in found['aws_vpc_endpoint.e["ecr_api"]'].values


# -- variables -----------------------------------------------------------------------------

VARS = {
    "main.tf": """
        variable "a" { default = "default" }
        variable "b" { default = "default" }
        variable "c" { default = "default" }
        variable "d" { default = "default" }
        variable "e" { default = "default" }
        variable "f" { default = "default" }
        variable "n" { type = number }
        variable "l" {
          type    = list(string)
          default = []
        }
        variable "strict" {
          type     = string
          default  = "kept"
          nullable = false
        }
        resource "terraform_data" "v" {
          input = [var.a, var.b, var.c, var.d, var.e, var.f, var.n, var.l, var.strict]
        }
    """,
    "terraform.tfvars": 'b = "tfvars"\nc = "tfvars"\nd = "tfvars"\ne = "tfvars"\n',
    "a.auto.tfvars": 'c = "a.auto"\nd = "a.auto"\n',
    "b.auto.tfvars.json": '{"d": "b.auto.json", "strict": null}',
    "extra.tfvars": 'e = "var-file"\nf = "var-file"\n',
}


def test_variable_precedence(tmp_path: Path) -> None:
    root = write(tmp_path, VARS)
    inventory = load_source(
        str(root),
        var_files=[str(root / "extra.tfvars")],
        vars={"f": "cli", "n": "5"},
        env={"TF_VAR_a": "env", "TF_VAR_b": "env", "TF_VAR_l": '["x", 1]'},
    )
    assert by_address(inventory)["terraform_data.v"].values["input"] == [
        "env",
        "tfvars",
        "a.auto",
        "b.auto.json",
        "var-file",
        "cli",
        5,
        ["x", "1"],
        "kept",
    ]


def test_variable_without_value_is_unknown(tmp_path: Path) -> None:
    root = write(tmp_path, {"main.tf": VARS["main.tf"]})
    value = by_address(load_source(str(root), env={}))["terraform_data.v"].values["input"]
    assert value[6] == Unknown("variable n has no value")


@pytest.mark.parametrize(
    "files, where",
    [
        ({"terraform.tfvars": "n = var.x\n"}, "terraform.tfvars"),
        ({"terraform.tfvars": "n = \n"}, "terraform.tfvars"),
        ({"terraform.tfvars": 'x "y" {}\n'}, "terraform.tfvars"),
        ({"terraform.tfvars.json": "[1]"}, "terraform.tfvars.json"),
    ],
)
def test_bad_variable_files(tmp_path: Path, files: dict[str, str], where: str) -> None:
    root = write(tmp_path, {"main.tf": VARS["main.tf"], **files})
    with pytest.raises(InputError) as caught:
        load_source(str(root), env={})
    assert caught.value.path == str(root / where)


def test_bad_variable_values(tmp_path: Path) -> None:
    root = write(tmp_path, {"main.tf": VARS["main.tf"]})
    with pytest.raises(InputError, match="not a valid value for variable l"):
        load_source(str(root), env={"TF_VAR_l": "[1,"})
    with pytest.raises(InputError, match="no such variables file"):
        load_source(str(root), var_files=[str(root / "missing.tfvars")], env={})


# -- modules, counts, regions --------------------------------------------------------------


def test_installed_modules_and_module_count(tmp_path: Path) -> None:
    root = write(
        tmp_path,
        {
            "main.tf": """
            module "vpc" {
              source  = "terraform-aws-modules/vpc/aws"
              count   = 2
              name    = "v${count.index}"
            }
            module "gone" {
              source = "git::https://example.com/x.git"
            }
            resource "terraform_data" "ids" {
              input = [module.vpc[1].id, module.gone.id]
            }
        """,
            ".terraform/modules/modules.json": json.dumps(
                {
                    "Modules": [
                        {"Key": "", "Source": "", "Dir": "."},
                        {
                            "Key": "vpc",
                            "Source": "registry.terraform.io/terraform-aws-modules/vpc/aws",
                            "Dir": ".terraform/modules/vpc",
                        },
                    ]
                }
            ),
            ".terraform/modules/vpc/main.tf": """
            variable "name" { type = string }
            resource "aws_vpc" "this" {
              cidr_block = "10.0.0.0/16"
              tags       = { Name = var.name }
            }
            output "id" { value = aws_vpc.this.id }
        """,
        },
    )
    inventory = load_source(str(root), env={"AWS_REGION": "eu-north-1"})
    found = by_address(inventory)
    assert sorted(found) == ["module.vpc[0].aws_vpc.this", "module.vpc[1].aws_vpc.this", "terraform_data.ids"]
    vpc = found["module.vpc[1].aws_vpc.this"]
    assert (vpc.file, vpc.line, vpc.region) == (".terraform/modules/vpc/main.tf", 3, "eu-north-1")
    assert vpc.values["tags"] == {"Name": "v1"}
    assert found["terraform_data.ids"].values["input"] == [
        ref("module.vpc[1].aws_vpc.this"),
        Unknown("module not installed: run terraform init"),
    ]
    assert any("module.gone" in n and "terraform init" in n for n in inventory.notes)


def test_unknown_count_and_for_each_leave_a_note(tmp_path: Path) -> None:
    root = write(
        tmp_path,
        {
            "main.tf": """
        data "aws_availability_zones" "all" {}
        resource "aws_subnet" "a" {
          count  = length(data.aws_availability_zones.all.names)
          vpc_id = "vpc-1"
        }
        resource "aws_subnet" "b" {
          for_each = toset([aws_vpc.v.id])
          vpc_id   = each.key
        }
        resource "aws_vpc" "v" { cidr_block = "10.0.0.0/16" }
        resource "terraform_data" "t" { input = aws_subnet.a[*].id }
    """
        },
    )
    inventory = load_source(str(root), env={})
    assert sorted(by_address(inventory)) == ["aws_vpc.v", "terraform_data.t"]
    assert by_address(inventory)["terraform_data.t"].values["input"] == Unknown(
        "count is not known (data source)"
    )
    assert len(inventory.notes) == 2
    assert inventory.notes[0].startswith("main.tf:3: aws_subnet.a: count is not known")
    assert "aws_subnet.b: for_each set has elements not known" in inventory.notes[1]


def test_provider_regions(tmp_path: Path) -> None:
    root = write(
        tmp_path,
        {
            "main.tf": """
            provider "aws" { region = "us-east-2" }
            provider "aws" {
              alias  = "west"
              region = "us-west-1"
            }
            module "child" {
              source    = "./child"
              providers = { aws = aws.west }
            }
            resource "aws_vpc" "own" {
              region     = "ap-northeast-2"
              cidr_block = "10.0.0.0/16"
            }
            resource "aws_vpc" "root" { cidr_block = "10.1.0.0/16" }
        """,
            "child/main.tf": 'resource "aws_vpc" "c" { cidr_block = "10.2.0.0/16" }\n',
        },
    )
    inventory = load_source(str(root), env={"AWS_REGION": "eu-west-3"})
    regions = {i.address: i.region for i in inventory.instances}
    assert regions == {
        "aws_vpc.own": "ap-northeast-2",
        "aws_vpc.root": "us-east-2",
        "module.child.aws_vpc.c": "us-west-1",
    }
    assert inventory.region == "us-east-2"


def test_partly_unknown_values(tmp_path: Path) -> None:
    root = write(
        tmp_path,
        {
            "main.tf": """
        data "terraform_remote_state" "net" {
          backend = "local"
        }
        resource "aws_ecr_repository" "app" { name = "app" }
        resource "aws_ecs_task_definition" "t" {
          family = "t"
          container_definitions = jsonencode([{
            name      = "app"
            image     = "${aws_ecr_repository.app.repository_url}:1"
            essential = true
            logConfiguration = { logDriver = "awslogs" }
          }])
          cpu = data.terraform_remote_state.net.outputs.cpu
        }
    """
        },
    )
    task = by_address(load_source(str(root), env={}))["aws_ecs_task_definition.t"]
    assert task.values["container_definitions"] == [
        {
            "name": "app",
            "image": Unknown("known after apply", (ref("aws_ecr_repository.app", "repository_url"),)),
            "essential": True,
            "logConfiguration": {"logDriver": "awslogs"},
        }
    ]
    assert task.values["cpu"] == Unknown("remote state")


def test_known_attributes_of_referenced_resources(tmp_path: Path) -> None:
    root = write(
        tmp_path,
        {
            "main.tf": """
        resource "aws_vpc" "v" {
          cidr_block = "10.9.0.0/16"
          tags       = { Name = "v" }
        }
        resource "aws_subnet" "s" {
          for_each          = { a = 1, b = 2 }
          vpc_id            = aws_vpc.v.id
          cidr_block        = cidrsubnet(aws_vpc.v.cidr_block, 8, each.value)
          availability_zone = "us-east-1${each.key}"
        }
        resource "terraform_data" "t" {
          input = {
            azs   = [for s in values(aws_subnet.s) : s.availability_zone]
            vpc   = aws_subnet.s["a"].vpc_id
            name  = aws_vpc.v.tags.Name
            arn   = aws_vpc.v.arn
            ids   = values(aws_subnet.s)[*].id
          }
        }
    """
        },
    )
    found = by_address(load_source(str(root), env={}))
    assert found['aws_subnet.s["b"]'].values["cidr_block"] == "10.9.2.0/24"
    assert found["terraform_data.t"].values["input"] == {
        "azs": ["us-east-1a", "us-east-1b"],
        "vpc": ref("aws_vpc.v"),
        "name": "v",
        "arn": ref("aws_vpc.v", "arn"),
        "ids": [ref('aws_subnet.s["a"]'), ref('aws_subnet.s["b"]')],
    }


def test_cycles_become_unknown(tmp_path: Path) -> None:
    root = write(
        tmp_path,
        {
            "main.tf": """
        locals {
          a = local.b
          b = local.a
        }
        resource "terraform_data" "t" { input = local.a }
    """
        },
    )
    value = by_address(load_source(str(root), env={}))["terraform_data.t"].values["input"]
    assert isinstance(value, Unknown) and "cycle" in value.reason


def test_evaluation_errors_become_notes(tmp_path: Path) -> None:
    root = write(
        tmp_path,
        {
            "main.tf": """
        resource "terraform_data" "t" {
          input  = [1, 2][5]
          output = nosuch(1)
        }
    """
        },
    )
    inventory = load_source(str(root), env={})
    values = by_address(inventory)["terraform_data.t"].values
    assert values["input"] == Unknown("cannot evaluate: index 5 is out of range for a list of 2")
    assert values["output"] == Unknown("unsupported function nosuch")
    assert inventory.notes == ("main.tf:3: input: index 5 is out of range for a list of 2",)


# -- bad input -----------------------------------------------------------------------------


def test_directory_without_tf_files(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("x")
    with pytest.raises(InputError) as caught:
        load_source(str(tmp_path), env={})
    assert caught.value.path == str(tmp_path)
    assert "no Terraform .tf files" in caught.value.message


def test_missing_directory(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such directory"):
        load_source(str(tmp_path / "nope"), env={})


def test_broken_hcl_names_file_and_line(tmp_path: Path) -> None:
    root = write(
        tmp_path,
        {
            "main.tf": 'resource "aws_vpc" "v" {}\n',
            "modules/m/bad.tf": 'resource "x" "y" {\n  a = [1, 2\n}\n',
            "use.tf": 'module "m" { source = "./modules/m" }\n',
        },
    )
    with pytest.raises(InputError) as caught:
        load_source(str(root), env={})
    assert caught.value.path == str(root / "modules/m/bad.tf")
    assert caught.value.message.startswith("line 3, column 1: unexpected '}'; expected one of")


def test_blocks_need_their_labels(tmp_path: Path) -> None:
    root = write(tmp_path, {"main.tf": 'resource "aws_vpc" {\n}\n'})
    with pytest.raises(InputError) as caught:
        load_source(str(root), env={})
    assert caught.value.path == str(root / "main.tf")
    assert caught.value.message == 'line 1: a "resource" block takes 2 labels, not 1'


def test_importing_source_does_not_load_hcl2() -> None:
    import subprocess
    import sys

    code = "import sys, tfcheck.hcl.source; print('hcl2' in sys.modules, 'lark' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parent.parent,
        check=True,
    )
    assert result.stdout.split() == ["False", "False"]
