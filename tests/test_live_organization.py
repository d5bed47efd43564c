"""`pipelint audit --org` against moto with an AWS Organization (root, two OUs, three accounts): the SCPs
and RCPs on the audited accounts' paths are read, the findings they cause are the offline fixture's, and
`check` on the saved snapshot gives the same findings; when Organizations cannot be read the audit
degrades to one note. Then what only the live account knows: a PENDING connection, a disabled or
deleted key, a deleted dead-letter queue.

What moto (5.2) implements for Organizations, and what it does not (checked here and in its source):
organizations, OUs, accounts, move_account, list_parents, list_roots with the policy types
enable_policy_type turned on, create/attach/list_policies_for_target/describe_policy for both
SERVICE_CONTROL_POLICY and RESOURCE_CONTROL_POLICY, with FullAWSAccess and RCPFullAWSAccess attached to
the root, every OU and every account by default, as AWS does. It does not evaluate SCPs or RCPs at all
(every call it serves is allowed whatever they say), does not validate their content (an RCP Allow other
than RCPFullAWSAccess, a Principal in an SCP), lets the last SCP of a target be detached, lets policies be
attached whatever policy types are enabled, and answers a member account's ListPoliciesForTarget with
TargetNotFoundException where AWS answers AccessDenied. It makes up account ids (renumbered here to the
example's). It has no CodeConnections / CodeStar Connections API at all: GetConnection is answered by a
botocore ``before-call`` handler in these tests.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from pipelint import live, runner
from pipelint.config import Config

from conftest import FIXTURES
from test_live_support import (AUDITOR, EU, FIXTURE_KEYS, OTHER, TARGET, TOOLING, US, MotoServer, World,
                               aws_environment, deny, doc, login_tooling)

RELEASE = f"arn:aws:codepipeline:{US}:{TOOLING}:release"
SERVICE = f"arn:aws:codepipeline:{EU}:{TOOLING}:service"
REGION_GUARD = json.loads((FIXTURES / "rules/PL302/fail/scp-region-deny/org/region-guard.json").read_text())
PERIMETER = json.loads((FIXTURES / "rules/PL301/fail/rcp-outside-organization/org/data-perimeter.json").read_text())


@pytest.fixture(scope="module")
def aws():
    server = MotoServer()
    with aws_environment(server.endpoint):
        yield server
    server.stop()


def renumber(made: str, wanted: str) -> None:
    """moto makes up member account ids; give the account the example's id (same process)."""
    from moto.organizations.models import organizations_backends

    backend = organizations_backends[TOOLING]["aws"]
    account = next(a for a in backend.accounts if a.id == made)
    account.id = wanted
    organizations_backends.master_accounts.pop(made, None)
    organizations_backends.master_accounts[wanted] = (TOOLING, "aws")


def organization(world: World) -> dict:
    """The tooling account manages the organization and sits in OU platform; the two workload accounts
    sit in OU workloads, whose SCP allows only us-east-1; a data perimeter RCP sits on the root."""
    org = world.c(TOOLING, US, "organizations")
    org.create_organization(FeatureSet="ALL")
    root = org.list_roots()["Roots"][0]["Id"]
    for kind in ("SERVICE_CONTROL_POLICY", "RESOURCE_CONTROL_POLICY"):
        org.enable_policy_type(RootId=root, PolicyType=kind)
    units = {name: org.create_organizational_unit(ParentId=root, Name=name)["OrganizationalUnit"]["Id"]
             for name in ("platform", "workloads")}
    org.move_account(AccountId=TOOLING, SourceParentId=root, DestinationParentId=units["platform"])
    for wanted in (TARGET, OTHER):
        made = org.create_account(Email=f"{wanted}@example.com", AccountName=f"workload-{wanted}")[
            "CreateAccountStatus"]["AccountId"]
        renumber(made, wanted)
        org.move_account(AccountId=wanted, SourceParentId=root, DestinationParentId=units["workloads"])
    perimeter = json.loads(json.dumps(PERIMETER).replace("o-abcdefghij", org.describe_organization()[
        "Organization"]["Id"]))
    scp = org.create_policy(Name="region-guard", Type="SERVICE_CONTROL_POLICY", Description="approved regions",
                            Content=json.dumps(REGION_GUARD))["Policy"]["PolicySummary"]["Id"]
    rcp = org.create_policy(Name="data-perimeter", Type="RESOURCE_CONTROL_POLICY", Description="org identities only",
                            Content=json.dumps(perimeter))["Policy"]["PolicySummary"]["Id"]
    org.attach_policy(PolicyId=scp, TargetId=units["workloads"])
    org.attach_policy(PolicyId=rcp, TargetId=root)
    return {"root": root, **units, "scp": scp, "rcp": rcp}


