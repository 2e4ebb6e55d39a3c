#!/usr/bin/env python3
"""Regenerate every fixture plan.json with real terraform, offline (stdlib only).

    python tools/regen_fixtures.py [--check] [--jobs N] [DIR ...]

A scenario root is a directory under fixtures/ holding *.tf that is not inside the
`modules/` directory of a scenario. Each is copied to a temp dir, given mock AWS
credentials and skip flags, planned with terraform against a local provider mirror,
and its `terraform show -json` is written beside it as plan.json. Directories with a
derived.json recipe are built afterwards from another scenario's plan (derive_known.py).
Exit: 0 ok, 1 stale plans (--check), 2 a plan failed or bad arguments, 3 terraform
or the provider mirror is missing.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import derive_known

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "fixtures"
EXAMPLES = REPO / "examples"  # the example user policies' cases are planned the same way
DEFAULT_REGION = "us-east-1"
FIXED_TIMESTAMP = "2000-01-01T00:00:00Z"
MIRROR_BASES = ("/opt", "/usr/share", "/usr/local/share", "~/.terraform.d")
AWS_TAIL = ("registry.terraform.io", "hashicorp", "aws")
COPY_IGNORE = shutil.ignore_patterns(
    ".terraform", ".terraform.lock.hcl", "terraform.tfstate*", "plan.json", "expected.*", "derived.json"
)
MOCK = (
    '  access_key                  = "mock"\n  secret_key                  = "mock"\n'
    "  skip_credentials_validation = true\n  skip_requesting_account_id  = true\n"
    "  skip_metadata_api_check     = true\n  skip_region_validation      = true\n"
)
EXIT_OK, EXIT_STALE, EXIT_FAILED, EXIT_MISSING = 0, 1, 2, 3
JSON = dict[str, Any]


class PlanError(Exception):
    """Terraform failed on one scenario; the message carries the end of its output."""


@dataclass(frozen=True)
class Toolchain:
    terraform: str
    mirror: Path
    aws_version: str


@dataclass(frozen=True)
class Scenario:
    path: Path
    recipe: derive_known.Recipe | None

    @property
    def name(self) -> str:
        try:
            return str(self.path.relative_to(REPO))
        except ValueError:
            return str(self.path)


def find_mirror() -> Path | None:
    """The same search as shared/tf/plan-offline: $TF_PROVIDER_MIRROR, else known bases."""
    named = os.environ.get("TF_PROVIDER_MIRROR")
    if named:
        return Path(named) if Path(named, *AWS_TAIL).is_dir() else None
    for base in MIRROR_BASES:
        root = Path(base).expanduser()
        for dirpath, dirnames, _ in os.walk(root):
            here = Path(dirpath)
            if here.parts[-3:] == AWS_TAIL:
                return here.parents[2]
            dirnames.sort()
            if len(here.relative_to(root).parts) >= 5:
                dirnames.clear()
    return None


def find_toolchain() -> Toolchain | None:
    terraform, mirror = shutil.which("terraform"), find_mirror()
    if terraform is None or mirror is None:
        return None
    versions = [p.name for p in Path(mirror, *AWS_TAIL).iterdir() if p.is_dir()]
    if not versions:
        return None
    latest = max(versions, key=lambda v: tuple(int(n) for n in re.findall(r"\d+", v)))
    return Toolchain(terraform, mirror, latest)


def discover(root: Path) -> list[Scenario]:
    """Scenario roots under `root`, sorted; a scenario's own modules/ tree is never one."""
    found: list[Scenario] = []
    for dirpath, dirnames, filenames in os.walk(root):
        here = Path(dirpath)
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and d != "__pycache__")
        has_tf = any(f.endswith(".tf") for f in filenames)
        if "derived.json" in filenames:
            found.append(Scenario(here, derive_known.load_recipe(here)))
        elif has_tf:
            found.append(Scenario(here, None))
        if has_tf and "modules" in dirnames:
            dirnames.remove("modules")
    return sorted(found, key=lambda s: str(s.path))


