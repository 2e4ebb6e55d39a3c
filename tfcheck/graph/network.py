"""Graph stage: VPCs, subnets, NAT/internet gateways, transit gateway attachments, DHCP options."""

from __future__ import annotations

from tfcheck import aws
from tfcheck.graph.builder import Builder, Draft, new_item, put_edge
from tfcheck.graph.edges import as_bool, scalar


def build_vpcs(b: Builder) -> None:
    for inst in b.of(*aws.VPC):
        default_vpc = inst.type == "aws_default_vpc"
        item = b.add("vpcs", new_item(inst, region=inst.region))
        cidr, reason = scalar(inst.values.get("cidr_block"))
        item["cidr"] = cidr if isinstance(cidr, str) else None
        if reason or not isinstance(cidr, str):
            item["unknown"]["cidr"] = reason or "not configured (IPAM)"
        for name, default in (("enable_dns_support", True), ("enable_dns_hostnames", default_vpc)):
            item[name], reason = as_bool(inst.values.get(name), default)
            if reason:
                item["unknown"][name] = reason
        item.update(
            dhcp_options=None,
            amazon_dns=True,
            main_route_table=None,
            subnets=[],
            endpoints=[],
            workload_azs=[],
        )


def build_subnets(b: Builder) -> None:
    for inst in b.of(*aws.SUBNET):
        item = b.add("subnets", new_item(inst))
        put_edge(item, "vpc", b.edges.follow(inst.values.get("vpc_id")), many=False)
        az, reason = scalar(inst.values.get("availability_zone"))
        item["az"] = az if isinstance(az, str) and az else None
        if item["az"] is None:
            item["unknown"]["az"] = reason or "chosen by AWS at apply"
        cidr, reason = scalar(inst.values.get("cidr_block"))
        item["cidr"] = cidr if isinstance(cidr, str) else None
        if reason:
            item["unknown"]["cidr"] = reason
        item["map_public_ip"], reason = as_bool(inst.values.get("map_public_ip_on_launch"), False)
        if reason:
            item["unknown"]["map_public_ip"] = reason
        item.update(route_table=None, egress="unknown", egress_target=None, private=None, workloads=[])


def build_gateways(b: Builder) -> None:
    for inst in b.of("aws_nat_gateway"):
        item = b.add("nat_gateways", new_item(inst))
        put_edge(item, "subnet", b.edges.follow(inst.values.get("subnet_id")), many=False)
        subnet = b.find(item["subnet"], "subnets")
        item["vpc"] = subnet["vpc"] if subnet else None
        item["az"] = subnet["az"] if subnet else None
        for name in ("vpc", "az"):  # what the subnet does not say stays unknown, and why
            if item[name] is None:
                why = subnet["unknown"].get(name) if subnet else item["unknown"].get("subnet")
                item["unknown"][name] = why or "subnet not in plan"
        connectivity, reason = scalar(inst.values.get("connectivity_type"), "public")
        if not reason and not isinstance(connectivity, str):
            reason = "not a string"
        item["connectivity_type"] = None if reason else connectivity or "public"
        if reason:
            item["unknown"]["connectivity_type"] = reason
    for item in b.collections["nat_gateways"]:
        item["reaches"], item["reaches_detail"] = nat_reach(b, item, ())
        if item["reaches"] is None:
            item["unknown"]["reaches"] = item["reaches_detail"]
    attachments = {}
    for inst in b.of("aws_internet_gateway_attachment"):
        gateway = b.edges.follow(inst.values.get("internet_gateway_id"))
        if gateway.one is None:
            b.edges.fail(
                inst.address, "internet_gateway_id", gateway.why_not_one(), count=not gateway.unknown
            )
        else:
            attachments[gateway.one] = b.edges.follow(inst.values.get("vpc_id"))
    for inst in b.of("aws_internet_gateway", "aws_egress_only_internet_gateway"):
        item = b.add("internet_gateways", new_item(inst))
        edge = attachments.get(inst.address) or b.edges.follow(inst.values.get("vpc_id"))
        put_edge(item, "vpc", edge, many=False)
    for inst in b.of("aws_ec2_transit_gateway_vpc_attachment"):
        item = b.add("tgw_attachments", new_item(inst))
        put_edge(item, "vpc", b.edges.follow(inst.values.get("vpc_id")), many=False)
        put_edge(item, "transit_gateway", b.edges.follow(inst.values.get("transit_gateway_id")), many=False)
        tgw_edge = b.edges.follow(inst.values.get("transit_gateway_id"), count=False)
        if item["transit_gateway"] is None and tgw_edge.external:
            item["transit_gateway"] = tgw_edge.external[0]
            item["unknown"].pop("transit_gateway", None)
        put_edge(item, "subnets", b.edges.follow(inst.values.get("subnet_ids")), many=True)
        b.subnet_azs(item)


