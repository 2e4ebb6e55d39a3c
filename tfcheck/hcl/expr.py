"""Compile python-hcl2's Lark expression trees into closures over a `Scope`, once per expression.

Semantics follow HCL/Terraform: unknowns (`Unknown`, `Ref`) propagate through operators,
templates and functions; an invalid operation raises `EvalError`, which `try`/`can` catch.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Protocol, cast

from tfcheck.hcl.budget import Budget
from tfcheck.hcl.nodes import MadeTree, is_token, is_tree, trees
from tfcheck.hcl.ops import binary, get_attr, get_index, splat, unary
from tfcheck.hcl.parse import unescape
from tfcheck.hcl.template import compile_heredoc, compile_string
from tfcheck.hcl.values import (
    EvalError,
    has_unknown,
    is_known,
    materialize,
    number,
    to_bool,
    to_string,
    type_name,
    unknown_of,
)
from tfcheck.model import Ref, Unknown

if TYPE_CHECKING:
    from lark import Tree

Expr = Callable[["Scope"], Any]


class Environment(Protocol):
    """What an expression sees beyond its own scope: top-level names and the functions."""

    @property
    def functions(self) -> Mapping[str, Callable[[list[Any]], Any]]: ...

    @property
    def budget(self) -> Budget: ...

    def root(self, name: str) -> Any: ...


class Scope:
    """Names bound by `for`, `dynamic` iterators, `count`/`each`, over a module context."""

    __slots__ = ("ctx", "names")

    def __init__(self, ctx: Environment, names: Mapping[str, Any] | None = None) -> None:
        self.ctx = ctx
        self.names = names or {}

    def lookup(self, name: str) -> Any:
        if name in self.names:
            return self.names[name]
        return self.ctx.root(name)

    def child(self, names: Mapping[str, Any]) -> Scope:
        return Scope(self.ctx, {**self.names, **names})


def compile_expr(node: Any) -> Expr:
    """A closure that evaluates the expression tree in a scope."""
    if is_token(node):
        raise EvalError(f"unexpected token {node!s}")
    handler = _COMPILERS.get(node.data)
    if handler is None:
        raise EvalError(f"unsupported expression ({node.data})")
    return handler(node)


def _constant(value: Any) -> Expr:
    return lambda scope: value


def _expr_term(node: Tree[Any]) -> Expr:
    return compile_expr(trees(node)[0])


def _literal(node: Tree[Any]) -> Expr:
    text = str(node.children[0])
    return _constant({"true": True, "false": False, "null": None}[text])


def _int(node: Tree[Any]) -> Expr:
    return _constant(int(str(node.children[0])))


def _float(node: Tree[Any]) -> Expr:
    return _constant(number(float(str(node.children[0]))))


def _identifier(node: Tree[Any]) -> Expr:
    name = str(node.children[0])
    return lambda scope: scope.lookup(name)


def _tuple(node: Tree[Any]) -> Expr:
    items = [compile_expr(c) for c in trees(node)]
    return lambda scope: scope.ctx.budget.value([item(scope) for item in items])


def _object_key(node: Tree[Any]) -> Expr:
    inner = node.children[0]
    if is_tree(inner) and inner.data == "keyword":
        return _constant(str(inner.children[0]))
    if is_tree(inner) and inner.data == "expr_term":
        sub = inner.children[0]
        if is_tree(sub) and sub.data in ("identifier", "literal_value"):
            return _constant(str(sub.children[0]))  # a bare name is the key itself
    return compile_expr(inner)


def _object(node: Tree[Any]) -> Expr:
    elems = [(_object_key(e.children[0]), compile_expr(e.children[2])) for e in trees(node)]

    def run(scope: Scope) -> Any:
        out: dict[str, Any] = {}
        for key_fn, value_fn in elems:
            key = key_fn(scope)
            if not is_known(key):
                return unknown_of(key)
            out[to_string(key)] = value_fn(scope)
        return scope.ctx.budget.value(out)

    return run


def _steps(node: Tree[Any], out: list[Any]) -> None:
    """Flatten get_attr / index / splat parts into steps: ("a", name), ("i", expr), ("s", ...)."""
    for part in trees(node):
        if part.data == "get_attr":
            out.append(("a", str(trees(part)[0].children[0])))
        elif part.data == "braces_index":
            out.append(("i", compile_expr(trees(part)[0])))
        elif part.data == "short_index":
            out.append(("i", _constant(int(str(part.children[-1])))))


def _traversal(node: Tree[Any]) -> Expr:
    chain: list[Tree[Any]] = []
    while node.data in _TRAVERSALS:
        chain.append(node)
        node = trees(node)[0]
        if node.data == "expr_term" and is_tree(node.children[0]):
            node = node.children[0]
    root = compile_expr(node)
    steps: list[Any] = []
    for part in reversed(chain):
        tail = trees(part)[1]
        if part.data in ("get_attr_expr_term", "index_expr_term"):
            _steps(cast("Tree[Any]", MadeTree("x", [tail])), steps)
            continue
        inner: list[Any] = []
        _steps(tail, inner)
        if part.data == "attr_splat_expr_term":  # `.*` applies only attributes per element
            cut = next((i for i, s in enumerate(inner) if s[0] != "a"), len(inner))
            steps.append(("s", inner[:cut]))
            steps.extend(inner[cut:])
        else:
            steps.append(("s", inner))
    return lambda scope: _walk(root(scope), steps, scope)


def _walk(value: Any, steps: list[Any], scope: Scope) -> Any:
    for kind, arg in steps:
        if kind == "a":
            value = get_attr(value, arg)
        elif kind == "i":
            value = get_index(value, arg(scope))
        else:
            if isinstance(value, list):
                scope.ctx.budget.step(len(value))
            value = splat(value, _per_item(arg, scope))
    return value


def _per_item(steps: list[Any], scope: Scope) -> Callable[[Any], Any]:
    return lambda item: _walk(item, steps, scope)


def _call(node: Tree[Any]) -> Expr:
    parts = trees(node)
    names = [str(p.children[0]) for p in parts if p.data == "identifier"]
    name = "::".join(names)
    arguments = next((p for p in parts if p.data == "arguments"), None)
    args = [compile_expr(a) for a in trees(arguments)] if arguments is not None else []
    expand = arguments is not None and any(is_token(t) and t.type == "ELLIPSIS" for t in arguments.children)
    if name == "try":
        return _try(args)
    if name == "can":
        return _can(args)

    def run(scope: Scope) -> Any:
        function = scope.ctx.functions.get(name)
        if function is None:
            return Unknown(f"unsupported function {name}")
        budget = scope.ctx.budget
        values = [arg(scope) for arg in args]
        budget.step(1 + sum(_work(v) for v in values))
        if expand and values:
            last = materialize(values[-1])
            if isinstance(last, (Unknown, Ref)):
                return unknown_of(last)
            if not isinstance(last, list):
                raise EvalError(f"{name}(...): the argument before ... must be a list")
            values = values[:-1] + list(last)
        return budget.value(function(values))

    return run


def _work(value: Any) -> int:
    """Steps a function may spend on an argument: its elements, or its characters / 1024."""
    if isinstance(value, (list, dict)):
        return len(value)
    if isinstance(value, str):
        return len(value) >> 10
    return 0


def _try(args: list[Expr]) -> Expr:
    """Terraform's try(): the first argument evaluating without error; unknown stays unknown."""

    def run(scope: Scope) -> Any:
        for arg in args:
            try:
                value = arg(scope)
            except EvalError:
                continue
            if isinstance(value, Unknown):
                return value  # as it is: a template's unknown stays known to be non-null
            return unknown_of(value) if has_unknown(value) else value
        raise EvalError("no argument of try() could be evaluated")

    return run


