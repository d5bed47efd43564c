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
from collections.abc import Callable, Sequence

from pipelint.errors import EmptyInput, InputError
from pipelint.lazy_re import lazy
from pipelint.records import field, record

TYPE_CHECKING = False  # for annotations only: typing costs 3 ms to import
if TYPE_CHECKING:
    from typing import Any

__all__ = [
    "Document",
    "MAX_ALIAS_NODES",
    "MAX_BYTES",
    "MAX_DEPTH",
    "SHORT_FORM_FUNCTIONS",
    "MACHINE_MAX_BYTES",
    "load_document",
    "parse_document",
    "read_text",
]

MAX_BYTES = 20 * 1024 * 1024
"""Files larger than this (20 MiB) are refused; CloudFormation itself stops at 1 MB."""

MACHINE_MAX_BYTES = 1024 * 1024 * 1024
"""The limit (1 GiB) for the machine-written inputs pipelint reads, which are as large as what they
describe: its own snapshots (``audit --save``, about 8 KB per pipeline, so an account with a raised
pipeline quota writes files above :data:`MAX_BYTES`) and Terraform plan JSON (``terraform show -json``,
which holds the prior state of a whole configuration). Each is known by how it starts
(:data:`_MACHINE_STARTS`)."""
_MACHINE_STARTS = (("snapshot", (b'"pipelint-snapshot"',)),
                   ("Terraform plan", (b'"format_version"', b'"terraform_version"')))

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


@record
class Document:
    """A parsed file: plain data plus the position of every mapping key and list item."""

    path: str
    data: Any
    positions: dict = field(default_factory=dict, repr=False)

    def locate(self, path: Sequence[str | int]) -> tuple[int, int] | None:
        """``(line, column)`` of ``path``, or of its nearest ancestor that has a position."""
        return _locate(self.positions, path)

    def locator(self) -> Callable[[Sequence[str | int]], tuple[int, int] | None]:
        """:meth:`locate` without a reference to the document, so that a loader that keeps only parts of
        the data (a snapshot of thousands of pipelines) lets the rest go."""
        positions = self.positions
        return lambda path: _locate(positions, path)


def _locate(positions: dict, path: Sequence[str | int]) -> tuple[int, int] | None:
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
    if kind is None and text.lstrip(" \t\r\n\ufeff")[:1] not in ("{", "[", ""):
        return _yaml_document(raw, text, name)
    if len(raw) >= REREAD_BYTES and (kind == "json" or text.lstrip(" \t\r\n\ufeff")[:1] in ("{", "[")):
        # a large JSON file (a snapshot of thousands of pipelines): its positions, needed only for the few
        # entries findings point at, are computed from the file read again, so its text need not stay
        document = parse_document(text, name, kind="json")
        reread = _Reread(os.fspath(path), name, _digest(raw))
        document.positions = _LazyPositions(lambda: _json_positions(again, name) if (again := reread.text()) else {})
        return document
    return parse_document(text, name, kind=kind)


def _yaml_document(raw: bytes, text: str, name: str) -> Document:
    """A YAML file, from the user cache of parsed documents when these bytes were parsed before."""
    from pipelint.loaders import parse_cache

    found = parse_cache.load(raw, "yaml")
    if isinstance(found, tuple) and len(found) == 2 and isinstance(found[1], dict):
        return Document(name, *found)
    document = parse_document(text, name, kind="yaml")
    parse_cache.save(raw, "yaml", (document.data, dict(document.positions)))
    return document


REREAD_BYTES = 1 << 16
"""JSON files of at least this size (64 KiB) keep no text once parsed (see :class:`_Reread`)."""


def _digest(raw: bytes) -> str:
    from pipelint import user_cache

    return user_cache.digest(raw)


class _Reread:
    """The text of a file read again, if it still has the content it had (else empty: no positions
    rather than wrong ones; pipelint never writes to its inputs, but someone else may)."""

    __slots__ = ("path", "name", "digest")

    def __init__(self, path: str, name: str, digest: str):
        self.path, self.name, self.digest = path, name, digest

    def text(self) -> str:
        try:
            raw = _read_bytes(self.path, self.name)
        except InputError:
            return ""
        if _digest(raw) != self.digest:
            return ""
        return _decode(raw, self.name)


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
        from pipelint.loaders.yaml_documents import parse_yaml  # PyYAML only when there is YAML to read

        return parse_yaml(text, display)
    raise ValueError(f"kind must be 'json' or 'yaml', not {kind!r}")


def _read_bytes(path: str | os.PathLike, name: str) -> bytes:
    try:
        if os.path.isdir(path):
            raise InputError(name, "is a directory, not a file")
        with open(path, "rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
            if len(raw) > MAX_BYTES:
                raw = _large(handle, raw, name)
    except FileNotFoundError:
        raise InputError(name, "file not found") from None
    except IsADirectoryError:
        raise InputError(name, "is a directory, not a file") from None
    except PermissionError:
        raise InputError(name, "cannot read the file: permission denied") from None
    except OSError as error:
        reason = error.strerror or str(error)
        raise InputError(name, f"cannot read the file: {reason[:1].lower()}{reason[1:]}") from None
    return raw


def _large(handle: Any, head: bytes, name: str) -> bytes:
    """A file above :data:`MAX_BYTES` of which ``head`` was read: the whole of it when it is a
    machine-written input (see :data:`MACHINE_MAX_BYTES`) within its limit, else refused by its size."""
    what = _machine_written(head[:256])
    if what is None:
        raise InputError(name, f"file is larger than {MAX_BYTES // (1024 * 1024)} MiB, the most pipelint reads")
    too_large = InputError(name, f"{what} file is larger than {MACHINE_MAX_BYTES // (1024 * 1024)} MiB, the "
                                 f"most pipelint reads of a {what} file")
    if os.fstat(handle.fileno()).st_size > MACHINE_MAX_BYTES:
        raise too_large  # refused by its size, not read
    raw = head + handle.read(MACHINE_MAX_BYTES + 1 - len(head))
    if len(raw) > MACHINE_MAX_BYTES:  # grew while being read
        raise too_large
    return raw


def _machine_written(head: bytes) -> str | None:
    """Which machine-written input (see :data:`MACHINE_MAX_BYTES`) a file that starts with ``head`` is."""
    if not head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{"):
        return None
    return next((what for what, keys in _MACHINE_STARTS if all(key in head for key in keys)), None)


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


def _objects_sharing_strings() -> Callable[[list], dict]:
    """The object hook of one JSON text: a dict of the pairs, refusing a repeated key (``json.loads``
    would keep the last one), with equal string values as one object. A snapshot of thousands of pipelines repeats the same ARNs, actions and names hundreds of
    thousands of times: a quarter less memory for the world, for a tenth more parsing time."""
    shared = {}.setdefault

    def strings(items: list) -> list:  # the strings of a list (actions, resources, principals) too
        for i, item in enumerate(items):
            if item.__class__ is str:
                items[i] = shared(item, item)
        return items

    def hook(pairs: list) -> dict:
        result = {k: shared(v, v) if v.__class__ is str else strings(v) if v.__class__ is list else v
                  for k, v in pairs}
        if len(result) != len(pairs):
            raise _DuplicateKey()
        return result

    return hook


def _parse_json(text: str, display: str) -> Document:
    try:
        data = json.loads(text, object_pairs_hook=_objects_sharing_strings())
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


_JSON_TOKEN = lazy(r'"[^"\\]*(?:\\.[^"\\]*)*"|[{}\[\],:]|[^\s{}\[\],:"]+')


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
