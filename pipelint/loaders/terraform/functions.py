"""Terraform's built-in functions that pipeline code uses, evaluated offline.

Each follows the Terraform language documentation (developer.hashicorp.com/terraform/language/functions).
An unknown argument makes the result unknown (except ``try``, ``can`` and ``coalesce`` where an earlier
argument already decides); a wrong argument is an Invalid naming the place. Functions whose result
changes on every run (``timestamp``, ``uuid``) or that pipelint does not implement give an Unknown that
says so, never a guess.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from pipelint.loaders.terraform import syntax as s
from pipelint.loaders.terraform.expressions import Scope, equal, evaluate, where
from pipelint.loaders.terraform.values import Invalid, JsonText, Lazy, jsonencode, to_text, type_name
from pipelint.values import Unknown, find_unknown


class _Fail(Exception):
    """A function's arguments are wrong: becomes an Invalid naming the call."""


def call(node: s.Call, scope: Scope) -> Any:
    name = node.name
    if name == "try":
        return _try(node, scope)
    if name == "can":
        if len(node.args) != 1:
            return Invalid(f"can() takes one argument ({where(scope, node)})")
        value = evaluate(node.args[0], scope)
        if isinstance(value, Invalid):
            return False
        if isinstance(value, Unknown):
            return value
        return True
    args = [evaluate(arg, scope) for arg in node.args]
    if node.expand and args:
        last = args.pop()
        if isinstance(last, Unknown):
            return last
        if not isinstance(last, list):
            return Invalid(f"the argument expanded with ... must be a list ({where(scope, node)})")
        args.extend(last)
    function = FUNCTIONS.get(name)
    if function is None:
        if name in CHANGING:
            return Unknown(f"{name}() at {where(scope, node)} gives a new value on every run")
        return Unknown(f"function {name}() at {where(scope, node)} is not evaluated by pipelint")
    if name not in KEEPS_UNKNOWN:
        for arg in args:
            if isinstance(arg, Invalid):
                return arg
        for arg in args:
            if isinstance(arg, Unknown) and name not in IN_ORDER:
                return arg
            unknown = find_unknown(arg) if isinstance(arg, (list, dict)) and name in DEEP else None
            if unknown is not None:
                return unknown
    try:
        return function(args, scope, node)
    except _Fail as exc:
        return Invalid(f"{name}(): {exc} ({where(scope, node)})")
    except (TypeError, ValueError, IndexError, KeyError, ZeroDivisionError, OverflowError, RecursionError) as exc:
        return Invalid(f"{name}() cannot take these arguments: {type(exc).__name__} ({where(scope, node)})")


def _try(node: s.Call, scope: Scope) -> Any:
    last = None
    for arg in node.args:
        value = evaluate(arg, scope)
        if isinstance(value, Invalid):
            last = value
            continue
        return value  # an Unknown too: Terraform waits for it rather than trying the next
    return Invalid(f"no argument of try() could be evaluated ({where(scope, node)})"
                   + (f": {last.reason}" if last is not None else ""))


# -- helpers ---------------------------------------------------------------------------------------

def _count(args: list, low: int, high: int | None = None) -> None:
    high = low if high is None else high
    if not low <= len(args) <= high:
        raise _Fail(f"takes {low}{'' if high == low else f' to {high}'} arguments, not {len(args)}")


def _text(value: Any, what: str = "argument") -> str:
    text = to_text(value)
    if text is None:
        raise _Fail(f"the {what} must be a string, not {type_name(value)}")
    return text


def _list(value: Any, what: str = "argument") -> list:
    if isinstance(value, Lazy):
        value = value.materialize()
    if isinstance(value, list):
        return value
    raise _Fail(f"the {what} must be a list, not {type_name(value)}")


def _map(value: Any, what: str = "argument") -> dict:
    if isinstance(value, Lazy):
        value = value.materialize()
    if isinstance(value, dict):
        return value
    raise _Fail(f"the {what} must be a map or object, not {type_name(value)}")


