"""Hostile input for the loaders (and everything after them): whatever the files hold, ``pipelint check``
either lints them or stops with an InputError/UsageError (exit 2, file:line and a sentence) — no other
exception escapes, ever.

Four generators, each run through :func:`runner.check` plus the JSON and text reporters:

- *structured* CloudFormation templates (every resource type pipelint reads, intrinsics between them,
  parameters, conditions, mappings, exports, Metadata suppressions) with random values in every
  field, as JSON or YAML, with and without a deployment map;
- pipeline JSON (get-pipeline, create-pipeline and bare shapes), policy files (every CLI output
  shape), pipelint snapshots and CDK cloud assemblies, the same way;
- *tree mutations* of every fixture file: a parsed fixture with random nodes replaced, dropped or
  duplicated, linted together with the rest of its fixture folder and its deployment map;
- *byte mutations* of every fixture file (flips, deletions, insertions, splices).

Example counts are small by default (CI) and scale with ``PIPELINT_FUZZ_EXAMPLES``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from test_fuzz_support import ACCOUNTS, REGIONS, fuzz_settings, junk, lint_files

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"

# -- building blocks ---------------------------------------------------------------------------------

LOGICAL = ["Pipeline", "ArtifactBucket", "ArtifactKey", "KeyAlias", "PipelineRole", "ActionRole", "ExecRole",
           "BucketPolicy", "RolePolicy", "Managed", "Dlq", "DlqPolicy", "Fn", "Build", "Trigger", "Source"]
PARAMS = ["TargetAccount", "KeyArn", "BucketName", "Regions", "Flag"]
CONDITIONS = ["IsProd", "HasKey"]
PSEUDO = ["AWS::AccountId", "AWS::Region", "AWS::Partition", "AWS::StackName", "AWS::NoValue", "AWS::URLSuffix",
          "AWS::NotificationARNs", "AWS::StackId"]

plain_arns = st.sampled_from([
    f"arn:aws:iam::{ACCOUNTS[0]}:role/pipeline", f"arn:aws:iam::{ACCOUNTS[1]}:role/deploy",
    f"arn:aws:iam::{ACCOUNTS[1]}:role/path/exec", f"arn:aws:iam::{ACCOUNTS[1]}:root", ACCOUNTS[1],
    f"arn:aws:kms:us-east-1:{ACCOUNTS[0]}:key/1234", f"arn:aws:kms:eu-west-1:{ACCOUNTS[0]}:alias/art",
    "arn:aws:s3:::artifacts", "arn:aws:s3:::artifacts/*", f"arn:aws:sqs:us-east-1:{ACCOUNTS[0]}:dlq",
    f"arn:aws:lambda:us-east-1:{ACCOUNTS[0]}:function:fn", f"arn:aws:codepipeline:us-east-1:{ACCOUNTS[0]}:app",
    f"arn:aws:iam::aws:policy/AdministratorAccess", "alias/aws/s3", "alias/art", "1234", "artifacts", "*",
    "arn:aws-cn:iam::111111111111:role/x", "arn:aws:iam::*:role/*", "arn:aws:s3:::*/*",
])


# How hostile the example being drawn is: 0 = a plausible setup (only real references, no junk), 1 = a
# little junk, 2 = junk anywhere. Drawn first by each top-level generator, read by the helpers below.
_LEVEL = [1]
hostility = st.sampled_from([0, 0, 1, 2])
# what the template being drawn defines (a plausible example refers only to these)
_CTX: dict = {"logical": LOGICAL, "params": PARAMS, "conditions": CONDITIONS, "mappings": True}


def _begin(draw) -> None:
    """Start a top-level example: draw its hostility, forget what the previous example defined."""
    _LEVEL[0] = draw(hostility)
    _CTX.update(logical=LOGICAL, params=PARAMS, conditions=CONDITIONS, mappings=True)


def _names(valid: list[str], broken: list[str]) -> st.SearchStrategy:
    return st.sampled_from(valid if _LEVEL[0] == 0 else valid + broken)


@st.composite
def intrinsic(draw, inner) -> object:
    choice = draw(st.integers(0, 8 if _LEVEL[0] == 0 else 13))
    if choice == 0:
        return {"Ref": draw(_names(_CTX["logical"] + _CTX["params"] + PSEUDO, LOGICAL + PARAMS + ["Nothing", ""]))}
    if choice == 1:
        return {"Fn::GetAtt": [draw(_names(_CTX["logical"], LOGICAL + ["Nothing"])),
                               draw(st.sampled_from(["Arn", "KeyId", "QueueUrl", "QueueName", "Version", "X"]))]}
    if choice == 2:
        return {"Fn::GetAtt": draw(_names([f"{name}.Arn" for name in _CTX["logical"]], ["x", "A.B.C", ""]))}
    if choice == 3:
        name = draw(st.sampled_from(_CTX["logical"] + _CTX["params"] + ["AWS::AccountId"]))
        text = draw(_names([f"arn:${{AWS::Partition}}:iam::${{{name}}}:role/deploy", f"${{{name}.Arn}}/*",
                            "${!Literal}", f"arn:aws:kms:${{AWS::Region}}:${{AWS::AccountId}}:key/${{{name}}}"],
                           ["${Missing}", "${", "$}{x}", "${AWS::NoValue}", "${TargetAccount}", "${Pipeline.Arn}"]))
        return {"Fn::Sub": text} if draw(st.booleans()) else {"Fn::Sub": [text, {"Missing": draw(inner)}]}
    if choice == 4:
        return {"Fn::Join": [draw(st.sampled_from(["", ":", "/"])), draw(st.lists(inner, max_size=4))]}
    if choice == 5:
        if not _CTX["conditions"] and _LEVEL[0] == 0:
            return draw(plain_arns)
        return {"Fn::If": [draw(_names(_CTX["conditions"], CONDITIONS + ["Nope"])), draw(inner), draw(inner)]}
    if choice == 6:
        return {"Fn::ImportValue": draw(st.sampled_from(["Shared-KeyArn", "Shared-Bucket", "None"]))}
    if choice == 7:
        return {"Fn::Select": [draw(st.integers(0 if _LEVEL[0] == 0 else -1, 3)),
                               {"Fn::Split": [",", draw(st.one_of(plain_arns, st.just("a,b,c,d")))]}]}
    if choice == 8:
        if not _CTX["mappings"] and _LEVEL[0] == 0:
            return draw(plain_arns)
        return {"Fn::FindInMap": [draw(_names(["Accounts"], ["Nope"])),
                                  draw(_names(["prod", {"Ref": "AWS::Region"}], ["x"])),
                                  draw(_names(["Id", "Region"], ["y"]))]}
    if choice == 9:
        return {"Fn::Select": draw(inner)}
    if choice == 10:
        return {draw(st.sampled_from(["Fn::Base64", "Fn::GetAZs", "Fn::Cidr", "Fn::Length", "Fn::ToJsonString",
                                      "Fn::Transform", "Fn::ForEach::X", "Condition", "Fn::Equals", "Fn::Not",
                                      "Fn::And", "Fn::Or", "Fn::Unknown", "Ref"])): draw(inner)}
    if choice == 11:
        return {"Fn::Sub": draw(inner)}
    if choice == 12:
        return {"Fn::Join": draw(inner)}
    return {"Fn::If": draw(inner)}


@st.composite
def _values(draw) -> object:
    if _LEVEL[0] == 0:
        return draw(st.one_of(plain_arns, plain_arns, intrinsic(values)))
    return draw(st.one_of(plain_arns, plain_arns, intrinsic(values), junk))


values = st.deferred(_values)


def sometimes(draw, strategy, p: int = 5):
    """``strategy``, or (unless the example is a plausible one) junk one time in ``p``."""
    level = _LEVEL[0]
    if level == 0:
        return draw(strategy)
    return draw(junk) if draw(st.integers(0, p * (4 if level == 1 else 1) - 1)) == 0 else draw(strategy)


@st.composite
def statement(draw) -> object:
    s: dict = {}
    for key, strategy, chance in (
        ("Sid", st.text(max_size=5), 2), ("Effect", st.sampled_from(["Allow", "Deny", "allow", "Maybe"]), 1),
        ("Principal", st.one_of(st.just("*"), st.dictionaries(
            st.sampled_from(["AWS", "Service", "Federated", "CanonicalUser", "X"]),
            st.one_of(values, st.lists(values, max_size=3)), max_size=2)), 2),
        ("NotPrincipal", st.dictionaries(st.sampled_from(["AWS", "Service"]), values, max_size=1), 8),
        ("Action", st.one_of(st.sampled_from(["*", "s3:GetObject*", "s3:PutObject", "kms:Decrypt", "kms:*",
                                              "kms:GenerateDataKey*", "sts:AssumeRole", "iam:PassRole",
                                              "codepipeline:StartPipelineExecution", "sqs:SendMessage",
                                              "codepipeline:PutJob*Result", "s3:", ":", "?"]),
                             st.lists(values, max_size=3)), 1),
        ("NotAction", st.lists(st.sampled_from(["s3:*", "kms:*", "iam:*"]), max_size=2), 8),
        ("Resource", st.one_of(values, st.lists(values, max_size=3)), 1),
        ("NotResource", values, 8),
        ("Condition", st.dictionaries(
            st.sampled_from(["StringEquals", "StringLike", "StringNotEquals", "ArnLike", "ArnEquals", "Bool",
                             "Null", "NumericLessThan", "IpAddress", "DateGreaterThan", "StringEqualsIfExists",
                             "ForAnyValue:StringLike", "ForAllValues:StringEquals", "Bogus", "ForAnyValue:",
                             "StringEqualsIgnoreCaseIfExists", "BinaryEquals"]),
            st.dictionaries(st.sampled_from(["aws:PrincipalArn", "aws:PrincipalAccount", "aws:SecureTransport",
                                             "kms:CallerAccount", "kms:ViaService", "aws:PrincipalOrgID",
                                             "aws:SourceArn", "aws:SourceAccount", "aws:SourceIp", "s3:prefix",
                                             "aws:CurrentTime", "kms:EncryptionContext:aws:s3:arn", "x"]),
                            st.one_of(values, st.lists(values, max_size=3)), max_size=2), max_size=2), 3),
    ):
        if draw(st.integers(0, chance)) == 0:
            s[key] = sometimes(draw, strategy, 6)
    return s


@st.composite
def policy_document(draw) -> object:
    doc = {"Version": draw(st.sampled_from(["2012-10-17", "2008-10-17", "x"])),
           "Statement": draw(st.one_of(st.lists(statement(), max_size=4), statement()))}
    if draw(st.integers(0, 9)) == 0:
        return json.dumps(doc, default=str)  # KeyPolicy / PolicyDocument as JSON text
    return sometimes(draw, st.just(doc), 12)


@st.composite
def pipeline_body(draw, api: bool) -> dict:
    """A pipeline declaration: CFN spelling (``Stages``/``ArtifactStore``) or API spelling."""
    def k(name: str) -> str:
        return name[0].lower() + name[1:] if api else name

    def store() -> dict:
        out = {k("Type"): "S3", k("Location"): sometimes(draw, values)}
        if draw(st.integers(0, 3)):
            out[k("EncryptionKey")] = sometimes(draw, st.fixed_dictionaries(
                {k("Id"): values, k("Type"): st.sampled_from(["KMS", "kms", "X"])}))
        return out

    body: dict = {k("Name"): sometimes(draw, st.sampled_from(["app", "release", ""]), 8),
                  k("RoleArn"): sometimes(draw, values)}
    mode = draw(st.integers(0, 3))
    if mode in (0, 2):
        body[k("ArtifactStore")] = sometimes(draw, st.builds(store), 8)
    if mode in (1, 2):
        if api:
            body["artifactStores"] = {draw(st.sampled_from(REGIONS + ["x"])): store() for _ in range(draw(
                st.integers(0, 3)))}
        else:
            body["ArtifactStores"] = [sometimes(draw, st.fixed_dictionaries(
                {"Region": st.one_of(st.sampled_from(REGIONS), values), "ArtifactStore": st.builds(store)}))
                for _ in range(draw(st.integers(0, 3)))]
    stages = []
    for si in range(draw(st.integers(0, 3))):
        actions = []
        for ai in range(draw(st.integers(0, 3))):
            action = {
                k("Name"): f"a{ai}",
                k("ActionTypeId"): sometimes(draw, st.fixed_dictionaries({
                    k("Category"): st.sampled_from(["Source", "Build", "Deploy", "Invoke", "Approval", "X"]),
                    k("Owner"): st.sampled_from(["AWS", "ThirdParty", "Custom"]),
                    k("Provider"): st.sampled_from(["S3", "CodeCommit", "CodeBuild", "CloudFormation", "Lambda",
                                                    "CodeDeploy", "ECR", "Manual", "ElasticBeanstalk"]),
                    k("Version"): st.just("1")}), 8),
                k("Configuration"): sometimes(draw, st.dictionaries(
                    st.sampled_from(["S3Bucket", "S3ObjectKey", "ProjectName", "RoleArn", "FunctionName",
                                     "StackName", "ActionMode", "TemplatePath", "PollForSourceChanges",
                                     "RepositoryName", "BranchName"]), values, max_size=4)),
            }
            for field, chance in (("RoleArn", 1), ("Region", 2), ("InputArtifacts", 2), ("OutputArtifacts", 2),
                                  ("Namespace", 6), ("RunOrder", 4)):
                if draw(st.integers(0, chance)) == 0:
                    if field.endswith("Artifacts"):
                        action[k(field)] = sometimes(draw, st.lists(st.fixed_dictionaries(
                            {k("Name"): st.sampled_from(["Src", "Out", "Built"])}), max_size=2))
                    elif field == "Region":
                        action[k(field)] = sometimes(draw, st.one_of(st.sampled_from(REGIONS), values))
                    else:
                        action[k(field)] = sometimes(draw, values)
            actions.append(sometimes(draw, st.just(action), 12))
        stages.append(sometimes(draw, st.just({k("Name"): f"s{si}", k("Actions"): actions}), 12))
    body[k("Stages")] = sometimes(draw, st.just(stages), 12)
    if draw(st.booleans()):
        body[k("PipelineType")] = draw(st.sampled_from(["V1", "V2", 2]))
    return body


def _properties(draw, kind: str) -> dict:
    fields = {
        "AWS::S3::Bucket": {"BucketName": values, "VersioningConfiguration": st.one_of(
            st.fixed_dictionaries({"Status": st.sampled_from(["Enabled", "Suspended", "x"])}), values),
            "BucketEncryption": st.just({"ServerSideEncryptionConfiguration": [
                {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": {
                    "Fn::GetAtt": ["ArtifactKey", "Arn"]}}}]})},
        "AWS::S3::BucketPolicy": {"Bucket": values, "PolicyDocument": policy_document()},
        "AWS::KMS::Key": {"KeyPolicy": policy_document(), "Description": st.text(max_size=5)},
        "AWS::KMS::Alias": {"AliasName": st.one_of(st.just("alias/art"), values), "TargetKeyId": values},
        "AWS::IAM::Role": {"RoleName": values, "Path": st.sampled_from(["/", "/ci/", "x", 3]),
                           "AssumeRolePolicyDocument": policy_document(),
                           "Policies": st.lists(st.fixed_dictionaries(
                               {"PolicyName": st.text(max_size=4), "PolicyDocument": policy_document()}), max_size=2),
                           "ManagedPolicyArns": st.lists(values, max_size=2)},
        "AWS::IAM::Policy": {"PolicyName": st.just("p"), "PolicyDocument": policy_document(),
                             "Roles": st.lists(values, max_size=2)},
        "AWS::IAM::RolePolicy": {"PolicyName": st.just("p"), "PolicyDocument": policy_document(),
                                 "RoleName": values},
        "AWS::IAM::ManagedPolicy": {"PolicyDocument": policy_document(), "Roles": st.lists(values, max_size=2),
                                    "ManagedPolicyName": values, "Path": st.sampled_from(["/", "/x/"])},
        "AWS::SQS::Queue": {"QueueName": values},
        "AWS::SQS::QueuePolicy": {"Queues": st.lists(values, max_size=2), "PolicyDocument": policy_document()},
        "AWS::Lambda::Function": {"Role": values, "FunctionName": values},
        "AWS::CodeBuild::Project": {"ServiceRole": values, "EncryptionKey": values, "Name": values},
        "AWS::Events::Rule": {"Targets": st.lists(st.fixed_dictionaries(
            {"Id": st.text(max_size=3), "Arn": values},
            optional={"RoleArn": values, "DeadLetterConfig": st.one_of(
                st.fixed_dictionaries({"Arn": values}), values)}), max_size=2), "Name": values},
        "AWS::CodePipeline::Pipeline": None,
        "AWS::SNS::Topic": {"TopicName": values},
        "AWS::Serverless::Function": {"Role": values},
    }[kind]
    if fields is None:
        return draw(pipeline_body(api=False))
    return {name: sometimes(draw, strategy, 10) for name, strategy in fields.items() if draw(st.integers(0, 3))}


RESOURCE_TYPES = ["AWS::CodePipeline::Pipeline", "AWS::S3::Bucket", "AWS::S3::BucketPolicy", "AWS::KMS::Key",
                  "AWS::KMS::Alias", "AWS::IAM::Role", "AWS::IAM::Policy", "AWS::IAM::RolePolicy",
                  "AWS::IAM::ManagedPolicy", "AWS::SQS::Queue", "AWS::SQS::QueuePolicy", "AWS::Lambda::Function",
                  "AWS::CodeBuild::Project", "AWS::Events::Rule", "AWS::SNS::Topic", "AWS::Serverless::Function"]


@st.composite
def templates(draw) -> dict:
    _begin(draw)
    logical_ids = draw(st.lists(st.sampled_from(LOGICAL), min_size=1, max_size=8, unique=True))
    params = draw(st.lists(st.sampled_from(PARAMS), max_size=5, unique=True))
    has_conditions = draw(st.integers(0, 2)) == 0
    has_mappings = draw(st.integers(0, 3)) == 0
    _CTX.update(logical=logical_ids, params=params, conditions=CONDITIONS if has_conditions else [],
                mappings=has_mappings)
    template: dict = {}
    if draw(st.booleans()):
        template["AWSTemplateFormatVersion"] = "2010-09-09"
    if params:
        template["Parameters"] = {
            name: sometimes(draw, st.fixed_dictionaries(
                {"Type": st.sampled_from(["String", "CommaDelimitedList", "AWS::SSM::Parameter::Value<String>",
                                          "Number", "List<String>"])},
                optional={"Default": st.one_of(plain_arns, st.sampled_from(["a,b", "", "1"]))}), 10)
            for name in params}
    if has_conditions:
        clean = [{"Fn::Equals": [{"Ref": "Flag"}, "yes"]}, {"Fn::Equals": [{"Ref": "AWS::Region"}, "eu-west-1"]}]
        broken = [{"Fn::Not": [{"Condition": "IsProd" if name == "HasKey" else "HasKey"}]}
                  for name in CONDITIONS] + [{"Fn::And": [{"Condition": "IsProd"}, True]},
                                             {"Fn::Or": [{"Fn::Equals": ["a", "a"]}, {"Condition": "Missing"}]}]
        template["Conditions"] = {name: sometimes(draw, _names(clean, broken)) for name in CONDITIONS}
        if "Flag" not in template.get("Parameters", {}) and _LEVEL[0] == 0:
            template.setdefault("Parameters", {})["Flag"] = {"Type": "String", "Default": "yes"}
    if has_mappings:
        template["Mappings"] = sometimes(draw, st.just(
            {"Accounts": {"prod": {"Id": ACCOUNTS[1], "Region": "eu-west-1"},
                          **{region: {"Id": ACCOUNTS[2], "Region": region} for region in REGIONS}}}), 6)
    resources = {}
    for logical in logical_ids:
        kind = draw(st.sampled_from(RESOURCE_TYPES))
        resource: dict = {"Type": kind, "Properties": _properties(draw, kind)}
        if draw(st.integers(0, 5)) == 0 and (_CTX["conditions"] or _LEVEL[0]):
            resource["Condition"] = draw(_names(_CTX["conditions"], CONDITIONS + ["Missing", 3]))
        if draw(st.integers(0, 6)) == 0:
            resource["Metadata"] = {"pipelint": {"ignore": sometimes(draw, st.lists(st.one_of(
                st.fixed_dictionaries({"id": _names(["PL101", "PL3", "PL301"], ["X", ""])},
                                      optional={"reason": st.text(max_size=5)}),
                _names(["PL301"], [3])), max_size=2))}}
        resources[logical] = sometimes(draw, st.just(resource), 25)
    template["Resources"] = resources
    if draw(st.integers(0, 2)) == 0:
        template["Outputs"] = {
            f"O{i}": sometimes(draw, st.fixed_dictionaries(
                {"Value": values}, optional={"Export": st.fixed_dictionaries(
                    {"Name": st.one_of(st.sampled_from(["Shared-KeyArn", "Shared-Bucket"]), values)})}), 10)
            for i in range(draw(st.integers(1, 3)))}
    if draw(st.integers(0, 8)) == 0:
        template["Metadata"] = {"pipelint": sometimes(draw, st.just({"ignore": [{"id": "PL401", "reason": "r"}]}))}
    return template


def dump(data: object, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(data, indent=1, default=str)
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


printable = st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=6)


def toml_string(value: str) -> str:
    return json.dumps(value)  # a JSON string is a valid TOML basic string


@st.composite
def deployment_maps(draw, templates_: list[str]) -> str | None:
    """A pipelint.toml for ``templates_`` (or None: no map at all)."""
    if draw(st.integers(0, 3)) == 0:
        return None
    lines = ['inputs = ["."]']
    if draw(st.integers(0, 4)) == 0:
        lines.append(f'org-id = "o-abcdefghij"\naccounts = [{toml_string(ACCOUNTS[0])}]')
    for template in templates_:
        for _ in range(draw(st.integers(0, 2))):
            lines.append("[[stacks]]")
            lines.append(f"template = {toml_string(template)}")
            if draw(st.integers(0, 5)):
                lines.append(f"account = {toml_string(draw(st.sampled_from(ACCOUNTS)))}")
            if draw(st.integers(0, 5)):
                lines.append(f"region = {toml_string(draw(st.sampled_from(REGIONS)))}")
            if draw(st.booleans()):
                lines.append('stack-name = "s"')
            params = draw(st.dictionaries(st.sampled_from(PARAMS), st.one_of(
                st.sampled_from(ACCOUNTS + REGIONS + ["yes", "a,b", ""]), printable), max_size=3))
            if params:
                lines.append("parameters = { " + ", ".join(f"{k} = {toml_string(v)}" for k, v in params.items())
                             + " }")
            if draw(st.integers(0, 3)) == 0:
                lines.append(f"physical-ids = {{ ArtifactKey = {toml_string(draw(printable))} }}")
    return "\n".join(lines) + "\n"


# -- structured generators ---------------------------------------------------------------------------


@fuzz_settings(120)
@given(st.data())
def test_structured_templates_never_crash(data):
    count = data.draw(st.integers(1, 3))
    files = {}
    for i in range(count):
        fmt = data.draw(st.sampled_from(["json", "yaml"]))
        name = f"t{i}.{fmt if fmt == 'json' else data.draw(st.sampled_from(['yaml', 'yml', 'template']))}"
        files[name] = dump(data.draw(templates()), fmt)
    config = data.draw(deployment_maps(list(files)))
    lint_files(files, config=config)


@st.composite
def pipeline_files(draw) -> object:
    _begin(draw)
    body = draw(pipeline_body(api=True))
    shape = draw(st.integers(0, 2))
    if shape == 0:
        meta = draw(st.one_of(st.fixed_dictionaries({"pipelineArn": values}), junk))
        return {"pipeline": body, "metadata": meta}
    if shape == 1:
        return {"pipeline": body}
    return body


@st.composite
def policy_files(draw) -> object:
    _begin(draw)
    doc = draw(policy_document())
    shape = draw(st.integers(0, 6))
    if shape == 0:
        return {"Role": sometimes(draw, st.fixed_dictionaries(
            {"Arn": values, "RoleName": st.just("r")}, optional={"AssumeRolePolicyDocument": st.just(doc)}))}
    if shape == 1:
        return {"KeyMetadata": sometimes(draw, st.fixed_dictionaries(
            {"Arn": values}, optional={"KeyManager": st.sampled_from(["AWS", "CUSTOMER"])}))}
    if shape == 2:
        return {"Policy": doc if isinstance(doc, str) else json.dumps(doc, default=str)}
    if shape == 3:
        return {"RoleName": "r", "PolicyName": "p", "PolicyDocument": doc}
    if shape == 4:
        return {"Attributes": {"Policy": doc}}
    return doc


@st.composite
def snapshots(draw) -> object:
    _begin(draw)
    def items(fields: dict) -> list:
        entry = st.fixed_dictionaries(fields[0], optional=fields[1])
        return draw(st.lists(entry if _LEVEL[0] == 0 else st.one_of(entry, junk), max_size=3))

    ident = plain_arns if _LEVEL[0] == 0 else values

    snap: dict = {"pipelint-snapshot": draw(st.sampled_from([1, 2, "1", None]))}
    for key, strategy in (("account", st.sampled_from(ACCOUNTS)), ("region", st.sampled_from(REGIONS))):
        if draw(st.integers(0, 4)):
            snap[key] = sometimes(draw, strategy, 8)
    unreadable = st.fixed_dictionaries({"unreadable": st.text(max_size=5)})
    policy = st.one_of(policy_document(), unreadable, st.none())
    table = {
        "pipelines": ({"arn": ident, "pipeline": pipeline_body(api=True)}, {}),
        "buckets": ({"name": ident}, {"region": st.one_of(values, unreadable), "versioning": st.one_of(
            st.sampled_from(["Enabled", "Suspended", None]), unreadable), "encryption_key": values,
            "policy": policy, "account": values}),
        "keys": ({"arn": ident}, {"region": values, "aliases": st.one_of(st.lists(values, max_size=2), junk),
                                   "aws_managed": junk, "policy": policy}),
        "roles": ({"arn": ident}, {"trust": policy, "inline_policies": st.one_of(
            st.dictionaries(st.text(max_size=3), policy, max_size=2), unreadable, junk),
            "managed_policy_arns": st.one_of(st.lists(values, max_size=2), unreadable, junk)}),
        "managed_policies": ({"arn": ident}, {"document": policy}),
        "queues": ({"arn": ident}, {"url": values, "policy": policy}),
        "functions": ({"arn": ident}, {"role_arn": st.one_of(values, unreadable)}),
        "projects": ({"arn": ident}, {"name": values, "service_role": values, "encryption_key": values}),
        "event_rules": ({"arn": ident}, {"targets": st.one_of(unreadable, st.lists(st.one_of(
            st.fixed_dictionaries({"id": values, "arn": values},
                                  optional={"role_arn": values, "dlq_arn": values}), junk), max_size=2))}),
    }
    for key, fields in table.items():
        if draw(st.integers(0, 2)) == 0:
            snap[key] = sometimes(draw, st.just(items(fields)), 10)
    if draw(st.integers(0, 4)) == 0:
        snap["unreadable"] = sometimes(draw, st.lists(st.text(max_size=8), max_size=2))
    return snap


@st.composite
def cdk_assemblies(draw) -> dict:
    _begin(draw)
    """A cdk.out folder: manifest.json (maybe with a nested assembly) and its templates."""
    files = {}
    artifacts: dict = {}
    for i in range(draw(st.integers(1, 3))):
        template_name = f"Stack{i}.template.json"
        files[f"cdk.out/{template_name}"] = dump(draw(templates()), "json")
        env = draw(st.one_of(st.sampled_from([f"aws://{ACCOUNTS[0]}/us-east-1", "aws://unknown-account/unknown-region",
                                              f"aws://{ACCOUNTS[1]}/", "aws://x", "gcp://1/2"]), junk))
        artifacts[f"Stack{i}"] = sometimes(draw, st.just({
            "type": "aws:cloudformation:stack", "environment": env,
            "properties": sometimes(draw, st.just({"templateFile": sometimes(draw, st.just(template_name), 8),
                                                   "stackName": f"s{i}"}), 8)}), 10)
    if draw(st.integers(0, 3)) == 0:
        artifacts["Stage"] = {"type": "cdk:cloud-assembly",
                              "properties": {"directoryName": draw(st.sampled_from(["assembly-Stage", ".", "..", 3]))}}
        files["cdk.out/assembly-Stage/manifest.json"] = json.dumps(
            {"artifacts": {"Nested": {"type": "aws:cloudformation:stack", "environment": f"aws://{ACCOUNTS[1]}/eu-west-1",
                                      "properties": {"templateFile": "Nested.template.json"}}}})
        files["cdk.out/assembly-Stage/Nested.template.json"] = dump(draw(templates()), "json")
    manifest = {"version": "36.0.0", "artifacts": sometimes(draw, st.just(artifacts), 10)}
    files["cdk.out/manifest.json"] = json.dumps(manifest, default=str)
    return files


@fuzz_settings(60)
@given(st.data())
def test_structured_other_inputs_never_crash(data):
    """Pipeline JSON, policy files, snapshots and cdk assemblies, mixed with a template."""
    files: dict = {}
    for i in range(data.draw(st.integers(1, 4))):
        kind = data.draw(st.sampled_from(["pipeline", "policy", "snapshot", "cdk", "template"]))
        if kind == "pipeline":
            files[f"pipeline{i}.json"] = dump(data.draw(pipeline_files()), "json")
        elif kind == "policy":
            files[f"policy{i}.{data.draw(st.sampled_from(['json', 'yaml']))}"] = dump(data.draw(policy_files()), "json")
        elif kind == "snapshot":
            files[f"snap{i}.json"] = dump(data.draw(snapshots()), "json")
        elif kind == "cdk" and not any(name.startswith("cdk.out/") for name in files):
            files.update(data.draw(cdk_assemblies()))
        else:
            files[f"t{i}.yaml"] = dump(data.draw(templates()), "yaml")
    config = None
    if data.draw(st.booleans()):
        lines = ['inputs = ["."]']
        for name in files:
            if name.startswith("pipeline") and data.draw(st.booleans()):
                lines.append(f'[[pipelines]]\nfile = "{name}"\naccount = "{ACCOUNTS[0]}"\nregion = "us-east-1"')
            if name.startswith("policy") and data.draw(st.booleans()):
                resource = data.draw(st.sampled_from([
                    "arn:aws:s3:::artifacts", f"arn:aws:kms:us-east-1:{ACCOUNTS[0]}:key/1234",
                    f"arn:aws:iam::{ACCOUNTS[1]}:role/deploy", f"arn:aws:sqs:us-east-1:{ACCOUNTS[0]}:dlq",
                    "arn:aws:sns:us-east-1:1:t", "not-an-arn"]))
                kind = data.draw(st.sampled_from(["bucket-policy", "key-policy", "trust-policy", "role-policy",
                                                  "queue-policy"]))
                lines.append(f'[[policies]]\nfile = "{name}"\nresource = "{resource}"\nkind = "{kind}"')
        config = "\n".join(lines) + "\n"
    lint_files(files, config=config)


# -- mutations of the fixtures -------------------------------------------------------------------


def _fixture_folders() -> list[Path]:
    """Every folder with a pipelint.toml under fixtures/ (a whole setup), plus fixtures/example."""
    return sorted({p.parent for p in FIXTURES.rglob("pipelint.toml")})


def _fixture_files() -> list[tuple[Path, Path]]:
    """(setup folder, input file) for every input file of every fixture setup."""
    pairs = []
    for folder in _fixture_folders():
        for path in sorted(folder.rglob("*")):
            if path.is_file() and path.suffix in (".json", ".yaml", ".yml") and path.name != "expected.json":
                pairs.append((folder, path))
    return pairs


FIXTURE_FILES = _fixture_files()
# every fixture file would be ~30 s per test; an evenly spaced sample of about 24 covers every input kind
SAMPLE = FIXTURE_FILES[::max(1, len(FIXTURE_FILES) // 24)]
SAMPLE_IDS = [str(path.relative_to(FIXTURES)) for _, path in SAMPLE]


def _read_setup(folder: Path) -> tuple[dict, str | None]:
    files = {}
    for path in folder.rglob("*"):
        if path.is_file() and path.name not in ("expected.json", "pipelint.toml"):
            files[str(path.relative_to(folder))] = path.read_bytes()
    config = folder / "pipelint.toml"
    return files, config.read_text() if config.exists() else None


def _paths(value: object, prefix: tuple = ()) -> list[tuple]:
    out = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            out.extend(_paths(item, prefix + (key,)))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            out.extend(_paths(item, prefix + (i,)))
    return out


def _mutate_tree(data: object, draw) -> object:
    """Replace, drop or duplicate a few random nodes of ``data`` (a parsed file)."""
    for _ in range(draw(st.integers(1, 4))):
        paths = _paths(data)
        path = draw(st.sampled_from(paths))
        if not path:
            data = draw(junk)
            continue
        parent = data
        for part in path[:-1]:
            parent = parent[part]
        last = path[-1]
        op = draw(st.integers(0, 3))
        if op == 0:
            parent[last] = draw(junk)
        elif op == 1:
            parent[last] = draw(values)
        elif op == 2:
            del parent[last]
        elif isinstance(parent, list):
            parent.append(parent[last])  # a shared object: aliasing inside the world
        else:
            parent[f"{last}2" if isinstance(last, str) else last] = parent[last]
    return data


@pytest.mark.parametrize("folder,path", SAMPLE, ids=SAMPLE_IDS)
@fuzz_settings(6)
@given(data=st.data())
def test_tree_mutations_of_fixtures_never_crash(folder, path, data):
    from pipelint.loaders.documents import load_document

    files, config = _read_setup(folder)
    document = load_document(path)
    mutated = _mutate_tree(json.loads(json.dumps(document.data)), data.draw)
    fmt = "json" if path.suffix == ".json" else "yaml"
    files[str(path.relative_to(folder))] = dump(mutated, fmt)
    lint_files(files, config=config)


@st.composite
def byte_mutations(draw, raw: bytes) -> bytes:
    data = bytearray(raw)
    for _ in range(draw(st.integers(1, 6))):
        if not data:
            data.extend(draw(st.binary(min_size=1, max_size=8)))
            continue
        at = draw(st.integers(0, len(data) - 1))
        op = draw(st.integers(0, 5))
        if op == 0:
            data[at] ^= 1 << draw(st.integers(0, 7))
        elif op == 1:
            del data[at:at + draw(st.integers(1, 40))]
        elif op == 2:
            data[at:at] = draw(st.one_of(st.binary(max_size=6), st.sampled_from(
                [b"{", b"}", b"[", b'"', b":", b"\n", b"  ", b"- ", b"!Ref ", b"&a ", b"*a", b"<<: ", b"\t",
                 b"\xff", b"\\u0000", b",", b"#"])))
        elif op == 3:
            end = min(len(data), at + draw(st.integers(1, 80)))
            data[at:at] = data[at:end]  # duplicate a span (duplicate keys, repeated blocks)
        elif op == 4:
            other = draw(st.integers(0, len(data) - 1))
            data[at], data[other] = data[other], data[at]
        else:
            del data[at:]
    return bytes(data)


@pytest.mark.parametrize("folder,path", SAMPLE, ids=SAMPLE_IDS)
@fuzz_settings(6)
@given(data=st.data())
def test_byte_mutations_of_fixtures_never_crash(folder, path, data):
    files, config = _read_setup(folder)
    files[str(path.relative_to(folder))] = data.draw(byte_mutations(path.read_bytes()))
    lint_files(files, config=config)
