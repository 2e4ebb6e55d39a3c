from __future__ import annotations

import re
from pathlib import Path

from tfcheck.policy import load_policies

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
