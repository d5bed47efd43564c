"""The request context of each call a pipeline makes at run time: which condition keys the request
carries, their values, and which keys it certainly lacks. The grant rules build their checks from here,
so the table below and what the rules evaluate cannot drift apart.

Keys that follow from *who* calls (``aws:PrincipalArn``, ``aws:PrincipalIsAWSService``, the absent
``aws:Source*`` keys of a role session, ...) are added by the evaluator
(:mod:`pipelint.policy.principal_context`). A key that is neither here nor there is unknown, and the
finding says what would settle it (:mod:`pipelint.policy.unsettled_keys`).

| call (rule) | caller | keys set here | source |
|---|---|---|---|
| read/write artifact objects (PL301) | action role session | `aws:SecureTransport` true; `s3:TlsVersion` 1.2 or 1.3 (a condition is settled when both give one answer); `s3:ResourceAccount` and `aws:ResourceAccount` = the bucket's account; writes: `s3:x-amz-server-side-encryption` = `aws:kms`, `s3:x-amz-server-side-encryption-aws-kms-key-id` = the store's key | CodePipeline UG "Artifact store" (SSE-KMS with the store's key, HTTPS endpoints); AWS Security Blog "TLS 1.2 to become the minimum TLS protocol level for all AWS API endpoints"; S3 UG "Bucket policy examples" (`s3:ResourceAccount`); IAM UG global keys (`aws:ResourceAccount`) |
| decrypt/generate data key for artifacts (PL302) | action role, through S3 (forward access session) | `kms:ViaService` = `s3.REGION.amazonaws.com`; `aws:ViaAWSService` true; `aws:CalledVia`/`aws:CalledViaFirst`/`aws:CalledViaLast` = `s3.amazonaws.com`; `aws:ResourceAccount` = the key's account; `kms:CallerAccount` = the role's account | KMS DG "kms:ViaService"; IAM UG "Forward access sessions" |
| assume an action role (PL303) | pipeline role session | `sts:ExternalId` absent; `aws:ResourceAccount` = the role's account | CodePipeline API `ActionDeclaration` has no external-id field |
| pass the stack execution role (PL304) | action role session | `iam:PassedToService` = `cloudformation.amazonaws.com` | IAM UG "Granting a user permissions to pass a role" |
| report a job result (PL305) | Lambda function role session | (principal keys only) | — |
| assume the trigger role (PL306) | `events.amazonaws.com` | `aws:SourceArn` = the rule's ARN, `aws:SourceAccount` = its account; `sts:ExternalId` absent | IAM UG global keys (`aws:SourceArn`: a service acting for a resource); EventBridge API `Target` has no external-id field |
| send to the dead-letter queue (PL306) | `events.amazonaws.com` | `aws:SourceArn` = the rule's ARN, `aws:SourceAccount` = its account | EventBridge UG "Using dead-letter queues" |
| start the pipeline (PL306) | trigger role session | (principal keys only) | — |

Organization membership (`aws:PrincipalOrgID`, `aws:ResourceOrgID`) is known only for accounts the
configuration lists under `accounts` with an `org-id`; for any other account it stays unknown.

Every check also gets, from :func:`pipelint.guardrails.context`: `aws:RequestedRegion` (the region the
resource's ARN names; a bucket's region for S3; `us-east-1` for IAM, whose endpoint is there — IAM UG
global keys); the calling role's tags as `aws:PrincipalTag/KEY` (CodePipeline assumes roles without
session tags), with every other tag absent when the tags were read from AWS; and, when the organization's
member accounts are all known (`list-accounts`, `audit --org`), that a principal of another account is
not in the organization. Members the organization inputs name count as listed `accounts`.
"""

from __future__ import annotations


from pipelint.model import World
from pipelint.policy import ABSENT
from pipelint.policy.conditions import OneOf
from pipelint.values import NOTHING_OFFLINE, Unknown

TYPE_CHECKING = False  # for annotations only: typing costs 3 ms to import
if TYPE_CHECKING:
    from typing import Any

