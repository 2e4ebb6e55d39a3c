"""python-hcl2's parse errors in words: "line 3, column 7: unexpected '}'; expected a name."

Only parse.py calls it, with the grammar's terminals; lark is imported here only when an
error is being described.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from lark import Token
    from lark.exceptions import UnexpectedInput

# Token names of the hcl2 grammar, in words for "expected ..." messages.
_TOKEN_WORDS = {
    "NL_OR_COMMENT": "a newline",
    "NAME": "a name",
    "INT_LITERAL": "a number",
    "FLOAT_LITERAL": "a number",
    "DBLQUOTE": 'a quote (")',
    "STRING_CHARS": "string text",
    "HEREDOC_TEMPLATE": "a heredoc",
    "HEREDOC_TEMPLATE_TRIM": "a heredoc",
    "TEMPLATE_STRING": "a string",
    "EQ": '"="',
    "COLON": '":"',
    "$END": "end of file",
    "ESCAPED_INTERPOLATION": "string text",
    "ESCAPED_DIRECTIVE": "string text",
}
_EXPRESSION_START = {"NAME", "INT_LITERAL", "DBLQUOTE", "LSQB", "LBRACE", "LPAR", "MINUS", "NOT"}


def syntax_message(exc: UnexpectedInput, terminals: Iterable[Any]) -> str:
    """A parse error as one sentence: where, what was found, what the grammar expected."""
    from lark.exceptions import UnexpectedCharacters, UnexpectedToken

    line, column = getattr(exc, "line", "?"), getattr(exc, "column", "?")
    if isinstance(exc, UnexpectedToken):
        token = exc.token
        found = "end of file" if token.type == "$END" else _describe_token(token)
        expected = _describe_expected(exc.expected, terminals)
    elif isinstance(exc, UnexpectedCharacters):
        found = repr(exc.char)
        expected = _describe_expected(exc.allowed or set(), terminals)
    else:
        found, expected = "input", ""
    message = f"line {line}, column {column}: unexpected {found}"
    return message + (f"; expected {expected}" if expected else "") + "."


def _describe_token(token: Token) -> str:
    text = str(token).strip()
    if not text:
        return "newline"
    return repr(text if len(text) <= 30 else text[:27] + "...")


def _describe_expected(names: Iterable[str], terminals: Iterable[Any]) -> str:
    names = set(names)
    words: list[str] = []
    if len(names & _EXPRESSION_START) >= 4:
        words.append("an expression")
        names -= _EXPRESSION_START | {
            "FLOAT_LITERAL",
            "HEREDOC_TEMPLATE",
            "HEREDOC_TEMPLATE_TRIM",
            "TEMPLATE_STRING",
            "TRUE",
            "FALSE",
            "NULL",
        }
    patterns = {t.name: t.pattern for t in terminals}
    for name in sorted(names):
        if name in _TOKEN_WORDS:
            word = _TOKEN_WORDS[name]
        elif name in patterns and patterns[name].type == "str":
            word = f'"{patterns[name].value}"'
        else:
            word = name.lower()
        if word not in words:
            words.append(word)
    if len(words) > 1:
        return "one of " + ", ".join(words)
    return words[0] if words else ""
