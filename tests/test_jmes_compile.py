"""The compiled closures return exactly what jmespath's own interpreter returns."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from typing import Any

import pytest
from conftest import REPO
from hypothesis import given, settings
from hypothesis import strategies as st
from jmespath.visitor import TreeInterpreter, _equals

from tfcheck.errors import TfcheckError
from tfcheck.policy.compiled import equals, is_false
from tfcheck.policy.dialect import Clause, Query, compile_expression, search_node, truthy
from tfcheck.policy.load import Placeholder, Policy, Template, load_policies

POLICIES = load_policies()
PLANS = sorted((REPO / "fixtures").glob("**/plan.json"))


def _templates(policy: Policy) -> Iterator[Template]:
    yield policy.message
    if policy.remediation is not None:
        yield policy.remediation
    for note in policy.notes:
        yield note.value


def _policy_exprs(policy: Policy) -> Iterator[Query]:
    yield policy.assert_
    if policy.where is not None:
        yield policy.where
    for conditional in (*policy.severity_when, *policy.notes):
        yield conditional.when
    for template in _templates(policy):
        yield from (p.expr for p in template.parts if isinstance(p, Placeholder))


BUILTIN = sorted({e.source: e for p in POLICIES for e in _policy_exprs(p)}.values(), key=lambda e: e.source)

# Every node type the compiler handles (and some it hands to the interpreter), with the
# corner cases of JMESPath equality, truthiness and function argument checks.
EXTRA = [
    compile_expression(s)
    for s in [
        "a",
        "a.b.c",
        "a.b == c.b",
        "a == b",
        "a != b",
        "a == `1`",
        "a == `0`",
        "a == `1.0`",
        "a == `true`",
        "a != `false`",
        "`true` == a",
        "a == `null`",
        "a == `[]`",
        "a == `{}`",
        "a == `2`",
        "a == 'x'",
        "a != 'x'",
        "a < b",
        "a <= `1`",
        "a > 'x'",
        "a >= `0.5`",
        "!a",
        "!!a",
        "a && b",
        "a || b",
        "!(a || b) && c",
        "a && b || c",
        "a[0]",
        "a[-1].b",
        "a[*].b",
        "a[?b == 'x'].c",
        "a[?b].c",
        "a[]",
        "a[].b",
        "a | b",
        "a.b | [0]",
        "@",
        "[a, b]",
        "['x', 'y']",
        "{x: a, y: b}",
        "a[1:2]",
        "*.b",
        "a.*",
        "length(a)",
        "length(a) > `0`",
        "contains(a, b)",
        "contains(['x', 'y'], a)",
        "not_null(a, b, c)",
        "keys(@)",
        "keys(a)",
        "max(a)",
        "sort_by(a, &b)",
        "map(&b, a)",
        "starts_with(a, 'x')",
        "to_string(a)",
        "type(a)",
        "abs(a)",
        "empty(a)",
        "nonempty(b)",
        "difference(a, b)",
        "intersection(a, b)",
        "glob(a, 'x*')",
        "cidr_contains(a, b)",
        "join(', ', a)",
        "to_number(a)",
        "values(a)",
        "merge(a, b)",
        "sum(a)",
    ]
]

_INTERPRETER = TreeInterpreter()


def _graph_items() -> list[dict[str, Any]]:
    """Every item of every collection of the graph of every committed fixture plan."""
    from tfcheck.graph.read import read_graph

    items = []
    for plan in PLANS:
        try:
            graph = read_graph(str(plan))[0]
        except TfcheckError:
            continue  # a bad-input fixture
        for value in graph.values():
            if isinstance(value, (list, tuple)):
                items += [i for i in value if isinstance(i, dict)]
    return items


@pytest.fixture(scope="module")
def graph_items() -> list[dict[str, Any]]:
    items = _graph_items()
    assert len(items) > 1000
    return items


def same(a: Any, b: Any) -> bool:
    """Equal and of the same types all the way down (`1 == True == 1.0` does not count)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, float) and a != a:
        return b != b  # NaN (to_number("NAN")) is itself here, as in both evaluators
    return bool(a == b)