def select(dirs: list[str]) -> list[Scenario]:
    """All scenarios, or those at or under the named directories."""
    everything = [s for root in (FIXTURES, EXAMPLES) if root.is_dir() for s in discover(root)]
    if not dirs:
        return everything
    picked: dict[Path, Scenario] = {}
    for raw in dirs:
        want = Path(raw).resolve()
        if not want.is_dir():
            raise derive_known.DeriveError(f"{raw}: no such directory")
        inside = any(want == root or root in want.parents for root in (FIXTURES, EXAMPLES))
        for s in everything if inside else discover(want):
            if s.path == want or want in s.path.parents:
                picked[s.path] = s
    return sorted(picked.values(), key=lambda s: str(s.path))


# ---------------------------------------------------------------- provider blocks

_AWS_PROVIDER = re.compile(r'(?m)^\s*provider\s+"?aws"?\s*\{')


def _aws_provider_bodies(text: str) -> list[str]:
    """Bodies of `provider "aws"` blocks, found by brace matching outside strings."""
    text = re.sub(r"(?m)^\s*(#|//).*$", "", text)
    bodies = []
    for m in _AWS_PROVIDER.finditer(text):
        depth, i, in_str = 1, m.end(), False
        while i < len(text) and depth:
            c = text[i]
            if in_str and c == "\\":
                i += 1
            elif c == '"':
                in_str = not in_str
            elif not in_str:
                depth += {"{": 1, "}": -1}.get(c, 0)
            i += 1
        bodies.append(text[m.end() : i - 1])
    return bodies


def _top_attr(body: str, name: str) -> str | None:
    """The raw expression of a top-level attribute of a block body, or None."""
    depth = 0
    for line in body.splitlines():
        m = re.match(rf"\s*{name}\s*=\s*(.+?)\s*$", line)
        if depth == 0 and m:
            return m.group(1)
        depth += line.count("{") - line.count("}")
    return None


@dataclass(frozen=True)
class ProviderInfo:
    declared: tuple[str | None, ...]  # aliases of declared aws blocks; None = default
    region: str  # the Region the scenario plans in
    default_needs_region: bool  # the default configuration sets no region itself


def provider_info(scenario_dir: Path) -> ProviderInfo:
    """Region from the scenario's provider block, else its `region` file, else us-east-1."""
    text = "\n".join(p.read_text() for p in sorted(scenario_dir.glob("*.tf")))
    declared: list[str | None] = []
    literal, default_has_region = None, False
    for body in _aws_provider_bodies(text):
        alias = _top_attr(body, "alias")
        declared.append(alias.strip('"') if alias else None)
        region = _top_attr(body, "region")
        if alias is None and region is not None:
            default_has_region = True
            literal = region.strip('"') if re.fullmatch(r'"[a-z0-9-]+"', region) else None
    region_file = scenario_dir / "region"
    fallback = region_file.read_text().strip() if region_file.is_file() else DEFAULT_REGION
    return ProviderInfo(tuple(declared), literal or fallback, not default_has_region)


