"""`pipelint audit` against moto in server mode: the example world (three accounts, two regions) audits
clean, only read-only operations are called, each resource is read once, nothing secret is written, and
what cannot be read (AccessDenied, a 403 with an XML body, an account that cannot be assumed, a region
that is not enabled, a missing resource) becomes an unverified finding or a notice while the rest is
still audited."""

from __future__ import annotations

import json
import os
from collections import Counter

import pytest
from typer.testing import CliRunner

from pipelint import live
from pipelint.cli import app
from pipelint.config import Config
from pipelint.errors import UsageError
from pipelint.live import guard

from test_live_support import (AUDITOR, EU, OTHER, TARGET, TOOLING, US, Defects, MotoServer, World, api_params,
                               aws_environment, deny, login_tooling, session, xml_403)

RELEASE = f"arn:aws:codepipeline:{US}:{TOOLING}:release"
SERVICE = f"arn:aws:codepipeline:{EU}:{TOOLING}:service"


@pytest.fixture(scope="module")
def aws():
    server = MotoServer()
    with aws_environment(server.endpoint):
        yield server
    server.stop()


@pytest.fixture(scope="module")
def world(aws):
    aws.reset()
    built = World()
    built.example(Defects(secrets=True))
    login_tooling()
    return built


def audit(hooks=(), save=None, **options):
    options = {"regions": [US, EU], "assume_role": AUDITOR, "workers": 8, **options}
    return live.audit(live.AuditOptions(**options), Config(), save=save, hooks=hooks)


def shown(outcome):
    return [(f.rule_id, f.verdict, f.message) for f in outcome.findings]


def test_the_example_audits_clean(world):
    outcome, snapshot = audit()
    assert shown(outcome) == []
    assert outcome.world.notices == []
    assert snapshot.pipelines() == [SERVICE, RELEASE]
    assert snapshot.unreadable() == []
    assert sorted(snapshot.files) == sorted([(TOOLING, US), (TOOLING, EU), (TOOLING, "global"),
                                             (TARGET, "global"), (OTHER, "global")])
    release = next(p for p in outcome.world.pipelines if p.key == RELEASE)
    assert {a.label for a in release.actions} == {"Source/Source", "Build/Build", "Deploy/DeployUS", "Deploy/DeployEU"}
    assert len(outcome.world.roles) == 10 and len(outcome.world.keys) == 2 and len(outcome.world.buckets) == 4
    assert [f.name for f in outcome.world.functions.values()] == ["service-validate"]


def test_only_read_only_operations_each_resource_once(world):
    calls = []

    def record(model=None, params=None, context=None, request_signer=None, **_):
        # which account: the signing credentials (one access key per account); which region: the client's
        who = getattr(getattr(request_signer, "_credentials", None), "access_key", None)
        request = params or {}
        what = [request.get("url"), api_params(request)]
        calls.append((who, (context or {}).get("client_region"), model.service_model.service_name, model.name,
                      json.dumps(what, sort_keys=True, default=str)))

    outcome, snapshot = audit(hooks=[("before-call", record)])
    assert shown(outcome) == []
    operations = {(service, name) for _, _, service, name, _ in calls}
    refused = sorted(op for op in operations if not guard.is_read_only(*op))
    assert refused == []
    # every permission used is in the shipped least-privilege policy (AssumeRole is granted separately)
    policy = json.loads(live.policy_text())
    granted = {a for s in policy["Statement"] for a in s["Action"]}
    from pipelint.live.clients import permission

    used = {permission(s, o) for s, o in operations} - {"sts:AssumeRole", "sts:GetCallerIdentity"}
    assert used <= granted, used - granted
    repeated = [call for call, n in Counter(calls).items() if n > 1]
    assert repeated == []
    assert sum(1 for *_, name, _ in calls if name == "AssumeRole") == 2  # one per other account
    assert snapshot.calls == len(calls)


def test_nothing_secret_is_written(world, tmp_path):
    audit(save=tmp_path)
    text = "".join(p.read_text() for p in tmp_path.glob("*.json"))
    assert "planted-" not in text  # OAuthToken, plaintext CodeBuild variables, Lambda environment
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        assert os.environ[name] not in text
    assert "SecretAccessKey" not in text and "SessionToken" not in text


