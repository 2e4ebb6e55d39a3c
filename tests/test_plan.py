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
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

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


# --- planned_values is located, not parsed, when resource_changes is there ---

PLANS = sorted(REPO.glob("fixtures/**/plan.json"))


def _whole(raw: bytes) -> dict[str, Any]:
    """What json.loads makes of the document, less the section nothing reads."""
    data: dict[str, Any] = json.loads(raw.decode("utf-8-sig"))
    if isinstance(data.get("resource_changes"), list):
        data.pop("planned_values", None)
    return data


@pytest.mark.parametrize("path", PLANS, ids=[str(p.relative_to(REPO)) for p in PLANS])
def test_every_fixture_plan_reads_as_the_whole_parse_less_planned_values(path: Path) -> None:
    """Compact (as terraform show -json writes it) leaves the section out; indented (as the
    fixture tool writes some) is read whole; either way, every other member is the same."""
    raw = path.read_bytes()
    data = dict(parse_plan(str(path), raw).data)
    compact = b',"resource_changes":[' in raw
    assert ("planned_values" in data) is (not compact and b'"planned_values"' in raw)
    data.pop("planned_values", None)
    assert data == _whole(raw) and list(data) == list(_whole(raw))


def _compact(data: dict[str, Any]) -> bytes:
    return json.dumps(data, separators=(",", ":")).encode()


def _reference() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(REFERENCE.read_bytes())
    return data


def test_a_nested_key_spelt_like_the_next_section_is_passed_over() -> None:
    data = _reference()
    resources = data["planned_values"]["root_module"]["resources"]
    resources[0]["values"]["tags"] = {"a": "1", "resource_changes": [], "resource_drift": "}"}
    raw = _compact(data)
    assert raw.count(b',"resource_changes":') >= 2
    assert parse_plan("nested.json", raw).data == _whole(raw)


def test_more_decoys_than_places_tried_fall_back_to_the_whole_parse() -> None:
    data = _reference()
    resources = data["planned_values"]["root_module"]["resources"]
    for i, resource in enumerate(resources):
        resource["values"]["tags"] = {"a": str(i), "resource_changes": {"x": [1, {"y": "z"}]}}
    raw = _compact(data)
    assert raw.count(b',"resource_changes":') > 9
    doc = parse_plan("decoys.json", raw)
    assert doc.data == json.loads(raw)  # read whole: planned_values is there
    assert graph(doc)["vpcs"]


@pytest.mark.parametrize("changes", [None, {"not": "a list"}], ids=["absent", "not-a-list"])
def test_without_a_list_of_changes_planned_values_is_what_is_read(changes: Any) -> None:
    """The inventory reads `planned_values` when `resource_changes` is no list: then the
    section must be parsed, even when a `resource_drift` key after it marks its end."""
    data = _reference()
    rest = {k: v for k, v in data.items() if k != "resource_changes"}
    order = list(rest)
    rest = {k: rest[k] for k in order[: order.index("planned_values") + 1]}
    rest["resource_drift"] = []
    if changes is not None:
        rest["resource_changes"] = changes
    rest.update({k: v for k, v in data.items() if k not in rest and k != "resource_changes"})
    raw = _compact(rest)
    assert b',"resource_drift":' in raw
    doc = parse_plan("drift-only.json", raw)
    assert doc.data == json.loads(raw) and graph(doc)["vpcs"]


@pytest.mark.parametrize(
    "layout",
    [
        lambda d: json.dumps(d, indent=2).encode(),  # jq . or an editor: read whole
        lambda d: json.dumps(d).encode(),  # spaces after separators
        lambda d: _compact({k: d[k] for k in reversed(list(d))}),  # another key order
    ],
    ids=["indented", "spaced", "reordered"],
)
def test_other_layouts_are_read_whole(layout: Callable[[dict[str, Any]], bytes]) -> None:
    raw = layout(_reference())
    assert parse_plan("layout.json", raw).data == json.loads(raw)


