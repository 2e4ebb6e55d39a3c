"""Block-level evaluation: `count`/`for_each` expansion, instance keys, nested and dynamic blocks.

Nested blocks become lists of dicts (as in a plan's values); an argument that evaluates
to null is left out, so the provider's default applies.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tfcheck.hcl.expr import Scope
from tfcheck.hcl.parse import Attribute, Block, static_string
from tfcheck.hcl.values import EvalError, finalize, is_known, materialize, to_number, unknown_of
from tfcheck.model import Key, Ref, Unknown

Evaluate = Callable[[Attribute, Scope], Any]

META_ARGUMENTS = frozenset({"count", "for_each", "provider", "depends_on", "lifecycle"})
MODULE_META = frozenset({"source", "version", "count", "for_each", "providers", "depends_on"})
_SKIPPED_BLOCKS = frozenset({"lifecycle", "provisioner", "connection"})
MAX_INSTANCES = 100_000


def expand(block: Block, scope: Scope, evaluate: Evaluate) -> list[tuple[Key, dict[str, Any]]] | Unknown:
    """Instance keys and the names (`count`, `each`) each instance's expressions see."""
    if "count" in block.attributes:
        value = _data(block.attributes["count"], scope, evaluate)
        if not is_known(value):
            return unknown_of(value, reason=f"count is not known ({_reason(value)})")
        try:
            count = to_number(value)
        except EvalError as exc:
            return Unknown(f"count is not a number: {exc}")
        if not isinstance(count, int) or count < 0:
            return Unknown(f"count must be a whole number >= 0, not {count}")
        if count > MAX_INSTANCES:
            return Unknown(f"count {count} is more than tfcheck expands ({MAX_INSTANCES})")
        return [(i, {"count": {"index": i}}) for i in range(count)]
    if "for_each" in block.attributes:
        value = _data(block.attributes["for_each"], scope, evaluate)
        if isinstance(value, (Unknown, Ref)):
            return unknown_of(value, reason=f"for_each is not known ({_reason(value)})")
        if isinstance(value, dict):
            return [(k, {"each": {"key": k, "value": value[k]}}) for k in sorted(value)]
        if isinstance(value, list):
            if not all(isinstance(v, str) for v in value):
                if not is_known(value):
                    return unknown_of(value, reason="for_each set has elements not known before apply")
                return Unknown("for_each must be a map or a set of strings")
            return [(k, {"each": {"key": k, "value": k}}) for k in sorted(set(value))]
        return Unknown(f"for_each must be a map or a set of strings, not {value!r:.40}")
    return [(None, {})]


def _data(attr: Attribute, scope: Scope, evaluate: Evaluate) -> Any:
    """A meta-argument's value as plain data. `evaluate` turns what Terraform would reject into
    an Unknown, but a bare name (`count = local`, left by a cut line) only fails here."""
    try:
        return materialize(evaluate(attr, scope))
    except EvalError as exc:
        return Unknown(f"cannot evaluate: {exc}")


def _reason(value: Any) -> str:
    if isinstance(value, Unknown):
        return value.reason
    if isinstance(value, Ref):
        return f"depends on {value.address}.{value.attr}"
    return "known after apply"


def key_order(key: Key) -> tuple[int, int, str]:
    if key is None:
        return (0, 0, "")
    if isinstance(key, int):
        return (1, key, "")
    return (2, 0, key)


def body_values(
    block: Block, scope: Scope, evaluate: Evaluate, skip: frozenset[str] = frozenset()
) -> dict[str, Any]:
    """A block's arguments and nested blocks as plan-like values; nulls are left out."""
    out: dict[str, Any] = {}
    for name, attr in block.attributes.items():
        if name in skip:
            continue
        value = _argument(attr, scope, evaluate)
        if value is not None:
            out[name] = value
    out.update(nested_values(block.blocks, scope, evaluate))
    return out


def body_names(block: Block, skip: frozenset[str] = frozenset()) -> tuple[str, ...]:
    """The names `body_values` may give, in its order, without evaluating anything."""
    names = dict.fromkeys(name for name in block.attributes if name not in skip)
    for nested in block.blocks:
        if nested.type not in _SKIPPED_BLOCKS:
            names.setdefault(_block_name(nested))
    return tuple(names)


def body_value(block: Block, name: str, scope: Scope, evaluate: Evaluate) -> Any:
    """`body_values(block, ...)[name]` alone, evaluating only what it needs (None: left out).
    A plan read with its source asks for the few names the plan does not know."""
    nested = tuple(b for b in block.blocks if b.type not in _SKIPPED_BLOCKS and _block_name(b) == name)
    if nested:
        return nested_values(nested, scope, evaluate).get(name)
    attr = block.attributes.get(name)
    return None if attr is None else _argument(attr, scope, evaluate)


def _argument(attr: Attribute, scope: Scope, evaluate: Evaluate) -> Any:
    try:
        return finalize(evaluate(attr, scope))
    except EvalError as exc:  # a lazy value that turns out not to be one (`x = aws_s.n`)
        return Unknown(f"cannot evaluate: {exc}")


def _block_name(block: Block) -> str:
    """The name a nested block's values go under: its type, or a `dynamic` block's label."""
    return block.labels[0] if block.type == "dynamic" and block.labels else block.type


def nested_values(blocks: tuple[Block, ...], scope: Scope, evaluate: Evaluate) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for block in blocks:
        if block.type in _SKIPPED_BLOCKS:
            continue
        name = _block_name(block)
        if block.type == "dynamic" and block.labels:
            items: Any = _dynamic(block, scope, evaluate)
        else:
            items = [body_values(block, scope, evaluate)]
        before = out.get(name, [])
        if isinstance(before, Unknown) or isinstance(items, Unknown):
            out[name] = before if isinstance(before, Unknown) else items
        else:
            out[name] = before + items
    return out


def _dynamic(block: Block, scope: Scope, evaluate: Evaluate) -> list[Any] | Unknown:
    """Expand `dynamic "x" { for_each, iterator, content {} }` into x blocks."""
    content = next((b for b in block.blocks if b.type == "content"), None)
    source_attr = block.attributes.get("for_each")
    if content is None or source_attr is None:
        return Unknown(f'dynamic "{block.labels[0]}" block lacks for_each or content')
    iterator = block.labels[0]
    if "iterator" in block.attributes:
        iterator = static_string(block.attributes["iterator"].expr) or iterator
    source = _data(source_attr, scope, evaluate)
    if isinstance(source, (Unknown, Ref)):
        return unknown_of(
            source, reason=f'dynamic "{block.labels[0]}" for_each is not known ({_reason(source)})'
        )
    if isinstance(source, dict):
        pairs: list[tuple[Any, Any]] = [(k, source[k]) for k in sorted(source)]
    elif isinstance(source, list):
        pairs = list(enumerate(source))
    elif source is None:
        return []
    else:
        return Unknown(f'dynamic "{block.labels[0]}" for_each must be a collection')
    items = []
    for key, value in pairs:
        inner = scope.child({iterator: {"key": key, "value": value}})
        items.append(body_values(content, inner, evaluate))
    return items
