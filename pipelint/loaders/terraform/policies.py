"""IAM policy documents from Terraform, in the three ways configurations write them.

- ``data "aws_iam_policy_document"``: built as the AWS provider documents it (statements, principals
  and ``not_principals``, ``not_actions``/``not_resources``, conditions; ``source_policy_documents``
  first, statements of this document replacing those with the same ``sid``, then
  ``override_policy_documents`` replacing or adding by ``sid``).
- ``jsonencode({...})``: the encoded value itself, positions of its statements included.
- JSON text: a heredoc, a string, or ``file()`` of a local JSON file. Unknown interpolations stay
  holes in the text, so the statements around them still count; the unknown part becomes an Unknown
  where it sits (like an unresolved ``!Sub`` in CloudFormation).
"""

from __future__ import annotations

import json
from typing import Any

from pipelint.errors import InputError
from pipelint.loaders.terraform.values import (SENTINEL, Invalid, JsonText, Lazy, PartialJson, PosDict, PosList,
                                               UnknownText, jsonencode, shape_of)
from pipelint.model import PolicyDoc, Source
from pipelint.values import Unknown


# -- aws_iam_policy_document -----------------------------------------------------------------------

def _one_or_many(values: Any) -> Any:
    if isinstance(values, list) and len(values) == 1:
        return values[0]
    return values


def _principals(blocks: Any) -> Any:
    if isinstance(blocks, Unknown):
        return blocks
    out: dict = {}
    for block in blocks if isinstance(blocks, list) else []:
        if isinstance(block, Unknown):
            return block
        kind, identifiers = block.get("type"), block.get("identifiers")
        if isinstance(kind, Unknown):
            return kind
        if kind == "*" and (identifiers == ["*"] or identifiers == "*"):
            return "*"
        items = identifiers if isinstance(identifiers, list) else [identifiers]
        out.setdefault(str(kind), []).extend(items)
    return {k: _one_or_many(v) for k, v in out.items()}


def _conditions(blocks: Any) -> Any:
    if isinstance(blocks, Unknown):
        return blocks
    out: dict = {}
    for block in blocks if isinstance(blocks, list) else []:
        if isinstance(block, Unknown):
            return block
        test, variable, values = block.get("test"), block.get("variable"), block.get("values")
        for part in (test, variable):
            if isinstance(part, Unknown):
                return part
        out.setdefault(str(test), {})[str(variable)] = _one_or_many(values)
    return out


def _statement(block: Any) -> Any:
    if isinstance(block, Unknown):
        return block
    out = PosDict()
    out.pos = getattr(block, "pos", None)
    if block.get("sid") not in (None, ""):
        out["Sid"] = block["sid"]
    out["Effect"] = block.get("effect") if block.get("effect") is not None else "Allow"
    for tf, key in (("actions", "Action"), ("not_actions", "NotAction")):
        if block.get(tf) is not None:
            out[key] = _one_or_many(block[tf])
    for tf, key in (("resources", "Resource"), ("not_resources", "NotResource")):
        if block.get(tf) is not None:
            out[key] = _one_or_many(block[tf])
    for tf, key in (("principals", "Principal"), ("not_principals", "NotPrincipal")):
        if block.get(tf):
            out[key] = _principals(block[tf])
    if block.get("condition"):
        out["Condition"] = _conditions(block["condition"])
    return out


def _sid(statement: Any) -> Any:
    return statement.get("Sid") if isinstance(statement, dict) and statement.get("Sid") not in (None, "") else None


def _merge(base: list, replacing: list) -> list:
    """``replacing``'s statements take the place of base statements with the same Sid; others are added."""
    out = list(base)
    for statement in replacing:
        sid = _sid(statement)
        index = next((i for i, s in enumerate(out) if sid is not None and _sid(s) == sid), None)
        if index is None:
            out.append(statement)
        else:
            out[index] = statement
    return out


def _statements_of(text: Any, what: str) -> Any:
    document = parse(text)
    if isinstance(document, Unknown):
        return document
    if not isinstance(document, dict):
        return Invalid(f"{what} is not a policy document")
    statements = document.get("Statement", [])
    return statements if isinstance(statements, list) else [statements]



def _merged_documents(values: Any, keys: tuple, merged: list, address: str) -> list | Unknown:
    """``merged`` with the statements of every document the arguments ``keys`` list merged in, in order."""
    for key in keys:
        documents = values.get(key)
        if isinstance(documents, Unknown):
            return documents
        for text in (documents if isinstance(documents, list) else [documents] if documents is not None else []):
            found = _statements_of(text, f"a {key} entry of {address}")
            if isinstance(found, Unknown):
                return found
            merged = _merge(merged, found)
    return merged

