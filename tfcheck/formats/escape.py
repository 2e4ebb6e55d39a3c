"""User-derived text made inert for each output kind (Markdown so far)."""
from __future__ import annotations

import re

CELL_MAX = 800
_FENCE = re.compile(r"`+")


def inline(text: str) -> str:
    """Plain text made inert in Markdown/HTML: no tags, no @-mentions, one line."""
    text = " ".join(str(text).split())
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace("@", "@\u2060")  # a word joiner stops GitHub from pinging anyone


def cell(text: str) -> str:
    text = inline(text)
    if len(text) > CELL_MAX:
        text = text[: CELL_MAX - 1] + "…"
    return text.replace("|", "\\|")


def code(text: str) -> str:
    """Inline code that survives backticks and `|` in the text (GFM tables split on `|`)."""
    text = " ".join(str(text).split())
    longest = max((len(m) for m in _FENCE.findall(text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}".replace("|", "\\|")

