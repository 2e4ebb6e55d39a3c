"""Report formats: name → "module:function", imported only when chosen (keys feed --format)."""
from __future__ import annotations

import importlib
from typing import Any, Callable

FORMATS: dict[str, str] = {
    "text": "tfcheck.formats.findings.text:render",
    "json": "tfcheck.formats.findings.json:render",
    "sarif": "tfcheck.formats.findings.sarif:render",
    "junit": "tfcheck.formats.findings.junit:render",
    "github": "tfcheck.formats.findings.github:render",
    "markdown": "tfcheck.formats.findings.markdown:render",
}
# `tfcheck graph --format`: renderers of the graph dict itself, not of a Report.
GRAPH_FORMATS: dict[str, str] = {
    "text": "tfcheck.formats.graph.text:render",
    "mermaid": "tfcheck.formats.graph.mermaid:render",
    "dot": "tfcheck.formats.graph.dot:render",
}


def get_renderer(name: str, registry: dict[str, str] | None = None) -> Callable[..., str]:
    """`render(report, *, color=False, verbose=False) -> str` of the named format
    (with `registry=GRAPH_FORMATS`: `render(graph) -> str`)."""
    module_name, _, function = (FORMATS if registry is None else registry)[name].partition(":")
    renderer: Callable[..., Any] = getattr(importlib.import_module(module_name), function)
    return renderer
