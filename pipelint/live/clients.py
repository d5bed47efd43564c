"""AWS access for the live audit.

One boto3 session per account (the caller's own, or an assumed ``--assume-role`` role with refreshing
credentials), clients cached per (account, region, service) with botocore's adaptive retries, the
read-only guard on every session, and the translation of every failure into :class:`Unreadable`: a
sentence naming what could not be read and the permission that would allow it. boto3 is imported
here and only here, when an audit runs.
"""

from __future__ import annotations

import threading
from typing import Any, Callable, Iterable, Iterator

from pipelint import __version__
from pipelint.errors import UsageError
from pipelint.live import guard

SESSION_NAME = "pipelint-audit"

# IAM actions whose name differs from the API operation
PERMISSIONS = {
    ("s3", "GetBucketEncryption"): "s3:GetEncryptionConfiguration",
}

DENIED = {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "AuthorizationError",
          "AuthorizationErrorException", "Forbidden", "UnauthorizedAccess", "AccessDeniedFault",
          "AllAccessDisabled", "KMSAccessDeniedException", "403"}
MISSING = {"NoSuchEntity", "NoSuchEntityException", "NoSuchBucket", "NotFoundException", "ResourceNotFoundException",
           "NotFound", "NoSuchKey", "PipelineNotFoundException", "AWS.SimpleQueueService.NonExistentQueue",
           "QueueDoesNotExist", "404"}
# what AWS answers in a region the account has not enabled (opt-in regions)
REGION = {"UnrecognizedClientException", "InvalidClientTokenId", "AuthFailure", "OptInRequired",
          "InvalidAccessKeyId", "SignatureDoesNotMatch", "InvalidSignatureException"}


