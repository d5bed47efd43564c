"""The evaluator's shortcut (pipelint/policy/shortcut.py): it answers only what is plainly allowed, its
results read exactly as the full evaluator's, and it gives up on everything else.

The whole suite also runs with PIPELINT_VERIFY_SHORTCUT=1 (tests/conftest.py), so every evaluation any
test makes checks the shortcut's answer against the full evaluator's.
"""

from __future__ import annotations

import copy
import pickle
import sys

import pytest

from pipelint.policy import Decision, Policy, Principal, Request, evaluate
from pipelint.policy import shortcut
from pipelint.values import Unknown

EVALUATE = sys.modules["pipelint.policy.evaluate"]

A, B = "111122223333", "444455556666"
ROLE_A = f"arn:aws:iam::{A}:role/Deploy"
OBJ = "arn:aws:s3:::artifacts/pipeline/obj.zip"
KEY_B = f"arn:aws:kms:eu-west-1:{B}:key/1111aaaa-2222-3333-4444-555566667777"


def doc(*statements: dict) -> dict:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(action: str, resource: str = "*", **extra) -> dict:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


IDENTITY = [Policy(doc(allow("s3:GetObject", "arn:aws:s3:::artifacts/*"), allow("kms:Decrypt", KEY_B)), "inline Deploy")]
BUCKET = Policy(doc({"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{A}:root"}, "Action": "s3:GetObject",
                     "Resource": "arn:aws:s3:::artifacts/*"}), "bucket policy")
KEY = Policy(doc({"Effect": "Allow", "Principal": {"AWS": ROLE_A}, "Action": "kms:*", "Resource": "*"}), "key policy")


def request(action: str = "s3:GetObject", resource: str = OBJ, account: str = B, **context) -> Request:
    return Request(Principal(ROLE_A, A), action, resource, account, context)


def full(req: Request, identities, resource_policy, kind="generic", boundary=None) -> object:
    return EVALUATE._evaluate(req, identities, resource_policy, kind, boundary, None, None)


@pytest.mark.parametrize(("req", "resource_policy", "kind", "identity", "resource"), [
    (request(), BUCKET, "generic", Decision.ALLOWED, Decision.ALLOWED),  # cross-account, through the account root
    (request(account=A), None, "generic", Decision.ALLOWED, None),  # same account, identity policy alone
    (request("kms:Decrypt", KEY_B), KEY, "kms", Decision.ALLOWED, Decision.ALLOWED),
], ids=["cross-account-root", "same-account", "key-policy-names-role"])
def test_plainly_allowed_requests_are_explained_later_and_read_as_the_full_answer(req, resource_policy, kind, identity,
                                                                                  resource):
    result = evaluate(req, IDENTITY, resource_policy, kind=kind)
    assert "_explain" in result.__dict__  # the shortcut answered
    assert (result.decision, result.identity, result.resource) == (Decision.ALLOWED, identity, resource)
    expected = full(req, IDENTITY, resource_policy, kind)
    assert result.reasons == expected.reasons and result.reasons  # worked out on first read
    assert "_explain" not in result.__dict__
    assert result.deciding == expected.deciding
    assert result == expected and repr(result) == repr(expected)


def test_a_result_explained_later_copies_and_pickles_whole():
    for clone in (copy.copy, copy.deepcopy, lambda r: pickle.loads(pickle.dumps(r))):
        result = evaluate(request(), IDENTITY, BUCKET)
        assert "_explain" in result.__dict__
        assert clone(result) == full(request(), IDENTITY, BUCKET)


def test_missing_attributes_still_raise_attribute_error():
    result = evaluate(request(), IDENTITY, BUCKET)
    with pytest.raises(AttributeError, match="no attribute 'statement'"):
        result.statement  # noqa: B018
    assert not hasattr(result, "_private")


DENY_ROLE = {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*",
             "Condition": {"StringEquals": {"aws:PrincipalArn": ROLE_A}}}
SERVICE_ONLY = {"Effect": "Allow", "Principal": {"Service": "codepipeline.amazonaws.com"}, "Action": "s3:GetObject",
                "Resource": "arn:aws:s3:::artifacts/*"}


