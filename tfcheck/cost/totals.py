"""Cost stage: subtotals per kind (fixed and traffic charges) and what is not priced, and why.

A FinOps reader asks first "what do the NAT gateways cost, fixed vs traffic?", so each VPC
carries one subtotal per kind of billed resource (NAT gateways, interface endpoints, gateway
endpoints) with the figures the fixed charge is made of (units × hours × rate). Nothing unpriced
is ever summed as $0.00: an item without a price is listed with its reason, and a total over
priced items only says it is partial.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from tfcheck.cost.prices import ZERO, RegionPrices
from tfcheck.cost.vpc import Line

KINDS = ("nat_gateway", "interface_endpoint", "gateway_endpoint")


def known_sum(values: Iterable[Decimal | None]) -> Decimal | None:
    """Sum of the known values; None when there are values and none is known (never a made-up 0)."""
    seen = known = False
    total = ZERO
    for value in values:
        seen = True
        if value is not None:
            known = True
            total += value
    return total if known or not seen else None


def not_priced(lines: Sequence[Line], prices: RegionPrices) -> list[dict[str, Any]]:
    """Billed resources whose charge tfcheck cannot state, each with why."""
    out = []
    for line in lines:
        if line.fixed is not None:
            continue
        if line.kind in ("nat_gateway", "interface_endpoint") and not prices.priced:
            reason = prices.unpriced or "no price"
        else:
            reason = line.note or "not priced by tfcheck cost"
        out.append({"resource": line.resource, "kind": line.kind, "reason": reason})
    return out


def subtotals(
    lines: Sequence[Line], prices: RegionPrices, hours: Decimal, traffic_given: bool
) -> list[dict[str, Any]]:
    """One entry per kind present: count, billed units (NAT gateways or endpoint-AZs), rate, charges."""
    out = []
    for kind in KINDS:
        mine = [line for line in lines if line.kind == kind]
        if not mine:
            continue
        if kind == "nat_gateway":
            units: int | None = len(mine)
            hourly = prices.nat_hourly
        elif kind == "interface_endpoint":
            azs = [line.azs for line in mine]
            units = None if None in azs else sum(a for a in azs if a is not None)
            hourly = prices.vpce_hourly
        else:
            units, hourly = len(mine), prices.gateway_hourly
        priced = prices.priced or kind == "gateway_endpoint"
        fixed = known_sum(line.fixed for line in mine)
        traffic = known_sum(line.traffic for line in mine) if traffic_given else None
        out.append(
            {
                "kind": kind,
                "resources": len(mine),
                "units": units,
                "hours": int(hours),
                "hourly": hourly if priced else None,
                "fixed_monthly": fixed,
                "traffic_monthly": traffic,
                "total_monthly": None if fixed is None else fixed + (traffic or ZERO),
                "not_priced": sum(1 for line in mine if line.fixed is None),
            }
        )
    return out


def merge(groups: Iterable[Sequence[Mapping[str, Any]]]) -> list[dict[str, Any]]:
    """Subtotals of many VPCs (or plans) added up per kind; rates kept only where they agree."""
    by_kind: dict[str, list[Mapping[str, Any]]] = {}
    for group in groups:
        for entry in group:
            by_kind.setdefault(entry["kind"], []).append(entry)
    out = []
    for kind in KINDS:
        entries = by_kind.get(kind)
        if not entries:
            continue
        rates = {e["hourly"] for e in entries}
        units = [e["units"] for e in entries]
        fixed = known_sum(e["fixed_monthly"] for e in entries)
        traffic_values = [e["traffic_monthly"] for e in entries]
        traffic = None if all(v is None for v in traffic_values) else known_sum(traffic_values)
        out.append(
            {
                "kind": kind,
                "resources": sum(e["resources"] for e in entries),
                "units": None if None in units else sum(units),
                "hours": entries[0]["hours"],
                "hourly": rates.pop() if len(rates) == 1 else None,
                "fixed_monthly": fixed,
                "traffic_monthly": traffic,
                "total_monthly": None if fixed is None else fixed + (traffic or ZERO),
                "not_priced": sum(e["not_priced"] for e in entries),
            }
        )
    return out
