"""tfcheck/formats/escape.py: each output kind's neutraliser, one case per trick."""

from __future__ import annotations

import os

import pytest

from tfcheck.findings import Finding, Outcome, Report, Severity
from tfcheck.formats.escape import (
    block,
    code,
    guard,
    inline,
    json_text,
    neutralise,
    terminal,
    workflow_data,
)


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("plain us-east-1a", "plain us-east-1a"),
        ("a\nb\r\tc", "a\\nb\\r\\tc"),
        ("\x1b[31mred\x1b[0m", "red"),
        ("\x1b]8;;https://evil\x07click\x1b]8;;\x07", "click"),
        ("\x9b2Jx\x07", "x\\x07"),
        ("abc\u202edef\u2066", "abc\\u202edef\\u2066"),
        ("nul\x00del\x7f", "nul\\x00del\\x7f"),
        (os.fsdecode(b"m\xffain.tf"), "m\\xffain.tf"),
        ("::/0 and ::error::x", "::/0 and ::error::x"),  # mid-line `::` is text; guard() handles line starts
    ],
)
def test_terminal(raw: str, shown: str) -> None:
    assert terminal(raw) == shown
    assert json_text(raw.replace("\n", "")) == terminal(raw.replace("\n", ""))


def test_guard_and_block() -> None:
    assert guard("ok\n  ::error::x\n##[group]y\nfine ::z") == "ok\n  \\::error::x\n\\##[group]y\nfine ::z"
    assert block("Why.\n::warning::x\n\x1b[2Jgone") == "Why.\n\\::warning::x\ngone"
    assert json_text("two\nlines\x1b[1m") == "two\nlines"


def test_markdown() -> None:
    text = inline("![i](https://e/x.png) [l](www.e.com) <b>&amp; @me\n```\n\\](y)")
    assert "](" not in text.replace("\\](", "") and "<b>" not in text and "&amp;amp;" in text
    assert "https://" not in text and "www.e" not in text and "@me" not in text
    assert "\n" not in text
    assert code("a\n``b|") == "```a ``b\\|```"
    assert "\n" not in code("a\nb") and "\x1b" not in code("\x1b[1mx")


def test_workflow_data_keeps_the_runners_encoding() -> None:
    assert workflow_data("50%\n\x1b[1mx\r") == "50%25%0Ax%0D"


def test_neutralise_maps_only_what_needs_it() -> None:
    clean = Finding("R1", Severity.ERROR, "aws_x.a", "fine", "", Outcome.PASS)
    bad = Finding("R1", Severity.ERROR, "aws_x.b", "no\nway", "", Outcome.FAIL, reasons=("r\x1b[1m",))
    report = Report.build([clean, bad], ["p"], notes=["n\n::error::x"])
    out = neutralise(report)
    assert out.passed[0] is report.passed[0]
    assert out.failed[0].message == "no\\nway" and out.failed[0].reasons == ("r",)
    assert out.notes == ("n\\n::error::x",) and out.results == (out.passed[0], out.failed[0])
