"""Any HCL directory yields an Inventory of plain values, or an InputError; nothing else."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tfcheck.errors import InputError
from tfcheck.hcl.functions.table import FUNCTIONS
from tfcheck.hcl.source import load_source
from tfcheck.model import Inventory, Ref, Unknown

ATOMS = st.sampled_from(
    [
        "1",
        "0",
        "-2.5",
        "3",
        '"s"',
        '"a${var.x}b"',
        "null",
        "true",
        "false",
        "var.x",
        "var.m",
        "local.a",
        "local.l",
        "count.index",
        "each.key",
        "each.value",
        "aws_vpc.v.id",
        "aws_vpc.v.cidr_block",
        "aws_subnet.s[0].id",
        "aws_subnet.s",
        "aws_subnet.s[*].id",
        "data.aws_x.y.z",
        "module.m.out",
        "module.m",
        "module.none.out",
        "path.module",
        "[]",
        "{}",
        "self.x",
        "nosuch.thing",
        "terraform.workspace",
        '"10.0.0.0/16"',
        "<<EOT\nx ${var.x}\nEOT\n",
    ]
)
OPERATORS = st.sampled_from(["+", "-", "*", "/", "%", "==", "!=", "<", ">=", "&&", "||"])
NAMES = st.sampled_from(["a", "b", "id", "for", "in", "if"])
CALLS = st.sampled_from(sorted(FUNCTIONS) + ["try", "can", "nosuch"])


def _extend(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.tuples(inner, OPERATORS, inner).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
        inner.map(lambda e: f"!{e}"),
        st.lists(inner, max_size=3).map(lambda xs: "[" + ", ".join(xs) + "]"),
        st.lists(st.tuples(NAMES, inner), max_size=3).map(
            lambda kv: "{" + ", ".join(f"{k} = {v}" for k, v in kv) + "}"
        ),
        st.tuples(CALLS, st.lists(inner, max_size=3), st.booleans()).map(
            lambda t: f"{t[0]}({', '.join(t[1])}{'...' if t[2] and t[1] else ''})"
        ),
        st.tuples(inner, inner, inner).map(lambda t: f"({t[0]} ? {t[1]} : {t[2]})"),
        st.tuples(inner, inner).map(lambda t: f"[for x in {t[0]} : {t[1]}]"),
        st.tuples(inner, inner).map(lambda t: f"{{for k, v in {t[0]} : k => {t[1]}...}}"),
        inner.map(lambda e: f"{e}[0]"),
        inner.map(lambda e: f'{e}["a"]'),
        inner.map(lambda e: f"{e}.a"),
        inner.map(lambda e: f"{e}[*].id"),
        inner.map(lambda e: f'"x${{{e}}}y%{{ if {e} }}z%{{ endif }}"'),
    )


EXPRESSIONS = st.recursive(ATOMS, _extend, max_leaves=10)


def _module(exprs: list[str]) -> dict[str, str]:
    e = (exprs * 8)[:8]
    main = f"""
