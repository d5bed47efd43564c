"""Which SCPs and RCPs bear on a request, from the organization the inputs describe
(pipelint/guardrails.py), and how the organization is read from the configuration and the
``aws organizations`` CLI outputs (pipelint/loaders/organizations.py).

AWS rules under test (AWS Organizations User Guide): SCPs restrict member accounts' IAM principals,
not the management account, service-linked roles or service principals ("Service control policies",
"Tasks and entities not restricted by SCPs"); RCPs restrict member accounts' resources of the listed
services, whoever calls, except service-linked roles, AWS managed KMS keys and kms:RetireGrant
("Resource control policies", "Resources and entities not restricted by RCPs").
"""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest

from pipelint import config as config_module
from pipelint import guardrails
from pipelint.errors import InputError
from pipelint.loaders import load_world
from pipelint.model import RCP, SCP, Bucket, Key, Organization, OrgPolicy, PolicyDoc, Role, Source, World
from pipelint.policy import ABSENT, AbsentOr
from pipelint.values import Unknown

MGMT, TOOL, WORK, OUTSIDE = "999999999999", "111111111111", "222222222222", "444444444444"
ROOT, OU = "r-ab12", "ou-ab12-workload"
FULL = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
SRC = Source("test")


def org_world(**changes) -> World:
    org = Organization(id="o-abcdefghij", root=ROOT, management_account=MGMT,
                       parents={MGMT: ROOT, TOOL: ROOT, OU: ROOT, WORK: OU}, members={MGMT, TOOL, WORK},
                       types={SCP: True, RCP: True})
    org.policies["p-FullAWSAccess"] = OrgPolicy("p-FullAWSAccess", SCP, "FullAWSAccess", PolicyDoc(FULL, "full"))
    for target in (ROOT, OU, TOOL, WORK, MGMT):
        org.attach(SCP, target, "p-FullAWSAccess")
        org.attach(RCP, target, "p-FullAWSAccess")
    for name, value in changes.items():
        setattr(org, name, value)
    return World(org_id="o-abcdefghij", organization=org)


def role(account: str, name: str = "deploy") -> str:
    return f"arn:aws:iam::{account}:role/{name}"


def test_scps_levels_root_ou_account():
    found = guardrails.scps(org_world(), role(WORK))
    assert found.applies is True
    assert [label for label, _ in found.levels] == ["root r-ab12", "OU ou-ab12-workload", "account 222222222222"]


@pytest.mark.parametrize("principal, service", [
    (role(MGMT), None),                                                  # the management account
    (f"arn:aws:iam::{WORK}:role/aws-service-role/ops.amazonaws.com/AWSServiceRoleForOps", None),  # a service-linked role
    (None, "cloudformation.amazonaws.com"),                              # a service principal
])
def test_scps_do_not_restrict(principal, service):
    assert guardrails.scps(org_world(), principal, service) is None


def test_scps_of_accounts_outside_or_unknown():
    complete = org_world(members_complete=True)
    assert guardrails.scps(complete, role(OUTSIDE)) is None  # list-accounts says it is not a member
    unknown = guardrails.scps(org_world(), role(OUTSIDE))
    assert unknown.applies is None and "whether account 444444444444 is a member" in unknown.applies_unknown
    no_mgmt = guardrails.scps(org_world(management_account=None), role(WORK))
    assert no_mgmt.applies is None and "management account" in no_mgmt.applies_unknown


def test_unplaced_member_and_unlisted_level_are_unknown():
    world = org_world()
    world.organization.members.add("555555555555")
    found = guardrails.scps(world, role("555555555555"))
    (label, (policy,)), = found.levels
    assert isinstance(policy.document, Unknown) and "list-parents --child-id 555555555555" in policy.document.reason
    del world.organization.attached[(SCP, OU)]
    levels = dict(guardrails.scps(world, role(WORK)).levels)
    missing = levels["OU ou-ab12-workload"][0]
    assert isinstance(missing.document, Unknown)
    assert "list-policies-for-target --target-id ou-ab12-workload --filter SERVICE_CONTROL_POLICY" in missing.name


def test_policy_types_not_enabled_mean_no_layer():
    assert guardrails.scps(org_world(types={SCP: False, RCP: True}), role(WORK)) is None
    assert guardrails.rcps(org_world(types={SCP: True}), "s3:GetObject", "arn:aws:s3:::b/k", WORK, role(TOOL)) is None