def _number(value: Any) -> int | float:
    if isinstance(value, bool):
        raise _Fail("expected a number, not a bool")
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            raise _Fail(f"{value!r} is not a number") from None
        return int(number) if number.is_integer() else number
    raise _Fail(f"expected a number, not {type_name(value)}")


def _unknown_in(values: list) -> Unknown | None:
    for value in values:
        if isinstance(value, Unknown):
            return value
    return None


# -- encoding --------------------------------------------------------------------------------------

def _jsonencode(args, scope, node):
    _count(args, 1)
    return jsonencode(args[0])


def _jsondecode(args, scope, node):
    _count(args, 1)
    text = args[0]
    if isinstance(text, JsonText):
        return json.loads(text)
    try:
        return json.loads(_text(text))
    except json.JSONDecodeError as exc:
        raise _Fail(f"not valid JSON ({exc.msg})") from None


# -- strings ---------------------------------------------------------------------------------------

_VERB = re.compile(r"%(?:\[(\d+)\])?([-+# 0]*)(\d+|\*)?(?:\.(\d+))?([a-zA-Z%])")


def _format_one(spec: str, args: list) -> str:
    out, position, used = [], 0, 0
    for match in _VERB.finditer(spec):
        out.append(spec[position:match.start()])
        position = match.end()
        verb = match.group(5)
        if verb == "%":
            out.append("%")
            continue
        index = int(match.group(1)) - 1 if match.group(1) else used
        used = index + 1
        if index >= len(args):
            raise _Fail("not enough arguments for the format string")
        value = args[index]
        if verb in ("s", "v"):
            text = to_text(value) if not isinstance(value, (list, dict)) else json.dumps(value)
            if text is None:
                raise _Fail(f"%{verb} cannot format null")
        elif verb == "q":
            text = json.dumps(_text(value))
        elif verb == "d":
            text = str(int(_number(value)))
        elif verb in ("f", "e", "g"):
            precision = match.group(4)
            text = f"{_number(value):.{precision or 6}{verb}}"
        elif verb == "t":
            if not isinstance(value, bool):
                raise _Fail("%t needs a bool")
            text = "true" if value else "false"
        elif verb in ("x", "X", "o", "b"):
            text = format(int(_number(value)), verb)
        else:
            raise _Fail(f"unsupported verb %{verb}")
        width = match.group(3)
        if width and width != "*":
            flags = match.group(2)
            text = text.ljust(int(width)) if "-" in flags else text.rjust(int(width), "0" if "0" in flags else " ")
        out.append(text)
    out.append(spec[position:])
    return "".join(out)


def _format(args, scope, node):
    if not args:
        raise _Fail("needs a format string")
    return _format_one(_text(args[0], "format string"), args[1:])


def _formatlist(args, scope, node):
    if not args:
        raise _Fail("needs a format string")
    spec = _text(args[0], "format string")
    lengths = {len(a) for a in args[1:] if isinstance(a, list)}
    if len(lengths) > 1:
        raise _Fail("the lists must have the same length")
    count = lengths.pop() if lengths else 1
    return [_format_one(spec, [a[i] if isinstance(a, list) else a for a in args[1:]]) for i in range(count)]


def _join(args, scope, node):
    if len(args) < 2:
        raise _Fail("takes a separator and at least one list")
    separator = _text(args[0], "separator")
    items = [item for lst in args[1:] for item in _list(lst)]
    unknown = _unknown_in(items)
    if unknown is not None:
        return unknown
    return separator.join(_text(item, "list element") for item in items)


def _split(args, scope, node):
    _count(args, 2)
    return _text(args[1]).split(_text(args[0], "separator"))


def _replace(args, scope, node):
    _count(args, 3)
    text, find, repl = _text(args[0]), _text(args[1]), _text(args[2])
    if len(find) > 1 and find.startswith("/") and find.endswith("/"):
        try:
            pattern = re.compile(find[1:-1])
        except re.error:
            raise _Fail("the regular expression is not valid") from None
        return pattern.sub(re.sub(r"\$\{?(\d+)\}?", r"\\g<\1>", repl.replace("\\", "\\\\")), text)
    return text.replace(find, repl)


def _string_fn(fn):
    def apply(args, scope, node):
        _count(args, 1)
        return fn(_text(args[0]))
    return apply


