"""Frozen shapes shared by the loaders (plan, HCL) and the graph builder, and the one way an
instance address is spelled."""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple


@dataclass(frozen=True, slots=True)
class Unknown:
    """A value Terraform (or tfcheck) cannot know before apply, and why."""

    reason: str
    refs: tuple[Ref, ...] = ()  # what the unknown value was built from, when known


@dataclass(frozen=True, slots=True)
class Ref:
    """A value that is another resource instance's attribute, e.g. `aws_subnet.a[0].id`.

    `how` records how the edge was found: value, reference, module output, index, source.
    """

    address: str
    attr: str = "id"
    how: str = "reference"


class Instance(NamedTuple):
    """One resource instance as the loaders see it, before graph semantics.

    `values` is JSON-like; any leaf may be an `Unknown` or a `Ref` (lists of Refs for
    multi-valued references). An attribute absent from `values` was not configured and
    takes the provider default (graph.py knows them); known ids stay plain strings.

    A NamedTuple rather than a frozen dataclass (the style guide's default), as `Finding`
    is: as immutable, and cheaper to build where a plan makes one per resource, twice when
    read with its source. 16,000 of them took 16-20 ms as frozen dataclasses, 5-9 ms as
    tuples (2-core machine).
    """

    address: str
    type: str
    module: str
    key: int | str | None
    values: Mapping[str, Any]
    region: str | None = None
    file: str | None = None
    line: int | None = None
    action: str = "create"


@dataclass(frozen=True, slots=True)
class Inventory:
    """Every managed resource instance a plan (or HCL source) will leave standing."""

    instances: tuple[Instance, ...]
    region: str | None
    source: str
    kind: str = "plan"  # plan | state | hcl
    notes: tuple[str, ...] = field(default=())
    # What HCL evaluation refused ("main.tf:12: x: evaluation budget exceeded (...)"): the
    # file functions outside the configuration and the bounds of the evaluation budget.
    refused: tuple[str, ...] = field(default=())
    # Source read beside a plan: where each resource block whose instances it did not list
    # (it evaluated nothing of them) is declared, by address without key (`module.m.aws_x.y`):
    # (file, line, its provider's Region).
    declared: Mapping[str, tuple[str, int, str | None]] = field(default_factory=dict)


# Why a module's values are unknown when its source is not on disk; the HCL loader says it,
# and combining a plan with its source recognises it.
NOT_INSTALLED = "module not installed: run terraform init"

Key = int | str | None  # an instance key: count index, for_each key, or none
ModulePath = tuple[tuple[str, Key], ...]  # (call name, instance key) from the root down


_KEY_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t", '"': '\\"', "\\": "\\\\"}
_PLAIN_KEY = re.compile(r'(?:[^"\\$%]|[$%](?!\{))*')


def block_address(inst: Instance) -> str:
    """`module.m["a"].aws_x.y[0]` → `module.m["a"].aws_x.y`: the first "[" after the name."""
    cut = inst.address.find("[", len(inst.module) + len(inst.type) + 2)
    return inst.address if inst.key is None or cut < 0 else inst.address[:cut]


def format_key(key: Key) -> str:
    """`[0]` or `["name"]`, quoted the way Terraform prints instance keys (plan and HCL alike)."""
    if key is None:
        return ""
    if isinstance(key, int):
        return f"[{key}]"
    if key.isprintable() and _PLAIN_KEY.fullmatch(key):
        return f'["{key}"]'  # the common case: nothing to escape
    out = []
    for index, char in enumerate(key):
        if char in _KEY_ESCAPES:
            out.append(_KEY_ESCAPES[char])
        elif char in "$%" and key[index + 1 : index + 2] == "{":
            out.append(char * 2)  # HCL's template introducers are doubled
        elif not char.isprintable():
            out.append(f"\\u{ord(char):04x}" if ord(char) < 65536 else f"\\U{ord(char):08x}")
        else:
            out.append(char)
    return '["' + "".join(out) + '"]'


@functools.lru_cache(maxsize=65536)
def module_prefix(path: ModulePath) -> str:
    return "".join(f"module.{name}{format_key(key)}." for name, key in path)


def sort_keys(keys: Sequence[Key]) -> list[Key]:
    """Terraform's instance order: count by index, for_each by lexical key."""
    return sorted(keys, key=lambda k: (isinstance(k, str), k if k is not None else -1))


def resource_type(address: str) -> str:
    """`module.a["x"].aws_subnet.p[0]` → "aws_subnet" (types and names hold no dots or brackets)."""
    base = address[: address.rfind("[")] if address.endswith("]") else address
    parts = base.rsplit(".", 2)
    return parts[-2] if len(parts) >= 2 else ""
