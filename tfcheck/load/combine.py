"""Load stage: a plan and its HCL source read together (domain spec section 2).

A plan knows which instances exist and every value known before apply; the source knows
locals, dynamic blocks, null arguments and the known parts of partly-unknown values. Known
plan values always win; the source fills only what the plan leaves unknown or unconfigured.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from tfcheck.load.data_sources import state_data_sources
from tfcheck.model import NOT_INSTALLED, Instance, Inventory, Key, Ref, Unknown, block_address

_ABSENT = object()
# Reasons a plan gives where only the source knows more (plan_inventory, references).
_SOURCE_REASONS = frozenset({"local", "dynamic block", "each.value not resolvable"})
_NOT_INSTALLED = re.compile(r": (module\.\S+): module not installed: run terraform init;")
# Labels may be quoted or bare names (`resource aws_vpc main {` is valid HCL).
_DECLARATION = re.compile(
    r'^[ \t]*(resource|module)[ \t]+"?([A-Za-z_][\w-]*)"?(?:[ \t]+"?([A-Za-z_][\w-]*)"?)?[ \t]*\{',
    re.MULTILINE,
)


def combine(
    plan: Inventory, source: Inventory, blocks: Sequence[str] | None = None
) -> tuple[Inventory, list[str]]:
    """The plan's instances with unknown values filled from the source; and disagreements.

    A source evaluated only where the plan does not know its values (`PlanWants`) gives the
    same instances, without the disagreements over known values (--verbose lists them);
    `blocks`, each plan instance's resource block address, are PlanWants' when given."""
    by_address = {inst.address: inst for inst in source.instances}
    missing = [m.group(1) for m in map(_NOT_INSTALLED.search, source.notes) if m]
    notes: list[str] = []
    combined = []
    for inst, block in zip(plan.instances, map(block_address, plan.instances) if blocks is None else blocks):
        origin = by_address.get(inst.address)
        if origin is not None:
            given, (file, line, region) = origin.values, (origin.file, origin.line, origin.region)
        elif (found := source.declared.get(block)) is not None:
            given, (file, line, region) = {}, found  # the source evaluated nothing of it
        else:
            if any(inst.address.startswith((call + ".", call + "[")) for call in missing):
                # The source cannot say more without the module's code: say how to get it.
                inst = inst._replace(values=_retag(inst.values))
            combined.append(inst)
            continue
        values = _fill_values(inst.values, given, inst.address, notes)
        # (the constructor, not _replace, which costs 2.4 times as much: 16,000 instances)
        combined.append(
            Instance(
                inst.address,
                inst.type,
                inst.module,
                inst.key,
                values,
                inst.region or region,
                file,
                line,
                inst.action,
            )
        )
    kind = f"{plan.kind}+source"
    return Inventory(
        tuple(combined),
        plan.region or source.region,
        plan.source,
        kind,
        plan.notes + source.notes + tuple(notes),
        source.refused,
    ), notes


class PlanWants:
    """What the source is asked for when it is read beside a plan (hcl.source.Wanted): the
    plan's instances, and of each the arguments the plan does not know all through.

    Evaluating only those is what keeps a plan + source run close to a plan-only one: most
    arguments are known before apply, and the most common unknown one, `x = aws_y.z.id`
    (a plain reference to ids, hcl/shapes.py), the plan has already read as the very Ref the
    source would give. With `compare` (--verbose) every argument is evaluated, to list where
    the source disagrees with the plan.
    """

    def __init__(self, plan: Inventory, compare: bool = False) -> None:
        # By resource block: the source asks once per block, not once per instance.
        self._blocks: dict[str, list[tuple[Key, Mapping[str, Any]]]] = {}
        self.blocks: list[str] = []  # each plan instance's block, in order (for combine)
        for inst in plan.instances:
            block = block_address(inst)
            self.blocks.append(block)
            self._blocks.setdefault(block, []).append((inst.key, inst.values))
        self._compare = compare

    def keys(self, resource: str) -> list[Key]:
        return [key for key, _ in self._blocks.get(resource, ())]

    def asked(
        self, resource: str, names: Sequence[str], ids: Mapping[str, bool]
    ) -> list[tuple[Key, list[str]]]:
        if self._compare:
            return [(key, list(names)) for key, _ in self._blocks.get(resource, ())]
        return [(key, _unsettled(values, names, ids)) for key, values in self._blocks.get(resource, ())]


def _unsettled(values: Mapping[str, Any], names: Sequence[str], ids: Mapping[str, bool]) -> list[str]:
    """Which of an instance's configured `names` the plan does not know all through."""
    out = []
    for name in names:
        value = values.get(name, _ABSENT)
        kind = type(value)
        if kind is str or kind is bool or kind is int or value is None:
            continue  # known (what _settled says first, without the call: 16,000 instances)
        if kind is Ref:  # not settled; a plain reference to ids is read as the source would
            if not ids.get(name):  # (what the test below says of it, without two calls)
                out.append(name)
            continue
        if value is _ABSENT or not (_settled(value) or (ids.get(name) and _flat_refs(value))):
            out.append(name)
    return out


