"""Load stage: read `terraform show -json` output (plan or state form) and refuse anything else."""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from itertools import islice
from typing import Any, BinaryIO

from tfcheck.errors import InputError

ZIP_MAGIC = b"PK\x03\x04"


@dataclass(frozen=True, slots=True)
class PlanDoc:
    """A decoded plan or state document and where it came from."""

    path: str
    data: Mapping[str, Any]
    kind: str  # "plan" | "state"


def load_plan(
    path: str | None,
    stdin: BinaryIO | None = None,
    env: Mapping[str, str] | None = None,
) -> PlanDoc:
    """Read a plan from `path`, from stdin for "-", or from $SHOWFILE (Atlantis) when None."""
    env = os.environ if env is None else env
    if path is None:
        path = env.get("SHOWFILE") or ""
        if not path:
            raise InputError(
                "<no input>",
                "no plan given: pass a plan JSON path (or - for stdin), or set $SHOWFILE "
                "as Atlantis does. Make one with: terraform show -json tfplan > plan.json",
            )
    if path == "-":
        return parse_plan("<stdin>", _read_stdin(stdin))
    try:
        with open(path, "rb") as handle:
            raw = handle.read()
    except FileNotFoundError:
        raise InputError(path, "no such file") from None
    except IsADirectoryError:
        raise InputError(path, "is a directory, not a plan file") from None
    except OSError as exc:
        raise InputError(path, f"cannot be read: {exc.strerror or exc}") from None
    except ValueError:  # a NUL byte in the path
        raise InputError(repr(path), "is not a usable file name") from None
    return parse_plan(path, raw)


def module_resources(root: Any) -> Iterator[dict[str, Any]]:
    """Every resource object of a module tree (`planned_values`, `prior_state` or a state's
    `root_module`), each module's own before its children's, as Terraform lists them. A
    loop, not recursion: a hand-made document may nest modules past the recursion limit."""
    stack = [root]
    while stack:
        module = stack.pop()
        if not isinstance(module, dict):
            continue
        resources = module.get("resources")
        yield from (r for r in (resources if isinstance(resources, list) else ()) if isinstance(r, dict))
        children = module.get("child_modules")
        if isinstance(children, list):
            stack.extend(reversed(children))


def _read_stdin(stdin: BinaryIO | None) -> bytes:
    """All of stdin; a closed one (`<&-`, no stdin in a CI step) is an input error, not a crash."""
    stream = stdin if stdin is not None else getattr(sys.stdin, "buffer", None)
    if stream is None:
        raise InputError(
            "<stdin>",
            "stdin is closed, so there is no plan to read from -; "
            "pipe one in (terraform show -json tfplan | tfcheck check -) or pass its path",
        )
    try:
        return stream.read()
    except (OSError, ValueError) as exc:  # EBADF, or a stream already closed
        raise InputError("<stdin>", f"cannot be read ({exc}); pipe a plan in or pass its path") from None


def parse_plan(path: str, raw: bytes) -> PlanDoc:
    """Decode and check the document's shape; the one place that says what a plan is."""
    if raw.startswith(ZIP_MAGIC):
        raise InputError(
            path,
            "is a binary Terraform plan file (a zip archive), not JSON. Convert it first: "
            "terraform show -json PLANFILE > plan.json",
        )
    text = _decode(path, raw)
    if not text or text.isspace():  # (not strip(): a copy of the whole text, 20 ms at 22 MB)
        raise InputError(path, "is empty; expected the JSON output of `terraform show -json`")
    try:
        data = _without_planned_values(text)
        if data is None:
            data = json.loads(text, object_pairs_hook=_unique)
    except _Duplicate as exc:
        raise InputError(
            path,
            f"has the key {_one_line(json.dumps(exc.key))} twice in one JSON object; Terraform never "
            "writes that, and readers disagree on which value counts. Write the plan again with "
            "terraform show -json",
        ) from None
    except json.JSONDecodeError as exc:
        raise InputError(
            path,
            f"is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}); expected "
            "the output of `terraform show -json`",
        ) from None
    except RecursionError:
        raise InputError(path, "is JSON nested too deeply to be a Terraform plan") from None
    except ValueError as exc:  # e.g. an integer longer than Python's int_max_str_digits
        raise InputError(path, f"is not usable JSON ({_one_line(str(exc))})") from None
    if not isinstance(data, dict):
        raise InputError(
            path,
            f"holds a JSON {_json_type(data)}, not an object; expected the output of `terraform show -json`",
        )
    _check_format_version(path, data)
    if isinstance(data.get("resource_changes"), list) or isinstance(data.get("planned_values"), dict):
        return PlanDoc(path, data, "plan")
    if "values" in data and (data["values"] is None or isinstance(data["values"], dict)):
        return PlanDoc(path, data, "state")
    raise InputError(
        path,
        "is JSON but neither a plan (no resource_changes or planned_values) nor a state "
        "(no values); expected the output of `terraform show -json`",
    )


