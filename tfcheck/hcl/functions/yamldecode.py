"""yamldecode(): YAML to a value, bounded like every other value (hcl/budget.py)."""

from __future__ import annotations

from typing import Any

from tfcheck.hcl.budget import LIMITS, BudgetExceeded
from tfcheck.hcl.values import EvalError, finalize


def yamldecode(text: str) -> Any:
    """YAML to a value; aliases are followed only while the expanded size stays in bounds
    (an anchor bomb of a few hundred bytes would otherwise expand to gigabytes)."""
    import yaml

    try:
        loader = yaml.SafeLoader(text)
        try:
            node = loader.get_single_node()
            if node is None:
                return None
            _expanded_size(node, {})
            return finalize(loader.construct_document(node))
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise EvalError(f"not valid YAML{where}") from None  # the message quotes the text


def _expanded_size(node: Any, seen: dict[int, int]) -> int:
    """Nodes of the document with every alias expanded, counted in linear time."""
    known = seen.get(id(node))
    if known is not None:
        return known
    seen[id(node)] = 1  # a recursive alias counts once (the constructor refuses it anyway)
    size = 1
    value = node.value
    if isinstance(value, list):
        for item in value:
            if isinstance(item, tuple):
                size += _expanded_size(item[0], seen) + _expanded_size(item[1], seen)
            else:
                size += _expanded_size(item, seen)
            if size > LIMITS.value_nodes:
                raise BudgetExceeded(
                    f"a YAML document of more than {LIMITS.value_nodes:,} nodes once its aliases are expanded"
                )
    seen[id(node)] = size
    return size
