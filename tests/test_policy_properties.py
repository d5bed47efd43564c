"""Property tests of the evaluator (hypothesis).

- IAM UG, policy evaluation logic: Allows are ORed, so adding an Allow never turns ALLOWED into a deny;
- IAM UG, policy evaluation logic: an explicit Deny wins, so an unconditioned Deny on the exact action,
  resource and principal always yields EXPLICIT_DENY;
- statement order and policy order never matter;
- evaluation is pure: same answer twice, inputs not mutated.

``max_examples`` is 200 by default; set PIPELINT_FUZZ_EXAMPLES for longer runs.
"""

from __future__ import annotations

import copy
import os
import random
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipelint.policy import ABSENT, Decision, Policy, Principal, Request, evaluate
from pipelint.values import Unknown

EXAMPLES = int(os.environ.get("PIPELINT_FUZZ_EXAMPLES", "200"))
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])

A, B = "111122223333", "444455556666"
ACCOUNTS = [A, B]

PRINCIPALS = [
    Principal(f"arn:aws:iam::{A}:role/Deploy", None),
    Principal(f"arn:aws:iam::{A}:role/ci/Deploy", None),
    Principal(f"arn:aws:sts::{A}:assumed-role/Deploy/s1", None),
    Principal(f"arn:aws:iam::{B}:role/Target", None),
    Principal(f"arn:aws:iam::{A}:user/alice", None, org_id="o-1"),
    Principal(None, None, service="events.amazonaws.com"),
    Principal(None, None),
]

REQUESTS = [  # (action, resource, kind)
    ("s3:GetObject", "arn:aws:s3:::b/k", "generic"),
    ("s3:ListBucket", "arn:aws:s3:::b", "generic"),
    ("kms:Decrypt", f"arn:aws:kms:us-east-1:{A}:key/k1", "kms"),
    ("kms:Decrypt", f"arn:aws:kms:us-east-1:{B}:key/k1", "kms"),
    ("sts:AssumeRole", f"arn:aws:iam::{B}:role/Target", "trust"),
    ("sts:AssumeRole", f"arn:aws:iam::{A}:role/Other", "trust"),
    ("sqs:SendMessage", f"arn:aws:sqs:us-east-1:{A}:dlq", "generic"),
    ("kms:CreateAlias", f"arn:aws:kms:us-east-1:{A}:alias/aws/s3", "generic"),
]

actions = st.sampled_from(["*", "s3:*", "s3:GetObject", "s3:Get*", "s3:ListBucket", "kms:*", "kms:Decrypt",
                           "sts:AssumeRole", "sqs:SendMessage", "kms:CreateAlias", "iam:PassRole",
                           "s3:Get,Put", Unknown("param Action")])
resources = st.sampled_from(["*", "arn:aws:s3:::b/*", "arn:aws:s3:::b", "arn:aws:s3:::other/*",
                             f"arn:aws:kms:*:{A}:key/*", f"arn:aws:iam::{B}:role/*", f"arn:aws:sqs:*:{A}:*",
                             Unknown("param Bucket")])
principal_values = st.sampled_from([
    "*", {"AWS": "*"}, {"AWS": f"arn:aws:iam::{A}:root"}, {"AWS": B}, {"AWS": f"arn:aws:iam::{A}:role/Deploy"},
    {"AWS": f"arn:aws:iam::{A}:role/ci/Deploy"}, {"AWS": f"arn:aws:sts::{A}:assumed-role/Deploy/s1"},
    {"AWS": [f"arn:aws:iam::{B}:role/Target", f"arn:aws:iam::{A}:user/alice"]},
    {"Service": "events.amazonaws.com"}, {"AWS": Unknown("param Principal")},
])
conditions = st.sampled_from([
    None, None, None,
    {"StringEquals": {"aws:PrincipalAccount": A}},
    {"StringNotEquals": {"aws:PrincipalAccount": [A, B]}},
    {"Bool": {"aws:SecureTransport": "false"}},
    {"StringEquals": {"aws:PrincipalTag/team": "ci"}},
    {"StringEqualsIfExists": {"aws:PrincipalTag/team": "ci"}},
    {"Null": {"aws:PrincipalOrgID": "false"}},
    {"ForAnyValue:StringLike": {"aws:CalledVia": "*.amazonaws.com"}},
    {"StringEquals": {"aws:PrincipalOrgID": "o-1"}},
    {"ArnLike": {"aws:SourceArn": f"arn:aws:events:*:{A}:rule/*"}},
])
contexts = st.sampled_from([
    {}, {"aws:SecureTransport": True}, {"aws:SecureTransport": "false", "aws:PrincipalTag/team": "ci"},
    {"aws:PrincipalTag/team": ABSENT, "aws:CalledVia": ["cloudformation.amazonaws.com"]},
    {"aws:SourceArn": f"arn:aws:events:us-east-1:{A}:rule/r"},
])


