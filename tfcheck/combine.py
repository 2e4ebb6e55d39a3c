"""Load stage: a plan and its HCL source read together (domain spec section 2).

A plan knows which instances exist and every value known before apply; the source knows
locals, dynamic blocks, null arguments and the known parts of partly-unknown values. Known
plan values always win; the source fills only what the plan leaves unknown or unconfigured.
"""
from __future__ import annotations

import os
import re
from dataclasses import replace
from pathlib import Path
from typing import Any, Iterable, Mapping

from tfcheck.model import Instance, Inventory, Ref, Unknown

_ABSENT = object()
_DECLARATION = re.compile(r'^\s*(resource|module)\s+"([^"]+)"(?:\s+"([^"]+)")?', re.MULTILINE)


def combine(plan: Inventory, source: Inventory) -> tuple[Inventory, list[str]]:
    """The plan's instances with unknown values filled from the source; and disagreements."""
    by_address = {inst.address: inst for inst in source.instances}
    notes: list[str] = []
    combined = []
    for inst in plan.instances:
        origin = by_address.get(inst.address)
        if origin is None:
            combined.append(inst)
            continue
        values = _fill(inst.values, origin.values, inst.address, notes)
        combined.append(replace(inst, values=values if isinstance(values, dict) else inst.values,
                                file=origin.file, line=origin.line,
                                region=inst.region or origin.region))
    kind = f"{plan.kind}+source"
    return Inventory(tuple(combined), plan.region or source.region, plan.source, kind,
                     plan.notes + source.notes + tuple(notes)), notes


def _fill(planned: Any, source: Any, where: str, notes: list[str]) -> Any:
    if isinstance(planned, Unknown) or planned is _ABSENT:
        # A configured argument the source leaves out evaluated to null (`try(x, null)`):
        # the provider default applies, as Terraform itself would do at apply.
        return _ABSENT if source is _ABSENT else _tag(source)
    if isinstance(planned, dict) and isinstance(source, dict):
        merged: dict[str, Any] = {}
        for key in set(planned) | set(source):
            value = _fill(planned.get(key, _ABSENT), source.get(key, _ABSENT), f"{where}.{key}", notes)
            if value is not _ABSENT:
                merged[key] = value
        return merged
    if isinstance(planned, list) and isinstance(source, list) and len(planned) == len(source):
        return [_fill(p, s, f"{where}[{i}]", notes) for i, (p, s) in enumerate(zip(planned, source))]
    if (source is not _ABSENT and _is_known_scalar(planned) and _is_known_scalar(source)
            and planned != source and planned is not None):
        notes.append(f"{where}: plan has {planned!r}, source evaluates to {source!r}; using the plan")
    return planned


def _is_known_scalar(value: Any) -> bool:
    return isinstance(value, (str, int, float, bool))


def _tag(value: Any) -> Any:
    if isinstance(value, Ref):
        return Ref(value.address, value.attr, "source")
    if isinstance(value, list):
        return [_tag(v) for v in value]
    if isinstance(value, dict):
        return {k: _tag(v) for k, v in value.items()}
    return value


def find_source(plan_path: str, plan: Inventory, explicit: str | None, cwd: str | None = None) -> str | None:
    """--source DIR; else the plan's directory, then the current one, if their .tf files match."""
    if explicit:
        return explicit
    wanted = _plan_declarations(plan.instances)
    candidates = []
    if plan_path not in ("-", "<stdin>", ""):
        candidates.append(str(Path(plan_path).resolve().parent))
    candidates.append(str(Path(cwd or os.getcwd()).resolve()))
    for directory in dict.fromkeys(candidates):
        if wanted & _declarations(directory):
            return directory
    return None


def _plan_declarations(instances: Iterable[Instance]) -> set[str]:
    names = set()
    for inst in instances:
        if inst.module:
            names.add("module." + inst.module.split(".")[1].split("[")[0])
        else:
            names.add(inst.address.split("[")[0])
    return names


def _declarations(directory: str) -> set[str]:
    found: set[str] = set()
    try:
        entries = sorted(os.scandir(directory), key=lambda e: e.name)
    except OSError:
        return found
    for entry in entries:
        if not entry.name.endswith(".tf") or not entry.is_file():
            continue
        try:
            text = Path(entry.path).read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        for kind, first, second in _DECLARATION.findall(text):
            found.add(f"module.{first}" if kind == "module" else f"{first}.{second}")
    return found


def root_variables(plan_data: Mapping[str, Any]) -> dict[str, Any]:
    """The plan's root module input values, so the source evaluates exactly as planned."""
    variables = plan_data.get("variables")
    if not isinstance(variables, dict):
        return {}
    return {k: v.get("value") for k, v in variables.items() if isinstance(v, dict) and "value" in v}
