"""HCL operators on values: attribute and index access, splats, arithmetic, logic, comparison.

An unknown operand makes the result unknown (carrying its refs); attribute access on a
`Ref` extends the ref's attribute path (`aws_x.a.tags.Name`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tfcheck.hcl.budget import check_number
from tfcheck.hcl.values import (
    EvalError,
    Lazy,
    NotNull,
    equal,
    is_known,
    materialize,
    number,
    to_bool,
    to_number,
    type_name,
    unknown_of,
)
from tfcheck.model import Ref, Unknown


def get_attr(value: Any, name: str) -> Any:
    if isinstance(value, dict):
        if name in value:
            return value[name]
        raise EvalError(f'the object has no attribute "{name}"')
    if isinstance(value, Lazy):
        return value.get_attr(name)
    if isinstance(value, Ref):
        return Ref(value.address, f"{value.attr}.{name}", value.how)
    if isinstance(value, Unknown):
        return value
    if value is None:
        raise EvalError(f'cannot read "{name}" of a null value')
    raise EvalError(f'a {type_name(value)} has no attribute "{name}"')


def get_index(value: Any, key: Any) -> Any:
    if isinstance(value, Unknown):
        return value
    if not is_known(key):
        return unknown_of(value, key)
    if isinstance(value, Ref):
        text = f'"{key}"' if isinstance(key, str) else str(key)
        return Ref(value.address, f"{value.attr}[{text}]", value.how)
    if isinstance(value, Lazy):
        return value.get_index(key)
    if isinstance(value, list):
        index = to_number(key)
        if not isinstance(index, int) or not 0 <= index < len(value):
            raise EvalError(f"index {key} is out of range for a list of {len(value)}")
        return value[index]
    if isinstance(value, dict):
        if isinstance(key, (list, dict)) or key is None:
            raise EvalError("a map key must be a string")
        name = (
            key
            if isinstance(key, str)
            else str(to_number(key))
            if not isinstance(key, bool)
            else str(key).lower()
        )
        if name not in value:
            raise EvalError(f'the map has no element "{name}"')
        return value[name]
    if value is None:
        raise EvalError("cannot index a null value")
    raise EvalError(f"a {type_name(value)} cannot be indexed")


def splat(value: Any, each: Callable[[Any], Any]) -> Any:
    """`value[*]...`: apply the rest per element; a non-list is one element, null none."""
    if isinstance(value, (Unknown, Ref)):
        return unknown_of(value)
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    return [each(item) for item in items]


def unary(op: str, value: Any) -> Any:
    if not is_known(value):
        return unknown_of(value)
    return number(-to_number(value)) if op == "-" else not to_bool(value)


def binary(op: str, a: Any, b: Any) -> Any:
    if op in ("&&", "||"):
        return _logic(op, a, b)
    a, b = materialize(a), materialize(b)
    if op in ("==", "!=") and (a is None or b is None):
        other = b if a is None else a
        if other is None or _not_null(other):
            return (other is None) is (op == "==")
    if not (is_known(a) and is_known(b)):
        return unknown_of(a, b)
    if op == "==":
        return equal(a, b)
    if op == "!=":
        return not equal(a, b)
    x, y = to_number(a), to_number(b)
    if op in _COMPARE:
        return _COMPARE[op](x, y)
    if op == "+":
        return number(x + y)
    if op == "-":
        return number(x - y)
    if op == "*":
        return check_number(number(x * y))
    if y == 0:
        raise EvalError("division by zero")
    if op == "/":
        return number(x / y)
    result = abs(x) % abs(y)  # Terraform's % keeps the dividend's sign
    return number(-result if x < 0 else result)


def _not_null(value: Any) -> bool:
    """Known not to be null, even with unknown parts: a list or object with unknown elements
    is itself known (cty compares it with null as Terraform does), and so is a template."""
    return isinstance(value, NotNull) or not isinstance(value, (Unknown, Ref, Lazy))


def _logic(op: str, a: Any, b: Any) -> Any:
    decisive = op == "||"  # the operand value that decides the result on its own
    for side in (a, b):
        if is_known(side) and to_bool(side) is decisive:
            return decisive
    if not (is_known(a) and is_known(b)):
        return unknown_of(a, b)
    return not decisive


_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "<": lambda x, y: bool(x < y),
    ">": lambda x, y: bool(x > y),
    "<=": lambda x, y: bool(x <= y),
    ">=": lambda x, y: bool(x >= y),
}
