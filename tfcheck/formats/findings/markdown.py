"""Markdown for a PR comment or $GITHUB_STEP_SUMMARY: counts, a findings table and a Mermaid
diagram of each VPC with a finding, kept under GitHub's comment limit.

GitHub rejects a comment over 65,536 characters, so sections are added in order of
importance (summary, findings, diagrams, inconclusive, suppressed) while they fit a
budget, and the last line says what was left out. The cost section (when Report.cost is
set) sits under the findings table in a small fixed budget of its own, cut before anything
else: at most COST_MAX characters and a tenth of what the summary left.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from tfcheck.findings import INTRODUCED, UNCHANGED, Change, Finding, Outcome, Report, Severity
from tfcheck.formats.change import new_first, sentences
from tfcheck.formats.escape import cell as _cell
from tfcheck.formats.escape import code as _code
from tfcheck.formats.escape import guard
from tfcheck.formats.escape import inline as _inline
from tfcheck.formats.findings.cost_section import section
from tfcheck.formats.findings.text import summary_line
from tfcheck.formats.graph.mermaid import diagram, fits
from tfcheck.formats.graph.network import build_view, vpc_of

COMMENT_LIMIT = 65_536
BUDGET = 60_000  # leaves room for the Action's marker line and a heading of the caller's
DIAGRAM_MAX = 20_000  # Mermaid refuses diagrams over 50,000 characters; stay well below
COST_MAX = 2_000
_RESERVE = 400  # for the closing "omitted" line
_RESOLVED_SHOWN = 10


def render(report: Report, *, color: bool = False, verbose: bool = False, budget: int = BUDGET) -> str:
    out = _Out(budget - _RESERVE)
    s = report.summary()
    icon = "❌" if s["error"] else "⚠️" if s["failed"] else "✅"
    tail = f", {len(report.suppressed)} suppressed" if report.suppressed else ""
    out.force(f"## {icon} tfcheck\n\n{summary_line(report)}{tail}\n")
    notes = [f"> ⚠️ {_inline(n)}" for n in report.notes]
    if notes:
        out.force("\n".join(notes[:20]) + "\n")
    multi = len(report.plans) > 1
    for change in report.changes:  # update plans: what this change does comes first
        out.force(_change(change, multi))
    changed = bool(report.changes)
    failed = new_first(report.failed)
    # With diagrams to draw, the table may take 60% of what is left, so some of them fit too.
    share = 0.6 if report.graphs and failed else 1.0
    cost = _cost(report, out.left)
    out.left -= len(cost) + 1 if cost else 0  # set aside before the table takes its share
    header = (["Change"] if changed else []) + ["Severity", "Rule", "Resource", "Message"]
    pages = {r.id: r.page for r in report.rule_info if r.page}  # built-in rules link their page
    rows_left = _table(
        out,
        header + (["Plan"] if multi else []),
        [_finding_row(f, multi, changed, pages) for f in failed],
        cap=int(out.left * share),
    )
    if cost:
        out.left += len(cost) + 1
        out.force(cost)
    diagrams_left = _diagrams(out, report)
    undecided_left = _details(
        out,
        f"{len(report.inconclusive)} inconclusive (undecided before apply)",
        ["Rule", "Resource", "Unknown"],
        [
            [_cell(f.rule_id), _code(f.address), _cell("; ".join(f.reasons) or f.message)]
            for f in report.inconclusive
        ],
    )
    suppressed_left = _details(
        out,
        f"{len(report.suppressed)} suppressed",
        ["Rule", "Resource", "Why"],
        [[_cell(f.rule_id), _code(f.address), _cell(_why(f))] for f in report.suppressed],
    )
    cut = [
        (rows_left, "finding"),
        (diagrams_left, "VPC diagram"),
        (undecided_left, "inconclusive result"),
        (suppressed_left, "suppressed result"),
    ]
    omitted = [f"{n} more {noun}{'' if n == 1 else 's'}" for n, noun in cut if n]
    if report.cost and not cost:
        omitted.insert(0, "the cost section")
    if omitted:
        out.force(
            f"_… {', '.join(omitted)} omitted to stay under GitHub's comment size limit; "
            "the JSON and SARIF reports have everything._\n"
        )
    return guard("\n".join(out.parts))


def _cost(report: Report, left: int) -> str:
    if not report.cost:
        return ""
    return section(report.cost, min(COST_MAX, left // 10))


class _Out:
    def __init__(self, budget: int) -> None:
        self.left = budget
        self.parts: list[str] = []

    def fits(self, text: str) -> bool:
        return len(text) + 1 <= self.left

    def force(self, text: str) -> None:
        self.parts.append(text)
        self.left -= len(text) + 1

    def add(self, text: str) -> bool:
        if not self.fits(text):
            return False
        self.force(text)
        return True


def _table(out: _Out, header: Sequence[str], rows: Sequence[Sequence[str]], cap: int | None = None) -> int:
    """Add as many rows as fit (in `cap` characters, if given); the number left out."""
    if not rows:
        return 0
    limit = out.left if cap is None else min(cap, out.left)
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    used = sum(len(line) + 1 for line in lines)
    taken = 0
    for row in rows:
        line = "| " + " | ".join(row) + " |"
        if used + len(line) + 2 > limit:
            break
        lines.append(line)
        used += len(line) + 1
        taken += 1
    if taken:
        out.force("\n".join(lines) + "\n")
    return len(rows) - taken


def _details(out: _Out, summary: str, header: Sequence[str], rows: Sequence[Sequence[str]]) -> int:
    if not rows:
        return 0
    opening, closing = f"<details><summary>{summary}</summary>\n", "</details>\n"
    if not out.fits(opening + closing + "x" * 200):
        return len(rows)
    out.force(opening)
    out.left -= len(closing) + 1
    left = _table(out, header, rows)
    out.left += len(closing) + 1
    out.force(closing)
    return left


def _diagrams(out: _Out, report: Report) -> int:
    """A diagram per VPC with a failure, worst first; how many did not fit."""
    todo: list[tuple[int, int, str]] = []  # (-worst rank, plan index, vpc)
    highlights: list[dict[str, str]] = []
    for i, graph in enumerate(report.graphs):
        plan = report.plans[i] if i < len(report.plans) else None
        mine = [f for f in report.failed + report.inconclusive if f.plan == plan]
        highlights.append(_highlight(mine))
        worst: dict[str, int] = {}
        for f in report.failed:
            vpc = vpc_of(graph, f.address) if f.plan == plan else None
            if f.plan == plan and vpc is not None:
                worst[vpc] = max(worst.get(vpc, 0), f.severity.rank)
        todo += [(-rank, i, vpc) for vpc, rank in worst.items()]
    todo.sort()
    multi = len(report.plans) > 1
    omitted = 0
    for _, i, vpc in todo:
        if not out.fits("x" * 300):
            omitted += 1
            continue
        view = build_view(report.graphs[i], [vpc], highlights[i])
        text, note = diagram(view), ""
        if not fits(view, text, DIAGRAM_MAX):  # too big to draw whole: problems and their neighbours,
            part = view.focus(view.highlight)
            text, note = diagram(part), " (resources with findings and their neighbours)"
            if not fits(part, text, DIAGRAM_MAX):  # ... or counts per AZ and kind, problems spelled out
                part = view.summary(view.highlight)
                text, note = (
                    diagram(part),
                    " (summarised: counts per AZ and kind; resources with findings named)",
                )
            if not fits(part, text, DIAGRAM_MAX):  # ... or the problems alone
                part = view.focus(view.highlight, neighbours=False)
                text, note = diagram(part), " (only resources with findings)"
        where = f" in {_code(report.plans[i])}" if multi else ""
        block = f"#### Network: {_code(vpc)}{where}{note}\n\n```mermaid\n{text}```\n"
        if len(text) > DIAGRAM_MAX or not out.add(block):
            omitted += 1
    return omitted


def _highlight(findings: Sequence[Finding]) -> dict[str, str]:
    """Address → Mermaid class: the worst failing severity, else `inconclusive`."""
    out: dict[str, str] = {}
    rank: dict[str, int] = {}
    for f in findings:
        r = f.severity.rank if f.outcome is Outcome.FAIL else 0
        if f.address not in rank or r > rank[f.address]:
            rank[f.address] = r
            out[f.address] = f.severity.value if r else "inconclusive"
    return out


def _change(change: Change, multi: bool) -> str:
    """The update plan's summary: what it adds and removes, reach lost, findings resolved."""
    where = f" ({_code(change.plan)})" if multi and change.plan else ""
    lines = [f"### What this change does{where}", ""]
    lines += [f"- {_inline(line)}" for line in sentences(change)]
    for f in change.resolved[:_RESOLVED_SHOWN]:
        lines.append(f"- ✅ resolved: {f.rule_id} {_code(f.address)}")
    if len(change.resolved) > _RESOLVED_SHOWN:
        lines.append(f"- … and {len(change.resolved) - _RESOLVED_SHOWN} more resolved")
    return "\n".join(lines) + "\n"


def _finding_row(
    f: Finding, multi: bool, changed: bool = False, pages: Mapping[str, str] | None = None
) -> list[str]:
    label = f"**{f.severity.value}**" if f.severity is Severity.ERROR else f.severity.value
    resource = _code(f.address)
    if f.file:
        resource += "<br>" + _code(f"{f.file}:{f.line}" if f.line else f.file)
    message = _cell(f.message) + (f"<br>**Fix:** {_cell(f.remediation)}" if f.remediation else "")
    rule = f"[{f.rule_id}]({pages[f.rule_id]})" if pages and f.rule_id in pages else _cell(f.rule_id)
    row = [label, rule, resource, message]
    if changed:
        row.insert(0, "🆕 new" if f.change == INTRODUCED else "unchanged" if f.change == UNCHANGED else "")
    return row + ([_code(f.plan or "")] if multi else [])


def _why(f: Finding) -> str:
    assert f.suppressed is not None
    return f"{f.suppressed.justification} ({f.suppressed.origin or f.suppressed.kind})"
