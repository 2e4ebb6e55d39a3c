"""Report stage: the `tfcheck cost` document as GitHub-flavoured Markdown (PR comments)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tfcheck.formats.cost.text import (
    READY,
    VIA,
    delta,
    first_rate,
    gb,
    line_detail,
    money_or,
    subtotal_text,
    total_text,
    usd,
)

Doc = Mapping[str, Any]


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _code(text: str) -> str:
    return f"`{text}`"


def render(doc: Doc) -> str:
    hours = doc["hours_per_month"]
    out = ["## tfcheck cost: NAT gateway vs VPC endpoints", ""]
    if doc["traffic_included"]:
        out.append(f"Monthly USD at {hours} h/month, AWS list prices; traffic from `{doc['usage_file']}`.")
    else:
        out.append(
            f"Monthly USD at {hours} h/month, AWS list prices. **Traffic costs are not included** "
            "(no usage file): fixed charges only, per-GB rates shown."
        )
    for plan in doc["plans"]:
        out += ["", f"### {_code(plan['plan'])}"]
        total = f"Plan total: **{total_text(plan)}{'/month' * (plan['total_monthly'] is not None)}**"
        if plan["update"]:
            change = delta(plan["before_monthly"], plan["total_monthly"], plan["delta_monthly"])
            total += f" (before → after: {change})"
        out += ["", total]
        for vpc in plan["vpcs"]:
            out += _vpc(vpc, hours, first_rate(doc, vpc["region"]), doc["traffic_included"])
        for gone in plan.get("removed_vpcs") or ():
            out += [
                "",
                f"VPC {_code(gone['address'])} is removed: {money_or(gone['before_monthly'])} → $0.00",
            ]
        if len(plan["vpcs"]) > 1:
            out += [
                "",
                "By kind:",
                *[f"- {_cell(subtotal_text(s, doc['traffic_included']))}" for s in plan["subtotals"]],
            ]
    totals = doc["totals"]
    if len(doc["plans"]) > 1:
        out += [
            "",
            "By kind, all plans:",
            *[f"- {_cell(subtotal_text(s, doc['traffic_included']))}" for s in totals["subtotals"]],
        ]
        out += ["", f"**Total: {total_text(totals)}{'/month' * (totals['total_monthly'] is not None)}**"]
    out += ["", "<details><summary>Assumptions</summary>", ""]
    out += [f"- {_cell(a)}" for a in doc["assumptions"]]
    for region, prices in sorted(doc["prices"].items()):
        nat, iface = prices["nat_gateway"], prices["interface_endpoint"]
        out.append(
            f"- {region}: NAT ${nat['hourly']}/h + ${nat['per_gb']}/GB; interface endpoint "
            f"${iface['hourly_per_az']}/AZ/h (as of {nat.get('as_of') or 'n/a'}, "
            f"{nat.get('source') or prices['origin']})"
        )
    for gap in doc.get("unpriced_regions") or ():
        out.append(f"- {gap['region'] or 'Region unknown'}: not priced ({_cell(gap['reason'])})")
    out += ["", "</details>"]
    return "\n".join(out) + "\n"


def _vpc(vpc: Doc, hours: int, tier_rate: str, traffic: bool) -> list[str]:
    total = total_text(vpc) + ("/month" if vpc["total_monthly"] is not None else "")
    head = f"#### VPC {_code(vpc['address'])} ({vpc['region'] or 'Region unknown'}): {total}"
    if vpc["delta_monthly"] is not None:
        head += f", before → after {delta(vpc['before_monthly'], vpc['total_monthly'], vpc['delta_monthly'])}"
    out = ["", head]
    if vpc.get("unpriced_reason"):
        out += ["", f"> ⚠️ Not priced: {_cell(vpc['unpriced_reason'])}"]
    out += ["", "| Resource | Charge | Monthly |", "|---|---|---:|"]
    for line in vpc["lines"]:
        out.append(
            f"| {_code(line['resource'])} | {_cell(line_detail(line, hours, tier_rate))} | "
            f"{money_or(line['monthly'])} |"
        )
    out.append(f"| **Total** | | **{_cell(total_text(vpc))}** |")
    if vpc.get("subtotals"):
        out += ["", *[f"- {_cell(subtotal_text(s, traffic))}" for s in vpc["subtotals"]]]
    if vpc.get("priced", True) and vpc.get("not_priced"):
        out += [
            "",
            *[f"> not priced: {_code(i['resource'])}: {_cell(i['reason'])}" for i in vpc["not_priced"]],
        ]
    if vpc["notes"]:
        out += ["", *[f"> {_cell(note)}" for note in vpc["notes"]]]
    if vpc.get("services"):
        out += ["", "| Service | Now | Alternative | Break-even | Recommendation |", "|---|---|---|---:|---|"]
        for row in vpc["services"]:
            now = "; ".join(VIA.get(p["via"], p["via"]) for p in row["now"]["paths"])
            if row["gb"] is not None:
                now += f", {gb(row['gb'])}: {usd(row['now']['monthly'])}"
            alt = row["alternative"]
            alt_text = "—"
            if alt:
                alt_text = (
                    f"{alt['kind'].replace('_', ' ')} +{usd(alt['added_fixed_monthly'])} fixed"
                    if alt["added_fixed_monthly"] is not None
                    else f"{alt['kind'].replace('_', ' ')}, not priced"
                )
                if alt["monthly"] is not None:
                    alt_text += f" = {usd(alt['monthly'])}"
            be = gb(row["break_even_gb"]) if row["break_even_gb"] is not None else "—"
            rec = row["recommendation"]
            out.append(
                f"| {row['service']} | {_cell(now)} | {_cell(alt_text)} | {be} | "
                f"**{rec['action']}**: {_cell(rec['text'])} |"
            )
    nat = vpc.get("nat_removal")
    if nat:
        out += ["", f"**Can the NAT gateways go?** {READY[nat['ready']]}."]
        out += [f"- {_cell(r)}" for r in nat["reasons"]]
        out += [
            f"- endpoint for {e['service']}: {_cell(e['action'])} "
            f"({'+' + usd(e['added_fixed_monthly']) + '/month' if e['added_fixed_monthly'] is not None else 'not priced'})"
            for e in nat["endpoints_needed"]
        ]
        if nat["nat_free_monthly"] is not None:
            out.append(
                f"- NAT-free design: {usd(nat['nat_free_monthly'])}/month vs "
                f"{usd(nat['today_monthly'])} today (saves {usd(nat['saving_monthly'])})"
            )
        out += [f"- note: {_cell(n)}" for n in nat["notes"]]
    return out
