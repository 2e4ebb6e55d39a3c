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


def read_yaml(path: str | Path, error: type[TfcheckError], what: str) -> tuple[str, Any]:
    """The file's text and its document; `what` names the kind of file in messages."""
    import yaml

    name = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise error(name, f"no such {what}") from None
    except (OSError, UnicodeDecodeError) as e:
        raise error(name, f"cannot read the {what}: {e}") from None
    try:
        return text, yaml.load(text, Loader=safe_loader())
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise error(name, f"not valid YAML{at}: {getattr(e, 'problem', None) or e}") from None
    except ValueError as e:  # PyYAML builds dates as it reads: `2025-02-30` fails here
        raise error(name, f"not valid YAML: {e} (a date is written YYYY-MM-DD)") from None


def safe_loader() -> Any:
    """libyaml's safe loader when present (several times faster), else PyYAML's."""
    import yaml

    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def check_schema(
    schema_file: Path, name: str, text: str, doc: Any, *,
    error: type[TfcheckError], prefix: str = "", cache_dir: Path | None = None,
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
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(map(str, e.absolute_path)))
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
