"""User-derived text made inert for each output kind, applied where a format renders.

Anything a pull request controls (addresses, values in messages, unknown-value reasons,
notes, file names, policy titles) may hold newlines, ANSI escapes, workflow commands or
Markdown. Each format neutralises the whole report once (`neutralise(report, kind)`) before
it renders, and ends with `guard(text)`, so no line it prints can begin a GitHub workflow
command it did not mean:

- `terminal`: text report, stderr notes and errors, JUnit XML values: one line, ANSI
  sequences stripped, control and bidi characters shown as `\\n`, `\\x1b`, `\\u202e`;
  bytes of a file name that is not UTF-8 as `\\xff`.
- `json_text`: JSON and SARIF values (JSON escapes control characters itself): ANSI and
  control characters but newlines as for `terminal`, non-UTF-8 file name bytes as `\\xff`.
- `inline`, `cell`, `code`: Markdown (tables, notes, inline code): no HTML, images, links,
  autolinks, mentions or code fences.
- `workflow_data`, `workflow_property`: GitHub workflow command messages and properties.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from operator import attrgetter
from typing import Any

from tfcheck.findings import Finding, Outcome, Report, Suppression

CELL_MAX = 800
_FENCE = re.compile(r"`+")
# CSI (ESC [ ... final), OSC (ESC ] ... BEL or ST), DCS/SOS/PM/APC strings, 2-byte escapes, 8-bit CSI.
_ANSI = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]?|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[PX^_][^\x1b]*(?:\x1b\\)?"
    r"|\x1b[ -~]?|\x9b[0-?]*[ -/]*[@-~]?"
)
# C0, DEL, C1, line/paragraph separators, bidi embeddings/overrides/isolates ("Trojan source"),
# and lone surrogates (Python's stand-ins for bytes of a file name that is not UTF-8).
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_CONTROL_BUT_NEWLINE = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)
_CONTROL_BUT_LINES = re.compile(
    "[\x00-\x09\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)
_ADDRESS, _RULE, _FILE, _PLAN = (attrgetter(name) for name in ("address", "rule_id", "file", "plan"))
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
# A line the runner reads as a workflow command (after leading whitespace): `::name::` or the
# older `##[name]`.
_COMMAND_LINE = re.compile(r"^(\s*)(::|##\[)", re.MULTILINE)
# An inline link or image needs `](` (no reference definitions can exist in a comment a value
# cannot start a line of): escaping that `]` (and any backslashes before it) defuses both.
_MD_LINK = re.compile(r"(\\*)\]\(")
_AUTOLINK = re.compile(r"(?i)(://|www\.)")


def _visible(match: re.Match[str]) -> str:
    ch = match.group()
    if ch in _NAMED:
        return _NAMED[ch]
    code = ord(ch)
    if 0xDC80 <= code <= 0xDCFF:  # surrogateescape: the original byte
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def strip_ansi(text: str) -> str:
    return _ANSI.sub("", text) if "\x1b" in text or "\x9b" in text else text


def terminal(text: str) -> str:
    """One line for a terminal or CI log: no escape sequence, nothing that breaks the line."""
    text = str(text)
    if not _CONTROL.search(text):
        return text
    return _CONTROL.sub(_visible, strip_ansi(text))


def block(text: str) -> str:
    """Several lines of user text (a policy's description): as `terminal`, newlines kept."""
    text = str(text)
    if text.replace("\n", " ").isprintable() or not _CONTROL_BUT_NEWLINE.search(text):
        return guard(text)
    return guard(_CONTROL_BUT_NEWLINE.sub(_visible, strip_ansi(text.replace("\r\n", "\n"))))


def json_text(text: str) -> str:
    """A JSON or SARIF string value: no escape sequences or control characters for the
    viewers that print them, and valid UTF-8 whatever the file name. Newlines stay: JSON
    encodes them, and SARIF's help texts are paragraphs."""
    text = str(text)
    if not _CONTROL_BUT_NEWLINE.search(text):
        return text
    return _CONTROL_BUT_NEWLINE.sub(_visible, strip_ansi(text))


def json_doc(value: Any) -> Any:
    """Every string (and key) of a JSON document through `json_text`; SARIF builds its
    percent-encoded URIs from the raw file names first."""
    if isinstance(value, str):
        return json_text(value)
    if isinstance(value, dict):
        return {json_text(k) if isinstance(k, str) else k: json_doc(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_doc(v) for v in value]
    return value


def guard(text: str) -> str:
    """No line begins a workflow command: a `\\` goes before a leading `::` or `##[`.

    Formats call it on what they render; values cannot start a line of their own (their
    newlines are escaped), so this only catches a value a format puts first on a line."""
    if "::" not in text and "##[" not in text:
        return text
    return _COMMAND_LINE.sub(lambda m: f"{m.group(1)}\\{m.group(2)}", text)


def neutralise(
    report: Report, clean: Callable[[str], str] = terminal, long_text: Callable[[str], str] = block
) -> Report:
    """The report with every user-derived string passed through `clean` (and multi-line
    rule descriptions through `long_text`).

    Passing results (most of a large report) are rebuilt only when one of the strings a
    format shows of them (address, rule, file, plan) has a character to escape, and only
    results that need it are rebuilt: scanning a 24,500-result report costs a few ms,
    mapping every result of it ~80 ms."""
    memo: dict[str, str] = {}

    def c(text: str) -> str:
        done = memo.get(text)
        if done is None:
            done = memo[text] = text if text.isprintable() or not _CONTROL.search(text) else clean(text)
        return done

    def one(f: Finding) -> Finding:
        texts = (f.rule_id, f.address, f.message, f.remediation, f.file or "", f.plan or "", *f.reasons)
        if f.suppressed is not None:
            texts += (f.suppressed.justification, f.suppressed.origin)
        if "".join(texts).isprintable() or not any(map(_CONTROL.search, texts)):
            return f
        suppressed = f.suppressed
        if suppressed is not None:
            suppressed = Suppression(suppressed.kind, c(suppressed.justification), c(suppressed.origin))
        return f._replace(
            rule_id=c(f.rule_id),
            address=c(f.address),
            message=c(f.message),
            remediation=c(f.remediation),
            reasons=tuple(c(r) for r in f.reasons),
            file=c(f.file) if f.file else f.file,
            plan=c(f.plan) if f.plan else f.plan,
            suppressed=suppressed,
        )

    scan = (
        report.results
        if not _passes_are_clean(report)
        else [f for f in report.results if f.outcome is not Outcome.PASS or f.suppressed is not None]
    )
    mapped = {id(f): new for f in scan if (new := one(f)) is not f}
    results, by_outcome = report.results, report._by_outcome
    if mapped:
        results = tuple(mapped.get(id(f), f) for f in results)
        by_outcome = {key: tuple(mapped.get(id(f), f) for f in group) for key, group in by_outcome.items()}
    rules = tuple(
        replace(
            r,
            id=c(r.id),
            title=c(r.title),
            description=long_text(r.description),
            remediation=long_text(r.remediation),
            links=tuple(c(link) for link in r.links),
        )
        for r in report.rule_info
    )
    changes = tuple(
        replace(
            change,
            plan=c(change.plan) if change.plan else change.plan,
            resolved=tuple(one(f) for f in change.resolved),
            reach=tuple(
                replace(
                    r,
                    plan=c(r.plan) if r.plan else r.plan,
                    services=tuple(map(c, r.services)),
                    workloads=tuple(map(c, r.workloads)),
                )
                for r in change.reach
            ),
            removed=tuple(map(c, change.removed)),
            added=tuple(map(c, change.added)),
        )
        for change in report.changes
    )
    return replace(
        report,
        results=results,
        changes=changes,
        plans=tuple(c(p) for p in report.plans),
        rule_info=rules,
        notes=tuple(c(n) for n in report.notes),
        _by_outcome=by_outcome,
    )


_LAST_SCAN: list[tuple[tuple[Finding, ...], bool]] = []  # one report, rendered in several formats


def _passes_are_clean(report: Report) -> bool:
    """Whether no passing result has a character to escape in what formats show of it."""
    if _LAST_SCAN and _LAST_SCAN[0][0] is report.results:
        return _LAST_SCAN[0][1]
    passed = report.passed
    others = set(map(_RULE, passed)) | set(map(_FILE, passed)) | set(map(_PLAN, passed))
    shown = " ".join(map(_ADDRESS, passed)) + " ".join(value for value in others if value)
    # isprintable() is false for every character _CONTROL finds (and a few harmless others,
    # which only cost the slow path): a C-speed test of the whole text.
    clean = shown.isprintable()
    _LAST_SCAN[:] = [(report.results, clean)]
    return clean


# --- Markdown -------------------------------------------------------------------------------


def inline(text: str) -> str:
    """Plain text made inert in Markdown/HTML: one line; no tags, entities, images, links,
    autolinks or @-mentions (a code span stays: it holds its text literally and cannot leave its line or cell)."""
    text = terminal(" ".join(strip_ansi(str(text)).split()))
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _MD_LINK.sub(lambda m: m.group(1) * 2 + "\\](", text)
    text = _AUTOLINK.sub(lambda m: m.group()[0] + "\u2060" + m.group()[1:], text)
    return text.replace("@", "@\u2060")  # a word joiner stops GitHub from pinging anyone


def cell(text: str) -> str:
    text = inline(text)
    if len(text) > CELL_MAX:
        text = text[: CELL_MAX - 1] + "…"
    return text.replace("|", "\\|")


def code(text: str) -> str:
    """Inline code that survives backticks and `|` in the text (GFM tables split on `|`)."""
    text = terminal(" ".join(strip_ansi(str(text)).split()))
    longest = max((len(m) for m in _FENCE.findall(text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}".replace("|", "\\|")


# --- GitHub workflow commands -----------------------------------------------------------------


def workflow_data(text: str) -> str:
    """A workflow command's message: the runner's escaping of `%`, CR and LF; other control
    characters and escape sequences as for `terminal`, so none reaches the log either."""
    text = str(text)
    if _CONTROL.search(text):
        text = _CONTROL_BUT_LINES.sub(_visible, strip_ansi(text))
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def workflow_property(text: str) -> str:
    """A workflow command's property value: `:` and `,` would end it, so they are encoded too."""
    return workflow_data(text).replace(":", "%3A").replace(",", "%2C")
