"""
## What it does
For every action whose role is in another account than the artifact bucket, checks that the bucket
policy AND the role's own IAM policy let the role read the input artifacts (`s3:GetObject`) and write
the output artifacts (`s3:PutObject`).

## Why is this bad?
Across accounts S3 needs both sides: the bucket policy in the bucket's account must grant the role (or
its account) and the role's identity policy in its own account must allow the same access. Either one
missing, or a Deny in either, and the action fails with AccessDenied when it fetches or uploads an
artifact — after the pipeline has already started.

## Example
```yaml
ArtifactBucketPolicy:
  Type: AWS::S3::BucketPolicy
  Properties:
    Bucket: !Ref ArtifactBucket
    PolicyDocument:
      Statement:
        - Effect: Allow
          Principal: {AWS: arn:aws:iam::111111111111:root}   # only the tooling account
          Action: s3:*
          Resource: !Sub ${ArtifactBucket.Arn}/*
```

## Fix
Grant the action role (or its account root) on the objects, in the bucket policy:
```json
{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::222222222222:role/deploy"},
 "Action": ["s3:GetObject*", "s3:PutObject"], "Resource": "arn:aws:s3:::artifact-bucket/*"}
```
and allow the same actions on `arn:aws:s3:::artifact-bucket/*` in the role's own policy.

Grants narrowed to a folder must name the folder CodePipeline really writes: object keys are
`<first 20 characters of the pipeline name>/<first 10 of the artifact name>/<id>`, so
`artifact-bucket/release/*` covers pipeline `release`, but `artifact-bucket/release/BuildOutput/*` misses
artifact `BuildOutput`, stored under `release/BuildOutpu/`.
"""

from __future__ import annotations

from pipelint import chain, grants
from pipelint.chain import Link
from pipelint.model import World
from pipelint.policy import Result
from pipelint.rule import Report, Rule

RULE = Rule(id="PL301", name="artifact-bucket-grant", severity="error",
            summary="Bucket policy and role policy both let cross-account action roles read/write artifacts")


def check(world: World, report: Report) -> None:
    chain.walk(world, report, chain.links(world, RULE.id), judge)


def judge(world: World, report: Report, link: Link) -> Result | None:
    """The finding of one link of the chain (see pipelint.chain): a read or a write of artifact objects."""
    action, pipeline = link.action, link.pipeline
    if link.check is None:
        report.unverified(action.source, f"whether action {action.label} of pipeline {pipeline.label} "
                          "may read and write its artifacts is not known", resources=[pipeline.key],
                          settle=link.unknown)
        return None
    access, artifact, s3_action = link.access, link.artifact, link.check.action
    res = [pipeline.key, access.role_arn, f"arn:aws:s3:::{access.bucket_name}"]
    objects = f"arn:aws:s3:::{access.bucket_name}/*"
    needed = ["s3:GetObject*", "s3:PutObject"]
    return grants.judge(world, report, link.check,
        what=f"across accounts, role {access.role_arn} ({action.label}) to {s3_action} artifact {artifact} "
             f"(objects {access.folder(artifact)}*) in bucket {access.bucket_name}",
        # a bucket with no policy at all: the fix goes on the bucket, so point there
        at=access.bucket.source if access.bucket is not None and access.bucket.policy is None else action.source,
        resources=res, resource_word="bucket policy",
        resource_fix=grants.Fix("bucket policy", "PipelineArtifacts", needed, objects,
                                                           principal_arn=access.role_arn),
        identity_fix=grants.Fix(f"policy of role {access.role_arn}", "PipelineArtifacts", needed, objects))
