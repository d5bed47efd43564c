"""Terraform resources into the model: the same objects the CloudFormation loader builds, so every rule
applies unchanged.

Works on a :class:`Record` — one resource instance with its evaluated arguments (nested blocks as lists
of objects), its computed attributes, account, region and a way to place things in the input — which
both the ``.tf`` loader and the plan loader provide. What one resource says about another (a bucket
policy, a role policy attachment, an EventBridge target) goes to ``pending`` and is linked once every
input is loaded (:mod:`pipelint.loaders.linking`).
"""

from __future__ import annotations

from typing import Any, Protocol

from pipelint import arns
from pipelint.loaders.pipeline_shape import build_pipeline, text
from pipelint.loaders.terraform.policies import policy_doc
from pipelint.model import (Bucket, Connection, EventRule, Function, Key, ManagedPolicy, Notice, PolicyDoc, Project,
                            Queue, Role, Source, Target, World)
from pipelint.values import Unknown


class Record(Protocol):
    type: str
    address: str  # the resource address (module.x.aws_iam_role.deploy)
    key: str  # the model key when no ARN is known (the address, qualified when two roots share it)
    values: dict
    account: Any
    region: Any

    def attr(self, name: str) -> Any: ...

    def source(self, sub: tuple = (), value: Any = None) -> Source: ...

    def origin(self, name: str) -> tuple | None: ...  # (file, line offset) of JSON text written in the input


HANDLED = {
    "aws_codepipeline", "aws_s3_bucket", "aws_s3_bucket_policy", "aws_s3_bucket_versioning",
    "aws_s3_bucket_server_side_encryption_configuration", "aws_kms_key", "aws_kms_alias", "aws_kms_key_policy",
    "aws_iam_role", "aws_iam_role_policy", "aws_iam_policy", "aws_iam_role_policy_attachment",
    "aws_iam_policy_attachment", "aws_codebuild_project", "aws_lambda_function", "aws_cloudwatch_event_rule",
    "aws_cloudwatch_event_target", "aws_sqs_queue", "aws_sqs_queue_policy", "aws_codestarconnections_connection",
    "aws_codeconnections_connection",
}


def _items(value: Any) -> list:
    """A nested block list (or a list argument) as a list; an unknown one as one unknown entry."""
    if isinstance(value, list):
        return value
    return [value] if isinstance(value, Unknown) else []


def _unknown_in(items: list) -> Unknown | None:
    return next((i for i in items if isinstance(i, Unknown)), None)


def _first(value: Any) -> Any:
    """The first of a nested block list (``versioning { ... }``), None when there is none."""
    if isinstance(value, list):
        return value[0] if value else None
    return value if isinstance(value, (dict, Unknown)) else None


def _get(value: Any, name: str) -> Any:
    if isinstance(value, Unknown):
        return value
    return value.get(name) if isinstance(value, dict) else None


def _key_of(rec: Record, arn: Any) -> str:
    return arn if isinstance(arn, str) else rec.key


def _policy(rec: Record, name: str, what: str, value: Any = None, sub: tuple | None = None,
            required: bool = True) -> PolicyDoc | None:
    """The policy argument ``name`` as a PolicyDoc; a required one that is not set is unknown (Terraform
    refuses the configuration), an optional one is None (the resource has no policy)."""
    value = rec.values.get(name) if value is None and sub is None else value
    sub = (name,) if sub is None else sub
    found = policy_doc(value, f"{what} of {rec.address}", rec.source(sub), rec.origin(name) if len(sub) == 1 else None)
    if found is None and required:
        return PolicyDoc(Unknown(f"{rec.address} sets no {name}"), f"{what} of {rec.address}", rec.source(sub))
    return found


def load(rec: Record, world: World, pending: list) -> None:
    loader = LOADERS.get(rec.type)
    if loader is not None:
        loader(rec, world, pending)


# -- CodePipeline ----------------------------------------------------------------------------------

