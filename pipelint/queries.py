"""Questions about the model that several rules ask: which actions cross accounts, which store serves
a region, which key a store names. Answers are True/False or an Unknown that says why."""

from __future__ import annotations


from pipelint import arns
from pipelint.lazy_re import lazy
from pipelint.model import Action, ArtifactStore, Key, Pipeline, World
from pipelint.values import Unknown, generated_logical

TYPE_CHECKING = False  # for annotations only: typing costs 3 ms to import
if TYPE_CHECKING:
    from typing import Any

AWS_MANAGED_S3_ALIASES = ("alias/aws/s3",)


def action_account(pipeline: Pipeline, action: Action) -> Any:
    """The account an action runs in: its role's account, or the pipeline's when it has no role."""
    if action.role_arn is None:
        return pipeline.account
    if isinstance(action.role_arn, Unknown):
        return action.role_arn
    return arns.account_of(action.role_arn) or Unknown(f"roleArn of {action.label} is not an ARN: {action.role_arn}")


def is_cross_account(pipeline: Pipeline, action: Action) -> bool | Unknown:
    if action.role_arn is None:
        return False  # the action runs as the pipeline's own role, in the pipeline's account
    account = action_account(pipeline, action)
    if isinstance(account, Unknown):
        if isinstance(pipeline.account, Unknown) and account.reason == pipeline.account.reason \
                and (account.shape or "").startswith("arn:iam:role"):
            # both come from the same stack's unknown AWS::AccountId: whatever it is, it is one account
            return False
        return account
    if isinstance(pipeline.account, Unknown):
        return pipeline.account
    return account != pipeline.account


def cross_account_actions(pipeline: Pipeline) -> tuple[list[Action], list[tuple[Action, Unknown]]]:
    """(actions known to run in another account, actions where that is unknown with why)."""
    known, unknown = [], []
    for action in pipeline.actions:
        answer = is_cross_account(pipeline, action)
        if answer is True:
            known.append(action)
        elif isinstance(answer, Unknown):
            unknown.append((action, answer))
    return known, unknown


def stores(pipeline: Pipeline) -> list[tuple[Any, ArtifactStore]]:
    """(region, store) for every artifact store; the single store serves the pipeline's region."""
    if pipeline.artifact_stores is not None:
        return [(store.region, store) for store in pipeline.artifact_stores.values()]
    if pipeline.artifact_store is not None:
        return [(pipeline.region, pipeline.artifact_store)]
    return []


def store_for(pipeline: Pipeline, region: Any) -> ArtifactStore | None | Unknown:
    """The store that serves ``region``; None when there is none; Unknown when that cannot be told."""
    if isinstance(region, Unknown):
        return region
    if pipeline.artifact_stores is not None:
        return next((s for s in pipeline.artifact_stores.values() if s.region == region), None)
    if pipeline.artifact_store is not None:
        if isinstance(pipeline.region, Unknown):
            return pipeline.region
        return pipeline.artifact_store if region == pipeline.region else None
    return None


def is_aws_managed_s3_key(key_id: Any) -> bool:
    return isinstance(key_id, str) and (key_id in AWS_MANAGED_S3_ALIASES or key_id.endswith(":alias/aws/s3"))


def store_key(world: World, pipeline: Pipeline, region: Any, store: ArtifactStore) -> Key | None:
    """The model key a store names, when the inputs hold it."""
    account = pipeline.account
    return world.key(store.key_id, account, region if isinstance(region, str) else pipeline.region)


def settle_key(world: World, ref: Any) -> str:
    """What input settles key ``ref`` that no input defines. A key CloudFormation creates has an id only
    once deployed, so a literal ARN cannot meet it: when keys with generated ids sit in the same account
    and region, the ARN may be one of them, and ``physical-ids`` says which."""
    text = f"the template or snapshot that defines key {ref}"
    parts = arns.split(ref)
    if parts is None:
        return text
    generated = world.generated_keys(parts[4], parts[3])
    if generated:
        names = ", ".join(f"{generated_logical(k.key_id)} in {k.source.file}" for k in generated[:3])
        text += (f"; if it is a key a template among the inputs creates ({names}), give its id in the "
                 "physical-ids of that template's [[stacks]] entry")
        if any(k.key_id.startswith("⟨tf:") for k in generated[:3]):
            text += " (Terraform: the [[stacks]] entry of the root module, keyed by the resource address)"
    return text


def project_name(action: Action) -> Any:
    return action.configuration.get("ProjectName")


def find_project(world: World, name: Any, account: Any, region: Any):
    if not isinstance(name, str):
        return None
    for project in world.projects_named(name):
        if project.account == account and project.region == region:
            return project
    if name.startswith("arn:"):
        return world.projects.get(name)
    return None


def is_pipeline_arn(value: Any) -> bool | None:
    if isinstance(value, Unknown):
        if value.shape is None:
            return None
        return value.shape.startswith("arn:codepipeline:")
    return arns.service_of(value) == "codepipeline"


# CDK bootstrap roles (aws-cdk's bootstrap template names them cdk-<qualifier>-<kind>-<account>-<region>)
_CDK_BOOTSTRAP_ROLE = lazy(
    r"^cdk-(?P<qualifier>[a-z0-9]+)-(?P<kind>deploy|cfn-exec|file-publishing|image-publishing|lookup)-role-"
    r"(?P<account>\d{12})-(?P<region>[a-z0-9-]+)$")


def is_cdk_bootstrap_role(arn: Any) -> bool:
    return bool(isinstance(arn, str) and _CDK_BOOTSTRAP_ROLE.match(arns.role_name(arn) or ""))


def settle_role(world: World, arn: Any) -> str:
    """What input settles role ``arn`` that no input defines. A CDK bootstrap role is defined by the
    bootstrap template, deployed once per environment: say exactly which entry to add, in the same words
    for every role of that environment (so the to-do list counts them as one input)."""
    name = arns.role_name(arn) if isinstance(arn, str) else None
    found = _CDK_BOOTSTRAP_ROLE.match(name or "")
    if found is None:
        return f"the template, get-role output or snapshot that defines role {arn}"
    account, region, qualifier = found["account"], found["region"], found["qualifier"]
    trusted = sorted({p.account for p in world.pipelines if isinstance(p.account, str) and p.account != account})
    parameters = [f'TrustedAccounts = "{",".join(trusted) or "<the pipeline account>"}"']
    if qualifier != "hnb659fds":
        parameters.append(f'Qualifier = "{qualifier}"')
    return (f"the CDK bootstrap template of environment aws://{account}/{region}, which defines its "
            f"cdk-{qualifier}-*-role-{account}-{region} roles: add it (`cdk bootstrap --show-template > "
            "bootstrap-template.yaml`) with a [[stacks]] entry for that environment: "
            f'template = "bootstrap-template.yaml", account = "{account}", region = "{region}", '
            f"parameters = {{ {', '.join(parameters)} }} (the values you bootstrapped with: --trust, "
            "--trust-for-lookup, --cloudformation-execution-policies)")
