from __future__ import annotations

from tfcheck.load.references import (
    WHOLE_MODULE,
    Index,
    Place,
    PlanModule,
    Resolver,
    instance_key,
    parse_reference,
)
from tfcheck.model import Ref, Unknown, resource_type, sort_keys


def test_parse_reference_splits_names_and_indexes() -> None:
    assert parse_reference("module.net.ids[0]") == ["module", "net", "ids", Index(0)]
    assert parse_reference('aws_x.y["a"].id') == ["aws_x", "y", Index("a"), "id"]
    assert parse_reference('aws_x.y["we\\"ird"]') == ["aws_x", "y", Index('we"ird')]


def test_parse_reference_rejects_garbage() -> None:
    assert parse_reference("aws_x.y[") is None
    assert parse_reference("!!") is None


def test_instance_key_and_type_through_modules() -> None:
    address = 'module.a["x"].module.b.aws_subnet.p["k"]'
    assert instance_key(address) == "k"
    assert instance_key("aws_vpc.main") is None
    assert resource_type(address) == "aws_subnet"


def test_sort_keys_follows_terraform_order() -> None:
    assert sort_keys([10, 2, 1]) == [1, 2, 10]
    assert sort_keys(["b", "a", "ecr.api"]) == ["a", "b", "ecr.api"]


def test_format_key_quotes_like_terraform() -> None:
    """One formatter for plan and HCL addresses, so odd for_each keys still match."""
    from tfcheck.model import format_key

    assert format_key(None) == "" and format_key(3) == "[3]"
    assert format_key("ecr.api") == '["ecr.api"]' and format_key("50%") == '["50%"]'
    assert format_key('a"b\\c') == '["a\\"b\\\\c"]'
    assert format_key("x${y}%{z}") == '["x$${y}%%{z}"]'
    assert format_key("a\nb\u0007") == '["a\\nb\\u0007"]'


def _resolver() -> tuple[Resolver, Place]:
    """A child module `m` whose input `ids` is
    `module.net.ids` (aws_subnet.p[*].id, two instances) and `tags` a known map."""
    net = PlanModule(
        resources={"aws_subnet.p": {}}, outputs={"ids": {"expression": {"references": ["aws_subnet.p"]}}}
    )
    child = PlanModule(resources={"aws_x.a": {}})
    root = PlanModule(
        calls={
            "m": {
                "expressions": {
                    "ids": {"references": ["module.net.ids", "module.net"]},
                    "tags": {"constant_value": {"team": "a", "0": "zero"}},
                }
            },
            "net": {},
        },
        children={"m": child, "net": net},
    )
    instances = {"module.net.aws_subnet.p": [0, 1], "module.m.aws_x.a": [0, 1]}
    return Resolver(root, instances, {"module.m": [None], "module.net": [None]}, {}), Place((("m", None),), 1)


def test_a_variable_indexed_by_count_index_picks_the_instances_element() -> None:
    resolver, place = _resolver()
    # `var.ids[count.index]` and `element(var.ids, count.index)` plan as these references
    assert resolver.expression({"references": ["var.ids", "count.index"]}, place) == Ref(
        "module.net.aws_subnet.p[1]", "id", "index"
    )
    # without count.index the whole list
    assert len(resolver.expression({"references": ["var.ids"]}, place)) == 2


def test_a_map_beside_count_index_is_not_indexed_by_it() -> None:
    resolver, place = _resolver()
    value = resolver.expression({"references": ["var.tags", "count.index"]}, Place(place.module, 0))
    assert value == {"team": "a", "0": "zero"}  # an int key never indexes a map


def test_a_whole_module_reference_is_unknown_built_from_its_outputs() -> None:
    resolver, _ = _resolver()
    value = resolver.expression({"references": ["module.net"]}, Place(()))
    assert isinstance(value, Unknown) and value.reason == WHOLE_MODULE
    assert {r.address for r in value.refs} == {"module.net.aws_subnet.p[0]", "module.net.aws_subnet.p[1]"}
