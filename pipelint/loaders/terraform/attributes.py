"""What a resource's attributes are before apply: ARNs, ids and names the AWS provider derives.

Terraform knows an attribute such as ``aws_iam_role.deploy.arn`` only after apply, but its value is
fixed by the documented ARN layout (Service Authorization Reference, "Resource types") once the
name, account, region and partition are known. Those are built here. A name AWS or Terraform
generates (a KMS key id, a bucket or role without a name) is a placeholder ``⟨tf:ADDRESS⟩`` — not a
guess at the real value, but a token that is equal wherever the same resource is referenced — unless
the deployment map's ``physical-ids`` gives the real one. Everything else that is computed at apply
(``unique_id``, ``create_date``, a Lambda version) is an Unknown that says so.
"""

from __future__ import annotations

from typing import Any, Protocol

from pipelint.arns import partition_for_region
from pipelint.values import Unknown

NOT_COMPUTED = object()


class Resource(Protocol):
    type: str
    address: str

    def arg(self, name: str) -> Any: ...  # the configured argument, evaluated (None when not set)

    @property
    def account(self) -> Any: ...

    @property
    def region(self) -> Any: ...

    def generated(self) -> str: ...  # the placeholder (or the physical id the map gives)


def _first_unknown(*parts: Any) -> Unknown | None:
    for part in parts:
        if isinstance(part, Unknown):
            return part
    return None


def build_arn(r: Resource, service: str, resource: Any, *, region: bool = True, account: bool = True,
              kind: str = "") -> Any:
    """``arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE``; an Unknown that keeps the ARN's kind when a
    part is unknown (rules that only ask "is it a pipeline ARN?" can still tell)."""
    partition = partition_for_region(r.region)
    where = r.region if region else ""
    owner = r.account if account else ""
    missing = _first_unknown(owner, where, resource, partition)
    if missing is not None:
        return Unknown(missing.reason, shape=f"arn:{service}:{kind}")
    if resource is None:
        return Unknown(f"{r.address} has no name to build its ARN from")
    if not isinstance(resource, str):
        return Unknown(f"the name of {r.address} is not a string")
    return f"arn:{partition}:{service}:{where}:{owner}:{resource}"


def _name(r: Resource, argument: str = "name") -> Any:
    """The configured name, or the placeholder when Terraform generates it (``name_prefix`` or none)."""
    value = r.arg(argument)
    return r.generated() if value is None else value


def _join(*parts: Any) -> Any:
    missing = _first_unknown(*parts)
    if missing is not None:
        return missing
    if any(not isinstance(p, str) for p in parts):
        return Unknown("a part of the name is not a string")
    return "".join(parts)


def _path(r: Resource) -> Any:
    path = r.arg("path")
    return "/" if path is None else path


def _after_apply(r: Resource, attribute: str) -> Unknown:
    return Unknown(f"{r.address}.{attribute} is known only after apply")


def _role(r: Resource, attribute: str) -> Any:
    if attribute in ("name", "id"):
        return _name(r)
    if attribute == "arn":
        name = _name(r)
        return build_arn(r, "iam", _join("role", _path(r), name), region=False, kind="role")
    return NOT_COMPUTED


def _policy(r: Resource, attribute: str) -> Any:
    if attribute == "name":
        return _name(r)
    if attribute in ("arn", "id"):
        return build_arn(r, "iam", _join("policy", _path(r), _name(r)), region=False, kind="policy")
    return NOT_COMPUTED


def _role_policy(r: Resource, attribute: str) -> Any:
    if attribute == "id":
        return _join(r.arg("role") or "", ":", _name(r))
    if attribute == "name":
        return _name(r)
    return NOT_COMPUTED


def _key(r: Resource, attribute: str) -> Any:
    if attribute in ("key_id", "id"):
        return r.generated()
    if attribute == "arn":
        return build_arn(r, "kms", _join("key/", r.generated()), kind="key")
    return NOT_COMPUTED


def _alias(r: Resource, attribute: str) -> Any:
    if attribute in ("name", "id"):
        return _name(r)
    if attribute == "arn":
        return build_arn(r, "kms", _name(r), kind="alias")
    if attribute == "target_key_arn":
        target = r.arg("target_key_id")
        if isinstance(target, str) and target.startswith("arn:"):
            return target
        return build_arn(r, "kms", _join("key/", target), kind="key")
    return NOT_COMPUTED


def bucket_name(r: Resource) -> Any:
    return _name(r, "bucket")


