"""The cost section of the Markdown check report (`check --format markdown [--usage FILE]`)."""

from __future__ import annotations

import dataclasses
import io
import re
import sys
from pathlib import Path
from typing import Any

import pytest
from test_formats_markdown import big_report, utf16_len

from tfcheck.cli import main
from tfcheck.findings import FailOn, Report
from tfcheck.formats import get_renderer
from tfcheck.formats.findings.markdown import COMMENT_LIMIT, COST_MAX, render
from tfcheck.run import CheckOptions, build_report

REPO = Path(__file__).resolve().parent.parent
BASE = "fixtures/cost/update_base/plan.json"
UPDATE = "fixtures/cost/update_remove_nat/plan.json"
NAT_S3 = "fixtures/cost/nat_s3_via_nat/plan.json"
UNPRICED = "fixtures/cost/unpriced_region/plan.json"
SERVICE_TRAFFIC = "fixtures/cost/usage/service-traffic.yml"
NAT_1000 = "fixtures/cost/usage/infracost-nat-1000.yml"

EXPECTED_UPDATE = """\
#### Cost per month

| VPC | Before | After | Change |
|---|---:|---:|---:|
| `aws_vpc.main` (us-east-1) | $47.45 | $43.80 | **-$3.65** |

<sub>USD, AWS list prices, 730 h/month; fixed charges only, traffic not included (no `--usage` file). \
Line by line: `tfcheck cost`.</sub>
"""

EXPECTED_WITH_USAGE = """\
#### Cost per month

| Plan | VPC | Before | After | Change |
|---|---|---:|---:|---:|
| `fixtures/cost/update_base/plan.json` | `aws_vpc.main` (us-east-1) | — | $52.72 (traffic $5.27) | — |
| `fixtures/cost/update_remove_nat/plan.json` | `aws_vpc.main` (us-east-1) | $52.72 | $47.20 (traffic $3.40) | **-$5.52** |
| **Total** |  | — | **$99.92** | — |

- NAT gateways of `aws_vpc.main` in `fixtures/cost/update_base/plan.json` can go: yes, after adding \
endpoints; a NAT-free design costs $23.78/month more.

<sub>USD, AWS list prices, 730 h/month; traffic from `fixtures/cost/usage/service-traffic.yml`. \
Line by line: `tfcheck cost`.</sub>
"""


@pytest.fixture(autouse=True)
def _in_repo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)


def report(
    *plans: str,
    fmt: str | None = "markdown",
    outputs: tuple[tuple[str, str], ...] = (),
    usage: str | None = None,
    prices: str | None = None,
) -> Report:
    return build_report(
        CheckOptions(
            plans,
            (),
            (),
            (),
            FailOn.ERROR,
            False,
            fmt,
            None,
            False,
            False,
            outputs,
            usage=usage,
            prices=prices,
        )
    )


def cost_section(markdown: str) -> str:
    """From the cost heading to the line before the next section (or the end)."""
    match = re.search(r"^#### Cost per month\n.*?(?=^#{2,4} |\Z)", markdown, re.DOTALL | re.MULTILINE)
    assert match, markdown
    return match[0].rstrip("\n") + "\n"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_update_plan_shows_what_the_change_saves() -> None:
    """update_base has no prior_state, so without a usage file only the update plan is priced."""
    text = render(report(BASE, UPDATE))
    assert cost_section(text) == EXPECTED_UPDATE
    assert text.count("#### Cost per month") == 1 and "update_base" not in cost_section(text)


def test_usage_file_adds_traffic_and_prices_every_plan() -> None:
    text = render(report(BASE, UPDATE, usage=SERVICE_TRAFFIC))
    assert cost_section(text) == EXPECTED_WITH_USAGE


def test_usage_on_a_new_plan_shows_today_and_nat_readiness() -> None:
    section = cost_section(render(report(NAT_S3, usage=NAT_1000)))
    # the figures tests/test_cost.py asserts: $165.45 today, NAT-free saves $77.85
    assert (
        "| VPC | Monthly |\n|---|---:|\n| `aws_vpc.main` (us-east-1) | $165.45 (traffic $45.00) |\n"
        in section
    )
    assert (
        "- NAT gateways of `aws_vpc.main` can go: yes, after adding endpoints; a NAT-free design "
        "saves $77.85/month.\n" in section
    )
    assert "traffic from `fixtures/cost/usage/infracost-nat-1000.yml`" in section


