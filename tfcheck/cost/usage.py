"""Cost stage, input: traffic assumptions from a usage file (Infracost's form and tfcheck's own).

Infracost's `infracost-usage.yml` gives GB per NAT gateway or endpoint address; tfcheck's
`service_traffic` gives GB per AWS service per workload or VPC, which is what the
endpoint-vs-NAT what-if needs. Both are optional and may share one file.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from tfcheck.cost.prices import dec
from tfcheck.documents import check_schema, read_yaml
from tfcheck.errors import InputError
from tfcheck.globs import has_wildcard, matches

SCHEMA = Path(__file__).with_name("usage.schema.json")
USAGE_KEY = "monthly_data_processed_gb"
PRICED_TYPES = ("aws_nat_gateway", "aws_vpc_endpoint")


@dataclass(frozen=True, slots=True)
class Matcher:
    """Exact addresses first, then globs in file order (Infracost's precedence)."""

    exact: Mapping[str, Any]
    globs: tuple[tuple[str, Any], ...]

    @classmethod
    def build(cls, entries: Mapping[str, Any]) -> Matcher:
        exact = {k: v for k, v in entries.items() if not has_wildcard(k)}
        globs = tuple((k, v) for k, v in entries.items() if has_wildcard(k))
        return cls(exact, globs)

    def get(self, address: str) -> Any:
        if address in self.exact:
            return self.exact[address]
        for pattern, value in self.globs:
            if matches(pattern, address):
                return value
        return None


EMPTY = Matcher({}, ())


@dataclass(frozen=True, slots=True)
class Usage:
    path: str | None = None
    resources: Matcher = EMPTY  # address glob -> GB processed (Infracost form)
    type_defaults: Mapping[str, Decimal] = field(default_factory=dict)
    workloads: Matcher = EMPTY  # workload glob -> {service: GB}
    vpcs: Matcher = EMPTY  # VPC glob -> {service: GB}

    @property
    def given(self) -> bool:
        return self.path is not None

    def resource_gb(self, address: str, rtype: str) -> Decimal | None:
        found = self.resources.get(address)
        return found if found is not None else self.type_defaults.get(rtype)

    def workload_traffic(self, address: str) -> Mapping[str, Decimal]:
        found: Mapping[str, Decimal] | None = self.workloads.get(address)
        return found or {}

    def vpc_traffic(self, address: str) -> Mapping[str, Decimal]:
        found: Mapping[str, Decimal] | None = self.vpcs.get(address)
        return found or {}


def load_usage(path: str | None) -> Usage:
    """`None` means no usage file: fixed charges only, traffic shown as per-GB rates."""
    if path is None:
        return Usage()
    text, doc = _read(path)
    _validate(path, text, doc)
    resources = {}
    for address, entry in (doc.get("resource_usage") or {}).items():
        if isinstance(entry, dict) and entry.get(USAGE_KEY) is not None:
            resources[address] = gb(entry[USAGE_KEY])
    defaults = {
        rtype: gb(entry[USAGE_KEY])
        for rtype, entry in (doc.get("resource_type_default_usage") or {}).items()
        if rtype in PRICED_TYPES and isinstance(entry, dict) and entry.get(USAGE_KEY) is not None
    }
    traffic = doc.get("service_traffic") or {}

    def services(entries: Mapping[str, Mapping[str, Any]]) -> Matcher:
        return Matcher.build({k: {s: gb(value) for s, value in v.items()} for k, v in entries.items()})

    return Usage(
        path,
        Matcher.build(resources),
        defaults,
        services(traffic.get("workloads") or {}),
        services(traffic.get("vpcs") or {}),
    )


def gb(value: Any) -> Decimal:
    """A usage figure: a number, or a quoted decimal ("1000"; the schema allows no other text)."""
    return dec(value.strip() if isinstance(value, str) else value)


def _read(path: str) -> tuple[str, Any]:
    text, doc = read_yaml(path, InputError, "usage file")
    if doc is None:
        raise InputError(
            path,
            "is empty; expected `version: 0.1` with `resource_usage:` "
            "(Infracost form) and/or `service_traffic:` (see usage.schema.json)",
        )
    return text, doc


def _validate(path: str, text: str, doc: Any) -> None:
    check_schema(SCHEMA, path, text, doc, error=InputError)