def _can(args: list[Expr]) -> Expr:
    def run(scope: Scope) -> Any:
        if len(args) != 1:
            raise EvalError("can() takes exactly one argument")
        try:
            value = args[0](scope)
        except EvalError:
            return False
        return unknown_of(value) if has_unknown(value) else True

    return run


def _conditional(node: Tree[Any]) -> Expr:
    cond, yes, no = (compile_expr(c) for c in trees(node))

    def run(scope: Scope) -> Any:
        test = cond(scope)
        if not is_known(test):
            branches = []
            for branch in (yes, no):
                try:
                    branches.append(branch(scope))
                except EvalError:
                    pass
            return unknown_of(test, *branches)
        return yes(scope) if to_bool(test) else no(scope)

    return run


def _unary(node: Tree[Any]) -> Expr:
    op = str(node.children[0]).strip()
    operand = compile_expr(node.children[1])
    return lambda scope: unary(op, operand(scope))


def _binary(node: Tree[Any]) -> Expr:
    left_node, term = trees(node)
    op_node, right_node = trees(term)
    op = str(op_node.children[0]).strip()
    left, right = compile_expr(left_node), compile_expr(right_node)
    return lambda scope: binary(op, left(scope), right(scope))


def _for(node: Tree[Any]) -> Expr:
    parts = trees(node)
    intro, body = parts[0], parts[1:]
    names = [str(c.children[0]) for c in trees(intro) if c.data == "identifier"]
    collection = compile_expr(trees(intro)[-1])
    cond = None
    if body and body[-1].data == "for_cond":
        cond = compile_expr(trees(body.pop())[0])
    exprs = [compile_expr(b) for b in body]
    is_object = node.data == "for_object_expr"
    grouping = any(is_token(c) and c.type == "ELLIPSIS" for c in node.children)
    key_name, value_name = (names[0], names[1]) if len(names) == 2 else (None, names[0])

    def run(scope: Scope) -> Any:
        source = materialize(collection(scope))
        if isinstance(source, (Unknown, Ref)):
            return unknown_of(source)
        if isinstance(source, dict):
            pairs = [(k, source[k]) for k in sorted(source)]
        elif isinstance(source, list):
            pairs = list(enumerate(source))
        else:
            raise EvalError(f"a for expression cannot iterate over a {type_name(source)}")
        out_list: list[Any] = []
        out_map: dict[str, Any] = {}
        budget = scope.ctx.budget
        for key, value in pairs:
            budget.step()
            names_now = {value_name: value}
            if key_name:
                names_now[key_name] = key
            inner = scope.child(names_now)
            if cond is not None:
                test = cond(inner)
                if not is_known(test):
                    return unknown_of(test)
                if not to_bool(test):
                    continue
            if not is_object:
                out_list.append(exprs[0](inner))
                continue
            name = exprs[0](inner)
            if not is_known(name):
                return unknown_of(name)
            name = to_string(name)
            if grouping:
                out_map.setdefault(name, []).append(exprs[1](inner))
            elif name in out_map:
                raise EvalError(f'duplicate key "{name}" in a for expression (add ... to group)')
            else:
                out_map[name] = exprs[1](inner)
        return budget.value(out_map if is_object else out_list)

    return run


def _template_string(node: Tree[Any]) -> Expr:
    return _constant(unescape(str(node.children[0])[2:-2]))


_TRAVERSALS = {"get_attr_expr_term", "index_expr_term", "attr_splat_expr_term", "full_splat_expr_term"}

_COMPILERS: dict[str, Callable[[Tree[Any]], Expr]] = {
    "expr_term": _expr_term,
    "literal_value": _literal,
    "int_lit": _int,
    "float_lit": _float,
    "identifier": _identifier,
    "tuple": _tuple,
    "object": _object,
    "string": lambda n: compile_string(n, compile_expr),
    "template_string": _template_string,
    "heredoc_template": lambda n: compile_heredoc(str(n.children[0]), compile_expr),
    "heredoc_template_trim": lambda n: compile_heredoc(str(n.children[0]), compile_expr),
    "function_call": _call,
    "conditional": _conditional,
    "binary_op": _binary,
    "unary_op": _unary,
    "for_tuple_expr": _for,
    "for_object_expr": _for,
    **{name: _traversal for name in _TRAVERSALS},
}