def _fill_values(
    planned: Mapping[str, Any], source: Mapping[str, Any], where: str, notes: list[str]
) -> Mapping[str, Any]:
    """An instance's values: `_fill` of each argument, without walking the ones the source
    leaves out (where `_fill` keeps the planned value, or drops an unknown one: null)."""
    if not source:  # the source evaluated nothing here: most instances of a plan
        # An inventory's unknowns are plain Unknowns (the evaluator finalizes its NotNull),
        # so a scan of the types in C tells whether there is anything to drop; values are
        # frozen data, so the planned mapping itself can be kept (16,000 copies saved).
        if Unknown not in map(type, planned.values()):
            return planned
        return {key: mine for key, mine in planned.items() if not isinstance(mine, Unknown)}
    merged: dict[str, Any] = {}
    for key, mine in planned.items():
        theirs = source.get(key, _ABSENT)
        if theirs is _ABSENT:
            if not isinstance(mine, Unknown):
                merged[key] = mine
            continue
        value = _fill(mine, theirs, f"{where}.{key}", notes)
        if value is not _ABSENT:
            merged[key] = value
    for key, theirs in source.items():
        if key not in planned:
            merged[key] = _tag(theirs)
    return merged


def _settled(value: Any) -> bool:
    """Known all through: no Unknown and no Ref the plan resolved from its configuration."""
    kind = type(value)
    if kind is str or kind is bool or kind is int or kind is float or value is None:
        return True  # (the common case first: this runs for every argument of a plan)
    if kind is list:
        return all(_settled(v) for v in value)
    if kind is dict:
        return all(_settled(v) for v in value.values())
    return not isinstance(value, (Unknown, Ref))


def _fill(planned: Any, source: Any, where: str, notes: list[str]) -> Any:
    if isinstance(planned, Unknown) or planned is _ABSENT:
        # A configured argument the source leaves out evaluated to null (`try(x, null)`):
        # the provider default applies, as Terraform itself would do at apply.
        return _ABSENT if source is _ABSENT else _tag(source)
    if isinstance(planned, Ref) and isinstance(source, dict) and _holds(source, planned):
        # The plan's configuration lists only an expression's references, so a partly
        # unknown `jsonencode({... Resource = aws_x.y.arn})` reads there as that one reference;
        # the source kept the structure around it (an IAM policy's actions).
        return _tag(source)
    if isinstance(planned, dict) and isinstance(source, dict):
        merged: dict[str, Any] = {}
        for key in [*planned, *(k for k in source if k not in planned)]:
            value = _fill(planned.get(key, _ABSENT), source.get(key, _ABSENT), f"{where}.{key}", notes)
            if value is not _ABSENT:
                merged[key] = value
        return merged
    if isinstance(planned, list) and isinstance(source, list) and len(planned) == len(source):
        paired = _pair(planned, source)
        return [_fill(p, s, f"{where}[{i}]", notes) for i, (p, s) in enumerate(zip(planned, paired))]
    if _from_configuration(planned) and _decides(source) and not _same_refs(planned, source):
        # What the plan resolved from its configuration's reference lists is a reading of
        # the expression; the source evaluated it. Known plan values are never replaced.
        return _tag(source)
    if (
        source is not _ABSENT
        and _is_known_scalar(planned)
        and _is_known_scalar(source)
        and _text(planned) != _text(source)
        and not _same_json(planned, source)
    ):
        notes.append(f"{where}: plan has {planned!r}, source evaluates to {source!r}; using the plan")
    return planned


def _from_configuration(value: Any) -> bool:
    """Built wholly from `configuration` references (Refs, Unknowns): a list holding a known
    planned element has the length Terraform planned, and keeps it."""
    if isinstance(value, (Ref, Unknown)):
        return True
    if isinstance(value, list) and value:
        return all(_from_configuration(v) for v in value)
    if isinstance(value, dict) and value:
        return all(_from_configuration(v) for v in value.values())
    return False


def _decides(source: Any) -> bool:
    """The source evaluated something: a value, or a structure, not one whole Unknown."""
    return source is not _ABSENT and not isinstance(source, Unknown)


def _same_refs(planned: Any, source: Any) -> bool:
    """Both name the same attributes (`[aws_sg.a.id]` resolved by the plan to one Ref)."""
    left, right = _flat_refs(planned), _flat_refs(source)
    return left is not None and left == right


