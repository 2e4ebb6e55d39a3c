"""The `tfcheck cost --format json` document, version 1: its JSON Schema, the public contract.

Money is a string in dollars rounded half-up to cents ("87.60", "-3.65"); GB figures are
strings to 0.01 GB; rates ("0.045") are exact strings. null means "not known" (no traffic
figure, AZ count unknown before apply, a path tfcheck does not price, a Region without prices):
it is never counted as 0. Totals add the priced parts; `partial` says something was left out,
and `not_priced` lists what and why. `subtotals` split each VPC, plan and the whole document
per kind (NAT gateways, interface endpoints, gateway endpoints) into fixed and traffic charges.
"""

from __future__ import annotations

from typing import Any

MONEY: dict[str, Any] = {"type": "string", "pattern": r"^-?[0-9]+\.[0-9]{2}$"}
MONEY_OR_NULL: dict[str, Any] = {"anyOf": [MONEY, {"type": "null"}]}
NUMBER: dict[str, Any] = {"type": "string", "pattern": r"^-?[0-9]+(\.[0-9]+)?$"}
NUMBER_OR_NULL: dict[str, Any] = {"anyOf": [NUMBER, {"type": "null"}]}
STRINGS: dict[str, Any] = {"type": "array", "items": {"type": "string"}}
OPT_STRING: dict[str, Any] = {"type": ["string", "null"]}
VIAS = [
    "gateway_endpoint",
    "interface_endpoint_same_az",
    "interface_endpoint_other_az",
    "nat",
    "igw",
    "other",
    "none",
    "unknown",
]
ACTIONS = [
    "keep",
    "keep_nat",
    "depends",
    "add_gateway_endpoint",
    "associate_gateway_endpoint",
    "add_interface_endpoint",
    "fix_interface_endpoint",
    "no_path",
    "unknown",
    "not_priced",
]


