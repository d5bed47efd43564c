"""CloudFormation templates into the model.

Each template becomes one *stack instance* per deployment (the config's ``[[stacks]]`` or a cdk.out
environment), or one instance with unknown account and region when nothing maps it. Intrinsics are
resolved by :mod:`pipelint.loaders.intrinsics`; this module decides what ``Ref`` and ``Fn::GetAtt`` of
each resource type return and turns resources into model objects.

Physical names CloudFormation generates (a bucket without ``BucketName``, every KMS key id) are
represented by a placeholder ``⟨STACK.LogicalId⟩``: not a guess at the real name, but a token that is
equal wherever the same resource is referenced, so references across stacks still meet.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from pipelint import arns
from pipelint.errors import InputError
from pipelint.loaders.documents import Document
from pipelint.loaders.intrinsics import Resolver, StackContext, TemplateError, raw_path
from pipelint.loaders.pipeline_shape import build_pipeline, text
from pipelint.model import (Bucket, Connection, EventRule, Function, Key, ManagedPolicy, Notice, PolicyDoc,
                            Project, Queue, Role, Source, Suppression, Target, World)
from pipelint.records import field, record
from pipelint.values import NOTHING_OFFLINE, Unknown, find_unknown

TYPE_CHECKING = False  # for annotations only: typing costs 3 ms to import
if TYPE_CHECKING:
    from typing import Any

PIPELINE = "AWS::CodePipeline::Pipeline"


@record
class Stack:
    """One deployment of a template: its document, account, region and resolution context."""

    document: Document
    uid: str  # unique label of this instance, used in placeholders
    account: Any
    region: Any
    name: Any
    parameters: dict
    physical_ids: dict = field(default_factory=dict)
    resolver: Resolver | None = None
    exports: dict = field(default_factory=dict)  # export name -> output logical id

    @property
    def template(self) -> dict:
        return self.document.data

    def resources(self) -> dict:
        resources = self.template.get("Resources")
        return resources if isinstance(resources, dict) else {}

    def source(self, path: tuple) -> Source:
        pos = self.document.locate(path)
        return Source(self.document.path, tuple(path), *(pos or (None, None)))


def is_template(data: Any) -> bool:
    return isinstance(data, dict) and isinstance(data.get("Resources"), dict) and (
        "AWSTemplateFormatVersion" in data
        or any(isinstance(r, dict) and isinstance(r.get("Type"), str) and "::" in r["Type"]
               for r in data["Resources"].values())
    )


class Exports:
    """Every input stack's exports, resolved on first use (imports may chain).

    CloudFormation imports only from stacks in the same account and region; :meth:`scope` gives the
    view one stack sees. When a stack's account or region is unknown, a name exported by exactly one
    input stack is used.
    """

    def __init__(self) -> None:
        self.owners: dict[str, list[tuple[Stack, str]]] = {}
        self.values: dict[tuple[int, str], Any] = {}
        self.resolving: set[tuple[int, str]] = set()

    def add(self, name: str, stack: Stack, output: str) -> None:
        self.owners.setdefault(name, []).append((stack, output))

    def owner(self, name: str, account: Any, region: Any) -> tuple[Stack, str] | None:
        candidates = self.owners.get(name, [])
        if isinstance(account, str) and isinstance(region, str):
            exact = [c for c in candidates if c[0].account == account and c[0].region == region]
            if exact:
                return exact[0]
            # an exporter whose own account/region is unknown may still be the one
            candidates = [c for c in candidates if not isinstance(c[0].account, str) or not isinstance(c[0].region, str)]
        return candidates[0] if len(candidates) == 1 else None

    def value(self, stack: Stack, output: str) -> Any:
        marker = (id(stack), output)
        if marker in self.values:
            return self.values[marker]
        if marker in self.resolving:
            return Unknown(f"output {output} of {stack.document.path} depends on itself")
        self.resolving.add(marker)
        try:
            value = stack.resolver.resolve(stack.template["Outputs"][output].get("Value"),
                                           ("Outputs", output, "Value"))
        finally:
            self.resolving.discard(marker)
        self.values[marker] = value
        return value

    def scope(self, account: Any, region: Any, given: dict | None = None) -> "ScopedExports":
        return ScopedExports(self, account, region, given)


class ScopedExports(Mapping):
    """The exports one stack can import: ``Fn::ImportValue`` looks names up here."""

    def __init__(self, exports: Exports, account: Any, region: Any, given: dict | None = None) -> None:
        self.exports, self.account, self.region = exports, account, region
        self.given = given or {}  # values the deployment map gives for exports of stacks not among the inputs

    def __getitem__(self, name: str) -> Any:
        owner = self.exports.owner(name, self.account, self.region)
        if owner is None:
            if name in self.given:
                return self.given[name]
            raise KeyError(name)
        return self.exports.value(*owner)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and (name in self.given
                                          or self.exports.owner(name, self.account, self.region) is not None)

    def __iter__(self):
        return iter(self.exports.owners)

    def __len__(self) -> int:
        return len(self.exports.owners)


def make_stack(document: Document, account: Any, region: Any, name: Any, parameters: dict,
               exports: Exports, uid: str, physical_ids: dict | None = None, ssm: dict | None = None,
               imports: dict | None = None) -> Stack:
    """One deployment of ``document``; ``ssm`` holds the SSM values its account and region give."""
    stack = Stack(document, uid, account, region, name, parameters, dict(physical_ids or {}))
    context = StackContext(
        account=account, region=region, partition=arns.partition_for_region(region),
        stack_name=name, parameters=parameters, exports=exports.scope(account, region, imports),
        ref=lambda logical: ref_value(stack, logical),
        get_att=lambda logical, attr: att_value(stack, logical, attr), ssm=dict(ssm or {}),
    )
    stack.resolver = Resolver(stack.template, context)
    return stack


def register_exports(stack: Stack, exports: Exports) -> None:
    outputs = stack.template.get("Outputs")
    for logical, output in (outputs.items() if isinstance(outputs, dict) else ()):
        export = output.get("Export") if isinstance(output, dict) else None
        if not isinstance(export, dict) or "Name" not in export:
            continue
        try:
            export_name = stack.resolver.resolve(export["Name"], ("Outputs", logical, "Export", "Name"))
        except TemplateError:
            continue  # reported when the stack's resources are read
        if isinstance(export_name, str):
            exports.add(export_name, stack, logical)


# -- what Ref and GetAtt return -------------------------------------------------------------------

def placeholder(stack: Stack, logical: str) -> str:
    if logical in stack.physical_ids:  # the deployment map says what CloudFormation generated
        return stack.physical_ids[logical]
    return f"⟨{stack.uid}.{logical}⟩"


def _prop(stack: Stack, logical: str, name: str) -> Any:
    resource = stack.resources()[logical]
    props = resource.get("Properties") if isinstance(resource, dict) else None
    if not isinstance(props, dict) or name not in props:
        return None
    # A name that refers to itself (BucketName: !Ref Bucket, or A's name from B's and B's from A's) is a
    # circular dependency CloudFormation rejects; say so instead of recursing until Python gives up.
    chain = stack.__dict__.setdefault("_resolving", [])
    if (logical, name) in chain:
        cycle = chain[chain.index((logical, name)):] + [(logical, name)]
        raise TemplateError("circular dependency: " + " -> ".join(f"{r}.{p}" for r, p in cycle)
                            + " (CloudFormation rejects a template whose resources depend on each other)",
                            ("Resources", logical, "Properties", name))
    chain.append((logical, name))
    try:
        return stack.resolver.resolve(props[name], ("Resources", logical, "Properties", name))
    finally:
        chain.pop()


def _type(stack: Stack, logical: str) -> str:
    resource = stack.resources().get(logical)
    kind = resource.get("Type", "") if isinstance(resource, dict) else ""
    return kind if isinstance(kind, str) else ""


NAME_PROPERTY = {
    "AWS::S3::Bucket": "BucketName",
    "AWS::IAM::Role": "RoleName",
    "AWS::CodePipeline::Pipeline": "Name",
    "AWS::Lambda::Function": "FunctionName",
    "AWS::CodeBuild::Project": "Name",
    "AWS::Events::Rule": "Name",
    "AWS::SQS::Queue": "QueueName",
    "AWS::KMS::Alias": "AliasName",
    "AWS::IAM::ManagedPolicy": "ManagedPolicyName",
    "AWS::SNS::Topic": "TopicName",
    "AWS::CodeCommit::Repository": "RepositoryName",
    "AWS::SSM::Parameter": "Name",
}


def physical_name(stack: Stack, logical: str) -> Any:
    prop = NAME_PROPERTY.get(_type(stack, logical))
    value = _prop(stack, logical, prop) if prop else None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)  # CloudFormation takes BucketName: 2024 as the string "2024"
    return text(value, f"{prop} of {logical}") if value is not None else placeholder(stack, logical)


def _arn(stack: Stack, service: str, resource: str, *, region: bool = True, account: bool = True) -> Any:
    parts = [arns.partition_for_region(stack.region), stack.region if region else "",
             stack.account if account else ""]
    for part in (parts[2], parts[1], parts[0]):  # the account's or region's reason says more
        if isinstance(part, Unknown):
            # still an ARN of this service: rules that care only about the form can use that
            kind = resource.split("/", 1)[0].split(":", 1)[0] if isinstance(resource, str) else ""
            return Unknown(part.reason, shape=f"arn:{service}:{kind}")
    unknown = find_unknown(resource)
    if unknown:
        return unknown
    return f"arn:{parts[0]}:{service}:{parts[1]}:{parts[2]}:{resource}"


# connection resource type -> the service prefix of its ARN (DTConsole UG, "Connections rename")
CONNECTIONS = {"AWS::CodeStarConnections::Connection": "codestar-connections",
               "AWS::CodeConnections::Connection": "codeconnections"}


def ref_value(stack: Stack, logical: str) -> Any:
    kind = _type(stack, logical)
    if kind == "AWS::KMS::Key":
        return placeholder(stack, logical)
    if kind in CONNECTIONS:
        return att_value(stack, logical, "ConnectionArn")
    if kind == "AWS::SQS::Queue":
        return queue_url(stack, physical_name(stack, logical))
    if kind == "AWS::IAM::ManagedPolicy":
        return att_value(stack, logical, "Arn")
    if kind == "AWS::CodeCommit::Repository":
        return placeholder(stack, logical)  # Ref gives the repository's generated id, not its name
    return physical_name(stack, logical)


def queue_url(stack: Stack, name: Any) -> Any:
    for part in (stack.region, stack.account, name):
        if isinstance(part, Unknown):
            return part
    return f"https://sqs.{stack.region}.amazonaws.com/{stack.account}/{name}"


def att_value(stack: Stack, logical: str, attr: str) -> Any:
    kind = _type(stack, logical)
    name = physical_name(stack, logical)
    if kind == "AWS::KMS::Key":
        if attr == "KeyId":
            return placeholder(stack, logical)
        if attr == "Arn":
            return _arn(stack, "kms", f"key/{placeholder(stack, logical)}")
    elif kind == "AWS::S3::Bucket" and attr == "Arn":
        return _arn(stack, "s3", name, region=False, account=False) if isinstance(name, str) else name
    elif kind == "AWS::IAM::Role" and attr == "Arn":
        path = _prop(stack, logical, "Path") or "/"
        if isinstance(path, Unknown):
            return path
        return _arn(stack, "iam", f"role{path}{name}" if isinstance(name, str) else name, region=False)
    elif kind == "AWS::IAM::ManagedPolicy" and attr in ("Arn", "PolicyArn"):
        path = _prop(stack, logical, "Path") or "/"
        return _arn(stack, "iam", f"policy{path}{name}" if isinstance(name, str) else name, region=False)
    elif kind == "AWS::SQS::Queue":
        if attr == "Arn":
            return _arn(stack, "sqs", name)
        if attr == "QueueName":
            return name
        if attr == "QueueUrl":
            return queue_url(stack, name)
    elif kind == "AWS::Lambda::Function" and attr == "Arn":
        return _arn(stack, "lambda", f"function:{name}" if isinstance(name, str) else name)
    elif kind == "AWS::CodeBuild::Project" and attr == "Arn":
        return _arn(stack, "codebuild", f"project/{name}" if isinstance(name, str) else name)
    elif kind == "AWS::Events::Rule" and attr == "Arn":
        return _arn(stack, "events", f"rule/{name}" if isinstance(name, str) else name)
    elif kind == "AWS::SNS::Topic" and attr in ("TopicArn",):
        return _arn(stack, "sns", name)
    elif kind in CONNECTIONS and attr == "ConnectionArn":
        # the connection id is generated, like a key id: a placeholder until physical-ids gives it
        return _arn(stack, CONNECTIONS[kind], f"connection/{placeholder(stack, logical)}")
    elif kind in CONNECTIONS and attr == "ConnectionStatus":
        # CloudFormation creates connections PENDING; someone completes them in the console, later
        return Unknown(f"the status of connection {logical}: known only to the account (pipelint audit reads it)")
    elif kind == "AWS::CodePipeline::Pipeline" and attr == "Version":
        return Unknown(f"the version of pipeline {logical} exists only once deployed: {NOTHING_OFFLINE} "
                       "(pipelint audit reads the deployed pipeline)")
    elif kind == "AWS::CodeCommit::Repository":
        # CloudFormation resource reference, AWS::CodeCommit::Repository return values
        if attr == "Name":
            return name
        if attr == "Arn":
            return _arn(stack, "codecommit", name)
        if attr in ("CloneUrlHttp", "CloneUrlSsh") and isinstance(name, str) and isinstance(stack.region, str):
            scheme = "https" if attr == "CloneUrlHttp" else "ssh"
            return f"{scheme}://git-codecommit.{stack.region}.amazonaws.com/v1/repos/{name}"
    elif kind == "AWS::SSM::Parameter" and attr in ("Value", "Type"):
        return _prop(stack, logical, attr)
    elif kind == "AWS::IAM::Role" and attr == "RoleId":
        return Unknown(f"the unique id of role {logical} exists only once deployed: {NOTHING_OFFLINE} "
                       "(pipelint audit reads the role)")
    if kind.startswith("Custom::") or kind in ("AWS::CloudFormation::CustomResource", "AWS::CloudFormation::Stack",
                                               "AWS::Serverless::Application"):
        return Unknown(f"attribute {attr} of {logical} ({kind}) is computed when the stack deploys: {NOTHING_OFFLINE}")
    return Unknown(f"attribute {attr} of {logical} ({kind or 'unknown type'}) is not modelled by pipelint: "
                   f"{NOTHING_OFFLINE}")


# -- resources into the model ---------------------------------------------------------------------

def suppressions(stack: Stack) -> list[Suppression]:
    """``Metadata: {pipelint: {ignore: [{id: PL101, reason: ...}]}}`` at template or resource level."""
    found = []
    places = [((), stack.template.get("Metadata"))]
    places += [(("Resources", logical), r.get("Metadata")) for logical, r in stack.resources().items()
               if isinstance(r, dict)]
    for prefix, metadata in places:
        entries = metadata.get("pipelint", {}).get("ignore") if isinstance(metadata, dict) and isinstance(
            metadata.get("pipelint"), dict) else None
        path = prefix + ("Metadata", "pipelint", "ignore")
        if entries is None:
            continue
        if not isinstance(entries, list):
            raise InputError(stack.document.path, "Metadata pipelint.ignore must be a list of {id, reason}",
                             *(stack.document.locate(path) or (None, None)))
        for i, entry in enumerate(entries):
            rule = entry.get("id") if isinstance(entry, dict) else entry
            if not isinstance(rule, str) or not rule.upper().startswith("PL"):
                raise InputError(stack.document.path, "each pipelint.ignore entry needs an id such as PL101",
                                 *(stack.document.locate(path + (i,)) or (None, None)))
            reason = entry.get("reason") if isinstance(entry, dict) else None
            found.append(Suppression(rule.upper(), stack.document.path, prefix,
                                     reason if isinstance(reason, str) and reason.strip() else None,
                                     stack.source(path + (i,))))
    return found


def load_stack(stack: Stack, world: World, pending: list) -> None:
    """Add the stack's resources to ``world``; attachments (policies to roles, ...) go to ``pending``."""
    world.suppressions.extend(suppressions(stack))
    for logical, resource in stack.resources().items():
        if not isinstance(resource, dict):
            raise InputError(stack.document.path, f"resource {logical} is not a mapping",
                             *(stack.document.locate(("Resources", logical)) or (None, None)))
        if not isinstance(resource.get("Type", ""), str):
            raise InputError(stack.document.path, f"the Type of resource {logical} must be a string such as "
                             "AWS::S3::Bucket", *(stack.document.locate(("Resources", logical, "Type")) or (None, None)))
        try:
            if "Condition" in resource:
                active = stack.resolver.condition(resource["Condition"])
                if active is False:
                    continue
            _load_resource(stack, logical, resource, world, pending)
        except TemplateError as exc:
            path = tuple(getattr(exc, "path", ()) or ("Resources", logical))
            pos = stack.document.locate(path) or (None, None)
            raise InputError(stack.document.path, getattr(exc, "message", str(exc)), *pos) from None


