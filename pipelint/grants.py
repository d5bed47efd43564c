"""Bridges the model and the policy evaluator for the grant rules.

Builds the evaluator's request for "may this role do this to that resource" from what the model knows
(the role's policies, the resource's policy, the request context a pipeline action really has) and turns
the result into a finding: which layer is missing, the Deny that decided, a statement to paste as a fix.
"""

from __future__ import annotations

import json

from pipelint import arns, guardrails, queries, request_context
from pipelint.model import PolicyDoc, Role, Source, World
from pipelint.policy import Decision, Policy, Principal, Request, Result, StatementRef, evaluate
from pipelint.records import record
from pipelint.values import Unknown

TYPE_CHECKING = False  # for annotations only: typing costs 3 ms to import
if TYPE_CHECKING:
    from typing import Any


@record
class Check:
    """One requirement: ``principal`` may ``action`` on ``resource``."""

    principal: Any  # role ARN (str/Unknown), or a service name when ``service`` is set
    action: str
    resource: str
    resource_account: Any
    resource_policy: PolicyDoc | None
    kind: str = "generic"  # evaluator kind: generic / kms / trust
    context: dict | None = None
    service: str | None = None


def policy(doc: PolicyDoc | None) -> Policy | None:
    if doc is None:
        return None
    return Policy(doc.document, doc.name, doc)  # the PolicyDoc rides along to locate deciding statements


def identity_policies(world: World, role: Role | None) -> list[Policy] | None:
    """The role's identity policies; None when the role is not among the inputs at all."""
    if role is None:
        return None
    found = [Policy(d.document, d.name, d) for d in role.inline_policies]
    found.extend(managed_policy(world, arn) for arn in role.managed_policy_arns)
    if not role.policies_complete:
        found.append(Policy(Unknown(f"the identity policies of role {role.arn} (the inputs hold only part "
                                    "of them)"), f"other policies of {role.arn}"))
    return found


def managed_policy(world: World, arn: Any) -> Policy:
    """The managed policy ``arn`` as the evaluator sees it: the inputs' document first (a template, a
    snapshot or the live audit read the real one), else pipelint's copy of an AWS-managed policy (its
    name carries the copy's date, so messages quoting it do), else unknown, saying what would settle it."""
    managed = world.managed_policy(arn)
    if managed is not None:
        return Policy(managed.document.document, f"managed policy {arn}", managed.document)
    if isinstance(arn, Unknown):
        return Policy(Unknown(arn.reason), f"managed policy {arn}")
    if _aws_managed(arn):
        from pipelint.data import aws_managed_policies  # the shipped copy: imported and read only here

        copy = aws_managed_policies.lookup(arn)
        if copy is not None:
            return Policy(copy.document, aws_managed_policies.label(copy))
        return Policy(Unknown(aws_managed_policies.missing(arn)), f"AWS managed policy {arn}")
    return Policy(Unknown(f"the document of managed policy {arn} (not among the inputs)"), f"managed policy {arn}")


def _aws_managed(arn: Any) -> bool:
    """An AWS-managed policy ARN (``arn:PARTITION:iam::aws:policy/...``), without importing the data module."""
    return isinstance(arn, str) and arn.startswith("arn:") and ":iam::aws:policy/" in arn


def copies_note(world: World, check: Check) -> str:
    """When the principal's own policy decided with AWS-managed policies from pipelint's copy, say so
    (with the copy's date): AWS may have changed them since."""
    role = None if check.service else world.role(check.principal)
    if role is None:
        return ""
    arns_used = [arn for arn in role.managed_policy_arns if _aws_managed(arn) and world.managed_policy(arn) is None]
    if not arns_used:
        return ""
    from pipelint.data import aws_managed_policies

    used = [aws_managed_policies.lookup(arn) for arn in arns_used]
    labels = [aws_managed_policies.label(copy) for copy in used if copy is not None]
    return f"; this rests on {', '.join(labels)}" if labels else ""


