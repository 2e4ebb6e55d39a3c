"""Data sources Terraform computes without calling AWS, evaluated offline from the source.

`data "aws_iam_policy_document"` is read during plan only when all its arguments are known;
a statement naming a resource created in the same plan (an ARN) defers it to apply, so the
plan says nothing about its actions. The provider builds the JSON locally from the blocks, so
tfcheck can too: known parts stay known (actions, effect), unknown ones stay Unknown, and the
result has the shape of a partly unknown `jsonencode` (a structure) or, when all is known, the
JSON text.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from tfcheck.hcl.functions.strings import jsonencode
from tfcheck.hcl.values import is_known

# Terraform argument of a statement block → IAM JSON key (the provider's own mapping).
_STATEMENT_KEYS = (
    ("sid", "Sid"),
    ("effect", "Effect"),
    ("actions", "Action"),
    ("not_actions", "NotAction"),
    ("resources", "Resource"),
    ("not_resources", "NotResource"),
)


def policy_document(values: Mapping[str, Any]) -> dict[str, Any]:
    """The attributes of an aws_iam_policy_document (`json`, `minified_json`) from its arguments."""
    statements: list[Any] = []
    for key in ("source_policy_documents", "source_json"):
        statements += _documents_statements(values.get(key))
    for block in _list(values.get("statement")):
        if not isinstance(block, dict):
            statements.append(block)  # a dynamic block unknown as a whole
            continue
        statement: dict[str, Any] = {"Effect": block.get("effect") or "Allow"}
        for argument, key in _STATEMENT_KEYS[2:]:
            if block.get(argument) is not None:
                statement[key] = block[argument]
        if block.get("sid") is not None:
            statement["Sid"] = block["sid"]
        statements.append(statement)
    for key in ("override_policy_documents", "override_json"):
        statements += _documents_statements(values.get(key))
    document: dict[str, Any] = {"Version": values.get("version") or "2012-10-17", "Statement": statements}
    if values.get("policy_id") is not None:
        document["Id"] = values["policy_id"]
    text: Any = jsonencode(document) if is_known(document) else document
    return {"json": text, "minified_json": text, "statement": values.get("statement")}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [] if value is None else [value]


def _documents_statements(value: Any) -> list[Any]:
    """Statements of JSON policy documents given as text or as a partly known structure."""
    out: list[Any] = []
    for doc in _list(value):
        if isinstance(doc, str):
            try:
                doc = json.loads(doc)
            except (ValueError, RecursionError):
                continue
        if isinstance(doc, dict):
            found = doc.get("Statement")
            out += found if isinstance(found, list) else [found] if found is not None else []
        else:
            out.append(doc)
    return out


OFFLINE_DATA: Mapping[str, Callable[[Mapping[str, Any]], Any]] = {
    "aws_iam_policy_document": policy_document,
}
