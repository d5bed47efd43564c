"""Action and Resource elements matched without the general path, when nothing in them is unknown.

The general matcher (``evaluate._element_match``) names every Unknown it meets, which costs a closure and
a list per element. Most elements hold only strings: these matchers answer True or False for them, and
:data:`SLOW` ("not for me") for anything else, which the general path then decides and explains.
"""

from __future__ import annotations

from pipelint.values import Unknown

from .match import _action_match, arn_like

TYPE_CHECKING = False  # for annotations only: typing costs 3 ms to import
if TYPE_CHECKING:
    from typing import Any

SLOW = object()
_ACTIONS_SEEN: dict = {}  # (Action element as a str or tuple, action) -> whether it names the action
_ACTIONS_SEEN_MOST = 100_000


def plain_actions(element: Any, action: str) -> Any:
    """Whether an Action (or NotAction) element names a known ``action``: True or False when the element
    holds no Unknown (so there is nothing to report); else :data:`SLOW`.

    Remembered by content: the same action lists recur in every role of a setup."""
    if isinstance(element, str):
        key = (element, action)
        is_str = True
    elif isinstance(element, (list, tuple)):  # a template's values may be a list subclass (ResolvedList)
        key = (tuple(element), action)
        is_str = False
    else:
        return SLOW
    try:
        found = _ACTIONS_SEEN.get(key)
    except TypeError:  # an unhashable entry, e.g. a mapping: not a plain element
        return SLOW
    if found is not None:
        return found
    items = key[:1] if is_str else key[0]
    if any(isinstance(v, Unknown) for v in items):
        return SLOW
    found = any(isinstance(v, str) and (v == "*" or _action_match(v, action)) for v in items)
    if len(_ACTIONS_SEEN) >= _ACTIONS_SEEN_MOST:
        _ACTIONS_SEEN.clear()
    _ACTIONS_SEEN[key] = found
    return found


def plain_resources(element: Any, resource: str, variables: bool) -> Any:
    """Whether a Resource (or NotResource) element names a known ``resource``: True or False when no entry
    before the first match is an Unknown or takes a policy variable; else :data:`SLOW`."""
    if isinstance(element, str):
        items: Any = (element,)
    elif isinstance(element, (list, tuple)):
        items = element
    else:
        return SLOW
    for pattern in items:
        if pattern.__class__ is str:
            if variables and "${" in pattern:
                return SLOW
            if arn_like(pattern, resource):
                return True
        elif isinstance(pattern, (str, Unknown)):
            return SLOW
    return False
