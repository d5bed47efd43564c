"""
## What it does
For every EventBridge rule target that starts a pipeline, checks that the target role may
`codepipeline:StartPipelineExecution` on that pipeline, that the role trusts `events.amazonaws.com`,
and that the target's dead-letter queue policy lets `events.amazonaws.com` send to it.

## Why is this bad?
EventBridge assumes the target role to start the pipeline. Without the permission or the trust, every
event fails to deliver, and the pipeline never starts on a push. If the DLQ's queue policy does not
admit EventBridge, the failed events cannot even be dead-lettered, and the failure leaves no trace.

## Example
```yaml
TriggerRole:
  AssumeRolePolicyDocument:
    Statement:
      - {Effect: Allow, Principal: {Service: codepipeline.amazonaws.com}, Action: sts:AssumeRole}
```

## Fix
Trust `events.amazonaws.com` in the target role, allow
`{"Effect": "Allow", "Action": "codepipeline:StartPipelineExecution", "Resource": "<pipeline ARN>"}` in its
policy, and give the DLQ a queue policy:
```json
{"Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"}, "Action": "sqs:SendMessage",
 "Resource": "<queue ARN>", "Condition": {"ArnEquals": {"aws:SourceArn": "<rule ARN>"}}}
```
"""

from __future__ import annotations

from pipelint import chain, grants
from pipelint.chain import Link
from pipelint.model import World
from pipelint.policy import Result
from pipelint.rule import Report, Rule

RULE = Rule(id="PL306", name="trigger-permissions", severity="error",
            summary="EventBridge pipeline triggers may start the pipeline and dead-letter failed events")

EVENTS = chain.EVENTS


def check(world: World, report: Report) -> None:
    chain.walk(world, report, chain.links(world, RULE.id), judge)


def judge(world: World, report: Report, link: Link) -> Result | None:
    """The finding of one link of the chain (see pipelint.chain): the trigger role starting the pipeline,
    EventBridge assuming it, EventBridge sending to the dead-letter queue."""
    rule, target = link.event_rule, link.target
    res = [str(rule.arn if isinstance(rule.arn, str) else rule.key), str(target.arn)]
    if link.kind == chain.SEND_TO_DLQ:
        return _dlq(world, report, link, rule, target, res)
    if link.kind == chain.START_PIPELINE:
        return _start(world, report, link, rule, target, res)
    return _trust(world, report, link, rule, target, res)


def _start(world, report, link, rule, target, res) -> Result | None:
    role_arn = target.role_arn
    if link.broken is not None:
        report.fail(target.source, f"target {target.id} of EventBridge rule {rule.label} starts a pipeline without a "
                    "RoleArn; EventBridge needs a role to call StartPipelineExecution", resources=res,
                    fix="Add RoleArn: a role trusting events.amazonaws.com that may codepipeline:StartPipelineExecution.")
        return None
    if link.check is None:
        report.unverified(target.source, f"whether target {target.id} of rule {rule.label} may start its pipeline is "
                          "not known", resources=res, settle=link.unknown)
        return None
    return grants.judge(world, report, link.check,
                 what=f"role {role_arn} (rule {rule.label}) to codepipeline:StartPipelineExecution on {target.arn}",
                 at=target.source, resources=res,
                 identity_fix=grants.Fix(f"policy of role {role_arn}", "StartPipeline",
                                         ["codepipeline:StartPipelineExecution"], target.arn))


def _trust(world, report, link, rule, target, res) -> Result | None:
    role_arn = target.role_arn
    if link.check is None:
        report.unverified(target.source, f"whether role {role_arn} trusts {EVENTS} is not known: the role is not "
                          "among the inputs", resources=res, settle=link.unknown)
        return None
    role = world.role(role_arn)
    return grants.judge(world, report, link.check,
                 what=f"{EVENTS} to assume target role {role_arn} of rule {rule.label}", at=role.source,
                 resources=res, resource_word="trust policy",
                 resource_fix=grants.Fix("trust policy", "TrustEventBridge", ["sts:AssumeRole"], None,
                                                                  service=EVENTS))


def _dlq(world, report, link, rule, target, res) -> Result | None:
    dlq = target.dlq_arn
    queue = link.queue
    if link.check is None:
        report.unverified(target.source, f"whether EventBridge may send to dead-letter queue {dlq} is not known: the "
                          "queue is not among the inputs", resources=[*res, str(dlq)],
                          settle=link.unknown)
        return None
    condition = {"ArnEquals": {"aws:SourceArn": rule.arn}} if isinstance(rule.arn, str) else None
    return grants.judge(world, report, link.check,
                 what=f"{EVENTS} to sqs:SendMessage to dead-letter queue {dlq} of rule {rule.label}",
                 at=queue.source, resources=[*res, dlq], resource_word="queue policy",
                 resource_fix=grants.Fix("queue policy", "EventBridgeDeadLetter", ["sqs:SendMessage"], dlq,
                                         service=EVENTS, condition=condition))