def _props(stack: Stack, logical: str, resource: dict) -> dict:
    props = resource.get("Properties", {})
    if not isinstance(props, dict):
        return {}
    resolved = stack.resolver.resolve(props, ("Resources", logical, "Properties"))
    return resolved if isinstance(resolved, dict) else {}


def _key_policy(props: dict, label: str, account: object, region: object, src: Source, stack, base: tuple) -> PolicyDoc:
    if "KeyPolicy" in props:
        return _policy(props["KeyPolicy"], f"key policy of {label}", stack.source(base + ("Properties", "KeyPolicy")),
                       stack)
    # KeyPolicy is optional: KMS then attaches its default key policy, one statement that lets the
    # owning account's IAM policies grant any KMS action (KMS Developer Guide, "Default key policy").
    partition = arns.partition_for_region(region)
    if not isinstance(account, str) or not isinstance(partition, str):
        unknown = account if isinstance(account, Unknown) else partition
        reason = unknown.reason if isinstance(unknown, Unknown) else f"the account of key {label}"
        return PolicyDoc(Unknown(reason), f"default key policy of {label}", src)
    return PolicyDoc({"Version": "2012-10-17", "Statement": [{
        "Sid": "Enable IAM User Permissions", "Effect": "Allow",
        "Principal": {"AWS": f"arn:{partition}:iam::{account}:root"}, "Action": "kms:*", "Resource": "*"}]},
        f"default key policy of {label} (no KeyPolicy in the template)", src)


