"""Cost stage: one VPC's monthly bill today, line by line, and the per-service what-if.

NAT gateways bill hours + GB; interface endpoints bill AZs × hours + GB on Region-wide
tiers (assigned afterwards by cost.py, which sees the whole Region); gateway endpoints
are free. Per service: the path it takes now, the endpoint that would replace it, the
break-even GB/month and a recommendation.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from tfcheck.cost.alternatives import Alternative, alternative, break_even
from tfcheck.cost.paths import INTERFACE_VIAS, Flow, Hop, Site
from tfcheck.cost.prices import CENT, ZERO, RegionPrices, plain
from tfcheck.cost.usage import Usage


def usd(value: Decimal) -> str:
    return "$" + format(abs(value).quantize(CENT, rounding=ROUND_HALF_UP), ",f")


def gbs(value: Decimal) -> str:
    """GB for prose: exact when whole, else to 0.01 ("1,000 GB", "625.71 GB")."""
    if value != value.to_integral_value():
        value = value.quantize(CENT, rounding=ROUND_HALF_UP)
    text = format(value, ",f")
    return (text.rstrip("0").rstrip(".") if "." in text else text) + " GB"


@dataclass
class Line:
    """One billed resource of today's design (mutable: Region-wide tiers set `traffic` later)."""

    resource: str
    kind: str  # nat_gateway | interface_endpoint | gateway_endpoint | unpriced
    service: str | None
    azs: int | None
    hourly: Decimal | None
    fixed: Decimal | None
    gb: Decimal | None
    gb_source: str | None  # "usage file" (Infracost form) | "service traffic" | None
    per_gb: Decimal | None  # flat rate; None for tiered interface endpoint data
    traffic: Decimal | None
    note: str | None = None

    @property
    def monthly(self) -> Decimal | None:
        if self.fixed is None:
            return None
        return self.fixed + (self.traffic or ZERO)

    def as_dict(self) -> dict[str, Any]:
        return {
            "resource": self.resource,
            "kind": self.kind,
            "service": self.service,
            "azs": self.azs,
            "hourly": self.hourly,
            "fixed_monthly": self.fixed,
            "gb": self.gb,
            "gb_source": self.gb_source,
            "per_gb": self.per_gb,
            "traffic_monthly": self.traffic,
            "monthly": self.monthly,
            "note": self.note,
        }


def _gb(
    usage: Usage, address: str, rtype: str, carried: dict[str, Decimal]
) -> tuple[Decimal | None, str | None]:
    explicit = usage.resource_gb(address, rtype)
    if explicit is not None:
        return explicit, "usage file"
    if address in carried:
        return carried[address], "service traffic"
    return None, None


def bill_lines(
    vpc: str, site: Site, usage: Usage, flows: Sequence[Flow], prices: RegionPrices, hours: Decimal
) -> list[Line]:
    """Today's billed resources of the VPC; interface endpoint `traffic` stays None for cost.py."""
    carried: dict[str, Decimal] = {}
    for flow in flows:
        if flow.hop.through:
            carried[flow.hop.through] = carried.get(flow.hop.through, ZERO) + flow.gb
    lines = []
    priced = prices.priced  # an unpriced Region: NAT and interface money stays None, never $0.00
    for nat in sorted(site.in_vpc(vpc, "nat_gateways"), key=lambda n: n["address"]):
        gb, source = _gb(usage, nat["address"], "aws_nat_gateway", carried)
        note = (
            "private NAT gateway: it serves routes to other networks, which tfcheck does not see"
            if nat.get("connectivity_type") == "private"
            else None
        )
        lines.append(
            Line(
                nat["address"],
                "nat_gateway",
                None,
                None,
                prices.nat_hourly if priced else None,
                hours * prices.nat_hourly if priced else None,
                gb,
                source,
                prices.nat_per_gb if priced else None,
                None if gb is None or not priced else gb * prices.nat_per_gb,
                note,
            )
        )
    for ep in sorted(site.in_vpc(vpc, "endpoints"), key=lambda e: e["address"]):
        gb, source = _gb(usage, ep["address"], "aws_vpc_endpoint", carried)
        if ep["type"] == "Interface":
            azs = len({az for az in ep["azs"] if az}) or len(ep["subnets"])
            unknown = "subnets" in ep["unknown"] or "azs" in ep["unknown"]
            note = "its subnets are not known before apply: AZ count unknown" if unknown and not azs else None
            n = azs if azs or not unknown else None
            fixed = None if n is None or not priced else n * hours * prices.vpce_hourly
            lines.append(
                Line(
                    ep["address"],
                    "interface_endpoint",
                    ep["service"],
                    n,
                    prices.vpce_hourly if priced else None,
                    fixed,
                    gb,
                    source,
                    None,
                    None,
                    note,
                )
            )
        elif ep["type"] == "Gateway":
            lines.append(
                Line(
                    ep["address"],
                    "gateway_endpoint",
                    ep["service"],
                    None,
                    prices.gateway_hourly,
                    hours * prices.gateway_hourly,
                    gb,
                    source,
                    prices.gateway_per_gb,
                    None if gb is None else gb * prices.gateway_per_gb,
                )
            )
        else:
            kind = ep["type"] or "unknown type"
            lines.append(
                Line(
                    ep["address"],
                    "unpriced",
                    ep["service"],
                    None,
                    None,
                    None,
                    gb,
                    source,
                    None,
                    None,
                    f"{kind} endpoint: not priced by tfcheck cost",
                )
            )
    return lines


