"""One test per crash the fuzzers found in the loaders and the policy evaluator (each fixed where it
was found), so it stays fixed even when the random generators stop producing it."""

from __future__ import annotations

import json
import os
import textwrap
from pathlib import Path

import pytest

from pipelint import runner
from pipelint.config import Config
from pipelint.errors import InputError
from pipelint.loaders import load_world
from pipelint.values import Unknown


def _world(tmp_path: Path, files: dict[str, str], config: str | None = None):
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text) if isinstance(text, str) else json.dumps(text))
    cfg = Config()
    if config is not None:
        (tmp_path / "pipelint.toml").write_text(textwrap.dedent(config))
        cfg = runner.find_config(tmp_path / "pipelint.toml")
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        outcome = runner.check([tmp_path], cfg, baseline=False)
        runner.render(outcome, "json")
        runner.render(outcome, "text")
        return outcome.world
    finally:
        os.chdir(cwd)


MAP = """\
    [[stacks]]
    template = "t.yaml"
    account = "111111111111"
    region = "us-east-1"
"""


# -- cloudformation ---------------------------------------------------------------------------------


@pytest.mark.parametrize("text,cycle", [
    ("""\
     Resources:
       Bucket:
         Type: AWS::S3::Bucket
         Properties:
           BucketName: !Ref Bucket
     """, ["Bucket.BucketName -> Bucket.BucketName"]),
    ("""\
     Resources:
       A:
         Type: AWS::IAM::Role
         Properties:
           RoleName: !Sub "${B}-a"
       B:
         Type: AWS::S3::Bucket
         Properties:
           BucketName: !GetAtt A.Arn
     """, ["A.RoleName", "B.BucketName"]),
])
def test_name_that_refers_to_itself_is_a_circular_dependency(tmp_path, text, cycle):
    """Was: RecursionError, reported as 'the value is nested too deeply to resolve'."""
    with pytest.raises(InputError) as caught:
        _world(tmp_path, {"t.yaml": text}, MAP)
    assert "circular dependency" in caught.value.message
    assert all(step in caught.value.message for step in cycle)
    assert caught.value.line in (5, 9)


def test_resource_type_that_is_not_a_string(tmp_path):
    """Was: TypeError 'unhashable type: list' in _load_resource."""
    with pytest.raises(InputError) as caught:
        _world(tmp_path, {"t.yaml": """\
            AWSTemplateFormatVersion: "2010-09-09"
            Resources:
              Odd:
                Type: [AWS::S3::Bucket]
            """})
    assert caught.value.line == 4 and "Type of resource Odd must be a string" in caught.value.message


def test_pipeline_fields_of_the_wrong_type_become_unknown(tmp_path):
    """Was: AttributeError in PL101 ('dict' object has no attribute 'startswith') for an
    encryptionKey.id that is a mapping; the model promised rules a string, an Unknown or None."""
    world = _world(tmp_path, {"t.yaml": """\
        Resources:
          Pipeline:
            Type: AWS::CodePipeline::Pipeline
            Properties:
              RoleArn: [arn:aws:iam::111111111111:role/p]
              ArtifactStore:
                Type: S3
                Location: {Bucket: b}
                EncryptionKey: {Id: {Key: k}, Type: 7}
              Stages:
                - Name: Deploy
                  Actions:
                    - Name: A
                      ActionTypeId: {Category: [Deploy], Owner: AWS, Provider: {P: 1}, Version: "1"}
                      RoleArn: 42
                      Region: [us-east-1]
                      Configuration: {RoleArn: [x], StackName: s, PollForSourceChanges: false}
                      InputArtifacts: [{Name: [a]}]
                - Name: Broken
                  Actions: 3
          Other:
            Type: AWS::CodePipeline::Pipeline
            Properties: {Stages: 5, RoleArn: arn:aws:iam::111111111111:role/p}
        """}, MAP)
    pipeline = next(p for p in world.pipelines if p.source.path[1] == "Pipeline")
    store = pipeline.artifact_store
    assert isinstance(pipeline.role_arn, Unknown)
    assert isinstance(store.bucket, Unknown) and isinstance(store.key_id, Unknown) and isinstance(store.key_type, Unknown)
    (action,) = pipeline.actions
    for value in (action.category, action.provider, action.role_arn, action.region, action.input_artifacts[0]):
        assert isinstance(value, Unknown), value
    assert isinstance(action.configuration["RoleArn"], Unknown)
    assert action.configuration["StackName"] == "s" and action.configuration["PollForSourceChanges"] is False


