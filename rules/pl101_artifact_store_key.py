"""
## What it does
Checks that a pipeline with any cross-account action encrypts every artifact store with a
customer-managed KMS key, named so that every account that uses it finds it: by key ARN, or by alias
ARN as long as no action in another account writes artifacts to that store.

## Why is this bad?
An action in another account reads and writes artifacts encrypted with the store's key. Without an
`encryptionKey`, CodePipeline uses the AWS-managed `aws/s3` key, whose policy cannot be changed, so no
other account can ever decrypt the artifacts. A bare key id or a bare alias name (`alias/x`) is looked
up in the account that uses it, so the other account looks for a key that does not exist there.

Alias ARNs are where the documents disagree. The CodePipeline API reference (`EncryptionKey`) says
aliases are recognized only in the account that created the key, and that cross-account actions can
identify the key only by key id or key ARN. The KMS API reference says a key in another account is
named by its key ARN *or its alias ARN*. Only writing an artifact resolves the id given: S3 records the
key on each object and decrypts with that key, whatever name the store gives (S3 User Guide,
"Using server-side encryption with AWS KMS keys"). Real CDK output names its cross-region stores by
alias ARN and works, because in those regions the other accounts only read. So pipelint warns about an
alias ARN only when an action in another account writes output artifacts in that store's region, and
names those actions; there the CodePipeline guide's reading would break the write.

## Example
```yaml
ArtifactStore:
  Type: S3
  Location: !Ref ArtifactBucket
  EncryptionKey:
    Id: !Ref ArtifactKey        # Ref of AWS::KMS::Key is the bare key id
    Type: KMS
```

## Fix
Name the key by its ARN:
```yaml
  EncryptionKey:
    Id: !GetAtt ArtifactKey.Arn
    Type: KMS
```
"""

from __future__ import annotations

from pipelint import arns, queries
from pipelint.model import World
from pipelint.rule import Report, Rule
from pipelint.values import Unknown, display

RULE = Rule(id="PL101", name="artifact-store-key", severity="error",
            summary="Cross-account pipelines encrypt every artifact store with a customer-managed key named by ARN")

FIX_ARN = "Set encryptionKey to the key's ARN (CloudFormation: Id: !GetAtt Key.Arn, Type: KMS)."


def check(world: World, report: Report) -> None:
    for pipeline in world.pipelines:
        crossing, unsure = queries.cross_account_actions(pipeline)
        for region, store in queries.stores(pipeline):
            problem = _problem(world, store)
            if problem is None:
                continue
            severity, message, fix = problem
            resources = [pipeline.key]
            where = f"artifact store{'' if region is None else f' for {display(region)}'} of pipeline {pipeline.label}"
            where = where[0].upper() + where[1:]
            if isinstance(severity, Unknown):
                if crossing or unsure:
                    report.unverified(store.source, f"{where}: its encryption key is not known",
                                      resources=resources, settle=severity.reason)
                continue
            if severity == "alias":
                _alias_arn(pipeline, region if region is not None else pipeline.region, store, where, message,
                           report)
            elif crossing:
                names = ", ".join(a.label for a in crossing[:3])
                report.fail(store.source, f"{where}: {message}; the pipeline has cross-account actions ({names})",
                            resources=resources, fix=fix, severity=severity)
            elif unsure:
                action, why = unsure[0]
                report.unverified(store.source, f"{where}: {message}, which breaks cross-account actions; whether "
                                  f"action {action.label} runs in another account is not known",
                                  resources=resources, settle=why.reason)


def _alias_arn(pipeline, region, store, where: str, message: str, report: Report) -> None:
    """Warn about an alias ARN only where an action of another account writes to the store."""
    owner = arns.account_of(store.key_id)
    writers, unsure = [], []
    for action in pipeline.actions:
        if not action.output_artifacts or pipeline.action_region(action) != region:
            continue
        account = queries.action_account(pipeline, action)
        if isinstance(account, Unknown):
            unsure.append((action, account))
        elif account != owner:
            writers.append(action)
    if writers:
        names = ", ".join(a.label for a in writers)
        report.fail(store.source, f"{where}: {message}, and action{'s' if len(writers) > 1 else ''} {names} in "
                    f"another account write{'' if len(writers) > 1 else 's'} output artifacts with it",
                    resources=[pipeline.key], fix=FIX_ARN, severity="warning")
    elif unsure:
        action, why = unsure[0]
        report.unverified(store.source, f"{where}: {message}; whether action {action.label}, which writes output "
                          "artifacts with it, runs in another account is not known", resources=[pipeline.key],
                          settle=why.reason)


def _problem(world: World, store):
    """(severity or Unknown, message, fix) when the store's key is wrong for cross-account use; severity
    "alias" for an alias ARN, which only writers in other accounts can trip over."""
    key_id = store.key_id
    if key_id is None:
        return "error", "no encryptionKey (the AWS-managed aws/s3 key cannot be shared)", FIX_ARN
    if isinstance(key_id, Unknown):
        if key_id.shape == "arn:kms:key":
            return None
        return key_id, "", ""
    if queries.is_aws_managed_s3_key(key_id):
        return "error", f"encryptionKey {key_id} is the AWS-managed aws/s3 key, which cannot be shared", FIX_ARN
    if arns.is_kms_key_arn(key_id):
        key = world.key(key_id)
        if key is not None and key.aws_managed:
            return "error", f"encryptionKey {key_id} is an AWS-managed key, which cannot be shared", FIX_ARN
        return None
    if arns.is_kms_alias_arn(key_id):
        return ("alias", f"encryptionKey {key_id} is an alias ARN, which the CodePipeline API reference says is "
                "recognized only in the key's own account", FIX_ARN)
    if key_id.startswith("alias/"):
        return ("error", f"encryptionKey {key_id} is a bare alias name, which other accounts resolve in their own "
                "account", FIX_ARN)
    return ("error", f"encryptionKey {display(key_id)} is a bare key id, which other accounts resolve in their "
            "own account", FIX_ARN)
