from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import endpoint, graph, workload
from hypothesis import given
from hypothesis import strategies as st

from tfcheck.errors import PolicyError
from tfcheck.findings import Outcome, Severity
from tfcheck.policy.evaluate import check, evaluate, format_value, unknown_fields
from tfcheck.policy.load import Policy, load_policies


@pytest.fixture
def rule(write_policy: Callable[..., Path]) -> Callable[..., Policy]:
    """Build one validated policy from keyword fields (defaults fill the required keys)."""

    def make(**fields: Any) -> Policy:
        doc = {
            "id": "T001",
            "title": "Test rule",
            "severity": "error",
            "resource": "endpoints",
            "assert": "private_dns == `true`",
            "message": "{address} fails",
        }
        doc.update({k.rstrip("_"): v for k, v in fields.items()})
        (policy,) = load_policies([write_policy(yaml.safe_dump(doc))], builtin=False)
        return policy

    return make


def outcome(policy: Policy, item: dict[str, Any]) -> str | None:
    finding = check(policy, item)
    return None if finding is None else finding.outcome.value


def test_pass_fail_and_out_of_scope(rule: Callable[..., Policy]) -> None:
    policy = rule(where="type == 'Interface'")
    assert outcome(policy, endpoint(private_dns=True)) == "pass"
    assert outcome(policy, endpoint(private_dns=False)) == "fail"
    assert outcome(policy, endpoint(type="Gateway", private_dns=False)) is None


def test_unknown_field_makes_a_falsy_assert_inconclusive(rule: Callable[..., Policy]) -> None:
    item = endpoint(private_dns=None, unknown={"private_dns": "known after apply"})
    finding = check(rule(), item)
    assert finding is not None and finding.outcome is Outcome.INCONCLUSIVE
    assert finding.reasons == ("private_dns: known after apply",)
    assert finding.message == "Test rule: undecided before apply"


def test_unknown_in_where_is_inconclusive(rule: Callable[..., Policy]) -> None:
    policy = rule(where="type == 'Gateway'", assert_="nonempty(route_tables)")
    item = endpoint(type=None, unknown={"type": "unknown"})
    assert outcome(policy, item) == "inconclusive"


def test_a_known_false_conjunct_decides_despite_unknowns(rule: Callable[..., Policy]) -> None:
    """`type == 'Gateway' && aws_service`: a known Interface endpoint is out of scope."""
    policy = rule(where="type == 'Gateway' && aws_service == `true`")
    item = endpoint(type="Interface", aws_service=None, unknown={"aws_service": "?"})
    assert outcome(policy, item) is None
    item = endpoint(type="Gateway", aws_service=None, unknown={"aws_service": "?"})
    assert outcome(policy, item) == "inconclusive"


def test_an_empty_list_that_is_unknown_reads_unknown_in_messages(rule: Callable[..., Policy]) -> None:
    """A failing message never says `none` for a list the plan does not know (issue 14)."""
    policy = rule(
        resource="workloads",
        assert_="empty(unreachable)",
        message="{address} from {subnets} via {security_groups}",
    )
    item = workload(unreachable=["sqs"], subnets=[], security_groups=[], unknown={"subnets": "dynamic block"})
    finding = check(policy, item)
    assert finding is not None and finding.outcome is Outcome.FAIL
    assert finding.message == "aws_ecs_service.app from unknown (dynamic block) via none"


@pytest.mark.parametrize(
    ("assertion", "fields", "expected"),
    [
        ("a && b", {"a": None, "b": False}, "fail"),  # b known false decides
        ("a && b", {"a": None, "b": True}, "inconclusive"),
        ("a || b", {"a": None, "b": False}, "inconclusive"),
        ("a || b", {"a": None, "b": True}, "pass"),
        ("!a", {"a": True}, "inconclusive"),
        ("!(a || b)", {"a": None, "b": True}, "fail"),  # b true makes the or true, the not false
        ("!(a && b)", {"a": True, "b": None}, "pass"),  # b null: `a && b` is null, `!null` true
        ("a == `1` && b == `2`", {"a": None, "b": 3}, "fail"),
    ],
)
def test_kleene_logic_over_and_or_not(
    rule: Callable[..., Policy], assertion: str, fields: dict[str, Any], expected: str
) -> None:
    item = endpoint(unknown={"a": "unknown"}, **fields)
    assert outcome(rule(assert_=assertion), item) == expected


def test_nested_unknown_keys_count_for_their_top_field(rule: Callable[..., Policy]) -> None:
    policy = rule(resource="workloads", assert_="paths.s3.via == 'gateway_endpoint'")
    item = workload(paths={"s3": {"via": None}}, unknown={"paths.s3": "route table unknown"})
    finding = check(policy, item)
    assert finding is not None and finding.outcome is Outcome.INCONCLUSIVE
    assert finding.reasons == ("paths.s3: route table unknown",)
    assert unknown_fields(item) == {"paths": ["paths.s3: route table unknown"]}


def test_whole_item_expressions_see_every_unknown(rule: Callable[..., Policy]) -> None:
    policy = rule(assert_="length(keys(@)) > `100`")
    assert outcome(policy, endpoint()) == "fail"
    assert outcome(policy, endpoint(unknown={"vpc": "x"})) == "inconclusive"


def test_type_error_on_known_values_is_a_policy_error(rule: Callable[..., Policy]) -> None:
    policy = rule(assert_="length(private_dns) > `0`")
    with pytest.raises(
        PolicyError, match=r"rule T001: 'length\(private_dns\) > `0`' failed on aws_vpc_endpoint.logs"
    ):
        check(policy, endpoint(private_dns=True))
    item = endpoint(private_dns=None, unknown={"private_dns": "?"})
    assert outcome(policy, item) == "inconclusive"


