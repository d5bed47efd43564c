"""Hostile input for the policy evaluator: policies as they come out of real files (any JSON value where
a statement, an action, a principal or a condition belongs; Unknown values from unresolved
parameters), odd principals and requests, request contexts with Unknown and ABSENT values.

``evaluate`` must never raise, must always return a well-formed Result, and an UNKNOWN decision must
name what is unknown (the promise rules rely on for "unverified" findings). The well-formed cases are
covered by tests/test_policy_properties.py; this suite is about malformed ones.
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from pipelint.policy import ABSENT, KINDS, Decision, Policy, Principal, Request, Result, evaluate
from pipelint.values import Unknown

from test_fuzz_support import fuzz_settings, junk

A, B = "111122223333", "444455556666"

unknowns = st.builds(Unknown, st.sampled_from(["parameter X has no value", "SSM reference", "import Y"]))

# strings that exercise the matchers: wildcards, variables, case, malformed ARNs
odd_strings = st.sampled_from([
    "*", "?", "", "s3:*", "S3:GETOBJECT", "s3:Get*", "s3:?etObject", "kms:*", "sts:AssumeRole", "iam:PassRole",
    "arn:aws:s3:::b", "arn:aws:s3:::b/*", "arn:aws:s3:::b/${aws:username}", "arn:aws:s3:::${x", "arn:aws:s3:::",
    f"arn:aws:iam::{A}:root", f"arn:aws:iam::{A}:role/*", f"arn:aws:iam::{B}:role/deploy", A, B, "123",
    f"arn:aws:sts::{A}:assumed-role/deploy/s", f"arn:aws:kms:*:{A}:key/*", f"arn:aws:kms:us-east-1:{A}:alias/aws/s3",
    "arn:aws", "arn:", "arn:::::", "arn:aws:iam::*:role/*", "${aws:PrincipalAccount}", "${*}", "${?}", "${$}",
    "events.amazonaws.com", "cloudformation.amazonaws.com", "o-abcdefghij", "true", "false", "10.0.0.0/8",
    "2024-01-01T00:00:00Z", "1e3", "-1", "[", "\\", "\x00", "é", "a" * 200,
])
leaf = st.one_of(odd_strings, odd_strings, unknowns, junk)
values = st.one_of(leaf, st.lists(leaf, max_size=3))

operators = st.sampled_from([
    "StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringLike", "StringNotLike", "ArnEquals",
    "ArnLike", "ArnNotLike", "ArnNotEquals", "Bool", "Null", "NumericEquals", "NumericLessThan",
    "NumericGreaterThanEquals", "DateEquals", "DateLessThan", "IpAddress", "NotIpAddress", "BinaryEquals",
    "StringEqualsIfExists", "ArnLikeIfExists", "BoolIfExists", "NumericLessThanIfExists", "NullIfExists",
    "ForAnyValue:StringLike", "ForAllValues:StringEquals", "ForAnyValue:ArnLike", "ForAllValues:Null",
    "ForAnyValue:", "Bogus", "stringequals", "StringLikeIfExistsIfExists", "",
])
condition_keys = st.sampled_from([
    "aws:PrincipalArn", "aws:PrincipalAccount", "aws:SecureTransport", "kms:CallerAccount", "kms:ViaService",
    "aws:PrincipalOrgID", "aws:SourceArn", "aws:SourceAccount", "aws:SourceIp", "aws:CurrentTime",
    "aws:PrincipalTag/team", "aws:CalledVia", "s3:prefix", "kms:EncryptionContext:aws:s3:arn",
    "AWS:PRINCIPALACCOUNT", "", "x",
])
conditions = st.one_of(
    st.dictionaries(operators, st.one_of(st.dictionaries(condition_keys, values, max_size=3), leaf), max_size=3),
    leaf,
)


@st.composite
def statements(draw) -> object:
    if draw(st.integers(0, 9)) == 0:
        return draw(junk)  # a statement that is not a mapping at all
    s: dict = {}
    for key, strategy, chance in (
        ("Sid", st.one_of(st.text(max_size=4), junk), 2),
        ("Effect", st.one_of(st.sampled_from(["Allow", "Deny", "allow", "DENY", ""]), leaf), 0),
        ("Action", values, 0), ("NotAction", values, 5),
        ("Resource", values, 1), ("NotResource", values, 5),
        ("Principal", st.one_of(st.just("*"), st.dictionaries(
            st.sampled_from(["AWS", "Service", "Federated", "CanonicalUser", "aws", ""]), values, max_size=3),
            leaf), 1),
        ("NotPrincipal", st.one_of(st.dictionaries(st.sampled_from(["AWS", "Service"]), values, max_size=2), leaf), 6),
        ("Condition", conditions, 1),
    ):
        if draw(st.integers(0, chance)) == 0:
            s[key] = draw(strategy)
    return s


@st.composite
def documents(draw) -> object:
    shape = draw(st.integers(0, 9))
    if shape == 0:
        return draw(unknowns)
    if shape == 1:
        return draw(junk)
    statement = draw(st.one_of(st.lists(statements(), max_size=5), statements(), unknowns))
    doc = {"Statement": statement}
    if draw(st.booleans()):
        doc["Version"] = draw(st.one_of(st.sampled_from(["2012-10-17", "2008-10-17"]), leaf))
    return doc


policies = st.builds(Policy, documents(), st.sampled_from(["identity", "bucket policy", "key policy", "trust"]))

principals = st.one_of(
    st.builds(Principal, st.one_of(st.none(), odd_strings), st.one_of(st.none(), st.sampled_from([A, B, "x"])),
              st.none(), st.one_of(st.none(), st.just("o-abcdefghij"))),
    st.builds(Principal, st.none(), st.none(), st.sampled_from(["events.amazonaws.com", "s3.amazonaws.com", ""])),
    st.just(Principal(None)),
)

contexts = st.dictionaries(condition_keys, st.one_of(leaf, st.just(ABSENT), st.lists(leaf, max_size=2)), max_size=4)


@st.composite
def requests(draw) -> Request:
    return Request(
        principal=draw(principals),
        action=draw(st.one_of(odd_strings, st.sampled_from(["s3:GetObject", "kms:Decrypt", "sts:AssumeRole",
                                                            "sts:GetCallerIdentity", "kms:CreateAlias"]))),
        resource=draw(st.one_of(odd_strings, unknowns)),
        resource_account=draw(st.one_of(st.none(), st.sampled_from([A, B, ""]), unknowns)),
        context=draw(contexts),
    )


def _check(result: Result) -> None:
    assert isinstance(result, Result)
    assert isinstance(result.decision, Decision)
    assert all(isinstance(r, str) for r in result.reasons)
    assert all(isinstance(u, str) for u in result.unknowns)
    for ref in result.deciding:
        ref.label()  # the text rules put into messages
    if result.decision is Decision.UNKNOWN:
        assert result.unknowns, f"UNKNOWN without naming what is unknown: {result}"


@fuzz_settings(200)
@given(requests(), st.one_of(st.none(), st.lists(policies, max_size=3)), st.one_of(st.none(), policies),
       st.sampled_from(KINDS), st.one_of(st.none(), policies))
def test_evaluate_never_raises_on_malformed_policies(request, identity, resource, kind, boundary):
    _check(evaluate(request, identity, resource, kind=kind, permissions_boundary=boundary))


@fuzz_settings(100)
@given(requests(), st.lists(policies, max_size=2), policies, st.sampled_from(KINDS))
def test_evaluate_is_pure_on_malformed_policies(request, identity, resource, kind):
    import copy

    before = copy.deepcopy((identity, resource, dict(request.context)))
    first = evaluate(request, identity, resource, kind=kind)
    second = evaluate(request, identity, resource, kind=kind)
    assert (first.decision, first.unknowns) == (second.decision, second.unknowns)
    assert before == (identity, resource, dict(request.context))
