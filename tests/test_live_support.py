"""Shared by the live-mode tests and benchmarks/audit_moto.py (no tests here): a moto server on
127.0.0.1 and builders of AWS worlds in it.

The main world mirrors ``fixtures/example`` resource for resource — tooling account 111111111111 runs
pipeline ``release`` in us-east-1 with artifact stores in us-east-1 and eu-west-1 and deploys into
222222222222 — so a defect applied to it can be compared with the offline fixture of the same defect.
It adds a second pipeline, ``service`` in eu-west-1, with a Lambda invoke action, deploying into
333333333333: three accounts, two regions, every kind of resource the collector reads.

moto serves every account from one process: ``sts.assume_role`` into ``arn:aws:iam::ACCOUNT:role/X``
returns credentials whose calls act in ACCOUNT. The tooling account is reached the same way (moto's
default account is 123456789012), and its credentials are what the audit finds in the environment.
"""

from __future__ import annotations

import io
import json
import logging
import os
import urllib.request
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass

TOOLING, TARGET, OTHER = "111111111111", "222222222222", "333333333333"
US, EU = "us-east-1", "eu-west-1"
AUDITOR = "pipelint-auditor"
# the physical key ids of fixtures/example (its pipelint.toml); moto makes up its own
FIXTURE_KEYS = {US: f"arn:aws:kms:{US}:{TOOLING}:key/0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0",
                EU: f"arn:aws:kms:{EU}:{TOOLING}:key/9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d"}


class MotoServer:
    def __init__(self) -> None:
        from moto.server import ThreadedMotoServer

        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        self.server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        self.server.start()
        host, port = self.server.get_host_and_port()
        self.endpoint = f"http://{host}:{port}"

    def reset(self) -> None:
        request = urllib.request.Request(f"{self.endpoint}/moto-api/reset", method="POST")
        with urllib.request.build_opener(urllib.request.ProxyHandler({})).open(request) as answer:
            answer.read()

    def stop(self) -> None:
        self.server.stop()


BASE_ENV = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": US,
            "AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull, "NO_PROXY": "127.0.0.1",
            "no_proxy": "127.0.0.1", "AWS_EC2_METADATA_DISABLED": "true", "AWS_MAX_ATTEMPTS": "2"}
CLEARED = ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_REGION", "AWS_ROLE_ARN",
           "AWS_WEB_IDENTITY_TOKEN_FILE", "HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy")


@contextmanager
def aws_environment(endpoint: str):
    """Dummy credentials and AWS_ENDPOINT_URL for the duration; the previous environment after."""
    saved = {k: os.environ.get(k) for k in (*BASE_ENV, *CLEARED, "AWS_ENDPOINT_URL")}
    try:
        for key in CLEARED:
            os.environ.pop(key, None)
        os.environ.update(BASE_ENV)
        os.environ["AWS_ENDPOINT_URL"] = endpoint
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _session(**kwargs):
    import boto3

    from pipelint.live.clients import shared_loader

    made = boto3.Session(**kwargs)
    made._session.register_component("data_loader", shared_loader())  # parse botocore's data once
    return made


def session(account: str | None = None, region: str = US):
    """A boto3 session acting in ``account`` (assumed from moto's default account)."""
    base = _session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name=region)
    if account is None:
        return base
    creds = base.client("sts").assume_role(RoleArn=f"arn:aws:iam::{account}:role/admin",
                                           RoleSessionName="setup")["Credentials"]
    return _session(aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"],
                    aws_session_token=creds["SessionToken"], region_name=region)


def login_tooling() -> dict:
    """Put credentials acting in the tooling account into the environment, as CI would; returns them."""
    base = _session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name=US)
    creds = base.client("sts").assume_role(RoleArn=f"arn:aws:iam::{TOOLING}:role/ci",
                                           RoleSessionName="ci")["Credentials"]
    os.environ["AWS_ACCESS_KEY_ID"] = creds["AccessKeyId"]
    os.environ["AWS_SECRET_ACCESS_KEY"] = creds["SecretAccessKey"]
    os.environ["AWS_SESSION_TOKEN"] = creds["SessionToken"]
    return creds


