from __future__ import annotations

import re
from pathlib import Path

from tfcheck.policy.load import load_policies

ROOT = Path(__file__).parent.parent
README = (ROOT / "README.md").read_text()


def test_readme_opens_with_the_two_setup_commands() -> None:
    block = re.search(r"```sh\n(.*?)```", README, re.S)
    assert block is not None and README.index("```sh") < README.index("\n## ")
    commands = block.group(1).strip().splitlines()
    assert len(commands) == 2
    assert "tfcheck check fixtures/demo/plan.json" in commands[0]
    assert "pytest" in commands[1]
    assert (ROOT / "fixtures" / "demo" / "plan.json").is_file()


def test_ci_runs_the_readme_test_command() -> None:
    script = (ROOT / ".ci" / "run").read_text()
    assert "README.md" in script and "n == 2" in script


def test_readme_lists_every_rule() -> None:
    for policy in load_policies():
        assert f"| {policy.id} |" in README, policy.id


def test_readme_config_example_is_valid(tmp_path: Path) -> None:
    from tfcheck.config import load_config

    section = README[README.index("## Configuration") :]
    example = re.search(r"```yaml\n(.*?)```", section, re.S)
    assert example is not None
    (tmp_path / ".tfcheck.yml").write_text(example.group(1))
    config = load_config(tmp_path / ".tfcheck.yml")
    assert config.egress == "endpoints-only" and config.waivers and config.internet_destinations