@pytest.fixture(scope="module")
def world(aws):
    aws.reset()
    built = World()
    built.example()
    built.org = organization(built)
    login_tooling()
    yield built
    from moto.organizations.models import organizations_backends

    for account in (TARGET, OTHER):
        organizations_backends.master_accounts.pop(account, None)


def audit(save=None, hooks=(), **options):
    options = {"regions": [US, EU], "assume_role": AUDITOR, "workers": 8, "org": True, **options}
    return live.audit(live.AuditOptions(**options), Config(), save=save, hooks=hooks)


def shown(findings) -> list:
    return sorted((f.rule_id, f.verdict, f.severity, f.message, tuple(f.resources), Path(f.source.file).name,
                   f.source.line) for f in findings)


def checked(folder: Path):
    here = os.getcwd()
    os.chdir(folder)
    try:
        return runner.check([Path(".")], Config())
    finally:
        os.chdir(here)


def test_region_deny_scp_fails_the_eu_deploy_actions_and_snapshot_agrees(world, tmp_path):
    outcome, snapshot = audit(save=tmp_path)
    failing = sorted((f.rule_id, f.verdict, f.resources[0], f.resources[1]) for f in outcome.findings)
    assert failing == sorted([
        ("PL301", "fail", RELEASE, f"arn:aws:iam::{TARGET}:role/pipeline-deploy"),
        ("PL301", "fail", SERVICE, f"arn:aws:iam::{OTHER}:role/pipeline-deploy"),
        ("PL302", "fail", RELEASE, f"arn:aws:iam::{TARGET}:role/pipeline-deploy"),
        ("PL302", "fail", SERVICE, f"arn:aws:iam::{OTHER}:role/pipeline-deploy")])
    for finding in outcome.findings:
        assert "Deploy/Deploy" in finding.message and '"Sid": "DenyOutsideApprovedRegions"' in finding.message
        assert Path(finding.source.file).name == f"{TOOLING}-global.json"  # the SCP statement, in the organization section
    assert all(f"{EU}" in f.resources[2] for f in outcome.findings)  # only the eu-west-1 artifacts
    assert outcome.world.notices == []
    # the saved snapshot gives the same findings, to the line
    assert shown(checked(tmp_path).findings) == shown(outcome.findings)
    section = json.loads((tmp_path / f"{TOOLING}-global.json").read_text())["organization"]
    assert section["management_account"] == TOOLING and section["root"] == world.org["root"]
    assert section["parents"] == {TOOLING: world.org["platform"], TARGET: world.org["workloads"],
                                  OTHER: world.org["workloads"], world.org["platform"]: world.org["root"],
                                  world.org["workloads"]: world.org["root"]}
    assert section["targets"][world.org["workloads"]] == {
        "RESOURCE_CONTROL_POLICY": ["p-RCPFullAWSAccess"],
        "SERVICE_CONTROL_POLICY": sorted(["p-FullAWSAccess", world.org["scp"]])}
    assert sorted(section["accounts"]) == sorted([TOOLING, TARGET, OTHER])


