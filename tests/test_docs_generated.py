"""docs/rules/*.md and docs/graph.md are generated: stale pages and undocumented graph fields fail."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SPEC = importlib.util.spec_from_file_location("build_docs", ROOT / "tools" / "build_docs.py")
assert SPEC and SPEC.loader
build_docs = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(build_docs)


def test_pages_are_current() -> None:
    stale = [
        str(p.relative_to(ROOT))
        for p, text in build_docs.build().items()
        if not p.is_file() or p.read_text(encoding="utf-8") != text
    ]
    assert not stale, f"run python tools/build_docs.py: {stale}"


def test_every_rule_has_a_page() -> None:
    ids = {p.stem for p in (ROOT / "policies").glob("*.yaml")}
    pages = {p.stem for p in (ROOT / "docs" / "rules").glob("VPCE*.md")}
    assert ids == pages


def _undocumented(node: Any, path: str) -> list[str]:
    out: list[str] = []
    if not isinstance(node, dict):
        return out
    for name, body in node.get("properties", {}).items():
        if not body.get("description"):
            out.append(f"{path}{name}")
        out += _undocumented(body, f"{path}{name}.")
    if isinstance(node.get("items"), dict):
        out += _undocumented(node["items"], path.rstrip(".") + "[].")
    if isinstance(node.get("additionalProperties"), dict):
        out += _undocumented(node["additionalProperties"], path + "*.")
    return out


def test_every_graph_field_is_documented() -> None:
    schema = json.loads((ROOT / "tfcheck" / "graph" / "schema.json").read_text(encoding="utf-8"))
    assert _undocumented(schema, "") == []


def test_the_check_notices_an_undocumented_field() -> None:
    schema = {
        "properties": {
            "vpcs": {
                "description": "x",
                "type": "array",
                "items": {"properties": {"cidr": {"type": "string"}}},
            }
        }
    }
    assert _undocumented(schema, "") == ["vpcs[].cidr"]


def test_a_rule_page_names_its_facts_and_fix() -> None:
    page = (ROOT / "docs" / "rules" / "VPCE003.md").read_text(encoding="utf-8")
    assert "## How to fix" in page and "`unassociated_route_tables`: Route tables" in page
    assert "{" not in page.split("## The finding")[1].split("##")[0]  # no raw placeholders
