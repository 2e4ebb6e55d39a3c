"""What every facts module shares: the graph's indexes, the settings, and how a verdict is stored.

A "violation list" (missing AZs, unreachable services, ...) lists what is definitely wrong;
when nothing is definitely wrong but something could not be decided, it is null and named
in the item's `unknown`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import cast

from tfcheck.graph.builder import Draft
from tfcheck.graph.model import Graph, GraphOptions, Item

GATEWAY_ABLE = ("s3", "dynamodb")


class Facts:
    def __init__(self, graph: Graph, options: GraphOptions) -> None:
        self.graph = graph
        self.options = options
        self.admitted: dict[tuple[tuple[str, ...], str], bool | None] = {}
        # (service, VPCs its zone is associated with) of each zone-served endpoint, gathered
        # once: every VPC asks, and scanning all endpoints per VPC grew with VPCs squared.
        self.zone_served: list[tuple[str, frozenset[str]]] = [
            (ep["service"], frozenset(ep["zone_vpcs"]))
            for ep in graph.collection("endpoints")
            if ep.get("zone_vpcs")
        ]

    def drafts(self, collection: str) -> list[Draft]:
        """The items of `collection`, writable: only facts modules, only during the build."""
        return cast(list[Draft], self.graph.collection(collection))

    def find(self, address: str | None, collection: str) -> Item | None:
        return self.graph.find(address, collection)

    def in_vpc(self, vpc: str | None, collection: str) -> Sequence[Item]:
        return self.graph.in_vpc(vpc, collection)


def settle(item: Draft, name: str, definite: Iterable[str], reason: str | None) -> None:
    """Store a violation list: definite members, or null + unknown when undecidable."""
    values = sorted(set(definite))
    if values or reason is None:
        item[name] = values
    else:
        item[name] = None
        item["unknown"][name] = reason


def any_item(graph: Graph, address: str) -> Item:
    """The item at `address` in any collection, or an empty one."""
    found = graph.find(address)
    return found if found is not None else cast(Item, {})
