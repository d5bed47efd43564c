"""The evaluator's shortcut: a request that every policy answers plainly, and that is allowed.

Most checks of a working setup are allowed (in the 10,000-pipeline world of ``benchmarks/scale.py``,
all 140,090 evaluations), and only ``trace`` and ``graph`` ask why. For those, the full evaluator's
bookkeeping is most of the cost: a layer object per kind of policy, a reference and a label per
statement, the reasons in words. :func:`allowed` applies the
same rules (see :mod:`pipelint.policy.evaluate`) and keeps only booleans. It gives up (None) as soon as
anything is not plain:

- something unknown: a document, a statement, an element entry, the principal, a condition;
- an explicit Deny, NotPrincipal, a policy variable in a Resource, a permissions boundary;
- the cases evaluate() treats apart: GetCallerIdentity, the AWS managed key aliases, KMS requests on ``*``
  or through an alias, a caller with no ARN;
- any answer but "allowed".

The full evaluator then decides. So every denial, every unknown and every explanation still comes from it,
and ``PIPELINT_VERIFY_SHORTCUT=1`` (the test suite sets it) makes evaluate() check each answer of the
shortcut against the full evaluator's.
"""

from __future__ import annotations

from pipelint.values import Unknown

from .conditions import evaluate_condition
from .match import (
    ACCOUNT,
    EXACT,
    ROLE,
    _names_account,
    account_of,
    is_root_arn,
    match_principal,
    role_name,
    session_role_name,
)
from .model import Decision, Policy, Request
from .plain import SLOW, plain_actions, plain_resources
from .principal_context import request_context

TYPE_CHECKING = False  # for annotations only: typing costs 3 ms to import
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any

# GetCallerIdentity needs no permission; no one may change an alias of an AWS managed key (evaluate())
_APART = frozenset({"sts:getcalleridentity", "kms:createalias", "kms:updatealias", "kms:deletealias"})
_NO = None  # what allowed() returns when the full evaluator must decide


def allowed(request: Request, identity_policies: Sequence[Policy] | None, resource_policy: Policy | None,
            kind: str, has_boundary_policy: bool) -> tuple[Decision | None, Decision | None] | None:
    """(the identity layer's decision, the resource layer's) when ``request`` is plainly allowed, as
    evaluate() would have it; None when the full evaluator must decide."""
    p = request.principal
    action, resource = request.action, request.resource
    if not isinstance(action, str) or not isinstance(resource, str) or action.lower() in _APART:
        return _NO
    if isinstance(p.arn, str):
        iam = True  # an IAM principal with a known ARN
    elif p.arn is None and p.service:
        iam = False
    else:
        return _NO  # an unknown ARN, "some principal of an account", an anonymous caller
    if kind == "kms" and (resource == "*" or (":kms:" in resource and ":alias/" in resource
                                              and resource.startswith("arn:"))):
        return _NO
    if iam and (has_boundary_policy or identity_policies is None):
        return _NO

    p_acct = (p.account or account_of(p.arn)) if iam else None
    r_acct = request.resource_account if isinstance(request.resource_account, str) else account_of(resource)
    if r_acct is None and resource == "*" and resource_policy is None:
        r_acct = p_acct
    context: list = []  # built when a condition first needs it

    def ctx() -> Any:
        if not context:
            context.append(request_context(request, p_acct, kind == "kms"))
        return context[0]

    i_allow = False
    if iam:
        found = _layer(identity_policies, request, ctx, False)
        if found is None:
            return _NO
        i_allow = found[EXACT]
    r_exact = r_role = r_account = False
    if resource_policy is not None:
        found = _layer((resource_policy,), request, ctx, True)
        if found is None:
            return _NO
        r_exact, r_role, r_account = found[EXACT], found[ROLE], found[ACCOUNT]

    def allowed_for(same: bool) -> bool:
        if not iam:
            return r_exact  # services: only the resource policy can grant
        if not same:
            return i_allow and (r_exact or r_role or r_account)
        if kind == "generic":
            return i_allow or r_exact or r_role
        return r_exact or r_role or (r_account and i_allow)

    if not iam:
        verdict = allowed_for(True)
    elif p_acct is not None and r_acct is not None:
        verdict = allowed_for(p_acct == r_acct)
    else:
        verdict = allowed_for(True) and allowed_for(False)  # the same answer either way, or no answer
    if not verdict:
        return _NO
    identity = (Decision.ALLOWED if i_allow else Decision.IMPLICIT_DENY) if iam else None
    if resource_policy is not None:
        resource_decision = Decision.ALLOWED if (r_exact or r_role or r_account) else Decision.IMPLICIT_DENY
    else:
        resource_decision = Decision.IMPLICIT_DENY if kind in ("kms", "trust") else None
    return identity, resource_decision


