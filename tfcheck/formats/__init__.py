"""Report formats: name → "module:function", imported only when chosen (keys feed --format)."""
from __future__ import annotations

import importlib
from typing import Any, Callable

FORMATS: dict[str, str] = {
    "text": "tfcheck.formats.text:render",
    "json": "tfcheck.formats.json:render",
}


def get_renderer(name: str) -> Callable[..., str]:
    """`render(report, *, color=False, verbose=False) -> str` of the named format."""
    module_name, _, function = FORMATS[name].partition(":")
    renderer: Callable[..., Any] = getattr(importlib.import_module(module_name), function)
    return renderer