def _bucket(r: Resource, attribute: str) -> Any:
    if attribute in ("bucket", "id"):
        return bucket_name(r)
    if attribute == "arn":
        return build_arn(r, "s3", bucket_name(r), region=False, account=False)
    if attribute in ("region", "bucket_region"):
        return r.region
    if attribute == "bucket_domain_name":
        return _join(bucket_name(r), ".s3.amazonaws.com")
    if attribute == "bucket_regional_domain_name":
        return _join(bucket_name(r), ".s3.", r.region, ".amazonaws.com")
    return NOT_COMPUTED


def _bucket_part(r: Resource, attribute: str) -> Any:
    """aws_s3_bucket_policy / _versioning / _server_side_encryption_configuration: id is the bucket."""
    if attribute == "id":
        return r.arg("bucket")
    return NOT_COMPUTED


def _pipeline(r: Resource, attribute: str) -> Any:
    if attribute in ("name", "id"):
        return r.arg("name")
    if attribute == "arn":
        return build_arn(r, "codepipeline", r.arg("name"))
    return NOT_COMPUTED


def _project(r: Resource, attribute: str) -> Any:
    if attribute == "name":
        return r.arg("name")
    if attribute in ("arn", "id"):
        return build_arn(r, "codebuild", _join("project/", r.arg("name")), kind="project")
    return NOT_COMPUTED


def _function(r: Resource, attribute: str) -> Any:
    if attribute in ("function_name", "id"):
        return r.arg("function_name")
    if attribute == "arn":
        return build_arn(r, "lambda", _join("function:", r.arg("function_name")), kind="function")
    if attribute in ("qualified_arn", "version", "invoke_arn", "qualified_invoke_arn"):
        return _after_apply(r, attribute)
    return NOT_COMPUTED


def _event_rule(r: Resource, attribute: str) -> Any:
    bus = r.arg("event_bus_name")
    if attribute == "name":
        return _name(r)
    if attribute == "id":
        return _name(r) if bus in (None, "default") else _join(bus, "/", _name(r))
    if attribute == "arn":
        path = _join("rule/", _name(r)) if bus in (None, "default") else _join("rule/", bus, "/", _name(r))
        return build_arn(r, "events", path, kind="rule")
    return NOT_COMPUTED


def _queue(r: Resource, attribute: str) -> Any:
    if attribute == "name":
        return _name(r)
    if attribute == "arn":
        return build_arn(r, "sqs", _name(r))
    if attribute in ("id", "url"):
        return _join("https://sqs.", r.region, ".amazonaws.com/", r.account, "/", _name(r))
    return NOT_COMPUTED


def _topic(r: Resource, attribute: str) -> Any:
    if attribute == "name":
        return _name(r)
    if attribute in ("arn", "id"):
        return build_arn(r, "sns", _name(r))
    return NOT_COMPUTED


def _connection(service: str):
    def computed(r: Resource, attribute: str) -> Any:
        if attribute in ("arn", "id"):
            return build_arn(r, service, _join("connection/", r.generated()), kind="connection")
        if attribute == "connection_status":
            return _after_apply(r, attribute)
        return NOT_COMPUTED
    return computed


def _repository(r: Resource, attribute: str) -> Any:
    if attribute in ("repository_name", "id"):
        return r.arg("repository_name")
    if attribute == "arn":
        return build_arn(r, "codecommit", r.arg("repository_name"))
    return NOT_COMPUTED


COMPUTED = {
    "aws_iam_role": _role, "aws_iam_policy": _policy, "aws_iam_role_policy": _role_policy,
    "aws_kms_key": _key, "aws_kms_alias": _alias, "aws_s3_bucket": _bucket,
    "aws_s3_bucket_policy": _bucket_part, "aws_s3_bucket_versioning": _bucket_part,
    "aws_s3_bucket_server_side_encryption_configuration": _bucket_part,
    "aws_codepipeline": _pipeline, "aws_codebuild_project": _project, "aws_lambda_function": _function,
    "aws_cloudwatch_event_rule": _event_rule, "aws_sqs_queue": _queue, "aws_sns_topic": _topic,
    "aws_codestarconnections_connection": _connection("codestar-connections"),
    "aws_codeconnections_connection": _connection("codeconnections"),
    "aws_codecommit_repository": _repository,
}


def computed(r: Resource, attribute: str) -> Any:
    """The value ``attribute`` of ``r`` has before apply, or NOT_COMPUTED when it is the configured
    argument (or unknown until apply)."""
    table = COMPUTED.get(r.type)
    return NOT_COMPUTED if table is None else table(r, attribute)
