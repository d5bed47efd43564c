"""Loaders: every input file into one :class:`~pipelint.model.World`.

``load_world`` walks the inputs, recognises each file by its content (CloudFormation template, pipeline
JSON, policy file, pipelint snapshot, CDK cloud assembly, Terraform plan JSON) and each folder of
``.tf`` files as a Terraform module, loads them, then links what refers across files. Loaders know file
formats and nothing of rules.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path

from pipelint.config import Config, forget_resolved, resolved
from pipelint.errors import EmptyInput, InputError, UsageError
from pipelint.model import Notice, Source, World
from pipelint.records import replace
from pipelint.values import Unknown

TEXT_SUFFIXES = {".json", ".yaml", ".yml", ".template"}
TFVARS_SUFFIXES = (".tfvars", ".tfvars.json")
SKIP_DIRS = {"node_modules", "__pycache__", ".git", ".venv", "venv", ".terraform"}


def display_path(path: Path) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)


def _is_module(folder: Path) -> bool:
    try:
        return any(n.endswith(".tf") and (folder / n).is_file() for n in os.listdir(folder))
    except OSError:
        return False


def collect(inputs: Iterable[Path], world: World, outputs: Mapping[tuple[int, int], str] | None = None
            ) -> tuple[list[Path], list[Path], list[Path]]:
    """(files, cdk assemblies, Terraform module folders) below ``inputs``; symlinked folders are not
    followed (no loops). A ``.tf`` or ``.tfvars`` file stands for its folder.

    ``outputs``: the files the report goes to, by (device, inode), with what writes them (``--output``,
    standard output): never inputs. They are left out (see :func:`_refuse_input_as_output`)."""
    from pipelint.loaders import cdk

    files: dict[Path, Path] = {}
    assemblies: dict[Path, Path] = {}
    modules: dict[Path, Path] = {}

    def terraform(path: Path) -> None:
        if _is_module(path.parent):
            modules.setdefault(path.parent.resolve(), path.parent)
        else:
            world.notices.append(Notice(display_path(path), "a .tfvars file outside a folder of .tf files; skipped"))
    written: dict[Path, str] = {}

    def add(path: Path) -> None:
        if outputs:
            info = path.stat()
            what = outputs.get((info.st_dev, info.st_ino))
            if what is not None:
                written.setdefault(path, what)
                return
        files.setdefault(resolved(path), path)

    for given in inputs:
        if not given.exists():
            if given.is_symlink():
                raise UsageError(f"{given}: a symbolic link that leads nowhere (dangling, or a loop)")
            raise UsageError(f"{given}: no such file or folder")
        if not given.is_file() and not given.is_dir():
            raise UsageError(f"{given}: not a regular file or folder (a pipe, socket or device); "
                             "name a template, a folder or a cdk.out")
        if given.is_file():
            if cdk.is_assembly(given.parent):
                # its manifest or one of its templates: the assembly gives the stacks their environments
                assemblies.setdefault(given.parent.resolve(), given.parent)
            elif given.suffix == ".tf" or given.name.endswith(TFVARS_SUFFIXES):
                terraform(given)
            else:
                add(given)
            continue
        for folder, dirs, names in os.walk(given):
            here = Path(folder)
            if cdk.is_assembly(here):
                assemblies.setdefault(here.resolve(), here)
                dirs[:] = []
                continue
            dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in SKIP_DIRS)
            for name in sorted(names):
                path = here / name
                if (path.suffix == ".tf" or name.endswith(TFVARS_SUFFIXES)) and path.is_file():
                    terraform(path)
                elif path.suffix in TEXT_SUFFIXES and path.is_file():
                    add(path)
    for path, what in written.items():
        _refuse_input_as_output(path, what)
    return list(files.values()), list(assemblies.values()), list(modules.values())


def _is_plan(data: object) -> bool:
    """``terraform show -json PLANFILE`` output (JSON Output Format: format_version, planned_values)."""
    return isinstance(data, dict) and "format_version" in data and "terraform_version" in data and (
        "planned_values" in data or "resource_changes" in data)


def _refuse_input_as_output(path: Path, what: str) -> None:
    """The report's file is left out of the inputs silently: it is pipelint's own output (``> out.json``
    creates it empty before pipelint starts, ``--output`` rewrites last run's report). One that holds a
    real input (a template, pipeline, policy or snapshot) is refused: pipelint never writes to its
    inputs, and the report would replace it."""
    from pipelint.loaders import cloudformation, pipeline_json, policy_files, snapshot
    from pipelint.loaders.documents import load_document

    try:
        data = load_document(path, display=display_path(path)).data
    except InputError:
        return  # empty, or not JSON/YAML: not an input
    kinds = (("a CloudFormation template", cloudformation.is_template), ("a pipelint snapshot", snapshot.is_snapshot),
             ("pipeline JSON", pipeline_json.is_pipeline), ("a policy file", policy_files.is_policy_file))
    for kind, test in kinds:
        if test(data):
            raise UsageError(f"{display_path(path)}: the report would go into this input ({kind}) through "
                             f"{what}; pipelint never writes to its inputs: write the report elsewhere")


def load_world(inputs: Iterable[Path], config: Config,
               outputs: Mapping[tuple[int, int], str] | None = None) -> World:
    """The world of ``inputs``; ``outputs`` are the report's files, never inputs (see :func:`collect`)."""
    from pipelint.loaders import cdk, cloudformation, deployment_map
    from pipelint.loaders.documents import load_document
    from pipelint.loaders.linking import link

    forget_resolved()
    world = World(org_id=config.org_id, our_accounts=tuple(config.accounts))
    files, assemblies, modules = collect(inputs, world, outputs)
    mapped = deployment_map.MapCheck(config)
    if config.organization or any("aws-managed" in entry for entry in config.policies):
        from pipelint.loaders import organizations

        where = display_path(config.path) if config.path else "(configuration)"
        organizations.configure(world, config.organization, where)
        for entry in config.policies:
            if "aws-managed" in entry:
                organizations.aws_managed(world, organizations.KINDS[entry["kind"]], entry["aws-managed"],
                                          entry["targets"], Source(where, ("policies",)))
    exports = cloudformation.Exports()
    stacks = []
    pending: list = []
    uids: dict[str, int] = {}

    def uid_for(path: Path, account: object, region: object) -> str:
        base = path.name.split(".")[0]
        if isinstance(account, str) and isinstance(region, str):
            base = f"{base}@{account}.{region}"
        uids[base] = uids.get(base, 0) + 1
        return base if uids[base] == 1 else f"{base}~{uids[base]}"

    for assembly in assemblies:
        for template, account, region, name in cdk.stacks(assembly, display_path):
            document = load_document(template, display=display_path(template))
            if not isinstance(document.data, dict):
                raise InputError(document.path, "the cloud assembly names this file as a stack template, but "
                                 "it is not a CloudFormation template (a JSON object)", 1, 1)
            world.files.append(document.path)
            mapped.declares(template, replace(deployment_map.template(document.data), single=True))
            parameters, physical_ids, ssm, imports = {}, {}, config.ssm, {}
            for spec in config.stacks_for(template)[:1]:
                # the manifest gives the environment; the map adds what a cloud assembly cannot say
                parameters, physical_ids, name = spec.parameters, spec.physical_ids, spec.stack_name or name
                imports = spec.imports
                ssm = config.ssm_for(spec)
                for what, ours, theirs in (("account", account, spec.account), ("region", region, spec.region)):
                    if isinstance(ours, str) and theirs and theirs != ours:
                        world.notices.append(Notice(document.path, f"the deployment map's {what} {theirs} differs "
                                                    f"from the cloud assembly's {ours}; the manifest's is used"))
                account = account if isinstance(account, str) else spec.account or account
                region = region if isinstance(region, str) else spec.region or region
            stacks.append(cloudformation.make_stack(document, account, region, name, parameters, exports,
                                                    uid_for(template, account, region), physical_ids, ssm, imports))
    read_by_terraform: set = set()
    if modules:  # python-hcl2 is imported only when there is Terraform to read
        from pipelint.loaders import terraform

        read_by_terraform, declared = terraform.load(modules, config, world, pending, lambda p: display_path(p))
        for folder, what in declared.items():
            mapped.declares(folder, what)
    for path in files:
        if path.name == "manifest.json" and cdk.is_assembly(path.parent):
            continue
        if resolved(path) in read_by_terraform:
            mapped.read_as(path, "a file a Terraform configuration reads")
            continue  # a policy file that a .tf file reads with file(): part of that configuration
        try:
            document = load_document(path, display=display_path(path))
        except EmptyInput as empty:  # e.g. `> out.json` inside the inputs: the shell made it, empty
            what = "empty file (only comments)" if "comments" in empty.message else "empty file"
            world.notices.append(Notice(empty.path, f"{what}; skipped"))
            continue
        world.files.append(document.path)
        data = document.data
        if cloudformation.is_template(data):
            mapped.declares(path, deployment_map.template(data))
            specs = config.stacks_for(path)
            if not specs:
                why = (f"{document.path} is not in the deployment map: add [[tool.pipelint.stacks]] "
                       f"template = \"{document.path}\" with account and region")
                stacks.append(cloudformation.make_stack(document, Unknown(why), Unknown(why), Unknown(why), {},
                                                        exports, uid_for(path, None, None), ssm=config.ssm))
            for spec in specs:
                name = spec.stack_name or Unknown(f"no stack-name for {document.path} in the deployment map")
                stacks.append(cloudformation.make_stack(document, spec.account or Unknown(
                    f"no account for {document.path} in the deployment map"), spec.region or Unknown(
                    f"no region for {document.path} in the deployment map"), name, spec.parameters, exports,
                    uid_for(path, spec.account, spec.region), spec.physical_ids, config.ssm_for(spec),
                    spec.imports))
        elif _is_snapshot(data):
            from pipelint.loaders import snapshot  # each loader is imported when a file needs it

            mapped.read_as(path, "a pipelint snapshot")
            snapshot.load(document, world)
        elif _is_pipeline(data):
            from pipelint.loaders import pipeline_json

            mapped.read_as(path, "pipeline JSON")
            bindings = config.binding_for("pipelines", path)
            pipeline_json.load(document, world, bindings[0] if bindings else None)
        elif _is_plan(data):
            from pipelint.loaders.terraform import plan

            specs = config.stacks_for(path)
            mapped.declares(path, plan.declared(data))
            plan.load(document, world, pending, specs[0] if specs else None)
        elif _organizations(data, path, config):
            from pipelint.loaders import organizations

            mapped.read_as(path, "an AWS Organizations output")
            organizations.load(document, world, config.binding_for("policies", path), config.listing_for(path))
        elif _is_policy_file(data):
            from pipelint.loaders import policy_files

            mapped.read_as(path, "a policy file")
            policy_files.load(document, world, config.binding_for("policies", path))
        else:
            mapped.read_as(path, "a file of no known kind (not a template, pipeline, policy or snapshot)")
            world.notices.append(Notice(document.path, "not a template, pipeline, policy or snapshot; skipped"))
    mapped.check()  # before the stacks are resolved: a map entry that misses is bad input
    for stack in stacks:
        cloudformation.register_exports(stack, exports)
    for stack in stacks:
        cloudformation.load_stack(stack, world, pending)
    link(world, pending)
    if world.organization is not None:
        from pipelint.loaders import organizations

        organizations.finish(world)
    return world


def _is_snapshot(data: object) -> bool:
    from pipelint.loaders import snapshot

    return snapshot.is_snapshot(data)


def _is_pipeline(data: object) -> bool:
    from pipelint.loaders import pipeline_json

    return pipeline_json.is_pipeline(data)


def _is_policy_file(data: object) -> bool:
    from pipelint.loaders import policy_files

    return policy_files.is_policy_file(data)


def _organizations(data: object, path: Path, config: Config) -> bool:
    """An ``aws organizations`` output (imported only when a file looks like one)."""
    if not isinstance(data, dict) or not any(k in data for k in (
            "Policy", "Organization", "Roots", "Accounts", "OrganizationalUnits", "Children", "Policies")):
        return False
    from pipelint.loaders import organizations

    return organizations.is_organizations_output(data)
