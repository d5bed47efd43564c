"""Resolve CloudFormation intrinsic functions offline.

:class:`Resolver` turns a template value into plain data for one stack instance, described by a
:class:`StackContext` (account, region, parameters, other stacks' exports, and callbacks that say
what ``Ref``/``Fn::GetAtt`` of a resource give). Whatever the inputs cannot settle becomes an
:class:`~pipelint.values.Unknown` that says why; a template that is wrong whatever the inputs (a
``Ref`` to nothing, ``Fn::Join`` with three arguments, a cycle between conditions) raises
:class:`TemplateError` with the logical path of the offending function, so the caller can point at
the line (see :meth:`pipelint.loaders.documents.Document.locate`).

Rules of the road:

* An intrinsic is a dict with exactly one key that is ``Ref``, ``Condition`` or ``Fn::*``. Any other
  dict or list is rebuilt with its contents resolved.
* ``{"Ref": "AWS::NoValue"}`` removes the enclosing dict entry or list item (``resolve`` of it
  alone gives ``None``).
* A string built from parts (``Fn::Join``, ``Fn::Sub``) with an unknown part is that part's
  :class:`Unknown`, never a partial string; a list or dict keeps its shape with the unknown element
  in place.
* A dynamic reference ``{{resolve:ssm:...}}`` in a string is replaced by the value the context's
  ``ssm`` map gives (:mod:`pipelint.loaders.ssm_values`), as CloudFormation does after the intrinsics;
  without one, and for the secrets ``{{resolve:ssm-secure:...}}`` and ``{{resolve:secretsmanager:...}}``,
  the string is Unknown: the value lives in the account.
* ``{"Condition": "Name"}`` outside a condition function is evaluated only when ``Name`` is a
  defined condition (it is otherwise an ordinary key, e.g. of an IAM statement).
* Pure and without I/O; conditions are evaluated once and cached.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping

from pipelint.lazy_re import lazy
from pipelint.loaders import ssm_values
from pipelint.records import field, record
from pipelint.values import Unknown, find_unknown

TYPE_CHECKING = False  # for annotations only: typing costs 3 ms to import
if TYPE_CHECKING:
    from typing import Any

__all__ = [
    "PSEUDO_PARAMETERS",
    "Resolver",
    "StackContext",
    "TemplateError",
    "partition_for_region",
    "url_suffix_for_partition",
]


class TemplateError(Exception):
    """A template that cannot be right whatever the inputs; ``path`` is the logical path (from the
    template root) of the function at fault."""

    def __init__(self, message: str, path: tuple = ()):
        super().__init__(message)
        self.message = message
        self.path = tuple(path)

    def __str__(self) -> str:
        if not self.path:
            return self.message
        return f"{'/'.join(str(part) for part in self.path)}: {self.message}"


_REGION = lazy(r"^[a-z]{2}(-[a-z]+)+-\d+$")
_PARTITION_PREFIXES = (
    ("cn-", "aws-cn"),
    ("us-gov-", "aws-us-gov"),
    ("us-isob-", "aws-iso-b"),
    ("us-iso-", "aws-iso"),
    ("eu-isoe-", "aws-iso-e"),
    ("us-isof-", "aws-iso-f"),
)


def partition_for_region(region: str | Unknown) -> str | Unknown:
    """The partition of a region name: ``aws``, ``aws-cn``, ``aws-us-gov`` (or an ISO partition);
    Unknown when the region is unknown or not a region name."""
    if isinstance(region, Unknown):
        return region
    if not isinstance(region, str) or not _REGION.match(region):
        return Unknown(f"the partition of region {region!r} is not known")
    for prefix, partition in _PARTITION_PREFIXES:
        if region.startswith(prefix):
            return partition
    return "aws"


def url_suffix_for_partition(partition: str | Unknown) -> str | Unknown:
    """``AWS::URLSuffix`` of a partition (``amazonaws.com``, ``amazonaws.com.cn`` ...)."""
    if isinstance(partition, Unknown):
        return partition
    suffixes = {
        "aws": "amazonaws.com",
        "aws-us-gov": "amazonaws.com",
        "aws-cn": "amazonaws.com.cn",
        "aws-iso": "c2s.ic.gov",
        "aws-iso-b": "sc2s.sgov.gov",
    }
    found = suffixes.get(partition)
    if found is None:
        return Unknown(f"the URL suffix of partition {partition!r} is not known")
    return found


@record
class StackContext:
    """Where and with what one stack instance is deployed.

    ``parameters`` maps parameter names to supplied values (strings; for ``List<...>`` and
    ``CommaDelimitedList`` parameters a comma-joined string or a list). ``ssm`` maps SSM parameter
    names to the values SSM-typed parameters and ``{{resolve:ssm:...}}`` read. ``exports`` maps export
    names of the other input stacks to values. ``ref(logical_id)`` and ``get_att(logical_id,
    attribute)`` say what a resource of this template gives; the caller decides (a name, an ARN, an
    Unknown placeholder)."""

    account: str | Unknown
    region: str | Unknown
    partition: str | Unknown
    stack_name: str | Unknown
    parameters: Mapping[str, Any]
    exports: Mapping[str, Any]
    ref: Callable[[str], Any]
    get_att: Callable[[str, str], Any]
    url_suffix: str | Unknown = "amazonaws.com"
    ssm: Mapping[str, str] = field(default_factory=dict)  # SSM parameter name -> its value (the configuration's)


PSEUDO_PARAMETERS = frozenset(
    {
        "AWS::AccountId", "AWS::Region", "AWS::Partition", "AWS::StackName", "AWS::URLSuffix",
        "AWS::StackId", "AWS::NotificationARNs", "AWS::NoValue",
    }
)


class ResolvedList(list):
    """A resolved list that remembers where each item was written: when ``Fn::If`` or
    ``AWS::NoValue`` removed items, the indices shift, and a finding about item 3 must point at the
    item as written (say ``Stages/4/Fn::If/1``), not at whatever stands fourth in the template."""

    __slots__ = ("raw_paths", "removed")

    def __init__(self, items: list, raw_paths: list, removed: list | None = None):
        super().__init__(items)
        self.raw_paths = raw_paths
        # items a condition removed: (where written, why in words, what the item would have been)
        self.removed = removed or []


def raw_path(resolved: Any, sub: tuple, base: tuple) -> tuple:
    """The template path of ``resolved[sub...]``, given that ``resolved`` was written at ``base``."""
    path, node = tuple(base), resolved
    for step in sub:
        if isinstance(node, ResolvedList) and isinstance(step, int) and 0 <= step < len(node):
            path, node = node.raw_paths[step], node[step]
            continue
        path += (step,)
        try:
            node = node[step] if isinstance(node, (list, dict)) else None
        except (KeyError, IndexError, TypeError):
            node = None
    return path


class _NoValue:
    """``AWS::NoValue``: the enclosing key or list item disappears."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "NO_VALUE"


