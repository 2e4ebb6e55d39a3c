"""Baseline file: the findings a project already has, so `check --baseline` fails only on new ones.

Entries match on rule id + address, never on the message (messages change with wording and
with values such as AZ lists); the plan file name is not part of the key either, since CI
writes plans to different paths from run to run.
"""

from __future__ import annotations

import json

from tfcheck.documents import deeper_than, read_text
from tfcheck.errors import InputError
from tfcheck.findings import Report

VERSION = 1
MAX_BYTES = 64 * 1024 * 1024  # ~100 bytes an entry: 600,000 findings


def render(report: Report) -> str:
    """Every unsuppressed failing or inconclusive (rule, address) of the report, sorted, once."""
    seen: dict[tuple[str, str], str] = {}
    for f in report.failed + report.inconclusive:
        seen.setdefault((f.rule_id, f.address), f.outcome.value)
    entries = [
        {"rule_id": rule, "address": address, "outcome": outcome}
        for (rule, address), outcome in sorted(seen.items())
    ]
    return json.dumps({"version": VERSION, "tool": "tfcheck", "findings": entries}, indent=2) + "\n"


MAX_DEPTH = 16  # far past the 3 levels `tfcheck baseline` writes


def load_baseline(path: str) -> frozenset[tuple[str, str]]:
    """(rule_id, address) pairs of a file `tfcheck baseline` wrote."""
    text = read_text(
        path,
        InputError,
        "baseline file",
        limit=MAX_BYTES,
        missing=("no such baseline file; create it with `tfcheck baseline PLAN -o FILE`"),
    )
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as e:
        raise InputError(
            path, f"not JSON (line {e.lineno}): {e.msg}; expected a file written by `tfcheck baseline`"
        ) from None
    except RecursionError:
        raise InputError(
            path, "is JSON nested too deeply to be a tfcheck baseline; recreate it with `tfcheck baseline`"
        ) from None
    except ValueError as e:  # e.g. an integer longer than Python's int_max_str_digits
        raise InputError(
            path, f"is not usable JSON ({str(e)[:80]}); recreate it with `tfcheck baseline`"
        ) from None
    if deeper_than(doc, MAX_DEPTH):
        raise InputError(
            path, "is JSON nested too deeply to be a tfcheck baseline; recreate it with `tfcheck baseline`"
        )
    entries = doc.get("findings") if isinstance(doc, dict) else None
    if not isinstance(doc, dict) or doc.get("version") != VERSION or not isinstance(entries, list):
        raise InputError(
            path,
            f'not a tfcheck baseline (expected {{"version": {VERSION}, "findings": [...]}}); '
            "recreate it with `tfcheck baseline`",
        )
    pairs = set()
    for index, entry in enumerate(entries):
        if not (
            isinstance(entry, dict)
            and isinstance(entry.get("rule_id"), str)
            and isinstance(entry.get("address"), str)
        ):
            raise InputError(path, f"$.findings[{index}]: expected an object with string rule_id and address")
        pairs.add((entry["rule_id"], entry["address"]))
    return frozenset(pairs)
