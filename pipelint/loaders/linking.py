"""Attaches what one resource declares about another: policies to buckets, roles and queues; aliases
to keys. Runs after every input is loaded, so the order of inputs does not matter."""

from __future__ import annotations

from typing import Any

from pipelint import arns
from pipelint.model import Bucket, Notice, Role, Source, World
from pipelint.values import Unknown


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
        elif kind == "queue-policy":
            for url in target if isinstance(target, list) else [target]:
                queue = next((q for q in world.queues.values() if q.url == url or q.arn == url), None)
                if queue is not None:
                    queue.policy = payload


def _bucket_policy(world: World, name: Any, account: Any, policy: Any, source: Source) -> None:
    if isinstance(name, str) and name.startswith("arn:"):
        name = arns.resource_of(name)
    if not isinstance(name, str):
        world.notices.append(Notice(source.file, f"the bucket of {policy.name} is not known ({name})"))
        return
    bucket = world.buckets.get(name)
    if bucket is None:
        bucket = world.add("buckets", Bucket(
            key=name, name=name, account=account, source=source,
            region=Unknown(f"bucket {name} itself is not among the inputs")))
    bucket.policy = policy


def _alias(world: World, target: Any, account: Any, region: Any, alias: Any, source: Source) -> None:
    key = world.key(target, account, region)
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
