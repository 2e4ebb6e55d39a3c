"""Load stage entry point: what a PATH on the command line means, and what it yields.

A directory is Terraform source (HCL mode). A file is `terraform show -json` output; its
root module's source is read beside it by default (`--source DIR`, else the plan's own
directory or the current one when their `.tf` files declare the plan's resources), so
locals, dynamic blocks and null arguments resolve as Terraform resolves them.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from tfcheck.load.combine import PlanWants, combine, data_sources, find_source, root_variables
from tfcheck.load.inventory import build_inventory
from tfcheck.load.plan import PlanDoc, load_plan, module_resources
from tfcheck.model import Instance, Inventory


@dataclass(frozen=True, slots=True)
class SourceOptions:
    source: str | None = None  # --source DIR
    use_source: bool = True  # --no-source turns discovery off
    var_files: tuple[str, ...] = ()
    variables: tuple[tuple[str, str], ...] = ()
    # A plan read with its source compares every known value with the source (the
    # disagreements are --verbose notes); else the source fills only what the plan lacks.
    compare: bool = False


@dataclass(frozen=True, slots=True)
class Loaded:
    """An inventory and where its parts came from."""

    inventory: Inventory
    mode: str  # plan | state | hcl | plan+source | state+source
    source_dir: str | None = None
    comments: Mapping[str, list[str]] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    prior: PlanDoc | None = None  # an update plan's `prior_state`, as a state document
    document: PlanDoc | None = None  # the plan or state as read (run.py keeps it to the end)

    def updates(self) -> bool:
        """An update plan: its prior state holds managed resources (a create plan's holds at
        most the data sources it read)."""
        if self.prior is None:
            return False
        root = self.prior.data.get("values", {}).get("root_module")
        return any(r.get("mode") == "managed" for r in module_resources(root))

    def before(self) -> Inventory | None:
        """What stands before the change (an update plan's prior state), read on demand."""
        return build_inventory(self.prior) if self.prior is not None else None


def load_inventory(path: str | None, options: SourceOptions = SourceOptions()) -> Loaded:
    if path not in (None, "-") and os.path.isdir(str(path)):
        inventory, comments = _source(str(path), options, None)
        return Loaded(inventory, "hcl", str(path), comments, inventory.notes)
    doc = load_plan(path)
    inventory = build_inventory(doc)
    prior = prior_state(doc)
    if not options.use_source:
        return Loaded(inventory, inventory.kind, prior=prior, document=doc)
    directory = find_source(doc.path, inventory, options.source)
    if directory is None:
        return Loaded(inventory, inventory.kind, prior=prior, document=doc)
    wanted = PlanWants(inventory, options.compare)
    source, comments = _source(directory, options, root_variables(doc.data), data_sources(doc.data), wanted)
    combined, _ = combine(inventory, source, wanted.blocks)  # disagreements: in combined.notes
    return Loaded(combined, combined.kind, directory, comments, combined.notes, prior, doc)


def source_paths(paths: tuple[str, ...]) -> tuple[str, ...]:
    """PATHs with each Terraform source file (`.tf`, `.tf.json`, `.tfvars`) replaced by its
    directory, once: pre-commit passes the files a commit changes, tfcheck checks modules."""
    out: dict[str, None] = {}
    for path in paths:
        if path.endswith((".tf", ".tf.json", ".tfvars", ".tfvars.json")) and os.path.isfile(path):
            path = os.path.dirname(path) or "."
        out.setdefault(path, None)
    return tuple(out)


def prior_state(doc: PlanDoc) -> PlanDoc | None:
    """An update plan's `prior_state` as a state document (its values, the plan's configuration)."""
    prior = doc.data.get("prior_state") if doc.kind == "plan" else None
    if not isinstance(prior, Mapping) or not isinstance(prior.get("values"), Mapping):
        return None
    return PlanDoc(
        doc.path,
        {"format_version": "1.0", "values": prior["values"], "configuration": doc.data.get("configuration")},
        "state",
    )


def _source(
    directory: str,
    options: SourceOptions,
    root_variables: Mapping[str, Any] | None,
    data_sources: Mapping[str, Mapping[Any, Any]] | None = None,
    wanted: PlanWants | None = None,
) -> tuple[Inventory, dict[str, list[str]]]:
    """Evaluate HCL; file paths become relative to the current directory, as CI shows them."""
    # Imported only now: the HCL evaluator is most of tfcheck's own import time, and a plan
    # read without its source never needs it (docs/architecture.md, "The layer rule").
    from tfcheck.hcl.source import load_source_with_comments

    inventory, comments = load_source_with_comments(
        directory,
        options.var_files,
        dict(options.variables),
        os.environ,
        root_variables,
        data_sources,
        wanted,
    )
    shown: dict[str, str] = {}  # once per file, not per instance: a module has thousands
    instances = []
    for inst in inventory.instances:
        if inst.file:
            file = shown.get(inst.file)
            if file is None:
                file = shown[inst.file] = display_path(directory, inst.file)
            inst = Instance(
                inst.address,
                inst.type,
                inst.module,
                inst.key,
                inst.values,
                inst.region,
                file,
                inst.line,
                inst.action,
            )  # (the constructor: _replace costs 2.4 times as much)
        instances.append(inst)
    declared = {
        address: (shown.get(file) or shown.setdefault(file, display_path(directory, file)), line, region)
        for address, (file, line, region) in inventory.declared.items()
    }
    return replace(inventory, instances=tuple(instances), declared=declared), comments


def display_path(directory: str, file: str) -> str:
    full = os.path.normpath(os.path.join(directory, file))
    relative = os.path.relpath(full)
    return full if relative.startswith("..") else relative


def input_label(path: str | None) -> str:
    """How an input is named in findings and errors: its path, <stdin>, or $SHOWFILE's."""
    if path is None:
        return os.environ.get("SHOWFILE") or "$SHOWFILE"
    return "<stdin>" if path == "-" else path