def test_organizations_reads_are_read_only_and_in_the_auditor_policy(world):
    from pipelint.live import guard
    from pipelint.live.clients import permission

    operations = set()

    def record(model=None, **_):
        operations.add((model.service_model.service_name, model.name))

    audit(hooks=[("before-call", record)])
    assert {op for op in operations if op[0] == "organizations"} == {
        ("organizations", name) for name in ("ListAccounts", "DescribeOrganization", "ListRoots", "ListParents",
                                             "ListPoliciesForTarget", "DescribePolicy")}
    granted = {a for s in json.loads(live.policy_text())["Statement"] for a in s["Action"]}
    assert all(guard.is_read_only(*op) for op in operations)
    assert {permission(*op) for op in operations} - {"sts:AssumeRole", "sts:GetCallerIdentity"} <= granted


def test_release_findings_are_the_offline_fixtures(world):
    """The same SCP offline (fixtures/rules/PL302/fail/scp-region-deny) gives the same findings."""
    outcome, _ = audit(pipelines=["release"])
    keys = {world.keys[region]: FIXTURE_KEYS[region] for region in world.keys}
    live_findings = sorted((f.rule_id, f.verdict, f.severity, tuple(keys.get(r, r) for r in f.resources))
                           for f in outcome.findings)
    case = FIXTURES / "rules/PL302/fail/scp-region-deny"
    expected = json.loads((case / "expected.json").read_text())["findings"]
    assert live_findings == sorted((e["rule_id"], e["verdict"], e["severity"], tuple(e["resources"])) for e in expected)


def test_without_access_to_organizations_one_note(world):
    outcome, snapshot = audit(hooks=[deny("organizations", "ListRoots")])
    assert outcome.findings == []  # no guardrails read: the account's own policies alone, which allow
    notes = [n.message for n in outcome.world.notices]
    assert len(notes) == 1
    assert "guardrails (service and resource control policies) were not checked" in notes[0]
    assert "organizations:ListRoots" in notes[0] and "organizations:ListPoliciesForTarget" in notes[0]
    assert all("organization" not in doc for doc in snapshot.files.values())


def test_an_scp_that_cannot_be_read_leaves_checks_unverified(world):
    hook = deny("organizations", "DescribePolicy", lambda p: p.get("PolicyId") == world.org["scp"])
    outcome, _ = audit(hooks=[hook], pipelines=["release"])
    workload = [f for f in outcome.findings if f"arn:aws:iam::{TARGET}:role/pipeline-deploy" in f.resources]
    assert workload and {f.verdict for f in workload} == {"unverified"}
    assert {f.rule_id for f in workload} == {"PL301", "PL302", "PL304"}
    assert all("organizations:DescribePolicy" in f.fix for f in workload)
    assert [f for f in outcome.findings if f.verdict == "fail"] == []


CONNECTION = f"arn:aws:codeconnections:{US}:{TOOLING}:connection/4f1d6e2a-9b3c-4d5e-8f70-1a2b3c4d5e6f"


def connection_answer(status: str | None):
    """moto has no CodeConnections: answer GetConnection as AWS does (or NotFound for ``None``)."""
    from botocore.awsrequest import AWSResponse

    from test_live_support import client_error

    def handler(params=None, **_):
        if status is None:
            raise client_error("ResourceNotFoundException", "GetConnection", 400)
        return (AWSResponse("https://codeconnections", 200, {}, None),
                {"Connection": {"ConnectionName": "github-web", "ConnectionArn": CONNECTION, "ProviderType": "GitHub",
                                "OwnerAccountId": TOOLING, "ConnectionStatus": status}})

    return ("before-call.codeconnections.GetConnection", handler)


