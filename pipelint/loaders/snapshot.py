"""pipelint's own snapshot format: what ``pipelint audit --save`` writes and ``pipelint check`` reads.

One JSON file per account and region (any name, ``*.json``) of the shape::

    {"pipelint-snapshot": 1, "account": "111111111111", "region": "us-east-1",
     "pipelines": [{"arn": ..., "pipeline": {<get-pipeline "pipeline" object>}}],
     "buckets":   [{"name", "region", "versioning", "encryption_key", "policy", "exists"}],
     "keys":      [{"arn", "region", "aliases", "aws_managed", "policy", "state", "exists"}],
     "roles":     [{"arn", "trust", "inline_policies": {name: document}, "managed_policy_arns",
                    "permissions_boundary", "tags", "exists"}],
     "managed_policies": [{"arn", "document"}],
     "queues":    [{"arn", "url", "policy", "exists"}],
     "functions": [{"arn", "role_arn"}],
     "projects":  [{"arn", "name", "service_role", "encryption_key"}],
     "connections": [{"arn", "name", "provider_type", "status", "exists"}],
     "event_rules": [{"arn", "targets": [{"id", "arn", "role_arn", "dlq_arn"}]}],
     "organization": {<see below>}}

A value that could not be read is ``{"unreadable": "what failed and the permission that would allow it"}``;
a policy that does not exist is ``null``. Every field other than the identifiers may be left out; a
left-out policy, trust, versioning or encryption reads as not known (never as "none"). A top-level
``"unreadable": ["..."]`` lists what could not be read with no resource to hang it on (a pipeline
listing, the EventBridge rules of a pipeline); each line becomes a notice.

What the account holds now: ``"exists": false`` says the audit found no such bucket, key, role, queue or
connection (left out: it exists, or it was not asked); a key's ``state`` is its KMS ``KeyState``
(``Enabled``, ``Disabled``, ``PendingDeletion``, ...); a connection's ``status`` is ``AVAILABLE``,
``PENDING`` or ``ERROR``; a role's ``tags`` are every tag it has (``{}``: none).

``organization`` (written once, in the auditing account's ``global`` file, when ``audit --org`` could
read AWS Organizations) describes the organization the audited accounts belong to::

    {"id": "o-...", "root": "r-...", "management_account": "...",
     "policy_types": {"SERVICE_CONTROL_POLICY": true, "RESOURCE_CONTROL_POLICY": false},
     "accounts": ["...every member account..."],
     "parents": {"<account or OU id>": "<parent OU or root id>"},
     "targets": {"<root, OU or account id>": {"SERVICE_CONTROL_POLICY": ["p-..."], "RESOURCE_CONTROL_POLICY": [...]}},
     "policies": [{"id": "p-...", "name", "type", "aws_managed", "document"}]}

A target's list (or a policy's document) that could not be read is an ``unreadable`` marker: the checks
it bears on are unverified, never allowed.
"""

from __future__ import annotations

from typing import Any

from pipelint import arns
from pipelint.errors import InputError
from pipelint.loaders.documents import Document
from pipelint.loaders.pipeline_shape import build_pipeline
from pipelint.model import (RCP, SCP, Bucket, Connection, EventRule, Function, Key, ManagedPolicy, Notice, OrgPolicy,
                            PolicyDoc, Project, Queue, Role, Source, Target, World)
from pipelint.values import Unknown

MARKER = "pipelint-snapshot"


def is_snapshot(data: Any) -> bool:
    return isinstance(data, dict) and MARKER in data


def _value(value: Any) -> Any:
    if isinstance(value, dict) and set(value) == {"unreadable"}:
        return Unknown(str(value["unreadable"]))
    return value