def _pipeline(rec: Record, world: World, pending: list) -> None:
    v = rec.values
    places: dict = {}  # API path -> (TF sub path, value with a position)
    declaration: dict = {"roleArn": v.get("role_arn"), "pipelineType": v.get("pipeline_type")}
    stores = _items(v.get("artifact_store"))
    unknown = _unknown_in(stores)
    if unknown is not None:
        # the stores decide every regional check: rather no verdict on this pipeline than wrong ones
        world.notices.append(Notice(rec.source().file, f"the artifact stores of pipeline {rec.address} are not "
                                    f"known ({unknown.reason}); the pipeline is not checked"))
        return
    stores = [s for s in stores if isinstance(s, dict)]

    def api_store(store: dict) -> dict:
        key = _first(store.get("encryption_key"))
        encryption = {"id": _get(key, "id"), "type": _get(key, "type")} if key is not None else None
        return {"location": store.get("location"), "type": store.get("type"), "encryptionKey": encryption}

    if len(stores) == 1 and stores[0].get("region") is None:
        declaration["artifactStore"] = api_store(stores[0])
        places[("artifactStore",)] = (("artifact_store", 0), stores[0])
    elif stores:
        declaration["artifactStores"] = [{"region": s.get("region"), "artifactStore": api_store(s)} for s in stores]
        places[("artifactStores",)] = (("artifact_store", 0), stores[0])
        for i, store in enumerate(stores):
            places[("artifactStores", i, "artifactStore")] = (("artifact_store", i), store)
    stages = []
    for si, stage in enumerate(_items(v.get("stage"))):
        if not isinstance(stage, dict):
            _hidden(world, rec, stage, "stages")
            continue
        actions = []
        for ai, action in enumerate(_items(stage.get("action"))):
            if not isinstance(action, dict):
                _hidden(world, rec, action, f"actions of stage {stage.get('name')}")
                continue
            places[("stages", len(stages), "actions", len(actions))] = (("stage", si, "action", ai), action)
            actions.append({
                "name": action.get("name"),
                "actionTypeId": {k: action.get(k) for k in ("category", "owner", "provider", "version")},
                "region": action.get("region"), "roleArn": action.get("role_arn"),
                "configuration": action.get("configuration") or {},
                "inputArtifacts": [{"name": n} for n in _names(action.get("input_artifacts"))],
                "outputArtifacts": [{"name": n} for n in _names(action.get("output_artifacts"))],
            })
        stages.append({"name": stage.get("name"), "actions": actions})
    declaration["stages"] = stages

    def locate(path: tuple) -> Source:
        found = places.get(tuple(path))
        if found is None:
            return rec.source()
        sub, value = found
        return rec.source(sub, value)

    arn = rec.attr("arn")
    world.pipelines.append(build_pipeline(declaration, key=_key_of(rec, arn), name=v.get("name"),
                                          account=rec.account, region=rec.region, base=(), locate=locate))


def _hidden(world: World, rec: Record, value: Any, what: str) -> None:
    if isinstance(value, Unknown):
        notice = Notice(rec.source().file, f"the {what} of pipeline {rec.address} are not known ({value.reason}); "
                        "pipelint checks the others")
        if all(n.message != notice.message for n in world.notices):
            world.notices.append(notice)


def _names(value: Any) -> list:
    if isinstance(value, Unknown):
        return [value]
    return list(value) if isinstance(value, list) else []


# -- S3 --------------------------------------------------------------------------------------------

def _versioning_status(block: Any, status_field: str) -> Any:
    if block is None:
        return None
    status = _get(block, status_field)
    if status_field == "enabled":  # the deprecated inline block: a bool
        if isinstance(status, Unknown):
            return status
        return "Enabled" if status is True or status == "true" else None
    if isinstance(status, str) and status.lower() == "disabled":
        return None  # "Disabled" is only for buckets that never had versioning
    return status


def _sse_key(configuration: Any) -> Any:
    """The default SSE-KMS key of an encryption configuration block; None when it is not SSE-KMS."""
    rules = _get(_first(configuration), "rule") if configuration is not None else None
    if isinstance(rules, Unknown):
        return rules
    for rule in _items(rules):
        if isinstance(rule, Unknown):
            return rule
        default = _first(_get(rule, "apply_server_side_encryption_by_default"))
        algorithm = _get(default, "sse_algorithm")
        if isinstance(algorithm, Unknown):
            return algorithm
        if algorithm in ("aws:kms", "aws:kms:dsse"):
            return _get(default, "kms_master_key_id") or "alias/aws/s3"
    return None


def _bucket(rec: Record, world: World, pending: list) -> None:
    v = rec.values
    name = rec.attr("bucket")
    world.add("buckets", Bucket(
        key=name if isinstance(name, str) else rec.key, name=text(name, f"the name of {rec.address}"),
        account=rec.account, region=rec.region, source=rec.source(),
        versioning=text(_versioning_status(_first(v.get("versioning")), "enabled"),
                        f"the versioning of {rec.address}"),
        encryption_key=text(_sse_key(v.get("server_side_encryption_configuration")),
                            f"the default encryption key of {rec.address}")))
    if v.get("policy") is not None:
        pending.append(("bucket-policy", name, rec.account, rec.region,
                        _policy(rec, "policy", "bucket policy"), rec.source(("policy",))))


def _bucket_policy(rec: Record, world: World, pending: list) -> None:
    pending.append(("bucket-policy", rec.values.get("bucket"), rec.account, rec.region,
                    _policy(rec, "policy", "bucket policy"), rec.source()))


