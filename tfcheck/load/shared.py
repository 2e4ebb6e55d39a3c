"""Resolve a configuration expression once per module layout, not once per instance.

A module called with `for_each` (or `count`) has one `configuration` block for all its
instances. An expression that names only that module's own resources resolves alike in
every instance with the same resources and instance keys (the module's layout), but for
the module prefix of the addresses it yields: it is resolved in the first such instance,
and moved to the prefix of each other one.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any

from tfcheck.load.references import Place, Resolver, prepared
from tfcheck.model import Key, ModulePath, Ref, Unknown, module_prefix

Finish = Callable[[Any, str], Any]


class Shared:
    """The resolutions done so far, by (expression, layout, instance key if it matters, attribute)."""

    def __init__(
        self, resolver: Resolver, module_resources: Mapping[ModulePath, Mapping[str, list[Key]]]
    ) -> None:
        self.resolver = resolver
        self.module_resources = module_resources  # module instance -> {"aws_x.name": [keys]}
        self.layouts: dict[ModulePath, tuple[int, str]] = {}  # module instance -> (layout, prefix)
        self._layout_ids: dict[tuple[int, tuple[tuple[str, tuple[Key, ...]], ...]], int] = {}
        self._kinds: dict[int, tuple[bool, bool]] = {}  # id(expression) -> (keyed, local)
        self._done: dict[tuple[int, int, Key, str], tuple[str, Any]] = {}

    def value(self, expr: Mapping[str, Any], ctx: Place, attr: str, finish: Finish) -> Any:
        """`finish(resolver.expression(expr, ctx), attr)`, computed once per layout."""
        kind = self._kinds.get(id(expr))
        if kind is None:
            found = expr.get("references")
            refs = tuple(r for r in found if isinstance(r, str)) if type(found) is list else ()
            kind = (False, False) if "constant_value" in expr else _kind(refs)
            self._kinds[id(expr)] = kind  # the configuration outlives this object: ids stay unique
        if not kind[1]:
            return finish(self.resolver.expression(expr, ctx), attr)
        layout, prefix = self.layouts.get(ctx.module) or self._layout(ctx.module)
        key = (id(expr), layout, ctx.key if kind[0] else None, attr)
        found = self._done.get(key)
        if found is None:
            found = self._done[key] = (prefix, finish(self.resolver.expression(expr, ctx), attr))
        return relocated(found[1], found[0], prefix)

    def _layout(self, path: ModulePath) -> tuple[int, str]:
        config = self.resolver.config_at(path)
        resources = self.module_resources.get(path, {})
        shape = tuple(sorted((name, tuple(keys)) for name, keys in resources.items()))
        layout = self._layout_ids.setdefault((id(config), shape), len(self._layout_ids))
        self.layouts[path] = (layout, module_prefix(path))
        return self.layouts[path]


@functools.lru_cache(maxsize=16384)
def _kind(refs: tuple[str, ...]) -> tuple[bool, bool]:
    """Is the list instance-keyed, and does it name only its own module's resources (or what
    resolves to a fixed Unknown whatever the instance: locals, data sources, count, self)?
    Variables, module outputs and each.value depend on more than the layout."""
    keyed, parsed = prepared(refs)  # the longest references: the others are their prefixes
    local = bool(refs) and all(
        not steps
        or (steps[0] not in ("var", "module") and not (steps[0] == "each" and steps[1:2] == ["value"]))
        for steps in parsed
    )
    return keyed, local


def relocated(value: Any, old: str, new: str) -> Any:
    """A value resolved in the module instance at prefix `old`, as the one at `new` resolves it
    (lists are new objects: instances never share one)."""
    if isinstance(value, Ref):
        return Ref(new + value.address[len(old) :], value.attr, value.how) if old != new else value
    if isinstance(value, list):
        return [relocated(v, old, new) for v in value]
    if isinstance(value, Unknown) and value.refs and old != new:
        return Unknown(value.reason, tuple(relocated(r, old, new) for r in value.refs))
    return value