_NO_VALUE = _NoValue()

_SUB_VARIABLE = lazy(r"\$\{([^}]*)\}")
_LIST_TYPES = ("CommaDelimitedList",)
_CONDITION_FUNCTIONS = ("Fn::And", "Fn::Or", "Fn::Not", "Fn::Equals", "Condition")
# functions that read the content of a string: a dynamic reference in it is not resolved by pipelint
_INSPECTING = frozenset({"Fn::Equals", "Fn::Split", "Fn::FindInMap", "Fn::ImportValue"})


_ARN_SHAPE = lazy(r"^arn:(?:aws[a-z-]*|\$\{AWS::Partition\}):([a-z0-9-]+):[^:]*:[^:]*:([a-z-]*)")


def _with_shape(value: Unknown, text: str) -> Unknown:
    """An Unknown ARN built by Fn::Sub still says what kind of ARN it is when the literal text does
    (``arn:${AWS::Partition}:codepipeline:...``): rules that care only about the form can use that."""
    if value.shape is None:
        match = _ARN_SHAPE.match(text)
        if match:
            return Unknown(value.reason, shape=f"arn:{match.group(1)}:{match.group(2)}")
    return value


def _text(value: Any) -> str | None:
    """The string CloudFormation makes of a scalar, or None for anything else."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return None


class Resolver:
    """Resolves intrinsic functions of one template for one :class:`StackContext`."""

    def __init__(self, template: dict, context: StackContext):
        self.template = template if isinstance(template, dict) else {}
        self.context = context
        self.parameters = self._section("Parameters")
        self.resources = self._section("Resources")
        self.mappings = self._section("Mappings")
        self.conditions = self._section("Conditions")
        self._condition_cache: dict[str, bool | Unknown] = {}
        self._evaluating: list[str] = []
        self._inspecting: list[str] = []  # functions being evaluated that read a string's content

    def _section(self, name: str) -> dict:
        section = self.template.get(name)
        return section if isinstance(section, dict) else {}

    # ---------------------------------------------------------------------------------------------
    # public

    def resolve(self, value: Any, path: tuple = ()) -> Any:
        """``value`` with every intrinsic replaced; ``path`` is its logical path in the template
        (used in :class:`TemplateError`)."""
        path = tuple(path)
        try:
            result = self._resolve(value, path)
        except RecursionError:
            self._evaluating.clear()
            raise TemplateError("the value is nested too deeply to resolve", path) from None
        return None if result is _NO_VALUE else result

    def condition(self, name: str, path: tuple = ()) -> bool | Unknown:
        """The value of the condition ``name`` of the ``Conditions`` section; ``path`` is where the
        name is used (e.g. a resource's ``Condition`` attribute), for the error when it names no
        condition. An undecidable condition is an Unknown that names it."""
        try:
            result = self._condition(name, tuple(path))
        except RecursionError:
            self._evaluating.clear()
            raise TemplateError(
                "the condition is nested too deeply", ("Conditions", name)
            ) from None
        return self._named(name, result)

    def parameter(self, name: str) -> Any:
        """The supplied value of parameter ``name``, else its ``Default``, else Unknown. List
        parameters give Python lists. An SSM-typed parameter's value is the name of an SSM parameter,
        whose value the context's ``ssm`` map gives, else it is Unknown (read at deploy time)."""
        declaration = self.parameters.get(name)
        declaration = declaration if isinstance(declaration, dict) else {}
        supplied = self.context.parameters
        if name in supplied:
            raw = supplied[name]
        elif "Default" in declaration:
            raw = declaration["Default"]
        else:
            return Unknown(
                f"parameter {name} has no value; "
                "pass it in the deployment map (parameters = {...})"
            )
        if isinstance(raw, Unknown):
            return raw
        kind = declaration.get("Type")
        kind = kind.strip() if isinstance(kind, str) else ""
        if ssm_values.is_ssm_type(kind):
            return ssm_values.typed_parameter(name, kind, _text(raw), name in supplied, self.context.ssm)
        if kind.startswith("List<") or kind in _LIST_TYPES:
            if isinstance(raw, (list, tuple)):
                items = [item if isinstance(item, Unknown) else _text(item) for item in raw]
                if any(item is None for item in items):
                    return Unknown(f"parameter {name} has a value that is not a list of strings")
                return items
            text = _text(raw)
            if text is None:
                return Unknown(f"parameter {name} has a value that is not a list of strings")
            return [item.strip() for item in text.split(",")]
        text = _text(raw)
        if text is None:
            return Unknown(f"parameter {name} has a value that is not a string")
        # CloudFormation takes an ssm reference in a parameter (one in the Parameters section must name a
        # version) with the parameter's value: whatever uses the parameter sees the value
        return ssm_values.resolve_references(text, self.context.ssm)

    # ---------------------------------------------------------------------------------------------
    # walking

    def _resolve(self, value: Any, path: tuple) -> Any:
        if isinstance(value, str):
            return self._dynamic(value)
        if isinstance(value, dict):
            if len(value) == 1:
                key = next(iter(value))
                if key == "Ref" or (isinstance(key, str) and key.startswith("Fn::")):
                    return self._function(key, value[key], path)
                if key == "Condition":
                    name = value[key]
                    if isinstance(name, str) and name in self.conditions:
                        return self._named(name, self._condition(name, path + (key,)))
            result = {}
            for key, item in value.items():
                resolved = self._resolve(item, path + (key,))
                if resolved is not _NO_VALUE:
                    result[key] = resolved
            return result
        if isinstance(value, list):
            result_list, raw_paths, removed = [], [], []
            for index, item in enumerate(value):
                resolved = self._resolve(item, path + (index,))
                if resolved is not _NO_VALUE:
                    result_list.append(resolved)
                    raw_paths.append(self._chosen(item, path + (index,)))
                elif isinstance(item, dict) and isinstance(item.get("Fn::If"), list):
                    removed.append(self._removed(item, path + (index,)))
            return ResolvedList(result_list, raw_paths, removed)
        return value

    def _removed(self, item: dict, path: tuple) -> tuple:
        """An ``Fn::If`` list item that resolved to ``AWS::NoValue``: where it is, which condition
        removed it with which parameter values, and what the other branch would have given."""
        arguments = item["Fn::If"]
        if len(arguments) != 3 or not isinstance(arguments[0], str):
            return path, "a condition", None
        name = arguments[0]
        decided = self._condition(name, path + ("Fn::If", 0))
        other = arguments[1] if decided is False else arguments[2]
        try:
            would_be = self._resolve(other, path + ("Fn::If", 1 if decided is False else 2))
        except TemplateError:
            would_be = None
        values = ", ".join(f"{p} = {v!r}" if isinstance(v, str) else f"{p} unknown"
                           for p, v in self._condition_inputs(name).items())
        why = f"condition {name} is {'false' if decided is False else 'true'}" + (f" with {values}" if values else "")
        return path, why, would_be

    def _condition_inputs(self, name: str, seen: set | None = None) -> dict:
        """The parameters a condition depends on, with their values (through nested conditions)."""
        seen = set() if seen is None else seen
        found: dict = {}
        if name in seen:
            return found
        seen.add(name)
        stack = [self.conditions.get(name)]
        while stack:
            node = stack.pop()
            if isinstance(node, dict):
                if isinstance(node.get("Ref"), str) and node["Ref"] in self.parameters:
                    found.setdefault(node["Ref"], self.parameter(node["Ref"]))
                if isinstance(node.get("Condition"), str):
                    found.update(self._condition_inputs(node["Condition"], seen))
                stack.extend(node.values())
            elif isinstance(node, list):
                stack.extend(node)
        return found

    def _chosen(self, item: Any, path: tuple) -> tuple:
        """Where the value an item resolved to is written: inside the branch an ``Fn::If`` chose."""
        while isinstance(item, dict) and len(item) == 1 and isinstance(item.get("Fn::If"), list) \
                and len(item["Fn::If"]) == 3 and isinstance(item["Fn::If"][0], str):
            decided = self._condition(item["Fn::If"][0], path + ("Fn::If", 0))
            if isinstance(decided, Unknown):
                break
            branch = 1 if decided else 2
            item, path = item["Fn::If"][branch], path + ("Fn::If", branch)
        return path

    def _function(self, key: str, argument: Any, path: tuple) -> Any:
        here = path + (key,)
        handler = _HANDLERS.get(key)
        if handler is None:
            if key.startswith("Fn::ForEach"):
                return Unknown(f"{key} (AWS::LanguageExtensions) is not expanded offline")
            return Unknown(f"{key} is not evaluated offline")
        if key not in _INSPECTING:
            return handler(self, argument, here)
        self._inspecting.append(key)
        try:
            return handler(self, argument, here)
        finally:
            self._inspecting.pop()

    # ---------------------------------------------------------------------------------------------
    # helpers

    def _dynamic(self, text: str) -> str | Unknown:
        """``text`` with its dynamic references resolved, as CloudFormation does where a resource property
        uses the string. Inside a function that reads the string's content (a condition, Fn::Split, a
        mapping key), whether CloudFormation sees the reference or its value is not documented: Unknown."""
        if "{{resolve:" not in text:
            return text
        match = ssm_values.REFERENCE.search(text)
        if self._inspecting and match is not None:
            return Unknown(f"{match.group(0)} is used inside {self._inspecting[-1]}, where pipelint does not know "
                           "whether CloudFormation reads the reference or its value: nothing offline settles it")
        return ssm_values.resolve_references(text, self.context.ssm)

    def _string(self, value: Any, path: tuple, what: str) -> str | Unknown:
        """Resolve ``value`` to a string (or Unknown); TemplateError if it cannot be one."""
        resolved = self._resolve(value, path)
        if isinstance(resolved, Unknown):
            return resolved
        text = _text(resolved)
        if text is None:
            raise TemplateError(f"{what} must be a string, not {_describe(resolved)}", path)
        return text

    def _list(self, value: Any, path: tuple, what: str) -> list | Unknown:
        resolved = self._resolve(value, path)
        if isinstance(resolved, Unknown):
            return resolved
        if not isinstance(resolved, list):
            raise TemplateError(f"{what} must be a list, not {_describe(resolved)}", path)
        return resolved

    @staticmethod
    def _arguments(argument: Any, path: tuple, name: str, counts: tuple[int, ...]) -> list:
        if not isinstance(argument, list) or len(argument) not in counts:
            wanted = " or ".join(str(count) for count in counts)
            got = f"{len(argument)} items" if isinstance(argument, list) else _describe(argument)
            raise TemplateError(f"{name} needs a list of {wanted} items, not {got}", path)
        return argument

    def _named(self, name: str, result: bool | Unknown) -> bool | Unknown:
        if isinstance(result, Unknown):
            return Unknown(f"condition {name} cannot be decided: {result.reason}")
        return result

    # ---------------------------------------------------------------------------------------------
    # conditions

    def _condition(self, name: Any, path: tuple) -> bool | Unknown:
        """The raw value of a condition (an Unknown carries the root reason)."""
        if not isinstance(name, str):
            raise TemplateError(f"a condition name must be a string, not {_describe(name)}", path)
        cached = self._condition_cache.get(name)
        if cached is not None:
            return cached
        if name not in self.conditions:
            raise TemplateError(f"condition {name} is not defined in Conditions", path)
        if name in self._evaluating:
            cycle = self._evaluating[self._evaluating.index(name):] + [name]
            raise TemplateError(
                f"conditions refer to each other in a cycle: {' -> '.join(cycle)}",
                ("Conditions", name),
            )
        self._evaluating.append(name)
        try:
            result = self._boolean(self.conditions[name], ("Conditions", name))
        finally:
            self._evaluating.pop()
        self._condition_cache[name] = result
        return result

    def _boolean(self, expression: Any, path: tuple) -> bool | Unknown:
        """A condition expression: a condition function, a Condition reference or a boolean."""
        if isinstance(expression, bool):
            return expression
        if isinstance(expression, dict) and len(expression) == 1:
            key = next(iter(expression))
            if key == "Condition":
                return self._condition(expression[key], path + (key,))
            if key in _CONDITION_FUNCTIONS:
                return self._function(key, expression[key], path)
        raise TemplateError(
            f"a condition must be Fn::Equals, Fn::And, Fn::Or, Fn::Not or a Condition reference, "
            f"not {_describe(expression)}",
            path,
        )

    def _fn_equals(self, argument: Any, path: tuple) -> bool | Unknown:
        left, right = self._arguments(argument, path, "Fn::Equals", (2,))
        left = self._resolve(left, path + (0,))
        right = self._resolve(right, path + (1,))
        for side in (left, right):
            if isinstance(side, Unknown):
                return side
        left_text, right_text = _text(left), _text(right)
        if left_text is not None and right_text is not None:
            return left_text == right_text
        return left == right

    def _fn_and(self, argument: Any, path: tuple) -> bool | Unknown:
        return self._combine(argument, path, "Fn::And", stop=False)

    def _fn_or(self, argument: Any, path: tuple) -> bool | Unknown:
        return self._combine(argument, path, "Fn::Or", stop=True)

    def _combine(self, argument: Any, path: tuple, name: str, stop: bool) -> bool | Unknown:
        if not isinstance(argument, list) or not 2 <= len(argument) <= 10:
            got = f"{len(argument)} items" if isinstance(argument, list) else _describe(argument)
            raise TemplateError(f"{name} needs a list of 2 to 10 conditions, not {got}", path)
        unknown: Unknown | None = None
        for index, item in enumerate(argument):
            value = self._boolean(item, path + (index,))
            if isinstance(value, Unknown):
                unknown = unknown or value
            elif value is stop:
                return stop
        return unknown if unknown is not None else not stop

    def _fn_not(self, argument: Any, path: tuple) -> bool | Unknown:
        (item,) = self._arguments(argument, path, "Fn::Not", (1,))
        value = self._boolean(item, path + (0,))
        return value if isinstance(value, Unknown) else not value

    def _fn_if(self, argument: Any, path: tuple) -> Any:
        name, when_true, when_false = self._arguments(argument, path, "Fn::If", (3,))
        decided = self._condition(name, path + (0,))
        if isinstance(decided, Unknown):
            return self._named(name, decided)
        if decided:
            return self._resolve(when_true, path + (1,))
        return self._resolve(when_false, path + (2,))

    # ---------------------------------------------------------------------------------------------
    # references

    def _ref(self, argument: Any, path: tuple) -> Any:
        name = argument
        if not isinstance(name, str):
            name = self._string(argument, path, "the argument of Ref")
            if isinstance(name, Unknown):
                return name
        if name in PSEUDO_PARAMETERS:
            return self._pseudo(name)
        if name in self.parameters:
            return self.parameter(name)
        if name in self.resources:
            return self.context.ref(name)
        raise TemplateError(
            f"Ref to {name!r}, which is neither a parameter, a pseudo parameter nor a resource",
            path,
        )

    def _pseudo(self, name: str) -> Any:
        context = self.context
        if name == "AWS::NoValue":
            return _NO_VALUE
        if name == "AWS::AccountId":
            return context.account
        if name == "AWS::Region":
            return context.region
        if name == "AWS::Partition":
            return context.partition
        if name == "AWS::StackName":
            return context.stack_name
        if name == "AWS::URLSuffix":
            return context.url_suffix
        if name == "AWS::StackId":
            return Unknown("AWS::StackId is known only once the stack exists")
        return Unknown(f"{name} is known only at deploy time")

    def _fn_getatt(self, argument: Any, path: tuple) -> Any:
        if isinstance(argument, str):
            resource, dot, attribute = argument.partition(".")
            if not dot:
                raise TemplateError(
                    f"Fn::GetAtt needs 'Resource.Attribute', not {argument!r}", path
                )
        else:
            resource, attribute = self._arguments(argument, path, "Fn::GetAtt", (2,))
            if not isinstance(resource, str):
                raise TemplateError(
                    f"Fn::GetAtt needs a resource name first, not {_describe(resource)}",
                    path + (0,),
                )
            attribute = self._string(attribute, path + (1,), "the attribute of Fn::GetAtt")
            if isinstance(attribute, Unknown):
                return attribute
        if resource not in self.resources:
            raise TemplateError(f"Fn::GetAtt refers to {resource!r}, which is not a resource", path)
        return self.context.get_att(resource, attribute)

    def _fn_importvalue(self, argument: Any, path: tuple) -> Any:
        name = self._string(argument, path, "the export name of Fn::ImportValue")
        if isinstance(name, Unknown):
            return name
        exports = self.context.exports
        if name in exports:
            return exports[name]
        return Unknown(f"no input stack exports {name!r}: add the stack that exports it, or give its value in the "
                       f"deployment map (imports = {{ \"{name}\" = \"...\" }} in this template's [[stacks]] entry)")

    def _fn_findinmap(self, argument: Any, path: tuple) -> Any:
        items = self._arguments(argument, path, "Fn::FindInMap", (3, 4))
        default: Any = _MISSING
        if len(items) == 4:
            option = items[3]
            if not isinstance(option, dict) or set(option) != {"DefaultValue"}:
                raise TemplateError(
                    "the fourth item of Fn::FindInMap must be {DefaultValue: ...}", path + (3,)
                )
            default = option["DefaultValue"]
        keys = []
        for index in range(3):
            key = self._string(items[index], path + (index,), "a key of Fn::FindInMap")
            if isinstance(key, Unknown):
                return key
            keys.append(key)
        map_name, top, second = keys
        mapping = self.mappings.get(map_name)
        if not isinstance(mapping, dict):
            if default is not _MISSING:
                return self._resolve(default, path + (3, "DefaultValue"))
            raise TemplateError(
                f"Fn::FindInMap refers to {map_name!r}, which is not a mapping", path
            )
        level = mapping.get(top)
        if isinstance(level, dict) and second in level:
            return self._resolve(level[second], ("Mappings", map_name, top, second))
        if default is not _MISSING:
            return self._resolve(default, path + (3, "DefaultValue"))
        if not isinstance(level, dict):
            raise TemplateError(f"mapping {map_name} has no key {top!r}", path)
        raise TemplateError(f"mapping {map_name} has no key {second!r} under {top!r}", path)

    # ---------------------------------------------------------------------------------------------
    # strings and lists

    def _fn_sub(self, argument: Any, path: tuple) -> Any:
        variables: dict = {}
        if isinstance(argument, list):
            text, variables = self._arguments(argument, path, "Fn::Sub", (2,))
            if not isinstance(variables, dict):
                raise TemplateError(
                    f"the variables of Fn::Sub must be a mapping, not {_describe(variables)}",
                    path + (1,),
                )
            text_path = path + (0,)
        else:
            text, text_path = argument, path
        if not isinstance(text, str):
            text = self._string(text, text_path, "the text of Fn::Sub")
            if isinstance(text, Unknown):
                return text
        parts: list[str] = []
        position = 0
        for match in _SUB_VARIABLE.finditer(text):
            parts.append(text[position:match.start()])
            position = match.end()
            name = match.group(1)
            if name.startswith("!"):
                parts.append("${" + name[1:] + "}")
                continue
            value = self._sub_variable(name, variables, path)
            if isinstance(value, Unknown):
                return _with_shape(value, text)
            parts.append(value)
        parts.append(text[position:])
        return self._dynamic("".join(parts))

    def _sub_variable(self, name: str, variables: dict, path: tuple) -> str | Unknown:
        if name in variables:
            value = self._resolve(variables[name], path + (1, name))
        elif name in PSEUDO_PARAMETERS or name in self.parameters or name in self.resources:
            if name == "AWS::NoValue":
                raise TemplateError("Fn::Sub cannot use ${AWS::NoValue}", path)
            value = self._ref(name, path)
        elif "." in name:
            resource, _, attribute = name.partition(".")
            if resource not in self.resources:
                raise TemplateError(
                    f"Fn::Sub refers to ${{{name}}}, but {resource!r} is not a resource", path
                )
            value = self.context.get_att(resource, attribute)
        else:
            raise TemplateError(
                f"Fn::Sub refers to ${{{name}}}, which is neither a variable, a parameter, a "
                f"pseudo parameter nor a resource",
                path,
            )
        if isinstance(value, Unknown):
            return value
        text = _text(value)
        if text is None:
            raise TemplateError(
                f"${{{name}}} in Fn::Sub must be a string, not {_describe(value)}", path
            )
        return text

    def _fn_join(self, argument: Any, path: tuple) -> Any:
        delimiter, items = self._arguments(argument, path, "Fn::Join", (2,))
        delimiter = self._string(delimiter, path + (0,), "the delimiter of Fn::Join")
        if isinstance(delimiter, Unknown):
            return delimiter
        values = self._list(items, path + (1,), "the second item of Fn::Join")
        if isinstance(values, Unknown):
            return values
        texts = []
        for index, value in enumerate(values):
            if isinstance(value, Unknown):
                return value
            text = _text(value)
            if text is None:
                raise TemplateError(
                    f"Fn::Join can only join strings, not {_describe(value)}", path + (1, index)
                )
            texts.append(text)
        return self._dynamic(delimiter.join(texts))

    def _fn_select(self, argument: Any, path: tuple) -> Any:
        index, items = self._arguments(argument, path, "Fn::Select", (2,))
        index = self._resolve(index, path + (0,))
        if isinstance(index, Unknown):
            return index
        if isinstance(index, str) and index.strip().isdigit():
            index = int(index)
        if isinstance(index, bool) or not isinstance(index, int) or index < 0:
            raise TemplateError(
                f"the index of Fn::Select must be a whole number from 0, not {_describe(index)}",
                path + (0,),
            )
        values = self._list(items, path + (1,), "the second item of Fn::Select")
        if isinstance(values, Unknown):
            return values
        if index >= len(values):
            return Unknown(
                f"Fn::Select index {index} is out of range for a list of {len(values)} items"
            )
        return values[index]

    def _fn_split(self, argument: Any, path: tuple) -> Any:
        delimiter, source = self._arguments(argument, path, "Fn::Split", (2,))
        delimiter = self._string(delimiter, path + (0,), "the delimiter of Fn::Split")
        if isinstance(delimiter, Unknown):
            return delimiter
        if delimiter == "":
            raise TemplateError("the delimiter of Fn::Split cannot be empty", path + (0,))
        text = self._string(source, path + (1,), "the text of Fn::Split")
        if isinstance(text, Unknown):
            return text
        return text.split(delimiter)

    def _fn_length(self, argument: Any, path: tuple) -> Any:
        values = self._list(argument, path, "the argument of Fn::Length")
        return values if isinstance(values, Unknown) else len(values)

    def _fn_tojsonstring(self, argument: Any, path: tuple) -> Any:
        value = self._resolve(argument, path)
        unknown = _first_unknown(value)
        if unknown is not None:
            return unknown
        if not isinstance(value, (dict, list)):
            raise TemplateError(
                f"Fn::ToJsonString needs a mapping or a list, not {_describe(value)}", path
            )
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)

    def _fn_base64(self, argument: Any, path: tuple) -> Any:
        # The encoding itself is of no use to the rules; the text (e.g. UserData) is.
        return self._string(argument, path, "the argument of Fn::Base64")

    def _fn_getazs(self, argument: Any, path: tuple) -> Any:
        region = self._resolve(argument, path)
        if isinstance(region, Unknown):
            return region
        if region in ("", None):
            region = self.context.region
        shown = region if isinstance(region, str) else "the region"
        return Unknown(f"the Availability Zones of {shown} are not known offline (Fn::GetAZs)")

    def _fn_cidr(self, argument: Any, path: tuple) -> Any:
        self._arguments(argument, path, "Fn::Cidr", (3,))
        return Unknown("Fn::Cidr is not computed offline")

    def _fn_transform(self, argument: Any, path: tuple) -> Any:
        name = argument.get("Name") if isinstance(argument, dict) else None
        shown = f" {name}" if isinstance(name, str) else ""
        return Unknown(f"the macro{shown} of Fn::Transform runs only at deploy time")


