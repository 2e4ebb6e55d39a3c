"""Turn a real create plan into state of *existing* infrastructure with known fake ids.

Offline terraform cannot apply, so plans of existing infrastructure (known ids,
prior_state, no-op/update/delete actions) are derived: the source scenario's real
plan gives every resource's planned values; each value unknown until apply gets a
deterministic fake (`vpc-0a1b...`, `subnet-0a1b...`, schema-typed defaults); then
`terraform plan -refresh=false` is run against that state and every value terraform
can now compute (`vpc_id = aws_vpc.main.id` becomes the VPC's fake id) is merged back
until the plan shows no change. Terraform itself then writes the final plan or
`show -json` state, so only the state input is synthetic, never the output.
Used by regen_fixtures.py for directories holding a derived.json recipe:

    {"source": "../existing_base", "output": "plan" | "state"}

"plan": plan the recipe directory's own *.tf against the source's state;
"state": `terraform show -json` of the source's state. Limits: managed resources of the
default (unaliased) aws provider configuration; no outputs in the state.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

JSON = dict[str, Any]
ACCOUNT = "123456789012"
MAX_PASSES = 10
ID_PREFIX = {  # resource type -> prefix of its id, as AWS shapes them
    "aws_vpc": "vpc",
    "aws_subnet": "subnet",
    "aws_route_table": "rtb",
    "aws_default_route_table": "rtb",
    "aws_route_table_association": "rtbassoc",
    "aws_main_route_table_association": "rtbassoc",
    "aws_internet_gateway": "igw",
    "aws_egress_only_internet_gateway": "eigw",
    "aws_nat_gateway": "nat",
    "aws_eip": "eipalloc",
    "aws_security_group": "sg",
    "aws_vpc_endpoint": "vpce",
    "aws_vpc_dhcp_options": "dopt",
    "aws_ec2_transit_gateway": "tgw",
    "aws_ec2_transit_gateway_vpc_attachment": "tgw-attach",
    "aws_vpc_peering_connection": "pcx",
    "aws_vpc_security_group_ingress_rule": "sgr",
    "aws_vpc_security_group_egress_rule": "sgr",
    "aws_security_group_rule": "sgrule",
    "aws_network_interface": "eni",
    "aws_instance": "i",
    "aws_launch_template": "lt",
    "aws_network_acl": "acl",
    "aws_ec2_managed_prefix_list": "pl",
}
ATTR_PREFIX = {  # attribute name -> prefix of the id it holds
    "vpc_id": "vpc",
    "subnet_id": "subnet",
    "route_table_id": "rtb",
    "default_route_table_id": "rtb",
    "main_route_table_id": "rtb",
    "security_group_id": "sg",
    "default_security_group_id": "sg",
    "default_network_acl_id": "acl",
    "dhcp_options_id": "dopt",
    "nat_gateway_id": "nat",
    "gateway_id": "igw",
    "allocation_id": "eipalloc",
    "association_id": "eipassoc",
    "network_interface_id": "eni",
    "prefix_list_id": "pl",
    "transit_gateway_id": "tgw",
    "vpc_endpoint_id": "vpce",
    "security_group_rule_id": "sgr",
    "ipv6_association_id": "vpc-cidr-assoc",
}

SAME_AS_ID = {("aws_eip", "allocation_id")}


class DeriveError(Exception):
    """A recipe is malformed or the derived state does not settle."""


class Terraform(Protocol):
    def write_state(self, state: JSON) -> None: ...
    def plan_json(self, *extra: str) -> JSON: ...


@dataclass(frozen=True)
class Recipe:
    source: Path
    output: str


def load_recipe(directory: Path) -> Recipe:
    path = directory / "derived.json"
    try:
        raw = json.loads(path.read_text())
        source = (directory / raw["source"]).resolve()
        output = raw.get("output", "plan")
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise DeriveError(
            f'{path}: not a recipe ({exc}); want {{"source": "../dir", "output": "plan"|"state"}}'
        ) from exc
    if output not in ("plan", "state") or not any(source.glob("*.tf")):
        raise DeriveError(f"{path}: output must be plan or state and source a scenario")
    if output == "plan" and not any(directory.glob("*.tf")):
        raise DeriveError(f"{path}: output plan needs the directory's own *.tf")
    return Recipe(source, output)


def fake_id(prefix: str, seed: str) -> str:
    return f"{prefix}-0a1b{hashlib.sha256(seed.encode()).hexdigest()[:13]}"


@dataclass(frozen=True)
class Ctx:
    address: str
    rtype: str
    region: str

    @property
    def own_id(self) -> str:
        return fake_id(ID_PREFIX.get(self.rtype, self.rtype.removeprefix("aws_")), self.address)


def _default(typ: Any, ctx: Ctx, path: list[str | int]) -> Any:
    """A value an apply could plausibly have returned for an unknown of this type."""
    name = next((p for p in reversed(path) if isinstance(p, str)), "")
    if typ == "bool":
        return False
    if typ == "number":
        return 0
    if isinstance(typ, list):
        return {"list": [], "set": [], "map": {}}.get(typ[0])
    if typ != "string":
        return None
    seed = ctx.address + "." + ".".join(map(str, path))
    if path == ["id"] or (ctx.rtype, name) in SAME_AS_ID:
        return ctx.own_id
    if name == "main_route_table_id":  # AWS reports the VPC's main table twice
        seed = ctx.address + ".default_route_table_id"
    if name == "arn":
        return f"arn:aws:ec2:{ctx.region}:{ACCOUNT}:{ctx.rtype.removeprefix('aws_')}/{ctx.own_id}"
    if name in ("owner_id", "account_id") or name.endswith("_owner_id"):
        return ACCOUNT
    if name in ATTR_PREFIX:
        return fake_id(ATTR_PREFIX[name], seed)
    if name == "state":
        return "available"
    return ""


def _as_type(attr: JSON) -> Any:
    if "type" in attr:
        return attr["type"]
    nested = attr["nested_type"]
    obj = ["object", {k: _as_type(v) for k, v in nested["attributes"].items()}]
    mode = nested.get("nesting_mode", "single")
    return obj if mode == "single" else [mode, obj]


def _fill(value: Any, unknown: Any, typ: Any, ctx: Ctx, old: Any, path: list[str | int]) -> Any:
    if unknown is True:
        return old if old is not None else _default(typ, ctx, path)
    if value is None or not isinstance(typ, list):
        return value
    kind, inner = typ[0], typ[1]
    if kind in ("list", "set", "tuple"):
        out = []
        for i, item in enumerate(value):
            u = unknown[i] if isinstance(unknown, list) and i < len(unknown) else False
            o = old[i] if isinstance(old, list) and i < len(old) else None
            t = inner[i] if kind == "tuple" else inner
            out.append(_fill(item, u, t, ctx, o, [*path, i]))
        return out
    if kind in ("map", "object"):
        out_map = {}
        keys = value.keys() if kind == "map" else inner.keys()
        for k in keys:
            u = unknown.get(k, False) if isinstance(unknown, dict) else False
            o = old.get(k) if isinstance(old, dict) else None
            t = inner if kind == "map" else inner[k]
            out_map[k] = _fill(value.get(k), u, t, ctx, o, [*path, k])
        return out_map
    return value


def _fill_block(value: Any, unknown: Any, block: JSON, ctx: Ctx, old: Any, path: list[str | int]) -> Any:
    if unknown is True:
        return old
    if value is None:
        return None
    unk = unknown if isinstance(unknown, dict) else {}
    prev = old if isinstance(old, dict) else {}
    out: JSON = {}
    for name, attr in block.get("attributes", {}).items():
        out[name] = _fill(
            value.get(name), unk.get(name, False), _as_type(attr), ctx, prev.get(name), [*path, name]
        )
    for name, nested in block.get("block_types", {}).items():
        mode, inner = nested["nesting_mode"], nested["block"]
        v, u, o = value.get(name), unk.get(name, False), prev.get(name)
        if u is True:
            out[name] = o if o is not None else ([] if mode in ("list", "set") else None)
        elif mode in ("list", "set") and isinstance(v, list):
            out[name] = [
                _fill_block(
                    item,
                    u[i] if isinstance(u, list) and i < len(u) else False,
                    inner,
                    ctx,
                    o[i] if isinstance(o, list) and i < len(o) else None,
                    [*path, name, i],
                )
                for i, item in enumerate(v)
            ]
        elif mode in ("single", "group"):
            out[name] = _fill_block(v, u, inner, ctx, o, [*path, name])
        else:
            out[name] = v
    return out


def _resource_schema(schema: JSON, provider: str, rtype: str) -> JSON:
    try:
        found: JSON = schema["provider_schemas"][provider]["resource_schemas"][rtype]
    except KeyError as exc:
        raise DeriveError(f"no provider schema for {rtype}") from exc
    return found


def _address(res: JSON, inst: JSON) -> str:
    base = f"{res['type']}.{res['name']}"
    if res.get("module"):
        base = f"{res['module']}.{base}"
    if "index_key" in inst:
        base += f"[{json.dumps(inst['index_key'])}]"
    return base


def initial_state(plan: JSON, schema: JSON, region: str) -> JSON:
    """State holding every resource the plan creates, unknowns replaced by fakes."""
    resources: dict[tuple[str, str, str], JSON] = {}
    for rc in plan.get("resource_changes", []):
        if rc.get("mode") != "managed" or rc["change"]["actions"] != ["create"]:
            continue
        rs = _resource_schema(schema, rc["provider_name"], rc["type"])
        ctx = Ctx(rc["address"], rc["type"], region)
        attrs = _fill_block(rc["change"]["after"], rc["change"]["after_unknown"], rs["block"], ctx, None, [])
        key = (rc.get("module_address", ""), rc["type"], rc["name"])
        res = resources.setdefault(
            key,
            {
                **({"module": key[0]} if key[0] else {}),
                "mode": "managed",
                "type": rc["type"],
                "name": rc["name"],
                "provider": f'provider["{rc["provider_name"]}"]',
                "instances": [],
            },
        )
        inst: JSON = {
            "schema_version": rs.get("version", 0),
            "attributes": attrs,
            "sensitive_attributes": [],
            "dependencies": [],
        }
        if "index" in rc:
            inst = {"index_key": rc["index"], **inst}
        res["instances"].append(inst)
    lineage = hashlib.sha256(json.dumps(sorted(resources)).encode()).hexdigest()
    return {
        "version": 4,
        "terraform_version": plan.get("terraform_version", "1.0.0"),
        "serial": 1,
        "lineage": f"{lineage[:8]}-{lineage[8:12]}-{lineage[12:16]}-{lineage[16:20]}-{lineage[20:32]}",
        "outputs": {},
        "resources": list(resources.values()),
        "check_results": None,
    }


def merge(state: JSON, plan: JSON, schema: JSON, region: str) -> JSON:
    """Fold every value the plan now knows into the state, keeping ids already faked."""
    changes = {
        rc["address"]: rc
        for rc in plan.get("resource_changes", [])
        if rc.get("mode") == "managed" and rc["change"].get("after") is not None
    }
    for res in state["resources"]:
        provider = re.sub(r'^provider\["([^"]+)"\].*$', r"\1", res["provider"])
        rs = _resource_schema(schema, provider, res["type"])
        for inst in res["instances"]:
            addr = _address(res, inst)
            rc = changes.get(addr)
            if rc is None or rc["change"]["actions"] == ["no-op"]:
                continue
            inst["attributes"] = _fill_block(
                rc["change"]["after"],
                rc["change"]["after_unknown"],
                rs["block"],
                Ctx(addr, res["type"], region),
                inst["attributes"],
                [],
            )
    state["serial"] += 1
    return state


def converge(tf: Terraform, plan: JSON, schema: JSON, region: str) -> JSON:
    """Iterate plan -refresh=false until terraform sees the fake state as up to date."""
    state = initial_state(plan, schema, region)
    changing: list[str] = []
    for _ in range(MAX_PASSES):
        tf.write_state(state)
        check = tf.plan_json("-refresh=false")
        changing = [
            rc["address"] for rc in check.get("resource_changes", []) if rc["change"]["actions"] != ["no-op"]
        ]
        if not changing:
            state["serial"] = 1
            tf.write_state(state)
            return state
        state = merge(state, check, schema, region)
    raise DeriveError(
        f"fake state did not settle after {MAX_PASSES} plans; still changing: " + ", ".join(changing)
    )
