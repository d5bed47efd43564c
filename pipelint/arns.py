"""Small ARN helpers for the offline path.

policyuniverse (no longer a dependency) parses ARNs well but costs ~0.1 s to import (its action table),
too much for a pre-commit hook; the few splits needed here are the documented ARN layout
``arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE``.
"""

from __future__ import annotations


from pipelint.lazy_re import lazy
from pipelint.values import Unknown

ACCOUNT_RE = lazy(r"^\d{12}$")


def partition_for_region(region: object) -> str | Unknown:
    if isinstance(region, Unknown):
        return Unknown(region.reason)  # the region's own reason names the input that settles both
    if not isinstance(region, str):
        return Unknown("the region is not known, so neither is the partition")
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


def split(arn: object) -> list[str] | None:
    """The six ARN fields, or None when ``arn`` is not a known ARN string."""
    if not isinstance(arn, str) or not arn.startswith("arn:"):
        return None
    parts = arn.split(":", 5)
    return parts if len(parts) == 6 else None


def account_of(arn: object) -> str | None:
    if arn.__class__ is not str:
        parts = split(arn)
        return parts[4] if parts and ACCOUNT_RE.match(parts[4]) else None
    found = _ACCOUNTS.get(arn, _NOT_YET)
    if found is _NOT_YET:  # asked for the same few thousand ARNs over and over: remembered
        parts = split(arn)
        found = parts[4] if parts and ACCOUNT_RE.match(parts[4]) else None
        if len(_ACCOUNTS) >= 8192:
            _ACCOUNTS.clear()
        _ACCOUNTS[arn] = found
    return found


_ACCOUNTS: dict = {}
_NOT_YET = object()


def region_of(arn: object) -> str | None:
    parts = split(arn)
    return parts[3] if parts and parts[3] else None


def service_of(arn: object) -> str | None:
    parts = split(arn)
    return parts[2] if parts else None


def resource_of(arn: object) -> str | None:
    parts = split(arn)
    return parts[5] if parts else None


def is_role_arn(arn: object) -> bool:
    parts = split(arn)
    return bool(parts and parts[2] == "iam" and parts[5].startswith("role/"))


def role_name(arn: object) -> str | None:
    """The role's name (last path segment) from a role ARN."""
    if not is_role_arn(arn):
        return None
    return arn.rsplit("/", 1)[-1]  # type: ignore[union-attr]


def key_id_of(arn: object) -> str | None:
    """The key id of a KMS key ARN (not an alias ARN)."""
    parts = split(arn)
    if parts and parts[2] == "kms" and parts[5].startswith("key/"):
        return parts[5][4:]
    return None


def is_kms_key_arn(value: object) -> bool:
    return key_id_of(value) is not None


def is_kms_alias_arn(value: object) -> bool:
    parts = split(value)
    return bool(parts and parts[2] == "kms" and parts[5].startswith("alias/"))


def bucket_arn(name: str) -> str:
    return f"arn:aws:s3:::{name}"


def same(a: object, b: object) -> bool | None:
    """Whether two values are equal: None when either is not known."""
    if not isinstance(a, str) or not isinstance(b, str):
        return None
    return a == b