class Workdir:
    """A temp copy of one configuration, set up to run terraform with no network."""

    def __init__(self, tool: Toolchain, src: Path, dest: Path) -> None:
        self.tool, self.dir = tool, dest
        shutil.copytree(src, dest, ignore=COPY_IGNORE)
        info = provider_info(src)
        self.region = info.region
        region_line = f'  region = "{info.region}"\n'
        overrides = []
        for alias in info.declared:
            extra = f'  alias = "{alias}"\n' if alias else (region_line if info.default_needs_region else "")
            overrides.append(f'provider "aws" {{\n{extra}{MOCK}}}\n')
        if overrides:  # override files merge into the scenario's own provider blocks
            (dest / "zz_offline_override.tf").write_text("\n".join(overrides))
        if None not in info.declared:
            (dest / "zz_offline_provider.tf").write_text(f'provider "aws" {{\n{region_line}{MOCK}}}\n')
        if not any("hashicorp/aws" in p.read_text() for p in src.glob("*.tf")):
            (dest / "zz_offline_versions.tf").write_text(
                'terraform {\n  required_providers {\n    aws = { source = "hashicorp/aws", '
                f'version = "{tool.aws_version}" }}\n  }}\n}}\n'
            )
        (dest / ".tfrc").write_text(
            f'provider_installation {{\n  filesystem_mirror {{\n    path    = "{tool.mirror}"\n'
            '    include = ["registry.terraform.io/hashicorp/*"]\n  }\n'
            '  direct { exclude = ["registry.terraform.io/hashicorp/*"] }\n}\n'
        )

    def run(self, *args: str) -> str:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TF_", "AWS_"))}
        env.update(
            TF_CLI_CONFIG_FILE=str(self.dir / ".tfrc"),
            TF_IN_AUTOMATION="1",
            CHECKPOINT_DISABLE="1",
            AWS_EC2_METADATA_DISABLED="true",
            AWS_CONFIG_FILE=os.devnull,
            AWS_SHARED_CREDENTIALS_FILE=os.devnull,
        )
        proc = subprocess.run(
            [self.tool.terraform, *args], cwd=self.dir, env=env, capture_output=True, text=True, check=False
        )
        if proc.returncode != 0:
            tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-40:])
            raise PlanError(f"terraform {args[0]} failed:\n{tail}")
        return proc.stdout

    def run_json(self, *args: str) -> JSON:
        data: JSON = json.loads(self.run(*args))
        return data

    def init(self) -> Workdir:
        self.run("init", "-input=false", "-no-color")
        return self

    def plan_json(self, *extra: str) -> JSON:
        self.run("plan", "-input=false", "-no-color", "-lock=false", "-out=tfplan", *extra)
        return self.run_json("show", "-json", "-no-color", "tfplan")

    def write_state(self, state: JSON) -> None:
        (self.dir / "terraform.tfstate").write_text(json.dumps(state, indent=1))

    def show_state_json(self) -> JSON:
        return self.run_json("show", "-json", "-no-color")

    def provider_schema(self) -> JSON:
        return self.run_json("providers", "schema", "-json")


def plan_scenario(tool: Toolchain, path: Path, tmp: Path) -> JSON:
    return Workdir(tool, path, tmp / "scenario").init().plan_json()


def converge_source(tool: Toolchain, source: Path, base_plan: JSON, tmp: Path) -> JSON:
    """State of `source` as if applied: its plan's unknowns faked until terraform agrees."""
    ws = Workdir(tool, source, tmp / "source").init()
    return derive_known.converge(ws, base_plan, ws.provider_schema(), ws.region)


def derive_scenario(tool: Toolchain, scenario: Scenario, state: JSON, tmp: Path) -> JSON:
    """The recipe's output, written by terraform itself from the converged state."""
    assert scenario.recipe is not None
    as_state = scenario.recipe.output == "state"
    ws = Workdir(tool, scenario.recipe.source if as_state else scenario.path, tmp / "t").init()
    ws.write_state(state)
    return ws.show_state_json() if as_state else ws.plan_json("-refresh=false")


def normalize(data: JSON) -> JSON:
    """Pin what terraform varies from run to run; nothing is dropped.

    The top-level timestamp becomes a fixed string, and `relevant_attributes` (a set
    that terraform prints in Go map order) is sorted.
    """
    if "timestamp" in data:
        data = {**data, "timestamp": FIXED_TIMESTAMP}
    if isinstance(data.get("relevant_attributes"), list):
        data = {
            **data,
            "relevant_attributes": sorted(
                data["relevant_attributes"], key=lambda r: json.dumps(r, sort_keys=True)
            ),
        }
    return data


def render(data: JSON) -> str:
    return json.dumps(normalize(data), indent=1, sort_keys=True) + "\n"


def read_json(path: Path) -> JSON | None:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


@dataclass(frozen=True)
class Outcome:
    scenario: Scenario
    plan: JSON | None
    seconds: float
    error: str | None = None


