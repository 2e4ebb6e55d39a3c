"""Report stage: the `tfcheck cost` document as plain text for a terminal (pure function)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from tfcheck.formats.escape import block

Doc = Mapping[str, Any]
VIA = {
    "nat": "NAT gateway",
    "gateway_endpoint": "gateway endpoint",
    "interface_endpoint_same_az": "interface endpoint",
    "interface_endpoint_other_az": "interface endpoint (other AZ)",
    "igw": "internet gateway",
    "other": "other egress",
    "none": "no path",
    "unknown": "unknown path",
}
READY = {"yes": "yes", "after_endpoints": "yes, after adding endpoints", "no": "no", "unknown": "unknown"}
KIND_NAMES = {
    "nat_gateway": "NAT gateways",
    "interface_endpoint": "interface endpoints",
    "gateway_endpoint": "gateway endpoints",
}
UNITS = {"nat_gateway": "", "interface_endpoint": " endpoint-AZs", "gateway_endpoint": ""}


def usd(value: str | None) -> str:
    """ "1234.50" → "$1,234.50"; "-3.65" → "-$3.65"; None → "n/a"."""
    if value is None:
        return "n/a"
    amount = Decimal(value)
    return ("-" if amount < 0 else "") + "$" + format(abs(amount), ",f")


def money_or(value: str | None, missing: str = "not priced") -> str:
    """A dollar figure, or what stands for one tfcheck cannot state (never "$0.00")."""
    return missing if value is None else usd(value)


def subtotal_text(entry: Doc, traffic_included: bool) -> str:
    """`NAT gateways: fixed 2 × 730 h × $0.045 = $65.70; traffic $90.00` (what a FinOps reader asks)."""
    kind, name = entry["kind"], KIND_NAMES[entry["kind"]]
    if kind == "gateway_endpoint":
        return f"{name}: {entry['resources']}, free (no hourly or data charge)"
    fixed = entry["fixed_monthly"]
    if fixed is None:
        return f"{name}: {entry['resources']}, not priced"
    if entry["hourly"] is not None and entry["units"] is not None and not entry["not_priced"]:
        text = (
            f"{name}: fixed {entry['units']}{UNITS[kind]} × {entry['hours']} h × ${entry['hourly']} = "
            f"{usd(fixed)}"
        )
    else:
        text = f"{name}: fixed {usd(fixed)}"
    if traffic_included:
        text += f"; traffic {money_or(entry['traffic_monthly'], 'not known')}"
    else:
        text += "; traffic not included"
    if entry["not_priced"]:
        text += f" ({entry['not_priced']} of {entry['resources']} not priced)"
    return text


def total_text(part: Doc) -> str:
    """A total that says when it is partial or not priced at all."""
    total = part["total_monthly"]
    if total is None:
        return "not priced"
    missing = len(part.get("not_priced") or ())
    if part.get("partial"):
        return (
            f"{usd(total)} (partial: {missing} item{'s' * (missing != 1)} not priced)"
            if missing
            else f"{usd(total)} (partial)"
        )
    return usd(total)


def gb(value: str) -> str:
    amount = Decimal(value)
    text = format(amount, ",f")
    return text + " GB"


def delta(before: str | None, after: str, change: str | None) -> str:
    sign = "+" if change is not None and Decimal(change) > 0 else ""
    return f"{usd(before)} → {usd(after)} ({sign}{usd(change)})"


def first_rate(doc: Doc, region: str) -> str:
    tiers = (doc["prices"].get(region) or {}).get("interface_endpoint", {}).get("per_gb_tiers") or []
    return f"${tiers[0]['per_gb']}/GB" if tiers else "$/GB"


def line_detail(line: Doc, hours: int, tier_rate: str = "$/GB") -> str:
    """How a line's figure is made: `730 h × $0.045 + 1,000 GB × $0.045`."""
    kind = line["kind"]
    if kind == "gateway_endpoint":
        text = f"{line['service']} gateway endpoint, free"
    elif line["hourly"] is None and kind in ("nat_gateway", "interface_endpoint"):
        azs = f", {line['azs']} AZ{'s' * (line['azs'] != 1)}" if line["azs"] else ""
        text = f"{'NAT gateway' if kind == 'nat_gateway' else line['service'] + ' interface endpoint'}{azs}"
        return text + (f", {gb(line['gb'])}" if line["gb"] is not None else "") + ": not priced"
    elif kind == "nat_gateway":
        text = f"NAT gateway, {hours} h × ${line['hourly']}"
    elif kind == "interface_endpoint":
        azs = "? AZs" if line["azs"] is None else f"{line['azs']} AZ{'s' * (line['azs'] != 1)}"
        text = f"{line['service']} interface endpoint, {azs} × {hours} h × ${line['hourly']}"
    else:
        return line["note"] or "not priced"
    if kind == "gateway_endpoint":
        return text
    if line["gb"] is not None:
        rate = f" × ${line['per_gb']}" if line["per_gb"] is not None else " (tiered)"
        return f"{text} + {gb(line['gb'])}{rate}"
    rate = f"${line['per_gb']}/GB" if line["per_gb"] is not None else f"{tier_rate} tiered"
    return f"{text} + {rate} (traffic not included)"


def path_text(row: Doc) -> str:
    parts = []
    for path in row["now"]["paths"]:
        through = f" {path['through']}" if path["through"] else ""
        parts.append(VIA.get(path["via"], path["via"]) + through)
    return "; ".join(parts) or "no workload path"


