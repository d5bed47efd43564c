"""Record classes declared as with ``dataclasses``, built at a fraction of the cost.

``@record``, ``@record(eq=False)``, ``@record(frozen=True)``, ``@record(frozen=True, slots=True)``,
``field(default=..., default_factory=..., repr=..., compare=...)`` and ``replace(obj, **changes)`` mean
what the ``dataclasses`` names mean, for the subset pipelint uses (no ``init=False``, ``order``,
``__post_init__`` or ``ClassVar``: a class that asks for them is refused when it is made).

Why not ``dataclasses``: a cold ``pipelint check`` creates about 45 model classes. On Python 3.11
``dataclasses`` spends about 0.5 ms on each (three or four ``exec`` calls and signature inspection) and
imports ``inspect``; together about 30 ms, a third of the check (``benchmarks/cold_phases.py``). Here a
class costs nothing to make: ``__eq__`` and ``__hash__`` compare ``attrgetter`` tuples, ``__repr__`` is
shared, and ``__init__`` is compiled (as dataclasses does for every class) only for a class that gets
many instances; before that an ``__init__`` that binds its own arguments serves.
"""

from __future__ import annotations

from operator import attrgetter
from reprlib import recursive_repr  # imported by collections anyway

_MISSING = object()


class FrozenInstanceError(AttributeError):
    """Assigning to a field of a frozen record."""


class Field:
    __slots__ = ("name", "default", "default_factory", "repr", "compare")

    def __init__(self, default=_MISSING, default_factory=_MISSING, repr=True, compare=True):  # noqa: A002
        if default is not _MISSING and default_factory is not _MISSING:
            raise ValueError("a field takes a default or a default_factory, not both")
        self.name = ""
        self.default = default
        self.default_factory = default_factory
        self.repr = repr
        self.compare = compare


def field(*, default=_MISSING, default_factory=_MISSING, repr=True, compare=True) -> Field:  # noqa: A002
    return Field(default, default_factory, repr, compare)


def record(cls=None, /, *, eq: bool = True, frozen: bool = False, slots: bool = False):
    def wrap(cls):
        return _build(cls, eq, frozen, slots)

    return wrap if cls is None else wrap(cls)


def replace(obj, /, **changes):
    """A copy of ``obj`` with ``changes``, through its ``__init__``."""
    names = [f.name for f in obj.__record_fields__]
    unknown = set(changes) - set(names)
    if unknown:
        raise TypeError(f"{type(obj).__qualname__} has no field {sorted(unknown)[0]!r}")
    return type(obj)(**{name: changes[name] if name in changes else getattr(obj, name) for name in names})


def _collect(cls) -> list[Field]:
    merged: dict[str, Field] = {}
    for base in reversed(cls.__mro__[1:]):
        for f in base.__dict__.get("__record_fields__", ()):
            merged[f.name] = f
    for name, annotation in cls.__dict__.get("__annotations__", {}).items():
        if str(annotation).startswith(("ClassVar", "typing.ClassVar")):
            raise TypeError(f"{cls.__qualname__}.{name}: records have no ClassVar; assign it after the class")
        value = cls.__dict__.get(name, _MISSING)
        f = value if isinstance(value, Field) else Field(default=value)
        f.name = name
        if isinstance(value, Field):
            if f.default is _MISSING:
                delattr(cls, name)
            else:
                setattr(cls, name, f.default)
        elif isinstance(value, (list, dict, set)):
            raise ValueError(f"{cls.__qualname__}.{name}: a mutable default needs default_factory")
        merged.pop(name, None)
        merged[name] = f
    seen_default = False
    for f in merged.values():
        has_default = f.default is not _MISSING or f.default_factory is not _MISSING
        if seen_default and not has_default:
            raise TypeError(f"{cls.__qualname__}: field {f.name!r} without a default follows one with a default")
        seen_default = seen_default or has_default
    return list(merged.values())


HOT = 40  # instances of a class after which its __init__ is compiled


def _init_source(fields: list[Field], frozen: bool) -> str:
    params, body = ["self"], []
    for f in fields:
        n = f.name
        if f.default_factory is not _MISSING:
            params.append(f"{n}=_MISSING")
            value = f"_factory_{n}() if {n} is _MISSING else {n}"
        else:
            params.append(n if f.default is _MISSING else f"{n}=_default_{n}")
            value = n
        body.append(f"  _setattr(self, {n!r}, {value})" if frozen else f"  self.{n} = {value}")
    return "\n".join([f"def __init__({', '.join(params)}):", *(body or ["  pass"])])


