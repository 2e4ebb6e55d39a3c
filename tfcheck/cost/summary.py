"""Cost stage for `tfcheck check`: the few figures the Markdown report shows of `tfcheck cost`.

Per plan file and VPC: the monthly total (with traffic, given a usage file) and, for an
update plan (one with `prior_state`), the total before the change and the delta. Plans
without `prior_state` are priced only when a usage file asks for it; HCL directories and
stdin (already read by the check) are not priced.
"""
from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from tfcheck.errors import InputError

if TYPE_CHECKING:
    from tfcheck.config import Config

VPC_KEYS = ("address", "region", "total_monthly", "traffic_monthly", "before_monthly", "delta_monthly")


def summarize(paths: Sequence[str | None], usage_path: str | None, prices_path: str | None,
              config: Config | None, wanted: bool = True) -> dict[str, Any] | None:
    """The summary Report.cost holds, or None when there is nothing to show (or not `wanted`).

    A bad usage or price file is an InputError (exit 2) as in `tfcheck cost`; a plan that
    cannot be priced (a Region without a price) gets an `error` line instead, since the
    check itself went fine.
    """
    from tfcheck.cost.report import run_cost
    from tfcheck.cost.prices import load_prices
    from tfcheck.cost.usage import load_usage

    load_usage(usage_path)  # checked once up front, whichever plans follow
    load_prices(prices_path)
    if not wanted:
        return None
    plans: list[dict[str, Any]] = []
    hours = 730
    for path in paths:
        file = _plan_file(path)
        if file is None or (usage_path is None and not _may_have_prior_state(file)):
            continue
        try:
            doc = run_cost([file], usage_path, prices_path, config)
        except InputError as e:
            plans.append({"plan": file, "update": False, "error": f"{e.path}: {e.message}"})
            continue
        plan, hours = doc["plans"][0], doc["hours_per_month"]
        if usage_path is not None or plan["update"]:
            plans.append(_plan(plan))
    if not plans:
        return None
    return {"traffic_included": usage_path is not None, "usage_file": usage_path,
            "hours_per_month": hours, "plans": plans, "totals": _totals(plans)}


def _plan_file(path: str | None) -> str | None:
    """The plan file behind a check input, or None for stdin and HCL directories."""
    if path is None:
        path = os.environ.get("SHOWFILE") or None
    if path is None or path == "-" or os.path.isdir(path):
        return None
    return path


def _may_have_prior_state(path: str) -> bool:
    """A cheap byte test before parsing the plan again: no `"prior_state"` key, no update."""
    try:
        with open(path, "rb") as handle:
            return b'"prior_state"' in handle.read()
    except OSError:
        return False


def _plan(plan: Mapping[str, Any]) -> dict[str, Any]:
    vpcs = []
    for vpc in plan["vpcs"]:
        nat = vpc.get("nat_removal") or {}
        vpcs.append({**{k: vpc[k] for k in VPC_KEYS}, "nat_ready": nat.get("ready"),
                     "nat_saving_monthly": nat.get("saving_monthly")})
    removed = [{"address": gone["address"], "before_monthly": gone["before_monthly"]}
               for gone in plan.get("removed_vpcs") or ()]
    keys = ("plan", "update", "total_monthly", "traffic_monthly", "before_monthly", "delta_monthly")
    return {**{k: plan[k] for k in keys}, "vpcs": vpcs, "removed_vpcs": removed, "error": None}


def _totals(plans: Sequence[Mapping[str, Any]]) -> dict[str, str | None]:
    """Over the priced plans; before and delta only when every one of them is an update."""
    priced = [p for p in plans if p.get("error") is None]

    def total(key: str) -> str | None:
        values = [p[key] for p in priced]
        if not values or any(v is None for v in values):
            return None
        return str(sum((Decimal(v) for v in values), Decimal(0)))

    return {"total_monthly": total("total_monthly"), "before_monthly": total("before_monthly"),
            "delta_monthly": total("delta_monthly"), "traffic_monthly": total("traffic_monthly")}
