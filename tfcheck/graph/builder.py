"""Graph stage, shared by the builders: the items being built, and how an edge is stored.

Each builder module (network, routes, security, endpoints, workloads) adds the items of its
own collections here; only build.py runs them, in order, and freezes the result.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tfcheck.graph.edges import Edge, Edges
from tfcheck.graph.model import COLLECTIONS
from tfcheck.model import Instance, Inventory, Ref, Unknown

Draft = dict[str, Any]  # an item while the graph is being built


class Builder:
    """The inventory's instances by type and by address, and the items built so far."""

    def __init__(self, inventory: Inventory) -> None:
        instances: dict[str, Instance] = {}
        for inst in inventory.instances:
            instances.setdefault(inst.address, inst)  # one item per address, whatever the source
        self.instances = instances
        self.edges = Edges(instances)
        self.by_type: dict[str, list[Instance]] = {}
        for inst in instances.values():
            self.by_type.setdefault(inst.type, []).append(inst)
        self.collections: dict[str, list[Draft]] = {name: [] for name in COLLECTIONS}
        self.index: dict[str, Draft] = {}
        self.kinds: dict[str, str] = {}  # address -> collection
        self._marked: dict[tuple[str, str], int] = {}  # (collection, field) -> items marked all

    def of(self, *types: str) -> list[Instance]:
        return [inst for t in types for inst in self.by_type.get(t, ())]

    def add(self, collection: str, item: Draft) -> Draft:
        self.collections[collection].append(item)
        self.index[item["address"]] = item
        self.kinds[item["address"]] = collection
        return item

    def find(self, address: str | None, collection: str) -> Draft | None:
        """The item at `address` if it is one of `collection`: an id may name another kind."""
        if address is None or self.kinds.get(address) != collection:
            return None
        return self.index[address]

    def undecided(self, value: Any, edge: Edge, collection: str, fields: Sequence[str], reason: str) -> None:
        """Mark `fields` unknown, first reason kept, on every item the edge may mean (`possible`).

        When that is all of the collection, the items marked by an earlier such pass already
        hold the fields and keep them, so only items added since are marked: a thousand rules
        of unknown groups over a thousand groups cost a pass, not a million setdefaults.
        """
        named = self.possible(value, edge, collection)
        if named is not None:
            for item in named:
                for name in fields:
                    item["unknown"].setdefault(name, reason)
            return
        items = self.collections[collection]
        for name in fields:
            done = self._marked.get((collection, name), 0)
            for item in items[done:]:
                item["unknown"].setdefault(name, reason)
            self._marked[(collection, name)] = len(items)

    def possible(self, value: Any, edge: Edge, collection: str) -> list[Draft] | None:
        """Items of `collection` an edge that names no single one may still mean: the ones it
        names, else those its unknown value was built from, else None: any item of the
        collection (nothing narrows it). An edge naming only objects outside the plan (known
        ids) means none."""
        named = [self.index[a] for a in edge.addresses if self.kinds.get(a) == collection]
        if named or (edge.external and not edge.unknown):
            return named
        refs = [
            r
            for v in (value if isinstance(value, list) else [value])
            if isinstance(v, Unknown)
            for r in v.refs
        ] + [v for v in (value if isinstance(value, list) else [value]) if isinstance(v, Ref)]
        built_from = [self.index[r.address] for r in refs if self.kinds.get(r.address) == collection]
        return built_from or None

    def subnet_azs(self, item: Draft) -> None:
        """`azs` of an item from its `subnets`, unknown if any subnet's AZ is."""
        azs = set()
        for address in item["subnets"]:
            subnet = self.find(address, "subnets")
            if subnet is None or subnet["az"] is None:
                item["unknown"]["azs"] = "subnet AZ unknown"
            else:
                azs.add(subnet["az"])
        if "subnets" in item["unknown"]:
            item["unknown"]["azs"] = item["unknown"]["subnets"]
        item["azs"] = sorted(azs)


def new_item(inst: Instance, **fields: Any) -> Draft:
    return {
        "address": inst.address,
        "resource_type": inst.type,
        **fields,
        "unknown": {},
        "file": inst.file,
        "line": inst.line,
    }


def put_edge(item: Draft, name: str, edge: Edge, many: bool) -> None:
    """Store an edge: a sorted address list, or one address; record why it may be incomplete."""
    if many:
        item[name] = sorted(edge.addresses)
    else:
        item[name] = edge.addresses[0] if len(edge.addresses) == 1 else None
        if len(edge.addresses) > 1 and not edge.unknown:
            item["unknown"][name] = "ambiguous reference"
    if edge.addresses:
        item.setdefault("how", {})[name] = ", ".join(edge.how)
    if edge.unknown:
        item["unknown"][name] = edge.unknown
    elif not many and not edge.addresses and edge.external:
        item["unknown"][name] = f"not in plan: {edge.external[0]}"
