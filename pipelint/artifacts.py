"""The artifact accesses a pipeline action makes: which role reads or writes which bucket with which key.

Shared by the S3 and KMS grant rules (PL301, PL302). CodePipeline stores an artifact as an object under
``<bucket>/<first 20 characters of the pipeline name>/<first 10 of the artifact name>/<id>``, encrypted with SSE-KMS using the
store's key; the action's role reads inputs and writes outputs there itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterator

from pipelint import arns, queries
from pipelint.model import Action, ArtifactStore, Bucket, Key, Pipeline, World
from pipelint.values import Unknown


@dataclass
class Access:
    pipeline: Pipeline
    action: Action
    role_arn: str
    region: str
    store: ArtifactStore
    bucket_name: str
    bucket: Bucket | None
    bucket_account: Any  # str or Unknown
    key: Key | None
    reads: list  # input artifact names
    writes: list  # output artifact names

    def folder(self, artifact: str) -> str:
        """Where the artifact's objects go: keys look like <pipeline[:20]>/<artifact[:10]>/<7 random
        characters>, e.g. "MyGitHubPipeline/SourceArti/gZkH2iH" for artifact SourceArtifact (as
        CodeBuild reports the source version it was given)."""
        prefix = self.pipeline.name[:20] if isinstance(self.pipeline.name, str) else "pipeline"
        return f"{prefix}/{artifact[:10]}/"

    def object_arn(self, artifact: str) -> str:
        return f"arn:{arns.partition_for_region(self.region)}:s3:::{self.bucket_name}/{self.folder(artifact)}object"


def accesses(world: World, pipeline: Pipeline) -> Iterator[tuple[Action, Access | Unknown]]:
    """Each cross-account action with the store it uses; Unknown when the inputs cannot say."""
    for action in pipeline.actions:
        if not (action.input_artifacts or action.output_artifacts) or action.role_arn is None:
            continue
        region = pipeline.action_region(action)
        store = queries.store_for(pipeline, region)
        if store is None:
            continue  # PL102 reports the missing store
        if isinstance(store, Unknown):
            yield action, store
            continue
        if isinstance(action.role_arn, Unknown):
            yield action, action.role_arn
            continue
        if not isinstance(store.bucket, str):
            yield action, store.bucket if isinstance(store.bucket, Unknown) else Unknown("the store has no bucket")
            continue
        bucket = world.bucket(store.bucket)
        bucket_account = bucket.account if bucket is not None else pipeline.account
        role_account = arns.account_of(action.role_arn)
        if isinstance(bucket_account, Unknown):
            yield action, bucket_account
            continue
        if role_account == bucket_account:
            continue  # same account: not a cross-account link
        key = queries.store_key(world, pipeline, region, store)
        yield action, Access(pipeline, action, action.role_arn, region, store, store.bucket, bucket, bucket_account,
                             key, [a for a in action.input_artifacts if isinstance(a, str)],
                             [a for a in action.output_artifacts if isinstance(a, str)])
