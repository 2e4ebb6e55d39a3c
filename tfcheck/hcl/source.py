"""Evaluate a directory of Terraform HCL into an `Inventory(kind="hcl")`, like a plan would.

Root variables follow Terraform's precedence; modules come from local paths or from
`.terraform/modules/modules.json`; instances get the addresses Terraform prints.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Protocol

from tfcheck.errors import InputError
from tfcheck.hcl.blocks import key_order
from tfcheck.hcl.budget import Refused
from tfcheck.hcl.loader import Loader
from tfcheck.hcl.module import ModuleInstance
from tfcheck.hcl.parse import traversal_text
from tfcheck.hcl.variables import root_inputs
from tfcheck.model import Instance, Inventory, Key, Unknown


def load_source(
    directory: str,
    var_files: Iterable[str] = (),
    vars: Mapping[str, str] = {},
    env: Mapping[str, str] = os.environ,
    root_variables: Mapping[str, Any] | None = None,
    data_sources: Mapping[str, Mapping[Any, Any]] | None = None,
) -> Inventory:
    """Every managed resource instance the configuration in `directory` declares."""
    return load_source_with_comments(directory, var_files, vars, env, root_variables, data_sources)[0]


def load_source_with_comments(
    directory: str,
    var_files: Iterable[str] = (),
    vars: Mapping[str, str] = {},
    env: Mapping[str, str] = os.environ,
    root_variables: Mapping[str, Any] | None = None,
    data_sources: Mapping[str, Mapping[Any, Any]] | None = None,
    wanted: Wanted | None = None,
) -> tuple[Inventory, dict[str, list[str]]]:
    """The inventory, and for each instance address the comments above/on its block line.

    The comments feed `# tfcheck:ignore RULE reason` suppressions; one parse serves both.
    `root_variables` and `data_sources` come from a plan read with its source: the values
    Terraform itself used (combine.root_variables, combine.data_sources). `wanted` says
    which instances and which of their values to evaluate (all the source declares, when
    None): a plan beside the source already knows most of them (combine.PlanWants).
    """
    if not os.path.isdir(directory):
        raise InputError(directory, "no such directory; give the directory of the root module")
    var_files = list(var_files)
    # Parsing builds millions of small acyclic objects (Lark trees) that live until the end;
    # the cyclic collector would rescan them again and again (about 40% of the load time).
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _load(directory, var_files, dict(vars), env, root_variables, data_sources, wanted)
    except RecursionError:
        raise InputError(directory, "the configuration is nested too deeply to evaluate") from None
    except Refused as exc:  # evaluation refusals are caught per argument; this is a safety net
        raise InputError(directory, f"tfcheck refused to evaluate this configuration: {exc}") from None
    except InputError as exc:
        given = exc.path in var_files or exc.path.startswith(("--var", "TF_VAR_"))
        if given or os.path.isabs(exc.path):
            raise
        shown = os.path.normpath(os.path.join(directory, exc.path))  # as the user named it
        raise InputError(shown, exc.message) from None
    finally:
        if collecting:
            gc.enable()


def _load(
    directory: str,
    var_files: list[str],
    cli_vars: dict[str, str],
    env: Mapping[str, str],
    root_variables: Mapping[str, Any] | None,
    data_sources: Mapping[str, Mapping[Any, Any]] | None,
    wanted: Wanted | None,
) -> tuple[Inventory, dict[str, list[str]]]:
    root = os.path.abspath(directory)
    loader = Loader(root, env, data_sources)
    config = loader.config(root)
    if any(n.endswith(".tf.json") for n in os.listdir(root)):
        loader.note("*.tf.json files (JSON syntax) are not read by tfcheck")
    inputs = root_inputs(loader, config, var_files, cli_vars, env, root_variables)
    base = {"aws": loader.env_region}
    instance = ModuleInstance(loader, config, "", "", inputs, base)
    found: list[tuple[tuple[Any, ...], Instance]] = []
    comments: dict[str, list[str]] = {}
    declared: dict[str, tuple[str, int, str | None]] = {}
    _collect(instance, (), found, comments, declared, wanted)
    found.sort(key=lambda pair: pair[0])
    region = instance.providers.get("aws")
    inventory = Inventory(
        tuple(i for _, i in found),
        region if isinstance(region, str) else None,
        directory,
        kind="hcl",
        notes=tuple(loader.notes),
        refused=tuple(loader.refused),
        declared=declared,
    )
    return inventory, comments


def _collect(
    instance: Any,
    order: tuple[Any, ...],
    found: list[tuple[tuple[Any, ...], Instance]],
    comments: dict[str, list[str]],
    declared: dict[str, tuple[str, int, str | None]],
    wanted: Wanted | None,
) -> None:
    loader = instance.loader
    for (kind, name), block in instance.config.resources.items():
        every, ids, provider = _shape(loader, instance, block, kind, name)
        provided = instance.providers.get(provider)
        provided = provided if isinstance(provided, str) else None
        address = instance.resource_address(kind, name, None)
        todo = _todo(instance, address, kind, name, block, every, ids, wanted)
        if todo is None:  # the plan's instances, of which nothing is to be evaluated: one record
            declared[address] = (block.file, block.line, provided)
            for key in wanted.keys(address) if block.comments and wanted else ():
                comments[instance.resource_address(kind, name, key)] = list(block.comments)
            continue
        for key, names, attrs in todo:
            full = instance.resource_address(kind, name, key)
            values: dict[str, Any] = {}
            for attr in attrs:
                value = instance.instance_value(kind, name, key, names, attr)
                if value is not None:
                    values[attr] = value
            values = _as_planned(values)
            own = values.get("region")  # provider 6.x: a resource's own Region wins
            region = own if isinstance(own, str) else provided
            found.append(
                (
                    (order, 0, kind, name, key_order(key)),
                    Instance(full, kind, instance.address, key, values, region, block.file, block.line),
                )
            )
            if block.comments:
                comments[full] = list(block.comments)
    for name, call in instance.config.calls.items():
        children = instance.children(name)
        if isinstance(children, Unknown):
            where = instance.resource_address("module", name, None)
            loader.note(f"{call.file}:{call.line}: {where}: {children.reason}; its resources are left out")
            continue
        for key, child in children:
            _collect(child, order + ((1, name, key_order(key)),), found, comments, declared, wanted)


class Wanted(Protocol):
    """What a plan read with its source asks of it (load/combine.py `PlanWants`)."""

    def keys(self, resource: str) -> Sequence[Key]:
        """The plan's instance keys of the resource block at `resource` (`module.m["a"].aws_x.y`)."""
        ...

    def asked(
        self, resource: str, names: Sequence[str], ids: Mapping[str, bool]
    ) -> list[tuple[Key, list[str]]]:
        """The plan's instance keys of the block at `resource`, each with which of the block's
        configured `names` to evaluate; `ids[name]`: its expression is a plain reference to
        resources' ids (shapes.py)."""
        ...


