"""Graph stage, last step: derived fields that need graph-wide reasoning.

Policies stay declarative by reading these fields. A "violation list" (missing AZs,
unreachable services, ...) lists what is definitely wrong; when nothing is definitely
wrong but something could not be decided, it is null and named in `unknown`.
"""
from __future__ import annotations

import fnmatch
from typing import Any, Iterable

from tfcheck.graph.build import GraphOptions, cidr_contains
from tfcheck.graph.routes import DEFAULT_ROUTES
from tfcheck.graph.security import rule_admits_443

GATEWAY_ABLE = ("s3", "dynamodb")
RANK = {"none": 0, "unknown": 1}


def derive(graph: dict[str, Any], options: GraphOptions) -> None:
    index = {item["address"]: item for name in graph if isinstance(graph[name], list)
             for item in graph[name]}
    Deriver(graph, index, options).run()


def settle(item: dict[str, Any], name: str, definite: Iterable[str], reason: str | None) -> None:
    """Store a violation list: definite members, or null + unknown when undecidable."""
    values = sorted(set(definite))
    if values or reason is None:
        item[name] = values
    else:
        item[name] = None
        item["unknown"][name] = reason


class Deriver:
    def __init__(self, graph: dict[str, Any], index: dict[str, dict[str, Any]], options: GraphOptions):
        self.graph, self.index, self.options = graph, index, options
        self.admitted: dict[tuple[tuple[str, ...], str], bool | None] = {}
        self.members: dict[str, dict[str, dict[str, Any]]] = {
            name: {item["address"]: item for item in items}
            for name, items in graph.items() if isinstance(items, list)
        }
        self.by_vpc: dict[str | None, dict[str, list[dict[str, Any]]]] = {}
        for name in ("endpoints", "workloads", "subnets", "security_groups"):
            for item in graph[name]:
                self.by_vpc.setdefault(item.get("vpc"), {}).setdefault(name, []).append(item)

    def in_vpc(self, vpc: str | None, name: str) -> list[dict[str, Any]]:
        return self.by_vpc.get(vpc, {}).get(name, []) if vpc else []

    def find(self, address: str | None, collection: str) -> dict[str, Any] | None:
        """The item at `address` if it is one of `collection`: an id may name another kind."""
        return self.members.get(collection, {}).get(address or "")

    def run(self) -> None:
        for endpoint in self.graph["endpoints"]:
            endpoint["hub_dns"] = any(fnmatch.fnmatchcase(endpoint["address"], p) for p in self.options.hub_dns)
        for vpc in self.graph["vpcs"]:
            self.vpc(vpc)
        for endpoint in self.graph["endpoints"]:
            self.endpoint(endpoint)
        for workload in self.graph["workloads"]:
            self.workload(workload)
        for table in self.graph["route_tables"]:
            self.route_table(table)
        for attachment in self.graph["tgw_attachments"]:
            self.attachment(attachment)

    def vpc(self, vpc: dict[str, Any]) -> None:
        workloads = self.in_vpc(vpc["address"], "workloads")
        azs = {az for w in workloads for az in w["azs"]}
        undecided = next((w["unknown"]["azs"] for w in workloads if "azs" in w["unknown"]), None)
        if not workloads:
            private = [s for s in self.in_vpc(vpc["address"], "subnets") if s["private"] is not False]
            azs = {s["az"] for s in private if s["private"] and s["az"]}
            undecided = next((s["unknown"].get("az") or s["unknown"].get("egress") for s in private
                              if s["az"] is None or s["private"] is None), None)
        vpc["workload_azs"] = sorted(azs)
        if undecided:
            vpc["unknown"]["workload_azs"] = undecided
        vpc["relies_on_private_dns"] = any(
            e["type"] == "Interface" and e["private_dns"] for e in self.in_vpc(vpc["address"], "endpoints"))

    def endpoint(self, ep: dict[str, Any]) -> None:
        vpc = self.find(ep["vpc"], "vpcs")
        unknown = ep["unknown"]
        ep["vpc_dns_support"] = vpc["enable_dns_support"] if vpc else None
        ep["vpc_dns_hostnames"] = vpc["enable_dns_hostnames"] if vpc else None
        for field, source in (("vpc_dns_support", "enable_dns_support"), ("vpc_dns_hostnames", "enable_dns_hostnames")):
            if vpc is None or source in vpc["unknown"]:
                unknown[field] = vpc["unknown"][source] if vpc else unknown.get("vpc", "VPC not in plan")
        ep["default_sg"] = not ep["security_groups"] and "security_groups" not in unknown
        foreign = []
        for field in ("subnets", "route_tables", "security_groups"):
            for address in ep[field]:
                other = self.index.get(address, {}).get("vpc")
                if other and ep["vpc"] and other != ep["vpc"]:
                    foreign.append(address)
        settle(ep, "foreign", foreign, unknown.get("vpc"))
        peers = self.in_vpc(ep["vpc"], "endpoints")
        ep["gateway_in_vpc"] = any(p["type"] == "Gateway" and p["service"] == ep["service"] for p in peers)
        conflicts = [p["address"] for p in peers if p is not ep and p["service"] == ep["service"]
                     and p["type"] == "Interface" and p["private_dns"] and ep["private_dns"]]
        settle(ep, "private_dns_conflicts", conflicts, None)
        workload_azs = vpc["workload_azs"] if vpc else []
        missing = set(workload_azs) - set(ep["azs"])
        undecided = (unknown.get("azs") if missing else None) or (
            vpc["unknown"].get("workload_azs") if vpc else unknown.get("vpc"))
        settle(ep, "missing_workload_azs", [] if "azs" in unknown else missing, undecided)
        subnet_azs = [s["az"] for s in (self.find(a, "subnets") for a in ep["subnets"]) if s]
        settle(ep, "duplicate_azs", {az for az in subnet_azs if az and subnet_azs.count(az) > 1}, None)
        self.endpoint_ingress(ep)
        self.gateway_coverage(ep)

    def endpoint_ingress(self, ep: dict[str, Any]) -> None:
        vpc_sg = f"{ep['vpc']}:default_sg"
        groups = ep["security_groups"] or [self.default_sg(ep["vpc"]) or vpc_sg]
        uncovered, reason = [], ep["unknown"].get("security_groups")
        for workload in self.in_vpc(ep["vpc"], "workloads"):
            key = (tuple(groups), workload["address"])  # endpoints usually share one group
            if key not in self.admitted:
                self.admitted[key] = self.admits(groups, workload)
            verdict = self.admitted[key]
            if verdict is False:
                uncovered.append(workload["address"])
            elif verdict is None:
                reason = reason or "security group rules unknown"
        if "security_groups" in ep["unknown"]:
            uncovered = []  # groups known only after apply may admit them: undecided, not failed
        settle(ep, "uncovered_workloads", uncovered, reason)

    def default_sg(self, vpc: str | None) -> str | None:
        for sg in self.in_vpc(vpc, "security_groups"):
            if sg["resource_type"] in ("aws_default_security_group", "implicit_default_security_group"):
                return str(sg["address"])
        return None

    def workload_groups(self, workload: dict[str, Any]) -> list[str]:
        if workload["security_groups"] or "security_groups" in workload["unknown"]:
            return list(workload["security_groups"])
        default = self.default_sg(workload.get("vpc"))
        return [default] if default else []

    def admits(self, groups: list[str], workload: dict[str, Any]) -> bool | None:
        """Does any of `groups` admit TCP 443 from every subnet of the workload?"""
        sources = set(self.workload_groups(workload))
        cidrs = [s["cidr"] for s in (self.find(a, "subnets") for a in workload["subnets"]) if s]
        undecided = "security_groups" in workload["unknown"] or None in cidrs
        covered = set()
        for address in groups:
            sg = self.find(address, "security_groups")
            if sg is None:
                undecided = True
                continue
            undecided = undecided or "ingress" in sg["unknown"]
            for rule in sg["ingress"]:
                admits = rule_admits_443(rule)
                if admits is None:
                    undecided = True
                if not admits:
                    continue
                if sources & set(rule["security_groups"]) or (rule["self"] and address in sources):
                    return True
                for cidr in cidrs:
                    if cidr and any(cidr_contains(block, cidr) for block in rule["cidr_blocks"]):
                        covered.add(cidr)
        if cidrs and None not in cidrs and covered == set(cidrs):
            return True
        return None if undecided or not workload["subnets"] else False

    def gateway_coverage(self, ep: dict[str, Any]) -> None:
        if ep["type"] != "Gateway" or ep["service"] not in GATEWAY_ABLE:
            ep["unassociated_route_tables"] = []
            return
        served = {t for p in self.in_vpc(ep["vpc"], "endpoints")
                  if p["type"] == "Gateway" and p["service"] == ep["service"] for t in p["route_tables"]}
        tables = {s["route_table"] for w in self.in_vpc(ep["vpc"], "workloads") for s in
                  (self.find(a, "subnets") for a in w["subnets"]) if s and s["private"] and s["route_table"]}
        settle(ep, "unassociated_route_tables", tables - served, ep["unknown"].get("route_tables"))

    def workload(self, w: dict[str, Any]) -> None:
        paths: dict[str, dict[str, Any]] = {}
        for service in w["needs"]:
            worst: dict[str, Any] | None = None
            for address in w["subnets"]:
                subnet = self.find(str(address), "subnets")
                path: dict[str, Any] = (self.path(w, subnet, service) if subnet
                                        else {"via": "unknown", "endpoint": None})
                path["subnet"] = address
                if worst is None or RANK.get(path["via"], 2) < RANK.get(worst["via"], 2):
                    worst = path
            if worst is None or ("subnets" in w["unknown"] and RANK.get(worst["via"], 2) > 1):
                worst = {"via": "unknown", "endpoint": None, "subnet": None}
            paths[service] = worst
        w["paths"] = paths
        unknown_services = [s for s, p in paths.items() if p["via"] == "unknown"]
        settle(w, "unreachable", [s for s, p in paths.items() if p["via"] == "none"],
               f"path unknown for {', '.join(unknown_services)}" if unknown_services else w["unknown"].get("needs"))
        w["needs_public_ip"] = w["public_ip"] is False and any(
            self.index.get(a, {}).get("egress") == "igw" for a in w["subnets"])
        w["egress_443"] = self.egress_443(w)
        if w["egress_443"] is None:
            w["unknown"]["egress_443"] = w["unknown"].get("security_groups", "security group rules unknown")

    def path(self, w: dict[str, Any], subnet: dict[str, Any], service: str) -> dict[str, Any]:
        maybe = False
        vpc = subnet["vpc"]
        for ep in self.in_vpc(vpc, "endpoints"):
            if ep["service"] != service:
                maybe = maybe or (ep["service"] is None and "service" in ep["unknown"])
                continue
            if ep["region"] != ep["vpc_region"]:
                # Another Region's service (cross-Region PrivateLink) does not serve this one.
                maybe = maybe or ep["region"] is None or ep["vpc_region"] is None
                continue
            if ep["type"] == "Gateway" and service in GATEWAY_ABLE:
                if subnet["route_table"] in ep["route_tables"]:
                    return {"via": "gateway_endpoint", "endpoint": ep["address"]}
                maybe = maybe or "route_tables" in ep["unknown"] or subnet["route_table"] is None
            elif ep["type"] == "Interface":
                if service == "s3" and "ECR" in w["need_reasons"].get("s3", ""):
                    continue  # ECR layers are served only by the S3 gateway endpoint
                if not ep["subnets"]:
                    maybe = maybe or "subnets" in ep["unknown"]
                    continue
                dns = (ep["vpc_dns_support"], ep["vpc_dns_hostnames"])
                if ep["private_dns"] and not ep["hub_dns"] and False in dns:
                    continue  # private DNS needs both VPC DNS attributes (VPCE011 says so)
                if ep["private_dns"] and not ep["hub_dns"] and None in dns:
                    maybe = True
                    continue
                if ep["private_dns"] or ep["hub_dns"]:
                    same = subnet["az"] in ep["azs"]
                    return {"via": "interface_endpoint_same_az" if same else "interface_endpoint_other_az",
                            "endpoint": ep["address"]}
                maybe = maybe or ep["private_dns"] is None
        egress = subnet["egress"]
        via = egress if egress in ("nat", "other", "none", "unknown") else "igw"
        if egress == "igw":
            via = {True: "igw", False: "none", None: "unknown"}[w["public_ip"]]
        if via in ("none", "unknown") and maybe:
            via = "unknown"
        return {"via": via, "endpoint": subnet["egress_target"] if via in ("nat", "igw", "other") else None}

    def egress_443(self, w: dict[str, Any]) -> bool | None:
        groups = self.workload_groups(w)
        undecided = "security_groups" in w["unknown"] or not groups
        for address in groups:
            sg = self.find(address, "security_groups")
            if sg is None:
                undecided = True
                continue
            verdicts = [rule_admits_443(rule) for rule in sg["egress"]]
            if True in verdicts:
                return True
            undecided = undecided or None in verdicts or "egress" in sg["unknown"]
        return None if undecided else False

    def route_table(self, table: dict[str, Any]) -> None:
        subnets = [s for s in (self.find(a, "subnets") for a in table["subnets"]) if s]
        served = {e["service"] for e in (self.find(a, "endpoints") for a in table["gateway_endpoints"]) if e}
        candidates = set()
        if any(s["egress"] == "nat" for s in subnets):
            for subnet in subnets:
                for address in subnet["workloads"]:
                    workload = self.find(address, "workloads")
                    needs = workload["needs"] if workload else []
                    candidates |= {s for s in GATEWAY_ABLE if s in needs and s not in served}
        table["nat_gateway_candidates"] = sorted(candidates)

    def attachment(self, attachment: dict[str, Any]) -> None:
        tgw = attachment["transit_gateway"]
        azs = set()
        for subnet in self.in_vpc(attachment["vpc"], "subnets"):
            if not subnet["workloads"] or subnet["egress"] != "other" or not subnet["az"]:
                continue
            table = self.find(subnet["route_table"], "route_tables")
            routes = table["routes"] if table else []
            if any(r["destination"] in DEFAULT_ROUTES and r["target_kind"] == "tgw"
                   and (r["target"] == tgw or r["target"] is None) for r in routes):
                azs.add(subnet["az"])
        reason = attachment["unknown"].get("azs")
        settle(attachment, "missing_workload_azs", set() if reason else azs - set(attachment["azs"]),
               reason if azs - set(attachment["azs"]) else None)
