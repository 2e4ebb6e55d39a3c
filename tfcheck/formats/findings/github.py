"""GitHub Actions workflow commands: one annotation per finding, on its file:line when known.

Escaping follows the runner's command parser: in the message `%`, CR and LF are
percent-encoded; in properties `:` and `,` are too, so no text from a plan can end a
property, start a new command line or smuggle in a `::stop-commands::`.
"""
from __future__ import annotations

from tfcheck.findings import INTRODUCED, Finding, Report, Severity
from tfcheck.formats.change import new_first, sentences
from tfcheck.formats.findings.text import summary_line

COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def render(report: Report, *, color: bool = False, verbose: bool = False) -> str:
    # The runner shows only the first few annotations of each kind per step: worst first.
    failed = new_first(report.failed)
    multi = len(report.plans) > 1
    lines = [command("notice", {"title": "tfcheck: what this change does"},
                     (f"{c.plan}: " if multi and c.plan else "") + "; ".join(sentences(c)))
             for c in report.changes]
    lines += [_annotation(COMMANDS[f.severity], f, f.message, f.remediation, multi,
                          suffix=" (new)" if f.change == INTRODUCED else "") for f in failed]
    for f in report.inconclusive:
        why = "; ".join(f.reasons)
        lines.append(_annotation("notice", f, f.message + (f" ({why})" if why else ""), "", multi,
                                 suffix=" (inconclusive)"))
    for note in report.notes:
        lines.append(command("warning", {"title": "tfcheck"}, note))
    lines.append(summary_line(report))
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
    props = ",".join(f"{key}={escape_property(value)}" for key, value in properties.items())
    return f"::{name}{' ' + props if props else ''}::{escape_data(message)}"


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")
