"""Mermaid flowchart of the network (`tfcheck graph --format mermaid`, and the PR comment's
per-VPC diagrams): AZs → subnets → route tables/NAT, endpoints with their ENIs.

Every label is quoted and entity-escaped (`"` → #quot;) and every id is generated
(`n12`, `c3`), so no address or tag value can break the diagram's syntax.
"""

from __future__ import annotations

from tfcheck.formats.escape import strip_ansi, terminal
from tfcheck.formats.graph.network import View, build_view
from tfcheck.graph.model import Graph

CLASS_STYLES = {
    "error": "fill:#ffe3e3,stroke:#c92a2a,stroke-width:3px,color:#000",
    "warning": "fill:#fff3bf,stroke:#e67700,stroke-width:3px,color:#000",
    "info": "fill:#e7f5ff,stroke:#1971c2,stroke-width:2px,color:#000",
    "inconclusive": "fill:#f1f3f5,stroke:#868e96,stroke-width:2px,stroke-dasharray:4 3,color:#000",
}
_SHAPES = {  # kind → (open, close)
    "subnet": ("[", "]"),
    "route_table": ("[[", "]]"),
    "endpoint": ("{{", "}}"),
    "nat": ("([", "])"),
    "igw": ("([", "])"),
    "tgw": ("([", "])"),
    "workload": ("(", ")"),
}
_ENTITIES = (("#", "#35;"), ('"', "#quot;"), ("<", "#lt;"), (">", "#gt;"), ("&", "#amp;"), ("`", "#96;"))


# Mermaid refuses a diagram over 500 edges (`maxEdges`) or 50,000 characters (`maxTextSize`).
MAX_EDGES = 500
MAX_TEXT = 50_000


def render(graph: Graph) -> str:
    """The whole network, as Mermaid source (no Markdown fence); past Mermaid's limits, the
    summarised diagram (counts per AZ and kind) rather than one Mermaid refuses."""
    view = build_view(graph)
    text = diagram(view)
    if fits(view, text):
        return text
    first, rest = diagram(view.summary()).split("\n", 1)
    note = "  %% summarised: the whole network exceeds Mermaid's limits (500 edges, 50,000 characters)"
    return f"{first}\n{note}\n{rest}"


def fits(view: View, text: str, limit: int = MAX_TEXT) -> bool:
    return len(view.edges) <= MAX_EDGES and len(text) <= limit


def diagram(view: View) -> str:
    # Top to bottom: the AZs of a VPC sit side by side as columns and each path (workload,
    # subnet, route table, NAT) runs down, which keeps a diagram within a PR comment's width.
    lines = ["flowchart TB"]
    _clusters(view, None, "  ", lines)
    for edge in view.edges:
        arrow = "-.->" if edge.dotted else "-->"
        label = f'|"{escape(edge.label)}"|' if edge.label else ""
        lines.append(f"  {edge.source} {arrow}{label} {edge.target}")
    used = sorted(set(view.highlight.values()) & set(CLASS_STYLES))
    for name in used:
        lines.append(f"  classDef {name} {CLASS_STYLES[name]}")
    for name in used:
        members = [node_id for node_id, cls in view.highlight.items() if cls == name]
        lines.append(f"  class {','.join(members)} {name}")
    return "\n".join(lines) + "\n"


def _clusters(view: View, parent: str | None, indent: str, lines: list[str]) -> None:
    for node in view.nodes:
        if node.cluster == parent:
            start, end = _SHAPES.get(node.kind, ("[", "]"))
            text = "<br/>".join(escape(line) for line in node.lines)
            lines.append(f'{indent}{node.id}{start}"{text}"{end}')
    for cluster in view.clusters:
        if cluster.parent == parent:
            lines.append(f'{indent}subgraph {cluster.id}["{escape(cluster.label)}"]')
            _clusters(view, cluster.id, indent + "  ", lines)
            lines.append(f"{indent}end")


def escape(text: str) -> str:
    """Text safe inside a quoted Mermaid label: entity codes for `#"<>&` and backticks."""
    out = terminal(" ".join(strip_ansi(str(text)).split()))
    for raw, entity in _ENTITIES:
        out = out.replace(raw, entity)
    return out
