#!/usr/bin/env python3
"""Time reading Terraform HCL: parsing alone, and parsing + evaluating into an Inventory.

    python benchmarks/bench_hcl.py [--files 200] [--repeat 3] [DIR ...]

Without DIR it generates, in a temp dir, (a) a root module of --files .tf files, each one
VPC stack of 32 resources with its own names (one parse per file), and (b) a root module
calling a one-file stack module with for_each over --files keys (one parse, many
instances). Timings are in-process CPU seconds, best of --repeat; the first parse in a
process also loads python-hcl2's grammar, which is reported on its own line.
"""

from __future__ import annotations

import argparse
import gc
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

STACK = """
locals {
  azs__S__  = ["${var.region}a", "${var.region}b", "${var.region}c"]
  cidr__S__ = "10.${__N__ % 250}.0.0/16"
}
resource "aws_vpc" "v__S__" {
  cidr_block           = local.cidr__S__
  enable_dns_support   = true
  enable_dns_hostnames = true
  tags                 = { Name = "stack-__S__" }
}
resource "aws_internet_gateway" "igw__S__" { vpc_id = aws_vpc.v__S__.id }
resource "aws_subnet" "public__S__" {
  count             = 3
  vpc_id            = aws_vpc.v__S__.id
  availability_zone = local.azs__S__[count.index]
  cidr_block        = cidrsubnet(local.cidr__S__, 8, count.index)
}
resource "aws_subnet" "private__S__" {
  count             = 3
  vpc_id            = aws_vpc.v__S__.id
  availability_zone = local.azs__S__[count.index]
  cidr_block        = cidrsubnet(local.cidr__S__, 8, count.index + 10)
}
resource "aws_eip" "nat__S__" { domain = "vpc" }
resource "aws_nat_gateway" "nat__S__" {
  allocation_id = aws_eip.nat__S__.id
  subnet_id     = aws_subnet.public__S__[0].id
}
resource "aws_route_table" "public__S__" {
  vpc_id = aws_vpc.v__S__.id
  route {
    cidr_block = "0.0.0.0/0"
    gateway_id = aws_internet_gateway.igw__S__.id
  }
}
resource "aws_route_table_association" "public__S__" {
  count          = 3
  subnet_id      = aws_subnet.public__S__[count.index].id
  route_table_id = aws_route_table.public__S__.id
}
resource "aws_route_table" "private__S__" {
  count  = 3
  vpc_id = aws_vpc.v__S__.id
}
resource "aws_route" "nat__S__" {
  count                  = 3
  route_table_id         = aws_route_table.private__S__[count.index].id
  destination_cidr_block = "0.0.0.0/0"
  nat_gateway_id         = aws_nat_gateway.nat__S__.id
}
resource "aws_route_table_association" "private__S__" {
  count          = 3
  subnet_id      = aws_subnet.private__S__[count.index].id
  route_table_id = aws_route_table.private__S__[count.index].id
}
resource "aws_vpc_endpoint" "s3__S__" {
  vpc_id            = aws_vpc.v__S__.id
  service_name      = "com.amazonaws.${var.region}.s3"
  vpc_endpoint_type = "Gateway"
  route_table_ids   = aws_route_table.private__S__[*].id
}
resource "aws_security_group" "vpce__S__" {
  vpc_id = aws_vpc.v__S__.id
  dynamic "ingress" {
    for_each = [443]
    content {
      from_port   = ingress.value
      to_port     = ingress.value
      protocol    = "tcp"
      cidr_blocks = [local.cidr__S__]
    }
  }
}
resource "aws_vpc_endpoint" "if__S__" {
  for_each            = toset(["ecr.api", "ecr.dkr", "logs", "sts"])
  vpc_id              = aws_vpc.v__S__.id
  service_name        = "com.amazonaws.${var.region}.${each.value}"
  vpc_endpoint_type   = "Interface"
  private_dns_enabled = true
  subnet_ids          = aws_subnet.private__S__[*].id
  security_group_ids  = [aws_security_group.vpce__S__.id]
}
resource "aws_ecs_cluster" "c__S__" { name = "stack-__S__" }
resource "aws_ecs_task_definition" "app__S__" {
  family                   = "app-__S__"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = "256"
  memory                   = "512"
  container_definitions = jsonencode([{
    name  = "app"
    image = "123456789012.dkr.ecr.${var.region}.amazonaws.com/app:1"
    logConfiguration = {
      logDriver = "awslogs"
      options   = { awslogs-group = "/ecs/app", awslogs-region = var.region }
    }
  }])
}
resource "aws_ecs_service" "app__S__" {
  name            = "app"
  cluster         = aws_ecs_cluster.c__S__.id
  task_definition = aws_ecs_task_definition.app__S__.arn
  launch_type     = "FARGATE"
  network_configuration { subnets = aws_subnet.private__S__[*].id }
}
"""

