"""A Terraform configuration as module instances, each with its variables, locals, outputs, providers
and resource instances, evaluated lazily.

A folder of ``.tf`` files is a module (:class:`ModuleConfig`, parsed once however often it is called).
The root module of a deployment and every ``module`` block it calls (once, or per ``count`` /
``for_each`` key) become :class:`ModuleInstance` objects. Nothing is evaluated until asked for:
``module.target.role_arn`` evaluates that one output, which evaluates what it refers to, and so on —
so modules that pass ARNs to each other in both directions (a common multi-account layout) work, and
a real cycle is an Unknown saying so. Every value is computed once (:meth:`Root.memo`).

Where values come from, for the root module: the deployment map's ``parameters`` (``[[stacks]]`` whose
``template`` names the folder), then its ``var-files``, ``*.auto.tfvars[.json]``, ``terraform.tfvars[.json]``,
then the variable's ``default`` — Terraform's own precedence. A child module gets the arguments of its
``module`` block. Providers give resources their account and region (see :class:`ProviderConfig`).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Callable

from pipelint.errors import InputError
from pipelint.loaders.terraform import attributes
from pipelint.loaders.terraform import syntax as s
from pipelint.loaders.terraform.expressions import Scope, evaluate
from pipelint.loaders.terraform.values import Invalid, Lazy, PosDict, UnknownOf, to_text
from pipelint.model import Notice
from pipelint.records import field, record
from pipelint.values import Unknown

META = {"count", "for_each", "provider", "providers", "depends_on", "lifecycle", "source", "version"}
SKIPPED_BLOCKS = {"lifecycle", "provisioner", "connection"}
MAX_ACTIVE = 120  # nested evaluations deeper than this are refused (a reference chain, not a real setup)
MAX_MODULE_DEPTH = 16
# attributes that name a resource: when unknown, they still say which resource (values.UnknownOf)
IDENTIFIERS = {"id", "arn", "name", "bucket", "key_id", "url", "function_name"}


# -- configuration (one folder) ----------------------------------------------------------------------

@record
class ModuleConfig:
    folder: Path
    display: str
    files: list = field(default_factory=list)
    variables: dict = field(default_factory=dict)
    locals: dict = field(default_factory=dict)  # name -> (Attribute, file display)
    outputs: dict = field(default_factory=dict)
    resources: dict = field(default_factory=dict)  # "type.name" -> Block
    data: dict = field(default_factory=dict)
    calls: dict = field(default_factory=dict)
    providers: list = field(default_factory=list)


def tf_files(folder: Path) -> list[Path]:
    """The ``.tf`` files Terraform reads in ``folder`` (override files are not merged, see README)."""
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return []
    return [folder / n for n in names if n.endswith(".tf") and not n.startswith(".") and (folder / n).is_file()]


def load_config(folder: Path, display: Callable[[Path], str], notices: list) -> ModuleConfig:
    config = ModuleConfig(folder, display(folder) or ".")
    seen: dict = {}
    for path in tf_files(folder):
        if path.name == "override.tf" or path.name.endswith("_override.tf"):
            notices.append(Notice(display(path), "Terraform override files are not merged by pipelint; skipped"))
            continue
        hcl = s.parse_file(path, display(path))
        config.files.append(hcl)
        for block in hcl.body.blocks:
            _add_block(config, hcl, block, seen)
        for name, attribute in hcl.body.attributes.items():
            raise InputError(hcl.display, f"unexpected argument {name!r} at the top level of a Terraform file "
                             "(only blocks such as resource, variable, module belong there)",
                             attribute.line, attribute.col)
    return config


def _labels(hcl: s.HclFile, block: s.Block, count: int) -> list:
    if len(block.labels) != count:
        raise InputError(hcl.display, f"a {block.type} block needs {count} label{'s' if count > 1 else ''} "
                         f"(it has {len(block.labels)})", block.line, block.col)
    return block.labels


def _add_block(config: ModuleConfig, hcl: s.HclFile, block: s.Block, seen: dict) -> None:
    kind = block.type

    def once(key: str, what: str) -> None:
        if key in seen:
            raise InputError(hcl.display, f"{what} is declared twice (first at {seen[key]})", block.line, block.col)
        seen[key] = f"{hcl.display}:{block.line}"

    if kind == "resource" or kind == "data":
        rtype, name = _labels(hcl, block, 2)
        key = f"{rtype}.{name}"
        once(f"{kind}:{key}", f"{'data.' if kind == 'data' else ''}{key}")
        (config.resources if kind == "resource" else config.data)[key] = block
    elif kind == "variable":
        (name,) = _labels(hcl, block, 1)
        once(f"var:{name}", f"variable {name}")
        config.variables[name] = block
    elif kind == "output":
        (name,) = _labels(hcl, block, 1)
        once(f"output:{name}", f"output {name}")
        config.outputs[name] = block
    elif kind == "module":
        (name,) = _labels(hcl, block, 1)
        once(f"module:{name}", f"module {name}")
        config.calls[name] = block
    elif kind == "locals":
        for name, attribute in block.body.attributes.items():
            once(f"local:{name}", f"local.{name}")
            config.locals[name] = (attribute, hcl.display)
    elif kind == "provider":
        _labels(hcl, block, 1)
        config.providers.append(block)
    # terraform, moved, import, removed, check blocks do not change what is deployed where


# -- evaluation state of one root --------------------------------------------------------------------

class Root:
    """One root module being evaluated: its deployment-map entry, given values, and every memo."""

    def __init__(self, folder: Path, display: Callable[[Path], str], spec: Any, given: dict, notices: list,
                 configs: dict, files_read: set, label: str = ""):
        self.folder = folder
        self.display = display
        self.spec = spec
        self.given = given  # variable -> value (map, var files, tfvars, in precedence order already)
        self.notices = notices
        self.configs = configs
        self.files_read = files_read
        self.label = label  # "" for a single root; else "folder:" to keep addresses of two roots apart
        self.memos: dict = {}
        self.active: list = []
        self.instances: list = []  # every ModuleInstance, in load order
        self.noticed: set = set()

    def memo(self, key: tuple, compute: Callable[[], Any]) -> Any:
        found = self.memos.get(key, _MISSING)
        if found is not _MISSING:
            return found
        if key in self.active:
            return Unknown(f"{_key_text(key)} depends on itself (a cycle in the configuration)")
        if len(self.active) > MAX_ACTIVE:
            return Invalid(f"evaluating {_key_text(key)} needs more than {MAX_ACTIVE} nested references")
        self.active.append(key)
        try:
            value = compute()
        finally:
            self.active.pop()
        self.memos[key] = value
        return value

    def notice(self, file: str, message: str) -> None:
        if (file, message) not in self.noticed:
            self.noticed.add((file, message))
            self.notices.append(Notice(file, message))

    def config(self, folder: Path) -> ModuleConfig:
        key = folder.resolve()
        if key not in self.configs:
            self.configs[key] = load_config(folder, self.display, self.notices)
        return self.configs[key]

    def read(self, path: str) -> Any:
        """``file()``: a regular UTF-8 file, relative to the root module folder as Terraform resolves it."""
        from pipelint.loaders.documents import read_text

        target = Path(path) if os.path.isabs(path) else self.folder / path
        if not target.is_file():
            return Invalid(f"file {path} does not exist (relative to {self.display(self.folder) or '.'})")
        shown = self.display(target)
        text = read_text(target, shown)
        self.files_read.add(target.resolve())
        return FileText(text, shown)

    def physical_id(self, address: str) -> str | None:
        ids = getattr(self.spec, "physical_ids", None) or {}
        found = ids.get(address)
        return found if isinstance(found, str) else None


class FileText(str):
    """What ``file()`` read: the text, and which file it came from (for positions in policies)."""

    __slots__ = ("display",)

    def __new__(cls, text: str, display: str):
        made = super().__new__(cls, text)
        made.display = display
        return made


_MISSING = object()


def _key_text(key: tuple) -> str:
    kind, where, *rest = key
    name = ".".join(str(r) for r in rest)
    if kind == "var":
        return f"var.{name} of {where or 'the root module'}"
    if kind == "local":
        return f"local.{name} of {where or 'the root module'}"
    if kind == "output":
        return f"output {name} of {where or 'the root module'}"
    return f"{where}{'.' if where and name else ''}{name}"


# -- providers -------------------------------------------------------------------------------------

class ProviderConfig:
    """One ``provider "aws"`` configuration (or the implicit empty one) and the account and region it
    deploys to.

    The account, first found: the account of ``assume_role { role_arn }`` (the last one, when roles
    are chained); the single id of ``allowed_account_ids``; the deployment map (``account`` of the
    root's ``[[stacks]]`` entry for the default provider, ``providers = {"aws.x" = {account}}`` for any).
    The region: the block's ``region``, else the map. Otherwise an Unknown that says how to settle it.
    Credentials, profiles and environment variables are never read."""

    def __init__(self, root: Root, key: str, block: s.Block | None, instance: "ModuleInstance"):
        self.root, self.key, self.block, self.instance = root, key, block, instance

    def _map(self, what: str) -> str | None:
        spec = self.root.spec
        if spec is None:
            return None
        entry = (getattr(spec, "providers", None) or {}).get(self.key) or {}
        if isinstance(entry, dict) and isinstance(entry.get(what), str):
            return entry[what]
        if self.key == "aws":
            value = getattr(spec, what, None)
            return value if isinstance(value, str) else None
        return None

    def _where(self) -> str:
        root = self.root.display(self.root.folder) or "."
        return root

    def _settle(self, what: str) -> str:
        root = self._where()
        if self.key == "aws":
            via = f'{what} = "..."'
        else:
            via = f'providers = {{"{self.key}" = {{{what} = "..."}}}}'
        extra = ("set assume_role { role_arn } or allowed_account_ids in the provider block"
                 if what == "account" else "set region in the provider block")
        return (f"the {what} of provider {self.key} in {root} is not known: give it in the deployment map "
                f"([[stacks]] template = \"{root}\", {via}), or {extra}")

    def _eval(self, node: s.Node) -> Any:
        return evaluate(node, self.instance.scope(self.block.file.display if self.block and self.block.file else ""))

    def account(self) -> Any:
        return self.root.memo(("provider-account", self.instance.address, self.key), self._account)

    def _account(self) -> Any:
        from pipelint import arns

        found, unknown, how = None, None, ""
        if self.block is not None:
            roles = [b for b in self.block.body.blocks if b.type in ("assume_role", "assume_role_with_web_identity")]
            if roles and "role_arn" in roles[-1].body.attributes:
                arn = self._eval(roles[-1].body.attributes["role_arn"].expr)
                if isinstance(arn, Unknown):
                    unknown = arn
                elif arns.account_of(arn):
                    found, how = arns.account_of(arn), f"assume_role {arn}"
            if found is None and "allowed_account_ids" in self.block.body.attributes:
                ids = self._eval(self.block.body.attributes["allowed_account_ids"].expr)
                if isinstance(ids, list) and len(ids) == 1 and isinstance(ids[0], str):
                    found, how = ids[0], "allowed_account_ids"
                elif isinstance(ids, Unknown) and unknown is None:
                    unknown = ids
        mapped = self._map("account")
        if found is not None:
            if mapped and mapped != found:
                self.root.notice(self._where(), f"the deployment map gives provider {self.key} account {mapped}, "
                                 f"but its {how} says {found}; {found} is used")
            return found
        if mapped:
            return mapped
        if unknown is not None:
            return unknown
        return Unknown(self._settle("account"))

    def region(self) -> Any:
        return self.root.memo(("provider-region", self.instance.address, self.key), self._region)

    def _region(self) -> Any:
        value = None
        if self.block is not None and "region" in self.block.body.attributes:
            value = self._eval(self.block.body.attributes["region"].expr)
            if isinstance(value, str):
                return value
        mapped = self._map("region")
        if mapped:
            return mapped
        if isinstance(value, Unknown):
            return value
        return Unknown(self._settle("region"))


def traversal_text(node: s.Node) -> str | None:
    """``aws.tooling`` written as a traversal (or, Terraform 0.11 style, as a string)."""
    if isinstance(node, s.Name):
        return node.name
    if isinstance(node, s.GetAttr):
        base = traversal_text(node.obj)
        return f"{base}.{node.name}" if base else None
    if isinstance(node, s.Template) and all(isinstance(p, str) for p in node.parts):
        return "".join(node.parts)
    if isinstance(node, s.Paren):
        return traversal_text(node.expr)
    return None


# -- module instances ------------------------------------------------------------------------------

class ModuleInstance:
    def __init__(self, root: Root, config: ModuleConfig, address: str, parent: "ModuleInstance | None",
                 call: s.Block | None = None, call_names: dict | None = None, depth: int = 0):
        self.root, self.config, self.address, self.parent = root, config, address, parent
        self.call, self.call_names, self.depth = call, call_names or {}, depth
        self._scopes: dict = {}
        self.providers: dict = {}
        self.resource_values: list = []  # every ResourceValue, for the model
        root.instances.append(self)
        for block in config.providers:
            alias = block.body.attributes.get("alias")
            alias_text = None
            if alias is not None:
                alias_value = evaluate(alias.expr, Scope(lambda n: Invalid("alias must be a literal"),
                                                         root.read, block.file.display))
                alias_text = alias_value if isinstance(alias_value, str) else None
            local = block.labels[0] + (f".{alias_text}" if alias_text else "")
            key = local if parent is None else f"{address}.{local}"
            self.providers[local] = ProviderConfig(root, key, block, self)
        if call is not None and parent is not None and "providers" in call.body.attributes:
            mapping = call.body.attributes["providers"].expr
            for key_node, value_node in getattr(mapping, "items", []):
                local, given = traversal_text(key_node), traversal_text(value_node)
                if local and given:
                    self.providers.setdefault(local, parent.provider(given))

    # names
    @property
    def where(self) -> str:
        return self.config.display

    def label(self, address: str) -> str:
        return f"{self.root.label}{address}"

    def scope(self, display: str) -> Scope:
        found = self._scopes.get(display)
        if found is None:
            found = Scope(self.lookup, self.root.read, display)
            self._scopes[display] = found
        return found

    def lookup(self, name: str) -> Any:
        if name == "var":
            return _Namespace(self.var, f"var of {self.where}")
        if name == "local":
            return _Namespace(self.local, f"local of {self.where}")
        if name == "module":
            return _Namespace(self.module_value, f"module of {self.where}")
        if name == "data":
            return _Namespace(lambda rtype: _Namespace(lambda n: self.resource_value(rtype, n, True),
                                                       f"data.{rtype}"), "data")
        if name == "path":
            return {"module": self._path_module(), "root": ".", "cwd": str(self.root.folder.absolute())}
        if name == "terraform":
            workspace = getattr(self.root.spec, "workspace", None)
            root = self.root.display(self.root.folder) or "."
            return {"workspace": workspace if isinstance(workspace, str) else Unknown(
                f"terraform.workspace is chosen when Terraform runs: give it in the deployment map ([[stacks]] "
                f'template = "{root}", workspace = "...")')}
        if name in ("count", "each", "self"):
            return Invalid(f"{name} is not available here ({self.where})")
        if "_" in name:
            return _Namespace(lambda n: self.resource_value(name, n, False), name)
        return Invalid(f"unknown name {name!r} in module folder {self.where}")

    def _path_module(self) -> str:
        try:
            rel = os.path.relpath(self.config.folder, self.root.folder)
        except ValueError:
            rel = str(self.config.folder)
        return rel.replace(os.sep, "/")

    # variables, locals, outputs
    def var(self, name: str) -> Any:
        return self.root.memo(("var", self.address, name), lambda: self._var(name))

    def _var(self, name: str) -> Any:
        decl = self.config.variables.get(name)
        if self.parent is None:
            if name in self.root.given:
                return _convert(self.root.given[name], decl)
        elif self.call is not None and name in self.call.body.attributes and name not in META:
            attribute = self.call.body.attributes[name]
            value = evaluate(attribute.expr, self.parent.scope(self.call.file.display).child(self.call_names))
            return _convert(value, decl)
        if decl is None:
            where = self.where
            text = f"variable {name} is not declared in module folder {where} (is a .tf file missing from the inputs?)"
            if self.parent is None:
                text += (f"; give its value in the deployment map ([[stacks]] template = \"{where}\", "
                         f"parameters = {{{name} = ...}})")
            return Unknown(text)
        default = decl.body.attributes.get("default")
        if default is not None:
            return _convert(evaluate(default.expr, Scope(
                lambda n: Invalid(f"a variable default cannot refer to {n}"), self.root.read, decl.file.display)),
                decl)
        if self.parent is None:
            return Unknown(f"variable {name} of module folder {self.where} has no value: give it in the deployment "
                           f"map ([[stacks]] template = \"{self.where}\", parameters = {{{name} = ...}}) or a "
                           ".tfvars file")
        return Unknown(f"module call {self.address} ({self.call.file.display}:{self.call.line}) gives no value for "
                       f"variable {name} of module folder {self.where}, which has no default")

    def local(self, name: str) -> Any:
        def compute():
            found = self.config.locals.get(name)
            if found is None:
                return Unknown(f"local.{name} is not declared in module folder {self.where} (is a .tf file missing "
                               "from the inputs?)")
            attribute, display = found
            return evaluate(attribute.expr, self.scope(display))
        return self.root.memo(("local", self.address, name), compute)

    def output(self, name: str) -> Any:
        def compute():
            block = self.config.outputs.get(name)
            if block is None:
                return Unknown(f"output {name} is not declared in module folder {self.where} (is a .tf file missing "
                               "from the inputs?)")
            value = block.body.attributes.get("value")
            return evaluate(value.expr, self.scope(block.file.display)) if value is not None else None
        return self.root.memo(("output", self.address, name), compute)

    # providers
    def provider(self, key: str) -> ProviderConfig:
        found = self.providers.get(key)
        if found is not None:
            return found
        if self.parent is not None and key == "aws":
            found = self.parent.provider(key)  # default configurations are inherited by child modules
        else:
            # an aliased configuration that is neither declared nor passed, or the implicit empty default
            full = key if self.parent is None else f"{self.address}.{key}"
            found = ProviderConfig(self.root, full, None, self)
        self.providers[key] = found
        return found

    # resources and data sources
    def resource_value(self, rtype: str, name: str, data: bool) -> Any:
        return self.root.memo(("resource", self.address, "data" if data else "managed", rtype, name),
                              lambda: self._expand_resource(rtype, name, data))

    def _expand_resource(self, rtype: str, name: str, data: bool) -> Any:
        table = self.config.data if data else self.config.resources
        block = table.get(f"{rtype}.{name}")
        base = f"{self.address + '.' if self.address else ''}{'data.' if data else ''}{rtype}.{name}"
        if block is None:
            return Unknown(f"{base} is not declared in module folder {self.where} (is a .tf file missing from the "
                           "inputs?)")

        def make(key: Any, names: dict) -> "ResourceValue":
            value = ResourceValue(self, block, data, base + _index_text(key), names)
            self.resource_values.append(value)
            return value
        return self._expand(block, base, make)

    def _expand(self, block: s.Block, base: str, make: Callable[[Any, dict], Any]) -> Any:
        """One object, a list (``count``) or a map (``for_each``) of what ``make`` builds per instance."""
        scope = self.scope(block.file.display)
        attrs = block.body.attributes
        if "count" in attrs:
            count = evaluate(attrs["count"].expr, scope)
            if isinstance(count, Unknown):
                self.root.notice(block.file.display, f"the count of {base} is not known ({count.reason}); its "
                                 "instances are not loaded")
                return Unknown(f"the count of {base} is not known: {count.reason}")
            if isinstance(count, bool) or not isinstance(count, (int, float)) or count < 0 or count != int(count):
                raise InputError(block.file.display, f"the count of {base} must be a whole number, not {count!r}",
                                 attrs["count"].line, attrs["count"].col)
            if count > 1000:
                raise InputError(block.file.display, f"the count of {base} is {int(count)}, more than pipelint "
                                 "expands (1000)", attrs["count"].line, attrs["count"].col)
            return [make(i, {"count": {"index": i}}) for i in range(int(count))]
        if "for_each" in attrs:
            each = evaluate(attrs["for_each"].expr, scope)
            if isinstance(each, Lazy):
                each = each.materialize()
            if isinstance(each, Unknown):
                self.root.notice(block.file.display, f"the for_each of {base} is not known ({each.reason}); its "
                                 "instances are not loaded")
                return Unknown(f"the for_each of {base} is not known: {each.reason}")
            if isinstance(each, list):
                keys = [to_text(k) for k in each]
                if any(k is None for k in keys):
                    raise InputError(block.file.display, f"the for_each of {base} must be a map or a set of strings",
                                     attrs["for_each"].line, attrs["for_each"].col)
                each = {k: k for k in keys}
            if not isinstance(each, dict):
                raise InputError(block.file.display, f"the for_each of {base} must be a map or a set of strings",
                                 attrs["for_each"].line, attrs["for_each"].col)
            return {k: make(k, {"each": {"key": k, "value": v}}) for k, v in sorted(each.items())}
        return make(None, {})

    # module calls
    def module_value(self, name: str) -> Any:
        return self.root.memo(("module", self.address, name), lambda: self._expand_call(name))

    def _expand_call(self, name: str) -> Any:
        block = self.config.calls.get(name)
        base = f"{self.address + '.' if self.address else ''}module.{name}"
        if block is None:
            return Unknown(f"{base} is not declared in module folder {self.where} (is a .tf file missing from the "
                           "inputs?)")
        folder, why = self._source(block, base)

        def make(key: Any, names: dict) -> Any:
            address = base + _index_text(key)
            if folder is None:
                return _Unreachable(address, why)
            if self.depth >= MAX_MODULE_DEPTH:
                self.root.notice(block.file.display, f"{address} nests modules more than {MAX_MODULE_DEPTH} deep; "
                                 "not loaded")
                return _Unreachable(address, f"modules nest more than {MAX_MODULE_DEPTH} deep at {address}")
            child = ModuleInstance(self.root, self.root.config(folder), address, self, block, names, self.depth + 1)
            return ModuleValue(child)
        return self._expand(block, base, make)

    def _source(self, block: s.Block, base: str) -> tuple[Path | None, str]:
        attribute = block.body.attributes.get("source")
        source = None
        if attribute is not None and isinstance(attribute.expr, s.Template) and all(
                isinstance(p, str) for p in attribute.expr.parts):
            source = "".join(attribute.expr.parts)
        display = block.file.display
        if source is None:
            raise InputError(display, f"{base} needs a source given as a literal string",
                             block.line, block.col)
        if not source.startswith(("./", "../", ".\\", "..\\")):
            why = (f"{base} comes from {source}, which pipelint does not fetch: lint the JSON of a terraform plan "
                   "to see its resources")
            self.root.notice(display, why)
            return None, why
        folder = Path(os.path.normpath(self.config.folder / source))
        if not tf_files(folder):
            why = f"{base}: its source {source} (folder {self.root.display(folder)}) holds no .tf file among the inputs"
            self.root.notice(display, why)
            return None, why
        return folder, ""

    # walking
    def expand_all(self) -> None:
        """Instantiate every resource, data source and module call of this module, recursively."""
        for key in self.config.resources:
            rtype, name = key.split(".", 1)
            self.resource_value(rtype, name, False)
        for key in self.config.data:
            rtype, name = key.split(".", 1)
            self.resource_value(rtype, name, True)
        for name in self.config.calls:
            value = self.module_value(name)
            children = value if isinstance(value, list) else list(value.values()) if isinstance(value, dict) else [value]
            for child in children:
                if isinstance(child, ModuleValue):
                    child.instance.expand_all()


def _index_text(key: Any) -> str:
    if key is None:
        return ""
    if isinstance(key, int):
        return f"[{key}]"
    return f'["{key}"]'


def _with_defaults(value: Any, kind: s.Node | None) -> Any:
    """``value`` shaped by a type constraint's ``optional(type, default)`` attributes: an object that
    leaves one out gets its default (or null), as Terraform converts it (Type Constraints, "Optional
    Object Type Attributes"); also inside ``map(...)``/``list(...)``/``set(...)`` of objects."""
    if not isinstance(kind, s.Call) or isinstance(value, Unknown) or value is None:
        return value
    if kind.name in ("map", "list", "set") and len(kind.args) == 1:
        if isinstance(value, dict):
            return {k: _with_defaults(v, kind.args[0]) for k, v in value.items()}
        if isinstance(value, list):
            return [_with_defaults(v, kind.args[0]) for v in value]
        return value
    if kind.name == "object" and len(kind.args) == 1 and isinstance(kind.args[0], s.ObjectExpr) \
            and isinstance(value, dict):
        out = dict(value)
        for key_node, type_node in kind.args[0].items:
            key = key_node.name if isinstance(key_node, s.Name) else None
            if key is None:
                continue
            if key not in out and isinstance(type_node, s.Call) and type_node.name == "optional":
                default = type_node.args[1] if len(type_node.args) > 1 else None
                out[key] = evaluate(default, Scope(lambda n: Invalid(f"a type default cannot refer to {n}"),
                                                   lambda p: Invalid("a type default cannot read files"), "")) \
                    if default is not None else None
            inner = type_node.args[0] if isinstance(type_node, s.Call) and type_node.name == "optional" \
                and type_node.args else type_node
            if key in out:
                out[key] = _with_defaults(out[key], inner)
        return out
    return value


def _convert(value: Any, decl: s.Block | None) -> Any:
    """A value for a variable of a primitive ``type``: numbers and bools from strings and back; objects
    completed with their optional attributes' defaults."""
    if decl is None or isinstance(value, Unknown) or value is None:
        return value
    kind = decl.body.attributes.get("type")
    if kind is not None and isinstance(kind.expr, s.Call):
        return _with_defaults(value, kind.expr)
    name = kind.expr.name if kind is not None and isinstance(kind.expr, s.Name) else None
    if name == "string" and not isinstance(value, str):
        text = to_text(value)
        return text if text is not None else value
    if name == "number" and isinstance(value, str):
        try:
            number = float(value)
            return int(number) if number.is_integer() else number
        except ValueError:
            return Invalid(f"variable {decl.labels[0]} must be a number, not {value!r}")
    if name == "bool" and value in ("true", "false"):
        return value == "true"
    return value


class _Namespace(Lazy):
    """``var``, ``local``, ``module``, ``data.TYPE``, a resource type: attributes looked up by name."""

    def __init__(self, lookup: Callable[[str], Any], what: str):
        self.lookup, self.what = lookup, what

    def get_attr(self, name: str) -> Any:
        return self.lookup(name)

    def describe(self) -> str:
        return self.what


class ModuleValue(Lazy):
    def __init__(self, instance: ModuleInstance):
        self.instance = instance

    def get_attr(self, name: str) -> Any:
        return self.instance.output(name)

    def materialize(self) -> Any:
        return {name: self.instance.output(name) for name in sorted(self.instance.config.outputs)}

    def describe(self) -> str:
        return self.instance.address


class _Unreachable(Lazy):
    """A module pipelint cannot load (a registry or git source, a folder not among the inputs)."""

    def __init__(self, address: str, why: str):
        self.address, self.why = address, why

    def get_attr(self, name: str) -> Any:
        return Unknown(f"{self.address}.{name}: {self.why}")

    def materialize(self) -> Any:
        return Unknown(self.why)

    def describe(self) -> str:
        return self.address


# -- resource instances ----------------------------------------------------------------------------

class ResourceValue(Lazy):
    """One instance of a ``resource`` or ``data`` block: its arguments evaluated on demand, its computed
    attributes from :mod:`~pipelint.loaders.terraform.attributes`, its provider's account and region."""

    def __init__(self, instance: ModuleInstance, block: s.Block, data: bool, address: str, names: dict):
        self.instance, self.block, self.data = instance, block, data
        self.type, self.name = block.labels
        self.address = address
        self.names = names
        self.display = block.file.display
        self._scope: Scope | None = None

    @property
    def root(self) -> Root:
        return self.instance.root

    @property
    def scope(self) -> Scope:
        if self._scope is None:
            self._scope = self.instance.scope(self.display).child(self.names)
        return self._scope

    def describe(self) -> str:
        return self.address

    # provider
    def provider(self) -> ProviderConfig:
        attribute = self.block.body.attributes.get("provider")
        key = traversal_text(attribute.expr) if attribute is not None else None
        return self.instance.provider(key or self.type.split("_", 1)[0])

    @property
    def account(self) -> Any:
        return self.provider().account()

    @property
    def region(self) -> Any:
        return self.provider().region()

    def generated(self) -> str:
        return self.root.physical_id(self.address) or f"⟨tf:{self.instance.label(self.address)}⟩"

    # arguments
    def arg(self, name: str) -> Any:
        attribute = self.block.body.attributes.get(name)
        if attribute is None or name in META:
            return None
        return self.root.memo(("arg", self.address, name), lambda: evaluate(attribute.expr, self.scope))

    def values(self) -> PosDict:
        """Every argument and nested block, evaluated (nested blocks as lists of objects)."""
        return self.root.memo(("values", self.address), lambda: evaluate_body(self.block, self.scope, self.root,
                                                                              self.address))

    def get_attr(self, name: str) -> Any:
        return self.root.memo(("attr", self.address, name), lambda: self._identify(name, self._attribute(name)))

    def _identify(self, name: str, value: Any) -> Any:
        if name in IDENTIFIERS and isinstance(value, Unknown) and not isinstance(value, (Invalid, UnknownOf)) \
                and not self.data:
            return UnknownOf(value.reason, value.shape, self.instance.label(self.address))
        return value

    def _attribute(self, name: str) -> Any:
        if self.data:
            from pipelint.loaders.terraform.data_sources import attribute

            return attribute(self, name)
        found = attributes.computed(self, name)
        if found is not attributes.NOT_COMPUTED:
            return found
        if name in self.block.body.attributes and name not in META:
            return self.arg(name)
        if any(b.type == name or (b.type == "dynamic" and b.labels[:1] == [name]) for b in self.block.body.blocks):
            return self.values().get(name, [])
        return Unknown(f"{self.address}.{name} is known only after apply")

    def materialize(self) -> Any:
        out = dict(self.values())
        for name in ("id", "arn", "name"):
            found = self.get_attr(name)
            if name not in out or not isinstance(found, Unknown):
                out[name] = found
        return out


def evaluate_body(block: s.Block, scope: Scope, root: Root, address: str) -> PosDict:
    """A block's arguments and nested blocks as data; ``dynamic`` blocks expanded."""
    out = PosDict()
    out.pos = (block.file.display if block.file else scope.display, block.line, block.col)
    for name, attribute in block.body.attributes.items():
        if name in META and block.type in ("resource", "data", "module"):
            continue
        out[name] = evaluate(attribute.expr, scope)
    for nested in block.body.blocks:
        if nested.type in SKIPPED_BLOCKS:
            continue
        name = nested.labels[0] if nested.type == "dynamic" and nested.labels else nested.type
        if name in block.body.attributes:
            raise InputError(nested.file.display if nested.file else scope.display,
                             f"{name} is set both as an argument (line {block.body.attributes[name].line}) and as a "
                             "block", nested.line, nested.col)
        if nested.type == "dynamic" and nested.labels:
            _dynamic(nested, scope, root, address, out)
            continue
        out.setdefault(nested.type, []).append(evaluate_body(nested, scope, root, address))
    return out


def _dynamic(block: s.Block, scope: Scope, root: Root, address: str, out: dict) -> None:
    name = block.labels[0]
    target = out.setdefault(name, [])
    attrs = block.body.attributes
    content = next((b for b in block.body.blocks if b.type == "content"), None)
    display = block.file.display if block.file else scope.display
    if content is None or "for_each" not in attrs:
        raise InputError(display, f"dynamic \"{name}\" needs for_each and a content block", block.line, block.col)
    iterator = name
    if "iterator" in attrs:
        iterator = traversal_text(attrs["iterator"].expr) or name
    each = evaluate(attrs["for_each"].expr, scope)
    if isinstance(each, Lazy):
        each = each.materialize()
    if isinstance(each, Unknown):
        root.notice(display, f"the for_each of dynamic \"{name}\" in {address} is not known ({each.reason}); "
                    f"those {name} blocks are not seen")
        target.append(Unknown(f"the {name} blocks of {address} are not known: {each.reason}"))
        return
    if isinstance(each, list):
        pairs = list(enumerate(each))
    elif isinstance(each, dict):
        pairs = sorted(each.items(), key=lambda item: item[0])
    else:
        raise InputError(display, f"the for_each of dynamic \"{name}\" must be a collection", block.line, block.col)
    for key, value in pairs:
        inner = scope.child({iterator: {"key": key, "value": value}})
        target.append(evaluate_body(content, inner, root, address))