def _trim(args, scope, node):
    _count(args, 2)
    return _text(args[0]).strip(_text(args[1]))


def _trimprefix(args, scope, node):
    _count(args, 2)
    text, prefix = _text(args[0]), _text(args[1])
    return text[len(prefix):] if prefix and text.startswith(prefix) else text


def _trimsuffix(args, scope, node):
    _count(args, 2)
    text, suffix = _text(args[0]), _text(args[1])
    return text[:-len(suffix)] if suffix and text.endswith(suffix) else text


def _substr(args, scope, node):
    _count(args, 3)
    text, offset, length = _text(args[0]), int(_number(args[1])), int(_number(args[2]))
    if offset < 0:
        offset += len(text)
    return text[offset:] if length == -1 else text[offset:offset + length]


def _startswith(args, scope, node):
    _count(args, 2)
    return _text(args[0]).startswith(_text(args[1]))


def _endswith(args, scope, node):
    _count(args, 2)
    return _text(args[0]).endswith(_text(args[1]))


def _strcontains(args, scope, node):
    _count(args, 2)
    return _text(args[1]) in _text(args[0])


def _regex(args, scope, node):
    _count(args, 2)
    try:
        match = re.search(_text(args[0]), _text(args[1]))
    except re.error:
        raise _Fail("the regular expression is not valid") from None
    if match is None:
        raise _Fail("the pattern does not match")
    if match.groupdict():
        return match.groupdict()
    return list(match.groups()) if match.groups() else match.group(0)


# -- collections ----------------------------------------------------------------------------------

def _concat(args, scope, node):
    return [item for lst in args for item in _list(lst)]


def _merge(args, scope, node):
    out: dict = {}
    for value in args:
        if value is None:
            continue
        out.update(_map(value))
    return out


def _lookup(args, scope, node):
    _count(args, 2, 3)
    mapping, key = _map(args[0]), _text(args[1], "key")
    if key in mapping:
        return mapping[key]
    if len(args) == 3:
        return args[2]
    raise _Fail(f"no key {key!r} and no default")


def _coalesce(args, scope, node):
    for value in args:
        if isinstance(value, Unknown):
            return value
        if value is not None and value != "":
            return value
    raise _Fail("every argument is null or empty")


def _coalescelist(args, scope, node):
    for value in args:
        if isinstance(value, Unknown):
            return value
        if _list(value):
            return value
    raise _Fail("every argument is an empty list")


def _tolist(args, scope, node):
    _count(args, 1)
    return list(_list(args[0]))


def _set_key(value: Any) -> Any:
    return json.dumps(value, sort_keys=True, default=str)


def _toset(args, scope, node):
    _count(args, 1)
    items = _list(args[0])
    unknown = _unknown_in(items)
    if unknown is not None:
        return unknown
    seen, out = set(), []
    for item in items:
        key = _set_key(item)
        if key not in seen:
            seen.add(key)
            out.append(item)
    # a set of strings iterates in lexical order (Terraform: "Type Constraints", set)
    return sorted(out) if all(isinstance(i, str) for i in out) else out


def _tomap(args, scope, node):
    _count(args, 1)
    return dict(_map(args[0]))


def _tostring(args, scope, node):
    _count(args, 1)
    if args[0] is None:
        return None
    return _text(args[0])


def _tonumber(args, scope, node):
    _count(args, 1)
    return None if args[0] is None else _number(args[0])


def _tobool(args, scope, node):
    _count(args, 1)
    value = args[0]
    if value is None or isinstance(value, bool):
        return value
    if value in ("true", "false"):
        return value == "true"
    raise _Fail(f"{value!r} is not a bool")


def _length(args, scope, node):
    _count(args, 1)
    value = args[0]
    if isinstance(value, Lazy):
        value = value.materialize()
        if isinstance(value, Unknown):
            return value
    if isinstance(value, (str, list, dict)):
        return len(value)
    raise _Fail(f"cannot take the length of {type_name(value)}")


def _element(args, scope, node):
    _count(args, 2)
    items, index = _list(args[0]), int(_number(args[1]))
    if not items:
        raise _Fail("the list is empty")
    return items[index % len(items)]


