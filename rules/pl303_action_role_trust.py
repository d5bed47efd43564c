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

from pipelint import arns, grants, queries, request_context
from pipelint.model import World
from pipelint.rule import Report, Rule
from pipelint.values import Unknown

RULE = Rule(id="PL303", name="action-role-trust", severity="error",
            summary="Action roles trust the pipeline role, and the pipeline role may assume them")


def check(world: World, report: Report) -> None:
    for pipeline in world.pipelines:
        for action in pipeline.actions:
            target = action.role_arn
            if target is None or target == pipeline.role_arn:
                continue
            res = [pipeline.key, str(target)]
            unknown = next((v for v in (target, pipeline.role_arn) if isinstance(v, Unknown)), None)
            if unknown is not None or pipeline.role_arn is None:
                report.unverified(action.source, f"whether pipeline {pipeline.label} may assume the role of action "
                                  f"{action.label} is not known", resources=res,
                                  settle=unknown.reason if unknown else "the pipeline's roleArn")
                continue
            role = world.role(target)
            trust = role.trust if role is not None and role.trust is not None else grants.missing(
                f"the trust policy of role {target}: {queries.settle_role(world, target)}")
            grants.judge(world, report, grants.Check(
                principal=pipeline.role_arn, action="sts:AssumeRole", resource=target,
                resource_account=arns.account_of(target), resource_policy=trust, kind="trust",
                context=request_context.assume_action_role(world, arns.account_of(target))),
                what=f"pipeline role {pipeline.role_arn} to assume role {target} for action {action.label}",
                at=action.source, resources=res, resource_word="trust policy",
                resource_fix=f"trust policy of {target}: " + grants.statement(
                    "TrustPipeline", ["sts:AssumeRole"], None, principal_arn=pipeline.role_arn),
                identity_fix=f"policy of pipeline role {pipeline.role_arn}: " + grants.statement(
                    "AssumeActionRole", ["sts:AssumeRole"], target))
