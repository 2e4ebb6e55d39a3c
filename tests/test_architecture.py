"""The layout docs/architecture.md describes, enforced: layers, no cycles, no hidden imports.

Read from the source with `ast` (nothing is imported), so a violation names the file and line.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "tfcheck"

# The pipeline, bottom up: a module may import its own layer and the layers below, never above.
LAYERS: list[tuple[str, ...]] = [
    (
        "tfcheck",
        "tfcheck.errors",
        "tfcheck.model",
        "tfcheck.globs",
        "tfcheck.aws",
        "tfcheck.documents",
        "tfcheck.project",
        "tfcheck.workspace",
        "tfcheck.user_cache",
    ),
    ("tfcheck.hcl",),
    ("tfcheck.load",),
    ("tfcheck.graph",),
    ("tfcheck.findings", "tfcheck.suppress", "tfcheck.baseline", "tfcheck.config", "tfcheck.change"),
    ("tfcheck.policy",),
    ("tfcheck.cost",),
    ("tfcheck.formats", "tfcheck.outputs"),
    ("tfcheck.run",),
    ("tfcheck.commands",),
    ("tfcheck.cli", "tfcheck.action", "tfcheck.__main__"),
]
# Imported inside a function on purpose: heavy modules only some runs need (start-up time).
# tfcheck.hcl.source: the HCL evaluator, loaded by load/inputs.py only when a run reads
# Terraform source; tfcheck.hcl.policy_document, by load/data_sources.py only for a plan that
# defers an aws_iam_policy_document; tfcheck.cost, by run.py only for a run that prices
# something (docs/architecture.md says why).
LAZY_ALLOWED = {
    "yaml",
    "jsonschema",
    "hcl2",
    "lark",
    "re2",
    "multiprocessing",
    "concurrent",
    "traceback",
    "tfcheck.hcl.source",
    "tfcheck.hcl.policy_document",
    "tfcheck.cost",
}
MAX_LINES = 400


def modules() -> dict[str, Path]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


MODULES = modules()


def layer_of(module: str) -> int:
    best, found = -1, None
    for index, prefixes in enumerate(LAYERS):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > best:
                best, found = len(prefix), index
    assert found is not None, f"{module} is in no layer of tests/test_architecture.py"
    return found


def imports(path: Path) -> list[tuple[str, int, bool]]:
    """(imported tfcheck module, line, inside a function?) for every import of the file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out: list[tuple[str, int, bool]] = []

    def visit(node: ast.AST, in_function: bool, type_checking: bool) -> None:
        for child in ast.iter_child_nodes(node):
            nested = in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef))
            guarded = type_checking or (
                isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test)
            )
            if isinstance(child, ast.Import):
                for alias in child.names:
                    out.append((alias.name, child.lineno, in_function and not type_checking))
            elif isinstance(child, ast.ImportFrom) and child.module:
                base = child.module
                for alias in child.names:
                    full = f"{base}.{alias.name}"
                    target = full if full in MODULES else base
                    out.append((target, child.lineno, in_function and not type_checking))
            visit(child, nested, guarded)

    visit(tree, False, False)
    return out


def test_every_module_is_in_a_layer() -> None:
    for module in MODULES:
        layer_of(module)


def test_imports_go_down_the_layers() -> None:
    wrong = []
    for module, path in MODULES.items():
        mine = layer_of(module)
        for target, line, _ in imports(path):
            if target.split(".")[0] == "tfcheck" and target in MODULES and layer_of(target) > mine:
                wrong.append(
                    f"{path.relative_to(ROOT)}:{line}: {module} (layer {mine}) imports "
                    f"{target} (layer {layer_of(target)})"
                )
    assert wrong == []


def test_no_import_cycle() -> None:
    graph: dict[str, set[str]] = defaultdict(set)
    for module, path in MODULES.items():
        for target, _, _ in imports(path):
            if target in MODULES and target != module:
                graph[module].add(target)
    state: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def walk(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append(stack[stack.index(nxt) :] + [nxt])
            elif nxt not in state:
                walk(nxt)
        stack.pop()
        state[node] = 2

    for module in sorted(MODULES):
        if module not in state:
            walk(module)
    assert cycles == []


def test_no_import_hidden_in_a_function() -> None:
    hidden = []
    for path in MODULES.values():
        for target, line, in_function in imports(path):
            allowed = any(target == name or target.startswith(name + ".") for name in LAZY_ALLOWED)
            if in_function and not allowed:
                hidden.append(f"{path.relative_to(ROOT)}:{line}: {target}")
    assert hidden == []


@pytest.mark.parametrize("module", sorted(MODULES))
def test_module_size(module: str) -> None:
    lines = MODULES[module].read_text(encoding="utf-8").count("\n")
    assert lines <= MAX_LINES, f"{module}: {lines} lines; split it by what its parts do"


def test_no_family_of_top_level_modules_sharing_a_prefix() -> None:
    """`hcl_*`, `cost_*` modules beside each other are a folder in disguise."""
    top = [p.stem for p in PACKAGE.glob("*.py") if p.stem not in ("__init__", "__main__")]
    prefixes: dict[str, list[str]] = defaultdict(list)
    for name in top:
        if "_" in name:
            prefixes[name.split("_")[0]].append(name)
    families = {p: names for p, names in prefixes.items() if len(names) > 1 or p in top}
    assert families == {}


@pytest.mark.parametrize(
    "args",
    [["check", "--no-source", "--format", "json"], ["check", "--format", "sarif"], ["graph", "--no-source"]],
)
def test_a_plan_read_without_source_never_imports_the_hcl_evaluator(args: list[str], tmp_path: Path) -> None:
    """Start-up: the plan path loads no `tfcheck.hcl` module, hcl2 or lark (benchmarks/README.md).

    The plan is copied where no `.tf` file is beside it, so source discovery finds none.
    """
    loaded = _modules_after([*args, "--fail-on", "never"], tmp_path)
    assert [m for m in loaded if m.startswith(("tfcheck.hcl", "hcl2", "lark"))] == []


def _modules_after(args: list[str], tmp_path: Path) -> list[str]:
    """The modules a fresh interpreter holds after running tfcheck on the demo plan."""
    plan = tmp_path / "plan.json"
    plan.write_bytes((ROOT / "fixtures" / "demo" / "plan.json").read_bytes())
    code = (
        "import sys; from tfcheck.cli import main; main(sys.argv[1:]); print(*sys.modules, file=sys.stderr)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, *args, str(plan)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        check=False,
    )
    assert done.returncode in (0, 1), done.stderr
    return done.stderr.strip().splitlines()[-1].split()


@pytest.mark.parametrize(
    ("args", "priced"),
    [
        (["check", "--no-source", "--format", "json"], False),
        (["check", "--no-source", "--format", "sarif"], False),
        (["check", "--no-source", "--format", "markdown"], True),
        (["cost", "--no-source"], True),
    ],
)
def test_only_a_run_that_prices_imports_the_cost_model(args: list[str], priced: bool, tmp_path: Path) -> None:
    """Start-up: `tfcheck.cost` (prices, the cost model) loads only where money is shown."""
    loaded = _modules_after(args, tmp_path)
    assert any(m.startswith("tfcheck.cost") for m in loaded) == priced
