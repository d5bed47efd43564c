"""Evaluator case table: one row per AWS rule, each citing the documentation it exercises.

Abbreviations in the ``rule`` column:
  IAM UG  = AWS IAM User Guide (pages named after the colon)
  KMS DG  = AWS KMS Developer Guide
  STS API = AWS STS API reference

Accounts: A (111122223333) is the caller's account, B (444455556666) owns the resource in cross-account
rows, C/D are bystanders.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from pipelint.policy import ABSENT, Decision, Policy, Principal, Request, evaluate
from pipelint.values import Unknown

A, B, C, D = "111122223333", "444455556666", "777788889999", "121212121212"
ROLE_A = f"arn:aws:iam::{A}:role/Deploy"
ROLE_A_PATH = f"arn:aws:iam::{A}:role/ci/cd/Deploy"
SESSION_A = f"arn:aws:sts::{A}:assumed-role/Deploy/codepipeline-session"
USER_A = f"arn:aws:iam::{A}:user/alice"
OTHER_ROLE_A = f"arn:aws:iam::{A}:role/Other"
ROOT_A, ROOT_B = f"arn:aws:iam::{A}:root", f"arn:aws:iam::{B}:root"
ROLE_B = f"arn:aws:iam::{B}:role/Target"
OBJ = "arn:aws:s3:::artifacts/pipeline/obj.zip"
BUCKET = "arn:aws:s3:::artifacts"
KEY_A = f"arn:aws:kms:us-east-1:{A}:key/1111aaaa-2222-3333-4444-555566667777"
KEY_B = f"arn:aws:kms:us-east-1:{B}:key/1111aaaa-2222-3333-4444-555566667777"
QUEUE_A = f"arn:aws:sqs:us-east-1:{A}:dlq"
RULE_A = f"arn:aws:events:us-east-1:{A}:rule/start-pipeline"

ALLOWED, EXPLICIT, IMPLICIT, UNKNOWN = (
    Decision.ALLOWED,
    Decision.EXPLICIT_DENY,
    Decision.IMPLICIT_DENY,
    Decision.UNKNOWN,
)
ANY = object()  # do not check this layer


def st(effect: str, action: Any = None, resource: Any = "*", *, principal: Any = None, not_principal: Any = None,
       not_action: Any = None, not_resource: Any = None, condition: Any = None, sid: str | None = None,
       no_resource: bool = False) -> dict:
    s: dict[str, Any] = {"Effect": effect}
    if sid:
        s["Sid"] = sid
    if principal is not None:
        s["Principal"] = principal
    if not_principal is not None:
        s["NotPrincipal"] = not_principal
    if action is not None:
        s["Action"] = action
    if not_action is not None:
        s["NotAction"] = not_action
    if not_resource is not None:
        s["NotResource"] = not_resource
    elif not no_resource:
        s["Resource"] = resource
    if condition is not None:
        s["Condition"] = condition
    return s


def allow(action: Any = None, resource: Any = "*", **kw: Any) -> dict:
    return st("Allow", action, resource, **kw)


def deny(action: Any = None, resource: Any = "*", **kw: Any) -> dict:
    return st("Deny", action, resource, **kw)


def pol(*stmts: Any, name: str = "policy") -> Policy:
    return Policy({"Version": "2012-10-17", "Statement": list(stmts)}, name)


def idp(*stmts: Any) -> list[Policy]:
    return [pol(*stmts, name="inline policy Deploy of the caller role")]


def bp(*stmts: Any) -> Policy:
    return pol(*stmts, name="bucket policy of artifacts")


def kp(*stmts: Any) -> Policy:
    return pol(*stmts, name="key policy of the artifact key")


def tp(*stmts: Any) -> Policy:
    return pol(*stmts, name="trust policy of the target role")


def aws(*arns: str) -> dict:
    return {"AWS": list(arns) if len(arns) > 1 else arns[0]}


@dataclass
class Case:
    id: str
    rule: str
    expect: Decision
    action: str = "s3:GetObject"
    resource: Any = OBJ
    principal: Principal = field(default_factory=lambda: Principal(ROLE_A, None))
    resource_account: str | None = B
    context: dict = field(default_factory=dict)
    identity: list[Policy] | None = field(default_factory=list)
    rp: Policy | None = None
    kind: str = "generic"
    boundary: Policy | None = None
    expect_identity: Any = ANY
    expect_resource: Any = ANY
    unknown_mentions: str | None = None
    reason_mentions: str | None = None


S3_ALLOW_ID = idp(allow("s3:GetObject", "arn:aws:s3:::artifacts/*"))
KMS_ALLOW_ID = idp(allow(["kms:Decrypt", "kms:GenerateDataKey*", "kms:DescribeKey"], "*"))
ASSUME_ID = idp(allow("sts:AssumeRole", ROLE_B))
ASSUME_ID_SAME = idp(allow("sts:AssumeRole", OTHER_ROLE_A))
SVC_CFN = Principal(None, None, service="cloudformation.amazonaws.com")
SVC_EVENTS = Principal(None, None, service="events.amazonaws.com")


def same(**kw: Any) -> dict:
    return {"resource_account": A, **kw}


CASES: list[Case] = [
    # ------------------------------------------------------------------ cross-account S3
    Case("x-s3-both-allow", "IAM UG: cross-account policy evaluation — identity AND resource policy must allow",
         ALLOWED, identity=S3_ALLOW_ID, rp=bp(allow("s3:GetObject", "arn:aws:s3:::artifacts/*", principal=aws(ROLE_A))),
         expect_identity=ALLOWED, expect_resource=ALLOWED),
    Case("x-s3-bucket-policy-silent", "IAM UG: cross-account policy evaluation — resource policy must allow too",
         IMPLICIT, identity=S3_ALLOW_ID, rp=bp(allow("s3:ListBucket", BUCKET, principal=aws(ROLE_A))),
         expect_identity=ALLOWED, expect_resource=IMPLICIT, reason_mentions="no statement allowing"),
    Case("x-s3-identity-silent", "IAM UG: cross-account policy evaluation — identity policy must allow too",
         IMPLICIT, identity=[], rp=bp(allow("s3:GetObject", "arn:aws:s3:::artifacts/*", principal=aws(ROLE_A))),
         expect_identity=IMPLICIT, expect_resource=ALLOWED, reason_mentions="no identity policy"),
    Case("x-s3-no-bucket-policy", "IAM UG: cross-account policy evaluation — no resource policy, no access",
         IMPLICIT, identity=S3_ALLOW_ID, rp=None, expect_identity=ALLOWED, expect_resource=None),
    Case("x-s3-bp-root-of-caller", "IAM UG: Principal element — account root names the whole account",
         ALLOWED, identity=S3_ALLOW_ID, rp=bp(allow("s3:GetObject", "arn:aws:s3:::artifacts/*", principal=aws(ROOT_A)))),
    Case("x-s3-bp-bare-account-id", "IAM UG: Principal element — a bare 12-digit id is the account root",
         ALLOWED, identity=S3_ALLOW_ID, rp=bp(allow("s3:GetObject", "arn:aws:s3:::artifacts/*", principal=aws(A)))),
    Case("x-s3-bp-aws-star", 'IAM UG: Principal element — {"AWS": "*"} is every principal',
         ALLOWED, identity=S3_ALLOW_ID, rp=bp(allow("s3:GetObject", "arn:aws:s3:::artifacts/*", principal=aws("*")))),
    Case("x-s3-bp-star", 'IAM UG: Principal element — "*" is every principal',
         ALLOWED, identity=S3_ALLOW_ID, rp=bp(allow("s3:GetObject", "arn:aws:s3:::artifacts/*", principal="*"))),
    Case("x-s3-bp-names-owner-root", "IAM UG: cross-account — the owner's root does not name the caller's account",
         IMPLICIT, identity=S3_ALLOW_ID, rp=bp(allow("s3:GetObject", "arn:aws:s3:::artifacts/*", principal=aws(ROOT_B))),
         expect_resource=IMPLICIT),
    Case("x-s3-bp-deny", "IAM UG: policy evaluation logic — explicit deny in the resource policy wins",
         EXPLICIT, action="s3:PutObject", identity=idp(allow("s3:*")),
         rp=bp(allow("s3:*", "arn:aws:s3:::artifacts/*", principal=aws(ROOT_A)),
               deny("s3:PutObject", "arn:aws:s3:::artifacts/*", principal=aws(ROLE_A), sid="NoWrites")),
         expect_resource=EXPLICIT, reason_mentions='Sid "NoWrites"'),
    Case("x-s3-identity-deny", "IAM UG: policy evaluation logic — explicit deny in the identity policy wins",
         EXPLICIT, identity=idp(allow("s3:*"), deny("s3:GetObject")),
         rp=bp(allow("s3:GetObject", "arn:aws:s3:::artifacts/*", principal=aws(ROLE_A))),
         expect_identity=EXPLICIT, expect_resource=ALLOWED),
    Case("x-s3-session-matches-role", "IAM UG: Principal element — a role ARN covers its assumed-role sessions (path dropped)",
         ALLOWED, principal=Principal(SESSION_A, None), identity=S3_ALLOW_ID,
         rp=bp(allow("s3:GetObject", "arn:aws:s3:::artifacts/*", principal=aws(ROLE_A_PATH)))),
    Case("x-s3-role-with-path-exact", "IAM UG: Principal element — role ARN with path matches that role",
         ALLOWED, principal=Principal(ROLE_A_PATH, None), identity=S3_ALLOW_ID,
         rp=bp(allow("s3:GetObject", "arn:aws:s3:::artifacts/*", principal=aws(ROLE_A_PATH)))),
    Case("x-s3-role-wrong-path", "IAM UG: Principal element — a role ARN must be exact (path included)",
         IMPLICIT, principal=Principal(ROLE_A_PATH, None), identity=S3_ALLOW_ID,
         rp=bp(allow("s3:GetObject", "arn:aws:s3:::artifacts/*", principal=aws(ROLE_A)))),
    Case("x-s3-other-session-role", "IAM UG: Principal element — a session of another role is not named",
         IMPLICIT, principal=Principal(f"arn:aws:sts::{A}:assumed-role/Other/s", None), identity=S3_ALLOW_ID,
         rp=bp(allow("s3:GetObject", "arn:aws:s3:::artifacts/*", principal=aws(ROLE_A)))),
    Case("x-s3-identity-not-in-inputs", "pipelint: identity policies not among the inputs are UNKNOWN",
         UNKNOWN, identity=None, rp=bp(allow("s3:GetObject", "arn:aws:s3:::artifacts/*", principal=aws(ROLE_A))),
         expect_identity=UNKNOWN, unknown_mentions="identity policies of"),
    # ------------------------------------------------------------------ Resource matching
    Case("s3-object-pattern-not-bucket", "IAM UG: Resource element — bucket/* names objects, not the bucket",
         IMPLICIT, action="s3:ListBucket", resource=BUCKET, **same(),
         identity=idp(allow("s3:ListBucket", "arn:aws:s3:::artifacts/*"))),
    Case("s3-bucket-pattern-not-object", "IAM UG: Resource element — the bucket ARN does not name its objects",
         IMPLICIT, **same(), identity=idp(allow("s3:GetObject", BUCKET))),
    Case("s3-bucket-pattern-bucket", "IAM UG: Resource element — exact bucket ARN",
         ALLOWED, action="s3:ListBucket", resource=BUCKET, **same(), identity=idp(allow("s3:ListBucket", BUCKET))),
    Case("s3-prefix-wildcard", "IAM UG: Resource element — * spans / in the object key",
         ALLOWED, **same(), identity=idp(allow("s3:GetObject", "arn:aws:s3:::artifacts/pipe*/*.zip"))),
    Case("resource-case-sensitive", "IAM UG: Resource element — ARNs are case-sensitive",
         IMPLICIT, **same(), identity=idp(allow("s3:GetObject", "arn:aws:s3:::Artifacts/*"))),
    Case("resource-qmark", "IAM UG: Resource element — ? matches one character",
         ALLOWED, **same(), identity=idp(allow("s3:GetObject", "arn:aws:s3:::artifact?/*"))),
    Case("resource-list-one-matches", "IAM UG: Resource element — a list matches when any entry does",
         ALLOWED, **same(), identity=idp(allow("s3:GetObject", ["arn:aws:s3:::other/*", "arn:aws:s3:::artifacts/*"]))),
    Case("resource-arn-segments", "IAM UG: ARN condition operators — each ARN part matched on its own",
         ALLOWED, action="sqs:SendMessage", resource=QUEUE_A, **same(),
         identity=idp(allow("sqs:SendMessage", "arn:aws:sqs:*:*:dlq"))),
    # ------------------------------------------------------------------ Action matching
    Case("action-case-insensitive", "IAM UG: Action element — action names are case-insensitive",
         ALLOWED, **same(), identity=idp(allow("S3:getobject", "*"))),
    Case("action-qmark", "IAM UG: Action element — ? wildcard",
         ALLOWED, **same(), identity=idp(allow("s3:Get?bject", "*"))),
    Case("action-prefix-star", "IAM UG: Action element — * wildcard",
         ALLOWED, action="s3:GetObjectVersion", **same(), identity=idp(allow("s3:Get*", "*"))),
    Case("action-other-service", "IAM UG: Action element — service prefix must match",
         IMPLICIT, action="kms:Decrypt", resource=KEY_A, **same(), identity=idp(allow("s3:*", "*"))),
    Case("not-action-allows-rest", "IAM UG: NotAction — Allow with NotAction grants every other action",
         ALLOWED, **same(), identity=idp(allow(not_action="s3:DeleteObject", resource="*"))),
    Case("not-action-excludes", "IAM UG: NotAction — the listed action is not granted",
         IMPLICIT, action="s3:DeleteObject", **same(), identity=idp(allow(not_action=["s3:DeleteObject"], resource="*"))),
    Case("not-action-deny", "IAM UG: NotAction — Deny with NotAction denies every other action",
         EXPLICIT, action="iam:PassRole", resource=ROLE_A, **same(),
         identity=idp(allow("*"), deny(not_action=["s3:*", "kms:*"], resource="*"))),
    Case("not-resource-others", "IAM UG: NotResource — Allow applies to every resource not listed",
         ALLOWED, **same(), identity=idp(allow("s3:GetObject", not_resource="arn:aws:s3:::secret/*"))),
    Case("not-resource-listed", "IAM UG: NotResource — listed resources are excluded",
         IMPLICIT, **same(), identity=idp(allow("s3:GetObject", not_resource=["arn:aws:s3:::artifacts/*"]))),
    Case("not-resource-deny", "IAM UG: NotResource — Deny everything outside the listed bucket",
         EXPLICIT, resource="arn:aws:s3:::other/x", **same(),
         identity=idp(allow("s3:*"), deny("s3:*", not_resource=["arn:aws:s3:::artifacts", "arn:aws:s3:::artifacts/*"]))),
    # ------------------------------------------------------------------ same account
    Case("same-identity-only", "IAM UG: single-account evaluation — identity Allow suffices",
         ALLOWED, **same(), identity=S3_ALLOW_ID, rp=None, expect_identity=ALLOWED, expect_resource=None),
    Case("same-bp-names-role", "IAM UG: single-account evaluation — resource policy naming the role suffices",
         ALLOWED, **same(), identity=[], rp=bp(allow("s3:GetObject", "arn:aws:s3:::artifacts/*", principal=aws(ROLE_A))),
         expect_identity=IMPLICIT, expect_resource=ALLOWED),
    Case("same-bp-root-only", "IAM UG: Principal element — account root delegates to IAM, grants nothing alone",
         IMPLICIT, **same(), identity=[], rp=bp(allow("s3:GetObject", "arn:aws:s3:::artifacts/*", principal=aws(ROOT_A))),
         reason_mentions="account root"),
    Case("same-bp-root-plus-identity", "IAM UG: single-account evaluation — identity Allow with root-delegating bucket policy",
         ALLOWED, **same(), identity=S3_ALLOW_ID, rp=bp(allow("s3:GetObject", "arn:aws:s3:::artifacts/*", principal=aws(ROOT_A)))),
    Case("same-bp-deny-root", "IAM UG: Principal element — a Deny naming the root covers every principal of the account",
         EXPLICIT, **same(), identity=S3_ALLOW_ID, rp=bp(deny("s3:GetObject", "*", principal=aws(ROOT_A))),
         expect_resource=EXPLICIT),
    Case("same-bp-other-role", "IAM UG: single-account evaluation — another role named grants nothing",
         IMPLICIT, **same(), identity=[], rp=bp(allow("s3:GetObject", "*", principal=aws(OTHER_ROLE_A)))),
    Case("same-bp-session-arn", "IAM UG: Principal element — an assumed-role session ARN names that session",
         ALLOWED, principal=Principal(SESSION_A, None), **same(), identity=[],
         rp=bp(allow("s3:GetObject", "*", principal=aws(SESSION_A)))),
    Case("same-bp-no-principal", "IAM UG: Principal element — a resource-policy statement without Principal names no one",
         IMPLICIT, **same(), identity=[], rp=bp(allow("s3:GetObject", "*"))),
    Case("same-bp-no-resource-element", "pipelint: an absent Resource in a resource policy means the resource itself",
         ALLOWED, **same(), identity=[], rp=bp(allow("s3:GetObject", principal=aws(ROLE_A), no_resource=True))),
    # ------------------------------------------------------------------ KMS key policies
    Case("kms-same-root-and-iam", "KMS DG: default key policy — root statement enables IAM policies",
         ALLOWED, action="kms:Decrypt", resource=KEY_A, resource_account=A, kind="kms", identity=KMS_ALLOW_ID,
         rp=kp(allow("kms:*", "*", principal=aws(ROOT_A), sid="EnableIAM"))),
    Case("kms-same-root-no-iam", "KMS DG: key policies — root delegation still needs an IAM Allow",
         IMPLICIT, action="kms:Decrypt", resource=KEY_A, resource_account=A, kind="kms", identity=[],
         rp=kp(allow("kms:*", "*", principal=aws(ROOT_A))), expect_identity=IMPLICIT, expect_resource=ALLOWED,
         reason_mentions="delegates to IAM"),
    Case("kms-same-direct-no-iam", "KMS DG: key policies — key policy naming the role suffices in its account",
         ALLOWED, action="kms:Decrypt", resource=KEY_A, resource_account=A, kind="kms", identity=[],
         rp=kp(allow("kms:Decrypt", "*", principal=aws(ROLE_A)))),
    Case("kms-same-iam-without-key-policy-grant", "KMS DG: key policies — without the key policy IAM Allows have no effect",
         IMPLICIT, action="kms:Decrypt", resource=KEY_A, resource_account=A, kind="kms", identity=KMS_ALLOW_ID,
         rp=kp(allow("kms:*", "*", principal=aws(OTHER_ROLE_A))), expect_identity=ALLOWED, expect_resource=IMPLICIT),
    Case("kms-no-key-policy", "KMS DG: key policies — IAM alone never grants access to a key",
         IMPLICIT, action="kms:DescribeKey", resource=KEY_A, resource_account=A, kind="kms", identity=KMS_ALLOW_ID,
         rp=None, expect_resource=IMPLICIT),
    Case("kms-cross-role-and-iam", "KMS DG: cross-account access — key policy AND caller IAM policy",
         ALLOWED, action="kms:Decrypt", resource=KEY_B, kind="kms", identity=KMS_ALLOW_ID,
         rp=kp(allow("kms:*", "*", principal=aws(ROOT_B)), allow(["kms:Decrypt", "kms:DescribeKey"], "*", principal=aws(ROLE_A)))),
    Case("kms-cross-role-no-iam", "KMS DG: cross-account access — caller IAM policy needed even when named",
         IMPLICIT, action="kms:Decrypt", resource=KEY_B, kind="kms", identity=[],
         rp=kp(allow("kms:Decrypt", "*", principal=aws(ROLE_A)))),
    Case("kms-cross-caller-root-and-iam", "KMS DG: cross-account access — key policy may name the caller's account",
         ALLOWED, action="kms:GenerateDataKey", resource=KEY_B, kind="kms", identity=KMS_ALLOW_ID,
         rp=kp(allow("kms:GenerateDataKey*", "*", principal=aws(ROOT_A)))),
    Case("kms-cross-only-owner-root", "KMS DG: cross-account access — the key account's root does not admit other accounts",
         IMPLICIT, action="kms:Decrypt", resource=KEY_B, kind="kms", identity=KMS_ALLOW_ID,
         rp=kp(allow("kms:*", "*", principal=aws(ROOT_B)))),
    Case("kms-key-policy-deny", "KMS DG / IAM UG: explicit deny in the key policy wins",
         EXPLICIT, action="kms:Decrypt", resource=KEY_A, resource_account=A, kind="kms", identity=KMS_ALLOW_ID,
         rp=kp(allow("kms:*", "*", principal=aws(ROOT_A)), deny("kms:Decrypt", "*", principal="*"))),
    Case("kms-iam-deny-alone", "KMS DG: key policies — an IAM policy can deny without key policy permission",
         EXPLICIT, action="kms:Decrypt", resource=KEY_A, resource_account=A, kind="kms",
         identity=idp(deny("kms:*")), rp=kp(allow("kms:Decrypt", "*", principal=aws(ROLE_A)))),
    Case("kms-caller-account-condition", "KMS DG: kms:CallerAccount — filled from the caller's account",
         ALLOWED, action="kms:Decrypt", resource=KEY_B, kind="kms", identity=KMS_ALLOW_ID,
         context={"kms:ViaService": "s3.us-east-1.amazonaws.com"},
         rp=kp(allow("kms:Decrypt", "*", principal=aws("*"),
                     condition={"StringEquals": {"kms:CallerAccount": A, "kms:ViaService": "s3.us-east-1.amazonaws.com"}}))),
    Case("kms-via-service-unknown", "pipelint: a condition key not in the request context is UNKNOWN",
         UNKNOWN, action="kms:Decrypt", resource=KEY_B, kind="kms", identity=KMS_ALLOW_ID,
         rp=kp(allow("kms:Decrypt", "*", principal=aws(ROOT_A),
                     condition={"StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}})),
         unknown_mentions="kms:ViaService"),
    Case("kms-via-service-other-region", "IAM UG: StringEquals — exact match only",
         IMPLICIT, action="kms:Decrypt", resource=KEY_B, kind="kms", identity=KMS_ALLOW_ID,
         context={"kms:ViaService": "s3.eu-west-1.amazonaws.com"},
         rp=kp(allow("kms:Decrypt", "*", principal=aws(ROOT_A),
                     condition={"StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}}))),
    Case("kms-list-keys-iam-only", "KMS DG: account-level actions (resource *) need only IAM",
         ALLOWED, action="kms:ListKeys", resource="*", resource_account=None, kind="kms",
         identity=idp(allow("kms:ListKeys", "*")), rp=None),
    Case("kms-aws-managed-alias", "KMS DG: aliases — alias/aws/ is reserved for AWS managed keys",
         IMPLICIT, action="kms:CreateAlias", resource=f"arn:aws:kms:us-east-1:{A}:alias/aws/s3", resource_account=A,
         identity=idp(allow("kms:*", "*"))),
    Case("kms-customer-alias", "KMS DG: aliases — customer aliases are controlled by IAM policies",
         ALLOWED, action="kms:CreateAlias", resource=f"arn:aws:kms:us-east-1:{A}:alias/artifacts", resource_account=A,
         identity=idp(allow("kms:CreateAlias", f"arn:aws:kms:us-east-1:{A}:alias/*"))),
    # ------------------------------------------------------------------ trust policies
    Case("trust-same-role-arn", "STS API AssumeRole: a same-account trust naming the caller suffices alone",
         ALLOWED, action="sts:AssumeRole", resource=OTHER_ROLE_A, resource_account=A, kind="trust", identity=[],
         rp=tp(allow("sts:AssumeRole", principal=aws(ROLE_A), no_resource=True))),
    Case("trust-same-root-no-iam", "STS API AssumeRole: a trust naming the root needs the caller's identity policy",
         IMPLICIT, action="sts:AssumeRole", resource=OTHER_ROLE_A, resource_account=A, kind="trust", identity=[],
         rp=tp(allow("sts:AssumeRole", principal=aws(ROOT_A), no_resource=True))),
    Case("trust-same-root-with-iam", "STS API AssumeRole: root in trust plus identity Allow",
         ALLOWED, action="sts:AssumeRole", resource=OTHER_ROLE_A, resource_account=A, kind="trust",
         identity=ASSUME_ID_SAME, rp=tp(allow("sts:AssumeRole", principal=aws(A), no_resource=True))),
    Case("trust-same-iam-but-not-trusted", "IAM UG: roles — identity Allow is useless if the trust policy does not admit the caller",
         IMPLICIT, action="sts:AssumeRole", resource=OTHER_ROLE_A, resource_account=A, kind="trust",
         identity=ASSUME_ID_SAME, rp=tp(allow("sts:AssumeRole", principal=aws(USER_A), no_resource=True)),
         expect_identity=ALLOWED, expect_resource=IMPLICIT),
    Case("trust-cross-role-and-iam", "IAM UG: cross-account evaluation — trust AND identity policy",
         ALLOWED, action="sts:AssumeRole", resource=ROLE_B, kind="trust", identity=ASSUME_ID,
         rp=tp(allow("sts:AssumeRole", principal=aws(ROLE_A), no_resource=True))),
    Case("trust-cross-role-no-iam", "IAM UG: cross-account evaluation — trust alone is not enough",
         IMPLICIT, action="sts:AssumeRole", resource=ROLE_B, kind="trust", identity=[],
         rp=tp(allow("sts:AssumeRole", principal=aws(ROLE_A), no_resource=True))),
    Case("trust-cross-root-deny", "IAM UG: policy evaluation logic — a trust Deny on the caller's account wins",
         EXPLICIT, action="sts:AssumeRole", resource=ROLE_B, kind="trust", identity=ASSUME_ID,
         rp=tp(allow("sts:AssumeRole", principal=aws(ROLE_A), no_resource=True),
               deny("sts:AssumeRole", principal=aws(ROOT_A), no_resource=True))),
    Case("trust-service", "IAM UG: Principal element — Service principal in a trust policy",
         ALLOWED, action="sts:AssumeRole", resource=ROLE_B, principal=SVC_CFN, identity=None, kind="trust",
         rp=tp(allow("sts:AssumeRole", principal={"Service": "cloudformation.amazonaws.com"}, no_resource=True)),
         expect_identity=None, expect_resource=ALLOWED),
    Case("trust-service-list", "IAM UG: Principal element — a list of services",
         ALLOWED, action="sts:AssumeRole", resource=ROLE_B, principal=SVC_CFN, identity=[], kind="trust",
         rp=tp(allow("sts:AssumeRole", principal={"Service": ["codebuild.amazonaws.com", "cloudformation.amazonaws.com"]},
                     no_resource=True))),
    Case("trust-other-service", "IAM UG: Principal element — another service is not trusted",
         IMPLICIT, action="sts:AssumeRole", resource=ROLE_B, principal=SVC_CFN, identity=None, kind="trust",
         rp=tp(allow("sts:AssumeRole", principal={"Service": "codebuild.amazonaws.com"}, no_resource=True))),
    Case("trust-external-id-unknown", "IAM UG: roles, sts:ExternalId — unknown unless the request says",
         UNKNOWN, action="sts:AssumeRole", resource=ROLE_B, kind="trust", identity=ASSUME_ID,
         rp=tp(allow("sts:AssumeRole", principal=aws(ROOT_A), no_resource=True,
                     condition={"StringEquals": {"sts:ExternalId": "pipeline-42"}})),
         unknown_mentions="sts:ExternalId"),
    Case("trust-external-id-absent", "IAM UG: condition operators — a missing key fails StringEquals",
         IMPLICIT, action="sts:AssumeRole", resource=ROLE_B, kind="trust", identity=ASSUME_ID,
         context={"sts:ExternalId": ABSENT},
         rp=tp(allow("sts:AssumeRole", principal=aws(ROOT_A), no_resource=True,
                     condition={"StringEquals": {"sts:ExternalId": "pipeline-42"}}))),
    Case("trust-principal-arn-derived", "IAM UG: aws:PrincipalArn — the role ARN of the caller",
         ALLOWED, action="sts:AssumeRole", resource=ROLE_B, kind="trust", identity=ASSUME_ID,
         rp=tp(allow("sts:AssumeRole", principal=aws(ROOT_A), no_resource=True,
                     condition={"ArnLike": {"aws:PrincipalArn": f"arn:aws:iam::{A}:role/Dep*"}}))),
    Case("trust-principal-arn-session-unknown", "IAM UG: aws:PrincipalArn — a session's role path is not in its ARN",
         UNKNOWN, action="sts:AssumeRole", resource=ROLE_B, principal=Principal(SESSION_A, None), kind="trust",
         identity=ASSUME_ID,
         rp=tp(allow("sts:AssumeRole", principal=aws(ROOT_A), no_resource=True,
                     condition={"ArnEquals": {"aws:PrincipalArn": ROLE_A}})),
         unknown_mentions="aws:PrincipalArn"),
    Case("trust-principal-arn-session-given", "IAM UG: aws:PrincipalArn — given by the caller",
         ALLOWED, action="sts:AssumeRole", resource=ROLE_B, principal=Principal(SESSION_A, None), kind="trust",
         identity=ASSUME_ID, context={"aws:PrincipalArn": ROLE_A},
         rp=tp(allow("sts:AssumeRole", principal=aws(ROOT_A), no_resource=True,
                     condition={"ArnEquals": {"aws:PrincipalArn": ROLE_A}}))),
    Case("trust-tag-session-not-granted", "IAM UG: roles — sts:TagSession must be allowed separately",
         IMPLICIT, action="sts:TagSession", resource=ROLE_B, kind="trust", identity=idp(allow("sts:*", ROLE_B)),
         rp=tp(allow("sts:AssumeRole", principal=aws(ROLE_A), no_resource=True))),
    # ------------------------------------------------------------------ NotPrincipal
    Case("deny-notprincipal-excludes-caller", "IAM UG: NotPrincipal — Deny applies to all but the listed principals",
         ALLOWED, **same(), identity=S3_ALLOW_ID,
         rp=bp(deny("s3:*", "*", not_principal=aws(ROLE_A, ROOT_A)))),
    Case("deny-notprincipal-other", "IAM UG: NotPrincipal — a caller not listed is denied",
         EXPLICIT, **same(), identity=S3_ALLOW_ID, rp=bp(deny("s3:*", "*", not_principal=aws(OTHER_ROLE_A)))),
    Case("deny-notprincipal-root-only", "IAM UG: NotPrincipal — listing only the account does not exempt its roles",
         EXPLICIT, **same(), identity=S3_ALLOW_ID, rp=bp(deny("s3:*", "*", not_principal=aws(ROOT_A)))),
    Case("deny-notprincipal-role-without-account", "IAM UG (current NotPrincipal page): with Deny, list the account "
         "ARN too, otherwise the policy might deny the whole account — open", UNKNOWN, **same(), identity=S3_ALLOW_ID,
         rp=bp(deny("s3:*", "*", not_principal=aws(ROLE_A))), unknown_mentions="account ARN"),
    Case("allow-notprincipal-others", "IAM UG (current NotPrincipal page): Allow + NotPrincipal is not supported",
         UNKNOWN, **same(), identity=[], rp=bp(allow("s3:GetObject", "*", not_principal=aws(OTHER_ROLE_A))),
         unknown_mentions="does not support"),
    Case("allow-notprincipal-lists-caller", "IAM UG: NotPrincipal — the listed principal gets nothing",
         IMPLICIT, **same(), identity=[], rp=bp(allow("s3:GetObject", "*", not_principal=aws(ROLE_A)))),
    Case("deny-notprincipal-with-boundary", "IAM UG: permissions boundaries — Deny+NotPrincipal always hits a bounded principal",
         EXPLICIT, **same(), identity=S3_ALLOW_ID, boundary=pol(allow("s3:*"), name="boundary"),
         rp=bp(deny("s3:*", "*", not_principal=aws(ROLE_A, ROOT_A)))),
    # ------------------------------------------------------------------ String conditions
    Case("cond-string-equals", "IAM UG: StringEquals — exact, case-sensitive",
         ALLOWED, **same(), context={"aws:PrincipalTag/team": "ci"},
         identity=idp(allow("s3:GetObject", condition={"StringEquals": {"aws:PrincipalTag/team": "ci"}}))),
    Case("cond-string-equals-case", "IAM UG: StringEquals — case-sensitive",
         IMPLICIT, **same(), context={"aws:PrincipalTag/team": "CI"},
         identity=idp(allow("s3:GetObject", condition={"StringEquals": {"aws:PrincipalTag/team": "ci"}}))),
    Case("cond-string-equals-ignore-case", "IAM UG: StringEqualsIgnoreCase",
         ALLOWED, **same(), context={"aws:PrincipalTag/team": "CI"},
         identity=idp(allow("s3:GetObject", condition={"StringEqualsIgnoreCase": {"aws:PrincipalTag/team": "ci"}}))),
    Case("cond-string-not-equals-nor", "IAM UG: multiple values — a negated operator ORs into a NOR",
         IMPLICIT, **same(), context={"aws:PrincipalTag/team": "ops"},
         identity=idp(allow("s3:GetObject", condition={"StringNotEquals": {"aws:PrincipalTag/team": ["ci", "ops"]}}))),
    Case("cond-string-not-equals-ignore-case", "IAM UG: StringNotEqualsIgnoreCase",
         IMPLICIT, **same(), context={"aws:PrincipalTag/team": "OPS"},
         identity=idp(allow("s3:GetObject", condition={"StringNotEqualsIgnoreCase": {"aws:PrincipalTag/team": "ops"}}))),
    Case("cond-string-like", "IAM UG: StringLike — * and ? wildcards",
         ALLOWED, action="s3:ListBucket", resource=BUCKET, **same(), context={"s3:prefix": "pipeline/build-7"},
         identity=idp(allow("s3:ListBucket", condition={"StringLike": {"s3:prefix": "pipeline/build-?"}}))),
    Case("cond-string-not-like", "IAM UG: StringNotLike",
         EXPLICIT, action="s3:ListBucket", resource=BUCKET, **same(), context={"s3:prefix": "secret/x"},
         identity=idp(allow("s3:ListBucket"), deny("s3:ListBucket", condition={"StringNotLike": {"s3:prefix": "pipeline/*"}}))),
    Case("cond-negated-absent-key", "IAM UG: condition operators — a negated operator is true when the key is missing",
         ALLOWED, **same(), context={"aws:PrincipalTag/team": ABSENT},
         identity=idp(allow("s3:GetObject", condition={"StringNotEquals": {"aws:PrincipalTag/team": "ops"}}))),
    Case("cond-positive-absent-key", "IAM UG: condition operators — a positive operator is false when the key is missing",
         IMPLICIT, **same(), context={"aws:PrincipalTag/team": ABSENT},
         identity=idp(allow("s3:GetObject", condition={"StringEquals": {"aws:PrincipalTag/team": "ops"}}))),
    Case("cond-key-name-case-insensitive", "IAM UG: Condition element — condition key names are case-insensitive",
         ALLOWED, **same(), context={"AWS:principaltag/team": "ci"},
         identity=idp(allow("s3:GetObject", condition={"StringEquals": {"aws:PrincipalTag/team": "ci"}}))),
    # ------------------------------------------------------------------ ARN conditions
    Case("cond-arn-like-source-arn", "IAM UG: ArnLike — service principal with aws:SourceArn",
         ALLOWED, action="sqs:SendMessage", resource=QUEUE_A, resource_account=A, principal=SVC_EVENTS,
         identity=None, context={"aws:SourceArn": RULE_A},
         rp=pol(allow("sqs:SendMessage", QUEUE_A, principal={"Service": "events.amazonaws.com"},
                      condition={"ArnLike": {"aws:SourceArn": f"arn:aws:events:*:{A}:rule/*"}}), name="queue policy of dlq")),
    Case("cond-arn-equals-mismatch", "IAM UG: ArnEquals — another rule is not admitted",
         IMPLICIT, action="sqs:SendMessage", resource=QUEUE_A, resource_account=A, principal=SVC_EVENTS,
         identity=None, context={"aws:SourceArn": f"arn:aws:events:us-east-1:{A}:rule/other"},
         rp=pol(allow("sqs:SendMessage", QUEUE_A, principal={"Service": "events.amazonaws.com"},
                      condition={"ArnEquals": {"aws:SourceArn": RULE_A}}), name="queue policy of dlq")),
    Case("cond-arn-not-like-deny", "IAM UG: ArnNotLike — Deny for everything but the listed roles",
         EXPLICIT, principal=Principal(OTHER_ROLE_A, None), **same(), identity=S3_ALLOW_ID,
         rp=bp(deny("s3:*", "*", principal="*", condition={"ArnNotLike": {"aws:PrincipalArn": f"arn:aws:iam::{A}:role/Dep*"}}))),
    Case("cond-arn-not-equals-passes", "IAM UG: ArnNotEquals — the listed role is not denied",
         ALLOWED, **same(), identity=S3_ALLOW_ID,
         rp=bp(deny("s3:*", "*", principal="*", condition={"ArnNotEquals": {"aws:PrincipalArn": ROLE_A}}))),
    Case("service-no-resource-policy", "IAM UG: service principals have no identity policies — they need a resource policy",
         IMPLICIT, action="sqs:SendMessage", resource=QUEUE_A, resource_account=A, principal=SVC_EVENTS, identity=None,
         rp=None),
    # ------------------------------------------------------------------ Bool / Null
    Case("cond-secure-transport-true", "IAM UG: Bool — Deny on aws:SecureTransport false does not apply over TLS",
         ALLOWED, **same(), context={"aws:SecureTransport": True}, identity=S3_ALLOW_ID,
         rp=bp(deny("s3:*", "*", principal="*", condition={"Bool": {"aws:SecureTransport": "false"}}, sid="TLSOnly"))),
    Case("cond-secure-transport-false", "IAM UG: Bool — Deny on aws:SecureTransport false applies without TLS",
         EXPLICIT, **same(), context={"aws:SecureTransport": "false"}, identity=S3_ALLOW_ID,
         rp=bp(deny("s3:*", "*", principal="*", condition={"Bool": {"aws:SecureTransport": False}}, sid="TLSOnly"))),
    Case("cond-secure-transport-unknown", "pipelint: an unknown key in a Deny over an Allow gives UNKNOWN",
         UNKNOWN, **same(), identity=S3_ALLOW_ID,
         rp=bp(deny("s3:*", "*", principal="*", condition={"Bool": {"aws:SecureTransport": "false"}})),
         unknown_mentions="aws:SecureTransport"),
    Case("cond-null-true-absent", "IAM UG: Null — true when the key is missing",
         EXPLICIT, action="s3:PutObject", **same(), context={"s3:x-amz-server-side-encryption": ABSENT},
         identity=idp(allow("s3:*"), deny("s3:PutObject", condition={"Null": {"s3:x-amz-server-side-encryption": "true"}}))),
    Case("cond-null-true-present", "IAM UG: Null — false when the key is present",
         ALLOWED, action="s3:PutObject", **same(), context={"s3:x-amz-server-side-encryption": "aws:kms"},
         identity=idp(allow("s3:*"), deny("s3:PutObject", condition={"Null": {"s3:x-amz-server-side-encryption": "true"}}))),
    Case("cond-null-false", "IAM UG: Null — \"false\" requires the key to be present",
         IMPLICIT, **same(), context={"aws:PrincipalOrgID": ABSENT},
         identity=idp(allow("s3:GetObject", condition={"Null": {"aws:PrincipalOrgID": "false"}}))),
    # ------------------------------------------------------------------ Numeric / Date / IP
    Case("cond-numeric-less-than-strict", "IAM UG: NumericLessThan — strict",
         IMPLICIT, action="s3:ListBucket", resource=BUCKET, **same(), context={"s3:max-keys": 10},
         identity=idp(allow("s3:ListBucket", condition={"NumericLessThan": {"s3:max-keys": "10"}}))),
    Case("cond-numeric-less-than-equals", "IAM UG: NumericLessThanEquals — inclusive",
         ALLOWED, action="s3:ListBucket", resource=BUCKET, **same(), context={"s3:max-keys": "10"},
         identity=idp(allow("s3:ListBucket", condition={"NumericLessThanEquals": {"s3:max-keys": 10}}))),
    Case("cond-numeric-greater-than", "IAM UG: NumericGreaterThan",
         ALLOWED, action="s3:ListBucket", resource=BUCKET, **same(), context={"s3:max-keys": "11"},
         identity=idp(allow("s3:ListBucket", condition={"NumericGreaterThan": {"s3:max-keys": "10"}}))),
    Case("cond-numeric-not-equals", "IAM UG: NumericNotEquals",
         IMPLICIT, action="s3:ListBucket", resource=BUCKET, **same(), context={"s3:max-keys": "10"},
         identity=idp(allow("s3:ListBucket", condition={"NumericNotEquals": {"s3:max-keys": ["10", "20"]}}))),
    Case("cond-date-greater-than", "IAM UG: DateGreaterThan — ISO 8601 against aws:CurrentTime",
         ALLOWED, **same(), context={"aws:CurrentTime": "2026-03-01T12:00:00Z"},
         identity=idp(allow("s3:GetObject", condition={"DateGreaterThan": {"aws:CurrentTime": "2026-01-01T00:00:00Z"}}))),
    Case("cond-date-epoch-less-than", "IAM UG: DateLessThan — epoch seconds",
         IMPLICIT, **same(), context={"aws:EpochTime": "1800000000"},
         identity=idp(allow("s3:GetObject", condition={"DateLessThan": {"aws:EpochTime": "2026-01-01T00:00:00Z"}}))),
    Case("cond-date-unknown", "pipelint: Date conditions on keys the request does not give are UNKNOWN",
         UNKNOWN, **same(),
         identity=idp(allow("s3:GetObject", condition={"DateLessThan": {"aws:CurrentTime": "2030-01-01T00:00:00Z"}})),
         unknown_mentions="aws:CurrentTime"),
    Case("cond-ip-address", "IAM UG: IpAddress — CIDR match",
         ALLOWED, **same(), context={"aws:SourceIp": "10.1.2.3"},
         identity=idp(allow("s3:GetObject", condition={"IpAddress": {"aws:SourceIp": ["192.0.2.0/24", "10.0.0.0/8"]}}))),
    Case("cond-not-ip-address-deny", "IAM UG: NotIpAddress — Deny from outside the range",
         EXPLICIT, **same(), context={"aws:SourceIp": "203.0.113.9"},
         identity=idp(allow("s3:*"), deny("s3:*", condition={"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}}))),
    Case("cond-ipv6", "IAM UG: IpAddress — IPv6 ranges",
         ALLOWED, **same(), context={"aws:SourceIp": "2001:db8::1"},
         identity=idp(allow("s3:GetObject", condition={"IpAddress": {"aws:SourceIp": "2001:db8::/32"}}))),
    # ------------------------------------------------------------------ IfExists / set operators
    Case("cond-ifexists-absent", "IAM UG: ...IfExists — true when the key is missing",
         ALLOWED, **same(), context={"aws:PrincipalTag/team": ABSENT},
         identity=idp(allow("s3:GetObject", condition={"StringEqualsIfExists": {"aws:PrincipalTag/team": "ci"}}))),
    Case("cond-ifexists-present-fails", "IAM UG: ...IfExists — the test applies when the key is present",
         IMPLICIT, **same(), context={"aws:PrincipalTag/team": "ops"},
         identity=idp(allow("s3:GetObject", condition={"StringEqualsIfExists": {"aws:PrincipalTag/team": "ci"}}))),
    Case("cond-ifexists-unknown", "pipelint: ...IfExists on a key the inputs do not settle is UNKNOWN",
         UNKNOWN, **same(),
         identity=idp(allow("s3:GetObject", condition={"StringEqualsIfExists": {"aws:PrincipalTag/team": "ci"}}))),
    Case("cond-for-any-value", "IAM UG: ForAnyValue — one request value matching suffices",
         ALLOWED, **same(), context={"aws:CalledVia": ["cloudformation.amazonaws.com", "athena.amazonaws.com"]},
         identity=idp(allow("s3:GetObject", condition={"ForAnyValue:StringEquals": {"aws:CalledVia": "athena.amazonaws.com"}}))),
    Case("cond-for-any-value-absent", "IAM UG: ForAnyValue — false when the key is missing",
         IMPLICIT, **same(), context={"aws:CalledVia": ABSENT},
         identity=idp(allow("s3:GetObject", condition={"ForAnyValue:StringEquals": {"aws:CalledVia": "athena.amazonaws.com"}}))),
    Case("cond-for-all-values-absent", "IAM UG: ForAllValues — true when the key is missing",
         ALLOWED, **same(), context={"aws:TagKeys": ABSENT},
         identity=idp(allow("s3:GetObject", condition={"ForAllValues:StringEquals": {"aws:TagKeys": ["team", "env"]}}))),
    Case("cond-for-all-values-subset", "IAM UG: ForAllValues — every request value must be in the list",
         ALLOWED, **same(), context={"aws:TagKeys": ["team", "env"]},
         identity=idp(allow("s3:GetObject", condition={"ForAllValues:StringEquals": {"aws:TagKeys": ["team", "env", "cost"]}}))),
    Case("cond-for-all-values-extra", "IAM UG: ForAllValues — one value outside the list fails",
         IMPLICIT, **same(), context={"aws:TagKeys": ["team", "owner"]},
         identity=idp(allow("s3:GetObject", condition={"ForAllValues:StringEquals": {"aws:TagKeys": ["team", "env"]}}))),
    Case("cond-for-all-values-not-like-deny", "IAM UG: multivalued examples — ForAllValues:StringNotLike in a Deny",
         EXPLICIT, **same(), context={"aws:TagKeys": ["key2:audit"]},
         identity=idp(allow("s3:*"), deny("s3:*", condition={"ForAllValues:StringNotLike": {"aws:TagKeys": "key1*"}}))),
    Case("cond-single-operator-multivalued-none-match", "IAM UG: single- vs multivalued keys — no value matches: false",
         IMPLICIT, **same(), context={"aws:CalledVia": ["a.amazonaws.com", "b.amazonaws.com"]},
         identity=idp(allow("s3:GetObject", condition={"StringEquals": {"aws:CalledVia": "c.amazonaws.com"}}))),
    Case("cond-single-operator-multivalued-ambiguous", "IAM UG: single- vs multivalued keys — undocumented, so UNKNOWN",
         UNKNOWN, **same(), context={"aws:CalledVia": ["a.amazonaws.com", "b.amazonaws.com"]},
         identity=idp(allow("s3:GetObject", condition={"StringEquals": {"aws:CalledVia": "a.amazonaws.com"}})),
         unknown_mentions="multivalued"),
    # ------------------------------------------------------------------ AND / OR
    Case("cond-operators-anded", "IAM UG: multiple condition operators are ANDed",
         IMPLICIT, **same(), context={"aws:SecureTransport": "true", "aws:SourceIp": "203.0.113.9"},
         identity=idp(allow("s3:GetObject", condition={"Bool": {"aws:SecureTransport": "true"},
                                                       "IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}))),
    Case("cond-keys-anded", "IAM UG: multiple keys under one operator are ANDed",
         IMPLICIT, **same(), context={"aws:PrincipalTag/team": "ci", "aws:PrincipalTag/env": "dev"},
         identity=idp(allow("s3:GetObject", condition={"StringEquals": {"aws:PrincipalTag/team": "ci",
                                                                        "aws:PrincipalTag/env": "prod"}}))),
    Case("cond-values-ored", "IAM UG: multiple values for one key are ORed",
         ALLOWED, **same(), context={"aws:PrincipalTag/env": "prod"},
         identity=idp(allow("s3:GetObject", condition={"StringEquals": {"aws:PrincipalTag/env": ["dev", "prod"]}}))),
    Case("cond-known-false-beats-unknown", "pipelint: a known-false condition settles the statement despite unknown keys",
         IMPLICIT, **same(), context={"aws:SecureTransport": "false"},
         identity=idp(allow("s3:GetObject", condition={"Bool": {"aws:SecureTransport": "true"},
                                                       "StringEquals": {"aws:PrincipalTag/team": "ci"}}))),
    # ------------------------------------------------------------------ account / org conditions
    Case("deny-principal-account-not-in-list-satisfied", "IAM UG: StringNotEquals NOR — caller's account is in the list",
         ALLOWED, identity=S3_ALLOW_ID,
         rp=bp(allow("s3:GetObject", "arn:aws:s3:::artifacts/*", principal=aws(ROOT_A)),
               deny("s3:*", "*", principal="*", condition={"StringNotEquals": {"aws:PrincipalAccount": [A, B, C]}}))),
    Case("deny-principal-account-not-in-list-violated", "IAM UG: StringNotEquals NOR — caller's account is not listed",
         EXPLICIT, principal=Principal(f"arn:aws:iam::{D}:role/Deploy", None), identity=S3_ALLOW_ID,
         rp=bp(allow("s3:GetObject", "*", principal="*"),
               deny("s3:*", "*", principal="*", condition={"StringNotEquals": {"aws:PrincipalAccount": [A, B, C]}}))),
    Case("principal-org-id-known", "IAM UG: aws:PrincipalOrgID — from Principal.org_id",
         ALLOWED, principal=Principal(ROLE_A, None, org_id="o-abc123"), identity=S3_ALLOW_ID,
         rp=bp(allow("s3:GetObject", "*", principal="*", condition={"StringEquals": {"aws:PrincipalOrgID": "o-abc123"}}))),
    Case("principal-org-id-unknown", "pipelint: aws:PrincipalOrgID is UNKNOWN unless the inputs say",
         UNKNOWN, identity=S3_ALLOW_ID,
         rp=bp(allow("s3:GetObject", "*", principal="*", condition={"StringEquals": {"aws:PrincipalOrgID": "o-abc123"}})),
         unknown_mentions="aws:PrincipalOrgID"),
    # ------------------------------------------------------------------ policy variables
    Case("var-principal-account-in-resource", "IAM UG: policy variables — ${aws:PrincipalAccount} in Resource",
         ALLOWED, resource=f"arn:aws:s3:::artifacts-{A}/x", **same(),
         identity=idp(allow("s3:GetObject", "arn:aws:s3:::artifacts-${aws:PrincipalAccount}/*"))),
    Case("var-in-condition", "IAM UG: policy variables — in condition values",
         ALLOWED, **same(), context={"aws:ResourceAccount": A},
         identity=idp(allow("s3:GetObject", condition={"StringEquals": {"aws:ResourceAccount": "${aws:PrincipalAccount}"}}))),
    Case("var-unknown", "pipelint: a policy variable the inputs do not settle makes the statement UNKNOWN",
         UNKNOWN, **same(), identity=idp(allow("s3:GetObject", "arn:aws:s3:::artifacts/${aws:PrincipalTag/team}/*")),
         unknown_mentions="aws:PrincipalTag/team"),
    Case("var-default", "IAM UG: policy variables — default value when the key is missing",
         ALLOWED, resource="arn:aws:s3:::artifacts/shared/x", **same(),
         identity=idp(allow("s3:GetObject", "arn:aws:s3:::artifacts/${aws:username, 'shared'}/*"))),
    Case("var-literal-star", "IAM UG: policy variables — ${*} is a literal asterisk",
         IMPLICIT, resource="arn:aws:s3:::artifacts/x", **same(),
         identity=idp(allow("s3:GetObject", "arn:aws:s3:::artifacts/${*}"))),
    Case("var-old-version-literal", "IAM UG: policy variables — only with Version 2012-10-17",
         IMPLICIT, resource=f"arn:aws:s3:::artifacts-{A}/x", **same(),
         identity=[Policy({"Version": "2008-10-17", "Statement": [allow("s3:GetObject", "arn:aws:s3:::artifacts-${aws:PrincipalAccount}/*")]}, "old")]),
    # ------------------------------------------------------------------ Unknown values in documents
    Case("unknown-identity-document", "pipelint: a policy not among the inputs is UNKNOWN",
         UNKNOWN, **same(), identity=[Policy(Unknown("managed policy arn:aws:iam::111122223333:policy/ci"), "managed policy ci")],
         unknown_mentions="managed policy ci"),
    Case("unknown-document-known-deny", "IAM UG: explicit deny wins — even over an unknown policy",
         EXPLICIT, **same(), identity=[Policy(Unknown("managed policy"), "managed policy ci"), idp(deny("s3:*"))[0]]),
    Case("unknown-principal-entry", "pipelint: an Unknown Principal entry leaves the grant open",
         UNKNOWN, identity=S3_ALLOW_ID, rp=bp(allow("s3:GetObject", "*", principal=aws(Unknown("parameter ToolingRoleArn")))),
         unknown_mentions="Principal"),
    Case("unknown-principal-entry-other-known", "pipelint: an Unknown entry does not matter when another entry names the caller",
         ALLOWED, identity=S3_ALLOW_ID,
         rp=bp(allow("s3:GetObject", "*", principal={"AWS": [Unknown("parameter X"), ROLE_A]}))),
    Case("unknown-action-in-deny", "pipelint: an UNKNOWN Deny over a holding Allow gives UNKNOWN",
         UNKNOWN, **same(), identity=idp(allow("s3:*"), deny(Unknown("parameter DeniedAction"))),
         unknown_mentions="parameter DeniedAction"),
    Case("unknown-resource-other-allow", "pipelint: an UNKNOWN Allow beside a known Allow does not matter",
         ALLOWED, **same(), identity=idp(allow("s3:GetObject", Unknown("bucket name")), allow("s3:GetObject", "*"))),
    Case("unknown-condition-value", "pipelint: an Unknown condition value makes that comparison UNKNOWN",
         UNKNOWN, **same(), context={"aws:PrincipalTag/team": "ci"},
         identity=idp(allow("s3:GetObject", condition={"StringEquals": {"aws:PrincipalTag/team": Unknown("parameter Team")}}))),
    Case("unknown-statement", "pipelint: an Unknown statement could allow or deny",
         UNKNOWN, **same(), identity=idp(allow("s3:GetObject"), Unknown("Fn::If on IsProd"))),
    Case("unknown-deny-but-no-allow", "pipelint: without an Allow the request is denied whatever the unknown Deny says",
         IMPLICIT, **same(), identity=idp(deny(Unknown("parameter X")))),
    Case("unknown-resource-account-with-policy", "pipelint: same- vs cross-account unknown when it changes the answer",
         UNKNOWN, resource_account=None, identity=[], rp=bp(allow("s3:GetObject", "*", principal=aws(ROLE_A))),
         unknown_mentions="account that owns"),
    Case("unknown-owner-no-resource-policy", "IAM UG: cross-account evaluation — without a resource policy "
         "only a same-account caller gets in, so an unknown owner leaves an identity Allow open",
         UNKNOWN, resource_account=None, resource="arn:aws:s3:::artifacts/pipeline/obj.zip", identity=S3_ALLOW_ID,
         rp=None, unknown_mentions="account that owns"),
    Case("unknown-owner-no-resource-policy-denied", "pipelint: unknown owner does not matter when no layer allows",
         IMPLICIT, resource_account=None, identity=[], rp=None),
    Case("kms-alias-without-key-policy", "KMS DG: using aliases — the key policy of the aliased key governs",
         UNKNOWN, action="kms:Decrypt", resource=f"arn:aws:kms:us-east-1:{A}:alias/artifacts", resource_account=A,
         kind="kms", identity=KMS_ALLOW_ID, rp=None, unknown_mentions="alias"),
    Case("kms-alias-management-iam-only", "KMS DG: controlling access to aliases — IAM decides for the alias side",
         ALLOWED, action="kms:UpdateAlias", resource=f"arn:aws:kms:us-east-1:{A}:alias/artifacts", resource_account=A,
         kind="kms", identity=idp(allow("kms:UpdateAlias", "*")), rp=None),
    Case("unknown-resource-account-irrelevant", "pipelint: unknown owner does not matter when both answers agree",
         ALLOWED, resource_account=None, identity=S3_ALLOW_ID,
         rp=bp(allow("s3:GetObject", "*", principal=aws(ROLE_A)))),
    Case("unknown-notprincipal-beside-root-grant", "pipelint: the unknown grant is named even when another kind of grant is known",
         UNKNOWN, **same(), identity=[],
         rp=bp(allow("s3:*", principal=aws(ROOT_A)), allow("s3:*", not_principal=aws(Unknown("parameter Excluded")))),
         unknown_mentions="NotPrincipal"),
    Case("unknown-operator", "pipelint: an operator pipelint does not know is UNKNOWN",
         UNKNOWN, **same(), identity=idp(allow("s3:GetObject", condition={"StringFancyEquals": {"aws:PrincipalTag/x": "y"}})),
         unknown_mentions="StringFancyEquals"),
    # ------------------------------------------------------------------ special actions, boundaries, anonymous
    Case("get-caller-identity", "STS API GetCallerIdentity — allowed even with an explicit Deny",
         ALLOWED, action="sts:GetCallerIdentity", resource="*", resource_account=None, identity=idp(deny("*"))),
    Case("boundary-limits-identity", "IAM UG: permissions boundaries — only actions both allow",
         IMPLICIT, **same(), identity=S3_ALLOW_ID, boundary=pol(allow("ec2:*"), name="boundary")),
    Case("boundary-allows", "IAM UG: permissions boundaries — identity and boundary both allow",
         ALLOWED, **same(), identity=S3_ALLOW_ID, boundary=pol(allow("s3:*"), name="boundary")),
    Case("boundary-deny", "IAM UG: policy evaluation logic — a Deny in the boundary wins",
         EXPLICIT, **same(), identity=S3_ALLOW_ID, boundary=pol(allow("*"), deny("s3:GetObject"), name="boundary"),
         rp=bp(allow("s3:GetObject", "*", principal=aws(SESSION_A)))),
    Case("boundary-session-arn-bypass", "IAM UG: evaluation logic — RP naming the session ARN is not limited by a boundary",
         ALLOWED, principal=Principal(SESSION_A, None), **same(), identity=[],
         boundary=pol(allow("ec2:*"), name="boundary"), rp=bp(allow("s3:GetObject", "*", principal=aws(SESSION_A)))),
    Case("boundary-role-arn-no-bypass", "IAM UG: evaluation logic — RP naming the role ARN is limited by a boundary",
         IMPLICIT, principal=Principal(SESSION_A, None), **same(), identity=[],
         boundary=pol(allow("ec2:*"), name="boundary"), rp=bp(allow("s3:GetObject", "*", principal=aws(ROLE_A)))),
    Case("anonymous-star", 'IAM UG: Principal element — "*" includes anonymous callers',
         ALLOWED, principal=Principal(None, None), identity=None, rp=bp(allow("s3:GetObject", "*", principal="*"))),
    Case("anonymous-root", "IAM UG: Principal element — an account root never names an anonymous caller",
         IMPLICIT, principal=Principal(None, None), identity=None, rp=bp(allow("s3:GetObject", "*", principal=aws(ROOT_B)))),
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_evaluator_case(case: Case) -> None:
    request = Request(case.principal, case.action, case.resource, case.resource_account, case.context)
    result = evaluate(request, case.identity, case.rp, kind=case.kind, permissions_boundary=case.boundary)
    assert result.decision is case.expect, (case.rule, result)
    if case.expect_identity is not ANY:
        assert result.identity is case.expect_identity, (case.rule, result)
    if case.expect_resource is not ANY:
        assert result.resource is case.expect_resource, (case.rule, result)
    if case.unknown_mentions:
        assert any(case.unknown_mentions in u for u in result.unknowns), result.unknowns
    if case.reason_mentions:
        assert any(case.reason_mentions in r for r in result.reasons), result.reasons
    if case.expect is UNKNOWN:
        assert result.unknowns, "an UNKNOWN must name what would settle it"
    if case.expect is EXPLICIT:
        assert result.deciding and all(r.statement.get("Effect") == "Deny" for r in result.deciding
                                       if isinstance(r.statement, dict))
    if case.expect is ALLOWED and case.action != "sts:GetCallerIdentity":
        assert result.deciding, "an ALLOWED result names the Allow statements"


def test_case_ids_are_unique_and_many() -> None:
    ids = [c.id for c in CASES]
    assert len(ids) == len(set(ids))
    assert len(ids) >= 80


def test_session_principal_arn_is_its_roles_arn_when_the_role_is_known():
    """IAM UG, global condition keys, aws:PrincipalArn: for a role session, the role's ARN (with its path)."""
    from pipelint import grants
    from pipelint.model import Role, Source, World

    world = World()
    world.add("roles", Role(key=ROLE_A_PATH, arn=ROLE_A_PATH, name="Deploy", account=A, source=Source("t")))
    principal = grants.principal(world, SESSION_A)
    trust = tp(allow("sts:AssumeRole", principal=aws(ROOT_A), no_resource=True,
                     condition={"ArnEquals": {"aws:PrincipalArn": ROLE_A_PATH}}))
    request = Request(principal, "sts:AssumeRole", ROLE_B, B, {})
    assert evaluate(request, ASSUME_ID, trust, kind="trust").decision is ALLOWED
    # without the role among the inputs its path is not known: the key stays open
    unknown = Request(grants.principal(World(), SESSION_A), "sts:AssumeRole", ROLE_B, B, {})
    assert evaluate(unknown, ASSUME_ID, trust, kind="trust").decision is UNKNOWN
