"""Graph stage helper: turn attribute values (ids, Refs, Unknowns) into instance addresses.

Every edge the graph builder asks for goes through `Edges.follow`, which also counts how
each edge was found, or why not, for `summary.edges`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tfcheck.aws import ID_PREFIX_KIND, SYNTHETIC_ITEMS
from tfcheck.model import Instance, Ref, Unknown

_ADDRESS_ATTRS = {"id", "arn", "name"}
# Attributes of a VPC that name objects AWS creates with it: they stand for the VPC itself.
_VPC_OWNED = {
    "default_route_table_id",
    "main_route_table_id",
    "default_security_group_id",
    "default_network_acl_id",
}


@dataclass(frozen=True, slots=True)
class Edge:
    """Addresses an attribute points at; `unknown` names why the list may be incomplete."""

    addresses: tuple[str, ...]
    unknown: str | None = None
    external: tuple[str, ...] = ()  # known ids of objects outside the plan
    how: tuple[str, ...] = ()  # how the addresses were found: value, reference, module output, ...

    @property
    def one(self) -> str | None:
        return self.addresses[0] if len(self.addresses) == 1 and not self.unknown else None

    def why_not_one(self) -> str:
        """Why the edge names no single planned resource (its `one` is None)."""
        if self.unknown:
            return self.unknown
        if len(self.addresses) > 1:
            return "ambiguous reference"
        return f"not in plan: {self.external[0]}" if self.external else "not configured"


class Edges:
    """Resolves values against the inventory: Ref → address, known id → address."""

    def __init__(self, instances: Mapping[str, Instance]) -> None:
        self.instances = instances
        self.by_id: dict[str, str] = {}
        for inst in instances.values():
            for attr in ("id", "arn"):
                value = inst.values.get(attr)
                if isinstance(value, str) and value:
                    self.by_id[value] = inst.address
        self.resolved: Counter[str] = Counter()
        self.unresolved: Counter[str] = Counter()
        # Edges that stayed open: (resource address, edge, reason), for summary.edges.
        self.failures: dict[tuple[str, str], str] = {}

    def fail(self, address: str, edge: str, reason: str, count: bool = False) -> None:
        """Record an edge left unresolved; `count` when `follow` did not count it already
        (an ambiguous reference, or an association whose other end is the unknown one)."""
        if (address, edge) not in self.failures:
            self.failures[(address, edge)] = reason
            if count:  # known ids outside the plan are counted together
                self.unresolved["not in plan" if reason.startswith("not in plan") else reason] += 1

    def follow(self, value: Any, count: bool = True) -> Edge:
        if type(value) is Ref and value.attr in _ADDRESS_ATTRS and value.address in self.instances:
            # The common case (`vpc_id = aws_vpc.main.id`), without the general walk below.
            if count:
                self.resolved[value.how] += 1
            return Edge((value.address,), None, (), (value.how,))
        addresses: list[str] = []
        external: list[str] = []
        reasons: list[str] = []
        hows: list[str] = []
        self._collect(value, addresses, external, reasons, 0, count, set(), hows)
        unique = tuple(dict.fromkeys(addresses))
        return Edge(
            unique, reasons[0] if reasons else None, tuple(dict.fromkeys(external)), tuple(sorted(set(hows)))
        )

    def _collect(
        self,
        value: Any,
        out: list[str],
        external: list[str],
        reasons: list[str],
        depth: int,
        count: bool,
        seen: set[tuple[str, str, int]],
        hows: list[str],
    ) -> None:
        if value is None or value == "":
            return
        if isinstance(value, list):
            for item in value:
                self._collect(item, out, external, reasons, depth, count, seen, hows)
            return
        if isinstance(value, Unknown):
            reasons.append(value.reason)
            if count:
                self.unresolved[value.reason] += 1
            return
        if isinstance(value, Ref):
            if value.address not in self.instances:
                reasons.append("resource not in plan")
                if count:
                    self.unresolved["resource not in plan"] += 1
            elif (self.instances[value.address].type, value.attr) in SYNTHETIC_ITEMS:
                # An object AWS creates with the resource (the EKS cluster security group).
                out.append(value.address + SYNTHETIC_ITEMS[(self.instances[value.address].type, value.attr)])
                hows.append(value.how)
                if count:
                    self.resolved[value.how] += 1
            elif value.attr in _ADDRESS_ATTRS or value.attr in _VPC_OWNED or depth > 8:
                out.append(value.address)
                hows.append(value.how)
                if count:
                    self.resolved[value.how] += 1
            elif (value.address, value.attr, depth) not in seen:
                # e.g. `aws_nat_gateway.x.subnet_id`: follow the attribute on the target.
                # Once per step: attributes listing each other would otherwise fan out 9 deep.
                seen.add((value.address, value.attr, depth))
                target = self.instances[value.address].values.get(value.attr)
                self._collect(target, out, external, reasons, depth + 1, count, seen, hows)
            return
        if isinstance(value, str):
            address = self.by_id.get(value)
            if address is not None:
                out.append(address)
                hows.append("value")
                if count:
                    self.resolved["value"] += 1
            else:
                external.append(value)
            return

    def summary(self) -> dict[str, Any]:
        return {
            "resolved": sum(self.resolved.values()),
            "unknown": sum(self.unresolved.values()),
            "by_how": dict(sorted(self.resolved.items())),
            "by_reason": dict(sorted(self.unresolved.items())),
            "unresolved": [
                {"address": address, "edge": edge, "reason": reason}
                for (address, edge), reason in sorted(self.failures.items())
            ],
        }


def id_kind(value: str) -> str | None:
    """Kind of an object outside the plan, from its id prefix (`igw-…` → igw)."""
    for prefix, kind in ID_PREFIX_KIND.items():
        if value.startswith(prefix):
            return kind
    return None


def scalar(value: Any, default: Any = None) -> tuple[Any, str | None]:
    """(value, unknown reason). Absent → default; Unknown/Ref → (None, reason)."""
    if value is None:
        return default, None
    if isinstance(value, Unknown):
        return None, value.reason
    if isinstance(value, Ref):
        return None, "unknown until apply"
    return value, None


def as_bool(value: Any, default: bool | None) -> tuple[bool | None, str | None]:
    result, reason = scalar(value, default)
    if reason or result is None:
        return None if reason else default, reason
    if isinstance(result, bool):
        return result, None
    if isinstance(result, str) and result.lower() in ("true", "false"):
        return result.lower() == "true", None
    return None, "not a boolean"


def blocks(value: Any) -> list[Mapping[str, Any]]:
    """Nested blocks as a list of dicts, whatever shape the loader left them in."""
    if isinstance(value, dict):
        return [value]
    if isinstance(value, list):
        return [b for b in value if isinstance(b, dict)]
    return []
