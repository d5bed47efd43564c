"""
## What it does
Checks that no action consumes an artifact that another account produced unless one of the two
accounts is the pipeline's: an action in account C may read an artifact made in the pipeline's
account or in C itself, never one made in a third account B.

## Why is this bad?
CodePipeline hands artifacts across accounts only through the pipeline's account (CodePipeline User
Guide, "Create a pipeline that uses resources from another AWS account": an action can consume an
artifact only if it runs in the pipeline's account, or the artifact was created in the pipeline's
account, or by a previous action in the action's own account). A production deploy that reads the
outputs of a staging deploy in another workload account fails when it runs, whatever the bucket and
key policies say.

## Example
```yaml
- Name: DeployStaging            # role in 222222222222
  RoleArn: arn:aws:iam::222222222222:role/deploy
  OutputArtifacts: [{Name: StagingOutputs}]
- Name: DeployProd               # role in 333333333333, reads 222222222222's output
  RoleArn: arn:aws:iam::333333333333:role/deploy
  InputArtifacts: [{Name: StagingOutputs}]
```

## Fix
Produce the artifact in the pipeline's account (a CodeBuild action without a cross-account role) or
in the consuming action's own account, or give the consuming action a role in the producing account.
"""

from __future__ import annotations

from pipelint import queries
from pipelint.model import World
from pipelint.rule import Report, Rule
from pipelint.values import Unknown

RULE = Rule(id="PL104", name="artifact-account-hop", severity="error",
            summary="Artifacts pass between two other accounts only through the pipeline's account")


def check(world: World, report: Report) -> None:
    for pipeline in world.pipelines:
        producers = {name: action for action in pipeline.actions for name in action.output_artifacts
                     if isinstance(name, str)}
        for action in pipeline.actions:
            if not action.input_artifacts or queries.is_cross_account(pipeline, action) is False:
                continue  # an action in the pipeline's account reads artifacts from anywhere
            for name in action.input_artifacts:
                producer = producers.get(name) if isinstance(name, str) else None
                if producer is None or queries.is_cross_account(pipeline, producer) is False:
                    continue  # made in the pipeline's account (or by nothing we know of)
                _judge(report, pipeline, action, producer, name)


def _judge(report: Report, pipeline, action, producer, name: str) -> None:
    consumer_account = queries.action_account(pipeline, action)
    producer_account = queries.action_account(pipeline, producer)
    res = [pipeline.key, action.role_arn, producer.role_arn]
    if isinstance(consumer_account, str) and consumer_account == producer_account:
        return  # made by an earlier action in the consumer's own account
    unknown = next((v for v in (pipeline.account, consumer_account, producer_account) if isinstance(v, Unknown)),
                   None)
    if unknown is not None:
        report.unverified(action.source, f"whether action {action.label} may read artifact {name}, made by action "
                          f"{producer.label}, is not known: their accounts are not both known", resources=res,
                          settle=unknown.reason)
        return
    report.fail(action.source, f"action {action.label} (account {consumer_account}) reads artifact {name}, made by "
                f"action {producer.label} in account {producer_account}; CodePipeline passes artifacts between "
                f"accounts only through the pipeline's account {pipeline.account}", resources=res,
                fix=f"Make {name} in the pipeline's account {pipeline.account} or in {consumer_account}, or run "
                    f"{action.label} with a role in {producer_account}.")
