"""
## What it does
Checks that the KMS key of every artifact store is `Enabled`, as the account reports it: a live audit
(`pipelint audit`) reads each key's `KeyState`, and its snapshot keeps it. Templates cannot say what
state a key is in, so offline this rule speaks only about keys a snapshot describes.

## Why is this bad?
KMS refuses every cryptographic operation with a key that is `Disabled` (`DisabledException`) or
`PendingDeletion`, `PendingImport` or `Unavailable` (`KMSInvalidStateException`) (KMS Developer Guide,
"Key states of AWS KMS keys"). Every action that reads or writes artifacts in that region fails, and a
key that finishes its deletion window takes every artifact encrypted with it along: they can never be
decrypted again.

## Example
```json
{"arn": "arn:aws:kms:eu-west-1:111111111111:key/9a8b...", "state": "PendingDeletion"}
```
in the snapshot of an audit, for the key the pipeline's eu-west-1 artifact store names.

## Fix
`aws kms cancel-key-deletion --key-id KEY` (a key pending deletion returns to `Disabled`), then
`aws kms enable-key --key-id KEY`; or point the artifact store at an enabled key.
"""

from __future__ import annotations

from pipelint import queries
from pipelint.model import World
from pipelint.rule import Report, Rule
from pipelint.values import Unknown, display

RULE = Rule(id="PL501", name="artifact-key-state", severity="error",
            summary="Artifact store keys are Enabled in the account (live audit, snapshots)")

# KMS DG, "Key states of AWS KMS keys": no cryptographic operation is allowed in these states
UNUSABLE = {
    "Disabled": "disabled",
    "PendingDeletion": "scheduled for deletion",
    "PendingReplicaDeletion": "scheduled for deletion (a replica key)",
    "PendingImport": "waiting for its key material to be imported",
    "Unavailable": "unavailable (its custom key store is disconnected)",
}
USABLE = {"Enabled", "Updating"}  # Updating: a multi-Region key whose primary is changing, still usable


def check(world: World, report: Report) -> None:
    for pipeline in world.pipelines:
        for region, store in queries.stores(pipeline):
            if store.key_id is None or queries.is_aws_managed_s3_key(store.key_id):
                continue
            key = queries.store_key(world, pipeline, region, store)
            if key is None or key.exists is False or key.state is None:
                continue  # not known offline; a missing key is PL502's
            where = f"the {display(region)} artifact store of pipeline {pipeline.label}"
            res = [pipeline.key, str(key.arn)]
            if isinstance(key.state, Unknown):
                report.unverified(store.source, f"whether artifact key {display(key.arn)} of {where} is enabled is "
                                  "not known", resources=res, settle=key.state.reason)
            elif key.state in UNUSABLE:
                report.fail(store.source, f"artifact key {display(key.arn)} of {where} is {key.state} "
                            f"({UNUSABLE[key.state]}): KMS refuses to use it, so every action that reads or writes "
                            f"artifacts in {display(region)} fails" + (
                                ", and once deleted, the artifacts encrypted with it can never be read"
                                if key.state.startswith("Pending") and "Deletion" in key.state else ""),
                            resources=res, fix=_fix(key.state, key.arn))
            elif key.state not in USABLE:
                report.unverified(store.source, f"artifact key {display(key.arn)} of {where} is in state "
                                  f"{key.state}, which pipelint does not know", resources=res,
                                  settle=f"the key's state once it is Enabled (aws kms describe-key --key-id {key.arn})")


def _fix(state: str, arn) -> str:
    if state in ("PendingDeletion", "PendingReplicaDeletion"):
        return f"aws kms cancel-key-deletion --key-id {arn}, then aws kms enable-key --key-id {arn}"
    if state == "Disabled":
        return f"aws kms enable-key --key-id {arn}"
    return f"Make key {arn} usable again, or point the artifact store at an enabled key."
