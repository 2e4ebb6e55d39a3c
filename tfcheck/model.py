"""Frozen shapes shared by the loaders (plan, HCL) and the graph builder."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping


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


@dataclass(frozen=True, slots=True)
class Instance:
    """One resource instance as the loaders see it, before graph semantics.

    `values` is JSON-like; any leaf may be an `Unknown` or a `Ref` (lists of Refs for
    multi-valued references). An attribute absent from `values` was not configured and
    takes the provider default (graph.py knows them); known ids stay plain strings.
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
