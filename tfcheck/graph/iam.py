"""Graph stage helper: the AWS services a workload's IAM roles say its code calls.

Domain spec section 4 ("IAM policies say what code calls"): an action `svc:Verb` allowed to
a workload's role is evidence that the workload calls `svc`. Not evidence: `*` and `NotAction`
allows, trust policies, and what AWS does on the workload's behalf (tables in iam.json).
An explicit `Deny` (with or without a condition) removes what it covers: IAM is the weakest
evidence tfcheck has, so when in doubt it asks for less, never more.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

from tfcheck.graph.builder import Builder
from tfcheck.graph.edges import blocks
from tfcheck.model import Instance, Unknown

TABLE: Mapping[str, Any] = json.loads(Path(__file__).with_name("iam.json").read_text(encoding="utf-8"))
PREFIXES: Mapping[str, str] = TABLE["prefixes"]
ACTIONS: Mapping[str, Mapping[str, Any]] = {k.lower(): v for k, v in TABLE["actions"].items()}
MANAGED: Mapping[str, list[str]] = TABLE["managed"]
ON_BEHALF: Mapping[str, tuple[str, ...]] = {
    kind: tuple(a.lower() for a in entry["actions"]) for kind, entry in TABLE["on_behalf"].items()
}
_MANAGED_ARN = ":iam::aws:policy/"


@dataclass(frozen=True, slots=True)
class Document:
    """One policy document attached to a role, and what to call it in a message."""

    evidence: str
    value: Any  # a JSON string, the structure a partly unknown jsonencode kept, or Unknown


@dataclass(frozen=True, slots=True)
class RoleUse:
    """A role a workload runs with, and the on-behalf tables that apply to it."""

    role: str
    label: str  # "task role", "Lambda role", ...
    behalf: tuple[str, ...] = ()


class Roles:
    """Every IAM role of the plan with the documents attached to it, read once per graph."""

    def __init__(self, b: Builder) -> None:
        self.edges = b.edges
        self.by_name = {_name(i): i.address for i in b.of("aws_iam_role") if _name(i)}
        self.profiles = {_name(i): i for i in b.of("aws_iam_instance_profile") if _name(i)}
        self.documents: dict[str, list[Document]] = {}
        self.unknown: dict[str, str] = {}
        for declared in b.of("aws_iam_role"):
            for block in blocks(declared.values.get("inline_policy")):
                self._add(
                    declared.address,
                    Document(
                        f"{declared.address} inline_policy {block.get('name') or ''}".strip(),
                        block.get("policy"),
                    ),
                )
            arns = declared.values.get("managed_policy_arns")
            for arn in arns if isinstance(arns, list) else ():
                self._attach(declared.address, arn, declared.address)
        for inst in b.of("aws_iam_role_policy"):
            for role in self.roles(inst.values.get("role")):
                self._add(role, Document(inst.address, inst.values.get("policy")))
        for inst in b.of("aws_iam_role_policy_attachment"):
            for role in self.roles(inst.values.get("role")):
                self._attach(role, inst.values.get("policy_arn"), inst.address)
        for inst in b.of("aws_iam_policy_attachment"):
            for role in self.roles(inst.values.get("roles")):
                self._attach(role, inst.values.get("policy_arn"), inst.address)
        for inst in b.of("aws_iam_role_policy_attachments_exclusive"):
            arns = inst.values.get("policy_arns")
            for role in self.roles(inst.values.get("role_name")):
                for arn in arns if isinstance(arns, list) else ():
                    self._attach(role, arn, inst.address)

    def _add(self, role: str, document: Document) -> None:
        self.documents.setdefault(role, []).append(document)

    def _attach(self, role: str, arn: Any, via: str) -> None:
        policy = next(
            (
                a
                for a in self.edges.follow(arn, count=False).addresses
                if self.edges.instances[a].type == "aws_iam_policy"
            ),
            None,
        )
        if policy is not None:
            self._add(
                role,
                Document(f"{policy} (attached by {via})", self.edges.instances[policy].values.get("policy")),
            )
        elif isinstance(arn, str) and _MANAGED_ARN in arn:
            name = arn.rsplit("/", 1)[-1]
            if name in MANAGED:
                actions = MANAGED[name]
                self._add(
                    role,
                    Document(
                        f"AWS managed policy {name} (attached by {via})",
                        {"Statement": [{"Effect": "Allow", "Action": actions}]},
                    ),
                )
        elif isinstance(arn, Unknown):
            self.unknown.setdefault(role, f"policy attached by {via} unknown: {arn.reason}")

    def roles(self, value: Any) -> list[str]:
        """Roles a `role`/`*_role_arn` value names: a reference, a known ARN or a name."""
        found = [
            a
            for a in self.edges.follow(value, count=False).addresses
            if self.edges.instances[a].type == "aws_iam_role"
        ]
        for text in value if isinstance(value, list) else [value]:
            if isinstance(text, str) and text:
                address = self.by_name.get(text.rsplit("/", 1)[-1])
                if address is not None and address not in found:
                    found.append(address)
        return found

    def profile_roles(self, value: Any) -> list[str]:
        """Roles of the instance profile a `iam_instance_profile` value names."""
        profiles = [
            self.edges.instances[a]
            for a in self.edges.follow(value, count=False).addresses
            if self.edges.instances[a].type == "aws_iam_instance_profile"
        ]
        if not profiles and isinstance(value, str) and value:
            profile = self.profiles.get(value.rsplit("/", 1)[-1])
            profiles = [profile] if profile is not None else []
        return [role for p in profiles for role in self.roles(p.values.get("role"))]

    def needs(self, uses: Iterable[RoleUse]) -> tuple[dict[str, list[str]], str | None]:
        """Service → evidence ("IAM: <document> allows <actions>"), and why it may be incomplete."""
        out: dict[str, list[str]] = {}
        reason: str | None = None
        for use in uses:
            documents = self.documents.get(use.role, [])
            reason = reason or self.unknown.get(use.role)
            allows: list[tuple[str, str]] = []
            denies: list[tuple[bool, tuple[str, ...]]] = []
            for document in documents:
                problem = _statements(document, allows, denies)
                reason = reason or (f"{use.role}: {problem}" if problem else None)
            behalf = tuple(p for kind in use.behalf for p in ON_BEHALF.get(kind, ()))
            by_service: dict[tuple[str, str], list[str]] = {}
            for evidence, action in allows:
                if _denied(action, denies) or any(fnmatchcase(action.lower(), p) for p in behalf):
                    continue
                for service in services_of(action):
                    by_service.setdefault((service, evidence), []).append(action)
            for (service, evidence), actions in by_service.items():
                shown = ", ".join(dict.fromkeys(actions[:3])) + (" ..." if len(actions) > 3 else "")
                note = ACTIONS.get(actions[0].lower(), {}).get("note")
                text = f"IAM: {evidence} allows {shown} ({use.label})" + (f"; {note}" if note else "")
                out.setdefault(service, []).append(text)
        return out, reason


def services_of(action: str) -> list[str]:
    """Endpoint services an allowed action (maybe a wildcard pattern) calls: the prefix's
    service; an action named in iam.json's `actions` maps to its own services instead."""
    prefix, _, verb = action.partition(":")
    service = PREFIXES.get(prefix.lower())
    if not verb or service is None:
        return []
    lowered = action.lower()
    exact = ACTIONS.get(lowered)
    if exact is not None:
        return list(exact["services"])
    found = [service]
    if verb != "*":  # `ecs:*` is the ECS API; the agent's endpoints need ecs:Poll & co. by name
        for name, entry in ACTIONS.items():
            if fnmatchcase(name, lowered):
                found += [s for s in entry["services"] if s not in found]
    return found


