"""Cost stage: the endpoint that would carry a service instead of its NAT path, and the
traffic above which it pays for itself."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from tfcheck.cost.paths import Site
from tfcheck.cost.prices import ZERO, RegionPrices
from tfcheck.graph.facts.context import GATEWAY_ABLE
from tfcheck.graph.model import Item


@dataclass(frozen=True, slots=True)
class Alternative:
    kind: str  # gateway_endpoint | interface_endpoint
    existing: str | None
    azs: tuple[str, ...]
    added_fixed: Decimal | None
    per_gb: Decimal | None  # None: the Region is not priced

    def monthly(self, gb: Decimal | None) -> Decimal | None:
        if self.added_fixed is None or gb is None or self.per_gb is None:
            return None
        return self.added_fixed + gb * self.per_gb

    def describe(self) -> str:
        name = "gateway endpoint" if self.kind == "gateway_endpoint" else "interface endpoint"
        if self.existing:
            return f"the existing {name} {self.existing}"
        if self.kind == "gateway_endpoint":
            return "a gateway endpoint (free)"
        return (
            f"an interface endpoint in {len(self.azs)} AZ{'s' * (len(self.azs) != 1)} ({', '.join(self.azs)})"
        )


def alternative(
    vpc: str,
    service: str,
    users: Sequence[Item],
    site: Site,
    prices: RegionPrices,
    hours: Decimal,
    base_gb: Decimal,
) -> Alternative:
    """The endpoint that would carry `service`: gateway for S3/DynamoDB, else interface in the users' AZs."""
    kind = "gateway_endpoint" if service in GATEWAY_ABLE else "interface_endpoint"
    etype = "Gateway" if kind == "gateway_endpoint" else "Interface"
    existing = next(
        (
            e["address"]
            for e in site.in_vpc(vpc, "endpoints")  # graph order: by address
            if e["service"] == service and e["type"] == etype
        ),
        None,
    )
    if kind == "gateway_endpoint":
        return Alternative(
            kind, existing, (), hours * prices.gateway_hourly if not existing else ZERO, prices.gateway_per_gb
        )
    azs = tuple(sorted({az for w in users for az in w["azs"] if az}))
    if not azs:
        azs = tuple((site.get(vpc) or {}).get("workload_azs") or ())
    if not prices.priced:
        return Alternative(kind, existing, azs, ZERO if existing else None, None)
    fixed = ZERO if existing else (len(azs) * hours * prices.vpce_hourly if azs else None)
    return Alternative(kind, existing, azs, fixed, prices.marginal(base_gb))


def break_even(alt: Alternative, prices: RegionPrices) -> Decimal | None:
    """GB/month above which the endpoint is cheaper than keeping the traffic on a NAT that stays."""
    if alt.added_fixed is None:
        return None
    if alt.added_fixed == ZERO:
        return ZERO
    if alt.per_gb is None or not prices.priced:
        return None
    saved = prices.nat_per_gb - alt.per_gb
    return alt.added_fixed / saved if saved > ZERO else None
