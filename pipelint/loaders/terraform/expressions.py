"""Evaluate HCL expressions to values, offline and without side effects.

``evaluate(node, scope)`` gives plain data or one of the values of
:mod:`pipelint.loaders.terraform.values`. What the inputs do not settle is an Unknown that names
itself (a variable without value, an attribute known only after apply); an expression Terraform would
reject is an :class:`~pipelint.loaders.terraform.values.Invalid` naming the file and line. Nothing here
reads files or asks anything outside the scope: ``file()`` and ``templatefile()`` go through the
scope's ``read`` callback, references through ``lookup``.

Semantics follow the Terraform language documentation (Expressions; Functions): a template that is
one interpolation keeps its value's type; ``&&``/``||`` with one known false/true operand are settled
by it; a ``for`` over a map visits keys in lexical order; a splat over null is an empty list and over
a single object a one-element list.
"""

from __future__ import annotations

from typing import Any, Callable

from pipelint.loaders.terraform import syntax as s
from pipelint.loaders.terraform.values import (SENTINEL, Invalid, Lazy, UnknownText, shape_of, to_text,
                                               type_name, with_pos)
from pipelint.values import Unknown


class Scope:
    """What names mean where an expression is evaluated.

    ``lookup(name)`` resolves a root name (``var``, ``local``, ``aws_iam_role``, a ``for`` variable);
    ``read(path)`` gives a file's text for ``file()`` (path relative to the root module), or an
    Unknown/Invalid; ``display`` names the file for messages."""

    def __init__(self, lookup: Callable[[str], Any], read: Callable[[str], Any], display: str,
                 base: "Scope | None" = None, names: dict | None = None):
        self._lookup = lookup
        self.read = read
        self.display = display
        self.base = base
        self.names = names or {}

    def lookup(self, name: str) -> Any:
        if name in self.names:
            return self.names[name]
        if self.base is not None:
            return self.base.lookup(name)
        return self._lookup(name)

    def child(self, names: dict, display: str | None = None) -> "Scope":
        return Scope(self._lookup, self.read, display or self.display, self, names)


def where(scope: Scope, node: s.Node) -> str:
    return f"{scope.display}:{node.line}"


def evaluate(node: s.Node, scope: Scope) -> Any:  # noqa: C901 - one dispatch over the node kinds
    kind = type(node)
    if kind is s.Literal:
        return node.value
    if kind is s.Template:
        return _template(node, scope)
    if kind is s.Name:
        if node.literal:
            return node.name
        return scope.lookup(node.name)
    if kind is s.GetAttr:
        return get_attr(evaluate(node.obj, scope), node.name, scope, node)
    if kind is s.Index:
        return get_index(evaluate(node.obj, scope), evaluate(node.key, scope), scope, node)
    if kind is s.Paren:
        return evaluate(node.expr, scope)
    if kind is s.TupleExpr:
        return with_pos([evaluate(item, scope) for item in node.items], (scope.display, node.line, node.col))
    if kind is s.ObjectExpr:
        return _object(node, scope)
    if kind is s.Call:
        from pipelint.loaders.terraform.functions import call

        return call(node, scope)
    if kind is s.Conditional:
        cond = evaluate(node.cond, scope)
        if isinstance(cond, Unknown):
            return cond
        if not isinstance(cond, bool):
            cond = _to_bool(cond)
            if cond is None:
                return Invalid(f"the condition at {where(scope, node)} is not true or false")
        return evaluate(node.then if cond else node.other, scope)
    if kind is s.Binary:
        return _binary(node, scope)
    if kind is s.Unary:
        value = evaluate(node.operand, scope)
        if isinstance(value, Unknown):
            return value
        if node.op == "!":
            value = _to_bool(value)
            return Invalid(f"! needs true or false at {where(scope, node)}") if value is None else not value
        number = _to_number(value)
        return Invalid(f"- needs a number at {where(scope, node)}") if number is None else -number
    if kind is s.Splat:
        return _splat(node, scope)
    if kind is s.ForExpr:
        return _for(node, scope)
    return Invalid(f"an expression pipelint does not evaluate at {where(scope, node)}")  # pragma: no cover


# -- traversal -------------------------------------------------------------------------------------

