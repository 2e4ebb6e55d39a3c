"""Terraform's regular expressions (`regex`, `regexall`, `replace` with `/re/`) with RE2.

Terraform uses Go's regexp package, whose syntax is RE2's and whose matching takes linear
time; Python's `re` backtracks (`(a+)+b` on a long string never ends) and differs in syntax
(`$` before a final newline, lookarounds, backreferences). The `google-re2` binding gives
both Terraform's syntax and its guarantee: a pattern Go would reject is an error here too.
Replacements follow Go's `Expand`: `$1`, `${1}`, `$name`, `${name}`, `$$`; an unknown group
is empty. Results are bounded by the evaluation budget.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from typing import Any

from tfcheck.hcl.budget import LIMITS, BudgetExceeded, check_string
from tfcheck.hcl.values import EvalError

_MAX_PATTERNS = 512


@functools.lru_cache(maxsize=_MAX_PATTERNS)
def compile_regex(pattern: str) -> Any:
    """The compiled RE2 pattern; EvalError (without echoing the pattern) when invalid."""
    import re2  # a C++ extension (~7 ms): only when a configuration uses a regex

    check_string(len(pattern))
    options = re2.Options()
    options.log_errors = False  # RE2 would print the pattern on stderr
    try:
        return re2.compile(pattern, options)
    except re2.error as exc:
        detail = exc.args[0] if exc.args else ""
        if isinstance(detail, bytes):
            detail = detail.decode("utf-8", "replace")
        detail = str(detail).split(":")[0]  # the kind of error, not the pattern's text
        raise EvalError(f"invalid regular expression (RE2 syntax, as Terraform): {detail}") from None


def _matches(compiled: Any, text: str) -> Iterator[Any]:
    """Successive non-overlapping matches, as Go finds them (an empty match right after a
    match is skipped); more than the budget's element bound is refused."""
    previous_end = -1
    count = 0
    for match in compiled.finditer(text):
        if match.start() == match.end() == previous_end:
            continue
        previous_end = match.end()
        count += 1
        if count > LIMITS.value_nodes:
            raise BudgetExceeded(f"more than {LIMITS.value_nodes:,} regex matches")
        yield match


def _match_value(compiled: Any, match: Any) -> Any:
    if compiled.groupindex:
        return {name: match.group(name) for name in compiled.groupindex}
    if compiled.groups:
        return list(match.groups())
    return match.group(0)


def regex(pattern: str, text: str) -> Any:
    compiled = compile_regex(pattern)
    match = compiled.search(text)
    if match is None:
        raise EvalError("regex: the pattern does not match")
    return _match_value(compiled, match)


def regexall(pattern: str, text: str) -> list[Any]:
    compiled = compile_regex(pattern)
    return [_match_value(compiled, m) for m in _matches(compiled, text)]


_REFERENCE = re.compile(r"\$(?:(\$)|\{(\w+)\}|(\w+))")


def _template(new: str) -> list[Any]:
    """A replacement as literal pieces (str) and group references (a 1-tuple: int or name)."""
    parts: list[Any] = []
    cursor = 0
    for ref in _REFERENCE.finditer(new):
        parts.append(new[cursor : ref.start()])
        cursor = ref.end()
        if ref.group(1):
            parts.append("$")
            continue
        name = ref.group(2) or ref.group(3)
        parts.append((int(name),) if name.isdigit() else (name,))
    parts.append(new[cursor:])
    return parts


def replace(text: str, old: str, new: str) -> str:
    if not (len(old) > 1 and old.startswith("/") and old.endswith("/")):
        if not old:
            return text
        check_string(len(text) + text.count(old) * (len(new) - len(old)))
        return text.replace(old, new)
    compiled = compile_regex(old[1:-1])
    parts = _template(new)
    out: list[str] = []
    size = cursor = 0
    for match in _matches(compiled, text):
        pieces = [text[cursor : match.start()]] + [
            part if isinstance(part, str) else _group(compiled, match, part[0]) for part in parts
        ]
        size += sum(map(len, pieces))
        check_string(size)  # before the pieces pile up past the bound
        out += pieces
        cursor = match.end()
    out.append(text[cursor:])
    check_string(size + len(out[-1]))
    return "".join(out)


def _group(compiled: Any, match: Any, ref: int | str) -> str:
    if isinstance(ref, int):
        if ref > compiled.groups:
            return ""
    elif ref not in compiled.groupindex:
        return ""
    return match.group(ref) or ""
