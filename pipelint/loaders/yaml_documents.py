"""YAML documents: the libyaml event stream into values and positions (see :mod:`pipelint.loaders.documents`
for what is accepted, what becomes what, and the limits).

A module of its own so that PyYAML is imported only when a YAML file is parsed: a pre-commit run whose
templates all come from the user cache of parsed documents never imports it.
"""

from __future__ import annotations

from typing import Any

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
from pipelint.loaders.documents import (
    _LIBYAML_DEPTH_PROBLEM,
    _TOO_DEEP,
    MAX_ALIAS_NODES,
    MAX_DEPTH,
    SHORT_FORM_FUNCTIONS,
    Document,
)

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


def parse_yaml(text: str, display: str) -> Document:
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