def _policy(value: Any, name: str, source: Source, stack: Stack | None = None) -> PolicyDoc:
    locator = None
    if stack is not None and isinstance(value, dict):
        # positions of statements (and of what is in them), as written even when a condition removed some
        locator = lambda sub: stack.source(raw_path(value, sub, source.path))  # noqa: E731
    if isinstance(value, str):  # KeyPolicy and PolicyDocument may be JSON text
        try:
            value = json.loads(value)
        except ValueError as exc:
            raise InputError(source.file, f"{name} is a string that is not valid JSON ({exc.msg})",
                             source.line, source.column) from None
    if not isinstance(value, (dict, Unknown)):
        value = Unknown(f"{name} is not a policy document")
    return PolicyDoc(value, name, source, locator)


def _load_resource(stack: Stack, logical: str, resource: dict, world: World, pending: list) -> None:
    kind = resource.get("Type")
    base = ("Resources", logical)
    src = stack.source(base)
    if kind not in HANDLED:
        return
    props = _props(stack, logical, resource)
    account, region = stack.account, stack.region
    label = f"{logical} in {stack.document.path}"
    if kind == PIPELINE:
        name = physical_name(stack, logical)
        arn = _arn(stack, "codepipeline", name) if isinstance(name, str) else name
        world.pipelines.append(build_pipeline(
            props, key=arn if isinstance(arn, str) else f"{stack.uid}#{logical}", name=name,
            account=account, region=region, base=base + ("Properties",), locate=stack.source))
    elif kind == "AWS::S3::Bucket":
        name = physical_name(stack, logical)
        versioning = props.get("VersioningConfiguration")
        status = versioning.get("Status") if isinstance(versioning, dict) else versioning
        world.add("buckets", Bucket(
            key=name if isinstance(name, str) else f"{stack.uid}#{logical}", name=name, account=account,
            region=region, source=src, versioning=text(status, f"the versioning status of bucket {logical}"),
            encryption_key=text(_bucket_key(props), f"the KMSMasterKeyID of bucket {logical}")))
    elif kind == "AWS::S3::BucketPolicy":
        pending.append(("bucket-policy", props.get("Bucket"), account, region,
                        _policy(props.get("PolicyDocument"), f"bucket policy {label}",
                                stack.source(base + ("Properties", "PolicyDocument")), stack), src))
    elif kind == "AWS::KMS::Key":
        arn = att_value(stack, logical, "Arn")
        world.add("keys", Key(
            key=arn if isinstance(arn, str) else f"{stack.uid}#{logical}", arn=arn,
            key_id=placeholder(stack, logical), account=account, region=region, source=src,
            policy=_key_policy(props, label, account, region, src, stack, base)))
    elif kind == "AWS::KMS::Alias":
        pending.append(("alias", props.get("TargetKeyId"), account, region, props.get("AliasName"), src))
    elif kind == "AWS::IAM::Role":
        arn = att_value(stack, logical, "Arn")
        inline = [
            _policy(p.get("PolicyDocument"), f"inline policy {p.get('PolicyName')} of role {logical}",
                    stack.source(base + ("Properties", "Policies", i, "PolicyDocument")), stack)
            for i, p in enumerate(_list(props.get("Policies"))) if isinstance(p, dict)
        ]
        if props.get("Policies") is not None and not isinstance(props.get("Policies"), list):
            inline.append(PolicyDoc(_unknown(props["Policies"], f"the Policies of role {logical}"),
                                    f"inline policies of role {logical}", stack.source(base + ("Properties", "Policies"))))
        world.add("roles", Role(
            key=arn if isinstance(arn, str) else f"{stack.uid}#{logical}", arn=arn,
            name=physical_name(stack, logical), account=account, source=src,
            trust=_policy(props.get("AssumeRolePolicyDocument"), f"trust policy of role {logical}",
                          stack.source(base + ("Properties", "AssumeRolePolicyDocument")), stack),
            inline_policies=inline, managed_policy_arns=[
                text(arn, f"a ManagedPolicyArns entry of role {logical}")
                for arn in _list(props.get("ManagedPolicyArns"), f"the ManagedPolicyArns of role {logical}")],
            permissions_boundary=text(props.get("PermissionsBoundary"), f"the PermissionsBoundary of role {logical}"),
            tags=_tags(props.get("Tags"), logical)))
    elif kind in ("AWS::IAM::Policy", "AWS::IAM::RolePolicy", "AWS::IAM::ManagedPolicy"):
        doc = _policy(props.get("PolicyDocument"), f"policy {label}",
                      stack.source(base + ("Properties", "PolicyDocument")), stack)
        roles = props.get("Roles") or []
        if kind == "AWS::IAM::RolePolicy":
            roles = [props.get("RoleName")]
        if kind == "AWS::IAM::ManagedPolicy":
            arn = att_value(stack, logical, "Arn")
            world.add("managed_policies", ManagedPolicy(
                key=arn if isinstance(arn, str) else f"{stack.uid}#{logical}", arn=arn, document=doc,
                roles=list(roles) if isinstance(roles, list) else []))
            pending.append(("managed-policy", roles, account, region, arn, src))
        else:
            pending.append(("role-policy", roles, account, region, doc, src))
    elif kind == "AWS::SQS::Queue":
        arn = att_value(stack, logical, "Arn")
        world.add("queues", Queue(key=arn if isinstance(arn, str) else f"{stack.uid}#{logical}", arn=arn,
                                  url=ref_value(stack, logical), account=account, region=region, source=src))
    elif kind == "AWS::SQS::QueuePolicy":
        pending.append(("queue-policy", props.get("Queues"), account, region,
                        _policy(props.get("PolicyDocument"), f"queue policy {label}",
                                stack.source(base + ("Properties", "PolicyDocument")), stack), src))
    elif kind == "AWS::Lambda::Function":
        arn = att_value(stack, logical, "Arn")
        world.add("functions", Function(key=arn if isinstance(arn, str) else f"{stack.uid}#{logical}",
                                        arn=arn, name=physical_name(stack, logical), account=account,
                                        region=region, role_arn=text(props.get("Role"), f"the Role of {logical}"),
                                        source=src))
    elif kind == "AWS::CodeBuild::Project":
        arn = att_value(stack, logical, "Arn")
        world.add("projects", Project(key=arn if isinstance(arn, str) else f"{stack.uid}#{logical}",
                                      arn=arn, name=physical_name(stack, logical), account=account,
                                      region=region,
                                      service_role=text(props.get("ServiceRole"), f"the ServiceRole of {logical}"),
                                      encryption_key=text(props.get("EncryptionKey"),
                                                          f"the EncryptionKey of {logical}"), source=src))
    elif kind in CONNECTIONS:
        arn = att_value(stack, logical, "ConnectionArn")
        world.add("connections", Connection(
            key=arn if isinstance(arn, str) else f"{stack.uid}#{logical}", arn=arn,
            name=text(props.get("ConnectionName"), f"the ConnectionName of {logical}"), account=account,
            region=region, source=src,
            provider_type=text(props.get("ProviderType"), f"the ProviderType of {logical}")))
    elif kind == "AWS::Events::Rule":
        arn = att_value(stack, logical, "Arn")
        targets = []
        for i, target in enumerate(_list(props.get("Targets"))):
            if not isinstance(target, dict):
                continue
            dlq = target.get("DeadLetterConfig")
            what = f"target {i} of rule {logical}"
            targets.append(Target(id=text(target.get("Id"), f"the Id of {what}"),
                                  arn=text(target.get("Arn"), f"the Arn of {what}"),
                                  role_arn=text(target.get("RoleArn"), f"the RoleArn of {what}"),
                                  dlq_arn=text(dlq.get("Arn"), f"the dead-letter queue Arn of {what}")
                                  if isinstance(dlq, dict) else None,
                                  source=stack.source(base + ("Properties", "Targets", i))))
        world.event_rules.append(EventRule(key=arn if isinstance(arn, str) else f"{stack.uid}#{logical}",
                                           arn=arn, name=physical_name(stack, logical), account=account,
                                           region=region, targets=targets, source=src))


