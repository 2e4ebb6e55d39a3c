"""Shared test helpers: hand-written graph items, policy files in tmp dirs, golden files."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tfcheck.graph.model import Graph

REPO = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="Rewrite tests/golden/* from the current output instead of comparing.",
    )


@pytest.fixture(scope="session")
def cache_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One cache directory for the session: markers are named by content, and the HCL grammar
    is built there once (two seconds) rather than by every command a test runs."""
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(autouse=True)
def _private_cache(cache_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep the CLI's validation markers and grammar out of the real ~/.cache."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache_home))
    monkeypatch.delenv("TFCHECK_NO_CACHE", raising=False)


@pytest.fixture
def golden(request: pytest.FixtureRequest) -> Callable[[str, str], None]:
    """Compare text with tests/golden/<name> (or rewrite it under --update-golden)."""
    update = request.config.getoption("--update-golden")

    def check(name: str, text: str) -> None:
        path = GOLDEN / name
        if update:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        assert path.is_file(), f"missing golden file {path}; run pytest --update-golden"
        assert text == path.read_text(encoding="utf-8")

    return check


@pytest.fixture
def write_policy(tmp_path: Path) -> Callable[..., Path]:
    """Write one policy file (YAML text, dedented) into tmp_path/policies and return the dir."""
    directory = tmp_path / "policies"
    directory.mkdir(exist_ok=True)

    def write(text: str, name: str = "RULE.yaml") -> Path:
        (directory / name).write_text(textwrap.dedent(text), encoding="utf-8")
        return directory

    return write


def endpoint(**fields: Any) -> dict[str, Any]:
    """A graph-contract endpoint item with harmless defaults; override what a test needs."""
    item: dict[str, Any] = {
        "address": "aws_vpc_endpoint.logs",
        "resource_type": "aws_vpc_endpoint",
        "unknown": {},
        "file": None,
        "line": None,
        "service": "logs",
        "service_name": "com.amazonaws.us-east-1.logs",
        "region": "us-east-1",
        "service_region": None,
        "type": "Interface",
        "vpc": "aws_vpc.main",
        "subnets": ["aws_subnet.private[0]", "aws_subnet.private[1]"],
        "azs": ["us-east-1a", "us-east-1b"],
        "route_tables": [],
        "security_groups": ["aws_security_group.endpoints"],
        "private_dns": True,
        "aws_service": True,
        "vpc_region": "us-east-1",
        "vpc_dns_support": True,
        "vpc_dns_hostnames": True,
        "default_sg": False,
        "foreign": [],
        "missing_workload_azs": [],
        "duplicate_azs": [],
        "uncovered_workloads": [],
        "unassociated_route_tables": [],
        "gateway_in_vpc": True,
        "private_dns_conflicts": [],
        "inbound_resolver_only": True,
        "hub_dns": False,
    }
    item.update(fields)
    return item


def workload(**fields: Any) -> dict[str, Any]:
    item: dict[str, Any] = {
        "address": "aws_ecs_service.app",
        "resource_type": "aws_ecs_service",
        "unknown": {},
        "file": None,
        "line": None,
        "kind": "ecs_service",
        "vpc": "aws_vpc.main",
        "subnets": ["aws_subnet.private[0]"],
        "azs": ["us-east-1a"],
        "security_groups": ["aws_security_group.app"],
        "public_ip": False,
        "launch_type": "FARGATE",
        "needs": ["ecr.api", "ecr.dkr", "logs", "s3"],
        "paths": {
            "ecr.api": {"via": "nat", "endpoint": "aws_nat_gateway.main", "subnet": "aws_subnet.private[0]"},
            "ecr.dkr": {"via": "nat", "endpoint": "aws_nat_gateway.main", "subnet": "aws_subnet.private[0]"},
            "logs": {"via": "nat", "endpoint": "aws_nat_gateway.main", "subnet": "aws_subnet.private[0]"},
            "s3": {
                "via": "gateway_endpoint",
                "endpoint": "aws_vpc_endpoint.s3",
                "subnet": "aws_subnet.private[0]",
            },
        },
        "unreachable": [],
        "egress_443": True,
    }
    item.update(fields)
    return item


def graph(**collections: list[dict[str, Any]]) -> Graph:
    """A hand-made graph (as the graph stage would freeze it) for formats and rules."""
    doc: dict[str, Any] = {
        "version": 1,
        "region": "us-east-1",
        "vpcs": [],
        "subnets": [],
        "route_tables": [],
        "endpoints": [],
        "security_groups": [],
        "workloads": [],
        "nat_gateways": [],
        "internet_gateways": [],
        "tgw_attachments": [],
        "dhcp_options": [],
        "summary": {},
    }
    doc.update(collections)
    return Graph(doc)