def get_attr(value: Any, name: str, scope: Scope, node: s.Node) -> Any:
    if isinstance(value, Unknown):
        return value
    if isinstance(value, Lazy):
        return value.get_attr(name)
    if isinstance(value, dict):
        if name in value:
            return value[name]
        return Invalid(f"the object at {where(scope, node)} has no attribute {name!r}")
    if value is None:
        return Invalid(f"attribute {name!r} of null at {where(scope, node)}")
    return Invalid(f"a {type_name(value)} has no attribute {name!r} ({where(scope, node)})")


def get_index(value: Any, key: Any, scope: Scope, node: s.Node) -> Any:
    if isinstance(value, Unknown):
        return value
    if isinstance(key, Unknown):
        return key
    if isinstance(value, Lazy):
        return value.get_index(key)
    if isinstance(value, list):
        index = _to_number(key)
        if index is None or index != int(index):
            return Invalid(f"a list index must be a whole number ({where(scope, node)})")
        index = int(index)
        if not 0 <= index < len(value):
            return Invalid(f"index {index} is out of range for a list of {len(value)} ({where(scope, node)})")
        return value[index]
    if isinstance(value, dict):
        text = to_text(key)
        if text is None or text not in value:
            return Invalid(f"the map at {where(scope, node)} has no key {key!r}")
        return value[text]
    return Invalid(f"a {type_name(value)} cannot be indexed ({where(scope, node)})")


def _splat(node: s.Splat, scope: Scope) -> Any:
    base = evaluate(node.obj, scope)
    if isinstance(base, Unknown):
        return base
    if base is None:
        return []
    items = base if isinstance(base, list) else [base]
    out = []
    for item in items:
        for kind, step in node.steps:
            if kind == "attr":
                item = get_attr(item, step, scope, node)
            else:
                item = get_index(item, evaluate(step, scope), scope, node)
        out.append(item)
    return out


# -- constructors ----------------------------------------------------------------------------------

def _object(node: s.ObjectExpr, scope: Scope) -> Any:
    out: dict = {}
    for key_node, value_node in node.items:
        key = evaluate(key_node, scope)
        if isinstance(key, Unknown):
            return key
        text = to_text(key)
        if text is None:
            return Invalid(f"an object key must be a string ({where(scope, key_node)})")
        out[text] = evaluate(value_node, scope)
    return with_pos(out, (scope.display, node.line, node.col))


def _template(node: s.Template, scope: Scope) -> Any:
    parts = node.parts
    if len(parts) == 1 and isinstance(parts[0], s.Node) and not isinstance(parts[0], (s.TemplateIf, s.TemplateFor)):
        return evaluate(parts[0], scope)  # "${x}" is x itself, whatever its type
    pieces: list = []
    holes: dict = {}
    problem = _render(parts, scope, pieces, holes)
    if problem is not None:
        return problem
    text = "".join(pieces)
    if holes:
        first = holes[min(holes)]
        return UnknownText(first.reason, shape_of(text) or first.shape, text, holes)
    return text


def _render(parts: list, scope: Scope, pieces: list, holes: dict) -> Any:
    """Append the template's text to ``pieces``; unknown parts become sentinels recorded in ``holes``.
    Returns an Unknown/Invalid when the template as a whole cannot be rendered."""
    for part in parts:
        if isinstance(part, str):
            pieces.append(part)
            continue
        if isinstance(part, s.TemplateIf):
            cond = evaluate(part.cond, scope)
            if isinstance(cond, Unknown):
                return cond
            flag = _to_bool(cond)
            if flag is None:
                return Invalid(f"%{{if}} needs true or false ({where(scope, part)})")
            problem = _render(part.then if flag else part.other, scope, pieces, holes)
            if problem is not None:
                return problem
            continue
        if isinstance(part, s.TemplateFor):
            collection = evaluate(part.collection, scope)
            pairs = _pairs(collection, scope, part)
            if not isinstance(pairs, list):
                return pairs
            for key, value in pairs:
                names = {part.value: value}
                if part.key:
                    names[part.key] = key
                problem = _render(part.body, scope.child(names), pieces, holes)
                if problem is not None:
                    return problem
            continue
        value = evaluate(part, scope)
        if isinstance(value, UnknownText):
            offset = len(holes)
            for number, hole in value.holes.items():
                holes[number + offset] = hole
            pieces.append(SENTINEL.sub(lambda m: f"\ue000{int(m.group(1)) + offset}\ue001", value.text))
            continue
        if isinstance(value, Invalid):
            return value
        if isinstance(value, Unknown):
            number = len(holes)
            holes[number] = value
            pieces.append(f"\ue000{number}\ue001")
            continue
        text = to_text(value)
        if text is None:
            what = "null" if value is None else f"a {type_name(value)}"
            return Invalid(f"{what} cannot be part of a string ({where(scope, part)})")
        pieces.append(text)
    return None


