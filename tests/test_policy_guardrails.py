"""The evaluator's organization layers: service control policies and resource control policies.

Each case cites the AWS Organizations User Guide page it exercises ("SCP evaluation",
orgs_manage_policies_scps_evaluation.html; "RCP evaluation", orgs_manage_policies_rcps_evaluation.html;
"Resource control policies", orgs_manage_policies_rcps.html) or the IAM User Guide's "Policy evaluation
logic". Who is exempt (management account, service-linked roles) is decided outside the evaluator and
reaches it as ``OrgPolicies.applies``; those rules are tested in tests/test_guardrails_world.py.
"""

from __future__ import annotations

import pytest

from pipelint.policy import ABSENT, AbsentOr, Decision, OrgPolicies, Policy, Principal, Request, evaluate
from pipelint.values import Unknown

A, B = "111122223333", "444455556666"
ROLE_A = f"arn:aws:iam::{A}:role/deploy"
KEY_B = f"arn:aws:kms:eu-west-1:{B}:key/1111aaaa-2222-3333-4444-555566667777"
OBJ_B = "arn:aws:s3:::artifacts-b/release/Build/obj"
ORG = "o-abcdefghij"

FULL = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
RCP_FULL = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*",
                                                   "Resource": "*"}]}
REGION_DENY = {"Version": "2012-10-17", "Statement": [{
    "Sid": "DenyOutsideApprovedRegions", "Effect": "Deny", "NotAction": ["iam:*", "sts:*", "organizations:*"],
    "Resource": "*", "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["us-east-1"]}}}]}
ONLY_S3 = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
KMS_TAG = {"Version": "2012-10-17", "Statement": [{
    "Sid": "KmsOnlyForPlatform", "Effect": "Deny", "Action": "kms:*", "Resource": "*",
    "Condition": {"StringNotEquals": {"aws:PrincipalTag/team": "platform"}}}]}
PERIMETER = {"Version": "2012-10-17", "Statement": [{
    "Sid": "EnforceOrgIdentities", "Effect": "Deny", "Principal": "*", "Action": ["s3:*", "kms:*", "sts:*"],
    "Resource": "*", "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": ORG},
                                   "BoolIfExists": {"aws:PrincipalIsAWSService": "false"}}}]}

IDENTITY = [Policy({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": ["kms:*", "s3:*"], "Resource": "*"}]}, "deploy policy")]
KEY_POLICY = Policy({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{A}:root"}, "Action": "kms:*", "Resource": "*"}]},
    "key policy")
BUCKET_POLICY = Policy({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{A}:root"}, "Action": "s3:GetObject",
     "Resource": "arn:aws:s3:::artifacts-b/*"}]}, "bucket policy")


def levels(*policies, applies=True, why=None) -> OrgPolicies:
    """One level per argument: a dict is a policy document, a list several, None an unknown level."""
    out = []
    for i, level in enumerate(policies):
        if level is None:
            out.append((f"level {i}", (Policy(Unknown(f"the policies of level {i}"), f"policies of level {i}"),)))
        else:
            docs = level if isinstance(level, list) else [level]
            out.append((f"level {i}", tuple(Policy(d, f"policy {j} of level {i}") for j, d in enumerate(docs))))
    return OrgPolicies(tuple(out), applies, why)


def decrypt(context=None, **guardrails):
    request = Request(Principal(ROLE_A, A), "kms:Decrypt", KEY_B, B,
                      {"aws:RequestedRegion": "eu-west-1", **(context or {})})
    return evaluate(request, IDENTITY, KEY_POLICY, kind="kms", **guardrails)


def test_without_guardrails_the_cross_account_grant_holds():
    result = decrypt()
    assert result.decision is Decision.ALLOWED and result.scp is None and result.rcp is None


def test_scp_deny_at_one_level_wins_and_is_quoted():
    # "SCP evaluation": an explicit Deny at any level denies, whatever the other levels allow
    result = decrypt(scps=levels(FULL, [FULL, REGION_DENY], FULL))
    assert result.decision is Decision.EXPLICIT_DENY and result.scp is Decision.EXPLICIT_DENY
    assert [r.sid for r in result.deciding] == ["DenyOutsideApprovedRegions"]
    assert "service control policy" in result.reasons[0]


def test_scp_approving_the_region_passes():
    result = decrypt({"aws:RequestedRegion": "us-east-1"}, scps=levels(FULL, [FULL, REGION_DENY], FULL))
    assert result.decision is Decision.ALLOWED and result.scp is Decision.ALLOWED


def test_scp_every_level_must_allow():
    # "SCP evaluation": a level whose SCPs allow only S3 filters KMS out for everything below it
    result = decrypt(scps=levels(FULL, ONLY_S3, FULL))
    assert result.decision is Decision.IMPLICIT_DENY and result.scp is Decision.IMPLICIT_DENY
    assert "level 1" in result.reasons[0]


def test_scp_grants_nothing():
    # an SCP Allow does not stand in for the identity policy
    request = Request(Principal(ROLE_A, A), "kms:Decrypt", KEY_B, B, {"aws:RequestedRegion": "us-east-1"})
    result = evaluate(request, [], KEY_POLICY, kind="kms", scps=levels(FULL, FULL))
    assert result.decision is Decision.IMPLICIT_DENY and result.scp is Decision.ALLOWED


def test_an_unknown_level_is_never_allowed():
    result = decrypt({"aws:RequestedRegion": "us-east-1"}, scps=levels(FULL, None, FULL))
    assert result.decision is Decision.UNKNOWN
    assert any("the policies of level 1" in u for u in result.unknowns)


def test_an_unknown_level_does_not_hide_a_known_deny():
    result = decrypt(scps=levels(FULL, None, [FULL, REGION_DENY]))
    assert result.decision is Decision.EXPLICIT_DENY


def test_deny_guarded_by_a_condition_the_principal_satisfies():
    tags = {"aws:PrincipalTag/team": "platform", "aws:PrincipalTag/*": ABSENT}
    assert decrypt(tags, scps=levels([FULL, KMS_TAG])).decision is Decision.ALLOWED


def test_principal_tags_the_role_lacks_are_absent():
    # the role is tagged, but not with team: the StringNotEquals Deny applies (a missing key makes a
    # negated operator true, IAM UG "Condition operators")
    tags = {"aws:PrincipalTag/owner": "app", "aws:PrincipalTag/*": ABSENT}
    result = decrypt(tags, scps=levels([FULL, KMS_TAG]))
    assert result.decision is Decision.EXPLICIT_DENY and result.deciding[0].sid == "KmsOnlyForPlatform"
    assert decrypt({"aws:PrincipalTag/team": "app"}, scps=levels([FULL, KMS_TAG])).decision \
        is Decision.EXPLICIT_DENY
    # tags not known at all: unverified
    assert decrypt(scps=levels([FULL, KMS_TAG])).decision is Decision.UNKNOWN


def test_exempt_and_maybe_exempt():
    deny = levels([FULL, REGION_DENY], applies=False)
    assert decrypt(scps=deny).decision is Decision.ALLOWED
    maybe = levels([FULL, REGION_DENY], applies=None, why="whether 1111 is the management account")
    result = decrypt(scps=maybe)
    assert result.decision is Decision.UNKNOWN and "whether 1111 is the management account" in result.unknowns
    # when the SCPs allow anyway, whether they apply does not matter
    assert decrypt({"aws:RequestedRegion": "us-east-1"}, scps=maybe).decision is Decision.ALLOWED


def read(org, context=None, principal=None):
    principal = principal or Principal(ROLE_A, A, org_id=org)
    request = Request(principal, "s3:GetObject", OBJ_B, B, {"aws:SecureTransport": True, **(context or {})})
    return evaluate(request, IDENTITY, BUCKET_POLICY, rcps=levels([RCP_FULL, PERIMETER], RCP_FULL))


def test_rcp_refuses_principals_outside_the_organization():
    # "RCP evaluation": an RCP Deny (Principal "*") applies to every caller of the resource
    assert read(ORG).decision is Decision.ALLOWED
    outside = read(None, {"aws:PrincipalOrgID": AbsentOr([ORG])})
    assert outside.decision is Decision.EXPLICIT_DENY and outside.rcp is Decision.EXPLICIT_DENY
    assert outside.deciding[0].sid == "EnforceOrgIdentities" and "resource control policy" in outside.reasons[0]
    # membership not known: unverified, never a guess
    assert read(None).decision is Decision.UNKNOWN


def test_absent_or_settles_only_what_both_cases_agree_on():
    stmt = {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*",
                                                   "Resource": "*",
                                                   "Condition": {"StringEqualsIfExists": {"aws:PrincipalOrgID": ORG}}}]}
    request = Request(Principal(ROLE_A, A), "s3:GetObject", OBJ_B, B,
                      {"aws:SecureTransport": True, "aws:PrincipalOrgID": AbsentOr([ORG])})
    # absent: IfExists makes it true; another org: false -> cannot be settled
    assert evaluate(request, IDENTITY, BUCKET_POLICY, rcps=levels([RCP_FULL, stmt])).decision is Decision.UNKNOWN


def test_rcps_do_not_exempt_service_principals():
    # RCPs apply to service principals too (orgs_manage_policies_rcps.html lists no such exemption);
    # the usual perimeter exempts them with aws:PrincipalIsAWSService
    queue = "arn:aws:sqs:us-east-1:444455556666:dlq"
    queue_policy = Policy({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"}, "Action": "sqs:SendMessage",
        "Resource": queue}]}, "queue policy")
    # a service principal has no aws:PrincipalOrgID (IAM UG, global condition context keys)
    request = Request(Principal(None, service="events.amazonaws.com"), "sqs:SendMessage", queue, B,
                      {"aws:PrincipalOrgID": ABSENT})
    strict = {"Version": "2012-10-17", "Statement": [{
        "Sid": "OnlyOrg", "Effect": "Deny", "Principal": "*", "Action": "sqs:*", "Resource": "*",
        "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": ORG}}}]}
    assert evaluate(request, None, queue_policy, rcps=levels([RCP_FULL, strict])).decision is Decision.EXPLICIT_DENY
    assert evaluate(request, None, queue_policy, rcps=levels([RCP_FULL, PERIMETER])).decision is Decision.ALLOWED


@pytest.mark.parametrize("scps", [[[FULL], [FULL, REGION_DENY]], [[Policy(FULL, "full")], [Policy(FULL, "f2")]]])
def test_plain_lists_of_levels_are_accepted(scps):
    docs = [[p if isinstance(p, Policy) else Policy(p, "p") for p in level] for level in scps]
    result = decrypt(scps=docs)
    assert result.decision in (Decision.EXPLICIT_DENY, Decision.ALLOWED)
    assert result.scp is result.decision
