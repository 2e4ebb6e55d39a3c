"""Load policy files: YAML → schema check → JMESPath compiled once, all before any plan is read."""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tfcheck.documents import check_schema, json_path, line_of, read_yaml
from tfcheck.errors import PolicyError
from tfcheck.findings import Severity
from tfcheck.policy.dialect import ExpressionError, Query, compile_expression
from tfcheck.project import rule_page

PACK_FILE = Path(__file__).with_name("builtin.json")
SCHEMA_FILE = Path(__file__).with_name("schema.json")
SPECS = frozenset({"explain"})
_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")


@dataclass(frozen=True, slots=True)
class Placeholder:
    expr: Query
    spec: str | None = None


@dataclass(frozen=True, slots=True)
class Template:
    """Message text split into literal parts and compiled `{path}` placeholders."""

    source: str
    parts: tuple[str | Placeholder, ...]


@dataclass(frozen=True, slots=True)
class Conditional:
    """A `severity_when` entry (value: severity) or a `notes` entry (value: template)."""

    when: Query
    value: Any


@dataclass(frozen=True, slots=True)
class Policy:
    id: str
    title: str
    severity: Severity
    resource: str
    assert_: Query
    message: Template
    remediation: Template | None = None
    where: Query | None = None
    severity_when: tuple[Conditional, ...] = ()
    notes: tuple[Conditional, ...] = ()
    explain: Mapping[str, str] = dataclasses.field(default_factory=dict)
    description: str = ""
    links: tuple[str, ...] = ()
    enabled: bool = True
    file: str = ""
    page: str = ""  # the rule's documentation page (built-in rules: docs/rules/<ID>.md)


def builtin_dir() -> Path:
    """The built-in pack: `tfcheck/policies` in a wheel, top-level `policies/` in a checkout."""
    here = Path(__file__).resolve().parent.parent  # the tfcheck package
    for candidate in (here / "policies", here.parent / "policies"):
        if candidate.is_dir():
            return candidate
    raise PolicyError(str(here / "policies"), "the built-in policy pack is missing; reinstall tfcheck")


def policy_files(directory: Path) -> list[Path]:
    if not directory.is_dir():
        raise PolicyError(str(directory), "not a directory of policy files (*.yaml)")
    return sorted(p for p in directory.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())


def load_policies(
    dirs: Sequence[str | Path] = (),
    *,
    builtin: bool = True,
    validate_builtin: bool = False,
    cache_dir: Path | None = None,
) -> tuple[Policy, ...]:
    """Built-in pack (schema-checked by the test suite, not at start-up) plus users' dirs."""
    sources: list[tuple[Path, bool, bool]] = []  # path, validate, built-in
    packed: dict[Path, tuple[str, Any]] = {}
    if builtin:
        files = policy_files(builtin_dir())
        sources += [(p, validate_builtin, True) for p in files]
        packed = {} if validate_builtin else _packed(files)
    for directory in dirs:
        sources += [(p, True, False) for p in policy_files(Path(directory))]
    seen: dict[str, str] = {}
    policies = []
    for path, validate, ours in sources:
        if path in packed:
            policy = _build(path, *packed[path])
        else:
            policy = load_policy_file(path, validate=validate, cache_dir=cache_dir)
        if ours:
            policy = dataclasses.replace(policy, page=rule_page(policy.id))
        if policy.id in seen:
            raise PolicyError(str(path), f"rule id {policy.id} is already defined in {seen[policy.id]}")
        seen[policy.id] = str(path)
        policies.append(policy)
    return tuple(sorted(policies, key=lambda p: p.id))


def _packed(files: Sequence[Path]) -> dict[Path, tuple[str, Any]]:
    """The built-in documents from policy/builtin.json (tools/build_policy_pack.py), so a
    run needs no YAML parser; only when every file's text still matches, else nothing."""
    try:
        pack = json.loads(PACK_FILE.read_text(encoding="utf-8"))
        entries = {e["file"]: e for e in pack["policies"]}
    except (OSError, ValueError, KeyError, TypeError):
        return {}
    out: dict[Path, tuple[str, Any]] = {}
    for path in files:
        entry = entries.get(path.name)
        text = path.read_text(encoding="utf-8")
        if entry is None or entry.get("text") != text:
            return {}
        out[path] = (text, entry["doc"])
    return out if len(out) == len(entries) else {}


def load_policy_file(path: Path, *, validate: bool = True, cache_dir: Path | None = None) -> Policy:
    text, doc = read_yaml(path, PolicyError, "policy file")
    if validate:
        rule = doc.get("id") if isinstance(doc, dict) else None
        prefix = f"rule {rule}: " if isinstance(rule, str) else ""
        check_schema(SCHEMA_FILE, str(path), text, doc, error=PolicyError, prefix=prefix, cache_dir=cache_dir)
    return _build(path, text, doc)