def boundary(world: World, role: Role | None) -> Policy | None:
    """The role's permissions boundary (IAM UG, "Permissions boundaries for IAM entities"): it caps
    every identity-based grant; None when the role has none."""
    if role is None or role.permissions_boundary is None:
        return None
    policy = managed_policy(world, role.permissions_boundary)
    name = f"permissions boundary {role.permissions_boundary} of role {role.arn}"
    if isinstance(policy.document, Unknown):
        return Policy(Unknown(f"{policy.document.reason}, the {name}"), name)
    return Policy(policy.document, name, policy.source)


def principal(world: World, arn: Any, service: str | None = None) -> Principal:
    if service:
        return Principal(arn=None, account=None, service=service)
    account = arns.account_of(arn)
    role_arn = None
    if isinstance(arn, str) and ":assumed-role/" in arn:
        # a session's aws:PrincipalArn is its role's ARN, path included: known when the role is
        name = arn.split(":assumed-role/", 1)[1].split("/", 1)[0]
        role_arn = next((r.arn for r in world.roles.values() if r.name == name and r.account == account), None)
    return Principal(arn=arn if isinstance(arn, str) else None, account=account, role_arn=role_arn,
                     org_id=request_context.organization_of(world, account))


def run(world: World, check: Check) -> Result:
    """The evaluator's answer to ``check``. A service principal's request that carries no context of
    its own is answered once per run: many pipelines share an execution role, which CloudFormation
    assumes with the same request every time (20,000 of the 160,000 checks of 10,000 pipelines).
    Requests with a context (EventBridge's carry the rule's ARN) differ from one another: not kept."""
    key = _service_request(check)
    if key is None:
        return _run(world, check)
    answered = world.__dict__.setdefault("_service_requests", {})
    found = answered.get(key)
    if found is not None and found[0] is check.resource_policy:  # the very document, not a namesake
        return found[1]
    result = _run(world, check)
    if len(answered) >= _SERVICE_REQUESTS_MOST:
        answered.clear()
    answered[key] = (check.resource_policy, result)  # keeps the document alive: its id stays its own
    return result


_SERVICE_REQUESTS_MOST = 4096


def _service_request(check: Check) -> tuple | None:
    """What a context-free service principal's request depends on besides the (unchanging) world; None
    for any other request, or one with a value that cannot be a key."""
    if not check.service or check.principal is not None or check.context:
        return None
    key = (check.service, check.action, check.resource, check.resource_account, check.kind,
           id(check.resource_policy))
    try:
        hash(key)
    except TypeError:  # an unknown value that cannot be a key
        return None
    return key


def _run(world: World, check: Check) -> Result:
    role = world.role(check.principal) if not check.service else None
    identities = [] if check.service else identity_policies(world, role)
    if identities is None and isinstance(check.principal, str):
        why = queries.settle_role(world, check.principal)
        identities = [Policy(Unknown(why), why)]  # named by what settles it: that is all there is to say
    context = {**request_context.resource(world, check.resource_account), **(check.context or {})}
    request = Request(
        principal=principal(world, check.principal, check.service), action=check.action,
        resource=check.resource,
        resource_account=check.resource_account if isinstance(check.resource_account, str) else None,
        context={**context, **guardrails.context(world, check), **(check.context or {})})
    return evaluate(request, identities, policy(check.resource_policy), kind=check.kind,
                    permissions_boundary=boundary(world, role), **guardrails.layers(world, check))


def layer_text(result: Result, resource_word: str, absent: bool = False) -> str:
    """Which layer let the request down, in words; ``absent``: the resource has no policy at all and
    the request needs one (a service principal, or a principal from another account)."""
    parts = []
    if result.scp is not None and result.scp is not Decision.ALLOWED:
        parts.append(f"the organization's service control policy layer ({_word(result.scp)})")
    if result.rcp is not None and result.rcp is not Decision.ALLOWED:
        parts.append(f"the organization's resource control policy layer ({_word(result.rcp)})")
    if result.identity is not None and result.identity is not Decision.ALLOWED:
        parts.append(f"the principal's own IAM policy ({_word(result.identity)})")
    if result.boundary is not None and result.boundary is not Decision.ALLOWED:
        parts.append(f"its permissions boundary ({_word(result.boundary)}; a boundary caps what IAM policies grant)")
    if result.resource is not None and result.resource is not Decision.ALLOWED:
        parts.append(f"the {resource_word} ({_word(result.resource)})")
    elif absent:
        parts.append(f"there is no {resource_word}")
    return " and ".join(parts) or "the policies together"


