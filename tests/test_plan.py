"""load_plan/parse_plan on everything that is not a plan: one InputError naming the input.

Hand-made bad inputs live in tests/bad_inputs/; binary, huge and deep inputs are built here.
"""

from __future__ import annotations

import io
import json
import os
import tracemalloc
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tfcheck.errors import InputError
from tfcheck.graph.build import build_graph
from tfcheck.load.inventory import build_inventory
from tfcheck.load.plan import PlanDoc, load_plan, parse_plan

REPO = Path(__file__).resolve().parent.parent
BAD = Path(__file__).resolve().parent / "bad_inputs"
REFERENCE = REPO / "fixtures" / "reference" / "plan.json"
STATE = REPO / "fixtures" / "graph" / "existing_state_form" / "plan.json"


def input_error(call: Callable[[], Any], path: str, fragment: str) -> InputError:
    """The call fails with one InputError naming `path`, in one paragraph saying `fragment`."""
    with pytest.raises(InputError) as info:
        call()
    error = info.value
    assert error.path == path
    assert str(error).startswith(f"{path}: ")
    assert fragment in error.message
    assert "\n" not in str(error) and "\r" not in str(error)
    return error


def graph(doc: PlanDoc) -> dict[str, Any]:
    data = build_graph(build_inventory(doc))
    json.dumps(data.document())
    return data


BAD_FILES = {
    "empty.json": "is empty",
    "whitespace.json": "is empty",
    "not_json.json": "is not valid JSON (line 1, column 1",
    "truncated.json": "is not valid JSON",
    "array.json": "holds a JSON array, not an object",
    "string.json": "holds a JSON string, not an object",
    "null.json": "holds a JSON null, not an object",
    "number.json": "holds a JSON number, not an object",
    "format_2_0.json": "has format_version 2.0, but tfcheck reads format 1.x",
    "format_int.json": "has a malformed format_version 1;",
    "format_abc.json": "has a malformed format_version 'abc';",
    "format_missing.json": "has no format_version",
    "format_null.json": "has no format_version",
    "neither.json": "neither a plan",
    "sections_null.json": "neither a plan",
    "state_values_list.json": "neither a plan",
}


def test_every_bad_input_file_is_in_the_table() -> None:
    assert sorted(p.name for p in BAD.glob("*.json")) == sorted(BAD_FILES)


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_bad_input_files(name: str) -> None:
    path = str(BAD / name)
    input_error(lambda: load_plan(path), path, BAD_FILES[name])


def _zip_plan() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("tfplan", b"\x00binary plan\x00")
        archive.writestr("tfstate", "{}")
    return buffer.getvalue()


BAD_BYTES: dict[str, tuple[Callable[[], bytes], str]] = {
    "binary-plan-zip": (_zip_plan, "is a binary Terraform plan file (a zip archive)"),
    "latin-1": (
        lambda: b'{"format_version": "1.2", "x": "caf\xe9"}',
        "is not UTF-8 text (bad byte at offset 35)",
    ),
    "random-bytes": (lambda: bytes(range(256)), "is not UTF-8 text"),
    "utf-16-le-bom": (lambda: '{"format_version": "1.2"}'.encode("utf-16"), "is UTF-16 encoded"),
    "utf-16-be-bom": (
        lambda: b"\xfe\xff" + '{"format_version": "1.2"}'.encode("utf-16-be"),
        "is UTF-16 encoded",
    ),
    "nested-arrays-300k": (lambda: b"[" * 300_000, "nested too deeply"),
    "nested-objects-300k": (lambda: b'{"a":' * 300_000, "nested too deeply"),
    "closed-but-deep": (
        lambda: b'{"format_version": "1.2", "x": ' + b"[" * 400 + b"]" * 400 + b"}",
        "neither a plan",
    ),
    "nan-document": (lambda: b"NaN", "holds a JSON number"),
}


@pytest.mark.parametrize("name", sorted(BAD_BYTES))
def test_bad_bytes_from_a_file(name: str, tmp_path: Path) -> None:
    make, fragment = BAD_BYTES[name]
    path = tmp_path / "plan.json"
    path.write_bytes(make())
    input_error(lambda: load_plan(str(path)), str(path), fragment)


@pytest.mark.parametrize("name", sorted(BAD_BYTES))
def test_bad_bytes_from_stdin(name: str) -> None:
    make, fragment = BAD_BYTES[name]
    input_error(lambda: load_plan("-", stdin=io.BytesIO(make())), "<stdin>", fragment)


