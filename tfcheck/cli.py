"""Command line: the one place that reads argv, env and streams, and turns errors into exit codes."""
from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from tfcheck import __version__
from tfcheck.errors import ExitCode, TfcheckError
from tfcheck.findings import FailOn
from tfcheck.formats import FORMATS, GRAPH_FORMATS

if TYPE_CHECKING:
    from tfcheck.config import Config
    from tfcheck.findings import Report, RuleInfo
    from tfcheck.policy import Policy


@dataclass(frozen=True, slots=True)
class CheckOptions:
    plans: tuple[str, ...]
    policy_dirs: tuple[str, ...]
    only: tuple[str, ...]
    skip: tuple[str, ...]
    fail_on: FailOn
    strict: bool
    format: str | None  # printed on stdout; None: nothing
    config: str | None
    verbose: bool
    color: bool
    outputs: tuple[tuple[str, str], ...] = ()  # (format, file) pairs, each written atomically
    baseline: str | None = None


def main(argv: Sequence[str] | None = None) -> int:
    """Console entry point: returns the exit code (0 ok, 1 findings, 2 error)."""
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        result = cli.main(args=args, prog_name="tfcheck", standalone_mode=False)
    except click.ClickException as e:
        e.show()
        return ExitCode.ERROR
    except click.Abort:
        click.echo("tfcheck: aborted", err=True)
        return ExitCode.ERROR
    except TfcheckError as e:
        click.echo(f"tfcheck: error: {e.path}: {e.message}", err=True)
        return ExitCode.ERROR
    except Exception as e:  # noqa: BLE001 - the one boundary for bugs
        if "--debug" in args:
            import traceback

            traceback.print_exc()
        click.echo(
            f"tfcheck: internal error: {type(e).__name__}: {e} (rerun with --debug and report it)",
            err=True,
        )
        return ExitCode.ERROR
    return int(result or 0)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="tfcheck")
@click.option("--debug", is_flag=True, help="Show a traceback on internal errors.")
def cli(debug: bool) -> None:
    """Catch AWS VPC endpoint networking mistakes in Terraform plans before apply."""


def _policies_option(f: Any) -> Any:
    return click.option(
        "--policies", "policy_dirs", multiple=True, metavar="DIR",
        help="Also load the policy files (*.yaml) of DIR; repeatable.",
    )(f)


def _config_option(f: Any) -> Any:
    return click.option(
        "--config", "config_path", metavar="FILE",
        help="Settings file (default: .tfcheck.yml in the current directory, if present).",
    )(f)


@cli.command()
@click.argument("plans", nargs=-1, metavar="[PLAN ...]")
@_policies_option
@click.option("--only", multiple=True, metavar="RULE", help="Run only this rule; repeatable.")
@click.option("--skip", multiple=True, metavar="RULE", help="Do not run this rule; repeatable.")
@click.option(
    "--fail-on", type=click.Choice([f.value for f in FailOn]), default=FailOn.ERROR.value,
    show_default=True, help="Lowest severity of a failure that makes the exit code 1.",
)
@click.option("--strict", is_flag=True, help="Inconclusive results count as failures too.")
@click.option(
    "--format", "formats", multiple=True, metavar="NAME[:FILE]",
    help=f"Report format ({', '.join(FORMATS)}); default text. NAME:FILE writes that format to FILE "
    "instead of stdout; repeatable, e.g. --format github --format sarif:tfcheck.sarif.",
)
@click.option("--baseline", "baseline_path", metavar="FILE",
              help="Findings recorded by `tfcheck baseline` are suppressed: only new ones fail.")
@_config_option
@click.option("--verbose", "-v", is_flag=True, help="Also list the checks that passed.")
def check(
    plans: tuple[str, ...], policy_dirs: tuple[str, ...], only: tuple[str, ...],
    skip: tuple[str, ...], fail_on: str, strict: bool, formats: tuple[str, ...],
    baseline_path: str | None, config_path: str | None, verbose: bool,
) -> int:
    """Check `terraform show -json` PLANs ('-' for stdin; none: $SHOWFILE)."""
    from tfcheck.outputs import parse_formats

    try:
        fmt, files = parse_formats(formats, FORMATS)
    except ValueError as e:
        raise click.BadParameter(str(e), param_hint="--format") from None
    color = fmt == "text" and sys.stdout.isatty() and "NO_COLOR" not in os.environ
    options = CheckOptions(
        plans, policy_dirs, only, skip, FailOn(fail_on), strict, fmt, config_path, verbose, color,
        tuple(files), baseline_path,
    )
    return run_check(options)


