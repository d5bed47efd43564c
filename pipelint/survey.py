"""What ``pipelint init`` reads from a setup: per template, the facts that tell where it deploys and which
values it needs — without resolving anything.

A template does not say its account or region, but the templates of one setup point at each other: the
pipeline names a role by ARN (``arn:aws:iam::${DevAccount}:role/deploy``) that another template creates,
a role trusts the pipeline's account, a stack imports another's export, an artifact store names a bucket
another template creates. :func:`survey` collects those facts as :class:`Template` records; the
inference over them is in :mod:`pipelint.init`.

String expressions (a literal, ``Ref``, ``Fn::Sub``, ``Fn::Join``, dynamic references) are read as
*tokens*: literal text and :class:`Var` (a parameter, a pseudo parameter, an SSM reference ...), so an
ARN's account field can be found whatever form the template writes it in.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, Iterable

from pipelint.records import field, record

PSEUDO = frozenset({"AWS::AccountId", "AWS::Region", "AWS::StackName", "AWS::StackId", "AWS::Partition",
                    "AWS::URLSuffix", "AWS::NoValue", "AWS::NotificationARNs"})
SSM_TYPE = "AWS::SSM::Parameter::Value<"
_DYNAMIC = re.compile(r"\{\{resolve:([a-z-]+):([^}]*)\}\}")
_SUB_VAR = re.compile(r"\$\{([^}]*)\}")
ACCOUNT_RE = re.compile(r"^\d{12}$")
REGION_RE = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d+$")
_MARK = re.compile("\ue000(\\d+)\ue001")

# keys whose whole value is an ARN, a name or a region (the nearest key that is not an intrinsic)
ARN_KEYS = {"RoleArn", "ServiceRole", "Arn", "TargetKeyId", "KmsKeyId", "KMSMasterKeyID", "EncryptionKey",
            "Id", "Resource", "KeyId", "TopicArn", "ExecutionRoleArn", "ManagedPolicyArns", "AWS",
            "PermissionsBoundary", "SourceArn", "aws:SourceArn", "aws:PrincipalArn"}
NAME_KEYS = {"BucketName", "Location", "RoleName", "ProjectName", "FunctionName", "QueueName", "Bucket",
             "S3Bucket", "StackName", "AliasName", "PipelineName"}
REGION_KEYS = {"Region"}
# words of a parameter's name, last one deciding: TargetAccountId -> account, DevRegionS3Bucket -> name
NAME_WORDS = {"account": "account", "accounts": "account", "region": "region", "regions": "region",
              "arn": "arn", "arns": "arn", "cmk": "arn", "bucket": "name", "name": "name", "role": "name",
              "key": "arn", "queue": "name", "topic": "name", "function": "name", "project": "name",
              "repository": "name", "repo": "name", "pipeline": "name"}


@record(frozen=True)
class Var:
    """A part of a string the template does not spell out."""

    kind: str  # param, pseudo, ssm, secret, resource, att, import
    name: str


Tokens = tuple  # of str and Var


@record
class Param:
    name: str
    type: str
    description: str
    default: str | None
    no_echo: bool
    allowed_pattern: str
    allowed_values: tuple
    uses: list = field(default_factory=list)  # account, region, arn, name, principal (from the template)

    @property
    def ssm(self) -> bool:
        return self.type.startswith(SSM_TYPE)

    def kind(self) -> tuple[str | None, str]:
        """(account | region | arn | name | None, why) judged by type, pattern, use and name."""
        if self.ssm:
            return "ssm", f"its type is {self.type}"
        pattern = self.allowed_pattern
        if pattern:
            if re.search(r"(\\d|\[0-9\])\{12\}", pattern):
                return "account", "its AllowedPattern is 12 digits"
            if "arn:" in pattern:
                return "arn", "its AllowedPattern is an ARN"
        if self.allowed_values and all(isinstance(v, str) and REGION_RE.match(v) for v in self.allowed_values):
            return "region", "its AllowedValues are regions"
        for use, why in (("account", "the template uses it as an account"),
                         ("region", "the template uses it as a region"),
                         ("arn", "the template uses it as an ARN")):
            if use in self.uses:
                return use, why
        by_name = name_kind(self.name)
        if by_name:
            return by_name, f"its name says {'an' if by_name in ('account', 'arn') else 'a'} {by_name}"
        if "principal" in self.uses:
            return "account", "the template trusts it as a principal"
        if "name" in self.uses:
            return "name", "the template uses it in a resource name"
        return None, ""


def name_kind(name: str) -> str | None:
    if name.lower().endswith(("arn", "arns")):
        return "arn"
    words = re.findall(r"[A-Z]{2,}(?=[A-Z][a-z]|\d|\b|_)|[A-Z]?[a-z]+|[A-Z]+", name)
    for word in reversed(words):
        kind = NAME_WORDS.get(word.lower())
        if kind:
            return kind
    return None


@record
class RoleRef:
    account: Var | str | None  # the ARN's account field: a Var, a literal id, or None
    role: str  # the role's name (last path segment)
    trust: bool  # in a role's AssumeRolePolicyDocument


@record
class Store:
    region: Tokens | None  # None: the single artifactStore (the pipeline's region)
    location: Tokens | None
    key: Tokens | None


@record
class Template:
    """One CloudFormation template, or one stack of a cloud assembly."""

    path: Path
    shown: str  # as the user sees it
    cdk: bool = False
    cdk_account: str | None = None  # from the assembly's manifest
    cdk_region: str | None = None
    cdk_name: str | None = None
    params: dict = field(default_factory=dict)  # name -> Param
    roles: dict = field(default_factory=dict)  # role name -> logical id, for the roles it creates by name
    role_patterns: list = field(default_factory=list)  # (Tokens, logical id): names with ${AWS::AccountId} ...
    role_refs: list = field(default_factory=list)  # RoleRef
    root_trusts: list = field(default_factory=list)  # account Vars/literals trusted (root or bare id)
    imports: set = field(default_factory=set)
    exports: list = field(default_factory=list)  # Tokens of export names
    buckets: dict = field(default_factory=dict)  # logical id -> Tokens of BucketName, or None
    keys: list = field(default_factory=list)  # logical ids of AWS::KMS::Key
    stores: list = field(default_factory=list)  # Store, for a template with a pipeline
    ssm: dict = field(default_factory=dict)  # SSM parameter name -> uses, from {{resolve:ssm:...}}
    literals: set = field(default_factory=set)  # literal strings that look like ARNs
    uses_stack_name: bool = False
    iam_only: bool = False

    @property
    def is_pipeline(self) -> bool:
        return bool(self.stores)

    def default(self, name: str) -> str | None:
        param = self.params.get(name)
        return param.default if param else None


@record
class Setup:
    templates: list = field(default_factory=list)
    terraform: list = field(default_factory=list)  # folders with .tf files (not an input yet)
    others: list = field(default_factory=list)  # other files pipelint reads (pipeline JSON, policies)
    assemblies: list = field(default_factory=list)  # cdk.out folders


# -- tokens ---------------------------------------------------------------------------------------------

def _dynamic(text: str) -> list:
    out: list = []
    last = 0
    for match in _DYNAMIC.finditer(text):
        out.append(text[last:match.start()])
        service, rest = match.group(1), match.group(2)
        name = rest.rsplit(":", 1)[0] if re.search(r":\d+$", rest) else rest
        out.append(Var("ssm" if service == "ssm" else "secret", name))
        last = match.end()
    out.append(text[last:])
    return [part for part in out if part != ""]


def tokens(value: Any, template: Template | None = None) -> Tokens | None:
    """``value`` as literal text and Vars, or None when it is not a string expression."""
    params = template.params if template else {}
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        return tuple(_dynamic(str(value)))
    if not isinstance(value, dict) or len(value) != 1:
        return None
    (fn, arg), = value.items()
    if fn == "Ref" and isinstance(arg, str):
        return (_name_var(arg, params),)
    if fn == "Fn::GetAtt":
        parts = arg.split(".", 1) if isinstance(arg, str) else arg
        return (Var("att", ".".join(map(str, parts))),) if isinstance(parts, list) else None
    if fn == "Fn::ImportValue":
        return (Var("import", arg),) if isinstance(arg, str) else None
    if fn == "Fn::Join" and isinstance(arg, list) and len(arg) == 2 and isinstance(arg[0], str) \
            and isinstance(arg[1], list):
        out: list = []
        for i, item in enumerate(arg[1]):
            part = tokens(item, template)
            if part is None:
                return None
            out.extend(([arg[0]] if i and arg[0] else []) + list(part))
        return _merge(out)
    if fn == "Fn::Sub":
        text, variables = (arg, {}) if isinstance(arg, str) else (
            (arg[0], arg[1] if len(arg) > 1 and isinstance(arg[1], dict) else {})
            if isinstance(arg, list) and arg and isinstance(arg[0], str) else (None, {}))
        if text is None:
            return None
        out = []
        last = 0
        for match in _SUB_VAR.finditer(text):
            out.extend(_dynamic(text[last:match.start()]))
            name = match.group(1)
            if name.startswith("!"):
                out.append("${" + name[1:] + "}")
            elif name in variables:
                part = tokens(variables[name], template)
                if part is None:
                    return None
                out.extend(part)
            elif "." in name and name not in params:
                out.append(Var("att", name))
            else:
                out.append(_name_var(name, params))
            last = match.end()
        out.extend(_dynamic(text[last:]))
        return _merge(out)
    return None


def _name_var(name: str, params: dict) -> Var:
    if name in params:
        return Var("param", name)
    return Var("pseudo" if name in PSEUDO else "resource", name)


def _merge(parts: list) -> Tokens:
    out: list = []
    for part in parts:
        if isinstance(part, str) and out and isinstance(out[-1], str):
            out[-1] += part
        elif part != "":
            out.append(part)
    return tuple(out)


def flatten(parts: Tokens) -> tuple[str, list]:
    """The tokens as one string with a marker per Var (markers hold no ``:`` or ``/``)."""
    text, found = "", []
    for part in parts:
        if isinstance(part, Var):
            text += f"\ue000{len(found)}\ue001"
            found.append(part)
        else:
            text += part
    return text, found


def vars_in(text: str, found: list) -> list:
    return [found[int(m.group(1))] for m in _MARK.finditer(text)]


def substitute(parts: Tokens, template: Template) -> Tokens:
    """Parameters with a Default read as their default (they keep it unless the map overrides it)."""
    out = []
    for part in parts:
        if isinstance(part, Var) and part.kind == "param" and template.default(part.name) is not None:
            out.append(template.default(part.name))
        else:
            out.append(part)
    return _merge(out)


def literal(parts: Tokens | None) -> str | None:
    if parts is not None and len(parts) == 1 and isinstance(parts[0], str):
        return parts[0]
    return "" if parts == () else None


# -- one template -----------------------------------------------------------------------------------------

def read_template(path: Path, shown: str, data: dict, **cdk) -> Template:
    template = Template(path=path, shown=shown, **cdk)
    for name, decl in (data.get("Parameters") or {}).items() if isinstance(data.get("Parameters"), dict) else ():
        decl = decl if isinstance(decl, dict) else {}
        default = decl.get("Default")
        template.params[name] = Param(
            name=name, type=str(decl.get("Type", "String")).strip(), description=str(decl.get("Description", "")),
            default=None if default is None else (",".join(map(str, default)) if isinstance(default, list)
                                                  else str(default)),
            no_echo=str(decl.get("NoEcho", "")).lower() == "true", allowed_pattern=str(decl.get("AllowedPattern", "")),
            allowed_values=tuple(decl.get("AllowedValues") or ()))
    resources = data.get("Resources") if isinstance(data.get("Resources"), dict) else {}
    types = []
    for logical, resource in resources.items():
        if not isinstance(resource, dict):
            continue
        kind = resource.get("Type")
        types.append(kind if isinstance(kind, str) else "")
        props = resource.get("Properties") if isinstance(resource.get("Properties"), dict) else {}
        if kind == "AWS::IAM::Role":
            named = tokens(props.get("RoleName"), template) if "RoleName" in props else None
            name = literal(substitute(named, template)) if named else None
            if name:
                template.roles[name] = logical
            elif named:  # cdk-hnb659fds-deploy-role-${AWS::AccountId}-${AWS::Region}: one name per deployment
                template.role_patterns.append((substitute(named, template), logical))
        elif kind == "AWS::S3::Bucket":
            named = tokens(props.get("BucketName"), template) if "BucketName" in props else None
            template.buckets[logical] = substitute(named, template) if named is not None else None
        elif kind == "AWS::KMS::Key":
            template.keys.append(logical)
        elif kind == "AWS::CodePipeline::Pipeline":
            template.stores.extend(_stores(props, template))
    template.iam_only = bool(types) and all(t.startswith("AWS::IAM::") for t in types)
    outputs = data.get("Outputs") if isinstance(data.get("Outputs"), dict) else {}
    for output in outputs.values():
        export = output.get("Export") if isinstance(output, dict) else None
        if isinstance(export, dict) and "Name" in export:
            named = tokens(export["Name"], template)
            if named is not None:
                template.exports.append(substitute(named, template))
    _walk(resources, ("Resources",), template)
    _walk(outputs, ("Outputs",), template)
    return template


def _stores(props: dict, template: Template) -> Iterable[Store]:
    def one(store: Any, region: Tokens | None) -> Store:
        store = store if isinstance(store, dict) else {}
        key = store.get("EncryptionKey")
        key = key.get("Id") if isinstance(key, dict) else None
        return Store(region, tokens(store.get("Location"), template), tokens(key, template) if key else None)

    if isinstance(props.get("ArtifactStores"), list):
        for entry in props["ArtifactStores"]:
            # an entry may be an Fn::If: both branches are stores the pipeline may have
            branches = entry["Fn::If"][1:] if isinstance(entry, dict) and isinstance(entry.get("Fn::If"), list) \
                else [entry]
            for branch in branches:
                if isinstance(branch, dict) and "ArtifactStore" in branch:
                    yield one(branch.get("ArtifactStore"), tokens(branch.get("Region"), template))
    elif "ArtifactStore" in props:
        yield one(props.get("ArtifactStore"), None)


def _context(path: tuple) -> str:
    for key in reversed(path):
        if isinstance(key, str) and not key.startswith("Fn::") and key not in ("Ref", "Condition"):
            return key
    return ""


def _walk(node: Any, path: tuple, template: Template) -> None:
    stack = [(node, path)]
    while stack:
        value, where = stack.pop()
        parts = tokens(value, template) if isinstance(value, (str, dict)) else None
        if parts is not None:
            _note(parts, where, template)
            if isinstance(value, str) or next(iter(value)) in ("Ref", "Fn::Sub", "Fn::Join", "Fn::GetAtt",
                                                               "Fn::ImportValue"):
                continue
        if isinstance(value, dict):
            stack.extend((v, where + (k,)) for k, v in value.items())
        elif isinstance(value, list):
            stack.extend((v, where + (i,)) for i, v in enumerate(value))


def _use(var: Var, use: str, template: Template) -> None:
    if var.kind == "param":
        template.params[var.name].uses.append(use)
    elif var.kind == "ssm":
        template.ssm.setdefault(var.name, []).append(use)


def _note(parts: Tokens, where: tuple, template: Template) -> None:
    """Record what one string expression at ``where`` says: ARN fields, role names, trusts, uses."""
    text, found = flatten(parts)
    key = _context(where)
    trust = "AssumeRolePolicyDocument" in where
    principal = "Principal" in where
    for var in found:
        if var == Var("pseudo", "AWS::StackName"):
            template.uses_stack_name = True
        elif var.kind == "import":
            template.imports.add(var.name)
        elif var.kind == "ssm":
            template.ssm.setdefault(var.name, [])
    if text.startswith("arn:") and text.count(":") >= 5:
        fields = text.split(":", 5)
        for var in vars_in(fields[3], found):
            _use(var, "region", template)
        for var in vars_in(fields[4], found):
            _use(var, "account", template)
        for var in vars_in(fields[5], found):
            _use(var, "name", template)
        if not found:
            template.literals.add(text)
        account_vars = vars_in(fields[4], found)
        account = account_vars[0] if len(account_vars) == 1 and _MARK.fullmatch(fields[4]) else (
            fields[4] if ACCOUNT_RE.match(fields[4]) else None)
        if isinstance(account, Var) and not (account.kind in ("param", "ssm")
                                             or account == Var("pseudo", "AWS::AccountId")):
            account = None  # a resource's attribute, an import: nothing init can ask for
        resource = fields[5]
        if fields[2] == "iam" and resource.startswith("role/") and not vars_in(resource, found):
            template.role_refs.append(RoleRef(account, resource.rsplit("/", 1)[-1], trust))
        elif fields[2] == "iam" and resource == "root" and trust and principal and account is not None:
            template.root_trusts.append(account)
        return
    if len(found) == 1 and _MARK.fullmatch(text):
        var = found[0]
        if principal and key == "AWS":
            _use(var, "principal", template)
            if trust:
                template.root_trusts.append(var)
        elif key in REGION_KEYS:
            _use(var, "region", template)
        elif key in ARN_KEYS:
            _use(var, "arn", template)
        elif key in NAME_KEYS and (key != "Location" or "ArtifactStore" in where):
            _use(var, "name", template)
    elif principal and trust and key == "AWS" and ACCOUNT_RE.match(text):
        template.root_trusts.append(text)


# -- the setup --------------------------------------------------------------------------------------------

def _deployment_roles(assembly: Path) -> dict:
    """Template path -> the role ARNs its manifest entry deploys it with (``assumeRoleArn``,
    ``cloudFormationExecutionRoleArn``, ``lookupRole``): the roles a CDK bootstrap stack creates."""
    from pipelint.loaders.documents import load_document

    found: dict = {}
    folders, seen = [assembly], set()
    while folders:
        folder = folders.pop()
        if folder.resolve() in seen or not (folder / "manifest.json").is_file():
            continue
        seen.add(folder.resolve())
        data = load_document(folder / "manifest.json").data
        artifacts = data.get("artifacts") if isinstance(data, dict) else None
        for artifact in (artifacts or {}).values() if isinstance(artifacts, dict) else ():
            props = artifact.get("properties") if isinstance(artifact, dict) else None
            if not isinstance(props, dict):
                continue
            if artifact.get("type") == "cdk:cloud-assembly" and isinstance(props.get("directoryName"), str):
                folders.append(folder / props["directoryName"])
            elif artifact.get("type") == "aws:cloudformation:stack" and isinstance(props.get("templateFile"), str):
                lookup = props.get("lookupRole") if isinstance(props.get("lookupRole"), dict) else {}
                arns = [props.get("assumeRoleArn"), props.get("cloudFormationExecutionRoleArn"), lookup.get("arn")]
                found[(folder / props["templateFile"]).resolve()] = [a for a in arns if isinstance(a, str)]
    return found


def survey(inputs: list[Path], display) -> Setup:
    """Every template below ``inputs`` (cdk.out stacks included), and the Terraform folders skipped."""
    from pipelint.loaders import SKIP_DIRS, cdk, cloudformation, collect
    from pipelint.loaders.documents import load_document
    from pipelint.model import World

    setup = Setup()
    files, assemblies, _ = collect(inputs, World())
    for assembly in assemblies:
        setup.assemblies.append(assembly)
        roles = _deployment_roles(assembly)
        for template, account, region, name in cdk.stacks(assembly, display):
            document = load_document(template, display=display(template))
            if isinstance(document.data, dict):
                read = read_template(template, display(template), document.data, cdk=True,
                                     cdk_account=account if isinstance(account, str) else None,
                                     cdk_region=region if isinstance(region, str) else None, cdk_name=name)
                for arn in roles.get(template.resolve(), ()):
                    _note(tokens({"Fn::Sub": arn}, read) or (), ("Manifest", "assumeRoleArn"), read)
                setup.templates.append(read)
    for path in files:
        if path.name == "manifest.json" and cdk.is_assembly(path.parent):
            continue
        document = load_document(path, display=display(path))
        if cloudformation.is_template(document.data):
            setup.templates.append(read_template(path, display(path), document.data))
        else:
            setup.others.append(display(path))
    for given in inputs:
        folders = [given.parent] if given.is_file() and given.suffix == ".tf" else []
        if given.is_dir():
            for folder, dirs, names in os.walk(given):
                dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in SKIP_DIRS)
                if any(n.endswith(".tf") for n in names):
                    folders.append(Path(folder))
        for folder in folders:
            if display(folder) not in setup.terraform:
                setup.terraform.append(display(folder))
    return setup