def test_role_and_rule_lists_of_the_wrong_type(tmp_path):
    """Was: TypeError ('int' object is not iterable) for Policies/ManagedPolicyArns/Targets that are not
    lists; a list property that is not a list now makes the role's policies unknown, not empty."""
    world = _world(tmp_path, {"t.yaml": """\
        Parameters:
          Arns: {Type: CommaDelimitedList}
        Resources:
          Role:
            Type: AWS::IAM::Role
            Properties:
              RoleName: r
              AssumeRolePolicyDocument: {Statement: []}
              Policies: 3
              ManagedPolicyArns: arn:aws:iam::aws:policy/AdministratorAccess
          Role2:
            Type: AWS::IAM::Role
            Properties:
              RoleName: r2
              ManagedPolicyArns: !Ref Arns
          Rule:
            Type: AWS::Events::Rule
            Properties:
              Targets: {Id: t, Arn: arn:aws:codepipeline:us-east-1:111111111111:p}
          Rule2:
            Type: AWS::Events::Rule
            Properties:
              Targets: [{Id: [t], Arn: {A: 1}, RoleArn: 1, DeadLetterConfig: {Arn: []}}]
          Bucket:
            Type: AWS::S3::Bucket
            Properties: {BucketName: 2024, VersioningConfiguration: {Status: [Enabled]}}
          Fn:
            Type: AWS::Lambda::Function
            Properties: {Role: {R: 1}}
          Build:
            Type: AWS::CodeBuild::Project
            Properties: {ServiceRole: [s], EncryptionKey: 3}
        """}, MAP)
    role = world.roles["arn:aws:iam::111111111111:role/r"]
    assert isinstance(role.inline_policies[-1].document, Unknown)
    assert all(isinstance(arn, Unknown) for arn in role.managed_policy_arns) and role.managed_policy_arns
    role2 = world.roles["arn:aws:iam::111111111111:role/r2"]
    assert len(role2.managed_policy_arns) == 1 and isinstance(role2.managed_policy_arns[0], Unknown)
    rules = {r.source.path[1]: r for r in world.event_rules}
    assert rules["Rule"].targets == []
    target = rules["Rule2"].targets[0]
    assert all(isinstance(v, Unknown) for v in (target.id, target.arn, target.role_arn, target.dlq_arn))
    bucket = world.buckets["2024"]
    assert isinstance(bucket.versioning, Unknown)
    assert all(isinstance(f.role_arn, Unknown) for f in world.functions.values())
    assert all(isinstance(p.service_role, Unknown) and isinstance(p.encryption_key, Unknown)
               for p in world.projects.values())


# -- snapshots ----------------------------------------------------------------------------------


@pytest.mark.parametrize("snapshot,where,words", [
    ({"buckets": [{"region": "us-east-1"}]}, ("buckets", 0), "buckets[0] needs 'name'"),
    ({"keys": [{"arn": "not-an-arn"}]}, ("keys", 0), "keys[0] needs 'arn', an ARN"),
    ({"roles": 3.5}, ("roles",), "'roles' must be a list"),
    ({"roles": ["arn:aws:iam::111111111111:role/r"]}, ("roles", 0), "roles[0] must be a mapping"),
    ({"keys": [{"arn": "arn:aws:kms:us-east-1:111111111111:key/k", "aliases": "alias/a"}]},
     ("keys", 0, "aliases"), "keys[0].aliases must be a list of strings"),
    ({"roles": [{"arn": "arn:aws:iam::111111111111:role/r", "inline_policies": [1]}]},
     ("roles", 0, "inline_policies"), "must be a mapping"),
    ({"event_rules": [{"arn": "arn:aws:events:us-east-1:111111111111:rule/r", "targets": [None]}]},
     ("event_rules", 0, "targets"), "event_rules[0].targets[0] must be a mapping"),
    ({"pipelines": [{"arn": "arn:aws:codepipeline:us-east-1:111111111111:p", "pipeline": 1.5}]},
     ("pipelines", 0), "needs a 'pipeline' mapping"),
    ({"account": 111111111111}, ("account",), "'account' must be a string"),
    ({"unreadable": 3}, ("unreadable",), "unreadable must be a list of strings"),
])
def test_malformed_snapshot_is_an_input_error_at_the_entry(tmp_path, snapshot, where, words):
    """Was: KeyError / TypeError / AttributeError from the snapshot loader."""
    text = json.dumps({"pipelint-snapshot": 1, "account": "111111111111", "region": "us-east-1", **snapshot},
                      indent=2)
    with pytest.raises(InputError) as caught:
        _world(tmp_path, {"snap.json": text})
    assert words in caught.value.message and "pipelint snapshot" in caught.value.message
    assert caught.value.line is not None and caught.value.line > 1