def policy_document(rv: Any) -> Any:
    """The ``json`` of an ``aws_iam_policy_document`` data source."""
    values = rv.values()
    statements = []
    blocks = values.get("statement", [])
    if isinstance(blocks, Unknown):
        return blocks
    for block in blocks if isinstance(blocks, list) else []:
        made = _statement(block)
        if isinstance(made, Unknown):
            return made
        statements.append(made)
    # sources first, then the document's own statements, then overrides: a later Sid replaces an earlier one
    merged = _merged_documents(values, ("source_policy_documents", "source_json"), [], rv.address)
    if isinstance(merged, Unknown):
        return merged
    merged = _merged_documents(values, ("override_policy_documents", "override_json"), _merge(merged, statements),
                               rv.address)
    if isinstance(merged, Unknown):
        return merged
    document = PosDict()
    document.pos = values.pos
    document["Version"] = values.get("version") or "2012-10-17"
    if values.get("policy_id") is not None:
        document["Id"] = values["policy_id"]
    listed = PosList(merged)
    listed.pos = values.pos
    document["Statement"] = listed
    return jsonencode(document)


# -- policy text or value -> document ------------------------------------------------------------------

def _clean(value: Any) -> Any:
    """A policy value as plain JSON data (positions kept): lazy objects materialized, whole floats as ints."""
    if isinstance(value, Lazy):
        value = value.materialize()
    if isinstance(value, dict):
        out = PosDict({str(k): _clean(v) for k, v in value.items()})
        out.pos = getattr(value, "pos", None)
        return out
    if isinstance(value, list):
        out = PosList(_clean(v) for v in value)
        out.pos = getattr(value, "pos", None)
        return out
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _fill_holes(value: Any, holes: dict) -> Any:
    """Strings of a parsed template that hold a hole become the hole's Unknown (keeping the ARN kind)."""
    if isinstance(value, str) and "\ue000" in value:
        match = SENTINEL.search(value)
        hole = holes.get(int(match.group(1))) if match else None
        reason = hole.reason if hole is not None else "a part of the policy is not known"
        if match and match.group(0) == value and hole is not None:
            return hole
        return Unknown(reason, shape_of(value))
    if isinstance(value, dict):
        if any("\ue000" in k for k in value):
            return _fill_holes(next(k for k in value if "\ue000" in k), holes)
        return {k: _fill_holes(v, holes) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill_holes(v, holes) for v in value]
    return value


def parse(value: Any) -> Any:
    """A policy document (dict), an Unknown, or an :class:`Invalid` for text that is not JSON."""
    if isinstance(value, (JsonText,)):
        return _clean(value.value)
    if isinstance(value, PartialJson):
        return _clean(value.value)
    if isinstance(value, UnknownText):
        try:
            data = json.loads(value.text)
        except ValueError:
            return Unknown(value.reason, value.shape)  # a hole outside a JSON string: nothing to keep
        return _fill_holes(data, value.holes)
    if isinstance(value, Unknown):
        return value
    if isinstance(value, dict):
        return _clean(value)
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError as exc:
            return Invalid(f"not valid JSON ({getattr(exc, 'msg', exc)})")
    return Invalid("not a policy document")


def policy_doc(value: Any, name: str, source: Source, origin: tuple | None = None) -> PolicyDoc | None:
    """The model's PolicyDoc for a policy argument; None when the argument is not set.

    ``origin`` is (file, line of the text's first line minus one) for JSON text written in a ``.tf``
    file (a heredoc) — or, for ``file()``, that file — so statements can be pointed at."""
    if value is None:
        return None
    from pipelint.loaders.terraform.modules import FileText

    document = parse(value)
    if isinstance(document, Invalid) and isinstance(value, str) and not isinstance(value, UnknownText):
        file, line = (value.display, 0) if isinstance(value, FileText) else (origin or (source.file, None))
        where = (line + 1) if line is not None else source.line
        raise InputError(file, f"{name} is {document.reason}", where, None if line is not None else source.column)
    if isinstance(document, Unknown):
        return PolicyDoc(Unknown(document.reason, document.shape), name, source)
    if not isinstance(document, dict):
        return PolicyDoc(Unknown(f"{name} is not a policy document"), name, source)
    text_origin = None
    if isinstance(value, FileText):
        text_origin = (value.display, 0, value)
    elif isinstance(value, (str, UnknownText)) and not isinstance(value, JsonText) and origin is not None:
        text_origin = (origin[0], origin[1], value if isinstance(value, str) else value.text)
    return PolicyDoc(document, name, source, _locator(document, source, text_origin))


def _locator(document: dict, source: Source, text_origin: tuple | None):
    positions = None
    if text_origin is not None:
        from pipelint.loaders.documents import parse_document

        try:
            positions = parse_document(str(text_origin[2]), text_origin[0], kind="json")
        except InputError:
            positions = None

    def locate(sub: tuple) -> Source:
        path = tuple(source.path) + tuple(sub)
        if positions is not None:
            found = positions.locate(sub)
            if found is not None:
                return Source(text_origin[0], path, found[0] + text_origin[1], found[1])
        node: Any = document
        best = getattr(node, "pos", None)
        for step in sub:
            try:
                node = node[step]
            except (KeyError, IndexError, TypeError):
                break
            best = getattr(node, "pos", None) or best
        if best is not None and best[0]:
            return Source(best[0], path, best[1], best[2])
        return source
    return locate
