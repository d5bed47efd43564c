"""The AWS Organization: its tree and its service / resource control policies, from the configuration's
``[organization]`` table, ``[[policies]]`` entries of kind ``service-control-policy`` /
``resource-control-policy``, and the AWS CLI outputs of ``aws organizations``:

- ``describe-organization`` ``{"Organization": {"Id", "MasterAccountId"}}``: the organization and its
  management account.
- ``list-roots`` ``{"Roots": [{"Id", "PolicyTypes"}]}``: the root, and which policy types are enabled.
- ``list-accounts`` ``{"Accounts": [...]}``: every member account (so an account not listed is not one).
- ``list-accounts-for-parent``, ``list-organizational-units-for-parent``, ``list-children``: the children
  of the parent named by an ``[[organization.listings]]`` entry (the output does not say whose).
- ``list-policies-for-target --filter SERVICE_CONTROL_POLICY|RESOURCE_CONTROL_POLICY``
  ``{"Policies": [...]}``: every policy of that type attached to the ``targets`` of its ``[[policies]]``
  entry; the policies' documents come from ``describe-policy`` outputs among the inputs (AWS-managed
  ``FullAWSAccess`` and ``RCPFullAWSAccess`` are known).
- ``describe-policy`` ``{"Policy": {"PolicySummary": {"Id", "Name", "Type"}, "Content"}}``: one policy's
  document, bound by its id to wherever a listing attaches it, or to the ``targets`` of its entry.
- a policy document ``{"Statement": ...}`` with a ``[[policies]]`` entry naming its kind and targets.

A target's list of policies is taken as complete once the inputs give any policy for it (every target
has at least one SCP, and RCPFullAWSAccess everywhere): bind FullAWSAccess too where it is attached.
"""

from __future__ import annotations

import json
from typing import Any

from pipelint.errors import InputError
from pipelint.loaders.documents import Document
from pipelint.model import RCP, SCP, Notice, OrgPolicy, PolicyDoc, Source, World

KINDS = {"service-control-policy": SCP, "resource-control-policy": RCP}
WORDS = {SCP: "service control policy", RCP: "resource control policy"}


def is_org_kind(binding: dict | None) -> bool:
    return bool(binding) and binding.get("kind") in KINDS


def is_organizations_output(data: Any) -> bool:
    """An ``aws organizations`` output this module reads (a bare policy document is not one)."""
    if not isinstance(data, dict):
        return False
    policy = data.get("Policy")
    if isinstance(policy, dict) and isinstance(policy.get("PolicySummary"), dict):
        return True
    return any(isinstance(data.get(name), (dict, list)) for name in (
        "Organization", "Roots", "Accounts", "OrganizationalUnits", "Children", "Policies")) and not (
        "Statement" in data or "Resources" in data)


def configure(world: World, table: dict, source: str) -> None:
    """The ``[organization]`` table of the configuration."""
    if not table:
        return
    org = world.org()
    where = Source(source, ("organization",))
    org.source = org.source or where
    org.id = table.get("id") or org.id
    org.root = table.get("root") or org.root
    org.management_account = table.get("management-account") or org.management_account
    for parent, children in (table.get("children") or {}).items():
        for child in children:
            _place(world, child, parent, where)


def _place(world: World, child: str, parent: str, source: Source) -> None:
    org = world.org()
    known = org.parents.get(child)
    if known is not None and known != parent:
        raise InputError(source.file, f"{child} is placed under both {known} and {parent}; an account or OU has "
                         "one parent")
    org.parents[child] = parent
    if parent.startswith("r-") and org.root is None:
        org.root = parent
    if child.isdigit():
        org.members.add(child)


def aws_managed(world: World, kind: str, name: str, targets: list, source: Source) -> None:
    """A ``[[policies]]`` entry ``aws-managed = "FullAWSAccess"``: AWS's own policy on ``targets``."""
    from pipelint.guardrails import AWS_MANAGED, AWS_MANAGED_BY_NAME

    key = AWS_MANAGED_BY_NAME[name]
    if AWS_MANAGED[key][0] != kind:
        raise InputError(source.file, f"{name} is not a {WORDS[kind]}")
    _builtin(world, key)
    for target in targets:
        world.org().attach(kind, target, key, source)