def outcome(fn: Any, item: Any) -> tuple[str, Any]:
    try:
        return "value", fn(item)
    except Exception as e:  # noqa: BLE001 - an error must be the same error
        return type(e).__name__, str(e)


def _clauses(node: Any, clause: Clause) -> Iterator[tuple[Any, Clause]]:
    """Each &&/||/! operand's AST node with its Clause."""
    yield node, clause
    for child, part in zip(node["children"], clause.parts):
        yield from _clauses(child, part)


def assert_equivalent(expr: Query, item: Any) -> None:
    expected = outcome(expr.interpret, item)
    got = outcome(expr.search, item)
    assert got[0] == expected[0] and same(got[1], expected[1]), (expr.source, item, got, expected)
    truth = outcome(expr.holds, item)
    want = ("value", truthy(expected[1])) if expected[0] == "value" else expected
    assert truth == want, (expr.source, item, truth, want)


def test_builtin_expressions_are_all_covered() -> None:
    sources = {e.source for e in BUILTIN}
    assert "type == 'Gateway'" in sources and "address" in sources
    assert len(sources) > 40


@pytest.mark.parametrize("expr", BUILTIN + EXTRA, ids=lambda e: e.source)
def test_every_expression_on_every_fixture_item(expr: Query, graph_items: list[dict[str, Any]]) -> None:
    for item in graph_items:
        assert_equivalent(expr, item)


@pytest.mark.parametrize("expr", BUILTIN + EXTRA, ids=lambda e: e.source)
def test_every_clause_on_every_fixture_item(expr: Query, graph_items: list[dict[str, Any]]) -> None:
    """The &&/||/! operands `evaluate` decides separately when some fields are unknown."""
    for node, clause in _clauses(expr.parsed, expr.clause):
        for item in graph_items:
            want = outcome(lambda i: truthy(search_node(node, i)), item)
            assert outcome(clause.holds, item) == want, (expr.source, clause, item)


# Values the policies compare against, so random items hit both sides of every comparison.
_STRINGS = sorted(
    {
        "",
        "x",
        "xy",
        "Gateway",
        "Interface",
        "GatewayLoadBalancer",
        "s3",
        "dynamodb",
        "s3express",
        "logs",
        "none",
        "other",
        "nat",
        "us-east-1",
        "10.0.0.0/16",
        "10.0.3.0/24",
    }
)
_scalars = (
    st.none()
    | st.booleans()
    | st.sampled_from([0, 1, -1, 2, 0.0, 1.0, 2.5])
    | st.integers(-3, 3)
    | st.sampled_from(_STRINGS)
    | st.text(max_size=3)
)
_json = st.recursive(
    _scalars,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.sampled_from(["a", "b", "c", "x", "s3", "via"]), inner, max_size=3)
    ),
    max_leaves=6,
)
_FIELDS = sorted({f for e in BUILTIN + EXTRA for f in e.fields if f != "@"})


@pytest.mark.parametrize(
    "item",
    [
        {
            "a": [
                {"b": 0, "c": 1},
                {"b": "", "c": 2},
                {"b": [], "c": 3},
                {"b": "x", "c": None},
                {"b": 0.0, "c": [4]},
                {"b": {}, "c": 5},
                {"b": False, "c": 6},
                7,
                None,
            ]
        },
        {"a": [[1, 2], [3], 4, [], None], "b": [0, 1.0, True], "c": 0},
        {"a": 0, "b": 0.0, "c": False},
        {"a": 1, "b": True, "c": 1.0},
        {"a": {"b": 0, "c": ""}, "b": {"b": 0}, "c": {"b": False}},
        {"a": "10.0.0.0/16", "b": "10.0.3.0/24"},
        {"a": "x", "b": ["x", "y"]},
    ],
    ids=repr,
)
def test_hand_picked_items(item: dict[str, Any]) -> None:
    for expr in BUILTIN + EXTRA:
        assert_equivalent(expr, item)


@settings(max_examples=200, deadline=None)
@given(st.fixed_dictionaries({}, optional={f: _json for f in _FIELDS}))
def test_random_items(item: dict[str, Any]) -> None:
    for expr in BUILTIN + EXTRA:
        assert_equivalent(expr, item)


