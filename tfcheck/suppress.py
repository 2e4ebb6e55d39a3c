"""Suppressions: `# tfcheck:ignore` comments, config waivers and a baseline mark results that
must not fail the run; the results stay in the report with the reason attached."""

from __future__ import annotations

import datetime
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

from tfcheck.findings import Finding, Outcome, Suppression
from tfcheck.globs import matches

IN_SOURCE = "inSource"  # SARIF's suppression kinds
EXTERNAL = "external"

# `# tfcheck:ignore VPCE012 reason`, `// tfcheck:ignore VPCE012,VPCE013 reason`, `/* ... */`
_IGNORE = re.compile(
    r"^(?:#|//|/\*)\s*tfcheck:ignore\b[ \t:=]*(?P<rules>[A-Za-z][\w.-]*(?:\s*,\s*[A-Za-z][\w.-]*)*)?"
    r"(?P<reason>.*?)\s*(?:\*/)?\s*$",
    re.DOTALL,
)


@dataclass(frozen=True)
class Waiver:
    """A config-file waiver: rule id (or glob) × address glob, with a reason and an end date.

    The waiver holds through its `expires` day; from the next day it stops suppressing.
    Globs: `*` any text, `[*]` any one index, everything else literal (like usage files).
    """

    rule: str
    address: str
    reason: str
    expires: datetime.date | None = None

    def expired(self, today: datetime.date) -> bool:
        return self.expires is not None and today > self.expires

    def matches(self, finding: Finding) -> bool:
        return matches(self.rule, finding.rule_id) and matches(self.address, finding.address)

    @property
    def label(self) -> str:
        return f"{self.rule} {self.address}"


def parse_ignores(comments: Iterable[str]) -> tuple[dict[str, str], list[str]]:
    """Rule id → reason from a block's comments; and problems (an ignore naming no rule)."""
    rules: dict[str, str] = {}
    problems: list[str] = []
    for comment in comments:
        match = _IGNORE.match(comment.strip())
        if match is None:
            continue
        if not match["rules"]:
            problems.append(f"{comment.strip()!r} names no rule; write `tfcheck:ignore RULE reason`")
            continue
        reason = " ".join(match["reason"].split())
        for rule in re.split(r"\s*,\s*", match["rules"]):
            rules[rule] = reason
    return rules, problems


def apply(
    results: Iterable[Finding],
    *,
    comments: Mapping[str, Sequence[str]] | None = None,
    waivers: Sequence[Waiver] = (),
    baseline: Collection[tuple[str, str]] = frozenset(),
    baseline_file: str = "baseline",
    today: datetime.date,
) -> list[Finding]:
    """Results with `suppressed` set where a comment, a live waiver or the baseline covers them.

    `comments` maps an instance address to the comments on or above its block (HCL mode,
    or a plan read with its source); `baseline` holds (rule_id, address) pairs. The first
    match wins in that order: in-source comment, waiver, baseline.
    """
    live = [w for w in waivers if not w.expired(today)]
    ignores: dict[str, dict[str, str]] = {}
    out = []
    for finding in results:
        if finding.outcome is Outcome.PASS or finding.suppressed is not None:
            out.append(finding)
            continue
        why = _in_source(finding, comments, ignores)
        if why is None:
            why = next(
                (Suppression(EXTERNAL, w.reason, f"waiver {w.label}") for w in live if w.matches(finding)),
                None,
            )
        if why is None and (finding.rule_id, finding.address) in baseline:
            why = Suppression(EXTERNAL, f"present in the baseline {baseline_file}", "baseline")
        out.append(finding if why is None else finding._replace(suppressed=why))
    return out


def notes(
    waivers: Sequence[Waiver],
    today: datetime.date,
    config: str,
    comments: Mapping[str, Sequence[str]] | None = None,
    known: Collection[str] = (),
) -> list[str]:
    """Warnings about suppressions themselves: expired waivers, ignore comments that name no
    rule or (when `known` is given) a rule that is not loaded."""
    out = [
        f"{config}: waiver {w.label} expired on {w.expires.isoformat()}; it no longer "
        f"suppresses (reason was: {w.reason})"
        for w in waivers
        if w.expires is not None and w.expired(today)
    ]
    for address, block_comments in sorted((comments or {}).items()):
        rules, problems = parse_ignores(block_comments)
        out.extend(f"{address}: {problem}" for problem in problems)
        if known:
            out.extend(
                f"{address}: tfcheck:ignore names {rule}, which is not a loaded rule"
                for rule in sorted(rules)
                if rule not in known
            )
    return out


def _in_source(
    finding: Finding,
    comments: Mapping[str, Sequence[str]] | None,
    cache: dict[str, dict[str, str]],
) -> Suppression | None:
    if not comments:
        return None
    # An implicit object (`aws_vpc.main:main`) is governed by its parent's block.
    address = finding.address.split(":", 1)[0]
    if address not in cache:
        cache[address] = parse_ignores(comments.get(address) or ())[0]
    reason = cache[address].get(finding.rule_id)
    if reason is None:
        return None
    return Suppression(IN_SOURCE, reason or "(no reason given)", "tfcheck:ignore comment")
