"""What would settle a condition key whose value a request context does not hold.

The evaluator names such a key as UNKNOWN; the finding's fix text then says which input would settle
it or, for keys whose value only exists at request time, that nothing offline can. The phrase
:data:`NOTHING_OFFLINE` marks the latter so reporters do not say "add to the inputs".
"""

from __future__ import annotations

from pipelint.values import NOTHING_OFFLINE

# (prefix of the lower-cased key, what settles it); the first match wins
_NOTES: tuple[tuple[str, str], ...] = (
    ("aws:sourceip", f"the address the request comes from: {NOTHING_OFFLINE}"),
    ("aws:vpcsourceip", f"the address the request comes from: {NOTHING_OFFLINE}"),
    ("aws:sourcevpc", f"the network the request comes from: {NOTHING_OFFLINE}"),
    ("aws:currenttime", f"the time of the request: {NOTHING_OFFLINE}"),
    ("aws:epochtime", f"the time of the request: {NOTHING_OFFLINE}"),
    ("aws:tokenissuetime", f"the time the session began: {NOTHING_OFFLINE}"),
    ("aws:requesttag/", f"tags the request carries: {NOTHING_OFFLINE}"),
    ("aws:tagkeys", f"tags the request carries: {NOTHING_OFFLINE}"),
    ("aws:userid", f"the unique id of the caller's role session: {NOTHING_OFFLINE}"),
    ("sts:rolesessionname", f"the session name the calling service picks: {NOTHING_OFFLINE}"),
    ("aws:principaltag/", "the tags of the calling role (its Tags among the inputs, or `pipelint audit`)"),
    ("aws:resourcetag/", "the tags of the resource (its Tags among the inputs, or `pipelint audit`)"),
    ("aws:principalorgid", "the organization of the caller's account (org-id and accounts in the configuration)"),
    ("aws:resourceorgid", "the organization of the resource's account (org-id and accounts in the configuration)"),
    ("aws:principalorgpaths", "the organization path of the caller's account: not read by pipelint, "
                              f"{NOTHING_OFFLINE}"),
)


def settle_key(key: str) -> str:
    """What would settle condition key ``key``."""
    lowered = key.lower()
    for prefix, note in _NOTES:
        if lowered.startswith(prefix):
            return note
    return f"pipelint does not know this key's value in this request: {NOTHING_OFFLINE}"
