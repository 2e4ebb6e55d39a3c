"""HCL mode and plan mode agree: for every fixture scenario, the same findings (rule id,
address and outcome) whether tfcheck reads the plan alone or evaluates the source alone."""

from __future__ import annotations

from pathlib import Path

import pytest

from tfcheck.findings import Outcome
from tfcheck.graph.read import read_graph
from tfcheck.load.inputs import SourceOptions
from tfcheck.policy.evaluate import evaluate
from tfcheck.policy.load import load_policies

ROOT = Path(__file__).parent.parent
SCENARIOS = sorted(
    p.parent
    for p in (ROOT / "fixtures").rglob("plan.json")
    if (p.parent / "main.tf").is_file()
    and "derived" not in p.parent.name
    and not (p.parent / "derived.json").exists()
)
# Where the two modes cannot agree by nature, and why.
EXPECTED_DIFFERENCES: dict[str, str] = {
    "fixtures/graph/local_vpc_id_unknown": "a plan's configuration has no locals: plan mode leaves vpc_id unknown, the source resolves it",
    "fixtures/graph/ecs_task_module_jsonencode": "a plan holds a partly unknown jsonencode as one unknown string: plan mode cannot read the "
    "task's needs (VPCE020 inconclusive), the source keeps the document's structure",
    "fixtures/graph/module_splat_outputs": "a plan records `module.az[*].x` and `[for m in module.az : m.x]` as the bare reference "
    "module.az: plan mode leaves those edges unknown (VPCE020 inconclusive), the source resolves them",
    "fixtures/graph/ecs_task_heredoc": "a heredoc JSON document with unknown parts is one unknown string in a plan: plan mode "
    "cannot read the task's needs (VPCE020, VPCE022 inconclusive), the source parses it",
}


def findings(path: Path, policies: tuple, use_source: bool) -> set[tuple[str, str, str]]:
    graph, _ = read_graph(str(path), None, SourceOptions(use_source=use_source))
    return {
        (f.rule_id, f.address, f.outcome.value)
        for f in evaluate(policies, graph)
        if f.outcome is not Outcome.PASS
    }


@pytest.fixture(scope="module")
def policies() -> tuple:
    return tuple(p for p in load_policies())


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda p: str(p.relative_to(ROOT / "fixtures")))
def test_hcl_mode_matches_plan_mode(scenario: Path, policies: tuple) -> None:
    key = str(scenario.relative_to(ROOT))
    from_plan = findings(scenario / "plan.json", policies, use_source=False)
    from_hcl = findings(scenario, policies, use_source=True)
    if key in EXPECTED_DIFFERENCES:
        assert from_plan != from_hcl, f"{key} now agrees: drop it from EXPECTED_DIFFERENCES"
        return
    assert from_hcl == from_plan