def _builtin(world: World, key: str) -> None:
    from pipelint.guardrails import AWS_MANAGED

    org = world.org()
    if key in org.policies and not _unknown_document(org.policies[key]):
        return
    kind, name, document = AWS_MANAGED[key]
    org.policies[key] = OrgPolicy(key, kind, name, PolicyDoc(document, f"AWS-managed {name}"), aws_managed=True)


def _unknown_document(policy: OrgPolicy) -> bool:
    return not isinstance(policy.document.document, dict)


def _register(world: World, policy: OrgPolicy) -> None:
    """Add ``policy``; a known document replaces one that was only named (by a listing)."""
    old = world.org().policies.get(policy.key)
    if old is None or (_unknown_document(old) and not _unknown_document(policy)):
        world.org().policies[policy.key] = policy


def load(document: Document, world: World, bindings: list[dict], listing: dict | None) -> None:
    """One ``aws organizations`` output, or a policy document bound as an SCP or RCP."""
    data = document.data
    org = world.org()

    def src(*path: Any) -> Source:
        pos = document.locate(path)
        return Source(document.path, tuple(path), *(pos or (None, None)))

    binding = bindings[0] if bindings else None
    kind = KINDS.get(binding.get("kind")) if binding else None
    targets = list(binding.get("targets") or []) if binding else []
    if binding and not kind:
        raise InputError(document.path, f"an aws organizations output cannot be a {binding.get('kind')}; "
                         "use kind = \"service-control-policy\" or \"resource-control-policy\"")
    org.source = org.source or src()

    policy = data.get("Policy")
    if isinstance(policy, dict) and isinstance(policy.get("PolicySummary"), dict):
        found = _described_policy(document, policy, kind, src)
        _register(world, found)
        for target in targets:
            org.attach(found.kind, target, found.key, src())
        return
    if isinstance(data.get("Policies"), list):
        if not kind:
            world.notices.append(Notice(document.path, "a list-policies-for-target output does not say which "
                                        "target it lists: add [[policies]] with file, kind and targets; skipped"))
            return
        _listed_policies(world, data["Policies"], kind, targets, src)
        return
    if isinstance(data.get("Organization"), dict):
        described = data["Organization"]
        org.id = _text(described.get("Id")) or org.id
        org.management_account = _text(described.get("MasterAccountId")) or org.management_account
        return
    if isinstance(data.get("Roots"), list):
        for root in data["Roots"]:
            if isinstance(root, dict) and _text(root.get("Id")):
                org.root = root["Id"]
                enabled = {t.get("Type"): t.get("Status") == "ENABLED" for t in root.get("PolicyTypes") or []
                           if isinstance(t, dict)}
                for policy_type in (SCP, RCP):
                    org.types[policy_type] = enabled.get(policy_type, False)
        return
    for name in ("Accounts", "OrganizationalUnits", "Children"):
        if not isinstance(data.get(name), list):
            continue
        items = [item for item in data[name] if isinstance(item, dict) and _text(item.get("Id"))]
        ids = [item["Id"] for item in items]
        if listing is not None:
            for child in ids:
                _place(world, child, listing["parent"], src())
        elif name == "Accounts":
            # list-accounts: every account of the organization
            org.members.update(item["Id"] for item in items if item.get("Status", "ACTIVE") == "ACTIVE")
            org.members_complete = True
        else:
            world.notices.append(Notice(document.path, f"this {name} listing does not say whose children it "
                                        "lists: add [[organization.listings]] with file and parent; skipped"))
        return


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _described_policy(document: Document, policy: dict, kind: str | None, src) -> OrgPolicy:
    summary = policy["PolicySummary"]
    pid, name, found_kind = _text(summary.get("Id")), _text(summary.get("Name")), _text(summary.get("Type"))
    if found_kind not in (SCP, RCP):
        raise InputError(document.path, f"describe-policy output of a {found_kind or 'policy without a Type'}: "
                         "pipelint reads service and resource control policies", *(
                             document.locate(("Policy", "PolicySummary")) or (None, None)))
    if kind and kind != found_kind:
        raise InputError(document.path, f"the configuration binds this file as a {WORDS[kind]}, but it is a "
                         f"{WORDS[found_kind]} ({found_kind})")
    content = policy.get("Content")
    if isinstance(content, str):
        try:
            content = json.loads(content)
        except ValueError as exc:
            raise InputError(document.path, f"the policy Content is not valid JSON ({exc.msg})",
                             *(document.locate(("Policy", "Content")) or (None, None))) from None
    if not isinstance(content, dict):
        raise InputError(document.path, "the policy Content is not a JSON object",
                         *(document.locate(("Policy", "Content")) or (None, None)))
    key = pid or document.path
    title = name or key
    return OrgPolicy(key, found_kind, title, PolicyDoc(content, f"{WORDS[found_kind]} {title}", src("Policy", "Content")),
                     aws_managed=bool(summary.get("AwsManaged")))