@pytest.mark.parametrize("how", ["client-error", "xml-403"])
def test_access_denied_on_one_key_policy(world, how):
    us_key = world.keys[US]
    if how == "client-error":
        hook = deny("kms", "GetKeyPolicy", lambda p: p.get("KeyId") == us_key, code="AccessDeniedException")
    else:
        hook = xml_403("kms", "GetKeyPolicy", lambda p: p.get("KeyId") == us_key)
    outcome, snapshot = audit(hooks=[hook])
    # every role that touches the us-east-1 artifacts needs that key policy: the pipeline role (S3
    # source), the CodeBuild project's role and the deploy role in the workload account
    assert sorted((f.rule_id, f.verdict, f.resources[1]) for f in outcome.findings) == [
        ("PL302", "unverified", f"arn:aws:iam::{TOOLING}:role/release-build"),
        ("PL302", "unverified", f"arn:aws:iam::{TOOLING}:role/release-pipeline"),
        ("PL302", "unverified", f"arn:aws:iam::{TARGET}:role/pipeline-deploy")]
    assert all(f.resources == [RELEASE, f.resources[1], us_key] for f in outcome.findings)
    assert all("kms:GetKeyPolicy" in f.fix and "was denied" in f.fix for f in outcome.findings)
    assert snapshot.pipelines() == [SERVICE, RELEASE]  # everything else was still read


def test_an_account_that_cannot_be_assumed(world):
    hook = deny("sts", "AssumeRole", lambda p: f":{OTHER}:" in p.get("RoleArn", ""))
    outcome, snapshot = audit(hooks=[hook])
    assert outcome.findings, "the deploy into the unreachable account must be unverified"
    assert {f.verdict for f in outcome.findings} == {"unverified"}
    assert all(SERVICE in f.resources for f in outcome.findings)  # release is untouched and clean
    assert {f.rule_id for f in outcome.findings} >= {"PL303", "PL304"}
    reason = f"sts:AssumeRole on arn:aws:iam::{OTHER}:role/{AUDITOR} failed (AccessDenied)"
    assert all(reason in f.fix for f in outcome.findings)
    assert any(reason in r for r in snapshot.unreadable())


def test_without_assume_role_other_accounts_are_named(world):
    outcome, _ = audit(assume_role=None)
    assert outcome.findings and {f.verdict for f in outcome.findings} == {"unverified"}
    assert all("--assume-role" in f.fix for f in outcome.findings)


def test_a_region_that_is_not_enabled(world):
    hook = deny("codepipeline", "ListPipelines", code="UnrecognizedClientException", region=EU)
    outcome, snapshot = audit(hooks=[hook])
    assert snapshot.pipelines() == [RELEASE]
    assert shown(outcome) == []  # release (whose artifacts live in both regions) is still audited
    notes = [n.message for n in outcome.world.notices]
    assert len(notes) == 1 and f"region {EU} may not be enabled" in notes[0] and "codepipeline:ListPipelines" in notes[0]


def test_a_missing_role_is_named(world):
    hook = deny("iam", "GetRole", lambda p: p.get("RoleName") == "release-trigger", code="NoSuchEntity")
    outcome, _ = audit(hooks=[hook])
    trigger = f"arn:aws:iam::{TOOLING}:role/release-trigger"
    assert sorted((f.rule_id, f.verdict, tuple(f.resources)) for f in outcome.findings) == [
        ("PL306", "unverified", (f"arn:aws:events:{US}:{TOOLING}:rule/release-source-changed", RELEASE))] * 2 + [
        ("PL502", "fail", (RELEASE, trigger))]
    assert all(f"role {trigger} does not exist" in f.fix for f in outcome.findings if f.rule_id == "PL306")
    missing = next(f for f in outcome.findings if f.rule_id == "PL502")  # what the account holds now
    assert f"{trigger}, does not exist in account {TOOLING}" in missing.message


