"""Graph stage helper: the needs AWS documents for a workload kind, from graph/kinds.json.

Each kind's entry names its source (an AWS guide); its `needs` always apply, its `when`
needs only when the plan shows the feature: `irsa` (an aws_iam_openid_connect_provider whose
url comes from the cluster), `pod_identity` (an aws_eks_pod_identity_association or the
eks-pod-identity-agent add-on for the cluster), `cloudwatch_addon` (the
amazon-cloudwatch-observability add-on).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from tfcheck.graph.builder import Builder, Draft
from tfcheck.model import Instance, Ref, Unknown

KINDS: Mapping[str, Any] = json.loads(Path(__file__).with_name("kinds.json").read_text(encoding="utf-8"))[
    "kinds"
]


def kind_needs(b: Builder, item: Draft, inst: Instance, cluster: str | None) -> None:
    """Add the documented needs of `item`'s kind (with the source link in the reason)."""
    entry = KINDS.get(item["kind"])
    if entry is None:
        return
    for service, why in entry.get("needs", {}).items():
        item["need_reasons"].setdefault(service, why)
    for condition, needs in entry.get("when", {}).items():
        if CONDITIONS[condition](b, cluster):
            for service, why in needs.items():
                item["need_reasons"].setdefault(service, why)


def _points_at(value: Any, address: str | None) -> bool:
    if address is None:
        return False
    if isinstance(value, Ref):
        return value.address == address
    if isinstance(value, Unknown):
        return any(r.address == address for r in value.refs)
    if isinstance(value, list):
        return any(_points_at(v, address) for v in value)
    return False


def _irsa(b: Builder, cluster: str | None) -> bool:
    return any(_points_at(p.values.get("url"), cluster) for p in b.of("aws_iam_openid_connect_provider"))


def _addon(b: Builder, cluster: str | None, name: str) -> bool:
    return any(
        a.values.get("addon_name") == name and _points_at(a.values.get("cluster_name"), cluster)
        for a in b.of("aws_eks_addon")
    )


def _pod_identity(b: Builder, cluster: str | None) -> bool:
    return _addon(b, cluster, "eks-pod-identity-agent") or any(
        _points_at(a.values.get("cluster_name"), cluster) for a in b.of("aws_eks_pod_identity_association")
    )


CONDITIONS: Mapping[str, Callable[[Builder, str | None], bool]] = {
    "irsa": _irsa,
    "pod_identity": _pod_identity,
    "cloudwatch_addon": lambda b, cluster: _addon(b, cluster, "amazon-cloudwatch-observability"),
}
