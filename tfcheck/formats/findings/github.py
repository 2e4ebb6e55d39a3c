"""GitHub Actions workflow commands: one annotation per finding, on its file:line when known.

Escaping follows the runner's command parser (tfcheck/formats/escape.py): in the message `%`,
CR and LF are percent-encoded; in properties `:` and `,` are too, so no text from a plan can
end a property, start a new command line or smuggle in a `::stop-commands::`. The only lines
starting `::` are the commands written here.
"""
from __future__ import annotations

from tfcheck.findings import Finding, Report, Severity
from tfcheck.formats.escape import guard, neutralise, workflow_data, workflow_property
from tfcheck.formats.findings.text import summary_line

COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def render(report: Report, *, color: bool = False, verbose: bool = False) -> str:
    report = neutralise(report)
    # The runner shows only the first few annotations of each kind per step: worst first.
    failed = sorted(report.failed, key=lambda f: (-f.severity.rank, f.sort_key()))
    multi = len(report.plans) > 1
    lines = [_annotation(COMMANDS[f.severity], f, f.message, f.remediation, multi) for f in failed]
    for f in report.inconclusive:
        why = "; ".join(f.reasons)
        lines.append(_annotation("notice", f, f.message + (f" ({why})" if why else ""), "", multi,
                                 suffix=" (inconclusive)"))
    for note in report.notes:
        lines.append(command("warning", {"title": "tfcheck"}, note))
    lines.append(guard(summary_line(report)))
    return "\n".join(lines) + "\n"


def _annotation(kind: str, f: Finding, message: str, fix: str, multi: bool, suffix: str = "") -> str:
    props: dict[str, str] = {}
    if f.file:
        props["file"] = f.file
        if f.line:
            props["line"] = str(f.line)
    props["title"] = f"{f.rule_id} {f.address}{suffix}"
    text = message + (f" Fix: {fix}" if fix else "")
    if multi and f.plan and not f.file:
        text += f" (plan: {f.plan})"
    return command(kind, props, text)


def command(name: str, properties: dict[str, str], message: str) -> str:
    """`::name k=v,k=v::message` with GitHub's escaping."""
    props = ",".join(f"{key}={workflow_property(value)}" for key, value in properties.items())
    return f"::{name}{' ' + props if props else ''}::{workflow_data(message)}"


escape_data = workflow_data  # the names tests and the Action import
escape_property = workflow_property
