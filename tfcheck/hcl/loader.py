"""Module directories read once per run: declarations grouped by kind, compiled expressions.

Also where a module call's code lives (a local path, or `.terraform/modules/modules.json`
after `terraform init`) and the notes the evaluation leaves for the report.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from tfcheck.errors import InputError
from tfcheck.hcl.boundary import OUTSIDE, Boundary
from tfcheck.hcl.budget import Budget, Refused
from tfcheck.hcl.expr import Expr, Scope, compile_expr
from tfcheck.hcl.functions.files import file_functions
from tfcheck.hcl.functions.table import FUNCTIONS
from tfcheck.hcl.parse import Attribute, Block, load_module_dir
from tfcheck.hcl.shapes import names_instance_ids
from tfcheck.hcl.types import ANY, Type, parse_type
from tfcheck.hcl.values import EvalError


@dataclass(slots=True)
class ModuleConfig:
    """A module directory's declarations, parsed once however many instances it has."""

    directory: str
    rel: str
    variables: dict[str, Block] = field(default_factory=dict)
    locals: dict[str, Attribute] = field(default_factory=dict)
    resources: dict[tuple[str, str], Block] = field(default_factory=dict)
    data: dict[tuple[str, str], Block] = field(default_factory=dict)
    calls: dict[str, Block] = field(default_factory=dict)
    outputs: dict[str, Block] = field(default_factory=dict)
    providers: list[Block] = field(default_factory=list)


_LABELS = {"resource": 2, "data": 2, "module": 1, "variable": 1, "output": 1, "provider": 1, "locals": 0}


class Loader:
    """State shared by every module instance: parsed configs, compiled expressions, notes."""

    def __init__(
        self, root: str, env: Mapping[str, str], data_sources: Mapping[str, Mapping[Any, Any]] | None = None
    ) -> None:
        self.root = root
        self.env = env
        # Data source instances a plan has read: "module.a.data.aws_region.current" -> {key: values}
        self.data_sources = data_sources or {}
        self.notes: list[str] = []
        self.refused: list[str] = []  # the notes of refusals (budget.Refused), for the summary
        self._noted: set[str] = set()
        self.boundary = Boundary(root)  # what the configuration may read
        self.budget = Budget()  # what its evaluation may cost
        self.functions = {**FUNCTIONS, **file_functions(self.boundary, root, self.budget)}
        self._configs: dict[str, ModuleConfig] = {}
        self._compiled: dict[int, Expr] = {}
        self._shapes: dict[int, bool] = {}
        # A block's names, their shapes and its provider key, by id (hcl/source.py `_shape`).
        self.shapes: dict[int, tuple[tuple[str, ...], dict[str, bool], str]] = {}
        self._installed: dict[str, str] | None = None
        # The AWS provider's own fallback when a provider block sets no region.
        self.env_region = env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or None

    def note(self, text: str) -> None:
        if text not in self._noted:
            self._noted.add(text)
            self.notes.append(text)

    def refuse(self, text: str) -> None:
        """A note about a refusal: evaluation budget exceeded, a file outside the configuration."""
        if text not in self._noted:
            self.refused.append(text)
        self.note(text)

    def names_ids(self, attr: Attribute) -> bool:
        """shapes.names_instance_ids of an argument, read once per argument of a module."""
        found = self._shapes.get(id(attr.expr))
        if found is None:
            found = self._shapes[id(attr.expr)] = names_instance_ids(attr.expr)
        return found

    def compiled(self, attr: Attribute) -> Expr:
        expr = self._compiled.get(id(attr.expr))
        if expr is None:
            try:
                expr = compile_expr(attr.expr)
            except (EvalError, LookupError, ValueError, AttributeError, TypeError) as exc:
                message = f"tfcheck cannot read this expression: {exc}"

                def expr(scope: Scope) -> Any:
                    raise EvalError(message)

            self._compiled[id(attr.expr)] = expr
        return expr

    def config(self, directory: str) -> ModuleConfig:
        directory = os.path.normpath(directory)
        if directory not in self._configs:
            self._configs[directory] = self._read(directory)
        return self._configs[directory]

    def _read(self, directory: str) -> ModuleConfig:
        rel = os.path.relpath(directory, self.root).replace(os.sep, "/")
        config = ModuleConfig(directory, rel)
        for block in load_module_dir(directory, self.root, self.boundary, self.budget):
            wanted = _LABELS.get(block.type)
            if wanted is not None and len(block.labels) != wanted:
                raise InputError(
                    block.file,
                    f'line {block.line}: a "{block.type}" block takes '
                    f"{wanted} label{'s' if wanted > 1 else ''}, not "
                    f"{len(block.labels)}",
                )
            name = block.labels[0] if block.labels else ""
            if block.type == "variable":
                config.variables[name] = block
            elif block.type == "locals":
                config.locals.update(block.attributes)
            elif block.type == "resource" and len(block.labels) == 2:
                config.resources[(block.labels[0], block.labels[1])] = block
            elif block.type == "data" and len(block.labels) == 2:
                config.data[(block.labels[0], block.labels[1])] = block
            elif block.type == "module":
                config.calls[name] = block
            elif block.type == "output":
                config.outputs[name] = block
            elif block.type == "provider":
                config.providers.append(block)
        return config

    def module_dir(self, parent: ModuleConfig, key_path: str, source: str | None) -> str | None:
        """Where a module call's code is: a local path, or where `terraform init` put it.

        `Refused` when that directory lies outside the configuration (boundary.py)."""
        if source and source.startswith(("./", "../")):
            directory: str | None = os.path.join(parent.directory, source)
            if not os.path.isdir(str(directory)):
                return None
        else:
            if self._installed is None:
                self._installed = _installed_modules(self.root)
            found = self._installed.get(key_path)
            directory = os.path.join(self.root, found) if found is not None else None
        if directory is not None and not self.boundary.inside(directory):
            raise Refused(f"module source {OUTSIDE}")
        return directory


class Constants:
    """The context of a type default, a .tfvars value or a `-var`: no names, no functions."""

    functions: dict[str, Any] = {}

    def __init__(self, budget: Budget | None = None) -> None:
        self.budget = budget or Budget()

    def root(self, name: str) -> Any:
        raise EvalError(f'"{name}": variables are not allowed here, only literal values')


def variable_type(decl: Block, note: Callable[[str], None]) -> Type:
    attr = decl.attributes.get("type")
    if attr is None:
        return ANY
    try:
        return parse_type(attr.expr, lambda tree: compile_expr(tree)(Scope(Constants())))
    except (EvalError, Refused, LookupError, ValueError, TypeError, AttributeError) as exc:
        note(f"{attr.file}:{attr.line}: variable type not understood: {exc}")
        return ANY


def _installed_modules(root: str) -> dict[str, str]:
    path = os.path.join(root, ".terraform", "modules", "modules.json")
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
        return {str(m["Key"]): str(m["Dir"]) for m in data.get("Modules", []) if m.get("Key")}
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return {}
