"""Read Terraform `.tf` files with python-hcl2 into raw blocks that keep file, line and comments.

With grammar.py (python-hcl2's grammar, loaded without its package), the only module that
uses python-hcl2, and only HCL mode imports it. Expressions stay Lark trees here; `hcl_eval`
compiles them.
"""

from __future__ import annotations

import dataclasses
import os
import re
import stat
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tfcheck.errors import InputError
from tfcheck.hcl.boundary import OUTSIDE, Boundary
from tfcheck.hcl.budget import LIMITS, Budget, BudgetExceeded
from tfcheck.hcl.grammar import parser as _parser
from tfcheck.hcl.nodes import is_token, is_tree, trees
from tfcheck.hcl.syntax import syntax_message

if TYPE_CHECKING:
    from lark import Tree


@dataclass(frozen=True, slots=True)
class Attribute:
    """`name = expression`; `expr` is the Lark tree of the expression."""

    name: str
    expr: Any
    line: int
    file: str = ""


@dataclass(frozen=True, slots=True)
class Block:
    """A block: labels, arguments, nested blocks, where it was written, comments above it."""

    type: str
    labels: tuple[str, ...]
    attributes: Mapping[str, Attribute]
    blocks: tuple[Block, ...]
    file: str
    line: int
    comments: tuple[str, ...] = ()


_ESCAPES = re.compile(r"\\(u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)|\$\$\{|%%\{", re.S)
_SIMPLE = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}


def unescape(text: str) -> str:
    """Decode a quoted string's escapes and its `$${` / `%%{` literal markers."""
    if "\\" not in text and "$${" not in text and "%%{" not in text:
        return text

    def one(match: re.Match[str]) -> str:
        whole = match.group(0)
        if whole in ("$${", "%%{"):
            return whole[1:]
        code = match.group(1)
        if code[0] in "uU" and len(code) > 1:
            try:
                return chr(int(code[1:], 16))
            except (ValueError, OverflowError):
                return whole
        return _SIMPLE.get(code, whole)

    return _ESCAPES.sub(one, text)


def parse_text(text: str, path: str) -> tuple[tuple[Block, ...], Mapping[str, Attribute]]:
    """Parse one file's text into its top-level blocks and top-level attributes."""
    from lark.exceptions import LarkError, UnexpectedInput  # heavy: only when a file is parsed

    try:
        tree = _parse()(text + "\n")  # the trailing newline as in hcl2.parses_to_tree
    except UnexpectedInput as exc:
        raise InputError(path, syntax_message(exc, _parser().terminals)) from None
    except (LarkError, RecursionError) as exc:
        raise InputError(path, f"not valid HCL: {exc}".splitlines()[0]) from None
    return _body(tree.children[0], path, top=True)


def _parse() -> Callable[[str], Any]:
    return _parser().parse


def parse_file(
    path: str, display: str, boundary: Boundary | None = None, budget: Budget | None = None
) -> tuple[tuple[Block, ...], Mapping[str, Attribute]]:
    """Read and parse one file; `display` is the name errors and instances show.

    With a `boundary`, a file that leads outside the configuration is not read at all;
    any file must be a regular file of at most `LIMITS.source_bytes` (parsing costs about
    100 times its size in memory, and Lark reads ~100 kB a second).
    """
    return parse_text(read_source(path, display, boundary, budget), display)


