"""Terraform configurations (``.tf`` folders) and plans into the model.

A folder of ``.tf`` files among the inputs is a module. A module that another input folder calls
(``module "x" { source = "./modules/target" }``) is loaded through that call; the others are root
modules, each deployed once per ``[[stacks]]`` entry naming its folder (or once, with what its
providers and tfvars say). Modules are evaluated by :mod:`.modules`, resources become model objects in
:mod:`.resources`, and ``# pipelint: ignore`` comments become suppressions here. Plans
(``terraform show -json``) are read by :mod:`.plan`.

This package imports python-hcl2 (and Lark) only when it parses a ``.tf`` file: a run without
Terraform inputs never loads them.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any, Callable

from pipelint.errors import InputError
from pipelint.loaders.terraform import syntax as s
from pipelint.model import Notice, Source, Suppression, World
from pipelint.values import Unknown


def _given(folder: Path, spec: Any, display: Callable[[Path], str], world: World) -> dict:
    """Variable values of a root module, lowest precedence first: terraform.tfvars(.json),
    *.auto.tfvars(.json) in lexical order, the map's var-files, the map's parameters."""
    from pipelint.loaders.documents import load_document

    files = [folder / "terraform.tfvars", folder / "terraform.tfvars.json"]
    try:
        names = sorted(p.name for p in folder.iterdir())
    except OSError:
        names = []
    files += [folder / n for n in names if n.endswith((".auto.tfvars", ".auto.tfvars.json"))]
    files += list(getattr(spec, "var_files", []) or [])
    values: dict = {}
    for path in files:
        if not path.is_file():
            if path in (getattr(spec, "var_files", []) or []):
                raise InputError(display(path), "the deployment map names this var-file, but it does not exist")
            continue
        shown = display(path)
        world.files.append(shown)
        if path.name.endswith(".json"):
            data = load_document(path, display=shown).data
            if not isinstance(data, dict):
                raise InputError(shown, "a .tfvars.json file must hold a JSON object of variable values", 1, 1)
            values.update(data)
            continue
        hcl = s.parse_file(path, shown)
        if hcl.body.blocks:
            block = hcl.body.blocks[0]
            raise InputError(shown, "a .tfvars file holds only variable = value lines, not blocks", block.line, block.col)
        from pipelint.loaders.terraform.expressions import Scope, evaluate
        from pipelint.loaders.terraform.values import Invalid

        scope = Scope(lambda name: Invalid(f"a .tfvars value cannot refer to {name} ({shown})"),
                      lambda p: Invalid(f"a .tfvars value cannot read files ({shown})"), shown)
        for name, attribute in hcl.body.attributes.items():
            values[name] = evaluate(attribute.expr, scope)
    values.update(getattr(spec, "values", None) or {})
    return values


def _calls(config) -> list[Path]:
    """Folders of the local modules a configuration calls."""
    import os

    found = []
    for block in config.calls.values():
        source = block.body.attributes.get("source")
        if source is None or not isinstance(source.expr, s.Template):
            continue
        text = "".join(p for p in source.expr.parts if isinstance(p, str))
        if text.startswith(("./", "../", ".\\", "..\\")):
            found.append(Path(os.path.normpath(config.folder / text)).resolve())
    return found


def load(folders: list[Path], config: Any, world: World, pending: list,
         display: Callable[[Path], str]) -> tuple[set, dict]:
    """Load every module folder among the inputs. Returns the files ``file()`` read (not inputs of their
    own), and what each root module declares for the deployment map's check
    (:class:`~pipelint.loaders.deployment_map.Declared`: variables, resource addresses)."""
    from pipelint.loaders.terraform import modules

    configs: dict = {}
    files_read: set = set()
    for folder in folders:
        key = folder.resolve()
        if key not in configs:
            configs[key] = modules.load_config(folder, display, world.notices)
    called = set()
    pending_calls = list(configs.values())
    seen = set(configs)
    while pending_calls:  # a called module's own calls count too
        current = pending_calls.pop()
        for target in _calls(current):
            called.add(target)
            if target not in seen and modules.tf_files(target):
                seen.add(target)
                try:
                    pending_calls.append(modules.load_config(target, display, world.notices))
                    configs.setdefault(target, pending_calls[-1])
                except InputError:
                    raise
    roots = [c for key, c in configs.items() if key not in called and key in {f.resolve() for f in folders}]
    for spec in config.stacks:
        if spec.template.resolve() in called and spec.template.resolve() in configs:
            world.notices.append(Notice(display(spec.template), "the deployment map names this folder, but it is a "
                                        "module another input calls; its [[stacks]] entry applies to root modules only"))
    deployments = [(c, spec, n) for c in roots
                   for n, spec in enumerate(config.stacks_for(c.folder) or [None], start=1)]
    old_limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(old_limit, 6000))
    declared: dict = {}
    try:
        for config_, spec, n in deployments:
            label = f"{config_.display}#{n}:" if len(deployments) > 1 else ""
            root = _deploy(config_, spec, label, configs, world, pending, display, files_read)
            declared[config_.folder] = _declared(root, declared.get(config_.folder))
            _check_providers(root, spec, config)
    except RecursionError:
        raise InputError(display(roots[0].folder) if roots else "(terraform)",
                         "the Terraform configuration nests references too deeply to evaluate") from None
    finally:
        sys.setrecursionlimit(old_limit)
    for config_ in configs.values():
        for hcl in config_.files:
            world.files.append(hcl.display)
    return files_read, declared


def _variables_used(config_) -> set:
    """``var.NAME`` references of a module's files: a root module that uses a variable its files do not
    declare (a variables.tf missing from the inputs) still takes the map's value for it."""
    found: set = set()
    stack: list = [hcl.body for hcl in config_.files]
    while stack:
        item = stack.pop()
        if isinstance(item, s.Body):
            stack.extend(a.expr for a in item.attributes.values())
            stack.extend(b.body for b in item.blocks)
        elif isinstance(item, s.GetAttr) and isinstance(item.obj, s.Name) and item.obj.name == "var":
            found.add(item.name)
        elif isinstance(item, s.Node):
            stack.extend(v for v in vars(item).values() if isinstance(v, (s.Node, list, tuple)))
        elif isinstance(item, (list, tuple)):
            stack.extend(item)
    return found


