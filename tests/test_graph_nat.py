"""NAT gateways lead only where their own subnet's route table goes (domain spec section 4),
kept three-valued: a subnet whose route table the plan cannot pin makes the NAT undecided."""

from __future__ import annotations

from typing import Any

import pytest

from tfcheck.graph.build import build_graph
from tfcheck.model import Instance, Inventory, Ref, Unknown


def inst(address: str, **values: Any) -> Instance:
    kind = address.split(".")[0]
    return Instance(address, kind, "", None, values, "us-east-1")


def network(association: Any, nat: dict[str, Any] | None = None) -> dict[str, Any]:
    """A public subnet `a` (maybe associated to the IGW table), a NAT gateway in it."""
    instances = [
        inst("aws_vpc.main", cidr_block="10.0.0.0/16"),
        inst("aws_internet_gateway.main", vpc_id=Ref("aws_vpc.main")),
        inst(
            "aws_subnet.a",
            vpc_id=Ref("aws_vpc.main"),
            cidr_block="10.0.0.0/24",
            availability_zone="us-east-1a",
        ),
        inst(
            "aws_subnet.b",
            vpc_id=Ref("aws_vpc.main"),
            cidr_block="10.0.1.0/24",
            availability_zone="us-east-1b",
        ),
        inst(
            "aws_route_table.public",
            vpc_id=Ref("aws_vpc.main"),
            route=[{"cidr_block": "0.0.0.0/0", "gateway_id": Ref("aws_internet_gateway.main")}],
        ),
        inst("aws_nat_gateway.main", subnet_id=Ref("aws_subnet.a"), **(nat or {})),
    ]
    if association is not None:
        instances.append(
            inst(
                "aws_route_table_association.public",
                subnet_id=association,
                route_table_id=Ref("aws_route_table.public"),
            )
        )
    graph = build_graph(Inventory(tuple(instances), "us-east-1", "test"))
    found = graph.find("aws_nat_gateway.main", "nat_gateways")
    assert found is not None
    return dict(found)


def test_public_nat_in_a_subnet_routed_to_the_internet_gateway() -> None:
    nat = network(Ref("aws_subnet.a"))
    assert (
        nat["reaches"] == "internet" and "internet gateway aws_internet_gateway.main" in nat["reaches_detail"]
    )


def test_public_nat_in_a_subnet_without_an_internet_route_leads_nowhere() -> None:
    nat = network(Ref("aws_subnet.b"))  # a stays on the implicit main table: local route only
    assert nat["reaches"] == "none" and "no default route" in nat["reaches_detail"]


def test_private_nat_cannot_use_the_internet_gateway() -> None:
    nat = network(Ref("aws_subnet.a"), {"connectivity_type": "private"})
    assert nat["reaches"] == "none" and "private NAT gateway" in nat["reaches_detail"]


@pytest.mark.parametrize(
    "association",
    [
        [Ref("aws_subnet.a"), Ref("aws_subnet.b")],  # var.ids[count.index], not indexed
        Unknown("local"),
    ],
)
def test_an_association_that_may_name_the_subnet_leaves_the_nat_undecided(association: Any) -> None:
    nat = network(association)
    assert nat["reaches"] is None
    # the subnet's table is undecided (the association may name it), and the NAT with it
    assert "aws_route_table_association.public" in nat["unknown"]["reaches"]


def test_unknown_connectivity_type_is_undecided_only_where_it_matters() -> None:
    nat = network(Ref("aws_subnet.a"), {"connectivity_type": Unknown("variable")})
    assert nat["reaches"] is None and "connectivity_type" in nat["unknown"]["reaches"]
    assert network(Ref("aws_subnet.b"), {"connectivity_type": Unknown("variable")})["reaches"] == "none"
