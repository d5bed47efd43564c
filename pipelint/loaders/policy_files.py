"""Policy documents given as files, raw or as the AWS CLI prints them.

Shapes and how each is bound to its resource:

- ``get-role`` output ``{"Role": {"Arn": ..., "AssumeRolePolicyDocument": ...}}``: the role named by
  ``Arn`` (its trust policy; its identity policies are not in this output).
- ``describe-key`` output ``{"KeyMetadata": {"Arn": ...}}``: the key, its account, region and manager.
- ``get-bucket-policy`` / ``get-key-policy`` ``{"Policy": "<JSON text>"}``, ``get-role-policy``
  ``{"RoleName", "PolicyName", "PolicyDocument"}``, a raw ``{"Statement": ...}`` and
  ``get-queue-attributes`` ``{"Attributes": {"Policy": ...}}``: bound by a ``[[tool.pipelint.policies]]``
  entry ``file = ..., resource = "<ARN>"``; a bucket policy whose statements all name one bucket is
  bound to that bucket without one. A file that cannot be bound is reported, not guessed.
- ``get-policy-version`` output ``{"PolicyVersion": {"Document": ..., "IsDefaultVersion": ...}}`` (or a
  raw document) bound to a managed policy ARN (``kind = "managed-policy"``): the document of that
  managed policy, customer or AWS-managed, taking precedence over pipelint's copy of the AWS-managed
  policies. Only a default version is in force: another version is reported and skipped.
"""

from __future__ import annotations

import json
from typing import Any

from pipelint import arns
from pipelint.errors import InputError
from pipelint.loaders.documents import Document
from pipelint.model import Bucket, Key, ManagedPolicy, Notice, PolicyDoc, Queue, Role, Source, World
from pipelint.values import Unknown


def is_policy_file(data: Any) -> bool:
    if not isinstance(data, dict):
        return False
    return (isinstance(data.get("Role"), dict) or isinstance(data.get("KeyMetadata"), dict)
            or isinstance(data.get("PolicyVersion"), dict)
            or "Policy" in data or "PolicyDocument" in data or "Statement" in data
            or (isinstance(data.get("Attributes"), dict) and "Policy" in data["Attributes"]))


def _parse(value: Any, document: Document, path: tuple) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError as exc:
            pos = document.locate(path) or (None, None)
            raise InputError(document.path, f"the policy text is not valid JSON ({exc.msg})", *pos) from None
    return value


def load(document: Document, world: World, bindings: list[dict]) -> None:
    data = document.data
    if bindings and bindings[0].get("kind") in ("service-control-policy", "resource-control-policy"):
        from pipelint.loaders import organizations  # an SCP or RCP: bound to organization targets

        path = ("PolicyDocument",) if "PolicyDocument" in data else ("Policy",) if "Policy" in data else ()
        organizations.load_document(document, world, bindings[0], path)
        return

    def src(*path: Any) -> Source:
        pos = document.locate(path)
        return Source(document.path, tuple(path), *(pos or (None, None)))

    if isinstance(data.get("Role"), dict):
        role = data["Role"]
        arn = role.get("Arn")
        if not arns.is_role_arn(arn):
            raise InputError(document.path, "get-role output without a role 'Arn'", *(document.locate(("Role",)) or (None, None)))
        boundary = role.get("PermissionsBoundary")
        world.add("roles", Role(key=arn, arn=arn, name=arns.role_name(arn), account=arns.account_of(arn),
                                source=src("Role"), policies_complete=False,
                                # get-role lists the boundary when there is one, and omits the key otherwise
                                permissions_boundary=boundary.get("PermissionsBoundaryArn")
                                if isinstance(boundary, dict) else None,
                                trust=PolicyDoc(_parse(role.get("AssumeRolePolicyDocument"), document,
                                                       ("Role", "AssumeRolePolicyDocument")),
                                                f"trust policy of {arn}", src("Role", "AssumeRolePolicyDocument"))))
        return
    if isinstance(data.get("KeyMetadata"), dict):
        meta = data["KeyMetadata"]
        arn = meta.get("Arn")
        if not arns.is_kms_key_arn(arn):
            raise InputError(document.path, "describe-key output without a key 'Arn'")
        world.add("keys", Key(key=arn, arn=arn, key_id=arns.key_id_of(arn), account=arns.account_of(arn),
                              region=arns.region_of(arn), source=src("KeyMetadata"),
                              aws_managed=meta.get("KeyManager") == "AWS"))
        return
    if isinstance(data.get("PolicyVersion"), dict):
        if data["PolicyVersion"].get("IsDefaultVersion") is False:
            world.notices.append(Notice(document.path, "get-policy-version output of a version that is not "
                                        "the default one (not in force); skipped"))
            return
        doc, path = data["PolicyVersion"].get("Document"), ("PolicyVersion", "Document")
    elif "PolicyDocument" in data:
        doc, path = data["PolicyDocument"], ("PolicyDocument",)
    elif "Policy" in data:
        doc, path = data["Policy"], ("Policy",)
    elif "Attributes" in data:
        doc, path = data["Attributes"]["Policy"], ("Attributes", "Policy")
    else:
        doc, path = data, ()
    doc = _parse(doc, document, path)
    if not isinstance(doc, dict):
        raise InputError(document.path, "the policy is not a JSON object", *(document.locate(path) or (None, None)))
    resource = bindings[0]["resource"] if bindings else None
    kind = bindings[0].get("kind") if bindings else None
    if resource is None:
        resource = _bucket_of(doc)
        kind = "bucket-policy"
    if resource is None:
        world.notices.append(Notice(document.path, "policy file not bound to a resource: add "
                                    "[[tool.pipelint.policies]] with file and resource (ARN); skipped"))
        return
    attach(world, resource, kind, PolicyDoc(doc, f"{document.path}", src(*path)), data, src())


