"""The Condition element and policy variables.

Rules (IAM User Guide, "IAM JSON policy elements: Condition operators" and "Conditions with multiple
context keys or values"):

- several operators, and several keys under one operator, are ANDed; several values for one key ORed;
  a negated operator (StringNotEquals, NotIpAddress, ...) with several values is a NOR;
- a key missing from the request makes a positive operator false and a negated operator true, except
  ``...IfExists`` (true when the key is missing) and ``Null`` (tests the key's presence);
- ``ForAllValues:`` is true when every request value matches (and when the key is missing or empty);
  ``ForAnyValue:`` when at least one does (false when the key is missing);
- condition key names are case-insensitive.

A key that the request context does not settle (not given and not derivable) makes the result None
(UNKNOWN), never a guess.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping

from pipelint.lazy_re import lazy
from pipelint.values import Unknown

from .match import LIT_QMARK, LIT_STAR, arn_like, glob_match, t_and, t_or
from .model import ABSENT
from .unsettled_keys import settle_key

TYPE_CHECKING = False  # for annotations only: typing costs 3 ms to import
if TYPE_CHECKING:
    from typing import Any

# ----------------------------------------------------------------------------- request context

_MISSING = object()


class AbsentOr:
    """A context value that is known only not to be one of ``excluded``: the key is absent, or holds some
    other value. E.g. ``aws:PrincipalOrgID`` of a principal from an account that is not a member of
    the organization: whatever organization it belongs to, if any, it is not this one."""

    __slots__ = ("excluded",)

    def __init__(self, excluded) -> None:
        self.excluded = tuple(excluded)

    def __repr__(self) -> str:
        return f"AbsentOr({self.excluded!r})"


class OneOf:
    """A context value known to be one of ``values`` without knowing which (``note`` says why): a
    condition is settled when every candidate gives the same answer. E.g. ``s3:TlsVersion``: AWS API
    endpoints accept only TLS 1.2 and later, and the version the client negotiates is not known."""

    __slots__ = ("values", "note")

    def __init__(self, values, note: str) -> None:
        self.values, self.note = tuple(values), note

    def __repr__(self) -> str:
        return f"OneOf({self.values!r})"


class _Other:
    """Some present value that is none of ``excluded`` (one half of :class:`AbsentOr`)."""

    __slots__ = ("excluded",)

    def __init__(self, excluded: tuple) -> None:
        self.excluded = excluded


class Context:
    """The request context, looked up case-insensitively. Values: str, list[str], ABSENT, Unknown or
    :class:`AbsentOr`. A key ending in ``/*`` (``aws:PrincipalTag/*``) gives the value of every key under
    that prefix the context does not list, e.g. ABSENT: the principal has no other tags.

    Keys are normalised on the first lookup, in the order they were given (the first value of a key
    wins), and a value when it is looked up: most evaluations match no statement with a condition or a
    policy variable and never look."""

    __slots__ = ("_values", "_prefixes", "_absent_prefixes", "_pending")

    def __init__(self, values: Mapping[str, Any]):
        self._values: dict[str, Any] = {}
        self._prefixes: dict[str, Any] = {}
        self._absent_prefixes: tuple[str, ...] = ()
        # what is not normalised yet, in order: mappings, and callables giving (mapping, absent prefixes)
        self._pending: list = [values] if values else []

    def setdefault(self, key: str, value: Any) -> None:
        if self._pending:
            self._pending.append({key: value})
            return
        self._set(key, value)

    def _set(self, key: str, value: Any) -> None:
        # the value is normalised when it is looked up: a condition looks at one or two keys of twenty
        if key.endswith("/*"):
            self._prefixes.setdefault(key[:-1].lower(), value)
        else:
            self._values.setdefault(key.lower(), value)

    def defer(self, keys: Callable[[], tuple[Mapping[str, Any], tuple[str, ...]]]) -> None:
        """Keys (with :meth:`setdefault` semantics) and absent prefixes that ``keys()`` gives, computed
        only if a lookup ever needs them."""
        self._pending.append(keys)

    def _settle(self) -> None:
        pending, self._pending = self._pending, []
        values, prefixes = self._values.setdefault, self._prefixes.setdefault
        for item in pending:
            absent = ()
            if callable(item):
                item, absent = item()
            for k, v in item.items():  # _set, spelled out: twenty keys per settled context
                if k.endswith("/*"):
                    prefixes(k[:-1].lower(), v)
                else:
                    values(k.lower(), v)
            if absent:
                self.absent_prefixes(absent)

    def absent_prefixes(self, prefixes: tuple[str, ...]) -> None:
        """Keys starting with one of ``prefixes`` (e.g. ``aws:PrincipalTag/``) are known to be absent."""
        self._absent_prefixes += tuple(p.lower() for p in prefixes)

    def lookup(self, key: str) -> Any:
        """The value, ABSENT, an Unknown, or _MISSING (not in the context: unknown)."""
        if self._pending:
            self._settle()
        lower = key.lower()
        found = self._values.get(lower, _MISSING)
        if found is _MISSING and self._prefixes and "/" in lower:
            found = self._prefixes.get(lower[:lower.index("/") + 1], _MISSING)
        if found is _MISSING:
            if self._absent_prefixes and lower.startswith(self._absent_prefixes):
                return ABSENT
            return found
        return _norm_ctx_value(found)


class _Fixed:
    """``ctx`` with one key's value replaced (to evaluate each half of an :class:`AbsentOr`)."""

    __slots__ = ("ctx", "key", "value")

    def __init__(self, ctx: Any, key: str, value: Any) -> None:
        self.ctx, self.key, self.value = ctx, key.lower(), value

    def lookup(self, key: str) -> Any:
        return self.value if key.lower() == self.key else self.ctx.lookup(key)


def _scalar(v: Any) -> Any:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return str(v)
    return v


def _norm_ctx_value(v: Any) -> Any:
    if v is ABSENT or isinstance(v, (Unknown, AbsentOr)):
        return v
    if isinstance(v, OneOf):
        return OneOf([_scalar(x) for x in v.values], v.note)
    if isinstance(v, (list, tuple, set, frozenset)):
        items = [_scalar(x) for x in v]
        for x in items:
            if isinstance(x, Unknown):
                return x
        return items
    return _scalar(v)


def key_unknown_reason(key: str, found: Any) -> str:
    if isinstance(found, Unknown):
        return f"value of condition key {key} ({found.reason})"
    return f"value of condition key {key} ({settle_key(key)})"


# ----------------------------------------------------------------------------- policy variables

_VAR_RE = lazy(r"\$\{([^}]*)\}")
_DEFAULT_RE = lazy(r"^\s*([^,]+?)\s*,\s*'((?:[^']|'')*)'\s*$")


class VarResult:
    """Outcome of substituting policy variables into one string."""

    __slots__ = ("value", "state", "reason")

    def __init__(self, value: str | None, state: str, reason: str | None = None):
        self.value = value  # the substituted string when state == "ok"
        self.state = state  # "ok" | "nomatch" (a variable with no value: matches nothing) | "unknown"
        self.reason = reason


def substitute(text: str, ctx: Context, enabled: bool, literal_wildcards: bool = True) -> VarResult:
    """Replace ``${key}``, ``${key, 'default'}``, ``${*}``, ``${?}`` and ``${$}`` (IAM UG, "IAM policy
    elements: Variables and tags"; only in documents with Version 2012-10-17).

    Substituted text is literal: its ``*``/``?`` become the LIT_* markers when ``literal_wildcards``.
    A variable whose key is not in the request and has no default makes the string match nothing
    ("nomatch"); one whose key the inputs do not settle makes it "unknown".
    """
    if not enabled or "${" not in text:
        return VarResult(text, "ok")
    out: list[str] = []
    pos = 0
    for m in _VAR_RE.finditer(text):
        out.append(text[pos : m.start()])
        pos = m.end()
        inner = m.group(1)
        if inner == "*":
            out.append(LIT_STAR if literal_wildcards else "*")
            continue
        if inner == "?":
            out.append(LIT_QMARK if literal_wildcards else "?")
            continue
        if inner == "$":
            out.append("$")
            continue
        default: str | None = None
        dm = _DEFAULT_RE.match(inner)
        if dm:
            key, default = dm.group(1), dm.group(2).replace("''", "'")
        else:
            key = inner.strip()
        found = ctx.lookup(key)
        if found is _MISSING or isinstance(found, (Unknown, AbsentOr, OneOf)):
            return VarResult(None, "unknown", f"value of policy variable ${{{key}}}" + (
                f" ({found.reason})" if isinstance(found, Unknown) else ""))
        if isinstance(found, list):
            # Multivalued keys cannot be policy variables (IAM UG, single- vs multivalued keys).
            found = found[0] if len(found) == 1 else ABSENT
        if found is ABSENT:
            if default is None:
                return VarResult(None, "nomatch")
            value = default
        else:
            value = str(found)
        if literal_wildcards:
            value = value.replace("*", LIT_STAR).replace("?", LIT_QMARK)
        out.append(value)
    out.append(text[pos:])
    return VarResult("".join(out), "ok")


# ----------------------------------------------------------------------------- operators


def _ci_eq(a: str, b: str) -> bool:
    return a.lower() == b.lower()


def _num(s: str) -> float:
    return float(s)


def _numeric(cmp: Callable[[float, float], bool]) -> Callable[[str, str], bool]:
    def f(pv: str, cv: str) -> bool:
        try:
            return cmp(_num(cv), _num(pv))
        except (TypeError, ValueError):
            return False

    return f


@functools.lru_cache(maxsize=1024)
def _date(s: str) -> _dt.datetime:
    import datetime as _dt  # only Date conditions need it: not imported on every check

    s = s.strip()
    if re.fullmatch(r"-?\d+(\.\d+)?", s):
        return _dt.datetime.fromtimestamp(float(s), tz=_dt.timezone.utc)
    d = _dt.datetime.fromisoformat(s.replace("Z", "+00:00").replace("z", "+00:00"))
    if d.tzinfo is None:
        d = d.replace(tzinfo=_dt.timezone.utc)
    return d


def _dates(cmp: Callable[[_dt.datetime, _dt.datetime], bool]) -> Callable[[str, str], bool]:
    def f(pv: str, cv: str) -> bool:
        try:
            return cmp(_date(cv), _date(pv))
        except (TypeError, ValueError, OverflowError, OSError):
            return False

    return f


@functools.lru_cache(maxsize=1024)
def _net(s: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    import ipaddress

    return ipaddress.ip_network(s.strip(), strict=False)


def _ip(pv: str, cv: str) -> bool:
    try:
        net = _net(pv)
        if "/" in cv:
            other = _net(cv)
            return other.version == net.version and other.subnet_of(net)  # type: ignore[arg-type]
        import ipaddress

        addr = ipaddress.ip_address(cv.strip())
        return addr.version == net.version and addr in net
    except ValueError:
        return False


def _bool(pv: str, cv: str) -> bool:
    return pv.strip().lower() == cv.strip().lower()


# name -> (positive test(policy_value, context_value), negated, family)
# family "string"/"arn" take policy variables in their values.
_OPS: dict[str, tuple[Callable[[str, str], bool], bool, str]] = {}


def _reg(name: str, fn: Callable[[str, str], bool], negated: bool, family: str) -> None:
    _OPS[name.lower()] = (fn, negated, family)


_reg("StringEquals", lambda p, c: p == c, False, "string")
_reg("StringNotEquals", lambda p, c: p == c, True, "string")
_reg("StringEqualsIgnoreCase", _ci_eq, False, "string")
_reg("StringNotEqualsIgnoreCase", _ci_eq, True, "string")
_reg("StringLike", lambda p, c: glob_match(p, c), False, "string")
_reg("StringNotLike", lambda p, c: glob_match(p, c), True, "string")
_reg("NumericEquals", _numeric(lambda c, p: c == p), False, "numeric")
_reg("NumericNotEquals", _numeric(lambda c, p: c == p), True, "numeric")
_reg("NumericLessThan", _numeric(lambda c, p: c < p), False, "numeric")
_reg("NumericLessThanEquals", _numeric(lambda c, p: c <= p), False, "numeric")
_reg("NumericGreaterThan", _numeric(lambda c, p: c > p), False, "numeric")
_reg("NumericGreaterThanEquals", _numeric(lambda c, p: c >= p), False, "numeric")
_reg("DateEquals", _dates(lambda c, p: c == p), False, "date")
_reg("DateNotEquals", _dates(lambda c, p: c == p), True, "date")
_reg("DateLessThan", _dates(lambda c, p: c < p), False, "date")
_reg("DateLessThanEquals", _dates(lambda c, p: c <= p), False, "date")
_reg("DateGreaterThan", _dates(lambda c, p: c > p), False, "date")
_reg("DateGreaterThanEquals", _dates(lambda c, p: c >= p), False, "date")
_reg("Bool", _bool, False, "bool")
_reg("BinaryEquals", lambda p, c: p == c, False, "binary")
_reg("IpAddress", _ip, False, "ip")
_reg("NotIpAddress", _ip, True, "ip")
_reg("ArnEquals", arn_like, False, "arn")
_reg("ArnLike", arn_like, False, "arn")
_reg("ArnNotEquals", arn_like, True, "arn")
_reg("ArnNotLike", arn_like, True, "arn")


def _policy_scalar(v: Any) -> Any:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return str(v)
    return v


class CondResult:
    __slots__ = ("value", "unknowns", "failed")

    def __init__(self, value: bool | None, unknowns: tuple[str, ...] = (), failed: str | None = None):
        self.value = value
        self.unknowns = unknowns
        self.failed = failed  # when False: the operator and key that did not hold, and what the request has


def _request_has(key: str, found: Any) -> str:
    if found is ABSENT:
        return f"the request carries no {key}"
    return f"the request's {key} is {found!r}" if not isinstance(found, list) else f"the request's {key} is {found}"


def _parse_operator(op: str) -> tuple[str | None, str, bool]:
    """(set qualifier or None, base operator lower-case, if_exists)."""
    qualifier = None
    lower = op.lower()
    if lower.startswith("forallvalues:"):
        qualifier, lower = "all", lower[len("forallvalues:") :]
    elif lower.startswith("foranyvalue:"):
        qualifier, lower = "any", lower[len("foranyvalue:") :]
    if_exists = False
    if lower.endswith("ifexists") and lower != "ifexists":
        if_exists, lower = True, lower[: -len("ifexists")]
    return qualifier, lower, if_exists


def evaluate_condition(condition: Any, ctx: Context, variables: bool) -> CondResult:
    """Evaluate a whole Condition element: True, False, or None with what would settle it."""
    if condition is None:
        return CondResult(True)
    if isinstance(condition, Unknown):
        return CondResult(None, (f"condition of the statement ({condition.reason})",))
    if not isinstance(condition, dict):
        return CondResult(False)
    results: list[bool | None] = []
    unknowns: list[str] = []
    for op, block in condition.items():
        if isinstance(block, Unknown):
            results.append(None)
            unknowns.append(f"condition {op} ({block.reason})")
            continue
        if not isinstance(block, dict):
            results.append(False)
            continue
        for key, values in block.items():
            r, why = _evaluate_one(op, key, values, ctx, variables)
            results.append(r)
            if r is False:
                return CondResult(False, failed=f"{op} {key}: {_request_has(key, ctx.lookup(key))}")
            if r is None:
                unknowns.extend(why)
    value = t_and(results)
    return CondResult(value, tuple(dict.fromkeys(unknowns)) if value is None else ())


def _evaluate_one(op: str, key: str, values: Any, ctx: Context, variables: bool) -> tuple[bool | None, list[str]]:
    qualifier, base, if_exists = _parse_operator(op)
    raw_values = values if isinstance(values, (list, tuple)) else [values]
    if isinstance(values, Unknown):
        return None, [f"values of condition {op} {key} ({values.reason})"]

    spec = _OPS.get(base)
    if spec is None and base != "null":
        return None, [f"support for condition operator {op} (pipelint does not evaluate it)"]
    found = ctx.lookup(key)
    if found is _MISSING or isinstance(found, Unknown):
        return None, [key_unknown_reason(key, found)]
    if isinstance(found, OneOf):
        answers = [_evaluate_one(op, key, values, _Fixed(ctx, key, candidate), variables) for candidate in found.values]
        if answers and answers[0][0] is not None and all(a[0] == answers[0][0] for a in answers):
            return answers[0][0], []
        return None, [f"value of condition key {key} (one of {', '.join(map(str, found.values))}: {found.note})"]
    if isinstance(found, AbsentOr):
        # settled only when both possibilities (absent; some other value) give the same answer
        absent, why = _evaluate_one(op, key, values, _Fixed(ctx, key, ABSENT), variables)
        other, why_other = _evaluate_one(op, key, values, _Fixed(ctx, key, _Other(found.excluded)), variables)
        if absent is not None and absent == other:
            return absent, []
        return None, why or why_other or [f"value of condition key {key} (known only not to be "
                                          f"{', '.join(found.excluded)})"]
    present = not (found is ABSENT or (isinstance(found, list) and not found))

    if base == "null":
        # Null: "true" = the key is absent, "false" = it is present. Values ORed.
        outs = []
        for v in raw_values:
            v = _policy_scalar(v)
            if isinstance(v, Unknown):
                outs.append(None)
            else:
                outs.append((not present) if str(v).lower() == "true" else present)
        r = t_or(outs)
        return r, ([f"values of condition Null {key}"] if r is None else [])

    assert spec is not None
    test, negated, family = spec

    if not present:
        if if_exists:
            return True, []
        if qualifier == "all":
            return True, []
        if qualifier == "any":
            return False, []
        return negated, []

    # Prepare the policy values (with policy variables for string/ARN operators).
    pvals: list[Any] = []  # str, or None (unknown), or "nomatch" marker
    reasons: list[str] = []
    for v in raw_values:
        v = _policy_scalar(v)
        if isinstance(v, Unknown):
            pvals.append(None)
            reasons.append(f"value in condition {op} {key} ({v.reason})")
            continue
        if not isinstance(v, str):
            pvals.append(_NOMATCH)
            continue
        if family in ("string", "arn"):
            sub = substitute(v, ctx, variables, literal_wildcards=(base in ("stringlike", "stringnotlike") or family == "arn"))
            if sub.state == "unknown":
                pvals.append(None)
                reasons.append(sub.reason or f"policy variable in condition {op} {key}")
                continue
            if sub.state == "nomatch":
                pvals.append(_NOMATCH)
                continue
            v = sub.value
        pvals.append(v)

    def positive(cv: Any) -> bool | None:
        """Does context value cv match any of the policy values (positive form)?"""
        if isinstance(cv, Unknown):
            return None
        if isinstance(cv, _Other):
            # a value that is none of cv.excluded: it does not equal an excluded literal; anything else
            # (another literal, a pattern) it may or may not match
            return t_or([False if pv is _NOMATCH or (isinstance(pv, str) and pv in cv.excluded
                                                     and "*" not in pv and "?" not in pv) else None
                         for pv in pvals])
        cv = str(cv)
        return t_or([None if pv is None else (False if pv is _NOMATCH else test(pv, cv)) for pv in pvals])

    def one(cv: Any) -> bool | None:
        r = positive(cv)
        return (None if r is None else not r) if negated else r

    cvals = found if isinstance(found, list) else [found]
    if qualifier == "any":
        r = t_or([one(cv) for cv in cvals])
    elif qualifier == "all":
        r = t_and([one(cv) for cv in cvals])
    elif len(cvals) == 1:
        r = one(cvals[0])
    else:
        # A single-valued operator against a key with several values in the request: AWS documents
        # only the set operators for multivalued keys. Settle it only when no value matches at all.
        pos = t_or([positive(cv) for cv in cvals])
        if pos is False:
            r = True if negated else False
        else:
            r = None
            reasons.append(
                f"how {op} treats the several values of {key} in the request "
                "(AWS documents only ForAnyValue/ForAllValues for multivalued keys)"
            )
    return r, (reasons or [f"condition {op} {key}"]) if r is None else []


_NOMATCH = object()
