"""The graph itself as JSON (`tfcheck graph --format json`): the contract in graph/schema.json."""

from __future__ import annotations

import json

from tfcheck.graph.model import Graph


def render(graph: Graph) -> str:
    return json.dumps(graph.document(), indent=2) + "\n"
