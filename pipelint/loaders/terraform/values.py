"""The kinds of value Terraform expressions evaluate to here, beyond plain Python data.

Plain data stands for HCL values: str, int/float, bool, None (null), list (tuple, list and set) and
dict (object and map). Besides those:

- :class:`~pipelint.values.Unknown` — not known before apply, or not given (a variable without value);
  its reason names what would settle it, as for CloudFormation.
- :class:`Invalid` — an Unknown that is an evaluation error (an index out of range, a missing map key):
  Terraform would stop there; ``try()`` and ``can()`` catch it, everything else treats it as unknown.
- :class:`UnknownText` — a string template with unknown parts. It is unknown, but remembers the text
  around the holes, so a heredoc policy with one unknown principal still parses into statements.
- :class:`JsonText` / :class:`PartialJson` — what ``jsonencode`` and ``aws_iam_policy_document``
  return: the JSON text (or an Unknown when parts are unknown) together with the value it encodes,
  so a policy keeps the positions of its statements.
- :class:`PosDict` / :class:`PosList` — objects and tuples built by an expression, with the place of
  the expression (file, line, column), for pointing at a policy statement.
- :class:`Lazy` — resources, modules, variables: attributes computed when first asked for.
"""

from __future__ import annotations

import json
import re
from typing import Any

from pipelint.values import Unknown, find_unknown


class Invalid(Unknown):
    """An expression Terraform would reject with these values (``try`` skips it)."""

    __slots__ = ()


class UnknownOf(Unknown):
    """The unknown name or ARN of a resource the configuration defines: ``of`` is that resource's model
    key, so what attaches to it (a bucket policy, a role policy) still finds it."""

    __slots__ = ("of",)

    def __init__(self, reason: str, shape: str | None, of: str):
        super().__init__(reason, shape)
        self.of = of


class UnknownText(Unknown):
    """A template string with holes: ``text`` holds each hole as a sentinel, ``holes`` its Unknown."""

    __slots__ = ("text", "holes")

    def __init__(self, reason: str, shape: str | None, text: str, holes: dict):
        super().__init__(reason, shape)
        self.text = text
        self.holes = holes


class PartialJson(Unknown):
    """``jsonencode`` of a value with unknown parts: ``value`` is that value, unknowns in place."""

    __slots__ = ("value",)

    def __init__(self, reason: str, value: Any):
        super().__init__(reason)
        self.value = value


class JsonText(str):
    """JSON text that remembers the value it encodes (with its positions)."""

    __slots__ = ("value",)

    def __new__(cls, text: str, value: Any):
        made = super().__new__(cls, text)
        made.value = value
        return made


class PosDict(dict):
    __slots__ = ("pos",)


class PosList(list):
    __slots__ = ("pos",)


def with_pos(value: Any, pos: tuple) -> Any:
    if type(value) is dict:
        made = PosDict(value)
        made.pos = pos
        return made
    if type(value) is list:
        made = PosList(value)
        made.pos = pos
        return made
    return value


def pos_of(value: Any) -> tuple | None:
    return getattr(value, "pos", None)


class Lazy:
    """A value whose attributes are computed when asked for (a resource, a module, ``var``)."""

    def get_attr(self, name: str) -> Any:  # pragma: no cover - every subclass defines it
        raise NotImplementedError

    def get_index(self, key: Any) -> Any:
        return Invalid(f"{self.describe()} cannot be indexed with [{key!r}]")

    def materialize(self) -> Any:
        return Unknown(f"the whole of {self.describe()} is not known offline")

    def describe(self) -> str:
        return type(self).__name__


SENTINEL = re.compile("\ue000(\\d+)\ue001")
_ARN_SHAPE = re.compile(r"^arn:(?:aws[a-z-]*|\ue000\d+\ue001):([a-z0-9-]+):[^:]*:[^:]*:([a-z-]*)")


def shape_of(text: str) -> str | None:
    """What kind of ARN a template with holes builds (``arn:iam:role``), when its literal text says."""
    match = _ARN_SHAPE.match(text)
    return f"arn:{match.group(1)}:{match.group(2)}" if match else None


def to_json_value(value: Any) -> Any:
    """``value`` as data ``json.dumps`` takes: lazy objects materialized, integral floats as ints."""
    if isinstance(value, Lazy):
        value = value.materialize()
    if isinstance(value, dict):
        return {str(k): to_json_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [to_json_value(v) for v in value]
    if isinstance(value, float) and value.is_integer() and abs(value) < 2 ** 53:
        return int(value)
    return value


def jsonencode(value: Any) -> Any:
    """Terraform's ``jsonencode``: keys sorted, no spaces; unknown parts make it a :class:`PartialJson`."""
    if isinstance(value, Unknown):
        return value
    data = to_json_value(value)
    unknown = find_unknown(data)
    if unknown is not None:
        return PartialJson(unknown.reason, value)
    return JsonText(json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False), value)


def type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "object"
    return "object"


def to_text(value: Any) -> str | None:
    """The string HCL makes of a primitive in a template or string argument; None when it makes none."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 2 ** 53 else repr(value)
    return None
