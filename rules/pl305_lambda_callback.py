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

from pipelint import grants
from pipelint.model import World
from pipelint.policy import Decision
from pipelint.rule import Report, Rule
from pipelint.values import Unknown, display

RULE = Rule(id="PL305", name="lambda-callback", severity="error",
            summary="Lambda invoke actions' functions may report the job result back to CodePipeline")

NEEDED = ["codepipeline:PutJobSuccessResult", "codepipeline:PutJobFailureResult"]


def _functions(world: World) -> dict:
    """(name or ARN, account, region) -> function; an ARN also finds it on its own (one pass, not one per action)."""
    index: dict = {}
    for function in world.functions.values():
        index[(function.name, function.account, function.region)] = function
        index[(function.arn, None, None)] = function
    return index


def _function(index: dict, name, account, region):
    return index.get((name, None, None)) or index.get((name, account, region))


def check(world: World, report: Report) -> None:
    functions = None
    for pipeline in world.pipelines:
        for action in pipeline.actions:
            if action.category != "Invoke" or action.provider != "Lambda":
                continue
            name = action.configuration.get("FunctionName")
            region = pipeline.action_region(action)
            account = pipeline.account
            if functions is None:
                functions = _functions(world)
            function = _function(functions, name, account, region) if isinstance(name, str) else None
            res = [pipeline.key, str(name)]
            if function is None or function.role_arn is None or isinstance(function.role_arn, Unknown):
                why = (name.reason if isinstance(name, Unknown) else
                       function.role_arn.reason if function is not None and isinstance(function.role_arn, Unknown)
                       else f"the template or snapshot that defines Lambda function {name} and its role")
                report.unverified(action.source, f"whether Lambda function {display(name)} of action {action.label} may "
                                  "report its result to CodePipeline is not known", resources=res, settle=why)
                continue
            for needed in NEEDED:
                result = grants.judge(
                    world, report, grants.Check(principal=function.role_arn, action=needed, resource="*",
                                                resource_account=account, resource_policy=None),
                    what=f"role {function.role_arn} of function {name} (action {action.label}) to call {needed}",
                    at=action.source, resources=[*res, function.role_arn],
                    identity_fix=f"policy of role {function.role_arn}: " + grants.statement("PipelineCallback", NEEDED, "*"))
                if result.decision is not Decision.ALLOWED:
                    break  # one finding per function: the fix covers both calls
