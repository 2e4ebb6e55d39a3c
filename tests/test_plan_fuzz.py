"""Property tests: mutate real fixture plans; the graph layer returns a graph or an InputError.

The property, for any mutation: `build_graph(build_inventory(parse_plan(path, bytes)))` either
returns a Graph whose `document()` is plain JSON (json.dumps, no default) and follows
graph.schema.json, or raises InputError with a one-line message. Never anything else.
Derandomized and bounded, so the run is the same everywhere and stays fast.
"""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tfcheck
from tfcheck.errors import InputError
from tfcheck.graph.build import build_graph
from tfcheck.load.inventory import build_inventory
from tfcheck.load.plan import parse_plan

REPO = Path(__file__).resolve().parent.parent
PREFERRED = [
    "fixtures/reference/plan.json",
    "fixtures/graph/count_nat_per_az/plan.json",
    "fixtures/graph/existing_add_endpoint/plan.json",  # update plan with prior_state
    "fixtures/graph/existing_state_form/plan.json",  # state form
    "fixtures/rules/VPCE004/fail-security-group/plan.json",
    "fixtures/rules/VPCE014/pass-sg-association/plan.json",
    "fixtures/rules/VPCE020/pass-requires-tag/plan.json",
    "fixtures/rules/VPCE021/fail-lambda/plan.json",
    "fixtures/rules/VPCE026/fail/plan.json",
]
SCHEMA = json.loads((Path(tfcheck.__file__).parent / "graph" / "schema.json").read_text(encoding="utf-8"))
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)

# TFCHECK_FUZZ_EXAMPLES=5000 for a longer hunt; CI keeps the default.
FUZZ = settings(
    max_examples=int(os.environ.get("TFCHECK_FUZZ_EXAMPLES", "150")),
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _plans() -> list[Path]:
    """A varied handful, plus every module / for_each graph fixture that has been planned."""
    chosen = [REPO / p for p in PREFERRED]
    for pattern in ("fixtures/graph/*module*/plan.json", "fixtures/graph/for_each*/plan.json"):
        chosen += sorted(REPO.glob(pattern))
    return [p for p in dict.fromkeys(chosen) if p.is_file()]


PLANS = _plans()


@functools.cache
def _text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def check(raw: bytes) -> None:
    """The property itself."""
    try:
        graph = build_graph(build_inventory(parse_plan("fuzz.json", raw)))
    except InputError as error:
        assert error.path == "fuzz.json" and "\n" not in str(error)
        return
    VALIDATOR.validate(json.loads(json.dumps(graph.document())))


# --- where to mutate ---

Slot = tuple[Any, Any, str]  # (container, key or index, JSON path for the failure report)


def slots(doc: Any, want: Callable[[Any, Any], bool] = lambda key, value: True) -> list[Slot]:
    out: list[Slot] = []
    stack: list[tuple[Any, str]] = [(doc, "")]
    while stack:
        node, path = stack.pop()
        pairs = node.items() if isinstance(node, dict) else enumerate(node)
        for key, value in pairs:
            where = f"{path}/{key}"
            if want(key, value):
                out.append((node, key, where))
            if isinstance(value, (dict, list)):
                stack.append((value, where))
    return out


class Case:
    """A mutated plan; its repr (what hypothesis prints on failure) is the recipe, not the bytes."""

    def __init__(self, fixture: str) -> None:
        self.fixture = fixture
        self.steps: list[str] = []
        self.raw = b""

    def __repr__(self) -> str:
        return f"Case({self.fixture!r}, steps={self.steps!r})"


def _set(case: Case, place: Slot, value: Any, how: str) -> None:
    node, key, where = place
    node[key] = value
    case.steps.append(f"{how} {where} = {json.dumps(value)[:120]}")


GHOST_ADDRESSES = [
    "aws_vpc.ghost",
    "aws_subnet.ghost[3]",
    'module.ghost.aws_subnet.x["k"]',
    "module.ghost",
    'module.a[0].module.b["x"].aws_route_table.y',
    "aws_vpc.main:main",
    "",
    "!!",
    "aws_vpc.",
    "[0]",
]
GHOST_REFERENCES = [
    "module.ghost.out",
    "module.ghost",
    "module.ghost[0].ids",
    'module.ghost["k"].x',
    "var.ghost",
    "aws_vpc.ghost.id",
    "aws_subnet.ghost[9].id",
    "each.value.ghost",
    "each.key",
    "count.index",
    "local.ghost",
    "data.aws_vpc.ghost.id",
    "self.id",
    "path.module",
    "module",
    "var",
    "[0]",
    "",
    'aws_subnet.a["unterminated',
    "module.vpc.vpc_id[0][1]",
]
ODD_STRINGS = [
    "",
    " ",
    "null",
    "true",
    "0",
    "-1",
    "1e400",
    "NaN",
    "10.0.0.0/33",
    "not-a-cidr",
    "::/129",
    "0.0.0.0/0",
    "::/0",
    "10.0.0.0/8\n",
    "us-east-1a",
    "use1-az1",
    "com.amazonaws.us-east-1.s3",
    "com.amazonaws.vpce.us-east-1.vpce-svc-0",
    "Gateway",
    "Interface",
    "sg-0",
    "vpc-0",
    "subnet-0",
    "igw-0",
    "nat-0",
    "\x00",
    "\u202e",
    "x" * 300,
    '{"a": [1, {"b": null}]}',
    "[[[[",
    "tfcheck:requires",
]
JUNK = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(ODD_STRINGS),
    st.builds(list),
    st.builds(dict),
    st.lists(st.sampled_from(ODD_STRINGS), max_size=3),
    st.dictionaries(
        st.sampled_from(["id", "references", "constant_value", "k"]),
        st.sampled_from([None, 1, "x", ["aws_vpc.ghost"]]),
        max_size=2,
    ),
)


