"""Plan + source is as precise as the source (issue 14): every value HCL mode determines,
plan + source determines the same way; partly unknown documents (jsonencode with module
outputs, heredoc JSON) keep their structure, so their needs are read."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tfcheck.findings import Outcome
from tfcheck.graph.read import read_graph
from tfcheck.load.inputs import SourceOptions
from tfcheck.policy.evaluate import evaluate
from tfcheck.policy.load import load_policies

ROOT = Path(__file__).parent.parent
GRAPH = ROOT / "fixtures" / "graph"
SCENARIOS = sorted(
    p.parent
    for p in (ROOT / "fixtures").rglob("plan.json")
    if (p.parent / "main.tf").is_file() and not (p.parent / "derived.json").exists()
)
IGNORED = {"file", "line", "how", "unknown"}  # where and how a value was found may differ


def graph(path: Path, use_source: bool = True) -> dict[str, Any]:
    return read_graph(str(path), None, SourceOptions(use_source=use_source))[0].document()


def determined(item: dict[str, Any]) -> dict[str, Any]:
    """The fields of an item its own read decided (not listed as unknown)."""
    return {k: v for k, v in item.items() if k not in IGNORED and k not in item["unknown"]}


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda p: str(p.relative_to(ROOT / "fixtures")))
def test_plan_and_source_equal_hcl_mode_on_every_value_the_source_determines(scenario: Path) -> None:
    hcl = graph(scenario)
    combined = graph(scenario / "plan.json")
    assert combined["summary"]["mode"] == "plan+source"
    problems = []
    for collection, items in hcl.items():
        if not isinstance(items, list):
            continue
        got = {i["address"]: i for i in combined[collection]}
        for item in items:
            other = got.get(item["address"])
            if other is None:
                problems.append(f"{item['address']} missing from plan + source")
                continue
            for name, value in determined(item).items():
                if other.get(name) != value:
                    problems.append(
                        f"{item['address']}.{name}: HCL {value!r}, "
                        f"plan + source {other.get(name)!r} ({other['unknown'].get(name)})"
                    )
    assert not problems, "\n".join(problems)


NEEDS = {
    "ecs_task_module_jsonencode": (
        "module.service.aws_ecs_service.this",
        ["ecr.api", "ecr.dkr", "logs", "s3", "secretsmanager"],
    ),
    # sqs: the task role's heredoc policy, read through the same partial JSON (needs from IAM)
    "ecs_task_heredoc": ("aws_ecs_service.reports", ["ecr.api", "ecr.dkr", "logs", "s3", "sqs"]),
}


@pytest.mark.parametrize("scenario", sorted(NEEDS))
@pytest.mark.parametrize("read", ["hcl", "plan+source"])
def test_partly_unknown_container_definitions_keep_their_needs(scenario: str, read: str) -> None:
    address, needs = NEEDS[scenario]
    doc = graph(GRAPH / scenario if read == "hcl" else GRAPH / scenario / "plan.json")
    workload = next(w for w in doc["workloads"] if w["address"] == address)
    assert workload["needs"] == needs
    assert "needs" not in workload["unknown"]


# Edges the plan alone leaves open (fixtures' expected.json) and the source resolves.
SOURCE_EDGES = {
    "module_splat_outputs": {
        "aws_vpc_endpoint.s3": (
            "route_tables",
            ["module.az[0].aws_route_table.private", "module.az[1].aws_route_table.private"],
        ),
        "aws_vpc_endpoint.dynamodb": (
            "route_tables",
            ["module.az[0].aws_route_table.private", "module.az[1].aws_route_table.private"],
        ),
        "aws_vpc_endpoint.sts": (
            "subnets",
            ["module.az[0].aws_subnet.private", "module.az[1].aws_subnet.private"],
        ),
        "aws_instance.batch[1]": ("subnets", ["module.az[1].aws_subnet.private"]),
        "module.sg.aws_security_group.this": ("vpc", "aws_vpc.main"),
    },
}


@pytest.mark.parametrize("scenario", sorted(SOURCE_EDGES))
@pytest.mark.parametrize("read", ["hcl", "plan+source"])
def test_edges_the_plan_leaves_open_resolve_through_the_source(scenario: str, read: str) -> None:
    doc = graph(GRAPH / scenario if read == "hcl" else GRAPH / scenario / "plan.json")
    items = {i["address"]: i for c in doc.values() if isinstance(c, list) for i in c}
    for address, (name, want) in SOURCE_EDGES[scenario].items():
        assert items[address][name] == want, (address, name, items[address]["unknown"])
        assert name not in items[address]["unknown"]
    assert doc["summary"]["edges"]["unresolved"] == []


FINDINGS = {
    # No NAT, ECR endpoints without private DNS, no logs or secretsmanager endpoint.
    "ecs_task_module_jsonencode": {("VPCE020", "module.service.aws_ecs_service.this"): "fail"},
    # A NAT path for everything; S3 image layers through the NAT with no gateway endpoint.
    "ecs_task_heredoc": {
        ("VPCE020", "aws_ecs_service.reports"): "pass",
        ("VPCE022", "aws_route_table.private"): "fail",
    },
    # The associations hold: no S3 gateway endpoint is missing from a workload's table.
    # Gateway endpoints on both AZs' tables; sts by an interface endpoint in both AZs.
    "module_splat_outputs": {
        ("VPCE020", "aws_instance.batch[0]"): "pass",
        ("VPCE020", "aws_instance.batch[1]"): "pass",
        ("VPCE003", "aws_vpc_endpoint.s3"): "pass",
    },
    "module_per_kind_count": {
        ("VPCE003", "module.endpoint.aws_vpc_endpoint.s3"): "pass",
        ("VPCE020", "aws_instance.app"): "pass",
    },
}


@pytest.mark.parametrize("scenario", sorted(FINDINGS))
@pytest.mark.parametrize("read", ["hcl", "plan+source"])
def test_findings_decided_from_the_source(scenario: str, read: str) -> None:
    path = GRAPH / scenario if read == "hcl" else GRAPH / scenario / "plan.json"
    found = {
        (f.rule_id, f.address): f.outcome.value
        for f in evaluate(tuple(load_policies()), read_graph(str(path))[0])
    }
    for key, outcome in FINDINGS[scenario].items():
        assert found.get(key) == outcome, (key, found.get(key))


def test_outcome_values_are_the_ones_named() -> None:
    assert {o.value for o in Outcome} >= {"pass", "fail", "inconclusive"}
