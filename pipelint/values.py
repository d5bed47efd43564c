"""Values that the inputs could not settle.

A template value that depends on a parameter without a value, an SSM reference, an unknown import or
anything else the inputs do not say becomes an :class:`Unknown` that remembers why. Rules turn these
into *unverified* findings; nothing downstream may treat one as a real string.
"""

from __future__ import annotations

TYPE_CHECKING = False  # for annotations only: typing costs 3 ms to import
if TYPE_CHECKING:
    from typing import Any


#: marks what no input can settle (a value that exists only at request or deploy time); fix texts that
#: carry it offer no input to add
NOTHING_OFFLINE = "nothing offline settles it"


def fix_for(settle: str) -> str:
    """The fix text of an unverified finding: the input to add, or, when every part of ``settle`` is
    beyond any input, that nothing offline settles it."""
    parts = [part for part in settle.split("; ") if part]
    if parts and all(NOTHING_OFFLINE in part for part in parts):
        return f"No input settles this offline: {settle}"
    return f"Add to the inputs: {settle}"


class Unknown:
    """A value the inputs cannot settle; ``reason`` names what input would settle it."""

    __slots__ = ("reason", "shape")

    def __init__(self, reason: str, shape: str | None = None) -> None:
        self.reason = reason
        # what is known of the value's form, e.g. "arn:kms:key" for a key ARN whose account is unknown
        self.shape = shape

    def __repr__(self) -> str:
        return f"Unknown({self.reason!r})"

    def __str__(self) -> str:
        return f"<unknown: {self.reason}>"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Unknown) and other.reason == self.reason

    def __hash__(self) -> int:
        return hash(("Unknown", self.reason))


def is_unknown(value: Any) -> bool:
    return isinstance(value, Unknown)


def find_unknown(value: Any) -> Unknown | None:
    """The first Unknown inside ``value`` (depth first), or None when it is fully known."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, Unknown):
            return item
        if isinstance(item, dict):
            stack.extend(reversed(list(item.values())))
        elif isinstance(item, (list, tuple)):
            stack.extend(reversed(item))
    return None


def known_str(value: Any) -> str | None:
    """``value`` when it is a known string, else None."""
    return value if isinstance(value, str) else None


def generated_logical(value: Any) -> str | None:
    """The logical id inside the first generated-name placeholder ``⟨stack.LogicalId⟩`` of ``value``
    (for a Terraform placeholder ``⟨tf:ADDRESS⟩``, the resource address)."""
    if not isinstance(value, str) or "⟨" not in value or "⟩" not in value:
        return None
    inside = value[value.index("⟨") + 1:value.index("⟩")]
    if inside.startswith("tf:"):
        return inside[3:]
    return inside.rsplit(".", 1)[-1]


def display(value: Any) -> str:
    """``value`` for a message: generated-name placeholders ``⟨stack.LogicalId⟩`` read as words."""
    if isinstance(value, Unknown):
        return "<unknown>"  # the reason goes into the finding's fix, where it names the missing input
    text = str(value)
    while "⟨" in text and "⟩" in text:
        start, end = text.index("⟨"), text.index("⟩")
        maker = "AWS" if text[start + 1:start + 4] == "tf:" else "CloudFormation"
        text = f"{text[:start]}<id {maker} generates for {generated_logical(text)}>{text[end + 1:]}"
    return text
