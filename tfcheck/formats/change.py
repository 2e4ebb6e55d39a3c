"""What an update plan changes, as sentences every findings format can show first.

The text, Markdown and GitHub formats share these lines so a reviewer reads the same summary
in the log, the PR comment and the step summary: the network pieces the change adds or
removes, the workloads that lose (or gain) a path to a service, and the findings it
introduces and resolves.
"""

from __future__ import annotations

from collections.abc import Sequence

from tfcheck.findings import INTRODUCED, RESOLVED, UNCHANGED, Change, Finding, Report

_SHOWN = 5  # addresses spelled out per sentence before "and N more"


def sentences(change: Change, limit: int = _SHOWN) -> list[str]:
    """One change as plain sentences (no markup), most telling first."""
    out = []
    if change.removed:
        out.append(f"removes {_names(change.removed, limit)}")
    if change.added:
        out.append(f"adds {_names(change.added, limit)}")
    for reach in change.reach:
        verb = "lose" if reach.lost else "gain"
        n = len(reach.workloads)
        out.append(
            f"{n} workload{'' if n == 1 else 's'} {verb} {', '.join(reach.services)}: "
            f"{_names(reach.workloads, limit)}"
        )
    out.append(counts(change))
    return out


def counts(change: Change) -> str:
    c = change.counts
    return (
        f"findings: {c.get(INTRODUCED, 0)} introduced, {c.get(RESOLVED, 0)} resolved, "
        f"{c.get(UNCHANGED, 0)} unchanged"
    )


def new_first(findings: Sequence[Finding]) -> list[Finding]:
    """Worst first, and within a severity what the change introduces before what it leaves."""
    return sorted(findings, key=lambda f: (-f.severity.rank, f.change == UNCHANGED, f.sort_key()))


def classified(report: Report) -> bool:
    return bool(report.changes)


def _names(addresses: Sequence[str], limit: int) -> str:
    shown = ", ".join(addresses[:limit])
    more = len(addresses) - limit
    return shown + (f" and {more} more" if more > 0 else "")