def _bucket_versioning(rec: Record, world: World, pending: list) -> None:
    block = _first(rec.values.get("versioning_configuration"))
    pending.append(("bucket-versioning", rec.values.get("bucket"), rec.account, rec.region,
                    text(_versioning_status(block, "status"), f"the versioning status of {rec.address}"),
                    rec.source()))


def _bucket_encryption(rec: Record, world: World, pending: list) -> None:
    pending.append(("bucket-encryption", rec.values.get("bucket"), rec.account, rec.region,
                    text(_sse_key([rec.values]), f"the default encryption key of {rec.address}"), rec.source()))


# -- KMS -------------------------------------------------------------------------------------------

def default_key_policy(account: Any, region: Any, label: str, source: Source) -> PolicyDoc:
    """KMS's default key policy: the owning account's IAM decides (KMS Developer Guide, "Default key
    policy"; the aws_kms_key resource documents the same when ``policy`` is not set)."""
    partition = arns.partition_for_region(region)
    if not isinstance(account, str) or not isinstance(partition, str):
        unknown = account if isinstance(account, Unknown) else partition
        reason = unknown.reason if isinstance(unknown, Unknown) else f"the account of key {label}"
        return PolicyDoc(Unknown(reason), f"default key policy of {label}", source)
    return PolicyDoc({"Version": "2012-10-17", "Statement": [{
        "Sid": "Enable IAM User Permissions", "Effect": "Allow",
        "Principal": {"AWS": f"arn:{partition}:iam::{account}:root"}, "Action": "kms:*", "Resource": "*"}]},
        f"default key policy of {label} (no policy in the configuration)", source)


def _key(rec: Record, world: World, pending: list) -> None:
    arn = rec.attr("arn")
    policy = _policy(rec, "policy", "key policy") if rec.values.get("policy") is not None else \
        default_key_policy(rec.account, rec.region, rec.address, rec.source())
    world.add("keys", Key(key=_key_of(rec, arn), arn=text(arn, f"the ARN of {rec.address}"),
                          key_id=text(rec.attr("key_id"), f"the key id of {rec.address}"), account=rec.account,
                          region=rec.region, source=rec.source(), policy=policy))


def _key_policy(rec: Record, world: World, pending: list) -> None:
    pending.append(("key-policy", rec.values.get("key_id"), rec.account, rec.region,
                    _policy(rec, "policy", "key policy"), rec.source()))


def _alias(rec: Record, world: World, pending: list) -> None:
    pending.append(("alias", rec.values.get("target_key_id"), rec.account, rec.region, rec.attr("name"),
                    rec.source()))


# -- IAM -------------------------------------------------------------------------------------------

def _role(rec: Record, world: World, pending: list) -> None:
    v = rec.values
    arn = rec.attr("arn")
    inline = []
    for i, block in enumerate(_items(v.get("inline_policy"))):
        if isinstance(block, Unknown):
            inline.append(PolicyDoc(block, f"inline policies of {rec.address}", rec.source(("inline_policy",))))
        elif isinstance(block, dict) and block.get("policy") is not None:
            inline.append(_policy(rec, "policy", f"inline policy {block.get('name')} of role", block["policy"],
                                  ("inline_policy", i, "policy")))
    managed = v.get("managed_policy_arns")
    managed_list = managed if isinstance(managed, list) else [managed] if isinstance(managed, Unknown) else []
    world.add("roles", Role(
        key=_key_of(rec, arn), arn=text(arn, f"the ARN of {rec.address}"),
        name=text(rec.attr("name"), f"the name of {rec.address}"), account=rec.account, source=rec.source(),
        trust=_policy(rec, "assume_role_policy", "trust policy"), inline_policies=inline,
        managed_policy_arns=[text(a, f"a managed_policy_arns entry of {rec.address}") for a in managed_list],
        permissions_boundary=text(v.get("permissions_boundary"), f"the permissions boundary of {rec.address}")))


def _role_policy(rec: Record, world: World, pending: list) -> None:
    pending.append(("role-policy", rec.values.get("role"), rec.account, rec.region,
                    _policy(rec, "policy", "role policy"), rec.source()))


def _managed_policy(rec: Record, world: World, pending: list) -> None:
    arn = rec.attr("arn")
    world.add("managed_policies", ManagedPolicy(key=_key_of(rec, arn), arn=text(arn, f"the ARN of {rec.address}"),
                                                document=_policy(rec, "policy", "managed policy")))


def _attachment(rec: Record, world: World, pending: list) -> None:
    roles = rec.values.get("roles") if rec.type == "aws_iam_policy_attachment" else rec.values.get("role")
    if roles is None:
        return
    pending.append(("managed-policy", roles, rec.account, rec.region,
                    text(rec.values.get("policy_arn"), f"the policy_arn of {rec.address}"), rec.source()))


