"""Output for an Atlantis `policy_check` step (`custom_policy_check: true`), where the text is
the verdict.

Atlantis judges a custom policy tool by its output, not its exit code (a step that exits
non-zero has its output dropped). Since v0.39 a policy set fails when the output starts with
`FAIL` or matches `([1-9][0-9]* failure|failures": \\[)`; before that, when it contained
"fail" in any case. So a blocking run starts with one `FAIL - ...` line per blocking finding
and ends with conftest's summary line (`N tests, N passed, N warnings, N failures, N
exceptions`, which Atlantis quotes in its comment); a passing run never writes the word,
and lists what did not block by rule, address and title only (messages may contain it).
What blocks is the run's gate: --fail-on, --strict and --fail-on-new.
"""

from __future__ import annotations

from tfcheck.findings import INTRODUCED, Finding, Gate, Report
from tfcheck.formats.change import sentences

POLICY_SET = "tfcheck"


def render(report: Report, *, color: bool = False, verbose: bool = False) -> str:
    gate = report.gate or Gate()
    blocking = gate.blocking(report)
    ids = {id(f) for f in blocking}
    rest = sorted(
        (f for f in report.failed + report.inconclusive if id(f) not in ids),
        key=lambda f: (f.outcome.value != "fail", -f.severity.rank, f.sort_key()),
    )
    titles = {r.id: r.title for r in report.rule_info}
    lines: list[str] = []
    if blocking:
        for f in sorted(blocking, key=lambda f: (-f.severity.rank, f.sort_key())):
            text = f.message + (f" Fix: {f.remediation}" if f.remediation else "")
            lines.append(f"FAIL - {_where(f)} - {f.rule_id} - {f.address}{_new(f)}: {_line(text)}")
        lines += [
            f"WARN - {_where(f)} - {f.rule_id} - {f.address}{_new(f)}: {_line(f.message)}" for f in rest
        ]
        lines += _notes(report)
        lines.append(summary(len(report.results), len(report.passed), len(rest), len(blocking)))
    else:
        s = report.summary()
        lines.append(
            f"tfcheck: nothing blocks ({_threshold(gate)}): {s['checks']} checks, "
            f"{s['passed']} passed, {len(rest)} not blocking"
        )
        lines += [
            f"WARN - {_where(f)} - {f.rule_id} - {f.address}{_new(f)}: {_line(_what(f, titles))}"
            for f in rest
        ]
        lines += _notes(report)
    return "\n".join(lines) + "\n"


def error_output(path: str, message: str) -> str:
    """A run that could not check its input fails its policy set, visibly."""
    return f"FAIL - {POLICY_SET} - input - {path}: {_line(message)}\n{summary(0, 0, 0, 1)}\n"


def summary(tests: int, passed: int, warnings: int, failures: int) -> str:
    """Conftest's summary line, the one Atlantis quotes per policy set."""

    def n(count: int, noun: str) -> str:
        return f"{count} {noun}{'' if count == 1 else 's'}"

    return (
        f"{n(tests, 'test')}, {passed} passed, {n(warnings, 'warning')}, "
        f"{n(failures, 'failure')}, 0 exceptions"
    )


def _notes(report: Report) -> list[str]:
    """What an update plan changes, then the run's warnings; never the first line."""
    out = [
        f"NOTE - {c.plan or POLICY_SET} - what this change does: {_line('; '.join(sentences(c)))}"
        for c in report.changes
    ]
    return out + [f"NOTE - {POLICY_SET} - {_line(note)}" for note in report.notes]


def _threshold(gate: Gate) -> str:
    """The gate in words without "fail" (older Atlantis fails a set on that word anywhere)."""
    parts = [f"threshold {gate.fail_on.value}"]
    if gate.strict:
        parts.append("inconclusive counted")
    if gate.only_new:
        parts.append("new findings only")
    return ", ".join(parts)


def _what(f: Finding, titles: dict[str, str]) -> str:
    kind = f.severity.value if f.outcome.value == "fail" else "inconclusive"
    return f"{kind}: {titles.get(f.rule_id, f.rule_id)}"


def _where(f: Finding) -> str:
    return f.plan or POLICY_SET


def _new(f: Finding) -> str:
    return " (new)" if f.change == INTRODUCED else ""


def _line(text: str) -> str:
    return " ".join(text.split())