_MISSING = object()


_first_unknown = find_unknown


def _describe(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, str):
        return f"the string {value!r}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        if len(value) == 1:
            return f"{next(iter(value))}"
        return "a mapping"
    return type(value).__name__


_HANDLERS: dict[str, Callable[[Resolver, Any, tuple], Any]] = {
    "Ref": Resolver._ref,
    "Fn::GetAtt": Resolver._fn_getatt,
    "Fn::Sub": Resolver._fn_sub,
    "Fn::Join": Resolver._fn_join,
    "Fn::Select": Resolver._fn_select,
    "Fn::Split": Resolver._fn_split,
    "Fn::FindInMap": Resolver._fn_findinmap,
    "Fn::If": Resolver._fn_if,
    "Fn::Equals": Resolver._fn_equals,
    "Fn::And": Resolver._fn_and,
    "Fn::Or": Resolver._fn_or,
    "Fn::Not": Resolver._fn_not,
    "Fn::ImportValue": Resolver._fn_importvalue,
    "Fn::Base64": Resolver._fn_base64,
    "Fn::GetAZs": Resolver._fn_getazs,
    "Fn::Cidr": Resolver._fn_cidr,
    "Fn::Length": Resolver._fn_length,
    "Fn::ToJsonString": Resolver._fn_tojsonstring,
    "Fn::Transform": Resolver._fn_transform,
}
