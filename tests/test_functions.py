from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tfcheck.policy.dialect import WHOLE_ITEM, ExpressionError, compile_expression, truthy

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3),
    max_leaves=8,
)


@pytest.mark.parametrize(
    ("source", "fields"),
    [
        ("a", {"a"}),
        ("a.b.c", {"a"}),
        ("a[0].b", {"a"}),
        ("a[?x == `1`].y", {"a"}),
        ("!a && b || c", {"a", "b", "c"}),
        ("contains(['s3', 'dynamodb'], service)", {"service"}),
        ("map(&x, y)", {"y"}),
        ('paths."ecr.dkr".via', {"paths"}),
        ("a | b", {"a"}),
        ("a.*.b", {"a"}),
        ("length(@)", {WHOLE_ITEM}),
        ("{x: a, y: b.c}", {"a", "b"}),
        ("[a, `1`]", {"a"}),
        ("`null` == a", {"a"}),
        ("null == a", {"null", "a"}),  # a bare `null` is a field: the policy tests catch it
    ],
)
def test_fields_read_are_top_level_item_fields(source: str, fields: set[str]) -> None:
    assert compile_expression(source).fields == frozenset(fields)


@pytest.mark.parametrize(
    ("source", "column", "text"),
    [
        ("a ==", 4, "incomplete expression"),
        ("a b", 2, "Unexpected token"),
        ("`[", 0, "Unclosed"),
        ("", None, "empty expression"),
        ("nope(a)", None, "unknown function nope()"),
        ("length(a, b)", None, "length() takes 1 argument(s), got 2"),
        ("nonempty()", None, "nonempty() takes 1 argument(s), got 0"),
        ("not_null()", None, "not_null() takes at least 1 argument(s), got 0"),
    ],
)
def test_compile_errors_carry_a_position_when_jmespath_has_one(
    source: str, column: int | None, text: str
) -> None:
    with pytest.raises(ExpressionError) as info:
        compile_expression(source)
    assert info.value.column == column
    assert text in info.value.message
    assert info.value.message.startswith("invalid JMESPath")


def test_variadic_functions_accept_more_arguments() -> None:
    assert compile_expression("not_null(a, b, c)").search({"c": 1}) == 1


@pytest.mark.parametrize(
    ("source", "item", "expected"),
    [
        ("empty(a)", {"a": []}, True),
        ("empty(a)", {"a": {}}, True),
        ("empty(a)", {"a": ""}, True),
        ("empty(a)", {"a": None}, False),  # unknown is not empty
        ("empty(a)", {}, False),
        ("empty(a)", {"a": ["x"]}, False),
        ("nonempty(a)", {"a": ["x"]}, True),
        ("nonempty(a)", {"a": None}, False),
        ("nonempty(a)", {"a": 0}, False),
        ("difference(a, b)", {"a": [1, 2, 3], "b": [2]}, [1, 3]),
        ("intersection(a, b)", {"a": [1, 2, 3], "b": [3, 2]}, [2, 3]),
        ("glob(address, 'module.app.*')", {"address": "module.app.aws_ecs_service.x"}, True),
        ("glob(address, 'module.app.*')", {"address": "aws_ecs_service.x"}, False),
        ("glob(address, 'x')", {"address": None}, False),
        ("cidr_contains('10.0.0.0/16', c)", {"c": "10.0.3.0/24"}, True),
        ("cidr_contains('10.0.0.0/16', c)", {"c": "10.1.0.0/24"}, False),
        ("cidr_contains('10.0.0.0/16', c)", {"c": "10.0.0.7"}, True),
        ("cidr_contains('10.0.0.0/16', c)", {"c": "::/0"}, False),
        ("cidr_contains('10.0.0.0/16', c)", {"c": "garbage"}, False),
        ("cidr_contains('10.0.0.0/16', c)", {"c": None}, False),
    ],
)
def test_custom_functions(source: str, item: dict[str, Any], expected: Any) -> None:
    assert compile_expression(source).search(item) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, False),
        (False, False),
        ("", False),
        ([], False),
        ({}, False),
        (0, True),
        (True, True),
        ("x", True),
        ([None], True),
        ({"a": None}, True),
    ],
)
def test_truthy_follows_jmespath(value: Any, expected: bool) -> None:
    assert truthy(value) is expected


@given(json_values)
def test_empty_and_nonempty_are_false_on_null_and_never_both_true(value: Any) -> None:
    item = {"a": value}
    empty = compile_expression("empty(a)").search(item)
    nonempty = compile_expression("nonempty(a)").search(item)
    assert not (empty and nonempty)
    if value is None:
        assert not empty and not nonempty
    if isinstance(value, (list, dict, str)):
        assert empty != nonempty
