"""The request evaluator: one request, the policies that apply, one decision with its reasons.

AWS rules encoded here (each checked against the AWS documentation; see tests/test_policy_*.py for a
case per rule):

- IAM UG, "Policy evaluation logic": an explicit Deny in any applicable policy wins; otherwise an
  Allow is needed; otherwise the request is implicitly denied.
- IAM UG, "Policy evaluation for requests within a single account": in one account an Allow in either
  the identity policy or the resource policy suffices. A resource policy that names the account
  (``arn:aws:iam::ACCT:root`` or ``"ACCT"``) grants to the account, i.e. delegates to its IAM policies.
- IAM UG, "Cross-account policy evaluation logic": the identity policy (caller's account) and the
  resource policy (resource's account) must both allow; the resource policy may name the caller,
  its role, its account or ``*``.
- KMS DG, "Key policies": without permission from the key policy, IAM policies that allow have no
  effect; the key policy may allow a principal directly or allow the key's account (root), which
  enables IAM policies. Cross-account: key policy AND the caller's IAM policy.
- STS API AssumeRole / IAM UG roles: a role trust policy naming the caller's ARN lets a same-account
  caller assume it without an identity policy; naming the account root needs the caller's identity
  policy too; cross-account needs both.
- IAM UG, "Permissions boundaries": a boundary caps identity-based permissions; in one account a
  resource policy naming the user or session ARN is not limited by the boundary's implicit deny,
  naming the role ARN is; a Deny with NotPrincipal always applies to a principal with a boundary.
- STS API GetCallerIdentity: needs no permission, even with an explicit Deny.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from pipelint.values import Unknown

from .conditions import Context, evaluate_condition, substitute
from .match import (
    ACCOUNT,
    EXACT,
    ROLE,
    account_of,
    action_matches,
    is_root_arn,
    match_principal,
    not_principal_excludes,
    resource_matches,
    role_name,
    session_role_name,
    t_and,
    t_not,
    t_or,
)
from .model import Decision, Policy, Principal, Request, Result, StatementRef
from .plain import SLOW as _SLOW
from .plain import plain_actions as _plain_actions
from .plain import plain_resources as _plain_resources
from . import shortcut
from .principal_context import request_context

TYPE_CHECKING = False  # for annotations only: typing costs 3 ms to import
if TYPE_CHECKING:
    from typing import Any

KINDS = ("generic", "kms", "trust")
_RP_WORD = {"generic": "resource policy", "kms": "key policy", "trust": "trust policy"}
_KINDS3 = (EXACT, ROLE, ACCOUNT)


# ----------------------------------------------------------------------------- layers


class _Layer:
    """What the statements of one layer (identity, boundary, resource) say about the request."""

    __slots__ = ("name", "deny", "deny_refs", "deny_unknown_refs", "deny_unknowns", "allow", "allow_refs",
                 "allow_unknown_refs", "allow_unknowns", "near_misses")

    def __init__(self, name: str) -> None:
        # a plain class, not a dataclass: three or four of these are built per request
        self.name = name
        self.deny: bool | None = False
        self.deny_refs: list[StatementRef] = []
        self.deny_unknown_refs: list[StatementRef] = []
        self.deny_unknowns: list[str] = []
        self.allow: dict[str, bool | None] = {EXACT: False, ROLE: False, ACCOUNT: False}
        self.allow_refs: dict[str, list[StatementRef]] = {EXACT: [], ROLE: [], ACCOUNT: []}
        self.allow_unknown_refs: dict[str, list[StatementRef]] = {EXACT: [], ROLE: [], ACCOUNT: []}
        self.allow_unknowns: dict[str, list[str]] = {EXACT: [], ROLE: [], ACCOUNT: []}
        # Allow statements that name the request but whose condition does not hold: (label, what failed)
        self.near_misses: list[str] = []

    def any_allow(self) -> bool | None:
        return t_or(self.allow.values())


def _names_services(element: Any) -> list[str]:
    """The service principals a Principal element names."""
    if not isinstance(element, dict):
        return []
    services = element.get("Service")
    services = [services] if isinstance(services, str) else services if isinstance(services, list) else []
    return [s for s in services if isinstance(s, str)]


def _dedupe_refs(refs: list[StatementRef]) -> list[StatementRef]:
    seen: set[tuple[int, int]] = set()
    out = []
    for r in refs:
        key = (id(r.policy), r.index)
        if key not in seen:
            seen.add(key)
            out.append(r)
    return out


def _unknown_layer(name: str, reason: str) -> _Layer:
    layer = _Layer(name)
    layer.deny = None
    layer.deny_unknowns.append(reason)
    for k in _KINDS3:
        layer.allow[k] = None
        layer.allow_unknowns[k].append(reason)
    return layer


class _Label:
    """The human label of a statement, built only when a message needs it."""

    __slots__ = ("policy", "index", "sid")

    def __init__(self, policy: Policy, index: int, sid: str | None):
        self.policy, self.index, self.sid = policy, index, sid

    def __str__(self) -> str:
        return StatementRef(self.policy, self.index, self.sid, None).label()


def _element_match(values: Any, fn, label: _Label, element: str, unknowns: list[str]) -> bool | None:
    if isinstance(values, Unknown):
        unknowns.append(f"{element} of {label} ({values.reason})")
        return None
    if not isinstance(values, (list, tuple)):
        values = (values,)
    seen_none = False
    for v in values:
        r = fn(v)
        if r is True:
            return True
        if r is None:
            seen_none = True
            if isinstance(v, Unknown):
                unknowns.append(f"{element} of {label} ({v.reason})")
    return None if seen_none else False


def _label(policy: Policy, index: int, stmt: dict) -> _Label:
    sid = stmt.get("Sid")
    return _Label(policy, index, sid if isinstance(sid, str) else None)


def _resource_entry_matcher(request: Request, ctx: Context, variables: bool, label: _Label, unknowns: list[str]):
    resource = request.resource

    def fn(pattern: Any) -> bool | None:
        if not isinstance(pattern, str) or isinstance(resource, Unknown):
            r = resource_matches(pattern, resource)
            if r is None and isinstance(resource, Unknown):
                unknowns.append(f"ARN of the requested resource ({resource.reason})")
            return r
        if variables and "${" in pattern:
            sub = substitute(pattern, ctx, variables)
            if sub.state == "unknown":
                unknowns.append(f"{sub.reason} in Resource of {label}")
                return None
            if sub.state == "nomatch":
                return False
            pattern = sub.value
        return resource_matches(pattern, resource)

    return fn


def _raw_statements(doc: Any) -> list:
    raw = doc.get("Statement") if isinstance(doc, dict) else None
    if raw is None:
        return []
    if isinstance(raw, Unknown):
        return [raw]
    return list(raw) if isinstance(raw, (list, tuple)) else [raw]


_NO_MATCH = {EXACT: False, ROLE: False, ACCOUNT: False}
_IDENTITY_MATCH = {EXACT: True, ROLE: False, ACCOUNT: False}


def _eval_layer(
    name: str,
    policies: Sequence[Policy],
    request: Request,
    ctx: Context,
    *,
    resource_layer: bool,
    has_boundary: bool,
) -> _Layer:
    layer = _Layer(name)
    p = request.principal
    action = request.action
    resource = request.resource
    plain_action = isinstance(action, str)
    plain_resource = isinstance(resource, str)
    deny_vals: list[bool | None] = []
    allow_vals: dict[str, list[bool | None]] = {k: [] for k in _KINDS3}

    def match_action(x: Any) -> bool | None:
        return action_matches(x, action)

    def unknown_everything(ref: StatementRef, reason: str) -> None:
        deny_vals.append(None)
        layer.deny_unknowns.append(reason)
        layer.deny_unknown_refs.append(ref)
        for k in _KINDS3:
            allow_vals[k].append(None)
            layer.allow_unknowns[k].append(reason)
            layer.allow_unknown_refs[k].append(ref)

    for policy in policies:
        doc = policy.document
        if isinstance(doc, Unknown):
            # a reason that already names the policy is not wrapped again ("document of X (document of X ...)")
            reason = doc.reason if policy.name in doc.reason else f"document of {policy.name} ({doc.reason})"
            unknown_everything(StatementRef(policy, -1, None, doc), reason)
            continue
        variables = isinstance(doc, dict) and doc.get("Version") == "2012-10-17"
        for index, stmt in enumerate(_raw_statements(doc)):
            if isinstance(stmt, Unknown):
                unknown_everything(StatementRef(policy, index, None, stmt),
                                   f"statement {index + 1} of {policy.name} ({stmt.reason})")
                continue
            if not isinstance(stmt, dict):
                continue
            unknowns: list[str] = []

            # Action / NotAction (most statements of a role name other actions: decided here, cheaply)
            if "Action" in stmt:
                a = _plain_actions(stmt["Action"], action) if plain_action else _SLOW
                if a is _SLOW:
                    a = _element_match(stmt["Action"], match_action, _label(policy, index, stmt), "Action", unknowns)
            elif "NotAction" in stmt:
                a = _plain_actions(stmt["NotAction"], action) if plain_action else _SLOW
                if a is _SLOW:
                    a = t_not(_element_match(stmt["NotAction"], match_action, _label(policy, index, stmt),
                                             "NotAction", unknowns))
                else:
                    a = not a
            else:
                a = False
            if a is False:
                continue
            label = _label(policy, index, stmt)
            sid = label.sid

            # Effect
            effect = stmt.get("Effect")
            if isinstance(effect, Unknown):
                unknowns.append(f"Effect of {label} ({effect.reason})")
                effect = None
            elif isinstance(effect, str) and effect.lower() in ("allow", "deny"):
                effect = effect.capitalize()
            else:
                continue  # not a valid statement: it neither allows nor denies

            # Resource / NotResource (absent in a resource policy: the resource it is attached to)
            if "Resource" in stmt:
                r = _plain_resources(stmt["Resource"], resource, variables) if plain_resource else _SLOW
                if r is _SLOW:
                    rfn = _resource_entry_matcher(request, ctx, variables, label, unknowns)
                    r = _element_match(stmt["Resource"], rfn, label, "Resource", unknowns)
            elif "NotResource" in stmt:
                r = _plain_resources(stmt["NotResource"], resource, variables) if plain_resource else _SLOW
                if r is _SLOW:
                    rfn = _resource_entry_matcher(request, ctx, variables, label, unknowns)
                    r = t_not(_element_match(stmt["NotResource"], rfn, label, "NotResource", unknowns))
                else:
                    r = not r
            else:
                r = True if resource_layer else False
            if r is False:
                continue

            # Principal / NotPrincipal (resource policies only)
            if resource_layer:
                if "Principal" in stmt:
                    pm = match_principal(stmt["Principal"], p)
                    if any(v is None for v in pm.values()):
                        unknowns.append(f"Principal of {label}")
                elif "NotPrincipal" in stmt:
                    if effect == "Deny" and has_boundary:
                        excluded: bool | None = False  # IAM UG, permissions boundaries: always applies
                    elif effect == "Deny":
                        excluded = not_principal_excludes(stmt["NotPrincipal"], p)
                    else:  # an Allow grants nothing to whom it lists, whatever else it does
                        listed = match_principal(stmt["NotPrincipal"], p)
                        excluded = t_or([listed[EXACT], listed[ROLE]])
                    if excluded is None:
                        unknowns.append(f"whether NotPrincipal of {label} exempts {_who(p)}" + (
                            " (IAM UG, NotPrincipal: with Deny, list the principal's account ARN as well as its "
                            "own ARN)" if effect == "Deny" else ""))
                    named = t_not(excluded)
                    if effect != "Deny" and named is not False:
                        # IAM UG, NotPrincipal: "Using it with Allow is not supported"; what AWS does with
                        # such a statement is not documented, so it settles nothing
                        named = None
                        unknowns.append(f"{label} uses NotPrincipal with Allow, which AWS does not support")
                    pm = {EXACT: named, ROLE: False, ACCOUNT: False}
                else:
                    pm = _NO_MATCH  # no Principal: names no one
                if pm[EXACT] is False and pm[ROLE] is False and pm[ACCOUNT] is False:
                    if effect == "Allow" and a is True and r is True and p.service is None \
                            and "Principal" in stmt and _names_services(stmt["Principal"]):
                        # a common misreading: a grant to the service that makes the call on the
                        # role's behalf (codepipeline.amazonaws.com) does not cover the role itself
                        layer.near_misses.append(
                            f"{label} would allow it, but it names the service principal "
                            f"{', '.join(_names_services(stmt['Principal']))}, and this request is made by "
                            f"{_who(p)} (an AWS service acting with a role's credentials makes the role's request)")
                    continue
            else:
                pm = _IDENTITY_MATCH

            condition = stmt.get("Condition")
            if condition is None:  # what evaluate_condition says of no condition, without asking it
                cond_value = True
            else:
                cond = evaluate_condition(condition, ctx, variables)
                cond_value = cond.value
                if cond_value is False:
                    if effect == "Allow" and a is True and r is True and any(v is True for v in pm.values()):
                        layer.near_misses.append(f"{label} would allow it, but its condition {cond.failed}")
                    continue
                unknowns.extend(cond.unknowns)
            if a is True and r is True and cond_value is True:
                applies = pm  # t_and of True and each kind's match is that match
            else:
                common = t_and((a, r, cond_value))
                applies = {k: t_and((common, pm[k])) for k in _KINDS3}
            any_applies = t_or(applies.values())
            if any_applies is False:
                continue

            ref = StatementRef(policy, index, sid, stmt)
            if effect in ("Deny", None):
                d = any_applies if effect == "Deny" else t_and((any_applies, None))
                deny_vals.append(d)
                if d is True:
                    layer.deny_refs.append(ref)
                elif d is None:
                    layer.deny_unknown_refs.append(ref)
                    layer.deny_unknowns.extend(unknowns or [f"whether {label} applies"])
            if effect in ("Allow", None):
                for k in _KINDS3:
                    v = applies[k] if effect == "Allow" else t_and((applies[k], None))
                    allow_vals[k].append(v)
                    if v is True:
                        layer.allow_refs[k].append(ref)
                    elif v is None:
                        layer.allow_unknown_refs[k].append(ref)
                        layer.allow_unknowns[k].extend(unknowns or [f"whether {label} applies"])

    layer.deny = t_or(deny_vals)
    for k in _KINDS3:
        layer.allow[k] = t_or(allow_vals[k])
    return layer


# ----------------------------------------------------------------------------- context


def _principal_kind(p: Principal) -> str:
    if isinstance(p.arn, (str, Unknown)):
        return "aws"
    if p.service:
        return "service"
    if p.account:
        return "aws"
    return "anonymous"


# ----------------------------------------------------------------------------- describing


def _who(p: Principal) -> str:
    if isinstance(p.arn, str):
        return p.arn
    if isinstance(p.arn, Unknown):
        return f"<unknown principal: {p.arn.reason}>"
    if p.service:
        return p.service
    if p.account:
        return f"a principal of account {p.account}"
    return "an anonymous caller"


def _layer_decision(layer: _Layer | None, allow: bool | None = None) -> Decision | None:
    if layer is None:
        return None
    allow = layer.any_allow() if allow is None else allow
    if layer.deny is True:
        return Decision.EXPLICIT_DENY
    if allow is False:
        return Decision.IMPLICIT_DENY
    if allow is True and layer.deny is False:
        return Decision.ALLOWED
    return Decision.UNKNOWN


def _labels(refs: list[StatementRef]) -> str:
    return ", ".join(r.label() for r in refs)


# ----------------------------------------------------------------------------- evaluate


_MANAGED_ALIAS_ACTIONS = {"kms:createalias", "kms:updatealias", "kms:deletealias"}


def evaluate(
    request: Request,
    identity_policies: Sequence[Policy] | None,
    resource_policy: Policy | None,
    *,
    kind: str = "generic",
    permissions_boundary: Policy | None = None,
    scps: Any = None,
    rcps: Any = None,
) -> Result:
    """Decide one request.

    ``identity_policies``: the principal's identity policies; None = not among the inputs (the
    identity layer is UNKNOWN), ``[]`` = it has none. Service principals and anonymous callers have
    no identity layer. ``resource_policy``: the bucket/queue/... policy (``kind="generic"``), the key
    policy (``"kms"``) or the role's trust policy (``"trust"``); None = there is none.
    ``permissions_boundary``: the principal's permissions boundary, if it has one (optional extra).
    ``scps`` / ``rcps``: the organization's service / resource control policies that bear on the
    request, level by level (a :class:`~pipelint.policy.guardrails.OrgPolicies`, or one list of
    policies per level from the root down); None: not part of this evaluation.

    A request that every policy answers plainly and that is allowed is decided by
    :mod:`~pipelint.policy.shortcut`; its result's ``reasons`` and ``deciding`` are worked out by the
    full evaluation below when they are first read (:meth:`Result.explained_later`).
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
    if scps is None and rcps is None:
        plain = shortcut.allowed(request, identity_policies, resource_policy, kind, permissions_boundary is not None)
        if plain is not None:
            result = Result.explained_later(Decision.ALLOWED, *plain, explain=lambda: _evaluate(
                request, identity_policies, resource_policy, kind, permissions_boundary, None, None))
            if VERIFY_SHORTCUT:
                _verify(result, request)
            return result
    return _evaluate(request, identity_policies, resource_policy, kind, permissions_boundary, scps, rcps)