def test_utf8_bom_is_accepted() -> None:
    doc = parse_plan("bom.json", b"\xef\xbb\xbf" + REFERENCE.read_bytes())
    assert doc.kind == "plan"


def test_missing_path(tmp_path: Path) -> None:
    path = str(tmp_path / "nope" / "plan.json")
    input_error(lambda: load_plan(path), path, "no such file")


def test_directory_as_path(tmp_path: Path) -> None:
    input_error(lambda: load_plan(str(tmp_path)), str(tmp_path), "is a directory")


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root reads files whatever their mode"
)
def test_unreadable_file(tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    path.write_bytes(REFERENCE.read_bytes())
    path.chmod(0)
    try:
        input_error(lambda: load_plan(str(path)), str(path), "cannot be read")
    finally:
        path.chmod(0o600)


def test_unreadable_file_even_as_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The chmod test above cannot run as root; the same OSError branch, simulated."""

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("tfcheck.load.plan.open", refuse, raising=False)
    path = str(tmp_path / "plan.json")
    input_error(lambda: load_plan(path), path, "cannot be read: Permission denied")


def test_nul_byte_in_path() -> None:
    input_error(lambda: load_plan("plan\x00.json"), repr("plan\x00.json"), "not a usable file name")


def test_stdin_dash_reads_a_plan() -> None:
    doc = load_plan("-", stdin=io.BytesIO(REFERENCE.read_bytes()))
    assert doc.path == "<stdin>" and doc.kind == "plan"


def test_showfile_names_the_plan(tmp_path: Path) -> None:
    assert load_plan(None, env={"SHOWFILE": str(REFERENCE)}).path == str(REFERENCE)
    bad = str(BAD / "truncated.json")
    input_error(lambda: load_plan(None, env={"SHOWFILE": bad}), bad, "is not valid JSON")
    missing = str(tmp_path / "absent.json")
    input_error(lambda: load_plan(None, env={"SHOWFILE": missing}), missing, "no such file")


@pytest.mark.parametrize("env", [{}, {"SHOWFILE": ""}, {"OTHER": "plan.json"}])
def test_no_path_and_no_showfile(env: dict[str, str]) -> None:
    input_error(lambda: load_plan(None, env=env), "<no input>", "no plan given")


# A section that is null in a document that is still a plan (or state) is data, not an error.
NULL_SECTIONS = {
    "resource_changes": (REFERENCE, "plan"),  # falls back to planned_values
    "planned_values": (REFERENCE, "plan"),
    "configuration": (REFERENCE, "plan"),
    "prior_state": (REPO / "fixtures" / "graph" / "existing_add_endpoint" / "plan.json", "plan"),
    "variables": (REFERENCE, "plan"),
    "values": (STATE, "state"),
}


@pytest.mark.parametrize("section", sorted(NULL_SECTIONS))
def test_null_sections_still_give_a_graph(section: str) -> None:
    source, kind = NULL_SECTIONS[section]
    data = json.loads(source.read_bytes())
    data[section] = None
    doc = parse_plan("nulls.json", json.dumps(data).encode())
    assert doc.kind == kind
    result = graph(doc)
    if section == "values":
        assert result["summary"]["resources"] == 0
    elif section != "configuration":
        assert result["vpcs"]


def test_every_plan_section_null_is_refused() -> None:
    raw = json.dumps(
        {
            "format_version": "1.2",
            "resource_changes": None,
            "planned_values": None,
            "configuration": None,
            "prior_state": None,
        }
    ).encode()
    input_error(lambda: parse_plan("all-null.json", raw), "all-null.json", "neither a plan")


def test_fifty_megabyte_string_in_a_valid_plan() -> None:
    """A huge value is data: the plan loads, the graph builds, memory stays a small multiple."""
    size = 50 * 1024 * 1024
    data = json.loads(REFERENCE.read_bytes())
    vpc = next(rc for rc in data["resource_changes"] if rc["type"] == "aws_vpc")
    vpc["change"]["after"]["tags"] = {"Name": "@@BIG@@"}
    raw = json.dumps(data).encode().replace(b"@@BIG@@", b"x" * size)
    del data
    tracemalloc.start()
    try:
        result = graph(parse_plan("big.json", raw))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result["vpcs"]
    assert peak < 4 * size, f"peak {peak / 2**20:.0f} MiB for a {size / 2**20:.0f} MiB value"