def _object(required: dict[str, Any], description: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {
        "type": "object",
        "required": sorted(required),
        "properties": required,
        "additionalProperties": False,
    }
    if description:
        out["description"] = description
    return out


LINE = _object(
    {
        "resource": {"type": "string", "description": "Terraform address of the billed resource"},
        "kind": {"enum": ["nat_gateway", "interface_endpoint", "gateway_endpoint", "unpriced"]},
        "service": OPT_STRING,
        "azs": {"type": ["integer", "null"], "description": "interface endpoint: AZs billed"},
        "hourly": NUMBER_OR_NULL,
        "fixed_monthly": MONEY_OR_NULL,
        "gb": NUMBER_OR_NULL,
        "gb_source": {"enum": ["usage file", "service traffic", None]},
        "per_gb": {**NUMBER_OR_NULL, "description": "flat rate; null for interface endpoints (tiered)"},
        "traffic_monthly": MONEY_OR_NULL,
        "monthly": MONEY_OR_NULL,
        "note": OPT_STRING,
    },
    "One billed resource: hours (× AZs) + GB processed",
)

SERVICE = _object(
    {
        "service": {"type": "string"},
        "workloads": STRINGS,
        "gb": NUMBER_OR_NULL,
        "now": _object(
            {
                "paths": {"type": "array", "items": _object({"via": {"enum": VIAS}, "through": OPT_STRING})},
                "fixed_monthly": MONEY_OR_NULL,
                "traffic_monthly": MONEY_OR_NULL,
                "monthly": MONEY_OR_NULL,
            },
            "the paths the service's traffic takes now and what it costs on them",
        ),
        "alternative": {
            "anyOf": [
                {"type": "null"},
                _object(
                    {
                        "kind": {"enum": ["gateway_endpoint", "interface_endpoint"]},
                        "existing": OPT_STRING,
                        "azs": STRINGS,
                        "added_fixed_monthly": MONEY_OR_NULL,
                        "per_gb": NUMBER_OR_NULL,
                        "monthly": MONEY_OR_NULL,
                    }
                ),
            ]
        },
        "break_even_gb": {**NUMBER_OR_NULL, "description": "GB/month above which the endpoint is cheaper"},
        "recommendation": _object(
            {"action": {"enum": ACTIONS}, "saving_monthly": MONEY_OR_NULL, "text": {"type": "string"}}
        ),
    },
    "An AWS service the VPC's workloads need or send traffic to",
)

NAT_REMOVAL = _object(
    {
        "ready": {"enum": ["yes", "after_endpoints", "no", "unknown"]},
        "nat_gateways": STRINGS,
        "dependents": {
            "type": "array",
            "items": _object(
                {"workload": {"type": "string"}, "service": {"type": "string"}, "nat_gateways": STRINGS}
            ),
        },
        "internet": {
            "type": "array",
            "items": _object({"workload": {"type": "string"}, "destinations": STRINGS}),
        },
        "endpoints_needed": {
            "type": "array",
            "items": _object(
                {
                    "service": {"type": "string"},
                    "kind": {"enum": ["gateway_endpoint", "interface_endpoint"]},
                    "existing": OPT_STRING,
                    "azs": STRINGS,
                    "added_fixed_monthly": MONEY_OR_NULL,
                    "per_gb": NUMBER_OR_NULL,
                    "action": {"type": "string"},
                }
            ),
        },
        "reasons": STRINGS,
        "today_monthly": MONEY_OR_NULL,
        "nat_monthly": MONEY_OR_NULL,
        "added_endpoints_fixed_monthly": MONEY_OR_NULL,
        "moved_traffic_monthly": MONEY_OR_NULL,
        "moved_gb": NUMBER,
        "nat_free_monthly": MONEY_OR_NULL,
        "saving_monthly": MONEY_OR_NULL,
        "notes": STRINGS,
    },
    "Can the VPC's NAT gateways go, and what the NAT-free design costs",
)

KIND = {"enum": ["nat_gateway", "interface_endpoint", "gateway_endpoint", "unpriced"]}
NOT_PRICED = {
    "resource": {"type": "string"},
    "kind": KIND,
    "reason": {"type": "string", "description": "why tfcheck cannot state its charge"},
}
SUBTOTAL = _object(
    {
        "kind": {"enum": ["nat_gateway", "interface_endpoint", "gateway_endpoint"]},
        "resources": {"type": "integer"},
        "units": {
            "type": ["integer", "null"],
            "description": "billed units: NAT gateways, endpoint-AZs (interface), endpoints (gateway); "
            "null when an AZ count is unknown",
        },
        "hours": {"type": "integer"},
        "hourly": {
            **NUMBER_OR_NULL,
            "description": "rate per unit-hour; null when not priced or Regions differ",
        },
        "fixed_monthly": MONEY_OR_NULL,
        "traffic_monthly": MONEY_OR_NULL,
        "total_monthly": MONEY_OR_NULL,
        "not_priced": {"type": "integer", "description": "resources of this kind left out of the figures"},
    },
    "One kind's charges: fixed = units × hours × hourly, and traffic",
)
SUBTOTALS: dict[str, Any] = {"type": "array", "items": SUBTOTAL}
PARTIAL: dict[str, Any] = {
    "type": "boolean",
    "description": "the totals leave out items listed in not_priced",
}

VPC = _object(
    {
        "address": {"type": "string"},
        "region": OPT_STRING,
        "priced": {"type": "boolean", "description": "the Region has prices"},
        "unpriced_reason": OPT_STRING,
        "lines": {"type": "array", "items": LINE},
        "fixed_monthly": MONEY_OR_NULL,
        "traffic_monthly": MONEY_OR_NULL,
        "total_monthly": MONEY_OR_NULL,
        "before_monthly": MONEY_OR_NULL,
        "delta_monthly": MONEY_OR_NULL,
        "notes": STRINGS,
        "partial": PARTIAL,
        "not_priced": {"type": "array", "items": _object(NOT_PRICED)},
        "subtotals": SUBTOTALS,
        "services": {"type": "array", "items": SERVICE},
        "nat_removal": {"anyOf": [{"type": "null"}, NAT_REMOVAL]},
    },
    "A VPC (or `(VPC not in plan)` for billed resources whose VPC is unknown)",
)

PLAN = _object(
    {
        "plan": {"type": "string"},
        "update": {"type": "boolean", "description": "prior_state present"},
        "vpcs": {"type": "array", "items": VPC},
        "fixed_monthly": MONEY_OR_NULL,
        "traffic_monthly": MONEY_OR_NULL,
        "total_monthly": MONEY_OR_NULL,
        "before_monthly": MONEY_OR_NULL,
        "delta_monthly": MONEY_OR_NULL,
        "removed_vpcs": {
            "type": "array",
            "items": _object(
                {
                    "address": {"type": "string"},
                    "before_monthly": MONEY_OR_NULL,
                    "delta_monthly": MONEY_OR_NULL,
                }
            ),
        },
        "partial": PARTIAL,
        "not_priced": {"type": "array", "items": _object({"vpc": {"type": "string"}, **NOT_PRICED})},
        "subtotals": SUBTOTALS,
    }
)

SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://tfcheck.dev/schemas/cost-v1.json",
    "title": "tfcheck cost document, version 1",
    **_object(
        {
            "version": {"const": 1},
            "currency": {"const": "USD"},
            "hours_per_month": {"type": "integer"},
            "traffic_included": {"type": "boolean"},
            "usage_file": OPT_STRING,
            "prices_file": OPT_STRING,
            "assumptions": STRINGS,
            "prices": {"type": "object", "description": "Region -> the figures used, with as_of and source"},
            "unpriced_regions": {
                "type": "array",
                "items": _object(
                    {"region": OPT_STRING, "reason": {"type": "string"}},
                    "a Region (null: not known) of the plans without prices, and how to supply them",
                ),
            },
            "plans": {"type": "array", "items": PLAN},
            "totals": _object(
                {
                    "fixed_monthly": MONEY_OR_NULL,
                    "traffic_monthly": MONEY_OR_NULL,
                    "total_monthly": MONEY_OR_NULL,
                    "partial": PARTIAL,
                    "not_priced": {
                        "type": "array",
                        "items": _object(
                            {"plan": {"type": "string"}, "vpc": {"type": "string"}, **NOT_PRICED}
                        ),
                    },
                    "subtotals": SUBTOTALS,
                    "before_monthly": {**MONEY_OR_NULL, "description": "over the update plans only"},
                    "delta_monthly": {**MONEY_OR_NULL, "description": "over the update plans only"},
                }
            ),
        }
    ),
}
