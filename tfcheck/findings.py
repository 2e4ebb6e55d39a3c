"""The one result model: every rule × item result, sorted and counted once for all formats."""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from tfcheck.errors import ExitCode
from tfcheck.graph.model import Graph


class Severity(str, enum.Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return _SEVERITY_RANK[self]


_SEVERITY_RANK = {Severity.ERROR: 3, Severity.WARNING: 2, Severity.INFO: 1}


class Outcome(str, enum.Enum):
    PASS = "pass"
    FAIL = "fail"
    INCONCLUSIVE = "inconclusive"


class FailOn(str, enum.Enum):
    """The lowest severity that makes `tfcheck check` exit 1."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"
    NEVER = "never"


@dataclass(frozen=True, slots=True)
class Suppression:
    """Why a failing or inconclusive result does not count: SARIF's `inSource` (a
    `# tfcheck:ignore` comment) or `external` (a config waiver or the baseline file)."""

    kind: str
    justification: str
    origin: str = ""

    def to_dict(self) -> dict[str, str]:
        return {"kind": self.kind, "justification": self.justification, "origin": self.origin}


@dataclass(frozen=True, slots=True)
class RuleInfo:
    """What formats that describe rules (SARIF, JUnit) need to know of a policy."""

    id: str
    title: str
    severity: Severity
    description: str = ""
    remediation: str = ""
    links: tuple[str, ...] = ()
    page: str = ""  # documentation page, for built-in rules
    resource: str = ""  # the graph collection it runs over


class Finding(NamedTuple):
    """One rule applied to one graph item (pass results are kept for counts and `tfcheck test`).

    A NamedTuple rather than a frozen dataclass (the style guide's default): it is as
    immutable, and a 16,000-resource plan makes 24,500 of them, mostly passes; building
    them cost 42 ms as frozen dataclasses, 8 ms as tuples.
    """

    rule_id: str
    severity: Severity
    address: str
    message: str
    remediation: str
    outcome: Outcome
    reasons: tuple[str, ...] = ()
    file: str | None = None
    line: int | None = None
    plan: str | None = None
    suppressed: Suppression | None = None
    change: str | None = None  # introduced | unchanged | resolved, for update plans (tfcheck.change)

    def sort_key(self) -> tuple[str, str, str]:
        return (self.plan or "", self.address, self.rule_id)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "rule_id": self.rule_id,
            "severity": self.severity.value,
            "address": self.address,
            "message": self.message,
            "remediation": self.remediation,
            "file": self.file,
            "line": self.line,
            "plan": self.plan,
        }
        if self.outcome is Outcome.INCONCLUSIVE:
            data["reasons"] = list(self.reasons)
        if self.suppressed is not None:
            data["suppressed"] = self.suppressed.to_dict()
        if self.change is not None:
            data["change"] = self.change
        return data


INTRODUCED = "introduced"  # Finding.change: how an update plan's change affects the result
RESOLVED = "resolved"
UNCHANGED = "unchanged"


@dataclass(frozen=True, slots=True)
class ReachChange:
    """Workloads of one plan that lose (or gain) a path to the same services."""

    plan: str | None
    services: tuple[str, ...]
    workloads: tuple[str, ...]
    lost: bool = True

    def to_dict(self) -> dict[str, Any]:
        return {
            "plan": self.plan,
            "change": "lose" if self.lost else "gain",
            "services": list(self.services),
            "workloads": list(self.workloads),
        }


@dataclass(frozen=True, slots=True)
class Change:
    """One update plan's before/after comparison."""

    plan: str | None
    resolved: tuple[Finding, ...] = ()  # results failing before, gone after (marked `resolved`)
    reach: tuple[ReachChange, ...] = ()
    removed: tuple[str, ...] = ()  # network items in the prior state and not after
    added: tuple[str, ...] = ()
    counts: Mapping[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "plan": self.plan,
            **{k: self.counts.get(k, 0) for k in (INTRODUCED, RESOLVED, UNCHANGED)},
            "removed": list(self.removed),
            "added": list(self.added),
            "reachability": [r.to_dict() for r in self.reach],
        }


@dataclass(frozen=True, slots=True)
class Report:
    """All results of one run, sorted by plan, address and rule; formats read counts here.

    Suppressed results are kept apart (`suppressed`): they are not in `failed` or
    `inconclusive`, so they never set the exit code. `graphs` holds the Graph of each
    plan (same order as `plans`) for formats that draw the network; `notes` are warnings
    about the run itself (an expired waiver, say). `cost` is the monthly cost summary the
    Markdown report shows (tfcheck.cost.summary), when one was asked for. `changes` holds
    one Change per update plan (tfcheck.change): what the change introduces and resolves.
    """

    results: tuple[Finding, ...]
    plans: tuple[str, ...] = ()
    rules: int = 0
    rule_info: tuple[RuleInfo, ...] = ()
    graphs: tuple[Graph, ...] = field(default=(), repr=False, compare=False)
    notes: tuple[str, ...] = ()
    _by_outcome: Mapping[Outcome | None, tuple[Finding, ...]] = field(
        default_factory=dict, repr=False, compare=False
    )
    cost: Mapping[str, Any] | None = field(default=None, repr=False, compare=False)
    changes: tuple[Change, ...] = ()
    gate: Gate | None = None  # what fails the run, for formats that state a verdict (atlantis)
    # (repository root, working directory), absolute: what SARIF locations are relative to
    location_base: tuple[str, str] | None = None

    @classmethod
    def build(
        cls,
        results: Iterable[Finding],
        plans: Sequence[str] = (),
        rules: int = 0,
        *,
        rule_info: Iterable[RuleInfo] = (),
        graphs: Iterable[Graph] = (),
        notes: Iterable[str] = (),
        cost: Mapping[str, Any] | None = None,
        changes: Iterable[Change] = (),
        gate: Gate | None = None,
        location_base: tuple[str, str] | None = None,
    ) -> Report:
        ordered = tuple(sorted(results, key=Finding.sort_key))
        active = [r for r in ordered if r.suppressed is None]
        by_outcome: dict[Outcome | None, tuple[Finding, ...]] = {
            o: tuple(r for r in active if r.outcome is o) for o in Outcome
        }
        by_outcome[None] = tuple(r for r in ordered if r.suppressed is not None)
        info = tuple(sorted(rule_info, key=lambda r: r.id))
        return cls(
            ordered,
            tuple(plans),
            rules,
            info,
            tuple(graphs),
            tuple(notes),
            by_outcome,
            cost,
            tuple(changes),
            gate,
            location_base,
        )

    @property
    def failed(self) -> tuple[Finding, ...]:
        return self._by_outcome.get(Outcome.FAIL, ())

    @property
    def inconclusive(self) -> tuple[Finding, ...]:
        return self._by_outcome.get(Outcome.INCONCLUSIVE, ())

    @property
    def passed(self) -> tuple[Finding, ...]:
        return self._by_outcome.get(Outcome.PASS, ())

    @property
    def suppressed(self) -> tuple[Finding, ...]:
        """Failed or inconclusive results that a comment, waiver or baseline suppresses."""
        return self._by_outcome.get(None, ())

    def inputs(self) -> list[dict[str, Any]]:
        """How each plan was read (alone, with its source, or as HCL) and its edge counts."""
        out = []
        for label, graph in zip(self.plans, self.graphs):
            summary = graph.get("summary") or {}
            out.append(
                {
                    "plan": label,
                    "mode": summary.get("mode"),
                    "source": summary.get("source_dir"),
                    "edges": summary.get("edges"),
                }
            )
            if summary.get("refused"):  # what the evaluation budget or the file boundary refused
                out[-1]["refused"] = list(summary["refused"])
        return out

    def summary(self) -> dict[str, int]:
        counts = {s.value: 0 for s in Severity}
        for finding in self.failed:
            counts[finding.severity.value] += 1
        return {
            "plans": len(self.plans),
            "rules": self.rules,
            "checks": len(self.results),
            "passed": len(self.passed),
            "failed": len(self.failed),
            "inconclusive": len(self.inconclusive),
            **counts,
        }


@dataclass(frozen=True, slots=True)
class Gate:
    """Which results make a run fail: --fail-on, --strict and --fail-on-new together.

    With `only_new`, results an update plan leaves unchanged do not count (results of inputs
    with no prior state, such as create plans, all count as new).
    """

    fail_on: FailOn = FailOn.ERROR
    strict: bool = False
    only_new: bool = False

    def blocking(self, report: Report) -> tuple[Finding, ...]:
        if self.fail_on is FailOn.NEVER:
            return ()
        threshold = Severity(self.fail_on.value).rank
        counted = report.failed + (report.inconclusive if self.strict else ())
        return tuple(
            f
            for f in counted
            if f.severity.rank >= threshold and not (self.only_new and f.change == UNCHANGED)
        )


def exit_code(report: Report, fail_on: FailOn, strict: bool, only_new: bool = False) -> ExitCode:
    """Exit 1 when a failure (or, with --strict, an inconclusive result) reaches `fail_on`."""
    return ExitCode.FINDINGS if Gate(fail_on, strict, only_new).blocking(report) else ExitCode.OK


def compare_expected(
    results: Sequence[Finding], expected: Mapping[str, Any], rule_id: str | None = None
) -> list[str]:
    """Differences between a case's results and its `expected.yaml` `results:` map.

    `mentions` are words the message must contain, `absent` whole words it must not.

    `pass` also accepts "not in the rule's scope" (no result at all): both mean no finding.
    Addresses not listed must have no fail or inconclusive result.
    """
    mine = [r for r in results if rule_id is None or r.rule_id == rule_id]
    problems: list[str] = []
    for address, want in sorted(expected.items()):
        spec = want if isinstance(want, Mapping) else {"outcome": want}
        got = [r for r in mine if r.address == address]
        outcome = _worst(got)
        wanted = str(spec.get("outcome", "pass"))
        if outcome != wanted and not (wanted == "pass" and outcome is None):
            problems.append(f"{address}: expected {wanted}, got {outcome or 'no result'}")
            continue
        flagged = [r for r in got if r.outcome is not Outcome.PASS]
        if "severity" in spec and flagged:
            severities = sorted({r.severity.value for r in flagged})
            if severities != [str(spec["severity"])]:
                problems.append(
                    f"{address}: expected severity {spec['severity']}, got {', '.join(severities)}"
                )
        text = " ".join(f"{r.message} {r.remediation}" for r in flagged)
        for word in spec.get("mentions") or ():
            if str(word) not in text:
                problems.append(f"{address}: message does not mention {word!r}: {text}")
        for word in spec.get("absent") or ():
            if re.search(rf"(?<![\w.-]){re.escape(str(word))}(?![\w.-])", text):
                problems.append(f"{address}: message mentions {word!r}, which it should not: {text}")
    for r in mine:
        if r.address not in expected and r.outcome is not Outcome.PASS:
            problems.append(f"{r.address}: unexpected {r.outcome.value} ({r.rule_id}): {r.message}")
    return problems


def _worst(results: Sequence[Finding]) -> str | None:
    for outcome in (Outcome.FAIL, Outcome.INCONCLUSIVE, Outcome.PASS):
        if any(r.outcome is outcome for r in results):
            return outcome.value
    return None
