from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tfcheck.errors import PolicyError
from tfcheck.findings import Severity
from tfcheck.policy.dialect import WHOLE_ITEM
from tfcheck.policy.load import (
    Placeholder,
    Policy,
    builtin_dir,
    load_policies,
    load_policy_file,
    select,
)

CATALOG = [
    "VPCE001",
    "VPCE002",
    "VPCE003",
    "VPCE004",
    "VPCE005",
    "VPCE010",
    "VPCE011",
    "VPCE012",
    "VPCE013",
    "VPCE014",
    "VPCE015",
    "VPCE020",
    "VPCE021",
    "VPCE022",
    "VPCE023",
    "VPCE024",
    "VPCE025",
    "VPCE026",
    "VPCE027",
    "VPCE028",
    "VPCE029",
    "VPCE030",
    "VPCE031",
]
# The graph contract lives in one place, the schema shipped in the package.
GRAPH_SCHEMA = json.loads((Path(__file__).parent.parent / "tfcheck" / "graph" / "schema.json").read_text())
CONTRACT = {
    name: set(spec["items"]["properties"])
    for name, spec in GRAPH_SCHEMA["properties"].items()
    if spec.get("type") == "array"
}

GOOD = """\
id: X001
title: A test rule
severity: error
resource: endpoints
where: "type == 'Interface'"
assert: "private_dns == `true`"
message: "{address} has private DNS off"
"""


@pytest.fixture(scope="module")
def builtin() -> tuple[Policy, ...]:
    return load_policies(validate_builtin=True)


def test_builtin_pack_is_the_catalog_and_passes_the_schema(builtin: tuple[Policy, ...]) -> None:
    assert [p.id for p in builtin] == CATALOG
    for policy in builtin:
        assert Path(policy.file).name == f"{policy.id}.yaml"
        assert policy.remediation is not None and policy.description
        assert policy.links, policy.id
    assert [p.id for p in builtin if not p.enabled] == ["VPCE028"]


def test_builtin_policies_read_only_contract_fields(builtin: tuple[Policy, ...]) -> None:
    for policy in builtin:
        allowed = CONTRACT[policy.resource]
        exprs = [policy.assert_] + ([policy.where] if policy.where else [])
        exprs += [c.when for c in policy.severity_when + policy.notes]
        templates = [policy.message, policy.remediation] + [n.value for n in policy.notes]
        exprs += [p.expr for t in templates if t for p in t.parts if isinstance(p, Placeholder)]
        for expr in exprs:
            assert WHOLE_ITEM not in expr.fields, (policy.id, expr.source)
            assert expr.fields <= allowed, (policy.id, expr.source, expr.fields - allowed)


def test_builtin_severities_follow_the_catalog(builtin: tuple[Policy, ...]) -> None:
    by_id = {p.id: p for p in builtin}
    assert {i for i, p in by_id.items() if p.severity is Severity.WARNING} == {
        "VPCE003",
        "VPCE027",
        "VPCE031",
    }
    assert {i for i, p in by_id.items() if p.severity is Severity.INFO} == {"VPCE022", "VPCE023"}
    assert [c.value for c in by_id["VPCE010"].severity_when] == [Severity.WARNING]
    assert [c.value for c in by_id["VPCE014"].severity_when] == [Severity.WARNING]
    assert [c.value for c in by_id["VPCE020"].severity_when] == [Severity.WARNING]  # IAM-only evidence


def test_builtin_dir_is_the_checkout_pack() -> None:
    assert builtin_dir() == Path(__file__).resolve().parent.parent / "policies"


