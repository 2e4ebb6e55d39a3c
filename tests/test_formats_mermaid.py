"""Mermaid and DOT diagrams: a strict structural check always, Mermaid's own parser when present.

The real parser runs when `node` is on PATH and TFCHECK_MERMAID_NODE_MODULES names a
node_modules directory holding `mermaid` and `jsdom` (`npm install --prefix DIR mermaid@11
jsdom`); tests never download anything.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO, graph

from tfcheck.formats.graph import dot, mermaid
from tfcheck.formats.graph.network import build_view
from tfcheck.graph.read import read_graph

ID = r"[A-Za-z0-9_]+"
LABEL = r'"(?:[^"`<>#\n]|#\w+;|<br/>)*"'
SHAPES = [("[[", "]]"), ("{{", "}}"), ("([", "])"), ("[", "]"), ("(", ")")]
NODE = re.compile(rf"^({ID})(" + "|".join(re.escape(a) + LABEL + re.escape(b) for a, b in SHAPES) + r")$")
EDGE = re.compile(rf"^({ID}) (-->|-\.->)(\|{LABEL}\|)? ({ID})$")
SUBGRAPH = re.compile(rf"^subgraph ({ID})\[{LABEL}\]$")
CLASSDEF = re.compile(rf"^classDef ({ID}) ([a-z-]+:[^,;\s][^,;]*)(,[a-z-]+:[^,;\s][^,;]*)*$")
CLASS = re.compile(rf"^class ({ID}(?:,{ID})*) ({ID})$")


def check_mermaid(text: str) -> None:
    """Fail unless `text` is a flowchart in the strict subset tfcheck writes."""
    lines = text.splitlines()
    assert lines[0] == "flowchart TB", lines[0]
    lines = [line for line in lines if not line.strip().startswith("%% ")]  # Mermaid comments
    depth, declared, clusters, styles = 0, set(), set(), set()
    edges: list[tuple[str, str]] = []
    classed: list[tuple[list[str], str]] = []
    for raw in lines[1:]:
        line = raw.strip()
        if line == "end":
            depth -= 1
            assert depth >= 0, "end without subgraph"
        elif m := SUBGRAPH.match(line):
            depth += 1
            assert m[1] not in clusters | declared, f"duplicate id {m[1]}"
            clusters.add(m[1])
        elif m := NODE.match(line):
            assert m[1] not in declared | clusters, f"duplicate id {m[1]}"
            declared.add(m[1])
        elif m := EDGE.match(line):
            edges.append((m[1], m[4]))
        elif m := CLASSDEF.match(line):
            styles.add(m[1])
        elif m := CLASS.match(line):
            classed.append((m[1].split(","), m[2]))
        else:
            raise AssertionError(f"not a line tfcheck should write: {raw!r}")
    assert depth == 0, "unbalanced subgraph/end"
    for a, b in edges:
        assert a in declared and b in declared, f"edge to an undeclared node: {a} -> {b}"
    for members, name in classed:
        assert name in styles, f"class {name} has no classDef"
        assert set(members) <= declared, f"class on undeclared nodes {members}"


def test_validator_rejects_what_mermaid_would_not_take() -> None:
    good = 'flowchart TB\n  subgraph c0["v"]\n    n0["a #quot;b#quot;<br/>c"]\n  end\n  n0 --> n0\n'
    check_mermaid(good)
    for bad in [
        'flowchart TB\n  n0["a "b""]\n',  # raw quote in a label
        'flowchart TB\n  subgraph c0["v"]\n  n0["a"]\n',  # no end
        'flowchart TB\n  n0["a"]\n  n0 --> n1\n',  # undeclared endpoint
        'flowchart TB\n  n-0["a"]\n',  # bad id
        'flowchart TB\n  n0["<script>"]\n',  # raw HTML
        'flowchart TB\n  n0["a"]\n  class n0 error\n',  # class without classDef
    ]:
        with pytest.raises(AssertionError):
            check_mermaid(bad)


HOSTILE = 'aws_vpc.x["a\\"b"] <img src=x> `tick` #35; & | end'


def hostile_graph() -> dict[str, Any]:
    vpc = {"address": HOSTILE, "cidr": "10.0.0.0/16"}
    subnet = {
        "address": 'aws_subnet.s["end"]',
        "vpc": HOSTILE,
        "az": 'us-east-1a"]\nend',
        "cidr": None,
        "route_table": "aws_route_table.r",
        "egress": "nat",
    }
    table = {
        "address": "aws_route_table.r",
        "vpc": HOSTILE,
        "main": False,
        "subnets": [subnet["address"]],
        "routes": [
            {"destination": "0.0.0.0/0", "target_kind": "nat", "target": "aws_nat_gateway.n"},
            {"destination": "10.1.0.0/16", "target_kind": "tgw", "target": "aws_ec2_transit_gateway.t"},
        ],
        "gateway_endpoints": ["aws_vpc_endpoint.s3"],
    }
    nat = {"address": "aws_nat_gateway.n", "vpc": HOSTILE, "subnet": subnet["address"]}
    s3 = {"address": "aws_vpc_endpoint.s3", "vpc": HOSTILE, "type": "Gateway", "service": "s3", "subnets": []}
    logs = {
        "address": 'aws_vpc_endpoint.i["lo|gs"]',
        "vpc": HOSTILE,
        "type": "Interface",
        "service": "logs",
        "subnets": [subnet["address"], "aws_subnet.elsewhere"],
    }
    app = {
        "address": "aws_lambda_function.f",
        "vpc": HOSTILE,
        "kind": "lambda",
        "subnets": [subnet["address"]],
    }
    return graph(
        vpcs=[vpc],
        subnets=[subnet],
        route_tables=[table],
        nat_gateways=[nat],
        endpoints=[s3, logs],
        workloads=[app],
    )


def fixture_graphs() -> Iterable[tuple[str, dict[str, Any]]]:
    for plan in sorted((REPO / "fixtures").rglob("plan.json")):
        yield str(plan.relative_to(REPO)), read_graph(str(plan))[0]


def test_hostile_labels_are_escaped() -> None:
    view = build_view(
        hostile_graph(),
        highlight={"aws_vpc_endpoint.s3": "error", 'aws_vpc_endpoint.i["lo|gs"]': "inconclusive"},
    )
    text = mermaid.diagram(view)
    check_mermaid(text)
    assert "#quot;" in text and "#lt;img" in text and "#96;tick#96;" in text and "#35;35;" in text
    assert "class n" in text and "classDef error" in text
    # the transit gateway a route names is drawn even though the graph has no item for it
    assert '"transit gateway<br/>aws_ec2_transit_gateway.t"' in text


def test_every_fixture_graph_draws_valid_mermaid_and_dot() -> None:
    count = 0
    for _, g in fixture_graphs():
        check_mermaid(mermaid.render(g))
        text = dot.render(g)
        assert text.startswith("digraph network {") and text.count("{") == text.count("}")
        count += 1
    assert count > 50


def test_view_contents_on_a_real_plan() -> None:
    g = read_graph(str(REPO / "fixtures/rules/VPCE012/fail/plan.json"))[0]
    view = build_view(g)
    kinds = {n.address: n.kind for n in view.nodes}
    assert kinds["aws_nat_gateway.main"] == "nat" and kinds["aws_vpc_endpoint.fail_logs"] == "endpoint"
    nat = next(n for n in view.nodes if n.address == "aws_nat_gateway.main")
    assert next(c.label for c in view.clusters if c.id == nat.cluster) == "us-east-1a"
    ids = {n.address: n.id for n in view.nodes}
    enis = {
        e.source for e in view.edges if e.target == ids["aws_vpc_endpoint.fail_logs"] and e.label == "ENI"
    }
    assert enis == {ids["aws_subnet.private[0]"], ids["aws_subnet.private[1]"]}
    focused = view.focus([ids["aws_vpc_endpoint.fail_logs"]])
    assert {n.address for n in focused.nodes} == {
        "aws_vpc_endpoint.fail_logs",
        "aws_subnet.private[0]",
        "aws_subnet.private[1]",
    }


def test_graph_command_goldens(
    golden: Callable[[str, str], None], capsys: pytest.CaptureFixture[str]
) -> None:
    from tfcheck.cli import main

    plan = str(REPO / "fixtures/rules/VPCE012/fail/plan.json")
    for fmt in ("mermaid", "dot"):
        assert main(["graph", "--format", fmt, plan]) == 0
        golden(f"VPCE012-fail.{fmt}", capsys.readouterr().out)


def test_dot_quoting() -> None:
    assert dot.quote('a"b\\c\nd') == '"a\\"b\\\\c\\nd"'
    text = dot.render(hostile_graph())
    assert 'label="aws_vpc.x[\\"a\\\\\\"b\\"] <img src=x> `tick` #35; & | end 10.0.0.0/16"' in text


@pytest.mark.skipif(shutil.which("dot") is None, reason="graphviz `dot` is not installed")
def test_graphviz_accepts_the_dot(tmp_path: Path) -> None:
    for source in (dot.render(hostile_graph()), dot.render(next(iter(fixture_graphs()))[1])):
        done = subprocess.run(["dot", "-Tsvg"], input=source, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr


PARSER_JS = r"""
import fs from 'fs';
import path from 'path';
import { pathToFileURL } from 'url';
const dir = process.env.TFCHECK_MERMAID_NODE_MODULES;
const entry = (name) => {
  const root = path.join(dir, name);
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  const exp = pkg.exports && pkg.exports['.'];
  let file = (exp && (exp.import || exp.default)) || pkg.module || pkg.main;
  if (typeof file !== 'string') file = file.default;
  return pathToFileURL(path.join(root, file)).href;
};
const { JSDOM } = await import(entry('jsdom'));
const dom = new JSDOM('<!doctype html><html><body></body></html>');
globalThis.window = dom.window;
globalThis.document = dom.window.document;
const { default: mermaid } = await import(entry('mermaid'));
const docs = JSON.parse(fs.readFileSync(0, 'utf8'));
let bad = 0;
for (const [i, text] of docs.entries()) {
  try { await mermaid.parse(text); } catch (e) { bad++; console.log(`diagram ${i}: ${e.message}`); }
}
process.exit(bad ? 1 : 0);
"""


def _mermaid_modules() -> str | None:
    where = os.environ.get("TFCHECK_MERMAID_NODE_MODULES")
    if not where or shutil.which("node") is None:
        return None
    ok = all((Path(where) / name / "package.json").is_file() for name in ("mermaid", "jsdom"))
    return where if ok else None


@pytest.mark.skipif(
    _mermaid_modules() is None, reason="needs node and TFCHECK_MERMAID_NODE_MODULES with mermaid and jsdom"
)
def test_mermaid_parser_accepts_the_diagrams(tmp_path: Path) -> None:
    from test_formats_markdown import big_report

    from tfcheck.formats.findings.markdown import render as markdown

    docs = [mermaid.render(hostile_graph())] + [mermaid.render(g) for _, g in fixture_graphs()]
    text = markdown(big_report(vpcs=30, per_vpc=20))
    docs += re.findall(r"```mermaid\n(.*?)```", text, re.DOTALL)
    script = tmp_path / "parse.mjs"
    script.write_text(PARSER_JS, encoding="utf-8")
    done = subprocess.run(
        ["node", str(script)], input=json.dumps(docs), capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_graph_past_mermaids_limits_is_summarised_not_refused() -> None:
    from test_formats_markdown import big_report

    whole = big_report(vpcs=2, per_vpc=400, fail_every=1000).graphs[0]
    view = build_view(whole)
    assert len(view.edges) > mermaid.MAX_EDGES  # what Mermaid refuses to draw
    text = mermaid.render(whole)
    assert text.startswith("flowchart TB\n  %% summarised: ")
    check_mermaid(text)
    assert text.count(" --> ") + text.count(" -.-> ") <= mermaid.MAX_EDGES and len(text) <= mermaid.MAX_TEXT
    assert re.search(r'"\d+ endpoints"', text) and re.search(r'"\d+ subnets"', text)
    # small networks are drawn whole
    assert "%%" not in mermaid.render(graph(vpcs=[{"address": "aws_vpc.a"}]))


def test_summary_keeps_the_resources_with_findings_and_counts_the_rest() -> None:
    from test_formats_markdown import big_report

    report = big_report(vpcs=1, per_vpc=300, fail_every=50)
    view = build_view(report.graphs[0])
    keep = [n.id for n in view.nodes][:3]
    summary = view.summary(keep)
    named = {n.address for n in summary.nodes if n.id in keep}
    assert named == {n.address for n in view.nodes if n.id in keep}
    assert sum(int(n.lines[0].split()[0]) if n.lines[0][0].isdigit() else 1 for n in summary.nodes) == len(
        view.nodes
    )