def render(doc: Doc) -> str:
    hours = doc["hours_per_month"]
    out = [f"tfcheck cost: monthly USD, {hours} h/month, AWS list prices (dates and sources: --format json)"]
    if doc["traffic_included"]:
        out.append(f"Traffic: from {doc['usage_file']}")
    else:
        out.append("Traffic: not included (no --usage file): fixed charges only; per-GB rates shown")
    for plan in doc["plans"]:
        out += ["", plan["plan"]]
        if not plan["vpcs"]:
            out.append("  no VPC, NAT gateway or VPC endpoint in this plan")
        for vpc in plan["vpcs"]:
            out += _vpc(vpc, hours, first_rate(doc, vpc["region"]), plan["update"], doc["traffic_included"])
        for gone in plan.get("removed_vpcs") or ():
            out.append(f"  VPC {gone['address']}: removed ({money_or(gone['before_monthly'])} → $0.00)")
        if len(plan["vpcs"]) > 1:
            out.append("  By kind")
            out += [f"    {subtotal_text(s, doc['traffic_included'])}" for s in plan["subtotals"]]
        total = f"  Plan total: {total_text(plan)}{'/month' * (plan['total_monthly'] is not None)}"
        if plan["update"]:
            change = delta(plan["before_monthly"], plan["total_monthly"], plan["delta_monthly"])
            total += f"; before → after: {change}"
        out.append(total)
    totals = doc["totals"]
    if len(doc["plans"]) > 1:
        out += ["", "By kind, all plans"]
        out += [f"  {subtotal_text(s, doc['traffic_included'])}" for s in totals["subtotals"]]
        out += [f"Total: {total_text(totals)}{'/month' * (totals['total_monthly'] is not None)}"]
        if totals["delta_monthly"] is not None:
            after = str(Decimal(totals["before_monthly"]) + Decimal(totals["delta_monthly"]))
            out.append(
                f"Change over the update plans: "
                f"{delta(totals['before_monthly'], after, totals['delta_monthly'])}"
            )
    return block("\n".join(out) + "\n")  # values inert (escape.py)


def _vpc(vpc: Doc, hours: int, tier_rate: str, update: bool, traffic: bool) -> list[str]:
    out = [
        f"  VPC {vpc['address']} ({vpc['region'] or 'Region unknown'})",
        "    After apply" if update else "    Today",
    ]
    if vpc.get("unpriced_reason"):
        out.append(f"      not priced: {vpc['unpriced_reason']}")
    width = max([len(line["resource"]) for line in vpc["lines"]] + [10])
    for line in vpc["lines"]:
        detail = line_detail(line, hours, tier_rate)
        out.append(f"      {line['resource']:<{width}}  {money_or(line['monthly']):>12}  {detail}")
    if not vpc["lines"]:
        out.append("      nothing billed (no NAT gateway or VPC endpoint)")
    total = f"      {'total':<{width}}  {total_text(vpc):>12}"
    if vpc["delta_monthly"] is not None:
        total += (
            f"  before → after: {delta(vpc['before_monthly'], vpc['total_monthly'], vpc['delta_monthly'])}"
        )
    out.append(total)
    out += [f"      {subtotal_text(entry, traffic)}" for entry in vpc.get("subtotals") or ()]
    if vpc.get("priced", True):
        out += [
            f"      not priced: {item['resource']}: {item['reason']}" for item in vpc.get("not_priced") or ()
        ]
    for note in vpc["notes"]:
        out.append(f"      note: {note}")
    if vpc.get("services"):
        out.append("    Services the workloads use")
        for row in vpc["services"]:
            out += _service(row)
    nat = vpc.get("nat_removal")
    if nat:
        out += _nat(nat)
    return out


def _service(row: Doc) -> list[str]:
    now = row["now"]
    traffic = f", {gb(row['gb'])}/month" if row["gb"] is not None else ""
    cost = f", {usd(now['monthly'])}/month" if now["monthly"] is not None else ""
    out = [f"      {row['service']}: now {path_text(row)}{traffic}{cost}"]
    alt = row["alternative"]
    if alt:
        where = f" in {', '.join(alt['azs'])}" if alt["azs"] else ""
        name = alt["existing"] or alt["kind"].replace("_", " ") + where
        price = (
            f"+{usd(alt['added_fixed_monthly'])}/month fixed + ${alt['per_gb']}/GB"
            if alt["per_gb"] is not None
            else "not priced"
        )
        if alt["monthly"] is not None:
            price += f" = {usd(alt['monthly'])}/month"
        out.append(f"        alternative: {name}: {price}")
    if row["break_even_gb"] is not None:
        out.append(f"        break-even: {gb(row['break_even_gb'])}/month")
    out.append(f"        → {row['recommendation']['action']}: {row['recommendation']['text']}")
    return out


def _nat(nat: Doc) -> list[str]:
    out = [f"    NAT removal ({', '.join(nat['nat_gateways'])}): {READY[nat['ready']]}"]
    out += [f"      {reason}" for reason in nat["reasons"]]
    for dep in nat["dependents"]:
        out.append(f"      still on the NAT: {dep['workload']} → {dep['service']}")
    for blocker in nat["internet"]:
        out.append(f"      internet: {blocker['workload']} → {', '.join(blocker['destinations'])}")
    for ep in nat["endpoints_needed"]:
        fixed = ep["added_fixed_monthly"]
        out.append(
            f"      endpoint for {ep['service']}: {ep['action']} "
            f"({'+' + usd(fixed) + '/month fixed' if fixed is not None else 'fixed charge not priced'})"
        )
    free = nat["nat_free_monthly"]
    if free is not None:
        label = "NAT-free design" if nat["ready"] != "no" else "NAT-free design (not possible, see above)"
        out.append(
            f"      {label}: {usd(free)}/month vs {usd(nat['today_monthly'])} today "
            f"(saves {usd(nat['saving_monthly'])})"
        )
    out += [f"      note: {note}" for note in nat["notes"]]
    return out