@pytest.mark.parametrize("plans", [(BASE,), (NAT_S3,), ("fixtures/cost/update_remove_nat",)])
def test_no_cost_section_without_usage_or_prior_state(plans: tuple[str, ...]) -> None:
    """A new plan without a usage file, or an HCL directory (never priced)."""
    result = report(*plans)
    assert result.cost is None
    assert "Cost" not in render(result)


def test_stdin_is_not_read_twice(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO((REPO / UPDATE).read_bytes())))
    code, out, err = run(capsys, "check", "--format", "markdown", "-")
    # One read serves the findings and the cost section alike.
    assert code == 0 and err == "" and "Cost" in out


def test_only_markdown_asks_for_cost() -> None:
    assert report(UPDATE, fmt="json").cost is None
    assert report(UPDATE, fmt="text", usage=NAT_1000).cost is None
    assert report(UPDATE, fmt=None, outputs=(("markdown", "out.md"),)).cost is not None


@pytest.mark.parametrize("fmt", ["json", "text", "sarif", "junit", "github"])
def test_other_formats_are_unchanged(fmt: str) -> None:
    plain = report(BASE, UPDATE, fmt=fmt)
    both = report(BASE, UPDATE, fmt=fmt, outputs=(("markdown", "x.md"),), usage=SERVICE_TRAFFIC)
    assert both.cost is not None and plain == both  # cost is not part of a report's equality
    render_other = get_renderer(fmt)
    assert render_other(both, color=False, verbose=True) == render_other(plain, color=False, verbose=True)


def test_cli_check_markdown_with_usage(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    out_file = tmp_path / "report.md"
    code, out, err = run(
        capsys,
        "check",
        BASE,
        UPDATE,
        "--usage",
        SERVICE_TRAFFIC,
        "--format",
        "json",
        "--format",
        f"markdown:{out_file}",
    )
    assert code == 0 and err == ""
    assert out == run(capsys, "check", BASE, UPDATE, "--format", "json")[1]  # JSON as without cost
    assert cost_section(out_file.read_text(encoding="utf-8")) == EXPECTED_WITH_USAGE


@pytest.mark.parametrize(
    "option, content, words",
    [
        ("--usage", None, "no such usage file"),
        ("--usage", "version: 0.1\nresource_usage: [1, 2]\n", "resource_usage"),
        ("--prices", None, "no such price file"),
        ("--prices", "regions: {us-east-1: 3}\n", "regions"),
    ],
)
def test_bad_usage_or_price_file_exits_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, option: str, content: str | None, words: str
) -> None:
    path = tmp_path / "input.yml"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    for fmt in ("markdown", "json"):  # a file the user names is checked whatever the format
        code, out, err = run(capsys, "check", UPDATE, option, str(path), "--format", fmt)
        assert code == 2 and out == ""
        assert err.startswith(f"tfcheck: error: {path}: ") and words in err and "Traceback" not in err


def test_unpriced_region_is_a_line_not_an_error(tmp_path: Path) -> None:
    text = render(report(UNPRICED, NAT_S3, usage=NAT_1000))
    section = cost_section(text)
    assert (
        "| `fixtures/cost/nat_s3_via_nat/plan.json` | `aws_vpc.main` (us-east-1) | $165.45 (traffic $45.00) |"
        in section
    )
    # never summed as $0.00: the row says "not priced", the total says partial, a line says why and how to fix
    assert (
        "| `fixtures/cost/unpriced_region/plan.json` | `aws_vpc.main` (ca-central-1) | not priced |"
        in section
    )
    assert "| **Total (partial)** |  | **$165.45** |" in section
    assert (
        "> ⚠️ `aws_vpc.main` in `fixtures/cost/unpriced_region/plan.json` not priced (left out of the total): "
        "Region ca-central-1 has no price"
        in section
        and "--prices FILE" in section
    )
    assert "$0.00" not in section
    prices = tmp_path / "prices.yml"
    prices.write_text(
        """regions:
  ca-central-1:
    nat_gateway: {hourly: "0.05", per_gb: "0.05"}
    interface_endpoint:
      hourly_per_az: "0.011"
      per_gb_tiers: [{up_to_gb: null, per_gb: "0.01"}]
""",
        encoding="utf-8",
    )
    section = cost_section(render(report(UNPRICED, usage=NAT_1000, prices=str(prices))))
    assert "not priced" not in section and "(ca-central-1)" in section