def _index(args, scope, node):
    _count(args, 2)
    items = _list(args[0])
    for i, item in enumerate(items):
        if equal(item, args[1]) is True:
            return i
    raise _Fail("the value is not in the list")


def _keys(args, scope, node):
    _count(args, 1)
    return sorted(_map(args[0]))


def _values(args, scope, node):
    _count(args, 1)
    mapping = _map(args[0])
    return [mapping[k] for k in sorted(mapping)]


def _contains(args, scope, node):
    _count(args, 2)
    items = _list(args[0])
    results = [equal(item, args[1]) for item in items]
    if any(r is True for r in results):
        return True
    unknown = _unknown_in(results)
    return unknown if unknown is not None else False


def _distinct(args, scope, node):
    _count(args, 1)
    seen, out = set(), []
    for item in _list(args[0]):
        key = _set_key(item)
        if key not in seen:
            seen.add(key)
            out.append(item)
    return out


def _flatten(args, scope, node):
    _count(args, 1)

    def walk(items):
        for item in items:
            if isinstance(item, Unknown):
                raise _Unknown(item)
            if isinstance(item, list):
                yield from walk(item)
            else:
                yield item
    try:
        return list(walk(_list(args[0])))
    except _Unknown as exc:
        return exc.value


class _Unknown(Exception):
    def __init__(self, value: Unknown):
        self.value = value


def _compact(args, scope, node):
    _count(args, 1)
    return [item for item in _list(args[0]) if item is not None and item != ""]


def _sort(args, scope, node):
    _count(args, 1)
    return sorted(_text(item, "list element") for item in _list(args[0]))


def _reverse(args, scope, node):
    _count(args, 1)
    return list(reversed(_list(args[0])))


def _slice(args, scope, node):
    _count(args, 3)
    items, start, end = _list(args[0]), int(_number(args[1])), int(_number(args[2]))
    if not 0 <= start <= end <= len(items):
        raise _Fail("the indexes are out of range")
    return items[start:end]


def _range(args, scope, node):
    _count(args, 1, 3)
    numbers = [_number(a) for a in args]
    start, stop, step = (0, numbers[0], 1) if len(numbers) == 1 else (
        numbers[0], numbers[1], numbers[2] if len(numbers) == 3 else 1)
    if step == 0 or abs((stop - start) / step) > 1024:
        raise _Fail("the range is empty or longer than 1024")
    out, value = [], start
    while (value < stop) if step > 0 else (value > stop):
        out.append(value)
        value += step
    return out


def _zipmap(args, scope, node):
    _count(args, 2)
    keys, values = _list(args[0]), _list(args[1])
    if len(keys) != len(values):
        raise _Fail("the lists must have the same length")
    return {_text(k, "key"): v for k, v in zip(keys, values)}


def _one(args, scope, node):
    _count(args, 1)
    items = _list(args[0])
    if len(items) > 1:
        raise _Fail("the list has more than one element")
    return items[0] if items else None


def _numbers(fn):
    def apply(args, scope, node):
        values = [_number(a) for a in (args[0] if len(args) == 1 and isinstance(args[0], list) else args)]
        if not values:
            raise _Fail("needs at least one number")
        return fn(values)
    return apply


def _alltrue(args, scope, node):
    _count(args, 1)
    return all(item is True or item == "true" for item in _list(args[0]))


def _anytrue(args, scope, node):
    _count(args, 1)
    return any(item is True or item == "true" for item in _list(args[0]))


def _setunion(args, scope, node):
    return _toset([[item for lst in args for item in _list(lst)]], scope, node)


def _setintersection(args, scope, node):
    if not args:
        raise _Fail("needs at least one set")
    keys = None
    for lst in args:
        these = {_set_key(item) for item in _list(lst)}
        keys = these if keys is None else keys & these
    return _toset([[item for item in _list(args[0]) if _set_key(item) in keys]], scope, node)


def _setsubtract(args, scope, node):
    _count(args, 2)
    remove = {_set_key(item) for item in _list(args[1])}
    return _toset([[item for item in _list(args[0]) if _set_key(item) not in remove]], scope, node)


