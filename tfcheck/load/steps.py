"""Load stage helper: the steps of a configuration reference (`module.net.ids[0]`), and how
index and attribute steps apply to a value already resolved (a Ref, a list of them, a map).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from tfcheck.aws import NESTED_COMPUTED
from tfcheck.model import Key, Ref, Unknown, resource_type


@dataclass(frozen=True, slots=True)
class Index:
    """A `[0]` or `["a"]` step of a reference, as opposed to an attribute name."""

    key: int | str


Step = str | Index

_TOKEN = re.compile(r'\.?([A-Za-z_][A-Za-z0-9_-]*)|\[(\d+)\]|\["((?:[^"\\]|\\.)*)"\]|\[\*\]')


def parse_reference(text: str) -> list[Step] | None:
    """Split `module.net.ids[0]` into ["module", "net", "ids", Index(0)]; None if malformed."""
    steps = _parse(text)
    return list(steps) if steps is not None else None


@functools.lru_cache(maxsize=65536)
def _parse(text: str) -> tuple[Step, ...] | None:
    steps: list[Step] = []
    pos = 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None:
            return None
        name, number, key = match.group(1), match.group(2), match.group(3)
        if name is not None:
            steps.append(name)
        elif number is not None:
            try:
                steps.append(Index(int(number)))
            except ValueError:  # more digits than int() converts (4300): no real index
                return None
        elif key is not None:
            steps.append(Index(key.replace('\\"', '"').replace("\\\\", "\\")))
        pos = match.end()
    return tuple(steps)


def make_ref(address: str, rest: Sequence[Step], how: str) -> Ref:
    attr = rest[0] if rest and isinstance(rest[0], str) else "id"
    nested = NESTED_COMPUTED.get((resource_type(address), str(attr)), ())
    if len(rest) > 2 and isinstance(rest[1], Index) and rest[2] in nested:
        attr = str(rest[2])  # `aws_eks_cluster.x.vpc_config[0].cluster_security_group_id`
    return Ref(address, attr, how)


def instance_key(address: str) -> Key:
    """The count index or for_each key at the end of an instance address, if any."""
    steps = parse_reference(address)
    if steps and isinstance(steps[-1], Index):
        return steps[-1].key
    return None


def apply_steps(value: Any, rest: Sequence[Step]) -> Any:
    """Index or attribute steps applied after a module output or variable."""
    for step in rest:
        if isinstance(value, Unknown):
            return value
        if isinstance(step, Index):
            value = _index(value, step.key)
        elif isinstance(value, dict):
            value = value.get(step, Unknown("no such key"))
        elif isinstance(value, Ref):
            value = Ref(value.address, step, value.how)
        elif isinstance(value, list) and all(isinstance(v, Ref) for v in value):
            # `module.m.out[*].x` style: keep the list, take the attribute of each.
            value = [Ref(v.address, step, v.how) for v in value]
        else:
            return Unknown("attribute not resolvable")
    return value


def _index(value: Any, key: int | str) -> Any:
    if isinstance(value, dict):
        return value.get(str(key), Unknown("no such key"))
    if isinstance(value, Ref) and instance_key(value.address) == key:
        # A map or list output over a resource with one instance resolved to that instance.
        return Ref(value.address, value.attr, "index")
    if not isinstance(value, list):
        return Unknown("index into an unknown value")
    if isinstance(key, int):
        if key >= len(value):
            return Unknown("index out of range")
        item = value[key]
        return Ref(item.address, item.attr, "index") if isinstance(item, Ref) else item
    # A map output built from a for_each resource: pick the instance with that key.
    for item in value:
        if isinstance(item, Ref) and instance_key(item.address) == key:
            return Ref(item.address, item.attr, "index")
    return Unknown("no such key")


def refs_in(value: Any) -> list[Ref]:
    if isinstance(value, Ref):
        return [value]
    if isinstance(value, Unknown):
        return list(value.refs)
    if isinstance(value, list):
        return [r for v in value for r in refs_in(v)]
    if isinstance(value, dict):
        return [r for v in value.values() for r in refs_in(v)]
    return []


def by_instance_key(value: Any, key: Key) -> Any:
    """The element a resource instance's own key picks from a list or map of ids.

    Only lists of ids and maps holding the key are indexed: `merge(var.tags, {N = each.key})`
    names each.key beside a map it does not index.
    """
    if key is None:
        return value
    if isinstance(value, dict):  # each.key into a map; a count index never picks a map key
        return value[key] if isinstance(key, str) and key in value else value
    if not isinstance(value, list) or not value or not all(isinstance(v, (Ref, str, Unknown)) for v in value):
        return value
    if isinstance(key, int):
        return _index(value, key) if key < len(value) else value
    picked = _index(value, key)
    return value if isinstance(picked, Unknown) else picked


def tag(value: Any, how: str) -> Any:
    if isinstance(value, Ref) and value.how == "reference":
        return Ref(value.address, value.attr, how)
    if isinstance(value, list):
        return [tag(v, how) for v in value]
    return value
