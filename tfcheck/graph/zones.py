"""Graph stage: Route 53 private hosted zones that answer AWS service names (domain spec
section 4, "Private hosted zones answer service names").

A private zone named `<service>.<region>.amazonaws.com` (ECR: `api.ecr.…`, `dkr.ecr.…`),
associated with VPCs (`vpc` blocks, `aws_route53_zone_association`), decides what that name
resolves to there. With an alias or A/CNAME record pointing at an interface endpoint for the
service, the endpoint serves every associated VPC (the centralised "hub" pattern); without
one, the zone shadows the public name and the service is unreachable there.

Writes `zone_vpcs`/`zones` on endpoints and `zone_endpoints`/`shadowed` on VPCs.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from tfcheck.graph.builder import Builder
from tfcheck.graph.edges import blocks
from tfcheck.model import Instance, Ref, Unknown, resource_type

_NAME = re.compile(r"^(?:\*\.)?([a-z0-9.-]+?)\.([a-z]{2}(?:-gov|-iso[a-z]*)?-[a-z]+-\d)\.amazonaws\.com\.?$")
_RENAMED = {"api.ecr": "ecr.api", "dkr.ecr": "ecr.dkr"}


def zone_service(name: Any) -> tuple[str, str] | None:
    """(service, region) a zone or record name stands for, if it is an AWS service name."""
    found = _NAME.match(name.lower()) if isinstance(name, str) else None
    if found is None:
        return None
    return _RENAMED.get(found.group(1), found.group(1)), found.group(2)


def _addresses(value: Any, *types: str) -> Iterator[str]:
    """Instance addresses of `types` a value references (a Ref, an Unknown's refs, a list)."""
    if isinstance(value, Ref):
        if resource_type(value.address) in types:
            yield value.address
    elif isinstance(value, Unknown):
        for ref in value.refs:
            yield from _addresses(ref, *types)
    elif isinstance(value, list):
        for item in value:
            yield from _addresses(item, *types)


def build_zones(b: Builder) -> None:
    vpcs = {v["address"]: v for v in b.collections["vpcs"]}
    endpoints = {e["address"]: e for e in b.collections["endpoints"]}
    for draft in vpcs.values():
        draft.update(zone_endpoints={}, shadowed={})
    for ep in endpoints.values():
        ep.update(zone_vpcs=[], zones=[])
    zones: dict[str, tuple[str, set[str]]] = {}  # zone → (service, associated VPCs)
    for zone in b.of("aws_route53_zone"):
        named = zone_service(zone.values.get("name"))
        attached = {
            a
            for block in blocks(zone.values.get("vpc"))
            for a in b.edges.follow(block.get("vpc_id"), count=False).addresses
            if a in vpcs
        }
        if named is not None:
            zones[zone.address] = (named[0], attached)
    for assoc in b.of("aws_route53_zone_association"):
        for zone_address in _zone_refs(b, assoc.values.get("zone_id")):
            if zone_address in zones:
                zones[zone_address][1].update(
                    a for a in b.edges.follow(assoc.values.get("vpc_id"), count=False).addresses if a in vpcs
                )
    targets: dict[str, set[str]] = {z: set() for z in zones}
    undecided: set[str] = set()
    for record in b.of("aws_route53_record"):
        for zone_address in _zone_refs(b, record.values.get("zone_id")):
            if zone_address not in zones:
                continue
            found, unknown = _record_endpoints(record)
            targets[zone_address].update(e for e in found if e in endpoints)
            if unknown:
                undecided.add(zone_address)
    for zone_address, (service, attached) in sorted(zones.items()):
        serving = sorted(
            e
            for e in targets[zone_address]
            if endpoints[e]["service"] == service and endpoints[e]["type"] == "Interface"
        )
        for vpc in sorted(attached):
            if serving:
                vpcs[vpc]["zone_endpoints"][service] = serving[0]
            elif zone_address not in undecided and not targets[zone_address]:
                vpcs[vpc]["shadowed"][service] = zone_address
        for e in serving:
            endpoints[e]["zone_vpcs"] = sorted(set(endpoints[e]["zone_vpcs"]) | attached)
            endpoints[e]["zones"].append(zone_address)


def _zone_refs(b: Builder, value: Any) -> list[str]:
    found = list(_addresses(value, "aws_route53_zone"))
    if isinstance(value, str):  # a known zone id
        found += [z.address for z in b.of("aws_route53_zone") if z.values.get("zone_id") == value]
    return found


def _record_endpoints(record: Instance) -> tuple[list[str], bool]:
    """Endpoints an alias or A/CNAME record points at, and whether its target is unknown."""
    values: list[Any] = [a.get("name") for a in blocks(record.values.get("alias"))]
    records = record.values.get("records")
    values += records if isinstance(records, list) else [records] if records is not None else []
    found = [a for v in values for a in _addresses(v, "aws_vpc_endpoint")]
    unknown = not found and any(isinstance(v, (Unknown, Ref)) for v in values)
    return found, unknown
