"""Associations whose VPC is unknown (issue 17): one that may name any VPC leaves every
VPC's DHCP options and main route table undecided. They were marked per association, which
grew with associations times VPCs (HCL mode allows 30,000 instances); they are now kept
once and applied at the end. What each VPC ends with is stated here as a rule of its own,
over any order of associations, and checked against the graph."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from tfcheck.graph.build import build_graph
from tfcheck.graph.builder import Builder
from tfcheck.graph.network import build_dhcp, build_vpcs
from tfcheck.graph.routes import build_route_tables
from tfcheck.model import Instance, Inventory, Ref, Unknown

VPCS = [f"aws_vpc.v{i}" for i in range(4)]
OPTIONS = {  # dhcp_options_id target -> (amazon_dns, the unknown reason it writes or None)
    "aws_vpc_dhcp_options.good": (True, None),
    "aws_vpc_dhcp_options.bad": (False, None),
    "aws_vpc_dhcp_options.later": (None, "unknown until apply"),
    "aws_vpc_dhcp_options.absent": (None, "resource not in plan"),
}


def _inst(address: str, **values: Any) -> Instance:
    return Instance(address, address.split(".")[0], "", None, values)


def _vpcs() -> list[Instance]:
    return [_inst(v, cidr_block=f"10.{i}.0.0/16") for i, v in enumerate(VPCS)]


# An association: ("any",) names no VPC it could be; ("some", (i, ...)) is built from those
# VPCs; ("one", i, target) names VPC i itself.
events = st.lists(
    st.one_of(
        st.just(("any",)),
        st.tuples(st.just("some"), st.lists(st.integers(0, 3), min_size=1, max_size=3, unique=True)),
        st.tuples(st.just("one"), st.integers(0, 3), st.sampled_from(sorted(OPTIONS))),
    ),
    max_size=8,
)


def _vpc_value(event: tuple[Any, ...]) -> Any:
    if event[0] == "any":
        return Unknown("local")
    if event[0] == "some":
        return Unknown("unknown until apply", tuple(Ref(VPCS[i]) for i in event[1]))
    return Ref(VPCS[event[1]])


def _names(event: tuple[Any, ...], vpc: str) -> bool:
    return (
        event[0] == "any"
        or (event[0] == "some" and VPCS.index(vpc) in event[1])
        or (event[0] == "one" and VPCS[event[1]] == vpc)
    )


@settings(max_examples=150, deadline=None)
@given(events)
def test_dhcp_options_of_each_vpc(sequence: list[tuple[Any, ...]]) -> None:
    options = [
        _inst("aws_vpc_dhcp_options.good", domain_name_servers=["AmazonProvidedDNS"]),
        _inst("aws_vpc_dhcp_options.bad", domain_name_servers=["10.0.0.2"]),
        _inst("aws_vpc_dhcp_options.later", domain_name_servers=Unknown("unknown until apply")),
    ]
    associations = [
        _inst(
            f"aws_vpc_dhcp_options_association.a{n}",
            vpc_id=_vpc_value(event),
            dhcp_options_id=Ref(event[2] if event[0] == "one" else "aws_vpc_dhcp_options.good"),
        )
        for n, event in enumerate(sequence)
    ]
    graph = build_graph(Inventory((*_vpcs(), *options, *associations), "us-east-1", "x"))
    for vpc in VPCS:
        item = graph.find(vpc, "vpcs")
        assert item is not None
        naming = [(n, e) for n, e in enumerate(sequence) if _names(e, vpc)]
        # amazon_dns: what the last association that may name the VPC says of it
        expected: bool | None = True
        if naming:
            n, last = naming[-1]
            expected = OPTIONS[last[2]][0] if last[0] == "one" else None
        assert item["amazon_dns"] is expected, (vpc, sequence)
        # its reason: the last one a known association writes, else the first that may name it
        written = [OPTIONS[e[2]][1] for _, e in naming if e[0] == "one" and OPTIONS[e[2]][1]]
        undecided = [
            f"aws_vpc_dhcp_options_association.a{n}: vpc_id {'local' if e[0] == 'any' else 'unknown until apply'}"
            for n, e in naming
            if e[0] != "one"
        ]
        reason = written[-1] if written else undecided[0] if undecided else None
        assert item["unknown"].get("amazon_dns") == reason, (vpc, sequence)


@settings(max_examples=150, deadline=None)
@given(events)
def test_main_route_table_of_each_vpc(sequence: list[tuple[Any, ...]]) -> None:
    tables = [_inst(f"aws_route_table.t{i}", vpc_id=Ref(v)) for i, v in enumerate(VPCS)]
    associations = [
        _inst(
            f"aws_main_route_table_association.a{n}",
            vpc_id=_vpc_value(event),
            # a named VPC with an unknown table ("later"), or its own table
            route_table_id=Unknown("local")
            if event[0] == "one" and event[2].endswith("later")
            else Ref(f"aws_route_table.t{event[1] if event[0] == 'one' else 0}"),
        )
        for n, event in enumerate(sequence)
    ]
    graph = build_graph(Inventory((*_vpcs(), *tables, *associations), "us-east-1", "x"))
    for vpc in VPCS:
        item = graph.find(vpc, "vpcs")
        assert item is not None
        marks = [
            f"aws_main_route_table_association.a{n}: "
            + {"any": "vpc_id local", "some": "vpc_id unknown until apply", "one": "route_table_id local"}[
                e[0]
            ]
            for n, e in enumerate(sequence)
            if _names(e, vpc) and not (e[0] == "one" and not e[2].endswith("later"))
        ]
        assert item["unknown"].get("main_route_table") == (marks[-1] if marks else None), (vpc, sequence)


class _Counting(dict[str, Any]):
    """A VPC's unknown map that counts the fields written into it."""

    writes = 0

    def __setitem__(self, key: str, value: Any) -> None:
        _Counting.writes += 1
        super().__setitem__(key, value)

    def setdefault(self, key: str, default: Any = None) -> Any:
        _Counting.writes += 1
        return super().setdefault(key, default)


def test_thousands_of_associations_with_unknown_vpcs_mark_each_vpc_once() -> None:
    """2,000 of each kind over 2,000 VPCs: 8 million markings before, 4,000 now."""
    n = 2000
    vpcs = [_inst(f"aws_vpc.v{i}", cidr_block="10.0.0.0/16") for i in range(n)]
    dhcp = [_inst(f"aws_vpc_dhcp_options_association.d{i}", vpc_id=Unknown("local")) for i in range(n)]
    main = [
        _inst(
            f"aws_main_route_table_association.m{i}", vpc_id=Unknown("local"), route_table_id=Unknown("local")
        )
        for i in range(n)
    ]
    builder = Builder(Inventory((*vpcs, *dhcp, *main), "us-east-1", "x"))
    build_vpcs(builder)
    for vpc in builder.collections["vpcs"]:
        vpc["unknown"] = _Counting(vpc["unknown"])
    _Counting.writes = 0
    build_route_tables(builder)
    build_dhcp(builder)
    assert _Counting.writes == 2 * n
    first = builder.find("aws_vpc.v0", "vpcs")
    assert first is not None and first["amazon_dns"] is None
    assert first["unknown"]["amazon_dns"] == "aws_vpc_dhcp_options_association.d0: vpc_id local"
    assert first["unknown"]["main_route_table"] == f"aws_main_route_table_association.m{n - 1}: vpc_id local"