def test_rcps_cover_the_listed_services_of_member_accounts():
    world = org_world()
    key = f"arn:aws:kms:us-east-1:{WORK}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    assert guardrails.rcps(world, "kms:Decrypt", key, WORK, role(OUTSIDE)).applies is True
    assert guardrails.rcps(world, "codepipeline:StartPipelineExecution",
                           f"arn:aws:codepipeline:us-east-1:{WORK}:app", WORK, role(WORK)) is not None
    assert guardrails.rcps(world, "iam:PassRole", role(WORK), WORK, role(WORK)) is None  # IAM is not listed
    assert guardrails.rcps(world, "kms:RetireGrant", key, WORK, role(OUTSIDE)) is None
    assert guardrails.rcps(world, "s3:GetObject", "arn:aws:s3:::b/k", MGMT, role(OUTSIDE)) is None  # management
    assert guardrails.rcps(world, "codepipeline:PutJobSuccessResult", "*", WORK, role(WORK)) is None
    slr = f"arn:aws:iam::{WORK}:role/aws-service-role/x.amazonaws.com/AWSServiceRoleForX"
    assert guardrails.rcps(world, "kms:Decrypt", key, WORK, slr) is None
    world.keys[key] = Key(key, key, key.rsplit("/", 1)[1], WORK, "us-east-1", SRC, aws_managed=True)
    assert guardrails.rcps(world, "kms:Decrypt", key, WORK, role(OUTSIDE)) is None  # AWS managed key
    # service principals are not exempt from RCPs
    assert guardrails.rcps(world, "sqs:SendMessage", f"arn:aws:sqs:us-east-1:{WORK}:dlq", WORK, None) is not None


def test_request_context_from_the_model():
    world = org_world(members_complete=True)
    world.buckets["b"] = Bucket("b", "b", TOOL, "eu-west-1", SRC)
    world.roles[role(WORK)] = Role(role(WORK), role(WORK), "deploy", WORK, SRC, tags={"team": "app"},
                                   tags_complete=True)
    check = SimpleNamespace(principal=role(WORK), service=None, resource="arn:aws:s3:::b/x/y")
    assert guardrails.context(world, check) == {"aws:RequestedRegion": "eu-west-1", "aws:PrincipalTag/team": "app",
                                                "aws:PrincipalTag/*": ABSENT}
    check = SimpleNamespace(principal=role(OUTSIDE), service=None, resource=role(WORK))
    found = guardrails.context(world, check)
    assert found["aws:RequestedRegion"] == "us-east-1"  # IAM's endpoint
    assert isinstance(found["aws:PrincipalOrgID"], AbsentOr) and found["aws:PrincipalOrgID"].excluded == (
        "o-abcdefghij",)
    # a template's tags are not all of the role's (stack tags): others are not known to be absent
    world.roles[role(WORK)].tags_complete = False
    check = SimpleNamespace(principal=role(WORK), service=None, resource="arn:aws:sts::x")
    assert guardrails.context(world, check) == {"aws:PrincipalTag/team": "app"}


# -- reading the organization -------------------------------------------------------------------------

def write(folder: Path, files: dict) -> Path:
    for name, content in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content if isinstance(content, str) else json.dumps(content))
    return folder


def load(folder: Path) -> World:
    cfg = config_module.load(folder / "pipelint.toml")
    return load_world([folder], cfg)


DESCRIBED = {"Policy": {"PolicySummary": {"Id": "p-0a1b2c3d", "Name": "guard", "Type": SCP, "AwsManaged": False},
                        "Content": json.dumps(FULL)}}


def test_cli_outputs_build_the_tree_and_bindings(tmp_path):
    world = load(write(tmp_path, {
        "pipelint.toml": ('[[organization.listings]]\nfile = "ous.json"\nparent = "r-ab12"\n'
                          '[[organization.listings]]\nfile = "children.json"\nparent = "ou-ab12-workload"\n'
                          '[[policies]]\nfile = "listed.json"\nkind = "service-control-policy"\n'
                          'targets = ["ou-ab12-workload"]\n'),
        "org.json": {"Organization": {"Id": "o-abcdefghij", "MasterAccountId": MGMT}},
        "roots.json": {"Roots": [{"Id": ROOT, "PolicyTypes": [{"Type": SCP, "Status": "ENABLED"}]}]},
        "accounts.json": {"Accounts": [{"Id": MGMT, "Status": "ACTIVE"}, {"Id": WORK, "Status": "ACTIVE"},
                                       {"Id": "666666666666", "Status": "SUSPENDED"}]},
        "ous.json": {"OrganizationalUnits": [{"Id": OU, "Name": "workloads"}]},
        "children.json": {"Children": [{"Id": WORK, "Type": "ACCOUNT"}]},
        "listed.json": {"Policies": [{"Id": "p-FullAWSAccess", "Type": SCP, "AwsManaged": True},
                                     {"Id": "p-0a1b2c3d", "Name": "guard", "Type": SCP}]},
        "described.json": DESCRIBED,
    }))
    org = world.organization
    assert (org.id, org.root, org.management_account) == ("o-abcdefghij", ROOT, MGMT)
    assert org.types == {SCP: True, RCP: False}
    assert org.parents == {OU: ROOT, WORK: OU}
    assert org.members_complete and org.members == {MGMT, WORK}
    assert org.attached[(SCP, OU)] == ["p-FullAWSAccess", "p-0a1b2c3d"]
    assert org.policies["p-0a1b2c3d"].document.document == FULL  # the describe-policy output, bound by its id
    assert org.policies["p-FullAWSAccess"].aws_managed
    assert world.notices == []
    assert set(world.our_accounts) == {MGMT, WORK} and world.org_id == "o-abcdefghij"