def with_cost(base: Report, vpcs: int) -> Report:
    """`base` with a cost summary of `vpcs` VPC rows in one update plan."""
    rows = [
        {
            "address": f'module.net["{i}"].aws_vpc.this',
            "region": "us-east-1",
            "total_monthly": "43.80",
            "traffic_monthly": None,
            "before_monthly": "47.45",
            "delta_monthly": "-3.65",
            "nat_ready": "yes",
            "nat_saving_monthly": "32.85",
        }
        for i in range(vpcs)
    ]
    plan: dict[str, Any] = {
        "plan": "big.json",
        "update": True,
        "total_monthly": "1.00",
        "traffic_monthly": None,
        "before_monthly": "1.00",
        "delta_monthly": "0.00",
        "vpcs": rows,
        "removed_vpcs": [],
        "error": None,
    }
    cost = {
        "traffic_included": False,
        "usage_file": None,
        "hours_per_month": 730,
        "plans": [plan],
        "totals": {
            "total_monthly": "1.00",
            "before_monthly": "1.00",
            "delta_monthly": "0.00",
            "traffic_monthly": None,
        },
    }
    return dataclasses.replace(base, cost=cost)


def test_cost_section_keeps_to_its_budget_on_a_huge_report() -> None:
    base = big_report()
    plain, costed = render(base), render(with_cost(base, 500))
    assert utf16_len(costed) < COMMENT_LIMIT - 5_000
    section = cost_section(costed)
    assert len(section) <= COST_MAX
    assert re.search(
        r"\n\n_… 4\d\d more VPC rows and 500 more notes: `tfcheck cost` has them all._\n",
        section,
        re.MULTILINE,
    )
    assert "| **Total** | $1.00 | **$1.00** | **$0.00** |" in section
    # the rest of the comment gave up no more than the section's own room
    assert len(plain) - COST_MAX <= len(costed.replace(section, "")) <= len(plain) + 1


def test_cost_section_is_cut_first_on_a_tiny_budget() -> None:
    report_ = with_cost(big_report(vpcs=5, per_vpc=32), 3)
    text = render(report_, budget=2_000)
    assert len(text) < 2_000 and "Cost per month" not in text
    assert text.rstrip().splitlines()[-1].startswith("_… the cost section, ")
    roomy = render(report_, budget=20_000)
    assert cost_section(roomy).count("| `module.net[") == 3 and "has them all" not in roomy


def test_removed_vpc_and_an_increase() -> None:
    from tfcheck.formats.findings.cost_section import section

    vpc = {
        "address": "aws_vpc.new",
        "region": "eu-west-1",
        "total_monthly": "21.90",
        "traffic_monthly": None,
        "before_monthly": "0.00",
        "delta_monthly": "21.90",
        "nat_ready": None,
        "nat_saving_monthly": None,
    }
    plan = {
        "plan": "p.json",
        "update": True,
        "total_monthly": "21.90",
        "traffic_monthly": None,
        "before_monthly": "32.85",
        "delta_monthly": "-10.95",
        "vpcs": [vpc],
        "removed_vpcs": [{"address": "aws_vpc.old", "before_monthly": "32.85"}],
        "error": None,
    }
    cost = {
        "traffic_included": False,
        "usage_file": None,
        "hours_per_month": 730,
        "plans": [plan],
        "totals": {
            "total_monthly": "21.90",
            "before_monthly": "32.85",
            "delta_monthly": "-10.95",
            "traffic_monthly": None,
        },
    }
    text = section(cost, COST_MAX)
    assert (
        "| `aws_vpc.new` (eu-west-1) | $0.00 | $21.90 | **+$21.90** |\n"
        "| `aws_vpc.old` | $32.85 | $0.00 (removed) | **-$32.85** |\n"
        "| **Total** | $32.85 | **$21.90** | **-$10.95** |\n" in text
    )
    assert section(cost, 200) == ""


def test_update_plan_in_an_unpriced_region_is_listed_not_summed_as_zero(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """eu-west-1 has no sourced price: the PR comment's cost section says so; the check still exits 0/1."""
    eu = "fixtures/graph/existing_add_endpoint/plan.json"
    code, out, err = run(capsys, "check", "--format", "markdown", "--no-source", eu, UPDATE)
    assert code in (0, 1) and "Traceback" not in err
    section = cost_section(out)
    assert (
        "| `fixtures/graph/existing_add_endpoint/plan.json` | `aws_vpc.main` (eu-west-1) | — | not priced | — |"
        in section
    )
    assert "| **Total (partial)** |  | $47.45 | **$43.80** | **-$3.65** |" in section
    assert (
        "`aws_vpc.main` in `fixtures/graph/existing_add_endpoint/plan.json` not priced (left out of the "
        "total): Region eu-west-1 has no price" in section
    )
