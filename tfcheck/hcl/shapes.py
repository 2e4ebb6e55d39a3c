"""What an expression is, read from its syntax alone: nothing is evaluated.

A plan read with its source asks the source only for what the plan leaves unknown
(load/combine.py `PlanWants`). Most of that is `vpc_id = aws_vpc.this.id`: an id
known only after apply, which the plan already read from its configuration's references
as exactly the Ref the source would give. `names_instance_ids` says an expression is
such a reference, so the source need not evaluate it.
"""

from __future__ import annotations

from typing import Any

from tfcheck.hcl.nodes import is_tree, trees
from tfcheck.hcl.parse import static_string

# Attributes never set in configuration: the source can only say "this resource's id".
_IDS = frozenset({"id", "arn"})
# Roots that are not a managed resource of this module.
_NOT_RESOURCES = frozenset({"var", "local", "module", "data", "each", "count", "self", "path", "terraform"})
_SPLATS = ("attr_splat_expr_term", "full_splat_expr_term")


def names_instance_ids(expr: Any) -> bool:
    """`aws_x.y.id`, `aws_x.y[0].arn`, `aws_x.y[count.index].id`, `aws_x.y[each.key].id`,
    `aws_x.y[*].id`, or a list of them: references the plan resolves exactly as the source
    would (a literal, count.index or each.key index; no function, no condition)."""
    node = _unwrap(expr)
    if is_tree(node) and node.data == "tuple":
        items = trees(node)
        return bool(items) and all(names_instance_ids(item) for item in items)
    steps = _steps(node)
    if steps is None or len(steps) < 3 or steps[-1] not in _IDS:
        return False
    root, name, *middle = steps[:-1]
    return (
        isinstance(root, str)
        and root not in _NOT_RESOURCES
        and "_" in root
        and isinstance(name, str)
        and all(step in ("[i]", "[*]") for step in middle)
        and len(middle) <= 1
    )


def _unwrap(node: Any) -> Any:
    while is_tree(node) and node.data == "expr_term" and len(node.children) == 1:
        node = node.children[0]
    return node


def _steps(node: Any) -> list[str] | None:
    """A traversal as names, "[i]" for an index of the allowed kinds and "[*]" for a splat;
    None for anything else."""
    node = _unwrap(node)
    if not is_tree(node):
        return None
    if node.data == "identifier":
        return [str(node.children[0])]
    parts = trees(node)
    if node.data == "get_attr_expr_term" and len(parts) == 2:
        base, name = _steps(parts[0]), _attr(parts[1])
        return None if base is None or name is None else [*base, name]
    if node.data == "index_expr_term" and len(parts) == 2:
        base = _steps(parts[0])
        return None if base is None or not _plain_index(parts[1]) else base + ["[i]"]
    if node.data in _SPLATS and len(parts) == 2:
        base, tail = _steps(parts[0]), trees(parts[1])
        names = [_attr(t) for t in tail]
        if base is None or len(names) != 1 or not names[0]:
            return None
        return base + ["[*]", names[0]]
    return None


def _attr(node: Any) -> str | None:
    """The name of a `.name` step."""
    if is_tree(node) and node.data == "get_attr":
        inner = trees(node)
        if len(inner) == 1 and inner[0].data == "identifier":
            return str(inner[0].children[0])
    return None


def _plain_index(node: Any) -> bool:
    """`[0]`, `["k"]`, `[count.index]` or `[each.key]`: indexes the plan's reader resolves."""
    if not (is_tree(node) and node.data == "braces_index"):
        return is_tree(node) and node.data == "short_index"
    inner = trees(node)
    if len(inner) != 1:
        return False
    key = _unwrap(inner[0])
    if is_tree(key) and key.data == "int_lit":
        return True
    if is_tree(key) and key.data == "string":
        return static_string(key) is not None
    return _steps(key) in (["count", "index"], ["each", "key"])
