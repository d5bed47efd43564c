"""
## What it does
Checks that a CodeBuild project whose output artifacts a cross-account action consumes encrypts with
the artifact store's KMS key.

## Why is this bad?
CodeBuild encrypts the artifacts it uploads with the project's own `EncryptionKey`, not with the
pipeline's artifact store key; without one it uses the AWS-managed `aws/s3` key (aws-cdk issue #4033).
An action in another account cannot decrypt objects encrypted with `aws/s3`, or with any key its
account is not granted, so the deploy fails with AccessDenied on the build's output.

## Example
```yaml
BuildProject:
  Type: AWS::CodeBuild::Project
  Properties:
    ServiceRole: !GetAtt BuildRole.Arn
    # no EncryptionKey: outputs are encrypted with aws/s3
```

## Fix
```yaml
    EncryptionKey: !GetAtt ArtifactKey.Arn   # the same key as the artifact store of that region
```
"""

from __future__ import annotations

from pipelint import arns, queries
from pipelint.model import World
from pipelint.rule import Report, Rule
from pipelint.values import Unknown

RULE = Rule(id="PL103", name="codebuild-artifact-key", severity="error",
            summary="CodeBuild projects feeding cross-account actions encrypt with the artifact store key")


def check(world: World, report: Report) -> None:
    for pipeline in world.pipelines:
        crossing, _ = queries.cross_account_actions(pipeline)
        consumed = {name for action in crossing for name in action.input_artifacts if isinstance(name, str)}
        for action in pipeline.actions:
            if action.provider != "CodeBuild" or not consumed.intersection(
                    n for n in action.output_artifacts if isinstance(n, str)):
                continue
            region = pipeline.action_region(action)
            name = queries.project_name(action)
            res = [pipeline.key, str(name)]
            project = queries.find_project(world, name, pipeline.account, region)
            if project is None:
                settle = (name.reason if isinstance(name, Unknown)
                          else f"the template or snapshot that defines CodeBuild project {name}")
                report.unverified(action.source, f"the encryption key of CodeBuild project {name} of action "
                                  f"{action.label} is not known: the project is not among the inputs",
                                  resources=res, settle=settle)
                continue
            store = queries.store_for(pipeline, region)
            store_key = store.key_id if store is not None and not isinstance(store, Unknown) else None
            _compare(world, pipeline, action, project, region, store_key, report)


def _compare(world, pipeline, action, project, region, store_key, report: Report) -> None:
    res = [pipeline.key, str(project.arn if isinstance(project.arn, str) else project.key)]
    fix = (f"Set EncryptionKey of CodeBuild project {project.name} to the ARN of the {region} artifact store key"
           + (f" ({store_key})." if isinstance(store_key, str) else "."))
    key = project.encryption_key
    if key is None or queries.is_aws_managed_s3_key(key):
        report.fail(project.source, f"CodeBuild project {project.name} (action {action.label}) encrypts its output "
                    "artifacts with the AWS-managed aws/s3 key, which the cross-account actions that read them "
                    "cannot use", resources=res, fix=fix)
        return
    if isinstance(key, Unknown) or isinstance(store_key, Unknown) or store_key is None:
        why = key if isinstance(key, Unknown) else store_key
        if isinstance(why, Unknown):
            report.unverified(project.source, f"whether CodeBuild project {project.name} encrypts with the "
                              "artifact store key is not known", resources=res, settle=why.reason)
        return
    same = key == store_key
    if not same:
        a = world.key(key, project.account, project.region)
        b = world.key(store_key, pipeline.account, region)
        same = a is not None and a is b
        if (a is None or b is None) and not (arns.is_kms_key_arn(key) and arns.is_kms_key_arn(store_key)):
            # two different key ARNs are two keys; an alias or a bare id needs the key it names
            missing = key if a is None else store_key
            report.unverified(project.source, f"whether key {key} of CodeBuild project {project.name} is the "
                              f"artifact store key {store_key} is not known", resources=res,
                              settle=queries.settle_key(world, missing))
            return
    if not same:
        report.fail(project.source, f"CodeBuild project {project.name} encrypts with {key}, not the {region} "
                    f"artifact store key {store_key}", resources=res, fix=fix)

