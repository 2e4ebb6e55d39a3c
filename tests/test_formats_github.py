from __future__ import annotations

import re

import pytest
from test_formats_text import sample_report

from tfcheck.findings import Finding, Outcome, Report, Severity
from tfcheck.formats.escape import terminal
from tfcheck.formats.findings.github import command, escape_data, escape_property, render


def test_annotations_worst_first_with_location() -> None:
    lines = render(sample_report()).splitlines()
    assert lines[0] == (
        "::error file=main.tf,line=7,title=VPCE010 aws_vpc_endpoint.logs::"
        "Private DNS is off. Fix: Set private_dns_enabled = true."
    )
    assert lines[1].startswith("::warning title=VPCE012 aws_vpc_endpoint.logs::No subnet in us-east-1c.")
    assert lines[2].startswith("::notice title=VPCE022 aws_route_table.private::S3 through NAT.")
    assert lines[3] == (
        "::notice title=VPCE014 aws_vpc_endpoint.sts (inconclusive)::"
        "Test: undecided before apply (security_groups: known after apply)"
    )
    assert lines[-1].startswith("1 error, 1 warning, 1 info")


@pytest.mark.parametrize(
    ("raw", "data", "prop"),
    [
        ("50% done", "50%25 done", "50%25 done"),
        ("a\nb\r\nc", "a%0Ab%0D%0Ac", "a%0Ab%0D%0Ac"),
        ("x::y", "x::y", "x%3A%3Ay"),
        ("a,b", "a,b", "a%2Cb"),
        ("%0A", "%250A", "%250A"),
        ("`rm -rf`", "`rm -rf`", "`rm -rf`"),
    ],
)
def test_escaping(raw: str, data: str, prop: str) -> None:
    assert escape_data(raw) == data
    assert escape_property(raw) == prop


HOSTILE = 'evil\n::error::injected, 100% `x` "y"\r\n::stop-commands::tok'


def test_hostile_text_stays_in_one_command() -> None:
    f = Finding(
        "R1",
        Severity.ERROR,
        'aws_x.y["a,b:c"]',
        HOSTILE,
        HOSTILE,
        Outcome.FAIL,
        file="dir,1/ma:in.tf",
        line=3,
    )
    out = render(Report.build([f], ["p"]))
    lines = out.splitlines()
    assert len(lines) == 2  # the annotation and the summary line: no injected line
    head, sep, message = lines[0][2:].partition("::")
    assert sep and head.startswith("error ")
    props = dict(p.split("=", 1) for p in head[len("error ") :].split(","))
    assert props == {"file": "dir%2C1/ma%3Ain.tf", "line": "3", "title": 'R1 aws_x.y["a%2Cb%3Ac"]'}
    assert "\n" not in message and "\r" not in message
    # a value's own newlines are shown as \n (tfcheck/formats/escape.py), never sent as one
    assert message.startswith("evil\\n::error::injected, 100%25 `x`")
    # the runner unescapes in the reverse order
    unescaped = message.replace("%0A", "\n").replace("%0D", "\r").replace("%25", "%")
    assert unescaped == f"{terminal(HOSTILE)} Fix: {terminal(HOSTILE)}"


def test_command_without_properties_and_notes() -> None:
    assert command("notice", {}, "hi") == "::notice::hi"
    out = render(Report.build([], ["p"], notes=["waiver R1 x expired, see: a"]))
    assert out.splitlines()[0] == "::warning title=tfcheck::waiver R1 x expired, see: a"
    assert re.fullmatch(r"0 errors, .*\n", out.split("\n", 1)[1])


def _many(errors: int, warnings: int, inconclusive: int) -> Report:
    from tfcheck.findings import Outcome, Severity

    out = [
        Finding(
            "VPCE020", Severity.ERROR, f"aws_ecs_service.s{i:02}", "no path", "", Outcome.FAIL, plan="p.json"
        )
        for i in range(errors)
    ]
    out += [
        Finding(
            "VPCE012",
            Severity.WARNING,
            f"aws_vpc_endpoint.e{i:02}",
            "one AZ",
            "",
            Outcome.FAIL,
            plan="p.json",
        )
        for i in range(warnings)
    ]
    out += [
        Finding(
            "VPCE014",
            Severity.ERROR,
            f"aws_vpc_endpoint.u{i:02}",
            "undecided",
            "",
            Outcome.INCONCLUSIVE,
            plan="p.json",
        )
        for i in range(inconclusive)
    ]
    return Report.build(out, ["p.json"], rules=3)


def test_annotations_are_capped_per_kind_worst_first_with_one_notice_for_the_rest() -> None:
    lines = render(_many(25, 12, 3)).splitlines()
    kinds = [line.split(" ", 1)[0].split("::")[1] for line in lines if line.startswith("::")]
    assert kinds == ["error"] * 10 + ["warning"] * 10 + ["notice"] * 4
    assert "title=VPCE020 aws_ecs_service.s00" in lines[0] and "s09" in lines[9]  # in order, first ten
    closing = lines[-2]
    assert closing.startswith(
        "::notice title=tfcheck%3A more findings than annotations::17 more not annotated "
        "(15 errors, 2 warnings): GitHub shows 10 annotations of each kind per step."
    )
    assert "job summary" in closing and "SARIF" in closing
    assert lines[-1].startswith("25 errors, 12 warnings")


def test_only_notices_over_the_cap_leave_room_for_the_closing_notice() -> None:
    lines = [line for line in render(_many(0, 0, 12)).splitlines() if line.startswith("::notice")]
    assert len(lines) == 10 and "3 more not annotated (3 notices)" in lines[-1]
    assert "more findings than annotations" not in render(_many(10, 10, 10))
