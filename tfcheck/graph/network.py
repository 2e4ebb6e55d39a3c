"""Graph stage: VPCs, subnets, NAT/internet gateways, transit gateway attachments, DHCP options."""
from __future__ import annotations

from tfcheck import aws
from tfcheck.graph.builder import Builder, new_item, put_edge
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
        item.update(dhcp_options=None, amazon_dns=True, main_route_table=None, subnets=[],
                    endpoints=[], workload_azs=[])


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
        item.update(route_table=None, egress="unknown", egress_target=None, private=None,
                    workloads=[])


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
    attachments = {}
    for inst in b.of("aws_internet_gateway_attachment"):
        gateway = b.edges.follow(inst.values.get("internet_gateway_id"))
        if gateway.one is None:
            b.edges.fail(inst.address, "internet_gateway_id", gateway.why_not_one(), count=not gateway.unknown)
        else:
            attachments[gateway.one] = b.edges.follow(inst.values.get("vpc_id"))
    for inst in b.of("aws_internet_gateway", "aws_egress_only_internet_gateway"):
        item = b.add("internet_gateways", new_item(inst))
        edge = attachments.get(inst.address) or b.edges.follow(inst.values.get("vpc_id"))
        put_edge(item, "vpc", edge, many=False)
    for inst in b.of("aws_ec2_transit_gateway_vpc_attachment"):
        item = b.add("tgw_attachments", new_item(inst))
        put_edge(item, "vpc", b.edges.follow(inst.values.get("vpc_id")), many=False)
        put_edge(item, "transit_gateway", b.edges.follow(inst.values.get("transit_gateway_id")),
                 many=False)
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
    for inst in b.of("aws_vpc_dhcp_options_association"):
        vpc_value = inst.values.get("vpc_id")
        vpc_edge = b.edges.follow(vpc_value)
        vpc = b.find(vpc_edge.one, "vpcs")
        options_edge = b.edges.follow(inst.values.get("dhcp_options_id"))
        if vpc is None:
            why = vpc_edge.why_not_one()
            b.edges.fail(inst.address, "vpc_id", why, count=not vpc_edge.unknown)
            for other in b.candidates(vpc_value, vpc_edge, "vpcs"):
                other["amazon_dns"] = None
                other["unknown"].setdefault("amazon_dns", f"{inst.address}: vpc_id {why}")
            continue
        if b.find(options_edge.one, "dhcp_options") is None:
            b.edges.fail(inst.address, "dhcp_options_id", options_edge.why_not_one(),
                         count=not options_edge.unknown)
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
