"""Report stage: the `tfcheck cost` document as plain text for a terminal (pure function)."""
from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from tfcheck.formats.escape import block

Doc = Mapping[str, Any]
VIA = {
    "nat": "NAT gateway", "gateway_endpoint": "gateway endpoint",
    "interface_endpoint_same_az": "interface endpoint", "interface_endpoint_other_az":
    "interface endpoint (other AZ)", "igw": "internet gateway", "other": "other egress",
    "none": "no path", "unknown": "unknown path",
}
READY = {"yes": "yes", "after_endpoints": "yes, after adding endpoints", "no": "no", "unknown": "unknown"}


def usd(value: str | None) -> str:
    """ "1234.50" → "$1,234.50"; "-3.65" → "-$3.65"; None → "n/a"."""
    if value is None:
        return "n/a"
    amount = Decimal(value)
    return ("-" if amount < 0 else "") + "$" + format(abs(amount), ",f")


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
    out = [f"tfcheck cost: monthly USD, {hours} h/month, AWS list prices "
           "(dates and sources: --format json)"]
    if doc["traffic_included"]:
        out.append(f"Traffic: from {doc['usage_file']}")
    else:
        out.append("Traffic: not included (no --usage file): fixed charges only; per-GB rates shown")
    for plan in doc["plans"]:
        out += ["", plan["plan"]]
        if not plan["vpcs"]:
            out.append("  no VPC, NAT gateway or VPC endpoint in this plan")
        for vpc in plan["vpcs"]:
            out += _vpc(vpc, hours, first_rate(doc, vpc["region"]), plan["update"])
        for gone in plan.get("removed_vpcs") or ():
            out.append(f"  VPC {gone['address']}: removed ({usd(gone['before_monthly'])} → $0.00)")
        total = f"  Plan total: {usd(plan['total_monthly'])}/month"
        if plan["update"]:
            change = delta(plan["before_monthly"], plan["total_monthly"], plan["delta_monthly"])
            total += f"; before → after: {change}"
        out.append(total)
    totals = doc["totals"]
    if len(doc["plans"]) > 1:
        out += ["", f"Total: {usd(totals['total_monthly'])}/month"]
        if totals["delta_monthly"] is not None:
            after = str(Decimal(totals["before_monthly"]) + Decimal(totals["delta_monthly"]))
            out.append(f"Change over the update plans: "
                       f"{delta(totals['before_monthly'], after, totals['delta_monthly'])}")
    return block("\n".join(out) + "\n")  # values inert (escape.py)


def _vpc(vpc: Doc, hours: int, tier_rate: str, update: bool) -> list[str]:
    out = [f"  VPC {vpc['address']} ({vpc['region']})", "    After apply" if update else "    Today"]
    width = max([len(line["resource"]) for line in vpc["lines"]] + [10])
    for line in vpc["lines"]:
        detail = line_detail(line, hours, tier_rate)
        out.append(f"      {line['resource']:<{width}}  {usd(line['monthly']):>12}  {detail}")
    if not vpc["lines"]:
        out.append("      nothing billed (no NAT gateway or VPC endpoint)")
    total = f"      {'total':<{width}}  {usd(vpc['total_monthly']):>12}"
    if vpc["delta_monthly"] is not None:
        total += f"  before → after: {delta(vpc['before_monthly'], vpc['total_monthly'], vpc['delta_monthly'])}"
    out.append(total)
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
        price = f"+{usd(alt['added_fixed_monthly'])}/month fixed + ${alt['per_gb']}/GB"
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
        out.append(f"      endpoint for {ep['service']}: {ep['action']} "
                   f"(+{usd(ep['added_fixed_monthly'])}/month fixed)")
    free = nat["nat_free_monthly"]
    if free is not None:
        label = "NAT-free design" if nat["ready"] != "no" else "NAT-free design (not possible, see above)"
        out.append(f"      {label}: {usd(free)}/month vs {usd(nat['today_monthly'])} today "
                   f"(saves {usd(nat['saving_monthly'])})")
    out += [f"      note: {note}" for note in nat["notes"]]
    return out
