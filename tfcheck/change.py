"""What an update plan changes: each finding introduced, resolved or unchanged, and reach lost.

An update plan holds the infrastructure before the change (`prior_state`) and after it, so
the same rules run over both graphs and the results are matched on (rule id, address), as
the baseline matches them: a reviewer learns what this pull request breaks or fixes, without
a baseline file. Reachability is compared per workload, so a deleted NAT gateway reads as
"3 workloads lose ecr.api, ecr.dkr", not as three unrelated VPCE020 failures.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from tfcheck.findings import INTRODUCED, RESOLVED, UNCHANGED, Change, Finding, Outcome, ReachChange
from tfcheck.graph.model import Graph

# The network pieces whose appearance or removal explains a reachability change.
_NETWORK = (
    "nat_gateways",
    "internet_gateways",
    "endpoints",
    "tgw_attachments",
    "route_tables",
    "subnets",
    "security_groups",
    "vpcs",
)


def _key(f: Finding) -> tuple[str, str]:
    return (f.rule_id, f.address)


def classify(
    after: Sequence[Finding],
    before: Sequence[Finding],
    before_graph: Graph,
    after_graph: Graph,
    plan: str | None,
) -> tuple[list[Finding], Change]:
    """`after` with `change` set on every failing or inconclusive result, and the Change.

    A result is unchanged when the same rule flagged the same address before (fail or
    inconclusive either side), introduced otherwise; a result flagged before and passing or
    absent after (its resource deleted, say) is resolved.
    """
    flagged_before = {_key(f): f for f in before if f.outcome is not Outcome.PASS}
    flagged_after = {_key(f) for f in after if f.outcome is not Outcome.PASS}
    out: list[Finding] = []
    counts = {INTRODUCED: 0, RESOLVED: 0, UNCHANGED: 0}
    for f in after:
        if f.outcome is Outcome.PASS:
            out.append(f)
            continue
        change = UNCHANGED if _key(f) in flagged_before else INTRODUCED
        counts[change] += 1
        out.append(f._replace(change=change))
    resolved = tuple(
        sorted(
            (
                f._replace(change=RESOLVED, plan=plan)
                for key, f in flagged_before.items()
                if key not in flagged_after
            ),
            key=Finding.sort_key,
        )
    )
    counts[RESOLVED] = len(resolved)
    removed, added = _network_diff(before_graph, after_graph)
    return out, Change(plan, resolved, reach_changes(before_graph, after_graph, plan), removed, added, counts)


def reach_changes(before: Graph, after: Graph, plan: str | None = None) -> tuple[ReachChange, ...]:
    """Per workload present before and after: services it could reach and now cannot (or the
    reverse), workloads grouped by the same set of services."""
    was = {w["address"]: w for w in before.collection("workloads")}
    groups: dict[tuple[bool, tuple[str, ...]], list[str]] = {}
    for workload in after.collection("workloads"):
        old = was.get(workload["address"])
        if old is None:
            continue
        now, then = _unreachable(workload), _unreachable(old)
        if now is None or then is None:  # undecided on one side: nothing definite to say
            continue
        for lost, services in ((True, now - then), (False, then - now)):
            if services:
                groups.setdefault((lost, tuple(sorted(services))), []).append(workload["address"])
    return tuple(
        ReachChange(plan, services, tuple(sorted(workloads)), lost)
        for (lost, services), workloads in sorted(groups.items(), key=lambda kv: (not kv[0][0], kv[0][1]))
    )


def _unreachable(workload: Mapping[str, Any]) -> set[str] | None:
    value = workload.get("unreachable")
    return set(value) if isinstance(value, (list, tuple)) else None


def _network_diff(before: Graph, after: Graph) -> tuple[tuple[str, ...], tuple[str, ...]]:
    def addresses(graph: Graph) -> set[str]:
        return {
            item["address"]
            for name in _NETWORK
            for item in graph.collection(name)
            if ":" not in item["address"]
        }  # implicit objects follow their parents

    then, now = addresses(before), addresses(after)
    return tuple(sorted(then - now)), tuple(sorted(now - then))
