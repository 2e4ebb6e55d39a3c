"""Provider blocks as HCL evaluation needs them: each provider's Region and default tags,
and what a module call passes down (`providers = { aws = aws.west }`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from tfcheck.hcl.parse import Attribute, Block, static_string, traversal_text


def _key(block: Block) -> str:
    name = block.labels[0] if block.labels else ""
    alias = block.attributes.get("alias")
    return f"{name}.{static_string(alias.expr)}" if alias else name


def provider_regions(
    blocks: list[Block], evaluate: Callable[[Attribute], Any], env_region: str | None
) -> dict[str, Any]:
    """Each provider key's `region` (the environment's when the block sets none)."""
    out: dict[str, Any] = {}
    for block in blocks:
        region = block.attributes.get("region")
        value = evaluate(region) if region else env_region
        out[_key(block)] = value if isinstance(value, str) else None
    return out


def provider_tags(blocks: list[Block], evaluate: Callable[[Attribute], Any]) -> dict[str, Any]:
    """`default_tags { tags = ... }` of each provider block, by provider key."""
    out: dict[str, Any] = {}
    for block in blocks:
        nested = [b for b in block.blocks if b.type == "default_tags"]
        tags = nested[0].attributes.get("tags") if nested else None
        out[_key(block)] = evaluate(tags) if tags is not None else {}
    return out


def passed(by_key: Mapping[str, Any], call: Block) -> dict[str, Any]:
    """What a module call hands its module: the default providers' values, and those its
    `providers` map names under the child's keys."""
    out = {k: v for k, v in by_key.items() if "." not in k}
    attr = call.attributes.get("providers")
    if attr is not None:
        for child_key, parent_key in provider_map(attr.expr):
            out[child_key] = by_key.get(parent_key)
    return out


def provider_map(expr: Any) -> list[tuple[str, str]]:
    """`providers = { aws = aws.west }` read as written (it is not an expression)."""
    node = expr.children[0] if expr.data == "expr_term" else expr
    if getattr(node, "data", None) != "object":
        return []
    pairs = []
    for elem in node.children:
        if getattr(elem, "data", None) == "object_elem":
            key = traversal_text(elem.children[0].children[0])
            value = traversal_text(elem.children[2])
            if key and value:
                pairs.append((key, value))
    return pairs