# -- operators -------------------------------------------------------------------------------------

def _to_bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if value == "true":
        return True
    if value == "false":
        return False
    return None


def _to_number(value: Any) -> int | float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            return None
        return int(number) if number.is_integer() and "." not in value and "e" not in value.lower() else number
    return None


def equal(a: Any, b: Any) -> Any:
    """HCL ==: numbers compare by value, everything else by type and value."""
    if isinstance(a, Unknown):
        return a
    if isinstance(b, Unknown):
        return b
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    if isinstance(a, Lazy) or isinstance(b, Lazy):
        return a is b
    return a == b


def _binary(node: s.Binary, scope: Scope) -> Any:
    op = node.op
    left = evaluate(node.left, scope)
    if op in ("&&", "||"):
        lflag = None if isinstance(left, Unknown) else _to_bool(left)
        if lflag is not None and lflag == (op == "||"):
            return lflag  # false && x, true || x
        right = evaluate(node.right, scope)
        rflag = None if isinstance(right, Unknown) else _to_bool(right)
        if rflag is not None and rflag == (op == "||"):
            return rflag
        for value in (left, right):
            if isinstance(value, Unknown):
                return value
        if lflag is None or rflag is None:
            return Invalid(f"{op} needs true or false ({where(scope, node)})")
        return lflag and rflag if op == "&&" else lflag or rflag
    right = evaluate(node.right, scope)
    if op == "==":
        return equal(left, right)
    if op == "!=":
        result = equal(left, right)
        return result if isinstance(result, Unknown) else not result
    for value in (left, right):
        if isinstance(value, Unknown):
            return value
    a, b = _to_number(left), _to_number(right)
    if a is None or b is None:
        return Invalid(f"{op} needs numbers ({where(scope, node)})")
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return a * b
    if op == "/":
        return Invalid(f"division by zero ({where(scope, node)})") if b == 0 else a / b
    if op == "%":
        return Invalid(f"modulo by zero ({where(scope, node)})") if b == 0 else a % b
    return {"<": a < b, ">": a > b, "<=": a <= b, ">=": a >= b}.get(op, Invalid(f"operator {op}"))


# -- for expressions -------------------------------------------------------------------------------

def _pairs(collection: Any, scope: Scope, node: s.Node) -> Any:
    """(key, value) pairs to iterate over, or an Unknown/Invalid."""
    if isinstance(collection, Lazy):
        collection = collection.materialize()
    if isinstance(collection, Unknown):
        return collection
    if isinstance(collection, list):
        return list(enumerate(collection))
    if isinstance(collection, dict):
        return sorted(collection.items(), key=lambda item: item[0])
    if collection is None:
        return Invalid(f"cannot iterate over null ({where(scope, node)})")
    return Invalid(f"cannot iterate over a {type_name(collection)} ({where(scope, node)})")


def _for(node: s.ForExpr, scope: Scope) -> Any:
    pairs = _pairs(evaluate(node.collection, scope), scope, node)
    if not isinstance(pairs, list):
        return pairs
    items: list = []
    grouped: dict = {}
    for key, value in pairs:
        names = {node.value_var: value}
        if node.key_var:
            names[node.key_var] = key
        inner = scope.child(names)
        if node.cond is not None:
            keep = evaluate(node.cond, inner)
            if isinstance(keep, Unknown):
                return keep
            flag = _to_bool(keep)
            if flag is None:
                return Invalid(f"the if of a for expression needs true or false ({where(scope, node)})")
            if not flag:
                continue
        if node.key is None:
            items.append(evaluate(node.value, inner))
            continue
        out_key = evaluate(node.key, inner)
        if isinstance(out_key, Unknown):
            return out_key
        text = to_text(out_key)
        if text is None:
            return Invalid(f"a for expression's key must be a string ({where(scope, node)})")
        out_value = evaluate(node.value, inner)
        if node.group:
            grouped.setdefault(text, []).append(out_value)
        elif text in grouped:
            return Invalid(f"duplicate key {text!r} in a for expression; add ... to group ({where(scope, node)})")
        else:
            grouped[text] = out_value
    if node.key is None:
        return items
    return grouped