class _Duplicate(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _unique(pairs: list[tuple[str, Any]], dict: type[dict[str, Any]] = dict) -> dict[str, Any]:
    """Each object of the document, refusing a key given twice (json keeps the last one
    silently). Measured on a 22 MB plan: +60 ms of CPU over the plain json.loads."""
    out = dict(pairs)
    if len(out) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _Duplicate(key)
            seen.add(key)
    return out


# After `planned_values`, Terraform writes one of these top-level keys next (its plan struct's
# field order); compact output puts no space around the comma and colon.
_NEXT_KEYS = (',"resource_drift":', ',"resource_changes":')
_END_PREFIX = ',"resource_'  # what both start with: one search finds either
_MAX_TRIES = 8  # places a nested key with the same text could take: a bounded search
_WHITESPACE = re.compile(r"[ \t\n\r]*")  # JSON's, no other
# The C scanner json.loads runs: one value from an index of the text, keys checked by _unique.
_SCAN: Callable[[str, int], tuple[Any, int]] = json.JSONDecoder(object_pairs_hook=_unique).scan_once  # type: ignore[attr-defined]


def _without_planned_values(text: str) -> dict[str, Any] | None:
    """The document without `planned_values`, which nothing reads when `resource_changes` is
    there (the same after values, 40 % of a plan's bytes, a third of its parse): every other
    top-level value is parsed, that one is only located. None when the text is not laid out
    as `terraform show -json` writes it; the caller then parses it whole, and reports errors.

    The section ends where a top-level key that follows it starts. A key with the same text
    nested inside the section gives a place from which the rest does not parse as the end
    of the document (a closing brace with more text after it): that place is passed over."""
    start = text.find('"planned_values":')
    if start < 0:
        return None
    first = _space(text, 0)
    head = _members(text, first + 1 if text.startswith("{", first) else -1, start)
    if head is None or any(key == "planned_values" for key, _ in head):
        return None  # the key given twice (once spelt with escapes): the whole parse refuses it
    # Places are found one by one, in order, and the text is searched only up to the one that
    # ends the section (a search to the end of the text for each key: 13 ms at 22 MB).
    searched = start + 1  # a second "planned_values" was looked for up to here
    for place in islice(_ends(text, start), _MAX_TRIES):
        # the needle holds no comma, so one found before a place lies wholly before it
        if text.find('"planned_values":', searched, place) >= 0:
            return None  # a second one, or a nested one: only the whole parse can tell
        searched = place
        tail = _members(text, place + 1, len(text))
        if tail is None:
            continue
        changes = [value for key, value in tail if key == "resource_changes"]
        if any(key == "planned_values" for key, _ in tail) or not (changes and isinstance(changes[-1], list)):
            return None  # a second one would be refused by the whole parse; no changes: it is read
        return _unique(head + tail)
    return None


def _members(text: str, index: int, stop: int) -> list[tuple[str, Any]] | None:
    """The top-level members from `index` (just after `{` or a `,`): up to `stop` (the start
    of a member left out, which must follow a comma), or through the closing `}` at the end
    of the text. None if the text there is not such a list of members."""
    if index < 0:
        return None
    members: list[tuple[str, Any]] = []
    try:
        while True:
            index = _space(text, index)
            if index == stop:
                return members
            if index > stop:
                return None  # the left-out member is not at the top level
            if text.startswith("}", index) and not members and stop == len(text):
                break
            if not text.startswith('"', index):
                return None
            key, index = _SCAN(text, index)  # a string, as it starts with a quote
            index = _space(text, index)
            if not text.startswith(":", index):
                return None
            value, index = _SCAN(text, _space(text, index + 1))
            members.append((key, value))
            index = _space(text, index)
            if text.startswith(",", index):
                index += 1
                continue
            if text.startswith("}", index) and stop == len(text):
                break
            return None
    except (StopIteration, ValueError):
        return None
    return members if _space(text, index + 1) == len(text) else None


def _space(text: str, index: int) -> int:
    """The index past the whitespace at `index`."""
    found = _WHITESPACE.match(text, index)
    return found.end() if found else index


def _ends(text: str, start: int) -> Iterator[int]:
    """Each place after `start` where a key that may follow `planned_values` starts, in order."""
    index = text.find(_END_PREFIX, start)
    while index >= 0:
        if text.startswith(_NEXT_KEYS, index):
            yield index
        index = text.find(_END_PREFIX, index + 1)


def _decode(path: str, raw: bytes) -> str:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError(
            path,
            "is UTF-16 encoded (PowerShell's `>` does this); write it as UTF-8, e.g. "
            "terraform show -json tfplan | Out-File -Encoding utf8 plan.json",
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            path, f"is not UTF-8 text (bad byte at offset {exc.start}); is it a plan JSON file?"
        ) from None


def _check_format_version(path: str, data: Mapping[str, Any]) -> None:
    version = data.get("format_version")
    if version is None:
        raise InputError(
            path,
            "has no format_version, so it is not `terraform show -json` output (tfcheck reads format 1.x)",
        )
    if not isinstance(version, str) or not version.split(".")[0].isdigit():
        raise InputError(path, f'has a malformed format_version {_brief(version)}; expected "1.x"')
    if version.split(".")[0] != "1":
        raise InputError(
            path,
            f"has format_version {_one_line(version)}, but tfcheck reads format 1.x "
            "(Terraform 0.12 and later); upgrade tfcheck or re-run terraform show -json",
        )


def _one_line(text: str, limit: int = 60) -> str:
    """User text inside a message: one line, bounded, so the error stays one paragraph."""
    flat = " ".join(text[: limit * 4].split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."


def _brief(value: object) -> str:
    if isinstance(value, (dict, list)):
        return f"(a JSON {_json_type(value)})"
    return _one_line(repr(value[:100] if isinstance(value, str) else value))


def _json_type(value: object) -> str:
    if isinstance(value, list):
        return "array"
    if isinstance(value, str):
        return "string"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    return "number"
