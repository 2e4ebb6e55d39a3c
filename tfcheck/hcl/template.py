"""String templates: quoted strings with `${...}` / `%{if}` / `%{for}`, and heredocs.

A heredoc arrives from python-hcl2 as one raw token; it is dedented (`<<-`) and turned
into a quoted template so both kinds share one evaluator.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from tfcheck.errors import InputError
from tfcheck.hcl.budget import check_string
from tfcheck.hcl.nodes import is_token, trees
from tfcheck.hcl.parse import parse_expression, unescape
from tfcheck.hcl.values import (
    EvalError,
    NotNull,
    is_known,
    materialize,
    to_bool,
    to_string,
    unknown_of,
)

if TYPE_CHECKING:
    from lark import Tree

Compile = Callable[[Any], Callable[[Any], Any]]


def compile_string(node: Tree[Any], compile_expr: Compile) -> Callable[[Any], Any]:
    """A quoted template; one lone interpolation yields its value unconverted (HCL rule)."""
    items: list[Any] = []
    for part in node.children[1:-1]:
        inner = part.children[0]
        if is_token(inner):
            items.append(["lit", unescape(str(inner))])
        elif inner.data == "interpolation":
            items.append(["expr", compile_expr(trees(inner)[0]), False, False])
        else:
            items.append(_directive(inner, compile_expr))
    _strip(items)
    if all(item[0] == "lit" for item in items):
        text = "".join(item[1] for item in items)
        return lambda scope: text
    if len(items) == 1 and items[0][0] == "expr":
        return items[0][1]
    nodes = _nest(items)

    def run(scope: Any) -> Any:
        out: list[str] = []
        unknowns: list[Any] = []
        _render(nodes, scope, out, unknowns)
        if unknowns:
            partial = partial_json("".join(out), unknowns)
            if partial is not None:
                return partial
            unknown = unknown_of(*unknowns)
            return NotNull(unknown.reason, unknown.refs)  # a template is never null
        check_string(sum(map(len, out)))  # before the join makes it
        return "".join(out)

    return run


_PLACEHOLDER = "__tfcheck_unknown_"
_POISON = "\x00"  # not valid anywhere in JSON text
_MARK = re.compile(re.escape(_PLACEHOLDER) + r"(\d+)__")


def partial_json(text: str, unknowns: list[Any]) -> Any:
    """A rendered template that is JSON once each unknown part is a placeholder, with every
    placeholder inside a string value: the document's structure, each such string Unknown
    (built from its parts). Else None: the template stays one unknown string."""
    if not text.lstrip().startswith(("[", "{")) or text.count(_PLACEHOLDER) != len(unknowns):
        return None
    try:
        document = json.loads(text)
    except (ValueError, RecursionError):
        return None
    found: set[int] = set()
    value = _placeholders(document, unknowns, found)
    return value if found == set(range(len(unknowns))) else None


def _placeholders(value: Any, unknowns: list[Any], found: set[int]) -> Any:
    if isinstance(value, str):
        parts = [int(m.group(1)) for m in _MARK.finditer(value)]
        if not parts:
            return value
        found.update(parts)
        return unknown_of(*(unknowns[i] for i in parts if i < len(unknowns)))
    if isinstance(value, list):
        return [_placeholders(v, unknowns, found) for v in value]
    if isinstance(value, dict):
        if any(_PLACEHOLDER in key for key in value):
            found.add(-1)  # an unknown key: the structure itself is not known
        return {k: _placeholders(v, unknowns, found) for k, v in value.items()}
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def compile_heredoc(token: str, compile_expr: Compile) -> Callable[[Any], Any]:
    header, _, rest = token.partition("\n")
    body = rest.rstrip("\n").rstrip("\r")
    body = body[: body.rfind("\n") + 1] if "\n" in body else ""
    return compile_template_text(body, compile_expr, flush=header.startswith("<<-"))


def compile_template_text(body: str, compile_expr: Compile, flush: bool = False) -> Callable[[Any], Any]:
    """A template written without quotes (heredoc body, templatefile() file).

    As in HCL, literal text is cut at each newline, `~` strips only the neighbouring
    piece, and a `<<-` heredoc is dedented after stripping.
    """
    parts = _segments(body)
    if flush:
        _flush(parts)
    if all(part[0] == "lit" for part in parts):
        text = "".join(p[1] for p in parts).replace("$${", "${").replace("%%{", "%{")
        return lambda scope: text
    error = ""
    for attempt in (0, 1):
        quoted = '"' + "".join(_quote(p[0], p[1], attempt) for p in parts) + '"'
        try:
            tree = parse_expression(quoted, "template")
        except InputError as exc:
            error = exc.message
            continue
        return compile_expr(tree)
    raise EvalError(f"template: {error}")


def _directive(node: Tree[Any], compile_expr: Compile) -> list[Any]:
    tokens = [c for c in node.children if is_token(c)]
    left = len(tokens) > 1 and tokens[1].type == "STRIP_MARKER"
    right = len(tokens) > 1 and tokens[-2].type == "STRIP_MARKER"
    kind = node.data[len("template_") :]
    if kind == "if_start":
        return ["if", compile_expr(trees(node)[0]), left, right]
    if kind == "for_start":
        parts = trees(node)
        names = [str(t.children[0]) for t in parts if t.data == "identifier"]
        return ["for", (names, compile_expr(parts[-1])), left, right]
    return [kind, None, left, right]


def _strip(items: list[Any]) -> None:
    """Apply `~` strip markers to the literal text next to them."""
    for index, item in enumerate(items):
        if item[0] == "lit":
            continue
        if item[2] and index > 0 and items[index - 1][0] == "lit":
            items[index - 1][1] = items[index - 1][1].rstrip()
        if item[3] and index + 1 < len(items) and items[index + 1][0] == "lit":
            items[index + 1][1] = items[index + 1][1].lstrip()


def _nest(items: list[Any]) -> list[Any]:
    """Turn the flat directive list into nested ("if", cond, then, else) / ("for", ...) nodes."""
    root: list[Any] = []
    stack: list[tuple[list[Any], list[Any]]] = []  # (node, list being filled)
    current = root
    for item in items:
        kind = item[0]
        if kind in ("lit", "expr"):
            current.append((kind, item[1]))
        elif kind in ("if", "for"):
            node = [kind, item[1], [], []]
            current.append(node)
            stack.append((node, current))
            current = node[2]
        elif kind == "else" and stack and stack[-1][0][0] == "if":
            current = stack[-1][0][3]
        elif kind in ("endif", "endfor") and stack and stack[-1][0][0] == kind[3:]:
            current = stack.pop()[1]
        else:
            raise EvalError(f"template directive %{{{kind}}} out of place")
    if stack:
        raise EvalError(f"template %{{{stack[-1][0][0]}}} has no end")
    return root


def _render(nodes: list[Any], scope: Any, out: list[str], unknowns: list[Any]) -> None:
    for node in nodes:
        kind = node[0]
        if kind == "lit":
            out.append(node[1])
        elif kind == "expr":
            value = materialize(node[1](scope))
            if not is_known(value):
                out.append(f"{_PLACEHOLDER}{len(unknowns)}__")
                unknowns.append(value)
            elif value is None:
                raise EvalError("a template interpolates a null value")
            else:
                out.append(to_string(value))
        elif kind == "if":
            test = node[1](scope)
            if not is_known(test):
                out.append(_POISON)  # where the unknown text goes is not known
                unknowns.append(test)
            else:
                _render(node[2] if to_bool(test) else node[3], scope, out, unknowns)
        else:
            _render_for(node, scope, out, unknowns)


def _render_for(node: list[Any], scope: Any, out: list[str], unknowns: list[Any]) -> None:
    names, collection = node[1]
    source = materialize(collection(scope))
    if not is_known(source) and not isinstance(source, (list, dict)):
        out.append(_POISON)
        unknowns.append(source)
        return
    if isinstance(source, dict):
        pairs: list[tuple[Any, Any]] = [(k, source[k]) for k in sorted(source)]
    elif isinstance(source, list):
        pairs = list(enumerate(source))
    else:
        raise EvalError("a template for directive needs a list or a map")
    budget = scope.ctx.budget
    for key, value in pairs:
        budget.step()
        bound = {names[-1]: value}
        if len(names) == 2:
            bound[names[0]] = key
        _render(node[2], scope.child(bound), out, unknowns)


def _segments(body: str) -> list[list[str]]:
    """["lit", text] pieces (each ending at a newline at the latest) and ["$"|"%", code]."""
    parts: list[list[str]] = []
    literal: list[str] = []
    strip_next = False
    index, size = 0, len(body)

    def close_literal() -> None:
        text = "".join(literal)
        literal.clear()
        parts.append(["lit", text.lstrip() if strip_next else text])

    while index < size:
        if body.startswith(("$${", "%%{"), index):
            literal.append(body[index : index + 3])
            index += 3
        elif body.startswith(("${", "%{"), index):
            end = _find_close(body, index + 2)
            inner = body[index + 2 : end]
            if literal:
                close_literal()
            if inner.startswith("~") and parts and parts[-1][0] == "lit":
                parts[-1][1] = parts[-1][1].rstrip()
            strip_next = inner.rstrip().endswith("~")
            parts.append([body[index], inner.strip().strip("~")])
            index = end + 1
        else:
            literal.append(body[index])
            index += 1
            if body[index - 1] == "\n":
                close_literal()
                strip_next = False
    if literal:
        close_literal()
    return parts


def _flush(parts: list[list[str]]) -> None:
    """Dedent a `<<-` heredoc by its least indented line (HCL counts whitespace characters)."""
    least = None
    adjust = []
    at_start = True
    for part in parts:
        if at_start:
            at_start = False
            if part[0] != "lit":
                least = 0
            elif part[1].strip() or not part[1].endswith("\n"):  # not a blank line
                width = len(part[1]) - len(part[1].lstrip())
                least = width if least is None else min(least, width)
                adjust.append(part)
        if part[0] == "lit" and part[1].endswith("\n"):
            at_start = True
    for part in adjust:
        part[1] = part[1][least or 0 :]


def _find_close(text: str, index: int) -> int:
    """Index of the `}` closing an interpolation opened just before `index`."""
    depth = 0
    while index < len(text):
        char = text[index]
        if char == '"':
            index = _skip_string(text, index + 1)
            continue
        if char == "{":
            depth += 1
        elif char == "}":
            if depth == 0:
                return index
            depth -= 1
        index += 1
    raise EvalError("heredoc template: an interpolation is not closed")


def _skip_string(text: str, index: int) -> int:
    while index < len(text):
        char = text[index]
        if char == "\\":
            index += 2
        elif char == '"':
            return index + 1
        elif text.startswith(("${", "%{"), index):
            index = _find_close(text, index + 2) + 1
        else:
            index += 1
    raise EvalError("heredoc template: a string is not closed")


def _quote(kind: str, text: str, attempt: int) -> str:
    if kind == "lit":
        return (
            text.replace("\\", "\\\\")
            .replace('"', '\\"')
            .replace("\n", "\\n")
            .replace("\r", "\\r")
            .replace("\t", "\\t")
        )
    if attempt:
        text = text.replace("\n", " ")
    return f"{kind}{{{text}}}"
