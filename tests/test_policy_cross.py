"""Policies that look across collections: item(), items(), in_vpc(), where_eq(), and the rule
that an unknown field of an item they read makes a failure inconclusive."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import REPO, graph, workload

from tfcheck.cli import main
from tfcheck.errors import PolicyError
from tfcheck.findings import Outcome
from tfcheck.graph.model import Graph
from tfcheck.policy.evaluate import evaluate
from tfcheck.policy.load import Policy, load_policies


def subnet(address: str, az: str, **fields: Any) -> dict[str, Any]:
    item = {
        "address": address,
        "resource_type": "aws_subnet",
        "vpc": "aws_vpc.main",
        "az": az,
        "egress": "nat",
        "egress_target": None,
        "private": True,
        "unknown": {},
    }
    item.update(fields)
    return item


def nat(address: str, az: str | None, **fields: Any) -> dict[str, Any]:
    item = {
        "address": address,
        "resource_type": "aws_nat_gateway",
        "vpc": "aws_vpc.main",
        "az": az,
        "unknown": {},
    }
    item.update(fields)
    return item


@pytest.fixture
def same_az_rule(write_policy: Callable[..., Path]) -> Policy:
    doc = {
        "id": "X100",
        "title": "NAT in the subnet's own AZ",
        "severity": "warning",
        "resource": "workloads",
        "where": "nonempty(items(subnets)[?egress == 'nat'])",
        "assert": "length(items(subnets)[?egress == 'nat'].[az, item(egress_target).az]"
        "[?@[0] != @[1]]) == `0`",
        "message": "{address} uses NAT gateways {items(subnets)[].egress_target}",
    }
    (policy,) = load_policies([write_policy(yaml.safe_dump(doc))], builtin=False)
    return policy


def results(policy: Policy, g: Graph) -> dict[str, Any]:
    return {f.address: f for f in evaluate([policy], g)}


def test_a_join_from_workload_to_subnets_to_nat_gateways(same_az_rule: Policy) -> None:
    subnets = [subnet("s.a", "1a", egress_target="n.a"), subnet("s.b", "1b", egress_target="n.a")]
    app = workload(address="app", subnets=["s.a", "s.b"])
    found = results(same_az_rule, graph(subnets=subnets, nat_gateways=[nat("n.a", "1a")], workloads=[app]))
    assert found["app"].outcome is Outcome.FAIL and "n.a, n.a" in found["app"].message
    subnets[1]["egress_target"] = "n.b"
    found = results(
        same_az_rule,
        graph(subnets=subnets, nat_gateways=[nat("n.a", "1a"), nat("n.b", "1b")], workloads=[app]),
    )
    assert found["app"].outcome is Outcome.PASS


def test_an_unknown_field_of_a_joined_item_makes_a_failure_inconclusive(same_az_rule: Policy) -> None:
    subnets = [subnet("s.a", "1a", egress_target="n.x")]
    app = workload(address="app", subnets=["s.a"])
    undecided = nat("n.x", None, unknown={"az": "subnet AZ unknown"})
    found = results(same_az_rule, graph(subnets=subnets, nat_gateways=[undecided], workloads=[app]))
    assert found["app"].outcome is Outcome.INCONCLUSIVE
    assert found["app"].reasons == ("n.x: az: subnet AZ unknown",)


def test_an_unknown_field_the_rule_does_not_read_changes_nothing(same_az_rule: Policy) -> None:
    subnets = [subnet("s.a", "1a", egress_target="n.b", unknown={"cidr": "known after apply"})]
    app = workload(address="app", subnets=["s.a"])
    found = results(same_az_rule, graph(subnets=subnets, nat_gateways=[nat("n.b", "1b")], workloads=[app]))
    assert found["app"].outcome is Outcome.FAIL


def test_a_cross_item_where_that_an_unknown_excludes_is_inconclusive(same_az_rule: Policy) -> None:
    subnets = [subnet("s.a", "1a", egress="unknown", unknown={"egress": "route unknown"})]
    app = workload(address="app", subnets=["s.a"])
    found = results(same_az_rule, graph(subnets=subnets, workloads=[app]))
    assert found["app"].outcome is Outcome.INCONCLUSIVE
    assert found["app"].reasons == ("s.a: egress: route unknown",)


def test_an_address_the_graph_does_not_hold_makes_a_failure_inconclusive(same_az_rule: Policy) -> None:
    subnets = [subnet("s.a", "1a", egress_target="n.elsewhere")]
    app = workload(address="app", subnets=["s.a", "s.gone"])
    found = results(same_az_rule, graph(subnets=subnets, workloads=[app]))
    assert found["app"].outcome is Outcome.INCONCLUSIVE
    assert set(found["app"].reasons) == {"n.elsewhere: not in the graph", "s.gone: not in the graph"}


def test_in_vpc_and_where_eq_join_on_the_items_own_values(write_policy: Callable[..., Path]) -> None:
    doc = {
        "id": "X101",
        "title": "A gateway endpoint of the same service exists",
        "severity": "info",
        "resource": "endpoints",
        "where": "type == 'Interface'",
        "assert": "nonempty(where_eq(where_eq(in_vpc(vpc, 'endpoints'), 'type', 'Gateway'), "
        "'service', service))",
        "message": "{address}: no gateway endpoint for {service} in {vpc}",
    }
    (policy,) = load_policies([write_policy(yaml.safe_dump(doc))], builtin=False)

    def ep(address: str, kind: str, service: str) -> dict[str, Any]:
        return {
            "address": address,
            "resource_type": "aws_vpc_endpoint",
            "vpc": "aws_vpc.main",
            "type": kind,
            "service": service,
            "unknown": {},
        }

    g = graph(
        endpoints=[
            ep("e.s3", "Interface", "s3"),
            ep("e.s3gw", "Gateway", "s3"),
            ep("e.ddb", "Interface", "dynamodb"),
        ]
    )
    found = results(policy, g)
    assert found["e.s3"].outcome is Outcome.PASS and found["e.ddb"].outcome is Outcome.FAIL


def test_in_vpc_names_a_bad_collection(write_policy: Callable[..., Path]) -> None:
    doc = {
        "id": "X102",
        "title": "t",
        "severity": "info",
        "resource": "workloads",
        "assert": "nonempty(in_vpc(vpc, 'subnet'))",
        "message": "{address}",
    }
    (policy,) = load_policies([write_policy(yaml.safe_dump(doc))], builtin=False)
    with pytest.raises(PolicyError, match="no collection 'subnet'"):
        evaluate([policy], graph(workloads=[workload(address="app")]))


def test_the_example_policies_pass_their_own_cases(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["test", str(REPO / "examples" / "policies")]) == 0
    assert "4 cases, 0 failed" in capsys.readouterr().out


def test_the_example_policies_load_beside_the_builtin_pack(capsys: pytest.CaptureFixture[str]) -> None:
    plan = REPO / "examples/policies/cases/org002-fail/plan.json"
    code = main(["check", str(plan), "--policies", str(REPO / "examples/policies"), "--format", "json"])
    out = capsys.readouterr().out
    assert (
        code == 0 and '"rule_id": "ORG002"' in out and '"rule_id": "ORG001"' not in out.split('"passed"')[0]
    )
