"""Turn a parsed JMESPath AST into nested Python closures once, so evaluating a policy over
thousands of items skips jmespath's per-node dict dispatch.

Every closure mirrors the matching `TreeInterpreter.visit_*` method of jmespath 1.1 (truthiness,
`_equals`, ordering only between numbers or strings, field access through `.get`); a node type
it does not know is handed to the interpreter itself, so results never differ, only speed does.
What visits or builds many values charges them to the policy budget first (policy/budget.py).
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from numbers import Number
from typing import Any

from jmespath import functions as jfunc
from jmespath.visitor import TreeInterpreter

from tfcheck.policy.budget import METER

Fn = Callable[[Any], Any]
Test = Callable[[Any], bool]

_ORDER = {"lt": operator.lt, "gt": operator.gt, "lte": operator.le, "gte": operator.ge}


def _is_number(x: Any) -> bool:
    """A JSON number: Python's bool is an int, JMESPath's is not."""
    return not isinstance(x, bool) and isinstance(x, Number)


def _num01(x: Any) -> bool:
    return _is_number(x) and x in (0, 1)


def equals(x: Any, y: Any) -> bool:
    """`==` as jmespath's `_equals`: plain Python equality, except 0/1 never equal false/true."""
    if x is True or x is False:
        if _num01(y):
            return False
    elif (y is True or y is False) and _num01(x):
        return False
    return x == y


def is_false(x: Any) -> bool:
    """The interpreter's `_is_false` (used by &&, || and filters): '', [], {}, null, false."""
    t = type(x)
    if t is str or t is list or t is dict:
        return not x
    if x is None or x is False:
        return True
    if t is bool or t is int or t is float:
        return False
    return bool(x == "" or x == [] or x == {})


def _same_bool(lit: bool) -> Fn:
    """`equals(x, lit)` for a boolean literal, deciding JSON types without calling `==`."""

    def same(x: Any) -> Any:
        if x is lit:
            return True
        t = type(x)
        if t is bool or x is None or t is str or t is list or t is dict:
            return False
        return False if _num01(x) else x == lit

    return same


def _comparable(x: Any) -> bool:
    t = type(x)
    if t is int or t is float or t is str:
        return True
    return _is_number(x) or isinstance(x, str)