def test_start_up_imports_stay_lazy() -> None:
    """Built-in policies load without jsonschema; importing the CLI loads no YAML/JMESPath."""
    code = (
        "import sys; import tfcheck.cli; lazy = [m for m in ('yaml', 'jmespath', 'jsonschema') "
        "if m in sys.modules]; from tfcheck.policy.load import load_policies; load_policies(); "
        "print(lazy, 'jsonschema' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    assert out.stdout.strip() == "[] False"


def test_user_policy_loads(write_policy: Callable[..., Path]) -> None:
    directory = write_policy(GOOD)
    (policy,) = load_policies([directory], builtin=False)
    assert policy.id == "X001" and policy.severity is Severity.ERROR and policy.enabled
    assert policy.where is not None and policy.where.fields == {"type"}
    assert policy.file == str(directory / "RULE.yaml")


@pytest.mark.parametrize(
    ("text", "fragments"),
    [
        (GOOD + "bogus: 1\n", ["rule X001: $", "'bogus' was unexpected"]),
        (GOOD.replace("severity: error", "severity: fatal"), ["$.severity (line 3)", "'fatal'"]),
        (GOOD.replace("resource: endpoints\n", ""), ["'resource' is a required property"]),
        (GOOD.replace("endpoints", "lambdas"), ["$.resource (line 4)"]),
        (GOOD + "severity_when: [{if: 'x', severity: loud}]\n", ["$.severity_when[0].severity (line 8)"]),
        (GOOD + "links: [ftp://x]\n", ["$.links[0]"]),
        ("- a list\n", ["$ (line 1): ['a list'] is not of type 'object'"]),
    ],
)
def test_schema_errors_name_file_path_and_line(
    write_policy: Callable[..., Path], text: str, fragments: list[str]
) -> None:
    directory = write_policy(text)
    with pytest.raises(PolicyError) as info:
        load_policies([directory], builtin=False)
    assert info.value.path == str(directory / "RULE.yaml")
    for fragment in fragments:
        assert fragment in info.value.message


@pytest.mark.parametrize(
    ("old", "new", "fragments"),
    [
        (
            "private_dns == `true`",
            "private_dns ==",
            ["rule X001: $.assert (line 6)", "incomplete expression"],
        ),
        ("type == 'Interface'", "type = 'Interface'", ["$.where (line 5)", "at column 6"]),
        ("private_dns == `true`", "nope(private_dns)", ["unknown function nope()"]),
        ("{address} has", "{address has", ["$.message", "unmatched '{'"]),
        ("{address} has", "{addr ess} has", ["$.message", "Unexpected token"]),
    ],
)
def test_expression_errors_name_rule_key_line_and_column(
    write_policy: Callable[..., Path], old: str, new: str, fragments: list[str]
) -> None:
    directory = write_policy(GOOD.replace(old, new))
    with pytest.raises(PolicyError) as info:
        load_policies([directory], builtin=False)
    for fragment in fragments:
        assert fragment in info.value.message, info.value.message


def test_yaml_syntax_error_names_line(write_policy: Callable[..., Path]) -> None:
    directory = write_policy("id: X\ntitle: [unclosed\n")
    with pytest.raises(PolicyError, match="not valid YAML at line"):
        load_policies([directory], builtin=False)


def test_duplicate_ids_are_refused(write_policy: Callable[..., Path]) -> None:
    write_policy(GOOD, "a.yaml")
    directory = write_policy(GOOD, "b.yaml")
    with pytest.raises(PolicyError, match=r"rule id X001 is already defined in .*a\.yaml"):
        load_policies([directory], builtin=False)


def test_user_policy_may_not_reuse_a_builtin_id(write_policy: Callable[..., Path]) -> None:
    directory = write_policy(GOOD.replace("X001", "VPCE010"))
    with pytest.raises(PolicyError, match="VPCE010 is already defined"):
        load_policies([directory])


def test_missing_policy_dir(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="not a directory"):
        load_policies([tmp_path / "nope"], builtin=False)


def test_template_braces_and_specs(write_policy: Callable[..., Path]) -> None:
    text = GOOD.replace('"{address} has private DNS off"', '"{{literal}} {subnets:explain} {paths.s3.via}"')
    (policy,) = load_policies([write_policy(text)], builtin=False)
    parts = policy.message.parts
    assert parts[0] == "{literal} "
    assert isinstance(parts[1], Placeholder) and parts[1].spec == "explain"
    assert isinstance(parts[3], Placeholder) and parts[3].expr.fields == {"paths"}


def test_unvalidated_load_of_a_single_file(write_policy: Callable[..., Path]) -> None:
    directory = write_policy(GOOD)
    assert load_policy_file(directory / "RULE.yaml", validate=False).id == "X001"


def test_select_precedence(builtin: tuple[Policy, ...]) -> None:
    ids = lambda ps: [p.id for p in ps]  # noqa: E731
    default = select(builtin)
    assert "VPCE028" not in ids(default) and len(default) == 22
    assert "VPCE028" in ids(select(builtin, enabled=["VPCE028"]))
    assert ids(select(builtin, only=["VPCE028", "VPCE010"])) == ["VPCE010", "VPCE028"]
    assert ids(select(builtin, only=["VPCE010"], disabled=["VPCE010"])) == ["VPCE010"]
    assert "VPCE022" not in ids(select(builtin, disabled=["VPCE022"]))
    assert ids(select(builtin, only=["VPCE010", "VPCE011"], skip=["VPCE011"])) == ["VPCE010"]
    (vpce010,) = select(builtin, only=["VPCE010"], severity={"VPCE010": Severity.INFO})
    assert vpce010.severity is Severity.INFO and vpce010.severity_when == ()


def test_builtin_pack_json_is_current() -> None:
    """tfcheck/policy/builtin.json is what tools/build_policy_pack.py makes of policies/."""
    result = subprocess.run(
        [sys.executable, "tools/build_policy_pack.py", "--check"],
        cwd=Path(__file__).parent.parent,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_builtin_pack_loads_without_yaml_and_matches_the_yaml() -> None:
    code = (
        "import sys; from tfcheck.policy.load import load_policies; p = load_policies(); "
        "print(len(p), 'yaml' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=Path(__file__).parent.parent,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert out == ["23", "False"]
    assert load_policies() == load_policies(validate_builtin=True)


def test_a_stale_pack_is_not_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tfcheck.policy import load as policy

    pack = json.loads(policy.PACK_FILE.read_text())
    pack["policies"][0]["text"] += "# edited\n"
    pack["policies"][0]["doc"]["title"] = "stale title"
    stale = tmp_path / "pack.json"
    stale.write_text(json.dumps(pack))
    monkeypatch.setattr(policy, "PACK_FILE", stale)
    assert "stale title" not in {p.title for p in load_policies()}
