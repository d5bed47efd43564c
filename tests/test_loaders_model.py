"""Loaders into one model: cross-stack imports, generated ids, cdk.out, pipeline JSON shapes, policy
files and their binding, snapshots, conditions and suppressions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipelint import config as config_module
from pipelint.config import Config
from pipelint.errors import InputError
from pipelint.loaders import load_world
from pipelint.values import Unknown

from conftest import FIXTURES


def world_of(tmp_path: Path, files: dict, toml: str | None = None):
    import os

    os.chdir(tmp_path)  # display paths are relative to the working directory (restored by the fixture)
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text if isinstance(text, str) else json.dumps(text))
    cfg = Config()
    if toml is not None:
        (tmp_path / "pipelint.toml").write_text(toml)
        cfg = config_module.load(tmp_path / "pipelint.toml")
    return load_world([tmp_path], cfg)


EXPORTER = """
Resources:
  Key:
    Type: AWS::KMS::Key
    Properties:
      KeyPolicy: {Version: "2012-10-17", Statement: []}
  Bucket:
    Type: AWS::S3::Bucket
Outputs:
  KeyArn:
    Value: !GetAtt Key.Arn
    Export: {Name: !Sub "${AWS::StackName}-key"}
  BucketName:
    Value: !Ref Bucket
    Export: {Name: shared-bucket}
"""
IMPORTER = """
Resources:
  Project:
    Type: AWS::CodeBuild::Project
    Properties:
      Name: build
      EncryptionKey: !ImportValue base-key
  Policy:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !ImportValue shared-bucket
      PolicyDocument: {Statement: [{Effect: Allow, Principal: "*", Action: "s3:GetObject", Resource: "*"}]}
"""
MAP = """
[[stacks]]
template = "base.yaml"
account = "111111111111"
region = "us-east-1"
stack-name = "base"
[[stacks]]
template = "app.yaml"
account = "111111111111"
region = "us-east-1"
"""


def test_import_value_links_generated_ids_across_stacks(in_tmp):
    world = world_of(in_tmp, {"base.yaml": EXPORTER, "app.yaml": IMPORTER}, MAP)
    [project] = world.projects.values()
    [key] = world.keys.values()
    assert project.encryption_key == key.arn == "arn:aws:kms:us-east-1:111111111111:key/⟨base@111111111111.us-east-1.Key⟩"
    [bucket] = world.buckets.values()
    assert bucket.name == "⟨base@111111111111.us-east-1.Bucket⟩"
    assert bucket.policy is not None and bucket.policy.source.file == "app.yaml"


def test_imports_only_from_the_same_account_and_region(in_tmp):
    other = MAP.replace('template = "app.yaml"\naccount = "111111111111"', 'template = "app.yaml"\naccount = "222222222222"')
    world = world_of(in_tmp, {"base.yaml": EXPORTER, "app.yaml": IMPORTER}, other)
    [project] = world.projects.values()
    assert isinstance(project.encryption_key, Unknown)
    assert "base-key" in project.encryption_key.reason


def test_physical_ids_replace_placeholders(in_tmp):
    toml = MAP.replace('stack-name = "base"', 'stack-name = "base"\nphysical-ids = { Key = "abcd-1234", Bucket = "real-bucket" }')
    world = world_of(in_tmp, {"base.yaml": EXPORTER, "app.yaml": IMPORTER}, toml)
    assert list(world.keys) == ["arn:aws:kms:us-east-1:111111111111:key/abcd-1234"]
    assert list(world.buckets) == ["real-bucket"]


def test_unmapped_template_has_unknown_account_naming_the_map(in_tmp):
    world = world_of(in_tmp, {"base.yaml": EXPORTER})
    [key] = world.keys.values()
    assert isinstance(key.account, Unknown)
    assert "[[tool.pipelint.stacks]]" in key.account.reason
    assert isinstance(key.arn, Unknown) and key.arn.shape == "arn:kms:key"


def test_condition_false_skips_resource_and_unknown_keeps_it(in_tmp):
    template = """
Parameters:
  Enabled: {Type: String, Default: "no"}
  Other: {Type: String}
Conditions:
  IsEnabled: !Equals [!Ref Enabled, "yes"]
  OtherSet: !Equals [!Ref Other, "yes"]
Resources:
  Skipped:
    Type: AWS::SQS::Queue
    Condition: IsEnabled
    Properties: {QueueName: skipped}
  Kept:
    Type: AWS::SQS::Queue
    Condition: OtherSet
    Properties: {QueueName: kept}
