"""Data sources Terraform reads without calling AWS, evaluated offline in HCL mode.

`aws_region` is the provider's Region (or the one its `name`/`region` argument names),
`aws_partition` follows from that Region, and `aws_default_tags` is the provider's
`default_tags` block. Any other data source, and any attribute of these that only AWS
knows (a Region's description), stays unknown with its reason.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tfcheck.aws import DATA_READS
from tfcheck.hcl.parse import traversal_text
from tfcheck.hcl.values import Lazy
from tfcheck.model import Unknown

OFFLINE = frozenset({"aws_region", "aws_partition", "aws_default_tags"})

# Region prefix → (partition, dns_suffix, reverse_dns_prefix), most specific first
# (the AWS SDK's partitions table).
_PARTITIONS = (
    ("us-gov-", ("aws-us-gov", "amazonaws.com", "com.amazonaws")),
    ("cn-", ("aws-cn", "amazonaws.com.cn", "cn.com.amazonaws")),
    ("us-isob-", ("aws-iso-b", "sc2s.sgov.gov", "gov.sgov.sc2s")),
    ("us-isof-", ("aws-iso-f", "csp.hci.ic.gov", "gov.ic.hci.csp")),
    ("eu-isoe-", ("aws-iso-e", "cloud.adc-e.uk", "uk.adc-e.cloud")),
    ("us-iso-", ("aws-iso", "c2s.ic.gov", "gov.ic.c2s")),
)
_COMMERCIAL = ("aws", "amazonaws.com", "com.amazonaws")


class DataValue(Lazy):
    """One data source instance: the attributes known offline; any other is unknown."""

    __slots__ = ("address", "known")

    def __init__(self, address: str, known: dict[str, Any]) -> None:
        self.address = address
        self.known = known

    def get_attr(self, name: str) -> Any:
        if name in self.known:
            return self.known[name]
        return Unknown(f"{self.address}.{name}: read from AWS by terraform")

    def materialize(self) -> Any:
        return dict(self.known)


def partition_of(region: str) -> tuple[str, str, str]:
    for prefix, facts in _PARTITIONS:
        if region.startswith(prefix):
            return facts
    return _COMMERCIAL


def offline_data(kind: str, address: str, region: Any, chosen: Any, default_tags: Any) -> Any:
    """The value of `data.<kind>.<name>` without AWS, or Unknown naming why not.

    `region` is the provider configuration's Region, `chosen` the data block's own
    `name`/`region` argument (aws_region only), `default_tags` the provider's tags.
    """
    if kind not in OFFLINE:
        return Unknown("remote state" if kind == "terraform_remote_state" else "data source")
    if kind == "aws_default_tags":
        if isinstance(default_tags, Unknown):
            return default_tags
        tags = default_tags if isinstance(default_tags, dict) else {}
        return DataValue(address, {"tags": tags})
    if kind == "aws_region" and chosen is not None:
        region = chosen
    if isinstance(region, Unknown):
        return region
    if not isinstance(region, str) or not region:
        return Unknown("data source: the provider's Region is not set")
    if kind == "aws_region":
        return DataValue(
            address,
            {
                "name": region,
                "region": region,
                "id": region,
                "endpoint": f"ec2.{region}.{partition_of(region)[1]}",
            },
        )
    partition, suffix, reverse = partition_of(region)
    return DataValue(
        address,
        {"partition": partition, "id": partition, "dns_suffix": suffix, "reverse_dns_prefix": reverse},
    )


def read_back_name(kind: str, block: Any, resources: Mapping[tuple[str, str], Any]) -> str | None:
    """The managed resource of the same type a data block names by its id or name argument
    (aws.DATA_READS: `data.aws_eks_cluster.x { name = aws_eks_cluster.main.name }`), if the
    module declares it without count or for_each: the data source reads that resource back."""
    if block is None:
        return None
    for argument in DATA_READS.get(kind, ()):
        attr = block.attributes.get(argument)
        parts = (traversal_text(attr.expr) or "").split(".") if attr is not None else []
        if (
            len(parts) == 3
            and parts[0] == kind
            and (kind, parts[1]) in resources
            and not {"count", "for_each"} & set(resources[(kind, parts[1])].attributes)
        ):
            return parts[1]
    return None