def doc(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def trust(principal: dict) -> str:
    return doc({"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"})


def allow(actions, resources, sid: str | None = None) -> dict:
    statement = {"Effect": "Allow", "Action": actions, "Resource": resources}
    if sid:
        statement["Sid"] = sid
    return statement


POWER_USER = doc({"Effect": "Allow", "NotAction": ["iam:*", "organizations:*", "account:*"], "Resource": "*"})


@dataclass
class Defects:
    """Each flag is one defect of an offline fixture, applied to the example world."""

    no_store_key: bool = False  # artifact stores of `release` without encryptionKey
    unversioned_source: bool = False  # fixtures/rules/PL201/fail/unversioned-source-yaml
    no_dlq: bool = False  # fixtures/rules/PL202/fail/target-without-dlq-yaml
    bucket_policy_lacks_target: bool = False  # fixtures/rules/PL301/fail/bucket-policy-lacks-target-account
    key_policy_lacks_target: bool = False  # fixtures/rules/PL302/fail/key-policy-lacks-target-account
    build_without_key: bool = False  # fixtures/rules/PL103/fail/build-without-key
    secrets: bool = False  # plant secrets where a careless collector would copy them


class World:
    """Builds the example world (and friends) in moto; remembers what it made."""

    def __init__(self) -> None:
        self.sessions: dict = {}
        self.clients: dict = {}
        self.keys: dict = {}  # region -> key ARN in the tooling account

    def s(self, account: str):
        if account not in self.sessions:
            self.sessions[account] = session(account)
        return self.sessions[account]

    def c(self, account: str, region: str, service: str):
        key = (account, region, service)
        if key not in self.clients:
            self.clients[key] = self.s(account).client(service, region_name=region)
        return self.clients[key]

    # -- pieces --------------------------------------------------------------------------------------
    def role(self, account: str, name: str, trusted: dict, inline: dict | None = None, managed=()) -> str:
        iam = self.c(account, US, "iam")
        arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust(trusted))["Role"]["Arn"]
        for policy_name, document in (inline or {}).items():
            iam.put_role_policy(RoleName=name, PolicyName=policy_name, PolicyDocument=document)
        for policy_arn in managed:
            iam.attach_role_policy(RoleName=name, PolicyArn=policy_arn)
        return arn

    def managed_policy(self, account: str, name: str, document: str) -> str:
        return self.c(account, US, "iam").create_policy(PolicyName=name, PolicyDocument=document)["Policy"]["Arn"]

    def artifact_store(self, region: str, defects: Defects, grantees: list[str]) -> None:
        """tooling/artifacts.yaml in one region: key (+ alias), bucket encrypted with it, bucket policy."""
        kms = self.c(TOOLING, region, "kms")
        statements = [{"Sid": "KeyAdministration", "Effect": "Allow",
                       "Principal": {"AWS": f"arn:aws:iam::{TOOLING}:root"}, "Action": "kms:*", "Resource": "*"}]
        for account in grantees:
            if account == TARGET and defects.key_policy_lacks_target:
                continue
            statements.append({"Sid": "WorkloadAccountUse" if account == TARGET else f"Use{account}",
                               "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
                               "Action": ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:ReEncrypt*",
                                          "kms:GenerateDataKey*"], "Resource": "*"})
        key = kms.create_key(Description="Pipeline artifact key", Policy=doc(*statements))["KeyMetadata"]
        kms.create_alias(AliasName="alias/release-pipeline-artifacts", TargetKeyId=key["KeyId"])
        self.keys[region] = key["Arn"]
        s3 = self.c(TOOLING, region, "s3")
        bucket = f"release-artifacts-{TOOLING}-{region}"
        extra = {} if region == US else {"CreateBucketConfiguration": {"LocationConstraint": region}}
        s3.create_bucket(Bucket=bucket, **extra)
        s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
        s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": [
            {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key["Arn"]}}]})
        statements = [{"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
                       "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
                       "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]
        for account in grantees:
            if account == TARGET and defects.bucket_policy_lacks_target:
                continue
            statements.append({"Sid": "WorkloadAccountArtifacts" if account == TARGET else f"Artifacts{account}",
                               "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
                               "Action": ["s3:GetObject", "s3:GetObjectVersion", "s3:PutObject"],
                               "Resource": f"arn:aws:s3:::{bucket}/*"})
        s3.put_bucket_policy(Bucket=bucket, Policy=doc(*statements))

    def source_bucket(self, name: str, region: str, versioned: bool = True) -> None:
        s3 = self.c(TOOLING, region, "s3")
        extra = {} if region == US else {"CreateBucketConfiguration": {"LocationConstraint": region}}
        s3.create_bucket(Bucket=name, **extra)
        if versioned:
            s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})

    def target_roles(self, account: str, pipeline_role: str) -> None:
        """target/deploy-roles.yaml and target/execution-role.yaml in ``account``."""
        self.role(account, "pipeline-deploy", {"AWS": pipeline_role}, {"deploy": doc(
            allow(["s3:GetObject*", "s3:PutObject"], f"arn:aws:s3:::release-artifacts-{TOOLING}-*/*",
                  "ReadWriteArtifacts"),
            allow(["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey*"],
                  f"arn:aws:kms:*:{TOOLING}:key/*", "UseArtifactKeys"),
            allow(["cloudformation:*"], "*", "DeployStacks"),
            allow("iam:PassRole", f"arn:aws:iam::{account}:role/cloudformation-execution", "PassExecutionRole"))})
        # the example attaches AWS-managed PowerUserAccess; moto loads AWS-managed policies only at a cost
        # of seconds per account, so the same document comes as a customer-managed policy
        power = self.managed_policy(account, "cloudformation-execution-access", POWER_USER)
        self.role(account, "cloudformation-execution", {"Service": "cloudformation.amazonaws.com"}, managed=[power])

    def trigger(self, region: str, pipeline: str, rule: str, role: str, with_dlq: bool, target_id: str) -> None:
        pipeline_arn = f"arn:aws:codepipeline:{region}:{TOOLING}:{pipeline}"
        rule_arn = f"arn:aws:events:{region}:{TOOLING}:rule/{rule}"
        role_arn = self.role(TOOLING, role, {"Service": "events.amazonaws.com"},
                             {"start": doc(allow("codepipeline:StartPipelineExecution", pipeline_arn))})
        sqs = self.c(TOOLING, region, "sqs")
        queue_name = f"{pipeline}-trigger-dlq"
        url = sqs.create_queue(QueueName=queue_name)["QueueUrl"]
        queue_arn = f"arn:aws:sqs:{region}:{TOOLING}:{queue_name}"
        sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": doc(
            {"Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"}, "Action": "sqs:SendMessage",
             "Resource": queue_arn, "Condition": {"ArnEquals": {"aws:SourceArn": rule_arn}}})})
        events = self.c(TOOLING, region, "events")
        events.put_rule(Name=rule, EventPattern=json.dumps({"source": ["aws.s3"], "detail-type": ["Object Created"]}))
        target = {"Id": target_id, "Arn": pipeline_arn, "RoleArn": role_arn}
        if with_dlq:
            target["DeadLetterConfig"] = {"Arn": queue_arn}
        events.put_targets(Rule=rule, Targets=[target])

    # -- whole setups ------------------------------------------------------------------------------------
    def example(self, defects: Defects | None = None, service: bool = True) -> None:
        """fixtures/example (pipeline `release`), plus pipeline `service` into OTHER when ``service``."""
        d = defects or Defects()
        grantees = [TARGET, OTHER] if service else [TARGET]
        for region in (US, EU):
            self.artifact_store(region, d, grantees)
        self.source_bucket(f"release-source-{TOOLING}", US, versioned=not d.unversioned_source)
        pipeline_role = self.role(TOOLING, "release-pipeline", {"Service": "codepipeline.amazonaws.com"}, {
            "pipeline": doc(
                allow(["s3:GetObject*", "s3:PutObject", "s3:GetBucket*", "s3:ListBucket"],
                      [f"arn:aws:s3:::release-artifacts-{TOOLING}-*", f"arn:aws:s3:::release-source-{TOOLING}*"],
                      "Artifacts"),
                allow(["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*"],
                      [self.keys[US], self.keys[EU]], "ArtifactKeys"),
                allow("sts:AssumeRole", f"arn:aws:iam::{TARGET}:role/pipeline-deploy", "AssumeDeployRole"),
                allow(["codebuild:StartBuild", "codebuild:BatchGetBuilds"],
                      f"arn:aws:codebuild:{US}:{TOOLING}:project/release-build", "Build"))})
        build_role = self.role(TOOLING, "release-build", {"Service": "codebuild.amazonaws.com"}, {"build": doc(
            allow(["s3:GetObject*", "s3:PutObject"], f"arn:aws:s3:::release-artifacts-{TOOLING}-us-east-1/*"),
            allow(["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*"], self.keys[US]),
            allow(["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"], "*"))})
        # moto wants a location even for CODEPIPELINE sources and artifacts (AWS does not)
        project = {"name": "release-build", "serviceRole": build_role,
                   "source": {"type": "CODEPIPELINE", "location": "pipeline"},
                   "artifacts": {"type": "CODEPIPELINE", "location": "pipeline"},
                   "environment": {"type": "LINUX_CONTAINER", "computeType": "BUILD_GENERAL1_SMALL",
                                   "image": "aws/codebuild/standard:7.0"}}
        if not d.build_without_key:
            project["encryptionKey"] = self.keys[US]
        self.c(TOOLING, US, "codebuild").create_project(**project)
        if not d.build_without_key:
            project_key(TOOLING, US, "release-build", self.keys[US])
        self.target_roles(TARGET, pipeline_role)

        def store(region):
            body = {"type": "S3", "location": f"release-artifacts-{TOOLING}-{region}"}
            if not d.no_store_key:
                body["encryptionKey"] = {"id": self.keys[region], "type": "KMS"}
            return body

        def deploy(name, region=None):
            action = {"name": name, "actionTypeId": {"category": "Deploy", "owner": "AWS",
                                                     "provider": "CloudFormation", "version": "1"},
                      "roleArn": f"arn:aws:iam::{TARGET}:role/pipeline-deploy",
                      "configuration": {"ActionMode": "CREATE_UPDATE", "StackName": "app",
                                        "TemplatePath": "BuildOutput::template.yaml", "Capabilities": "CAPABILITY_IAM",
                                        "RoleArn": f"arn:aws:iam::{TARGET}:role/cloudformation-execution"},
                      "inputArtifacts": [{"name": "BuildOutput"}], "runOrder": 1}
            if region:
                action["region"] = region
            return action

        source_config = {"S3Bucket": f"release-source-{TOOLING}", "S3ObjectKey": "app.zip",
                         "PollForSourceChanges": "false"}
        build_config = {"ProjectName": "release-build"}
        if d.secrets:
            source_config["OAuthToken"] = "planted-oauth-secret"
            build_config["EnvironmentVariables"] = json.dumps([
                {"name": "DB_PASSWORD", "value": "planted-env-secret", "type": "PLAINTEXT"},
                {"name": "API", "value": "/app/api-key", "type": "PARAMETER_STORE"}])
        self.c(TOOLING, US, "codepipeline").create_pipeline(pipeline={
            "name": "release", "pipelineType": "V2", "roleArn": pipeline_role,
            "artifactStores": {US: store(US), EU: store(EU)},
            "stages": [
                {"name": "Source", "actions": [{
                    "name": "Source", "actionTypeId": {"category": "Source", "owner": "AWS", "provider": "S3",
                                                       "version": "1"},
                    "configuration": source_config, "outputArtifacts": [{"name": "SourceOutput"}], "runOrder": 1}]},
                {"name": "Build", "actions": [{
                    "name": "Build", "actionTypeId": {"category": "Build", "owner": "AWS", "provider": "CodeBuild",
                                                      "version": "1"},
                    "configuration": build_config, "inputArtifacts": [{"name": "SourceOutput"}],
                    "outputArtifacts": [{"name": "BuildOutput"}], "runOrder": 1}]},
                {"name": "Deploy", "actions": [deploy("DeployUS"), deploy("DeployEU", EU)]}]})
        self.trigger(US, "release", "release-source-changed", "release-trigger", not d.no_dlq, "pipeline")
        if service:
            self.service(d)

    def service(self, d: Defects) -> None:
        """Pipeline `service` in eu-west-1: S3 source, a Lambda check, a deploy into OTHER."""
        bucket = f"service-source-{TOOLING}"
        self.source_bucket(bucket, EU)
        pipeline_role = self.role(TOOLING, "service-pipeline", {"Service": "codepipeline.amazonaws.com"}, {
            "pipeline": doc(
                allow(["s3:GetObject*", "s3:PutObject", "s3:GetBucket*", "s3:ListBucket"],
                      [f"arn:aws:s3:::release-artifacts-{TOOLING}-{EU}", f"arn:aws:s3:::release-artifacts-{TOOLING}-{EU}/*",
                       f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"]),
                allow(["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey*"], self.keys[EU]),
                allow("sts:AssumeRole", f"arn:aws:iam::{OTHER}:role/pipeline-deploy"),
                allow(["lambda:InvokeFunction", "lambda:ListFunctions"], "*"))})
        function_role = self.role(TOOLING, "service-validate", {"Service": "lambda.amazonaws.com"}, {"callback": doc(
            allow(["codepipeline:PutJobSuccessResult", "codepipeline:PutJobFailureResult"], "*"))})
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("index.py", "def handler(event, context):\n    return None\n")
        environment = {"Variables": {"TOKEN": "planted-lambda-secret"}} if d.secrets else {"Variables": {}}
        self.c(TOOLING, EU, "lambda").create_function(
            FunctionName="service-validate", Runtime="python3.12", Role=function_role, Handler="index.handler",
            Code={"ZipFile": buffer.getvalue()}, Environment=environment)
        self.target_roles(OTHER, pipeline_role)
        self.c(TOOLING, EU, "codepipeline").create_pipeline(pipeline={
            "name": "service", "pipelineType": "V2", "roleArn": pipeline_role,
            "artifactStore": {"type": "S3", "location": f"release-artifacts-{TOOLING}-{EU}",
                              "encryptionKey": {"id": self.keys[EU], "type": "KMS"}},
            "stages": [
                {"name": "Source", "actions": [{
                    "name": "Source", "actionTypeId": {"category": "Source", "owner": "AWS", "provider": "S3",
                                                       "version": "1"},
                    "configuration": {"S3Bucket": bucket, "S3ObjectKey": "service.zip"},
                    "outputArtifacts": [{"name": "Src"}], "runOrder": 1}]},
                {"name": "Validate", "actions": [{
                    "name": "Validate", "actionTypeId": {"category": "Invoke", "owner": "AWS", "provider": "Lambda",
                                                         "version": "1"},
                    "configuration": {"FunctionName": "service-validate"}, "runOrder": 1}]},
                {"name": "Deploy", "actions": [{
                    "name": "Deploy", "actionTypeId": {"category": "Deploy", "owner": "AWS",
                                                       "provider": "CloudFormation", "version": "1"},
                    "roleArn": f"arn:aws:iam::{OTHER}:role/pipeline-deploy",
                    "configuration": {"ActionMode": "CREATE_UPDATE", "StackName": "service",
                                      "TemplatePath": "Src::template.yaml",
                                      "RoleArn": f"arn:aws:iam::{OTHER}:role/cloudformation-execution"},
                    "inputArtifacts": [{"name": "Src"}], "runOrder": 1}]}]})
        self.trigger(EU, "service", "service-source-changed", "service-trigger", True, "pipeline")

    def app_without_key(self) -> None:
        """fixtures/rules/PL101/fail/no-key-yaml: pipeline `app`, an artifact store without a key."""
        kms = self.c(TOOLING, US, "kms")
        kms.create_key(Description="unused", Policy=doc({"Effect": "Allow", "Principal": {
            "AWS": f"arn:aws:iam::{TOOLING}:root"}, "Action": "kms:*", "Resource": "*"}))
        bucket = f"artifacts-{TOOLING}-{US}"
        self.source_bucket(bucket, US)
        role = self.role(TOOLING, "pipeline", {"Service": "codepipeline.amazonaws.com"})
        self.c(TOOLING, US, "codepipeline").create_pipeline(pipeline={
            "name": "app", "roleArn": role, "artifactStore": {"type": "S3", "location": bucket},
            "stages": [
                {"name": "Source", "actions": [{
                    "name": "Source", "actionTypeId": {"category": "Source", "owner": "AWS", "provider": "CodeCommit",
                                                       "version": "1"},
                    "configuration": {"RepositoryName": "app", "BranchName": "main"},
                    "outputArtifacts": [{"name": "Src"}], "runOrder": 1}]},
                {"name": "Deploy", "actions": [{
                    "name": "Deploy", "actionTypeId": {"category": "Deploy", "owner": "AWS",
                                                       "provider": "CloudFormation", "version": "1"},
                    "roleArn": f"arn:aws:iam::{TARGET}:role/deploy",
                    "configuration": {"ActionMode": "CREATE_UPDATE", "StackName": "app", "TemplatePath": "Src::t.yaml"},
                    "inputArtifacts": [{"name": "Src"}], "runOrder": 1}]}]})


def project_key(account: str, region: str, name: str, key: str) -> None:
    """moto ignores a CodeBuild project's encryptionKey and always answers with the aws/s3 alias (what AWS
    answers when none is set); the server runs in this process, so set it in moto's model directly."""
    from moto.codebuild.models import codebuild_backends

    codebuild_backends[account][region].codebuild_projects[name].project_metadata["encryptionKey"] = key


def client_error(code: str, operation: str, status: int = 400, message: str = "injected by the test"):
    from botocore.exceptions import ClientError

    return ClientError({"Error": {"Code": code, "Message": message},
                        "ResponseMetadata": {"HTTPStatusCode": status}}, operation)


def api_params(request_dict: dict | None) -> dict:
    """The operation's parameters from the serialized request a ``before-call`` handler sees: the form
    fields of query-protocol services (STS, IAM, SQS), the JSON body of JSON-protocol ones (KMS, ...)."""
    body = (request_dict or {}).get("body")
    if isinstance(body, dict):
        return body
    if isinstance(body, (bytes, str)) and body:
        try:
            parsed = json.loads(body)
        except ValueError:
            return {}
        return parsed if isinstance(parsed, dict) else {}
    return {}


def deny(service: str, operation: str, when=lambda params: True, code: str = "AccessDenied",
         region: str | None = None):
    """A botocore ``before-call`` hook raising AccessDenied (or ``code``) for one operation, when
    ``when(params)`` and, if given, only for clients of ``region``."""

    def handler(params=None, context=None, **_):
        if region is not None and (context or {}).get("client_region") != region:
            return
        if when(api_params(params)):
            raise client_error(code, operation, 403 if code.startswith("AccessDenied") else 400)

    return (f"before-call.{service}.{operation}", handler)


def xml_403(service: str, operation: str, when=lambda params: True):
    """A ``before-send`` hook answering one operation with HTTP 403 and an XML body, as AWS's front door
    does even for JSON-protocol services: the collector must still see access denied."""
    from botocore.awsrequest import AWSResponse

    class Raw:
        def __init__(self, body: bytes) -> None:
            self.body = body

        def stream(self, **_):
            yield self.body

        def read(self, *_):
            return self.body

    body = (b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code>'
            b"<Message>Access Denied</Message><RequestId>X</RequestId></Error>")

    def handler(request=None, **_):
        params = json.loads(request.body or b"{}") if request is not None and request.body else {}
        if when(params):
            return AWSResponse(request.url, 403, {"Content-Type": "application/xml"}, Raw(body))
        return None

    return (f"before-send.{service}.{operation}", handler)