# The shape ``load`` relies on: table -> (identifier field, {optional field: kind}). Kinds: "str" a string
# or null, "list" a list of strings, "doc" anything (a policy document; non-documents become Unknown),
# "map" a mapping, "targets" a list of target mappings; "unreadable" markers are accepted for all but
# identifiers. A file that breaks it was not written by ``pipelint audit`` (or was edited by hand).
_SHAPE = {
    "pipelines": ("pipeline", {"arn": "arn"}),
    "buckets": ("name", {"account": "str", "region": "str", "versioning": "str", "encryption_key": "str",
                         "policy": "doc", "exists": "bool"}),
    "keys": ("arn", {"region": "str", "aliases": "list", "policy": "doc", "state": "str", "exists": "bool"}),
    "roles": ("arn", {"trust": "doc", "inline_policies": "map", "managed_policy_arns": "list",
                      "permissions_boundary": "str", "tags": "map", "exists": "bool"}),
    "managed_policies": ("arn", {"document": "doc"}),
    "queues": ("arn", {"url": "str", "policy": "doc", "exists": "bool"}),
    "functions": ("arn", {"role_arn": "str"}),
    "projects": ("arn", {"name": "str", "service_role": "str", "encryption_key": "str"}),
    "connections": ("arn", {"name": "str", "provider_type": "str", "status": "str", "exists": "bool"}),
    "event_rules": ("arn", {"targets": "targets"}),
}
_ORGANIZATION = {"id": "str", "root": "str", "management_account": "str", "policy_types": "map", "accounts": "list",
                 "parents": "map", "targets": "map", "policies": "policies"}
_TARGET = {"id": "str", "arn": "str", "role_arn": "str", "dlq_arn": "str"}


def _check_shape(document: Document) -> None:
    """Raise an InputError at the first entry ``load`` cannot read (found by fuzzing: a hand-edited or
    truncated snapshot used to end in a KeyError or TypeError)."""
    data = document.data

    def fail(message: str, *path: Any) -> InputError:
        return InputError(document.path, f"not a valid pipelint snapshot: {message}",
                          *(document.locate(path) or (None, None)))

    def where(path: tuple) -> str:
        return "".join(f"[{p}]" if isinstance(p, int) else (f".{p}" if i else p) for i, p in enumerate(path))

    def check(value: Any, kind: str, *path: Any) -> None:
        if value is None or kind == "doc" or (isinstance(value, dict) and set(value) == {"unreadable"}):
            return
        if kind == "str" and not isinstance(value, str):
            raise fail(f"{where(path)} must be a string", *path)
        if kind == "list" and not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
            raise fail(f"{where(path)} must be a list of strings", *path)
        if kind == "map" and not isinstance(value, dict):
            raise fail(f"{where(path)} must be a mapping", *path)
        if kind == "bool" and not isinstance(value, bool):
            raise fail(f"{where(path)} must be true or false", *path)
        if kind == "policies":
            if not isinstance(value, list):
                raise fail(f"{where(path)} must be a list", *path)
            for j, policy in enumerate(value):
                if not isinstance(policy, dict) or not isinstance(policy.get("id"), str) or \
                        policy.get("type") not in (SCP, RCP):
                    raise fail(f"{where(path + (j,))} needs an 'id' and a 'type' ({SCP} or {RCP})", *path, j)
        if kind == "arn" and arns.split(value) is None:
            raise fail(f"{where(path)} must be an ARN", *path)
        if kind == "targets":
            if not isinstance(value, list):
                raise fail(f"{where(path)} must be a list", *path)
            for j, target in enumerate(value):
                if not isinstance(target, dict):
                    raise fail(f"{where(path + (j,))} must be a mapping", *path, j)
                for name, sub in _TARGET.items():
                    check(target.get(name), sub, *path, j, name)

    # ``check`` calls itself, a reference cycle through its closure that would keep the whole document
    # alive (the collector is paused while loading): broken when done
    try:
        for name in ("account", "region"):
            if name in data and data[name] is not None and not isinstance(data[name], str):
                raise fail(f"'{name}' must be a string", name)
        check(data.get("unreadable"), "list", "unreadable")
        if "organization" in data:
            org = data["organization"]
            if not isinstance(org, dict):
                raise fail("'organization' must be a mapping", "organization")
            for field, kind in _ORGANIZATION.items():
                check(org.get(field), kind, "organization", field)
            for target, lists in (org.get("targets") or {}).items():
                check(lists, "map", "organization", "targets", target)
                for kind_name, ids in lists.items():
                    check(ids, "list", "organization", "targets", target, kind_name)
        for table, (ident, fields) in _SHAPE.items():
            items = data.get(table)
            if items is None:
                continue
            if not isinstance(items, list):
                raise fail(f"'{table}' must be a list", table)
            for i, item in enumerate(items):
                if not isinstance(item, dict):
                    raise fail(f"{table}[{i}] must be a mapping", table, i)
                value = item.get(ident)
                if ident == "pipeline":
                    if not isinstance(value, dict):
                        raise fail(f"{table}[{i}] needs a 'pipeline' mapping", table, i)
                elif not isinstance(value, str) or not value or (ident == "arn" and arns.split(value) is None):
                    wanted = "an ARN" if ident == "arn" else "a string"
                    raise fail(f"{table}[{i}] needs '{ident}', {wanted}", table, i)
                for field, kind in fields.items():
                    check(item.get(field), kind, table, i, field)
    finally:
        del check