def read_source(
    path: str, display: str, boundary: Boundary | None = None, budget: Budget | None = None
) -> str:
    """The text of a .tf or .tfvars file, refused (InputError) when it may not be read."""
    if boundary is not None and not boundary.inside(path):
        raise InputError(
            display,
            f"this file is a link to a file {OUTSIDE} (the root "
            "module's directory or the repository holding it); tfcheck does "
            "not read it",
        )
    limit = LIMITS.source_bytes
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            raise InputError(display, "not a regular file; tfcheck reads only regular files")
        with open(path, "rb") as handle:
            data = handle.read(limit + 1)
    except OSError as exc:
        raise InputError(display, f"cannot read the file: {exc.strerror or exc}") from None
    if len(data) > limit:
        raise InputError(
            display,
            f"the file is larger than {limit // (1024 * 1024)} MiB, "
            "more than tfcheck parses in one file; split it, or check the plan "
            "with --no-source",
        )
    if budget is not None:
        try:
            budget.source_bytes(len(data))
        except BudgetExceeded as exc:
            raise InputError(
                display, f"{exc}: more than tfcheck parses in one run; check the plan with --no-source"
            ) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(display, f"cannot read the file: not UTF-8 text (byte {exc.start})") from None


def parse_expression(text: str, path: str) -> Any:
    """Parse one expression (a template interpolation written inside a heredoc)."""
    _, attributes = parse_text(f"x = {text}\n", path)
    return attributes["x"].expr


def load_module_dir(
    directory: str, root: str, boundary: Boundary | None = None, budget: Budget | None = None
) -> tuple[Block, ...]:
    """Every block of a module directory's `.tf` files, with override files merged in.

    Terraform reads `*.tf` in lexical order and merges `override.tf` / `*_override.tf` last.
    """
    try:
        names = sorted(n for n in os.listdir(directory) if n.endswith(".tf"))
    except OSError as exc:
        raise InputError(_rel(directory, root), f"cannot read the directory: {exc}") from None
    names = [n for n in names if os.path.isfile(os.path.join(directory, n))]
    if not names:
        raise InputError(
            _rel(directory, root),
            "no Terraform .tf files in this directory; give the directory that holds the root module",
        )
    primary: list[Block] = []
    overrides: list[Block] = []
    for name in names:
        full = os.path.join(directory, name)
        blocks, attributes = parse_file(full, _rel(full, root), boundary, budget)
        if attributes:
            attr = next(iter(attributes.values()))
            raise InputError(
                _rel(full, root),
                f"line {attr.line}: an argument named "
                f'"{attr.name}" is not expected at the top level of a .tf file',
            )
        stem = name[:-3]
        (overrides if stem == "override" or stem.endswith("_override") else primary).extend(blocks)
    return _merge_overrides(primary, overrides)


def parse_tfvars(
    path: str, display: str, boundary: Boundary | None = None, budget: Budget | None = None
) -> Mapping[str, Attribute]:
    """A `.tfvars` file's assignments (blocks are not allowed there)."""
    blocks, attributes = parse_file(path, display, boundary, budget)
    if blocks:
        raise InputError(
            display,
            f"line {blocks[0].line}: a .tfvars file holds only "
            f'"name = value" assignments, not a "{blocks[0].type}" block',
        )
    return attributes


def static_string(expr: Any) -> str | None:
    """The text of an expression that is a plain quoted string or a bare name, else None."""
    node = expr
    if is_tree(node) and node.data == "expr_term" and len(node.children) == 1:
        node = node.children[0]
    if is_tree(node) and node.data in ("identifier", "string"):
        if node.data == "string" and any(not is_token(p.children[0]) for p in node.children[1:-1]):
            return None
        return _name(node)
    return None


def traversal_text(node: Any) -> str | None:
    """`aws.west` for a plain name traversal (provider references), else None."""
    if is_tree(node) and node.data == "expr_term" and is_tree(node.children[0]):
        node = node.children[0]
    if not is_tree(node):
        return None
    if node.data == "identifier":
        return str(node.children[0])
    if node.data == "string":
        return static_string(node)
    if node.data == "get_attr_expr_term":
        base, attr = trees(node)
        head = traversal_text(base)
        return f"{head}.{trees(attr)[0].children[0]}" if head else None
    return None


def _rel(path: str, root: str) -> str:
    rel = os.path.relpath(path, root) if root else path
    return rel.replace(os.sep, "/")


def _first_line(node: Any) -> int:
    while is_tree(node):
        node = node.children[0]
    return int(getattr(node, "line", 0) or 0)


