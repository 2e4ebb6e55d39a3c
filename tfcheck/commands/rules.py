"""`tfcheck rules`, `explain` and `test`: the rule pack, one rule, and policy fixtures."""

from __future__ import annotations

from pathlib import Path

import click

from tfcheck.commands.options import check_rule_ids, policies_option, read_policies
from tfcheck.errors import ExitCode, InputError
from tfcheck.formats.escape import block
from tfcheck.policy.cases import run_case
from tfcheck.policy.load import load_policies, policy_files


@click.command()
@policies_option
def rules(policy_dirs: tuple[str, ...]) -> int:
    """List the rules: id, severity, graph collection, title."""
    for p in read_policies(policy_dirs, None):
        off = "" if p.enabled else "  (off by default)"
        _echo(f"{p.id:<9} {p.severity.value:<8} {p.resource:<16} {p.title}{off}")
    return ExitCode.OK


@click.command()
@click.argument("rule")
@policies_option
def explain(rule: str, policy_dirs: tuple[str, ...]) -> int:
    """Show a rule's whole definition: why it exists, what it checks, how to fix it."""
    policies = {p.id: p for p in read_policies(policy_dirs, None)}
    check_rule_ids(policies.values(), (rule,))
    p = policies[rule]
    _echo(f"{p.id}  {p.title}")
    when = "".join(f"; {c.value.value} when {c.when.source}" for c in p.severity_when)
    _echo(f"severity: {p.severity.value}{when}")
    if not p.enabled:
        _echo("enabled:  no (off by default)")
    _echo(f"resource: {p.resource}")
    if p.where is not None:
        _echo(f"where:    {' '.join(p.where.source.split())}")
    _echo(f"assert:   {' '.join(p.assert_.source.split())}")
    _echo(f"file:     {p.file}")
    if p.description:
        _echo("\n" + p.description)
    if p.remediation is not None:
        _echo("\nfix: " + " ".join(p.remediation.source.split()))
    if p.page:
        _echo(f"docs: {p.page}")
    for link in p.links:
        _echo(f"see: {link}")
    return ExitCode.OK


@click.command("test")
@click.argument("directory", metavar="DIR")
@click.option("--builtin", is_flag=True, help="Test the built-in pack as well as DIR's policies.")
def test_cmd(directory: str, builtin: bool) -> int:
    """Run policy fixtures: each DIR/**/expected.yaml beside a plan.json is one case."""
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
        _echo(f"{'FAIL' if problems else 'ok  '}  {case}")
        for problem in problems:
            _echo(f"      {problem}")
    _echo(f"{len(cases)} cases, {failed} failed")
    return ExitCode.FINDINGS if failed else ExitCode.OK


def _echo(text: str) -> None:
    """Policy files may come from the pull request: their text is shown inert (escape.py)."""
    click.echo(block(text))