def _declared(root, before):
    from pipelint.loaders.deployment_map import Declared

    config_ = root.instances[0].config
    variables = set(config_.variables) | _variables_used(config_)
    addresses = {rv.address for instance in root.instances for rv in instance.resource_values}
    if before is not None:
        addresses |= set(before.resources)
    return Declared(f"the root module {config_.display} (its variables and resource addresses)",
                    tuple(sorted(variables)), tuple(sorted(addresses)))


def _check_providers(root, spec, config) -> None:
    """A ``providers`` entry of the map that names no provider configuration would land nowhere."""
    if spec is None or not getattr(spec, "providers", None):
        return
    known = {p.key for instance in root.instances for p in instance.providers.values()}
    for key in spec.providers:
        if key not in known:
            listed = ", ".join(sorted(known)) or "none"
            raise InputError(str(config.path), f'[[stacks]] template = "{root.display(root.folder) or "."}": '
                             f'providers "{key}" is no provider configuration of that root module (it has: '
                             f"{listed})")


def _deploy(config_, spec, label: str, configs: dict, world: World, pending: list, display, files_read: set) -> None:
    from pipelint.loaders.terraform import modules, resources

    given = _given(config_.folder, spec, display, world)
    root = modules.Root(config_.folder, display, spec, given, world.notices, configs, files_read, label)
    top = modules.ModuleInstance(root, config_, "", None)
    top.expand_all()
    blocks: dict = {}  # id(block) -> resource addresses of its instances
    for instance in root.instances:
        for rv in instance.resource_values:
            blocks.setdefault(id(rv.block), []).append(rv.instance.label(rv.address))
            if not rv.data and rv.type in resources.HANDLED:
                resources.load(HclRecord(rv), world, pending)
        if instance.call is not None:
            under = [instance.label(rv.address) for inner in root.instances if _within(inner, instance)
                     for rv in inner.resource_values]
            blocks.setdefault(id(instance.call), []).extend(under)
    world.suppressions.extend(comment_suppressions(root, blocks))
    return root