def _hop_cost(hop: Hop, gb: Decimal, prices: RegionPrices, base_gb: Decimal) -> Decimal | None:
    if not prices.priced and hop.via in ("nat", *INTERFACE_VIAS):
        return None
    if hop.via == "nat":
        return gb * prices.nat_per_gb
    if hop.via in INTERFACE_VIAS:
        return gb * prices.marginal(base_gb)
    if hop.via == "gateway_endpoint":
        return gb * prices.gateway_per_gb
    if hop.via == "igw":
        return ZERO  # no processing charge on the internet gateway path
    return None


def _sum(values: Iterable[Decimal | None]) -> Decimal | None:
    total = ZERO
    for value in values:
        if value is None:
            return None
        total += value
    return total


def service_rows(
    vpc: str,
    site: Site,
    flows: Sequence[Flow],
    prices: RegionPrices,
    hours: Decimal,
    base_gb: Decimal,
    usage: Usage,
    lines: Sequence[Line],
) -> list[dict[str, Any]]:
    """Per AWS service the VPC's workloads need (or send traffic to): now, alternative, advice."""
    workloads = site.in_vpc(vpc, "workloads")
    fixed_of = {line.resource: line.fixed for line in lines}
    has_nat = any(line.kind == "nat_gateway" for line in lines)
    by_service: dict[str, list[Flow]] = {}
    for flow in flows:
        by_service.setdefault(flow.service, []).append(flow)
    rows = []
    for service in sorted({s for w in workloads for s in w["needs"]} | set(by_service)):
        own = by_service.get(service, [])
        sources = {f.source for f in own}
        users = [w for w in workloads if service in w["needs"] or w["address"] in sources]
        hops = {h for w in users for h in site.hops(w, service)} | {f.hop for f in own}
        paths = sorted({(h.via, h.through) for h in hops}, key=lambda p: (p[0], p[1] or ""))
        gb = _sum(f.gb for f in own) if usage.given and own else None
        through_fixed = _sum(fixed_of.get(t) for v, t in paths if v in INTERFACE_VIAS and t)
        traffic = _sum(_hop_cost(f.hop, f.gb, prices, base_gb) for f in own) if gb is not None else None
        now = {
            "paths": [{"via": v, "through": t} for v, t in paths],
            "fixed_monthly": through_fixed,
            "traffic_monthly": traffic,
            "monthly": None if through_fixed is None or traffic is None else through_fixed + traffic,
        }
        row: dict[str, Any] = {
            "service": service,
            "workloads": sorted(w["address"] for w in users),
            "gb": gb,
            "now": now,
            "alternative": None,
            "break_even_gb": None,
        }
        vias = {v for v, _ in paths}
        alt = alternative(vpc, service, users, site, prices, hours, base_gb)
        on_target = vias <= ({"gateway_endpoint"} if alt.kind == "gateway_endpoint" else set(INTERFACE_VIAS))
        if not on_target:
            row["alternative"] = {
                "kind": alt.kind,
                "existing": alt.existing,
                "azs": list(alt.azs),
                "added_fixed_monthly": alt.added_fixed,
                "per_gb": alt.per_gb,
                "monthly": alt.monthly(gb),
            }
            row["break_even_gb"] = break_even(alt, prices) if "nat" in vias else None
        elif alt.kind == "interface_endpoint" and has_nat:
            row["break_even_gb"] = break_even(
                Alternative(
                    alt.kind, None, (), through_fixed, prices.marginal(base_gb) if prices.priced else None
                ),
                prices,
            )
        row["recommendation"] = advise(
            service, vias, gb, now, alt, row["break_even_gb"], on_target, has_nat, prices, hours
        )
        rows.append(row)
    return rows


