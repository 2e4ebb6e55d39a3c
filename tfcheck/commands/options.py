"""Options and settings the commands share: policies, settings file, source, the validation cache."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from tfcheck.config import Config, find_config, load_config
from tfcheck.load.inputs import SourceOptions
from tfcheck.policy.load import Policy, load_policies, rule_ids
from tfcheck.user_cache import cache_root


def policies_option(f: Any) -> Any:
    return click.option(
        "--policies",
        "policy_dirs",
        multiple=True,
        metavar="DIR",
        help="Also load the policy files (*.yaml) of DIR; repeatable.",
    )(f)


def source_options(f: Any) -> Any:
    """How a plan's HCL source is found, and the variables HCL mode evaluates with."""
    options = [
        click.option(
            "--source",
            "source_dir",
            metavar="DIR",
            help="The root module's source, read with the plan (default: the plan's "
            "directory or the current one, when their .tf files declare its resources).",
        ),
        click.option("--no-source", is_flag=True, help="Read the plan alone, without its source."),
        click.option(
            "--var-file",
            "var_files",
            multiple=True,
            metavar="FILE",
            help="HCL mode: a .tfvars file; repeatable.",
        ),
        click.option(
            "--var",
            "variables",
            multiple=True,
            metavar="NAME=VALUE",
            help="HCL mode: a root variable; repeatable.",
        ),
    ]
    for option in reversed(options):
        f = option(f)
    return f


def source_from(
    source_dir: str | None, no_source: bool, var_files: tuple[str, ...], variables: tuple[str, ...]
) -> SourceOptions:
    pairs = []
    for item in variables:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise click.BadParameter(f"{item!r} is not NAME=VALUE", param_hint="--var")
        pairs.append((name, value))
    return SourceOptions(source_dir, not no_source, var_files, tuple(pairs))


def config_option(f: Any) -> Any:
    return click.option(
        "--config",
        "config_path",
        metavar="FILE",
        help="Settings file (default: the nearest .tfcheck.yml from the current directory up to the repository root).",
    )(f)


def read_settings(path: str | None) -> Config:
    return load_config(path if path is not None else find_config(Path.cwd()), cache_dir())


def read_policies(policy_dirs: Sequence[str], config: Config | None) -> tuple[Policy, ...]:
    policies = load_policies(policy_dirs, cache_dir=cache_dir() if policy_dirs else None)
    if config is not None:
        config.check_rules(rule_ids(policies))
    return policies


def check_rule_ids(policies: Any, ids: Sequence[str]) -> None:
    known = {p.id for p in policies}
    for rule in ids:
        if rule not in known:
            raise click.BadParameter(f"unknown rule {rule!r}; `tfcheck rules` lists them", param_hint="RULE")


def cache_dir() -> Path | None:
    """Markers of user files already found schema-valid (tfcheck/user_cache.py);
    TFCHECK_NO_CACHE=1 turns them off."""
    if os.environ.get("TFCHECK_NO_CACHE"):
        return None
    root = cache_root()
    return root / "validated" if root is not None else None
