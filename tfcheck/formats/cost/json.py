"""The `tfcheck cost` document as JSON: the contract in cost/schema.py."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any


def render(doc: Mapping[str, Any]) -> str:
    return json.dumps(doc, indent=2) + "\n"
