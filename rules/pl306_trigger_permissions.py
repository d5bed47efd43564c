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

from pipelint import arns, grants, queries, request_context
from pipelint.model import World
from pipelint.rule import Report, Rule
from pipelint.values import Unknown

RULE = Rule(id="PL306", name="trigger-permissions", severity="error",
            summary="EventBridge pipeline triggers may start the pipeline and dead-letter failed events")

EVENTS = "events.amazonaws.com"


def check(world: World, report: Report) -> None:
    for rule in world.event_rules:
        for target in rule.targets:
            if queries.is_pipeline_arn(target.arn) is not True:
                continue
            res = [str(rule.arn if isinstance(rule.arn, str) else rule.key), str(target.arn)]
            source_ctx = request_context.event_rule(world, rule.arn, rule.account)
            _role(world, report, rule, target, res, source_ctx)
            _dlq(world, report, rule, target, res, source_ctx)


def _role(world, report, rule, target, res, source_ctx) -> None:
    role_arn = target.role_arn
    if role_arn is None:
        report.fail(target.source, f"target {target.id} of EventBridge rule {rule.label} starts a pipeline without a "
                    "RoleArn; EventBridge needs a role to call StartPipelineExecution", resources=res,
                    fix="Add RoleArn: a role trusting events.amazonaws.com that may codepipeline:StartPipelineExecution.")
        return
    if isinstance(role_arn, Unknown) or isinstance(target.arn, Unknown):
        report.unverified(target.source, f"whether target {target.id} of rule {rule.label} may start its pipeline is "
                          "not known", resources=res, settle=(role_arn if isinstance(role_arn, Unknown) else target.arn).reason)
        return
    grants.judge(world, report, grants.Check(principal=role_arn, action="codepipeline:StartPipelineExecution",
                                             resource=target.arn, resource_account=arns.account_of(target.arn),
                                             resource_policy=None),
                 what=f"role {role_arn} (rule {rule.label}) to codepipeline:StartPipelineExecution on {target.arn}",
                 at=target.source, resources=res,
                 identity_fix=f"policy of role {role_arn}: " + grants.statement(
                     "StartPipeline", ["codepipeline:StartPipelineExecution"], target.arn))
    role = world.role(role_arn)
    if role is None or role.trust is None:
        report.unverified(target.source, f"whether role {role_arn} trusts {EVENTS} is not known: the role is not "
                          "among the inputs", resources=res, settle=queries.settle_role(world, role_arn))
        return
    grants.judge(world, report, grants.Check(principal=None, service=EVENTS, action="sts:AssumeRole", resource=role_arn,
                                             resource_account=arns.account_of(role_arn), resource_policy=role.trust,
                                             kind="trust", context=source_ctx),
                 what=f"{EVENTS} to assume target role {role_arn} of rule {rule.label}", at=role.source,
                 resources=res, resource_word="trust policy",
                 resource_fix="trust policy: " + grants.statement("TrustEventBridge", ["sts:AssumeRole"], None,
                                                                  service=EVENTS))


def _dlq(world, report, rule, target, res, source_ctx) -> None:
    dlq = target.dlq_arn
    if dlq is None:
        return  # PL202 reports a missing DLQ
    queue = world.queues.get(dlq) if isinstance(dlq, str) else None
    if queue is None:
        report.unverified(target.source, f"whether EventBridge may send to dead-letter queue {dlq} is not known: the "
                          "queue is not among the inputs", resources=[*res, str(dlq)],
                          settle=(dlq.reason if isinstance(dlq, Unknown) else f"the template or snapshot of queue {dlq}"))
        return
    statement = grants.statement("EventBridgeDeadLetter", ["sqs:SendMessage"], dlq, service=EVENTS)
    if isinstance(rule.arn, str):
        statement = statement[:-1] + f', "Condition": {{"ArnEquals": {{"aws:SourceArn": "{rule.arn}"}}}}}}'
    grants.judge(world, report, grants.Check(principal=None, service=EVENTS, action="sqs:SendMessage", resource=dlq,
                                             resource_account=queue.account, resource_policy=queue.policy,
                                             context=source_ctx),
                 what=f"{EVENTS} to sqs:SendMessage to dead-letter queue {dlq} of rule {rule.label}",
                 at=queue.source, resources=[*res, dlq], resource_word="queue policy",
                 resource_fix="queue policy: " + statement)
