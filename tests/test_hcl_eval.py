"""tfcheck.hcl.expr: expressions over known values, unknown values and references."""

from __future__ import annotations

from typing import Any

import pytest

from tfcheck.hcl.budget import Budget
from tfcheck.hcl.expr import Scope, compile_expr
from tfcheck.hcl.functions.table import FUNCTIONS
from tfcheck.hcl.parse import parse_expression
from tfcheck.hcl.values import EvalError, Namespace, ResourceValue
from tfcheck.model import Ref, Unknown

SUBNET0 = Ref("aws_subnet.a[0]", "id", "source")
SUBNET1 = Ref("aws_subnet.a[1]", "id", "source")


class Environment:
    """`local.*` from a dict, `aws_subnet.a` (count = 2), `aws_vpc.v` with a known cidr."""

    functions = FUNCTIONS

    def __init__(self, locals_: dict[str, Any]) -> None:
        self.locals = locals_
        self.budget = Budget()

    def root(self, name: str) -> Any:
        if name == "local":
            return Namespace(self._local, "local")
        if name == "aws_subnet":
            return Namespace(lambda n: [self._subnet(0), self._subnet(1)], name)
        if name == "aws_vpc":
            return Namespace(
                lambda n: ResourceValue(
                    "aws_vpc.v", {"cidr_block": "10.0.0.0/16", "tags": {"Name": "v"}}.get
                ),
                name,
            )
        raise EvalError(f'unknown name "{name}"')

    def _local(self, name: str) -> Any:
        if name not in self.locals:
            raise EvalError(f'there is no local value "{name}"')
        return self.locals[name]

    @staticmethod
    def _subnet(index: int) -> ResourceValue:
        return ResourceValue(
            f"aws_subnet.a[{index}]", {"availability_zone": f"az{index}", "bad": Unknown("x")}.get
        )


def ev(text: str, **locals_: Any) -> Any:
    return compile_expr(parse_expression(text, "test"))(Scope(Environment(locals_)))


UNKNOWN = Unknown("data source")


@pytest.mark.parametrize(
    "text, value",
    [
        ("1 + 2 * 3", 7),
        ("(1 + 2) * 3", 9),
        ("7 / 2", 3.5),
        ("8 / 2", 4),
        ("-7 % 3", -1),
        ("7 % -3", 1),
        ('"5" + 1', 6),
        ("1 == 1.0", True),
        ('1 == "1"', False),
        ("true == 1", False),
        ("[1, 2] == [1, 2]", True),
        ("{a = 1} != {a = 2}", True),
        ("!true || 3 >= 3 && 2 < 1", False),
        ("-(1 - 3)", 2),
        ("null", None),
        ("true ? 1 : local.missing", 1),
        ('"${1}"', 1),
        ('"${true}x"', "truex"),
        ('"a$${b}%%{c}\\n\\u00e9"', "a${b}%{c}\né"),
        ("[1, 2].0", 1),
        ("[for x in [1, 2, 3] : x * 2 if x > 1]", [4, 6]),
        ("{for k, v in {b = 2, a = 1} : v => k}", {"1": "a", "2": "b"}),
        ('{for p in [["a", 1], ["a", 2], ["b", 3]] : p[0] => p[1]...}', {"a": [1, 2], "b": [3]}),
        ('[for i, v in ["x", "y"] : "${i}${v}"]', ["0x", "1y"]),
        ('{ (local.k) = 1, "${local.k}2" = 2, plain = 3 }', {"key": 1, "key2": 2, "plain": 3}),
        ("local.objs[*].n", ["a", "b"]),
        ("local.objs.*.n", ["a", "b"]),
        ("local.objs[*].tags[0]", ["t", "u"]),
        ("local.one[*].n", ["a"]),
        ("local.nothing[*]", []),
        ('"%{ for x in [1, 2] }${x};%{ endfor }"', "1;2;"),
        ('"%{ if local.k == "key" ~}  yes  %{~ else }no%{ endif }"', "yes"),
        ("aws_vpc.v.cidr_block", "10.0.0.0/16"),
        ("aws_vpc.v.tags.Name", "v"),
        ("aws_subnet.a[1].availability_zone", "az1"),
        ("[for s in aws_subnet.a : s.availability_zone]", ["az0", "az1"]),
    ],
)
def test_known_values(text: str, value: Any) -> None:
    result = ev(
        text,
        k="key",
        objs=[{"n": "a", "tags": ["t"]}, {"n": "b", "tags": ["u"]}],
        one={"n": "a"},
        nothing=None,
    )
    assert result == value
    assert type(result) is type(value)


def test_heredocs() -> None:
    text = "x = <<-EOT\n    a ${local.k}\n      b\n    EOT\n"
    assert ev(text.split("=", 1)[1].strip() + "\n", k="K") == "a K\n  b\n"
    assert ev('<<EOT\n  raw \\n "q"\nEOT\n') == '  raw \\n "q"\n'


def test_references_become_refs() -> None:
    assert ev("aws_subnet.a[0].id") == SUBNET0
    assert ev("aws_subnet.a[*].id") == [SUBNET0, SUBNET1]
    assert ev("aws_subnet.a.*.id") == [SUBNET0, SUBNET1]
    assert ev("aws_vpc.v.arn") == Ref("aws_vpc.v", "arn", "source")
    # a configured value that is not known stays a reference to the attribute
    assert ev("aws_subnet.a[0].bad") == Ref("aws_subnet.a[0]", "bad", "source")
    assert ev("aws_subnet.a[0].tags.Name") == Ref("aws_subnet.a[0]", "tags.Name", "source")
    assert ev('aws_subnet.a[0].tags["x"]') == Ref("aws_subnet.a[0]", 'tags["x"]', "source")


