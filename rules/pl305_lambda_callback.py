"""
## What it does
Checks that the function of every Lambda invoke action has an execution role whose policy allows
`codepipeline:PutJobSuccessResult` and `codepipeline:PutJobFailureResult`.

## Why is this bad?
A Lambda invoke action waits until the function reports back with PutJobSuccessResult or
PutJobFailureResult. If the function's role may not call them, the call fails inside the function and
the action hangs until it times out (up to an hour), then fails with no useful error.

## Example
```yaml
FunctionRole:
  Policies:
    - PolicyName: logs
      PolicyDocument:
        Statement:
          - {Effect: Allow, Action: "logs:*", Resource: "*"}
```

## Fix
```json
{"Effect": "Allow", "Action": ["codepipeline:PutJobSuccessResult", "codepipeline:PutJobFailureResult"], "Resource": "*"}
```
(these actions do not support resource-level permissions, so the resource is `*`).
"""

from __future__ import annotations

from pipelint import chain, grants
from pipelint.chain import Link
from pipelint.model import World
from pipelint.policy import Result
from pipelint.rule import Report, Rule
from pipelint.values import display

RULE = Rule(id="PL305", name="lambda-callback", severity="error",
            summary="Lambda invoke actions' functions may report the job result back to CodePipeline")

NEEDED = chain.CALLBACKS


def check(world: World, report: Report) -> None:
    # one finding per function: the fix covers both calls (the chain groups them)
    chain.walk(world, report, chain.links(world, RULE.id), judge)


def judge(world: World, report: Report, link: Link) -> Result | None:
    """The finding of one link of the chain (see pipelint.chain): a function reporting its job result."""
    pipeline, action, function = link.pipeline, link.action, link.function
    name = action.configuration.get("FunctionName")
    res = [pipeline.key, str(name)]
    if link.check is None:
        report.unverified(action.source, f"whether Lambda function {display(name)} of action {action.label} may "
                          "report its result to CodePipeline is not known", resources=res, settle=link.unknown)
        return None
    needed = link.check.action
    return grants.judge(
        world, report, link.check,
        what=f"role {function.role_arn} of function {name} (action {action.label}) to call {needed}",
        at=action.source, resources=[*res, function.role_arn],
        identity_fix=grants.Fix(f"policy of role {function.role_arn}", "PipelineCallback", NEEDED, "*"))