def _bucket_of(doc: dict) -> str | None:
    names = set()
    statements = doc.get("Statement")
    for statement in statements if isinstance(statements, list) else [statements]:
        resources = statement.get("Resource") if isinstance(statement, dict) else None
        for resource in resources if isinstance(resources, list) else [resources]:
            if not isinstance(resource, str) or not resource.startswith("arn:aws:s3:::"):
                return None
            names.add(resource[len("arn:aws:s3:::"):].split("/", 1)[0])
    if len(names) != 1 or "*" in next(iter(names)):
        return None
    return f"arn:aws:s3:::{names.pop()}"


def attach(world: World, resource: str, kind: str | None, policy: PolicyDoc, data: dict, source: Source) -> None:
    service = arns.service_of(resource)
    if service == "s3":
        name = arns.resource_of(resource).split("/", 1)[0]
        bucket = world.buckets.get(name) or world.add("buckets", Bucket(
            key=name, name=name, account=Unknown(f"account of bucket {name} is not among the inputs"),
            region=Unknown(f"region of bucket {name} is not among the inputs"), source=source))
        bucket.policy = policy
    elif service == "kms":
        key = world.keys.get(resource) or world.add("keys", Key(
            key=resource, arn=resource, key_id=arns.key_id_of(resource), account=arns.account_of(resource),
            region=arns.region_of(resource), source=source))
        key.policy = policy
    elif service == "iam" and (kind == "managed-policy" or (arns.resource_of(resource) or "").startswith("policy/")):
        if not (arns.resource_of(resource) or "").startswith("policy/"):
            world.notices.append(Notice(source.file, f"a managed-policy entry names {resource}, which is not a "
                                        "policy ARN; skipped"))
            return
        world.add("managed_policies", ManagedPolicy(key=resource, arn=resource, document=PolicyDoc(
            policy.document, f"managed policy {resource} ({policy.name})", policy.source)))
    elif service == "iam" and arns.is_role_arn(resource):
        role = world.roles.get(resource) or world.add("roles", Role(
            key=resource, arn=resource, name=arns.role_name(resource), account=arns.account_of(resource),
            source=source, policies_complete=False))
        if kind == "trust-policy":
            role.trust = policy
        else:
            role.inline_policies.append(policy)
    elif service == "sqs":
        queue = world.queues.get(resource) or world.add("queues", Queue(
            key=resource, arn=resource, url=None, account=arns.account_of(resource),
            region=arns.region_of(resource), source=source))
        queue.policy = policy
    else:
        world.notices.append(Notice(source.file, f"cannot attach a policy to {resource}; skipped"))