def test_snapshot_unreadable_markers_still_load(tmp_path):
    world = _world(tmp_path, {"snap.json": json.dumps({
        "pipelint-snapshot": 1, "account": "111111111111", "region": "us-east-1",
        "buckets": [{"name": "b", "versioning": {"unreadable": "s3:GetBucketVersioning denied"}}],
        "roles": [{"arn": "arn:aws:iam::111111111111:role/r", "inline_policies": {"unreadable": "denied"},
                   "managed_policy_arns": {"unreadable": "denied"}}],
        "event_rules": [{"arn": "arn:aws:events:us-east-1:111111111111:rule/r", "targets": {"unreadable": "x"}}],
    })})
    assert isinstance(world.buckets["b"].versioning, Unknown)
    assert world.roles["arn:aws:iam::111111111111:role/r"].policies_complete is False


# -- cdk ------------------------------------------------------------------------------------------


def test_cdk_manifest_with_properties_that_are_not_a_mapping(tmp_path):
    """Was: AttributeError ('list' object has no attribute 'get') in loaders.cdk."""
    template = json.dumps({"Resources": {"B": {"Type": "AWS::S3::Bucket"}}})
    manifest = {"artifacts": {
        "Good": {"type": "aws:cloudformation:stack", "environment": "aws://111111111111/us-east-1",
                 "properties": {"templateFile": "Good.template.json", "stackName": ["x"]}},
        "Odd": {"type": "cdk:cloud-assembly", "properties": [1]},
    }}
    world = _world(tmp_path, {"cdk.out/manifest.json": json.dumps(manifest), "cdk.out/Good.template.json": template})
    assert world.files
    manifest["artifacts"]["Bad"] = {"type": "aws:cloudformation:stack", "properties": "Good.template.json"}
    (tmp_path / "cdk.out/manifest.json").write_text(json.dumps(manifest, indent=1))
    with pytest.raises(InputError) as caught:
        load_world([tmp_path], Config())
    assert "stack artifact Bad has no templateFile" in caught.value.message


def test_list_accounts_with_an_entry_that_is_not_an_object(in_tmp):
    """Fuzzing found it: a list-accounts output whose Accounts hold a non-object crashed the loader."""
    import json

    from pipelint import runner
    from pipelint.config import Config

    (in_tmp / "accounts.json").write_text(json.dumps({"Accounts": [None, {"Id": "111111111111", "Status": "ACTIVE"}]}))
    outcome = runner.check([in_tmp], Config())
    assert outcome.world.organization.members == {"111111111111"}


def test_pipeline_json_whose_arn_is_an_object(tmp_path):
    """A get-pipeline output whose metadata.pipelineArn is an object (a CloudFormation Ref pasted in) gives
    the pipeline an odd key; the chain's trigger links looked pipelines up by key and crashed."""
    world = _world(tmp_path, {"pipeline.json": {
        "pipeline": {"name": "app", "roleArn": "arn:aws:iam::111111111111:role/pipeline",
                     "artifactStore": {"type": "S3", "location": "bucket"}, "stages": []},
        "metadata": {"pipelineArn": {"Ref": "Pipeline"}}}})
    assert [p.name for p in world.pipelines] == ["app"]
