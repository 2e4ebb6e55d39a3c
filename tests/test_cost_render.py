"""`tfcheck cost` renderers: text for terminals, Markdown for PR comments (pure functions)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tfcheck.config import from_dict
from tfcheck.formats.cost.markdown import render as render_markdown
from tfcheck.formats.cost.text import render as render_text
from tfcheck.run import cost_report

REPO = Path(__file__).resolve().parent.parent
UPDATE = "fixtures/cost/update_remove_nat/plan.json"
NAT_S3 = "fixtures/cost/nat_s3_via_nat/plan.json"

EXPECTED_UPDATE = """\
tfcheck cost: monthly USD, 730 h/month, AWS list prices (dates and sources: --format json)
Traffic: not included (no --usage file): fixed charges only; per-GB rates shown

fixtures/cost/update_remove_nat/plan.json
  VPC aws_vpc.main (us-east-1)
    After apply
      aws_vpc_endpoint.interface["ecr.api"]        $14.60  ecr.api interface endpoint, 2 AZs × 730 h × $0.01 + $0.01/GB tiered (traffic not included)
      aws_vpc_endpoint.interface["ecr.dkr"]        $14.60  ecr.dkr interface endpoint, 2 AZs × 730 h × $0.01 + $0.01/GB tiered (traffic not included)
      aws_vpc_endpoint.interface["logs"]           $14.60  logs interface endpoint, 2 AZs × 730 h × $0.01 + $0.01/GB tiered (traffic not included)
      aws_vpc_endpoint.s3                           $0.00  s3 gateway endpoint, free
      total                                        $43.80  before → after: $47.45 → $43.80 (-$3.65)
      interface endpoints: fixed 6 endpoint-AZs × 730 h × $0.01 = $43.80; traffic not included
      gateway endpoints: 1, free (no hourly or data charge)
    Services the workloads use
      ecr.api: now interface endpoint aws_vpc_endpoint.interface["ecr.api"]
        → keep: already on an interface endpoint
      ecr.dkr: now interface endpoint aws_vpc_endpoint.interface["ecr.dkr"]
        → keep: already on an interface endpoint
      logs: now interface endpoint aws_vpc_endpoint.interface["logs"]
        → keep: already on an interface endpoint
      s3: now gateway endpoint aws_vpc_endpoint.s3
        → keep: already on a gateway endpoint (free)
  Plan total: $43.80/month; before → after: $47.45 → $43.80 (-$3.65)
"""


def test_text_of_an_update_plan(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    assert render_text(cost_report([UPDATE], None, None, from_dict({}))) == EXPECTED_UPDATE


def test_text_shows_traffic_lines_and_nat_removal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    text = render_text(
        cost_report([NAT_S3], "fixtures/cost/usage/infracost-nat-1000.yml", None, from_dict({}))
    )
    assert "Traffic: from fixtures/cost/usage/infracost-nat-1000.yml" in text
    assert (
        "      aws_nat_gateway.main                                $77.85  NAT gateway, 730 h × $0.045 "
        "+ 1,000 GB × $0.045\n" in text
    )
    assert "    NAT removal (aws_nat_gateway.main): yes, after adding endpoints\n" in text
    assert "      NAT-free design: $87.60/month vs $165.45 today (saves $77.85)\n" in text
    assert "        → add_gateway_endpoint: add a gateway endpoint (free)" in text


def test_text_says_when_the_nat_cannot_go(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    config = {"internet_destinations": {"aws_ecs_service.app": ["api.example.com"]}}
    text = render_text(cost_report(["fixtures/cost/nat_idle/plan.json"], None, None, from_dict(config)))
    assert "): no\n      aws_ecs_service.app reaches api.example.com on the internet" in text
    assert "NAT-free design (not possible, see above): $43.80/month vs $109.50 today" in text


def test_markdown_has_tables_readiness_and_assumptions(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    md = render_markdown(cost_report([UPDATE, NAT_S3], None, None, from_dict({})))
    assert md.startswith("## tfcheck cost: NAT gateway vs VPC endpoints\n")
    assert "**Traffic costs are not included**" in md
    assert "#### VPC `aws_vpc.main` (us-east-1): $43.80/month, before → after $47.45 → $43.80 (-$3.65)" in md
    assert (
        "| `aws_nat_gateway.main` | NAT gateway, 730 h × $0.045 + $0.045/GB (traffic not included) | $32.85 |"
        in md
    )
    assert "| **Total** | | **$120.45** |" in md
    assert "| s3 | NAT gateway | gateway endpoint +$0.00 fixed | 0 GB | **add_gateway_endpoint**:" in md
    assert "**Can the NAT gateways go?** yes, after adding endpoints." in md
    assert "- NAT-free design: $87.60/month vs $120.45 today (saves $32.85)" in md
    assert "**Total: $164.25/month**" in md
    assert md.rstrip().endswith("</details>")
    assert "us-east-1: NAT $0.045/h + $0.045/GB; interface endpoint $0.01/AZ/h" in md
