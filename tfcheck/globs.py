"""The one address-pattern dialect, for every pattern a user writes: waivers (rule and address),
usage-file keys, `needs`, `hub_dns`, `internet_destinations` and the policies' `glob()`.

- `*` matches any run of characters, none included: dots, brackets and quotes too;
- `[*]` matches exactly one instance key: `[0]`, `["a"]` (a bracket and what it holds);
- every other character, `?` and `[` included, matches only itself.

So `module.app.aws_ecs_service.*` matches every service of the module, and
`aws_subnet.private[*]` every instance of one resource but no other resource. There are no
character classes: Terraform addresses are full of literal brackets.

Matching never backtracks more than once per star: a pattern splits at its stars into
segments that each match in one way, and each middle segment is taken at its leftmost
occurrence (which is always safe), so a match costs at most len(pattern) × len(text) steps
whatever the pattern, unlike a regex of many `.*`.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable

_INDEX = "[*]"
Segment = tuple[str, ...]  # a token is one literal character, or "[*]"


@functools.lru_cache(maxsize=4096)
def _compile(pattern: str) -> tuple[Segment, ...]:
    """The pattern's segments between stars (the first and last may be empty)."""
    segments: list[Segment] = []
    current: list[str] = []
    i = 0
    while i < len(pattern):
        if pattern.startswith(_INDEX, i):
            current.append(_INDEX)
            i += 3
        elif pattern[i] == "*":
            segments.append(tuple(current))
            current = []
            i += 1
        else:
            current.append(pattern[i])
            i += 1
    segments.append(tuple(current))
    return tuple(segments)


def _match_at(segment: Segment, text: str, start: int) -> int:
    """Where `segment` ends when it matches `text` at `start`, else -1 (one way only)."""
    at = start
    for token in segment:
        if token == _INDEX:
            if at >= len(text) or text[at] != "[":
                return -1
            close = text.find("]", at + 1)
            if close < 0:
                return -1
            at = close + 1
        elif at < len(text) and text[at] == token:
            at += 1
        else:
            return -1
    return at


def matches(pattern: str, text: str) -> bool:
    """Does `text` (an address, a rule id) match `pattern` as a whole?"""
    if pattern == text:
        return True
    segments = _compile(pattern)
    if len(segments) == 1:
        return _match_at(segments[0], text, 0) == len(text)
    end = _match_at(segments[0], text, 0)
    if end < 0:
        return False
    for segment in segments[1:-1]:
        found = -1
        for start in range(end, len(text) + 1):
            found = _match_at(segment, text, start)
            if found >= 0:
                break
        if found < 0:
            return False
        end = found
    last = segments[-1]
    return any(_match_at(last, text, start) == len(text) for start in range(end, len(text) + 1))


def any_match(patterns: Iterable[str], text: str) -> bool:
    return any(matches(pattern, text) for pattern in patterns)


def has_wildcard(pattern: str) -> bool:
    return "*" in pattern
