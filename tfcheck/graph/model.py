"""The network graph every later stage reads: built once per input, then never written.

The graph is the JSON document of `graph/schema.json` (version, region, one list per
collection, summary) behind a read-only Mapping, with the indexes every reader needs built
once: items by address and by VPC. Items are JSON-ready dicts typed as read-only Mappings.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

COLLECTIONS = (
    "vpcs",
    "subnets",
    "route_tables",
    "endpoints",
    "security_groups",
    "workloads",
    "nat_gateways",
    "internet_gateways",
    "tgw_attachments",
    "dhcp_options",
)
# Collections whose items carry a `vpc` field that the by-VPC index groups them by.
IN_VPC = (
    "subnets",
    "route_tables",
    "endpoints",
    "security_groups",
    "workloads",
    "nat_gateways",
    "internet_gateways",
    "tgw_attachments",
)

Item = Mapping[str, Any]
_NONE: tuple[Item, ...] = ()


@dataclass(frozen=True, slots=True)
class GraphOptions:
    """Settings from the config file that change what the graph says."""

    extra_needs: tuple[tuple[str, tuple[str, ...]], ...] = ()
    hub_dns: tuple[str, ...] = ()
    default_needs: tuple[str, ...] | None = None
    needs_from: tuple[str, ...] | None = None  # need sources that count (graph/needs.py); None: all


class Graph(Mapping[str, Any]):
    """The graph document, read-only, with its indexes.

    `graph["subnets"]` is the sorted tuple of subnet items; `graph.find(address)` any item;
    `graph.in_vpc(vpc, "endpoints")` a VPC's endpoints in address order.
    """

    __slots__ = ("_doc", "_by_address", "_kind", "_by_vpc", "notes")

    def __init__(self, document: Mapping[str, Any], notes: tuple[str, ...] = ()) -> None:
        self._doc = dict(document)
        self.notes = notes
        self._by_address: dict[str, Item] = {}
        self._kind: dict[str, str] = {}
        self._by_vpc: dict[tuple[str, str], list[Item]] = {}
        for name in COLLECTIONS:
            for item in self._doc.get(name, ()):
                address = item["address"]
                self._by_address.setdefault(address, item)
                self._kind.setdefault(address, name)
                vpc = item.get("vpc") if name in IN_VPC else None
                if vpc:
                    self._by_vpc.setdefault((vpc, name), []).append(item)

    def __getitem__(self, key: str) -> Any:
        return self._doc[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._doc)

    def __len__(self) -> int:
        return len(self._doc)

    def __reduce__(self) -> tuple[Any, ...]:
        return (Graph, (self._doc, self.notes))

    def collection(self, name: str) -> Sequence[Item]:
        items: Sequence[Item] = self._doc.get(name, _NONE)
        return items

    def find(self, address: str | None, collection: str | None = None) -> Item | None:
        """The item at `address` (of `collection`, when given: an id may name another kind)."""
        if address is None:
            return None
        if collection is not None and self._kind.get(address) != collection:
            return None
        return self._by_address.get(address)

    def kind_of(self, address: str) -> str | None:
        """The collection holding `address`, if any."""
        return self._kind.get(address)

    def in_vpc(self, vpc: str | None, collection: str) -> Sequence[Item]:
        if not vpc:
            return _NONE
        return self._by_vpc.get((vpc, collection), _NONE)

    @property
    def summary(self) -> Mapping[str, Any]:
        summary: Mapping[str, Any] = self._doc.get("summary") or {}
        return summary

    def document(self) -> dict[str, Any]:
        """The plain document for JSON (a new top-level dict; items are shared, not copied)."""
        return {key: list(value) if isinstance(value, tuple) else value for key, value in self._doc.items()}
