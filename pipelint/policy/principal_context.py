"""The condition keys a request carries because of *who* makes it (pure AWS facts, no I/O).

Sources, IAM User Guide:
- "AWS global condition context keys" (reference_policies_condition-keys.html), "Properties of the
  principal": ``aws:PrincipalArn`` is the role's ARN for a role session ("for IAM roles, the request
  context returns the ARN of the role, not the ARN of the user that assumed the role");
  ``aws:PrincipalAccount``, ``aws:PrincipalOrgID`` (present only when the principal's account is a member
  of an organization), ``aws:PrincipalTag/*`` describe an IAM principal and are not in a request an AWS
  service principal makes; ``aws:PrincipalIsAWSService`` is ``true`` exactly for service principals,
  ``aws:PrincipalServiceName`` is present only for them.
- Same page, "Properties of the role session" / "Properties of the request": ``aws:SourceArn``,
  ``aws:SourceAccount``, ``aws:SourceOrgID`` and ``aws:SourceOrgPaths`` are present only when a service
  principal calls on behalf of a resource; a request signed with a role session's credentials (and a
  forward access session on its behalf, "Forward access sessions") has none of them.

Keys that depend on the request itself (``kms:ViaService``, ``s3:ResourceAccount``, ...) come from
:mod:`pipelint.request_context`, which knows what a pipeline action does.
"""

from __future__ import annotations


from pipelint.values import Unknown

from .conditions import Context
from .match import is_root_arn, role_name, session_role_name
from .model import ABSENT, Principal, Request

TYPE_CHECKING = False  # for annotations only: typing costs 3 ms to import
if TYPE_CHECKING:
    from typing import Any

#: keys only a service principal acting for a resource carries; never in a role session's request
SOURCE_KEYS = ("aws:SourceArn", "aws:SourceAccount", "aws:SourceOrgID", "aws:SourceOrgPaths")
#: keys that describe an IAM principal; never in a service principal's request
IAM_PRINCIPAL_KEYS = ("aws:PrincipalArn", "aws:PrincipalAccount", "aws:PrincipalOrgID", "aws:PrincipalOrgPaths",
                      "aws:PrincipalType", "aws:userid", "aws:username")
#: key prefixes likewise absent for service principals
IAM_PRINCIPAL_PREFIXES = ("aws:PrincipalTag/",)


def principal_keys(p: Principal, account: str | None, kms: bool) -> tuple[dict[str, Any], tuple[str, ...]]:
    """(keys with their values, key prefixes that are absent) for requests made by ``p``."""
    keys: dict[str, Any] = {}
    if p.service:
        keys["aws:PrincipalIsAWSService"] = "true"
        keys["aws:PrincipalServiceName"] = p.service
        for key in IAM_PRINCIPAL_KEYS:
            keys[key] = ABSENT
        return keys, IAM_PRINCIPAL_PREFIXES
    if p.arn is None and p.account is None:
        return keys, ()  # anonymous: nothing is known of the caller
    keys["aws:PrincipalIsAWSService"] = "false"
    keys["aws:PrincipalServiceName"] = ABSENT
    for key in SOURCE_KEYS:
        keys[key] = ABSENT
    if account:
        keys["aws:PrincipalAccount"] = account
        if kms:
            keys["kms:CallerAccount"] = account
    if p.org_id is not None:
        keys["aws:PrincipalOrgID"] = p.org_id  # a str, or an Unknown naming what would settle it
    arn = p.arn
    if isinstance(arn, str):
        if session_role_name(arn) is not None:
            keys["aws:PrincipalType"] = "AssumedRole"
            keys["aws:username"] = ABSENT
            # the role's ARN carries its path, which the session ARN drops: known only when given
            if p.role_arn is not None:
                keys["aws:PrincipalArn"] = p.role_arn
        elif role_name(arn) is not None:
            keys["aws:PrincipalArn"] = arn
            keys["aws:PrincipalType"] = "AssumedRole"
            keys["aws:username"] = ABSENT
        elif is_root_arn(arn):
            keys["aws:PrincipalArn"] = arn
            keys["aws:PrincipalType"] = "Account"
        elif ":user/" in arn:
            keys["aws:PrincipalArn"] = arn
            keys["aws:PrincipalType"] = "User"
            keys["aws:username"] = arn.rsplit("/", 1)[-1]
    elif isinstance(arn, Unknown):
        keys["aws:PrincipalArn"] = arn
    return keys, ()


def request_context(request: Request, account: str | None, kms: bool) -> Context:
    """The request's own context (what the caller knows of the request), completed by the keys its
    principal implies (:func:`principal_keys`, worked out only if a condition looks); the request's
    values win."""
    ctx = Context(request.context or {})
    ctx.defer(lambda: principal_keys(request.principal, account, kms))
    return ctx