def test_unbound_outputs_are_notices(tmp_path):
    world = load(write(tmp_path, {
        "pipelint.toml": "",
        "listed.json": {"Policies": [{"Id": "p-0a1b2c3d", "Type": SCP}]},
        "ous.json": {"OrganizationalUnits": [{"Id": OU}]},
        "described.json": DESCRIBED,
        "raw-scp.json": FULL,
    }))
    notes = sorted(n.message.split(":")[0] for n in world.notices)
    assert notes == sorted([
        "a list-policies-for-target output does not say which target it lists",
        "this OrganizationalUnits listing does not say whose children it lists",
        "service control policy guard is attached to nothing the inputs name",
        "policy file not bound to a resource"])


def test_a_policy_listed_but_not_described_is_unknown(tmp_path):
    world = load(write(tmp_path, {
        "pipelint.toml": ('[organization]\nmanagement-account = "999999999999"\n'
                          'children = { "r-ab12" = ["222222222222"] }\n'
                          '[[policies]]\nfile = "listed.json"\nkind = "service-control-policy"\n'
                          'targets = ["r-ab12", "222222222222"]\n'),
        "listed.json": {"Policies": [{"Id": "p-FullAWSAccess", "Type": SCP}, {"Id": "p-0a1b2c3d", "Name": "guard",
                                                                              "Type": SCP}]},
    }))
    levels = dict(guardrails.scps(world, role(WORK)).levels)
    guard = levels["root r-ab12"][1]
    assert isinstance(guard.document, Unknown)
    assert "describe-policy --policy-id p-0a1b2c3d" in guard.document.reason


@pytest.mark.parametrize("files, message", [
    ({"pipelint.toml": '[[policies]]\nfile = "d.json"\nkind = "resource-control-policy"\ntargets = ["r-ab12"]\n',
      "d.json": DESCRIBED}, "binds this file as a resource control policy, but it is a service control policy"),
    ({"pipelint.toml": "", "d.json": {"Policy": {"PolicySummary": {"Id": "p-1", "Type": SCP}, "Content": "{nope"}}},
     "the policy Content is not valid JSON"),
    ({"pipelint.toml": "", "d.json": {"Policy": {"PolicySummary": {"Id": "p-1", "Type": "TAG_POLICY"},
                                                 "Content": "{}"}}}, "pipelint reads service and resource control"),
    ({"pipelint.toml": '[organization]\nchildren = { "r-ab12" = ["222222222222"], "ou-ab12-workload" = '
                       '["222222222222"] }\n'}, "222222222222 is placed under both"),
])
def test_bad_organization_input_is_exit_2_material(tmp_path, files, message):
    with pytest.raises(InputError, match=message):
        load(write(tmp_path, files))


@pytest.mark.parametrize("text, key", [
    ('[[policies]]\nkind = "service-control-policy"\nfile = "x.json"\n', "policies.0"),  # no targets
    ('[[policies]]\nkind = "service-control-policy"\nfile = "x.json"\nresource = "arn:aws:s3:::b"\n'
     'targets = ["r-ab12"]\n', "policies.0"),
    ('[[policies]]\nkind = "service-control-policy"\naws-managed = "RCPFullAWSAccess2"\ntargets = ["r-ab12"]\n',
     "policies.0.aws-managed"),
    ('[[policies]]\nkind = "service-control-policy"\naws-managed = "FullAWSAccess"\ntargets = ["ou-x"]\n',
     "policies.0.targets.0"),
    ('[[policies]]\nfile = "x.json"\nkind = "bucket-policy"\ntargets = ["r-ab12"]\n', "policies.0"),
    ('[organization]\nroot = "root"\n', "organization.root"),
    ('[organization]\nchildren = { "222222222222" = ["ou-ab12-workload"] }\n', "organization.children"),
])
def test_configuration_schema(tmp_path, text, key):
    path = tmp_path / "pipelint.toml"
    path.write_text(text)
    with pytest.raises(InputError, match=f"invalid configuration at '{key}"):
        config_module.load(path)


def test_aws_managed_of_the_wrong_kind(tmp_path):
    with pytest.raises(InputError, match="FullAWSAccess is not a resource control policy"):
        load(write(tmp_path, {"pipelint.toml": '[[policies]]\nkind = "resource-control-policy"\n'
                                               'aws-managed = "FullAWSAccess"\ntargets = ["r-ab12"]\n'}))


def test_policies_of_a_type_the_root_has_not_enabled(tmp_path):
    world = load(write(tmp_path, {
        "pipelint.toml": ('[[policies]]\nkind = "resource-control-policy"\naws-managed = "RCPFullAWSAccess"\n'
                          'targets = ["r-ab12"]\n'),
        "roots.json": {"Roots": [{"Id": ROOT, "PolicyTypes": [{"Type": SCP, "Status": "ENABLED"}]}]},
    }))
    assert world.organization.types[RCP] is False
    assert [n.message for n in world.notices] == [
        "resource control policies are bound to targets, but the list-roots output says the RESOURCE_CONTROL_POLICY "
        "policy type is not enabled in the organization: they do not apply"]
