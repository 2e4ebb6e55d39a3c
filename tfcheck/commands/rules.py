"""`tfcheck rules`, `explain` and `test`: the rule pack, one rule, and policy fixtures."""
from __future__ import annotations

from pathlib import Path

import click

from tfcheck.commands.options import check_rule_ids, policies_option, read_policies
from tfcheck.errors import ExitCode, InputError
from tfcheck.policy.cases import run_case
from tfcheck.policy.load import load_policies, policy_files


@click.command()
@policies_option
def rules(policy_dirs: tuple[str, ...]) -> int:
    """List the rules: id, severity, graph collection, title."""
    for p in read_policies(policy_dirs, None):
        off = "" if p.enabled else "  (off by default)"
        click.echo(f"{p.id:<9} {p.severity.value:<8} {p.resource:<16} {p.title}{off}")
    return ExitCode.OK


@click.command()
@click.argument("rule")
@policies_option
def explain(rule: str, policy_dirs: tuple[str, ...]) -> int:
    """Show a rule's whole definition: why it exists, what it checks, how to fix it."""
    policies = {p.id: p for p in read_policies(policy_dirs, None)}
    check_rule_ids(policies.values(), (rule,))
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
    if p.page:
        click.echo(f"docs: {p.page}")
    for link in p.links:
        click.echo(f"see: {link}")
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
        click.echo(f"{'FAIL' if problems else 'ok  '}  {case}")
        for problem in problems:
            click.echo(f"      {problem}")
    click.echo(f"{len(cases)} cases, {failed} failed")
    return ExitCode.FINDINGS if failed else ExitCode.OK
