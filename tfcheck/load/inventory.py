"""Load stage, second half: a plan or state document → Inventory of resource instances.

Known values are kept as they are. A value unknown in the plan is replaced by what its
`configuration` expression says: a constant, references resolved to instance Refs, or an
Unknown with the reason; an unknown attribute with no expression is left out, so the
provider default applies (domain spec section 1, "Plan values that are unknown but not
configured").
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from typing import Any

from tfcheck.aws import ATTRIBUTE_TARGETS, DOCUMENT_ATTRIBUTES
from tfcheck.load.data_sources import offline_data
from tfcheck.load.plan import PlanDoc, module_resources
from tfcheck.load.references import (
    Index,
    Place,
    PlanModule,
    Resolver,
    index_configuration,
    parse_reference,
)
from tfcheck.load.shared import Shared
from tfcheck.model import (
    Instance,
    Inventory,
    Key,
    ModulePath,
    Ref,
    Unknown,
    module_prefix,
    resource_type,
)

_MISSING = object()
_GONE = {("delete",), ("forget",)}
# The action lists Terraform writes: looked up, not filtered (a third of the time, 16,000 of them).
_ACTIONS = {
    actions: actions
    for actions in [
        ("no-op",),
        ("create",),
        ("read",),
        ("update",),
        ("delete",),
        ("forget",),
        ("delete", "create"),
        ("create", "delete"),
    ]
}
# The expression of a block the plan has but `configuration` lacks: it came from a
# `dynamic` block, which `terraform show -json` leaves out (hcl-notes.md).
_DYNAMIC: dict[str, Any] = {}
_NO_FIELDS: dict[str, Any] = {}
# Nested blocks the provider never computes (Optional, not Computed, in its schema): if one
# plans wholly unknown while `configuration` lacks it, a `dynamic` block wrote it. Blocks
# that are also computed (a security group's `ingress`) are left out on purpose.
_PLAIN_BLOCKS: dict[str, tuple[str, ...]] = {
    "aws_ecs_service": ("network_configuration", "capacity_provider_strategy"),
    "aws_batch_compute_environment": ("compute_resources",),
    "aws_lambda_function": ("vpc_config",),
    "aws_autoscaling_group": ("launch_template", "mixed_instances_policy"),
    "aws_launch_template": ("network_interfaces",),
}


def build_inventory(doc: PlanDoc) -> Inventory:
    data = doc.data
    config = index_configuration(_mapping(_mapping(data.get("configuration")).get("root_module")))
    raw = list(_plan_resources(data) if doc.kind == "plan" else _state_resources(data))
    instances: dict[str, list[Key]] = {}
    by_module: dict[ModulePath, dict[str, list[Key]]] = {}  # the same lists, per module instance
    modules: dict[str, list[Key]] = {}
    seen: set[tuple[str, Key]] = set()
    seen_calls: set[tuple[str, Key]] = set()
    for item in raw:
        path: ModulePath = item["module_path"]
        listed = path in by_module  # its module calls are listed: a module has many resources
        name = f"{item['type']}.{item['name']}"
        base = module_prefix(path) + name
        if (base, item["key"]) not in seen:  # a deposed object repeats its instance's address
            seen.add((base, item["key"]))
            keys = instances.get(base)
            if keys is None:
                keys = instances[base] = by_module.setdefault(path, {})[name] = []
            keys.append(item["key"])
        if listed:
            continue
        for depth in range(len(path)):
            call = module_prefix(path[:depth]) + f"module.{path[depth][0]}"
            if (call, path[depth][1]) not in seen_calls:  # a set: thousands of module instances
                seen_calls.add((call, path[depth][1]))
                modules.setdefault(call, []).append(path[depth][1])
    variables = {
        name: value.get("value")
        for name, value in _mapping(data.get("variables")).items()
        if isinstance(value, dict)
    }
    resolver = Resolver(config, instances, modules, variables, offline_data(data))
    shared = Shared(resolver, by_module)
    region = provider_region(data, variables)
    regions = provider_regions(data, variables)
    built = []
    addresses: set[str] = set()
    # Per module instance, looked up once: its configuration block and its address.
    places: dict[ModulePath, tuple[PlanModule | None, str]] = {}
    for item in raw:
        if item["gone"] or item["address"] in addresses:
            continue  # deleted, or a second object claiming an address (never in a real plan)
        addresses.add(item["address"])
        path = item["module_path"]
        place = places.get(path)
        if place is None:
            place = places[path] = (resolver.config_at(path), module_prefix(path).rstrip("."))
        module_config, module = place
        resource_config = (
            module_config.resources.get(f"{item['type']}.{item['name']}") if module_config else None
        )
        expressions = _mapping(resource_config.get("expressions")) if resource_config else {}
        if item["type"] in _PLAIN_BLOCKS:
            expressions = _with_dynamic_blocks(item, expressions)
        each = resource_config.get("for_each_expression") if resource_config else None
        ctx = Place(path, item["key"], each if isinstance(each, dict) else None)
        values = _merge(item["after"], item["unknown"], expressions, shared, ctx, "")
        region_value = values.get("region") if isinstance(values, dict) else None
        if not isinstance(region_value, str) and resource_config:
            region_value = regions.get(str(resource_config.get("provider_config_key")))
        built.append(  # positional: keywords make a NamedTuple twice as dear (16,000 of them)
            Instance(
                item["address"],
                item["type"],
                module,
                item["key"],
                values if isinstance(values, dict) else {},
                region_value if isinstance(region_value, str) else region,
                None,
                None,
                item["action"],
            )
        )
    return Inventory(tuple(built), region, doc.path, doc.kind)


def _plan_resources(data: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    changes = data.get("resource_changes")
    if isinstance(changes, list):
        for rc in changes:
            if not isinstance(rc, dict) or rc.get("mode", "managed") != "managed":
                continue
            change = _mapping(rc.get("change"))
            actions = _actions(change.get("actions"))
            gone = actions in _GONE
            after = change.get("before") if gone else change.get("after")
            item = _describe(rc, after, change.get("after_unknown"), gone)
            if item:
                item["action"] = "-".join(actions) or "no-op"
                yield item
        return
    yield from _module_values(_mapping(_mapping(data.get("planned_values")).get("root_module")))


def _actions(listed: Any) -> tuple[str, ...]:
    if type(listed) is not list:
        return ()
    try:
        known = _ACTIONS.get(tuple(listed))
    except TypeError:  # an object in the list (a hand-made plan)
        known = None
    return known if known is not None else tuple(a for a in listed if isinstance(a, str))


def _state_resources(data: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    yield from _module_values(_mapping(_mapping(data.get("values")).get("root_module")))


def _module_values(module: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    for resource in module_resources(module):
        if resource.get("mode", "managed") == "managed":
            item = _describe(resource, resource.get("values"), None, False)
            if item:
                item["action"] = "no-op"
                yield item


def _describe(raw: Mapping[str, Any], after: Any, unknown: Any, gone: bool) -> dict[str, Any] | None:
    address, rtype, name = raw.get("address"), raw.get("type"), raw.get("name")
    if not (isinstance(address, str) and isinstance(rtype, str) and isinstance(name, str)):
        return None
    key = raw.get("index")
    if not isinstance(key, (int, str)) or isinstance(key, bool):
        key = None
    module_address = raw.get("module_address")
    if not isinstance(module_address, str):
        # State form: resources carry no module_address; take it from the address.
        local = address.rfind(f"{rtype}.{name}")
        module_address = address[:local].rstrip(".") if local > 0 else ""
    path = _module_path(module_address) if module_address else ()
    if path is None or not address.startswith(module_address + "." if module_address else ""):
        return None
    return {
        "address": address,
        "type": rtype,
        "name": name,
        "key": key,
        "module_path": path,
        "after": after if isinstance(after, dict) else {},
        "unknown": unknown,
        "gone": gone,
    }


@functools.lru_cache(maxsize=4096)
def _module_path(module_address: str) -> ModulePath | None:
    """`module.a["x"].module.b` → (("a", "x"), ("b", None))."""
    steps = parse_reference(module_address)
    if not steps:
        return None
    path: list[tuple[str, Key]] = []
    i = 0
    while i + 1 < len(steps) and steps[i] == "module" and isinstance(steps[i + 1], str):
        call, key, width = str(steps[i + 1]), None, 2
        following = steps[i + 2] if i + 2 < len(steps) else None
        if isinstance(following, Index):
            key, width = following.key, 3
        path.append((call, key))
        i += width
    return tuple(path) if i == len(steps) else None


def _merge(value: Any, unknown: Any, expr: Any, shared: Shared, ctx: Place, attr: str) -> Any:
    """Known planned value, or what the configuration says where the plan does not know."""
    if unknown is True:
        return _from_config(expr, shared, ctx, attr)
    if not unknown:
        return value  # nothing unknown below here: keep the planned value as it is
    if type(value) is dict and type(unknown) is dict:
        # An attribute-as-block (inline `route`) keeps one expression for all its fields:
        # `fields` is None then, else the expressions by field (decided once, not per field).
        fields: Any = _NO_FIELDS if type(expr) is not dict else expr
        if expr is _DYNAMIC or "references" in fields or "constant_value" in fields:
            fields = None
        merged = dict(value)
        for key, sub_unknown in unknown.items():
            if not sub_unknown:
                continue
            sub_expr = expr if fields is None else fields.get(key)
            if sub_expr is None:
                if sub_unknown is True:
                    merged.pop(key, None)  # computed and not configured (id, arn, ...): the common case
                    continue
                if _is_block(value.get(key)):
                    sub_expr = _DYNAMIC  # planned, partly unknown, yet not in configuration
            if sub_unknown is True:
                result = _from_config(sub_expr, shared, ctx, key)  # (what _merge would call)
            else:
                result = _merge(value.get(key), sub_unknown, sub_expr, shared, ctx, key)
            if result is _MISSING:
                merged.pop(key, None)
            else:
                merged[key] = result
        return merged
    if type(value) is list and type(unknown) is list:
        out = []
        for i, item in enumerate(value):
            sub_expr = expr[i] if type(expr) is list and i < len(expr) else expr
            result = _merge(item, unknown[i] if i < len(unknown) else None, sub_expr, shared, ctx, attr)
            out.append(None if result is _MISSING else result)
        return out
    return value


def _with_dynamic_blocks(item: Mapping[str, Any], expressions: Mapping[str, Any]) -> Mapping[str, Any]:
    """For a type of _PLAIN_BLOCKS (the caller asks: most resources are of none)."""
    unknown = item["unknown"]
    if not isinstance(unknown, dict):
        return expressions
    dynamic = [
        name for name in _PLAIN_BLOCKS[item["type"]] if unknown.get(name) is True and name not in expressions
    ]
    return {**expressions, **{name: _DYNAMIC for name in dynamic}} if dynamic else expressions


def _is_block(value: Any) -> bool:
    """Nested blocks plan as lists of objects (a map attribute such as tags_all is a dict)."""
    return type(value) is list and bool(value) and all(type(v) is dict for v in value)


def _from_config(expr: Any, shared: Shared, ctx: Place, attr: str) -> Any:
    if expr is None:
        return _MISSING  # not configured: the provider default applies
    if expr is _DYNAMIC:
        return Unknown("dynamic block")
    if isinstance(expr, list):
        return [_from_config(e, shared, ctx, attr) for e in expr]
    if not isinstance(expr, dict):
        return Unknown("unknown until apply")
    if "constant_value" not in expr and "references" not in expr:
        nested = {k: _from_config(v, shared, ctx, k) for k, v in expr.items() if isinstance(k, str)}
        return {k: v for k, v in nested.items() if v is not _MISSING}
    return shared.value(expr, ctx, attr, _finish)


def _finish(value: Any, attr: str) -> Any:
    """A resolved configuration value as the inventory keeps it (once per module layout)."""
    if attr in DOCUMENT_ATTRIBUTES:
        return _document(value)
    return _filter_targets(value, attr)


def _document(value: Any) -> Any:
    """A document the plan does not know: unknown, built from what its references resolve to."""
    if isinstance(value, Unknown) or not isinstance(value, (Ref, list)):
        return value
    items = value if isinstance(value, list) else [value]
    refs = tuple(dict.fromkeys(r for r in items if isinstance(r, Ref)))
    return Unknown("unknown until apply", refs)


def _filter_targets(value: Any, attr: str) -> Any:
    """Keep only references to resource types the attribute can point at (nat_gateway_id → NAT)."""
    targets = ATTRIBUTE_TARGETS.get(attr)
    if targets is None:
        return value
    if isinstance(value, Ref):
        return value if _type_of(value) in targets else Unknown("reference of another kind")
    if isinstance(value, list) and value and all(isinstance(v, Ref) for v in value):
        kept = [v for v in value if _type_of(v) in targets]
        if not kept:
            return Unknown("reference of another kind")
        return kept[0] if len(kept) == 1 and attr.endswith("_id") else kept
    return value


def _type_of(ref: Ref) -> str:
    return resource_type(ref.address)


def provider_region(data: Mapping[str, Any], variables: Mapping[str, Any]) -> str | None:
    """The default aws provider's Region: a constant, or a root variable's value."""
    return provider_regions(data, variables).get("aws")


def provider_regions(data: Mapping[str, Any], variables: Mapping[str, Any]) -> dict[str, str]:
    """Region of every aws provider configuration, by its key (`aws`, `aws.west`, `module.m:aws`)."""
    regions: dict[str, str] = {}
    for key, provider in _mapping(_mapping(data.get("configuration")).get("provider_config")).items():
        if not isinstance(provider, dict) or provider.get("name", "aws") != "aws":
            continue
        expr = _mapping(_mapping(provider.get("expressions")).get("region"))
        value = expr.get("constant_value")
        for ref in _list(expr.get("references")):
            if not isinstance(value, str) and isinstance(ref, str) and ref.startswith("var."):
                value = variables.get(ref[4:])
        if isinstance(value, str):
            regions[key] = value
    return regions


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []
