"""Read `.tfcheck.yml`: schema-checked settings that tune rules and tell the graph what it cannot see."""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tfcheck.documents import check_schema, read_yaml
from tfcheck.errors import ConfigError
from tfcheck.findings import Severity
from tfcheck.graph.model import GraphOptions
from tfcheck.suppress import Waiver
from tfcheck.workspace import repo_root, upwards

DEFAULT_FILE = ".tfcheck.yml"
SCHEMA_FILE = Path(__file__).with_name("config.schema.json")
# Postures switch on rules that are off by default.
POSTURES: Mapping[str, tuple[str, ...]] = {"any": (), "endpoints-only": ("VPCE028",)}


@dataclass(frozen=True, slots=True)
class Config:
    path: str | None = None
    severity: Mapping[str, Severity] = dataclasses.field(default_factory=dict)
    disabled: tuple[str, ...] = ()
    extra_needs: tuple[tuple[str, tuple[str, ...]], ...] = ()
    default_needs: tuple[str, ...] | None = None
    needs_from: tuple[str, ...] | None = None
    hub_dns: tuple[str, ...] = ()
    # workload address glob → non-AWS destinations it reaches (they keep the NAT: tfcheck cost)
    internet_destinations: tuple[tuple[str, tuple[str, ...]], ...] = ()
    egress: str = "any"
    waivers: tuple[Waiver, ...] = ()

    @property
    def enabled(self) -> tuple[str, ...]:
        return POSTURES[self.egress]

    def check_rules(self, known: Iterable[str]) -> None:
        """Name a rule id the config mentions but no loaded policy defines (a typo, usually)."""
        known_set = set(known)
        waived = [w.rule for w in self.waivers if "*" not in w.rule]
        for key, ids in (
            ("severity", list(self.severity)),
            ("disable", list(self.disabled)),
            ("waivers", waived),
        ):
            for rule in ids:
                if rule not in known_set:
                    raise ConfigError(
                        self.path or DEFAULT_FILE,
                        f"{key}: unknown rule {rule}; `tfcheck rules` lists the known ids",
                    )


def find_config(cwd: Path) -> Path | None:
    """The nearest `.tfcheck.yml` from `cwd` up to the repository root (only `cwd` outside a
    repository): the Action and pre-commit run at the root, Atlantis in a project's
    directory, and all of them must apply the same settings to the same plan."""
    for directory in upwards(cwd, repo_root(cwd)):
        candidate = directory / DEFAULT_FILE
        if candidate.is_file():
            return _relative(candidate)
    return None


def _relative(path: Path) -> Path:
    """How the file is named in messages: relative to the working directory when below it."""
    try:
        return path.relative_to(Path.cwd().resolve())
    except ValueError:
        return path


def lookup(cwd: Path) -> str:
    """Where find_config looked, for --verbose."""
    root = repo_root(cwd)
    return (
        f"from {cwd} up to the repository root {root}"
        if root is not None
        else f"in {cwd} (not in a git repository)"
    )


def load_config(path: str | Path | None, cache_dir: Path | None = None) -> Config:
    """`None` means no settings file: every default applies."""
    if path is None:
        return Config()
    name = str(path)
    text, doc = read_yaml(path, ConfigError, "settings file")
    doc = _dates_as_text(doc)  # YAML reads `expires: 2025-06-30` as a date; the schema wants text
    check_schema(SCHEMA_FILE, name, text, doc, error=ConfigError, cache_dir=cache_dir)
    return from_dict(doc or {}, name)


def _dates_as_text(doc: Any) -> Any:
    if isinstance(doc, dict):
        return {k: _dates_as_text(v) for k, v in doc.items()}
    if isinstance(doc, list):
        return [_dates_as_text(v) for v in doc]
    return doc.isoformat() if isinstance(doc, datetime.date) else doc


def _waivers(entries: Iterable[Mapping[str, Any]], path: str | None) -> tuple[Waiver, ...]:
    out = []
    for index, entry in enumerate(entries):
        expires = entry.get("expires")
        try:
            day = datetime.date.fromisoformat(str(expires)) if expires is not None else None
        except ValueError:
            raise ConfigError(
                path or DEFAULT_FILE, f"$.waivers[{index}].expires: {expires!r} is not a date (YYYY-MM-DD)"
            ) from None
        out.append(
            Waiver(str(entry["rule"]), str(entry["address"]), " ".join(str(entry["reason"]).split()), day)
        )
    return tuple(out)


def from_dict(doc: Mapping[str, Any], path: str | None = None) -> Config:
    default_needs = doc.get("default_needs")
    return Config(
        path=path,
        severity={k: Severity(v) for k, v in (doc.get("severity") or {}).items()},
        disabled=tuple(doc.get("disable") or ()),
        extra_needs=tuple((glob, tuple(s)) for glob, s in (doc.get("needs") or {}).items()),
        default_needs=tuple(default_needs) if default_needs is not None else None,
        needs_from=tuple(doc["needs_from"]) if doc.get("needs_from") is not None else None,
        hub_dns=tuple(doc.get("hub_dns") or ()),
        internet_destinations=tuple(
            (glob, tuple(d)) for glob, d in (doc.get("internet_destinations") or {}).items()
        ),
        egress=str(doc.get("egress") or "any"),
        waivers=_waivers(doc.get("waivers") or (), path),
    )


def graph_options(config: Config) -> GraphOptions:
    return GraphOptions(
        extra_needs=config.extra_needs,
        hub_dns=config.hub_dns,
        default_needs=config.default_needs,
        needs_from=config.needs_from,
    )
