"""Report formats: name → "module:function", imported only when chosen (keys feed --format)."""
from __future__ import annotations

import importlib
from typing import Any, Callable

FORMATS: dict[str, str] = {
    "text": "tfcheck.formats.text:render",
    "json": "tfcheck.formats.json:render",
    "sarif": "tfcheck.formats.sarif:render",
    "junit": "tfcheck.formats.junit:render",
    "github": "tfcheck.formats.github:render",
    "markdown": "tfcheck.formats.markdown:render",
}
# `tfcheck graph --format`: renderers of the graph dict itself, not of a Report.
GRAPH_FORMATS: dict[str, str] = {
    "text": "tfcheck.formats.graph_text:render",
    "mermaid": "tfcheck.formats.mermaid:render",
    "dot": "tfcheck.formats.dot:render",
}


def get_renderer(name: str, registry: dict[str, str] | None = None) -> Callable[..., str]:
    """`render(report, *, color=False, verbose=False) -> str` of the named format
    (with `registry=GRAPH_FORMATS`: `render(graph) -> str`)."""
    module_name, _, function = (FORMATS if registry is None else registry)[name].partition(":")
    renderer: Callable[..., Any] = getattr(importlib.import_module(module_name), function)
    return renderer
