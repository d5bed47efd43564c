"""Reads the AWS Organization of the audited accounts (``pipelint audit --org``): where each account
sits (root, OUs) and the service and resource control policies attached on its path.

Only the management account or a delegated administrator may read these (AWS Organizations API
reference, ListRoots / ListParents / ListPoliciesForTarget / DescribePolicy). When the auditing principal
may not, the audit goes on without guardrails and says so in one note, naming the permissions; a
single list or policy that cannot be read is written as unreadable, and the checks it bears on are
unverified (never allowed). What is read goes into the ``organization`` section of the auditing
account's ``global`` snapshot file (format: :mod:`pipelint.loaders.snapshot`).
"""

from __future__ import annotations

import threading
from typing import Any

from pipelint.live.clients import Unreadable

SCP, RCP = "SERVICE_CONTROL_POLICY", "RESOURCE_CONTROL_POLICY"
PERMISSIONS = ("organizations:DescribeOrganization", "organizations:ListRoots", "organizations:ListParents",
               "organizations:ListPoliciesForTarget", "organizations:DescribePolicy")


def not_checked(reason: str) -> str:
    return (f"guardrails (service and resource control policies) were not checked: {reason}. Reading them takes "
            f"{', '.join(PERMISSIONS)}, from the organization's management account or a delegated administrator "
            "account (run the audit there, or grant them to the auditing role)")


class OrganizationReader:
    """Reads on the collector's thread pool, one task per account path, target and policy."""

    def __init__(self, collector: Any) -> None:
        self.collector = collector
        self.clients = collector.clients
        self.data: dict | None = None
        self._lock = threading.Lock()
        self._types: list[str] = []

    def start(self, home: str, accounts: list[str], members: list[str] | dict | None) -> None:
        self.collector.submit(("organization",), self._read, home, accounts, members)

    def _call(self, home: str, method: str, what: str, **params: Any) -> Any:
        return self.clients.call(home, self.clients.home_region, "organizations", method, what, **params)

    def _pages(self, home: str, method: str, what: str, key: str, **params: Any) -> list:
        return list(self.clients.pages(home, self.clients.home_region, "organizations", method, what, key, **params))

    def _read(self, home: str, accounts: list[str], members: Any) -> None:
        try:
            org = self._call(home, "describe_organization", "the organization")["Organization"]
        except Unreadable as exc:
            if exc.code == "AWSOrganizationsNotInUseException":
                self.collector.snapshot.note(home, self.clients.home_region, f"account {home} is not in an AWS "
                                             "Organization: no service or resource control policies apply")
            else:
                self.collector.snapshot.note(home, self.clients.home_region, not_checked(exc.reason))
            return
        try:
            roots = self._pages(home, "list_roots", "the organization's root", "Roots")
        except Unreadable as exc:
            self.collector.snapshot.note(home, self.clients.home_region, not_checked(exc.reason))
            return
        root = roots[0] if roots else {}
        enabled = {t.get("Type"): t.get("Status") == "ENABLED" for t in root.get("PolicyTypes") or []}
        self._types = [kind for kind in (SCP, RCP) if enabled.get(kind)]
        self.data = {"id": org.get("Id"), "root": root.get("Id"), "management_account": org.get("MasterAccountId"),
                     "policy_types": {kind: bool(enabled.get(kind)) for kind in (SCP, RCP)},
                     "accounts": members if members is not None else {"unreadable": "the organization's accounts "
                                                                      "could not be listed"},
                     "parents": {}, "targets": {}, "policies": {}}
        if not self._types:
            return  # neither policy type is enabled: nothing restricts the accounts
        for account in accounts:
            self.collector.submit(("org-path", account), self._path, home, account)

    def _path(self, home: str, child: str) -> None:
        """Climb from ``child`` to the root, reading each level's policies on the way."""
        while True:
            self.collector.submit(("org-target", child), self._target, home, child)
            if child.startswith("r-"):
                return
            with self._lock:
                parent = self.data["parents"].get(child)
            if parent is None:
                try:
                    parents = self._pages(home, "list_parents", f"the parent of {child} in the organization",
                                          "Parents", ChildId=child)
                except Unreadable as exc:
                    self.collector.snapshot.note(home, "global", f"where {child} sits in the organization could not "
                                                 f"be read, so the guardrails above it are unverified: {exc.reason}")
                    return
                if not parents:
                    return
                parent = parents[0]["Id"]
                with self._lock:
                    self.data["parents"][child] = parent
            child = parent

    def _target(self, home: str, target: str) -> None:
        lists: dict = {}
        for kind in self._types:
            try:
                listed = self._pages(home, "list_policies_for_target", f"the {kind} policies attached to {target}",
                                     "Policies", TargetId=target, Filter=kind)
            except Unreadable as exc:
                lists[kind] = {"unreadable": exc.reason}
                continue
            lists[kind] = sorted(p["Id"] for p in listed)
            for policy in listed:
                self.collector.submit(("org-policy", policy["Id"]), self._policy, home, policy["Id"], kind)
        with self._lock:
            self.data["targets"][target] = lists

    def _policy(self, home: str, pid: str, kind: str) -> None:
        from pipelint.live.collector import policy_document

        entry: dict = {"id": pid, "type": kind}
        try:
            policy = self._call(home, "describe_policy", f"policy {pid}", PolicyId=pid)["Policy"]
            summary = policy.get("PolicySummary") or {}
            entry.update(name=summary.get("Name"), aws_managed=bool(summary.get("AwsManaged")),
                         document=policy_document(policy.get("Content")))
        except Unreadable as exc:
            entry["document"] = {"unreadable": exc.reason}
        with self._lock:
            self.data["policies"][pid] = entry

    def section(self) -> dict | None:
        """The ``organization`` snapshot section, in a stable order; None when nothing was read."""
        if self.data is None:
            return None
        data = dict(self.data)
        data["parents"] = dict(sorted(data["parents"].items()))
        data["targets"] = {t: dict(sorted(v.items())) for t, v in sorted(data["targets"].items())}
        data["policies"] = [data["policies"][pid] for pid in sorted(data["policies"])]
        if isinstance(data["accounts"], list):
            data["accounts"] = sorted(data["accounts"])
        return data