def run_check(options: CheckOptions) -> int:
    from tfcheck.findings import exit_code
    from tfcheck.formats import get_renderer
    from tfcheck.outputs import write_atomic

    report = build_report(options)
    for note in report.notes:
        click.echo(f"tfcheck: warning: {note}", err=True)
    for name, path in options.outputs:
        write_atomic(path, get_renderer(name)(report, color=False, verbose=options.verbose))
    if options.format is not None:
        render = get_renderer(options.format)
        click.echo(render(report, color=options.color, verbose=options.verbose), nl=False)
    return exit_code(report, options.fail_on, options.strict)


def build_report(options: CheckOptions) -> Report:
    """Plans → graphs → findings, with suppressions applied; everything a format may need."""
    import datetime

    from tfcheck import suppress
    from tfcheck.baseline import load_baseline
    from tfcheck.config import graph_options
    from tfcheck.evaluate import evaluate, load_graph
    from tfcheck.findings import Report
    from tfcheck.policy import select

    config = _config(options.config)
    policies = _load(options.policy_dirs, config)
    _known(policies, options.only + options.skip)
    chosen = select(
        policies, only=options.only, skip=options.skip, disabled=config.disabled,
        enabled=config.enabled, severity=config.severity,
    )
    graph_opts = graph_options(config)
    baseline = load_baseline(options.baseline) if options.baseline else frozenset()
    today = datetime.date.today()
    results, labels, graphs, all_comments = [], [], [], {}
    for path in options.plans or (None,):
        label = _label(path)
        labels.append(label)
        graph = load_graph(path, graph_opts)
        graphs.append(graph)
        # `# tfcheck:ignore RULE reason` comments by instance address, from the HCL source
        # (source.load_source_with_comments) when the plan is read with it or in HCL mode.
        comments: dict[str, list[str]] = {}
        all_comments.update(comments)
        results += suppress.apply(
            evaluate(chosen, graph, plan=label), comments=comments, waivers=config.waivers,
            baseline=baseline, baseline_file=options.baseline or "", today=today,
        )
    notes = suppress.notes(config.waivers, today, config.path or ".tfcheck.yml", all_comments,
                           known={p.id for p in policies})
    return Report.build(results, labels, rules=len(chosen), rule_info=map(_rule_info, chosen),
                        graphs=graphs, notes=notes)


def _rule_info(p: Policy) -> RuleInfo:
    from tfcheck.findings import RuleInfo

    fix = " ".join(p.remediation.source.split()) if p.remediation is not None else ""
    return RuleInfo(p.id, p.title, p.severity, p.description.strip(), fix, tuple(p.links))


@cli.command("baseline")
@click.argument("plans", nargs=-1, metavar="[PLAN ...]")
@click.option("--output", "-o", required=True, metavar="FILE", help="Where to write the baseline (JSON).")
@_policies_option
@_config_option
def baseline_cmd(plans: tuple[str, ...], output: str, policy_dirs: tuple[str, ...],
                 config_path: str | None) -> int:
    """Record PLANs' current findings in FILE; `check --baseline FILE` then fails only on new ones."""
    from tfcheck.baseline import render
    from tfcheck.outputs import write_atomic

    options = CheckOptions(plans, policy_dirs, (), (), FailOn.NEVER, False, None, config_path,
                           False, False)
    report = build_report(options)
    write_atomic(output, render(report))
    count = len({(f.rule_id, f.address) for f in report.failed + report.inconclusive})
    click.echo(f"tfcheck: {count} finding{'' if count == 1 else 's'} recorded in {output}")
    return ExitCode.OK


@cli.command()
@click.argument("plan")
@click.option("--format", "fmt", type=click.Choice(["json", *GRAPH_FORMATS]), default="json",
              show_default=True)
@_config_option
def graph(plan: str, fmt: str, config_path: str | None) -> int:
    """Print the network graph tfcheck builds from PLAN (mermaid/dot: a diagram of it)."""
    import json

    from tfcheck.config import graph_options
    from tfcheck.evaluate import load_graph
    from tfcheck.formats import get_renderer

    data = load_graph(plan, graph_options(_config(config_path)))
    if fmt != "json":
        click.echo(get_renderer(fmt, GRAPH_FORMATS)(data), nl=False)
    else:
        click.echo(json.dumps(data, indent=2))
    return ExitCode.OK


