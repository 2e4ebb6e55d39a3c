"""Text report for terminals and CI logs: failures grouped by resource, inconclusive apart, one summary line."""

from __future__ import annotations

import itertools
from typing import Any

from tfcheck.findings import INTRODUCED, Finding, Outcome, Report, Severity
from tfcheck.formats.change import sentences
from tfcheck.formats.escape import guard, neutralise, terminal

_COLORS = {"error": "31", "warning": "33", "info": "36", "bold": "1", "dim": "2", "ok": "32"}


def render(report: Report, *, color: bool = False, verbose: bool = False) -> str:
    report = neutralise(report)
    paint = _painter(color)
    lines: list[str] = []
    for change in report.changes:  # an update plan: what this change does, before the rest
        where = f" ({change.plan})" if change.plan and len(report.plans) > 1 else ""
        lines.append(paint("bold", f"What this change does{where}:"))
        lines += [f"  {line}" for line in sentences(change)]
        lines += [f"  {paint('ok', 'resolved')} {f.rule_id}  {f.address}" for f in change.resolved]
        lines.append("")
    shown = report.failed + (report.passed if verbose else ())
    for plan, in_plan in itertools.groupby(sorted(shown, key=Finding.sort_key), key=lambda f: f.plan):
        if plan and len(report.plans) > 1:
            lines.append(paint("bold", plan))
        for address, group in itertools.groupby(in_plan, key=lambda f: f.address):
            found = list(group)
            lines.append("  " + paint("bold", address) + _location(found[0]))
            for f in found:
                if f.outcome is Outcome.FAIL:
                    label = paint(f.severity.value, f"{f.severity.value:<7}")
                    new = "[new] " if f.change == INTRODUCED else ""
                    lines.append(f"    {label} {f.rule_id}  {new}{f.message}")
                    if f.remediation:
                        lines.append(f"    {'':<7} {'':<{len(f.rule_id)}}  fix: {f.remediation}")
                else:
                    lines.append(f"    {paint('ok', 'pass   ')} {f.rule_id}")
    if report.inconclusive:
        if lines and lines[-1]:
            lines.append("")
        lines.append(paint("dim", "inconclusive (undecided before apply; --strict fails on them):"))
        for f in report.inconclusive:
            where = f" [{f.plan}]" if f.plan and len(report.plans) > 1 else ""
            lines.append(f"  {f.address}{where}  {f.rule_id}  {f.message}")
            for reason in f.reasons:
                lines.append(f"      {reason}")
    if verbose:
        for read in report.inputs():
            how = {"plan": "the plan alone", "state": "the state alone", "hcl": "HCL source"}.get(
                str(read["mode"]), terminal(f"{read['mode']} from {read['source']}")
            )
            edges = read["edges"] or {}
            lines.append(
                paint(
                    "dim",
                    f"{read['plan']}: read {how}; {edges.get('resolved', 0)} edges "
                    f"resolved, {edges.get('unknown', 0)} unknown",
                )
            )
    if lines and lines[-1]:
        lines.append("")
    lines.append(summary_line(report, paint))
    return guard("\n".join(lines) + "\n")


def summary_line(report: Report, paint: Any = None) -> str:
    paint = paint or _painter(False)
    s = report.summary()
    parts = [
        _count(s[Severity.ERROR.value], "error"),
        _count(s[Severity.WARNING.value], "warning"),
        f"{s[Severity.INFO.value]} info",
        f"{s['inconclusive']} inconclusive",
        f"{s['passed']} passed",
    ]
    tail = f" ({_count(s['checks'], 'check')}, {_count(s['rules'], 'rule')}, {_count(s['plans'], 'plan')})"
    key = "error" if s["error"] else "warning" if s["failed"] else "ok"
    return paint(key, ", ".join(parts)) + tail


def _location(f: Finding) -> str:
    if f.file:
        return f"  ({f.file}:{f.line})" if f.line else f"  ({f.file})"
    return ""


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _painter(color: bool) -> Any:
    def paint(key: str, text: str) -> str:
        return f"\x1b[{_COLORS[key]}m{text}\x1b[0m" if color else text

    return paint
