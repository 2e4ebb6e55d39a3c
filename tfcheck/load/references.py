"""Follow a plan's `configuration` references to resource instances (domain spec section 2).

For resources being created, ids are unknown; Terraform still records which objects each
expression refers to. This module walks those references through `count`/`for_each`
instance keys, module input variables and module outputs, down to instance addresses.
"""

from __future__ import annotations

import bisect
import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from tfcheck.load.data_sources import read_back
from tfcheck.load.steps import (
    Index,
    Step,
    apply_steps,
    by_instance_key,
    instance_key,
    make_ref,
    parse_reference,
    refs_in,
    tag,
)
from tfcheck.model import Key, ModulePath, Ref, Unknown, format_key, module_prefix, sort_keys

__all__ = [
    "Index",
    "PlanModule",
    "Place",
    "Resolver",
    "index_configuration",
    "instance_key",
    "parse_reference",
]

# A resource the configuration declares with zero instances (count = 0): a reference to
# it contributes nothing, as in `try(aws_x.this[0].id, aws_x.other[0].id, "")`.
NO_INSTANCES = "resource has no instances"
_MAX_HOPS = 40
WHOLE_MODULE = "module as a whole (splat or for expression over its instances)"


@dataclass(slots=True)
class PlanModule:
    """One module's `configuration` block, shared by all instances of the module."""

    resources: dict[str, Mapping[str, Any]] = field(default_factory=dict)
    data: dict[str, Mapping[str, Any]] = field(default_factory=dict)
    outputs: dict[str, Mapping[str, Any]] = field(default_factory=dict)
    calls: dict[str, Mapping[str, Any]] = field(default_factory=dict)
    variables: dict[str, Mapping[str, Any]] = field(default_factory=dict)
    children: dict[str, PlanModule] = field(default_factory=dict)


def index_configuration(module: Mapping[str, Any] | None) -> PlanModule:
    config = PlanModule()
    if not isinstance(module, dict):
        return config
    for resource in _dicts(module.get("resources")):
        if resource.get("mode", "managed") == "managed" and isinstance(resource.get("address"), str):
            config.resources[resource["address"]] = resource
        elif resource.get("mode") == "data" and isinstance(resource.get("address"), str):
            config.data[resource["address"]] = resource
    for name, output in _items(module.get("outputs")):
        config.outputs[name] = output
    for name, variable in _items(module.get("variables")):
        config.variables[name] = variable
    for name, call in _items(module.get("module_calls")):
        config.calls[name] = call
        config.children[name] = index_configuration(call.get("module"))
    return config