def test_unknown_propagates_with_its_refs() -> None:
    assert ev("local.u + 1", u=UNKNOWN) == UNKNOWN
    assert ev('"${aws_subnet.a[0].id}-x"') == Unknown("known after apply", (SUBNET0,))
    assert ev('"${local.u}/${aws_subnet.a[1].id}"', u=UNKNOWN) == Unknown("data source", (SUBNET1,))
    assert ev("local.u.attr[0]", u=UNKNOWN) == UNKNOWN
    assert ev("local.u[*].id", u=UNKNOWN) == UNKNOWN
    assert ev("[for x in local.u : x]", u=UNKNOWN) == UNKNOWN
    assert ev('aws_subnet.a[0].id == "x"') == Unknown("known after apply", (SUBNET0,))
    assert ev("local.u ? aws_subnet.a[0].id : aws_subnet.a[1].id", u=UNKNOWN) == Unknown(
        "data source", (SUBNET0, SUBNET1)
    )
    assert ev("[local.u, 1]", u=UNKNOWN) == [UNKNOWN, 1]
    assert ev("false && local.u", u=UNKNOWN) is False
    assert ev("true || local.u", u=UNKNOWN) is True
    assert ev("true && local.u", u=UNKNOWN) == UNKNOWN
    assert ev("[1, 2][local.u]", u=UNKNOWN) == UNKNOWN


def test_try_and_can() -> None:
    assert ev("try(local.m.missing, null)", m={"a": 1}) is None
    assert ev("try(local.m.a, null)", m={"a": 1}) == 1
    assert ev("try(local.l[5], local.l[0])", l=[7]) == 7
    assert ev("try(local.u, 1)", u=UNKNOWN) == UNKNOWN  # unknown is not an error
    assert ev('try(aws_subnet.a[0].id, "")') == SUBNET0
    assert ev("can(local.m.missing)", m={}) is False
    assert ev("can(local.m)", m={}) is True
    assert ev("can(local.u.x)", u=UNKNOWN) == UNKNOWN
    with pytest.raises(EvalError, match="no argument of try"):
        ev("try(local.m.x, local.m.y)", m={})


@pytest.mark.parametrize(
    "text, message",
    [
        ("local.m.b", 'the object has no attribute "b"'),
        ("local.l[3]", "index 3 is out of range"),
        ('local.m["z"]', 'the map has no element "z"'),
        ("null.x", 'cannot read "x" of a null value'),
        ("1 / 0", "division by zero"),
        ('"a" + 1', '"a" is not a number'),
        ('"x${null}"', "null value"),
        ('"x${[1]}"', "cannot be used as a string"),
        ("{for x in [1, 1] : x => x}", 'duplicate key "1"'),
        ("1 ? 2 : 3", "cannot be used as a bool"),
        ("local.nope", 'there is no local value "nope"'),
        ("[for x in 5 : x]", "cannot iterate over a number"),
    ],
)
def test_errors(text: str, message: str) -> None:
    with pytest.raises(EvalError, match=message.replace("[", r"\[").replace("(", r"\(")):
        ev(text, m={"a": 1}, l=[1, 2, 3])


def test_functions_calls() -> None:
    assert ev("nosuch(1)") == Unknown("unsupported function nosuch")
    assert ev('provider::aws::arn_parse("x")') == Unknown("unsupported function provider::aws::arn_parse")
    assert ev("max(local.l...)", l=[1, 5, 2]) == 5
    assert ev("concat(local.u...)", u=UNKNOWN) == UNKNOWN
    assert ev("length(aws_subnet.a)") == 2


def test_heredoc_json_with_unknown_string_parts_keeps_its_structure() -> None:
    text = (
        '<<EOF\n[{"image": "${aws_vpc.v.arn}:latest", "cpu": 256, "essential": true,\n'
        '  "logConfiguration": {"logDriver": "awslogs", "options": {"group": "${local.u}"}}}]\nEOF\n'
    )
    value = ev(text, u=UNKNOWN)
    assert value == [
        {
            "image": Unknown("known after apply", (Ref("aws_vpc.v", "arn", "source"),)),
            "cpu": 256,
            "essential": True,
            "logConfiguration": {"logDriver": "awslogs", "options": {"group": UNKNOWN}},
        }
    ]
    policy = ev('"{\\"Resource\\": [\\"${aws_subnet.a[0].id}\\", \\"arn:x\\"]}"')
    assert policy == {"Resource": [Unknown("known after apply", (SUBNET0,)), "arn:x"]}


@pytest.mark.parametrize(
    "text",
    [
        '"{\\"port\\": ${local.u}}"',  # an unknown outside a JSON string
        '"{\\"${local.u}\\": 1}"',  # an unknown key
        '"[\\"a\\", %{ if local.u }\\"b\\"%{ endif }]"',  # unknown text of unknown length
        '"not json ${local.u}"',
        '"{\\"a\\": \\"${local.u}\\"} trailing"',
    ],
)
def test_templates_that_are_not_json_with_unknown_strings_stay_unknown(text: str) -> None:
    assert isinstance(ev(text, u=UNKNOWN), Unknown)
