"""
## What it does
Checks that every EventBridge rule target that starts a pipeline has a dead-letter queue.

## Why is this bad?
When EventBridge cannot deliver an event to the pipeline (the target role lacks
`codepipeline:StartPipelineExecution`, the pipeline was renamed, throttling beyond the retry policy),
the event is dropped after the retries, silently: the commit never deploys and nothing says why.
A `DeadLetterConfig` keeps the failed event and the error for inspection and alarms.

## Example
```yaml
Targets:
  - Arn: !Sub arn:${AWS::Partition}:codepipeline:${AWS::Region}:${AWS::AccountId}:${Pipeline}
    Id: pipeline
    RoleArn: !GetAtt TriggerRole.Arn
```

## Fix
```yaml
    DeadLetterConfig:
      Arn: !GetAtt TriggerDLQ.Arn
```
"""

from __future__ import annotations

from pipelint import queries
from pipelint.model import World
from pipelint.rule import Report, Rule
from pipelint.values import Unknown

RULE = Rule(id="PL202", name="trigger-dlq", severity="error",
            summary="EventBridge targets that start a pipeline have a dead-letter queue")


def check(world: World, report: Report) -> None:
    for rule in world.event_rules:
        for target in rule.targets:
            starts = queries.is_pipeline_arn(target.arn)
            if starts is False or target.dlq_arn is not None:
                continue
            res = [str(rule.arn if isinstance(rule.arn, str) else rule.key)]
            if starts is None:
                reason = target.arn.reason if isinstance(target.arn, Unknown) else str(target.arn)
                report.unverified(target.source, f"target {target.id} of EventBridge rule {rule.label} has no "
                                  "DeadLetterConfig, and whether it starts a pipeline is not known",
                                  resources=res, settle=reason)
                continue
            report.fail(target.source, f"target {target.id} of EventBridge rule {rule.label} starts pipeline "
                        f"{target.arn if isinstance(target.arn, str) else '(a pipeline whose ARN the inputs do not settle)'} without a DeadLetterConfig; undeliverable events are dropped silently",
                        resources=[*res, str(target.arn)],
                        fix="Add DeadLetterConfig: {Arn: <SQS queue ARN>} to the target, with a queue policy "
                            "that lets events.amazonaws.com sqs:SendMessage.")