def _word(decision: Decision) -> str:
    return {Decision.EXPLICIT_DENY: "explicitly denies it", Decision.IMPLICIT_DENY: "does not allow it",
            Decision.UNKNOWN: "cannot be settled", Decision.ALLOWED: "allows it"}[decision]


def deny_fix(result: Result, principal: Any, service: bool = False) -> str | None:
    """For an explicit Deny an added Allow changes nothing: the fix is to exempt the principal."""
    if result.decision is not Decision.EXPLICIT_DENY or not result.deciding:
        return None
    ref = result.deciding[0]
    how = ('e.g. add "BoolIfExists": {"aws:PrincipalIsAWSService": "false"} to its condition, the usual '
           "exemption for AWS services, which carry no aws:PrincipalOrgID, aws:PrincipalAccount or "
           "aws:PrincipalArn" if service else "e.g. add its account or ARN to the statement's condition")
    return (f"{ref.label()} denies {principal}; an Allow cannot override it. Exempt {principal} from that "
            f"statement ({how}) or remove the statement.")


def deny_quote(result: Result) -> str:
    if result.decision is not Decision.EXPLICIT_DENY or not result.deciding:
        return ""
    ref = result.deciding[0]
    return f"; denied by {ref.label()}: {json.dumps(ref.statement, sort_keys=True, default=str, ensure_ascii=False)}"


class Fix:
    """``WHERE: STATEMENT``, a statement to paste (see :func:`statement`), worded only when a finding
    shows it: most checks pass, and at 10,000 pipelines 250,000 of them were encoded for nothing."""

    __slots__ = ("where", "args", "kwargs")

    def __init__(self, where: str, *args: Any, **kwargs: Any) -> None:
        self.where, self.args, self.kwargs = where, args, kwargs

    def __str__(self) -> str:
        return f"{self.where}: {statement(*self.args, **self.kwargs)}"


def statement(sid: str, actions: list[str], resources: Any, principal_arn: Any = None,
              service: str | None = None, condition: dict | None = None) -> str:
    """A policy statement to paste as a fix (with Principal for resource policies)."""
    body: dict = {"Sid": sid, "Effect": "Allow"}
    if service:
        body["Principal"] = {"Service": service}
    elif principal_arn is not None:
        body["Principal"] = {"AWS": str(principal_arn)}
    body["Action"] = actions if len(actions) > 1 else actions[0]
    if resources is not None:  # trust policies name no Resource
        body["Resource"] = resources
    if condition is not None:
        body["Condition"] = condition
    return _ENCODE(body)  # placeholders stay readable for values.display


def _encoder():
    """json.dumps(body, ensure_ascii=False) without building an encoder on every call (two calls per grant
    check): the C encoder made once (no circular-reference check: a fix statement is a small tree)."""
    from json import encoder

    plain = json.JSONEncoder(ensure_ascii=False)
    if encoder.c_make_encoder is None:  # pragma: no cover - CPython always has the C encoder
        return plain.encode
    make = encoder.c_make_encoder(None, plain.default, encoder.encode_basestring, None, plain.key_separator,
                                  plain.item_separator, False, False, True)
    return lambda body: "".join(make(body, 0))


_ENCODE = _encoder()


def location(doc: PolicyDoc | None, fallback: Source) -> Source:
    return doc.source if doc is not None and doc.source is not None else fallback


def unknowns(result: Result) -> str:
    return "; ".join(result.unknowns) or "an input the evaluator could not see"


