"""
## What it does
Flags an artifact key policy, artifact bucket policy or action-role trust policy with an `Allow`
statement for any principal (`"*"`, `{"AWS": "*"}`, or `NotPrincipal`) that no condition narrows to
known principals (`aws:PrincipalOrgID`, `aws:PrincipalOrgPaths`, `aws:PrincipalAccount`,
`aws:PrincipalArn`, `kms:CallerAccount`, `aws:SourceAccount`, `aws:SourceArn`, `aws:SourceOrgID`) and
that no Deny fences: a Deny for any principal, covering the statement's actions and resources, whose
only conditions are negated ones on those keys (`StringNotEquals aws:PrincipalOrgID`, the data
perimeter pattern) leaves only known principals in, so it is not flagged either.

## Why is this bad?
These three policies guard every artifact the pipeline builds and the roles that deploy them. A
wildcard principal with no narrowing condition admits every AWS account: anyone can read or overwrite
build outputs, decrypt them, or assume the deploy role. Grants to an account root, to the roles the
pipeline uses, or a wildcard narrowed to your organization are not flagged.

## Example
```json
{"Effect": "Allow", "Principal": "*", "Action": "kms:Decrypt", "Resource": "*"}
```

## Fix
Name the accounts or roles, or narrow the wildcard to your organization:
```json
{"Effect": "Allow", "Principal": "*", "Action": "kms:Decrypt", "Resource": "*",
 "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-exampleorgid"}}}
```
"""

from __future__ import annotations


from pipelint import queries
from pipelint.model import PolicyDoc, Source, World
from pipelint.policy import statements
from pipelint.policy.match import action_matches, resource_matches
from pipelint.rule import Report, Rule
from pipelint.values import Unknown, display

TYPE_CHECKING = False  # for annotations only: typing costs 3 ms to import
if TYPE_CHECKING:
    from typing import Any

RULE = Rule(id="PL401", name="overbroad-principal", severity="error",
            summary="Artifact key/bucket policies and action-role trusts do not admit any principal")

NARROWING = {"aws:principalorgid", "aws:principalorgpaths", "aws:principalaccount", "aws:principalarn",
             "kms:calleraccount", "aws:sourceaccount", "aws:sourcearn", "aws:sourceorgid"}
POSITIVE = ("stringequals", "stringlike", "arnequals", "arnlike", "stringequalsignorecase")


def check(world: World, report: Report) -> None:
    seen: set[int] = set()
    for pipeline in world.pipelines:
        for region, store in queries.stores(pipeline):
            bucket = world.bucket(store.bucket)
            if bucket is not None and bucket.policy is not None:
                _scan(report, bucket.policy, f"artifact bucket {bucket.name}", [str(bucket.name)], seen)
            key = queries.store_key(world, pipeline, region, store)
            if key is not None and key.policy is not None:
                _scan(report, key.policy, f"artifact key {key.arn}", [str(key.arn)], seen)
        for action in pipeline.actions:
            role = world.role(action.role_arn)
            if role is not None and role.trust is not None:
                _scan(report, role.trust, f"action role {role.arn}", [str(role.arn)], seen)


def _scan(report: Report, policy: PolicyDoc, what: str, resources: list, seen: set) -> None:
    if id(policy) in seen or not isinstance(policy.document, dict):
        return
    seen.add(id(policy))
    for index, statement in enumerate(statements(policy.document)):
        if not isinstance(statement, dict) or statement.get("Effect") != "Allow":
            continue
        if not _any_principal(statement):
            continue
        narrowed = _narrowed(statement.get("Condition"))
        if narrowed is not True:
            fenced = _fenced(statement, statements(policy.document))
            narrowed = True if fenced is True else (fenced if isinstance(fenced, Unknown) else narrowed)
        if narrowed is True:
            continue
        listed = isinstance(policy.document.get("Statement"), list)
        src = policy.source or Source("?")
        at = policy.at(*(("Statement", index) if listed else ("Statement",))) or src
        sid = f' "{statement["Sid"]}"' if isinstance(statement.get("Sid"), str) else f" {index + 1}"
        if isinstance(narrowed, Unknown):
            report.unverified(at, f"statement{sid} of the policy of {display(what)} allows any principal, narrowed "
                              "by a condition whose value is not known", resources=resources, settle=narrowed.reason)
            continue
        report.fail(at, f"statement{sid} of the {'trust' if 'role' in what else 'resource'} policy of {display(what)} allows "
                    "any principal with no condition narrowing it to known accounts, and no Deny fences off the others",
                    resources=resources,
                    fix='Name the accounts or roles in Principal, or add "Condition": {"StringEquals": '
                        '{"aws:PrincipalOrgID": "<your org id>"}}.')


