"""Root module variable values, gathered the way `terraform plan` does.

Precedence, lowest first: `default`, `TF_VAR_name`, `terraform.tfvars(.json)`,
`*.auto.tfvars(.json)` in lexical order, `--var-file` files, `--var name=value`; a plan's
`variables` section (`root_variables`) overrides them all, since it is what Terraform used.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping
from typing import Any

from tfcheck.errors import InputError
from tfcheck.hcl.boundary import Boundary
from tfcheck.hcl.budget import Budget, Refused
from tfcheck.hcl.expr import Scope, compile_expr
from tfcheck.hcl.loader import Constants, Loader, ModuleConfig, variable_type
from tfcheck.hcl.module import MISSING
from tfcheck.hcl.parse import parse_expression, parse_tfvars, read_source
from tfcheck.hcl.types import is_primitive
from tfcheck.hcl.values import EvalError, is_known


def _constant(tree: Any, where: str, prefix: str = "") -> Any:
    try:
        value = compile_expr(tree)(Scope(Constants()))
    except (EvalError, Refused, LookupError, ValueError, TypeError, AttributeError) as exc:
        raise InputError(where, f"{prefix}not a literal value: {exc}") from None
    if not is_known(value):
        raise InputError(where, f"{prefix}only literal values are allowed here")
    return value


def root_inputs(
    loader: Loader,
    config: ModuleConfig,
    var_files: list[str],
    cli_vars: dict[str, str],
    env: Mapping[str, str],
    root_variables: Mapping[str, Any] | None,
) -> Callable[[str], Any]:
    """A function from a root variable's name to its value, or MISSING (use the default)."""
    texts: dict[str, tuple[str, str]] = {}  # name -> (where, text) for TF_VAR_ and --var
    values: dict[str, Any] = {}
    for key, text in env.items():
        if key.startswith("TF_VAR_") and key[7:]:
            texts[key[7:]] = (key, text)
    files = [
        f
        for f in ("terraform.tfvars", "terraform.tfvars.json")
        if os.path.isfile(os.path.join(loader.root, f))
    ]
    files += sorted(
        f
        for f in os.listdir(loader.root)
        if f.endswith((".auto.tfvars", ".auto.tfvars.json")) and os.path.isfile(os.path.join(loader.root, f))
    )
    if root_variables is not None and set(config.variables) <= set(root_variables):
        files = []  # the plan holds what Terraform made of them: no need to read them again
    paths = [os.path.join(loader.root, f) for f in files] + list(var_files)
    for path in paths:
        display = os.path.relpath(path, loader.root) if path.startswith(loader.root) else path
        # A file the configuration holds must stay inside it; one named outside it on the
        # command line is the operator's choice (but still only a regular file).
        inside = path not in var_files or loader.boundary.inside(os.path.dirname(os.path.abspath(path)))
        boundary = loader.boundary if inside else Boundary("/")
        for name, value in _read_var_file(
            path, display.replace(os.sep, "/"), boundary, loader.budget
        ).items():
            texts.pop(name, None)
            values[name] = value
    for name, text in cli_vars.items():
        values.pop(name, None)
        texts[name] = (f"--var {name}=...", text)
    for name, (where, text) in texts.items():
        decl = config.variables.get(name)
        if decl is None:
            continue
        kind = variable_type(decl, loader.note)
        if "type" not in decl.attributes or is_primitive(kind):
            values[name] = text  # Terraform takes these literally
        else:
            try:
                tree = parse_expression(text, where)
            except InputError as exc:
                raise InputError(where, f"not a valid value for variable {name}: {exc.message}") from None
            values[name] = _constant(tree, where)
    values.update(root_variables or {})  # name -> value, as combine.root_variables() gives
    return lambda name: values.get(name, MISSING)


def _read_var_file(path: str, display: str, boundary: Boundary, budget: Budget) -> dict[str, Any]:
    if not os.path.isfile(path):
        raise InputError(display, "no such variables file")
    if path.endswith(".json"):
        text = read_source(path, display, boundary, budget)
        try:
            data = json.loads(text)
        except (ValueError, RecursionError) as exc:
            raise InputError(display, f"cannot read the JSON variables file: {exc}") from None
        if not isinstance(data, dict):
            raise InputError(display, "a JSON variables file must hold one object")
        return data
    return {
        name: _constant(attr.expr, display, f"line {attr.line}: {name}: ")
        for name, attr in parse_tfvars(path, display, boundary, budget).items()
    }
