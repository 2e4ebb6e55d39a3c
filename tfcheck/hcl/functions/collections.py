"""Terraform's collection, number and type-conversion functions (`concat`, `values`, ...).

`SHALLOW` functions keep unknown elements where Terraform does (`length`, `concat`,
`values`, ...): only the parts they must read have to be known, else they raise
`UnknownPart`. `KNOWN` functions need wholly known arguments (the caller checks).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from tfcheck.hcl.budget import LIMITS, BudgetExceeded, check_number, check_pairwise
from tfcheck.hcl.functions.yamldecode import yamldecode
from tfcheck.hcl.values import (
    EvalError,
    equal,
    has_unknown,
    is_known,
    make_set,
    materialize,
    number,
    to_bool,
    to_number,
    to_string,
    type_name,
    unknown_of,
)
from tfcheck.model import Unknown

_MAX_RANGE = 1024  # Terraform refuses range() results longer than this


def integer(value: Any) -> int:
    num = to_number(value)
    if not isinstance(num, int):
        raise EvalError(f"{value} is not a whole number")
    return num


def list_(value: Any, what: str = "the argument") -> list[Any]:
    value = materialize(value)
    if not isinstance(value, list):
        raise EvalError(f"{what} must be a list, not a {type_name(value)}")
    return value


def map_(value: Any) -> dict[str, Any]:
    value = materialize(value)
    if not isinstance(value, dict):
        raise EvalError(f"the argument must be a map, not a {type_name(value)}")
    return value


def need_known(*values: Any) -> None:
    if not all(is_known(v) for v in values):
        raise UnknownPart(unknown_of(*values))


class UnknownPart(Exception):
    """Raised inside a shallow function when a part it must read is unknown."""

    def __init__(self, value: Unknown) -> None:
        super().__init__(value.reason)
        self.value = value


def length(value: Any) -> int:
    if isinstance(value, (str, list, dict)):
        return len(value)
    raise EvalError(f"cannot take the length of a {type_name(value)}")


def element(items: Any, index: Any) -> Any:
    items = list_(items)
    need_known(index)
    position = integer(index)
    if not items:
        raise EvalError("cannot use element() on an empty list")
    if position < 0:
        raise EvalError("element() index must not be negative")
    return items[position % len(items)]


def slice_(items: Any, start: Any, end: Any) -> list[Any]:
    items = list_(items)
    need_known(start, end)
    first, last = integer(start), integer(end)
    if not 0 <= first <= last <= len(items):
        raise EvalError(f"slice({first}, {last}) is out of range for {len(items)} elements")
    return items[first:last]


def lookup(mapping: Any, key: Any, *default: Any) -> Any:
    mapping = map_(mapping)
    need_known(key)
    name = to_string(key)
    if name in mapping:
        return mapping[name]
    if default:
        return default[0]
    raise EvalError(f'the map has no key "{name}" and no default was given')


def merge(*maps: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for mapping in maps:
        if mapping is not None:
            out.update(map_(mapping))
    return out


def zipmap(keys: Any, values: Any) -> dict[str, Any]:
    keys, values = list_(keys), list_(values)
    need_known(*keys)
    if len(keys) != len(values):
        raise EvalError("zipmap() needs as many values as keys")
    return {to_string(k): v for k, v in zip(keys, values)}


def flatten(items: Any) -> list[Any]:
    out: list[Any] = []
    for item in list_(items):
        item = materialize(item)
        if isinstance(item, list):
            out.extend(flatten(item))
        elif isinstance(item, Unknown):
            raise UnknownPart(item)
        else:
            out.append(item)
    return out


def one(items: Any) -> Any:
    items = list_(items)
    if len(items) > 1:
        raise EvalError(f"one() needs a list of at most one element, not {len(items)}")
    return items[0] if items else None


def coalesce(*values: Any) -> Any:
    for value in values:
        if not is_known(value) and not isinstance(value, (list, dict)):
            raise UnknownPart(unknown_of(*values))
        if value is not None and value != "":
            return value
    raise EvalError("no non-null, non-empty argument")


def coalescelist(*lists: Any) -> list[Any]:
    for items in lists:
        if list_(items):
            return list(items)
    raise EvalError("no non-empty list argument")


def null_or(convert: Callable[[Any], Any], *kinds: type) -> Callable[[Any], Any]:
    def run(value: Any) -> Any:
        if value is None:
            return None
        if kinds and not isinstance(value, kinds):
            raise EvalError(f"cannot convert a {type_name(value)}")
        return convert(value)

    return run


def range_(*args: Any) -> list[Any]:
    nums = [to_number(a) for a in args]
    start, limit, step = (
        (0, nums[0], 1) if len(nums) == 1 else (nums[0], nums[1], 1) if len(nums) == 2 else tuple(nums)
    )
    if len(nums) < 3 and start > limit:
        step = -1
    if step == 0 or (step > 0 and start > limit) or (step < 0 and start < limit):
        if step == 0:
            raise EvalError("range() step must not be zero")
        return []
    count = math.ceil((limit - start) / step)
    if count > _MAX_RANGE:
        raise EvalError(f"range() would produce more than {_MAX_RANGE} numbers")
    return [number(start + i * step) for i in range(count)]


def sort_(items: list[Any]) -> list[str]:
    return sorted(to_string(i) for i in items)


def index_(items: list[Any], value: Any) -> int:
    for position, item in enumerate(items):
        if equal(item, value):
            return position
    raise EvalError("the value is not in the list")


def all_any(want: bool) -> Callable[[Any], Any]:
    def run(items: Any) -> Any:
        pending = []
        for item in list_(items):
            if not is_known(item):
                pending.append(item)
            elif to_bool(item) is not want:
                return not want
        if pending:
            raise UnknownPart(unknown_of(*pending))
        return want

    return run


def set_op(kind: str) -> Callable[..., list[Any]]:
    def run(first: list[Any], *rest: list[Any]) -> list[Any]:
        result = make_set(list(first))
        for other in rest:
            check_pairwise(len(result), len(other))
            if kind == "union":
                result = make_set(result + list(other))
            elif kind == "intersection":
                result = [x for x in result if any(equal(x, y) for y in other)]
            else:
                result = [x for x in result if not any(equal(x, y) for y in other)]
        return result

    return run


def setproduct(*sets: list[Any]) -> list[Any]:
    combos: list[list[Any]] = [[]]
    for items in sets:
        if len(combos) * len(items) > 100_000:
            raise EvalError("setproduct() result is too large")
        combos = [c + [i] for c in combos for i in items]
    return combos


def transpose(mapping: dict[str, list[Any]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for key in sorted(mapping):
        for value in list_(mapping[key]):
            out.setdefault(to_string(value), []).append(key)
    return out


def matchkeys(values: list[Any], keys: list[Any], search: list[Any]) -> list[Any]:
    if len(values) != len(keys):
        raise EvalError("values and keys must have the same length")
    check_pairwise(len(keys), len(search))
    return [v for v, k in zip(values, keys) if any(equal(k, s) for s in search)]


def _sum(items: Any) -> Any:
    values = [to_number(x) for x in list_(items)]
    if not values:
        raise EvalError("sum() of an empty list")
    return sum(values)


def _distinct(items: Any) -> list[Any]:
    """Terraform's result is unknown while an element is; elements that are references
    (`aws_subnet.a[0].id`) are kept, each once, so the edges they name survive."""
    out: list[Any] = []
    items = list_(items)
    check_pairwise(len(items), len(items))
    for item in items:
        if has_unknown(item):
            raise UnknownPart(unknown_of(items))
        if not any(equal(item, seen) for seen in out):
            out.append(item)
    return out


def _setunion(*sets: Any) -> list[Any]:
    for items in sets:
        if any(has_unknown(item) for item in list_(items)):
            raise UnknownPart(unknown_of(*sets))
    return set_op("union")(*(list_(items) for items in sets))


def _chunklist(items: Any, size: Any) -> list[Any]:
    items, width = list_(items), integer(size)
    if width < 0:
        raise EvalError("chunklist() size must not be negative")
    if width == 0:
        return [items]
    return [items[i : i + width] for i in range(0, len(items), width)]


def _pow(base: Any, exponent: Any) -> Any:
    """pow(), refused before Python would compute a number of millions of digits."""
    if (
        isinstance(base, int)
        and isinstance(exponent, int)
        and exponent > 0
        and abs(base) > 1
        and exponent * math.log2(abs(base)) > LIMITS.number_bits
    ):
        raise BudgetExceeded(f"a number of more than {LIMITS.number_bits:,} bits")
    return check_number(pow(base, exponent))


def _concat(*lists: Any) -> list[Any]:
    parts = [list_(items) for items in lists]
    if sum(map(len, parts)) > LIMITS.value_nodes:
        raise BudgetExceeded(f"concat() of more than {LIMITS.value_nodes:,} elements")
    return [x for items in parts for x in items]


SHALLOW: dict[str, tuple[Callable[..., Any], int, int | None]] = {
    # name: (implementation, least arguments, most arguments or None)
    "length": (length, 1, 1),
    "concat": (_concat, 0, None),
    "element": (element, 2, 2),
    "slice": (slice_, 3, 3),
    "reverse": (lambda items: list(reversed(list_(items))), 1, 1),
    "keys": (lambda m: sorted(map_(m)), 1, 1),
    "values": (lambda m: [map_(m)[k] for k in sorted(map_(m))], 1, 1),
    "lookup": (lookup, 2, 3),
    "merge": (merge, 0, None),
    "zipmap": (zipmap, 2, 2),
    "flatten": (flatten, 1, 1),
    "one": (one, 1, 1),
    "coalesce": (coalesce, 1, None),
    "coalescelist": (coalescelist, 1, None),
    "tolist": (null_or(lambda v: v, list), 1, 1),
    "tomap": (null_or(lambda v: v, dict), 1, 1),
    "toset": (null_or(make_set, list), 1, 1),
    "alltrue": (all_any(True), 1, 1),
    "anytrue": (all_any(False), 1, 1),
    "chunklist": (_chunklist, 2, 2),
    "distinct": (_distinct, 1, 1),
    "setunion": (_setunion, 1, None),
    "sensitive": (lambda v: v, 1, 1),
    "nonsensitive": (lambda v: v, 1, 1),
}

KNOWN: dict[str, tuple[Callable[..., Any], int, int | None, str]] = {
    # name: (implementation, least, most, argument kinds as in hcl_strings)
    "contains": (lambda items, v: any(equal(x, v) for x in list_(items)), 2, 2, ""),
    "index": (lambda items, v: index_(list_(items), v), 2, 2, ""),
    "compact": (lambda items: [to_string(x) for x in list_(items) if x is not None and x != ""], 1, 1, ""),
    "sort": (lambda items: sort_(list_(items)), 1, 1, ""),
    "range": (range_, 1, 3, "n*"),
    "sum": (_sum, 1, 1, ""),
    "setintersection": (set_op("intersection"), 1, None, ""),
    "setsubtract": (set_op("subtract"), 2, 2, ""),
    "setproduct": (setproduct, 1, None, ""),
    "transpose": (transpose, 1, 1, ""),
    "matchkeys": (matchkeys, 3, 3, ""),
    "min": (min, 1, None, "n*"),
    "max": (max, 1, None, "n*"),
    "abs": (abs, 1, 1, "n"),
    "ceil": (math.ceil, 1, 1, "n"),
    "floor": (math.floor, 1, 1, "n"),
    "signum": (lambda n: (n > 0) - (n < 0), 1, 1, "n"),
    "pow": (_pow, 2, 2, "nn"),
    "log": (math.log, 2, 2, "nn"),
    "parseint": (lambda s, b: int(s, b), 2, 2, "si"),
    "tostring": (null_or(to_string, str, int, float, bool), 1, 1, ""),
    "tonumber": (null_or(to_number, str, int, float), 1, 1, ""),
    "tobool": (null_or(to_bool, str, bool), 1, 1, ""),
    "yamldecode": (yamldecode, 1, 1, "s"),
}
