"""The work the policies may do over one graph: a bound a pull request's policy cannot pass.

A JMESPath expression of a few hundred characters can double a list at every pipe stage
(`[@, @][] | [@, @][] | ...`) or multiply work by nesting `in_vpc()` in a projection, and so
run for hours and take all memory. Every operation that visits or builds many values (a
projection, a flatten, a function over a list or string) charges what it is about to visit
or build to one meter before doing it; past the limit the rule stops with an error naming
it (docs/security.md). Measured at 16,000 resources, the built-in rules charge about 16
per graph item; the limit is far above any real rule.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterator
from typing import Any

BASE = 10_000_000  # values visited or built, whatever the graph's size
PER_ITEM = 2_000  # and this many more for each item of the graph


class Exceeded(Exception):
    """A policy expression did more work over the graph than the limit allows."""

    def __init__(self, limit: float) -> None:
        super().__init__(limit)
        self.limit = limit


class Meter:
    """What is left to charge; one per process (policies are evaluated in one thread).
    Unlimited outside `metered`, which every evaluation of rules over a graph runs in."""

    __slots__ = ("left", "limit")

    def __init__(self) -> None:
        self.limit: float = math.inf
        self.left: float = math.inf

    def charge(self, count: int) -> None:
        self.left -= count
        if self.left < 0:
            raise Exceeded(self.limit)

    def size(self, value: Any) -> None:
        """Charge the length of a list, object or string (what a function reads or copies)."""
        if type(value) in _SIZED:
            self.charge(len(value))

    def walk(self, value: Any) -> None:
        """Charge every value inside `value`, shared ones each time they occur (what
        serialising it costs), stopping as soon as the limit is passed."""
        stack = [value]
        while stack:
            current = stack.pop()
            self.charge(1)
            kind = type(current)
            if kind is list:
                stack.extend(current)
            elif kind is dict:
                stack.extend(current.values())
            elif kind is str:
                self.charge(len(current))


_SIZED = frozenset({list, dict, str})
METER = Meter()


@contextlib.contextmanager
def metered(items: int) -> Iterator[Meter]:
    """A fresh limit for evaluating the policies over a graph of `items` items."""
    saved = METER.left, METER.limit
    METER.limit = METER.left = BASE + PER_ITEM * items
    try:
        yield METER
    finally:
        METER.left, METER.limit = saved
