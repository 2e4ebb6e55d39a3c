"""Lark parse-tree nodes read without importing Lark: a token is a `str` (Lark's Token
subclasses it), anything else is a tree with `.data` and `.children`.

Only parse.py imports python-hcl2 and Lark, and only when a file is parsed, so the rest of
the evaluator (and plan-only runs, which import it) never pays Lark's ~50 ms import.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeGuard

if TYPE_CHECKING:
    from lark import Token, Tree


def is_token(node: Any) -> TypeGuard[Token]:
    return isinstance(node, str)


def is_tree(node: Any) -> TypeGuard[Tree[Any]]:
    return not isinstance(node, str) and hasattr(node, "data")


def trees(node: Tree[Any]) -> list[Tree[Any]]:
    """The child trees of `node`, without newline and comment nodes."""
    return [c for c in node.children if is_tree(c) and c.data != "new_line_or_comment"]


class MadeTree:
    """A tree node made by the evaluator itself (it reads only `.data` and `.children`)."""

    __slots__ = ("data", "children")

    def __init__(self, data: str, children: list[Any]) -> None:
        self.data = data
        self.children = children
