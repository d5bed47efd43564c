"""Read a JSON or YAML file into plain Python values, remembering where every key and item is.

A :class:`Document` holds the data (dicts, lists, str, int, float, bool, None) and a map from
*logical paths* to ``(line, column)`` (both 1-based). A logical path is the tuple of mapping keys and
list indices from the root, e.g. ``("Resources", "Pipeline", "Properties", "Stages", 1, "Actions", 0)``.
A mapping entry is located at its **key**; a list item at the item's first character; the root at
``(1, 1)``. Rules report logical paths and the engine turns them into lines with
:meth:`Document.locate`.

YAML
    Safe loading only. The libyaml event stream (``yaml.parse`` with ``CSafeLoader`` when available,
    the pure-Python ``SafeLoader`` otherwise) is turned into values by one iterative loop. That is
    two to three times faster than ``yaml.compose`` plus a walk over the node graph, needs no recursion
    however deep the input, and lets the alias and depth limits stop the parser early.

    * CloudFormation short forms become the long form: ``!Ref x`` -> ``{"Ref": "x"}``,
      ``!Condition c`` -> ``{"Condition": "c"}``, ``!GetAtt A.B`` -> ``{"Fn::GetAtt": ["A", "B"]}``
      (split at the first dot; the list form is kept), and every other CloudFormation function
      ``!Name`` -> ``{"Fn::Name": value}`` (the names in :data:`SHORT_FORM_FUNCTIONS`). A tagged scalar
      is always a string (``!Ref 123`` -> ``{"Ref": "123"}``).
    * Standard tags ``!!str``, ``!!int``, ``!!float``, ``!!bool``, ``!!null``, ``!!map``, ``!!seq``
      and the non-specific ``!`` are accepted; any other tag (``!Foo``, ``!!python/object``,
      ``!!binary``, ``!!timestamp`` ...) is an :class:`InputError`.
    * Plain scalars follow YAML 1.1 as in ``yaml.safe_load`` (``yes`` is True, ``0x1f`` is 31,
      ``~`` is None) except that timestamps stay strings (``2010-09-09`` is ``"2010-09-09"``).
    * Mapping keys are always strings, as in JSON and CloudFormation: a plain ``80:`` or ``true:``
      gives the key ``"80"`` / ``"true"`` exactly as written. A sequence, mapping or function as a key
      is an InputError. ``<<`` merge keys are honoured as in ``yaml.safe_load``.
    * Duplicate keys, undefined aliases, more than one document and an empty file are InputErrors.
    * Aliases share the anchored Python object (as ``yaml.safe_load`` does). Only the alias itself
      gets a position; paths inside it fall back to it through :meth:`Document.locate`.
    * Limits: nesting deeper than :data:`MAX_DEPTH` containers, or aliases that expand to more than
      :data:`MAX_ALIAS_NODES` nodes in total (an "alias bomb"), are refused.

JSON
    ``json.loads`` (C) produces the data, so ``Document.data == json.loads(text)`` for every valid
    JSON text without duplicate keys. A duplicate key in one object is an InputError naming the key
    and both lines (``json.loads`` would silently keep the last one). Positions are computed lazily,
    on first use of ``Document.positions`` or ``Document.locate``, by a small regex tokenizer over the
    already-validated text, so a clean pre-commit run pays only for ``json.loads``. Nesting is
    limited by Python's JSON parser (about 1000 levels), refused with an InputError.

Files
    At most :data:`MAX_BYTES` bytes; UTF-8 only (a leading BOM is skipped); ``.json`` files are
    parsed as JSON, anything else is sniffed like :func:`parse_document` does.

Lines are counted by ``\\n`` for JSON and by libyaml's line breaks for YAML; columns count
characters (code points), not bytes.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import yaml
from yaml.events import (
    AliasEvent,
    DocumentEndEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)
from yaml.nodes import ScalarNode

from pipelint.errors import EmptyInput, InputError

__all__ = [
    "Document",
    "MAX_ALIAS_NODES",
    "MAX_BYTES",
    "MAX_DEPTH",
    "SHORT_FORM_FUNCTIONS",
    "load_document",
    "parse_document",
    "read_text",
]

MAX_BYTES = 20 * 1024 * 1024
"""Files larger than this (20 MiB) are refused; CloudFormation itself stops at 1 MB."""

MAX_DEPTH = 1000
"""Deepest allowed nesting of YAML mappings and sequences."""
_TOO_DEEP = f"YAML is nested more than {MAX_DEPTH} levels deep"
_LIBYAML_DEPTH_PROBLEM = "exceeded maximum nesting depth"

MAX_ALIAS_NODES = 2_000_000
"""Most nodes that YAML aliases may expand to, counted over the whole file (each alias counts every
node of what it refers to, aliases inside included). Independent of file size; real templates stay
many orders of magnitude below it, a "billion laughs" file exceeds it after a few dozen lines."""

SHORT_FORM_FUNCTIONS = frozenset(
    {
        # template functions
        "Base64", "Cidr", "FindInMap", "GetAtt", "GetAZs", "ImportValue", "Join", "Select", "Split",
        "Sub", "Transform", "Length", "ToJsonString", "ForEach",
        # condition functions
        "And", "Equals", "If", "Not", "Or",
        # rule functions (the Rules section)
        "Contains", "EachMemberEquals", "EachMemberIn", "RefAll", "ValueOf", "ValueOfAll",
    }
)
"""``!Name`` short forms that become ``{"Fn::Name": ...}`` (``!Ref`` and ``!Condition`` keep their
own names)."""


# --------------------------------------------------------------------------------------------------
# Document


@dataclass
class Document:
    """A parsed file: plain data plus the position of every mapping key and list item."""

    path: str
    data: Any
    positions: dict = field(default_factory=dict, repr=False)

    def locate(self, path: Sequence[str | int]) -> tuple[int, int] | None:
        """``(line, column)`` of ``path``, or of its nearest ancestor that has a position."""
        positions = self.positions
        key = tuple(path)
        while True:
            found = positions.get(key)
            if found is not None:
                return found
            if not key:
                return None
            key = key[:-1]


class _LazyPositions(dict):
    """A dict filled by ``fill()`` the first time anything reads it (JSON positions cost a scan)."""

    __slots__ = ("_fill",)

    def __init__(self, fill: Callable[[], dict]):
        super().__init__()
        self._fill: Callable[[], dict] | None = fill

    def _ready(self) -> None:
        fill = self._fill
        if fill is not None:
            # fill first, then mark done: a concurrent reader at worst computes the same map again
            dict.update(self, fill())
            self._fill = None

    def __getitem__(self, key):
        self._ready()
        return dict.__getitem__(self, key)

    def __contains__(self, key):
        self._ready()
        return dict.__contains__(self, key)

    def __iter__(self):
        self._ready()
        return dict.__iter__(self)

    def __reversed__(self):
        self._ready()
        return dict.__reversed__(self)

    def __len__(self):
        self._ready()
        return dict.__len__(self)

    def __eq__(self, other):
        self._ready()
        if isinstance(other, _LazyPositions):
            other._ready()
        return dict.__eq__(self, other)

    def __ne__(self, other):
        result = self.__eq__(other)
        return result if result is NotImplemented else not result

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self):
        self._ready()
        return dict.__repr__(self)

    def __or__(self, other):
        self._ready()
        return dict(self.items()) | other

    def __ror__(self, other):
        self._ready()
        return other | dict(self.items())

    def __setitem__(self, key, value):
        self._ready()
        dict.__setitem__(self, key, value)

    def __delitem__(self, key):
        self._ready()
        dict.__delitem__(self, key)

    def __reduce__(self):
        self._ready()
        return (dict, (dict(self.items()),))

    def get(self, key, default=None):
        self._ready()
        return dict.get(self, key, default)

    def keys(self):
        self._ready()
        return dict.keys(self)

    def values(self):
        self._ready()
        return dict.values(self)

    def items(self):
        self._ready()
        return dict.items(self)

    def copy(self):
        self._ready()
        return dict(dict.items(self))

    def setdefault(self, key, default=None):
        self._ready()
        return dict.setdefault(self, key, default)

    def pop(self, key, *default):
        self._ready()
        return dict.pop(self, key, *default)

    def popitem(self):
        self._ready()
        return dict.popitem(self)

    def update(self, *args, **kwargs):
        self._ready()
        dict.update(self, *args, **kwargs)

    def clear(self):
        self._fill = None
        dict.clear(self)


# --------------------------------------------------------------------------------------------------
# Entry points


def load_document(path: str | os.PathLike, *, display: str | None = None) -> Document:
    """Read and parse ``path``. ``display`` (default: the path as given) names it in messages."""
    name = display if display is not None else os.fspath(path)
    raw = _read_bytes(path, name)
    text = _decode(raw, name)
    kind = "json" if os.fspath(path).lower().endswith(".json") else None
    return parse_document(text, name, kind=kind)


def read_text(path: str | os.PathLike, display: str) -> str:
    """The UTF-8 text of ``path`` under the same limits as :func:`load_document` (size, encoding)."""
    return _decode(_read_bytes(path, display), display)


def parse_document(text: str, display: str, *, kind: str | None = None) -> Document:
    """Parse ``text``; ``kind`` is ``"json"`` or ``"yaml"``, by default JSON when the first
    non-blank character is ``{`` or ``[``, YAML otherwise."""
    if text.startswith("\ufeff"):
        text = text[1:]
    stripped = text.lstrip(" \t\r\n")
    if not stripped:
        raise EmptyInput(display, "file is empty")
    if kind is None:
        kind = "json" if stripped[0] in "{[" else "yaml"
    if kind == "json":
        return _parse_json(text, display)
    if kind == "yaml":
        return _parse_yaml(text, display)
    raise ValueError(f"kind must be 'json' or 'yaml', not {kind!r}")


def _read_bytes(path: str | os.PathLike, name: str) -> bytes:
    try:
        if os.path.isdir(path):
            raise InputError(name, "is a directory, not a file")
        with open(path, "rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise InputError(name, "file not found") from None
    except IsADirectoryError:
        raise InputError(name, "is a directory, not a file") from None
    except PermissionError:
        raise InputError(name, "cannot read the file: permission denied") from None
    except OSError as error:
        reason = error.strerror or str(error)
        raise InputError(name, f"cannot read the file: {reason[:1].lower()}{reason[1:]}") from None
    if len(raw) > MAX_BYTES:
        raise InputError(
            name, f"file is larger than {MAX_BYTES // (1024 * 1024)} MiB, the most pipelint reads"
        )
    return raw


def _decode(raw: bytes, name: str) -> str:
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        offset = error.start
        line = raw.count(b"\n", 0, offset) + 1
        line_start = raw.rfind(b"\n", 0, offset) + 1
        column = len(raw[line_start:offset].decode("utf-8", "replace")) + 1
        raise InputError(
            name,
            f"file is not UTF-8 text (byte 0x{raw[offset]:02x} at offset {offset})",
            line,
            column,
        ) from None


# --------------------------------------------------------------------------------------------------
# JSON


class _DuplicateKey(Exception):
    pass


def _pairs_without_duplicates(pairs: list) -> dict:
    result = dict(pairs)
    if len(result) != len(pairs):
        raise _DuplicateKey()
    return result


def _parse_json(text: str, display: str) -> Document:
    try:
        data = json.loads(text, object_pairs_hook=_pairs_without_duplicates)
    except json.JSONDecodeError as error:
        raise InputError(display, f"invalid JSON: {error.msg}", error.lineno, error.colno) from None
    except _DuplicateKey:
        _json_positions(text, display, strict=True)  # raises with both lines
        raise InputError(display, "duplicate key in a JSON object") from None  # pragma: no cover
    except RecursionError:
        raise InputError(
            display, "JSON is nested too deeply (Python's JSON parser stops near 1000 levels)"
        ) from None
    except ValueError as error:  # e.g. an integer with more digits than Python converts
        raise InputError(display, f"invalid JSON: {str(error).split(';')[0]}") from None
    return Document(display, data, _LazyPositions(lambda: _json_positions(text, display)))


_JSON_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[{}\[\],:]|[^\s{}\[\],:"]+')


def _json_positions(text: str, display: str, strict: bool = False) -> dict:
    """Positions of every key and list item of a JSON text that ``json.loads`` accepted.

    With ``strict`` a repeated key in one object raises an InputError naming both lines."""
    positions: dict = {(): (1, 1)}
    stack: list = []  # saved (in_map, path, index, key_path) of the enclosing containers
    in_map = False
    in_list = False
    path: tuple = ()
    index = 0
    key_path: tuple = ()
    expect_key = False
    line = 1
    line_start = 0
    last = 0
    count = text.count
    rfind = text.rfind
    for match in _JSON_TOKEN.finditer(text):
        token = match.group()
        char = token[0]
        if char == ",":
            if in_list:
                index += 1
            else:
                expect_key = True
            continue
        if char == ":":
            expect_key = False
            continue
        if char == "}" or char == "]":
            if stack:
                in_map, path, index, key_path = stack.pop()
                in_list = not in_map
            else:
                in_map = in_list = False
            continue
        # a key, or the start of a value
        if in_map:
            if expect_key:
                key = token[1:-1] if "\\" not in token else json.loads(token)
                key_path = path + (key,)
                start = match.start()
                newlines = count("\n", last, start)
                if newlines:
                    line += newlines
                    line_start = rfind("\n", last, start) + 1
                last = start
                where = (line, start - line_start + 1)
                if strict and key_path in positions:
                    first = positions[key_path][0]
                    raise InputError(
                        display,
                        f"duplicate key {key!r} (first on line {first}, again on line {line})",
                        line,
                        where[1],
                    )
                positions[key_path] = where
                continue
            here = key_path
        elif in_list:
            here = path + (index,)
            start = match.start()
            newlines = count("\n", last, start)
            if newlines:
                line += newlines
                line_start = rfind("\n", last, start) + 1
            last = start
            positions[here] = (line, start - line_start + 1)
        else:
            here = ()
        if char == "{" or char == "[":
            stack.append((in_map, path, index, key_path))
            path = here
            index = 0
            in_map = char == "{"
            in_list = not in_map
            expect_key = in_map
    return positions


# --------------------------------------------------------------------------------------------------
# YAML

try:  # pragma: no branch
    _BaseLoader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - PyYAML without libyaml
    _BaseLoader = yaml.SafeLoader


class _Loader(_BaseLoader):  # type: ignore[misc, valid-type]
    """Our own subclass so nothing registered on the shared SafeLoader classes can leak in."""


_TAG = "tag:yaml.org,2002:"
_STR, _INT, _FLOAT, _BOOL, _NULL = (_TAG + name for name in ("str", "int", "float", "bool", "null"))
_MAP, _SEQ, _MERGE = _TAG + "map", _TAG + "seq", _TAG + "merge"
_IMPLICIT = yaml.resolver.Resolver.yaml_implicit_resolvers
_CONSTRUCTOR = yaml.constructor.SafeConstructor()
_BOOLS = {"yes": True, "true": True, "on": True, "no": False, "false": False, "off": False}
_NO_KEY = object()  # frame state: waiting for a key
_MERGE_KEY = object()  # frame state: the value of a ``<<`` key is coming
_BUILDING = object()  # anchors whose container is not finished yet
_STANDARD_SCALAR_TAGS = frozenset({_STR, _INT, _FLOAT, _BOOL, _NULL})


def _convert(value: str, tag: str, display: str, mark) -> Any:
    """The Python value of a scalar with a standard (resolved or explicit) tag."""
    if tag == _STR:
        return value
    try:
        if tag == _NULL:
            return None
        if tag == _BOOL:
            return _BOOLS[value.lower()]
        if tag == _INT:
            return _CONSTRUCTOR.construct_yaml_int(ScalarNode(tag, value))
        if tag == _FLOAT:
            return _CONSTRUCTOR.construct_yaml_float(ScalarNode(tag, value))
    except (KeyError, ValueError, IndexError):
        raise InputError(
            display,
            f"{value!r} is not a valid {tag[len(_TAG):]}",
            mark.line + 1,
            mark.column + 1,
        ) from None
    return value  # timestamp, '=' (value), '<<' outside a key: keep the text


def _show_tag(tag: str) -> str:
    return "!!" + tag[len(_TAG):] if tag.startswith(_TAG) else tag


def _tag_function(tag: str) -> str | None:
    """The long-form key for a CloudFormation short-form tag, or None if it is not one."""
    if tag.startswith("!") and not tag.startswith("!!"):
        name = tag[1:]
        if name == "Ref" or name == "Condition":
            return name
        if name.startswith("Fn::"):
            name = name[4:]
        if name in SHORT_FORM_FUNCTIONS:
            return "Fn::" + name
    return None


def _yaml_error(display: str, error: yaml.YAMLError, text: str) -> InputError:
    if isinstance(error, yaml.MarkedYAMLError):
        mark = error.problem_mark or error.context_mark
        problem = (error.problem or error.context or "invalid YAML").strip()
        message = f"YAML syntax error: {problem}"
        if problem == _LIBYAML_DEPTH_PROBLEM:
            # libyaml >= 0.2.5 (PyYAML 6.0.4 wheels) has its own limit of 1000 levels and its scanner
            # runs ahead of our event loop, so it can refuse first: one sentence whichever refuses.
            message = _TOO_DEEP
        elif error.context and error.problem and error.context_mark is not None:
            message += f" ({error.context} that starts on line {error.context_mark.line + 1})"
        if mark is None:
            return InputError(display, message)
        return InputError(display, message, mark.line + 1, mark.column + 1)
    if isinstance(error, yaml.reader.ReaderError):
        offset = min(max(error.position, 0), len(text))
        line = text.count("\n", 0, offset) + 1
        column = offset - (text.rfind("\n", 0, offset) + 1) + 1
        char = error.character
        shown = f"U+{char:04X}" if isinstance(char, int) else repr(char)
        return InputError(
            display,
            f"YAML does not allow the character {shown} here (write it as an escape in a "
            f"double-quoted string)",
            line,
            column,
        )
    return InputError(display, f"invalid YAML: {error}")


def _parse_yaml(text: str, display: str) -> Document:
    loader = _Loader(text)
    try:
        data, positions = _build(loader, display)
    except yaml.YAMLError as error:
        raise _yaml_error(display, error, text) from None
    finally:
        loader.dispose()
    return Document(display, data, positions)


def _build(loader, display: str) -> tuple[Any, dict]:  # noqa: C901 - one loop on purpose
    """Turn the event stream of a single YAML document into values and positions, iteratively."""
    get = loader.get_event
    get()  # StreamStartEvent
    event = get()
    if isinstance(event, StreamEndEvent):
        raise EmptyInput(display, "file is empty (no YAML document, only comments)")
    assert isinstance(event, DocumentStartEvent)

    positions: dict = {(): (1, 1)}
    anchors: dict[str, tuple[Any, int]] = {}
    implicit = _IMPLICIT
    nodes = 0  # nodes built so far, aliases expanded
    alias_nodes = 0  # of which through aliases
    root: Any = None

    # The open containers, innermost last. A frame is a list:
    # [container, path, state, wrap, anchor, nodes_at_start, merges, start_mark]
    # state: None for a sequence; for a mapping _NO_KEY, _MERGE_KEY or the key whose value
    # comes next.
    # wrap: the long-form key when the container carried a short-form tag.
    stack: list[list] = []
    frame: list | None = None
    state: Any = None

    def fail(message: str, mark) -> InputError:
        return InputError(display, message, mark.line + 1, mark.column + 1)

    def duplicate(key: str, key_path: tuple, mark) -> InputError:
        first = positions[key_path][0]
        return fail(
            f"duplicate key {key!r} (first on line {first}, again on line {mark.line + 1})", mark
        )

    while True:
        event = get()
        cls = event.__class__

        if cls is ScalarEvent:
            nodes += 1
            tag = event.tag
            raw = event.value
            if state is _NO_KEY:
                # ---- a mapping key
                if tag is not None and tag != "!" and not tag.startswith(_TAG):
                    raise fail(
                        f"a mapping key cannot carry the tag '{_show_tag(tag)}'", event.start_mark
                    )
                if raw == "<<" and tag is None and event.implicit[0]:
                    state = frame[2] = _MERGE_KEY
                    continue
                if event.anchor is not None:
                    anchors[event.anchor] = (raw, 1)
                key_path = frame[1] + (raw,)
                mark = event.start_mark
                if raw in frame[0]:
                    raise duplicate(raw, key_path, mark)
                positions[key_path] = (mark.line + 1, mark.column + 1)
                state = frame[2] = raw
                continue
            # ---- a scalar value
            if tag is None:
                if event.implicit[0]:
                    if raw:
                        resolvers = implicit.get(raw[0])
                        if resolvers is None:
                            value = raw
                        else:
                            for resolved, regexp in resolvers:
                                if regexp.match(raw):
                                    value = _convert(raw, resolved, display, event.start_mark)
                                    break
                            else:
                                value = raw
                    else:
                        value = None
                else:
                    value = raw
            elif tag == "!":
                value = raw
            elif tag[0] == "!" and tag[:2] != "!!":
                function = _tag_function(tag)
                if function is None:
                    raise fail(f"unknown YAML tag '{_show_tag(tag)}'", event.start_mark)
                if function == "Fn::GetAtt":
                    resource, dot, attribute = raw.partition(".")
                    if not dot or not resource or not attribute:
                        raise fail(
                            f"!GetAtt needs 'Resource.Attribute', got {raw!r}", event.start_mark
                        )
                    value = {function: [resource, attribute]}
                else:
                    value = {function: raw}
            elif tag in _STANDARD_SCALAR_TAGS:
                value = _convert(raw, tag, display, event.start_mark)
            else:
                raise fail(f"unknown YAML tag '{_show_tag(tag)}'", event.start_mark)
            if event.anchor is not None:
                anchors[event.anchor] = (value, 1)

        elif cls is MappingStartEvent or cls is SequenceStartEvent:
            # ---- a container opens
            nodes += 1
            mark = event.start_mark
            if len(stack) >= MAX_DEPTH:
                raise fail(_TOO_DEEP, mark)
            tag = event.tag
            wrap = None
            if tag is not None and tag != "!":
                if tag == _MAP or tag == _SEQ or tag in _STANDARD_SCALAR_TAGS:
                    if (tag == _MAP) != (cls is MappingStartEvent) or tag in _STANDARD_SCALAR_TAGS:
                        raise fail(f"the tag '{_show_tag(tag)}' does not fit this node", mark)
                else:
                    wrap = _tag_function(tag)
                    if wrap is None:
                        raise fail(f"unknown YAML tag '{_show_tag(tag)}'", mark)
            if frame is None:
                path: tuple = ()
            elif state is None:
                path = frame[1] + (len(frame[0]),)
                positions[path] = (mark.line + 1, mark.column + 1)
            elif state is _NO_KEY:
                raise fail("a mapping key must be a string, not a list or mapping", mark)
            elif state is _MERGE_KEY:
                path = frame[1]
            else:
                path = frame[1] + (state,)
            if wrap is not None:
                path = path + (wrap,)
                positions[path] = (mark.line + 1, mark.column + 1)
            anchor = event.anchor
            if anchor is not None:
                anchors[anchor] = (_BUILDING, 0)
            if cls is MappingStartEvent:
                frame = [{}, path, _NO_KEY, wrap, anchor, nodes, [], mark]
                state = _NO_KEY
            else:
                frame = [[], path, None, wrap, anchor, nodes, None, mark]
                state = None
            stack.append(frame)
            continue

        elif cls is MappingEndEvent or cls is SequenceEndEvent:
            # ---- a container closes: it becomes a value of its parent
            done = stack.pop()
            value = done[0]
            if done[6]:
                _merge(value, done[6], display)
            if done[3] is not None:
                value = {done[3]: value}
            if done[4] is not None:
                anchors[done[4]] = (value, nodes - done[5] + 1)
            if stack:
                frame = stack[-1]
                state = frame[2]
                if state is None:
                    frame[0].append(value)
                elif state is _MERGE_KEY:
                    frame[6].append((value, done[7]))
                    state = frame[2] = _NO_KEY
                else:
                    frame[0][state] = value
                    state = frame[2] = _NO_KEY
            else:
                frame = state = None
                root = value
            continue

        elif cls is AliasEvent:
            mark = event.start_mark
            name = event.anchor
            found = anchors.get(name)
            if found is None:
                raise fail(f"alias *{name} refers to no anchor defined before it", mark)
            value, size = found
            if value is _BUILDING:
                raise fail(f"alias *{name} refers to the node that contains it", mark)
            nodes += size
            alias_nodes += size
            if alias_nodes > MAX_ALIAS_NODES:
                raise fail(
                    f"YAML aliases expand to more than {MAX_ALIAS_NODES:,} nodes; refusing "
                    f"this file (an 'alias bomb'?)",
                    mark,
                )
            if state is _NO_KEY:
                if not isinstance(value, str):
                    raise fail(f"alias *{name} used as a mapping key must be a string", mark)
                key_path = frame[1] + (value,)
                if value in frame[0]:
                    raise duplicate(value, key_path, mark)
                positions[key_path] = (mark.line + 1, mark.column + 1)
                state = frame[2] = value
                continue

        elif cls is DocumentEndEvent:
            break
        else:  # pragma: no cover - the parser emits nothing else inside a document
            raise InputError(display, f"unexpected YAML event {cls.__name__}")

        # ---- place a scalar or alias ``value`` into the enclosing container
        if frame is None:
            root = value
        elif state is None:  # a sequence item
            mark = event.start_mark
            container = frame[0]
            positions[frame[1] + (len(container),)] = (mark.line + 1, mark.column + 1)
            container.append(value)
        elif state is _MERGE_KEY:
            frame[6].append((value, event.start_mark))
            state = frame[2] = _NO_KEY
        else:
            frame[0][state] = value
            state = frame[2] = _NO_KEY

    event = get()
    if isinstance(event, DocumentStartEvent):
        raise InputError(
            display,
            "file holds more than one YAML document (a second one starts here); "
            "pipelint reads one template per file",
            event.start_mark.line + 1,
            event.start_mark.column + 1,
        )
    return root, positions


def _merge(mapping: dict, merges: list, display: str) -> None:
    """Apply ``<<`` merge keys to ``mapping`` in place: explicit keys win, earlier sources win."""
    sources: list[dict] = []
    for value, mark in merges:
        items = value if isinstance(value, list) else [value]
        for item in items:
            if not isinstance(item, dict):
                raise InputError(
                    display,
                    "a '<<' merge key needs a mapping or a list of mappings",
                    mark.line + 1,
                    mark.column + 1,
                )
            sources.append(item)
    merged: dict = {}
    for source in reversed(sources):
        merged.update(source)
    explicit = dict(mapping)
    mapping.clear()
    mapping.update(merged)
    mapping.update(explicit)
