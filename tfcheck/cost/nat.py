"""Cost stage: can a VPC's NAT gateways go? What still needs them, and the NAT-free bill.

Every workload need whose path (from any of its subnets) is a NAT gateway depends on it;
an endpoint can take over any AWS service, but a declared internet destination
(config `internet_destinations`) can only be reached through a NAT (or other egress).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from tfcheck.cost.alternatives import alternative
from tfcheck.cost.paths import VPC_SOURCE, Flow, Site
from tfcheck.cost.prices import ZERO, RegionPrices
from tfcheck.cost.usage import Usage
from tfcheck.cost.vpc import Line, gbs
from tfcheck.globs import matches
from tfcheck.graph.model import Item

Destinations = Sequence[tuple[str, Sequence[str]]]


def internet_destinations(address: str, declared: Destinations) -> list[str]:
    """Every destination declared for the workload by any matching glob (tfcheck/globs.py)."""
    found: list[str] = []
    for pattern, destinations in declared:
        if matches(pattern, address):
            found += [d for d in destinations if d not in found]
    return found


def nat_removal(
    vpc: str,
    site: Site,
    flows: Sequence[Flow],
    lines: Sequence[Line],
    prices: RegionPrices,
    hours: Decimal,
    base_gb: Decimal,
    usage: Usage,
    declared: Destinations,
    today: Decimal | None,
) -> dict[str, Any] | None:
    """Readiness (yes | after_endpoints | no | unknown), dependents, endpoints needed, NAT-free cost."""
    nat_lines = [line for line in lines if line.kind == "nat_gateway"]
    if not nat_lines:
        return None
    workloads = sorted(site.in_vpc(vpc, "workloads"), key=lambda w: w["address"])
    dependents: list[dict[str, Any]] = []
    unknown: list[str] = []
    for w in workloads:
        traffic = {f.service for f in flows if f.source == w["address"]}
        for service in sorted(set(w["needs"]) | traffic):
            hops = site.hops(w, service)
            nats = sorted({h.through for h in hops if h.via == "nat" and h.through})
            if nats:
                dependents.append({"workload": w["address"], "service": service, "nat_gateways": nats})
            elif any(h.via == "unknown" for h in hops):
                unknown.append(f"{w['address']}: the path to {service} is not known before apply")
    for service in sorted({f.service for f in flows if f.source == VPC_SOURCE and f.hop.via == "nat"}):
        nats = sorted(
            {
                f.hop.through
                for f in flows
                if f.source == VPC_SOURCE and f.service == service and f.hop.via == "nat" and f.hop.through
            }
        )
        dependents.append({"workload": VPC_SOURCE, "service": service, "nat_gateways": nats})
    blockers = []
    for w in workloads:
        destinations = internet_destinations(w["address"], declared)
        if not destinations:
            continue
        egress = {sub["egress"] for sub in map(site.get, w["subnets"]) if sub is not None}
        entry = {"workload": w["address"], "destinations": destinations}
        if "nat" in egress:
            blockers.append(entry)
        elif not egress or "unknown" in egress:
            unknown.append(f"{w['address']} declares internet destinations but its egress is not known")
    endpoints = _endpoints(vpc, site, dependents, prices, hours, base_gb)
    doc: dict[str, Any] = {
        "ready": "no" if blockers else "unknown" if unknown else "after_endpoints" if dependents else "yes",
        "nat_gateways": [line.resource for line in nat_lines],
        "dependents": dependents,
        "internet": blockers,
        "endpoints_needed": endpoints,
        "reasons": _reasons(blockers, unknown, dependents, bool(workloads)),
    }
    doc.update(_nat_free(nat_lines, flows, endpoints, prices, base_gb, today))
    doc["notes"] = _notes(vpc, site, nat_lines, flows, usage, workloads)
    return doc


def _endpoints(
    vpc: str,
    site: Site,
    dependents: Sequence[Mapping[str, Any]],
    prices: RegionPrices,
    hours: Decimal,
    base_gb: Decimal,
) -> list[dict[str, Any]]:
    out = []
    for service in sorted({d["service"] for d in dependents}):
        names = {d["workload"] for d in dependents if d["service"] == service}
        users = [i for i in map(site.get, names) if i is not None]
        alt = alternative(vpc, service, users, site, prices, hours, base_gb)
        if alt.kind == "gateway_endpoint":
            action = (
                "associate the NAT-routed route tables with " + alt.existing
                if alt.existing
                else "add an S3/DynamoDB gateway endpoint on the workload route tables"
            )
        else:
            where = ", ".join(alt.azs) or "the workload AZs"
            action = (
                f"make {alt.existing} serve the workloads (private DNS on, subnets in their AZs)"
                if alt.existing
                else f"add an interface endpoint in {where}"
            )
        out.append(
            {
                "service": service,
                "kind": alt.kind,
                "existing": alt.existing,
                "azs": list(alt.azs),
                "added_fixed_monthly": alt.added_fixed,
                "per_gb": alt.per_gb,
                "action": action,
            }
        )
    return out


def _nat_free(
    nat_lines: Sequence[Line],
    flows: Sequence[Flow],
    endpoints: Sequence[Mapping[str, Any]],
    prices: RegionPrices,
    base_gb: Decimal,
    today: Decimal | None,
) -> dict[str, Any]:
    """Today minus the NAT lines, plus the endpoints added and the traffic they take over; money is
    None (not priced) when the Region has no prices or today's bill is not known."""
    removed = sum((line.monthly or ZERO for line in nat_lines), ZERO) if prices.priced else None
    fixed = [e["added_fixed_monthly"] for e in endpoints]
    added = None if None in fixed else sum(fixed, ZERO)
    kinds = {e["service"]: e["kind"] for e in endpoints}
    moved = [f for f in flows if f.hop.via == "nat" and f.service in kinds]
    interface_gb = sum((f.gb for f in moved if kinds[f.service] == "interface_endpoint"), ZERO)
    gateway_gb = sum((f.gb for f in moved if kinds[f.service] == "gateway_endpoint"), ZERO)
    moved_cost = (
        prices.added(base_gb, interface_gb) + gateway_gb * prices.gateway_per_gb if prices.priced else None
    )
    nat_free = (
        None
        if added is None or today is None or removed is None or moved_cost is None
        else today - removed + added + moved_cost
    )
    return {
        "today_monthly": today,
        "nat_monthly": removed,
        "added_endpoints_fixed_monthly": added,
        "moved_traffic_monthly": moved_cost,
        "moved_gb": interface_gb + gateway_gb,
        "nat_free_monthly": nat_free,
        "saving_monthly": None if nat_free is None or today is None else today - nat_free,
    }


