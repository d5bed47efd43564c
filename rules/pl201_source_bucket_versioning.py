"""
## What it does
Checks that the bucket of every S3 source action has versioning `Enabled`.

## Why is this bad?
CodePipeline's S3 source action tracks object versions: it detects changes and fetches the source by
version id. On a bucket without versioning the pipeline cannot be created or never starts from a
change, and a run cannot pin the revision it started with.

## Example
```yaml
SourceBucket:
  Type: AWS::S3::Bucket      # no VersioningConfiguration
```

## Fix
```yaml
SourceBucket:
  Type: AWS::S3::Bucket
  Properties:
    VersioningConfiguration: {Status: Enabled}
```
"""

from __future__ import annotations

from pipelint.model import World
from pipelint.rule import Report, Rule
from pipelint.values import Unknown

RULE = Rule(id="PL201", name="source-bucket-versioning", severity="error",
            summary="S3 source buckets have versioning enabled")


def check(world: World, report: Report) -> None:
    for pipeline in world.pipelines:
        for action in pipeline.actions:
            if action.category != "Source" or action.provider != "S3":
                continue
            name = action.configuration.get("S3Bucket")
            res = [pipeline.key, str(name)]
            if isinstance(name, Unknown):
                report.unverified(action.source, f"the source bucket of action {action.label} is not known",
                                  resources=res, settle=name.reason)
                continue
            bucket = world.bucket(name)
            if bucket is None:
                report.unverified(action.source, f"the versioning of source bucket {name} of action "
                                  f"{action.label} is not known: the bucket is not among the inputs",
                                  resources=res, settle=f"the template or snapshot that defines bucket {name}")
            elif isinstance(bucket.versioning, Unknown):
                report.unverified(bucket.source, f"the versioning of source bucket {name} is not known",
                                  resources=res, settle=bucket.versioning.reason)
            elif bucket.versioning != "Enabled":
                state = "suspended" if bucket.versioning == "Suspended" else "not enabled"
                report.fail(bucket.source, f"source bucket {name} of action {action.label} in pipeline "
                            f"{pipeline.label} has versioning {state}", resources=res,
                            fix="Set VersioningConfiguration: {Status: Enabled} on the bucket.")