"""
    toml = '[[stacks]]\ntemplate = "t.yaml"\naccount = "111111111111"\nregion = "eu-west-1"\n'
    world = world_of(in_tmp, {"t.yaml": template}, toml)
    assert list(world.queues) == ["arn:aws:sqs:eu-west-1:111111111111:kept"]


def test_cdk_assembly_environment_and_nested_stage(in_tmp):
    stack = {"Resources": {"Q": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "q"}}}}
    manifest = {"version": "36.0.0", "artifacts": {
        "Top": {"type": "aws:cloudformation:stack", "environment": "aws://111111111111/us-east-1",
                "properties": {"templateFile": "Top.template.json"}},
        "Stage": {"type": "cdk:cloud-assembly", "properties": {"directoryName": "assembly-Stage"}}}}
    nested = {"version": "36.0.0", "artifacts": {
        "Agnostic": {"type": "aws:cloudformation:stack", "environment": "aws://unknown-account/unknown-region",
                     "properties": {"templateFile": "Agnostic.template.json"}}}}
    agnostic = {"Resources": {"Q": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "other"}}}}
    world = world_of(in_tmp, {"cdk.out/manifest.json": manifest, "cdk.out/Top.template.json": stack,
                                "cdk.out/assembly-Stage/manifest.json": nested,
                                "cdk.out/assembly-Stage/Agnostic.template.json": agnostic})
    assert [q.arn for q in world.queues.values() if q.account == "111111111111"] == [
        "arn:aws:sqs:us-east-1:111111111111:q"]
    assert [q for q in world.queues.values() if isinstance(q.account, Unknown)][0].account.reason.startswith(
        "stack Agnostic is environment-agnostic")


@pytest.mark.parametrize("given", ["cdk.out/manifest.json", "cdk.out/Top.template.json"])
def test_a_file_of_an_assembly_loads_the_assembly(in_tmp, given):
    """Naming the manifest or a template of a cdk.out (a pre-commit hook passes files) loads the whole
    assembly, so stacks keep the environment the manifest gives them."""
    stack = {"Resources": {"Q": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "q"}}}}
    manifest = {"version": "36.0.0", "artifacts": {
        "Top": {"type": "aws:cloudformation:stack", "environment": "aws://111111111111/us-east-1",
                "properties": {"templateFile": "Top.template.json"}}}}
    world_of(in_tmp, {"cdk.out/manifest.json": manifest, "cdk.out/Top.template.json": stack})
    world = load_world([in_tmp / given], Config())
    assert [q.arn for q in world.queues.values()] == ["arn:aws:sqs:us-east-1:111111111111:q"]
    assert world.files == ["cdk.out/Top.template.json"]


def test_deployment_map_adds_parameters_and_physical_ids_to_assembly_stacks(in_tmp):
    """A cloud assembly gives no parameter values and no generated ids: the deployment map may, while
    the manifest keeps the say on the environment (a disagreement is a notice)."""
    stack = {"Parameters": {"Suffix": {"Type": "String"}}, "Resources": {
        "Q": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": {"Fn::Sub": "q-${Suffix}"}}},
        "K": {"Type": "AWS::KMS::Key", "Properties": {}}}}
    manifest = {"version": "36.0.0", "artifacts": {
        "Top": {"type": "aws:cloudformation:stack", "environment": "aws://111111111111/us-east-1",
                "properties": {"templateFile": "Top.template.json"}}}}
    toml = ('[[stacks]]\ntemplate = "cdk.out/Top.template.json"\naccount = "999999999999"\n'
            'parameters = { Suffix = "blue" }\nphysical-ids = { K = "0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0" }\n')
    world = world_of(in_tmp, {"cdk.out/manifest.json": manifest, "cdk.out/Top.template.json": stack}, toml)
    assert [q.arn for q in world.queues.values()] == ["arn:aws:sqs:us-east-1:111111111111:q-blue"]
    assert list(world.keys) == ["arn:aws:kms:us-east-1:111111111111:key/0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0"]
    assert [(n.file, n.message) for n in world.notices] == [
        ("cdk.out/Top.template.json", "the deployment map's account 999999999999 differs from the cloud "
                                      "assembly's 111111111111; the manifest's is used")]


PIPELINE = {"name": "app", "roleArn": "arn:aws:iam::111111111111:role/p",
            "artifactStore": {"type": "S3", "location": "b"},
            "stages": [{"name": "S", "actions": [{"name": "A", "actionTypeId": {
                "category": "Source", "owner": "AWS", "provider": "S3", "version": "1"},
                "configuration": {"S3Bucket": "src", "S3ObjectKey": "k"}, "outputArtifacts": [{"name": "o"}]}]}]}


@pytest.mark.parametrize("shape", ["get-pipeline", "create-pipeline", "bare"])
def test_pipeline_json_shapes(in_tmp, shape):
    data = {"get-pipeline": {"pipeline": PIPELINE, "metadata": {"pipelineArn": "arn:aws:codepipeline:eu-west-1:111111111111:app"}},
            "create-pipeline": {"pipeline": PIPELINE}, "bare": PIPELINE}[shape]
    world = world_of(in_tmp, {"p.json": data})
    [pipeline] = world.pipelines
    assert pipeline.account == "111111111111"  # from metadata or the service role's account
    assert pipeline.actions[0].configuration["S3Bucket"] == "src"
    assert pipeline.actions[0].source.line is not None
    if shape == "get-pipeline":
        assert pipeline.region == "eu-west-1" and pipeline.key.endswith(":app")
    else:
        assert isinstance(pipeline.region, Unknown) and "[[tool.pipelint.pipelines]]" in pipeline.region.reason


def test_pipeline_json_region_from_config(in_tmp):
    toml = '[[pipelines]]\nfile = "p.json"\naccount = "111111111111"\nregion = "us-west-2"\n'
    world = world_of(in_tmp, {"p.json": {"pipeline": PIPELINE}}, toml)
    assert world.pipelines[0].key == "arn:aws:codepipeline:us-west-2:111111111111:app"


def test_pipeline_json_missing_field_is_input_error(in_tmp):
    bad = dict(PIPELINE)
    del bad["roleArn"]
    with pytest.raises(InputError, match="roleArn"):
        world_of(in_tmp, {"p.json": {"pipeline": bad}})


def test_policy_files_bind_or_are_reported(in_tmp):
    bucket_policy = {"Policy": json.dumps({"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                                                          "Resource": "arn:aws:s3:::artifacts/*"}]})}
    get_role = {"Role": {"Arn": "arn:aws:iam::222222222222:role/deploy", "RoleName": "deploy",
                         "AssumeRolePolicyDocument": {"Statement": []}}}
    key_policy = {"Policy": json.dumps({"Statement": []}), "PolicyName": "default"}
    toml = ('[[policies]]\nfile = "bound-key-policy.json"\n'
            'resource = "arn:aws:kms:us-east-1:111111111111:key/k1"\nkind = "key-policy"\n')
    world = world_of(in_tmp, {"bucket-policy.json": bucket_policy, "role.json": get_role,
                                "bound-key-policy.json": key_policy, "loose-key-policy.json": key_policy}, toml)
    assert world.buckets["artifacts"].policy.document["Statement"][0]["Action"] == "s3:GetObject"
    role = world.roles["arn:aws:iam::222222222222:role/deploy"]
    assert role.trust is not None and role.policies_complete is False
    assert world.keys["arn:aws:kms:us-east-1:111111111111:key/k1"].policy is not None
    assert [n.file for n in world.notices] == ["loose-key-policy.json"]
    assert "[[tool.pipelint.policies]]" in world.notices[0].message


def test_snapshot_unreadable_values_become_unknown(in_tmp):
    snap = {"pipelint-snapshot": 1, "account": "111111111111", "region": "us-east-1",
            "keys": [{"arn": "arn:aws:kms:us-east-1:111111111111:key/k1",
                      "policy": {"unreadable": "kms:GetKeyPolicy was denied"}}],
            "roles": [{"arn": "arn:aws:iam::111111111111:role/r", "trust": {"Statement": []},
                       "inline_policies": {"unreadable": "iam:ListRolePolicies was denied"}, "managed_policy_arns": []}]}
    world = world_of(in_tmp, {"snap/111111111111-us-east-1.json": snap})
    key = world.keys["arn:aws:kms:us-east-1:111111111111:key/k1"]
    assert isinstance(key.policy.document, Unknown) and "GetKeyPolicy" in key.policy.document.reason
    role = world.roles["arn:aws:iam::111111111111:role/r"]
    assert role.policies_complete is False


def test_snapshot_fields_left_out_are_not_known_and_null_is_none(in_tmp):
    snap = {"pipelint-snapshot": 1, "account": "111111111111", "region": "us-east-1",
            "buckets": [{"name": "left-out"}, {"name": "none", "versioning": None, "encryption_key": None,
                                               "policy": None}],
            "queues": [{"arn": "arn:aws:sqs:us-east-1:111111111111:q"}],
            "roles": [{"arn": "arn:aws:iam::111111111111:role/r"}]}
    world = world_of(in_tmp, {"snap/111111111111-us-east-1.json": snap})
    left_out = world.buckets["left-out"]
    assert [v.reason for v in (left_out.versioning, left_out.encryption_key, left_out.policy.document)] == [
        "the versioning of bucket left-out is not in the snapshot",
        "the default encryption of bucket left-out is not in the snapshot",
        "the bucket policy of left-out is not in the snapshot"]
    none = world.buckets["none"]
    assert (none.versioning, none.encryption_key, none.policy) == (None, None, None)
    assert world.queues["arn:aws:sqs:us-east-1:111111111111:q"].policy.document.reason == (
        "the queue policy of arn:aws:sqs:us-east-1:111111111111:q is not in the snapshot")
    assert isinstance(world.roles["arn:aws:iam::111111111111:role/r"].trust.document, Unknown)


def test_metadata_suppressions_are_recorded(in_tmp):
    template = """