S3_PRINCIPAL = "s3.amazonaws.com"

# AWS Security Blog, "TLS 1.2 to become the minimum TLS protocol level for all AWS API endpoints"
# (completed June 2023): every request reaches S3 over TLS 1.2 or 1.3, whichever the client negotiates
TLS_VERSION = OneOf(("1.2", "1.3"), "AWS API endpoints accept only TLS 1.2 and later, and which of them a "
                    f"client negotiates: {NOTHING_OFFLINE}")


def organization_of(world: World, account: Any) -> str | Unknown | None:
    """The organization id of ``account`` when the configuration says it is a member; else an Unknown
    naming what would settle it; None when the account itself is not known."""
    if not isinstance(account, str):
        return None
    # asked for every check: answered once per account (and again if the organization's facts change)
    cache = world.__dict__.get("_organization_of")
    if cache is None or cache[0] is not world.org_id or cache[1] is not world.our_accounts:
        cache = world.__dict__["_organization_of"] = (world.org_id, world.our_accounts, {})
    known = cache[2]
    found = known.get(account, _NOT_YET)
    if found is _NOT_YET:
        found = known[account] = _organization_of(world, account)
    return found


_NOT_YET = object()


def _organization_of(world: World, account: str) -> str | Unknown:
    if world.org_id and account in world.our_accounts:
        return world.org_id
    if world.org_id:
        return Unknown(f"whether account {account} is in organization {world.org_id} (list it under accounts "
                       "in the configuration if it is)")
    return Unknown(f"the organization of account {account} (org-id and accounts in the configuration)")


def resource(world: World, account: Any) -> dict:
    """Keys every request on a resource of ``account`` carries."""
    ctx: dict[str, Any] = {}
    if isinstance(account, str):
        ctx["aws:ResourceAccount"] = account
        org = organization_of(world, account)
        if org is not None:
            ctx["aws:ResourceOrgID"] = org
    return ctx


def artifact_object(world: World, bucket_account: Any, write: bool, key_id: Any) -> dict:
    """An action role reading (GetObject) or writing (PutObject) an artifact object."""
    ctx = {"aws:SecureTransport": True, "s3:TlsVersion": TLS_VERSION, **resource(world, bucket_account)}
    if isinstance(bucket_account, str):
        ctx["s3:ResourceAccount"] = bucket_account
    if write:
        ctx["s3:x-amz-server-side-encryption"] = "aws:kms"
        if isinstance(key_id, str):
            ctx["s3:x-amz-server-side-encryption-aws-kms-key-id"] = key_id
    return ctx


def artifact_key(world: World, key_account: Any, region: str) -> dict:
    """S3 calling KMS for an action role (forward access session) to decrypt or encrypt an artifact."""
    return {"kms:ViaService": f"s3.{region}.amazonaws.com", "aws:SecureTransport": True,
            "aws:ViaAWSService": True, "aws:CalledVia": [S3_PRINCIPAL], "aws:CalledViaFirst": S3_PRINCIPAL,
            "aws:CalledViaLast": S3_PRINCIPAL, **resource(world, key_account)}


def assume_action_role(world: World, role_account: Any) -> dict:
    """The pipeline role assuming an action role: CodePipeline sends no external id."""
    return {"sts:ExternalId": ABSENT, **resource(world, role_account)}


def pass_role(service: str) -> dict:
    return {"iam:PassedToService": service}


def event_rule(world: World, rule_arn: Any, rule_account: Any, resource_account: Any = None) -> dict:
    """EventBridge acting for a rule: assuming its target role, or sending to its dead-letter queue."""
    ctx: dict[str, Any] = {"sts:ExternalId": ABSENT, **resource(world, resource_account)}
    if isinstance(rule_arn, str):
        ctx["aws:SourceArn"] = rule_arn
    if isinstance(rule_account, str):
        ctx["aws:SourceAccount"] = rule_account
    return ctx
