"""
## What it does
Flags an artifact key policy, artifact bucket policy or action-role trust policy with an `Allow`
statement for any principal (`"*"`, `{"AWS": "*"}`, or `NotPrincipal`) that no condition narrows to
known principals (`aws:PrincipalOrgID`, `aws:PrincipalOrgPaths`, `aws:PrincipalAccount`,
`aws:PrincipalArn`, `kms:CallerAccount`, `aws:SourceAccount`, `aws:SourceArn`, `aws:SourceOrgID`).

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

from typing import Any

from pipelint import queries
from pipelint.model import PolicyDoc, Source, World
from pipelint.policy import statements
from pipelint.rule import Report, Rule
from pipelint.values import Unknown, display

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
        if narrowed is True:
            continue
        src = policy.source or Source("?")
        at = Source(src.file, src.path + ("Statement", index), src.line, src.column)
        sid = f' "{statement["Sid"]}"' if isinstance(statement.get("Sid"), str) else f" {index + 1}"
        if isinstance(narrowed, Unknown):
            report.unverified(at, f"statement{sid} of the policy of {display(what)} allows any principal, narrowed "
                              "by a condition whose value is not known", resources=resources, settle=narrowed.reason)
            continue
        report.fail(at, f"statement{sid} of the {'trust' if 'role' in what else 'resource'} policy of {display(what)} allows "
                    "any principal with no condition narrowing it to known accounts", resources=resources,
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