def _any_principal(statement: dict) -> bool:
    if "NotPrincipal" in statement:
        return True
    principal = statement.get("Principal")
    if principal == "*":
        return True
    if isinstance(principal, dict):
        value = principal.get("AWS")
        values = value if isinstance(value, list) else [value]
        return "*" in values
    return False


NEGATED = ("stringnotequals", "stringnotequalsignorecase", "stringnotlike", "arnnotequals", "arnnotlike")


def _fenced(allow: dict, every: list) -> bool | Unknown:
    """True when a Deny for any principal covers the Allow's actions and resources and applies to every
    principal outside known ones: its only conditions are negated operators (``StringNotEquals``,
    ``ArnNotLike``...) on principal-identifying keys. That is the data-perimeter pattern "Allow *, then
    Deny unless aws:PrincipalOrgID is ours"; a request without the key is denied too, so strangers are."""
    unknown = None
    for deny in every:
        if not isinstance(deny, dict) or deny.get("Effect") != "Deny" or "NotAction" in deny \
                or "NotResource" in deny or not _any_principal(deny) or "NotPrincipal" in deny:
            continue
        if not _covers(deny.get("Action"), allow.get("Action") if "NotAction" not in allow else "*", action_matches):
            continue
        if "Resource" in allow or "NotResource" in allow:
            if not _covers(deny.get("Resource"), allow.get("Resource") if "NotResource" not in allow else "*",
                           lambda pattern, value: pattern == "*" or resource_matches(pattern, value)):
                continue
        condition = deny.get("Condition")
        if not isinstance(condition, dict) or not condition:
            continue  # an unconditioned Deny for everyone: nobody gets in, which is not this rule's concern
        verdict: bool | Unknown = True
        for operator, entries in condition.items():
            op = str(operator).lower()
            op = op[:-len("ifexists")] if op.endswith("ifexists") else op
            if op not in NEGATED or not isinstance(entries, dict) or not entries:
                verdict = False
                break
            for key, values in entries.items():
                values = values if isinstance(values, list) else [values]
                if str(key).lower() not in NARROWING or not values:
                    verdict = False
                    break
                if any(isinstance(v, Unknown) for v in values):
                    verdict = next(v for v in values if isinstance(v, Unknown))
                elif not all(isinstance(v, str) and (op.endswith("equals") or op.endswith("ignorecase") or v.strip("*"))
                             for v in values):
                    verdict = False  # StringNotLike "*" excludes everyone from the Deny
                    break
            if verdict is False:
                break
        if verdict is True:
            return True
        if isinstance(verdict, Unknown):
            unknown = verdict
    return unknown if unknown is not None else False


def _covers(patterns: Any, needed: Any, match) -> bool:
    """Every value the Allow names is matched by one of the Deny's patterns (values taken literally)."""
    patterns = patterns if isinstance(patterns, list) else [patterns]
    needed = needed if isinstance(needed, list) else [needed]
    return bool(needed) and all(isinstance(n, str) and any(isinstance(p, str) and match(p, n) is True
                                                           for p in patterns) for n in needed)


def _narrowed(condition: Any) -> bool | Unknown:
    """True when a positive condition on a principal-identifying key limits who matches.

    With an ``...Equals`` operator any value narrows (even "*" is then a literal); with ``...Like`` a
    value of "*" does not. A value the inputs cannot settle under ``...Like`` leaves it Unknown."""
    if not isinstance(condition, dict):
        return False
    unknown = None
    for operator, entries in condition.items():
        op = str(operator).lower().split(":")[-1]
        if op not in POSITIVE or not isinstance(entries, dict):
            continue  # IfExists variants let requests without the key through
        for key, values in entries.items():
            if str(key).lower() not in NARROWING:
                continue
            values = values if isinstance(values, list) else [values]
            if not values:
                continue
            if op.endswith("equals") or op.endswith("equalsignorecase"):
                return True
            if all(isinstance(v, str) and v.strip("*") for v in values):
                return True
            found = next((v for v in values if isinstance(v, Unknown)), None)
            if found is not None and not any(isinstance(v, str) and not v.strip("*") for v in values):
                unknown = found
    return unknown if unknown is not None else False
