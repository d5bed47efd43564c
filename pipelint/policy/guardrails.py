"""Organization guardrails in the evaluator: service control policies (SCPs) and resource control
policies (RCPs), layered over a decision the account's own policies made.

AWS rules encoded here (AWS Organizations User Guide; each has a case in tests/test_policy_guardrails.py):

- "SCP evaluation" (orgs_manage_policies_scps_evaluation.html): SCPs attached to the root, to every OU
  on the path to the account and to the account itself are evaluated level by level. An action is
  available to the account's principals only when an Allow at *every* level permits it (a level whose
  SCPs do not allow it filters it out, whatever the other levels say), and an explicit Deny at any
  level denies it. SCPs grant nothing: the account's own policies must still allow the request.
- "RCP evaluation" (orgs_manage_policies_rcps_evaluation.html): the same level-by-level rule for the
  RCPs of the account that owns the resource; RCPs are written like resource-based policies (with a
  Principal, always ``"*"``), so their statements are matched as a resource policy's are.
- IAM User Guide, "Policy evaluation logic": an explicit Deny in an SCP or RCP wins over any Allow;
  otherwise every layer that applies must allow.

Who is exempt (which accounts, service-linked roles, service principals, which services RCPs cover)
is decided by the caller from the organization's structure (:mod:`pipelint.guardrails`); here
``OrgPolicies.applies`` carries that answer, None when the inputs cannot say.
"""

from __future__ import annotations

from collections.abc import Sequence

from .conditions import Context
from .match import t_and, t_not, t_or
from .model import Decision, Policy, Request, Result, StatementRef

from pipelint.records import field, record, replace

SCP = "service control policy"
RCP = "resource control policy"


@record(frozen=True)
class OrgPolicies:
    """The SCPs (or RCPs) that apply to one request, level by level.

    ``levels``: ``(label, policies attached at that level)`` from the organization root down to the
    account. A level whose policies the inputs do not hold is given as one policy whose document is an
    :class:`~pipelint.values.Unknown` naming what would settle it (the level is then UNKNOWN: never
    allowed by default). ``applies``: whether these policies apply to the request at all (False: an
    exempt principal or account; None: the inputs cannot say, ``applies_unknown`` says what would)."""

    levels: tuple = ()
    applies: bool | None = True
    applies_unknown: str | None = None

    @classmethod
    def of(cls, value: "OrgPolicies | Sequence[Sequence[Policy]] | None") -> "OrgPolicies | None":
        if value is None or isinstance(value, OrgPolicies):
            return value
        return cls(tuple((f"level {i + 1}", tuple(policies)) for i, policies in enumerate(value)))


@record
class _Guard:
    """What one kind of guardrail (SCPs or RCPs) says about the request, over all its levels."""

    word: str
    deny: bool | None = False
    allow: bool | None = True
    deny_refs: list = field(default_factory=list)
    unknown_refs: list = field(default_factory=list)
    unknowns: list = field(default_factory=list)
    refusing: list = field(default_factory=list)  # labels of levels whose policies do not allow it

    def decision(self) -> Decision:
        if self.deny is True:
            return Decision.EXPLICIT_DENY
        if self.allow is False:
            return Decision.IMPLICIT_DENY
        if self.deny is False and self.allow is True:
            return Decision.ALLOWED
        return Decision.UNKNOWN


def _judge(word: str, policies: OrgPolicies, request: Request, ctx: Context) -> _Guard:
    from .evaluate import _eval_layer  # the statement matcher of every other layer

    guard = _Guard(word)
    denies, allows = [], []
    for label, level in policies.levels:
        layer = _eval_layer(label, list(level), request, ctx, resource_layer=(word == RCP), has_boundary=False)
        allow = layer.any_allow()
        denies.append(layer.deny)
        allows.append(allow)
        guard.deny_refs.extend(layer.deny_refs)
        if layer.deny is None:
            guard.unknown_refs.extend(layer.deny_unknown_refs)
            guard.unknowns.extend(layer.deny_unknowns)
        if allow is None:
            for kind, value in layer.allow.items():
                if value is None:
                    guard.unknown_refs.extend(layer.allow_unknown_refs[kind])
                    guard.unknowns.extend(layer.allow_unknowns[kind])
        elif allow is False:
            guard.refusing.append(label)
    applies = policies.applies
    guard.deny = t_and([applies, t_or(denies)])
    guard.allow = t_or([t_not(applies), t_and(allows)])
    if applies is None and (guard.deny is None or guard.allow is None):
        guard.unknowns.append(policies.applies_unknown or f"whether {word}s apply to this request")
    return guard


def apply(base: Result, request: Request, ctx: Context, scps, rcps, who: str, what: str) -> Result:
    """``base`` (the account's own policies' decision) with the organization's SCPs and RCPs over it."""
    guards = []
    for word, value in ((SCP, scps), (RCP, rcps)):
        policies = OrgPolicies.of(value)
        guards.append(_judge(word, policies, request, ctx) if policies is not None else None)
    scp, rcp = guards
    active = [g for g in guards if g is not None]
    reasons = list(base.reasons)
    deciding = list(base.deciding)
    unknowns = list(base.unknowns)
    decision = base.decision

    if decision is Decision.EXPLICIT_DENY:
        pass  # a Deny of the account's own policies already decided
    elif any(g.deny is True for g in active):
        decision = Decision.EXPLICIT_DENY
        reasons, deciding, unknowns = [], [], []
        for g in active:
            if g.deny is True:
                deciding.extend(g.deny_refs)
                reasons.extend(f"explicit Deny in {ref.label()} ({g.word}) applies to {who} for {what}"
                               for ref in g.deny_refs)
    elif any(g.allow is False for g in active):
        decision = Decision.IMPLICIT_DENY
        reasons, deciding, unknowns = [], [], []
        for g in active:
            if g.allow is False:
                reasons.append(f"no {g.word} attached to {', '.join(g.refusing)} allows {what}: every level "
                               "from the organization root to the account must allow it")
    elif decision is Decision.IMPLICIT_DENY:
        if any(g.deny is None for g in active) and not any("may also apply" in r for r in reasons):
            reasons.append("(a Deny whose applicability is unknown may also apply)")
    elif decision is Decision.ALLOWED and all(g.decision() is Decision.ALLOWED for g in active):
        for g in active:
            reasons.append(f"the {g.word}s that apply allow {what}")
    else:
        decision = Decision.UNKNOWN
        for g in active:
            if g.decision() is Decision.UNKNOWN:
                deciding.extend(g.unknown_refs)
                unknowns.extend(g.unknowns)
        if base.decision is Decision.ALLOWED:
            reasons = [f"the account's policies allow {who} to {what}, but whether the organization's "
                       "guardrails do depends on inputs pipelint does not have"]
    return replace(
        base, decision=decision, reasons=tuple(reasons), deciding=tuple(_dedupe(deciding)),
        unknowns=tuple(dict.fromkeys(unknowns)),
        scp=scp.decision() if scp is not None else None, rcp=rcp.decision() if rcp is not None else None)


def _dedupe(refs: list[StatementRef]) -> list[StatementRef]:
    seen: set = set()
    out = []
    for ref in refs:
        key = (id(ref.policy), ref.index)
        if key not in seen:
            seen.add(key)
            out.append(ref)
    return out


__all__ = ["OrgPolicies", "RCP", "SCP", "apply", "Policy"]