def _todo(
    instance: Any,
    address: str,
    kind: str,
    name: str,
    block: Any,
    every: tuple[str, ...],
    ids: Mapping[str, bool],
    wanted: Wanted | None,
) -> list[tuple[Key, dict[str, Any], Sequence[str]]] | None:
    """The instances of a block to record: key, the names its expressions see (count, each)
    and which of its values to evaluate. HCL mode: every instance, all of it. A plan read with
    its source: the plan's instances, each for what the plan lacks; the block is expanded
    only when something is to be evaluated, and None when nothing is (a file:line needs no
    evaluation: the block is then recorded once, not per instance). `address`: the block's."""
    loader = instance.loader
    if wanted is None:
        keys = instance.expansion(kind, name)
        if isinstance(keys, Unknown):
            loader.note(f"{block.file}:{block.line}: {address}: {keys.reason}; its instances are left out")
            return []
        return [(key, names, every) for key, names in keys]
    asked = wanted.asked(address, every, ids)
    if not any(attrs for _, attrs in asked):
        return None if asked else []
    keys = instance.expansion(kind, name)
    if isinstance(keys, Unknown):
        loader.note(f"{block.file}:{block.line}: {address}: {keys.reason}; the plan's values stand")
        return [(key, {}, ()) for key, _ in asked]
    expanded = dict(keys)
    return [(key, expanded.get(key, {}), attrs if key in expanded else ()) for key, attrs in asked]


# Number-typed provider arguments the graph reads. A value that reaches them as a string
# (`from_port` out of a list(map(string)) variable, as security-group modules pass rules)
# is converted by Terraform before the plan; the plan would show a number.
_NUMBERS = frozenset({"from_port", "to_port"})


def _as_planned(value: Any) -> Any:
    if isinstance(value, list):
        return [_as_planned(v) for v in value]
    if isinstance(value, dict):
        return {
            k: int(v) if k in _NUMBERS and isinstance(v, str) and _is_int(v) else _as_planned(v)
            for k, v in value.items()
        }
    return value


def _is_int(text: str) -> bool:
    return text.strip().lstrip("-").isdigit()


def _shape(
    loader: Any, instance: Any, block: Any, kind: str, name: str
) -> tuple[tuple[str, ...], dict[str, bool], str]:
    """What a resource block configures, which of it names ids (shapes.py), and its provider
    configuration's key: read once per block, though a module has many instances."""
    found = loader.shapes.get(id(block))
    if found is None:
        every = instance.instance_names(kind, name)
        ids = {a: loader.names_ids(block.attributes[a]) for a in every if a in block.attributes}
        provider = block.attributes.get("provider")
        key = traversal_text(provider.expr) if provider is not None else kind.split("_")[0]
        found = loader.shapes[id(block)] = (every, ids, key or "")
    return found