# -- compute, events, queues, connections -------------------------------------------------------------

def _project(rec: Record, world: World, pending: list) -> None:
    arn = rec.attr("arn")
    v = rec.values
    world.add("projects", Project(key=_key_of(rec, arn), arn=text(arn, f"the ARN of {rec.address}"),
                                  name=text(v.get("name"), f"the name of {rec.address}"), account=rec.account,
                                  region=rec.region, service_role=text(v.get("service_role"),
                                                                       f"the service_role of {rec.address}"),
                                  encryption_key=text(v.get("encryption_key"), f"the encryption_key of {rec.address}"),
                                  source=rec.source()))


def _function(rec: Record, world: World, pending: list) -> None:
    arn = rec.attr("arn")
    v = rec.values
    world.add("functions", Function(key=_key_of(rec, arn), arn=text(arn, f"the ARN of {rec.address}"),
                                    name=text(v.get("function_name"), f"the function_name of {rec.address}"),
                                    account=rec.account, region=rec.region,
                                    role_arn=text(v.get("role"), f"the role of {rec.address}"), source=rec.source()))


def _event_rule(rec: Record, world: World, pending: list) -> None:
    arn = rec.attr("arn")
    world.event_rules.append(EventRule(key=_key_of(rec, arn), arn=text(arn, f"the ARN of {rec.address}"),
                                       name=text(rec.attr("name"), f"the name of {rec.address}"),
                                       account=rec.account, region=rec.region, targets=[], source=rec.source()))


def _event_target(rec: Record, world: World, pending: list) -> None:
    v = rec.values
    dlq = _first(v.get("dead_letter_config"))
    target = Target(id=text(v.get("target_id") if v.get("target_id") is not None else rec.attr("target_id"),
                            f"the target_id of {rec.address}"),
                    arn=text(v.get("arn"), f"the arn of {rec.address}"),
                    role_arn=text(v.get("role_arn"), f"the role_arn of {rec.address}"),
                    dlq_arn=text(_get(dlq, "arn"), f"the dead_letter_config arn of {rec.address}")
                    if dlq is not None else None,
                    source=rec.source())
    bus = v.get("event_bus_name")
    pending.append(("event-target", (v.get("rule"), None if bus in (None, "default") else bus), rec.account,
                    rec.region, target, rec.source()))


def _queue(rec: Record, world: World, pending: list) -> None:
    arn = rec.attr("arn")
    world.add("queues", Queue(key=_key_of(rec, arn), arn=text(arn, f"the ARN of {rec.address}"),
                              url=text(rec.attr("url"), f"the URL of {rec.address}"), account=rec.account,
                              region=rec.region, source=rec.source(),
                              policy=_policy(rec, "policy", "queue policy", required=False)))


def _queue_policy(rec: Record, world: World, pending: list) -> None:
    pending.append(("queue-policy", rec.values.get("queue_url"), rec.account, rec.region,
                    _policy(rec, "policy", "queue policy"), rec.source()))


def _connection(rec: Record, world: World, pending: list) -> None:
    arn = rec.attr("arn")
    v = rec.values
    world.add("connections", Connection(key=_key_of(rec, arn), arn=text(arn, f"the ARN of {rec.address}"),
                                        name=text(v.get("name"), f"the name of {rec.address}"), account=rec.account,
                                        region=rec.region, source=rec.source(),
                                        provider_type=text(v.get("provider_type"),
                                                           f"the provider_type of {rec.address}")))


LOADERS = {
    "aws_codepipeline": _pipeline, "aws_s3_bucket": _bucket, "aws_s3_bucket_policy": _bucket_policy,
    "aws_s3_bucket_versioning": _bucket_versioning,
    "aws_s3_bucket_server_side_encryption_configuration": _bucket_encryption,
    "aws_kms_key": _key, "aws_kms_alias": _alias, "aws_kms_key_policy": _key_policy,
    "aws_iam_role": _role, "aws_iam_role_policy": _role_policy, "aws_iam_policy": _managed_policy,
    "aws_iam_role_policy_attachment": _attachment, "aws_iam_policy_attachment": _attachment,
    "aws_codebuild_project": _project, "aws_lambda_function": _function,
    "aws_cloudwatch_event_rule": _event_rule, "aws_cloudwatch_event_target": _event_target,
    "aws_sqs_queue": _queue, "aws_sqs_queue_policy": _queue_policy,
    "aws_codestarconnections_connection": _connection, "aws_codeconnections_connection": _connection,
}
assert set(LOADERS) == HANDLED
