"""Types of the policy evaluator: what goes in (a request and the policies) and what comes out."""

from __future__ import annotations

import enum
from collections.abc import Mapping

from pipelint.records import field, record
from pipelint.values import Unknown

TYPE_CHECKING = False  # for annotations only: typing costs 3 ms to import
if TYPE_CHECKING:
    from typing import Any


class _Absent:
    """The type of :data:`ABSENT`."""

    _instance: "_Absent | None" = None

    def __new__(cls) -> "_Absent":
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "ABSENT"

    def __reduce__(self) -> str:
        return "ABSENT"


#: Marks a condition key that is known *not* to be in the request context. A key that is simply
#: missing from ``Request.context`` is UNKNOWN instead: the evaluator never guesses either way.
ABSENT = _Absent()


class Decision(enum.Enum):
    ALLOWED = "allowed"
    EXPLICIT_DENY = "explicit_deny"
    IMPLICIT_DENY = "implicit_deny"
    UNKNOWN = "unknown"

    @property
    def denied(self) -> bool:
        return self in (Decision.EXPLICIT_DENY, Decision.IMPLICIT_DENY)


@record(frozen=True)
class Policy:
    """One policy document. ``document`` is an :class:`Unknown` when the policy is not among the inputs."""

    document: dict | Unknown
    name: str
    source: object = field(default=None, compare=False)


@record(frozen=True)
class Principal:
    """Who makes the request.

    ``arn`` is an IAM role ARN (standing for any session of that role), an IAM user ARN, an
    assumed-role session ARN, or None for a service principal (``service``) or an anonymous caller
    (all of ``arn``, ``account`` and ``service`` None).
    """

    arn: str | None
    account: str | None = None
    service: str | None = None
    # the organization of the principal's account: an id, an Unknown naming what would settle it, or
    # None when not even that is known (then aws:PrincipalOrgID is unknown with a generic reason)
    org_id: Any = None
    role_arn: str | None = None  # for a session ARN: the ARN (with its path) of the role behind it


@record(frozen=True)
class Request:
    """One request: who, which action, on which resource, with which context keys."""

    principal: Principal
    action: str
    resource: str
    resource_account: str | None = None
    context: Mapping[str, Any] = field(default_factory=dict)


@record(frozen=True)
class StatementRef:
    """The statement that decided, with the policy it came from and its position in that policy."""

    policy: Policy
    index: int
    sid: str | None
    statement: Any = field(compare=False)

    def label(self) -> str:
        sid = f' (Sid "{self.sid}")' if self.sid else f" (statement {self.index + 1})"
        return f"{self.policy.name}{sid}"


@record(frozen=True)
class Result:
    """The decision on a request, with the reasons and statements that made it."""

    decision: Decision
    reasons: tuple[str, ...]
    deciding: tuple[StatementRef, ...]
    identity: Decision | None
    resource: Decision | None
    unknowns: tuple[str, ...]
    # implicit denials: Allow statements that name the request but whose condition does not hold
    near_misses: tuple[str, ...] = ()
    boundary: Decision | None = None  # the permissions boundary's own answer; None: no boundary
    # what the organization's guardrails said, when they were given (None: not part of the request)
    scp: Decision | None = None
    rcp: Decision | None = None

    @classmethod
    def explained_later(cls, decision: Decision, identity: Decision | None, resource: Decision | None,
                        explain: Any) -> "Result":
        """A result whose ``reasons`` and ``deciding`` statements ``explain()`` (the full evaluator) works
        out when they are first read; every other field is set now. The evaluator's shortcut makes these:
        at 10,000 pipelines all 140,000 evaluations are allowed, and only ``trace`` and ``graph`` read why."""
        result = object.__new__(cls)
        result.__dict__.update(decision=decision, identity=identity, resource=resource, unknowns=(),
                               near_misses=(), boundary=None, scp=None, rcp=None, _explain=explain)
        return result

    def __getattr__(self, name: str) -> Any:
        explain = self.__dict__.get("_explain")  # only fields a result explained later lacks come here
        if explain is None or name not in ("reasons", "deciding"):
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        full = explain()
        self.__dict__.update(reasons=full.reasons, deciding=full.deciding)
        self.__dict__.pop("_explain", None)  # another thread may have explained it meanwhile: same answer
        return self.__dict__[name]

    def __getstate__(self) -> dict:
        self.reasons  # noqa: B018 - copied or pickled whole: the explanation first
        return self.__dict__

    @property
    def denied(self) -> bool:
        return self.decision.denied

    @property
    def allowed(self) -> bool:
        return self.decision is Decision.ALLOWED
