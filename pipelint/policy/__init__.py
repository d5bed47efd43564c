"""IAM / KMS / S3 / STS policy evaluator: pure functions, no I/O.

``evaluate(request, identity_policies, resource_policy, kind=..., scps=..., rcps=...)`` decides one
request and says why.
UNKNOWN is a first-class answer: whatever the inputs cannot settle (an Unknown value inside a policy, a
condition key whose value is not known, a policy not among the inputs) is named in ``Result.unknowns``.
"""

from .conditions import AbsentOr
from .evaluate import KINDS, evaluate
from .guardrails import OrgPolicies
from .match import account_of, action_matches, principal_matches, resource_matches, statements
from .model import ABSENT, Decision, Policy, Principal, Request, Result, StatementRef

__all__ = [
    "ABSENT",
    "AbsentOr",
    "OrgPolicies",
    "Decision",
    "KINDS",
    "Policy",
    "Principal",
    "Request",
    "Result",
    "StatementRef",
    "account_of",
    "action_matches",
    "evaluate",
    "principal_matches",
    "resource_matches",
    "statements",
]
