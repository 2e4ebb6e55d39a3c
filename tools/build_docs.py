#!/usr/bin/env python3
"""Write docs/rules/<ID>.md (one page per built-in rule) and docs/graph.md (every graph field).

    python tools/build_docs.py [--check]

The rule pages are what SARIF's helpUri, the Markdown report and `tfcheck explain` link to, so
they are generated from the policies (the one source of a rule's text) and the graph schema
(the one source of what a field means); tests/test_docs_generated.py fails when a page is stale.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tfcheck.policy.dialect import compile_expression  # noqa: E402

DOCS = ROOT / "docs" / "rules"
SCHEMA = ROOT / "tfcheck" / "graph" / "schema.json"
PLACEHOLDER = re.compile(r"\{([a-z_]+)(?::[a-z_]+)?\}")
EXAMPLE = re.compile(r"^\s*(PASS|FAIL):\s*(.*)$")


def _plain(text: str) -> str:
    """A message template as prose: `{address}` becomes `<address>`."""
    return PLACEHOLDER.sub(lambda m: f"`<{m.group(1)}>`", " ".join(text.split()))


def _code(text: str) -> str:
    """An inline code span that survives backticks inside (JMESPath literals use them)."""
    return f"`` {text} ``" if "`" in text else f"`{text}`"


def _description(text: str) -> tuple[str, list[tuple[str, str]]]:
    """The description's prose, and its PASS:/FAIL: lines (a line may continue below)."""
    prose: list[str] = []
    examples: list[list[str]] = []
    for line in text.splitlines():
        match = EXAMPLE.match(line)
        if match:
            examples.append([match.group(1), match.group(2).strip()])
        elif examples and line.startswith("  ") and line.strip():
            examples[-1][1] += " " + line.strip()
        else:
            prose.append(line)
    paragraphs = [" ".join(p.split()) for p in "\n".join(prose).split("\n\n") if p.strip()]
    return "\n\n".join(paragraphs), [(kind, body) for kind, body in examples]


def _fields(doc: dict[str, Any]) -> list[str]:
    """Every graph field the rule's queries name, in order of first use."""
    names: list[str] = []
    sources = [doc.get("where"), doc.get("assert")]
    sources += [c.get("if") for c in doc.get("severity_when", [])]
    sources += [c.get("if") for c in doc.get("notes", [])]
    for source in sources:
        if source:
            for name in sorted(compile_expression(source).names):
                if name not in names:
                    names.append(name)
    for name in PLACEHOLDER.findall(doc.get("message", "")):
        if name not in names:
            names.append(name)
    return names


def _schema_fields(schema: dict[str, Any]) -> dict[str, dict[str, str]]:
    """collection -> field -> description, from graph/schema.json."""
    out: dict[str, dict[str, str]] = {}
    for name, spec in schema["properties"].items():
        props = spec.get("items", {}).get("properties", {})
        out[name] = {field: body.get("description", "") for field, body in props.items()}
    return out


def page(doc: dict[str, Any], cases: list[str], schema: dict[str, dict[str, str]]) -> str:
    rule_id, collection = doc["id"], doc["resource"]
    prose, examples = _description(doc.get("description", ""))
    lines = [
        f"# {rule_id}: {doc['title']}",
        "",
        f"Severity: **{doc['severity']}**"
        + ("" if doc.get("enabled", True) else " (off by default)")
        + f" · checks each item of `{collection}` in the graph"
        + (f" where {_code(doc['where'])}" if doc.get("where") else ""),
        "",
    ]
    lines += ["## What breaks", "", prose, ""]
    if examples or cases:
        lines += ["## Examples", ""]
        lines += [f"- **{kind}**: {body}" for kind, body in examples]
        if cases:
            links = ", ".join(f"[{c}](../../fixtures/rules/{rule_id}/{c}/main.tf)" for c in cases)
            lines += [f"- Test cases, each a Terraform stack: {links}"]
        lines.append("")
    lines += ["## The finding", "", _plain(doc["message"]), ""]
    for severity in doc.get("severity_when", []):
        lines += [f"Severity is **{severity['severity']}** when {_code(severity['if'])}.", ""]
    for note in doc.get("notes", []):
        lines += [f"When {_code(note['if'])}: {_plain(note['text'])}", ""]
    if doc.get("remediation"):
        lines += ["## How to fix", "", _plain(doc["remediation"]), ""]
    if doc.get("explain"):
        lines += ["## What each value means", ""]
        lines += [f"- `{key}`: {text}" for key, text in doc["explain"].items()]
        lines.append("")
    known = schema.get(collection, {})
    fields = _fields(doc)
    if fields:
        lines += [
            "## Graph facts it reads",
            "",
            f"From [`{collection}`](../graph.md#{collection}) (`tfcheck graph --format json`):",
            "",
        ]
        for name in fields:
            text = known.get(name) or next((f[name] for f in schema.values() if f.get(name)), "")
            lines.append(f"- `{name}`: {text}" if text else f"- `{name}`")
        lines.append("")
    if doc.get("links"):
        lines += ["## Links", ""] + [f"- <{link}>" for link in doc["links"]] + [""]
    lines += [f"<!-- generated from policies/{rule_id}.yaml by tools/build_docs.py -->", ""]
    return "\n".join(lines)


