"""tfcheck's JMESPath dialect: custom functions, and compiling an expression once (to Python
closures, see policy/compiled.py) with the fields it reads.

Custom predicates return false on null, so a value the graph could not decide (null, named in
the item's `unknown`) never makes an assertion pass by accident.

A policy sees one item at a time; `item()`, `items()` and `in_vpc()` reach the rest of the
graph (a workload's subnets, their route tables, the VPC's endpoints), and `where_eq()` joins
on the current item's own values, which JMESPath filters cannot name. The items they return
are remembered while an item is being checked, so that their unknown fields can make the
result inconclusive rather than failed (policy/evaluate.py).
"""

from __future__ import annotations

import contextlib
import ipaddress
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

import jmespath
from jmespath import exceptions as jexc
from jmespath import functions as jfunc
from jmespath.visitor import Options, TreeInterpreter

from tfcheck.globs import matches
from tfcheck.graph.model import COLLECTIONS, Graph, Item
from tfcheck.policy.budget import METER
from tfcheck.policy.compiled import Compiler, equals, flattened

WHOLE_ITEM = "@"  # the field set of an expression that reads the item as a whole
# The functions that read other items than the one being checked.
CROSS = frozenset({"item", "items", "in_vpc"})
MAX_DEPTH = 64  # the built-in rules nest at most a dozen levels
MAX_SOURCE = 10_000

_GRAPH: ContextVar[Graph | None] = ContextVar("tfcheck_graph", default=None)
_FETCHED: ContextVar[list[Item] | None] = ContextVar("tfcheck_fetched", default=None)


@contextlib.contextmanager
def over(graph: Graph) -> Iterator[None]:
    """Let the cross-item functions see `graph` while policies are evaluated over it."""
    token = _GRAPH.set(graph)
    try:
        yield
    finally:
        _GRAPH.reset(token)


@contextlib.contextmanager
def fetching() -> Iterator[list[Item]]:
    """Collect the items the cross-item functions return while one item is checked."""
    fetched: list[Item] = []
    token = _FETCHED.set(fetched)
    try:
        yield fetched
    finally:
        _FETCHED.reset(token)


# Stands in the fetched list for an address the graph does not hold: what it would have
# said is unknown, so a rule that failed for want of it is inconclusive.
ANY_FIELD = "*"


def _found(items: Sequence[Item], missing: Sequence[str] = ()) -> list[Any]:
    fetched = _FETCHED.get()
    if fetched is not None:
        fetched.extend(items)
        fetched.extend({"address": a, "unknown": {ANY_FIELD: "not in the graph"}} for a in missing)
    return list(items)


class Functions(jfunc.Functions):
    """Functions policies may call besides JMESPath's built-ins (registered by jmespath).

    A call charges the lists, objects and strings it is given to the policy budget; the
    built-ins that can build more than they are given (`join`, `to_string`) and the
    pairwise set functions charge that too (policy/budget.py)."""

    def call_function(self, function_name: str, resolved_args: list[Any]) -> Any:
        for arg in resolved_args:
            METER.size(arg)
        return super().call_function(function_name, resolved_args)

    @jfunc.signature({"types": ["string"]}, {"types": ["array-string"]})
    def _func_join(self, separator: str, array: list[str]) -> str:
        METER.charge(sum(map(len, array)) + len(separator) * len(array))
        return separator.join(array)

    @jfunc.signature({"types": []})
    def _func_to_string(self, arg: Any) -> str:
        if not isinstance(arg, str):
            METER.walk(arg)
        result: str = super()._func_to_string(arg)
        return result

    @jfunc.signature({"types": []})
    def _func_empty(self, value: Any) -> bool:
        return isinstance(value, (list, dict, str)) and len(value) == 0

    @jfunc.signature({"types": []})
    def _func_nonempty(self, value: Any) -> bool:
        return isinstance(value, (list, dict, str)) and len(value) > 0

    @jfunc.signature({"types": ["array"]}, {"types": ["array"]})
    def _func_difference(self, left: list[Any], right: list[Any]) -> list[Any]:
        METER.charge(len(left) * len(right))
        return [x for x in left if x not in right]

    @jfunc.signature({"types": ["array"]}, {"types": ["array"]})
    def _func_intersection(self, left: list[Any], right: list[Any]) -> list[Any]:
        METER.charge(len(left) * len(right))
        return [x for x in left if x in right]

    @jfunc.signature({"types": ["string", "null"]}, {"types": ["string"]})
    def _func_glob(self, subject: str | None, pattern: str) -> bool:
        return subject is not None and matches(pattern, subject)

    @jfunc.signature({"types": ["string", "null"]}, {"types": ["string", "null"]})
    def _func_cidr_contains(self, network: str | None, other: str | None) -> bool:
        if network is None or other is None:
            return False
        try:
            outer = ipaddress.ip_network(network, strict=False)
            inner = ipaddress.ip_network(other, strict=False)
        except ValueError:
            return False
        return inner.version == outer.version and inner.subnet_of(outer)  # type: ignore[arg-type]

    @jfunc.signature({"types": ["string", "null"]})
    def _func_item(self, address: str | None) -> Any:
        """The graph item at `address` (any collection), or null."""
        graph = _GRAPH.get()
        if graph is None or not address:
            return None
        found = graph.find(address)
        if found is None:
            _found((), (address,))
            return None
        return _found([found])[0]

    @jfunc.signature({"types": ["array", "null"]})
    def _func_items(self, addresses: list[Any] | None) -> list[Any]:
        """The graph items at these addresses, in order; addresses not in the graph are left out."""
        graph = _GRAPH.get()
        if graph is None or not addresses:
            return []
        named = [a for a in addresses if isinstance(a, str)]
        pairs = [(a, graph.find(a)) for a in named]
        return _found([i for _, i in pairs if i is not None], [a for a, i in pairs if i is None])

    @jfunc.signature({"types": ["string", "null"]}, {"types": ["string"]})
    def _func_in_vpc(self, vpc: str | None, collection: str) -> list[Any]:
        """The items of `collection` (subnets, endpoints, workloads, ...) in VPC `vpc`, by address."""
        if collection not in COLLECTIONS:
            raise jexc.JMESPathError(
                f"in_vpc(): no collection {collection!r}; one of {', '.join(COLLECTIONS)}"
            )
        graph = _GRAPH.get()
        return _found(graph.in_vpc(vpc, collection)) if graph is not None else []

    @jfunc.signature({"types": ["array", "null"]}, {"types": ["string"]}, {"types": []})
    def _func_where_eq(self, items: list[Any] | None, name: str, value: Any) -> list[Any]:
        """The objects of `items` whose field `name` equals `value` (a join on the current item)."""
        return [i for i in items or () if isinstance(i, Mapping) and equals(i.get(name), value)]


