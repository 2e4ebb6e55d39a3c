"""Variable type constraints (`list(object({...}))`, `optional(T, default)`) and conversion.

Converting matters for evaluation: an object type drops undeclared attributes and fills
`optional` ones (with null or their default), which decides what `try(x.attr, null)` sees.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from tfcheck.hcl.nodes import is_tree, trees
from tfcheck.hcl.values import EvalError, Lazy, make_set, to_bool, to_number, to_string, type_name
from tfcheck.model import Ref, Unknown

if TYPE_CHECKING:
    from lark import Tree

# A type is a tuple: ("any",) ("string",) ("number",) ("bool",) ("list", T) ("set", T)
# ("map", T) ("tuple", [T...]) ("object", {name: (T, optional, default_or_None)}).
Type = tuple[Any, ...]
ANY: Type = ("any",)
PRIMITIVES = {"string", "number", "bool"}


def _unwrap(node: Tree[Any]) -> Tree[Any]:
    while node.data == "expr_term" and is_tree(node.children[0]):
        node = node.children[0]
    return node


def parse_type(node: Tree[Any], evaluate: Callable[[Tree[Any]], Any]) -> Type:
    """Read a type constraint expression; `evaluate` computes `optional` defaults."""
    node = _unwrap(node)
    if node.data == "identifier":
        name = str(node.children[0])
        if name in PRIMITIVES or name == "any":
            return (name,)
        if name in ("list", "map", "set"):
            return (name, ANY)
        raise EvalError(f'unknown type "{name}"')
    if node.data != "function_call":
        raise EvalError("not a type constraint")
    parts = trees(node)
    name = str(parts[0].children[0])
    args_node = next((p for p in parts if p.data == "arguments"), None)
    args = trees(args_node) if args_node is not None else []
    if name in ("list", "set", "map") and len(args) == 1:
        return (name, parse_type(args[0], evaluate))
    if name == "tuple" and len(args) == 1 and _unwrap(args[0]).data == "tuple":
        return ("tuple", [parse_type(a, evaluate) for a in trees(_unwrap(args[0]))])
    if name == "object" and len(args) == 1 and _unwrap(args[0]).data == "object":
        fields: dict[str, tuple[Type, bool, Any]] = {}
        for elem in trees(_unwrap(args[0])):
            key_node = _unwrap(elem.children[0].children[0])
            key = (
                str(key_node.children[0])
                if key_node.data in ("identifier", "keyword")
                else str(evaluate(key_node))
            )
            fields[key] = _field(trees(elem)[-1], evaluate)
        return ("object", fields)
    raise EvalError(f"unsupported type constraint {name}(...)")


def _field(node: Tree[Any], evaluate: Callable[[Tree[Any]], Any]) -> tuple[Type, bool, Any]:
    inner = _unwrap(node)
    if inner.data == "function_call" and str(trees(inner)[0].children[0]) == "optional":
        args_node = next(p for p in trees(inner) if p.data == "arguments")
        args = trees(args_node)
        kind = parse_type(args[0], evaluate)
        default = convert(evaluate(args[1]), kind) if len(args) > 1 else None
        return (kind, True, default)
    return (parse_type(node, evaluate), False, None)


def is_primitive(kind: Type) -> bool:
    return kind[0] in PRIMITIVES


def convert(value: Any, kind: Type, where: str = "the value") -> Any:
    """Convert a value to a type constraint as Terraform does for variables; else EvalError."""
    if value is None or kind[0] == "any" or isinstance(value, (Unknown, Ref, Lazy)):
        return value
    name = kind[0]
    if name == "string":
        if isinstance(value, (list, dict)):
            raise EvalError(f"{where} must be a string, not a {type_name(value)}")
        return to_string(value)
    if name == "number":
        return to_number(value)
    if name == "bool":
        return to_bool(value)
    if name in ("list", "set", "tuple"):
        if not isinstance(value, list):
            raise EvalError(f"{where} must be a {name}, not a {type_name(value)}")
        if name == "tuple":
            if len(value) != len(kind[1]):
                raise EvalError(f"{where} must have {len(kind[1])} elements")
            return [convert(v, k, where) for v, k in zip(value, kind[1])]
        items = [convert(v, kind[1], where) for v in value]
        return make_set(items) if name == "set" else items
    if not isinstance(value, dict):
        raise EvalError(f"{where} must be a {name}, not a {type_name(value)}")
    if name == "map":
        return {k: convert(v, kind[1], f"{where}[{k!r}]") for k, v in value.items()}
    out: dict[str, Any] = {}
    for field, (field_type, optional, default) in kind[1].items():
        if field in value and value[field] is not None:
            out[field] = convert(value[field], field_type, f"{where}.{field}")
        elif field in value or optional:
            out[field] = default
        else:
            raise EvalError(f'{where} lacks the required attribute "{field}"')
    return out
