"""GitHub Actions workflow commands: one annotation per finding, on its file:line when known.

Escaping follows the runner's command parser: in the message `%`, CR and LF are
percent-encoded; in properties `:` and `,` are too, so no text from a plan can end a
property, start a new command line or smuggle in a `::stop-commands::`.
"""

from __future__ import annotations

from tfcheck.findings import INTRODUCED, Finding, Report, Severity
from tfcheck.formats.change import new_first, sentences
from tfcheck.formats.escape import guard, neutralise, workflow_data, workflow_property
from tfcheck.formats.findings.text import summary_line

COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


# The runner turns only the first 10 commands of each kind (error, warning, notice) of a
# step into annotations; the rest stay plain log lines nobody is pointed at.
PER_KIND = 10


def render(report: Report, *, color: bool = False, verbose: bool = False) -> str:
    """Annotations worst first, at most PER_KIND of each kind, and one notice saying how many
    more there are and where to read them; the log keeps none of them back."""
    report = neutralise(report)
    multi = len(report.plans) > 1
    by_kind: dict[str, list[str]] = {"error": [], "warning": [], "notice": []}
    for c in report.changes:
        by_kind["notice"].append(
            command(
                "notice",
                {"title": "tfcheck: what this change does"},
                (f"{c.plan}: " if multi and c.plan else "") + "; ".join(sentences(c)),
            )
        )
    for f in new_first(report.failed):
        by_kind[COMMANDS[f.severity]].append(
            _annotation(
                COMMANDS[f.severity],
                f,
                f.message,
                f.remediation,
                multi,
                suffix=" (new)" if f.change == INTRODUCED else "",
            )
        )
    for note in report.notes:
        by_kind["warning"].append(command("warning", {"title": "tfcheck"}, note))
    for f in report.inconclusive:
        why = "; ".join(f.reasons)
        by_kind["notice"].append(
            _annotation(
                "notice", f, f.message + (f" ({why})" if why else ""), "", multi, suffix=" (inconclusive)"
            )
        )
    over = {kind: max(0, len(lines) - PER_KIND) for kind, lines in by_kind.items()}
    if over["error"] or over["warning"] or over["notice"]:  # the closing notice takes a slot
        over["notice"] = max(0, len(by_kind["notice"]) - (PER_KIND - 1))
    kept = {kind: lines[: len(lines) - over[kind]] for kind, lines in by_kind.items()}
    first = len(report.changes)  # what the change does leads, as in the other reports
    lines = kept["notice"][:first] + kept["error"] + kept["warning"] + kept["notice"][first:]
    if any(over.values()):
        lines.append(command("notice", {"title": "tfcheck: more findings than annotations"}, _more(over)))
    lines.append(guard(summary_line(report)))
    return "\n".join(lines) + "\n"


def _more(over: dict[str, int]) -> str:
    total = sum(over.values())
    parts = ", ".join(f"{n} {kind}{'' if n == 1 else 's'}" for kind, n in over.items() if n)
    return (
        f"{total} more not annotated ({parts}): GitHub shows {PER_KIND} annotations of each "
        "kind per step. The job summary (tfcheck's Markdown report) and the SARIF and JSON "
        "reports list every finding."
    )


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