def build_dhcp(b: Builder) -> None:
    for inst in b.of("aws_vpc_dhcp_options", "aws_default_vpc_dhcp_options"):
        item = b.add("dhcp_options", new_item(inst, vpcs=[]))
        servers, reason = scalar(inst.values.get("domain_name_servers"))
        if isinstance(servers, list) and not all(isinstance(s, str) for s in servers):
            servers, reason = None, "unknown until apply"  # some entries are references
        item["domain_name_servers"] = servers if isinstance(servers, list) else None
        if reason:
            item["unknown"]["domain_name_servers"] = reason
    # An association that may name any VPC makes every VPC's DHCP options undecided. Marking
    # them all per such association grew with associations times VPCs; instead the first
    # one's reason and the last one's place are kept, and applied once at the end: a VPC's
    # `amazon_dns` is what the last association that may name it wrote, and its reason the
    # first (a known association's own reason replaces it, as it always did).
    any_vpc: str | None = None  # the reason of the first association that may name any VPC
    any_vpc_last = -1  # where the last one is, in association order
    written: dict[str, int] = {}  # VPC -> where the last association naming it wrote amazon_dns
    for place, inst in enumerate(b.of("aws_vpc_dhcp_options_association")):
        vpc_value = inst.values.get("vpc_id")
        vpc_edge = b.edges.follow(vpc_value)
        vpc = b.find(vpc_edge.one, "vpcs")
        options_edge = b.edges.follow(inst.values.get("dhcp_options_id"))
        if vpc is None:
            why = vpc_edge.why_not_one()
            b.edges.fail(inst.address, "vpc_id", why, count=not vpc_edge.unknown)
            named = b.possible(vpc_value, vpc_edge, "vpcs")
            reason = f"{inst.address}: vpc_id {why}"
            if named is None:
                any_vpc, any_vpc_last = any_vpc or reason, place
            for other in named or ():
                other["amazon_dns"] = None
                other["unknown"].setdefault("amazon_dns", any_vpc or reason)
                written[other["address"]] = place
            continue
        written[vpc["address"]] = place
        if b.find(options_edge.one, "dhcp_options") is None:
            b.edges.fail(
                inst.address, "dhcp_options_id", options_edge.why_not_one(), count=not options_edge.unknown
            )
        options = b.find(options_edge.one, "dhcp_options")
        if options is None:
            vpc["unknown"]["amazon_dns"] = options_edge.unknown or "DHCP options not in plan"
            vpc["amazon_dns"] = None
            continue
        vpc["dhcp_options"] = options["address"]
        options["vpcs"].append(vpc["address"])
        servers = options["domain_name_servers"]
        if "domain_name_servers" in options["unknown"]:
            vpc["amazon_dns"] = None
            vpc["unknown"]["amazon_dns"] = options["unknown"]["domain_name_servers"]
        else:
            vpc["amazon_dns"] = not servers or "AmazonProvidedDNS" in servers
    if any_vpc is not None:
        for vpc in b.collections["vpcs"]:
            vpc["unknown"].setdefault("amazon_dns", any_vpc)
            if written.get(vpc["address"], -1) < any_vpc_last:
                vpc["amazon_dns"] = None


