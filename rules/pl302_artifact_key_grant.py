"""
## What it does
For every principal that reads or writes a pipeline's artifacts — the action's role, the pipeline's
role for actions without one (S3 sources, Lambda invoke and custom actions get that role's artifact
credentials), and the service role of a CodeBuild project, which fetches and uploads artifacts itself —
checks that the store key's key policy AND the principal's own IAM policy allow `kms:Decrypt` (to read
input artifacts) and `kms:GenerateDataKey` (to write output artifacts) on that region's artifact key.
In the key's own account too: the key policy must name the principal, or name the account root with
the action (which lets IAM policies grant it).

## Why is this bad?
Artifacts are SSE-KMS objects. S3 calls KMS on the caller's behalf, so the caller needs the key.
A KMS key policy is the root of all access to a key: an IAM policy alone is never enough. A key policy
that gives its own account root only administrative actions (`kms:Create*`, `kms:Put*`, ...) makes
every IAM grant in that account useless; across accounts both the key policy (naming the role or its
account) and the role's policy must allow. A missing grant fails the action with AccessDenied
("kms:Decrypt") when it downloads the artifact.

## Example
```yaml
KeyPolicy:
  Statement:
    - Effect: Allow
      Principal: {AWS: !Sub "arn:aws:iam::${AWS::AccountId}:root"}
      Action: kms:*
      Resource: "*"
    # nothing for the deploy account
```

## Fix
Add to the key policy:
```json
{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::222222222222:role/deploy"},
 "Action": ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*"],
 "Resource": "*"}
```
and allow the same actions on the key's ARN in the role's own policy.
"""

from __future__ import annotations

from pipelint import chain, grants
from pipelint.chain import Link
from pipelint.model import World
from pipelint.policy import Result
from pipelint.rule import Report, Rule

RULE = Rule(id="PL302", name="artifact-key-grant", severity="error",
            summary="Key policy and role policy both let every role that touches artifacts use the artifact key")

ACTIONS = ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*"]


def check(world: World, report: Report) -> None:
    # one finding per principal and key: the fix covers both calls (the chain groups them)
    chain.walk(world, report, chain.links(world, RULE.id), judge)


def judge(world: World, report: Report, link: Link) -> Result | None:
    """The finding of one link of the chain (see pipelint.chain): a decrypt or encrypt with the artifact key."""
    action, pipeline, access = link.action, link.pipeline, link.access
    if access is None:
        report.unverified(action.source, f"whether the roles that read and write the artifacts of action "
                          f"{action.label} may use the artifact key is not known", resources=[pipeline.key],
                          settle=link.unknown)
        return None
    res = [pipeline.key, access.role_arn, str(access.store.key_id)]
    if link.check is None:
        report.unverified(action.source, f"whether {access.who} {access.role_arn} ({action.label}) may use artifact "
                          f"key {access.store.key_id} is not known: no input defines that key",
                          resources=res, settle=link.unknown)
        return None
    key, kms_action = access.key, link.check.action
    return grants.judge(world, report, link.check,
        what=(f"{'across accounts, ' if access.cross_account else ''}{access.who} {access.role_arn} ({action.label}) "
              f"to {kms_action} with artifact key {key.arn}"),
        at=action.source, resources=res, resource_word="key policy",
        resource_fix=grants.Fix("key policy", "PipelineArtifactKey", ACTIONS, "*", principal_arn=access.role_arn),
        identity_fix=grants.Fix(f"policy of role {access.role_arn}", "PipelineArtifactKey", ACTIONS, key.arn))