def advise(
    service: str,
    vias: set[str],
    gb: Decimal | None,
    now: dict[str, Any],
    alt: Alternative,
    be: Decimal | None,
    on_target: bool,
    has_nat: bool,
    prices: RegionPrices,
    hours: Decimal = Decimal(730),
) -> dict[str, Any]:
    """One recommendation: an action code, the monthly saving when traffic is known, and why."""

    def out(action: str, text: str, saving: Decimal | None = None) -> dict[str, Any]:
        return {"action": action, "saving_monthly": saving, "text": text}

    alt_now = alt.monthly(gb)
    saving = now["monthly"] - alt_now if now["monthly"] is not None and alt_now is not None else None
    if "none" in vias:
        return out(
            "no_path",
            f"no path to {service} from some workload subnets today (see VPCE020): add {alt.describe()}",
        )
    if "unknown" in vias:
        return out("unknown", f"the path to {service} is not known before apply; cost not compared")
    if on_target:
        if alt.kind == "gateway_endpoint":
            return out("keep", "already on a gateway endpoint (free)")
        if not has_nat or be is None:
            return out("keep", "already on an interface endpoint")
        if gb is None:
            return out(
                "keep",
                f"already on an interface endpoint; while a NAT gateway stays it is the "
                f"cheaper path above {gbs(be)}/month, and it lets the NAT go",
            )
        if gb < be:
            extra = now["monthly"] - gb * prices.nat_per_gb
            return out(
                "keep",
                f"already on an interface endpoint; at {gbs(gb)}/month it costs {usd(extra)} "
                f"more than the NAT gateway would while the NAT stays (break-even "
                f"{gbs(be)}/month); it pays off once the NAT goes",
                -extra,
            )
        return out(
            "keep",
            f"already on an interface endpoint, cheaper than the NAT path at {gbs(gb)}/month "
            f"(break-even {gbs(be)}/month)",
        )
    if "other" in vias and "nat" not in vias:
        return out(
            "not_priced",
            "traffic leaves through another egress (transit gateway, peering, "
            "appliance): not priced by tfcheck cost",
        )
    if "nat" not in vias:
        if alt.kind == "gateway_endpoint" and vias & set(INTERFACE_VIAS):
            return out(
                "add_gateway_endpoint",
                f"{service} through an interface endpoint is billed; "
                f"{alt.describe()} carries it at no charge",
                saving,
            )
        return out("keep", "public path through the internet gateway: no processing charge")
    if alt.kind == "gateway_endpoint":
        action = "associate_gateway_endpoint" if alt.existing else "add_gateway_endpoint"
        verb = "associate the NAT-routed subnets' route tables with" if alt.existing else "add"
        tail = f", saves {usd(saving)}/month" if saving is not None else ""
        return out(
            action,
            f"{verb} {alt.describe()}: S3/DynamoDB traffic through a NAT gateway "
            f"is always worth moving{tail}",
            saving,
        )
    if alt.existing:
        return out(
            "fix_interface_endpoint",
            f"{alt.existing} exists but the traffic still takes the NAT gateway (private DNS off?): fix it",
            saving,
        )
    if not prices.priced:
        azs = len(alt.azs) or "n"
        return out(
            "depends",
            f"{alt.describe()} is cheaper than the NAT gateway above {azs} AZs × {plain(hours)} h × "
            "(endpoint $/AZ-hour) ÷ (NAT $/GB − endpoint $/GB) GB/month; the Region is not "
            "priced, so the break-even is not computed (add it with --prices FILE)",
        )
    if be is None or alt.added_fixed is None:
        return out("keep_nat", "an interface endpoint never pays off at these prices")
    fixed = usd(alt.added_fixed)
    if gb is None:
        return out(
            "depends",
            f"{alt.describe()} costs {fixed}/month fixed; cheaper than the NAT gateway "
            f"above {gbs(be)}/month (${plain(prices.nat_per_gb)} vs "
            f"${plain(alt.per_gb or ZERO)} per GB)",
        )
    if gb > be:
        return out(
            "add_interface_endpoint",
            f"add {alt.describe()}: {gbs(gb)}/month is above the "
            f"break-even {gbs(be)}, saves {usd(saving or ZERO)}/month",
            saving,
        )
    return out(
        "keep_nat",
        f"keep the NAT path: {gbs(gb)}/month is below the break-even {gbs(be)}; "
        f"an endpoint would cost {usd(-(saving or ZERO))}/month more (unless the NAT "
        "can go altogether)",
        saving,
    )