def _dicts(value: Any) -> list[Mapping[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _items(value: Any) -> list[tuple[str, Mapping[str, Any]]]:
    if not isinstance(value, dict):
        return []
    return [(k, v) for k, v in value.items() if isinstance(k, str) and isinstance(v, dict)]


class Place(NamedTuple):
    """Where an expression is evaluated: module instance, and the resource instance key.

    A NamedTuple, as `Instance` is: a plan makes one per resource (16,000 took 15 ms as a
    frozen dataclass, 6 ms as a tuple)."""

    module: ModulePath
    key: Key = None
    for_each: Mapping[str, Any] | None = None  # the resource's (or module call's) for_each_expression
    each_module: ModulePath | None = None  # module path where `for_each` itself is evaluated


class Resolver:
    """Resolves reference lists to Refs, constants or an Unknown, with how each was found."""

    def __init__(
        self,
        root: PlanModule,
        instances: Mapping[str, list[Key]],
        module_instances: Mapping[str, list[Key]],
        root_variables: Mapping[str, Any],
        data_values: Mapping[str, Any] | None = None,
    ) -> None:
        self.root = root
        self.instances = instances  # "module.a[\"x\"].aws_subnet.p" -> [keys]
        self.module_instances = module_instances  # "module.a" (instance prefix + call) -> keys
        self.root_variables = root_variables
        self.data_values = data_values or {}  # data source address → values (load/data_sources.py)
        # (expression, context) -> (expression, value): each module input, output or for_each
        # is resolved once, so references that branch and meet again (or loop) stay linear.
        # Keeping the expression alive keeps its id() from being reused.
        self.memo: dict[tuple[int, ModulePath, Key, int, ModulePath | None], tuple[object, Any]] = {}

    def config_at(self, path: ModulePath) -> PlanModule | None:
        config: PlanModule | None = self.root
        for name, _key in path:
            config = config.children.get(name) if config else None
        return config

    def expression(self, expr: Mapping[str, Any] | None, ctx: Place, hops: int = 0) -> Any:
        """Value of one configuration expression: a constant, a Ref, a list of Refs, or Unknown."""
        if not isinstance(expr, dict):
            return Unknown("not configured")
        if "constant_value" in expr:
            return expr["constant_value"]
        found = expr.get("references")
        refs = [r for r in found if isinstance(r, str)] if isinstance(found, list) else []
        if not refs:
            return Unknown("unknown until apply")
        if hops == 0:
            return self.references(refs, ctx, hops)  # a resource's own attribute: asked for once
        key = (id(expr), ctx.module, ctx.key, id(ctx.for_each), ctx.each_module)
        cached = self.memo.get(key)
        if cached is not None:
            return list(cached[1]) if isinstance(cached[1], list) else cached[1]
        self.memo[key] = (expr, Unknown("reference cycle"))  # what a loop back to here sees
        value = self.references(refs, ctx, hops)
        self.memo[key] = (expr, value)
        return value

    def references(self, refs: Sequence[str], ctx: Place, hops: int = 0) -> Any:
        if hops > _MAX_HOPS:
            return Unknown("reference cycle")
        keyed, parsed = _prepare(tuple(refs))
        results: list[Any] = []
        reasons: list[str] = []
        empty: list[str] = []
        candidates: list[Ref] = []  # what a whole-module reference may mean
        for steps in parsed:
            if not steps:
                reasons.append("unreadable reference")
                continue
            value = self._steps(steps, ctx, keyed, hops + 1)
            if isinstance(value, Unknown):
                if value.reason == NO_INSTANCES:
                    empty.append(value.reason)
                elif value.reason != "ignored":
                    reasons.append(value.reason)
                if value.reason == WHOLE_MODULE:
                    candidates.extend(value.refs)
            elif isinstance(value, list):
                results.extend(value)
            else:
                results.append(value)
        if empty and not results:
            reasons.extend(empty)  # only resources without instances: nothing to point at
        if reasons and not results:
            return Unknown(reasons[0], tuple(candidates))
        if reasons:
            # Some parts resolved, others did not: the value is incomplete, never a guess.
            return Unknown(reasons[0], tuple([r for r in results if isinstance(r, Ref)] + candidates))
        if len(results) == 1:
            return results[0]
        return results

    def _steps(self, steps: list[Step], ctx: Place, keyed: bool, hops: int) -> Any:
        head = steps[0]
        second = steps[1] if len(steps) > 1 else None
        if head == "each":
            return self._each(steps, ctx, hops)
        if head in ("count", "path", "terraform", "self"):
            return Unknown("ignored")
        if head == "local":
            return Unknown("local")
        if head == "data":
            return self._data(steps, ctx)
        if head == "var" and isinstance(second, str):
            value = apply_steps(self._variable(second, ctx, hops), steps[2:])
            # `var.ids[count.index]`, `element(var.ids, count.index)`, `var.map[each.key]`:
            # the plan keeps only "count.index" / "each.key" beside the variable.
            return by_instance_key(value, ctx.key) if keyed and len(steps) == 2 else value
        if head == "module" and isinstance(second, str):
            if len(steps) == 2 or (len(steps) == 3 and isinstance(steps[2], Index)):
                return self._whole_module(steps, ctx, keyed, hops)
            return self._module_output(steps, ctx, keyed, hops)
        if isinstance(head, str) and isinstance(second, str):
            return self._resource(steps, ctx, keyed)
        return Unknown("unreadable reference")

    def _data(self, steps: list[Step], ctx: Place) -> Any:
        rest = steps[3:]
        base = module_prefix(ctx.module) + ".".join(str(s) for s in steps[:3])
        if rest and isinstance(rest[0], Index):
            base, rest = base + format_key(rest[0].key), rest[1:]
        values = self.data_values.get(base) if len(steps) > 2 else None
        if values is not None:
            return apply_steps(values, rest)
        read = self._data_read(steps, ctx)
        return Unknown("data source") if read is None else make_ref(read, rest, "data source")

    def _data_read(self, steps: list[Step], ctx: Place) -> str | None:
        module = self.config_at(ctx.module)
        config = module.data.get(f"data.{steps[1]}.{steps[2]}") if module else None
        return read_back(str(steps[1]), config, lambda expr: self.expression(expr, ctx, 1))

    def _resource(self, steps: list[Step], ctx: Place, keyed: bool) -> Any:
        base = module_prefix(ctx.module) + f"{steps[0]}.{steps[1]}"
        keys = self.instances.get(base)
        if keys is None:
            module = self.config_at(ctx.module)
            declared = module is not None and f"{steps[0]}.{steps[1]}" in module.resources
            return Unknown(NO_INSTANCES if declared else "resource not in plan")
        rest = steps[2:]
        if rest and isinstance(rest[0], Index):
            if rest[0].key not in keys:
                return Unknown("no such instance")
            return make_ref(base + format_key(rest[0].key), rest[1:], "reference")
        if keyed and ctx.key is not None and ctx.key in keys and len(keys) > 1:
            return make_ref(base + format_key(ctx.key), rest, "index")
        if keys == [None]:
            return make_ref(base, rest, "reference")
        return [make_ref(base + format_key(k), rest, "reference") for k in sort_keys(keys)]

    def _each(self, steps: list[Step], ctx: Place, hops: int) -> Any:
        if len(steps) < 2 or steps[1] != "value" or ctx.for_each is None:
            return Unknown("ignored")
        source = self.expression(ctx.for_each, Place(ctx.each_module or ctx.module), hops + 1)
        if isinstance(source, Unknown):
            return source
        if isinstance(source, dict):
            return apply_steps(source.get(str(ctx.key), Unknown("no such key")), steps[2:])
        items = source if isinstance(source, list) else [source]
        for item in items:
            if isinstance(item, Ref) and str(instance_key(item.address)) == str(ctx.key):
                return make_ref(item.address, steps[2:], "index")
        return Unknown("each.value not resolvable")

    def _variable(self, name: str, ctx: Place, hops: int) -> Any:
        if not ctx.module:
            if name in self.root_variables:
                return self.root_variables[name]
            return Unknown("variable not set")
        parent = ctx.module[:-1]
        call_name, call_key = ctx.module[-1]
        parent_config = self.config_at(parent)
        call = parent_config.calls.get(call_name) if parent_config else None
        if parent_config is None or call is None:
            return Unknown("module not in configuration")
        expressions = call.get("expressions")
        expr = expressions.get(name) if isinstance(expressions, dict) else None
        if expr is None:
            child = parent_config.children.get(call_name)
            variable = child.variables.get(name) if child else None
            if variable is not None and "default" in variable:
                return variable["default"]
            return Unknown("variable not set")
        each = call.get("for_each_expression")
        parent_ctx = Place(parent, call_key, each if isinstance(each, dict) else None, parent)
        return tag(self.expression(expr, parent_ctx, hops + 1), "module input")

    def _whole_module(self, steps: list[Step], ctx: Place, keyed: bool, hops: int) -> Any:
        """`module.m[*].out` or `[for m in module.m : m.out]`: the plan names only `module.m`,
        not which output. Unknown, built from every output of the instances it can mean."""
        call_name = str(steps[1])
        config = self.config_at(ctx.module)
        child_config = config.children.get(call_name) if config else None
        if child_config is None:
            return Unknown("module not in configuration")
        keys = self.module_instances.get(module_prefix(ctx.module) + f"module.{call_name}", [None])
        if len(steps) == 3 and isinstance(steps[2], Index):
            keys = [k for k in keys if k == steps[2].key]
        elif keyed and ctx.key in keys:
            keys = [ctx.key]  # `module.m[count.index].out`: the plan keeps only "count.index"
        refs: list[Ref] = []
        for key in sort_keys(keys):
            child_ctx = Place(ctx.module + ((call_name, key),))
            for output in child_config.outputs.values():
                refs.extend(refs_in(self.expression(output.get("expression"), child_ctx, hops + 1)))
        return Unknown(WHOLE_MODULE, tuple(dict.fromkeys(tag(r, "module output") for r in refs)))

    def _module_output(self, steps: list[Step], ctx: Place, keyed: bool, hops: int) -> Any:
        call_name = str(steps[1])
        rest = steps[2:]
        config = self.config_at(ctx.module)
        child_config = config.children.get(call_name) if config else None
        if child_config is None:
            return Unknown("module not in configuration")
        call_base = module_prefix(ctx.module) + f"module.{call_name}"
        keys = self.module_instances.get(call_base, [None])
        if rest and isinstance(rest[0], Index):
            keys = [rest[0].key] if rest[0].key in keys else []
            rest = rest[1:]
        if not rest or not isinstance(rest[0], str) or not keys:
            return Unknown("module output not resolvable")
        output = child_config.outputs.get(rest[0])
        if output is None:
            return Unknown("no such module output")
        values = []
        for key in sort_keys(keys):
            child_ctx = Place(ctx.module + ((call_name, key),))
            values.append(self.expression(output.get("expression"), child_ctx, hops + 1))
        value = values[0] if len(values) == 1 else values
        rest = rest[1:]
        if keyed and not rest:
            # `module.m.ids[count.index]`: the plan keeps only "count.index" beside the output.
            value = by_instance_key(value, ctx.key)
        return tag(apply_steps(value, rest), "module output")


@functools.lru_cache(maxsize=16384)
def _prepare(refs: tuple[str, ...]) -> tuple[bool, tuple[list[Step], ...]]:
    """Once per distinct reference list: is it instance-keyed, and its parsed references."""
    keyed = any(r in ("count.index", "each.key") or r.startswith("each.value") for r in refs)
    return keyed, tuple(parse_reference(ref) or [] for ref in _maximal(refs))


def prepared(refs: tuple[str, ...]) -> tuple[bool, tuple[list[Step], ...]]:
    """Is the reference list instance-keyed (count.index, each.*), and its longest references
    parsed (once per distinct list)."""
    return _prepare(refs)


def _maximal(refs: Sequence[str]) -> list[str]:
    """Drop references that are prefixes of longer ones (`aws_x.a` beside `aws_x.a[0].id`)."""
    return list(_maximal_cached(tuple(refs)))


@functools.lru_cache(maxsize=16384)
def _maximal_cached(refs: tuple[str, ...]) -> tuple[str, ...]:
    unique = list(dict.fromkeys(refs))
    ordered = sorted(unique)  # bisect, not all pairs: a hostile plan may list 10^5 references
    return tuple(
        r
        for r in unique
        if not _has_prefixed(ordered, r + ".") and not _has_prefixed(ordered, r + "[") and r != "count.index"
    )


def _has_prefixed(ordered: list[str], prefix: str) -> bool:
    """Does any string in the sorted list start with `prefix`? (the first one >= it would)"""
    i = bisect.bisect_left(ordered, prefix)
    return i < len(ordered) and ordered[i].startswith(prefix)
