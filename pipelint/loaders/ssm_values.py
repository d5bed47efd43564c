"""Values CloudFormation reads from SSM Parameter Store at deploy time, as the configuration gives them.

``ssm = { "/accounts/prod" = "222222222222" }`` (top level, or per ``[[stacks]]`` entry, which wins: a
name may hold another value in another account or region) settles two things that are otherwise
unknown offline:

* **SSM parameter types** (``AWS::SSM::Parameter::Value<String>`` and the like): the template
  parameter's value — from the deployment map, else its ``Default`` — is the *name* of an SSM
  parameter, and CloudFormation uses that parameter's value. ``List<...>`` and ``CommaDelimitedList``
  types take a ``StringList`` value, which is comma-separated.
  https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/systems-manager-parameter-types.html
  (CloudFormation reads the parameter in the account and region the stack deploys to; a parameter
  shared by another account is named by its ARN, which is a key of the map like any name)
* **Dynamic references** ``{{resolve:ssm:NAME}}`` and ``{{resolve:ssm:NAME:VERSION}}`` anywhere in a
  string, replaced by the value (a ``StringList`` as its comma-separated text). SSM parameter names
  hold no ``:``, so a trailing ``:digits`` is the version. A key ``"NAME:VERSION"`` in the map gives
  that version alone; ``"NAME"`` gives every version.
  https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/dynamic-references-ssm.html

``{{resolve:ssm-secure:...}}`` and ``{{resolve:secretsmanager:...}}`` are secrets: pipelint takes no
secret values, so they stay unknown and say that nothing offline settles them.

What is missing is an :class:`Unknown` whose reason names the SSM parameter to add to the map.
Pure, no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from pipelint.lazy_re import lazy
from pipelint.values import NOTHING_OFFLINE, Unknown

TYPE_CHECKING = False  # for annotations only: typing costs 3 ms to import
if TYPE_CHECKING:
    from typing import Any

SSM_TYPE = "AWS::SSM::Parameter::Value<"
REFERENCE = lazy(r"\{\{resolve:([A-Za-z-]+):([^}]*)\}\}")
_SECRETS = {"ssm-secure": "an SSM SecureString", "secretsmanager": "a Secrets Manager secret"}
# the phrase pipelint.values.NOTHING_OFFLINE: fix texts that carry it offer no input
_NOTHING_OFFLINE = NOTHING_OFFLINE


def is_ssm_type(kind: str) -> bool:
    return kind.startswith(SSM_TYPE) and kind.endswith(">")


def is_list_type(kind: str) -> bool:
    """``AWS::SSM::Parameter::Value<List<...>>`` and ``...<CommaDelimitedList>`` hold a StringList."""
    inner = kind[len(SSM_TYPE):-1].strip()
    return inner.startswith("List<") or inner == "CommaDelimitedList"


def lookup(ssm: Mapping[str, str], name: str) -> str | None:
    """The value the map gives SSM parameter ``name`` (``NAME`` or ``NAME:VERSION``), or None."""
    if name in ssm:
        return ssm[name]
    base, colon, version = name.rpartition(":")
    if colon and version.isdigit() and base in ssm:
        return ssm[base]
    return None


def _plain_name(name: str) -> str:
    base, colon, version = name.rpartition(":")
    return base if colon and version.isdigit() else name


def missing(name: str, ssm: Mapping[str, str]) -> str:
    """What to add to the configuration for SSM parameter ``name`` (a map key close to it is named)."""
    import difflib  # only when a value is missing

    plain = _plain_name(name)
    text = f'add ssm = {{ "{plain}" = "..." }} to pipelint.toml'
    close = difflib.get_close_matches(plain, list(ssm), n=1)
    if close:
        text += f' (the map gives "{close[0]}": a typo?)'
    return text


def typed_parameter(parameter: str, kind: str, name: Any, from_map: bool, ssm: Mapping[str, str]) -> Any:
    """The value of template parameter ``parameter`` of SSM type ``kind`` whose value is ``name``."""
    if not isinstance(name, str) or not name.strip():
        return Unknown(f"parameter {parameter} ({kind}) names no SSM parameter")
    value = lookup(ssm, name)
    if value is None:
        origin = "its value in the deployment map" if from_map else "its Default"
        return Unknown(f'parameter {parameter} ({kind}) is read from SSM at deploy time: "{name}" ({origin}) is '
                       f"the name of the SSM parameter, and the value of that SSM parameter is not given; "
                       f"{missing(name, ssm)}")
    if is_list_type(kind):
        return [item.strip() for item in value.split(",")]
    return value


def resolve_references(text: str, ssm: Mapping[str, str]) -> str | Unknown:
    """``text`` with every ``{{resolve:ssm:...}}`` replaced by its value; Unknown when one is not given
    or the text holds a secret."""
    if "{{resolve:" not in text:
        return text
    unknown: Unknown | None = None

    def replace(match: re.Match) -> str:
        nonlocal unknown
        service, key = match.group(1), match.group(2)
        if service == "ssm":
            value = lookup(ssm, key)
            if value is not None:
                return value
            # the same words for every reference to one name: findings it settles are listed together
            unknown = unknown or Unknown(f'SSM parameter "{_plain_name(key)}" is read at deploy time and its '
                                         f"value is not given; {missing(key, ssm)}")
        elif service in _SECRETS:
            unknown = unknown or Unknown(f"{match.group(0)} is {_SECRETS[service]} CloudFormation reads at deploy "
                                         f"time: {_NOTHING_OFFLINE} (pipelint takes no secret values)")
        else:
            unknown = unknown or Unknown(f"dynamic reference {match.group(0)} cannot be read offline")
        return match.group(0)

    result = REFERENCE.sub(replace, text)
    return unknown if unknown is not None else result