@st.composite
def retyped(draw: st.DrawFn, value: Any) -> Any:
    """The same data in another JSON type: string ↔ list ↔ dict ↔ number ↔ null ↔ bool."""
    choices: list[Any] = [[value], {"value": value}, json.dumps(value)[:200], None, True, 0, 3.5, "x"]
    if isinstance(value, dict):
        choices += [list(value.values()), list(value)]
    if isinstance(value, list):
        choices += [{str(i): v for i, v in enumerate(value)}, value[:1] * 3]
    if isinstance(value, str):
        choices += [len(value), [c for c in value[:5]], {value: value}]
    return draw(st.one_of(st.sampled_from(choices), JUNK))


# --- mutations ---


def _generic(draw: st.DrawFn, doc: Any, case: Case) -> None:
    places = slots(doc)
    if not places:
        return
    place = draw(st.sampled_from(places))
    node, key, where = place
    op = draw(st.sampled_from(["drop", "retype", "retype", "shuffle", "graft", "junk"]))
    if op == "drop":
        del node[key]
        case.steps.append(f"drop {where}")
    elif op == "retype":
        _set(case, place, draw(retyped(node[key])), "retype")
    elif op == "shuffle" and isinstance(node[key], list):
        _set(case, place, draw(st.permutations(node[key])), "shuffle")
    elif op == "graft":
        other, other_key, _ = draw(st.sampled_from(places))
        _set(case, place, json.loads(json.dumps(other[other_key])), "graft")  # a copy, not shared
    else:
        _set(case, place, draw(JUNK), "junk")


def _references(draw: st.DrawFn, doc: Any, case: Case) -> None:
    op = draw(st.sampled_from(["address", "reference", "id", "duplicate", "ghost_module", "references"]))
    if op == "address":
        places = slots(doc, lambda k, v: k in ("address", "module_address", "previous_address"))
        if places:
            _set(
                case,
                draw(st.sampled_from(places)),
                draw(st.one_of(st.sampled_from(GHOST_ADDRESSES), JUNK)),
                "address",
            )
            return
    if op == "reference":
        places = slots(doc, lambda k, v: k == "references" and isinstance(v, list))
        if places:
            place = draw(st.sampled_from(places))
            extra = draw(st.lists(st.sampled_from(GHOST_REFERENCES), min_size=1, max_size=3))
            _set(case, place, place[0][place[1]] + extra, "reference")
            return
    if op == "references":
        places = slots(doc, lambda k, v: k == "references")
        if places:
            place = draw(st.sampled_from(places))
            _set(case, place, draw(retyped(place[0][place[1]])), "references")
            return
    if op == "id":
        # An id attribute pointing at an object of another kind (or at nothing).
        ids = [n[k] for n, k, _ in slots(doc, lambda k, v: k in ("id", "arn") and isinstance(v, str))]
        places = slots(doc, lambda k, v: isinstance(k, str) and (k.endswith("_id") or k.endswith("_ids")))
        if places and ids:
            target = draw(st.sampled_from(ids + ["vpc-ghost", "sg-ghost"]))
            _set(case, draw(st.sampled_from(places)), [target] if draw(st.booleans()) else target, "id")
            return
    if op == "duplicate":
        changes = doc.get("resource_changes") if isinstance(doc, dict) else None
        if isinstance(changes, list) and changes:
            twin = json.loads(json.dumps(draw(st.sampled_from(changes))))
            if isinstance(twin, dict):
                twin["type"] = draw(
                    st.sampled_from(
                        ["aws_vpc", "aws_subnet", "aws_route_table", "aws_security_group", twin.get("type")]
                    )
                )
            at = draw(st.integers(0, len(changes)))
            changes.insert(at, twin)
            case.steps.append(f"duplicate at /resource_changes/{at}: {json.dumps(twin)[:120]}")
            return
    if op == "ghost_module":
        configuration = doc.get("configuration") if isinstance(doc, dict) else None
        root = configuration.get("root_module") if isinstance(configuration, dict) else None
        if isinstance(root, dict):
            calls = root.setdefault("module_calls", {})
            if isinstance(calls, dict):
                calls["ghost"] = {
                    "source": "./ghost",
                    "expressions": {
                        "v": {"references": draw(st.lists(st.sampled_from(GHOST_REFERENCES), max_size=3))}
                    },
                    "module": {
                        "outputs": {"out": {"expression": {"references": ["var.v"]}}},
                        "variables": {"v": {}},
                    },
                }
                case.steps.append(f"module call ghost: {json.dumps(calls['ghost'])[:160]}")
                return
    _generic(draw, doc, case)


