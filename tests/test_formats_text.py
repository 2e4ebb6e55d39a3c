from __future__ import annotations

from collections.abc import Callable

from conftest import graph, workload

from tfcheck.findings import Finding, Outcome, Report, Severity
from tfcheck.formats import FORMATS, get_renderer
from tfcheck.formats.findings.text import render
from tfcheck.formats.graph.text import render as render_graph
from tfcheck.formats.reach import render_text as render_reach


def sample_report(plans: tuple[str, ...] = ("plan.json",)) -> Report:
    last = plans[-1]
    return Report.build(
        [
            Finding(
                "VPCE010",
                Severity.ERROR,
                "aws_vpc_endpoint.logs",
                "Private DNS is off.",
                "Set private_dns_enabled = true.",
                Outcome.FAIL,
                file="main.tf",
                line=7,
                plan=plans[0],
            ),
            Finding(
                "VPCE012",
                Severity.WARNING,
                "aws_vpc_endpoint.logs",
                "No subnet in us-east-1c.",
                "Add a subnet in us-east-1c.",
                Outcome.FAIL,
                plan=plans[0],
            ),
            Finding(
                "VPCE022",
                Severity.INFO,
                "aws_route_table.private",
                "S3 through NAT.",
                "",
                Outcome.FAIL,
                plan=last,
            ),
            Finding(
                "VPCE014",
                Severity.ERROR,
                "aws_vpc_endpoint.sts",
                "Test: undecided before apply",
                "",
                Outcome.INCONCLUSIVE,
                ("security_groups: known after apply",),
                plan=last,
            ),
            Finding("VPCE001", Severity.ERROR, "aws_vpc_endpoint.s3", "", "", Outcome.PASS, plan=last),
        ],
        plans,
        rules=4,
    )


def test_every_format_has_a_golden_file(golden: Callable[[str, str], None]) -> None:
    for name in FORMATS:
        golden(f"sample.{name}", get_renderer(name)(sample_report()))


def test_text_groups_by_plan_when_there_are_several(golden: Callable[[str, str], None]) -> None:
    golden("two-plans.text", render(sample_report(("a.json", "b.json"))))


def test_verbose_lists_passes_and_colour_only_when_asked() -> None:
    plain = render(sample_report(), verbose=True)
    assert "pass    VPCE001" in plain and "\x1b[" not in plain
    coloured = render(sample_report(), color=True)
    assert "\x1b[31merror  \x1b[0m VPCE010" in coloured


def test_empty_report_is_one_line() -> None:
    text = render(Report.build([], ["p.json"], rules=19))
    assert text == "0 errors, 0 warnings, 0 info, 0 inconclusive, 0 passed (0 checks, 19 rules, 1 plan)\n"


def test_reach_lists_each_needed_service_and_its_path() -> None:
    app = workload(
        unreachable=["logs"],
        paths={
            "ecr.api": {
                "via": "interface_endpoint_same_az",
                "endpoint": "aws_vpc_endpoint.ecr_api",
                "subnet": "aws_subnet.private[0]",
            },
            "logs": {"via": "none", "endpoint": None, "subnet": "aws_subnet.private[0]"},
            "s3": {"via": "unknown", "endpoint": None, "subnet": None},
        },
        needs=["ecr.api", "logs", "s3"],
        unknown={"paths.s3": "route table unknown"},
    )
    assert render_reach(graph(workloads=[app])) == (
        "aws_ecs_service.app  (ecs_service, FARGATE; vpc aws_vpc.main)\n"
        "  ecr.api  interface_endpoint_same_az  endpoint aws_vpc_endpoint.ecr_api subnet aws_subnet.private[0]\n"
        "  logs     none                        subnet aws_subnet.private[0]  UNREACHABLE\n"
        "  s3       unknown                     (route table unknown)\n"
    )
    assert render_reach(graph()) == "no workloads in the plan\n"
    undecided = workload(paths=None, unknown={"paths": "subnets unknown"})
    assert "paths unknown: subnets unknown" in render_reach(graph(workloads=[undecided]))


def test_unknown_needs_read_unknown_in_reach_and_graph_text() -> None:
    """Issue 14: a workload whose needs tfcheck cannot read says so, never `needs: none`."""
    unread = workload(needs=[], paths={}, unknown={"needs": "container_definitions unknown"})
    assert render_reach(graph(workloads=[unread])) == (
        "aws_ecs_service.app  (ecs_service, FARGATE; vpc aws_vpc.main)\n"
        "  needs: unknown (container_definitions unknown)\n"
    )
    vpc = {
        "address": "aws_vpc.main",
        "cidr": "10.0.0.0/16",
        "region": "us-east-1",
        "enable_dns_support": True,
        "enable_dns_hostnames": True,
        "subnets": [],
    }
    text = render_graph(graph(vpcs=[vpc], workloads=[unread]))
    assert "needs: unknown (container_definitions unknown)" in text and "needs: none" not in text
    # EC2 launch type: the agent-side needs are on the container instances, named.
    hosted = workload(
        launch_type="EC2",
        needs=[],
        paths={},
        host=None,
        host_needs=["ecr.dkr", "logs"],
        unknown={"host": "container instances not in plan"},
    )
    assert render_reach(graph(workloads=[hosted])).splitlines()[1:] == [
        "  ecr.dkr  on the container instances: unknown (container instances not in plan)",
        "  logs     on the container instances: unknown (container instances not in plan)",
    ]