@pytest.mark.parametrize(("req", "identities", "resource_policy", "kind", "boundary"), [
    # denied: an explicit Deny whose condition the principal meets; a grant to the service, not the role
    (request(), IDENTITY, Policy(doc(BUCKET.document["Statement"][0], DENY_ROLE), "bucket policy"), "generic", None),
    (request(), IDENTITY, Policy(doc(SERVICE_ONLY), "bucket policy"), "generic", None),
    (request(), IDENTITY, None, "generic", None),  # cross-account with no bucket policy
    # unknowns: the document, an entry, a condition key no input settles, the principal's ARN
    (request(), IDENTITY, Policy(Unknown("the bucket policy (not among the inputs)"), "bucket policy"), "generic", None),
    (request(), [Policy(doc(allow("s3:GetObject", Unknown("a parameter"))), "inline")], BUCKET, "generic", None),
    (request(), IDENTITY, Policy(doc(dict(BUCKET.document["Statement"][0],
                                          Condition={"StringEquals": {"aws:SourceVpce": "vpce-1"}})), "bucket"),
     "generic", None),
    (Request(Principal(Unknown("a parameter"), A), "s3:GetObject", OBJ, B, {}), IDENTITY, BUCKET, "generic", None),
    # what evaluate() treats apart, and a permissions boundary (which it leaves to the full evaluator)
    (request("sts:GetCallerIdentity", "*"), [], None, "generic", None),
    (request("kms:Decrypt", f"arn:aws:kms:eu-west-1:{B}:alias/artifacts"), IDENTITY, KEY, "kms", None),
    (request(), IDENTITY, BUCKET, "generic", Policy(doc(allow("s3:*")), "boundary")),
    (request(), IDENTITY, Policy(doc({"Effect": "Deny", "NotPrincipal": {"AWS": ROLE_A}, "Action": "s3:*",
                                      "Resource": "*"}, BUCKET.document["Statement"][0]), "bucket"), "generic", None),
], ids=["deny", "service-not-role", "no-bucket-policy", "unknown-document", "unknown-resource", "unknown-key",
        "unknown-principal", "get-caller-identity", "kms-alias", "boundary", "not-principal"])
def test_the_shortcut_gives_up_on_anything_but_a_plain_allow(req, identities, resource_policy, kind, boundary):
    assert shortcut.allowed(req, identities, resource_policy, kind, boundary is not None) is None
    result = evaluate(req, identities, resource_policy, kind=kind, permissions_boundary=boundary)
    assert "_explain" not in result.__dict__
    assert result == full(req, identities, resource_policy, kind, boundary)


def test_verification_catches_a_shortcut_that_disagrees(monkeypatch):
    """The check the suite runs under can fail: a shortcut that calls a denied request allowed is caught."""
    monkeypatch.setattr(EVALUATE, "VERIFY_SHORTCUT", True)
    monkeypatch.setattr(shortcut, "allowed", lambda *args: (Decision.ALLOWED, Decision.ALLOWED))
    with pytest.raises(AssertionError, match="the evaluator's shortcut says"):
        evaluate(request(), IDENTITY, None)


def test_the_suite_runs_with_verification_on():
    assert EVALUATE.VERIFY_SHORTCUT


# -- principal matching: the shortcut's sets against match_principal, on generated elements ---------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as hs  # noqa: E402

from pipelint.policy.match import match_principal  # noqa: E402

SESSION_A = f"arn:aws:sts::{A}:assumed-role/Deploy/session"
ENTRIES = [ROLE_A, f"arn:aws:iam::{A}:role/ci/Deploy", f"arn:aws:iam::{B}:role/Deploy", f"arn:aws:iam::{A}:root", A, B,
           f"arn:aws:iam::{A}:user/alice", SESSION_A, "*", "codepipeline.amazonaws.com", "CodePipeline.amazonaws.com",
           "events.amazonaws.com", "cognito-identity.amazonaws.com", Unknown("a parameter"), 7, None]
PRINCIPALS = [Principal(ROLE_A, A), Principal(ROLE_A), Principal(SESSION_A, A), Principal(f"arn:aws:iam::{A}:root", A),
              Principal(f"arn:aws:iam::{A}:user/alice", A), Principal(None, None, "codepipeline.amazonaws.com"),
              Principal(None, A, "events.amazonaws.com"), Principal(f"arn:aws:iam::{B}:role/Deploy", B),
              Principal(ROLE_A, A, "codepipeline.amazonaws.com"), Principal("cognito-identity.amazonaws.com")]
values = hs.sampled_from(ENTRIES)
elements = hs.one_of(
    hs.sampled_from(["*", "arn:aws:iam::111122223333:root", Unknown("an element"), None]),
    hs.lists(values, max_size=4),
    hs.dictionaries(hs.sampled_from(["AWS", "Service", "Federated", "CanonicalUser", "*", "?", "Other"]),
                    hs.one_of(values, hs.lists(values, max_size=4)), max_size=3))


@settings(max_examples=600, deadline=None)
@given(element=elements, p=hs.sampled_from(PRINCIPALS))
def test_the_shortcuts_principal_sets_name_whom_match_principal_names(element, p):
    found = match_principal(element, p)
    expected = None if None in found.values() else tuple(k for k, v in found.items() if v)
    shortcut._ENTRIES.clear()
    for asked in shortcut._ASKED:
        asked.clear()
    assert shortcut._named(element, p) == expected  # asked once, and twice: the general matcher
    assert shortcut._named(element, p) == expected
    assert shortcut._named(element, p) == expected  # a third time: sorted into sets
    if isinstance(p.arn, str) or p.account is None:
        assert shortcut._ENTRIES[id(element)][0] is element
    assert shortcut._named(element, p) == expected  # and from the sets it keeps