def _timed(scenario: Scenario, fn: Callable[[Path], JSON]) -> Outcome:
    start = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="tfcheck-regen-") as tmp:
        try:
            plan, error = fn(Path(tmp)), None
        except (PlanError, derive_known.DeriveError, OSError, ValueError, KeyError) as exc:
            plan, error = None, f"{type(exc).__name__}: {exc}"
    out = Outcome(scenario, plan, time.monotonic() - start, error)
    print(
        f"  {'FAILED' if error else 'ok':6} {scenario.name} ({out.seconds:.1f} s)",
        file=sys.stderr,
        flush=True,
    )
    return out


def run_all(tool: Toolchain, scenarios: list[Scenario], jobs: int) -> list[Outcome]:
    """Plan the HCL scenarios; then converge each recipe source once; then derive."""
    results: dict[Path, Outcome] = {}
    derived = [s for s in scenarios if s.recipe is not None]
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        for out in pool.map(
            lambda s: _timed(s, lambda t: plan_scenario(tool, s.path, t)),
            [s for s in scenarios if s.recipe is None],
        ):
            results[out.scenario.path] = out

        def source_state(src: Path) -> Outcome:
            base = results[src].plan if src in results else read_json(src / "plan.json")
            if base is None:
                base = _timed(Scenario(src, None), lambda t: plan_scenario(tool, src, t)).plan
            if base is None:
                return Outcome(Scenario(src, None), None, 0.0, "its source did not plan")
            plan = base
            return _timed(Scenario(src, None), lambda t: converge_source(tool, src, plan, t))

        sources = sorted({s.recipe.source for s in derived if s.recipe is not None})
        states = {o.scenario.path: o for o in pool.map(source_state, sources)}

        def one_derived(s: Scenario) -> Outcome:
            assert s.recipe is not None
            made = states[s.recipe.source]
            if made.plan is None:
                return Outcome(s, None, 0.0, f"recipe source failed: {made.error}")
            state = made.plan
            return _timed(s, lambda t: derive_scenario(tool, s, state, t))

        for out in pool.map(one_derived, derived):
            results[out.scenario.path] = out
    return [results[s.path] for s in scenarios]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="regen_fixtures.py", description="Regenerate fixtures/**/plan.json offline."
    )
    parser.add_argument("dirs", nargs="*", metavar="DIR", help="only scenarios at or under these directories")
    parser.add_argument(
        "--check", action="store_true", help="regenerate into temp; list stale plan.json files and exit 1"
    )
    parser.add_argument(
        "--jobs", type=int, default=2, metavar="N", help="terraform runs in parallel (default 2)"
    )
    args = parser.parse_args(argv)
    tool = find_toolchain()
    if tool is None:
        print(
            "regen_fixtures: terraform is not on PATH or no hashicorp/aws provider mirror "
            "was found (set TF_PROVIDER_MIRROR)",
            file=sys.stderr,
        )
        return EXIT_MISSING
    try:
        scenarios = select(args.dirs)
    except derive_known.DeriveError as exc:
        print(f"regen_fixtures: {exc}", file=sys.stderr)
        return EXIT_FAILED
    if not scenarios:
        print("regen_fixtures: no scenario found", file=sys.stderr)
        return EXIT_FAILED
    start = time.monotonic()
    outcomes = run_all(tool, scenarios, max(1, args.jobs))
    stale, written = [], 0
    for out in outcomes:
        if out.plan is None:
            print(f"regen_fixtures: {out.scenario.name}: {out.error}", file=sys.stderr)
            continue
        target = out.scenario.path / "plan.json"
        current = read_json(target)
        fresh = current is not None and normalize(current) == normalize(out.plan)
        if args.check and not fresh:
            stale.append(out.scenario.name)
        elif not args.check and (not fresh or target.read_text() != render(out.plan)):
            target.write_text(render(out.plan))
            written += 1
    failed = sum(out.plan is None for out in outcomes)
    done = "checked" if args.check else f"regenerated, {written} rewritten"
    print(
        f"{len(outcomes)} scenarios {done}, {failed} failed, in "
        f"{time.monotonic() - start:.1f} s with {max(1, args.jobs)} jobs",
        file=sys.stderr,
    )
    for name in stale:
        print(f"stale: {name}/plan.json", file=sys.stderr)
    if failed:
        return EXIT_FAILED
    return EXIT_STALE if stale else EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
