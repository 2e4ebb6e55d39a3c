"""Load stage entry point: what a PATH on the command line means, and what it yields.

A directory is Terraform source (HCL mode). A file is `terraform show -json` output; its
root module's source is read beside it by default (`--source DIR`, else the plan's own
directory or the current one when their `.tf` files declare the plan's resources), so
locals, dynamic blocks and null arguments resolve as Terraform resolves them.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from typing import Any, Mapping

from tfcheck.errors import InputError
from tfcheck.model import Inventory


@dataclass(frozen=True, slots=True)
class SourceOptions:
    source: str | None = None  # --source DIR
    use_source: bool = True  # --no-source turns discovery off
    var_files: tuple[str, ...] = ()
    variables: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class Loaded:
    """An inventory and where its parts came from."""

    inventory: Inventory
    mode: str  # plan | state | hcl | plan+source | state+source
    source_dir: str | None = None
    comments: Mapping[str, list[str]] = field(default_factory=dict)
    notes: tuple[str, ...] = ()


def load_inventory(path: str | None, options: SourceOptions = SourceOptions()) -> Loaded:
    from tfcheck.load.plan import load_plan
    from tfcheck.load.inventory import build_inventory

    if path not in (None, "-") and os.path.isdir(str(path)):
        inventory, comments = _source(str(path), options, None)
        return Loaded(inventory, "hcl", str(path), comments, inventory.notes)
    doc = load_plan(path)
    inventory = build_inventory(doc)
    if not options.use_source:
        return Loaded(inventory, inventory.kind)
    from tfcheck.load.combine import combine, data_sources, find_source, root_variables

    directory = find_source(doc.path, inventory, options.source)
    if directory is None:
        return Loaded(inventory, inventory.kind)
    source, comments = _source(directory, options, root_variables(doc.data),
                               data_sources(doc.data))
    combined, _ = combine(inventory, source)  # its disagreements are in combined.notes
    return Loaded(combined, combined.kind, directory, comments, combined.notes)


def _source(directory: str, options: SourceOptions, root_variables: Mapping[str, Any] | None,
            data_sources: Mapping[str, Mapping[Any, Any]] | None = None,
            ) -> tuple[Inventory, dict[str, list[str]]]:
    """Evaluate HCL; file paths become relative to the current directory, as CI shows them."""
    from tfcheck.hcl.source import load_source_with_comments

    inventory, comments = load_source_with_comments(
        directory, options.var_files, dict(options.variables), os.environ, root_variables,
        data_sources)
    instances = tuple(
        replace(inst, file=_display(directory, inst.file)) if inst.file else inst
        for inst in inventory.instances
    )
    return replace(inventory, instances=instances), comments


def _display(directory: str, file: str) -> str:
    full = os.path.normpath(os.path.join(directory, file))
    relative = os.path.relpath(full)
    return full if relative.startswith("..") else relative


def load_graph(path: str | None, graph_options: Any = None,
               options: SourceOptions = SourceOptions()) -> tuple[dict[str, Any], Loaded]:
    """PATH → the graph dict the policies query, and how it was loaded."""
    from tfcheck.graph.build import build_graph

    try:
        loaded = load_inventory(path, options)
        graph = build_graph(loaded.inventory, graph_options).to_dict()
    except RecursionError:
        # Real plans nest a few dozen levels; walking the document beforehand to refuse
        # deeper ones cost 18% of json.loads on every run, so the stages catch it instead.
        raise InputError(input_label(path), "is nested too deeply to be a Terraform plan or "
                         "configuration") from None
    graph["summary"]["mode"] = loaded.mode
    graph["summary"]["source_dir"] = _display(loaded.source_dir, ".") if loaded.source_dir else None
    return graph, loaded


def input_label(path: str | None) -> str:
    """How an input is named in findings and errors: its path, <stdin>, or $SHOWFILE's."""
    if path is None:
        return os.environ.get("SHOWFILE") or "$SHOWFILE"
    return "<stdin>" if path == "-" else path
