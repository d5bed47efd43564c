"""Follows the graph from the pipelines and reads every resource the rules look at, once.

Starting from the pipelines of the audited accounts and regions: the pipeline role; every artifact store
(bucket location, versioning, default encryption and policy; key metadata, key policy and aliases);
action roles wherever they live, CloudFormation execution roles (``configuration.RoleArn``), CodeBuild
projects and their service roles and keys, Lambda functions of invoke actions and their roles, S3
source buckets, and the EventBridge rules whose targets start the pipelines (targets, dead-letter
queues and their policies, target roles), the CodeConnections connections of source actions (their
status), and with ``--org`` the organization's tree and the SCPs and RCPs on the audited accounts' paths
(:mod:`pipelint.live.organization`). Each role also brings its trust, inline policies, attached managed
policies (default version) and tags; each key its state. What the account does not hold (a missing
role, bucket, key, queue or connection) is recorded as ``"exists": false``.

Every read is a task keyed by what it reads, run at most once, on a thread pool: accounts and regions are
read concurrently. A read that fails becomes ``{"unreadable": reason}`` in the snapshot (or, when there
is no resource to hang it on, a line in the file's top-level ``unreadable`` list); the rest of the
audit goes on.
"""

from __future__ import annotations

import json
import os
import threading
import time
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from typing import Any, Callable
from urllib.parse import unquote

from pipelint import arns
from pipelint.data import aws_managed_policies
from pipelint.live import guard
from pipelint.live.clients import Clients, Unreadable
from pipelint.records import field, record

GLOBAL = "global"  # the "region" of the file holding an account's IAM roles and managed policies
CONNECTION_SERVICES = ("codestar-connections", "codeconnections")


@record
class AuditOptions:
    profile: str | None = None
    regions: list = field(default_factory=list)  # regions whose pipelines are audited (default: the session's)
    pipelines: list = field(default_factory=list)  # pipeline names (default: every pipeline)
    assume_role: str | None = None  # role name assumed in every other account
    external_id: str | None = None
    accounts: list | None = None  # the audit's accounts: pipelines are listed there; no other is read
    org: bool = False  # the audit's accounts are the organization's active accounts
    workers: int = 16
    progress: bool = False


@record
class Snapshot:
    """What an audit read: one document in the snapshot format per (account, region)."""

    files: dict = field(default_factory=dict)  # (account, region) -> document
    home_account: str | None = None
    regions: list = field(default_factory=list)
    accounts: list = field(default_factory=list)  # the accounts whose pipelines were listed
    missing_pipelines: list = field(default_factory=list)  # --pipeline names found nowhere
    seconds: float = 0.0
    calls: int = 0
    _lock: Any = field(default_factory=threading.Lock, repr=False)

    def document(self, account: str, region: str) -> dict:
        with self._lock:
            doc = self.files.get((account, region))
            if doc is None:
                doc = self.files[(account, region)] = {"pipelint-snapshot": 1, "account": account, "region": region}
            return doc

    def add(self, account: str, region: str, table: str, entry: dict) -> None:
        doc = self.document(account, region)
        with self._lock:
            doc.setdefault(table, []).append(entry)

    def note(self, account: str, region: str, text: str) -> None:
        doc = self.document(account, region)
        with self._lock:
            notes = doc.setdefault("unreadable", [])
            if text not in notes:
                notes.append(text)

    def pipelines(self) -> list[str]:
        return sorted(p["arn"] for doc in self.files.values() for p in doc.get("pipelines", []))

    def unreadable(self) -> list[str]:
        """Every reason something could not be read, once each."""
        found: list[str] = []

        def walk(value: Any) -> None:
            if isinstance(value, dict):
                if set(value) == {"unreadable"}:
                    found.append(str(value["unreadable"]))
                    return
                for key, item in value.items():
                    if key == "unreadable" and isinstance(item, list):
                        found.extend(item)
                    elif key != "pipeline":
                        walk(item)
            elif isinstance(value, list):
                for item in value:
                    walk(item)

        walk(list(self.files.values()))
        return sorted(set(found))