Metadata:
  pipelint:
    ignore: [{id: PL202, reason: "no DLQ in sandboxes"}]
Resources:
  Q:
    Type: AWS::SQS::Queue
    Metadata:
      pipelint:
        ignore: [{id: pl401}]
"""
    world = world_of(in_tmp, {"t.yaml": template})
    got = sorted((s.rule, s.prefix, s.reason, s.source.line) for s in world.suppressions)
    assert got == [("PL202", (), "no DLQ in sandboxes", 4), ("PL401", ("Resources", "Q"), None, 10)]


def test_terraform_is_loaded_and_other_files_are_skipped_with_notice(in_tmp):
    world = world_of(in_tmp, {"main.tf": 'resource "aws_sqs_queue" "q" {\n  name = "q"\n}\n',
                              "package.json": {"name": "app"}, "vars/prod.tfvars": 'a = 1\n'})
    assert sorted((n.file, n.message.split(";")[0]) for n in world.notices) == [
        ("package.json", "not a template, pipeline, policy or snapshot"),
        ("vars/prod.tfvars", "a .tfvars file outside a folder of .tf files")]
    assert "main.tf" in world.files
    assert [(q.key, q.source.line) for q in world.queues.values()] == [("aws_sqs_queue.q", 1)]


def test_locations_after_a_condition_removed_list_items():
    """Issue 11: stages, actions, artifact stores and statements that a condition filtered point at
    the item as written, not at whatever now stands at its index."""
    import os

    from pipelint import runner

    case = FIXTURES / "rules" / "PL102" / "fail" / "store-removed-by-condition"
    old = os.getcwd()
    os.chdir(case)
    try:
        world = runner.check([Path(".")], runner.find_config(None, [Path(".")])).world
    finally:
        os.chdir(old)
    pipeline = world.pipelines[0]
    where = {a.label: (a.source.line, a.source.path[-4:]) for a in pipeline.actions}
    # the SmokeTest stage (Stages/2) is removed: Deploy is the third stage left but written as Stages/3
    assert where["Deploy/DeployUS"] == (145, ("Stages", 3, "Actions", 0))
    assert where["Deploy/DeployEU"] == (157, ("Actions", 1, "Fn::If", 1))
    assert pipeline.actions[-1].stage_source.line == 143
    store, why = pipeline.removed_stores["eu-west-1"]
    assert store.line == 112 and why == "condition EuropeStore is false with WithSmokeTests = 'false', DeployToEurope = 'true'"


def test_codecommit_and_ssm_attributes(in_tmp):
    """CloudFormation resource reference: CodeCommit's Name/Arn/CloneUrl* and an SSM parameter's Value
    are what the template says; a custom resource's attribute is computed at deploy time."""
    from pipelint.loaders.cloudformation import att_value, ref_value
    from pipelint.loaders.documents import parse_document
    from pipelint.loaders import cloudformation

    text = """
Resources:
  Repo: {Type: AWS::CodeCommit::Repository, Properties: {RepositoryName: app}}
  Ids: {Type: AWS::SSM::Parameter, Properties: {Name: /accounts/prod, Type: String, Value: "333333333333"}}
  Custom: {Type: Custom::Lookup, Properties: {ServiceToken: x}}
"""
    document = parse_document(text, "t.yaml")
    stack = cloudformation.make_stack(document, "111111111111", "eu-west-1", "s", {}, cloudformation.Exports(), "t")
    assert att_value(stack, "Repo", "Name") == "app"
    assert att_value(stack, "Repo", "Arn") == "arn:aws:codecommit:eu-west-1:111111111111:app"
    assert att_value(stack, "Repo", "CloneUrlHttp") == "https://git-codecommit.eu-west-1.amazonaws.com/v1/repos/app"
    assert "⟨" in ref_value(stack, "Repo")  # Ref is the generated repository id
    assert att_value(stack, "Ids", "Value") == "333333333333" and ref_value(stack, "Ids") == "/accounts/prod"
    custom = att_value(stack, "Custom", "Anything")
    assert isinstance(custom, Unknown) and "computed when the stack deploys: nothing offline settles it" in custom.reason


def test_fix_text_offers_an_input_only_when_one_helps():
    from pipelint.values import fix_for

    assert fix_for("parameter X has no value") == "Add to the inputs: parameter X has no value"
    assert fix_for("the time of the request: nothing offline settles it").startswith("No input settles this offline")
    mixed = "parameter X has no value; the time of the request: nothing offline settles it"
    assert fix_for(mixed).startswith("Add to the inputs")
