"""Graph stage helper: where each need of a workload comes from, and which sources count.

Every need carries its evidence (`need_evidence`: service → reasons, first the one in
`need_reasons`); each reason has a source: `image`, `logs`, `secrets` (the task definition),
`iam` (the workload's roles, graph/iam.py), `tags` (`tfcheck:requires`), `config` (`needs`,
`default_needs`) or `kind` (what AWS documents for the workload kind: launch type, ECS
Exec, EKS, ...). `needs_from` in `.tfcheck.yml` turns the first five off one by one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from tfcheck.graph.builder import Draft

SWITCHABLE = ("image", "logs", "secrets", "iam", "tags")
# Reason texts the builders write, by how they start → their source.
_STARTS = (
    ("ECR image", "image"),
    ("awslogs", "logs"),
    ("secrets injected", "secrets"),
    ("private registry credentials", "secrets"),
    ("declared by tag", "tags"),
    ("declared in config", "config"),
    ("default needs", "config"),
    ("IAM:", "iam"),
)


def source_of(reason: str) -> str:
    """The source of a reason text (`kind` unless it starts as one of the others)."""
    return next((source for start, source in _STARTS if reason.startswith(start)), "kind")


def add_evidence(item: Draft, found: Mapping[str, Sequence[str]], needs_from: Sequence[str] | None) -> None:
    """Record every need's evidence, add `found` (IAM) needs, drop switched-off sources."""
    allowed = set(SWITCHABLE if needs_from is None else needs_from) | {"kind", "config"}
    evidence: dict[str, list[str]] = {}
    for service, reason in item["need_reasons"].items():
        evidence[service] = [reason]
    for service, reasons in found.items():
        evidence.setdefault(service, []).extend(reasons)
    kept: dict[str, list[str]] = {}
    for service, reasons in evidence.items():
        chosen = [r for r in reasons if source_of(r) in allowed]
        if chosen:
            kept[service] = chosen
    item["need_reasons"] = {service: reasons[0] for service, reasons in sorted(kept.items())}
    item["need_evidence"] = dict(sorted(kept.items()))
    item["need_sources"] = {
        service: sorted({source_of(r) for r in reasons}) for service, reasons in sorted(kept.items())
    }
