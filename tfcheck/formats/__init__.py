"""Report formats, one registry per kind of report: name → "module:function", imported only
when chosen. The keys feed each command's --format choices.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

# `tfcheck check --format`: `render(report, *, color=False, verbose=False) -> str`.
FORMATS: dict[str, str] = {
    "text": "tfcheck.formats.findings.text:render",
    "json": "tfcheck.formats.findings.json:render",
    "sarif": "tfcheck.formats.findings.sarif:render",
    "junit": "tfcheck.formats.findings.junit:render",
    "github": "tfcheck.formats.findings.github:render",
    "markdown": "tfcheck.formats.findings.markdown:render",
    "atlantis": "tfcheck.formats.findings.atlantis:render",
}
# `tfcheck graph --format`: `render(graph) -> str`.
GRAPH_FORMATS: dict[str, str] = {
    "json": "tfcheck.formats.graph.json:render",
    "text": "tfcheck.formats.graph.text:render",
    "mermaid": "tfcheck.formats.graph.mermaid:render",
    "dot": "tfcheck.formats.graph.dot:render",
}
# `tfcheck reach --format`: `render(graph) -> str`.
REACH_FORMATS: dict[str, str] = {
    "text": "tfcheck.formats.reach:render_text",
    "json": "tfcheck.formats.reach:render_json",
}
# `tfcheck cost --format`: `render(document) -> str`.
COST_FORMATS: dict[str, str] = {
    "text": "tfcheck.formats.cost.text:render",
    "json": "tfcheck.formats.cost.json:render",
    "markdown": "tfcheck.formats.cost.markdown:render",
}


def get_renderer(name: str, registry: dict[str, str] | None = None) -> Callable[..., str]:
    """The named format's render function, from `registry` (default: the findings formats)."""
    module_name, _, function = (FORMATS if registry is None else registry)[name].partition(":")
    renderer: Callable[..., Any] = getattr(importlib.import_module(module_name), function)
    return renderer
