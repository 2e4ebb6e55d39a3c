"""Hostile policies, as a pull request can add them: expressions under a thousand characters
that would double a value at every pipe stage, or multiply work by nesting, end in one error
naming the policy file and rule, quickly, instead of running for hours (policy/budget.py)."""

from __future__ import annotations

import signal
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import yaml
from conftest import REPO, endpoint, graph
from hostile import error_line, run

from tfcheck.errors import PolicyError
from tfcheck.graph.read import read_graph
from tfcheck.load.inputs import SourceOptions
from tfcheck.policy import budget
from tfcheck.policy.evaluate import evaluate
from tfcheck.policy.load import load_policies

DEMO = REPO / "fixtures" / "demo" / "plan.json"


def doubled(stage: str, times: int) -> str:
    return " | ".join([stage] * times)


# Each would build 2**28 values or more (strings: characters) without the budget.
BOMBS = {
    "flatten": doubled("[@, @][]", 40) + " | length(@) > `0`",
    "join": "to_string(@) | " + doubled("[@, @] | join('', @)", 28) + " != ''",
    "to_string": doubled("[@, @]", 60) + " | to_string(@) != ''",
    "interpreted": "length(map(&(" + doubled("[@, @][]", 40) + "), [@])) > `0`",
    "sorted": doubled("[@, @][]", 40) + " | length(sort_by(@, &address)) > `0`",
}


def policy_text(assert_: str, resource: str = "endpoints") -> str:
    return yaml.safe_dump(
        {
            "id": "ORG001",
            "title": "Hostile",
            "severity": "error",
            "resource": resource,
            "assert": assert_,
            "message": "{address} fails",
        }
    )


@pytest.mark.parametrize("name", sorted(BOMBS))
def test_a_doubling_expression_is_one_policy_error(name: str, tmp_path: Path) -> None:
    assert len(BOMBS[name]) < 1000
    (tmp_path / "policies").mkdir()
    (tmp_path / "policies" / "bomb.yaml").write_text(policy_text(BOMBS[name]))
    started = time.monotonic()
    done = run(["check", str(DEMO), "--no-source", "--policies", "policies"], tmp_path)
    line = error_line(done)
    assert time.monotonic() - started < 20
    assert "policies/bomb.yaml: rule ORG001:" in line and "policy budget" in line, line


@pytest.fixture
def bounded() -> Iterator[None]:
    """Fail (rather than hang the suite) if an evaluation outlives its budget's promise."""

    def expired(signum: int, frame: object) -> None:
        raise AssertionError("evaluation ran past 20 s: the budget did not stop it")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(20)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def one_rule(write_policy: Callable[..., Path], assert_: str, resource: str) -> list[object]:
    return list(load_policies([write_policy(policy_text(assert_, resource))], builtin=False))


def test_pairwise_work_over_long_lists_is_charged(write_policy: Callable[..., Path], bounded: None) -> None:
    """`difference` compares every pair: 5,000 × 5,000 is 25 million comparisons."""
    subnets = [f"aws_subnet.s[{i}]" for i in range(5000)]
    rules = one_rule(write_policy, "length(difference(subnets, subnets)) == `0`", "endpoints")
    with pytest.raises(PolicyError, match=r"rule ORG001: .* policy budget"):
        evaluate(rules, graph(endpoints=[endpoint(subnets=subnets)]))  # type: ignore[arg-type]


def test_nested_cross_item_reads_are_charged(write_policy: Callable[..., Path], bounded: None) -> None:
    """`in_vpc` inside a projection of `in_vpc`, three deep: 400³ items per subnet checked."""
    subnets = [
        {"address": f"aws_subnet.s[{i}]", "resource_type": "aws_subnet", "vpc": "aws_vpc.main", "unknown": {}}
        for i in range(400)
    ]
    nested = "length(in_vpc(vpc, 'subnets')[*].in_vpc(vpc, 'subnets')[*].in_vpc(vpc, 'subnets')) > `0`"
    rules = one_rule(write_policy, nested, "subnets")
    vpc = {"address": "aws_vpc.main", "resource_type": "aws_vpc", "unknown": {}}
    with pytest.raises(PolicyError, match=r"rule ORG001: .* 400 subnets"):
        evaluate(rules, graph(vpcs=[vpc], subnets=subnets))  # type: ignore[arg-type]


PLANS = sorted(REPO.glob("fixtures/rules/*/*/plan.json"))


def test_the_built_in_rules_need_a_small_part_of_the_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    """Over every rule fixture, the built-in rules run within 100 values per graph item and
    no base at all: the real limit (10 million, and 2,000 per item) is far above them."""
    monkeypatch.setattr(budget, "BASE", 0)
    monkeypatch.setattr(budget, "PER_ITEM", 100)
    policies = load_policies()
    assert len(PLANS) > 50
    for plan in PLANS:
        found, _ = read_graph(str(plan), source=SourceOptions(use_source=False))
        evaluate(policies, found, plan=str(plan))  # raises PolicyError if over
