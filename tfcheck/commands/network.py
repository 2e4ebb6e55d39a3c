"""`tfcheck graph` and `tfcheck reach`: the network tfcheck sees, and each workload's paths."""

from __future__ import annotations

import click

from tfcheck.commands.options import config_option, read_settings, source_from, source_options
from tfcheck.config import graph_options
from tfcheck.errors import ExitCode
from tfcheck.formats import GRAPH_FORMATS, REACH_FORMATS, get_renderer
from tfcheck.graph.read import read_graph


@click.command()
@click.argument("plan")
@click.option("--format", "fmt", type=click.Choice(list(GRAPH_FORMATS)), default="json", show_default=True)
@config_option
@source_options
def graph(
    plan: str,
    fmt: str,
    config_path: str | None,
    source_dir: str | None,
    no_source: bool,
    var_files: tuple[str, ...],
    variables: tuple[str, ...],
) -> int:
    """Print the network graph tfcheck builds from PLAN or a source directory
    (mermaid/dot: a diagram of it)."""
    data, _ = read_graph(
        plan,
        graph_options(read_settings(config_path)),
        source_from(source_dir, no_source, var_files, variables),
    )
    click.echo(get_renderer(fmt, GRAPH_FORMATS)(data), nl=False)
    return ExitCode.OK


@click.command()
@click.argument("plan")
@click.option("--format", "fmt", type=click.Choice(list(REACH_FORMATS)), default="text", show_default=True)
@config_option
@source_options
def reach(
    plan: str,
    fmt: str,
    config_path: str | None,
    source_dir: str | None,
    no_source: bool,
    var_files: tuple[str, ...],
    variables: tuple[str, ...],
) -> int:
    """Per workload, each AWS service it needs and the path its calls take."""
    data, _ = read_graph(
        plan,
        graph_options(read_settings(config_path)),
        source_from(source_dir, no_source, var_files, variables),
    )
    click.echo(get_renderer(fmt, REACH_FORMATS)(data), nl=False)
    return ExitCode.OK