class _LazySource(Source):
    """A :class:`Source` whose line and column are looked up when first read.

    Finding a position means scanning the whole JSON text for positions (pure Python, ~0.1 s per MB);
    a snapshot of 10,000 pipelines is ~80 MB, and only the few entries a finding points at are ever
    shown. Eager positions were 40 % of a 10,000-pipeline check. Compares and hashes like a Source."""

    __slots__ = ("_locate", "_position")

    def __init__(self, file: str, path: tuple = (), line: int | None = None, column: int | None = None, *,
                 locate: Any = None):
        object.__setattr__(self, "file", file)
        object.__setattr__(self, "path", path)
        object.__setattr__(self, "_locate", locate)
        object.__setattr__(self, "_position", None if locate else (line, column))

    def _where(self) -> tuple:
        if self._position is None:
            position = self._locate(self.path) or (None, None)
            object.__setattr__(self, "_position", tuple(position))
            object.__setattr__(self, "_locate", None)
        return self._position

    @property
    def line(self) -> int | None:  # type: ignore[override]
        return self._where()[0]

    @property
    def column(self) -> int | None:  # type: ignore[override]
        return self._where()[1]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Source):
            return NotImplemented
        return (self.file, self.path, self.line, self.column) == (other.file, other.path, other.line, other.column)

    def __hash__(self) -> int:
        return hash((self.file, self.path, self.line, self.column))

    def __reduce__(self):
        return Source, (self.file, self.path, self.line, self.column)

    def __repr__(self) -> str:
        return repr(Source(self.file, self.path, self.line, self.column))


class _Under:
    """``lambda sub: src(*path, *sub)``, in less memory (one per policy document of a snapshot)."""

    __slots__ = ("src", "path")

    def __init__(self, src: Any, path: tuple) -> None:
        self.src, self.path = src, path

    def __call__(self, sub: tuple) -> Source:
        return self.src(*self.path, *sub)


