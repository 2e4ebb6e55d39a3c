"""`tfcheck cost`: NAT gateway vs VPC endpoint cost per VPC, and whether the NAT can go."""

from __future__ import annotations

import click

from tfcheck.commands.options import config_option, read_settings, source_from, source_options
from tfcheck.errors import ExitCode
from tfcheck.formats import COST_FORMATS, get_renderer
from tfcheck.run import cost_report


@click.command()
@click.argument("plans", nargs=-1, metavar="[PLAN ...]")
@click.option(
    "--usage",
    "usage_path",
    metavar="FILE",
    help="Traffic assumptions: Infracost usage file and/or tfcheck service_traffic (YAML/JSON).",
)
@click.option(
    "--prices",
    "prices_path",
    metavar="FILE",
    help="Override or add Regions in the built-in price table (see prices.schema.json).",
)
@click.option("--format", "fmt", type=click.Choice(list(COST_FORMATS)), default="text", show_default=True)
@config_option
@source_options
def cost(
    plans: tuple[str, ...],
    usage_path: str | None,
    prices_path: str | None,
    fmt: str,
    config_path: str | None,
    source_dir: str | None,
    no_source: bool,
    var_files: tuple[str, ...],
    variables: tuple[str, ...],
) -> int:
    """Monthly NAT gateway vs VPC endpoint cost per VPC, and whether the NAT gateways can go."""
    doc = cost_report(
        list(plans),
        usage_path,
        prices_path,
        read_settings(config_path),
        source_from(source_dir, no_source, var_files, variables),
    )
    click.echo(get_renderer(fmt, COST_FORMATS)(doc), nl=False)
    return ExitCode.OK