HEAD = """variable "region" {
  type    = string
  default = "us-east-1"
}
provider "aws" {
  region = var.region
}
"""


def many_files(directory: Path, count: int) -> Path:
    """One root module of `count` files, each a stack with its own names."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "providers.tf").write_text(HEAD)
    for index in range(count - 1):
        text = STACK.replace("__S__", f"{index:04d}").replace("__N__", str(index))
        (directory / f"stack_{index:04d}.tf").write_text(text)
    return directory


def one_module(directory: Path, count: int) -> Path:
    """A root calling one stack module with for_each over `count` keys."""
    module = directory / "modules" / "stack"
    module.mkdir(parents=True, exist_ok=True)
    body = STACK.replace("__S__", "").replace("__N__", "var.index")
    (module / "main.tf").write_text(
        'variable "index" { type = number }\nvariable "region" { type = string }\n' + body
    )
    (directory / "main.tf").write_text(
        HEAD
        + f"""
module "stack" {{
  source   = "./modules/stack"
  for_each = {{ for i in range({count}) : format("s%04d", i) => i }}
  index    = each.value
  region   = var.region
}}
"""
    )
    return directory


def parse_only(directory: Path, files: list[Path]) -> None:
    """Parse every module directory, with the cyclic GC paused as load_source() does."""
    from tfcheck.hcl.parse import load_module_dir

    gc.disable()
    try:
        for folder in sorted({str(f.parent) for f in files}):
            load_module_dir(folder, str(directory))
    finally:
        gc.enable()


def best(fn: Callable[[], Any], repeat: int) -> float:
    """Best CPU time of `repeat` runs (CPU, not wall clock: steadier on a shared machine)."""
    times = []
    for _ in range(repeat):
        start = time.process_time()
        fn()
        times.append(time.process_time() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dirs", nargs="*")
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    start = time.perf_counter()
    import hcl2

    hcl2.parses_to_tree("x = 1\n")
    print(f"import hcl2 + first parse (grammar load): {time.perf_counter() - start:.3f} s")

    from tfcheck.hcl.source import load_source

    temp = Path(tempfile.mkdtemp(prefix="bench_hcl_"))
    dirs = [Path(d) for d in args.dirs] or [
        many_files(temp / "files", args.files),
        one_module(temp / "module", args.files),
    ]
    print(
        f"{'directory':<12}{'.tf files':>10}{'instances':>11}{'parse s':>10}"
        f"{'parse+eval s':>14}{'ms/file':>9}{'µs/instance':>13}"
    )
    for directory in dirs:
        files = sorted(directory.rglob("*.tf"))
        parse_s = best(lambda: parse_only(directory, files), args.repeat)
        total_s = best(lambda: load_source(str(directory), env={}), args.repeat)
        inventory = load_source(str(directory), env={})
        count = len(inventory.instances)
        print(
            f"{directory.name:<12}{len(files):>10}{count:>11}{parse_s:>10.3f}{total_s:>14.3f}"
            f"{parse_s / len(files) * 1000:>9.2f}{total_s / max(count, 1) * 1e6:>13.1f}"
        )
        if inventory.notes:
            print("  notes:", *inventory.notes[:5], sep="\n  ")


if __name__ == "__main__":
    main()