class Compiler:
    """Builds closures for one interpreter: its functions, and it runs what is not compiled."""

    def __init__(self, interpreter: TreeInterpreter, functions: jfunc.Functions) -> None:
        self.interpreter = interpreter
        self.functions = functions

    # -- values -------------------------------------------------------------------------------

    def value(self, node: Mapping[str, Any]) -> Fn:
        """A closure returning exactly what `interpreter.visit(node, item)` returns.

        Node types without a `_node_*` method here (slices, `{k: v}`, `*` over an object,
        `&expr`) are rare in policies and run through the interpreter, exact by definition.
        """
        build = getattr(self, "_node_" + node["type"], None)
        if build is None:
            visit = self.interpreter.visit
            return lambda v: visit(node, v)
        fn: Fn = build(node)
        return fn

    def _node_field(self, node: Mapping[str, Any]) -> Fn:
        name = node["value"]

        def field(v: Any) -> Any:
            try:
                return v.get(name)
            except AttributeError:
                return None

        return field

    def _node_subexpression(self, node: Mapping[str, Any]) -> Fn:
        children = node["children"]
        if children and all(c["type"] == "field" for c in children):
            names = tuple(c["value"] for c in children)

            def path(v: Any) -> Any:
                for name in names:
                    try:
                        v = v.get(name)
                    except AttributeError:
                        return None  # None.get fails too: the rest of the chain stays null
                return v

            return path
        fns = tuple(self.value(c) for c in children)
        if len(fns) == 2:
            first, second = fns
            return lambda v: second(first(v))

        def chain(v: Any) -> Any:
            for fn in fns:
                v = fn(v)
            return v

        return chain

    _node_index_expression = _node_pipe = _node_subexpression

    def _node_current(self, node: Mapping[str, Any]) -> Fn:
        return lambda v: v

    _node_identity = _node_current

    def _node_literal(self, node: Mapping[str, Any]) -> Fn:
        value = node["value"]
        return lambda v: value

    def _node_index(self, node: Mapping[str, Any]) -> Fn:
        at = node["value"]

        def index(v: Any) -> Any:
            if not isinstance(v, list):
                return None
            try:
                return v[at]
            except IndexError:
                return None

        return index

    def _node_multi_select_list(self, node: Mapping[str, Any]) -> Fn:
        children = node["children"]
        if all(c["type"] == "literal" for c in children):  # `['s3', 'dynamodb']`
            values = [c["value"] for c in children]
            return lambda v: None if v is None else values.copy()
        fns = tuple(self.value(c) for c in children)
        return lambda v: None if v is None else [fn(v) for fn in fns]

    def _node_comparator(self, node: Mapping[str, Any]) -> Fn:
        op = node["value"]
        left_node, right_node = node["children"]
        if op in ("eq", "ne") and right_node["type"] == "literal":
            return self._against_literal(op == "ne", left_node, right_node["value"])
        left, right = self.value(left_node), self.value(right_node)
        if op == "eq":
            return lambda v: _deep_equals(left(v), right(v))
        if op == "ne":
            return lambda v: not _deep_equals(left(v), right(v))
        order = _ORDER[op]

        def compare(v: Any) -> Any:
            x, y = left(v), right(v)
            if not (_comparable(x) and _comparable(y)):
                return None
            return order(x, y)

        return compare

    def _against_literal(self, negate: bool, left_node: Mapping[str, Any], lit: Any) -> Fn:
        """`type == 'Gateway'`, `private_dns != true` (a literal): the common policy shapes."""
        if lit is True or lit is False:
            same: Fn = _same_bool(lit)
        elif type(lit) in (str, list, dict, type(None)) or (_is_number(lit) and not _num01(lit)):
            same = lambda x: x == lit  # noqa: E731 - no 0/1-versus-boolean case can apply
        else:
            same = lambda x: equals(x, lit)  # noqa: E731
        if left_node["type"] != "field":
            left = self.value(left_node)
            if negate:
                return lambda v: not same(left(v))
            return lambda v: same(left(v))
        name = left_node["value"]

        def compare(v: Any) -> Any:
            try:
                x = v.get(name)
            except AttributeError:
                x = None
            return not same(x) if negate else same(x)

        return compare

    def _node_or_expression(self, node: Mapping[str, Any]) -> Fn:
        left, right = (self.value(c) for c in node["children"])

        def either(v: Any) -> Any:
            matched = left(v)
            return right(v) if is_false(matched) else matched

        return either

    def _node_and_expression(self, node: Mapping[str, Any]) -> Fn:
        left, right = (self.value(c) for c in node["children"])

        def both(v: Any) -> Any:
            matched = left(v)
            return matched if is_false(matched) else right(v)

        return both

    def _node_not_expression(self, node: Mapping[str, Any]) -> Fn:
        inner = self.value(node["children"][0])

        def negate(v: Any) -> Any:
            result = inner(v)
            if result is True or result is False or result is None:
                return not result
            if _is_number(result) and result == 0:
                return False  # `!0` is false: 0 is not a falsy value in JMESPath
            return not result

        return negate

    def _node_projection(self, node: Mapping[str, Any]) -> Fn:
        base, each = (self.value(c) for c in node["children"])

        def project(v: Any) -> Any:
            items = base(v)
            if not isinstance(items, list):
                return None
            METER.charge(len(items))
            return [r for r in map(each, items) if r is not None]

        return project

    def _node_filter_projection(self, node: Mapping[str, Any]) -> Fn:
        base, each, keep = (self.value(c) for c in node["children"])

        def project(v: Any) -> Any:
            items = base(v)
            if not isinstance(items, list):
                return None
            METER.charge(len(items))
            out = []
            for element in items:
                if not is_false(keep(element)):
                    current = each(element)
                    if current is not None:
                        out.append(current)
            return out

        return project

    def _node_flatten(self, node: Mapping[str, Any]) -> Fn:
        base = self.value(node["children"][0])

        def flatten(v: Any) -> Any:
            items = base(v)
            return flattened(items) if isinstance(items, list) else None

        return flatten

    def _node_function_expression(self, node: Mapping[str, Any]) -> Fn:
        name = node["value"]
        args = tuple(self.value(c) for c in node["children"])
        functions = self.functions
        generic = functions.call_function

        def call(v: Any) -> Any:
            return generic(name, [a(v) for a in args])  # charged by Functions.call_function

        spec = functions.FUNCTION_TABLE.get(name)
        if spec is None or not _arity_ok(spec["signature"], len(args)):
            return call  # raises jmespath's own error on every call, as the interpreter does
        checks = _type_checks(spec["signature"])
        if checks is None:
            return call
        function = spec["function"]
        size = METER.size
        if not checks and len(args) == 1:
            (only,) = args

            def one(v: Any) -> Any:
                x = only(v)
                size(x)
                return function(functions, x)

            return one
        if not checks and len(args) == 2:
            first, second = args

            def two(v: Any) -> Any:
                x, y = first(v), second(v)
                size(x)
                size(y)
                return function(functions, x, y)

            return two

        def direct(v: Any) -> Any:
            values = [a(v) for a in args]
            for i, allowed in checks:
                if type(values[i]).__name__ not in allowed:
                    return generic(name, values)  # raises the type error jmespath raises
            for x in values:
                size(x)
            return function(functions, *values)

        return direct

    # -- truth --------------------------------------------------------------------------------

    def test(self, node: Mapping[str, Any]) -> Test:
        """A closure returning JMESPath truthiness of the value (what `truthy(visit(...))` says)."""
        kind = node.get("type")
        if kind == "and_expression":
            left, right = (self.test(c) for c in node["children"])
            return lambda v: left(v) and right(v)
        if kind == "or_expression":
            left, right = (self.test(c) for c in node["children"])
            return lambda v: left(v) or right(v)
        fn = self.value(node)
        if kind == "not_expression" or (kind == "comparator" and node["value"] in ("eq", "ne")):
            return fn  # already a bool (`==` between JSON values is)
        return lambda v: not is_false(fn(v))


