"""The evaluation budget: every bound on what a configuration may make tfcheck compute.

A pull request controls the `.tf` files tfcheck evaluates, so no expression may make it run
for minutes or allocate gigabytes: numbers, strings, collections, `for` products, module
fan-out and the total number of evaluation steps per run are bounded here, in one place.
Exceeding a bound raises `BudgetExceeded`; the argument being evaluated becomes an Unknown
whose reason names its file and line ("evaluation budget exceeded in main.tf:12"), and the
rest of the check goes on. `try()` and `can()` do not catch it: Terraform would have
computed the value, so a fallback would be a guess.

`Refused` is the other refusal: a file function asked for a path outside the configuration.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

BUDGET_EXCEEDED = "evaluation budget exceeded"


class Refused(Exception):
    """An evaluation tfcheck will not do; the value is unknown and `str(exc)` says why.

    The message names the function or the bound, never the data (file contents, values).
    """


class BudgetExceeded(Refused):
    """A value or the run went past one of the `Limits`."""

    def __init__(self, what: str) -> None:
        super().__init__(f"{BUDGET_EXCEEDED} ({what})")


@dataclass(frozen=True, slots=True)
class Limits:
    """The bounds. Honest configurations stay far inside them (benchmarks/README.md)."""

    steps: int = 4_000_000  # evaluations, function calls, for/template iterations, value nodes
    number_bits: int = 4096  # a whole number's size; Terraform's own numbers are 512-bit floats
    string_chars: int = 4 * 1024 * 1024  # one string
    value_chars: int = 16 * 1024 * 1024  # all strings in one value, shared parts counted each time
    value_nodes: int = 1_000_000  # elements of one value, nested and shared parts counted
    module_instances: int = 2_000  # module instances per run (count/for_each through nesting)
    resource_instances: int = 30_000  # resource instances per run (n500, 16,000, takes ~2 s)
    file_bytes: int = 4 * 1024 * 1024  # a file that file(), templatefile(), ... read
    # Parsing (python-hcl2 on Lark) takes ~100 times a file's size in memory and reads
    # only about 100 kB a second, so .tf and .tfvars text is bounded per file and per run.
    source_bytes: int = 1024 * 1024  # one .tf or .tfvars file
    source_total: int = 8 * 1024 * 1024  # all of them in one run
    pairwise: int = 20_000_000  # element comparisons of a set operation over non-primitive items


LIMITS = Limits()


def refusal_reason(exc: Refused, where: str) -> str:
    """The reason an Unknown carries: what was refused and where, without the details."""
    text = BUDGET_EXCEEDED if isinstance(exc, BudgetExceeded) else str(exc)
    return f"{text} in {where}"


class Budget:
    """The counters of one run against its `Limits` (shared by every module instance)."""

    __slots__ = ("limits", "left", "modules", "resources", "source", "sizes")

    def __init__(self, limits: Limits = LIMITS) -> None:
        self.limits = limits
        self.left = limits.steps
        self.modules = 0
        self.resources = 0
        self.source = 0
        # id -> (the list or map, its nodes, its characters); holding the value keeps its id
        self.sizes: dict[int, tuple[Any, int, int]] = {}

    def source_bytes(self, count: int) -> None:
        self.source += count
        if self.source > self.limits.source_total:
            raise BudgetExceeded(
                f"more than {self.limits.source_total // (1024 * 1024)} MiB of .tf and .tfvars files"
            )

    def step(self, count: int = 1) -> None:
        self.left -= count
        if self.left < 0:
            raise BudgetExceeded(f"more than {self.limits.steps:,} evaluation steps")

    def module_instances(self, count: int) -> None:
        self.modules += count
        if self.modules > self.limits.module_instances:
            raise BudgetExceeded(f"more than {self.limits.module_instances:,} module instances")

    def resource_instances(self, count: int) -> None:
        self.resources += count
        if self.resources > self.limits.resource_instances:
            raise BudgetExceeded(f"more than {self.limits.resource_instances:,} resource instances")

    def value(self, value: Any) -> Any:
        """`value` itself, once its size (nodes and characters) is within the limits.

        Shared parts count each time they occur, as they would when the value is copied
        or encoded. Each list or map measured is remembered (values are never changed
        once made), so measuring `[local.a, local.a]` costs two steps, not a walk of `a`.
        """
        if isinstance(value, str):
            check_string(len(value), self.limits)
            return value
        if isinstance(value, int):
            return check_number(value, self.limits)
        if not isinstance(value, (list, dict)):
            return value
        nodes, chars = 0, 0
        stack: list[Any] = [value]
        limits, sizes = self.limits, self.sizes
        walked = 0
        while stack:
            item = stack.pop()
            walked += 1
            if isinstance(item, str):
                nodes += 1
                chars += len(item)
            elif isinstance(item, (list, dict)):
                known = sizes.get(id(item))
                if known is not None and known[0] is item:
                    nodes += known[1]
                    chars += known[2]
                elif isinstance(item, list):
                    nodes += 1
                    stack.extend(item)
                else:
                    nodes += 1
                    stack.extend(item.values())
                    chars += sum(len(k) for k in item)
            else:
                nodes += 1
            if nodes > limits.value_nodes or chars > limits.value_chars:
                self.step(walked)
                if nodes > limits.value_nodes:
                    raise BudgetExceeded(f"a value of more than {limits.value_nodes:,} elements")
                raise BudgetExceeded(f"a value of more than {limits.value_chars:,} characters")
        self.step(walked)
        if walked >= 16:  # a small value is cheaper to walk again than to remember
            sizes[id(value)] = (value, nodes, chars)
        return value


def check_string(length: int, limits: Limits = LIMITS) -> None:
    """Refuse a string of `length` characters before it is made."""
    if length > limits.string_chars:
        raise BudgetExceeded(f"a string of more than {limits.string_chars:,} characters")


def check_number(value: Any, limits: Limits = LIMITS) -> Any:
    """`value`, unless it is a whole number of more than `number_bits` bits."""
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > limits.number_bits:
        raise BudgetExceeded(f"a number of more than {limits.number_bits:,} bits")
    return value


def check_pairwise(left: int, right: int, limits: Limits = LIMITS) -> None:
    if left * right > limits.pairwise:
        raise BudgetExceeded(f"a set operation over {left:,} × {right:,} elements")