@st.composite
def statements(draw, resource_policy: bool, effect=None) -> dict:
    s: dict = {"Effect": effect or draw(st.sampled_from(["Allow", "Allow", "Deny"]))}
    if draw(st.integers(0, 5)) == 0:
        s["NotAction"] = draw(st.lists(actions, min_size=1, max_size=2))
    else:
        s["Action"] = draw(st.one_of(actions, st.lists(actions, min_size=1, max_size=3)))
    r = draw(st.integers(0, 6))
    if r == 0:
        s["NotResource"] = draw(resources)
    elif r == 1 and resource_policy:
        pass  # absent Resource in a resource policy: the resource itself
    else:
        s["Resource"] = draw(st.one_of(resources, st.lists(resources, min_size=1, max_size=3)))
    if resource_policy:
        if draw(st.integers(0, 7)) == 0:
            s["NotPrincipal"] = draw(principal_values)
        else:
            s["Principal"] = draw(principal_values)
    c = draw(conditions)
    if c is not None:
        s["Condition"] = c
    if draw(st.booleans()):
        s["Sid"] = f"S{draw(st.integers(0, 99))}"
    return s


def policy(stmts: list, name: str) -> Policy:
    return Policy({"Version": "2012-10-17", "Statement": stmts}, name)


@st.composite
def worlds(draw):
    principal = draw(st.sampled_from(PRINCIPALS))
    action, resource, kind = draw(st.sampled_from(REQUESTS))
    owner = draw(st.sampled_from([A, A, B, None]))
    if owner is None and "::" not in resource:  # ARNs with an account carry it
        owner = None
    context = draw(contexts)
    ident = None
    if draw(st.integers(0, 5)) != 0:
        ident = []
        for i in range(draw(st.integers(0, 2))):
            if draw(st.integers(0, 9)) == 0:
                ident.append(Policy(Unknown("managed policy not in inputs"), f"managed {i}"))
            else:
                ident.append(policy(draw(st.lists(statements(False), max_size=4)), f"identity {i}"))
    rp = None
    if draw(st.integers(0, 3)) != 0:
        rp = policy(draw(st.lists(statements(True), max_size=4)), "resource policy")
    boundary = None
    if draw(st.integers(0, 4)) == 0:
        boundary = policy(draw(st.lists(statements(False), max_size=3)), "boundary")
    return principal, action, resource, owner, context, ident, rp, kind, boundary


def run(world):
    principal, action, resource, owner, context, ident, rp, kind, boundary = world
    return evaluate(Request(principal, action, resource, owner, context), ident, rp, kind=kind,
                    permissions_boundary=boundary)


def with_statement(p: Policy, stmt: dict, front: bool) -> Policy:
    stmts = list(p.document["Statement"])
    stmts = [stmt] + stmts if front else stmts + [stmt]
    return Policy(dict(p.document, Statement=stmts), p.name)


