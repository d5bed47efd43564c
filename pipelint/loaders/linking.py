"""Attaches what one resource declares about another: policies to buckets, roles, keys and queues;
aliases to keys; versioning and default encryption to buckets (Terraform's split S3 resources);
targets to EventBridge rules (Terraform's aws_cloudwatch_event_target). Runs after every input is
loaded, so the order of inputs does not matter."""

from __future__ import annotations


from pipelint import arns
from pipelint.model import Bucket, EventRule, Notice, Role, Source, World
from pipelint.values import Unknown

TYPE_CHECKING = False  # for annotations only: typing costs 3 ms to import
if TYPE_CHECKING:
    from typing import Any


def link(world: World, pending: list) -> None:
    for kind, target, account, region, payload, source in pending:
        if kind == "bucket-policy":
            _bucket_policy(world, target, account, payload, source)
        elif kind == "alias":
            _alias(world, target, account, region, payload, source)
        elif kind == "role-policy":
            for role in _roles(world, target, account, source):
                role.inline_policies.append(payload)
        elif kind == "managed-policy":
            for role in _roles(world, target, account, source):
                if payload not in role.managed_policy_arns:
                    role.managed_policy_arns.append(payload)
        elif kind in ("bucket-versioning", "bucket-encryption"):
            _bucket_setting(world, kind, target, account, payload, source)
        elif kind == "key-policy":
            key = world.key(target, account, region) or _known_by(world, "keys", target)
            if key is None and isinstance(target, str):
                key = next((k for k in world.keys.values() if k.key_id == target), None)
            if key is not None:
                key.policy = payload
            else:
                world.notices.append(Notice(source.file, f"the key of {payload.name} is not among the inputs "
                                            f"({target}); the policy is not attached"))
        elif kind == "event-target":
            _event_target(world, target, account, region, payload, source)
        elif kind == "queue-policy":
            for url in target if isinstance(target, list) else [target]:
                queue = _known_by(world, "queues", url) or next(
                    (q for q in world.queues.values() if isinstance(url, str) and (q.url == url or q.arn == url)), None)
                if queue is not None:
                    queue.policy = payload


def _known_by(world: World, table: str, target: Any) -> Any:
    """The resource an unknown reference still names by its model key (a Terraform resource whose name
    is not known: its policy attachments must find it all the same)."""
    key = getattr(target, "of", None)
    return getattr(world, table).get(key) if isinstance(key, str) else None


def _bucket_policy(world: World, name: Any, account: Any, policy: Any, source: Source) -> None:
    if isinstance(name, str) and name.startswith("arn:"):
        name = arns.resource_of(name)
    known = _known_by(world, "buckets", name)
    if known is not None:
        known.policy = policy
        return
    if not isinstance(name, str):
        why = name.reason if isinstance(name, Unknown) else f"{name!r} is not a bucket name"
        world.notices.append(Notice(source.file, f"the bucket of {policy.name} is not known: {why}"))
        return
    bucket = world.buckets.get(name)
    if bucket is None:
        bucket = world.add("buckets", Bucket(
            key=name, name=name, account=account, source=source,
            region=Unknown(f"bucket {name} itself is not among the inputs")))
    bucket.policy = policy


def _bucket_setting(world: World, kind: str, name: Any, account: Any, value: Any, source: Source) -> None:
    if isinstance(name, str) and name.startswith("arn:"):
        name = arns.resource_of(name)
    bucket = world.bucket(name) or _known_by(world, "buckets", name)
    if bucket is None:
        what = "versioning" if kind == "bucket-versioning" else "default encryption"
        why = f"is not known ({name.reason})" if isinstance(name, Unknown) else f"({name}) is not among the inputs"
        world.notices.append(Notice(source.file, f"the bucket of a {what} setting {why}; the setting is not attached"))
        return
    if kind == "bucket-versioning":
        bucket.versioning = value
    else:
        bucket.encryption_key = value


def _event_target(world: World, rule: Any, account: Any, region: Any, target: Any, source: Source) -> None:
    """A target joins the rule it names (name, or name and bus), in its own account and region."""
    name, bus = rule if isinstance(rule, tuple) else (rule, None)
    if isinstance(name, str) and name.startswith("arn:"):
        found = next((r for r in world.event_rules if r.arn == name), None)
    elif not isinstance(name, str):
        found = next((r for r in world.event_rules if r.key == getattr(name, "of", None)), None)
    else:
        found = next((r for r in world.event_rules if r.name == name and r.account == account and r.region == region
                      and (bus is None or f":rule/{bus}/" in str(r.arn))), None)
    if found is None:
        partition = arns.partition_for_region(region)
        if all(isinstance(v, str) for v in (name, account, region, partition)):
            arn: Any = f"arn:{partition}:events:{region}:{account}:rule/{bus + '/' if bus else ''}{name}"
        else:
            unknown = next((v for v in (name, account, region, partition) if isinstance(v, Unknown)), None)
            arn = unknown if unknown is not None else Unknown(f"the rule of {source.path[0] if source.path else source.file}")
        found = EventRule(key=arn if isinstance(arn, str) else f"{source.file}#{name}", arn=arn, name=name,
                          account=account, region=region, targets=[], source=source)
        world.event_rules.append(found)
    found.targets.append(target)


def _alias(world: World, target: Any, account: Any, region: Any, alias: Any, source: Source) -> None:
    key = world.key(target, account, region) or _known_by(world, "keys", target)
    if key is None and isinstance(target, str):
        key = next((k for k in world.keys.values() if k.key_id == target), None)
    if key is None or not isinstance(alias, str):
        return
    key.aliases.append(alias)
    if isinstance(key.arn, str):
        parts = arns.split(key.arn)
        world.aliases[f"arn:{parts[1]}:kms:{parts[3]}:{parts[4]}:{alias}"] = key.key


def _roles(world: World, names: Any, account: Any, source: Source) -> list[Role]:
    found = []
    for name in names if isinstance(names, list) else [names]:
        if isinstance(name, str) and name.startswith("arn:"):
            role = world.roles.get(name)
        elif not isinstance(name, str):
            role = _known_by(world, "roles", name)  # two unknown names are not the same name
        else:
            role = next((r for r in world.roles.values() if r.name == name and r.account == account), None)
        if role is None and isinstance(name, str):
            arn = name if name.startswith("arn:") else (
                f"arn:aws:iam::{account}:role/{name}" if isinstance(account, str) else None)
            role = world.add("roles", Role(key=arn or f"{source.file}#{name}", arn=arn or Unknown(
                f"account of role {name} is not known"), name=name, account=account, source=source,
                policies_complete=False))
        if role is not None:
            found.append(role)
    return found
