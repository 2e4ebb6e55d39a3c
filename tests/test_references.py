from __future__ import annotations

from tfcheck.load.references import Index, instance_key, parse_reference
from tfcheck.model import resource_type, sort_keys


def test_parse_reference_splits_names_and_indexes() -> None:
    assert parse_reference('module.net.ids[0]') == ["module", "net", "ids", Index(0)]
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