def _compiled_init(cls, fields: list[Field], frozen: bool):
    """The __init__ dataclasses would write, compiled: the fastest there is, at ~0.2 ms to make."""
    namespace: dict = {"_MISSING": _MISSING, "_setattr": object.__setattr__}
    for f in fields:
        if f.default_factory is not _MISSING:
            namespace[f"_factory_{f.name}"] = f.default_factory
        elif f.default is not _MISSING:
            namespace[f"_default_{f.name}"] = f.default
    exec(compile(_init_source(fields, frozen), f"<record {cls.__qualname__}>", "exec"), namespace)  # noqa: S102
    init = namespace["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    return init


def _interpreted_init(cls, fields: list[Field], frozen: bool):
    """An __init__ that binds its arguments itself, made at no cost but ~1 µs slower per instance. A
    cold check makes a few of most classes, a big world hundreds of thousands of some: each class
    starts with this one and switches to the compiled one at its HOT-th instance."""
    names = tuple(f.name for f in fields)
    known = frozenset(names)
    assign = object.__setattr__ if frozen else setattr
    made = [0]
    where = f"{cls.__qualname__}.__init__()"
    # Python's own wording, so that both __init__s fail alike
    least = 1 + sum(f.default is _MISSING and f.default_factory is _MISSING for f in fields)
    most = (f"{least} positional argument{'s' if least > 1 else ''}" if least == len(names) + 1
            else f"from {least} to {len(names) + 1} positional arguments")

    def __init__(self, *args, **kwargs):
        made[0] += 1
        if made[0] >= HOT and cls.__dict__.get("__init__") is __init__:  # >=: threads may pass HOT together
            cls.__init__ = _compiled_init(cls, fields, frozen)
        if len(args) > len(names):
            raise TypeError(f"{where} takes {most} but {len(args) + 1} were given")
        values = dict(zip(names, args))
        for name, value in kwargs.items():
            if name not in known:
                raise TypeError(f"{where} got an unexpected keyword argument {name!r}")
            if name in values:
                raise TypeError(f"{where} got multiple values for argument {name!r}")
            values[name] = value
        missing = []
        for f in fields[len(args):]:
            if f.name not in values:
                if f.default_factory is not _MISSING:
                    values[f.name] = f.default_factory()
                elif f.default is not _MISSING:
                    values[f.name] = f.default
                else:
                    missing.append(repr(f.name))
        if missing:
            listed = (missing[0] if len(missing) == 1 else f"{missing[0]} and {missing[1]}" if len(missing) == 2
                      else ", ".join(missing[:-1]) + ", and " + missing[-1])
            raise TypeError(f"{where} missing {len(missing)} required positional argument"
                            f"{'s' if len(missing) > 1 else ''}: {listed}")
        for name in names:
            assign(self, name, values[name])

    __init__.__qualname__ = f"{cls.__qualname__}.__init__"
    return __init__


def _comparisons(fields: list[Field], frozen: bool) -> dict:
    key = attrgetter(*[f.name for f in fields if f.compare] or ["__class__"])

    def __eq__(self, other):
        if other.__class__ is self.__class__:
            return key(self) == key(other)
        return NotImplemented

    def __hash__(self):
        return hash(key(self))

    return {"__eq__": __eq__, "__hash__": __hash__} if frozen else {"__eq__": __eq__}


@recursive_repr()  # a record that holds itself, directly or not, shows "..." there, as dataclasses do
def _repr(self) -> str:
    shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__record_repr__)
    return f"{self.__class__.__qualname__}({shown})"


def _frozen_setattr(self, name, value):
    raise FrozenInstanceError(f"cannot assign to field {name!r}")


def _frozen_delattr(self, name):
    raise FrozenInstanceError(f"cannot delete field {name!r}")


def _with_slots(cls, fields: list[Field]):
    inherited = {name for base in cls.__mro__[1:] for name in base.__dict__.get("__slots__", ())}
    namespace = {key: value for key, value in cls.__dict__.items()
                 if key not in ("__dict__", "__weakref__") and key not in {f.name for f in fields}}
    namespace["__slots__"] = tuple(f.name for f in fields if f.name not in inherited)
    slotted = type(cls)(cls.__name__, cls.__bases__, namespace)
    slotted.__qualname__ = cls.__qualname__
    return slotted


def _build(cls, eq: bool, frozen: bool, slots: bool):
    if hasattr(cls, "__post_init__"):
        raise TypeError(f"{cls.__qualname__}: records do not call __post_init__")
    fields = _collect(cls)
    if slots:
        cls = _with_slots(cls, fields)
    own = cls.__dict__
    # a class body that defines __eq__ gets __hash__ = None from Python itself; that is not a choice
    explicit_hash = "__hash__" in own and not (own["__hash__"] is None and "__eq__" in own)
    cls.__record_fields__ = tuple(fields)
    cls.__record_repr__ = tuple(f.name for f in fields if f.repr)
    made = {"__init__": _interpreted_init(cls, fields, frozen)}
    if eq:
        made.update(_comparisons(fields, frozen))
    for name, function in made.items():
        if name not in own or (name == "__hash__" and not explicit_hash):
            function.__qualname__ = f"{cls.__qualname__}.{name}"
            setattr(cls, name, function)
    if "__repr__" not in own:
        cls.__repr__ = _repr
    if eq and not frozen and not explicit_hash:
        cls.__hash__ = None  # as dataclasses: equal by value but mutable, so unhashable
    if frozen:
        cls.__setattr__ = _frozen_setattr
        cls.__delattr__ = _frozen_delattr
    if slots and frozen:  # pickle and copy would restore the slots with setattr, which refuses: as dataclasses
        cls.__getstate__ = _slots_state
        cls.__setstate__ = _set_slots_state
    return cls


def _slots_state(self) -> list:
    return [getattr(self, f.name) for f in self.__record_fields__]


def _set_slots_state(self, state: list) -> None:
    for f, value in zip(self.__record_fields__, state):
        object.__setattr__(self, f.name, value)