def _statements(
    document: Document, allows: list[tuple[str, str]], denies: list[tuple[bool, tuple[str, ...]]]
) -> str | None:
    """Add a document's allowed actions and deny patterns; say why it could not be read."""
    value = document.value
    if isinstance(value, Unknown):
        return f"{document.evidence}: policy unknown ({value.reason})"
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except (ValueError, RecursionError):
            return f"{document.evidence}: policy is not JSON"
    if not isinstance(value, dict):
        return None if value is None else f"{document.evidence}: policy unknown"
    statements = value.get("Statement")
    problem = None
    for statement in statements if isinstance(statements, list) else [statements]:
        if not isinstance(statement, dict):
            problem = problem or (
                None if statement is None else f"{document.evidence}: a statement is unknown"
            )
            continue
        effect = statement.get("Effect")
        negated = "NotAction" in statement
        actions = statement.get("NotAction" if negated else "Action")
        listed = [a for a in (actions if isinstance(actions, list) else [actions]) if isinstance(a, str)]
        if effect == "Deny":
            denies.append((negated, tuple(a.lower() for a in listed)))
        elif effect == "Allow" and not negated:
            allows.extend((document.evidence, a) for a in listed if a != "*")
        if not isinstance(effect, str) or (
            actions is not None and len(listed) < (len(actions) if isinstance(actions, list) else 1)
        ):
            problem = problem or f"{document.evidence}: a statement's effect or actions are unknown"
    return problem


def _denied(action: str, denies: Iterable[tuple[bool, tuple[str, ...]]]) -> bool:
    """Whether a Deny covers the whole of an allowed pattern (a Deny NotAction covers all it
    does not list)."""
    lowered = action.lower()
    for negated, patterns in denies:
        covered = any(fnmatchcase(lowered, p) for p in patterns)
        if covered != negated:
            return True
    return False


def _name(inst: Instance) -> str | None:
    name = inst.values.get("name")
    return name if isinstance(name, str) and name else None
