"""IAM permissions as evidence of what a workload calls (graph/iam.py, hcl/policy_document.py)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tfcheck.graph.iam import Document, Roles, RoleUse, _denied, _statements, services_of
from tfcheck.hcl.policy_document import policy_document
from tfcheck.load.data_sources import offline_data
from tfcheck.model import Ref, Unknown


@pytest.mark.parametrize(
    "action, services",
    [
        ("ssm:GetParameter", ["ssm"]),
        ("SSM:getparameter*", ["ssm"]),
        ("secretsmanager:GetSecretValue", ["secretsmanager"]),
        ("cloudwatch:PutMetricData", ["monitoring"]),
        ("kinesis:PutRecord", ["kinesis-streams"]),
        ("ecs:Poll", ["ecs-agent"]),
        ("ecs:*", ["ecs"]),  # the ECS API; the agent's endpoints only by name
        ("ecr:GetDownloadUrlForLayer", ["ecr.dkr", "s3"]),
        ("ecr:Get*", ["ecr.api", "ecr.dkr", "s3"]),
        ("execute-api:Invoke", ["execute-api"]),
        ("*", []),
        ("s*:Get*", []),
        ("iam:PassRole", []),  # no regional endpoint in the table
        ("nonsense", []),
    ],
)
def test_services_of(action: str, services: list[str]) -> None:
    assert services_of(action) == services


def _read(document: Any) -> tuple[list[tuple[str, str]], list[tuple[bool, tuple[str, ...]]], str | None]:
    allows: list[tuple[str, str]] = []
    denies: list[tuple[bool, tuple[str, ...]]] = []
    problem = _statements(Document("p", document), allows, denies)
    return allows, denies, problem


def test_deny_covers_only_what_it_names() -> None:
    _, denies, _ = _read({"Statement": [{"Effect": "Deny", "Action": "ssm:*"}]})
    assert _denied("ssm:GetParameter", denies)
    assert _denied("ssm:Get*", denies)
    assert not _denied("kms:Decrypt", denies)
    _, narrow, _ = _read({"Statement": [{"Effect": "Deny", "Action": ["ssm:GetParameter"]}]})
    assert not _denied("ssm:*", narrow)  # the wildcard still allows other ssm actions


def test_deny_not_action_denies_everything_else() -> None:
    _, denies, _ = _read({"Statement": [{"Effect": "Deny", "NotAction": ["dynamodb:*"]}]})
    assert _denied("kinesis:PutRecord", denies)
    assert not _denied("dynamodb:GetItem", denies)


def test_allow_not_action_and_star_add_nothing() -> None:
    allows, _, problem = _read(
        {
            "Statement": [
                {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"},
                {"Effect": "Allow", "Action": "*", "Resource": "*"},
                {"Effect": "Allow", "Action": ["sqs:SendMessage"], "Resource": Ref("aws_sqs_queue.q", "arn")},
            ]
        }
    )
    assert allows == [("p", "sqs:SendMessage")] and problem is None


def test_unreadable_policies_say_why() -> None:
    assert "unknown" in str(_read(Unknown("unknown until apply"))[2])
    assert "not JSON" in str(_read("{nope")[2])
    allows, _, problem = _read({"Statement": [{"Effect": Unknown("x"), "Action": ["sqs:SendMessage"]}]})
    assert allows == [] and "unknown" in str(problem)


def test_policy_document_offline() -> None:
    doc = policy_document(
        {
            "statement": [
                {"actions": ["ssm:GetParameter"], "resources": [Unknown("arn")]},
                {"effect": "Deny", "not_actions": ["kms:*"]},
            ]
        }
    )
    statements = doc["json"]["Statement"]
    assert statements[0] == {"Effect": "Allow", "Action": ["ssm:GetParameter"], "Resource": [Unknown("arn")]}
    assert statements[1] == {"Effect": "Deny", "NotAction": ["kms:*"]}
    known = policy_document({"statement": [{"actions": ["sqs:SendMessage"], "resources": ["*"]}]})
    assert json.loads(known["json"])["Statement"][0]["Action"] == ["sqs:SendMessage"]


def test_deferred_data_source_from_the_plan() -> None:
    plan = {
        "resource_changes": [
            {
                "address": "data.aws_iam_policy_document.p",
                "mode": "data",
                "type": "aws_iam_policy_document",
                "change": {
                    "actions": ["read"],
                    "after": {
                        "statement": [
                            {"actions": ["ssm:GetParameter"], "effect": None, "resources": [None]},
                            {"actions": ["kms:Decrypt"], "effect": None},
                        ]
                    },
                    "after_unknown": {"statement": [{"resources": [True]}, {"effect": True}]},
                },
            }
        ]
    }
    found = offline_data(plan)["data.aws_iam_policy_document.p"]["json"]["Statement"]
    assert found[0]["Effect"] == "Allow" and found[0]["Resource"] == [Unknown("unknown until apply")]
    assert found[1]["Effect"] == Unknown("unknown until apply")  # not defaulted to Allow


class _Builder:
    """The two things Roles reads from a graph Builder."""

    def __init__(self, *instances: Any) -> None:
        from tfcheck.graph.edges import Edges

        self.instances = {i.address: i for i in instances}
        self.edges = Edges(self.instances)

    def of(self, *types: str) -> list[Any]:
        return [i for i in self.instances.values() if i.type in types]


def test_roles_honour_deny_across_documents_and_on_behalf() -> None:
    from tfcheck.model import Instance

    role = Instance("aws_iam_role.r", "aws_iam_role", "", None, {"name": "r"})
    allow = Instance(
        "aws_iam_role_policy.a",
        "aws_iam_role_policy",
        "",
        None,
        {
            "role": Ref("aws_iam_role.r", "id"),
            "policy": json.dumps(
                {
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Action": [
                                "sqs:SendMessage",
                                "sns:Publish",
                                "logs:PutLogEvents",
                                "ec2:CreateNetworkInterface",
                            ],
                        }
                    ]
                }
            ),
        },
    )
    deny = Instance(
        "aws_iam_role_policy.d",
        "aws_iam_role_policy",
        "",
        None,
        {"role": "r", "policy": {"Statement": [{"Effect": "Deny", "Action": "sns:*"}]}},
    )
    managed = Instance(
        "aws_iam_role_policy_attachment.m",
        "aws_iam_role_policy_attachment",
        "",
        None,
        {
            "role": Ref("aws_iam_role.r", "name"),
            "policy_arn": "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
        },
    )
    roles = Roles(_Builder(role, allow, deny, managed))  # type: ignore[arg-type]
    needs, reason = roles.needs([RoleUse("aws_iam_role.r", "Lambda role", ("lambda",))])
    assert sorted(needs) == ["ec2messages", "sqs", "ssm", "ssmmessages"] and reason is None
    assert needs["sqs"] == ["IAM: aws_iam_role_policy.a allows sqs:SendMessage (Lambda role)"]
    as_task, _ = roles.needs([RoleUse("aws_iam_role.r", "task role")])
    assert {"ec2", "logs"} <= set(as_task)  # only Lambda does those for the code
