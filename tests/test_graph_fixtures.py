"""Every graph scenario under fixtures/graph: the graph holds exactly the values its
expected.json names (written from the HCL and the domain spec, not from tfcheck's output)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from tfcheck.graph.build import build_graph
from tfcheck.graph.read import read_graph
from tfcheck.load.inputs import SourceOptions
from tfcheck.load.inventory import build_inventory
from tfcheck.load.plan import load_plan

ROOT = Path(__file__).parent.parent
SCENARIOS = sorted(p.parent for p in (ROOT / "fixtures" / "graph").glob("*/expected.json"))
SCHEMA = json.loads((ROOT / "tfcheck" / "graph" / "schema.json").read_text())


def graph_of(plan: Path) -> dict[str, Any]:
    data = build_graph(build_inventory(load_plan(str(plan))))
    return json.loads(json.dumps(data.document()))


def test_there_are_enough_scenarios() -> None:
    assert len(SCENARIOS) >= 15


def matches(want: Any, got: Any) -> bool:
    """Equal, except that an expected object names only the keys it asserts (fixtures/README.md)."""
    if isinstance(want, dict):
        return isinstance(got, dict) and all(k in got and matches(v, got[k]) for k, v in want.items())
    if isinstance(want, list) and want and all(isinstance(w, dict) for w in want):
        # Routes and rules: the same members, in any order.
        if not isinstance(got, list) or len(want) != len(got):
            return False
        left = list(got)
        for w in want:
            hit = next((g for g in left if matches(w, g)), None)
            if hit is None:
                return False
            left.remove(hit)
        return True
    if isinstance(want, list):
        return isinstance(got, list) and len(want) == len(got) and all(map(matches, want, got))
    return bool(want == got and type(want) is type(got))


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda p: p.name)
def test_graph_matches_expected_values(scenario: Path) -> None:
    graph = graph_of(scenario / "plan.json")
    jsonschema.validate(graph, SCHEMA)
    problems = differences(graph, json.loads((scenario / "expected.json").read_text()))
    assert not problems, "\n".join(problems)


# Scenarios whose expected values hold whatever tfcheck reads: the plan with its source,
# and the source alone (HCL mode), as issue 14 asks of the real-stack patterns.
EVERY_MODE = (
    "nat_gateway_id_modules",
    "nat_in_private_subnet",
    "nat_private_connectivity",
    "ecs_ec2_task_sg_closed",
    "data_region_az_names",
    "route_targets_by_type",
)


@pytest.mark.parametrize("mode", ["plan+source", "hcl"])
@pytest.mark.parametrize("name", EVERY_MODE)
def test_expected_values_hold_in_every_mode(name: str, mode: str) -> None:
    scenario = ROOT / "fixtures" / "graph" / name
    path = scenario / "plan.json" if mode == "plan+source" else scenario
    read, _ = read_graph(str(path), None, SourceOptions())
    assert read.summary["mode"] == mode
    graph = json.loads(json.dumps(read.document()))
    jsonschema.validate(graph, SCHEMA)
    problems = differences(graph, json.loads((scenario / "expected.json").read_text()))
    assert not problems, "\n".join(problems)


def differences(graph: dict[str, Any], expected: dict[str, Any]) -> list[str]:
    """What `graph` gets wrong of `expected` (fixtures/README.md), one line each."""
    problems = []
    for collection, items in expected.items():
        if collection == "absent":
            present = {i["address"] for c in graph.values() if isinstance(c, list) for i in c}
            problems += [f"{a} should not be in the graph" for a in items if a in present]
            continue
        if not isinstance(items, dict):
            continue
        actual = {item["address"]: item for item in graph.get(collection, [])}
        for address, fields in items.items():
            if fields is None:  # the resource must not be in the graph (planned for deletion)
                if address in actual:
                    problems.append(f"{collection}: {address} should be absent")
                continue
            if address not in actual:
                problems.append(f"{collection}: {address} missing")
                continue
            for name, want in fields.items():
                got = actual[address].get(name)
                if name == "unknown":
                    missing = {k: v for k, v in want.items() if k not in got}
                    if missing:
                        problems.append(f"{address}.unknown lacks {missing} (has {got})")
                elif not matches(want, got):
                    problems.append(f"{address}.{name}: expected {want!r}, got {got!r}")
    return problems


@pytest.mark.parametrize(
    ("scenario", "collection", "address", "how"),
    [
        (
            "existing_add_endpoint",
            "subnets",
            "aws_subnet.private[0]",
            {"vpc": "value", "route_table": "value"},
        ),
        (
            "count_nat_per_az",
            "subnets",
            "aws_subnet.private[0]",
            {"vpc": "reference", "route_table": "index"},
        ),
        (
            "modules_nested_outputs",
            "endpoints",
            "aws_vpc_endpoint.ssm",
            {"vpc": "module output", "subnets": "module output", "security_groups": "reference"},
        ),
        (
            "endpoint_associations",
            "endpoints",
            "aws_vpc_endpoint.sts",
            {
                "vpc": "reference",
                "subnets": "association, reference",
                "security_groups": "association, reference",
            },
        ),
    ],
)
def test_every_resolved_edge_says_how_it_was_found(
    scenario: str, collection: str, address: str, how: dict[str, str]
) -> None:
    graph = graph_of(ROOT / "fixtures" / "graph" / scenario / "plan.json")
    item = next(i for i in graph[collection] if i["address"] == address)
    assert item["how"] == how
