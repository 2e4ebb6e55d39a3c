"""Policy × graph → one Finding per rule × item: pass, fail or inconclusive (unknown never fails)."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from jmespath.exceptions import JMESPathError

from tfcheck.errors import PolicyError
from tfcheck.findings import Finding, Outcome, Severity
from tfcheck.graph.model import COLLECTIONS, Graph
from tfcheck.policy.budget import Exceeded, metered
from tfcheck.policy.dialect import ANY_FIELD, WHOLE_ITEM, Clause, Query, fetching, over
from tfcheck.policy.load import Placeholder, Policy, Template

_TOP_FIELD = re.compile(r"[.\[]")


def evaluate(
    policies: Sequence[Policy], graph: Mapping[str, Any], *, plan: str | None = None
) -> list[Finding]:
    """Every selected rule over every item of its collection; items outside `where` give nothing."""
    size = sum(len(graph.get(name) or ()) for name in COLLECTIONS)
    with over(graph if isinstance(graph, Graph) else Graph(graph)), metered(size):
        return _evaluate(policies, graph, plan)


def _evaluate(policies: Sequence[Policy], graph: Mapping[str, Any], plan: str | None) -> list[Finding]:
    results: list[Finding] = []
    unknowns: dict[str, list[dict[str, list[str]]]] = {}  # collection → each item's unknown map
    for policy in policies:
        try:
            _evaluate_one(policy, graph, plan, unknowns, results)
        except Exceeded as e:
            raise PolicyError(
                policy.file,
                f"rule {policy.id}: its expressions visit or build more than {e.limit:,} values "
                f"over this graph of {len(graph.get(policy.resource) or ())} {policy.resource} "
                "(the policy budget, over a hundred times what the built-in rules use); simplify "
                "the expression",
            ) from None
    return results


def _evaluate_one(
    policy: Policy,
    graph: Mapping[str, Any],
    plan: str | None,
    unknowns: dict[str, list[dict[str, list[str]]]],
    results: list[Finding],
) -> None:
    """One rule over its collection, its findings appended to `results`."""
    items = graph.get(policy.resource) or ()
    per_item = unknowns.get(policy.resource)
    if per_item is None:
        per_item = unknowns[policy.resource] = [unknown_fields(item) for item in items]
    where, holds = policy.where, policy.assert_.holds
    cross = policy.assert_.cross or (where is not None and where.cross)
    for item, unknown in zip(items, per_item):
        if cross:
            finding = _check_across(policy, item, unknown, plan)
        elif unknown:
            finding = _check(policy, item, unknown, plan)
        else:  # the common case: the expressions alone decide (what _check does, inlined)
            try:
                if where is not None and not where.holds(item):
                    continue
                passed = holds(item)
            except JMESPathError:
                finding = _check(policy, item, unknown, plan)  # raises the PolicyError
            else:
                finding = _passed(policy, item, plan) if passed else _result(policy, item, Outcome.FAIL, plan)
        if finding is not None:
            results.append(finding)


def check(policy: Policy, item: Mapping[str, Any], *, plan: str | None = None) -> Finding | None:
    with metered(1):
        return _check(policy, item, unknown_fields(item), plan)


def _check_across(
    policy: Policy, item: Mapping[str, Any], unknown: Mapping[str, list[str]], plan: str | None
) -> Finding | None:
    """A rule that reads other items (item(), items(), in_vpc()): a failure, or a `where` that
    a cross-item read excluded, is inconclusive when an item it read has one of the fields the
    rule names unknown."""
    with fetching() as fetched:
        finding = _check(policy, item, unknown, plan)
    if finding is not None and finding.outcome is not Outcome.FAIL:
        return finding
    if finding is None and (policy.where is None or not policy.where.cross):
        return None
    names = policy.assert_.names | (policy.where.names if policy.where is not None else frozenset())
    reasons = tuple(
        dict.fromkeys(
            f"{other.get('address', '?')}: {reason}"
            if key == ANY_FIELD
            else f"{other.get('address', '?')}: {key}: {reason}"
            for other in fetched
            for key, reason in sorted((other.get("unknown") or {}).items())
            if key == ANY_FIELD or _TOP_FIELD.split(str(key), maxsplit=1)[0] in names
        )
    )
    if not reasons:
        return finding
    return _result(policy, item, Outcome.INCONCLUSIVE, plan, reasons=reasons)


def _check(
    policy: Policy, item: Mapping[str, Any], unknown: Mapping[str, list[str]], plan: str | None
) -> Finding | None:
    if policy.where is not None:
        verdict, reasons = decide(policy, policy.where, item, unknown)
        if verdict is False:
            return None
        if verdict is None:
            return _result(policy, item, Outcome.INCONCLUSIVE, plan, reasons=reasons)
    verdict, reasons = decide(policy, policy.assert_, item, unknown)
    if verdict is True:
        return _passed(policy, item, plan)
    if verdict is None:
        return _result(policy, item, Outcome.INCONCLUSIVE, plan, reasons=reasons)
    return _result(policy, item, Outcome.FAIL, plan)


def unknown_fields(item: Mapping[str, Any]) -> dict[str, list[str]]:
    """Top-level field → reasons, from the item's `unknown` map (`paths.s3` counts as `paths`)."""
    out: dict[str, list[str]] = {}
    marked = item.get("unknown")
    if not marked:
        return out
    for key, reason in sorted(marked.items()):
        top = _TOP_FIELD.split(str(key), maxsplit=1)[0]
        out.setdefault(top, []).append(f"{key}: {reason}")
    return out