#: check every answer of the shortcut against the full evaluator's (the test suite sets it)
VERIFY_SHORTCUT = bool(os.environ.get("PIPELINT_VERIFY_SHORTCUT"))


def _verify(result: Result, request: Request) -> None:
    """Every field the shortcut set must be the full evaluator's; the result stays explained later, as it
    is without verification."""
    full = result.__dict__["_explain"]()
    said = {name: value for name, value in result.__dict__.items() if name != "_explain"}
    if said != {name: getattr(full, name) for name in said}:
        raise AssertionError(f"the evaluator's shortcut says {said} of {request!r}; the evaluator says {full!r}")


def _evaluate(request: Request, identity_policies: Sequence[Policy] | None, resource_policy: Policy | None,
              kind: str, permissions_boundary: Policy | None, scps: Any, rcps: Any) -> Result:
    """evaluate() without its shortcut."""
    p = request.principal
    pk = _principal_kind(p)
    who = _who(p)
    action = request.action
    resource = request.resource
    action_l = action.lower() if isinstance(action, str) else ""

    # STS API reference, GetCallerIdentity: no permission needed, even with an explicit Deny.
    if action_l == "sts:getcalleridentity":
        return Result(Decision.ALLOWED, ("sts:GetCallerIdentity needs no permission (STS API reference)",),
                      (), None, None, ())
    # KMS DG, aliases: alias/aws/ is reserved for AWS managed keys; no one may create/update/delete them.
    managed_alias = action_l in _MANAGED_ALIAS_ACTIONS and isinstance(resource, str) and ":alias/aws/" in resource

    p_acct = (p.account or account_of(p.arn)) if pk == "aws" else None
    r_acct = request.resource_account if isinstance(request.resource_account, str) else None
    if r_acct is None:
        r_acct = account_of(resource)
    if r_acct is None and resource == "*" and resource_policy is None:
        r_acct = p_acct  # account-level actions act in the caller's own account

    kms_arn = isinstance(resource, str) and resource.startswith("arn:") and ":kms:" in resource
    alias_resource = kms_arn and ":alias/" in resource
    if kind == "kms" and (resource == "*" or (alias_resource and action_l in _MANAGED_ALIAS_ACTIONS)):
        # kms:ListKeys / kms:CreateKey on "*" involve no key, and the alias side of CreateAlias /
        # UpdateAlias / DeleteAlias is an alias resource: no key policy applies, IAM alone decides
        # (KMS DG, "IAM policies"; "Controlling access to aliases").
        kind = "generic"
        resource_policy = None
    elif kind == "kms" and resource_policy is None and alias_resource:
        # a key used through its alias is still governed by the key's own key policy (KMS DG, "Using
        # aliases": the alias only names the key); without that policy nothing is settled
        resource_policy = Policy(Unknown(f"the key policy of the key alias {resource} names (the alias's key is "
                                         "not among the inputs)"), f"key policy behind {resource}")
    rp_word = _RP_WORD[kind]

    ctx = request_context(request, p_acct, kind == "kms")
    has_boundary = permissions_boundary is not None and pk == "aws"

    # --- layers
    identity: _Layer | None = None
    if pk == "aws":
        if identity_policies is None:
            identity = _unknown_layer("identity policies", f"identity policies of {who} (not among the inputs)")
        else:
            identity = _eval_layer("identity policies", identity_policies, request, ctx,
                                   resource_layer=False, has_boundary=has_boundary)
    boundary: _Layer | None = None
    if has_boundary:
        boundary = _eval_layer(permissions_boundary.name, [permissions_boundary], request, ctx,
                               resource_layer=False, has_boundary=True)
    rp: _Layer | None = None
    if resource_policy is not None:
        rp = _eval_layer(resource_policy.name, [resource_policy], request, ctx,
                         resource_layer=True, has_boundary=has_boundary)

    I = identity.allow[EXACT] if identity else False
    B = boundary.allow[EXACT] if boundary else True
    RE = rp.allow[EXACT] if rp else False
    RR = rp.allow[ROLE] if rp else False
    RA = rp.allow[ACCOUNT] if rp else False

    def allowed_for(same: bool) -> bool | None:
        if pk != "aws":
            return RE  # services and anonymous callers: only the resource policy can grant
        if not same:
            return t_and([I, B, t_or([RE, RR, RA])])
        if kind == "generic":
            return t_or([t_and([I, B]), RE, t_and([RR, B])])
        return t_or([RE, t_and([RR, B]), t_and([RA, I, B])])

    account_unknown: str | None = None
    if pk != "aws":
        allowed = allowed_for(True)
        same: bool | None = True
    elif p_acct is not None and r_acct is not None:
        same = p_acct == r_acct
        allowed = allowed_for(same)
    else:
        a_same, a_cross = allowed_for(True), allowed_for(False)
        same = None
        allowed = a_same if a_same == a_cross else None
        if allowed is None:
            account_unknown = (f"account that owns {resource}" if r_acct is None
                               else f"account of principal {who}")

    deny = t_or([lay.deny for lay in (identity, boundary, rp) if lay is not None])
    if managed_alias:
        allowed = False

    # --- decision
    if deny is True:
        decision = Decision.EXPLICIT_DENY
    elif allowed is False:
        decision = Decision.IMPLICIT_DENY
    elif allowed is True and deny is False:
        decision = Decision.ALLOWED
    else:
        decision = Decision.UNKNOWN

    # --- explanation
    reasons: list[str] = []
    near_misses: list[str] = []
    deciding: list[StatementRef] = []
    unknowns: list[str] = []
    layers = [lay for lay in (identity, boundary, rp) if lay is not None]
    what = f"{action} on {resource}"

    if decision is Decision.EXPLICIT_DENY:
        for lay in layers:
            if lay.deny is True:
                deciding.extend(lay.deny_refs)
                layer_word = ("identity policy" if lay is identity else "permissions boundary" if lay is boundary
                              else rp_word)
                for ref in lay.deny_refs:
                    reasons.append(f"explicit Deny in {ref.label()} ({layer_word}) applies to {who} for {what}")
    elif decision is Decision.ALLOWED:
        if pk == "aws" and identity is not None and I is True and B is True and (
                same is not True or kind == "generic" or RA is True):
            deciding.extend(identity.allow_refs[EXACT])
            reasons.append(f"{_labels(identity.allow_refs[EXACT])} allows {who} to {what} (identity policy)")
        if boundary is not None and B is True:
            deciding.extend(boundary.allow_refs[EXACT])
            reasons.append(f"{_labels(boundary.allow_refs[EXACT])} allows {what} (permissions boundary)")
        if rp is not None:
            direct = _dedupe_refs(rp.allow_refs[EXACT] + rp.allow_refs[ROLE])
            if direct:
                deciding.extend(direct)
                reasons.append(f"{_labels(direct)} allows {who} to {what} ({rp_word})")
            if RA is True and (same is False or not direct):
                deciding.extend(rp.allow_refs[ACCOUNT])
                reasons.append(f"{_labels(rp.allow_refs[ACCOUNT])} allows account {p_acct} to {what} "
                               f"({rp_word}; naming the account root delegates to its IAM policies)")
        if same is False:
            reasons.append(f"cross-account request ({p_acct} to {r_acct}): both the identity policy and the "
                           f"{rp_word} allow it")
    elif decision is Decision.IMPLICIT_DENY and managed_alias:
        reasons.append(f"{resource} is an AWS managed key alias (alias/aws/...), which no policy lets anyone change")
    elif decision is Decision.IMPLICIT_DENY:
        reasons.extend(_implicit_reasons(kind, pk, same, who, what, p_acct, r_acct, identity, boundary, rp,
                                         resource_policy, rp_word, I, B, RE, RR, RA))
        near_misses = [miss for lay in layers for miss in lay.near_misses]
        reasons.extend(near_misses)
    else:
        for lay in layers:
            if lay.deny is None:
                deciding.extend(lay.deny_unknown_refs)
                unknowns.extend(lay.deny_unknowns)
            for k in _KINDS3:
                if lay.allow[k] is None:
                    deciding.extend(lay.allow_unknown_refs[k])
                    unknowns.extend(lay.allow_unknowns[k])
        if account_unknown:
            unknowns.append(account_unknown)
        if deny is None and allowed is True:
            reasons.append(f"{who} is allowed to {what} unless a Deny whose applicability is unknown applies")
        else:
            reasons.append(f"whether {who} may {what} depends on inputs pipelint does not have")
    if decision is not Decision.UNKNOWN and deny is None and decision is Decision.IMPLICIT_DENY:
        reasons.append("(a Deny whose applicability is unknown may also apply)")

    result = Result(
        decision=decision,
        reasons=tuple(reasons),
        deciding=tuple(_dedupe_refs(deciding)),
        identity=_layer_decision(identity, I if identity is not None else None) if identity is not None else None,
        resource=(_layer_decision(rp) if rp is not None
                  else (Decision.IMPLICIT_DENY if kind in ("kms", "trust") else None)),
        unknowns=tuple(dict.fromkeys(unknowns)),
        near_misses=tuple(dict.fromkeys(near_misses)),
        boundary=_layer_decision(boundary, B) if boundary is not None else None,
    )
    if scps is None and rcps is None:
        return result
    from .guardrails import apply  # the organization's guardrails over the account's own decision

    return apply(result, request, ctx, scps, rcps, who, what)


