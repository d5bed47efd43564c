"""pipelint.records builds classes that behave as the dataclasses they replaced, for what pipelint uses."""

from __future__ import annotations

import copy
import dataclasses
import os
import pickle
import subprocess
import sys

import pytest
from conftest import FIXTURES

from pipelint import records
from pipelint.records import FrozenInstanceError, field, record, replace


def both(decorator_args: dict, body: dict, bases: tuple = ()):
    """The same class body made by dataclasses and by records."""
    made = []
    for make in (dataclasses.dataclass, record):
        namespace = {"__annotations__": {name: "object" for name in body}, "__module__": __name__}
        namespace.update({name: value() if callable(value) else value
                          for name, value in body.items() if value is not dataclasses.MISSING})
        cls = type("Thing", bases[len(made):len(made) + 1] if bases else (), namespace)
        made.append(make(**decorator_args)(cls))
    return made


def test_init_repr_eq_and_hash_match_dataclasses():
    for args in ({}, {"eq": False}, {"frozen": True}, {"frozen": True, "slots": True}):
        theirs, ours = both(args, {"a": dataclasses.MISSING, "b": 2})
        for cls in (theirs, ours):
            assert repr(cls(1)) == "Thing(a=1, b=2)"
            assert (cls(1) == cls(1, 2)) is (args.get("eq", True))
            assert cls(1) != cls(1, 3)
            assert cls(1, b=5).b == 5
        assert (theirs.__hash__ is None) is (ours.__hash__ is None), args
        if args.get("frozen"):
            assert hash(ours(1, (2,))) == hash(ours(1, (2,)))
            assert hash(theirs(1)) == hash(ours(1))  # both hash the tuple of compared fields
        if args.get("slots"):
            assert ours.__slots__ == theirs.__slots__ == ("a", "b")
            assert not hasattr(ours(1), "__dict__")


def test_default_factory_gives_each_instance_its_own_value():
    @record
    class Bag:
        items: list = field(default_factory=list)
        label: str = ""

    one, two = Bag(), Bag()
    one.items.append(1)
    assert two.items == [] and one.items == [1]
    given = [9]
    assert Bag(given).items is given


def test_compare_false_and_repr_false_fields():
    @record
    class Thing:
        name: str
        note: str = field(default="", compare=False)
        secret: str = field(default="s", repr=False)

    assert Thing("x", "a") == Thing("x", "b")
    assert repr(Thing("x")) == f"{Thing.__qualname__}(name='x', note='')"  # qualname, as dataclasses


def test_a_record_that_holds_itself_shows_dots_there():
    @record(eq=False)
    class Node:
        name: str
        children: list = field(default_factory=list)

    root = Node("root")
    root.children.append(root)
    assert repr(root) == f"{Node.__qualname__}(name='root', children=[...])"


def test_frozen_refuses_assignment_and_deletion():
    @record(frozen=True)
    class Point:
        x: int

    point = Point(1)
    with pytest.raises(FrozenInstanceError):
        point.x = 2
    with pytest.raises(AttributeError):
        del point.x
    assert point.x == 1


def test_frozen_records_survive_pickle_and_copy():
    """A frozen slotted record has no __dict__ to restore and refuses setattr: it carries its own state."""
    from pipelint.model import Source
    from pipelint.policy.model import Principal

    for obj in (Source("a.yaml", ("Resources", "Key"), 3, 5), Principal(arn="arn:aws:iam::111111111111:role/r")):
        for copied in (pickle.loads(pickle.dumps(obj)), copy.copy(obj), copy.deepcopy(obj)):
            assert copied == obj and copied is not obj
    with pytest.raises(FrozenInstanceError):
        copy.copy(Source("a.yaml")).file = "b.yaml"


def test_subclass_fields_follow_the_base_fields():
    @record(eq=False)
    class Node:
        line: int
        col: int

    @record(eq=False)
    class Literal(Node):
        value: object
        heredoc: bool = False

    node = Literal(1, 2, "v")
    assert (node.line, node.col, node.value, node.heredoc) == (1, 2, "v", False)
    assert node != Literal(1, 2, "v") and node == node
    assert repr(node) == f"{Literal.__qualname__}(line=1, col=2, value='v', heredoc=False)"


