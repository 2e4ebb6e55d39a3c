"""A plan read with its source evaluates only what the plan does not know (load/combine.py
`PlanWants`, hcl/shapes.py): the combined inventory is the same as when the source
evaluates everything, on every fixture; only the --verbose disagreement notes need it all."""

from __future__ import annotations

from pathlib import Path

import pytest

from tfcheck.hcl.parse import parse_text
from tfcheck.hcl.shapes import names_instance_ids
from tfcheck.load.inputs import SourceOptions, load_inventory
from tfcheck.model import Inventory

ROOT = Path(__file__).parent.parent
SCENARIOS = sorted(p.parent for p in (ROOT / "fixtures").rglob("plan.json") if any(p.parent.glob("*.tf")))


def _instances(inventory: Inventory) -> list[tuple[object, ...]]:
    return [(i.address, i.values, i.file, i.line, i.region, i.action) for i in inventory.instances]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda p: str(p.relative_to(ROOT)))
def test_evaluating_only_what_the_plan_lacks_changes_no_instance(scenario: Path) -> None:
    plan = str(scenario / "plan.json")
    few = load_inventory(plan, SourceOptions(source=str(scenario)))
    every = load_inventory(plan, SourceOptions(source=str(scenario), compare=True))
    assert few.mode == every.mode == "plan+source"
    assert _instances(few.inventory) == _instances(every.inventory)
    assert set(few.notes) <= set(every.notes)


def test_the_scenarios_are_found() -> None:
    assert len(SCENARIOS) > 100


def _expression(text: str) -> object:
    blocks, _ = parse_text(f'resource "t" "n" {{\n  x = {text}\n}}\n', "main.tf")
    return blocks[0].attributes["x"].expr


@pytest.mark.parametrize(
    "text",
    [
        "aws_vpc.this.id",
        "aws_vpc.this.arn",
        "aws_subnet.public[0].id",
        'aws_subnet.public["a"].id',
        "aws_subnet.public[count.index].id",
        "aws_subnet.public[each.key].id",
        "aws_subnet.public[*].id",
        "aws_subnet.public.*.id",
        "[aws_security_group.a.id, aws_security_group.b.id]",
    ],
)
def test_plain_references_to_ids(text: str) -> None:
    assert names_instance_ids(_expression(text)) is True


@pytest.mark.parametrize(
    "text",
    [
        "aws_vpc.this.cidr_block",  # configured: the source may know what the plan does not
        "var.vpc.id",
        "local.vpc.id",
        "module.vpc.id",
        "data.aws_vpc.main.id",
        "each.value.id",
        "aws_subnet.public[local.i].id",  # the plan's reader may not resolve this index
        'aws_subnet.public["${var.az}"].id',
        "aws_subnet.public[0][1].id",
        "aws_subnet.public[*].id[0]",
        "aws_vpc.this.id.x",
        "lower(aws_vpc.this.id)",
        '"${aws_vpc.this.id}"',
        "var.on ? aws_vpc.a.id : aws_vpc.b.id",
        "[aws_vpc.a.id, var.other]",
        "[]",
        "try(aws_vpc.this.id, null)",
    ],
)
def test_anything_else_is_evaluated(text: str) -> None:
    assert names_instance_ids(_expression(text)) is False
