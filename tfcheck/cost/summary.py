"""Cost stage for `tfcheck check`: the few figures the Markdown report shows of `tfcheck cost`.

Per checked input and VPC: the monthly total (with traffic, given a usage file) and, for an
update plan (one with `prior_state`), the total before the change and the delta. Inputs
without `prior_state` are priced only when a usage file asks for it. The graphs are the
check's own, so the figures describe the network the findings describe.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from tfcheck.cost.prices import PriceTable
from tfcheck.cost.report import CostInput, jsonify, plan_cost
from tfcheck.cost.usage import Usage
from tfcheck.errors import InputError

VPC_KEYS = (
    "address",
    "region",
    "total_monthly",
    "traffic_monthly",
    "before_monthly",
    "delta_monthly",
    "partial",
    "unpriced_reason",
)


def wanted(usage: Usage, update: bool) -> bool:
    """Is an input priced in the check report? Update plans always, others given a usage file."""
    return usage.given or update


def plan_summary(
    one: CostInput, prices: PriceTable, usage: Usage, declared: Sequence[tuple[str, list[str]]]
) -> dict[str, Any]:
    """One input's figures (a Region without prices gives null money and `not_priced` items), or
    an `error` line when it cannot be priced at all: the check itself went fine, so that is not
    an input error."""
    try:
        plan = jsonify(plan_cost(one, prices, usage, declared))
    except InputError as e:
        return {"plan": one.label, "update": False, "error": f"{e.path}: {e.message}"}
    return _plan(plan)


def summarize(plans: Sequence[Mapping[str, Any]], usage: Usage, hours: int) -> dict[str, Any] | None:
    """The summary Report.cost holds, or None when there is nothing to show."""
    if not plans:
        return None
    return {
        "traffic_included": usage.given,
        "usage_file": usage.path,
        "hours_per_month": hours,
        "plans": list(plans),
        "totals": _totals(plans),
    }


def _plan(plan: Mapping[str, Any]) -> dict[str, Any]:
    vpcs = []
    for vpc in plan["vpcs"]:
        nat = vpc.get("nat_removal") or {}
        vpcs.append(
            {
                **{k: vpc[k] for k in VPC_KEYS},
                "nat_ready": nat.get("ready"),
                "nat_saving_monthly": nat.get("saving_monthly"),
            }
        )
    removed = [
        {"address": gone["address"], "before_monthly": gone["before_monthly"]}
        for gone in plan.get("removed_vpcs") or ()
    ]
    keys = (
        "plan",
        "update",
        "total_monthly",
        "traffic_monthly",
        "before_monthly",
        "delta_monthly",
        "partial",
    )
    missing = [
        {"vpc": i["vpc"], "resource": i["resource"], "reason": i["reason"]} for i in plan["not_priced"]
    ]
    return {
        **{k: plan[k] for k in keys},
        "vpcs": vpcs,
        "removed_vpcs": removed,
        "not_priced": missing,
        "error": None,
    }


def _totals(plans: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Over the plans that could be read; before and delta only when every one is an update. A
    figure some plan cannot state is left out and the totals say `partial` (never a $0.00)."""
    priced = [p for p in plans if p.get("error") is None]

    def total(key: str) -> str | None:
        values = [p[key] for p in priced]
        if not values or (
            key in ("before_monthly", "delta_monthly") and not all(p["update"] for p in priced)
        ):
            return None
        if key == "traffic_monthly" and any(
            v is None and p["total_monthly"] is not None for v, p in zip(values, priced)
        ):
            return None  # a priced plan without traffic figures: no traffic total
        known = [Decimal(v) for v in values if v is not None]
        return str(sum(known, Decimal(0))) if known else None

    partial = any(p.get("error") is not None or p["partial"] or p["total_monthly"] is None for p in plans)
    return {
        "total_monthly": total("total_monthly"),
        "before_monthly": total("before_monthly"),
        "delta_monthly": total("delta_monthly"),
        "traffic_monthly": total("traffic_monthly"),
        "partial": partial,
    }