def test_severity_when_notes_and_message_rendering(rule: Callable[..., Policy]) -> None:
    policy = rule(
        resource="workloads",
        assert_="empty(unreachable)",
        severity_when=[{"if": "kind == 'lambda'", "severity": "warning"}],
        message="{address} ({kind}) cannot reach {unreachable:explain}; subnets {subnets}; via {paths.s3.via}; ip {public_ip}; {{x}}",
        notes=[
            {"if": "public_ip == `false`", "text": "Set assign_public_ip = true."},
            {"if": "public_ip == `true`", "text": "never shown"},
        ],
        remediation="Add endpoints for {unreachable}.",
        explain={"ecr.dkr": "the task never starts"},
    )
    item = workload(unreachable=["ecr.dkr", "sqs"], subnets=["a", "b"], file="main.tf", line=12)
    finding = check(policy, item)
    assert finding is not None and finding.severity is Severity.ERROR
    assert finding.message == (
        "aws_ecs_service.app (ecs_service) cannot reach ecr.dkr (the task never starts); sqs; "
        "subnets a, b; via gateway_endpoint; ip false; {x} Set assign_public_ip = true."
    )
    assert finding.remediation == "Add endpoints for ecr.dkr, sqs."
    assert (finding.file, finding.line) == ("main.tf", 12)
    lambda_finding = check(policy, workload(kind="lambda", unreachable=["sqs"]))
    assert lambda_finding is not None and lambda_finding.severity is Severity.WARNING


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, "(unknown)"),
        ([], "none"),
        (["a", "b"], "a, b"),
        (True, "true"),
        (3, "3"),
        ({"b": 1, "a": None}, '{"a": null, "b": 1}'),
        ([None, 1], "(unknown), 1"),
    ],
)
def test_format_value(value: Any, text: str) -> None:
    assert format_value(value) == text


def test_evaluate_walks_the_rule_collection_and_tags_the_plan(rule: Callable[..., Policy]) -> None:
    doc = graph(
        endpoints=[endpoint(address="e1", private_dns=False), endpoint(address="e2")], workloads=[workload()]
    )
    results = evaluate([rule()], doc, plan="plan.json")
    assert [(r.address, r.outcome.value, r.plan) for r in results] == [
        ("e1", "fail", "plan.json"),
        ("e2", "pass", "plan.json"),
    ]


def test_builtin_rules_on_a_hand_written_graph() -> None:
    policies = [p for p in load_policies() if p.enabled]
    bad = endpoint(
        address="aws_vpc_endpoint.bad",
        private_dns=False,
        missing_workload_azs=["us-east-1c"],
        uncovered_workloads=["aws_ecs_service.app"],
        default_sg=True,
        security_groups=[],
    )
    good = endpoint(address="aws_vpc_endpoint.good")
    app = workload(unreachable=["ecr.dkr"])
    results = evaluate(policies, graph(endpoints=[bad, good], workloads=[app]))
    failed = {(r.address, r.rule_id, r.severity.value) for r in results if r.outcome is Outcome.FAIL}
    assert failed == {
        ("aws_vpc_endpoint.bad", "VPCE010", "error"),
        ("aws_vpc_endpoint.bad", "VPCE012", "error"),
        ("aws_vpc_endpoint.bad", "VPCE014", "warning"),
        ("aws_ecs_service.app", "VPCE020", "error"),
    }
    (vpce020,) = [r for r in results if r.rule_id == "VPCE020" and r.outcome is Outcome.FAIL]
    assert "ecr.dkr (the image pull times out: the task never starts)" in vpce020.message
    (vpce012,) = [r for r in results if r.rule_id == "VPCE012" and r.outcome is Outcome.FAIL]
    assert "us-east-1c" in vpce012.message and "availability risk, not an outage" in vpce012.message


_values = (
    st.none()
    | st.booleans()
    | st.integers(-2, 2)
    | st.sampled_from(["", "x", "Interface"])
    | st.lists(st.sampled_from(["a", "b"]), max_size=2)
)
_assertions = st.sampled_from(
    [
        "a",
        "!a",
        "a && b",
        "a || b",
        "!(a && b)",
        "a == b",
        "empty(a)",
        "nonempty(b)",
        "contains(['x', 'y'], a)",
        "a == `true` || b == `[]`",
        "!(a || !b)",
    ]
)


@given(
    a=_values,
    b=_values,
    assertion=_assertions,
    where=st.sampled_from([None, "b", "!a"]),
    hidden=st.sampled_from([("a",), ("b",), ("a", "b")]),
)
def test_a_rule_whose_every_read_field_is_unknown_never_fails(
    a: Any, b: Any, assertion: str, where: str | None, hidden: tuple[str, ...]
) -> None:
    from tfcheck.policy.dialect import compile_expression
    from tfcheck.policy.load import Template

    policy = Policy(
        id="H",
        title="h",
        severity=Severity.ERROR,
        resource="endpoints",
        assert_=compile_expression(assertion),
        message=Template("m", ("m",)),
        where=compile_expression(where) if where else None,
    )
    item = {"address": "x", "a": a, "b": b, "unknown": {f: "?" for f in hidden}}
    finding = check(policy, item)
    read = policy.assert_.fields | (policy.where.fields if policy.where else frozenset())
    if read <= set(hidden) and finding is not None:
        assert finding.outcome is not Outcome.FAIL