def _tags(value: Any, logical: str) -> dict | None:
    """A resource's ``Tags: [{Key, Value}]`` as a mapping (None when the list itself is not known). Not
    every tag: CloudFormation also gives the resource the stack's tags (CloudFormation UG, "Tag")."""
    if value is None:
        return {}
    if not isinstance(value, list):
        return None
    tags = {}
    for tag in value:
        if isinstance(tag, dict) and isinstance(tag.get("Key"), str):
            tags[tag["Key"]] = text(tag.get("Value"), f"the value of tag {tag['Key']} of {logical}")
    return tags


def _list(value: Any, what: str | None = None) -> list:
    """A list property as a list. Absent or null is empty; anything else that is not a list (an
    unresolved parameter, a typo) is empty, or with ``what`` one Unknown entry that says so."""
    if isinstance(value, list):
        return value
    if value is None or what is None:
        return []
    return [_unknown(value, what)]


def _unknown(value: Any, what: str) -> Unknown:
    return value if isinstance(value, Unknown) else Unknown(f"{what} is not a list")


HANDLED = {
    PIPELINE, "AWS::S3::Bucket", "AWS::S3::BucketPolicy", "AWS::KMS::Key", "AWS::KMS::Alias", "AWS::IAM::Role",
    "AWS::IAM::Policy", "AWS::IAM::RolePolicy", "AWS::IAM::ManagedPolicy", "AWS::SQS::Queue",
    "AWS::SQS::QueuePolicy", "AWS::Lambda::Function", "AWS::CodeBuild::Project", "AWS::Events::Rule",
    *CONNECTIONS,
}


def _bucket_key(props: dict) -> Any:
    encryption = props.get("BucketEncryption")
    rules = encryption.get("ServerSideEncryptionConfiguration") if isinstance(encryption, dict) else None
    for rule in rules if isinstance(rules, list) else []:
        default = rule.get("ServerSideEncryptionByDefault") if isinstance(rule, dict) else None
        if isinstance(default, dict) and default.get("SSEAlgorithm") in ("aws:kms", "aws:kms:dsse"):
            return default.get("KMSMasterKeyID") or "alias/aws/s3"
    return None


def notice_unhandled(world: World, stack: Stack) -> None:
    if not any(isinstance(r, dict) and r.get("Type") in HANDLED for r in stack.resources().values()):
        world.notices.append(Notice(stack.document.path, "no resource pipelint checks; loaded for its exports"))
