"""Cost stage: plans → the `tfcheck cost` document (NAT gateway vs endpoints, per VPC).

Over the graphs the check built (the same ones its findings come from): per VPC: today's bill line by line, the
per-service what-if, NAT removal readiness; for update plans the same bill for the prior
state, and the delta. Money is exact (Decimal) until the document is serialized, where
each figure is rounded half-up to cents and written as a string ("87.60"). A VPC in a Region
without prices keeps its paths, NAT readiness and services, with money as null ("not priced")
and the reason; totals add the priced parts only and say so (`partial`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, NamedTuple

from tfcheck.config import Config
from tfcheck.cost.nat import nat_removal
from tfcheck.cost.paths import Site, build_flows
from tfcheck.cost.prices import ZERO, PriceTable, RegionPrices, money, plain
from tfcheck.cost.totals import known_sum, merge, not_priced, subtotals
from tfcheck.cost.usage import Usage
from tfcheck.cost.vpc import Line, bill_lines, service_rows
from tfcheck.graph.model import Graph

VERSION = 1
GB_KEYS = ("gb", "moved_gb", "break_even_gb")
HUNDREDTH = Decimal("0.01")


class CostInput(NamedTuple):
    """One checked input as cost reads it: its graph, and for an update plan what stood before."""

    label: str
    graph: Graph
    before: Graph | None = None


def cost_document(
    inputs: Sequence[CostInput],
    prices: PriceTable,
    usage: Usage,
    declared: Sequence[tuple[str, list[str]]] = (),
) -> dict[str, Any]:
    """The JSON document (contract: cost/schema.py) for the given graphs."""
    plans = [plan_cost(one, prices, usage, declared) for one in inputs]
    regions = sorted({v["region"] for p in plans for v in p["vpcs"] if v["region"] in prices.regions})
    totals = _totals(plans, usage.given, over_plans=True)
    totals["not_priced"] = [{"plan": p["plan"], **item} for p in plans for item in p["not_priced"]]
    totals["subtotals"] = merge(p["subtotals"] for p in plans)
    unpriced = {v["region"]: v["unpriced_reason"] for p in plans for v in p["vpcs"] if not v["priced"]}
    doc = {
        "version": VERSION,
        "currency": "USD",
        "hours_per_month": int(prices.hours),
        "traffic_included": usage.given,
        "usage_file": usage.path,
        "prices_file": prices.override,
        "assumptions": _assumptions(usage, bool(unpriced)),
        "prices": {r: prices.regions[r].report() for r in regions},
        "unpriced_regions": [
            {"region": r, "reason": unpriced[r]} for r in sorted(unpriced, key=lambda r: r or "")
        ],
        "plans": plans,
        "totals": totals,
    }
    return jsonify(doc)


def declared_destinations(config: Config) -> list[tuple[str, list[str]]]:
    """`internet_destinations` of the settings: address glob → non-AWS destinations."""
    raw = config.internet_destinations
    pairs = raw.items() if isinstance(raw, Mapping) else (raw or ())
    return [
        (str(glob), [dests] if isinstance(dests, str) else [str(d) for d in dests or ()])
        for glob, dests in pairs
    ]


def plan_cost(
    one: CostInput, prices: PriceTable, usage: Usage, declared: Sequence[tuple[str, list[str]]]
) -> dict[str, Any]:
    """One input's VPCs priced; for an update plan, each VPC's change and the removed VPCs."""
    vpcs = analyze(one.graph, one.label, prices, usage, declared, full=True)
    out: dict[str, Any] = {
        "plan": one.label,
        "update": False,
        "vpcs": vpcs,
        **_totals(vpcs, usage.given),
        "removed_vpcs": [],
        "not_priced": [{"vpc": v["address"], **item} for v in vpcs for item in v["not_priced"]],
        "subtotals": merge(v["subtotals"] for v in vpcs),
    }
    if one.before is not None:
        before = {
            v["address"]: v for v in analyze(one.before, one.label, prices, usage, declared, full=False)
        }
        for vpc in vpcs:
            old = before.get(vpc["address"])
            vpc["before_monthly"] = ZERO if old is None else old["total_monthly"]
            vpc["delta_monthly"] = _minus(vpc["total_monthly"], vpc["before_monthly"])
            vpc["partial"] = vpc["partial"] or (old is not None and old["partial"])
        now = {vpc["address"] for vpc in vpcs}
        out["removed_vpcs"] = [
            {
                "address": a,
                "before_monthly": old["total_monthly"],
                "delta_monthly": _minus(ZERO, old["total_monthly"]),
            }
            for a, old in sorted(before.items())
            if a not in now
        ]
        out["update"] = True
        out["before_monthly"] = known_sum(v["total_monthly"] for v in before.values())
        out["delta_monthly"] = _minus(out["total_monthly"], out["before_monthly"])
        out["partial"] = out["partial"] or any(v["partial"] for v in before.values())
    return out


def _minus(after: Decimal | None, before: Decimal | None) -> Decimal | None:
    return None if after is None or before is None else after - before


def _totals(parts: Sequence[Mapping[str, Any]], traffic: bool, over_plans: bool = False) -> dict[str, Any]:
    """Totals over VPCs (or plans): the priced parts added, `partial` when anything is left out.
    Over plans, before and delta are over the update plans only (the others have no "before")."""
    out: dict[str, Any] = {
        "fixed_monthly": known_sum(p["fixed_monthly"] for p in parts),
        "traffic_monthly": known_sum(p["traffic_monthly"] for p in parts) if traffic else None,
        "total_monthly": known_sum(p["total_monthly"] for p in parts),
        "before_monthly": None,
        "delta_monthly": None,
        "partial": any(p["partial"] or p["total_monthly"] is None for p in parts),
    }
    updates = [p for p in parts if over_plans and p["update"]]
    if updates:
        out["before_monthly"] = known_sum(p["before_monthly"] for p in updates)
        out["delta_monthly"] = known_sum(p["delta_monthly"] for p in updates)
    return out


def analyze(
    graph: Graph,
    label: str,
    prices: PriceTable,
    usage: Usage,
    declared: Sequence[tuple[str, list[str]]],
    full: bool,
) -> list[dict[str, Any]]:
    """Per VPC: lines and totals; with `full`, also services and NAT removal readiness."""
    site = Site(graph)
    flows = build_flows(site, usage)
    staged: list[tuple[str, str | None, RegionPrices, list[Line]]] = []
    for address in site.vpc_addresses():
        item = site.get(address) or {}
        region = item.get("region") or graph.get("region")
        rp = prices.region(region)
        staged.append(
            (address, region, rp, bill_lines(address, site, usage, flows.get(address, []), rp, prices.hours))
        )
    base: dict[str | None, Decimal] = {}
    for _, region, rp, lines in staged:  # data tiers are Region-wide: endpoints fill them in order
        for line in lines:
            if line.kind == "interface_endpoint" and line.gb is not None and rp.priced:
                start = base.get(region, ZERO)
                line.traffic = rp.added(start, line.gb)
                base[region] = start + line.gb
    out = []
    for address, region, rp, lines in staged:
        missing = not_priced(lines, rp)
        fixed = sum((line.fixed for line in lines if line.fixed is not None), ZERO) if rp.priced else None
        traffic = (
            sum((line.traffic for line in lines if line.traffic is not None), ZERO) if rp.priced else None
        )
        total = None if fixed is None or traffic is None else fixed + traffic
        notes = [f"{line.resource}: {line.note}" for line in lines if line.note]
        silent = [line.resource for line in lines if line.gb is None and line.kind != "gateway_endpoint"]
        if usage.given and silent:
            notes.append(f"no traffic figure for {', '.join(silent)}: per-GB charges not included")
        vpc: dict[str, Any] = {
            "address": address,
            "region": region,
            "priced": rp.priced,
            "unpriced_reason": rp.unpriced,
            "lines": [line.as_dict() for line in lines],
            "fixed_monthly": fixed,
            "traffic_monthly": traffic if usage.given else None,
            "total_monthly": total,
            "before_monthly": None,
            "delta_monthly": None,
            "partial": bool(missing),
            "not_priced": missing,
            "subtotals": subtotals(lines, rp, prices.hours, usage.given),
            "notes": notes,
        }
        if full:
            own, b = flows.get(address, []), base.get(region, ZERO)
            vpc["services"] = service_rows(address, site, own, rp, prices.hours, b, usage, lines)
            vpc["nat_removal"] = nat_removal(
                address, site, own, lines, rp, prices.hours, b, usage, declared, total
            )
        out.append(vpc)
    return out


def _assumptions(usage: Usage, unpriced: bool = False) -> list[str]:
    out = [
        "A month is 730 hours; prices are AWS list prices in USD (date and source per Region under `prices`).",
        "Only NAT gateway and VPC endpoint charges are counted; data transfer (internet egress, "
        "cross-Region) is not.",
        "Interface endpoint data tiers apply to each Region's monthly total over the plan's interface "
        "endpoints; endpoints fill the tiers in address order, and per-service figures use the rate of the "
        "tier that total is in.",
        "Every figure is exact until shown and then rounded half-up to cents on its own, so lines may "
        "differ from a total by a cent.",
    ]
    if unpriced:
        out.append(
            "Regions under `unpriced_regions` have no price in tfcheck's table: their NAT gateway and "
            "interface endpoint charges are null (not priced, never $0.00) and left out of every total, "
            "which then says `partial`; add them with --prices FILE."
        )
    if usage.given:
        out.append(
            f"Traffic from {usage.path}: a workload's GB are spread evenly over its subnets, a "
            "VPC's over its private workload subnets; an Infracost monthly_data_processed_gb figure "
            "for a NAT gateway or endpoint overrides the service traffic routed through it."
        )
    else:
        out.append(
            "Traffic costs are not included (no usage file): totals are fixed monthly charges, "
            "per-GB rates are shown, and break-even points say when an endpoint pays off."
        )
    return out


def jsonify(value: Any, key: str = "") -> Any:
    """Decimals → strings: money ("…monthly") in cents, GB to 0.01, rates exact."""
    kind = type(value)
    if kind is dict:
        return {k: jsonify(v, k) for k, v in value.items()}
    if kind is list or kind is tuple:
        return [jsonify(v, key) for v in value]
    if kind is Decimal:
        if key.endswith("monthly"):
            return money(value)
        if key in GB_KEYS:
            return plain(value.quantize(HUNDREDTH, rounding=ROUND_HALF_UP))
        return plain(value)
    return value
