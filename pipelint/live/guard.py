"""The read-only guard: every AWS call the collector makes goes through :func:`check`.

An audit must never change an account. The collector registers :func:`before_call` on every boto3
session it creates, so an operation that is not a read (``Get*``, ``List*``, ``Describe*``,
``BatchGet*``, or the two STS calls an audit needs) is refused before a request is signed or sent.
The tests register their own, independent handler as well.
"""

from __future__ import annotations

from typing import Any

READ_PREFIXES = ("Get", "List", "Describe", "BatchGet")
ALLOWED = {("sts", "AssumeRole"), ("sts", "GetCallerIdentity")}


class ReadOnlyViolation(RuntimeError):
    """The collector tried an operation that is not read-only: a bug, never degraded into a finding."""


def is_read_only(service: str, operation: str) -> bool:
    return (service, operation) in ALLOWED or operation.startswith(READ_PREFIXES)


def check(service: str, operation: str) -> None:
    if not is_read_only(service, operation):
        raise ReadOnlyViolation(f"pipelint audit refused to call {service}:{operation}: not a read-only operation")


def before_call(model: Any = None, **_: Any) -> None:
    """botocore ``before-call`` handler."""
    if model is not None:
        check(model.service_model.service_name, model.name)