def decide(
    policy: Policy, expr: Query, item: Mapping[str, Any], unknown: Mapping[str, list[str]]
) -> tuple[bool | None, tuple[str, ...]]:
    """True/False when the item settles the expression; None (with reasons) when unknowns could."""
    try:
        if expr.holds(item):
            return True, ()
    except JMESPathError as e:
        touched = _touched(expr.fields, unknown) if unknown else []
        if touched:
            return None, _reasons(touched, unknown)
        address = item.get("address", "?")
        raise PolicyError(
            policy.file, f"rule {policy.id}: {expr.source.strip()!r} failed on {address}: {e}"
        ) from None
    if not unknown:
        return False, ()
    touched = _touched(expr.fields, unknown)
    if not touched or _definite(expr.clause, item, unknown) is False:
        return False, ()
    return None, _reasons(touched, unknown)


def _touched(fields: frozenset[str], unknown: Mapping[str, list[str]]) -> list[str]:
    if WHOLE_ITEM in fields:
        return sorted(unknown)
    return sorted(f for f in fields if f in unknown)


def _reasons(fields: Sequence[str], unknown: Mapping[str, list[str]]) -> tuple[str, ...]:
    return tuple(reason for f in fields for reason in unknown[f])


def _definite(clause: Clause, item: Any, unknown: Mapping[str, list[str]]) -> bool | None:
    """Kleene logic over &&, || and !: a conjunct that is false on known fields decides alone."""
    if not _touched(clause.fields, unknown):
        try:
            return clause.holds(item)
        except JMESPathError:
            return None
    kind, parts = clause.kind, clause.parts
    if kind == "not":
        inner = _definite(parts[0], item, unknown)
        return None if inner is None else not inner
    if kind in ("and", "or"):
        left = _definite(parts[0], item, unknown)
        right = _definite(parts[1], item, unknown)
        decisive = kind == "or"  # the value that settles the operator alone
        if left is decisive or right is decisive:
            return decisive
        if left is not None and right is not None:
            return not decisive
    return None


def _passed(policy: Policy, item: Mapping[str, Any], plan: str | None) -> Finding:
    """A pass, built directly: most results of a large plan are passes."""
    line = item.get("line")
    return Finding(
        policy.id,
        policy.severity,
        str(item.get("address", "?")),
        "",
        "",
        Outcome.PASS,
        (),
        item.get("file"),
        line if isinstance(line, int) else None,
        plan,
    )


def _result(
    policy: Policy,
    item: Mapping[str, Any],
    outcome: Outcome,
    plan: str | None,
    reasons: tuple[str, ...] = (),
) -> Finding:
    message = remediation = ""
    severity = policy.severity
    if outcome is Outcome.FAIL:
        severity = _severity(policy, item)
        message = render(policy.message, item, policy.explain)
        for note in policy.notes:
            if _holds(note.when, item):
                message += " " + render(note.value, item, policy.explain)
        if policy.remediation is not None:
            remediation = render(policy.remediation, item, policy.explain)
    elif outcome is Outcome.INCONCLUSIVE:
        message = f"{policy.title}: undecided before apply"
    line = item.get("line")
    return Finding(
        rule_id=policy.id,
        severity=severity,
        address=str(item.get("address", "?")),
        message=message,
        remediation=remediation,
        outcome=outcome,
        reasons=reasons,
        file=item.get("file"),
        line=line if isinstance(line, int) else None,
        plan=plan,
    )


def _severity(policy: Policy, item: Mapping[str, Any]) -> Severity:
    for rule in policy.severity_when:
        if _holds(rule.when, item):
            return rule.value
    return policy.severity


def _holds(expr: Query, item: Mapping[str, Any]) -> bool:
    try:
        return expr.holds(item)
    except JMESPathError:
        return False


def render(template: Template, item: Mapping[str, Any], explain: Mapping[str, str]) -> str:
    out = []
    unknown = item.get("unknown") or {}
    for part in template.parts:
        if isinstance(part, Placeholder):
            try:
                value = part.expr.search(item)
            except JMESPathError:
                value = None
            why = unknown.get(part.expr.source.strip())
            if why and isinstance(value, list) and not value:
                out.append(f"unknown ({why})")  # never `none` for what the plan does not say
                continue
            out.append(format_value(value, explain if part.spec == "explain" else None))
        else:
            out.append(part)
    return " ".join("".join(out).split())


def format_value(value: Any, explain: Mapping[str, str] | None = None) -> str:
    """Lists read `a, b`; null reads `(unknown)`; with `:explain`, each value gets its text."""
    if isinstance(value, list):
        if not value:
            return "none"
        if explain is not None:
            return "; ".join(_explained(v, explain) for v in value)
        return ", ".join(format_value(v) for v in value)
    if explain is not None:
        return _explained(value, explain)
    if value is None:
        return "(unknown)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return json.dumps(value, sort_keys=True)
    return str(value)


def _explained(value: Any, explain: Mapping[str, str]) -> str:
    text = explain.get(str(value))
    return f"{format_value(value)} ({text})" if text else format_value(value)
