"""Report stage: the short cost section of the Markdown check report (Report.cost).

A table of monthly totals per plan and VPC (before → after and the change for update plans),
one line per VPC whose NAT gateways can go, and where the figures come from; cut to a fixed
budget so it never crowds out the findings.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from tfcheck.formats.cost.text import READY, usd
from tfcheck.formats.escape import code as _code
from tfcheck.formats.escape import inline as _inline

Doc = Mapping[str, Any]
HEADING = "#### Cost per month"
_CUT_LINE = 120  # room kept for the "… N more" line


def section(cost: Doc, budget: int) -> str:
    """The section in at most `budget` characters, or "" when not even one line of it fits."""
    plans = cost["plans"]
    multi = len(plans) > 1
    update = any(p["update"] for p in plans if p["error"] is None)
    names = (["Plan"] if multi else []) + ["VPC"]
    money = ["Before", "After", "Change"] if update else ["Monthly"]
    rows = [
        _row(p, vpc, multi, update, cost["traffic_included"])
        for p in plans
        if p["error"] is None
        for vpc in [*p["vpcs"], *({**gone, "removed": True} for gone in p["removed_vpcs"])]
    ]
    extras = [line for p in plans for line in _extras(p, multi)]
    head = [HEADING, ""]
    if rows:
        head += ["| " + " | ".join(names + money) + " |", "|" + "---|" * len(names) + "---:|" * len(money)]
    total = [_total_row(cost["totals"], multi, update)] if len(rows) > 1 else []
    footer = ["", _footer(cost)]
    used = sum(len(line) + 1 for line in head + total + footer) + _CUT_LINE + 1  # + the blank before extras
    body, used = _fit(rows, used, budget)
    notes, used = _fit(extras, used, budget)
    if (rows and not body) or not (body or notes):
        return ""
    lines = head + body + total + ([""] if rows and notes else []) + notes
    cut = [(len(rows) - len(body), "VPC row"), (len(extras) - len(notes), "note")]
    said = [f"{n} more {noun}{'' if n == 1 else 's'}" for n, noun in cut if n]
    if said:  # a blank line first: a line right under a table would be one of its rows
        lines += ["", f"_… {' and '.join(said)}: `tfcheck cost` has them all._"]
    return "\n".join(lines + footer) + "\n"


def _fit(lines: Sequence[str], used: int, budget: int) -> tuple[list[str], int]:
    """The leading `lines` that fit in `budget` after `used` characters, and the new total."""
    kept: list[str] = []
    for line in lines:
        if used + len(line) + 1 > budget:
            break
        kept.append(line)
        used += len(line) + 1
    return kept, used


def _row(plan: Doc, vpc: Doc, multi: bool, update: bool, traffic: bool) -> str:
    where = f" ({vpc['region']})" if vpc.get("region") else ""
    cells = ([_code(plan["plan"])] if multi else []) + [_code(vpc["address"]) + where]
    if vpc.get("removed"):  # a VPC the plan destroys: only its "before" is known
        before = vpc["before_monthly"]
        after, change = "$0.00 (removed)", None if before is None else str(-Decimal(before))
    else:
        after, before, change = _with_traffic(vpc, traffic), vpc["before_monthly"], vpc["delta_monthly"]
    cells += (
        [_money(before), after, f"**{_change(change)}**" if change is not None else "—"]
        if update
        else [after]
    )
    return "| " + " | ".join(cells) + " |"


def _total_row(totals: Doc, multi: bool, update: bool) -> str:
    label = "**Total (partial)**" if totals.get("partial") else "**Total**"
    cells = [label, ""] if multi else [label]
    after = f"**{_money(totals['total_monthly'])}**"
    if update:
        change = totals["delta_monthly"]
        cells += [
            _money(totals["before_monthly"]),
            after,
            f"**{_change(change)}**" if change is not None else "—",
        ]
    else:
        cells.append(after)
    return "| " + " | ".join(cells) + " |"


def _extras(plan: Doc, multi: bool) -> Sequence[str]:
    """A line per VPC whose NAT gateways can go, and one per plan that could not be priced."""
    where = f" in {_code(plan['plan'])}" if multi else ""
    if plan["error"] is not None:
        return [f"> ⚠️ {_code(plan['plan'])} not priced: {_inline(plan['error'])}"]
    out = []
    for vpc in plan["vpcs"]:  # a Region without prices: one line for the VPC, not one per resource
        if vpc.get("unpriced_reason"):
            out.append(
                f"> ⚠️ {_code(vpc['address'])}{where} not priced (left out of the total): "
                f"{_inline(vpc['unpriced_reason'])}"
            )
    unpriced = {vpc["address"] for vpc in plan["vpcs"] if vpc.get("unpriced_reason")}
    for item in plan.get("not_priced") or ():
        if item["vpc"] not in unpriced:
            out.append(
                f"> ⚠️ {_code(item['resource'])}{where} not priced (left out of the total): "
                f"{_inline(item['reason'])}"
            )
    for vpc in plan["vpcs"]:
        ready = vpc.get("nat_ready")
        if ready not in ("yes", "after_endpoints"):
            continue
        line = f"- NAT gateways of {_code(vpc['address'])}{where} can go: {READY[ready]}"
        saving = vpc.get("nat_saving_monthly")
        if saving is not None:
            amount = Decimal(saving)
            line += (
                f"; a NAT-free design saves {usd(saving)}/month"
                if amount >= 0
                else f"; a NAT-free design costs {usd(str(-amount))}/month more"
            )
        out.append(line + ".")
    return out


def _footer(cost: Doc) -> str:
    basis = f"USD, AWS list prices, {cost['hours_per_month']} h/month"
    if cost["traffic_included"]:
        return f"<sub>{basis}; traffic from {_code(cost['usage_file'])}. Line by line: `tfcheck cost`.</sub>"
    return (
        f"<sub>{basis}; fixed charges only, traffic not included (no `--usage` file). "
        "Line by line: `tfcheck cost`.</sub>"
    )


def _with_traffic(vpc: Doc, traffic: bool) -> str:
    if vpc["total_monthly"] is None:
        return "not priced"
    text = _money(vpc["total_monthly"]) + (" (partial)" if vpc.get("partial") else "")
    if traffic and vpc.get("traffic_monthly") is not None:
        text += f" (traffic {usd(vpc['traffic_monthly'])})"
    return text


def _money(value: str | None) -> str:
    return "—" if value is None else usd(value)


def _change(value: str) -> str:
    """As `tfcheck cost` writes a delta: "+$1.00", "-$3.65", "$0.00"."""
    return ("+" if Decimal(value) > 0 else "") + usd(value)
