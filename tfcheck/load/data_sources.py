"""Load stage: data sources the plan does not resolve but tfcheck can, offline.

A plan holds a data source's result only when it was read during planning (`prior_state`);
one whose arguments name values known only at apply (an `aws_iam_policy_document` whose
statement names an ARN created in the same plan) is deferred, and `resource_changes` keeps
only its arguments. For the kinds the provider computes locally (hcl/policy_document.py),
tfcheck computes the result from those arguments, so references to it resolve in plan mode
as they do in source mode. A data source that reads back a resource of the same plan
(`data "aws_eks_cluster"` whose `name` references `aws_eks_cluster.main`) is that resource.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from tfcheck.aws import DATA_READS, OFFLINE_DATA_TYPES
from tfcheck.load.plan import module_resources
from tfcheck.model import Ref, Unknown, resource_type


def state_data_sources(plan_data: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    """Every data source instance the plan read (its `prior_state`), in any module."""
    prior = plan_data.get("prior_state")
    values = prior.get("values") if isinstance(prior, dict) else None
    root = values.get("root_module") if isinstance(values, dict) else None
    for resource in module_resources(root):
        if resource.get("mode") == "data" and isinstance(resource.get("address"), str):
            yield resource


def offline_data(plan_data: Mapping[str, Any]) -> dict[str, Any]:
    """Address (with its key) → attribute values of each offline-computable data source."""
    out: dict[str, Any] = {}
    for resource in state_data_sources(plan_data):
        if resource.get("type") in OFFLINE_DATA_TYPES and isinstance(resource.get("values"), dict):
            out[resource["address"]] = resource["values"]
    changes = plan_data.get("resource_changes")
    for change in changes if isinstance(changes, list) else ():
        if not isinstance(change, dict) or change.get("mode") != "data":
            continue
        body = change.get("change")
        address = change.get("address")
        if (
            change.get("type") not in OFFLINE_DATA_TYPES
            or not isinstance(body, dict)
            or not isinstance(address, str)
            or address in out
        ):
            continue
        # The evaluator's functions, only for a plan that defers such a data source.
        from tfcheck.hcl.policy_document import OFFLINE_DATA

        compute = OFFLINE_DATA[str(change.get("type"))]
        after = _unknowns(body.get("after"), body.get("after_unknown"))
        if isinstance(after, dict):
            out[address] = compute(after)
    return out


def _unknowns(value: Any, unknown: Any) -> Any:
    """A planned value with each part `after_unknown` marks replaced by an Unknown."""
    if unknown is True:
        return Unknown("unknown until apply")
    if isinstance(value, dict):
        keyed = unknown if isinstance(unknown, dict) else {}
        return {k: _unknowns(v, keyed.get(k)) for k, v in value.items()}
    if isinstance(value, list):
        listed = unknown if isinstance(unknown, list) else []
        return [_unknowns(v, listed[i] if i < len(listed) else None) for i, v in enumerate(value)]
    return value


def read_back(kind: str, config: Mapping[str, Any] | None, evaluate: Callable[[Any], Any]) -> str | None:
    """The managed resource a data source reads back (aws.DATA_READS), if the plan has it."""
    if config is None or "count" in config or "for_each" in config:
        return None
    expressions = config.get("expressions") or {}
    for argument in DATA_READS.get(kind, ()):
        value = evaluate(expressions.get(argument))
        if isinstance(value, Ref) and resource_type(value.address) == kind:
            return value.address
    return None
