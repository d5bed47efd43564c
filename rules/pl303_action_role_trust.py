"""
## What it does
Checks, for every action with its own `roleArn`, that the action role's trust policy admits the
pipeline's service role AND that the pipeline role's own policy allows `sts:AssumeRole` on the action
role. Conditions in either (`aws:PrincipalArn`, `sts:ExternalId`, ...) are evaluated, not ignored.

## Why is this bad?
CodePipeline runs an action with a `roleArn` by assuming that role with the pipeline's service role.
Across accounts both sides must agree: the trust policy in the target account and the `sts:AssumeRole`
permission in the tooling account. A trust that names the tooling account root only delegates to the
tooling account's IAM, so the pipeline role still needs the permission. Missing either, the action
fails at once with "not authorized to perform sts:AssumeRole".

## Example
```yaml
DeployRole:                      # in the target account
  AssumeRolePolicyDocument:
    Statement:
      - Effect: Allow
        Principal: {AWS: arn:aws:iam::111111111111:role/some-other-role}
        Action: sts:AssumeRole
```

## Fix
Trust the pipeline's role (or the tooling account root, then also grant the permission below):
```json
{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111111111111:role/pipeline"}, "Action": "sts:AssumeRole"}
```
and in the pipeline role's policy:
```json
{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "arn:aws:iam::222222222222:role/deploy"}
```
"""

from __future__ import annotations

from pipelint import chain, grants
from pipelint.chain import Link
from pipelint.model import World
from pipelint.policy import Result
from pipelint.rule import Report, Rule

RULE = Rule(id="PL303", name="action-role-trust", severity="error",
            summary="Action roles trust the pipeline role, and the pipeline role may assume them")


def check(world: World, report: Report) -> None:
    chain.walk(world, report, chain.links(world, RULE.id), judge)


def judge(world: World, report: Report, link: Link) -> Result | None:
    """The finding of one link of the chain (see pipelint.chain): the pipeline role assuming an action role."""
    pipeline, action = link.pipeline, link.action
    target = action.role_arn
    res = [pipeline.key, str(target)]
    if link.check is None:
        report.unverified(action.source, f"whether pipeline {pipeline.label} may assume the role of action "
                          f"{action.label} is not known", resources=res,
                          settle=link.unknown)
        return None
    return grants.judge(world, report, link.check,
        what=f"pipeline role {pipeline.role_arn} to assume role {target} for action {action.label}",
        at=action.source, resources=res, resource_word="trust policy",
        resource_fix=grants.Fix(f"trust policy of {target}", "TrustPipeline", ["sts:AssumeRole"], None,
                                principal_arn=pipeline.role_arn),
        identity_fix=grants.Fix(f"policy of pipeline role {pipeline.role_arn}", "AssumeActionRole",
                                ["sts:AssumeRole"], target))
