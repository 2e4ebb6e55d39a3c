"""Load stage helper: users' data files (policies, settings, usage, prices) read safely as
YAML (JSON is YAML) and checked against the package's JSON Schemas; errors name the file,
the JSON path and the line, and are raised as the caller's error type."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from tfcheck.errors import TfcheckError

MAX_BYTES = 4 * 1024 * 1024  # settings, policy, usage and price files are a few KB
MAX_DEPTH = 64  # none of their schemas nests more than 6 levels


def read_text(
    path: str | Path, error: type[TfcheckError], what: str, limit: int = MAX_BYTES, missing: str = ""
) -> str:
    """A user's data file as text, refused unread past `limit` bytes (what a pull request
    can make tfcheck load into memory)."""
    name = str(path)
    try:
        with open(path, "rb") as handle:
            raw = handle.read(limit + 1)
    except FileNotFoundError:
        raise error(name, missing or f"no such {what}") from None
    except (OSError, ValueError) as e:
        raise error(name, f"cannot read the {what}: {getattr(e, 'strerror', None) or e}") from None
    if len(raw) > limit:
        raise error(
            name,
            f"is larger than {limit // (1024 * 1024)} MB, far beyond any {what}; tfcheck refuses to read it",
        )
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise error(name, f"cannot read the {what}: not UTF-8 text (bad byte at offset {e.start})") from None


def read_yaml(path: str | Path, error: type[TfcheckError], what: str) -> tuple[str, Any]:
    """The file's text and its document; `what` names the kind of file in messages.

    Refused before anything is built: a file over MAX_BYTES, YAML anchors and aliases
    (a few hundred bytes of aliases expand to gigabytes, and none of tfcheck's files needs
    them), and documents nested deeper than MAX_DEPTH (the schema check and the readers
    recurse)."""
    import yaml

    name = str(path)
    text = read_text(path, error, what)
    try:
        if "&" in text or "*" in text:  # no anchor or alias can be written without them
            _refuse_aliases(name, text, error, what)
        doc = yaml.load(text, Loader=safe_loader())
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise error(name, f"not valid YAML{at}: {getattr(e, 'problem', None) or e}") from None
    except RecursionError:
        raise error(name, f"is nested too deeply to be a {what}") from None
    except ValueError as e:  # PyYAML builds dates as it reads: `2025-02-30` fails here
        raise error(name, f"not valid YAML: {e} (a date is written YYYY-MM-DD)") from None
    if deeper_than(doc, MAX_DEPTH):
        raise error(name, f"is nested more than {MAX_DEPTH} levels deep, which no {what} needs")
    return text, doc


def _refuse_aliases(name: str, text: str, error: type[TfcheckError], what: str) -> None:
    """Walk the parser's events (no document is built) and stop at the first anchor or alias."""
    import yaml

    for event in yaml.parse(text, Loader=safe_loader()):
        anchor = getattr(event, "anchor", None)
        if isinstance(event, yaml.AliasEvent) or anchor is not None:
            kind = "alias" if isinstance(event, yaml.AliasEvent) else "anchor"
            line = event.start_mark.line + 1 if event.start_mark is not None else 0
            raise error(
                name,
                f"uses the YAML {kind} {str(anchor)[:40]!r} at line {line}; tfcheck "
                f"refuses anchors and aliases in a {what} (a few of them can expand "
                "to gigabytes): write the values out in full",
            )


def deeper_than(doc: Any, limit: int) -> bool:
    """Whether lists and mappings nest more than `limit` levels (iterative: the document
    may be deep, and Pythons differ in how deep their parsers go before refusing)."""
    stack = [(doc, 1)]
    while stack:
        node, level = stack.pop()
        if isinstance(node, dict):
            children: Iterable[Any] = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        if level > limit:
            return True
        stack.extend((child, level + 1) for child in children)
    return False


def safe_loader() -> Any:
    """libyaml's safe loader when present (several times faster), else PyYAML's."""
    import yaml

    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def check_schema(
    schema_file: Path,
    name: str,
    text: str,
    doc: Any,
    *,
    error: type[TfcheckError],
    prefix: str = "",
    cache_dir: Path | None = None,
) -> None:
    """Validate a user's document; a marker named by the hash of schema + text skips the
    (costly to import) validator the next time the same file is seen."""
    schema_text = schema_file.read_text(encoding="utf-8")
    marker = None
    if cache_dir is not None:
        marker = cache_dir / hashlib.sha256(f"{schema_text}\0{text}".encode()).hexdigest()
        if marker.is_file():
            return
    import jsonschema

    validator = jsonschema.Draft202012Validator(json.loads(schema_text))
    try:
        errors = sorted(validator.iter_errors(doc), key=lambda e: list(map(str, e.absolute_path)))
    except RecursionError:
        raise error(name, f"{prefix}is nested too deeply to check against {schema_file.name}") from None
    if errors:
        path = list(errors[0].absolute_path)
        line = line_of(text, path)
        at = f" (line {line})" if line else ""
        raise error(name, f"{prefix}{json_path(path)}{at}: {errors[0].message}; see {schema_file.name}")
    if marker is not None:
        try:
            marker.parent.mkdir(parents=True, exist_ok=True)
            marker.touch()
        except OSError:
            pass  # a read-only cache only costs time


def json_path(parts: Iterable[Any]) -> str:
    out = "$"
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


def line_of(text: str, parts: Sequence[Any]) -> int | None:
    """1-based line of the YAML node at a JSON path; computed only when reporting an error."""
    import yaml

    try:
        node = yaml.compose(text, Loader=safe_loader())
    except yaml.YAMLError:
        return None
    for part in parts:
        if isinstance(node, yaml.MappingNode):
            match = [v for k, v in node.value if k.value == part]
            if not match:
                break
            node = match[0]
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
        else:
            break
    return node.start_mark.line + 1 if node is not None else None