def index(docs: list[dict[str, Any]]) -> str:
    lines = [
        "# Rules",
        "",
        "One page per built-in rule, generated from `policies/` (`python tools/build_docs.py`).",
        "",
        "| Rule | Severity | Title |",
        "|---|---|---|",
    ]
    lines += [f"| [{d['id']}]({d['id']}.md) | {d['severity']} | {d['title']} |" for d in docs]
    return "\n".join(lines) + "\n"


def _type(spec: dict[str, Any]) -> str:
    if "enum" in spec:
        return " \\| ".join(f"`{v}`" for v in spec["enum"])
    if "const" in spec:
        return f"`{spec['const']}`"
    kinds = spec.get("type", "object")
    kinds = [kinds] if isinstance(kinds, str) else kinds
    if "array" in kinds:
        inner = spec.get("items", {}).get("type", "object")
        kinds = [f"array of {inner}" if k == "array" else k for k in kinds]
    return " or ".join(kinds)


def _rows(spec: dict[str, Any], prefix: str) -> list[str]:
    """One table row per property, nested ones spelled `routes[].target`."""
    rows = []
    for name, body in spec.get("properties", {}).items():
        rows.append(f"| `{prefix}{name}` | {_type(body)} | {body.get('description', '')} |")
        inner = body.get("items") if body.get("items", {}).get("properties") else None
        if inner:
            rows += _rows(inner, f"{prefix}{name}[].")
        extra = body.get("additionalProperties")
        if isinstance(extra, dict) and extra.get("properties"):
            rows += _rows(extra, f"{prefix}{name}.*.")
        if body.get("properties"):
            rows += _rows(body, f"{prefix}{name}.")
    return rows


def graph_page(schema: dict[str, Any]) -> str:
    """docs/graph.md: the graph document's fields, the contract policies are written against."""
    lines = [
        "# The graph",
        "",
        schema["description"],
        "",
        "`tfcheck graph --format json` prints it; policies query one item of a collection "
        "at a time, and look across collections with `item()`, `items()`, `in_vpc()` and "
        "`where_eq()`. A field whose value Terraform knows only after apply is named in "
        "the item's `unknown` with the reason; a rule that reads it is inconclusive, never "
        "failed. Generated from `tfcheck/graph/schema.json` by `tools/build_docs.py`.",
        "",
    ]
    for name, body in schema["properties"].items():
        lines += [f"## {name}", "", body.get("description", ""), ""]
        item = body.get("items") if body.get("type") == "array" else body
        if item and item.get("properties"):
            if item.get("description"):
                lines += [f"Each item: {item['description']}.", ""]
            lines += ["| Field | Type | Meaning |", "|---|---|---|"] + _rows(item, "") + [""]
        else:
            lines += [f"Type: {_type(body)}", ""]
    return "\n".join(lines)


def build() -> dict[Path, str]:
    raw = json.loads(SCHEMA.read_text(encoding="utf-8"))
    schema = _schema_fields(raw)
    docs = [yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted((ROOT / "policies").glob("*.yaml"))]
    out: dict[Path, str] = {DOCS / "README.md": index(docs), ROOT / "docs" / "graph.md": graph_page(raw)}
    for doc in docs:
        case_dir = ROOT / "fixtures" / "rules" / doc["id"]
        cases = (
            sorted(p.name for p in case_dir.iterdir() if (p / "main.tf").is_file())
            if case_dir.is_dir()
            else []
        )
        out[DOCS / f"{doc['id']}.md"] = page(doc, cases, schema)
    return out


def main() -> int:
    fresh = build()
    stale = sorted(p for p, text in fresh.items() if not p.is_file() or p.read_text(encoding="utf-8") != text)
    extra = sorted(set(DOCS.glob("*.md")) - set(fresh))  # pages of rules that are gone
    if "--check" in sys.argv[1:]:
        for path in stale + extra:
            print(f"{path.relative_to(ROOT)} is stale: run python tools/build_docs.py")
        return 1 if stale or extra else 0
    DOCS.mkdir(parents=True, exist_ok=True)
    for path in stale:
        path.write_text(fresh[path], encoding="utf-8")
    for path in extra:
        path.unlink()
    print(f"wrote {len(stale)} page(s), removed {len(extra)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