def _layer(policies: Sequence[Policy], request: Request, ctx: Any, resource_layer: bool) -> dict | None:
    """Which kinds of grant (EXACT/ROLE/ACCOUNT) the Allow statements of one layer make, when none of its
    statements denies and every one is settled; else None."""
    action, resource, p = request.action, request.resource, request.principal
    grants = {EXACT: False, ROLE: False, ACCOUNT: False}
    for policy in policies:
        doc = policy.document
        if isinstance(doc, Unknown):
            return _NO
        if not isinstance(doc, dict):
            continue  # no statements, for the full evaluator too
        variables = doc.get("Version") == "2012-10-17"
        raw = doc.get("Statement")
        if raw is None:
            continue
        if isinstance(raw, Unknown):
            return _NO
        for stmt in raw if isinstance(raw, (list, tuple)) else (raw,):
            if not isinstance(stmt, dict):
                if isinstance(stmt, Unknown):
                    return _NO
                continue
            if "Action" in stmt:
                a = plain_actions(stmt["Action"], action)
            elif "NotAction" in stmt:
                a = plain_actions(stmt["NotAction"], action)
                a = a if a is SLOW else not a
            else:
                continue
            if a is SLOW:
                return _NO
            if not a:
                continue
            effect = stmt.get("Effect")
            if isinstance(effect, Unknown):
                return _NO
            effect = effect.lower() if isinstance(effect, str) else None
            if effect not in ("allow", "deny"):
                continue  # not a valid statement: it neither allows nor denies
            if "Resource" in stmt:
                r = plain_resources(stmt["Resource"], resource, variables)
            elif "NotResource" in stmt:
                r = plain_resources(stmt["NotResource"], resource, variables)
                r = r if r is SLOW else not r
            else:
                r = resource_layer
            if r is SLOW:
                return _NO
            if not r:
                continue
            if not resource_layer:
                named = (EXACT,)
            elif "Principal" in stmt:
                named = _named(stmt["Principal"], p)
                if named is _NO:
                    return _NO
                if not named:
                    continue
            elif "NotPrincipal" in stmt:
                return _NO
            else:
                continue  # no Principal: names no one
            condition = stmt.get("Condition")
            if condition is not None:
                holds = evaluate_condition(condition, ctx(), variables).value
                if holds is None:
                    return _NO
                if not holds:
                    continue
            if effect == "deny":
                return _NO  # an explicit Deny applies: the full evaluator says which and why
            for k in named:
                grants[k] = True
    return grants


def _named(element: Any, p: Any) -> tuple | None:
    """How a Principal element names ``p``: the kinds (EXACT/ROLE/ACCOUNT) that match, as match_principal
    has them; None when an entry leaves it open. The element's entries are sorted into sets once."""
    entries = _entries(element) if isinstance(p.arn, str) or p.account is None else None
    if entries is None:
        found = match_principal(element, p)
        return _NO if None in found.values() else tuple(k for k, v in found.items() if v)
    star, arns, accounts, role_names, services, federated = entries
    exact = star or (p.service is not None and (p.service.lower() in services or p.service in federated))
    role = account = False
    if p.arn is None:  # a service: no AWS entry names it
        return (EXACT,) if exact else ()
    acct = p.account or account_of(p.arn)
    if accounts:
        if is_root_arn(p.arn):
            exact = exact or acct in accounts
        elif acct is None:
            return _NO
        else:
            account = acct in accounts
    if p.arn in arns:
        if role_name(p.arn) is not None:
            role = True
        else:
            exact = True
    if role_names:
        session = session_role_name(p.arn)
        role = role or (session is not None and session in role_names)
    exact = exact or p.arn in federated
    return tuple(k for k, v in ((EXACT, exact), (ROLE, role), (ACCOUNT, account)) if v)


_ENTRIES: dict = {}  # id(element) -> (element, its entries sorted into sets, or None)
_ASKED: tuple = ({}, {})  # id(element) -> element, for elements asked about once, and twice
_MOST = 16_384


def _entries(element: Any) -> tuple | None:
    """A Principal element's entries as (any "*", AWS ARNs, accounts, role names, services, federated),
    for an element of plain strings asked about twice before; None for any other (new, Unknown entries,
    CanonicalUser, ...). Most trust policies are asked about once or twice (an action role's, once per
    region): their sets would cost more time and memory (7 MiB at 10,000 pipelines) than they save."""
    key = id(element)
    found = _ENTRIES.get(key)
    if found is not None and found[0] is element:
        return found[1]
    once, twice = _ASKED
    if twice.get(key) is not element:
        later = twice if once.get(key) is element else once
        if len(later) >= _MOST:
            later.clear()
        later[key] = element  # holding the element keeps its id its own
        return None
    entries = _sort_entries(element)
    if len(_ENTRIES) >= _MOST:
        _ENTRIES.clear()
    _ENTRIES[key] = (element, entries)
    return entries


_NONE = frozenset()


def _sort_entries(element: Any) -> tuple | None:
    if element == "*":
        return True, _NONE, _NONE, _NONE, _NONE, _NONE
    if isinstance(element, (list, tuple)):
        element = {"AWS": element}  # as normalise_principal reads a bare list
    if not isinstance(element, dict):
        return None if isinstance(element, Unknown) else (False, _NONE, _NONE, _NONE, _NONE, _NONE)
    star = False
    arns, accounts, role_names, services, federated = set(), set(), set(), set(), set()
    for ptype, values in element.items():
        values = [] if values is None else list(values) if isinstance(values, (list, tuple)) else [values]
        for entry in values:
            if entry.__class__ is not str or ptype in ("CanonicalUser", "*", "?"):
                return None  # an Unknown, another type, an id pipelint cannot map, an odd key: the general path
            if entry == "*":
                star = True
            elif ptype == "AWS":
                if _names_account(entry):
                    accounts.add(account_of(entry))
                else:
                    arns.add(entry)
                    named_role = role_name(entry)
                    if named_role is not None:
                        role_names.add(named_role)
            elif ptype == "Service":
                services.add(entry.lower())
            elif ptype == "Federated":
                federated.add(entry)
    return (star, *(frozenset(found) if found else _NONE for found in (arns, accounts, role_names, services, federated)))
