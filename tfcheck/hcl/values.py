"""Values of the HCL evaluator: JSON-like data whose leaves may be `Unknown` or `Ref`.

Also the lazy objects (`var`, a resource, a module call) that resolve one attribute at a
time, and Terraform's conversions between strings, numbers and bools.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from tfcheck.aws import NESTED_COMPUTED
from tfcheck.hcl.budget import check_pairwise
from tfcheck.model import Ref, Unknown, resource_type

AFTER_APPLY = "known after apply"


@dataclass(frozen=True, slots=True, eq=False)
class NotNull(Unknown):
    """An unknown that is surely not null: a string template with an unknown part. Terraform
    refines such values, so `x != null` is known (true); `finalize` makes it a plain Unknown.
    It equals the plain Unknown with the same reason and refs."""

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Unknown):
            return NotImplemented
        return (self.reason, self.refs) == (other.reason, other.refs)

    def __hash__(self) -> int:
        return hash((self.reason, self.refs))


class EvalError(Exception):
    """An expression Terraform would reject (caught by `try`/`can`, else noted)."""


class Lazy:
    """A value resolved one attribute at a time; `materialize` gives plain data."""

    def get_attr(self, name: str) -> Any:
        raise EvalError(f'this value has no attribute "{name}"')

    def get_index(self, key: Any) -> Any:
        raise EvalError("this value cannot be indexed")

    def materialize(self) -> Any:
        raise EvalError("this value cannot be used as data")


class Namespace(Lazy):
    """`var`, `local`, `module`, `data`, a resource type: a name resolved on access."""

    __slots__ = ("_resolve", "_what")

    def __init__(self, resolve: Callable[[str], Any], what: str) -> None:
        self._resolve = resolve
        self._what = what

    def get_attr(self, name: str) -> Any:
        return self._resolve(name)

    def materialize(self) -> Any:
        raise EvalError(f'"{self._what}" alone is not a value; name an attribute of it')


class ResourceValue(Lazy):
    """One resource instance: configured known attributes, else `Ref(address, attr)`."""

    __slots__ = ("address", "_configured")

    def __init__(self, address: str, configured: Callable[[str], Any]) -> None:
        self.address = address
        self._configured = configured

    def get_attr(self, name: str) -> Any:
        value = self._configured(name)
        computed = NESTED_COMPUTED.get((resource_type(self.address), name))
        if computed and isinstance(value, list):
            # `aws_eks_cluster.x.vpc_config[0].cluster_security_group_id`: AWS fills it in.
            return [
                {**{a: Ref(self.address, a, how="source") for a in computed}, **block}
                if isinstance(block, dict)
                else block
                for block in value
            ]
        if value is None or has_unknown(value):
            return Ref(self.address, name, how="source")
        return value

    def get_index(self, key: Any) -> Any:
        raise EvalError(f"{self.address} is a single resource instance and has no index")

    def materialize(self) -> Any:
        return Unknown("a whole resource object", refs=(Ref(self.address, "id", "source"),))


def is_known(value: Any) -> bool:
    """True when the value (deeply) holds no Unknown, Ref or lazy object."""
    if isinstance(value, (Unknown, Ref, Lazy)):
        return False
    if isinstance(value, list):
        return all(is_known(v) for v in value)
    if isinstance(value, dict):
        return all(is_known(v) for v in value.values())
    return True


def has_unknown(value: Any) -> bool:
    """True when the value (deeply) holds an Unknown; Refs count as known edges."""
    if isinstance(value, Unknown):
        return True
    if isinstance(value, list):
        return any(has_unknown(v) for v in value)
    if isinstance(value, dict):
        return any(has_unknown(v) for v in value.values())
    return False


def iter_refs(value: Any) -> Iterator[Ref]:
    if isinstance(value, Ref):
        yield value
    elif isinstance(value, Unknown):
        yield from value.refs
    elif isinstance(value, ResourceValue):
        yield Ref(value.address, "id", "source")
    elif isinstance(value, list):
        for item in value:
            yield from iter_refs(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from iter_refs(item)


def unknown_of(*values: Any, reason: str | None = None) -> Unknown:
    """The Unknown an operation over these values yields: first reason, all refs."""
    if reason is None:
        reason = next((u.reason for u in _unknowns(values)), AFTER_APPLY)
    refs = tuple(dict.fromkeys(r for v in values for r in iter_refs(v)))
    return Unknown(reason, refs)


def _unknowns(values: Any) -> Iterator[Unknown]:
    for value in values:
        if isinstance(value, Unknown):
            yield value
        elif isinstance(value, (list, tuple)):
            yield from _unknowns(value)
        elif isinstance(value, dict):
            yield from _unknowns(value.values())


def materialize(value: Any) -> Any:
    """Plain data for a value that may be lazy (a module call's outputs become a dict)."""
    while isinstance(value, Lazy):
        value = value.materialize()
    return value


def finalize(value: Any) -> Any:
    """Deeply replace lazy objects so the value can leave the evaluator."""
    value = materialize(value)
    if isinstance(value, list):
        return [finalize(v) for v in value]
    if isinstance(value, dict):
        return {k: finalize(v) for k, v in value.items()}
    if isinstance(value, NotNull):
        return Unknown(value.reason, value.refs)
    return value


def type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "object"
    return "object"


def number(value: Any) -> int | float:
    """Normalize a Python number the way Terraform prints it: integral values as int."""
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            raise EvalError("the result is not a finite number")
        if value.is_integer() and abs(value) < 2**63:
            return int(value)
        # Terraform computes with big decimals: 0.1 + 0.2 is 0.3 there, so drop
        # binary floating-point noise beyond 15 significant digits.
        return float(format(value, ".15g"))
    return value


def to_number(value: Any) -> int | float:
    if isinstance(value, bool):
        raise EvalError("a bool cannot be used as a number")
    if isinstance(value, (int, float)):
        return number(value)
    if isinstance(value, str):
        try:
            text = value.strip()
            return number(int(text) if text.lstrip("-").isdigit() else float(text))
        except ValueError:
            pass
        raise EvalError(f'"{value}" is not a number')
    raise EvalError(f"a {type_name(value)} cannot be used as a number")


def to_string(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return format_float(value)
    if value is None:
        raise EvalError("a null value cannot be used as a string")
    raise EvalError(f"a {type_name(value)} cannot be used as a string")


def format_float(value: float) -> str:
    value = number(value)
    if isinstance(value, int):
        return str(value)
    text = repr(value)
    if "e" in text:
        text = format(value, "f").rstrip("0").rstrip(".")
    return text


def to_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if value == "true":
        return True
    if value == "false":
        return False
    raise EvalError(f"a {type_name(value)} cannot be used as a bool")


def equal(left: Any, right: Any) -> bool:
    """Terraform's `==`: same type and value (1 != "1", true != 1)."""
    if isinstance(left, bool) or isinstance(right, bool):
        return isinstance(left, bool) and isinstance(right, bool) and left == right
    if isinstance(left, (int, float)) and isinstance(right, (int, float)):
        return left == right
    if type(left) is not type(right):
        return False
    if isinstance(left, list):
        return len(left) == len(right) and all(equal(a, b) for a, b in zip(left, right))
    if isinstance(left, dict):
        return left.keys() == right.keys() and all(equal(left[k], right[k]) for k in left)
    return bool(left == right)


def sort_key(value: Any) -> tuple[int, Any]:
    """Terraform's set order: numbers numerically, strings lexically, others by JSON text."""
    if isinstance(value, bool):
        return (2, str(value))
    if isinstance(value, (int, float)):
        return (0, value)
    if isinstance(value, str):
        return (1, value)
    return (3, json.dumps(finalize(value), sort_keys=True, default=repr))


_PRIMITIVE = (str, int, float, bool)


def make_set(items: list[Any]) -> list[Any]:
    """A set as tfcheck holds it: a list without duplicates, in Terraform's iteration order."""
    if all(item is None or type(item) in _PRIMITIVE for item in items):
        # Linear for the common case; `equal` keeps 1 == 1.0 and true != 1, and so do keys.
        first: dict[tuple[bool, bool, Any], Any] = {}
        for item in items:
            first.setdefault((type(item) is bool, type(item) is str, item), item)
        unique = list(first.values())
    else:
        check_pairwise(len(items), len(items))
        unique = []
        for item in items:
            if not any(equal(item, seen) for seen in unique):
                unique.append(item)
    if all(is_known(item) for item in unique):
        unique.sort(key=sort_key)
    return unique
