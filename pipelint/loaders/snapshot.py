"""pipelint's own snapshot format: what ``pipelint audit --save`` writes and ``pipelint check`` reads.

One JSON file per account and region (any name, ``*.json``) of the shape::

    {"pipelint-snapshot": 1, "account": "111111111111", "region": "us-east-1",
     "pipelines": [{"arn": ..., "pipeline": {<get-pipeline "pipeline" object>}}],
     "buckets":   [{"name", "region", "versioning", "encryption_key", "policy"}],
     "keys":      [{"arn", "region", "aliases", "aws_managed", "policy"}],
     "roles":     [{"arn", "trust", "inline_policies": {name: document}, "managed_policy_arns"}],
     "managed_policies": [{"arn", "document"}],
     "queues":    [{"arn", "url", "policy"}],
     "functions": [{"arn", "role_arn"}],
     "projects":  [{"arn", "name", "service_role", "encryption_key"}],
     "event_rules": [{"arn", "targets": [{"id", "arn", "role_arn", "dlq_arn"}]}]}

A value that could not be read is ``{"unreadable": "what failed and the permission that would allow it"}``;
a policy that does not exist is ``null``. Every field other than the identifiers is optional. A top-level
``"unreadable": ["..."]`` lists what could not be read with no resource to hang it on (a pipeline
listing, the EventBridge rules of a pipeline); each line becomes a notice.
"""

from __future__ import annotations

from typing import Any

from pipelint import arns
from pipelint.loaders.documents import Document
from pipelint.loaders.pipeline_shape import build_pipeline
from pipelint.model import (Bucket, EventRule, Function, Key, ManagedPolicy, Notice, PolicyDoc, Project, Queue,
                            Role, Source, Target, World)
from pipelint.values import Unknown

MARKER = "pipelint-snapshot"


def is_snapshot(data: Any) -> bool:
    return isinstance(data, dict) and MARKER in data


def _value(value: Any) -> Any:
    if isinstance(value, dict) and set(value) == {"unreadable"}:
        return Unknown(str(value["unreadable"]))
    return value


def load(document: Document, world: World) -> None:
    data = document.data

    def src(*path: Any) -> Source:
        pos = document.locate(path)
        return Source(document.path, tuple(path), *(pos or (None, None)))

    def policy(value: Any, name: str, *path: Any) -> PolicyDoc | None:
        value = _value(value)
        if value is None:
            return None
        return PolicyDoc(value if isinstance(value, (dict, Unknown)) else Unknown(f"{name} is not a document"),
                         name, src(*path))

    account = data.get("account") or Unknown(f"{document.path} does not name its account")
    region = data.get("region") or Unknown(f"{document.path} does not name its region")
    for i, item in enumerate(data.get("pipelines") or []):
        body = item.get("pipeline") or {}
        arn = item.get("arn")
        world.pipelines.append(build_pipeline(
            body, key=arn or f"{document.path}#{body.get('name')}", name=body.get("name"),
            account=arns.account_of(arn) or account, region=arns.region_of(arn) or region,
            base=("pipelines", i, "pipeline"), locate=lambda p: src(*p)))
    for i, item in enumerate(data.get("buckets") or []):
        name = item["name"]
        world.add("buckets", Bucket(
            key=name, name=name, account=item.get("account", account),
            region=_value(item.get("region", region)), source=src("buckets", i),
            versioning=_value(item.get("versioning")), encryption_key=_value(item.get("encryption_key")),
            policy=policy(item.get("policy"), f"bucket policy of {name}", "buckets", i, "policy")))
    for i, item in enumerate(data.get("keys") or []):
        arn = item["arn"]
        key = world.add("keys", Key(
            key=arn, arn=arn, key_id=arns.key_id_of(arn), account=arns.account_of(arn) or account,
            region=arns.region_of(arn) or region, source=src("keys", i),
            policy=policy(item.get("policy", {"unreadable": "key policy not in snapshot"}),
                          f"key policy of {arn}", "keys", i, "policy"),
            aliases=list(item.get("aliases") or []), aws_managed=bool(item.get("aws_managed"))))
        parts = arns.split(arn)
        for alias in key.aliases:
            world.aliases[f"arn:{parts[1]}:kms:{parts[3]}:{parts[4]}:{alias}"] = key.key
    for i, item in enumerate(data.get("roles") or []):
        arn = item["arn"]
        inline = _value(item.get("inline_policies", {}))
        managed = _value(item.get("managed_policy_arns", []))
        complete = not isinstance(inline, Unknown) and not isinstance(managed, Unknown)
        role = Role(
            key=arn, arn=arn, name=arns.role_name(arn), account=arns.account_of(arn) or account,
            source=src("roles", i),
            trust=policy(item.get("trust"), f"trust policy of {arn}", "roles", i, "trust"),
            inline_policies=[] if isinstance(inline, Unknown) else [
                PolicyDoc(_value(doc), f"inline policy {name} of {arn}", src("roles", i, "inline_policies", name))
                for name, doc in inline.items()],
            managed_policy_arns=[] if isinstance(managed, Unknown) else list(managed),
            policies_complete=complete)
        if not complete:
            role.inline_policies.append(PolicyDoc(inline if isinstance(inline, Unknown) else managed,
                                                  f"policies of {arn}", src("roles", i)))
        world.add("roles", role)
    for i, item in enumerate(data.get("managed_policies") or []):
        arn = item["arn"]
        world.add("managed_policies", ManagedPolicy(
            key=arn, arn=arn, document=policy(item.get("document"), f"managed policy {arn}",
                                              "managed_policies", i, "document")
            or PolicyDoc(Unknown(f"document of {arn} not in snapshot"), arn)))
    for i, item in enumerate(data.get("queues") or []):
        arn = item["arn"]
        world.add("queues", Queue(key=arn, arn=arn, url=item.get("url"), account=arns.account_of(arn) or account,
                                  region=arns.region_of(arn) or region, source=src("queues", i),
                                  policy=policy(item.get("policy"), f"queue policy of {arn}", "queues", i, "policy")))
    for i, item in enumerate(data.get("functions") or []):
        arn = item["arn"]
        world.add("functions", Function(key=arn, arn=arn, name=arns.resource_of(arn).split(":", 1)[-1],
                                        account=arns.account_of(arn) or account,
                                        region=arns.region_of(arn) or region,
                                        role_arn=_value(item.get("role_arn")), source=src("functions", i)))
    for i, item in enumerate(data.get("projects") or []):
        arn = item["arn"]
        world.add("projects", Project(key=arn, arn=arn, name=item.get("name"),
                                      account=arns.account_of(arn) or account, region=arns.region_of(arn) or region,
                                      service_role=_value(item.get("service_role")),
                                      encryption_key=_value(item.get("encryption_key")), source=src("projects", i)))
    for i, item in enumerate(data.get("event_rules") or []):
        arn = item["arn"]
        targets = [Target(id=t.get("id"), arn=t.get("arn"), role_arn=_value(t.get("role_arn")),
                          dlq_arn=_value(t.get("dlq_arn")), source=src("event_rules", i, "targets", j))
                   for j, t in enumerate(_value(item.get("targets")) or [])] if not isinstance(
            _value(item.get("targets")), Unknown) else []
        world.event_rules.append(EventRule(key=arn, arn=arn, name=arns.resource_of(arn).split("/")[-1],
                                           account=arns.account_of(arn) or account,
                                           region=arns.region_of(arn) or region, targets=targets,
                                           source=src("event_rules", i)))
    for text in data.get("unreadable") or []:
        world.notices.append(Notice(document.path, f"not read: {text}"))
