"""Matching of the Action, Resource and Principal elements, and normalisation of policy documents.

All matchers are three-valued: True, False, or None when an :class:`~pipelint.values.Unknown` is in
the way. Wildcard patterns are compiled once (``functools.lru_cache``).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

from pipelint.values import Unknown

from .model import Principal

TYPE_CHECKING = False  # for annotations only: typing costs 3 ms to import
if TYPE_CHECKING:
    from typing import Any

# Policy variables ``${*}``/``${?}`` stand for a literal ``*``/``?``; we carry them through the
# glob compiler as these private-use characters so they are not taken as wildcards.
LIT_STAR = "\ue000"
LIT_QMARK = "\ue001"

_ACCOUNT_RE = re.compile(r"^\d{12}$")
# IAM UG, "IAM JSON policy elements: Action": service prefix, colon, action name; wildcards allowed.
# A string with blanks, commas or an empty half names no action (so it matches nothing).
_ACTION_PATTERN_RE = re.compile(r"^[A-Za-z0-9*?_.-]+:[A-Za-z0-9*?_.-]+$")


# --------------------------------------------------------------------------- wildcard compilation


@functools.lru_cache(maxsize=8192)
def _glob(pattern: str, ignore_case: bool) -> re.Pattern[str]:
    out = []
    for ch in pattern:
        if ch == "*":
            out.append(".*")
        elif ch == "?":
            out.append(".")
        elif ch == LIT_STAR:
            out.append(re.escape("*"))
        elif ch == LIT_QMARK:
            out.append(re.escape("?"))
        else:
            out.append(re.escape(ch))
    return re.compile("".join(out), (re.IGNORECASE if ignore_case else 0) | re.DOTALL)


def glob_match(pattern: str, value: str, ignore_case: bool = False) -> bool:
    """``*`` matches any run of characters (``/`` and ``:`` included), ``?`` any one character."""
    if pattern == "*":
        return True
    if "*" not in pattern and "?" not in pattern and LIT_STAR not in pattern and LIT_QMARK not in pattern:
        return pattern.lower() == value.lower() if ignore_case else pattern == value
    if "?" not in pattern and LIT_STAR not in pattern and LIT_QMARK not in pattern and (
            not ignore_case or (pattern.isascii() and value.isascii())):
        # only stars: matched piece by piece, without compiling a regular expression per pattern (most
        # patterns of a setup are seen once or twice). ASCII only when ignoring case: re's IGNORECASE
        # folds a few non-ASCII letters (the long s, the Kelvin sign) that lower() does not.
        if ignore_case:
            pattern, value = pattern.lower(), value.lower()
        return _stars_match(pattern.split("*"), value)
    return _glob(pattern, ignore_case).fullmatch(value) is not None


def _stars_match(pieces: list[str], value: str) -> bool:
    """Whether ``value`` is ``pieces`` joined by runs of any characters (the first piece a prefix, the
    last a suffix, the ones between found in order: leftmost is always right for ``*`` alone)."""
    first, last = pieces[0], pieces[-1]
    if not value.startswith(first) or len(value) < len(first) + len(last):
        return False
    position = len(first)
    end = len(value) - len(last)
    for piece in pieces[1:-1]:
        found = value.find(piece, position, end)
        if found < 0:
            return False
        position = found + len(piece)
    return value.endswith(last)


@functools.lru_cache(maxsize=16384)
def arn_like(pattern: str, arn: str) -> bool:
    """IAM UG, condition operators, ARN: each of the six colon-separated parts is matched on its own
    (wildcards allowed in each), case-sensitively. Used for the Resource element too."""
    if pattern == "*":
        return True
    p = pattern.split(":", 5)
    v = arn.split(":", 5)
    if len(p) == 6 and len(v) == 6:
        return all(glob_match(a, b) for a, b in zip(p, v))
    return glob_match(pattern, arn)


# --------------------------------------------------------------------------- three-valued helpers


def t_or(values: Iterable[bool | None]) -> bool | None:
    seen_none = False
    for v in values:
        if v is True:
            return True
        if v is None:
            seen_none = True
    return None if seen_none else False


def t_and(values: Iterable[bool | None]) -> bool | None:
    seen_none = False
    for v in values:
        if v is False:
            return False
        if v is None:
            seen_none = True
    return None if seen_none else True


def t_not(value: bool | None) -> bool | None:
    return None if value is None else not value


# --------------------------------------------------------------------------- accounts and ARNs


def account_of(arn: Any) -> str | None:
    """The 12-digit account in an ARN (or a bare account id); None when there is none or it is unknown."""
    if not isinstance(arn, str):
        return None
    return _account_of(arn)


# The ARN helpers below are pure functions of a string that every principal match asks again for the
# same ARNs, a pipeline's checks one after the other: the last few thousand are remembered.
@functools.lru_cache(maxsize=4096)
def _account_of(arn: str) -> str | None:
    if _ACCOUNT_RE.match(arn):
        return arn
    parts = arn.split(":", 5)
    if len(parts) == 6 and parts[0] == "arn" and _ACCOUNT_RE.match(parts[4]):
        return parts[4]
    return None


def _split_arn(arn: str) -> list[str] | None:
    parts = arn.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn":
        return None
    return parts


@functools.lru_cache(maxsize=4096)
def session_role_name(arn: str) -> tuple[str, str, str] | None:
    """(partition, account, role name) of an ``arn:aws:sts::ACCT:assumed-role/NAME/SESSION`` ARN."""
    parts = _split_arn(arn)
    if not parts or parts[2] != "sts" or not parts[5].startswith("assumed-role/"):
        return None
    bits = parts[5].split("/")
    if len(bits) < 3:
        return None
    return parts[1], parts[4], bits[1]


@functools.lru_cache(maxsize=4096)
def role_name(arn: str) -> tuple[str, str, str] | None:
    """(partition, account, role name) of an ``arn:aws:iam::ACCT:role/path/NAME`` ARN (path dropped)."""
    parts = _split_arn(arn)
    if not parts or parts[2] != "iam" or not parts[5].startswith("role/"):
        return None
    return parts[1], parts[4], parts[5].rsplit("/", 1)[-1]


@functools.lru_cache(maxsize=4096)
def is_root_arn(arn: str) -> bool:
    parts = _split_arn(arn)
    return bool(parts and parts[2] == "iam" and parts[5] == "root")


# --------------------------------------------------------------------------- Action / Resource


def action_matches(pattern: Any, action: Any) -> bool | None:
    """IAM UG, Action element: case-insensitive, ``*``/``?`` wildcards. None when either side is Unknown.

    A pattern that is not ``service:action`` (blanks, commas, an empty half) names no action."""
    if isinstance(pattern, Unknown) or isinstance(action, Unknown):
        return None
    if not isinstance(pattern, str) or not isinstance(action, str):
        return False
    if pattern == "*":
        return True
    return _action_match(pattern, action)


@functools.lru_cache(maxsize=65536)
def _action_match(pattern: str, action: str) -> bool:
    if not _ACTION_PATTERN_RE.match(pattern):
        return False
    return glob_match(pattern, action, ignore_case=True)


def resource_matches(pattern: Any, arn: Any) -> bool | None:
    """IAM UG, Resource element: case-sensitive ARN match with wildcards in each ARN part.

    ``arn:aws:s3:::bucket/*`` matches objects but not the bucket ``arn:aws:s3:::bucket``, and the bucket
    pattern matches no object. None when the pattern or the ARN is an Unknown.
    """
    if isinstance(pattern, Unknown) or isinstance(arn, Unknown):
        return None
    if not isinstance(pattern, str) or not isinstance(arn, str):
        return False
    return arn_like(pattern, arn)


# --------------------------------------------------------------------------- documents


def as_list(value: Any) -> list:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return list(value)
    return [value]


_LIST_FIELDS = ("Action", "NotAction", "Resource", "NotResource")


def normalise_principal(value: Any) -> Any:
    """``"*"`` stays ``"*"``; a mapping becomes ``{type: [values]}``; an Unknown stays Unknown."""
    if isinstance(value, dict):
        return {k: (v if isinstance(v, Unknown) else as_list(v)) for k, v in value.items()}
    if isinstance(value, (list, tuple)):  # not valid IAM, but be lenient: a bare list of AWS principals
        return {"AWS": list(value)}
    return value


def normalise_statement(stmt: Any) -> Any:
    if not isinstance(stmt, dict):
        return stmt
    out = dict(stmt)
    for key in _LIST_FIELDS:
        if key in out and not isinstance(out[key], Unknown):
            out[key] = as_list(out[key])
    for key in ("Principal", "NotPrincipal"):
        if key in out:
            out[key] = normalise_principal(out[key])
    return out


def statements(document: Any) -> list:
    """The statements of a policy document, each normalised (Action/Resource/... always lists,
    Principal ``{type: [values]}`` or ``"*"``). An entry is an :class:`Unknown` when the statement (or
    the whole document, or its Statement element) is unknown; a missing Statement gives ``[]``."""
    if isinstance(document, Unknown):
        return [document]
    if not isinstance(document, dict):
        return []
    raw = document.get("Statement")
    if raw is None:
        return []
    if isinstance(raw, Unknown):
        return [raw]
    return [normalise_statement(s) for s in as_list(raw)]


# --------------------------------------------------------------------------- principals

# Kinds of match between a Principal element entry and the caller.
EXACT = "exact"  # the caller's own ARN (user, session), "*" or a matching service
ROLE = "role"  # the role ARN of an assumed-role session (or of the role principal itself)
ACCOUNT = "account"  # the caller's account (root ARN or bare 12-digit id)


def _entry_kind(ptype: str, entry: Any, p: Principal) -> tuple[str | None, bool | None]:
    """How one entry of a Principal element names ``p``: (kind, matched) with matched three-valued."""
    if isinstance(entry, Unknown):
        return None, None
    if not isinstance(entry, str):
        return None, False
    if entry == "*":
        return EXACT, True
    if ptype == "Service":
        return EXACT, (p.service is not None and entry.lower() == p.service.lower())
    if ptype == "Federated":
        return EXACT, (entry == p.arn or (p.service is not None and entry == p.service))
    if ptype == "CanonicalUser":
        # A canonical user id names an account (or a CloudFront identity); pipelint cannot map it.
        if p.arn is None and p.service is None and p.account is None:
            return None, False
        return None, None
    if ptype != "AWS":
        return None, False
    # AWS principals
    if p.arn is None and p.account is None:
        return None, False  # services and anonymous callers are named only by "*" / Service
    if isinstance(p.arn, Unknown):
        return None, None
    acct = p.account or account_of(p.arn)
    if _names_account(entry):
        entry_acct = account_of(entry)
        if p.arn is not None and is_root_arn(p.arn):
            return EXACT, entry_acct == acct
        if acct is None:
            return ACCOUNT, None
        return ACCOUNT, entry_acct == acct
    if p.arn is None:  # "some principal of account acct": a specific ARN there may or may not be it
        entry_acct = account_of(entry)
        return None, (False if (acct and entry_acct and entry_acct != acct) else None)
    if entry == p.arn:
        # A role ARN stands for the role's sessions: naming it is a ROLE grant (which, unlike a grant
        # to a session or user ARN, a permissions boundary still limits).
        return (ROLE if role_name(p.arn) is not None else EXACT), True
    # A role ARN names the role's sessions (the session ARN drops the role path).
    sess = session_role_name(p.arn)
    if sess is not None:
        rn = role_name(entry)
        if rn is not None and rn == sess:
            return ROLE, True
    return None, False


@functools.lru_cache(maxsize=4096)
def _names_account(entry: str) -> bool:
    """A Principal entry that names an account: a bare 12-digit id or an account root ARN."""
    return bool(_ACCOUNT_RE.match(entry)) or is_root_arn(entry)


def principal_entries(element: Any) -> list[tuple[str, Any]]:
    """(type, value) pairs of a Principal element; ``"*"`` becomes ``("*", "*")``."""
    element = normalise_principal(element)
    if isinstance(element, Unknown):
        return [("?", element)]
    if element == "*":
        return [("*", "*")]
    out: list[tuple[str, Any]] = []
    if isinstance(element, dict):
        for ptype, values in element.items():
            if isinstance(values, Unknown):
                out.append((ptype, values))
            else:
                for v in values:
                    out.append((ptype, v))
    return out


def match_principal(element: Any, p: Principal) -> dict[str, bool | None]:
    """For each kind (EXACT/ROLE/ACCOUNT) whether some entry of ``element`` names ``p`` that way.

    An Unknown entry makes every kind at least None (it could be anything).
    """
    res: dict[str, bool | None] = {EXACT: False, ROLE: False, ACCOUNT: False}
    for ptype, entry in principal_entries(element):
        if ptype in ("*", "?") or isinstance(entry, Unknown):
            if ptype == "*":
                res[EXACT] = True
                continue
            for k in res:
                res[k] = t_or([res[k], None])
            continue
        kind, matched = _entry_kind(ptype, entry, p)
        if kind is None:
            if matched is None:
                for k in res:
                    res[k] = t_or([res[k], None])
            continue
        res[kind] = t_or([res[kind], matched])
    # "AWS": "*" is the same as "*" (IAM UG, Principal element, "All principals").
    return res


def principal_matches(element: Any, principal: Principal, *, include_account: bool = True) -> bool | None:
    """Whether a Principal element names ``principal`` (its ARN, its role, ``*``, a matching service,
    or — when ``include_account`` — its account). None when an Unknown entry leaves it open."""
    m = match_principal(element, principal)
    kinds = [m[EXACT], m[ROLE]] + ([m[ACCOUNT]] if include_account else [])
    return t_or(kinds)


def not_principal_excludes(element: Any, p: Principal) -> bool | None:
    """Whether a Deny's NotPrincipal element exempts ``p``.

    IAM UG, "IAM JSON policy elements: NotPrincipal" (current page): with Deny, the account ARN of the
    not-denied principal must be listed too, "otherwise, the policy might deny access to the entire
    account containing the principal" — AWS may validate the account, then the role, then the session,
    each against the list. So an IAM principal is exempt only when both its identity (its ARN, or its
    role for a session) and its account are listed; its identity alone leaves it open (None); its
    account alone, or neither, exempts nothing. A service is exempt when it is listed; ``*`` exempts all.
    """
    entries = principal_entries(element)
    if any(ptype == "*" or entry == "*" for ptype, entry in entries):
        return True
    m = match_principal(element, p)
    identity = t_or([m[EXACT], m[ROLE]])
    if p.service is not None or (p.arn is None and p.account is None) or identity is False:
        return identity
    if isinstance(p.arn, str) and is_root_arn(p.arn):
        return identity  # the account itself: listing it is listing its identity
    return t_and([identity, m[ACCOUNT]]) if m[ACCOUNT] is not False else None