@SETTINGS
@given(worlds(), st.data())
def test_adding_an_allow_never_denies_an_allowed_request(world, data) -> None:
    before = run(world)
    if before.decision is not Decision.ALLOWED:
        return
    principal, action, resource, owner, context, ident, rp, kind, boundary = world
    targets = []
    if ident is not None:
        targets += [("ident", i) for i, p in enumerate(ident) if isinstance(p.document, dict)] + [("ident-new", None)]
    if rp is not None:
        targets.append(("rp", None))
    if boundary is not None:
        targets.append(("boundary", None))
    if not targets:
        return
    where, idx = data.draw(st.sampled_from(targets))
    front = data.draw(st.booleans())
    stmt = data.draw(statements(where == "rp", effect="Allow"))
    if where == "ident":
        ident = list(ident)
        ident[idx] = with_statement(ident[idx], stmt, front)
    elif where == "ident-new":
        ident = list(ident) + [policy([stmt], "extra identity")]
    elif where == "rp":
        rp = with_statement(rp, stmt, front)
    else:
        boundary = with_statement(boundary, stmt, front)
    after = run((principal, action, resource, owner, context, ident, rp, kind, boundary))
    assert after.decision is Decision.ALLOWED, (stmt, where, after)


@SETTINGS
@given(worlds(), st.data())
def test_an_unconditioned_exact_deny_always_wins(world, data) -> None:
    principal, action, resource, owner, context, ident, rp, kind, boundary = world
    aws_principal = principal.arn is not None
    options = []
    if aws_principal and ident is not None:
        options.append("ident")
    if aws_principal and boundary is not None:
        options.append("boundary")
    options.append("rp")
    where = data.draw(st.sampled_from(options))
    front = data.draw(st.booleans())
    if where == "rp":
        named = data.draw(st.sampled_from(
            ["*", {"AWS": "*"}] + ([{"AWS": principal.arn}] if aws_principal else [])
            + ([{"Service": principal.service}] if principal.service else [])))
        deny = {"Effect": "Deny", "Principal": named, "Action": action}
        if data.draw(st.booleans()):
            deny["Resource"] = resource
        rp = with_statement(rp, deny, front) if rp is not None else policy([deny], "resource policy")
    else:
        deny = {"Effect": "Deny", "Action": action, "Resource": resource}
        if where == "ident":
            ident = list(ident)
            known = [i for i, p in enumerate(ident) if isinstance(p.document, dict)]
            if known and data.draw(st.booleans()):
                i = data.draw(st.sampled_from(known))
                ident[i] = with_statement(ident[i], deny, front)
            else:
                ident.append(policy([deny], "deny policy"))
        else:
            boundary = with_statement(boundary, deny, front)
    after = run((principal, action, resource, owner, context, ident, rp, kind, boundary))
    assert after.decision is Decision.EXPLICIT_DENY, (where, deny, after)
    assert any(r.statement is deny for r in after.deciding)


@SETTINGS
@given(worlds(), st.randoms(use_true_random=False))
def test_order_of_statements_and_policies_does_not_matter(world, rnd: random.Random) -> None:
    principal, action, resource, owner, context, ident, rp, kind, boundary = world
    before = run(world)

    def shuffled(p: Policy | None) -> Policy | None:
        if p is None or not isinstance(p.document, dict):
            return p
        stmts = list(p.document["Statement"])
        rnd.shuffle(stmts)
        return Policy(dict(p.document, Statement=stmts), p.name)

    ident2 = None if ident is None else [shuffled(p) for p in ident]
    if ident2:
        rnd.shuffle(ident2)
    after = run((principal, action, resource, owner, context, ident2, shuffled(rp), kind, shuffled(boundary)))
    assert after.decision is before.decision
    assert after.identity is before.identity and after.resource is before.resource
    # labels of statements without a Sid carry their position ("statement 3"), which a shuffle changes
    positions = re.compile(r"statement \d+")
    assert {positions.sub("statement #", u) for u in after.unknowns} == \
        {positions.sub("statement #", u) for u in before.unknowns}
    key = lambda r: (r.policy.name, r.sid or "", repr(r.statement))  # noqa: E731
    assert sorted(map(key, after.deciding)) == sorted(map(key, before.deciding))


@SETTINGS
@given(worlds())
def test_evaluation_is_pure(world) -> None:
    snapshot = copy.deepcopy(world)
    first = run(world)
    second = run(world)
    assert first == second
    assert repr(world) == repr(snapshot)
    if first.decision is Decision.UNKNOWN:
        assert first.unknowns
