"""`tfcheck test`: a policy fixture case (`plan.json` + `expected.yaml`) against what the rules say."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from tfcheck.config import Config, graph_options, load_config
from tfcheck.errors import InputError
from tfcheck.findings import compare_expected
from tfcheck.graph.read import read_graph
from tfcheck.policy.evaluate import evaluate
from tfcheck.policy.load import Policy, rule_ids, select


def run_case(case_dir: Path, policies: Sequence[Policy]) -> list[str]:
    """Differences between a fixture case (`plan.json` + `expected.yaml`) and what the rules say.

    expected.yaml: `results: {address: outcome | {outcome, severity, mentions}}`, optional
    `rule:` (only that rule's results count) and `config:` (settings file beside the case).
    """
    import yaml  # only `tfcheck test` reads YAML this way: keep it off the check's start-up

    expected_path = case_dir / "expected.yaml"
    try:
        expected = yaml.safe_load(expected_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as e:
        raise InputError(str(expected_path), f"cannot read the expectations: {e}") from None
    if not isinstance(expected, dict) or not isinstance(expected.get("results"), dict):
        raise InputError(str(expected_path), "must be a mapping with `results: {address: outcome}`")
    rule = expected.get("rule")
    known = rule_ids(policies)
    if rule is not None and rule not in known:
        return [f"rule {rule} is not among the loaded policies"]
    config = load_config(case_dir / expected["config"]) if expected.get("config") else Config()
    config.check_rules(known)
    chosen = select(policies, disabled=config.disabled, enabled=config.enabled, severity=config.severity)
    if rule is not None:
        chosen = tuple(p for p in chosen if p.id == rule)
    plan = case_dir / "plan.json"
    results = evaluate(chosen, read_graph(str(plan), graph_options(config))[0], plan=str(plan))
    return compare_expected(results, expected["results"], rule)
