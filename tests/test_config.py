from __future__ import annotations

from pathlib import Path

import pytest

from tfcheck.config import Config, find_config, graph_options, load_config
from tfcheck.errors import ConfigError
from tfcheck.findings import Severity

FULL = """\
version: 1
severity:
  VPCE012: warning
disable: [VPCE022]
needs:
  "module.app.aws_ecs_service.*": [sqs, sts]
default_needs: [s3, logs]
hub_dns: ["module.hub.aws_vpc_endpoint.*"]
egress: endpoints-only
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / ".tfcheck.yml"
    path.write_text(text, encoding="utf-8")
    return path


def test_full_config(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, FULL))
    assert config.severity == {"VPCE012": Severity.WARNING}
    assert config.disabled == ("VPCE022",)
    assert config.extra_needs == (("module.app.aws_ecs_service.*", ("sqs", "sts")),)
    assert config.default_needs == ("s3", "logs")
    assert config.hub_dns == ("module.hub.aws_vpc_endpoint.*",)
    assert config.enabled == ("VPCE028",)


def test_no_file_and_empty_file_mean_defaults(tmp_path: Path) -> None:
    assert load_config(None) == Config()
    config = load_config(write(tmp_path, "# nothing yet\n"))
    assert (config.enabled, config.default_needs, config.disabled) == ((), None, ())


def test_graph_options_carry_what_the_graph_needs(tmp_path: Path) -> None:
    options = graph_options(load_config(write(tmp_path, FULL)))
    assert options.extra_needs == (("module.app.aws_ecs_service.*", ("sqs", "sts")),)
    assert options.hub_dns == ("module.hub.aws_vpc_endpoint.*",)
    assert options.default_needs == ("s3", "logs")


@pytest.mark.parametrize(
    ("text", "fragments"),
    [
        ("egress: none\n", ["$.egress (line 1)", "'none' is not one of"]),
        ("disabled: [VPCE022]\n", ["$ (line 1)", "'disabled' was unexpected"]),
        ("severity: {VPCE012: loud}\n", ["$.severity.VPCE012 (line 1)"]),
        ("needs: {x: [SQS]}\n", ["$.needs.x[0]"]),
        ("- 1\n", ["is not of type 'object', 'null'"]),
        ("a: [\n", ["not valid YAML at line 2"]),
    ],
)
def test_bad_config_names_file_path_and_line(tmp_path: Path, text: str, fragments: list[str]) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert info.value.path == str(path)
    for fragment in fragments:
        assert fragment in info.value.message, info.value.message


def test_missing_config_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such settings file"):
        load_config(tmp_path / "nope.yml")


def test_unknown_rule_ids_are_reported(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, "disable: [VPCE999]\n"))
    with pytest.raises(ConfigError, match="disable: unknown rule VPCE999"):
        config.check_rules(["VPCE001"])


def test_find_config(tmp_path: Path) -> None:
    assert find_config(tmp_path) is None
    path = write(tmp_path, "")
    assert find_config(tmp_path) == path


def test_a_validated_file_is_remembered_by_content(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    path = write(tmp_path, FULL)
    load_config(path, cache)
    (marker,) = cache.iterdir()
    load_config(path, cache)  # hit: same content
    write(tmp_path, "egress: open\n")
    with pytest.raises(ConfigError):  # new content is validated again
        load_config(path, cache)
    assert list(cache.iterdir()) == [marker]


def test_a_cache_hit_skips_importing_jsonschema(tmp_path: Path) -> None:
    import subprocess
    import sys

    from conftest import REPO

    path = write(tmp_path, FULL)
    code = (
        f"import sys; from pathlib import Path; from tfcheck.config import load_config; "
        f"load_config({str(path)!r}, Path({str(tmp_path / 'c')!r})); print('jsonschema' in sys.modules)"
    )
    runs = [
        subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO
        ).stdout.strip()
        for _ in range(2)
    ]
    assert runs == ["True", "False"]


def test_find_config_walks_up_to_the_repository_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    outer = tmp_path / ".tfcheck.yml"  # above the repository: never read
    outer.write_text("disable: [VPCE022]\n")
    repo = tmp_path / "repo"
    project = repo / "stacks" / "network"
    project.mkdir(parents=True)
    (repo / ".git").write_text("gitdir: /elsewhere\n")  # a worktree's .git is a file
    assert find_config(project) is None
    (repo / ".tfcheck.yml").write_text("disable: [VPCE023]\n")
    monkeypatch.chdir(project)
    assert find_config(project) == repo / ".tfcheck.yml"
    assert find_config(Path(".")) == repo / ".tfcheck.yml"
    (repo / "stacks" / ".tfcheck.yml").write_text("disable: [VPCE024]\n")
    assert find_config(project) == repo / "stacks" / ".tfcheck.yml"  # the nearest wins
    (project / ".tfcheck.yml").write_text("disable: [VPCE012]\n")
    assert find_config(project) == Path(".tfcheck.yml")  # named relative to the working directory
    monkeypatch.chdir(repo)
    assert find_config(repo) == Path(".tfcheck.yml")


def test_find_config_outside_a_repository_reads_only_the_working_directory(tmp_path: Path) -> None:
    (tmp_path / ".tfcheck.yml").write_text("disable: [VPCE022]\n")
    below = tmp_path / "a"
    below.mkdir()
    if not any((d / ".git").exists() for d in (below, *below.parents)):
        assert find_config(below) is None


def test_verbose_names_the_settings_file_and_where_it_looked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from conftest import REPO

    from tfcheck.cli import main

    repo = tmp_path / "repo"
    project = repo / "stacks" / "network"
    project.mkdir(parents=True)
    (repo / ".git").mkdir()
    (repo / ".tfcheck.yml").write_text("severity: {VPCE012: warning}\n")
    monkeypatch.chdir(project)
    plan = str(REPO / "fixtures/rules/VPCE012/fail/plan.json")
    assert main(["check", plan, "--verbose"]) == 0  # the root's settings apply in a project directory
    err = capsys.readouterr().err
    assert (
        f"tfcheck: settings: {repo / '.tfcheck.yml'} (from {project.resolve()} up to the repository root "
        f"{repo.resolve()})" in err
    )