def _identity(args, scope, node):
    _count(args, 1)
    return args[0]


def _arn_build(args, scope, node):
    """provider::aws::arn_build(partition, service, region, account_id, resource) (AWS provider 5.40+)."""
    _count(args, 5)
    return ":".join(["arn", *(_text(a) for a in args)])


def _arn_parse(args, scope, node):
    _count(args, 1)
    parts = _text(args[0]).split(":", 5)
    if len(parts) != 6 or parts[0] != "arn":
        raise _Fail("not an ARN")
    return dict(zip(("partition", "service", "region", "account_id", "resource"), parts[1:]))


# -- files -----------------------------------------------------------------------------------------

def _file(args, scope, node):
    _count(args, 1)
    return scope.read(_text(args[0], "path"))


def _templatefile(args, scope, node):
    _count(args, 2)
    path = _text(args[0], "path")
    variables = _map(args[1], "variables")
    text = scope.read(path)
    if isinstance(text, Unknown):
        return text
    template = s.parse_template(text, path)
    inner = Scope(lambda name: Invalid(f"{name} is not among the variables given to templatefile({path})"),
                  scope.read, path)
    return evaluate(template, inner.child(dict(variables), path))


def _fileexists(args, scope, node):
    _count(args, 1)
    found = scope.read(_text(args[0], "path"))
    if isinstance(found, Invalid):
        return False
    if isinstance(found, Unknown):
        return found
    return True


FUNCTIONS = {
    "jsonencode": _jsonencode, "jsondecode": _jsondecode,
    "format": _format, "formatlist": _formatlist, "join": _join, "split": _split, "replace": _replace,
    "lower": _string_fn(str.lower), "upper": _string_fn(str.upper), "title": _string_fn(str.title),
    "trimspace": _string_fn(str.strip), "chomp": _string_fn(lambda t: t.rstrip("\r\n")), "trim": _trim,
    "trimprefix": _trimprefix, "trimsuffix": _trimsuffix, "substr": _substr, "startswith": _startswith,
    "endswith": _endswith, "strcontains": _strcontains, "regex": _regex,
    "concat": _concat, "merge": _merge, "lookup": _lookup, "coalesce": _coalesce, "coalescelist": _coalescelist,
    "tolist": _tolist, "toset": _toset, "tomap": _tomap, "tostring": _tostring, "tonumber": _tonumber,
    "tobool": _tobool, "length": _length, "element": _element, "index": _index, "keys": _keys,
    "values": _values, "contains": _contains, "distinct": _distinct, "flatten": _flatten, "compact": _compact,
    "sort": _sort, "reverse": _reverse, "slice": _slice, "range": _range, "zipmap": _zipmap, "one": _one,
    "min": _numbers(min), "max": _numbers(max), "sum": _numbers(sum),
    "abs": _numbers(lambda v: abs(v[0])), "ceil": _numbers(lambda v: math.ceil(v[0])),
    "floor": _numbers(lambda v: math.floor(v[0])), "alltrue": _alltrue, "anytrue": _anytrue,
    "setunion": _setunion, "setintersection": _setintersection, "setsubtract": _setsubtract,
    "file": _file, "templatefile": _templatefile, "fileexists": _fileexists,
    "sensitive": _identity, "nonsensitive": _identity,
    "provider::aws::arn_build": _arn_build, "provider::aws::arn_parse": _arn_parse,
}
CHANGING = {"timestamp", "uuid", "bcrypt", "plantimestamp"}
# the first argument that decides wins, even when a later one is unknown
IN_ORDER = {"coalesce", "coalescelist"}
# jsonencode keeps the structure around unknown parts (a policy with one unknown principal)
KEEPS_UNKNOWN = {"jsonencode"}
# functions whose result depends on every element: an unknown anywhere inside makes them unknown
DEEP = {"format", "formatlist", "sort", "split", "replace", "jsondecode", "templatefile", "zipmap", "setunion",
        "setintersection", "setsubtract", "index", "range", "alltrue", "anytrue", "min", "max", "sum"}
