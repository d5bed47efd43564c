"""The artifact accesses a pipeline action makes: which role reads or writes which bucket with which key.

Shared by the S3 and KMS grant rules (PL301, PL302). CodePipeline stores an artifact as an object under
``<bucket>/<first 20 characters of the pipeline name>/<first 10 of the artifact name>/<id>``, encrypted with SSE-KMS using the
store's key; the action's role reads inputs and writes outputs there itself.
"""

from __future__ import annotations

from collections.abc import Iterator

from pipelint import arns, queries
from pipelint.model import Action, ArtifactStore, Bucket, Key, Pipeline, World
from pipelint.records import record
from pipelint.values import Unknown

TYPE_CHECKING = False  # for annotations only: typing costs 3 ms to import
if TYPE_CHECKING:
    from typing import Any


@record
class Access:
    pipeline: Pipeline
    action: Action
    role_arn: str  # the principal that reads and writes the artifacts
    region: str
    store: ArtifactStore
    bucket_name: str
    bucket: Bucket | None
    bucket_account: Any  # str or Unknown
    key: Key | None
    reads: list  # input artifact names
    writes: list  # output artifact names
    who: str = "action role"  # "action role", "pipeline role", "CodeBuild service role of project X"
    cross_account: bool = True

    def folder(self, artifact: str) -> str:
        """Where the artifact's objects go: keys look like <pipeline[:20]>/<artifact[:10]>/<7 random
        characters>, e.g. "MyGitHubPipeline/SourceArti/gZkH2iH" for artifact SourceArtifact (as
        CodeBuild reports the source version it was given)."""
        prefix = self.pipeline.name[:20] if isinstance(self.pipeline.name, str) else "pipeline"
        return f"{prefix}/{artifact[:10]}/"

    def object_arn(self, artifact: str) -> str:
        return f"arn:{arns.partition_for_region(self.region)}:s3:::{self.bucket_name}/{self.folder(artifact)}object"


def principals(world: World, pipeline: Pipeline, action: Action, region: Any) -> list[tuple[str, Any]]:
    """Who touches an action's artifacts: (what it is, its role ARN or an Unknown saying why not known).

    CodeBuild reads its input artifacts and writes its outputs itself, with the project's service role
    (CodeBuild UG, "Use CodeBuild with CodePipeline": the service role needs access to the artifact
    bucket and key). Every other action's artifacts are read and written by CodePipeline with the
    action's role, or the pipeline's role when the action has none — the artifact credentials it hands
    to Lambda invoke and custom actions are that role's too (CodePipeline UG, "CodePipeline service
    role", "Lambda invoke action")."""
    if action.provider == "CodeBuild":
        name = queries.project_name(action)
        account = queries.action_account(pipeline, action)
        project = queries.find_project(world, name, account, region)
        if project is None:
            why = name if isinstance(name, Unknown) else Unknown(
                f"the template or snapshot that defines CodeBuild project {name} (its service role touches "
                "the artifacts)")
            return [(f"CodeBuild service role of project {name}", why)]
        role = project.service_role
        if isinstance(role, str) and not role.startswith("arn:") and isinstance(project.account, str):
            role = f"arn:{arns.partition_for_region(region)}:iam::{project.account}:role/{role}"
        if role is None:
            role = Unknown(f"the ServiceRole of CodeBuild project {project.name}")
        return [(f"CodeBuild service role of project {project.name}", role)]
    if action.role_arn is not None:
        return [("action role", action.role_arn)]
    return [("pipeline role", pipeline.role_arn if pipeline.role_arn is not None
             else Unknown(f"the roleArn of pipeline {pipeline.label}"))]


def accesses(world: World, pipeline: Pipeline, *, same_account: bool = False) -> Iterator[tuple[Action, Access | Unknown]]:
    """Each principal that reads or writes an action's artifacts, with the store it uses; Unknown when
    the inputs cannot say. Only principals in another account than the bucket unless ``same_account``
    (an action without its own role runs in the pipeline's account, with the bucket)."""
    for action in pipeline.actions:
        if not (action.input_artifacts or action.output_artifacts):
            continue
        if not same_account and action.role_arn is None:
            continue
        region = pipeline.action_region(action)
        store = queries.store_for(pipeline, region)
        if store is None:
            continue  # PL102 reports the missing store
        if isinstance(store, Unknown):
            yield action, store
            continue
        if not isinstance(store.bucket, str):
            yield action, store.bucket if isinstance(store.bucket, Unknown) else Unknown("the store has no bucket")
            continue
        bucket = world.bucket(store.bucket)
        bucket_account = bucket.account if bucket is not None else pipeline.account
        if isinstance(bucket_account, Unknown):
            yield action, bucket_account
            continue
        key = None
        for who, role_arn in principals(world, pipeline, action, region):
            if isinstance(role_arn, Unknown):
                yield action, role_arn
                continue
            cross = arns.account_of(role_arn) != bucket_account
            if not cross and not same_account:
                continue
            if key is None:
                key = queries.store_key(world, pipeline, region, store)
            yield action, Access(pipeline, action, role_arn, region, store, store.bucket, bucket, bucket_account,
                                 key, [a for a in action.input_artifacts if isinstance(a, str)],
                                 [a for a in action.output_artifacts if isinstance(a, str)], who, cross)