def flattened(items: list[Any]) -> list[Any]:
    """`items[]`: lists among them spliced in, charged before it is built (a list that
    occurs many times, as `[@, @]` makes it, counts in full each time)."""
    METER.charge(sum(len(e) if isinstance(e, list) else 1 for e in items))
    out: list[Any] = []
    for element in items:
        if isinstance(element, list):
            out.extend(element)
        else:
            out.append(element)
    return out


def _deep_equals(x: Any, y: Any) -> bool:
    """`equals`, with a list or object charged for all it holds: comparing costs that much."""
    if type(x) is list or type(x) is dict:
        METER.walk(x)
    return equals(x, y)


def _arity_ok(signature: tuple[Mapping[str, Any], ...], count: int) -> bool:
    if signature and signature[-1].get("variadic"):
        return count >= len(signature)
    return count == len(signature)


def _type_checks(
    signature: tuple[Mapping[str, Any], ...],
) -> tuple[tuple[int, frozenset[str]], ...] | None:
    """Per argument, the Python type names jmespath accepts (`_type_check_single`)."""
    checks = []
    for i, arg in enumerate(signature):
        types = arg["types"]
        if not types:
            continue
        if any(t not in jfunc.REVERSE_TYPES_MAP for t in types):
            return None  # typed array elements (`array-number`): jmespath validates them
        checks.append((i, frozenset(n for t in types for n in jfunc.REVERSE_TYPES_MAP[t])))
    return tuple(checks)
