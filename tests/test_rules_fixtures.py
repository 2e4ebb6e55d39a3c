"""Every fixture case under fixtures/rules/<RULE>/<case>/ against the built-in pack."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from conftest import REPO

from tfcheck.policy.load import Policy, load_policies

RULES = REPO / "fixtures" / "rules"
CASES = sorted(p.parent for p in RULES.glob("*/*/expected.yaml"))


@pytest.fixture(scope="module")
def builtin() -> tuple[Policy, ...]:
    return load_policies(validate_builtin=True)


@pytest.mark.parametrize("case", CASES, ids=[str(c.relative_to(RULES)) for c in CASES])
def test_fixture_case(case: Path, builtin: tuple[Policy, ...]) -> None:
    if not (case / "plan.json").is_file():
        pytest.skip("plan.json not generated yet (tools/regen_fixtures.py)")
    pytest.importorskip("tfcheck.graph.build")
    from tfcheck.policy.cases import run_case

    expected = yaml.safe_load((case / "expected.yaml").read_text(encoding="utf-8"))
    assert expected.get("rule", case.parent.name) == case.parent.name
    assert run_case(case, builtin) == []


def test_every_rule_has_pass_and_fail_cases(builtin: tuple[Policy, ...]) -> None:
    for policy in builtin:
        names = [p.name for p in (RULES / policy.id).iterdir()] if (RULES / policy.id).is_dir() else []
        assert any(n.startswith("pass") for n in names), f"{policy.id}: no pass case"
        assert any(n.startswith("fail") for n in names), f"{policy.id}: no fail case"
