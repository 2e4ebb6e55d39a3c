"""Graphviz DOT of the network (`tfcheck graph --format dot | dot -Tsvg`): one cluster per VPC
and per AZ, the same nodes and edges as the Mermaid diagram."""

from __future__ import annotations

from tfcheck.formats.graph.network import View, build_view
from tfcheck.graph.model import Graph

_SHAPES = {
    "subnet": "box",
    "route_table": "box3d",
    "endpoint": "hexagon",
    "nat": "octagon",
    "igw": "doubleoctagon",
    "tgw": "octagon",
    "workload": "ellipse",
}
_FILL = {"error": "#ffe3e3", "warning": "#fff3bf", "info": "#e7f5ff", "inconclusive": "#f1f3f5"}


def render(graph: Graph) -> str:
    return diagram(build_view(graph))


def diagram(view: View) -> str:
    lines = [
        "digraph network {",
        '  graph [rankdir=LR, fontname="Helvetica"];',
        '  node [fontname="Helvetica", fontsize=10];',
        '  edge [fontname="Helvetica", fontsize=9];',
    ]
    _clusters(view, None, "  ", lines)
    for edge in view.edges:
        attrs = []
        if edge.label:
            attrs.append(f"label={quote(edge.label)}")
        if edge.dotted:
            attrs.append("style=dashed")
        lines.append(f"  {edge.source} -> {edge.target}" + (f" [{', '.join(attrs)}]" if attrs else "") + ";")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _clusters(view: View, parent: str | None, indent: str, lines: list[str]) -> None:
    for node in view.nodes:
        if node.cluster != parent:
            continue
        attrs = [f"label={quote(chr(10).join(node.lines))}", f"shape={_SHAPES.get(node.kind, 'box')}"]
        fill = _FILL.get(view.highlight.get(node.id, ""))
        if fill:
            attrs += ["style=filled", f'fillcolor="{fill}"', "penwidth=2"]
        lines.append(f"{indent}{node.id} [{', '.join(attrs)}];")
    for cluster in view.clusters:
        if cluster.parent == parent:
            lines.append(f"{indent}subgraph cluster_{cluster.id} {{")
            lines.append(f"{indent}  label={quote(cluster.label)};")
            _clusters(view, cluster.id, indent + "  ", lines)
            lines.append(f"{indent}}}")


def quote(text: str) -> str:
    """A DOT double-quoted string: backslashes and quotes escaped, newlines as `\\n`."""
    escaped = str(text).replace("\\", "\\\\").replace('"', '\\"')
    return '"' + escaped.replace("\r", "").replace("\n", "\\n") + '"'