def statement_source(ref: StatementRef) -> Source | None:
    """Where a deciding statement is written (file and line), when its policy came from the inputs."""
    doc = ref.policy.source
    if not isinstance(doc, PolicyDoc) or ref.index < 0:
        return None
    if isinstance(doc.document, dict) and isinstance(doc.document.get("Statement"), list):
        return doc.at("Statement", ref.index)
    return doc.source


def blame(world: World, result: Result, resource_doc: PolicyDoc | None, role_arn: Any, fallback: Source) -> Source:
    """Where to point: the Deny that decided; else the resource-side policy when it is the missing layer,
    else the role, else ``fallback``."""
    if result.decision is Decision.EXPLICIT_DENY and result.deciding:
        where = statement_source(result.deciding[0])
        if where is not None:
            return where
    if result.resource is not None and result.resource is not Decision.ALLOWED and resource_doc is not None \
            and resource_doc.source is not None:
        return resource_doc.source
    role = world.role(role_arn)
    if result.identity is not None and result.identity is not Decision.ALLOWED and role is not None:
        return role.source
    if result.boundary is not None and result.boundary is not Decision.ALLOWED and role is not None:
        managed = world.managed_policy(role.permissions_boundary)
        return managed.document.source or role.source if managed is not None else role.source
    return fallback


def judge(world: World, report: Any, check: Check, *, what: str, at: Source, resources: list,
          resource_word: str = "policy", resource_fix: str | Fix | None = None,
          identity_fix: str | Fix | None = None) -> Result:
    """Evaluate ``check`` and report what a grant rule reports: nothing when allowed, an unverified
    finding naming the missing input when unknown, else a failure that says which layer is missing,
    quotes a deciding Deny, points at it, and gives the statement(s) to add."""
    result = run(world, check)
    if result.decision is Decision.ALLOWED:
        return result
    if result.decision is Decision.UNKNOWN:
        report.unverified(at, f"cannot tell whether the policies allow {what}", resources=resources,
                          settle=unknowns(result))
        return result
    # no resource policy at all: it is the missing layer when only it can grant (a service principal)
    # or the principal comes from another account (both layers are needed then)
    account = arns.account_of(check.principal) if not check.service else None
    absent = check.resource_policy is None and (
        bool(check.service) or (isinstance(account, str) and isinstance(check.resource_account, str)
                                and account != check.resource_account))
    fixes = []
    if resource_fix and (absent or result.resource is not None and result.resource is not Decision.ALLOWED):
        fixes.append(str(resource_fix))
    if identity_fix and result.identity is not None and result.identity is not Decision.ALLOWED:
        fixes.append(str(identity_fix))
    if result.scp is Decision.IMPLICIT_DENY or result.rcp is Decision.IMPLICIT_DENY:
        # every level from the root down must allow (AWS Organizations UG, "SCP evaluation")
        fixes.append(f"attach to each level that does not allow it an SCP that allows {check.action} (FullAWSAccess "
                     f"does), or allow {check.action} in the SCP already there: "
                     + "; ".join(r for r in result.reasons if "attached to" in r))
    if result.boundary is not None and result.boundary is not Decision.ALLOWED:
        role = world.role(check.principal)
        fixes.append(f"permissions boundary {role.permissions_boundary if role else ''} of role {check.principal}: "
                     f"allow {check.action} on {check.resource} (or a wildcard that covers it)")
    why = layer_text(result, resource_word, absent)
    principal = check.service or check.principal
    misses = "".join(f"; {miss}" for miss in result.near_misses)
    rests = copies_note(world, check) if result.identity is not None and result.identity is not Decision.ALLOWED else ""
    report.fail(blame(world, result, check.resource_policy, None if check.service else check.principal, at),
                f"{what} is denied: {why}{deny_quote(result)}{misses}{rests}", resources=resources,
                fix=deny_fix(result, principal, bool(check.service)) or "\n".join(fixes) or None)
    return result


def missing(text: str) -> PolicyDoc:
    """A resource policy that is not among the inputs."""
    return PolicyDoc(Unknown(text), text)