def _implicit_reasons(kind, pk, same, who, what, p_acct, r_acct, identity, boundary, rp, resource_policy,
                      rp_word, I, B, RE, RR, RA) -> list[str]:
    out: list[str] = []
    rp_name = resource_policy.name if resource_policy is not None else None
    if pk != "aws":
        if rp is None:
            out.append(f"no {rp_word} on the resource, and {who} has no identity policies: nothing allows {what}")
        else:
            out.append(f"{rp_name} has no statement allowing {who} to {what}")
        return out
    if identity is not None and I is False:
        out.append(f"no identity policy of {who} allows {what}")
    if boundary is not None and B is False:
        out.append(f"permissions boundary {boundary.name} does not allow {what}")
    if same is False:
        if rp is None:
            out.append(f"cross-account request ({p_acct} to {r_acct}) but there is no {rp_word}: "
                       "cross-account access needs the resource's policy to allow it too")
        elif t_or([RE, RR, RA]) is False:
            out.append(f"{rp_name} has no statement allowing {who} (account {p_acct}) to {what}; "
                       "cross-account access needs both the identity policy and the "
                       f"{rp_word}")
        return out
    if kind == "generic":
        if rp is not None and RE is False and RR is False:
            out.append(f"{rp_name} does not grant {what} to {who} itself"
                       + (" (it names the account root, which only delegates to IAM policies)" if RA is True else ""))
        elif rp is not None and RR is True and B is False:
            out.append(f"{rp_name} grants to the role ARN, which the permissions boundary still limits")
        return out
    # kms / trust in the same account
    if rp is None:
        out.append(f"there is no {rp_word}: it must allow {what} (IAM policies alone are not enough)")
    elif RE is False and RR is False and RA is False:
        out.append(f"{rp_name} neither names {who} nor the account root of {p_acct} "
                   "(which would delegate to IAM policies), so IAM policies cannot grant " + what)
    elif RA is True and I is False:
        out.append(f"{rp_name} delegates to IAM policies of account {p_acct} (root principal), "
                   f"but no identity policy of {who} allows {what}")
    return out