@cli.command()
@click.argument("plan")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@_config_option
def reach(plan: str, fmt: str, config_path: str | None) -> int:
    """Per workload, each AWS service it needs and the path its calls take."""
    import json

    from tfcheck.config import graph_options
    from tfcheck.evaluate import load_graph
    from tfcheck.formats.text import render_reach

    data = load_graph(plan, graph_options(_config(config_path)))
    if fmt == "json":
        keys = ("kind", "vpc", "subnets", "needs", "paths", "unreachable", "unknown")
        doc = {w["address"]: {k: w.get(k) for k in keys} for w in data.get("workloads") or ()}
        click.echo(json.dumps({"version": 1, "workloads": doc}, indent=2))
    else:
        click.echo(render_reach(data), nl=False)
    return ExitCode.OK


@cli.command()
@_policies_option
def rules(policy_dirs: tuple[str, ...]) -> int:
    """List the rules: id, severity, graph collection, title."""
    for p in _load(policy_dirs, None):
        off = "" if p.enabled else "  (off by default)"
        click.echo(f"{p.id:<9} {p.severity.value:<8} {p.resource:<16} {p.title}{off}")
    return ExitCode.OK


@cli.command()
@click.argument("rule")
@_policies_option
def explain(rule: str, policy_dirs: tuple[str, ...]) -> int:
    """Show a rule's whole definition: why it exists, what it checks, how to fix it."""
    policies = {p.id: p for p in _load(policy_dirs, None)}
    _known(policies.values(), (rule,))
    p = policies[rule]
    click.echo(f"{p.id}  {p.title}")
    when = "".join(f"; {c.value.value} when {c.when.source}" for c in p.severity_when)
    click.echo(f"severity: {p.severity.value}{when}")
    if not p.enabled:
        click.echo("enabled:  no (off by default)")
    click.echo(f"resource: {p.resource}")
    if p.where is not None:
        click.echo(f"where:    {' '.join(p.where.source.split())}")
    click.echo(f"assert:   {' '.join(p.assert_.source.split())}")
    click.echo(f"file:     {p.file}")
    if p.description:
        click.echo("\n" + p.description)
    if p.remediation is not None:
        click.echo("\nfix: " + " ".join(p.remediation.source.split()))
    for link in p.links:
        click.echo(f"see: {link}")
    return ExitCode.OK


@cli.command("test")
@click.argument("directory", metavar="DIR")
@click.option("--builtin", is_flag=True, help="Test the built-in pack as well as DIR's policies.")
def test_cmd(directory: str, builtin: bool) -> int:
    """Run policy fixtures: each DIR/**/expected.yaml beside a plan.json is one case."""
    from tfcheck.errors import InputError
    from tfcheck.evaluate import run_case
    from tfcheck.policy import load_policies, policy_files

    root = Path(directory)
    own = policy_files(root)
    policies = load_policies([root] if own else (), builtin=builtin or not own)
    cases = sorted(p.parent for p in root.rglob("expected.yaml") if (p.parent / "plan.json").is_file())
    if not cases:
        raise InputError(directory, "no cases: expected a <case>/plan.json beside <case>/expected.yaml")
    failed = 0
    for case in cases:
        problems = run_case(case, policies)
        failed += bool(problems)
        click.echo(f"{'FAIL' if problems else 'ok  '}  {case}")
        for problem in problems:
            click.echo(f"      {problem}")
    click.echo(f"{len(cases)} cases, {failed} failed")
    return ExitCode.FINDINGS if failed else ExitCode.OK


def _config(path: str | None) -> Config:
    from tfcheck.config import find_config, load_config

    return load_config(path if path is not None else find_config(Path.cwd()), _cache_dir())


def _load(policy_dirs: Sequence[str], config: Config | None) -> tuple[Policy, ...]:
    from tfcheck.policy import load_policies, rule_ids

    policies = load_policies(policy_dirs, cache_dir=_cache_dir() if policy_dirs else None)
    if config is not None:
        config.check_rules(rule_ids(policies))
    return policies


def _known(policies: Any, ids: Sequence[str]) -> None:
    known = {p.id for p in policies}
    for rule in ids:
        if rule not in known:
            raise click.BadParameter(f"unknown rule {rule!r}; `tfcheck rules` lists them", param_hint="RULE")


def _cache_dir() -> Path | None:
    """Markers of user files already found schema-valid: $XDG_CACHE_HOME/tfcheck (or
    ~/.cache/tfcheck); TFCHECK_NO_CACHE=1 turns them off."""
    if os.environ.get("TFCHECK_NO_CACHE"):
        return None
    base = os.environ.get("XDG_CACHE_HOME")
    try:
        root = Path(base) if base else Path.home() / ".cache"
    except RuntimeError:  # no home directory
        return None
    return root / "tfcheck" / "validated"


def _label(path: str | None) -> str:
    if path is None:
        return os.environ.get("SHOWFILE") or "$SHOWFILE"
    return "<stdin>" if path == "-" else path
