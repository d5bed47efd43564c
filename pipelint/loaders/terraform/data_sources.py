"""Data sources answered offline: the caller's account, region and partition from the provider, and
``aws_iam_policy_document`` built as the AWS provider builds it. Any other data source is read from AWS
when Terraform plans, so its attributes (beyond the arguments it is given) are unknown here."""

from __future__ import annotations

from typing import Any

from pipelint.arns import partition_for_region
from pipelint.values import Unknown


def _read_from_aws(rv: Any, name: str) -> Unknown:
    return Unknown(f"{rv.address}.{name} is read from AWS when Terraform plans; pipelint does not read AWS "
                   "(lint the JSON of a terraform plan to see it)")


def attribute(rv: Any, name: str) -> Any:
    kind = rv.type
    if kind == "aws_caller_identity":
        if name in ("account_id", "id"):
            return rv.account
        return _read_from_aws(rv, name)
    if kind == "aws_region":
        if name in ("name", "id", "region"):
            given = rv.arg("name") or rv.arg("region")
            return given if given is not None else rv.region
        return _read_from_aws(rv, name)
    if kind == "aws_partition":
        partition = partition_for_region(rv.region)
        if isinstance(partition, Unknown):
            return partition
        if name in ("partition", "id"):
            return partition
        if name == "dns_suffix":
            return "amazonaws.com.cn" if partition == "aws-cn" else "amazonaws.com"
        if name == "reverse_dns_prefix":
            return "cn.com.amazonaws" if partition == "aws-cn" else "com.amazonaws"
        return _read_from_aws(rv, name)
    if kind == "aws_iam_policy_document":
        if name in ("json", "minified_json"):
            from pipelint.loaders.terraform.policies import policy_document

            return policy_document(rv)
        return Unknown(f"{rv.address}.{name} is known only when Terraform plans")
    if name in rv.block.body.attributes:
        return rv.arg(name)
    return _read_from_aws(rv, name)
