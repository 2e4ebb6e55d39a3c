"""Terraform functions: values checked against terraform itself, and unknown handling.

tests/hcl/functions/main.tf holds one output per case; its plan.json was made by
shared/tf/plan-offline (terraform 1.11.4), so `planned_values.outputs` is Terraform's answer.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from tfcheck.hcl.functions.table import FUNCTIONS
from tfcheck.hcl.loader import Loader
from tfcheck.hcl.module import MISSING, ModuleInstance
from tfcheck.hcl.values import EvalError, finalize
from tfcheck.model import Ref, Unknown

CASES = Path(__file__).resolve().parent / "hcl" / "functions"
PLANNED = json.loads((CASES / "plan.json").read_text())["planned_values"]["outputs"]


@pytest.fixture(scope="module")
def root() -> ModuleInstance:
    loader = Loader(os.path.abspath(CASES), {})
    return ModuleInstance(loader, loader.config(loader.root), "", "", lambda _: MISSING, {})


@pytest.mark.parametrize("name", sorted(PLANNED))
def test_same_value_as_terraform(root: ModuleInstance, name: str) -> None:
    assert finalize(root.output(name)) == PLANNED[name]["value"]
    assert root.loader.notes == []


REF = Ref("aws_subnet.a", "id", "source")
UNKNOWN = Unknown("data source")


def call(name: str, *args: Any) -> Any:
    return FUNCTIONS[name](list(args))


def test_collections_keep_unknown_elements() -> None:
    assert call("length", [REF, UNKNOWN]) == 2
    assert call("concat", [REF], [1]) == [REF, 1]
    assert call("element", [REF, 1], 2) == REF
    assert call("values", {"b": REF, "a": 1}) == [1, REF]
    assert call("flatten", [[REF], [[2]]]) == [REF, 2]
    assert call("merge", {"a": REF}, None, {"b": 1}) == {"a": REF, "b": 1}
    assert call("lookup", {"a": REF}, "a") == REF
    assert call("one", [REF]) == REF
    assert call("tolist", [REF]) == [REF]
    assert call("coalesce", None, "", "x") == "x"


def test_unknown_where_a_known_part_is_needed() -> None:
    assert call("length", UNKNOWN) == UNKNOWN
    assert call("join", ",", ["a", REF]) == Unknown("known after apply", (REF,))
    assert call("lookup", {"a": 1}, REF) == Unknown("known after apply", (REF,))
    assert call("element", [1], UNKNOWN) == UNKNOWN
    assert call("flatten", [[1], UNKNOWN]) == UNKNOWN
    assert call("coalesce", REF, "x") == Unknown("known after apply", (REF,))
    assert call("cidrsubnet", UNKNOWN, 8, 1) == UNKNOWN
    assert call("alltrue", [False, UNKNOWN]) is False
    assert call("alltrue", [True, UNKNOWN]) == UNKNOWN
    assert call("timestamp") == Unknown("timestamp() is known only when applied")


def test_jsonencode_keeps_the_known_parts() -> None:
    value = [{"image": REF, "name": "app", "port": 80}]
    assert call("jsonencode", value) == value
    assert call("jsondecode", call("jsonencode", value)) == value
    assert call("jsonencode", UNKNOWN) == UNKNOWN
    assert (
        call("jsonencode", {"b": "<&>", "a": [1.5, None]}) == '{"a":[1.5,null],"b":"\\u003c\\u0026\\u003e"}'
    )


@pytest.mark.parametrize(
    "name, args, message",
    [
        ("range", [2000], "more than 1024"),
        ("cidrsubnet", ["10.0.0.0/30", 8, 1], "do not fit"),
        ("cidrsubnet", ["nonsense", 8, 1], "is not a CIDR prefix"),
        ("cidrhost", ["10.0.0.0/30", 4], "is not in"),
        ("element", [[], 0], "empty list"),
        ("one", [[1, 2]], "at most one element"),
        ("regex", ["x", "abc"], "does not match"),
        ("regex", ["(", "abc"], "invalid regular expression"),
        ("format", ["%d", "x"], "is not a number"),
        ("format", ["%s %s", "x"], "not enough arguments"),
        ("length", [], "takes 1 arguments, not 0"),
        ("tonumber", ["x"], '"x" is not a number'),
        ("jsondecode", ["{"], "not valid JSON"),
        ("zipmap", [["a"], []], "as many values as keys"),
        ("slice", [[1], 0, 2], "out of range"),
        ("sum", [[]], "empty list"),
        ("lookup", [{"a": 1}, "b"], 'no key "b"'),
    ],
)
def test_errors_are_eval_errors(name: str, args: list[Any], message: str) -> None:
    with pytest.raises(EvalError, match=message):
        FUNCTIONS[name](args)


def test_file_functions(tmp_path: Path) -> None:
    from tfcheck.hcl.boundary import Boundary
    from tfcheck.hcl.budget import Budget
    from tfcheck.hcl.functions.files import file_functions

    (tmp_path / "policy.json").write_text('{"a": 1}')
    (tmp_path / "t.tpl").write_text("%{ for n in names ~}\n${n},\n%{ endfor ~}\n")
    functions = file_functions(Boundary(str(tmp_path)), str(tmp_path), Budget())
    assert functions["file"](["policy.json"]) == '{"a": 1}'
    assert functions["fileexists"](["nope"]) is False
    assert functions["templatefile"](["t.tpl", {"names": ["a", "b"]}]) == "a,\nb,\n"
    assert functions["templatefile"](["t.tpl", {"names": [REF]}]) == Unknown("known after apply", (REF,))
    with pytest.raises(EvalError, match="no file nope"):
        functions["file"](["nope"])