def _reasons(
    blockers: Sequence[Mapping[str, Any]],
    unknown: Sequence[str],
    dependents: Sequence[Mapping[str, Any]],
    has_workloads: bool,
) -> list[str]:
    reasons = [
        f"{b['workload']} reaches {', '.join(b['destinations'])} on the internet (config "
        "internet_destinations): only a NAT gateway or other egress can carry that"
        for b in blockers
    ]
    reasons += unknown
    if dependents and not reasons:
        services = sorted({d["service"] for d in dependents})
        reasons.append(
            f"{', '.join(services)} still go{'es' * (len(services) == 1)} through the NAT "
            "gateway: add the endpoints listed, then the NAT gateways can go"
        )
    if not reasons and not has_workloads:
        reasons.append("no workload in the plan uses the NAT gateways (resources outside the plan may)")
    elif not reasons:
        reasons.append(
            "no workload need depends on the NAT gateways: every AWS service they use has an endpoint"
        )
    return reasons


def _notes(
    vpc: str,
    site: Site,
    nat_lines: Sequence[Line],
    flows: Sequence[Flow],
    usage: Usage,
    workloads: Sequence[Item],
) -> list[str]:
    notes = [line.note for line in nat_lines if line.note]
    silent = [
        w["address"]
        for w in workloads
        if not w["needs"]
        and any(sub["egress"] == "nat" for sub in map(site.get, w["subnets"]) if sub is not None)
    ]
    if silent:
        notes.append(
            f"{', '.join(silent)}: no AWS service needs known (tfcheck infers none for this kind); "
            "declare `needs` or `internet_destinations` in the config if it calls anything"
        )
    empty = sorted(
        s["address"] for s in site.in_vpc(vpc, "subnets") if s["egress"] == "nat" and not s["workloads"]
    )
    if empty:
        notes.append(
            f"{len(empty)} subnet(s) route to the NAT gateway with no workload in the plan "
            f"({', '.join(empty[:3])}{', ...' if len(empty) > 3 else ''}): resources outside the "
            "plan may use it"
        )
    for line in nat_lines:
        if line.gb_source != "usage file" or line.gb is None:
            continue
        attributed = sum((f.gb for f in flows if f.hop.through == line.resource), ZERO)
        if line.gb > attributed:
            notes.append(
                f"{line.resource}: {gbs(line.gb - attributed)}/month of its traffic is not attributed "
                "to an AWS service (service_traffic); the NAT-free figure drops it, so if it is "
                "internet traffic the NAT cannot go"
            )
    if not usage.given:
        notes.append("traffic not included (no usage file): figures are fixed monthly charges only")
    return notes