@pytest.fixture(scope="module")
def web(world):
    """Pipeline `web` in the tooling account: a GitHub source through a connection (after the org tests)."""
    role = world.role(TOOLING, "web-pipeline", {"Service": "codepipeline.amazonaws.com"}, {"pipeline": doc(
        {"Effect": "Allow", "Action": "codeconnections:UseConnection", "Resource": CONNECTION},
        {"Effect": "Allow", "Action": ["s3:GetObject*", "s3:PutObject"],
         "Resource": f"arn:aws:s3:::release-artifacts-{TOOLING}-{US}/*"},
        {"Effect": "Allow", "Action": ["kms:Decrypt", "kms:GenerateDataKey*"], "Resource": world.keys[US]})})
    world.c(TOOLING, US, "codepipeline").create_pipeline(pipeline={
        "name": "web", "roleArn": role, "pipelineType": "V2",
        "artifactStore": {"type": "S3", "location": f"release-artifacts-{TOOLING}-{US}",
                          "encryptionKey": {"id": world.keys[US], "type": "KMS"}},
        "stages": [{"name": "Source", "actions": [{
            "name": "GitHub", "actionTypeId": {"category": "Source", "owner": "AWS",
                                               "provider": "CodeStarSourceConnection", "version": "1"},
            "configuration": {"ConnectionArn": CONNECTION, "FullRepositoryId": "example/web", "BranchName": "main"},
            "outputArtifacts": [{"name": "Src"}], "runOrder": 1}]},
            {"name": "Approve", "actions": [{"name": "Approve", "actionTypeId": {
                "category": "Approval", "owner": "AWS", "provider": "Manual", "version": "1"}, "runOrder": 1}]}]})
    return f"arn:aws:codepipeline:{US}:{TOOLING}:web"


@pytest.mark.parametrize("status", ["PENDING", "AVAILABLE", None])
def test_connection_state(web, status, tmp_path):
    outcome, _ = audit(org=False, pipelines=["web"], regions=[US], hooks=[connection_answer(status)], save=tmp_path)
    found = [(f.rule_id, f.verdict, tuple(f.resources)) for f in outcome.findings]
    if status == "AVAILABLE":
        assert found == []
    else:
        assert found == [("PL307", "fail", (web, CONNECTION))]
        assert ("is PENDING" if status else "does not exist") in outcome.findings[0].message
    assert shown(checked(tmp_path).findings) == shown(outcome.findings)


def test_deployed_state_keys_and_queues(world, tmp_path):
    """Last: it disables the eu-west-1 key, schedules the us-east-1 key for deletion and deletes a DLQ."""
    # moto's disable_key and schedule_key_deletion take the key id, not its ARN
    world.c(TOOLING, EU, "kms").disable_key(KeyId=world.keys[EU].rsplit("/", 1)[1])
    world.c(TOOLING, US, "kms").schedule_key_deletion(KeyId=world.keys[US].rsplit("/", 1)[1], PendingWindowInDays=7)
    sqs = world.c(TOOLING, EU, "sqs")
    sqs.delete_queue(QueueUrl=sqs.get_queue_url(QueueName="service-trigger-dlq")["QueueUrl"])
    outcome, _ = audit(org=False, pipelines=["release", "service"], save=tmp_path)
    state = sorted((f.rule_id, f.verdict, tuple(f.resources)) for f in outcome.findings
                   if f.rule_id in ("PL501", "PL502"))
    dlq = f"arn:aws:sqs:{EU}:{TOOLING}:service-trigger-dlq"
    assert state == sorted([
        ("PL501", "fail", (RELEASE, world.keys[EU])), ("PL501", "fail", (RELEASE, world.keys[US])),
        ("PL501", "fail", (SERVICE, world.keys[EU])),
        ("PL502", "fail", (SERVICE, dlq))])
    messages = {f.resources[1]: f.message for f in outcome.findings if f.rule_id == "PL501"}
    assert "is Disabled" in messages[world.keys[EU]] and "is PendingDeletion" in messages[world.keys[US]]
    assert shown(checked(tmp_path).findings) == shown(outcome.findings)