def test_listing_rules_denied_is_a_notice(world):
    outcome, _ = audit(hooks=[deny("events", "ListRuleNamesByTarget")], regions=[US])
    notes = [n.message for n in outcome.world.notices]
    assert len(notes) == 1 and "events:ListRuleNamesByTarget" in notes[0] and RELEASE in notes[0]


def test_pipelines_and_accounts_can_be_chosen(world):
    _, snapshot = audit(pipelines=["release"])
    assert snapshot.pipelines() == [RELEASE]
    assert (OTHER, "global") not in snapshot.files
    with pytest.raises(UsageError, match="no pipeline named nope"):
        audit(pipelines=["nope"])
    outcome, snapshot = audit(accounts=[TOOLING, TARGET])
    assert snapshot.accounts == [TOOLING, TARGET] and snapshot.pipelines() == [SERVICE, RELEASE]
    assert {f.verdict for f in outcome.findings} == {"unverified"}
    assert all("outside the accounts of this audit" in f.fix for f in outcome.findings)


def test_progress_bar_and_summary(world, capsys):
    outcome, snapshot = audit(progress=True, workers=2)
    assert shown(outcome) == []
    line = live.summary(snapshot)
    assert "2 pipeline(s)" in line and "3 account(s)" in line and f"{snapshot.calls} API call(s)" in line


def test_cli_exit_codes(world, tmp_path, monkeypatch):
    runner = CliRunner()
    args = ["audit", "--region", US, "--region", EU, "--assume-role", AUDITOR, "--no-progress"]
    result = runner.invoke(app, [*args, "--format", "json", "--save", str(tmp_path / "snap")])
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["findings"] == []
    assert "audited 2 pipeline(s)" in result.stderr
    check = runner.invoke(app, ["check", str(tmp_path / "snap"), "--format", "json"])
    assert check.exit_code == 0 and json.loads(check.stdout)["findings"] == []
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    result = runner.invoke(app, ["audit", "--no-progress"])
    assert result.exit_code == 2 and "no AWS region" in result.stderr
    result = runner.invoke(app, [*args, "--pipeline", "nope"])
    assert result.exit_code == 2 and "no pipeline named nope" in result.stderr


def test_org_enumerates_accounts(world):
    """Last: it adds an organization, a member account and a pipeline there."""
    org = session(TOOLING).client("organizations")
    org.create_organization(FeatureSet="ALL")
    member = org.create_account(Email="member@example.com", AccountName="member")["CreateAccountStatus"]["AccountId"]
    member_session = session(member)
    role = member_session.client("iam").create_role(
        RoleName="pipe", AssumeRolePolicyDocument=json.dumps({"Statement": [{
            "Effect": "Allow", "Principal": {"Service": "codepipeline.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
    )["Role"]["Arn"]
    member_session.client("codepipeline").create_pipeline(pipeline={
        "name": "member-app", "roleArn": role, "artifactStore": {"type": "S3", "location": "member-artifacts"},
        "stages": [{"name": "Source", "actions": [{"name": "Source", "actionTypeId": {
            "category": "Source", "owner": "AWS", "provider": "S3", "version": "1"},
            "configuration": {"S3Bucket": "member-source", "S3ObjectKey": "a.zip"},
            "outputArtifacts": [{"name": "Src"}]}]},
            {"name": "Deploy", "actions": [{"name": "Deploy", "actionTypeId": {
                "category": "Deploy", "owner": "AWS", "provider": "CloudFormation", "version": "1"},
                "configuration": {"StackName": "s"}, "inputArtifacts": [{"name": "Src"}]}]}]})
    outcome, snapshot = audit(org=True, regions=[US])
    assert member in snapshot.accounts and TOOLING in snapshot.accounts
    assert f"arn:aws:codepipeline:{US}:{member}:member-app" in snapshot.pipelines()
    # the member's source bucket does not exist: named, not a crash
    pl201 = [f for f in outcome.findings if f.rule_id == "PL201" and "member-source" in f.resources]
    assert pl201 and pl201[0].verdict == "unverified" and "does not exist" in pl201[0].fix