def policy_document(value: Any) -> Any:
    """A policy as returned by AWS (dict, JSON text, or URL-encoded JSON) as a dict."""
    if isinstance(value, dict) or value is None:
        return value
    text = str(value)
    for candidate in (text, unquote(text)):
        try:
            parsed = json.loads(candidate)
        except ValueError:
            continue
        if isinstance(parsed, dict):
            return parsed
    return {"unreadable": "the policy document AWS returned is not JSON"}


def unreadable(exc: Unreadable) -> dict:
    return {"unreadable": exc.reason}


class Collector:
    def __init__(self, clients: Clients, options: AuditOptions, progress: Any = None) -> None:
        self.clients = clients
        self.options = options
        self.progress = progress
        self.snapshot = Snapshot()
        self._lock = threading.Lock()
        self._seen: set = set()
        self._futures: list = []
        self._fatal: list[BaseException] = []
        self._pool: ThreadPoolExecutor | None = None
        self._named_found: set = set()
        self._listing_failed = False
        self._members: list | None = None  # every active account of the organization (--org)
        self.organization = None
        if options.org:
            from pipelint.live.organization import OrganizationReader

            self.organization = OrganizationReader(self)

    # -- the scheduler -----------------------------------------------------------------------------
    def submit(self, key: tuple, fn: Callable, *args: Any) -> None:
        """Run ``fn(*args)`` once per ``key``."""
        with self._lock:
            if key in self._seen or self._fatal:
                return
            self._seen.add(key)
            if self.progress is not None:
                self.progress.discovered(key)
            self._futures.append(self._pool.submit(self._run, key, fn, *args))

    def _run(self, key: tuple, fn: Callable, *args: Any) -> None:
        try:
            fn(*args)
        except guard.ReadOnlyViolation as exc:
            self._fatal.append(exc)
        except Unreadable as exc:  # a task that did not record its own failure
            self.snapshot.note(self.clients.home_account or "unknown", self.clients.home_region, exc.reason)
        except Exception as exc:  # noqa: BLE001 - degrade, never crash; PIPELINT_DEBUG shows it
            if os.environ.get("PIPELINT_DEBUG"):
                self._fatal.append(exc)
            self.snapshot.note(self.clients.home_account or "unknown", self.clients.home_region,
                               f"internal error while reading {' '.join(map(str, key))}: {type(exc).__name__}: {exc}")
        finally:
            if self.progress is not None:
                self.progress.done(key)

    def run(self) -> Snapshot:
        start = time.perf_counter()
        home = self.clients.identify()
        snap = self.snapshot
        snap.home_account = home
        snap.regions = list(dict.fromkeys(self.options.regions or [self.clients.home_region]))
        snap.accounts = self._accounts(home)
        with ThreadPoolExecutor(max_workers=max(1, self.options.workers), thread_name_prefix="pipelint-audit") as pool:
            self._pool = pool
            for account in snap.accounts:
                for region in snap.regions:
                    self.submit(("pipelines", account, region), self._pipelines, account, region)
            if self.organization is not None:
                self.organization.start(home, sorted(set(snap.accounts) | {home}), self._members)
            while True:
                with self._lock:
                    pending = [f for f in self._futures if not f.done()]
                if not pending:
                    break
                wait(pending, return_when=FIRST_COMPLETED)
        if self._fatal:
            raise self._fatal[0]
        section = self.organization.section() if self.organization is not None else None
        if section is not None:
            snap.document(home, GLOBAL)["organization"] = section
        if self.options.pipelines and not self._listing_failed:
            snap.missing_pipelines = [n for n in self.options.pipelines if n not in self._named_found]
        for doc in snap.files.values():
            _sort(doc)
        snap.seconds = time.perf_counter() - start
        return snap

    def _accounts(self, home: str) -> list[str]:
        """The accounts whose pipelines are listed; sets which accounts may be read at all."""
        chosen = list(dict.fromkeys(self.options.accounts or []))
        if self.options.org:
            try:
                listed = [a["Id"] for a in self.clients.pages(
                    home, self.clients.home_region, "organizations", "list_accounts",
                    "the accounts of the organization", "Accounts") if a.get("Status", "ACTIVE") == "ACTIVE"]
                self._members = listed
            except Unreadable as exc:
                self.snapshot.note(home, self.clients.home_region, f"--org: {exc.reason}; only account {home} "
                                   "and the accounts its pipelines touch were read")
                listed = [home]
            org = sorted(set(listed) | {home})
            chosen = [a for a in org if a in chosen] if chosen else org
            self.clients.allowed = set(chosen) | {home}
        elif chosen:
            self.clients.allowed = set(chosen) | {home}
        return chosen or [home]

    # -- pipelines ---------------------------------------------------------------------------------
    def _pipelines(self, account: str, region: str) -> None:
        try:
            listed = [p["name"] for p in self.clients.pages(account, region, "codepipeline", "list_pipelines",
                                                             "the pipelines", "pipelines")]
        except Unreadable as exc:
            self._listing_failed = True
            self.snapshot.note(account, region, f"the pipelines of account {account} in {region} could not be "
                                                f"listed: {exc.reason}")
            return
        wanted = self.options.pipelines
        for name in listed:
            if wanted and name not in wanted:
                continue
            with self._lock:
                self._named_found.add(name)
            self.submit(("pipeline", account, region, name), self._pipeline, account, region, name)

    def _pipeline(self, account: str, region: str, name: str) -> None:
        try:
            answer = self.clients.call(account, region, "codepipeline", "get_pipeline", f"pipeline {name}", name=name)
        except Unreadable as exc:
            self.snapshot.note(account, region, f"pipeline {name} could not be read: {exc.reason}")
            return
        body = answer.get("pipeline") or {}
        arn = (answer.get("metadata") or {}).get("pipelineArn") or \
            f"arn:{self.clients.partition(region)}:codepipeline:{region}:{account}:{name}"
        from pipelint.live.writer import redact_pipeline

        self.snapshot.add(account, region, "pipelines", {"arn": arn, "pipeline": redact_pipeline(body)})
        self._follow(account, region, arn, body)

    def _follow(self, account: str, region: str, arn: str, body: dict) -> None:
        self.role(body.get("roleArn"))
        stores = []
        if isinstance(body.get("artifactStore"), dict):
            stores.append((region, body["artifactStore"]))
        for store_region, store in (body.get("artifactStores") or {}).items():
            if isinstance(store, dict):
                stores.append((store_region, store))
        for store_region, store in stores:
            self.bucket(account, store.get("location"), store_region)
            key = store.get("encryptionKey") or {}
            self.key(account, store_region, key.get("id"))
        for stage in body.get("stages") or []:
            for action in stage.get("actions") or []:
                self._action(account, region, action)
        self.submit(("rules", account, region, arn), self._rules, account, region, arn)

    def _action(self, account: str, region: str, action: dict) -> None:
        action_region = action.get("region") or region
        role = action.get("roleArn")
        self.role(role)
        action_account = arns.account_of(role) or account
        config = action.get("configuration") or {}
        kind = action.get("actionTypeId") or {}
        category, provider = kind.get("category"), kind.get("provider")
        if provider in ("CloudFormation", "CloudFormationStackSet"):
            self.role(config.get("RoleArn"))
        if provider == "CodeBuild" and _plain(config.get("ProjectName")):
            name = config["ProjectName"]
            self.submit(("project", action_account, action_region, name), self._project, action_account,
                        action_region, name)
        if category == "Invoke" and provider == "Lambda" and _plain(config.get("FunctionName")):
            name = config["FunctionName"]
            self.submit(("function", action_account, action_region, name), self._function, action_account,
                        action_region, name)
        if category == "Source" and provider == "S3":
            self.bucket(action_account, config.get("S3Bucket"), action_region)
        connection = config.get("ConnectionArn")
        if provider == "CodeStarSourceConnection" and _plain(connection) and arns.account_of(connection) \
                and arns.service_of(connection) in CONNECTION_SERVICES:
            self.submit(("connection", connection), self._connection, connection)

    # -- IAM ---------------------------------------------------------------------------------------
    def role(self, arn: Any) -> None:
        if arns.is_role_arn(arn) and arns.account_of(arn) and _plain(arn):
            self.submit(("role", arn), self._role, arn)

    def _role(self, arn: str) -> None:
        account = arns.account_of(arn)
        name = arns.role_name(arn)
        region = self.clients.home_region
        entry: dict = {"arn": arn}
        try:
            role = self.clients.call(account, region, "iam", "get_role", f"role {arn}", RoleName=name)["Role"]
        except Unreadable as exc:
            entry.update(trust=unreadable(exc), inline_policies=unreadable(exc), managed_policy_arns=unreadable(exc),
                         permissions_boundary=unreadable(exc))
            if exc.kind == "missing":
                entry["exists"] = False
            self.snapshot.add(account, GLOBAL, "roles", entry)
            return
        entry["trust"] = policy_document(role.get("AssumeRolePolicyDocument"))
        # get-role returns every tag of the role: its aws:PrincipalTag/... keys
        entry["tags"] = {t["Key"]: t.get("Value", "") for t in role.get("Tags") or [] if isinstance(t, dict)}
        boundary = (role.get("PermissionsBoundary") or {}).get("PermissionsBoundaryArn")
        entry["permissions_boundary"] = boundary  # null: the role has none
        if boundary:
            self.submit(("policy", boundary), self._policy, boundary, account)
        try:
            names = list(self.clients.pages(account, region, "iam", "list_role_policies",
                                            f"the inline policies of role {arn}", "PolicyNames", RoleName=name))
            inline = {}
            for policy_name in names:
                try:
                    doc = self.clients.call(account, region, "iam", "get_role_policy",
                                            f"inline policy {policy_name} of role {arn}",
                                            RoleName=name, PolicyName=policy_name)["PolicyDocument"]
                    inline[policy_name] = policy_document(doc)
                except Unreadable as exc:
                    inline[policy_name] = unreadable(exc)
            entry["inline_policies"] = inline
        except Unreadable as exc:
            entry["inline_policies"] = unreadable(exc)
        try:
            attached = [p["PolicyArn"] for p in self.clients.pages(
                account, region, "iam", "list_attached_role_policies", f"the managed policies of role {arn}",
                "AttachedPolicies", RoleName=name)]
            entry["managed_policy_arns"] = attached
            for policy_arn in attached:
                self.submit(("policy", policy_arn), self._policy, policy_arn, account)
        except Unreadable as exc:
            entry["managed_policy_arns"] = unreadable(exc)
        self.snapshot.add(account, GLOBAL, "roles", entry)

    def _policy(self, arn: str, reader: str) -> None:
        account = arns.account_of(arn) or reader  # AWS-managed policies ("aws") are read where attached
        region = self.clients.home_region
        try:
            policy = self.clients.call(account, region, "iam", "get_policy", f"managed policy {arn}",
                                       PolicyArn=arn)["Policy"]
            version = self.clients.call(account, region, "iam", "get_policy_version", f"managed policy {arn}",
                                        PolicyArn=arn, VersionId=policy["DefaultVersionId"])["PolicyVersion"]
            document = policy_document(version.get("Document"))
        except Unreadable as exc:
            copy = aws_managed_policies.lookup(arn)
            if copy is not None:
                # pipelint ships this AWS-managed policy: the offline copy stands in for the unread one
                # (the read version, when there is one, always wins: it is what AWS applies today)
                self.snapshot.note(account, GLOBAL, f"{exc.reason}; pipelint's copy of {arn} (captured "
                                   f"{copy.captured}) was used")
                return
            document = unreadable(exc)
        self.snapshot.add(account, GLOBAL, "managed_policies", {"arn": arn, "document": document})

    # -- S3 and KMS --------------------------------------------------------------------------------
    def bucket(self, account: str, name: Any, region: str) -> None:
        if _plain(name):
            self.submit(("bucket", name), self._bucket, account, name, region)

    def _bucket(self, account: str, name: str, hint: str) -> None:
        call = self.clients.call
        entry: dict = {"name": name}
        try:
            location = call(account, hint, "s3", "get_bucket_location", f"bucket {name}",
                            Bucket=name).get("LocationConstraint")
            region = {None: "us-east-1", "": "us-east-1", "EU": "eu-west-1"}.get(location, location)
            entry["region"] = region
        except Unreadable as exc:
            if exc.kind == "missing":
                gone = unreadable(exc)
                entry.update(region=gone, versioning=gone, encryption_key=gone, policy=gone, exists=False)
                self.snapshot.add(account, hint, "buckets", entry)
                return
            entry["region"] = unreadable(exc)
            region = hint
        try:
            entry["versioning"] = call(account, region, "s3", "get_bucket_versioning", f"bucket {name}",
                                       Bucket=name).get("Status")
        except Unreadable as exc:
            entry["versioning"] = unreadable(exc)
        try:
            rules = call(account, region, "s3", "get_bucket_encryption", f"bucket {name}", Bucket=name)[
                "ServerSideEncryptionConfiguration"].get("Rules") or []
            entry["encryption_key"] = None
            for rule in rules:
                default = rule.get("ApplyServerSideEncryptionByDefault") or {}
                if default.get("SSEAlgorithm") in ("aws:kms", "aws:kms:dsse"):
                    entry["encryption_key"] = default.get("KMSMasterKeyID") or "alias/aws/s3"
                    break
        except Unreadable as exc:
            # no configuration: S3's default encryption (SSE-S3, not KMS)
            entry["encryption_key"] = None if exc.kind == "missing" else unreadable(exc)
        try:
            entry["policy"] = policy_document(call(account, region, "s3", "get_bucket_policy", f"bucket {name}",
                                                   Bucket=name).get("Policy"))
        except Unreadable as exc:
            entry["policy"] = None if exc.kind == "missing" else unreadable(exc)  # NoSuchBucketPolicy: none
        self.snapshot.add(account, region, "buckets", entry)

    def key(self, account: str, region: str, ref: Any) -> None:
        if not _plain(ref) or ref.endswith(":alias/aws/s3") or ref == "alias/aws/s3":
            return
        if ref.startswith("arn:"):
            account = arns.account_of(ref) or account
            region = arns.region_of(ref) or region
        self.submit(("key", account, region, ref), self._key, account, region, ref)

    def _key(self, account: str, region: str, ref: str) -> None:
        call = self.clients.call
        try:
            meta = call(account, region, "kms", "describe_key", f"key {ref}", KeyId=ref)["KeyMetadata"]
        except Unreadable as exc:
            if arns.is_kms_key_arn(ref):
                entry = {"arn": ref, "aliases": [], "policy": unreadable(exc), "state": unreadable(exc)}
                if exc.kind == "missing":
                    entry["exists"] = False
                self.snapshot.add(account, region, "keys", entry)
            else:
                self.snapshot.note(account, region, f"key {ref} could not be read: {exc.reason}")
            return
        arn = meta["Arn"]
        with self._lock:  # the same key named by ARN, alias and id is read once
            if ("key-arn", arn) in self._seen:
                return
            self._seen.add(("key-arn", arn))
        account, region = arns.account_of(arn) or account, arns.region_of(arn) or region
        entry: dict = {"arn": arn, "region": region, "aws_managed": meta.get("KeyManager") == "AWS",
                       "state": meta.get("KeyState") or {"unreadable": f"describe-key of {arn} gave no KeyState"}}
        try:
            entry["aliases"] = sorted(a["AliasName"] for a in self.clients.pages(
                account, region, "kms", "list_aliases", f"the aliases of key {arn}", "Aliases",
                KeyId=meta["KeyId"]))
        except Unreadable as exc:
            entry["aliases"] = []
            self.snapshot.note(account, region, f"the aliases of key {arn} could not be read: {exc.reason}")
        try:
            entry["policy"] = policy_document(call(account, region, "kms", "get_key_policy", f"key {arn}",
                                                   KeyId=arn, PolicyName="default")["Policy"])
        except Unreadable as exc:
            entry["policy"] = unreadable(exc)
        self.snapshot.add(account, region, "keys", entry)

    # -- CodeBuild and Lambda ----------------------------------------------------------------------
    def _project(self, account: str, region: str, name: str) -> None:
        partition = self.clients.partition(region)
        arn = name if name.startswith("arn:") else f"arn:{partition}:codebuild:{region}:{account}:project/{name}"
        short = name.rsplit("/", 1)[-1] if name.startswith("arn:") else name
        try:
            found = self.clients.call(account, region, "codebuild", "batch_get_projects", f"CodeBuild project {name}",
                                      names=[name]).get("projects") or []
            if not found:
                raise Unreadable(f"CodeBuild project {name} does not exist in account {account}, {region}", "missing")
        except Unreadable as exc:
            self.snapshot.add(account, region, "projects", {"arn": arn, "name": short, "service_role": unreadable(exc),
                                                            "encryption_key": unreadable(exc)})
            return
        project = found[0]
        entry = {"arn": project.get("arn") or arn, "name": project.get("name") or short,
                 "service_role": project.get("serviceRole"), "encryption_key": project.get("encryptionKey")}
        self.snapshot.add(account, region, "projects", entry)
        self.role(entry["service_role"])
        self.key(account, region, entry["encryption_key"])

    def _function(self, account: str, region: str, name: str) -> None:
        partition = self.clients.partition(region)
        arn = name if name.startswith("arn:") else f"arn:{partition}:lambda:{region}:{account}:function:{name}"
        try:
            config = self.clients.call(account, region, "lambda", "get_function_configuration",
                                       f"Lambda function {name}", FunctionName=name)
        except Unreadable as exc:
            self.snapshot.add(account, region, "functions", {"arn": arn, "role_arn": unreadable(exc)})
            return
        # only the ARN and the role: never the environment, which may hold secrets
        entry = {"arn": config.get("FunctionArn") or arn, "role_arn": config.get("Role")}
        self.snapshot.add(account, region, "functions", entry)
        self.role(entry["role_arn"])

    # -- CodeConnections ---------------------------------------------------------------------------
    def _connection(self, arn: str) -> None:
        """The connection's status: PENDING until someone completes it in the console. The API to ask
        is the one its ARN names (codestar-connections or codeconnections)."""
        account, region = arns.account_of(arn), arns.region_of(arn) or self.clients.home_region
        try:
            found = self.clients.call(account, region, arns.service_of(arn), "get_connection", f"connection {arn}",
                                      ConnectionArn=arn).get("Connection") or {}
        except Unreadable as exc:
            entry = {"arn": arn, "status": unreadable(exc)}
            if exc.kind == "missing":
                entry["exists"] = False
            self.snapshot.add(account, region, "connections", entry)
            return
        self.snapshot.add(account, region, "connections", {
            "arn": arn, "name": found.get("ConnectionName"), "provider_type": found.get("ProviderType"),
            "status": found.get("ConnectionStatus") or {"unreadable": f"get-connection of {arn} gave no status"}})

    # -- EventBridge and SQS -----------------------------------------------------------------------
    def _rules(self, account: str, region: str, pipeline_arn: str) -> None:
        try:
            names = self._rule_names(account, region, pipeline_arn)
        except Unreadable as exc:
            self.snapshot.note(account, region, f"the EventBridge rules that start {pipeline_arn} could not be "
                                                f"listed, so their dead-letter queues and roles were not checked: "
                                                f"{exc.reason}")
            return
        for name in names:
            self.submit(("rule", account, region, name), self._rule, account, region, name)

    def _rule_names(self, account: str, region: str, pipeline_arn: str) -> list[str]:
        names: list[str] = []
        params: dict = {"TargetArn": pipeline_arn}
        while True:  # not paginated in botocore: follow NextToken by hand
            page = self.clients.call(account, region, "events", "list_rule_names_by_target",
                                     f"the EventBridge rules targeting {pipeline_arn}", **params)
            names.extend(page.get("RuleNames") or [])
            token = page.get("NextToken")
            if not token:
                return names
            params["NextToken"] = token

    def _rule(self, account: str, region: str, name: str) -> None:
        arn = f"arn:{self.clients.partition(region)}:events:{region}:{account}:rule/{name}"
        try:
            targets = self._targets(account, region, name, arn)
        except Unreadable as exc:
            self.snapshot.add(account, region, "event_rules", {"arn": arn, "targets": unreadable(exc)})
            self.snapshot.note(account, region, f"the targets of EventBridge rule {arn} could not be read, so their "
                                                f"dead-letter queues and roles were not checked: {exc.reason}")
            return
        entries = []
        for target in targets:
            dlq = (target.get("DeadLetterConfig") or {}).get("Arn")
            entries.append({"id": target.get("Id"), "arn": target.get("Arn"), "role_arn": target.get("RoleArn"),
                            "dlq_arn": dlq})
            if arns.service_of(target.get("Arn")) == "codepipeline":
                self.role(target.get("RoleArn"))
                if arns.service_of(dlq) == "sqs" and arns.account_of(dlq):
                    self.submit(("queue", dlq), self._queue, dlq)
        self.snapshot.add(account, region, "event_rules", {"arn": arn, "targets": entries})

    def _targets(self, account: str, region: str, name: str, arn: str) -> list[dict]:
        targets: list[dict] = []
        params: dict = {"Rule": name}
        while True:
            page = self.clients.call(account, region, "events", "list_targets_by_rule",
                                     f"the targets of EventBridge rule {arn}", **params)
            targets.extend(page.get("Targets") or [])
            token = page.get("NextToken")
            if not token:
                return targets
            params["NextToken"] = token

    def _queue(self, arn: str) -> None:
        account, region = arns.account_of(arn), arns.region_of(arn)
        name = arns.resource_of(arn)
        call = self.clients.call
        try:
            url = call(account, region, "sqs", "get_queue_url", f"queue {arn}", QueueName=name,
                       QueueOwnerAWSAccountId=account)["QueueUrl"]
            attributes = call(account, region, "sqs", "get_queue_attributes", f"queue {arn}", QueueUrl=url,
                              AttributeNames=["Policy"]).get("Attributes") or {}
            policy = policy_document(attributes.get("Policy"))
        except Unreadable as exc:
            policy = unreadable(exc)
            if exc.kind == "missing":
                self.snapshot.add(account, region, "queues", {"arn": arn, "policy": policy, "exists": False})
                return
        self.snapshot.add(account, region, "queues", {"arn": arn, "policy": policy})


def _plain(value: Any) -> bool:
    """A concrete name: a string without CodePipeline variables (``#{...}``)."""
    return isinstance(value, str) and bool(value) and "#{" not in value


def _sort(doc: dict) -> None:
    """Stable order, whatever order the threads finished in: snapshots diff cleanly between runs."""
    for table, entries in doc.items():
        if table == "unreadable":
            entries.sort()
        elif isinstance(entries, list):
            entries.sort(key=lambda e: str(e.get("arn") or e.get("name") or ""))
