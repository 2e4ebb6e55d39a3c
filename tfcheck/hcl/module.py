"""One module instance being evaluated: its variables, locals, resources, calls and outputs.

Everything is lazy and memoized, so locals may be written in any order and a reference is
resolved only when something reads it; a reference that comes back to itself is a cycle.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tfcheck.hcl.blocks import META_ARGUMENTS, MODULE_META, Key, body_names, body_value, body_values, expand
from tfcheck.hcl.budget import Refused, refusal_reason
from tfcheck.hcl.data import OFFLINE, offline_data, read_back_name
from tfcheck.hcl.expr import Scope
from tfcheck.hcl.loader import Loader, ModuleConfig, variable_type
from tfcheck.hcl.parse import Attribute, Block, static_string, traversal_text
from tfcheck.hcl.policy_document import OFFLINE_DATA
from tfcheck.hcl.providers import passed, provider_regions, provider_tags
from tfcheck.hcl.types import Type, convert
from tfcheck.hcl.values import EvalError, Lazy, Namespace, ResourceValue
from tfcheck.model import NOT_INSTALLED, Unknown, format_key

MISSING = object()
MAX_DEPTH = 32


class ModuleValue(Lazy):
    """`module.x` (one instance): its outputs, each evaluated when read."""

    __slots__ = ("instance",)

    def __init__(self, instance: ModuleInstance) -> None:
        self.instance = instance

    def get_attr(self, name: str) -> Any:
        return self.instance.output(name)

    def materialize(self) -> Any:
        return {name: self.instance.output(name) for name in self.instance.config.outputs}


class ModuleInstance:
    """The evaluation context (`Environment` of hcl_eval) of one module instance."""

    def __init__(
        self,
        loader: Loader,
        config: ModuleConfig,
        address: str,
        key_path: str,
        inputs: Callable[[str], Any],
        providers: dict[str, Any],
        default_tags: dict[str, Any] | None = None,
    ) -> None:
        self.loader = loader
        self.config = config
        self.address = address
        self.key_path = key_path
        self.functions = loader.functions
        self.budget = loader.budget
        self._inputs = inputs
        self._memo: dict[tuple[Any, ...], Any] = {}
        self._busy: set[tuple[Any, ...]] = set()
        self.providers = dict(providers)
        self.default_tags = dict(default_tags or {})  # provider key -> its default_tags tags
        self._namespaces = {
            "var": Namespace(self.variable, "var"),
            "local": Namespace(self.local, "local"),
            "module": Namespace(self.module_value, "module"),
            "data": Namespace(
                lambda kind: Namespace(lambda name: self.data_source(kind, name), "data"), "data"
            ),
            "ephemeral": Namespace(
                lambda kind: Namespace(lambda name: Unknown("ephemeral resource"), "ephemeral"), "ephemeral"
            ),
            "path": {"module": config.rel, "root": ".", "cwd": loader.root},
            "terraform": {"workspace": loader.env.get("TF_WORKSPACE") or "default"},
        }

        # Provider blocks in this module (the root's, or a legacy child's own) win.
        def evaluate(attr: Attribute) -> Any:
            return self.evaluate(attr, Scope(self))

        self.providers.update(provider_regions(config.providers, evaluate, self.loader.env_region))
        self.default_tags.update(provider_tags(config.providers, evaluate))

    @property
    def _where(self) -> str:
        return "the root module" if self.config.rel == "." else self.config.rel

    # -- the Environment protocol --------------------------------------------------------
    def root(self, name: str) -> Any:
        found = self._namespaces.get(name)
        if found is not None:
            return found
        if name in ("count", "each", "self"):
            raise EvalError(f'"{name}" can only be used in a block that sets it')
        return Namespace(lambda resource: self.resource_value(name, resource), name)

    def evaluate(self, attr: Attribute, scope: Scope) -> Any:
        """Evaluate an argument; an error Terraform would report becomes Unknown and a note."""
        try:
            self.budget.step()
            return self.loader.compiled(attr)(scope)
        except Refused as exc:  # a bound of the budget, or a file outside the configuration
            where = f"{attr.file}:{attr.line}"
            self.loader.refuse(f"{where}: {attr.name}: {exc}")
            return Unknown(refusal_reason(exc, where))
        except EvalError as exc:
            self.loader.note(f"{attr.file}:{attr.line}: {attr.name}: {exc}")
            return Unknown(f"cannot evaluate: {exc}")
        except RecursionError:
            self.loader.note(f"{attr.file}:{attr.line}: {attr.name}: nested too deeply")
            return Unknown("expression nested too deeply")
        except (TypeError, ValueError, ArithmeticError, LookupError, AttributeError) as exc:
            self.loader.note(
                f"{attr.file}:{attr.line}: {attr.name}: tfcheck could not "
                f"evaluate this expression ({type(exc).__name__}: {exc})"
            )
            return Unknown("tfcheck could not evaluate this expression")

    def _once(self, key: tuple[Any, ...], compute: Callable[[], Any], cycle: Any) -> Any:
        if key in self._memo:
            return self._memo[key]
        if key in self._busy:
            return cycle
        self._busy.add(key)
        try:
            value = compute()
        finally:
            self._busy.discard(key)
        self._memo[key] = value
        return value

    # -- var, local, output ------------------------------------------------------------
    def variable(self, name: str) -> Any:
        decl = self.config.variables.get(name)
        if decl is None:
            raise EvalError(f'there is no variable "{name}" in {self._where}')
        return self._once(
            ("var", name), lambda: self._variable(name, decl), Unknown(f"cycle through var.{name}")
        )

    def _variable(self, name: str, decl: Block) -> Any:
        scope = Scope(self)
        kind = self.variable_type(decl)
        value = self._inputs(name)
        nullable = decl.attributes.get("nullable")
        if value is None and nullable is not None and self.evaluate(nullable, scope) is False:
            value = MISSING
        if value is MISSING:
            if "default" not in decl.attributes:
                return Unknown(f"variable {name} has no value")
            value = self.evaluate(decl.attributes["default"], scope)
        try:
            return convert(value, kind, f"var.{name}")
        except EvalError as exc:
            self.loader.note(f"{decl.file}:{decl.line}: variable {name}: {exc}")
            return Unknown(f"invalid value for variable {name}: {exc}")

    def variable_type(self, decl: Block) -> Type:
        return variable_type(decl, self.loader.note)

    def local(self, name: str) -> Any:
        attr = self.config.locals.get(name)
        if attr is None:
            raise EvalError(f'there is no local value "{name}"')
        return self._once(
            ("local", name), lambda: self.evaluate(attr, Scope(self)), Unknown(f"cycle through local.{name}")
        )

    def output(self, name: str) -> Any:
        block = self.config.outputs.get(name)
        if block is None or "value" not in block.attributes:
            raise EvalError(f'{self.address or "the root module"} has no output "{name}"')
        return self._once(
            ("output", name),
            lambda: self.evaluate(block.attributes["value"], Scope(self)),
            Unknown(f"cycle through output {name}"),
        )

    def data_source(self, kind: str, name: str) -> Any:
        """`data.kind.name`: what the plan read for it (plan + source), else unknown."""
        prefix = f"{self.address}." if self.address else ""
        found = self.loader.data_sources.get(f"{prefix}data.{kind}.{name}")
        if not found:
            block = self.config.data.get((kind, name))
            if (
                kind in OFFLINE_DATA
                and block is not None
                and not ({"count", "for_each"} & set(block.attributes))
            ):
                return self._once(
                    ("data", kind, name),
                    lambda: OFFLINE_DATA[kind](
                        body_values(block, Scope(self), self.evaluate, META_ARGUMENTS)
                    ),
                    Unknown(f"cycle through data.{kind}.{name}"),
                )
            read = None if kind in OFFLINE else self._read_back(kind, block)
            if read is not None:
                return read
            return self._once(
                ("data", kind, name),
                lambda: self._offline_data(kind, name),
                Unknown(f"cycle through data.{kind}.{name}"),
            )
        if list(found) == [None]:
            return found[None]
        if all(isinstance(k, int) for k in found):
            return [found[k] for k in sorted(found)]
        return {str(k): found[k] for k in sorted(found, key=str)}

    def _offline_data(self, kind: str, name: str) -> Any:
        """A data source Terraform reads without AWS (hcl/data.py), from its provider."""
        block = self.config.data.get((kind, name))
        address = f"{self.address + '.' if self.address else ''}data.{kind}.{name}"
        if block is None or kind not in OFFLINE:
            return offline_data(kind, address, None, None, None)
        if "count" in block.attributes or "for_each" in block.attributes:
            return Unknown("data source with count or for_each")
        provider = block.attributes.get("provider")
        key = (traversal_text(provider.expr) if provider is not None else None) or "aws"
        chosen = next(
            (
                self.evaluate(block.attributes[a], Scope(self))
                for a in ("region", "name")
                if a in block.attributes
            ),
            None,
        )
        return offline_data(kind, address, self.providers.get(key), chosen, self.default_tags.get(key))

    def _read_back(self, kind: str, block: Block | None) -> Any:
        """A data source naming a managed resource of its own type (aws.DATA_READS) is it."""
        name = read_back_name(kind, block, self.config.resources)
        return None if name is None else self.resource_value(kind, name)

    # -- resources ---------------------------------------------------------------------
    def resource_address(self, kind: str, name: str, key: Key) -> str:
        prefix = f"{self.address}." if self.address else ""
        return f"{prefix}{kind}.{name}{format_key(key)}"

    def expansion(self, kind: str, name: str) -> list[tuple[Key, dict[str, Any]]] | Unknown:
        block = self.config.resources[(kind, name)]
        return self._once(
            ("expand", kind, name), lambda: self._expand(block), Unknown(f"cycle through {kind}.{name}")
        )

    def _expand(self, block: Block) -> list[tuple[Key, dict[str, Any]]] | Unknown:
        keys = expand(block, Scope(self), self.evaluate)
        if isinstance(keys, list):
            try:
                self.budget.resource_instances(len(keys))
            except Refused as exc:
                where = f"{block.file}:{block.line}"
                self.loader.refuse(f"{where}: {exc}")
                return Unknown(refusal_reason(exc, where))
        return keys

    def resource_value(self, kind: str, name: str) -> Any:
        """`aws_subnet.a`: one object, a list (count) or a map (for_each) of objects."""
        block = self.config.resources.get((kind, name))
        if block is None:
            raise EvalError(f"there is no resource {kind}.{name} in {self._where}")
        return self._once(
            ("resource", kind, name),
            lambda: self._resource_value(kind, name),
            Unknown(f"cycle through {kind}.{name}"),
        )

    def _resource_value(self, kind: str, name: str) -> Any:
        block = self.config.resources[(kind, name)]
        keys = self.expansion(kind, name)
        if isinstance(keys, Unknown):
            return keys
        values = {key: self._resource_object(kind, name, key, names) for key, names in keys}
        if "count" in block.attributes:
            return list(values.values())
        if "for_each" in block.attributes:
            return values
        return values[None]

    def _resource_object(self, kind: str, name: str, key: Key, names: dict[str, Any]) -> ResourceValue:
        address = self.resource_address(kind, name, key)
        return ResourceValue(address, lambda attr: self.configured(kind, name, key, names, attr))

    def configured(self, kind: str, name: str, key: Key, names: dict[str, Any], attr: str) -> Any:
        """The configured value of one argument of one instance (None if not configured)."""
        block = self.config.resources[(kind, name)]

        def compute() -> Any:
            scope = Scope(self, names)
            if attr in block.attributes and attr not in META_ARGUMENTS:
                return self.evaluate(block.attributes[attr], scope)
            nested = [
                b for b in block.blocks if b.type == attr or (b.type == "dynamic" and b.labels[:1] == (attr,))
            ]
            if nested:
                return body_values(Block("", (), {}, tuple(nested), "", 0), scope, self.evaluate).get(attr)
            return None

        return self._once(("attr", kind, name, key, attr), compute, None)

    def instance_names(self, kind: str, name: str) -> tuple[str, ...]:
        """The names an instance's values may have (arguments, nested block types), unevaluated."""
        return body_names(self.config.resources[(kind, name)], META_ARGUMENTS)

    def instance_value(self, kind: str, name: str, key: Key, names: dict[str, Any], attr: str) -> Any:
        """One of an instance's values, as a plan would show it (None: not configured, or null)."""
        block = self.config.resources[(kind, name)]
        return body_value(block, attr, Scope(self, names), self._memo_evaluate(kind, name, key, names))

    def _memo_evaluate(
        self, kind: str, name: str, key: Key, names: dict[str, Any]
    ) -> Callable[[Attribute, Scope], Any]:
        top = self.config.resources[(kind, name)].attributes

        def evaluate(attr: Attribute, scope: Scope) -> Any:
            if top.get(attr.name) is attr:  # a top-level argument: share the memo
                return self.configured(kind, name, key, names, attr.name)
            return self.evaluate(attr, scope)

        return evaluate

    # -- module calls ------------------------------------------------------------------
    def children(self, name: str) -> list[tuple[Key, ModuleInstance]] | Unknown:
        return self._once(
            ("call", name), lambda: self._children(name), Unknown(f"cycle through module.{name}")
        )

    def _children(self, name: str) -> list[tuple[Key, ModuleInstance]] | Unknown:
        call = self.config.calls[name]
        key_path = f"{self.key_path}.{name}" if self.key_path else name
        if key_path.count(".") >= MAX_DEPTH:
            return Unknown(f"modules nested more than {MAX_DEPTH} deep")
        source = static_string(call.attributes["source"].expr) if "source" in call.attributes else None
        where = f"{call.file}:{call.line}"
        try:
            directory = self.loader.module_dir(self.config, key_path, source)
            if directory is None:
                return Unknown(NOT_INSTALLED)
            config = self.loader.config(directory)
            keys = expand(call, Scope(self), self.evaluate)
            if isinstance(keys, Unknown):
                return keys
            self.budget.module_instances(len(keys))
        except Refused as exc:
            self.loader.refuse(f"{where}: module {name}: {exc}")
            return Unknown(refusal_reason(exc, where))
        providers = passed(self.providers, call)
        out = []
        for key, names in keys:
            prefix = f"{self.address}." if self.address else ""
            address = f"{prefix}module.{name}{format_key(key)}"
            inputs = self._call_inputs(call, names)
            out.append(
                (
                    key,
                    ModuleInstance(
                        self.loader,
                        config,
                        address,
                        key_path,
                        inputs,
                        providers,
                        passed(self.default_tags, call),
                    ),
                )
            )
        return out

    def _call_inputs(self, call: Block, names: dict[str, Any]) -> Callable[[str], Any]:
        def inputs(variable: str) -> Any:
            attr = call.attributes.get(variable)
            if attr is None or variable in MODULE_META:
                return MISSING
            return self.evaluate(attr, Scope(self, names))

        return inputs

    def module_value(self, name: str) -> Any:
        call = self.config.calls.get(name)
        if call is None:
            raise EvalError(f'there is no module call "{name}" in {self._where}')
        children = self.children(name)
        if isinstance(children, Unknown):
            return children
        values = {key: ModuleValue(child) for key, child in children}
        if "count" in call.attributes:
            return list(values.values())
        if "for_each" in call.attributes:
            return values
        return values[None]
