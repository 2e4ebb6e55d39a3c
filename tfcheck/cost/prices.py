"""Cost stage, input: the price table (built-in prices.json, optionally overridden per Region).

Prices are data, not code: every figure carries its date and public source. A Region the
table does not know is priced by nobody: it gets an *unpriced* RegionPrices that says why and
how to supply the figures (`--prices FILE`), and the report marks its money as not priced
instead of guessing or counting it as $0.00.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from tfcheck.documents import check_schema, read_yaml
from tfcheck.errors import InputError

BUILTIN = Path(__file__).with_name("prices.json")
SCHEMA = Path(__file__).with_name("prices.schema.json")
CENT = Decimal("0.01")
ZERO = Decimal(0)
COMPONENTS = ("nat_gateway", "interface_endpoint", "gateway_endpoint")


def dec(value: Any) -> Decimal:
    """A JSON/YAML number or decimal string as an exact Decimal (floats via their repr)."""
    return value if isinstance(value, Decimal) else Decimal(str(value))


def money(value: Decimal) -> str:
    """Dollars rounded half-up to cents, as the JSON document shows them ("87.60", never "-0.00")."""
    cents = value.quantize(CENT, rounding=ROUND_HALF_UP)
    return str(abs(cents) if cents == 0 else cents)


def plain(value: Decimal) -> str:
    """An exact figure without exponent or trailing zeros ("0.045", "1000")."""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


@dataclass(frozen=True, slots=True)
class Tier:
    up_to_gb: Decimal | None  # None: no upper bound
    per_gb: Decimal


@dataclass(frozen=True, slots=True)
class RegionPrices:
    region: str
    name: str
    nat_hourly: Decimal
    nat_per_gb: Decimal
    vpce_hourly: Decimal
    tiers: tuple[Tier, ...]
    gateway_hourly: Decimal
    gateway_per_gb: Decimal
    origin: str  # "built-in" or the override file
    raw: Mapping[str, Any]  # the entry as written, for the report's price section
    unpriced: str | None = None  # why this Region has no prices (then every rate above is 0)

    @property
    def priced(self) -> bool:
        return self.unpriced is None

    def tiered(self, gb: Decimal) -> Decimal:
        """Interface endpoint data charge for `gb` in one month over the whole Region."""
        cost, lower = ZERO, ZERO
        for tier in self.tiers:
            if tier.up_to_gb is None or gb <= tier.up_to_gb:
                return cost + max(gb - lower, ZERO) * tier.per_gb
            cost += (tier.up_to_gb - lower) * tier.per_gb
            lower = tier.up_to_gb
        return cost

    def added(self, base_gb: Decimal, gb: Decimal) -> Decimal:
        """What `gb` more costs on top of a Region total of `base_gb` (tiers are Region-wide)."""
        return self.tiered(base_gb + gb) - self.tiered(base_gb)

    def marginal(self, base_gb: Decimal) -> Decimal:
        """Per-GB rate of the tier a Region total of `base_gb` falls in."""
        for tier in self.tiers:
            if tier.up_to_gb is None or base_gb < tier.up_to_gb:
                return tier.per_gb
        return self.tiers[-1].per_gb

    def report(self) -> dict[str, Any]:
        """The figures as the JSON document shows them, with date and source."""
        out: dict[str, Any] = {"name": self.name, "origin": self.origin}
        for component in COMPONENTS:
            entry = dict(self.raw.get(component) or {"hourly": "0", "per_gb": "0"})
            for key in ("hourly", "per_gb", "hourly_per_az"):
                if key in entry:
                    entry[key] = plain(dec(entry[key]))
            if "per_gb_tiers" in entry:
                entry["per_gb_tiers"] = [
                    {"up_to_gb": t["up_to_gb"], "per_gb": plain(dec(t["per_gb"]))}
                    for t in entry["per_gb_tiers"]
                ]
            entry.setdefault("as_of", None)
            entry.setdefault("retrieved", None)
            entry.setdefault("source", self.origin if self.origin != "built-in" else None)
            out[component] = entry
        return out


@dataclass(frozen=True, slots=True)
class PriceTable:
    hours: Decimal
    regions: Mapping[str, RegionPrices]
    override: str | None = None

    def region(self, code: str | None) -> RegionPrices:
        """Prices of `code`; for a Region the table lacks (or none known), an unpriced entry saying why."""
        found = self.regions.get(code) if code is not None else None
        if found is not None:
            return found
        return unpriced(code, self.why_unpriced(code))

    def why_unpriced(self, code: str | None) -> str:
        """Why `code` has no prices, and how the user can supply them."""
        how = (
            "add it with --prices FILE (shape: prices.schema.json, figures from "
            "https://aws.amazon.com/vpc/pricing/ and https://aws.amazon.com/privatelink/pricing/)"
        )
        if code is None:
            return (
                "the plan does not say which AWS Region it is in: set the provider's region (tfcheck also "
                "reads it from the configuration beside the plan, or --source DIR), or " + how
            )
        known = ", ".join(sorted(self.regions)) or "none"
        return f"Region {code} has no price in tfcheck's price table (priced: {known}); {how}"


def unpriced(code: str | None, reason: str) -> RegionPrices:
    """A Region without prices: rates are placeholders the cost stage never shows (`priced` is False)."""
    return RegionPrices(
        region=code or "unknown",
        name=code or "unknown Region",
        nat_hourly=ZERO,
        nat_per_gb=ZERO,
        vpce_hourly=ZERO,
        tiers=(Tier(None, ZERO),),
        gateway_hourly=ZERO,
        gateway_per_gb=ZERO,
        origin="none",
        raw={},
        unpriced=reason,
    )


def load_prices(path: str | None) -> PriceTable:
    """The built-in table, with the Regions of the override file at `path` replaced or added."""
    builtin = json.loads(BUILTIN.read_text(encoding="utf-8"))  # schema-checked by the tests
    regions = _regions(builtin, "built-in")
    hours = dec(builtin["hours_per_month"])
    if path is not None:
        text, doc = _read(path)
        validate(path, text, doc)
        regions.update(_regions(doc, path))
        hours = dec(doc.get("hours_per_month", hours))
    return PriceTable(hours, regions, path)


def _read(path: str) -> tuple[str, Any]:
    text, doc = read_yaml(path, InputError, "price file")
    if doc is None:
        raise InputError(
            path,
            "is empty; expected `regions: {REGION: {nat_gateway: ..., "
            "interface_endpoint: ...}}` (see prices.schema.json)",
        )
    return text, doc


def validate(path: str, text: str, doc: Any) -> None:
    """Schema and tier checks of a price document; InputError names the file and JSON path."""
    check_schema(SCHEMA, path, text, doc, error=InputError)
    for code, entry in doc["regions"].items():
        tiers = entry["interface_endpoint"]["per_gb_tiers"]
        bounds = [t["up_to_gb"] for t in tiers]
        if bounds[-1] is not None or None in bounds[:-1] or bounds[:-1] != sorted(set(bounds[:-1])):
            raise InputError(
                path,
                f"$.regions.{code}.interface_endpoint.per_gb_tiers: tiers must "
                "rise (up_to_gb increasing) and only the last has up_to_gb null",
            )


def _regions(doc: Mapping[str, Any], origin: str) -> dict[str, RegionPrices]:
    out = {}
    for code, entry in doc["regions"].items():
        gateway = entry.get("gateway_endpoint") or {"hourly": 0, "per_gb": 0}
        iface = entry["interface_endpoint"]
        out[code] = RegionPrices(
            region=code,
            name=str(entry.get("name") or code),
            nat_hourly=dec(entry["nat_gateway"]["hourly"]),
            nat_per_gb=dec(entry["nat_gateway"]["per_gb"]),
            vpce_hourly=dec(iface["hourly_per_az"]),
            tiers=tuple(
                Tier(None if t["up_to_gb"] is None else dec(t["up_to_gb"]), dec(t["per_gb"]))
                for t in iface["per_gb_tiers"]
            ),
            gateway_hourly=dec(gateway["hourly"]),
            gateway_per_gb=dec(gateway["per_gb"]),
            origin=origin,
            raw=entry,
        )
    return out
