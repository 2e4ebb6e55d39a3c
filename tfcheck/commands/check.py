"""`tfcheck check` and `tfcheck baseline`: findings for CI, in every report format."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import click

from tfcheck.baseline import render as render_baseline
from tfcheck.commands.options import (
    check_rule_ids,
    config_option,
    policies_option,
    read_policies,
    read_settings,
    source_from,
    source_options,
)
from tfcheck.config import lookup
from tfcheck.errors import ExitCode, TfcheckError
from tfcheck.findings import FailOn, exit_code
from tfcheck.formats import FORMATS, get_renderer
from tfcheck.formats.escape import block, terminal
from tfcheck.formats.findings.atlantis import error_output as atlantis_error
from tfcheck.load.inputs import source_paths
from tfcheck.outputs import parse_formats, write_atomic
from tfcheck.run import CheckOptions, build_report


@click.command()
@click.argument("plans", nargs=-1, metavar="[PLAN ...]")
@policies_option
@click.option("--only", multiple=True, metavar="RULE", help="Run only this rule; repeatable.")
@click.option("--skip", multiple=True, metavar="RULE", help="Do not run this rule; repeatable.")
@click.option(
    "--fail-on",
    type=click.Choice([f.value for f in FailOn]),
    default=FailOn.ERROR.value,
    show_default=True,
    help="Lowest severity of a failure that makes the exit code 1.",
)
@click.option("--strict", is_flag=True, help="Inconclusive results count as failures too.")
@click.option(
    "--fail-on-new",
    "only_new",
    is_flag=True,
    help="Update plans: only findings the change introduces (not in the plan's prior "
    "state) set the exit code; no baseline file needed.",
)
@click.option(
    "--format",
    "formats",
    multiple=True,
    metavar="NAME[:FILE]",
    help=f"Report format ({', '.join(FORMATS)}); default text. NAME:FILE writes that format to FILE "
    "instead of stdout; repeatable, e.g. --format github --format sarif:tfcheck.sarif.",
)
@click.option(
    "--baseline",
    "baseline_path",
    metavar="FILE",
    help="Findings recorded by `tfcheck baseline` are suppressed: only new ones fail.",
)
@config_option
@source_options
@click.option(
    "--usage",
    "usage_path",
    metavar="FILE",
    help="Markdown: add traffic from this usage file (as `tfcheck cost --usage`) to its cost section.",
)
@click.option(
    "--prices",
    "prices_path",
    metavar="FILE",
    help="Markdown cost section: override or add Regions in the built-in price table.",
)
@click.option(
    "--color/--no-color",
    "color",
    default=None,
    help="Colour the text report (default: when stdout is a terminal and NO_COLOR is unset or empty).",
)
@click.option(
    "--verbose",
    "-v",
    is_flag=True,
    help="Also list the checks that passed, the settings file used (and where it was looked for), how each plan was read, and what loading noticed, such as where a plan and its source disagree (every known value is then compared, which costs time).",
)
def check(
    plans: tuple[str, ...],
    policy_dirs: tuple[str, ...],
    only: tuple[str, ...],
    skip: tuple[str, ...],
    fail_on: str,
    strict: bool,
    only_new: bool,
    formats: tuple[str, ...],
    baseline_path: str | None,
    config_path: str | None,
    source_dir: str | None,
    no_source: bool,
    var_files: tuple[str, ...],
    variables: tuple[str, ...],
    usage_path: str | None,
    prices_path: str | None,
    color: bool | None,
    verbose: bool,
) -> int:
    """Check PLANs (`terraform show -json` output; '-' for stdin; none: $SHOWFILE) or
    directories of Terraform source (HCL mode); a .tf or .tfvars file stands for its
    directory (as pre-commit passes the changed files)."""
    try:
        fmt, files = parse_formats(formats, FORMATS)
    except ValueError as e:
        raise click.BadParameter(str(e), param_hint="--format") from None
    color = fmt == "text" and use_color(color, sys.stdout.isatty(), os.environ)
    options = CheckOptions(
        source_paths(plans),
        policy_dirs,
        only,
        skip,
        FailOn(fail_on),
        strict,
        fmt,
        config_path,
        verbose,
        color,
        tuple(files),
        baseline_path,
        source_from(source_dir, no_source, var_files, variables),
        usage=usage_path,
        prices=prices_path,
        only_new=only_new,
    )
    if fmt == "atlantis":
        return _atlantis(options)
    return run_check(options)


def use_color(flag: bool | None, tty: bool, env: Any) -> bool:
    """--color/--no-color when given; else a terminal, unless NO_COLOR is set to anything
    but the empty string (no-color.org: "when present and not an empty string")."""
    return flag if flag is not None else tty and not env.get("NO_COLOR")


def _atlantis(options: CheckOptions) -> int:
    """Atlantis reads a custom policy check's verdict from its output and drops the output of
    a step that exits non-zero, so this format always exits 0 once it has said FAIL or not,
    even when the input cannot be read (a policy check that passed silently would be worse)."""
    try:
        run_check(options)
    except TfcheckError as e:
        click.echo(terminal(f"tfcheck: error: {e.path}: {e.message}"), err=True)
        click.echo(block(atlantis_error(e.path, e.message)), nl=False)
    return ExitCode.OK


def run_check(options: CheckOptions) -> int:
    report = _report(options)
    for note in report.notes if options.format != "atlantis" else ():  # it shows them itself
        click.echo(f"tfcheck: warning: {terminal(note)}", err=True)
    for name, path in options.outputs:
        write_atomic(path, get_renderer(name)(report, color=False, verbose=options.verbose))
    if options.format is not None:
        render = get_renderer(options.format)
        click.echo(
            render(report, color=options.color, verbose=options.verbose),
            nl=False,
            color=options.color or None,
        )  # click would strip the colour from a pipe
    return exit_code(report, options.fail_on, options.strict, options.only_new)


def _report(options: CheckOptions) -> Any:
    config = read_settings(options.config)
    if options.verbose:  # which settings applied: the surfaces run in different directories
        where = f"--config {options.config}" if options.config else lookup(Path.cwd())
        click.echo(f"tfcheck: settings: {config.path or 'none (defaults)'} ({where})", err=True)
    policies = read_policies(options.policy_dirs, config)
    check_rule_ids(policies, options.only + options.skip)
    return build_report(options, config, policies)


@click.command("baseline")
@click.argument("plans", nargs=-1, metavar="[PLAN ...]")
@click.option("--output", "-o", required=True, metavar="FILE", help="Where to write the baseline (JSON).")
@policies_option
@config_option
@source_options
def baseline_cmd(
    plans: tuple[str, ...],
    output: str,
    policy_dirs: tuple[str, ...],
    config_path: str | None,
    source_dir: str | None,
    no_source: bool,
    var_files: tuple[str, ...],
    variables: tuple[str, ...],
) -> int:
    """Record PLANs' current findings in FILE; `check --baseline FILE` then fails only on new ones."""
    options = CheckOptions(
        plans,
        policy_dirs,
        (),
        (),
        FailOn.NEVER,
        False,
        None,
        config_path,
        False,
        False,
        source=source_from(source_dir, no_source, var_files, variables),
    )
    report = _report(options)
    write_atomic(output, render_baseline(report))
    count = len({(f.rule_id, f.address) for f in report.failed + report.inconclusive})
    click.echo(f"tfcheck: {count} finding{'' if count == 1 else 's'} recorded in {output}")
    return ExitCode.OK
