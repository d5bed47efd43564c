"""
## What it does
Checks that every region a pipeline action runs in has an artifact store, that each store's bucket and
key are in the store's region, and that `artifactStore` / `artifactStores` are well formed.

## Why is this bad?
CodePipeline copies artifacts to a store in the action's region before a cross-region action runs.
With no store for that region the pipeline cannot be created or the action fails; a bucket or key in
another region than its store cannot be used there. `artifactStore` and `artifactStores` are
exclusive, and `artifactStores` must include the pipeline's own region.

## Example
```yaml
ArtifactStore: {Type: S3, Location: !Ref ArtifactBucket}
Stages:
  - Name: Deploy
    Actions:
      - Name: DeployEU
        Region: eu-west-1         # no store for eu-west-1
```

## Fix
Use `ArtifactStores` with one entry per region, each naming a bucket and key in that region:
```yaml
ArtifactStores:
  - Region: us-east-1
    ArtifactStore: {Type: S3, Location: !Ref ArtifactBucket, EncryptionKey: {Id: !GetAtt Key.Arn, Type: KMS}}
  - Region: eu-west-1
    ArtifactStore: {Type: S3, Location: eu-artifact-bucket, EncryptionKey: {Id: arn:aws:kms:eu-west-1:..., Type: KMS}}
```
"""

from __future__ import annotations

from pipelint import arns, queries
from pipelint.model import World
from pipelint.rule import Report, Rule
from pipelint.values import Unknown

RULE = Rule(id="PL102", name="regional-artifact-stores", severity="error",
            summary="Every action region has an artifact store whose bucket and key are in that region")


def check(world: World, report: Report) -> None:
    for pipeline in world.pipelines:
        res = [pipeline.key]
        if pipeline.artifact_store is not None and pipeline.artifact_stores is not None:
            report.fail(pipeline.store_sources.get("map", pipeline.source),
                        f"pipeline {pipeline.label} sets both artifactStore and artifactStores; they are exclusive",
                        resources=res, fix="Keep artifactStores (one entry per region) and remove artifactStore.")
        if pipeline.artifact_store is None and pipeline.artifact_stores is None:
            report.fail(pipeline.source, f"pipeline {pipeline.label} has no artifact store", resources=res,
                        fix="Add artifactStore (one region) or artifactStores (one entry per region).")
            continue
        if pipeline.artifact_stores is not None and pipeline.artifact_store is None:
            src = pipeline.store_sources.get("map", pipeline.source)
            if isinstance(pipeline.region, Unknown):
                report.unverified(src, f"whether artifactStores of pipeline {pipeline.label} includes the "
                                  f"pipeline's own region is not known", resources=res, settle=pipeline.region.reason)
            elif pipeline.region not in pipeline.artifact_stores:
                report.fail(src, f"artifactStores of pipeline {pipeline.label} has no entry for the pipeline's "
                            f"own region {pipeline.region}", resources=res,
                            fix=f"Add an artifactStores entry for {pipeline.region}.")
        _action_regions(pipeline, report)
        for region, store in queries.stores(pipeline):
            _store_location(world, pipeline, region, store, report)


def _action_regions(pipeline, report: Report) -> None:
    """One finding per region without a store (one cause, one fix), listing the actions that need it."""
    missing: dict = {}
    for action in pipeline.actions:
        region = pipeline.action_region(action)
        store = queries.store_for(pipeline, region)
        if store is not None and not isinstance(store, Unknown):
            continue
        res = [pipeline.key]
        if isinstance(store, Unknown):
            if action.region is not None:  # an action without Region always runs where the pipeline is
                report.unverified(action.source, f"the region of action {action.label} or of pipeline "
                                  f"{pipeline.label} is not known", resources=res, settle=store.reason)
            continue
        missing.setdefault(region, []).append(action)
    for region, actions in missing.items():
        first = actions[0]
        names = ", ".join(a.label for a in actions)
        need = f"action{'s' if len(actions) > 1 else ''} {names} run{'' if len(actions) > 1 else 's'} in {region}"
        removed = pipeline.removed_stores.get(region)
        if removed is not None:
            where, why = removed
            message = (f"{need} but pipeline {pipeline.label} has no artifact store for {region}: its artifactStores "
                       f"entry ({where.label()}) is removed because {why}")
            fix = (f"Make the entry's condition hold whenever an action runs in {region} (or deploy with parameter "
                   "values that make it hold); the actions and the store must be conditioned alike.")
        else:
            message = f"{need} but pipeline {pipeline.label} has no artifact store for {region}"
            if pipeline.artifact_stores is None:
                fix = (f"Replace artifactStore with artifactStores holding one entry for {pipeline.region} "
                       f"and one for {region}.")
            else:
                fix = f"Add an artifactStores entry for {region} with a bucket and KMS key in {region}."
        # one action: point at it; several in one stage: at the stage; else at the first of them
        one_stage = len(actions) > 1 and len({a.stage for a in actions}) == 1 and first.stage_source is not None
        report.fail(first.stage_source if one_stage else first.source, message, resources=[pipeline.key], fix=fix)


def _store_location(world: World, pipeline, region, store, report: Report) -> None:
    if not isinstance(region, str):
        return
    res = [pipeline.key]
    bucket = world.bucket(store.bucket)
    if bucket is None:
        if isinstance(store.bucket, str):
            report.unverified(store.source, f"the region of artifact bucket {store.bucket} of pipeline "
                              f"{pipeline.label} is not known: the bucket is not among the inputs",
                              resources=[*res, store.bucket],
                              settle=f"the template or snapshot that defines bucket {store.bucket}")
    elif isinstance(bucket.region, str) and bucket.region != region:
        report.fail(store.source, f"artifact bucket {store.bucket} of the {region} store of pipeline "
                    f"{pipeline.label} is in {bucket.region}", resources=[*res, str(store.bucket)],
                    fix=f"Point the {region} artifact store at a bucket created in {region}.")
    key_region = arns.region_of(store.key_id) if isinstance(store.key_id, str) else None
    if key_region is None and isinstance(store.key_id, str):
        key = world.key(store.key_id, pipeline.account, region)
        key_region = key.region if key is not None and isinstance(key.region, str) else None
    if key_region and key_region != region:
        report.fail(store.source, f"encryption key {store.key_id} of the {region} store of pipeline "
                    f"{pipeline.label} is in {key_region}; KMS keys are regional", resources=[*res, store.key_id],
                    fix=f"Use a KMS key created in {region} for the {region} artifact store.")