class Unreadable(Exception):
    """Something the audit could not read; ``str()`` is the reason written to the snapshot."""

    def __init__(self, reason: str, kind: str = "error", code: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.kind = kind  # denied / missing / region / unreachable / error
        self.code = code  # the AWS error code (or HTTP status) when there was one


def permission(service: str, operation: str) -> str:
    return PERMISSIONS.get((service, operation), f"{service}:{operation}")


def error_code(exc: Exception) -> tuple[str, int | None]:
    response = getattr(exc, "response", None) or {}
    code = str((response.get("Error") or {}).get("Code") or "")
    status = (response.get("ResponseMetadata") or {}).get("HTTPStatusCode")
    return code, status


def explain(exc: Exception, what: str, service: str, operation: str, account: str, region: str) -> Unreadable:
    """An :class:`Unreadable` for a failed call: what failed, why, and the permission that would allow it."""
    from botocore.exceptions import (ClientError, ConnectionError, EndpointConnectionError, NoCredentialsError,
                                     PartialCredentialsError)

    needed = permission(service, operation)
    call = f"{needed} on {what} in account {account}" + ("" if service in ("iam", "s3") else f", {region}")
    if isinstance(exc, ClientError):
        code, status = error_code(exc)
        found = explain_client_error(exc, code, status, call, needed, what, service, operation, account, region)
        found.code = code or str(status or "")
        return found
    if isinstance(exc, (NoCredentialsError, PartialCredentialsError)):
        return Unreadable(f"{call} failed: no AWS credentials", "unreachable")
    if isinstance(exc, (EndpointConnectionError, ConnectionError)):
        return Unreadable(f"{call} failed: cannot reach the {service} endpoint in {region} (is the region "
                          f"enabled for account {account}?)", "region")
    return Unreadable(f"{call} failed: {type(exc).__name__}: {exc}")


def explain_client_error(exc: Any, code: str, status: int | None, call: str, needed: str, what: str,
                         service: str, operation: str, account: str, region: str) -> Unreadable:
    if code in REGION:  # checked first: AWS answers these with a 403 as well
        return Unreadable(f"{call} failed ({code}): region {region} may not be enabled for account {account}, "
                          "or the credentials are not valid there", "region")
    # JSON-protocol services can answer an authorization failure with a 403 and an XML body, which
    # botocore cannot parse into an error code: the status alone says access was denied
    if code in DENIED or status == 403 or "AccessDenied" in code:
        return Unreadable(f"{call} was denied ({code or status}); grant {needed} to the auditing role", "denied")
    if code in MISSING or status == 404 or code.endswith(("NotFound", "NotFoundException", "NoSuchEntity")):
        where = "" if service in ("iam", "s3") else f", {region}"
        return Unreadable(f"{what} does not exist in account {account}{where} ({operation}: {code or status})",
                          "missing")
    message = (exc.response.get("Error") or {}).get("Message") or ""
    return Unreadable(f"{call} failed: {code or status}{': ' + message if message else ''}")


Hook = tuple[str, Callable[..., Any]]

_loader: Any = None


def shared_loader() -> Any:
    """One botocore data loader for every session: each new session would otherwise parse botocore's
    endpoint and service data again (about half a second per session, per assumed account)."""
    global _loader
    if _loader is None:
        from botocore.loaders import create_loader

        _loader = create_loader()
    return _loader


class Clients:
    """Sessions per account, clients per (account, region, service), every call through :meth:`call`."""

    def __init__(self, *, profile: str | None = None, region: str | None = None, assume_role: str | None = None,
                 external_id: str | None = None, accounts: Iterable[str] | None = None,
                 hooks: Iterable[Hook] = (), max_pool: int = 16) -> None:
        import boto3
        from botocore.config import Config
        from botocore.exceptions import BotoCoreError, ProfileNotFound

        try:
            self._base = boto3.Session(profile_name=profile, region_name=region)
        except ProfileNotFound as exc:
            raise UsageError(str(exc)) from None
        except BotoCoreError as exc:
            raise UsageError(f"cannot set up the AWS session: {exc}") from None
        self.profile = profile
        self.home_region = self._base.region_name
        if not self.home_region:
            raise UsageError("no AWS region: pass --region or set AWS_REGION (or a region in the profile)")
        self.role_name = assume_role
        self.external_id = external_id
        self.allowed = set(accounts) if accounts is not None else None
        self.hooks = list(hooks)
        self.config = Config(retries={"mode": "adaptive", "max_attempts": 10}, max_pool_connections=max_pool,
                             user_agent_extra=f"pipelint-audit/{__version__}")
        self._base._session.register_component("data_loader", shared_loader())
        self._register(self._base)
        self._lock = threading.Lock()
        self._account_locks: dict[str, threading.Lock] = {}
        self._sessions: dict[str, Any] = {}
        self._clients: dict[tuple, Any] = {}
        self.home_account: str | None = None
        self.caller_arn: str | None = None

    def _register(self, session: Any) -> None:
        session.events.register("before-call", guard.before_call)
        for event, handler in self.hooks:
            session.events.register(event, handler)

    # -- identity and sessions ---------------------------------------------------------------------
    def identify(self) -> str:
        """The caller's account (sts:GetCallerIdentity); a usage error when there are no usable credentials."""
        from botocore.exceptions import BotoCoreError, ClientError

        client = self._client_for(self._base, None, self.home_region, "sts")
        try:
            identity = client.get_caller_identity()
        except (BotoCoreError, ClientError) as exc:
            raise UsageError(f"cannot identify the AWS caller (sts:GetCallerIdentity): {exc}") from None
        self.home_account = identity["Account"]
        self.caller_arn = identity["Arn"]
        self._sessions[self.home_account] = self._base
        return self.home_account

    def partition(self, region: str | None = None) -> str:
        region = region or self.home_region
        return "aws-cn" if region.startswith("cn-") else "aws-us-gov" if region.startswith("us-gov-") else "aws"

    def role_arn(self, account: str) -> str:
        return f"arn:{self.partition()}:iam::{account}:role/{self.role_name}"

    def session(self, account: str) -> Any:
        """The session that reads ``account``; raises :class:`Unreadable` when it cannot be reached."""
        known = self._sessions.get(account)
        if known is None:
            with self._lock:
                lock = self._account_locks.setdefault(account, threading.Lock())
            with lock:  # one AssumeRole per account, even when many threads want it at once
                known = self._sessions.get(account)
                if known is None:
                    try:
                        known = self._assume(account)
                    except Unreadable as exc:
                        known = exc
                    self._sessions[account] = known
        if isinstance(known, Unreadable):
            raise known
        return known

    def _assume(self, account: str) -> Any:
        import boto3
        import botocore.session
        from botocore.credentials import RefreshableCredentials

        if self.allowed is not None and account not in self.allowed:
            raise Unreadable(f"account {account} is outside the accounts of this audit (--accounts/--org), so it "
                             "was not read", "unreachable")
        if not self.role_name:
            raise Unreadable(f"account {account} was not read: pass --assume-role NAME to read other accounts "
                             f"(NAME: a role in {account} with pipelint's auditor policy that trusts "
                             f"{self.caller_arn or 'the auditing principal'})", "unreachable")
        arn = self.role_arn(account)
        params = {"RoleArn": arn, "RoleSessionName": SESSION_NAME}
        if self.external_id:
            params["ExternalId"] = self.external_id

        def fetch() -> dict:
            try:
                creds = self.call(self.home_account or "", self.home_region, "sts", "assume_role",
                                  f"role {arn}", **params)["Credentials"]
            except Unreadable as exc:
                raise Unreadable(f"account {account} could not be reached: sts:AssumeRole on {arn} failed "
                                 f"({exc.code or exc.kind}); that role must exist with pipelint's auditor policy and "
                                 f"trust {self.caller_arn or 'the auditing principal'}"
                                 f"{' with this external id' if self.external_id else ''}, and the caller needs "
                                 f"sts:AssumeRole on it", "unreachable", exc.code) from None
            expiry = creds["Expiration"]
            return {"access_key": creds["AccessKeyId"], "secret_key": creds["SecretAccessKey"],
                    "token": creds["SessionToken"],
                    "expiry_time": expiry.isoformat() if hasattr(expiry, "isoformat") else str(expiry)}

        credentials = RefreshableCredentials.create_from_metadata(fetch(), fetch, "sts-assume-role")
        core = botocore.session.Session(profile=self.profile)
        core.register_component("data_loader", shared_loader())
        core._credentials = credentials  # refreshed by botocore before they expire
        session = boto3.Session(botocore_session=core, region_name=self.home_region)
        self._register(session)
        return session

    # -- clients and calls -------------------------------------------------------------------------
    def _client_for(self, session: Any, account: str | None, region: str, service: str) -> Any:
        key = (account, region, service)
        client = self._clients.get(key)
        if client is None:
            with self._lock:  # boto3 sessions are not safe for concurrent client creation
                client = self._clients.get(key)
                if client is None:
                    client = session.client(service, region_name=region, config=self.config)
                    self._clients[key] = client
        return client

    def client(self, account: str, region: str, service: str) -> Any:
        return self._client_for(self.session(account), account, region, service)

    def call(self, account: str, region: str, service: str, method: str, what: str, **params: Any) -> Any:
        """``client.method(**params)``; any failure becomes :class:`Unreadable`."""
        from botocore.exceptions import BotoCoreError, ClientError

        client = self.client(account, region, service)
        operation = client.meta.method_to_api_mapping.get(method, method)
        try:
            return getattr(client, method)(**params)
        except (BotoCoreError, ClientError) as exc:
            raise explain(exc, what, service, operation, account, region) from None

    def pages(self, account: str, region: str, service: str, method: str, what: str, key: str,
              **params: Any) -> Iterator[Any]:
        """Every item under ``key`` across the pages of a paginated read."""
        from botocore.exceptions import BotoCoreError, ClientError

        client = self.client(account, region, service)
        operation = client.meta.method_to_api_mapping.get(method, method)
        try:
            items = []
            for page in client.get_paginator(method).paginate(**params):
                items.extend(page.get(key) or [])
        except (BotoCoreError, ClientError) as exc:
            raise explain(exc, what, service, operation, account, region) from None
        return iter(items)