def _flat_refs(value: Any) -> list[tuple[str, str]] | None:
    """The Refs of a Ref or a list of them, in order; None if it holds anything else."""
    if isinstance(value, Ref):
        return [(value.address, value.attr)]
    if isinstance(value, list):
        out: list[tuple[str, str]] = []
        for item in value:
            refs = _flat_refs(item)
            if refs is None:
                return None
            out.extend(refs)
        return out
    return None


def _holds(value: Any, ref: Ref) -> bool:
    """Whether a structure the source evaluated holds `ref` (or an Unknown built from it)."""
    if isinstance(value, Ref):
        return value.address == ref.address and value.attr == ref.attr
    if isinstance(value, Unknown):
        return any(r.address == ref.address for r in value.refs)
    items = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
    return any(_holds(v, ref) for v in items)


def _pair(planned: list[Any], source: list[Any]) -> list[Any]:
    """The source element for each planned one. Nested blocks that are sets (`ingress` of a
    network ACL) plan in the provider's order, not the configuration's: match blocks by
    their known arguments, and fall back to position."""
    if (
        len(source) < 2  # one block, or none: nothing to choose between
        or len(planned) > 64
        or not all(isinstance(p, dict) for p in planned)
        or not all(isinstance(s, dict) for s in source)
    ):
        return source  # (a block list that long is no set of rules a provider reorders)
    left = list(range(len(source)))
    out = []
    for i, item in enumerate(planned):
        best = max(left, key=lambda j: (_agreement(item, source[j]), j == i, -j))
        left.remove(best)
        out.append(source[best])
    return out


def _agreement(planned: dict[str, Any], source: dict[str, Any]) -> int:
    score = 0
    for key, value in planned.items():
        other = source.get(key, _ABSENT)
        if _is_known_scalar(value) and _is_known_scalar(other):
            score += 1 if _text(value) == _text(other) else -1
    return score


def _is_known_scalar(value: Any) -> bool:
    return isinstance(value, (str, int, float, bool))


def _same_json(planned: Any, source: Any) -> bool:
    """Providers normalize JSON arguments (IAM policies): equal documents are no disagreement."""
    if not (isinstance(planned, str) and isinstance(source, str)):
        return False
    if not planned.lstrip().startswith(("{", "[")):
        return False
    try:
        return bool(json.loads(planned) == json.loads(source))
    except (ValueError, RecursionError):
        return False


def _text(value: str | int | float | bool) -> str:
    """Terraform converts a primitive to the attribute's type: `cpu = 256` plans as "256"."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _retag(value: Any) -> Any:
    if isinstance(value, Unknown) and value.reason in _SOURCE_REASONS:
        return Unknown(NOT_INSTALLED, value.refs)
    if isinstance(value, list):
        return [_retag(v) for v in value]
    if isinstance(value, dict):
        return {k: _retag(v) for k, v in value.items()}
    return value


def _tag(value: Any) -> Any:
    if isinstance(value, Ref):
        return Ref(value.address, value.attr, "source")
    if isinstance(value, list):
        return [_tag(v) for v in value]
    if isinstance(value, dict):
        return {k: _tag(v) for k, v in value.items()}
    return value


def find_source(plan_path: str, plan: Inventory, explicit: str | None, cwd: str | None = None) -> str | None:
    """--source DIR; else the plan's directory, then the current one, if their .tf files match.

    A directory matches when its `.tf` files declare every root resource and module call
    the plan has instances of: a stack beside the plan that merely shares a name is not
    the plan's source, and evaluating it would fill unknowns with another stack's values.
    """
    if explicit:
        return explicit
    wanted = _plan_declarations(plan.instances)
    if not wanted:
        return None
    candidates = []
    if plan_path not in ("-", "<stdin>", ""):
        candidates.append(str(Path(plan_path).resolve().parent))
    candidates.append(str(Path(cwd or os.getcwd()).resolve()))
    for directory in dict.fromkeys(candidates):
        if wanted <= _declarations(directory):
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


def data_sources(plan_data: Mapping[str, Any]) -> dict[str, dict[Any, Any]]:
    """Data source instances the plan read (its `prior_state`), by address without the key.

    With them the source evaluates `data.aws_partition.current.partition` or a remote
    state's outputs as Terraform did; a data source read only at apply is not there.
    """
    out: dict[str, dict[Any, Any]] = {}
    for resource in state_data_sources(plan_data):
        address, key, found = resource["address"], resource.get("index"), resource.get("values")
        if not isinstance(found, dict):
            continue
        if isinstance(key, bool) or not isinstance(key, (int, str)):
            key = None
        base = address[: address.rfind("[")] if key is not None and address.endswith("]") else address
        out.setdefault(base, {})[key] = found
    return out
