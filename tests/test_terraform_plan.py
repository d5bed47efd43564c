"""The plan loader, on real ``terraform show -json`` output (fixtures/terraform-plans/, made by its
regenerate.py with Terraform 1.11 and the AWS provider 5.100 against moto)."""

from __future__ import annotations

import json
from pathlib import Path

from pipelint import runner
from pipelint.config import Config
from pipelint.loaders import load_world
from pipelint.values import Unknown

from conftest import FIXTURES

PLANS = FIXTURES / "terraform-plans"


def test_the_plan_of_the_example_lints_clean_with_its_real_arns():
    outcome = runner.check([PLANS / "example" / "plan.json"], Config())
    assert [f for f in outcome.findings] == []
    world = outcome.world
    (pipeline,) = world.pipelines
    assert pipeline.key == "arn:aws:codepipeline:us-east-1:111111111111:release"
    assert sorted(pipeline.artifact_stores) == ["eu-west-1", "us-east-1"]
    keys = {k.region: k for k in world.keys.values()}
    assert pipeline.artifact_stores["eu-west-1"].key_id == keys["eu-west-1"].arn  # a real key id, from the state
    assert "⟨" not in keys["eu-west-1"].arn and keys["eu-west-1"].aliases == ["alias/release-artifacts"]
    roles = sorted(world.roles)
    assert "arn:aws:iam::222222222222:role/pipeline-deploy" in roles  # the workload account, via assume_role
    deploy = world.roles["arn:aws:iam::222222222222:role/pipeline-deploy"]
    assert deploy.source.path == ("module.workload.aws_iam_role.deploy",) and deploy.source.file.endswith("plan.json")
    bucket = world.buckets["release-artifacts-111111111111-eu-west-1"]
    assert (bucket.account, bucket.region, bucket.versioning) == ("111111111111", "eu-west-1", "Enabled")
    assert world.queues["arn:aws:sqs:us-east-1:111111111111:release-trigger-dlq"].policy is not None
    assert world.notices == []


def test_a_first_deployment_plan_names_what_is_known_only_after_apply():
    outcome = runner.check([PLANS / "example-first-deployment" / "plan.json"], Config())
    assert {f.verdict for f in outcome.findings} == {"unverified"}
    got = sorted((f.rule_id, f.settle) for f in outcome.findings)
    assert ("PL303", "module.pipeline.aws_codepipeline.release.stage.2.action.0.role_arn is known only after apply "
                     "(this plan creates the resource: lint the .tf configuration, or a plan made once it exists)") in got
    # an action region the configuration does not set is the pipeline's region, not an unknown
    (pipeline,) = outcome.world.pipelines
    assert [a.region for a in pipeline.actions[:2]] == [None, None]
    # a reference the plan records is named
    policy = next(n for n in outcome.world.notices if "aws_s3_bucket_policy.artifacts" in n.message)
    assert "it comes from aws_s3_bucket.artifacts.id" in policy.message


def _plan(tmp_path: Path, resources: list, provider_config: dict, data: list = (), changes: list = ()) -> Path:
    plan = {
        "format_version": "1.2", "terraform_version": "1.11.4",
        "planned_values": {"root_module": {"resources": resources}},
        "prior_state": {"values": {"root_module": {"resources": list(data)}}},
        "resource_changes": list(changes),
        "configuration": {"provider_config": provider_config, "root_module": {"resources": [
            {"address": r["address"], "type": r["type"], "mode": r["mode"],
             "provider_config_key": r.pop("_provider", "aws"), "expressions": {}} for r in [*resources, *data]]}},
    }
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan, indent=1))
    return path


def test_accounts_come_from_arns_then_caller_identity_then_constants_then_the_map(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    resources = [
        {"address": "aws_s3_bucket.by_identity", "mode": "managed", "type": "aws_s3_bucket", "_provider": "aws.a",
         "values": {"bucket": "by-identity"}},
        {"address": "aws_s3_bucket.by_constant", "mode": "managed", "type": "aws_s3_bucket", "_provider": "aws.b",
         "values": {"bucket": "by-constant"}},
        {"address": "aws_s3_bucket.by_map", "mode": "managed", "type": "aws_s3_bucket", "_provider": "aws.c",
         "values": {"bucket": "by-map"}},
        {"address": "aws_s3_bucket.unknown", "mode": "managed", "type": "aws_s3_bucket", "_provider": "aws",
         "values": {"bucket": "unknown", "region": "us-east-2"}},
    ]
    data = [{"address": "data.aws_caller_identity.me", "mode": "data", "type": "aws_caller_identity",
             "_provider": "aws.a", "values": {"account_id": "444444444444"}},
            {"address": "data.aws_region.here", "mode": "data", "type": "aws_region", "_provider": "aws.a",
             "values": {"name": "ap-south-1"}}]
    providers = {
        "aws.a": {"name": "aws", "alias": "a"},
        "aws.b": {"name": "aws", "alias": "b", "expressions": {
            "region": {"constant_value": "eu-west-1"},
            "assume_role": [{"role_arn": {"constant_value": "arn:aws:iam::555555555555:role/terraform"}}]}},
        "aws.c": {"name": "aws", "alias": "c"},
    }
    path = _plan(tmp_path, resources, providers, data)
    (tmp_path / "pipelint.toml").write_text(
        '[[stacks]]\ntemplate = "plan.json"\nproviders = { "aws.c" = { account = "666666666666", region = "ca-central-1" } }\n')
    from pipelint import config as config_module

    world = load_world([path], config_module.load(tmp_path / "pipelint.toml"))
    got = {b.name: (b.account, b.region) for b in world.buckets.values()}
    assert got["by-identity"] == ("444444444444", "ap-south-1")
    assert got["by-constant"] == ("555555555555", "eu-west-1")
    assert got["by-map"] == ("666666666666", "ca-central-1")
    account, region = got["unknown"]
    assert region == "us-east-2" and isinstance(account, Unknown)
    assert account.reason == ('the account of provider aws in plan plan.json is not known: give it in the '
                              'deployment map ([[stacks]] template = "plan.json", account = "..."), or read data '
                              '"aws_caller_identity" with that provider')


def test_a_plan_that_is_not_well_formed_is_bad_input(tmp_path, monkeypatch):
    import subprocess
    import sys

    monkeypatch.chdir(tmp_path)
    (tmp_path / "plan.json").write_text(json.dumps({"format_version": "1.2", "terraform_version": "1.11.4",
                                                    "planned_values": {"root_module": [1]}}))
    proc = subprocess.run([sys.executable, "-m", "pipelint", "check", "plan.json"], capture_output=True, text=True)
    assert proc.returncode == 2 and "plan.json:" in proc.stderr and "root_module" in proc.stderr, proc.stderr