def _listed_policies(world: World, listed: list, kind: str, targets: list, src) -> None:
    from pipelint.guardrails import AWS_MANAGED
    from pipelint.values import Unknown

    org = world.org()
    for i, item in enumerate(listed):
        if not isinstance(item, dict) or not _text(item.get("Id")):
            continue
        if item.get("Type") not in (None, kind):
            continue  # list-policies-for-target of another --filter
        key = item["Id"]
        if key in AWS_MANAGED:
            _builtin(world, key)
        else:
            name = _text(item.get("Name")) or key
            _register(world, OrgPolicy(key, kind, name, PolicyDoc(
                Unknown(f"the content of {WORDS[kind]} {name} ({key}): `aws organizations describe-policy "
                        f"--policy-id {key}` output"), f"{WORDS[kind]} {name}", src("Policies", i))))
        for target in targets:
            org.attach(kind, target, key, src("Policies", i))
    for target in targets:  # an empty listing still says what is attached: nothing of this type
        if not isinstance(org.attached.get((kind, target)), list):
            org.attached[(kind, target)] = []
            org.types.setdefault(kind, True)


def load_document(document: Document, world: World, binding: dict, path: tuple = ()) -> None:
    """A bare policy document that the configuration binds as an SCP or RCP."""
    kind = KINDS[binding["kind"]]
    data = document.data

    def src(*sub: Any) -> Source:
        pos = document.locate(sub)
        return Source(document.path, tuple(sub), *(pos or (None, None)))

    doc = data
    for step in path:
        doc = doc[step]
    if isinstance(doc, str):
        try:
            doc = json.loads(doc)
        except ValueError as exc:
            raise InputError(document.path, f"the policy text is not valid JSON ({exc.msg})") from None
    if not isinstance(doc, dict):
        raise InputError(document.path, "the policy is not a JSON object")
    name = document.path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    policy = OrgPolicy(document.path, kind, name, PolicyDoc(doc, f"{WORDS[kind]} {name}", src(*path),
                                                             lambda sub: src(*path, *sub)))
    _register(world, policy)
    world.org().source = world.org().source or src()
    for target in binding.get("targets") or []:
        world.org().attach(kind, target, policy.key, src())


def finish(world: World) -> None:
    """After every input: AWS-managed policies named by id, described policies attached nowhere,
    and the organization's accounts as the run's own."""
    from pipelint.guardrails import AWS_MANAGED

    org = world.organization
    if org is None:
        return
    for keys in list(org.attached.values()):
        for key in keys if isinstance(keys, list) else []:
            if key in AWS_MANAGED and key not in org.policies:
                _builtin(world, key)
    attached = {key for keys in org.attached.values() if isinstance(keys, list) for key in keys}
    for key, policy in org.policies.items():
        if key not in attached and not policy.aws_managed and policy.document.source is not None:
            world.notices.append(Notice(policy.document.source.file,
                                        f"{WORDS[policy.kind]} {policy.name} is attached to nothing the inputs name: "
                                        "add [[policies]] with its file, kind and targets, or the "
                                        "list-policies-for-target output of the targets it is attached to"))
    for kind in (SCP, RCP):
        if org.types.get(kind) is False and any(k == kind and keys for (k, _), keys in org.attached.items()
                                               if isinstance(keys, list)):
            where = org.source.file if org.source is not None else "(organization)"
            world.notices.append(Notice(where, f"{WORDS[kind][:-1]}ies are bound to targets, but the list-roots output says "
                                        f"the {kind} policy type is not enabled in the organization: they do not apply"))
    if world.org_id is None:
        world.org_id = org.id
    members = org.members | {a for a in org.parents if a.isdigit()}
    if org.management_account:
        members.add(org.management_account)
    if members:
        world.our_accounts = tuple(dict.fromkeys([*world.our_accounts, *sorted(members)]))