def _name(node: Any) -> str:
    """Text of an identifier/keyword/literal_value node or a quoted label."""
    if is_token(node):
        return str(node)
    if node.data == "string":
        return "".join(
            unescape(str(part.children[0])) for part in node.children[1:-1] if is_token(part.children[0])
        )
    return str(node.children[0])


def _body(body: Tree[Any], path: str, top: bool = False) -> tuple[tuple[Block, ...], Mapping[str, Attribute]]:
    blocks: list[Block] = []
    attributes: dict[str, Attribute] = {}
    previous: Any = None
    for index, child in enumerate(body.children):
        if not is_tree(child):
            continue
        if child.data == "attribute":
            name = _name(child.children[0])
            line = _first_line(child)
            if name in attributes:
                raise InputError(
                    path,
                    f'line {line}: the argument "{name}" was already set on line {attributes[name].line}',
                )
            attributes[name] = Attribute(name, child.children[2], line, path)
        elif child.data == "block":
            comments = _comments_for(previous, index == 1, child) if top else ()
            blocks.append(_block(child, path, comments))
        previous = child
    return tuple(blocks), attributes


def _block(node: Tree[Any], path: str, comments: tuple[str, ...]) -> Block:
    parts = [c for c in node.children if is_tree(c) and c.data != "new_line_or_comment"]
    body = next(c for c in parts if c.data == "body")
    head = [c for c in parts if c is not body]
    blocks, attributes = _body(body, path)
    return Block(
        _name(head[0]),
        tuple(_name(h) for h in head[1:]),
        attributes,
        blocks,
        path,
        _first_line(node),
        comments,
    )


def _comments_for(previous: Any, at_start: bool, block: Tree[Any]) -> tuple[str, ...]:
    """Comment lines directly above a block (no blank line between) and after its `{`."""
    above: list[str] = []
    if is_tree(previous) and previous.data == "new_line_or_comment":
        tokens = list(previous.children)
        if not at_start:
            tokens = tokens[1:]  # the first token ends the previous line of code
        for token in reversed(tokens):
            if not _is_comment(token):
                break
            above.insert(0, str(token).strip())
    body = next(c for c in block.children if is_tree(c) and c.data == "body")
    first = body.children[0] if body.children else None
    if (
        is_tree(first)
        and first.data == "new_line_or_comment"
        and first.children
        and _is_comment(first.children[0])
    ):
        above.append(str(first.children[0]).strip())
    return tuple(above)


def _is_comment(token: Any) -> bool:
    return str(token).lstrip(" \t").startswith(("#", "//", "/*"))


def _merge_overrides(primary: list[Block], overrides: list[Block]) -> tuple[Block, ...]:
    """Merge override-file blocks into the primary blocks they name (Terraform's rules)."""
    merged = list(primary)
    for over in overrides:
        if over.type == "locals":
            merged = [_override_locals(b, over) if b.type == "locals" else b for b in merged]
            continue
        key = _override_key(over)
        for index, block in enumerate(merged):
            if _override_key(block) == key:
                merged[index] = _override_block(block, over)
                break
    return tuple(merged)


def _override_key(block: Block) -> tuple[str, ...]:
    if block.type == "provider":
        alias = block.attributes.get("alias")
        return (block.type, *block.labels, (static_string(alias.expr) or "") if alias else "")
    return (block.type, *block.labels)


def _override_locals(block: Block, over: Block) -> Block:
    attributes = {name: over.attributes.get(name, attr) for name, attr in block.attributes.items()}
    return dataclasses.replace(block, attributes=attributes)


def _override_block(block: Block, over: Block) -> Block:
    attributes = {**block.attributes, **over.attributes}
    replaced = {b.type for b in over.blocks}
    nested = tuple(b for b in block.blocks if b.type not in replaced) + over.blocks
    return dataclasses.replace(block, attributes=attributes, blocks=nested)