@settings(max_examples=300, deadline=None)
@given(_json)
def test_random_current_values(value: Any) -> None:
    """Expressions run on a non-object too (a list, a string, null): fields read null."""
    for expr in EXTRA:
        assert_equivalent(expr, value)


_CORNERS = [0, 1, 0.0, 1.0, 2, -1, True, False, None, "", "0", [], {}, [0], [False], {"a": 1}]


@pytest.mark.parametrize("x", _CORNERS, ids=repr)
@pytest.mark.parametrize("y", _CORNERS, ids=repr)
def test_equals_corner_cases(x: Any, y: Any) -> None:
    assert equals(x, y) is _equals(x, y)
    for source in ("a == b", "a != b", "a == `%s`" % json.dumps(y), "a != `%s`" % json.dumps(y)):
        assert_equivalent(compile_expression(source), {"a": x, "b": y})


@settings(max_examples=500)
@given(_json, _json)
def test_equals_and_is_false_are_jmespaths(x: Any, y: Any) -> None:
    assert equals(x, y) == _equals(x, y)
    assert is_false(x) is bool(_INTERPRETER._is_false(x))
    assert truthy(x) is not is_false(x)


def _interpreted_clause(node: Any, clause: Clause) -> Clause:
    return dataclasses.replace(
        clause,
        holds=lambda i: truthy(search_node(node, i)),
        parts=tuple(_interpreted_clause(c, p) for c, p in zip(node["children"], clause.parts)),
    )


def _interpreted(expr: Query) -> Query:
    """The same expression run by jmespath's interpreter, as tfcheck did before compiling."""
    return dataclasses.replace(
        expr,
        value=expr.interpret,
        holds=lambda i: truthy(expr.interpret(i)),
        clause=_interpreted_clause(expr.parsed, expr.clause),
    )


def _interpreted_template(template: Template) -> Template:
    parts = tuple(
        dataclasses.replace(p, expr=_interpreted(p.expr)) if isinstance(p, Placeholder) else p
        for p in template.parts
    )
    return dataclasses.replace(template, parts=parts)


def _interpreted_policy(policy: Policy) -> Policy:
    return dataclasses.replace(
        policy,
        assert_=_interpreted(policy.assert_),
        where=_interpreted(policy.where) if policy.where else None,
        message=_interpreted_template(policy.message),
        remediation=_interpreted_template(policy.remediation) if policy.remediation else None,
        severity_when=tuple(dataclasses.replace(c, when=_interpreted(c.when)) for c in policy.severity_when),
        notes=tuple(
            dataclasses.replace(n, when=_interpreted(n.when), value=_interpreted_template(n.value))
            for n in policy.notes
        ),
    )


def test_evaluate_gives_the_findings_the_interpreter_gives() -> None:
    """Whole rules, unknowns included, on every fixture graph: same findings, same order."""
    from tfcheck.graph.read import read_graph
    from tfcheck.policy.evaluate import evaluate

    reference = [_interpreted_policy(p) for p in POLICIES]
    outcomes = set()
    for plan in PLANS:
        try:
            graph = read_graph(str(plan))[0]
        except TfcheckError:
            continue
        got = evaluate(POLICIES, graph, plan="p")
        assert got == evaluate(reference, graph, plan="p"), plan
        outcomes |= {f.outcome.value for f in got}
    assert outcomes == {"pass", "fail", "inconclusive"}


def test_an_unknown_node_type_runs_through_the_interpreter() -> None:
    from tfcheck.policy.dialect import _COMPILER

    fn = _COMPILER.value({"type": "slice", "children": [0, 1, None]})
    assert fn([5, 6, 7]) == [5]
    with pytest.raises(NotImplementedError):
        _COMPILER.value({"type": "no_such_node", "children": []})({})


def test_a_slice_reads_only_its_base_field() -> None:
    """Its AST children are numbers, not nodes (compiling it used to raise TypeError)."""
    assert compile_expression("a[1:2]").fields == frozenset({"a"})
    assert compile_expression("a[::-1]").search({"a": [1, 2, 3]}) == [3, 2, 1]