def _build(path: Path, text: str, doc: Mapping[str, Any]) -> Policy:
    rule = str(doc.get("id", path.stem))

    def expr(key: Sequence[Any], source: str) -> Query:
        try:
            return compile_expression(source)
        except ExpressionError as e:
            raise _expr_error(path, text, rule, key, source, e) from None

    def template(key: Sequence[Any], source: str) -> Template:
        try:
            return compile_template(source, lambda s: expr(key, s))
        except ExpressionError as e:
            raise _expr_error(path, text, rule, key, source, e) from None

    return Policy(
        id=rule,
        title=doc["title"],
        severity=Severity(doc["severity"]),
        resource=doc["resource"],
        assert_=expr(["assert"], doc["assert"]),
        message=template(["message"], doc["message"]),
        remediation=template(["remediation"], doc["remediation"]) if doc.get("remediation") else None,
        where=expr(["where"], doc["where"]) if doc.get("where") else None,
        severity_when=tuple(
            Conditional(expr(["severity_when", i, "if"], c["if"]), Severity(c["severity"]))
            for i, c in enumerate(doc.get("severity_when") or ())
        ),
        notes=tuple(
            Conditional(expr(["notes", i, "if"], n["if"]), template(["notes", i, "text"], n["text"]))
            for i, n in enumerate(doc.get("notes") or ())
        ),
        explain=dict(doc.get("explain") or {}),
        description=str(doc.get("description") or "").strip(),
        links=tuple(doc.get("links") or ()),
        enabled=bool(doc.get("enabled", True)),
        file=str(path),
    )


def _expr_error(
    path: Path, text: str, rule: str, key: Sequence[Any], source: str, error: ExpressionError
) -> PolicyError:
    line = line_of(text, list(key))
    at = f" (line {line})" if line else ""
    column = f" at column {error.column + 1}" if error.column is not None else ""
    return PolicyError(
        str(path), f"rule {rule}: {json_path(key)}{at}: {error.message}{column} of {source.strip()!r}"
    )


def compile_template(source: str, compile_field: Any) -> Template:
    """Split `{path}` / `{path:explain}` placeholders from literal text; `{{`/`}}` escape braces."""
    parts: list[str | Placeholder] = []
    literal = ""
    pos = 0
    for m in _PLACEHOLDER.finditer(source):
        literal += source[pos : m.start()]
        pos = m.end()
        token = m.group(0)
        if token in ("{{", "}}"):
            literal += token[0]
            continue
        if m.group(1) is None:
            raise ExpressionError(f"unmatched {token!r} in template (write {token * 2} for a literal)")
        body, spec = m.group(1).strip(), None
        head, sep, tail = body.rpartition(":")
        if sep and tail.strip() in SPECS:
            body, spec = head.strip(), tail.strip()
        if literal:
            parts.append(literal)
            literal = ""
        parts.append(Placeholder(compile_field(body), spec))
    literal += source[pos:]
    if literal:
        parts.append(literal)
    return Template(source, tuple(parts))


def rule_ids(policies: Iterable[Policy]) -> frozenset[str]:
    return frozenset(p.id for p in policies)


def select(
    policies: Sequence[Policy],
    *,
    only: Iterable[str] = (),
    skip: Iterable[str] = (),
    disabled: Iterable[str] = (),
    enabled: Iterable[str] = (),
    severity: Mapping[str, Severity] | None = None,
) -> tuple[Policy, ...]:
    """The rules a run evaluates: --only beats config, config beats the files' `enabled`.

    A severity override from the config is final: it replaces `severity_when` too.
    """
    only_set, skip_set = set(only), set(skip)
    disabled_set, enabled_set = set(disabled), set(enabled)
    chosen = []
    for policy in policies:
        if only_set:
            on = policy.id in only_set
        elif policy.id in disabled_set:
            on = False
        else:
            on = policy.enabled or policy.id in enabled_set
        if not on or policy.id in skip_set:
            continue
        if severity and policy.id in severity:
            policy = dataclasses.replace(policy, severity=severity[policy.id], severity_when=())
        chosen.append(policy)
    return tuple(chosen)


# How a rule's help text names what a placeholder stands for, when no item is at hand.
_SUBJECT = {
    "endpoints": "the endpoint",
    "workloads": "the workload",
    "route_tables": "the route table",
    "subnets": "the subnet",
    "vpcs": "the VPC",
    "tgw_attachments": "the attachment",
    "security_groups": "the security group",
    "nat_gateways": "the NAT gateway",
}
_WORDS = {
    "service": "<service>",
    "vpc": "its VPC",
    "azs": "its AZs",
    "region": "the endpoint's Region",
    "vpc_region": "",
    "unreachable": "the services it cannot reach",
    "missing_workload_azs": "the workload AZs it misses",
    "subnets": "its subnets",
    "security_groups": "its security groups",
    "service_name": "the service name",
    "nat_gateway_candidates": "each service that rides the NAT gateway",
    "unassociated_route_tables": "the private route tables it misses",
    "dhcp_options": "the VPC's DHCP options",
    "egress_target": "the internet",
    "route_table": "of the subnet",
    "kind": "the workload kind",
}
_SLOT = {"vpc_region": "<region>", "region": "<region>", "service": "<service>"}


def guidance(source: str, resource: str) -> str:
    """A message or fix template as general guidance: each `{placeholder}` in words
    (`{address}` → "the endpoint"; inside a dotted name a slot: `com.amazonaws.<region>...`),
    `{{`/`}}` as braces; for rule catalogues (SARIF help), where no item fills them in."""

    def words(match: re.Match[str]) -> str:
        text = match.group(0)
        if text in ("{{", "}}"):
            return text[0]
        if match.group(1) is None:
            return text
        name = match.group(1).split(":", 1)[0].strip()
        if name == "address":
            return _SUBJECT.get(resource, "the resource")
        name = name.rsplit(".", 1)[-1] if "(" in name else name
        before, after = source[match.start() - 1 : match.start()], source[match.end() : match.end() + 1]
        if "." in (before, after) or before == after == '"':
            return _SLOT.get(name, f"<{name}>")
        return _WORDS.get(name, "its " + name.replace("_", " "))

    return " ".join(_PLACEHOLDER.sub(words, source).split())