AZ_KEYS = ("availability_zone", "availability_zones", "availability_zone_id")
BOOL_KEYS = (
    "enable_dns_support",
    "enable_dns_hostnames",
    "private_dns_enabled",
    "map_public_ip_on_launch",
    "assign_public_ip",
    "associate_public_ip_address",
    "self",
    "enable_execute_command",
)


def _values(draw: st.DrawFn, doc: Any, case: Case) -> None:
    op = draw(st.sampled_from(["az", "cidr", "bool", "port", "service", "containers"]))
    wanted: dict[str, Callable[[Any, Any], bool]] = {
        "az": lambda k, v: k in AZ_KEYS,
        "cidr": lambda k, v: isinstance(k, str) and "cidr" in k,
        "bool": lambda k, v: k in BOOL_KEYS,
        "port": lambda k, v: k in ("from_port", "to_port", "protocol", "ip_protocol", "type"),
        "service": lambda k, v: k in ("service_name", "vpc_endpoint_type", "service_region", "image"),
        "containers": lambda k, v: k == "container_definitions",
    }
    places = slots(doc, wanted[op])
    if not places:
        _generic(draw, doc, case)
        return
    place = draw(st.sampled_from(places))
    if op == "az":
        value = draw(
            st.one_of(
                st.integers(),
                st.floats(allow_nan=False),
                st.lists(st.integers(), max_size=2),
                st.sampled_from(ODD_STRINGS),
            )
        )
    elif op == "cidr":
        value = draw(
            st.one_of(
                st.sampled_from(ODD_STRINGS),
                st.text(max_size=20),
                st.integers(),
                st.lists(st.sampled_from(ODD_STRINGS + [None, 7]), max_size=3),
            )
        )
    elif op == "containers":
        value = draw(
            st.one_of(
                st.sampled_from(
                    [
                        "[",
                        "[]",
                        "{}",
                        "null",
                        "[1]",
                        '[{"secrets": true}]',
                        '[{"image": 5}]',
                        '[{"logConfiguration": []}]',
                        "[" * 5000,
                    ]
                ),
                st.builds(
                    json.dumps,
                    st.lists(
                        st.dictionaries(
                            st.sampled_from(
                                ["image", "secrets", "logConfiguration", "repositoryCredentials"]
                            ),
                            JUNK,
                        ),
                        max_size=2,
                    ),
                ),
            )
        )
    else:
        value = draw(st.one_of(JUNK, retyped(place[0][place[1]])))
    _set(case, place, value, op)


@st.composite
def mutated(draw: st.DrawFn, mutate: Callable[[st.DrawFn, Any, Case], None]) -> Case:
    path = draw(st.sampled_from(PLANS))
    case = Case(str(path.relative_to(REPO)))
    doc = json.loads(_text(path))
    for _ in range(draw(st.integers(min_value=1, max_value=6))):
        mutate(draw, doc, case)
    case.raw = json.dumps(doc).encode()
    return case


def test_there_are_plans_to_mutate() -> None:
    assert len(PLANS) >= 5, PLANS


@FUZZ
@given(mutated(_generic))
def test_dropped_retyped_shuffled_sections(case: Case) -> None:
    check(case.raw)


@FUZZ
@given(mutated(_references))
def test_addresses_and_references_to_nothing(case: Case) -> None:
    check(case.raw)


@FUZZ
@given(mutated(_values))
def test_odd_azs_cidrs_ports_and_flags(case: Case) -> None:
    check(case.raw)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)
SECTIONS = ["resource_changes", "planned_values", "configuration", "prior_state", "values", "variables"]


@FUZZ
@given(st.dictionaries(st.sampled_from(SECTIONS), JSON), st.sampled_from(["1.0", "1.2", "1.99", "1"]))
def test_random_sections_under_a_good_format_version(sections: dict[str, Any], version: str) -> None:
    check(json.dumps({"format_version": version, **sections}).encode())


@FUZZ
@given(st.one_of(st.binary(max_size=300), st.builds(lambda j: json.dumps(j).encode(), JSON)))
def test_any_bytes(raw: bytes) -> None:
    check(raw)