def nat_reach(b: Builder, nat: Draft, seen: tuple[str, ...]) -> tuple[str | None, str]:
    """Where traffic sent to a NAT gateway goes: internet, other (a transit gateway, peering,
    firewall: assumed to lead out), none, or None when the plan cannot say; and why.

    Domain spec section 4: a public NAT gateway reaches the internet only when its own
    subnet's route table sends 0.0.0.0/0 to an internet gateway; a private one reaches only
    what its subnet routes to, never an internet gateway.
    """
    subnet = b.find(nat["subnet"], "subnets")
    if subnet is None:
        return None, f"its subnet is unknown ({nat['unknown'].get('subnet', 'not in plan')})"
    table = b.find(subnet["route_table"], "route_tables")
    if table is None:
        why = subnet["unknown"].get("route_table", "unknown")
        return None, f"the route table of its subnet {subnet['address']} is unknown ({why})"
    where = f"its subnet {subnet['address']} (route table {table['address']})"
    doubt = _fallback_doubt(b, subnet)
    if doubt:
        return None, f"{where} is the main table by default, but {doubt}"
    route = next((r for r in table["routes"] if r["destination"] == "0.0.0.0/0"), None)
    if route is None:
        if "routes" in table["unknown"]:
            return None, f"the routes of {where} are unknown ({table['unknown']['routes']})"
        return "none", f"{where} has no default route (0.0.0.0/0)"
    kind, target = route["target_kind"], route["target"] or "outside the plan"
    if kind == "unknown":
        return (
            None,
            f"the default route of {where} is unknown ({table['unknown'].get('routes', 'target unknown')})",
        )
    if kind == "igw":
        if nat["connectivity_type"] == "private":
            return "none", (
                f'it is a private NAT gateway (connectivity_type = "private"), which '
                f"cannot use the internet gateway {target} that {where} routes to"
            )
        if nat["connectivity_type"] is None:
            return None, f"its connectivity_type is unknown ({nat['unknown'].get('connectivity_type')})"
        return "internet", f"{where} sends 0.0.0.0/0 to internet gateway {target}"
    if kind == "nat":
        other = b.find(route["target"], "nat_gateways")
        if other is None:
            return "other", f"{where} sends 0.0.0.0/0 to NAT gateway {target}"
        if other["address"] == nat["address"]:
            return "none", f"{where} sends 0.0.0.0/0 to this NAT gateway itself, not to an internet gateway"
        if other["address"] in seen:
            return "none", f"{where} sends 0.0.0.0/0 back through a loop of NAT gateways"
        reaches, why = nat_reach(b, other, seen + (nat["address"],))
        return reaches, f"{where} sends 0.0.0.0/0 to NAT gateway {other['address']}, where {why}"
    if kind in ("local", "egress_only_igw"):
        return "none", f"{where} sends 0.0.0.0/0 to {kind} {target}, which carries no IPv4 traffic out"
    return "other", f"{where} sends 0.0.0.0/0 to {kind} {target} (assumed to lead out)"


def _fallback_doubt(b: Builder, subnet: Draft) -> str | None:
    """Why a subnet left on its VPC's main route table may belong to another one: an
    association whose subnet the plan cannot pin down may name it (then a NAT gateway
    there is undecided, not a dead end)."""
    vpc = b.find(subnet["vpc"], "vpcs")
    if vpc is None or subnet["route_table"] != vpc["main_route_table"]:
        return None
    for inst in b.of("aws_route_table_association"):
        edge = b.edges.follow(inst.values.get("subnet_id"), count=False)
        if edge.one is None and (subnet["address"] in edge.addresses or edge.unknown):
            return (
                f"{inst.address} may associate it with another table "
                f"({edge.unknown or 'its subnet_id names several subnets'})"
            )
    return None
