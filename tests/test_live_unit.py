"""Live mode without a server: the read-only guard, error translation, secret masking, the shipped
policy, and that `pipelint check` never imports boto3."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipelint.cli import app
from pipelint.live import clients, guard, writer
from pipelint.live.collector import Snapshot, policy_document

from conftest import FIXTURES, ROOT


@pytest.mark.parametrize("service, operation, ok", [
    ("s3", "GetBucketPolicy", True), ("iam", "ListRolePolicies", True), ("kms", "DescribeKey", True),
    ("codebuild", "BatchGetProjects", True), ("sts", "AssumeRole", True), ("sts", "GetCallerIdentity", True),
    ("s3", "PutBucketPolicy", False), ("iam", "CreateRole", False), ("kms", "ScheduleKeyDeletion", False),
    ("sts", "AssumeRoleWithWebIdentity", False), ("codepipeline", "StartPipelineExecution", False),
    ("events", "PutTargets", False), ("s3", "HeadBucket", False),
])
def test_guard_knows_reads(service, operation, ok):
    assert guard.is_read_only(service, operation) is ok


def test_guard_stops_a_write_before_it_is_sent(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")  # nothing listens: a sent request would fail
    sent = []
    access = clients.Clients(region="us-east-1", hooks=[("before-send", lambda **kw: sent.append(kw))])
    access.home_account = "111111111111"
    access._sessions["111111111111"] = access._base
    with pytest.raises(guard.ReadOnlyViolation, match="s3:PutBucketPolicy"):
        access.call("111111111111", "us-east-1", "s3", "put_bucket_policy", "bucket b", Bucket="b", Policy="{}")
    assert sent == []


def _error(code, status, operation="GetKeyPolicy"):
    from botocore.exceptions import ClientError

    return ClientError({"Error": {"Code": code, "Message": "m"}, "ResponseMetadata": {"HTTPStatusCode": status}},
                       operation)


@pytest.mark.parametrize("code, status, kind", [
    ("AccessDeniedException", 400, "denied"), ("AccessDenied", 403, "denied"),
    ("403", 403, "denied"),  # a JSON-protocol service answering 403 with an XML body
    ("", 403, "denied"), ("UnrecognizedClientException", 400, "region"), ("InvalidClientTokenId", 403, "region"),
    ("NotFoundException", 400, "missing"), ("NoSuchEntity", 404, "missing"), ("ThrottlingException", 400, "error"),
])
def test_errors_become_reasons(code, status, kind):
    found = clients.explain(_error(code, status), "key k", "kms", "GetKeyPolicy", "111111111111", "eu-west-1")
    assert found.kind == kind
    if kind == "denied":
        assert "kms:GetKeyPolicy" in found.reason and "111111111111" in found.reason


def test_unreachable_endpoint_is_a_region_problem():
    from botocore.exceptions import EndpointConnectionError

    found = clients.explain(EndpointConnectionError(endpoint_url="https://kms.ap-east-1.amazonaws.com"), "key k",
                            "kms", "DescribeKey", "111111111111", "ap-east-1")
    assert found.kind == "region" and "ap-east-1" in found.reason


def test_permission_names_differ_from_operations_where_aws_says_so():
    assert clients.permission("s3", "GetBucketEncryption") == "s3:GetEncryptionConfiguration"
    assert clients.permission("codebuild", "BatchGetProjects") == "codebuild:BatchGetProjects"


def test_pipeline_secrets_are_masked():
    body = {"name": "p", "variables": [{"name": "v", "defaultValue": "hunter2"}], "stages": [{"name": "s", "actions": [
        {"name": "gh", "configuration": {"Owner": "o", "Repo": "r", "OAuthToken": "ghp_secret",
                                         "WebhookSecretToken": "w-secret"}},
        {"name": "fn", "configuration": {"FunctionName": "f", "UserParameters": "{\"password\": \"pw\"}"}},
        {"name": "build", "configuration": {"ProjectName": "b", "EnvironmentVariables": json.dumps([
            {"name": "A", "value": "plain-secret", "type": "PLAINTEXT"}, {"name": "B", "value": "plain-too"},
            {"name": "C", "value": "/param/name", "type": "PARAMETER_STORE"}])}},
    ]}]}
    masked = writer.redact_pipeline(body)
    text = json.dumps(masked)
    for secret in ("ghp_secret", "w-secret", "pw", "plain-secret", "plain-too", "hunter2"):
        assert secret not in text
    assert "/param/name" in text and "ProjectName" in text
    assert body["stages"][0]["actions"][0]["configuration"]["OAuthToken"] == "ghp_secret"  # a copy was masked


def test_write_replaces_old_snapshots_only(tmp_path):
    (tmp_path / "old.json").write_text(json.dumps({"pipelint-snapshot": 1, "account": "1"}))
    (tmp_path / "notes.json").write_text("[1, 2]")
    (tmp_path / "README").write_text("mine")
    snapshot = Snapshot()
    snapshot.add("111111111111", "us-east-1", "buckets", {"name": "b", "versioning": "Enabled"})
    snapshot.note("111111111111", "us-east-1", "something could not be read")
    written = writer.write(snapshot, tmp_path)
    assert [p.name for p in written] == ["111111111111-us-east-1.json"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["111111111111-us-east-1.json", "README", "notes.json"]
    data = json.loads(written[0].read_text())
    assert list(data)[:3] == ["pipelint-snapshot", "account", "region"]
    assert data["unreadable"] == ["something could not be read"]


def test_policy_documents_in_every_shape_aws_returns():
    assert policy_document('{"Statement": []}') == {"Statement": []}
    assert policy_document("%7B%22Statement%22%3A%20%5B%5D%7D") == {"Statement": []}
    assert policy_document({"Statement": []}) == {"Statement": []}
    assert policy_document(None) is None
    assert "unreadable" in policy_document("not json")


def test_shipped_policy_is_read_only_and_printed():
    policy = json.loads((ROOT / "pipelint" / "live" / "auditor-policy.json").read_text())
    actions = [a for s in policy["Statement"] for a in s["Action"]]
    assert actions and all(s["Effect"] == "Allow" for s in policy["Statement"])
    for action in actions:
        service, name = action.split(":")
        assert guard.is_read_only(service, name) and service != "sts", action
    result = CliRunner().invoke(app, ["audit", "--print-policy"])
    assert result.exit_code == 0 and json.loads(result.stdout) == policy
    assert '"live/*.json"' in (ROOT / "pyproject.toml").read_text()
    # the README lists the same policy
    readme = (ROOT / "README.md").read_text()
    start = readme.index("```json\n", readme.index("### The auditor's permissions")) + len("```json\n")
    assert json.loads(readme[start:readme.index("```", start)]) == policy


def test_check_never_imports_boto3():
    code = (
        "import sys\n"
        "from pipelint import cli\n"
        f"sys.argv = ['pipelint', 'check', {str(FIXTURES / 'example')!r}, '--no-color']\n"
        "try:\n    cli.main()\nexcept SystemExit as exc:\n    code = exc.code\n"
        "loaded = [m for m in ('boto3', 'botocore', 'pipelint.live.clients') if m in sys.modules]\n"
        "print('LOADED', loaded, code)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True).stdout
    assert "LOADED [] 0" in out, out


def test_audit_without_boto3_names_the_extra():
    """A new user who ran `pip install .` (no `live` extra): exit 2 and one sentence, no traceback."""
    code = (
        "import sys\n"
        "class NoBoto:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] in ('boto3', 'botocore'):\n"
        "            raise ModuleNotFoundError(f'No module named {name!r}', name=name)\n"
        "sys.meta_path.insert(0, NoBoto())\n"
        "from pipelint import cli\n"
        "sys.argv = ['pipelint', 'audit', '--region', 'us-east-1', '--no-progress']\n"
        "cli.main()\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""
    assert done.stderr.strip() == ("pipelint: error: pipelint audit reads AWS with boto3, which is not installed: "
                                   "pip install 'pipelint[live]'")
    # printing the auditor policy needs no boto3
    done = subprocess.run([sys.executable, "-c", code.replace("'--region', 'us-east-1', '--no-progress'",
                                                              "'--print-policy'")],
                          capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0 and json.loads(done.stdout)["Statement"]


def test_audit_options_are_checked():
    result = CliRunner().invoke(app, ["audit", "--accounts", "1234", "--no-progress"])
    assert result.exit_code == 2 and "12-digit" in result.stderr