def _within(inner, outer) -> bool:
    while inner is not None:
        if inner is outer:
            return True
        inner = inner.parent
    return False


class HclRecord:
    """A resource instance of a ``.tf`` configuration as :class:`.resources.Record`."""

    def __init__(self, rv):
        self.rv = rv
        self.type = rv.type
        self.address = rv.instance.label(rv.address)
        self.key = self.address
        self.values = rv.values()

    @property
    def account(self) -> Any:
        return self.rv.account

    @property
    def region(self) -> Any:
        given = self.rv.arg("region")
        if isinstance(given, str) or isinstance(given, Unknown):
            return given  # AWS provider 6: a resource's own region overrides its provider's
        return self.rv.region

    def attr(self, name: str) -> Any:
        return self.rv.get_attr(name)

    def source(self, sub: tuple = (), value: Any = None) -> Source:
        pos = getattr(value, "pos", None)
        if pos is None and sub and sub[0] in self.rv.block.body.attributes:
            attribute = self.rv.block.body.attributes[sub[0]]  # the argument's own line (policy = ...)
            pos = (self.rv.display, attribute.line, attribute.col)
        pos = pos or self.values.pos
        return Source(pos[0], (self.address, *sub), pos[1], pos[2])

    def origin(self, name: str) -> tuple | None:
        attribute = self.rv.block.body.attributes.get(name)
        if attribute is None or not isinstance(attribute.expr, s.Template):
            return None
        return (self.rv.display, attribute.expr.line if attribute.expr.heredoc else attribute.expr.line - 1)


# -- suppressions in comments ----------------------------------------------------------------------

_IGNORE = re.compile(r"^(?:#|//|/\*)\s*pipelint:\s*ignore\b(.*?)(?:\*/)?\s*$", re.IGNORECASE)
_RULE = re.compile(r"^PL\d{0,3}$", re.IGNORECASE)


def parse_comment(text: str) -> tuple[list, str | None] | None:
    """``# pipelint: ignore PL301,PL302 reason`` -> (["PL301", "PL302"], "reason"); None for other comments."""
    match = _IGNORE.match(text.strip())
    if match is None:
        return None
    words = match.group(1).replace(",", " , ").split()
    rules, rest = [], []
    for i, word in enumerate(words):
        if word == ",":
            continue
        if _RULE.match(word) and not rest:
            rules.append(word.upper())
        else:
            rest = [w for w in words[i:]]
            break
    reason = " ".join(rest).strip(" -:—") or None
    return rules, reason


def comment_suppressions(root, blocks: dict) -> list:
    """``# pipelint: ignore`` comments of every file the root evaluated: on or directly above a resource,
    data or module block (covering its instances), else for the whole file."""
    found = []
    seen_files = set()
    for instance in root.instances:
        for hcl in instance.config.files:
            if id(hcl) in seen_files:
                continue
            seen_files.add(id(hcl))
            comment_lines = {line for line, _ in hcl.comments}
            top = [b for b in hcl.body.blocks if b.type in ("resource", "data", "module")]
            for line, text in hcl.comments:
                parsed = parse_comment(text)
                if parsed is None:
                    continue
                rules, reason = parsed
                if not rules:
                    raise InputError(hcl.display, "a pipelint: ignore comment needs a rule id such as PL302", line, 1)
                block = next((b for b in top if b.line <= line <= b.end_line), None)
                if block is None:
                    block = next((b for b in top if b.line > line
                                  and all(k in comment_lines for k in range(line + 1, b.line))), None)
                for rule in rules:
                    where = Source(hcl.display, ("comment",), line, 1)
                    if block is None:
                        found.append(Suppression(rule, hcl.display, (), reason, where))
                    else:
                        prefixes = tuple(sorted({(a,) for a in blocks.get(id(block), [])}))
                        found.append(Suppression(rule, hcl.display, (), reason, where, prefixes=prefixes,
                                                 span=(block.line, block.end_line)))
    return found