class _MeteredInterpreter(TreeInterpreter):
    """jmespath's tree walk (the nodes the compiler leaves to it, and `&expr` arguments),
    charging every node it visits and what `[]` and slices build."""

    def visit(self, node: Mapping[str, Any], *args: Any, **kwargs: Any) -> Any:
        METER.charge(1)
        return super().visit(node, *args, **kwargs)

    def visit_flatten(self, node: Mapping[str, Any], value: Any) -> Any:
        base = self.visit(node["children"][0], value)
        return flattened(base) if isinstance(base, list) else None

    def visit_slice(self, node: Mapping[str, Any], value: Any) -> Any:
        METER.size(value)
        return super().visit_slice(node, value)


OPTIONS = Options(custom_functions=Functions())
_INTERPRETER = _MeteredInterpreter(OPTIONS)
_COMPILER = Compiler(_INTERPRETER, OPTIONS.custom_functions)


class ExpressionError(ValueError):
    """A policy expression that does not compile; `column` is 0-based when known."""

    def __init__(self, message: str, column: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.column = column


@dataclass(frozen=True, slots=True)
class Clause:
    """One operand of the expression's &&/||/! tree (`kind` names the operator, or "leaf"),
    with the fields it reads and its truth, for deciding a rule despite some unknowns."""

    kind: str
    fields: frozenset[str]
    holds: Callable[[Any], bool] = field(compare=False, repr=False)
    parts: tuple[Clause, ...] = ()


_LOGIC = {"and_expression": "and", "or_expression": "or", "not_expression": "not"}


def _clause(node: Mapping[str, Any]) -> Clause:
    kind = _LOGIC.get(node["type"], "leaf")
    parts = tuple(_clause(c) for c in node["children"]) if kind != "leaf" else ()
    return Clause(kind, fields_of(node), _COMPILER.test(node), parts)


@dataclass(frozen=True, slots=True)
class Query:
    """A compiled expression and the top-level item fields it reads (WHOLE_ITEM for `@`).

    `search` and `holds` run closures built once from the AST; `interpret` is jmespath's own
    tree walk, kept as the reference the closures are tested against.
    """

    source: str
    parsed: Mapping[str, Any]
    fields: frozenset[str]
    value: Callable[[Any], Any] = field(compare=False, repr=False)
    holds: Callable[[Any], bool] = field(compare=False, repr=False)
    clause: Clause = field(compare=False, repr=False)
    # Every field name read anywhere (of other items too), and whether it reads other items.
    names: frozenset[str] = frozenset()
    cross: bool = False

    def search(self, item: Any) -> Any:
        return self.value(item)

    def interpret(self, item: Any) -> Any:
        return _INTERPRETER.visit(self.parsed, item)


def search_node(node: Mapping[str, Any], item: Any) -> Any:
    """Evaluate one sub-expression of a compiled AST (to tell which part an unknown decides)."""
    return _INTERPRETER.visit(node, item)


def compile_expression(source: str) -> Query:
    """Parse once, check every function name and arity now rather than on the first plan."""
    if len(source) > MAX_SOURCE:
        raise ExpressionError(f"expression longer than {MAX_SOURCE} characters")
    try:
        parsed = jmespath.compile(source).parsed
        if _depth(parsed) > MAX_DEPTH:
            raise ExpressionError(f"expression nested more than {MAX_DEPTH} levels deep")
        fields: set[str] = set()
        _walk(parsed, True, fields)
        clause = _clause(parsed)
        compiled = _COMPILER.value(parsed)
    except RecursionError:  # jmespath's parser recurses once per parenthesis
        raise ExpressionError(f"expression nested more than {MAX_DEPTH} levels deep") from None
    except jexc.EmptyExpressionError:
        raise ExpressionError("invalid JMESPath: empty expression") from None
    except jexc.LexerError as e:
        raise ExpressionError(f"invalid JMESPath: {e.message}", e.lexer_position) from None
    except jexc.IncompleteExpressionError:
        raise ExpressionError("invalid JMESPath: incomplete expression", len(source)) from None
    except jexc.ParseError as e:
        raise ExpressionError(
            f"invalid JMESPath: {e.msg} (token {e.token_value!r})", e.lex_position
        ) from None
    names, calls = _names(parsed)
    return Query(
        source, parsed, frozenset(fields), compiled, clause.holds, clause, names, bool(calls & CROSS)
    )


def _depth(node: Mapping[str, Any]) -> int:
    """How deeply the expression nests (iterative: compiling and evaluating recurse)."""
    deepest = 0
    stack = [(node, 1)]
    while stack:
        current, level = stack.pop()
        deepest = max(deepest, level)
        if deepest > MAX_DEPTH:
            break
        stack.extend((c, level + 1) for c in current.get("children") or () if isinstance(c, Mapping))
    return deepest


def _names(node: Mapping[str, Any]) -> tuple[frozenset[str], frozenset[str]]:
    """Every field name and every function name in the expression."""
    names: set[str] = set()
    calls: set[str] = set()
    stack = [node]
    while stack:
        current = stack.pop()
        if current["type"] == "field":
            names.add(current["value"])
        elif current["type"] == "function_expression":
            calls.add(current["value"])
        stack.extend(c for c in current.get("children") or () if isinstance(c, Mapping))
    return frozenset(names), frozenset(calls)


def fields_of(node: Mapping[str, Any]) -> frozenset[str]:
    """Top-level fields a sub-expression reads, for deciding which part an unknown touches."""
    fields: set[str] = set()
    _walk(node, True, fields)
    return frozenset(fields)


def truthy(value: Any) -> bool:
    """JMESPath truthiness: false, null, empty string/array/object are false; 0 is true."""
    if value is None or value is False:
        return False
    if isinstance(value, (str, list, dict)):
        return len(value) > 0
    return True


# The first child of these nodes is evaluated against the current value; the others
# against what it produced (so their fields are not the item's).
_CHAINS = {
    "subexpression",
    "index_expression",
    "pipe",
    "projection",
    "value_projection",
    "filter_projection",
}


def _walk(node: Mapping[str, Any], at_root: bool, out: set[str]) -> None:
    kind = node["type"]
    children = node.get("children") or []
    if kind == "slice":
        return  # its children are the start/stop/step numbers
    if kind == "field":
        if at_root:
            out.add(node["value"])
    elif kind in ("current", "identity"):
        if at_root:
            out.add(WHOLE_ITEM)
    elif kind in _CHAINS:
        for i, child in enumerate(children):
            _walk(child, at_root and i == 0, out)
    elif kind == "expref":
        for child in children:
            _walk(child, False, out)
    elif kind == "function_expression":
        _check_call(node["value"], len(children))
        for child in children:
            _walk(child, at_root, out)
    else:
        for child in children:
            _walk(child, at_root, out)


def _check_call(name: str, arity: int) -> None:
    spec = Functions.FUNCTION_TABLE.get(name)
    if spec is None:
        raise ExpressionError(f"invalid JMESPath: unknown function {name}()")
    signature = spec["signature"]
    variadic = bool(signature) and signature[-1].get("variadic", False)
    if arity < len(signature) or (arity > len(signature) and not variadic):
        want = f"at least {len(signature)}" if variadic else str(len(signature))
        raise ExpressionError(f"invalid JMESPath: {name}() takes {want} argument(s), got {arity}")
