"""
## What it does
Checks that what a pipeline names exists in the account that should hold it, as a live audit found
it: the pipeline's role, every action's role and CloudFormation execution role, the artifact store
buckets and keys, S3 source buckets, and the role and dead-letter queue of every EventBridge target that
starts the pipeline. The audit records `"exists": false` for each one it looked up and did not find
(`NoSuchEntity`, `NoSuchBucket`, `NotFoundException`, `NonExistentQueue`); its snapshot keeps that, so
`pipelint check` on a saved audit reports the same. Templates cannot say, so offline this rule speaks
only about what a snapshot describes. (A missing CodeConnections connection is PL307's.)

## Why is this bad?
A role, bucket, key or queue deleted by hand, by a stack teardown, or never created in that account
breaks the pipeline at the step that uses it: CodePipeline cannot assume a missing action role, cannot
write artifacts to a missing bucket, and EventBridge cannot start the pipeline with a missing role or
keep the events it failed to deliver without the queue. The other rules can only say they could not
verify these links; this one says what is missing.

## Example
```json
{"arn": "arn:aws:iam::222222222222:role/pipeline-deploy", "exists": false}
```
in the `global` snapshot file of the workload account, for the role of a deploy action.

## Fix
Create the resource again (redeploy the stack that defines it), or change the pipeline to name one
that exists.
"""

from __future__ import annotations


from pipelint import queries
from pipelint.model import Pipeline, Source, World
from pipelint.rule import Report, Rule
from pipelint.values import display

TYPE_CHECKING = False  # for annotations only: typing costs 3 ms to import
if TYPE_CHECKING:
    from typing import Any

RULE = Rule(id="PL502", name="missing-resource", severity="error",
            summary="Roles, buckets, keys and queues a pipeline names exist in the account (live audit, snapshots)")

CFN_PROVIDERS = ("CloudFormation", "CloudFormationStackSet")


def check(world: World, report: Report) -> None:
    for pipeline in world.pipelines:
        _pipeline(world, report, pipeline)
    for rule in world.event_rules:
        for target in rule.targets:
            if queries.is_pipeline_arn(target.arn) is not True:
                continue
            res = [str(target.arn)]
            what = f"target {display(target.id)} of EventBridge rule {rule.label}"
            _role(world, report, target.role_arn, f"the role {what} uses to start pipeline {display(target.arn)}",
                  target.source, res)
            queue = world.queues.get(target.dlq_arn) if isinstance(target.dlq_arn, str) else None
            if queue is not None and queue.exists is False:
                report.fail(target.source, f"dead-letter queue {target.dlq_arn} of {what} does not exist in account "
                            f"{display(queue.account)}: events EventBridge cannot deliver are lost", resources=[
                                *res, target.dlq_arn], fix="Create the queue again (with a policy that lets "
                                                           "events.amazonaws.com sqs:SendMessage), or name one that exists.")


def _pipeline(world: World, report: Report, pipeline: Pipeline) -> None:
    res = [pipeline.key]
    _role(world, report, pipeline.role_arn, f"the role of pipeline {pipeline.label}", pipeline.source, res)
    for region, store in queries.stores(pipeline):
        where = f"the {display(region)} artifact store of pipeline {pipeline.label}"
        bucket = world.bucket(store.bucket)
        if bucket is not None and bucket.exists is False:
            report.fail(store.source, f"bucket {store.bucket}, {where}, does not exist: no action can read or write "
                        "artifacts there", resources=[*res, f"arn:aws:s3:::{store.bucket}"],
                        fix=f"Create bucket {store.bucket} again in {display(region)} (redeploy the stack that defines "
                            "it, with its policy and encryption), or point the store at a bucket that exists.")
        if store.key_id is not None and not queries.is_aws_managed_s3_key(store.key_id):
            key = queries.store_key(world, pipeline, region, store)
            if key is not None and key.exists is False:
                report.fail(store.source, f"artifact key {display(key.arn)}, named by {where}, does not exist in "
                            f"account {display(key.account)}: no action can read or write artifacts there",
                            resources=[*res, str(key.arn)],
                            fix="Point encryptionKey at a key that exists (artifacts encrypted with a deleted key "
                                "cannot be read again).")
    for action in pipeline.actions:
        _role(world, report, action.role_arn, f"the role CodePipeline assumes for action {action.label}",
              action.source, res)
        if action.provider in CFN_PROVIDERS:
            _role(world, report, action.configuration.get("RoleArn"),
                  f"the CloudFormation execution role of action {action.label}", action.source, res)
        if action.category == "Source" and action.provider == "S3":
            name = action.configuration.get("S3Bucket")
            bucket = world.bucket(name)
            if bucket is not None and bucket.exists is False:
                report.fail(action.source, f"source bucket {name} of action {action.label} does not exist: the "
                            "pipeline has nothing to start from", resources=[*res, f"arn:aws:s3:::{name}"],
                            fix=f"Create bucket {name} again (versioned), or point the action at a bucket that exists.")


def _role(world: World, report: Report, arn: Any, what: str, at: Source, res: list) -> None:
    role = world.role(arn)
    if role is not None and role.exists is False:
        report.fail(at, f"{what}, {arn}, does not exist in account {display(role.account)}", resources=[*res, arn],
                    fix=f"Create role {arn} again (redeploy the stack that defines it), or name a role that exists.")