def test_methods_the_class_defines_are_kept():
    @record(frozen=True)
    class Key:
        name: str

        def __eq__(self, other):
            return isinstance(other, Key) and self.name.lower() == other.name.lower()

        def __hash__(self):
            return hash(self.name.lower())

    assert Key("A") == Key("a") and hash(Key("A")) == hash(Key("a"))


def test_replace_copies_with_changes_and_refuses_unknown_fields():
    @record(frozen=True)
    class Source:
        file: str
        line: int | None = None

    source = Source("a.yaml", 3)
    assert replace(source, file="b.yaml") == Source("b.yaml", 3)
    with pytest.raises(TypeError, match="no field 'colour'"):
        replace(source, colour=1)


def test_declaration_mistakes_are_refused_when_the_class_is_made():
    with pytest.raises(ValueError, match="default_factory"):
        @record
        class Shared:
            items: list = []  # noqa: RUF012 - the mistake under test

    with pytest.raises(TypeError, match="without a default follows"):
        @record
        class Order:
            a: int = 1
            b: int


def test_a_check_imports_neither_dataclasses_nor_inspect_nor_typing(tmp_path):
    """What records is for: a check (with a warm user cache, as on every run but a machine's first)
    makes its classes without importing dataclasses, inspect or typing. Counted from after the
    interpreter's start, whose site hooks (an editable install's) may import some of them."""
    code = ("import sys\nbefore = set(sys.modules)\nsys.argv = ['pipelint', 'check', %r]\n"
            "from pipelint import cli\ntry:\n    cli.main()\nexcept SystemExit:\n    pass\n"
            "print('NEW', sorted(m for m in ('dataclasses', 'inspect', 'typing', 'pkgutil')"
            " if m in sys.modules and m not in before))") % str(FIXTURES / "example")
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path)}
    first = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert "No problems found" in first.stdout, first.stdout + first.stderr
    warm = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert "NEW []" in warm.stdout, warm.stdout + warm.stderr


def _made_both_ways(cls, *args, **kwargs):
    """(result or error text) of the interpreted __init__ and of the compiled one, for one call."""
    outcomes = []
    for init in (records._interpreted_init(cls, list(cls.__record_fields__), frozen=False),
                 records._compiled_init(cls, list(cls.__record_fields__), frozen=False)):
        obj = cls.__new__(cls)
        try:
            init(obj, *args, **kwargs)
            outcomes.append(repr(obj))
        except TypeError as error:
            outcomes.append(str(error))
    return outcomes


@pytest.mark.parametrize("args, kwargs", [
    ((), {}), ((1,), {}), ((1, 2), {}), ((1, 2, 3), {}), ((1, 2, 3, 4), {}), ((1, 2, 3, 4, 5), {}),
    ((), {"a": 1, "b": 2}), ((1,), {"a": 1}), ((1, 2), {"zz": 1}), ((), {"c": 3}), ((1, 2), {"d": [0]}),
])
def test_the_interpreted_init_binds_and_fails_as_the_compiled_one(args, kwargs):
    @record
    class Four:
        a: int
        b: int
        c: int = 3
        d: list = field(default_factory=list)

    @record
    class Two:
        a: int
        b: int

    for cls in (Four, Two):
        interpreted, compiled = _made_both_ways(cls, *args, **kwargs)
        assert interpreted == compiled, (cls, args, kwargs)


def test_a_class_switches_to_the_compiled_init_at_its_hot_instance():
    @record(frozen=True)
    class Hot:
        name: str
        items: tuple = ()

    first = Hot.__init__
    made = [Hot(str(i)) for i in range(records.HOT + 1)]
    assert Hot.__init__ is not first and Hot.__init__.__code__.co_filename == "<record " + Hot.__qualname__ + ">"
    assert made[0] == Hot("0") and made[-1] == Hot(str(records.HOT)) and made[-1].items == ()
    with pytest.raises(FrozenInstanceError):
        made[-1].name = "x"


def test_class_variables_are_refused_rather_than_made_fields():
    with pytest.raises(TypeError, match="ClassVar"):
        @record
        class Counted:
            made: ClassVar[int] = 0  # noqa: F821 - never evaluated: only its text is read
            name: str = ""


def test_post_init_is_refused_rather_than_silently_skipped():
    with pytest.raises(TypeError, match="__post_init__"):
        @record
        class Checked:
            a: int

            def __post_init__(self):
                raise AssertionError("never called by records")