def load(document: Document, world: World) -> None:
    _check_shape(document)
    data = document.data

    display, locate = document.path, document.locator()

    def src(*path: Any) -> Source:  # holds no reference to the document (its data may go once loaded)
        return _LazySource(display, tuple(path), locate=locate)

    def policy(value: Any, name: str, *path: Any) -> PolicyDoc | None:
        value = _value(value)
        if value is None:
            return None
        return PolicyDoc(value if isinstance(value, (dict, Unknown)) else Unknown(f"{name} is not a document"),
                         name, src(*path), _Under(src, path))

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
            versioning=_value(_field(item, "versioning", f"the versioning of bucket {name}")),
            encryption_key=_value(_field(item, "encryption_key", f"the default encryption of bucket {name}")),
            policy=policy(_field(item, "policy", f"the bucket policy of {name}"), f"bucket policy of {name}",
                          "buckets", i, "policy"), exists=item.get("exists")))
    for i, item in enumerate(data.get("keys") or []):
        arn = item["arn"]
        key = world.add("keys", Key(
            key=arn, arn=arn, key_id=arns.key_id_of(arn), account=arns.account_of(arn) or account,
            region=arns.region_of(arn) or region, source=src("keys", i),
            policy=policy(_field(item, "policy", f"the key policy of {arn}"),
                          f"key policy of {arn}", "keys", i, "policy"),
            aliases=list(item.get("aliases") or []), aws_managed=bool(item.get("aws_managed")),
            state=_value(item.get("state")), exists=item.get("exists")))
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
            trust=policy(_field(item, "trust", f"the trust policy of {arn}"), f"trust policy of {arn}", "roles", i,
                         "trust"),
            inline_policies=[] if isinstance(inline, Unknown) else [
                PolicyDoc(_value(doc), f"inline policy {name} of {arn}", src("roles", i, "inline_policies", name))
                for name, doc in inline.items()],
            managed_policy_arns=[] if isinstance(managed, Unknown) else list(managed),
            policies_complete=complete, exists=item.get("exists"),
            permissions_boundary=_value(_field(item, "permissions_boundary", f"the permissions boundary of {arn}")))
        tags = _value(item.get("tags"))
        if isinstance(tags, dict):  # read from AWS: every tag the role has
            role.tags, role.tags_complete = {k: v for k, v in tags.items() if isinstance(v, str)}, True
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
                                  policy=policy(_field(item, "policy", f"the queue policy of {arn}"),
                                                f"queue policy of {arn}", "queues", i, "policy"),
                                  exists=item.get("exists")))
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
    for i, item in enumerate(data.get("connections") or []):
        arn = item["arn"]
        world.add("connections", Connection(
            key=arn, arn=arn, name=_value(item.get("name")), account=arns.account_of(arn) or account,
            region=arns.region_of(arn) or region, source=src("connections", i),
            provider_type=_value(item.get("provider_type")), status=_value(item.get("status")),
            exists=item.get("exists")))
    if isinstance(data.get("organization"), dict):
        _organization(data["organization"], world, src)
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


def _organization(data: dict, world: World, src) -> None:
    """The ``organization`` section: the same model the configuration and CLI outputs fill."""
    org = world.org()
    org.source = org.source or src("organization")
    org.id = data.get("id") or org.id
    org.root = data.get("root") or org.root
    org.management_account = data.get("management_account") or org.management_account
    for kind, enabled in (data.get("policy_types") or {}).items():
        if kind in (SCP, RCP) and isinstance(enabled, bool):
            org.types[kind] = enabled
    accounts = data.get("accounts")
    if isinstance(accounts, list):
        org.members.update(accounts)
        org.members_complete = True
    for child, parent in (data.get("parents") or {}).items():
        if isinstance(parent, str):
            org.parents[child] = parent
            if child.isdigit():
                org.members.add(child)
    for target, lists in (data.get("targets") or {}).items():
        for kind, ids in lists.items():
            if kind not in (SCP, RCP):
                continue
            ids = _value(ids)
            org.attached[(kind, target)] = ids if isinstance(ids, Unknown) else list(ids or [])
            org.sources[(kind, target)] = src("organization", "targets", target, kind)
    for i, item in enumerate(data.get("policies") or []):
        document = _value(item.get("document"))
        name = item.get("name") if isinstance(item.get("name"), str) else item["id"]
        word = "service control policy" if item["type"] == SCP else "resource control policy"
        where = ("organization", "policies", i, "document")
        org.policies[item["id"]] = OrgPolicy(
            item["id"], item["type"], name,
            PolicyDoc(document if isinstance(document, (dict, Unknown)) else Unknown(f"{word} {name} is not a document"),
                      f"{word} {name}", src(*where), lambda sub, where=where: src(*where, *sub)),
            aws_managed=bool(item.get("aws_managed")))


def _field(item: dict, name: str, what: str) -> Any:
    """A field that may be left out: ``null`` says the thing does not exist, a missing field says
    nothing, so it reads as unreadable rather than as absent."""
    return item[name] if name in item else {"unreadable": f"{what} is not in the snapshot"}