variable "x" {{ default = {e[0]} }}
variable "m" {{
  type    = map(object({{ a = optional(string, "d"), b = optional(list(number)) }}))
  default = {{}}
}}
locals {{
  a = {e[1]}
  l = [{e[2]}, 1]
}}
resource "aws_vpc" "v" {{
  cidr_block = {e[3]}
}}
resource "aws_subnet" "s" {{
  count  = {e[4]}
  vpc_id = aws_vpc.v.id
  tags   = {{ x = {e[5]} }}
}}
resource "aws_security_group" "g" {{
  for_each = {e[6]}
  name     = each.key
  dynamic "ingress" {{
    for_each = {e[7]}
    content {{
      from_port = ingress.key
      cidr_blocks = [ingress.value]
    }}
  }}
}}
module "m" {{
  source = "./child"
  count  = {e[0]}
  v      = {e[5]}
}}
"""
    child = (
        'variable "v" {}\nresource "aws_eip" "e" { domain = var.v }\noutput "out" { value = aws_eip.e.id }\n'
    )
    return {"main.tf": main, "child/main.tf": child}


def _check(files: dict[str, str]) -> None:
    with tempfile.TemporaryDirectory() as temp:
        for name, text in files.items():
            path = Path(temp) / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        try:
            inventory = load_source(temp, env={})
        except InputError as exc:
            assert exc.message and "Traceback" not in exc.message
            return
    assert isinstance(inventory, Inventory)
    for instance in inventory.instances:
        _plain(instance.values)


def _plain(value: Any) -> None:
    if isinstance(value, dict):
        assert all(isinstance(k, str) for k in value)
        for item in value.values():
            _plain(item)
    elif isinstance(value, list):
        for item in value:
            _plain(item)
    else:
        assert value is None or isinstance(value, (str, int, float, bool, Ref, Unknown)), value


SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(st.lists(EXPRESSIONS, min_size=1, max_size=8))
def test_random_expressions(exprs: list[str]) -> None:
    _check(_module(exprs))


@SETTINGS
@given(
    st.lists(EXPRESSIONS, min_size=1, max_size=8),
    st.integers(0, 10_000),
    st.text(alphabet='{}[]()"$%~=<>\n #*.,:?!\\', max_size=3),
)
@example(  # found in CI: a comment cut an attribute down to a bare name (`n`), an EvalError
    exprs=[
        "null",
        '"x${"a${var.x}b".a}y%{ if "a${var.x}b".a }z%{ endif }"["a"]',
        '"x${{for k, v in aws_subnet.s[0] : k => data.aws_x.y.z[0]...}}y%{ if {for k, v in '
        'aws_subnet.s[0] : k => data.aws_x.y.z[0]...} }z%{ endif }"[0]',
    ],
    where=421,
    junk="#",
)
@example(  # found in CI: `count = (a)` on a module call, a bare name that only fails as data
    exprs=["(aws_vpc.v.cidr_block + 1)[0]", '!"a${var.x}b"[0][0]'],
    where=744,
    junk=")#",
)
def test_damaged_text(exprs: list[str], where: int, junk: str) -> None:
    files = _module(exprs)
    text = files["main.tf"]
    where %= len(text)
    files["main.tf"] = text[:where] + junk + text[where + len(junk) :]
    _check(files)


@SETTINGS
@given(st.text(max_size=200))
def test_any_text(text: str) -> None:
    _check({"main.tf": text})


BARE = "alone is not a value"


@pytest.mark.parametrize(
    "block",
    [
        'module "m" {\n  source = "./child"\n  count = (a)\n}\n',
        'resource "aws_vpc" "v" {\n  for_each = local\n}\n',
    ],
    ids=["module-count", "resource-for_each"],
)
def test_a_bare_name_as_count_or_for_each_is_unknown_not_a_crash(block: str) -> None:
    """`count = local` (a name that is no value) fails only when it is used as data: the
    block's instances are left out, with a note saying why."""
    inventory = _load(
        {"main.tf": "locals {\n  a = 1\n}\n" + block, "child/main.tf": 'resource "aws_eip" "e" {}\n'}
    )
    assert not any(i.address.startswith(("module.m", "aws_vpc.v")) for i in inventory.instances)
    assert any(BARE in note for note in inventory.notes), inventory.notes


def test_a_bare_name_as_a_dynamic_for_each_is_unknown_not_a_crash() -> None:
    text = 'resource "aws_security_group" "g" {\n  dynamic "ingress" {\n    for_each = var\n'
    text += "    content {\n      from_port = 443\n    }\n  }\n}\n"
    (group,) = _load({"main.tf": text}).instances
    assert isinstance(group.values["ingress"], Unknown) and BARE in group.values["ingress"].reason


def _load(files: dict[str, str]) -> Inventory:
    with tempfile.TemporaryDirectory() as temp:
        for name, text in files.items():
            (Path(temp) / name).parent.mkdir(parents=True, exist_ok=True)
            (Path(temp) / name).write_text(text, encoding="utf-8")
        return load_source(temp, env={})