@pytest.mark.parametrize(
    ("second", "where"),
    [
        (',"planned_values":{"root_module":{}}', ',"planned_values":'),
        (',"planned_values":{"root_module":{}}', ',"resource_changes":'),
        (',"planned\\u005fvalues":{"root_module":{}}', ',"planned_values":'),
    ],
    ids=["before", "after", "escaped-before"],
)
def test_planned_values_twice_is_refused(second: str, where: str) -> None:
    text = _compact(_reference()).decode()
    at = text.index(where)
    raw = (text[:at] + second + text[at:]).encode()
    input_error(lambda: parse_plan("twice.json", raw), "twice.json", "twice in one JSON object")


def test_a_key_twice_in_resource_changes_is_still_refused() -> None:
    text = _compact(_reference()).decode()
    at = text.index('"change":', text.index(',"resource_changes":'))
    raw = (text[:at] + '"address":"x",' + text[at:]).encode()
    input_error(lambda: parse_plan("twice.json", raw), "twice.json", '"address" twice')


@pytest.mark.parametrize(
    "cut",
    [
        lambda t: t[:-1],  # the closing brace
        lambda t: t + "}",  # one too many
        lambda t: t + " x",  # trailing text
        lambda t: t + "\u3000",  # whitespace to str.strip, not to JSON
        lambda t: t.replace(',"resource_changes":[', ',"resource_changes":[,', 1),
    ],
    ids=["unclosed", "extra-brace", "trailing-text", "unicode-space", "broken-changes"],
)
def test_damage_outside_planned_values_is_refused(cut: Callable[[str], str]) -> None:
    raw = cut(_compact(_reference()).decode()).encode()
    input_error(lambda: parse_plan("bad.json", raw), "bad.json", "is not valid JSON")


@pytest.mark.parametrize(
    ("insert", "where"),
    [
        ("[[[", '"root_module":'),  # not JSON
        ('"root_module":{},', '"root_module":'),  # a key twice inside
        ('"planned\\u005fvalues":{},', ',"resource_changes":'),  # the same at the top level
    ],
    ids=["broken", "twice-inside", "escaped-twice"],
)
def test_what_is_inside_planned_values_goes_unseen(insert: str, where: str) -> None:
    """The documented cost of not parsing it (docs/security.md): nothing there is read, so
    the plan reads as its resource_changes say. The whole parse refuses each of these."""
    text = _compact(_reference()).decode()
    at = text.index(where, text.index('"planned_values":'))
    if where.startswith(","):
        insert = "," + insert.rstrip(",")
    raw = (text[:at] + insert + text[at:]).encode()
    with pytest.raises(ValueError):
        json.loads(raw, object_pairs_hook=_refuse_twice)
    assert parse_plan("damaged.json", raw).data == _whole(_compact(_reference()))


def _refuse_twice(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    if len({key for key, _ in pairs}) != len(pairs):
        raise ValueError("a key twice")
    return dict(pairs)


_KEYS = st.sampled_from(
    ["resource_changes", "resource_drift", "planned_values", "root_module", "a", "}", '"', ","]
)
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(st.sampled_from('{}[],:" \\ax'), max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_KEYS, inner, max_size=4),
    max_leaves=20,
)


@settings(
    max_examples=200,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(_JSON)
def test_any_valid_planned_values_reads_as_the_whole_parse(value: Any) -> None:
    """Whatever a valid section holds (keys spelt like the next section, braces and quotes in
    strings), what is read is what json.loads reads, less that section, or a refusal of a key
    given twice that json.loads would also meet."""
    data = _reference()
    data["planned_values"]["root_module"]["resources"][0]["values"]["tags"] = value
    raw = _compact(data)
    try:
        read = parse_plan("any.json", raw).data
    except InputError as error:
        assert "twice" in error.message
        with pytest.raises(ValueError):
            json.loads(raw, object_pairs_hook=_refuse_twice)
        return
    assert dict(read, planned_values=None) == dict(json.loads(raw), planned_values=None)
    if raw.count(b'"planned_values":') == 1 and raw.count(b',"resource_changes":') <= 8:
        assert "planned_values" not in read  # located, not parsed
