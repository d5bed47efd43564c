"""
## What it does
For CloudFormation actions that name a stack execution role (`configuration.RoleArn`), checks that
the action's role may `iam:PassRole` that role, that both are in the same account, and that the
execution role trusts `cloudformation.amazonaws.com`.

## Why is this bad?
The action role hands the execution role to CloudFormation, which needs `iam:PassRole` on it in the
action role's own policy (PassRole cannot cross accounts). CloudFormation then assumes the execution
role, which works only if its trust policy admits the `cloudformation.amazonaws.com` service. Either
missing, and the deploy fails with "is not authorized to perform: iam:PassRole" or "Role ... is
invalid or cannot be assumed".

## Example
```yaml
Configuration:
  ActionMode: CREATE_UPDATE
  RoleArn: arn:aws:iam::222222222222:role/cfn-exec     # the deploy role has no iam:PassRole on it
```

## Fix
In the action role's policy:
```json
{"Effect": "Allow", "Action": "iam:PassRole", "Resource": "arn:aws:iam::222222222222:role/cfn-exec"}
```
and in the execution role's trust policy:
```json
{"Effect": "Allow", "Principal": {"Service": "cloudformation.amazonaws.com"}, "Action": "sts:AssumeRole"}
```
"""

from __future__ import annotations

from pipelint import arns, chain, grants
from pipelint.chain import Link
from pipelint.model import World
from pipelint.policy import Result
from pipelint.rule import Report, Rule

RULE = Rule(id="PL304", name="cloudformation-pass-role", severity="error",
            summary="CloudFormation actions may pass their execution role, which trusts CloudFormation")


def check(world: World, report: Report) -> None:
    chain.walk(world, report, chain.links(world, RULE.id), judge)


def judge(world: World, report: Report, link: Link) -> Result | None:
    """The finding of one link of the chain (see pipelint.chain): passing the execution role, or
    CloudFormation assuming it."""
    pipeline, action = link.pipeline, link.action
    execution = action.configuration["RoleArn"]
    passer = action.role_arn if action.role_arn is not None else pipeline.role_arn
    res = [pipeline.key, str(passer), str(execution)]
    if link.kind == chain.PASS_ROLE:
        if link.unknown is not None:
            report.unverified(action.source, f"whether action {action.label} may pass its CloudFormation "
                              "execution role is not known", resources=res,
                              settle=link.unknown)
            return None
        return _pass_role(world, report, link, action, passer, execution, res)
    return _trusts_cloudformation(world, report, link, action, execution, res)


def _pass_role(world, report, link, action, passer, execution, res) -> Result | None:
    if link.broken is not None:
        report.fail(action.source, f"action {action.label} passes execution role {execution} from another account "
                    f"than its own role {passer}; iam:PassRole cannot cross accounts", resources=res,
                    fix=f"Use an execution role in account {arns.account_of(passer)}, or run the action with a role "
                        f"in account {arns.account_of(execution)}.")
        return None
    return grants.judge(world, report, link.check,
                 what=f"role {passer} (action {action.label}) to iam:PassRole execution role {execution}",
                 at=action.source, resources=res,
                 identity_fix=grants.Fix(f"policy of role {passer}", "PassExecutionRole", ["iam:PassRole"],
                                                                             execution))


def _trusts_cloudformation(world, report, link, action, execution, res) -> Result | None:
    if link.check is None:
        report.unverified(action.source, f"whether execution role {execution} trusts cloudformation.amazonaws.com "
                          "is not known: the role is not among the inputs", resources=res,
                          settle=link.unknown)
        return None
    role = world.role(execution)
    return grants.judge(world, report, link.check,
                 what=f"cloudformation.amazonaws.com to assume execution role {execution} (action {action.label})",
                 at=role.source, resources=res, resource_word="trust policy",
                 resource_fix=grants.Fix("trust policy", "TrustCloudFormation", ["sts:AssumeRole"], None,
                                                                  service="cloudformation.amazonaws.com"))
